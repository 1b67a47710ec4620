"""Reading a derivation (pass 1): each line becomes a definition, an unreadable line, a starting
expression, or the claims to prove, while the worker proves the claims of the lines before it.

:class:`Reading` is what the lines read so far established (the subject a ``= …`` line continues,
the student's definitions and names); :func:`plan_line` reads one line into a :class:`LinePlan`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sympy

from derive.checker.decide import Claim
from derive.errors import ParseError
from derive.expressions import Stated, rebuild
from derive.functions import variable as real_variable
from derive.parse import as_definition, as_substitution, parse_expression, parse_line
from derive.parse.prose import lead_in_blanked
from derive.model import Described
from derive.printing import to_latex, to_plain
from derive.verdicts import LineReport

#: A student's definition: what it defines (a function class for ``f(x) = ...`` and ``L(w, b) = ...``,
#: a letter for a substitution ``z = wx + b``), its parameters (none for a letter) and its body.
UserDefinition = tuple[Any, tuple[sympy.Symbol, ...], sympy.Expr]


@dataclass
class Reading:
    """What the lines read so far established: the subject that a ``= …`` line continues, the
    student's definitions, and the letters the lines have used."""

    functions: dict[str, Any]
    catalogue: dict[str, str]
    exercise: tuple[sympy.Expr, sympy.Expr] | None = None  # the exercise's function and its definition
    subject: sympy.Expr | None = None
    definitions: list[UserDefinition] = field(default_factory=list)
    unread_subject: int | None = None  # the line whose left side could not be read (the subject is unknown)
    #: letters that stand for an expression (``z = wx + b``)
    substituted: set[str] = field(default_factory=set)
    #: letters used on the lines read so far (a letter's first use as a left side is a substitution)
    taken: set[str] = field(default_factory=set)
    #: letters a line tried to let stand for an expression but could not be read (by line number)
    broken: dict[str, int] = field(default_factory=dict)
    #: the last right side read: what a '= ...' line rewrites
    last: sympy.Expr | None = None

    def vocabulary(self) -> dict[str, Any]:
        """What a parse of the next line needs to know of the lines before it."""
        return {"functions": self.functions, "catalogue": self.catalogue, "substituted": self.substituted}

    def use(self, *exprs: sympy.Basic | None) -> None:
        self.taken.update(symbol.name for expr in exprs if expr is not None for symbol in expr.free_symbols)


@dataclass(frozen=True, kw_only=True)
class LinePlan:
    """One line after reading: either its verdict already (``report``) or the claims to prove."""

    number: int
    source: str
    kind: str  # "report", "definition", "unparsed", "start" or "claims"
    report: LineReport | None = None
    parts: tuple[sympy.Expr, ...] = ()
    claims: tuple[Claim, ...] = ()
    continuation: bool = False
    previous_subject: sympy.Expr | None = None
    definitions: tuple[UserDefinition, ...] = ()


def plan_line(number: int, source: str, syntax: str, variable: str, state: Reading) -> LinePlan:
    """Read one line: a definition, an unreadable line, a starting expression, or claims to prove."""
    x = real_variable(variable)
    try:
        vocabulary = state.vocabulary()
        claimed = lead_in_blanked(source, frozenset(vocabulary.get("functions") or ()))  # "Let $u = …$", "so f(x) = …"
        definition = as_definition(claimed, syntax=syntax, variable=variable, **vocabulary)
        if definition is None:
            definition = as_substitution(claimed, syntax=syntax, variable=variable, taken=state.taken, **vocabulary)
        if definition is not None:
            if definition.substitution:
                target: Any = definition.symbol
                state.substituted.add(definition.name)
                state.subject = target
            else:
                target = sympy.Function(definition.name, parameters=definition.parameters)
                state.functions[definition.name] = target
                state.subject = target(*definition.parameters)
            state.unread_subject = None
            state.last = definition.body
            state.definitions.append((target, definition.parameters, definition.body))
            state.use(definition.body, *definition.parameters)
            state.taken.add(definition.name)
            # Is it the exercise's function, miscopied? Asked only of the first definition; whether it
            # matters (the student never names the exercise's function) is known once all lines are read.
            # A definition without the variable (L = (ŷ - y)^2/2) is a helper, never a miscopy.
            first = state.exercise is not None and len(state.definitions) == 1 and len(definition.parameters) <= 1
            at_variable = _at_the_variable(definition, x) if first else None
            compare = () if at_variable is None or x not in at_variable.free_symbols else (Claim(
                relation="=", left=at_variable, right=state.exercise[1], variable=x, diagnose=False),)
            message = _defines(definition.name, definition.parameters, definition.body, variable,
                               substitution=definition.substitution, in_variable=x in definition.body.free_symbols)
            return LinePlan(number=number, source=source, kind="definition", parts=(definition.body,), claims=compare,
                         definitions=tuple(state.definitions),
                         report=LineReport(line=number, source=source, status="correct", proved=True,
                                           relation="definition", message=message))
        # ':=' asserts a definition; for a name that is already defined (sigma) it is a claim to check.
        readable = source.replace(":=", " =").replace("\\coloneqq", "        =")
        line = parse_line(readable, syntax=syntax, variable=variable, **vocabulary)
    except ParseError as error:
        attempted = _ATTEMPTED_SUBSTITUTION.match(source)
        if attempted is not None and attempted.group(1) not in state.taken and attempted.group(1) != variable:
            state.broken[attempted.group(1)] = number
        _subject_of_unreadable_line(number, source, syntax, variable, state)
        return LinePlan(number=number, source=source, kind="unparsed", report=LineReport(
            line=number, source=source, status="unparsed", message=f"Cannot read this line: {error}",
            relation="not read", column=error.column))
    parts = list(line.parts)
    unusable = sorted({s.name for part in parts if part is not None for s in part.free_symbols} & set(state.broken))
    if unusable:
        name = unusable[0]
        return LinePlan(number=number, source=source, kind="unparsed", report=LineReport(
            line=number, source=source, status="unparsed", relation="not read",
            message=f"Cannot read this line: it uses {name}, which line {state.broken[name]} meant to define but "
                    "could not be read"))
    state.use(*parts)
    continuation = parts[0] is None
    previous_subject = state.subject
    if continuation:
        if state.subject is None:
            message = ("This line starts with '=' but there is no earlier line to continue." if state.unread_subject is None
                       else f"This line continues line {state.unread_subject}, whose left side could not be read.")
            return LinePlan(number=number, source=source, kind="report", report=LineReport(
                line=number, source=source, status="unparsed", relation="not read", message=message))
        parts[0] = state.subject
    else:
        state.subject, state.unread_subject = parts[0], None
    if len(parts) == 1:
        state.last = parts[0]
        return LinePlan(number=number, source=source, kind="start", parts=tuple(parts), report=LineReport(
            line=number, source=source, status="correct", proved=True, relation="start",
            message="The expression the derivation starts from (nothing to prove)."))
    claims = []
    for index, relation in enumerate(line.relations):
        # '=' relates neighbours; '≈' always compares with the exact start of the line, so that
        # rounding cannot drift along a chain (σ(1) ≈ 0.73 ≈ 0.7 ≈ 0.8 must fail at 0.8).
        left_index = 0 if relation == "≈" else index
        left, right = parts[left_index], parts[index + 1]
        decimals = []
        if relation == "≈":
            left, right, decimals = _placeholders(left, right, left_index, index + 1, line.decimals)
        claims.append(Claim(
            relation=relation, left=left, right=right, variable=x,
            definitions=tuple(state.definitions), subject=state.subject if continuation else None,
            previous=(state.last if index == 0 else parts[index]) if continuation else None,
            decimals=tuple(decimals),
        ))
    state.last = parts[-1]
    return LinePlan(number=number, source=source, kind="claims", parts=tuple(parts), claims=tuple(claims),
                 continuation=continuation, previous_subject=previous_subject, definitions=tuple(state.definitions))


