"""The derivatives of a first calculus course (tests/data/calculus_corpus.txt), end to end.

Every expression is read by the safe parser, derived completely (no "Cannot do this step"),
every step and sub-step is proved, and the result equals ``sympy.diff`` of the expression (proved,
not only spot-checked). One test per expression, so pytest-xdist spreads the corpus over the cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sympy

from derive.api import derive
from derive.differentiate.catalogue import catalogue_names
from derive.functions import variable
from derive.model import Step
from derive.parse import parse_expression
from derive.verify import prove_equal

CORPUS = Path(__file__).parent.parent / "data" / "calculus_corpus.txt"
EXPRESSIONS = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.lstrip().startswith("#")]
x = variable("x")


def walk(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        yield from walk(step.substeps)


def test_the_corpus_is_a_first_course() -> None:
    assert len(EXPRESSIONS) >= 80
    assert len(set(EXPRESSIONS)) == len(EXPRESSIONS), "an expression is listed twice"
    written = " ".join(EXPRESSIONS)
    for function in ("sec", "csc", "cot", "sinh", "cosh", "tanh", "coth", "sech", "csch", "asin", "acos", "atan",
                     "acot", "asec", "acsc", "asinh", "acosh", "atanh", "acoth", "abs", "erf", "sqrt", "2^x", "x^x",
                     "log(x, 2)"):
        assert function in written, function


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_corpus_expression_is_derived_completely_and_proved(text: str) -> None:
    expr = parse_expression(text, variable="x", catalogue=catalogue_names())
    derivation = derive(expr, variable=x)
    stuck = [step.annotation.plain() for step in walk(derivation.steps) if step.rule == "unsupported"]
    assert not stuck, stuck
    unproved = [(step.rule, str(step.before), str(step.after), step.verification.method)
                for step in walk(derivation.steps) if step.verification is None or step.verification.status != "proved"]
    assert not unproved, unproved
    assert derivation.complete and derivation.proved
    expected = sympy.diff(expr.doit(), x)
    agreement = prove_equal(derivation.result, expected, x)
    assert agreement.status == "proved", (str(derivation.result), str(expected), agreement.method)
