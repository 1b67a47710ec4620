"""Feedback documents and the class report, with hostile student text, through the real consumers:
headless Chromium for HTML, pdflatex for LaTeX, and Pandoc reading the Markdown as GitHub-flavoured
Markdown, CommonMark with pipe tables and Pandoc's own Markdown: nothing a student wrote may come
out as live HTML, a link or raw TeX in any of them."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest

from derive.checker import check
from derive.checker.grade import Graded
from derive.grading.feedback import feedback_context, feedback_stem
from derive.grading.reference import reference_for
from derive.grading.rubric import DEFAULT_RUBRIC
from derive.grading.scoring import score, unscored
from derive.grading.summary import ClassSummary
from derive.renderer import render_chart_svg, render_class_report, render_feedback
from tooling import artifact_dir, compile_latex, load_html, page_widths, require_tool

HOSTILE_LINES = [
    "sigma'(x) = d/dx (1+exp(-x))^(-1)",
    "= -(1+exp(-x))^(-2) * exp(-x)  # <img src=x onerror=alert(3)>",
    "<svg onload=alert(1)>",
    "<script>alert(2)</script>",
    "[click](javascript:alert(4)) \\| cell | ![i](javascript:alert(5)) <https://evil.example>",
    r"\input{/etc/passwd} $x$ `code` **bold** &lt;b&gt; @cite ^sup^",
    "sigma'(x) = sigma(x)*(1+sigma(x))",
]
HOSTILE = "\n".join(HOSTILE_LINES) + "\n"
DIALECTS = ("gfm", "commonmark+pipe_tables", "markdown")


@pytest.fixture(scope="module")
def graded() -> tuple[Graded, dict]:
    reference = reference_for("sigmoid")
    report = check(HOSTILE, name="class/<b>evil</b>.tex", syntax="text", next_line=reference.next_line)
    result = Graded(path=Path("class/<b>evil</b>.tex"), report=report, error=None, sha256="0" * 64)
    points = score(report, DEFAULT_RUBRIC)
    context = feedback_context(result, points, shown_name=str(result.path), exercise="sigmoid", student="Jane <i>Doe</i>")
    return result, context


@pytest.fixture(scope="module")
def summary(graded) -> dict:
    result, _ = graded
    tally = ClassSummary(DEFAULT_RUBRIC, exercise="sigmoid")
    for _ in range(3):
        tally.add(result, score(result.report, DEFAULT_RUBRIC))
    good = check("sigma'(x) = sigma(x)*(1-sigma(x))\n")
    tally.add(Graded(path=Path("class/good.tex"), report=good, error=None), score(good, DEFAULT_RUBRIC))
    tally.add(Graded(path=Path("class/x.pdf"), report=None, error="class/x.pdf: not graded: a .pdf file is not a "
                     "plain-text submission"), unscored(10, "not graded"))
    return tally.context()


def test_the_feedback_holds_what_a_student_needs(graded) -> None:
    result, context = graded
    assert context["first"]["line"] == 2
    assert context["first"]["counterexample"]["x"] is not None
    assert context["first"]["diagnosis"].startswith("The derivative of e^(-x) is -e^(-x)")
    assert context["suggestion"] == {"after_line": 1, "latex": r"-\left(1 + e^{- x}\right)^{-2} \cdot \left(- e^{- x}\right)",
                                     "text": "(-(1 + e^(-x))^(-2))*(-e^(-x))", "rule": "Chain rule"}
    assert [line["mark"] for line in context["lines"]] == ["✓", "✗", "?", "?", "?", "?", "✗"]
    assert context["score"]["points"] == 0  # one step, minus four unreadable lines, floored at 0
    text = render_feedback(context, "markdown")
    assert "A correct next line" in text and "Score: 0 / 10" in text


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attributes += attrs


def _assert_inert_html(html: str, allowed: set[str]) -> None:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    assert not set(parser.tags) - allowed, set(parser.tags) - allowed
    assert not [name for name, _ in parser.attributes if name.startswith("on")]
    assert not [value for name, value in parser.attributes if name in ("href", "src") and value]
    assert "<b>evil</b>" not in html and "<i>Doe</i>" not in html


DOCUMENT_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p", "div", "strong", "span",
                 "code", "table", "thead", "tbody", "tr", "th", "td", "br", "figure", "figcaption", "ul", "li"}
#: derive's MathML, and the line-break opportunity (<wbr>) between the pieces of a long formula
MATHML_TAGS = {"math", "mrow", "mi", "mn", "mo", "msup", "mfrac", "msub", "mspace", "mtext", "mstyle", "msqrt", "wbr"}
SVG_TAGS = {"svg", "title", "desc", "rect", "g", "line", "text"}


def _load_inert(html: str, allowed: set[str], folder: Path, name: str):  # noqa: ANN202 - tooling.PageReport
    """``html`` checked for live markup, then loaded in Chromium: no error, no request leaves the page."""
    _assert_inert_html(html, allowed)
    page = folder / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    loaded = load_html(page, artifact_dir("grading") / f"{name}.png")
    assert loaded.console_errors == [] and loaded.page_errors == [] and loaded.external_requests == []
    return loaded


@pytest.mark.tools
def test_feedback_html_is_inert_and_loads_cleanly(graded, tmp_path: Path) -> None:
    _, context = graded
    loaded = _load_inert(render_feedback(context, "html"), DOCUMENT_TAGS | MATHML_TAGS, tmp_path, "feedback")
    for source in HOSTILE_LINES[2:6]:
        assert " ".join(source.split()) in " ".join(loaded.text.split())
    # the suggested line, and derive's formulas in the verdicts (a counterexample, a diagnosis), are MathML
    assert loaded.mathml_count > 1
    assert "suggestion" in context and context["suggestion"] is not None


def _pandoc(markdown: str, dialect: str, to: str) -> str:
    pandoc = require_tool("pandoc")
    return subprocess.run([pandoc, "-f", dialect, "-t", to], input=markdown, capture_output=True, text=True,
                          encoding="utf-8", timeout=60, check=True).stdout


def _raw_nodes(node: object) -> list[object]:
    if isinstance(node, list):
        return [found for item in node for found in _raw_nodes(item)]
    if isinstance(node, dict):
        if node.get("t") in ("RawInline", "RawBlock", "Link", "Image", "Cite", "Superscript", "Subscript"):
            return [node]
        return _raw_nodes(node.get("c"))
    return []


@pytest.mark.tools
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("document", ["feedback", "class report", "check report"])
def test_markdown_is_inert_in_every_dialect(graded, summary, dialect: str, document: str) -> None:
    _, context = graded
    if document == "feedback":
        markdown = render_feedback(context, "markdown")
    elif document == "class report":
        markdown = render_class_report(summary, "markdown")
    else:
        from derive.renderer import render_report

        markdown = render_report(graded[0].report, "markdown")
    html = re.sub(r'<span\s+class="math inline">.*?</span>', "", _pandoc(markdown, dialect, "html"), flags=re.DOTALL)  # derive's LaTeX
    _assert_inert_html(html, {"h1", "h2", "p", "strong", "em", "code", "table", "thead", "tbody", "tr", "th", "td",
                              "ul", "li", "br", "span", "colgroup", "col", "div"})
    assert "<a " not in html and "href" not in html
    assert _raw_nodes(json.loads(_pandoc(markdown, dialect, "json"))["blocks"]) == []
    if document == "check report":  # every cell of the table stays in its cell
        rows = [row for row in html.split("<tr") if "<td" in row]
        assert len(rows) == len(graded[0].report.lines)
        assert all(row.count("<td") == 5 for row in rows)


@pytest.mark.tools
def test_feedback_latex_compiles_without_reading_files(graded, tmp_path: Path) -> None:
    _, context = graded
    tex = render_feedback(context, "latex")
    assert "\\input{" not in tex
    pdf = compile_latex(tex, tmp_path / "latex", name="feedback")
    assert pdf.stat().st_size > 0
    log = (tmp_path / "latex" / "feedback.log").read_text(encoding="utf-8", errors="replace")
    assert "(/etc/passwd" not in log


def test_class_report_numbers(summary) -> None:
    assert (summary["submissions"], summary["graded"], summary["valid"], summary["unusable"]) == (5, 4, 1, 1)
    assert summary["mistakes"][0]["key"] == "exp_derivative_without_chain" and summary["mistakes"][0]["count"] == 3
    assert summary["mistakes"][0]["example"] == HOSTILE_LINES[1]
    assert dict(summary["first_error_bins"]) == {"1": 0, "2": 3}
    assert summary["unreadable_lines"] == 12 and summary["unreadable"][0]["count"] == 3
    assert summary["unusable_reasons"] == [("files that are not plain text (.pdf, .rtf, .docx …)", 1)]
    assert summary["review"] == 0
    assert dict(summary["score_bins"])["0"] == 3 and sum(count for _, count in summary["score_bins"]) == 4


def test_charts_are_valid_svg_drawn_from_the_data(summary) -> None:
    for name in ("scores", "first_errors"):
        svg = render_chart_svg(summary, name)
        root = ElementTree.fromstring(svg.split("?>", 1)[1])
        bars = root.findall("{http://www.w3.org/2000/svg}g/{http://www.w3.org/2000/svg}rect")
        bins = summary["score_bins"] if name == "scores" else summary["first_error_bins"]
        assert len(bars) == len(bins)
        heights = [float(bar.get("height")) for bar in bars]
        counts = [count for _, count in bins]
        assert [height > 0 for height in heights] == [count > 0 for count in counts]
        if max(counts):
            tallest = heights.index(max(heights))
            assert counts[tallest] == max(counts)


@pytest.mark.tools
def test_class_report_html_and_pdf(summary, tmp_path: Path) -> None:
    loaded = _load_inert(render_class_report(summary, "html"), DOCUMENT_TAGS | SVG_TAGS | MATHML_TAGS, tmp_path, "class-report")
    assert "Where the first errors fall" in loaded.text and "<script>alert(2)</script>" in loaded.text
    pdf = compile_latex(render_class_report(summary, "latex"), tmp_path / "latex", name="class-report")
    assert pdf.stat().st_size > 0


@pytest.mark.tools
@pytest.mark.parametrize("document", ["class report", "feedback", "check report"])
def test_report_tables_are_read_on_a_phone_without_scrolling(graded, summary, document: str, tmp_path: Path) -> None:
    """The class report's, the feedback's and the checker's tables at 390 px: each row stacks into
    labelled lines, so no column is cut or scrolled to (the class report's example column was cut
    at 390 px, inside a table that scrolled sideways); at 1000 px and on paper they stay tables
    that fit. A table wider than its own box counts as a page that scrolls."""
    from derive.renderer import render_report

    result, context = graded
    html = {"class report": lambda: render_class_report(summary, "html"), "feedback": lambda: render_feedback(context, "html"),
            "check report": lambda: render_report(result.report, "html")}[document]()
    page = tmp_path / f"{document.replace(' ', '-')}.html"
    page.write_text(html, encoding="utf-8")
    wide = [f"{page.name} at {name}: {scroll} px wide for {client} px"
            for name, (scroll, client) in page_widths(page, boxes="table, code.source").items() if scroll > client]
    assert not wide, "\n".join(wide)


@pytest.mark.parametrize(("path", "stem"), [
    ("alice.tex", "alice.tex"),
    ("week 1/bob.txt", "week_1__bob.txt-"),
    ("../../etc/passwd", "__..__etc__passwd-"),
    ("<b>.tex", "_b_.tex-"),
])
def test_feedback_file_names_are_safe_and_distinct(path: str, stem: str) -> None:
    from pathlib import PurePath

    made = feedback_stem(PurePath(path))
    assert made.startswith(stem.lstrip(".")) and "/" not in made and not made.startswith(".")
    assert feedback_stem(PurePath("a b.tex")) != feedback_stem(PurePath("a_b.tex"))
