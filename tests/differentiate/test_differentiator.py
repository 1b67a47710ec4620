"""The structure of derivations: chained steps, chain-rule sub-derivations, fresh names,
unsupported input, and an engine that never calls ``sympy.diff``."""

from __future__ import annotations

import sys

import pytest
import sympy
from sympy import exp, log, sqrt

import derive
from derive.differentiate.differentiator import Differentiator
from derive.functions import _prepared as prepare_remembered, sigma, variable
from derive.model import Step
from derive.differentiate.routes import SIGMOID_ROUTES, rules_route
from derive.differentiate.rules import FunctionRule
from derive.verify import prove_equal, verify_steps

x = variable("x")

EXPRESSIONS = [
    x**2,
    x * sympy.sin(x),
    sympy.sin(x) / x,
    exp(-x),
    sympy.sin(x**2),
    log(sympy.cosh(x)),
    sigma(2 * x),
    1 / (1 + exp(-x)),
    x**x,
    sqrt(x**2 + 1) * sympy.atan(x),
    exp(sympy.sin(sympy.cos(x**2))),
    sympy.Derivative(x * sympy.sin(x), (x, 2)),
    sympy.erf(x) * sympy.tanh(x) - 3 * sigma(x) / (x**2 + 1),
]


def walk(steps: tuple[Step, ...]):
    for step in steps:
        yield step
        yield from walk(step.substeps)


def assert_chained(steps: tuple[Step, ...], start: sympy.Expr) -> None:
    """Each step starts where the previous one ended; the first starts at ``start``."""
    current = start
    for step in steps:
        assert step.before == current, (step.rule, step.before, current)
        current = step.after


def chain_steps(steps: tuple[Step, ...]) -> list[Step]:
    return [step for step in walk(steps) if step.rule == "chain"]


# --- steps chain ---------------------------------------------------------------------------


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=str)
def test_steps_form_one_chain_of_equalities(expr: sympy.Expr) -> None:
    steps = Differentiator(x).derivation(expr)
    assert_chained(steps, sympy.Derivative(expr, x))
    assert not steps[-1].after.has(sympy.Derivative)
    assert all(step.complete for step in steps)


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=str)
def test_sub_derivations_form_chains(expr: sympy.Expr) -> None:
    for step in walk(Differentiator(x).derivation(expr)):
        if step.rule == "inner_derivative" and step.substeps:
            assert_chained(step.substeps, step.before)
            assert step.substeps[-1].after == step.after


def test_only_one_derivative_is_rewritten_per_step() -> None:
    steps = Differentiator(x).derivation(x * sympy.sin(x) + exp(x))
    counts = [len(step.after.atoms(sympy.Derivative)) for step in steps]
    for before, after in zip(counts, counts[1:]):
        assert after <= before + 2  # one node replaced by at most its parts' derivatives


# --- the chain rule ------------------------------------------------------------------------


def test_chain_rule_step_has_outer_and_inner_substeps() -> None:
    steps = Differentiator(x).derivation(sympy.sin(x**2))
    (chain,) = chain_steps(steps)
    assert chain.rule == "chain"
    outer, inner = chain.substeps
    u = chain.detail("substitution")
    assert isinstance(u, sympy.Symbol) and u.name == "u" and u.is_real
    assert chain.detail("u") == x**2
    assert chain.detail("outer_rule") == "sin"
    # the outer step is in the fresh variable u alone
    assert outer.rule == "sin"
    assert outer.detail("variable") == u
    assert outer.before == sympy.Derivative(sympy.sin(u), u)
    assert outer.after == sympy.cos(u)
    assert x not in outer.before.free_symbols | outer.after.free_symbols
    # the inner step differentiates u = x^2 with respect to x, as a chain of its own
    assert inner.rule == "inner_derivative"
    assert inner.before == sympy.Derivative(x**2, x)
    assert inner.after == 2 * x
    assert [s.rule for s in inner.substeps][0] == "power"
    assert_chained(inner.substeps, inner.before)


def test_outer_and_inner_substeps_verify_in_their_own_variables() -> None:
    steps = verify_steps(Differentiator(x).derivation(exp(sympy.sin(x**2))), x)
    assert all(step.verification.status == "proved" for step in walk(steps))
    outer = chain_steps(steps)[0].substeps[0]
    assert outer.verification.status == "proved"


def test_nested_chain_rules_use_distinct_fresh_names() -> None:
    steps = Differentiator(x).derivation(exp(sympy.sin(sympy.cos(x**2))))
    names = [step.detail("substitution").name for step in chain_steps(steps)]
    assert len(names) == 3
    assert len(set(names)) == 3
    assert "x" not in names
    assert names[0] == "u"


