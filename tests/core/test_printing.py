"""How expressions are written: exact LaTeX / plain / text for the key forms, and well-formed
LaTeX for every expression of every sigmoid derivation."""

from __future__ import annotations

import re

import pytest
import sympy
from sympy import Add, Derivative, Eq, Mul, Pow, Subs, exp

import derive
from derive.functions import sigma, variable
from derive.model import Step
from derive.printing import LatexStyle, to_latex, to_plain, to_text

x = variable("x")
E = exp(-x)
DENOMINATOR = 1 + E
SIGMA_PRIME = Mul(sigma(x), 1 - sigma(x), evaluate=False)


def written(*factors: sympy.Expr) -> sympy.Expr:
    return Mul(*factors, evaluate=False)


LATEX = [
    # the powers of letters before a number's power, as a textbook writes them: 6x·2ˣ, not 6·2ˣx
    (6 * 2**x * x, "fractions", r"6 x \cdot 2^{x}"),
    (3 * 2**x * x * (x * sympy.log(2) + 2), "fractions", r"3 x \cdot 2^{x} \left(x \ln{\left(2 \right)} + 2\right)"),
    (-(x**2) * 3**x, "fractions", r"- x^{2} \cdot 3^{x}"),
    (-6 * 2**x * x, "fractions", r"- 6 x \cdot 2^{x}"),
    (2**x * x / (x + 1), "fractions", r"\frac{2^{x} x}{x + 1}"),  # a fraction is printed as one
    # negative powers: as fractions by default, as powers in "powers" notation
    (DENOMINATOR**-1, "fractions", r"\frac{1}{1 + e^{- x}}"),
    (DENOMINATOR**-1, "powers", r"\left(1 + e^{- x}\right)^{-1}"),
    (written(E, Pow(DENOMINATOR, -2, evaluate=False)), "fractions", r"\frac{e^{- x}}{\left(1 + e^{- x}\right)^{2}}"),
    (written(E, Pow(DENOMINATOR, -2, evaluate=False)), "powers", r"e^{- x} \cdot \left(1 + e^{- x}\right)^{-2}"),
    (
        written(written(-1, Pow(DENOMINATOR, -2, evaluate=False)), written(-1, E)),
        "powers",
        r"-\left(1 + e^{- x}\right)^{-2} \cdot \left(- e^{- x}\right)",
    ),
    (Derivative(DENOMINATOR**-1, x), "powers", r"\frac{d}{dx} \left[\left(1 + e^{- x}\right)^{-1}\right]"),
    (Derivative(DENOMINATOR**-1, x), "fractions", r"\frac{d}{dx} \frac{1}{1 + e^{- x}}"),
    # sigma and its derivatives in prime notation
    (sigma(x), "fractions", r"\sigma(x)"),
    (sigma(2 * x), "fractions", r"\sigma\left(2 x\right)"),
    (Derivative(sigma(x), x), "fractions", r"\sigma'(x)"),
    (Derivative(sigma(x), (x, 2)), "fractions", r"\sigma''(x)"),
    (Subs(Derivative(sigma(x), x), x, 0), "fractions", r"\sigma'(0)"),
    # unevaluated products keep their written order
    (SIGMA_PRIME, "fractions", r"\sigma(x) \left(1 - \sigma(x)\right)"),
    (written(1 - sigma(x), sigma(x)), "fractions", r"\left(1 - \sigma(x)\right) \sigma(x)"),
    (
        written(DENOMINATOR**-1, E / DENOMINATOR),
        "fractions",
        r"\frac{1}{1 + e^{- x}} \cdot \frac{e^{- x}}{1 + e^{- x}}",
    ),
    (Add(1, written(-1, sigma(x)), evaluate=False), "fractions", r"1 - \sigma(x)"),
    # d/dx of a product, higher derivatives, equations
    (Derivative(x * sympy.sin(x), x), "fractions", r"\frac{d}{dx} \left(x \sin{\left(x \right)}\right)"),
    (Derivative(x**2, (x, 2)), "fractions", r"\frac{d^{2}}{dx^{2}} \left(x^{2}\right)"),
    (Eq(sigma(0), sympy.Rational(1, 2)), "fractions", r"\sigma(0) = \frac{1}{2}"),
    (sympy.Interval.Lopen(0, sympy.Rational(1, 4)), "fractions", r"\left(0, \frac{1}{4}\right]"),
    (sympy.log(x), "fractions", r"\ln{\left(x \right)}"),
    # a reciprocal written unevaluated is a fraction (it printed as its base times (-1): issue 13)
    (Pow(sympy.sqrt(1 - x**2), -1, evaluate=False), "fractions", r"\frac{1}{\sqrt{1 - x^{2}}}"),
    (Pow(-sympy.sin(x), -1, evaluate=False), "fractions", r"- \frac{1}{\sin{\left(x \right)}}"),
    (Pow(written(2, x), -1, evaluate=False), "fractions", r"\frac{1}{2 x}"),
    (Pow(sympy.cosh(x), -2, evaluate=False), "fractions", r"\frac{1}{\cosh^{2}{\left(x \right)}}"),
]


