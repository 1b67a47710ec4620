"""Jobs for the web server, run in the sandbox pool (:mod:`derive.sandbox`) from async handlers.

The server process never reads a student's text or a typed expression itself, not even to parse
it: every such request becomes a job of :mod:`derive.jobs` in a worker process with derive
check's time and memory limits. A job waits in a bounded queue; past its bound the request is
refused at once (:class:`~derive.sandbox.Overloaded`, answered 503 with Retry-After).

Answers come back on the sandbox's JSON wire (plain data and bytes, bounded in size), never
unpickled: a worker runs a student's text, so the server does not trust what it sends.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import anyio
import anyio.to_thread

from derive.sandbox import PRELOAD, Overloaded, SandboxPool
from derive.web.options import ServeOptions
from derive.web.store import Exercise

#: What the workers' fork server imports once, so that no worker imports it on its first job:
#: the engine, the web's jobs and the class mode's grading.
WEB_PRELOAD = (*PRELOAD, "derive.jobs", "derive.grading.gradebook")


class Work:
    """The sandbox pool, seen from the event loop: admission, a thread per waiting job, deadlines."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.pool = SandboxPool(options.workers, queue_limit=options.queue_limit, wire="json", preload=WEB_PRELOAD)
        # One thread for every job that may be running or waiting: a job never waits for a thread,
        # only (visibly, boundedly) for a worker.
        self.capacity = options.workers + options.queue_limit
        self._threads = anyio.CapacityLimiter(self.capacity)
        self._admitted = 0
        self._starting: threading.Thread | None = None
        self._start_error: BaseException | None = None

    def start_in_background(self) -> None:
        """Start the workers in a thread: their fork server imports the engine (about a second)
        while the server imports and sets up the web side; :meth:`start` waits for it."""
        def start() -> None:
            try:
                self.pool.start()
            except BaseException as error:  # noqa: BLE001 - raised again by start()
                self._start_error = error

        self._starting = threading.Thread(target=start, name="derive-serve-start", daemon=True)
        self._starting.start()

    def start(self) -> None:
        """Start the workers (or wait until the background start is done); its error, if any."""
        if self._starting is None:
            self.pool.start()
            return
        self._starting.join()
        self._starting = None
        if self._start_error is not None:
            error, self._start_error = self._start_error, None
            raise error

    def close(self) -> None:
        if self._starting is not None:  # a start still under way ends first, then its workers
            self._starting.join()
            self._starting = None
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
            call = functools.partial(self.pool.run, target if ":" in target else f"derive.jobs:{target}", *args, timeout=timeout,
                                     queue_timeout=self.options.queue_timeout, **options)
            return await anyio.to_thread.run_sync(call, limiter=self._threads)
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
