"""Limits at ±∞ proved exactly (rational functions of x and T = e^(x/L), parts that combine,
outermost pieces), and the ones that cannot be proved only checked numerically, never proved."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Rational, exp, log, oo, sqrt

from derive.functions import prepare, elu, gelu, gelu_tanh, logsigmoid, mish, relu, sigma, silu, softplus, softsign, variable
from derive.verify.limits import HOW_EXPONENTIAL, HOW_NUMERIC, HOW_PARTS, HOW_PIECE, HOW_RATIONAL, prove_limit

x = variable("x")
D = sympy.Derivative

PROVED = [
    # expression, direction, limit, how
    (sigma(x), oo, 1, HOW_RATIONAL),
    (sigma(x), -oo, 0, HOW_RATIONAL),
    (D(sigma(x), x), oo, 0, HOW_RATIONAL),
    (sympy.tanh(x), -oo, -1, HOW_RATIONAL),
    (sympy.tanh(x / 3), oo, 1, HOW_RATIONAL),
    (exp(x), oo, oo, HOW_RATIONAL),
    (exp(-x), oo, 0, HOW_RATIONAL),
    (x * exp(-x), oo, 0, HOW_RATIONAL),          # e^x outgrows x
    (x**5 * exp(x), -oo, 0, HOW_RATIONAL),       # T -> 0 beats x^5
    (-x**3 * exp(-x) + exp(x), oo, oo, HOW_RATIONAL),
    (x * exp(-x), -oo, -oo, HOW_RATIONAL),
    (silu(x), -oo, 0, HOW_RATIONAL),
    (mish(x), oo, oo, HOW_RATIONAL),
    ((2 * x**2 + 1) / (x**2 - 3), oo, 2, HOW_RATIONAL),
    (x**3 / (x + 1), -oo, oo, HOW_RATIONAL),
    (1 / x, -oo, 0, HOW_RATIONAL),
    (softplus(x), oo, oo, HOW_PARTS),
    (softplus(x), -oo, 0, HOW_PARTS),
    (logsigmoid(x), -oo, -oo, HOW_PARTS),
    (sympy.atan(x), oo, sympy.pi / 2, HOW_PARTS),
    (sympy.erf(x), -oo, -1, HOW_PARTS),
    (gelu(x), oo, oo, HOW_PARTS),
    (D(gelu(x), x), oo, 1, HOW_PARTS),                  # x e^(-x^2/2) -> 0: e^(polynomial) beats x
    (D(gelu(x), x), -oo, 0, HOW_PARTS),
    (x * exp(-x**2), oo, 0, HOW_EXPONENTIAL),          # T = e^(x^2) outgrows x
    (x**5 * exp(x**3), -oo, 0, HOW_EXPONENTIAL),       # T = e^(x^3) -> 0 beats x^5
    (gelu_tanh(x), -oo, 0, HOW_EXPONENTIAL),           # x (1 + tanh u), u cubic: 0·∞ settled by T = e^(u)
    (gelu_tanh(x), oo, oo, HOW_EXPONENTIAL),
    (D(gelu_tanh(x), x), -oo, 0, HOW_EXPONENTIAL),
    (D(gelu_tanh(x), x), oo, 1, HOW_EXPONENTIAL),
    (x * sympy.tanh(x**3), -oo, oo, HOW_EXPONENTIAL),
    (sympy.tanh(x**2), -oo, 1, HOW_EXPONENTIAL),       # even degree: T = e^(x^2) -> ∞ on both sides
    (x**2 / sympy.cosh(x**2 - x), oo, 0, HOW_EXPONENTIAL),
    (exp(-x**2 / 2) * x**5 / (1 + x**2), -oo, 0, HOW_EXPONENTIAL),
    (sqrt(1 + exp(-x)), oo, 1, HOW_PARTS),
    (log(1 + x**2), -oo, oo, HOW_PARTS),
    (relu(x), -oo, 0, HOW_PIECE),
    (elu(x), -oo, -1, HOW_PIECE),
    (softsign(x), oo, 1, HOW_PIECE),
    (D(softsign(x), x), -oo, 0, HOW_PIECE),
]


@pytest.mark.parametrize(("expr", "direction", "value", "how"), PROVED, ids=lambda v: str(v))
def test_limits_are_proved_exactly(expr: sympy.Expr, direction: sympy.Expr, value: sympy.Expr, how: str) -> None:
    found = prove_limit(expr, x, direction)
    assert found is not None
    assert found.value == value
    assert found.how == how
    assert found.verification.status == "proved", found.verification.method
    assert found.verification.method.startswith("exact")
    # an independent check: SymPy's own limit algorithm agrees (on the smooth ones)
    if how != HOW_PIECE:
        assert sympy.limit(prepare(expr).rewrite(sympy.exp), x, direction) == value


def test_the_written_form_is_the_rational_function_of_t() -> None:
    found = prove_limit(sigma(x), x, oo)
    t = sympy.Symbol("T", positive=True)
    assert found.written == t / (t + 1)
    assert found.substitution == sympy.Eq(t, exp(x))
    assert prove_limit(sympy.tanh(x / 2), x, oo).substitution == sympy.Eq(t, exp(x / 2))


NOT_PROVED = [
    (gelu(x), -oo, 0),                  # -oo * 0 with 1 + erf(x): indeterminate for this calculus
    (x * (1 + sympy.erf(x)), -oo, 0),
    (x**2 * exp(x) * exp(-x**2), oo, 0),  # e^x is no power of x: the rule does not apply
]


@pytest.mark.parametrize(("expr", "direction", "value"), NOT_PROVED, ids=lambda v: str(v))
def test_what_cannot_be_proved_is_only_checked_numerically(expr: sympy.Expr, direction: sympy.Expr, value: sympy.Expr) -> None:
    found = prove_limit(expr, x, direction)
    assert found is not None and found.value == value
    assert found.how == HOW_NUMERIC
    assert not found.proved
    assert found.verification.status == "numeric only"
    assert found.verification.method.startswith("checked numerically")
    assert "not proved" in found.verification.method


@pytest.mark.parametrize(("expr", "direction"), [(sympy.sin(x), oo), (x * sympy.sin(x), -oo), (sympy.cos(exp(x)), oo)], ids=str)
def test_no_limit_no_claim(expr: sympy.Expr, direction: sympy.Expr) -> None:
    found = prove_limit(expr, x, direction)
    assert found is None or found.verification.status != "proved"


def test_a_wrong_candidate_fails_the_numeric_check() -> None:
    from derive.verify.limits import check_limit_numerically

    assert check_limit_numerically(sigma(x), x, oo, Rational(1, 2)).status == "failed"
    assert check_limit_numerically(sigma(x), x, oo, sympy.S.One).status == "numeric only"


def test_expressions_with_other_symbols_get_no_limit() -> None:
    y = sympy.Symbol("y", real=True)
    assert prove_limit(sigma(y * x), x, oo) is None


coefficients = st.lists(st.integers(-4, 4), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(coefficients, st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(-2, 2), st.sampled_from([oo, -oo]))
def test_limits_of_exponential_rational_functions_agree_with_sympy(top: list[int], bottom: list[int], shift: int,
                                                                      direction: sympy.Expr) -> None:
    """p(e^x)·x^shift / q(e^x), q with positive coefficients (no pole): the proved limit is SymPy's."""
    numerator = sum(c * exp(k * x) for k, c in enumerate(top)) * x**shift
    denominator = sum(c * exp(k * x) for k, c in enumerate(bottom))
    expr = numerator / denominator
    found = prove_limit(expr, x, direction)
    if numerator == 0:
        return
    assert found is not None and found.proved
    assert found.value == sympy.limit(expr, x, direction)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=1, max_size=3), st.lists(st.integers(1, 3), min_size=1, max_size=3),
       st.integers(-2, 2), st.sampled_from([x**2, -x**3 + x, x**3 / 2, -2 * x**2 + x]), st.sampled_from([oo, -oo]))
def test_limits_with_exponentials_of_polynomials_agree_with_sympy(top: list[int], bottom: list[int], shift: int,
                                                                   exponent: sympy.Expr, direction: sympy.Expr) -> None:
    """p(e^q)·x^shift / r(e^q) for a polynomial q, r with positive coefficients: the proved limit is SymPy's."""
    numerator = sum(c * exp(k * exponent) for k, c in enumerate(top)) * x**shift
    denominator = sum(c * exp(k * exponent) for k, c in enumerate(bottom))
    expr = numerator / denominator
    if numerator == 0:
        return
    found = prove_limit(expr, x, direction)
    assert found is not None and found.proved, found
    assert found.value == sympy.limit(expr, x, direction)


def test_the_exponential_of_a_polynomial_is_shown_as_t() -> None:
    found = prove_limit(x * exp(-x**2), x, -oo)
    t = sympy.Symbol("T", positive=True)
    assert found.substitution == sympy.Eq(t, exp(x**2))
    assert found.written == x / t
    assert found.symbol_tends == oo
    assert "T -> infinity" in found.verification.method
    assert prove_limit(x**5 * exp(x**3), x, -oo).symbol_tends == 0
