"""HTML output: loaded in headless Chromium with no network, and parsed statically.

The handout, a worksheet and an answer key must be self-contained (no requests other than the
file itself), error-free, show their mathematics as MathML (never as raw TeX), and be
accessible and printable.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

import derive
from derive.renderer import render, render_worksheet
from derive.worksheets import WorksheetBuilder
from tooling import artifact_dir, load_html

pytestmark = pytest.mark.tools

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RAW_TEX = ("\\frac", "\\left", "\\sigma", "$$", "<<", "{{")
KINDS = ["handout", "worksheet", "answer-key"]


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("html")
    d = derive.derive("sigmoid", properties=True)
    others = [derive.derive("sigmoid", route="quotient"), derive.derive("sigmoid", route="log")]
    sheet = WorksheetBuilder("sigmoid", seed=3).worksheets(1)[0]
    texts = {
        "handout": render(d, "html", "handout", others=others),
        "worksheet": render_worksheet(sheet, "html", answers=False),
        "answer-key": render_worksheet(sheet, "html", answers=True),
    }
    paths = {}
    for kind, text in texts.items():
        paths[kind] = folder / f"{kind}.html"
        paths[kind].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def reports(documents):
    """Load each page once in Chromium, lazily."""
    done = {}

    def get(kind: str):
        if kind not in done:
            done[kind] = load_html(documents[kind], artifact_dir("html") / f"sigmoid-{kind}.png")
        return done[kind]

    return get


# --- in the browser --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_page_loads_cleanly_offline(reports, documents, kind: str) -> None:
    report = reports(kind)
    assert report.failed_requests == []
    assert report.external_requests == []
    assert report.console_errors == []
    assert report.page_errors == []
    assert report.requests == [documents[kind].resolve().as_uri()]


@pytest.mark.parametrize("kind", KINDS)
def test_page_shows_mathml_not_tex(reports, kind: str) -> None:
    report = reports(kind)
    assert report.mathml_count > 0
    for raw in RAW_TEX:
        assert raw not in report.text, f"raw {raw!r} is visible on the {kind} page"
    assert not re.search(r"\\[A-Za-z]+", report.text), "a TeX control word is visible"
    assert report.text.strip()


@pytest.mark.parametrize("kind", KINDS)
def test_page_screenshot_written(reports, kind: str) -> None:
    report = reports(kind)
    assert report.screenshot.parent == artifact_dir("html")
    assert report.screenshot.read_bytes()[:8] == PNG_SIGNATURE


def test_visible_text_of_each_page(reports) -> None:
    assert "Other routes to the same result" in reports("handout").text
    assert "Name:" in reports("worksheet").text
    assert "Answer key" in reports("answer-key").text
    assert "Answer key" not in reports("worksheet").text


# --- statically ------------------------------------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@pytest.fixture(scope="module")
def parsed(documents) -> dict[str, tuple[str, _Collector]]:
    result = {}
    for kind, path in documents.items():
        text = path.read_text(encoding="utf-8")
        collector = _Collector()
        collector.feed(text)
        collector.close()
        result[kind] = (text, collector)
    return result


@pytest.mark.parametrize("kind", KINDS)
def test_every_math_element_has_alttext(parsed, kind: str) -> None:
    _, collector = parsed[kind]
    maths = [attrs for tag, attrs in collector.tags if tag == "math"]
    assert maths
    # a long formula is written as pieces that wrap on a phone: the first piece's alttext says the
    # whole formula, the others are hidden from screen readers (and must follow a piece that speaks)
    missing = [attrs for attrs in maths if not (attrs.get("alttext") or "").strip() and attrs.get("aria-hidden") != "true"]
    assert missing == [], f"{len(missing)} of {len(maths)} <math> elements have no alttext"
    assert not maths[0].get("aria-hidden"), "a hidden continuation piece cannot come first"


@pytest.mark.parametrize(("latex", "spaced"), [
    (r"x \ln{\left(x \right)}", True), (r"\frac{d}{dx} \ln{\left(x \right)}", True),
    (r"2 x \operatorname{softplus}{\left(x \right)}", True), (r"- \ln{\left(x \right)}", False),
    (r"\sin{\left(x \right)} + \cos{\left(x \right)}", False),
])
def test_a_function_name_after_a_factor_has_a_thin_space(latex: str, spaced: bool) -> None:
    """x ln x, not "xln(x)": latex2mathml sets the two identifiers side by side; TeX's thin space
    between a factor and an operator name goes between them (none after a sign or at the start)."""
    from derive.renderer.mathml import latex_to_mathml

    mathml = latex_to_mathml(latex, alt="f")
    assert ('<mspace width="0.1667em"></mspace><mi>' in mathml) == spaced


@pytest.mark.parametrize("kind", KINDS)
def test_mathml_from_latex_has_alttext(parsed, kind: str) -> None:
    """Every <math> that latex_to_mathml wrote (it carries xmlns) has a non-empty text alternative,
    or is a hidden continuation piece of a long formula whose first piece has it."""
    _, collector = parsed[kind]
    converted = [attrs for tag, attrs in collector.tags if tag == "math" and "xmlns" in attrs]
    assert converted
    assert all((attrs.get("alttext") or "").strip() or attrs.get("aria-hidden") == "true" for attrs in converted)


@pytest.mark.parametrize("kind", KINDS)
def test_self_contained_and_script_free(parsed, kind: str) -> None:
    text, collector = parsed[kind]
    assert not any(tag == "script" for tag, _ in collector.tags)
    assert "<script" not in text.lower()
    for tag, attrs in collector.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name} on <{tag}>"
            if name in ("src", "href", "srcset", "action", "poster", "data"):
                assert not re.match(r"\s*(https?:|//)", value or ""), f"<{tag} {name}={value!r}>"
                assert not (value or "").lower().startswith("javascript:")
    assert not any(tag in ("link", "iframe", "object", "embed", "img", "base") for tag, _ in collector.tags)
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*https?://", text, re.IGNORECASE)
    assert not re.search(r"url\(\s*[\"']?\s*(https?:)?//", text, re.IGNORECASE)
    assert "@import" not in text


@pytest.mark.parametrize("kind", KINDS)
def test_viewport_print_rule_and_language(parsed, kind: str) -> None:
    _, collector = parsed[kind]
    metas = [attrs for tag, attrs in collector.tags if tag == "meta"]
    viewports = [attrs for attrs in metas if attrs.get("name") == "viewport"]
    assert len(viewports) == 1 and "width=device-width" in (viewports[0].get("content") or "")
    assert any(attrs.get("charset", "").lower() == "utf-8" for attrs in metas)
    assert "@media print" in "".join(collector.styles)
    html_tags = [attrs for tag, attrs in collector.tags if tag == "html"]
    assert len(html_tags) == 1 and (html_tags[0].get("lang") or "").strip()
    assert any(tag == "title" for tag, _ in collector.tags)


@pytest.mark.parametrize("kind", KINDS)
def test_ids_are_unique(parsed, kind: str) -> None:
    _, collector = parsed[kind]
    ids = Counter(attrs["id"] for _, attrs in collector.tags if attrs.get("id"))
    assert [name for name, count in ids.items() if count > 1] == []


def test_handout_embeds_its_plot(parsed) -> None:
    text, collector = parsed["handout"]
    svgs = [attrs for tag, attrs in collector.tags if tag == "svg"]
    assert len(svgs) == 1 and svgs[0].get("role") == "img"
    labelled_by = svgs[0].get("aria-labelledby")
    assert labelled_by and any(attrs.get("id") == labelled_by for tag, attrs in collector.tags if tag == "title")


def test_sub_derivations_fold_into_details_without_javascript() -> None:
    """Issue 13: a student opens the detail behind a step; closed at the standard level, open at full."""
    import derive as api

    standard = api.render(api.derive("sigmoid"), "html")
    full = api.render(api.derive("sigmoid", detail="full"), "html")
    assert '<details class="substeps">' in standard and "<summary>Details of step 3</summary>" in standard
    assert '<details class="substeps" open>' in full and '<details class="substeps">' not in full
    assert "<script" not in standard


def test_a_cut_formula_keeps_the_operator_that_starts_a_piece_binary() -> None:
    """A long formula wraps as MathML pieces; a piece that starts with + or · began with a prefix
    operator, set tight against its term ("+1)", "+x" in the GELU-tanh page)."""
    import sympy

    from derive.renderer.view import Math

    x = sympy.Symbol("x")
    long_sum = sum((sympy.sin(k * x) * sympy.exp(x) for k in range(1, 9)), sympy.S.Zero)
    pieces = Math(long_sum).mathml_display.split("<wbr>")
    assert len(pieces) > 2
    for piece in pieces[1:]:
        opening = re.search(r'display="inline"><mrow>(<mrow ?/>)?<mo>', piece)
        assert opening is None or opening.group(1), piece[:160]


def test_numbers_are_typeset_and_step_fractions_are_display_size() -> None:
    """Issue 13: the vanishing-gradient table writes 9.54 × 10⁻⁷ (never "9.54 x 10^-7"), and the
    formulas of the steps stand in .equation elements, which the stylesheet sets in display style
    (an inline MathML fraction is set small)."""
    import derive as api

    page = api.render(api.derive("sigmoid", properties=True), "html")
    assert re.search(r"<td>\d\.\d+&#x2009;×&#x2009;10<sup>−\d+</sup></td>", page)
    assert not re.search(r"\d x 10\^", page)
    assert ".derive .equation math { math-style: normal; }" in page
    equations = page.split('<span class="equation">')[1:]
    assert len(equations) >= 8 and all(equation.lstrip().startswith("<math") for equation in equations)
    assert any("<mfrac" in equation.split("</span>")[0] for equation in equations)
