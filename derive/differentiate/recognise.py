"""Candidate forms: a result written as a polynomial in a function (σ(1 − σ) for e^(−x)/(1 + e^(−x))²).

Finding a form is numeric and proves nothing: for a degree n, the coefficients c₀…cₙ of
P with ``value = Σ cₖ fᵏ`` enter linearly, so sampling at n + 1 points gives a linear system; a
solution that also fits three more points and has small rational coefficients is a candidate.
A step that uses a candidate is proved by the verify stage like any other step (a wrong
candidate can only fail its proof), and :mod:`derive.facts.recognition` proves the
"in terms of itself" form f′ = P(f).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction

import mpmath
import sympy

from derive.evaluate import NotEvaluable, evaluate, to_mpf
from derive.functions import prepare

MAX_DEGREE = 4
#: Points where candidates are fitted: thirds and sevenths in [-3, 3], then positive reserves
#: (for results defined only for x > 0). Exact rationals, so the fit is reproducible.
FIT_POINTS: tuple[sympy.Rational, ...] = tuple(
    sympy.Rational(p, q) for p, q in ((-17, 7), (-5, 3), (-4, 7), (2, 3), (9, 7), (7, 3), (-8, 3), (11, 7),
                                      (1, 7), (4, 3), (13, 7), (8, 3))
)
FIT_DIGITS = 35


def candidates(
    value: sympy.Expr, function: sympy.Expr, variable: sympy.Symbol, *, max_degree: int = MAX_DEGREE,
    points: Sequence[sympy.Rational] = FIT_POINTS, digits: int = FIT_DIGITS,
) -> Iterator[sympy.Expr]:
    """Polynomials P in ``function`` whose values fit ``value`` numerically, lowest degree first."""
    f, target = prepare(function), prepare(value)
    for degree in range(1, max_degree + 1):
        coefficients = fit_polynomial(f, target, variable, degree, points, digits)
        if coefficients is not None:
            yield polynomial_in(function, coefficients)


def polynomial_in(function: sympy.Expr, coefficients: list[sympy.Rational]) -> sympy.Expr:
    """Σ cₖ·fᵏ written for reading: f·(1 − f) rather than f − f², constant term first."""
    if coefficients[0] == 0 and any(coefficients[1:]):
        inner = polynomial_in(function, coefficients[1:])
        if inner.is_Number:
            return inner * function
        return sympy.Mul(function, inner, evaluate=False)
    terms = [c * function**k for k, c in enumerate(coefficients) if c != 0]
    return terms[0] if len(terms) == 1 else sympy.Add(*terms, evaluate=False)


def fit_polynomial(
    f: sympy.Expr, fprime: sympy.Expr, variable: sympy.Symbol, degree: int,
    points: Sequence[sympy.Rational] = FIT_POINTS, digits: int = FIT_DIGITS,
) -> list[sympy.Rational] | None:
    """Coefficients of P found numerically (a candidate only: the caller proves it symbolically).

    Solve Σ cₖ f(xᵢ)ᵏ = f′(xᵢ) at degree + 1 sample points, check the fit at the remaining
    points, and accept coefficients that are small rationals to 25 digits.
    """
    with mpmath.workdps(digits + 10):
        samples = []
        for point in points:
            if len(samples) == degree + 4:  # degree + 1 to fit, three more to check the fit
                break
            try:
                at = to_mpf(point)
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
            rational = Fraction(mpmath.nstr(value, digits)).limit_denominator(10**6)
            if abs(value - mpmath.mpf(rational.numerator) / rational.denominator) > mpmath.mpf(10) ** -25:
                return None
            coefficients.append(sympy.Rational(rational.numerator, rational.denominator))
        tolerance = mpmath.mpf(10) ** -25
        for value, slope in check:
            fitted = sum(to_mpf(c) * value**k for k, c in enumerate(coefficients))
            if abs(fitted - slope) > tolerance * max(1, abs(slope)):
                return None
    if coefficients[-1] == 0:
        return None
    return coefficients
