"""Run work on untrusted input where it can be stopped: child processes with a time and memory cap.

``evaluate=False`` protects the parse, not what follows (``x^(x^(x^(x^(x^x))))`` can keep SymPy
busy for minutes and eat gigabytes), so every command that works on a typed expression or a
student's text runs that work in a child process:

* the child runs under an address-space limit (``RLIMIT_AS``), so a job that would exhaust memory
  fails there, not on the machine;
* the parent waits at most the job's time limit, then kills the child (SIGKILL stops it whatever
  it is doing, even inside C code) and starts a fresh one for the next job;
* the child dies with its parent (``PR_SET_PDEATHSIG`` on Linux, and an end-of-file on its pipe
  everywhere), quietly: no worker is left behind, and none prints a traceback when the parent
  goes away.

A job is named by ``"module:function"`` and takes and returns plain, picklable data (strings,
numbers, dicts): SymPy trees are rebuilt with evaluation when unpickled, so jobs return what the
caller shows (rendered text, JSON data), never expression trees. Errors derive raises on
purpose cross back as the same :class:`~derive.errors.DeriveError` subclass; anything else is
reported as :class:`JobFailed`, without a traceback.

Jobs go to a worker pickled (the caller is the trusted side). Answers come back pickled by
default; with ``wire="json"`` (what ``derive serve`` uses) they come back as JSON of plain data,
at most :data:`MAX_ANSWER_BYTES`, or as raw bytes, and are never unpickled: a worker that runs
a student's text is the untrusted side, and unpickling what it sends would let a worker that
went wrong run code in the caller.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.spawn
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from derive import errors
from derive.errors import DeriveError
from derive.forking import prepare

#: Address space a child may use. Generous for SymPy, small enough that one bad input cannot
#: take the machine down.
MEMORY_LIMIT_BYTES = 2 * 1024**3
#: Modules every child imports once, in the fork server, before it forks the children.
PRELOAD = ("derive.checker.decide", "derive.api")
#: How a worker's answer crosses back: pickled (any picklable data), or JSON of plain data
#: (dicts, lists, strings, numbers, booleans, None) and raw bytes, read without unpickling.
WIRES = ("pickle", "json")
#: The largest answer a worker may send on the JSON wire (a class set of worksheets is a few MB).
MAX_ANSWER_BYTES = 64 * 1024**2
#: The kinds of answer a worker sends, and the type of each one's payload on the JSON wire.
_ANSWER_KINDS = {"ok": object, "derive_error": list, "limit": str, "failed": str}


class LimitExceeded(DeriveError):
    """A job ran past its time or memory limit and was stopped."""

    exit_code = errors.ExitCode.LIMIT


class JobFailed(DeriveError):
    """A job stopped with an error that is not one of derive's own (a bug, reported in one line)."""

    exit_code = errors.ExitCode.BUG


def failure(error: BaseException, what: str) -> DeriveError:
    """An error that is not one of derive's own as one of derive's, in one line that names the
    work: running out of memory or stack is :class:`LimitExceeded`, anything else (a bug)
    :class:`JobFailed`."""
    if isinstance(error, MemoryError):
        return LimitExceeded(f"{what} stopped: it ran out of memory")
    if isinstance(error, RecursionError):
        return LimitExceeded(f"{what} stopped: the expression is nested too deeply")
    return JobFailed(f"{what} failed inside derive ({type(error).__name__}); please report this input")


class Overloaded(DeriveError):
    """Every worker is busy and the queue of waiting jobs is full."""

    exit_code = errors.ExitCode.LIMIT


def prepare_child(memory_limit: int) -> None:
    """What every worker process does first: cap its memory, die with its parent, ignore Ctrl-C
    (the parent decides what an interrupt means) and keep quiet about broken pipes.

    A worker is forked by the fork server, so the parent that ``PR_SET_PDEATHSIG`` watches is the
    fork server, not the derive process. The fork server ends when no process holds its "alive"
    pipe any more; every child inherits that pipe, so a busy worker would keep the server, and
    the server the worker, alive for ever after derive was killed. The worker closes its copy:
    then derive's death ends the server, and the server's death ends the worker.
    """
    _release_fork_server()
    prepare(memory_limit)


