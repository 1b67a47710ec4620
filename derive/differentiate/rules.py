"""The differentiation rules: each one states its formula and computes its own result.

A rule receives the unevaluated derivative ``d/dx f`` it is asked to rewrite and returns a
:class:`RuleApplication`: the expression that replaces it (which may still contain unevaluated
derivatives of the parts, for the steps that follow), an annotation, and sub-derivations.
``sympy.diff`` is never called here; the verifier checks every result independently.

The dispatch table :data:`FUNCTION_RULES` maps each elementary function to the derivative of its
outer function; :func:`choose_rule` is the one place that decides which rule applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import sympy
from sympy import S

from derive.expressions import Stated, negate, product, total
from derive.functions import NamedFunction, log_base, sigma
from derive.model import Annotation, Segment, Step, say
from derive.printing import printed_args
from derive.differentiate.piecewise import absolute_value_as_piecewise, on_open_intervals



@dataclass(frozen=True, kw_only=True)
class RuleApplication:
    """What a rule did to one derivative node."""

    rule: str
    annotation: Annotation
    result: sympy.Expr
    substeps: tuple[Step, ...] = ()
    details: tuple[tuple[str, object], ...] = ()


class Engine(Protocol):
    """What a rule may ask of the engine that applies it (see :class:`~derive.differentiate.differentiator.Differentiator`)."""

    variable: sympy.Symbol
    extra_rules: dict[type, FunctionRule]

    def derivation(self, expr: sympy.Expr) -> tuple[Step, ...]: ...

    def chain_rule(self, inner: sympy.Expr, outer_rule: FunctionRule) -> RuleApplication: ...

    def formula_steps(self, rule: FunctionRule, u: sympy.Symbol) -> tuple[Step, ...]: ...

    def in_other_variables(self, node: sympy.Derivative) -> RuleApplication: ...


@dataclass(frozen=True, kw_only=True)
class DefinedAs:
    """The formula is derived from a definition: ``F(u) = D(u)`` (tan u = sin u / cos u), which the
    engine differentiates, and the result is written back with the named functions."""

    definition: Callable[[sympy.Expr], sympy.Expr]


@dataclass(frozen=True, kw_only=True)
class InverseOf:
    """The formula is derived by the inverse-function rule: ``y = F(u)`` means ``f(y) = u``, so
    ``F′(u) = 1/f′(y)``; ``in_terms_of_f(s)`` writes ``f′(y)`` with ``s = f(y)``, which holds on the
    range of ``F`` that ``where`` names (cos y = √(1 − sin² y) where cos y ≥ 0)."""

    forward: type
    in_terms_of_f: Callable[[sympy.Expr], sympy.Expr]
    #: why ``in_terms_of_f`` holds on the range of ``F``, as annotation segments of (y, u)
    where: Callable[[sympy.Symbol, sympy.Symbol], tuple[Segment, ...]]


@dataclass(frozen=True, kw_only=True)
class FunctionRule:
    """The derivative of one outer function ``F`` of a single argument ``u``: ``d/du F(u) = F′(u)``.

    ``origin`` says how a first course derives the formula rather than looks it up (from a
    definition, or by the inverse-function rule); the engine shows that derivation under the step
    that uses the formula. ``condition`` is where the formula holds when that is not everywhere
    the function is defined (``u != 0`` for |u|).
    """

    rule: str
    function: Callable[[sympy.Expr], sympy.Expr]
    derivative: Callable[[sympy.Expr], sympy.Expr]
    origin: DefinedAs | InverseOf | None = None
    condition: Callable[[sympy.Expr], sympy.Basic] | None = None

    def formula(self, u: sympy.Symbol) -> sympy.Eq:
        """The textbook formula, written from the rule's own derivative: ``Eq(d/du F(u), F′(u))``."""
        return sympy.Eq(sympy.Derivative(self.function(u), u), self.derivative(u), evaluate=False)

    def statement(self, u: sympy.Symbol) -> tuple[Segment, ...]:
        """The formula with the condition under which it holds (``for u != 0``), for an annotation."""
        return (self.formula(u),) if self.condition is None else (self.formula(u), ", for ", self.condition(u))


def _reciprocal(expr: sympy.Expr) -> sympy.Expr:
    return sympy.Pow(expr, -1, evaluate=False)


