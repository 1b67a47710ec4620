"""Read a student's file: bounded, decoded, split into numbered lines. Unusable input → InputError.

**What a line is.** A line ends at a newline character ``\n`` (a ``\r`` before it belongs to
the line ending, so Windows files read the same); nothing else ends a line. This is what every
editor and ``git`` show as line numbers, and the 500-line limit counts the same lines. Other
characters that some programs treat as line breaks (U+2028 LINE SEPARATOR, U+2029, NEL U+0085,
form feed, vertical tab, the file/group/record separators and a ``\r`` on its own) stay inside
their line, and a line that contains one is reported as unreadable with a message that names it
(:func:`stray_line_break`), so that no line number ever drifts from the one the student sees.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from derive.differentiate.catalogue import catalogue_names
from derive.errors import InputError
from derive.parse.parser import clean, closing_brace
from derive.parse.limits import MAX_LINE_LENGTH
from derive.parse.names import KNOWN_WORDS, TEXT_COMMANDS
from derive.parse.prose import is_commentary

MAX_FILE_BYTES = 256 * 1024
MAX_LINES = 500

#: Characters that ``str.splitlines`` (and some viewers) treat as line breaks, but editors do not.
STRAY_LINE_BREAKS = {
    "\r": "a carriage return (\\r) without a newline after it",
    "\x0b": "a vertical tab",
    "\x0c": "a form feed",
    "\x1c": "a file separator (U+001C)",
    "\x1d": "a group separator (U+001D)",
    "\x1e": "a record separator (U+001E)",
    "\x85": "a NEL (U+0085) character",
    "\u2028": "a LINE SEPARATOR (U+2028) character",
    "\u2029": "a PARAGRAPH SEPARATOR (U+2029) character",
}


@dataclass(frozen=True, kw_only=True)
class Submission:
    """A file as read: its text, and the SHA-256 of its bytes (what ``grade --resume`` keys on)."""

    text: str
    sha256: str


def read_submission(path: Path) -> str:
    """The text of ``path``, or :class:`InputError` (exit 2) with one clear sentence."""
    return read_submission_file(path).text


def read_submission_file(path: Path, *, inside: Path | None = None) -> Submission:
    """Read ``path`` (bounded, decoded) with the hash of its bytes.

    With ``inside``, a path that leads out of that folder through a symbolic link is refused
    (:class:`InputError`), checked on the file actually opened, so that a link swapped in
    meanwhile cannot lead out either.
    """
    try:
        if path.is_dir():
            raise InputError(f"{path} is a folder, not a file")
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a FIFO or a device would block or never end
            raise InputError(f"{path} is not a regular file (a pipe, a device or a socket)")
        if status.st_size > MAX_FILE_BYTES:
            raise InputError(f"{path} is too large ({status.st_size} bytes; the limit is {MAX_FILE_BYTES})")
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(descriptor, "rb") as stream:
            opened = os.fstat(stream.fileno())
            if not stat.S_ISREG(opened.st_mode):  # replaced by a pipe between stat and open
                raise InputError(f"{path} is not a regular file (a pipe, a device or a socket)")
            if inside is not None:
                check_inside(path, inside, opened)
            data = stream.read(MAX_FILE_BYTES + 1)  # bounded even if the file grows meanwhile
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or 'a link that points to itself'})") from None
    return Submission(text=decode_submission(data, str(path)), sha256=hashlib.sha256(data).hexdigest())


def check_inside(path: Path, folder: Path, opened: os.stat_result | None = None) -> None:
    """Refuse ``path`` when its real location (links resolved) is not below ``folder``."""
    try:
        real = path.resolve(strict=True)
        root = folder.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputError(f"{path}: cannot be read (a link that points to itself)") from None
    if real != root and root not in real.parents:
        raise InputError(f"{path}: not graded: a link to {real}, outside the folder being graded (links that "
                         "leave the folder are not followed)")
    if opened is not None:
        target = real.stat()
        if (target.st_dev, target.st_ino) != (opened.st_dev, opened.st_ino):
            raise InputError(f"{path}: not graded: the file changed while it was being read")


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
    if len(physical_lines(text)) > MAX_LINES:
        raise InputError(f"{name} has more than {MAX_LINES} lines")
    return text


def physical_lines(text: str) -> list[str]:
    r"""The lines of ``text`` as an editor numbers them: split at ``
