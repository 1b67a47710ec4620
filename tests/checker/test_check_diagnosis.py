"""Diagnoses of wrong lines: one student line per classic mistake, each making exactly that mistake.

The sigmoid makes several mistakes coincide in value (forgetting d/dx(-x) = -1 inside e^(-x),
reversing the quotient-rule numerator and a plain sign error all give -σ'), so each misconception
is tested where it is the only sensible reading of what the student wrote; where derive names a
different mistake than the one the student visibly made, the test is an xfail with the reason.
"""

from __future__ import annotations

import re

import pytest

from derive.checker import check
from derive.checker.diagnose import CONSTANT_FACTOR, MISCONCEPTIONS
from derive.checker.worker import ProofWorker

KEYS = {m.key for m in MISCONCEPTIONS} | {CONSTANT_FACTOR.key}


@pytest.fixture(scope="module")
def worker():
    with ProofWorker(timeout=20) as proof_worker:
        yield proof_worker


def wrong_line(worker, text: str, number: int | None = None):
    report = check(text, worker=worker)
    line = report.lines[-1] if number is None else next(line for line in report.lines if line.line == number)
    assert line.status == "wrong", line.message
    return line


def assert_plain_words(explanation: str | None) -> None:
    """An explanation a student can read: sentences, no LaTeX, no markup, no Python."""
    assert explanation, "a diagnosed line explains the mistake"
    assert len(explanation.split()) >= 8
    assert explanation[0].isupper() and explanation.rstrip().endswith(".")
    assert not re.search(r"[\\${}<>`]|\*\*|Derivative\(|exp\(", explanation), explanation


CASES = {
    # -- sign error: off by -1, e.g. the -1 of d/dx(-x) lost ------------------------------------
    "sign-lost-minus-of-d/dx(-x)": (r"\frac{d}{dx}(-x) = 1", "sign_error"),
    "sign-sigma-of-2x": (r"\frac{d}{dx}\sigma(2x) = -2\sigma(2x)(1-\sigma(2x))", "sign_error"),
    # -- chain rule: the inner derivative is missing ---------------------------------------------
    "missing-inner-of-power": (
        r"\frac{d}{dx}\left(1+e^{-x}\right)^{-1} = -\left(1+e^{-x}\right)^{-2}", "missing_inner_derivative"),
    "missing-inner-text": ("d/dx (1+exp(-x))^(-1) = -(1+exp(-x))^(-2)", "missing_inner_derivative"),
    # -- quotient rule without the square (sigmoid written as e^x/(1+e^x)) -------------------------
    "quotient-no-square": (
        r"\frac{d}{dx}\frac{e^{x}}{1+e^{x}} = \frac{e^{x}(1+e^{x}) - e^{x}e^{x}}{1+e^{x}}", "quotient_rule_no_square"),
    # -- quotient rule with the numerator the wrong way round ------------------------------------
    "quotient-reversed": (
        r"\frac{d}{dx}\frac{e^{x}}{1+e^{x}} = \frac{e^{x}\cdot e^{x} - (1+e^{x})e^{x}}{(1+e^{x})^{2}}",
        "quotient_rule_reversed"),
    # -- σ(1+σ) for σ(1-σ) ---------------------------------------------------------------------
    "sigma-one-plus-sigma": (r"\sigma'(x) = \sigma(x)(1+\sigma(x))", "sigma_one_plus_sigma"),
    "sigma-one-plus-sigma-text": ("sigma'(x) = sigma(x)*(1 + sigma(x))", "sigma_one_plus_sigma"),
    # -- off by a constant factor ----------------------------------------------------------------
    "constant-factor-2": (r"\sigma'(x) = 2\sigma(x)(1-\sigma(x))", "constant_factor"),
    "constant-factor-quarter": (r"\frac{d}{dx}\sigma(x) = \frac{1}{4}\sigma(x)(1-\sigma(x))", "constant_factor"),
    # -- d/dx e^(-x) taken as e^(-x) -------------------------------------------------------------
    "exp-alone": (r"\frac{d}{dx} e^{-x} = e^{-x}", "exp_derivative_without_chain"),
    "exp-inside-chain": (
        r"\frac{d}{dx}\left(1+e^{-x}\right)^{-1} = -\left(1+e^{-x}\right)^{-2}\cdot e^{-x}",
        "exp_derivative_without_chain"),
    "exp-of-sum": (r"\frac{d}{dx}\left(1+e^{-x}\right) = e^{-x}", "exp_derivative_without_chain"),
    # -- several variables: the slips of backpropagation (issue 12) ------------------------------
    "forgot-dz/dw": (r"\frac{\partial}{\partial w}\sigma(wx+b) = \sigma(wx+b)(1-\sigma(wx+b))", "missing_inner_derivative"),
    "lost-beta": (r"\frac{\partial}{\partial x}\sigma(\beta x) = \sigma(\beta x)(1-\sigma(\beta x))", "missing_inner_derivative"),
    "differentiated-the-label": (r"\frac{\partial}{\partial w}(wx + b - y)^2 = 2(wx + b - y)(x - 1)", "constant_differentiated"),
}


