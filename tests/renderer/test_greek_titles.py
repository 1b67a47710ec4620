"""Issue 13: a catalogue entry with a Greek parameter is titled with the letter, typeset, in every
format: $\\beta$ in LaTeX, MathML and a Unicode β in HTML (its <title> holds no markup), $\\beta$ in
Markdown, and the word "beta" only where plain text is all there is (the terminal, JSON)."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from derive.cli import main
from derive.differentiate.catalogue import ENTRIES
from tooling import compile_latex, pandoc_math

#: Entries whose title names a Greek parameter: (name, the letter's word, LaTeX, Unicode, MathML entity).
GREEK_TITLES = [
    ("swish_beta", "beta", r"\beta", "β", "&#x003B2;"),
    ("softplus_beta", "beta", r"\beta", "β", "&#x003B2;"),
    ("elu_alpha", "alpha", r"\alpha", "α", "&#x003B1;"),
]
#: Entries with a Greek parameter whose title does not name it (LeakyReLU(x, α), L2 with λ).
PARAMETER_TITLES = ["leaky_relu", "l2"]
GREEK_WORDS = re.compile(r"\b(alpha|beta|lambda|gamma|sigma)\b")


def _run(*arguments: str) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(list(arguments)) == 0
    return buffer.getvalue()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("greek")
    for name in [entry[0] for entry in GREEK_TITLES] + PARAMETER_TITLES:
        _run(name, "--format", "all", "--out", str(folder))
        _run("worksheet", name, "--out", str(folder / "worksheets"))
    return folder


def test_the_table_covers_every_catalogue_title_that_names_a_parameter() -> None:
    named = {entry.name for entry in ENTRIES if GREEK_WORDS.search(str(entry.title))}
    assert named == {name for name, *_ in GREEK_TITLES}


def _heading_line(latex: str) -> str:
    return next(line for line in latex.splitlines() if line.startswith(r"{\LARGE\bfseries"))


#: How each format's documents start: the LaTeX title line, the Markdown "# " line.
HEADINGS = {"tex": _heading_line, "md": lambda text: text.splitlines()[0]}


@pytest.mark.parametrize("extension", sorted(HEADINGS))
@pytest.mark.parametrize(("name", "word", "latex", "letter", "entity"), GREEK_TITLES)
def test_latex_and_markdown_headings_typeset_the_letter(written: Path, extension: str, name: str, word: str,
                                                        latex: str, letter: str, entity: str) -> None:
    documents = [written / f"{name}.{extension}", *sorted((written / "worksheets").glob(f"{name}-*.{extension}"))]
    assert len(documents) == 3  # the handout, the worksheet and its key
    for document in documents:
        heading = HEADINGS[extension](document.read_text(encoding="utf-8"))
        assert f"${latex}$" in heading, heading
        assert not GREEK_WORDS.search(re.sub(r"\$[^$]*\$", " ", heading)), heading


@pytest.mark.parametrize(("name", "word", "latex", "letter", "entity"), GREEK_TITLES)
def test_html_titles_and_headings_show_the_letter(written: Path, name: str, word: str, latex: str, letter: str,
                                                  entity: str) -> None:
    pages = [written / f"{name}.html", *sorted((written / "worksheets").glob(f"{name}-*.html"))]
    assert len(pages) == 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert letter in title and word not in title, title
        h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
        assert entity in h1, h1
        assert word not in re.sub(r"<math.*?</math>", " ", h1, flags=re.S), h1


@pytest.mark.tools
@pytest.mark.parametrize(("name", "word", "latex", "letter", "entity"), GREEK_TITLES)
def test_pandoc_reads_the_letter_as_mathematics(written: Path, name: str, word: str, latex: str, letter: str,
                                                entity: str) -> None:
    parsed = pandoc_math((written / f"{name}.md").read_text(encoding="utf-8").splitlines()[0])
    assert [node.tex for node in parsed.math][-1] == latex


@pytest.mark.parametrize(("name", "word", "latex", "letter", "entity"), GREEK_TITLES)
def test_plain_text_and_json_say_the_word(name: str, word: str, latex: str, letter: str, entity: str) -> None:
    entry = next(entry for entry in ENTRIES if entry.name == name)
    assert str(entry.title).endswith(f"with a parameter {word}")
    listing = _run("list")
    assert f"{entry.summary}" in listing
    data = json.loads(_run(name, "--format", "json"))
    assert json.dumps(data, ensure_ascii=False).count(letter) == 0  # JSON: plain text, the word


@pytest.mark.parametrize("name", PARAMETER_TITLES)
def test_titles_without_the_parameter_stay_as_they_are(written: Path, name: str) -> None:
    latex = (written / f"{name}.tex").read_text(encoding="utf-8")
    assert not GREEK_WORDS.search(re.sub(r"\$[^$]*\$", " ", _heading_line(latex)))


@pytest.mark.tools
@pytest.mark.parametrize("name", [entry[0] for entry in GREEK_TITLES])
def test_greek_handouts_and_worksheets_compile_without_overfull_lines(written: Path, name: str,
                                                                     tmp_path: Path) -> None:
    for document in [written / f"{name}.tex", *sorted((written / "worksheets").glob(f"{name}-*.tex"))]:
        if document.name.endswith(".tex"):
            compile_latex(document.read_text(encoding="utf-8"), tmp_path / document.stem, name=document.stem)
