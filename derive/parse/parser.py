"""One parse, start to end: limits, lexing, name classification, LALR parsing, building, checks.

The Lark objects are built once per syntax on first use and cached (they are stateless). Lark's
LALR parser and tree construction are iterative, the tree's depth is checked iteratively before
the (non-recursive) transformer runs, and the SymPy result is checked iteratively again, so no
input reaches Python's recursion limit. Every failure leaves as :class:`ParseError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

import sympy
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from derive.errors import InputLimitError, ParseError

from . import grammar_latex, grammar_text
from .build import Builder, Built, LineParts, SeenDecimal
from .limits import MAX_DEPTH, MAX_NODES, check_brackets, check_length, check_letters, check_subscripts
from .prose import lead_in_blanked
from .names import CONNECTIVE_HINT, TEXT_COMMANDS, VAR, Names, classify, letter_name

Syntax = Literal["latex", "text"]
Start = Literal["start_expr", "start_line"]

_GRAMMARS: dict[str, str] = {"latex": grammar_latex.GRAMMAR, "text": grammar_text.GRAMMAR}
_STARTS = ["start_expr", "start_line"]


@dataclass(frozen=True, kw_only=True)
class _Parsers:
    lexer: Lark
    parser: Lark


@cache
def parsers(syntax: Syntax) -> _Parsers:
    """The lexer and the LALR parser for ``syntax``, built on first use."""
    grammar = _GRAMMARS[syntax]
    return _Parsers(
        lexer=Lark(grammar, parser=None, lexer="basic", start=_STARTS),
        parser=Lark(grammar, parser="lalr", lexer="basic", start=_STARTS),
    )


@dataclass(frozen=True, kw_only=True)
class Parsed:
    """The result of one parse: a Built (expression) or LineParts (line), and its decimal literals."""

    result: Built | LineParts
    decimals: tuple[SeenDecimal, ...]


_LATEX_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_TEXT_COMMENT = re.compile(r"#[^\n]*")
_LATEX_HASH_COMMENT = re.compile(r"(?<!\\)#[^\n]*")  # TeX's \# is a character, not a note
# Equation numbers and labels, and commands that switch them off: meaningless for a claim.
_LATEX_LABEL = re.compile(r"\\(?:tag\*?|label)\s*\{")
_LATEX_NO_NUMBER = re.compile(r"\\(?:notag|nonumber)(?![A-Za-z])")
# Trailing marks that end a line without being part of it; longest first so that ``\,`` is one.
_TRAILING: dict[str, tuple[str, ...]] = {
    "latex": (
        "\\checkmark", "\\blacksquare", "\\square", "\\qedhere", "\\qed", "\\Box",
        "\\qquad", "\\quad", "\\\\", "\\,", "\\;", "\\:", "\\!", ".", ",", "&", "~", "$",
    ),
    "text": (".", ","),
}
# The ones the grammar also reads as a name when they hold one word: \text{x}, \textrm{erf}.
_NAME_COMMANDS = frozenset({"text", "textrm"})
_COMMAND_BEFORE = re.compile(r"\\([A-Za-z]+)\s*\Z")


def clean(text: str, syntax: Syntax, names: Names | None = None) -> str:
    r"""Blank out what is not part of the claim, keeping the columns of the rest.

    LaTeX: ``%`` comments, ``\tag{..}``, ``\label{..}``, ``\notag``, ``\nonumber`` anywhere, and at
    the end of the line a note ``\text{...}`` (also ``\textrm``, ``\mbox`` ...), a ``\checkmark`` or
    ``\qed``, spacing and punctuation. Plain text: a ``# comment`` and trailing ``.`` or ``,``.
    A trailing ``\text{x}`` that holds one name the parser knows (``names``) stays: it is the
    variable written in text mode, not a note. Words before the claim (``By the chain rule:``,
    ``\Rightarrow``, ``so``, the prose around ``$...$``) are blanked too: see :mod:`derive.parse.prose`.

    >>> clean(r"\sigma' = \sigma(1-\sigma) \quad \text{chain rule} \tag{3}", "latex").rstrip()
    "\\sigma' = \\sigma(1-\\sigma)"
    """
    if syntax == "latex":
        text = _LATEX_COMMENT.sub(_blank, text)
        text = _LATEX_HASH_COMMENT.sub(_blank, text)  # a plain-text note in a file read as LaTeX
        text = _blank_labels(text)
        text = _LATEX_NO_NUMBER.sub(_blank, text)
    else:
        text = _TEXT_COMMENT.sub(_blank, text)
    text = lead_in_blanked(text, frozenset(names.functions) if names is not None else frozenset())
    end = len(text)
    while True:
        while end and text[end - 1].isspace():
            end -= 1
        mark = next((m for m in _TRAILING[syntax] if text.endswith(m, 0, end)), None)
        if mark is None and syntax == "latex":
            start = _trailing_note(text, end, names)
            if start is not None:
                end = start
                continue
        if mark is None or (mark == "." and _is_delimiter_dot(text, end - 1)):
            return text[:end] + " " * (len(text) - end)
        end -= len(mark)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _blank_labels(text: str) -> str:
    r"""Blank ``\tag{...}`` and ``\label{...}`` with their (possibly nested) braces."""
    pieces, position = [], 0
    for match in _LATEX_LABEL.finditer(text):
        if match.start() < position:
            continue
        close = closing_brace(text, match.end() - 1)
        if close is None:
            break
        pieces.append(text[position : match.start()] + " " * (close + 1 - match.start()))
        position = close + 1
    return "".join(pieces) + text[position:]


def closing_brace(text: str, opening: int) -> int | None:
    """The index of the ``}`` that closes the ``{`` at ``opening``, or None (one scan)."""
    depth = 0
    for index in range(opening, len(text)):
        depth += (text[index] == "{") - (text[index] == "}")
        if depth == 0:
            return index
    return None


def _trailing_note(text: str, end: int, names: Names | None) -> int | None:
    r"""Where a ``\text{...}`` note that ends at ``end`` starts, or None if there is none."""
    if not end or text[end - 1] != "}":
        return None
    depth, opening = 0, end - 1
    while opening >= 0:
        depth += (text[opening] == "}") - (text[opening] == "{")
        if depth == 0:
            break
        opening -= 1
    if opening < 0:
        return None
    command = _COMMAND_BEFORE.search(text, max(0, opening - 24), opening)
    if command is None or command.group(1) not in TEXT_COMMANDS:
        return None
    word = text[opening + 1 : end - 1].strip()
    if command.group(1) in _NAME_COMMANDS and word.isascii() and word.isalpha():
        if names is None or names.reads_as_math(word):
            return None
    return command.start()


def _is_delimiter_dot(text: str, dot: int) -> bool:
    r"""Whether the ``.`` at ``dot`` is the empty delimiter of ``\left.`` or ``\right.``."""
    before = text[:dot].rstrip()
    return before.endswith("\\left") or before.endswith("\\right")


#: What to write instead of a character derive does not read (each hint says what it does read).
_CHARACTER_HINTS = {
    "|": ": write abs(x), or \\left| x \\right| in LaTeX",
    "_": ": a subscript is one letter or digit, or up to 8 of them in braces: w_1, w_{12}",
    "!": ": factorials are not supported: write a number's factorial out (4! is 24)",
    "{": ": braces are LaTeX; use parentheses in plain text",
    "}": ": braces are LaTeX; use parentheses in plain text",
    "\\": ": write the whole expression in LaTeX (\\frac{1}{1+e^{-x}}) or the whole of it in plain text (1/(1+exp(-x)))",
    ",": ": write decimals with a point (0.5); a comma only separates the arguments of a function, as in L(w, b), or of log(x, 2)",
    ";": ": write one expression per line",
    "$": ": leave out the $ signs around the mathematics",
    "&": ": leave out the alignment marks & and write one claim per line",
    "%": ": write a percentage as a fraction (5/100)",
    "°": ": angles are in radians: write pi*x/180 for x degrees",
    "∞": ": derive works with finite numbers; limits are not written in expressions",
    "…": ": write the expression out in full",
    **dict.fromkeys("½⅓⅔¼¾⅕⅙⅛", ": write a fraction with a slash, e.g. 1/2"),
    **dict.fromkeys("⇒⟹∴∵⇔⟺", f": {CONNECTIVE_HINT}"),
}
_EXPECTED_NAMES = {
    "_RPAR": "')'",
    "_RBRACK": "']'",
    "_RBRACE": "'}'",
    "_LBRACE": "'{'",
    "_LPAR": "'('",
    "_RBAR": "'\\right|'",
    "VAR": "the variable",
}


def _character_error(
    error: UnexpectedCharacters, text: str, syntax: Syntax, variable: str
) -> ParseError:
    position = error.pos_in_stream
    char = text[position] if 0 <= position < len(text) else ""
    if char == ">" and text[:position].rstrip().endswith("="):  # =>
        arrow = text.rindex("=", 0, position)
        return ParseError(f"unexpected '=>': {CONNECTIVE_HINT}", column=arrow + 1)
    if char == "∇":
        return ParseError(
            "unexpected character '∇': derive does not read gradients yet; write each partial derivative on its own "
            "line, e.g. " + ("\\frac{\\partial L}{\\partial w}" if syntax == "latex" else "dL/dw"),
            column=position + 1,
        )
    shown = f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}" if char else "input"
    return ParseError(
        f"unexpected character {shown}{_CHARACTER_HINTS.get(char, '')}", column=position + 1
    )


def _token_error(
    error: UnexpectedToken, text: str, start: Start, variable: str, syntax: Syntax
) -> ParseError:
    token = error.token
    if token.type == "$END":
        return ParseError(
            "the expression ends too early: something is missing at the end",
            column=(token.start_pos or 0) + 1,
        )
    column = (token.start_pos or 0) + 1
    shown = text[token.start_pos : token.end_pos].strip() or str(token)
    if token.type == "REL" and start == "start_expr":
        return ParseError(f"unexpected '{shown}': expected a single expression", column=column)
    hint = ""
    operand_missing = "NUMBER" in error.expected and "TIMES" not in error.expected
    before = text[: token.start_pos].rstrip()
    if before.endswith(("\\partial", "∂")) or (before.endswith("d") and before[-2:-1] in ("{", "/", " ", "")):
        # ∂/∂2, \frac{d}{d 2}: a derivative is taken with respect to a letter
        return ParseError(f"unexpected '{shown}': a derivative is taken with respect to a letter (∂L/∂w, d/dx), "
                          f"not '{shown}'", column=column)
    if operand_missing and token.type not in ("FUNC", "SIGMA", "_D"):
        hint = ": something is missing before it"
    elif token.type in ("_CARET", "CARET_DIGIT", "_POW", "SUPNUM"):
        hint = ": a double superscript needs braces, e.g. {e^{x}}^{2}"
    elif token.type == "PRIMES" and text[: token.start_pos].rstrip().endswith((")", "]", "}")):
        derivative = (
            f"\\frac{{d}}{{d{variable}}}\\left(...\\right)" if syntax == "latex" else f"d/d{variable}(...)"
        )
        hint = f": write {derivative} for the derivative of an expression"
    elif token.type == "PRIMES":
        hint = ": a prime belongs to a function name, e.g. sigma'(x)"
    elif token.type == "_COMMA":
        hint = (": write decimals with a point (0.5); a comma only separates the arguments of a function, as in "
                "L(w, b), or of log(x, 2)")
    elif token.type in ("FUNC", "SIGMA"):
        hint = ": put a function's argument in parentheses, e.g. sin(x)"
    elif token.type == "_D":
        hint = f": write a derivative as d/d{variable} or with a prime"
    else:
        expected = sorted(_EXPECTED_NAMES[name] for name in error.expected if name in _EXPECTED_NAMES)
        if expected and len(expected) == len(error.expected):
            hint = f": expected {' or '.join(expected)}"
    return ParseError(f"unexpected '{shown}'{hint}", column=column)


def _first_column(node: Tree | Token) -> int | None:
    """The column of the leftmost token under ``node`` (iterative)."""
    while isinstance(node, Tree):
        if not node.children:
            return None
        node = node.children[0]
    return (node.start_pos or 0) + 1


def _check_tree(tree: Tree) -> None:
    """Bound the parse tree's depth (before anything recursive could see it), iteratively."""
    stack: list[tuple[Tree, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputLimitError(
                f"expression nested too deeply: more than {MAX_DEPTH} levels",
                column=_first_column(node),
            )
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def check_expression(expr: sympy.Basic, allowed: Iterable[sympy.Symbol]) -> None:
    """Bound the depth and node count of a built expression, and its free symbols (iteratively)."""
    stack: list[tuple[sympy.Basic, int]] = [(expr, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise InputLimitError(f"expression nested too deeply: more than {MAX_DEPTH} levels")
        if nodes > MAX_NODES:
            raise InputLimitError(f"expression too large: more than {MAX_NODES} nodes")
        stack.extend((arg, depth + 1) for arg in node.args)
    unknown = {symbol for symbol in expr.free_symbols if symbol not in set(allowed) and not letter_name(symbol.name)}
    if unknown:  # cannot happen by construction; kept as a guard
        names = ", ".join(sorted(f"'{symbol}'" for symbol in unknown))
        raise ParseError(f"unknown name {names}")


def _tokens(text: str, syntax: Syntax, names: Names) -> list[Token]:
    return list(classify(parsers(syntax).lexer.lex(text), names, text=text, syntax=syntax))


def run(
    text: str, *, syntax: Syntax, start: Start, names: Names, variable: sympy.Symbol
) -> Parsed:
    """Parse ``text`` as an expression or a line; raise :class:`ParseError` on any failure."""
    if not isinstance(text, str):
        raise ParseError("the input is not text")
    check_length(text)
    text = clean(text, syntax, names)
    if not text.strip():
        raise ParseError("empty line: there is no expression to read")
    check_subscripts(text)
    check_brackets(text)
    try:
        tokens = _tokens(text, syntax, names)
        check_letters((str(token), (token.start_pos or 0) + 1) for token in tokens if token.type == VAR)
        interactive = parsers(syntax).parser.parse_interactive(start=start)
        for token in tokens:
            interactive.feed_token(token)
        end = len(text.rstrip())
        tree = interactive.feed_token(Token("$END", "", end, 1, end + 1, 1, end + 1, end))
    except UnexpectedCharacters as error:
        raise _character_error(error, text, syntax, names.variable) from None
    except UnexpectedToken as error:
        raise _token_error(error, text, start, names.variable, syntax) from None
    except UnexpectedInput as error:  # pragma: no cover - other Lark input errors
        column = getattr(error, "column", None)
        raise ParseError("could not read the expression", column=column) from None
    _check_tree(tree)
    builder = Builder(text=text, names=names, variable=variable)
    try:
        result = builder.transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, ParseError):
            raise error.orig_exc from None
        raise
    built = [result] if isinstance(result, Built) else [p for p in result.parts if p is not None]
    for part in built:
        check_expression(part.expr, (variable,))
    return Parsed(result=result, decimals=tuple(sorted(builder.decimals, key=lambda d: d.start)))
