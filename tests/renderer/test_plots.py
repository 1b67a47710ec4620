"""Pictures that do not mislead: a curve is drawn only where it is real and finite, broken at
poles and jumps, on a y-range that a few huge values cannot blow up (what lies beyond is cut off
and marked), and the caption says what is shown.

Checked on the functions that used to be drawn wrongly (x^x for x < 0 joined across isolated
points on a ±10^6 axis, 1/x through its pole, tan x across its asymptotes, ln′ for x < 0) and on
the whole catalogue, in every format: the SVG file, the SVG inside the HTML page (in Chromium),
the pgfplots picture in LaTeX (compiled) and the Markdown caption.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest
import sympy

import derive
from derive.differentiate.catalogue import ENTRIES
from derive.functions import relu, variable
from derive.renderer import render_handouts
from derive.renderer.numbers import Plot, plot
from tooling import artifact_dir, compile_latex, load_html, pandoc_math, pdf_to_png

x = variable("x")
SVG = "{http://www.w3.org/2000/svg}"
D = sympy.Derivative

#: name, expression, poles inside [-6, 6], where the function is not real on [-6, 6] (x < bound)
MISLEADING = {
    "x^x": (x**x, (), 0.0),
    "1/x": (1 / x, (0.0,), None),
    "tan": (sympy.tan(x), tuple(k * math.pi / 2 for k in (-3, -1, 1, 3)), None),
    "ln": (sympy.log(x), (), 0.0),
}


@cache
def figure(name: str) -> Plot:
    expr = MISLEADING[name][0]
    return plot([(expr, "f"), (D(expr, x), "f'")], x)


@cache
def handout(name: str) -> dict[str, str]:
    return render_handouts(derive.derive(MISLEADING[name][0]), ("latex", "markdown", "html"), plot_file=f"{name}.svg")


def _segments_cross(segment: tuple[tuple[float, float], ...], at: float) -> bool:
    xs = [point[0] for point in segment]
    return min(xs) < at - 1e-6 and max(xs) > at + 1e-6


# --- the samples ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MISLEADING)
def test_no_curve_is_joined_across_a_pole(name: str) -> None:
    _, poles, _ = MISLEADING[name]
    for series in figure(name).series:
        for segment in series.segments:
            assert not any(_segments_cross(segment, pole) for pole in poles), (name, series.label)


@pytest.mark.parametrize("name", ["x^x", "ln"])
def test_nothing_is_drawn_where_the_function_is_not_real(name: str) -> None:
    """x^x has real values only at isolated negative points (x = -2: 1/4): no curve there; and
    the derivative of ln x (1/x as a formula) is not drawn for x < 0, where ln x does not exist."""
    _, _, bound = MISLEADING[name]
    for series in figure(name).series:
        assert series.points and all(px >= bound for px, _ in series.points), series.label
        assert series.stretches and series.stretches[0].low_open is (series.label == "f'" or name == "ln")


@pytest.mark.parametrize("name", MISLEADING)
def test_every_point_drawn_is_inside_the_picture(name: str) -> None:
    found = figure(name)
    low, high = found.y_range
    for series in found.series:
        for px, py in series.points:
            assert -6 <= px <= 6 and low - 1e-9 <= py <= high + 1e-9 and math.isfinite(py)


def test_the_y_range_is_not_blown_up_by_values_near_a_pole() -> None:
    """tan x reaches ±10^4 near its poles on the sample grid; the picture shows its shape."""
    low, high = figure("tan").y_range
    assert -20 <= low < 0 < high <= 40
    assert figure("tan").clipped
    assert all(series.exits for series in figure("tan").series)


@pytest.mark.parametrize(("expr", "poles"), [(1 / (x**2 - 1), (-1, 1)), (x / (x**2 - 4), (-2, 2))], ids=str)
def test_a_branch_between_two_poles_is_not_cut_off_whole(expr: sympy.Expr, poles: tuple[int, int]) -> None:
    """1/(x² − 1) is at most −1 between its poles, on a sixth of the interval: the fences that
    keep the rest of the picture readable would cut that branch off entirely; half of it shows."""
    found = plot([(expr, "f"), (D(expr, x), "f'")], x)
    between = [px for segment in found.series[0].segments for px, _ in segment if poles[0] < px < poles[1]]
    assert between and max(between) - min(between) > 0.2 * (poles[1] - poles[0])


def test_a_hole_is_broken_at_the_point_itself() -> None:
    """ln x/(x − 1) has no value at 1 only (its limit there is 1): the break is at x = 1, not at
    the middle of a gap that following the left side to the point has made lopsided (1.01)."""
    expr = sympy.log(x) / (x - 1)
    found = plot([(expr, "f"), (D(expr, x), "f'")], x, 0, 6)
    assert found.breaks == (1.0,) and found.asymptotes == (0.0,)


def test_x_to_the_x_is_cut_off_above_and_marked() -> None:
    found = figure("x^x")
    assert found.y_range[1] < 6**6  # not stretched to x^x at 6 (46656), let alone its derivative
    assert found.clipped and all(side == "up" for series in found.series for _, _, side in series.exits)


def test_poles_become_breaks_and_asymptotes() -> None:
    assert figure("tan").breaks == (-4.71, -1.57, 1.57, 4.71)
    assert figure("tan").asymptotes == (-4.71, -1.57, 1.57, 4.71)
    assert figure("1/x").breaks == (0.0,) and figure("1/x").asymptotes == (0.0,)
    assert figure("ln").asymptotes == (0.0,)  # ln x -> -infinity at the edge of its domain
    assert all(len(series.segments) == 2 for series in figure("1/x").series)
    assert all(len(series.segments) == 5 for series in figure("tan").series)


def test_a_jump_is_a_break_without_an_asymptote() -> None:
    found = plot([(relu(x), "f"), (D(relu(x), x), "f'")], x)
    assert found.breaks == (0.0,) and found.asymptotes == ()
    derivative = found.series[1]
    assert len(derivative.segments) == 2
    assert not any(_segments_cross(segment, 0.0) for segment in derivative.segments)
    assert not found.clipped and found.y_range == (0.0, 6.0)


@pytest.mark.parametrize(
    ("expr", "curve"),
    [
        (sympy.Abs(x), 1),                                       # |x|' = sign(x) jumps at 0
        (sympy.Piecewise((x, x < 0), (x + 1, True)), 0),         # the function itself jumps at 0
        (sympy.Piecewise((x**2, x <= 0), (2 - x, True)), 0),
    ],
    ids=str,
)
def test_jumps_are_broken(expr: sympy.Expr, curve: int) -> None:
    found = plot([(expr, "f"), (D(expr, x), "f'")], x)
    series = found.series[curve]
    assert len(series.segments) == 2
    assert not any(_segments_cross(segment, 0.0) for segment in series.segments)
    assert 0.0 in found.breaks


# --- the catalogue ------------------------------------------------------------------------------


CATALOGUE = [entry.name for entry in ENTRIES if entry.document == "handout" and entry.activation]


@cache
def catalogue_plot(name: str) -> Plot:
    d = derive.derive(name)
    return plot([(d.function, "f"), (d.result, "f'")], d.variable)


@pytest.mark.parametrize("name", CATALOGUE)
def test_catalogue_plots_are_whole_and_honest(name: str) -> None:
    found = catalogue_plot(name)
    low, high = found.y_range
    for series in found.series:
        assert series.points and not series.stretches  # defined on the whole interval
        assert all(low - 1e-9 <= py <= high + 1e-9 for _, py in series.points)
    if name == "relu":
        assert found.breaks == (0.0,)  # ReLU' jumps at 0
    else:
        assert all(len(series.segments) == 1 for series in found.series), name
        assert found.breaks == () and found.asymptotes == ()


def test_the_sigmoid_plot_is_unclipped_on_zero_to_one() -> None:
    found = catalogue_plot("sigmoid")
    assert found.y_range == (0.0, 1.0) and not found.clipped


# --- every format -------------------------------------------------------------------------------


def _svg_curves(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return root.findall(f"{SVG}g[@clip-path]/{SVG}path")


@pytest.mark.parametrize("name", MISLEADING)
def test_svg_draws_each_piece_as_its_own_sub_path(name: str) -> None:
    svg = handout(name)["svg"]
    curves = _svg_curves(svg)
    assert len(curves) == 2
    for path, series in zip(curves, figure(name).series):
        assert path.get("d").count("M") == len(series.segments)
    root = ET.fromstring(svg)
    dashed = [line for group in root.iter(f"{SVG}g") if group.get("stroke-dasharray") for line in group.iter(f"{SVG}line")]
    assert len(dashed) == len(figure(name).asymptotes)
    markers = [path for group in root.findall(f"{SVG}g[@fill]") for path in group.findall(f"{SVG}path")]
    assert len(markers) == sum(len(series.exits) for series in figure(name).series)


@pytest.mark.parametrize("name", ["x^x", "1/x", "tan"])
def test_the_svg_legend_sits_below_the_frame_and_reads_as_formulas(name: str) -> None:
    """Inside the frame the legend covered the curves; its labels read "sqrt(x)/(x^2 + 1)"."""
    root = ET.fromstring(handout(name)["svg"])
    frame_bottom = 40 + 280
    labels = [text for text in root.iter(f"{SVG}text") if text.get("fill") == "#222222"]
    assert len(labels) == 2 and all(float(text.get("y")) > frame_bottom + 20 for text in labels)
    assert not any(mark in text.text for text in labels for mark in ("^", "sqrt", "*")), [text.text for text in labels]
    assert float(root.get("height")) > float(labels[0].get("y"))


def test_svg_coordinates_stay_inside_the_plot_area() -> None:
    for name in MISLEADING:
        for path in _svg_curves(handout(name)["svg"]):
            numbers = [float(value) for value in re.findall(r"-?\d+\.\d+", path.get("d"))]
            xs, ys = numbers[0::2], numbers[1::2]
            assert min(xs) >= 40 - 0.01 and max(xs) <= 600 + 0.01
            assert min(ys) >= 40 - 0.01 and max(ys) <= 320 + 0.01


@pytest.mark.parametrize("name", MISLEADING)
def test_the_caption_says_what_is_shown(name: str) -> None:
    markdown = handout(name)["markdown"]
    caption = next(line for line in markdown.splitlines() if line.startswith("Graph of"))
    if name in ("x^x", "ln"):
        # issue 13: a function defined for x > 0 only is graphed on its domain, not on [-6, 6]
        assert r"x \in \left[0, 6\right]" in caption
    else:
        assert r"x \in \left[-6, 6\right]" in caption
    if name in ("1/x", "tan"):
        assert "broken where they jump or are undefined" in caption and "asymptote" in caption
    if figure(name).clipped:
        assert "are cut off" in caption
    # an asymptote is named; one on the frame (ln x at x = 0) shows no dash, so the words say where it is
    if name == "tan":  # where the proved domain (cos x != 0) says, exactly: not x = -4.71
        assert r"Dashed lines mark the vertical asymptotes $x = - \frac{3 \pi}{2}$, " in caption
        assert r"broken where they jump or are undefined, at $x = - \frac{3 \pi}{2}$" in caption
    if name == "1/x":
        assert "A dashed line marks the vertical asymptote $x = 0$." in caption
    if name in ("ln", "x^x") and figure(name).asymptotes:
        assert "at the edge of the picture, $x = 0$." in caption and "ashed" not in caption


def test_the_latex_picture_has_breaks_and_marks() -> None:
    tex = handout("tan")["latex"]
    assert "unbounded coords=jump" in tex
    assert tex.count(",nan)") == sum(len(series.segments) - 1 for series in figure("tan").series)
    assert tex.count(r"\draw[dashed, gray]") == 4
    assert "mark=triangle*" in tex and "mark options={rotate=180}" in tex
    assert r"x \in \left[-6, 6\right]" in tex
    # the legend sits below the box, in one row: inside it covered the curves (sqrt(x)/(1 + x^2) peaks at the top left)
    assert "legend style={at={(0.5,-0.22)}, anchor=north, legend columns=-1" in tex and "legend pos" not in tex
    # labels too long for one row (the typeset corpus's long sum) stand one under the other: see test_typesetting


@pytest.mark.tools
@pytest.mark.parametrize("name", MISLEADING)
def test_the_latex_handouts_with_these_pictures_compile(name: str, tmp_path: Path) -> None:
    safe = re.sub(r"\W", "", name) or "x"
    pdf = compile_latex(handout(name)["latex"], tmp_path, name=f"plot-{safe}")
    pages = pdf_to_png(pdf, artifact_dir("plots") / f"latex-{safe}")
    assert pages


@pytest.mark.tools
def test_the_html_page_shows_the_picture_and_its_caption(tmp_path: Path) -> None:
    page = tmp_path / "tan.html"
    page.write_text(handout("tan")["html"], encoding="utf-8")
    report = load_html(page, artifact_dir("plots") / "html-tan.png")
    assert not report.console_errors and not report.page_errors and not report.external_requests
    assert "broken where they jump or are undefined" in report.text
    assert "are cut off" in report.text


@pytest.mark.tools
def test_the_markdown_caption_is_read_as_mathematics() -> None:
    parsed = pandoc_math(handout("ln")["markdown"])
    assert any(r"x \in \left[0, 6\right]" in tex for tex in parsed.inline_math)
    assert any(r"x > 0" in tex for tex in parsed.inline_math)  # the domain, stated


@pytest.mark.parametrize("name", list(MISLEADING))
def test_tick_labels_sit_outside_the_frame_where_no_curve_runs(name: str) -> None:
    """Issue 13: tick labels never collide with the curves. In the SVG every tick label is left of
    the frame (y ticks) or below it (x ticks), and every curve inside it; the LaTeX picture draws
    its axes as a box, whose tick labels pgfplots sets outside."""
    documents = handout(name)
    root = ET.fromstring(documents["svg"])
    frame = root.find(f".//{SVG}clipPath/{SVG}rect")  # the plot area the curves are clipped to
    left, top = float(frame.get("x")), float(frame.get("y"))
    right, bottom = left + float(frame.get("width")), top + float(frame.get("height"))
    labels = [text for text in root.iter(f"{SVG}text") if re.fullmatch(r"−?\d+(\.\d+)?", (text.text or "").strip())]
    assert labels, "the picture has tick labels"
    for text in labels:
        x, y = float(text.get("x")), float(text.get("y"))
        outside = (x < left and text.get("text-anchor") == "end") or y > bottom
        assert outside, f"tick label {text.text!r} at ({x}, {y}) is inside the frame"
    for path in _svg_curves(documents["svg"]):
        numbers = [float(value) for value in re.findall(r"-?\d+\.\d+", path.get("d"))]
        assert min(numbers[0::2]) >= left - 0.01 and max(numbers[1::2]) <= bottom + 0.01
    assert "axis lines=box" in documents["latex"]