def _square(expr: sympy.Expr) -> sympy.Expr:
    return sympy.Pow(expr, 2, evaluate=False)


def _root(expr: sympy.Expr) -> sympy.Expr:
    return sympy.Pow(expr, S.Half, evaluate=False)


def _written(function: type) -> Callable[[sympy.Expr], sympy.Expr]:
    return lambda u: function(u, evaluate=False)


def _ratio(numerator: type, denominator: type | None) -> Callable[[sympy.Expr], sympy.Expr]:
    """u -> numerator(u)/denominator(u) (or 1/numerator(u)), as written."""
    if denominator is None:
        return lambda u: _reciprocal(numerator(u, evaluate=False))
    return lambda u: sympy.Mul(numerator(u, evaluate=False), _reciprocal(denominator(u, evaluate=False)), evaluate=False)


def _half(expr: sympy.Expr) -> sympy.Expr:
    return sympy.Mul(expr, sympy.Pow(2, -1, evaluate=False), evaluate=False)


def _exponentials(sign: int) -> Callable[[sympy.Expr], sympy.Expr]:
    """u -> (e^u ± e^(−u))/2: the definitions of cosh (+) and sinh (−)."""
    return lambda u: _half(total(sympy.exp(u), sympy.exp(negate(u)) if sign > 0 else negate(sympy.exp(negate(u)))))


def _absolute(expr: sympy.Expr) -> sympy.Expr:
    return sympy.Abs(expr, evaluate=False)


def _always(y: sympy.Symbol, u: sympy.Symbol) -> tuple[Segment, ...]:
    return ()


def _on_range(factor: type, inverse: type, low: sympy.Expr, high: sympy.Expr) -> Callable[[sympy.Symbol, sympy.Symbol], tuple[Segment, ...]]:
    """Why a square root takes the positive sign: ``factor(y) >= 0`` on the range of the inverse."""
    def where(y: sympy.Symbol, u: sympy.Symbol) -> tuple[Segment, ...]:
        bound = ("between ", low, " and ", high) if high != sympy.oo else ("at least ", low)
        return (", since ", sympy.GreaterThan(factor(y), 0, evaluate=False), " for ",
                sympy.Eq(y, inverse(u, evaluate=False), evaluate=False), " ", *bound)
    return where


def _same_sign(factor: type, forward: type) -> Callable[[sympy.Symbol, sympy.Symbol], tuple[Segment, ...]]:
    """Why an absolute value appears: on the range of the inverse, ``factor(y)`` has the sign of ``forward(y)``."""
    def where(y: sympy.Symbol, u: sympy.Symbol) -> tuple[Segment, ...]:
        return (", since ", factor(y), " has the sign of ", forward(y), " on the range of the inverse")
    return where


def _positive(factor: type) -> Callable[[sympy.Symbol, sympy.Symbol], tuple[Segment, ...]]:
    def where(y: sympy.Symbol, u: sympy.Symbol) -> tuple[Segment, ...]:
        return (", since ", sympy.StrictGreaterThan(factor(y), 0, evaluate=False))
    return where


