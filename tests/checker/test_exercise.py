"""The exercise a derivation is about (issue 10): a self-contained exercise, and --exercise.

A derivation that defines its own function first (``f(x) = x^2 e^{3x}``), with no exercise named,
is about that function: no note that it is not σ. A grader who fixes the exercise types it
(``--exercise "f(x) = …"``): every line may use it, and a miscopied definition is wrong.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from derive.checker import check
from derive.errors import InputError

OWN = "f(x) = x^2 e^{3x}\nf'(x) = 2x e^{3x} + 3x^2 e^{3x}"


def test_a_self_contained_exercise_is_the_exercise() -> None:
    report = check(OWN)
    assert report.valid
    assert [line.diagnosis_key for line in report.lines] == [None, None]
    assert report.outcome.reaches_derivative  # judged against f, the derivation's own function


def test_a_named_exercise_is_what_definitions_are_compared_with() -> None:
    report = check(OWN, function="sigmoid")
    assert report.lines[0].diagnosis_key == "not_the_exercise_function"


def test_a_miscopied_sigma_is_still_wrong_when_no_exercise_is_named() -> None:
    # σ is the exercise's own function: a wrong σ(x) = … is a wrong claim, not a new exercise
    report = check("\\sigma(x) = \\frac{1}{1-e^{-x}}\n\\sigma'(x) = \\frac{-e^{-x}}{(1-e^{-x})^2}")
    assert report.first_error == 1 and report.lines[0].status == "wrong"


def test_a_typed_exercise_is_used_by_every_line() -> None:
    report = check("f'(x) = 2x e^{3x} + 3x^2 e^{3x}", exercise="f(x) = x^2 e^{3x}")
    assert report.valid and report.function == "f(x) = x^2 e^{3x}"
    assert report.outcome.reaches_derivative


def test_a_miscopied_typed_exercise_is_the_first_wrong_line() -> None:
    report = check(OWN, exercise="f(x) = x^2 e^{2x}")
    assert not report.valid and report.first_error == 1
    assert report.lines[1].relation == "consistent with wrong line 1 (error carried forward)"


@pytest.mark.parametrize(("exercise", "message"), [
    ("f(x) = ", "the exercise 'f(x) = ' cannot be read: empty line: there is no expression to read"),
    ("x^2", "the exercise must define a function of x, as in f(x) = x^2 e^(3x); not 'x^2'"),
    ("u = 1 + x", "the exercise must define a function of x, as in f(x) = x^2 e^(3x); not 'u = 1 + x'"),
])
def test_an_unusable_typed_exercise_is_one_error(exercise: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        check("f'(x) = 1", exercise=exercise)
    assert str(caught.value) == message


def derive(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", *arguments], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)


def test_check_and_grade_take_the_exercise_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ann.tex").write_text("f'(x) = 2x e^{3x} + 3x^2 e^{3x}\n", encoding="utf-8")
    done = derive("check", "class/ann.tex", "--exercise", "f(x) = x^2 e^{3x}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = derive("grade", "class", "--exercise", "f(x) = x^2 e^{3x}", "--out", "grades.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "class/ann.tex,True," in (tmp_path / "grades.csv").read_text(encoding="utf-8")
    for command in ("check", "grade"):
        both = derive(command, "class/ann.tex" if command == "check" else "class", "--exercise", "f(x) = x",
                      "--function", "sigmoid", cwd=tmp_path)
        assert (both.returncode, both.stderr) == (2, "derive: error: give --function or --exercise, not both\n")
    bad = derive("grade", "class", "--exercise", "f(x) = ", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and not (tmp_path / "grades.csv.tmp").exists()


@pytest.mark.parametrize("call", ["check", "grade", "check_grade_options"])
def test_python_callers_are_refused_both_exercises_in_their_own_names(call: str, tmp_path: Path) -> None:
    """One check (derive.checker.check_one_exercise) for every way in: the command line's words
    name its options (above); a Python caller's name the arguments it passed."""
    from derive.checker.grade import check_grade_options, grade
    from derive.errors import UsageError

    (tmp_path / "ann.tex").write_text("f'(x) = 2x\n", encoding="utf-8")
    calls = {
        "check": lambda: check("f'(x) = 2x", function="sigmoid", exercise="f(x) = x^2"),
        "grade": lambda: grade([tmp_path / "ann.tex"], function="sigmoid", exercise="f(x) = x^2"),
        "check_grade_options": lambda: check_grade_options(function="sigmoid", exercise="f(x) = x^2"),
    }
    with pytest.raises(UsageError) as refused:
        calls[call]()
    assert str(refused.value) == "give function or exercise, not both"
    assert refused.value.exit_code == 2