@pytest.mark.parametrize(("expr", "notation", "expected"), LATEX, ids=[row[2] for row in LATEX])
def test_latex(expr: sympy.Expr, notation: str, expected: str) -> None:
    assert to_latex(expr, notation=notation) == expected


PLAIN = [
    (DENOMINATOR**-1, "fractions", "1/(1 + e^(-x))"),
    (DENOMINATOR**-1, "powers", "(1 + e^(-x))^(-1)"),
    (written(E, Pow(DENOMINATOR, -2, evaluate=False)), "fractions", "e^(-x)/(1 + e^(-x))^2"),
    (written(E, Pow(DENOMINATOR, -2, evaluate=False)), "powers", "e^(-x)*(1 + e^(-x))^(-2)"),
    (written(written(-1, Pow(DENOMINATOR, -2, evaluate=False)), written(-1, E)), "powers", "(-(1 + e^(-x))^(-2))*(-e^(-x))"),
    (Derivative(sigma(x), x), "fractions", "sigma'(x)"),
    (Subs(Derivative(sigma(x), x), x, 0), "fractions", "sigma'(0)"),
    (Derivative(x * sympy.sin(x), x), "fractions", "d/dx(x*sin(x))"),
    (Derivative(x**2, (x, 2)), "fractions", "d^2/dx^2(x^2)"),
    (Eq(Derivative(sigma(x), x), SIGMA_PRIME, evaluate=False), "fractions", "sigma'(x) = sigma(x)*(1 - sigma(x))"),
    (written(1 - sigma(x), sigma(x)), "fractions", "(1 - sigma(x))*sigma(x)"),
    (sympy.sqrt(x), "fractions", "sqrt(x)"),
    (sympy.Interval.Lopen(0, sympy.Rational(1, 4)), "fractions", "(0, 1/4]"),
    (sympy.LessThan(Derivative(sigma(x), x), sympy.Rational(1, 4), evaluate=False), "fractions", "sigma'(x) <= 1/4"),
    # a written product with several factors below the line: one denominator, the leading fraction's too
    (sympy.Mul(sympy.Rational(-1, 4), Pow(x + 1, sympy.Rational(-1, 2)), Pow(x, -2), evaluate=False), "fractions",
     "-1/(4*sqrt(x + 1)*x^2)"),
    (sympy.Mul(x, Pow(x + 1, -1), Pow(sympy.sin(x), -1), evaluate=False), "fractions", "x/((x + 1)*sin(x))"),
    # |u| and a brace of pieces as a textbook reads them, not SymPy's Abs(u) and Piecewise((...))
    (sympy.Abs(x - 1) * x, "fractions", "x*|x - 1|"),
    (sympy.Piecewise((0, x < 0), (1 - 2 * x, (x > 0) & (x < 1)), (2 * x - 1, True), evaluate=False), "fractions",
     "{0 if x < 0; 1 - 2*x if 0 < x < 1; 2*x - 1 otherwise}"),
    # a reciprocal written first, a sum after it: the sum goes above the line; a product of
    # fractions (σ · (1 − σ) with σ written out) keeps its factors where they stand
    (sympy.Mul(Pow(x**2 + 1, -2), 1 - x**2, evaluate=False), "fractions", "(1 - x^2)/(x^2 + 1)^2"),
    (sympy.Mul(DENOMINATOR**-1, 1 - DENOMINATOR**-1, evaluate=False), "fractions",
     "1/(1 + e^(-x))*(1 - 1/(1 + e^(-x)))"),
    (6 * 2**x * x, "fractions", "6*x*2^x"),
    (3 * 2**x * x * (x * sympy.log(2) + 2), "fractions", "3*x*2^x*(x*log(2) + 2)"),
    (-6 * 2**x * x, "fractions", "-6*x*2^x"),
]


