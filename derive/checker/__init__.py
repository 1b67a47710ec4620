"""Check a student's derivation line by line: safe parsing, proof in a killable worker, verdicts.

``check(text)`` returns a :class:`~derive.verdicts.Report`. Semantics: every line asserts an
identity for all real x, with σ the standard logistic sigmoid and σ′, d/dx(...) the true
derivatives. A continuation line ``= B`` continues the chain that the last explicit left side
started, so after a wrong line the report can tell an error carried forward (the step itself
is valid) from a new error, and a line that is correct again.

The lines are read (:mod:`.plan`) while a worker process proves their claims (:mod:`.worker`,
:mod:`.decide`); then each line is judged (:mod:`.judge`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sympy

from derive.checker.conclusion import NextLine, conclude
from derive.checker.decide import Claim
from derive.checker.judge import Judging, judge_line
from derive.checker.plan import LinePlan, Reading, plan_line
from derive.checker.reader import numbered_lines, read_submission, stray_line_break
from derive.checker.worker import (
    DEFAULT_FILE_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS, ProofWorker,
)
from derive.differentiate.catalogue import Entry, catalogue_names, lookup
from derive.errors import DeriveError, InputError, ParseError, check_one_exercise
from derive.functions import NamedFunction, sigma
from derive.functions import variable as real_variable
from derive.parse import as_definition, check_variable_name, detect_syntax
from derive.parse.limits import check_length
from derive.sandbox import failure
from derive.verdicts import LineReport, Report

__all__ = ["Report", "check", "check_file"]


def check(
    text: str,
    *,
    syntax: str | None = None,
    function: str | None = None,
    variable: str | None = None,
    exercise: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    file_timeout: float = DEFAULT_FILE_TIMEOUT_SECONDS,
    worker: ProofWorker | None = None,
    name: str = "",
    observe: Callable[[LinePlan], None] | None = None,
    next_line: NextLine | None = None,
) -> Report:
    """Check every line of ``text`` (a whole derivation). Student text is never evaluated.

    ``variable`` is the exercise's variable (default: the catalogue entry's own, x for σ, z for
    the cross-entropy); every other letter is a parameter or another variable.
    ``observe`` is called with each line as read (a :class:`~derive.checker.plan.LinePlan`), for a
    caller that shows the lines as mathematics too (the web page).

    The exercise: ``function`` names a catalogue entry; ``exercise`` gives the exercise's
    function as a definition (``"f(x) = x^2 e^{3x}"``, read with the same safe parser as the
    lines); with neither, it is the sigmoid, unless the derivation defines a function of its own
    first (``f(x) = …``): then that is the exercise, and no note says it is not σ. A named
    exercise (either way) is the one every definition is compared with.
    ``next_line`` (see :mod:`.conclusion`) lets the report suggest a correct next line after the
    last correct one.

    Raises only :class:`~derive.errors.DeriveError`: unusable input or options as their own
    errors, and anything unforeseen inside derive as :class:`~derive.sandbox.JobFailed`
    (exit 3), never another exception.
    """
    try:
        return _check(text, syntax=syntax, function=function, exercise=exercise, variable=variable, timeout=timeout,
                      file_timeout=file_timeout, worker=worker, name=name, observe=observe, next_line=next_line)
    except DeriveError:
        raise
    except Exception as error:  # noqa: BLE001 - the API's contract: one error type, reported in one line
        raise failure(error, f"checking {name or 'the derivation'}") from error


def _check(text: str, *, syntax: str | None, function: str | None, exercise: str | None, variable: str | None,
           timeout: float, file_timeout: float, worker: ProofWorker | None, name: str,
           observe: Callable[[LinePlan], None] | None, next_line: NextLine | None) -> Report:
    check_one_exercise(function, exercise)
    named = function is not None or exercise is not None
    entry = lookup(function or "sigmoid") if exercise is None else None  # the exercise's function must exist
    variable = variable or (entry.variable_name if entry else "x")
    if syntax not in (None, "latex", "text"):
        raise InputError(f"unknown syntax '{syntax}': choose latex or text")
    check_variable_name(variable)
    check_timeout(timeout)
    check_timeout(file_timeout, what="the time limit for the whole file")
    deadline = time.monotonic() + file_timeout
    lines = numbered_lines(text)
    if not lines:
        raise InputError(f"{name or 'the input'} has no lines to check (only blank or comment lines)")
    chosen = syntax or detect_syntax("\n".join(source for _, source in lines))
    owned = worker is None
    worker = worker or ProofWorker(timeout=timeout)
    try:
        x = real_variable(variable)
        reading = Reading(functions=exercise_names(entry, variable) if entry else {}, catalogue=catalogue_names(),
                          exercise=(entry.function(x), entry.definition(x)) if entry else None)
        if exercise is not None:
            own = typed_exercise(exercise, chosen, variable, reading)
            reading.exercise = own
        letter = exercise_letter(entry, x) if entry else None
        if letter is not None:  # the loss L of --function bce may be written L, as its handout writes it
            reading.definitions.append((letter, (), entry.definition(x)))
            reading.substituted.add(letter.name)
            reading.taken.add(letter.name)
        plans: list[LinePlan] = []
        claims: list[Claim] = []

        def planned_claims() -> Iterator[Claim]:
            # Lines are read while the worker proves the claims of the lines before them.
            for number, source in lines:
                stray = stray_line_break(source)
                if stray is not None:  # one definition of a line (see reader.py): named, never split
                    reading.subject, reading.unread_subject = None, number
                    plans.append(LinePlan(number=number, source=source, kind="unparsed", report=LineReport(
                        line=number, source=source, status="unparsed", relation="not read",
                        message=f"Cannot read this line: {stray}.")))
                else:
                    plans.append(plan_line(number, source, chosen, variable, reading))
                if observe is not None:
                    observe(plans[-1])
                for claim in plans[-1].claims:
                    claims.append(claim)
                    yield claim

        results = worker.decide_all(planned_claims(), deadline=deadline)
        verdicts = dict(zip(map(id, claims), results))
        exercise_function = reading.exercise
        own = None if named else _own_function(plans, exercise_function)
        if own is not None:  # a self-contained exercise: f(x) = … first, no exercise named
            exercise_function = own
        compared = (exercise_function if exercise_function and own is None and not _mentions(plans, exercise_function[0])
                    else None)
        judging = Judging(exercise=compared, given=exercise_function if exercise_function and own is None else None,
                          deadline=deadline)
        reports = [judge_line(plan, verdicts, judging, worker, x) for plan in plans]
        outcome = conclude(plans, reports, exercise=exercise_function, worker=worker, x=x, deadline=deadline,
                           next_line=next_line)
    finally:
        if owned:
            worker.close()
    # the exercise as the report names it: typed, catalogued, or "" for a self-contained one
    shown = exercise if exercise is not None else "" if own is not None or entry is None else entry.name
    return Report(lines=tuple(reports), syntax=chosen, function=shown, variable=variable, name=name, outcome=outcome)


def check_exercise(text: str, variable: str = "x") -> None:
    """Raise the one-line error a grader's typed exercise (``--exercise``) would give, before any
    file is checked."""
    typed_exercise(text, detect_syntax(text), variable, Reading(functions={}, catalogue=catalogue_names()))


def typed_exercise(text: str, syntax: str, variable: str, reading: Reading) -> tuple[sympy.Expr, sympy.Expr]:
    """The exercise a grader typed (``f(x) = x^2 e^{3x}``): its function and definition, which
    every line may then use (the first line may restate it: it is checked against it)."""
    check_length(text)
    try:
        definition = as_definition(text, syntax=detect_syntax(text), variable=variable, **reading.vocabulary())
    except ParseError as error:
        raise InputError(f"the exercise {text!r} cannot be read: {error}") from None
    if definition is None or definition.substitution or len(definition.parameters) != 1:
        raise InputError(f"the exercise must define a function of {variable}, as in f({variable}) = x^2 e^(3{variable}); "
                         f"not {text!r}")
    kind = sympy.Function(definition.name)
    reading.functions[definition.name] = kind
    reading.definitions.append((kind, definition.parameters, definition.body))
    reading.taken.add(definition.name)
    (parameter,) = definition.parameters
    return kind(real_variable(variable)), definition.body.xreplace({parameter: real_variable(variable)})


def _own_function(plans: list[LinePlan], exercise: tuple[sympy.Expr, sympy.Expr] | None) -> tuple[sympy.Expr, sympy.Expr] | None:
    """The function a derivation defines first, when it is not the exercise's function and the
    exercise's function is never named: then the derivation is self-contained, about its own."""
    first = next((plan for plan in plans if plan.kind == "definition" and plan.definitions), None)
    if first is None or exercise is None:
        return None
    target, parameters, body = first.definitions[-1]
    if isinstance(target, sympy.Symbol) or len(parameters) != 1 or _mentions(plans, exercise[0]):
        return None
    function = exercise[0]
    if isinstance(function, sympy.Function) and getattr(target, "__name__", None) == function.func.__name__:
        return None  # σ(x) = … defines the exercise's own function: compared with it
    (parameter,) = parameters
    x = function.args[0] if isinstance(function, sympy.Function) and function.args else parameter
    return target(x), body.xreplace({parameter: x})


