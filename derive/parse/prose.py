r"""Words around a claim: what a student writes before, after and around the mathematics.

Students write derivations the way they write to a reader::

    By the quotient rule: \sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^2}
    Multiply numerator and denominator by $e^{x}$:
    \Rightarrow \sigma'(x) = \sigma(x)(1-\sigma(x))
    so sigma'(x) = sigma(x)*(1 - sigma(x))
    Let $u = 1 + e^{-x}$.

Two questions are answered here, on the raw line, before it is parsed:

* :func:`lead_in_blanked` — the line with the words that are not part of its claim blanked
  (columns kept, so that error columns still point into the student's line): a connective
  before a claim (``\Rightarrow``, ``\therefore``, ``\implies``, ``⟹``, ``∴``, ``so``, ``hence``,
  ``thus``, ``therefore``, ``then``), a ``\text{...}`` note before it, a phrase of words ending in
  ``:`` or ``,`` (``By the chain rule:``), and, when the mathematics sits between dollar signs,
  everything outside the one ``$...$`` that holds a relation (a ``let``/``set``/``where`` word just
  before it stays: ``Let $u = …$`` is a substitution).
* :func:`is_commentary` — whether the line is commentary with no claim in it: it holds no
  relation (``=``, ``≈``) and opens with words for a reader (``Multiply … by $e^{x}$:``,
  ``\text{multiply top and bottom by } e^{x}``).

Both are conservative where a claim could hide. Words are blanked only when what remains holds
a relation, so the claim is always read and judged; a line with two claims in dollars is left
as it is (and refused); and a line is commentary only when it has no relation at all, so no
claim is ever skipped. Every scan is one pass over a line whose length is already bounded.
"""

from __future__ import annotations

import re

from .names import KNOWN_WORDS

#: Words that introduce a substitution (``Let $u = 1 + e^{-x}$``): kept before the dollars.
SUBSTITUTION_WORDS = frozenset({"let", "set", "put", "where", "with"})
#: Words that join a claim to the one before it.
CONNECTIVE_WORDS = ("therefore", "hence", "thus", "then", "so")

_CONNECTIVE = re.compile(
    r"\s*(?:&\s*)?(?:"
    r"\\(?:Rightarrow|Longrightarrow|implies|therefore|Leftrightarrow|iff)(?![A-Za-z])"
    r"|⟹|⇒|∴|=>"
    r"|(?:" + "|".join(CONNECTIVE_WORDS) + r")(?![A-Za-z'_(^])"
    r"|\\text\s*\{\s*(?:" + "|".join(CONNECTIVE_WORDS) + r")\s*,?\s*\}"
    r")\s*,?",
    re.IGNORECASE,
)
_TEXT_NOTE = re.compile(r"\s*(?:&\s*)?\\(?:text|textrm|textnormal|textit|textbf|mbox|emph)\s*\{(?P<words>[^{}]*)\}\s*[:,]?")
_WORD = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*")
_MATH_IN_DOLLARS = re.compile(r"\$\$(?P<display>[^$]*)\$\$|\$(?P<inline>[^$]*)\$|\\\((?P<paren>.*?)\\\)")
_LEADING_WORDS = re.compile(r"\s*(?:&\s*)?((?:[A-Za-z]+[ \t]+)+)")
_WORD_AND_SPACE = re.compile(r"([A-Za-z]+)[ \t]+")
#: Words that open a sentence before a claim; any other lead-in needs a word of four letters.
SENTENCE_OPENERS = frozenset({"now", "and", "also", "but", "next", "finally", "we", "here", "this", "which", "it"})
_RELATION = re.compile(r"=|≈|\\approx(?![A-Za-z])")
# A phrase's end: ':' that is not ':=', or ','.
_PHRASE_END = re.compile(r":(?!=)|,")


def has_relation(text: str) -> bool:
    """Whether ``text`` holds ``=`` or ``≈`` anywhere (``:=`` and ``\\approx`` included)."""
    return _RELATION.search(text) is not None


