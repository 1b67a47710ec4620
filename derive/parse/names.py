r"""The whitelist of names, and the step that turns lexed words and commands into grammar tokens.

The lexers only know *shapes* (a run of letters ``WORD``, a command ``CMD``, ``\operatorname{..}``
``OPNAME``). :func:`classify` maps each of them through this module's tables to the terminals the
grammars parse — ``VAR``, ``CONST``, ``FUNC``, ``SIGMA``, ``_D`` (the d of d/dx), operators — and
rejects everything else as an unknown name. Nothing here creates a Symbol from student text.

A letter run that is not a known name as a whole is split greedily into known names
(``xe`` → ``x e``, ``dx`` → ``d x``, ``sinx`` → ``sin x``); if that fails, the whole word is
reported: ``unknown name 'foo'``, with what to write instead when derive can tell (``sech`` →
``1/cosh(...)``, a letter that is not the variable → ``--var``, an undefined ``f'(x)`` → define it
first, a catalogue name → ``--function``).
"""

from __future__ import annotations

import cmath
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import sympy
from lark import Token
from sympy import S

from derive.errors import InputError, InputLimitError, ParseError
from derive.functions import sigma

from .limits import MAX_DIGITS

#: The name of a token type the grammars declare for a classified word.
VAR, CONST, FUNC, SIGMA, D = "VAR", "CONST", "FUNC", "SIGMA", "_D"

_NAME = re.compile(r"[A-Za-z]+")


def _sigmoid(z: complex) -> complex:
    """σ(z) without overflow for real z."""
    if z.imag == 0:
        if z.real >= 0:
            return complex(1 / (1 + math.exp(-z.real)))
        t = math.exp(z.real)
        return complex(t / (1 + t))
    return 1 / (1 + cmath.exp(-z))


def _erf(z: complex) -> complex:
    if z.imag != 0:
        raise ValueError("erf of a complex number is not estimated")
    return complex(math.erf(z.real))


@dataclass(frozen=True, kw_only=True)
class FunctionSpec:
    """How to build one named function, and how to estimate it numerically for the size bounds.

    ``approx`` is ``None`` for functions whose values are unknown (user functions); ``exponential``
    marks functions whose argument acts like an exponent (exp, sinh, cosh) and is bounded like one.
    """

    name: str
    build: Callable[[sympy.Expr], sympy.Expr]
    approx: Callable[[complex], complex] | None = None
    exponential: bool = False


def _spec(
    name: str,
    function: Callable[..., sympy.Expr],
    approx: Callable[[complex], complex] | None,
    *,
    exponential: bool = False,
) -> FunctionSpec:
    return FunctionSpec(
        name=name,
        build=lambda arg: function(arg, evaluate=False),
        approx=approx,
        exponential=exponential,
    )


#: Built-in functions by canonical name.
BUILTIN_FUNCTIONS: Mapping[str, FunctionSpec] = MappingProxyType(
    {
        "exp": _spec("exp", sympy.exp, cmath.exp, exponential=True),
        "log": _spec("log", sympy.log, cmath.log),
        "sqrt": FunctionSpec(
            name="sqrt",
            build=lambda arg: sympy.Pow(arg, S.Half, evaluate=False),
            approx=cmath.sqrt,
        ),
        "sin": _spec("sin", sympy.sin, cmath.sin),
        "cos": _spec("cos", sympy.cos, cmath.cos),
        "tan": _spec("tan", sympy.tan, cmath.tan),
        "sinh": _spec("sinh", sympy.sinh, cmath.sinh, exponential=True),
        "cosh": _spec("cosh", sympy.cosh, cmath.cosh, exponential=True),
        "tanh": _spec("tanh", sympy.tanh, cmath.tanh),
        "atan": _spec("atan", sympy.atan, cmath.atan),
        "asin": _spec("asin", sympy.asin, cmath.asin),
        "acos": _spec("acos", sympy.acos, cmath.acos),
        "erf": _spec("erf", sympy.erf, _erf),
        "abs": _spec("abs", sympy.Abs, lambda z: complex(abs(z))),
        "sigma": _spec("sigma", sigma, _sigmoid),
    }
)