#: (rule, function, derivative, origin): the elementary functions of a first course. Each one
#: beyond exp, ln, sin and cos says how its formula is derived, from a definition or by the
#: inverse-function rule; the engine shows that derivation wherever the formula is used.
_ELEMENTARY: list[tuple[str, type, Callable[[sympy.Expr], sympy.Expr], DefinedAs | InverseOf | None]] = [
    ("exp", sympy.exp, lambda u: sympy.exp(u), None),
    ("log", sympy.log, lambda u: _reciprocal(u), None),
    ("sin", sympy.sin, lambda u: sympy.cos(u), None),
    ("cos", sympy.cos, lambda u: negate(sympy.sin(u)), None),
    ("tan", sympy.tan, lambda u: _square(sympy.sec(u)), DefinedAs(definition=_ratio(sympy.sin, sympy.cos))),
    ("cot", sympy.cot, lambda u: negate(_square(sympy.csc(u))), DefinedAs(definition=_ratio(sympy.cos, sympy.sin))),
    ("sec", sympy.sec, lambda u: product(sympy.sec(u), sympy.tan(u)), DefinedAs(definition=_ratio(sympy.cos, None))),
    ("csc", sympy.csc, lambda u: negate(product(sympy.csc(u), sympy.cot(u))), DefinedAs(definition=_ratio(sympy.sin, None))),
    ("sinh", sympy.sinh, lambda u: sympy.cosh(u), DefinedAs(definition=_exponentials(-1))),
    ("cosh", sympy.cosh, lambda u: sympy.sinh(u), DefinedAs(definition=_exponentials(+1))),
    ("tanh", sympy.tanh, lambda u: total(S.One, negate(_square(sympy.tanh(u)))),
     DefinedAs(definition=_ratio(sympy.sinh, sympy.cosh))),
    ("coth", sympy.coth, lambda u: negate(_square(sympy.csch(u))), DefinedAs(definition=_ratio(sympy.cosh, sympy.sinh))),
    ("sech", sympy.sech, lambda u: negate(product(sympy.sech(u), sympy.tanh(u))),
     DefinedAs(definition=_ratio(sympy.cosh, None))),
    ("csch", sympy.csch, lambda u: negate(product(sympy.csch(u), sympy.coth(u))),
     DefinedAs(definition=_ratio(sympy.sinh, None))),
    ("erf", sympy.erf, lambda u: product(2 / sympy.sqrt(sympy.pi), sympy.exp(-(u**2))), None),
    ("asin", sympy.asin, lambda u: _reciprocal(_root(1 - u**2)),
     InverseOf(forward=sympy.sin, in_terms_of_f=lambda s: _root(total(S.One, negate(_square(s)))),
               where=_on_range(sympy.cos, sympy.asin, -sympy.pi / 2, sympy.pi / 2))),
    ("acos", sympy.acos, lambda u: negate(_reciprocal(_root(1 - u**2))),
     InverseOf(forward=sympy.cos, in_terms_of_f=lambda s: negate(_root(total(S.One, negate(_square(s))))),
               where=_on_range(sympy.sin, sympy.acos, S.Zero, sympy.pi))),
    ("atan", sympy.atan, lambda u: _reciprocal(total(S.One, u**2)),
     InverseOf(forward=sympy.tan, in_terms_of_f=lambda s: total(S.One, _square(s)), where=_always)),
    ("acot", sympy.acot, lambda u: negate(_reciprocal(total(S.One, u**2))),
     InverseOf(forward=sympy.cot, in_terms_of_f=lambda s: negate(total(S.One, _square(s))),
               where=_always)),
    ("asec", sympy.asec, lambda u: _reciprocal(product(_absolute(u), _root(u**2 - 1))),
     InverseOf(forward=sympy.sec, in_terms_of_f=lambda s: product(_absolute(s), _root(total(_square(s), S.NegativeOne))),
               where=_same_sign(sympy.tan, sympy.sec))),
    ("acsc", sympy.acsc, lambda u: negate(_reciprocal(product(_absolute(u), _root(u**2 - 1)))),
     InverseOf(forward=sympy.csc,
               in_terms_of_f=lambda s: negate(product(_absolute(s), _root(total(_square(s), S.NegativeOne)))),
               where=_same_sign(sympy.cot, sympy.csc))),
    ("asinh", sympy.asinh, lambda u: _reciprocal(_root(u**2 + 1)),
     InverseOf(forward=sympy.sinh, in_terms_of_f=lambda s: _root(total(S.One, _square(s))),
               where=_positive(sympy.cosh))),
    ("acosh", sympy.acosh, lambda u: _reciprocal(_root(u**2 - 1)),
     InverseOf(forward=sympy.cosh, in_terms_of_f=lambda s: _root(total(_square(s), S.NegativeOne)),
               where=_on_range(sympy.sinh, sympy.acosh, S.Zero, sympy.oo))),
    ("atanh", sympy.atanh, lambda u: _reciprocal(1 - u**2),
     InverseOf(forward=sympy.tanh, in_terms_of_f=lambda s: total(S.One, negate(_square(s))), where=_always)),
    ("acoth", sympy.acoth, lambda u: _reciprocal(1 - u**2),
     InverseOf(forward=sympy.coth, in_terms_of_f=lambda s: total(S.One, negate(_square(s))),
               where=_always)),
    # arsech by the inverse-function rule, not through arcosh(1/u): its real domain is (0, 1], but
    # SymPy's and mpmath's derivative of arcosh(1/u) is real on (-1, 0) too, where that route would
    # meet a false intermediate claim. d/dy sech y = -sech y tanh y, and tanh y >= 0 for y >= 0.
    ("asech", sympy.asech, lambda u: negate(_reciprocal(product(u, _root(1 - u**2)))),
     InverseOf(forward=sympy.sech, in_terms_of_f=lambda s: negate(product(s, _root(total(S.One, negate(_square(s)))))),
               where=_on_range(sympy.tanh, sympy.asech, S.Zero, sympy.oo))),
    # arcsch u = arsinh(1/u): the chain rule on the better-known inverse
    ("acsch", sympy.acsch, lambda u: negate(_reciprocal(product(_absolute(u), _root(1 + u**2)))),
     DefinedAs(definition=lambda u: sympy.asinh(_reciprocal(u), evaluate=False))),
    ("sigmoid", sigma, lambda u: product(sigma(u), 1 - sigma(u)), None),
]

