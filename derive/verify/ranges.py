"""The range of a derivative, its maximum and minimum and where they are taken, proved exactly.

For F′ (the derivative of a function F of one real variable x) the real line is cut at the break
points of a piecewise F′ and at the turning points of each piece: the zeros of its own derivative
F″. On each open stretch between two cuts F′ is then constant, or strictly increasing or
decreasing (F″ has one sign there), so it takes exactly the values strictly between its values
at the two ends: at a turning point its value there, at ±∞ its limit (proved by
:mod:`derive.verify.limits`), at a break point the limit of the piece. At a break point c, F′(c)
exists only if F is continuous there and the pieces' limits agree (a derivative that has one-sided
limits equals them, by the mean value theorem): then it is that common value, otherwise c is
no point of F′'s domain (ReLU at 0). The range is the union of the stretches' values and the
values at the points.

F″ is decided exactly: it must be a product of positive factors (constants of known sign,
exponentials) and one rational function with rational coefficients of x, or of T = e^(x/L) (the
substitution of :mod:`derive.verify.signs`). Its zeros are then roots of a polynomial, found
exactly, and its sign on each stretch is its sign at a rational point between two roots, computed
in exact arithmetic. Anything else (SiLU's F″ mixes x and e^x; its turning point solves a
transcendental equation) is not proved. A numeric screen checks F′ at the verifier's points
against the range found, as every proof here is.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import mpmath
import sympy
from sympy import S, oo

from derive.expressions import PIECEWISE_KINDS, break_points, interval_samples
from derive.functions import prepare
from derive.model import Verification
from derive.verify.limits import prove_limit, rational_in_t
from derive.verify.options import DEFAULT_OPTIONS, VerifyOptions
from derive.verify.procedure import constant_is_zero
from derive.verify.seal import all_of, proof, unproved
from derive.verify.signs import prove_continuous, sampled_values

#: How F′ behaves on a stretch.
INCREASING, DECREASING, CONSTANT = "increasing", "decreasing", "constant"


@dataclass(frozen=True, kw_only=True)
class Stretch:
    """On the open interval (``low``, ``high``) F′ is ``trend`` and takes the values ``image``."""

    low: sympy.Expr
    high: sympy.Expr
    trend: str
    image: sympy.Set


@dataclass(frozen=True, kw_only=True)
class RangeProof:
    """The values F′ takes for real x, proved (or not): ``values`` its range, ``maximum`` and
    ``minimum`` its largest and smallest values when they are taken (``maximum_at``, ``minimum_at``
    the sets of x where), ``supremum`` and ``infimum`` its bounds (±∞ when unbounded), the
    ``stretches`` and the ``points`` (x, F′(x)) that the argument adds up."""

    verification: Verification
    values: sympy.Set | None = None
    supremum: sympy.Expr | None = None
    infimum: sympy.Expr | None = None
    maximum: sympy.Expr | None = None
    maximum_at: sympy.Set | None = None
    minimum: sympy.Expr | None = None
    minimum_at: sympy.Set | None = None
    stretches: tuple[Stretch, ...] = ()
    points: tuple[tuple[sympy.Expr, sympy.Expr], ...] = ()

    @property
    def proved(self) -> bool:
        return self.verification.status == "proved"


class _Undecided(Exception):
    """The argument does not apply (the reason is the message)."""


@functools.lru_cache(maxsize=256)
def prove_derivative_range(definition: sympy.Expr, x: sympy.Symbol, options: VerifyOptions = DEFAULT_OPTIONS) -> RangeProof:
    """The range of the derivative of ``definition`` (a function of ``x`` alone) over the reals
    (remembered: a pure function of immutable arguments, asked again by the comparison table).

    >>> from derive.functions import sigma, variable
    >>> x = variable()
    >>> found = prove_derivative_range(sigma(x), x)
    >>> found.values, found.maximum, found.maximum_at
    (Interval.Lopen(0, 1/4), 1/4, {0})
    """
    first = prepare(sympy.Derivative(definition, x))
    if first.free_symbols - {x}:
        return RangeProof(verification=unproved(method="the derivative has other symbols: no range argument", numeric_ok=False))
    try:
        stretches, points, limits, turning = _argument(first, definition, x)
    except _Undecided as reason:
        return RangeProof(verification=unproved(method=f"range not proved: {reason}", numeric_ok=False))
    values = sympy.Union(*(stretch.image for stretch in stretches), sympy.FiniteSet(*(value for _, value in points)))
    screen, checked = _numeric_screen(first, values, x, options)
    if not screen:
        return RangeProof(verification=unproved(method="a value at a sample point lies outside the range found",
                                                numeric_ok=False, points=checked, digits=options.digits))
    supremum, infimum = values.sup, values.inf
    maximum = supremum if values.contains(supremum) is sympy.true else None
    minimum = infimum if values.contains(infimum) is sympy.true else None
    where = "; ".join(f"{stretch.trend} on ({sympy.sstr(stretch.low)}, {sympy.sstr(stretch.high)})" for stretch in stretches)
    turns = ", ".join(sympy.sstr(point) for point in turning) or "none"
    method = (f"exact: F'' has one sign between its zeros (turning points of F': {turns}) and the break points, so F' is "
              f"{where}; with its values at those points and its limits at the ends, F' takes exactly {sympy.sstr(values)}")
    verification = all_of(limits, method) if limits else proof(method=method)
    if verification.status == "proved":
        verification = proof(method=method, points=checked, digits=options.digits)
    return RangeProof(
        verification=verification, values=values, supremum=supremum, infimum=infimum,
        maximum=maximum, maximum_at=_where(maximum, stretches, points) if maximum is not None else None,
        minimum=minimum, minimum_at=_where(minimum, stretches, points) if minimum is not None else None,
        stretches=tuple(stretches), points=tuple(points),
    )


def _argument(first: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol
              ) -> tuple[list[Stretch], list[tuple[sympy.Expr, sympy.Expr]], list[Verification], list[sympy.Expr]]:
    """The stretches, the points with their values, the limit proofs used and the turning points."""
    if first.has(*PIECEWISE_KINDS):
        folded = sympy.piecewise_fold(first.rewrite(sympy.Piecewise))
        cuts = break_points(folded, x)
        if cuts is None:
            raise _Undecided("conditions that do not compare x with numbers")
        pieces = folded.args if isinstance(folded, sympy.Piecewise) else ((folded, sympy.true),)
    else:
        cuts, pieces = [], ((first, sympy.true),)
    bounds = [-oo, *cuts, oo]
    stretches: list[Stretch] = []
    points: list[tuple[sympy.Expr, sympy.Expr]] = []
    limits: list[Verification] = []
    turning: list[sympy.Expr] = []
    ends: list[tuple[sympy.Expr, sympy.Expr]] = []  # the piece's value at the left and right end of each interval
    for index, sample in enumerate(interval_samples(cuts)):
        piece = next((piece for piece, condition in pieces if condition.subs(x, sample) is sympy.true), None)
        if piece is None or piece.has(*PIECEWISE_KINDS):
            raise _Undecided("an interval where no single piece applies")
        low, high = bounds[index], bounds[index + 1]
        left, right = (_end_value(piece, x, end, side, limits) for end, side in ((low, 1), (high, -1)))
        ends.append((left, right))
        if not piece.has(x):
            stretches.append(Stretch(low=low, high=high, trend=CONSTANT, image=sympy.FiniteSet(piece)))
            continue
        roots, signs = _sign_pattern(sympy.diff(piece, x), x, low, high)
        turning += roots
        cut = [low, *roots, high]
        values = [left, *(_value(piece, x, root) for root in roots), right]
        points += list(zip(roots, values[1:-1]))
        for start, stop, begin, end, sign in zip(cut, cut[1:], values, values[1:], signs):
            image = sympy.Interval.open(begin, end) if sign > 0 else sympy.Interval.open(end, begin)
            stretches.append(Stretch(low=start, high=stop, trend=INCREASING if sign > 0 else DECREASING, image=image))
    continuous: Verification | None = None
    for index, cut_point in enumerate(cuts):
        from_left, from_right = ends[index][1], ends[index + 1][0]
        if not _same(from_left, from_right):
            continue  # F' has different one-sided limits: F is not differentiable at the break point
        if continuous is None:
            continuous = prove_continuous(definition, x)
            if continuous.status != "proved":
                raise _Undecided("F is not proved continuous at its break points")
            limits.append(continuous)
        points.append((cut_point, from_left))
    return stretches, points, limits, turning


def _end_value(piece: sympy.Expr, x: sympy.Symbol, end: sympy.Expr, side: int, limits: list[Verification]) -> sympy.Expr:
    """The limit of ``piece`` at an end of its interval: proved at ±∞, its value at a finite end."""
    if end in (oo, -oo):
        found = prove_limit(piece, x, end)
        if found is None or not found.proved:
            raise _Undecided(f"the limit of {sympy.sstr(piece)} at {sympy.sstr(end)} is not proved")
        limits.append(found.verification)
        return found.value
    return _value(piece, x, end)


def _value(piece: sympy.Expr, x: sympy.Symbol, at: sympy.Expr) -> sympy.Expr:
    """The value of a piece at a point where it is defined (continuous there: it is an elementary
    function whose derivative was found defined on the closed stretch)."""
    value = piece.subs(x, at)
    if not (value.is_number and value.is_finite and value.is_real):
        raise _Undecided(f"{sympy.sstr(piece)} has no finite value at {sympy.sstr(at)}")
    return value


def _same(a: sympy.Expr, b: sympy.Expr) -> bool:
    difference = sympy.expand(a - b)
    return difference == 0 or (not difference.atoms(sympy.Float) and constant_is_zero(difference) is True)


def _sign_pattern(derivative: sympy.Expr, x: sympy.Symbol, low: sympy.Expr, high: sympy.Expr
                  ) -> tuple[list[sympy.Expr], list[int]]:
    """The zeros of ``derivative`` where it changes sign inside (low, high), in x and sorted,
    and its sign (+1, −1) on each stretch between them; _Undecided when not decided exactly."""
    sign, rational, t, scale = _factors(derivative, x)
    if t is None:
        s, lo, hi = x, low, high
    else:
        t_bounds = {-oo: S.Zero, 0: S.One, oo: oo}
        if low not in t_bounds or high not in t_bounds:
            raise _Undecided("a break point other than 0 with e^x: no rational bound for T")
        s, lo, hi = t, t_bounds[low], t_bounds[high]
    numerator, denominator = sympy.fraction(sympy.cancel(rational))
    try:
        top, bottom = sympy.Poly(numerator, s, domain="QQ"), sympy.Poly(denominator, s, domain="QQ")
    except (sympy.PolynomialError, sympy.CoercionFailed):
        raise _Undecided("F'' is not a rational function with rational coefficients") from None
    if top.is_zero:
        raise _Undecided("F'' vanishes on a whole interval while the piece is not constant")
    inf, sup = (None if lo == -oo else lo), (None if hi == oo else hi)
    if bottom.count_roots(inf, sup) or any(end is not None and bottom.eval(end) == 0 for end in (inf, sup)):
        raise _Undecided("F'' has a pole in the interval")
    isolated = [((a, b), multiplicity) for (a, b), multiplicity in top.intervals(inf=inf, sup=sup, eps=sympy.Rational(1, 10**6))]
    inside = [(a, b, multiplicity) for (a, b), multiplicity in isolated
              if not (a == b and (a == inf or a == sup))]  # a root at an end is no turning point inside
    changing = [(a, b) for a, b, _ in inside]
    samples = _between(changing, lo, hi)
    signs = []
    for point in samples:
        value = top.eval(point) * bottom.eval(point)
        if value == 0:
            raise _Undecided("a sample point fell on a zero")
        signs.append(sign * (1 if value > 0 else -1))
    roots = [_root(top, a, b) for a, b in changing]
    if t is not None:
        roots = [sympy.expand_log(scale * sympy.log(root), force=True) for root in roots]
    merged_roots, merged_signs = [], [signs[0]]
    for root, following in zip(roots, signs[1:]):
        if following == merged_signs[-1]:
            continue  # a root of even multiplicity: no change of direction
        merged_roots.append(root)
        merged_signs.append(following)
    return merged_roots, merged_signs


def _factors(derivative: sympy.Expr, x: sympy.Symbol) -> tuple[int, sympy.Expr, sympy.Symbol | None, int]:
    """``derivative`` = (positive factors) · sign · R(s), R rational in one symbol s (x or T):
    (sign, R, T or None, L)."""
    whole = rational_in_t(derivative, x)
    if whole is not None and not (whole[1] is not None and whole[0].has(x)):
        return 1, whole[0], whole[1], whole[2]
    numerator, denominator = sympy.fraction(sympy.factor_terms(sympy.together(derivative)))
    sign, rational = 1, S.One
    for part, power in ((numerator, 1), (denominator, -1)):
        for factor in sympy.Mul.make_args(part):
            base, exponent = factor.as_base_exp()
            if not factor.has(x):
                decided = 1 if factor.is_positive else -1 if factor.is_negative else 0
                if decided == 0:
                    raise _Undecided(f"the sign of the constant {sympy.sstr(factor)} is not decided")
                sign *= decided
            elif isinstance(factor, sympy.exp) or (base == sympy.E and exponent.is_real):
                continue  # e^u > 0
            else:
                found = rational_in_t(factor, x)
                if found is None or found[1] is not None:
                    raise _Undecided(f"the factor {sympy.sstr(factor)} of F'' is not a rational function of {x}")
                rational *= found[0] ** power
    return sign, rational, None, 1


def _between(roots: list[tuple[sympy.Rational, sympy.Rational]], lo: sympy.Expr, hi: sympy.Expr) -> list[sympy.Rational]:
    """A rational point in each stretch that the isolated roots cut (lo, hi) into."""
    edges = [lo, *(end for a, b in roots for end in (a, b)), hi]
    points = []
    for left, right in zip(edges[::2], edges[1::2]):
        if left == -oo and right == oo:
            points.append(S.Zero)
        elif left == -oo:
            points.append(right - 1)
        elif right == oo:
            points.append(left + 1)
        else:
            points.append((left + right) / 2)
    return points


def _root(poly: sympy.Poly, a: sympy.Rational, b: sympy.Rational) -> sympy.Expr:
    """The root of ``poly`` in the isolating interval [a, b], in closed form where there is one."""
    if a == b:
        return a
    for root in sympy.roots(poly, filter="R"):
        if root.is_real and (a <= root) is sympy.true and (root <= b) is sympy.true:
            return root
    candidates = [root for root in poly.real_roots() if (a <= root) is sympy.true and (root <= b) is sympy.true]
    if len(candidates) != 1:
        raise _Undecided("a root could not be located exactly")
    return candidates[0]


def _where(value: sympy.Expr, stretches: list[Stretch], points: list[tuple[sympy.Expr, sympy.Expr]]) -> sympy.Set:
    """Every x where F′ takes ``value``: the points with that value and the constant stretches."""
    found: list[sympy.Set] = [sympy.FiniteSet(point) for point, at in points if _same(at, value)]
    found += [sympy.Interval.open(stretch.low, stretch.high) for stretch in stretches
              if stretch.trend == CONSTANT and _same(next(iter(stretch.image)), value)]
    return sympy.Union(*found)


def _numeric_screen(first: sympy.Expr, values: sympy.Set, x: sympy.Symbol, options: VerifyOptions) -> tuple[bool, tuple[str, ...]]:
    """F′ at the verifier's sample points lies in the range found (a screen for bugs, not a proof)."""
    found = sampled_values(first, x, options)
    inside = all(values.contains(sympy.Float(mpmath.nstr(value, options.digits), options.digits)) is sympy.true
                 for _, value in found)
    return inside and bool(found), tuple(label for label, _ in found)
