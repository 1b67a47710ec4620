"""Check a student's derivation line by line: safe parsing, proof in a killable worker, verdicts.

``check(text)`` returns a :class:`~derive.check.report.Report`. Semantics: every line asserts an
identity for all real x, with σ the standard logistic sigmoid and σ′, d/dx(...) the true
derivatives. A continuation line ``= B`` continues the chain that the last explicit left side
started, so after a wrong line the report can tell an error carried forward (the step itself
is valid) from a new error, and a line that is correct again.
"""

from __future__ import annotations

from collections.abc import Iterator
import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal
import time
from pathlib import Path
from typing import Any

import sympy

from derive.catalogue import lookup
from derive.check.decide import NEGATED, Claim, explain_negation
from derive.check.diagnose import NOT_THE_EXERCISE
from derive.check.reader import numbered_lines, read_submission
from derive.check.report import Counterexample, LineReport, Report
from derive.check.worker import (
    DEFAULT_FILE_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS, ProofWorker,
)
from derive.errors import InputError, ParseError
from derive.functions import check_variable_name
from derive.functions import variable as real_variable
from derive.parse import as_definition, as_substitution, detect_syntax, parse_expression, parse_line
from derive.printing import to_plain

__all__ = ["Report", "check", "check_file"]


@dataclass
class _Chain:
    """What the lines so far established.

    Reading the lines (pass 1) fixes the subject, the definitions and the names; judging them
    (pass 2, once the proofs are in) tracks the last right side, the last correct line and the
    line where an error started.
    """

    subject: sympy.Expr | None = None
    previous: sympy.Expr | None = None
    previous_line: int | None = None
    last_correct_line: int | None = None
    error_line: int | None = None
    definitions: list[tuple[Any, sympy.Symbol, sympy.Expr]] = field(default_factory=list)
    functions: dict[str, Any] = field(default_factory=dict)
    exercise: tuple[sympy.Expr, sympy.Expr] | None = None  # the exercise's function and its definition
    unread_subject: int | None = None  # the line whose left side could not be read (the subject is unknown)
    deadline: float | None = None  # when the time for the whole file runs out (time.monotonic())


@dataclass(frozen=True, kw_only=True)
class _Plan:
    """One line after reading: either its verdict already (``report``) or the claims to prove."""

    number: int
    source: str
    kind: str  # "report", "definition", "unparsed", "start" or "claims"
    report: LineReport | None = None
    parts: tuple[sympy.Expr, ...] = ()
    claims: tuple[Claim, ...] = ()
    continuation: bool = False
    previous_subject: sympy.Expr | None = None
    definitions: tuple[tuple[Any, sympy.Symbol, sympy.Expr], ...] = ()


def check(
    text: str,
    *,
    syntax: str | None = None,
    function: str = "sigmoid",
    variable: str = "x",
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    file_timeout: float = DEFAULT_FILE_TIMEOUT_SECONDS,
    worker: ProofWorker | None = None,
    name: str = "",
) -> Report:
    """Check every line of ``text`` (a whole derivation). Student text is never evaluated."""
    entry = lookup(function)  # the exercise's function must exist
    if syntax not in (None, "latex", "text"):
        raise InputError(f"unknown syntax '{syntax}': choose latex or text")
    check_variable_name(variable)
    check_timeout(timeout)
    check_timeout(file_timeout)
    deadline = time.monotonic() + file_timeout
    lines = numbered_lines(text)
    if not lines:
        raise InputError(f"{name or 'the input'} has no lines to check (only blank or comment lines)")
    chosen = syntax or detect_syntax("\n".join(source for _, source in lines))
    owned = worker is None
    worker = worker or ProofWorker(timeout=timeout)
    try:
        x = real_variable(variable)
        reading = _Chain(functions=catalogue_names(entry, variable), exercise=(entry.function(x), entry.definition(x)))
        plans: list[_Plan] = []
        claims: list[Claim] = []

        def planned_claims() -> Iterator[Claim]:
            # Lines are read while the worker proves the claims of the lines before them.
            for number, source in lines:
                plans.append(_plan_line(number, source, chosen, variable, reading))
                for claim in plans[-1].claims:
                    claims.append(claim)
                    yield claim

        results = worker.decide_all(planned_claims(), deadline=deadline)
        verdicts = dict(zip(map(id, claims), results))
        judging = _Chain(exercise=reading.exercise if not _mentions(plans, reading.exercise[0]) else None, deadline=deadline)
        reports = [_judge_line(plan, verdicts, judging, worker, x) for plan in plans]
    finally:
        if owned:
            worker.close()
    return Report(lines=tuple(reports), syntax=chosen, function=function, variable=variable, name=name)


