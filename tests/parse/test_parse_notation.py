"""Notation students write that the parser reads (or refuses with a useful message).

Each table is ``(exact input, expected parse)`` or ``(exact input, expected message fragment)``.
"""

from __future__ import annotations

import pytest
import sympy

from derive.differentiate.catalogue import catalogue_names
from derive.errors import InputLimitError, ParseError
from derive.functions import sigma
from derive.parse import parse_expression, parse_line

from parse_helpers import at, d, evaluated, same, x

f = sympy.Function("f", real=True)
softplus = sympy.Function("softplus", real=True)


# -- f^{(n)}: the n-th derivative --------------------------------------------------------------

# (text, syntax, expected); "f" and "softplus" are user/catalogue functions here.
DERIVATIVE_ORDERS = [
    (r"\sigma^{(2)}(x)", "latex", d(sigma(x), 2)),
    (r"\sigma^{(1)}(x)", "latex", d(sigma(x))),
    (r"\sigma^{ ( 2 ) }(x)", "latex", d(sigma(x), 2)),
    (r"\sigma^{\left(3\right)}(x)", "latex", d(sigma(x), 3)),
    (r"\sigma^(2)(x)", "latex", d(sigma(x), 2)),
    (r"\sigma^{(2)}", "latex", d(sigma(x), 2)),
    (r"\sigma^{(2)}(-x)", "latex", at(sigma, -x, 2)),
    (r"\sigma^{(2)}(1-\sigma)", "latex", d(sigma(x), 2) * (1 - sigma(x))),
    (r"\tanh^{(2)}(x)", "latex", d(sympy.tanh(x), 2)),
    (r"\sin^{(3)} x", "latex", d(sympy.sin(x), 3)),
    (r"f^{(2)}(x)", "latex", d(f(x), 2)),
    (r"\operatorname{softplus}^{(2)}(x)", "latex", d(softplus(x), 2)),
    (r"\sigma^{(10)}(x)", "latex", d(sigma(x), 10)),
    ("sigma^(2)(x)", "text", d(sigma(x), 2)),
    ("sigma**(2)(x)", "text", d(sigma(x), 2)),
    ("sigma^( 2 )(x)", "text", d(sigma(x), 2)),
    ("f^(2)(x)", "text", d(f(x), 2)),
    ("softplus^(1)(x)", "text", d(softplus(x))),
    ("σ^(2)(2x)", "text", at(sigma, 2 * x, 2)),
    # Not an order: powers stay powers.
    (r"\sigma^{2}(x)", "latex", sigma(x) ** 2),
    (r"\sigma^2(x)", "latex", sigma(x) ** 2),
    (r"\sigma(x)^{(2)}", "latex", sigma(x) ** 2),
    (r"\sigma^{(2.0)}(x)", "latex", sigma(x) ** 2),
    (r"\sigma^{(2)+1}(x)", "latex", sigma(x) ** 3),
    (r"\sigma^{(-2)}(x)", "latex", sigma(x) ** -2),
    (r"x^{(2)}", "latex", x**2),
    (r"e^{(2)}", "latex", sympy.exp(2)),
    ("x^(2)", "text", x**2),
    ("sigma(x)^(2)", "text", sigma(x) ** 2),
    ("sigma^2(x)", "text", sigma(x) ** 2),
]


@pytest.mark.parametrize(
    ("text", "syntax", "expected"), DERIVATIVE_ORDERS, ids=[c[0] for c in DERIVATIVE_ORDERS]
)
def test_derivative_order_in_parentheses(text: str, syntax: str, expected: sympy.Expr) -> None:
    actual = parse_expression(text, syntax=syntax, functions={"f": f, "softplus": softplus})  # type: ignore[arg-type]
    assert same(actual, expected), (actual, expected)


def test_derivative_order_reads_like_primes() -> None:
    for order_form, prime_form in [
        (r"\sigma^{(2)}(x)", r"\sigma''(x)"),
        (r"\sigma^{(1)}(2x)", r"\sigma'(2x)"),
        ("sigma^(3)(x)", "sigma'''(x)"),
    ]:
        assert parse_expression(order_form) == parse_expression(prime_form)


