"""LaTeX output, compiled for real: the handout, a worksheet, an answer key and paper snippets.

Every distinct kind of document is compiled exactly once (module-scoped fixtures) with
latexmk/pdflatex (no shell escape, ``openin_any=p``), must have no errors and no undefined
references, and is rasterised into ``test-artifacts/latex/`` for a human to look at.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import derive
from derive.printing import LatexStyle
from derive.renderer import render, render_worksheet
from derive.renderer.view import derivation_view
from derive.worksheets import EXERCISE_KINDS, WorksheetBuilder
from tooling import artifact_dir, cli_stdout, compile_latex, pdf_to_png

pytestmark = pytest.mark.tools

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STYLE = LatexStyle(exponential="exp", sigma_symbol=r"\varphi")
TEMPLATE_LEFTOVERS = ("<<", ">>", "<%", "%>", "<#", "#>")  # the LaTeX environment's delimiters

#: Commands a paste-ready snippet may use: the LaTeX kernel's math commands and amsmath's.
SNIPPET_COMMANDS = frozenset(
    "begin end frac dfrac tfrac left right cdot times text nonumber notag label tag "
    "sigma varphi phi exp ln log tanh sinh cosh sin cos tan sqrt quad qquad "
    "displaybreak "  # amsmath: a display taller than a page may break between its steps
    "bigl bigr biggl biggr Biggl Biggr".split()  # the kernel's sized delimiters: long lines are cut inside them
)
#: Commands of derive's own preamble or of packages other than amsmath (amssymb, xcolor).
NOT_IN_AMSMATH = ("checkmark", "proved", "numericonly", "rulename", "textcolor", "color", "square", "mathbb")




def _compile(tmp_root: Path, name: str, source: str) -> tuple[str, Path, list[Path]]:
    pdf = compile_latex(source, tmp_root / name, name=name)
    images = pdf_to_png(pdf, artifact_dir("latex") / name)
    return source, pdf, images


# --- sources ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sigmoid() -> derive.Derivation:
    return derive.derive("sigmoid", properties=True)


@pytest.fixture(scope="module")
def others() -> list[derive.Derivation]:
    return [derive.derive("sigmoid", route="quotient"), derive.derive("sigmoid", route="log")]


@pytest.fixture(scope="module")
def sheet():
    """A worksheet whose exercises cover every exercise kind, so the key shows all of them."""
    sheets = WorksheetBuilder("sigmoid", seed=7).worksheets(6)
    by_kind = {}
    for candidate in sheets:
        for exercise in candidate.exercises:
            by_kind.setdefault(exercise.kind, exercise)
    assert set(by_kind) == set(EXERCISE_KINDS)
    return dataclasses.replace(sheets[0], exercises=tuple(by_kind[kind] for kind in sorted(by_kind)))


@pytest.fixture(scope="module")
def handout_tex(sigmoid, others) -> str:
    return render(sigmoid, "latex", "handout", others=others)


@pytest.fixture(scope="module")
def styled_handout_tex(sigmoid, others) -> str:
    return render(sigmoid, "latex", "handout", others=others, style=STYLE)


@pytest.fixture(scope="module")
def snippets() -> dict[str, str]:
    """The snippets exactly as the command line prints them."""
    return {
        "plain": cli_stdout("sigmoid", "--format", "latex", "--snippet"),
        "labelled": cli_stdout("sigmoid", "--format", "latex", "--snippet", "--label", "eq:sigmoid-derivative"),
        "styled": cli_stdout("sigmoid", "--format", "latex", "--snippet", "--exp-style", "exp", "--symbol", r"\varphi",
                              "--label", "eq:styled"),
        "quotient": cli_stdout("sigmoid", "--route", "quotient", "--format", "latex", "--snippet"),
        "log": cli_stdout("sigmoid", "--route", "log", "--format", "latex", "--snippet"),
        "tanh": cli_stdout("tanh", "--format", "latex", "--snippet", "--label", "eq:tanh"),
    }


def snippet_document(snippets: dict[str, str]) -> str:
    """A paper that loads nothing but amsmath, pastes every snippet and refers to the labels."""
    body = "\n\n".join(f"Snippet {name}:\n{text}" for name, text in snippets.items())
    return (
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
        f"{body}\n"
        "As \\eqref{eq:sigmoid-derivative}, \\eqref{eq:styled} and \\eqref{eq:tanh} show, "
        "the derivatives are known.\n\\end{document}\n"
    )


# --- compiled documents (one compile each) ---------------------------------------------------


@pytest.fixture(scope="module")
def compiled(tmp_path_factory, handout_tex, styled_handout_tex, sheet, snippets):
    """Compile lazily, once per kind of document, and remember the result (or the failure)."""
    root = tmp_path_factory.mktemp("latex")
    sources = {
        "handout": lambda: handout_tex,
        "handout-exp-varphi": lambda: styled_handout_tex,
        "worksheet": lambda: render_worksheet(sheet, "latex", answers=False),
        "answer-key": lambda: render_worksheet(sheet, "latex", answers=True),
        "snippets": lambda: snippet_document(snippets),
    }
    done: dict[str, tuple[str, Path, list[Path]] | AssertionError] = {}

    def get(kind: str) -> tuple[str, Path, list[Path]]:
        if kind not in done:
            try:
                done[kind] = _compile(root, kind, sources[kind]())
            except AssertionError as error:  # compile once; report the same failure each time
                done[kind] = error
        result = done[kind]
        if isinstance(result, AssertionError):
            raise result
        return result

    return get


DOCUMENT_KINDS = ["handout", "handout-exp-varphi", "worksheet", "answer-key", "snippets"]


@pytest.mark.parametrize("kind", DOCUMENT_KINDS)
def test_document_compiles_and_rasterises(compiled, kind: str) -> None:
    source, pdf, images = compiled(kind)
    assert pdf.stat().st_size > 1000
    assert images, "no pages rendered"
    for image in images:
        assert image.parent == artifact_dir("latex")
        assert image.read_bytes()[:8] == PNG_SIGNATURE
    log = pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log
    assert not re.search(r"^! ", log, re.MULTILINE)


@pytest.mark.parametrize("kind", ["handout", "handout-exp-varphi", "worksheet", "answer-key"])
def test_documents_have_no_template_leftovers(compiled, kind: str) -> None:
    source, _, _ = compiled(kind)
    for leftover in TEMPLATE_LEFTOVERS:
        assert leftover not in source, f"template syntax {leftover!r} reached the {kind}"


def test_handout_multi_page_and_content(compiled, sigmoid) -> None:
    source, _, images = compiled("handout")
    assert len(images) >= 2
    view = derivation_view(sigmoid)
    for step in view["steps"]:
        assert step["after"].latex in source
        assert step["rule_name"] in source
    assert view["identity"].latex in source
    for route in ("quotient", "log"):
        assert f"The {route} route" in source
    assert r"\usepackage{pgfplots}" in source


def test_styled_handout_uses_the_chosen_notation(compiled) -> None:
    source, _, _ = compiled("handout-exp-varphi")
    assert r"\varphi(x)" in source
    assert r"\exp\left(" in source
    assert r"\sigma" not in source
    assert "e^{" not in source


def test_worksheet_and_key_differ_where_they_should(compiled, sheet) -> None:
    worksheet, _, _ = compiled("worksheet")
    key, _, _ = compiled("answer-key")
    assert "Name:" in worksheet and "Answer key" not in worksheet
    assert "Answer key" in key
    assert worksheet.count(r"\framebox") == len(sheet.blanks) + len(sheet.exercises)
    assert key.count(r"\framebox") == 0
    assert key.count(r"\begin{align*}") == len(sheet.exercises)


# --- snippets --------------------------------------------------------------------------------


def test_snippets_compile_with_only_amsmath(compiled) -> None:
    source, pdf, _ = compiled("snippets")
    assert source.count(r"\usepackage") == 1
    aux = pdf.with_suffix(".aux").read_text(encoding="utf-8", errors="replace")
    for label in ("eq:sigmoid-derivative", "eq:styled", "eq:tanh"):
        assert f"\\newlabel{{{label}}}" in aux, f"\\label{{{label}}} did not reach the .aux"


@pytest.mark.parametrize("name", ["plain", "labelled", "styled", "quotient", "log", "tanh"])
def test_snippet_is_amsmath_only(snippets, name: str) -> None:
    snippet = snippets[name]
    assert r"\usepackage" not in snippet
    assert r"\documentclass" not in snippet
    assert r"\begin{document}" not in snippet
    commands = set(re.findall(r"\\([A-Za-z]+)", snippet))
    for command in NOT_IN_AMSMATH:
        assert command not in commands, f"\\{command} needs more than amsmath"
    assert commands <= SNIPPET_COMMANDS, f"unexpected commands {sorted(commands - SNIPPET_COMMANDS)}"
    for leftover in TEMPLATE_LEFTOVERS:
        assert leftover not in snippet


def test_plain_snippet_is_one_align_star_with_rule_names(snippets) -> None:
    snippet = snippets["plain"]
    derivation = derive.derive("sigmoid")
    assert snippet.count(r"\begin{align*}") == 1 and snippet.count(r"\end{align*}") == 1
    assert r"\label" not in snippet and r"\nonumber" not in snippet
    lines = [line for line in snippet.splitlines() if "&=" in line]
    assert len(lines) == len(derivation.steps)
    view = derivation_view(derivation)
    rows = snippet.split(r"\begin{align*}")[1].split(r"\end{align*}")[0].strip().split(" \\\\\n")
    for line, step in zip(lines, view["steps"]):
        assert line.rstrip(" \\").endswith(rf"\text{{{step['rule_name']}}}")
        # a long step continues on rows of its own (&\qquad ...), cut before an operator
        first = rows.index(line.rstrip(" \\").rstrip())
        continued = [row.removeprefix(r"&\qquad ") for row in rows[first + 1:] if row.startswith(r"&\qquad")]
        written = line.split("&= ", 1)[1].split(" && ")[0]
        squeeze = lambda text: re.sub(r"\s+|\\(left|right|[bB]igg?[lr])", "", text)  # noqa: E731
        if not continued:
            assert step["after"].latex in line
        assert squeeze(step["after"].latex).startswith(squeeze(written))
    assert lines[0].startswith(view["start"].latex)


def test_labelled_snippet_numbers_only_the_last_line(snippets) -> None:
    snippet = snippets["labelled"]
    assert snippet.count(r"\begin{align}") == 1 and r"align*" not in snippet
    lines = [line for line in snippet.splitlines() if "&=" in line]
    assert all(r"\nonumber" in line for line in lines[:-1])
    assert r"\nonumber" not in lines[-1]
    assert lines[-1].rstrip(" \\").endswith(r"\label{eq:sigmoid-derivative}")
    assert snippet.count(r"\label{") == 1


def test_styled_snippet(snippets) -> None:
    snippet = snippets["styled"]
    assert r"\varphi(x)" in snippet and r"\exp\left(- x\right)" in snippet
    assert r"\sigma" not in snippet and "e^{" not in snippet
    assert r"\label{eq:styled}" in snippet
