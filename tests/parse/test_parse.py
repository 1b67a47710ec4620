"""Tests for derive.parse: what students write, what it means, and what is refused."""

from __future__ import annotations

import builtins
import re

import pytest
import sympy
from sympy import E, Derivative, Rational, pi

from derive.errors import InputLimitError, ParseError
from derive.functions import sigma, variable
from derive.parse import (
    DecimalLiteral,
    Definition,
    Line,
    as_definition,
    detect_syntax,
    parse_expression,
    parse_line,
)
from derive.parse.limits import MAX_LINE_LENGTH, MAX_NESTING

from parse_helpers import at, d, evaluated, same, x

f = sympy.Function("f", real=True)
softplus = sympy.Function("softplus", real=True)
exp, log, sqrt = sympy.exp, sympy.log, sympy.sqrt


# (text, expected) in plain-text syntax.
TEXT_CASES = [
    ("x", x),
    ("2", sympy.Integer(2)),
    ("0.7311", Rational(7311, 10000)),
    (".5", Rational(1, 2)),
    ("e", E),
    ("pi", pi),
    ("π", pi),
    ("x + 1", x + 1),
    ("x - 1 + 2", x + 1),
    ("2*x/3", 2 * x / 3),
    ("x/2/3", x / 6),
    ("x**2", x**2),
    ("x^2", x**2),
    ("-x^2", -(x**2)),
    ("(-x)^2", x**2),
    ("2^3^2", sympy.Integer(2) ** 9),
    ("e^-x", exp(-x)),
    ("e^(-x)", exp(-x)),
    ("e^-x^2", exp(-(x**2))),
    ("exp(-x)", exp(-x)),
    ("2x", 2 * x),
    ("2 x", 2 * x),
    ("x e^x", x * exp(x)),
    ("xe^x", x * exp(x)),
    ("(1+x)(1-x)", (1 + x) * (1 - x)),
    ("2 sin(x)", 2 * sympy.sin(x)),
    ("2sin(x)cos(x)", 2 * sympy.sin(x) * sympy.cos(x)),
    ("sin x", sympy.sin(x)),
    ("sinx", sympy.sin(x)),
    ("sin 2x", sympy.sin(2 * x)),
    ("sin^2(x)", sympy.sin(x) ** 2),
    ("sin(x)^2", sympy.sin(x) ** 2),
    ("1/2x", 1 / (2 * x)),
    ("1/(1+e^-x)", 1 / (1 + exp(-x))),
    ("exp(-x)/(1+exp(-x))^2", exp(-x) / (1 + exp(-x)) ** 2),
    ("ln(1+e^x)", log(1 + exp(x))),
    ("log(x)", log(x)),
    ("sqrt(x)", sqrt(x)),
    ("√x", sqrt(x)),
    ("√(1+x)", sqrt(1 + x)),
    ("tanh(x) + cosh(x) + sinh(x)", sympy.tanh(x) + sympy.cosh(x) + sympy.sinh(x)),
    ("atan(x) + arctan(x)", 2 * sympy.atan(x)),
    ("erf(x)", sympy.erf(x)),
    ("abs(x)", sympy.Abs(x)),
    ("sigma(x)", sigma(x)),
    ("σ(x)", sigma(x)),
    ("σ(−x)", sigma(-x)),
    ("sigma(1)", sigma(1)),
    ("sigma", sigma(x)),
    ("sigma(x)(1-sigma(x))", sigma(x) * (1 - sigma(x))),
    ("sigma(1-sigma)", sigma(x) * (1 - sigma(x))),
    ("sigma(1-sigma(x))", sigma(1 - sigma(x))),
    ("sigma^2", sigma(x) ** 2),
    ("sigma(x)^2", sigma(x) ** 2),
    ("x²", x**2),
    ("x⁻¹", 1 / x),
    ("σ²(x)", sigma(x) ** 2),
    ("2·x × 3", 6 * x),
    ("x − 1", x - 1),
    ("[1+x]", 1 + x),
    ("sigma'(x)", d(sigma(x))),
    ("σ'(x)", d(sigma(x))),
    ("σ′(x)", d(sigma(x))),
    ("σ″(x)", d(sigma(x), 2)),
    ("sigma''(x)", d(sigma(x), 2)),
    ("sigma'", d(sigma(x))),
    ("σ′(−x)", at(sigma, -x)),
    ("sigma'(1)", at(sigma, sympy.Integer(1))),
    ("tanh'(x)", d(sympy.tanh(x))),
    ("d/dx sigma(x)", d(sigma(x))),
    ("d/dx(1+e^-x)^-1", d(1 / (1 + exp(-x)))),
    ("d/dx [x^2]", d(x**2)),
    ("d/dx x e^x", d(x * exp(x))),
    ("d^2/dx^2 sigma(x)", d(sigma(x), 2)),
    ("dsigma/dx", d(sigma(x))),
    ("dσ/dx", d(sigma(x))),
    ("dsigma/dx(0)", at(sigma, sympy.Integer(0))),
    ("2 d/dx x^2", 2 * d(x**2)),
    ("x(1+x)", x * (1 + x)),
    ("e(1+x)", E * (1 + x)),
    ("2(x)", 2 * x),
]

