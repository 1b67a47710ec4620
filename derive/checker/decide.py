"""Decide one claim of a student's line. Runs inside the proof worker (see :mod:`worker`).

Every function here takes and returns plain data (SymPy expressions in, a :class:`Verdict` of
strings out), so that it can run in a separate process that the checker can kill.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from derive.checker.diagnose import CONSTANT_FACTOR, MISCONCEPTIONS, sign_error_explanation
from derive.evaluate import NotEvaluable, evaluate, to_mpf
from derive.letters import expand_letters
from derive.model import Described, written_out
from derive.functions import prepare
from derive.verify import NO_POINT_DEFINED, Verifier, VerifyOptions

#: Student claims also get the high-precision stability check (tiny false differences).
CHECK_OPTIONS = VerifyOptions(stability_check=True)


@dataclass(frozen=True, kw_only=True)
class Claim:
    """``left relation right`` in the variable, with the user's definitions and context for diagnosis."""

    relation: str
    left: sympy.Expr
    right: sympy.Expr
    variable: sympy.Symbol
    definitions: tuple[tuple[sympy.FunctionClass, sympy.Symbol, sympy.Expr], ...] = ()
    subject: sympy.Expr | None = None
    previous: sympy.Expr | None = None
    decimals: tuple[tuple[sympy.Dummy, sympy.Rational, sympy.Rational], ...] = ()  # (placeholder, value, radius)
    diagnose: bool = True


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The decision on one claim, as the worker sends it back.

    ``holds`` and ``proved`` say whether the claim is true and whether that was proved
    symbolically; ``counterexample`` is ``(x, left value, right value)`` (``x`` None for a claim
    about numbers); ``diagnosis`` is ``(key, explanation)`` of the likely mistake; ``message``
    explains an approximation that could not be checked; ``error`` is set (and the rest is
    meaningless) when the claim could not be decided at all, ``timeout`` when time ran out.
    """

    holds: bool = False
    proved: bool = False
    method: str = ""
    counterexample: tuple[str | None, str, str] | None = None
    #: each variable's value at the counterexample, by name
    at: tuple[tuple[str, str], ...] = ()
    diagnosis: tuple[str, str] | None = None
    message: str | None = None
    error: str | None = None
    timeout: bool = False

    @property
    def decided(self) -> bool:
        return self.error is None

    @classmethod
    def undecided(cls, error: str, *, timeout: bool = False) -> Verdict:
        return cls(error=error, timeout=timeout)


class Verifiers:
    """One :class:`Verifier` per variable, kept between claims (consecutive lines share their
    subject, whose prepared form and values are then computed once); bounded in size."""

    def __init__(self, limit: int = 2000) -> None:
        self._verifiers: dict[sympy.Symbol, Verifier] = {}
        self._uses = 0
        self._limit = limit

    def get(self, variable: sympy.Symbol) -> Verifier:
        self._uses += 1
        if self._uses > self._limit:
            self._verifiers.clear()
            self._uses = 0
        if variable not in self._verifiers:
            self._verifiers[variable] = Verifier(variable, CHECK_OPTIONS)
        return self._verifiers[variable]


def decide(claim: Claim, verifiers: Verifiers | None = None) -> Verdict:
    """The verdict on one claim: whether it holds, whether that is proved, and maybe a counterexample."""
    left, right = expand_user_definitions(claim.left, claim), expand_user_definitions(claim.right, claim)
    if claim.relation == "≈":
        return decide_approximation(left, right, claim)
    verifier = (verifiers or Verifiers()).get(claim.variable)
    verification = verifier.prove(left, right)
    if verification.numeric_ok:
        return Verdict(holds=True, proved=verification.proved, method=verification.method)
    if verification.method == NO_POINT_DEFINED:
        # neither a proof nor a point where both sides have a value: no evidence either way
        return Verdict.undecided("no test point lies where both sides are defined, and no proof was found")
    diagnosis = diagnose(left, right, claim, verifier) if claim.diagnose else None
    counterexample, at = verification.counterexample, verification.at
    if counterexample is not None and at:
        simple = verifier.simple_counterexample(left, right)  # a point a student can check by hand
        if simple is not None:
            counterexample, at = simple
    return Verdict(holds=False, method=verification.method, counterexample=counterexample, at=at, diagnosis=diagnosis)


def expand_user_definitions(expr: sympy.Expr, claim: Claim) -> sympy.Expr:
    """``expr`` in the letters no definition of the student's stands for (see :mod:`derive.letters`)."""
    return expand_letters(expr, claim.definitions, claim.variable)