DERIVATIVE_ORDER_ERRORS = [
    (r"\sigma^{-1}(x)", ParseError, "ambiguous power -1", 1),
    (r"\sigma^{(-1)}(x)", ParseError, "ambiguous power -1", 1),
    (r"\sigma^{(0)}(x)", InputLimitError, "derivative order 0 is outside 1 to 10", 10),
    (r"\sigma^{(11)}(x)", InputLimitError, "derivative order 11 is outside 1 to 10", 10),
    ("sigma^(12)(x)", InputLimitError, "derivative order 12 is outside 1 to 10", 8),
]


@pytest.mark.parametrize(
    ("text", "error", "fragment", "column"),
    DERIVATIVE_ORDER_ERRORS,
    ids=[c[0] for c in DERIVATIVE_ORDER_ERRORS],
)
def test_derivative_order_errors(text: str, error: type, fragment: str, column: int) -> None:
    with pytest.raises(error) as caught:
        parse_line(text)
    assert fragment in caught.value.message
    assert caught.value.column == column


# -- notes on math lines -------------------------------------------------------------------------

# (annotated line, the same line without its notes): both must parse to the same thing.
ANNOTATED = [
    (r"\sigma'(x) = \sigma(x)(1-\sigma(x)) \quad \text{chain rule}", r"\sigma'(x) = \sigma(x)(1-\sigma(x))"),
    (r"= \sigma(x) \qquad \text{(by (1))}.", r"= \sigma(x)"),
    (r"= \sigma(x) \text{ by definition}", r"= \sigma(x)"),
    (r"&= \sigma(x) && \text{Definition} \\", r"= \sigma(x)"),
    (r"= \sigma(x), \textrm{so}", r"= \sigma(x)"),
    (r"= \sigma(x) \,\mbox{using $u = 1+e^{-x}$}", r"= \sigma(x)"),
    (r"= \sigma(x) \; \textnormal{done}", r"= \sigma(x)"),
    (r"= \sigma(x) & \text{{nested} braces}", r"= \sigma(x)"),
    (r"= \sigma(x) \tag{3}", r"= \sigma(x)"),
    (r"= \sigma(x) \tag*{$\ast$}", r"= \sigma(x)"),
    (r"\label{eq:sigma} \sigma'(x) = \sigma(x) \notag", r"\sigma'(x) = \sigma(x)"),
    (r"\sigma'(x) \nonumber = \sigma(x) \label{eq:1} \\", r"\sigma'(x) = \sigma(x)"),
    (r"= \sigma(x) \checkmark", r"= \sigma(x)"),
    (r"= \sigma(x) \quad \blacksquare", r"= \sigma(x)"),
    (r"= \sigma(x) \square", r"= \sigma(x)"),
    (r"= \sigma(x). \qed", r"= \sigma(x)"),
    (r"= \sigma(x) \text{ (chain rule)} \quad \checkmark \tag{2}", r"= \sigma(x)"),
    (r"= \sigma(x) \quad \text{sigmoid} % a comment", r"= \sigma(x)"),
    ("sigma'(x) = sigma(x)(1-sigma(x))  # chain rule", "sigma'(x) = sigma(x)(1-sigma(x))"),
    ("= sigma(x) # first # second", "= sigma(x)"),
    ("= sigma(x). # done", "= sigma(x)"),
    # \text{x} holding one name the parser knows is still that name, not a note.
    (r"= 2\text{x}", r"= 2x"),
    (r"= 2 \quad \text{x}", r"= 2x"),
]


@pytest.mark.parametrize(("annotated", "plain"), ANNOTATED, ids=[c[0][:40] for c in ANNOTATED])
def test_notes_are_not_part_of_the_claim(annotated: str, plain: str) -> None:
    assert parse_line(annotated) == parse_line(plain)


