"""The committed output/ folder is exactly what ``derive sigmoid`` writes, and writing is reproducible.

If a change to derive or its templates is meant to change the documents, regenerate them with
``derive sigmoid`` (from the repository root) and commit output/ with the change.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import io
import re
from pathlib import Path

import pytest

from derive.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN = REPO_ROOT / "output"
EXPECTED_FILES = ["sigmoid.html", "sigmoid.md", "sigmoid.svg", "sigmoid.tex"]


def _run(out: Path) -> list[str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["sigmoid", "--out", str(out)])
    assert code == 0
    return buffer.getvalue().splitlines()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    first, second = tmp_path_factory.mktemp("golden-1"), tmp_path_factory.mktemp("golden-2")
    _run(first)
    _run(second)
    return first, second


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_committed_output_is_complete() -> None:
    assert _names(GOLDEN) == EXPECTED_FILES


def test_regenerated_files_are_the_committed_files(runs) -> None:
    first, _ = runs
    assert _names(first) == _names(GOLDEN)


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_byte_for_byte_equal_to_committed(runs, name: str) -> None:
    fresh = (runs[0] / name).read_bytes()
    golden = (GOLDEN / name).read_bytes()
    if fresh != golden:
        diff = "\n".join(list(difflib.unified_diff(
            golden.decode("utf-8", "replace").splitlines(), fresh.decode("utf-8", "replace").splitlines(),
            f"output/{name}", f"regenerated/{name}", lineterm="",
        ))[:40])
        pytest.fail(f"output/{name} is stale; regenerate with 'derive sigmoid':\n{diff}")


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_two_runs_give_identical_bytes(runs, name: str) -> None:
    first, second = runs
    assert (first / name).read_bytes() == (second / name).read_bytes()


def test_runs_print_the_written_paths(tmp_path: Path) -> None:
    printed = _run(tmp_path)
    assert sorted(Path(line).name for line in printed) == EXPECTED_FILES
    assert all(Path(line).parent == tmp_path for line in printed)


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_no_dates_or_timestamps(name: str) -> None:
    text = (GOLDEN / name).read_text(encoding="utf-8")
    assert "2026" not in text
    assert str(datetime.date.today().year) not in text
    assert "generated on" not in text.lower()
    assert r"\today" not in text
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", text), "an ISO date"
    assert not re.search(r"\b\d\d:\d\d(:\d\d)?\b", text), "a time of day"


@pytest.mark.parametrize("name", EXPECTED_FILES)
def test_unix_newlines_and_utf8(name: str) -> None:
    data = (GOLDEN / name).read_bytes()
    assert b"\r" not in data
    data.decode("utf-8")
    assert data.endswith(b"\n")
