"""The web application in process (Starlette's TestClient, real worker processes): the same JSON
as the CLI, bounds and errors, overload and a killed worker, and class mode's guarantees."""

from __future__ import annotations

import json
import re
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import csrf_of, running_app
from hostile import HOSTILE_LINES as CLI_HOSTILE_LINES
from derive.errors import InputError
from derive.web.options import MAX_BODY_BYTES, MAX_LINES

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS = sorted((ROOT / "tests" / "data" / "submissions").iterdir())
CORRECT = "\n".join([
    r"\sigma(x) = \frac{1}{1+e^{-x}}",
    r"\sigma'(x) = \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}",
    r"= \sigma(x)\left(1-\sigma(x)\right)",
]) + "\n"
MISTAKEN = "sigma'(x) = d/dx (1+exp(-x))^(-1)\n= -(1+exp(-x))^(-2) * exp(-x)\n= sigma(x)*(1-sigma(x))\n"
HOSTILE_LINES = [
    *CLI_HOSTILE_LINES,  # what derive check's own tests send
    "__import__('os').system('touch /tmp/derive-web-pwned')",
    "x^(x^(x^(x^(x^(x^x)))))",
]
HOSTILE = "\n".join(HOSTILE_LINES) + "\n"
SLOW = r"\frac{d}{dx}\sigma(\pi^{2}) = \frac{d}{dx}\sigma(1)^{1000}"


def cli_json(text: str, tmp_path: Path, *options: str) -> dict:
    path = tmp_path / "derivation.txt"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "derive", "check", str(path), "--format", "json", *options],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


# --- the same JSON as the CLI ------------------------------------------------------------------

