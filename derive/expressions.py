"""Expression trees as written: build and edit them without SymPy re-arranging them.

A derivation shows every algebraic move, so the trees it writes must stay as written
(``-(1+e^{-x})^{-2} · (-e^{-x})`` keeps both minus signs until a named step cancels them).
These helpers rebuild trees with ``evaluate=False``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import sympy
from sympy.core.symbol import Str


_DIGITS = re.compile(r"(\d+)")


def reading_order(symbol: sympy.Basic) -> tuple[tuple[int, str, int], ...]:
    """A sort key that lists letters as a reader counts them: ``w_2`` before ``w_10`` (the
    digits of a subscript compare as numbers), ``b`` before ``w``.

    >>> names = ["w_10", "w_2", "b", "w_1", "w_100", "w_11"]
    >>> sorted(names, key=lambda name: reading_order(sympy.Symbol(name)))
    ['b', 'w_1', 'w_2', 'w_10', 'w_11', 'w_100']
    """
    name = getattr(symbol, "name", str(symbol))
    return tuple((1, "", int(part)) if part.isdigit() else (0, part, 0) for part in _DIGITS.split(name) if part)


def rebuild(expr: sympy.Basic, args: tuple[sympy.Basic, ...]) -> sympy.Basic:
    """``expr`` with new ``args``, not evaluated."""
    if args == expr.args:
        return expr
    if isinstance(expr, (sympy.Add, sympy.Mul, sympy.Pow)) or isinstance(expr, sympy.Function):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def replace_node(expr: sympy.Basic, target: sympy.Basic, replacement: sympy.Basic) -> sympy.Basic:
    """``expr`` with every occurrence of the sub-tree ``target`` replaced, nothing else touched."""
    if expr == target:
        return replacement
    if not expr.args or isinstance(expr, sympy.Derivative) and not expr.has(target):
        return expr
    return rebuild(expr, tuple(replace_node(arg, target, replacement) for arg in expr.args))


def transform_bottom_up(expr: sympy.Basic, function: Callable[[sympy.Basic], sympy.Basic]) -> sympy.Basic:
    """Apply ``function`` to every node, children first, rebuilding without evaluation."""
    if expr.args and not expr.is_Atom:
        expr = rebuild(expr, tuple(transform_bottom_up(arg, function) for arg in expr.args))
    return function(expr)


def first_derivative(expr: sympy.Basic, skip: frozenset[sympy.Basic] = frozenset()) -> sympy.Derivative | None:
    """The first unevaluated ``Derivative`` in reading order, ignoring those in ``skip``."""
    for node in preorder(expr):
        if isinstance(node, sympy.Derivative) and node not in skip:
            return node
    return None


def preorder(expr: sympy.Basic) -> Iterator[sympy.Basic]:
    yield expr
    if isinstance(expr, sympy.Derivative):
        return
    for arg in expr.args:
        yield from preorder(arg)


def product(*factors: sympy.Expr) -> sympy.Expr:
    """An unevaluated product, or the single factor."""
    return factors[0] if len(factors) == 1 else sympy.Mul(*factors, evaluate=False)


def total(*terms: sympy.Expr) -> sympy.Expr:
    """An unevaluated sum, or the single term."""
    return terms[0] if len(terms) == 1 else sympy.Add(*terms, evaluate=False)


def negate(expr: sympy.Expr) -> sympy.Expr:
    """−expr, written with an explicit factor −1 (never folded into the expression)."""
    return sympy.Mul(sympy.S.NegativeOne, expr, evaluate=False)


def drop_neutral(expr: sympy.Basic) -> sympy.Basic:
    """Remove terms equal to 0 and factors equal to 1 (and collapse products containing 0)."""

    def tidy(node: sympy.Basic) -> sympy.Basic:
        if isinstance(node, sympy.Add):
            terms = [arg for arg in node.args if arg != 0]
            if len(terms) == len(node.args):
                return node
            return total(*terms) if terms else sympy.S.Zero
        if isinstance(node, sympy.Mul):
            if any(arg == 0 for arg in node.args):
                return sympy.S.Zero
            factors = [arg for arg in node.args if arg != 1]
            if len(factors) == len(node.args):
                return node
            return product(*factors) if factors else sympy.S.One
        if isinstance(node, sympy.Pow) and node.exp == 1:
            return node.base
        return node

    return transform_bottom_up(expr, tidy)


def evaluate_arithmetic(expr: sympy.Basic) -> sympy.Basic:
    """Rebuild with SymPy's automatic evaluation: signs multiplied, numbers combined, sums flattened."""
    if not expr.args or expr.is_Atom:
        return expr
    args = tuple(evaluate_arithmetic(arg) for arg in expr.args)
    return expr.func(*args)