def _mentions(plans: list[LinePlan], function: sympy.Expr) -> bool:
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


def check_timeout(timeout: float, *, what: str = "the time limit per line") -> None:
    """A time limit must be a number of seconds between 0.1 and one hour (``what`` names it)."""
    if isinstance(timeout, bool) or not (isinstance(timeout, (int, float)) and MIN_TIMEOUT_SECONDS <= timeout <= MAX_TIMEOUT_SECONDS):
        raise InputError(f"{what} must be between {MIN_TIMEOUT_SECONDS:g} and {MAX_TIMEOUT_SECONDS:g} seconds, not {timeout!r}")


def exercise_names(entry: Entry, variable: str) -> dict[str, Any]:
    """Names a student may use for the exercise's function (``softplus(x)``, ``silu'(x)``)."""
    function = entry.function(real_variable(variable))
    kind = type(function)
    if isinstance(kind, type) and issubclass(kind, NamedFunction) and kind is not sigma and len(function.args) == 1:
        return {name: kind for name in (entry.name, *entry.aliases) if name.isalpha()}
    return {}


def exercise_letter(entry: Entry, x: sympy.Symbol) -> sympy.Symbol | None:
    """The letter the exercise's function is written with, when it is one (L for a loss)."""
    function = entry.function(x)
    if isinstance(function, NamedFunction) and not isinstance(function, sigma):
        name = function.plain_symbol()
        if len(name) == 1 and name.isalpha() and name not in ("e", "d", str(x)):
            return sympy.Symbol(name, real=True)
    return None


def check_file(path: Path, **options: Any) -> Report:
    return check(read_submission(path), name=str(path), **options)


