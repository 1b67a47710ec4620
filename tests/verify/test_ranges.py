"""The range of a derivative, proved from its stretches of monotony: table-driven over the
catalogue's activation functions and textbook functions, each cross-checked numerically on a
dense grid; what the argument cannot decide is not proved."""

from __future__ import annotations

import mpmath
import pytest
import sympy
from sympy import FiniteSet, Interval, Rational, erf, exp, oo, pi, sqrt

from derive.evaluate import evaluate, to_mpf
from derive.functions import elu, gelu, gelu_tanh, logsigmoid, mish, prepare, relu, sigma, silu, softplus, softsign, variable
from derive.verify.ranges import CONSTANT, DECREASING, INCREASING, prove_derivative_range

x = variable("x")
GELU_MAXIMUM = exp(-1) / sqrt(pi) + erf(1) / 2 + Rational(1, 2)

PROVED = [
    # function, range of f', maximum, where, minimum, where
    (sigma(x), Interval.Lopen(0, Rational(1, 4)), Rational(1, 4), FiniteSet(0), None, None),
    (sympy.tanh(x), Interval.Lopen(0, 1), 1, FiniteSet(0), None, None),
    (softplus(x), Interval.open(0, 1), None, None, None, None),
    (logsigmoid(x), Interval.open(0, 1), None, None, None, None),
    (gelu(x), Interval(1 - GELU_MAXIMUM, GELU_MAXIMUM), GELU_MAXIMUM, FiniteSet(sqrt(2)), 1 - GELU_MAXIMUM, FiniteSet(-sqrt(2))),
    (softsign(x), Interval.Lopen(0, 1), 1, FiniteSet(0), None, None),
    (relu(x), FiniteSet(0, 1), 1, Interval.open(0, oo), 0, Interval.open(-oo, 0)),
    (elu(x), Interval.Lopen(0, 1), 1, Interval(0, oo), None, None),
    (x**3 - 3 * x, Interval(-3, oo), None, None, -3, FiniteSet(0)),
    (x / (1 + x**2), Interval(Rational(-1, 8), 1), 1, FiniteSet(0), Rational(-1, 8), FiniteSet(-sqrt(3), sqrt(3))),
    (x**4, Interval(-oo, oo), None, None, None, None),
    (exp(x), Interval.open(0, oo), None, None, None, None),
    (sympy.atan(x), Interval.Lopen(0, 1), 1, FiniteSet(0), None, None),
    (3 * x + 1, FiniteSet(3), 3, Interval(-oo, oo), 3, Interval(-oo, oo)),
]


@pytest.mark.parametrize(("function", "values", "maximum", "maximum_at", "minimum", "minimum_at"), PROVED, ids=str)
def test_ranges_are_proved(function: sympy.Expr, values: sympy.Set, maximum: sympy.Expr | None, maximum_at: sympy.Set | None,
                           minimum: sympy.Expr | None, minimum_at: sympy.Set | None) -> None:
    found = prove_derivative_range(function, x)
    assert found.proved, found.verification.method
    assert found.verification.method.startswith("exact")
    assert found.values == values
    assert (found.maximum, found.maximum_at) == (maximum, maximum_at)
    assert (found.minimum, found.minimum_at) == (minimum, minimum_at)
    assert found.supremum == values.sup and found.infimum == values.inf


@pytest.mark.parametrize("function", [row[0] for row in PROVED], ids=str)
def test_proved_ranges_agree_with_a_dense_grid(function: sympy.Expr) -> None:
    """An independent check: F' on 401 points of [-10, 10] stays in the range, and comes close
    to its bounds where they are finite and taken in that window."""
    found = prove_derivative_range(function, x)
    first = prepare(sympy.Derivative(function, x))
    with mpmath.workdps(30):
        samples = []
        for index in range(-200, 201):
            point = Rational(index, 20) + Rational(1, 3000)  # off the break points
            samples.append(evaluate(first, {x: to_mpf(point)}))
        for value in samples:
            assert found.values.contains(sympy.Float(mpmath.nstr(value, 25), 25)) is sympy.true, value
        if found.maximum is not None and found.maximum_at.sup.is_finite:
            assert abs(max(samples) - evaluate(found.maximum, {})) < mpmath.mpf("1e-2")
        if found.minimum is not None and found.minimum_at.inf.is_finite:
            assert abs(min(samples) - evaluate(found.minimum, {})) < mpmath.mpf("1e-2")


def test_the_stretches_say_where_the_derivative_rises_and_falls() -> None:
    found = prove_derivative_range(sigma(x), x)
    assert [(s.low, s.high, s.trend) for s in found.stretches] == [(-oo, 0, INCREASING), (0, oo, DECREASING)]
    assert found.points == ((0, Rational(1, 4)),)
    relu_found = prove_derivative_range(relu(x), x)
    assert [s.trend for s in relu_found.stretches] == [CONSTANT, CONSTANT]
    assert relu_found.points == (), "ReLU has no derivative at 0: its one-sided derivatives differ"
    assert prove_derivative_range(elu(x), x).points == ((0, 1),), "ELU is differentiable at 0, with slope 1"


NOT_PROVED = [
    silu(x),            # F'' mixes x and e^x: its turning point solves a transcendental equation
    mish(x),
    gelu_tanh(x),
    sympy.sin(x),       # no limits at ±∞
    x * sympy.Symbol("a", real=True),
    sympy.log(1 + x**2) * sympy.erf(x),
]


@pytest.mark.parametrize("function", NOT_PROVED, ids=str)
def test_what_the_argument_cannot_decide_is_not_proved(function: sympy.Expr) -> None:
    found = prove_derivative_range(function, x)
    assert not found.proved
    assert found.values is None and found.maximum is None
    assert found.verification.status != "proved"
