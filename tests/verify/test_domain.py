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
]


@pytest.mark.parametrize("expr", READ_OFF, ids=str)
def test_domains_read_off_are_sympys(expr: sympy.Expr) -> None:
    assert _plain_domain(expr, u) == continuous_domain(expr, u, sympy.S.Reals)


@pytest.mark.parametrize("expr", [sympy.sqrt(u), sympy.log(u**2 - 1), 1 / (u**2 - 2), sympy.asin(u), u**u],
                         ids=str)
def test_anything_else_is_left_to_sympy(expr: sympy.Expr) -> None:
    assert _plain_domain(expr, u) is None
    assert common_domain(expr, expr, u) == continuous_domain(expr, u, sympy.S.Reals)
