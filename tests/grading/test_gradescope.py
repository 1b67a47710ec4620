"""The Gradescope autograder: the bundle Gradescope asks for, and run_autograder run for real on
sample submissions in a folder laid out as Gradescope lays out /autograder (the zip extracted into
source/, run_autograder copied beside it, the student's files in submission/)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from derive.grading.gradescope import CONFIG_NAME, VISIBILITIES

RIGHT = "sigma'(x) = d/dx (1+exp(-x))^(-1)\n= -(1+exp(-x))^(-2) * (-exp(-x))\n= sigma(x)*(1-sigma(x))\n"
WRONG = "sigma'(x) = -(1+exp(-x))^(-2) * exp(-x)\n= -exp(-x)/(1+exp(-x))^2\n"
HOSTILE = "<script>alert(1)</script>\nsigma(0) = 1/2 # <img src=x onerror=alert(2)>\n"


def derive(*arguments: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, arguments)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gradescope")
    (folder / "rubric.toml").write_text("maximum = 20\nfinal_result = 10\n", encoding="utf-8")
    result = derive("gradescope-autograder", "--exercise", "sigmoid", "--out", "bundle", "--rubric", "rubric.toml",
                    "--timeout", "10", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "bundle"


def test_the_bundle_is_what_gradescope_asks_for(bundle: Path) -> None:
    with zipfile.ZipFile(bundle / "autograder.zip") as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        dates = {info.date_time for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", CONFIG_NAME, "requirements.txt", "derive/__init__.py",
            "derive/templates/html/feedback.html.j2"} <= set(names)
    assert not [name for name in names if "/" in name and name.split("/")[0] not in ("derive",)], "files at the root"
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert dates == {(1980, 1, 1, 0, 0, 0)}, "no dates: the same bundle is the same bytes"
    assert not [name for name in names if "__pycache__" in name]
    setup = (bundle / "setup.sh").read_text()
    assert setup.startswith("#!/usr/bin/env bash") and "requirements.txt" in setup and "3, 11" in setup
    assert (bundle / "run_autograder").read_text().startswith("#!/usr/bin/env bash")
    requirements = (bundle / "requirements.txt").read_text().split()
    assert any(line.startswith("sympy") for line in requirements) and not any("pytest" in line for line in requirements)
    config = (bundle / CONFIG_NAME).read_text()
    assert 'exercise = "sigmoid"' in config and "maximum = 20" in config and "final_result = 10" in config


def test_the_same_options_give_the_same_bytes(bundle: Path, tmp_path: Path) -> None:
    shutil.copy(bundle.parent / "rubric.toml", tmp_path / "rubric.toml")
    assert derive("gradescope-autograder", "--out", "again", "--rubric", "rubric.toml", cwd=tmp_path).returncode == 0
    assert (tmp_path / "again" / "autograder.zip").read_bytes() == (bundle / "autograder.zip").read_bytes()


def _autograder(bundle: Path, root: Path, files: dict[str, str | bytes]) -> dict:
    """Lay ``root`` out like /autograder, run run_autograder there, return results.json."""
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(bundle / "autograder.zip") as archive:
        archive.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):
        (root / "source" / name).chmod(0o755)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    for name, content in files.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("@link"):
            path.with_name(name.removesuffix("@link")).symlink_to(str(content))
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    environment = {**os.environ, "DERIVE_PYTHON": sys.executable, "PYTHONPATH": ""}
    result = subprocess.run([str(root / "run_autograder")], cwd=root, env=environment, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    _assert_gradescope_format(results)
    return results


def _assert_gradescope_format(results: dict) -> None:
    """The fields of Gradescope's results.json, with the types its specification gives."""
    assert isinstance(results["score"], (int, float)) and isinstance(results["execution_time"], int)
    assert isinstance(results["output"], str) and results["output"]
    assert results["output_format"] == results["test_output_format"] == results["test_name_format"] == "text"
    assert results["stdout_visibility"] == "hidden"
    assert results.get("visibility", "visible") in VISIBILITIES
    for test in results["tests"]:
        assert set(test) <= {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                             "tags", "visibility", "extra_data"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert test.get("status", "passed") in ("passed", "failed")
        assert test.get("visibility", "visible") in VISIBILITIES
        if "score" in test:
            assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))


