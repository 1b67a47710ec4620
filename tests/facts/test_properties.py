"""Properties of the sigmoid (and tanh), each computed by the program and proved."""

from __future__ import annotations

from functools import cache

import pytest
import sympy
from sympy import Derivative, Eq, Rational, Subs, oo

import derive
from derive.functions import sigma, variable
from derive.model import Derivation, Property
from derive.printing import to_plain
from derive.facts.properties import derive_properties
from derive.verify import prove_equal

x = variable("x")
HALF, QUARTER = Rational(1, 2), Rational(1, 4)


@cache
def derived(name: str) -> Derivation:
    return derive.derive(name, properties=True)


def prop(name: str, key: str) -> Property:
    found = derived(name).property(key)
    assert found is not None, f"{name} has no property {key!r}: {[p.key for p in derived(name).properties]}"
    return found


SIGMOID_KEYS = [
    "value_at_zero",
    "symmetry",
    "limit_plus_infinity",
    "limit_minus_infinity",
    "derivative_positive",
    "derivative_maximum",
    "derivative_bound",
    "derivative_range",
    "vanishing_gradient",
    "derivative_limit_plus_infinity",
    "derivative_limit_minus_infinity",
    "second_derivative",
    "inflection",
    "inverse",
]


def test_sigmoid_has_every_property() -> None:
    keys = [p.key for p in derived("sigmoid").properties]
    assert sorted(keys) == sorted(SIGMOID_KEYS)
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("key", SIGMOID_KEYS)
def test_every_sigmoid_property_is_proved(key: str) -> None:
    verification = prop("sigmoid", key).verification
    assert verification.status == "proved", verification.method
    assert verification.method


def test_properties_are_only_computed_when_asked() -> None:
    assert derive.derive("sigmoid").properties == ()


def test_value_at_zero() -> None:
    statement = prop("sigmoid", "value_at_zero").statement
    assert statement.lhs == sigma(0)
    assert statement.rhs == HALF
    assert prop("sigmoid", "value_at_zero").kind == "value"


def test_symmetry() -> None:
    p = prop("sigmoid", "symmetry")
    assert p.kind == "point"
    assert p.statement.lhs == sigma(-x)
    assert p.statement.rhs == 1 - sigma(x)
    assert to_plain(p.statement) == "sigma(-x) = 1 - sigma(x)"


def test_limits() -> None:
    plus, minus = prop("sigmoid", "limit_plus_infinity"), prop("sigmoid", "limit_minus_infinity")
    assert plus.statement.rhs == 1
    assert minus.statement.rhs == 0
    assert isinstance(plus.statement.lhs, sympy.Limit) and plus.statement.lhs.args[2] == oo
    assert isinstance(minus.statement.lhs, sympy.Limit) and minus.statement.lhs.args[2] == -oo


def test_derivative_positive() -> None:
    statement = prop("sigmoid", "derivative_positive").statement
    assert isinstance(statement, sympy.StrictGreaterThan)
    assert statement.lhs == Derivative(sigma(x), x)
    assert statement.rhs == 0


def test_derivative_maximum_is_a_quarter_at_zero() -> None:
    statement = prop("sigmoid", "derivative_maximum").statement
    assert statement.lhs == Subs(Derivative(sigma(x), x), x, 0)
    assert statement.rhs == QUARTER
    assert to_plain(statement) == "sigma'(0) = 1/4"


def test_derivative_bound() -> None:
    statement = prop("sigmoid", "derivative_bound").statement
    assert isinstance(statement, sympy.LessThan)
    assert statement.lhs == Derivative(sigma(x), x)
    assert statement.rhs == QUARTER


def test_derivative_range() -> None:
    statement = prop("sigmoid", "derivative_range").statement
    assert isinstance(statement, sympy.Contains)
    assert statement.args[1] == sympy.Interval.Lopen(0, QUARTER)
    assert to_plain(statement) == "sigma'(x) in (0, 1/4]"


def test_vanishing_gradient() -> None:
    statement = prop("sigmoid", "vanishing_gradient").statement
    n = next(s for s in statement.rhs.free_symbols if s.name == "n")
    assert statement.rhs == QUARTER**n
    assert to_plain(statement) == "P_n <= (1/4)^n"


def test_second_derivative() -> None:
    statement = prop("sigmoid", "second_derivative").statement
    assert statement.lhs == Derivative(sigma(x), (x, 2))
    assert prove_equal(statement.rhs, sigma(x) * (1 - sigma(x)) * (1 - 2 * sigma(x)), x).status == "proved"
    assert prove_equal(statement.rhs, sympy.diff(1 / (1 + sympy.exp(-x)), x, 2), x).status == "proved"
    assert to_plain(statement.rhs) == "sigma(x)*(1 - sigma(x))*(1 - 2*sigma(x))"


