"""Checking derivations in several variables: parameters, partial derivatives, backpropagation.

Semantics (issue 12): every letter is a real variable or parameter; a claim holds for all real
values of all its letters where both sides are defined. ∂A/∂w for a letter w that nothing stands
for is the partial derivative of A with every definition replaced; for a letter that stands for
an expression (∂L/∂a after a = σ(z)) it is A written in terms of a, differentiated in a, then a
replaced — backpropagation's reading, so that ∂L/∂w = ∂L/∂a · ∂a/∂z · ∂z/∂w checks line by line.
"""

from __future__ import annotations

import pytest

from derive.checker import check

LOGISTIC_BACKPROP = r"""z = wx + b
a = \sigma(z)
L = -y\ln a - (1-y)\ln(1-a)
\frac{\partial L}{\partial a} = -\frac{y}{a} + \frac{1-y}{1-a}
\frac{\partial a}{\partial z} = a(1-a)
\frac{\partial z}{\partial w} = x
\frac{\partial L}{\partial w} = \frac{\partial L}{\partial a}\cdot\frac{\partial a}{\partial z}\cdot\frac{\partial z}{\partial w}
= \left(-\frac{y}{a} + \frac{1-y}{1-a}\right) a(1-a) x
= (a - y)x
= (\sigma(wx+b) - y)x
\frac{\partial L}{\partial b} = a - y"""

