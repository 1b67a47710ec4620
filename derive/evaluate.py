"""Evaluate SymPy expression trees with mpmath, by walking the tree.

Used for numeric spot checks (``mpmath.mp`` at 30+ digits) and for interval checks of ``≈``
lines (``mpmath.iv``). Walking the tree ourselves is fast, never generates or runs code, and
works identically for points and for intervals. Only the node types in the dispatch table are
understood; anything else raises :class:`NotEvaluable`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import sympy

from derive.functions import sigma


def to_mpf(value: sympy.Rational | int, ctx: Any = mpmath.mp) -> Any:
    """An exact rational as an mpmath number (in context ``ctx``) at the working precision."""
    value = sympy.Rational(value)
    return ctx.mpf(int(value.p)) / int(value.q) if value.q != 1 else ctx.mpf(int(value.p))


class NotEvaluable(ValueError):
    """The expression has no real value here (outside its domain, or a node we cannot evaluate)."""


def evaluate(expr: sympy.Basic, values: Mapping[sympy.Symbol, Any], ctx: Any = mpmath.mp) -> Any:
    """The value of ``expr`` with ``values`` substituted, in mpmath context ``ctx`` (mp or iv).

    >>> from derive.functions import variable
    >>> x = variable()
    >>> with mpmath.workdps(20):
    ...     print(evaluate(sigma(x), {x: mpmath.mpf(0)}))
    0.5
    """
    value = _evaluate(expr, values, ctx)
    if ctx is mpmath.mp:
        try:
            value = _real_part(value)
        except ValueError:
            raise NotEvaluable("complex value") from None
        if not mpmath.isfinite(value):
            raise NotEvaluable("not finite")
    return value


def evaluate_at_points(
    expr: sympy.Basic,
    variable: sympy.Symbol,
    points: list[mpmath.mpf],
    cache: dict[sympy.Basic, list[Any]],
    constants: Mapping[sympy.Symbol, mpmath.mpf] | None = None,
) -> list[mpmath.mpf | None]:
    """Real values of ``expr`` at each of ``points`` of ``variable`` (None where undefined), with
    fixed ``constants`` for other symbols, in ``mpmath.mp``. See :func:`evaluate_columns`."""
    columns = {symbol: [value] * len(points) for symbol, value in (constants or {}).items()}
    columns[variable] = list(points)
    return evaluate_columns(expr, columns, len(points), cache)


def evaluate_columns(
    expr: sympy.Basic,
    columns: Mapping[sympy.Symbol, list[Any]],
    count: int,
    cache: dict[sympy.Basic, list[Any]],
) -> list[mpmath.mpf | None]:
    """Real values of ``expr`` at ``count`` points (None where undefined), in ``mpmath.mp``;
    ``columns`` gives each symbol's value at every point (a symbol without a column has no value).

    ``cache`` maps sub-expressions to their values and is shared between calls (for the same
    columns), so expressions that share sub-trees (consecutive steps of a derivation) evaluate
    each sub-tree once.
    """
    for symbol, column in columns.items():
        cache.setdefault(symbol, column)
    values = _at_points(expr, count, cache)
    return [_real_or_none(value) for value in values]


def _at_points(expr: sympy.Basic, count: int, cache: dict[sympy.Basic, list[Any]]) -> list[Any]:
    if expr in cache:
        return cache[expr]
    if isinstance(expr, sympy.Piecewise):
        values = []
        symbols = [symbol for symbol in expr.free_symbols if symbol in cache]
        for row in range(count):
            try:
                values.append(_evaluate(expr, {symbol: cache[symbol][row] for symbol in symbols}, mpmath.mp))
            except NotEvaluable:
                values.append(None)
        cache[expr] = values
        return values
    if expr.is_Symbol:
        values: list[Any] = [None] * count  # a symbol without values is undefined everywhere
    elif expr.is_Rational or expr.is_Float or not expr.free_symbols:
        try:
            constant = _evaluate(expr, {}, mpmath.mp)
        except NotEvaluable:
            constant = None
        values = [constant] * count
    else:
        handler = _handler(expr)
        columns = [_at_points(arg, count, cache) for arg in expr.args]
        values = []
        for row in zip(*columns):
            if handler is None or any(value is None for value in row):
                values.append(None)
                continue
            try:
                values.append(_real_part(handler(mpmath.mp, *row)))
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                values.append(None)
    cache[expr] = values
    return values


def _real_part(value: Any) -> Any:
    """A part's value as a real number; ValueError when it has none (asin 8, ln(-1)): a function of
    a real variable is undefined where any part of it is, even when the whole would come out real
    (0·asin(x + 7) at x = 1 is not 0, it is undefined, as asin(x + 7) is)."""
    if isinstance(value, mpmath.mpc):
        if value.imag != 0:
            raise ValueError("complex value")
        return value.real
    return value


def _real_or_none(value: Any) -> mpmath.mpf | None:
    if value is None:
        return None
    try:
        value = _real_part(value)
    except ValueError:
        return None
    return value if mpmath.isfinite(value) else None


def _handler(expr: sympy.Basic) -> Callable[..., Any] | None:
    handler = _HANDLERS.get(type(expr))
    if handler is None:
        for kind, candidate in _HANDLERS.items():
            if isinstance(expr, kind):
                return candidate
    return handler


def _evaluate(expr: sympy.Basic, values: Mapping[sympy.Symbol, Any], ctx: Any) -> Any:
    if expr.is_Symbol:
        try:
            return values[expr]
        except KeyError:
            raise NotEvaluable(f"no value for {expr}") from None
    if expr.is_Rational:
        return to_mpf(expr, ctx)
    if expr.is_Float:
        return ctx.mpf(expr)
    if isinstance(expr, sympy.Piecewise):
        if ctx is not mpmath.mp:
            raise NotEvaluable("piecewise functions are not evaluated with intervals")
        for piece, condition in expr.args:
            if _holds(condition, values):
                return _evaluate(piece, values, ctx)
        raise NotEvaluable("no piece of the piecewise function applies here")
    handler = _handler(expr)
    if handler is None:
        raise NotEvaluable(f"cannot evaluate {type(expr).__name__}")
    args = [_evaluate(arg, values, ctx) for arg in expr.args]
    try:
        value = handler(ctx, *args)
        return _real_part(value) if ctx is mpmath.mp else value
    except (ZeroDivisionError, ValueError, OverflowError, TypeError) as error:  # TypeError: a complex value met an ordering test
        raise NotEvaluable(str(error)) from None


_COMPARISONS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
                "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def _holds(condition: sympy.Basic, values: Mapping[sympy.Symbol, Any]) -> bool:
    """Truth of a piecewise condition at a point (relations, and/or/not, true/false)."""
    if condition is sympy.true:
        return True
    if condition is sympy.false:
        return False
    if isinstance(condition, sympy.core.relational.Relational):
        left = _evaluate(condition.lhs, values, mpmath.mp)
        right = _evaluate(condition.rhs, values, mpmath.mp)
        return bool(_COMPARISONS[condition.rel_op](left, right))
    if isinstance(condition, sympy.And):
        return all(_holds(arg, values) for arg in condition.args)
    if isinstance(condition, sympy.Or):
        return any(_holds(arg, values) for arg in condition.args)
    if isinstance(condition, sympy.Not):
        return not _holds(condition.args[0], values)
    raise NotEvaluable(f"cannot decide the condition {condition}")


def _add(ctx: Any, *args: Any) -> Any:
    total = args[0]
    for arg in args[1:]:
        total = total + arg
    return total


def _mul(ctx: Any, *args: Any) -> Any:
    product = args[0]
    for arg in args[1:]:
        product = product * arg
    return product


def _pow(ctx: Any, base: Any, exponent: Any) -> Any:
    if ctx is mpmath.mp:
        if base == 0 and exponent < 0:
            raise ZeroDivisionError("division by zero")
        if base < 0 and exponent != int(exponent):
            raise ValueError("negative base with a fractional exponent")
        if exponent == int(exponent):
            return base ** int(exponent)
        return ctx.power(base, exponent)
    if exponent.a == exponent.b and exponent.a == int(exponent.a):
        return base ** int(exponent.a)
    return ctx.exp(exponent * ctx.log(base))


def _log(ctx: Any, argument: Any, base: Any = None) -> Any:
    if ctx is mpmath.mp and argument <= 0:
        raise ValueError("logarithm of a number that is not positive")
    result = ctx.log(argument)
    return result if base is None else result / ctx.log(base)


def _sinh(ctx: Any, u: Any) -> Any:
    return ctx.sinh(u) if ctx is mpmath.mp else (ctx.exp(u) - ctx.exp(-u)) / 2


def _cosh(ctx: Any, u: Any) -> Any:
    return ctx.cosh(u) if ctx is mpmath.mp else (ctx.exp(u) + ctx.exp(-u)) / 2


def _tanh(ctx: Any, u: Any) -> Any:
    return ctx.tanh(u) if ctx is mpmath.mp else 1 - 2 / (ctx.exp(2 * u) + 1)


def _sigma(ctx: Any, u: Any) -> Any:
    return 1 / (1 + ctx.exp(-u))


def _mp_only(function: str) -> Callable[..., Any]:
    def handler(ctx: Any, *args: Any) -> Any:
        if ctx is not mpmath.mp:
            raise ValueError(f"{function} is not available for intervals")
        return getattr(mpmath, function)(*args)

    return handler


def _abs(ctx: Any, u: Any) -> Any:
    return abs(u)


def _max(ctx: Any, *args: Any) -> Any:
    return max(args) if ctx is mpmath.mp else _mp_only("max")(ctx)


def _min(ctx: Any, *args: Any) -> Any:
    return min(args) if ctx is mpmath.mp else _mp_only("min")(ctx)


def _heaviside(ctx: Any, u: Any, h0: Any = None) -> Any:
    if ctx is not mpmath.mp:
        raise ValueError("Heaviside is not available for intervals")
    if u == 0:
        if h0 is None:
            raise ValueError("Heaviside(0) is undefined")
        return h0
    return ctx.mpf(1) if u > 0 else ctx.mpf(0)


_HANDLERS: dict[type, Callable[..., Any]] = {
    sympy.Add: _add,
    sympy.Mul: _mul,
    sympy.Pow: _pow,
    sympy.exp: lambda ctx, u: ctx.exp(u),
    sympy.log: _log,
    sympy.sin: lambda ctx, u: ctx.sin(u),
    sympy.cos: lambda ctx, u: ctx.cos(u),
    sympy.tan: lambda ctx, u: ctx.tan(u),
    sympy.sinh: _sinh,
    sympy.cosh: _cosh,
    sympy.tanh: _tanh,
    sympy.erf: lambda ctx, u: ctx.erf(u),
    sympy.atan: _mp_only("atan"),
    sympy.asin: _mp_only("asin"),
    sympy.acos: _mp_only("acos"),
    sympy.asinh: _mp_only("asinh"),
    sympy.acosh: _mp_only("acosh"),
    sympy.atanh: _mp_only("atanh"),
    sympy.sec: _mp_only("sec"),
    sympy.csc: _mp_only("csc"),
    sympy.cot: _mp_only("cot"),
    sympy.coth: _mp_only("coth"),
    sympy.sech: _mp_only("sech"),
    sympy.csch: _mp_only("csch"),
    sympy.acot: _mp_only("acot"),
    sympy.asec: _mp_only("asec"),
    sympy.acsc: _mp_only("acsc"),
    sympy.acoth: _mp_only("acoth"),
    sympy.asech: _mp_only("asech"),
    sympy.acsch: _mp_only("acsch"),
    sympy.Abs: _abs,
    sympy.Max: _max,
    sympy.Min: _min,
    sympy.Heaviside: _heaviside,
    sympy.sign: lambda ctx, u: ctx.sign(u) if ctx is mpmath.mp else _mp_only("sign")(ctx),
    sigma: _sigma,
    type(sympy.E): lambda ctx: ctx.e,
    type(sympy.pi): lambda ctx: ctx.pi,
    type(sympy.S.Half): lambda ctx: ctx.mpf(1) / 2,
}
