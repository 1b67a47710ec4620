"""Whole derivations in the notations students use: the checker's verdict on each line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.checker import check
from derive.checker.reader import is_prose, numbered_lines
from derive.errors import ParseError
from derive.parse import parse_line

# (text, function, [(line, status), ...]) — lines not listed were skipped like comments.
VERDICTS = [
    (r"\sigma^{(2)}(x) = \sigma(x)(1-\sigma(x))(1-2\sigma(x))", "sigmoid", [(1, "correct")]),
    (r"\sigma^{(2)}(x) = \sigma(x)^2", "sigmoid", [(1, "wrong")]),
    (r"\sigma^{(1)}(x) = \sigma(x)(1-\sigma(x))", "sigmoid", [(1, "correct")]),
    (r"\sigma^{(1)}(x) = \sigma(x)", "sigmoid", [(1, "wrong")]),
    ("sigma^(2)(x) = sigma(x)(1-sigma(x))(1-2sigma(x))", "sigmoid", [(1, "correct")]),
    (
        "f(x) = \\tanh(x)\nf^{(2)}(x) = -2\\tanh(x)(1-\\tanh(x)^2)",
        "sigmoid",
        [(1, "correct"), (2, "correct")],
    ),
    (r"\operatorname{softplus}^{(2)}(x) = \sigma(x)(1-\sigma(x))", "softplus", [(1, "correct")]),
    (r"\sigma^{-1}(x) = \ln\frac{x}{1-x}", "sigmoid", [(1, "unparsed")]),
]


@pytest.mark.parametrize(("text", "function", "expected"), VERDICTS, ids=[v[0][:50] for v in VERDICTS])
def test_verdicts(text: str, function: str, expected: list[tuple[int, str]]) -> None:
    report = check(text, function=function)
    assert [(line.line, line.status) for line in report.lines] == expected, [
        (line.line, line.status, line.message) for line in report.lines
    ]


def test_second_derivative_in_order_notation_is_proved() -> None:
    report = check(r"\sigma^{(2)}(x) = \sigma(x)(1-\sigma(x))(1-2\sigma(x))")
    (line,) = report.lines
    assert line.status == "correct" and line.proved
    assert report.valid


# -- prose and notes are skipped like comments ----------------------------------------------------

PROSE = [
    "Using the chain rule:",
    "Therefore",
    "Therefore,",
    "Hence",
    "Proof.",
    "By the chain rule, we get",
    "Now we differentiate.",
    "Let's differentiate:",
    "We see",
    r"\text{By the chain rule:}",
    r"\text{Therefore}",
    r"\textbf{Step 1.} \emph{Differentiate}",
    r"& \text{so} \\",
    r"\quad \text{since $\sigma' = \sigma(1-\sigma)$}",
    r"\intertext{and then}",
    r"\textit{Proof.} % a comment",
]

MATH = [
    "x",
    "e",
    "sigma",
    "sin",
    "softplus",
    "theta",
    "ex",  # e·x
    "xe",
    "we",  # w·e when the variable is w
    "de",
    "sigma'x",
    "sin x",
    "x = 1",
    "sigma(x) is",
    "Let x be",  # one-letter words: not clearly prose
    "Apply a rule",
    "the answer is 2",
    "(by the chain rule)",
    r"\text{x}",
    r"\text{exp}",
    r"\text{ok} x",
    r"\sigma(x) \text{ by definition}",
]


@pytest.mark.parametrize("line", PROSE)
def test_prose(line: str) -> None:
    assert is_prose(line)


@pytest.mark.parametrize("line", MATH)
def test_not_prose(line: str) -> None:
    assert not is_prose(line)


def test_a_function_defined_in_the_file_is_not_prose() -> None:
    assert is_prose("gee whiz")
    assert not is_prose("gee whiz", frozenset({"gee"}))
    text = "gee(x) = x^2\ngee whiz\nwhiz bang"
    assert [number for number, _ in numbered_lines(text)] == [1, 2]


def test_numbered_lines_skip_prose_notes_and_labels_and_keep_numbers() -> None:
    text = "\n".join([
        r"\begin{align*}",                               # 1 layout
        r"\text{By the chain rule:}",                    # 2 prose
        r"\sigma'(x) &= \sigma(x)(1-\sigma(x)) \tag{1}",  # 3
        r"\label{eq:sigma}",                             # 4 label only
        r"\qquad \checkmark",                            # 5 mark only
        "Therefore",                                     # 6 prose
        r"&= \sigma(x) - \sigma(x)^2 \\",                # 7
        "x",                                             # 8 math
        r"\end{align*}",                                 # 9 layout
    ])
    assert [number for number, _ in numbered_lines(text)] == [3, 7, 8]


DERIVATIONS = [
    (
        "\n".join([
            r"\begin{align*}",
            r"\text{By the chain rule:}",
            r"\sigma'(x) &= \frac{d}{dx}\left(1+e^{-x}\right)^{-1} \tag{1} \\",
            r"&= \left(1+e^{-x}\right)^{-2} e^{-x} \quad \text{(chain rule)} \\",
            r"\textbf{Therefore}",
            r"&= \sigma(x)(1-\sigma(x)) \qquad \checkmark \label{eq:final}",
            r"\end{align*}",
        ]),
        [(3, "correct"), (4, "correct"), (6, "correct")],
    ),
    (
        "\n".join([
            "Using the chain rule:",
            "sigma'(x) = d/dx (1+exp(-x))^(-1)   # definition",
            "= (1+exp(-x))^(-2) * exp(-x)  # chain rule",
            "Therefore",
            "= sigma(x)*(1 - sigma(x)).  # done",
        ]),
        [(2, "correct"), (3, "correct"), (5, "correct")],
    ),
    (
        "\n".join([
            "Using the chain rule:",
            "sigma'(x) = (1+exp(-x))^(-2) * exp(-x)",
            "=> sigma'(x) = sigma(x)(1-sigma(x))",
        ]),
        [(2, "correct"), (3, "correct")],  # a connective before a claim with its own left side: read (issue 10)
    ),
]


@pytest.mark.parametrize(("text", "expected"), DERIVATIONS, ids=["latex", "text", "arrow"])
def test_annotated_derivations(text: str, expected: list[tuple[int, str]]) -> None:
    report = check(text)
    assert [(line.line, line.status) for line in report.lines] == expected, [
        (line.line, line.status, line.message) for line in report.lines
    ]


def test_an_arrow_between_two_claims_says_what_to_write() -> None:
    report = check("sigma'(x) = sigma(x)(1-sigma(x))\nsigma'(x) = sigma(x)(1-sigma(x)) => sigma'(x) = sigma(x)(1-sigma(x))")
    line = report.lines[1]
    assert line.status == "unparsed" and line.column == 34
    assert "start a continuation with '='" in line.message


WORDS = [
    "x", "e", "d", "t", "w", "a", "sigma", "sin", "exp", "ln", "pi", "softplus", "theta", "ex", "xe", "we",
    "de", "dx", "the", "rule", "Therefore", "chain", "see", "Let", "s", "sigmoid", " ", " ", ",", ":", ".",
    "'", "(", ")", "=", "2", r"\text{", "}", r"\text{x}", r"\textbf{", r"\quad", "&", r"\\",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map("".join),
       st.sampled_from(["x", "t", "w", "s", "theta"]))
def test_a_skipped_line_could_never_have_been_read(line: str, variable: str) -> None:
    # Skipping prose never hides a claim: in plain text the line cannot be read at all; in LaTeX,
    # where letters side by side multiply, it is at most a product of letters with no '=' in it.
    if not is_prose(line.strip()):
        return
    with pytest.raises(ParseError):
        parse_line(line, syntax="text", variable=variable)
    try:
        read = parse_line(line, syntax="latex", variable=variable)
    except ParseError:
        return
    assert not read.relations


# -- standard notation and messages through the checker --------------------------------------------

STANDARD = [
    (r"\frac{d}{dx}\ln\frac{x}{1-x} = \frac{1}{x(1-x)}", "sigmoid", "correct"),
    # letters other than x are variables too (issue 12), and sech, sec ... are functions (issue 10)
    (r"\sigma'(t) = \sigma(t)(1-\sigma(t))", "sigmoid", "correct"),
    (r"\sigma'(x) = \operatorname{sech}^2(x)", "sigmoid", "wrong"),
    (r"\frac{d}{dx}\tanh(x) = \operatorname{sech}^{2}(x)", "sigmoid", "correct"),
    (r"\frac{d}{dx}\sec x = \sec x \tan x", "sigmoid", "correct"),
    (r"\frac{d}{dx}\log_2 x = \frac{1}{x\ln 2}", "sigmoid", "correct"),
    (r"\frac{d\sigma(x)}{dx} = \sigma(x)(1-\sigma(x))", "sigmoid", "correct"),
    (r"\frac{d\sigma(x)}{dx} = \sigma(x)(1+\sigma(x))", "sigmoid", "wrong"),
    (r"\tanh\frac{x}{2} = 2\sigma(x) - 1", "sigmoid", "correct"),
    ("dsigma(x)/dx = sigma(x)*(1 - sigma(x))", "sigmoid", "correct"),
]


@pytest.mark.parametrize(("text", "function", "status"), STANDARD, ids=[s[0] for s in STANDARD])
def test_standard_notation_is_checked(text: str, function: str, status: str) -> None:
    (line,) = check(text, function=function).lines
    assert line.status == status, line.message


# (text, function, variable, message fragment, column) for a one-line submission
UNREADABLE = [
    (r"f'(x) = \sigma(x)", "softplus", "x",
     r"unknown name 'f': define it first on its own line, e.g. f(x) = ..., or write \operatorname{softplus}'(x)", 1),
    ("f'(x) = sigma(x)", "sigmoid", "x", "unknown name 'f': define it first on its own line, e.g. f(x) = ...", 1),
    ("softplus'(x) = sigma(x)", "sigmoid", "x", "unknown name 'softplus': check it with --function softplus", 1),
    (r"\sigma'(x) = \operatorname{sech}^{2}(x) + \nabla", "sigmoid", "x", "derive does not read gradients", 43),
    (r"(\frac{1}{1+e^{-x}})' = \sigma(x)(1-\sigma(x))", "sigmoid", "x",
     r"write \frac{d}{dx}\left(...\right) for the derivative of an expression", 21),
    (r"\frac{d\sigma(-x)}{dx} = -\sigma'(-x)", "sigmoid", "x", r"unclear derivative: write \frac{d}{dx}\sigma(-x)", 1),
]


@pytest.mark.parametrize(("text", "function", "variable", "fragment", "column"), UNREADABLE,
                         ids=[u[0] for u in UNREADABLE])
def test_unreadable_lines_say_what_to_write(text: str, function: str, variable: str, fragment: str,
                                            column: int) -> None:
    (line,) = check(text, function=function, variable=variable).lines
    assert line.status == "unparsed"
    assert fragment in line.message
    assert line.column == column


def test_a_defined_function_is_then_known() -> None:
    report = check("f(x) = ln(1 + exp(x))\nf'(x) = sigma(x)")
    assert [line.status for line in report.lines] == ["correct", "correct"]


# -- substitutions: u = 1 + e^{-x}, then u, u', du/dx (the chain rule as derive's handouts write it) ----

SUBSTITUTION_LATEX = r"""u = 1+e^{-x}
\sigma(x) = u^{-1}
\frac{du}{dx} = -e^{-x}
\sigma'(x) = -u^{-2}\frac{du}{dx}
= -\left(1+e^{-x}\right)^{-2}\cdot\left(-e^{-x}\right)
= \frac{e^{-x}}{u^{2}}"""

SUBSTITUTION_TEXT = """Let u = 1 + exp(-x)
sigma(x) = u^(-1)
du/dx = -exp(-x)
sigma'(x) = -u^(-2) * du/dx
u' = -exp(-x)"""

