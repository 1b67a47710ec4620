"""The work that runs inside a sandbox (:mod:`derive.sandbox`): whole commands on untrusted input.

Each job takes plain data (the text a person typed, options) and returns plain data (a
:class:`~derive.verdicts.Report`, rendered texts): a SymPy tree would be rebuilt with evaluation
when it crosses the process boundary, so what crosses is what the caller shows.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, ClassVar

import sympy

from derive.api import derive, gradient
from derive.checker import check
from derive.checker.worker import DEFAULT_FILE_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS, InlineWorker
from derive.differentiate.catalogue import catalogue_names
from derive.parse import check_variable_name, read_expression
from derive.errors import InputError
from derive.functions import NAMED_FUNCTIONS, sigma
from derive.functions import variable as real_variable
from derive.model import Gradient
from derive.printing import DEFAULT_STYLE, LatexStyle
from derive.renderer import render, render_gradient, render_handouts, render_snippet
from derive.renderer.json_output import derivation_json, gradient_json
from derive.verdicts import Report

#: Formats that are printed (one text) rather than written as documents.
PRINTED = ("text", "json")


def check_text(
    text: str, *, function: str = "sigmoid", variable: str | None = None, syntax: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS, file_timeout: float = DEFAULT_FILE_TIMEOUT_SECONDS, name: str = "",
) -> Report:
    """``derive check`` on ``text``, every claim decided in this (sandboxed) process."""
    with InlineWorker(timeout=timeout) as worker:
        return check(text, syntax=syntax, function=function, variable=variable, timeout=timeout,
                     file_timeout=file_timeout, worker=worker, name=name)


def derive_text(expression: str, *, variable: str | None = "x", formats: tuple[str, ...] = ("text",),
                stem: str = "expression", order: int = 1, snippet: dict[str, Any] | None = None,
                detail: str = "standard") -> dict[str, Any]:
    """``derive diff``: parse the typed expression, derive and verify it, render ``formats``.

    ``variable`` is one letter, or several separated by commas (``"w,b"``: every partial
    derivative, the others held constant; with ``order=2``, every second partial, mixed ones
    included); None: the expression's only letter (x when it has several). Returns
    ``{"texts": {format: text, ...}, "complete": bool, "proved": bool}``; with documents, the plot
    is under ``"svg"`` (the Markdown file links to ``stem.svg``). ``snippet`` (``format``, ``label``,
    ``annotations``: the arguments of :func:`~derive.renderer.render_snippet`) adds the paper
    snippet of every derivation under ``"snippet"``. ``detail`` is how much the steps show (brief,
    standard, full).
    """
    names = [name.strip() for name in variable.split(",")] if variable else []
    for name in names:
        check_variable_name(name)
    parsed, style = parse_typed(expression, names[0] if names else "x", names)
    if not names:
        names = [choose_variable(parsed)]
    letters = [real_variable(name) for name in names]
    documents = tuple(f for f in formats if f not in PRINTED)
    texts: dict[str, str] = {}
    if len(letters) == 1:
        derivation = derive(parsed, variable=letters[0], order=order, detail=detail)
        if "json" in formats:
            texts["json"] = derivation_json(derivation)
        if "text" in formats:
            texts["text"] = render(derivation, "text", style=style)
        if documents:
            texts.update(render_handouts(derivation, documents, plot_file=f"{stem}.svg", style=style))
        if snippet is not None:
            texts["snippet"] = render_snippet((derivation,), **snippet, style=style)
        return {"texts": texts, "complete": derivation.complete, "proved": derivation.proved}
    if order == 1:
        result = gradient(parsed, tuple(letters), detail=detail)
    elif order == 2:
        pairs = [(first, second) for index, first in enumerate(letters) for second in letters[index:]]
        derivations = tuple(derive(parsed, variable=first, then=(second,), detail=detail) if first != second
                            else derive(parsed, variable=first, order=2, detail=detail) for first, second in pairs)
        result = Gradient(name="f", title="", function=parsed, definition=parsed, derivations=derivations)
    else:
        raise InputError("with several variables, --order may be 1 (the gradient) or 2 (every second partial)")
    if "json" in formats:
        texts["json"] = gradient_json(result)
    if "text" in formats:
        texts["text"] = render_gradient(result, "text", style=style)
    for output_format in documents:
        texts[output_format] = render_gradient(result, output_format, style=style)
    if snippet is not None:
        texts["snippet"] = render_snippet(result.derivations, **snippet, style=style)
    return {"texts": texts, "complete": result.complete, "proved": result.proved}


def parse_typed(expression: str, variable: str, variables: Iterable[str]) -> tuple[sympy.Expr, LatexStyle]:
    """An expression a person typed for ``derive diff`` or the web app: the safe parser, with the
    catalogue's names for its messages and its activations as functions (:func:`typed_functions`);
    and the style its documents are printed in: in decimals when it was typed with decimals
    (``x^1.5``: 1.5√x, never 3√x/2)."""
    parsed, decimals = read_expression(expression, variable=variable, catalogue=catalogue_names(),
                                       functions=typed_functions(variables), definitions=False)
    return parsed, LatexStyle(decimals=decimals)


def typed_functions(variables: Iterable[str] = ()) -> dict[str, sympy.FunctionClass]:
    """The catalogue's activations a typed expression may use by name (``softplus(x)``,
    ``x*gelu(2*x)``, ``relu(x)``), each derived from its definition; σ is built in, and a name
    that is one of ``variables`` stays a variable (GELU's tanh approximation has no typed name)."""
    return {function.__name__: function for function in NAMED_FUNCTIONS
            if function is not sigma and function.__name__.isalpha() and function.__name__ not in variables}


def choose_variable(expression: sympy.Expr) -> str:
    """The letter to differentiate in when none is named: the only one, or x among several."""
    letters = sorted(symbol.name for symbol in expression.free_symbols)
    if len(letters) == 1:
        return letters[0]
    if "x" in letters or not letters:
        return "x"
    raise InputError(f"the expression has the letters {', '.join(letters)}: name the variable with --var "
                     f"(--var {letters[0]}, or --var {','.join(letters)} for every partial derivative)")


# --- the web server's jobs (derive serve): plain data out, every piece of HTML escaped later ---

def catalogue_listing() -> list[dict[str, Any]]:
    """The catalogue as the web pages list it: names, titles, routes, each definition as MathML.

    A job, so that the web server process never imports the engine (nor SymPy) itself."""
    from derive.differentiate.catalogue import ENTRIES
    from derive.functions import variable as real_variable
    from derive.model import method_segments
    from derive.renderer.contexts import page_title
    from derive.renderer.view import Math
    import sympy

    listing = []
    for entry in ENTRIES:
        x = real_variable(entry.variable_name)
        definition = Math(sympy.Eq(entry.function(x), entry.definition(x), evaluate=False))
        listing.append({
            # the title as the handouts' pages name it: a Greek parameter as its letter ("Swish with a parameter β")
            "name": entry.name, "title": page_title(method_segments(entry.title)), "summary": entry.summary, "aliases": list(entry.aliases),
            "routes": list(entry.route_names), "default_route": entry.default_route, "document": entry.document,
            "variable": entry.variable_name, "definition_mathml": definition.mathml, "definition_plain": definition.plain,
        })
    return listing


def check_page(
    text: str, *, function: str | None = "sigmoid", variable: str | None = None, syntax: str | None = None,
    exercise: str | None = None, line_timeout: float = DEFAULT_TIMEOUT_SECONDS,
    file_timeout: float = DEFAULT_FILE_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """:func:`check_text` for a web page: the report's JSON data (as ``derive check --format json``
    prints it) and each line that was read, as MathML (``{"mathml": {"number": [[relation, mathml], ...]}}``,
    the line's number as a string, as JSON has it).

    ``function=None``: the exercise is the function the derivation itself defines (``f(x) = …``), or
    ``exercise``, a typed definition (``derive check --exercise``).
    ``line_timeout`` is ``derive check --timeout`` (a sandbox job's ``timeout`` is its own deadline).
    """
    from derive.checker.reader import decode_submission

    pieces: dict[str, list[tuple[str | None, str]] | None] = {}

    def observe(plan: Any) -> None:
        pieces[str(plan.number)] = _line_mathml(plan)

    text = decode_submission(text.encode("utf-8", "surrogatepass"), "the derivation")
    with RememberingWorker(timeout=line_timeout) as worker:
        report = check(text, function=function, exercise=exercise, variable=variable, syntax=syntax, timeout=line_timeout,
                       file_timeout=file_timeout, worker=worker, observe=observe)
    return {"report": report.as_json_data(), "mathml": pieces}


def exercise_listing(text: str, *, variable: str | None = None) -> dict[str, Any]:
    """A typed exercise (``derive serve --class NAME --exercise "f(x) = …"``), read as ``derive grade
    --exercise`` reads it (its one-line error when it cannot be), and shown as the catalogue
    listing shows a definition: ``{"definition_mathml": ..., "definition_plain": ...}``."""
    import sympy

    from derive.checker import typed_exercise
    from derive.checker.plan import Reading
    from derive.parse import detect_syntax
    from derive.renderer.view import Math

    letter = variable or "x"
    check_variable_name(letter)
    function, definition = typed_exercise(text, detect_syntax(text), letter,
                                          Reading(functions={}, catalogue=catalogue_names()))
    shown = Math(sympy.Eq(function, definition, evaluate=False))
    return {"definition_mathml": shown.mathml, "definition_plain": shown.plain}


def _line_mathml(plan: Any) -> list[tuple[str | None, str]] | None:
    """The line as read, as MathML pieces with the relation before each, or None when it was not
    read or cannot be shown (a line with decimals, whose literals the tree holds as fractions)."""
    import sympy

    from derive.renderer.view import Math

    if plan.kind == "definition" and plan.definitions:
        target, parameters, body = plan.definitions[-1]  # a function f(x, ...) or a substituted letter z
        named = target(*parameters) if parameters else target
        expressions: list[tuple[str | None, Any]] = [(None, sympy.Eq(named, body, evaluate=False))]
    elif plan.kind == "start":
        expressions = [(None, plan.parts[0])]
    elif plan.kind == "claims":
        relations = [claim.relation for claim in plan.claims]
        if "≈" in relations or len(relations) != len(plan.parts) - 1:
            return None
        expressions = [] if plan.continuation else [(None, plan.parts[0])]
        expressions += list(zip(relations, plan.parts[1:]))
    else:
        return None
    try:
        return [(relation, _expression_mathml(expr)) for relation, expr in expressions]
    except Exception:  # noqa: BLE001 - the line is then shown as typed, and the page says so
        return None


@lru_cache(maxsize=4096)
def _expression_mathml(expr: Any) -> str:
    """MathML of an expression as read (SymPy's LaTeX of the tree, never the student's text).

    Remembered in the worker process: a page sends the whole derivation after each pause, so
    every line but the last was shown a moment ago (the key is the tree, compared structurally)."""
    from derive.renderer.view import Math

    return Math(expr).mathml


class RememberingWorker(InlineWorker):
    """An :class:`InlineWorker` that remembers the verdicts it decided, across the jobs of this
    worker process (at most :attr:`REMEMBERED` claims, least recently used first out).

    A verdict is a function of its claim alone (the trees compared structurally, the definitions
    included; the numeric screen uses fixed seeds), so a line sent again, as the live check does
    after every pause, is not proved again. Undecided verdicts (a time limit, an error) are never
    remembered: they are decided afresh next time.
    """

    REMEMBERED = 4096
    _verdicts: ClassVar[OrderedDict[Any, Any]] = OrderedDict()

    def decide_all(self, incoming: Iterable[Any], window: int = 1, *, deadline: float | None = None) -> list[Any]:
        results = []
        for claim in incoming:  # consumed lazily, as the checker reads the lines while claims are decided
            try:
                known = self._verdicts.get(claim)
            except TypeError:  # a claim that cannot be a key is simply decided
                known, claim_key = None, None
            else:
                claim_key = claim
            if known is not None:
                self._verdicts.move_to_end(claim_key)
                results.append(known)
                continue
            verdict = super().decide_all([claim], window, deadline=deadline)[0]
            if verdict.decided and claim_key is not None:
                self._verdicts[claim_key] = verdict
                while len(self._verdicts) > self.REMEMBERED:
                    self._verdicts.popitem(last=False)
            results.append(verdict)
        return results


def derive_page(
    expression: str | None = None, *, name: str | None = None, route: str | None = None, variable: str = "x",
    detail: str = "standard",
) -> dict[str, Any]:
    """The web's derive page for a typed expression or a catalogue entry: the handout's view (every
    piece of mathematics as MathML, for the page's own templates), the downloads (LaTeX, Markdown,
    HTML, the SVG plot) and the JSON of ``--format json``."""
    from derive.renderer.contexts import handout_context

    if name is not None:
        from derive.differentiate.catalogue import lookup
        from derive.errors import InputError

        entry = lookup(name)
        if entry.document != "handout":
            raise InputError(f"'{entry.name}' is a {entry.document} document: write it with 'derive {entry.name}'")
        if route is not None and route not in entry.route_names:
            raise InputError(f"'{entry.name}' has no route '{route}': choose one of {', '.join(entry.route_names)}")
        chosen = route or entry.default_route
        derivation = derive(entry.name, route=chosen, properties=entry.activation, detail=detail)  # type: ignore[arg-type]
        others = [derive(entry.name, route=other, detail=detail) for other in entry.routes if other != chosen]  # type: ignore[arg-type]
        stem, style = entry.name, DEFAULT_STYLE
    else:
        check_variable_name(variable)
        parsed, style = parse_typed(expression or "", variable, [variable])
        derivation, others, stem = derive(parsed, variable=variable, detail=detail), [], "expression"  # type: ignore[arg-type]
    texts = render_handouts(derivation, ("latex", "markdown", "html"), others=others, plot_file=f"{stem}.svg",
                            style=style)
    values = handout_context(derivation, others, style)
    view = {key: _plain_view(values[key]) for key in ("title", "d", "others", "example", "vanishing")}
    return {"view": view, "svg": texts.pop("svg", ""), "texts": texts, "json": derivation_json(derivation),
            "complete": derivation.complete, "proved": derivation.proved, "stem": stem}


def derive_json(expression: str | None = None, *, name: str | None = None, route: str | None = None,
                variable: str = "x") -> str:
    """``derive NAME --format json`` or ``derive diff EXPR --format json``: the JSON contract."""
    if name is not None:
        return derivation_json(derive(name, route=route))
    return derive_text(expression or "", variable=variable, formats=("json",))["texts"]["json"]


def worksheet_zip(name: str, *, students: int, seed: int, formats: tuple[str, ...] = ("latex", "markdown", "html")) -> bytes:
    """``derive worksheet NAME --students N --seed S`` as one zip file (worksheets and keys),
    byte for byte the same for the same arguments (fixed timestamps, fixed order)."""
    import io
    import zipfile

    from derive.renderer import EXTENSIONS, render_worksheet
    from derive.worksheets import WorksheetBuilder

    sheets = WorksheetBuilder(name, seed=seed).worksheets(students)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets:
            for output_format in formats:
                for answers, suffix in ((False, ""), (True, "-key")):
                    member = zipfile.ZipInfo(f"{sheet.name}-worksheets/{sheet.stem}{suffix}.{EXTENSIONS[output_format]}",
                                             date_time=(1980, 1, 1, 0, 0, 0))
                    member.compress_type = zipfile.ZIP_DEFLATED
                    member.external_attr = 0o644 << 16
                    archive.writestr(member, render_worksheet(sheet, output_format, answers=answers))
    return buffer.getvalue()


def _plain_view(value: Any) -> Any:
    """A view (:mod:`derive.renderer.view`) as plain data: every :class:`Math` written out as LaTeX,
    text and MathML here, so that what crosses to the web server is strings only."""
    from dataclasses import fields, is_dataclass

    from derive.renderer.view import Math

    if isinstance(value, Math):
        return {"latex": value.latex, "plain": value.plain, "mathml": value.mathml, "mathml_display": value.mathml_display}
    if isinstance(value, dict):
        return {key: _plain_view(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_view(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain_view(getattr(value, field.name)) for field in fields(value)}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"a view holds a {type(value).__name__}, which the web pages cannot use")