def test_inner_chain_rule_sits_inside_the_inner_derivative() -> None:
    steps = Differentiator(x).derivation(exp(sympy.sin(x**2)))
    outer_chain = steps[0]
    assert outer_chain.rule == "chain"
    inner = outer_chain.substeps[1]
    assert inner.rule == "inner_derivative"
    assert any(step.rule == "chain" for step in inner.substeps)


def test_fresh_names_avoid_the_variable() -> None:
    u = variable("u")
    steps = Differentiator(u).derivation(sympy.sin(u**2))
    (chain,) = chain_steps(steps)
    fresh = chain.detail("substitution")
    assert fresh.name != "u"
    assert chain.substeps[0].detail("variable") == fresh
    assert verify_steps(steps, u)[0].proved


def test_fresh_names_avoid_other_symbols_of_the_expression() -> None:
    """A constant called u must not be confused with the chain rule's u (bug fixed in engine.py)."""
    a = sympy.Symbol("u", real=True)
    steps = Differentiator(x).derivation(a * sympy.sin(x**2) + sympy.cos(a * x))
    names = {step.detail("substitution").name for step in chain_steps(steps)}
    assert names and "u" not in names and "x" not in names


def test_a_differentiator_can_be_reused() -> None:
    """Per-run state (step budget, fresh names) restarts with every derivation (bug fixed)."""
    engine = Differentiator(x)
    first = engine.derivation(sympy.sin(x**2))
    for _ in range(250):  # more steps in total than the per-derivation budget
        assert engine.derivation(x**2 + 1)[-1].after == 2 * x
    again = engine.derivation(sympy.sin(x**2))
    assert again == first


def test_continue_from_a_higher_derivative() -> None:
    f = x * sympy.sin(x)
    steps = Differentiator(x).continue_from(sympy.Derivative(f, (x, 2)))
    assert steps[0].rule == "higher_order"
    (inner,) = steps[0].substeps
    assert inner.rule == "inner_derivative"
    assert inner.before == sympy.Derivative(f, x)
    assert_chained(inner.substeps, inner.before)
    assert prove_equal(steps[-1].after, sympy.diff(f, x, 2), x).status == "proved"
    verified = verify_steps(steps, x)
    assert all(step.verification.status == "proved" for step in walk(verified))


def test_third_derivative() -> None:
    steps = Differentiator(x).continue_from(sympy.Derivative(sympy.sin(x) * exp(x), (x, 3)))
    assert steps[0].rule == "higher_order"
    assert prove_equal(steps[-1].after, sympy.diff(sympy.sin(x) * exp(x), x, 3), x).status == "proved"


def test_extra_rules_extend_the_dispatch_table() -> None:
    sine_integral_rule = FunctionRule(
        rule="sine_integral",
        function=lambda v: sympy.Si(v, evaluate=False),
        derivative=lambda v: sympy.sin(v) / v,
    )
    assert Differentiator(x).derivation(sympy.Si(x))[0].rule == "unsupported"  # not in the table
    steps = Differentiator(x, extra_rules={sympy.Si: sine_integral_rule}).derivation(sympy.Si(x**2 + 2))
    assert steps[0].rule == "chain"
    assert steps[0].substeps[0].rule == "sine_integral"
    assert all(s.verification.status == "proved" for s in walk(verify_steps(steps, x)))


def test_notation_is_carried_by_every_step() -> None:
    steps = Differentiator(x, notation="powers").derivation((1 + exp(-x)) ** -1)
    assert {step.notation for step in walk(steps)} == {"powers"}


# --- unsupported input -----------------------------------------------------------------------

f = sympy.Function("f")
y = variable("y")

UNSUPPORTED = [
    pytest.param(sympy.Si(x), id="sine-integral"),  # |f(x)| is supported: u u'/|u|, or piecewise for linear u
    pytest.param(sympy.floor(x), id="floor"),
    pytest.param(f(x), id="user-function"),
    pytest.param(x**2 + f(x), id="user-function-in-sum"),
    pytest.param(sympy.Derivative(sympy.Si(x), (x, 2)), id="higher-order-of-sine-integral"),
    pytest.param(sympy.Derivative(f(x), (x, 3)), id="higher-order-of-user-function"),
]


@pytest.mark.parametrize("expr", UNSUPPORTED)
def test_unsupported_input_gives_an_explicit_step(expr: sympy.Expr) -> None:
    steps = Differentiator(x).derivation(expr)
    unsupported = [step for step in walk(steps) if step.rule == "unsupported"]
    assert unsupported
    for step in unsupported:
        assert step.before == step.after
        assert step.annotation.plain()  # the reason is given
        assert not step.complete
    assert_chained(steps, sympy.Derivative(expr, x))
    assert len(steps) < 20, "the engine must stop at an unsupported node, not loop"


