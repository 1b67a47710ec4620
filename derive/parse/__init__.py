r"""Safe parsing of untrusted student input (plain text or a LaTeX subset) into SymPy.

Nothing here evaluates student text: two Lark LALR grammars (linear time) read it, a whitelist
turns names into the variable, e, π, σ and known functions, and one transformer builds SymPy
with ``evaluate=False``. Safety bounds (see :mod:`derive.parse.limits`) raise
:class:`~derive.errors.InputLimitError`; every other failure is a :class:`~derive.errors.ParseError`
with a 1-based column.

Reading conventions (both syntaxes):

* ``^`` is right-associative and binds tighter than unary minus: ``-x^2`` is ``-(x^2)``;
  implicit multiplication binds tighter than ``/``: ``1/2x`` is ``1/(2x)``.
* ``e`` is Euler's number, ``e^{a}`` is ``exp(a)``; ``log`` and ``ln`` are the natural log.
* A bare ``σ`` (not followed by ``(``) means ``σ(x)``; ``σ(1-σ)`` — parentheses holding a bare
  ``σ`` — is the product ``σ(x)·(1-σ(x))``, while ``σ(1-σ(x))`` is a composition.
* ``σ'(x)`` is ``Derivative(σ(x), x)``; at any other argument, ``σ'(a)`` is
  ``Subs(Derivative(σ(u), u), u, a)`` — never the formula the student has to prove.
* ``σ^{(n)}(x)`` (also ``sigma^(n)(x)``), a whole number in parentheses as a function's
  superscript, is the n-th derivative, read exactly like n primes; ``σ^{2}(x)`` is a power.
* Numbers stay exact: ``0.7311`` is ``Rational(7311, 10000)``; see :class:`DecimalLiteral`.

Pass ``syntax`` (from :func:`detect_syntax` on the whole file) so that every line of a file is
read the same way; without it each text is detected on its own.

>>> parse_expression(r"\frac{e^{-x}}{(1+e^{-x})^{2}}")
exp(-x)/((1 + exp(-x))**2)
>>> line = parse_line(r"\sigma(1) \approx 0.7311")
>>> line.relations, line.decimals[0].value, line.decimals[0].digits
(('≈',), 7311/10000, 4)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import sympy

from derive.errors import ParseError
from derive.functions import variable as real_variable

from .build import Built, LineParts
from .parser import Syntax, run
from .limits import check_length
from .names import check_variable_name, letter_name, make_names

__all__ = [
    "DecimalLiteral",
    "Definition",
    "Line",
    "Relation",
    "Syntax",
    "as_definition",
    "as_substitution",
    "check_variable_name",
    "detect_syntax",
    "parse_expression",
    "parse_line",
    "read_expression",
]

Relation = Literal["=", "≈"]

_LATEX_MARKS = re.compile(r"\\[A-Za-z]|\\[,;:! \\\[\]()]|\^\{|[{}$]")


@dataclass(frozen=True, kw_only=True)
class DecimalLiteral:
    """A decimal literal as written: ``0.7311`` is ``value=7311/10000, digits=4``.

    ``value`` is exact and is the very number the expression contains; a minus written directly
    before the literal is part of it (``1 - 0.7311`` and ``-0.7311`` hold ``-7311/10000``). For an
    ``≈`` line the literal stands for the interval ``value ± radius``, ``radius = ½·10^(−digits)``.
    ``part`` is the index in :attr:`Line.parts` of the expression the literal belongs to;
    ``column`` is 1-based and points at the digits.
    """

    value: sympy.Rational
    digits: int
    part: int
    column: int

    @property
    def radius(self) -> sympy.Rational:
        """Half a unit in the last written place: ``0.7311`` → ``1/20000``."""
        return sympy.Rational(1, 2 * 10**self.digits)


@dataclass(frozen=True, kw_only=True)
class Line:
    """One line of a derivation: ``A = B ≈ C``, or a continuation ``= B`` (``parts[0] is None``).

    ``relations[i]`` relates ``parts[i]`` and ``parts[i+1]``. ``decimals`` lists every decimal
    literal (a number written with a decimal point) left to right; integers are never listed.
    """

    parts: tuple[sympy.Expr | None, ...]
    relations: tuple[Relation, ...]
    decimals: tuple[DecimalLiteral, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Definition:
    """``NAME(x) = body`` or ``L(w, b) = body``: a line that defines a new function; or, with
    ``substitution``, ``u = body`` (``z = wx + b``): a letter that stands for an expression and is
    written without arguments afterwards (``u``, ``u'``, ``du/dx``, ``∂L/∂z``)."""

    name: str
    parameters: tuple[sympy.Symbol, ...]
    body: sympy.Expr
    substitution: bool = False

    @property
    def parameter(self) -> sympy.Symbol:
        """The first (for most definitions, the only) parameter."""
        return self.parameters[0]

    @property
    def symbol(self) -> sympy.Symbol:
        """The letter a substitution defines."""
        return sympy.Symbol(self.name, real=True)


def detect_syntax(text: str) -> Syntax:
    r"""``"latex"`` when the text has backslash commands, ``^{`` or braces, else ``"text"``.

    Call it on a whole file so that every line of it is read the same way.

    >>> detect_syntax(r"\sigma'(x) = \sigma(x)(1-\sigma(x))"), detect_syntax("exp(-x)")
    ('latex', 'text')
    """
    return "latex" if _LATEX_MARKS.search(text) else "text"


def parse_expression(text: str, **options: Any) -> sympy.Expr:
    """Parse one expression (no ``=``): :func:`read_expression` (the same options: ``syntax``,
    ``variable``, ``functions`` adds allowed names, e.g. ``{"f": f}``, ``catalogue``,
    ``substituted``, ``definitions``), the expression alone."""
    return read_expression(text, **options)[0]


def read_expression(
    text: str,
    *,
    syntax: Syntax | None = None,
    variable: str = "x",
    functions: Mapping[str, sympy.FunctionClass] | None = None,
    catalogue: Mapping[str, str] | None = None,
    substituted: Iterable[str] = (),
    definitions: bool = True,
) -> tuple[sympy.Expr, bool]:
    """Parse one expression (no ``=``), and tell whether the text writes a number with a decimal
    point (``x^1.5``, ``0.5*x^2``): its derivation is then written in decimals too.
    ``functions`` adds allowed names, e.g. ``{"f": f}``; ``definitions=False``: the text is all
    there is (``derive diff``), no line of it can define a function, and an unknown function's
    message lists the known ones instead.

    >>> read_expression("0.5*x^2")
    (x**2/2, True)
    """
    symbol = real_variable(variable)
    parsed = run(
        text,
        syntax=syntax or detect_syntax(text),
        start="start_expr",
        names=make_names(variable, functions, catalogue, substituted, definitions=definitions),
        variable=symbol,
    )
    assert isinstance(parsed.result, Built)
    return parsed.result.expr, any(not seen.value.is_Integer for seen in parsed.decimals)


def parse_line(
    text: str,
    *,
    syntax: Syntax | None = None,
    variable: str = "x",
    functions: Mapping[str, sympy.FunctionClass] | None = None,
    catalogue: Mapping[str, str] | None = None,
    substituted: Iterable[str] = (),
) -> Line:
    r"""Parse a line ``A = B``, a chain ``A = B \approx C``, a continuation ``= B`` or a lone ``A``.

    Alignment marks (``&``, ``\\``, ``\quad``), a trailing ``.`` or ``,`` and comments (LaTeX ``%``,
    plain-text ``#``) are ignored, and so are ``\tag{..}``, ``\label{..}``, ``\notag`` and, at the
    end of a line, a note ``\text{...}`` or a ``\checkmark``/``\qed`` (see :func:`~.parser.clean`).

    Remembered (the last :data:`LINES_REMEMBERED` lines read, with the names they were read with):
    a line read again, as a live checker sends it after every pause, is not parsed again. The
    result is a frozen :class:`Line` of immutable trees, so sharing it is safe.
    """
    try:
        return _remembered_line(text, syntax, variable, None if functions is None else tuple(functions.items()),
                                None if catalogue is None else tuple(catalogue.items()), frozenset(substituted))
    except TypeError:  # a name bound to something unhashable: read it afresh
        return _read_line(text, syntax, variable, functions, catalogue, substituted)


#: How many lines :func:`parse_line` remembers.
LINES_REMEMBERED = 2048


@lru_cache(maxsize=LINES_REMEMBERED)
def _remembered_line(text: str, syntax: Syntax | None, variable: str, functions: tuple[tuple[str, Any], ...] | None,
                     catalogue: tuple[tuple[str, str], ...] | None, substituted: frozenset[str]) -> Line:
    return _read_line(text, syntax, variable, None if functions is None else dict(functions),
                      None if catalogue is None else dict(catalogue), substituted)


def _read_line(text: str, syntax: Syntax | None, variable: str, functions: Mapping[str, sympy.FunctionClass] | None,
               catalogue: Mapping[str, str] | None, substituted: Iterable[str]) -> Line:
    symbol = real_variable(variable)
    parsed = run(
        text,
        syntax=syntax or detect_syntax(text),
        start="start_line",
        names=make_names(variable, functions, catalogue, substituted),
        variable=symbol,
    )
    chain = parsed.result
    assert isinstance(chain, LineParts)
    relation_starts = [token.start_pos or 0 for token in chain.relations]
    decimals = tuple(
        DecimalLiteral(
            value=seen.value,
            digits=seen.digits,
            part=sum(start < seen.start for start in relation_starts),
            column=seen.start + 1,
        )
        for seen in parsed.decimals
    )
    return Line(
        parts=tuple(None if part is None else part.expr for part in chain.parts),
        relations=tuple("=" if str(token) == "=" else "≈" for token in chain.relations),
        decimals=decimals,
    )


_DEFINITION = re.compile(
    r"\s*(?:&\s*)?"
    r"(?:\\(?:operatorname|mathrm)\s*\{\s*(?P<braced>[A-Za-z]+)\s*\}|\\?(?P<plain>[A-Za-z]+))"
    r"\s*(?:\\left\s*)?\(\s*(?P<parameters>[^()=]{1,120}?)\s*(?:\\right\s*)?\)"
    r"\s*(?:&\s*)?(?::=|\\coloneqq|=)"
)


_SUBSTITUTION = re.compile(
    r"\s*(?:&\s*)?(?:(?:\\text\s*\{\s*)?(?P<word>let|set|put|where|with)\b\s*\}?\s*)?"
    r"(?P<left>[^=:]{1,40}?)\s*(?:&\s*)?(?::=|\\coloneqq|=)",
    re.IGNORECASE,
)


def _letter_of(text: str, syntax: Syntax, variable: str, functions: Mapping[str, sympy.FunctionClass] | None,
               catalogue: Mapping[str, str] | None) -> sympy.Symbol | None:
    """The letter that ``text`` is, or None (``w_1``, ``\\hat{y}``, ``\\beta``: a letter; ``2a`` is not)."""
    try:
        expr = parse_expression(text, syntax=syntax, variable=variable, functions=functions, catalogue=catalogue)
    except ParseError:
        return None
    return expr if isinstance(expr, sympy.Symbol) else None


def as_substitution(
    text: str,
    *,
    syntax: Syntax | None = None,
    variable: str = "x",
    functions: Mapping[str, sympy.FunctionClass] | None = None,
    catalogue: Mapping[str, str] | None = None,
    substituted: Iterable[str] = (),
    taken: Iterable[str] = (),
) -> Definition | None:
    r"""Read ``u = 1 + e^{-x}``, ``z = wx + b`` (also ``Let u = ...``, ``\text{where } u := ...``) as a
    substitution: the letter stands for the expression from now on.

    Returns ``None`` unless the line is exactly ``LETTER = expression`` for a letter whose first
    use this is: not the variable, not one of the ``substituted`` letters, not a letter of
    ``taken`` (used on an earlier line), not ``e``, ``d`` or a function. With a word before it
    (``Let u =``), a letter that is already a substitution gets a new meaning. The expression may
    not contain the letter itself (``z = z + 1`` raises :class:`ParseError`); a body that does not
    parse raises :class:`ParseError`.
    """
    check_length(text)
    match = _SUBSTITUTION.match(text)
    if match is None:
        return None
    syntax = syntax or detect_syntax(text)
    substituted = frozenset(substituted)
    letter = _letter_of(match.group("left"), syntax, variable, functions, catalogue)
    if letter is None:
        return None
    name = letter.name
    redefined = match.group("word") is not None and name in substituted
    names = make_names(variable, functions, catalogue, substituted)
    if (names.is_known(name) or name in set(taken)) and not redefined:
        return None
    body = " " * match.end() + text[match.end() :]  # keep columns
    line = parse_line(body, syntax=syntax, variable=variable, functions=functions, catalogue=catalogue,
                      substituted=substituted - {name})
    if line.relations or line.parts[0] is None:
        return None
    if line.parts[0].has(letter):
        column = next((m.start() + 1 for m in re.finditer(re.escape(name), body)), match.end() + 1)
        raise ParseError(f"'{name}' cannot stand for an expression that contains '{name}' itself", column=column)
    return Definition(name=name, parameters=(), body=line.parts[0], substitution=True)


def as_definition(
    text: str,
    *,
    syntax: Syntax | None = None,
    variable: str = "x",
    functions: Mapping[str, sympy.FunctionClass] | None = None,
    catalogue: Mapping[str, str] | None = None,
    substituted: Iterable[str] = (),
) -> Definition | None:
    r"""Read ``f(x) = \tanh(x)``, ``f(x) = a x^2 + \sin(kx)``, ``L(w, b) = ...`` (also ``:=``,
    ``\operatorname{g}(x)``) as the definition of a function.

    Returns ``None`` unless the line is exactly ``NAME(letters) = expression`` with a ``NAME``
    that means nothing yet (not a built-in such as ``sin`` or ``\sigma``, not ``e``, ``pi``, ``d``,
    not the variable, not one of ``functions``) and distinct letters as its parameters. The body is
    parsed with ``functions`` (so it cannot refer to ``NAME`` itself); a body that does not parse
    raises :class:`ParseError`. Whether to use the definition is the caller's decision.
    """
    check_length(text)
    match = _DEFINITION.match(text)
    if match is None:
        return None
    name = match.group("braced") or match.group("plain")
    syntax = syntax or detect_syntax(text)
    names = make_names(variable, functions, catalogue, substituted)
    if names.is_known(name) or (len(name) == 1 and name in frozenset(substituted)) or not letter_name(name) and len(name) == 1:
        return None
    parameters = []
    for written in match.group("parameters").split(","):
        letter = _letter_of(written, syntax, variable, functions, catalogue)
        if letter is None or letter in parameters:
            return None
        parameters.append(letter)
    body = " " * match.end() + text[match.end() :]  # keep columns
    line = parse_line(body, syntax=syntax, variable=variable, functions=functions, catalogue=catalogue,
                      substituted=substituted)
    if line.relations:
        return None
    body_expr = line.parts[0]
    assert body_expr is not None
    return Definition(name=name, parameters=tuple(parameters), body=body_expr)
