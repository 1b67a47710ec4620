"""The class's submissions, kept in SQLite (one file, WAL mode), so that they survive a restart.

A submission is stored, and committed to disk, *before* it is checked (status ``pending``); its
verdict is added when the check comes back. A restart finds the pending ones and checks them
again, so an accepted submission is never lost. Every write is one ``BEGIN IMMEDIATE``
transaction, so two submissions at once are serialised by SQLite, never interleaved.

A browser is known by a random id in a cookie; the first browser to submit under a student's name
owns that name, and sees that student's submissions (and only those).

The class's exercise (a catalogue function, or a definition the teacher typed, and its variable)
is kept with it: a restart without an exercise goes on with the class's own.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from derive.errors import DeriveError, InputError

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS students (
    student TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student TEXT NOT NULL REFERENCES students(student),
    text TEXT NOT NULL,
    submitted REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'checked')),
    row TEXT,
    report TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS submissions_by_student ON submissions (student, id);
"""


@dataclass(frozen=True, kw_only=True)
class Exercise:
    """A class's exercise: a catalogued ``function``, or a ``definition`` the teacher typed
    (``f(x) = x^2 sin(x)``, graded as ``derive grade --exercise``); ``variable`` None: its own."""

    function: str | None = None
    definition: str | None = None
    variable: str | None = None

    @property
    def options(self) -> str:
        """The options of ``derive serve`` that give this exercise."""
        given = f'--exercise "{self.definition}"' if self.definition is not None else f"--function {self.function}"
        return given + (f" --var {self.variable}" if self.variable else "")

    def as_meta(self) -> list[tuple[str, str]]:
        return [("function", self.function or ""), ("exercise", self.definition or ""), ("variable", self.variable or "")]

    @staticmethod
    def from_meta(meta: dict[str, str]) -> Exercise:
        # a database of schema 1 from before typed exercises has only "function"
        return Exercise(function=meta.get("function") or None, definition=meta.get("exercise") or None,
                        variable=meta.get("variable") or None)


#: A new class's exercise when none is given.
DEFAULT_EXERCISE = Exercise(function="sigmoid")


class NameTaken(DeriveError):
    """A student's name already belongs to another browser."""

    exit_code = 2


@dataclass(frozen=True, kw_only=True)
class Submission:
    """One stored submission; ``row`` is its gradebook row once checked."""

    id: int
    student: str
    text: str
    submitted: float
    status: str
    row: dict[str, Any] | None
    report: dict[str, Any] | None
    error: str | None

    @property
    def checked(self) -> bool:
        return self.status == "checked"