@pytest.mark.parametrize(("expr", "notation", "expected"), PLAIN, ids=[row[2] for row in PLAIN])
def test_plain(expr: sympy.Expr, notation: str, expected: str) -> None:
    assert to_plain(expr, notation=notation) == expected


TEXT = [
    (SIGMA_PRIME, "sigma(x)*(1 - sigma(x))"),
    (written(1 - sigma(x), sigma(x)), "(1 - sigma(x))*sigma(x)"),
    (sigma(x) * (1 - sigma(x)), "(1 - sigma(x))*sigma(x)"),  # evaluated: SymPy's order
    (Add(1, written(-1, sigma(x)), evaluate=False), "1 - sigma(x)"),
    (Derivative(sigma(x), x), "Derivative(sigma(x), x)"),
    (DENOMINATOR**-1, "1/(1 + exp(-x))"),
    (1 - sympy.tanh(x) ** 2, "1 - tanh(x)**2"),
]


@pytest.mark.parametrize(("expr", "expected"), TEXT, ids=[row[1] for row in TEXT])
def test_text(expr: sympy.Expr, expected: str) -> None:
    assert to_text(expr) == expected


def test_text_of_the_recognised_form() -> None:
    derivation = derive.derive("sigmoid")
    assert to_text(derivation.recognition.form) == "sigma(x)*(1 - sigma(x))"
    assert to_text(derivation.result) == "sigma(x)*(1 - sigma(x))"
    assert to_latex(derivation.result) == r"\sigma(x) \left(1 - \sigma(x)\right)"


def test_text_reads_back_as_the_same_expression() -> None:
    for expr in [SIGMA_PRIME, DENOMINATOR**-1, Derivative(sigma(x), x), 1 - sympy.tanh(x) ** 2]:
        back = sympy.sympify(to_text(expr), locals={"sigma": sigma, "x": x})
        assert sympy.simplify(back - expr) == 0 or back == expr


def test_latex_style_options() -> None:
    assert to_latex(E, style=LatexStyle(exponential="exp")) == r"\exp\left(- x\right)"
    assert to_latex(E) == r"e^{- x}"
    varphi = LatexStyle(sigma_symbol=r"\varphi")
    assert to_latex(sigma(x), style=varphi) == r"\varphi(x)"
    assert to_latex(Derivative(sigma(x), x), style=varphi) == r"\varphi'(x)"


# --- every LaTeX string of every sigmoid derivation is well formed ----------------------------


def balanced(latex: str) -> bool:
    """Braces balance (ignoring \\{ and \\}), never close early, and \\left/\\right pair up."""
    depth = 0
    unescaped = re.sub(r"\\[{}]", "", latex)
    for char in unescaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    lefts = len(re.findall(r"\\left(?![a-zA-Z])", latex))
    rights = len(re.findall(r"\\right(?![a-zA-Z])", latex))
    return depth == 0 and lefts == rights


def test_balanced_checker() -> None:
    assert balanced(r"\frac{1}{1 + e^{- x}}")
    assert not balanced(r"\frac{1}{1 + e^{- x}")
    assert not balanced(r"}{")
    assert not balanced(r"\left(x")
    assert balanced(r"\left\{x\right\}")


