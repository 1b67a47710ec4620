"""One definition of a line, for the limits and for the line numbers: a line ends at a newline and
nowhere else, as every editor numbers lines; characters that other programs take for line breaks
stay in their line and are named in its message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from derive.checker import check
from derive.checker.reader import MAX_LINES, STRAY_LINE_BREAKS, decode_submission, physical_lines
from derive.errors import InputError

# (text, the lines an editor shows)
LINES = [
    ("a\nb\n", ["a", "b"]),
    ("a\nb", ["a", "b"]),
    ("a\r\nb\r\n", ["a", "b"]),
    ("a\n\nb\n", ["a", "", "b"]),
    ("\n", [""]),
    ("a\u2028b\n", ["a\u2028b"]),
    ("a\x85b\x0cc\x0bd\n", ["a\x85b\x0cc\x0bd"]),
    ("a\rb\n", ["a\rb"]),
    ("a\r\r\nb", ["a\r", "b"]),
]


@pytest.mark.parametrize(("text", "lines"), LINES, ids=[repr(text) for text, _ in LINES])
def test_what_a_line_is(text: str, lines: list[str]) -> None:
    assert physical_lines(text) == lines


@pytest.mark.parametrize("separator", sorted(STRAY_LINE_BREAKS), ids=repr)
def test_a_stray_line_break_keeps_numbers_and_is_named(separator: str) -> None:
    text = "sigma(0) = 1/2" + separator + "sigma(0) = 1/2\nsigma(0) = 1\n"
    report = check(text)
    assert [(line.line, line.status) for line in report.lines] == [(1, "unparsed"), (2, "wrong")]
    assert report.lines[0].message.startswith(f"Cannot read this line: this line contains {STRAY_LINE_BREAKS[separator]} "
                                              "at column 15")


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\x0c", "\x0b"], ids=repr)
def test_a_file_of_520_logical_lines_on_one_line_is_one_line(separator: str) -> None:
    """The hostile corpus's files: line 400 of the logical lines is false; split on newlines, it is
    all line 1, and the report says so with a number that exists in the file."""
    text = separator.join("sigma(0) = 1" if n == 400 else "sigma(0) = 1/2" for n in range(1, 521)) + "\n"
    report = check(text)
    assert [line.line for line in report.lines] == [1] and report.first_error == 1


def test_the_limit_counts_the_same_lines() -> None:
    exactly = "sigma(0) = 1/2\n" * MAX_LINES
    assert decode_submission(exactly.encode()) == exactly, f"{MAX_LINES} lines ending in a newline are {MAX_LINES} lines"
    assert decode_submission(exactly.rstrip("\n").encode())
    with pytest.raises(InputError, match=f"more than {MAX_LINES} lines"):
        decode_submission(("sigma(0) = 1/2\n" * (MAX_LINES + 1)).encode())
    packed = "\u2028".join(["x = x"] * 9000) + "\n"  # 9,000 'lines' for splitlines, one for an editor
    assert len(physical_lines(decode_submission(packed.encode()))) == 1


def test_line_numbers_are_the_editors_in_every_report(tmp_path: Path) -> None:
    (tmp_path / "work.txt").write_bytes("% a comment\r\nsigma(0) = 1/2\u2028\r\n\r\nsigma(0) = 1\r\n".encode())
    result = subprocess.run([sys.executable, "-m", "derive", "check", "work.txt", "--format", "json"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    import json

    data = json.loads(result.stdout)
    assert [(line["line"], line["status"]) for line in data["lines"]] == [(2, "unparsed"), (4, "wrong")]
    assert data["lines"][0]["source"] == "sigma(0) = 1/2\u2028"
