"""A real ``derive serve`` on a loopback port: its start, its workers' lives, class mode across a
restart, its command line, and a server process that never loads the engine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx2
import pytest

from conftest import CSRF, alive, free_port

CORRECT = "sigma'(x) = sigma(x)*(1-sigma(x))\n"


def post_json(url: str, data: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(data).encode(), headers={"content-type": "application/json"})
    return json.loads(urllib.request.urlopen(request, timeout=60).read())


def test_it_prints_its_address_and_answers(start_server) -> None:
    started = time.monotonic()
    with start_server() as server:
        first = time.monotonic() - started
        assert server.output[0] == f"derive serve: {server.url}/\n"
        assert post_json(server.url + "/api/check", {"text": CORRECT})["valid"] is True
        print(f"start to first answer: {first:.2f} s (no timing assertion: see benchmarks/)")


def test_no_worker_outlives_the_server_even_when_it_is_killed(start_server) -> None:
    with start_server() as server:
        post_json(server.url + "/api/check", {"text": CORRECT})
        children = server.descendants()
        assert len(children) >= 2  # the fork server and the workers
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in children if alive(pid)]


def test_sigterm_stops_it_cleanly(start_server) -> None:
    with start_server() as server:
        children = server.descendants()
        server.process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then ends by the signal it caught, as servers conventionally do
        assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
        output = server.process.stdout.read() if server.process.stdout else ""
        assert "Traceback" not in output
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in children if alive(pid)]


def test_a_class_survives_a_restart(start_server, tmp_path: Path) -> None:
    arguments = ("--class", "ML101", "--database", str(tmp_path / "ml101.sqlite3"))
    with start_server(*arguments) as server:
        assert server.teacher_url.startswith(server.url + "/teacher?token=")
        with httpx2.Client(base_url=server.url, follow_redirects=True) as student:
            token = CSRF.search(student.get("/class").text).group(1)  # type: ignore[union-attr]
            answer = student.post("/class/submit", data={"csrf": token, "student": "ann", "text": CORRECT})
            assert answer.status_code == 200 and "valid" in answer.text
            cookies = dict(student.cookies)
        teacher_url = server.teacher_url
    with start_server(*arguments) as server:
        assert server.teacher_url.split("?")[1] == teacher_url.split("?")[1]  # the same token
        with httpx2.Client() as teacher:
            gradebook = teacher.get(server.teacher_url, follow_redirects=True)
            assert gradebook.status_code == 200 and ">ann</a>" in gradebook.text
        with httpx2.Client(base_url=server.url, cookies=cookies, follow_redirects=True) as student:
            assert ">ann</td>" in student.get("/class").text


@pytest.mark.parametrize(("arguments", "message"), [
    (["--port", "0"], "derive: error: --port must be between 1 and 65535, not 0"),
    (["--workers", "0"], "derive: error: --workers and --queue must be at least 1"),
    (["--database", "x.sqlite3"], "derive: error: --function, --exercise, --var, --database and --new-token are for class "
                                  "mode: add --class NAME"),
    (["--exercise", "f(x) = x^2"], "derive: error: --function, --exercise, --var, --database and --new-token are for class "
                                   "mode: add --class NAME"),
    (["--class", "ML101", "--function", "bce", "--exercise", "f(x) = x"], "derive: error: give --function or --exercise, not both"),
    (["--class", "ML101", "--exercise", "x^2 sin(x)", "--port", "1"],
     "derive: error: the exercise must define a function of x, as in f(x) = x^2 e^(3x); not 'x^2 sin(x)'"),
    (["--class", "ML 101/x"], "derive: error: --class must be a name of letters, digits, spaces and . _ - (at most 60), such as ML101"),
    (["--timeout", "0"], "derive: error: --timeout must be between 0.1 and 3600 seconds, not 0"),
    (["--class", "ML101", "--function", "nosuch", "--port", "1"], "derive: error: unknown function 'nosuch'"),
])
def test_bad_options_are_one_line_and_exit_2(arguments: list[str], message: str, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "derive", "serve", *arguments], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr


def test_a_port_in_use_is_one_line_and_exit_1(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "derive", "serve", "--port", str(port)], capture_output=True,
                                text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 1
    assert f"derive: error: could not serve on 127.0.0.1:{port} (is the port in use?)" in result.stderr
    assert "Traceback" not in result.stderr


SERVER_PROCESS = r'''
import sys
from pathlib import Path
from starlette.testclient import TestClient
from derive.web import ServeOptions, create_app

def main():
    app = create_app(ServeOptions(workers=1, class_name="ML101", database=Path(sys.argv[1])))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        assert client.post("/api/check", json={"text": "sigma'(x) = sigma(x)*(1-sigma(x))"}).status_code == 200
        assert client.post("/check/live", data={"text": "x^(x^(x^x))"}).status_code == 200
        assert client.get("/derive", params={"expression": "x^2*sin(x)"}).status_code == 200
        assert client.post("/api/derive", json={"name": "tanh"}).status_code == 200
        page = client.get("/class").text
        token = page.split('name="csrf" value="')[1].split('"')[0]
        assert client.post("/class/submit", data={"csrf": token, "student": "ann", "text": "sigma(0) = 1/2"}).status_code == 200
    loaded = [name for name in ("sympy", "mpmath", "lark", "derive.parse", "derive.checker", "derive.differentiate",
                                "derive.verify", "derive.api", "derive.jobs") if name in sys.modules]
    print(",".join(loaded) or "none")

if __name__ == "__main__":
    main()
'''


def test_the_server_process_never_loads_the_parser_or_sympy(tmp_path: Path) -> None:
    script = tmp_path / "server_process.py"
    script.write_text(SERVER_PROCESS, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script), str(tmp_path / "class.sqlite3")], capture_output=True,
                            text=True, timeout=300, cwd=tmp_path, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none"


def test_the_readme_documents_every_option_and_the_api() -> None:
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In a browser: `derive serve`", 1)[1].split("\n## ", 1)[0]
    helped = subprocess.run([sys.executable, "-m", "derive", "serve", "--help"], capture_output=True, text=True,
                            timeout=60, check=True).stdout
    for option in sorted(set(re.findall(r"(--[a-z][a-z-]+)", helped)) - {"--help"}):
        assert f"`{option}" in section, option
    for route in ("POST /api/check", "POST /api/derive", "/check?function=bce", "/teacher", "/worksheets", "/derive"):
        assert route in section, route
