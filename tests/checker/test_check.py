"""The student-derivation checker: verdicts per line, chains, counterexamples, definitions.

Semantics under test (the spec): every line asserts an identity for all real x; σ' and d/dx(...)
are true derivatives; a continuation line ``= B`` continues the chain of the last explicit left
side; after a wrong line, later lines are "consistent with wrong line k (error carried forward)",
"correct again (agrees with line k)" or a "new error"; in ``≈`` lines each decimal literal with d
places stands for the interval ±½·10^(-d). Blank and %/# comment lines keep their numbers.

Every expected verdict here was worked out by hand (and the counterexample values are evaluated
independently with mpmath, never with derive's own evaluator).
"""

from __future__ import annotations

import re

import mpmath
import pytest
import sympy

from derive.checker import Report, check
from derive.checker.worker import ProofWorker
from derive.errors import DeriveError, InputError, UnknownFunctionError
from derive.functions import sigma
from derive.functions import variable as real_variable

mpmath.mp.dps = 30


@pytest.fixture(scope="module")
def worker():
    with ProofWorker(timeout=20) as proof_worker:
        yield proof_worker


def run(worker: ProofWorker, text: str, **options) -> Report:
    report = check(text, worker=worker, **options)
    assert_sane(report)
    return report


def assert_sane(report: Report) -> None:
    """Invariants every report must keep, whatever the input."""
    assert report.lines, "a report always has at least one line"
    numbers = [line.line for line in report.lines]
    assert numbers == sorted(set(numbers)), "line numbers are increasing and unique"
    for line in report.lines:
        assert line.status in ("correct", "wrong", "unparsed")
        assert line.message.strip()
        assert line.relation.strip()
        noted_definition = line.relation == "definition" and line.diagnosis_key == "not_the_exercise_function"
        if line.status == "correct":
            assert line.counterexample is None
            assert noted_definition or (line.diagnosis is None and line.diagnosis_key is None)
            if not line.proved:
                assert "numeric" in line.message.lower(), f"'correct' but not proved, and the message hides it: {line}"
        else:
            assert not line.proved
        if line.status != "wrong":
            assert noted_definition or line.diagnosis_key is None
        if line.diagnosis_key is not None:
            assert line.diagnosis
    assert report.valid == all(line.status == "correct" for line in report.lines)
    bad = [line.line for line in report.lines if line.status != "correct"]
    assert report.first_error == (bad[0] if bad else None)
    data = report.as_json_data()
    assert data["valid"] == report.valid and data["first_error"] == report.first_error


# ---------------------------------------------------------------------------------------------
# One-line verdicts, in both syntaxes and the notations students use
# ---------------------------------------------------------------------------------------------

CORRECT_LATEX = [
    r"\sigma'(x) = \sigma(x)(1-\sigma(x))",
    r"\sigma'(x) = \sigma(x)\cdot(1-\sigma(x))",
    r"\sigma'(x) = \sigma(x)\times(1-\sigma(x))",
    r"\sigma'(x) = \sigma(x)\left(1-\sigma(x)\right)",
    r"\sigma'(x)=\sigma(x)\,\left(1 - \sigma(x)\right)",
    r"\sigma'(x) = \sigma(x) - \sigma^{2}(x)",
    r"\sigma'(x) = \sigma(x) - \sigma(x)^2",
    r"\sigma^{\prime}(x) = \sigma(x)(1-\sigma(x))",
    r"\frac{d}{dx}\sigma(x) = \frac{e^{-x}}{(1+e^{-x})^{2}}",
    r"\frac{d\sigma}{dx} = \sigma(1-\sigma)",
    r"\frac{\mathrm{d}}{\mathrm{d}x}\sigma(x) = \sigma(x)\cdot(1-\sigma(x))",
    r"\frac{d}{dx}\left(\frac{1}{1+e^{-x}}\right) = \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}",
    r"\frac{d}{dx}\left[\frac{1}{1+e^{-x}}\right] = \frac{e^{-x}}{\left(1+e^{-x}\right)^2}",
    r"\frac{d}{dx}\left(1+e^{-x}\right)^{-1} = -\left(1+e^{-x}\right)^{-2}\cdot\left(-e^{-x}\right)",
    r"\frac{d}{dx}\left(1+e^{-x}\right)^{-1} = \left(1+e^{-x}\right)^{-2}e^{-x}",
    r"\frac{d}{dx}\left(1 + e^{-x}\right) = -e^{-x}",
    r"\sigma'(x) = \dfrac{e^{-x}}{(1+e^{-x})^{2}}",
    r"\sigma'(x) = \tfrac{e^{-x}}{(1+e^{-x})^{2}}",
    r"\sigma'(x) = \frac{\exp(-x)}{(1+\exp(-x))^{2}}",
    r"\sigma'(x) = \frac{1}{4\cosh^{2}(x/2)}",
    r"\sigma'(x) = \frac{1}{4\cosh^{2}(\frac{x}{2})}",
    r"\sigma'(x) = \frac{1}{4}(1-\tanh^{2}(x/2))",
    r"\sigma'(x) = \frac{1}{e^{x} + 2 + e^{-x}}",
    r"\sigma'(x) = \frac{e^{x}}{(1+e^{x})^2}",
    r"\sigma'(x) = e^{-x}\sigma(x)^{2}",
    r"\sigma'(x) = \sigma(x)\sigma(-x)",
    r"\sigma(-x) = 1 - \sigma(x)",
    r"\sigma(x) + \sigma(-x) = 1",
    r"1 - \sigma(x) = \frac{e^{-x}}{1+e^{-x}}",
    r"\sigma(x) = \frac{1}{1+e^{-x}} = \frac{e^x}{e^x+1}",
    r"\sigma(x) = \frac{1}{2}\left(1+\tanh\left(\frac{x}{2}\right)\right)",
    r"\tanh(x) = 2\sigma(2x) - 1",
    r"\ln(\sigma(x)) = -\ln(1+e^{-x})",
    r"\ln(\sigma(x)) - \ln(1-\sigma(x)) = x",
    r"\frac{d}{dx}\ln(1+e^{-x}) = \frac{-e^{-x}}{1+e^{-x}}",
    r"\frac{d}{dx}\log\left(1+e^{-x}\right) = -\frac{e^{-x}}{1+e^{-x}}",
    r"\frac{d}{dx}\log(\sigma(x)) = 1-\sigma(x)",
    r"\frac{\sigma'(x)}{\sigma(x)} = \frac{e^{-x}}{1+e^{-x}}",
    r"\sigma''(x) = \sigma(x)(1-\sigma(x))(1-2\sigma(x))",
    r"\frac{d^{2}}{dx^{2}}\sigma(x) = \sigma(x)(1-\sigma(x))(1-2\sigma(x))",
    r"\sigma'(0) = \sigma(0)(1-\sigma(0)) = \frac{1}{4}",
    r"\sigma(0) = 0.5",
    r"\sigma(1) \approx 0.7311",
    r"\sigma(1) \approx 0.73",
    r"\sigma(1) \approx \frac{1}{1+0.368}",
    r"\sigma'(1) \approx 0.1966",
    r"\sigma'(1) \approx 0.2",
    r"\sigma(10) \approx 1.0",
    r"\sigma(-10) \approx 0.0",
    r"\sigma'(50) \approx 0.000",
    r"1.0 \approx \sigma(10)",
    r"\sigma'(x) &= \sigma(x)(1-\sigma(x)) \\",
    r"\sigma'(x) = \sigma(x)(1-\sigma(x)).",
    r"\sigma'(x) = \sigma(x)(1-\sigma(x)) % the final answer",
    r"$\sigma'(x) = \sigma(x)(1-\sigma(x))$",
]