# (text, expected) in LaTeX syntax.
LATEX_CASES = [
    (r"x", x),
    (r"0.7311", Rational(7311, 10000)),
    (r"\pi", pi),
    (r"e^{x}", exp(x)),
    (r"e^{-x}", exp(-x)),
    (r"e^x", exp(x)),
    (r"e^-x", exp(-x)),
    (r"e^{-x^{2}}", exp(-(x**2))),
    (r"\mathrm{e}^{-x}", exp(-x)),
    (r"x^23", 3 * x**2),
    (r"x^{23}", x**23),
    (r"\exp(-x)", exp(-x)),
    (r"\exp x", exp(x)),
    (r"\ln(1+e^{x})", log(1 + exp(x))),
    (r"\log x", log(x)),
    (r"\frac{1}{1+e^{-x}}", 1 / (1 + exp(-x))),
    (r"\dfrac{1}{2} + \tfrac{x}{3}", Rational(1, 2) + x / 3),
    (r"\frac{e^{-x}}{(1+e^{-x})^{2}}", exp(-x) / (1 + exp(-x)) ** 2),
    (r"\frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}", exp(-x) / (1 + exp(-x)) ** 2),
    (r"\frac{1}{1+e^{-x}} \cdot \frac{e^{-x}}{1+e^{-x}}", exp(-x) / (1 + exp(-x)) ** 2),
    (r"x \times 2", 2 * x),
    (r"2\sigma(x)", 2 * sigma(x)),
    (r"x e^{x}", x * exp(x)),
    (r"xe^{x}", x * exp(x)),
    (r"(1+x)(1-x)", (1 + x) * (1 - x)),
    (r"\sigma(x)(1-\sigma(x))", sigma(x) * (1 - sigma(x))),
    (r"\sigma(x)\left(1-\sigma(x)\right)", sigma(x) * (1 - sigma(x))),
    (r"\sigma\left(x\right)", sigma(x)),
    (r"\sigma(-x)", sigma(-x)),
    (r"\sigma(1)", sigma(1)),
    (r"\sigma", sigma(x)),
    (r"\sigma(1-\sigma)", sigma(x) * (1 - sigma(x))),
    (r"\sigma (1 - \sigma)", sigma(x) * (1 - sigma(x))),
    (r"\sigma^2", sigma(x) ** 2),
    (r"\sigma^{2}(x)", sigma(x) ** 2),
    (r"\left[ x \right] \left| x \right| \lvert x \rvert", x * sympy.Abs(x) ** 2),
    (r"\{1+x\}".replace("\\", ""), 1 + x),
    (r"\sqrt{x}", sqrt(x)),
    (r"\sqrt x", sqrt(x)),
    (r"\sqrt[3]{x}", x ** Rational(1, 3)),
    (r"\sin x", sympy.sin(x)),
    (r"\sin 2x", sympy.sin(2 * x)),
    (r"\sin x \cos x", sympy.sin(x) * sympy.cos(x)),
    (r"\sin^2 x", sympy.sin(x) ** 2),
    (r"\cosh^{2}(x/2)", sympy.cosh(x / 2) ** 2),
    (r"\frac{1}{4\cosh^{2}(x/2)}", 1 / (4 * sympy.cosh(x / 2) ** 2)),
    (r"\frac{1}{4\cosh^{2}\left(\frac{x}{2}\right)}", 1 / (4 * sympy.cosh(x / 2) ** 2)),
    (r"\tanh(x)", sympy.tanh(x)),
    (r"\arctan x", sympy.atan(x)),
    (r"\operatorname{erf}(x)", sympy.erf(x)),
    (r"\mathrm{erf}(x)", sympy.erf(x)),
    (r"2\,x\;+\!1\ ", 2 * x + 1),
    (r"\sigma'(x)", d(sigma(x))),
    (r"\sigma''(x)", d(sigma(x), 2)),
    (r"\sigma^{\prime}(x)", d(sigma(x))),
    (r"\sigma^{\prime\prime}(x)", d(sigma(x), 2)),
    (r"\sigma^\prime(x)", d(sigma(x))),
    (r"\sigma'(-x)", at(sigma, -x)),
    (r"\sigma'", d(sigma(x))),
    (r"\tanh'(x)", d(sympy.tanh(x))),
    (r"\frac{d}{dx}\sigma(x)", d(sigma(x))),
    (r"\frac{d}{dx}\left( x^2 \right)", d(x**2)),
    (r"\frac{d}{dx}[x^2]", d(x**2)),
    (r"\frac{d}{dx}\left(1+e^{-x}\right)^{-1}", d(1 / (1 + exp(-x)))),
    (r"\frac{\mathrm{d}}{\mathrm{d}x}(x^2)", d(x**2)),
    (r"\frac{\mathrm d}{\mathrm d x}(x^2)", d(x**2)),
    (r"\frac{d\sigma}{dx}", d(sigma(x))),
    (r"\frac{d \sigma}{d x}", d(sigma(x))),
    (r"\frac{d^2}{dx^2}\sigma(x)", d(sigma(x), 2)),
    (r"\frac{d^{2}\sigma}{dx^{2}}", d(sigma(x), 2)),
    (r"\frac{d\sigma}{dx}(0)", at(sigma, sympy.Integer(0))),
    (r"-\left(1+e^{-x}\right)^{-2}\cdot(-e^{-x})", exp(-x) / (1 + exp(-x)) ** 2),
    (r"$\sigma(x)$", sigma(x)),
    (r"\[ x \]", x),
    (r"{e^{x}}^{2}", exp(2 * x)),
    (r"\exp\left(-x\right)", exp(-x)),
    (r"\sigma(x)^{2}", sigma(x) ** 2),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_text_expressions(text: str, expected: sympy.Expr) -> None:
    actual = parse_expression(text, syntax="text")
    assert same(actual, expected), (actual, expected)


@pytest.mark.parametrize(("text", "expected"), LATEX_CASES, ids=[c[0] for c in LATEX_CASES])
def test_latex_expressions(text: str, expected: sympy.Expr) -> None:
    actual = parse_expression(text, syntax="latex")
    assert same(actual, expected), (actual, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sigma'(x)", "text"),
        ("exp(-x)/(1+exp(-x))^2", "text"),
        ("σ′(−x) ≈ 0.2", "text"),
        (r"\sigma'(x)", "latex"),
        (r"e^{-x}", "latex"),
        (r"\frac{1}{2}", "latex"),
        (r"x\,", "latex"),
    ],
)
def test_detect_syntax(text: str, expected: str) -> None:
    assert detect_syntax(text) == expected


