"""How the HTML documents set their mathematics on a line: brackets that hug a short content, signs
that are signs, primes on the line, no full stop alone at the start of a line, no ✓ apart from
its rule name. Each was seen in Chromium screenshots of the handouts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.cli import main
from derive.renderer.environment import keep_punctuation_with_formulas
from derive.renderer.mathml import latex_to_mathml
from tooling import CHROMIUM_ARGS, require_tool

_OPEN = re.compile(r'<mo stretchy="(true|false)" fence="true" form="prefix"')


def _mathml(latex: str) -> str:
    return latex_to_mathml(latex, alt="formula")


@pytest.mark.parametrize(("latex", "stretchy"), [
    (r"\left(1 + e^{- x}\right)^{-1}", ["false"]),             # a line's height: ( 1 + x ) had gaps
    (r"\left|x\right| + 1", ["false"]),
    (r"\left(\frac{1}{1 + x}\right)", ["true"]),               # a fraction inside: stretches as in TeX
    (r"\left(1 - \sqrt{x}\right)", ["true"]),
    (r"\left(\left(x\right)^{2} + \frac{1}{x}\right)", ["true", "false"]),  # outer tall, inner short
    (r"\sigma{\left(\left(x + 1\right) \right)}", ["false", "false"]),
])
def test_brackets_stretch_only_around_something_taller_than_a_line(latex: str, stretchy: list[str]) -> None:
    mathml = _mathml(latex)
    assert _OPEN.findall(mathml) == stretchy
    closing = re.findall(r'<mo stretchy="(true|false)" fence="true" form="postfix"', mathml)
    assert sorted(closing) == sorted(stretchy)  # each pair stretches or not together


@pytest.mark.parametrize(("latex", "signs", "operations"), [
    (r"\left(- x\right)", 1, 0),
    (r"\left(- e^{- x}\right)", 1, 1),                        # the exponent's sign starts its own row: a sign already
    (r"y = - x", 1, 0),
    (r"f{\left(-1 \right)}, - 2 \leq - 1", 3, 0),
    (r"\left[- x\right] \cdot - 3", 2, 0),
    (r"a - b", 0, 1),                                          # a difference stays an operation
    (r"\left(a - b\right) - \left(- c\right)", 1, 2),
])
def test_a_sign_after_a_bracket_a_relation_or_a_comma_is_not_spaced_as_an_operation(latex: str, signs: int, operations: int) -> None:
    mathml = _mathml(latex)
    assert mathml.count('<mo form="prefix">&#x02212;</mo>') == signs
    assert mathml.count("<mo>&#x02212;</mo>") == operations


@pytest.mark.parametrize(("latex", "expected"), [
    (r"\sigma^{\prime}{\left(x \right)}", '<mrow><mi>&#x003C3;</mi><mo lspace="0em" rspace="0em">&#x02032;</mo></mrow>'),
    (r"\sigma''(x)", '<mrow><mi>&#x003C3;</mi><mo lspace="0em" rspace="0em">&#x02033;</mo></mrow>'),
    (r"\operatorname{softplus}^{\prime}(x)", '<mrow><mi>softplus</mi><mo lspace="0em" rspace="0em">&#x02032;</mo></mrow>'),
    # the rules as stated: (f g)' and (f/g)', the prime after the bracket, not floating above it
    ("(f g)' = f' g + f g'", '&#x00029;</mo><mo lspace="0em" rspace="0em">&#x02032;</mo></mrow>'),
    (r"(f/g)' = \frac{g f' - f g'}{g^{2}}", '&#x00029;</mo><mo lspace="0em" rspace="0em">&#x02032;</mo></mrow>'),
])
def test_a_prime_sits_on_the_line_after_its_function(latex: str, expected: str) -> None:
    mathml = _mathml(latex)
    assert expected in mathml
    assert "<mi>&#x02032;</mi>" not in mathml and "<mi>&#x02033;</mi>" not in mathml  # no prime as a superscript


def test_a_named_operator_is_an_identifier_set_close_to_its_argument() -> None:
    mathml = _mathml(r"\operatorname{GELU}{\left(x \right)} + \operatorname{softplus}{\left(x \right)}")
    assert "<mi>GELU</mi>" in mathml and "<mi>softplus</mi>" in mathml
    assert "<mo>GELU</mo>" not in mathml and "<mo>softplus</mo>" not in mathml


def test_punctuation_after_an_inline_formula_is_kept_with_its_last_piece() -> None:
    first = '<math display="inline" alttext="a"><mi>a</mi></math>'
    last = '<math aria-hidden="true" display="inline"><mi>b</mi></math>'
    block = '<math display="block"><mi>c</mi></math>'
    page = f"<p>Then {first}<wbr>{last}. And {block}. Also {first}, then {first} more.</p>"
    assert keep_punctuation_with_formulas(page) == (
        f'<p>Then {first}<wbr><span class="nobr">{last}.</span> And {block}. Also <span class="nobr">{first},</span>'
        f" then {first} more.</p>"
    )


# --- in Chromium ---------------------------------------------------------------------------------

#: For every inline formula followed by punctuation: whether the punctuation's first character is on
#: the formula's line; for every rule name with a mark: whether the mark is on the name's last line.
_LINES = """() => {
  const apart = [];
  for (const math of document.querySelectorAll('math[display="inline"]')) {
    const next = math.nextSibling;
    if (!next || next.nodeType !== Node.TEXT_NODE || !/^[.,;:)]/.test(next.textContent)) continue;
    const range = document.createRange(); range.setStart(next, 0); range.setEnd(next, 1);
    const mark = range.getBoundingClientRect(), box = math.getBoundingClientRect();
    if (mark.width > 0 && (mark.top > box.bottom - 2 || mark.bottom < box.top + 2)) apart.push('formula then ' + next.textContent[0]);
  }
  let marks = 0;
  for (const rule of document.querySelectorAll('.rule')) {
    const mark = rule.nextElementSibling;
    if (!mark || !mark.classList.contains('ok')) continue;
    marks += 1;
    const lines = rule.getClientRects(), last = lines[lines.length - 1], tick = mark.getBoundingClientRect();
    if (Math.abs(tick.top - last.top) > 4) apart.push('rule ' + rule.textContent + ' and its mark');
  }
  return [apart, marks];
}"""


@pytest.mark.tools
def test_no_line_starts_with_the_punctuation_after_a_formula_or_a_mark_without_its_rule(tmp_path: Path) -> None:
    """At a phone's, a tablet's and a laptop's width (at 700 px the "." after σ′(x) = σ(x)(1 − σ(x))
    started a line, and "Write the negative power as a fraction" wrapped without its ✓)."""
    chromium = require_tool("chromium")
    require_tool("playwright")
    from playwright.sync_api import sync_playwright

    for name in ("sigmoid", "gelu_tanh", "logistic_regression"):
        assert main([name, "--format", "html", "--out", str(tmp_path)]) == 0
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            for page in sorted(tmp_path.glob("*.html")):
                for width in (390, 560, 700, 850, 1000):
                    tab = browser.new_page(viewport={"width": width, "height": 800})
                    tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                              else route.abort("blockedbyclient"))
                    tab.goto(page.as_uri(), wait_until="load")
                    tab.evaluate("document.fonts.ready.then(() => true)")
                    apart, marks = tab.evaluate(_LINES)
                    assert marks > 5, f"{page.name}: no rule name with its mark found"
                    problems += [f"{page.name} at {width} px: {problem}" for problem in apart]
                    tab.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)


def test_a_slash_is_set_as_tex_sets_it_without_operator_spaces() -> None:
    """f/g, as in the quotient rule's (f/g)', not f / g."""
    assert '<mi>f</mi><mo lspace="0em" rspace="0em">&#x0002F;</mo><mi>g</mi>' in _mathml("(f/g)'")
