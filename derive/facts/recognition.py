"""Express a derivative in terms of the function itself: find P with f′ = P(f).

This is a general step, not sigmoid-specific text. For a candidate degree n, the unknown
coefficients c₀…cₙ of P enter the identity ``f′ − Σ cₖ fᵏ = 0`` linearly, so sampling it at
n + 1 points gives a linear system; a solution that fits every other sample point and has small
rational coefficients is a candidate, which is then proved symbolically like any other step
(finding and proving are separate: a wrong candidate can only fail its proof). σ′ = σ(1 − σ), tanh′ = 1 − tanh² and (eˣ)′ = eˣ come out of
this; for x² (derivative 2x) it reports that no such polynomial exists.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from derive.differentiate.recognise import MAX_DEGREE, candidates
from derive.functions import prepare
from derive.model import Recognition, Verification, say
from derive.verify import DEFAULT_OPTIONS, VerifyOptions, prove_equal, sample_points


def express_in_terms_of_itself(
    function: sympy.Expr,
    derivative: sympy.Expr,
    variable: sympy.Symbol,
    *,
    max_degree: int = MAX_DEGREE,
    options: VerifyOptions = DEFAULT_OPTIONS,
    proved: Mapping[sympy.Expr, Verification] | None = None,
) -> Recognition:
    """Find and prove ``d/dx function = P(function)`` with P a polynomial of degree ≤ ``max_degree``.

    ``function`` is what P is written in (``sigma(x)``, ``tanh(x)``); ``derivative`` is any
    expression equal to its derivative. ``proved`` maps forms already proved equal to the
    derivative (the derivation's own result) to their proofs, which are then reused.

    >>> from derive.functions import variable
    >>> x = variable()
    >>> express_in_terms_of_itself(sympy.tanh(x), 1 - sympy.tanh(x) ** 2, x).form
    1 - tanh(x)**2
    """
    if not prepare(function).has(variable):
        return Recognition(found=False, form=None, message=say("The function is constant."))
    derivative_of_function = sympy.Derivative(function, variable)
    fitted = _fit_and_prove(derivative, derivative_of_function, function, variable, max_degree, options, proved or {})
    if fitted is not None:
        form, verification = fitted
        return Recognition(
            found=True,
            form=form,
            message=say("The derivative is a polynomial in the function itself: ",
                        sympy.Eq(derivative_of_function, form, evaluate=False), "."),
            verification=verification,
        )
    return Recognition(
        found=False,
        form=None,
        message=say(f"No polynomial of degree at most {max_degree} in ", function, " equals its derivative."),
    )


def _fit_and_prove(
    values_of: sympy.Expr, claim: sympy.Expr, function: sympy.Expr, variable: sympy.Symbol,
    max_degree: int, options: VerifyOptions, proved: Mapping[sympy.Expr, Verification],
) -> tuple[sympy.Expr, Verification] | None:
    """The lowest-degree P fitted to the values of ``values_of`` for which ``claim = P(function)`` is proved."""
    points = sample_points(variable, options)
    for form in candidates(values_of, function, variable, max_degree=max_degree, points=points, digits=options.digits):
        verification = proved.get(form) or prove_equal(claim, form, variable, options)
        if verification.status == "proved":
            return form, verification
    return None


