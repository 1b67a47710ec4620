"""The one transformer that turns a parse tree of either grammar into SymPy, with evaluate=False.

Every value passed up the tree is a :class:`Built`: the SymPy expression plus what the safety
bounds need — a numeric estimate of the value when it is a number (``None`` when it depends on
the variable or on a function whose values are unknown), and a size estimate (digits of an exact
number, or degree of a power). Exponents are checked with these estimates *before* a power is
built, so ``10^10^10^10`` is rejected at its innermost exponent and nothing is ever computed.
SymPy itself evaluates nothing here: every node is built with ``evaluate=False``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy
from lark import Token, Transformer_NonRecursive
from sympy import S

from derive.errors import InputLimitError, ParseError
from derive.expressions import Partial

from .limits import MAX_DERIVATIVE_ORDER, MAX_EXPONENT, MAX_SIZE
from .names import FUNC, SIGMA, VAR, FunctionSpec, Names

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_PRIME_COUNTS = {"'": 1, "′": 1, "″": 2, "‴": 3}
_SIZING_BEFORE = re.compile(r"\\(?:left|[bB]igg?l?)\s*\Z")
# The parentheses around a function's superscript that make it a derivative order: f^{(2)}.
_CLOSE_AFTER = re.compile(r"\s*(?:\\(?:right|[bB]igg?r?)\s*)?\)")


@dataclass(frozen=True, kw_only=True, slots=True)
class Built:
    """A SymPy expression under construction, with what the bounds need to know about it."""

    expr: sympy.Expr
    start: int
    end: int
    size: int = 1
    value: complex | None = None
    #: names used bare inside (σ for σ(x), a substitution u for u(x)): "σ(1 - σ)" is a product
    bare: frozenset[str] = frozenset()
    literal: bool = False
    #: ``σ(1-σ)`` or ``u(1+u)`` read as a product: a power written after it, ``σ(1-σ)^2``, belongs
    #: to the bracket only (σ·(1-σ)², as for ``x(1+x)^2``)
    juxtaposed: tuple[Built, Built] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SeenDecimal:
    """A decimal literal met while building: its exact value, its decimal places, its offset."""

    value: sympy.Rational
    digits: int
    start: int


@dataclass(frozen=True, kw_only=True, slots=True)
class LineParts:
    """The parts and relation tokens of a line; ``parts[0]`` is None for a continuation."""

    parts: tuple[Built | None, ...]
    relations: tuple[Token, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class _Suffix:
    primes: int = 0
    power: Built | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class _Order:
    order: int
    wrt: str | None = None  # d/dw: the letter w (None: the exercise's variable)
    partial: bool = False  # written with ∂


@dataclass(frozen=True, kw_only=True, slots=True)
class _WithRespectTo:
    """The denominator's dx or dw: None for the exercise's variable, else the letter's name."""

    name: str | None
    start: int


@dataclass(frozen=True, kw_only=True, slots=True)
class _DName:
    """``dσ/dx``, ``∂L/∂w`` or ``d^2f/dx^2`` before it is known whether a point ``(a)`` follows."""

    name: Token
    order: int
    start: int
    end: int
    wrt: str | None = None
    partial: bool = False


def _safe(function: Callable[..., Any], *args: Any) -> complex:
    """A numeric estimate: ``inf`` on overflow, ``nan`` when it cannot be computed."""
    try:
        return complex(function(*args))
    except OverflowError:
        return complex(math.inf, 0)
    except (ArithmeticError, ValueError, TypeError):
        return complex(math.nan, 0)


def _all_values(items: Sequence[Built]) -> list[complex] | None:
    values = [item.value for item in items]
    return None if any(value is None for value in values) else values  # type: ignore[return-value]


def _span(children: Sequence[Any]) -> tuple[int, int]:
    """Offsets of the text a rule covers, from its children (bracket tokens are filtered out)."""
    starts, ends = [], []
    for child in children:
        if isinstance(child, Built):
            starts.append(child.start)
            ends.append(child.end)
        elif isinstance(child, Token):
            starts.append(child.start_pos or 0)
            ends.append(child.end_pos or 0)
        elif isinstance(child, _WithRespectTo):
            starts.append(child.start)
            ends.append(child.start + 1)
    return min(starts), max(ends)