CORRECT_TEXT = [
    "sigma'(x) = sigma(x)*(1-sigma(x))",
    "sigma'(x) = sigma(x)(1 - sigma(x))",
    "σ'(x) = σ(x)(1 − σ(x))",
    "σ'(x) = σ(x)·(1 − σ(x))",
    "σ″(x) = σ(x)(1-σ(x))(1-2σ(x))",
    "dσ/dx = σ(1-σ)",
    "d/dx σ(x) = σ(x)(1-σ(x))",
    "d/dx sigma(x) = exp(-x)/(1+exp(-x))^2",
    "sigma'(x) = e^(-x)/(1+e^(-x))^2",
    "sigma(x) = 1/(1+exp(-x))",
    "sigma(-x) = 1 - sigma(x)",
    "σ(−x) = 1 − σ(x)",
    "d/dx ln(1+exp(-x)) = -exp(-x)/(1+exp(-x))",
    "sigma'(0) = 1/4",
    "sigma'(0) = 0.25",
    "sigma(1) ≈ 0.7311",
    "sigma(1) ≈ 0.731",
    "sigma(-1) ≈ 0.2689",
    "sigma(2) ≈ 0.8808",
]

WRONG_LATEX = [
    r"\sigma'(x) = \sigma(x)(1+\sigma(x))",
    r"\sigma'(x) = -\frac{e^{-x}}{(1+e^{-x})^2}",
    r"\sigma'(x) = \frac{e^{-x}}{1+e^{-x}}",
    r"\sigma'(x) = 2\sigma(x)(1-\sigma(x))",
    r"\sigma'(x) = \frac{1}{4\cosh^{2}(x)}",
    r"\sigma'(x) = \frac{1}{(1+e^{-x})^{2}}",
    r"\frac{d}{dx}e^{-x} = e^{-x}",
    r"\frac{d}{dx}\left(1+e^{-x}\right)^{-1} = -\left(1+e^{-x}\right)^{-2}",
    r"\sigma(-x) = -\sigma(x)",
    r"\sigma(x) = \frac{1}{1-e^{-x}}",
    r"\sigma(x) = \frac{1}{1+e^{x}}",
    r"\sigma(x) = \tanh(x)",
    r"\sigma(1) \approx 0.7315",
    r"\sigma(1) \approx 0.7310",
    r"\sigma(1) \approx \frac{1}{1+0.367}",
    r"\sigma(1) = 0.7311",
    r"\sigma'(1) \approx 0.19",
    r"\sigma(0) \approx 1",
    r"\sigma(10) \approx 1",
    r"\sigma(1) \approx 1",
    r"\sigma'(0) \approx 0",
    r"\sigma(1) \approx 0.7311 \approx 1",
    r"\sigma(10.0) \approx 1",
]

WRONG_TEXT = [
    "sigma'(x) = sigma(x)^2",
    "sigma'(x) = exp(-x)/(1+exp(-x))",
    "d/dx sigma(x) = sigma(x)",
    "sigma'(x) = sigma(x)*(1-sigma(x)) = exp(-x)/(1+exp(-x))^2 = 0",
    "σ'(x) = σ(x)(1 + σ(x))",
    "sigma(1) ≈ 0.74",
]

UNPARSED = [
    # (line, expected column: the 1-based position the parser complains about)
    (r"\sigma'(x) = \frac{e^{-x}}{(1+e^{-x)^2}", 36),
    (r"\sigma'(x) = \sigam(x)(1 - \sigma(x))", 14),
    (r"\sigma'(x) = \sigma(x)(1 - \sigma(x)", 23),
    ("sigma'(x) = sigma(x)*(1 - sigma(x)))", 36),
    ("σ'(x) = σ(x)(1 - σ(x)) + ", 25),
    ("<script>alert(1)</script>", 1),
]


def _cases(lines: list[str], status: str) -> list:
    return [pytest.param(line, status, id=f"{status}-{index}") for index, line in enumerate(lines)]


