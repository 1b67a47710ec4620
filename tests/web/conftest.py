"""Fixtures of the web tests: the application in process (Starlette's TestClient, real worker
processes) and a real ``derive serve`` on a loopback port."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from derive.web import ServeOptions, create_app

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(autouse=True, scope="session")
def _listing_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The servers of the tests keep their listing (derive.web.listing) in a folder of their own."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@contextmanager
def running_app(**options: object) -> Iterator[TestClient]:
    """The application with its own worker pool, started and stopped around the block."""
    app = create_app(ServeOptions(**{"workers": 1, **options}))  # type: ignore[arg-type]
    with TestClient(app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False) as client:
        client.app_state = app.state.web  # type: ignore[attr-defined]
        yield client


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with running_app(workers=2) as running:
        yield running


@pytest.fixture()
def class_client(tmp_path: Path) -> Iterator[TestClient]:
    with running_app(workers=1, class_name="ML101", database=tmp_path / "class.sqlite3") as running:
        yield running


def csrf_of(client: TestClient, path: str = "/class") -> str:
    page = client.get(path)
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    process: subprocess.Popen[str]
    url: str
    teacher_url: str
    output: list[str]

    def descendants(self) -> list[int]:
        """Every process below the server (the fork server and the workers)."""
        return descendants(self.process.pid)


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            for child in map(int, children):
                found.append(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@contextmanager
def live_server(folder: Path, *arguments: str) -> Iterator[LiveServer]:
    """``derive serve`` in a process of its own (cwd ``folder``), until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "derive", "serve", "--port", str(port), *arguments]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    output: list[str] = []
    url = f"http://127.0.0.1:{port}"
    teacher = ""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"derive serve exited: {process.stdout.read() if process.stdout else ''}")
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise AssertionError("derive serve did not answer within 60 s")
        assert process.stdout is not None
        while not output or (arguments and "--class" in arguments and not teacher):
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            found = re.search(r"(http://\S+/teacher\?token=\S+)", line)
            if found:
                teacher = found.group(1)
        yield LiveServer(process=process, url=url, teacher_url=teacher, output=output)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture()
def start_server(tmp_path: Path) -> Callable[..., object]:
    return lambda *arguments: live_server(tmp_path, *arguments)
