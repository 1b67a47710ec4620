"""Write documents to files: the handout of a function, worksheets and keys, PDFs.

The one place that touches the file system for output. Files are written atomically (a
temporary file renamed into place), so an interrupted run never leaves a half-written
document, and their bytes depend only on the input (no dates, no random names).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from derive.errors import DeriveError, InputError, ToolMissingError
from derive.renderer import EXTENSIONS

DOCUMENT_FORMATS = ("latex", "markdown", "html")
LATEX_TIMEOUT_SECONDS = 180


def formats_from(choice: str) -> tuple[str, ...]:
    return DOCUMENT_FORMATS if choice == "all" else (choice,)


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically, as UTF-8 with Unix newlines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    """The process umask (read by setting and restoring it; there is no other portable way)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def prepare_folder(folder: Path) -> Path:
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out {folder} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot create the folder {folder}: {error.strerror}") from None
    return folder


def write_handout(name: str, folder: Path, formats: Iterable[str], *, route: str | None = None, style: object = None) -> list[Path]:
    """The handout of catalogue function ``name`` in each format; returns the paths written."""
    from derive.api import derive
    from derive.differentiate.catalogue import lookup

    entry = lookup(name)
    if entry.document == "jacobian":
        return write_jacobian(entry.name, folder, formats)
    if entry.document == "gradient":
        from derive.api import gradient

        return write_gradient(gradient(entry.name, route=route), entry.name, folder, formats)
    chosen = route or entry.default_route
    derivation = derive(entry.name, route=chosen, properties=entry.activation)
    others = [derive(entry.name, route=other) for other in entry.routes if other != chosen]
    return write_derivation(derivation, entry.name, folder, formats, others=others, style=style)


def write_derivation(derivation: object, stem: str, folder: Path, formats: Iterable[str], *, others: list[object] | None = None,
                     style: object = None) -> list[Path]:
    """The handout of one derivation in each format (plus the plot beside the Markdown file)."""
    from derive.renderer import render_handouts

    prepare_folder(folder)
    texts = render_handouts(derivation, tuple(formats), others=others or [], style=style, plot_file=f"{stem}.svg")  # type: ignore[arg-type]
    written = []
    for output_format in formats:
        written.append(write_text(folder / f"{stem}.{EXTENSIONS[output_format]}", texts[output_format]))
        if output_format == "markdown" and "svg" in texts:
            written.append(write_text(folder / f"{stem}.svg", texts["svg"]))
    return written


def write_worksheets(name: str, folder: Path, formats: Iterable[str], *, students: int | None, seed: int) -> list[Path]:
    """Worksheets and answer keys (one pair, or one pair per student) in each format."""
    from derive.renderer import render_worksheet
    from derive.worksheets import WorksheetBuilder

    sheets = WorksheetBuilder(name, seed=seed).worksheets(students)
    prepare_folder(folder)
    written = []
    for sheet in sheets:
        for output_format in formats:
            extension = EXTENSIONS[output_format]
            for answers, suffix in ((False, ""), (True, "-key")):
                text = render_worksheet(sheet, output_format, answers=answers)
                written.append(write_text(folder / f"{sheet.stem}{suffix}.{extension}", text))
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


def write_comparison(folder: Path, formats: Iterable[str]) -> list[Path]:
    """The comparison table of the whole catalogue (every entry derived, verified, with properties)."""
    from derive.api import derive
    from derive.differentiate.catalogue import ENTRIES
    from derive.renderer import render_comparison

    derivations = [(entry.title, derive(entry.name, properties=True)) for entry in ENTRIES if entry.activation]
    texts = {output_format: render_comparison(derivations, output_format) for output_format in formats}
    prepare_folder(folder)
    return [write_text(folder / f"catalogue.{EXTENSIONS[output_format]}", text) for output_format, text in texts.items()]


def write_jacobian(stem: str, folder: Path, formats: Iterable[str]) -> list[Path]:
    """The softmax Jacobian document in each format."""
    from derive.api import softmax_jacobian
    from derive.renderer import render_jacobian

    facts = softmax_jacobian()
    texts = {output_format: render_jacobian(facts, output_format) for output_format in formats}
    prepare_folder(folder)
    return [write_text(folder / f"{stem}.{EXTENSIONS[output_format]}", text) for output_format, text in texts.items()]


def write_gradient(gradient: object, stem: str, folder: Path, formats: Iterable[str]) -> list[Path]:
    """Every partial derivative of a loss and its gradient vector, in each format."""
    from derive.renderer import render_gradient

    texts = {output_format: render_gradient(gradient, output_format) for output_format in formats}  # type: ignore[arg-type]
    prepare_folder(folder)
    return [write_text(folder / f"{stem}.{EXTENSIONS[output_format]}", text) for output_format, text in texts.items()]
