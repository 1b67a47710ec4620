"""Reading a derivation (pass 1): each line becomes a definition, an unreadable line, a starting
expression, or the claims to prove, while the worker proves the claims of the lines before it.

:class:`Reading` is what the lines read so far established (the subject a ``= …`` line continues,
the student's definitions and names); :func:`plan_line` reads one line into a :class:`LinePlan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy

from derive.checker.decide import Claim
from derive.errors import ParseError
from derive.expressions import rebuild
from derive.functions import variable as real_variable
from derive.parse import as_definition, as_substitution, parse_expression, parse_line
from derive.printing import to_plain
from derive.verdicts import LineReport

#: A student's definition: the function it names, its parameter and its body.
UserDefinition = tuple[Any, sympy.Symbol, sympy.Expr]


@dataclass
class Reading:
    """What the lines read so far established: the subject that a ``= …`` line continues, the
    student's definitions and the names they introduced."""

    functions: dict[str, Any]
    catalogue: dict[str, str]
    exercise: tuple[sympy.Expr, sympy.Expr] | None = None  # the exercise's function and its definition
    subject: sympy.Expr | None = None
    definitions: list[UserDefinition] = field(default_factory=list)
    unread_subject: int | None = None  # the line whose left side could not be read (the subject is unknown)


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
        definition = as_definition(source, syntax=syntax, variable=variable, functions=state.functions, catalogue=state.catalogue)  # type: ignore[arg-type]
        if definition is None:
            definition = as_substitution(source, syntax=syntax, variable=variable, functions=state.functions, catalogue=state.catalogue)  # type: ignore[arg-type]
        if definition is not None:
            kind = "substitution" if definition.substitution else "function"
            function = sympy.Function(definition.name, substitution=True) if definition.substitution else sympy.Function(definition.name)
            state.functions[definition.name] = function
            state.definitions.append((function, definition.parameter, definition.body))
            state.subject, state.unread_subject = function(x), None
            # Is it the exercise's function, miscopied? Asked only of the first definition; whether it
            # matters (the student never names the exercise's function) is known once all lines are read.
            compare = () if state.exercise is None or len(state.definitions) > 1 else (Claim(
                relation="=", left=definition.body.xreplace({definition.parameter: x}), right=state.exercise[1],
                variable=x, diagnose=False),)
            message = (
                f"Lets {definition.name} stand for {to_plain(definition.body)} (a substitution: "
                f"{definition.name}' and d{definition.name}/d{variable} are its derivative)."
                if kind == "substitution" else f"Defines {definition.name}({variable}) = {to_plain(definition.body)}."
            )
            return LinePlan(number=number, source=source, kind="definition", parts=(definition.body,), claims=compare,
                         definitions=tuple(state.definitions),
                         report=LineReport(line=number, source=source, status="correct", proved=True,
                                           relation="definition", message=message))
        # ':=' asserts a definition; for a name that is already defined (sigma) it is a claim to check.
        readable = source.replace(":=", " =").replace("\\coloneqq", "        =")
        line = parse_line(readable, syntax=syntax, variable=variable, functions=state.functions, catalogue=state.catalogue)  # type: ignore[arg-type]
    except ParseError as error:
        _subject_of_unreadable_line(number, source, syntax, variable, state)
        return LinePlan(number=number, source=source, kind="unparsed", report=LineReport(
            line=number, source=source, status="unparsed", message=f"Cannot read this line: {error}",
            relation="not read", column=error.column))
    parts = list(line.parts)
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
            decimals=tuple(decimals),
        ))
    return LinePlan(number=number, source=source, kind="claims", parts=tuple(parts), claims=tuple(claims),
                 continuation=continuation, previous_subject=previous_subject, definitions=tuple(state.definitions))


def _subject_of_unreadable_line(number: int, source: str, syntax: str, variable: str, state: Reading) -> None:
    r"""What a following '= ...' line continues when this line cannot be read: its left side if
    that part can be read (σ'(x) in ``\sigma'(x) = ... \foo``), else nothing (not the chain before)."""
    left, equals, _ = source.partition("=")
    if not equals or not left.strip().strip("&").strip():
        return  # itself a continuation: the chain it continues goes on
    try:
        state.subject = parse_expression(left, syntax=syntax, variable=variable, functions=state.functions, catalogue=state.catalogue)  # type: ignore[arg-type]
        state.unread_subject = None
    except ParseError:
        state.subject, state.unread_subject = None, number


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