# (line, fragment of the error, its column): what is left keeps its columns.
ANNOTATED_ERRORS = [
    (r"\tag{1} x + \alphabet \quad \text{note}", r"unknown name '\alphabet'", 13),
    (r"\label{a} = \sigma(x) + \betas \tag{2}", r"unknown name '\betas'", 25),
    ("x + foo # comment", "unknown name 'foo'", 5),
    (r"= x \text{by the chain rule} + 1", r"unknown name '\text': text can only be a note", 5),
    (r"\text{By the chain rule:}", "empty line", None),
    ("# only a comment", "empty line", None),
]


@pytest.mark.parametrize(("text", "fragment", "column"), ANNOTATED_ERRORS, ids=[c[0] for c in ANNOTATED_ERRORS])
def test_columns_survive_notes(text: str, fragment: str, column: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        parse_line(text)
    assert fragment in caught.value.message
    assert caught.value.column == column


def test_text_in_a_note_never_reaches_the_grammar() -> None:
    # The note would be an unknown name (or an unexpected character) if it were read.
    line = parse_line(r"= x \quad \text{<script>alert(1)</script> \foo}")
    assert line.parts == (None, x)


CONNECTIVE = "put each claim on its own line; arrows and 'therefore' are not claims"

# (line, syntax, column of the connective)
# A connective before a claim with its own left side: the claim is read (issue 10).
CLAIMS_AFTER_CONNECTIVES = [
    (r"\Rightarrow \sigma'(x) = \sigma(x)(1-\sigma(x))", "latex", r"\sigma'(x) = \sigma(x)(1-\sigma(x))"),
    (r"\implies \sigma'(x) = 1", "latex", r"\sigma'(x) = 1"),
    (r"\therefore \sigma'(x) = 1", "latex", r"\sigma'(x) = 1"),
    (r"\iff x = x", "latex", "x = x"),
    (r"\Longrightarrow x = x", "latex", "x = x"),
    (r"&\Rightarrow x = x", "latex", "x = x"),
    (r"\text{so } \sigma'(x) = 1", "latex", r"\sigma'(x) = 1"),
    (r"\text{Hence, } x = x", "latex", "x = x"),
    ("=> sigma'(x) = sigma(x)(1-sigma(x))", "text", "sigma'(x) = sigma(x)(1-sigma(x))"),
    ("⇒ x = x", "text", "x = x"),
    ("⟹ x = x", "text", "x = x"),
    ("∴ x = x", "text", "x = x"),
    ("Therefore sigma'(x) = 1", "text", "sigma'(x) = 1"),
    ("Therefore, sigma'(x) = 1", "text", "sigma'(x) = 1"),
    ("hence x = x", "text", "x = x"),
    ("Thus x = x", "text", "x = x"),
    ("so sigma'(x) = sigma(x)*(1 - sigma(x))", "text", "sigma'(x) = sigma(x)*(1 - sigma(x))"),
    ("then x = x", "text", "x = x"),
]


@pytest.mark.parametrize(("text", "syntax", "claim"), CLAIMS_AFTER_CONNECTIVES, ids=[c[0] for c in CLAIMS_AFTER_CONNECTIVES])
def test_a_claim_after_a_connective_is_read(text: str, syntax: str, claim: str) -> None:
    assert parse_line(text, syntax=syntax) == parse_line(claim, syntax=syntax)  # type: ignore[arg-type]


# A connective that joins two claims on one line, or stands before no claim: one claim per line.
CONNECTIVES = [
    (r"\because x = x", "latex", 1),
    (r"x = x \implies x = x", "latex", 7),
    ("=>sigma(x)", "text", 1),
    ("x = x => x = x", "text", 7),
    (r"=> \sigma(x)", "latex", 1),
]


@pytest.mark.parametrize(("text", "syntax", "column"), CONNECTIVES, ids=[c[0] for c in CONNECTIVES])
def test_connectives_between_claims_say_what_to_write(text: str, syntax: str, column: int) -> None:
    with pytest.raises(ParseError) as caught:
        parse_line(text, syntax=syntax)  # type: ignore[arg-type]
    assert CONNECTIVE in caught.value.message
    assert "start a continuation with '='" in caught.value.message
    assert caught.value.column == column


# -- standard LaTeX that now parses ----------------------------------------------------------------

log, tanh, sqrt = sympy.log, sympy.tanh, sympy.sqrt

PARSED = [
    (r"\ln\frac{x}{1-x}", "latex", log(x / (1 - x))),
    (r"\tanh\frac{x}{2}", "latex", tanh(x / 2)),
    (r"\sqrt\frac{1}{x}", "latex", sqrt(1 / x)),
    (r"\ln\frac{x}{2} + 1", "latex", log(x / 2) + 1),
    (r"2\ln\dfrac{1+x}{1-x}", "latex", 2 * log((1 + x) / (1 - x))),
    (r"\cosh^{2}\frac{x}{2}", "latex", sympy.cosh(x / 2) ** 2),
    (r"\sin\sqrt{x}", "latex", sympy.sin(sqrt(x))),
    (r"\ln\left|x\right|", "latex", log(sympy.Abs(x))),
    (r"\ln\lvert x \rvert + 1", "latex", log(sympy.Abs(x)) + 1),
    (r"\exp\sqrt[3]{x}", "latex", sympy.exp(x ** sympy.Rational(1, 3))),
    (r"\frac{d\sigma(x)}{dx}", "latex", d(sigma(x))),
    (r"\frac{d \sigma\left(x\right)}{d x}", "latex", d(sigma(x))),
    (r"\dfrac{d^{2}\sigma(x)}{dx^{2}}", "latex", d(sigma(x), 2)),
    (r"\frac{d\tanh(x)}{dx}", "latex", d(tanh(x))),
    (r"\frac{d\sigma(x)}{dx}(1-\sigma(x))", "latex", d(sigma(x)) * (1 - sigma(x))),
    ("dsigma(x)/dx", "text", d(sigma(x))),
    ("d^2 sigma(x)/dx^2", "text", d(sigma(x), 2)),
    ("dsigma(x)/dx (1 - sigma(x))", "text", d(sigma(x)) * (1 - sigma(x))),
]


@pytest.mark.parametrize(("text", "syntax", "expected"), PARSED, ids=[c[0] for c in PARSED])
def test_standard_latex_parses(text: str, syntax: str, expected: sympy.Expr) -> None:
    actual = parse_expression(text, syntax=syntax)  # type: ignore[arg-type]
    assert same(actual, expected), (actual, expected)


# -- messages that say what to write instead -------------------------------------------------------

CATALOGUE = {"softplus": softplus}

# (text, syntax, functions, variable, exact message, column)
MESSAGES = [
    (
        r"\frac{d\sigma(2x)}{dx}", "latex", None, "x",
        r"unclear derivative: write \frac{d}{dx}\sigma(2x) for the derivative of \sigma(2x), "
        r"or \sigma'(2x) for \sigma' at 2x", 1,
    ),
    (
        r"1 + \frac{d^2\tanh(-x)}{dx^2}", "latex", None, "x",
        r"unclear derivative: write \frac{d^{2}}{dx^{2}}\tanh(-x) for the derivative of \tanh(-x), "
        r"or \tanh''(-x) for \tanh'' at -x", 5,
    ),
    (
        "dsigma(2x)/dx", "text", None, "x",
        "unclear derivative: write d/dx sigma(2x) for the derivative of sigma(2x), "
        "or sigma'(2x) for sigma' at 2x", 1,
    ),
    ("∇L", "text", None, "x", "unexpected character '∇': derive does not read gradients yet; write each partial derivative on its own line, e.g. dL/dw", 1),
    (
        r"\nabla_w L", "latex", None, "x",
        r"unknown name '\nabla': derive does not read gradients (vectors of partial derivatives) yet; write each "
        r"partial derivative on a line of its own, e.g. \frac{\partial L}{\partial w}", 1,
    ),
    ("wx + b", "text", None, "x",
     "unknown name 'wx': in plain text, letters side by side are one name; write a product of letters with * or a space (w*x)", 1),
    (
        r"(\frac{1}{1+e^{-x}})'", "latex", None, "x",
        r"unexpected ''': write \frac{d}{dx}\left(...\right) for the derivative of an expression", 21,
    ),
    (
        r"\left(\frac{1}{1+e^{-x}}\right)'", "latex", None, "x",
        r"unexpected ''': write \frac{d}{dx}\left(...\right) for the derivative of an expression", 32,
    ),
    (
        "(1/(1+exp(-x)))'", "text", None, "x",
        "unexpected ''': write d/dx(...) for the derivative of an expression", 16,
    ),
    (
        "f'(x) = 1", "text", None, "x",
        "unknown name 'f': define it first on its own line, e.g. f(x) = ...", 1,
    ),
    (
        "= 2 g(x)", "text", None, "x",
        "unknown name 'g': define it first on its own line, e.g. g(x) = ...", 5,
    ),
    (
        r"\phi'(x) = 1", "latex", None, "x",
        r"unknown name '\phi': define it first on its own line, e.g. \phi(x) = ...", 1,
    ),
    (
        "f'(x) = sigma(x)", "text", CATALOGUE, "x",
        "unknown name 'f': define it first on its own line, e.g. f(x) = ..., or write softplus'(x)", 1,
    ),
    (
        r"f'(x) = \sigma(x)", "latex", CATALOGUE, "x",
        r"unknown name 'f': define it first on its own line, e.g. f(x) = ..., "
        r"or write \operatorname{softplus}'(x)", 1,
    ),
    (
        "f(x)^2", "text", CATALOGUE, "x",
        "unknown name 'f': define it first on its own line, e.g. f(x) = ..., or write softplus(x)", 1,
    ),
    ("softplus'(x)", "text", None, "x", "unknown name 'softplus': check it with --function softplus", 1),
    (
        r"\operatorname{softplus}'(x)", "latex", None, "x",
        "unknown name 'softplus': check it with --function softplus", 15,
    ),
    ("x swish(x)", "text", None, "x", "unknown name 'swish': check it with --function swish", 3),
    ("sigmoid(x)", "text", None, "x", "unknown name 'sigmoid': write the sigmoid as sigma(x)", 1),
    (r"\operatorname{sigmoid}(x)", "latex", None, "x", r"unknown name 'sigmoid': write the sigmoid as \sigma(x)", 15),
    ("foo", "text", None, "x", "unknown name 'foo'", 1),
]


@pytest.mark.parametrize(
    ("text", "syntax", "functions", "variable", "message", "column"),
    MESSAGES,
    ids=[c[0] for c in MESSAGES],
)
def test_messages_say_what_to_write(
    text: str, syntax: str, functions: dict | None, variable: str, message: str, column: int
) -> None:
    with pytest.raises(ParseError) as caught:
        parse_line(text, syntax=syntax, variable=variable, functions=functions,  # type: ignore[arg-type]
                   catalogue=catalogue_names())
    assert caught.value.message == message
    assert caught.value.column == column
    assert "\n" not in caught.value.message


# -- substitutions: "u = 1 + e^{-x}" ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "name", "body"), [
    ("u = 1+e^{-x}", "u", "1 + exp(-x)"),
    ("Let u = 1 + exp(-x)", "u", "1 + exp(-x)"),
    ("let v := x^2", "v", "x**2"),
    (r"\text{Let } u = 1+e^{-x}", "u", "1 + exp(-x)"),
    (r"\text{where } y \coloneqq \sigma(x)", "y", "sigma(x)"),
    ("& u &= 1+e^{-x}", "u", "1 + exp(-x)"),
])
def test_a_substitution_is_read(text: str, name: str, body: str) -> None:
    from derive.parse import as_substitution

    found = as_substitution(text)
    assert found is not None and found.substitution
    assert (found.name, str(found.body)) == (name, body)


