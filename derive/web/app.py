"""The web application of ``derive serve``: pages (forms that work without JavaScript), the live
check, the JSON API, worksheets and class mode, on Starlette.

Every handler is a few lines: read the request within its bounds, hand the work to a worker
process (:mod:`derive.web.work`), render the answer with a template. Nothing here reads
mathematics: the catalogue, each line's MathML and every verdict come back from the workers as
strings, and Jinja escapes whatever a person typed.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime
import hashlib
import io
import json
import logging
import re
import shutil
import tempfile
import time
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from derive.errors import DeriveError, InputError, ToolMissingError, VerificationError
from derive.sandbox import JobFailed, LimitExceeded, Overloaded
from derive.sentences import sentence_pieces
from derive.web.listing import Listing, cache_folder, read_listing, source_digest, write_listing
from derive.web.options import (
    DERIVATIONS_KEPT, MAX_BODY_BYTES, MAX_EXERCISE_CHARACTERS, MAX_LINES, MAX_WEB_STUDENTS, ServeOptions,
)
from derive.web.security import (
    BROWSER_COOKIE, CSRF_FIELD, TEACHER_COOKIE, HTTPProblem, SecurityHeaders, browser_id, csrf_token, field,
    new_browser_id, parse_form, read_body, refuse_cross_site, require_csrf, teacher_token_matches,
)
from derive.web.store import ClassStore, Exercise, NameTaken, Submission
from derive.web.work import Work

log = logging.getLogger("derive.serve")

#: The level of detail (derive --detail) of the steps each level of the page shows: "full" is every move.
DETAIL_OF_LEVEL = {"result": "standard", "steps": "standard", "full": "full"}
LEVELS = {"result": "the result only", "steps": "the steps (sub-derivations folded)", "full": "everything (sub-derivations, properties, other routes)"}
DOWNLOADS = {  # format: (file extension, media type)
    "latex": ("tex", "application/x-tex; charset=utf-8"),
    "markdown": ("md", "text/markdown; charset=utf-8"),
    "html": ("html", "text/html; charset=utf-8"),
    "svg": ("svg", "image/svg+xml"),
    "json": ("json", "application/json"),
    "pdf": ("pdf", "application/pdf"),
}
#: What /static/ serves: name: (file under templates/, media type). The derive page's derivation
#: has the handouts' stylesheet (one home for the look of a derivation).
STATIC = {"web.css": ("web/web.css", "text/css; charset=utf-8"), "live.js": ("web/live.js", "text/javascript; charset=utf-8"),
          "handout.css": ("html/style.css", "text/css; charset=utf-8")}
_STUDENT_PUNCTUATION = set(" .-_'@+")
_NAME = re.compile(r"^[a-z_]{1,40}$")
_VARIABLE = re.compile(r"^\\?[A-Za-z]{1,12}$")
RETRY_AFTER_SECONDS = 2


def page_environment() -> jinja2.Environment:
    """The pages' templates (``templates/web``), which may use the handouts' HTML macros as ``html/…``;
    autoescaped, strict about missing values, and keeping punctuation with the formula before it,
    like the documents' environments."""
    from derive.renderer import escape
    from derive.renderer.environment import HtmlTemplate, templates_folder

    root = templates_folder()
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(str(root / "web")),
        jinja2.PrefixLoader({"html": jinja2.FileSystemLoader(str(root / "html"))}),
    ])
    environment = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True)
    environment.template_class = HtmlTemplate  # punctuation stays with the formula before it, as in the handouts
    environment.filters["plain"] = escape.plain_text
    # a line's sentence from the JSON wire (its message or diagnosis), for the handouts' ``sentence``
    # macro: ``say.sentence(l|said("diagnosis"))``, its formulas as MathML
    environment.filters["said"] = lambda line, field: said(line.get(field), line.get(f"{field}_segments"))
    environment.filters["sentence"] = lambda pieces: pieces
    environment.filters["when"] = lambda seconds: datetime.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")
    return environment


def said(plain: str | None, pieces: object) -> list[dict[str, Any]]:
    """A sentence of a checker report's JSON as the pieces the ``sentence`` macro writes: text, or
    MathML converted from a formula's LaTeX once :func:`~derive.sentences.sentence_pieces` has
    checked it is derive's printer's (never from a student's text)."""
    from derive.renderer.mathml import latex_to_mathml

    checked = sentence_pieces(plain, pieces)
    if checked is None:
        return [{"text": plain or "", "math": None}]
    return [{"text": piece["text"], "math": None} if "text" in piece else
            {"text": "", "math": {"mathml": Markup(latex_to_mathml(piece["latex"], alt=piece["plain"]))}}
            for piece in checked]