def test_results_are_not_evaluated() -> None:
    assert isinstance(parse_expression("1+1"), sympy.Add)
    assert parse_expression("sigma(0)") == sigma(0, evaluate=False)
    tower = parse_expression("2^{2^{2^{2}}}")
    assert isinstance(tower, sympy.Pow) and evaluated(tower) == 2**16
    assert isinstance(parse_expression("d/dx x^2"), Derivative)


def test_decimals_are_exact() -> None:
    assert parse_expression("0.7311") == Rational(7311, 10000)
    assert parse_expression("0.1") + parse_expression("0.2") == Rational(3, 10)
    assert not parse_expression("0.1").atoms(sympy.Float)


def test_minus_of_a_number_is_the_number() -> None:
    assert parse_expression("-2") == -2
    assert parse_expression("x^{-1}", syntax="latex") == sympy.Pow(x, -1, evaluate=False)


# -- lines ---------------------------------------------------------------------------------


def test_line_with_relation() -> None:
    line = parse_line(r"\sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^{2}}")
    assert line.relations == ("=",)
    assert same(line.parts[0], d(sigma(x)))
    assert same(line.parts[1], exp(-x) / (1 + exp(-x)) ** 2)
    assert line.decimals == ()


def test_continuation_line() -> None:
    line = parse_line(r"= \frac{1}{1+e^{-x}} \cdot \frac{e^{-x}}{1+e^{-x}}")
    assert line.parts[0] is None and line.relations == ("=",)
    assert same(line.parts[1], exp(-x) / (1 + exp(-x)) ** 2)