@pytest.mark.parametrize("path", SUBMISSIONS[::3], ids=lambda path: path.name)
def test_api_check_answers_what_derive_check_prints(client: TestClient, path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    answer = client.post("/api/check", json={"text": text})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == cli_json(text, tmp_path)


@pytest.mark.parametrize(("function", "text"), [
    ("bce", r"\frac{dL}{dz} = \sigma(z) - y" + "\n"),
    ("tanh", "tanh'(x) = 1 - tanh(x)^2\n= 1 + tanh(x)^2\n"),
])
def test_api_check_takes_the_exercise_and_variable(client: TestClient, function: str, text: str, tmp_path: Path) -> None:
    variable = "z" if function == "bce" else "x"
    answer = client.post("/api/check", json={"text": text, "function": function, "var": variable})
    assert answer.status_code == 200, answer.text
    assert answer.json() == cli_json(text, tmp_path, "--function", function, "--var", variable)


def test_the_variable_defaults_to_the_exercises_own(client: TestClient, tmp_path: Path) -> None:
    text = r"\frac{\partial L}{\partial z} = \sigma(z) - y" + "\n"
    answer = client.post("/api/check", json={"text": text, "function": "bce"}).json()
    assert answer["valid"] and answer["variable"] == "z"
    assert answer == cli_json(text, tmp_path, "--function", "bce", "--var", "z")


def test_hostile_text_gets_the_cli_verdicts_and_nothing_runs(client: TestClient, tmp_path: Path) -> None:
    marker = Path("/tmp/derive-web-pwned")
    marker.unlink(missing_ok=True)
    answer = client.post("/api/check", json={"text": HOSTILE})
    assert answer.status_code == 200
    assert answer.json() == cli_json(HOSTILE, tmp_path)
    assert [line["source"] for line in answer.json()["lines"]] == HOSTILE_LINES
    page = client.post("/check/live", data={"text": HOSTILE, "function": "sigmoid"})
    assert page.status_code == 200
    for raw in ("<script>", "<img src=x", "</table>"):
        assert raw not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "49" not in page.text and "{{7*7}}" in page.text  # shown as typed, never run as a template
    assert not marker.exists()


def test_the_live_fragment_shows_each_line_as_mathml_and_the_first_error(client: TestClient) -> None:
    page = client.post("/check/live", data={"text": MISTAKEN, "function": "sigmoid"})
    assert page.status_code == 200
    assert page.text.count('class="verdict ') == 3
    assert page.text.count("first-error") == 1 and 'id="line-2" class="verdict status-wrong first-error"' in page.text
    assert page.text.count("<math") >= 3
    assert "Likely mistake" in page.text and "Counterexample" in page.text
    assert 'data-summary="Not valid: 3 lines, 2 correct, 1 wrong, 0 not read or not decided. First error on line 2: Not an identity' in page.text


def test_the_check_page_works_without_javascript(client: TestClient) -> None:
    page = client.post("/check", data={"text": MISTAKEN, "function": "sigmoid"}, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "first-error" in page.text and 'role="status" aria-live="polite"' in page.text
    assert "sigma&#39;(x) = d/dx (1+exp(-x))^(-1)" in page.text  # the text stays in the box


def test_a_shared_link_opens_its_exercise(client: TestClient) -> None:
    page = client.get("/check?function=bce")
    assert page.status_code == 200
    assert '<option value="bce" selected>' in page.text
    assert 'href="/check?function=bce"' in page.text



#: Entries and the titles the pages list them by; /check lists every entry, /derive and /worksheets the handouts.
LISTED_TITLES = {"swish_beta": "Swish with a parameter β", "softplus_beta": "Softplus with a parameter β",
                 "elu_alpha": "ELU with a parameter α", "sigmoid": "The logistic sigmoid", "tanh": "The hyperbolic tangent"}


@pytest.mark.parametrize(("path", "listed"), [("/check", set(LISTED_TITLES)), ("/derive", {"sigmoid", "tanh"}),
                                              ("/worksheets", {"sigmoid", "tanh"})])
def test_the_catalogue_lists_each_entry_by_its_title_with_the_greek_letter(client: TestClient, path: str,
                                                                            listed: set[str]) -> None:
    """Issue 13: the pages' lists of the catalogue name each entry by its handout's title, a Greek
    parameter as its letter (they wrote "swish_beta(x, beta) = x*sigma(beta*x)")."""
    page = client.get(path)
    assert page.status_code == 200
    options = dict(re.findall(r'<option value="([a-z_0-9]+)"[^>]*>([^<]*)</option>', page.text))
    assert {name: options.get(name) for name in listed} == {name: f"{name}: {LISTED_TITLES[name]}" for name in listed}
    assert not [text for text in options.values() if re.search(r"\b(alpha|beta|sigma)\b", text)]

def test_a_typed_exercise_is_put_in_the_box_and_checked_as_its_own_function(client: TestClient) -> None:
    page = client.get("/check", params={"exercise": "f(x) = x^2 \\sin(x)"})
    assert ">f(x) = x^2 \\sin(x)\n</textarea>" in page.text
    text = "f(x) = x^2 \\sin(x)\nf'(x) = 2x\\sin(x) + x^2\\cos(x)\n= 2x\\sin(x)\n"
    answer = client.post("/api/check", json={"text": text, "exercise": "f(x) = x^2 \\sin(x)"}).json()
    assert [line["status"] for line in answer["lines"]] == ["correct", "correct", "wrong"]
    assert answer["lines"][0]["diagnosis_key"] is None  # not "not the exercise's function (sigmoid)"
    assert answer["function"] == ""


# --- bounds and errors ---------------------------------------------------------------------------

@pytest.mark.parametrize(("request_kwargs", "status", "message"), [
    ({"json": {"text": "x" * (MAX_BODY_BYTES + 10)}}, 413, "the request is too large"),
    ({"json": {"text": "sigma(0) = 1/2\n" * (MAX_LINES + 1)}}, 413, f"the derivation has {MAX_LINES + 2} lines; the limit is {MAX_LINES}"),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "the request body is not JSON"),
    ({"json": ["text"]}, 400, "must be a JSON object"),
    ({"json": {"text": ""}}, 400, "'text' is empty"),
    ({"json": {"text": "x", "function": "nosuch"}}, 400, "unknown function 'nosuch'"),
    ({"json": {"text": "x", "syntax": "rtf"}}, 400, "unknown syntax 'rtf'"),
    ({"json": {"text": "x", "var": "1+1"}}, 400, "the variable must be a letter"),
    ({"json": {"text": "\x00\x01"}}, 400, "is a binary file, not text"),
    ({"json": {"text": 5}}, 400, "'text' must be text"),
    ({"content": b"x", "headers": {"content-length": "999999999"}}, 413, "the request is too large"),
], ids=["body", "lines", "not-json", "not-object", "empty", "function", "syntax", "variable", "binary", "number", "declared"])
def test_bad_requests_get_a_status_and_one_line(client: TestClient, request_kwargs: dict, status: int, message: str) -> None:
    answer = client.post("/api/check", **request_kwargs)
    assert answer.status_code == status
    assert message in answer.json()["error"]
    assert "\n" not in answer.json()["error"] and "Traceback" not in answer.text


def test_pages_answer_errors_as_pages(client: TestClient) -> None:
    page = client.get("/derive?name=nosuch", headers={"accept": "text/html"})
    assert page.status_code == 400 and "unknown function &#39;nosuch&#39;" in page.text and "<!DOCTYPE html>" in page.text
    assert client.get("/derive?name=sigmoid&level=huge").status_code == 400
    assert client.get("/teacher").status_code == 404  # not in class mode
    missing = client.get("/nosuch", headers={"accept": "text/html"})
    assert missing.status_code == 404 and "no such page" in missing.text and "<!DOCTYPE html>" in missing.text
    assert client.get("/api/check").status_code == 405
    assert client.get("/api/check").json() == {"error": "GET is not allowed here"}


def test_every_page_has_the_security_headers_and_no_external_reference(client: TestClient) -> None:
    for path in ("/", "/check", "/derive", "/derive?name=sigmoid", "/worksheets", "/static/web.css", "/static/live.js"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "http://" not in answer.text.replace("http://www.w3.org/", "") and "https://" not in answer.text, path


def test_a_cross_site_post_is_refused(client: TestClient) -> None:
    answer = client.post("/api/check", json={"text": CORRECT}, headers={"origin": "http://evil.example"})
    assert answer.status_code == 403
    answer = client.post("/check/live", data={"text": CORRECT}, headers={"sec-fetch-site": "cross-site"})
    assert answer.status_code == 403


# --- derive, downloads, worksheets ---------------------------------------------------------------

def test_api_derive_answers_what_the_cli_prints(client: TestClient) -> None:
    typed = client.post("/api/derive", json={"expression": "x^2*sin(x)"})
    cli = subprocess.run([sys.executable, "-m", "derive", "diff", "x^2*sin(x)", "--format", "json"],
                         capture_output=True, text=True, timeout=300, check=True)
    assert typed.status_code == 200 and typed.json() == json.loads(cli.stdout)
    named = client.post("/api/derive", json={"name": "sigmoid", "route": "quotient"})
    cli = subprocess.run([sys.executable, "-m", "derive", "sigmoid", "--route", "quotient", "--format", "json"],
                         capture_output=True, text=True, timeout=300, check=True)
    assert named.status_code == 200 and named.json() == json.loads(cli.stdout)
    assert client.post("/api/derive", json={"expression": "x^^2"}).status_code == 400


@pytest.mark.parametrize("level", ["result", "steps", "full"])
def test_the_derive_page_shows_the_chosen_level_of_detail(client: TestClient, level: str) -> None:
    page = client.get("/derive", params={"name": "sigmoid", "level": level})
    assert page.status_code == 200
    steps = page.text.count('class="step" id="step-')
    assert {"result": steps == 0, "steps": steps > 5 and "<details" in page.text, "full": steps > 20}[level]
    assert "<svg" in page.text and "Downloads" in page.text


@pytest.mark.parametrize(("fmt", "start"), [
    ("latex", b"\\documentclass"), ("markdown", b"# "), ("html", b"<!DOCTYPE html>"), ("svg", b"<svg"), ("json", b"{"),
])
def test_downloads_are_the_handout_files(client: TestClient, fmt: str, start: bytes) -> None:
    answer = client.get("/derive/download", params={"expression": "x^2*sin(x)", "format": fmt})
    assert answer.status_code == 200
    assert answer.content.lstrip().startswith(start)
    assert answer.headers["content-disposition"].startswith('attachment; filename="expression.')


@pytest.mark.tools
def test_the_pdf_download_is_compiled_with_latexmk(client: TestClient) -> None:
    from tooling import require_tool

    require_tool("latexmk")
    answer = client.get("/derive/download", params={"name": "softsign", "format": "pdf"})
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")


def test_the_class_set_is_the_cli_worksheets_in_a_zip(client: TestClient, tmp_path: Path) -> None:
    form = {"name": "sigmoid", "students": "2", "seed": "5", "format": "html"}
    first = client.post("/worksheets", data=form)
    assert first.status_code == 200 and first.headers["content-type"] == "application/zip"
    assert client.post("/worksheets", data=form).content == first.content  # same seed, same bytes
    archive = zipfile.ZipFile(BytesIO(first.content))
    subprocess.run([sys.executable, "-m", "derive", "worksheet", "sigmoid", "--students", "2", "--seed", "5",
                    "--format", "html", "--out", str(tmp_path)], check=True, capture_output=True, timeout=300)
    expected = sorted(path.name for path in tmp_path.iterdir())
    assert sorted(Path(name).name for name in archive.namelist()) == expected
    for name in archive.namelist():
        assert archive.read(name) == (tmp_path / Path(name).name).read_bytes()
    refused = client.post("/worksheets", data={**form, "students": "1000"}, headers={"accept": "text/html"})
    assert refused.status_code == 400 and "students must be a whole number from 1 to 100" in refused.text


# --- overload and a killed worker ----------------------------------------------------------------

def test_overload_is_503_and_a_killed_worker_costs_only_its_request() -> None:
    with running_app(workers=1, queue_limit=1, timeout=3) as client:
        work = client.app_state.work  # type: ignore[attr-defined]
        answers: dict[str, object] = {}

        def send(label: str) -> None:
            answers[label] = client.post("/api/check", json={"text": SLOW})

        def wait_for(admitted: int) -> None:
            deadline = time.monotonic() + 30
            while work._admitted < admitted and time.monotonic() < deadline:
                time.sleep(0.01)
            assert work._admitted >= admitted

        deadline = time.monotonic() + 60
        while work._admitted and time.monotonic() < deadline:  # the start's warm-up check is done
            time.sleep(0.01)
        busy = threading.Thread(target=send, args=("busy",))
        busy.start()
        wait_for(1)
        time.sleep(0.3)  # the job has reached the worker
        waiting = threading.Thread(target=send, args=("waiting",))
        waiting.start()
        wait_for(2)
        refused = client.post("/api/check", json={"text": CORRECT})
        assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
        assert "workers are busy" in refused.json()["error"]
        (worker,) = work.pids
        os.kill(worker, signal.SIGKILL)
        busy.join(timeout=30)
        killed = answers["busy"]
        assert killed.status_code == 422 and "worker process died" in killed.json()["error"]  # type: ignore[attr-defined]
        waiting.join(timeout=60)
        assert answers["waiting"].status_code == 200  # type: ignore[attr-defined]
        assert "longer than the limit of 3 s" in answers["waiting"].json()["lines"][0]["message"]  # type: ignore[attr-defined]
        after = client.post("/api/check", json={"text": CORRECT})
        assert after.status_code == 200 and after.json()["valid"]
        assert work.pids and work.pids[0] != worker


# --- class mode ----------------------------------------------------------------------------------

TEACHER_PATHS = ["/teacher", "/teacher/rows", "/teacher/grades.csv", "/teacher/report.html", "/teacher/details.json",
                 "/teacher/submissions/1"]


def submit(client: TestClient, student: str, text: str = CORRECT, **headers: str):
    return client.post("/class/submit", data={"csrf": csrf_of(client), "student": student, "text": text},
                       headers=headers, follow_redirects=False)


def test_the_teacher_token_is_required(class_client: TestClient) -> None:
    token = class_client.app_state.teacher_token  # type: ignore[attr-defined]
    for path in TEACHER_PATHS:
        assert class_client.get(path).status_code == 401, path
        assert class_client.get(path, headers={"authorization": "Bearer wrong"}).status_code == 401, path
    assert class_client.get("/teacher?token=wrong").status_code == 401
    login = class_client.get(f"/teacher?token={token}", follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/teacher"
    assert "httponly" in login.headers["set-cookie"].lower() and "samesite=strict" in login.headers["set-cookie"].lower()
    assert class_client.get("/teacher").status_code == 200


def test_a_submission_needs_the_csrf_token_and_this_site(class_client: TestClient) -> None:
    no_token = class_client.post("/class/submit", data={"student": "ann", "text": CORRECT})
    assert no_token.status_code == 403
    assert submit(class_client, "ann", origin="http://evil.example").status_code == 403
    assert submit(class_client, "ann", **{"sec-fetch-site": "cross-site"}).status_code == 403
    other = TestClient(class_client.app, base_url="http://127.0.0.1:8000")
    stolen = other.post("/class/submit", data={"csrf": csrf_of(class_client), "student": "ann", "text": CORRECT})
    assert stolen.status_code == 403  # a token belongs to its browser
    assert class_client.app_state.store.all() == []  # type: ignore[attr-defined]


def test_a_submission_is_graded_like_derive_grade_and_seen_only_by_its_student(class_client: TestClient, tmp_path: Path) -> None:
    accepted = submit(class_client, "Ann O'Neil", MISTAKEN)
    assert accepted.status_code == 303
    own = class_client.get(accepted.headers["location"])
    assert own.status_code == 200 and "Ann O&#39;Neil" in own.text and "first error on line 2" in own.text
    stranger = TestClient(class_client.app, base_url="http://127.0.0.1:8000")
    assert stranger.get(accepted.headers["location"]).status_code == 404
    assert "Ann O" not in stranger.get("/class").text
    taken = stranger.post("/class/submit", data={"csrf": csrf_of(stranger), "student": "Ann O'Neil", "text": CORRECT},
                          headers={"accept": "text/html"})
    assert taken.status_code == 409 and "already used from another browser" in taken.text
    token = {"authorization": "Bearer " + class_client.app_state.teacher_token}  # type: ignore[attr-defined]
    gradebook = class_client.get("/teacher/grades.csv", headers=token).text
    (tmp_path / "Ann O'Neil").write_text(MISTAKEN, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "derive", "grade", "Ann O'Neil", "--out", "grades.csv"], cwd=tmp_path,
                   check=True, capture_output=True, timeout=300)
    assert gradebook == (tmp_path / "grades.csv").read_text(encoding="utf-8")
    report = class_client.get("/teacher/report.html", headers=token)
    assert report.status_code == 200 and "exp_derivative_without_chain" in report.text


@pytest.mark.parametrize(("student", "status"), [
    ("", 400), ("<b>Bob</b>", 400), ("x" * 65, 400), ("...", 400), ("José Núñez", 303), ("s123456", 303),
    ("-1+1", 303),
])
def test_student_names_are_validated(class_client: TestClient, student: str, status: int) -> None:
    assert submit(class_client, student).status_code == status


def test_student_text_is_escaped_in_the_teacher_pages_and_the_csv(class_client: TestClient) -> None:
    assert submit(class_client, "-1+1", HOSTILE).status_code == 303
    token = {"authorization": "Bearer " + class_client.app_state.teacher_token}  # type: ignore[attr-defined]
    for path in ("/teacher", "/teacher/submissions/1", "/teacher/report.html"):
        page = class_client.get(path, headers=token)
        assert "<script>" not in page.text and "<img src=x" not in page.text, path
    csv_text = class_client.get("/teacher/grades.csv", headers=token).text
    assert "\n'-1+1," in csv_text  # a spreadsheet would read =, +, - and @ as a formula


def test_simultaneous_submissions_never_corrupt_the_database(class_client: TestClient) -> None:
    clients = [TestClient(class_client.app, base_url="http://127.0.0.1:8000") for _ in range(12)]
    tokens = [csrf_of(client) for client in clients]
    statuses: list[int] = []

    def send(index: int) -> None:
        answer = clients[index].post("/class/submit", data={"csrf": tokens[index], "student": f"student{index:02d}",
                                                            "text": CORRECT if index % 2 else MISTAKEN}, follow_redirects=False)
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [303] * len(clients)
    store = class_client.app_state.store  # type: ignore[attr-defined]
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT COUNT(*), COUNT(DISTINCT student) FROM submissions").fetchone() == (12, 12)
    rows = [submission.row for submission, _ in store.latest()]
    assert [row["valid"] for row in rows] == [index % 2 == 1 for index in range(12)]


def test_a_restart_keeps_every_submission_and_checks_the_pending_ones(tmp_path: Path) -> None:
    database = tmp_path / "class.sqlite3"
    with running_app(class_name="ML101", database=database) as client:
        assert submit(client, "ann").status_code == 303
        token = client.app_state.teacher_token  # type: ignore[attr-defined]
        # accepted while the pool could not check it (as if the server stopped at that moment)
        client.app_state.store.add(student="bob", owner="a-browser-of-bob", text=MISTAKEN)  # type: ignore[attr-defined]
        cookie = client.cookies.get("derive_browser")
    with running_app(class_name="ML101", database=database) as client:
        assert client.app_state.teacher_token == token  # type: ignore[attr-defined]  # the printed link still works
        deadline = time.monotonic() + 60
        while client.app_state.store.pending() and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.1)
        rows = {submission.student: submission.row for submission, _ in client.app_state.store.latest()}  # type: ignore[attr-defined]
        assert rows["ann"]["valid"] is True and rows["bob"]["first_error"] == 2
        client.cookies.set("derive_browser", cookie)
        assert "ann" in client.get("/class").text  # the student still sees their own submission
    with pytest.raises(InputError, match="holds the class 'ML101', not 'CS50'"):
        with running_app(class_name="CS50", database=database):
            pass


# --- class mode with a typed exercise (derive serve --class NAME --exercise "f(x) = …") -----------

TYPED = "f(x) = x^2 \\sin(x)"
TYPED_CORRECT = "f'(x) = 2x\\sin(x) + x^2\\cos(x)\n"
TYPED_MISTAKEN = "f'(x) = 2x\\cos(x)\n"


def test_a_typed_exercise_is_shown_checked_live_and_graded_like_derive_grade_exercise(tmp_path: Path) -> None:
    database = tmp_path / "class.sqlite3"
    with running_app(class_name="ML101", exercise=TYPED, database=database) as client:
        page = client.get("/class")
        assert page.status_code == 200 and re.search(r'<p class="exercise">The exercise: (<span class="nobr">)?<math', page.text)
        assert "<mi>sin</mi>" in page.text or "sin" in page.text.split('<p class="exercise">')[1].split("</p>")[0]
        assert 'data-live="/class/live"' in page.text
        # the live check uses the class's exercise, whatever the form says: f is the typed one
        live = client.post("/class/live", data={"text": TYPED_CORRECT, "function": "bce", "exercise": "g(x) = 1"})
        assert live.status_code == 200 and "Valid</strong>: 1 correct, 0 wrong" in live.text
        assert "Start your derivation with the exercise" not in live.text
        for student, text in (("ann", TYPED_CORRECT), ("bob", TYPED_MISTAKEN)):
            assert submit(client, student, text).status_code == 303
        token = {"authorization": "Bearer " + client.app_state.teacher_token}  # type: ignore[attr-defined]
        teacher = client.get("/teacher", headers=token).text
        assert "derive serve --class ML101 --exercise &#34;f(x) = x^2 \\sin(x)&#34;" in teacher
        assert 'id="var"' not in page.text  # the class's variable is the class's, not the student's
        gradebook = client.get("/teacher/grades.csv", headers=token).text
        details = client.get("/teacher/details.json", headers=token).json()
        assert (details["function"], details["exercise"]) == (None, TYPED)
    for student, text in (("ann", TYPED_CORRECT), ("bob", TYPED_MISTAKEN)):
        (tmp_path / student).write_text(text, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "derive", "grade", "ann", "bob", "--exercise", TYPED, "--out", "grades.csv"],
                   cwd=tmp_path, check=True, capture_output=True, timeout=300)
    assert gradebook == (tmp_path / "grades.csv").read_text(encoding="utf-8")
    assert ",True," in gradebook.splitlines()[1] and ",False," in gradebook.splitlines()[2]
    # stored with the class: a restart with no exercise goes on with it; another exercise is refused
    with running_app(class_name="ML101", database=database) as client:
        assert client.app_state.exercise.definition == TYPED  # type: ignore[attr-defined]
    with pytest.raises(InputError, match=r'^the class \'ML101\' checks another exercise: start it with --exercise "f\(x\)'):
        with running_app(class_name="ML101", function="bce", database=database):
            pass


