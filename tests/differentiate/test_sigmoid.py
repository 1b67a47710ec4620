"""The sigmoid, by every route: proved, recognised as σ(1 − σ), and shaped like the lecture."""

from __future__ import annotations

from functools import cache

import pytest
import sympy
from sympy import exp

import derive
from derive.differentiate.differentiator import Differentiator
from derive.errors import DeriveError
from derive.functions import sigma, variable
from derive.model import Derivation, Step
from derive.printing import to_text
from derive.facts.recognition import express_in_terms_of_itself
from derive.verify import prove_equal

x = variable("x")
SIGMA_PRIME = sigma(x) * (1 - sigma(x))
ROUTES = ["chain", "quotient", "log", "rules"]
LECTURE_ROUTES = ["chain", "quotient", "log"]


def walk(steps: tuple[Step, ...]):
    for step in steps:
        yield step
        yield from walk(step.substeps)


@cache
def sigmoid(route: str | None) -> Derivation:
    return derive.derive("sigmoid", route=route, detail="full")


def rules(derivation: Derivation) -> list[str]:
    return [step.rule for step in derivation.steps]


def is_subsequence(wanted: list[str], found: list[str]) -> bool:
    remaining = iter(found)
    return all(rule in remaining for rule in wanted)


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_is_proved(route: str) -> None:
    derivation = sigmoid(route)
    assert derivation.route == route
    assert derivation.proved
    assert derivation.complete
    derivation.require_proved()
    summary = derivation.summary()
    assert summary["steps"] == summary["proved"] > 0
    assert all(step.verification.status == "proved" for step in walk(derivation.steps))


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_ends_at_sigma_times_one_minus_sigma(route: str) -> None:
    derivation = sigmoid(route)
    assert derivation.steps[0].before == sympy.Derivative(sigma(x), x)
    assert derivation.result == derivation.steps[-1].after
    assert prove_equal(derivation.result, SIGMA_PRIME, x).status == "proved"
    assert prove_equal(derivation.result, sympy.diff(1 / (1 + exp(-x)), x), x).status == "proved"
    assert derivation.identity is not None and derivation.identity.status == "proved"


@pytest.mark.parametrize("route", LECTURE_ROUTES)
def test_lecture_routes_write_the_result_as_sigma_one_minus_sigma(route: str) -> None:
    assert to_text(sigmoid(route).result) == "sigma(x)*(1 - sigma(x))"
    assert rules(sigmoid(route))[-1] == "recognise"


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_recognises_the_sigmoid(route: str) -> None:
    recognition = sigmoid(route).recognition
    assert recognition is not None and recognition.found
    assert to_text(recognition.form) == "sigma(x)*(1 - sigma(x))"
    assert recognition.verification is not None and recognition.verification.status == "proved"


@pytest.mark.parametrize("route", ROUTES)
def test_steps_chain(route: str) -> None:
    derivation = sigmoid(route)
    current = sympy.Derivative(sigma(x), x)
    for step in derivation.steps:
        assert step.before == current
        current = step.after


def test_default_route_is_chain() -> None:
    assert sigmoid(None).route == "chain"
    assert rules(sigmoid(None)) == rules(sigmoid("chain"))


def test_aliases_name_the_sigmoid() -> None:
    for name in ("sigma", "logistic", " Sigmoid "):
        assert derive.derive(name).name == "sigmoid"


def test_chain_route_follows_the_lecture() -> None:
    derivation = sigmoid("chain")
    found = rules(derivation)
    assert is_subsequence(
        ["definition", "rewrite_as_power", "chain", "split_fraction", "complement", "recognise"], found
    ), found
    assert found[:3] == ["definition", "rewrite_as_power", "chain"]


def test_chain_route_definition_and_power_steps() -> None:
    definition, power = sigmoid("chain").steps[:2]
    assert definition.after == sympy.Derivative(1 / (1 + exp(-x)), x)
    assert power.notation == "powers"
    assert power.after == sympy.Derivative((1 + exp(-x)) ** -1, x)


def test_chain_route_chain_rule_details() -> None:
    (chain,) = [step for step in sigmoid("chain").steps if step.rule == "chain"]
    assert chain.detail("u") == 1 + exp(-x)
    assert chain.detail("outer_rule") == "power"
    u = chain.detail("substitution")
    outer, inner = chain.substeps
    assert outer.rule == "power"
    assert outer.detail("variable") == u
    assert outer.before == sympy.Derivative(u**-1, u)
    assert prove_equal(outer.after, -1 / u**2, u).status == "proved"
    # the inner derivative d/dx(1 + e^(-x)) contains a chain rule of its own, for e^(-x)
    assert inner.rule == "inner_derivative"
    assert inner.before == sympy.Derivative(1 + exp(-x), x)
    assert inner.after == -exp(-x)
    (inner_chain,) = [step for step in inner.substeps if step.rule == "chain"]
    assert inner_chain.detail("u") == -x
    assert inner_chain.detail("outer_rule") == "exp"
    assert inner_chain.detail("substitution") != u