def test_chain_and_approx() -> None:
    line = parse_line(r"\sigma(1) = \frac{1}{1+e^{-1}} \approx 0.7311")
    assert line.relations == ("=", "≈")
    assert len(line.parts) == 3
    assert line.parts[2] == Rational(7311, 10000)


@pytest.mark.parametrize("relation", [r"\approx", "≈"])
def test_approx_latex(relation: str) -> None:
    line = parse_line(rf"\sigma(1) {relation} 0.7311")
    assert line.relations == ("≈",)


@pytest.mark.parametrize("relation", ["~=", "≈", "~~"])
def test_approx_text(relation: str) -> None:
    assert parse_line(f"sigma(1) {relation} 0.7311").relations == ("≈",)


def test_decimal_literals_for_approx() -> None:
    line = parse_line(r"\sigma(1) \approx 0.7311")
    assert line.decimals == (
        DecimalLiteral(value=Rational(7311, 10000), digits=4, part=1, column=19),
    )
    assert line.decimals[0].radius == Rational(1, 20000)


def test_decimal_literals_in_a_continuation() -> None:
    line = parse_line(r"\approx 1/(1+0.368)")
    assert line.parts[0] is None
    assert same(line.parts[1], 1 / (1 + Rational(368, 1000)))
    assert [(dl.value, dl.digits, dl.part) for dl in line.decimals] == [(Rational(46, 125), 3, 1)]


@pytest.mark.parametrize("text", ["-0.7311", "1 - 0.7311", "2*-0.7311", r"e^{-0.7311}"])
def test_negative_decimal_literals_are_recorded_as_they_appear(text: str) -> None:
    line = parse_line(text)
    (literal,) = line.decimals
    assert literal.value == Rational(-7311, 10000) and literal.digits == 4
    assert literal.value in line.parts[0].atoms(sympy.Rational)  # type: ignore[union-attr]


def test_decimal_literals_keep_written_digits() -> None:
    line = parse_line("0.5 ≈ 0.50 ≈ 0.500 = 1/2")
    assert [(dl.value, dl.digits, dl.part) for dl in line.decimals] == [
        (Rational(1, 2), 1, 0),
        (Rational(1, 2), 2, 1),
        (Rational(1, 2), 3, 2),
    ]


@pytest.mark.parametrize(
    "text",
    [
        r"&= \sigma(x) \\",
        r"\quad = \sigma(x).",
        r"= \sigma(x), % the logistic function",
        r"= \sigma(x)\,.",
        "= sigma(x).",
    ],
)
def test_alignment_and_punctuation_are_ignored(text: str) -> None:
    line = parse_line(text)
    assert line.parts == (None, sigma(x)) and line.relations == ("=",)


def test_lone_expression_is_a_line_of_one_part() -> None:
    assert parse_line("sigma(x)") == Line(parts=(sigma(x),), relations=(), decimals=())


# -- real student lines ----------------------------------------------------------------------