@pytest.mark.parametrize(
    ("text", "status"),
    _cases(CORRECT_LATEX, "correct") + _cases(CORRECT_TEXT, "correct") + _cases(WRONG_LATEX, "wrong")
    + _cases(WRONG_TEXT, "wrong"),
)
def test_one_line_verdict(worker, text: str, status: str) -> None:
    report = run(worker, text)
    (line,) = report.lines
    assert line.status == status, line.message
    assert line.line == 1
    assert line.source == text
    assert report.valid is (status == "correct")
    assert report.first_error == (None if status == "correct" else 1)
    # σ's definition written out is the exercise restated (no step); any other first line is a claim
    assert line.relation == ("restates the exercise" if text == "sigma(x) = 1/(1+exp(-x))" else "first line")
    if status == "correct":
        assert line.proved, "every correct line in this table has a symbolic proof or an interval proof"
    else:
        assert line.counterexample is not None, "a wrong line comes with the values that show it"


@pytest.mark.parametrize(("text", "syntax"), [
    (CORRECT_LATEX[0], "latex"), (CORRECT_LATEX[9], "latex"), (CORRECT_TEXT[0], "text"), (CORRECT_TEXT[2], "text"),
    ("sigma'(x) = sigma(x)*(1 - sigma(x))", "latex"),
])
def test_syntax_detection_and_override(worker, text: str, syntax: str) -> None:
    report = run(worker, text, syntax=syntax)
    assert report.syntax == syntax
    assert report.valid


def test_syntax_is_detected_per_file(worker) -> None:
    assert run(worker, "sigma'(x) = sigma(x)*(1-sigma(x))").syntax == "text"
    assert run(worker, r"\sigma'(x) = \sigma(x)(1-\sigma(x))").syntax == "latex"


@pytest.mark.parametrize(("text", "column"), UNPARSED)
def test_unparsed_lines_say_where(worker, text: str, column: int) -> None:
    report = run(worker, text)
    (line,) = report.lines
    assert line.status == "unparsed"
    assert line.column == column
    assert f"column {column}" in line.message
    assert not report.valid and report.first_error == 1


def test_continuation_without_a_chain_is_unparsed(worker) -> None:
    (line,) = run(worker, r"= \sigma(x)(1-\sigma(x))").lines
    assert line.status == "unparsed"
    assert "no earlier line" in line.message


def test_numeric_only_verdict_says_so(worker) -> None:
    """An identity derive can only check numerically is 'correct' but never claimed as proved."""
    (line,) = run(worker, r"\arctan(e^{x}) + \arctan(e^{-x}) = \frac{\pi}{2}").lines
    assert line.status == "correct"
    if not line.proved:
        assert "numerically" in line.message and "not proved" in line.message


@pytest.mark.parametrize(("text", "name"), [
    ("sigma(x) ≈ 0.5", "x"),
    ("sigma(t) ≈ 0.5", "t"),
    (r"\sigma(w) \approx 0.5", "w"),
])
def test_an_approximation_in_the_variable_names_it_as_mathematics(worker, text: str, name: str) -> None:
    """Issue 13: "both sides must be numbers (no x)" typesets the variable (it was an upright x
    in the LaTeX report), and names the variable the line is in."""
    (line,) = run(worker, text, variable=name).lines
    assert line.status == "wrong"
    assert line.message == f"Cannot check this approximation: both sides must be numbers (no {name}) that derive can evaluate."
    assert [str(piece) for piece in line.message.segments if not isinstance(piece, str)] == [name], "the variable is a formula"


def test_a_lone_expression_starts_the_chain(worker) -> None:
    report = run(worker, "\\frac{d}{dx}\\sigma(x)\n= \\frac{e^{-x}}{(1+e^{-x})^{2}}\n= \\sigma(x)(1-\\sigma(x))")
    assert [line.relation for line in report.lines] == ["start", "follows from line 1", "follows from line 2"]
    assert report.valid


# ---------------------------------------------------------------------------------------------
# Whole derivations: chains, errors carried forward, corrections, comments
# ---------------------------------------------------------------------------------------------

CHAIN_RULE = r"""\sigma'(x) = \frac{d}{dx}\left(1+e^{-x}\right)^{-1}
= -\left(1+e^{-x}\right)^{-2}\cdot\left(-e^{-x}\right)
= \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}
= \frac{1}{1+e^{-x}}\cdot\frac{e^{-x}}{1+e^{-x}}
= \sigma(x)\left(1-\sigma(x)\right)"""

CARRIED_THEN_CORRECT = r"""\sigma'(x) = \frac{d}{dx}\left(1+e^{-x}\right)^{-1}
= -\left(1+e^{-x}\right)^{-2}\cdot e^{-x}
= \frac{-e^{-x}}{\left(1+e^{-x}\right)^{2}}
= \sigma(x)\left(1-\sigma(x)\right)"""

NEW_ERROR = r"""\sigma'(x) = \frac{d}{dx}\left(1+e^{-x}\right)^{-1}
= -\left(1+e^{-x}\right)^{-2}\cdot e^{-x}
= \frac{-e^{-x}}{\left(1+e^{-x}\right)^{3}}
= \sigma(x)\left(1-\sigma(x)\right)"""

CARRIED_TO_THE_END = """sigma'(x) = d/dx (1+e^(-x))^(-1)
= -(1+e^(-x))^(-2) * e^(-x)
= -e^(-x)/(1+e^(-x))^2
= -sigma(x)(1-sigma(x))"""

QUOTIENT_RULE = r"""\sigma(x) = \frac{1}{1+e^{-x}}
\sigma'(x) = \frac{0\cdot\left(1+e^{-x}\right) - 1\cdot\left(-e^{-x}\right)}{\left(1+e^{-x}\right)^{2}}
= \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}
= \frac{1}{1+e^{-x}}\cdot\frac{\left(1+e^{-x}\right)-1}{1+e^{-x}}
= \sigma(x)\left(1-\sigma(x)\right)"""

LOG_DIFFERENTIATION = r"""\ln(\sigma(x)) = -\ln\left(1+e^{-x}\right)
\frac{\sigma'(x)}{\sigma(x)} = \frac{e^{-x}}{1+e^{-x}}
= 1-\sigma(x)
\sigma'(x) = \sigma(x)\left(1-\sigma(x)\right)"""

