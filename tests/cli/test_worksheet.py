"""Worksheets: distinct per student, reproducible per seed, every exercise proved, blanks really blank."""

from __future__ import annotations

import re

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
from derive.worksheets import EXERCISE_KINDS, MAX_STUDENTS, WorksheetBuilder, hint

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
            assert name == hint(steps[int(number) - 1].rule)
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
                if output_format == "markdown":
                    # a Markdown sentence writes a long formula in pieces a phone's line can wrap
                    # between ("$a$ ${}+ b$"), its outer brackets then plain: compare the formula
                    assert _squeezed(answer.latex) not in _squeezed(worksheet)
                    assert _squeezed(answer.latex) in _squeezed(key)
                    continue
                text = answer.mathml if output_format == "html" else answer.latex
                assert text not in worksheet
                assert text in key


def _squeezed(markdown: str) -> str:
    return re.sub(r"\s+|\$ \$\{\}|\\(left|right|bigl|bigr|biggl|biggr|Biggl|Biggr)\b", "", markdown)


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


# --- issue 13: hints, boxes, a concise key, a class set ----------------------------------------

HINTS = [
    ("chain", "Use the chain rule."),
    ("power", "Use the power rule."),
    ("rewrite_as_power", "Rewrite as a power."),
    ("split_fraction", "Split the fraction."),
    ("exponential_base", "Use the exponential rule, base a."),
    ("asin", "Use the derivative of arcsin."),
    ("log_differentiation", "Use logarithmic differentiation."),
    ("inverse_function", "Use the inverse-function rule."),
    ("identity", "Use an identity."),
]


@pytest.mark.parametrize(("rule", "expected"), HINTS)
def test_hints_are_sentences(rule: str, expected: str) -> None:
    assert hint(rule) == expected


def test_every_hint_reads_as_a_sentence() -> None:
    from derive.model import RULE_NAMES

    for rule in RULE_NAMES:
        sentence = hint(rule)
        assert sentence[0].isupper() and sentence.endswith(".") and ".." not in sentence, sentence
        assert not any(f"the {word}" in sentence for word in ("Rewrite", "Write", "Split", "Use", "Multiply")), sentence


def test_no_proved_mark_on_a_worksheet(sheets) -> None:
    marks = {"latex": "\\proved", "markdown": "✓", "html": "✓"}
    for sheet in sheets:
        for output_format in FORMATS:
            worksheet = render_worksheet(sheet, output_format, answers=False).split("begin{document}")[-1]
            assert marks[output_format] not in worksheet, output_format
            assert marks[output_format] in render_worksheet(sheet, output_format, answers=True)


def test_no_two_consecutive_blanks_have_the_same_answer() -> None:
    for name in ("sigmoid", "tanh", "softplus", "silu", "gelu", "softsign"):
        builder = WorksheetBuilder(name, seed=3)
        steps = builder.derivation.steps
        for sheet in builder.worksheets(12):
            numbers = [int(number) for number in sheet.blanks]
            for number in numbers:
                assert steps[number - 1].after != steps[number - 1].before, (name, number)
            for a, b in zip(numbers, numbers[1:]):
                assert not (b == a + 1 and steps[a - 1].after == steps[b - 1].after), (name, a, b)


def test_answer_boxes_are_sized_to_the_answer(sheets) -> None:
    from derive.renderer.contexts import answer_box

    x = sympy.Symbol("x", real=True)
    short, long = answer_box(x), answer_box(sympy.exp(-x) / (1 + sympy.exp(-x)) ** 2 * sympy.sin(x) * sympy.cos(x) ** 3)
    assert short["width"] < long["width"] <= 0.85 and short["width"] >= 0.3
    assert answer_box(1 / (1 + x))["height"] > short["height"]  # a fraction needs a taller box
    assert answer_box(x, working=3)["height"] > short["height"]
    for sheet in sheets:
        context = worksheet_context(sheet, answers=False)
        latex = render_worksheet(sheet, "latex", answers=False)
        for number, box in context["boxes"].items():
            assert f"\\framebox[{box['width']}\\linewidth]{{\\rule{{0pt}}{{{box['height']}em}}" in latex


def test_each_exercise_keeps_its_box_on_its_page(sheets) -> None:
    latex = render_worksheet(sheets[0], "latex", answers=False)
    part_b = latex.split("Part B")[1]
    assert part_b.count("\\begin{minipage}") == len(sheets[0].exercises)
    assert part_b.count("\\framebox[\\linewidth]") == len(sheets[0].exercises)


def test_the_key_is_concise(sheets) -> None:
    from derive.renderer.contexts import ROUTINE_RULES

    for sheet in sheets:
        key = render_worksheet(sheet, "latex", answers=True)
        assert "\\begin{substeps}" not in key, "a key shows no sub-derivations"
        context = worksheet_context(sheet, answers=True)
        for exercise in context["exercises"]:
            shown = exercise["key_steps"]
            assert shown[-1] is exercise["solution"]["steps"][-1]
            assert not any(step["rule"] in ROUTINE_RULES for step in shown[:-1])


@pytest.mark.tools
def test_pdf_writes_a_class_set(tmp_path: Path) -> None:
    from tooling import require_tool

    require_tool("latexmk")
    pdfinfo = require_tool("pdfinfo")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["worksheet", "sigmoid", "--students", "2", "--format", "latex", "--pdf", "--out", str(tmp_path)]) == 0
    printed = out.getvalue().split()
    assert str(tmp_path / "sigmoid-worksheets.pdf") in printed and str(tmp_path / "sigmoid-keys.pdf") in printed

    def pages(path: Path) -> int:
        import subprocess

        info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True).stdout
        return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))

    for class_set, suffix in (("sigmoid-worksheets.pdf", ""), ("sigmoid-keys.pdf", "-key")):
        singles = [pages(tmp_path / f"sigmoid-worksheet-{student:02d}{suffix}.pdf") for student in (1, 2)]
        # each student starts on a right-hand page: an odd count is padded with one blank page
        assert pages(tmp_path / class_set) == sum(count + count % 2 for count in singles)
    assert pages(tmp_path / "sigmoid-worksheet-01-key.pdf") <= 2, "a concise key: two pages at most"
    assert not list(tmp_path.glob("sigmoid-worksheets.tex")), "the class set's LaTeX source is not left behind"


def test_the_help_states_the_class_size_limit() -> None:
    """--students has a bound (a class set of thousands of PDFs is a mistake): the help says which."""
    from derive.cli import main
    from derive.worksheets import MAX_STUDENTS

    import contextlib
    import io

    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), contextlib.suppress(SystemExit):
        main(["worksheet", "--help"])
    assert f"(at most {MAX_STUDENTS})" in " ".join(shown.getvalue().split())
