"""Limits at +∞ and −∞, proved exactly, or else only checked numerically (and labelled so).

The proof writes every e^(c·x) as a power of T = e^(x/L) (the substitution of the decision
procedure, :mod:`derive.verify.procedure`): σ(x) = T/(T + 1). A rational function of x and T has
one dominant term c·x^b·T^a in each direction, because T = e^(x/L) outgrows every power of x:
as x → +∞ the term with the highest power of T (then of x); as x → −∞, where T → 0⁺, the term
with the lowest power of T (then the highest of x). The limit of numerator over denominator is
then read off their dominant terms, exactly. Around that:

* a sum, product or constant power of parts whose limits are known combines them, unless the
  combination is an indeterminate form (∞ − ∞, 0·∞, …), which is not proved, except the product
  of a rational function of x and e^(p(x)) for a polynomial p → −∞, which tends to 0;
* a function that is continuous at the limit of its argument (ln, e^u, erf, arctan, roots, …)
  takes that limit through, and at ±∞ its own limit there (ln u → ∞, erf u → ±1, …);
* a piecewise function takes the limit of its outermost piece, which equals the function on
  the whole interval beyond the last break point.

What none of this proves is checked numerically far out (x = ±60, ±10⁴, ±10⁸) against a
candidate value, and the record says "checked numerically", never proved.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import mpmath
import sympy
from sympy import S, oo

from derive.evaluate import NotEvaluable, evaluate, to_mpf
from derive.expressions import PIECEWISE_KINDS, break_points
from derive.functions import prepare
from derive.model import Verification
from derive.verify.procedure import to_rational_function_with_scale
from derive.verify.seal import proof, unproved

#: Where a limit that could not be proved is checked numerically (times the sign of the direction):
#: not whole numbers, where x^x and the like have isolated real values.
NUMERIC_PROBES = (sympy.Rational(121, 2), sympy.Rational(2 * 10**4 + 1, 2), sympy.Rational(2 * 10**8 + 1, 2))
_MAX_DEPTH = 40

#: How a limit was established: read off a rational function of T (or x), read off a rational
#: function of x and T = e^(q(x)) for a polynomial q, combined from the limits of the parts, the
#: limit of the outermost piece, or only checked numerically.
HOW_RATIONAL, HOW_EXPONENTIAL, HOW_PARTS, HOW_PIECE, HOW_NUMERIC = "rational", "exponential", "parts", "piece", "numeric"
#: The hyperbolic functions, written with exponentials for the rule on e^(q(x)).
_HYPERBOLIC = (sympy.sinh, sympy.cosh, sympy.tanh, sympy.coth, sympy.sech, sympy.csch)


@dataclass(frozen=True, kw_only=True)
class LimitProof:
    """lim expr as x → ``direction``: its ``value`` and how it was established.

    ``written`` is the expression as a rational function of ``T`` (or of x) when that is how it
    was proved, and ``substitution`` the equation T = e^(x/L) (None when written in x); a
    document shows them as the reason. ``piece`` is the outermost piece of a piecewise function
    and ``beyond`` the break point after which it applies.
    """

    value: sympy.Expr
    direction: sympy.Expr
    how: str
    verification: Verification
    written: sympy.Expr | None = None
    substitution: sympy.Eq | None = None
    piece: sympy.Expr | None = None
    beyond: sympy.Expr | None = None
    symbol_tends: sympy.Expr | None = None

    @property
    def proved(self) -> bool:
        return self.verification.status == "proved"


@dataclass(frozen=True)
class _Found:
    """A proved limit: the value (a real number, oo or -oo) and the sign of the expression near
    it (+1, -1, or 0 when unknown; for a limit 0 it says from which side)."""

    value: sympy.Expr
    sign: int


def display_symbol() -> sympy.Symbol:
    """T as documents show it (the decision procedure's own T is a Dummy)."""
    return sympy.Symbol("T", positive=True)


@functools.lru_cache(maxsize=2048)
def rational_in_t(expr: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Symbol | None, int] | None:
    """``expr`` as an exact rational function of x and T = e^(x/L): (function, T or None, L).

    None when something else is left (ln x, erf x, a root, a float, another symbol): then the
    expression is not such a function, or not exactly. Remembered (a pure function of an
    immutable expression): the limits, signs and ranges of one function ask for the same forms.
    """
    rational, scale = to_rational_function_with_scale(expr, x)
    if rational.atoms(sympy.Float):
        return None
    t_symbols = [s for s in rational.free_symbols if isinstance(s, sympy.Dummy) and s.name == "T"]
    if rational.free_symbols - {x, *t_symbols}:
        return None
    return sympy.cancel(sympy.together(rational)), (t_symbols[0] if t_symbols else None), scale


@functools.lru_cache(maxsize=1024)
def prove_limit(expr: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr) -> LimitProof | None:
    """lim ``expr`` as ``x`` → ``direction`` (``oo`` or ``-oo``), proved; or checked numerically
    when no proof is found (``how == "numeric"``); None when not even a candidate value is found.
    Remembered: the properties and the range of a function ask for the same limits.

    >>> from derive.functions import sigma, variable
    >>> x = variable()
    >>> found = prove_limit(sigma(x), x, sympy.oo)
    >>> found.value, found.verification.status, found.written
    (1, 'proved', T/(T + 1))
    """
    expr = prepare(expr)
    if expr.free_symbols - {x}:
        return None
    if expr.has(*PIECEWISE_KINDS):
        return _piecewise_limit(expr, x, direction)
    rational = rational_in_t(expr, x)
    if rational is not None:
        found = _rational_limit(*rational[:2], x, direction)
        if found is not None:
            function, t, scale = rational
            shown = display_symbol()
            substitution = None if t is None else sympy.Eq(shown, sympy.exp(x / scale), evaluate=False)
            written = function if t is None else function.xreplace({t: shown})
            method = (f"exact: {substitution_text(x, scale, t)}a rational function whose dominant terms "
                      f"as {x} -> {_direction_text(direction)} give {sympy.sstr(found.value)}")
            return LimitProof(value=found.value, direction=direction, how=HOW_RATIONAL, verification=proof(method=method),
                              written=sympy.factor(written), substitution=substitution)
    exponential = _exponential_polynomial_limit(expr, x, direction)
    if exponential is not None:
        return exponential
    found = _limit(expr, x, direction, 0)
    if found is not None:
        method = ("exact: the limits of the parts (each a rational function of x and e^x, or a continuous "
                  "function of one) combine without an indeterminate form")
        return LimitProof(value=found.value, direction=direction, how=HOW_PARTS, verification=proof(method=method))
    return _numeric_limit(expr, x, direction)


def substitution_text(x: sympy.Symbol, scale: int, t: sympy.Symbol | None) -> str:
    """"with T = e^x, " for a method's description (empty when there is no T)."""
    if t is None:
        return ""
    power = f"e^{x}" if scale == 1 else f"e^({x}/{scale})"
    return f"with T = {power}, "


def _direction_text(direction: sympy.Expr) -> str:
    return "+infinity" if direction == oo else "-infinity"


def _piecewise_limit(expr: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr) -> LimitProof | None:
    """The limit of the outermost piece: conditions compare x with numbers only (break_points),
    so a condition true just beyond the last break point is true on the whole interval there."""
    folded = sympy.piecewise_fold(expr.rewrite(sympy.Piecewise))
    if not isinstance(folded, sympy.Piecewise):
        return None if folded.has(*PIECEWISE_KINDS) else prove_limit(folded, x, direction)
    cuts = break_points(folded, x)
    if not cuts and cuts is not None:
        cuts = [S.Zero]
    if cuts is None:
        return None
    edge = cuts[-1] if direction == oo else cuts[0]
    far = edge + 1 if direction == oo else edge - 1
    piece = next((piece for piece, condition in folded.args if condition.subs(x, far) is sympy.true), None)
    if piece is None or piece.has(*PIECEWISE_KINDS):
        return None
    inner = prove_limit(piece, x, direction)
    if inner is None:
        return None
    side = ">" if direction == oo else "<"
    if not inner.proved:
        return LimitProof(value=inner.value, direction=direction, how=HOW_NUMERIC, verification=inner.verification,
                          piece=piece, beyond=edge)
    method = f"exact: for {x} {side} {edge} the function is {sympy.sstr(piece)}; {inner.verification.method}"
    return LimitProof(value=inner.value, direction=direction, how=HOW_PIECE, verification=proof(method=method),
                      written=inner.written, substitution=inner.substitution, piece=piece, beyond=edge)


def _exponential_polynomial_form(expr: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Symbol, sympy.Expr] | None:
    """``expr`` as a rational function of x and T = e^(q(x)), q a polynomial of degree ≥ 1 with
    constant (possibly irrational) coefficients: (function, T, q). Every exponential in ``expr``
    must be e^(k·q) for a whole number k (tanh(u) = (e^(2u) − 1)/(e^(2u) + 1)); None otherwise."""
    if any(not isinstance(node, (sympy.exp, *_HYPERBOLIC)) for node in expr.atoms(sympy.Function)):
        return None  # ln, erf, a trigonometric function: not a rational function of x and T
    rewritten = expr.rewrite(list(_HYPERBOLIC), sympy.exp) if expr.has(*_HYPERBOLIC) else expr
    exponents = sorted((node.args[0] for node in rewritten.atoms(sympy.exp)), key=sympy.default_sort_key)
    if not exponents or any(not e.is_polynomial(x) or e.free_symbols != {x} for e in exponents):
        return None
    first = exponents[0]
    ratios = [sympy.cancel(e / first) for e in exponents]
    if not all(ratio.is_Rational for ratio in ratios):
        return None
    common = math.lcm(*(ratio.q for ratio in ratios))
    exponent = sympy.expand(first / common)
    if _decided_sign(sympy.LC(exponent, x)) == -1:  # T = e^(q) with q's leading coefficient positive
        exponent, common = -exponent, -common
    t = sympy.Dummy("T", positive=True)
    function = rewritten.xreplace({sympy.exp(e): t ** int(ratio * common) for e, ratio in zip(exponents, ratios)})
    if function.has(sympy.exp) or function.free_symbols - {x, t} or function.atoms(sympy.Float):
        return None
    if any(not isinstance(node, (sympy.Add, sympy.Mul, sympy.Pow, sympy.Symbol, sympy.Dummy)) and not node.is_number
           for node in sympy.preorder_traversal(function)):
        return None  # another function of x is left (ln x, erf x)
    if any(node.is_Pow and node.has(x, t) and not node.exp.is_Integer for node in sympy.preorder_traversal(function)):
        return None
    return sympy.cancel(sympy.together(function)), t, exponent


def _decided_sign(value: sympy.Expr) -> int | None:
    """+1 or −1 for a nonzero constant whose sign SymPy decides from its parts, else None."""
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    return None


def _exponential_polynomial_limit(expr: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr) -> LimitProof | None:
    """The limit of a rational function of x and T = e^(q(x)), q a polynomial of degree d ≥ 1:
    q tends to ±∞ with its leading term, so T tends to ∞ or 0, and T (or 1/T) outgrows every
    power of x, since |q(x)| ≥ c|x| for large |x|; the dominant terms of numerator and
    denominator (highest power of T, or lowest when T → 0, then highest power of x) give the limit."""
    form = _exponential_polynomial_form(expr, x)
    if form is None:
        return None
    function, t, exponent = form
    degree = sympy.degree(exponent, x)
    leading = _decided_sign(sympy.LC(exponent, x))
    if degree < 1 or leading is None:
        return None
    t_grows = leading * (1 if direction == oo else (-1) ** degree) > 0
    numerator, denominator = sympy.fraction(function)
    try:
        top, bottom = (sympy.Poly(part, t, x) for part in (numerator, denominator))
    except sympy.PolynomialError:
        return None
    if not all(c.is_number for poly in (top, bottom) for c in poly.coeffs()) or bottom.is_zero:
        return None
    if top.is_zero:
        value = S.Zero
    else:
        (power_top, coefficient_top), (power_bottom, coefficient_bottom) = (_dominant(p, oo if t_grows else -oo, True) for p in (top, bottom))
        ratio = coefficient_top / coefficient_bottom
        ratio_sign = _decided_sign(ratio)
        if ratio_sign is None:
            return None
        t_gap = power_top[0] - power_bottom[0]
        x_gap = power_top[1] - power_bottom[1]
        sign = ratio_sign * ((-1) ** (x_gap % 2) if direction == -oo else 1)
        t_dominates = t_gap > 0 if t_grows else t_gap < 0
        t_fades = t_gap < 0 if t_grows else t_gap > 0
        if t_dominates or (t_gap == 0 and x_gap > 0):
            value = oo if sign > 0 else -oo
        elif t_fades or (t_gap == 0 and x_gap < 0):
            value = S.Zero
        else:
            value = ratio
    shown = display_symbol()
    tends = oo if t_grows else S.Zero
    method = (f"exact: with T = e^({sympy.sstr(exponent)}), a rational function of {x} and T; as {x} -> "
              f"{_direction_text(direction)}, " + ("T -> infinity and outgrows" if t_grows else "T -> 0 and 1/T outgrows")
              + f" every power of {x}, so the dominant terms give {sympy.sstr(value)}")
    return LimitProof(value=value, direction=direction, how=HOW_EXPONENTIAL, verification=proof(method=method),
                      written=sympy.factor(function.xreplace({t: shown})),
                      substitution=sympy.Eq(shown, sympy.exp(exponent), evaluate=False), symbol_tends=tends)


def _rational_limit(function: sympy.Expr, t: sympy.Symbol | None, x: sympy.Symbol, direction: sympy.Expr) -> _Found | None:
    """The limit of a rational function of x and T = e^(x/L), from the dominant terms."""
    numerator, denominator = sympy.fraction(function)
    generators = (t, x) if t is not None else (x,)
    try:
        top, bottom = (sympy.Poly(part, *generators, domain="QQ") for part in (numerator, denominator))
    except (sympy.PolynomialError, sympy.CoercionFailed):
        return None
    if top.is_zero:
        return _Found(S.Zero, 0)
    (power_top, coefficient_top), (power_bottom, coefficient_bottom) = (_dominant(p, direction, t is not None) for p in (top, bottom))
    ratio = sympy.Rational(coefficient_top) / sympy.Rational(coefficient_bottom)
    t_gap = power_top[0] - power_bottom[0]
    x_gap = power_top[1] - power_bottom[1]
    sign = int(sympy.sign(ratio)) * ((-1) ** (x_gap % 2) if direction == -oo else 1)
    grows = t_gap > 0 or (t_gap == 0 and x_gap > 0) if direction == oo else t_gap < 0 or (t_gap == 0 and x_gap > 0)
    vanishes = t_gap < 0 or (t_gap == 0 and x_gap < 0) if direction == oo else t_gap > 0 or (t_gap == 0 and x_gap < 0)
    if grows:
        return _Found(oo if sign > 0 else -oo, sign)
    if vanishes:
        return _Found(S.Zero, sign)
    return _Found(ratio, int(sympy.sign(ratio)))


def _dominant(poly: sympy.Poly, direction: sympy.Expr, has_t: bool) -> tuple[tuple[int, int], sympy.Rational]:
    """The dominant term's (power of T, power of x) and coefficient as x → ``direction``."""
    terms = [((monomial[0], monomial[1]) if has_t else (0, monomial[0]), coefficient) for monomial, coefficient in poly.terms()]
    if direction == oo:
        return max(terms, key=lambda term: term[0])
    return max(terms, key=lambda term: (-term[0][0], term[0][1]))


def _limit(expr: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr, depth: int) -> _Found | None:
    """The proved limit of ``expr``, by the rules in the module docstring, or None."""
    if depth > _MAX_DEPTH:
        return None
    if not expr.has(x):
        return _constant(expr)
    rational = rational_in_t(expr, x)
    if rational is not None:
        found = _rational_limit(*rational[:2], x, direction)
        if found is not None:
            return found
    parts = [_limit(arg, x, direction, depth + 1) for arg in expr.args] if isinstance(expr, (sympy.Add, sympy.Mul)) else None
    if parts is not None:
        if any(part is None for part in parts):
            return None
        if isinstance(expr, sympy.Add):
            return _sum(parts)
        return _product(parts) or _exponential_beats_polynomial(expr.args, parts, x)
    if isinstance(expr, sympy.Pow):
        if expr.exp.has(x):
            return _limit(sympy.exp(expr.exp * sympy.log(expr.base)), x, direction, depth + 1)
        base = _limit(expr.base, x, direction, depth + 1)
        return None if base is None else _power(base, expr.exp)
    if isinstance(expr, sympy.Function) and len(expr.args) == 1:
        inner = _limit(expr.args[0], x, direction, depth + 1)
        return None if inner is None else _through(type(expr), inner)
    return None


def _constant(value: sympy.Expr) -> _Found | None:
    if not (value.is_number and value.is_real and value.is_finite):
        return None
    sign = 1 if value.is_positive else -1 if value.is_negative else 0
    return _Found(value, sign)


def _sum(parts: list[_Found]) -> _Found | None:
    infinite = {part.value for part in parts if part.value in (oo, -oo)}
    if infinite == {oo, -oo}:
        return None  # ∞ − ∞
    if infinite:
        value = infinite.pop()
        return _Found(value, 1 if value == oo else -1)
    total = sympy.Add(*(part.value for part in parts))
    if total != 0:
        return _constant(total)
    signs = {part.sign for part in parts}
    return _Found(S.Zero, signs.pop() if len(signs) == 1 and all(part.value == 0 for part in parts) else 0)


def _product(parts: list[_Found]) -> _Found | None:
    infinite = any(part.value in (oo, -oo) for part in parts)
    zero = any(part.value == 0 for part in parts)
    if infinite and zero:
        return None  # 0·∞
    sign = 1
    for part in parts:
        sign *= part.sign
    if infinite:
        return None if sign == 0 else _Found(oo if sign > 0 else -oo, sign)
    value = sympy.Mul(*(part.value for part in parts))
    return _Found(value, sign) if value == 0 else _constant(value)


def _exponential_beats_polynomial(factors: tuple[sympy.Expr, ...], parts: list[_Found], x: sympy.Symbol) -> _Found | None:
    """0·∞ where every vanishing factor is e^(p(x)) with a polynomial p of degree ≥ 1 and every
    growing factor a rational function of x: the product tends to 0 (x·e^(-x²/2) -> 0), since
    p(x) ≤ -c|x|^d for large |x| and |R(x)| ≤ C|x|^k, so |R(x) e^(p(x))| ≤ C|x|^k e^(-c|x|^d)."""
    decaying = growing = 0
    sign = 1
    for factor, part in zip(factors, parts):
        sign *= part.sign
        if part.value == 0:
            exponent = factor.exp if isinstance(factor, sympy.Pow) and factor.base == sympy.E else (
                factor.args[0] if isinstance(factor, sympy.exp) else None)
            if exponent is None or not exponent.is_polynomial(x) or sympy.degree(exponent, x) < 1:
                return None
            decaying += 1
        elif part.value in (oo, -oo):
            rational = rational_in_t(factor, x)
            if rational is None or rational[1] is not None:
                return None  # grows faster than a power of x, or not known to
            growing += 1
    return _Found(S.Zero, sign) if decaying and growing else None


def _power(base: _Found, exponent: sympy.Expr) -> _Found | None:
    if not (exponent.is_number and exponent.is_real and exponent.is_finite) or exponent == 0:
        return None
    integer = exponent.is_integer
    if not integer and base.sign < 0:
        return None  # a root of a negative number
    if base.value in (oo, -oo):
        if exponent.is_positive:
            value = base.value if (integer and exponent.is_odd) or base.value == oo else oo
            return _Found(value, 1 if value == oo else -1)
        sign = base.sign if integer and exponent.is_odd else 1
        return _Found(S.Zero, sign)
    if base.value == 0:
        if base.sign == 0:
            return None
        sign = base.sign if integer and exponent.is_odd else 1
        if exponent.is_positive:
            return _Found(S.Zero, sign)
        return _Found(oo if sign > 0 else -oo, sign)
    if not integer and not base.value.is_positive:
        return None
    return _constant(base.value**exponent)


#: Functions continuous on the whole real line, and their limits at -oo and +oo (None: no limit).
_CONTINUOUS: dict[type, tuple[sympy.Expr | None, sympy.Expr | None]] = {
    sympy.exp: (S.Zero, oo),
    sympy.erf: (S.NegativeOne, S.One),
    sympy.atan: (-sympy.pi / 2, sympy.pi / 2),
    sympy.tanh: (S.NegativeOne, S.One),
    sympy.sinh: (-oo, oo),
    sympy.cosh: (oo, oo),
    sympy.asinh: (-oo, oo),
    sympy.Abs: (oo, oo),
    sympy.sin: (None, None),
    sympy.cos: (None, None),
}


def _through(function: type, inner: _Found) -> _Found | None:
    """lim f(u) from lim u: continuity at a finite limit, f's own limit at ±∞."""
    if function is sympy.log:
        if inner.value == oo:
            return _Found(oo, 1)
        if inner.value == 0:
            return _Found(-oo, -1) if inner.sign > 0 else None
        if inner.value == -oo or not inner.value.is_positive:
            return None
        return _constant(sympy.log(inner.value))
    if function in (sympy.asin, sympy.acos, sympy.atanh):
        if inner.value in (oo, -oo) or not (abs(inner.value) < 1) is sympy.true:
            return None
        return _constant(function(inner.value))
    if function not in _CONTINUOUS:
        return None
    at_minus, at_plus = _CONTINUOUS[function]
    if inner.value in (oo, -oo):
        value = at_plus if inner.value == oo else at_minus
        if value is None:
            return None
        if value == 0:
            return _Found(S.Zero, 1)  # e^u -> 0 from above
        return _Found(value, 1 if value == oo or value.is_positive else -1)
    return _constant(function(inner.value))


def _numeric_limit(expr: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr) -> LimitProof | None:
    """A candidate value (SymPy's limit algorithm) checked numerically far out: never proved."""
    value = _candidate(expr, x, direction)
    if value is None:
        return None
    return LimitProof(value=value, direction=direction, how=HOW_NUMERIC, verification=check_limit_numerically(expr, x, direction, value))


def _candidate(expr: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr) -> sympy.Expr | None:
    try:
        value = sympy.limit(expr, x, direction)
    except (NotImplementedError, ValueError, TypeError):
        return None
    return value if value.is_number and (value.is_finite or value in (oo, -oo)) else None


def check_limit_numerically(expr: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr, value: sympy.Expr) -> Verification:
    """Evidence, not proof: at x = ±60, ±10⁴ and ±10⁸ the distance to a finite ``value`` shrinks
    and ends below 10⁻⁶; towards an infinite one the values grow past every earlier one."""
    sign = 1 if direction == oo else -1
    probes = [sign * probe for probe in NUMERIC_PROBES]
    method = f"checked numerically at x = {', '.join(_decimal(probe) for probe in probes)}, not proved"
    try:
        with mpmath.workdps(40):
            far = [evaluate(prepare(expr), {x: to_mpf(probe)}) for probe in probes]
            if value.is_finite:
                target = evaluate(value, {})
                distances = [abs(v - target) for v in far]
                agrees = distances[0] >= distances[1] >= distances[2] and distances[2] < mpmath.mpf(10) ** -6
            else:
                growing = far if value == oo else [-v for v in far]
                agrees = growing[0] < growing[1] < growing[2] and growing[2] > 10
            shown = mpmath.nstr(far[-1], 12)
    except NotEvaluable:
        return unproved(method=method, numeric_ok=False)
    return unproved(method=method, numeric_ok=bool(agrees), points=tuple(_decimal(probe) for probe in probes), digits=40,
                    max_difference=shown)


def defined_far_out(expr: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr) -> bool:
    """Whether ``expr`` has real values far out in ``direction`` (at the numeric probes): ln x has
    none for x -> -infinity, so nothing is said about its derivative there."""
    sign = 1 if direction == oo else -1
    prepared = prepare(expr)
    try:
        with mpmath.workdps(40):
            for probe in NUMERIC_PROBES:
                evaluate(prepared, {x: to_mpf(sign * probe)})
    except NotEvaluable:
        return False
    return True


def _decimal(value: sympy.Rational) -> str:
    """A probe with its one decimal: -100000000.5."""
    return f"{'-' if value < 0 else ''}{abs(value.p) // value.q}.5"
