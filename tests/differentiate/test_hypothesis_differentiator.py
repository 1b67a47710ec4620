"""Property tests: for random elementary expressions, every derived step is proved, the
derivation is complete, and the result is proved equal to ``sympy.diff``.

The expressions are built so that they are real for every real x (square roots and logarithms
only of positive expressions), so the verifier never has to give up on a domain. The runs are
derandomized (a fixed sequence of examples, no example database) so that CI is reproducible.
"""

from __future__ import annotations

import dataclasses

import sympy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sympy import Rational

from derive.differentiate.differentiator import Differentiator
from derive.functions import sigma, variable
from derive.model import Step
from derive.printing import to_latex, to_text
from derive.verify import prove_equal, verify_steps

x = variable("x")

MAX_DEPTH = 4

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

UNARY = [sympy.exp, sympy.sin, sympy.cos, sympy.tanh, sympy.sinh, sympy.cosh, sympy.atan, sympy.erf, sigma]
KINDS = ["add", "mul", "div", "pow", "unary", "sqrt", "log_square", "log_exp"]

constants = st.one_of(
    st.integers(min_value=-3, max_value=5).map(sympy.Integer),
    st.sampled_from([Rational(1, 2), Rational(-2, 3), Rational(3, 4), Rational(5, 2)]),
)


@st.composite
def elementary(draw: st.DrawFn, depth: int = MAX_DEPTH) -> sympy.Expr:
    """An expression tree of depth at most ``depth``: +, *, /, integer powers -3..4, and
    functions that are real on all of R (sqrt and log only of positive expressions)."""
    if depth == 0 or draw(st.integers(min_value=0, max_value=9)) < 2:
        return draw(constants) if draw(st.integers(min_value=0, max_value=2)) == 0 else x
    kind = draw(st.sampled_from(KINDS))
    child = elementary(depth - 1)
    if kind == "unary":
        return draw(st.sampled_from(UNARY))(draw(child))
    if kind == "pow":
        return draw(child) ** draw(st.integers(min_value=-3, max_value=4))
    if kind == "sqrt":
        return sympy.sqrt(draw(child) ** 2 + 1)
    if kind == "log_square":
        return sympy.log(draw(child) ** 2 + 1)
    if kind == "log_exp":
        return sympy.log(sympy.exp(draw(child)) + 1)
    left, right = draw(child), draw(child)
    return {"add": left + right, "mul": left * right, "div": left / right}[kind]


def usable(expr: sympy.Expr) -> bool:
    """Drop the rare division by an expression that SymPy already knows to be 0 (zoo, nan)."""
    return not expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


expressions = elementary().filter(usable)
with_x = expressions.filter(lambda e: e.has(x))


def walk(steps: tuple[Step, ...]):
    for step in steps:
        yield step
        yield from walk(step.substeps)


def tree_depth(expr: sympy.Basic) -> int:
    return 0 if not expr.args else 1 + max(tree_depth(arg) for arg in expr.args)


@SETTINGS
@given(expressions)
# found by this test (the final identity was 'numeric only' until roots were reduced in verify.py)
@example(x / ((x + 1) * (x + sympy.sqrt(x**2 + 1)) * sympy.sqrt(x**2 + 1)))
# found by an earlier version (exp(g ln a) with a constant base a > 0 was not decided)
@example(sympy.log(sympy.exp(sympy.log(Rational(5, 4)) / (x + 5)) + 1))
def test_every_step_is_proved_and_the_result_is_the_derivative(expr: sympy.Expr) -> None:
    steps = Differentiator(x).derivation(expr)
    assert steps, expr
    assert all(step.complete for step in steps), expr
    verified = verify_steps(steps, x)
    problems = [
        (step.rule, str(step.before), str(step.after), step.verification.status, step.verification.method)
        for step in walk(verified)
        if step.verification.status != "proved"
    ]
    assert not problems, (expr, problems)
    result = steps[-1].after
    assert not result.has(sympy.Derivative), (expr, result)
    identity = prove_equal(result, sympy.diff(expr, x), x)
    assert identity.status == "proved", (expr, result, identity.method)