`` only, a ``
`` before it
    dropped; a final newline does not start another line.

    >>> physical_lines("a
b c
")
    ['a', 'b c']
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def stray_line_break(line: str) -> str | None:
    """A sentence about the first character in ``line`` that looks like a line break but is not one."""
    found = _STRAY.search(line)
    if found is None:
        return None
    return (f"this line contains {STRAY_LINE_BREAKS[found.group()]} at column {found.start() + 1}, which some programs "
            "show as a new line but editors do not; derive counts lines by newline characters, so put each claim "
            "on a line of its own")


_STRAY = re.compile("|".join(re.escape(char) for char in STRAY_LINE_BREAKS))
_LAYOUT_ONLY = re.compile(
    r"^(\\(begin|end)\{[A-Za-z*]+\}|\$\$|\\\[|\\\]|\\\\"
    # a document's preamble and headings: \documentclass[11pt]{article}, \usepackage{amsmath}, \section*{Question 2}
    r"|\\(documentclass|usepackage|section|subsection|subsubsection|paragraph|title|author|date)\*?"
    r"(\[[^\]]*\])?\{[^{}]*\}|\\(maketitle|noindent|newpage|clearpage|medskip|bigskip|smallskip))$")


def numbered_lines(text: str) -> list[tuple[int, str]]:
    r"""(1-based line number, text) of every line that holds mathematics.

    Skipped, like comments: blank lines, ``%`` and ``#`` comments, pure layout
    (``\begin{align*}``, ``\end{align*}``, ``$$``, ``\[``, ``\]``), lines that hold only notes
    (``\text{By the chain rule:}``, ``\label{eq:1}``, ``\qed``, as :func:`derive.parse.engine.clean`
    removes them) and lines of plain prose
    (``Using the chain rule:``, ``Therefore``) — see :func:`is_prose` — and commentary that holds
    mathematics but no claim (``Multiply numerator and denominator by $e^{x}$:``) — see
    :func:`derive.parse.prose.is_commentary`.
    """
    lines = physical_lines(text)
    known = _names_used_as_functions(lines)
    kept = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("%", "#")):
            continue
        if len(line) > MAX_LINE_LENGTH:  # refused as too long when it is read; nothing else scans it first
            kept.append((number, line))
            continue
        if (
            _LAYOUT_ONLY.match(stripped)
            or not clean(stripped, "latex").strip()  # only notes, labels, \qed, spacing
            or is_prose(stripped, known)
            or is_commentary(stripped, known)
        ):
            continue
        kept.append((number, line))
    return kept


# A name used like a function somewhere in the text: f(x), \operatorname{g}(x), h'(x).
# Matches start only at the start of a letter run (the look-behind), so the scan is linear in
# the length of the text: without it, each position inside a long run starts a match again.
_USED_AS_FUNCTION = re.compile(r"(?<![A-Za-z])([A-Za-z]+)\}?\s*(?:\(|\\left\s*\(|')")
_PLAIN_PROSE = re.compile(r"[A-Za-z' \t,.;:!?]+")
_LONE_APOSTROPHE = re.compile(r"(?<![A-Za-z])'|'(?![A-Za-z])")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
_LATEX_NOTE_START = re.compile(r"\\([A-Za-z]+)\s*\{")
_LATEX_FILLER = re.compile(
    r"\\(?:q?quad|noindent)(?![A-Za-z])|\\[,;:! \\\[\]()]|[&~$\s.,:;!?]"
)
_LATEX_COMMENT = re.compile(r"(?<!\\)%.*")
# Longest letter run worth segmenting; a longer "word" is treated as possibly mathematics.
_LONGEST_WORD = 40


def _names_used_as_functions(lines: list[str]) -> frozenset[str]:
    """Names used like functions on the lines short enough to be read (a longer line is refused
    as too long before anything else looks at it)."""
    return frozenset(match.group(1) for line in lines if len(line) <= MAX_LINE_LENGTH
                     for match in _USED_AS_FUNCTION.finditer(line))