SUBSTITUTIONS = [
    (SUBSTITUTION_LATEX, [(1, "correct"), (2, "correct"), (3, "correct"), (4, "correct"), (5, "correct"), (6, "correct")]),
    (SUBSTITUTION_TEXT, [(1, "correct"), (2, "correct"), (3, "correct"), (4, "correct"), (5, "correct")]),
    # y names the function's value: y' = y(1 - y) is σ' = σ(1 - σ), and u(1-u) is a product
    ("y = \\sigma(x)\ny' = y(1-y)\n= y - y^2", [(1, "correct"), (2, "correct"), (3, "correct")]),
    ("\\text{where } y := \\sigma(x)\n\\frac{dy}{dx} = y(1+y)", [(1, "correct"), (2, "wrong")]),
    # a substitution may use an earlier one
    ("u = 1+e^{-x}\nv = u^{2}\n\\frac{dv}{dx} = 2u\\frac{du}{dx}\n= -2(1+e^{-x})e^{-x}",
     [(1, "correct"), (2, "correct"), (3, "correct"), (4, "correct")]),
    # the typical slips, found in substitution notation too
    ("u = 1+e^{-x}\n\\frac{du}{dx} = e^{-x}", [(1, "correct"), (2, "wrong")]),
    ("u = 1+e^{-x}\n\\sigma'(x) = -u^{-2}", [(1, "correct"), (2, "wrong")]),
    # a letter cannot stand for an expression that contains it; an unknown letter is still unknown
    ("u = 1+u\nu' = 0", [(1, "unparsed"), (2, "unparsed")]),
    # every letter is a variable (issue 12): a letter nobody defined is a free one, so this claim is false
    ("\\sigma(x) = u^{-1}", [(1, "wrong")]),
]