FUNCTION_RULES: dict[type, FunctionRule] = {
    function: FunctionRule(rule=rule, function=_written(function), derivative=derivative, origin=origin)
    for rule, function, derivative, origin in _ELEMENTARY
}

#: d/du |u| = u/|u| for u != 0: from |u| = -u (u < 0), u (u > 0), which the engine differentiates
#: piece by piece (|linear| is written piecewise; |f(x)| of any other f uses the chain rule).
ABSOLUTE_VALUE = FunctionRule(
    rule="absolute_value", function=_absolute,
    derivative=lambda u: sympy.Mul(u, _reciprocal(_absolute(u)), evaluate=False),
    origin=DefinedAs(definition=_absolute), condition=lambda u: sympy.Ne(u, 0),
)

def choose_rule(node: sympy.Derivative, engine: Engine) -> RuleApplication:
    """Apply the one rule that fits ``node = d/dx f`` (dispatch on the shape of ``f``)."""
    x = engine.variable
    f = node.expr
    if len(node.variable_count) != 1 or node.variable_count[0][0] != x:
        return engine.in_other_variables(node)
    order = node.variable_count[0][1]
    if order > 1:
        return higher_order(f, order, engine)
    if not f.has(x):
        return constant(f, x)
    if f == x:
        return variable_rule(x)
    if isinstance(f, sympy.Add):
        return sum_rule(f, x)
    if isinstance(f, sympy.Mul):
        return product_like(f, x)
    if isinstance(f, sympy.Pow):
        return power_like(f, engine)
    if isinstance(f, sympy.Piecewise):
        return piecewise_rule(f, x)
    if isinstance(f, sympy.Abs) and _linear(f.args[0], x):
        rewritten = absolute_value_as_piecewise(f.args[0])
        return RuleApplication(
            rule="rewrite_piecewise",
            annotation=say("Write the absolute value piecewise: ", sympy.Eq(f, rewritten, evaluate=False), "."),
            result=sympy.Derivative(rewritten, x),
        )
    if isinstance(f, sympy.Abs):
        return function_of(f, ABSOLUTE_VALUE, engine)
    if isinstance(f, log_base):
        natural = log_base.definition(*f.args)
        return RuleApplication(
            rule="change_of_base",
            annotation=say("Change to the natural logarithm: ", sympy.Eq(f, natural, evaluate=False), "."),
            result=sympy.Derivative(natural, x),
        )
    function_rule = FUNCTION_RULES.get(type(f)) or engine.extra_rules.get(type(f)) or named_function_rule(f)
    if function_rule is not None and len(f.args) == 1:
        return function_of(f, function_rule, engine)
    if isinstance(f, NamedFunction):  # an activation typed by name (gelu(2x)): from its definition
        written = type(f).definition(*f.args)
        return RuleApplication(
            rule="definition",
            annotation=say("Write ", sympy.Eq(f, written, evaluate=False), "."),
            result=sympy.Derivative(written, x),
        )
    return unsupported(say(f"derive has no rule for {type(f).__name__}, so it cannot differentiate ", f))


def _linear(expr: sympy.Expr, x: sympy.Symbol) -> bool:
    return bool(expr.is_polynomial(x)) and sympy.degree(expr, x) == 1