def diagnose(left: sympy.Expr, right: sympy.Expr, claim: Claim, verifier: Verifier) -> tuple[str, str] | None:
    """The first misconception whose predicted answer matches the student's right-hand side."""
    references = [expand_user_definitions(r, claim) for r in (claim.subject, left) if r is not None]
    if any(_agree(verifier, reference, right) for reference in references):
        return None  # the sides differ only beyond the working precision: no slip of the pen explains that
    # A line that only rewrites the line before (no derivative left to take) is a step of algebra:
    # slips of differentiating do not apply to it.
    algebra = claim.previous is not None and not claim.previous.has(sympy.Derivative)
    negated = any(_agree(verifier, -reference, right) for reference in references)
    if negated and algebra:
        return "sign_error", ("Sign error: this line is the negative of the line before it, so a minus sign was lost "
                              "while simplifying (check signs such as minus times minus).")
    if negated:
        # Several slips give exactly minus the right answer; the way the line is written decides,
        # and only the parent process still has the line as written (unpickling re-evaluates it).
        return NEGATED, ""
    for misconception in MISCONCEPTIONS:
        if algebra and misconception.differentiating:
            continue
        for reference in references:
            for candidate, explanation in misconception.candidates(reference, claim.variable):
                if _agree(verifier, candidate, right):
                    # written out here: unpickling in the parent would rebuild (and evaluate) its formulas
                    return misconception.key, written_out(explanation or misconception.explanation)
    for reference in references:
        factor = _constant_ratio(expand_user_definitions(reference, claim), right, verifier)
        if factor is not None:
            return CONSTANT_FACTOR.key, written_out(Described("Your expression is ", factor, " times the correct one: "
                                                              "check the constant factors."))
    return None


def _agree(verifier: Verifier, a: sympy.Expr, b: sympy.Expr) -> bool:
    """Equal at every sample point where both are defined, and there is such a point."""
    agree, used, _, _ = verifier.compare(a, b)
    return agree and bool(used)


NEGATED = "negated"


def explain_negation(written: sympy.Expr, subject: sympy.Expr | None = None,
                     variable: sympy.Symbol | None = None) -> tuple[str, str]:
    """Minus the right answer: name the slip the written form points to, else "sign error".

    A quotient with a squared denominator and a two-term numerator points to the reversed
    quotient-rule numerator; an exponential that never appears negated (the student wrote
    e^(-x) where -e^(-x) belongs) points to the chain rule of e^u; anything else is a sign error,
    and when the function differentiated in ``subject`` has a part with a minus sign in its
    derivative (d/dx cos x = −sin x), the sentence names that derivative.
    """
    by_key = {m.key: m for m in MISCONCEPTIONS}
    numerator, denominator = sympy.fraction(written, exact=True)
    squared = any(isinstance(f, sympy.Pow) and f.exp == 2 for f in sympy.Mul.make_args(denominator))
    if squared and isinstance(numerator, sympy.Add) and len(numerator.args) == 2:
        chosen = by_key["quotient_rule_reversed"]
        return chosen.key, chosen.explanation
    nodes = list(sympy.preorder_traversal(written))
    has_exponential = any(isinstance(node, sympy.exp) for node in nodes)
    negated_exponential = any(
        isinstance(node, sympy.Mul) and len(node.args) == 2 and sympy.S.NegativeOne in node.args
        and any(isinstance(arg, sympy.exp) for arg in node.args)
        for node in nodes
    )
    if has_exponential and not negated_exponential:
        chosen = by_key["exp_derivative_without_chain"]
        return chosen.key, chosen.explanation
    chosen = by_key["sign_error"]
    named = sign_error_explanation(subject, variable) if subject is not None and variable is not None else None
    return chosen.key, named if named is not None else chosen.explanation