class ClassStore:
    """The SQLite database of one class (``derive serve --class NAME``)."""

    def __init__(self, path: Path, *, class_name: str, exercise: Exercise | None) -> None:
        """Open (or make) the class's database; ``exercise`` None: the class's own (σ for a new class).
        A database of another class, or of this class with another exercise, is an InputError."""
        self.path = path
        self.class_name = class_name
        try:
            with self._connect() as connection:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            raise InputError(f"{path}: not a class database of derive ({error})") from None
        with self._write() as connection:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            if not meta:
                self.exercise = exercise or DEFAULT_EXERCISE
                connection.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", [
                    ("schema", SCHEMA_VERSION), ("class", class_name), *self.exercise.as_meta(),
                    ("teacher_token", secrets.token_urlsafe(24)), ("secret", secrets.token_urlsafe(32)),
                ])
                return
            if meta.get("class") != class_name:
                raise InputError(f"{path} holds the class '{meta.get('class')}', not '{class_name}': "
                                 "give another --database, or the class's own name")
            self.exercise = Exercise.from_meta(meta)
            if exercise is not None and exercise != self.exercise:
                raise InputError(f"the class '{class_name}' checks another exercise: start it with {self.exercise.options} "
                                 "(or with no exercise: the class's own), or use a new --database")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One connection per operation: cheap for SQLite, and safe from any thread.
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA busy_timeout = 30000")
            connection.execute("PRAGMA synchronous = FULL")  # a commit is on disk before the student is told
            connection.execute("PRAGMA foreign_keys = ON")
            yield connection
        finally:
            connection.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def meta(self, key: str) -> str:
        with self._connect() as connection:
            found = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if found is None:
            raise KeyError(key)
        return str(found[0])

    def new_teacher_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._write() as connection:
            connection.execute("UPDATE meta SET value = ? WHERE key = 'teacher_token'", (token,))
        return token

    def add(self, *, student: str, owner: str, text: str) -> int:
        """Store a submission (pending) for ``student`` from the browser ``owner``; its id.

        The first browser to submit under a name owns it; another browser gets :class:`NameTaken`."""
        with self._write() as connection:
            found = connection.execute("SELECT owner FROM students WHERE student = ?", (student,)).fetchone()
            if found is None:
                connection.execute("INSERT INTO students (student, owner, created) VALUES (?, ?, ?)", (student, owner, time.time()))
            elif not secrets.compare_digest(found[0], owner):
                raise NameTaken(f"the name '{student}' is already used from another browser in this class: submit from "
                                "the browser you first used, or ask your teacher")
            cursor = connection.execute(
                "INSERT INTO submissions (student, text, submitted, status) VALUES (?, ?, ?, 'pending')",
                (student, text, time.time()))
            return int(cursor.lastrowid or 0)

    def record(self, submission_id: int, *, row: dict[str, Any], report: dict[str, Any] | None, error: str | None) -> None:
        """The verdict on a submission: its gradebook row, the report's JSON data or its error."""
        with self._write() as connection:
            connection.execute(
                "UPDATE submissions SET status = 'checked', row = ?, report = ?, error = ? WHERE id = ?",
                (json.dumps(row, ensure_ascii=False), None if report is None else json.dumps(report, ensure_ascii=False),
                 error, submission_id))

    def pending(self) -> list[Submission]:
        return self._select("WHERE status = 'pending' ORDER BY id", ())

    def get(self, submission_id: int) -> Submission | None:
        found = self._select("WHERE id = ?", (submission_id,))
        return found[0] if found else None

    def owner_of(self, student: str) -> str | None:
        with self._connect() as connection:
            found = connection.execute("SELECT owner FROM students WHERE student = ?", (student,)).fetchone()
        return None if found is None else str(found[0])

    def of_owner(self, owner: str) -> list[Submission]:
        """Every submission made under the names this browser owns, newest first."""
        return self._select("WHERE student IN (SELECT student FROM students WHERE owner = ?) ORDER BY id DESC", (owner,))

    def latest(self) -> list[tuple[Submission, int]]:
        """Each student's latest submission (and how many they made), in the order of their names."""
        with self._connect() as connection:
            counts = dict(connection.execute("SELECT student, COUNT(*) FROM submissions GROUP BY student").fetchall())
        latest = self._select("WHERE id IN (SELECT MAX(id) FROM submissions GROUP BY student) ORDER BY student", ())
        return [(submission, int(counts[submission.student])) for submission in latest]

    def all(self) -> list[Submission]:
        return self._select("ORDER BY id", ())

    def version(self) -> tuple[int, int]:
        """Changes whenever a submission is added or checked (for the live gradebook)."""
        with self._connect() as connection:
            total, checked = connection.execute(
                "SELECT COUNT(*), COALESCE(SUM(status = 'checked'), 0) FROM submissions").fetchone()
        return int(total), int(checked)

    def _select(self, where: str, parameters: tuple[Any, ...]) -> list[Submission]:
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT id, student, text, submitted, status, row, report, error FROM submissions {where}",  # noqa: S608 - fixed clauses
                parameters).fetchall()
        return [Submission(id=row[0], student=row[1], text=row[2], submitted=row[3], status=row[4],
                           row=None if row[5] is None else json.loads(row[5]),
                           report=None if row[6] is None else json.loads(row[6]), error=row[7]) for row in rows]
