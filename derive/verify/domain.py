"""Where an equality is claimed: the real points at which both of its sides are defined.

An equality ``a = b`` holds where both sides are defined; a point outside that common domain is
not a counterexample. When the common domain leaves out a whole interval of the real line
(ln x, √(1 − x²), arcsin x), the verifier says where the equality holds ("for −1 < x < 1").

The domain is SymPy's :func:`~sympy.calculus.util.continuous_domain` of each side (definitions
expanded, derivatives evaluated), intersected; sides built only from sums, products, powers,
exponentials, and roots, logarithms and inverse functions of rational functions whose zeros are
found exactly (ln u, 1/u, √(1 − x²), arcsec x, (1 + 1/x)^x) have their domain read off directly,
from the sign of those functions between their zeros: the same set without SymPy's solver, which
takes seconds over x/√(1 − x²) (it asks for the periodicity of every piece). It is asked only
when the sample points showed that a side is undefined somewhere, and only for one variable; and
not for what SymPy's solver and set algebra take minutes over (logarithms nested four deep, large
expressions, the infinitely many intervals of tan x or ln(cos x)): there the sample points alone
decide where a side is defined, and no domain is stated.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import sympy

from derive.functions import expand_definitions, prepare
from derive.model import Domain, Verification
from derive.verify.seal import SEAL

#: The part of the line a graph shows when the domain does not bound it.
PLOT_INTERVAL = (-6, 6)


@functools.lru_cache(maxsize=1024)
def where_claimed(a: sympy.Expr, b: sympy.Expr, variable: sympy.Symbol) -> sympy.Basic | None:
    """:func:`restriction` of :func:`common_domain`, remembered: SymPy's solver takes tens of
    milliseconds per side, and the same side facts (d/du ln u = 1/u) recur in every route."""
    return restriction(common_domain(a, b, variable), variable)


def common_domain(a: sympy.Expr, b: sympy.Expr, variable: sympy.Symbol) -> sympy.Set | None:
    """The real points where both ``a`` and ``b`` are defined, or None if SymPy cannot tell.

    A derivative d/dx f exists at most where f itself is defined, so the domain of each
    differentiated function counts too (evaluating the derivative can cancel that away:
    d/dx ln √((1+x)/(1−x)) evaluates to a rational function defined outside (−1, 1) too).
    """
    pieces = []
    for side in (a, b):
        pieces.append(prepare(side))
        pieces.extend(expand_definitions(node.expr) for node in side.atoms(sympy.Derivative))
    domain: sympy.Set = sympy.S.Reals
    for piece in pieces:
        if not piece.has(variable):
            continue
        piece = _parameters_held(piece, variable)
        quick = _plain_domain(piece, variable)
        if quick is not None:
            domain = domain.intersect(quick)
            continue
        depth, count = _restrictions(piece)
        if (depth > MAX_RESTRICTION_DEPTH or count > MAX_RESTRICTIONS or sympy.count_ops(piece) > MAX_OPERATIONS
                or _periodic_domain(piece) or _restricted_by_letters(piece, variable)):
            return None  # SymPy's set algebra would take minutes (ln ln ln ln ln x, ln sec x): the points decide
        try:
            from sympy.calculus.util import continuous_domain  # SymPy's solver: loaded only when needed

            domain = domain.intersect(continuous_domain(piece, variable, sympy.S.Reals))
            for base, strict in _principal_roots(piece, variable):
                domain = domain.intersect(sympy.solveset(base > 0 if strict else base >= 0, variable, sympy.S.Reals))
        except (NotImplementedError, ValueError, TypeError, AttributeError, RecursionError):
            return None
        if not (isinstance(domain, (sympy.Interval, sympy.Union, sympy.FiniteSet, sympy.Complement)) or domain.is_empty):
            return None  # a ConditionSet or an unevaluated intersection: SymPy could not tell
    return domain


def _parameters_held(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    """``expr`` with each part that holds other letters but not ``variable`` (ln a in log_a x =
    ln x / ln a) held as a letter of its own: where such a part is defined is a condition on the
    parameters, not on ``variable`` (the sample points where it is undefined are left out of the
    check, see :meth:`~derive.verify.verifier.Verifier.defined_at_points`)."""
    held = {part: sympy.Dummy("p", real=True) for part in parameter_parts_of(expr, variable)}
    return expr.xreplace(held) if held else expr


def parameter_parts_of(expr: sympy.Basic, variable: sympy.Symbol) -> list[sympy.Basic]:
    """The largest parts of ``expr`` that hold letters but not ``variable`` (ln a in ln x / ln a;
    a letter alone is not such a part)."""
    if not expr.args:
        return []
    if not expr.has(variable):
        return [expr] if expr.free_symbols else []
    return [part for arg in expr.args for part in parameter_parts_of(arg, variable)]


def _principal_roots(expr: sympy.Expr, variable: sympy.Symbol) -> list[tuple[sympy.Expr, bool]]:
    """The bases of ``expr``'s powers that must not be negative, each with whether it must be
    positive: odd roots (x^(1/3), x^(2/3); x^(-1/3) positive) and powers to a letter (x^a, x^x:
    positive). SymPy's ``continuous_domain`` takes an odd root of a negative number as real, but
    the power is the principal root, a complex number there (as the verifier evaluates it:
    (−8)^(1/3) = 1 + i√3), so the function is not defined there."""
    roots = []
    for node in sympy.preorder_traversal(expr):
        if not (isinstance(node, sympy.Pow) and node.base.has(variable)):
            continue
        if not node.exp.is_number:
            roots.append((node.base, True))
            continue
        exponent = _number_exponent(node)
        if exponent.is_Rational and not exponent.is_Integer and exponent.q % 2 == 1:
            roots.append((node.base, bool(exponent.is_negative)))
    return roots


def _number_exponent(power: sympy.Pow) -> sympy.Expr | None:
    """The exponent of ``power`` evaluated when it is a number (as typed, 2/3 may be the product
    2·(1/3)); None for a power to a letter (x^x, x^a)."""
    return power.exp.doit() if power.exp.is_number else None


def _plain_domain(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Set | None:
    """The domain of ``expr`` when it is built from numbers, the variable, sums, products, powers,
    e^u, and logarithms and roots of polynomials whose real zeros are found exactly (ln(x² − 1):
    x < −1 or x > 1; √(1 − x²): −1 ≤ x ≤ 1; a root is the principal root, whose base must not be
    negative); None for anything else. Read off without SymPy's ``continuous_domain``, which asks
    for the periodicity of every piece and takes seconds over x/√(1 − x²)."""
    if not expr.has(variable):
        if expr.is_number:
            return sympy.S.Reals if expr.is_finite else None
        # a letter beside the variable (a label y, 1 - y): real, so a polynomial in the letters is defined
        return sympy.S.Reals if expr.is_polynomial(*expr.free_symbols) else None
    if expr == variable:
        return sympy.S.Reals
    if isinstance(expr, (sympy.Add, sympy.Mul)):
        domain: sympy.Set = sympy.S.Reals
        for arg in expr.args:
            part = _plain_domain(arg, variable)
            if part is None:
                return None
            if part != sympy.S.Reals:  # SymPy's set algebra takes milliseconds even for ℝ ∩ S
                domain = part if domain == sympy.S.Reals else domain.intersect(part)
        return domain
    if isinstance(expr, sympy.Pow) and not expr.exp.is_number:  # a power to a letter ((1 + 1/x)^x): a positive base
        base, exponent = _plain_domain(expr.base, variable), _plain_domain(expr.exp, variable)
        positive = sympy.S.Reals if expr.base.is_positive else _sign_set(expr.base, variable, strict=True)
        if base is None or exponent is None or positive is None:
            return None
        return _meet(_meet(base, exponent), positive)
    if type(expr) in _INVERSE_DOMAINS:
        inner = _plain_domain(expr.args[0], variable)
        condition, strict = _INVERSE_DOMAINS[type(expr)]
        allowed = _sign_set(condition(expr.args[0]), variable, strict=strict)
        return None if inner is None or allowed is None else _meet(inner, allowed)
    if isinstance(expr, sympy.Pow) and expr.exp.is_number:
        exponent = _number_exponent(expr)
        if not exponent.is_Rational:
            return None
        base = _plain_domain(expr.base, variable)
        if base is None:
            return None
        if not exponent.is_Integer:  # the principal root: a base that is not negative (positive below the line)
            allowed = _sign_set(expr.base, variable, strict=bool(exponent.is_negative))
            return None if allowed is None else _meet(base, allowed)
        if exponent >= 0 or expr.base.is_positive:
            return base  # 1/(1 + e^(-x)): a positive base has no zero to leave out
        zeros = _zeros(expr.base, variable)
        return None if zeros is None else base - sympy.FiniteSet(*zeros)
    if isinstance(expr, _DEFINED_EVERYWHERE):
        return _plain_domain(expr.args[0], variable)
    if isinstance(expr, sympy.log):
        inner = _plain_domain(expr.args[0], variable)
        if inner is not None and expr.args[0].is_positive:
            return inner  # ln σ(wx + b): SymPy's assumptions know the argument is positive
        positive = _sign_set(expr.args[0], variable, strict=True)
        if inner is None or positive is None:
            return None
        return _meet(inner, positive)
    return None


def _meet(first: sympy.Set, second: sympy.Set) -> sympy.Set:
    """``first ∩ second``, without SymPy's set algebra when one of them is the whole line."""
    return second if first == sympy.S.Reals else first if second == sympy.S.Reals else first.intersect(second)


