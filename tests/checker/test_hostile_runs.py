"""Hostile input through `derive check` and `derive grade`, run for real: proof workers never outlive a
killed parent (nor does the fork server), one bad file never stops a class, links out of the graded
folder are not followed, options are validated exactly, and a student never reads derive's internals."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive.checker import check
from derive.checker.grade import Found, grade_one
from derive.checker.worker import ProofWorker, undecidable
from derive.errors import DeriveError
from derive.sandbox import JobFailed
from processes import alive, children, descendants

SLOW = "x^(x^(x^(x^(x^x)))) = x^(x^(x^(x^x)))\n(x+1)^1000*(x-1)^1000 = (x^2-1)^1000 + 1\n"


def derive(*arguments: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, arguments)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def _wait_for_workers(process: subprocess.Popen[bytes], count: int) -> set[int]:
    """The process's descendants once a proof worker (a grandchild, under the fork server) runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = descendants(process.pid)
        grandchildren = found - set(children(process.pid))
        if len(grandchildren) >= count:
            time.sleep(1.0)  # let the worker start proving
            return descendants(process.pid)
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("no proof worker started")


@pytest.mark.parametrize("command", ["check", "grade"])
@pytest.mark.parametrize("kill", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_no_worker_outlives_a_killed_parent(tmp_path: Path, command: str, kill: signal.Signals) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(SLOW, encoding="utf-8")
    arguments = ["check", "class/a.txt"] if command == "check" else ["grade", "class", "--jobs", "2", "--out", "g.csv"]
    process = subprocess.Popen([sys.executable, "-m", "derive", *arguments, "--timeout", "300"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    family = _wait_for_workers(process, 2 if command == "grade" else 1)
    assert len(family) >= 3, "the fork server, the resource tracker and the workers"
    process.send_signal(kill)
    _, stderr = process.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in family):
        time.sleep(0.1)
    assert not [pid for pid in family if alive(pid)], "every worker, and the fork server, ended with derive"
    assert b"Traceback" not in stderr and b"BrokenPipeError" not in stderr, stderr.decode()


def test_a_failure_inside_one_file_is_its_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("sigma(0) = 1/2\n", encoding="utf-8")

    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("deep inside")

    monkeypatch.setattr("derive.checker.grade.check", broken)
    with ProofWorker() as worker:
        graded = grade_one(Found(path=tmp_path / "a.txt"), worker)
    assert graded.report is None and graded.sha256 is not None
    assert graded.error == f"{tmp_path / 'a.txt'}: checking failed inside derive (ZeroDivisionError); please report this input"


HOSTILE_FILES = {
    "a-29-decimals.txt": "sigma(1) ≈ 0.73105857863000487925115924182\nsigma(1) ≈ 0.77777777777777777777777777777\n",
    "b-x-minus-x.txt": "sigma'(x) = sigma(x)*(1 - sigma(x)) * (x - x)/(x - x)\n1/(x - x) = 0\nsigma(0) = 1/2\n",
    "c-frac-zero.tex": "\\frac{0}{0} = 1\n\\sigma(0) = \\frac{0}{0}\n\\sigma(0) = \\frac{1}{2}\n",
    "d-good.txt": "sigma'(x) = sigma(x)*(1-sigma(x))\n",
}


def test_a_class_with_hostile_files_grades_every_row(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for name, text in HOSTILE_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "e-passwd.txt").symlink_to("/etc/passwd")
    (tmp_path / "outside.txt").write_text("sigma(0) = 1/2\n", encoding="utf-8")
    (folder / "f-outside.txt").symlink_to(tmp_path / "outside.txt")
    (folder / "g-inside.txt").symlink_to("d-good.txt")
    result = derive("grade", "class", "--out", "g.csv", "--jobs", "2", cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    table = {row["file"].split("/")[-1]: row for row in csv.DictReader(io.StringIO((tmp_path / "g.csv").read_text()))}
    assert len(table) == 7
    assert (table["a-29-decimals.txt"]["valid"], table["a-29-decimals.txt"]["first_error"]) == ("False", "2")
    assert table["a-29-decimals.txt"]["correct"] == "1", "29 decimals are read at 29 decimals"
    assert table["b-x-minus-x.txt"]["error"] == "" and table["c-frac-zero.tex"]["error"] == ""
    for link, target in (("e-passwd.txt", "/etc/passwd"), ("f-outside.txt", str(tmp_path / "outside.txt"))):
        assert table[link]["error"] == (f"class/{link}: not graded: a link to {target}, outside the folder being graded "
                                        "(links that leave the folder are not followed)")
    assert table["g-inside.txt"]["valid"] == "True", "a link inside the folder is followed"
    details = (tmp_path / "g.json").read_text(encoding="utf-8")
    assert "root:" not in details and "/bin/" not in details, "nothing of /etc/passwd"


@pytest.mark.parametrize(("arguments", "message"), [
    (("sigmoid", "--format", "latex", "--snippet", "--label", "eq\n"), "--label may only contain"),
    (("sigmoid", "--format", "latex", "--symbol", "x\n"), "--symbol must be one letter"),
    (("sigmoid", "--symbol", "\\alpha\n"), "--symbol must be one letter"),
    (("diff", "x^2", "--name", "ex\n"), "--name may only contain"),
    (("diff", "x^2", "--format", "markdown", "--name", "ex\n"), "--name may only contain"),
    (("check", "a.txt", "--file-timeout", "nan"), "--file-timeout must be between 0.1 and 3600 seconds, not 'nan'"),
    (("check", "a.txt", "--timeout", "nan"), "--timeout must be between 0.1 and 3600 seconds, not 'nan'"),
    (("grade", "a.txt", "--file-timeout", "inf"), "--file-timeout must be between 0.1 and 3600 seconds, not 'inf'"),
    (("grade", "a.txt", "--file-timeout", "soon"), "--file-timeout must be a number of seconds, not 'soon'"),
    (("diff", "x", "--timeout", "0"), "--timeout must be between 0.1 and 3600 seconds, not '0'"),
])
def test_options_are_validated_exactly(tmp_path: Path, arguments: tuple[str, ...], message: str) -> None:
    (tmp_path / "a.txt").write_text("sigma(0) = 1/2\n", encoding="utf-8")
    result = derive(*arguments, cwd=tmp_path)
    assert result.returncode in (1, 2), result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert message in line, line
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.txt"], "nothing written (no 'ex\\n.tex')"


@pytest.mark.parametrize(("error", "words"), [
    (AttributeError("'MPIntervalContext' object has no attribute 'workdps'"), "a limitation of derive, not a mistake of yours"),
    (type("NoConvergence", (Exception,), {})("failed to converge"), "did not converge"),
    (ZeroDivisionError("division by zero"), "divides by zero"),
    (OverflowError("too big"), "too large to compute"),
    (MemoryError(), "ran out of memory"),
    (RecursionError(), "nested too deeply"),
])
def test_a_student_reads_words_not_internals(error: BaseException, words: str) -> None:
    reason = undecidable(error)
    assert words in reason
    assert type(error).__name__ not in reason and "object has no attribute" not in reason and (not str(error) or str(error) not in reason)


def test_an_undecided_line_says_so_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    from derive.checker import worker as worker_module

    def failing(*_: object) -> None:
        raise AttributeError("'MPIntervalContext' object has no attribute 'workdps'")

    monkeypatch.setattr(worker_module, "decide", failing)
    from derive.checker.worker import InlineWorker

    with InlineWorker() as inline:
        report = check("sigma(1) ≈ 0.7311\n", worker=inline)  # type: ignore[arg-type]
    (line,) = report.lines
    assert line.status == "unparsed" and line.relation == "not decided"
    assert line.message == ("derive could not decide this line: derive could not evaluate this expression with the "
                            "methods it has (a limitation of derive, not a mistake of yours).")


def test_the_api_raises_only_deriveerrors(monkeypatch: pytest.MonkeyPatch) -> None:
    import derive as api

    monkeypatch.setattr("derive.checker.judge_line", lambda *_: 1 / 0)
    with pytest.raises(JobFailed) as raised:
        api.check("sigma(0) = 1/2\n")
    assert raised.value.exit_code == 3 and "(ZeroDivisionError)" in str(raised.value)
    monkeypatch.setattr("derive.api.verify_derivation", lambda *_: [][1])
    with pytest.raises(JobFailed) as raised:
        api.derive("sigmoid")
    assert isinstance(raised.value, DeriveError) and "(IndexError)" in str(raised.value)


def test_the_cli_turns_a_bug_into_one_line_and_exit_3(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(
        "import derive.checker\nderive.checker.judge_line = lambda *a: 1 / 0\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("sigma(0) = 1/2\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "derive", "check", "a.txt"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 3
    assert result.stderr == ("derive: error: checking a.txt failed inside derive (ZeroDivisionError); please report "
                             "this input\n")
