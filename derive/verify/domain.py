"""Where an equality is claimed: the real points at which both of its sides are defined.

An equality ``a = b`` holds where both sides are defined; a point outside that common domain is
not a counterexample. When the common domain leaves out a whole interval of the real line
(ln x, √(1 − x²), arcsin x), the verifier says where the equality holds ("for −1 < x < 1").

The domain is SymPy's :func:`~sympy.calculus.util.continuous_domain` of each side (definitions
expanded, derivatives evaluated), intersected. It is asked only when the sample points showed
that a side is undefined somewhere, and only for one variable; and not for what SymPy's solver
and set algebra take minutes over (logarithms nested four deep, large expressions, the
infinitely many intervals of tan x or ln(cos x)): there the sample points alone decide where a
side is defined, and no domain is stated.
"""

from __future__ import annotations

import functools

import sympy
from sympy.calculus.util import continuous_domain

from derive.functions import expand_definitions, prepare


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
        depth, count = _restrictions(piece)
        if (depth > MAX_RESTRICTION_DEPTH or count > MAX_RESTRICTIONS or sympy.count_ops(piece) > MAX_OPERATIONS
                or _periodic_domain(piece)):
            return None  # SymPy's set algebra would take minutes (ln ln ln ln ln x, ln sec x): the points decide
        try:
            domain = domain.intersect(continuous_domain(piece, variable, sympy.S.Reals))
        except (NotImplementedError, ValueError, TypeError, AttributeError, RecursionError):
            return None
    return domain


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


def restriction(domain: sympy.Set | None, variable: sympy.Symbol) -> sympy.Basic | None:
    """``domain`` as a condition on ``variable`` worth stating (``-1 < x < 1``, ``x > 0``), or None
    when it leaves out no interval of the line (only isolated points, such as x = 0 for 1/x)."""
    if domain is None or domain == sympy.S.Reals:
        return None
    try:
        left_out = sympy.S.Reals - domain
        if left_out.measure == 0:
            return None
        condition = domain.as_relational(variable)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return None
    if not (isinstance(condition, sympy.Basic) and condition.free_symbols == {variable}):
        return None
    if isinstance(condition, sympy.core.relational.Relational) and condition.rhs == variable:
        condition = condition.reversed  # 0 < x is written x > 0
    return condition
