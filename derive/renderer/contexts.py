"""Context for whole documents (handout, worksheet, answer key, snippet): views plus numbers.

Everything a document states comes from here as data: the derivation view, the verified
properties, the worked numeric example, the plot samples and the vanishing-gradient figures.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import mpmath
import sympy

from derive.evaluate import NotEvaluable, evaluate
from derive.expressions import replace_node
from derive.model import Annotation, Derivation, Gradient, JacobianFacts, Worksheet, method_segments, say
from derive.printing import DEFAULT_STYLE, LatexStyle, is_partial, to_latex, to_plain
from derive.renderer.numbers import Plot, plot, rounded, shown_number, value_at
from derive.renderer.view import Math, annotation_view, derivation_view

SVG_WIDTH, SVG_HEIGHT, SVG_MARGIN = 640, 360, 40
SVG_LEGEND = 28  # the band below the picture that holds the legend
COLOURS = ("#1f5fa8", "#c0392b", "#2e7d32")


def _derivatives_style(function: sympy.Basic, variable: sympy.Symbol, style: LatexStyle) -> LatexStyle:
    """A function of several letters (L(z, y) in z) is differentiated with ∂ throughout: no
    d/dz ln σ(z) beside ∂/∂z (...) on one line."""
    if is_partial(sympy.Derivative(function, variable)):
        return dataclasses.replace(style, partial_derivatives=True)
    return style


def route_views(derivations: list[Derivation] | tuple[Derivation, ...], style: LatexStyle = DEFAULT_STYLE) -> list[dict[str, Any]]:
    """The views of a handout's other routes (its context's ``others``): plain data (strings and
    numbers, no SymPy), so that another process may make them (see :func:`derive.output.write_handout`)."""
    return [derivation_view(other, _derivatives_style(other.function, other.variable, style)) for other in derivations]


@dataclasses.dataclass(frozen=True)
class PlotRequest:
    """What a handout's graph is drawn from (:func:`draw`): the function and the derivative its
    derivation ends with, on an interval. SymPy expressions, small enough to send to the helper
    process that draws the graph while this one proves the properties."""

    curves: tuple[tuple[sympy.Expr, str], ...]
    variable: sympy.Symbol
    low: int
    high: int


@dataclasses.dataclass(frozen=True)
class Drawn:
    """A handout's graph drawn already (:func:`draw`), or None for a handout without one."""

    plot: Plot | None


def plot_request(derivation: Derivation) -> PlotRequest | None:
    """The graph of a handout, or None: only a complete derivation of a function of x alone
    gets a graph (and a worked example); the graph stays in the domain."""
    if not _numeric(derivation):
        return None
    low, high = derivation.domain.interval if derivation.domain is not None else (-6, 6)
    return PlotRequest(((derivation.function, "f"), (derivation.result, "f'")), derivation.variable, low, high)


def draw(request: PlotRequest | None) -> Drawn:
    """The graph of a :func:`plot_request`: none where a curve has no point to draw."""
    figure = plot(list(request.curves), request.variable, request.low, request.high) if request is not None else None
    if figure is not None and not all(series.points for series in figure.series):
        figure = None
    return Drawn(figure)


def _numeric(derivation: Derivation) -> bool:
    extra = (derivation.definition.free_symbols | derivation.result.free_symbols) - {derivation.variable}
    return not extra and derivation.complete