@pytest.mark.parametrize(("exercise", "message"), [
    ("x^2", "the exercise must define a function of x, as in f(x) = x^2 e^(3x); not 'x^2'"),
    ("f(x) = x^^2", "the exercise 'f(x) = x^^2' cannot be read"),
    ("f(x) = __import__('os').system('touch /tmp/derive-web-pwned')", "cannot be read"),
    ("f(x) = x\ng(x) = 1", "--exercise must be one line of printable characters"),
    ("f(x) = " + "x+" * 300 + "x", "--exercise is too long (608 characters; the limit is 500)"),
    ("   ", "--exercise is empty"),
])
def test_a_bad_typed_exercise_is_one_line_and_never_stored(tmp_path: Path, exercise: str, message: str) -> None:
    database = tmp_path / "class.sqlite3"
    with pytest.raises(InputError) as raised:
        with running_app(class_name="ML101", exercise=exercise, database=database):
            pass
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert not database.exists() or sqlite3.connect(database).execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'meta'").fetchone() == (0,)
    assert not Path("/tmp/derive-web-pwned").exists()


# --- the listing kept between starts (derive/web/listing.py) --------------------------------------

def test_a_second_start_lists_the_catalogue_without_a_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from derive.web import listing
    from derive.web.work import Work

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with running_app() as client:
        first = client.get("/").text
    (kept,) = (tmp_path / "derive").glob("serve-listing-*.json")
    assert kept.name == f"serve-listing-{listing.source_digest()}.json"
    data = json.loads(kept.read_text(encoding="utf-8"))
    assert [entry["name"] for entry in data["catalogue"]][:1] == ["sigmoid"] and "file" in data["columns"]

    def no_worker(*_args: object, **_options: object) -> None:
        raise AssertionError("the start read the catalogue from a worker")

    monkeypatch.setattr(Work, "run_now", no_worker)
    with running_app(class_name="ML101", database=tmp_path / "class.sqlite3") as client:
        assert client.get("/").text.replace("Class ML101", "").count("<math") == first.count("<math")
        assert client.app_state.columns == data["columns"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("kept", ["not json", "{}", '{"catalogue": [{"name": 1}], "columns": []}', "[" * 100_000])
def test_a_kept_listing_that_is_not_one_is_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: str) -> None:
    from derive.web import listing

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = tmp_path / "derive" / f"serve-listing-{listing.source_digest()}.json"
    path.parent.mkdir()
    path.write_text(kept, encoding="utf-8")
    assert listing.read_listing(path.parent, listing.source_digest()) is None
    with running_app() as client:
        assert client.get("/").status_code == 200
    assert listing.read_listing(path.parent, listing.source_digest()) is not None


