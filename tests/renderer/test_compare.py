"""`derive compare`: the catalogue's comparison table in LaTeX, Markdown and HTML, checked with the
real tools; every filled cell must come from a proved property, and nothing unproved is stated."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import sympy
from sympy import Interval, Rational

import derive.api
from derive.differentiate.catalogue import ENTRIES
from derive.cli import main
from derive.model import Derivation, Verification
from derive.printing import to_latex, to_plain

from derive.renderer.comparison import comparison_context, comparison_rows
from tooling import artifact_dir, compile_latex, load_html, pandoc_math, require_tool

#: The comparison tabulates the activation functions (not the loss derivations or the softmax Jacobian).
TITLES = {entry.name: entry.title for entry in ENTRIES if entry.activation}
FORMATS = ("latex", "markdown", "html")
#: How each saturation cell reads, per format (the HTML column holds the MathML's alttext).
SATURATION = {
    "latex": {"both": "both sides", "left": r"$x \to -\infty$", "right": r"$x \to +\infty$", "none": "no"},
    "markdown": {"both": "both sides", "left": r"$x \to -\infty$", "right": r"$x \to +\infty$", "none": "no"},
    "html": {"both": "both sides", "left": "x -> -infinity", "right": "x -> +infinity", "none": "no"},
}
#: The mark of a cell that is not proved (a footnote says so).
NOT_PROVED_MARK = {"latex": r"\dag", "markdown": "†", "html": "†"}
x = sympy.Symbol("x", real=True)
GELU_MAXIMUM = sympy.exp(-1) / sympy.sqrt(sympy.pi) + sympy.erf(1) / 2 + Rational(1, 2)


@dataclasses.dataclass(frozen=True)
class Cells:
    """What one row must say: the range, the maximum and where (or the supremum when it is not
    taken), the saturation; None where derive has no proof (the cell carries the mark)."""

    range: sympy.Set | None
    maximum: sympy.Expr | None = None
    where: sympy.Basic | None = None
    supremum: sympy.Expr | None = None
    saturates: str | None = None


EXPECTED = {
    "sigmoid": Cells(Interval.Lopen(0, Rational(1, 4)), Rational(1, 4), sympy.Eq(x, 0), saturates="both"),
    "tanh": Cells(Interval.Lopen(0, 1), sympy.S.One, sympy.Eq(x, 0), saturates="both"),
    "softplus": Cells(Interval.open(0, 1), supremum=sympy.S.One, saturates="left"),
    "silu": Cells(None, saturates="left"),
    "gelu": Cells(Interval(1 - GELU_MAXIMUM, GELU_MAXIMUM), GELU_MAXIMUM, sympy.Eq(x, sympy.sqrt(2)), saturates="left"),
    "gelu_tanh": Cells(None, saturates="left"),
    "logsigmoid": Cells(Interval.open(0, 1), supremum=sympy.S.One, saturates="right"),
    "softsign": Cells(Interval.Lopen(0, 1), sympy.S.One, sympy.Eq(x, 0), saturates="both"),
    "mish": Cells(None, saturates="left"),
    "relu": Cells(sympy.FiniteSet(0, 1), sympy.S.One, sympy.StrictGreaterThan(x, 0), saturates="left"),
    "elu": Cells(Interval.Lopen(0, 1), sympy.S.One, sympy.GreaterThan(x, 0), saturates="left"),
}


@dataclasses.dataclass
class Row:
    """One table row as written in a document: the property cells as text (the HTML cells as
    their text followed by the alttext of each MathML, separated by '|')."""

    title: str
    range: str
    maximum: str
    saturates: str


@dataclasses.dataclass
class Compared:
    folder: Path
    printed: list[str]
    derivations: dict[str, Derivation]


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Compared:
    """Run `derive compare --out FOLDER` once, recording the derivations the table was built from."""
    folder = tmp_path_factory.mktemp("compare")
    seen: dict[str, Derivation] = {}
    original = derive.api.derive

    def recording(*args: Any, **kwargs: Any) -> Derivation:
        result = original(*args, **kwargs)
        seen[result.name] = result
        return result

    output = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(output):
        patch.setattr(derive.api, "derive", recording)
        code = main(["compare", "--out", str(folder)])
    assert code == 0
    return Compared(folder=folder, printed=output.getvalue().split(), derivations=seen)


# -- reading the three documents back ------------------------------------------------------------


def markdown_rows(text: str) -> dict[str, Row]:
    rows = {}
    for line in text.splitlines():
        if not line.startswith("| **"):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        assert len(cells) == 5, line
        title = re.match(r"\*\*(.+?)\*\*", cells[0]).group(1)
        rows[title] = Row(title, *cells[2:])
    return rows


def latex_rows(text: str) -> dict[str, Row]:
    body = text.split("\\endhead", 1)[1].split("\\end{longtable}", 1)[0]
    rows = {}
    for line in body.strip().splitlines():
        assert line.endswith("\\\\[0.6em]"), line
        first, value_range, maximum, saturates = line.removesuffix("\\\\[0.6em]").rsplit(" & ", 3)
        title = re.match(r"\\textbf\{(.+?)\}", first).group(1)
        rows[title] = Row(title, value_range.strip(), maximum.strip(), saturates.strip())
    return rows


class _Table(HTMLParser):
    """The <tbody> rows: per cell its text and the alttext of its MathML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[dict[str, Any]]] = []
        self._in_body = False
        self._cell: dict[str, Any] | None = None
        self._in_math = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._cell = {"text": "", "math": [], "strong": ""}
            self.rows[-1].append(self._cell)
        elif self._cell is not None and tag == "math":
            self._in_math += 1
            if dict(attrs).get("aria-hidden") != "true":  # a long formula's continuation lines: the first has the alttext
                self._cell["math"].append(dict(attrs).get("alttext", ""))
        elif self._cell is not None and tag == "strong":
            self._cell["in_strong"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag == "td":
            self._cell = None
        elif tag == "math":
            self._in_math -= 1
        elif tag == "strong" and self._cell is not None:
            self._cell["in_strong"] = False

    def handle_data(self, data: str) -> None:
        if self._cell is None or self._in_math:
            return
        if self._cell.get("in_strong"):
            self._cell["strong"] += data
        else:
            self._cell["text"] += data


def html_rows(text: str) -> dict[str, Row]:
    parser = _Table()
    parser.feed(text)
    rows = {}
    for cells in parser.rows:
        # The HTML table stacks function and derivative in its first cell (it must fit a phone).
        assert len(cells) == 4
        title = cells[0]["strong"]
        assert len(cells[0]["math"]) == 2, "the first cell holds the function and its derivative"

        def content(cell: dict[str, Any]) -> str:
            return "|".join([" ".join(cell["text"].split()), *cell["math"]])

        rows[title] = Row(title, content(cells[1]), content(cells[2]), content(cells[3]))
    return rows


@pytest.fixture(scope="module")
def documents(compared: Compared) -> dict[str, dict[str, Row]]:
    read = {"latex": latex_rows, "markdown": markdown_rows, "html": html_rows}
    extensions = {"latex": "tex", "markdown": "md", "html": "html"}
    return {
        fmt: read[fmt]((compared.folder / f"catalogue.{extensions[fmt]}").read_text(encoding="utf-8")) for fmt in FORMATS
    }


def written(fmt: str, expr: sympy.Basic) -> str:
    """How ``expr`` appears in a cell of format ``fmt`` (LaTeX in .tex/.md, alttext in HTML)."""
    return to_plain(expr) if fmt == "html" else to_latex(expr)


def proved_property(d: Derivation, key: str):  # noqa: ANN201
    found = d.property(key)
    return found if found is not None and found.verification.status == "proved" else None


# -- the command and the files -------------------------------------------------------------------


def test_compare_writes_three_files(compared: Compared) -> None:
    names = {"catalogue.tex", "catalogue.md", "catalogue.html"}
    assert {Path(path).name for path in compared.printed} == names
    assert {path.name for path in compared.folder.iterdir()} == names
    assert set(compared.derivations) == set(TITLES), "the table is built from every catalogue entry"
    assert all(d.proved and d.complete for d in compared.derivations.values())


@pytest.mark.tools
def test_latex_table_compiles(compared: Compared) -> None:
    source = (compared.folder / "catalogue.tex").read_text(encoding="utf-8")
    pdf = compile_latex(source, artifact_dir("compare"), name="catalogue")
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.tools
def test_html_table_loads_cleanly_in_chromium(compared: Compared) -> None:
    page = compared.folder / "catalogue.html"
    report = load_html(page, artifact_dir("compare") / "catalogue-html.png")
    assert report.requests == [page.resolve().as_uri()]
    assert report.failed_requests == []
    assert report.external_requests == []
    assert report.console_errors == []
    assert report.page_errors == []
    assert report.mathml_count > 2 * len(TITLES)
    assert not re.search(r"\\[A-Za-z]+", report.text), "a TeX control word is visible"
    for raw in ("$", "<<", "{{", "<%"):
        assert raw not in report.text
    for title in TITLES.values():
        assert title in report.text


@pytest.mark.tools
def test_markdown_table_parses_with_pandoc(compared: Compared) -> None:
    markdown = (compared.folder / "catalogue.md").read_text(encoding="utf-8")
    report = pandoc_math(markdown)
    assert report.raw == []
    assert not [s for s in report.strings if re.search(r"\\[A-Za-z]+|\$", s)]
    pandoc = require_tool("pandoc")
    ast = json.loads(subprocess.run([pandoc, "-f", "markdown+tex_math_dollars", "-t", "json"], input=markdown,
                                    capture_output=True, text=True, check=True, timeout=60).stdout)
    tables = [block for block in ast["blocks"] if block["t"] == "Table"]
    assert len(tables) == 1, "the comparison must be parsed as one pipe table"
    _, _, colspecs, _, bodies, _ = tables[0]["c"]
    assert len(colspecs) == 5
    assert sum(len(body[3]) for body in bodies) == len(TITLES)


def test_every_entry_has_one_row_in_every_format(documents: dict[str, dict[str, Row]]) -> None:
    for fmt in FORMATS:
        assert sorted(documents[fmt]) == sorted(TITLES.values()), fmt


# -- every filled cell is a proved property -------------------------------------------------------


def shows(fmt: str, cell: str, expr: sympy.Basic) -> bool:
    """Whether ``cell`` shows ``expr`` (in LaTeX, or as MathML alttext in HTML); a long interval
    may be written as its two ends (in LaTeX and in HTML, where it may wrap between them)."""
    if fmt == "html":
        text, *maths = cell.split("|")
        if isinstance(expr, Interval) and maths[:2] == [to_plain(expr.start), to_plain(expr.end)]:
            return text.startswith("(" if expr.left_open else "[") and text.endswith(")" if expr.right_open else "]")
        return to_plain(expr) in maths
    if to_latex(expr) in cell:
        return True
    return isinstance(expr, Interval) and fmt == "latex" and f"${to_latex(expr.start)}$,\\newline ${to_latex(expr.end)}$" in cell


def test_every_activation_function_has_an_expected_row() -> None:
    assert set(EXPECTED) == set(TITLES)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_cells_state_what_is_proved(compared: Compared, documents: dict[str, dict[str, Row]], fmt: str, name: str) -> None:
    """Table-driven: each entry's cells in each format, and each filled one from a proved property."""
    d = compared.derivations[name]
    row, expected, mark = documents[fmt][TITLES[name]], EXPECTED[name], NOT_PROVED_MARK[fmt]
    value_range = proved_property(d, "derivative_range")
    if expected.range is None:
        assert value_range is None and mark in row.range and "$" not in row.range
        assert proved_property(d, "derivative_maximum") is None and mark in row.maximum
    else:
        assert value_range.statement.args[1] == expected.range
        assert shows(fmt, row.range, expected.range) and mark not in row.range
    if expected.maximum is not None:
        assert proved_property(d, "derivative_maximum").statement.rhs == expected.maximum
        assert shows(fmt, row.maximum, expected.maximum) and shows(fmt, row.maximum, expected.where)
        assert ("at" if isinstance(expected.where, sympy.Eq) else "for") in row.maximum
    if expected.supremum is not None:
        assert proved_property(d, "derivative_maximum") is None
        assert row.maximum.startswith("none") and shows(fmt, row.maximum, expected.supremum) and "not taken" in row.maximum
    limits = {side: proved_property(d, f"derivative_limit_{side}_infinity") for side in ("minus", "plus")}
    if expected.saturates is None:
        assert not all(limits.values()) and mark in row.saturates
    else:
        assert all(limits.values())
        assert row.saturates.strip("|") == SATURATION[fmt][expected.saturates]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_footnote_names_every_property_not_proved(compared: Compared, fmt: str) -> None:
    extensions = {"latex": "tex", "markdown": "md", "html": "html"}
    text = (compared.folder / f"catalogue.{extensions[fmt]}").read_text(encoding="utf-8")
    (note,) = [line for line in text.splitlines() if "Not proved, so not stated:" in line]
    assert NOT_PROVED_MARK[fmt] in note
    unproved = [name for name, cells in EXPECTED.items() if cells.range is None]
    assert "the range of the derivative and its maximum for " + "; ".join(TITLES[name] for name in unproved) in note
    for name, cells in EXPECTED.items():
        if cells.range is not None:
            assert TITLES[name] not in note.split("not stated:", 1)[1].replace("GELU (tanh approximation)", "")


def test_a_row_without_unproved_cells_gets_no_footnote(compared: Compared) -> None:
    derivations = [(TITLES[name], compared.derivations[name]) for name in ("sigmoid", "tanh")]
    assert comparison_context(comparison_rows(derivations))["not_proved"] == []


# -- the vanishing-gradient section ---------------------------------------------------------------


def _section(text: str, start: str) -> str:
    return text.split(start, 1)[1]


def test_vanishing_gradient_lists_the_sigmoid_but_not_tanh(compared: Compared) -> None:
    markdown = _section((compared.folder / "catalogue.md").read_text(encoding="utf-8"), "## The vanishing gradient")
    latex = _section((compared.folder / "catalogue.tex").read_text(encoding="utf-8"), "The vanishing gradient}")
    html = _section((compared.folder / "catalogue.html").read_text(encoding="utf-8"), "<h2>The vanishing gradient</h2>")
    bullets = {
        "markdown": [line[2:] for line in markdown.splitlines() if line.startswith("- ")],
        "latex": [line[6:] for line in latex.splitlines() if line.startswith("\\item ")],
        "html": re.findall(r"<li>(.*?)</li>", html),
    }
    for fmt, items in bullets.items():
        assert len(items) == 1, f"{fmt}: {items}"
        assert items[0].startswith(TITLES["sigmoid"] + ":")
        assert not any(item.startswith(TITLES["tanh"]) for item in items)
    assert "M = \\frac{1}{4}" in bullets["markdown"][0]


def test_the_functions_whose_slope_tends_to_one_are_one_grammatical_sentence(compared: Compared) -> None:
    """"The derivative of A, B, C tends to 1" read as a list without its "and", the verb singular."""
    for name in ("catalogue.md", "catalogue.tex", "catalogue.html"):
        text = (compared.folder / name).read_text(encoding="utf-8")
        sentence = next(line for line in text.splitlines() if "shrink the gradient there" in line)
        assert re.search(r"The derivatives of [^.]*, [^,]* and the exponential linear unit tend to 1 for large ", sentence), sentence
        assert "tends" not in sentence and "large x" not in sentence, sentence


def test_vanishing_gradient_list_is_exactly_the_proved_maxima_below_one(compared: Compared) -> None:
    derivations = [(TITLES[name], d) for name, d in compared.derivations.items()]
    context = comparison_context(comparison_rows(derivations))
    bounded = [row["name"] for row in context["bounded"]]
    expected = [name for name, d in compared.derivations.items()
                if (m := proved_property(d, "derivative_maximum")) is not None and m.statement.rhs < 1]
    assert bounded == expected == ["sigmoid"]
    assert proved_property(compared.derivations["sigmoid"], "vanishing_gradient") is not None
    assert proved_property(compared.derivations["tanh"], "vanishing_gradient") is None
    unit = sorted(row["name"] for row in context["unit_slope"])
    expected_unit = sorted(name for name, d in compared.derivations.items()
                           if (p := proved_property(d, "derivative_limit_plus_infinity")) and p.statement.rhs == 1)
    assert unit == expected_unit
    assert {"relu", "softplus", "elu"} <= set(unit) and not {"sigmoid", "tanh", "logsigmoid"} & set(unit)


def test_an_unproved_property_is_not_stated(compared: Compared) -> None:
    d = compared.derivations["sigmoid"]
    doubtful = Verification(proved=False, numeric_ok=True, method="numeric only")
    weakened = dataclasses.replace(d, properties=tuple(
        dataclasses.replace(p, verification=doubtful) if p.key in ("derivative_maximum", "derivative_range") else p
        for p in d.properties
    ))
    (row,) = comparison_rows([(TITLES["sigmoid"], weakened)])
    assert row["maximum"] is None
    assert row["range"] is None
