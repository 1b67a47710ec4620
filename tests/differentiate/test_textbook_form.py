"""Results in the form a textbook prints: one fraction over a common denominator, factored and
cancelled where that is shorter; each move a named step, proved (issue 13)."""

from __future__ import annotations

import pytest
import sympy

from derive.api import derive
from derive.functions import variable
from derive.parse import parse_expression
from derive.printing import to_plain

x = variable("x")

# (typed expression, the result as a textbook prints it, a closing move it takes)
TEXTBOOK = [
    ("sqrt(x)/(1+x^2)", "(1 - 3*x^2)/(2*sqrt(x)*(x^2 + 1)^2)", "common_denominator"),
    ("e^x/(1+x)", "x*e^x/(x + 1)^2", "expand"),  # the numerator multiplied out, the denominator kept
    ("exp(a*x)/(exp(a*x)+1)", "a*e^(a*x)/(e^(a*x) + 1)^2", "expand"),
    ("x/(1+x)", "1/(x + 1)^2", None),
    ("ln(x)/x", "(1 - log(x))/x^2", None),
    # a common factor is cancelled even when the result is no shorter, and a minus before the
    # fraction goes into a numerator that then begins with a positive term
    ("x/(1+x)^2", "(1 - x)/(x + 1)^3", "factor"),
    ("(x+1)/(x-1)^2", "-(x + 3)/(x - 1)^3", "factor"),  # -x - 3 over it would read worse
    ("(x^2-1)/(x-1)", "1", "factor"),
    ("1/(2*x)", "-1/(2*x^2)", "factor"),  # a common number is cancelled too: never -2/(4x^2)
    # a denominator in textbook order: letters, then sums, then a function's value at a number
    ("log(x, 2)", "1/(x*log(2))", None),
    ("log(x^2+1, 10)", "2*x/((x^2 + 1)*log(10))", None),
    ("log(log(x))", "1/(x*log(x))", None),
    # in a sum each fraction is cancelled, and a sum with a term that is no fraction stays a sum
    ("log(x, 2) + x/(1+x)^2", "1/(x*log(2)) + (1 - x)/(x + 1)^3", "factor"),
    ("x/(1+x)^2 + x^2", "(1 - x)/(x + 1)^3 + 2*x", "factor"),
    ("1/x + 1/x^2", "-(x + 2)/x^3", "factor"),  # a numerator of negative terms gives its sign to the fraction
    # a fraction inside a fraction is cleared, even when one denominator takes a few more operations
    ("sqrt(x+sqrt(x))", "(2*sqrt(x) + 1)/(4*sqrt(x)*sqrt(sqrt(x) + x))", "common_denominator"),
    # several factors below the line are written over one denominator, never 1/4/sqrt(...)/sqrt(...)
    ("sqrt(1+sqrt(1+x))", "1/(4*sqrt(sqrt(x + 1) + 1)*sqrt(x + 1))", None),
    # the quotient rule's sin^2 + cos^2 (and cosh^2 - sinh^2) is 1, as a textbook writes at once
    ("sin(x)/cos(x)", "1/cos(x)^2", "pythagorean"),
    ("cos(x)/sin(x)", "-1/sin(x)^2", "pythagorean"),
    ("sinh(x)/cosh(x)", "1/cosh(x)^2", "pythagorean"),
    ("sin(3*x)/cos(3*x)", "3/cos(3*x)^2", "pythagorean"),
    # sin u / cos u is tan u (and cos/sin cot, sinh/cosh tanh), as a textbook ends d/dx ln(cos x)
    ("ln(cos(x))", "-tan(x)", "quotient_identity"),
    ("ln(sin(x))", "cot(x)", "quotient_identity"),
    ("ln(cosh(x))", "tanh(x)", "quotient_identity"),
    ("ln(sin(x)^2)", "2*cot(x)", "quotient_identity"),  # after the fraction is cancelled
    ("x*ln(cos(x))", "log(cos(x)) - x*tan(x)", "quotient_identity"),
]


@pytest.mark.parametrize(("text", "latex"), [
    ("log(x, 2)", r"\frac{1}{x \ln{\left(2 \right)}}"),
    ("log(x^2+1, 10)", r"\frac{2 x}{\left(x^{2} + 1\right) \ln{\left(10 \right)}}"),
    ("2^x", r"2^{x} \ln{\left(2 \right)}"),
])
def test_a_logarithm_of_a_number_is_written_last(text: str, latex: str) -> None:
    from derive.printing import to_latex

    assert to_latex(derive(parse_expression(text)).result) == latex


@pytest.mark.parametrize(("text", "expected", "move"), TEXTBOOK)
@pytest.mark.parametrize("detail", ["full", "standard"])
def test_quotient_results_end_in_textbook_form(text: str, expected: str, move: str | None, detail: str) -> None:
    derivation = derive(parse_expression(text), detail=detail)
    assert derivation.proved and to_plain(derivation.result) == expected
    if move is not None:
        assert move in [step.rule for step in derivation.steps]


@pytest.mark.parametrize("text", ["x^2*sin(x)", "3*x^2+2*x", "sin(x)*cos(x)"])
def test_no_fraction_no_fraction_move(text: str) -> None:
    """A result without a denominator is not 'brought over a common denominator'."""
    rules = [step.rule for step in derive(parse_expression(text), detail="full").steps]
    assert "common_denominator" not in rules and "factor" not in rules


def test_exponentials_keep_their_arguments() -> None:
    """e^(-x) is not rewritten as 1/e^x on the way to one fraction, and the sigmoid still ends
    by recognising σ(1 − σ)."""
    derivation = derive("sigmoid")
    assert to_plain(derivation.result) == "sigma(x)*(1 - sigma(x))"
    assert derivation.steps[-1].rule == "recognise"
    typed = derive(parse_expression("1/(1+e^(-x))"), detail="full")
    assert typed.proved and "recognise_sigma" in [step.rule for step in typed.steps]


def test_a_pythagorean_pair_needs_the_same_argument_coefficient_and_sign() -> None:
    from derive.differentiate.moves import _pythagorean_pair

    sin, cos, sinh, cosh = sympy.sin, sympy.cos, sympy.sinh, sympy.cosh
    found = _pythagorean_pair([x, 2 * sin(x) ** 2, 2 * cos(x) ** 2])
    assert found is not None and found[0] == (1, 2) and found[1] == 2
    assert to_plain(found[2]) == "sin(x)^2 + cos(x)^2 = 1"
    found = _pythagorean_pair([cosh(2 * x) ** 2, -sinh(2 * x) ** 2])
    assert found is not None and to_plain(found[2]) == "cosh(2*x)^2 - sinh(2*x)^2 = 1"
    for terms in ([sin(x) ** 2, cos(2 * x) ** 2], [sin(x) ** 2, 2 * cos(x) ** 2], [cosh(x) ** 2, sinh(x) ** 2],
                  [sin(x) ** 2, -cos(x) ** 2]):
        assert _pythagorean_pair(terms) is None, terms