CASES = [
    # the whole logistic-regression backpropagation, line by line
    (LOGISTIC_BACKPROP, ["correct"] * 11),
    # \partial_w of a function named without its arguments, and with respect to a subscripted Greek letter
    (r"L(w,b) = (wx + b - y)^2" "\n" r"\partial_w L = 2(wx + b - y)x" "\n" r"\partial_b L = 2(wx + b - y)",
     ["correct", "correct", "correct"]),
    (r"L(w,b) = (wx + b - y)^2" "\n" r"\partial_w L = (wx + b - y)x", ["correct", "wrong"]),
    (r"z = \theta_1 x + \theta_0" "\n" r"\partial_{\theta_1} z = x" "\n" r"\partial_{\theta_0} z = 1",
     ["correct", "correct", "correct"]),
    # the first example: a definition in two variables, then its partial derivative
    (r"L(w,b) = -y\ln\sigma(wx+b) - (1-y)\ln(1-\sigma(wx+b))" "\n"
     r"\frac{\partial L}{\partial w} = (\sigma(wx+b) - y)x", ["correct", "correct"]),
    (r"L(w,b) = -y\ln\sigma(wx+b) - (1-y)\ln(1-\sigma(wx+b))" "\n"
     r"\frac{\partial L}{\partial b} = \sigma(wx+b) - y", ["correct", "correct"]),
    # forgot dz/dw = x
    (r"L(w,b) = -y\ln\sigma(wx+b) - (1-y)\ln(1-\sigma(wx+b))" "\n"
     r"\frac{\partial L}{\partial w} = \sigma(wx+b) - y", ["correct", "wrong"]),
    # the label is a constant: y does not depend on w
    (r"\frac{\partial}{\partial w}\left(y(wx+b)\right) = yx", ["correct"]),
    # cross-entropy through the sigmoid, in its own variable z, with the label y
    (r"L = -y\ln\sigma(z) - (1-y)\ln(1-\sigma(z))" "\n" r"\frac{\partial L}{\partial z} = \sigma(z) - y",
     ["correct", "correct"]),
    (r"L = -y\ln\sigma(z) - (1-y)\ln(1-\sigma(z))" "\n" r"\frac{\partial L}{\partial z} = y - \sigma(z)",
     ["correct", "wrong"]),
    # parameters in one-variable exercises: f(x) = a x^2 + sin(kx)
    (r"f(x) = ax^2 + \sin(kx)" "\n" r"f'(x) = 2ax + k\cos(kx)", ["correct", "correct"]),
    (r"f(x) = ax^2 + \sin(kx)" "\n" r"f'(x) = 2ax + \cos(kx)", ["correct", "wrong"]),
    # Swish with beta: d/dbeta and d/dx
    (r"s = x\sigma(\beta x)" "\n" r"\frac{\partial s}{\partial \beta} = x^2\sigma(\beta x)(1-\sigma(\beta x))",
     ["correct", "correct"]),
    (r"s = x\sigma(\beta x)" "\n" r"\frac{\partial s}{\partial x} = \sigma(\beta x) + x\sigma(\beta x)(1-\sigma(\beta x))",
     ["correct", "wrong"]),
    # plain text: products of letters need * (w*x); dL/dw of a function of several variables is partial
    ("z = w*x + b\nL = (z - y)^2\ndL/dw = 2*(w*x + b - y)*x\ndL/db = 2*(z - y)", ["correct"] * 4),
    ("z = w*x + b\nL = (z - y)^2\ndL/dw = (w*x + b - y)*x", ["correct", "correct", "wrong"]),
    # subscripted weights of a two-layer network
    (r"h = \sigma(w_1 x + b_1)" "\n" r"\hat{y} = w_2 h + b_2" "\n" r"L = \frac{1}{2}(\hat{y} - y)^2" "\n"
     r"\frac{\partial L}{\partial w_2} = (\hat{y} - y)h" "\n"
     r"\frac{\partial L}{\partial w_1} = (\hat{y} - y)w_2 h(1-h)x", ["correct"] * 5),
    (r"h = \sigma(w_1 x + b_1)" "\n" r"\hat{y} = w_2 h + b_2" "\n" r"L = \frac{1}{2}(\hat{y} - y)^2" "\n"
     r"\frac{\partial L}{\partial w_1} = (\hat{y} - y)h(1-h)x", ["correct", "correct", "correct", "wrong"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[f"case-{index}" for index in range(len(CASES))])
def test_verdicts_in_several_variables(text: str, expected: list[str]) -> None:
    report = check(text)
    assert [line.status for line in report.lines] == expected, [
        (line.line, line.status, line.message) for line in report.lines
    ]


def test_a_counterexample_gives_every_variable_a_value() -> None:
    report = check(r"L(w,b) = (wx+b-y)^2" "\n" r"\frac{\partial L}{\partial w} = 2(wx+b-y)")
    wrong = report.lines[1]
    assert wrong.status == "wrong" and wrong.counterexample is not None
    assert {name for name, _ in wrong.counterexample.at} == {"b", "w", "x", "y"}
    for name, value in wrong.counterexample.at:
        assert f"{name} = {value}" in wrong.message


def test_the_exercise_variable_of_a_catalogue_entry_is_its_own() -> None:
    # --function bce: the exercise is in z, with the label y as a parameter
    report = check(r"\frac{\partial L}{\partial z} = \sigma(z) - y", function="bce")
    assert report.valid, [line.message for line in report.lines]
    assert report.variable == "z"


def test_a_derivative_with_respect_to_a_number_says_what_to_write() -> None:
    report = check("L(w,b) = (wx+b)^2\n\\frac{\\partial L}{\\partial 2} = 1")
    line = report.lines[1]
    assert line.status == "unparsed" and line.column == 28
    assert "a derivative is taken with respect to a letter (∂L/∂w, d/dx), not '2'" in line.message


def test_a_conflicting_definition_is_a_claim_that_says_how_to_redefine() -> None:
    report = check("z = wx + b\nz = 2w\nLet z = 2w\n\\frac{\\partial z}{\\partial w} = 2")
    assert [line.status for line in report.lines] == ["correct", "wrong", "correct", "correct"]
    assert report.lines[1].message.endswith(
        "z already stands for w*x + b, so this line claims the two are equal; to give z a new meaning, write 'Let z = …'.")


# Issue 12, bad input: each misuse of the notation is one line that says what to write.
# (text, the line, its status, the exact message)
MISUSED = [
    # a function letter used with arguments but never defined
    ("L = g(w, b)", 1, "unparsed",
     "Cannot read this line: unknown name 'g': define it first on its own line, e.g. g(x) = ... (at column 5)"),
    # ∂ over something that is not a variable
    ("L(w,b) = (wx+b)^2\n\\frac{\\partial L}{\\partial e} = 1", 2, "unparsed",
     "Cannot read this line: unexpected 'e': a derivative is taken with respect to a letter (∂L/∂w, d/dx), not 'e' "
     "(at column 28)"),
    ("L(w,b) = (wx+b)^2\n\\frac{\\partial L}{\\partial \\pi} = 1", 2, "unparsed",
     "Cannot read this line: unexpected '\\pi': a derivative is taken with respect to a letter (∂L/∂w, d/dx), not "
     "'\\pi' (at column 28)"),
    ("L(w,b) = (wx+b)^2\n\\frac{\\partial L}{\\partial L} = 1", 2, "unparsed",
     "Cannot read this line: unexpected 'L': a derivative is taken with respect to a letter (∂L/∂w, d/dx), not 'L' "
     "(at column 28)"),
    ("\\partial_d \\left(x^2\\right) = 1", 1, "unparsed",
     "Cannot read this line: a derivative is taken with respect to a letter (\\partial_w L, ∂L/∂w), not 'd' "
     "(at column 9)"),
    ("\\partial_2 \\left(x^2\\right) = 1", 1, "unparsed",
     "Cannot read this line: a derivative is taken with respect to a letter (\\partial_w L, ∂L/∂w), not '2' "
     "(at column 9)"),
    # a substitution that refers to itself, and a line that uses it
    ("z = z + 1", 1, "unparsed", "Cannot read this line: 'z' cannot stand for an expression that contains 'z' itself "
     "(at column 5)"),
    ("z = z + 1\n\\frac{\\partial z}{\\partial w} = 0", 2, "unparsed",
     "Cannot read this line: it uses z, which line 1 meant to define but could not be read"),
    # conflicting definitions: of a function, of a function of two letters, with another number of arguments
    ("f(x) = x^2\nf(x) = x^3", 2, "wrong",
     "Not an identity: at x = -1, f(x) = 1.0 but x^3 = -1.0. f(x) is already defined as x^2, so this line claims the "
     "two are equal; a function keeps one definition: give the new one another name, as in g(x) = …."),
    ("L(w,b) = w + b\nL(w,b) = w - b", 2, "wrong",
     "Not an identity: at b = 1, w = 1, L(w, b) = 2.0 but w - b = 0.0. L(w, b) is already defined as b + w, so this "
     "line claims the two are equal; a function keeps one definition: give the new one another name, as in "
     "g(w, b) = …."),
    ("L(w,b) = w + b\nL(w) = w", 2, "unparsed", "Cannot read this line: L takes 2 arguments: write L(w, b) (at column 1)"),
    # a value of a defined function is a claim, not a new definition
    ("f(x) = x^2\nf(2) = 5", 2, "wrong", "Not equal: f(2) = 4.0 but 5 = 5.0."),
]


@pytest.mark.parametrize(("text", "number", "status", "message"), MISUSED, ids=[f"misused-{i}" for i in range(len(MISUSED))])
def test_each_misuse_of_the_notation_is_one_line(text: str, number: int, status: str, message: str) -> None:
    line = check(text).lines[number - 1]
    assert (line.status, line.message) == (status, message)
    assert "\n" not in line.message