class WebApp:
    """The server's state for one run: options, worker pool, class database, templates, caches."""

    def __init__(self, options: ServeOptions, work: Work | None = None) -> None:
        self.options = options
        self.work = work or Work(options)
        self.environment = page_environment()
        self.catalogue: list[dict[str, Any]] = []
        self.columns: list[str] = []
        self.store: ClassStore | None = None
        self.teacher_token = ""
        self.secret = new_browser_id() + new_browser_id()
        self.prepared = False
        #: class mode: the class's exercise, and its definition as the pages show it (MathML, plain text)
        self.exercise = Exercise()
        self.exercise_shown: dict[str, Any] = {}
        self._derivations: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._pdfs: OrderedDict[str, bytes] = OrderedDict()
        self._latex = anyio.CapacityLimiter(1)
        self._latex_waiting = 0
        self._checking: set[int] = set()
        self._static = {name: _templates(source).read_bytes() for name, (source, _) in STATIC.items()}

    # --- lifecycle -------------------------------------------------------------------------

    def prepare(self) -> None:
        """Start the workers, read the catalogue through them, open the class's database; a
        mistake in the options (an unknown or unreadable exercise, another class's database) is a
        DeriveError."""
        if self.prepared:
            return
        try:
            self.work.start_in_background()
            listing = self.listing()
            self.catalogue, self.columns = listing.catalogue, listing.columns
            if self.options.class_name is not None:
                self.open_class(self.options.class_name)
        except BaseException:
            self.work.close()
            raise
        self.prepared = True

    def listing(self) -> Listing:
        """The catalogue and the gradebook's columns: as kept by an earlier start of this same code
        (then the first page needs no worker), else read by a worker and kept."""
        folder, digest = cache_folder(), source_digest()
        kept = read_listing(folder, digest)
        if kept is not None:
            return kept
        listing = Listing(
            catalogue=self.work.run_now("derive.jobs:catalogue_listing", timeout=60, what="reading the catalogue"),
            columns=self.work.run_now("derive.grading.gradebook:gradebook_columns", timeout=60, what="reading the gradebook"))
        write_listing(folder, digest, listing)
        return listing

    def open_class(self, class_name: str) -> None:
        """Class mode: the exercise given (read in a worker, as ``derive grade --exercise`` reads
        it, before it is stored), the class's database, its tokens."""
        wanted = self.wanted_exercise()
        if wanted is not None and wanted.definition is not None:
            self.shown_exercise(wanted)  # an unreadable exercise is never stored
        database = self.options.database or Path(f"derive-class-{_file_name(class_name)}.sqlite3")
        self.store = ClassStore(database, class_name=class_name, exercise=wanted)
        self.exercise = self.store.exercise
        self.exercise_shown = self.shown_exercise(self.exercise)
        self.teacher_token = self.store.new_teacher_token() if self.options.new_token else self.store.meta("teacher_token")
        self.secret = self.store.meta("secret")  # open pages stay valid across a restart

    def wanted_exercise(self) -> Exercise | None:
        """The exercise the options give (None: the class's own), its text bounded as any typed input."""
        variable = self.options.variable
        if variable is not None and not _VARIABLE.match(variable):
            raise InputError("--var must be a letter such as x (or a Greek letter's name)")
        if self.options.exercise is not None:
            return Exercise(definition=exercise_text(self.options.exercise), variable=variable)
        if self.options.function is not None:
            return Exercise(function=self.entry(self.options.function)["name"], variable=variable)
        if variable is not None:
            raise InputError("--var is the variable of the exercise: give --function or --exercise with it")
        return None

    def shown_exercise(self, exercise: Exercise) -> dict[str, Any]:
        """The exercise's definition as the pages show it; a typed one is read in a worker."""
        if exercise.definition is None:
            return self.entry(exercise.function or "sigmoid")
        return self.work.run_now("derive.jobs:exercise_listing", exercise.definition, variable=exercise.variable,
                                 timeout=60, what="reading the exercise")

    def class_chosen(self, syntax: str | None = None) -> dict[str, Any]:
        """The class's exercise as a check's options (what the class page checks with: never the form's)."""
        return {"function": self.exercise.function if self.exercise.definition is None else None,
                "exercise": self.exercise.definition or "", "variable": self.exercise.variable, "syntax": syntax,
                "typed": self.exercise.definition is not None, "fixed": True}

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(self.prepare)
        background: list[asyncio.Task[None]] = []
        try:
            if self.store is not None:
                background.append(asyncio.create_task(self._check_pending_forever()))
            background.append(asyncio.create_task(self._warm_up()))
            yield
        finally:
            for task in background:
                task.cancel()
            for task in background:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await anyio.to_thread.run_sync(self.work.close)
            self.prepared = False

    async def _warm_up(self) -> None:
        """One small check on every worker, so that the first student does not wait for the caches."""

        async def one() -> None:
            with contextlib.suppress(DeriveError):  # a worker that cannot warm up is started afresh later
                await self.work.check("\\sigma'(x) = \\sigma(x)(1-\\sigma(x))")

        async with anyio.create_task_group() as group:
            for _ in range(self.options.workers):
                group.start_soon(one)

    async def _check_pending_forever(self) -> None:
        """Check what was accepted but not yet checked: after a restart, or when the pool was full."""
        assert self.store is not None
        while True:
            for submission in await anyio.to_thread.run_sync(self.store.pending):
                with contextlib.suppress(Overloaded):
                    await self._check_and_record(submission.id, submission.student, submission.text)
            await anyio.sleep(2)

    # --- helpers ---------------------------------------------------------------------------

    def render(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        """A page; a browser seen for the first time gets its id (and so its CSRF token)."""
        browser = browser_id(request)
        fresh = browser is None
        browser = browser or new_browser_id()
        values.update(
            csrf_field=CSRF_FIELD, csrf=csrf_token(self.secret, browser), class_name=self.options.class_name,
            path=request.url.path, latex_available=shutil.which("latexmk") is not None,
        )
        response = Response(self.environment.get_template(template).render(**values), status_code=status,
                            media_type="text/html; charset=utf-8")
        if fresh:
            response.set_cookie(BROWSER_COOKIE, browser, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
        response.headers["cache-control"] = "no-store"
        return response

    def entry(self, name: str) -> dict[str, Any]:
        wanted = name.strip().lower()
        for entry in self.catalogue:
            if wanted == entry["name"] or wanted in entry["aliases"]:
                return entry
        known = ", ".join(entry["name"] for entry in self.catalogue)
        raise HTTPProblem(400, f"unknown function '{name[:40]}': the catalogue has {known}")

    def check_options(self, values: Any) -> dict[str, Any]:
        """The exercise and options of a check, validated (the text itself is read by the worker only)."""
        function = field(values, "function", "", limit=40).strip()
        exercise = field(values, "exercise", "", limit=MAX_EXERCISE_CHARACTERS).strip()
        variable = field(values, "var", "", limit=12).strip() or None  # None: the exercise's own (z for bce)
        syntax = field(values, "syntax", "", limit=8).strip()
        if syntax not in ("", "latex", "text"):
            raise HTTPProblem(400, f"unknown syntax '{syntax}': choose latex or text")
        if variable is not None and not _VARIABLE.match(variable):
            raise HTTPProblem(400, "the variable must be a letter such as x (or a Greek letter's name)")
        if "\n" in exercise or "\r" in exercise:
            raise HTTPProblem(400, "the exercise is one line: f(x) = …")
        if function:
            function = self.entry(function)["name"]
        # neither: as derive check without --function (σ, unless the derivation defines its own function)
        # "typed": False: a typed exercise is put in the box as the derivation's first line (the class
        # page's is the exercise every line is checked against, as derive check --exercise)
        return {"function": function or None, "exercise": exercise, "variable": variable, "syntax": syntax or None,
                "typed": False, "fixed": False}

    async def run_check(self, text: str, chosen: dict[str, Any]) -> dict[str, Any]:
        check_lines(text)
        typed = {"exercise": chosen["exercise"]} if chosen["typed"] else {}
        return await self.work.check(text, function=chosen["function"], variable=chosen["variable"], syntax=chosen["syntax"],
                                     **typed)

    def require_teacher(self, request: Request) -> None:
        if self.store is None:
            raise HTTPProblem(404, "this server is not running in class mode (derive serve --class NAME)")
        if not teacher_token_matches(request, self.teacher_token):
            raise HTTPProblem(401, "the gradebook needs the teacher's token: open the teacher link that 'derive serve' printed "
                              "when it started", headers={"www-authenticate": 'Bearer realm="derive"'})

    async def derivation(self, *, name: str | None, expression: str | None, route: str | None, variable: str,
                         detail: str = "standard") -> dict[str, Any]:
        """The derive page's data for a catalogue entry or a typed expression (kept for the downloads),
        its steps at ``detail`` (derive's --detail)."""
        key = (name, expression, route, variable, detail)
        if key in self._derivations:
            self._derivations.move_to_end(key)
            return self._derivations[key]
        result = await self.work.run("derive_page", expression, name=name, route=route, variable=variable, detail=detail,
                                     timeout=self.options.derive_timeout, what="deriving the expression")
        self._derivations[key] = result
        while len(self._derivations) > DERIVATIONS_KEPT:
            self._derivations.popitem(last=False)
        return result

    def derive_request(self, values: Any) -> dict[str, Any] | None:
        name = field(values, "name", "", limit=40).strip()
        expression = field(values, "expression", "").strip()
        route = field(values, "route", "", limit=20).strip() or None
        variable = field(values, "var", "x", limit=12).strip() or "x"
        if not _VARIABLE.match(variable):
            raise HTTPProblem(400, "the variable must be a letter such as x (or a Greek letter's name)")
        if expression and name:
            raise HTTPProblem(400, "give either a catalogue entry or an expression, not both")
        if name:
            entry = self.entry(name)
            if route is not None and route not in entry["routes"]:
                raise HTTPProblem(400, f"'{entry['name']}' has no route '{route[:20]}': choose one of {', '.join(entry['routes'])}")
            return {"name": entry["name"], "expression": None, "route": route, "variable": entry["variable"]}
        if expression:
            if route is not None:
                raise HTTPProblem(400, "routes are for catalogue entries; a typed expression is derived by the rules")
            return {"name": None, "expression": expression, "route": None, "variable": variable}
        return None

    async def pdf(self, latex: str) -> bytes:
        """The LaTeX handout compiled with latexmk (no shell escape), one at a time, remembered."""
        key = hashlib.sha256(latex.encode()).hexdigest()
        if key in self._pdfs:
            return self._pdfs[key]
        if shutil.which("latexmk") is None:
            raise ToolMissingError("the PDF needs TeX Live (latexmk) on the server; download the LaTeX instead")
        if self._latex_waiting >= 4:
            raise Overloaded("four PDFs are already being made")
        self._latex_waiting += 1
        try:
            async with self._latex:
                pdf = await anyio.to_thread.run_sync(_compile, latex)
        finally:
            self._latex_waiting -= 1
        self._pdfs[key] = pdf
        while len(self._pdfs) > 16:
            self._pdfs.popitem(last=False)
        return pdf

    async def _check_and_record(self, submission_id: int, student: str, text: str) -> None:
        """Check a stored submission and store its row (Overloaded: it stays pending, checked later)."""
        assert self.store is not None
        if submission_id in self._checking:
            return
        self._checking.add(submission_id)
        try:
            try:
                result = await self.work.check_submission(text, student=student, exercise=self.exercise)
                row, report, error = result["row"], result["report"], result["error"]
            except (LimitExceeded, JobFailed) as failure:
                row, report, error = self.error_row(student, str(failure)), None, str(failure)
            await anyio.to_thread.run_sync(lambda: self.store.record(submission_id, row=row, report=report, error=error))  # type: ignore[union-attr]
        finally:
            self._checking.discard(submission_id)

    def error_row(self, student: str, error: str) -> dict[str, Any]:
        """The row ``derive grade`` writes for a file it could not check."""
        empty: dict[str, Any] = {"file": student, "valid": False, "first_error": "", "lines": 0, "correct": 0,
                                 "wrong": 0, "unparsed": 0, "diagnosis": "", "error": error}
        return {column: empty.get(column, "") for column in self.columns}

    def gradebook(self) -> list[dict[str, Any]]:
        assert self.store is not None
        rows = []
        for submission, count in self.store.latest():
            rows.append({"submission": submission, "count": count, "row": submission.row})
        return rows

    # --- pages -----------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return self.render(request, "home.html.j2", title="derive", catalogue=self.catalogue)

    async def check_page(self, request: Request) -> Response:
        """GET: the form (``/check?function=bce`` opens that exercise; ``&text=`` checks it too);
        POST: the form checked, for browsers without JavaScript."""
        values: Any = request.query_params
        if request.method == "POST":
            refuse_cross_site(request)
            values = parse_form(await read_body(request))
        chosen = self.check_options(values)
        text = field(values, "text", "", limit=MAX_BODY_BYTES)
        result, error, status = None, None, 200
        if text.strip():
            try:
                result = await self.run_check(text, chosen)
            except DeriveError as problem:
                status, _ = problem_status(problem)
                error = str(problem)
        elif chosen["exercise"]:
            text = chosen["exercise"] + "\n"
        return self.render(request, "check.html.j2", status=status, title="Check a derivation", chosen=chosen, text=text,
                           result=self.verdicts(result, chosen), error=error, catalogue=self.catalogue,
                           entry=self.entry(chosen["function"]) if chosen["function"] else None,
                           share=share_link(chosen))

    async def check_live(self, request: Request) -> Response:
        """The verdicts as an HTML fragment, for the page's script (the same template as the page)."""
        refuse_cross_site(request)
        values = parse_form(await read_body(request))
        return await self.live_fragment(request, values, self.check_options(values))

    async def class_live(self, request: Request) -> Response:
        """The class page's live check: the class's exercise, whatever the form says."""
        self.class_store()
        refuse_cross_site(request)
        values = parse_form(await read_body(request))
        syntax = self.check_options({"syntax": field(values, "syntax", "", limit=8)})["syntax"]
        return await self.live_fragment(request, values, self.class_chosen(syntax))

    async def live_fragment(self, request: Request, values: Any, chosen: dict[str, Any]) -> Response:
        text = field(values, "text", "", limit=MAX_BODY_BYTES)
        if not text.strip():
            return self.render(request, "verdicts.html.j2", result=None, error=None, chosen=chosen)
        started = time.perf_counter()
        try:
            result = await self.run_check(text, chosen)
        except DeriveError as problem:
            status, headers = problem_status(problem)
            response = self.render(request, "verdicts.html.j2", status=status, result=None, error=str(problem), chosen=chosen)
            response.headers.update(headers)
            return response
        checked = time.perf_counter()
        response = self.render(request, "verdicts.html.j2", result=self.verdicts(result, chosen), error=None, chosen=chosen)
        # how long the check took in the pool (waiting for a worker, and in it) and the page after it
        response.headers["server-timing"] = (f"check;dur={(checked - started) * 1000:.1f}, "
                                             f"page;dur={(time.perf_counter() - checked) * 1000:.1f}")
        return response

    def verdicts(self, result: dict[str, Any] | None, chosen: dict[str, Any]) -> dict[str, Any] | None:
        """The report and each line's MathML (trusted: SymPy's LaTeX through derive's MathML filter)."""
        if result is None:
            return None
        report = result["report"]
        pieces = result["mathml"]
        lines = []
        for line in report["lines"]:
            math = pieces.get(str(line["line"]))
            lines.append({**line, "math": None if math is None else [(relation, Markup(mathml)) for relation, mathml in math],
                          "mark": {"correct": "✓", "wrong": "✗", "unparsed": "?"}[line["status"]],
                          "first": line["line"] == report["first_error"]})
        first = next((line for line in lines if line["first"]), None)
        exercise_missing = bool(chosen["exercise"]) and not chosen["typed"] and not any(
            line["source"].strip() == chosen["exercise"] for line in report["lines"])
        return {"report": report, "lines": lines, "first": first, "summary": summary(report, first),
                "exercise_missing": exercise_missing}

    async def api_check(self, request: Request) -> Response:
        """POST JSON ``{"text": ..., "function": ..., "var": ..., "syntax": ..., "exercise": ...}``:
        exactly what ``derive check --format json`` prints."""
        refuse_cross_site(request)
        values = json_body(await read_body(request))
        chosen = self.check_options(values)
        text = field(values, "text", "", limit=MAX_BODY_BYTES)
        if not text.strip():
            raise HTTPProblem(400, "'text' is empty: send the derivation, one claim per line")
        result = await self.run_check(text, chosen)
        return JSONResponse(result["report"])

    async def derive_page(self, request: Request) -> Response:
        wanted = self.derive_request(request.query_params)
        level = field(request.query_params, "level", "steps", limit=8)
        if level not in LEVELS:
            raise HTTPProblem(400, f"unknown level '{level}': choose one of {', '.join(LEVELS)}")
        result, error, status = None, None, 200
        if wanted is not None:
            try:
                result = await self.derivation(**wanted, detail=DETAIL_OF_LEVEL[level])
            except DeriveError as problem:
                status, _ = problem_status(problem)
                error = str(problem)
        return self.render(request, "derive.html.j2", status=status, title="Derive", level=level,
                           wanted=wanted or {"name": None, "expression": None, "route": None, "variable": "x"},
                           levels=LEVELS, result=result, error=error, catalogue=self.catalogue,
                           svg=Markup(result["svg"]) if result else "", download=download_query(wanted) if wanted else "")

    async def derive_download(self, request: Request) -> Response:
        wanted = self.derive_request(request.query_params)
        chosen = field(request.query_params, "format", "latex", limit=10)
        if wanted is None:
            raise HTTPProblem(400, "give a catalogue entry (name=…) or an expression (expression=…)")
        if chosen not in DOWNLOADS:
            raise HTTPProblem(400, f"unknown format '{chosen}': choose one of {', '.join(DOWNLOADS)}")
        result = await self.derivation(**wanted)
        if chosen == "pdf":
            body: bytes | str = await self.pdf(result["texts"]["latex"])
        elif chosen == "json":
            body = result["json"]
        elif chosen == "svg":
            if not result["svg"]:
                raise HTTPProblem(404, "this derivation has no plot")
            body = result["svg"]
        else:
            body = result["texts"][chosen]
        extension, media = DOWNLOADS[chosen]
        return attachment(body, f"{result['stem']}.{extension}", media)

    async def api_derive(self, request: Request) -> Response:
        """POST JSON ``{"expression": ...}`` or ``{"name": ..., "route": ...}``: what
        ``derive diff EXPR --format json`` / ``derive NAME --format json`` print."""
        refuse_cross_site(request)
        values = json_body(await read_body(request))
        wanted = self.derive_request(values)
        if wanted is None:
            raise HTTPProblem(400, "give a catalogue entry (\"name\") or an expression (\"expression\")")
        text = await self.work.run("derive_json", wanted["expression"], name=wanted["name"], route=wanted["route"],
                                   variable=wanted["variable"], timeout=self.options.derive_timeout,
                                   what="deriving the expression")
        return Response(text, media_type="application/json")

    async def worksheets_page(self, request: Request) -> Response:
        if request.method == "GET":
            return self.render(request, "worksheets.html.j2", title="Worksheets", catalogue=self.catalogue, error=None,
                               chosen={"name": "sigmoid", "students": "30", "seed": "0", "formats": ["latex", "markdown", "html"]},
                               most=MAX_WEB_STUDENTS)
        refuse_cross_site(request)
        body = await read_body(request)
        form = parse_form(body)
        formats = [value for key, value in _form_pairs(body) if key == "format"]
        chosen = {"name": field(form, "name", "sigmoid", limit=40), "students": field(form, "students", "30", limit=6),
                  "seed": field(form, "seed", "0", limit=12), "formats": formats}
        try:
            entry = self.entry(chosen["name"])
            if entry["document"] != "handout":
                raise HTTPProblem(400, f"'{entry['name']}' has no worksheets")
            students, seed = _whole(chosen["students"], "students", 1, MAX_WEB_STUDENTS), _whole(chosen["seed"], "seed", 0, 10**9)
            if not formats or any(value not in ("latex", "markdown", "html") for value in formats):
                raise HTTPProblem(400, "choose at least one format: latex, markdown, html")
            archive = await self.work.run("worksheet_zip", entry["name"], students=students, seed=seed,
                                          formats=tuple(dict.fromkeys(formats)), timeout=self.options.derive_timeout,
                                          what="making the worksheets")
        except DeriveError as problem:
            status, headers = problem_status(problem)
            response = self.render(request, "worksheets.html.j2", status=status, title="Worksheets", catalogue=self.catalogue,
                                   error=str(problem), chosen=chosen, most=MAX_WEB_STUDENTS)
            response.headers.update(headers)
            return response
        return attachment(archive, f"{entry['name']}-worksheets-{students}-seed{seed}.zip", "application/zip")

    # --- class mode ------------------------------------------------------------------------

    def class_store(self) -> ClassStore:
        if self.store is None:
            raise HTTPProblem(404, "this server is not running in class mode (derive serve --class NAME)")
        return self.store

    async def class_page(self, request: Request) -> Response:
        store = self.class_store()
        browser = browser_id(request)
        mine = await anyio.to_thread.run_sync(store.of_owner, browser) if browser else []
        student = mine[0].student if mine else ""
        return self.render(request, "class.html.j2", title=f"Class {self.options.class_name}", mine=mine, student=student,
                           text="", error=None, entry=self.exercise_shown, chosen=self.class_chosen())

    async def class_submit(self, request: Request) -> Response:
        store = self.class_store()
        form = parse_form(await read_body(request))
        browser = require_csrf(request, self.secret, form)
        text = field(form, "text", "", limit=MAX_BODY_BYTES)
        raw_student = field(form, "student", "", limit=200)
        try:
            student = student_name(raw_student)
            if not text.strip():
                raise HTTPProblem(400, "the derivation is empty: write it, one claim per line, then submit")
            check_lines(text)
            submission_id = await anyio.to_thread.run_sync(lambda: store.add(student=student, owner=browser, text=text))
        except DeriveError as problem:
            status, _ = problem_status(problem)
            mine = await anyio.to_thread.run_sync(store.of_owner, browser)
            return self.render(request, "class.html.j2", status=status, title=f"Class {self.options.class_name}", mine=mine,
                               student=raw_student, text=text, error=str(problem), entry=self.exercise_shown,
                               chosen=self.class_chosen())
        with contextlib.suppress(Overloaded):  # accepted and stored: checked later if the pool is full now
            await self._check_and_record(submission_id, student, text)
        return RedirectResponse(f"/class/submissions/{submission_id}", status_code=303)

    async def class_submission(self, request: Request) -> Response:
        store = self.class_store()
        submission = await self._submission(request)
        browser = browser_id(request)
        owner = await anyio.to_thread.run_sync(store.owner_of, submission.student)
        if not (browser and owner == browser) and not teacher_token_matches(request, self.teacher_token):
            raise HTTPProblem(404, "no such submission from this browser")
        return self.render(request, "submission.html.j2", title=f"Submission {submission.id}", submission=submission,
                           teacher=False)

    async def _submission(self, request: Request) -> Submission:
        raw = request.path_params["number"]
        found = await anyio.to_thread.run_sync(self.class_store().get, int(raw)) if raw.isdigit() and len(raw) < 12 else None
        if found is None:
            raise HTTPProblem(404, "no such submission from this browser")
        return found

    async def teacher(self, request: Request) -> Response:
        token = request.query_params.get("token")
        if token is not None:
            self.class_store()
            if not teacher_token_matches(_with_bearer(request, token), self.teacher_token):
                raise HTTPProblem(401, "this teacher link is not valid (the token is printed when 'derive serve' starts)")
            response = RedirectResponse("/teacher", status_code=303)
            response.set_cookie(TEACHER_COOKIE, token, httponly=True, samesite="strict")
            return response
        self.require_teacher(request)
        rows = await anyio.to_thread.run_sync(self.gradebook)
        version = await anyio.to_thread.run_sync(self.class_store().version)
        return self.render(request, "teacher.html.j2", title=f"Gradebook of {self.options.class_name}", rows=rows,
                           columns=self.columns, version=version, entry=self.exercise_shown, exercise=self.exercise)

    async def teacher_rows(self, request: Request) -> Response:
        self.require_teacher(request)
        rows = await anyio.to_thread.run_sync(self.gradebook)
        version = await anyio.to_thread.run_sync(self.class_store().version)
        return self.render(request, "gradebook.html.j2", rows=rows, columns=self.columns, version=version)

    async def teacher_submission(self, request: Request) -> Response:
        self.require_teacher(request)
        submission = await self._submission(request)
        return self.render(request, "submission.html.j2", title=f"Submission {submission.id} by {submission.student}",
                           submission=submission, teacher=True)

    async def teacher_csv(self, request: Request) -> Response:
        """The gradebook: each student's latest submission, the same columns as ``derive grade``."""
        self.require_teacher(request)
        rows = await anyio.to_thread.run_sync(self.gradebook)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            if row["row"] is not None:
                writer.writerow({column: _csv_cell(row["row"].get(column, "")) for column in self.columns})
        return attachment(buffer.getvalue(), f"{_file_name(self.options.class_name or 'class')}-grades.csv", "text/csv; charset=utf-8")

    async def teacher_details(self, request: Request) -> Response:
        """Every submission with every line's verdict (as ``derive grade --details``, plus time and text)."""
        self.require_teacher(request)
        submissions = await anyio.to_thread.run_sync(self.class_store().all)
        data = {"class": self.options.class_name, "function": self.exercise.function, "exercise": self.exercise.definition,
                "variable": self.exercise.variable, "submissions": [
            {"file": s.student, "submission": s.id, "submitted": s.submitted, "status": s.status, "text": s.text,
             "error": s.error, "report": s.report} for s in submissions]}
        return attachment(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                          f"{_file_name(self.options.class_name or 'class')}-details.json", "application/json")

    async def teacher_report(self, request: Request) -> Response:
        """The class report: how many are valid, the mistakes the class made (ranked), where the first
        errors fall, the lines no one could read."""
        self.require_teacher(request)
        rows = await anyio.to_thread.run_sync(self.gradebook)
        values = class_report([row["submission"] for row in rows])
        text = self.environment.get_template("class-report.html.j2").render(
            title=f"Class report: {self.options.class_name}", class_name=self.options.class_name, **values)
        return attachment(text, f"{_file_name(self.options.class_name or 'class')}-report.html", "text/html; charset=utf-8",
                          inline=request.query_params.get("view") == "1")

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            raise HTTPProblem(404, "no such file")
        return Response(self._static[name], media_type=STATIC[name][1], headers={"cache-control": "no-cache"})

    async def healthz(self, _request: Request) -> Response:
        return PlainTextResponse("ok")

    # --- errors ----------------------------------------------------------------------------

    async def not_found(self, request: Request, error: Exception) -> Response:
        """Starlette's own 404 and 405, answered like every other error."""
        status = getattr(error, "status_code", 404)
        message = "no such page" if status == 404 else f"{request.method} is not allowed here"
        return await self.problem(request, HTTPProblem(status, message))

    async def problem(self, request: Request, error: Exception) -> Response:
        assert isinstance(error, DeriveError)
        status, headers = problem_status(error)
        if status >= 500 and not isinstance(error, (Overloaded, LimitExceeded)):
            log.warning("%s %s: %s", request.method, request.url.path, error)
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
            return JSONResponse({"error": str(error)}, status_code=status, headers=headers)
        response = self.render(request, "error.html.j2", status=status, title=_STATUS_TITLES.get(status, "Error"),
                               message=str(error), code=status)
        response.headers.update(headers)
        return response


_STATUS_TITLES = {400: "Bad request", 401: "Teacher's token needed", 403: "Refused", 404: "Not found", 405: "Not allowed",
                  409: "Name taken",
                  413: "Too large", 422: "Stopped at a limit", 500: "Internal error", 501: "Not available", 503: "Busy"}


def problem_status(error: DeriveError) -> tuple[int, dict[str, str]]:
    """The HTTP status (and headers) that answer ``error``."""
    if isinstance(error, HTTPProblem):
        return error.status, error.headers
    if isinstance(error, Overloaded):
        return 503, {"retry-after": str(RETRY_AFTER_SECONDS)}
    if isinstance(error, LimitExceeded):
        return 422, {}
    if isinstance(error, (JobFailed, VerificationError)):
        return 500, {}
    if isinstance(error, NameTaken):
        return 409, {}
    if isinstance(error, ToolMissingError):
        return 501, {}
    return 400, {}


def exercise_text(raw: str) -> str:
    """A typed exercise (``--exercise``), bounded as every typed input before a worker reads it:
    one line of at most :data:`MAX_EXERCISE_CHARACTERS` printable characters."""
    text = raw.strip()
    if not text:
        raise InputError('--exercise is empty: give the function, such as --exercise "f(x) = x^2 sin(x)"')
    if len(text) > MAX_EXERCISE_CHARACTERS:
        raise InputError(f"--exercise is too long ({len(text)} characters; the limit is {MAX_EXERCISE_CHARACTERS})")
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") for char in text):
        raise InputError("--exercise must be one line of printable characters, such as \"f(x) = x^2 sin(x)\"")
    return text


def check_lines(text: str) -> None:
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise HTTPProblem(413, f"the derivation has {lines} lines; the limit is {MAX_LINES}")


def json_body(body: bytes) -> dict[str, Any]:
    try:
        values = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, ValueError):
        raise HTTPProblem(400, "the request body is not JSON: send {\"text\": \"...\"}") from None
    if not isinstance(values, dict):
        raise HTTPProblem(400, "the request body must be a JSON object, such as {\"text\": \"...\"}")
    return values


def student_name(raw: str) -> str:
    """A student's name or id: letters, digits, spaces and . - _ ' @ +, at most 64 characters."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise HTTPProblem(400, "write your name or student id before you submit")
    if len(name) > 64 or not all(char.isalnum() or char in _STUDENT_PUNCTUATION for char in name) or set(name) <= set(".'-_ "):
        raise HTTPProblem(400, "a name or student id may have letters, digits, spaces and . - _ ' @ + (at most 64 characters)")
    return name


def summary(report: dict[str, Any], first: dict[str, Any] | None) -> str:
    """One sentence for the screen reader's live region."""
    counts = report["counts"]
    lines = f"{len(report['lines'])} line{'s' if len(report['lines']) != 1 else ''}"
    verdict = "Valid" if report["valid"] else "Not valid"
    text = f"{verdict}: {lines}, {counts['correct']} correct, {counts['wrong']} wrong, {counts['unparsed']} not read or not decided."
    if first is not None:
        text += f" First error on line {first['line']}: {first['message']}"
    return text


def share_link(chosen: dict[str, Any]) -> str:
    import urllib.parse

    query = {"function": chosen["function"]} if chosen["function"] else {"exercise": chosen["exercise"]}
    if chosen["variable"] is not None:
        query["var"] = chosen["variable"]
    return "/check?" + urllib.parse.urlencode(query)


def download_query(wanted: dict[str, Any]) -> str:
    import urllib.parse

    query = {key: value for key, value in (("name", wanted["name"]), ("expression", wanted["expression"]),
                                           ("route", wanted["route"])) if value}
    if wanted["expression"] and wanted["variable"] != "x":
        query["var"] = wanted["variable"]
    return urllib.parse.urlencode(query)


def attachment(body: bytes | str, filename: str, media: str, *, inline: bool = False) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)[:100]
    disposition = "inline" if inline else f'attachment; filename="{safe}"'
    return Response(body, media_type=media, headers={"content-disposition": disposition, "cache-control": "no-store"})


