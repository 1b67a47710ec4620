"""Common mistakes, as data: each misconception builds the wrong answer it would produce.

A wrong line is compared (numerically, at the verifier's seeded points) with the answer each
misconception predicts for the quantity the student is computing; the first that matches names
the mistake in words a student understands. Candidates are built by :func:`mistaken_derivative`,
a small differentiator that makes one chosen mistake (it only proposes wrong answers to compare
with; it never produces a step that is shown as true).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sympy

from derive.functions import expand_definitions, sigma


@dataclass(frozen=True, kw_only=True)
class Misconception:
    key: str
    explanation: str
    candidates: Callable[[sympy.Expr, sympy.Symbol], Iterator[sympy.Expr]]


def _derivative_parts(subject: sympy.Expr, x: sympy.Symbol) -> Iterator[sympy.Expr]:
    """The functions whose derivative the subject asks for: d/dx f → f, as written (σ(2x), whose
    chain rule a student may get wrong) and with definitions expanded (1/(1 + e^(-2x)))."""
    for node in sympy.preorder_traversal(subject):
        if isinstance(node, sympy.Derivative) and node.variable_count == ((x, 1),):
            yield node.expr
            expanded = expand_definitions(node.expr)
            if expanded != node.expr:
                yield expanded


def _mistakes(mistake: str) -> Callable[[sympy.Expr, sympy.Symbol], Iterator[sympy.Expr]]:
    def candidates(subject: sympy.Expr, x: sympy.Symbol) -> Iterator[sympy.Expr]:
        for function in _derivative_parts(subject, x):
            chains = _count_chains(function, x)
            if mistake in ("drop_inner", "exp_no_inner"):
                for position in range(max(chains, 1)):
                    yield _replace_derivatives(subject, x, lambda f: mistaken_derivative(f, x, mistake, position), function)
                yield _replace_derivatives(subject, x, lambda f: mistaken_derivative(f, x, mistake, None), function)
            else:
                yield _replace_derivatives(subject, x, lambda f: mistaken_derivative(f, x, mistake, None), function)

    return candidates


def _replace_derivatives(
    subject: sympy.Expr, x: sympy.Symbol, derivative: Callable[[sympy.Expr], sympy.Expr], function: sympy.Expr
) -> sympy.Expr:
    """The subject with each d/dx (of ``function``, as written or expanded) replaced by a mistaken derivative."""
    return subject.replace(
        lambda node: isinstance(node, sympy.Derivative) and node.variable_count == ((x, 1),),
        lambda node: derivative(function if expand_definitions(node.expr) == expand_definitions(function) else node.expr),
    )


def _sigma_plus(subject: sympy.Expr, x: sympy.Symbol) -> Iterator[sympy.Expr]:
    for node in sympy.preorder_traversal(subject):
        if isinstance(node, sympy.Derivative) and isinstance(node.expr, sigma) and node.variable_count == ((x, 1),):
            (u,) = node.expr.args
            inner = sympy.diff(u, x)
            yield subject.xreplace({node: sigma(u) * (1 + sigma(u)) * inner})


MISCONCEPTIONS: tuple[Misconception, ...] = (
    Misconception(
        key="exp_derivative_without_chain",
        explanation="The derivative of e^(-x) is -e^(-x), not e^(-x): the chain rule multiplies by the derivative "
        "of the exponent, d/dx(-x) = -1.",
        candidates=_mistakes("exp_no_inner"),
    ),
    Misconception(
        key="missing_inner_derivative",
        explanation="Chain rule: after differentiating the outer function you must multiply by the derivative of "
        "the inner function (du/dx); that factor is missing.",
        candidates=_mistakes("drop_inner"),
    ),
    Misconception(
        key="quotient_rule_no_square",
        explanation="Quotient rule: the denominator must be squared, (f/g)' = (g f' - f g')/g^2.",
        candidates=_mistakes("quotient_no_square"),
    ),
    Misconception(
        key="quotient_rule_reversed",
        explanation="Quotient rule: the numerator is g f' - f g' (denominator times the derivative of the "
        "numerator first); yours has the two terms the other way round.",
        candidates=_mistakes("quotient_reversed"),
    ),
    Misconception(
        key="sigma_one_plus_sigma",
        explanation="The derivative of the sigmoid is sigma(x)(1 - sigma(x)), with a minus sign; you wrote "
        "sigma(x)(1 + sigma(x)).",
        candidates=_sigma_plus,
    ),
    Misconception(
        key="sign_error",
        explanation="Sign error: your expression is exactly the negative of the correct one. Common sources are "
        "the factor -1 from d/dx(-x) = -1 (for example taking the derivative of e^(-x) to be e^(-x)) and the "
        "numerator of the quotient rule written the wrong way round.",
        candidates=lambda subject, x: iter([-subject]),
    ),
)

CONSTANT_FACTOR = Misconception(
    key="constant_factor",
    explanation="Your expression is off by a constant factor from the correct one: check the coefficients.",
    candidates=lambda subject, x: iter(()),
)


NOT_THE_EXERCISE = Misconception(
    key="not_the_exercise_function",
    explanation="Check that you copied the definition correctly.",
    candidates=lambda subject, x: iter(()),
)


def mistaken_derivative(expr: sympy.Expr, x: sympy.Symbol, mistake: str, position: int | None) -> sympy.Expr:
    """d/dx expr, except for one deliberate mistake.

    ``drop_inner``: a chain rule forgets du/dx (at chain number ``position``, or at all of them);
    ``exp_no_inner``: the same, only for e^u; ``quotient_no_square`` and ``quotient_reversed``:
    the two classic quotient-rule slips (1/g counts as a quotient with f = 1).
    """
    counter = [0]

    def chain(inner: sympy.Expr, is_exp: bool) -> sympy.Expr:
        derivative = d(inner)
        if inner == x:
            return derivative
        index = counter[0]
        counter[0] += 1
        applies = mistake == "drop_inner" or (mistake == "exp_no_inner" and is_exp)
        if applies and (position is None or position == index):
            return sympy.S.One
        return derivative

    def d(e: sympy.Expr) -> sympy.Expr:
        if not e.has(x):
            return sympy.S.Zero
        if e == x:
            return sympy.S.One
        if e.is_Add:
            return sympy.Add(*(d(term) for term in e.args))
        if mistake.startswith("quotient"):
            numerator, denominator = sympy.fraction(e, exact=True)
            if denominator.has(x) and denominator != 1:
                f_prime, g_prime = d(numerator), d(denominator)
                if mistake == "quotient_no_square":
                    return (denominator * f_prime - numerator * g_prime) / denominator
                return (numerator * g_prime - denominator * f_prime) / denominator**2
        if e.is_Mul:
            factors = e.args
            return sympy.Add(*(
                sympy.Mul(*(d(factor) if i == j else factor for j, factor in enumerate(factors)))
                for i in range(len(factors))
            ))
        if e.is_Pow:
            base, exponent = e.args
            if not exponent.has(x):
                return exponent * base ** (exponent - 1) * chain(base, False)
            return sympy.diff(e, x)
        if isinstance(e, sympy.exp):
            return e * chain(e.args[0], True)
        if isinstance(e, sympy.Function) and len(e.args) == 1:
            u = sympy.Dummy("u")
            outer = sympy.diff(e.func(u), u).subs(u, e.args[0])
            return outer * chain(e.args[0], False)
        return sympy.diff(e, x)

    return d(expr)


def _count_chains(expr: sympy.Expr, x: sympy.Symbol) -> int:
    count = 0
    for node in sympy.preorder_traversal(expr):
        if node.is_Pow and node.base.has(x) and node.base != x and not node.exp.has(x):
            count += 1
        elif isinstance(node, sympy.Function) and len(node.args) == 1 and node.args[0].has(x) and node.args[0] != x:
            count += 1
    return count