def handout_context(
    derivation: Derivation, others: list[Derivation] | tuple[Derivation, ...] = (), style: LatexStyle = DEFAULT_STYLE,
    *, other_views: list[dict[str, Any]] | None = None, drawn: Drawn | None = None,
) -> dict[str, Any]:
    """The context of ``handout.*.j2``: the derivation, other routes, properties, plot, numbers.
    ``other_views``: the other routes' :func:`route_views`, made already (``others`` is then
    unused); ``drawn``: the graph, drawn already from this derivation's :func:`plot_request`."""
    x = derivation.variable
    derivative = derivation.start
    others_shown = route_views(others, style) if other_views is None else other_views
    style = _derivatives_style(derivation.function, x, style)
    numeric = _numeric(derivation)
    figure = (drawn or draw(plot_request(derivation))).plot
    labels = [unicode_label(derivation.function), unicode_label(derivative)]
    domain = derivation.domain
    exact = domain.excluded if domain is not None and domain.verification.status == "proved" else ()
    caption = plot_caption(figure, [derivation.function, derivative], x, exact=exact) if figure else None
    return {
        "title": _title(derivation),
        "heading": annotation_view(Annotation(_heading(derivation)), style),
        "d": derivation_view(derivation, style),
        "others": others_shown,
        "plot": figure,
        "svg": svg_geometry(figure, labels) if figure else None,
        "curves": [Math(derivation.function, style=style), Math(derivative, style=style)],
        "plot_caption": annotation_view(caption, style) if caption else None,
        "svg_title": f"Graph of {labels[0]} and {labels[1]} for {_dash(figure.x_range[0])} ≤ x ≤ {_dash(figure.x_range[1])}" if figure else "",
        "svg_description": unicode_text(caption.plain()) if caption else "",
        "example": worked_example(derivation, style) if numeric else None,
        "vanishing": vanishing_gradient(derivation, style),
    }


def plot_caption(figure: Plot, functions: list[sympy.Expr], x: sympy.Symbol,
                 exact: tuple[sympy.Expr, ...] = ()) -> Annotation:
    """What the picture shows, in words: the interval; where a curve is drawn at all, when not
    everywhere; where the curves are broken; and the y-range beyond which they are cut off.
    ``exact``: points the proved domain leaves out, exactly (−π/2 for tan x), each written for
    the break or asymptote found at it (to the two decimals a break is found to), else the decimal."""
    def matched(at: float) -> sympy.Expr | None:
        return next((point for point in exact if abs(float(point) - at) < 0.006), None)

    def shown(at: float) -> sympy.Expr:
        point = matched(at)
        return shown_number(at) if point is None else point

    low, high = figure.x_range
    segments: list[Any] = ["Graph of ", functions[0], " and ", functions[1], " for ",
                           sympy.Contains(x, sympy.Interval(low, high), evaluate=False), ", computed from the verified expressions."]
    for function, series in zip(functions, figure.series):
        if series.stretches:
            segments += [" ", function, " is drawn only where it is real and finite: "]
            for index, stretch in enumerate(series.stretches):
                interval = sympy.Interval(shown_number(stretch.low), shown_number(stretch.high),
                                          left_open=stretch.low_open, right_open=stretch.high_open)
                segments += [" or " if index else "", sympy.Contains(x, interval, evaluate=False)]
            segments.append(".")
    if figure.breaks:
        exactly = all(matched(at) is not None for at in figure.breaks)
        segments.append(f" The curves are broken where they jump or are undefined, {'at' if exactly else 'near'} ")
        segments += _listed([sympy.Eq(x, shown(at), evaluate=False) for at in figure.breaks])
        segments.append(".")
    inside = [at for at in figure.asymptotes if low < at < high]
    edges = [at for at in figure.asymptotes if not low < at < high]
    if inside:
        segments.append(" Dashed lines mark the vertical asymptotes " if len(inside) > 1 else " A dashed line marks the vertical asymptote ")
        segments += [*_listed([sympy.Eq(x, shown(at), evaluate=False) for at in inside]), "."]
    if edges:  # drawn on the frame, where no dash shows: said in words
        segments += [" A curve has a vertical asymptote at the edge of the picture, ",
                     *_listed([sympy.Eq(x, shown(at), evaluate=False) for at in edges]), "."]
    if figure.clipped:
        y_low, y_high = figure.y_range
        segments += [" Values outside ", sympy.Interval(shown_number(y_low), shown_number(y_high)),
                     " are cut off; a triangle marks where a curve leaves the picture."]
    return say(*segments)