def _zeros(expr: sympy.Expr, variable: sympy.Symbol) -> list[sympy.Expr] | None:
    """The real zeros of ``expr`` where it is defined, exactly: of each factor of a product, of
    what is under a root or inside |u|, of the numerator of a rational function (√(x² − 1)·|x|:
    ±1 and 0); e^u and 1/u have none. None when they cannot all be found."""
    if not expr.has(variable):
        return [] if expr.is_nonzero else None
    if expr.is_positive or isinstance(expr, sympy.exp):
        return []
    if isinstance(expr, sympy.Mul):
        found: list[sympy.Expr] = []
        for factor in expr.args:
            zeros = _zeros(factor, variable)
            if zeros is None:
                return None
            found.extend(zero for zero in zeros if zero not in found)
        return found
    if isinstance(expr, sympy.Pow) and expr.exp.is_number:
        return _zeros(expr.base, variable) if _number_exponent(expr).is_positive else []
    if isinstance(expr, sympy.Abs):
        return _zeros(expr.args[0], variable)
    return _real_zeros(sympy.fraction(sympy.together(expr))[0], variable)


def _sign_set(expr: sympy.Expr, variable: sympy.Symbol, *, strict: bool) -> sympy.Set | None:
    """Where the rational function ``expr`` is positive (``strict``) or not negative, from the real
    zeros of its numerator and denominator, found exactly, and its sign between them (exact
    arithmetic at a rational point of each gap); a zero of the denominator is never in it. None
    when the zeros cannot all be found (:func:`_real_zeros`)."""
    numerator, denominator = sympy.fraction(sympy.together(expr))
    above, below = _real_zeros(numerator, variable), _real_zeros(denominator, variable)
    if above is None or below is None:
        return None
    ends = [-sympy.oo, *sorted(set(above) | set(below), key=float), sympy.oo]
    pieces: list[sympy.Set] = []
    for low, high in zip(ends, ends[1:]):
        inside = _rational_between(low, high)
        if (numerator.xreplace({variable: inside}) * denominator.xreplace({variable: inside})).is_positive:
            pieces.append(sympy.Interval.open(low, high))
    if not strict:  # a zero of a root's base is in its domain
        pieces.extend(sympy.FiniteSet(zero) for zero in above if zero not in below)
    return sympy.Union(*pieces) if pieces else sympy.S.EmptySet


