"""Escaping of text (not mathematics) for each output format.

Everything that is not LaTeX produced by SymPy's printer goes through one of these before it
reaches a document, whether derive wrote it or a student did.
"""

from __future__ import annotations

import re
import string
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
    "σ": r"$\sigma$", "′": "'", "″": "''", "−": r"$-$", "→": r"$\to$", "·": r"$\cdot$", "×": r"$\times$", "≈": r"$\approx$",
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
            math = _LATEX_UNICODE[char]
            if out and out[-1].endswith("$") and out[-1].startswith("$") and math.startswith("$"):
                out[-1] = out[-1][:-1] + math[1:]  # −∞ is one formula, $-\infty$, not $-$$\infty$
            else:
                out.append(math)
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


#: One unit of escaped LaTeX text: a formula, a command with its braces, an escaped character, a character.
_LATEX_UNIT = re.compile(r"\$[^$]*\$|\\[A-Za-z]+(?:\{[^{}]*\})*|\\.|.")


def latex_code(text: object) -> str:
    r""":func:`latex_text` for a line someone wrote, shown verbatim (``\texttt``): a line may break
    after any character, so that a long line without spaces (a hostile or careless submission)
    wraps in its table cell instead of running into the margin."""
    return _LATEX_UNIT.sub(lambda unit: unit.group(0) + r"\allowbreak{}", latex_text(text))


#: Escaped units after which a name or path breaks freely (a folder, a word of a file name).
_SEPARATORS = frozenset({"/", r"\_", "-", ".", ":", ",", ";", r"\textbackslash{}", r"\textbar{}"})
#: A word with more units than this (a file name, a path) may also break between any two of them
#: (twenty letters fit a line even in a title's large bold type).
_LONG_WORD = 20
#: What TeX pays for breaking a long word where it has no separator: more than any number of lines
#: broken at spaces or separators (ragged right), so it happens only where nothing else fits.
_DISCOURAGED_BREAK = r"\penalty9000{}"


def latex_breakable(text: object) -> str:
    r""":func:`latex_text` for a title or a name that may hold no space (a long absolute path, a
    file name a student chose): TeX may break after a path's or name's separators (``/``, ``_``,
    ``-``, ``.`` …) at no cost, and inside a word longer than a few letters at a high one, so that
    a word of any length breaks rather than run into the margin. For ragged-right paragraphs
    (justified, a broken word would stretch the spaces of its line).

    >>> latex_breakable("Check of /tmp/a_b.tex")
    'Check of /\\allowbreak{}tmp/\\allowbreak{}a\\_\\allowbreak{}b.\\allowbreak{}tex'
    """
    words = []
    for word in latex_text(text).split(" "):
        units = _LATEX_UNIT.findall(word)
        long_word = len(units) > _LONG_WORD
        pieces = []
        for index, unit in enumerate(units):
            pieces.append(unit)
            if index == len(units) - 1:
                break
            if unit in _SEPARATORS:
                pieces.append(r"\allowbreak{}")
            elif long_word:
                pieces.append(_DISCOURAGED_BREAK)
        words.append("".join(pieces))
    return " ".join(words)


#: Every ASCII punctuation mark: CommonMark, GitHub-flavoured Markdown and Pandoc's Markdown all
#: read a backslash before any of them as that character, literally.
_MARKDOWN_SPECIALS = re.compile("([" + re.escape(string.punctuation) + "])")


def markdown_text(text: object) -> str:
    r"""Text that reads as itself, and only as text, in every Markdown a report meets
    (GitHub-flavoured, CommonMark with pipe tables, Pandoc's), in a paragraph or a table cell.

    Every ASCII punctuation mark is backslash-escaped, so that nothing can start markup: raw HTML
    (``<script>``, ``<svg onload=…>``), links and images (``[x](javascript:…)``), autolinks,
    entities (``&lt;``), emphasis, math (``$``), raw TeX (``\input``), citations (``@``),
    super- and subscripts, and a cell's end (a student's own ``\|`` becomes ``\\|``: an escaped
    backslash, then an escaped bar). Newlines and control characters go (see :func:`plain_text`).

    >>> markdown_text("<b>x</b> | [a](javascript:b)")
    '\\<b\\>x\\<\\/b\\> \\| \\[a\\]\\(javascript\\:b\\)'
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", plain_text(text))


def plain_text(text: object) -> str:
    """Text for a terminal: control characters removed, one line."""
    flat = re.sub(r"\s+", " ", str(text))
    if flat.isprintable():  # no character of category C (every separator but " " is whitespace, gone above)
        return flat
    return "".join(char for char in flat if unicodedata.category(char)[0] != "C")


def markdown_math_cell(latex: str) -> str:
    """LaTeX for a Markdown table cell: a bare ``|`` would end the cell, ``\\vert`` does not."""
    return latex.replace(r"\|", r"\Vert{}").replace("|", r"\vert{}")


_PROSE_SPECIALS = re.compile(r"([\\`*_{}\[\]#!|<>$~&^@])")


def markdown_prose(text: object) -> str:
    """derive's own sentences (rule names, annotations, titles) in Markdown: the marks that
    start markup mid-sentence escaped, the rest left readable. Text that comes from a student or
    a file goes through :func:`markdown_text` instead."""
    return _PROSE_SPECIALS.sub(r"\\\1", plain_text(text))


def markdown_code(text: object) -> str:
    """A complete inline code span with ``text`` shown verbatim (one line), for paragraphs and
    lists. Never inside a table cell: GitHub-flavoured Markdown splits cells at ``|`` before it
    reads code spans, and no escape inside a code span survives that (use :func:`markdown_text`).

    The fence is one backtick longer than the longest run in the text, so the text cannot close
    it; inside a code span nothing is markup in any of the three dialects.

    >>> markdown_code("a `b` c")
    '`` a `b` c ``'
    """
    flat = plain_text(text) or " "
    longest = max((len(run) for run in re.findall("`+", flat)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") or longest else flat
    return f"{fence}{padded}{fence}"