def _listed(items: list[sympy.Basic]) -> list[Any]:
    """a, b and c."""
    out: list[Any] = []
    for index, item in enumerate(items):
        if index:
            out.append(" and " if index == len(items) - 1 else ", ")
        out.append(item)
    return out


def _dash(value: int) -> str:
    return str(value).replace("-", "−")


def unicode_text(text: str) -> str:
    """Plain text for a picture's description: σ for sigma, ′ for a prime, ∈ for in, − for minus."""
    return text.replace("sigma", "σ").replace("'", "′").replace(" in ", " ∈ ").replace("-", "−")


def worked_example(derivation: Derivation, style: LatexStyle = DEFAULT_STYLE, point: int = 1, decimals: int = 4) -> dict[str, Any] | None:
    """F(1) and F′(1), correctly rounded, and the recognised form evaluated as a cross-check."""
    x = derivation.variable
    function = derivation.function
    # a named function at the point, unevaluated: σ(1), and log(1, 2) for a function of several arguments
    function_at = (function.func(*(argument.subs(x, point) for argument in function.args), evaluate=False)
                   if isinstance(function, sympy.Function)
                   else function.subs(x, point) if function.has(sympy.Derivative)  # d/dx σ(x): no derivative in 1
                   else replace_node(function, x, sympy.Integer(point)))  # √1/(1² + 1), not ½
    slope_at = sympy.Subs(sympy.Derivative(derivation.function, x), x, point)
    try:
        value = value_at(derivation.definition, x, point)
        slope = value_at(sympy.Derivative(derivation.definition, x), x, point)
        recognised = value_at(derivation.result, x, point)
    except NotEvaluable:
        return None
    with mpmath.workdps(40):
        agrees = abs(slope - recognised) < mpmath.mpf(10) ** -30
    return {
        "point": point,
        "decimals": decimals,
        "value_at": Math(function_at, style=style),
        "value": rounded(value, decimals),
        "slope_at": Math(slope_at, style=style),
        "slope": rounded(slope, decimals),
        "result_at": Math(replace_node(derivation.result, x, sympy.Integer(point)), style=style),
        "agrees": agrees,
    }


def vanishing_gradient(derivation: Derivation, style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any] | None:
    """(max F′)ⁿ for a few depths n, from the proved bound; None when there is no such bound."""
    bound = derivation.property("vanishing_gradient")
    maximum = derivation.property("derivative_bound")
    if bound is None or maximum is None:
        return None
    top = maximum.statement.rhs
    rows = []
    for depth in (2, 5, 10, 20):
        power = sympy.Pow(top, depth, evaluate=False)
        with mpmath.workdps(30):
            mantissa, exponent = scientific(evaluate(power, {}))
        rows.append({
            "depth": depth,
            "exact": Math(power, style=style),
            "approx_latex": mantissa if exponent == 0 else rf"{mantissa} \times 10^{{{exponent}}}",
            "approx_plain": mantissa if exponent == 0 else f"{mantissa} x 10^{exponent}",
            "mantissa": mantissa, "exponent": exponent,  # HTML writes 6.25 × 10⁻² with a superscript
        })
    return {"bound": Math(top, style=style), "statement": Math(bound.statement, style=style), "rows": rows}


def scientific(value: mpmath.mpf, digits: int = 3) -> tuple[str, int]:
    """``value`` as (mantissa with ``digits`` significant digits, power of ten)."""
    if value == 0:
        return "0", 0
    exponent = int(mpmath.floor(mpmath.log10(abs(value))))
    mantissa = value / mpmath.mpf(10) ** exponent
    text = mpmath.nstr(mantissa, digits, strip_zeros=False)
    if text.startswith("10"):
        exponent += 1
        text = mpmath.nstr(mantissa / 10, digits, strip_zeros=False)
    return text, exponent