def lead_in_blanked(text: str, known: frozenset[str] = frozenset()) -> str:
    """``text`` with the words around its claim blanked (see the module's docstring); unchanged
    when there is no claim to isolate. ``known`` are names the submission uses as functions
    (``f``, ``L``): they are mathematics, not words."""
    if "$" in text or "\\(" in text:
        text = _outside_dollars_blanked(text)
    for _ in range(4):  # "& \Rightarrow \text{so} ..." : a few lead-ins in a row
        blanked = _one_lead_in_blanked(text, known)
        if blanked == text:
            return text
        text = blanked
    return text


def _one_lead_in_blanked(text: str, known: frozenset[str]) -> str:
    for pattern in (_CONNECTIVE, _TEXT_NOTE):
        match = pattern.match(text)
        if match is not None and match.group().strip() and _claim_follows(text[match.end():]):
            if pattern is _TEXT_NOTE and not _is_words(match.group("words"), known):
                continue
            return _blanked(text, 0, match.end())
    end = _phrase_end(text, known)
    if end is None:
        end = _words_end(text, known)
    if end is not None and _claim_follows(text[end:]):
        return _blanked(text, 0, end)
    return text


def _words_end(text: str, known: frozenset[str]) -> int | None:
    r"""The end of leading words before the mathematics, without a colon (``Differentiating
    gives \sigma'(x) = …``, ``by the chain rule we get sigma'(x) = …``), or None.

    The words run up to the first one that could be mathematics (a single letter, a name derive
    reads, a word touching a bracket or a prime); they are a reader's when one of them has four
    letters or more, or the first is a word that opens a sentence (``Now``, ``We``)."""
    words = _LEADING_WORDS.match(text)
    if words is None:
        return None
    found = [(match.group(1), match.end()) for match in _WORD_AND_SPACE.finditer(text, words.start(1), words.end(1))]
    taken: list[str] = []
    end = None
    for word, after in found:
        if len(word) < 2 or word.lower() in KNOWN_WORDS or word in known:
            break
        taken.append(word)
        end = after
    if end is None:
        return None
    opener = taken[0].lower() in SENTENCE_OPENERS
    if not opener and not any(len(word) >= 4 for word in taken):
        return None
    return end


def _claim_follows(rest: str) -> bool:
    """What follows a lead-in is a claim of its own: it holds a relation, and does not start with
    one (in ``so = 3`` the word is the claim's left side, not a connective)."""
    return has_relation(rest) and not re.match(r"\s*&?\s*(?:=|≈|\\approx)", rest)


def _phrase_end(text: str, known: frozenset[str]) -> int | None:
    """The end (after its ``:`` or ``,``) of a leading phrase of words, or None.

    The phrase may hold a bracketed aside (``By the quotient rule (numerator 1, denominator
    1+exp(-x)):``); outside brackets it is words only, and one of them is a word for a reader
    (three letters or more, not a name derive reads)."""
    depth = 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and _PHRASE_END.match(text, index):
            outside = _outside_brackets(text[:index])
            if outside is None or not re.fullmatch(r"[\sA-Za-z'&-]*", outside) or not _is_words(outside, known):
                return None
            return index + 1
        elif depth == 0 and char in "=\\$^_":
            return None
        if depth < 0:
            return None
    return None


def _outside_brackets(text: str) -> str | None:
    pieces, depth = [], 0
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            pieces.append(char)
    return "".join(pieces) if depth == 0 else None


def _is_words(text: str, known: frozenset[str]) -> bool:
    """Whether ``text`` reads as words for a reader: it starts with a word, and one of its words
    has three letters or more and is not a name derive reads (``the``, ``chain``, ``multiply``)."""
    words = _WORD.findall(text)
    stripped = text.strip().lstrip("&").strip()
    if not words or not stripped[:1].isalpha():
        return False
    return any(len(word) >= 3 and word.lower() not in KNOWN_WORDS and word not in known for word in words)