def _mentions(plans: list[_Plan], function: sympy.Expr) -> bool:
    """Whether any line names the exercise's function (then a definition is a helper, such as u(x))."""
    kind = function.func if isinstance(function, sympy.Function) else None
    if kind is None:
        return False
    spelled = {kind.__name__, *(("σ",) if kind.__name__ == "sigma" else ())}
    return any(
        any(part is not None and part.has(kind) for part in plan.parts)
        or (plan.kind == "unparsed" and any(name in plan.source for name in spelled))  # named on a line not read
        for plan in plans if plan.kind != "definition"
    )


def check_timeout(timeout: float) -> None:
    """A time limit per line must be a number of seconds between 0.1 and one hour."""
    if not (isinstance(timeout, (int, float)) and MIN_TIMEOUT_SECONDS <= timeout <= MAX_TIMEOUT_SECONDS):
        raise InputError(f"the time limit per line must be between {MIN_TIMEOUT_SECONDS:g} and {MAX_TIMEOUT_SECONDS:g} seconds, not {timeout!r}")


def catalogue_names(entry: Any, variable: str) -> dict[str, Any]:
    """Names a student may use for the exercise's function (``softplus(x)``, ``silu'(x)``)."""
    from derive.functions import NamedFunction, sigma

    kind = type(entry.function(real_variable(variable)))
    if isinstance(kind, type) and issubclass(kind, NamedFunction) and kind is not sigma:
        return {entry.name: kind, **{alias: kind for alias in entry.aliases}}
    return {}


def check_file(path: Path, **options: Any) -> Report:
    return check(read_submission(path), name=str(path), **options)


