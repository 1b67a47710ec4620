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
]


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
