"""Prove that two expressions are equal, and attach the proof to every step.

A :class:`Verifier` screens each equality numerically at seeded points (mpmath) and then proves
it with the decision procedure of :mod:`derive.verify.procedure`. :func:`verify_derivation` is
the verify stage of the pipeline: it returns a copy of a derivation whose every step carries
its proof.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import mpmath
import sympy

from derive.evaluate import NotEvaluable, evaluate, evaluate_columns, to_mpf
from derive.expressions import evaluate_arithmetic, reading_order
from derive.functions import nowhere_defined, prepare
from derive.letters import Definitions, expand_letters
from derive.model import Derivation, Step, Verification
from derive.verify.domain import (
    common_domain, domain_of_derivation, has_poles, parameter_parts_of, periodically_restricted, points_inside, restriction,
    where_claimed,
)
from derive.verify.options import DEFAULT_OPTIONS, VerifyOptions, symbol_points
from derive.verify.procedure import constant_is_zero, decide_zero, on_intervals_zero
from derive.verify.seal import SEAL

#: Proofs already made, by (a, b, variable, options); bounded (a long-running server forgets
#: them all when the limit is reached).
_REMEMBERED_PROOFS: dict[tuple[sympy.Basic, sympy.Basic, sympy.Symbol | None, VerifyOptions], Verification] = {}
_REMEMBERED_LIMIT = 20_000


class Verifier:
    """Proves equalities, caching what steps share (prepared forms, values at the sample points).

    Every symbol of an equality is a real variable: each gets its own seeded sample values (see
    :func:`~derive.verify.options.symbol_points`; ``variable``, the one a derivation is about,
    keeps the historical points), and a point where either side is undefined is outside the
    common domain, so it is no counterexample: it is skipped. Consecutive steps share an
    expression (one step's ``after`` is the next one's ``before``), so each expression is
    prepared and evaluated once per run. The caches of values live on this object, never in
    module globals (they depend on the options); what depends on an expression alone (its
    prepared form, its domain) is remembered where it is computed.
    """

    def __init__(self, variable: sympy.Symbol | None = None, options: VerifyOptions = DEFAULT_OPTIONS) -> None:
        self.variable = variable
        self.options = options
        self._rationals: dict[sympy.Symbol | None, list[sympy.Rational]] = {}
        self._columns: dict[sympy.Symbol, list[mpmath.mpf]] = {}
        self._prepared: dict[sympy.Basic, sympy.Expr] = {}
        self._free: dict[sympy.Basic, frozenset[sympy.Symbol]] = {}
        self._values: dict[tuple[sympy.Basic, int], list[mpmath.mpf | None]] = {}
        self._labels: dict[tuple[frozenset[sympy.Symbol], int], str] = {}
        self._parts = 3  # how many sets of points the last comparison looked at
        # one cache of sub-tree values per set of points: main, reserve (positive), far
        self._subtree_values: list[dict[sympy.Basic, list[object]]] = [{}, {}, {}]

    def rationals(self, symbol: sympy.Symbol | None) -> list[sympy.Rational]:
        """The sample values of ``symbol`` (None: of the verifier's variable), exactly."""
        key = None if symbol is None or symbol == self.variable else symbol
        if key not in self._rationals:
            self._rationals[key] = symbol_points(key, self.options)
        return self._rationals[key]

    def _column(self, symbol: sympy.Symbol) -> list[mpmath.mpf]:
        if symbol not in self._columns:
            with mpmath.workdps(self.options.digits + 10):
                self._columns[symbol] = [to_mpf(value) for value in self.rationals(symbol)]
        return self._columns[symbol]

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
            columns = {symbol: self._column(symbol)[part * count : (part + 1) * count] for symbol in self.free(expr)}
            with mpmath.workdps(self.options.digits + 10):
                self._values[key] = evaluate_columns(prepared, columns, count, self._subtree_values[part])
        return self._values[key]

    def defined_at_points(self, expr: sympy.Basic) -> list[tuple[sympy.Rational, bool | None]]:
        """Each sample point of the verifier's variable (all three sets) and whether ``expr`` is
        defined there. Other letters (parameters) take their own sample values at each point; where
        a part of ``expr`` that holds only parameters is undefined (ln a for a < 0 in log_a x), the
        point says nothing about the variable: None. No points without a variable."""
        if self.variable is None:
            return []
        count = self.options.points
        points = self.rationals(None)
        parameter_parts = parameter_parts_of(self.prepared(expr), self.variable)
        found: list[tuple[sympy.Rational, bool | None]] = []
        for part in (0, 1, 2):
            blocked = _undefined_anywhere([self.values(piece, part=part) for piece in parameter_parts], count)
            found.extend((points[part * count + offset], None if held else value is not None)
                         for offset, (value, held) in enumerate(zip(self.values(expr, part=part), blocked)))
        return found

    def defined_somewhere(self, expr: sympy.Basic) -> bool:
        """Whether ``expr`` has a real value at one sample point at least (all three sets; every
        letter of it varies, as in :meth:`compare`)."""
        return any(value is not None for part in (0, 1, 2) for value in self.values(expr, part=part))

    def point(self, symbols: set[sympy.Symbol], index: int) -> tuple[tuple[str, str], ...]:
        """The value of each of ``symbols`` at sample point ``index`` (all parts counted), by name."""
        return tuple((str(symbol), _show_point(self.rationals(symbol)[index]))
                     for symbol in sorted(symbols, key=reading_order))

    def label(self, symbols: set[sympy.Symbol], index: int) -> str:
        """How a point is named: its value alone when the claim is about the verifier's variable
        only (``-2.779``), else every variable's value (``w = 0.512, x = -2.779``)."""
        key = (frozenset(symbols), index)
        if key not in self._labels:
            if not symbols - {self.variable} or len(symbols) == 1 and self.variable is None:
                only = next(iter(symbols), None)
                self._labels[key] = _show_point(self.rationals(only)[index])
            else:
                self._labels[key] = ", ".join(f"{name} = {value}" for name, value in self.point(symbols, index))
        return self._labels[key]

    def free(self, expr: sympy.Basic) -> frozenset[sympy.Symbol]:
        """The variables of ``expr`` once prepared (remembered: SymPy walks the tree each time)."""
        if expr not in self._free:
            self._free[expr] = frozenset(symbol for symbol in self.prepared(expr).free_symbols
                                         if isinstance(symbol, sympy.Symbol))
        return self._free[expr]

    def symbols(self, *exprs: sympy.Basic) -> set[sympy.Symbol]:
        return set().union(*(self.free(expr) for expr in exprs))

    def compare(self, a: sympy.Basic, b: sympy.Basic) -> tuple[bool, list[str], str, tuple[str, str, str] | None]:
        """(agree, points used, largest relative difference, counterexample or None).

        A point where either side is undefined is skipped: it lies outside the common domain, and
        so does a point where a function differentiated in either side is undefined (d/dx of
        ln √((1 + x)/(1 − x)) evaluates to 1/(1 − x²), defined at x = 2 too, but exists only on (−1, 1)).
        ``agree`` with no point used means no sample point lies in the common domain."""
        used: list[str] = []
        largest = mpmath.mpf(0)
        count = self.options.points
        symbols = self.symbols(a, b)
        targets = _differentiated(a, b)
        self._last_point: tuple[tuple[str, str], ...] = ()
        self._skipped = False
        self._parts = 0  # how many sets of points were looked at
        with mpmath.workdps(self.options.digits + 10):
            tolerance = mpmath.mpf(10) ** (-self.options.digits)
            for part in (0, 1, 2):
                self._parts = part + 1
                outside = _undefined_anywhere([self.values(target, part=part) for target in targets], count)
                for offset, (left, right) in enumerate(zip(self.values(a, part=part), self.values(b, part=part))):
                    if left is None or right is None or outside[offset]:
                        self._skipped = True
                        continue
                    index = part * count + offset
                    label = self.label(symbols, index)
                    if _differ(left, right, tolerance):
                        self._last_point = self.point(symbols, index)
                        return False, [*used, label], "inf", (label, *show_pair(left, right))
                    used.append(label)
                    largest = max(largest, abs(left - right) / max(mpmath.mpf(1), abs(left), abs(right)))
                if len(used) >= min(3, count):
                    break
            return True, used, mpmath.nstr(largest, 3), None

    def stable_difference(self, a: sympy.Basic, b: sympy.Basic) -> tuple[str, str, str] | None:
        """A point where a and b differ by a tiny but real amount.

        a - b is evaluated at two precisions: rounding noise shrinks with precision, a real
        difference (σ(100) - 1 ≈ -3.7·10^-44) stays the same. First at two and three times the
        working precision, then at 600 and 900 digits at two points (σ(1000) - 1 ≈ -5·10^-435),
        and for a claim without a variable, which is cheap to evaluate, at 2000 and 3000 digits.
        Differences below about 10^-1900 (relative) stay out of reach.
        """
        prepared = [self.prepared(expr) for expr in (a, b)]
        targets = [self.prepared(target) for target in _differentiated(a, b)]  # a point outside them is none
        constant = not any(side.free_symbols for side in prepared)
        count = 1 if constant else self.options.points
        tiers = [(2 * self.options.digits + 10, 3 * self.options.digits + 10, count), (600, 900, min(count, 2))]
        if constant:
            tiers.append((2000, 3000, 1))
        for low, high, points in tiers:
            found = self._stable_gap_at(prepared, low, high, points, targets)
            if found is not None:
                return found
        return None

    def _exact_columns(self, symbols: set[sympy.Symbol], count: int) -> dict[sympy.Symbol, list[mpmath.mpf]]:
        """The first ``count`` sample values of each symbol at the current precision."""
        return {symbol: [to_mpf(value) for value in self.rationals(symbol)[:count]] for symbol in symbols}

    def _stable_gap_at(self, prepared: list[sympy.Expr], low: int, high: int, count: int,
                       targets: list[sympy.Expr]) -> tuple[str, str, str] | None:
        symbols = {s for side in (*prepared, *targets) for s in side.free_symbols if isinstance(s, sympy.Symbol)}
        gaps = []
        for digits in (low, high):
            with mpmath.workdps(digits):
                columns = self._exact_columns(symbols, count)
                gaps.append([evaluate_columns(side, columns, count, {}) for side in prepared])
                if digits == low:
                    outside = _undefined_anywhere([evaluate_columns(target, columns, count, {}) for target in targets], count)
        with mpmath.workdps(high):
            for index in range(count):
                if outside[index]:
                    continue  # a function differentiated there is undefined: outside the claim
                at_low = (gaps[0][0][index], gaps[0][1][index])
                at_high = (gaps[1][0][index], gaps[1][1][index])
                if _stable_gap(at_low, at_high):
                    self._last_point = self.point(symbols, index)
                    return (self.label(symbols, index), *show_pair(*at_high))
        return None

    def prove(self, a: sympy.Basic, b: sympy.Basic) -> Verification:
        """:meth:`prove_afresh`, remembered across verifiers: a proof is a function of the two
        (immutable, structurally compared) expressions, the variable and the options alone, and
        the same equalities recur (the routes of one function share their sub-steps; a handout
        and the comparison table derive the same functions)."""
        a, b = (side if isinstance(side, sympy.Basic) else sympy.sympify(side, strict=True) for side in (a, b))
        key = (a, b, self.variable, self.options)
        found = _REMEMBERED_PROOFS.get(key)
        if found is None:
            found = self.prove_afresh(a, b)
            if len(_REMEMBERED_PROOFS) >= _REMEMBERED_LIMIT:
                _REMEMBERED_PROOFS.clear()
            _REMEMBERED_PROOFS[key] = found
        return found

    def prove_afresh(self, a: sympy.Basic, b: sympy.Basic) -> Verification:
        """Numeric screening on the whole expressions, then a symbolic proof.

        The symbolic proof looks first at the part that changed: when ``a`` and ``b`` differ in
        one sub-expression only, proving those two parts equal proves the whole (equal functions
        stay equal inside any context, derivatives included).
        """
        a, b = (side if isinstance(side, sympy.Basic) else sympy.sympify(side, strict=True) for side in (a, b))
        agree, used, largest, counterexample = self.compare(a, b)
        if a == b:
            # The same expression on both sides (a change of notation, a step that could not be
            # done): true even where it cannot be evaluated.
            return Verification(proved=True, numeric_ok=True, method="the two sides are the same expression",
                                points=tuple(used) if agree else (), digits=self.options.digits, seal=SEAL)
        numeric = dict(points=tuple(used), digits=self.options.digits, max_difference=largest)
        if not used and any(nowhere_defined(side) for side in (a, b)):
            return Verification(proved=False, numeric_ok=False, method="a side has no value anywhere: it divides by zero",
                                **numeric)
        if not agree:
            return Verification(proved=False, numeric_ok=False, method="numeric counterexample",
                                counterexample=counterexample, at=self._last_point, **numeric)
        if self.options.stability_check and self._one_side_vanishes(a, b):
            found = self.stable_difference(a, b)
            if found is not None:
                return Verification(proved=False, numeric_ok=False, method="numeric counterexample (high precision)",
                                    counterexample=found, at=self._last_point, **numeric)
        local_a, local_b = differing_parts(a, b)
        variable = self.variable if self.variable is not None else next(iter(sorted(self.symbols(a, b), key=str)), None)
        method = decide_zero(self.prepared(local_a) - self.prepared(local_b), variable, allow_simplify=False)
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
                method = decide_zero(difference, variable, allow_simplify=self.options.allow_simplify)
            if method is None and self.options.allow_simplify and variable is not None and self.symbols(a, b) == {variable}:
                # tan(arcsec u) is not asked about as written (tan's domain is infinitely many
                # intervals): evaluated, it is u*sqrt(1 - 1/u^2)
                domain = common_domain(a, b, variable) or common_domain(
                    evaluate_arithmetic(self.prepared(a)), evaluate_arithmetic(self.prepared(b)), variable)
                if domain is not None:
                    method = on_intervals_zero(difference, variable, domain)
        if method is None and self.options.stability_check:
            found = self.stable_difference(a, b)
            if found is not None:
                return Verification(proved=False, numeric_ok=False, method="numeric counterexample (high precision)",
                                    counterexample=found, at=self._last_point, **numeric)
        if not used:
            # No sample point lies where both sides are defined: only a proof can settle it, or
            # points inside the common domain (arcsin(x + 7) is defined on [-8, -6] only).
            if method is None:
                return self._inside_domain(a, b) or Verification(
                    proved=False, numeric_ok=False, method=NO_POINT_DEFINED, **numeric)
            return Verification(proved=True, numeric_ok=True, method=f"{method}; no sample point lies where both sides "
                                "are defined", **numeric, seal=SEAL)
        numeric["domain"] = self.where(a, b) if self._skipped or self._undefined_somewhere(a, b) else None
        if method is None:
            return Verification(proved=False, numeric_ok=True, method="numeric only: no symbolic proof found", **numeric)
        return Verification(proved=True, numeric_ok=True, method=method, **numeric, seal=SEAL)

    def simple_counterexample(self, a: sympy.Basic, b: sympy.Basic) -> tuple[tuple[str, str, str], tuple[tuple[str, str], ...]] | None:
        """A counterexample at a point a student can check by hand (every variable 0, 1, -1, 1/2,
        2 or -2), or None: ``(label, left, right)`` and each variable's value, as
        :meth:`prove` gives them. The two sides must differ at two working precisions, so that
        rounding can never make one."""
        symbols = sorted(self.symbols(a, b), key=reading_order)
        if not symbols or len(symbols) > 6:
            return None
        prepared = (self.prepared(a), self.prepared(b))
        targets = [self.prepared(target) for target in _differentiated(a, b)]
        for point in SIMPLE_POINTS:
            values = {symbol: point for symbol in symbols}
            if self._values_at(targets, values) is None:
                continue  # a derivative of a function undefined there: outside the common domain
            pairs = []
            for digits in (self.options.digits + 10, 2 * self.options.digits + 20):
                with mpmath.workdps(digits):
                    try:
                        pairs.append(tuple(evaluate(side, {s: to_mpf(v) for s, v in values.items()}) for side in prepared))
                    except (NotEvaluable, ZeroDivisionError, ValueError, OverflowError, TypeError):
                        break
            if len(pairs) < 2:
                continue
            with mpmath.workdps(self.options.digits + 10):
                tolerance = mpmath.mpf(10) ** (-self.options.digits)
                if _differ(*pairs[0], tolerance) and _stable_gap(pairs[0], pairs[1]):
                    at = tuple((symbol.name, str(point)) for symbol in symbols)
                    label = str(point) if len(symbols) == 1 else ", ".join(f"{name} = {value}" for name, value in at)
                    return (label, *show_pair(*pairs[0])), at
        return None

    def _inside_domain(self, a: sympy.Basic, b: sympy.Basic) -> Verification | None:
        """The claim ``a = b`` compared at points inside its common domain, which no sample point
        reached; None when SymPy cannot tell the domain or no such point has both sides defined."""
        symbols = self.symbols(a, b)
        if len(symbols) != 1:
            return None
        (variable,) = symbols
        domain = common_domain(a, b, variable)
        if domain is None:
            return None
        prepared = (self.prepared(a), self.prepared(b))
        targets = [self.prepared(target) for target in _differentiated(a, b)]
        used: list[str] = []
        for point in points_inside(domain):
            with mpmath.workdps(self.options.digits + 10):
                found = self._values_at([*prepared, *targets], {variable: point})
                if found is None:
                    continue
                label, pair = _show_point(point), found[:2]
                if _differ(*pair, mpmath.mpf(10) ** (-self.options.digits)):
                    self._last_point = ((variable.name, label),)
                    return Verification(proved=False, numeric_ok=False, method="numeric counterexample inside the domain",
                                        counterexample=(label, *show_pair(*pair)), at=self._last_point,
                                        points=(*used, label), digits=self.options.digits)
            used.append(label)
        if not used:
            return None
        return Verification(proved=False, numeric_ok=True, points=tuple(used), digits=self.options.digits,
                            method="numeric only, at points inside the domain (no sample point lies there): "
                            "no symbolic proof found", domain=restriction(domain, variable))

    def _values_at(self, exprs: list[sympy.Basic], values: dict[sympy.Symbol, sympy.Rational]) -> list[mpmath.mpf] | None:
        """The real value of each of ``exprs`` at the point ``values`` (at the working precision
        plus 10 digits), or None when one of them has none there."""
        with mpmath.workdps(self.options.digits + 10):
            point = {symbol: to_mpf(value) for symbol, value in values.items()}
            try:
                return [evaluate(expr, point) for expr in exprs]
            except (NotEvaluable, ZeroDivisionError, ValueError, OverflowError, TypeError):
                return None

    def _undefined_somewhere(self, a: sympy.Basic, b: sympy.Basic) -> bool:
        """Whether a function differentiated in ``a`` or ``b`` is undefined at some sample point:
        then the derivative is claimed only where the function is defined, even when its
        evaluated form is defined elsewhere too (d/dx ln √((1+x)/(1−x)) is rational). Only the
        sets of points the comparison looked at count."""
        return any(value is None for target in _differentiated(a, b) for part in range(self._parts)
                   for value in self.values(target, part=part))

    def where(self, a: sympy.Basic, b: sympy.Basic) -> sympy.Basic | None:
        """The condition under which ``a = b`` is claimed, when it leaves out part of the line
        (``-1 < x < 1``); None for all real values. The condition is on one variable: the
        verifier's own when the claim holds others (parameters: d/dx a ln x = a/x for x > 0), else the
        claim's only letter; none for a claim in several letters without the verifier's variable."""
        symbols = self.symbols(a, b)
        if self.variable in symbols:
            variable = self.variable
        elif len(symbols) == 1:
            (variable,) = symbols
        else:
            return None
        return where_claimed(a, b, variable)

    def _far_apart(self, a: sympy.Basic, b: sympy.Basic) -> tuple[str | None, str, str]:
        """The values of two numbers proved different, written so that they differ if 3000 digits
        show it, else with the note that they differ beyond that."""
        label = self.label(set(), 0)
        with mpmath.workdps(3000):
            left, right = (evaluate_columns(self.prepared(side), {}, 1, {})[0] for side in (a, b))
            if left is not None and right is not None and left != right:
                return (label, *show_pair(left, right))
        return label, f"{_show(left)} (they differ by a nonzero amount below 10^-3000)", _show(right)

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


def verify_step(step: Step, verifier: Verifier, verifiers: dict[sympy.Symbol, Verifier],
                letters: Definitions = ()) -> Step:
    """A copy of ``step`` (and its sub-steps) carrying the proof of ``before = after``.

    ``letters`` (a backpropagation derivation's z = wx + b, a = σ(z)) are replaced in the step
    before it is proved; sub-steps are local derivatives, in their own variables, and keep them.
    """
    substeps = []
    for sub in step.substeps:
        variable = sub_variable(sub, verifier.variable)
        if variable not in verifiers:
            verifiers[variable] = Verifier(variable, verifier.options)
        substeps.append(verify_step(sub, verifiers[variable], verifiers))
    before, after = step.before, step.after
    if letters:
        before, after = (expand_letters(side, letters, verifier.variable) for side in (before, after))
    return dataclasses.replace(step, substeps=tuple(substeps), verification=verifier.prove(before, after))


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
    steps = tuple(verify_step(step, verifier, verifiers, derivation.letters) for step in derivation.steps)
    start, result = derivation.start, derivation.result
    if derivation.letters:
        start, result = (expand_letters(side, derivation.letters, x) for side in (start, result))
    identity = verifier.prove(start, result)
    domain = None
    sides = (derivation.definition, derivation.result)
    if not derivation.letters and not derivation.orders and (
            identity.domain is not None or any(has_poles(side, x) for side in sides)
            or periodically_restricted(derivation.definition, x)):
        domain = domain_of_derivation(derivation.definition, derivation.result, x, verifier.defined_at_points)
    return dataclasses.replace(derivation, steps=steps, identity=identity, domain=domain)


def _differentiated(*sides: sympy.Basic) -> set[sympy.Basic]:
    """The functions differentiated in ``sides`` (f in d/dx f): a derivative exists at most where they are defined."""
    return {node.expr for side in sides for node in side.atoms(sympy.Derivative)}


def _undefined_anywhere(columns: list[list[object]], count: int) -> list[bool]:
    """At each of ``count`` points, whether any of ``columns`` (values, None where undefined) is undefined."""
    return [any(value is None for value in row) for row in zip(*columns)] if columns else [False] * count


#: What a comparison says when no sample point lies where both sides are defined and no proof
#: was found: nothing is known (a checker leaves such a line to a person).
NO_POINT_DEFINED = "numeric: no point where both sides are defined"

#: Points a student can check by hand, in the order a counterexample is looked for among them.
SIMPLE_POINTS = (sympy.Integer(0), sympy.Integer(1), sympy.Integer(-1), sympy.Rational(1, 2), sympy.Integer(2),
                 sympy.Integer(-2))


def _differ(left: mpmath.mpf, right: mpmath.mpf, tolerance: mpmath.mpf) -> bool:
    scale = max(mpmath.mpf(1), abs(left), abs(right))
    return abs(left - right) > tolerance * scale


def _show(value: mpmath.mpf | None) -> str:
    return "undefined" if value is None else mpmath.nstr(value, 12)


def _show_rational(value: sympy.Rational) -> str:
    with mpmath.workdps(30):
        return mpmath.nstr(to_mpf(value), 3)


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