def test_a_correct_submission(bundle: Path, tmp_path: Path) -> None:
    results = _autograder(bundle, tmp_path / "autograder", {"derivation.tex": RIGHT, "notes.pdf": b"%PDF-1.4"})
    assert results["score"] == 15  # three steps, the result (10), the recognised form (2), of 20
    lines = [test for test in results["tests"] if test["number"].startswith("1.")]
    assert [test["status"] for test in lines] == ["passed"] * 3
    parts = {test["name"]: (test["score"], test["max_score"]) for test in results["tests"] if "score" in test}
    assert parts == {"Steps": (3, 4), "Final result": (10, 10), "Recognised form": (2, 2)}
    assert results["extra_data"]["report"]["valid"] is True


def test_a_wrong_submission_gets_its_diagnosis_and_a_next_line(bundle: Path, tmp_path: Path) -> None:
    results = _autograder(bundle, tmp_path / "autograder", {"work/mine.txt": WRONG})
    first = results["tests"][0]
    assert first["status"] == "failed" and first["name"].startswith("Line 1: sigma'(x) = ")
    assert "Likely mistake: The derivative of e^(-x) is -e^(-x)" in first["output"]
    assert "A correct next line (Definition, proved by derive): = d/dx(1/(1 + e^(-x)))" in first["output"]
    assert results["score"] == 0 and "first error on line 1" in results["output"]  # one carried step, one wrong line
    parts = {test["name"]: (test["score"], test["max_score"]) for test in results["tests"] if "score" in test}
    assert parts["Wrong lines"] == (-1, 0) and parts["Steps"] == (1, 4)


def test_hostile_text_stays_text(bundle: Path, tmp_path: Path) -> None:
    results = _autograder(bundle, tmp_path / "autograder", {"a.tex": HOSTILE})
    names = [test["name"] for test in results["tests"]]
    assert "Line 1: <script>alert(1)</script>" in names, "shown as text: every format is 'text'"
    assert all(test["output_format"] == "text" for test in results["tests"])


@pytest.mark.parametrize(("files", "message"), [
    ({}, "No derivation was found"),
    ({"a.tex": RIGHT, "b.txt": RIGHT}, "Upload exactly one .tex or .txt file with your derivation (found several: a.tex, b.txt)"),
    ({"a.tex": b"\x00\x01binary"}, "a.tex could not be graded: a.tex is a binary file"),
    ({"a.tex": "x" * 300_000}, "a.tex could not be graded: a.tex is too large"),
    ({"a.tex@link": "/etc/passwd"}, "not graded: a link to /etc/passwd, outside the folder being graded"),
    ({"a.tex": ""}, "is empty"),
])
def test_a_submission_that_cannot_be_graded_still_gets_a_result(bundle: Path, tmp_path: Path, files: dict,
                                                                message: str) -> None:
    results = _autograder(bundle, tmp_path / "autograder", files)
    assert results["score"] == 0
    assert message in results["output"], results["output"]
    assert "root:" not in json.dumps(results), "nothing of /etc/passwd"


def test_a_broken_configuration_still_gives_a_result(bundle: Path, tmp_path: Path) -> None:
    root = tmp_path / "autograder"
    _autograder(bundle, root, {"a.tex": RIGHT})
    (root / "source" / CONFIG_NAME).write_text("exercise = 'nosuch'\n", encoding="utf-8")
    (root / "results" / "results.json").unlink()
    environment = {**os.environ, "DERIVE_PYTHON": sys.executable}
    subprocess.run([str(root / "run_autograder")], cwd=root, env=environment, capture_output=True, timeout=300, check=True)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    _assert_gradescope_format(results)
    assert results["score"] == 0 and "not set up correctly" in results["output"] and "nosuch" in results["output"]


@pytest.mark.parametrize("arguments", [("--exercise", "nosuch"), ("--visibility", "sometimes"), ("--timeout", "nan"),
                                       ("--out", "/proc/self/x"), ()])
def test_bad_options_are_one_line(tmp_path: Path, arguments: tuple[str, ...]) -> None:
    full = arguments if "--out" in arguments or not arguments else (*arguments, "--out", "b")
    result = derive("gradescope-autograder", *full, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
