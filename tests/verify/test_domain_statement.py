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
]


@pytest.mark.parametrize(("text", "function", "derivative", "interval"), DOMAINS)
def test_restricted_domains(text: str, function: str, derivative: str, interval: tuple[int, int]) -> None:
    domain = derive(parse_expression(text)).domain
    assert domain is not None and domain.verification.status == "proved"
    assert (to_plain(domain.function), to_plain(domain.derivative), domain.interval) == (function, derivative, interval)
    assert len(domain.verification.points) >= 10


@pytest.mark.parametrize("text", ["x^2", "sin(x)", "1/x", "e^x/(1+x^2)", "(x^2)^(1/3)", "a^x", "ln(a*x)"])
def test_no_statement_when_defined_on_the_whole_line(text: str) -> None:
    """Isolated points (1/x at 0) leave out no interval, and a domain that depends on a parameter
    (ln(a·x): x > 0 only when a > 0) is no condition on x alone: nothing is stated."""
    assert derive(parse_expression(text)).domain is None


def test_the_handouts_state_the_domain_and_graph_it() -> None:
    derivation = derive(parse_expression("asin(x)"))
    texts = render_handouts(derivation, ("latex", "markdown", "html"))
    assert r"is defined for $-1 \leq x \leq 1$, and its derivative" in texts["markdown"]
    assert r"\paragraph{Domain.}" in texts["latex"] and "for $-1 < x < 1$" in texts["latex"]
    assert "<strong>Domain.</strong>" in texts["html"]
    assert "for $x \\in \\left[-1, 1\\right]$" in texts["markdown"]  # the graph's caption: drawn on the domain


def test_catalogue_handouts_of_functions_defined_everywhere_say_nothing() -> None:
    assert derive("sigmoid").domain is None
