"""Step 4 of the verifier's decision procedure, done fast: is a rational function identically zero?

:mod:`derive.verify` turns a difference of two sides into a rational function of independent
symbols (``x``, ``T = e^(x/L)``, ``S = e^(ix/L)``, and a fresh symbol for every other
non-rational piece). Building that function as a SymPy expression and then converting it to a
fraction field costs most of a proof: every node is rebuilt with SymPy's automatic evaluation,
and the conversion cancels a gcd at every node.

Here one walk over the tree computes a numerator and a denominator as sparse polynomials over ℚ
(``sympy.polys.rings``), substituting the powers of ``T`` and ``S`` as it meets each
exponential, and cancelling only when a denominator grows. The function is zero exactly when
the numerator is the zero polynomial; denominators are never zero polynomials, because a
negative power of a zero polynomial is refused. Anything outside this fragment (roots, whose
relation ``r^q = b`` needs reducing) raises :class:`OutsideFragment`, and the caller uses the
general conversion instead.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy
from sympy import QQ
from sympy.polys.rings import PolyElement, PolyRing

#: Cancel a fraction once its denominator has this many terms (keeps degrees from compounding).
_CANCEL_TERMS = 12
#: Larger integer powers are left to the general conversion (they would only be slower here).
_MAX_POWER = 64

Fraction = tuple[PolyElement, PolyElement]


class OutsideFragment(Exception):
    """The expression has a piece (a root, a huge power) that this fast path does not handle."""


def is_zero_rational_function(
    expr: sympy.Expr, replacements: dict[sympy.Basic, sympy.Expr]
) -> tuple[bool, list[str], tuple[sympy.Basic, ...]]:
    """Whether ``expr``, with each exponential replaced as ``replacements`` says (by powers of the
    symbols T and S and leftover factors), is the zero rational function; the names of the pieces
    treated as independent symbols (as :mod:`derive.verify` describes them); and the symbols of
    the rational function (none: the test was exact arithmetic)."""
    return _Walk(replacements).is_zero(expr)


class _Walk:
    def __init__(self, replacements: dict[sympy.Basic, sympy.Expr]) -> None:
        self.replacements = replacements
        self.generators: dict[sympy.Basic, int] = {}
        self.names: set[str] = set()

    def is_zero(self, expr: sympy.Expr) -> tuple[bool, list[str], tuple[sympy.Basic, ...]]:
        self._collect(expr)
        ring = PolyRing([f"g{index}" for index in range(max(1, len(self.generators)))], QQ)
        numerator, _ = self._fraction(expr, ring, {})
        return numerator == ring.zero, sorted(self.names), tuple(self.generators)

    # Pass 1: the generators (every symbol, and every piece that is not a rational operation).
    def _collect(self, node: sympy.Basic) -> None:
        stack = [node]
        while stack:
            node = stack.pop()
            if node.is_Rational or node.is_Float:
                continue
            if node.is_Add or node.is_Mul:
                stack.extend(node.args)
            elif node.is_Pow and node.exp.is_Integer:
                if abs(int(node.exp)) > _MAX_POWER and not node.base.is_Symbol:
                    raise OutsideFragment("a large power")  # (1 + x)^1000; a power of T alone is cheap
                stack.append(node.base)
            elif node.is_Pow and node.exp.is_Rational:
                raise OutsideFragment("a root")
            elif self._replaced(node) is not None:
                stack.append(self.replacements[node])
            else:
                key = self._generic(node)
                if key is not node:
                    stack.append(key)
                elif key not in self.generators:
                    self.generators[key] = len(self.generators)
                    if not key.is_Atom:
                        self.names.add(str(key))

    def _replaced(self, node: sympy.Basic) -> sympy.Basic | None:
        """The substitute for an exponential (None if there is none: e^(x^2) stands for itself)."""
        replaced = self.replacements.get(node)
        return None if replaced is None or replaced == node else replaced

    def _generic(self, node: sympy.Basic) -> sympy.Basic:
        """The piece as an independent symbol stands for it: with the exponentials inside it
        substituted too (log(1 + e^x) is log(1 + T)), so that equal pieces get one symbol."""
        if node.is_Atom or not self.replacements:
            return node
        substituted = node.xreplace(self.replacements)
        return node if substituted == node else substituted

    # Pass 2: numerator and denominator.
    def _fraction(self, node: sympy.Basic, ring: PolyRing, memo: dict[sympy.Basic, Fraction]) -> Fraction:
        if node in memo:
            return memo[node]
        one = ring.one
        if node.is_Rational or node.is_Float:
            value = sympy.Rational(node)
            result = (ring.ground_new(QQ(int(value.p), int(value.q))), one)
        elif node.is_Add:
            result = self._combine(node.args, ring, memo, _add)
        elif node.is_Mul:
            result = self._combine(node.args, ring, memo, _multiply)
        elif node.is_Pow and node.exp.is_Integer:
            numerator, denominator = self._fraction(node.base, ring, memo)
            power = int(node.exp)
            if power < 0:
                if numerator == ring.zero:
                    raise OutsideFragment("a negative power of zero")
                numerator, denominator, power = denominator, numerator, -power
            result = (numerator**power, denominator**power)
        elif (replaced := self._replaced(node)) is not None:
            result = self._fraction(replaced, ring, memo)
        else:
            key = self._generic(node)
            if key is not node:
                result = self._fraction(key, ring, memo)
            else:
                result = (ring.gens[self.generators[key]], one)
        memo[node] = result
        return result

    def _combine(self, args: tuple[sympy.Basic, ...], ring: PolyRing, memo: dict[sympy.Basic, Fraction],
                 operation: Callable[[Fraction, Fraction], Fraction]) -> Fraction:
        total = self._fraction(args[0], ring, memo)
        for arg in args[1:]:
            total = operation(total, self._fraction(arg, ring, memo))
        numerator, denominator = total
        if len(denominator) > _CANCEL_TERMS:
            numerator, denominator = numerator.cancel(denominator)
        return numerator, denominator


def _add(left: Fraction, right: Fraction) -> Fraction:
    (a, b), (c, d) = left, right
    if b == d:
        return a + c, b
    return a * d + c * b, b * d


def _multiply(left: Fraction, right: Fraction) -> Fraction:
    (a, b), (c, d) = left, right
    return a * c, b * d
