"""Signs and bounds, proved exactly: f > 0, f ≤ M, a maximum, a change of sign.

The expression is written as a rational function of one symbol s: of T = e^(x/L) (with the
substitution of the decision procedure, :mod:`derive.verify.procedure`) when it has
exponentials, where T ranges over (0, ∞) as x ranges over the real line, or of x itself,
which ranges over (−∞, ∞). Numerator and denominator are then polynomials with rational
coefficients, and their signs on that interval are decided exactly from the square-free
factorisation p = c·q₁·q₂²·q₃³···: a factor of even multiplicity is never negative, a factor of
odd multiplicity with no root in the interval keeps one sign there (its roots are counted exactly
with Sturm sequences), which is its sign at any one point. A piecewise function is decided piece
by piece on the open intervals between its break points, and at each break point exactly.

Nothing here is numeric: the numeric check that every proof also gets (at the verifier's sample
points) only screens for a bug, and a disagreement makes the result unproved.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy
from sympy import S, oo

from derive.evaluate import NotEvaluable, evaluate, to_mpf
from derive.expressions import PIECEWISE_KINDS, break_points, interval_samples
from derive.functions import prepare
from derive.model import Described, Verification
from derive.verify.limits import display_symbol, rational_in_t, substitution_text
from derive.verify.procedure import constant_is_zero
from derive.verify.options import DEFAULT_OPTIONS, VerifyOptions, sample_points
from derive.verify.seal import all_of, proof, unproved
from derive.verify.verifier import Verifier

#: The statements this module decides about an expression f: f > 0, f ≥ 0 for every real x.
POSITIVE, NONNEGATIVE = "positive", "nonnegative"


@dataclass(frozen=True, kw_only=True)
class SignProof:
    """The proof (or not) that an expression has a sign for every real x.

    ``written`` is the expression as a factored rational function of ``T`` (or of x), with
    ``substitution`` T = e^(x/L) (None when written in x), and ``reason`` says in words why each
    factor has its sign; documents show them as the argument. All three are None for a
    piecewise function, which is argued piece by piece.
    """

    verification: Verification
    written: sympy.Expr | None = None
    substitution: sympy.Eq | None = None
    reason: str = ""

    @property
    def proved(self) -> bool:
        return self.verification.status == "proved"


@dataclass(frozen=True)
class _PolynomialSign:
    """The sign of a polynomial on an open interval: ``sign`` (+1, -1, 0 for the zero
    polynomial), ``strict`` (it has no root there), or ``changes`` (it has a root of odd multiplicity)."""

    sign: int
    strict: bool
    changes: bool
    positive_coefficients: bool
    squares_only: bool


def prove_positive(expr: sympy.Expr, x: sympy.Symbol, options: VerifyOptions = DEFAULT_OPTIONS) -> SignProof:
    """Prove ``expr > 0`` for every real ``x``.

    >>> from derive.functions import sigma, variable
    >>> x = variable()
    >>> found = prove_positive(sympy.Derivative(sigma(x), x), x)
    >>> found.verification.status, found.written
    ('proved', T/(T + 1)**2)
    """
    return _prove_sign(prepare(expr), x, POSITIVE, options)


def prove_at_most(expr: sympy.Expr, bound: sympy.Expr, x: sympy.Symbol, options: VerifyOptions = DEFAULT_OPTIONS) -> SignProof:
    """Prove ``expr ≤ bound`` for every real ``x``: ``bound − expr ≥ 0``."""
    return _prove_sign(prepare(bound - expr), x, NONNEGATIVE, options)


def prove_maximum(expr: sympy.Expr, at: sympy.Expr, value: sympy.Expr, x: sympy.Symbol, *,
                  bound: SignProof | None = None, options: VerifyOptions = DEFAULT_OPTIONS) -> Verification:
    """Prove that the largest value of ``expr`` is ``value``, taken at ``x = at``: ``expr ≤ value``
    everywhere (``bound``, proved here if not given) and ``expr`` at ``at`` equals ``value``."""
    bound = bound or prove_at_most(expr, value, x, options)
    attained = Verifier(x, options).prove(sympy.Subs(expr, x, at), value)
    return all_of((bound.verification, attained),
                  f"{sympy.sstr(value)} is an upper bound ({bound.verification.method}) and is attained at {x} = {sympy.sstr(at)} "
                  f"({attained.method})")


def prove_sign_change(expr: sympy.Expr, x: sympy.Symbol, point: sympy.Expr) -> SignProof:
    """Prove that ``expr`` changes sign at ``x = point``: written in s (T or x), its numerator has a
    root of odd multiplicity at the point and its denominator none. Only rational points, and
    with T only the point 0 (T = 1): e^q for another rational q is no rational number."""
    expr = prepare(expr)
    rational = rational_in_t(expr, x) if not expr.has(*PIECEWISE_KINDS) else None
    if rational is None or not point.is_Rational:
        return SignProof(verification=unproved(method="no exact sign argument found", numeric_ok=False))
    function, t, scale = rational
    if t is not None and function.has(x):
        return SignProof(verification=unproved(method="a function of both x and e^x: no exact sign argument", numeric_ok=False))
    if t is not None and point != 0:
        return SignProof(verification=unproved(method="only the point 0 (T = 1) is decided exactly", numeric_ok=False))
    s = t if t is not None else x
    at = S.One if t is not None else point
    numerator, denominator = sympy.fraction(function)
    top, bottom = sympy.Poly(numerator, s), sympy.Poly(denominator, s)
    if bottom.eval(at) == 0 or top.is_zero:
        return SignProof(verification=unproved(method="the denominator vanishes there", numeric_ok=False))
    multiplicity = 0
    while top.eval(at) == 0:
        top = sympy.div(top, sympy.Poly(s - at, s))[0]
        multiplicity += 1
    written, substitution = _display(function, t, x, scale)
    where = f"T = {at}" if t is not None else f"{x} = {at}"
    if multiplicity % 2 == 1:
        method = (f"exact: {substitution_text(x, scale, t)}the numerator has a root of odd multiplicity ({multiplicity}) "
                  f"at {where} and the denominator none, so the sign changes there")
        at_point = sympy.Eq(sympy.Symbol("T") if t is not None else x, at, evaluate=False)  # typeset in documents
        reason = Described("the numerator has a simple root at " if multiplicity == 1
                           else "the numerator has a root of odd multiplicity at ", at_point)
        return SignProof(verification=proof(method=method), written=written, substitution=substitution, reason=reason)
    return SignProof(verification=unproved(method=f"the root at {where} has even multiplicity: no sign change", numeric_ok=False))


def _prove_sign(expr: sympy.Expr, x: sympy.Symbol, wanted: str, options: VerifyOptions) -> SignProof:
    if expr.free_symbols - {x}:
        return SignProof(verification=unproved(method="the expression has other symbols: no sign argument", numeric_ok=False))
    points, numeric = _numeric_screen(expr, x, wanted, options)
    if not numeric:
        return SignProof(verification=unproved(method=f"not {wanted} at a sample point", numeric_ok=False, points=points,
                                               digits=options.digits))
    if expr.has(*PIECEWISE_KINDS):
        decided, method = _piecewise_sign(expr, x, wanted)
        written, substitution, reason = None, None, ""
    else:
        decided, method, written, substitution, reason = _smooth_sign(expr, x, wanted)
    if not decided:
        return SignProof(verification=unproved(method=f"checked at {len(points)} points, not proved: {method}", numeric_ok=True,
                                               points=points, digits=options.digits))
    return SignProof(verification=proof(method=method, points=points, digits=options.digits), written=written,
                     substitution=substitution, reason=reason)


def _smooth_sign(expr: sympy.Expr, x: sympy.Symbol, wanted: str) -> tuple[bool, str, sympy.Expr | None, sympy.Eq | None, str]:
    rational = rational_in_t(expr, x)
    if rational is None:
        return False, "not a rational function of x or of e^x", None, None, ""
    function, t, scale = rational
    if t is not None and function.has(x):
        return False, "a rational function of both x and e^x", None, None, ""
    s = t if t is not None else x
    low = S.Zero if t is not None else -oo
    decided = _rational_sign(function, s, low, oo, wanted)
    if decided is None:
        return False, f"not {wanted} on the whole line, or undecided", None, None, ""
    written, substitution = _display(function, t, x, scale)
    domain = "T > 0" if t is not None else f"every real {x}"
    method = f"exact: {substitution_text(x, scale, t)}{decided} for {domain}"
    reason = (Described(f"{decided} for ", sympy.StrictGreaterThan(sympy.Symbol("T"), 0)) if t is not None
              else Described(f"{decided} for every real ", x))
    return True, method, written, substitution, reason


def _rational_sign(function: sympy.Expr, s: sympy.Symbol, low: sympy.Expr, high: sympy.Expr, wanted: str) -> str | None:
    """Why the rational function of ``s`` is ``wanted`` (positive, nonnegative) on (low, high), or None."""
    numerator, denominator = sympy.fraction(sympy.cancel(function))
    try:
        top, bottom = sympy.Poly(numerator, s, domain="QQ"), sympy.Poly(denominator, s, domain="QQ")
    except (sympy.PolynomialError, sympy.CoercionFailed):
        return None
    below = _polynomial_sign(bottom, low, high)
    above = _polynomial_sign(top, low, high)
    if below is None or above is None or not below.strict or below.changes or above.changes:
        return None
    if above.sign * below.sign < 0 or above.sign == 0:
        return None
    if wanted == POSITIVE and not above.strict:
        return None
    parts = "the numerator and the denominator" if not bottom.is_ground else "it"
    if above.positive_coefficients and below.positive_coefficients and low == 0:
        return f"{parts} are polynomials with positive coefficients, so positive" if not bottom.is_ground else "a polynomial with positive coefficients, so positive"
    if above.squares_only and wanted == NONNEGATIVE:
        over = " over a positive denominator" if not bottom.is_ground else ""
        return f"a positive constant times a square{over}, so never negative"
    sign_word = "positive" if wanted == POSITIVE else "never negative"
    return f"no factor of odd multiplicity has a root (counted with Sturm sequences), so {sign_word}"


def _polynomial_sign(poly: sympy.Poly, low: sympy.Expr, high: sympy.Expr) -> _PolynomialSign | None:
    """The sign of ``poly`` on the open interval (low, high), decided exactly."""
    if poly.is_zero:
        return _PolynomialSign(0, False, False, False, False)
    coefficient, factors = poly.sqf_list()
    sign = 1 if coefficient > 0 else -1
    strict, changes, squares_only = True, False, True
    sample = _inside(low, high)
    for factor, multiplicity in factors:
        roots = _roots_inside(factor, low, high)
        if roots:
            strict = False
        if multiplicity % 2 == 1:
            squares_only = False
            if roots:
                changes = True
                continue
            value = factor.eval(sample)
            sign *= 1 if value > 0 else -1
    positive = all(c > 0 for c in poly.coeffs()) and sign > 0
    return _PolynomialSign(sign, strict and not changes, changes, positive, squares_only and sign > 0)


def _roots_inside(poly: sympy.Poly, low: sympy.Expr, high: sympy.Expr) -> int:
    """Distinct real roots of ``poly`` in the open interval (low, high), exactly (Sturm)."""
    inf = None if low == -oo else low
    sup = None if high == oo else high
    count = poly.count_roots(inf, sup)
    for end in (inf, sup):
        if end is not None and poly.eval(end) == 0:
            count -= 1
    return count


def _inside(low: sympy.Expr, high: sympy.Expr) -> sympy.Rational:
    if low == -oo and high == oo:
        return S.Zero
    if low == -oo:
        return high - 1
    if high == oo:
        return low + 1
    return (low + high) / 2


def _piecewise_sign(expr: sympy.Expr, x: sympy.Symbol, wanted: str) -> tuple[bool, str]:
    """Piece by piece on the open intervals between the break points, and exactly at each one."""
    folded = sympy.piecewise_fold(expr.rewrite(sympy.Piecewise))
    pieces = folded.args if isinstance(folded, sympy.Piecewise) else ((folded, sympy.true),)
    cuts = break_points(folded, x)
    if cuts is None or any(piece.has(*PIECEWISE_KINDS) for piece, _ in pieces):
        return False, "conditions that do not compare x with numbers"
    bounds = [-oo, *cuts, oo]
    for index, sample in enumerate(interval_samples(cuts)):
        piece = next((piece for piece, condition in pieces if condition.subs(x, sample) is sympy.true), None)
        if piece is None:
            return False, "an interval where no piece applies"
        if not _piece_sign(piece, x, bounds[index], bounds[index + 1], wanted):
            return False, f"the piece {sympy.sstr(piece)} on ({bounds[index]}, {bounds[index + 1]})"
    for cut in cuts:
        value = folded.subs(x, cut)
        if not (value.is_number and (value.is_positive or (wanted == NONNEGATIVE and value.is_zero))):
            return False, f"the value at the break point {cut}"
    where = ", ".join(map(str, cuts)) or "none"
    return True, f"exact: {wanted} on every interval between the break points ({where}) and at each of them"


def prove_continuous(expr: sympy.Expr, x: sympy.Symbol) -> Verification:
    """Prove a piecewise function continuous at its break points: the pieces on either side of
    each break point take the function's value there (exactly). Each piece must be continuous
    on its own interval; that is what the caller knows (here: a piece whose derivative was
    proved to have a sign there, so it is differentiable)."""
    folded = sympy.piecewise_fold(prepare(expr).rewrite(sympy.Piecewise))
    if not isinstance(folded, sympy.Piecewise):
        return unproved(method="not a piecewise function", numeric_ok=False)
    cuts = break_points(folded, x)
    if cuts is None or not _continuous_at(folded, folded.args, cuts, x):
        return unproved(method="a jump at a break point, or break points not decided", numeric_ok=False)
    where = ", ".join(map(str, cuts)) or "none"
    return proof(method=f"exact: the pieces meet at every break point ({where})")


def _continuous_at(folded: sympy.Expr, pieces: tuple, cuts: list[sympy.Rational], x: sympy.Symbol) -> bool:
    """The pieces active just left and just right of each cut take, at the cut, the value there."""
    samples = interval_samples(cuts)
    for index, cut in enumerate(cuts):
        value = folded.subs(x, cut)
        for sample in (samples[index], samples[index + 1]):
            piece = next((piece for piece, condition in pieces if condition.subs(x, sample) is sympy.true), None)
            if piece is None or not _same_number(piece.subs(x, cut), value):
                return False
    return True


def _same_number(a: sympy.Expr, b: sympy.Expr) -> bool:
    if not (a.is_number and b.is_number):
        return False
    difference = a - b
    return difference == 0 or (not difference.atoms(sympy.Float) and constant_is_zero(difference) is True)


def _piece_sign(piece: sympy.Expr, x: sympy.Symbol, low: sympy.Expr, high: sympy.Expr, wanted: str) -> bool:
    if not piece.has(x):
        return bool(piece.is_positive or (wanted == NONNEGATIVE and piece.is_zero))
    rational = rational_in_t(piece, x)
    if rational is None:
        return False
    function, t, _ = rational
    if t is None:
        return _rational_sign(function, x, low, high, wanted) is not None
    if function.has(x) or any(end not in (-oo, 0, oo) for end in (low, high)):
        return False  # e^q for a rational q other than 0 is no rational bound for T
    t_bounds = {-oo: S.Zero, 0: S.One, oo: oo}
    return _rational_sign(function, t, t_bounds[low], t_bounds[high], wanted) is not None


def sampled_values(expr: sympy.Expr, x: sympy.Symbol, options: VerifyOptions) -> list[tuple[str, mpmath.mpf]]:
    """``expr`` at each of the verifier's sample points where it is defined, with the point's label."""
    found = []
    with mpmath.workdps(options.digits + 10):
        for point in sample_points(x, options)[: options.points]:
            try:
                found.append((f"{point.p / point.q:.3f}", evaluate(expr, {x: to_mpf(point)})))
            except NotEvaluable:
                continue
    return found


def _numeric_screen(expr: sympy.Expr, x: sympy.Symbol, wanted: str, options: VerifyOptions) -> tuple[tuple[str, ...], bool]:
    """The sign at the verifier's sample points (a screen for bugs, not a proof)."""
    found = sampled_values(expr, x, options)
    tolerance = -mpmath.mpf(10) ** (-options.digits)
    agrees = all(value > 0 if wanted == POSITIVE else value >= tolerance for _, value in found)
    return tuple(label for label, _ in found), agrees and bool(found)


def _display(function: sympy.Expr, t: sympy.Symbol | None, x: sympy.Symbol, scale: int) -> tuple[sympy.Expr, sympy.Eq | None]:
    """The rational function as documents show it: factored, in the symbol T > 0."""
    if t is None:
        return sympy.factor(function), None
    shown = display_symbol()
    return sympy.factor(function.xreplace({t: shown})), sympy.Eq(shown, sympy.exp(x / scale), evaluate=False)