#: The inverse functions defined on part of the line, and where: a condition on u² − 1 (or u − 1),
#: positive (True) or not negative (False); arcsin u needs 1 − u² ≥ 0, arcsec u needs u² − 1 ≥ 0.
_INVERSE_DOMAINS: dict[type, tuple[Callable[[sympy.Expr], sympy.Expr], bool]] = {
    sympy.asin: (lambda u: 1 - u**2, False), sympy.acos: (lambda u: 1 - u**2, False),
    sympy.asec: (lambda u: u**2 - 1, False), sympy.acsc: (lambda u: u**2 - 1, False),
    sympy.atanh: (lambda u: 1 - u**2, True), sympy.acoth: (lambda u: u**2 - 1, True),
    sympy.acosh: (lambda u: u - 1, False),
}


def _rational_between(low: sympy.Expr, high: sympy.Expr) -> sympy.Rational:
    """A rational number strictly between ``low`` and ``high`` (either may be infinite)."""
    if low == -sympy.oo and high == sympy.oo:
        return sympy.Integer(0)
    if low == -sympy.oo:
        return sympy.floor(high) - 1
    if high == sympy.oo:
        return sympy.ceiling(low) + 1
    middle = sympy.Rational(str(float((low + high) / 2)))  # a short rational near the middle (ends may be ±√2)
    return middle if low < middle < high else (low + high) / 2


#: Functions defined on the whole line: each is defined wherever its argument is.
_DEFINED_EVERYWHERE = (sympy.exp, sympy.sin, sympy.cos, sympy.atan, sympy.sinh, sympy.cosh, sympy.tanh, sympy.erf,
                       sympy.Abs)
#: Highest degree of a denominator whose real zeros are found exactly (by radicals).
HIGHEST_DENOMINATOR_DEGREE = 4


