"""One table of exit codes for every command (``derive.errors.EXIT_CODES``, the README's table),
tested row by row for each command, with the exact one-line message on stderr.

Rows that real input reaches are run for real (an unknown function, an expression derive cannot
read, a missing file, a wrong line); the rows that only a bug or an overloaded machine reaches
(a verification failure, a time limit, Ctrl-C) are reached by making the library call inside the
command raise that error: the command must still answer with the table's code and one line.

Bug fixed: ``derive diff "sec(x)^2"`` (unusable input, before derive read sec) exited 1, and so did bad option values
(``--label 'a b'``, ``--students 0``) that the README lists under exit code 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import derive.api
import derive.checker
import derive.checker.grade
import derive.output
import derive.grading.gradebook
import derive.sandbox
from derive.cli import main
from derive.errors import (
    EXIT_CODES, DeriveError, ExitCode, InputError, ParseError, ToolMissingError, UnknownFunctionError, UsageError,
    VerificationError,
)
from derive.sandbox import JobFailed, LimitExceeded, Overloaded

CORRECT = "sigma'(x) = sigma(x)*(1 - sigma(x))\n"
WRONG = "sigma'(x) = sigma(x)*(1 + sigma(x))\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as stop:  # argparse's usage errors
        code = stop.code
    captured = capsys.readouterr()
    return int(code), captured.out, captured.err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    return lines[0]


def test_the_table_has_one_row_per_exit_code() -> None:
    assert [row.code for row in EXIT_CODES] == list(ExitCode)
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 4, 130]


def _subclasses(kind: type) -> set[type]:
    found = set()
    for sub in kind.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_every_error_exits_with_a_code_of_the_table() -> None:
    import derive.sandbox  # noqa: F401 - defines LimitExceeded, JobFailed, Overloaded

    for kind in {DeriveError, *_subclasses(DeriveError)}:
        assert kind.exit_code in set(ExitCode), kind
    assert ParseError.exit_code == InputError.exit_code == UsageError.exit_code == ExitCode.UNUSABLE_INPUT
    assert UnknownFunctionError.exit_code == ToolMissingError.exit_code == ExitCode.UNUSABLE_INPUT
    assert VerificationError.exit_code == JobFailed.exit_code == ExitCode.BUG
    assert LimitExceeded.exit_code == Overloaded.exit_code == ExitCode.LIMIT


# --- real input ---------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "class").mkdir()
    paths = {"correct": tmp_path / "correct.txt", "wrong": tmp_path / "wrong.txt", "class": tmp_path / "class"}
    paths["correct"].write_text(CORRECT, encoding="utf-8")
    paths["wrong"].write_text(WRONG, encoding="utf-8")
    (tmp_path / "class" / "a.txt").write_text(WRONG, encoding="utf-8")
    return paths


#: (id, arguments with {tmp}/{correct}/{wrong}/{class} filled in, exit code, the stderr line or a part of it)
REAL = [
    ("NAME ok", ["sigmoid", "--format", "json"], 0, None),
    ("NAME unknown route", ["sigmoid", "--route", "nonsense", "--format", "json"], 1,
     "derive: error: unknown route 'nonsense' for sigmoid: choose one of chain, quotient, log, rules"),
    ("NAME unknown function", ["nosuch", "--format", "json"], 2, "derive: error: unknown function 'nosuch'"),
    ("NAME bad option value", ["sigmoid", "--format", "pdf"], 2, "derive: error: argument --format: invalid choice"),
    ("NAME options that do not go together", ["sigmoid", "--snippet", "--format", "html"], 2,
     "derive: error: --snippet needs --format latex or --format markdown"),
    ("NAME bad label", ["sigmoid", "--format", "latex", "--snippet", "--label", "a b"], 2, "derive: error: --label may only"),
    ("diff ok", ["diff", "x^2"], 0, None),
    ("diff unknown name", ["diff", "sinc(x)^2"], 2, "derive: error: unknown name 'sinc'"),
    ("diff a decimal comma", ["diff", "1,5*x"], 2,
     "derive: error: unexpected ',': write decimals with a point (0.5); a comma only separates the arguments "
     "of a function, as in L(w, b), or of log(x, 2) (at column 2)"),
    ("diff a semicolon", ["diff", "x^2; x"], 2,
     "derive: error: unexpected character ';': write one expression per line (at column 4)"),
    ("diff a vulgar fraction", ["diff", "½x"], 2,
     "derive: error: unexpected character '½': write a fraction with a slash, e.g. 1/2 (at column 1)"),
    ("diff ends too early", ["diff", "x +"], 2, "derive: error: the expression ends too early"),
    ("diff too long", ["diff", "x" * 5000], 2, "derive: error: line too long"),
    ("diff bad variable", ["diff", "t^2", "--var", "2t"], 2, "derive: error:"),
    ("diff starts with a minus sign", ["diff", "-x^2", "--format", "json"], 0, None),
    ("diff order out of range", ["diff", "x^2", "--order", "0"], 2, "derive: error: the order of a derivative is from 1 to 10, not 0"),
    ("diff order too high for a gradient", ["diff", "w*x + b", "--var", "w,b", "--order", "3"], 2,
     "derive: error: with several variables, --order may be 1 (the gradient) or 2 (every second partial)"),
    ("diff bad name", ["diff", "x^2", "--format", "markdown", "--name", "a/b"], 2,
     "derive: error: --name may only contain letters, digits and : . _ - (at most 64)"),
    ("worksheet ok", ["worksheet", "sigmoid", "--format", "markdown", "--out", "{tmp}/w"], 0, None),
    ("worksheet unknown function", ["worksheet", "nosuch"], 2, "derive: error: unknown function 'nosuch'"),
    ("worksheet bad students", ["worksheet", "sigmoid", "--students", "0", "--out", "{tmp}/w"], 2,
     "derive: error: --students must be between 1 and"),
    ("check ok", ["check", "{correct}"], 0, None),
    ("check wrong line", ["check", "{wrong}"], 1, None),
    ("check missing file", ["check", "{tmp}/missing.txt"], 2, "derive: error: {tmp}/missing.txt: no such file"),
    ("check unknown function", ["check", "{correct}", "--function", "nosuch"], 2, "derive: error: unknown function 'nosuch'"),
    ("grade ok (whatever the marks)", ["grade", "{class}", "--out", "{tmp}/g.csv", "--jobs", "1"], 0, None),
    ("grade bad out", ["grade", "{class}", "--out", "{tmp}/g.tex"], 2, "derive: error: --out must name a .csv file"),
    ("grade bad jobs", ["grade", "{class}", "--jobs", "0", "--out", "{tmp}/g.csv"], 2, "derive: error: --jobs must be at least 1"),
    ("compare bad option", ["compare", "--format", "pdf"], 2, "derive compare: error: argument --format: invalid choice"),
    ("list ok", ["list"], 0, None),
    ("list bad option", ["list", "--all"], 2, "derive list: error: unrecognized arguments: --all"),
]


@pytest.mark.parametrize(("arguments", "code", "message"), [row[1:] for row in REAL], ids=[row[0] for row in REAL])
def test_real_input(capsys, tmp_path: Path, files: dict[str, Path], arguments: list[str], code: int, message: str | None) -> None:
    fill = {"tmp": str(tmp_path), **{key: str(value) for key, value in files.items()}}
    got, _, err = run(capsys, *(argument.format(**fill) for argument in arguments))
    assert got == code, err
    if message is not None:
        assert one_line(err).startswith(message.format(**fill))
    elif code == 0:
        assert "derive: error" not in err and "Traceback" not in err


# --- every row, for every command ---------------------------------------------------------------

#: command -> (arguments, the library function the command calls, as (module, attribute))
COMMANDS = {
    "NAME": (["sigmoid", "--format", "json"], (derive.api, "derive")),
    "diff": (["diff", "x^2"], (derive.sandbox.Sandbox, "run")),  # diff derives in a sandboxed worker
    "worksheet": (["worksheet", "sigmoid", "--out", "{tmp}"], (derive.output, "write_worksheets")),
    "check": (["check", "{correct}"], (derive.checker, "check_file")),
    "grade": (["grade", "{class}", "--out", "{tmp}/g.csv", "--jobs", "1"], (derive.grading.gradebook, "grade_class")),
    "compare": (["compare", "--out", "{tmp}"], (derive.output, "write_comparison")),
}

RAISED = [
    (DeriveError("LaTeX could not compile x.tex"), ExitCode.FAILED, "derive: error: LaTeX could not compile x.tex"),
    (InputError("x.txt is a binary file, not text"), ExitCode.UNUSABLE_INPUT, "derive: error: x.txt is a binary file, not text"),
    (ToolMissingError("--pdf needs latexmk"), ExitCode.UNUSABLE_INPUT, "derive: error: --pdf needs latexmk"),
    (VerificationError("step 'chain' is not proved"), ExitCode.BUG, "derive: error: step 'chain' is not proved"),
    (JobFailed("the job stopped: ZeroDivisionError"), ExitCode.BUG, "derive: error: the job stopped: ZeroDivisionError"),
    (LimitExceeded("stopped after 10 s"), ExitCode.LIMIT, "derive: error: stopped after 10 s"),
    (Overloaded("every worker is busy"), ExitCode.LIMIT, "derive: error: every worker is busy"),
    (KeyboardInterrupt(), ExitCode.INTERRUPTED, "derive: interrupted"),
]


@pytest.mark.parametrize(("error", "code", "message"), RAISED, ids=[type(row[0]).__name__ for row in RAISED])
@pytest.mark.parametrize("command", COMMANDS)
def test_every_row_for_every_command(capsys, monkeypatch, tmp_path: Path, files: dict[str, Path], command: str,
                                     error: BaseException, code: int, message: str) -> None:
    arguments, (module, attribute) = COMMANDS[command]

    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(module, attribute, fail)
    fill = {"tmp": str(tmp_path), **{key: str(value) for key, value in files.items()}}
    got, out, err = run(capsys, *(argument.format(**fill) for argument in arguments))
    assert got == code
    assert one_line(err) == message


def test_list_is_interrupted_cleanly(capsys, monkeypatch) -> None:
    import derive.cli

    def interrupted(arguments: list[str]) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(derive.cli.COMMANDS, "list", interrupted)
    assert run(capsys, "list")[0] == ExitCode.INTERRUPTED
