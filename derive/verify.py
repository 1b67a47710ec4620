"""Prove that two expressions are equal, and attach the proof to every step.

Each equality ``a = b`` is first screened numerically (mpmath, 35 significant digits, at seeded
random points), which finds counterexamples fast; if it survives, it is proved symbolically by
a cheap, complete decision procedure for the functions derive works with:

1. named functions (``sigma``) are replaced by their definitions and unevaluated derivatives
   are evaluated (this is the one place where ``sympy.diff`` is used: to check, never to derive);
2. trigonometric and hyperbolic functions are rewritten with exponentials;
3. every ``exp(c*x + k)`` with rational ``c`` becomes a power of ``T = exp(x/L)`` (or of
   ``S = exp(i*x/L)``), and every other non-rational piece (``log(u)``, ``erf(u)``, ``sqrt(u)``)
   becomes a fresh symbol;
4. the difference, now a rational function of independent symbols, is reduced in the field
   ℚ(x, T, S, …): it is zero exactly when the numerator cancels.

Steps 3–4 are sound (a rational function that is identically zero stays zero when the symbols
are given their real values), and complete for rational functions of ``x`` and ``e^{cx}``,
which covers σ, tanh, softplus′, and their derivatives. When the procedure cannot decide,
``sympy.simplify`` is tried on small expressions; failing that, the result is "numeric only" and
rendering marks it visibly.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

import mpmath
import sympy

from derive.algebra import evaluate_arithmetic
from derive.evaluate import evaluate_at_points
from derive.functions import expand_definitions
from derive.model import Derivation, Step, Verification
from derive.rational import OutsideFragment, is_zero_rational_function

_TRIG_AND_HYPERBOLIC = (
    sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc,
    sympy.sinh, sympy.cosh, sympy.tanh, sympy.coth, sympy.sech, sympy.csch,
)
_SIMPLIFY_OPS_LIMIT = 120


@dataclass(frozen=True, kw_only=True)
class VerifyOptions:
    """How hard to check. The defaults meet the brief: ≥ 30 digits, seeded points."""

    digits: int = 35
    points: int = 6
    seed: int = 20261127
    low: float = -3.0
    high: float = 3.0
    allow_simplify: bool = True
    #: Re-evaluate at three times the precision and refuse agreements that are only too small to
    #: see (σ(100) = 1, a term of 10^-50): used for untrusted claims, where such lines occur.
    stability_check: bool = False


DEFAULT_OPTIONS = VerifyOptions()


def prepare(expr: sympy.Basic) -> sympy.Expr:
    """Definitions expanded first, then derivatives evaluated: never assume σ′ = σ(1 − σ)."""
    expr = expand_definitions(expr if isinstance(expr, sympy.Basic) else sympy.sympify(expr))
    if expr.has(sympy.Derivative, sympy.Subs):
        expr = expr.doit()
    return expr


def sample_points(variable: sympy.Symbol, options: VerifyOptions = DEFAULT_OPTIONS) -> list[sympy.Rational]:
    """Seeded random points with three decimals in [low, high], then positive ones as a reserve."""
    generator = random.Random(options.seed)
    points = []
    for _ in range(options.points):
        value = generator.uniform(options.low, options.high)
        points.append(sympy.Rational(round(value * 1000), 1000))
    reserve = [sympy.Rational(round(generator.uniform(0.1, options.high) * 1000), 1000) for _ in range(options.points)]
    return points + reserve


def far_points(options: VerifyOptions = DEFAULT_OPTIONS) -> list[sympy.Rational]:
    """The verifier's last reserve, for expressions defined only away from 0 (sqrt(x - 4)):
    seeded points with three decimals in [high, 10 high] and [10 low, low], alternating sides."""
    generator = random.Random(f"{options.seed}:far")
    points = []
    for index in range(options.points):
        low, high = (options.high, 10 * options.high) if index % 2 == 0 else (10 * options.low, options.low)
        points.append(sympy.Rational(round(generator.uniform(low, high) * 1000), 1000))
    return points


class Verifier:
    """Proves equalities in one variable, caching what steps share (prepared forms, values).

    Consecutive steps share an expression (one step's ``after`` is the next one's ``before``),
    so each expression is prepared and evaluated once per run. The caches live on this object,
    never in module globals.
    """

    def __init__(self, variable: sympy.Symbol, options: VerifyOptions = DEFAULT_OPTIONS) -> None:
        self.variable = variable
        self.options = options
        rationals = sample_points(variable, options) + far_points(options)
        self._labels = [_show_point(point) for point in rationals]
        with mpmath.workdps(options.digits + 10):
            self._points = [mpmath.mpf(point.p) / point.q for point in rationals]
        self._prepared: dict[sympy.Basic, sympy.Expr] = {}
        self._values: dict[tuple[sympy.Basic, int], list[mpmath.mpf | None]] = {}
        # one cache of sub-tree values per set of points: main, reserve (positive), far
        self._subtree_values: list[dict[sympy.Basic, list[object]]] = [{}, {}, {}]

    def parameter(self, symbol: sympy.Symbol) -> mpmath.mpf:
        """A fixed seeded value in (0.1, 0.9) for a symbol other than the variable (a label y, a
        weight): identities with parameters are screened at one random value of each."""
        generator = random.Random(f"{self.options.seed}:{symbol.name}")
        value = sympy.Rational(round(generator.uniform(0.1, 0.9) * 1000), 1000)
        return mpmath.mpf(value.p) / value.q

    def prepared(self, expr: sympy.Basic) -> sympy.Expr:
        if expr not in self._prepared:
            self._prepared[expr] = prepare(expr)
        return self._prepared[expr]

    def values(self, expr: sympy.Basic, *, part: int = 0) -> list[mpmath.mpf | None]:
        """Values at the sample points (None where undefined), at digits + 10 working precision.

        ``part`` 0 is the main points; 1 the reserve points (positive, for expressions such as
        ln x that are undefined on half the line) and 2 the far points (for sqrt(x - 4)) are
        evaluated only when the earlier ones do not give enough points.
        """
        key = (expr, part)
        if key not in self._values:
            prepared = self.prepared(expr)
            count = self.options.points
            points = self._points[part * count : (part + 1) * count]
            cache = self._subtree_values[part]
            with mpmath.workdps(self.options.digits + 10):
                constants = {symbol: self.parameter(symbol) for symbol in prepared.free_symbols if symbol != self.variable}
                self._values[key] = evaluate_at_points(prepared, self.variable, points, cache, constants)
        return self._values[key]

    def compare(self, a: sympy.Basic, b: sympy.Basic) -> tuple[bool, list[str], str, tuple[str, str, str] | None]:
        """(agree, points used, largest relative difference, counterexample or None)."""
        used: list[str] = []
        largest = mpmath.mpf(0)
        count = self.options.points
        with mpmath.workdps(self.options.digits + 10):
            tolerance = mpmath.mpf(10) ** (-self.options.digits)
            for part in (0, 1, 2):
                labels = self._labels[part * count : (part + 1) * count]
                for label, left, right in zip(labels, self.values(a, part=part), self.values(b, part=part)):
                    if left is None and right is None:
                        continue
                    if left is None or right is None or _differ(left, right, tolerance):
                        return False, [*used, label], "inf", (label, *show_pair(left, right))
                    used.append(label)
                    largest = max(largest, abs(left - right) / max(mpmath.mpf(1), abs(left), abs(right)))
                if len(used) >= min(3, count):
                    break
            return bool(used), used, mpmath.nstr(largest, 3), None

    def stable_difference(self, a: sympy.Basic, b: sympy.Basic) -> tuple[str, str, str] | None:
        """A point where a and b differ by a tiny but real amount.

        a - b is evaluated at two precisions: rounding noise shrinks with precision, a real
        difference (σ(100) - 1 ≈ -3.7·10^-44) stays the same. First at two and three times the
        working precision, then at 600 and 900 digits at two points (σ(1000) - 1 ≈ -5·10^-435),
        and for a claim without the variable, which is cheap to evaluate, at 2000 and 3000 digits.
        Differences below about 10^-1900 (relative) stay out of reach.
        """
        prepared = [self.prepared(expr) for expr in (a, b)]
        constant = not any(side.has(self.variable) for side in prepared)
        count = 1 if constant else self.options.points
        tiers = [(2 * self.options.digits + 10, 3 * self.options.digits + 10, count), (600, 900, min(count, 2))]
        if constant:
            tiers.append((2000, 3000, 1))
        for low, high, points in tiers:
            found = self._stable_gap_at(prepared, low, high, points)
            if found is not None:
                return found
        return None

    def _stable_gap_at(self, prepared: list[sympy.Expr], low: int, high: int, count: int) -> tuple[str, str, str] | None:
        gaps = []
        for digits in (low, high):
            with mpmath.workdps(digits):
                points = [mpmath.mpf(p.p) / p.q for p in sample_points(self.variable, self.options)[:count]]
                pair = []
                for side in prepared:
                    constants = {s: self.parameter(s) for s in side.free_symbols if s != self.variable}
                    pair.append(evaluate_at_points(side, self.variable, points, {}, constants))
                gaps.append(pair)
        with mpmath.workdps(high):
            for index, label in enumerate(self._labels[:count]):
                at_low = (gaps[0][0][index], gaps[0][1][index])
                at_high = (gaps[1][0][index], gaps[1][1][index])
                if _stable_gap(at_low, at_high):
                    return (label, *show_pair(*at_high))
        return None

    def prove(self, a: sympy.Basic, b: sympy.Basic) -> Verification:
        """Numeric screening on the whole expressions, then a symbolic proof.

        The symbolic proof looks first at the part that changed: when ``a`` and ``b`` differ in
        one sub-expression only, proving those two parts equal proves the whole (equal functions
        stay equal inside any context, derivatives included).
        """
        agree, used, largest, counterexample = self.compare(a, b)
        if a == b:
            # The same expression on both sides (a change of notation, a step that could not be
            # done): true even where it cannot be evaluated.
            return Verification(proved=True, numeric_ok=True, method="the two sides are the same expression",
                                points=tuple(used) if agree else (), digits=self.options.digits)
        numeric = dict(points=tuple(used), digits=self.options.digits, max_difference=largest)
        if not agree:
            method = "numeric counterexample" if counterexample else "numeric: no point where both sides are defined"
            return Verification(proved=False, numeric_ok=False, method=method, counterexample=counterexample, **numeric)
        if self.options.stability_check and self._one_side_vanishes(a, b):
            found = self.stable_difference(a, b)
            if found is not None:
                return Verification(proved=False, numeric_ok=False, method="numeric counterexample (high precision)",
                                    counterexample=found, **numeric)
        local_a, local_b = differing_parts(a, b)
        method = decide_zero(self.prepared(local_a) - self.prepared(local_b), self.variable, allow_simplify=False)
        if method is not None and (local_a, local_b) != (a, b):
            method += " (on the part that changed)"
        if method is None:
            difference = self.prepared(a) - self.prepared(b)
            # Numbers built from e^q (q rational) are decided exactly, before simplify is tried.
            exact = constant_is_zero(difference) if difference != 0 else None
            if exact is True:
                method = "exact: a rational function of e^(1/L) that cancels"
            elif exact is False:
                method = (
                    f"exact arithmetic: the two sides differ by {_show_rational(difference)}" if difference.is_Rational
                    else "exact: a nonzero rational function of e^(1/L), which is transcendental (Lindemann-Weierstrass)"
                )
                return Verification(proved=False, numeric_ok=False, counterexample=self._far_apart(a, b), method=method,
                                    **numeric)
            else:
                method = decide_zero(difference, self.variable, allow_simplify=self.options.allow_simplify)
        if method is None and self.options.stability_check:
            found = self.stable_difference(a, b)
            if found is not None:
                return Verification(proved=False, numeric_ok=False, method="numeric counterexample (high precision)",
                                    counterexample=found, **numeric)
        if method is None:
            return Verification(proved=False, numeric_ok=True, method="numeric only: no symbolic proof found", **numeric)
        return Verification(proved=True, numeric_ok=True, method=method, **numeric)

    def _far_apart(self, a: sympy.Basic, b: sympy.Basic) -> tuple[str | None, str, str]:
        """The values of two numbers proved different, written so that they differ if 3000 digits
        show it, else with the note that they differ beyond that."""
        with mpmath.workdps(3000):
            point = self._points[:1]
            left, right = (evaluate_at_points(self.prepared(side), self.variable, point, {})[0] for side in (a, b))
            if left is not None and right is not None and left != right:
                return (self._labels[0], *show_pair(left, right))
        return self._labels[0], f"{_show(left)} (they differ by a nonzero amount below 10^-3000)", _show(right)

    def _one_side_vanishes(self, a: sympy.Basic, b: sympy.Basic) -> bool:
        """Some point where exactly one side is 0: a tiny value may hide a false claim (σ(x)^1000 = 0)."""
        return any((left == 0) != (right == 0) for left, right in zip(self.values(a), self.values(b))
                   if left is not None and right is not None)


def _stable_gap(low: tuple, high: tuple) -> bool:
    """True when a - b is the same at two precisions (a real difference, not rounding noise)."""
    (a_low, b_low), (a_high, b_high) = low, high
    if None in (a_low, b_low, a_high, b_high):
        return False
    gap_low, gap_high = a_low - b_low, a_high - b_high
    return gap_high != 0 and gap_low != 0 and abs(gap_high - gap_low) <= abs(gap_high) * mpmath.mpf(10) ** -8


def differing_parts(a: sympy.Basic, b: sympy.Basic) -> tuple[sympy.Basic, sympy.Basic]:
    """The smallest sub-expressions in which ``a`` and ``b`` differ, if they differ in one place."""
    while a != b and type(a) is type(b) and a.args and len(a.args) == len(b.args):
        positions = [i for i, (left, right) in enumerate(zip(a.args, b.args)) if left != right]
        if len(positions) != 1 or not isinstance(a.args[positions[0]], sympy.Expr):
            break
        a, b = a.args[positions[0]], b.args[positions[0]]
    return a, b


def prove_equal(
    a: sympy.Basic, b: sympy.Basic, variable: sympy.Symbol, options: VerifyOptions = DEFAULT_OPTIONS
) -> Verification:
    """Prove ``a = b`` for all real values of ``variable`` where both sides are defined.

    >>> from derive.functions import variable, sigma
    >>> x = variable()
    >>> prove_equal(sympy.Derivative(sigma(x), x), sigma(x) * (1 - sigma(x)), x).status
    'proved'
    """
    return Verifier(variable, options).prove(a, b)


def decide_zero(difference: sympy.Expr, variable: sympy.Symbol, *, allow_simplify: bool = True) -> str | None:
    """The name of the method that proves ``difference == 0``, or None if none does."""
    if difference == 0:
        return "identical once definitions are expanded and derivatives evaluated"
    if difference.has(*_PIECEWISE_KINDS):
        return piecewise_zero(difference, variable, allow_simplify=allow_simplify)
    zero = rational_zero_test(difference, variable)
    if zero is not None and zero[0]:
        return zero[1]
    if allow_simplify and sympy.count_ops(difference) <= _SIMPLIFY_OPS_LIMIT:
        if sympy.simplify(difference) == 0:
            return "sympy.simplify reduces the difference to 0"
    return None


_PIECEWISE_KINDS = (sympy.Piecewise, sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max, sympy.Min)


def piecewise_zero(difference: sympy.Expr, variable: sympy.Symbol, *, allow_simplify: bool = True) -> str | None:
    """Prove a piecewise difference zero interval by interval.

    |u|, sign, Heaviside, max and min are written as piecewise functions and the pieces folded
    together; the break points (conditions must compare the variable with numbers) cut the line
    into open intervals, and on each one the active piece must be proved zero by the ordinary
    procedure. The value exactly at a break point is not claimed (where a side is undefined
    there, such as a derivative at a corner, the claim is about the points where both are).
    """
    folded = sympy.piecewise_fold(difference.rewrite(sympy.Piecewise))
    pieces = folded.args if isinstance(folded, sympy.Piecewise) else ((folded, sympy.true),)
    points: set[sympy.Rational] = set()
    for _, condition in pieces:
        if condition.free_symbols - {variable}:
            return None
        for relation in condition.atoms(sympy.core.relational.Relational):
            bound = sympy.solve(relation.lhs - relation.rhs, variable) if relation.has(variable) else []
            if relation.has(variable) and (len(bound) != 1 or not bound[0].is_Rational):
                return None
            points.update(bound)
    if any(piece.has(*_PIECEWISE_KINDS) for piece, _ in pieces):
        return None
    cuts = sorted(points)
    samples = [cuts[0] - 1, *((a + b) / 2 for a, b in zip(cuts, cuts[1:])), cuts[-1] + 1] if cuts else [sympy.S.Zero]
    for sample in samples:
        active = None
        for piece, condition in pieces:
            truth = condition.subs(variable, sample)
            if truth not in (sympy.true, sympy.false):
                return None
            if truth is sympy.true:
                active = piece
                break
        if active is None:
            continue
        if decide_zero(active, variable, allow_simplify=allow_simplify) is None:
            return None
    where = ", ".join(str(c) for c in cuts) if cuts else "none"
    return f"piecewise: proved on every interval between the break points ({where})"


def to_rational_function(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    """``expr`` as a rational function of independent symbols (steps 2 and 3 of the procedure)."""
    return _rational_pieces(expr, variable)[0]


def to_rational_function_with_scale(expr: sympy.Expr, variable: sympy.Symbol) -> tuple[sympy.Expr, int]:
    """The rational function and the L of its symbol T = e^(x/L) (so that x = L·ln T)."""
    return _rational_pieces(expr, variable)[0], exponential_scale(_exponential_form(expr, variable), variable)


def _rational_pieces(
    expr: sympy.Expr, variable: sympy.Symbol
) -> tuple[sympy.Expr, str, list[str], list[tuple[sympy.Dummy, int, sympy.Expr]]]:
    # Written (unevaluated) trees such as ``2*x**1`` or ``-1*1`` are first rebuilt with SymPy's
    # automatic evaluation (an exact rewrite), so that the field conversion below accepts them.
    rewritten = _exponential_form(expr, variable)
    substituted, description = _substitute_exponentials(rewritten, variable)
    substituted, generic, radicals = _replace_generic_atoms(substituted, variable)
    return substituted, description, generic, radicals


def _exponential_form(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    """Arithmetic evaluated, variable powers as e^(g ln f), trigonometric and hyperbolic functions
    written with exponentials."""
    rewritten = evaluate_arithmetic(expr).replace(
        lambda node: node.is_Pow and node.exp.has(variable),
        lambda node: sympy.exp(node.exp * sympy.log(node.base)),
    )
    if rewritten.has(*_TRIG_AND_HYPERBOLIC):
        rewritten = rewritten.rewrite(list(_TRIG_AND_HYPERBOLIC), sympy.exp)
    return rewritten


def rational_zero_test(expr: sympy.Expr, variable: sympy.Symbol) -> tuple[bool, str] | None:
    """Whether ``expr`` is zero as a rational function of independent symbols (steps 2-4 of the
    procedure), with the description of the method; None when it is not such a function.

    Decided by one walk over the tree in polynomial arithmetic (:mod:`derive.rational`); the
    general conversion (:func:`rational_normal_form`) handles what that walk leaves out (roots).
    """
    rewritten = _exponential_form(expr, variable)
    replacements, description = _exponential_replacements(rewritten, variable)
    try:
        zero, generic, symbols = is_zero_rational_function(rewritten, replacements)
    except OutsideFragment:
        normal = rational_normal_form(expr, variable)
        return None if normal is None else (normal[0] == 0, normal[1])
    if not symbols:
        return zero, "exact arithmetic"
    if generic:
        description += "; " + ", ".join(generic) + " treated as independent symbols"
    return zero, description


def constant_is_zero(difference: sympy.Expr) -> bool | None:
    """Whether a difference of numbers (no symbol at all) is 0, decided exactly when every
    exponential in it is e^q with q rational (σ(1000) - 1, e/(1 + e) - σ(1)); None otherwise.

    Write each e^q as T^(qL) with T = e^(1/L): the difference becomes a rational function of T
    alone. If that function is identically zero the difference is 0; if not, it is not 0 at
    T = e^(1/L) either, since e^(1/L) is transcendental (Lindemann–Weierstrass) and so is no
    root of a nonzero polynomial with rational coefficients.
    """
    if difference.free_symbols:
        return None
    z = sympy.Dummy("z", real=True)
    lifted = difference.xreplace({sympy.E: sympy.exp(z)}).replace(
        lambda node: isinstance(node, sympy.exp) and node.args[0].is_Rational,
        lambda node: sympy.exp(node.args[0] * z),
    )
    if not lifted.has(z):
        return bool(lifted == 0) if lifted.is_Rational else None
    rewritten = _exponential_form(lifted, z)
    replacements, _ = _exponential_replacements(rewritten, z)
    try:
        zero, _, symbols = is_zero_rational_function(rewritten, replacements)
    except OutsideFragment:
        return None
    only_t = len(symbols) == 1 and isinstance(symbols[0], sympy.Dummy) and symbols[0].name == "T"
    return zero if only_t else None


def rational_normal_form(expr: sympy.Expr, variable: sympy.Symbol) -> tuple[sympy.Expr, str] | None:
    """Reduce ``expr`` to a canonical rational function of independent symbols, or None.

    Returns the reduced numerator and a description of the substitution used.
    """
    substituted, description, generic, radicals = _rational_pieces(expr, variable)
    # A Float is taken at its exact (binary) value, as the numeric check does: rounding it to a
    # "nearby simple number" (nsimplify) would turn x + 1e-50 = x into a false proof.
    substituted = substituted.xreplace({f: sympy.Rational(f) for f in substituted.atoms(sympy.Float)})
    generators = sorted(substituted.free_symbols, key=sympy.default_sort_key)
    if not generators:
        value = evaluate_arithmetic(substituted)
        return (sympy.S.Zero if value == 0 else value), "exact arithmetic"
    try:
        field = sympy.QQ.frac_field(*generators)
        element = field.from_sympy(substituted)
    except (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError):
        return None
    if radicals and element != field.zero:
        element = _reduce_radicals(element, field, radicals)
        if element == field.zero:
            description += "; powers of roots reduced with r^q = base"
    numerator = field.to_sympy(element.numer if hasattr(element, "numer") else element)
    if generic:
        description += "; " + ", ".join(generic) + " treated as independent symbols"
    return (sympy.S.Zero if element == field.zero else numerator), description


def _reduce_radicals(element, field, radicals: list[tuple[sympy.Dummy, int, sympy.Expr]]):  # noqa: ANN001, ANN202
    """The numerator reduced modulo r^q - base for every root r = base^(1/q) (sound: r^q = base
    holds wherever r is defined), repeated so that roots nested in other roots are reduced too."""
    numerator = field.to_sympy(element.numer)
    for _ in range(len(radicals) + 1):
        changed = False
        for root, q, base in radicals:
            if numerator.has(root) and sympy.degree(numerator, root) >= q:
                try:
                    numerator = sympy.rem(numerator, root**q - base, root)
                except (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError):
                    return element
                numerator = field.to_sympy(field.from_sympy(numerator).numer)
                changed = True
        if not changed:
            break
    try:
        return field.from_sympy(numerator)
    except (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError):
        return element


def exponential_scale(expr: sympy.Expr, variable: sympy.Symbol) -> int:
    """L such that every e^(c x) in ``expr`` (c rational, real or imaginary) is a power of e^(x/L)."""
    coefficients = []
    for power in (e for e in expr.atoms(sympy.exp) if e.has(variable)):
        for term in sympy.Add.make_args(sympy.expand(power.args[0])):
            coefficient = term.coeff(variable)
            if term.has(variable) and term == coefficient * variable:
                real_part, imaginary_part = coefficient.as_real_imag()
                if real_part.is_Rational and imaginary_part.is_Rational:
                    coefficients += [real_part, imaginary_part]
    return math.lcm(*(int(c.q) for c in coefficients)) if coefficients else 1


def _substitute_exponentials(expr: sympy.Expr, variable: sympy.Symbol) -> tuple[sympy.Expr, str]:
    replacements, description = _exponential_replacements(expr, variable)
    return (expr.xreplace(replacements) if replacements else expr), description


def _exponential_replacements(expr: sympy.Expr, variable: sympy.Symbol) -> tuple[dict[sympy.Basic, sympy.Expr], str]:
    """Each e^(c x + k) in ``expr`` as T^(cL)·S^(c'L)·e^k (T = e^(x/L), S = e^(ix/L)), and the
    sentence that describes the substitution."""
    exponentials = [e for e in expr.atoms(sympy.exp) if e.has(variable)]
    if not exponentials:
        return {}, "rational function of " + str(variable) + " cancels"
    scale = exponential_scale(expr, variable)
    t = sympy.Dummy("T", positive=True)
    s = sympy.Dummy("S")
    replacements = {}
    imaginary = False
    for power in exponentials:
        factors = []
        for term in sympy.Add.make_args(sympy.expand(power.args[0])):
            coefficient = term.coeff(variable)
            real_part, imaginary_part = coefficient.as_real_imag() if term.has(variable) else (0, 0)
            if term.has(variable) and term == coefficient * variable and real_part.is_Rational and imaginary_part.is_Rational:
                factors.append(t ** (real_part * scale) * s ** (imaginary_part * scale))
                imaginary = imaginary or imaginary_part != 0
            else:
                factors.append(sympy.exp(term))
        replacements[power] = sympy.Mul(*factors)
    name = f"e^({variable}/{scale})" if scale != 1 else f"e^{variable}"
    description = f"substitute T = {name}; the rational function cancels"
    if imaginary:
        description = f"rewrite in exponentials, substitute T = {name} and S = e^(i{variable}); the rational function cancels"
    return replacements, description


def _replace_generic_atoms(
    expr: sympy.Expr, variable: sympy.Symbol
) -> tuple[sympy.Expr, list[str], list[tuple[sympy.Dummy, int, sympy.Expr]]]:
    """Replace every piece that is not a rational operation by a fresh symbol.

    A rational power ``b^(p/q)`` becomes ``r^p`` for a symbol ``r`` standing for ``b^(1/q)``
    (one per base and q), and the relation ``r^q = b`` is returned so that it can be used.
    """
    replacements: dict[sympy.Basic, sympy.Expr] = {}
    names: list[str] = []
    roots: dict[tuple[sympy.Basic, int], sympy.Dummy] = {}

    def visit(node: sympy.Basic) -> None:
        if node in replacements or node.is_Atom:
            if node.is_Atom and not (node.is_Symbol or node.is_Rational or node.is_Float) and node.is_number:
                replacements.setdefault(node, sympy.Dummy(str(node)))
            return
        if isinstance(node, (sympy.Add, sympy.Mul)):
            for arg in node.args:
                visit(arg)
            return
        if isinstance(node, sympy.Pow) and node.exp.is_Integer:
            visit(node.base)
            return
        if isinstance(node, sympy.Pow) and node.exp.is_Rational:
            root = roots.setdefault((node.base, int(node.exp.q)), sympy.Dummy("R"))
            replacements[node] = root ** int(node.exp.p)
            visit(node.base)
            return
        replacements[node] = sympy.Dummy("A")
        names.append(str(node))

    visit(expr)
    if not replacements:
        return expr, [], []
    radicals = [(root, q, base.xreplace(replacements)) for (base, q), root in roots.items()]
    return expr.xreplace(replacements), sorted(set(names)), radicals


def verify_step(step: Step, verifier: Verifier, verifiers: dict[sympy.Symbol, Verifier]) -> Step:
    """A copy of ``step`` (and its sub-steps) carrying the proof of ``before = after``."""
    substeps = []
    for sub in step.substeps:
        variable = sub_variable(sub, verifier.variable)
        if variable not in verifiers:
            verifiers[variable] = Verifier(variable, verifier.options)
        substeps.append(verify_step(sub, verifiers[variable], verifiers))
    return dataclasses.replace(step, substeps=tuple(substeps), verification=verifier.prove(step.before, step.after))


def sub_variable(step: Step, default: sympy.Symbol) -> sympy.Symbol:
    """Sub-steps about the outer function of a chain rule are in ``u``, not in ``x``."""
    variable = step.detail("variable")
    return variable if isinstance(variable, sympy.Symbol) else default


def verify_steps(steps: Iterable[Step], variable: sympy.Symbol, options: VerifyOptions = DEFAULT_OPTIONS) -> tuple[Step, ...]:
    verifier = Verifier(variable, options)
    verifiers = {variable: verifier}
    return tuple(verify_step(step, verifier, verifiers) for step in steps)


def verify_derivation(derivation: Derivation, options: VerifyOptions = DEFAULT_OPTIONS) -> Derivation:
    """Verify every step, and prove the identity ``d/dx f = result`` end to end."""
    x = derivation.variable
    verifier = Verifier(x, options)
    verifiers = {x: verifier}
    steps = tuple(verify_step(step, verifier, verifiers) for step in derivation.steps)
    identity = verifier.prove(sympy.Derivative(derivation.function, x), derivation.result)
    return dataclasses.replace(derivation, steps=steps, identity=identity)


def _differ(left: mpmath.mpf, right: mpmath.mpf, tolerance: mpmath.mpf) -> bool:
    scale = max(mpmath.mpf(1), abs(left), abs(right))
    return abs(left - right) > tolerance * scale


def _show(value: mpmath.mpf | None) -> str:
    return "undefined" if value is None else mpmath.nstr(value, 12)


def _show_rational(value: sympy.Rational) -> str:
    with mpmath.workdps(30):
        return mpmath.nstr(mpmath.mpf(int(value.p)) / int(value.q), 3)


def show_pair(left: mpmath.mpf | None, right: mpmath.mpf | None) -> tuple[str, str]:
    """Two different values written so that a reader sees that they differ: with 12 significant
    digits, or 20 or 30 if needed (σ(40) = 0.99999999999999999575 against 1.0), or else as the
    other value plus the tiny difference (1.0 - 5.08e-435). Call in the precision they carry."""
    if left is None or right is None:
        return _show(left), _show(right)
    for digits in (12, 20, 30):
        shown = mpmath.nstr(left, digits), mpmath.nstr(right, digits)
        if shown[0] != shown[1]:
            return shown
    gap = left - right
    return f"{_show(right)} {'+' if gap > 0 else '-'} {mpmath.nstr(abs(gap), 3)}", _show(right)


def _show_point(point: sympy.Rational) -> str:
    """Sample points are multiples of 1/1000: written with exactly three decimals."""
    return f"{point.p / point.q:.3f}"
