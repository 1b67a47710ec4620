"""Render stage: finished, verified data in; text out, through Jinja2 templates.

``render(derivation, format=..., document=...)`` is the one entry point for derivations;
the JSON contract is written by :mod:`derive.renderer.json_output` (data, not a template).
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from derive.errors import DeriveError, VerificationError

if TYPE_CHECKING:
    from derive.model import Derivation, Gradient, JacobianFacts, Worksheet
    from derive.renderer.contexts import Drawn, PlotRequest
    from derive.printing import LatexStyle
    from derive.verdicts import Report

DOCUMENTS = {
    "text": ("derivation",),
    "latex": ("handout", "snippet"),
    "markdown": ("handout", "snippet"),
    "html": ("handout",),
}
EXTENSIONS = {"text": "txt", "latex": "tex", "markdown": "md", "html": "html"}


def render(
    derivation: Derivation,
    format: str = "latex",  # noqa: A002 - the public keyword the brief names
    document: str | None = None,
    *,
    style: LatexStyle | None = None,
    **context: Any,
) -> str:
    """The text of ``document`` (default: the format's first) for ``derivation`` in ``format``.

    Raises :class:`~derive.errors.VerificationError` if any step is unverified or failed.
    """
    from derive.printing import DEFAULT_STYLE
    from derive.renderer.environment import environment
    from derive.renderer.view import derivation_view

    if format not in DOCUMENTS:
        raise DeriveError(f"unknown format '{format}': choose one of {', '.join(DOCUMENTS)}")
    chosen = document or DOCUMENTS[format][0]
    if chosen not in DOCUMENTS[format]:
        raise DeriveError(f"no '{chosen}' document in {format}: choose one of {', '.join(DOCUMENTS[format])}")
    style = style or DEFAULT_STYLE
    if chosen == "handout":
        return render_handouts(derivation, (format,), others=context.pop("others", ()), style=style, **context)[format]
    else:
        values = {"d": derivation_view(derivation, style)}
    if chosen == "snippet":
        values.update(numbered=bool(context.get("label")), label=context.pop("label", None),
                      annotations=context.pop("annotations", True))
    template = environment(format).get_template(f"{chosen}.{EXTENSIONS[format]}.j2")
    return template.render(**values, **context)


def render_snippet(derivations: tuple[Derivation, ...] | list[Derivation], format: str = "latex", *,  # noqa: A002
                   label: str | None = None, annotations: bool = True, style: LatexStyle | None = None) -> str:
    """A paste-ready display of each derivation, one after the other: LaTeX ``align*`` (a
    numbered ``align`` with ``label``; ``label-w`` for the derivative in w when there are several)
    or Markdown ``$$\\begin{aligned}...$$``; ``annotations=False`` leaves out the rule names."""
    if label is not None and format != "latex":
        raise DeriveError("a label is for LaTeX snippets only")
    several = len(derivations) > 1
    return "\n".join(
        render(derivation, format, "snippet", style=style, annotations=annotations,
               label=f"{label}-{derivation.variable}" if label and several else label)
        for derivation in derivations
    )


def render_handouts(
    derivation: Derivation,
    formats: tuple[str, ...],
    *,
    others: tuple[Derivation, ...] | list[Derivation] = (),
    style: LatexStyle | None = None,
    plot_file: str | None = None,
    fragment: str | None = None,
) -> dict[str, str]:
    """The handout in each of ``formats`` (and its plot under the key ``"svg"``), sharing one view.

    ``fragment`` (an id, unique on the page) writes the HTML as a fragment for someone else's
    page, its styles scoped to its own container, and Markdown without the linked plot file.
    """
    values = handout_values(derivation, others=others, style=style, plot_file=plot_file, fragment=fragment)
    texts = {"svg": str(values["svg_markup"])} if values["svg_markup"] else {}
    for output_format in formats:
        texts[output_format] = render_handout_values(values, output_format)
    return texts


def handout_values(
    derivation: Derivation,
    *,
    others: tuple[Derivation, ...] | list[Derivation] = (),
    other_views: list[dict[str, Any]] | None = None,
    style: LatexStyle | None = None,
    plot_file: str | None = None,
    fragment: str | None = None,
    drawn: Drawn | None = None,
) -> dict[str, Any]:
    """What every format of a handout is rendered from (see :func:`render_handouts`): plain data,
    no SymPy, so that it may cross to another process. ``other_views``: the other routes'
    :func:`route_views`, made already; ``drawn``: the graph, drawn already (:func:`draw`)."""
    from derive.printing import DEFAULT_STYLE
    from derive.renderer.contexts import handout_context

    values = handout_context(derivation, others, style or DEFAULT_STYLE, other_views=other_views, drawn=drawn)
    values["plot_id"] = fragment or "plot"
    svg = render_svg(values) if values["plot"] is not None else ""
    values.update(svg_markup=Markup(svg), plot_file=None if fragment else plot_file or f"{derivation.name}.svg",
                  layout=_LAYOUT_FRAGMENT if fragment else _LAYOUT_PAGE)
    return values


def render_handout_values(values: dict[str, Any], output_format: str) -> str:
    """The handout in ``output_format`` from its :func:`handout_values`."""
    from derive.renderer.environment import environment

    return environment(output_format).get_template(f"handout.{EXTENSIONS[output_format]}.j2").render(**values)


def route_views(derivations: tuple[Derivation, ...] | list[Derivation], style: LatexStyle | None = None) -> list[dict[str, Any]]:
    """The views of a handout's other routes, for :func:`handout_values` (plain data)."""
    from derive.printing import DEFAULT_STYLE
    from derive.renderer.contexts import route_views as views

    return views(derivations, style or DEFAULT_STYLE)


def plot_request(derivation: Derivation) -> PlotRequest | None:
    """What the graph of ``derivation``'s handout is drawn from (None: the handout has none)."""
    from derive.renderer.contexts import plot_request as request

    return request(derivation)


def draw(request: PlotRequest | None) -> Drawn:
    """The graph of a :func:`plot_request`, for :func:`handout_values` (plain data)."""
    from derive.renderer.contexts import draw as drawn

    return drawn(request)


def render_svg(context: dict[str, Any]) -> str:
    """The plot of a handout context as a standalone SVG document."""
    from derive.renderer.environment import environment

    return environment("svg").get_template("plot.svg.j2").render(**context)


def render_worksheet(sheet: Worksheet, format: str, *, answers: bool, style: LatexStyle | None = None) -> str:  # noqa: A002
    """A worksheet (``answers=False``) or its answer key (``answers=True``) in ``format``."""
    from derive.printing import DEFAULT_STYLE
    from derive.renderer.contexts import worksheet_context
    from derive.renderer.environment import environment

    if format not in ("latex", "markdown", "html"):
        raise DeriveError(f"worksheets are written as latex, markdown or html, not '{format}'")
    values = worksheet_context(sheet, answers=answers, style=style or DEFAULT_STYLE)
    return environment(format).get_template(f"worksheet.{EXTENSIONS[format]}.j2").render(**values)


def render_class_set(files: list[str]) -> str:
    """A LaTeX document that puts the compiled PDFs ``files`` (names in its folder, in order) into one."""
    from derive.renderer.environment import environment

    for name in files:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.pdf", name):
            raise DeriveError(f"a class set includes PDFs by plain file name, not {name!r}")
    return environment("latex").get_template("class_set.tex.j2").render(files=files)


def render_report(report: Report, format: str, *, fragment: bool = False) -> str:  # noqa: A002
    """A checker report as text, markdown, html or latex (student text escaped for the format).

    ``fragment``: HTML for someone else's page (styles scoped to its container), LaTeX as a
    table for a document's body rather than a document of its own.
    """
    from derive.renderer.environment import environment

    if format not in EXTENSIONS:
        raise DeriveError(f"unknown report format '{format}'")
    counts = {status: report.count(status) for status in ("correct", "wrong", "unparsed")}
    title, source_file = titled_by_file("Check of", report.name) if report.name else ("Check of a derivation", None)
    name = "report_table" if fragment and format == "latex" else "report"
    return environment(format).get_template(f"{name}.{EXTENSIONS[format]}.j2").render(
        r=report, counts=counts, title=title, source_file=source_file, layout=_LAYOUT_FRAGMENT if fragment else _LAYOUT_PAGE)


def titled_by_file(prefix: str, path: str) -> tuple[str, str | None]:
    """A document's title that names a file by its name ("Check of student03.txt"), and the
    path as given, shown under the title, when that is more than the name (None otherwise): a
    long absolute path is no title, and the templates let the path break at its slashes.

    >>> titled_by_file("Feedback:", "/srv/course/week 7/student03.txt")
    ('Feedback: student03.txt', '/srv/course/week 7/student03.txt')
    """
    name = PurePath(path).name or path
    return f"{prefix} {name}", (path if path != name else None)


_LAYOUT_PAGE, _LAYOUT_FRAGMENT = "base.html.j2", "fragment.html.j2"


def render_jacobian(facts: JacobianFacts, format: str, *, style: LatexStyle | None = None) -> str:  # noqa: A002
    """The softmax Jacobian document (every entry derived and proved before it gets here)."""
    from derive.printing import DEFAULT_STYLE
    from derive.renderer.contexts import jacobian_context
    from derive.renderer.environment import environment

    values = jacobian_context(facts, style or DEFAULT_STYLE)
    return environment(format).get_template(f"jacobian.{EXTENSIONS[format]}.j2").render(**values)


def render_comparison(rows: list[dict[str, Any]], format: str) -> str:  # noqa: A002
    """The comparison table of the catalogue from its rows (:func:`~derive.renderer.comparison.comparison_rows`,
    one per derivation, each cell a proved property)."""
    from derive.renderer.comparison import comparison_context
    from derive.renderer.environment import environment

    unproved = [row["name"] for row in rows if not row["proved"]]
    if unproved:
        raise VerificationError(f"refusing to tabulate unproved derivations: {', '.join(unproved)}")
    return environment(format).get_template(f"comparison.{EXTENSIONS[format]}.j2").render(**comparison_context(rows))


def render_feedback(context: dict[str, Any], format: str) -> str:  # noqa: A002
    """One student's feedback (data from :func:`derive.grading.feedback.feedback_context`) as
    html, markdown or latex; everything the student wrote is escaped for the format."""
    from derive.renderer.environment import environment
    from derive.renderer.mathml import latex_to_mathml

    if format not in ("html", "markdown", "latex"):
        raise DeriveError(f"feedback is written as html, markdown or latex, not '{format}'")
    values = dict(context)
    suggestion = values.get("suggestion")
    if format == "html" and suggestion is not None:
        values["suggestion"] = {**suggestion, "mathml": Markup(latex_to_mathml(suggestion["latex"], alt=suggestion["text"]))}
    return environment(format).get_template(f"feedback.{EXTENSIONS[format]}.j2").render(**values)


def render_class_report(context: dict[str, Any], format: str) -> str:  # noqa: A002
    """The class report (data from :class:`derive.grading.summary.ClassSummary`) as html (charts as
    inline SVG), markdown (charts as tables) or latex (charts drawn with TikZ)."""
    from derive.renderer.environment import environment

    if format not in ("html", "markdown", "latex"):
        raise DeriveError(f"the class report is written as html, markdown or latex, not '{format}'")
    charts = _class_charts(context)
    values = {**context, "charts": charts}
    if format == "html":
        svg = environment("svg").get_template("bars.svg.j2")
        values["svg"] = {name: Markup(svg.render(chart=chart, standalone=False)) for name, chart in charts.items()}
    return environment(format).get_template(f"class_report.{EXTENSIONS[format]}.j2").render(**values)


def render_chart_svg(context: dict[str, Any], name: str) -> str:
    """One chart of the class report (``scores`` or ``first_errors``) as a standalone SVG file."""
    from derive.renderer.environment import environment

    return environment("svg").get_template("bars.svg.j2").render(chart=_class_charts(context)[name], standalone=True)


def _class_charts(context: dict[str, Any]) -> dict[str, Any]:
    from derive.renderer.charts import bar_chart

    return {
        "scores": bar_chart(context["score_bins"], title="Scores", x_label=f"points (of {context['maximum']})",
                            y_label="students"),
        "first_errors": bar_chart(context["first_error_bins"], title="Where the first error falls",
                                  x_label="the first wrong line is the n-th line checked", y_label="students"),
    }


def render_gradient(gradient: Gradient, format: str, *, style: LatexStyle | None = None,  # noqa: A002
                    fragment: bool = False) -> str:
    """Every partial derivative of a loss, and the gradient vector, as one document (latex,
    markdown, html) or as text (each derivation in turn). ``fragment``: HTML for someone else's
    page (styles scoped to its container)."""
    if format == "text":
        return "\n".join(render(derivation, "text") for derivation in gradient.derivations)
    if format not in ("latex", "markdown", "html"):
        raise DeriveError(f"a gradient is written as latex, markdown, html or text, not '{format}'")
    return render_gradient_values(gradient_values(gradient, style=style, fragment=fragment), format)


def gradient_values(gradient: Gradient, *, style: LatexStyle | None = None, fragment: bool = False,
                    partial_views: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What every format of a gradient's document is rendered from (made once for all of them).
    ``partial_views``: the partial derivatives' :func:`partial_view`, made already."""
    from derive.printing import DEFAULT_STYLE
    from derive.renderer.contexts import gradient_context

    values = gradient_context(gradient, style or DEFAULT_STYLE, partial_views=partial_views)
    values["layout"] = _LAYOUT_FRAGMENT if fragment else _LAYOUT_PAGE
    return values


def partial_view(derivation: Derivation, *, style: LatexStyle | None = None) -> dict[str, Any]:
    """One partial derivative as a gradient's document shows it (plain data, for :func:`gradient_values`)."""
    from derive.printing import DEFAULT_STYLE
    from derive.renderer.contexts import partial_view as view

    return view(derivation, style or DEFAULT_STYLE)


def render_gradient_values(values: dict[str, Any], format: str) -> str:  # noqa: A002
    """A gradient's document in ``format`` (latex, markdown, html) from its :func:`gradient_values`."""
    from derive.renderer.environment import environment

    return environment(format).get_template(f"gradient.{EXTENSIONS[format]}.j2").render(**values)