def walk(steps: tuple[Step, ...]):
    for step in steps:
        yield step
        yield from walk(step.substeps)


def latex_of_step(step: Step, style: LatexStyle) -> list[str]:
    pieces = [to_latex(step.before, notation=step.notation, style=style), to_latex(step.after, notation=step.notation, style=style)]
    for segment in step.annotation.segments:
        if not isinstance(segment, str):
            pieces.append(to_latex(segment, style=style))
    for _, value in step.details:
        if not isinstance(value, str):
            pieces.append(to_latex(value, style=style))
    return pieces


@pytest.mark.parametrize("route", ["chain", "quotient", "log", "rules"])
@pytest.mark.parametrize("style", [LatexStyle(), LatexStyle(exponential="exp", sigma_symbol=r"\varphi")], ids=["e", "exp"])
def test_every_latex_in_every_sigmoid_step_is_balanced(route: str, style: LatexStyle) -> None:
    derivation = derive.derive("sigmoid", route=route)
    pieces: list[str] = []
    for step in walk(derivation.steps):
        pieces.extend(latex_of_step(step, style))
    for notation in ("fractions", "powers"):
        pieces.append(to_latex(derivation.result, notation=notation, style=style))
    pieces.append(to_latex(Eq(Derivative(sigma(x), x), derivation.result, evaluate=False), style=style))
    assert len(pieces) > 20
    bad = [piece for piece in pieces if not balanced(piece)]
    assert not bad, bad
    assert all(piece.strip() for piece in pieces)


def test_every_latex_of_the_sigmoid_properties_is_balanced() -> None:
    derivation = derive.derive("sigmoid", properties=True)
    pieces = [to_latex(p.statement) for p in derivation.properties]
    for p in derivation.properties:
        pieces.extend(to_latex(s) for s in p.explanation.segments if not isinstance(s, str))
    bad = [piece for piece in pieces if not balanced(piece)]
    assert not bad, bad


def test_annotations_are_ascii_text_with_mathematics_apart() -> None:
    derivation = derive.derive("sigmoid")
    for step in walk(derivation.steps):
        for segment in step.annotation.segments:
            assert not isinstance(segment, str) or segment.isascii()
        assert step.annotation.plain().isascii()


@pytest.mark.parametrize(("number", "latex"), [
    (sympy.Rational(8943, 200000), "0.044715"),
    (sympy.Rational(-1, 1000), "-0.001"),
    (sympy.Rational(1, 2), r"\frac{1}{2}"),
    (sympy.Rational(3, 8), r"\frac{3}{8}"),
    (sympy.Rational(1, 1024), r"\frac{1}{1024}"),  # ten decimal places: stays a fraction
    (sympy.Rational(1, 3000), r"\frac{1}{3000}"),  # no terminating decimal
])
def test_decimals_the_user_wrote_stay_decimals(number: sympy.Rational, latex: str) -> None:
    assert to_latex(number) == latex


@pytest.mark.parametrize(("expr", "latex", "plain"), [
    (sympy.Rational(3, 2) * sympy.sqrt(sympy.Symbol("x")), r"1.5 \sqrt{x}", "1.5*sqrt(x)"),
    (sympy.Symbol("x") ** sympy.Rational(3, 2), "x^{1.5}", "x^(1.5)"),
    (sympy.Symbol("x") + sympy.Rational(5, 2), "x + 2.5", "x + 2.5"),
    (-sympy.Rational(1, 4) * sympy.Symbol("x") ** 2, "- 0.25 x^{2}", "-0.25*x^2"),
    (sympy.Rational(1, 3) * sympy.Symbol("x"), r"\frac{x}{3}", "x/3"),  # no short decimal: a fraction
])
def test_an_expression_typed_with_decimals_is_written_in_decimals(expr: sympy.Expr, latex: str, plain: str) -> None:
    """LatexStyle(decimals=True), the style of an expression typed with decimals (x^1.5): every
    fraction with a short decimal expansion prints as that decimal, in LaTeX and in plain text."""
    assert to_latex(expr, style=LatexStyle(decimals=True)) == latex
    assert to_plain(expr, decimals=True) == plain
    assert to_latex(sympy.Rational(3, 2)) == r"\frac{3}{2}"  # by default a half stays a fraction