def named_function_rule(f: sympy.Basic) -> FunctionRule | None:
    """The rule for a catalogue function (softplus, Φ, ...) from its own stated derivative."""
    if not isinstance(f, NamedFunction):
        return None
    kind = type(f)
    try:
        kind.derivative(sympy.Symbol("u"))
    except NotImplementedError:
        return None
    return FunctionRule(rule=kind.__name__, function=lambda u: kind(u), derivative=kind.derivative)


def unsupported(message: Annotation) -> RuleApplication:
    """A "cannot do this step" node: the derivative stays unevaluated and the reason is shown."""
    return RuleApplication(rule="unsupported", annotation=message, result=S.Zero)


def constant(f: sympy.Expr, x: sympy.Symbol) -> RuleApplication:
    """d/dx c = 0 for any c that does not depend on x; for a letter or an expression in other
    letters (a partial derivative), that is: hold it constant."""
    if f.free_symbols:
        return RuleApplication(rule="hold_constant",
                               annotation=say("Hold ", f, " constant: it does not depend on ", x, ", so its derivative is 0."),
                               result=S.Zero, details=(("held", f), ("variable", x)))
    return RuleApplication(rule="constant", annotation=say("The constant ", f, " does not depend on ", x, ", so its derivative is 0."), result=S.Zero)


def variable_rule(x: sympy.Symbol) -> RuleApplication:
    """d/dx x = 1."""
    return RuleApplication(rule="variable", annotation=say("The derivative of ", x, " with respect to ", x, " is 1."), result=S.One)


def sum_rule(f: sympy.Add, x: sympy.Symbol) -> RuleApplication:
    """d/dx (f + g + ...) = d/dx f + d/dx g + ..."""
    return RuleApplication(
        rule="sum",
        annotation=say("The derivative of a sum is the sum of the derivatives."),
        result=total(*(sympy.Derivative(term, x) for term in printed_args(f))),  # the terms in the order the line shows
    )


def product_like(f: sympy.Mul, x: sympy.Symbol) -> RuleApplication:
    """Constant multiple, quotient or product rule, by the factors of ``f``."""
    constants = [arg for arg in f.args if not arg.has(x)]
    rest = [arg for arg in f.args if arg.has(x)]
    if constants:
        c, g = sympy.Mul(*constants), sympy.Mul(*rest)
        return RuleApplication(
            rule="constant_multiple",
            annotation=say("The constant factor ", c, " comes out of the derivative."),
            result=product(c, sympy.Derivative(g, x)),
        )
    denominators = [arg for arg in rest if arg.is_Pow and arg.exp.is_negative]
    numerators = [arg for arg in rest if not (arg.is_Pow and arg.exp.is_negative)]
    if denominators and numerators:
        return quotient_rule(sympy.Mul(*numerators), sympy.Mul(*(arg.base ** -arg.exp for arg in denominators)), x)
    return product_rule(rest, x)


#: The rules as a textbook states them, typeset in documents.
_F, _G = sympy.symbols("f g")
_PRODUCT_RULE = Stated("(f g)' = f' g + f g'", r"(f g)' = f' g + f g'")
QUOTIENT_RULE = Stated("(f/g)' = (g f' - f g')/g^2", r"(f/g)' = \frac{g f' - f g'}{g^{2}}")


def product_rule(factors: list[sympy.Expr], x: sympy.Symbol) -> RuleApplication:
    """d/dx (f·g) = f′·g + f·g′ (and likewise for more factors: differentiate one at a time)."""
    terms = []
    for index in range(len(factors)):
        pieces = [sympy.Derivative(factor, x) if i == index else factor for i, factor in enumerate(factors)]
        terms.append(product(*pieces))
    return RuleApplication(
        rule="product",
        annotation=say("Differentiate one factor at a time and add the results: ", _PRODUCT_RULE, "."),
        result=total(*terms),
    )


def quotient_rule(numerator: sympy.Expr, denominator: sympy.Expr, x: sympy.Symbol) -> RuleApplication:
    """d/dx (f/g) = (g·f′ − f·g′) / g²."""
    top = total(
        product(denominator, sympy.Derivative(numerator, x)),
        negate(product(numerator, sympy.Derivative(denominator, x))),
    )
    return RuleApplication(
        rule="quotient",
        annotation=say(QUOTIENT_RULE, " with ", sympy.Eq(_F, numerator, evaluate=False), " and ",
                       sympy.Eq(_G, denominator, evaluate=False), "."),
        result=sympy.Mul(top, sympy.Pow(denominator, -2, evaluate=False), evaluate=False),
        details=(("numerator", numerator), ("denominator", denominator)),
    )


