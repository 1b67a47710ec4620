"""Where a function and its derivative are defined (issue 13): computed, checked at the sample
points inside and outside, stated in the documents and used for the graph."""

from __future__ import annotations

import pytest
import sympy

from derive.api import derive
from derive.functions import variable
from derive.parse import parse_expression
from derive.printing import to_plain
from derive.renderer import render_handouts

x = variable("x")

# (typed expression, where f is defined, where f' is, the graph's interval)
DOMAINS = [
    ("ln(x)", "x > 0", "x > 0", (0, 6)),
    ("sqrt(x)", "x >= 0", "x > 0", (0, 6)),
    ("asin(x)", "-1 <= x <= 1", "-1 < x < 1", (-1, 1)),
    ("x^x", "x > 0", "x > 0", (0, 6)),  # a power to a letter: a positive base, as textbooks state it
    ("x^(2/3)", "x >= 0", "x > 0", (0, 6)),  # the principal root, as the verifier and the graph evaluate it
    ("x^(-1/3)", "x > 0", "x > 0", (0, 6)),
    ("(x-2)^(1/3)", "x >= 2", "x > 2", (2, 6)),
    ("a*ln(x)", "x > 0", "x > 0", (0, 6)),  # a parameter does not hide the domain
    ("log(x, a)", "x > 0", "x > 0", (0, 6)),  # ln a is a condition on the base, not on x
    ("k*sqrt(x)", "x >= 0", "x > 0", (0, 6)),
    ("a*asin(x)", "-1 <= x <= 1", "-1 < x < 1", (-1, 1)),
    ("ln(x/(1-x))", "0 < x < 1", "0 < x < 1", (0, 1)),  # the logit, σ's inverse
    ("sqrt(1-x^2)", "-1 <= x <= 1", "-1 < x < 1", (-1, 1)),
    # isolated points: no sample point falls on one, so each is evaluated exactly (1/0 has no value)
    ("1/x", "x != 0", "x != 0", (-6, 6)),
    ("sin(x)/x", "x != 0", "x != 0", (-6, 6)),
    ("1/(x^2-1)", "x != -1 and x != 1", "x != -1 and x != 1", (-6, 6)),
    ("1/(x^2-2)", "x != -sqrt(2) and x != sqrt(2)", "x != -sqrt(2) and x != sqrt(2)", (-6, 6)),
    ("ln(x)/(x-1)", "x > 0 and x != 1", "x > 0 and x != 1", (0, 6)),
    ("sqrt(x)/(x-1)", "x >= 0 and x != 1", "x > 0 and x != 1", (0, 6)),
    ("ln(x^2-1)/(x-2)", "(x < -1 or x > 1) and x != 2", "(x < -1 or x > 1) and x != 2", (-6, 6)),
    # infinitely many intervals or points: conditions on the functions that restrict them
    ("tan(x)", "cos(x) != 0", "cos(x) != 0", (-6, 6)),
    ("sec(x)", "cos(x) != 0", "cos(x) != 0", (-6, 6)),
    ("cot(2*x)", "sin(2*x) != 0", "sin(2*x) != 0", (-6, 6)),
    ("ln(cos(x))", "cos(x) > 0", "cos(x) > 0", (-6, 6)),  # not also cos(x) != 0, which cos(x) > 0 says
    ("sqrt(sin(x))", "sin(x) >= 0", "sin(x) > 0", (-6, 6)),
    ("tan(x)/x", "x != 0 and cos(x) != 0", "x != 0 and cos(x) != 0", (-6, 6)),
    ("ln(x)*tan(x)", "x > 0 and cos(x) != 0", "x > 0 and cos(x) != 0", (-6, 6)),
    ("1/sqrt(cos(x))", "cos(x) > 0", "cos(x) > 0", (-6, 6)),  # cos x >= 0 and sqrt(cos x) != 0 together
    ("1/(1 + sin(x))", "sin(x) != -1", "sin(x) != -1", (-6, 6)),  # as a textbook writes it, not sin(x) + 1 != 0
    ("ln(1 - cos(x))", "cos(x) < 1", "cos(x) < 1", (-6, 6)),
    ("sqrt(cos(x) - 1/2)", "cos(x) >= 1/2", "cos(x) > 1/2", (-6, 6)),
]


