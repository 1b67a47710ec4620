r"""The whitelist of names, and the step that turns lexed words and commands into grammar tokens.

The lexers only know *shapes* (a run of letters ``WORD``, a command ``CMD``, ``\operatorname{..}``
``OPNAME``, a subscript ``SUB``, an accent ``\hat{y}``). :func:`classify` maps each of them through
this module's tables to the terminals the grammars parse — ``VAR`` (a letter: a variable or a
parameter), ``CONST`` (e, π), ``FUNC`` (a known or defined function), ``SIGMA``, ``_D`` (the d of
d/dx, or ∂), operators — and rejects everything else as an unknown name. A letter becomes a
SymPy symbol only through :func:`letter_name`'s whitelist of shapes (one Latin or Greek letter,
with a short subscript or an accent), so no text a person typed becomes an arbitrary name.

Letters (issue 12): any single Latin letter other than e (Euler's number) and d (as in d/dx),
any Greek letter other than π and σ (as ``\beta``, ``β`` or ``beta``), each optionally with a
subscript (``w_1``, ``w_{2}``, ``x_i``) or an accent (``\hat{y}``, ``ŷ``: a letter of its own), is a
real variable or parameter. In LaTeX adjacent letters multiply (``wx``, ``akx^2``), as in TeX,
after the names derive knows are taken out (``\sin``, ``ex`` = e·x). In plain text a run of
letters is one name, so that a typo never becomes a product silently: it must be a known name
(``sin``, ``beta``, ``pi``), a single letter, or split entirely into the exercise's variable, e,
d and known function names (``xe`` = x·e, ``sinx`` = sin x, ``dw`` = d w); otherwise write a
product of letters with ``*`` or a space (``w*x``, ``w x``).
"""

from __future__ import annotations

import cmath
import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import sympy
from lark import Token
from sympy import S

from derive.errors import InputError, InputLimitError, ParseError
from derive.functions import log_base, sigma

from .limits import MAX_DIGITS

#: The name of a token type the grammars declare for a classified word.
VAR, CONST, FUNC, SIGMA, D = "VAR", "CONST", "FUNC", "SIGMA", "_D"

