"""One root error type for everything derive reports to a person, and the table of exit codes.

The CLI catches :class:`DeriveError` (and only it) at the edge and turns it into one line on
stderr and the error's exit code; anything else is a bug and is allowed to surface. Every exit
code any command returns is in :data:`EXIT_CODES` (the README's table is generated from it).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """What a ``derive`` command's exit status means; the same for every command."""

    SUCCESS = 0
    FAILED = 1
    UNUSABLE_INPUT = 2
    BUG = 3
    LIMIT = 4
    INTERRUPTED = 130


@dataclass(frozen=True, kw_only=True)
class ExitCodeMeaning:
    """One row of the table: the code, what it means, and examples of when it happens."""

    code: ExitCode
    meaning: str
    examples: str


#: The exit codes of every command, in the README's words.
EXIT_CODES: tuple[ExitCodeMeaning, ...] = (
    ExitCodeMeaning(code=ExitCode.SUCCESS, meaning="success",
                    examples="the documents were written or printed; `check`: every line is correct; "
                             "`grade`: the gradebook was written (whatever the students' marks)"),
    ExitCodeMeaning(code=ExitCode.FAILED, meaning="derive could not do what was asked",
                    examples="an unknown route; LaTeX could not compile a document; "
                             "`check`: a wrong or unreadable line"),
    ExitCodeMeaning(code=ExitCode.UNUSABLE_INPUT, meaning="unusable input",
                    examples="an expression derive cannot read (`derive diff \"x +\"`); an unknown function; "
                             "a bad option or option value, or options that do not go together; a missing, binary, "
                             "empty or too large file; a missing tool (latexmk for `--pdf`)"),
    ExitCodeMeaning(code=ExitCode.BUG, meaning="a bug in derive",
                    examples="a step that is not proved was about to be shown as proved; "
                             "a worker stopped with an error of its own"),
    ExitCodeMeaning(code=ExitCode.LIMIT, meaning="a limit was hit",
                    examples="work on a typed expression or a student's file ran past its time or memory limit; "
                             "every worker is busy and the queue is full"),
    ExitCodeMeaning(code=ExitCode.INTERRUPTED, meaning="interrupted", examples="Ctrl-C"),
)


class DeriveError(Exception):
    """Root of every error derive raises on purpose. ``exit_code`` is what the CLI returns."""

    exit_code: int = ExitCode.FAILED


class InputError(DeriveError):
    """The input itself is unusable (missing file, not text, empty, too large)."""

    exit_code = ExitCode.UNUSABLE_INPUT


class UsageError(InputError):
    """An option that cannot be used as given: a bad value, or options that do not go together."""


class ParseError(DeriveError):
    """Text that could not be read as mathematics. ``column`` is 1-based when known.

    A typed expression that cannot be read is unusable input (exit 2); a student's line that
    cannot be read is a verdict on that line, not an error of the command.
    """

    exit_code = ExitCode.UNUSABLE_INPUT

    def __init__(self, message: str, *, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        if self.column is None or f"at column {self.column}" in self.message:
            return self.message  # "'(' at column 4 is never closed" says where already
        return f"{self.message} (at column {self.column})"


class InputLimitError(ParseError):
    """Input that breaks one of the safety bounds (length, nesting, number size, exponent)."""


class UnknownFunctionError(DeriveError):
    """A name that is not in the catalogue of functions."""

    exit_code = ExitCode.UNUSABLE_INPUT


class VerificationError(DeriveError):
    """A step that could not be proved was about to be shown as fact: a bug in derive."""

    exit_code = ExitCode.BUG


class ToolMissingError(DeriveError):
    """An external program (latexmk, ...) that an option needs is not installed."""

    exit_code = ExitCode.UNUSABLE_INPUT


#: How the Python API (and the web's forms) name the two ways to give an exercise.
EXERCISE_ARGUMENTS = ("function", "exercise")


def check_one_exercise(function: str | None, exercise: str | None, *,
                       names: tuple[str, str] = EXERCISE_ARGUMENTS) -> None:
    """The exercise is a catalogue function or a typed definition, never both: the one check of
    that, for ``derive.checker.check``, ``derive grade``, ``derive serve`` and the command line
    (which passes its option names, ``("--function", "--exercise")``; the words are otherwise the
    same). Here, with the errors, so that the web server checks it without loading the checker."""
    if function is not None and exercise is not None:
        raise UsageError(f"give {names[0]} or {names[1]}, not both")