@pytest.mark.parametrize("text", [
    "x = 2",  # the variable
    "e = 2",  # Euler's number
    "d = 2",  # the d of d/dx
    "u = 1 = 2",  # a chain, not a substitution
    "uv = 2",  # one letter only (in plain text uv is one name, and not a known one)
    r"\sigma(x) = u",  # not a letter on the left
    "Let me = 2",
])
def test_not_a_substitution(text: str) -> None:
    from derive.parse import as_substitution

    try:
        assert as_substitution(text) is None
    except ParseError:
        pass  # "u = 1 = 2" reads the body and finds an unknown name: also not a substitution


def test_a_substitution_is_written_bare_afterwards() -> None:
    # a letter that stands for an expression (u = 1 + e^{-x}) is a letter: u' and du/dx are its
    # derivative with respect to x, which the checker works out from what u stands for
    cases = {
        r"\frac{du}{dx}": "Derivative(u, x)", "du/dx": "Derivative(u, x)", "u'": "Derivative(u, x)",
        r"\frac{d^{2}u}{dx^{2}}": "Derivative(u, (x, 2))", "u(1-u)": "u*(1 - u)",
        r"\sigma(u)": "sigma(u)", "u^{-2}": "u**(-2)", r"\frac{d\sigma}{du}": "Derivative(sigma(x), u)",
    }
    for text, expected in cases.items():
        (part,) = parse_line(text, substituted={"u"}).parts
        assert str(part) == expected, text