def _real_zeros(expr: sympy.Expr, variable: sympy.Symbol) -> list[sympy.Expr] | None:
    """The real zeros of a polynomial in ``variable`` with rational coefficients, exactly (1/x: 0;
    1/(x² − 2): ±√2); None for anything else, or when they are not all found."""
    if not expr.is_polynomial(variable) or expr.free_symbols - {variable}:
        return None
    try:
        polynomial = sympy.Poly(expr, variable, domain="QQ")
    except (sympy.polys.polyerrors.BasePolynomialError, sympy.PolynomialError, ValueError, TypeError):
        return None  # a coefficient such as ln(1 + e) or √2: not a rational polynomial
    if polynomial.degree() > HIGHEST_DENOMINATOR_DEGREE:
        return None
    if polynomial.degree() < 1:
        return [] if not polynomial.is_zero else None
    count = polynomial.count_roots()  # distinct real roots (Sturm sequences: exact)
    found = sympy.roots(polynomial, filter="R")
    if len(found) != count:
        return None
    return sorted(found, key=float)


def has_poles(expr: sympy.Expr, variable: sympy.Symbol) -> bool:
    """Whether ``expr`` (definitions expanded, derivatives evaluated) divides by a polynomial in
    ``variable`` with a real zero (1/x, ln x/(x − 1)): it is undefined at isolated points, which no
    sample point falls on, so the domain is worth computing. Cheap: counts real roots."""
    for node in sympy.preorder_traversal(prepare(expr)):
        if isinstance(node, sympy.Pow) and node.exp.is_negative and node.base.has(variable):
            if _real_zeros(node.base, variable):
                return True
    return False


#: Deepest nesting of functions that restrict the domain (ln, roots, arcsin, ...) SymPy is asked
#: about: ln(ln(ln(x))) is defined for x > e, one level more and the solver's cost explodes.
MAX_RESTRICTION_DEPTH = 3
#: Most such functions in one expression (the derivative of ln ln ln ln x holds ten of them).
MAX_RESTRICTIONS = 4
#: Largest expression (in operations) whose domain SymPy is asked for.
MAX_OPERATIONS = 150
_RESTRICTING = (sympy.log, sympy.asin, sympy.acos, sympy.atanh, sympy.acoth, sympy.acosh, sympy.asec, sympy.acsc)


_PERIODIC = (sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc)


def _periodic_domain(expr: sympy.Basic) -> bool:
    """Whether the domain is an infinite union of intervals (tan x, sec x, ln(cos x), √(sin x),
    1/sin x), which SymPy's set algebra unions and intersects without end and no handout states."""
    if expr.has(sympy.tan, sympy.cot, sympy.sec, sympy.csc):
        return True
    return any((_restricts(node) or isinstance(node, sympy.Pow) and node.exp.is_negative) and node.args[0].has(*_PERIODIC)
               for node in sympy.preorder_traversal(expr) if node.args)


def _restricted_by_letters(expr: sympy.Basic, variable: sympy.Symbol) -> bool:
    """Whether a function that restricts the domain has other letters in its argument
    (ln(1 − σ(wx + b)) in w): the domain in the variable then depends on them, which is no
    condition a document states (see :func:`restriction`), and SymPy's solver spends a second
    finding that out."""
    return any(_restricts(node) and node.args[0].free_symbols - {variable}
               for node in sympy.preorder_traversal(expr) if node.args)


def _restricts(node: sympy.Basic) -> bool:
    """Whether ``node`` restricts the domain to part of the line (ln, a root, arcsin ...)."""
    return isinstance(node, _RESTRICTING) or (isinstance(node, sympy.Pow) and node.exp.is_Rational
                                              and not node.exp.is_Integer)


def _restrictions(expr: sympy.Basic) -> tuple[int, int]:
    """How deeply domain-restricting functions nest in ``expr`` (ln √(ln x): 3), and how many
    distinct ones it holds."""
    depths: dict[sympy.Basic, int] = {}

    def depth(node: sympy.Basic) -> int:
        if node not in depths:
            inner = max((depth(arg) for arg in node.args), default=0)
            depths[node] = inner + 1 if _restricts(node) else inner
        return depths[node]

    deepest = depth(expr)
    count = sum(1 for node in depths if _restricts(node))
    return deepest, count


def restriction(domain: sympy.Set | None, variable: sympy.Symbol, *, points: bool = False) -> sympy.Basic | None:
    """``domain`` as a condition on ``variable`` worth stating (``-1 < x < 1``, ``x > 0``), or None
    when it leaves out no interval of the line (only isolated points, such as x = 0 for 1/x).
    ``points``: isolated points count too (``x ≠ 0``, ``x > 0, x ≠ 1``), as a domain statement
    says them; a step's "it holds for" leaves them out (no sample point falls on one)."""
    if domain is None or domain == sympy.S.Reals:
        return None
    if points:
        return _with_isolated_points(domain, variable)
    try:
        left_out = sympy.S.Reals - domain
        if left_out.measure == 0:
            return None
        condition = domain.as_relational(variable)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return None
    return _letter_first(condition, variable)