@pytest.mark.parametrize(("text", "function", "derivative", "interval"), DOMAINS)
def test_restricted_domains(text: str, function: str, derivative: str, interval: tuple[int, int]) -> None:
    domain = derive(parse_expression(text)).domain
    assert domain is not None and domain.verification.status == "proved"
    assert (to_plain(domain.function), to_plain(domain.derivative), domain.interval) == (function, derivative, interval)
    assert len(domain.verification.points) >= 10


@pytest.mark.parametrize("text", ["x^2", "sin(x)", "e^x/(1+x^2)", "(x^2)^(1/3)", "a^x", "ln(a*x)", "1/(x^2+1)",
                                  "1/(2 + sin(x))", "ln(2 + cos(x))"])
def test_no_statement_when_defined_on_the_whole_line(text: str) -> None:
    """A domain that depends on a parameter (ln(a·x): x > 0 only when a > 0) is no condition on
    x alone: nothing is stated."""
    assert derive(parse_expression(text)).domain is None


@pytest.mark.parametrize("text", ["abs(x)", "x*abs(x)/x^2*abs(x)", "1/(x^5-x-1)"])
def test_no_statement_where_an_isolated_point_cannot_be_shown(text: str) -> None:
    """|x| is defined at 0, and that its derivative is not would take a proof about limits; the
    real zero of x⁵ − x − 1 has no closed form a handout could state: rather nothing than a
    statement that is not proved or that no student could read."""
    domain = derive(parse_expression(text)).domain
    assert domain is None or (domain.function is not None and "CRootOf" not in to_plain(domain.function))


def test_an_isolated_point_is_proved_by_exact_arithmetic() -> None:
    domain = derive(parse_expression("ln(x)/(x-1)")).domain
    assert domain is not None and domain.verification.status == "proved"
    assert "at x = 1 the function is undefined (exact arithmetic)" in domain.verification.method


def test_the_domain_is_stated_in_the_variable_of_the_derivation() -> None:
    t = variable("t")
    derivation = derive(sympy.sin(t) + 1 / t, t)
    texts = render_handouts(derivation, ("latex", "markdown", "html"))
    assert r"is defined for $t \neq 0$, and its derivative" in texts["markdown"]
    assert r"for $t \neq 0$" in texts["latex"] and "every real $x$" not in texts["latex"]


def test_the_handouts_state_the_domain_and_graph_it() -> None:
    derivation = derive(parse_expression("asin(x)"))
    texts = render_handouts(derivation, ("latex", "markdown", "html"))
    assert r"is defined for $-1 \leq x \leq 1$, and its derivative" in texts["markdown"]
    assert r"\paragraph{Domain.}" in texts["latex"] and "for $-1 < x < 1$" in texts["latex"]
    assert "<strong>Domain.</strong>" in texts["html"]
    assert "for $x \\in \\left[-1, 1\\right]$" in texts["markdown"]  # the graph's caption: drawn on the domain


def test_catalogue_handouts_of_functions_defined_everywhere_say_nothing() -> None:
    assert derive("sigmoid").domain is None


@pytest.mark.parametrize(("text", "excluded"), [
    ("tan(x)", (-3 * sympy.pi / 2, -sympy.pi / 2, sympy.pi / 2, 3 * sympy.pi / 2)),
    ("1/x", (0,)),
    ("1/(x^2-2)", (-sympy.sqrt(2), sympy.sqrt(2))),
    ("ln(x)", ()),  # a bound, no isolated point
])
def test_the_domain_names_the_points_of_the_graph_it_leaves_out_exactly(text: str, excluded: tuple) -> None:
    """The verify stage gives the points of the graph's interval the domain leaves out, each
    undefined in exact arithmetic; the caption names a break there exactly (x = -3π/2, not -4.71)."""
    domain = derive(parse_expression(text)).domain
    assert domain is not None and domain.verification.status == "proved"
    assert domain.excluded == tuple(sympy.sympify(point) for point in excluded)