@pytest.mark.parametrize(("text", "words"), [
    # the explanation names the slip: the missing factor is x, or beta, or 3; the label y is constant
    (r"\frac{\partial}{\partial w}\sigma(wx+b) = \sigma(wx+b)(1-\sigma(wx+b))", "= x; that factor is missing"),
    (r"\frac{\partial}{\partial x}\sigma(\beta x) = \sigma(\beta x)(1-\sigma(\beta x))", "= beta; that factor is missing"),
    (r"\frac{d}{dx} e^{3x} = e^{3x}", "d/dx(3*x) = 3"),
    (r"\frac{\partial}{\partial w}(wx + b - y)^2 = 2(wx + b - y)(x - 1)", "y does not depend on w"),
    # two letters predict the same wrong answer: both are named, neither is blamed alone
    (r"\frac{\partial}{\partial w}\left(w + a_1 + a_2\right) = 2", "The letters a_1 and a_2 do not depend on w: they "
     "are held constant, so their derivatives with respect to w are 0; your result differentiates one of them"),
])
def test_the_explanation_names_the_slip(worker, text: str, words: str) -> None:
    line = wrong_line(worker, text)
    assert words in line.diagnosis, line.diagnosis
    assert_plain_words(line.diagnosis)


def test_a_sum_of_many_letters_is_not_blamed_on_one_of_them(worker) -> None:
    # 2,000 weights through 20 substitutions; the answer 2 is twice the derivative: a factor,
    # not "a_1 differentiated as if it changed with a_7" (the first of 1,999 letters alike)
    lines = [f"z_{{{n}}} = " + (f"z_{{{n - 1}}}+" if n > 1 else "")
             + "+".join(f"a_{{{100 * (n - 1) + i}}}" for i in range(1, 101)) for n in range(1, 21)]
    line = wrong_line(worker, "\n".join([*lines, r"\frac{\partial z_{20}}{\partial a_{7}} = 2"]))
    assert line.diagnosis_key == "constant_factor", line.diagnosis


def test_a_slip_of_algebra_is_not_a_slip_of_differentiating(worker) -> None:
    # minus times minus lost while simplifying: a sign error, not the chain rule of e^(-x)
    text = "\n".join([r"\sigma'(x) = -(1+e^{-x})^{-2}\cdot(-e^{-x})", r"= -\frac{e^{-x}}{(1+e^{-x})^{2}}"])
    line = wrong_line(worker, text)
    assert line.diagnosis_key == "sign_error" and "simplifying" in line.diagnosis


@pytest.mark.parametrize("name", list(CASES))
def test_misconception_is_named(worker, name: str) -> None:
    text, key = CASES[name]
    line = wrong_line(worker, text)
    assert line.diagnosis_key == key, (line.diagnosis_key, line.diagnosis)
    assert_plain_words(line.diagnosis)