COMMENTED = """% Sigmoid derivative, homework 3

# chain rule
sigma(x) = 1/(1+exp(-x))

sigma'(x) = exp(-x)/(1+exp(-x))^2
% now simplify
= sigma(x)*(1-sigma(x))"""

UNPARSED_IN_THE_MIDDLE = r"""\sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^2}
\sigma'(x) = \frac{e^{-x}}{(1+e^{-x)^2}
= \sigma(x)(1-\sigma(x))"""

WRONG_SIGMA_THEN_RIGHT = r"""\sigma(x) = \frac{1}{1+e^{x}}
\sigma'(x) = \sigma(x)(1-\sigma(x))"""

ALIGN_STYLE = r"""\sigma'(x) &= \frac{d}{dx}\,\frac{1}{1+e^{-x}} \\
&= \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}} \\
&= \sigma(x)\left(1 - \sigma(x)\right) ."""

TWO_ERRORS = """sigma'(x) = exp(-x)/(1+exp(-x))
= 1 - sigma(x)
= sigma(x)^2
sigma'(x) = sigma(x)*(1-sigma(x))"""

# (text, [(line, status, relation)], first_error)
DERIVATIONS = {
    "chain-rule": (CHAIN_RULE, [
        (1, "correct", "first line"), (2, "correct", "follows from line 1"), (3, "correct", "follows from line 2"),
        (4, "correct", "follows from line 3"), (5, "correct", "follows from line 4"),
    ], None),
    "carried-then-correct": (CARRIED_THEN_CORRECT, [
        (1, "correct", "first line"), (2, "wrong", "does not follow from line 1"),
        (3, "wrong", "consistent with wrong line 2 (error carried forward)"),
        (4, "correct", "correct again (agrees with line 1)"),
    ], 2),
    "new-error": (NEW_ERROR, [
        (1, "correct", "first line"), (2, "wrong", "does not follow from line 1"),
        (3, "wrong", "new error: does not follow from line 2"), (4, "correct", "correct again (agrees with line 1)"),
    ], 2),
    "carried-to-the-end": (CARRIED_TO_THE_END, [
        (1, "correct", "first line"), (2, "wrong", "does not follow from line 1"),
        (3, "wrong", "consistent with wrong line 2 (error carried forward)"),
        (4, "wrong", "consistent with wrong line 3 (error carried forward)"),
    ], 2),
    "quotient-rule": (QUOTIENT_RULE, [
        (1, "correct", "restates the exercise"), (2, "correct", "follows from line 1"), (3, "correct", "follows from line 2"),
        (4, "correct", "follows from line 3"), (5, "correct", "follows from line 4"),
    ], None),
    "log-differentiation": (LOG_DIFFERENTIATION, [
        (1, "correct", "first line"), (2, "correct", "follows from line 1"), (3, "correct", "follows from line 2"),
        (4, "correct", "follows from line 3"),
    ], None),
    "comments-keep-numbers": (COMMENTED, [
        (4, "correct", "restates the exercise"), (6, "correct", "follows from line 4"), (8, "correct", "follows from line 6"),
    ], None),
    "unparsed-in-the-middle": (UNPARSED_IN_THE_MIDDLE, [
        (1, "correct", "first line"), (2, "unparsed", "not read"), (3, "correct", "correct (line 2 could not be read)"),
    ], 2),
    "wrong-sigma-definition": (WRONG_SIGMA_THEN_RIGHT, [
        (1, "wrong", "first line"), (2, "correct", "correct (after the error on line 1)"),
    ], 1),
    "align-style": (ALIGN_STYLE, [
        (1, "correct", "first line"), (2, "correct", "follows from line 1"), (3, "correct", "follows from line 2"),
    ], None),
    "two-errors-then-restart": (TWO_ERRORS, [
        (1, "wrong", "first line"), (2, "wrong", "consistent with wrong line 1 (error carried forward)"),
        (3, "wrong", "new error: does not follow from line 2"), (4, "correct", "correct (after the error on line 1)"),
    ], 1),
}


INDEPENDENT_CLAIMS = r"""\sigma(0) = \frac{1}{2}
\sigma'(0) = \frac{1}{4}
\sigma(1) \approx 0.7311
\sigma(1000) = 1
\sigma(-x) = 1 - \sigma(x)
\sigma(2) \approx 0.8808"""

DERIVATIONS["independent-claims"] = (INDEPENDENT_CLAIMS, [
    (1, "correct", "first line"), (2, "correct", "new claim"), (3, "correct", "new claim"), (4, "wrong", "new claim"),
    (5, "correct", "new claim"), (6, "correct", "new claim"),
], 4)


WRONG_DEFINITION_DIFFERENTIATED = r"""\sigma(x) = \frac{1}{1-e^{-x}}
\sigma'(x) = \frac{-e^{-x}}{(1-e^{-x})^2}
\sigma'(x) = \frac{e^{-x}}{(1-e^{-x})^2}"""

# The derivative of what the wrong line 1 said σ is: right for the student's σ, so carried forward.
DERIVATIONS["wrong-definition-differentiated"] = (WRONG_DEFINITION_DIFFERENTIATED, [
    (1, "wrong", "first line"), (2, "wrong", "consistent with wrong line 1 (error carried forward)"),
    (3, "wrong", "new error: does not follow from line 2"),
], 1)


UNREADABLE_THEN_CONTINUED = r"""\sigma(x) = \frac{1}{1+e^{-x}}
\sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^2} \cdot \foo
= \sigma(x)(1-\sigma(x))
\foo + \sigma'(x) = 2 \bar
= 3"""

# A '= ...' line after an unreadable line continues that line's left side if it can be read
# (σ'(x)), never the chain before it; if it cannot, the continuation cannot be checked either.
DERIVATIONS["unreadable-then-continued"] = (UNREADABLE_THEN_CONTINUED, [
    (1, "correct", "restates the exercise"), (2, "unparsed", "not read"), (3, "correct", "correct (line 2 could not be read)"),
    (4, "unparsed", "not read"), (5, "unparsed", "not read"),
], 2)


