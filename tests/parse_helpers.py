"""Helpers shared by the parser's tests: expected trees, and a parse result rebuilt with evaluation."""

from __future__ import annotations

import sympy
from sympy import Derivative, Dummy, Subs

from derive.functions import variable

x = variable("x")
u = Dummy("u", real=True)


def evaluated(expr: sympy.Basic) -> sympy.Basic:
    """Rebuild an ``evaluate=False`` tree with SymPy's normal evaluation (derivatives stay)."""
    if not expr.args:
        return expr
    return expr.func(*(evaluated(arg) for arg in expr.args))


def d(expr: sympy.Expr, order: int = 1) -> sympy.Expr:
    return Derivative(expr, (x, order))


def at(function: sympy.FunctionClass, point: sympy.Expr, order: int = 1) -> sympy.Expr:
    return Subs(Derivative(function(u), (u, order)), u, point)


def same(actual: sympy.Basic, expected: sympy.Basic) -> bool:
    return evaluated(actual) == expected
