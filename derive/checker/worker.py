"""Run proofs where they can be stopped: a worker process with a memory limit and a deadline.

``evaluate=False`` protects the parse, not the proof (``simplify(10**(10**10) - 1)`` never
returns), so every claim is decided in a child process. The parent waits at most ``timeout``
seconds for each answer; past that it kills the child (SIGKILL works whatever the child is
doing, even inside C code) and starts a fresh one for the next claim. The child also runs
under an address-space limit, so a claim that would exhaust memory fails there instead.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from derive.checker.decide import Claim, Verdict, Verifiers, decide
from derive.errors import DeriveError
from derive.sandbox import (
    MEMORY_LIMIT_BYTES, LimitExceeded, context, end_child, failure, prepare_child, resolve, start_process, stop_child,
)

DEFAULT_TIMEOUT_SECONDS = 10.0
MIN_TIMEOUT_SECONDS = 0.1
MAX_TIMEOUT_SECONDS = 3600.0
#: The time one submission may take in all: 500 lines that each run into the per-line limit
#: would otherwise keep a grader waiting for over an hour.
DEFAULT_FILE_TIMEOUT_SECONDS = 120.0


_UNSENDABLE = "derive cannot hand this line to its prover (a limitation of derive, not a mistake of yours)"


class ClaimTimeout(Exception):
    """Raised inside :class:`InlineWorker` when one claim runs past its time limit."""


#: Why a proof failed, in words a student reads, by the kind of error (the rest: see undecidable()).
_REASONS = (
    (ZeroDivisionError, "the expression divides by zero wherever derive evaluates it"),
    (OverflowError, "its values are too large to compute"),
    (ArithmeticError, "its numbers cannot be computed exactly enough"),
)


def undecidable(error: BaseException) -> str:
    """Why a claim could not be decided, in words (the error's name and text are internals: a
    student cannot act on "NoConvergence" or "'MPIntervalContext' object has no attribute")."""
    if isinstance(error, MemoryError):
        return "the proof ran out of memory"
    if isinstance(error, RecursionError):
        return "the expression is nested too deeply to prove"
    if type(error).__name__ == "NoConvergence":  # mpmath's: a numeric method did not settle
        return "derive's numeric evaluation of it did not converge"
    for kind, reason in _REASONS:
        if isinstance(error, kind):
            return reason
    return "derive could not evaluate this expression with the methods it has (a limitation of derive, not a mistake of yours)"


def decide_safely(claim: Claim, verifiers: Verifiers) -> Verdict:
    """:func:`decide`, with every failure turned into an undecided verdict (never a traceback)."""
    try:
        return decide(claim, verifiers)
    except ClaimTimeout:
        raise
    except Exception as error:  # noqa: BLE001 - reported as "could not decide" in words, never hidden
        return Verdict.undecided(undecidable(error))


@dataclass(frozen=True, kw_only=True)
class Job:
    """Other work for a worker's process between two submissions: ``target`` names a function of
    derive (``"module:function"``, see :func:`derive.sandbox.resolve`) called with plain data.

    A grading run renders and writes each student's feedback this way, in the worker that proved
    the submission's lines, so that the documents of a class are produced in parallel."""

    target: str
    args: tuple[Any, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    #: the work in words, for messages ("writing the feedback on s001.tex")
    what: str = "the work"

    def run(self) -> Any:
        return resolve(self.target)(*self.args, **self.options)


def _run_job(job: Job) -> tuple[str, Any]:
    """The job's result, or its error as plain data (derive's own errors keep their exit code)."""
    try:
        return ("ok", job.run())
    except DeriveError as error:
        return ("error", (str(error), error.exit_code))
    except Exception as error:  # noqa: BLE001 - a bug or a limit, reported in one line, never hidden
        found = failure(error, job.what)
        return ("error", (str(found), found.exit_code))


def _job_result(kind: str, payload: Any) -> Any:
    """What :func:`_run_job` answered, as the result or the error raised again here."""
    if kind == "ok":
        return payload
    message, exit_code = payload
    error = DeriveError(message)
    error.exit_code = exit_code
    raise error


def _serve(connection: multiprocessing.connection.Connection, memory_limit: int) -> None:
    """The child's loop: receive a claim, decide it, send the verdict (or the error's name); or
    receive a :class:`Job`, run it, send its result."""
    prepare_child(memory_limit)
    verifiers = Verifiers()
    while True:
        try:
            claim = connection.recv()
        except (EOFError, OSError):
            os._exit(0)
        answer = _run_job(claim) if isinstance(claim, Job) else decide_safely(claim, verifiers)
        try:
            connection.send(answer)
        except (EOFError, OSError):
            os._exit(0)


class ProofWorker:
    """One child process that decides claims, restarted after a timeout or a crash."""

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT_SECONDS, memory_limit: int = MEMORY_LIMIT_BYTES) -> None:
        self.timeout = timeout
        self.memory_limit = memory_limit
        self._context = context()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: multiprocessing.connection.Connection | None = None
        self._closed = False

    def __enter__(self) -> ProofWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        parent, child = self._context.Pipe()
        process = start_process(self._context, _serve, (child, self.memory_limit))
        child.close()
        self._process, self._connection = process, parent

    def decide(self, claim: Claim, *, deadline: float | None = None) -> Verdict:
        """The verdict, or an undecided one when the claim took too long or crashed the child."""
        return self.decide_all([claim], deadline=deadline)[0]

    def decide_all(self, incoming: Iterable[Claim], window: int = 4, *, deadline: float | None = None) -> list[Verdict]:
        """Verdicts for the claims of ``incoming`` in order, with up to ``window`` claims in flight
        (the child proves one while the caller prepares the next); each claim keeps its own
        deadline. ``incoming`` is consumed lazily, and each claim is sent as soon as it comes.

        ``deadline`` (a ``time.monotonic()`` value) bounds the whole call: once it has passed,
        the claim being proved and every later one get an error instead of a verdict.
        """
        source = iter(incoming)
        claims: list[Claim] = []
        results: list[Verdict] = []
        unsendable: dict[int, Verdict] = {}  # claims that could not be pickled: settled here, in their place
        sent = 0
        exhausted = False
        while True:
            if self._closed:  # stopped from outside (an interrupted grade): no new worker
                claims.extend(source)
                return results + [Verdict.undecided("the checking was interrupted")] * (len(claims) - len(results))
            try:
                if self._process is None or not self._process.is_alive():
                    self.start()
                    sent = len(results)  # whatever was in flight died with the old child
                assert self._connection is not None
                while sent - len(results) < window:
                    if sent == len(claims):
                        if exhausted:
                            break
                        try:
                            claims.append(next(source))
                        except StopIteration:
                            exhausted = True
                            break
                    try:
                        self._connection.send(claims[sent])  # pickled whole before a byte is written
                    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
                        unsendable[sent] = Verdict.undecided(_UNSENDABLE)
                    sent += 1
                while len(results) in unsendable:
                    results.append(unsendable.pop(len(results)))
                if len(results) == len(claims):
                    return results
                wait = self.timeout if deadline is None else max(0.0, min(self.timeout, deadline - time.monotonic()))
                if self._connection.poll(wait):
                    results.append(self._connection.recv())
                    continue
                if deadline is not None and time.monotonic() >= deadline:
                    self._stop()
                    claims.extend(source)  # still read (cheap, bounded), but no longer proved
                    error = Verdict.undecided("the time allowed for the whole file ran out before this line", timeout=True)
                    return results + [error] * (len(claims) - len(results))
                results.append(Verdict.undecided(f"the proof took longer than the limit of {self.timeout:g} s", timeout=True))
            except (EOFError, OSError, BrokenPipeError):
                results.append(Verdict.undecided(f"the proof stopped: it most likely ran out of memory (the limit is "
                                                  f"{self.memory_limit / 1024**3:g} GB)"))
            self._stop()

    def run(self, job: Job, *, timeout: float) -> Any:
        """The result of ``job`` run in the child (started if need be), within ``timeout`` seconds.
        Raises the job's own :class:`DeriveError`, or :class:`LimitExceeded` when the child took
        too long or died (it is then replaced, as after a claim)."""
        if self._closed:
            raise LimitExceeded("the work was interrupted")
        if self._process is None or not self._process.is_alive():
            self.start()
        assert self._connection is not None
        try:
            self._connection.send(job)
            if not self._connection.poll(timeout):
                self._stop()
                raise LimitExceeded(f"{job.what} took longer than the limit of {timeout:g} s")
            kind, payload = self._connection.recv()
        except (EOFError, OSError):
            self._stop()
            raise LimitExceeded(f"{job.what} stopped: its worker process died (most likely out of memory; the "
                                f"limit is {self.memory_limit / 1024**3:g} GB)") from None
        return _job_result(kind, payload)

    def _stop(self) -> None:
        stop_child(self._process, self._connection)
        self._process, self._connection = None, None

    def close(self) -> None:
        end_child(self._process, self._connection)
        self._process, self._connection = None, None

    def interrupt(self) -> None:
        """Stop for good, from another thread: kill the child now; the thread that uses this
        worker gets "interrupted" verdicts at once and no new child is started."""
        self._closed = True
        process = self._process
        if process is not None:
            try:
                process.kill()
            except (OSError, ValueError, AttributeError):
                pass

    @property
    def pid(self) -> int | None:
        """The child's process id, while one runs."""
        return None if self._process is None else self._process.pid


