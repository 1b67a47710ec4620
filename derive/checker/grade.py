"""Grade a whole class: check every submission, in parallel, in file order, one result at a time.

One broken or hostile file never stops the batch: whatever goes wrong inside one submission
(unreadable bytes, a link out of the folder, a limit, even a bug in derive) becomes that
submission's row, and the others are graded. Results come out in file-name order whatever order
the workers finish in, so gradebooks are deterministic; :func:`grade_stream` yields them one by
one with a bounded number in flight, so a class of 100,000 files needs no more memory than one of
100 (the CSV and JSON writers in :mod:`derive.grading` stream them to disk).
"""

from __future__ import annotations

import csv
import io
import json
import stat
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from derive.checker import check, check_exercise, check_one_exercise, check_timeout
from derive.checker.conclusion import NextLine
from derive.checker.reader import read_submission_file
from derive.checker.worker import DEFAULT_TIMEOUT_SECONDS, ProofWorker
from derive.differentiate.catalogue import lookup
from derive.errors import DeriveError, InputError
from derive.parse import check_variable_name
from derive.sandbox import failure
from derive.verdicts import Report

CSV_COLUMNS = ("file", "valid", "first_error", "lines", "correct", "wrong", "unparsed", "diagnosis", "error")
SUBMISSION_SUFFIXES = (".tex", ".txt", ".md", ".text", ".latex")
#: Submissions read and checked ahead of the one being written, per worker.
LOOKAHEAD_PER_WORKER = 8


@dataclass(frozen=True, kw_only=True)
class Graded:
    """One submission's result: its report, or the sentence that says why it has none.
    ``sha256`` is the hash of the bytes graded (None when the file could not be read)."""

    path: Path
    report: Report | None
    error: str | None
    sha256: str | None = None
    reused: bool = False
    #: Files written for this submission where it was graded (its feedback; see grade_stream's ``then``).
    written: tuple[Path, ...] = ()

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


@dataclass(frozen=True, kw_only=True, order=True)
class Found:
    """A path to grade and the folder it was found in (its links may not lead out of that
    folder); ``folder`` is None for a path named on the command line."""

    path: Path
    folder: Path | None = None


#: Looks up an earlier result for a file by the SHA-256 of its bytes (``grade --resume``).
Earlier = Callable[[str], "Report | None"]
#: More work on a submission's result where it was graded, in parallel with the others (its
#: feedback documents, produced in the worker's process): returns the result to yield.
Then = Callable[[Graded, Found, ProofWorker], Graded]


def collect(paths: Iterable[Path], *, exclude: Iterable[Path] = ()) -> list[Path]:
    """The submissions named by ``paths``: files as given, and every file inside folders (see
    :func:`collect_found`)."""
    return [found.path for found in collect_found(paths, exclude=exclude)]


def collect_found(paths: Iterable[Path], *, exclude: Iterable[Path] = (), exclude_folders: Iterable[Path] = ()) -> list[Found]:
    """The submissions named by ``paths``, each with the folder it was found in.

    Nothing is skipped silently: hidden files aside, every file, link, pipe or missing path
    becomes a row of the gradebook, and those that cannot be graded get a row that says why
    (see :func:`not_a_submission`). ``exclude`` names files to leave out (the gradebook itself,
    when it is written into the folder being graded), ``exclude_folders`` folders (feedback and
    reports written there).
    """
    paths = list(paths)
    excluded = {_resolved(path) for path in exclude}
    skipped = {_resolved(folder) for folder in exclude_folders}
    if not any(path.exists() or path.is_symlink() for path in paths):
        raise InputError(f"{paths[0] if len(paths) == 1 else 'none of the paths'}: no such file or folder")
    found: dict[Path, Found] = {}
    for path in paths:
        if _is_folder(path):
            for entry in _walk(path, skipped):
                if _resolved(entry) not in excluded:
                    found.setdefault(entry, Found(path=entry, folder=path))
        else:
            found.setdefault(path, Found(path=path))  # a missing or unreadable path gets its row too
    if not found:
        raise InputError("no submissions found")
    return sorted(found.values())


def _walk(folder: Path, skipped: set[Path] = frozenset()) -> Iterator[Path]:  # type: ignore[assignment]
    """Every non-hidden entry below ``folder`` that is not a folder itself (links are not followed)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            if _resolved(entry) not in skipped:
                yield from _walk(entry, skipped)
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
    ``check`` and ``grade`` alike; links out of the folder being graded by :func:`grade_one`."""
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


