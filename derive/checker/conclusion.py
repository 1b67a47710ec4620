"""Where a checked derivation ended up (pass 3): the result line, whether it reached the
exercise's derivative, whether that is written in the function itself, and a correct next line.

The result is a :class:`~derive.verdicts.Outcome`, which scores and feedback build on. Deciding
whether the result is the derivative costs a proof only when the chain did not start from the
derivative itself (``σ'(x) = …`` needs none: every correct line of it equals σ′).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy

from derive.checker.decide import Claim
from derive.checker.plan import LinePlan
from derive.checker.worker import ProofWorker
from derive.verdicts import LineReport, Outcome, Suggestion

#: Given the expression a student had right before going wrong, a correct next line from derive's
#: own proved derivation of the exercise, as (LaTeX, plain text, rule name); None when it has none.
NextLine = Callable[[sympy.Expr], "tuple[str, str, str] | None"]

StructureKey = tuple[object, ...]


def structure_key(expr: sympy.Basic) -> StructureKey:
    """A key that is equal for two expressions written alike up to the order of terms and factors
    and factors of 1 (``1/(1 + e^{-x})`` as ``(e^{-x} + 1)^{-1}``). Nothing is evaluated, so the
    key of an untrusted expression costs one walk over its (bounded) tree.
    """
    if not expr.args:
        return (type(expr).__name__, str(expr))
    arguments = [structure_key(argument) for argument in expr.args]
    if isinstance(expr, sympy.Mul):
        arguments = [key for key in arguments if key != ("One", "1")]
    elif isinstance(expr, sympy.Add):
        arguments = [key for key in arguments if key != ("Zero", "0")]
    if isinstance(expr, (sympy.Mul, sympy.Add)):
        if len(arguments) == 1:
            return arguments[0]
        arguments.sort(key=repr)
    return (type(expr).__name__, tuple(arguments))


def conclude(plans: Sequence[LinePlan], reports: Sequence[LineReport], *,
             exercise: tuple[sympy.Expr, sympy.Expr] | None, worker: ProofWorker, x: sympy.Symbol,
             deadline: float | None, next_line: NextLine | None) -> Outcome:
    """The :class:`Outcome` of a derivation whose lines were read into ``plans`` and judged into
    ``reports``; ``exercise`` is the exercise's function and its definition."""
    if exercise is None:
        return Outcome()
    function, definition = exercise
    result = _result_index(plans, x)
    reaches = in_terms = False
    if result is not None and reports[result].status == "correct":
        plan = plans[result]
        final = plan.parts[-1]
        if not final.has(sympy.Derivative):
            # the definition, not the function: a function made for one exercise (the loss L) cannot be pickled
            reaches = structure_key(plan.parts[0]) == structure_key(sympy.Derivative(function, x)) or worker.decide(
                Claim(relation="=", left=sympy.Derivative(definition, x), right=final, variable=x,
                      definitions=plan.definitions, diagnose=False), deadline=deadline).holds
            in_terms = reaches and written_in(final, function, x)
    return Outcome(result_line=None if result is None else plans[result].number, reaches_derivative=reaches,
                   in_terms_of_function=in_terms, suggestion=_suggestion(plans, reports, next_line))


def written_in(expr: sympy.Expr, function: sympy.Expr, x: sympy.Symbol) -> bool:
    """Whether ``expr`` is written in ``function`` (``σ(x)``) alone: it uses it, and no other x."""
    if not expr.has(function):
        return False
    return x not in expr.xreplace({function: sympy.Dummy("f")}).free_symbols


def _result_index(plans: Sequence[LinePlan], x: sympy.Symbol) -> int | None:
    """The last line that claims an identity in x (not a check at a number, such as σ(1) ≈ 0.7311)."""
    for index in range(len(plans) - 1, -1, -1):
        plan = plans[index]
        if plan.kind == "claims" and any(claim.relation == "=" for claim in plan.claims) and any(
                x in part.free_symbols for part in plan.parts):
            return index
    return None


def _suggestion(plans: Sequence[LinePlan], reports: Sequence[LineReport], next_line: NextLine | None) -> Suggestion | None:
    """derive's next line after the student's last correct expression before the first error."""
    if next_line is None:
        return None
    first_error = next((index for index, report in enumerate(reports) if report.status != "correct"), None)
    if first_error is None:
        return None
    for index in range(first_error - 1, -1, -1):
        if plans[index].kind in ("claims", "start") and plans[index].parts:
            start, after_line = plans[index].parts[-1], plans[index].number
            break
    else:
        wrong = plans[first_error]
        if wrong.kind != "claims" or not wrong.parts:
            return None
        start, after_line = wrong.parts[0], None
    found = next_line(start)
    if found is None:
        return None
    latex, text, rule = found
    return Suggestion(after_line=after_line, latex=latex, text=text, rule=rule)
