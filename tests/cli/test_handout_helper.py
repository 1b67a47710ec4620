"""`derive NAME` forks a helper process (derive.forking) that derives the other routes and writes
the HTML on a second core: the files are byte for byte what one process writes, the helper is
really used, and a helper that fails in any way leaves its work to the parent, never a missing
or different file.

Each run is a fresh Python process: a helper is never forked from a process with other threads
(the test runner's), so the scripts below are where a helper can run at all."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from derive.forking import Channel, Helper, HelperFailed, can_fork_helper
from derive.output import DOCUMENT_FORMATS, write_handout

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2,
                                reason="a helper needs fork and a second core")

#: A script that writes one handout with the helper, records what the helper did, and can make
#: the helper fail at a chosen point (the patches are inherited by the forked helper).
SCRIPT = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    import derive.forking, derive.renderer, derive.output

    name, folder, failure = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    parent = os.getpid()
    events, helpers = [], []
    start, receive, send = derive.forking.Helper.start.__func__, derive.forking.Channel.receive, derive.forking.Channel.send

    def recording_start(cls, work, **options):
        helper = start(cls, work, **options)
        events.append("forked" if helper is not None else "not forked")
        helpers.append(helper.pid if helper is not None else None)
        return helper

    def recording_receive(self):
        try:
            value = receive(self)
        except derive.forking.HelperFailed:
            events.append("failed")
            raise
        events.append("views" if isinstance(value, list) else "html" if isinstance(value, str) else "other")
        return value

    def recording_send(self, value):  # a helper that has failed and gone may fail the parent's next send instead
        try:
            send(self, value)
        except derive.forking.HelperFailed:
            events.append("failed")
            raise

    derive.forking.Helper.start = classmethod(recording_start)
    derive.forking.Channel.receive = recording_receive
    derive.forking.Channel.send = recording_send

    def in_the_helper():
        return os.getpid() != parent

    views, render = derive.renderer.route_views, derive.renderer.render_handout_values
    if failure == "routes":
        def failing_views(*arguments, **options):
            if in_the_helper():
                raise RuntimeError("no views")
            return views(*arguments, **options)
        derive.renderer.route_views = failing_views
    elif failure in ("html", "crash"):
        def failing_render(values, output_format):
            if in_the_helper() and output_format == "html":
                if failure == "crash":
                    os._exit(3)
                raise RuntimeError("no HTML")
            return render(values, output_format)
        derive.renderer.render_handout_values = failing_render

    written = derive.output.write_handout(name, folder, ("latex", "markdown", "html"), helper=True)
    print(json.dumps({"written": [path.name for path in written], "events": events,
                      "left": [pid for pid in helpers if pid and os.path.exists(f"/proc/{pid}")]}))
""")


def _run(name: str, folder: Path, failure: str = "none") -> dict:
    import json

    result = subprocess.run([sys.executable, "-c", SCRIPT, name, str(folder), failure],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "relu", "gelu_tanh"])
def test_the_helper_writes_the_bytes_one_process_writes(tmp_path: Path, name: str) -> None:
    helped, alone = tmp_path / "helped", tmp_path / "alone"
    run = _run(name, helped)
    assert run["events"] == ["forked", "views", "html"]  # the helper made the other routes and the HTML
    written = write_handout(name, alone, DOCUMENT_FORMATS)
    assert run["written"] == [path.name for path in written]
    assert _files(helped) == _files(alone)


@pytest.mark.parametrize("name", ["logistic_regression", "softmax_cross_entropy"])
def test_a_gradients_html_is_written_by_the_helper(tmp_path: Path, name: str) -> None:
    helped, alone = tmp_path / "helped", tmp_path / "alone"
    run = _run(name, helped)
    assert run["events"] == ["forked", "html"]
    assert run["left"] == []
    write_handout(name, alone, DOCUMENT_FORMATS)
    assert _files(helped) == _files(alone)


@pytest.mark.parametrize(("failure", "events"), [
    ("routes", ["forked", "failed"]),  # the parent derives the other routes and writes the HTML
    ("html", ["forked", "views", "failed"]),  # the parent writes the HTML
    ("crash", ["forked", "views", "failed"]),  # the helper died: the parent writes the HTML
])
def test_a_helper_that_fails_leaves_its_work_to_the_parent(tmp_path: Path, failure: str, events: list[str]) -> None:
    helped, alone = tmp_path / "helped", tmp_path / "alone"
    run = _run("sigmoid", helped, failure)
    assert run["events"] == events
    assert run["left"] == []
    write_handout("sigmoid", alone, DOCUMENT_FORMATS)
    assert _files(helped) == _files(alone)


def test_the_command_forks_the_helper_and_reaps_it(tmp_path: Path) -> None:
    """The CLI asks for the helper; when write_handout returns, the helper has ended and been reaped."""
    from derive import cli

    assert "helper=True" in Path(cli.__file__).read_text(encoding="utf-8")
    run = _run("sigmoid", tmp_path)
    assert run["events"] == ["forked", "views", "html"]
    assert run["left"] == []


def test_a_helper_is_not_forked_beside_other_threads() -> None:
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork_helper()
        assert Helper.start(lambda channel: None) is None
    finally:
        stop.set()
        thread.join()


def test_a_channel_reports_a_helper_that_is_gone() -> None:
    reading, writing = os.pipe()
    os.close(writing)
    with os.fdopen(reading, "rb") as incoming, open(os.devnull, "wb") as outgoing:
        with pytest.raises(HelperFailed, match="ended"):
            Channel(incoming, outgoing).receive()


def test_the_command_skips_the_teardown_only_when_it_is_alone() -> None:
    """derive.cli.run ends with os._exit (no teardown) only when no worker process, fork server
    or other thread is left: a pool that has ended (derive catalogue --jobs 2) counts as gone."""
    script = textwrap.dedent("""
        import multiprocessing, threading, time
        from derive.cli import _alone
        seen = [_alone()]
        import multiprocessing
        seen.append(_alone())  # imported, no worker
        worker = multiprocessing.get_context("fork").Process(target=time.sleep, args=(30,))
        worker.start()
        seen.append(_alone())  # a worker runs
        worker.kill(); worker.join()
        seen.append(_alone())  # it has ended
        stop = threading.Event(); thread = threading.Thread(target=stop.wait); thread.start()
        seen.append(_alone())  # another thread runs
        stop.set(); thread.join()
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([])
        helper = context.Process(target=time.sleep, args=(0,)); helper.start(); helper.join()
        seen.append(_alone())  # the fork server is still there
        print(seen)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.split("\n")[0] == "[True, True, False, True, False, False]"


def test_a_value_that_cannot_be_pickled_is_a_failed_helper_not_a_crash() -> None:
    reading, writing = os.pipe()
    with os.fdopen(reading, "rb") as incoming, os.fdopen(writing, "wb") as outgoing:
        with pytest.raises(HelperFailed, match="cannot send"):
            Channel(incoming, outgoing).send(lambda: None)
