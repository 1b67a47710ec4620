"""The checker's verdicts as data: one :class:`LineReport` per line, one :class:`Report` per file.

:meth:`Report.as_json_data` is the stable JSON contract of ``derive check --format json``
(documented in the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from derive.model import ShownInNotebooks, sentence_data, sentence_from_data, written_out

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

    @classmethod
    def from_json_data(cls, data: dict[str, Any]) -> Counterexample:
        at = data.get("at") or {}
        return cls(x=data["x"], left=data["left"], right=data["right"],
                   at=tuple((str(name), str(value)) for name, value in at.items()) if isinstance(at, dict) else ())


@dataclass(frozen=True, kw_only=True)
class LineReport:
    """The verdict on one line of a student's derivation. ``message`` and ``diagnosis`` are
    plain text; derive's own sentences are :class:`~derive.model.Described` strings, whose
    formulas documents typeset."""

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

    def __post_init__(self) -> None:
        # A sentence's formulas are written out once, here: the report crosses processes and JSON as it was made.
        object.__setattr__(self, "message", written_out(self.message))
        if self.diagnosis is not None:
            object.__setattr__(self, "diagnosis", written_out(self.diagnosis))

    @property
    def mark(self) -> str:
        return {"correct": "✓", "wrong": "✗", "unparsed": "?"}[self.status]

    def as_json_data(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "source": self.source,
            "status": self.status,
            "message": str(self.message),  # the plain words (the pieces below keep the formulas)
            "counterexample": None if self.counterexample is None else self.counterexample.as_json_data(),
            "diagnosis": None if self.diagnosis is None else str(self.diagnosis),
            "relation": self.relation,
            "proved": self.proved,
            "diagnosis_key": self.diagnosis_key,
            "column": self.column,
            # the two sentences again with their formulas apart (documents typeset them); None: no formula
            "message_segments": sentence_data(self.message),
            "diagnosis_segments": sentence_data(self.diagnosis),
        }

    @classmethod
    def from_json_data(cls, data: dict[str, Any]) -> LineReport:
        """The line back from :meth:`as_json_data` (``derive grade --resume`` reads earlier results)."""
        found = data.get("counterexample")
        return cls(line=data["line"], source=data["source"], status=data["status"],
                   message=sentence_from_data(data["message"], data.get("message_segments")),
                   relation=data["relation"], proved=bool(data.get("proved")),
                   counterexample=None if found is None else Counterexample.from_json_data(found),
                   diagnosis=sentence_from_data(data.get("diagnosis"), data.get("diagnosis_segments")),
                   diagnosis_key=data.get("diagnosis_key"), column=data.get("column"))


@dataclass(frozen=True, kw_only=True)
class Suggestion:
    """A correct next line from derive's own derivation of the exercise (every step of it proved):
    where the student's work could have gone after their last correct line."""

    after_line: int | None  # the student's last correct line (None: from the start)
    latex: str
    text: str
    rule: str

    def as_json_data(self) -> dict[str, Any]:
        return {"after_line": self.after_line, "latex": self.latex, "text": self.text, "rule": self.rule}

    @classmethod
    def from_json_data(cls, data: dict[str, Any]) -> Suggestion:
        return cls(after_line=data["after_line"], latex=data["latex"], text=data["text"], rule=data["rule"])


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """Where a derivation ended up, for scores and feedback.

    ``result_line`` is the last line that claims an identity in the variable (numeric checks such
    as ``σ(1) ≈ 0.7311`` come after a result and are not it); ``reaches_derivative`` says that
    line is correct and its last expression is the derivative of the exercise's function with no
    derivative left to take; ``in_terms_of_function`` that this expression is written in the
    function itself alone (σ(x)(1 − σ(x)), 1 − tanh²(x)); ``suggestion`` is a correct next line
    after the last correct line, when the work goes wrong and derive knows one.
    """

    result_line: int | None = None
    reaches_derivative: bool = False
    in_terms_of_function: bool = False
    suggestion: Suggestion | None = None

    def as_json_data(self) -> dict[str, Any]:
        return {
            "result_line": self.result_line, "reaches_derivative": self.reaches_derivative,
            "in_terms_of_function": self.in_terms_of_function,
            "suggestion": None if self.suggestion is None else self.suggestion.as_json_data(),
        }

    @classmethod
    def from_json_data(cls, data: dict[str, Any]) -> Outcome:
        found = data.get("suggestion")
        return cls(result_line=data.get("result_line"), reaches_derivative=bool(data.get("reaches_derivative")),
                   in_terms_of_function=bool(data.get("in_terms_of_function")),
                   suggestion=None if found is None else Suggestion.from_json_data(found))


@dataclass(frozen=True, kw_only=True, repr=False)
class Report(ShownInNotebooks):
    """The verdict on a whole derivation; in a notebook it shows itself as the report (HTML,
    Markdown, or a LaTeX table)."""

    lines: tuple[LineReport, ...]
    syntax: str
    function: str
    variable: str
    name: str = ""
    outcome: Outcome = Outcome()

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
            "outcome": self.outcome.as_json_data(),
        }

    def __repr__(self) -> str:
        verdict = "valid" if self.valid else "NOT valid"
        where = f"; first error on line {self.first_error}" if self.first_error is not None else ""
        name = f" {self.name}" if self.name else ""
        return (f"<Report{name}: {verdict}, {self.count('correct')} correct, {self.count('wrong')} wrong, "
                f"{self.count('unparsed')} not read or not decided{where}>")
    @classmethod
    def from_json_data(cls, data: dict[str, Any], *, name: str = "") -> Report:
        """The report back from :meth:`as_json_data` (``derive grade --resume`` reads earlier results)."""
        return cls(lines=tuple(LineReport.from_json_data(line) for line in data["lines"]), syntax=data["syntax"],
                   function=data["function"], variable=data["variable"], name=name,
                   outcome=Outcome.from_json_data(data.get("outcome") or {}))
