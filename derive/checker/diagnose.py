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

from derive.differentiate.rules import QUOTIENT_RULE
from derive.expressions import Stated
from derive.functions import expand_definitions, sigma
from derive.model import Described, listed

#: A wrong answer a misconception predicts, with the explanation of that very slip (None: the
#: misconception's general explanation applies). Explanations are :class:`Described` sentences:
#: plain text for the terminal and JSON, their formulas typeset in documents.
Candidate = tuple[sympy.Expr, str | None]

_x, _y = sympy.Symbol("x"), sympy.Symbol("y")
_E_TO_MINUS_X = sympy.exp(-_x)
#: d/dx(-x) = -1
_DERIVATIVE_OF_MINUS_X = sympy.Eq(sympy.Derivative(-_x, _x), -1, evaluate=False)


@dataclass(frozen=True, kw_only=True)
class Misconception:
    key: str
    explanation: str
    candidates: Callable[[sympy.Expr, sympy.Symbol], Iterator[Candidate]]
    #: a slip of differentiating: it applies to a line that differentiates, not to a step of algebra
    differentiating: bool = True


def _derivative_parts(subject: sympy.Expr, x: sympy.Symbol) -> Iterator[tuple[sympy.Expr, sympy.Symbol]]:
    """The functions whose derivative the subject asks for, and the variable: d/dx f → (f, x),
    ∂L/∂w → (L, w), as written (σ(2x), whose chain rule a student may get wrong) and with
    definitions expanded (1/(1 + e^(-2x)))."""
    for node in sympy.preorder_traversal(subject):
        if isinstance(node, sympy.Derivative) and len(node.variable_count) == 1 and node.variable_count[0][1] == 1:
            variable = node.variable_count[0][0]
            yield node.expr, variable
            expanded = expand_definitions(node.expr)
            if expanded != node.expr:
                yield expanded, variable


def _mistakes(mistake: str) -> Callable[[sympy.Expr, sympy.Symbol], Iterator[Candidate]]:
    def candidates(subject: sympy.Expr, x: sympy.Symbol) -> Iterator[Candidate]:
        for function, v in _derivative_parts(subject, x):
            positions: list[int | None] = [None]
            if mistake in ("drop_inner", "exp_no_inner"):
                positions = [*range(max(_count_chains(function, v), 1)), None]
            for position in positions:
                dropped: list[sympy.Expr] = []
                candidate = _replace_derivatives(
                    subject, v, lambda f, p=position: mistaken_derivative(f, v, mistake, p, dropped), function)
                yield candidate, _explain(mistake, dropped, v) if position is not None else None

    return candidates


def _explain(mistake: str, dropped: list[sympy.Expr], v: sympy.Symbol) -> str | None:
    """The slip in words, naming the inner function whose derivative is missing."""
    if len(dropped) != 1:
        return None

    inner = dropped[0]
    slope = sympy.diff(inner, v)
    taken = sympy.Eq(sympy.Derivative(inner, v), slope, evaluate=False)  # d/dx(2x) = 2, or ∂/∂w(wx) = x
    if mistake == "exp_no_inner":
        power = sympy.exp(inner)
        return Described("The derivative of ", power, " is ", power * slope, ", not ", power, ": the chain rule "
                         "multiplies by the derivative of the exponent, ", taken, ".")
    if slope.is_number and slope == -1:
        return None  # the general explanation says it as well
    return Described("Chain rule: after differentiating the outer function you must multiply by the derivative of "
                     "the inner function ", inner, ", which is ", taken, "; that factor is missing.")


def _replace_derivatives(
    subject: sympy.Expr, x: sympy.Symbol, derivative: Callable[[sympy.Expr], sympy.Expr], function: sympy.Expr
) -> sympy.Expr:
    """The subject with each d/dx (of ``function``, as written or expanded) replaced by a mistaken derivative."""
    return subject.replace(
        lambda node: isinstance(node, sympy.Derivative) and node.variable_count == ((x, 1),),
        lambda node: derivative(function if expand_definitions(node.expr) == expand_definitions(function) else node.expr),
    )


