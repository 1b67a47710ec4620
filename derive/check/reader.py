"""Read a student's file: bounded, decoded, split into numbered lines. Unusable input → InputError."""

from __future__ import annotations

import re
from pathlib import Path

from derive.errors import InputError

MAX_FILE_BYTES = 256 * 1024
MAX_LINES = 500


def read_submission(path: Path) -> str:
    """The text of ``path``, or :class:`InputError` (exit 2) with one clear sentence."""
    try:
        if path.is_dir():
            raise InputError(f"{path} is a folder, not a file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path} is too large ({size} bytes; the limit is {MAX_FILE_BYTES})")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    return decode_submission(data, str(path))


def decode_submission(data: bytes, name: str = "input") -> str:
    """Bytes → text, refusing binary, bad UTF-8, empty and oversized input."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{name} is too large ({len(data)} bytes; the limit is {MAX_FILE_BYTES})")
    if b"\x00" in data:
        raise InputError(f"{name} is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{name} is not valid UTF-8 text (bad byte at offset {error.start})") from None
    if not text.strip():
        raise InputError(f"{name} is empty")
    if text.count("\n") + 1 > MAX_LINES:
        raise InputError(f"{name} has more than {MAX_LINES} lines")
    return text


_LAYOUT_ONLY = re.compile(r"^(\\(begin|end)\{[A-Za-z*]+\}|\$\$|\\\[|\\\]|\\\\)$")


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line number, text) of every line that is not blank, not a comment and not pure
    layout (``\\begin{align*}``, ``\\end{align*}``, ``$$``, ``\\[``, ``\\]``)."""
    kept = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("%", "#")) or _LAYOUT_ONLY.match(stripped):
            continue
        kept.append((number, line.rstrip("\r")))
    return kept
