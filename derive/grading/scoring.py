"""Scores: a checked derivation's points under a rubric, with the reason for every point.

:func:`score` reads only the report (each line's verdict and relation, and the
:class:`~derive.verdicts.Outcome`), so a score can be computed again under another rubric
without checking anything again (``grade --resume --rubric other.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from derive.expressions import Stated
from derive.grading.rubric import Rubric
from derive.model import Described, written_out
from derive.verdicts import LineReport, Report

#: The recognised form the rubric asks for, as the sigmoid's handout writes it.
_IN_THE_FUNCTION_ITSELF = Stated("sigma(x)(1 - sigma(x))", r"\sigma(x) \left(1 - \sigma(x)\right)")


@dataclass(frozen=True, kw_only=True)
class LinePoints:
    """What one line earned (or cost), and why, in words."""

    line: int
    points: float
    reason: str

    def as_json_data(self) -> dict[str, Any]:
        return {"line": self.line, "points": number(self.points), "reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class Component:
    """One part of the rubric (steps, final result, recognised form, unreadable lines)."""

    name: str
    points: float
    maximum: float
    reason: str

    def as_json_data(self) -> dict[str, Any]:
        return {"name": self.name, "points": number(self.points), "maximum": number(self.maximum), "reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class Score:
    """The points of one submission under a rubric. ``review`` says a person should look at it
    (a line derive could not decide, or a file it could not grade)."""

    points: float
    maximum: float
    components: tuple[Component, ...] = ()
    lines: tuple[LinePoints, ...] = ()
    review: bool = False

    def as_json_data(self) -> dict[str, Any]:
        return {"points": number(self.points), "maximum": number(self.maximum),
                "components": [component.as_json_data() for component in self.components],
                "lines": [line.as_json_data() for line in self.lines], "review": self.review}


def number(value: float) -> float | int:
    """A number of points as it is written: 7, 7.5 (never 7.000000001)."""
    rounded = round(value, 4)
    return int(rounded) if rounded == int(rounded) else rounded


def unscored(maximum: float, why: str) -> Score:
    """The score of a submission that could not be graded (no report): 0, to be reviewed."""
    return Score(points=0, maximum=maximum, components=(Component(name="not graded", points=0, maximum=maximum,
                                                                   reason=why),), review=True)


def score(report: Report, rubric: Rubric, *, recognised_form: bool = True) -> Score:
    """The points ``report`` earns under ``rubric``. ``recognised_form`` says whether the
    exercise has a form in terms of itself (σ′ = σ(1 − σ)); when it has none, its points go to
    the final result. A derivation about a function it defines itself (no exercise was named, and
    its first line defines f) has no known form either."""
    recognised_form = recognised_form and bool(report.function)
    lines: list[LinePoints] = []
    step_points = 0.0
    unreadable = wrong = 0
    review = False
    for line in report.lines:
        earned, reason = _line_points(line, rubric)
        if line.status == "unparsed":
            if line.relation == "not decided":
                review = True
            else:
                unreadable += 1
                earned, reason = -rubric.unreadable_line, "derive could not read this line"
        elif _wrong_on_its_own(line):
            wrong += 1
            earned = -rubric.wrong_line
            reason += f"; {number(rubric.wrong_line)} off" if rubric.wrong_line else ""
        if earned > 0:
            room = max(0.0, rubric.steps_maximum - step_points)
            if room < earned:
                reason += f"; the {number(rubric.steps_maximum)} points for steps were already given" if room == 0 else \
                    f"; only {number(room)} points for steps were left"
                earned = room
            step_points += earned
        lines.append(LinePoints(line=line.line, points=earned, reason=reason))
    outcome = report.outcome
    final_points = rubric.final_result + (0 if recognised_form else rubric.recognised_form)
    components = [
        Component(name="steps", points=step_points, maximum=rubric.steps_maximum,
                  reason=f"{number(rubric.correct_step)} per correct step, at most {number(rubric.steps_maximum)}"),
        Component(name="final result", points=final_points if outcome.reaches_derivative else 0, maximum=final_points,
                  reason=_final_reason(report)),
    ]
    if recognised_form:
        reached = outcome.reaches_derivative and outcome.in_terms_of_function
        components.append(Component(
            name="recognised form", points=rubric.recognised_form if reached else 0, maximum=rubric.recognised_form,
            reason=(f"line {outcome.result_line} writes the derivative in the function itself" if reached else
                    written_out(Described("the result is not written in the function itself (such as ",
                                          _IN_THE_FUNCTION_ITSELF, ")")))))
    if wrong:
        components.append(Component(name="wrong lines", points=-rubric.wrong_line * wrong, maximum=0,
                                    reason=f"{wrong} wrong line{'s' if wrong > 1 else ''}, {number(rubric.wrong_line)} off each"))
    if unreadable:
        components.append(Component(name="unreadable lines", points=-rubric.unreadable_line * unreadable, maximum=0,
                                    reason=f"{unreadable} line{'s' if unreadable > 1 else ''} derive could not read, "
                                    f"{number(rubric.unreadable_line)} off each"))
    total = sum(component.points for component in components)
    return Score(points=min(rubric.maximum, max(0.0, total)), maximum=rubric.maximum, components=tuple(components),
                 lines=tuple(lines), review=review)


def _line_points(line: LineReport, rubric: Rubric) -> tuple[float, str]:
    relation = line.relation
    if line.status == "correct":
        if relation in ("definition", "start", "restates the exercise"):
            return 0, {"start": "a definition or starting point: nothing to prove, no points",
                       "definition": "a definition: no points",
                       "restates the exercise": "the exercise's function as given: no points"}[relation]
        return rubric.correct_step, f"a correct step ({relation})"
    if line.status == "unparsed":
        return 0, "derive could not decide this line: please check it yourself"
    if _carried_forward(line):
        source = relation.removeprefix(_CARRIED).split(" ", 1)[0]
        if rubric.carried_forward == "once":
            return rubric.correct_step, f"a valid step from the wrong line {source}: the error is counted once, there"
        return 0, f"carries the error of line {source} forward (the rubric counts it at every line)"
    return 0, f"wrong: {relation}" if relation != "first line" else "wrong"


#: How the checker's relation of a line begins when the line follows validly from an earlier wrong one.
_CARRIED = "consistent with wrong line "


def _carried_forward(line: LineReport) -> bool:
    """Whether ``line`` follows validly from an earlier wrong line (scored by the rubric's ``carried_forward``)."""
    return line.relation.startswith(_CARRIED)


def _wrong_on_its_own(line: LineReport) -> bool:
    """Whether ``line`` is a wrong line that is an error of its own, not one carried forward."""
    return line.status == "wrong" and not _carried_forward(line)


def _final_reason(report: Report) -> str:
    outcome = report.outcome
    x = sympy.Symbol(report.variable)
    if outcome.result_line is None:
        return written_out(Described("no line states the derivative in terms of ", x))
    if outcome.reaches_derivative:
        return f"line {outcome.result_line} is the exercise's derivative"
    status = next((line.status for line in report.lines if line.line == outcome.result_line), "")
    if status == "correct":
        return f"line {outcome.result_line} is correct but is not yet the derivative (a derivative is left to take)"
    return written_out(Described("the last line about ", x, f" (line {outcome.result_line}) is not correct"))


def diagnoses_in_words(report: Report | None) -> str:
    """Every diagnosis of a report as a student reads it, with its line (for the CSV)."""
    if report is None:
        return ""
    return " / ".join(f"line {line.line}: {line.diagnosis}" for line in report.lines if line.diagnosis)