def check_grade_options(*, timeout: float = DEFAULT_TIMEOUT_SECONDS, **options: Any) -> None:
    """The options that apply to every file (function, variable, time limits), checked once, so
    that a mistake in them is one error before grading, not one per row."""
    check_timeout(timeout)
    check_timeout(options.get("file_timeout", timeout), what="the time limit for the whole file")
    if options.get("variable") is not None:  # None: the exercise's own variable
        check_variable_name(options["variable"])
    check_one_exercise(options.get("function"), options.get("exercise"))
    lookup(options.get("function") or "sigmoid")
    if options.get("exercise") is not None:
        check_exercise(options["exercise"], options.get("variable") or "x")


def grade_one(found: Found, worker: ProofWorker, *, earlier: Earlier | None = None, **options: Any) -> Graded:
    """One submission's result. Never raises for anything about the file: it becomes the row."""
    path = found.path
    digest = None
    try:
        reason = not_a_submission(path)
        if reason is not None:
            raise InputError(reason)
        submission = read_submission_file(path, inside=found.folder)
        digest = submission.sha256
        known = earlier(digest) if earlier is not None else None
        if known is not None:
            return Graded(path=path, report=replace(known, name=str(path)), error=None, sha256=digest, reused=True)
        report = check(submission.text, name=str(path), worker=worker, **options)
        return Graded(path=path, report=report, error=None, sha256=digest)
    except DeriveError as error:
        return Graded(path=path, report=None, error=str(error), sha256=digest)
    except Exception as error:  # noqa: BLE001 - whatever breaks on one file is that file's row, reported
        return Graded(path=path, report=None, error=str(failure(error, f"{path}: checking")), sha256=digest)


def grade_stream(
    found: Iterable[Found | Path],
    *,
    jobs: int = 1,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    progress: Callable[[int, int], None] | None = None,
    earlier: Earlier | None = None,
    next_line: NextLine | None = None,
    then: Then | None = None,
    **options: Any,
) -> Iterator[Graded]:
    """The result of every submission, in the order given, with ``jobs`` proof workers.

    ``then`` is called on each result in the thread that graded it, with that thread's worker
    (see :data:`Then`); what it raises is raised when that result's turn comes.

    At most ``LOOKAHEAD_PER_WORKER * jobs`` submissions are in flight, so memory stays bounded
    however large the class. Closing the iterator early (an interrupt) stops every worker at
    once: no proof process outlives it.
    """
    check_grade_options(timeout=timeout, **options)
    items = [item if isinstance(item, Found) else Found(path=item) for item in found]
    jobs = max(1, jobs)
    local = threading.local()
    workers: list[ProofWorker] = []
    lock = threading.Lock()
    done = [0]
    stopped = threading.Event()

    def one(item: Found) -> Graded:
        if stopped.is_set():
            return Graded(path=item.path, report=None, error=f"{item.path}: not graded: the grading was interrupted")
        if not hasattr(local, "worker"):
            local.worker = ProofWorker(timeout=timeout)
            with lock:
                workers.append(local.worker)
        result = grade_one(item, local.worker, earlier=earlier, timeout=timeout, next_line=next_line, **options)
        if then is not None and not stopped.is_set():
            result = then(result, item, local.worker)
        with lock:
            done[0] += 1
            if progress is not None:
                progress(done[0], len(items))
        return result

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="derive-grade")
    pending: deque[Future[Graded]] = deque()
    finished = False
    try:
        for item in items:
            pending.append(pool.submit(one, item))
            while len(pending) >= LOOKAHEAD_PER_WORKER * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
        finished = True
    finally:
        if not finished:
            stopped.set()
            for future in pending:
                future.cancel()
            with lock:
                for worker in workers:
                    worker.interrupt()
        pool.shutdown(wait=True, cancel_futures=True)
        for worker in workers:
            worker.close()


def grade(paths: list[Path] | list[Found], *, jobs: int = 1, timeout: float = DEFAULT_TIMEOUT_SECONDS,
          progress: Callable[[int, int], None] | None = None, **options: Any) -> list[Graded]:
    """Every result of :func:`grade_stream`, as a list."""
    return list(grade_stream(paths, jobs=jobs, timeout=timeout, progress=progress, **options))


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
