"""Grade a whole class: check every submission, in parallel, into a CSV gradebook and a JSON file.

One broken or hostile file never stops the batch: its row says why it could not be graded.
Rows come out in file-name order whatever order the workers finish in, so results are
deterministic.
"""

from __future__ import annotations

import csv
import io
import json
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from derive.checker import check_file, check_timeout
from derive.differentiate.catalogue import lookup
from derive.parse import check_variable_name
from derive.verdicts import Report
from derive.checker.worker import DEFAULT_TIMEOUT_SECONDS, ProofWorker
from derive.errors import DeriveError, InputError

CSV_COLUMNS = ("file", "valid", "first_error", "lines", "correct", "wrong", "unparsed", "diagnosis", "error")
SUBMISSION_SUFFIXES = (".tex", ".txt", ".md", ".text", ".latex")


@dataclass(frozen=True, kw_only=True)
class Graded:
    path: Path
    report: Report | None
    error: str | None

    def row(self) -> dict[str, Any]:
        if self.report is None:
            return {"file": str(self.path), "valid": False, "first_error": "", "lines": 0, "correct": 0, "wrong": 0,
                    "unparsed": 0, "diagnosis": "", "error": self.error or ""}
        report = self.report
        return {
            "file": str(self.path), "valid": report.valid, "first_error": report.first_error or "",
            "lines": len(report.lines), "correct": report.count("correct"), "wrong": report.count("wrong"),
            "unparsed": report.count("unparsed"), "diagnosis": ";".join(dict.fromkeys(report.diagnoses)), "error": "",
        }


def collect(paths: Iterable[Path], *, exclude: Iterable[Path] = ()) -> list[Path]:
    """The submissions named by ``paths``: files as given, and every file inside folders.

    Nothing is skipped silently: hidden files aside, every file, link, pipe or missing path
    becomes a row of the gradebook, and those that cannot be graded get a row that says why
    (see :func:`not_a_submission`). ``exclude`` names files to leave out (the gradebook itself,
    when it is written into the folder being graded).
    """
    paths = list(paths)
    excluded = {_resolved(path) for path in exclude}
    if not any(path.exists() or path.is_symlink() for path in paths):
        raise InputError(f"{paths[0] if len(paths) == 1 else 'none of the paths'}: no such file or folder")
    found: list[Path] = []
    for path in paths:
        if _is_folder(path):
            found.extend(sorted(p for p in _walk(path) if _resolved(p) not in excluded))
        else:
            found.append(path)  # a missing or unreadable path gets its row too
    if not found:
        raise InputError("no submissions found")
    return sorted(dict.fromkeys(found))


def _walk(folder: Path) -> Iterator[Path]:
    """Every non-hidden entry below ``folder`` that is not a folder itself (links are not followed)."""
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            yield from _walk(entry)
        else:
            yield entry


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()


_BACKUP_SUFFIXES = (".bak", ".orig", ".swp", ".swo", ".tmp")


def not_a_submission(path: Path) -> str | None:
    """Why ``path`` is not graded (a broken link, a link to a folder, a backup, a word-processor
    file), or None if it is. Pipes and devices are refused by :func:`read_submission`, for
    ``check`` and ``grade`` alike."""
    try:
        target = path.stat()
    except FileNotFoundError:
        return f"{path}: a broken link (the file it points to is missing)" if path.is_symlink() else f"{path}: no such file"
    except (OSError, RuntimeError) as error:
        return f"{path}: cannot be read ({getattr(error, 'strerror', None) or 'a link that points to itself'})"
    if stat.S_ISDIR(target.st_mode):
        return f"{path}: a link to a folder (not followed: give the folder itself to grade it)"
    if path.name.endswith("~") or path.suffix.lower() in _BACKUP_SUFFIXES:
        return f"{path}: not graded: an editor's backup copy"
    suffix = path.suffix.lower()
    if suffix and suffix not in SUBMISSION_SUFFIXES and len(suffix) <= 6 and suffix[1:].isalnum():
        return (f"{path}: not graded: a {suffix} file is not a plain-text submission "
                f"(save it as .tex or .txt; accepted endings: {', '.join(SUBMISSION_SUFFIXES)} or none)")
    return None


def grade(
    paths: list[Path],
    *,
    jobs: int = 1,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> list[Graded]:
    """Check every submission with ``jobs`` proof workers; results in the order of ``paths``.

    The options that apply to every file (function, variable, time limit) are checked first, so
    that a mistake in them is one error, not one per row.
    """
    check_timeout(timeout)
    check_timeout(options.get("file_timeout", timeout))
    if options.get("variable") is not None:
        check_variable_name(options["variable"])
    lookup(options.get("function", "sigmoid"))
    local = threading.local()
    workers: list[ProofWorker] = []
    lock = threading.Lock()
    done = [0]

    def one(path: Path) -> Graded:
        if not hasattr(local, "worker"):
            local.worker = ProofWorker(timeout=timeout)
            with lock:
                workers.append(local.worker)
        try:
            reason = not_a_submission(path)
            if reason is not None:
                raise InputError(reason)
            result = Graded(path=path, report=check_file(path, worker=local.worker, **options), error=None)
        except DeriveError as error:
            result = Graded(path=path, report=None, error=str(error))
        with lock:
            done[0] += 1
            if progress is not None:
                progress(done[0], len(paths))
        return result

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            return list(pool.map(one, paths))
    finally:
        for worker in workers:
            worker.close()


def gradebook_csv(results: list[Graded]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        writer.writerow(result.row())
    return buffer.getvalue()


def details_json(results: list[Graded]) -> str:
    data = {
        "submissions": [
            {"file": str(result.path), "error": result.error,
             "report": None if result.report is None else result.report.as_json_data()}
            for result in results
        ]
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def progress_bar(done: int, total: int) -> None:
    """A one-line progress bar on stderr (only when stderr is a terminal)."""
    if not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\rchecking [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
