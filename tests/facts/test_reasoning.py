"""What the handouts say, read as a teacher reads it: every reason given is the right one.

Bugs fixed: the maximum of σ′ was justified by "its own derivative vanishes" (necessary, not
sufficient); σ″ came "with the chain rule" (it is the product rule on σ(1 − σ)); the inverse
ln(y/(1 − y)) had no domain; limits were "computed with SymPy's limit algorithm"; the softmax
headings wrote ∂ while its steps wrote d; the logistic-regression handout was titled with the
gradient it derives ("The derivative of the logistic-regression gradient"); the tanh handout
defined tanh(x) = tanh(x), typed expressions opened with "x^x = x^x", and the catalogue's
identities (tanh(x) = 2σ(2x) − 1, logsigmoid(x) = −softplus(−x)) appeared in no handout.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
import sympy

import derive
from derive.differentiate.catalogue import ENTRIES
from derive.functions import variable
from derive.model import Derivation, Property
from derive.printing import to_plain
from derive.renderer import render, render_jacobian
from derive.api import softmax_jacobian

x = variable("x")
HANDOUTS = [entry.name for entry in ENTRIES if entry.document == "handout"]
IMPLEMENTATION_NAMES = re.compile(r"sympy|gruntz|mpmath|\blark\b|latex2mathml|jinja", re.IGNORECASE)


@cache
def derived(name: str) -> Derivation:
    return derive.derive(name, properties=True)


@cache
def handout(name: str, output_format: str) -> str:
    return render(derived(name), output_format, "handout")


def prop(name: str, key: str) -> Property:
    found = derived(name).property(key)
    assert found is not None, [p.key for p in derived(name).properties]
    return found


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_the_maximum_is_justified_by_the_proved_bound(name: str) -> None:
    maximum = prop(name, "derivative_maximum")
    text = maximum.explanation.plain()
    assert "own derivative vanishes" not in text
    assert text.startswith("By the bound, ") and "for every x" in text
    assert "upper bound" in maximum.verification.method and "attained" in maximum.verification.method
    keys = [p.key for p in derived(name).properties]
    assert keys.index("derivative_bound") < keys.index("derivative_maximum")


def test_the_bound_shows_the_square() -> None:
    text = prop("sigmoid", "derivative_bound").explanation.plain()
    assert "1/4 - sigma'(x) = (T - 1)**2/(4*(T + 1)**2)" in text.replace("^", "**")
    assert "square" in text


@pytest.mark.parametrize(("name", "rule"), [("sigmoid", "product rule"), ("tanh", "chain rule")])
def test_the_second_derivative_names_the_rule_a_student_uses(name: str, rule: str) -> None:
    assert f"with the {rule}" in prop(name, "second_derivative").explanation.plain()


@pytest.mark.parametrize(("function", "condition"), [
    ("sigmoid", "0 < y < 1"), ("tanh", "-1 < y < 1"),
])
def test_the_inverse_states_its_domain(function: str, condition: str) -> None:
    inverse = prop(function, "inverse")
    assert to_plain(inverse.condition) == condition
    assert inverse.verification.status == "proved"
    assert f"$ for ${condition}$ ✓" in handout(function, "markdown")


def test_the_inverse_of_exp_is_for_positive_y() -> None:
    inverse = derive.derive(sympy.exp(x), properties=True).property("inverse")
    assert to_plain(inverse.condition) == "0 < y"


def test_no_inverse_without_a_proved_range() -> None:
    """An inverse is stated only with the interval it is defined on, so only when F is proved increasing
    with proved limits: GELU's are not all proved, and it is no Möbius function of e^x anyway."""
    for name in HANDOUTS:
        inverse = derived(name).property("inverse")
        if inverse is not None:
            assert inverse.condition is not None
            assert derived(name).property("derivative_positive") is not None


@pytest.mark.parametrize("name", HANDOUTS)
@pytest.mark.parametrize("output_format", ["markdown", "latex", "html"])
def test_no_implementation_names_in_a_handout(name: str, output_format: str) -> None:
    text = handout(name, output_format)
    text = text.replace('<meta name="generator" content="derive">', "")
    assert not IMPLEMENTATION_NAMES.search(text), IMPLEMENTATION_NAMES.search(text)


