"""Signs and bounds proved exactly: f > 0, f ≤ M, a maximum and a change of sign, decided for
rational functions of x or of T = e^(x/L) by square-free factorisation and Sturm counts."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Rational, exp, oo

from derive.functions import elu, logsigmoid, relu, sigma, silu, softplus, softsign, variable
from derive.verify.signs import prove_at_most, prove_continuous, prove_maximum, prove_positive, prove_sign_change

x = variable("x")
D = sympy.Derivative
T = sympy.Symbol("T", positive=True)

POSITIVE = [
    (D(sigma(x), x), T / (T + 1) ** 2),
    (D(sympy.tanh(x), x), 4 * T**2 / (T**2 + 1) ** 2),
    (D(softplus(x), x), T / (T + 1)),
    (D(logsigmoid(x), x), 1 / (T + 1)),
    (exp(x), T),
    (1 + x**2, x**2 + 1),
    (x**2 - x + 1, x**2 - x + 1),
    (1 / (1 + x**2), 1 / (x**2 + 1)),
    (D(elu(x), x), None),
    (D(softsign(x), x), None),
]


@pytest.mark.parametrize(("expr", "written"), POSITIVE, ids=lambda v: str(v))
def test_positive_is_proved(expr: sympy.Expr, written: sympy.Expr | None) -> None:
    found = prove_positive(expr, x)
    assert found.verification.status == "proved", found.verification.method
    assert found.verification.method.startswith("exact")
    assert found.written == written


NOT_POSITIVE = [
    D(x**3, x),               # 3x^2 vanishes at 0
    D(silu(x), x),            # negative for x < -1.28
    D(relu(x), x),            # 0 for x < 0
    1 / x**2,                 # a pole at 0
    x**2 - 2,
    sympy.sin(x) + 2,         # positive, but not a rational function of x or e^x: not decided
    exp(x) - x,               # positive, but a function of both x and e^x: not decided
]


@pytest.mark.parametrize("expr", NOT_POSITIVE, ids=str)
def test_positive_is_not_proved_when_false_or_undecided(expr: sympy.Expr) -> None:
    assert prove_positive(expr, x).verification.status != "proved"


BOUNDS = [
    (D(sigma(x), x), Rational(1, 4), True),
    (D(sigma(x), x), Rational(1, 5), False),
    (D(sympy.tanh(x), x), 1, True),
    (D(sympy.tanh(x), x), Rational(99, 100), False),
    (1 / (1 + x**2), 1, True),
    (sigma(x), 1, True),
    (x / (1 + x**2), Rational(1, 2), True),
    (x / (1 + x**2), Rational(1, 3), False),
    (D(relu(x), x), 1, True),
]


@pytest.mark.parametrize(("expr", "bound", "holds"), BOUNDS, ids=lambda v: str(v))
def test_bounds(expr: sympy.Expr, bound: sympy.Expr, holds: bool) -> None:
    assert (prove_at_most(expr, bound, x).verification.status == "proved") is holds


def test_the_bound_on_the_sigmoid_is_a_square_over_a_positive_denominator() -> None:
    found = prove_at_most(D(sigma(x), x), Rational(1, 4), x)
    assert found.written == (T - 1) ** 2 / (4 * (T + 1) ** 2)
    assert found.substitution == sympy.Eq(T, exp(x))
    assert "square" in found.reason


def test_a_maximum_needs_the_bound_and_the_value() -> None:
    assert prove_maximum(D(sigma(x), x), 0, Rational(1, 4), x).status == "proved"
    assert prove_maximum(D(sigma(x), x), 1, Rational(1, 4), x).status != "proved"   # not attained at 1
    assert prove_maximum(D(sigma(x), x), 0, Rational(1, 5), x).status != "proved"   # not a bound


SIGN_CHANGES = [
    (D(sigma(x), (x, 2)), 0, True),
    (D(sympy.tanh(x), (x, 2)), 0, True),
    (x**3, 0, True),
    (x**2, 0, False),
    (x - 1, 1, True),
    (1 / x, 0, False),          # a pole, not a root
    (D(sigma(x), (x, 2)), 1, False),
]


@pytest.mark.parametrize(("expr", "point", "changes"), SIGN_CHANGES, ids=lambda v: str(v))
def test_sign_changes(expr: sympy.Expr, point: int, changes: bool) -> None:
    assert (prove_sign_change(expr, x, sympy.Integer(point)).verification.status == "proved") is changes


def test_continuity_of_piecewise_functions() -> None:
    assert prove_continuous(elu(x), x).status == "proved"
    assert prove_continuous(relu(x), x).status == "proved"
    jump = sympy.Piecewise((x, x <= 0), (x - 5, True))
    assert prove_continuous(jump, x).status != "proved"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=1, max_size=5))
def test_polynomial_positivity_agrees_with_its_real_roots(coefficients: list[int]) -> None:
    """p > 0 on the real line is proved exactly when p has no real root and p(0) > 0."""
    p = sum(c * x**k for k, c in enumerate(coefficients))
    if p.is_number:
        return
    truly = not sympy.real_roots(sympy.Poly(p, x)) and p.subs(x, 0) > 0
    assert (prove_positive(p, x).verification.status == "proved") is bool(truly)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=2, max_size=4))
def test_positivity_in_t_agrees_with_the_positive_roots(coefficients: list[int]) -> None:
    """p(e^x) > 0 for every x is proved exactly when p has no root T > 0 and p(1) > 0."""
    t = sympy.Symbol("t")
    p = sum(c * t**k for k, c in enumerate(coefficients))
    if sympy.Poly(p, t).degree() < 1:
        return
    truly = not [r for r in sympy.real_roots(sympy.Poly(p, t)) if r > 0] and p.subs(t, 1) > 0
    found = prove_positive(p.subs(t, exp(x)), x)
    assert (found.verification.status == "proved") is bool(truly)
