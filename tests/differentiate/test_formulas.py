"""How the formulas of the elementary functions are derived, not looked up (issue 13).

Every rule beyond eˣ, ln, sin and cos carries its derivation (from a definition: tan = sin/cos,
sinh = (eᵘ − e⁻ᵘ)/2; or by the inverse-function rule: y = arcsin u means sin y = u), which the
engine shows under the step that uses the formula. Each row: the derivation starts at d/du F(u),
ends at the rule's own formula F′(u), uses the rule it names, and every step is proved.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sympy

from derive.differentiate.differentiator import Differentiator
from derive.differentiate.rules import ABSOLUTE_VALUE, FUNCTION_RULES, DefinedAs, FunctionRule, InverseOf
from derive.functions import variable
from derive.model import RULE_NAMES, Step
from derive.verify import verify_steps

x = variable("x")
u = variable("u")

#: the formulas a first course takes as its starting point
BASIC = {"exp", "log", "sin", "cos", "erf", "sigmoid"}
DERIVED = [rule for rule in (*FUNCTION_RULES.values(), ABSOLUTE_VALUE) if rule.rule not in BASIC]


def walk(steps: tuple[Step, ...]) -> Iterator[Step]:
    for step in steps:
        yield step
        yield from walk(step.substeps)


def test_every_function_of_a_first_course_has_a_rule() -> None:
    for function in (sympy.sec, sympy.csc, sympy.cot, sympy.sech, sympy.csch, sympy.coth, sympy.acot, sympy.asec,
                     sympy.acsc, sympy.acosh, sympy.acoth, sympy.asech, sympy.acsch):
        assert function in FUNCTION_RULES, function
        assert FUNCTION_RULES[function].rule in RULE_NAMES


def test_every_formula_beyond_the_basic_ones_says_how_it_is_derived() -> None:
    assert all(rule.origin is not None for rule in DERIVED)
    inverses = {rule.rule for rule in DERIVED if isinstance(rule.origin, InverseOf)}
    assert inverses >= {"asin", "acos", "atan", "acot", "asec", "acsc", "asinh", "acosh", "atanh", "acoth", "asech"}


@pytest.mark.parametrize("rule", DERIVED, ids=lambda rule: rule.rule)
def test_formula_derivation_is_complete_and_proved(rule: FunctionRule) -> None:
    steps = verify_steps(Differentiator(u).formula_steps(rule, u), u)
    assert steps, f"{rule.rule}: no derivation of its formula"
    assert steps[0].before == sympy.Derivative(rule.function(u), u)
    assert steps[-1].after == rule.derivative(u)
    for first, second in zip(steps, steps[1:]):
        assert first.after == second.before
    unproved = [(step.rule, str(step.before), str(step.after)) for step in walk(steps) if step.verification.status != "proved"]
    assert not unproved, unproved
    expected_first = "inverse_function" if isinstance(rule.origin, InverseOf) else None
    if expected_first:
        assert steps[0].rule == expected_first
    else:
        assert isinstance(rule.origin, DefinedAs)


@pytest.mark.parametrize("rule", DERIVED, ids=lambda rule: rule.rule)
def test_the_derivation_is_shown_under_the_step_that_uses_the_formula(rule: FunctionRule) -> None:
    if rule is not ABSOLUTE_VALUE:  # |x| itself is written piecewise
        direct = Differentiator(x).derivation(rule.function(x))
        assert direct[0].rule == rule.rule and direct[0].substeps, "d/dx F(x): the formula's derivation below it"
    chained = Differentiator(x).derivation(rule.function(3 * x if rule is not ABSOLUTE_VALUE else x**3))
    assert chained[0].rule == "chain"
    outer = chained[0].substeps[0]
    assert outer.rule == rule.rule and outer.substeps, "chain rule: the outer formula's derivation below it"


def test_formulas_are_not_derived_inside_their_own_derivation() -> None:
    # tanh = sinh/cosh uses the formulas of sinh and cosh, which are not derived again in there
    steps = Differentiator(u).formula_steps(FUNCTION_RULES[sympy.tanh], u)
    nested = [step for step in walk(steps) if step.rule in {"sinh", "cosh"}]
    assert nested and all(not step.substeps for step in nested)


def test_absolute_value_of_any_function_uses_u_u_prime_over_abs_u() -> None:
    steps = verify_steps(Differentiator(x).derivation(sympy.Abs(x**2 - 1)), x)
    assert steps[0].rule == "chain"
    outer = steps[0].substeps[0]
    assert outer.rule == "absolute_value"
    assert "for u != 0" in outer.annotation.plain()
    assert all(step.verification.status == "proved" for step in walk(steps))
    assert sympy.simplify((steps[-1].after - 2 * x * (x**2 - 1) / sympy.Abs(x**2 - 1)).rewrite(sympy.Piecewise)) == 0


def test_absolute_value_of_a_linear_function_stays_piecewise() -> None:
    # softsign's handout: |x| is written piecewise, and the break point settled at the end
    steps = Differentiator(x).derivation(sympy.Abs(2 * x - 1))
    assert steps[0].rule == "rewrite_piecewise"


def uses(steps: tuple[Step, ...], lookups: set[str]) -> Iterator[Step]:
    """Every step that uses a formula, not counting those inside a formula's own derivation."""
    for step in steps:
        if step.rule in lookups:
            yield step
        else:
            yield from uses(step.substeps, lookups)