@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_derivation_verdicts(worker, name: str) -> None:
    text, expected, first_error = DERIVATIONS[name]
    report = run(worker, text)
    got = [(line.line, line.status, line.relation) for line in report.lines]
    assert got == expected
    assert report.first_error == first_error
    assert report.valid is (first_error is None)
    sources = text.splitlines()
    for line in report.lines:
        assert line.source == sources[line.line - 1], "the line number is the line of the file"


def test_carried_forward_message_names_the_first_error(worker) -> None:
    report = run(worker, CARRIED_THEN_CORRECT)
    carried = report.lines[2]
    assert "line 2" in carried.message and "valid" in carried.message
    assert carried.counterexample is not None  # still wrong as a statement about sigma'


def test_wrong_line_after_an_unreadable_one_is_not_carried_from_a_correct_line(worker) -> None:
    text = "\n".join([
        r"\sigma(x) = \frac{1}{1+e^{-x}}",
        r"\sigma'(x) = \frac{e^{-x}}{(1+e^{-x)^2}",  # typo: unreadable
        r"\sigma'(x) = \frac{1}{1+e^{-x}}",  # a new mistake: sigma' = sigma
    ])
    report = run(worker, text)
    assert [line.status for line in report.lines] == ["correct", "unparsed", "wrong"]
    third = report.lines[2]
    assert "carried forward" not in third.relation and "wrong line 1" not in third.relation
    assert "is valid" not in third.message


def test_changed_left_side_is_not_an_error_carried_forward(worker) -> None:
    report = run(worker, "\\sigma(x) = \\frac{1}{1-e^{-x}}\n\\sigma'(x) = \\frac{1}{1-e^{-x}}")
    assert [line.status for line in report.lines] == ["wrong", "wrong"]
    assert report.lines[1].relation.startswith("new error"), report.lines[1].relation


def test_crlf_and_trailing_spaces(worker) -> None:
    text = "sigma(x) = 1/(1+exp(-x))  \r\n\r\nsigma'(x) = sigma(x)*(1-sigma(x))\r\n"
    report = run(worker, text)
    assert [(line.line, line.status) for line in report.lines] == [(1, "correct"), (3, "correct")]


# ---------------------------------------------------------------------------------------------
# Counterexamples: x and both values, and they really differ (checked with mpmath)
# ---------------------------------------------------------------------------------------------

def _sig(x):
    return 1 / (1 + mpmath.exp(-x))


def _dsig(x):
    return _sig(x) * (1 - _sig(x))


COUNTEREXAMPLES = [
    # (text, line number, left(x), right(x)) -- the two sides as the student wrote them
    (r"\sigma'(x) = \sigma(x)(1+\sigma(x))", 1, _dsig, lambda x: _sig(x) * (1 + _sig(x))),
    (r"\sigma'(x) = -\frac{e^{-x}}{(1+e^{-x})^2}", 1, _dsig, lambda x: -mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2),
    (r"\sigma'(x) = \frac{e^{-x}}{1+e^{-x}}", 1, _dsig, lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x))),
    (r"\sigma'(x) = \frac{1}{4\cosh^{2}(x)}", 1, _dsig, lambda x: 1 / (4 * mpmath.cosh(x) ** 2)),
    ("sigma(x) = 1/(1-exp(-x))", 1, _sig, lambda x: 1 / (1 - mpmath.exp(-x))),
    ("sigma'(x) = sigma(x)^2", 1, _dsig, lambda x: _sig(x) ** 2),
    (r"\sigma(-x) = -\sigma(x)", 1, lambda x: _sig(-x), lambda x: -_sig(x)),
    ("f(x) = \\tanh(x)\nf'(x) = 1 + f(x)^2", 2, lambda x: 1 - mpmath.tanh(x) ** 2, lambda x: 1 + mpmath.tanh(x) ** 2),
    # a continuation line is compared with the subject of the chain (sigma'), not with the previous line
    (CARRIED_THEN_CORRECT, 3, _dsig, lambda x: -mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2),
    (NEW_ERROR, 3, _dsig, lambda x: -mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 3),
]


def _close(value: mpmath.mpf, shown: str) -> bool:
    return abs(value - mpmath.mpf(shown)) <= mpmath.mpf(10) ** -9 * max(1, abs(value))


@pytest.mark.parametrize(("text", "number", "left", "right"), COUNTEREXAMPLES)
def test_counterexample_values_are_real(worker, text, number, left, right) -> None:
    report = run(worker, text)
    line = next(line for line in report.lines if line.line == number)
    assert line.status == "wrong"
    found = line.counterexample
    assert found is not None and found.x is not None
    x = mpmath.mpf(found.x)
    expected_left, expected_right = left(x), right(x)
    assert _close(expected_left, found.left), (found, expected_left)
    assert _close(expected_right, found.right), (found, expected_right)
    assert abs(expected_left - expected_right) > mpmath.mpf(10) ** -6 * max(1, abs(expected_left))
    assert found.x in line.message and found.left in line.message and found.right in line.message
    data = line.as_json_data()["counterexample"]
    assert data == {"x": found.x, "left": found.left, "right": found.right, "at": {"x": found.x}}


@pytest.mark.parametrize(("text", "low", "high"), [
    (r"\sigma(1) \approx 0.7315", "0.73145", "0.73155"),
    (r"\sigma(1) \approx 0.7310", "0.73095", "0.73105"),
    ("sigma(1) ≈ 0.74", "0.735", "0.745"),
])
def test_approximation_counterexample_is_the_exact_value_and_the_interval(worker, text, low, high) -> None:
    (line,) = run(worker, text).lines
    assert line.status == "wrong"
    found = line.counterexample
    assert found is not None and found.x is None
    assert _close(_sig(1), found.left)
    interval = re.fullmatch(r"\[([-0-9.e]+), ([-0-9.e]+)\]", found.right)
    assert interval, found.right
    assert (mpmath.mpf(interval[1]), mpmath.mpf(interval[2])) == (mpmath.mpf(low), mpmath.mpf(high))
    assert not mpmath.mpf(low) <= _sig(1) <= mpmath.mpf(high)


