"""A long product or sum over a constant is written as a textbook writes it: a short fraction
times the rest (GELU-tanh's derivative printed "1/2 · x · √2 · 1/√π · (1 − tanh²(…)) · (…)",
a chain of dots, because a reciprocal deep inside tanh's argument made the printer list every
factor; printed as one fraction instead, its numerator ran 60 pt into the comparison table's margin)."""

from __future__ import annotations

import pytest
import sympy

from derive.api import derive
from derive.functions import variable
from derive.printing import to_latex

x = variable()
u = sympy.sqrt(2) * (x + sympy.Rational(8943, 200000) * x**3) / sympy.sqrt(sympy.pi)
LONG_SUM = sympy.sin(x) * sympy.cos(x) + sympy.exp(x) * sympy.log(x) + sympy.tan(x) * sympy.atan(x) + x**3 * sympy.sinh(x)


@pytest.mark.parametrize(("expr", "latex"), [
    # a product of sums over a constant: the constant part as one short fraction, a dot before each sum
    (sympy.sqrt(2) * x * (1 - sympy.tanh(u) ** 2) * (1 + 3 * x**2) / (2 * sympy.sqrt(sympy.pi)),
     r"\frac{\sqrt{2} x}{2 \sqrt{\pi}} \cdot \left(1 - \tanh^{2}"),
    # a long sum over a constant: one half times the sum, which a display may cut between its terms
    # (SymPy distributes a number over a sum: a derivation writes the product unevaluated)
    (sympy.Mul(sympy.Rational(1, 2), LONG_SUM, evaluate=False), r"\frac{1}{2} \cdot \left("),
])
def test_a_long_numerator_over_a_constant_is_a_short_fraction_times_the_rest(expr: sympy.Expr, latex: str) -> None:
    assert to_latex(expr).startswith(latex)


@pytest.mark.parametrize(("expr", "latex"), [
    (sympy.Mul(sympy.Rational(1, 2), x + 1, evaluate=False), r"\frac{x + 1}{2}"),  # short: one fraction
    (x * (x + 1) / 3, r"\frac{x \left(x + 1\right)}{3}"),
    # a quotient of functions stays a fraction, however long its numerator (the quotient rule)
    ((sympy.cosh(x) * sympy.Derivative(sympy.sinh(x), x) - sympy.sinh(x) * sympy.Derivative(sympy.cosh(x), x))
     / sympy.cosh(x) ** 2, r"\frac{"),
])
def test_short_fractions_and_quotients_of_functions_stay_fractions(expr: sympy.Expr, latex: str) -> None:
    printed = to_latex(expr)
    assert printed.startswith(latex)
    assert r"} \cdot \left(" not in printed


def test_the_gelu_tanh_derivative_reads_as_a_textbook_writes_it() -> None:
    result = to_latex(derive("gelu_tanh", properties=False).steps[-1].after)
    assert result.startswith(r"\frac{\sqrt{2} x}{2 \sqrt{\pi}} \cdot \left(1 - \tanh^{2}")
    assert r"\frac{1}{2} \cdot x \cdot \sqrt{2}" not in result