def test_continue_from_a_derivative_with_respect_to_another_variable() -> None:
    # issue 12: a derivative in another variable is derived in it (x held constant), as a sub-derivation
    steps = Differentiator(x).continue_from(sympy.Derivative(sympy.sin(x) * y, y))
    assert steps[0].rule == "higher_order" and steps[0].substeps[0].rule == "partial_derivative"
    assert steps[0].substeps[0].detail("variable") == y
    assert verify_steps(steps, x)[-1].proved and steps[-1].after == sympy.sin(x)


def test_mixed_partial_derivatives_are_derived_one_variable_at_a_time() -> None:
    steps = Differentiator(x).continue_from(sympy.Derivative(x**2 * y**3, x, y))
    assert [sub.detail("variable") for sub in steps[0].substeps] == [x, y]
    assert all(step.proved for step in verify_steps(steps, x))
    assert sympy.simplify(steps[-1].after - 6 * x * y**2) == 0


def test_supported_parts_are_still_derived_next_to_unsupported_ones() -> None:
    steps = Differentiator(x).derivation(x**2 + sympy.Si(x))
    rules = [step.rule for step in steps]
    assert "unsupported" in rules and "power" in rules
    assert steps[-1].after.has(sympy.Derivative(sympy.Si(x), x))


@pytest.mark.parametrize("expr", UNSUPPORTED)
def test_unsupported_input_makes_an_incomplete_derivation(expr: sympy.Expr) -> None:
    derivation = derive.derive(expr, variable="x")  # nothing raises
    assert derivation.complete is False
    assert any(step.rule == "unsupported" for step in derivation.steps)


# --- the engine never differentiates with SymPy -------------------------------------------------


@pytest.fixture
def no_sympy_diff(monkeypatch: pytest.MonkeyPatch):
    """Make every SymPy differentiation entry point fail when derive's own code calls it.

    SymPy's assumption system may differentiate internally (``_monotonic_sign``); those calls
    come from SymPy, not from derive, and are let through.
    """
    calls: list[str] = []

    def guard(name: str, original):
        def guarded(*args, **kwargs):
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if caller == "derive" or caller.startswith("derive."):
                calls.append(f"{name} called from {caller}")
                raise AssertionError(f"{name} called from {caller}")
            return original(*args, **kwargs)

        return guarded

    import sympy.core.function as core_function

    monkeypatch.setattr(sympy, "diff", guard("sympy.diff", sympy.diff))
    monkeypatch.setattr(core_function, "diff", guard("sympy.core.function.diff", core_function.diff))
    monkeypatch.setattr(sympy.Expr, "diff", guard("Expr.diff", sympy.Expr.diff))
    monkeypatch.setattr(sympy.Derivative, "doit", guard("Derivative.doit", sympy.Derivative.doit))
    monkeypatch.setattr(sympy.Function, "fdiff", guard("Function.fdiff", sympy.Function.fdiff))
    monkeypatch.setattr(sigma, "fdiff", guard("sigma.fdiff", sigma.fdiff))

    original_new = sympy.Derivative.__new__

    def derivative_new(cls, expr, *variables, **kwargs):
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if kwargs.get("evaluate") and (caller == "derive" or caller.startswith("derive.")):
            calls.append(f"Derivative(..., evaluate=True) from {caller}")
            raise AssertionError(f"Derivative(..., evaluate=True) called from {caller}")
        return original_new(cls, expr, *variables, **kwargs)

    monkeypatch.setattr(sympy.Derivative, "__new__", staticmethod(derivative_new))
    return calls


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=str)
def test_engine_never_calls_sympy_diff(no_sympy_diff: list[str], expr: sympy.Expr) -> None:
    steps = Differentiator(x).derivation(expr)
    assert no_sympy_diff == []
    assert steps[-1].after is not None


def test_routes_never_call_sympy_diff(no_sympy_diff: list[str]) -> None:
    for route in SIGMOID_ROUTES.values():
        route(x)
    rules_route(sigma(x), 1 / (1 + exp(-x)), x)
    assert no_sympy_diff == []


def test_the_guard_does_catch_a_call_from_derive(no_sympy_diff: list[str]) -> None:
    """The fixture is not vacuous: the verifier (which may differentiate, to check) trips it."""
    prepare_remembered.cache_clear()  # an expression prepared by an earlier test is not prepared again
    # an expression no other test uses: no proof of it is remembered from an earlier test
    with pytest.raises(AssertionError, match="called from derive"):
        verify_steps(Differentiator(x).derivation(sympy.sin(x**3 + 17 * x)), x)
    assert no_sympy_diff


def test_the_guard_catches_an_evaluated_derivative(no_sympy_diff: list[str]) -> None:
    namespace = {"__name__": "derive.fake", "sympy": sympy, "x": x}
    exec("def make():\n    return sympy.Derivative(x**2, x, evaluate=True)", namespace)
    with pytest.raises(AssertionError, match="evaluate=True"):
        namespace["make"]()
    assert sympy.Derivative(x**2, x, evaluate=True) == 2 * x  # from a test, allowed
