"""The rubric file and the scores it gives: every rule of the rubric, one table row each, on reports
built line by line (no proving: a score reads only the verdicts), and on real checks."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from derive.checker import check
from derive.errors import InputError
from derive.grading.rubric import DEFAULT_RUBRIC, EXAMPLE, Rubric, load_rubric, rubric_from
from derive.grading.scoring import diagnoses_in_words, number, score
from derive.verdicts import LineReport, Outcome, Report


def line(number: int, status: str, relation: str, **extra: object) -> LineReport:
    return LineReport(line=number, source=f"line {number}", status=status, relation=relation,  # type: ignore[arg-type]
                      message=extra.pop("message", "m"), **extra)  # type: ignore[arg-type]


def report(*lines: LineReport, reaches: bool = False, in_terms: bool = False, result: int | None = None) -> Report:
    outcome = Outcome(result_line=result if result is not None else (lines[-1].line if lines else None),
                      reaches_derivative=reaches, in_terms_of_function=in_terms)
    return Report(lines=tuple(lines), syntax="text", function="sigmoid", variable="x", outcome=outcome)


CORRECT = [line(1, "correct", "first line"), line(2, "correct", "follows from line 1"),
           line(3, "correct", "follows from line 2")]
CARRIED = [line(1, "correct", "first line"), line(2, "wrong", "does not follow from line 1", diagnosis="dropped -1",
                                                   diagnosis_key="exp_derivative_without_chain"),
           line(3, "wrong", "consistent with wrong line 2 (error carried forward)"),
           line(4, "wrong", "consistent with wrong line 2 (error carried forward)")]

# (name, report, rubric, points, expected reasons or components)
CASES = [
    ("all correct and recognised", report(*CORRECT, reaches=True, in_terms=True), DEFAULT_RUBRIC, 9),
    ("correct, not in terms of itself", report(*CORRECT, reaches=True), DEFAULT_RUBRIC, 7),
    ("correct but stops before the result", report(*CORRECT), DEFAULT_RUBRIC, 3),
    ("five steps capped at four", report(*CORRECT, line(4, "correct", "follows from line 3"),
                                         line(5, "correct", "follows from line 4"), reaches=True, in_terms=True),
     DEFAULT_RUBRIC, 10),
    ("error carried forward costs once", report(*CARRIED), DEFAULT_RUBRIC, 2),
    ("error carried forward costs at every line", report(*CARRIED), Rubric(carried_forward="every_line"), 0),
    ("error carried forward, a generous rubric", report(*CARRIED), Rubric(wrong_line=0), 3),
    # five correct steps fill the step points; the wrong line between them still costs its point
    ("a wrong line among enough correct steps costs a point",
     report(*CORRECT, line(4, "wrong", "does not follow from line 3"), line(5, "correct", "follows from line 3"),
            line(6, "correct", "follows from line 5"), reaches=True, in_terms=True), DEFAULT_RUBRIC, 9),
    ("two wrong lines cost two", report(*CORRECT, line(4, "wrong", "does not follow from line 3"),
                                        line(5, "wrong", "does not follow from line 3"), line(6, "correct", "follows from line 3"),
                                        reaches=True, in_terms=True), Rubric(wrong_line=1.5), 7),
    ("an unreadable line costs a point", report(*CORRECT, line(4, "unparsed", "not read"), reaches=True, in_terms=True,
                                                result=3), DEFAULT_RUBRIC, 8),
    ("never below zero", report(line(1, "unparsed", "not read"), line(2, "unparsed", "not read")), DEFAULT_RUBRIC, 0),
    ("a line not decided costs nothing", report(*CORRECT, line(4, "unparsed", "not decided"), result=3), DEFAULT_RUBRIC, 3),
    ("definitions earn nothing", report(line(1, "correct", "definition"), line(2, "correct", "start"),
                                        line(3, "correct", "follows from line 2")), DEFAULT_RUBRIC, 1),
    ("a generous maximum", report(*CORRECT, reaches=True, in_terms=True), Rubric(maximum=20, steps_maximum=10), 9),
    ("a small maximum caps the total", report(*CORRECT, reaches=True, in_terms=True), Rubric(maximum=5), 5),
    ("half points", report(*CORRECT, reaches=True), Rubric(correct_step=0.5, final_result=2.5), 4),
]


@pytest.mark.parametrize(("name", "checked", "rubric", "points"), CASES, ids=[case[0] for case in CASES])
def test_score_table(name: str, checked: Report, rubric: Rubric, points: float) -> None:
    result = score(checked, rubric)
    assert number(result.points) == points
    assert result.maximum == rubric.maximum
    assert [entry.line for entry in result.lines] == [entry.line for entry in checked.lines]
    assert all(entry.reason for entry in result.lines), "every line has its reason"
    assert sum(component.points for component in result.components) >= result.points or result.points == 0


def test_reasons_say_what_happened() -> None:
    once = score(report(*CARRIED), DEFAULT_RUBRIC)
    reasons = {entry.line: entry.reason for entry in once.lines}
    assert reasons[2] == "wrong: does not follow from line 1; 1 off"
    assert once.lines[1].points == -1 and once.components[-1].name == "wrong lines"
    assert once.components[-1].reason == "1 wrong line, 1 off each"
    assert reasons[3] == "a valid step from the wrong line 2: the error is counted once, there"
    every = score(report(*CARRIED), Rubric(carried_forward="every_line"))
    assert every.lines[2].reason == "carries the error of line 2 forward (the rubric counts it at every line)"
    assert every.lines[2].points == 0
    capped = score(report(*CORRECT, line(4, "correct", "follows from line 3"), line(5, "correct", "follows from line 4")),
                   DEFAULT_RUBRIC)
    assert capped.lines[4].points == 0 and "already given" in capped.lines[4].reason
    unreadable = score(report(line(1, "unparsed", "not read", message="Cannot read this line: unexpected ')'")), DEFAULT_RUBRIC)
    assert (unreadable.lines[0].points, unreadable.lines[0].reason) == (-1, "derive could not read this line")
    assert [c.name for c in unreadable.components] == ["steps", "final result", "recognised form", "unreadable lines"]


def test_not_decided_asks_for_a_person() -> None:
    result = score(report(line(1, "unparsed", "not decided")), DEFAULT_RUBRIC)
    assert result.review and result.points == 0 and "check it yourself" in result.lines[0].reason


def test_an_exercise_without_a_recognised_form_moves_its_points_to_the_result() -> None:
    result = score(report(*CORRECT, reaches=True), DEFAULT_RUBRIC, recognised_form=False)
    assert number(result.points) == 9
    assert [c.name for c in result.components] == ["steps", "final result"]
    assert result.components[1].maximum == 6


def test_the_documented_example_is_the_default() -> None:
    assert rubric_from(tomllib.loads(EXAMPLE)) == DEFAULT_RUBRIC == Rubric()


def test_the_readme_shows_the_example() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert EXAMPLE in readme


@pytest.mark.parametrize(("text", "message"), [
    ("maximum = 0", "maximum must be more than 0"),
    ("final_result = -1", "final_result must be a number of points, 0 or more, not -1"),
    ("correct_step = 'one'", "correct_step must be a number of points, 0 or more, not 'one'"),
    ("correct_step = true", "correct_step must be a number of points, 0 or more, not True"),
    ("unreadable_line = nan", "unreadable_line must be a number of points, 0 or more, not nan"),
    ("wrong_line = -1", "wrong_line must be a number of points, 0 or more, not -1"),
    ("carried_forward = 'twice'", "carried_forward must be \"once\" or \"every_line\", not 'twice'"),
    ("bonus = 3", "unknown key 'bonus'"),
    ("maximum = ", "is not valid TOML"),
])
def test_a_bad_rubric_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rubric.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_rubric(path)
    assert message in str(raised.value) and str(path) in str(raised.value)


def test_a_missing_rubric(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_rubric(tmp_path / "nothing.toml")


def test_real_checks_score_as_a_grader_expects() -> None:
    right = check("sigma'(x) = d/dx (1+exp(-x))^(-1)\n= -(1+exp(-x))^(-2) * (-exp(-x))\n= sigma(x)*(1-sigma(x))\n")
    assert right.outcome.reaches_derivative and right.outcome.in_terms_of_function and right.outcome.result_line == 3
    assert number(score(right, DEFAULT_RUBRIC).points) == 9  # three steps, the result, the recognised form
    early = check("sigma'(x) = d/dx (1+exp(-x))^(-1)\n")
    assert not early.outcome.reaches_derivative, "a derivative is left to take"
    wrong = check("sigma'(x) = -(1+exp(-x))^(-2) * exp(-x)\n= -exp(-x)/(1+exp(-x))^2\n")
    assert [l.status for l in wrong.lines] == ["wrong", "wrong"]
    assert number(score(wrong, DEFAULT_RUBRIC).points) == 0  # the carried-forward step, less the wrong line
    assert diagnoses_in_words(wrong).startswith("line 1: The derivative of e^(-x) is -e^(-x)")
    numbers_after = check("sigma'(x) = sigma(x)*(1-sigma(x))\nsigma(1) ≈ 0.7311\n")
    assert numbers_after.outcome.result_line == 1, "a numeric check after the result is not the result"


def test_the_same_work_scores_the_same_however_the_exercise_is_named() -> None:
    """A derivation that defines its own function has no recognised form (its points go to the
    final result), and restating a named exercise's definition is no step: x^2 ln x, derived in two
    correct steps, scores 8 whether the exercise is named or defined by the student."""
    work = "f(x) = x^2*ln(x)\nf'(x) = 2*x*ln(x) + x^2*(1/x)\n= 2*x*ln(x) + x\n"
    own = check(work)
    named = check(work, exercise="f(x) = x^2*ln(x)")
    assert named.lines[0].relation == "restates the exercise"
    assert number(score(own, DEFAULT_RUBRIC).points) == number(score(named, DEFAULT_RUBRIC, recognised_form=False).points) == 8
    assert [c.name for c in score(own, DEFAULT_RUBRIC).components] == ["steps", "final result"]
    restated = score(named, DEFAULT_RUBRIC, recognised_form=False).lines[0]
    assert (restated.points, restated.reason) == (0, "the exercise's function as given: no points")
