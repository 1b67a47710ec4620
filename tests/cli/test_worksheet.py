"""Worksheets: distinct per student, reproducible per seed, every exercise proved, blanks really blank."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import sympy

from derive.cli import main
from derive.output import write_worksheets
from derive.errors import DeriveError
from derive.renderer import render, render_worksheet
from derive.renderer.contexts import worksheet_context
from derive.renderer.view import derivation_view
from derive.verify import prove_equal
from derive.worksheets import EXERCISE_KINDS, MAX_STUDENTS, WorksheetBuilder

SEED = 11
STUDENTS = 8
FORMATS = ("latex", "markdown", "html")


def rendered(sheets) -> list[str]:
    """Everything a worksheet is, as text: worksheet and key in every format, and each solution."""
    texts = []
    for sheet in sheets:
        for output_format in FORMATS:
            texts.append(render_worksheet(sheet, output_format, answers=False))
            texts.append(render_worksheet(sheet, output_format, answers=True))
        texts.extend(render(exercise.derivation, "text") for exercise in sheet.exercises)
    return texts


@pytest.fixture(scope="module")
def builder() -> WorksheetBuilder:
    return WorksheetBuilder("sigmoid", seed=SEED)


@pytest.fixture(scope="module")
def sheets(builder):
    return builder.worksheets(STUDENTS)


@pytest.fixture(scope="module")
def texts(sheets) -> list[str]:
    return rendered(sheets)


def _signature(sheet) -> tuple:
    return tuple(sheet.blanks), tuple(exercise.function for exercise in sheet.exercises)


# --- distinct and reproducible ---------------------------------------------------------------


def test_n_distinct_worksheets(sheets) -> None:
    assert len(sheets) == STUDENTS
    assert [sheet.student for sheet in sheets] == list(range(1, STUDENTS + 1))
    assert len({_signature(sheet) for sheet in sheets}) == STUDENTS
    worksheets_as_latex = [render_worksheet(sheet, "latex", answers=False) for sheet in sheets]
    assert len(set(worksheets_as_latex)) == STUDENTS


def test_stems_are_numbered_per_student(sheets) -> None:
    assert [sheet.stem for sheet in sheets] == [f"sigmoid-worksheet-{n:02d}" for n in range(1, STUDENTS + 1)]


def test_same_seed_same_content(texts) -> None:
    again = WorksheetBuilder("sigmoid", seed=SEED).worksheets(STUDENTS)
    assert rendered(again) == texts


def test_different_seed_different_content(sheets, texts) -> None:
    other = WorksheetBuilder("sigmoid", seed=SEED + 1).worksheets(STUDENTS)
    assert rendered(other) != texts
    assert [_signature(s) for s in other] != [_signature(s) for s in sheets]


def test_one_worksheet_without_students() -> None:
    (sheet,) = WorksheetBuilder("sigmoid", seed=SEED).worksheets(None)
    assert sheet.student is None
    assert sheet.stem == "sigmoid-worksheet"
    assert "Student" not in render_worksheet(sheet, "markdown", answers=False)


# --- exercises -------------------------------------------------------------------------------


def test_every_exercise_is_proved_and_right(builder, sheets) -> None:
    x = builder.variable
    exercises = {exercise.function: exercise for sheet in sheets for exercise in sheet.exercises}
    assert {exercise.kind for exercise in exercises.values()} == set(EXERCISE_KINDS)
    for function, exercise in exercises.items():
        solution = exercise.derivation
        assert solution.proved, function
        assert solution.complete, function
        assert solution.function == function
        assert prove_equal(sympy.diff(function, x), solution.result, x).status == "proved", function
        solution.require_proved()


def test_exercises_per_worksheet_are_of_distinct_kinds(sheets) -> None:
    for sheet in sheets:
        kinds = [exercise.kind for exercise in sheet.exercises]
        assert len(kinds) == 4 and len(set(kinds)) == 4


# --- blanks ----------------------------------------------------------------------------------


def test_blanks_are_step_numbers_of_the_main_derivation(builder, sheets) -> None:
    steps = builder.derivation.steps
    view = derivation_view(builder.derivation)
    for sheet in sheets:
        assert 1 <= len(sheet.blanks) <= 3
        assert list(sheet.blanks) == sorted(sheet.blanks, key=int)
        for number, name in sheet.blanks.items():
            assert number.isdigit() and 1 <= int(number) <= len(steps)
            assert name == view["steps"][int(number) - 1]["rule_name"]
            assert steps[int(number) - 1].rule != "definition"


def test_blanked_answers_are_in_the_key_only(builder, sheets) -> None:
    view = derivation_view(builder.derivation)
    for sheet in sheets:
        for output_format in FORMATS:
            worksheet = render_worksheet(sheet, output_format, answers=False)
            key = render_worksheet(sheet, output_format, answers=True)
            for number in sheet.blanks:
                after = view["steps"][int(number) - 1]["after"]
                answer = after.mathml if output_format == "html" else after.latex
                assert answer not in worksheet, f"step {number} is given away ({output_format}, student {sheet.student})"
                assert answer in key, f"step {number} missing from the key ({output_format})"
            shown = [s for s in view["steps"] if s["number"] not in sheet.blanks]
            for step in shown:
                answer = step["after"].mathml if output_format == "html" else step["after"].latex
                assert answer in worksheet


def test_exercise_answers_are_in_the_key_only(sheets) -> None:
    for sheet in sheets[:3]:
        answers = [e["answer"] for e in worksheet_context(sheet, answers=True)["exercises"]]
        for output_format in FORMATS:
            worksheet = render_worksheet(sheet, output_format, answers=False)
            key = render_worksheet(sheet, output_format, answers=True)
            for answer in answers:
                text = answer.mathml if output_format == "html" else answer.latex
                assert text not in worksheet
                assert text in key


def test_every_catalogue_worksheet_has_something_to_fill_in() -> None:
    (sheet,) = WorksheetBuilder("tanh", seed=SEED).worksheets(None)
    assert sheet.blanks


# --- files -----------------------------------------------------------------------------------


def test_write_worksheets_names_and_reproducible_bytes(tmp_path: Path) -> None:
    first = write_worksheets("sigmoid", tmp_path / "a", FORMATS, students=3, seed=SEED)
    second = write_worksheets("sigmoid", tmp_path / "b", FORMATS, students=3, seed=SEED)
    expected = sorted(
        f"sigmoid-worksheet-{student:02d}{suffix}.{extension}"
        for student in (1, 2, 3)
        for extension in ("tex", "md", "html")
        for suffix in ("", "-key")
    )
    assert len(first) == 3 * 3 * 2
    assert sorted(path.name for path in first) == expected
    assert sorted(path.name for path in (tmp_path / "a").iterdir()) == expected
    for one, two in zip(first, second):
        assert one.name == two.name
        assert one.read_bytes() == two.read_bytes()


def test_write_worksheets_without_students(tmp_path: Path) -> None:
    written = write_worksheets("sigmoid", tmp_path, ["markdown"], students=None, seed=0)
    assert [path.name for path in written] == ["sigmoid-worksheet.md", "sigmoid-worksheet-key.md"]


@pytest.mark.parametrize("students", [0, -1, MAX_STUDENTS + 1])
def test_bad_student_counts_are_a_clean_error(tmp_path: Path, students: int) -> None:
    with pytest.raises(DeriveError, match="between 1 and 500"):
        WorksheetBuilder("sigmoid", seed=SEED).worksheets(students)
    with pytest.raises(DeriveError):
        write_worksheets("sigmoid", tmp_path / "out", FORMATS, students=students, seed=SEED)
    assert not (tmp_path / "out").exists(), "nothing should be written for a refused request"


@pytest.mark.parametrize("students", ["0", "501"])
def test_bad_student_counts_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], students: str) -> None:
    code = main(["worksheet", "sigmoid", "--students", students, "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("derive: error: ") and "500" in lines[0]
    assert "Traceback" not in captured.err


def test_worksheet_cli_prints_what_it_wrote(tmp_path: Path) -> None:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["worksheet", "sigmoid", "--seed", "5", "--out", str(tmp_path), "--format", "latex"]) == 0
    printed = [Path(line) for line in buffer.getvalue().splitlines()]
    assert [path.name for path in printed] == ["sigmoid-worksheet.tex", "sigmoid-worksheet-key.tex"]
    assert all(path.is_file() for path in printed)