_NAME = re.compile(r"[A-Za-z]+")
#: The longest subscript a letter may carry (``w_{12}``, ``b_{out}``).
MAX_SUBSCRIPT = 8


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
    ``arity`` is how many arguments the function takes (a user's ``L(w, b)`` takes two).
    """

    name: str
    build: Callable[..., sympy.Expr]
    approx: Callable[[complex], complex] | None = None
    exponential: bool = False
    arity: int = 1
    #: A user's function of several arguments: the letters of its definition, L(w, b).
    parameters: tuple[sympy.Symbol, ...] = ()


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


def _reciprocal(function: Callable[[complex], complex]) -> Callable[[complex], complex]:
    return lambda z: 1 / function(z)


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
        "cbrt": FunctionSpec(  # the principal cube root, as x^(1/3) and \sqrt[3]{x} are read
            name="cbrt",
            build=lambda arg: sympy.Pow(arg, sympy.Rational(1, 3), evaluate=False),
            approx=lambda z: complex(z) ** (1 / 3),
        ),
        "sin": _spec("sin", sympy.sin, cmath.sin),
        "cos": _spec("cos", sympy.cos, cmath.cos),
        "tan": _spec("tan", sympy.tan, cmath.tan),
        "sec": _spec("sec", sympy.sec, _reciprocal(cmath.cos)),
        "csc": _spec("csc", sympy.csc, _reciprocal(cmath.sin)),
        "cot": _spec("cot", sympy.cot, _reciprocal(cmath.tan)),
        "sinh": _spec("sinh", sympy.sinh, cmath.sinh, exponential=True),
        "cosh": _spec("cosh", sympy.cosh, cmath.cosh, exponential=True),
        "tanh": _spec("tanh", sympy.tanh, cmath.tanh),
        "sech": _spec("sech", sympy.sech, _reciprocal(cmath.cosh), exponential=True),
        "csch": _spec("csch", sympy.csch, _reciprocal(cmath.sinh), exponential=True),
        "coth": _spec("coth", sympy.coth, _reciprocal(cmath.tanh)),
        "atan": _spec("atan", sympy.atan, cmath.atan),
        "asin": _spec("asin", sympy.asin, cmath.asin),
        "acos": _spec("acos", sympy.acos, cmath.acos),
        "asinh": _spec("asinh", sympy.asinh, cmath.asinh),
        "acosh": _spec("acosh", sympy.acosh, cmath.acosh),
        "atanh": _spec("atanh", sympy.atanh, cmath.atanh),
        "acot": _spec("acot", sympy.acot, lambda z: cmath.atan(1 / z)),
        "asec": _spec("asec", sympy.asec, lambda z: cmath.acos(1 / z)),
        "acsc": _spec("acsc", sympy.acsc, lambda z: cmath.asin(1 / z)),
        "acoth": _spec("acoth", sympy.acoth, lambda z: cmath.atanh(1 / z)),
        "asech": _spec("asech", sympy.asech, lambda z: cmath.acosh(1 / z)),
        "acsch": _spec("acsch", sympy.acsch, lambda z: cmath.asinh(1 / z)),
        "erf": _spec("erf", sympy.erf, _erf),
        "abs": _spec("abs", sympy.Abs, lambda z: complex(abs(z))),
        "sigma": _spec("sigma", sigma, _sigmoid),
    }
)

#: What an unknown function's message lists when the text cannot define one (``derive diff``).
KNOWN_FUNCTIONS = ("write it with the functions derive knows: exp, ln, log(x, b), sqrt, cbrt, sin, cos, tan, sec, "
                   "csc, cot, their inverses (asin, ...) and hyperbolic functions (sinh, asinh, ...), abs, erf, "
                   "and the activations sigma, softplus, relu, gelu, ...")

# Words (plain letters, in both syntaxes) that name built-in functions, by canonical name.
_FUNCTION_WORDS = {
    "exp": "exp",
    "ln": "log",
    "log": "log",
    "sqrt": "sqrt",
    "cbrt": "cbrt",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "sec": "sec",
    "csc": "csc",
    "cosec": "csc",
    "cot": "cot",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "sech": "sech",
    "csch": "csch",
    "coth": "coth",
    "arctan": "atan",
    "atan": "atan",
    "arcsin": "asin",
    "asin": "asin",
    "arccos": "acos",
    "acos": "acos",
    "arsinh": "asinh",
    "arcsinh": "asinh",
    "asinh": "asinh",
    "arcosh": "acosh",
    "arccosh": "acosh",
    "acosh": "acosh",
    "artanh": "atanh",
    "arctanh": "atanh",
    "atanh": "atanh",
    "arccot": "acot",
    "acot": "acot",
    "arcsec": "asec",
    "asec": "asec",
    "arccsc": "acsc",
    "acsc": "acsc",
    "arcoth": "acoth",
    "arccoth": "acoth",
    "acoth": "acoth",
    "arsech": "asech",
    "arcsech": "asech",
    "asech": "asech",
    "arcsch": "acsch",
    "arccsch": "acsch",
    "acsch": "acsch",
    "erf": "erf",
    "abs": "abs",
}
# LaTeX commands (without the backslash) that name built-in functions.
_FUNCTION_COMMANDS = {
    name: _FUNCTION_WORDS[name]
    for name in (
        "exp ln log sin cos tan sec csc cot sinh cosh tanh coth sech csch arctan arcsin arccos "
        "arsinh arcsinh arcosh arccosh artanh arctanh arccot arcsec arccsc arcoth arccoth arsech arcsech arcsch "
        "arccsch erf".split()
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
    "partial": (D, "partial"),
}
# Names no variable or user function may take.
RESERVED = frozenset({"e", "pi", "d", "sigma"})

#: Greek letters a student may use as a variable or parameter (``\beta``, ``β``, ``beta``).
GREEK_LETTERS = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi "
    "omicron rho varrho tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma "
    "Upsilon Phi Psi Omega".split()
)
#: Accents that make a letter a letter of its own (``\hat{y}`` is not y), as SymPy names them.
ACCENTS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar", "tilde": "tilde", "widetilde": "tilde"}
_UNICODE_ACCENTS = {"\u0302": "hat", "\u0304": "bar", "\u0303": "tilde"}
_LETTER = re.compile(
    r"(?P<letter>[A-Za-z]|" + "|".join(sorted(GREEK_LETTERS, key=len, reverse=True)) + r")"
    r"(?P<accent>hat|bar|tilde)?(?:_(?P<subscript>[A-Za-z0-9]{1,%d}))?" % MAX_SUBSCRIPT
)


def letter_name(name: str) -> bool:
    """Whether ``name`` is the name of a letter (``x``, ``w_1``, ``beta``, ``yhat``, ``beta_2``):
    the only shapes a variable or parameter may have. e, d, π and σ are not letters here.

    >>> [letter_name(n) for n in ("x", "w_12", "beta", "yhat", "e", "sigma", "xy", "w_1_2")]
    [True, True, True, True, False, False, False, False]
    """
    match = _LETTER.fullmatch(name)
    return match is not None and match.group("letter") not in RESERVED


#: Functions conventionally named by a single letter: ``f(x)`` with f undefined is an error
#: (define it first), while any other letter before a bracket multiplies (``a(1-a)``).
FUNCTION_LETTERS = frozenset("fghFGH")


@dataclass(frozen=True, kw_only=True)
class Names:
    """The names one parse accepts: the variable, the functions, and how words map to tokens.

    ``variable`` is the exercise's variable (what primes and a bare σ refer to); every other
    letter is a parameter or another variable. ``substituted`` names the letters a student's
    earlier lines made stand for an expression (``z = wx + b``).
    """

    variable: str
    functions: Mapping[str, FunctionSpec]
    words: Mapping[str, tuple[str, str]]
    commands: Mapping[str, tuple[str, str]]
    longest_word: int
    #: Catalogue names and aliases (mapped to the entry's name), for messages that suggest
    #: ``--function NAME``; given by the caller, who knows the catalogue.
    catalogue: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    substituted: frozenset[str] = frozenset()
    #: Whether the text may define a function on a line of its own (a derivation a student checks);
    #: a single typed expression (``derive diff``) cannot.
    definitions: bool = True

    def is_known(self, name: str) -> bool:
        """Whether ``name`` already means something other than a free letter (a function, a
        constant, d, the exercise's variable, a letter that stands for an expression)."""
        kind = self.words.get(name, self.commands.get(name, ("",)))[0]
        return kind not in ("", VAR) or name == self.variable or name in self.substituted

    def reads_as_math(self, word: str) -> bool:
        """Whether a run of letters is read as names (``xe`` is ``x e``), not an unknown name."""
        return _split(word, self, "text") is not None

    def spec(self, name: str) -> FunctionSpec:
        """The function called ``name`` (``log_2`` is the logarithm to base 2)."""
        if name in self.functions:
            return self.functions[name]
        if name.startswith("log_"):
            base = name[4:]
            base_expr = sympy.Integer(int(base)) if base.isdigit() else sympy.Symbol(base, real=True)
            return FunctionSpec(
                name=name,
                build=lambda arg: log_base(arg, base_expr),
                approx=(lambda z, b=int(base): cmath.log(z) / math.log(b)) if base.isdigit() and int(base) > 1 else None,
            )
        raise KeyError(name)


def make_names(
    variable: str,
    functions: Mapping[str, sympy.FunctionClass] | None = None,
    catalogue: Mapping[str, str] | None = None,
    substituted: Iterable[str] = (),
    *,
    definitions: bool = True,
) -> Names:
    """Build the whitelist for one parse. Bad names from the *caller* raise ``ValueError``."""
    if not letter_name(variable):
        raise ValueError(f"cannot use {variable!r} as the variable name")
    specs = dict(BUILTIN_FUNCTIONS)
    words: dict[str, tuple[str, str]] = {
        word: (FUNC, canonical) for word, canonical in _FUNCTION_WORDS.items()
    }
    commands: dict[str, tuple[str, str]] = {
        command: (FUNC, canonical) for command, canonical in _FUNCTION_COMMANDS.items()
    }
    commands.update(_OPERATOR_COMMANDS)
    words.update({letter: (VAR, letter) for letter in GREEK_LETTERS})
    commands.update({letter: (VAR, letter) for letter in GREEK_LETTERS})
    for name, function in (functions or {}).items():
        if not _NAME.fullmatch(name) or name in RESERVED or name == variable:
            raise ValueError(f"cannot use {name!r} as a function name")
        if not isinstance(function, sympy.FunctionClass):
            raise ValueError(f"function {name!r} is not a SymPy function class")
        parameters = tuple(getattr(function, "parameters", ()))
        specs[name] = FunctionSpec(
            name=name, build=lambda *args, cls=function: cls(*args, evaluate=False),
            arity=max(1, len(parameters)), parameters=parameters,
        )
        words[name] = (FUNC, name)
        if len(name) > 1:  # \softplus, not \f
            commands[name] = (FUNC, name)
    words.update(
        {"e": (CONST, "e"), "pi": (CONST, "pi"), "sigma": (SIGMA, "sigma"), "d": (D, "d")}
    )
    words[variable] = (VAR, variable)
    commands.update({"pi": (CONST, "pi"), "sigma": (SIGMA, "sigma")})
    if len(variable) > 1 and variable not in commands:  # \theta, not \x
        commands[variable] = (VAR, variable)
    return Names(
        variable=variable,
        functions=MappingProxyType(specs),
        words=MappingProxyType(words),
        commands=MappingProxyType(commands),
        longest_word=max(len(word) for word in words),
        catalogue=MappingProxyType(dict(catalogue or {})),
        definitions=definitions,
        substituted=frozenset(substituted),
    )


def check_variable_name(name: str) -> None:
    """Refuse a variable name that a line could not use (a function, a constant, 'd', two words)."""
    try:
        make_names(name)
    except ValueError:
        written = _WRITTEN_VARIABLE.fullmatch(name.strip())
        plain = f"{written.group('letter')}_{written.group('script')}" if written else None
        if plain is not None and plain != name and letter_name(plain):
            raise InputError(f"cannot use '{name}' as the variable: write the letter as {plain} "
                             "(its subscript without braces, a Greek letter without a backslash)") from None
        raise InputError(
            f"cannot use {name!r} as the variable: choose a letter such as x, w or t (or a Greek letter such as "
            "theta) that is not the name of a function or a constant"
        ) from None


#: A variable written as in LaTeX: ``w_{37}``, ``\theta_{1}``, ``\beta_2``.
_WRITTEN_VARIABLE = re.compile(r"\\?(?P<letter>[A-Za-z]+)_\{?(?P<script>[A-Za-z0-9]+)\}?")


def _token(kind: str, value: str, source: Token, offset: int = 0, length: int | None = None) -> Token:
    start = (source.start_pos or 0) + offset
    end = start + (len(source) - offset if length is None else length)
    return Token(kind, value, start, 1, start + 1, 1, end + 1, end)


#: Words and commands that join claims ("therefore", "\\implies"); a line may start with one
#: before its claim (``so σ'(x) = …``), and one alone is not a claim.
CONNECTIVES = frozenset(
    "therefore hence thus so implies impliedby iff because since Rightarrow Longrightarrow "
    "Leftrightarrow Longleftrightarrow".split()
)
#: Commands whose braced argument is prose, not mathematics (``\\text{by the chain rule}``).
TEXT_COMMANDS = frozenset(
    "text textrm textnormal textit textbf textsf texttt emph mbox intertext shortintertext".split()
)
#: Every plain word that may name something in some parse: built-in functions, e, pi, d, sigma,
#: and the Greek letters (user functions and catalogue names aside).
KNOWN_WORDS = frozenset(_FUNCTION_WORDS) | RESERVED | GREEK_LETTERS
CONNECTIVE_HINT = (
    "put each claim on its own line; arrows and 'therefore' are not claims"
    " — start a continuation with '='"
)
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
    if word == "nabla":
        partial = "\\frac{\\partial L}{\\partial w}" if latex else "dL/dw"
        return ParseError(
            f"{lead}: derive does not read gradients (vectors of partial derivatives) yet; write each "
            f"partial derivative on a line of its own, e.g. {partial}",
            column=column,
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
        known = [*_FUNCTION_WORDS, *(name for name in names.functions if name in catalogue)]
        meant = difflib.get_close_matches(word, known, n=1, cutoff=0.75)
        if meant:
            return ParseError(f"{lead}: did you mean {meant[0]}?", column=column)
        if not names.definitions:
            return ParseError(f"{lead}: {KNOWN_FUNCTIONS}", column=column)
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
    if not command and column == _first_column(context.text) and len(word) > 3:
        mark = "% or \\text{...}" if latex else "#"
        return ParseError(
            f"{lead}: this line looks like prose; mark it as a comment with {mark}, or write the mathematics only",
            column=column,
        )
    if not command and not latex and (len(word) == 2 or len(word) == 3 and names.variable in word) and all(
            letter_name(letter) for letter in word):
        return ParseError(
            f"{lead}: in plain text, letters side by side are one name; write a product of letters with * "
            f"or a space ({'*'.join(word)})",
            column=column,
        )
    return ParseError(lead, column=column)


def _first_column(text: str) -> int:
    return len(text) - len(text.lstrip()) + 1


def _split(word: str, names: Names, syntax: str) -> list[tuple[int, int, tuple[str, str]]] | None:
    """``(offset, length, (kind, value))`` of each name in ``word``, or None.

    LaTeX: known names first (longest match), any other letter on its own (letters side by side
    multiply). Plain text: the whole word, or a split into known names only (the exercise's
    variable, e, d, functions, Greek names), or d followed by one letter (``dw``).
    """
    known = names.words.get(word)
    if known is not None:
        return [(0, len(word), known)]
    if syntax == "text" and len(word) == 2 and word[0] == "d" and letter_name(word[1]):
        return [(0, 1, (D, "d")), (1, 1, (VAR, word[1]))]
    if syntax == "text" and letter_name(word):  # a single letter, or w_1 spelled out
        return [(0, len(word), (VAR, word))]
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
            if syntax == "latex" and letter_name(word[index]):
                pieces.append((index, 1, (VAR, word[index])))
                index += 1
                continue
            return None
    return pieces


def _split_word(
    word: str, source: Token, offset: int, names: Names, context: _Context
) -> Iterator[Token]:
    """Tokens for a letter run: the whole word if known, else its split (see :func:`_split`)."""
    pieces = _split(word, names, context.syntax)
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
_SUBSCRIPT_INNER = re.compile(r"_\s*(?:\{\s*(?P<braced>[A-Za-z0-9]+)\s*\}|(?P<single>[A-Za-z0-9]))")
# \partial_{\theta_1}, \partial_{w_1}, \partial_{\hat{y}}: the subscript of ∂ is a whole letter,
# itself subscripted or accented
_PARTIAL_SUBSCRIPT = re.compile(
    r"_\s*\{\s*(?:\\(?P<accent>hat|widehat|bar|overline|tilde|widetilde)\s*(?:\{\s*\\?(?P<accented>[A-Za-z]+)\s*\}"
    r"|\s(?P<bare>[A-Za-z]))|\\?(?P<letter>[A-Za-z]+))\s*(?:_\s*\{?\s*(?P<index>[A-Za-z0-9]+)\s*\}?)?\s*\}")
_ACCENT_INNER = re.compile(r"\\(?P<accent>[A-Za-z]+)\s*(?:\{\s*\\?(?P<braced>[A-Za-z]+)\s*\}|(?P<single>[A-Za-z]))")
_GREEK_SPECIAL = {"ϑ": "vartheta", "ϕ": "phi", "ϵ": "epsilon", "ϖ": "varpi"}


def _greek_name(char: str) -> str:
    """β → beta, Γ → Gamma (the name LaTeX and SymPy give the letter)."""
    if char in _GREEK_SPECIAL:
        return _GREEK_SPECIAL[char]
    words = unicodedata.name(char, "").split()
    letter = words[-1].lower().replace("lamda", "lambda") if words else ""
    return letter.capitalize() if "CAPITAL" in words else letter


def _accented_name(text: str) -> str:
    """ŷ (or y followed by a combining circumflex) → yhat; ȳ → ybar; ỹ → ytilde."""
    decomposed = unicodedata.normalize("NFD", text)
    return decomposed[0] + _UNICODE_ACCENTS.get(decomposed[1:2], "hat")


def _tex_arguments(tokens: Iterable[Token]) -> Iterator[Token]:
    r"""TeX's one-token arguments: ``\frac12`` is ``\frac{1}{2}``, ``\sqrt2x`` is ``\sqrt{2}x``.

    An argument that does not start with ``{`` is one character (a digit, a letter) or one
    command; the rest of that token stays where it is. Braces are added around it. Tokens are
    read lazily, so that an error early in a line is reported before a later one.
    """
    source = iter(tokens)
    pushed: list[Token] = []

    def following() -> Token | None:
        if pushed:
            return pushed.pop()
        return next(source, None)

    while (token := following()) is not None:
        yield token
        if token.type != "CMD" or str(token)[1:] not in ("frac", "dfrac", "tfrac", "sqrt"):
            continue
        for _ in range(1 if str(token)[1:] == "sqrt" else 2):
            argument = following()
            if argument is None:
                break
            if argument.type == "_LBRACE":
                depth = 0
                while argument is not None:  # the braced group as it is
                    depth += (argument.type == "_LBRACE") - (argument.type == "_RBRACE")
                    yield argument
                    if depth == 0:
                        break
                    argument = following()
                continue
            if (argument.type not in ("NUMBER", "WORD", "CMD") or str(argument)[1:] in ("frac", "dfrac", "tfrac", "sqrt")
                    or str(argument) == "["):
                pushed.append(argument)  # \sqrt\frac{1}{x}, \sqrt[n]{...}: left to the grammar
                break
            start = argument.start_pos or 0
            one = argument.type == "CMD" or len(argument) == 1
            first = argument if one else _token(argument.type, str(argument)[0], argument, 0, 1)
            yield _token("_LBRACE", "{", argument, 0, 0)
            yield first
            yield _token("_RBRACE", "}", argument, len(first), 0)
            if not one:
                pushed.append(Token(argument.type, str(argument)[1:], start + 1, 1, start + 2, 1,
                                    (argument.end_pos or 0) + 1, argument.end_pos))


def classify(
    tokens: Iterable[Token], names: Names, *, text: str = "", syntax: str = "text"
) -> Iterator[Token]:
    """Turn lexer tokens into grammar tokens; raise :class:`ParseError` for unknown names.

    ``text`` (the line the tokens come from) and ``syntax`` only shape the messages.
    """
    context = _Context(text=text, syntax=syntax)
    if syntax == "latex":
        tokens = _tex_arguments(tokens)
    joined: list[Token] = []
    previous: Token | None = None
    for token in _names(tokens, names, context):
        if token.type == "SUB":
            joined.extend(_subscripted(previous, token, names, context))
            previous = None
            continue
        if previous is not None:
            joined.append(previous)
        previous = token
    if previous is not None:
        joined.append(previous)
    joined = _partial_of_a_function(joined)
    _refuse_undefined_functions(joined, names, context)
    return iter(joined)


#: What ``\partial_w`` becomes (see :func:`_subscripted`): \frac{\partial}{\partial w}.
_PARTIAL_OPERATOR = ("_FRAC", "_LBRACE", D, "_RBRACE", "_LBRACE", D, VAR, "_RBRACE")


def _partial_of_a_function(tokens: list[Token]) -> list[Token]:
    r"""``\partial_w L`` for a function L named without its arguments (``L(w,b) = …`` defined it)
    is ∂L/∂w, as ``rac{\partial L}{\partial w}`` is: the name moves into the numerator."""
    width = len(_PARTIAL_OPERATOR)
    index = 0
    while index + width < len(tokens):
        window = tokens[index : index + width]
        after = tokens[index + width]
        following = tokens[index + width + 1] if index + width + 1 < len(tokens) else None
        if (tuple(token.type for token in window) == _PARTIAL_OPERATOR and str(window[2]) == "partial"
                and after.type == FUNC and (following is None or following.type != "_LPAR")):
            tokens = [*tokens[: index + 3], after, *tokens[index + 3 : index + width], *tokens[index + width + 1 :]]
            index += width
        index += 1
    return tokens


def _refuse_undefined_functions(tokens: list[Token], names: Names, context: _Context) -> None:
    """A letter used like a function without being defined is an error, not a product: ``f(x)``
    (f, g or h before a bracket) and ``u'(x)`` (primes and a bracket). Any other letter before a
    bracket multiplies: ``a(1 - a)``."""
    for index, token in enumerate(tokens):
        if token.type != VAR:
            continue
        following = [t.type for t in tokens[index + 1 : index + 3]]
        called = following[:1] == ["_LPAR"]
        primed_call = following == ["PRIMES", "_LPAR"]
        if (called and str(token) in FUNCTION_LETTERS and str(token) not in names.substituted) or primed_call:
            if str(token) in names.substituted and primed_call:
                raise ParseError(
                    f"write {token}' for the derivative of {token} with respect to {names.variable}, without an argument",
                    column=(token.start_pos or 0) + 1,
                )
            written = context.text[token.start_pos or 0 : token.end_pos or 0] or str(token)
            raise _unknown(written.lstrip("\\"), names, (token.start_pos or 0) + 1, context, end=token.end_pos or 0,
                           command=written.startswith("\\"))


def _subscripted(previous: Token | None, sub: Token, names: Names, context: _Context) -> Iterator[Token]:
    r"""A subscript joins the token before it: ``w_1`` is one letter, ``\log_2`` the logarithm to
    base 2, ``\partial_w`` the partial derivative with respect to w."""
    match = _SUBSCRIPT_INNER.match(str(sub))
    column = (sub.start_pos or 0) + 1
    partial_of = _PARTIAL_SUBSCRIPT.fullmatch(str(sub)) if previous is not None and previous.type == D else None
    if match is not None:
        script = match.group("braced") or match.group("single")
    elif partial_of is not None:  # \partial_{\theta_1}, \partial_{\hat{y}}: with respect to theta_1, yhat
        index = partial_of.group("index")
        accent = partial_of.group("accent")
        letter = (partial_of.group("accented") or partial_of.group("bare")) + ACCENTS[accent] if accent else partial_of.group("letter")
        script = letter + (f"_{index}" if index else "")
    else:
        raise ParseError("a subscript is one letter or digit, or up to 8 of them in braces: w_1, w_{12}", column=column)
    if len(script) > MAX_SUBSCRIPT:
        raise InputLimitError(f"subscript too long: at most {MAX_SUBSCRIPT} letters and digits", column=column)
    following = context.text[sub.end_pos or 0 : (sub.end_pos or 0) + 1]
    if match is not None and match.group("single") and script.isdigit() and following.isdigit() and previous is not None:
        # w_10 would be w_1 times 0 (as TeX sets it): a subscript of two digits needs braces
        number = script + re.match(r"\d+", context.text[sub.end_pos or 0 :]).group()  # type: ignore[union-attr]
        letter = context.text[previous.start_pos or 0 : previous.end_pos or 0] or str(previous)
        times = r" \cdot " if context.syntax == "latex" else "*"
        raise ParseError(f"write {letter}_{{{number}}} for the subscript {number} (braces around a subscript of "
                         f"more than one digit), or {letter}_{script}{times}{number[1:]} for a product", column=column)
    if previous is None:
        raise ParseError("a subscript belongs to a letter, as in w_1", column=column)
    start = previous.start_pos or 0
    end = sub.end_pos or 0
    if previous.type == VAR:
        name = f"{previous}_{script}"
        if not letter_name(name):
            raise ParseError(f"'{previous}' cannot take a subscript here: write w_1 or w_{{12}}", column=column)
        yield Token(VAR, name, start, 1, start + 1, 1, end + 1, end)
    elif previous.type == FUNC and str(previous) == "log":
        if not (script.isdigit() and int(script) > 1) and not letter_name(script):
            raise ParseError("the base of a logarithm is a whole number greater than 1 or a letter: \\log_2 x, \\log_b x",
                             column=column)
        yield Token(FUNC, f"log_{script}", start, 1, start + 1, 1, end + 1, end)
    elif previous.type == D and str(previous) == "partial" and letter_name(script):
        # \partial_w is \frac{\partial}{\partial w}: the grammar reads it as that operator
        at = sub.start_pos or 0  # the letter's token stands right after \partial, so it reads as ∂
        sequence = ((("_FRAC", "frac"), ("_LBRACE", "{"), (D, "partial"), ("_RBRACE", "}"), ("_LBRACE", "{"),
                     (D, "partial"), (VAR, script), ("_RBRACE", "}")) if context.syntax == "latex"
                    else ((D, "partial"), ("DIVIDE", "/"), (D, "partial"), (VAR, script)))
        for kind, value in sequence:
            position = at if kind == VAR else start
            yield Token(kind, value, position, 1, position + 1, 1, end + 1, end)
    elif previous.type == D and str(previous) == "partial":  # \partial_d, \partial_2, \partial_e
        raise ParseError(f"a derivative is taken with respect to a letter (\\partial_w L, ∂L/∂w), not '{script}'",
                         column=column)
    else:
        raise ParseError(f"a subscript belongs to a letter, as in w_1, not to '{previous}'", column=column)


def _names(tokens: Iterable[Token], names: Names, context: _Context) -> Iterator[Token]:
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
            # \operatorname{name}: one name as a whole, never a product of letters
            match = _OPNAME_INNER.search(str(token))
            assert match is not None  # the OPNAME pattern guarantees letters at the end
            word = match.group()
            known = names.words.get(word) or (("VAR", word) if letter_name(word) else None)
            if known is None:
                start = (token.start_pos or 0) + match.start()
                raise _unknown(word, names, start + 1, context, end=token.end_pos or 0)
            yield _token(known[0], known[1], token, match.start(), len(word))
        elif kind == "ACCENT":
            match = _ACCENT_INNER.match(str(token))
            assert match is not None  # the ACCENT pattern guarantees it
            letter = match.group("braced") or match.group("single")
            name = f"{letter}{ACCENTS.get(match.group('accent'), 'hat')}"
            if not letter_name(name):
                raise ParseError(f"an accent such as \\hat belongs to one letter: \\hat{{y}}, not '{str(token).strip()}'",
                                 column=(token.start_pos or 0) + 1)
            yield _token(VAR, name, token)
        elif kind == "ACCENTED":
            yield _token(VAR, _accented_name(str(token)), token)
        elif kind == "GREEK":
            yield _token(VAR, _greek_name(str(token)), token)
        elif kind == "PARTIAL":
            yield _token(D, "partial", token)
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
