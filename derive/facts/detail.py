"""The level of detail a document shows: a verified derivation, folded, every folded step proved.

``full`` is the derivation as the engine made it, every rule application and every tidy-up move.
``standard`` (what documents show by default) folds what a teacher would not write on the board:

- trivial derivatives (of a constant, of the variable) and the neutral-element move ("drop zeros
  and ones", which turns ``2·x^1`` into ``2x``) are folded into the step before them, so the
  power rule reads d/dx x² = 2x, and d/dx(−x) = −1 is one line;
- a step that repeats the line before (the same expression, printed the same) is folded into the
  step before it, keeping its words when they say something (the break point of |x|);
- a sub-derivation of one step that only repeats its parent (the inner derivative d/dx(−x) = −1
  worked as d/dx(−x) = −1) gives its words to the parent, and its own sub-steps move up.

``brief`` shows one line per rule application, as a lecture slide would: the standard folds,
no sub-derivations, and consecutive algebraic moves (tidying, writing the result in its
textbook form) as one line.

Folding is done on the *verified* derivation and never trusts itself: a folded step is a new
equality ``before = after``, proved by the verifier before it replaces the steps it folds, and a
step that is not proved is never folded away or hidden (then the steps stay as they were).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Literal

import sympy

from derive.expressions import drop_neutral
from derive.letters import expand_letters
from derive.model import Annotation, Derivation, Step, listed, rule_name, say
from derive.printing import to_plain
from derive.verify import DEFAULT_OPTIONS, VerifyOptions
from derive.verify.verifier import Verifier, sub_variable

Detail = Literal["brief", "standard", "full"]

#: The levels of detail, least first; ``standard`` is the default of every document.
DETAILS: tuple[Detail, ...] = ("brief", "standard", "full")
DEFAULT_DETAIL: Detail = "standard"

#: Derivatives a teacher states without a line of their own; their words join the step before.
TRIVIAL_DERIVATIVES = frozenset({"constant", "variable", "hold_constant"})
#: Moves that only remove neutral elements (+0, ·1, ^1): folded silently into the step before.
NEUTRAL_MOVES = frozenset({"drop_neutral"})
#: Algebraic moves after the rules: one line together at ``brief``.
ALGEBRA_MOVES = frozenset({
    "drop_neutral", "evaluate_arithmetic", "restore_power", "negative_power_as_fraction", "expand",
    "common_factor", "common_denominator", "cancel", "refine_pieces", "combine_pieces",
    "textbook_form", "constants_first", "factor", "decimals", "combine_powers", "combine_like_terms",
    "one_fraction", "pythagorean", "quotient_identity",
})
#: Steps whose words matter even when the expression does not change (so they are kept when folded).
TELLING_STEPS = frozenset({"break_point"})
#: Steps that are not a differentiation rule: rewrites, named moves, the structure of a derivation.
#: Every other step applies a rule of differentiation; at ``brief`` a run of them is one line.
NOT_DIFFERENTIATION = ALGEBRA_MOVES | TELLING_STEPS | frozenset({
    "definition", "rewrite_as_power", "general_power", "split_fraction", "complement", "add_and_subtract",
    "recognise", "recognise_sigma", "logarithm", "log_differentiation", "log_of_reciprocal", "solve",
    "multiply_through", "substitute", "piecewise", "rewrite_piecewise", "backprop_form", "backprop",
    "local_derivatives", "unsupported",
})


def check_detail(detail: str) -> Detail:
    """``detail`` if it is a level of detail; else a :class:`ValueError` naming the levels."""
    if detail not in DETAILS:
        raise ValueError(f"unknown level of detail '{detail}': choose one of {', '.join(DETAILS)}")
    return detail  # type: ignore[return-value]


def at_detail(derivation: Derivation, detail: Detail, options: VerifyOptions = DEFAULT_OPTIONS) -> Derivation:
    """``derivation`` as shown at ``detail``; its start, result and final identity are unchanged
    (``derive.derive(x**2)`` shows one step, the power rule d/dx x² = 2x; ``detail="full"`` two)."""
    check_detail(detail)
    if detail == "full" or not derivation.steps:
        return dataclasses.replace(derivation, detail=detail)
    folder = _Folder(derivation, detail, options)
    steps = folder.fold_chain(derivation.steps, derivation.variable, top=True)
    return dataclasses.replace(derivation, steps=steps, detail=detail)


class _Folder:
    """Folds the steps of one derivation, proving every step it makes (per-run state lives here)."""

    def __init__(self, derivation: Derivation, detail: Detail, options: VerifyOptions) -> None:
        self.detail = detail
        self.options = options
        self.letters = derivation.letters
        self.top_variable = derivation.variable
        self._verifiers: dict[sympy.Symbol, Verifier] = {}

    # --- one list of steps ---

    def fold_chain(self, steps: tuple[Step, ...], variable: sympy.Symbol, *, top: bool = False) -> tuple[Step, ...]:
        """Fold a list of steps: a chain of equalities is folded step into step; a list that is no
        chain (the outer and inner derivative of a chain rule) only has each step's own folded."""
        own = [self.fold_step(step, self._step_variable(step, variable, top)) for step in steps]
        if not _is_chain(steps):
            return tuple(own)
        own = self.neutral_elements_where_made(own, variable, top=top)
        folded: list[Step] = []
        for step in own:
            if folded and self._folds_into_previous(folded[-1], step):
                merged = self.merge(folded[-1], step, variable, top=top)
                if merged is not None:
                    folded[-1] = merged
                    continue
            folded.append(step)
        return tuple(folded)

    def neutral_elements_where_made(self, steps: list[Step], variable: sympy.Symbol, *, top: bool) -> list[Step]:
        """The chain with each neutral element (``x^1``, ``+ 0``, ``1·``) dropped in the step that
        made it, so that the power rule reads d/dx x² = 2x; the "drop zeros and ones" step then
        repeats its line and is folded. Every step changed is proved again; if one is not, the
        chain stays as it was."""
        rewritten, changed = list(steps), False
        for index in range(len(steps) - 1):
            if steps[index + 1].rule not in NEUTRAL_MOVES and not any(s.rule in NEUTRAL_MOVES for s in steps[index + 1:]):
                break
            tidy = drop_neutral(rewritten[index].after)
            if tidy == rewritten[index].after or rewritten[index].rule in NEUTRAL_MOVES | {"unsupported"}:
                continue
            if not rewritten[index].proved:
                return steps
            following = rewritten[index + 1]
            rewritten[index] = dataclasses.replace(rewritten[index], after=tidy,
                                                   annotation=_without_neutral_elements(rewritten[index].annotation))
            rewritten[index + 1] = dataclasses.replace(following, before=tidy)
            changed = True
        if not changed:
            return steps
        proved = []
        for original, step in zip(steps, rewritten):
            if (step.before, step.after) != (original.before, original.after):
                verification = self._prove(step, self._step_variable(step, variable, top), top=top)
                if verification.status != "proved":
                    return steps
                step = dataclasses.replace(step, verification=verification)
            proved.append(step)
        return proved

    def fold_step(self, step: Step, variable: sympy.Symbol) -> Step:
        """One step with its sub-derivations folded (``brief``: dropped, when all of them are proved)."""
        if not step.substeps:
            return step
        if self.detail == "brief" and all(sub.proved for sub in step.substeps) and step.rule != "unsupported":
            return dataclasses.replace(step, substeps=())
        substeps = self.fold_chain(step.substeps, variable)
        step = dataclasses.replace(step, substeps=substeps)
        return _chain_rule_in_words(_hoist_repeated_substep(step))

    # --- what folds ---

    def _folds_into_previous(self, previous: Step, step: Step) -> bool:
        if not (previous.proved and step.proved) or "unsupported" in (previous.rule, step.rule):
            return False
        if previous.before == previous.after and previous.rule in TELLING_STEPS:
            return False
        if step.rule in TRIVIAL_DERIVATIVES | NEUTRAL_MOVES or _repeats(previous, step):
            return True
        if step.rule == previous.rule == "hold_constant":
            return True  # e^{z_2} and e^{z_3} held constant: one line
        if self.detail != "brief":
            return False
        return (step.rule in ALGEBRA_MOVES and previous.rule in ALGEBRA_MOVES
                or not {step.rule, previous.rule} & NOT_DIFFERENTIATION)

    # --- folding two steps into one, proved ---

    def merge(self, first: Step, second: Step, variable: sympy.Symbol, *, top: bool) -> Step | None:
        """One step ``first.before = second.after``, named as ``first`` (the step that does the
        work), with the words of ``second`` too where they say something; proved, or None."""
        details = first.details
        if second.rule in NEUTRAL_MOVES:
            annotation = _without_neutral_elements(first.annotation)
        elif second.rule == "hold_constant" and second.detail("variable") is not None:
            annotation, details = _held_together(first, second)
        elif _repeats(first, second) and second.rule not in TELLING_STEPS:
            annotation = first.annotation
        elif self.detail == "brief" and second.rule in TRIVIAL_DERIVATIVES:
            annotation = first.annotation  # a slide does not say that the derivative of 3 is 0
        elif self.detail == "brief" and second.rule not in TELLING_STEPS:
            annotation = _with_rule_named(first.annotation, second.rule)
        else:
            annotation = _joined(first.annotation, second.annotation)
        candidate = dataclasses.replace(
            first, after=second.after, annotation=annotation, substeps=first.substeps + second.substeps,
            notation=second.notation, verification=None, details=details,
        )
        verification = self._prove(candidate, self._step_variable(first, variable, top), top=top)
        if verification.status != "proved":
            return None
        return dataclasses.replace(candidate, verification=verification)

    def _prove(self, step: Step, variable: sympy.Symbol, *, top: bool):  # noqa: ANN202 - Verification
        if variable not in self._verifiers:
            self._verifiers[variable] = Verifier(variable, self.options)
        before, after = step.before, step.after
        if top and self.letters:
            before, after = (expand_letters(side, self.letters, self.top_variable) for side in (before, after))
        return self._verifiers[variable].prove(before, after)

    def _step_variable(self, step: Step, variable: sympy.Symbol, top: bool) -> sympy.Symbol:
        """The variable a step is proved in: the derivation's at the top, a sub-step's own below."""
        return variable if top else sub_variable(step, variable)