def is_prose(line: str, functions: frozenset[str] = frozenset()) -> bool:
    r"""Whether ``line`` is words for a reader that cannot be a claim in either syntax.

    Plain text: only letters, spaces and ``, . ; : ! ?`` (no digits, operators or ``=``); every
    word has two letters or more and is not a name derive knows (``sin``, ``e``, ``sigma``,
    ``theta``, a catalogue function, one of ``functions``); and no choice of a one-letter variable
    would let the parser read every word as names (``xe`` is x·e, ``we`` is w·e). LaTeX: only
    ``\text{...}``, ``\textbf{...}``, ``\emph{...}`` ... with spacing and punctuation. Conservative:
    a line it keeps may still be unreadable, but a line it skips could never have been read.

    >>> is_prose("Using the chain rule:"), is_prose(r"\text{By the chain rule:}")
    (True, True)
    >>> is_prose("sigma"), is_prose("x"), is_prose("ex"), is_prose(r"\text{x}")
    (False, False, False, False)
    """
    if len(line) > MAX_LINE_LENGTH:
        return False
    if "\\" in line:
        return _is_latex_prose(line, functions)
    return _is_plain_prose(line, functions)


def _is_plain_prose(line: str, functions: frozenset[str]) -> bool:
    if not _PLAIN_PROSE.fullmatch(line) or _LONE_APOSTROPHE.search(line):
        return False
    words = _WORD.findall(line)
    if not words:
        return False
    known = KNOWN_WORDS | _catalogue_words() | functions
    for word in words:
        first = word.split("'", 1)[0]
        if len(first) < 2 or first.lower() in known or first in known:
            return False
    fragments = [fragment for word in words for fragment in word.split("'")]
    return not _could_be_names(fragments, known)


def _could_be_names(fragments: list[str], known: frozenset[str]) -> bool:
    """Whether one choice of a one-letter variable reads every fragment as known names."""
    longest = max(len(name) for name in known)
    allowed: set[str] | None = None  # None: any variable will do
    for fragment in fragments:
        if len(fragment) > _LONGEST_WORD:
            return True
        readings = _variables_reading(fragment, known, longest)
        if "" in readings:
            continue
        allowed = readings if allowed is None else allowed & readings
        if not allowed:
            return False
    return True


def _variables_reading(word: str, known: frozenset[str], longest: int) -> set[str]:
    """The one-letter variables with which ``word`` splits into known names ("" for none needed)."""
    states: list[set[str]] = [set() for _ in range(len(word) + 1)]
    states[0].add("")
    for index, state in enumerate(states[:-1]):
        if not state:
            continue
        for length in range(1, min(longest, len(word) - index) + 1):
            if word[index : index + length] in known:
                states[index + length] |= state
        letter = word[index]
        if "" in state or letter in state:
            states[index + 1].add(letter)
    return states[-1]


def _is_latex_prose(line: str, functions: frozenset[str]) -> bool:
    line = _LATEX_COMMENT.sub("", line)
    rest, words, position, notes = [], [], 0, 0
    for match in _LATEX_NOTE_START.finditer(line):
        if match.start() < position:
            continue
        if match.group(1) not in TEXT_COMMANDS and match.group(1) not in _LABELS:
            continue
        close = closing_brace(line, match.end() - 1)
        if close is None:
            return False
        rest.append(line[position : match.start()])
        inner = line[match.end() : close].strip()
        if match.group(1) in TEXT_COMMANDS:
            notes += 1
            if match.group(1) in ("text", "textrm") and inner.isascii() and inner.isalpha():
                words.append(inner)  # \text{x} is also read as the name x
            else:
                words.append("")
        position = close + 1
    rest.append(line[position:])
    if notes == 0 or _LATEX_FILLER.sub("", "".join(rest)):
        return False
    if all(words):  # every note is one word: the parser could read it as names
        return _is_plain_prose(" ".join(words), functions)
    return True


_LABELS = frozenset({"label", "tag"})


@cache
def _catalogue_words() -> frozenset[str]:
    return frozenset(catalogue_names())
