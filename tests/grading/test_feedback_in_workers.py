"""How `derive grade` produces feedback fast without giving up anything: each student's documents
are rendered and written in the worker process that graded the submission (in parallel), each file
is replaced atomically without a sync of its own, and the documents are exactly those that
rendering in this process gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from derive.checker.grade import Found, Graded, collect_found
from derive.checker.worker import InlineWorker, Job, ProofWorker
from derive.errors import DeriveError, ExitCode, InputError
from derive.grading.feedback import feedback_context, write_feedback
from derive.grading.gradebook import Outputs, Settings, grade_class, iter_entries, points_of
from derive.grading.rubric import DEFAULT_RUBRIC
from derive.output import AtomicFile, write_text
from derive.renderer import render_feedback
from derive.verdicts import Report
from test_grade_runs import make_class


def test_feedback_is_written_by_the_workers_exactly_as_rendered_here(tmp_path: Path, monkeypatch) -> None:
    make_class(tmp_path / "class", 6)
    (tmp_path / "class" / "notes.pdf").write_bytes(b"%PDF")  # a file with no report gets its feedback too

    def not_here(*_: object, **__: object) -> str:
        raise AssertionError("feedback rendered in the grading process, not in a worker")

    monkeypatch.setattr("derive.renderer.render_feedback", not_here)  # the workers import their own
    outputs = Outputs(gradebook=tmp_path / "grades.csv", details=tmp_path / "grades.json", feedback=tmp_path / "fb")
    result = grade_class(collect_found([tmp_path / "class"]), outputs, Settings(), jobs=2)
    monkeypatch.undo()
    assert result.submissions == 7
    written = sorted(path.name for path in (tmp_path / "fb").iterdir())
    assert written == sorted(f"{name}.{extension}" for name in [f"s{i:03d}.tex" for i in range(6)] + ["notes.pdf"]
                             for extension in ("html", "md"))
    assert {path.name for path in result.written if path.parent == tmp_path / "fb"} == set(written)
    for entry in iter_entries(outputs.details):  # the same documents as rendering them here gives
        report = None if entry["report"] is None else Report.from_json_data(entry["report"], name=entry["file"])
        graded = Graded(path=Path(entry["file"]), report=report, error=entry["error"])
        context = feedback_context(graded, points_of(graded, DEFAULT_RUBRIC, recognised_form=True),
                                   shown_name=entry["file"], exercise="sigmoid")
        stem = Path(entry["file"]).name
        assert (tmp_path / "fb" / f"{stem}.html").read_text(encoding="utf-8") == render_feedback(context, "html")
        assert (tmp_path / "fb" / f"{stem}.md").read_text(encoding="utf-8") == render_feedback(context, "markdown")


def test_feedback_files_are_atomic_but_not_synced_one_by_one(tmp_path: Path, monkeypatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda handle: (synced.append(handle), real_fsync(handle)))
    graded = Graded(path=Path("s.tex"), report=None, error="s.tex: is empty")
    context = feedback_context(graded, points_of(graded, DEFAULT_RUBRIC, recognised_form=True), shown_name="s.tex",
                               exercise="sigmoid")
    (tmp_path / "fb").mkdir()
    (tmp_path / "fb" / "s.tex.html").write_text("the previous run's feedback", encoding="utf-8")
    files = {"html": str(tmp_path / "fb" / "s.tex.html"), "markdown": str(tmp_path / "fb" / "s.tex.md")}
    assert write_feedback(context, files) == list(files.values())
    assert synced == []
    assert [path.name for path in (tmp_path / "fb").iterdir() if path.name.startswith(".")] == []  # no partial file
    assert (tmp_path / "fb" / "s.tex.html").read_text(encoding="utf-8") == render_feedback(context, "html")
    write_text(tmp_path / "grades.csv", "file\n")  # a gradebook is synced before its rename
    assert len(synced) == 1


def test_an_unsynced_file_still_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "folder" / "doc.md"  # its folder is made on the first write
    write_text(target, "old\n", durable=False)
    unfinished = AtomicFile(target, durable=False)
    unfinished.open().write("half of the new")
    assert target.read_text() == "old\n"  # readers see the old file until the rename
    unfinished.abort()
    assert target.read_text() == "old\n" and [path.name for path in target.parent.iterdir()] == ["doc.md"]


@pytest.mark.parametrize("worker_kind", [ProofWorker, InlineWorker])
def test_a_worker_runs_a_job_of_derive_and_returns_its_errors(worker_kind, tmp_path: Path) -> None:
    with worker_kind(timeout=10) as worker:
        assert worker.run(Job(target="derive.parse:check_variable_name", args=("w",)), timeout=30) is None
        with pytest.raises(DeriveError) as refused:
            worker.run(Job(target="derive.parse:check_variable_name", args=("xyz1",)), timeout=30)
        assert refused.value.exit_code == InputError.exit_code
        with pytest.raises(DeriveError) as outside:  # only derive's own functions are jobs
            worker.run(Job(target="os:remove", args=(str(tmp_path),)), timeout=30)
        assert outside.value.exit_code == ExitCode.BUG and "\n" not in str(outside.value)
        assert tmp_path.exists()


def test_a_failing_feedback_job_fails_the_run_and_keeps_the_old_gradebook(tmp_path: Path) -> None:
    make_class(tmp_path / "class", 3)
    (tmp_path / "grades.csv").write_text("the previous gradebook\n", encoding="utf-8")
    (tmp_path / "fb").write_text("a file where the feedback folder should be", encoding="utf-8")
    outputs = Outputs(gradebook=tmp_path / "grades.csv", details=tmp_path / "grades.json", feedback=tmp_path / "fb")
    with pytest.raises(DeriveError, match=r"^cannot write .*fb.*s000\.tex\.html: "):
        grade_class([Found(path=path, folder=tmp_path / "class") for path in sorted((tmp_path / "class").iterdir())],
                    outputs, Settings(), jobs=1)
    assert (tmp_path / "grades.csv").read_text(encoding="utf-8") == "the previous gradebook\n"
    assert not (tmp_path / "grades.json").exists()