def _with_isolated_points(domain: sympy.Set, variable: sympy.Symbol) -> sympy.Basic | None:
    """``domain`` as its intervals' condition and ``x ≠ p`` for each isolated point ``p`` it leaves
    out (1/(x² − 1): ``x ≠ −1, x ≠ 1``), or None when that cannot be said simply."""
    gaps = isolated_points(domain)
    if gaps is None or any(point.has(sympy.CRootOf) for point in gaps):
        return None  # x ≠ CRootOf(x⁵ − x − 1, 0) is no statement for a handout
    filled = domain.union(sympy.FiniteSet(*gaps))
    parts: list[sympy.Basic] = []
    if filled != sympy.S.Reals:
        intervals = restriction(filled, variable)
        if intervals is None:
            return None
        parts.append(intervals)
    parts.extend(sympy.Ne(variable, point) for point in gaps)
    return sympy.And(*parts) if len(parts) > 1 else (parts[0] if parts else None)


#: Most isolated points a domain statement lists (1/(x³ − x): x ≠ −1, 0, 1); with more, none is stated.
MOST_ISOLATED_POINTS = 4


@functools.lru_cache(maxsize=1024)
def isolated_points(domain: sympy.Set) -> tuple[sympy.Expr, ...] | None:
    """The points ``domain`` leaves out while holding both sides of each (x = 0 for 1/x, x = 1 for
    ln x/(x − 1)), in order; None when its boundary is not a few points (SymPy could not tell).
    Remembered: a domain statement asks for them to word its conditions and again to prove them."""
    try:
        boundary = domain.boundary
        if not isinstance(boundary, sympy.FiniteSet) or len(boundary) > 4 * MOST_ISOLATED_POINTS:
            return None if not boundary.is_empty else ()
        ends = sorted(boundary, key=float)
        gaps = []
        for index, point in enumerate(ends):
            if domain.contains(point) != sympy.false:
                continue
            left = (ends[index - 1] + point) / 2 if index else point - 1
            right = (ends[index + 1] + point) / 2 if index + 1 < len(ends) else point + 1
            if domain.contains(left) == sympy.true and domain.contains(right) == sympy.true:
                gaps.append(point)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return None
    return tuple(gaps) if len(gaps) <= MOST_ISOLATED_POINTS else None


def _letter_first(condition: sympy.Basic, variable: sympy.Symbol) -> sympy.Basic | None:
    if not (isinstance(condition, sympy.Basic) and condition.free_symbols == {variable}):
        return None
    if isinstance(condition, sympy.core.relational.Relational) and condition.rhs == variable:
        condition = condition.reversed  # 0 < x is written x > 0
    return condition


def periodically_restricted(expr: sympy.Expr, variable: sympy.Symbol) -> bool:
    """Whether ``expr`` (definitions expanded) is undefined on infinitely many points or intervals
    of the line, by a tangent, a secant, a logarithm or root of a sine ... (tan x, ln(cos x)): its
    domain is stated as conditions on those functions (:func:`natural_conditions`)."""
    prepared = prepare(expr)
    return prepared.has(variable) and _periodic_domain(prepared)


#: Most conditions a domain stated as conditions on functions (cos x ≠ 0, x ≠ 0) has.
MOST_CONDITIONS = 3


def natural_conditions(expr: sympy.Expr, variable: sympy.Symbol) -> list[sympy.Basic] | None:
    """Where ``expr`` (definitions expanded, derivatives evaluated) is defined, read off its tree
    as conditions: a tangent or secant of u needs cos u ≠ 0, a cotangent or cosecant sin u ≠ 0,
    a denominator must not be 0, a logarithm's argument must be positive, a root's base not
    negative (positive under a negative power). Conditions that always hold (1 + x² ≠ 0) are
    left out, and u ≠ 0 where u > 0 is asked too. This is the definition of where such an
    expression has a real value. None for a function whose condition is not one of these
    (arcsin, |u|, ...): then nothing is stated."""
    found: list[sympy.Basic] = []

    def need(condition: sympy.Basic) -> None:
        if condition is not sympy.true and condition not in found:
            found.append(condition)

    for node in sympy.preorder_traversal(prepare(expr)):
        if not (node.args and node.has(variable)):
            continue
        argument = node.args[0]
        if isinstance(node, (sympy.tan, sympy.sec)):
            need(sympy.Ne(sympy.cos(argument), 0))
        elif isinstance(node, (sympy.cot, sympy.csc)):
            need(sympy.Ne(sympy.sin(argument), 0))
        elif isinstance(node, sympy.log):
            need(sympy.Gt(argument, 0))
        elif isinstance(node, sympy.Pow) and node.base.has(variable):
            exponent = _number_exponent(node)
            if exponent is None or not exponent.is_Rational:
                return None  # x^x, x^a: a power to a letter
            if not exponent.is_Integer:
                need(sympy.Gt(node.base, 0) if exponent.is_negative else sympy.Ge(node.base, 0))
            elif exponent.is_negative:
                base = node.base
                while isinstance(base, sympy.Pow) and (_number_exponent(base) or sympy.S.Zero).is_positive:
                    base = base.base  # 1/√(cos x): cos x ≠ 0
                need(sympy.Ne(base, 0))
        elif (not isinstance(node, (sympy.Add, sympy.Mul, sympy.Pow, *_DEFINED_EVERYWHERE))
              or isinstance(node, sympy.Abs)):
            return None
    kept = []
    for condition in found:
        side = condition.lhs
        if (side.is_positive or isinstance(condition, sympy.Ne) and side.is_nonzero
                or isinstance(condition, sympy.Ge) and side.is_nonnegative or _bounded_above_zero(side)):
            continue
        condition = _normalised(condition)
        first = _letter_first(condition, variable)
        kept.append(condition if first is None else first)
    kept = _tightest(kept)
    return kept if len(kept) <= MOST_CONDITIONS else None