@pytest.mark.parametrize(("text", "expected"), SUBSTITUTIONS, ids=[s[0].splitlines()[0][:30] + f"-{i}" for i, s in enumerate(SUBSTITUTIONS)])
def test_substitution_verdicts(text: str, expected: list[tuple[int, str]]) -> None:
    report = check(text)
    assert [(line.line, line.status) for line in report.lines] == expected, [
        (line.line, line.status, line.message) for line in report.lines
    ]


def test_substitution_messages_use_the_students_names() -> None:
    report = check("u = 1+e^{-x}\n\\frac{du}{dx} = e^{-x}\n\\sigma'(x) = -u^{-2}")
    definition, slope, chain = report.lines
    assert definition.relation == "definition" and "u stand for 1 + e^(-x)" in definition.message
    assert "du/dx = " in slope.message and "u(x)" not in slope.message
    assert slope.diagnosis_key == "exp_derivative_without_chain"
    assert "-1/u^2" in chain.message and chain.diagnosis_key == "missing_inner_derivative"
    itself = check("u = 1+u").lines[0]
    assert "itself" in itself.message and "--var" not in itself.message


SUBSTITUTIONS_MORE = [
    ("y = \\sigma(x)\ny(1-y)^{2} = y - 2y^2 + y^3", [(1, "correct"), (2, "correct")]),
    ("u = \\sigma(x)\n\\sigma'(x) = u(1 - \\sigma(x))", [(1, "correct"), (2, "correct")]),
    ("u = e^{-x}\n\\sigma'(x) = u(1+u)^{-2}", [(1, "correct"), (2, "correct")]),
    # a substitution line may be continued, and 'Let' gives a letter a new meaning
    ("u = 1+e^{-x}\n= 1 + \\frac{1}{e^{x}}", [(1, "correct"), (2, "correct")]),
    ("Let u = 1+e^{-x}\nu' = -e^{-x}\nLet u = e^{-x}\nu' = -e^{-x}\nu' = -u",
     [(1, "correct"), (2, "correct"), (3, "correct"), (4, "correct"), (5, "correct")]),
]