def _release_fork_server() -> None:
    """Close this process's end of the fork server's "alive" pipe (see :func:`prepare_child`)."""
    forkserver = sys.modules.get("multiprocessing.forkserver")
    server = getattr(forkserver, "_forkserver", None)
    alive = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(alive, int):
        try:
            os.close(alive)
        except OSError:
            pass
        server._forkserver_alive_fd = None  # type: ignore[union-attr]


def context(preload: Sequence[str] = PRELOAD, *, fork: bool = False) -> multiprocessing.context.BaseContext:
    """The start method for workers: a fork server (fast, safe with threads), else spawn.
    ``preload``: the modules the fork server imports once for every child it forks.

    ``fork``: for a process that runs one job and ends (``derive diff``), fork the worker from
    this process once it has imported ``preload`` itself: the worker starts with SymPy loaded,
    where a fork server would start a second interpreter and import it all again (most of a
    second), and this process can end without waiting on a server. Only while this process runs
    no other thread (a thread holding a lock at the fork would leave it held in the worker)."""
    methods = multiprocessing.get_all_start_methods()
    if fork and "fork" in methods and threading.active_count() == 1:
        for module in preload:
            importlib.import_module(module)
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        chosen = multiprocessing.get_context("forkserver")
        chosen.set_forkserver_preload(list(preload))
        return chosen
    return multiprocessing.get_context("spawn")


#: What multiprocessing would pass on to re-import the caller's ``__main__`` in a child.
_MAIN_KEYS = ("init_main_from_path", "init_main_from_name", "main_path")
_STARTING = threading.Lock()


def start_process(chosen: multiprocessing.context.BaseContext, target: Callable[..., None],
                  args: tuple[Any, ...]) -> multiprocessing.process.BaseProcess:
    """A daemon child running ``target(*args)``, started without re-importing ``__main__``.

    Under the fork server and spawn, multiprocessing runs the caller's main script again in the
    child (and in the fork server) to find functions defined there. derive's workers only run
    derive's own functions, and a user's plain script that calls :func:`derive.check` without an
    ``if __name__ == "__main__":`` guard would otherwise run again in the child and fail there
    ("an attempt has been made to start a new process ..."); a script read from stdin would not
    be found at all. So the main module is left out of what the child is told to prepare.
    """
    process = chosen.Process(target=target, args=args, daemon=True)
    with _STARTING:
        original = multiprocessing.spawn.get_preparation_data

        def without_main(name: str) -> dict[str, Any]:
            data = original(name)
            for key in _MAIN_KEYS:
                data.pop(key, None)
            return data

        multiprocessing.spawn.get_preparation_data = without_main  # type: ignore[assignment]
        try:
            process.start()
        finally:
            multiprocessing.spawn.get_preparation_data = original  # type: ignore[assignment]
    return process


def stop_child(process: multiprocessing.process.BaseProcess | None,
               connection: multiprocessing.connection.Connection | None) -> None:
    """Kill a worker child (if it runs), reap it, and close its pipe."""
    if process is not None:
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
    if connection is not None:
        connection.close()


def end_child(process: multiprocessing.process.BaseProcess | None,
              connection: multiprocessing.connection.Connection | None) -> None:
    """End a worker child: it exits on its closed pipe; it is killed if it does not."""
    if connection is not None and process is not None and process.is_alive():
        try:
            connection.close()
        except OSError:
            pass
        process.join(timeout=2)
    stop_child(process, connection)


def resolve(target: str) -> Callable[..., Any]:
    """The function named ``"module:function"`` (only derive's own modules may be named)."""
    module, _, name = target.partition(":")
    if not (module == "derive" or module.startswith("derive.")) or not name.isidentifier():
        raise ValueError(f"not a job of derive: {target!r}")
    return getattr(importlib.import_module(module), name)


def encode_answer(answer: tuple[str, Any]) -> bytes:
    """An answer on the JSON wire: ``B`` and the bytes a job returned, or ``J`` and the JSON of
    ``[kind, payload]``; a result that is not plain data is sent as a failure."""
    kind, payload = answer
    if kind == "ok" and isinstance(payload, bytes):
        return b"B" + payload
    try:
        return b"J" + json.dumps([kind, payload], ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError, RecursionError) as error:  # a job that returned something else: a bug
        return b"J" + json.dumps(["failed", f"an answer that is not plain data: {type(error).__name__}"]).encode()


