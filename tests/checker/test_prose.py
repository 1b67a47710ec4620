"""Words around a claim (issue 10): lead-ins are blanked, commentary is skipped, no claim hides.

Table-driven tests of :mod:`derive.parse.prose` and of whole submissions through ``check``, and a
hypothesis property: whatever prose, connective or dollars a student puts around a claim, a wrong
claim is still judged wrong and a right one right (prose never hides a claim, never makes one).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.checker import check
from derive.checker.worker import ProofWorker
from derive.parse import parse_line
from derive.parse.prose import is_commentary, lead_in_blanked

# (line, what remains of it once the words around the claim are blanked)
LEAD_INS = [
    (r"By the quotient rule: \sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^2}", r"\sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^2}"),
    ("by the quotient rule (numerator 1, denominator 1+exp(-x)): sigma'(x) = exp(-x)/(1+exp(-x))^2",
     "sigma'(x) = exp(-x)/(1+exp(-x))^2"),
    (r"\Rightarrow \sigma'(x) = \sigma(x)(1-\sigma(x))", r"\sigma'(x) = \sigma(x)(1-\sigma(x))"),
    ("so sigma'(x) = sigma(x)*(1 - sigma(x))", "sigma'(x) = sigma(x)*(1 - sigma(x))"),
    ("Hence, sigma'(x) = sigma(x)*(1 - sigma(x))", "sigma'(x) = sigma(x)*(1 - sigma(x))"),
    ("Let $u = 1 + e^{-x}$.", "Let u = 1 + e^{-x}"),
    ("Now let $u = 1 + e^{-x}$ and differentiate.", "let u = 1 + e^{-x}"),
    (r"$\sigma'(x) = \sigma(x)(1-\sigma(x))$ by the chain rule.", r"\sigma'(x) = \sigma(x)(1-\sigma(x))"),
    (r"We get \(\sigma'(x) = \sigma(x)^2\) here", r"\sigma'(x) = \sigma(x)^2"),
    (r"\text{so } \sigma' = \sigma(1-\sigma)", r"\sigma' = \sigma(1-\sigma)"),
    ("⟹ σ'(x) = σ(x)(1 − σ(x))", "σ'(x) = σ(x)(1 − σ(x))"),
    ("∴ σ'(x) = σ(x)(1 − σ(x))", "σ'(x) = σ(x)(1 − σ(x))"),
    (r"Differentiating gives \sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^2}", r"\sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^2}"),
    ("by the chain rule we get sigma'(x) = exp(-x)/(1+exp(-x))^2", "sigma'(x) = exp(-x)/(1+exp(-x))^2"),
    ("Now sigma'(x) = sigma(x)^2", "sigma'(x) = sigma(x)^2"),
]
# Lines whose words are (part of) the claim: nothing is blanked.
UNTOUCHED = [
    "L(w, b) = -y ln(a)", "f(x) = x^2, so f'(x) = 2x", "sin x = y", "x = 2, y = 3", r"& = \sigma(x)",
    "sigma(x)*(1 - sigma(x))", "then = 2", "so = 3", "ab x = 2", "Let u = 1 + e^{-x}",
    r"= \sigma(x) \,\mbox{using $u = 1+e^{-x}$}", "$a = 1$ and $b = 2$", r"e^{x} = \exp(x)",
]
COMMENTARY = [
    "Multiply numerator and denominator by $e^{x}$:", r"\text{multiply top and bottom by } e^{x}",
    "by the quotient rule (numerator 1, denominator 1+exp(-x)):", "Now differentiate sigma(x) with the chain rule",
]
NOT_COMMENTARY = ["sigma(x)*(1 - sigma(x))", "so sigma'(x) = sigma(x)", "e x", "sin x", r"\frac{1}{1+e^{-x}}", "x y z",
                  "sigma(x) (1 - sigma(x))"]


@pytest.mark.parametrize(("line", "claim"), LEAD_INS, ids=[line for line, _ in LEAD_INS])
def test_the_words_around_a_claim_are_blanked_in_place(line: str, claim: str) -> None:
    blanked = lead_in_blanked(line)
    assert len(blanked) == len(line)  # columns are kept: errors still point into the student's line
    assert " ".join(blanked.split()) == " ".join(claim.split())


@pytest.mark.parametrize("line", UNTOUCHED)
def test_words_that_are_part_of_the_claim_stay(line: str) -> None:
    assert lead_in_blanked(line) == line


@pytest.mark.parametrize("line", COMMENTARY)
def test_commentary_without_a_claim_is_recognised(line: str) -> None:
    assert is_commentary(line)


@pytest.mark.parametrize("line", NOT_COMMENTARY + [line for line, _ in LEAD_INS])
def test_mathematics_is_not_commentary(line: str) -> None:
    assert not is_commentary(line)


def test_a_students_prose_derivation_is_read_line_by_line() -> None:
    text = "\n".join([
        r"\sigma(x) = \frac{1}{1+e^{-x}}",
        r"By the quotient rule: \sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^2}",
        "Multiply numerator and denominator by $e^{x}$:",
        r"= \frac{1}{(1+e^{-x})(1+e^{x})}",
        r"\Rightarrow \sigma'(x) = \sigma(x)(1-\sigma(x))",
    ])
    report = check(text)
    assert report.valid
    assert [(line.line, line.status) for line in report.lines] == [(1, "correct"), (2, "correct"), (4, "correct"),
                                                                  (5, "correct")]
    assert report.lines[2].relation == "follows from line 2"  # the commentary in between is no line


def test_after_a_line_not_read_the_next_correct_line_is_not_correct_again() -> None:
    report = check("\n".join([r"\sigma(x) = \frac{1}{1+e^{-x}}", r"\sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^2} \bigstar",
                              r"= \sigma(x)(1-\sigma(x))"]))
    assert [line.status for line in report.lines] == ["correct", "unparsed", "correct"]
    assert report.lines[2].relation == "correct (line 2 could not be read)"


CLAIMS = [  # (plain text, LaTeX, holds)
    ("sigma'(x) = sigma(x)*(1 - sigma(x))", r"\sigma'(x) = \sigma(x)(1-\sigma(x))", True),
    ("sigma'(x) = exp(-x)/(1+exp(-x))^2", r"\sigma'(x) = \frac{e^{-x}}{(1+e^{-x})^2}", True),
    ("sigma'(x) = sigma(x)^2", r"\sigma'(x) = \sigma(x)^2", False),
    ("sigma'(x) = exp(-x)/(1+exp(-x))", r"\sigma'(x) = \frac{e^{-x}}{1+e^{-x}}", False),
    ("sigma'(x) = -exp(-x)/(1+exp(-x))^2", r"\sigma'(x) = \frac{-e^{-x}}{(1+e^{-x})^2}", False),
]
PLAIN_WRAPPERS = ["{}", "so {}", "Hence, {}", "Therefore {}", "=> {}", "⟹ {}", "By the chain rule: {}", "thus {}",
                  "by the quotient rule (numerator 1, denominator 1+exp(-x)): {}", "Now {}", "we get {}",
                  "Differentiating gives {}", "$ {} $", "We find ${}$.", "{}  # chain rule", "Using the chain rule, {}"]
LATEX_WRAPPERS = ["{}", r"\Rightarrow {}", r"\implies {}", r"\therefore {}", r"\text{so } {}", r"&\Rightarrow {}",
                  "By the chain rule: {}", "$ {} $", "${}$ by the chain rule.", r"\({}\)", "Differentiating gives {}",
                  r"{} \quad \text{(chain rule)}", "∴ {}"]


@pytest.fixture(scope="module")
def worker():
    with ProofWorker() as shared:
        yield shared


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claim=st.sampled_from(CLAIMS), latex=st.booleans(), data=st.data())
def test_prose_never_hides_a_claim_nor_makes_one(worker, claim: tuple[str, str, bool], latex: bool, data) -> None:
    plain, tex, holds = claim
    wrapper = data.draw(st.sampled_from(LATEX_WRAPPERS if latex else PLAIN_WRAPPERS))
    line = wrapper.replace("{}", tex if latex else plain)
    report = check(line, worker=worker, syntax="latex" if latex else "text")
    (judged,) = report.lines
    assert judged.status == ("correct" if holds else "wrong"), (line, judged.message)
    # the claim read is the claim written, without its wrapping
    assert parse_line(lead_in_blanked(line), syntax="latex" if latex else "text") == parse_line(
        tex if latex else plain, syntax="latex" if latex else "text")
