"""One root error type for everything derive reports to a person.

The CLI catches :class:`DeriveError` (and only it) at the edge and turns it into one line on
stderr and a non-zero exit code; anything else is a bug and is allowed to surface.
"""

from __future__ import annotations


class DeriveError(Exception):
    """Root of every error derive raises on purpose. ``exit_code`` is what the CLI returns."""

    exit_code: int = 1


class InputError(DeriveError):
    """The input itself is unusable (missing file, not text, empty, too large)."""

    exit_code = 2


class ParseError(DeriveError):
    """Text that could not be read as mathematics. ``column`` is 1-based when known."""

    exit_code = 1

    def __init__(self, message: str, *, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        if self.column is None:
            return self.message
        return f"{self.message} (at column {self.column})"


class InputLimitError(ParseError):
    """Input that breaks one of the safety bounds (length, nesting, number size, exponent)."""


class UnknownFunctionError(DeriveError):
    """A name that is not in the catalogue of functions."""

    exit_code = 2


class VerificationError(DeriveError):
    """A step that could not be proved was about to be shown as fact: a bug in derive."""

    exit_code = 3


class ToolMissingError(DeriveError):
    """An external program (latexmk, ...) that an option needs is not installed."""

    exit_code = 2