def test_every_misconception_is_covered() -> None:
    assert {key for _, key in CASES.values()} == KEYS


def test_constant_factor_names_the_factor(worker) -> None:
    line = wrong_line(worker, r"\sigma'(x) = 2\sigma(x)(1-\sigma(x))")
    assert "2 times" in line.diagnosis
    line = wrong_line(worker, r"\sigma'(x) = \frac{1}{4}\sigma(x)(1-\sigma(x))")
    assert "1/4 times" in line.diagnosis


# -- the sigmoid versions of the same mistakes, where derive names the wrong one ---------------

def test_sign_error_of_inner_minus_x_in_sigma(worker) -> None:
    line = wrong_line(worker, r"\frac{d}{dx}\sigma(-x) = \sigma(-x)(1-\sigma(-x))")
    assert line.diagnosis_key == "sign_error"


def test_quotient_rule_no_square_on_the_sigmoid(worker) -> None:
    line = wrong_line(
        worker, r"\frac{d}{dx}\frac{1}{1+e^{-x}} = \frac{0\cdot(1+e^{-x}) - 1\cdot(-e^{-x})}{1+e^{-x}}")
    assert line.diagnosis_key == "quotient_rule_no_square"


def test_quotient_rule_reversed_on_the_sigmoid(worker) -> None:
    line = wrong_line(
        worker,
        r"\frac{d}{dx}\frac{1}{1+e^{-x}} = \frac{1\cdot(-e^{-x}) - (1+e^{-x})\cdot 0}{(1+e^{-x})^{2}}")
    assert line.diagnosis_key == "quotient_rule_reversed"


def test_missing_inner_derivative_of_sigma_of_2x(worker) -> None:
    line = wrong_line(worker, r"\frac{d}{dx}\sigma(2x) = \sigma(2x)(1-\sigma(2x))")
    assert line.diagnosis_key == "missing_inner_derivative"


# -- lines that must carry no diagnosis --------------------------------------------------------

@pytest.mark.parametrize("text", [
    r"\sigma'(x) = \sigma(x)(1-\sigma(x))",
    r"\frac{d}{dx}e^{-x} = -e^{-x}",
    r"\frac{d}{dx}\left(1+e^{-x}\right)^{-1} = \left(1+e^{-x}\right)^{-2}e^{-x}",
    r"\sigma(1) \approx 0.7311",
])
def test_correct_line_has_no_diagnosis(worker, text: str) -> None:
    (line,) = check(text, worker=worker).lines
    assert line.status == "correct"
    assert line.diagnosis is None and line.diagnosis_key is None


def test_carried_forward_line_has_no_diagnosis(worker) -> None:
    text = "\n".join([
        r"\sigma'(x) = \frac{d}{dx}\left(1+e^{-x}\right)^{-1}",
        r"= -\left(1+e^{-x}\right)^{-2}\cdot e^{-x}",
        r"= -\frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}",
        r"= -\sigma(x)\left(1-\sigma(x)\right)",
    ])
    report = check(text, worker=worker)
    first, *carried = report.lines[1:]
    assert first.diagnosis_key == "exp_derivative_without_chain"
    for line in carried:
        assert line.status == "wrong" and "carried forward" in line.relation
        assert line.diagnosis is None and line.diagnosis_key is None
    assert report.diagnoses == ["exp_derivative_without_chain"]


def test_new_error_after_an_error_is_diagnosed_again(worker) -> None:
    text = "\n".join([
        r"\sigma'(x) = -\left(1+e^{-x}\right)^{-2}\cdot e^{-x}",
        r"\sigma'(x) = 2\sigma(x)(1-\sigma(x))",
    ])
    report = check(text, worker=worker)
    assert [line.diagnosis_key for line in report.lines] == ["exp_derivative_without_chain", "constant_factor"]
    assert report.lines[1].relation.startswith("new error")