def class_report(submissions: list[Submission]) -> dict[str, Any]:
    """What the class report shows, from the stored verdicts (each student's latest submission)."""
    checked = [s for s in submissions if s.checked]
    reports = [s.report for s in checked if s.report is not None]
    mistakes: Counter[str] = Counter()
    explanations: dict[str, list[dict[str, Any]]] = {}
    examples: dict[str, str] = {}
    first_errors: Counter[int] = Counter()
    unreadable: list[str] = []
    for report in reports:
        seen = set()
        for line in report["lines"]:
            key = line.get("diagnosis_key")
            if key and key not in seen:
                seen.add(key)
                mistakes[key] += 1
                explanations.setdefault(key, said(line.get("diagnosis"), line.get("diagnosis_segments")))
                examples.setdefault(key, line["source"])
            if line["status"] == "unparsed" and line["relation"] == "not read" and len(unreadable) < 50:
                unreadable.append(line["source"])
        if report["first_error"] is not None:
            first_errors[int(report["first_error"])] += 1
    highest = max(first_errors.values(), default=0)
    bars = [{"line": line, "count": count, "width": 0 if not highest else round(300 * count / highest)}
            for line, count in sorted(first_errors.items())]
    return {
        "students": len(submissions), "checked": len(checked),
        "valid": sum(1 for report in reports if report["valid"]),
        "unusable": sum(1 for s in checked if s.report is None),
        "pending": len(submissions) - len(checked),
        "mistakes": [{"key": key, "count": count, "explanation": explanations[key], "example": examples[key]}
                     for key, count in mistakes.most_common()],
        "bars": bars, "unreadable": sorted(set(unreadable)),
    }