@SETTINGS
@given(expressions)
def test_steps_chain_and_sub_derivations_chain(expr: sympy.Expr) -> None:
    steps = Differentiator(x).derivation(expr)
    current = sympy.Derivative(expr, x)
    for step in steps:
        assert step.before == current
        current = step.after
    for step in walk(steps):
        if step.rule == "inner_derivative" and step.substeps:
            assert step.substeps[0].before == step.before
            assert step.substeps[-1].after == step.after
            for first, second in zip(step.substeps, step.substeps[1:]):
                assert first.after == second.before
        if step.rule == "chain":
            fresh = step.detail("substitution")
            assert fresh.name != "x"
            assert step.substeps[0].detail("variable") == fresh


@SETTINGS
@given(with_x, st.sampled_from(["plus-one", "times-two-plus-x", "drop-last-factor"]))
def test_a_corrupted_step_is_caught(expr: sympy.Expr, corruption: str) -> None:
    steps = Differentiator(x).derivation(expr)
    last = steps[-1]
    if corruption == "plus-one":
        wrong = last.after + 1
    elif corruption == "times-two-plus-x":
        wrong = 2 * last.after + x
    else:
        factors = sympy.Mul.make_args(last.after)
        wrong = sympy.Mul(*factors[:-1]) + x if len(factors) > 1 else last.after - x**2 - 1
    broken = dataclasses.replace(last, after=wrong)
    (verified,) = verify_steps([broken], x)
    assert verified.verification.status != "proved", (expr, wrong)
    if prove_equal(last.after, wrong, x).numeric_ok is False:
        assert verified.verification.status == "failed"
        assert verified.verification.counterexample is not None


@SETTINGS
@given(expressions)
def test_the_result_is_written_readably(expr: sympy.Expr) -> None:
    steps = Differentiator(x).derivation(expr)
    result = steps[-1].after
    back = sympy.sympify(to_text(result), locals={"sigma": sigma, "x": x})
    assert prove_equal(back, result, x).status == "proved", (to_text(result), result)
    for step in steps:
        latex = to_latex(step.after, notation=step.notation)
        assert latex.count("{") == latex.count("}"), latex
        assert latex.count(r"\left") == latex.count(r"\right"), latex


def test_the_strategy_reaches_depth_four_and_every_function() -> None:
    """A guard against a strategy that silently stopped generating interesting expressions."""
    seen: list[sympy.Expr] = []

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(expressions)
    def collect(expr: sympy.Expr) -> None:
        seen.append(expr)

    collect()
    assert max(tree_depth(e) for e in seen) >= MAX_DEPTH
    functions = {type(node) for e in seen for node in sympy.preorder_traversal(e)}
    for wanted in (sympy.exp, sympy.sin, sympy.cos, sympy.tanh, sympy.atan, sympy.erf, sigma, sympy.log):
        assert wanted in functions, wanted


# --- the fast zero test (derive.rational) agrees with the general fraction-field conversion --------


def _both_zero_tests(expr: sympy.Expr) -> tuple[bool | None, bool | None]:
    from derive.functions import prepare
    from derive.verify.procedure import rational_normal_form, rational_zero_test

    prepared = prepare(expr)
    fast = rational_zero_test(prepared, x)
    general = rational_normal_form(prepared, x)
    return (None if fast is None else fast[0]), (None if general is None else general[0] == 0)


@SETTINGS
@given(expressions, expressions)
@example(sigma(x) + sigma(-x), sympy.Integer(1))
@example(sympy.Derivative(sigma(x), x), sigma(x) * (1 - sigma(x)))
@example(sympy.tanh(x / 2), 2 * sigma(x) - 1)
@example(sympy.exp(x**2) * sympy.exp(x), sympy.exp(x**2 + x))
def test_fast_zero_test_agrees_with_the_field_conversion(left: sympy.Expr, right: sympy.Expr) -> None:
    """On differences (mostly not zero) and on rewritings of one expression (zero)."""
    for expr in (left - right, left - sympy.expand(left), left - sympy.together(left)):
        if usable(expr):
            fast, general = _both_zero_tests(expr)
            assert fast == general, expr
