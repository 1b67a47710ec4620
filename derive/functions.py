"""The symbols and named functions that derive's expressions are made of.

``sigma`` is the standard logistic sigmoid. It stays unevaluated (``sigma(0)`` is not turned into
``1/2`` behind the reader's back); :func:`expand_definitions` replaces it by its definition, which
is what verification does before it proves anything.
"""

from __future__ import annotations

import sympy
from sympy import Function, S, Symbol, exp


def variable(name: str = "x") -> Symbol:
    """The real variable named ``name``: every derivation and every check uses real symbols.

    >>> variable("x").is_real
    True
    """
    return Symbol(name, real=True)


class sigma(Function):  # noqa: N801 - printed as sigma(x), the name SymPy users read back
    r"""The logistic sigmoid, :math:`\sigma(x) = 1/(1+e^{-x})`."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        """σ′(u) = σ(u)(1 − σ(u)); verification proves this from the definition."""
        (u,) = self.args
        return sigma(u) * (1 - sigma(u))

    def _eval_rewrite_as_exp(self, u: sympy.Expr, **kwargs: object) -> sympy.Expr:
        return S.One / (1 + exp(-u))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _eval_evalf(self, prec: int) -> sympy.Expr:
        return self.rewrite(exp)._eval_evalf(prec)


#: The definitions of the named functions of this module, as functions of their argument.
DEFINITIONS = {sigma: lambda u: S.One / (1 + exp(-u))}


def expand_definitions(expr: sympy.Expr) -> sympy.Expr:
    """Replace every named function (``sigma``) by its definition.

    >>> x = variable()
    >>> expand_definitions(sigma(x))
    1/(1 + exp(-x))
    """
    for function, definition in DEFINITIONS.items():
        if expr.has(function):
            expr = expr.replace(function, definition)
    return expr
