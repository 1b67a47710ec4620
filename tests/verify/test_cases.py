"""The two proof methods issue 13 added for |f(x)| and the inverse functions, false claims included.

``sign_cases_zero``: |g| = ±g and sign(g) = ±1, every choice of signs proved. ``on_intervals_zero``:
x = a + p, b − p or (a + bp)/(1 + p) with p > 0 on each interval of the domain, then simplify.
A proof method that proves a false claim is a defect: each has rows that must not be proved.
"""

from __future__ import annotations

import pytest
import sympy
from sympy import Abs, Interval, S, sign, sqrt

from derive.functions import variable
from derive.verify import prove_equal
from derive.verify.procedure import on_intervals_zero, sign_cases_zero

x = variable("x")
g = x**2 - 1

SIGN_CASES = [
    pytest.param(2 * x * sign(g) - 2 * x * g / Abs(g), True, id="abs-chain"),
    pytest.param(sympy.cos(x) * sign(sympy.sin(x)) - sympy.sin(x) * sympy.cos(x) / Abs(sympy.sin(x)), True, id="abs-sin"),
    pytest.param(Abs(g) * sign(g) - g, True, id="abs-times-sign"),
    pytest.param(2 * x * sign(g) - 2 * x, False, id="false-drops-the-sign"),
    pytest.param(Abs(g) - g, False, id="false-abs-is-g"),
]


@pytest.mark.parametrize(("difference", "zero"), SIGN_CASES)
def test_sign_cases(difference: sympy.Expr, zero: bool) -> None:
    assert (sign_cases_zero(difference, x) is not None) == zero


INTERVALS = [
    pytest.param(1 / sympy.sinh(sympy.acosh(x), evaluate=False) - 1 / sqrt(x**2 - 1), Interval.open(1, S.Infinity), True,
                 id="sinh-of-arcosh"),
    pytest.param(sqrt(x**2) - x, Interval.open(0, S.Infinity), True, id="root-of-square-positive"),
    pytest.param(sqrt(x**2) - x, Interval.open(S.NegativeInfinity, 0), False, id="false-root-of-square-negative"),
    pytest.param(sqrt(x**2) - x, S.Reals, False, id="whole-line-is-not-split"),
    pytest.param(sqrt(1 - x**2) - (1 - x), Interval.open(-1, 1), False, id="false-on-a-bounded-interval"),
    pytest.param(Abs(x) * sqrt(1 - 1 / x**2) - sqrt(x**2 - 1),
                 sympy.Union(Interval.open(S.NegativeInfinity, -1), Interval.open(1, S.Infinity)), True, id="two-intervals"),
]


@pytest.mark.parametrize(("difference", "domain", "zero"), INTERVALS)
def test_on_intervals(difference: sympy.Expr, domain: sympy.Set, zero: bool) -> None:
    assert (on_intervals_zero(difference, x, domain) is not None) == zero


def test_inverse_function_claims_are_proved_on_their_domain_and_refuted_off_it() -> None:
    assert prove_equal(sympy.Derivative(sympy.acosh(x), x), 1 / sqrt(x**2 - 1), x).status == "proved"
    assert prove_equal(sympy.Derivative(sympy.acosh(x), x), -1 / sqrt(x**2 - 1), x).status == "failed"
    assert prove_equal(sympy.Derivative(sympy.asec(x), x), 1 / (Abs(x) * sqrt(x**2 - 1)), x).status == "proved"
    assert prove_equal(sympy.Derivative(sympy.asec(x), x), 1 / (x * sqrt(x**2 - 1)), x).status == "failed"
