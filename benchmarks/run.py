"""Speed benchmarks, run on demand (never in the test suite): `python3 benchmarks/run.py [name ...]`.

Each benchmark prints its figure and the target from the issues. Wall-clock ratios are medians of
paired runs taken in one sitting, so that the machine's load affects both sides alike.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PAIRED_RUNS = 15


def _wall(command: list[str], cwd: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - start


def _paired_ratio(command: list[str], label: str, target: float, cwd: str | None = None) -> None:
    baseline = [sys.executable, "-c", "import sympy"]
    _wall(baseline), _wall(command, cwd)  # warm the file cache
    ratios, ours, theirs = [], [], []
    for _ in range(PAIRED_RUNS):
        reference = _wall(baseline)
        measured = _wall(command, cwd)
        ratios.append(measured / reference)
        ours.append(measured)
        theirs.append(reference)
    print(
        f"{label}: median {statistics.median(ours) * 1000:.0f} ms vs import sympy "
        f"{statistics.median(theirs) * 1000:.0f} ms; median paired ratio {statistics.median(ratios):.2f} "
        f"(target <= {target})"
    )


def engine_routes() -> None:
    """Issue 2: derive and verify each sigmoid route in one process after warm-up (< 15 ms each)."""
    import derive

    for route in ("chain", "quotient", "log"):
        for _ in range(3):
            derive.derive("sigmoid", route=route)
        times = []
        for _ in range(30):
            start = time.perf_counter()
            derivation = derive.derive("sigmoid", route=route)
            times.append(time.perf_counter() - start)
            assert derivation.proved
        print(f"route {route}: median {statistics.median(times) * 1000:.1f} ms, best {min(times) * 1000:.1f} ms (target < 15 ms)")


def json_process() -> None:
    """Issue 2: `derive sigmoid --format json` at most 1.6x `python -c 'import sympy'`."""
    _paired_ratio([sys.executable, "-m", "derive", "sigmoid", "--format", "json"], "derive sigmoid --format json", 1.6)


def documents_process() -> None:
    """Issue 3: `derive sigmoid` writing all three formats at most 1.8x `import sympy`."""
    with tempfile.TemporaryDirectory() as folder:
        _paired_ratio([sys.executable, "-m", "derive", "sigmoid", "--out", folder], "derive sigmoid (3 formats)", 1.8)


def worksheets_30() -> None:
    """Issue 3: `derive worksheet sigmoid --students 30` under 5 s."""
    with tempfile.TemporaryDirectory() as folder:
        seconds = _wall([sys.executable, "-m", "derive", "worksheet", "sigmoid", "--students", "30", "--out", folder])
        files = len(list(Path(folder).iterdir()))
    print(f"derive worksheet sigmoid --students 30: {seconds:.2f} s for {files} files (target < 5 s)")


BENCHMARKS: dict[str, Callable[[], None]] = {
    "engine": engine_routes,
    "json": json_process,
    "documents": documents_process,
    "worksheets": worksheets_30,
}


if __name__ == "__main__":
    chosen = sys.argv[1:] or list(BENCHMARKS)
    for name in chosen:
        BENCHMARKS[name]()
