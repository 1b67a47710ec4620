"""Escaping of text (not mathematics) for each output format.

Everything that is not LaTeX produced by SymPy's printer goes through one of these before it
reaches a document, whether derive wrote it or a student did.
"""

from __future__ import annotations

import re
import unicodedata

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "%": r"\%",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': "''",
}
_LATEX_UNICODE = {
    "σ": r"$\sigma$", "′": "'", "″": "''", "−": "-", "·": r"$\cdot$", "×": r"$\times$", "≈": r"$\approx$",
    "✓": r"$\checkmark$", "✗": r"$\times$", "–": "--", "—": "---", "…": r"\dots{}", "≤": r"$\leq$", "≥": r"$\geq$",
    "π": r"$\pi$", "∞": r"$\infty$", "²": r"\textsuperscript{2}", "’": "'", "‘": "`", "“": "``", "”": "''",
}


def latex_text(text: object) -> str:
    """Text safe inside a LaTeX paragraph: specials escaped, unknown non-ASCII replaced by '?'."""
    out = []
    for char in str(text):
        if char in _LATEX_SPECIALS:
            out.append(_LATEX_SPECIALS[char])
        elif char in _LATEX_UNICODE:
            out.append(_LATEX_UNICODE[char])
        elif char == "\n" or char == "\t":
            out.append(" ")
        elif ord(char) < 32 or ord(char) == 127:
            continue
        elif ord(char) < 128:
            out.append(char)
        else:
            ascii_form = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(latex_text(ascii_form) if ascii_form else "?")
    return "".join(out)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]#!|<>$~&^@])")


def markdown_text(text: object) -> str:
    """Text safe inside a Markdown paragraph or table cell: every punctuation mark that could
    start markup (including ``$`` math and raw HTML) is backslash-escaped; newlines become spaces."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", plain_text(text))


def plain_text(text: object) -> str:
    """Text for a terminal: control characters removed, one line."""
    return "".join(char for char in re.sub(r"\s+", " ", str(text)) if unicodedata.category(char)[0] != "C")


def markdown_math_cell(latex: str) -> str:
    """LaTeX for a Markdown table cell: a bare ``|`` would end the cell, ``\\vert`` does not."""
    return latex.replace(r"\|", r"\Vert{}").replace("|", r"\vert{}")


def markdown_code(text: object) -> str:
    """Text inside a Markdown code span in a table cell: backticks and pipes neutralised, one line."""
    flat = re.sub(r"\s+", " ", str(text))
    return flat.replace("`", "'").replace("|", "\\|") or " "
