"""derive.check from a user's plain script: no ``if __name__ == "__main__":`` guard, or read from stdin.

The proof workers start under the fork server, which by default re-imports the caller's main
script in the child; a guard-less script would run again there and fail, and a script on stdin
cannot be found. These run the script as a user does, in a fresh interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tooling import REPO_ROOT

SCRIPT = """\
import derive
print("start")
report = derive.check("\\\\sigma'(x) = \\\\sigma(x)(1-\\\\sigma(x))")
wrong = derive.check("\\\\sigma'(x) = \\\\sigma(x)^2")
print(report.valid, wrong.valid)
"""


def _run(arguments: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, *arguments], cwd=cwd, input=stdin, capture_output=True, text=True,
                          timeout=300, env=environment, check=False)


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_script_without_a_main_guard_checks_once(tmp_path: Path, how: str) -> None:
    script = tmp_path / "grade_me.py"
    script.write_text(SCRIPT, encoding="utf-8")
    done = _run([str(script)], tmp_path) if how == "file" else _run(["-"], tmp_path, stdin=SCRIPT)
    assert done.returncode == 0, done.stderr[-2000:]
    # The script ran once (not again inside a worker), and both verdicts came back.
    assert done.stdout.splitlines() == ["start", "True False"]
    assert "Traceback" not in done.stderr