def _is_chain(steps: tuple[Step, ...]) -> bool:
    return all(first.after == second.before for first, second in zip(steps, steps[1:]))


def _repeats(previous: Step, step: Step) -> bool:
    """``step`` writes the line ``previous`` ended with again: the same text, each in its notation
    (writing a negative power as a fraction changes no expression, but the line a reader sees)."""
    return _line(previous.after, previous.notation) == _line(step.after, step.notation)


@functools.lru_cache(maxsize=4096)
def _line(expr: sympy.Basic, notation: str) -> str:
    """The line a reader sees for ``expr`` (:func:`to_plain`), remembered: every step's result is
    compared with the next step's, in each level of detail and each route, and printing is the
    dearest part of folding (a SymPy expression is immutable, so its text never changes)."""
    return to_plain(expr, notation=notation)  # type: ignore[arg-type]


def _hoist_repeated_substep(step: Step) -> Step:
    """A step whose one sub-step says the same equality gets the sub-step's words and sub-steps."""
    if len(step.substeps) != 1 or step.rule == "unsupported":
        return step
    (only,) = step.substeps
    same = (only.before, only.after) == (step.before, step.after) or (
        _line(only.before, "fractions"), _line(only.after, "fractions")) == (
        _line(step.before, "fractions"), _line(step.after, "fractions"))
    if not same or not only.proved:
        return step
    return dataclasses.replace(step, annotation=_joined(step.annotation, only.annotation), substeps=only.substeps)


