"""The checker's verdicts as data: one :class:`LineReport` per line, one :class:`Report` per file.

:meth:`Report.as_json_data` is the stable JSON contract of ``derive check --format json``
(documented in the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from derive.model import ShownInNotebooks

Status = Literal["correct", "wrong", "unparsed"]


@dataclass(frozen=True, kw_only=True)
class Counterexample:
    """A point where the two sides differ, with the value of each side (12 significant digits).

    ``x`` names the point as the message does (the variable's value, or ``w = 0.5, x = -2.779``
    when the claim has several variables; None for a claim about numbers); ``at`` gives each
    variable's value by name.
    """

    x: str | None
    left: str
    right: str
    at: tuple[tuple[str, str], ...] = ()

    def as_json_data(self) -> dict[str, Any]:
        return {"x": self.x, "left": self.left, "right": self.right, "at": dict(self.at)}


@dataclass(frozen=True, kw_only=True)
class LineReport:
    """The verdict on one line of a student's derivation."""

    line: int
    source: str
    status: Status
    message: str
    relation: str
    proved: bool = False
    counterexample: Counterexample | None = None
    diagnosis: str | None = None
    diagnosis_key: str | None = None
    column: int | None = None

    @property
    def mark(self) -> str:
        return {"correct": "✓", "wrong": "✗", "unparsed": "?"}[self.status]

    def as_json_data(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "source": self.source,
            "status": self.status,
            "message": self.message,
            "counterexample": None if self.counterexample is None else self.counterexample.as_json_data(),
            "diagnosis": self.diagnosis,
            "relation": self.relation,
            "proved": self.proved,
            "diagnosis_key": self.diagnosis_key,
            "column": self.column,
        }


@dataclass(frozen=True, kw_only=True, repr=False)
class Report(ShownInNotebooks):
    """The verdict on a whole derivation; in a notebook it shows itself as the report (HTML,
    Markdown, or a LaTeX table)."""

    lines: tuple[LineReport, ...]
    syntax: str
    function: str
    variable: str
    name: str = ""

    @property
    def valid(self) -> bool:
        return bool(self.lines) and all(line.status == "correct" for line in self.lines)

    @property
    def first_error(self) -> int | None:
        return next((line.line for line in self.lines if line.status != "correct"), None)

    def count(self, status: Status) -> int:
        return sum(line.status == status for line in self.lines)

    @property
    def diagnoses(self) -> list[str]:
        return [line.diagnosis_key for line in self.lines if line.diagnosis_key]

    def as_json_data(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "first_error": self.first_error,
            "lines": [line.as_json_data() for line in self.lines],
            "syntax": self.syntax,
            "function": self.function,
            "variable": self.variable,
            "counts": {status: self.count(status) for status in ("correct", "wrong", "unparsed")},
        }

    def __repr__(self) -> str:
        verdict = "valid" if self.valid else "NOT valid"
        where = f"; first error on line {self.first_error}" if self.first_error is not None else ""
        name = f" {self.name}" if self.name else ""
        return (f"<Report{name}: {verdict}, {self.count('correct')} correct, {self.count('wrong')} wrong, "
                f"{self.count('unparsed')} unreadable{where}>")
