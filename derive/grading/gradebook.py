"""``derive grade``: a class graded into a gradebook, with scores, feedback, a class report and LMS
files, written so that no interruption can corrupt or lose anything.

* Every file is written to a hidden temporary file beside it and renamed into place only when the
  whole class is graded (:class:`~derive.output.AtomicFile`): a Ctrl-C, SIGTERM, SIGKILL or full
  disk leaves the previous gradebook exactly as it was.
* Each result is also appended to a journal (``.grades.csv.journal-N``, one JSON line per
  submission, flushed as it is written) that only a finished run deletes. ``--resume`` reuses
  the results of the journals and of the previous details JSON for files whose bytes (SHA-256)
  are the same and were graded with the same options; a changed file is graded again.
* Results stream from :func:`~derive.checker.grade.grade_stream` into every writer one at a time:
  the details JSON is written entry by entry (one line each), the class report is a running
  tally, so memory does not grow with the size of the class.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import Any, TextIO

from derive import __version__
from derive.checker.grade import CSV_COLUMNS, Found, Graded, grade_stream
from derive.checker.worker import DEFAULT_FILE_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS, Job, ProofWorker
from derive.errors import DeriveError
from derive.grading.feedback import comment_for_lms, feedback_context, feedback_files, feedback_stem
from derive.grading.lms import Identities, LmsRow, Student, canvas_csv, moodle_csv
from derive.grading.reference import Reference, reference_for
from derive.grading.rubric import DEFAULT_RUBRIC, Rubric
from derive.grading.scoring import Score, diagnoses_in_words, number, score, unscored
from derive.grading.summary import ClassSummary
from derive.output import AtomicFile, cannot_write, compile_pdf, remove_partials, write_text
from derive.verdicts import Report

#: The gradebook's columns: the original contract first, then the added ones (never removed).
GRADEBOOK_COLUMNS = (*CSV_COLUMNS, "score", "maximum", "diagnosis_text", "needs_review", "student_id", "sha256")
#: Results between two fsync calls of the journal (each line is flushed to the kernel at once,
#: which a killed process cannot lose; fsync guards against a power cut).
SYNC_EVERY = 64
#: The time one student's feedback documents may take to render and write.
FEEDBACK_TIMEOUT_SECONDS = 60.0
_ENTRY = re.compile(r'^\{"file": "(?:[^"\\]|\\.)*", "sha256": "([0-9a-f]{64})"')


class Interrupted(DeriveError):
    """Grading stopped by Ctrl-C or SIGTERM: nothing was overwritten, the journal keeps the work."""

    exit_code = 130


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What a verdict depends on: results are reused only under the same settings."""

    function: str = "sigmoid"
    #: whether the grader named ``function`` (--function): else a submission that defines its own
    #: function first (f(x) = …) is about that one
    function_named: bool = True
    #: the exercise as a definition the grader typed (--exercise "f(x) = …"), instead of ``function``
    exercise: str | None = None
    variable: str | None = None  # None: the exercise's own (x for sigmoid, z for bce)
    syntax: str | None = None
    timeout: float = 10.0
    file_timeout: float = 120.0

    @property
    def exercise_name(self) -> str:
        """How reports and LMS files name the exercise: the typed definition or the function."""
        return self.exercise if self.exercise is not None else self.function

    def as_json_data(self) -> dict[str, Any]:
        return {"derive": __version__, "function": self.function, "function_named": self.function_named,
                "exercise": self.exercise, "variable": self.variable, "syntax": self.syntax,
                "timeout": self.timeout, "file_timeout": self.file_timeout}

    def check_options(self) -> dict[str, Any]:
        function = None if self.exercise is not None or not self.function_named else self.function
        return {"function": function, "exercise": self.exercise, "variable": self.variable, "syntax": self.syntax,
                "file_timeout": self.file_timeout}


@dataclass(frozen=True, kw_only=True)
class Outputs:
    """Where ``derive grade`` writes (each checked before grading starts, by the CLI)."""

    gradebook: Path
    details: Path
    feedback: Path | None = None
    report: Path | None = None
    moodle: Path | None = None
    canvas: Path | None = None
    pdf: bool = False

    def journal_prefix(self) -> Path:
        return self.gradebook.with_name(f".{self.gradebook.name}.journal-")


