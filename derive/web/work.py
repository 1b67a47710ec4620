"""Jobs for the web server, run in the sandbox pool (:mod:`derive.sandbox`) from async handlers.

The server process never reads a student's text or a typed expression itself, not even to parse
it: every such request becomes a job of :mod:`derive.jobs` in a worker process with derive
check's time and memory limits. A job waits in a bounded queue; past its bound the request is
refused at once (:class:`~derive.sandbox.Overloaded`, answered 503 with Retry-After).

Answers come back on the sandbox's JSON wire (plain data and bytes, bounded in size), never
unpickled: a worker runs a student's text, so the server does not trust what it sends.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from typing import Any

import anyio
import anyio.to_thread

from derive.sandbox import PRELOAD, Overloaded, SandboxPool
from derive.web.options import ServeOptions
from derive.web.security import embedded_markup
from derive.web.store import Exercise

#: What the workers' fork server imports once, so that no worker imports it on its first job:
#: the engine and the web's jobs (and, in class mode, the grading).
WEB_PRELOAD = (*PRELOAD, "derive.jobs")
CLASS_PRELOAD = (*WEB_PRELOAD, "derive.grading.gradebook")


class Work:
    """The sandbox pool, seen from the event loop: admission, a thread per waiting job, deadlines."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.pool = SandboxPool(options.workers, queue_limit=options.queue_limit, wire="json",
                                preload=CLASS_PRELOAD if options.class_mode else WEB_PRELOAD)
        # One thread for every job that may be running or waiting: a job never waits for a thread,
        # only (visibly, boundedly) for a worker.
        self.capacity = options.workers + options.queue_limit
        self._threads = anyio.CapacityLimiter(self.capacity)
        self._admitted = 0
        self._started = threading.Event()
        self._start_lock = threading.Lock()
        self._start_error: BaseException | None = None
        self._closed = False
        self._background = False

    def start_in_background(self) -> None:
        """Start the workers in a thread: their fork server imports the engine (about a second)
        while the server sets up the web side and answers; every job waits for the start."""
        with self._start_lock:
            if self._background or self._started.is_set():
                return
            self._background = True
        threading.Thread(target=self._start_quietly, name="derive-serve-start", daemon=True).start()

    def _start_quietly(self) -> None:
        with contextlib.suppress(BaseException):  # kept in _start_error, raised to whoever needs the workers
            self.start()

    def start(self) -> None:
        """Start the workers, once (or wait until the start under way is done); its error, if any."""
        with self._start_lock:
            if not self._started.is_set() and not self._closed:
                try:
                    self.pool.start()
                except BaseException as error:
                    self._start_error = error
                finally:
                    self._started.set()
        if self._start_error is not None:
            raise self._start_error

    def run_now(self, target: str, *args: Any, timeout: float, **options: Any) -> Any:
        """A job run from a thread (the server's start): once the workers are started."""
        self.start()
        return embedded_markup(self.pool.run(target, *args, timeout=timeout, **options))

    def close(self) -> None:
        with self._start_lock:  # a start under way ends first; none begins after
            self._closed = True
        self.pool.close()

    @property
    def pids(self) -> list[int]:
        return list(self.pool.pids)

    async def run(self, target: str, *args: Any, timeout: float, **options: Any) -> Any:
        """``derive.jobs:<target>`` (or the ``module:function`` named) ``(*args, **options)`` in a
        worker; its result or its error."""
        if self._admitted >= self.capacity:
            raise Overloaded(f"all {self.options.workers} workers are busy and {self.options.queue_limit} jobs are waiting")
        self._admitted += 1
        try:
            if not self._started.is_set():  # the first jobs after a start wait for the workers
                await anyio.to_thread.run_sync(self.start)
            call = functools.partial(self.pool.run, target if ":" in target else f"derive.jobs:{target}", *args, timeout=timeout,
                                     queue_timeout=self.options.queue_timeout, **options)
            return embedded_markup(await anyio.to_thread.run_sync(call, limiter=self._threads))
        finally:
            self._admitted -= 1

    async def check(self, text: str, **options: Any) -> dict[str, Any]:
        """A derivation checked as ``derive check`` checks it, with each line's MathML."""
        limits = {"line_timeout": self.options.timeout, "file_timeout": self.options.file_timeout}
        return await self.run("check_page", text, timeout=self.options.file_timeout + 5, what="checking the derivation",
                              **limits, **options)

    async def check_submission(self, text: str, *, student: str, exercise: Exercise) -> dict[str, Any]:
        """A class submission checked into a gradebook row (as ``derive grade`` would, with
        ``--function`` or ``--exercise``)."""
        limits = {"line_timeout": self.options.timeout, "file_timeout": self.options.file_timeout}
        return await self.run("derive.grading.gradebook:check_submission", text, student=student,
                              function=exercise.function or "sigmoid", exercise=exercise.definition, variable=exercise.variable,
                              timeout=self.options.file_timeout + 5, what="checking the submission", **limits)