def test_inflection_at_zero() -> None:
    statement = prop("sigmoid", "inflection").statement
    assert statement.lhs == Subs(Derivative(sigma(x), (x, 2)), x, 0)
    assert statement.rhs == 0


def test_inverse_is_the_logit() -> None:
    statement = prop("sigmoid", "inverse").statement
    y = next(iter(statement.rhs.free_symbols))
    assert statement.lhs == x
    assert statement.rhs == sympy.log(y / (1 - y))
    # and it really is the inverse, on (0, 1)
    assert sympy.simplify(1 / (1 + sympy.exp(-statement.rhs)) - y) == 0


def test_properties_are_ordered_for_reading() -> None:
    keys = [p.key for p in derived("sigmoid").properties]
    assert keys.index("value_at_zero") < keys.index("derivative_maximum") < keys.index("second_derivative")


def test_properties_are_deterministic() -> None:
    again = derive_properties(sigma(x), 1 / (1 + sympy.exp(-x)), x, derived("sigmoid").recognition)
    assert again == derived("sigmoid").properties


def test_without_recognition_there_is_no_second_derivative() -> None:
    properties = derive_properties(sigma(x), 1 / (1 + sympy.exp(-x)), x, None)
    keys = {p.key for p in properties}
    assert "second_derivative" not in keys and "inflection" not in keys
    assert "derivative_maximum" in keys


# --- tanh --------------------------------------------------------------------------------------


def test_tanh_derivative_maximum_is_one() -> None:
    statement = prop("tanh", "derivative_maximum").statement
    assert statement.lhs == Subs(Derivative(sympy.tanh(x), x), x, 0)
    assert statement.rhs == 1
    assert prop("tanh", "derivative_bound").statement.rhs == 1


def test_tanh_has_no_vanishing_gradient_property() -> None:
    keys = {p.key for p in derived("tanh").properties}
    assert "vanishing_gradient" not in keys  # the bound 1^n says nothing
    assert prop("tanh", "derivative_range").statement.args[1] == sympy.Interval.Lopen(0, 1)


def test_derivative_limits_say_the_sigmoid_saturates() -> None:
    for key in ("derivative_limit_plus_infinity", "derivative_limit_minus_infinity"):
        p = prop("sigmoid", key)
        assert p.statement.rhs == 0
        assert p.kind == "saturation"
        assert isinstance(p.statement.lhs, sympy.Limit)
        assert p.statement.lhs.args[0] == Derivative(sigma(x), x)


def test_tanh_properties() -> None:
    assert prop("tanh", "value_at_zero").statement.rhs == 0
    symmetry = prop("tanh", "symmetry")
    assert symmetry.kind == "odd"
    assert symmetry.statement.rhs == -sympy.tanh(x)
    assert prop("tanh", "limit_plus_infinity").statement.rhs == 1
    assert prop("tanh", "limit_minus_infinity").statement.rhs == -1
    second = prop("tanh", "second_derivative").statement.rhs
    assert prove_equal(second, -2 * sympy.tanh(x) * (1 - sympy.tanh(x) ** 2), x).status == "proved"
    assert prop("tanh", "inflection").statement.rhs == 0


def test_every_tanh_property_is_proved() -> None:
    assert derived("tanh").properties
    for p in derived("tanh").properties:
        assert p.verification.status == "proved", (p.key, p.verification.method)


# --- other functions: properties never state something false ---------------------------------


@pytest.mark.parametrize(
    "function",
    [sympy.atan(x), sympy.exp(x), sympy.erf(x), sigma(2 * x), 2 * sigma(x) - 1, sympy.log(1 + sympy.exp(x))],
    ids=str,
)
def test_properties_of_expressions_are_proved(function: sympy.Expr) -> None:
    derivation = derive.derive(function, properties=True)
    for p in derivation.properties:
        assert p.verification.status == "proved", (p.key, p.verification.method)
    maximum = derivation.property("derivative_maximum")
    if maximum is not None:
        where = maximum.statement.lhs.args[2][0]
        value = sympy.diff(function.rewrite(sympy.exp), x).subs(x, where)
        assert sympy.simplify(value - maximum.statement.rhs) == 0


