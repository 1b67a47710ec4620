"""`derive grade` on a real class: the gradebook with scores, feedback and the class report; and
robust when it counts: interrupted by SIGTERM or SIGKILL, a full disk, --resume keyed by content,
and output paths that cannot be written refused before any work."""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive.grading.gradebook import GRADEBOOK_COLUMNS, iter_entries

LINES = [
    r"\sigma'(x) = \frac{d}{dx}\left(1+e^{-x}\right)^{-1}",
    r"= -\left(1+e^{-x}\right)^{-2}\cdot\left(-e^{-x}\right)",
    r"= \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}",
    r"= \frac{1}{1+e^{-x}}\cdot\frac{e^{-x}}{1+e^{-x}}",
    r"= \frac{1}{1+e^{-x}}\left(1-\frac{1}{1+e^{-x}}\right)",
    r"= \sigma(x)\left(1-\sigma(x)\right)",
]
WRONG_LINE = r"= -\left(1+e^{-x}\right)^{-2}\cdot e^{-x}"


def submission(index: int) -> str:
    lines = list(LINES[: 3 + index % 4])
    if index % 3 == 0:
        lines[1] = WRONG_LINE
    return "\n".join(lines) + "\n"


def make_class(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"s{index:03d}.tex").write_text(submission(index), encoding="utf-8")
    return folder


def derive(*arguments: str | Path, cwd: Path, **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, arguments)], cwd=cwd, capture_output=True,
                          text=True, timeout=900, **options)


