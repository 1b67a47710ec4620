"""Piecewise functions: ReLU, ELU, softsign, |x|, jumps; the piecewise proofs; random piecewise-linear
functions (hypothesis). Derivatives are differentiated on open intervals and every break point is
settled at the end from the one-sided derivatives."""

from __future__ import annotations

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Abs, Derivative, Piecewise, Rational, exp

import derive
from derive.evaluate import NotEvaluable, evaluate, evaluate_at_points
from derive.functions import elu, relu, softsign, variable
from derive.model import Derivation, Step
from derive.expressions import break_points
from derive.verify import prove_equal
from derive.verify.procedure import piecewise_zero

x = variable("x")


def walk(steps: tuple[Step, ...]):
    for step in steps:
        yield step
        yield from walk(step.substeps)


def value(expr: sympy.Expr, at: Rational | int) -> mpmath.mpf:
    with mpmath.workdps(30):
        return evaluate(expr, {x: mpmath.mpf(Rational(at).p) / Rational(at).q})


def close(found: mpmath.mpf, expected: sympy.Expr) -> bool:
    with mpmath.workdps(30):
        return abs(found - evaluate(sympy.sympify(expected), {})) < mpmath.mpf(10) ** -25


def undefined_at(expr: sympy.Expr, at: Rational | int) -> bool:
    try:
        value(expr, at)
    except NotEvaluable:
        return True
    return False


def break_steps(d: Derivation) -> list[Step]:
    return [step for step in d.steps if step.rule == "break_point"]


def assert_fully_proved(d: Derivation) -> None:
    assert d.proved and d.complete
    d.require_proved()
    assert all(step.verification.status == "proved" for step in walk(d.steps))
    assert d.identity is not None and d.identity.status == "proved"


def proved(a: sympy.Basic, b: sympy.Basic) -> bool:
    verification = prove_equal(a, b, x)
    assert verification.status == "proved", f"{a} = {b}: {verification.status} ({verification.method})"
    return True


# -- ReLU ----------------------------------------------------------------------------------------


def test_relu_derivative_is_zero_on_the_left_and_one_on_the_right() -> None:
    d = derive.derive("relu", detail="full")
    assert_fully_proved(d)
    for point in (-5, -1, Rational(-1, 1000)):
        assert value(d.result, point) == 0
    for point in (Rational(1, 1000), 1, 7):
        assert value(d.result, point) == 1
    assert proved(d.result, Piecewise((0, x < 0), (1, x > 0)))
    assert proved(Derivative(relu(x), x), d.result)


def test_relu_break_point_has_no_derivative() -> None:
    d = derive.derive("relu", detail="full")
    (corner,) = break_steps(d)
    assert corner is d.steps[-1]
    assert corner.detail("at") == 0
    assert corner.detail("left") == 0
    assert corner.detail("right") == 1
    text = corner.annotation.plain()
    assert "no derivative" in text
    assert "subgradient" in text
    assert corner.before == corner.after, "a corner without a derivative must not change the result"
    assert undefined_at(d.result, 0), "the derivative of ReLU must not be given a value at 0"


# -- ELU -----------------------------------------------------------------------------------------


def test_elu_is_differentiable_at_zero_with_derivative_one() -> None:
    d = derive.derive("elu", detail="full")
    assert_fully_proved(d)
    assert d.definition == Piecewise((exp(x) - 1, x <= 0), (x, True))  # alpha = 1
    (corner,) = break_steps(d)
    assert (corner.detail("at"), corner.detail("left"), corner.detail("right")) == (0, 1, 1)
    assert "derivative exists there and equals" in corner.annotation.plain()
    assert value(d.result, 0) == 1, "the final piecewise must cover x = 0"
    assert close(value(d.result, -2), exp(-2))
    assert value(d.result, 3) == 1
    assert proved(d.result, Piecewise((exp(x), x <= 0), (1, True)))
    assert proved(Derivative(elu(x), x), d.result)


# -- softsign ------------------------------------------------------------------------------------


def test_softsign_derivative_is_one_over_one_plus_abs_squared() -> None:
    d = derive.derive("softsign", detail="full")
    assert_fully_proved(d)
    assert proved(d.result, 1 / (1 + Abs(x)) ** 2)
    assert proved(Derivative(softsign(x), x), d.result)
    rules = [step.rule for step in d.steps]
    assert {"rewrite_piecewise", "piecewise", "combine_pieces", "refine_pieces", "break_point"} <= set(rules)
    assert not d.result.has(Abs), "|x| should be resolved on each piece"