STUDENT_LINES = [
    (
        r"\sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^{2}}",
        [d(sigma(x)), exp(-x) / (1 + exp(-x)) ** 2],
    ),
    (
        r"= \frac{1}{1+e^{-x}} \cdot \frac{e^{-x}}{1+e^{-x}}",
        [None, exp(-x) / (1 + exp(-x)) ** 2],
    ),
    (r"= \sigma(x)\left(1-\sigma(x)\right)", [None, sigma(x) * (1 - sigma(x))]),
    ("sigma'(x) = exp(-x)/(1+exp(-x))^2", [d(sigma(x)), exp(-x) / (1 + exp(-x)) ** 2]),
    (r"\sigma(1) \approx 0.7311", [sigma(1), Rational(7311, 10000)]),
    (r"\approx 1/(1+0.368)", [None, 1 / (1 + Rational(368, 1000))]),
    (
        r"\frac{d}{dx}\left(1+e^{-x}\right)^{-1} = -\left(1+e^{-x}\right)^{-2}\cdot(-e^{-x})",
        [d(1 / (1 + exp(-x))), exp(-x) / (1 + exp(-x)) ** 2],
    ),
    (r"\frac{d\sigma}{dx} = \sigma(1-\sigma)", [d(sigma(x)), sigma(x) * (1 - sigma(x))]),
    (r"\frac{1}{4\cosh^{2}(x/2)}", [1 / (4 * sympy.cosh(x / 2) ** 2)]),
    ("tanh'(x) = 1 - tanh(x)^2", [d(sympy.tanh(x)), 1 - sympy.tanh(x) ** 2]),
    ("σ′(−x) = σ(−x)(1 − σ(−x))", [at(sigma, -x), sigma(-x) * (1 - sigma(-x))]),
    (r"\sigma(x) = \frac{1}{1 + e^{-x}}.", [sigma(x), 1 / (1 + exp(-x))]),
    (r"&= \frac{e^{-x}}{1+e^{-x}}\cdot\frac{1}{1+e^{-x}} \\", [None, exp(-x) / (1 + exp(-x)) ** 2]),
    ("d/dx sigma(x) = sigma(x)*(1 - sigma(x))", [d(sigma(x)), sigma(x) * (1 - sigma(x))]),
    (r"= \frac{(1+e^{-x}) - 1}{(1+e^{-x})^2}", [None, exp(-x) / (1 + exp(-x)) ** 2]),
    (r"1 - \sigma(x) = \frac{e^{-x}}{1+e^{-x}}", [1 - sigma(x), exp(-x) / (1 + exp(-x))]),
]


@pytest.mark.parametrize(("text", "parts"), STUDENT_LINES, ids=[c[0] for c in STUDENT_LINES])
def test_student_lines(text: str, parts: list[sympy.Expr | None]) -> None:
    line = parse_line(text)
    assert len(line.parts) == len(parts)
    for actual, expected in zip(line.parts, parts, strict=True):
        if expected is None:
            assert actual is None
        else:
            assert actual is not None
            assert sympy.simplify(evaluated(actual) - expected) == 0, (actual, expected)


# -- variables, user functions, definitions ------------------------------------------------------


def test_other_variable() -> None:
    t = variable("t")
    assert same(parse_expression("t e^{-t}", variable="t"), t * exp(-t))
    # every other letter is a parameter (issue 12): x is a letter too when the variable is t
    assert parse_expression("x", variable="t") == variable("x")
    assert same(parse_expression(r"\theta^2", variable="theta"), variable("theta") ** 2)


@pytest.mark.parametrize("name", ["e", "pi", "d", "sigma", "sin", "x y", "", "x1"])
def test_bad_variable_names_are_a_caller_error(name: str) -> None:
    with pytest.raises(ValueError):
        parse_expression("1", variable=name)


def test_user_functions() -> None:
    functions = {"f": f, "softplus": softplus}
    assert same(parse_expression("f(x)^2", functions=functions), f(x) ** 2)
    assert same(parse_expression("f'(x)", functions=functions), d(f(x)))
    assert same(parse_expression("f''(2x)", functions=functions), at(f, 2 * x, 2))
    assert same(parse_expression(r"\frac{df}{dx}", functions=functions), d(f(x)))
    for text in ("softplus(x)", r"\operatorname{softplus}(x)", r"\softplus(x)"):
        assert same(parse_expression(text, functions=functions), softplus(x))
    with pytest.raises(ParseError, match="unknown name 'f'"):
        parse_expression("f(x)")


def test_definitions() -> None:
    assert as_definition(r"f(x) = \tanh(x)") == Definition(
        name="f", parameters=(x,), body=sympy.tanh(x)
    )
    definition = as_definition(r"\operatorname{softplus}(x) := \ln(1+e^{x})")
    assert definition is not None and definition.name == "softplus"
    assert same(definition.body, log(1 + exp(x)))
    assert as_definition("g(x) = x^2").body == sympy.Pow(x, 2, evaluate=False)  # type: ignore[union-attr]
    assert as_definition(r"h\left(x\right) = x") is not None


@pytest.mark.parametrize(
    "text",
    [
        r"\sigma(x) = \frac{1}{1+e^{-x}}",  # a claim about a known function
        "tanh(x) = 1",
        "f(1) = t",  # not letters
        "f(x, x) = x",  # the same letter twice
        "f(x) = x = x",  # a chain, not a definition
        "f'(x) = 1",
        "x = 1",
        "= f(x)",
    ],
)
def test_not_definitions(text: str) -> None:
    assert as_definition(text) is None


