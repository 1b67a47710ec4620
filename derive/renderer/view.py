"""The view model: plain data that templates render. Templates never call SymPy.

:func:`derivation_view` turns a verified :class:`~derive.model.Derivation` into nested
``dict``/``list``/``str`` data plus :class:`Math` objects, which know how to write themselves as
LaTeX (SymPy's printer), MathML (latex2mathml, fed only with that LaTeX), and plain text.
A step that was never verified, or that failed, cannot be turned into a view: rendering raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy

from derive.errors import VerificationError
from derive.model import Annotation, Derivation, Property, Step, Verification, method_segments, rule_name
from derive.printing import DEFAULT_STYLE, LatexStyle, Notation, to_latex, to_plain

STATUS_SYMBOLS = {"proved": "✓", "numeric only": "≈", "failed": "✗"}

#: The widest piece (about, in points) of a long formula in HTML: a phone's line (390 px) holds one.
HTML_PIECE_WIDTH = 140


@lru_cache(maxsize=4096)
def _printed(expr: sympy.Basic, notation: Notation, style: LatexStyle) -> tuple[str, str]:
    """The LaTeX and plain forms of ``expr``, remembered: a handout prints the same expression
    several times (a step's result starts the next step; three formats share the routes), and
    SymPy expressions are immutable and compared structurally, so the key is exact."""
    return to_latex(expr, notation=notation, style=style), to_plain(expr, notation=notation, decimals=style.decimals)


class Math:
    """One piece of mathematics, written out for every format when the view is built.

    The LaTeX and plain forms are computed here, before any template runs, so that templates
    only ever read finished strings; MathML is converted from that LaTeX string (never from a
    person's text) the first time an HTML template asks for it.
    """

    __slots__ = ("latex", "plain", "_mathml", "_mathml_display", "_pieced")

    def __init__(self, expr: sympy.Basic, *, notation: Notation = "fractions", style: LatexStyle = DEFAULT_STYLE) -> None:
        self.latex, self.plain = _printed(expr, notation, style)
        self._mathml: str | None = None
        self._mathml_display: str | None = None
        self._pieced: str | None | bool = False  # not yet cut: False; one piece: None

    @property
    def mathml(self) -> str:
        """Inline MathML of :attr:`latex`; a long formula as several ``<math>`` elements, cut
        before its top-level operators with a line-break opportunity between them, so that a
        narrow screen wraps it like text instead of scrolling the page sideways (browsers do
        not break MathML by themselves). The first piece carries the whole formula's alt text."""
        if self._mathml is None:
            self._mathml = self._pieces() or self._converted(display=False)
        return self._mathml

    @property
    def mathml_display(self) -> str:
        """Display-style MathML of :attr:`latex`; a long formula as inline pieces that wrap (the
        stylesheet sets them in display style), like :attr:`mathml`."""
        if self._mathml_display is None:
            self._mathml_display = self._pieces() or self._converted(display=True)
        return self._mathml_display

    def _converted(self, *, display: bool) -> str:
        from derive.renderer.mathml import latex_to_mathml  # latex2mathml is loaded for HTML only

        return latex_to_mathml(self.latex, alt=self.plain, display=display)

    def _pieces(self) -> str | None:
        """The formula as pieces joined by line-break opportunities, or None when it is one piece
        (cut once: the inline and the display form share it)."""
        if self._pieced is False:
            from derive.renderer.breaking import display_lines
            from derive.renderer.mathml import latex_to_mathml

            pieces = display_lines(self.latex, width=HTML_PIECE_WIDTH, stack=False, keep_short=True)
            first, *rest = pieces
            # a piece that starts with its operator (+ 1, - tanh) keeps the operator binary: an empty
            # group before it, as in TeX, so it is spaced as in the middle of the formula, not as a sign
            rest = ["{}" + piece if piece.lstrip().startswith(_BINARY_OPERATORS) else piece for piece in rest]
            self._pieced = None if not rest else "<wbr>".join(
                [latex_to_mathml(first, alt=self.plain), *(latex_to_mathml(piece, alt="", hidden=True) for piece in rest)])
        return self._pieced

    def __str__(self) -> str:
        return self.plain



#: What a cut piece of a formula may start with: an operator between two terms.
_BINARY_OPERATORS = ("+", "-", r"\cdot", "=", r"\times")

@dataclass(frozen=True)
class Segment:
    """A piece of an annotation: ``text`` (trusted or not, escaped by the template) or ``math``."""

    text: str = ""
    math: Math | None = None


def annotation_view(annotation: Annotation, style: LatexStyle = DEFAULT_STYLE) -> list[Segment]:
    return [Segment(text=s) if isinstance(s, str) else Segment(math=Math(s, style=style)) for s in annotation.segments]


def verification_view(verification: Verification | None, style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any]:
    if verification is None:
        raise VerificationError("a step reached the renderer without verification")
    if verification.status == "failed":
        raise VerificationError(f"a failed step reached the renderer ({verification.method})")
    return {
        "status": verification.status,
        "symbol": STATUS_SYMBOLS[verification.status],
        "proved": verification.status == "proved",
        "method": verification.method,
        "points": list(verification.points),
        "digits": verification.digits,
        "summary": verification_summary(verification),
        # the same sentence for documents, its formulas typeset (T = e^x)
        "sentence": annotation_view(Annotation(verification_sentence(verification)), style),
        "domain": Math(verification.domain) if verification.domain is not None else None,
    }


def verification_summary(verification: Verification) -> str:
    """One ASCII sentence: how this equality was established."""
    return "".join(s if isinstance(s, str) else to_plain(s) for s in verification_sentence(verification))


def verification_sentence(verification: Verification) -> tuple[str | sympy.Basic, ...]:
    """How this equality was established, as text and formulas (the domain, the method's T = e^x)."""
    points = len(verification.points)
    numeric = f"checked at {points} random point{'s' if points != 1 else ''} to {verification.digits} digits"
    where = ("; it holds for ", verification.domain) if verification.domain is not None else ()
    if verification.status == "proved":
        checked = ("; ", numeric) if points else ()
        return ("proved: ", *method_segments(verification.method), *checked, *where)
    if verification.method.startswith("checked numerically"):  # a limit, checked far out (derive.verify.limits)
        return ("NOT PROVED, only ", verification.method.removesuffix(", not proved"), *where)
    return ("NOT PROVED, only ", numeric, *where)


def step_view(step: Step, number: str, style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any]:
    substeps = [step_view(sub, f"{number}.{index}", style) for index, sub in enumerate(step.substeps, start=1)]
    chained = len(step.substeps) > 1 and all(
        first.after == second.before for first, second in zip(step.substeps, step.substeps[1:])
    ) or (len(step.substeps) == 1 and step.rule != "chain")
    return {
        "number": number,
        "rule": step.rule,
        "rule_name": rule_name(step.rule),
        "annotation": annotation_view(step.annotation, style),
        "before": Math(step.before, notation=step.notation, style=style),
        "after": Math(step.after, notation=step.notation, style=style),
        "supported": step.rule != "unsupported",
        "verification": verification_view(step.verification, style),
        "substeps": substeps,
        "substeps_chained": chained,
        "chain_start": Math(step.substeps[0].before, notation=step.substeps[0].notation, style=style) if step.substeps else None,
        "depth": number.count("."),
    }


def property_view(prop: Property, style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any]:
    return {
        "key": prop.key,
        "kind": prop.kind,
        "title": prop.title,
        "statement": Math(prop.statement, style=style),
        "condition": Math(prop.condition, style=style) if prop.condition is not None else None,
        "explanation": annotation_view(prop.explanation, style),
        "verification": verification_view(prop.verification, style),
    }


def derivation_view(derivation: Derivation, style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any]:
    """Everything a template needs about one derivation, as plain data."""
    x = derivation.variable
    derivative = derivation.start
    recognition = derivation.recognition
    return {
        "name": derivation.name,
        "route": derivation.route,
        "variable": Math(x, style=style),
        "function": Math(derivation.function, style=style),
        "definition": Math(sympy.Eq(derivation.function, derivation.definition, evaluate=False), style=style),
        "has_definition": derivation.function != derivation.definition,
        "start": Math(derivative, style=style),
        "steps": [step_view(step, str(index), style) for index, step in enumerate(derivation.steps, start=1)],
        "result": Math(derivation.result, style=style),
        "identity": Math(sympy.Eq(derivative, derivation.result, evaluate=False), style=style),
        "identity_verification": verification_view(derivation.identity, style) if derivation.identity else None,
        "complete": derivation.complete,
        "recognition": {
            "found": recognition.found,
            "form": Math(recognition.form, style=style) if recognition.form is not None else None,
            "equation": Math(sympy.Eq(derivative, recognition.form, evaluate=False), style=style) if recognition.form is not None else None,
            "message": annotation_view(recognition.message, style),
            "verification": verification_view(recognition.verification, style) if recognition.verification else None,
        }
        if recognition is not None
        else None,
        "properties": [property_view(p, style) for p in derivation.properties],
        "summary": derivation.summary(),
        "detail": derivation.detail,
        "domain": domain_view(derivation, style),
    }


def warm_mathml(route_views: list[dict[str, Any]]) -> None:
    """Convert to MathML, ahead of the page, what an HTML handout shows of its other routes (each
    route's start and each step's result): the memo of :func:`~derive.renderer.mathml.latex_to_mathml`
    then holds them when the page is rendered from copies of these views (see
    :func:`derive.output.write_handout`, whose helper does this while the parent works)."""
    for view in route_views:
        for math in (view["start"], *(step["after"] for step in view["steps"])):
            math.mathml  # noqa: B018 - converted for the memo


def warm_all_mathml(view: object) -> None:
    """Convert to MathML, ahead of the page, every formula of a view (a gradient's partial
    derivative, see :func:`derive.output.write_handout`): inline, as the page shows formulas,
    and the derivative that heads it in display style."""
    if isinstance(view, Math):
        view.mathml  # noqa: B018 - converted for the memo
    elif isinstance(view, Segment):
        warm_all_mathml(view.math)
    elif isinstance(view, dict):
        if isinstance(view.get("start"), Math):
            view["start"].mathml_display  # noqa: B018
        for value in view.values():
            warm_all_mathml(value)
    elif isinstance(view, (list, tuple)):
        for value in view:
            warm_all_mathml(value)


def domain_view(derivation: Derivation, style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any] | None:
    """Where the function and its derivative are defined, when not on the whole line (else None)."""
    domain = derivation.domain
    if domain is None or domain.verification.status != "proved":
        return None
    return {
        "function": Math(domain.function, style=style) if domain.function is not None else None,
        "derivative": Math(domain.derivative, style=style) if domain.derivative is not None else None,
        "function_name": Math(derivation.function, style=style),
        "derivative_name": Math(derivation.start, style=style),
        "variable": Math(derivation.variable, style=style),
        "verification": verification_view(domain.verification, style),
    }