def test_unrelated_wrong_line_has_no_made_up_diagnosis(worker) -> None:
    line = wrong_line(worker, r"\sigma'(x) = \sigma(x)(1-\sigma(x)) + 1")
    assert line.diagnosis_key is None and line.diagnosis is None


def test_explanations_in_the_table_are_plain_words() -> None:
    for misconception in (*MISCONCEPTIONS, CONSTANT_FACTOR):
        assert_plain_words(misconception.explanation)


# Each misconception is tested against an exercise where its pattern does not apply: it must not
# fire there (a missed factor 3 in e^{3x} is not the e^{-x} rule; x^2 has no quotient).
DOES_NOT_APPLY = [
    (r"\frac{d}{dx} x^2 = x", "exp_derivative_without_chain"),
    (r"\frac{d}{dx} x^3 = 3x", "quotient_rule_no_square"),
    (r"\frac{d}{dx} \sin x = -\cos x", "quotient_rule_reversed"),
    (r"\frac{d}{dx} \tanh x = \tanh(x)(1+\tanh(x))", "sigma_one_plus_sigma"),
    (r"\frac{d}{dx} x^2 = 2x + 1", "missing_inner_derivative"),
    (r"\frac{d}{dx} x^2 = 3x", "sign_error"),
    (r"\frac{d}{dx} \sin x = \sin x", "constant_differentiated"),
]


@pytest.mark.parametrize(("text", "key"), DOES_NOT_APPLY, ids=[f"{key}:{text}" for text, key in DOES_NOT_APPLY])
def test_a_misconception_does_not_fire_where_it_does_not_apply(worker, text: str, key: str) -> None:
    line = wrong_line(worker, text)
    assert line.diagnosis_key != key, line.diagnosis


# A function whose derivative carries a minus sign of its own: the sign error names that derivative
# (as a textbook's table prints it), before the general sources of a lost minus sign.
NAMED_SIGN_ERRORS = [
    ("f(x) = cos(x)\nf'(x) = sin(x)", "d/dx(cos(x)) = -sin(x)"),
    ("f(x) = acos(x)\nf'(x) = 1/sqrt(1-x^2)", "d/dx(acos(x)) = -1/sqrt(1 - x^2)"),
    ("f(x) = x*cos(2*x)\nf'(x) = -cos(2*x) + 2*x*sin(2*x)", "d/dx(cos(x)) = -sin(x)"),
    ("f(x) = cot(x)\nf'(x) = 1/sin(x)^2", "d/dx(cot(x)) = -csc(x)^2"),
    ("f(t) = cos(t) + acot(t)\nf'(t) = sin(t) + 1/(1+t^2)", "d/dt(cos(t)) = -sin(t) and d/dt(acot(t)) = -1/(t^2 + 1)"),
]


@pytest.mark.parametrize(("text", "named"), NAMED_SIGN_ERRORS,
                         ids=[text.split("\n")[0] for text, _ in NAMED_SIGN_ERRORS])
def test_a_sign_error_names_the_derivative_with_a_minus_sign(worker, text: str, named: str) -> None:
    line = wrong_line(worker, text)
    assert line.diagnosis_key == "sign_error", line.diagnosis
    assert f"Check the minus sign in {named};" in line.diagnosis
    assert_plain_words(line.diagnosis)


def test_a_sign_error_without_such_a_function_keeps_the_general_sources(worker) -> None:
    line = wrong_line(worker, "f(x) = sin(x)\nf'(x) = -cos(x)")
    assert line.diagnosis_key == "sign_error" and "Check the minus sign" not in line.diagnosis
    assert "quotient rule" in line.diagnosis


def test_the_derivatives_a_sign_error_names_are_proved() -> None:
    import sympy

    from derive.checker.diagnose import _MINUS_SIGN_FUNCTIONS, _x
    from derive.verify import prove_equal

    for kind, derivative in _MINUS_SIGN_FUNCTIONS.items():
        verification = prove_equal(sympy.Derivative(kind(_x), _x), derivative, _x)
        assert verification.proved, (kind, verification.method)