def test_known_user_function_is_not_redefined() -> None:
    assert as_definition("f(x) = x", functions={"f": f}) is None


def test_definition_with_a_bad_body_is_an_error() -> None:
    with pytest.raises(ParseError, match="unknown name 'foo'"):
        as_definition("f(x) = foo")


# -- rejected input --------------------------------------------------------------------------

REJECTED = [
    ("(x+1", ParseError, "'(' at column 1 is never closed"),
    (r"\frac{1}{1+e^{-x}", ParseError, "'{' at column 9 is never closed"),
    ("x+1)", ParseError, "')' at column 4 has no matching '('"),
    ("(x]", ParseError, "mismatched brackets"),
    ("foo(x)", ParseError, "unknown name 'foo'"),
    (r"\alphabet", ParseError, r"unknown name '\alphabet'"),
    ("__import__('os')", ParseError, "unexpected character '_'"),
    ("lambda x: x", ParseError, "unexpected character ':'"),
    ("eval(x)", ParseError, "unknown name 'eval'"),
    ("x.__class__", ParseError, ""),
    ("", ParseError, "empty line"),
    ("   ", ParseError, "empty line"),
    (r"% only a comment: \sigma", ParseError, "empty line"),
    ("\x00\x01\x02", ParseError, "unexpected character U+0000"),
    ("\ufffd\ufffd", ParseError, "unexpected character"),
    ("x +", ParseError, "ends too early"),
    ("sin", ParseError, "ends too early"),
    (r"\frac{d}{dx}", ParseError, "ends too early"),
    ("2*", ParseError, "ends too early"),
    ("1 2", ParseError, "two numbers side by side"),
    ("|x|", ParseError, "write abs(x)"),
    ("x_", ParseError, "a subscript is one letter or digit"),
    ("x_{1_2}", ParseError, ""),
    ("x_{123456789}", InputLimitError, "subscript too long"),
    ("2_1", ParseError, "a subscript belongs to a letter"),
    (r"e^{x}^{2}", ParseError, "double superscript"),
    (r"\sin^{-1}(x)", ParseError, "ambiguous power -1"),
    (r"\frac{d^2}{dx^3} x", ParseError, "derivative orders differ"),
    (r"\sqrt[0]{x}", ParseError, "index of a root"),
    (r"\left\{ x \right\}", ParseError, r"unsupported delimiter after '\left'"),
    ("(x+1)^(10^9)", InputLimitError, "exponent too large: 10^9 exceeds the limit of 1000"),
    ("10^10^10^10", InputLimitError, "exponent too large"),
    (r"2^{2^{2^{2^{2}}}}", InputLimitError, "exponent too large"),
    ("x^1001", InputLimitError, "exponent too large: 1001"),
    ("x^-1001", InputLimitError, "exponent too large"),
    ("exp(10^9)", InputLimitError, "exponent too large"),
    ("cosh(2000)", InputLimitError, "exponent too large"),
    (r"e^{\pi^{\pi^{\pi}}}", InputLimitError, "exponent too large"),
    ("2^(1/0)", InputLimitError, "exponent too large"),
    ("(10^30)^1000", InputLimitError, "power too large"),
    ("((x^1000)^1000)", InputLimitError, "power too large"),
    ("(1+10^-10)^1000", InputLimitError, "power too large"),
    ("1" * 31, InputLimitError, "number too long: 31 digits"),
    ("0." + "1" * 30, InputLimitError, "number too long"),
    ("x" * (MAX_LINE_LENGTH + 1), InputLimitError, "line too long"),
    ("(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1), InputLimitError, "too deeply nested"),
    ("{" * 200 + "x" + "}" * 200, InputLimitError, "too deeply nested"),
    ("-" * 1500 + "x", InputLimitError, "nested too deeply"),
    ("x^" * 500 + "x", InputLimitError, "nested too deeply"),
    ("sigma'''''''''''(x)", InputLimitError, "derivative order 11"),
    ("w_{w_{w}}", ParseError, "a subscript is one letter or digit"),
    ("w_10 x", ParseError, "write w_{10} for the subscript 10 (braces around a subscript of more than one digit), "
     "or w_1*0 for a product"),
    (r"\theta_12", ParseError, r"write \theta_{12} for the subscript 12 (braces around a subscript of more than "
     r"one digit), or \theta_1 \cdot 2 for a product"),
    ("w_{w_{w_{w}}}", InputLimitError, "subscripts nest at most 2 deep"),
    ("w_{" * 10_000 + "w" + "}" * 10_000, InputLimitError, "subscripts nest at most 2 deep"),  # not "line too long"
    ("x_{" + "1_{" * 9_999 + "1" + "}" * 10_000, InputLimitError, "subscripts nest at most 2 deep"),
    ("+".join(f"a_{{{i}}}" for i in range(1, 202)), InputLimitError, "too many letters: more than 200"),
    ("x = 1", ParseError, "expected a single expression"),
]


@pytest.mark.parametrize(("text", "error", "fragment"), REJECTED, ids=[r[0][:30] for r in REJECTED])
def test_rejected(text: str, error: type[ParseError], fragment: str) -> None:
    with pytest.raises(error) as caught:
        parse_expression(text)
    assert fragment in caught.value.message
    if error is not InputLimitError:
        assert not isinstance(caught.value, InputLimitError)
    if caught.value.column is not None:
        assert str(caught.value).count(f"at column {caught.value.column}") == 1, "the column is said once"


def test_line_errors() -> None:
    with pytest.raises(ParseError, match="ends too early"):
        parse_line("= ")
    with pytest.raises(ParseError, match="unexpected"):
        parse_line("x = = 1")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("^x", "something is missing before it"),
        ("x = = 1", "something is missing before it"),
        (r"e^{x}^{2}", "double superscript"),
        ("(x)'", "for the derivative of an expression"),
        ("sin sin x", "put a function's argument in parentheses"),
        (r"\frac{}x", "something is missing"),
        ("0,5", "decimals with a point"),
    ],
)
def test_error_hints(text: str, fragment: str) -> None:
    with pytest.raises(ParseError, match=re.escape(fragment)):
        parse_line(text)