def _sigma_plus(subject: sympy.Expr, x: sympy.Symbol) -> Iterator[Candidate]:
    for node in sympy.preorder_traversal(subject):
        if (isinstance(node, sympy.Derivative) and isinstance(node.expr, sigma) and len(node.variable_count) == 1
                and node.variable_count[0][1] == 1):
            (u,) = node.expr.args
            inner = sympy.diff(u, node.variable_count[0][0])
            yield subject.xreplace({node: sigma(u) * (1 + sigma(u)) * inner}), None


#: Functions whose derivative has a minus sign of its own, the one a student most often drops,
#: each with that derivative as a textbook's table prints it (d/dx cot x = −csc² x, not SymPy's
#: −cot² x − 1), in the order a sentence names them.
_MINUS_SIGN_FUNCTIONS: dict[type, sympy.Expr] = {
    sympy.cos: -sympy.sin(_x),
    sympy.cot: -sympy.csc(_x) ** 2,
    sympy.csc: sympy.Mul(-1, sympy.csc(_x), sympy.cot(_x), evaluate=False),
    sympy.acos: -1 / sympy.sqrt(1 - _x**2),
    sympy.acot: -1 / (1 + _x**2),
    sympy.acsc: -1 / (sympy.Abs(_x) * sympy.sqrt(_x**2 - 1)),
    sympy.sech: sympy.Mul(-1, sympy.sech(_x), sympy.tanh(_x), evaluate=False),
    sympy.csch: sympy.Mul(-1, sympy.csch(_x), sympy.coth(_x), evaluate=False),
}


def sign_error_explanation(subject: sympy.Expr, x: sympy.Symbol) -> Described | None:
    """Why an answer is minus the correct one, when the function differentiated in ``subject``
    has a part whose derivative carries a minus sign (cos, arccos, ...): that derivative, named
    first; None when it has none (the general explanation of ``sign_error`` applies)."""
    kinds: list[type] = []
    for function, _ in _derivative_parts(subject, x):
        kinds += [kind for kind in _MINUS_SIGN_FUNCTIONS if kind not in kinds and function.has(kind)]
    # the exercise's own letter (d/dt(cos(t)) = -sin(t) for a function of t), not a dummy of f'(t)
    letters = [letter for letter in subject.free_symbols if not isinstance(letter, sympy.Dummy)]
    variable = letters[0] if len(letters) == 1 else x
    if not kinds:
        return None
    facts = [sympy.Eq(sympy.Derivative(kind(variable), variable), _MINUS_SIGN_FUNCTIONS[kind].xreplace({_x: variable}),
                      evaluate=False) for kind in kinds]
    return Described("Sign error: your expression is exactly the negative of the correct one. Check the minus sign in ",
                     *listed(facts, last=" and "), "; other common sources are the factor ", sympy.S.NegativeOne,
                     " from ", _DERIVATIVE_OF_MINUS_X, " and the numerator of the quotient rule written the wrong "
                     "way round.")


#: Most letters held constant that a wrong partial derivative is compared with (each is one more
#: candidate to evaluate; past this, which one a student differentiated cannot be told anyway).
MAX_HELD_CONSTANT_LETTERS = 24


def _held_constant_differentiated(subject: sympy.Expr, x: sympy.Symbol) -> Iterator[Candidate]:
    """A letter that does not depend on the variable (a label y, a weight held constant)
    differentiated as if it were the variable: ∂/∂w f(w, y) taken as ∂f/∂w + ∂f/∂y.

    Letters whose derivatives are the same (a_1 and a_2 in a_1 + a_2 + w) predict the same wrong
    answer: the explanation then names them all, never one of them as if it were the slip."""
    for function, v in _derivative_parts(subject, x):
        expanded = expand_definitions(function)
        letters = sorted((letter for letter in expanded.free_symbols - {v} if not isinstance(letter, sympy.Dummy)),
                         key=lambda s: s.name)
        if len(letters) > MAX_HELD_CONSTANT_LETTERS:
            continue
        alike: dict[sympy.Expr, list[sympy.Symbol]] = {}
        for letter in letters:
            alike.setdefault(sympy.diff(expanded, letter), []).append(letter)
        for same in alike.values():
            candidate = _replace_derivatives(
                subject, v, lambda f, p=same[0]: sympy.Derivative(f, v) + sympy.Derivative(expand_definitions(f), p),
                function)
            if len(same) == 1:
                shown = same[0]
                yield candidate, Described("The letter ", shown, " does not depend on ", v, ": it is held constant, so "
                                           "its derivative with respect to ", v, " is 0; your result differentiates ",
                                           shown, " as if it changed with ", v, ".")
            else:
                yield candidate, Described("The letters ", *listed(same, last=" and "), " do not depend on ", v,
                                           ": they are held constant, so their derivatives with respect to ", v,
                                           " are 0; your result differentiates one of them as if it changed with ", v, ".")