class InlineWorker:
    """Decides claims in this process, each under a time limit (a timer signal).

    For code that already runs in a sandbox (:mod:`derive.sandbox`), which caps its memory and
    is killed from outside if it runs past its own deadline: there, starting another process per
    claim would only cost time. The timer interrupts Python code; the sandbox's deadline covers
    the rest. Same interface as :class:`ProofWorker`.
    """

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.timeout = timeout
        self._verifiers = Verifiers()

    def __enter__(self) -> InlineWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def decide(self, claim: Claim, *, deadline: float | None = None) -> Verdict:
        return self.decide_all([claim], deadline=deadline)[0]

    def decide_all(self, incoming: Iterable[Claim], window: int = 1, *, deadline: float | None = None) -> list[Verdict]:
        results = []
        for claim in incoming:
            left = self.timeout if deadline is None else min(self.timeout, deadline - time.monotonic())
            if left <= 0:
                results.append(Verdict.undecided("the time allowed for the whole file ran out before this line", timeout=True))
                continue
            results.append(self._decide_within(claim, left))
        return results

    def _decide_within(self, claim: Claim, seconds: float) -> Verdict:
        def expire(*_: object) -> None:
            raise ClaimTimeout

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return decide_safely(claim, self._verifiers)
        except ClaimTimeout:
            self._verifiers = Verifiers()  # whatever was half-built is dropped
            return Verdict.undecided(f"the proof took longer than the limit of {self.timeout:g} s", timeout=True)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def run(self, job: Job, *, timeout: float) -> Any:
        """The result of ``job``, run in this process (already a sandbox: ``timeout`` is its own)."""
        return _job_result(*_run_job(job))

    def close(self) -> None:
        pass