def test_interval_of_an_approximate_expression(worker) -> None:
    """1/(1+0.367): 0.367 stands for [0.3665, 0.3675], so the right side spans [1/1.3675, 1/1.3665]."""
    (line,) = run(worker, r"\sigma(1) \approx \frac{1}{1+0.367}").lines
    low, high = (mpmath.mpf(v) for v in re.findall(r"[0-9.]+", line.counterexample.right))
    assert abs(low - 1 / mpmath.mpf("1.3675")) < 1e-7 and abs(high - 1 / mpmath.mpf("1.3665")) < 1e-7
    assert _sig(1) < low


def test_approximation_chain_cannot_drift(worker) -> None:
    """Every ≈ part must span the exact value: σ(1) ≈ 0.73 ≈ 0.7 ≈ 0.8 claims σ(1) ≈ 0.8 (regression)."""
    (line,) = run(worker, r"\sigma(1) \approx 0.73 \approx 0.7 \approx 0.8").lines
    assert line.status == "wrong"
    assert run(worker, r"\sigma(1) \approx 0.7311 \approx 0.731 \approx 0.73 \approx 0.7").valid


TINY_DIFFERENCE = (
    "BUG derive/verify.py Verifier.compare/_differ + prove: values are compared with an absolute tolerance "
    "of 10^-35 near zero, and when the symbolic proof fails a numerically agreeing line is still 'correct', "
    "so a false claim whose sides differ by less than 10^-35 is accepted (numeric only)")


@pytest.mark.parametrize("text", [
    r"\sigma(100) = 1",
    r"\sigma(-100) = 0",
    r"e^{-100} = 0",
    r"\sigma'(x) = \sigma(x)(1-\sigma(x)) + 10^{-50}",
    r"\sigma(-40) = 0",
    r"\sigma'(x) = \sigma(x)(1-\sigma(x)) + 10^{-30}",
])
def test_tiny_but_nonzero_differences_are_wrong(worker, text: str) -> None:
    """σ(100) is 1 - 3.7·10^-44, not 1: an exact '=' claim that is only approximately true is wrong."""
    (line,) = run(worker, text).lines
    assert line.status == "wrong", line.message


def _message_sides(message: str) -> tuple[str, str]:
    match = re.fullmatch(r"Not an identity: at x = (\S+), (.*) = (\S+) but (.*) = (\S+)\.", message)
    assert match, message
    return match[4], match[5]


def _value_of_text(text: str, at: str) -> mpmath.mpf:
    """Evaluate derive's one-line rendering by reading it with sympy (not with derive)."""
    x = sympy.Symbol("x", real=True)
    namespace = {"x": x, "e": sympy.E, "exp": sympy.exp, "cosh": sympy.cosh,
                 "sigma": sympy.Lambda(x, 1 / (1 + sympy.exp(-x)))}
    expr = sympy.sympify(text.replace("^", "**"), locals=namespace)
    return mpmath.mpf(str(sympy.N(expr.subs(x, sympy.Rational(at)), 30)))


@pytest.mark.parametrize("text", [
    r"\sigma'(x) = \frac{e^{-x}}{1+e^{-x}}",
    r"\sigma'(x) = \sigma(x)(1+\sigma(x))",
    r"\sigma'(x) = \frac{1}{(1+e^{-x})^{2}}",
    r"\sigma'(x) = \frac{1}{4\cosh^{2}(x)}",  # once shown as '1/4*cosh(x)^2' (regression)
    r"\sigma'(x) = \frac{e^{-x}}{2(1+e^{-x})}",  # once shown as 'e^(-x)/2*(1 + e^(-x))' (regression)
    r"\sigma'(x) = \frac{2}{3\sigma(x)}",
])
def test_message_shows_the_students_expression_faithfully(worker, text: str) -> None:
    """The right side quoted in the message must mean what the student wrote: read back, it has
    the value the message gives for it."""
    (line,) = run(worker, text).lines
    assert line.status == "wrong"
    shown, value = _message_sides(line.message)
    assert _close(_value_of_text(shown, line.counterexample.x), value), shown


# ---------------------------------------------------------------------------------------------
# User definitions, σ cannot be redefined, other exercises
# ---------------------------------------------------------------------------------------------

def test_definition_then_correct_derivative(worker) -> None:
    report = run(worker, "f(x) = \\tanh(x)\nf'(x) = 1 - f(x)^2")
    assert [(line.status, line.relation) for line in report.lines] == [
        ("correct", "definition"), ("correct", "follows from line 1")]
    assert "Defines f" in report.lines[0].message
    assert report.valid


def test_definition_then_wrong_derivative(worker) -> None:
    report = run(worker, "f(x) = \\tanh(x)\nf'(x) = 1 + f(x)^2")
    assert [line.status for line in report.lines] == ["correct", "wrong"]
    assert report.first_error == 2
    assert report.lines[1].relation == "does not follow from line 1"


@pytest.mark.parametrize(("text", "valid"), [
    ("f(x) = tanh(x)\nf'(x) = 1 - f(x)^2", True),
    ("g(x) = \\sigma(2x)\ng'(x) = 2\\sigma(2x)(1-\\sigma(2x))", True),
    ("g(x) = \\sigma(2x)\ng'(x) = \\sigma(2x)(1-\\sigma(2x))", False),
    ("s(x) = 1/(1+exp(-x))\ns'(x) = s(x)*(1-s(x))", True),
    ("f(x) = \\sigma(x)\nf'(x) = f(x)(1-f(x))", True),
    ("f(x) = \\sigma(x)\nf'(x) = f(x)(1+f(x))", False),
    ("f(x) = \\tanh(x)\nf(x) = \\frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}", True),
    ("f(x) = \\tanh(x)\n= \\frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}", True),
    ("f(x) = \\tanh(x)\nf(x) = \\sin(x)", False),
])
def test_user_definitions(worker, text: str, valid: bool) -> None:
    report = run(worker, text)
    assert report.lines[0].relation == "definition"
    assert report.valid is valid