@pytest.mark.parametrize(("text", "expected"), SUBSTITUTIONS_MORE, ids=[f"more-{i}" for i in range(len(SUBSTITUTIONS_MORE))])
def test_more_substitution_verdicts(text: str, expected: list[tuple[int, str]]) -> None:
    report = check(text)
    assert [(line.line, line.status) for line in report.lines] == expected, [
        (line.line, line.status, line.message) for line in report.lines
    ]


def test_a_miscopied_function_named_by_a_substitution_is_noted() -> None:
    report = check("y = \\frac{1}{1-e^{-x}}\ny' = \\frac{-e^{-x}}{(1-e^{-x})^2}")
    assert report.valid and report.lines[0].diagnosis_key == "not_the_exercise_function"
    helper = check("u = 1+e^{-x}\n\\sigma(x) = u^{-1}")
    assert helper.valid and helper.lines[0].diagnosis_key is None


@pytest.mark.parametrize("function", [None, "sigmoid", "tanh"])
def test_a_definition_without_the_variable_is_a_helper_not_a_miscopied_exercise(function: str | None) -> None:
    """A backprop derivation starts from the loss in ŷ and y: no x in it, so no miscopy of σ(x),
    and no talk of its derivative in x."""
    report = check("L = \\frac{1}{2}(\\hat{y} - y)^2\n\\partial_{\\hat{y}} L = \\hat{y} - y", function=function)
    assert report.valid, [line.message for line in report.lines]
    definition = report.lines[0]
    assert definition.diagnosis_key is None and "not_the_exercise_function" not in report.diagnoses
    assert definition.message == "Lets L stand for 1/2*(yhat - y)^2."