def _subject_of_unreadable_line(number: int, source: str, syntax: str, variable: str, state: Reading) -> None:
    r"""What a following '= ...' line continues when this line cannot be read: its left side if
    that part can be read (σ'(x) in ``\sigma'(x) = ... \foo``), else nothing (not the chain before)."""
    left, equals, _ = source.partition("=")
    if not equals or not left.strip().strip("&").strip():
        return  # itself a continuation: the chain it continues goes on
    try:
        state.subject = parse_expression(left, syntax=syntax, variable=variable, **state.vocabulary())
        state.unread_subject = None
    except ParseError:
        state.subject, state.unread_subject = None, number


_ATTEMPTED_SUBSTITUTION = re.compile(r"\s*(?:&\s*)?(?:let\s+)?\$?([A-Za-z])\s*(?::=|=)", re.IGNORECASE)


def _at_the_variable(definition: Any, x: sympy.Symbol) -> sympy.Expr:
    """A definition's body as a function of the exercise's variable (f(t) = ... read at x)."""
    if definition.substitution or not definition.parameters:
        return definition.body
    return definition.body.xreplace({definition.parameters[0]: x})


def _placeholders(
    left: sympy.Expr, right: sympy.Expr, left_index: int, right_index: int, literals: tuple[Any, ...]
) -> tuple[sympy.Expr, sympy.Expr, list[Any]]:
    """Replace the decimal literals of the two compared parts by placeholder symbols."""
    sides, decimals = [left, right], []
    for literal in literals:
        if literal.part not in (left_index, right_index):
            continue
        placeholder = sympy.Dummy(f"decimal{len(decimals)}")
        side = 0 if literal.part == left_index else 1
        sides[side] = _replace_literal(sides[side], literal.value, placeholder)
        decimals.append((placeholder, literal.value, literal.radius))
    return sides[0], sides[1], decimals


def _replace_literal(expr: sympy.Expr, value: sympy.Rational, placeholder: sympy.Dummy) -> sympy.Expr:
    """Every occurrence of the number ``value``, rebuilt without evaluation (the tree stays as written)."""
    if expr == value:
        return placeholder
    if not expr.args:
        return expr
    return rebuild(expr, tuple(_replace_literal(arg, value, placeholder) for arg in expr.args))




def _defines(name: str, parameters: tuple[sympy.Symbol, ...], body: sympy.Expr, variable: str, *,
             substitution: bool, in_variable: bool) -> Described:
    """What a definition line says: "Defines f(x) = x^2 e^(3x)." or "Lets u stand for 1 + e^(-x)
    (a substitution: u' and du/dx are its derivative)." (the parenthesis only for a letter that
    depends on the variable), its formulas apart."""
    if substitution:
        if not in_variable:
            return Described("Lets ", sympy.Symbol(name), " stand for ", body, ".")
        letter, x = (to_latex(sympy.Symbol(shown)) for shown in (name, variable))
        return Described("Lets ", sympy.Symbol(name), " stand for ", body, " (a substitution: ",
                         Stated(f"{name}'", f"{letter}'"), " and ",
                         Stated(f"d{name}/d{variable}", rf"\frac{{d{letter}}}{{d{x}}}"), " are its derivative).")
    head = f"{name}({', '.join(map(str, parameters))})"
    head_latex = to_latex(sympy.Function(name)(*parameters)) if parameters else to_latex(sympy.Symbol(name))
    return Described("Defines ", Stated(f"{head} = {to_plain(body)}", f"{head_latex} = {to_latex(body)}"), ".")