@pytest.mark.parametrize("text", [
    r"\sigma(x) = \frac{1}{1-e^{-x}}",
    r"\sigma(x) = \tanh(x)",
    "sigma(x) = 1/(1+exp(x))",
    "σ(x) = e^x",
])
def test_sigma_cannot_be_redefined(worker, text: str) -> None:
    report = run(worker, text + "\n" + r"\sigma'(x) = \sigma(x)(1-\sigma(x))")
    first = report.lines[0]
    assert first.status == "wrong" and first.relation != "definition"
    assert report.lines[1].status == "correct", "σ keeps its meaning after the wrong definition"


def test_sigma_definition_with_colon_equals(worker) -> None:
    """':=' for σ is a claim like '=': a right one is correct, a wrong one is wrong (regression)."""
    right = run(worker, r"\sigma(x) := \frac{1}{1+e^{-x}}").lines[0]
    wrong = run(worker, r"\sigma(x) := \frac{1}{1-e^{-x}}").lines[0]
    assert (right.status, wrong.status) == ("correct", "wrong")


def test_user_definition_with_colon_equals(worker) -> None:
    report = run(worker, "f(x) := \\tanh(x)\nf'(x) = 1 - f(x)^2")
    assert report.lines[0].relation == "definition" and report.valid


def test_function_tanh(worker) -> None:
    right = run(worker, "f(x) = tanh(x)\nf'(x) = 1 - f(x)^2", function="tanh")
    assert right.function == "tanh" and right.valid
    wrong = run(worker, r"\frac{d}{dx}\tanh(x) = 1 + \tanh^2(x)", function="tanh")
    assert not wrong.valid and wrong.lines[0].counterexample is not None
    assert run(worker, r"\tanh'(x) = 1 - \tanh^2(x)", function="tanh").valid


def test_other_variable(worker) -> None:
    assert run(worker, r"\sigma'(t) = \sigma(t)(1-\sigma(t))", variable="t").valid
    report = run(worker, r"\sigma'(t) = \sigma(t)(1+\sigma(t))", variable="t")
    assert report.lines[0].status == "wrong"


def test_bad_options_are_derive_errors(worker) -> None:
    with pytest.raises(UnknownFunctionError):
        check("x = x", function="nosuch", worker=worker)
    with pytest.raises(InputError):
        check("x = x", syntax="bogus", worker=worker)
    for empty in ("", "   \n\n", "% only a comment\n# and another"):
        with pytest.raises(InputError):
            check(empty, worker=worker)
    assert issubclass(InputError, DeriveError)


def test_report_json_contract(worker) -> None:
    data = run(worker, CARRIED_THEN_CORRECT).as_json_data()
    assert {"valid", "first_error", "lines", "syntax", "function", "variable", "counts"} <= set(data)
    assert data["counts"] == {"correct": 2, "wrong": 2, "unparsed": 0}
    for line in data["lines"]:
        assert {"line", "source", "status", "message", "counterexample", "diagnosis", "relation"} <= set(line)


def test_worker_is_reused_and_survives(worker) -> None:
    """The shared worker answers many claims and keeps one process for them."""
    run(worker, CHAIN_RULE)
    pid = worker.pid
    run(worker, QUOTIENT_RULE)
    assert worker.pid == pid and pid is not None


# -- claims that are false by a tiny amount: found at higher precision, shown so that they differ ------

TINY_GAPS = [
    (r"\sigma(40) = 1", "0.99999999999999999575"),
    (r"\sigma(100) = 1", "1.0 - 3.72e-44"),
    (r"\sigma(1000) = 1", "1.0 - 5.08e-435"),
    (r"\sigma(200) - 1 = 0", "-1.38389652674e-87"),
    (r"\sigma(x) = \frac{1}{1+e^{-x}} + e^{-x^2-1000}", "e-438"),
    (r"\sigma(-1000) = 0", "5.07595889755e-435"),
]


@pytest.mark.parametrize(("line", "shown"), TINY_GAPS, ids=[line for line, _ in TINY_GAPS])
def test_a_claim_false_by_a_tiny_amount_is_wrong_and_the_values_differ_visibly(worker, line: str, shown: str) -> None:
    report = run(worker, line)
    (verdict,) = report.lines
    assert verdict.status == "wrong", verdict.message
    assert shown in verdict.message
    assert verdict.counterexample is not None and verdict.counterexample.left != verdict.counterexample.right
    assert verdict.diagnosis is None, "no misconception explains a difference beyond the working precision"


@pytest.mark.parametrize("line", [
    r"\sigma(-1000) = \frac{e^{-1000}}{1+e^{-1000}}", r"\sigma(1000) = \frac{1}{1+e^{-1000}}",
    r"\sigma(1000) \approx 1.000", r"1 - \sigma(50) = \sigma(-50)",
])
def test_true_claims_with_tiny_values_stay_correct(worker, line: str) -> None:
    report = run(worker, line)
    assert report.valid, report.lines[0].message


@pytest.mark.parametrize(("text", "fragments"), [
    (r"\sigma(10) \approx 1", ["sigma(10) = 0.999954602131", "1 = 1.0", "a whole number is exact", "1.0 stands for"]),
    (r"\sigma(1) \approx 0.7315", ["sigma(1) = 0.73105857863", "0.7315 stands for [0.73145, 0.73155]"]),
    (r"\sigma(0.7) \approx 1", ["sigma(0.7) lies in [", "1 = 1.0"]),
    (r"\sigma(1) \approx \frac{1}{1+0.367}", ["1/(0.367 + 1) stands for ["]),
])
def test_approximation_messages_show_what_was_written(worker, text: str, fragments: list[str]) -> None:
    (line,) = run(worker, text).lines
    assert line.status == "wrong"
    for fragment in fragments:
        assert fragment in line.message
    assert "_decimal" not in line.message