def test_a_term_with_its_own_minus_is_subtracted() -> None:
    """Logistic regression step 2.1.3 printed "... + - y \\cdot \\frac{1}{a}"."""
    a, y = sympy.symbols("a y")
    minus_y_over_a = sympy.Mul(sympy.Mul(-1, y, evaluate=False), sympy.Pow(a, -1), evaluate=False)
    latex = to_latex(sympy.Add(sympy.log(a), minus_y_over_a, evaluate=False))
    assert latex == r"\ln{\left(a \right)} - y \cdot \frac{1}{a}" and "+ -" not in latex


def test_a_sum_inside_a_product_printed_as_written_keeps_sympys_order() -> None:
    """The softsign key's exercise f(x) = (2x - 2)/(|2x - 2| + 1) was solved as (-2 + 2x)/(|-2 + 2x| + 1)."""
    x = sympy.Symbol("x")
    written = sympy.Mul(2 * x - 2, sympy.Pow(sympy.Abs(2 * x - 2) + 1, -1), evaluate=False)
    assert to_latex(written) == to_latex(sympy.Mul(2 * x - 2, sympy.Pow(sympy.Abs(2 * x - 2) + 1, -1))) == r"\frac{2 x - 2}{\left|{2 x - 2}\right| + 1}"
    assert to_latex(sympy.Mul(-1, 2 * x - 2, evaluate=False)) == "- (2 x - 2)"


def test_a_denominator_with_a_leading_one_takes_a_dot() -> None:
    """1/(x ln 2) at x = 1 in log(x, 2)'s worked example read "1/(1 ln 2)"."""
    one_over_one = sympy.Pow(1, -1, evaluate=False)
    written = sympy.Mul(one_over_one, sympy.Pow(sympy.log(2), -1, evaluate=False), evaluate=False)
    assert to_latex(written) == r"\frac{1}{1 \cdot \ln{\left(2 \right)}}"


def test_a_decimal_coefficient_is_written_before_its_factor() -> None:
    x = sympy.Symbol("x")
    assert to_latex(sympy.Rational(8943, 200000) * x**3) == "0.044715 x^{3}"
    assert to_latex(-sympy.Rational(26829, 200000) * x**2 * sympy.cos(x)) == r"- 0.134145 x^{2} \cos{\left(x \right)}"
    # the power rule's 3 after the decimal (GELU-tanh step 5.2.4) takes a dot: not 0.0447153x^2
    three_x_squared = sympy.Mul(3, x**2, evaluate=False)
    assert to_latex(sympy.Mul(sympy.Rational(8943, 200000), three_x_squared, evaluate=False)) == r"0.044715 \cdot 3 x^{2}"
    assert to_latex(sympy.Mul(sympy.Rational(8943, 200000), 3, x**2, evaluate=False)) == r"0.044715 \cdot 3 x^{2}"


@pytest.mark.parametrize(("expr", "latex", "plain"), [
    # σ of an expression in x is differentiated as d/dx σ(3x): 'dσ/dx' would name no function of x
    (sympy.Derivative(sigma(3 * variable("x")), variable("x")), r"\frac{d}{dx} \sigma\left(3 x\right)", "d/dx(sigma(3*x))"),
    (sympy.Derivative(sympy.tanh(2 * variable("x")), variable("x")), r"\frac{d}{dx} \tanh{\left(2 x \right)}", "d/dx(tanh(2*x))"),
    (sympy.Derivative(sigma(variable("x")), variable("x")), r"\sigma'(x)", "sigma'(x)"),
    # |x| written piecewise (softsign step 4) is a function of x alone: d/dx, not the partial ∂/∂x
    (sympy.Derivative(sympy.Piecewise((-variable("x"), variable("x") < 0), (variable("x"), True)), variable("x")),
     r"\frac{d}{dx} \begin{cases} - x & x < 0 \\ x & x \geq 0 \end{cases}", None),
])
def test_the_derivative_of_a_function_of_an_expression_names_the_variable(expr: sympy.Expr, latex: str, plain: str | None) -> None:
    assert to_latex(expr) == latex and (plain is None or to_plain(expr) == plain)


