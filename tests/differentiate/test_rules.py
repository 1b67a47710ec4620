"""Table-driven tests of every differentiation rule.

Each row is (expression, rule of the first step, a rule that must be used somewhere, the
textbook derivative). For every row the derivation must start with the named rule, end at a
result that is *proved* equal to both the textbook derivative and ``sympy.diff`` (which is used
here only to check), and every step, sub-steps included, must verify as "proved".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pytest
import sympy
from sympy import Rational, S, exp, log, sqrt

from derive.differentiate.differentiator import Differentiator
from derive.functions import NAMED_FUNCTIONS, Phi, sigma, softplus, variable
from derive.model import Step
from derive.printing import to_latex, to_plain
from derive.differentiate.rules import FUNCTION_RULES, FunctionRule, named_function_rule
from derive.model import RULE_NAMES, rule_name
from derive.verify import prove_equal, verify_steps

x = variable("x")
u = variable("u")


@dataclass(frozen=True)
class Row:
    id: str
    expr: sympy.Expr
    first: str
    uses: str
    expected: sympy.Expr


def row(id: str, expr: sympy.Expr, first: str, expected: sympy.Expr, uses: str | None = None) -> Row:
    return Row(id=id, expr=expr, first=first, uses=uses or first, expected=expected)


ROWS = [
    # constant and variable
    row("constant-integer", S(5), "constant", S(0)),
    row("constant-pi", sympy.pi, "constant", S(0)),
    row("constant-log2", log(2), "constant", S(0)),
    row("variable", x, "variable", S(1)),
    # sum and constant multiple
    row("sum", x + 1, "sum", S(1), uses="constant"),
    row("sum-three-terms", x**2 + sympy.sin(x) + 7, "sum", 2 * x + sympy.cos(x), uses="sin"),
    row("constant-multiple", 3 * x, "constant_multiple", S(3), uses="variable"),
    row("constant-multiple-pi", sympy.pi * sympy.sin(x), "constant_multiple", sympy.pi * sympy.cos(x), uses="sin"),
    # product (2 and 3 factors) and quotient
    row("product-2", x * sympy.sin(x), "product", sympy.sin(x) + x * sympy.cos(x), uses="sin"),
    row(
        "product-3", x * exp(x) * sympy.sin(x), "product",
        exp(x) * sympy.sin(x) + x * exp(x) * sympy.sin(x) + x * exp(x) * sympy.cos(x), uses="exp",
    ),
    row("quotient", sympy.sin(x) / x, "quotient", (x * sympy.cos(x) - sympy.sin(x)) / x**2, uses="sin"),
    row("quotient-polynomial", (x + 1) / (x**2 + 1), "quotient", (1 - 2 * x - x**2) / (x**2 + 1) ** 2, uses="sum"),
    # power
    row("power-integer", x**3, "power", 3 * x**2),
    row("power-negative", x**-2, "power", -2 * x**-3),
    row("power-reciprocal", 1 / x, "power", -1 / x**2),
    row("power-rational", x ** Rational(2, 3), "power", Rational(2, 3) * x ** Rational(-1, 3)),
    row("power-sqrt", sqrt(x), "power", 1 / (2 * sqrt(x))),
    # chain
    row("chain-power-of-sum", (x + 1) ** 3, "chain", 3 * (x + 1) ** 2, uses="power"),
    row("chain-power-of-sum-negative", (x**2 + 1) ** -2, "chain", -4 * x / (x**2 + 1) ** 3, uses="power"),
    row("chain-sqrt-of-sum", sqrt(x**2 + 1), "chain", x / sqrt(x**2 + 1), uses="power"),
    row("chain-exp-minus-x", exp(-x), "chain", -exp(-x), uses="exp"),
    row("chain-sin-x-squared", sympy.sin(x**2), "chain", 2 * x * sympy.cos(x**2), uses="sin"),
    row("chain-log-cosh", log(sympy.cosh(x)), "chain", sympy.tanh(x), uses="cosh"),
    row("chain-nested", exp(sympy.sin(x**2)), "chain", 2 * x * sympy.cos(x**2) * exp(sympy.sin(x**2)), uses="sin"),
    # elementary functions of x
    row("exp", exp(x), "exp", exp(x)),
    row("exponential-base", 2**x, "exponential_base", 2**x * log(2)),
    row("exponential-base-chain", 2 ** (x**2), "chain", 2 * x * 2 ** (x**2) * log(2), uses="exponential_base"),
    row("log", log(x), "log", 1 / x),
    row("sin", sympy.sin(x), "sin", sympy.cos(x)),
    row("cos", sympy.cos(x), "cos", -sympy.sin(x)),
    row("tan", sympy.tan(x), "tan", 1 / sympy.cos(x) ** 2),
    row("sinh", sympy.sinh(x), "sinh", sympy.cosh(x)),
    row("cosh", sympy.cosh(x), "cosh", sympy.sinh(x)),
    row("tanh", sympy.tanh(x), "tanh", 1 / sympy.cosh(x) ** 2),
    row("erf", sympy.erf(x), "erf", 2 * exp(-(x**2)) / sqrt(sympy.pi)),
    row("atan", sympy.atan(x), "atan", 1 / (1 + x**2)),
    row("asin", sympy.asin(x), "asin", 1 / sqrt(1 - x**2)),
    row("acos", sympy.acos(x), "acos", -1 / sqrt(1 - x**2)),
    row("asinh", sympy.asinh(x), "asinh", 1 / sqrt(x**2 + 1)),
    row("atanh", sympy.atanh(x), "atanh", 1 / (1 - x**2)),
    # the sigmoid
    row("sigmoid", sigma(x), "sigmoid", exp(-x) / (1 + exp(-x)) ** 2),
    row("sigmoid-in-sum", 1 + sigma(x), "sum", sigma(x) * (1 - sigma(x)), uses="sigmoid"),
    row("sigmoid-in-product", x * sigma(x), "product", sigma(x) + x * sigma(x) * (1 - sigma(x)), uses="sigmoid"),
    row("sigmoid-chain", sigma(2 * x), "chain", 2 * sigma(2 * x) * (1 - sigma(2 * x)), uses="sigmoid"),
    # catalogue functions with a stated derivative (dispatched through named_function_rule)
    row("softplus", softplus(x), "softplus", sigma(x)),
    row("softplus-chain", softplus(x**2), "chain", 2 * x * sigma(x**2), uses="softplus"),
    row("Phi", Phi(x), "Phi", exp(-(x**2) / 2) / sqrt(2 * sympy.pi)),
    # piecewise functions and |linear|
    row("abs", sympy.Abs(x), "rewrite_piecewise", sympy.sign(x), uses="piecewise"),
    row("abs-linear", sympy.Abs(2 * x - 1), "rewrite_piecewise", 2 * sympy.sign(2 * x - 1), uses="piecewise"),
    row(
        "piecewise", sympy.Piecewise((x**2, x < 1), (2 * x - 1, True)), "piecewise",
        sympy.Piecewise((2 * x, x < 1), (2, True)), uses="power",
    ),
    # general power and higher order
    row("general-power", x**x, "general_power", x**x * (log(x) + 1), uses="restore_power"),
    row(
        "general-power-sin", (x**2 + 1) ** sympy.sin(x), "general_power",
        (x**2 + 1) ** sympy.sin(x) * (sympy.cos(x) * log(x**2 + 1) + 2 * x * sympy.sin(x) / (x**2 + 1)),
        uses="restore_power",
    ),
    # Differentiator.derivation(e) derives d/dx e, so these are the 3rd and 4th derivatives.
    row("higher-order", sympy.Derivative(x * sympy.sin(x), (x, 2)), "higher_order", -3 * sympy.sin(x) - x * sympy.cos(x)),
    row("higher-order-polynomial", sympy.Derivative(x**4, (x, 3)), "higher_order", S(24)),
]


def walk(steps: tuple[Step, ...]):
    for step in steps:
        yield step
        yield from walk(step.substeps)


@cache
def derived(row_id: str) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
    """(the derivation, the same steps verified) for one row; computed once per test run."""
    expr = next(r for r in ROWS if r.id == row_id).expr
    steps = Differentiator(x).derivation(expr)
    return steps, verify_steps(steps, x)


def test_row_ids_are_unique() -> None:
    assert len({r.id for r in ROWS}) == len(ROWS)


@pytest.mark.parametrize("r", ROWS, ids=lambda r: r.id)
def test_first_step_names_the_rule(r: Row) -> None:
    steps, _ = derived(r.id)
    assert steps, "a derivation has at least one step"
    assert steps[0].rule == r.first
    assert steps[0].before == sympy.Derivative(r.expr, x)
    assert r.uses in {step.rule for step in walk(steps)}


@pytest.mark.parametrize("r", ROWS, ids=lambda r: r.id)
def test_result_is_the_derivative(r: Row) -> None:
    steps, _ = derived(r.id)
    result = steps[-1].after
    assert not result.has(sympy.Derivative), f"unevaluated derivative left in {result}"
    assert prove_equal(result, r.expected, x).status == "proved", (result, r.expected)
    assert prove_equal(result, sympy.diff(r.expr, x), x).status == "proved", (result, sympy.diff(r.expr, x))


@pytest.mark.parametrize("r", ROWS, ids=lambda r: r.id)
def test_every_step_is_proved(r: Row) -> None:
    steps, verified = derived(r.id)
    assert all(step.complete for step in steps)
    statuses = [(step.rule, step.verification.status, step.verification.method) for step in walk(verified)]
    assert statuses, "nothing was verified"
    assert all(status == "proved" for _, status, _ in statuses), statuses
    assert all(step.proved for step in verified)
    for step in verified:
        step.require_proved()  # raises if any step below it is not proved


@pytest.mark.parametrize("r", [r for r in ROWS if r.first == "chain"], ids=lambda r: r.id)
def test_chain_rows_name_their_outer_rule(r: Row) -> None:
    steps, _ = derived(r.id)
    chain = steps[0]
    outer, inner = chain.substeps
    assert chain.detail("outer_rule") == outer.rule
    assert outer.rule in RULE_NAMES
    assert inner.rule == "inner_derivative"
    assert chain.detail("u") == inner.before.expr


# --- the dispatch table and its formulas ---------------------------------------------------


@pytest.mark.parametrize("function", list(FUNCTION_RULES), ids=lambda f: FUNCTION_RULES[f].rule)
def test_function_rule_formula_is_an_identity(function: type) -> None:
    rule: FunctionRule = FUNCTION_RULES[function]
    formula = rule.formula(u)
    assert isinstance(formula, sympy.Eq)
    assert formula.lhs == sympy.Derivative(function(u), u)
    verification = prove_equal(formula.lhs, formula.rhs, u)
    assert verification.status == "proved", (rule.rule, formula, verification.method)
    assert verification.digits >= 30


@pytest.mark.parametrize("function", list(FUNCTION_RULES), ids=lambda f: FUNCTION_RULES[f].rule)
def test_function_rule_is_dispatched_for_its_function(function: type) -> None:
    rule = FUNCTION_RULES[function]
    steps = Differentiator(x).derivation(function(x))
    assert steps[0].rule == rule.rule
    # the rule writes its formula (a tidy-up a reader cannot see, 1/sqrt(u) as u^(-1/2), may end its step)
    assert (to_plain(steps[0].after), to_latex(steps[0].after)) == (to_plain(rule.derivative(x)), to_latex(rule.derivative(x)))


@pytest.mark.parametrize("function", list(FUNCTION_RULES), ids=lambda f: FUNCTION_RULES[f].rule)
def test_function_rule_of_an_inner_function_uses_the_chain_rule(function: type) -> None:
    steps = verify_steps(Differentiator(x).derivation(function(x / 2)), x)
    assert steps[0].rule == "chain"
    assert steps[0].substeps[0].rule == FUNCTION_RULES[function].rule
    assert all(step.verification.status == "proved" for step in walk(steps))


# sigma is in FUNCTION_RULES (rule "sigmoid"); the others are dispatched by named_function_rule
NAMED_WITH_DERIVATIVE = [
    function for function in NAMED_FUNCTIONS
    if function not in FUNCTION_RULES and named_function_rule(function(u)) is not None
]


@pytest.mark.parametrize("function", NAMED_WITH_DERIVATIVE, ids=lambda f: f.__name__)
def test_named_function_formula_is_an_identity(function: type) -> None:
    rule = named_function_rule(function(u))
    formula = rule.formula(u)
    assert prove_equal(formula.lhs, formula.rhs, u).status == "proved", (rule.rule, formula)
    assert rule.rule in RULE_NAMES


def test_named_functions_with_a_derivative_are_found() -> None:
    assert {f.__name__ for f in NAMED_WITH_DERIVATIVE} >= {"softplus", "Phi"}


def test_rule_names_cover_every_rule_used() -> None:
    from derive.differentiate.catalogue import ENTRIES
    from derive.differentiate.routes import rules_route

    used = {step.rule for r in ROWS for step in walk(derived(r.id)[0])}
    for entry in ENTRIES:
        variable_ = variable(entry.variable_name)
        for route in entry.routes.values():
            used |= {step.rule for step in walk(route(variable_))}
        steps = rules_route(entry.function(variable_), entry.definition(variable_), variable_)
        used |= {step.rule for step in walk(steps)}
    for unsupported in (sympy.Si(x), sympy.Function("f")(x)):
        used |= {step.rule for step in walk(Differentiator(x).derivation(unsupported))}
    used |= {rule.rule for rule in FUNCTION_RULES.values()}
    missing = sorted(used - set(RULE_NAMES))
    assert not missing, f"rule ids without a human name: {missing}"
    assert {"unsupported", "restore_power", "log_of_reciprocal", "inner_derivative", "recognise_sigma"} <= used


def test_rule_names_are_ascii_and_nonempty() -> None:
    for rule, name in RULE_NAMES.items():
        assert rule.isascii() and rule.isidentifier(), rule
        assert name.isascii() and name.strip() == name and name, (rule, name)
        assert rule_name(rule) == name


def test_rule_name_falls_back_for_unknown_ids() -> None:
    assert rule_name("made_up_rule") == "Made up rule"
