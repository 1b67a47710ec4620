"""What ``derive serve`` is started with, and the bounds every request is held to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Largest request body (a derivation, a form): a long derivation is a few kilobytes.
MAX_BODY_BYTES = 64 * 1024
#: Most lines in one derivation sent to the server (``derive check`` reads up to 500 from a file).
MAX_LINES = 200
#: Longest typed expression, exercise or query string value.
MAX_FIELD_CHARACTERS = 2_000
#: Longest typed exercise (``f(x) = …``), on the check page or for a class.
MAX_EXERCISE_CHARACTERS = 500
#: Most worksheets in one class set made through the web (each is derived and proved).
MAX_WEB_STUDENTS = 100
#: Most derivations (with their downloads) kept in memory for the download links.
DERIVATIONS_KEPT = 64


@dataclass(frozen=True, kw_only=True)
class ServeOptions:
    """The server's configuration (``derive serve``'s options)."""

    host: str = "127.0.0.1"
    port: int = 8000
    #: Worker processes that check and derive (each under derive check's time and memory limits).
    workers: int = max(1, os.cpu_count() or 1)
    #: Jobs that may wait for a worker; one more is refused with 503 and Retry-After.
    queue_limit: int = 64
    #: Seconds a job may wait for a free worker before it is refused (503).
    queue_timeout: float = 10.0
    #: Seconds to decide one line (``derive check --timeout``).
    timeout: float = 10.0
    #: Seconds for a whole derivation (``derive check --file-timeout``); the request's deadline.
    file_timeout: float = 60.0
    #: Seconds to derive a typed expression or a catalogue entry, or to make a class set of worksheets.
    derive_timeout: float = 120.0
    #: Class mode: the class's name, its exercise and its database. The exercise is a catalogued
    #: ``function`` or a typed ``exercise`` (``f(x) = …``), with its ``variable``; neither: the
    #: class's own (kept in its database), σ for a new class.
    class_name: str | None = None
    function: str | None = None
    exercise: str | None = None
    variable: str | None = None
    database: Path | None = None
    new_token: bool = False

    @property
    def class_mode(self) -> bool:
        return self.class_name is not None
