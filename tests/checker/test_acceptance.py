"""Acceptance (issues 10, 12): submissions written the way students type, not written from the tests.

``fresh30``: 30 single-variable derivations; ``backprop``: 20 gradients of losses in several
variables, in the notation of issue 12. Their verdicts (``expected.json``) were worked out by
hand and re-decided with SymPy directly, never with derive. Every claim's verdict and every first wrong
line must be derive's too; a definition may be reported as correct.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive.checker import check_file
from derive.checker.worker import ProofWorker

ACCEPTANCE = Path(__file__).resolve().parents[1] / "data" / "acceptance"
CASES = [(folder, item) for folder in ("fresh30", "backprop")
         for item in json.loads((ACCEPTANCE / folder / "expected.json").read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def worker():
    with ProofWorker() as shared:
        yield shared


@pytest.mark.parametrize(("folder", "expected"), CASES, ids=[f"{folder}/{item['file']}" for folder, item in CASES])
def test_every_verdict_and_first_wrong_line_is_right(worker, folder: str, expected: dict) -> None:
    report = check_file(ACCEPTANCE / folder / expected["file"], worker=worker)
    got = {str(line.line): line.status for line in report.lines}
    definitions = {str(line) for line in expected.get("definitions", [])}
    for line, status in expected["lines"].items():
        assert got.get(line) == status or (line in definitions and got.get(line) in ("correct", None)), (
            line, got.get(line), [(r.line, r.status, r.message) for r in report.lines])
    assert all(status == "correct" for line, status in got.items() if line not in expected["lines"]), got
    assert (report.valid, report.first_error) == (expected["valid"], expected["first_error"])
