"""Numbers that documents print: computed with mpmath from verified expressions, rounded right.

Nothing here is typed in: a worked example evaluates the definition and the proved derivative;
the plot samples them; the vanishing-gradient figures come from the proved bound on F′.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import mpmath
import sympy

from derive.evaluate import evaluate, evaluate_at_points, to_mpf
from derive.functions import prepare

WORKING_DIGITS = 40


def rounded(value: mpmath.mpf, decimals: int) -> str:
    """``value`` correctly rounded (half to even) to ``decimals`` places.

    >>> rounded(mpmath.mpf("0.73105857863"), 4)
    '0.7311'
    """
    exact = Decimal(mpmath.nstr(value, WORKING_DIGITS, strip_zeros=False, min_fixed=-mpmath.inf, max_fixed=mpmath.inf))
    return str(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN))


def value_at(expr: sympy.Expr, variable: sympy.Symbol, point: sympy.Rational | int) -> mpmath.mpf:
    """The value of a (possibly σ- or derivative-containing) expression at ``point``."""
    point = sympy.Rational(point)
    with mpmath.workdps(WORKING_DIGITS):
        return evaluate(prepare(expr), {variable: to_mpf(point)})


@dataclass(frozen=True, kw_only=True)
class Series:
    """A sampled curve: ``points`` are ``(x, y)`` strings with fixed decimals (deterministic)."""

    label: str
    points: tuple[tuple[float, float], ...]


def sample(expr: sympy.Expr, variable: sympy.Symbol, low: int, high: int, count: int, label: str) -> Series:
    """``expr`` at ``count`` evenly spaced points of [low, high] (points where it is undefined are left out)."""
    with mpmath.workdps(20):
        xs = [mpmath.mpf(low * (count - 1) + (high - low) * index) / (count - 1) for index in range(count)]
        ys = evaluate_at_points(prepare(expr), variable, xs, {})
        points = tuple((float(x), float(y)) for x, y in zip(xs, ys) if y is not None)
    return Series(label=label, points=points)


@dataclass(frozen=True, kw_only=True)
class Plot:
    """Curves on one set of axes, with the ranges and ticks a template needs."""

    series: tuple[Series, ...]
    x_range: tuple[int, int]
    y_range: tuple[float, float]
    x_ticks: tuple[int, ...]
    y_ticks: tuple[float, ...]


def plot(curves: list[tuple[sympy.Expr, str]], variable: sympy.Symbol, low: int = -6, high: int = 6, count: int = 121) -> Plot:
    series = tuple(sample(expr, variable, low, high, count, label) for expr, label in curves)
    ys = [y for s in series for _, y in s.points]
    if not ys:
        return Plot(series=series, x_range=(low, high), y_range=(0.0, 1.0), x_ticks=(), y_ticks=())
    bottom, top = min(ys), max(ys)
    step = _nice_step(top - bottom)
    y_low = step * (bottom // step) if bottom < 0 else 0.0
    y_high = step * -(-top // step)
    if y_high <= y_low:  # a constant curve (d/dx 0 = 0): give the axis a height
        y_high = y_low + step
    ticks = []
    tick = y_low
    while tick <= y_high + 1e-9:
        ticks.append(round(tick, 6))
        tick += step
    return Plot(
        series=series,
        x_range=(low, high),
        y_range=(round(y_low, 6), round(y_high, 6)),
        x_ticks=tuple(range(low, high + 1, 2)),
        y_ticks=tuple(ticks),
    )


def _nice_step(span: float) -> float:
    for step in (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100):
        if span / step <= 8:
            return float(step)
    return float(10 ** len(str(int(span))))
