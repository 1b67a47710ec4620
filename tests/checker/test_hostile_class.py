"""Issue 10's class: 300 submissions, 30 of them hostile (bombs, separators, links, a pipe, binary,
injections), graded with --jobs 2, feedback and a class report. It grades to 300 rows, with no
traceback, no hang, no file left behind and no worker left running; every hostile file gets the row
a robust grader must give it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from processes import alive, descendants

GENERATOR = Path(__file__).resolve().parents[1] / "data" / "hostile" / "make_class.py"


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    subprocess.run([sys.executable, str(GENERATOR), str(root)], check=True, capture_output=True, timeout=300)
    before = {path.relative_to(root) for path in root.rglob("*")}
    process = subprocess.Popen(
        [sys.executable, "-m", "derive", "grade", "class", "--jobs", "2", "--timeout", "2", "--file-timeout", "10",
         "--out", "out/grades.csv", "--feedback", "out/feedback", "--report", "out/report"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    family: set[int] = set()
    deadline = time.monotonic() + 1200  # a hang fails here, not in CI's global timeout
    while process.poll() is None:
        family |= descendants(process.pid)
        assert time.monotonic() < deadline, "derive grade hung"
        time.sleep(0.2)
    stdout, stderr = process.communicate()
    time.sleep(1)
    return {"root": root, "before": before, "code": process.returncode, "stdout": stdout, "stderr": stderr,
            "family": family, "manifest": json.loads((root / "manifest.json").read_text(encoding="utf-8")),
            "rows": list(csv.DictReader(io.StringIO((root / "out" / "grades.csv").read_text(encoding="utf-8"))))}


def test_three_hundred_rows_and_no_traceback(graded: dict) -> None:
    assert graded["code"] == 0, graded["stderr"]
    assert "Traceback" not in graded["stderr"]
    assert len(graded["stderr"].strip().splitlines()) == 1, graded["stderr"]
    assert graded["stderr"].startswith("300 submissions: ")
    assert [row["file"] for row in graded["rows"]] == [f"class/{entry['file']}" for entry in graded["manifest"]["files"]]


def test_no_worker_is_left_running(graded: dict) -> None:
    assert len(graded["family"]) >= 3
    assert [pid for pid in graded["family"] if alive(pid)] == []


def test_no_file_is_left_behind(graded: dict) -> None:
    root = graded["root"]
    after = {path.relative_to(root) for path in root.rglob("*")}
    made = {path for path in after - graded["before"] if path.parts[0] != "out"}
    assert made == set(), made
    assert not [path for path in (root / "out").rglob(".*")], "no temporary or partial file"
    assert len(list((root / "out" / "feedback").iterdir())) == 600


def test_hostile_files_get_the_rows_a_robust_grader_gives(graded: dict) -> None:
    rows = {row["file"].removeprefix("class/"): row for row in graded["rows"]}
    tagged = {entry["file"].split("-", 1)[1].rsplit(".", 1)[0]: rows[entry["file"]]
              for entry in graded["manifest"]["files"] if entry["kind"] == "hostile"}
    assert "not followed" in tagged["symlink-etc-passwd"]["error"]
    assert "cannot be read" in tagged["symlink-loop"]["error"]
    assert "not a regular file" in tagged["fifo"]["error"]
    assert "binary" in tagged["binary"]["error"] and "UTF-8" in tagged["invalid-utf8"]["error"]
    assert "empty" in tagged["empty"]["error"] and "not a plain-text" in tagged["essay"]["error"]
    decimals = tagged["approx-29-decimals"]
    assert (decimals["valid"], decimals["first_error"], decimals["correct"], decimals["wrong"]) == ("False", "2", "1", "1")
    for name in ("sep-u2028", "sep-nel", "sep-formfeed", "sep-vtab"):
        assert (tagged[name]["first_error"], tagged[name]["lines"]) == ("1", "1"), "a line number the file has"
    for name, row in tagged.items():
        if not row["error"]:
            assert row["lines"] != "0", name
    everything = "".join(path.read_text(encoding="utf-8", errors="replace")
                         for path in (graded["root"] / "out").rglob("*") if path.is_file())
    assert "root:x:0:0" not in everything, "nothing of /etc/passwd in any output"


def test_ordinary_files_are_graded(graded: dict) -> None:
    rows = {row["file"].removeprefix("class/"): row for row in graded["rows"]}
    ordinary = [entry for entry in graded["manifest"]["files"] if entry["kind"] == "ordinary"]
    assert all(rows[entry["file"]]["error"] == "" for entry in ordinary)
    wrongly_valid = [entry["file"] for entry in ordinary
                     if rows[entry["file"]]["valid"] == "True" and not entry["expected"]["valid"]]
    assert wrongly_valid == [], "a wrong derivation is never called valid"
