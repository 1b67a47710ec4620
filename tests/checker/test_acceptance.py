"""Acceptance (issue 10): 30 submissions written the way students type, not written from the tests.

Their verdicts (``tests/data/acceptance/fresh30/expected.json``) were worked out by hand and
re-decided with SymPy directly, never with derive. Every claim's verdict and every first wrong
line must be derive's too; a definition may be reported as correct.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive.checker import check_file
from derive.checker.worker import ProofWorker

FOLDER = Path(__file__).resolve().parents[1] / "data" / "acceptance" / "fresh30"
EXPECTED = json.loads((FOLDER / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def worker():
    with ProofWorker() as shared:
        yield shared


@pytest.mark.parametrize("expected", EXPECTED, ids=[item["file"] for item in EXPECTED])
def test_every_verdict_and_first_wrong_line_is_right(worker, expected: dict) -> None:
    report = check_file(FOLDER / expected["file"], worker=worker)
    got = {str(line.line): line.status for line in report.lines}
    definitions = {str(line) for line in expected.get("definitions", [])}
    for line, status in expected["lines"].items():
        assert got.get(line) == status or (line in definitions and got.get(line) in ("correct", None)), (
            line, got.get(line), [(r.line, r.status, r.message) for r in report.lines])
    assert all(status == "correct" for line, status in got.items() if line not in expected["lines"]), got
    assert (report.valid, report.first_error) == (expected["valid"], expected["first_error"])