def test_softsign_is_differentiable_at_zero() -> None:
    d = derive.derive("softsign", detail="full")
    (corner,) = break_steps(d)
    assert (corner.detail("at"), corner.detail("left"), corner.detail("right")) == (0, 1, 1)
    assert "derivative exists there" in corner.annotation.plain()
    assert value(d.result, 0) == 1


# -- |x| and |2x - 3| ------------------------------------------------------------------------------


def test_absolute_value() -> None:
    d = derive.derive(Abs(x), x, detail="full")
    assert_fully_proved(d)
    assert d.steps[0].rule == "rewrite_piecewise"
    assert value(d.result, -3) == -1 and value(d.result, 2) == 1
    assert undefined_at(d.result, 0)
    assert proved(d.result, sympy.sign(x))
    (corner,) = break_steps(d)
    assert (corner.detail("at"), corner.detail("left"), corner.detail("right")) == (0, -1, 1)
    assert "no derivative" in corner.annotation.plain()


def test_absolute_value_of_a_linear_function() -> None:
    d = derive.derive(Abs(2 * x - 3), x, detail="full")
    assert_fully_proved(d)
    assert value(d.result, 1) == -2 and value(d.result, 2) == 2
    assert undefined_at(d.result, Rational(3, 2))
    assert proved(d.result, 2 * sympy.sign(2 * x - 3))
    (corner,) = break_steps(d)
    assert (corner.detail("at"), corner.detail("left"), corner.detail("right")) == (Rational(3, 2), -2, 2)
    assert "no derivative" in corner.annotation.plain()


def test_break_point_is_stated_in_the_functions_own_variable() -> None:
    t = variable("t")
    d = derive.derive(Abs(t - 1), t, detail="full")
    (corner,) = break_steps(d)
    assert corner.annotation.plain().startswith("At t = 1")


# -- a jump --------------------------------------------------------------------------------------

JUMP = Piecewise((0, x <= 0), (x + 1, True))


def test_a_jump_is_not_given_a_derivative() -> None:
    d = derive.derive(JUMP, x, detail="full")
    assert_fully_proved(d)
    assert value(d.result, -1) == 0 and value(d.result, 1) == 1
    assert undefined_at(d.result, 0)
    assert not any("derivative exists" in step.annotation.plain() for step in d.steps)


def test_a_jump_is_explained_at_the_break_point() -> None:
    d = derive.derive(JUMP, x, detail="full")
    corners = break_steps(d)
    assert len(corners) == 1
    assert corners[0].detail("at") == 0
    assert "jumps" in corners[0].annotation.plain()
    assert "no derivative" in corners[0].annotation.plain()


# -- piecewise proofs ------------------------------------------------------------------------------

TRUE_IDENTITIES = [
    (Abs(x), Piecewise((-x, x < 0), (x, True))),
    (sympy.Max(0, x), Piecewise((0, x <= 0), (x, True))),
    (sympy.sign(x) * x, Abs(x)),
    (Abs(2 * x - 3), Piecewise((3 - 2 * x, x < Rational(3, 2)), (2 * x - 3, True))),
    (sympy.Min(x, 1), Piecewise((x, x < 1), (1, True))),
    (x * sympy.Heaviside(x), Piecewise((0, x <= 0), (x, True))),
    (Piecewise((x**2, x < 1), (2 * x - 1, True)) - Piecewise((2 * x - 1, x >= 1), (x**2, True)), sympy.S.Zero),
]


@pytest.mark.parametrize(("left", "right"), TRUE_IDENTITIES)
def test_piecewise_zero_proves_true_identities(left: sympy.Expr, right: sympy.Expr) -> None:
    method = piecewise_zero(left - right, x)
    assert method is not None and method.startswith("piecewise")
    assert proved(left, right)


def test_piecewise_zero_refuses_a_false_identity() -> None:
    assert piecewise_zero(Abs(x) - x, x) is None
    verification = prove_equal(Abs(x), x, x)
    assert verification.status == "failed"
    point, left, right = verification.counterexample
    assert float(point) < 0 and float(left) == -float(right)


def test_piecewise_zero_refuses_a_difference_on_a_narrow_interval() -> None:
    """The two sides differ only on (1, 1.01), which random points may miss: no proof either way."""
    left, right = Piecewise((x, x < 1), (1, True)), Piecewise((x, x < Rational(101, 100)), (1, True))
    assert piecewise_zero(left - right, x) is None
    assert prove_equal(left, right, x).status != "proved"


