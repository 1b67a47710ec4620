"""Grade a whole class: check every submission, in parallel, into a CSV gradebook and a JSON file.

One broken or hostile file never stops the batch: its row says why it could not be graded.
Rows come out in file-name order whatever order the workers finish in, so results are
deterministic.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from derive.check import check_file
from derive.check.report import Report
from derive.check.worker import DEFAULT_TIMEOUT_SECONDS, ProofWorker
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

    Nothing in a folder is skipped silently: hidden files aside, every file (and every broken
    link) becomes a row of the gradebook, and those that are not text submissions get a row that
    says why they were not graded (see :func:`grade`). ``exclude`` names files to leave out (the
    gradebook itself, when it is written into the folder being graded).
    """
    excluded = {path.resolve() for path in exclude}
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if not any(part.startswith(".") for part in p.relative_to(path).parts)
                                and (p.is_file() or (p.is_symlink() and not p.exists()))
                                and p.resolve() not in excluded))
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    if not found:
        raise InputError("no submissions found")
    return sorted(dict.fromkeys(found))


def not_a_submission(path: Path) -> str | None:
    """Why ``path`` is not graded (a broken link, a word-processor file), or None if it is."""
    if path.is_symlink() and not path.exists():
        return f"{path}: a broken link (the file it points to is missing)"
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
    from derive.catalogue import lookup
    from derive.check import check_timeout
    from derive.functions import check_variable_name

    check_timeout(timeout)
    check_variable_name(options.get("variable", "x"))
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
