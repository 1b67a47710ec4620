"""Issue 13: the tidy-up moves say what they do, and a line reads as a teacher writes it.

"Multiply out signs and constants" was the name of every SymPy re-evaluation: a cancellation
(x · 1/x = 1 in d/dx xˣ), combined powers (e^{z₁} e^{z₁} = e^{2z₁} in the softmax), and steps that only
reordered factors. Each move is now named by what it does, a move that only reorders is no step,
sums keep the order the line before printed, and a sign left by the chain rule inside a longer
line (−(e^{−x}·(−1)) in tanh's quotient route) is multiplied out on the next line.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sympy

from derive.api import derive, softmax_jacobian
from derive.differentiate.catalogue import ENTRIES
from derive.differentiate.moves import arithmetic_step, multiply_out
from derive.expressions import negate, product, total
from derive.functions import variable
from derive.model import Derivation, Gradient, Step
from derive.parse import parse_expression
from derive.printing import to_plain
from test_corpus import EXPRESSIONS

x = variable("x")
E = sympy.exp

# (the line, as a derivation wrote it; the line after the move; the rule; words the step says)
MOVES = [
    (total(sympy.log(x), product(x, 1 / x)), "log(x) + 1", "cancel", "Cancel: x/x = 1."),
    (product(E(x), E(x)), "e^(2*x)", "combine_powers", "e^x*e^x = e^(2*x)"),
    (total(x, x), "2*x", "combine_like_terms", "x + x = 2*x"),
    # the quotient rule's numerator of x/(x^2 + 1): powers combined, then like terms; positive first
    (total(total(x**2, 1), negate(product(x, product(2, x)))), "1 - x^2", "combine_like_terms",
     "Combine the powers of one base and the like terms"),
    (negate(product(E(-x), -1)), "e^(-x)", "evaluate_arithmetic", "Multiply out the signs and the numeric factors."),
    (product(negate((1 + E(-x)) ** -1), negate(E(-x))), "e^(-x)/(1 + e^(-x))", "evaluate_arithmetic", "signs"),
    (product(E(2 * x), 2), "2*e^(2*x)", "constants_first", "Put the numeric factor first: e^(2*x)*2 = 2*e^(2*x)."),
    (product(2, product(x, 2)), "4*x", "evaluate_arithmetic", "numeric factors"),
    # acos(x²)′: 1/√u is stored as u^(-1/2) once multiplied, which combines and cancels no power
    (product(negate(sympy.Pow(sympy.sqrt(1 - x**4), -1, evaluate=False)), product(2, x)), "-2*x/sqrt(1 - x^4)",
     "evaluate_arithmetic", "Multiply out the signs and the numeric factors."),
    (product(sympy.cos(x**2 + 1), product(2, x)), "2*x*cos(x^2 + 1)", "constants_first",
     "Put the numeric factor first"),
    (product(product(sympy.sin(x), 1 / sympy.Abs(sympy.sin(x))), sympy.cos(x)), "sin(x)*cos(x)/|sin(x)|",
     "one_fraction", "one fraction"),
    # (a + b)(a + b) stays a product: the expansion that follows shows it; −(a + b) keeps its brackets
    (total(product(total(E(x), E(-x)), total(E(x), E(-x))), negate(product(total(E(x), negate(E(-x))), total(E(x), negate(E(-x)))))),
     None, None, None),
]
# lines that only reorder, or only drop brackets around a product: no move at all
NO_MOVE = [
    product(E(x * sympy.log(x)), total(sympy.log(x), 1)),
    total(sympy.log(x), 1),
    product(sympy.sin(x), product(x, sympy.cos(x))),
    sympy.Pow(product(sympy.Abs(x), sympy.sqrt(x**2 - 1)), -1, evaluate=False),
]


@pytest.mark.parametrize(("line", "after", "rule", "words"), [move for move in MOVES if move[1] is not None])
def test_each_move_is_named_by_what_it_does(line: sympy.Expr, after: str, rule: str, words: str) -> None:
    result, changes = multiply_out(line)
    assert to_plain(result) == after
    named, annotation = arithmetic_step(changes)
    assert named == rule
    assert words in annotation.plain(), annotation.plain()
    assert sympy.simplify(result - line) == 0


@pytest.mark.parametrize("line", NO_MOVE, ids=to_plain)
def test_a_line_that_only_reorders_is_no_move(line: sympy.Expr) -> None:
    result, changes = multiply_out(line)
    assert changes == ()
    assert to_plain(result) == to_plain(line)


def _walk(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        yield from _walk(step.substeps)


def _lines(derivation: Derivation) -> list[str]:
    return [f"{to_plain(step.after)} [{step.rule}] {step.annotation.plain()}" for step in derivation.steps]


def test_x_to_the_x_cancels_in_words_and_does_not_reorder() -> None:
    """d/dx xˣ: x/x = 1 (the LaTeX writes \\frac{x}{x}) is a cancellation, said so; no step only reorders e^{x ln x}(ln x + 1)."""
    derivation = derive(parse_expression("x^x"))
    steps = list(_walk(derivation.steps))
    (cancel,) = [step for step in steps if step.rule == "cancel"]
    assert to_plain(cancel.before) == "log(x) + x/x" and to_plain(cancel.after) == "log(x) + 1"
    assert cancel.annotation.plain() == "Cancel: x/x = 1."
    assert [step.rule for step in derivation.steps] == ["general_power", "chain", "restore_power"]
    assert to_plain(derivation.result) == "x^x*(log(x) + 1)"


def test_tanh_by_the_quotient_rule_reads_as_a_teacher_writes_it() -> None:
    derivation = derive("tanh")
    lines = [to_plain(step.after) for step in derivation.steps]
    # the sum rule keeps the order of e^x - e^(-x) as written
    assert "d/dx(e^x) + d/dx(-e^(-x))" in lines[2]
    # the sign the chain rule leaves is multiplied out on the next line, while derivatives are left
    signs = next(index for index, line in enumerate(lines) if "e^(-x)*(-1)" in line)
    assert "e^(-x)*(-1)" not in lines[signs + 1] and derivation.steps[signs + 1].rule == "evaluate_arithmetic"
    assert derivation.steps[signs + 1].annotation.plain() == "Multiply out the signs: -e^(-x)*(-1) = e^(-x)."
    # the product of two equal factors is visibly one, then expanded: 4/(e^x + e^(-x))^2
    assert lines[-2] == "((e^x + e^(-x))*(e^x + e^(-x)) - (e^x - e^(-x))*(e^x - e^(-x)))/(e^x + e^(-x))^2"
    assert lines[-1] == "4/(e^x + e^(-x))^2"
    # no line prints its factors in another order than the line before
    for before, after in zip(lines, lines[1:]):
        assert "(e^x + e^(-x)*(-1))*(e^x - e^(-x))" not in after, (before, after)


def test_tanh_through_the_sigmoid_keeps_the_written_order() -> None:
    derivation = derive("tanh", route="sigmoid")
    lines = [to_plain(step.after) for step in derivation.steps]
    assert lines[1] == "d/dx(2*sigma(2*x)) + d/dx(-1)"
    assert "4*sigma(2*x)*(1 - sigma(2*x))" in lines  # 2 · σ(2x)(1 − σ(2x)) · 2, the numbers multiplied, σ first
    assert "4*(1 - sigma(2*x))*sigma(2*x)" not in lines


@pytest.mark.parametrize("detail", ["brief", "standard"])
def test_the_softmax_holds_its_constants_in_one_sentence(detail: str) -> None:
    """Issue 13: ∂s₁/∂z₁ held e^{z₂} and then e^{z₃} constant in two steps; every entry of the
    Jacobian document says the letters it holds constant in one sentence, on the step they join."""
    facts = softmax_jacobian(detail=detail)
    for (i, j), derivation in facts.entries.items():
        steps = list(_walk(derivation.steps))
        assert not [step for step in steps if step.rule == "hold_constant"], (i, j)
        for step in steps:
            assert step.annotation.plain().count("Hold ") <= 1, step.annotation.plain()
            if step.rule == "combine_powers":
                assert f"e^z_{j}*e^z_{j} = e^(2*z_{j})" in step.annotation.plain() or i != j
    first = [step.annotation.plain() for step in facts.entries[(1, 1)].steps]
    if detail == "standard":
        assert any("Hold e^z_2 and e^z_3 constant: they do not depend on z_1, so their derivatives are 0." in words
                   for words in first), first


#: Every catalogue entry's routes and every corpus expression: what the sweep of issue 13 read.
DOCUMENTS = [(entry.name, route) for entry in ENTRIES for route in entry.route_names] + [(text, None) for text in EXPRESSIONS]
ARITHMETIC = {"evaluate_arithmetic", "cancel", "combine_powers", "combine_like_terms"}
#: Moves that change how a line is written, not what it says (so the text may stay or only reorder).
NOTATION_MOVES = {"rewrite_as_power", "negative_power_as_fraction", "break_point", "unsupported"}


@pytest.mark.parametrize(("name", "route"), DOCUMENTS, ids=[name if route is None else f"{name}/{route}" for name, route in DOCUMENTS])
def test_no_tidy_step_only_reorders_or_repeats_its_line(name: str, route: str | None) -> None:
    """The sweep of issue 13 (standard detail): an arithmetic move changes more than the order of
    what it prints (writing the constant first, or a product as one fraction, says that it does
    only that), and no step writes the line before it again."""
    found = derive(name, route=route) if route is not None else derive(parse_expression(name))
    derivations = found.derivations if isinstance(found, Gradient) else (found,)
    faults = []
    for derivation in (one for one in derivations if isinstance(one, Derivation)):
        for step in _walk(derivation.steps):
            before, after = to_plain(step.before, notation=step.notation), to_plain(step.after, notation=step.notation)
            if step.rule in ARITHMETIC and sorted(before.replace(" ", "")) == sorted(after.replace(" ", "")):
                faults.append(f"[{step.rule}] only reorders {before} -> {after}")
            if before == after and step.rule not in NOTATION_MOVES and not step.substeps:
                faults.append(f"[{step.rule}] repeats {after}")
    assert not faults, "\n".join(faults)