def test_complement_step_has_its_own_chain() -> None:
    (complement,) = [step for step in sigmoid("chain").steps if step.rule == "complement"]
    assert [sub.rule for sub in complement.substeps] == ["add_and_subtract", "split_fraction", "drop_neutral"]
    current = complement.substeps[0].before
    for sub in complement.substeps:
        assert sub.before == current
        current = sub.after


def test_quotient_route_uses_the_quotient_rule() -> None:
    found = rules(sigmoid("quotient"))
    assert found[:2] == ["definition", "quotient"]
    assert is_subsequence(["definition", "quotient", "split_fraction", "complement", "recognise"], found)
    quotient = sigmoid("quotient").steps[1]
    assert quotient.detail("numerator") == 1
    assert quotient.detail("denominator") == 1 + exp(-x)


def test_log_route_uses_logarithmic_differentiation() -> None:
    found = rules(sigmoid("log"))
    assert found[0] == "log_differentiation"
    assert is_subsequence(["log_differentiation", "definition", "log_of_reciprocal", "chain", "complement", "recognise"], found)
    first = sigmoid("log").steps[0]
    assert first.after == sympy.Mul(sigma(x), sympy.Derivative(sympy.log(sigma(x)), x), evaluate=False)


def test_rules_route_lets_the_engine_choose() -> None:
    found = rules(sigmoid("rules"))
    assert found[0] == "definition"
    assert "chain" in found
    assert "recognise" not in found
    expected = Differentiator(x).derivation(1 / (1 + exp(-x)))
    # the engine's steps, then a closing move that recognises sigma in the exponential result
    assert found[1:-1] == [step.rule for step in expected]
    assert found[-1] == "recognise_sigma"
    assert to_text(sigmoid("rules").result) == "sigma(x)*(1 - sigma(x))"


def test_routes_give_the_same_function() -> None:
    results = [sigmoid(route).result for route in ROUTES]
    for result in results[1:]:
        assert prove_equal(results[0], result, x).status == "proved"


def test_unknown_route_is_an_error() -> None:
    with pytest.raises(DeriveError, match="unknown route"):
        derive.derive("sigmoid", route="nope")


def test_a_different_variable_name() -> None:
    t = variable("t")
    derivation = derive.derive("sigmoid", variable="t")
    assert derivation.variable == t
    assert derivation.proved
    assert to_text(derivation.result) == "sigma(t)*(1 - sigma(t))"


# --- recognition ------------------------------------------------------------------------------


def test_recognise_sigmoid_from_its_quotient_form() -> None:
    recognition = express_in_terms_of_itself(sigma(x), exp(-x) / (1 + exp(-x)) ** 2, x)
    assert recognition.found
    assert to_text(recognition.form) == "sigma(x)*(1 - sigma(x))"
    assert recognition.verification.status == "proved"


def test_recognise_tanh() -> None:
    recognition = express_in_terms_of_itself(sympy.tanh(x), 1 / sympy.cosh(x) ** 2, x)
    assert recognition.found
    assert recognition.form == 1 - sympy.tanh(x) ** 2
    assert to_text(recognition.form) == "1 - tanh(x)**2"
    assert recognition.verification.status == "proved"


def test_recognise_exp() -> None:
    recognition = express_in_terms_of_itself(exp(x), exp(x), x)
    assert recognition.found
    assert recognition.form == exp(x)


def test_recognise_scaled_sigmoid() -> None:
    recognition = express_in_terms_of_itself(sigma(2 * x), 2 * sigma(2 * x) * (1 - sigma(2 * x)), x)
    assert recognition.found
    assert prove_equal(recognition.form, 2 * sigma(2 * x) * (1 - sigma(2 * x)), x).status == "proved"


@pytest.mark.parametrize("function", [x**2, sympy.sin(x), x * exp(x), sympy.atan(x)], ids=str)
def test_no_recognition_when_there_is_no_polynomial(function: sympy.Expr) -> None:
    recognition = express_in_terms_of_itself(function, sympy.diff(function, x), x)
    assert recognition.found is False
    assert recognition.form is None
    assert "No polynomial" in recognition.message.plain()


def test_no_recognition_for_a_constant() -> None:
    recognition = express_in_terms_of_itself(sympy.Integer(3), sympy.Integer(0), x)
    assert recognition.found is False


def test_tanh_catalogue_entry() -> None:
    derivation = derive.derive("tanh")
    assert derivation.proved
    assert derivation.recognition.found
    assert to_text(derivation.recognition.form) == "1 - tanh(x)**2"
