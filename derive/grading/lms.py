"""Grade files that learning-management systems import: Moodle's grading worksheet and Canvas's
gradebook CSV, in the column layouts those systems write and read back.

Which student a submission belongs to is read from its file name (``--id-pattern``, by default
the names Moodle's and Canvas's "download all submissions" give), optionally looked up in a roster
CSV (``--roster``, ``--roster-key``): usually the very file the system exported, so that every
other column goes back unchanged.

* **Moodle** (assignment → "Upload grading worksheet", with the *Offline grading worksheet*
  feedback type on): ``Identifier`` (``Participant 123456``), ``Full name``, ``Email address``,
  ``Status``, ``Grade``, ``Maximum Grade``, ``Grade can be changed``, ``Last modified
  (submission)``, ``Last modified (grade)``, ``Feedback comments``. Moodle finds the participant
  by ``Identifier`` and requires the ``Grade`` and ``Last modified (grade)`` columns.
* **Canvas** (Grades → Import): ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
  ``Section``, then one column per assignment, and a second row ``Points Possible``. Canvas
  finds the student by ``ID`` (or the SIS columns) and the assignment by its column title
  (``Name (12345)`` for an existing one).
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from derive.errors import InputError

MOODLE_COLUMNS = ("Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                  "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_PARTICIPANT = "Participant "

#: How each system names the files of "download all submissions" (the id is the participant
#: number in Moodle, the user ID in Canvas); tried in turn when no --id-pattern is given.
DOWNLOAD_PATTERNS = {
    "moodle": r"(?:^|/)(?P<name>[^/]+?)_(?P<id>\d+)_assignsubmission_",
    "canvas": r"(?:^|/)(?P<name>[^/_]+)_(?:LATE_)?(?P<id>\d+)_",
}
MAX_ROSTER_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, kw_only=True)
class Student:
    """Who a submission belongs to: the id from its name, the name shown, the roster row."""

    id: str
    name: str = ""
    row: dict[str, str] | None = None


@dataclass(kw_only=True)
class Identities:
    """The student of each submission: a pattern for the file name, and an optional roster."""

    pattern: re.Pattern[str] | None = None
    roster_columns: tuple[str, ...] = ()
    roster: dict[str, dict[str, str]] = field(default_factory=dict)
    roster_key: str | None = None

    def student(self, relative: PurePath) -> Student | None:
        """The student of the file at ``relative`` (its path below the graded folder), or None."""
        patterns = [self.pattern] if self.pattern is not None else [re.compile(p) for p in DOWNLOAD_PATTERNS.values()]
        text = relative.as_posix()
        for pattern in patterns:
            found = pattern.search(text)
            if found is None:
                continue
            identifier = found.group("id")
            name = found.groupdict().get("name") or ""
            if self.roster_key is not None:
                row = self.roster.get(identifier)
                if row is None and not identifier.startswith(MOODLE_PARTICIPANT):
                    row = self.roster.get(MOODLE_PARTICIPANT + identifier)
                return None if row is None else Student(id=identifier, name=name, row=row)
            return Student(id=identifier, name=name)
        return None


def compile_pattern(text: str) -> re.Pattern[str]:
    """``--id-pattern``: a regular expression with a group named ``id`` (and optionally ``name``)."""
    try:
        pattern = re.compile(text)
    except re.error as error:
        raise InputError(f"--id-pattern {text!r} is not a regular expression: {error}") from None
    if "id" not in pattern.groupindex:
        raise InputError(f"--id-pattern {text!r} needs a group named id, such as (?P<id>\\d+)")
    return pattern


def read_roster(path: Path, key: str | None, system: str, pattern: re.Pattern[str] | None = None) -> Identities:
    """The roster CSV (a system's own export), indexed by ``key`` (default: Moodle's
    ``Identifier``, Canvas's ``ID``). Rows without a key (Canvas's ``Points Possible``) are left out."""
    try:
        if path.stat().st_size > MAX_ROSTER_BYTES:
            raise InputError(f"--roster {path} is larger than {MAX_ROSTER_BYTES // 1024**2} MB")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"--roster {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--roster {path}: cannot read it as UTF-8 text ({getattr(error, 'strerror', None) or error})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = tuple(reader.fieldnames or ())
    chosen = key or ("Identifier" if system == "moodle" else "ID")
    if chosen not in columns:
        raise InputError(f"--roster {path} has no column {chosen!r} (its columns: {', '.join(columns) or 'none'}); "
                         "name the column that holds the id with --roster-key")
    roster: dict[str, dict[str, str]] = {}
    for row in reader:
        value = (row.get(chosen) or "").strip()
        if value and not (row.get("Student") or "").strip().startswith("Points Possible"):
            roster.setdefault(value, {column: row.get(column) or "" for column in columns})
    return Identities(pattern=pattern, roster_columns=columns, roster=roster, roster_key=chosen)


@dataclass(frozen=True, kw_only=True)
class LmsRow:
    """One graded submission for an LMS file."""

    student: Student
    points: float
    maximum: float
    comment: str


def moodle_csv(rows: Iterable[LmsRow], *, roster: Identities | None) -> str:
    """Moodle's grading worksheet: the roster's rows with Grade and Feedback comments filled in
    (the roster's own columns and order kept), or one row per submission without a roster."""
    graded = {row.student.id: row for row in rows}
    buffer = io.StringIO()
    if roster is not None and roster.roster_key is not None:
        columns = list(roster.roster_columns)
        for needed in ("Grade", "Last modified (grade)", "Feedback comments"):
            if needed not in columns:
                columns.append(needed)
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        by_row = {id(row.student.row): row for row in graded.values() if row.student.row is not None}
        for key, entry in roster.roster.items():
            out = {column: entry.get(column, "") for column in columns}
            mark = by_row.get(id(entry))
            if mark is not None:
                out["Grade"] = _points(mark.points)
                if "Maximum Grade" in out and not out["Maximum Grade"]:
                    out["Maximum Grade"] = _points(mark.maximum)
                out["Feedback comments"] = html.escape(mark.comment, quote=False)
            writer.writerow(out)
        return buffer.getvalue()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(MOODLE_COLUMNS)
    for row in sorted(graded.values(), key=lambda row: _sort_key(row.student.id)):
        identifier = row.student.id if row.student.id.startswith(MOODLE_PARTICIPANT) else MOODLE_PARTICIPANT + row.student.id
        writer.writerow([identifier, row.student.name, "", "", _points(row.points), _points(row.maximum), "Yes", "", "",
                         html.escape(row.comment, quote=False)])
    return buffer.getvalue()


def canvas_csv(rows: Iterable[LmsRow], *, assignment: str, maximum: float, roster: Identities | None) -> str:
    """Canvas's gradebook import: the identity columns, one assignment column, ``Points Possible``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*CANVAS_COLUMNS, assignment])
    writer.writerow(["Points Possible", "", "", "", "", _points(maximum)])
    for row in sorted(rows, key=lambda row: _sort_key(row.student.id)):
        entry = row.student.row or {}
        writer.writerow([entry.get("Student") or row.student.name, entry.get("ID") or row.student.id,
                         entry.get("SIS User ID", ""), entry.get("SIS Login ID", ""), entry.get("Section", ""),
                         _points(row.points)])
    return buffer.getvalue()


def _points(value: float) -> str:
    rounded = round(value, 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.2f}".rstrip("0")


def _sort_key(identifier: str) -> tuple[int, str]:
    digits = re.sub(r"\D", "", identifier)
    return (int(digits) if digits and len(digits) < 30 else 0, identifier)