def _balanced(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``text[start:end]`` to the brackets that the grammar dropped around its ends."""
    depth = lowest = 0
    for char in text[start:end]:
        depth += (char in "([{") - (char in ")]}")
        lowest = min(lowest, depth)
    missing_openers, missing_closers = -lowest, depth - lowest
    while missing_openers > 0 and start > 0:
        start -= 1
        missing_openers += (text[start] in ")]}") - (text[start] in "([{")
    while missing_closers > 0 and end < len(text):
        missing_closers += (text[end] in "([{") - (text[end] in ")]}")
        end += 1
    sizing = _SIZING_BEFORE.search(text, max(0, start - 12), start)
    return (sizing.start() if sizing else start), end


class Builder(Transformer_NonRecursive):
    """Transform one parse tree (of either grammar) into :class:`Built` values.

    One instance per parse: it holds the text (for messages), the accepted names, the variable
    and the decimal literals seen so far.
    """

    def __init__(self, *, text: str, names: Names, variable: sympy.Symbol) -> None:
        super().__init__()
        self.text = text
        self.names = names
        self.x = variable
        self.decimals: list[SeenDecimal] = []
        self._dummy = sympy.Dummy("u", real=True)

    # -- helpers ---------------------------------------------------------------------------

    def _where(self, start: int, end: int) -> tuple[str, int]:
        """The text from ``start`` to ``end`` (widened to balance its brackets) and its column."""
        start, end = _balanced(self.text, start, end)
        snippet = " ".join(self.text[start:end].split())
        return (snippet if len(snippet) <= 40 else snippet[:39] + "…"), start + 1

    def _snippet(self, start: int, end: int) -> str:
        return self._where(start, end)[0]

    def _check_exponent(self, exponent: Built) -> None:
        if exponent.value is not None and not abs(exponent.value) <= MAX_EXPONENT:
            snippet, column = self._where(exponent.start, exponent.end)
            raise InputLimitError(
                f"exponent too large: {snippet} exceeds the limit of {MAX_EXPONENT}",
                column=column,
            )

    def _check_size(self, size: int, start: int, end: int) -> None:
        if size > MAX_SIZE:
            snippet, column = self._where(start, end)
            raise InputLimitError(
                f"power too large: {snippet} would grow to about {size} digits or terms, "
                f"over the limit of {MAX_SIZE}",
                column=column,
            )

    def _power(self, base: Built, exponent: Built, start: int, end: int) -> Built:
        if base.juxtaposed is not None:
            factor, bracket = base.juxtaposed
            raised = self._power(bracket, exponent, bracket.start, end)
            return self._product([factor, raised], [False, False], start, end)
        self._check_exponent(exponent)
        times = 1 if exponent.value is None else max(1, math.ceil(abs(exponent.value)))
        size = times * base.size + exponent.size
        self._check_size(size, start, end)
        if base.expr is S.Exp1:
            expr = sympy.exp(exponent.expr, evaluate=False)
        else:
            expr = sympy.Pow(base.expr, exponent.expr, evaluate=False)
        value = None
        if base.value is not None and exponent.value is not None:
            value = _safe(pow, base.value, exponent.value)
        return Built(
            expr=expr,
            start=start,
            end=end,
            size=size,
            value=value,
            bare=base.bare | exponent.bare,
        )

    def _product(
        self, factors: Sequence[Built], divide: Sequence[bool], start: int, end: int
    ) -> Built:
        exprs = []
        value: complex | None = complex(1)
        for factor, is_divisor in zip(factors, divide, strict=True):
            if is_divisor:
                exprs.append(sympy.Pow(factor.expr, S.NegativeOne, evaluate=False))
            else:
                exprs.append(factor.expr)
            if value is not None and factor.value is not None:
                value = _safe(lambda a, b, d=is_divisor: a / b if d else a * b, value, factor.value)
            else:
                value = None
        if len(exprs) > 1 and factors[0].literal and factors[0].expr is S.One and divide[1]:
            exprs = exprs[1:]  # 1/b is b**-1, as SymPy writes it
        expr = exprs[0] if len(exprs) == 1 else sympy.Mul(*exprs, evaluate=False)
        return Built(
            expr=expr,
            start=start,
            end=end,
            size=sum(factor.size for factor in factors),
            value=value,
            bare=frozenset().union(*(factor.bare for factor in factors)),
        )

    def _number(self, text: str, start: int, end: int, *, record: bool = True) -> Built:
        if not any(char.isdigit() for char in text):  # a lone "." (as \frac0.7 splits it)
            raise ParseError(f"'{text}' is not a number: write digits around the decimal point", column=start + 1)
        if "." in text:
            whole, fraction = text.split(".")
            number: sympy.Rational = sympy.Rational(int(whole + fraction), 10 ** len(fraction))
            if record:
                self.decimals.append(
                    SeenDecimal(value=number, digits=len(fraction), start=start)
                )
        else:
            number = sympy.Integer(int(text))
        return Built(
            expr=number,
            start=start,
            end=end,
            size=max(1, sum(char.isdigit() for char in text)),
            value=complex(number.p / number.q),
            literal=True,
        )

    def _order(self, count: int, start: int) -> int:
        if not 1 <= count <= MAX_DERIVATIVE_ORDER:
            raise InputLimitError(
                f"derivative order {count} is outside 1 to {MAX_DERIVATIVE_ORDER}",
                column=start + 1,
            )
        return count

    def _derivative(self, spec: FunctionSpec, argument: Built, order: int) -> sympy.Expr:
        if argument.expr == self.x:
            return sympy.Derivative(spec.build(self.x), (self.x, order))
        u = self._dummy
        return sympy.Subs(sympy.Derivative(spec.build(u), (u, order)), u, argument.expr)

    def _derivative_at(self, spec: FunctionSpec, argument: Built, order: int, start: int, end: int) -> Built:
        """f′(a), f″(a), ..., written f'(a) or \\frac{df}{dx}(a)."""
        return Built(expr=self._derivative(spec, argument, order), start=start, end=end, size=argument.size + 1,
                     bare=argument.bare)

    def _bare_sigma(self, name: str, suffix: _Suffix | None, start: int, end: int) -> Built:
        """σ written without an argument: σ(x) (with primes: σ′(x), with a power: σ(x)²)."""
        spec = self.names.spec(name)
        plain = Built(expr=spec.build(self.x), start=start, end=end, bare=frozenset({name}))
        if suffix is None:
            return plain
        if suffix.power is not None:
            return self._power(plain, suffix.power, start, end)
        variable = replace(plain, expr=self.x)
        return replace(plain, expr=self._derivative(spec, variable, suffix.primes))

    def _apply(
        self, name: Token, suffix: _Suffix | None, argument: Built, start: int, end: int
    ) -> Built:
        if name.type == SIGMA and str(name) in argument.bare:
            # \sigma(1-\sigma): a bare sigma inside the parentheses means a product, not σ(1 − σ).
            bare = self._bare_sigma(str(name), suffix, name.start_pos or 0, name.end_pos or 0)
            product = self._product([bare, argument], [False, False], start, end)
            return replace(product, juxtaposed=(bare, argument))
        spec = self.names.spec(str(name))
        if spec.arity != 1:
            raise ParseError(
                f"{name} takes {spec.arity} arguments: write {name}({', '.join(str(p) for p in spec.parameters)})",
                column=start + 1,
            )
        if suffix is not None and suffix.primes:
            return self._derivative_at(spec, argument, suffix.primes, start, end)
        size = argument.size + 1
        if spec.exponential and argument.value is not None:
            self._check_exponent(argument)
            size = math.ceil(abs(argument.value)) + argument.size
            self._check_size(size, start, end)
        value = None
        if spec.approx is not None and argument.value is not None:
            value = _safe(spec.approx, argument.value)
        applied = Built(
            expr=spec.build(argument.expr),
            start=start,
            end=end,
            size=size,
            value=value,
            bare=argument.bare,
        )
        if suffix is None or suffix.power is None:
            return applied
        if suffix.power.value == -1:
            raise ParseError(
                f"ambiguous power -1 of a function in '{self._snippet(start, end)}': "
                "write the inverse by name (arctan) or the reciprocal as (f(x))^{-1}",
                column=start + 1,
            )
        return self._power(applied, suffix.power, start, end)

    def _superscript(self, token: Token) -> Built:
        text = str(token).translate(_SUPERSCRIPT_DIGITS)
        negative = text.startswith("⁻")
        start, end = token.start_pos or 0, token.end_pos or 0
        number = self._number(text.lstrip("⁻"), start, end, record=False)
        return self._negate(number) if negative else number

    def _caret_digit(self, token: Token) -> Built:
        end = token.end_pos or 0
        return self._number(str(token)[-1], end - 1, end, record=False)

    # -- lines -----------------------------------------------------------------------------

    def start_expr(self, children: list[Any]) -> Built:
        return children[0]

    def line(self, children: list[Any]) -> LineParts:
        return LineParts(parts=tuple(children[0::2]), relations=tuple(children[1::2]))

    def continuation(self, children: list[Any]) -> LineParts:
        return LineParts(parts=(None, *children[1::2]), relations=tuple(children[0::2]))

    # -- operators -------------------------------------------------------------------------

    def sum(self, children: list[Any]) -> Built:
        start, end = _span(children)
        terms: list[Built] = [children[0]]
        for operator, term in zip(children[1::2], children[2::2], strict=True):
            terms.append(term if operator.type == "PLUS" else self._negate(term))
        values = _all_values(terms)
        return Built(
            expr=sympy.Add(*(term.expr for term in terms), evaluate=False),
            start=start,
            end=end,
            size=sum(term.size for term in terms) + len(terms) - 1,
            value=None if values is None else _safe(lambda: sum(values, complex(0))),
            bare=frozenset().union(*(term.bare for term in terms)),
        )

    def product(self, children: list[Any]) -> Built:
        start, end = _span(children)
        factors = children[0::2]
        divide = [False] + [operator.type == "DIVIDE" for operator in children[1::2]]
        return self._product(factors, divide, start, end)

    def _negate(self, term: Built) -> Built:
        if term.literal and isinstance(term.expr, sympy.Rational):
            # -2 and -0.5 are the numbers themselves, as SymPy writes them, not -1*2; a decimal
            # literal is then recorded with its sign, as it appears in the expression.
            for index in range(len(self.decimals) - 1, -1, -1):
                if self.decimals[index].start == term.start:
                    self.decimals[index] = replace(self.decimals[index], value=-term.expr)
                    break
            value = None if term.value is None else -term.value
            return replace(term, expr=-term.expr, value=value, literal=False)
        return replace(
            term,
            expr=sympy.Mul(S.NegativeOne, term.expr, evaluate=False),
            value=None if term.value is None else -term.value,
            literal=False,
        )

    def neg(self, children: list[Any]) -> Built:
        start, end = _span(children)
        return replace(self._negate(children[-1]), start=start, end=end)

    def pos(self, children: list[Any]) -> Built:
        return children[-1]

    def implicit(self, children: list[Any]) -> Built:
        start, end = _span(children)
        for left, right in zip(children, children[1:]):
            if left.literal and right.literal:
                raise ParseError(
                    f"two numbers side by side in '{self._snippet(left.start, right.end)}': "
                    "write an operator between them",
                    column=right.start + 1,
                )
        children = self._substitutions_at(children)
        if len(children) == 1:
            return replace(children[0], start=start, end=end)
        return self._product(children, [False] * len(children), start, end)

    def _substitutions_at(self, children: list[Built]) -> list[Built]:
        """``u(x)`` for a letter that stands for an expression of x is u itself, and ``u(0)`` is its
        value at 0; ``u(1 - σ)`` stays a product."""
        merged: list[Built] = []
        for child in children:
            previous = merged[-1] if merged else None
            if (previous is not None and isinstance(previous.expr, sympy.Symbol)
                    and previous.expr.name in self.names.substituted and self._bracketed_after(previous, child)
                    and (child.expr == self.x or (child.expr.is_number and child.expr.is_real))):
                at = previous.expr if child.expr == self.x else sympy.Subs(previous.expr, self.x, child.expr)
                merged[-1] = replace(previous, expr=at, end=child.end + 1)
                continue
            merged.append(child)
        return merged

    def _bracketed_after(self, left: Built, right: Built) -> bool:
        """Whether ``right`` is written in parentheses right after ``left``: ``u(x)``, ``u (0)``."""
        between = self.text[left.end : right.start]
        return between.strip() in ("(", "\\left(", "\\left (") or between.replace(" ", "") in ("(", "\\left(")

    def power(self, children: list[Any]) -> Built:
        start, end = _span(children)
        return self._power(children[0], children[1], start, end)

    def power_sup(self, children: list[Any]) -> Built:
        start, end = _span(children)
        return self._power(children[0], self._superscript(children[1]), start, end)

    def power_digit(self, children: list[Any]) -> Built:
        start, end = _span(children)
        return self._power(children[0], self._caret_digit(children[1]), start, end)

    def frac(self, children: list[Any]) -> Built:
        start, end = _span(children)
        return self._product(children, [False, True], start, end)

    def sqrt(self, children: list[Any]) -> Built:
        start, end = _span(children)
        return self._apply(Token("FUNC", "sqrt"), None, children[0], start, end)

    def root(self, children: list[Any]) -> Built:
        start, end = _span(children)
        index, radicand = children
        if not (index.literal and index.expr.is_Integer and 1 <= index.expr <= MAX_EXPONENT):
            raise ParseError(
                f"the index of a root must be a whole number from 1 to {MAX_EXPONENT}",
                column=index.start + 1,
            )
        exponent = Built(
            expr=sympy.Rational(1, int(index.expr)),
            start=index.start,
            end=index.end,
            value=complex(1 / int(index.expr)),
        )
        return self._power(radicand, exponent, start, end)

    def absolute(self, children: list[Any]) -> Built:
        start, end = _span(children)
        return self._apply(Token("FUNC", "abs"), None, children[0], start, end)

    # -- atoms -----------------------------------------------------------------------------

    def number(self, children: list[Any]) -> Built:
        token = children[0]
        return self._number(str(token), token.start_pos, token.end_pos)

    def var(self, children: list[Any]) -> Built:
        token = children[0]
        return Built(expr=self._letter(str(token)), start=token.start_pos, end=token.end_pos)

    def _letter(self, name: str) -> sympy.Symbol:
        """The real symbol of a letter (names.letter_name has vetted its shape)."""
        return self.x if name == self.names.variable else sympy.Symbol(name, real=True)

    def var_primes(self, children: list[Any]) -> Built:
        """``u'``: the derivative of a letter with respect to the exercise's variable (for a letter
        that stands for an expression, u = 1 + e^(-x), that is du/dx)."""
        token, primes = children
        count = sum(_PRIME_COUNTS.get(char, 0) for char in str(primes)) + str(primes).count("\\prime")
        order = self._order(count, primes.start_pos or 0)
        letter = self._letter(str(token))
        return Built(expr=sympy.Derivative(letter, (self.x, order)), start=token.start_pos or 0,
                     end=primes.end_pos or 0, size=2)

    def apply_many(self, children: list[Any]) -> Built:
        """``L(w, b)``: a function of several arguments (a user's definition, or log(x, 2))."""
        start, end = _span(children)
        name = children[0]
        arguments = [child for child in children[1:] if isinstance(child, Built)]
        if isinstance(children[1], _Suffix):
            raise ParseError(f"write the derivative of {name} with respect to one of its arguments, e.g. "
                             f"\\frac{{\\partial {name}}}{{\\partial w}}", column=start + 1)
        if str(name) == "log" and len(arguments) == 2:
            base = arguments[1]
            if not (base.expr.is_Symbol or (base.literal and base.expr.is_Integer and base.expr > 1)):
                raise ParseError("the base of a logarithm is a whole number greater than 1 or a letter: log(x, 2)",
                                 column=base.start + 1)
            spec = self.names.spec(f"log_{base.expr}")
            return Built(expr=spec.build(arguments[0].expr), start=start, end=end, size=arguments[0].size + 2,
                         bare=arguments[0].bare)
        spec = self.names.spec(str(name))
        if spec.arity != len(arguments):
            written = f"{name}({', '.join(str(p) for p in spec.parameters)})" if spec.parameters else f"{name}(...)"
            raise ParseError(f"{name} takes {spec.arity} argument{'s' if spec.arity != 1 else ''}: write {written}",
                             column=start + 1)
        return Built(expr=spec.build(*(argument.expr for argument in arguments)), start=start, end=end,
                     size=sum(argument.size for argument in arguments) + 1,
                     bare=frozenset().union(*(argument.bare for argument in arguments)))

    def const(self, children: list[Any]) -> Built:
        token = children[0]
        if str(token) == "e":
            expr, value = S.Exp1, complex(math.e)
        else:
            expr, value = S.Pi, complex(math.pi)
        return Built(expr=expr, start=token.start_pos, end=token.end_pos, value=value)

    # -- functions -------------------------------------------------------------------------

    def primes(self, children: list[Any]) -> _Suffix:
        token = children[0]
        text = str(token)
        count = text.count("\\prime") + sum(_PRIME_COUNTS.get(char, 0) for char in text)
        return _Suffix(primes=self._order(count, token.start_pos))

    def fpower(self, children: list[Any]) -> _Suffix:
        exponent: Built = children[0]
        if self._is_order(exponent):
            # f^{(n)}(x): the n-th derivative, read exactly like n primes.
            return _Suffix(primes=self._order(int(exponent.expr), exponent.start))
        return _Suffix(power=exponent)

    def _is_order(self, exponent: Built) -> bool:
        r"""Whether a function's superscript is a whole number in parentheses: ``^{(2)}``, ``^(2)``."""
        written = self.text[exponent.start : exponent.end]
        if not (exponent.literal and written.isdigit()):
            return False
        before = exponent.start - 1
        while before >= 0 and self.text[before].isspace():
            before -= 1
        return before >= 0 and self.text[before] == "(" and bool(
            _CLOSE_AFTER.match(self.text, exponent.end)
        )

    def fpower_sup(self, children: list[Any]) -> _Suffix:
        return _Suffix(power=self._superscript(children[0]))

    def fpower_digit(self, children: list[Any]) -> _Suffix:
        return _Suffix(power=self._caret_digit(children[0]))

    def apply(self, children: list[Any]) -> Built:
        start, end = _span(children)
        suffix = children[1] if isinstance(children[1], _Suffix) else None
        return self._apply(children[0], suffix, children[-1], start, end)

    def apply_bare(self, children: list[Any]) -> Built:
        start, end = _span(children)
        suffix = children[1] if isinstance(children[1], _Suffix) else None
        arguments = [child for child in children if isinstance(child, Built)]
        argument = arguments[0] if len(arguments) == 1 else self.implicit(arguments)
        if len(arguments) > 1:
            argument = replace(argument, start=arguments[0].start, end=arguments[-1].end)
        return self._apply(children[0], suffix, argument, start, end)

    def bare_sigma(self, children: list[Any]) -> Built:
        start, end = _span(children)
        suffix = children[1] if len(children) > 1 else None
        return self._bare_sigma(str(children[0]), suffix, start, end)

    # -- derivatives -----------------------------------------------------------------------

    def dorder(self, children: list[Any]) -> _Order:
        token = children[0]
        text = str(token).lstrip("^").strip()
        if not text.isdigit():
            raise ParseError(
                "a derivative order must be a whole number", column=token.start_pos + 1
            )
        return _Order(order=self._order(int(text), token.start_pos))

    def _orders(self, children: list[Any]) -> int:
        """The order of d^n/dx^n from the children of dop/dfunc; both orders must agree."""
        variable_at = next(i for i, c in enumerate(children) if isinstance(c, _WithRespectTo))
        top = [c.order for c in children[:variable_at] if isinstance(c, _Order)]
        bottom = [c.order for c in children[variable_at:] if isinstance(c, _Order)]
        top_order, bottom_order = (top or [1])[0], (bottom or [1])[0]
        if top_order != bottom_order:
            raise ParseError(
                f"derivative orders differ: d^{top_order} on top but d{self.names.variable}^"
                f"{bottom_order} below",
                column=_span(children)[0] + 1,
            )
        return top_order

    def dvar(self, children: list[Any]) -> _WithRespectTo:
        token = children[0]
        name = str(token)
        if token.type == SIGMA:
            name = "sigma"
        return _WithRespectTo(name=None if name == self.names.variable else name, start=token.start_pos or 0)

    def _wrt(self, children: list[Any], order: int) -> str | None:
        """``d/dw`` for another letter w; a letter that stands for an expression (u = 1 + e^{-x}) only
        for a first derivative."""
        wrt = next(c for c in children if isinstance(c, _WithRespectTo))
        if wrt.name == "sigma":
            raise ParseError("write derivatives with respect to a letter, e.g. d/du after u = sigma(x)",
                             column=wrt.start + 1)
        if wrt.name is not None and wrt.name in self.names.substituted and order != 1:
            raise ParseError(
                f"write higher derivatives with respect to {self.names.variable}, not {wrt.name}", column=wrt.start + 1
            )
        return wrt.name

    def _written_partial(self, children: list[Any]) -> bool:
        """Whether the derivative was written with ∂ (\\partial) rather than d: the denominator's
        operator stands right before its variable."""
        wrt = next(c for c in children if isinstance(c, _WithRespectTo))
        return self.text[: wrt.start].rstrip().endswith(("\\partial", "∂"))

    def _wrt_symbol(self, wrt: str | None) -> sympy.Symbol:
        return self.x if wrt is None else self._letter(wrt)

    def dop(self, children: list[Any]) -> _Order:
        order = self._orders(children)
        return _Order(order=order, wrt=self._wrt(children, order), partial=self._written_partial(children))

    def derivative(self, children: list[Any]) -> Built:
        start, end = _span(children)
        order = children[0].order
        operands = children[1:]
        operand = operands[0] if len(operands) == 1 else self.implicit(operands)
        kind = Partial if children[0].partial else sympy.Derivative
        return Built(
            expr=kind(operand.expr, (self._wrt_symbol(children[0].wrt), order)),
            start=start,
            end=end,
            size=operand.size + 1,
            bare=operand.bare,
        )

    def dname(self, children: list[Any]) -> _DName:
        start, end = _span(children)
        name = next(c for c in children if isinstance(c, Token) and c.type in (FUNC, SIGMA, VAR))
        order = self._orders(children)
        return _DName(name=name, order=order, start=start, end=end, wrt=self._wrt(children, order),
                      partial=self._written_partial(children))

    def _target(self, name: Token) -> sympy.Expr:
        """What ``dA/dw`` differentiates: σ(x), f(x), a user's L(w, b) at its parameters, or a letter."""
        if name.type == VAR:
            return self._letter(str(name))
        spec = self.names.spec(str(name))
        if spec.arity != 1:
            return spec.build(*spec.parameters)
        return spec.build(self.x)

    def dfunc(self, children: list[Any]) -> Built:
        dname: _DName = children[0]
        kind = Partial if dname.partial else sympy.Derivative
        return Built(
            expr=kind(self._target(dname.name), (self._wrt_symbol(dname.wrt), dname.order)),
            start=dname.start,
            end=dname.end,
            size=2,
        )

    def dcall(self, children: list[Any]) -> Built:
        r"""``\frac{d\sigma(x)}{dx}``: the derivative of the function at the variable, as dσ/dx.

        Any other argument is refused with what to write instead: ``\frac{d\sigma(2x)}{dx}``
        could mean the derivative of σ(2x) or σ′ at 2x.
        """
        name = next(c for c in children if isinstance(c, Token) and c.type in (FUNC, SIGMA))
        argument = next(c for c in children if isinstance(c, Built))
        start, end = _span(children)
        frac = self.text.rfind("frac", max(0, start - 60), start)  # \frac{d...}{dx} in LaTeX
        latex = frac > 0
        start = self.text.rfind("\\" if latex else "d", 0, frac if latex else start)
        order = self._orders(children)
        if self._wrt(children, order) is not None:
            raise ParseError(
                f"write the derivative of a function at a point with respect to {self.names.variable}",
                column=start + 1,
            )
        if argument.expr != self.x:
            function = self.text[name.start_pos : name.end_pos]
            inner = self._snippet(argument.start, argument.end)
            variable, power = self.names.variable, "" if order == 1 else f"^{order}"
            if latex:
                power = power and f"^{{{order}}}"
                operator = f"\\frac{{d{power}}}{{d{variable}{power}}}"
            else:
                operator = f"d{power}/d{variable}{power} "
            primed = function + "'" * order
            raise ParseError(
                f"unclear derivative: write {operator}{function}({inner}) for the derivative of "
                f"{function}({inner}), or {primed}({inner}) for {primed} at {inner}",
                column=start + 1,
            )
        return self.dfunc([_DName(name=name, order=order, start=start, end=end)])

    def dfunc_at(self, children: list[Any]) -> Built:
        dname, argument = children
        start, end = dname.start, argument.end + 1
        letter = dname.name.type == VAR
        several = not letter and self.names.spec(str(dname.name)).arity != 1
        if dname.wrt is not None or letter or several or (dname.name.type == SIGMA and str(dname.name) in argument.bare):
            # dσ/dx (1 − σ), as for σ(1 − σ); dσ/du (−e^(−x)), the chain rule's product; dz/dw (x)
            return self._product([self.dfunc([dname]), argument], [False, False], start, end)
        return self._derivative_at(self.names.spec(str(dname.name)), argument, dname.order, start, end)




__all__ = ["Builder", "Built", "LineParts", "SeenDecimal"]
