"""Express a derivative in terms of the function itself: find P with f′ = P(f).

This is a general step, not sigmoid-specific text. For a candidate degree n, the unknown
coefficients c₀…cₙ of P enter the identity ``f′ − Σ cₖ fᵏ = 0`` linearly, so sampling it at
n + 1 points gives a linear system; a solution that fits every other sample point and has small
rational coefficients is a candidate, which is then proved symbolically like any other step
(finding and proving are separate: a wrong candidate can only fail its proof). σ′ = σ(1 − σ), tanh′ = 1 − tanh² and (eˣ)′ = eˣ come out of
this; for x² (derivative 2x) it reports that no such polynomial exists.
"""

from __future__ import annotations

import sympy

from derive.model import Recognition, Verification, say
from collections.abc import Mapping
from fractions import Fraction

import mpmath

from derive.evaluate import NotEvaluable, evaluate
from derive.verify import DEFAULT_OPTIONS, VerifyOptions, prepare, prove_equal, sample_points

MAX_DEGREE = 4


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


def as_polynomial_in(
    target: sympy.Expr,
    function: sympy.Expr,
    variable: sympy.Symbol,
    *,
    max_degree: int = MAX_DEGREE,
    options: VerifyOptions = DEFAULT_OPTIONS,
) -> sympy.Expr | None:
    """``target`` written as a proved polynomial in ``function`` (e.g. e^x/(1+e^x) = σ(x)), or None."""
    fitted = _fit_and_prove(target, target, function, variable, max_degree, options, {})
    return None if fitted is None else fitted[0]


def _fit_and_prove(
    values_of: sympy.Expr, claim: sympy.Expr, function: sympy.Expr, variable: sympy.Symbol,
    max_degree: int, options: VerifyOptions, proved: Mapping[sympy.Expr, Verification],
) -> tuple[sympy.Expr, Verification] | None:
    """The lowest-degree P fitted to the values of ``values_of`` for which ``claim = P(function)`` is proved."""
    f, value = prepare(function), prepare(values_of)
    for degree in range(1, max_degree + 1):
        coefficients = _solve_for_coefficients(f, value, variable, degree, options)
        if coefficients is None:
            continue
        form = polynomial_in(function, coefficients)
        verification = proved.get(form) or prove_equal(claim, form, variable, options)
        if verification.status == "proved":
            return form, verification
    return None


def polynomial_in(function: sympy.Expr, coefficients: list[sympy.Rational]) -> sympy.Expr:
    """Σ cₖ·fᵏ written for reading: f·(1 − f) rather than f − f², constant term first."""
    if coefficients[0] == 0 and any(coefficients[1:]):
        inner = polynomial_in(function, coefficients[1:])
        if inner.is_Number:
            return inner * function
        return sympy.Mul(function, inner, evaluate=False)
    terms = [c * function**k for k, c in enumerate(coefficients) if c != 0]
    return terms[0] if len(terms) == 1 else sympy.Add(*terms, evaluate=False)


def _solve_for_coefficients(
    f: sympy.Expr, fprime: sympy.Expr, variable: sympy.Symbol, degree: int, options: VerifyOptions
) -> list[sympy.Rational] | None:
    """Coefficients of P found numerically (a candidate only: the caller proves it symbolically).

    Solve Σ cₖ f(xᵢ)ᵏ = f′(xᵢ) at degree + 1 sample points, check the fit at the remaining
    points, and accept coefficients that are small rationals to 25 digits.
    """
    with mpmath.workdps(options.digits + 10):
        samples = []
        for point in sample_points(variable, options):
            if len(samples) == degree + 4:  # degree + 1 to fit, three more to check the fit
                break
            try:
                at = mpmath.mpf(point.p) / point.q
                samples.append((evaluate(f, {variable: at}), evaluate(fprime, {variable: at})))
            except NotEvaluable:
                continue
        if len(samples) < degree + 3:
            return None
        fit, check = samples[: degree + 1], samples[degree + 1 :]
        matrix = mpmath.matrix([[value**k for k in range(degree + 1)] for value, _ in fit])
        try:
            solution = mpmath.lu_solve(matrix, mpmath.matrix([slope for _, slope in fit]))
        except ZeroDivisionError:
            return None
        coefficients = []
        for value in solution:
            rational = Fraction(mpmath.nstr(value, options.digits)).limit_denominator(10**6)
            if abs(value - mpmath.mpf(rational.numerator) / rational.denominator) > mpmath.mpf(10) ** -25:
                return None
            coefficients.append(sympy.Rational(rational.numerator, rational.denominator))
        tolerance = mpmath.mpf(10) ** -25
        for value, slope in check:
            fitted = sum(mpmath.mpf(c.p) / c.q * value**k for k, c in enumerate(coefficients))
            if abs(fitted - slope) > tolerance * max(1, abs(slope)):
                return None
    if coefficients[-1] == 0:
        return None
    return coefficients
