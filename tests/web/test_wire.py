"""What crosses back from a worker to the web server: JSON of plain data (or bytes), bounded,
never unpickled, so a worker that went wrong while running a student's text runs nothing in the
server (issue 15).

A hostile worker is simulated by replacing the worker's loop (``derive.sandbox._serve``) in a
forked child: it answers a check with what an attacker in control of the worker would send.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

import derive.sandbox
from derive.errors import DeriveError
from derive.sandbox import JobFailed, LimitExceeded, Sandbox, decode_answer, encode_answer, resolve
from derive.web import ServeOptions
from derive.web.work import Work

from conftest import running_app

CORRECT = "\\sigma'(x) = \\sigma(x)(1-\\sigma(x))"


class Payload:
    """A pickle that, when unpickled, creates the file ``marker`` (as ``os.system`` could do anything)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def hostile_worker(answer: Callable[[], bytes]) -> Callable[..., None]:
    """A worker loop that answers every check with ``answer()`` and every other job honestly."""

    def serve(connection, memory_limit: int, wire: str = "pickle", inherited=None) -> None:  # noqa: ANN001 - Connections
        if inherited is not None:
            inherited.close()  # a forked worker's copy of the parent's end, as derive.sandbox._serve closes it
        derive.sandbox.prepare_child(memory_limit)
        while True:
            try:
                target, args, options = connection.recv()
            except (EOFError, OSError):
                return
            if target.endswith(":check_page") or target.endswith(":check_text"):
                connection.send_bytes(answer())
                continue
            honest = ("ok", resolve(target)(*args, **options))
            connection.send_bytes(encode_answer(honest)) if wire == "json" else connection.send(honest)

    return serve


@pytest.fixture()
def forked_workers(monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[], bytes]], None]:
    """Make the next sandboxes' workers forked children running a hostile loop."""

    def install(answer: Callable[[], bytes]) -> None:
        monkeypatch.setattr(derive.sandbox, "context", lambda preload=(), fork=False: multiprocessing.get_context("fork"))
        monkeypatch.setattr(derive.sandbox, "_serve", hostile_worker(answer))

    return install


def test_a_malicious_pickle_from_a_worker_runs_nothing_on_the_json_wire(forked_workers, tmp_path: Path) -> None:
    marker = tmp_path / "ran-in-the-server"
    forked_workers(lambda: pickle.dumps(Payload(marker)))
    with Sandbox(wire="json") as sandbox:
        with pytest.raises(JobFailed, match=r"^checking the derivation failed: its worker's answer could not be read"):
            sandbox.run("derive.jobs:check_page", CORRECT, timeout=30, what="checking the derivation")
        assert sandbox.pid is None, "a worker that sent something else is stopped, not given another job"
    assert not marker.exists()


def test_the_same_payload_would_run_if_it_were_unpickled(forked_workers, tmp_path: Path) -> None:
    """The control: the payload is live (on the pickle wire, kept for callers that trust their workers)."""
    marker = tmp_path / "ran-in-the-caller"
    forked_workers(lambda: pickle.dumps(Payload(marker)))
    with Sandbox(wire="pickle") as sandbox, contextlib.suppress(Exception):  # what it then does with it does not matter
        sandbox.run("derive.jobs:check_page", CORRECT, timeout=30)
    assert marker.exists()


HOSTILE_ANSWERS = {
    "a pickle": (lambda: pickle.dumps(("ok", {"report": 1})), JobFailed, "not a JSON answer"),
    "JSON after the pickle's first byte": (lambda: b"\x80" + b'["ok", 1]', JobFailed, "not a JSON answer"),
    "JSON nested a million deep": (lambda: b"J" + b"[" * 1_000_000, JobFailed, "not valid JSON"),
    "not UTF-8": (lambda: b"J\xff\xfe", JobFailed, "not valid JSON"),
    "a number of a million digits": (lambda: b'J["ok", ' + b"9" * 1_000_000 + b"]", JobFailed, "not valid JSON"),
    "an unknown kind": (lambda: b'J["run", "os.system"]', JobFailed, "not an answer"),
    "the wrong shape": (lambda: b'J{"ok": 1}', JobFailed, "not an answer"),
    "an error without its code": (lambda: b'J["derive_error", ["InputError", "x"]]', JobFailed, "not an error"),
    "an error that is not derive's": (lambda: b'J["derive_error", ["SystemExit", "bye", 0]]', None, "bye"),
    "an empty answer": (lambda: b"", JobFailed, "not a JSON answer"),
}


@pytest.mark.parametrize("name", list(HOSTILE_ANSWERS))
def test_a_hostile_answer_is_a_clear_error_and_the_worker_is_replaced(forked_workers, name: str) -> None:
    answer, error, message = HOSTILE_ANSWERS[name]
    forked_workers(answer)
    with Sandbox(wire="json") as sandbox:
        with pytest.raises(DeriveError) as raised:
            sandbox.run("derive.jobs:check_page", CORRECT, timeout=30, what="checking the derivation")
        if error is not None:
            assert type(raised.value) is error
        else:  # only derive's own error classes are made: anything else is a plain DeriveError
            assert type(raised.value) is DeriveError
        assert message in str(raised.value)
        assert "\n" not in str(raised.value)
        assert sandbox.run("derive.jobs:catalogue_listing", timeout=60), "the next job gets a worker"


def test_an_answer_over_the_bound_is_refused_before_it_is_read(forked_workers, monkeypatch: pytest.MonkeyPatch) -> None:
    forked_workers(lambda: b"J" + b" " * 10_000 + b'["ok", 1]')
    monkeypatch.setattr(derive.sandbox, "MAX_ANSWER_BYTES", 4096)
    with Sandbox(wire="json") as sandbox:
        with pytest.raises(LimitExceeded, match=r"^checking the derivation stopped: its answer was larger than the limit"):
            sandbox.run("derive.jobs:check_page", CORRECT, timeout=30, what="checking the derivation")
        assert sandbox.pid is None


@pytest.mark.parametrize("result", [
    {"report": {"valid": True, "lines": [{"line": 1, "math": [["=", "<math/>"]]}]}, "mathml": {"1": None}},
    b"PK\x03\x04 a zip file's bytes",
    ["a", 1, 2.5, True, None],
    "text",
])
def test_plain_data_and_bytes_cross_the_json_wire_unchanged(result: object) -> None:
    assert decode_answer(encode_answer(("ok", result))) == ("ok", result)


def test_a_result_that_is_not_plain_data_is_reported_as_a_failure() -> None:
    assert decode_answer(encode_answer(("ok", {"tree": object()}))) == ("failed", "an answer that is not plain data: TypeError")
    assert decode_answer(encode_answer(("ok", float("nan"))))[0] == "failed"


def test_the_web_pool_reads_answers_on_the_json_wire() -> None:
    work = Work(ServeOptions(workers=2))
    assert {sandbox.wire for sandbox in work.pool._all} == {"json"}


def test_a_hostile_worker_behind_the_web_server_runs_nothing_and_costs_its_request(forked_workers, tmp_path: Path) -> None:
    marker = tmp_path / "ran-in-the-server"
    forked_workers(lambda: pickle.dumps(Payload(marker)))
    with running_app(workers=1) as client:
        answer = client.post("/api/check", json={"text": CORRECT})
        assert answer.status_code == 500
        assert answer.json() == {"error": "checking the derivation failed: its worker's answer could not be read "
                                          "(not a JSON answer)"}
        assert client.get("/").status_code == 200, "the server goes on"
    assert not marker.exists()
