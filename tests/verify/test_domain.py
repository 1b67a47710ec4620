"""Where an equality is claimed: the domains read off directly (ln of a linear function, whole
powers, e^u) are exactly the sets SymPy's continuous_domain finds; anything else goes to SymPy."""

from __future__ import annotations

import pytest
import sympy
from sympy.calculus.util import continuous_domain

from derive.verify.domain import _plain_domain, common_domain

u = sympy.Symbol("u", real=True)

READ_OFF = [
    sympy.log(u), 1 / u, sympy.log(2 * u - 3), sympy.log(1 - u) / u, sympy.exp(1 / u), u**2 + sympy.log(u + 1),
    1 / (u - 2) ** 2, sympy.log(u) ** 2, u * sympy.exp(u), sympy.log(3 - u / 2), -1 / u**2, sympy.exp(-u) / (1 + u),
    1 / (u**2 - 2), sympy.sin(u) / u, u / (u**3 - u), sympy.atan(1 / u), sympy.cos(u) / (u**2 + 1),
    sympy.tanh(u - 1 / u),
    # a label y beside the variable, and arguments SymPy knows to be positive (σ written out)
    sympy.Symbol("y", real=True) * sympy.log(u), (1 - sympy.Symbol("y", real=True)) * sympy.log(1 - u),
    sympy.log(1 / (1 + sympy.exp(-u))), 1 / (1 + sympy.exp(-u)),
    1 / (u**4 - 5 * u**2 + 4), sympy.Abs(u) / (2 * u - 1),
]


@pytest.mark.parametrize("expr", READ_OFF, ids=str)
def test_domains_read_off_are_sympys(expr: sympy.Expr) -> None:
    assert _plain_domain(expr, u) == continuous_domain(expr, u, sympy.S.Reals)


# roots and logarithms of polynomials whose zeros are found exactly: read off too, from the sign
# of the polynomial between its zeros (SymPy's continuous_domain takes seconds over x/sqrt(1 - x^2))
READ_OFF += [
    sympy.sqrt(u), sympy.log(u**2 - 1), sympy.sqrt(1 - u**2), u / sympy.sqrt(1 - u**2), 1 / sympy.sqrt(u**2 - 4),
    sympy.sqrt(u**2 + 1), sympy.log(u**2 - 2 * u + 1), sympy.sqrt((u - 1) * (u - 3)), 1 / sympy.sqrt(1 - u**2) ** 2,
    sympy.sqrt(u**3 - u), sympy.log(4 - u**2) / u,
    # inverse functions of polynomials, rational functions under roots and logarithms, powers to a letter
    sympy.asin(u), sympy.acos(2 * u - 1), sympy.acosh(u), sympy.asec(u), sympy.acsc(u / 2), sympy.atanh(u), sympy.acoth(u),
    sympy.sqrt(1 - 1 / u**2), sympy.log(1 + 1 / u), 1 / (u * (1 + 1 / u)), 1 / (sympy.sqrt(u**2 - 1) * sympy.Abs(u)),
]
ALGEBRAIC = READ_OFF[-23:]


@pytest.mark.parametrize("expr", ALGEBRAIC, ids=str)
def test_roots_and_logarithms_of_polynomials_are_read_off_without_sympys_solver(expr: sympy.Expr) -> None:
    assert _plain_domain(expr, u) == continuous_domain(expr, u, sympy.S.Reals)


@pytest.mark.parametrize("expr", [1 / (u**5 - u - 1), sympy.asin(u**3 + u**2 + 1) + 1 / (u**5 - u - 1), sympy.sqrt(u**5 - u - 1)],
                         ids=str)
def test_anything_else_is_left_to_sympy(expr: sympy.Expr) -> None:
    assert _plain_domain(expr, u) is None
    assert common_domain(expr, expr, u) == continuous_domain(expr, u, sympy.S.Reals)


a = sympy.Symbol("a")
third = sympy.Rational(1, 3)

# (expression, where derive finds it defined): SymPy's continuous_domain takes an odd root of a
# negative number as real, but the power is the principal root, complex there, as the verifier
# evaluates it; a power to a letter needs a positive base; a part in the parameters alone (ln a)
# is a condition on them, not on u.
CORRECTED = [
    (u**third, sympy.Interval(0, sympy.oo)),
    (u ** sympy.Rational(2, 3), sympy.Interval(0, sympy.oo)),
    (u**-third, sympy.Interval.open(0, sympy.oo)),
    ((u - 2) ** third, sympy.Interval(2, sympy.oo)),
    (u**u, sympy.Interval.open(0, sympy.oo)),
    ((1 + 1 / u) ** u, sympy.Union(sympy.Interval.open(-sympy.oo, -1), sympy.Interval.open(0, sympy.oo))),
    (u**a, sympy.Interval.open(0, sympy.oo)),
    (sympy.log(u) / sympy.log(a), sympy.Interval.open(0, sympy.oo)),
    (a * sympy.asin(u), sympy.Interval(-1, 1)),
]


@pytest.mark.parametrize(("expr", "domain"), CORRECTED, ids=[str(expr) for expr, _ in CORRECTED])
def test_principal_roots_powers_to_a_letter_and_parameters(expr: sympy.Expr, domain: sympy.Set) -> None:
    assert common_domain(expr, expr, u) == domain
    inside, outside = (sympy.Rational(5, 2), sympy.Rational(-1, 2)) if domain.inf != -1 else (sympy.Rational(1, 2), 3)
    value = {a: sympy.Rational(3, 2)}
    assert sympy.N(expr.subs({u: inside, **value})).is_extended_real
    assert not sympy.N(expr.subs({u: outside, **value})).is_extended_real  # complex there: undefined


def test_a_domain_that_depends_on_a_parameter_is_not_stated() -> None:
    """ln(a·u) is defined for u > 0 only when a > 0: no condition on u alone holds."""
    assert common_domain(sympy.log(a * u), sympy.log(a * u), u) is None


def test_a_domain_that_depends_on_other_letters_is_left_to_the_points() -> None:
    """ln(1 − σ(w·x + b)) in w: where it is defined depends on x and b, no condition a document
    states; SymPy's solver is not asked (it took a second to say as much)."""
    w, b, x = (sympy.Symbol(name, real=True) for name in "wbx")
    loss = sympy.log(1 - 1 / (1 + sympy.exp(-(w * x + b))))
    assert common_domain(loss, loss, w) is None
