"""Named algebraic moves, and a builder that chains steps into one derivation.

Every move is a step of its own with a rule name and an annotation; none of them is an opaque
"simplify". Each move states the rewrite it makes; the verifier proves it.
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy

from derive.expressions import product, replace_node, total
from derive.model import Annotation, Notation, Step, say


class StepChain:
    """A chain of equalities under construction: each step starts where the last one ended."""

    def __init__(self, start: sympy.Expr, *, notation: Notation = "fractions") -> None:
        self.current = start
        self.notation: Notation = notation
        self.steps: list[Step] = []

    def step(
        self,
        rule: str,
        annotation: Annotation,
        after: sympy.Expr,
        *,
        substeps: Iterable[Step] = (),
        notation: Notation | None = None,
        details: tuple[tuple[str, sympy.Basic | str], ...] = (),
    ) -> None:
        if notation is not None:
            self.notation = notation
        self.steps.append(
            Step(
                rule=rule,
                annotation=annotation,
                before=self.current,
                after=after,
                substeps=tuple(substeps),
                details=details,
                notation=self.notation,
            )
        )
        self.current = after

    def rewrite(self, rule: str, annotation: Annotation, target: sympy.Expr, replacement: sympy.Expr, **options: object) -> None:
        """A step that replaces the sub-expression ``target`` by ``replacement`` and leaves the rest."""
        self.step(rule, annotation, replace_node(self.current, target, replacement), **options)  # type: ignore[arg-type]

    def extend(self, steps: Iterable[Step]) -> None:
        for step in steps:
            if step.before != self.current:
                raise ValueError(f"step '{step.rule}' does not start where the chain ended")
            self.steps.append(step)
            self.current = step.after

    def result(self) -> tuple[Step, ...]:
        return tuple(self.steps)


def complement_steps(numerator: sympy.Expr, variable: sympy.Symbol) -> tuple[sympy.Expr, tuple[Step, ...]]:
    """a/(1 + a) = 1 − 1/(1 + a), shown by adding and subtracting 1 in the numerator."""
    denominator = total(sympy.S.One, numerator)
    chain = StepChain(sympy.Mul(numerator, sympy.Pow(denominator, -1, evaluate=False), evaluate=False))
    chain.step(
        "add_and_subtract",
        say("Add and subtract 1 in the numerator."),
        sympy.Mul(total(sympy.S.One, numerator, sympy.S.NegativeOne), sympy.Pow(denominator, -1, evaluate=False), evaluate=False),
    )
    chain.step(
        "split_fraction",
        say("Split the fraction; the first part is 1."),
        total(
            sympy.Mul(denominator, sympy.Pow(denominator, -1, evaluate=False), evaluate=False),
            sympy.Mul(sympy.S.NegativeOne, sympy.Pow(denominator, -1, evaluate=False), evaluate=False),
        ),
    )
    result = total(sympy.S.One, sympy.Mul(sympy.S.NegativeOne, sympy.Pow(denominator, -1, evaluate=False), evaluate=False))
    chain.step("drop_neutral", say("A fraction whose numerator equals its denominator is 1."), result)
    return result, chain.result()


def split_off_reciprocal(numerator: sympy.Expr, base: sympy.Expr) -> sympy.Expr:
    """a/b² written as (1/b)·(a/b)."""
    return product(sympy.Pow(base, -1, evaluate=False), numerator / base)
