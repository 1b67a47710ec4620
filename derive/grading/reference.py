"""What derive's own derivation of the exercise tells a grader: whether the exercise has a form in
terms of itself (σ′ = σ(1 − σ)), and a correct next line after a student's last correct one.

Every route of the catalogued function is derived once per grading run; each proved step is
indexed by the shape of the expression before it (:func:`~derive.checker.conclusion.structure_key`),
so that a student line written like one of derive's steps finds the step that follows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from derive.api import derive
from derive.checker.conclusion import StructureKey, structure_key
from derive.differentiate.catalogue import lookup
from derive.model import Derivation, rule_name
from derive.printing import to_latex, to_plain


@dataclass(frozen=True, kw_only=True, eq=False)
class Reference:
    """derive's proved derivations of one exercise."""

    function: str
    recognised_form: str | None  # the form in terms of itself, as plain text, when there is one
    steps: dict[StructureKey, tuple[str, str, str]] = field(default_factory=dict)

    def next_line(self, expr: sympy.Expr) -> tuple[str, str, str] | None:
        """(LaTeX, plain text, rule name) of derive's step from ``expr``, or None."""
        return self.steps.get(structure_key(expr))


def reference_for(function: str, variable: str | None = None) -> Reference:
    """The :class:`Reference` of a catalogued function (every route derived and proved)."""
    entry = lookup(function)
    if entry.document == "jacobian":
        return Reference(function=entry.name, recognised_form=None)
    derivations: list[Derivation] = [derive(entry.name, variable=variable, route=route, detail="full")
                                    for route in entry.route_names]  # every move: a next line for any student
    recognition = derivations[0].recognition
    steps: dict[StructureKey, tuple[str, str, str]] = {}
    for derivation in derivations:
        for step in derivation.steps:
            before, after = structure_key(step.before), structure_key(step.after)
            if step.proved and step.rule != "unsupported" and before != after:  # a rewrite a student would not see
                steps.setdefault(before, (
                    to_latex(step.after, notation=step.notation), to_plain(step.after, notation=step.notation),
                    rule_name(step.rule)))
    form = to_plain(recognition.form) if recognition is not None and recognition.found and recognition.form is not None else None
    return Reference(function=entry.name, recognised_form=form, steps=steps)