def power_like(f: sympy.Pow, engine: Engine) -> RuleApplication:
    """Power rule (constant exponent), aᵘ (constant base), or f^g via e^(g ln f)."""
    x = engine.variable
    base, exponent = f.args
    if not exponent.has(x):
        lowered = exponent - 1
        if lowered.is_Add:  # n - 1 in the rule's order (x^(-1/2 - 1), not x^(-1 - 1/2)) for an exponent as typed
            lowered = sympy.Add(exponent, -1, evaluate=False)
        outer = FunctionRule(
            rule="power",
            function=lambda u: sympy.Pow(u, exponent, evaluate=False),
            # d/du u^2 = 2u, as a textbook prints it (not 2u^1)
            derivative=lambda u: product(exponent, u if lowered == 1 else sympy.Pow(u, lowered, evaluate=False)),
        )
        if base == x:
            return RuleApplication(rule="power", annotation=say("Power rule: ", outer.formula(x), "."), result=outer.derivative(x))
        return engine.chain_rule(base, outer)
    if not base.has(x):
        outer = FunctionRule(
            rule="exponential_base",
            function=lambda u: sympy.Pow(base, u, evaluate=False),
            derivative=lambda u: product(sympy.Pow(base, u, evaluate=False), sympy.log(base)),
        )
        if exponent == x:
            return RuleApplication(rule="exponential_base", annotation=say(outer.formula(x), "."), result=outer.derivative(x))
        return engine.chain_rule(exponent, outer)
    rewritten = sympy.exp(product(exponent, sympy.log(base)), evaluate=False)
    return RuleApplication(
        rule="general_power",
        annotation=say("Base and exponent both depend on the variable, so write ", sympy.Eq(f, rewritten, evaluate=False), "."),
        result=sympy.Derivative(rewritten, x),
    )


def function_of(f: sympy.Function, rule: FunctionRule, engine: Engine) -> RuleApplication:
    """d/dx F(x) = F′(x), or the chain rule F′(u)·du/dx when the argument u is not x itself."""
    (argument,) = f.args
    if argument == engine.variable:
        return RuleApplication(rule=rule.rule, annotation=say(*rule.statement(argument), "."), result=rule.derivative(argument),
                               substeps=engine.formula_steps(rule, argument))
    return engine.chain_rule(argument, rule)


def piecewise_rule(f: sympy.Piecewise, x: sympy.Symbol) -> RuleApplication:
    """d/dx of a piecewise function: each piece's derivative on the open interval where it applies."""
    result = on_open_intervals(f, x, transform=lambda piece: sympy.Derivative(piece, x))
    if result is None:
        return unsupported(say("derive can only differentiate piecewise functions whose conditions compare x with numbers"))
    return RuleApplication(
        rule="piecewise",
        annotation=say("Differentiate each piece on the open interval where it applies; the break points come at the end."),
        result=result,
    )


def higher_order(f: sympy.Expr, order: int, engine: Engine) -> RuleApplication:
    """dⁿ/dxⁿ f = dⁿ⁻¹/dxⁿ⁻¹ (d/dx f): derive the first derivative as a sub-derivation."""
    x = engine.variable
    steps = engine.derivation(f)
    if not all(step.complete for step in steps):
        # Without the first derivative there is nothing to differentiate again (and asking
        # for d/dx of the unevaluated first derivative would only rebuild this same node).
        return unsupported(say("derive cannot find the first derivative of ", f, f", so it cannot find the derivative of order {order}."))
    first = steps[-1].after if steps else sympy.Derivative(f, x)
    inner = Step(
        rule="inner_derivative",
        annotation=say("First derivative of ", f, "."),
        before=sympy.Derivative(f, x),
        after=first,
        substeps=steps,
    )
    return RuleApplication(
        rule="higher_order",
        annotation=say(f"Differentiate once, then {order - 1} more time" + ("s." if order > 2 else ".")),
        result=sympy.Derivative(first, (x, order - 1)) if order > 2 else sympy.Derivative(first, x),
        substeps=(inner,),
    )