# Words (plain letters, in both syntaxes) that name built-in functions, by canonical name.
_FUNCTION_WORDS = {
    "exp": "exp",
    "ln": "log",
    "log": "log",
    "sqrt": "sqrt",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "arctan": "atan",
    "atan": "atan",
    "arcsin": "asin",
    "asin": "asin",
    "arccos": "acos",
    "acos": "acos",
    "erf": "erf",
    "abs": "abs",
}
# LaTeX commands (without the backslash) that name built-in functions.
_FUNCTION_COMMANDS = {
    name: _FUNCTION_WORDS[name]
    for name in (
        "exp ln log sin cos tan sinh cosh tanh arctan arcsin arccos erf".split()
    )
}
# LaTeX commands that are operators or structure.
_OPERATOR_COMMANDS: Mapping[str, tuple[str, str]] = {
    "cdot": ("TIMES", "*"),
    "times": ("TIMES", "*"),
    "ast": ("TIMES", "*"),
    "div": ("DIVIDE", "/"),
    "approx": ("REL", "≈"),
    "frac": ("_FRAC", "frac"),
    "dfrac": ("_FRAC", "frac"),
    "tfrac": ("_FRAC", "frac"),
    "sqrt": ("_SQRT", "sqrt"),
}
# Names no variable or user function may take.
RESERVED = frozenset({"e", "pi", "d", "sigma"})


@dataclass(frozen=True, kw_only=True)
class Names:
    """The names one parse accepts: the variable, the functions, and how words map to tokens."""

    variable: str
    functions: Mapping[str, FunctionSpec]
    words: Mapping[str, tuple[str, str]]
    commands: Mapping[str, tuple[str, str]]
    longest_word: int
    #: Catalogue names and aliases (mapped to the entry's name), for messages that suggest
    #: ``--function NAME``; given by the caller, who knows the catalogue.
    catalogue: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def is_known(self, name: str) -> bool:
        """Whether ``name`` already means something (a function, constant, the variable, d)."""
        return name in self.words or name in self.commands

    def reads_as_math(self, word: str) -> bool:
        """Whether a run of letters is read as names (``xe`` is ``x e``), not an unknown name."""
        return _split(word, self) is not None


def make_names(
    variable: str,
    functions: Mapping[str, sympy.FunctionClass] | None = None,
    catalogue: Mapping[str, str] | None = None,
) -> Names:
    """Build the whitelist for one parse. Bad names from the *caller* raise ``ValueError``."""
    if not _NAME.fullmatch(variable) or variable in RESERVED or variable in _FUNCTION_WORDS:
        raise ValueError(f"cannot use {variable!r} as the variable name")
    specs = dict(BUILTIN_FUNCTIONS)
    words: dict[str, tuple[str, str]] = {
        word: (FUNC, canonical) for word, canonical in _FUNCTION_WORDS.items()
    }
    commands: dict[str, tuple[str, str]] = {
        command: (FUNC, canonical) for command, canonical in _FUNCTION_COMMANDS.items()
    }
    commands.update(_OPERATOR_COMMANDS)
    for name, function in (functions or {}).items():
        if not _NAME.fullmatch(name) or name in RESERVED or name == variable:
            raise ValueError(f"cannot use {name!r} as a function name")
        if not isinstance(function, sympy.FunctionClass):
            raise ValueError(f"function {name!r} is not a SymPy function class")
        specs[name] = FunctionSpec(
            name=name, build=lambda arg, cls=function: cls(arg, evaluate=False)
        )
        # A substitution (``u = 1 + e^{-x}``) is written without its argument, like σ: u, u', du/dx.
        words[name] = (SIGMA if getattr(function, "substitution", False) else FUNC, name)
        if len(name) > 1:  # \softplus, not \f
            commands[name] = (FUNC, name)
    words.update(
        {"e": (CONST, "e"), "pi": (CONST, "pi"), "sigma": (SIGMA, "sigma"), "d": (D, "d")}
    )
    words[variable] = (VAR, variable)
    commands.update({"pi": (CONST, "pi"), "sigma": (SIGMA, "sigma")})
    if len(variable) > 1:  # \theta, not \x
        commands[variable] = (VAR, variable)
    return Names(
        variable=variable,
        functions=MappingProxyType(specs),
        words=MappingProxyType(words),
        commands=MappingProxyType(commands),
        longest_word=max(len(word) for word in words),
        catalogue=MappingProxyType(dict(catalogue or {})),
    )


def check_variable_name(name: str) -> None:
    """Refuse a variable name that a line could not use (a function, a constant, 'd', two words)."""
    try:
        make_names(name)
    except ValueError:
        raise InputError(
            f"cannot use {name!r} as the variable: choose a letter such as x or t that is not the name of a "
            "function or a constant"
        ) from None


