"""Piecewise functions (ReLU, ELU, |x|): differentiate piece by piece, then study the break points.

A piecewise function is differentiated on the open intervals between its break points; what
happens exactly at a break point is a separate question, answered at the end from the one-sided
derivatives (equal and continuous: the derivative exists there; different: it does not, and the
subgradient convention applies).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy

from derive.evaluate import NotEvaluable, evaluate, to_mpf
from derive.expressions import break_points, evaluate_arithmetic, interval_samples, transform_bottom_up
from derive.functions import NamedFunction, relu
from derive.model import Annotation, say


def _active(piecewise: sympy.Piecewise, x: sympy.Symbol, at: sympy.Rational) -> sympy.Expr | None:
    for piece, condition in piecewise.args:
        if condition.subs(x, at) is sympy.true:
            return piece
    return None


def _interval_condition(x: sympy.Symbol, low: sympy.Rational | None, high: sympy.Rational | None) -> sympy.Basic:
    parts = []
    if low is not None:
        parts.append(sympy.StrictGreaterThan(x, low))
    if high is not None:
        parts.append(sympy.StrictLessThan(x, high))
    return sympy.And(*parts) if parts else sympy.true


def on_open_intervals(piecewise: sympy.Piecewise, x: sympy.Symbol, transform=lambda piece: piece) -> sympy.Piecewise | None:  # noqa: ANN001
    """The same function written on the open intervals between break points (break points left out)."""
    cuts = break_points(piecewise, x)
    if cuts is None:
        return None
    bounds = [None, *cuts, None]
    pairs: list[tuple[sympy.Expr, sympy.Basic]] = []
    for index, sample in enumerate(interval_samples(cuts)):
        piece = _active(piecewise, x, sample)
        if piece is None:
            continue
        pairs.append((transform(piece), _interval_condition(x, bounds[index], bounds[index + 1])))
    return sympy.Piecewise(*pairs, evaluate=False) if pairs else None


def absolute_value_as_piecewise(argument: sympy.Expr) -> sympy.Piecewise:
    """|u| = −u for u < 0, u otherwise."""
    return sympy.Piecewise((-argument, argument < 0), (argument, True), evaluate=False)


#: One end of an open interval between break points; None: the line goes on (−∞ or ∞).
Bound = sympy.Rational | None


def refine_pieces(piecewise: sympy.Piecewise, x: sympy.Symbol) -> tuple[sympy.Piecewise, tuple[type, ...]]:
    """On each open interval, each piecewise part of a piece (|u|, ReLU(u), ELU(u) of a u linear
    in x whose sign does not change there) has one formula (|u| = ±u, ReLU(u) = 0 or u): use it
    and tidy the piece. Returns the new function and the kinds of part replaced, in the order met."""
    pairs, kinds = [], []
    for piece, condition in piecewise.args:
        bounds = _bounds_of(condition, x)
        if bounds is not None:
            def formula(node: sympy.Basic, bounds: tuple[Bound, Bound] = bounds) -> sympy.Basic:
                found = _formula_on(node, x, *bounds)
                if found is None:
                    return node
                if node.func not in kinds:
                    kinds.append(node.func)
                return found
            piece = transform_bottom_up(piece, formula)
        pairs.append((evaluate_arithmetic(piece), condition))
    return sympy.Piecewise(*pairs, evaluate=False), tuple(kinds)


def _formula_on(node: sympy.Basic, x: sympy.Symbol, low: Bound, high: Bound) -> sympy.Expr | None:
    """The formula of ``node`` (|u| or a named piecewise function of u) on the interval from
    ``low`` to ``high``, when its argument u is linear in x and keeps one sign there; else None."""
    if len(node.args) != 1 or not isinstance(node, (sympy.Abs, NamedFunction)):
        return None
    (u,) = node.args
    definition = None if isinstance(node, sympy.Abs) else node.definition(u)
    if definition is not None and not isinstance(definition, sympy.Piecewise):
        return None  # a named function that is not piecewise (σ, softplus)
    if not u.has(x):
        return None
    try:
        line = sympy.Poly(u, x)
    except sympy.PolynomialError:
        return None
    if line.degree() != 1 or not all(c.is_Rational for c in line.all_coeffs()):
        return None
    slope, offset = line.all_coeffs()
    root = -offset / slope
    if (low is None or root > low) and (high is None or root < high):
        return None  # u changes sign inside the interval
    sample = _sample_between(low, high)
    positive = u.subs(x, sample) > 0
    if definition is None:
        return u if positive else -u
    for formula, holds in definition.args:
        if holds.subs(x, sample) is sympy.true:
            return formula
    return None


def _bounds_of(condition: sympy.Basic, x: sympy.Symbol) -> tuple[Bound, Bound] | None:
    """The open interval a condition ``low < x < high`` (either end may be missing) describes."""
    low, high = None, None
    for relation in condition.atoms(sympy.StrictGreaterThan, sympy.StrictLessThan):
        if relation.lhs == x and relation.rhs.is_Rational:
            if isinstance(relation, sympy.StrictGreaterThan):
                low = relation.rhs
            else:
                high = relation.rhs
    if low is None and high is None:
        return None
    return low, high


def _sample_between(low: Bound, high: Bound) -> sympy.Rational:
    if low is None:
        return high - 1
    if high is None:
        return low + 1
    return (low + high) / 2


@dataclass(frozen=True, kw_only=True)
class Corner:
    """What happens at one break point: the one-sided derivatives, continuity, and the verdict."""

    at: sympy.Rational
    left: sympy.Expr
    right: sympy.Expr
    continuous: bool
    checked: bool

    @property
    def differentiable(self) -> bool:
        return self.continuous and sympy.simplify(self.left - self.right) == 0

    def annotation(self, function: sympy.Expr, variable: sympy.Symbol) -> Annotation:
        x_at = sympy.Eq(variable, self.at, evaluate=False)
        if self.differentiable:
            return say("At ", x_at, " the function is continuous and both one-sided derivatives equal ", self.left,
                       ", so the derivative exists there and equals ", self.left, ".")
        if not self.continuous:
            return say("At ", x_at, " the function jumps, so it has no derivative there.")
        # the ReLU convention is said at a ReLU's own corner, not at one of |x - 1|'s beside it
        relu_corner = any(node.args[0].subs(variable, self.at) == 0 for node in function.atoms(relu))
        return say(
            "At ", x_at, " the derivative from the left is ", self.left, " and from the right ", self.right,
            ": so ", function, " has no derivative there. Every slope from ", sympy.Min(self.left, self.right),
            " to ", sympy.Max(self.left, self.right), " is a subgradient; gradient-based training uses one of them "
            "at the corner" + (" (for ReLU the usual convention is 0)." if relu_corner else "."),
        )


def corners(function: sympy.Expr, derivative: sympy.Piecewise, x: sympy.Symbol) -> list[Corner]:
    """The one-sided derivatives at each break point of ``derivative``, checked with difference quotients."""
    cuts = break_points(derivative, x) or []
    found = []
    for at in cuts:
        left_piece = _active(derivative, x, at - sympy.Rational(1, 10**6))
        right_piece = _active(derivative, x, at + sympy.Rational(1, 10**6))
        if left_piece is None or right_piece is None:
            continue
        left, right = sympy.nsimplify(left_piece.subs(x, at)), sympy.nsimplify(right_piece.subs(x, at))
        continuous, checked = _check_corner(function, x, at, left, right)
        found.append(Corner(at=at, left=left, right=right, continuous=continuous, checked=checked))
    return found


def _check_corner(function: sympy.Expr, x: sympy.Symbol, at: sympy.Rational, left: sympy.Expr, right: sympy.Expr) -> tuple[bool, bool]:
    """(continuous at ``at``, one-sided difference quotients agree with ``left`` and ``right``)."""
    with mpmath.workdps(60):
        h = mpmath.mpf(10) ** -25
        point = to_mpf(at)
        try:
            centre = evaluate(function, {x: point})
            before = evaluate(function, {x: point - h})
            after = evaluate(function, {x: point + h})
            expected_left, expected_right = evaluate(left, {}), evaluate(right, {})
        except NotEvaluable:
            return False, False
        continuous = abs(before - centre) < mpmath.mpf(10) ** -20 and abs(after - centre) < mpmath.mpf(10) ** -20
        if not continuous:
            # A jump: the function values themselves differ across the point, which settles it.
            return False, bool(max(abs(before - centre), abs(after - centre)) > mpmath.mpf(10) ** -10)
        tolerance = mpmath.mpf(10) ** -15
        checked = abs((centre - before) / h - expected_left) < tolerance and abs((after - centre) / h - expected_right) < tolerance
    return True, bool(checked)