def _constant_ratio(expected: sympy.Expr, actual: sympy.Expr, verifier: Verifier) -> sympy.Rational | None:
    ratios = []
    with mpmath.workdps(40):
        for a, b in zip(verifier.values(expected), verifier.values(actual)):
            if a is None or b is None or a == 0:
                continue
            ratios.append(b / a)
        if len(ratios) < 3:
            return None
        first = ratios[0]
        if any(abs(r - first) > mpmath.mpf(10) ** -25 * max(1, abs(first)) for r in ratios):
            return None
        fraction = Fraction(mpmath.nstr(first, 30)).limit_denominator(1000)
        if abs(first - mpmath.mpf(fraction.numerator) / fraction.denominator) > mpmath.mpf(10) ** -25:
            return None
    if fraction in (1, -1, 0):
        return None
    return sympy.Rational(fraction.numerator, fraction.denominator)


def decide_approximation(left: sympy.Expr, right: sympy.Expr, claim: Claim) -> Verdict:
    """``A ≈ B``: each decimal with d places stands for [v − ½·10^(−d), v + ½·10^(−d)];
    the line holds when the exact side lies in the interval the written side spans.

    The parent replaced each decimal literal by a placeholder symbol (a pickled SymPy tree is
    rebuilt with evaluation, which would fold ``1 + 0.368`` into one number); here each
    placeholder becomes its interval. Both contexts work with enough digits for the most precise
    decimal written (``mpmath.iv`` has a precision of its own, 53 bits unless set).
    """
    places = max((len(str(radius.q)) - 1 for _, _, radius in claim.decimals), default=0)
    with mpmath.workdps(max(40, places + 20)), _interval_digits(max(40, places + 20)):
        values = {
            placeholder: mpmath.iv.mpf([to_mpf(value) - to_mpf(radius), to_mpf(value) + to_mpf(radius)])
            for placeholder, value, radius in claim.decimals
        }
        intervals = []
        for side in (left, right):
            try:
                intervals.append(evaluate(prepare(side), values, mpmath.iv))
            except (NotEvaluable, TypeError, ValueError, ZeroDivisionError):
                return Verdict(method="interval", message=Described(
                    "both sides must be numbers (no ", claim.variable, ") that derive can evaluate"))
        exact = [not (side.free_symbols & set(values)) for side in (left, right)]
        (left_low, left_high), (right_low, right_high) = (_ends(interval) for interval in intervals)
        if exact[0] and not exact[1]:
            holds = right_low <= left_low and left_high <= right_high
        elif exact[1] and not exact[0]:
            holds = left_low <= right_low and right_high <= left_high
        else:
            holds = not (left_high < right_low or right_high < left_low)
        shown = [_interval_text(interval) for interval in intervals]
    return Verdict(
        holds=bool(holds), proved=bool(holds),
        method="interval arithmetic (mpmath.iv) with each decimal read as the interval of numbers that round to it",
        counterexample=None if holds else (None, shown[0], shown[1]),
    )


@contextmanager
def _interval_digits(digits: int) -> Iterator[None]:
    """``mpmath.iv`` at ``digits`` significant digits for the block (it has no ``workdps``)."""
    saved = mpmath.iv.dps
    mpmath.iv.dps = digits
    try:
        yield
    finally:
        mpmath.iv.dps = saved


def _ends(interval: Any) -> tuple[mpmath.mpf, mpmath.mpf]:
    low, high = interval._mpi_  # noqa: SLF001 - mpmath's documented raw endpoints
    return mpmath.mpf(low), mpmath.mpf(high)


def _interval_text(interval: Any) -> str:
    low, high = _ends(interval)
    if high - low < mpmath.mpf(10) ** -12:
        return mpmath.nstr((low + high) / 2, 12)
    return f"[{mpmath.nstr(low, 8)}, {mpmath.nstr(high, 8)}]"