@pytest.mark.parametrize("output_format", ["markdown", "latex", "html"])
def test_the_softmax_document_writes_every_derivative_with_partial(output_format: str) -> None:
    text = render_jacobian(softmax_jacobian(), output_format)
    latex_parts = re.findall(r"\\frac\{d\}\{d ?z", text) + re.findall(r"alttext=\"[^\"]*\\frac\{d\}", text)
    assert latex_parts == []
    assert text.count("partial") + text.count("∂") + text.count("&#x02202;") > 10
    if output_format == "html":
        assert "<mi>d</mi><msub><mi>z</mi>" not in text.replace("\n", "")


@pytest.mark.parametrize(("name", "title"), [
    ("sigmoid", "The derivative of the logistic sigmoid"),
    ("logistic_regression", "Logistic regression: the gradient of the loss (the derivative in w)"),
    ("mse", "The derivative in w of squared error of a linear model"),
])
def test_a_handout_title_says_what_it_derives(name: str, title: str) -> None:
    """Not "The derivative of the logistic-regression gradient" (the title of what it derives)."""
    typeset = re.sub(r"\bin ([a-z])\b", r"in $\1$", title)  # the variable is mathematics in the heading
    assert handout(name, "markdown").splitlines()[0] == f"# {typeset}"


# --- tautologies ----------------------------------------------------------------------------------


def _display_equations(markdown: str) -> list[str]:
    return re.findall(r"^\$\$(.*)\$\$$", markdown, flags=re.M)


@pytest.mark.parametrize("name", HANDOUTS)
def test_no_handout_defines_a_function_as_itself(name: str) -> None:
    for equation in _display_equations(handout(name, "markdown")):
        sides = [side.strip() for side in equation.split(" = ")]
        assert len(sides) < 2 or sides[0] != sides[1], equation


def test_the_tanh_definition_says_what_tanh_is() -> None:
    markdown = handout("tanh", "markdown")
    definition = markdown.split("## Definition", 1)[1].split("##", 1)[0]
    assert r"\tanh{\left(x \right)} = \frac{e^{x} - e^{- x}}{e^{x} + e^{- x}}" in definition


@pytest.mark.parametrize("text", ["x^x", "tan(x)", "x^2*sin(x)"])
def test_a_typed_expression_has_no_definition_section(text: str) -> None:
    from derive.differentiate.catalogue import catalogue_names
    from derive.parse import parse_expression

    d = derive.derive(parse_expression(text, variable="x", catalogue=catalogue_names()), variable="x")
    for output_format, heading in (("markdown", "## Definition"), ("latex", r"\section*{Definition}"), ("html", "<h2>Definition</h2>")):
        assert heading not in render(d, output_format, "handout")


@pytest.mark.parametrize(("name", "statement"), [
    ("tanh", "tanh(x) = 2*sigma(2*x) - 1"),
    ("logsigmoid", "logsigmoid(x) = -softplus(-x)"),
    ("softplus", "softplus(x) - softplus(-x) = x"),
])
def test_the_promised_identities_are_in_the_handout_and_proved(name: str, statement: str) -> None:
    identities = [p for p in derived(name).properties if p.kind == "identity"]
    assert [to_plain(p.statement) for p in identities] == [statement]
    assert identities[0].verification.status == "proved"
    assert "**Identity:**" in handout(name, "markdown")


def test_the_tanh_identity_is_explained_with_t() -> None:
    text = prop("tanh", "identity_1").explanation.plain()
    assert text == "With T = e^x, both sides equal (T - 1)*(T + 1)/(T^2 + 1)."


# --- nothing is said where the function does not exist ------------------------------------------


def test_nothing_is_said_about_x_to_the_x_where_it_is_not_real() -> None:
    """x^x = e^(x ln x) has no value at 0 (0^0 is a convention) and none for x < 0 but isolated
    points (x = -60 gives a real number, x = -60.5 does not): no value at 0, no limit at -infinity."""
    keys = {p.key for p in derive.derive(x**x, properties=True).properties}
    assert "value_at_zero" not in keys and "limit_minus_infinity" not in keys
    assert "limit_plus_infinity" in keys


def test_no_limit_of_the_derivative_where_the_function_is_not_defined() -> None:
    """ln' = 1/x tends to 0 as x -> -infinity, but ln x does not exist there."""
    keys = {p.key for p in derive.derive(sympy.log(x), properties=True).properties}
    assert "derivative_limit_minus_infinity" not in keys and "derivative_limit_plus_infinity" in keys
    assert "derivative_limit_minus_infinity" in {p.key for p in derive.derive(1 / x, properties=True).properties}
