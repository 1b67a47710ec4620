"""Hostile and random student text through the whole checker: only a Report or a DeriveError comes
back, never another exception and never a hang (the proof worker's deadline bounds every claim),
and the checker stays usable afterwards."""

from __future__ import annotations

import os
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.checker import Report, check
from derive.checker.worker import ProofWorker
from derive.errors import DeriveError
from derive.sandbox import JobFailed

TIMEOUT = 5.0

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

TOKENS = [
    r"\frac", "{", "}", "^", "_", r"\sigma", "(", ")", "=", r"\approx", "0", "1", "2", "7", "9", "10", ".",
    "0.7311", "x", "e", r"\left(", r"\right)", "10^10^10^10", "'", "-", "+", " ", r"\cdot", r"\exp", r"\ln",
    r"\sigma'(x)", "\n", "= ", "&", r"\\", "%", "#", "f(x) = ", r"\tanh", r"\cosh^{2}", r"\dfrac", "σ", "≈",
    "d/dx", r"\frac{d}{dx}", "e^{-x}", "(1+e^{-x})", "^{999}", "^{-1}", "*", "/", "\x00", "\r", "\t", "é",
]

token_soup = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=80).map("".join)
random_text = st.text(max_size=400)
structured = st.tuples(
    st.sampled_from([r"\sigma'(x)", "sigma'(x)", r"\frac{d}{dx}\sigma(x)", "=", r"\sigma(1)", "f(x)"]),
    st.sampled_from([" = ", r" \approx ", " ≈ ", " "]),
    token_soup,
).map("".join)
# well-formed expressions, so that many lines get past the parser and reach the proof worker
atoms = st.sampled_from(["x", "e", "2", "0.5", "0.7311", "10", r"\sigma(x)", r"\sigma(1)", "e^{-x}", r"\pi"])


def _compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", r"\cdot ", " "]), children).map("".join),
        st.tuples(children, children).map(lambda p: rf"\frac{{{p[0]}}}{{{p[1]}}}"),
        st.tuples(children, st.sampled_from(["2", "-1", "{-2}", "{3}", "{x}", "{99}"])).map(
            lambda p: rf"\left({p[0]}\right)^{p[1]}"),
        st.tuples(st.sampled_from([r"\sigma", r"\exp", r"\ln", r"\tanh", r"\cosh"]), children).map(
            lambda p: rf"{p[0]}\left({p[1]}\right)"),
        children.map(lambda c: rf"\frac{{d}}{{dx}}\left({c}\right)"),
    )


expressions = st.recursive(atoms, _compound, max_leaves=8)
claims = st.tuples(expressions, st.sampled_from([" = ", r" \approx ", " = ", "\n= "]), expressions).map("".join)

documents = st.lists(st.one_of(structured, token_soup, random_text, claims), min_size=1, max_size=6).map("\n".join)


@pytest.fixture(scope="module")
def worker():
    with ProofWorker(timeout=TIMEOUT) as proof_worker:
        yield proof_worker


def checked(text: str, worker: ProofWorker, syntax: str | None = None) -> Report | None:
    """The report, or None when derive refused the input with one of its own errors."""
    try:
        report = check(text, syntax=syntax, worker=worker, timeout=TIMEOUT)
    except JobFailed as error:  # exit 3: a bug in derive, never an answer to input
        pytest.fail(f"a bug in derive on {text!r}: {error}")
    except DeriveError as error:
        assert str(error)
        return None
    assert isinstance(report, Report)
    for line in report.lines:
        assert line.status in ("correct", "wrong", "unparsed")
        assert line.message
        assert "internal error" not in line.message, line.message
        if line.status == "correct" and not line.proved:
            assert "numeric" in line.message
    report.as_json_data()
    return report


@FUZZ
@given(text=st.one_of(random_text, token_soup, documents), syntax=st.sampled_from([None, "latex", "text"]))
def test_random_text_gives_a_report_or_a_derive_error(worker, text: str, syntax: str | None) -> None:
    checked(text, worker, syntax)


