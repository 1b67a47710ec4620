"""Whole derivations in the notations students use: the checker's verdict on each line."""

from __future__ import annotations

import pytest

from derive.check import check

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
