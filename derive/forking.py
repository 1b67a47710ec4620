"""A helper process forked from this one, for work that runs beside the main work on a second
core (a handout's HTML while its LaTeX and Markdown are written; see :func:`derive.output.write_handout`).

It is ``os.fork`` and two pipes that carry pickled values, not :mod:`multiprocessing`: importing
that, and the normal interpreter exit it needs for reaping its workers (see :func:`derive.cli.run`),
would cost more than the helper saves. The helper dies with its parent, ignores Ctrl-C (the
parent decides what an interrupt means) and ends with ``os._exit``: it never runs the parent's
exit handlers or flushes the parent's buffers a second time.

A helper that fails (an exception in its work, a crash, a closed pipe) is reported to the parent
as :class:`HelperFailed`, and the parent does the work itself: the helper only ever makes a run
faster, never different.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import IO, Any


#: Bytes of a message's length, before its pickle.
_LENGTH = 8


class HelperFailed(Exception):
    """The helper could not do its work (the parent does it instead)."""


def prepare(memory_limit: int | None = None) -> None:
    """What a child process does first: cap its memory (when ``memory_limit`` is given), die with
    its parent, ignore Ctrl-C and keep quiet about broken pipes."""
    if memory_limit is not None:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        except (ImportError, ValueError, OSError):
            pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: SIGKILL when the parent dies
        except (OSError, AttributeError):
            pass
        if os.getppid() == 1:  # the parent died before the line above took effect
            os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # a closed pipe ends the child silently


def can_fork_helper() -> bool:
    """Whether a helper is worth forking: the system forks, this process runs no other thread (a
    thread holding a lock at the fork would leave it held in the child), and a second core exists."""
    if not hasattr(os, "fork"):
        return False
    if "threading" in sys.modules and sys.modules["threading"].active_count() > 1:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1


class Channel:
    """One side of the helper's two pipes: pickled values in order, each answer ``("ok", value)``
    or ``("failed", message)``.

    Each message is its length, then its pickle: the receiver reads the whole message before it
    unpickles it, so a sender's large message (a handout's values) is off its hands as soon as the
    bytes are through the pipe, not only when the other side has rebuilt every object of it."""

    def __init__(self, incoming: IO[bytes], outgoing: IO[bytes]) -> None:
        self._incoming, self._outgoing = incoming, outgoing

    def send(self, value: Any) -> None:
        self._put(("ok", value))

    def fail(self, message: str) -> None:
        self._put(("failed", message))

    def receive(self) -> Any:
        """The next value from the other side; :class:`HelperFailed` if it failed or is gone."""
        try:
            size = int.from_bytes(self._exactly(_LENGTH), "big")
            status, value = pickle.loads(self._exactly(size))
        except (EOFError, OSError, pickle.UnpicklingError, ValueError) as error:
            raise HelperFailed(f"the helper process ended: {error or type(error).__name__}") from None
        if status != "ok":
            raise HelperFailed(str(value))
        return value

    def _put(self, message: tuple[str, Any]) -> None:
        try:
            data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as error:  # nothing was written
            raise HelperFailed(f"cannot send {type(message[1]).__name__} to the other process: {error}") from None
        try:
            self._outgoing.write(len(data).to_bytes(_LENGTH, "big") + data)
            self._outgoing.flush()
        except (BrokenPipeError, OSError) as error:
            raise HelperFailed(f"the helper process ended: {error}") from None

    def _exactly(self, size: int) -> bytes:
        data = self._incoming.read(size)
        if len(data) != size:
            raise EOFError("the message was cut short")
        return data

    def close(self) -> None:
        for stream in (self._outgoing, self._incoming):
            try:
                stream.close()
            except OSError:
                pass


class Helper:
    """A forked child that runs ``work(channel)``; the parent talks to it through :attr:`channel`
    and ends it with :meth:`close` (a ``with`` block)."""

    def __init__(self, pid: int, channel: Channel) -> None:
        self.pid, self.channel = pid, channel

    @classmethod
    def start(cls, work: Callable[[Channel], None], *, memory_limit: int | None = None) -> Helper | None:
        """The helper running ``work``, or None when no helper is worth forking (:func:`can_fork_helper`)."""
        if not can_fork_helper():
            return None
        to_child, from_parent = os.pipe()[::-1]  # (write end, read end)
        to_parent, from_child = os.pipe()[::-1]
        pid = os.fork()
        if pid == 0:  # the helper
            os.close(to_child)
            os.close(from_child)
            code = 0
            channel = Channel(os.fdopen(from_parent, "rb"), os.fdopen(to_parent, "wb"))
            try:
                prepare(memory_limit)
                work(channel)
            except BaseException as error:  # noqa: BLE001 - whatever it was, the parent does the work
                code = 1
                try:
                    channel.fail(f"{type(error).__name__}: {error}")
                except BaseException:  # noqa: BLE001, S110 - the parent is gone or not listening
                    pass
            finally:
                os._exit(code)
        os.close(from_parent)
        os.close(to_parent)
        return cls(pid, Channel(os.fdopen(from_child, "rb"), os.fdopen(to_child, "wb")))

    def close(self) -> None:
        """End the helper (killed if still at work) and reap it."""
        self.channel.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