def test_piecewise_zero_refuses_a_condition_on_another_symbol() -> None:
    y = variable("y")
    claim = Piecewise((x, y < 0), (0, True))
    assert piecewise_zero(claim, x) is None
    assert prove_equal(claim, sympy.S.Zero, x).status != "proved"


# -- evaluation at points --------------------------------------------------------------------------


def test_evaluate_piecewise_at_points() -> None:
    relu_definition = relu.definition(x)
    assert value(relu_definition, -2) == 0 and value(relu_definition, 0) == 0 and value(relu_definition, 3) == 3
    elu_definition = elu.definition(x)
    assert value(elu_definition, 0) == 0
    assert close(value(elu_definition, -1), exp(-1) - 1)
    middle = Piecewise((-1, x < 0), (x**2, (x >= 0) & (x < 2)), (4, True))
    assert [value(middle, p) for p in (-1, 0, 1, Rational(3, 2), 2, 9)] == [-1, 0, 1, Rational(9, 4), 4, 4]
    open_intervals = Piecewise((0, x < 0), (1, x > 0))
    assert undefined_at(open_intervals, 0)
    with mpmath.workdps(30):
        points = [mpmath.mpf(-1), mpmath.mpf(0), mpmath.mpf(2)]
        assert evaluate_at_points(open_intervals, x, points, {}) == [0, None, 1]


def test_break_points_are_read_from_conditions() -> None:
    assert break_points(Piecewise((0, x <= 0), (x, True)), x) == [0]
    assert break_points(Piecewise((1, 2 * x - 3 < 0), (2, True)), x) == [Rational(3, 2)]
    assert break_points(Piecewise((1, x**2 < 1), (2, True)), x) is None


# -- random piecewise-linear functions -------------------------------------------------------------

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

rationals = st.builds(Rational, st.integers(-12, 12), st.sampled_from([1, 2, 3, 4, 5, 7]))
slopes = st.integers(-4, 4).map(sympy.Integer) | rationals


@st.composite
def piecewise_linear(draw: st.DrawFn) -> tuple[sympy.Piecewise, list[Rational], list[tuple[Rational, Rational]], bool]:
    """f = a_i x + b_i on consecutive intervals; continuous (corners only) or with possible jumps."""
    count = draw(st.sampled_from([2, 3]))
    cuts = sorted(draw(st.lists(rationals, min_size=count - 1, max_size=count - 1, unique=True)))
    continuous = draw(st.booleans())
    pieces = [(draw(slopes), draw(rationals))]
    for cut in cuts:
        previous_slope, previous_intercept = pieces[-1]
        slope = draw(slopes)
        if continuous:
            if slope == previous_slope:  # the same line: SymPy would merge the pieces
                slope += 1
            intercept = previous_slope * cut + previous_intercept - slope * cut
        else:
            intercept = draw(rationals)
            if (slope, intercept) == (previous_slope, previous_intercept):
                intercept += 1
        pieces.append((slope, intercept))
    args = [(a * x + b, x <= cut) for (a, b), cut in zip(pieces, cuts)] + [(pieces[-1][0] * x + pieces[-1][1], True)]
    return Piecewise(*args), cuts, pieces, continuous


def samples_between(cuts: list[Rational]) -> list[Rational]:
    return [cuts[0] - Rational(7, 3), *((a + b) / 2 for a, b in zip(cuts, cuts[1:])), cuts[-1] + Rational(5, 4)]


@SETTINGS
@given(piecewise_linear())
def test_random_piecewise_linear_functions(case) -> None:  # noqa: ANN001
    f, cuts, pieces, continuous = case
    d = derive.derive(f, x, detail="full")
    assert_fully_proved(d)
    expected = sympy.diff(f, x)
    for point, (slope, _) in zip(samples_between(cuts), pieces):
        assert d.result.subs(x, point) == expected.subs(x, point) == slope
    if continuous:
        corners = break_steps(d)
        assert [step.detail("at") for step in corners] == cuts
        for step, (left, _), (right, _) in zip(corners, pieces, pieces[1:]):
            # continuous with different slopes (equal slopes would be the same line): a corner
            assert (step.detail("left"), step.detail("right")) == (left, right)
            assert "no derivative" in step.annotation.plain()
            assert undefined_at(d.result, step.detail("at"))


# (function, its derivative as a textbook writes it): when every piece of the derivative is the
# same formula, the result is that formula (a 'merge_pieces' step), not a piecewise function.
ONE_FORMULA = [
    (sympy.log(Abs(x)), 1 / x),
    (sympy.Pow(Abs(x), 2, evaluate=False), 2 * x),  # as typed: abs(x)^2
]


