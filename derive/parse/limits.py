"""Safety bounds for untrusted input, and the cheap checks that run before Lark sees the text.

Every bound raises :class:`~derive.errors.InputLimitError` with a message a student can act on.
The checks here are single linear scans; the deeper bounds (tree depth, exponents, sizes) are
enforced while the parse tree is built, see :mod:`derive.parse.build`.
"""

from __future__ import annotations

from collections.abc import Iterable

from derive.errors import InputLimitError, ParseError

#: Longest line (in characters) that is parsed at all.
MAX_LINE_LENGTH = 2_000
#: Deepest nesting of brackets ( ), [ ], { } counted by a linear scan before parsing.
MAX_NESTING = 50
#: Deepest parse tree / expression tree (unary minus chains, powers of powers, f(f(f(...)))...).
MAX_DEPTH = 100
#: Most nodes in the resulting SymPy expression.
MAX_NODES = 10_000
#: Most digits in one number literal (integer and decimal part together).
MAX_DIGITS = 30
#: Largest absolute value of a numeric exponent (of ``^``, ``**``, and of exp, sinh, cosh).
MAX_EXPONENT = 1_000
#: Largest estimated size (digits of an exact number, or degree of a power) of any power.
MAX_SIZE = 10_000
#: Highest derivative order (primes, d^n/dx^n).
MAX_DERIVATIVE_ORDER = 10
#: Most different letters (variables and parameters: x, w_1, \beta, \hat{y}) in one line. A
#: course's gradient has a dozen; a line of 2,000 characters could hold about 500.
MAX_LETTERS = 200
#: Deepest nesting of subscripts: a letter's subscript holds letters and digits (w_{12}); only
#: the subscript of ∂ holds a subscripted letter (\partial_{w_1}), two levels.
MAX_SUBSCRIPT_DEPTH = 2

_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_BRACKET_NAMES = {"(": "parenthesis", "[": "bracket", "{": "brace"}


def check_length(text: str) -> None:
    """Reject text longer than :data:`MAX_LINE_LENGTH` before anything else looks at it but one
    bounded scan: when its first :data:`MAX_LINE_LENGTH` characters nest subscripts too deeply
    (``w_{w_{w_{…}}}`` 10,000 deep), that is the message, as it says what to write instead."""
    if len(text) > MAX_LINE_LENGTH:
        check_subscripts(text[:MAX_LINE_LENGTH])
        raise InputLimitError(
            f"line too long: {len(text)} characters exceeds the limit of {MAX_LINE_LENGTH}"
        )


def check_subscripts(text: str) -> None:
    """Refuse subscripts nested more than :data:`MAX_SUBSCRIPT_DEPTH` deep (one linear scan):
    a ``_`` inside the braces of two subscripts already."""
    braces: list[bool] = []  # per open brace: whether it holds a subscript
    depth = 0  # open braces that hold a subscript
    after_underscore = False
    for index, char in enumerate(text):
        if char == "_":
            if depth >= MAX_SUBSCRIPT_DEPTH:
                raise InputLimitError(
                    f"subscripts nest at most {MAX_SUBSCRIPT_DEPTH} deep (\\partial_{{w_1}}): a letter's subscript "
                    "holds only letters and digits, as in w_1 or w_{12}",
                    column=index + 1,
                )
            after_underscore = True
            continue
        if char == "{":
            braces.append(after_underscore)
            depth += after_underscore
        elif char == "}" and braces:
            depth -= braces.pop()
        if not char.isspace():
            after_underscore = False


def check_letters(letters: Iterable[tuple[str, int]]) -> None:
    """Refuse a line with more than :data:`MAX_LETTERS` different letters; ``letters`` are the
    line's letters with the column of each, in order."""
    seen: set[str] = set()
    for name, column in letters:
        seen.add(name)
        if len(seen) > MAX_LETTERS:
            raise InputLimitError(
                f"too many letters: more than {MAX_LETTERS} different variables and parameters in one line",
                column=column,
            )


def check_brackets(text: str) -> None:
    """Check that brackets balance and nest at most :data:`MAX_NESTING` deep (one linear scan).

    ``\\{`` and ``\\}`` count like ``{`` and ``}``; columns in messages are 1-based.
    """
    stack: list[tuple[str, int]] = []
    for index, char in enumerate(text):
        if char in _OPENERS:
            stack.append((char, index))
            if len(stack) > MAX_NESTING:
                raise InputLimitError(
                    f"too deeply nested: more than {MAX_NESTING} levels of brackets",
                    column=index + 1,
                )
        elif char in _CLOSERS:
            if not stack:
                opener = _CLOSERS[char]
                raise ParseError(
                    f"unbalanced {_BRACKET_NAMES[opener]}: '{char}' at column {index + 1} "
                    f"has no matching '{opener}'",
                    column=index + 1,
                )
            opener, start = stack.pop()
            if _OPENERS[opener] != char:
                raise ParseError(
                    f"mismatched brackets: '{opener}' at column {start + 1} is closed by "
                    f"'{char}' at column {index + 1}",
                    column=index + 1,
                )
    if stack:
        opener, start = stack[-1]
        raise ParseError(
            f"unbalanced {_BRACKET_NAMES[opener]}: '{opener}' at column {start + 1} "
            "is never closed",
            column=start + 1,
        )