# -- derivatives with respect to a substitution: dσ/du, d/du(...), as derive's handout's chain rule --

HANDOUT_CHAIN_RULE = r"""u = 1+e^{-x}
\sigma(x) = u^{-1}
\frac{d\sigma}{du} = -u^{-2}
\frac{du}{dx} = -e^{-x}
\sigma'(x) = \frac{d\sigma}{du}\cdot\frac{du}{dx}
= \frac{d\sigma}{du}\left(-e^{-x}\right)
= -u^{-2}\cdot\left(-e^{-x}\right)
= \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}
\frac{d}{du}\left(u^{-1}\right) = -u^{-2}"""

PER_SUBSTITUTION = [
    (HANDOUT_CHAIN_RULE, [(number, "correct") for number in range(1, 10)]),
    ("u = 1+exp(-x)\ndsigma/du = -u^(-2)\nd/du (1/u) = -1/u^2", [(1, "correct"), (2, "correct"), (3, "correct")]),
    ("u = 1+e^{-x}\n\\frac{d\\sigma}{du} = u^{-2}", [(1, "correct"), (2, "wrong")]),
    # only first derivatives with respect to u, and not at a point
    ("u = 1+e^{-x}\n\\frac{d^{2}\\sigma}{du^{2}} = 2u^{-3}", [(1, "correct"), (2, "unparsed")]),
]


@pytest.mark.parametrize(("text", "expected"), PER_SUBSTITUTION, ids=[f"per-{i}" for i in range(len(PER_SUBSTITUTION))])
def test_derivatives_with_respect_to_a_substitution(text: str, expected: list[tuple[int, str]]) -> None:
    report = check(text)
    assert [(line.line, line.status) for line in report.lines] == expected, [
        (line.line, line.status, line.message) for line in report.lines
    ]


def test_a_wrong_derivative_with_respect_to_u_is_shown_as_written() -> None:
    wrong = check("u = 1+e^{-x}\n\\frac{d\\sigma}{du} = u^{-2}\n\\frac{d}{du}\\frac{1}{u} = u^{-2}").lines
    assert "dsigma/du = " in wrong[1].message and "d/du(1/u) = " in wrong[2].message