Y, Y_HAT = sympy.symbols("y yhat", real=True)
SUMS = [
    # a sum SymPy ordered starts with a term that is not negative, when it has one
    (-sympy.sin(x) + sympy.cos(x), r"\cos{\left(x \right)} - \sin{\left(x \right)}", "cos(x) - sin(x)"),
    (exp(x) * (sympy.cos(x) - sympy.sin(x)), r"\left(\cos{\left(x \right)} - \sin{\left(x \right)}\right) e^{x}",
     "(cos(x) - sin(x))*e^x"),
    (Y_HAT - Y, r"\hat{y} - y", "yhat - y"),
    (x - x**2, r"x - x^{2}", "x - x^2"),
    # a polynomial that would start negative is written by rising powers, not with its constant moved to the front
    (3 - x**2 - 2 * x, r"3 - 2 x - x^{2}", "3 - 2*x - x^2"),
    (1 + x - x**2, r"1 + x - x^{2}", "1 + x - x^2"),
    (2 - x**2 + sympy.sin(x), r"\sin{\left(x \right)} - x^{2} + 2", "sin(x) - x^2 + 2"),
    (1 - 3 * x**2, r"1 - 3 x^{2}", "1 - 3*x^2"),
    (x - 1, r"x - 1", "x - 1"),
    (-x - 1, r"- x - 1", "-x - 1"),  # no term that is not negative: as SymPy orders it
    (Add(-x, 1, evaluate=False), r"- x + 1", "-x + 1"),  # a sum kept as written keeps its order
    # a line of a derivation keeps the rule's order, though SymPy would print its terms swapped
    (Add(Mul(Derivative(exp(x), x), sympy.cos(x), evaluate=False), Mul(exp(x), Derivative(sympy.cos(x), x), evaluate=False),
         evaluate=False), r"\frac{d}{dx} e^{x} \cdot \cos{\left(x \right)} + e^{x} \cdot \frac{d}{dx} \cos{\left(x \right)}",
     "d/dx(e^x)*cos(x) + e^x*d/dx(cos(x))"),
]


@pytest.mark.parametrize(("expr", "latex", "plain"), SUMS, ids=[plain for _, _, plain in SUMS])
def test_sums_are_written_as_a_textbook_writes_them(expr: sympy.Expr, latex: str, plain: str) -> None:
    assert (to_latex(expr), to_plain(expr)) == (latex, plain)


def test_the_json_form_keeps_sympys_own_order() -> None:
    assert to_text(-sympy.sin(x) + sympy.cos(x)) == "-sin(x) + cos(x)"


# --- domains in two pieces: "x < -1 or x > 1", as a textbook states them ---------------------------


@pytest.mark.parametrize(("condition", "plain", "latex"), [
    (sympy.Or(sympy.Lt(1, x), sympy.Lt(x, -1)), "x < -1 or x > 1", r"x < -1 \; \operatorname{or} \; x > 1"),
    (sympy.Or(sympy.Ge(x, 2), sympy.And(sympy.Lt(-1, x), sympy.Lt(x, 0))), "-1 < x < 0 or x >= 2",
     r"-1 < x < 0 \; \operatorname{or} \; x \geq 2"),
])
def test_a_domain_in_two_pieces_reads_left_to_right_with_or(condition, plain: str, latex: str) -> None:
    assert to_plain(condition) == plain
    assert to_latex(condition) == latex