# -- a definition that is not the exercise's function is noted (not a wrong line: defining is allowed) --

@pytest.mark.parametrize(("text", "function", "flagged"), [
    ("f(x) = \\frac{1}{1-e^{-x}}\nf'(x) = \\frac{-e^{-x}}{(1-e^{-x})^2}", "sigmoid", True),
    ("f(x) = x^2\nf'(x) = 2x", "tanh", True),
    ("f(x) = \\frac{1}{1+e^{-x}}\nf'(x) = f(x)(1-f(x))", "sigmoid", False),
    ("g(x) = \\tanh(x)\ng'(x) = 1 - g(x)^2", "tanh", False),
    # a helper next to the exercise's own function is not a miscopied definition
    ("u(x) = 1+e^{-x}\n\\sigma'(x) = -u(x)^{-2} \\cdot (-e^{-x})", "sigmoid", False),
])
def test_a_definition_that_is_not_the_exercise_is_noted(worker, text: str, function: str, flagged: bool) -> None:
    report = run(worker, text, function=function)
    assert report.valid, [line.message for line in report.lines]
    definition = report.lines[0]
    assert definition.relation == "definition" and definition.status == "correct"
    assert (definition.diagnosis_key == "not_the_exercise_function") is flagged
    assert ("not_the_exercise_function" in report.diagnoses) is flagged
    if flagged:
        assert "not the exercise's function" in definition.diagnosis


@pytest.mark.parametrize(("line", "holds"), [
    (r"\sigma(5000) = 1", False),
    (r"\sigma(10^{6}) = 1", False),
    (r"\sigma(1) = 0.7310585786300049", False),  # σ(1) is irrational: no decimal equals it
    (r"\sigma(1) = \frac{e}{1+e}", True),
    (r"\sigma(2) - \sigma(-2) = \frac{e^{2}-1}{e^{2}+1}", True),
    (r"\sigma(\ln 3) = \frac{3}{4}", True),
])
def test_numbers_built_from_e_are_decided_exactly(worker, line: str, holds: bool) -> None:
    """A rational function of e^(1/L) is zero only if it cancels: e^(1/L) is transcendental."""
    (verdict,) = run(worker, line).lines
    assert verdict.status == ("correct" if holds else "wrong"), verdict.message
    if holds:
        assert verdict.proved
    else:
        assert verdict.counterexample is not None and verdict.counterexample.left != verdict.counterexample.right


def test_lindemann_refutation_is_a_method_of_the_verifier() -> None:
    from derive.functions import prepare
    from derive.verify import Verifier, VerifyOptions
    from derive.verify.procedure import constant_is_zero

    x = real_variable("x")
    verification = Verifier(x, VerifyOptions(stability_check=True)).prove(sigma(sympy.Integer(5000)), sympy.Integer(1))
    assert verification.status == "failed" and "Lindemann" in verification.method
    assert constant_is_zero(prepare(sigma(sympy.Integer(3))) - sympy.exp(3) / (1 + sympy.exp(3))) is True
    assert constant_is_zero(prepare(sigma(sympy.Integer(3))) - sympy.Rational(19, 20)) is False
    assert constant_is_zero(sympy.pi - 3) is None, "pi is not a power of e: not decided here"
    assert constant_is_zero(sympy.sqrt(2) - 1) is None


def test_the_whole_file_has_a_time_limit() -> None:
    """A file of lines that each run into the per-line limit stops at the file's limit; the
    lines after it are reported as not decided (no timing is asserted, only the verdicts)."""
    slow = r"\frac{d}{dx}\sigma(\pi^{2}) = \frac{d}{dx}\sigma(1)^{1000}"
    report = check("\n".join([slow] * 4 + [r"\sigma(0) = \frac{1}{2}"]), timeout=1, file_timeout=1.5)
    assert_sane(report)
    assert [line.status for line in report.lines] == ["unparsed"] * 5
    assert "longer than the limit of 1 s" in report.lines[0].message
    assert all("whole file ran out" in line.message for line in report.lines[1:])
    with pytest.raises(InputError):
        check(r"\sigma(0) = \frac{1}{2}", file_timeout=float("nan"))


# (the derivation, the second line's status, what its message says): a counterexample lies where
# the claim is made, inside the domain of the function differentiated; without any point where
# both sides have a value and without a proof, the line is left to a person, never called wrong.
WHERE_DEFINED = [
    ("f(x) = ln(sqrt((1+x)/(1-x)))\nf'(x) = 1/(1-x^2) + x^2*(4*x^2-1)\n", "wrong", r"at x = -0\.\d+"),
    ("f(x) = asin(x+7)\nf'(x) = x\n", "wrong", r"at x = -7\.746"),
    ("f(x) = asin(x+7)\nf'(x) = 1/sqrt(1-(x+7)^2)\n", "correct", r"proved"),
    ("f(x) = sqrt(-1-x^2)\nf'(x) = x\n", "unparsed", r"no test point lies where both sides are defined"),
    # f' exists for x > 3 only, where sqrt(2 - x) does not: no counterexample at x < 3 (the
    # high-precision check skips those points too)
    ("f(x) = ln(x-3)\nf'(x) = 1/(x-3) + sqrt(2-x)\n", "unparsed", r"no test point lies where both sides are defined"),
    ("f(x) = ln(x-3)\nf'(x) = 1/(x-3) + x\n", "wrong", r"at x = (2[0-9]|1[0-9]|[3-9])\.\d+"),
]


@pytest.mark.parametrize(("text", "status", "message"), WHERE_DEFINED, ids=[row[0].split("\n")[0] for row in WHERE_DEFINED])
def test_a_line_is_judged_where_its_function_is_defined(text: str, status: str, message: str) -> None:
    line = check(text).lines[1]
    assert line.status == status and re.search(message, line.message), line.message
