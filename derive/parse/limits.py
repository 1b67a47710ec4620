"""Safety bounds for untrusted input, and the cheap checks that run before Lark sees the text.

Every bound raises :class:`~derive.errors.InputLimitError` with a message a student can act on.
The checks here are single linear scans; the deeper bounds (tree depth, exponents, sizes) are
enforced while the parse tree is built, see :mod:`derive.parse.build`.
"""

from __future__ import annotations

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

_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_BRACKET_NAMES = {"(": "parenthesis", "[": "bracket", "{": "brace"}


def check_length(text: str) -> None:
    """Reject text longer than :data:`MAX_LINE_LENGTH` before anything else looks at it."""
    if len(text) > MAX_LINE_LENGTH:
        raise InputLimitError(
            f"line too long: {len(text)} characters exceeds the limit of {MAX_LINE_LENGTH}"
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