@FUZZ
@given(text=st.lists(claims, min_size=1, max_size=4).map("\n".join))
def test_well_formed_claims_are_decided(worker, text: str) -> None:
    report = checked(text, worker, "latex")
    assert report is not None


@FUZZ
@given(
    head=st.sampled_from(["(", "{", r"\left(", "x^{", "e^{", r"\frac{1}{", r"\sigma(", "-", "10^", "x"]),
    count=st.integers(min_value=1, max_value=400),
    tail=st.sampled_from(["", "x", ")", "}", r"\right)", " = x", "x" + ")" * 200]),
)
def test_deep_and_long_lines(worker, head: str, count: int, tail: str) -> None:
    checked(r"\sigma'(x) = " + head * count + tail, worker)


HOSTILE = {
    "huge-power": r"10^{10^{10}} = 1",
    "tower-text": "10^10^10^10 = 1",
    "huge-binomial": r"(x+1)^{10^9} = 1",
    "x-tower": r"x^{x^{x^{x^{x}}}} = \sigma(x)",
    "x-tower-text": "x^x^x^x^x = sigma(x)",
    "5000-chars": r"\sigma'(x) = " + "+".join(["x"] * 2500),
    "300-parens": "(" * 300 + "x" + ")" * 300 + " = x",
    "200-parens": r"\sigma'(x) = " + "(" * 200 + r"\sigma(x)" + ")" * 200,
    "power-999": r"\sigma'(x) = \frac{1}{(1+e^{-x})^{999}}",
    "expand-999": r"(x+1)^{999}(x-1)^{999} = (x^2-1)^{999}",
    "power-of-power": r"((x+1)^{999}+1)^{999} = 0",
    "big-decimal": r"\sigma(1) \approx 0." + "7" * 1500,
    "many-relations": " = ".join([r"\sigma(x)"] * 200),
    "nul-and-controls": "\x00\x01\x1b[31m sigma'(x) = sigma(x)",
    "bidi": "sigma'(x) = \u202esigma(x)(1-sigma(x))",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_lines_give_a_clean_verdict(worker, name: str) -> None:
    report = checked(HOSTILE[name], worker)
    if report is not None:
        for line in report.lines:
            if line.status == "unparsed":
                assert line.message.startswith(("Cannot read", "derive could not decide", "This line"))
    # the same worker still decides an ordinary claim afterwards
    after = checked(r"\sigma'(x) = \sigma(x)(1-\sigma(x))", worker)
    assert after is not None and after.valid


def test_oversized_lines_are_unparsed_with_a_reason(worker) -> None:
    for name in ("5000-chars", "300-parens", "huge-power", "huge-binomial"):
        (line,) = checked(HOSTILE[name], worker).lines
        assert line.status == "unparsed", name
        assert "too" in line.message, line.message


def test_a_claim_past_the_deadline_is_reported_and_the_worker_recovers() -> None:
    """A deadline far shorter than any proof: the line says why it was not decided, no exception,
    and the next claim gets a fresh child process."""
    with ProofWorker(timeout=1e-6) as impatient:
        report = check(r"\sigma'(x) = \sigma(x)(1-\sigma(x))", worker=impatient)
        (line,) = report.lines
        assert line.status == "unparsed" and line.relation == "not decided"
        assert "longer than the limit" in line.message
        impatient.timeout = 30
        assert check(r"\sigma'(x) = \sigma(x)(1-\sigma(x))", worker=impatient).valid


def test_a_killed_worker_is_replaced(worker) -> None:
    assert checked(r"\sigma'(x) = \sigma(x)(1-\sigma(x))", worker).valid
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    report = checked(r"\sigma'(x) = \sigma(x)(1-\sigma(x))" + "\n" + r"\sigma(-x) = 1 - \sigma(x)", worker)
    assert report is not None
    # the first claim after the kill may be lost with the dead process, but it is reported, not raised
    assert report.lines[-1].status == "correct"
    assert worker.pid is not None and worker.pid != pid


def test_tiny_values_are_not_zero(worker) -> None:
    (line,) = checked(r"\sigma(x)^{1000} = 0", worker).lines
    assert line.status == "wrong", line.message
