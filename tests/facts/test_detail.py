"""The level of detail (derive.facts.detail): what each fold does, and that every level shows only
proved steps that start and end where the full derivation does."""

from __future__ import annotations

import dataclasses

import pytest
import sympy
from hypothesis import given, settings

from derive.api import derive
from derive.errors import InputError
from derive.facts.detail import DETAILS, at_detail, check_detail
from derive.functions import variable
from derive.model import Step
from derive.parse import parse_expression
from derive.printing import to_plain
from derive.verify import prove_equal
from tests.differentiate.test_hypothesis_differentiator import SETTINGS, with_x

x = variable("x")


def walk(steps: tuple[Step, ...]):
    for step in steps:
        yield step
        yield from walk(step.substeps)


def depth(steps: tuple[Step, ...]) -> int:
    return max((1 + depth(step.substeps) for step in steps), default=0)


def rules(text: str, detail: str, route: str | None = None) -> list[str]:
    subject = text if route else parse_expression(text)
    return [step.rule for step in derive(subject, route=route, detail=detail).steps]


# (expression, level, the rules of the top-level steps): one row per fold.
FOLDS = [
    # the neutral-element move is folded into the power rule, which then reads 2x, not 2x^1
    ("x^2", "full", ["power"]),  # the power rule writes 2x itself: no 2x^1 left to drop
    ("x^2", "standard", ["power"]),
    # the derivative of a constant multiple of the variable is one line, not three
    ("-x", "full", ["constant_multiple", "variable"]),  # -1·1 prints as -1: no "drop zeros and ones" line repeats it
    ("-x", "standard", ["constant_multiple"]),
    # the derivative of a constant joins the step before it
    ("x^2 + 3", "full", ["sum", "power", "constant", "drop_neutral"]),
    ("x^2 + 3", "standard", ["sum", "power"]),
    # a step that repeats the line before (asin: "multiply out" changes nothing) is gone
    ("asin(x)", "full", ["asin"]),  # 1/sqrt(1 - x^2) as (1 - x^2)^(-1/2) is no line of its own
    ("asin(x)", "standard", ["asin"]),
    # |x|: the repeated lines go; the break point's words stay (on the step before)
    ("abs(x)", "full", ["rewrite_piecewise", "piecewise", "constant_multiple", "variable", "break_point"]),
    ("abs(x)", "standard", ["rewrite_piecewise", "piecewise", "constant_multiple"]),
    # brief: one line per rule application, the algebra after it one line
    ("x^2*sin(x)", "brief", ["product", "common_factor"]),  # no step that only reorders the terms
]


@pytest.mark.parametrize(("text", "detail", "expected"), FOLDS)
def test_each_fold(text: str, detail: str, expected: list[str]) -> None:
    assert rules(text, detail) == expected


def test_power_rule_words_follow_the_folded_result() -> None:
    (step,) = derive(parse_expression("x^2"), detail="standard").steps
    assert to_plain(step.after) == "2*x"
    assert "2*x^1" not in step.annotation.plain() and "2*x" in step.annotation.plain()


def test_break_point_words_are_kept() -> None:
    steps = derive(parse_expression("abs(x)"), detail="standard").steps
    assert "no derivative there" in steps[-1].annotation.plain()


def test_chain_rule_with_a_linear_inner_function_says_it_in_words() -> None:
    """d/dx e^(−x) is one step: its outer and inner derivatives are in its words, no sub-steps."""
    (step, *_) = derive(parse_expression("e^(-x)"), detail="standard").steps
    assert step.rule == "chain" and step.substeps == ()
    assert "Outer function" in step.annotation.plain() and "Inner function" in step.annotation.plain()


def test_sigmoid_is_shallower_and_keeps_its_ending() -> None:
    full, standard, brief = (derive("sigmoid", detail=detail) for detail in ("full", "standard", "brief"))
    assert depth(full.steps) == 5 and depth(standard.steps) == 3 and depth(brief.steps) == 1
    for derivation in (full, standard, brief):
        assert derivation.steps[-1].rule == "recognise"
        assert to_plain(derivation.result) == "sigma(x)*(1 - sigma(x))"
    assert len(brief.steps) < len(standard.steps) < len(full.steps) + 1


def test_a_fold_that_cannot_be_proved_is_not_made() -> None:
    """Folding never trusts itself: a step whose proof is missing stays as it is, unfolded."""
    full = derive(parse_expression("x^2 + 3"), detail="full")
    # a forged chain: the power rule's proof is taken away, so nothing may fold into it
    steps = list(full.steps)
    steps[1] = dataclasses.replace(steps[1], verification=None)
    broken = dataclasses.replace(full, steps=tuple(steps))
    folded = at_detail(broken, "standard")
    assert [step.rule for step in folded.steps][1:3] == ["power", "constant"]


def test_unknown_detail_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown level of detail 'terse': choose one of brief, standard, full"):
        derive("sigmoid", detail="terse")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        check_detail("verbose")


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "silu", "gelu", "mish", "relu", "elu", "logsigmoid"])
@pytest.mark.parametrize("detail", DETAILS)
def test_catalogue_at_every_level_is_proved(name: str, detail: str) -> None:
    derivation = derive(name, detail=detail)
    assert derivation.proved and all(step.verification is not None and step.proved for step in walk(derivation.steps))
    full = derive(name, detail="full")
    assert derivation.result == full.result and derivation.steps[0].before == full.steps[0].before
    assert derivation.detail == detail


@settings(SETTINGS, max_examples=40)
@given(with_x)
def test_every_level_shows_only_proved_steps_ending_at_sympy_diff(expr: sympy.Expr) -> None:
    expected = sympy.diff(expr, x)
    for detail in DETAILS:
        derivation = derive(expr, x, detail=detail)
        shown = list(walk(derivation.steps))
        assert all(step.verification is not None and step.verification.status == "proved" for step in shown)
        chain = derivation.steps
        assert all(first.after == second.before for first, second in zip(chain, chain[1:]))
        assert chain[0].before == sympy.Derivative(expr, x) if chain else True
        assert prove_equal(derivation.result, expected, x).status == "proved"
