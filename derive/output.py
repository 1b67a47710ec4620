"""Write documents to files: the handout of a function, worksheets and keys, PDFs.

The one place that touches the file system for output. Files are written atomically (a
temporary file renamed into place), so an interrupted run never leaves a half-written
document, and their bytes depend only on the input (no dates, no random names). Where output
goes is checked before any work starts (:func:`check_output_folder`, :func:`check_output_file`):
a folder that cannot be written is one line and exit 2 up front, never a traceback after the work.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import IO

from derive.errors import DeriveError, InputError, ToolMissingError
from derive.forking import Channel, Helper, HelperFailed
from derive.renderer import EXTENSIONS

DOCUMENT_FORMATS = ("latex", "markdown", "html")
LATEX_TIMEOUT_SECONDS = 180


def formats_from(choice: str) -> tuple[str, ...]:
    return DOCUMENT_FORMATS if choice == "all" else (choice,)


def write_text(path: Path, text: str, *, durable: bool = True) -> Path:
    """Write ``text`` to ``path`` atomically, as UTF-8 with Unix newlines.

    A failure (a full disk, a folder that cannot be written) is one :class:`DeriveError` that
    names the file; whatever was at ``path`` before stays as it was. ``durable=False``: not
    synced to disk before the rename (see :class:`AtomicFile`).
    """
    with AtomicFile(path, durable=durable) as stream:
        stream.write(text)
    return path


class AtomicFile:
    """A text file written in pieces and put in place only when complete (``with`` block, or
    :meth:`commit`): it goes to a hidden temporary file beside ``path``, which is flushed to disk
    and renamed over ``path`` at the end. If the block fails, or the process is interrupted, the
    temporary file is removed and the previous ``path`` (a gradebook of an earlier run) is intact.

    ``durable=False`` skips the sync before the rename: the rename alone is what makes the file
    appear whole or not at all to every reader and after any crash of the process; the sync
    only guards the new bytes against a power cut of the machine. For files that are many and
    can be written again (one feedback file per student), not for a gradebook.

    >>> with AtomicFile(Path(folder) / "grades.csv") as stream:  # doctest: +SKIP
    ...     stream.write("file,valid\n")
    """

    def __init__(self, path: Path, *, durable: bool = True) -> None:
        self.path = path
        self.durable = durable
        self._temporary: Path | None = None
        self._stream: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        return self.open()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()

    def open(self) -> IO[str]:
        try:
            try:
                handle, temporary = self._temporary_file()
            except FileNotFoundError:  # the folder is made on the first file written into it
                self.path.parent.mkdir(parents=True, exist_ok=True)
                handle, temporary = self._temporary_file()
        except OSError as error:
            raise cannot_write(self.path, error) from None
        self._temporary = Path(temporary)
        self._stream = os.fdopen(handle, "w", encoding="utf-8", newline="\n")
        return self._stream

    def _temporary_file(self) -> tuple[int, str]:
        return tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial", dir=self.path.parent)

    def write(self, text: str) -> None:
        assert self._stream is not None, "open() first"
        try:
            self._stream.write(text)
        except OSError as error:
            self.abort()
            raise cannot_write(self.path, error) from None

    def commit(self) -> Path:
        """Flush, sync (when durable) and rename the finished file into place."""
        assert self._stream is not None and self._temporary is not None, "open() first"
        try:
            self._stream.flush()
            if self.durable:
                os.fsync(self._stream.fileno())
            self._stream.close()
            os.chmod(self._temporary, 0o666 & ~_umask())
            os.replace(self._temporary, self.path)
        except OSError as error:
            self.abort()
            raise cannot_write(self.path, error) from None
        self._stream = self._temporary = None
        return self.path

    def abort(self) -> None:
        """Drop the unfinished file; ``path`` keeps what it had."""
        if self._stream is not None:
            try:
                self._stream.close()
            except OSError:
                pass
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
        self._stream = self._temporary = None


def cannot_write(path: Path, error: OSError) -> DeriveError:
    """One line for a write that failed (a full disk, a file too large for the system's limit)."""
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full"
    elif error.errno == errno.EFBIG:
        reason = "the file would be larger than the system allows (a full disk or a size limit)"
    return DeriveError(f"cannot write {path}: {reason}")


def remove_partials(path: Path) -> None:
    """Remove what an :class:`AtomicFile` for ``path`` left behind when its process was killed
    (SIGKILL leaves no chance to clean up)."""
    for stale in path.parent.glob(f".{path.name}.*.partial"):
        stale.unlink(missing_ok=True)


def check_output_folder(folder: Path, option: str = "--out") -> Path:
    """Make sure files can be written in ``folder``: one :class:`InputError` (exit 2) that names
    the option when they cannot (``/proc/self``, ``/sys``, a file in the way, no permission), before
    any work is done. Nothing is created: a folder that does not exist yet is checked by writing a
    probe file in the nearest folder above it that exists (permission bits do not tell, on
    read-only and virtual file systems)."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{option} {folder} exists and is not a folder")
    existing = folder
    while not existing.exists():
        if existing.is_symlink():
            raise InputError(f"{option} {folder}: cannot write there ({existing} is a broken link)")
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{option} {folder}: cannot write there ({existing} is a file, not a folder)")
    try:
        handle, probe = tempfile.mkstemp(prefix=".derive-write-check.", dir=existing)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise InputError(f"{option} {folder}: cannot write there ({error.strerror or error})") from None
    return folder


def check_output_file(path: Path, option: str = "--out") -> Path:
    """Make sure ``path`` can be written (its folder is created): see :func:`check_output_folder`."""
    if path.is_dir():
        raise InputError(f"{option} {path} is a folder: give the file to write")
    check_output_folder(path.parent, option)
    if path.exists() and not os.access(path, os.W_OK) and not os.access(path.parent, os.W_OK):
        raise InputError(f"{option} {path}: cannot write there (permission denied)")
    return path


def _umask() -> int:
    """The process umask (read by setting and restoring it; there is no other portable way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def prepare_folder(folder: Path) -> Path:
    """The folder for documents, known to be writable (see :func:`check_output_folder`), created."""
    check_output_folder(folder, "--out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"--out {folder}: cannot create the folder ({error.strerror or error})") from None
    return folder


#: Derivations of catalogue entries already made in one run, by (name, route, properties, detail):
#: what :func:`write_catalogue` hands from the comparison table to the handouts of the same functions.
Known = dict[tuple[str, str, bool, str], object]


def write_handout(name: str, folder: Path, formats: Iterable[str], *, route: str | None = None, style: object = None,
                  detail: str = "standard", known: Known | None = None, helper: bool = False) -> list[Path]:
    """The handout of catalogue function ``name`` in each format, its steps at ``detail``; returns
    the paths written. ``known``: derivations made earlier in this run (see :func:`write_catalogue`).

    ``helper``: with HTML and another format, fork a helper process (:mod:`derive.forking`) that,
    on the second core, derives the other routes while this process derives the chosen route,
    proves its properties and draws the graph, and then writes the HTML (latex2mathml's import
    and the MathML of every formula, the longest part of the rendering) while this one writes the
    LaTeX and Markdown; for a gradient, the helper writes the HTML. The files are the same bytes
    either way; a helper that fails leaves its work to this process.
    """
    from derive.differentiate.catalogue import lookup

    formats = tuple(formats)
    entry = lookup(name)
    if entry.document == "jacobian":
        return write_jacobian(entry.name, folder, formats, detail=detail)
    if entry.document == "gradient":
        from derive.api import gradient

        forked = _start_gradient_helper() if helper and "html" in formats and len(formats) > 1 else None
        if forked is None:
            return write_gradient(gradient(entry.name, route=route, detail=detail), entry.name, folder, formats)
        try:
            return _write_gradient_helped(entry.name, entry.gradient_variables, folder, formats, route, detail, forked)
        finally:
            forked.close()
    chosen = route or entry.default_route
    routes = [other for other in entry.routes if other != chosen]
    forked = _start_html_helper(entry.name, routes, style, detail) if helper and "html" in formats and len(formats) > 1 else None
    try:
        views = drawn = None
        derivation = _derived(known, entry.name, chosen, properties=entry.activation, detail=detail)
        if forked is not None:
            from derive.renderer import draw, plot_request

            drawn = draw(plot_request(derivation))  # here: the helper has the longer share of the work
            try:
                views = forked.channel.receive()
            except HelperFailed:
                forked.close()
                forked = None
        others = [] if views is not None else [_derived(known, entry.name, other, properties=False, detail=detail) for other in routes]
        return write_derivation(derivation, entry.name, folder, formats, others=others, other_views=views, style=style,
                                helper=forked, drawn=drawn)
    finally:
        if forked is not None:
            forked.close()


def _write_gradient_helped(name: str, variables: tuple[str, ...], folder: Path, formats: tuple[str, ...],
                           route: str | None, detail: str, forked: Helper) -> list[Path]:
    """A gradient's document with a helper (:func:`_start_gradient_helper`): each partial
    derivative's view goes to the helper as soon as it is made, and the helper converts its
    formulas to MathML while this process derives the next one."""
    from derive.api import derive, gradient_of
    from derive.renderer import gradient_values, partial_view

    derivations, views = [], []
    helper: Helper | None = forked
    for variable in variables:
        derivation = derive(name, variable, route, detail=detail)  # type: ignore[arg-type]
        derivations.append(derivation)
        views.append(partial_view(derivation))
        if helper is not None:
            try:
                helper.channel.send(("warm", views[-1]))
            except HelperFailed:
                helper = None
    values = gradient_values(gradient_of(derivations), partial_views=views)
    # the helper has the partial derivatives' views, their MathML made: the rest is all it needs
    return _write_gradient_values(values, name, folder, formats, helper, sent={**values, "partials": None})


def _start_gradient_helper() -> Helper | None:
    """A helper for a gradient's document: it loads latex2mathml and compiles the template, converts
    the formulas of each partial derivative's view it is sent (``("warm", view)``) while the parent
    derives the next, then renders the HTML of the values it is sent (``("render", values)``)."""

    def work(channel: Channel) -> None:
        from derive.renderer import render_gradient_values
        from derive.renderer.environment import environment
        from derive.renderer.view import warm_all_mathml

        environment("html").get_template("gradient.html.j2")
        views = []
        while True:
            kind, value = channel.receive()
            if kind == "render":
                channel.send(render_gradient_values({**value, "partials": views}, "html"))
                return
            warm_all_mathml(value)
            views.append(value)

    return _start_helper(work)


def _start_html_helper(name: str, routes: list[str], style: object, detail: str) -> Helper | None:
    """A helper for :func:`write_handout`. It sends the views of the other routes, then renders
    the HTML of the handout values it is sent: it loads latex2mathml, compiles the template and
    converts the other routes' formulas (most of the page's MathML) while the parent proves the
    properties, draws the graph and makes the handout's values."""

    def work(channel: Channel) -> None:
        from derive.api import derive
        from derive.renderer import render_handout_values, route_views

        views = route_views([derive(name, route=route, properties=False, detail=detail) for route in routes], style)  # type: ignore[arg-type]
        channel.send(views)
        from derive.renderer.environment import environment
        from derive.renderer.view import warm_mathml

        environment("html").get_template("handout.html.j2")
        warm_mathml(views)
        _, values = channel.receive()  # ("render", values)
        channel.send(render_handout_values(values, "html"))

    return _start_helper(work)


def _start_helper(work: Callable[[Channel], None]) -> Helper | None:
    """:meth:`Helper.start` once the modules that both processes go on to use are loaded: the
    renderer's contexts and Jinja2 (about 60 ms), imported once here rather than once in each."""
    import derive.renderer.contexts
    import derive.renderer.environment  # noqa: F401 - loaded for both processes

    return Helper.start(work)


def _derived(known: Known | None, name: str, route: str, *, properties: bool, detail: str) -> object:
    """``derive(name, route=route, ...)``, or the same derivation made earlier in this run (a
    derivation is immutable: frozen records of SymPy expressions, every step proved when made)."""
    from derive.api import derive

    key = (name, route, properties, detail)
    if known is None:
        return derive(name, route=route, properties=properties, detail=detail)  # type: ignore[arg-type]
    if key not in known:
        known[key] = derive(name, route=route, properties=properties, detail=detail)  # type: ignore[arg-type]
    return known[key]


def write_derivation(derivation: object, stem: str, folder: Path, formats: Iterable[str], *, others: list[object] | None = None,
                     other_views: list[dict[str, object]] | None = None, style: object = None,
                     helper: Helper | None = None, drawn: object = None) -> list[Path]:
    """The handout of one derivation in each format (plus the plot beside the Markdown file).
    ``other_views``: the other routes' views, made already; ``drawn``: its graph, drawn already;
    ``helper``: a helper of :func:`write_handout` that renders the HTML."""
    from derive.renderer import handout_values, render_handout_values

    prepare_folder(folder)
    values = handout_values(derivation, others=others or [], other_views=other_views, style=style,  # type: ignore[arg-type]
                            plot_file=f"{stem}.svg", drawn=drawn)  # type: ignore[arg-type]
    texts = _rendered(values, tuple(formats), render_handout_values, helper)
    written = []
    for output_format in formats:
        written.append(write_text(folder / f"{stem}.{EXTENSIONS[output_format]}", texts[output_format]))
        if output_format == "markdown" and values["svg_markup"]:
            written.append(write_text(folder / f"{stem}.svg", str(values["svg_markup"])))
    return written


def _rendered(values: dict[str, object], formats: tuple[str, ...], render: Callable[[dict[str, object], str], str],
              helper: Helper | None, *, sent: dict[str, object] | None = None) -> dict[str, str]:
    """``render(values, format)`` for each format; the HTML by ``helper`` (sent the values, or
    ``sent``: what it lacks of them) when there is one, or here if it fails."""
    if helper is not None:
        try:
            helper.channel.send(("render", values if sent is None else sent))
        except HelperFailed:
            helper = None
    texts = {output_format: render(values, output_format) for output_format in formats if helper is None or output_format != "html"}
    if helper is not None:
        try:
            texts["html"] = helper.channel.receive()
        except HelperFailed:
            texts["html"] = render(values, "html")
    return {output_format: texts[output_format] for output_format in formats}


def write_worksheets(name: str, folder: Path, formats: Iterable[str], *, students: int | None, seed: int,
                     detail: str = "standard") -> list[Path]:
    """Worksheets and answer keys (one pair, or one pair per student) in each format, their steps at ``detail``."""
    from derive.renderer import render_worksheet
    from derive.worksheets import WorksheetBuilder

    sheets = WorksheetBuilder(name, seed=seed, detail=detail).worksheets(students)  # type: ignore[arg-type]
    prepare_folder(folder)
    written = []
    for sheet in sheets:
        for output_format in formats:
            extension = EXTENSIONS[output_format]
            for answers, suffix in ((False, ""), (True, "-key")):
                text = render_worksheet(sheet, output_format, answers=answers)
                written.append(write_text(folder / f"{sheet.stem}{suffix}.{extension}", text))
    return written


def write_class_sets(pdfs: list[Path], name: str, folder: Path) -> list[Path]:
    """Two PDFs ready to print: every student's worksheet in one (``NAME-worksheets.pdf``) and every
    answer key in the other (``NAME-keys.pdf``), in the students' order."""
    from derive.renderer import render_class_set

    written = []
    for kind, stem in ((False, f"{name}-worksheets"), (True, f"{name}-keys")):
        files = [pdf.name for pdf in pdfs if pdf.stem.endswith("-key") == kind]
        if files:
            tex = write_text(folder / f"{stem}.tex", render_class_set(files))
            written.append(compile_pdf(tex))
            tex.unlink()
    return written


def compile_pdf(tex: Path) -> Path:
    """Compile ``tex`` with latexmk (no shell escape, reading only below the folder); return the PDF."""
    latexmk = shutil.which("latexmk")
    if latexmk is None:
        raise ToolMissingError("--pdf needs latexmk and pdflatex (Debian: apt-get install latexmk texlive-latex-recommended texlive-pictures)")
    environment = {**os.environ, "openin_any": "p", "openout_any": "p"}
    command = [latexmk, "-pdf", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-quiet", tex.name]
    try:
        result = subprocess.run(command, cwd=tex.parent, env=environment, capture_output=True, text=True,
                                timeout=LATEX_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise DeriveError(f"latexmk took longer than {LATEX_TIMEOUT_SECONDS} s on {tex}") from None
    if result.returncode != 0:
        log = tex.with_suffix(".log")
        first = next((line for line in log.read_text(errors="replace").splitlines() if line.startswith("!")), "") if log.exists() else ""
        raise DeriveError(f"LaTeX could not compile {tex}: {first or 'see ' + str(log)}")
    subprocess.run([latexmk, "-c", "-quiet", tex.name], cwd=tex.parent, env=environment, capture_output=True, check=False)
    return tex.with_suffix(".pdf")


def write_comparison(folder: Path, formats: Iterable[str], *, known: Known | None = None,
                     rows: dict[str, dict[str, object]] | None = None) -> list[Path]:
    """The comparison table of the whole catalogue (every entry derived, verified, with properties);
    ``known``: derivations made earlier in this run, ``rows``: the table's rows of some entries,
    by name, made from such derivations in worker processes (see :func:`write_catalogue`)."""
    from derive.differentiate.catalogue import ENTRIES
    from derive.renderer import render_comparison
    from derive.renderer.comparison import comparison_row

    rows = rows or {}
    table = [rows.get(entry.name) or comparison_row(
        entry.title, _derived(known, entry.name, entry.default_route, properties=True,  # type: ignore[arg-type]
                              detail="standard"))
        for entry in ENTRIES if entry.activation]
    texts = {output_format: render_comparison(table, output_format)  # type: ignore[arg-type]
             for output_format in formats}
    prepare_folder(folder)
    return [write_text(folder / f"catalogue.{EXTENSIONS[output_format]}", text) for output_format, text in texts.items()]


def write_catalogue(folder: Path, formats: Iterable[str], *, jobs: int = 1) -> list[Path]:
    """Every catalogue entry's handout and the comparison table, in each format: what ``derive NAME``
    for each entry and ``derive compare`` write, the same bytes, shared among ``jobs`` processes.

    The work is CPU-bound (derivations and proofs), so with more than one job it is handed to
    worker processes forked from this one (nothing is imported again; each dies with this process
    and has the sandbox's memory cap). Each entry is a share of the work (:func:`write_catalogue_part`),
    the longest first (gradients, then the functions with several routes), so that the workers
    finish together; each worker writes whole documents, so the files do not depend on how the
    work was shared. An activation function's handout derives it with its properties, and the
    worker sends back the comparison table's row of that derivation: this process writes the
    table from the rows, each derivation and proof made once. Without ``fork`` (or in a process
    that runs threads, where forking is unsafe) everything is done here. Returns the paths
    written, in the catalogue's order, then the table's.
    """
    from derive.differentiate.catalogue import ENTRIES

    formats = tuple(formats)
    prepare_folder(folder)
    longest_first = sorted(ENTRIES, key=lambda entry: (entry.document == "handout", -len(entry.routes)))
    shares = [entry.name for entry in longest_first]
    if jobs <= 1 or not _can_fork():
        done = [write_catalogue_part(name, folder, formats) for name in shares]
    else:
        import multiprocessing  # here, not at the top: `derive NAME` never needs it (see derive.cli.run)
        from concurrent.futures import ProcessPoolExecutor

        from derive.sandbox import MEMORY_LIMIT_BYTES, prepare_child

        _load_renderer(formats)
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=prepare_child,
                                 initargs=(MEMORY_LIMIT_BYTES,)) as pool:
            futures = [pool.submit(write_catalogue_part, name, folder, formats) for name in shares]
            done = [future.result() for future in futures]
    written = {name: paths for name, (paths, _) in zip(shares, done)}
    rows = {name: row for _, made in done for name, row in made.items()}
    table = write_comparison(folder, formats, rows=rows)
    return [path for entry in ENTRIES for path in written[entry.name]] + table


def write_catalogue_part(name: str, folder: Path, formats: tuple[str, ...]) -> tuple[list[Path], dict[str, object]]:
    """One share of :func:`write_catalogue`: the handout of entry ``name``; the paths written,
    and the comparison table's row of each activation function derived for it, by name."""
    from derive.differentiate.catalogue import lookup
    from derive.renderer.comparison import comparison_row

    known: Known = {}
    written = write_handout(name, folder, formats, known=known)
    rows = {}
    for (derived, route, properties, detail), derivation in known.items():
        entry = lookup(derived)
        if entry.activation and properties and detail == "standard" and route == entry.default_route:
            rows[derived] = comparison_row(entry.title, derivation)  # type: ignore[arg-type]
    return written, rows


def _load_renderer(formats: tuple[str, ...]) -> None:
    """Load, before the workers are forked, what each would otherwise load for itself: the
    renderer's modules (latex2mathml for HTML) and the handout templates, compiled."""
    import derive.renderer.contexts  # noqa: F401 - loaded for every worker
    from derive.renderer.environment import environment

    if "html" in formats:
        import derive.renderer.mathml  # noqa: F401
    for output_format in formats:
        for document in ("handout", "gradient", "jacobian", "comparison"):
            environment(output_format).get_template(f"{document}.{EXTENSIONS[output_format]}.j2")


def _can_fork() -> bool:
    """Whether worker processes can be forked from this one: the start method exists and no other
    thread runs (a thread holding a lock at the fork would leave it held in the child)."""
    import multiprocessing
    import threading

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def write_jacobian(stem: str, folder: Path, formats: Iterable[str], *, detail: str = "standard") -> list[Path]:
    """The softmax Jacobian document in each format, its steps at ``detail``."""
    from derive.api import softmax_jacobian
    from derive.renderer import render_jacobian

    facts = softmax_jacobian(detail=detail)  # type: ignore[arg-type]
    texts = {output_format: render_jacobian(facts, output_format) for output_format in formats}
    prepare_folder(folder)
    return [write_text(folder / f"{stem}.{EXTENSIONS[output_format]}", text) for output_format, text in texts.items()]


def write_gradient(gradient: object, stem: str, folder: Path, formats: Iterable[str]) -> list[Path]:
    """Every partial derivative of a loss and its gradient vector, in each format."""
    from derive.renderer import gradient_values

    return _write_gradient_values(gradient_values(gradient), stem, folder, tuple(formats))  # type: ignore[arg-type]


def _write_gradient_values(values: dict[str, object], stem: str, folder: Path, formats: tuple[str, ...],
                           helper: Helper | None = None, *, sent: dict[str, object] | None = None) -> list[Path]:
    from derive.renderer import render_gradient_values

    texts = _rendered(values, formats, render_gradient_values, helper, sent=sent)
    prepare_folder(folder)
    return [write_text(folder / f"{stem}.{EXTENSIONS[output_format]}", text) for output_format, text in texts.items()]
