"""Escaping of text for each format, with hostile input, checked by the real consumers:
pdflatex for LaTeX, pandoc for Markdown; and the MathML converter's refusal of unsafe LaTeX.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from derive.renderer.escape import (
    latex_text, markdown_code, markdown_math_cell, markdown_prose, markdown_text, plain_text,
)
from derive.renderer.mathml import UnsafeMathError, latex_to_mathml
from tooling import compile_latex, pandoc_math, require_tool

#: Hostile strings: every TeX/Markdown special, HTML, Unicode, control characters, newlines.
HOSTILE = [
    "\\",
    "\\\\",
    "{}",
    "}{",
    "$",
    "$$x$$",
    "%",
    "&",
    "#",
    "^",
    "_",
    "~",
    "50% & #1 ^2 _3 ~4",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "a < b > c | d",
    "σ′(x) − 1 ≤ π·∞ ≈ ✓",
    "é ü ñ Ω ∑ 中文 😀",
    "a\x00b\x07c\x1b[31md\x7f",
    "line1\nline2\r\nline3\ttab",
    "\u202eevil\u200b",
    "\\end{document}",
    "\\input{/etc/passwd}",
    "\\def\\x{1}\\x",
    "^^5c^^5c",
    "\\verb|x|",
    "`code` *em* _em_ **b** [l](u) ![i](s)",
    "x--y---z",
    "…–—“”’‘²",
    "@smith04",
    "2^10^",
    "<svg onload=alert(1)>",
    "a \\| b | c",
    "[click](javascript:alert(1))",
    "<https://evil.example> www.evil.example",
    "&lt;b&gt; &amp; &#60;",
    "1. item",
    "- item",
    "> quote",
    "# heading",
    "term\n: definition",
    "x  \\",
]
IDS = [f"row{index:02d}" for index in range(len(HOSTILE))]

#: Every escape latex_text may produce (everything else in its output is inert ASCII).
_LATEX_ESCAPE = re.compile(
    r"\\textbackslash\{\}|\\[{}$&#_%]|\\text(?:asciicircum|asciitilde|less|greater|bar|quotedbl|superscript\{2)\{?\}"
    r"|\\dots\{\}|\$(?:-|\\(?:sigma|cdot|times|approx|checkmark|leq|geq|pi|infty|to))+\$"  # neighbours share one $...$
)


# --- latex_text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\", r"\textbackslash{}"),
        ("{", r"\{"),
        ("}", r"\}"),
        ("$", r"\$"),
        ("%", r"\%"),
        ("&", r"\&"),
        ("#", r"\#"),
        ("^", r"\textasciicircum{}"),
        ("_", r"\_"),
        ("~", r"\textasciitilde{}"),
        ("<", r"\textless{}"),
        (">", r"\textgreater{}"),
        ("|", r"\textbar{}"),
        ("σ", r"$\sigma$"),
        ("′", "'"),
        ("−", "$-$"),  # a true minus sign, not a hyphen
        ("Limit at −∞", r"Limit at $-\infty$"),  # one formula, not -$\infty$
        ("a\nb", "a b"),
        ("a\tb", "a b"),
        ("a\x00\x07\x1b\x7fb", "ab"),
        ("é", "e"),
        ("中", "?"),
        ("plain words, 1.5 (ok)!", "plain words, 1.5 (ok)!"),
        (42, "42"),
    ],
)
def test_latex_text_table(text: object, expected: str) -> None:
    assert latex_text(text) == expected


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_latex_text_output_is_inert(text: str) -> None:
    escaped = latex_text(text)
    assert escaped.isascii()
    assert all(char.isprintable() for char in escaped), "control character or newline in LaTeX text"
    rest = _LATEX_ESCAPE.sub("", escaped)
    for special in "\\{}$&#^_~%<>|\"":
        assert special not in rest, f"unescaped {special!r} in {escaped!r}"


def _latex_document(rows: list[str]) -> str:
    lines = [f"Row {index}: [{latex_text(text)}]\\par" for index, text in enumerate(rows)]
    maths = [f"\\[ \\text{{{latex_text(text)}}} \\]" for text in rows]
    return (
        # The preamble of derive's own documents (templates/latex/base.tex.j2), minus the layout.
        "\\documentclass[11pt]{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage{xcolor}\n"
        "\\begin{document}\n" + "\n".join(lines) + "\n" + "\n".join(maths) + "\n\\end{document}\n"
    )


@pytest.fixture(scope="module")
def escaped_pdf(tmp_path_factory) -> Path:
    """All hostile rows in one document, in a paragraph and inside \\text{} in math: one compile."""
    return compile_latex(_latex_document(HOSTILE), tmp_path_factory.mktemp("escape"), name="escape")


@pytest.mark.tools
def test_latex_escaped_rows_compile(escaped_pdf: Path) -> None:
    assert escaped_pdf.read_bytes()[:5] == b"%PDF-"


@pytest.mark.tools
def test_latex_escaped_rows_print_literally(escaped_pdf: Path) -> None:
    pdftotext = require_tool("pdftotext")
    text = subprocess.run([pdftotext, str(escaped_pdf), "-"], capture_output=True, text=True, check=True).stdout
    rows = dict(re.findall(r"^\f?Row (\d+): \[(.*)\]$", text, re.MULTILINE))  # \f: a new page
    assert len(rows) == len(HOSTILE), "a row swallowed another (an unescaped special?)"
    for literal in ("\\end{document}", "\\input{/etc/passwd}", "<script>alert(1)</script>", "\\def\\x{1}\\x", "\\\\", "{}",
                    "$", "%", "&", "#", "a < b > c | d", "\\verb|x|"):
        assert literal in rows.values(), f"{literal!r} was not printed literally"


@pytest.mark.tools
def test_latex_escaped_double_quote_compiles(tmp_path: Path) -> None:
    compile_latex(_latex_document(['He said "stop"']), tmp_path, name="quote")


# --- markdown_text ---------------------------------------------------------------------------


def _inline_text(nodes: list) -> tuple[str, set[str]]:
    """The text of pandoc inlines, and the kinds of node met on the way."""
    kinds: set[str] = set()
    text = []
    for node in nodes:
        kinds.add(node["t"])
        if node["t"] == "Str":
            text.append(node["c"])
        elif node["t"] in ("Space", "SoftBreak"):
            text.append(" ")
    return "".join(text), kinds


#: The Markdown dialects a report meets: GitHub's, CommonMark with tables, Pandoc's own.
DIALECTS = ("gfm", "commonmark+pipe_tables", "markdown+tex_math_dollars")


def _pandoc_blocks(markdown: str, dialect: str = "markdown+tex_math_dollars") -> list:
    pandoc = require_tool("pandoc")
    result = subprocess.run([pandoc, "-f", dialect, "-t", "json"], input=markdown,
                            capture_output=True, text=True, encoding="utf-8", timeout=60, check=True)
    return json.loads(result.stdout)["blocks"]


def _pandoc_text(value: str) -> str:
    """What pandoc reads as plain text: its smart punctuation turned back into ASCII."""
    value = re.sub(r"\s+", " ", value)
    return value.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")


SMART = {"x--y---z", "…–—“”’‘²"}  # pandoc's smart extension rewrites dashes; not markup
#: Rows with control or format characters other than whitespace (see test_markdown_text_drops_control_characters).
CONTROL = {t for t in HOSTILE if any(unicodedata.category(c)[0] == "C" and not c.isspace() for c in t)}
INLINE = {"Str", "Space", "SoftBreak"}


@pytest.mark.tools
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_markdown_text_is_literal_text_in_every_dialect(text: str, dialect: str) -> None:
    escaped = markdown_text(text)
    assert "\n" not in escaped and "\r" not in escaped
    (block,) = _pandoc_blocks(f"Text: {escaped} end\n", dialect)
    assert block["t"] == "Para"
    seen, kinds = _inline_text(block["c"])
    assert kinds <= INLINE, f"{text!r} became {sorted(kinds)} in {dialect}"
    if text not in SMART | CONTROL:
        assert _pandoc_text(seen) == _pandoc_text(f"Text: {plain_text(text)} end")


@pytest.mark.tools
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_markdown_text_at_the_start_of_a_line_is_a_paragraph(text: str, dialect: str) -> None:
    escaped = markdown_text(text)
    if not escaped.strip():
        return
    blocks = _pandoc_blocks(f"{escaped}\n", dialect)
    assert [block["t"] for block in blocks] == ["Para"], f"{text!r} started a {blocks[0]['t']} in {dialect}"
    assert _inline_text(blocks[0]["c"])[1] <= INLINE


@pytest.mark.tools
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_markdown_text_in_a_table_cell_stays_in_its_cell(text: str, dialect: str) -> None:
    table = f"| a | b |\n|---|---|\n| {markdown_text(text)} | second |\n"
    (block,) = _pandoc_blocks(table, dialect)
    assert block["t"] == "Table"
    body = block["c"][4][0][3]  # TableBody -> rows
    (row,) = body
    cells = row[1]
    assert len(cells) == 2, f"{text!r} broke the row in {dialect}"
    first = cells[0][4][0]["c"] if cells[0][4] else []
    assert _inline_text(first)[1] <= INLINE
    last = cells[1][4][0]["c"]
    assert _inline_text(last)[0] == "second"


@pytest.mark.tools
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_markdown_code_is_verbatim_in_every_dialect(text: str, dialect: str) -> None:
    (block,) = _pandoc_blocks(f"- wrote {markdown_code(text)} end\n", dialect)
    assert block["t"] == "BulletList"
    inlines = block["c"][0][0]["c"]
    codes = [node["c"][1] for node in inlines if node["t"] == "Code"]
    assert codes == [plain_text(text).strip() or " "] or codes == [plain_text(text) or " "], (text, codes)
    assert {node["t"] for node in inlines} <= INLINE | {"Code"}


@pytest.mark.parametrize("text", ["a\x00b", "a\x1b[31mb", "a\x07b", "a\x7fb", "\u202eevil"])
def test_markdown_text_drops_control_characters(text: str) -> None:
    escaped = markdown_text(text)
    assert all(unicodedata.category(char)[0] != "C" for char in escaped), repr(escaped)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*", r"\*"),
        ("_", r"\_"),
        ("`", r"\`"),
        ("$", r"\$"),
        ("|", r"\|"),
        ("\\|", r"\\\|"),
        ("<", r"\<"),
        ("\\", r"\\"),
        ("[x](y)", r"\[x\]\(y\)"),
        ("a.b:c", r"a\.b\:c"),
        ("a\n\n  b", "a b"),
        ("σ′ −", "σ′ −"),
    ],
)
def test_markdown_text_table(text: str, expected: str) -> None:
    assert markdown_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("[x](y)", r"\[x\](y)"), ("Chain rule: u = 1 + e.", "Chain rule: u = 1 + e."),
                                                ("<b>", r"\<b\>")])
def test_markdown_prose_table(text: str, expected: str) -> None:
    assert markdown_prose(text) == expected


# --- plain_text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("σ′(x) − 1", "σ′(x) − 1"),
        ("a\nb\r\nc\td", "a b c d"),
        ("a\x00b\x07c\x1b[31md\x7f", "abc[31md"),
        ("\u202eevil\u200b", "evil"),
        ("a\u00a0b\u2028c\u2029d\u3000e", "a b c d e"),  # every Unicode separator is a space
        ("plain ASCII, as most lines are", "plain ASCII, as most lines are"),
        ("<script>", "<script>"),
        ("$\\frac{1}{2}$", "$\\frac{1}{2}$"),
        (7, "7"),
    ],
)
def test_plain_text_table(text: object, expected: str) -> None:
    assert plain_text(text) == expected


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_plain_text_is_one_printable_line(text: str) -> None:
    shown = plain_text(text)
    assert "\n" not in shown and "\r" not in shown
    assert all(unicodedata.category(char)[0] != "C" for char in shown)


# --- markdown_math_cell ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"\frac{1}{2}", r"\frac{1}{2}"),
        (r"\sigma(x) \left(1 - \sigma(x)\right)", r"\sigma(x) \left(1 - \sigma(x)\right)"),
        ("", ""),
    ],
)
def test_markdown_math_cell_table(latex: str, expected: str) -> None:
    assert markdown_math_cell(latex) == expected


@pytest.mark.parametrize("latex", [r"a | b", r"\left|x\right|", r"|x| + |y|"])
def test_markdown_math_cell_removes_bars(latex: str) -> None:
    cell = markdown_math_cell(latex)
    assert "|" not in cell
    assert _bars(cell) == latex.replace(" ", "")


CELL_MATH = [
    r"\frac{1}{2}",
    r"\sigma(x) \left(1 - \sigma(x)\right)",
    r"a | b",
    r"\left|x\right| + 1",
    r"\{x\} \cdot 2",
]


def _bars(tex: str) -> str:
    """``tex`` with every spelling of a single bar written as ``|``, without spaces."""
    return re.sub(r"\\vert(?:\{\}|\s|(?![A-Za-z]))", "|", tex).replace(" ", "")


def _cell_math(latex: str):
    table = f"| n | math |\n|---|---|\n| 1 | ${markdown_math_cell(latex)}$ |\n"
    return pandoc_math(table)


@pytest.mark.tools
@pytest.mark.parametrize("latex", CELL_MATH)
def test_markdown_math_cell_is_math_in_a_table(latex: str) -> None:
    report = _cell_math(latex)
    assert report.raw == []
    assert len(report.math) == 1
    assert "|" not in report.math[0].tex
    assert _bars(report.math[0].tex) == latex.replace(" ", "")


@pytest.mark.tools
@pytest.mark.parametrize("latex", [r"\left|x\right|", r"|x|"])
def test_markdown_math_cell_ending_in_a_bar(latex: str) -> None:
    report = _cell_math(latex)
    assert report.raw == []
    assert len(report.math) == 1


def test_markdown_math_cell_keeps_a_norm() -> None:
    cell = markdown_math_cell(r"\|x\|")
    assert "|" not in cell
    assert "\\\\" not in cell


# --- latex_to_mathml -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "latex",
    [
        r"\text{<img src=x onerror=alert(1)>}",
        r"\mathrm{x}",
        r"\mathrm x",
        r"\textbf{<b>}",
        r"\mbox{<i>}",
        r"\hbox{x}",
        r"\href{javascript:alert(1)}{x}",
        r"\url{http://example.com}",
        r"x + \text {y}",
    ],
)
def test_latex_to_mathml_refuses_text_commands(latex: str) -> None:
    with pytest.raises(UnsafeMathError):
        latex_to_mathml(latex, alt="x")


@pytest.mark.parametrize(
    "latex",
    [
        r"\style{background:url(https://example.com/x.png)}{x}",
        r"\class{evil}{x}",
    ],
)
def test_latex_to_mathml_refuses_attribute_commands(latex: str) -> None:
    with pytest.raises(UnsafeMathError):
        latex_to_mathml(latex, alt="x")


def test_latex_to_mathml_converts_comparisons() -> None:
    mathml = latex_to_mathml(r"\frac{1}{2} < x", alt="1/2 < x")
    assert mathml.startswith('<math alttext="1/2 &lt; x" ')
    assert "<mfrac>" in mathml
    assert "<mi>x</mi>" in mathml
    assert re.search(r"<mo>(&lt;|&#x0003C;|&#60;)</mo>", mathml)
    tags = set(re.findall(r"<\s*/?\s*([A-Za-z][\w:.-]*)", mathml))
    assert tags <= {"math", "mrow", "mfrac", "mn", "mo", "mi"}


def test_latex_to_mathml_display_and_alt_escaping() -> None:
    mathml = latex_to_mathml(r"x^{2}", alt='"><script>alert(1)</script>', display=True)
    assert 'display="block"' in mathml
    assert "<script" not in mathml
    assert 'alttext="&quot;&gt;&lt;script&gt;' in mathml
    assert mathml.count("alttext=") == 1


def test_latex_to_mathml_treats_angle_brackets_as_operators() -> None:
    mathml = latex_to_mathml(r"<img src=x onerror=alert(1)>", alt="x")
    assert "<img" not in mathml
    assert "onerror=" not in mathml.replace("<mi>", "").replace("</mi>", "")


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_latex_code_is_latex_text_with_break_opportunities(text: str) -> None:
    """A line shown verbatim may break anywhere, and is otherwise exactly the escaped text."""
    from derive.renderer.escape import latex_code

    coded = latex_code(text)
    assert coded.replace(r"\allowbreak{}", "") == latex_text(text)
    assert coded.count(r"\allowbreak{}") >= len(latex_text(text).replace("$", "")) // 30