def _token(kind: str, value: str, source: Token, offset: int = 0, length: int | None = None) -> Token:
    start = (source.start_pos or 0) + offset
    end = start + (len(source) - offset if length is None else length)
    return Token(kind, value, start, 1, start + 1, 1, end + 1, end)


#: Greek letters a student may use as a variable (``--var theta``).
GREEK_LETTERS = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
    "omicron rho varrho tau upsilon phi varphi chi psi omega".split()
)
#: Words and commands that join claims ("therefore", "\\implies") but are not a claim themselves.
CONNECTIVES = frozenset(
    "therefore hence thus so implies impliedby iff because since Rightarrow Longrightarrow "
    "Leftrightarrow Longleftrightarrow".split()
)
#: Commands whose braced argument is prose, not mathematics (``\\text{by the chain rule}``).
TEXT_COMMANDS = frozenset(
    "text textrm textnormal textit textbf textsf texttt emph mbox intertext shortintertext".split()
)
#: Every plain word that may name something in some parse: built-in functions, e, pi, d, sigma,
#: and the Greek letters a variable may be called (user functions and catalogue names aside).
KNOWN_WORDS = frozenset(_FUNCTION_WORDS) | RESERVED | GREEK_LETTERS
CONNECTIVE_HINT = (
    "put each claim on its own line; arrows and 'therefore' are not claims"
    " — start a continuation with '='"
)
# Functions the grammar lacks, with what to write instead (LaTeX, plain text).
_MISSING_FUNCTIONS: Mapping[str, tuple[str, str]] = {
    "sech": ("write 1/\\cosh(...) instead", "write 1/cosh(...) instead"),
    "csch": ("write 1/\\sinh(...) instead", "write 1/sinh(...) instead"),
    "coth": ("write 1/\\tanh(...) instead", "write 1/tanh(...) instead"),
    "sec": ("write 1/\\cos(...) instead", "write 1/cos(...) instead"),
    "csc": ("write 1/\\sin(...) instead", "write 1/sin(...) instead"),
    "cosec": ("write 1/\\sin(...) instead", "write 1/sin(...) instead"),
    "cot": ("write 1/\\tan(...) instead", "write 1/tan(...) instead"),
    **dict.fromkeys(
        ("asinh", "arsinh", "arcsinh"),
        ("write \\ln(u + \\sqrt{u^2+1}) for it at u", "write ln(u + sqrt(u^2+1)) for it at u"),
    ),
    **dict.fromkeys(
        ("acosh", "arcosh", "arccosh"),
        ("write \\ln(u + \\sqrt{u^2-1}) for it at u", "write ln(u + sqrt(u^2-1)) for it at u"),
    ),
    **dict.fromkeys(
        ("atanh", "artanh", "arctanh"),
        ("write \\frac{1}{2}\\ln\\frac{1+u}{1-u} for it at u", "write ln((1+u)/(1-u))/2 for it at u"),
    ),
}
# What follows a name that is used as a function: primes, or an opening parenthesis.
_PRIMES_AFTER = re.compile(r"\s*(?:['\u2032\u2033\u2034]|\^\s*\{?\s*\\prime)")
_CALL_AFTER = re.compile(r"\s*(?:\\left\s*|\\[bB]igg?l?\s*)?\(")


@dataclass(frozen=True, kw_only=True)
class _Context:
    """What an unknown name's message may look at: the whole line and its syntax."""

    text: str = ""
    syntax: str = "text"