def svg_geometry(figure: Plot, labels: list[str]) -> dict[str, Any]:
    """Pixel coordinates for the SVG template (the template only writes them out): each curve's
    pieces as sub-paths, a triangle where a curve leaves the picture, dashed asymptotes."""
    (x0, x1), (y0, y1) = figure.x_range, figure.y_range
    width, height = SVG_WIDTH - 2 * SVG_MARGIN, SVG_HEIGHT - 2 * SVG_MARGIN

    def px(x: float) -> str:
        return f"{SVG_MARGIN + (x - x0) / (x1 - x0) * width:.2f}"

    def py(y: float) -> str:
        return f"{SVG_MARGIN + (y1 - y) / (y1 - y0) * height:.2f}"

    curves = []
    for index, series in enumerate(figure.series):
        path = " ".join(
            " ".join(f"{'M' if i == 0 else 'L'}{px(x)},{py(y)}" for i, (x, y) in enumerate(segment))
            for segment in series.segments
        )
        marks = [{"x": px(x), "y": py(y), "up": side == "up"} for x, y, side in series.exits]
        curves.append({"path": path, "colour": COLOURS[index % len(COLOURS)], "label": labels[index], "marks": marks})
    legend_x = float(SVG_MARGIN)  # the legend's entries side by side, each as wide as its label (about 7.5 px a letter)
    for curve in curves:
        curve["legend_x"] = f"{legend_x:.0f}"
        legend_x += 34 + 7.5 * len(curve["label"]) + 24
    zero_y = py(0.0) if y0 <= 0 <= y1 else py(y0)
    return {
        "width": SVG_WIDTH, "height": SVG_HEIGHT + SVG_LEGEND, "margin": SVG_MARGIN, "legend_y": str(SVG_HEIGHT + SVG_LEGEND // 2 - 4),
        "left": str(SVG_MARGIN), "right": str(SVG_MARGIN + width), "top": str(SVG_MARGIN), "bottom": str(SVG_MARGIN + height),
        "plot_width": str(width), "plot_height": str(height),
        "axis_y": zero_y, "axis_x": px(0.0) if x0 <= 0 <= x1 else px(x0),
        "x_ticks": [{"at": px(t), "label": _tick_label(t)} for t in figure.x_ticks],
        "y_ticks": [{"at": py(t), "label": _tick_label(t)} for t in figure.y_ticks],
        "asymptotes": [px(at) for at in figure.asymptotes],
        "curves": curves,
    }


_SUPERSCRIPTS = str.maketrans("0123456789-xni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ˣⁿⁱ")


def unicode_label(expr: sympy.Basic) -> str:
    """A short label for a legend or caption, as a formula reads without markup: σ(x), σ′(x),
    √x/(x² + 1) (not sqrt(x)/(x^2 + 1)), x·σ(x)."""
    text = Math(expr).plain.replace("sigma", "σ").replace("'", "′").replace("log(", "ln(")
    text = re.sub(r"\^(-?\d+|[xni]\b)", lambda power: power.group(1).translate(_SUPERSCRIPTS), text)
    text = re.sub(r"sqrt\((\w)\)", r"√\1", text).replace("sqrt(", "√(")
    text = re.sub(r"\bpi\b", "π", text)
    return text.replace("*", "·").replace(" - ", " − ").replace("(-", "(−")


def _tick_label(value: float) -> str:
    """A tick's number with a true minus sign (−2, not -2)."""
    return f"{value:g}".replace("-", "−")


def _title(derivation: Derivation) -> str:
    """The document's title as plain text (the HTML page's name): :func:`_heading` written out,
    a Greek parameter as its letter ("Swish with a parameter β")."""
    return page_title(_heading(derivation))


def page_title(segments: tuple[str | sympy.Basic, ...]) -> str:
    """A heading as one line of Unicode text, for a page's ``<title>`` (which holds no markup): a
    letter (β, x) as itself, other mathematics in plain text."""
    return "".join(s if isinstance(s, str) else sympy.pretty(s, use_unicode=True) if isinstance(s, sympy.Symbol)
                   else to_plain(s) for s in segments)


def _heading(derivation: Derivation) -> tuple[str | sympy.Basic, ...]:
    """What the document derives, from the catalogue's title: "The derivative of the logistic
    sigmoid"; "... (the derivative in w)" for one partial derivative of a loss L(w, b) whose
    title already names its gradient; a typed expression has no title. The variable is
    mathematics (typeset in the heading)."""
    title = derivation.title
    if not title:
        return ("A derivative, step by step",)
    named = method_segments(title)  # a Greek parameter stays mathematics ("Swish with a parameter β")
    partial = is_partial(sympy.Derivative(derivation.function, derivation.variable))
    if re.search(r"\b(gradient|derivative)s?\b", title, flags=re.IGNORECASE):
        return (*named, " (the derivative in ", derivation.variable, ")") if partial else named
    in_variable = (" in ", derivation.variable, " of ") if partial else (" of ",)
    first_word = title.split()[0]
    common = first_word in ("The", "A", "An") or (first_word[1:].islower() and first_word.lower() in _COMMON_FIRST_WORDS)
    if common and isinstance(named[0], str):
        named = (named[0][0].lower() + named[0][1:], *named[1:])
    return ("The derivative", *in_variable, *named)


#: First words of catalogue titles that are ordinary words, lower-cased mid-sentence ("the
#: derivative of binary cross-entropy"); any other first word is a name (GELU, Mish, Leaky ReLU).
_COMMON_FIRST_WORDS = {"binary", "squared", "softmax", "softplus", "swish", "logistic"}


class f(sympy.Function):  # noqa: N801 - printed as f(x) in exercise prompts
    """The function a student is asked to differentiate."""

    latex_name = "f"


#: Steps an answer key leaves out of an exercise's solution: bookkeeping a reader does at sight
#: (the line that follows still equals the one before it, by the steps left out, each proved).
ROUTINE_RULES = frozenset({"drop_neutral", "evaluate_arithmetic", "constant", "variable", "hold_constant",
                           "negative_power_as_fraction", "restore_power", "sum", "constant_multiple"})


def key_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps of a concise answer key: every step but the routine ones, and always the last."""
    chosen = [step for step in steps[:-1] if step["rule"] not in ROUTINE_RULES]
    return [*chosen, *steps[-1:]]


def answer_box(expr: sympy.Basic, *, working: int = 0) -> dict[str, Any]:
    """The size of the box for an answer: wide enough for it (a fraction of the line, between 0.3
    and 0.85), tall enough for a fraction, and with room for ``working`` lines of working."""
    written = to_latex(expr)
    width = min(0.85, max(0.3, round(len(to_plain(expr)) / 55, 2)))
    height = 1.6 + 1.0 * min(written.count(r"\frac"), 2) + 1.8 * working
    return {"width": width, "height": round(height, 1), "characters": max(16, min(60, len(to_plain(expr)) + 6))}


def worksheet_context(sheet: Worksheet, *, answers: bool, style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any]:
    """The context of ``worksheet.*.j2`` (worksheet or answer key): the derivation's top-level
    steps (no sub-derivations: a worksheet and its key are one page or two), each blank with its
    hint and a box sized to its answer; the exercises with the key steps of each solution."""
    x = sheet.derivation.variable
    exercise_style, style = style, _derivatives_style(sheet.derivation.function, x, style)
    prompt = f(x)
    title = _title(sheet.derivation)
    steps = sheet.derivation.steps
    exercises = []
    for exercise in sheet.exercises:
        solution = exercise.derivation
        named = exercise.prompt if exercise.prompt is not None else prompt
        wrt = exercise.variable if exercise.variable is not None else x
        own = _derivatives_style(exercise.function, wrt, exercise_style)
        view = derivation_view(solution, own)
        shown = key_steps(view["steps"])
        exercises.append({
            "prompt": Math(sympy.Eq(named, exercise.function, evaluate=False), style=own),
            "answer": Math(sympy.Eq(sympy.Derivative(named, wrt), solution.result, evaluate=False), style=own),
            "solution": view,
            "key_steps": shown,
            "box": answer_box(solution.result, working=min(4, len(shown))),
            "verification": view["identity_verification"],
        })
    return {
        "title": ("Answer key: " if answers else "Worksheet: ") + title,
        "heading": annotation_view(Annotation(("Answer key: " if answers else "Worksheet: ", *_heading(sheet.derivation)))),
        "student": sheet.student,
        "answers": answers,
        "d": derivation_view(sheet.derivation, style),
        "blanks": sheet.blanks,
        "boxes": {number: answer_box(steps[int(number) - 1].after) for number in sheet.blanks},
        "exercises": exercises,
    }


def jacobian_context(facts: JacobianFacts, style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any]:
    """The softmax document: two entries step by step, the proved K x K Jacobian, the index form.
    The outputs are functions of several inputs: every derivative is written with ∂."""
    style = dataclasses.replace(style, partial_derivatives=True)
    return {
        "title": "The softmax Jacobian",
        "count": facts.count,
        "definition": Math(facts.definition, style=style),
        "examples": [derivation_view(facts.entries[(1, 1)], style), derivation_view(facts.entries[(1, 2)], style)],
        "jacobian": Math(facts.jacobian, style=style),
        "all_proved": facts.all_proved,
        "entry_count": len(facts.entries),
        "index_form": Math(facts.index_form, style=style),
        "checks": [{"count": c.count, "proved": c.proved, "entries": len(c.verifications)} for c in facts.checks],
        "diagonal": Math(facts.diagonal, style=style),
    }


def _gradient_style(style: LatexStyle) -> LatexStyle:
    """A loss of several letters is differentiated with ∂ throughout, never d beside ∂."""
    return dataclasses.replace(style, partial_derivatives=True)


def partial_view(derivation: Derivation, style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any]:
    """One partial derivative of a gradient's document, as :func:`gradient_context` shows it."""
    return {**derivation_view(derivation, _gradient_style(style)), "mixed": bool(derivation.orders)}


def gradient_context(gradient: Gradient, style: LatexStyle = DEFAULT_STYLE, *,
                     partial_views: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The context of ``gradient.*.j2``: the loss, the network's letters, each partial derivative
    step by step, and the gradient as a column vector. ``partial_views``: the partial derivatives'
    :func:`partial_view`, made already."""
    derivations = gradient.derivations
    partial_views = partial_views if partial_views is not None else [partial_view(d, style) for d in derivations]
    style = _gradient_style(style)
    partials = sympy.Matrix([d.start for d in derivations])
    results = sympy.Matrix([d.result for d in derivations])
    letters = [sympy.Eq(letter, body, evaluate=False) for letter, _, body in gradient.letters]
    backprop = [Math(letter, style=style) for letter in letters if not str(letter.lhs).startswith("y_")]
    labels = [Math(letter, style=style) for letter in letters if str(letter.lhs).startswith("y_")]
    return {
        "title": page_title(method_segments(gradient.title or "A gradient, step by step")),
        "heading": annotation_view(Annotation(method_segments(gradient.title or "A gradient, step by step")), style),
        "definition": Math(sympy.Eq(gradient.function, gradient.definition, evaluate=False), style=style),
        "variables": [Math(d.variable, style=style) for d in derivations],
        "letters": backprop,
        "labels": labels,
        "partials": partial_views,
        "vector": Math(sympy.Eq(partials, results, evaluate=False), style=style),
        "several": len(derivations) > 1,
        "proved": gradient.proved,
        "digits": derivations[0].identity.digits if derivations[0].identity else 35,
    }