def _handout_routes() -> Iterator[tuple[str, str]]:
    from derive.differentiate.catalogue import ENTRIES

    for entry in ENTRIES:
        if entry.document == "handout" and not entry.variables:
            for route in entry.route_names:
                yield entry.name, route


@pytest.mark.parametrize(("name", "route"), list(_handout_routes()))
def test_no_catalogue_handout_is_a_table_lookup(name: str, route: str) -> None:
    from derive.differentiate.catalogue import lookup
    from derive.differentiate.routes import rules_route

    entry = lookup(name)
    v = variable(entry.variable_name)
    steps = entry.routes[route](v) if route in entry.routes else rules_route(entry.function(v), entry.definition(v), v)
    working = [step for step in steps if step.rule != "definition"]
    lookups = {rule.rule for rule in FUNCTION_RULES.values()}
    assert not (len(working) == 1 and working[0].rule in lookups), f"{name} --route {route} is one table lookup"
    looked_up = [step.rule for step in uses(steps, lookups) if step.rule not in BASIC and not step.substeps]
    assert not looked_up, f"{name} --route {route}: formulas used without their derivation: {looked_up}"


def test_tanh_has_the_quotient_and_sigmoid_routes() -> None:
    from derive.api import derive

    from derive.verify import prove_equal

    for route in ("quotient", "sigmoid"):
        derivation = derive("tanh", route=route)
        assert derivation.proved and derivation.complete
        assert prove_equal(derivation.result, 1 - sympy.tanh(x) ** 2, x).status == "proved"
    assert derive("tanh").route == "quotient"
    assert derive("tanh", route="sigmoid").result == 1 - sympy.tanh(x) ** 2
    steps = derive("tanh", route="sigmoid").steps
    assert steps[0].rule == "identity" and steps[0].after.has(sympy.Function)


@pytest.mark.parametrize(("typed", "natural", "latex"), [
    ("log(x, 2)", "log(x)/log(2)", r"\log_{2}{(x)}"),
    (r"\log_2 x", "log(x)/log(2)", r"\log_{2}{(x)}"),
    ("log(x^2 + 1, 10)", "log(x^2 + 1)/log(10)", r"\log_{10}{\left(x^{2} + 1\right)}"),
    ("log(x, b)", "log(x)/log(b)", r"\log_{b}{(x)}"),
])
def test_a_logarithm_to_a_base_is_changed_to_ln_in_a_named_step(typed: str, natural: str, latex: str) -> None:
    """log_b u stays as typed and the derivation's first step changes its base, proved like any other."""
    from derive.api import derive
    from derive.parse import parse_expression
    from derive.printing import to_latex, to_plain

    expression = parse_expression(typed)
    assert to_latex(expression) == latex
    derivation = derive(expression)
    first = derivation.steps[0]
    assert first.rule == "change_of_base" and RULE_NAMES["change_of_base"] == "Change of base"
    assert isinstance(first.after, sympy.Derivative) and to_plain(first.after.expr) == natural
    assert derivation.proved
    u, base = expression.args
    assert sympy.simplify(derivation.result - sympy.diff(sympy.log(u) / sympy.log(base), x)) == 0


# The catalogue's activations typed by name in an expression (derive diff "x*gelu(2*x)"): those
# with a stated derivative use it (softplus' = σ), the others are written out by their definition.
TYPED_ACTIVATIONS = ["softplus(x)", "gelu(2*x)", "x*silu(x^2)", "mish(x)", "logsigmoid(x)", "softsign(x)", "elu(x)",
                     "relu(x)*x", "Phi(x)", "sigma(x)*relu(x)"]


@pytest.mark.parametrize("text", TYPED_ACTIVATIONS)
def test_activations_typed_by_name_are_derived_from_their_definitions(text: str) -> None:
    from derive.api import derive
    from derive.functions import expand_definitions
    from derive.jobs import typed_functions
    from derive.parse import parse_expression

    derivation = derive(parse_expression(text, functions=typed_functions(["x"])), x)
    assert derivation.complete and derivation.proved, text
    expected = sympy.diff(expand_definitions(derivation.function), x)
    for point in (sympy.Rational(7, 10), sympy.Rational(-13, 10)):
        got = expand_definitions(derivation.result).subs(x, point)
        assert abs(sympy.N(got - expected.subs(x, point), 30)) < 1e-25, (text, point)
