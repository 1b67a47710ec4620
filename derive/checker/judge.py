"""Judging a derivation (pass 2): the verdict on each line from its proofs and the lines before it.

:class:`Judging` follows the chain of equalities: the last right side, the last correct line and
the line where an error started, so that a line can be told to follow from the one before, to
carry an earlier error forward, to be a new error, or to be correct again.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal, localcontext

import sympy

from derive.checker.conclusion import structure_key
from derive.checker.decide import NEGATED, Claim, Verdict, expand_user_definitions, explain_negation
from derive.checker.diagnose import NOT_THE_EXERCISE
from derive.checker.plan import LinePlan, UserDefinition
from derive.checker.worker import ProofWorker
from derive.expressions import Stated
from derive.model import Described, listed
from derive.printing import to_latex, to_plain
from derive.verdicts import Counterexample, LineReport


@dataclass
class Judging:
    """What the lines judged so far established."""

    exercise: tuple[sympy.Expr, sympy.Expr] | None = None  # to compare a first definition with (a miscopy)
    #: the exercise as named, (f(x), its definition): a first line that only restates it is no step
    given: tuple[sympy.Expr, sympy.Expr] | None = None
    deadline: float | None = None  # when the time for the whole file runs out (time.monotonic())
    previous: sympy.Expr | None = None
    previous_line: int | None = None
    last_correct_line: int | None = None
    error_line: int | None = None
    #: What ``error_line`` is: a "wrong" line, or one that was "not read" or "not decided" (no
    #: mathematical error: the next correct line is not "correct again").
    error_kind: str = "wrong"
    #: what the wrong lines so far said: their subject (σ'(x), u') and the value they gave it, which
    #: a later line may use validly ("error carried forward": a wrong u' put into the chain rule)
    beliefs: dict[sympy.Expr, sympy.Expr] = dataclasses.field(default_factory=dict)
    belief_line: int | None = None  # the last line that added one


def judge_line(plan: LinePlan, verdicts: dict[int, Verdict], state: Judging, worker: ProofWorker,
                x: sympy.Symbol) -> LineReport:
    """The verdict on one line, from its proofs and what the earlier lines established."""
    if plan.kind == "definition":
        state.previous, state.previous_line = plan.parts[0], plan.number
        state.last_correct_line = plan.number
        if plan.claims and state.exercise is not None and plan.report is not None:
            verdict = verdicts[id(plan.claims[0])]
            if verdict.decided and not verdict.holds:
                return dataclasses.replace(
                    plan.report, diagnosis_key=NOT_THE_EXERCISE.key,
                    diagnosis=Described("This is not the exercise's function ", sympy.Eq(*state.exercise, evaluate=False),
                                        "; the lines below are checked for the function as defined here. ",
                                        NOT_THE_EXERCISE.explanation),
                )
    elif plan.kind == "unparsed":
        if state.error_line is None:
            state.error_line, state.error_kind = plan.number, "not read"
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
        if not verdict.decided or not verdict.holds:
            break
    return _line_report(plan.number, plan.source, list(plan.parts), decided, state, worker, x,
                        continuation_line=plan.continuation, previous_subject=plan.previous_subject,
                        definitions=plan.definitions)


def _restates(parts: list[sympy.Expr], given: tuple[sympy.Expr, sympy.Expr] | None) -> bool:
    """Whether a line is the exercise's definition written out, f(x) = its body as given (up to the
    order of terms and factors): that claims nothing a student derived."""
    return (given is not None and len(parts) == 2 and parts[0] == given[0]
            and structure_key(parts[1]) == structure_key(given[1]))


def _line_report(number: int, source: str, parts: list[sympy.Expr], verdicts: list[tuple[Claim, Verdict]],
                 state: Judging, worker: ProofWorker, x: sympy.Symbol, *, continuation_line: bool,
                 previous_subject: sympy.Expr | None, definitions: tuple[UserDefinition, ...]) -> LineReport:
    claim, last = verdicts[-1]
    previous_line, previous = state.previous_line, state.previous
    state.previous, state.previous_line = parts[-1], number
    if not last.decided:
        if state.error_line is None:
            state.error_line, state.error_kind = number, "not decided"
        state.previous = None
        return LineReport(line=number, source=source, status="unparsed", relation="not decided",
                          message=f"derive could not decide this line: {last.error}.")
    # A number-valued left side that is not the quantity the lines before were about (σ(1) ≈ 0.7311
    # after σ'(0) = 1/4) starts a new claim: it neither follows from them nor carries their errors.
    new_claim = (previous_line is not None and not continuation_line and previous_subject is not None
                 and parts[0] != previous_subject and not (parts[0].has(x) and previous_subject.has(x)))
    if last.holds:
        proved = all(verdict.proved for _, verdict in verdicts)
        if new_claim:
            relation = "new claim"
            state.error_line = None
        elif state.error_line is not None and state.error_kind != "wrong":
            what = "could not be read" if state.error_kind == "not read" else "could not be decided"
            relation = f"correct (line {state.error_line} {what})"
            state.error_line = None
        elif state.error_line is not None:
            relation = (f"correct again (agrees with line {state.last_correct_line})" if state.last_correct_line
                        else f"correct (after the error on line {state.error_line})")
            state.error_line = None
        elif previous_line is None and _restates(parts, state.given):
            relation = "restates the exercise"  # f(x) = ... as the exercise gives it: a definition, not a step
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
    message = _wrong_message(claim, last) + _redefinition_hint(parts, definitions, continuation_line)
    diagnosis = last.diagnosis
    if diagnosis and diagnosis[0] == NEGATED:
        sides = (side for side in (claim.subject, claim.left) if side is not None)
        differentiated = sympy.Tuple(*(expand_user_definitions(side, claim) for side in sides))
        diagnosis = explain_negation(claim.right, differentiated, claim.variable)
    if state.error_kind != "wrong":  # after a line not read: this is the first mathematical error
        state.error_line, state.error_kind = None, "wrong"
    if new_claim:
        relation = "new claim"
        state.error_line = number
    elif state.error_line is None and _carried_from_belief(state, parts, previous, previous_subject, continuation_line,
                                                           worker, x, definitions):
        # correct lines in between, but this one puts in what a wrong line said (its u', its σ')
        relation = f"consistent with wrong line {state.belief_line} (error carried forward)"
        message += f" The step from line {previous_line} is valid with line {state.belief_line}'s value: the error comes from line {state.belief_line}."
        diagnosis = None
        state.error_line = state.belief_line
    elif state.error_line is None:
        relation = f"does not follow from line {previous_line}" if previous_line is not None else "first line"
        state.error_line = number
    else:
        claims = [(previous, parts[-1])]
        if not continuation_line and previous_subject is not None:
            claims.append((previous_subject, parts[0]))  # a new left side must still be the same quantity
        carried = previous is not None and all(
            worker.decide(Claim(relation="=", left=left, right=right, variable=x, definitions=definitions,
                                diagnose=False), deadline=state.deadline).holds
            for left, right in claims
        )
        believed = _under_wrong_definition(parts, previous_subject, previous, x, continuation_line)
        if not carried and believed is not None:
            # σ(x) = 1/(1 - e^(-x)) (wrong), then σ'(x) = the derivative of that: right for what the student believed.
            carried = worker.decide(Claim(relation="=", left=believed[0], right=believed[1], variable=x,
                                          definitions=definitions, diagnose=False), deadline=state.deadline).holds
        if not carried:
            # a wrong u' put into the chain rule, a wrong σ' multiplied by σ: right with the wrong values put in
            carried = _carried_from_belief(state, parts, previous, previous_subject, continuation_line, worker, x,
                                           definitions)
        if carried:
            relation = f"consistent with wrong line {previous_line} (error carried forward)"
            message += f" The step from line {previous_line} is valid: the error comes from line {state.error_line}."
            diagnosis = None
        else:
            relation = f"new error: does not follow from line {previous_line}"
    subject = previous_subject if continuation_line else parts[0]
    if (claim.relation == "=" and subject is not None and subject.free_symbols and len(state.beliefs) < MAX_BELIEFS
            and not relation.startswith("consistent")):
        state.beliefs[subject] = parts[-1]
        state.belief_line = number
    return LineReport(
        line=number, source=source, status="wrong", relation=relation, message=message, counterexample=counterexample,
        diagnosis=diagnosis[1] if diagnosis else None, diagnosis_key=diagnosis[0] if diagnosis else None,
    )


#: Most wrong statements remembered for "error carried forward" (each costs a proof per later line).
MAX_BELIEFS = 8


def _redefinition_hint(parts: list[sympy.Expr], definitions: tuple[UserDefinition, ...], continuation: bool) -> Described:
    """For a wrong ``z = …`` whose letter already stands for an expression, or ``f(x) = …`` for a
    function defined before: say so, and how to give it a new meaning (conflicting definitions are
    a claim about the first one, never silently both)."""
    if continuation or not parts:
        return Described()
    if isinstance(parts[0], sympy.Symbol):
        meaning = next((body for target, parameters, body in reversed(definitions)
                        if target == parts[0] and not parameters), None)
        if meaning is None:
            return Described()
        return Described(" ", parts[0], " already stands for ", meaning, ", so this line claims the two are equal; to "
                         "give ", parts[0], f" a new meaning, write 'Let {parts[0]} = …'.")
    applied = parts[0]
    if not (applied.args and all(isinstance(arg, sympy.Symbol) for arg in applied.args)
            and len(set(applied.args)) == len(applied.args)):  # f(2) = 5 is a value, not a new definition
        return Described()
    defined = next(((parameters, body) for target, parameters, body in reversed(definitions)
                    if parameters and isinstance(applied, sympy.Expr) and applied.func == target
                    and len(applied.args) == len(parameters)), None)
    if defined is None:  # f(x) = … for a function defined on an earlier line: a claim about that one
        return Described()
    parameters, body = defined
    name = applied.func.__name__
    other = sympy.Function("g" if name != "g" else "h")(*parameters)
    return Described(" ", applied, " is already defined as ", body.xreplace(dict(zip(parameters, applied.args))),
                     ", so this line claims the two are equal; a function keeps one definition: give the new one "
                     "another name, as in ", Stated(f"{to_plain(other)} = …", rf"{to_latex(other)} = \ldots"), ".")


def _carried_from_belief(state: Judging, parts: list[sympy.Expr], previous: sympy.Expr | None,
                         subject: sympy.Expr | None, continuation: bool, worker: ProofWorker, x: sympy.Symbol,
                         definitions: tuple[UserDefinition, ...]) -> bool:
    """Whether the line is a valid step once the values wrong lines gave are put in."""
    return any(worker.decide(Claim(relation="=", left=left, right=right, variable=x, definitions=definitions,
                                   diagnose=False), deadline=state.deadline).holds
               for left, right in _with_beliefs(state.beliefs, parts, previous, subject, continuation))


def _with_beliefs(beliefs: dict[sympy.Expr, sympy.Expr], parts: list[sympy.Expr], previous: sympy.Expr | None,
                  subject: sympy.Expr | None, continuation: bool) -> list[tuple[sympy.Expr, sympy.Expr]]:
    """The claims that would make a wrong line a valid step from what earlier wrong lines said:
    the line itself, and its step from the line before, with each subject an earlier wrong line
    gave a value (u', σ'(x)) replaced by that value. Only claims the replacement changes."""
    if not beliefs:
        return []

    def believe(expr: sympy.Expr) -> sympy.Expr:
        return expr.xreplace(beliefs)

    candidates = [(subject if continuation else parts[0], parts[-1])]
    if previous is not None:
        candidates.append((previous, parts[-1]))
    claims = []
    for left, right in candidates:
        if left is None:
            continue
        believed = (believe(left), believe(right))
        if believed != (left, right):
            claims.append(believed)
    return claims


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


def _literal(value: sympy.Rational, radius: sympy.Rational) -> sympy.Symbol:
    """A decimal literal as the student wrote it (0.70 stays 0.70), for messages only."""
    places = len(str(radius.q)) - 1  # radius = 1/(2·10^d), and 2·10^d has d + 1 digits
    with localcontext() as context:
        context.prec = places + len(str(abs(int(value)))) + 2  # enough for every written digit
        exact = Decimal(int(value.p)) / Decimal(int(value.q))
        return sympy.Symbol(str(exact.quantize(Decimal(1).scaleb(-places))))


def _counterexample(verdict: Verdict) -> Counterexample | None:
    found = verdict.counterexample
    if not found:
        return None
    x, left, right = found
    return Counterexample(x=x, left=left, right=right, at=verdict.at)


def _wrong_message(claim: Claim, verdict: Verdict) -> Described:
    """Why the line is wrong, its formulas apart: the two sides and their values at a point."""
    if verdict.message is not None:
        return Described("Cannot check this approximation: ") + verdict.message + "."
    found = verdict.counterexample
    written = {placeholder: _literal(value, radius) for placeholder, value, radius in claim.decimals}
    left, right = claim.left.xreplace(written), claim.right.xreplace(written)
    if claim.relation == "≈" and found:
        hint = ("; a whole number is exact: to mean 'about', give decimals (1.0 stands for [0.95, 1.05])"
                if claim.right.is_Integer or claim.left.is_Integer else "")
        return Described("Not a correct approximation: ", *valued(left, found[1], "lies in"), ", but ",
                         *valued(right, found[2], "stands for"),
                         f" (a decimal stands for the numbers that round to it{hint}).")
    if found:
        x, left_value, right_value = found
        values = (*valued(left, left_value), " but ", *valued(right, right_value), ".")
        if not verdict.at:
            return Described("Not equal: ", *values)
        where = listed(valued(sympy.Symbol(name), value) for name, value in verdict.at)
        return Described("Not an identity: at ", *where, ", ", *values)
    return Described("Not an identity: ", left, " and ", right, " are not both defined at any test point.")


#: A number as derive's verifier writes it (0.5, -2.779, 5.08e-435), and a value made of them: an
#: interval [0.95, 1.05] or a number just off another, 1.0 - 5.08e-435.
_NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?"
_SHOWN_VALUE = re.compile(rf"\[?{_NUMBER}(?:(?:, | - | \+ ){_NUMBER})*\]?")


def shown_value(value: str) -> str | Stated:
    """A value derive computed, as a formula (-0.5 with a true minus sign, 5.08e-435 as
    5.08·10⁻⁴³⁵); anything else (``undefined``) stays text."""
    if not _SHOWN_VALUE.fullmatch(value):
        return value
    latex = re.sub(r"(\d)e\+?(-?)0*(\d)", r"\1 \\cdot 10^{\2\3}", value)
    return Stated(value, latex.replace("[", "\\left[").replace("]", "\\right]") if latex.startswith("[") else latex)


def valued(expr: sympy.Basic, value: str, verb: str = "=") -> tuple[Described | str | sympy.Basic, ...]:
    """``expr = value`` as one formula (an interval: ``expr lies in [a, b]``, the verb in words)."""
    shown = shown_value(value)
    if value[:1] in "[(":
        return (expr, f" {verb} ", shown)
    if isinstance(shown, Stated):
        return (Stated(f"{to_plain(expr)} = {value}", f"{to_latex(expr)} = {shown.latex}"),)
    return (expr, " = ", shown)
