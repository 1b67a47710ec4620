"""Derivations and checker reports in a real Jupyter notebook: executed with nbclient on an
ipykernel, and the output bundles checked (MIME types and content).

Bug fixed: a ``Derivation`` showed a 12,000-character dataclass dump. Now it has a short
``repr`` and renders itself as HTML (its handout, styled only inside its own container: the
notebook keeps its look), Markdown and LaTeX; so does the checker's ``Report``.
"""

from __future__ import annotations

import re
from functools import cache

import nbformat
import pytest
from nbclient import NotebookClient

CELLS = [
    "import derive, sympy\nd = derive.derive('sigmoid', properties=True)\nd",
    "r = derive.check(\"sigma'(x) = d/dx (1+exp(-x))^(-1)\\n= -(1+exp(-x))^(-2) * exp(-x)\")\nr",
    "print(repr(d)); print(repr(r))",
    "x = sympy.Symbol('x')\nderive.derive(x**2 * sympy.sin(x))",
    "sympy.sympify('sigma(x)', locals={'sigma': derive.functions.sigma})",
    "derive.gradient('logistic_regression')",
]


@cache
def executed() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=False).execute()
    return notebook


def bundle(cell: int) -> dict[str, str]:
    outputs = [output for output in executed().cells[cell].outputs if output.output_type == "execute_result"]
    assert len(outputs) == 1
    return dict(outputs[0].data)


def stdout(cell: int) -> str:
    return "".join(output.text for output in executed().cells[cell].outputs if output.output_type == "stream")


@pytest.mark.parametrize("cell", [0, 1, 3, 5])
def test_derivations_gradients_and_reports_offer_html_markdown_and_latex(cell: int) -> None:
    assert set(bundle(cell)) == {"text/plain", "text/html", "text/markdown", "text/latex"}


def test_the_plain_repr_is_short() -> None:
    plain = bundle(0)["text/plain"]
    assert plain == "<Derivation sigmoid: sigma'(x) = sigma(x)*(1 - sigma(x)); 15 steps, proved>"
    assert bundle(1)["text/plain"] == "<Report: NOT valid, 1 correct, 1 wrong, 0 not read or not decided; first error on line 2>"
    assert stdout(2).splitlines() == [plain, bundle(1)["text/plain"]]


def _style_selectors(html: str) -> list[str]:
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    assert len(styles) == 1
    css = re.sub(r"/\*.*?\*/", "", styles[0], flags=re.S)  # comments are not selectors
    css = re.sub(r"@media[^{]*\{", "", css)  # the rules inside @media blocks are checked too
    return [selector.strip() for block in re.findall(r"([^{}]+)\{[^{}]*\}", css) for selector in block.split(",")]


@pytest.mark.parametrize("cell", [0, 1, 5])
def test_the_html_does_not_restyle_the_notebook(cell: int) -> None:
    html = bundle(cell)["text/html"]
    assert html.startswith('<div class="derive derive-fragment">')
    assert not re.search(r"<(html|head|body|main)\b", html)
    selectors = [s for s in _style_selectors(html) if s]
    assert selectors
    assert all(s.startswith((".derive ", ".derive,", ".derive-fragment")) or s in (".derive", ".derive-fragment") for s in selectors), selectors
    assert not re.search(r"(^|[},])\s*(body|html|:root|\*|h1|h2|table)\s*[{,]", html)


def test_the_derivation_html_is_its_handout() -> None:
    html = bundle(0)["text/html"]
    assert "<h1>The derivative of the logistic sigmoid</h1>" in html
    assert html.count("<math") > 50  # MathML, not raw TeX
    assert "<svg" in html and 'id="derive-plot-' in html  # the graph, with ids unique to this output
    assert "Maximum of the derivative" in html


def test_the_derivation_markdown_and_latex() -> None:
    markdown = bundle(0)["text/markdown"]
    assert markdown.startswith("# The derivative of the logistic sigmoid")
    assert "$$\\sigma'(x) = \\sigma(x) \\left(1 - \\sigma(x)\\right)$$" in markdown
    assert "](sigmoid.svg)" not in markdown  # no link to a file the notebook does not have
    latex = bundle(0)["text/latex"]
    assert latex.startswith("\\begin{align*}") and latex.rstrip().endswith("\\end{align*}")
    assert "\\documentclass" not in latex


def test_the_report_html_markdown_and_latex() -> None:
    data = bundle(1)
    assert "Not valid" in data["text/html"] and "status-wrong" in data["text/html"]
    assert "**Not valid**" in data["text/markdown"]
    assert data["text/latex"].startswith("\\textbf{Not valid}") and "\\begin{tabular}" in data["text/latex"]
    assert "\\documentclass" not in data["text/latex"]


def test_a_users_symbols_in_a_notebook() -> None:
    assert bundle(3)["text/plain"] == "<Derivation f: d/dx(x^2*sin(x)) = x*(x*cos(x) + 2*sin(x)); 4 steps, proved>"
    assert "sigma(x)" in bundle(4)["text/plain"]


@pytest.mark.tools
def test_in_a_browser_the_page_around_the_fragment_keeps_its_look(tmp_path) -> None:
    """Chromium: a page styled its own way, before and after the derivation's HTML is added."""
    from playwright.sync_api import sync_playwright

    from tooling import CHROMIUM_ARGS, require_tool

    chromium = require_tool("chromium")
    require_tool("playwright")
    host = tmp_path / "host.html"
    host.write_text(
        "<!DOCTYPE html><html><head><style>body { font: 13px monospace; color: rgb(1, 2, 3); }</style></head>"
        "<body><h2 id='theirs'>A notebook heading</h2><p id='outside'>text</p><div id='cell'></div></body></html>",
        encoding="utf-8",
    )
    probe = ("() => [document.getElementById('outside'), document.getElementById('theirs')].map(e => {"
             " const s = getComputedStyle(e); return [s.fontFamily, s.fontSize, s.color, s.borderBottomWidth, s.boxSizing]; })")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(host.as_uri())
            before = page.evaluate(probe)
            page.evaluate("html => { document.getElementById('cell').innerHTML = html; }", bundle(0)["text/html"])
            after = page.evaluate(probe)
            inside = page.evaluate("() => getComputedStyle(document.querySelector('.derive h2')).fontFamily")
        finally:
            browser.close()
    assert after == before
    assert "DejaVu Serif" in inside  # and the fragment has its own look inside its container


def test_a_gradient_in_a_notebook() -> None:
    data = bundle(5)
    assert data["text/plain"] == "<Gradient logistic_regression in w, b: 2 derivations, proved>"
    assert data["text/markdown"].startswith("# Logistic regression: the gradient of the loss")
    assert data["text/latex"].count("\\begin{align*}") == 2