def _compile(latex: str) -> bytes:
    from derive.output import compile_pdf, write_text

    with tempfile.TemporaryDirectory(prefix="derive-serve-") as folder:
        return compile_pdf(write_text(Path(folder) / "handout.tex", latex)).read_bytes()


def _form_pairs(body: bytes) -> list[tuple[str, str]]:
    import urllib.parse

    try:
        return urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        raise HTTPProblem(400, "the form is not valid UTF-8 form data") from None


def _whole(text: str, what: str, low: int, high: int) -> int:
    if not text.strip().isdigit() or not low <= int(text) <= high:
        raise HTTPProblem(400, f"{what} must be a whole number from {low} to {high}")
    return int(text)


def _csv_cell(value: Any) -> Any:
    """A cell that a spreadsheet will not run as a formula (a student's name may start with '=')."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:60] or "class"


def _templates(folder: str) -> Path:
    from derive.renderer.environment import templates_folder

    return templates_folder() / folder


def _with_bearer(request: Request, token: str) -> Request:
    scope = dict(request.scope)
    scope["headers"] = [*[(k, v) for k, v in request.scope["headers"] if k != b"authorization"],
                        (b"authorization", f"Bearer {token}".encode())]
    return Request(scope)


def create_app(options: ServeOptions | None = None, *, work: Work | None = None) -> Starlette:
    """The ASGI application (start it with :func:`derive.web.server.serve`, or any ASGI server);
    ``work``: its worker pool, if already starting (else one is made)."""
    web = WebApp(options or ServeOptions(), work)
    routes = [
        Route("/", web.home),
        Route("/check", web.check_page, methods=["GET", "POST"]),
        Route("/check/live", web.check_live, methods=["POST"]),
        Route("/derive", web.derive_page),
        Route("/derive/download", web.derive_download),
        Route("/worksheets", web.worksheets_page, methods=["GET", "POST"]),
        Route("/class", web.class_page),
        Route("/class/submit", web.class_submit, methods=["POST"]),
        Route("/class/live", web.class_live, methods=["POST"]),
        Route("/class/submissions/{number}", web.class_submission),
        Route("/teacher", web.teacher),
        Route("/teacher/rows", web.teacher_rows),
        Route("/teacher/submissions/{number}", web.teacher_submission),
        Route("/teacher/grades.csv", web.teacher_csv),
        Route("/teacher/details.json", web.teacher_details),
        Route("/teacher/report.html", web.teacher_report),
        Route("/api/check", web.api_check, methods=["POST"]),
        Route("/api/derive", web.api_derive, methods=["POST"]),
        Route("/static/{name}", web.static),
        Route("/healthz", web.healthz),
    ]
    app = Starlette(routes=routes, lifespan=web.lifespan, middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={DeriveError: web.problem, 404: web.not_found, 405: web.not_found})
    app.state.web = web
    return app