def _plan_line(number: int, source: str, syntax: str, variable: str, state: _Chain) -> _Plan:
    """Read one line: a definition, an unreadable line, a starting expression, or claims to prove."""
    x = real_variable(variable)
    try:
        definition = as_definition(source, syntax=syntax, variable=variable, functions=state.functions)  # type: ignore[arg-type]
        if definition is None:
            definition = as_substitution(source, syntax=syntax, variable=variable, functions=state.functions)  # type: ignore[arg-type]
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
            return _Plan(number=number, source=source, kind="definition", parts=(definition.body,), claims=compare,
                         report=LineReport(line=number, source=source, status="correct", proved=True,
                                           relation="definition", message=message))
        # ':=' asserts a definition; for a name that is already defined (sigma) it is a claim to check.
        readable = source.replace(":=", " =").replace("\\coloneqq", "        =")
        line = parse_line(readable, syntax=syntax, variable=variable, functions=state.functions)  # type: ignore[arg-type]
    except ParseError as error:
        _subject_of_unreadable_line(number, source, syntax, variable, state)
        return _Plan(number=number, source=source, kind="unparsed", report=LineReport(
            line=number, source=source, status="unparsed", message=f"Cannot read this line: {error}",
            relation="not read", column=error.column))
    parts = list(line.parts)
    continuation = parts[0] is None
    previous_subject = state.subject
    if continuation:
        if state.subject is None:
            message = ("This line starts with '=' but there is no earlier line to continue." if state.unread_subject is None
                       else f"This line continues line {state.unread_subject}, whose left side could not be read.")
            return _Plan(number=number, source=source, kind="report", report=LineReport(
                line=number, source=source, status="unparsed", relation="not read", message=message))
        parts[0] = state.subject
    else:
        state.subject, state.unread_subject = parts[0], None
    if len(parts) == 1:
        return _Plan(number=number, source=source, kind="start", parts=tuple(parts), report=LineReport(
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
    return _Plan(number=number, source=source, kind="claims", parts=tuple(parts), claims=tuple(claims),
                 continuation=continuation, previous_subject=previous_subject, definitions=tuple(state.definitions))


def _subject_of_unreadable_line(number: int, source: str, syntax: str, variable: str, state: _Chain) -> None:
    r"""What a following '= ...' line continues when this line cannot be read: its left side if
    that part can be read (σ'(x) in ``\sigma'(x) = ... \foo``), else nothing (not the chain before)."""
    left, equals, _ = source.partition("=")
    if not equals or not left.strip().strip("&").strip():
        return  # itself a continuation: the chain it continues goes on
    try:
        state.subject = parse_expression(left, syntax=syntax, variable=variable, functions=state.functions)  # type: ignore[arg-type]
        state.unread_subject = None
    except ParseError:
        state.subject, state.unread_subject = None, number


def _judge_line(plan: _Plan, verdicts: dict[int, dict[str, Any]], state: _Chain, worker: ProofWorker,
                x: sympy.Symbol) -> LineReport:
    """The verdict on one line, from its proofs and what the earlier lines established."""
    if plan.kind == "definition":
        state.previous, state.previous_line = plan.parts[0], plan.number
        state.last_correct_line = plan.number
        if plan.claims and state.exercise is not None and plan.report is not None:
            verdict = verdicts[id(plan.claims[0])]
            if "error" not in verdict and not verdict["holds"]:
                function, definition = (to_plain(expr) for expr in state.exercise)
                return dataclasses.replace(
                    plan.report, diagnosis_key=NOT_THE_EXERCISE.key,
                    diagnosis=f"This is not the exercise's function {function} = {definition}; the lines below are "
                    "checked for the function as defined here. " + NOT_THE_EXERCISE.explanation,
                )
    elif plan.kind == "unparsed":
        state.error_line = state.error_line or plan.number
        # What this line said is unknown, so no later line can be "carried forward" from it.
        state.previous, state.previous_line = None, plan.number
    elif plan.kind == "start":
        state.previous, state.previous_line = plan.parts[0], plan.number
    if plan.report is not None:
        return plan.report
    decided = []
    for claim in plan.claims:
        verdict = verdicts[id(claim)]
        decided.append((claim, verdict))
        if "error" in verdict or not verdict["holds"]:
            break
    return _line_report(plan.number, plan.source, list(plan.parts), decided, state, worker, x,
                        continuation_line=plan.continuation, previous_subject=plan.previous_subject,
                        definitions=plan.definitions)


def _line_report(number: int, source: str, parts: list[sympy.Expr], verdicts: list[tuple[Claim, dict[str, Any]]],
                 state: _Chain, worker: ProofWorker, x: sympy.Symbol, *, continuation_line: bool,
                 previous_subject: sympy.Expr | None, definitions: tuple[Any, ...]) -> LineReport:
    claim, last = verdicts[-1]
    previous_line, previous = state.previous_line, state.previous
    state.previous, state.previous_line = parts[-1], number
    if "error" in last:
        state.error_line = state.error_line or number
        state.previous = None
        return LineReport(line=number, source=source, status="unparsed", relation="not decided",
                          message=f"Could not check this line: {last['error']}.")
    # A number-valued left side that is not the quantity the lines before were about (σ(1) ≈ 0.7311
    # after σ'(0) = 1/4) starts a new claim: it neither follows from them nor carries their errors.
    new_claim = (previous_line is not None and not continuation_line and previous_subject is not None
                 and parts[0] != previous_subject and not (parts[0].has(x) and previous_subject.has(x)))
    if last["holds"]:
        proved = all(verdict.get("proved") for _, verdict in verdicts)
        if new_claim:
            relation = "new claim"
            state.error_line = None
        elif state.error_line is not None:
            relation = (f"correct again (agrees with line {state.last_correct_line})" if state.last_correct_line
                        else f"correct (after the error on line {state.error_line})")
            state.error_line = None
        else:
            relation = f"follows from line {previous_line}" if previous_line is not None else "first line"
        state.last_correct_line = number
        if any(claim.relation == "≈" for claim, _ in verdicts):
            message = "Correct: the exact value lies in the interval that the written numbers span."
        elif proved:
            message = "Correct: proved symbolically."
        else:
            message = "Correct as far as derive can tell: checked numerically at random points, but not proved symbolically."
        return LineReport(line=number, source=source, status="correct", proved=proved, relation=relation, message=message)
    counterexample = _counterexample(last)
    message = _wrong_message(claim, last)
    diagnosis = last.get("diagnosis")
    if diagnosis and diagnosis[0] == NEGATED:
        diagnosis = explain_negation(claim.right)
    if new_claim:
        relation = "new claim"
        state.error_line = number
    elif state.error_line is None:
        relation = f"does not follow from line {previous_line}" if previous_line is not None else "first line"
        state.error_line = number
    else:
        claims = [(previous, parts[-1])]
        if not continuation_line and previous_subject is not None:
            claims.append((previous_subject, parts[0]))  # a new left side must still be the same quantity
        carried = previous is not None and all(
            worker.decide(Claim(relation="=", left=left, right=right, variable=x, definitions=definitions,
                                diagnose=False), deadline=state.deadline).get("holds", False)
            for left, right in claims
        )
        believed = _under_wrong_definition(parts, previous_subject, previous, x, continuation_line)
        if not carried and believed is not None:
            # σ(x) = 1/(1 - e^(-x)) (wrong), then σ'(x) = the derivative of that: right for what the student believed.
            carried = worker.decide(Claim(relation="=", left=believed[0], right=believed[1], variable=x,
                                          definitions=definitions, diagnose=False), deadline=state.deadline).get("holds", False)
        if carried:
            relation = f"consistent with wrong line {previous_line} (error carried forward)"
            message += f" The step from line {previous_line} is valid: the error comes from line {state.error_line}."
            diagnosis = None
        else:
            relation = f"new error: does not follow from line {previous_line}"
    return LineReport(
        line=number, source=source, status="wrong", relation=relation, message=message, counterexample=counterexample,
        diagnosis=diagnosis[1] if diagnosis else None, diagnosis_key=diagnosis[0] if diagnosis else None,
    )


def _under_wrong_definition(parts: list[sympy.Expr], subject: sympy.Expr | None, value: sympy.Expr | None,
                            x: sympy.Symbol, continuation: bool) -> tuple[sympy.Expr, sympy.Expr] | None:
    """The line's two sides as the student believed them, when the wrong line before it stated a
    function (``σ(x) = 1/(1 - e^(-x))``) and this line is about that function (``σ'(x) = ...``):
    the function replaced by what the wrong line said it is. None when that does not apply."""
    if continuation or subject is None or value is None or len(parts) < 2:
        return None
    if not (isinstance(subject, sympy.Function) and subject.args == (x,) and parts[0].has(subject.func)):
        return None
    kind = subject.func

    def believe(expr: sympy.Expr) -> sympy.Expr:
        return expr.replace(lambda node: isinstance(node, kind) and len(node.args) == 1,
                            lambda node: value.xreplace({x: node.args[0]}))

    return believe(parts[0]), believe(parts[-1])


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


def _literal(value: sympy.Rational, radius: sympy.Rational) -> sympy.Symbol:
    """A decimal literal as the student wrote it (0.70 stays 0.70), for messages only."""
    places = len(str(radius.q)) - 1  # radius = 1/(2·10^d), and 2·10^d has d + 1 digits
    exact = Decimal(int(value.p)) / Decimal(int(value.q))
    return sympy.Symbol(str(exact.quantize(Decimal(1).scaleb(-places))))


def _replace_literal(expr: sympy.Expr, value: sympy.Rational, placeholder: sympy.Dummy) -> sympy.Expr:
    """Every occurrence of the number ``value``, rebuilt without evaluation (the tree stays as written)."""
    if expr == value:
        return placeholder
    if not expr.args:
        return expr
    from derive.algebra import rebuild

    return rebuild(expr, tuple(_replace_literal(arg, value, placeholder) for arg in expr.args))


def _counterexample(verdict: dict[str, Any]) -> Counterexample | None:
    found = verdict.get("counterexample")
    if not found:
        return None
    x, left, right = found
    return Counterexample(x=x, left=left, right=right)


def _wrong_message(claim: Claim, verdict: dict[str, Any]) -> str:
    if "message" in verdict:
        return f"Cannot check this approximation: {verdict['message']}."
    found = verdict.get("counterexample")
    written = {placeholder: _literal(value, radius) for placeholder, value, radius in claim.decimals}
    left, right = to_plain(claim.left.xreplace(written)), to_plain(claim.right.xreplace(written))
    if claim.relation == "≈" and found:
        def value(expr: str, shown: str, verb: str) -> str:
            return f"{expr} {verb} {shown}" if shown[0] in "[(" else f"{expr} = {shown}"

        hint = ("; a whole number is exact: to mean 'about', give decimals (1.0 stands for [0.95, 1.05])"
                if claim.right.is_Integer or claim.left.is_Integer else "")
        return (f"Not a correct approximation: {value(left, found[1], 'lies in')}, but {value(right, found[2], 'stands for')} "
                f"(a decimal stands for the numbers that round to it{hint}).")
    if found:
        x, left_value, right_value = found
        if not (claim.left.has(claim.variable) or claim.right.has(claim.variable)):
            return f"Not equal: {left} = {left_value} but {right} = {right_value}."
        return f"Not an identity: at {claim.variable} = {x}, {left} = {left_value} but {right} = {right_value}."
    return f"Not an identity: {left} and {right} are not both defined at any test point."