def restore_powers(expr: sympy.Basic) -> sympy.Basic:
    """Write every ``exp(g*log(f))`` back as ``f**g`` (the inverse of the general-power rewrite)."""

    def restore(node: sympy.Basic) -> sympy.Basic:
        if isinstance(node, sympy.exp) and isinstance(node.args[0], sympy.Mul):
            logs = [arg for arg in node.args[0].args if isinstance(arg, sympy.log)]
            if len(logs) == 1:
                rest = sympy.Mul(*[arg for arg in node.args[0].args if arg is not logs[0]])
                return sympy.Pow(logs[0].args[0], rest)
        return node

    return transform_bottom_up(expr, restore)


#: Functions that are piecewise in disguise: |u|, sign, Heaviside, max and min (and Piecewise itself).
PIECEWISE_KINDS = (sympy.Piecewise, sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max, sympy.Min)


def break_points(expr: sympy.Basic, x: sympy.Symbol) -> list[sympy.Rational] | None:
    """Sorted numbers where a condition of a piecewise part of ``expr`` switches, or None when a
    condition is not a comparison of a linear function of ``x`` with a number (or mentions another symbol)."""
    points: set[sympy.Rational] = set()
    pieces = [expr] if isinstance(expr, sympy.Piecewise) else list(expr.atoms(sympy.Piecewise))
    for piecewise in pieces:
        for _, condition in piecewise.args:
            if condition.free_symbols - {x}:
                return None
            for relation in condition.atoms(sympy.core.relational.Relational):
                if not relation.has(x):
                    continue
                difference = sympy.expand(relation.lhs - relation.rhs)
                slope = difference.coeff(x)
                if not slope.is_Rational or slope == 0 or sympy.expand(difference - slope * x).has(x):
                    return None
                value = -(difference - slope * x) / slope
                if not value.is_Rational:
                    return None
                points.add(value)
    return sorted(points)


def interval_samples(cuts: list[sympy.Rational]) -> list[sympy.Rational]:
    """One point inside each open interval that the sorted ``cuts`` divide the line into."""
    if not cuts:
        return [sympy.S.Zero]
    return [cuts[0] - 1, *((a + b) / 2 for a, b in zip(cuts, cuts[1:])), cuts[-1] + 1]


def apply_at(function: sympy.Expr, x: sympy.Symbol, point: sympy.Expr) -> sympy.Expr:
    """``function`` at ``point``, left unevaluated (tanh(-x) stays tanh(-x), not -tanh(x))."""
    if isinstance(function, sympy.Function) and function.args == (x,):
        return function.func(point, evaluate=False)
    return replace_node(function, x, point)


class Partial(sympy.Derivative):
    """A derivative written with ∂ whatever it differentiates (∂L/∂w as a student or a
    backpropagation writes it, even of a single letter); otherwise SymPy's Derivative."""


class Tends(sympy.Function):
    """``x -> oo`` as mathematics in a sentence ("as x → ∞"): printed, never evaluated."""

    nargs = 2

    def _latex(self, printer: Any) -> str:
        return rf"{printer._print(self.args[0])} \to {printer._print(self.args[1])}"

    def _sympystr(self, printer: Any) -> str:
        return f"{printer._print(self.args[0])} -> {printer._print(self.args[1])}"


class Stated(sympy.Basic):
    """A rule as a textbook states it, in a sentence: ``Stated("(f/g)' = (g f' - f g')/g^2",
    r"\\left(\\frac{f}{g}\\right)' = \\frac{g f' - f g'}{g^{2}}")`` prints the first in plain text and
    the second in LaTeX (so in MathML too). Derive's own text (a constant, or a formula derive's
    printer wrote out, see :func:`derive.model.written_out`), never anyone's input; never
    evaluated or proved (it names the rule; each step that uses it is proved)."""

    def __new__(cls, plain: str | Str, latex: str | Str) -> Stated:
        # SymPy rebuilds an unpickled expression from its args, the two Str
        return super().__new__(cls, *(text if isinstance(text, Str) else Str(text) for text in (plain, latex)))

    @property
    def plain(self) -> str:
        return self.args[0].name

    @property
    def latex(self) -> str:
        return self.args[1].name

    def _latex(self, printer: Any) -> str:
        return self.args[1].name

    def _sympystr(self, printer: Any) -> str:
        return self.args[0].name