@pytest.mark.parametrize(("text", "expected"), [
    # a power written after a juxtaposed bracket belongs to the bracket, as in x(1+x)^2
    (r"\sigma(1-\sigma)^2", "(1 - sigma(x))**2*sigma(x)"),
    (r"u(1-u)^{2}", "u*(1 - u)**2"),
    (r"u (1-u)^2", "u*(1 - u)**2"),
    (r"u^2(1-u)^{2}", "u**2*(1 - u)**2"),
    (r"u(1+u)^{-2}", "u/(u + 1)**2"),
    # a letter that stands for an expression: u(...) is a product, except u(x) and u at a number
    (r"u(1 - \sigma(x))", "u*(1 - sigma(x))"),
    (r"u(1+e^{-x})^{-2}", "u/(1 + exp(-x))**2"),
    (r"u(x)", "u"),
    (r"u(0)", "Subs(u, x, 0)"),
    # a function of its own argument is still applied
    (r"\sigma(2x)^2", "sigma(2*x)**2"),
])
def test_juxtaposition_with_sigma_and_substitutions(text: str, expected: str) -> None:
    (part,) = parse_line(text, substituted={"u"}).parts
    assert str(evaluated(part)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("sigma'(x) = e^{-x}/(1+e^{-x})^2   # chain rule", "e^{-x}/(1+e^{-x})^2"),
    (r"\sigma'(x) = \sigma(x)(1-\sigma(x)) # done", r"\sigma(x)(1-\sigma(x))"),
])
def test_a_hash_note_is_removed_in_a_file_read_as_latex(text: str, expected: str) -> None:
    line = parse_line(text, syntax="latex")
    assert line.parts[1] == parse_line(expected, syntax="latex").parts[0]