MISCONCEPTIONS: tuple[Misconception, ...] = (
    Misconception(
        key="exp_derivative_without_chain",
        explanation=Described("The derivative of ", _E_TO_MINUS_X, " is ", -_E_TO_MINUS_X, ", not ", _E_TO_MINUS_X,
                              ": the chain rule multiplies by the derivative of the exponent, ", _DERIVATIVE_OF_MINUS_X, "."),
        candidates=_mistakes("exp_no_inner"),
    ),
    Misconception(
        key="missing_inner_derivative",
        explanation=Described("Chain rule: after differentiating the outer function you must multiply by the "
                              "derivative of the inner function (", Stated("du/dx", r"\frac{du}{dx}"),
                              "); that factor is missing."),
        candidates=_mistakes("drop_inner"),
    ),
    Misconception(
        key="quotient_rule_no_square",
        explanation=Described("Quotient rule: the denominator must be squared, ", QUOTIENT_RULE, "."),
        candidates=_mistakes("quotient_no_square"),
    ),
    Misconception(
        key="quotient_rule_reversed",
        explanation=Described("Quotient rule: the numerator is ", Stated("g f' - f g'", "g f' - f g'"),
                              " (denominator times the derivative of the numerator first); yours has the two terms "
                              "the other way round."),
        candidates=_mistakes("quotient_reversed"),
    ),
    Misconception(
        key="sigma_one_plus_sigma",
        explanation=Described("The derivative of the sigmoid is ",
                              Stated("sigma(x)(1 - sigma(x))", r"\sigma(x) \left(1 - \sigma(x)\right)"),
                              ", with a minus sign; you wrote ",
                              Stated("sigma(x)(1 + sigma(x))", r"\sigma(x) \left(1 + \sigma(x)\right)"), "."),
        candidates=_sigma_plus,
        differentiating=False,  # the formula misremembered: it applies wherever σ' is stated
    ),
    Misconception(
        key="sign_error",
        explanation=Described("Sign error: your expression is exactly the negative of the correct one. Common "
                              "sources are the factor ", sympy.S.NegativeOne, " from ", _DERIVATIVE_OF_MINUS_X,
                              " (for example taking the derivative of ", _E_TO_MINUS_X, " to be ", _E_TO_MINUS_X,
                              ") and the numerator of the quotient rule written the wrong way round."),
        candidates=lambda subject, x: iter([(-subject, None)]),
        differentiating=False,
    ),
    Misconception(
        key="constant_differentiated",
        explanation=Described("A letter that does not depend on the variable (a label ", _y, ", a parameter) is "
                              "held constant: its derivative is 0, and your result differentiates it."),
        candidates=_held_constant_differentiated,
    ),
)

CONSTANT_FACTOR = Misconception(
    key="constant_factor",
    explanation="Your expression is off by a constant factor from the correct one: check the coefficients.",
    candidates=lambda subject, x: iter(()),
    differentiating=False,
)


NOT_THE_EXERCISE = Misconception(
    key="not_the_exercise_function",
    explanation="Check that you copied the definition correctly.",
    candidates=lambda subject, x: iter(()),
)


def mistaken_derivative(expr: sympy.Expr, x: sympy.Symbol, mistake: str, position: int | None,
                        dropped: list[sympy.Expr] | None = None) -> sympy.Expr:
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
            if dropped is not None:
                dropped.append(inner)
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