def test_other_code_is_another_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from derive.web import listing

    kept = listing.Listing(catalogue=[{"name": "x", "title": "", "summary": "", "aliases": [], "routes": [], "default_route": "",
                                       "document": "handout", "variable": "x", "definition_mathml": "<math/>",
                                       "definition_plain": "x"}], columns=["file"])
    listing.write_listing(tmp_path, "a" * 32, kept)
    assert listing.read_listing(tmp_path, "a" * 32) == kept
    assert listing.read_listing(tmp_path, "b" * 32) is None
    for index in range(listing.KEPT + 3):
        listing.write_listing(tmp_path, f"{index:032d}", kept)
    assert len(list(tmp_path.glob("serve-listing-*.json"))) == listing.KEPT
    assert listing.read_listing(tmp_path, f"{listing.KEPT + 2:032d}") == kept


def test_a_class_database_from_before_typed_exercises_opens_with_its_function(tmp_path: Path) -> None:
    from derive.web.store import ClassStore, Exercise

    database = tmp_path / "old.sqlite3"
    ClassStore(database, class_name="ML101", exercise=Exercise(function="bce"))
    with sqlite3.connect(database) as connection:  # as schema 1 wrote it: the function only
        connection.execute("DELETE FROM meta WHERE key IN ('exercise', 'variable')")
    assert ClassStore(database, class_name="ML101", exercise=None).exercise == Exercise(function="bce")
    assert ClassStore(database, class_name="ML101", exercise=Exercise(function="bce")).exercise == Exercise(function="bce")
    with pytest.raises(InputError, match="start it with --function bce"):
        ClassStore(database, class_name="ML101", exercise=Exercise(function="sigmoid"))


def test_the_pages_keep_punctuation_with_the_formula_before_it(client: TestClient) -> None:
    """The server's own templates (a verdict's sentences) get the handouts' punctuation pass: a
    browser never starts a line with the full stop after a formula; a handout fragment inside a
    page, kept already, is not wrapped twice."""
    pages = [client.post("/check", data={"text": MISTAKEN, "function": "sigmoid"}, headers={"accept": "text/html"}).text,
             client.get("/derive", params={"name": "sigmoid"}).text]
    for page in pages:
        assert re.findall(r"</math>[.,;:!?)]+(?!</span>)", page) == []
        assert '<span class="nobr"><span class="nobr">' not in page
    assert re.search(r'<span class="nobr"><math\b[^>]*display="inline"', pages[0])  # a verdict's sentence was kept