@dataclass(frozen=True, kw_only=True)
class Lms:
    """Who each submission belongs to, and the assignment's name in the LMS files."""

    identities: Identities = field(default_factory=Identities)
    assignment: str = ""


@dataclass(frozen=True, kw_only=True)
class Result:
    """What a grading run did."""

    submissions: int
    valid: int
    unusable: int
    reused: int
    written: tuple[Path, ...]
    unmatched: tuple[str, ...] = ()

    @property
    def with_errors(self) -> int:
        return self.submissions - self.valid - self.unusable


class EarlierResults:
    """Results of earlier runs (their journals and details JSON), found by the SHA-256 of a file.

    Only an index is kept (hash → file, offset, length); an entry is read when asked for, with
    ``os.pread``, so lookups from several threads need no lock and memory stays small.
    """

    def __init__(self) -> None:
        self._index: dict[str, tuple[int, int, int]] = {}
        self._files: list[int] = []
        self.ignored: list[str] = []

    def add(self, path: Path, settings: dict[str, Any]) -> None:
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:
            return
        offset = 0
        with os.fdopen(os.dup(descriptor), "rb") as stream:
            first = stream.readline()
            header = _header(first)
            if header is None or header.get("settings") != settings:
                self.ignored.append(str(path))
                os.close(descriptor)
                return
            offset = len(first)
            for line in stream:
                found = _ENTRY.match(line.decode("utf-8", "replace"))
                if found is not None:
                    self._index[found.group(1)] = (len(self._files), offset, len(line))
                offset += len(line)
        self._files.append(descriptor)

    def __len__(self) -> int:
        return len(self._index)

    def report(self, sha256: str) -> Report | None:
        where = self._index.get(sha256)
        if where is None:
            return None
        number_, offset, length = where
        try:
            data = json.loads(os.pread(self._files[number_], length, offset).decode("utf-8").rstrip().rstrip(","))
            return None if data.get("report") is None else Report.from_json_data(data["report"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a line cut short by a kill: grade that file again

    def close(self) -> None:
        for descriptor in self._files:
            os.close(descriptor)
        self._files.clear()


def _header(line: bytes) -> dict[str, Any] | None:
    """The settings line that starts a journal or a details JSON file."""
    text = line.decode("utf-8", "replace").strip()
    for ending in ("", "]}"):
        try:
            value = json.loads(text + ending)
        except ValueError:
            continue
        return value if isinstance(value, dict) else None
    return None


class _Journal:
    """Append-only results of the current run (deleted when the run finishes)."""

    def __init__(self, path: Path, settings: dict[str, Any]) -> None:
        self.path = path
        try:
            self._stream: TextIO = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in close()
            self._stream.write(json.dumps({"journal": 1, "settings": settings}) + "\n")
            self._stream.flush()
        except OSError as error:
            raise cannot_write(path, error) from None
        self._count = 0

    def add(self, entry: str) -> None:
        try:
            self._stream.write(entry + "\n")
            self._stream.flush()
            self._count += 1
            if self._count % SYNC_EVERY == 0:
                os.fsync(self._stream.fileno())
        except OSError as error:
            raise cannot_write(self.path, error) from None

    def close(self, *, quietly: bool = False) -> None:
        """Flush and close; ``quietly`` after another failure (a full disk must not hide the first error)."""
        if self._stream.closed:
            return
        try:
            self._stream.flush()
            os.fsync(self._stream.fileno())
        except OSError as error:
            if not quietly:
                raise cannot_write(self.path, error) from None
        finally:
            try:
                self._stream.close()
            except OSError:
                pass


def journals(outputs: Outputs) -> list[Path]:
    prefix = outputs.journal_prefix()
    return sorted((path for path in prefix.parent.glob(prefix.name + "*") if path.name[len(prefix.name):].isdigit()),
                  key=lambda path: int(path.name[len(prefix.name):]))


def grade_class(
    found: list[Found],
    outputs: Outputs,
    settings: Settings,
    *,
    rubric: Rubric = DEFAULT_RUBRIC,
    lms: Lms | None = None,
    jobs: int = 1,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    notice: Callable[[str], None] = lambda message: None,
) -> Result:
    """Grade ``found`` into every output, atomically; see the module's description."""
    settings_data = settings.as_json_data()
    earlier = EarlierResults()
    old_journals = journals(outputs)
    if resume:
        for source in (outputs.details, *old_journals):
            if source.exists():
                earlier.add(source, settings_data)
        for ignored in earlier.ignored:
            notice(f"--resume: {ignored} was graded with other options (or is not a derive gradebook); not reused")
        if not len(earlier):
            notice("--resume: no earlier results to reuse; grading every file")
    else:
        for stale in old_journals:
            stale.unlink(missing_ok=True)
        old_journals = []
    reference = (reference_for(settings.function, settings.variable) if settings.exercise is None
                 else Reference(function=settings.exercise, recognised_form=None))
    writers = _Writers(outputs, settings, rubric, reference, lms)
    number_ = int(old_journals[-1].name.rsplit("-", 1)[1]) + 1 if old_journals else 1
    journal = _Journal(Path(f"{outputs.journal_prefix()}{number_}"), settings_data)
    count = valid = unusable = reused = 0
    try:
        for graded in grade_stream(found, jobs=jobs, timeout=settings.timeout, progress=progress,
                                   earlier=earlier.report if len(earlier) else None, next_line=reference.next_line,
                                   then=writers.feedback if outputs.feedback is not None else None,
                                   **settings.check_options()):
            entry = writers.add(graded, found[count])
            journal.add(entry)
            count += 1
            valid += graded.report is not None and graded.report.valid
            unusable += graded.report is None
            reused += graded.reused
    except KeyboardInterrupt:
        writers.abort()
        journal.close(quietly=True)
        raise Interrupted(f"interrupted after {count} of {len(found)} submissions: no gradebook was changed; the "
                          f"results so far are kept in {journal.path}; run the same command with --resume to "
                          "continue") from None
    except BaseException:
        writers.abort()
        journal.close(quietly=True)
        raise
    finally:
        earlier.close()
    journal.close()
    written = writers.finish(jobs=jobs)
    for path in (journal.path, *old_journals):
        path.unlink(missing_ok=True)
    return Result(submissions=count, valid=valid, unusable=unusable, reused=reused, written=tuple(written),
                  unmatched=tuple(writers.unmatched))


def points_of(graded: Graded, rubric: Rubric, *, recognised_form: bool) -> Score:
    """The score of one graded submission (0, to be reviewed, when it could not be graded)."""
    if graded.report is None:
        return unscored(rubric.maximum, graded.error or "not graded")
    return score(graded.report, rubric, recognised_form=recognised_form)


def gradebook_row(graded: Graded, points: Score, *, student_id: str = "") -> dict[str, Any]:
    """One row of the CSV gradebook, by column (:data:`GRADEBOOK_COLUMNS`): ``derive grade``
    and the web's class gradebook write the same rows."""
    return {**graded.row(), "score": number(points.points), "maximum": number(points.maximum),
            "diagnosis_text": diagnoses_in_words(graded.report), "needs_review": points.review,
            "student_id": student_id, "sha256": graded.sha256 or ""}


class _Writers:
    """Every output of a run, fed one result at a time."""

    def __init__(self, outputs: Outputs, settings: Settings, rubric: Rubric, reference: Reference, lms: Lms | None) -> None:
        self.outputs, self.settings, self.rubric, self.reference, self.lms = outputs, settings, rubric, reference, lms
        self.recognised = reference.recognised_form is not None
        self.summary = ClassSummary(rubric, exercise=settings.exercise_name)
        self.lms_rows: dict[str, LmsRow] = {}
        self.unmatched: list[str] = []
        self.pdf_sources: list[Path] = []
        self.feedback_written: list[Path] = []
        self._files: list[AtomicFile] = []
        for output in (outputs.gradebook, outputs.details, outputs.moodle, outputs.canvas):
            if output is not None:
                remove_partials(output)
        try:
            self._gradebook = self._open(outputs.gradebook)
            self._details = self._open(outputs.details)
        except BaseException:
            self.abort()
            raise
        self._csv = csv.writer(self._gradebook, lineterminator="\n")
        self._csv.writerow(GRADEBOOK_COLUMNS)
        self._details.write(json.dumps({"settings": settings.as_json_data(), "rubric": rubric.as_json_data(),
                                        "submissions": []}, ensure_ascii=False)[:-3] + "[")
        self._first = True

    def _open(self, path: Path) -> AtomicFile:
        atomic = AtomicFile(path)
        atomic.open()
        self._files.append(atomic)
        return atomic

    def add(self, graded: Graded, found: Found) -> str:
        """Write one result everywhere; returns its details entry (one JSON line) for the journal."""
        points = points_of(graded, self.rubric, recognised_form=self.recognised)
        relative = _relative(found)
        student = self._student(relative)
        row = gradebook_row(graded, points, student_id=student.id if student else "")
        self._csv.writerow([row[column] for column in GRADEBOOK_COLUMNS])
        entry = json.dumps({"file": str(graded.path), "sha256": graded.sha256, "error": graded.error,
                            "score": points.as_json_data(),
                            "report": None if graded.report is None else graded.report.as_json_data()},
                           ensure_ascii=False)
        self._details.write(("\n" if self._first else ",\n") + entry)
        self._first = False
        self.summary.add(graded, points)
        self.feedback_written += graded.written
        self.pdf_sources += [path for path in graded.written if path.suffix == ".tex"]
        if student is not None:
            self.lms_rows[student.id] = LmsRow(student=student, points=points.points, maximum=points.maximum,
                                               comment=comment_for_lms(graded, points))
        elif self.lms is not None and (self.outputs.moodle or self.outputs.canvas):
            self.unmatched.append(str(graded.path))
        return entry

    def _student(self, relative: PurePath) -> Student | None:
        if self.lms is None:
            return None
        return self.lms.identities.student(relative)

    def feedback(self, graded: Graded, found: Found, worker: ProofWorker) -> Graded:
        """Write the feedback on one submission, in the worker that graded it (grade_stream's
        ``then``, called in that worker's thread): the result with the files written."""
        folder = self.outputs.feedback
        assert folder is not None
        points = points_of(graded, self.rubric, recognised_form=self.recognised)
        relative = _relative(found)
        student = self._student(relative)
        formats = ("html", "markdown", "latex") if self.outputs.pdf else ("html", "markdown")
        context = feedback_context(graded, points, shown_name=str(graded.path), exercise=self.settings.exercise_name,
                                   student=student.name if student else "")
        files = {output_format: str(path) for output_format, path in
                 feedback_files(folder, feedback_stem(relative), formats).items()}
        job = Job(target="derive.grading.feedback:write_feedback", args=(context, files),
                  what=f"writing the feedback on {graded.path}")
        written = worker.run(job, timeout=FEEDBACK_TIMEOUT_SECONDS)
        return replace(graded, written=tuple(Path(path) for path in written))

    def abort(self) -> None:
        for atomic in self._files:
            atomic.abort()

    def finish(self, *, jobs: int) -> list[Path]:
        """Close the streams, write the class report and LMS files, and put everything in place."""
        self._details.write("\n]}\n")
        written: list[Path] = []
        extra: list[tuple[Path, str]] = []
        if self.outputs.moodle is not None:
            roster = self.lms.identities if self.lms and self.lms.identities.roster_key else None
            extra.append((self.outputs.moodle, moodle_csv(self.lms_rows.values(), roster=roster)))
        if self.outputs.canvas is not None:
            roster = self.lms.identities if self.lms and self.lms.identities.roster_key else None
            assignment = (self.lms.assignment if self.lms and self.lms.assignment else f"derive: {self.settings.exercise_name}")
            extra.append((self.outputs.canvas, canvas_csv(self.lms_rows.values(), assignment=assignment,
                                                          maximum=self.rubric.maximum, roster=roster)))
        try:
            for path, text in extra:
                self._files.append(_filled(path, text))
            for atomic in self._files:
                written.append(atomic.commit())
        except BaseException:
            self.abort()
            raise
        if self.outputs.report is not None:
            written += self._class_report()
        written += self.feedback_written
        if self.pdf_sources:
            written += _compile_all(self.pdf_sources, jobs)
        return written

    def _class_report(self) -> list[Path]:
        from derive.renderer import render_chart_svg, render_class_report

        folder = self.outputs.report
        assert folder is not None
        context = self.summary.context()
        written = [write_text(folder / "class-report.html", render_class_report(context, "html")),
                   write_text(folder / "class-report.md", render_class_report(context, "markdown")),
                   write_text(folder / "scores.svg", render_chart_svg(context, "scores")),
                   write_text(folder / "first-errors.svg", render_chart_svg(context, "first_errors"))]
        if self.outputs.pdf:
            tex = write_text(folder / "class-report.tex", render_class_report(context, "latex"))
            written += [tex, compile_pdf(tex)]
        return written


def _filled(path: Path, text: str) -> AtomicFile:
    atomic = AtomicFile(path)
    atomic.open()
    atomic.write(text)
    return atomic


def _relative(found: Found) -> PurePath:
    if found.folder is not None:
        try:
            return found.path.relative_to(found.folder)
        except ValueError:
            pass
    return PurePath(found.path.name)


def _compile_all(sources: list[Path], jobs: int) -> list[Path]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(compile_pdf, sources))


def iter_entries(details: Path) -> Iterator[dict[str, Any]]:
    """The submissions of a details JSON file one at a time (a file of any size, little memory)."""
    with open(details, encoding="utf-8") as stream:
        stream.readline()
        for line in stream:
            line = line.rstrip().rstrip(",")
            if line.startswith('{"file"'):
                yield json.loads(line)


def check_submission(
    text: str, *, student: str, function: str = "sigmoid", variable: str | None = None, exercise: str | None = None,
    line_timeout: float = DEFAULT_TIMEOUT_SECONDS, file_timeout: float = DEFAULT_FILE_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """A class submission (``derive serve --class``) checked and scored as ``derive grade``
    checks a file under the default rubric: the gradebook row (:func:`gradebook_row`, ``file``
    being the student), the report's JSON data, or the error that a file would get as its row.
    ``exercise``: a typed definition (``f(x) = …``) instead of ``function``, as ``derive grade
    --exercise``. A job for the web's worker pool."""
    from derive.checker import check
    from derive.checker.reader import decode_submission
    from derive.jobs import RememberingWorker

    data = text.encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(data).hexdigest()  # of the bytes graded, as for a file
    try:
        decoded = decode_submission(data, "the submission")
        with RememberingWorker(timeout=line_timeout) as worker:  # the student's page has just checked these lines
            report = check(decoded, function=None if exercise is not None else function, exercise=exercise,
                           variable=variable, timeout=line_timeout, file_timeout=file_timeout, worker=worker, name=student)
        graded = Graded(path=Path(student), report=report, error=None, sha256=digest)
    except DeriveError as error:
        graded = Graded(path=Path(student), report=None, error=str(error), sha256=digest)
    recognised = exercise is None and _has_recognised_form(function, variable)  # a typed exercise has none (derive grade)
    points = points_of(graded, DEFAULT_RUBRIC, recognised_form=recognised)
    return {"columns": list(GRADEBOOK_COLUMNS), "row": {**gradebook_row(graded, points), "file": student},
            "report": None if graded.report is None else graded.report.as_json_data(), "error": graded.error}


@functools.lru_cache(maxsize=64)
def _has_recognised_form(function: str, variable: str | None) -> bool:
    """Whether the exercise has a form in terms of itself (σ(1 − σ)): every route is derived to
    know, once per worker process and exercise."""
    return reference_for(function, variable).recognised_form is not None


def gradebook_columns() -> list[str]:
    """The columns of ``derive grade``'s CSV gradebook (the web's gradebook has the same)."""
    return list(GRADEBOOK_COLUMNS)
