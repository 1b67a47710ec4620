"""Numbers that documents print: computed with mpmath from verified expressions, rounded right.

Nothing here is typed in: a worked example evaluates the definition and the proved derivative;
the plot samples them; the vanishing-gradient figures come from the proved bound on F′.

A plot must not mislead, so a curve is drawn only where it is real and finite: it is sampled
on a fine grid, each stretch of consecutive real values is a piece of its own (an isolated real
value, such as x^x at a negative integer, is no curve), a piece is followed towards the edge of
its domain by bisection, and it is broken where it jumps (a pole between two samples, such as
tan x at π/2, or a piecewise function's jump; found by bisecting the step until it either shrinks
like a continuous curve's or stays). The y-range is chosen from the bulk of the values (Tukey's
fences around the quartiles), so that a few huge values near a pole do not flatten everything
else; a curve that leaves that range is cut at its edge, and the cut is marked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import mpmath
import sympy

from derive.evaluate import NotEvaluable, evaluate, evaluate_at_points, to_mpf
from derive.functions import prepare

WORKING_DIGITS = 40


def rounded(value: mpmath.mpf, decimals: int) -> str:
    """``value`` correctly rounded (half to even) to ``decimals`` places.

    >>> rounded(mpmath.mpf("0.73105857863"), 4)
    '0.7311'
    """
    exact = Decimal(mpmath.nstr(value, WORKING_DIGITS, strip_zeros=False, min_fixed=-mpmath.inf, max_fixed=mpmath.inf))
    return str(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN))


def as_real(expr: sympy.Expr, variable: sympy.Symbol) -> tuple[sympy.Expr, sympy.Symbol]:
    """``expr`` and ``variable`` with every symbol made real (a derivation given back in a user's
    ``Symbol("x")`` is about real x: d/dx |x| must not become SymPy's complex derivative of |x|)."""
    symbols = {s for s in expr.free_symbols | {variable} if isinstance(s, sympy.Symbol) and not s.is_real}
    if not symbols:
        return expr, variable
    mapping = {s: sympy.Symbol(s.name, real=True) for s in symbols}
    with sympy.evaluate(False):
        return expr.xreplace(mapping), mapping.get(variable, variable)


def value_at(expr: sympy.Expr, variable: sympy.Symbol, point: sympy.Rational | int) -> mpmath.mpf:
    """The value of a (possibly σ- or derivative-containing) expression at ``point``."""
    point = sympy.Rational(point)
    expr, variable = as_real(expr, variable)
    with mpmath.workdps(WORKING_DIGITS):
        return evaluate(prepare(expr), {variable: to_mpf(point)})


#: Samples per curve on the plotted interval (spacing 0.05 on -6..6).
PLOT_SAMPLES = 241
#: Bisections towards the edge of a domain, and to settle whether a big step is a jump.
EDGE_BISECTIONS = 30
JUMP_BISECTIONS = 40
#: A step between neighbouring samples larger than this share of the visible y-span is examined.
STEP_SHARE = 0.2
#: How far beyond the quartiles values stay visible, in interquartile ranges (Tukey's far fences).
FENCE = 3.0

Point = tuple[float, float]


@dataclass(frozen=True, kw_only=True)
class Stretch:
    """An interval of x on which a curve is drawn; an open end is where it stops being real or finite."""

    low: float
    high: float
    low_open: bool
    high_open: bool


@dataclass(frozen=True, kw_only=True)
class Series:
    """A sampled curve, ready to draw: ``segments`` are pieces of polyline inside the plot's
    y-range (``(x, y)`` floats); ``exits`` are the points where the curve leaves that range
    (``(x, y, "up" | "down")``); ``stretches`` say where it is drawn at all, when that is not
    the whole interval (ln x: only for x > 0)."""

    label: str
    segments: tuple[tuple[Point, ...], ...]
    exits: tuple[tuple[float, float, str], ...] = ()
    stretches: tuple[Stretch, ...] = ()

    @property
    def points(self) -> tuple[Point, ...]:
        return tuple(point for segment in self.segments for point in segment)


@dataclass(frozen=True, kw_only=True)
class Plot:
    """Curves on one set of axes, with the ranges and ticks a template needs.

    ``breaks`` are the x where some curve is broken inside the interval (a pole, a jump, an
    undefined point), ``asymptotes`` those of them where a curve runs off the y-range (drawn as
    dashed lines), and ``clipped`` says whether any curve was cut at the top or bottom.
    """

    series: tuple[Series, ...]
    x_range: tuple[int, int]
    y_range: tuple[float, float]
    x_ticks: tuple[int, ...]
    y_ticks: tuple[float, ...]
    breaks: tuple[float, ...] = ()
    asymptotes: tuple[float, ...] = ()
    clipped: bool = False


class _Curve:
    """One expression evaluated on the grid and, on demand, at single points (20 digits)."""

    def __init__(self, expr: sympy.Expr, variable: sympy.Symbol, domain: _Curve | None = None) -> None:
        expr, self.variable = as_real(expr, variable)
        self.prepared = prepare(expr)
        self.domain = domain

    def on_grid(self, xs: list[float]) -> list[float | None]:
        with mpmath.workdps(20):
            values = evaluate_at_points(self.prepared, self.variable, [mpmath.mpf(x) for x in xs], {})
        grid = [_finite(value) for value in values]
        if self.domain is not None:
            grid = [None if outside is None else y for y, outside in zip(grid, self.domain.on_grid(xs))]
        return grid

    def at(self, x: float) -> float | None:
        if self.domain is not None and self.domain.at(x) is None:
            return None
        with mpmath.workdps(20):
            try:
                return _finite(evaluate(self.prepared, {self.variable: mpmath.mpf(x)}))
            except NotEvaluable:
                return None


def _finite(value: mpmath.mpf | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def plot(curves: list[tuple[sympy.Expr, str]], variable: sympy.Symbol, low: int = -6, high: int = 6,
         count: int = PLOT_SAMPLES) -> Plot:
    """The curves on [low, high], each drawn only where real and finite, broken at poles and
    jumps, on a y-range that the bulk of the values decide (far values cut off and marked)."""
    xs = [low + (high - low) * index / (count - 1) for index in range(count)]
    first = _Curve(curves[0][0], variable)
    # The curves after the first (its derivatives) exist only where the function does: the
    # derivative of ln x is 1/x for x > 0 only, though 1/x itself has values for x < 0.
    evaluated = [(first, curves[0][1])] + [(_Curve(expr, variable, domain=first), label) for expr, label in curves[1:]]
    grids = [curve.on_grid(xs) for curve, _ in evaluated]
    y_low, y_high, ticks = _y_range(grids)
    span = y_high - y_low
    series, breaks, asymptotes, clipped = [], set(), set(), False
    for (curve, label), grid in zip(evaluated, grids):
        runs, cuts = _runs(curve, xs, grid, STEP_SHARE * span)
        segments, exits = [], []
        for run in runs:
            inside, leaving = _clip(run.points, y_low, y_high)
            segments.extend(inside)
            exits.extend(leaving)
        clipped = clipped or bool(exits)
        breaks.update(cuts)
        asymptotes.update(cut for cut in cuts if _runs_off(runs, cut, y_low, y_high))
        asymptotes.update(_edges_running_off(runs, y_low, y_high))
        series.append(Series(label=label, segments=tuple(segments), exits=tuple(exits),
                             stretches=_stretches(runs, xs)))
    return Plot(
        series=tuple(series), x_range=(low, high), y_range=(y_low, y_high),
        x_ticks=tuple(range(low, high + 1, 2)), y_ticks=ticks,
        breaks=tuple(sorted(breaks)), asymptotes=tuple(sorted(asymptotes)), clipped=clipped,
    )


def _y_range(grids: list[list[float | None]]) -> tuple[float, float, tuple[float, ...]]:
    """The visible y-range: every curve's values (None where undefined), except those far beyond
    its quartiles (past twice Tukey's far fences: then the range ends at the fence) unless that
    would hide a whole branch; widened to whole ticks, and to 0 for positive values."""
    curves = [[y for y in grid if y is not None] for grid in grids]
    ranges = [_visible(sorted(values)) for values in curves if values]
    if not ranges:
        return 0.0, 1.0, (0.0, 1.0)
    bottom, top = min(low for low, _ in ranges), max(high for _, high in ranges)
    for grid in grids:
        for branch in _branches(grid, bottom, top):
            # a branch the fences would cut off whole (1/(x² − 1) between its poles): its half
            # nearest the range is shown, not nothing
            ordered = sorted(branch, key=lambda y: max(bottom - y, y - top))
            nearest = ordered[len(ordered) // 2]
            bottom, top = min(bottom, nearest), max(top, nearest)
    if top - bottom < 1e-9:
        bottom, top = bottom - 1, top + 1
    span = top - bottom
    step = _nice_step(span)
    y_low = _outward(bottom, step, span, -1) if bottom < 0 else 0.0
    y_high = _outward(top, step, span, 1) if top > 0 else 0.0
    if y_high <= y_low:
        y_high = y_low + step
    ticks = [round(step * k, 6) + 0.0 for k in range(math.ceil(y_low / step - 1e-9), math.floor(y_high / step + 1e-9) + 1)]
    return round(y_low, 6) + 0.0, round(y_high, 6) + 0.0, tuple(ticks)


#: The smallest share of the samples a branch of a curve holds for the y-range to show part of it.
BRANCH_SHARE = 0.05


def _branches(values: list[float | None], bottom: float, top: float) -> list[list[float]]:
    """The branches of a curve (runs of defined values, split where it crosses from far above the
    range to far below, as at a pole) that lie wholly outside ``[bottom, top]`` and hold at least
    :data:`BRANCH_SHARE` of the samples."""
    branches: list[list[float]] = []
    current: list[float] = []
    for y in [*values, None]:
        far = y is not None and (y < bottom or y > top)
        if current and (y is None or (far and current[-1] * y < 0 and not bottom <= current[-1] <= top)):
            branches.append(current)
            current = []
        if y is not None:
            current.append(y)
    least = BRANCH_SHARE * len(values)
    return [branch for branch in branches
            if len(branch) >= least and all(y < bottom or y > top for y in branch)]


def _outward(value: float, step: float, span: float, direction: int) -> float:
    """An end of the y-range: the next whole tick beyond ``value``, unless that wastes more than a
    tenth of the plot (x^x′ dips to -1.7 on a scale of thousands): then a little beyond it."""
    tick = step * (math.floor(value / step + 1e-9) if direction < 0 else math.ceil(value / step - 1e-9))
    if abs(tick - value) <= 0.1 * span:
        return tick
    fine = step / 10
    beyond = value + direction * 0.03 * span
    return fine * (math.floor(beyond / fine) if direction < 0 else math.ceil(beyond / fine))


def _visible(ordered: list[float]) -> tuple[float, float]:
    """One curve's part of the y-range: all of it, or up to a fence when values go far beyond."""
    lower, upper = _quantile(ordered, 0.25), _quantile(ordered, 0.75)
    spread = upper - lower
    bottom, top = ordered[0], ordered[-1]
    if bottom < lower - 2 * FENCE * spread:
        bottom = lower - FENCE * spread
    if top > upper + 2 * FENCE * spread:
        top = upper + FENCE * spread
    return bottom, top


def _quantile(ordered: list[float], share: float) -> float:
    position = share * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass
class _Run:
    """Consecutive points where a curve is real and finite; an end is open when the curve was
    followed there by bisection to the edge of its domain (ln x towards 0)."""

    points: list[Point]
    low_open: bool = False
    high_open: bool = False


def _runs(curve: _Curve, xs: list[float], grid: list[float | None], threshold: float) -> tuple[list[_Run], list[float]]:
    """The stretches where the curve is real and finite, followed to the edge of its domain and
    cut where it jumps; and the x of every break inside the interval (rounded to 2 decimals)."""
    runs: list[list[Point]] = []
    cuts: list[float] = []
    current: list[Point] = []
    steps = [abs(b - a) if a is not None and b is not None else 0.0 for a, b in zip(grid, grid[1:])]
    for index, (x, y) in enumerate(zip(xs, grid)):
        if y is None:
            if current:
                runs.append(current)
                current = []
            continue
        if current and _suspicious(steps, index - 1, threshold):
            jump = _jump_between(curve, current[-1], (x, y))
            if jump is not None:
                left, right, where = jump
                if left != current[-1]:
                    current.append(left)
                runs.append(current)
                cuts.append(round(where, 2))
                current = [right] if right[0] != x else []
        current.append((x, y))
    if current:
        runs.append(current)
    step = xs[1] - xs[0]
    # an isolated real value (x^x at a negative integer, sign(x) at 0) is no curve
    found = [_Run(points=run) for run in runs if run[-1][0] - run[0][0] > 1e-9]
    for run in found:
        _extend_to_domain_edge(curve, run, step, xs[0], xs[-1])
    undefined = [x for x, y in zip(xs, grid) if y is None]
    for before, after in zip(found, found[1:]):
        end, start = before.points[-1][0], after.points[0][0]
        if start - end < 2.5 * step:
            # one undefined point (1/x at 0, ln x/(x − 1) at 1): the sample where it has no value,
            # not the middle of the gap, which following one side to the point has made lopsided
            between = [x for x in undefined if end < x < start]
            cuts.append(round(between[0] if len(between) == 1 else (end + start) / 2, 2))
    return found, sorted({cut + 0.0 for cut in cuts})


def _suspicious(steps: list[float], index: int, threshold: float) -> bool:
    """A step between two samples that may hide a jump: large for the plot, or much larger than
    the steps beside it (ReLU′ jumps from 0 to 1 between two flat stretches)."""
    step = steps[index]
    beside = min(steps[index - 1] if index > 0 else math.inf, steps[index + 1] if index + 1 < len(steps) else math.inf)
    return step > threshold or (step > 1e-6 * threshold and step > 2 * beside)


def shown_number(value: float) -> sympy.Number:
    """A number for a caption: whole, or with at most two decimals (-4.71, 26.5)."""
    rounded_value = round(value, 2) + 0.0
    if rounded_value == int(rounded_value):
        return sympy.Integer(int(rounded_value))
    text = f"{rounded_value:.2f}".rstrip("0")
    return sympy.Float(text, len(text.replace("-", "").replace(".", "").lstrip("0")) or 1)


def _jump_between(curve: _Curve, left: Point, right: Point) -> tuple[Point, Point, float] | None:
    """Bisect a suspicious step: a continuous curve's step shrinks with the interval, a jump's
    does not. Returns the last points on either side and where the jump is, or None."""
    (a, ya), (b, yb) = left, right
    size = abs(yb - ya)
    for _ in range(JUMP_BISECTIONS):
        middle = (a + b) / 2
        ym = curve.at(middle)
        if ym is None:
            return (a, ya), (b, yb), middle  # undefined in between: broken there too
        if abs(ym - ya) >= abs(yb - ym):
            b, yb = middle, ym
        else:
            a, ya = middle, ym
        if abs(yb - ya) <= 1e-3 * size:
            return None
    return (a, ya), (b, yb), (a + b) / 2


def _extend_to_domain_edge(curve: _Curve, run: _Run, step: float, first: float, last: float) -> None:
    """Where a run stops because the next sample is undefined, bisect towards the edge of the
    domain and add the points found (ln x is followed down towards x = 0)."""
    for end in (0, -1):
        x_inside = run.points[end][0]
        x_outside = x_inside - step if end == 0 else x_inside + step
        if not first - 1e-12 <= x_outside <= last + 1e-12 or curve.at(x_outside) is not None:
            continue
        found = []
        for _ in range(EDGE_BISECTIONS):
            middle = (x_inside + x_outside) / 2
            y = curve.at(middle)
            if y is None:
                x_outside = middle
            else:
                x_inside = middle
                found.append((middle, y))
        if end == 0:
            run.points[:0] = reversed(found)
            run.low_open = bool(found)
        else:
            run.points.extend(found)
            run.high_open = bool(found)


def _clip(run: list[Point], y_low: float, y_high: float) -> tuple[list[tuple[Point, ...]], list[tuple[float, float, str]]]:
    """The parts of a polyline inside y_low ≤ y ≤ y_high, cut exactly at the edge, and the
    points where it leaves or re-enters the range (with the side: "up" or "down")."""
    segments: list[tuple[Point, ...]] = []
    exits: list[tuple[float, float, str]] = []
    current: list[Point] = []

    def inside(y: float) -> bool:
        return y_low <= y <= y_high

    def side(y: float) -> str:
        return "up" if y > y_high else "down"

    for index, (x, y) in enumerate(run):
        if index:
            (x0, y0) = run[index - 1]
            edges = sorted((edge for edge in (y_low, y_high) if min(y0, y) < edge < max(y0, y)), key=lambda edge: abs(edge - y0))
            for edge in edges:
                crossing = (x0 + (x - x0) * (edge - y0) / (y - y0), edge)
                exits.append((*crossing, "up" if edge == y_high else "down"))
                if current:
                    segments.append((*current, crossing))
                    current = []
                else:
                    current = [crossing]
            if not edges and inside(y0) and not inside(y):
                exits.append((x0, y0, side(y)))  # leaves from a point on the edge
                segments.append(tuple(current))
                current = []
            elif not edges and not inside(y0) and inside(y):
                exits.append((x, y, side(y0)))  # comes back at a point on the edge
        if inside(y):
            current.append((x, y))
    segments.append(tuple(current))
    return [segment for segment in segments if len(segment) > 1], exits


def _runs_off(runs: list[_Run], cut: float, y_low: float, y_high: float) -> bool:
    """A curve runs off the y-range next to the break at ``cut``: a pole (an asymptote)."""
    for run in runs:
        for x, y in (run.points[0], run.points[-1]):
            if abs(x - cut) < 0.05 and not y_low <= y <= y_high:
                return True
    return False


def _edges_running_off(runs: list[_Run], y_low: float, y_high: float) -> list[float]:
    """The edges of the domain inside the interval where a curve runs off the y-range (ln x at 0)."""
    edges = []
    for run in runs:
        for (x, y), open_end in ((run.points[0], run.low_open), (run.points[-1], run.high_open)):
            if open_end and not y_low <= y <= y_high:
                edges.append(round(x, 2) + 0.0)
    return edges


def _stretches(runs: list[_Run], xs: list[float]) -> tuple[Stretch, ...]:
    """Where the curve is drawn, when it is missing from a noticeable part of the interval."""
    covered = sum(run.points[-1][0] - run.points[0][0] for run in runs)
    if covered >= 0.97 * (xs[-1] - xs[0]):
        return ()
    return tuple(Stretch(low=run.points[0][0], high=run.points[-1][0], low_open=run.low_open, high_open=run.high_open)
                 for run in runs)


def _nice_step(span: float) -> float:
    magnitude = 10 ** math.floor(math.log10(span / 8)) if span > 0 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        if span / (multiple * magnitude) <= 8:
            return multiple * magnitude
    return 10 * magnitude