#: A condition with its sides swapped, so that its letter side has no minus sign.
_FLIPPED = {sympy.StrictGreaterThan: sympy.StrictLessThan, sympy.GreaterThan: sympy.LessThan,
            sympy.Unequality: sympy.Unequality}


def _normalised(condition: sympy.Basic) -> sympy.Basic:
    """``u + c ⋈ 0`` as a textbook writes it: sin x ≠ −1, cos x < 1, x ≠ 1 (not sin x + 1 ≠ 0,
    −cos x > −1, x − 1 ≠ 0); a condition with several terms beside the number stays as it is."""
    side = condition.lhs
    numbers = [term for term in sympy.Add.make_args(side) if term.is_number]  # as typed, cos x − 1/2 ends with 1/2
    constant = sympy.Add(*numbers).doit()  # typed 1/2 may be the unevaluated 2^(-1)
    rest = sympy.Add(*(term for term in sympy.Add.make_args(side) if not term.is_number))
    if rest.is_Add or (constant == 0 and not rest.could_extract_minus_sign()):
        return condition
    if rest.could_extract_minus_sign():
        return _FLIPPED[type(condition)](-rest, constant)
    return condition.func(rest, -constant)


def _bounded_above_zero(expr: sympy.Expr) -> bool:
    """Whether ``expr`` is positive wherever it is defined because its sines and cosines lie in
    [−1, 1] (2 + sin x, 3 − cos 2x): interval arithmetic, which can only widen the bounds."""
    waves = {node: sympy.AccumBounds(-1, 1) for node in expr.atoms(sympy.sin, sympy.cos)}
    if not waves:
        return False
    try:
        bounds = expr.xreplace(waves)
    except (TypeError, ValueError):
        return False
    low = bounds.min if isinstance(bounds, sympy.AccumBounds) else bounds
    return bool(low.is_number and low.is_positive)


def _tightest(conditions: list[sympy.Basic]) -> list[sympy.Basic]:
    """``conditions`` without those another implies: u ≥ c and u ≠ c together are u > c; then u ≠ c
    and u ≥ c go where u > c is asked too (and u ≤ c where u < c is)."""
    unequal = {(condition.lhs, condition.rhs) for condition in conditions if isinstance(condition, sympy.Ne)}
    tightened = list(dict.fromkeys(
        sympy.Gt(condition.lhs, condition.rhs)
        if isinstance(condition, sympy.GreaterThan) and (condition.lhs, condition.rhs) in unequal else condition
        for condition in conditions))
    strict = {(type(condition), condition.lhs, condition.rhs) for condition in tightened
              if isinstance(condition, (sympy.StrictGreaterThan, sympy.StrictLessThan))}
    weaker = {sympy.GreaterThan: sympy.StrictGreaterThan, sympy.LessThan: sympy.StrictLessThan}

    def implied(condition: sympy.Basic) -> bool:
        if isinstance(condition, sympy.Ne):
            return any((kind, condition.lhs, condition.rhs) in strict
                       for kind in (sympy.StrictGreaterThan, sympy.StrictLessThan))
        kind = weaker.get(type(condition))
        return kind is not None and (kind, condition.lhs, condition.rhs) in strict

    return [condition for condition in tightened if not implied(condition)]