def start(*arguments: str | Path, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "derive", *map(str, arguments)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("run")
    make_class(root / "class", 6)
    (root / "class" / "broken.pdf").write_bytes(b"%PDF")
    (root / "rubric.toml").write_text('maximum = 20\ncarried_forward = "every_line"\n', encoding="utf-8")
    result = derive("grade", "class", "--rubric", "rubric.toml", "--feedback", "class/feedback", "--report", "report",
                    "--out", "class/grades.csv", "--jobs", "2", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "7 submissions: 4 valid, 2 with errors, 1 unusable"
    return root


def test_the_gradebook_has_scores_and_words(graded: Path) -> None:
    table = rows(graded / "class" / "grades.csv")
    assert tuple(table[0]) == GRADEBOOK_COLUMNS
    assert [row["file"] for row in table] == ["class/broken.pdf", *(f"class/s{i:03d}.tex" for i in range(6))]
    by_file = {row["file"].split("/")[-1]: row for row in table}
    assert by_file["s005.tex"]["score"] == "8" and by_file["s005.tex"]["maximum"] == "20"  # 4 steps, the result
    wrong = by_file["s000.tex"]
    assert wrong["diagnosis"] == "exp_derivative_without_chain"
    assert wrong["diagnosis_text"].startswith("line 2: The derivative of e^(-x) is -e^(-x)")
    assert wrong["score"] == "5", "lines 1 and 3 are steps, line 3 is the result (correct again after line 2), 1 off for line 2"
    assert by_file["broken.pdf"]["score"] == "0" and by_file["broken.pdf"]["needs_review"] == "True"
    assert all(len(row["sha256"]) == 64 for row in table if row["file"].endswith(".tex"))


def test_the_details_stream_one_entry_per_line(graded: Path) -> None:
    text = (graded / "class" / "grades.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["settings"]["function"] == "sigmoid" and data["rubric"]["maximum"] == 20
    assert len(data["submissions"]) == 7 == len(text.splitlines()) - 2
    entry = data["submissions"][1]
    assert set(entry) == {"file", "sha256", "error", "score", "report"}
    assert entry["score"]["lines"][0] == {"line": 1, "points": 1, "reason": "a correct step (first line)"}
    assert entry["report"]["outcome"]["result_line"] == 3
    assert [e["file"] for e in iter_entries(graded / "class" / "grades.json")] == [e["file"] for e in data["submissions"]]


def test_feedback_and_report_are_written_and_never_graded(graded: Path) -> None:
    feedback = sorted(path.name for path in (graded / "class" / "feedback").iterdir())
    assert feedback == sorted(f"{name}.{ext}" for name in ["broken.pdf", *(f"s{i:03d}.tex" for i in range(6))]
                              for ext in ("html", "md"))
    assert {path.name for path in (graded / "report").iterdir()} == {"class-report.html", "class-report.md",
                                                                     "scores.svg", "first-errors.svg"}
    again = derive("grade", "class", "--feedback", "class/feedback", "--out", "class/grades.csv", "--jobs", "1", cwd=graded)
    assert again.returncode == 0
    assert len(rows(graded / "class" / "grades.csv")) == 7, "feedback in the graded folder is not a submission"
    leftovers = [p for p in (graded / "class").rglob(".*")]
    assert leftovers == [], leftovers


def test_resume_regrades_only_what_changed(tmp_path: Path) -> None:
    make_class(tmp_path / "class", 5)
    first = derive("grade", "class", "--out", "g.csv", "--jobs", "1", cwd=tmp_path)
    assert first.returncode == 0
    before = {row["file"]: row for row in rows(tmp_path / "g.csv")}
    (tmp_path / "class" / "s001.tex").write_text(submission(0) + "% corrected\n", encoding="utf-8")  # now wrong
    (tmp_path / "class" / "s009.tex").write_text(submission(5) + "% late\n", encoding="utf-8")
    (tmp_path / "class" / "s010.tex").write_text(submission(2), encoding="utf-8")  # a copy: the same bytes, reused
    second = derive("grade", "class", "--out", "g.csv", "--jobs", "1", "--resume", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "7 submissions: 4 valid, 3 with errors, 0 unusable (5 reused from the earlier run)" in second.stderr
    after = {row["file"]: row for row in rows(tmp_path / "g.csv")}
    assert after["class/s001.tex"]["valid"] == "False" and after["class/s001.tex"]["sha256"] != before["class/s001.tex"]["sha256"]
    for unchanged in ("class/s000.tex", "class/s002.tex", "class/s003.tex", "class/s004.tex"):
        assert after[unchanged] == before[unchanged]
    fresh = derive("grade", "class", "--out", "fresh.csv", "--jobs", "1", cwd=tmp_path)
    assert fresh.returncode == 0
    assert (tmp_path / "fresh.csv").read_text() == (tmp_path / "g.csv").read_text(), "resumed = graded afresh"


def test_resume_refuses_results_graded_with_other_options(tmp_path: Path) -> None:
    make_class(tmp_path / "class", 2)
    assert derive("grade", "class", "--out", "g.csv", "--jobs", "1", cwd=tmp_path).returncode == 0
    second = derive("grade", "class", "--out", "g.csv", "--jobs", "1", "--resume", "--timeout", "20", cwd=tmp_path)
    assert second.returncode == 0 and "(0 reused" in second.stderr and "graded with other options" in second.stderr


def _wait_for_journal(root: Path, entries: int, process: subprocess.Popen[str], seconds: float = 300) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        journals = list(root.glob(".g.csv.journal-*"))
        if journals and journals[0].read_text(encoding="utf-8").count("\n") > entries:
            return journals[0]
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the journal never grew")


@pytest.mark.parametrize("kill", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_an_interrupted_grade_keeps_the_old_gradebook_and_resumes(tmp_path: Path, kill: signal.Signals) -> None:
    make_class(tmp_path / "class", 3)
    assert derive("grade", "class", "--out", "g.csv", "--jobs", "1", cwd=tmp_path).returncode == 0
    old = {name: (tmp_path / name).read_bytes() for name in ("g.csv", "g.json")}
    make_class(tmp_path / "class", 40)
    process = start("grade", "class", "--out", "g.csv", "--jobs", "1", "--resume", cwd=tmp_path)
    journal = _wait_for_journal(tmp_path, 8, process)
    process.send_signal(kill)
    _, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr
    if kill != signal.SIGKILL:
        assert process.returncode == 130
        assert stderr.strip().splitlines()[-1].startswith("derive: error: interrupted after ")
        assert "run the same command with --resume to continue" in stderr
    assert {name: (tmp_path / name).read_bytes() for name in ("g.csv", "g.json")} == old, "the old gradebook is intact"
    assert journal.exists(), "the work so far is kept"
    if kill != signal.SIGKILL:
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")], "no half-written file is left"
    resumed = derive("grade", "class", "--out", "g.csv", "--jobs", "1", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    reused = int(resumed.stderr.rsplit("(", 1)[1].split()[0])
    assert reused >= 8, resumed.stderr
    assert len(rows(tmp_path / "g.csv")) == 40
    assert not list(tmp_path.glob(".g.csv.journal-*")), "a finished run removes its journals"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")], "nor is what a SIGKILL left behind"


def test_a_full_disk_never_destroys_the_old_gradebook(tmp_path: Path) -> None:
    make_class(tmp_path / "class", 30)
    assert derive("grade", "class", "--out", "g.csv", "--jobs", "1", cwd=tmp_path).returncode == 0
    old = (tmp_path / "g.csv").read_bytes()

    def small_files() -> None:  # a disk that fills after 40 kB written to any one file
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))

    full = derive("grade", "class", "--out", "g.csv", "--jobs", "1", cwd=tmp_path, preexec_fn=small_files)
    assert full.returncode == 1, full.stderr
    assert len(full.stderr.strip().splitlines()) == 1 and "Traceback" not in full.stderr
    assert full.stderr.startswith("derive: error: cannot write ")
    assert (tmp_path / "g.csv").read_bytes() == old
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


UNWRITABLE = [
    ("grade", "class", "--out", "/proc/self/g.csv"),
    ("grade", "class", "--out", "afile.txt/g.csv"),
    ("grade", "class", "--details", "/sys/g.json"),
    ("grade", "class", "--feedback", "/proc/self"),
    ("grade", "class", "--report", "afile.txt/report"),
    ("grade", "class", "--moodle", "/sys/m.csv"),
    ("sigmoid", "--out", "/proc/self"),
    ("sigmoid", "--out", "/sys"),
    ("sigmoid", "--out", "afile.txt"),
    ("compare", "--out", "/proc/self"),
    ("worksheet", "sigmoid", "--out", "/sys"),
    ("diff", "x^2", "--format", "markdown", "--out", "/proc/self"),
]


@pytest.mark.parametrize("arguments", UNWRITABLE, ids=[" ".join(a) for a in UNWRITABLE])
def test_unwritable_output_is_refused_before_any_work(tmp_path: Path, arguments: tuple[str, ...]) -> None:
    make_class(tmp_path / "class", 2)
    (tmp_path / "afile.txt").write_text("not a folder\n")
    started = time.monotonic()
    result = derive(*arguments, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("derive: error: --") and "cannot write there" in line or "not a folder" in line, line
    assert result.stdout == ""
    assert sorted(path.name for path in tmp_path.iterdir()) == ["afile.txt", "class"], "nothing written"
    assert time.monotonic() - started < 60