def test_properties_survive_complex_intermediate_values() -> None:
    """asin(x) is complex for |x| > 1; evaluating it far out must not crash (bug fixed in
    evaluate.py: the TypeError of a complex comparison escaped)."""
    derivation = derive.derive(sympy.log(sympy.asin(x) + 2), properties=True)
    assert all(p.verification.status == "proved" for p in derivation.properties)


def test_limits_and_value_for_exp() -> None:
    derivation = derive.derive(sympy.exp(x), properties=True)
    assert derivation.property("value_at_zero").statement.rhs == 1
    assert derivation.property("limit_minus_infinity").statement.rhs == 0
    assert derivation.property("limit_plus_infinity").statement.rhs == oo
    assert Eq(x, sympy.log(variable("y"))) == derivation.property("inverse").statement


# --- the range and the maximum of the derivative, for every activation function ----------------

GELU_MAXIMUM = sympy.exp(-1) / sympy.sqrt(sympy.pi) + sympy.erf(1) / 2 + HALF

DERIVATIVE_RANGES = [
    # entry, range of f', maximum of f', where (x = point, or a condition), or None: not proved
    ("sigmoid", sympy.Interval.Lopen(0, QUARTER), QUARTER, 0),
    ("tanh", sympy.Interval.Lopen(0, 1), 1, 0),
    ("softplus", sympy.Interval.open(0, 1), None, None),
    ("silu", None, None, None),
    ("gelu", sympy.Interval(1 - GELU_MAXIMUM, GELU_MAXIMUM), GELU_MAXIMUM, sympy.sqrt(2)),
    ("gelu_tanh", None, None, None),
    ("logsigmoid", sympy.Interval.open(0, 1), None, None),
    ("softsign", sympy.Interval.Lopen(0, 1), 1, 0),
    ("mish", None, None, None),
    ("relu", sympy.FiniteSet(0, 1), 1, sympy.StrictGreaterThan(x, 0)),
    ("elu", sympy.Interval.Lopen(0, 1), 1, sympy.GreaterThan(x, 0)),
]


@pytest.mark.parametrize(("name", "values", "maximum", "where"), DERIVATIVE_RANGES, ids=[row[0] for row in DERIVATIVE_RANGES])
def test_range_and_maximum_of_the_derivative(name: str, values: sympy.Set | None, maximum: sympy.Expr | None,
                                             where: sympy.Basic | None) -> None:
    found_range = derived(name).property("derivative_range")
    found_maximum = derived(name).property("derivative_maximum")
    if values is None:
        assert found_range is None and found_maximum is None, "no proof: nothing is stated"
        return
    assert found_range.verification.status == "proved", found_range.verification.method
    assert found_range.statement.args[1] == values
    if maximum is None:
        assert found_maximum is None and values.contains(values.sup) is sympy.false
        return
    assert found_maximum.verification.status == "proved"
    assert found_maximum.statement.rhs == maximum
    if isinstance(where, sympy.core.relational.Relational):
        assert found_maximum.condition == where
    else:
        assert found_maximum.statement.lhs == Subs(Derivative(derived(name).function, x), x, where)


#: Limits read off a rational function of x and T = e^(q(x)): (entry, property, the words of the
#: reason, the longest formula it may write out, as plain text).
LIMIT_REASONS = [
    ("gelu_tanh", "derivative_limit_plus_infinity", "T outgrows every power of x, so the terms with the highest power of T decide: it tends to 1.", 60),
    ("gelu_tanh", "derivative_limit_minus_infinity", "1/T outgrows every power of x, so the terms with the lowest power of T decide: it tends to 0.", 60),
    ("sigmoid", "derivative_limit_plus_infinity", "sigma'(x) = T/(T + 1)^2. As x -> oo, T -> oo, and this tends to 0.", 60),
    ("tanh", "limit_plus_infinity", "tanh(x) = (T - 1)*(T + 1)/(T^2 + 1). As x -> oo, T -> oo, and this tends to 1.", 60),
]


@pytest.mark.parametrize(("name", "key", "words", "longest"), LIMIT_REASONS)
def test_a_limit_is_explained_readably(name: str, key: str, words: str, longest: int) -> None:
    """Issue 13: the reason for a limit writes out a short rational function in T (σ′ = T/(T + 1)²)
    but says a long one in words (GELU-tanh′ wrote one with 100000√π in it)."""
    reason = prop(name, key).explanation
    assert reason.plain().endswith(words), reason.plain()
    formulas = [to_plain(segment) for segment in reason.segments if not isinstance(segment, str)]
    assert all(len(formula) <= longest for formula in formulas if not formula.startswith("T =")), formulas
    assert "100000" not in reason.plain()