def _conditions_domain(function: sympy.Expr, derivative: sympy.Expr, variable: sympy.Symbol,
                       values: Callable[[sympy.Expr], list[tuple[sympy.Rational, bool | None]]]) -> Domain | None:
    """:func:`domain_of_derivation` for a function whose domain is infinitely many intervals (tan
    x: cos x ≠ 0; ln(cos x): cos x > 0): the conditions of :func:`natural_conditions`, checked
    against the sample points as there (a point that meets them is defined, one that does not is
    not); None when they do not agree or cannot be said in a few conditions."""
    own = natural_conditions(function, variable)
    differentiated = natural_conditions(derivative, variable)
    if own is None or differentiated is None or not own:
        return None
    together = _tightest([*own, *(condition for condition in differentiated if condition not in own)])
    if len(together) > MOST_CONDITIONS:
        return None
    conditions = _all(own), _all(together)
    points = _points_agree(function, derivative, values,
                           lambda point: tuple(condition.xreplace({variable: point}) for condition in conditions))
    if not points:
        return None
    excluded = _zeros_within(conditions[0], variable, PLOT_INTERVAL)
    if not all(undefined_at(function, variable, point) for point in excluded):
        return None
    verification = Verification(
        proved=True, numeric_ok=True, method="the conditions under which each piece has a real value (a tangent "
        "needs cos u != 0, a logarithm a positive argument, a root a base that is not negative, a denominator "
        "a value other than 0); at every sample point that meets them, the function and its derivative are "
        "defined, and at every other, not", points=tuple(points), seal=SEAL)
    return Domain(function=conditions[0], derivative=conditions[1], verification=verification, excluded=excluded)


def _zeros_within(condition: sympy.Basic, variable: sympy.Symbol, interval: tuple[int, int]) -> tuple[sympy.Expr, ...]:
    """The points of ``interval`` where a condition u ≠ c of ``condition`` fails (cos x = 0 for
    tan x), exactly, in order; those SymPy's solveset does not give as finitely many are left out."""
    parts = condition.args if isinstance(condition, sympy.And) else (condition,)
    found: set[sympy.Expr] = set()
    for part in parts:
        if not isinstance(part, sympy.Ne):
            continue
        try:
            zeros = sympy.solveset(part.lhs - part.rhs, variable, sympy.Interval(*interval))
        except (NotImplementedError, ValueError, TypeError):
            continue
        if isinstance(zeros, sympy.FiniteSet):
            found.update(zeros)
    return tuple(sorted(found, key=float))


def _all(conditions: list[sympy.Basic]) -> sympy.Basic:
    return sympy.And(*conditions, evaluate=False) if len(conditions) > 1 else conditions[0]


def domain_of_derivation(function: sympy.Expr, derivative: sympy.Expr, variable: sympy.Symbol,
                         values: Callable[[sympy.Expr], list[tuple[sympy.Rational, bool | None]]]) -> Domain | None:
    """Where ``function`` and its derivative ``derivative`` are defined, when that is not the
    whole line (``x > 0``; ``x ≠ 0`` for 1/x); None when both are defined everywhere.

    The conditions are SymPy's ``continuous_domain`` of every piece, intersected (a derivative
    exists at most where its function is defined). They are checked against the sample points
    ``values`` gives for each expression (``(point, defined there)``): each point that meets the
    condition must be defined and each that does not must be undefined, else nothing is stated.
    No sample point falls on an isolated point the conditions leave out: there the function is
    evaluated exactly and must be undefined (1/0), else nothing is stated (|x| at 0 is defined, and
    that its derivative is not would take a proof about limits).
    """
    if periodically_restricted(function, variable):
        return _conditions_domain(function, derivative, variable, values)
    function_set = common_domain(function, function, variable)
    derivative_set = common_domain(sympy.Derivative(function, variable), derivative, variable)
    if function_set is None or derivative_set is None:
        return None
    conditions = restriction(function_set, variable, points=True), restriction(derivative_set, variable, points=True)
    if conditions == (None, None):
        return None
    gaps = sorted({*(isolated_points(function_set) or ()), *(isolated_points(derivative_set) or ())}, key=float)
    if not all(undefined_at(function, variable, point) for point in gaps):
        return None
    points = _points_agree(function, derivative, values,
                           lambda point: (function_set.contains(point), derivative_set.contains(point)),
                           edge=lambda point: _isolated(derivative_set, point))
    if not points:
        return None
    at_gaps = ""
    if gaps:
        listed = ", ".join(f"{variable} = {sympy.sstr(point)}" for point in gaps)
        at_gaps = f"; at {listed} the function is undefined (exact arithmetic)"
    verification = Verification(
        proved=True, numeric_ok=True, method="SymPy's continuous_domain of every piece, intersected; at every sample "
        f"point inside, the function and its derivative are defined, and outside, not{at_gaps}",
        points=tuple(points), seal=SEAL)
    return Domain(function=conditions[0], derivative=conditions[1], verification=verification,
                  interval=_plot_interval(function_set), excluded=tuple(gaps))