@pytest.mark.parametrize(("condition", "plain", "latex"), [
    (sympy.And(sympy.Gt(x, 0), sympy.Ne(x, 1)), "x > 0 and x != 1", r"x > 0, x \neq 1"),
    (sympy.And(sympy.Ne(x, sympy.sqrt(2)), sympy.Ne(x, -sympy.sqrt(2))), "x != -sqrt(2) and x != sqrt(2)",
     r"x \neq - \sqrt{2}, x \neq \sqrt{2}"),
    (sympy.And(sympy.Lt(-1, x), sympy.Lt(x, 1), sympy.Ne(x, 0)), "-1 < x < 1 and x != 0", r"-1 < x < 1, x \neq 0"),
    (sympy.And(sympy.Or(sympy.Lt(x, -1), sympy.Gt(x, 1)), sympy.Ne(x, 2)), "(x < -1 or x > 1) and x != 2",
     r"\left(x < -1 \; \operatorname{or} \; x > 1\right), x \neq 2"),
])
def test_a_domain_with_isolated_points_lists_them_after_its_bounds(condition, plain: str, latex: str) -> None:
    """x > 0, x ≠ 1, as a textbook states the domain of ln x/(x − 1), not x > 0 ∧ x ≠ 1."""
    assert (to_plain(condition), to_latex(condition)) == (plain, latex)


def test_the_domain_of_arcoth_reads_as_a_textbook_writes_it() -> None:
    from derive.api import derive
    from derive.parse import parse_expression

    derivation = derive(parse_expression("acoth(x)"))
    assert to_plain(derivation.domain.function) == to_plain(derivation.domain.derivative) == "x < -1 or x > 1"


@pytest.mark.parametrize(("factors", "plain"), [
    ((sympy.tan(x), Pow(x, -1)), "tan(x)/x"),
    ((sympy.sin(x), Pow(x, -2)), "sin(x)/x^2"),
    ((Add(x, -1), Pow(x, -2)), "(x - 1)/x^2"),
])
def test_a_written_quotient_by_a_power_of_the_letter_reads_as_a_fraction_in_plain_text(factors, plain: str) -> None:
    """The typed tan(x)/x was echoed as tan(x)*1/x: a power of the letter is a denominator too."""
    assert to_plain(written(*factors)) == plain


@pytest.mark.parametrize(("typed", "annotation"), [
    ("x^(2/3)", "d/dx(x^(2/3)) = 2/3*x^(2/3 - 1)"),
    ("x^(-1/2)", "d/dx(x^(-1/2)) = (-1/2)*x^(-1/2 - 1)"),
])
def test_the_power_rule_writes_its_exponent_n_minus_1_upstairs(typed: str, annotation: str) -> None:
    """The power rule's n - 1 is a sum that happens to be negative: `2/3/x^(1 - 2/3)` moved it
    below a fraction bar with its terms turned round; a textbook writes 2/3*x^(2/3 - 1)."""
    from derive.jobs import parse_typed

    derivation = derive.derive(parse_typed(typed, "x", ["x"])[0], detail="full")
    power_rule = next(step for step in derivation.steps if step.rule == "power")
    assert str(power_rule.annotation).endswith(annotation + ".")


def test_the_imaginary_unit_reads_i_in_plain_text_as_in_latex() -> None:
    """A proof's method names S = e^(ix) (tan x rewritten in exponentials): i, as the LaTeX has it."""
    x = variable("x")
    assert (to_plain(sympy.exp(sympy.I * x)), to_latex(sympy.exp(sympy.I * x))) == ("e^(i*x)", "e^{i x}")


@pytest.mark.parametrize(("function", "latex"), [
    (sympy.asin, r"\arcsin{\left(2 x \right)}"), (sympy.atan, r"\arctan{\left(2 x \right)}"),
    (sympy.acot, r"\operatorname{arccot}{\left(2 x \right)}"), (sympy.asec, r"\operatorname{arcsec}{\left(2 x \right)}"),
    (sympy.asinh, r"\operatorname{arsinh}{\left(2 x \right)}"), (sympy.atanh, r"\operatorname{artanh}{\left(2 x \right)}"),
])
def test_inverse_functions_are_typeset_as_textbooks_print_them(function, latex: str) -> None:
    """arcsin, arctan, arsinh: never SymPy's abbreviations asin, atan, asinh in a document."""
    assert to_latex(function(2 * variable("x"))) == latex