class _UnreadableAnswer(Exception):
    """What a worker sent on the JSON wire is not an answer."""


def decode_answer(raw: bytes) -> tuple[str, Any]:
    """An answer read from the JSON wire (never unpickled); :class:`_UnreadableAnswer` if it is not one."""
    if raw[:1] == b"B":
        return "ok", raw[1:]
    if raw[:1] != b"J":
        raise _UnreadableAnswer("not a JSON answer")
    try:
        decoded = json.loads(raw[1:].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _UnreadableAnswer("not valid JSON") from None
    if not (isinstance(decoded, list) and len(decoded) == 2 and decoded[0] in _ANSWER_KINDS
            and isinstance(decoded[1], _ANSWER_KINDS[decoded[0]])):
        raise _UnreadableAnswer("not an answer")
    kind, payload = decoded
    if kind == "derive_error" and not (len(payload) == 3 and isinstance(payload[0], str) and isinstance(payload[1], str)
                                       and isinstance(payload[2], int)):
        raise _UnreadableAnswer("not an error")
    return kind, payload


def _serve(connection: multiprocessing.connection.Connection, memory_limit: int, wire: str = "pickle",
           inherited: multiprocessing.connection.Connection | None = None) -> None:
    """The child's loop: receive a job, run it, send back its result or its error (on ``wire``).
    ``inherited``: the parent's end of the pipe, which a forked child holds a copy of; it is
    closed first, so that the parent closing its end ends the child."""
    if inherited is not None:
        inherited.close()
    prepare_child(memory_limit)
    while True:
        try:
            target, args, options = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            os._exit(0)
        try:
            answer: tuple[str, Any] = ("ok", resolve(target)(*args, **options))
        except DeriveError as error:
            answer = ("derive_error", (type(error).__name__, str(error), error.exit_code))
        except MemoryError:
            answer = ("limit", "it ran out of memory")
        except RecursionError:
            answer = ("limit", "the expression is nested too deeply")
        except Exception as error:  # noqa: BLE001 - reported as one line, never hidden
            answer = ("failed", type(error).__name__)
        try:
            if wire == "json":
                connection.send_bytes(encode_answer(answer))
            else:
                connection.send(answer)
        except (OSError, EOFError, BrokenPipeError):
            os._exit(0)


class Sandbox:
    """One worker process that runs jobs one at a time, restarted after a limit or a crash.

    >>> with Sandbox() as sandbox:  # doctest: +SKIP
    ...     sandbox.run("derive.jobs:derive_text", "x^2", timeout=10)
    """

    def __init__(self, *, memory_limit: int = MEMORY_LIMIT_BYTES, wire: str = "pickle",
                 preload: Sequence[str] = PRELOAD, fork: bool = False) -> None:
        if wire not in WIRES:
            raise ValueError(f"unknown wire {wire!r}: choose one of {', '.join(WIRES)}")
        self.memory_limit = memory_limit
        self.wire = wire
        self._context = context(preload, fork=fork)
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: multiprocessing.connection.Connection | None = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        parent, child = self._context.Pipe()
        forked = self._context.get_start_method() == "fork"
        arguments = (child, self.memory_limit, self.wire, parent if forked else None)
        process = start_process(self._context, _serve, arguments)
        child.close()
        self._process, self._connection = process, parent

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def run(self, target: str, *args: Any, timeout: float, what: str = "the work", **options: Any) -> Any:
        """``target(*args, **options)`` in the worker, or an error: :class:`LimitExceeded` after
        ``timeout`` seconds or when memory runs out, the job's own :class:`DeriveError`, or
        :class:`JobFailed`. ``what`` names the work in messages ("deriving the expression")."""
        if self._process is None or not self._process.is_alive():
            self.start()
        assert self._connection is not None
        try:
            self._connection.send((target, args, options))
            if not self._connection.poll(timeout):
                self.stop()
                raise LimitExceeded(f"{what} took longer than the limit of {timeout:g} s (see --timeout)")
            if self.wire == "json":
                kind, payload = decode_answer(self._connection.recv_bytes(MAX_ANSWER_BYTES))
            else:
                kind, payload = self._connection.recv()
        except _UnreadableAnswer as unreadable:
            self.stop()  # a worker that sends something else is not trusted with another job
            raise JobFailed(f"{what} failed: its worker's answer could not be read ({unreadable})") from None
        except (EOFError, OSError) as error:
            self.stop()
            if "bad message length" in str(error):  # multiprocessing's words for an answer over the bound
                raise LimitExceeded(f"{what} stopped: its answer was larger than the limit of "
                                    f"{MAX_ANSWER_BYTES // 1024**2} MB") from None
            raise LimitExceeded(f"{what} stopped: its worker process died (most likely out of memory; the limit is "
                                f"{_gigabytes(self.memory_limit)})") from None
        if kind == "ok":
            return payload
        if kind == "derive_error":
            name, message, code = payload
            raise _derive_error(name, message, code)
        if kind == "limit":
            self.stop()
            raise LimitExceeded(f"{what} stopped: {payload}")
        self.stop()
        raise JobFailed(f"{what} failed inside derive ({payload}); please report this input")

    def stop(self) -> None:
        """Kill the worker (if it runs) and forget it; the next job starts a fresh one."""
        stop_child(self._process, self._connection)
        self._process, self._connection = None, None

    def close(self) -> None:
        """End the worker: it exits on the closed pipe; it is killed if it does not."""
        end_child(self._process, self._connection)
        self._process, self._connection = None, None


class SandboxPool:
    """A fixed number of workers with a bounded queue in front of them, safe to use from threads.

    ``run`` waits for a free worker at most ``queue_timeout`` seconds and refuses a job when
    ``queue_limit`` jobs are already waiting (:class:`Overloaded`): a server answers "try again"
    instead of piling work up.
    """

    def __init__(self, size: int, *, queue_limit: int = 64, memory_limit: int = MEMORY_LIMIT_BYTES, wire: str = "pickle",
                 preload: Sequence[str] = PRELOAD) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self._idle: queue.LifoQueue[Sandbox] = queue.LifoQueue()
        self._all = [Sandbox(memory_limit=memory_limit, wire=wire, preload=preload) for _ in range(size)]
        for sandbox in self._all:
            self._idle.put(sandbox)
        self._waiting = 0
        self._lock = threading.Lock()
        self.queue_limit = queue_limit
        self.size = size

    def start(self) -> None:
        """Start every worker now (otherwise each starts on its first job)."""
        for sandbox in self._all:
            sandbox.start()

    @property
    def pids(self) -> Sequence[int]:
        return [sandbox.pid for sandbox in self._all if sandbox.pid is not None]

    def run(self, target: str, *args: Any, timeout: float, queue_timeout: float = 30.0, **options: Any) -> Any:
        with self._lock:
            if self._waiting >= self.queue_limit:
                raise Overloaded(f"all {self.size} workers are busy and {self._waiting} jobs are waiting")
            self._waiting += 1
        try:
            started = time.monotonic()
            try:
                sandbox = self._idle.get(timeout=queue_timeout)
            except queue.Empty:
                raise Overloaded(f"no worker became free within {queue_timeout:g} s") from None
        finally:
            with self._lock:
                self._waiting -= 1
        try:
            remaining = max(0.1, timeout - (time.monotonic() - started))
            return sandbox.run(target, *args, timeout=remaining, **options)
        finally:
            self._idle.put(sandbox)

    def close(self) -> None:
        for sandbox in self._all:
            sandbox.close()


def _derive_error(name: str, message: str, code: int) -> DeriveError:
    """The same error class in this process, with the message and exit code the child gave."""
    kind = getattr(errors, name, None) or {"LimitExceeded": LimitExceeded, "JobFailed": JobFailed,
                                           "Overloaded": Overloaded}.get(name, DeriveError)
    if not (isinstance(kind, type) and issubclass(kind, DeriveError)):
        kind = DeriveError
    error = kind(message)
    error.exit_code = code
    return error


def _gigabytes(size: int) -> str:
    return f"{size / 1024**3:g} GB"