@pytest.mark.parametrize(("text", "message"), [
    ("sinn(x)", "unknown name 'sinn': did you mean sin?"),
    ("cbrtt(x^2)", "unknown name 'cbrtt': did you mean cbrt?"),
    ("arcsinn(x)", "unknown name 'arcsinn': did you mean arcsin?"),
    ("sofplus(x)", "unknown name 'sofplus': did you mean softplus?"),
    ("foo(x) + 1", "unknown name 'foo': write it with the functions derive knows: exp, ln, log(x, b), sqrt, cbrt,"),
])
def test_a_typed_expression_names_the_function_it_meant_or_the_ones_derive_knows(text: str, message: str) -> None:
    """`derive diff` reads one expression: nothing can be defined on a line of its own, so an
    unknown function's message suggests the known function it resembles, or lists the known ones."""
    from derive.jobs import parse_typed

    with pytest.raises(ParseError) as caught:
        parse_typed(text, "x", ["x"])
    assert caught.value.message.startswith(message)
    assert "define it" not in caught.value.message


@pytest.mark.parametrize("text", ["cbrt(x)", r"\sqrt[3]{x}", "x^(1/3)"])
def test_the_cube_root_reads_as_the_principal_root(text: str) -> None:
    """cbrt(x) is x^(1/3), as \\sqrt[3]{x} is: the principal root, defined for x >= 0 (the domain
    every document states)."""
    x = sympy.Symbol("x", real=True)
    assert parse_expression(text).doit() == x ** sympy.Rational(1, 3)