#: Where points are taken inside an interval of a domain, as fractions of its length (none a
#: simple fraction: a point a function treats specially, such as the middle, is not all there is).
_FRACTIONS = tuple(sympy.Rational(n, 1000) for n in (127, 359, 500, 641, 873))
#: Past the end of an interval that is unbounded on one side.
_STRIDES = tuple(sympy.Rational(n, 100) for n in (37, 113, 271, 589, 1307))


def points_inside(domain: sympy.Set, count: int = 5) -> list[sympy.Rational]:
    """Up to ``count`` rational points inside each interval of ``domain`` (for a claim no sample
    point of the verifier reaches: arcsin(x + 7) is defined on [-8, -6] only)."""
    pieces = domain.args if isinstance(domain, sympy.Union) else (domain,)
    points: list[sympy.Rational] = []
    for piece in pieces:
        if not isinstance(piece, sympy.Interval) or piece.measure == 0:
            continue
        low, high = piece.inf, piece.sup
        if low.is_finite and high.is_finite:
            inside = [low + (high - low) * fraction for fraction in _FRACTIONS]
        elif low.is_finite:
            inside = [low + stride for stride in _STRIDES]
        elif high.is_finite:
            inside = [high - stride for stride in _STRIDES]
        else:
            inside = list(_STRIDES)
        points.extend(_rational(point) for point in inside[:count])
    return points


def _rational(value: sympy.Expr) -> sympy.Rational:
    """``value`` if it is rational, else the nearest thousandth (an end at √2 makes √2·0.127 + ...)."""
    return value if value.is_Rational else sympy.Rational(round(float(value) * 1000), 1000)


def undefined_at(expr: sympy.Expr, variable: sympy.Symbol, point: sympy.Expr) -> bool:
    """Whether ``expr`` (definitions expanded, derivatives evaluated) has no real value at
    ``point``, in exact arithmetic: a division by zero (1/x at 0, ln x/(x − 1) at 1: 0/0), a
    logarithm of 0. False when it has a value there or SymPy cannot tell."""
    try:
        value = prepare(expr).xreplace({variable: point})
        if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            return True
        return value.is_real is False
    except (ZeroDivisionError, TypeError, ValueError, AttributeError, RecursionError):
        return False


def _points_agree(function: sympy.Expr, derivative: sympy.Expr,
                  values: Callable[[sympy.Expr], list[tuple[sympy.Rational, bool | None]]],
                  inside: Callable[[sympy.Rational], tuple[sympy.Basic, sympy.Basic]],
                  edge: Callable[[sympy.Rational], bool] | None = None) -> list[str] | None:
    """The sample points (as shown, three decimals) at which a stated domain agrees with where
    ``function`` and ``derivative`` are defined; None at the first that does not, or where
    ``inside`` (whether a point is in the function's and in the derivative's domain) cannot tell.
    ``edge``: whether a point the function's domain holds and the derivative's does not, though both
    are defined there, is at the derivative's edge (√x at 0); without it that case is not asked."""
    points = []
    for (point, function_defined), (_, derivative_defined) in zip(values(function), values(derivative)):
        if function_defined is None or derivative_defined is None:
            continue  # a parameter's part is undefined there (ln a at a < 0): no evidence either way
        members = inside(point)
        if not all(member in (sympy.true, sympy.false) for member in members):
            return None
        # inside a domain its expressions are defined; outside the derivative's, f or f' is not
        if bool(members[0]) != function_defined or bool(members[1]) and not derivative_defined:
            return None
        if (edge is not None and not members[1] and function_defined and derivative_defined and bool(members[0])
                and not edge(point)):
            return None
        points.append(f"{float(point):.3f}")
    return points


def _isolated(domain: sympy.Set, point: sympy.Rational) -> bool:
    """Whether ``point`` is at the edge of ``domain`` (√x at 0: the function is defined there, its
    derivative is not, and no sample point shows it)."""
    return domain.boundary.contains(point) == sympy.true


def _plot_interval(domain: sympy.Set) -> tuple[int, int]:
    """The part of [-6, 6] a graph shows: the domain's hull inside it, widened to whole numbers
    (arcsin: -1 to 1; ln: 0 to 6); the whole of [-6, 6] when that leaves less than a unit."""
    low, high = PLOT_INTERVAL
    try:
        infimum, supremum = domain.inf, domain.sup
    except (NotImplementedError, AttributeError, TypeError, ValueError):
        return PLOT_INTERVAL
    if infimum.is_finite and infimum > low:
        low = min(high - 1, math.floor(float(infimum)))
    if supremum.is_finite and supremum < high:
        high = max(low + 1, math.ceil(float(supremum)))
    return (low, high) if high - low >= 1 else PLOT_INTERVAL
