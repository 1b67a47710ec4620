"""Facts about a function, each computed by the program and then proved by the verify stage.

For a function ``F`` with definition ``f(x)``: the value at 0, a symmetry, the catalogue's
identities, the limits at ±∞, the sign of F′, the bound on F′ and its maximum, the range of F′,
where F′ tends at ±∞, F″ in terms of F, inflection points, the inverse function on the range of
F, and the vanishing-gradient bound that follows from the bound on F′.

This module only finds candidates (a critical point, a value, a formula for the inverse) and
words the explanation; every proof comes from :mod:`derive.verify` (equalities from the
verifier, limits from :mod:`derive.verify.limits`, signs and bounds from
:mod:`derive.verify.signs`), which alone can mark a statement proved. A property that cannot
be computed or proved is left out, or, for a limit found only numerically, shown as checked
numerically, never as proved.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator

import mpmath
import sympy
from sympy import Derivative, Eq, S, oo

from derive.differentiate.recognise import polynomial_in
from derive.evaluate import NotEvaluable, evaluate
from derive.expressions import PIECEWISE_KINDS, Tends, apply_at
from derive.functions import expand_definitions, prepare
from derive.model import Annotation, Property, Recognition, Segment, Verification, listed, method_segments, say
from derive.printing import to_plain
from derive.verify import DEFAULT_OPTIONS, Verifier, VerifyOptions, all_of, prove_equal
from derive.verify.limits import HOW_EXPONENTIAL, HOW_NUMERIC, HOW_PARTS, HOW_PIECE, LimitProof, defined_far_out, prove_limit
from derive.verify.procedure import to_rational_function_with_scale
from derive.verify.ranges import CONSTANT, RangeProof, prove_derivative_range
from derive.verify.signs import (
    SignProof, prove_at_most, prove_continuous, prove_maximum, prove_positive, prove_sign_change,
)

#: An identity the catalogue states for a function, as a function of the variable: (left, right).
Identity = Callable[[sympy.Symbol], tuple[sympy.Expr, sympy.Expr]]


def derive_properties(
    function: sympy.Expr,
    definition: sympy.Expr,
    variable: sympy.Symbol,
    recognition: Recognition | None = None,
    options: VerifyOptions = DEFAULT_OPTIONS,
    identities: tuple[Identity, ...] = (),
) -> tuple[Property, ...]:
    """Every property of ``function`` that can be computed and proved, in reading order."""
    x = variable
    definition = expand_definitions(definition)
    derivative = Derivative(function, x)
    first = prepare(Derivative(definition, x))
    proofs = _Proofs(options)
    found: list[Property] = []
    found.extend(_value_at_zero(function, definition, x, options, proofs))
    found.extend(_symmetry(function, definition, x, options, proofs))
    found.extend(_identities(function, identities, x, options, proofs, stated=[p.statement for p in found]))
    limits = {direction: prove_limit(definition, x, direction) for direction in (-oo, oo)}
    found.extend(_limits(function, definition, x, limits))
    positive = _increasing_proof(definition, first, x, options)
    if positive.proved:
        found.append(_increasing(derivative, x, positive))
    first_limits = {direction: prove_limit(first, x, direction) for direction in (-oo, oo)}
    found.extend(_derivative_bound(derivative, first, x, options, positive=positive, limits=first_limits))
    if not any(p.key == "derivative_range" for p in found):
        found.extend(_derivative_range(derivative, definition, x, options, maximum_known=any(p.key == "derivative_maximum" for p in found)))
    found.extend(_derivative_limits(derivative, definition, x, first_limits))
    if recognition is not None and recognition.found and recognition.form is not None:
        found.extend(_second_derivative(function, definition, x, recognition, options, proofs))
    found.extend(_inverse(function, definition, x, options, positive=positive, limits=limits))
    return tuple(found)


class _Proofs:
    """One Verifier per variable for all the properties of one function: the expressions they
    share (the definition, its derivatives) are prepared and evaluated once."""

    def __init__(self, options: VerifyOptions) -> None:
        self.options = options
        self._verifiers: dict[sympy.Symbol, Verifier] = {}

    def prove(self, a: sympy.Basic, b: sympy.Basic, variable: sympy.Symbol, options: VerifyOptions | None = None) -> Verification:
        if options is not None and options != self.options:
            return prove_equal(a, b, variable, options)
        if variable not in self._verifiers:
            self._verifiers[variable] = Verifier(variable, self.options)
        return self._verifiers[variable].prove(a, b)


def _value_at_zero(function: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol, options: VerifyOptions, proofs: _Proofs) -> Iterator[Property]:
    value = definition.subs(x, 0)
    if not value.is_finite or not _defined_at_zero(definition, x):
        return
    at_zero = apply_at(function, x, S.Zero)
    verification = proofs.prove(at_zero, value, x, options)
    if verification.status == "proved":
        yield Property(
            key="value_at_zero", kind="value", title="Value at 0", statement=Eq(at_zero, value, evaluate=False),
            explanation=say("Substitute ", Eq(x, 0, evaluate=False), " in the definition."), verification=verification,
        )


def _defined_at_zero(definition: sympy.Expr, x: sympy.Symbol) -> bool:
    """Whether the function is defined at 0 as it is differentiated: a variable power f^g means
    e^(g ln f) (the derivation's own first step), so x^x has no value at 0 (0^0 is a convention)."""
    written = definition.replace(lambda node: node.is_Pow and node.exp.has(x),
                                 lambda node: sympy.exp(node.exp * sympy.log(node.base)))
    prepared = prepare(written)
    others = {symbol: mpmath.mpf("0.5") for symbol in prepared.free_symbols if symbol != x}  # a label y, a weight
    try:
        with mpmath.workdps(30):
            evaluate(prepared, {**others, x: mpmath.mpf(0)})
    except NotEvaluable:
        return False
    return True


def _symmetry(function: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol, options: VerifyOptions, proofs: _Proofs) -> Iterator[Property]:
    mirrored = apply_at(function, x, -x)
    centre = definition.subs(x, 0)
    candidates = [
        ("even", function, say("The graph is symmetric about the vertical axis.")),
        ("odd", -function, say("The graph is symmetric about the origin.")),
    ]
    if centre.is_finite and centre != 0:
        candidates.append(
            ("point", sympy.Add(2 * centre, -function, evaluate=False),
             say("The graph is symmetric about the point (0, ", centre, ")."))
        )
    for kind, image, explanation in candidates:
        verification = proofs.prove(mirrored, image, x, options)
        if verification.status == "proved":
            yield Property(
                key="symmetry", kind=kind, title="Symmetry", statement=Eq(mirrored, image, evaluate=False),
                explanation=explanation, verification=verification,
            )
            return


def _identities(function: sympy.Expr, identities: tuple[Identity, ...], x: sympy.Symbol, options: VerifyOptions,
                proofs: _Proofs, *, stated: list[sympy.Basic]) -> Iterator[Property]:
    """The catalogue's identities (tanh(x) = 2σ(2x) − 1), each proved; one that a property above
    already states (σ's symmetry) is not repeated."""
    for index, identity in enumerate(identities, start=1):
        left, right = identity(x)
        statement = Eq(left, right, evaluate=False)
        if statement in stated:
            continue
        verification = proofs.prove(left, right, x, options)
        if verification.status != "proved":
            continue
        yield Property(
            key=f"identity_{index}", kind="identity", title="Identity", statement=statement,
            explanation=_identity_reason(left, right, x), verification=verification,
        )


def _identity_reason(left: sympy.Expr, right: sympy.Expr, x: sympy.Symbol) -> Annotation:
    """Both sides written with T = e^(x/L), when that shows them equal; else the definitions."""
    sides = []
    for side in (left, right):
        rational, scale = to_rational_function_with_scale(prepare(side), x)
        generators = rational.free_symbols
        if len(generators) != 1 or next(iter(generators)).name != "T":
            return say("Write out the definitions on both sides: they agree for every ", x, ".")
        sides.append((rational.xreplace({next(iter(generators)): _T}), scale))
    (first, scale), (second, other_scale) = sides
    if scale == other_scale and sympy.cancel(first - second) == 0:
        return say("With ", _substitution(x, scale), ", both sides equal ", sympy.factor(sympy.cancel(first)), ".")
    return say("Write out the definitions on both sides: they agree for every ", x, ".")


_T = sympy.Symbol("T", positive=True)


def _substitution(x: sympy.Symbol, scale: int) -> sympy.Eq:
    return Eq(_T, sympy.exp(x / scale), evaluate=False)


def _direction_words(direction: sympy.Expr, x: sympy.Symbol) -> Tends:
    """x → ∞ or x → −∞, typeset in every format."""
    return Tends(x, direction)


def _limit_reason(shown: sympy.Expr, found: LimitProof, x: sympy.Symbol, definition: sympy.Expr | None = None) -> list[Segment]:
    """Why the limit holds, in a sentence or two, from how it was proved."""
    if found.how == HOW_NUMERIC:
        points = listed((Eq(x, sympy.Float(probe, sum(char.isdigit() for char in probe)), evaluate=False)  # as written: -60.5
                         for probe in found.verification.points), last=" and ")
        return ["Checked numerically far out (at ", *points, "); not proved."]
    if found.how == HOW_PARTS:
        written: list[Segment] = ["With ", Eq(shown, definition, evaluate=False), ", take"] if definition is not None and definition != shown else ["Take"]
        return [*written, " the limit of each part: no indeterminate form (such as ", sympy.Add(oo, sympy.Mul(-1, oo, evaluate=False), evaluate=False),
                " or ", sympy.Mul(0, oo, evaluate=False), ") arises."]
    segments: list[Segment] = []
    if found.how == HOW_PIECE:
        side = sympy.StrictGreaterThan(x, found.beyond) if found.direction == oo else sympy.StrictLessThan(x, found.beyond)
        segments += ["For ", side, " the function is ", found.piece]
        if found.written is None or not found.piece.has(x):
            return [*segments, "."]
        if found.substitution is None:
            return [*segments, ", a rational function of ", x, "; as ", _direction_words(found.direction, x), " it tends to ", found.value, "."]
        segments.append(". ")
        shown = found.piece
    if found.how == HOW_EXPONENTIAL and found.written is not None and len(to_plain(found.written)) > _LONGEST_WRITTEN:
        return [*segments, *_dominant_terms_reason(shown, found, x)]
    if found.substitution is not None:
        ends_at = found.symbol_tends if found.symbol_tends is not None else (oo if found.direction == oo else S.Zero)
        tends = Tends(found.substitution.lhs, ends_at)
        segments += ["With ", found.substitution, ", ", Eq(shown, found.written, evaluate=False),
                     ". As ", _direction_words(found.direction, x), ", ", tends, ", and this tends to ", found.value, "."]
    else:
        segments += [Eq(shown, found.written, evaluate=False), " is a rational function of ", x, "; as ",
                     _direction_words(found.direction, x), " it tends to ", found.value, "."]
    return segments


#: The longest rational function (as plain text) a limit's reason writes out; a longer one is said in words.
_LONGEST_WRITTEN = 60


def _dominant_terms_reason(shown: sympy.Expr, found: LimitProof, x: sympy.Symbol) -> list[Segment]:
    """Why a limit read off a rational function of x and T = e^(q(x)) holds, in words, when
    that function is too long to be worth writing out (GELU-tanh′ with T = e^(√(2/π)(x + 0.044715x³)))."""
    grows = found.symbol_tends == oo
    t = found.substitution.lhs
    outgrows = [t, " outgrows"] if grows else [sympy.Pow(t, -1, evaluate=False), " outgrows"]
    return ["With ", found.substitution, ", ", shown, " is a rational function of ", x, " and ", t, ". As ",
            _direction_words(found.direction, x), ", ", Tends(t, oo if grows else S.Zero), " and ", *outgrows,
            " every power of ", x, ", so the terms with the ", "highest" if grows else "lowest", " power of ", t,
            " decide: it tends to ", found.value, "."]


def _limits(function: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol,
            limits: dict[sympy.Expr, LimitProof | None]) -> Iterator[Property]:
    for direction, label in ((oo, "+"), (-oo, "-")):
        found = limits[direction]
        if found is None or found.verification.status == "failed":
            continue
        yield Property(
            key=f"limit_{'plus' if label == '+' else 'minus'}_infinity", kind="limit",
            title=f"Limit at {'∞' if label == '+' else '−∞'}",
            statement=Eq(sympy.Limit(function, x, direction), found.value, evaluate=False),
            explanation=say(*_limit_reason(function, found, x, definition)),
            verification=found.verification,
        )


def _sign_reason(shown: sympy.Expr, found: SignProof, what: str) -> list[Segment]:
    """``shown`` written as ``found.written`` (with T = e^x) and why it is ``what``."""
    if found.written is None:
        return [f"On each interval between the break points, and at each break point, it is {what}."]
    prefix: list[Segment] = ["With ", found.substitution, ", "] if found.substitution is not None else []
    return [*prefix, Eq(shown, found.written, evaluate=False), ": ", *method_segments(found.reason), "."]


def _increasing_proof(definition: sympy.Expr, first: sympy.Expr, x: sympy.Symbol, options: VerifyOptions) -> SignProof:
    """F′ > 0, and for a piecewise F also no jump at a break point: then F is increasing."""
    positive = prove_positive(first, x, options)
    if not positive.proved or not definition.has(*PIECEWISE_KINDS):
        return positive
    continuous = prove_continuous(definition, x)
    return dataclasses.replace(positive, verification=all_of(
        (positive.verification, continuous), f"{positive.verification.method}; {continuous.method}"))


def _increasing(derivative: sympy.Expr, x: sympy.Symbol, positive: SignProof) -> Property:
    return Property(
        key="derivative_positive", kind="sign", title="The function is increasing",
        statement=sympy.StrictGreaterThan(derivative, 0, evaluate=False),
        explanation=say(*_sign_reason(derivative, positive, "positive")),
        verification=positive.verification,
    )


def _derivative_bound(
    derivative: sympy.Expr, first: sympy.Expr, x: sympy.Symbol, options: VerifyOptions, *, positive: SignProof,
    limits: dict[sympy.Expr, LimitProof | None],
) -> Iterator[Property]:
    """F′ ≤ M (a sign argument) and F′(x₀) = M: the maximum of F′, and what follows from it."""
    critical = _real_roots(sympy.diff(first, x), x)
    values = [(_exact_value(first.subs(x, point)), point) for point in critical]
    values = [(value, point) for value, point in values if value.is_real and value.is_finite]
    if not values:
        return
    maximum, where = max(values, key=lambda pair: float(pair[0]))
    bound = prove_at_most(derivative, maximum, x, options)
    if not bound.proved:
        return
    attained = prove_maximum(derivative, where, maximum, x, bound=bound, options=options)
    if attained.status != "proved":
        return
    yield Property(
        key="derivative_bound", kind="bound", title="Bound on the derivative",
        statement=sympy.LessThan(derivative, maximum, evaluate=False),
        explanation=say(*_sign_reason(sympy.Add(maximum, -derivative, evaluate=False), bound, "never negative")),
        verification=bound.verification,
    )
    at_point = sympy.Subs(derivative, x, where)
    yield Property(
        key="derivative_maximum", kind="maximum", title="Maximum of the derivative",
        statement=Eq(at_point, maximum, evaluate=False),
        explanation=say("By the bound, ", sympy.LessThan(derivative, maximum, evaluate=False), " for every ", x, ", and ",
                        Eq(at_point, maximum, evaluate=False), ": the largest value of the derivative is ", maximum,
                        ", taken at ", Eq(x, where, evaluate=False), "."),
        verification=attained,
    )
    ends = [limits[direction] for direction in (-oo, oo)]
    if not (positive.proved and all(end is not None and end.proved and end.value == 0 for end in ends)):
        return
    if bound.written is not None:  # a rational function without a pole: F′ is continuous
        value_range = all_of(
            (positive.verification, attained, *(end.verification for end in ends if end is not None)),
            f"F' is continuous and positive, at most {sympy.sstr(maximum)} with equality at {x} = {sympy.sstr(where)}, "
            "and tends to 0 at both ends: by the intermediate value theorem it takes every value in between",
        )
        yield Property(
            key="derivative_range", kind="range", title="Range of the derivative",
            statement=sympy.Contains(derivative, sympy.Interval.Lopen(0, maximum), evaluate=False),
            explanation=say("The derivative is positive, tends to 0 at both ends and reaches ", maximum, " at ",
                            Eq(x, where, evaluate=False), "; being continuous, it takes every value in between."),
            verification=value_range,
        )
    if maximum < 1:
        n = sympy.Symbol("n", positive=True, integer=True)
        product = sympy.Symbol("P_n", positive=True)
        yield Property(
            key="vanishing_gradient", kind="consequence", title="Vanishing gradient",
            statement=sympy.LessThan(product, maximum**n, evaluate=False),
            explanation=say(
                "Backpropagation through ", n, " layers multiplies ", n, " such derivatives; each lies in ",
                sympy.Interval.Lopen(0, maximum), ", so their product ", product, " is at most ", maximum**n, "."
            ),
            verification=all_of((positive.verification, bound.verification),
                                f"a product of n numbers in (0, {sympy.sstr(maximum)}] is at most ({sympy.sstr(maximum)})^n"),
        )


def _derivative_range(derivative: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol, options: VerifyOptions, *,
                      maximum_known: bool) -> Iterator[Property]:
    """The range of F′ from its stretches of monotony (:mod:`derive.verify.ranges`), and its
    maximum and where it is taken, when the sign argument of :func:`_derivative_bound` found none."""
    found = prove_derivative_range(definition, x, options)
    if not found.proved or found.values is None:
        return
    yield Property(
        key="derivative_range", kind="range", title="Range of the derivative",
        statement=sympy.Contains(derivative, found.values, evaluate=False),
        explanation=say(*_range_reason(found, x)), verification=found.verification,
    )
    if maximum_known or found.maximum is None or found.maximum_at is None:
        return
    where = found.maximum_at
    if isinstance(where, sympy.FiniteSet) and len(where) == 1:
        (point,) = where
        statement: sympy.Basic = Eq(sympy.Subs(derivative, x, point), found.maximum, evaluate=False)
        condition = None
        taken: list[Segment] = ["taken at ", Eq(x, point, evaluate=False)]
    else:
        statement, condition = Eq(derivative, found.maximum, evaluate=False), _as_condition(x, where)
        taken = ["taken for ", condition]
    yield Property(
        key="derivative_maximum", kind="maximum", title="Maximum of the derivative", statement=statement,
        condition=condition,
        explanation=say("From the range: the largest value of the derivative is ", found.maximum, ", ", *taken, "."),
        verification=found.verification,
    )


def _as_condition(x: sympy.Symbol, where: sympy.Set) -> sympy.Basic:
    """x ∈ S as a relation where S is a half-line (x > 0, x ≥ 0), else as x ∈ S."""
    if isinstance(where, sympy.Interval) and where.end == oo:
        return (sympy.StrictGreaterThan if where.left_open else sympy.GreaterThan)(x, where.start, evaluate=False)
    if isinstance(where, sympy.Interval) and where.start == -oo:
        return (sympy.StrictLessThan if where.right_open else sympy.LessThan)(x, where.end, evaluate=False)
    return sympy.Contains(x, where, evaluate=False)


def _range_reason(found: RangeProof, x: sympy.Symbol) -> list[Segment]:
    """Where the derivative increases, decreases or is constant, and its values at the points between."""
    segments: list[Segment] = ["The second derivative keeps one sign on each stretch, so the derivative is "]
    for index, stretch in enumerate(found.stretches):
        if index:
            segments.append(", " if index < len(found.stretches) - 1 else " and ")
        interval = sympy.Interval.open(stretch.low, stretch.high)
        if stretch.trend == CONSTANT:
            segments += ["constant, ", next(iter(stretch.image)), ", on ", interval]
        else:
            segments += [f"{stretch.trend} on ", interval]
    if found.points:
        segments.append(". At ")
        for index, (point, value) in enumerate(found.points):
            if index:
                segments.append(" and at ")
            segments += [Eq(x, point, evaluate=False), " it is ", value]
    return [*segments, ". Being continuous on each stretch, it takes every value between those at its ends "
            "(its limits at the ends of the line included): together these are its values."]


def _derivative_limits(derivative: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol,
                       limits: dict[sympy.Expr, LimitProof | None]) -> Iterator[Property]:
    """Where the derivative tends at ±∞: a limit of 0 means the function saturates on that side."""
    for direction, side in ((oo, "plus"), (-oo, "minus")):
        found = limits[direction]
        if found is None or found.verification.status == "failed" or not found.value.is_finite:
            continue
        if not defined_far_out(definition, x, direction):
            continue  # ln x: its derivative 1/x has a limit at -infinity, but ln x is not defined there
        where = "large positive" if side == "plus" else "large negative"
        meaning: list[Segment] = (
            [f"The derivative vanishes for {where} ", x, ": the function saturates there (gradients through it fade). "]
            if found.value == 0
            else [f"For {where} ", x, " the slope tends to ", found.value, ": no saturation on that side. "]
        )
        yield Property(
            key=f"derivative_limit_{side}_infinity", kind="saturation" if found.value == 0 else "limit",
            title=f"Derivative at {'∞' if side == 'plus' else '−∞'}",
            statement=Eq(sympy.Limit(derivative, x, direction), found.value, evaluate=False),
            explanation=say(*meaning, *_limit_reason(derivative, found, x)), verification=found.verification,
        )


def _second_derivative(
    function: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol, recognition: Recognition, options: VerifyOptions,
    proofs: _Proofs,
) -> Iterator[Property]:
    y = sympy.Dummy("y")
    polynomial = sympy.Poly(recognition.form.subs(function, y), y)
    coefficients = list(reversed(polynomial.all_coeffs()))
    derivative_coefficients = list(reversed(polynomial.diff(y).all_coeffs()))
    second = sympy.Mul(polynomial_in(function, coefficients), polynomial_in(function, derivative_coefficients), evaluate=False)
    verification = proofs.prove(Derivative(function, (x, 2)), second, x, options)
    if verification.status != "proved":
        return
    first_form = Eq(Derivative(function, x), recognition.form, evaluate=False)
    yield Property(
        key="second_derivative", kind="derivative", title="Second derivative",
        statement=Eq(Derivative(function, (x, 2)), second, evaluate=False),
        explanation=say("Differentiate ", first_form, f" with the {_rule_for(recognition.form, function)}, then replace each ",
                        Derivative(function, x), " by ", recognition.form, "."),
        verification=verification,
    )
    second_derivative = Derivative(function, (x, 2))
    for point in _real_roots(prepare(Derivative(definition, (x, 2))), x):
        at_point = proofs.prove(sympy.Subs(second_derivative, x, point), 0, x, options)
        change = prove_sign_change(second_derivative, x, point)
        if at_point.status != "proved" or not change.proved:
            continue
        reason: list[Segment] = []
        if change.written is not None:
            prefix: list[Segment] = ["with ", change.substitution, ", "] if change.substitution is not None else []
            reason = ["; ", *prefix, Eq(second_derivative, change.written, evaluate=False), ", and ", *method_segments(change.reason)]
        yield Property(
            key="inflection", kind="inflection", title="Inflection point",
            statement=Eq(sympy.Subs(second_derivative, x, point), 0, evaluate=False),
            explanation=say("The second derivative is 0 at ", Eq(x, point, evaluate=False), " and changes sign there", *reason, "."),
            verification=all_of((at_point, change.verification), "F'' is 0 there and changes sign"),
        )


def _rule_for(form: sympy.Expr, function: sympy.Expr) -> str:
    """The rule a student uses to differentiate P(f): the product rule for a product of factors
    in f (σ(1 − σ)), else the chain rule (1 − tanh²: the power rule on tanh, times tanh′)."""
    factors = [factor for factor in sympy.Mul.make_args(form) if factor.has(function)]
    return "product rule" if len(factors) > 1 else "chain rule"


def _inverse(function: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol, options: VerifyOptions, *,
             positive: SignProof, limits: dict[sympy.Expr, LimitProof | None]) -> Iterator[Property]:
    """x as a function of y = F(x), on the range of F: an increasing F with proved limits a < b
    takes every y in (a, b) exactly once, and there the formula is proved to invert F."""
    low, high = limits[-oo], limits[oo]
    if not (positive.proved and low is not None and high is not None and low.proved and high.proved):
        return
    y = sympy.Symbol("y", real=True)
    solved = _solve_for_variable(definition, x, y)
    if solved is None:
        return
    inverse = _tidy_logarithms(solved)
    inside = [float(definition.subs(x, point)) for point in (-3, 3)]
    sampling = VerifyOptions(digits=options.digits, points=options.points, seed=options.seed, low=min(inside), high=max(inside))
    identity = prove_equal(definition.subs(x, inverse), y, y, sampling)
    condition = _between(y, low.value, high.value)
    verification = all_of((identity, positive.verification, low.verification, high.verification),
                          f"F is increasing from {sympy.sstr(low.value)} to {sympy.sstr(high.value)}, and F(x(y)) = y "
                          f"({identity.method})")
    if verification.status != "proved":
        return
    yield Property(
        key="inverse", kind="inverse", title="Inverse function",
        statement=Eq(x, inverse, evaluate=False), condition=condition,
        explanation=say("The function is increasing from ", low.value, " to ", high.value, ", so it takes each value ", y, " with ",
                        condition, " exactly once; solve ", Eq(y, function, evaluate=False),
                        " for ", x, ", and substituting back gives ", y, " again."),
        verification=verification,
    )


def _between(y: sympy.Symbol, low: sympy.Expr, high: sympy.Expr) -> sympy.Basic:
    """low < y < high, leaving out an infinite end (y > 0 for the inverse of e^x)."""
    parts = []
    if low.is_finite:
        parts.append(sympy.StrictLessThan(low, y, evaluate=False))
    if high.is_finite:
        parts.append(sympy.StrictLessThan(y, high, evaluate=False))
    if len(parts) == 2:
        return _Between(low, y, high)
    return parts[0] if parts else sympy.true


class _Between(sympy.Function):  # noqa: N801 - low < y < high, printed as a chain
    """``low < y < high`` as one chained inequality (SymPy has no such relation; printers know this one)."""

    def _latex(self, printer: sympy.printing.latex.LatexPrinter) -> str:
        low, middle, high = (printer._print(arg) for arg in self.args)
        return f"{low} < {middle} < {high}"

    def _sympystr(self, printer: sympy.printing.str.StrPrinter) -> str:
        low, middle, high = (printer._print(arg) for arg in self.args)
        return f"{low} < {middle} < {high}"


def _tidy_logarithms(expr: sympy.Expr) -> sympy.Expr:
    """ln(−y/(y − 1)) written as ln(y/(1 − y)): numerator and denominator without a leading minus."""

    def tidy(argument: sympy.Expr) -> sympy.Expr:
        numerator, denominator = sympy.fraction(sympy.cancel(argument))
        if numerator.could_extract_minus_sign():
            numerator, denominator = -numerator, -denominator
        return sympy.log(numerator / denominator)

    return expr.replace(lambda node: isinstance(node, sympy.log), lambda node: tidy(node.args[0]))


def _solve_for_variable(definition: sympy.Expr, x: sympy.Symbol, y: sympy.Symbol) -> sympy.Expr | None:
    """Solve y = f(x) for x when f is a Möbius function of T = e^(x/L) (σ, tanh, ...):
    the equation is then linear in T. A candidate only: the caller proves f(x(y)) = y."""
    rational, scale = to_rational_function_with_scale(definition, x)
    generators = rational.free_symbols
    if len(generators) != 1 or next(iter(generators)).name != "T":
        return None
    (t,) = generators
    equation = sympy.Poly(sympy.numer(sympy.together(rational - y)), t)
    step = math.gcd(*(degree for (degree,) in equation.monoms()))
    if step == 0 or equation.degree() != step:
        return None
    slope, intercept = equation.coeff_monomial(t**step), equation.coeff_monomial(1)
    return sympy.log(-intercept / slope) * scale / step


def _real_roots(expr: sympy.Expr, x: sympy.Symbol) -> list[sympy.Expr]:
    """Real zeros of an exponential-rational expression, found as positive roots in T = e^x
    (candidates: whatever is stated about them is proved by the verify stage)."""
    rational, scale = to_rational_function_with_scale(expr, x)
    generators = rational.free_symbols
    if len(generators) != 1:
        return []
    (s,) = generators
    if s != x and not (isinstance(s, sympy.Dummy) and s.name == "T"):
        return []  # a stand-in for ln x, erf x, a root: its roots say nothing simple about x
    numerator = sympy.numer(sympy.together(rational))
    roots = sympy.roots(sympy.Poly(numerator, s), filter="R")
    if s == x:
        return sorted({_exact_value(root) for root in roots}, key=float)
    return sorted({_exact_value(sympy.log(root) * scale) for root in roots if root.is_positive}, key=float)


def _exact_value(value: sympy.Expr) -> sympy.Expr:
    """An exact value in its simplest form (a candidate only: the caller proves what it states)."""
    return value if value.is_Rational else sympy.nsimplify(value)