@pytest.mark.parametrize(("function", "expected"), ONE_FORMULA, ids=[str(f) for f, _ in ONE_FORMULA])
def test_pieces_with_one_formula_end_as_that_formula(function: sympy.Expr, expected: sympy.Expr) -> None:
    derivation = derive.derive(function, x)
    assert derivation.complete and derivation.proved
    assert derivation.steps[-1].rule == "merge_pieces" and derivation.result == expected
    assert not derivation.result.has(Piecewise)


def test_pieces_with_different_formulas_stay_piecewise() -> None:
    derivation = derive.derive(Abs(x), x)
    assert derivation.result.has(Piecewise) and all(step.rule != "merge_pieces" for step in derivation.steps)


# (function, its derivative as a textbook writes it): on each interval a ReLU, an ELU or an
# absolute value of a linear function has one formula, and the pieces are written with it
# (x·ReLU(x) has 2x, not x + ReLU(x), for x > 0).
ONE_FORMULA_EACH_PIECE = [
    (x * relu(x), Piecewise((0, x <= 0), (2 * x, x > 0), evaluate=False)),
    (relu(x) ** 2, Piecewise((0, x <= 0), (2 * x, x > 0), evaluate=False)),
    (relu(x) * sympy.sin(x), Piecewise((0, x <= 0), (x * sympy.cos(x) + sympy.sin(x), x > 0), evaluate=False)),
    (x * elu(2 * x - 1), Piecewise((2 * x * exp(2 * x - 1) + exp(2 * x - 1) - 1, x <= Rational(1, 2)),
                                   (4 * x - 1, x > Rational(1, 2)), evaluate=False)),
    (Abs(x - 1) * relu(x), Piecewise((0, x < 0), (1 - 2 * x, (x > 0) & (x < 1)), (2 * x - 1, x > 1), evaluate=False)),
    (x * Abs(x), Piecewise((-2 * x, x <= 0), (2 * x, x > 0), evaluate=False)),
]


@pytest.mark.parametrize(("function", "expected"), ONE_FORMULA_EACH_PIECE,
                         ids=[str(f) for f, _ in ONE_FORMULA_EACH_PIECE])
def test_each_piece_uses_the_formula_a_piecewise_part_has_there(function: sympy.Expr, expected: sympy.Expr) -> None:
    derivation = derive.derive(function, x)
    assert_fully_proved(derivation)
    assert derivation.result == expected
    assert not derivation.result.has(relu, elu, Abs)
    refine = next(step for step in derivation.steps if step.rule == "refine_pieces")
    said = refine.annotation.plain()
    assert said.startswith("On each interval ") and "where u < 0 and" in said and "; use that and tidy up." in said
    for kind, name in ((relu, "relu(u) is 0 where u < 0 and u where u > 0"),
                       (Abs, "|u| is -u where u < 0 and u where u > 0")):
        assert (name in said) == function.has(kind)


def test_a_part_whose_argument_changes_sign_inside_an_interval_is_left_as_it_is() -> None:
    from derive.differentiate.piecewise import refine_pieces

    # on 0 < x < 2, ReLU(x - 1) is 0 then x - 1: no one formula there, so it stays
    pieces = Piecewise((relu(x - 1), (x > 0) & (x < 2)), (x, x > 2), evaluate=False)
    refined, kinds = refine_pieces(pieces, x)
    assert refined.args[0][0] == relu(x - 1) and refined.args[1][0] == x and kinds == ()
    # ReLU of a non-linear argument is left too: its sign is not read off one root
    refined, kinds = refine_pieces(Piecewise((relu(x**2 - 4), x > 3), evaluate=False), x)
    assert refined.args[0][0] == relu(x**2 - 4) and kinds == ()


@pytest.mark.parametrize(("function", "relu_corners"), [
    (relu(x), {0}), (Abs(x), set()), (Abs(x - 1) * relu(x), {0}), (relu(x - 2) + Abs(x), {2}),
])
def test_the_relu_convention_is_said_only_at_a_relus_corner(function: sympy.Expr, relu_corners: set[int]) -> None:
    derivation = derive.derive(function, x, detail="full")  # each break point a step of its own
    said = {step.detail("at"): step.annotation.plain() for step in walk(derivation.steps) if step.rule == "break_point"}
    assert said, derivation
    for at, text in said.items():
        assert ("usual convention is 0" in text) == (at in relu_corners), (at, text)