def _outside_dollars_blanked(text: str) -> str:
    """Everything outside the one ``$...$`` (or ``\\(...\\)``) holding a relation blanked, with a
    substitution word just before it kept; unchanged unless exactly one holds a relation and
    there is none outside them."""
    segments = list(_MATH_IN_DOLLARS.finditer(text))
    claims = [segment for segment in segments if has_relation(segment.group())]
    if has_relation(_MATH_IN_DOLLARS.sub(" ", text)):
        return text  # the claim is outside the dollars (a note "using $u = …$" after it)
    if len(claims) != 1:
        return text
    (claim,) = claims
    inner = next(name for name in ("display", "inline", "paren") if claim.group(name) is not None)
    start, end = claim.start(inner), claim.end(inner)
    before = re.search(r"([A-Za-z]+)\s*$", text[: claim.start()])
    kept = [" "] * len(text)
    if before is not None and before.group(1).lower() in SUBSTITUTION_WORDS:
        kept[before.start(1) : before.end(1)] = before.group(1)
    kept[start:end] = text[start:end]
    return "".join(kept)


def _blanked(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def is_commentary(text: str, known: frozenset[str] = frozenset()) -> bool:
    r"""Whether the line is commentary: no relation anywhere, and it opens with words for a
    reader (``Multiply numerator and denominator by $e^{x}$:``, ``\text{multiply top and bottom
    by } e^{x}``, ``by the quotient rule (numerator 1, denominator 1+exp(-x)):``).

    >>> is_commentary("Multiply numerator and denominator by $e^{x}$:")
    True
    >>> is_commentary(r"\text{multiply top and bottom by } e^{x}")
    True
    >>> is_commentary("so sigma'(x) = sigma(x)*(1 - sigma(x))"), is_commentary("sigma(x)*(1 - sigma(x))")
    (False, False)
    """
    if _evaluation_point(text):
        return True
    if has_relation(text):
        return False
    note = _TEXT_NOTE.match(text)
    if note is not None:
        if _is_words(note.group("words"), known):
            return True
        text = " " * note.end() + text[note.end():]  # a heading "\textbf{Q2.} Derivative of $\sigma$ ..."
    opening = re.match(r"\s*(?:&\s*)?((?:[A-Za-z]+(?:['-][A-Za-z]+)*[ \t]+){1,}[A-Za-z]+(?:['-][A-Za-z]+)*)(?![A-Za-z(^_'])",
                       text)
    return opening is not None and _is_words(opening.group(1), known) and _first_word_is_prose(opening.group(1), known)


_POINT = re.compile(r"\s*[A-Za-z]\s*=\s*(?P<value>[^=]*)")


def _evaluation_point(text: str) -> bool:
    """A sentence that names a point, not a claim: ``Check with $x = \\ln\\sqrt2$:``, ``At $x = 0$,
    the slope is`` — words around the one ``$...$`` with a relation, which gives a single letter a
    constant value (an identity ``x = 2`` for all x would be nonsense), and no relation outside."""
    if "$" not in text or has_relation(_MATH_IN_DOLLARS.sub(" ", text)):
        return False
    claims = [segment for segment in _MATH_IN_DOLLARS.finditer(text) if has_relation(segment.group())]
    if len(claims) != 1:
        return False
    inner = next(claims[0].group(name) for name in ("display", "inline", "paren") if claims[0].group(name) is not None)
    point = _POINT.fullmatch(inner)
    if point is None or re.search(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", point.group("value"))):
        return False
    before = text[: claims[0].start()]
    words = _WORD.findall(before)
    return bool(words) and words[-1].lower() not in SUBSTITUTION_WORDS - {"with"} and any(len(word) >= 2 for word in words)


def _first_word_is_prose(words: str, known: frozenset[str]) -> bool:
    """The opening words are a reader's: the first two are not names derive reads (``sin x``
    and ``e x`` are mathematics), and one of them has three letters or more."""
    first_two = _WORD.findall(words)[:2]
    return all(word.lower() not in KNOWN_WORDS and word not in known for word in first_two) and any(
        len(word) >= 3 for word in first_two)