def test_latex_tilde_equals_is_approx() -> None:
    assert parse_line(r"\sigma(1) ~= 0.73").relations == ("≈",)


def test_columns_survive_comments_and_definitions() -> None:
    with pytest.raises(ParseError) as caught:
        parse_line(r"x + \alphabet % \beta")
    assert caught.value.column == 5
    with pytest.raises(ParseError) as caught:
        as_definition("f(x) = foo")
    assert caught.value.column == 8


def test_errors_carry_the_column() -> None:
    with pytest.raises(ParseError) as caught:
        parse_line(r"\sigma(x) = \alphabet")
    assert caught.value.column == 13
    with pytest.raises(ParseError) as caught:
        parse_line("x + foo")
    assert caught.value.column == 5
    assert "(at column 5)" in str(caught.value)


def test_nesting_at_the_limit_is_accepted() -> None:
    text = "(" * MAX_NESTING + "x" + ")" * MAX_NESTING
    assert parse_expression(text) == x
    deep = "1+(" * (MAX_NESTING - 1) + "x" + ")" * (MAX_NESTING - 1)
    assert same(parse_expression(deep), x + MAX_NESTING - 1)


def test_long_line_at_the_limit_is_accepted() -> None:
    text = "+".join(["x"] * ((MAX_LINE_LENGTH + 1) // 2))
    assert len(text) <= MAX_LINE_LENGTH
    assert same(parse_expression(text), (MAX_LINE_LENGTH + 1) // 2 * x)


def test_no_string_is_ever_evaluated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parser must not reach eval/exec or SymPy's string parser, whatever the input."""
    parse_line("x")  # build the parsers first (Lark may use eval while compiling grammars)
    parse_line(r"\sigma(x)")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("string evaluation attempted")

    import sympy.parsing.sympy_parser as sympy_parser

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)
    monkeypatch.setattr(sympy_parser, "parse_expr", refuse)
    for text, _ in TEXT_CASES[:20] + LATEX_CASES[:20]:
        parse_expression(text)
    for text in ("__import__('os').system('true')", "exec('1')", "eval('1')"):
        with pytest.raises(ParseError):
            parse_expression(text)


def test_free_symbols_are_only_the_variable() -> None:
    for text, _ in TEXT_CASES + LATEX_CASES:
        assert parse_expression(text).free_symbols <= {x}