def _with_rule_named(annotation: Annotation, rule: str) -> Annotation:
    """The words of a brief line that also applies ``rule``: "... the derivatives; then the power rule." """
    name = rule_name(rule)
    name = name[0].lower() + name[1:]
    segments = list(annotation.segments)
    if segments and isinstance(segments[-1], str) and segments[-1].startswith("; then "):
        if name in segments[-1].removesuffix(".").removeprefix("; then ").split(", "):
            return annotation
        segments[-1] = f"{segments[-1].removesuffix('.')}, {name}."
        return Annotation(tuple(segments))
    if segments and isinstance(segments[-1], str):
        segments[-1] = segments[-1].removesuffix(".")
    return Annotation((*segments, f"; then {name}."))


def _chain_rule_in_words(step: Step) -> Step:
    """A chain rule whose inner derivative is a number (u = −x, u = 2x) says its two derivatives in
    words instead of as a sub-derivation: d/dx e^(−x) = −e^(−x) needs no third level."""
    if step.rule != "chain" or len(step.substeps) != 2:
        return step
    outer, inner = step.substeps
    if inner.substeps or outer.substeps or not inner.after.is_number or not (outer.proved and inner.proved):
        return step
    return dataclasses.replace(step, annotation=_joined(_joined(step.annotation, outer.annotation), inner.annotation),
                               substeps=())


def _held_together(first: Step, second: Step) -> tuple[Annotation, tuple[tuple[str, sympy.Basic | str], ...]]:
    """The words and details of a step that a "hold constant" step joins: the letters held
    constant said in one sentence ("Hold e^{z_2} and e^{z_3} constant: they do not depend on z_1,
    so their derivatives are 0."), after the words of the step they join. The details keep the
    letters held and where that sentence starts, for the next one to join."""
    own = first.rule == "hold_constant"
    held = [value for key, value in first.details if key == "held"] if own or first.detail("hold_from") is not None else []
    start = 0 if own else int(first.detail("hold_from")) if first.detail("hold_from") is not None else None  # type: ignore[arg-type]
    held += [value for key, value in second.details if key == "held"]
    variable = second.detail("variable")
    prefix = list(first.annotation.segments[:start]) if start is not None else [*first.annotation.segments, " "]
    at = len(prefix)
    if len(held) == 1:
        sentence = second.annotation.segments
    else:
        sentence = say("Hold ", *listed(held, last=" and "), " constant: they do not depend on ", variable,
                       ", so their derivatives are 0.").segments
    kept = tuple((key, value) for key, value in first.details if key not in ("held", "variable", "hold_from"))
    return Annotation((*prefix, *sentence)), (*kept, *(("held", value) for value in held), ("variable", variable),
                                              ("hold_from", sympy.Integer(at)))


def _joined(first: Annotation, second: Annotation) -> Annotation:
    return Annotation((*first.segments, " ", *second.segments))


def _without_neutral_elements(annotation: Annotation) -> Annotation:
    """The words of a step whose result lost its neutral elements: ``d/dx x^2 = 2*x^1`` becomes
    ``d/dx x^2 = 2*x`` (the same mathematics, written as the folded step now ends)."""
    segments = []
    for segment in annotation.segments:
        if isinstance(segment, sympy.Equality):
            segment = sympy.Eq(segment.lhs, drop_neutral(segment.rhs), evaluate=False)
        segments.append(segment)
    return Annotation(tuple(segments))
