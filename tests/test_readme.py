"""The README is tested, as sqlite-utils tests its docs:

* every ``>>>`` example runs as a doctest;
* every ``$ derive ...`` example is the output of a real run, pasted in by cog (``cog -r
  README.md``): this test fails when ``cog --check README.md`` would change the README;
* every option of every command's ``--help`` is documented in the README's own words (bug fixed:
  ``derive diff --name`` was not), in the section about that command; the generated command
  reference at the end does not count.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from pathlib import Path

import pytest
from cogapp import Cog

from derive.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
REFERENCE = "## Command reference"

#: command (as typed after "derive"; "" is `derive NAME`) -> the README section that documents it
SECTIONS = {
    "": "## Command line", "list": "## Command line", "diff": "## Command line", "worksheet": "## Command line",
    "compare": "## Command line", "catalogue": "## Command line", "check": "## Checking students' derivations", "grade": "## Checking students' derivations",
    "gradescope-autograder": "## Gradescope", "serve": "## In a browser: `derive serve`",
}


def readme() -> str:
    return README.read_text(encoding="utf-8")


def written_part() -> str:
    """The README without the generated command reference."""
    return readme().split(REFERENCE, 1)[0]


def section(heading: str) -> str:
    return written_part().split(heading + "\n", 1)[1].split("\n## ", 1)[0]


def test_every_python_example_runs() -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(readme(), {}, "README.md", str(README), 0)
    assert len(test.examples) >= 15, "the README's Python examples went missing"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    output = io.StringIO()
    result = runner.run(test, out=output.write)
    assert result.failed == 0, output.getvalue()


def test_every_command_example_is_the_output_of_a_real_run() -> None:
    """`cog --check` reruns every example (each in a fresh folder) and compares."""
    assert readme().count("$ derive ") >= 10
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = Cog().main(["cog", "--check", "--diff", str(README)])
    assert status == 0, f"run `cog -r README.md` to update the examples:\n{stdout.getvalue()}{stderr.getvalue()}"


def test_every_example_is_inside_a_cog_block() -> None:
    """No hand-typed `$ derive` output outside the generated blocks."""
    outside = re.sub(r"<!-- \[\[\[cog.*?\[\[\[end\]\]\] -->", "", readme(), flags=re.S)
    assert not re.search(r"^\$ derive ", outside, flags=re.M)


def help_text(command: str) -> str:
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), pytest.raises(SystemExit) as stop:
        main([command, "--help"] if command else ["--help"])
    assert stop.value.code == 0
    return stdout.getvalue()


def options(command: str) -> list[str]:
    found = sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", help_text(command))) - {"--help"})
    return found


@pytest.mark.parametrize("command", SECTIONS, ids=lambda c: f"derive {c or 'NAME'}")
def test_every_option_is_documented_with_its_command(command: str) -> None:
    text = section(SECTIONS[command])
    assert f"derive {command}" in text if command else "derive NAME" in text
    missing = [option for option in options(command) if not re.search(re.escape(option) + r"(?![\w-])", text)]
    assert missing == [], f"derive {command or 'NAME'}: {missing} not in the README's {SECTIONS[command]!r} section"


def test_every_command_is_covered_here() -> None:
    assert set(SECTIONS) - {""} == set(COMMANDS)


def test_the_option_scan_finds_the_options() -> None:
    """The scan is not vacuous: it sees derive diff's --name (which the README once lacked)."""
    assert "--name" in options("diff") and "--file-timeout" in options("check")
    assert len(options("")) >= 8


def test_the_reference_lists_every_command() -> None:
    reference = readme().split(REFERENCE, 1)[1]
    for command in ["", *COMMANDS]:
        assert f"$ derive {command} --help".replace("  ", " ") in reference