def _unknown(
    word: str, names: Names, column: int, context: _Context, *, end: int, command: bool = False
) -> ParseError:
    """The message for a name that means nothing here, with what to write instead when known."""
    shown = f"\\{word}" if command else word
    latex = context.syntax == "latex"
    lead = f"unknown name '{shown}'"
    if word in CONNECTIVES or word.lower() in CONNECTIVES:
        return ParseError(f"unexpected '{shown}': {CONNECTIVE_HINT}", column=column)
    if word.lower() in _MISSING_FUNCTIONS:
        instead = _MISSING_FUNCTIONS[word.lower()][0 if latex else 1]
        return ParseError(f"{lead}: derive has no {word}; {instead}", column=column)
    if word == "partial":
        derivative = f"\\frac{{d}}{{d{names.variable}}}" if latex else f"d/d{names.variable}"
        return ParseError(
            f"{lead}: derive reads {derivative} for functions of one variable", column=column
        )
    if command and word in TEXT_COMMANDS:
        return ParseError(
            f"{lead}: text can only be a note at the end of a line or a line of its own",
            column=column,
        )
    primes = _PRIMES_AFTER.match(context.text, end)
    call = _CALL_AFTER.match(context.text, end)
    catalogue = names.catalogue
    if word in catalogue and word not in names.functions:
        if catalogue[word] == "sigmoid":
            written = "\\sigma(x)" if latex else "sigma(x)"
            return ParseError(f"{lead}: write the sigmoid as {written}", column=column)
        return ParseError(f"{lead}: check it with --function {word}", column=column)
    if primes or call:
        variable = names.variable
        message = f"{lead}: define it first on its own line, e.g. {shown}({variable}) = ..."
        chosen = next(
            (name for name in names.functions if name in catalogue and name not in BUILTIN_FUNCTIONS),
            None,
        )
        if chosen is not None:
            spelled = f"\\operatorname{{{chosen}}}" if latex else chosen
            prime = "'" if primes else ""
            message += f", or write {spelled}{prime}({variable})"
        return ParseError(message, column=column)
    if len(word) == 1 and not command:
        return ParseError(
            f"{lead}: the variable is '{names.variable}'; to let {word} stand for an expression, "
            f"write it first on a line of its own ({word} = ...), or use --var {word} if the exercise is in {word}",
            column=column,
        )
    if command and word in GREEK_LETTERS:
        return ParseError(
            f"{lead}: the variable is '{names.variable}' "
            f"(use --var {word} if the exercise is in {word})",
            column=column,
        )
    return ParseError(lead, column=column)


def _split(word: str, names: Names) -> list[tuple[int, int, tuple[str, str]]] | None:
    """``(offset, length, (kind, value))`` of each known name in ``word``, greedily, or None."""
    known = names.words.get(word)
    if known is not None:
        return [(0, len(word), known)]
    pieces = []
    index = 0
    while index < len(word):
        for length in range(min(names.longest_word, len(word) - index), 0, -1):
            known = names.words.get(word[index : index + length])
            if known is not None:
                pieces.append((index, length, known))
                index += length
                break
        else:
            return None
    return pieces


def _split_word(
    word: str, source: Token, offset: int, names: Names, context: _Context
) -> Iterator[Token]:
    """Tokens for a letter run: the whole word if known, else a greedy split into known names."""
    pieces = _split(word, names)
    if pieces is None:
        start = (source.start_pos or 0) + offset
        end = source.end_pos if source.type == "OPNAME" else start + len(word)
        raise _unknown(word, names, start + 1, context, end=end or 0)
    for start, length, (kind, value) in pieces:
        yield _token(kind, value, source, offset + start, length)


def _check_number(token: Token) -> None:
    digits = sum(char.isdigit() for char in token)
    if digits > MAX_DIGITS:
        raise InputLimitError(
            f"number too long: {digits} digits exceeds the limit of {MAX_DIGITS}",
            column=(token.start_pos or 0) + 1,
        )


_OPNAME_INNER = re.compile(r"[A-Za-z]+$|[A-Za-z]+(?=\s*\}$)")


def classify(
    tokens: Iterable[Token], names: Names, *, text: str = "", syntax: str = "text"
) -> Iterator[Token]:
    """Turn lexer tokens into grammar tokens; raise :class:`ParseError` for unknown names.

    ``text`` (the line the tokens come from) and ``syntax`` only shape the messages.
    """
    context = _Context(text=text, syntax=syntax)
    for token in tokens:
        kind = token.type
        if kind == "WORD":
            yield from _split_word(str(token), token, 0, names, context)
        elif kind == "CMD":
            name = str(token)[1:]
            known = names.commands.get(name)
            if known is None:
                if name in ("left", "right"):
                    raise ParseError(
                        f"unsupported delimiter after '\\{name}': use ( ), [ ] or | |",
                        column=(token.start_pos or 0) + 1,
                    )
                raise _unknown(
                    name, names, (token.start_pos or 0) + 1, context,
                    end=token.end_pos or 0, command=True,
                )
            yield _token(known[0], known[1], token)
        elif kind == "OPNAME":
            match = _OPNAME_INNER.search(str(token))
            assert match is not None  # the OPNAME pattern guarantees letters at the end
            yield from _split_word(match.group(), token, match.start(), names, context)
        elif kind == "PI":
            yield _token(CONST, "pi", token)
        elif kind == "ROOT":
            yield _token(FUNC, "sqrt", token)
        elif kind == "SIGMA":
            yield _token(SIGMA, "sigma", token)
        else:
            if kind in ("NUMBER", "SUPNUM"):
                _check_number(token)
            yield token
