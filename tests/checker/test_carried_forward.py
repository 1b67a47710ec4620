"""Error carried forward (issue 10): a line that follows validly from a wrong line is not a new error.

Each earlier wrong line's subject (σ'(x), u') and the value it gave are remembered; a later line
that is a valid step once those values are put in is "error carried forward", with no second
diagnosis — also across correct lines in between (a wrong u' put into the chain rule later).
"""

from __future__ import annotations

import pytest

from derive.checker import check

CASES = [
    (  # a wrong u', correct chain rule, then the wrong u' put in
        "u = 1 + e^{-x}\nu' = e^{-x}\n\\sigma'(x) = -u^{-2} u'\n= -\\frac{e^{-x}}{(1+e^{-x})^2}",
        [("correct", "definition"), ("wrong", "new claim"), ("correct", None),
         ("wrong", "consistent with wrong line 2 (error carried forward)")],
    ),
    (  # a wrong line multiplied by σ on both sides
        "sigma'(x) = exp(-x)/(1+exp(-x))\nsigma'(x)*sigma(x) = exp(-x)/(1+exp(-x)) * sigma(x)",
        [("wrong", "first line"), ("wrong", "consistent with wrong line 1 (error carried forward)")],
    ),
    (  # a second, independent slip after the first is a new error
        "sigma'(x) = exp(-x)/(1+exp(-x))\n= 2*exp(-x)/(1+exp(-x))",
        [("wrong", "first line"), ("wrong", "new error: does not follow from line 1")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=["wrong-u-prime", "times-sigma", "independent-slip"])
def test_a_valid_step_from_a_wrong_line_carries_the_error(text: str, expected: list[tuple[str, str | None]]) -> None:
    report = check(text)
    got = [(line.status, line.relation) for line in report.lines]
    assert [status for status, _ in got] == [status for status, _ in expected]
    for (status, relation), (_, wanted) in zip(got, expected):
        if wanted is not None:
            assert relation == wanted
    carried = [line for line in report.lines if "carried forward" in line.relation]
    assert all(line.diagnosis is None for line in carried)  # one mistake, one diagnosis
