"""Facts about a function, each computed by the program and then verified — never typed in.

For a function ``F`` with definition ``f(x)``: the value at 0, a symmetry, the limits at ±∞,
the sign of F′, the maximum of F′ and where it is attained, the range of F′, F″ in terms of F,
inflection points, the inverse function, and the vanishing-gradient bound that follows from
the maximum of F′. A property that cannot be computed or proved is left out, so that every
fact a document states has a proof record.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import mpmath
import sympy
from sympy import Derivative, Eq, S, oo

from derive.differentiate.recognise import polynomial_in
from derive.evaluate import NotEvaluable, evaluate, to_mpf
from derive.expressions import PIECEWISE_KINDS, apply_at, break_points
from derive.functions import expand_definitions, prepare
from derive.model import Property, Recognition, Verification, say
from derive.verify import DEFAULT_OPTIONS, Verifier, VerifyOptions, prove_equal, sample_points
from derive.verify.procedure import to_rational_function, to_rational_function_with_scale



def derive_properties(
    function: sympy.Expr,
    definition: sympy.Expr,
    variable: sympy.Symbol,
    recognition: Recognition | None = None,
    options: VerifyOptions = DEFAULT_OPTIONS,
) -> tuple[Property, ...]:
    """Every property of ``function`` that can be computed and proved, in reading order."""
    x = variable
    definition = expand_definitions(definition)
    first = prepare(Derivative(definition, x))
    found: list[Property] = []
    proofs = _Proofs(options)
    found.extend(_value_at_zero(function, definition, x, options, proofs))
    found.extend(_symmetry(function, definition, x, options, proofs))
    found.extend(_limits(function, definition, x))
    positive = list(_derivative_positive(function, first, x, options))
    found.extend(positive)
    first_limits = limits_at_infinity(first, x)
    maximum = list(_derivative_maximum(function, first, x, options, positive=bool(positive), proofs=proofs, limits=first_limits))
    found.extend(maximum)
    found.extend(_derivative_limits(function, first, x, first_limits))
    if recognition is not None and recognition.found and recognition.form is not None:
        found.extend(_second_derivative(function, definition, x, recognition, options, proofs))
    found.extend(_inverse(function, definition, x, options))
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
    if not value.is_finite:
        return
    at_zero = apply_at(function, x, S.Zero)
    verification = proofs.prove(at_zero, value, x, options)
    if verification.status == "proved":
        yield Property(
            key="value_at_zero", kind="value", title="Value at 0", statement=Eq(at_zero, value, evaluate=False),
            explanation=say("Substitute x = 0 in the definition."), verification=verification,
        )


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


def _limits(function: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol) -> Iterator[Property]:
    limits = limits_at_infinity(definition, x)
    for direction, label in ((oo, "+"), (-oo, "-")):
        value = limits[direction]
        if value is None:
            continue
        verification = _check_limit(definition, x, direction, value)
        if verification.status == "proved":
            yield Property(
                key=f"limit_{'plus' if label == '+' else 'minus'}_infinity", kind="limit",
                title=f"Limit at {label}infinity",
                statement=Eq(sympy.Limit(function, x, direction), value, evaluate=False),
                explanation=say("Computed with SymPy's limit algorithm and checked numerically far out."),
                verification=verification,
            )


def limits_at_infinity(expr: sympy.Expr, x: sympy.Symbol) -> dict[sympy.Expr, sympy.Expr | None]:
    """lim expr as x → +∞ and as x → −∞ (keys ``oo`` and ``-oo``; None where it is not found)."""
    expr = expand_definitions(expr)
    if expr.has(*PIECEWISE_KINDS):
        return {direction: limit_at_infinity(expr, x, direction) for direction in (oo, -oo)}
    return _smooth_limits(expr, x, (oo, -oo))


def limit_at_infinity(expr: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr) -> sympy.Expr | None:
    """lim expr as x → ``direction`` (±∞), or None; a piecewise function by its outermost piece."""
    expr = expand_definitions(expr)
    if expr.has(*PIECEWISE_KINDS):
        folded = sympy.piecewise_fold(expr.rewrite(sympy.Piecewise))
        if isinstance(folded, sympy.Piecewise):
            cuts = break_points(folded, x)
            if cuts is None:
                return None
            far = (cuts[-1] + 1 if cuts else 1) if direction == oo else (cuts[0] - 1 if cuts else -1)
            piece = next((piece for piece, condition in folded.args if condition.subs(x, far) is sympy.true), None)
            return None if piece is None else limit_at_infinity(piece, x, direction)
    return _smooth_limits(expr, x, (direction,))[direction]


def _smooth_limits(expr: sympy.Expr, x: sympy.Symbol, directions: tuple[sympy.Expr, ...]) -> dict[sympy.Expr, sympy.Expr | None]:
    """When ``expr`` is a rational function of T = e^(x/L), each limit is read off its numerator
    and denominator (T → ∞ or T → 0⁺); otherwise SymPy's limit algorithm is asked."""
    rational = to_rational_function(expr, x)
    generators = rational.free_symbols
    if len(generators) == 1 and next(iter(generators)).name == "T":
        (t,) = generators
        numerator, denominator = (sympy.Poly(part, t) for part in sympy.fraction(sympy.cancel(rational)))
        return {direction: _limit_at_large_t(numerator, denominator) if direction == oo
                else _limit_at_small_t(numerator, denominator, t) for direction in directions}
    return {direction: _sympy_limit(expr, x, direction) for direction in directions}


def _limit_at_large_t(numerator: sympy.Poly, denominator: sympy.Poly) -> sympy.Expr:
    gap = numerator.degree() - denominator.degree()
    ratio = numerator.LC() / denominator.LC()
    return ratio if gap == 0 else (S.Zero if gap < 0 else oo * sympy.sign(ratio))


def _limit_at_small_t(numerator: sympy.Poly, denominator: sympy.Poly, t: sympy.Symbol) -> sympy.Expr:
    low_numerator = min(monomial[0] for monomial in numerator.monoms())
    low_denominator = min(monomial[0] for monomial in denominator.monoms())
    ratio = numerator.as_expr().coeff(t, low_numerator) / denominator.as_expr().coeff(t, low_denominator)
    gap = low_numerator - low_denominator
    return ratio if gap == 0 else (S.Zero if gap > 0 else oo * sympy.sign(ratio))


def _sympy_limit(expr: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr) -> sympy.Expr | None:
    try:
        value = sympy.limit(expr, x, direction)
    except (NotImplementedError, ValueError, TypeError):
        return None
    return value if value.is_number and (value.is_finite or value in (oo, -oo)) else None


def _derivative_limits(function: sympy.Expr, first: sympy.Expr, x: sympy.Symbol,
                       limits: dict[sympy.Expr, sympy.Expr | None]) -> Iterator[Property]:
    """Where the derivative tends at ±∞ (``limits``, from :func:`limit_at_infinity`): a limit of 0
    means the function saturates on that side."""
    for direction, side in ((oo, "plus"), (-oo, "minus")):
        value = limits[direction]
        if value is None or not value.is_finite:
            continue
        verification = _check_limit(first, x, direction, value)
        if verification.status != "proved":
            continue
        where = "large positive" if side == "plus" else "large negative"
        explanation = (
            say(f"The derivative vanishes for {where} x: the function saturates there (gradients through it fade).")
            if value == 0
            else say(f"For {where} x the slope tends to ", value, ": no saturation on that side.")
        )
        yield Property(
            key=f"derivative_limit_{side}_infinity", kind="saturation" if value == 0 else "limit",
            title=f"Derivative at {'+' if side == 'plus' else '-'}infinity",
            statement=Eq(sympy.Limit(Derivative(function, x), x, direction), value, evaluate=False),
            explanation=explanation, verification=verification,
        )


def _check_limit(definition: sympy.Expr, x: sympy.Symbol, direction: sympy.Expr, value: sympy.Expr) -> Verification:
    """Numeric confirmation of a computed limit: at x = ±60, ±10^4 and ±10^8 the distance to a finite
    limit shrinks and ends below 10^-6; towards an infinite limit the values grow without bound."""
    sign = 1 if direction == oo else -1
    probes = [sign * 60, sign * 10**4, sign * 10**8]
    method = f"sympy.limit (Gruntz algorithm) or the T = e^x rational function; numeric check at x = {', '.join(map(str, probes))}"
    try:
        with mpmath.workdps(40):
            far = [evaluate(definition, {x: mpmath.mpf(probe)}) for probe in probes]
            if value.is_finite:
                target = evaluate(value, {})
                distances = [abs(v - target) for v in far]
                ok = distances[0] >= distances[1] >= distances[2] and distances[2] < mpmath.mpf(10) ** -6
            else:
                growing = far if value == oo else [-v for v in far]
                ok = growing[0] < growing[1] < growing[2] and growing[2] > 10
            shown = mpmath.nstr(far[-1], 12)
    except NotEvaluable:
        return Verification(proved=False, numeric_ok=False, method=method)
    return Verification(proved=ok, numeric_ok=ok, method=method, points=tuple(map(str, probes)), digits=40, max_difference=shown)


def _derivative_positive(function: sympy.Expr, first: sympy.Expr, x: sympy.Symbol, options: VerifyOptions) -> Iterator[Property]:
    proved = _is_positive(first, x)
    numeric = _all_positive(first, x, options)
    if proved and numeric:
        yield Property(
            key="derivative_positive", kind="sign", title="The function is increasing",
            statement=sympy.StrictGreaterThan(Derivative(function, x), 0, evaluate=False),
            explanation=say("Every factor of ", Eq(Derivative(function, x), first, evaluate=False), " is positive."),
            verification=Verification(
                proved=True, numeric_ok=True, method="sign of each factor (SymPy assumptions, x real); numeric check",
                points=tuple(_point_labels(x, options)), digits=options.digits,
            ),
        )


def _derivative_maximum(
    function: sympy.Expr, first: sympy.Expr, x: sympy.Symbol, options: VerifyOptions, *, positive: bool, proofs: _Proofs,
    limits: dict[sympy.Expr, sympy.Expr | None],
) -> Iterator[Property]:
    critical = _real_roots(sympy.diff(first, x), x)
    if not critical:
        return
    values = [(_exact_value(first.subs(x, point)), point) for point in critical]
    values = [(value, point) for value, point in values if value.is_real and value.is_finite]
    if not values:
        return
    maximum, where = max(values, key=lambda pair: float(pair[0]))
    gap = to_rational_function(maximum - first, x)
    bounded = _is_nonnegative(gap)
    at_point = proofs.prove(sympy.Subs(Derivative(function, x), x, where), maximum, x, options)
    if not (bounded and at_point.status == "proved"):
        return
    derivative = Derivative(function, x)
    yield Property(
        key="derivative_maximum", kind="maximum", title="Maximum of the derivative",
        statement=Eq(sympy.Subs(derivative, x, where), maximum, evaluate=False),
        explanation=say("The derivative is largest at ", Eq(x, where, evaluate=False), ", where its own derivative vanishes."),
        verification=at_point,
    )
    bound = Verification(
        proved=True, numeric_ok=True, digits=options.digits, points=tuple(_point_labels(x, options)),
        method=f"{sympy.sstr(maximum)} - F' written with T = e^x factors into a square over a positive denominator",
    )
    yield Property(
        key="derivative_bound", kind="bound", title="Bound on the derivative",
        statement=sympy.LessThan(derivative, maximum, evaluate=False),
        explanation=say("The difference ", maximum, " minus the derivative is never negative."),
        verification=bound,
    )
    if positive:
        low = list(limits.values())
        if all(value == 0 for value in low):
            yield Property(
                key="derivative_range", kind="range", title="Range of the derivative",
                statement=sympy.Contains(derivative, sympy.Interval.Lopen(0, maximum), evaluate=False),
                explanation=say("The derivative is positive, tends to 0 at both ends and reaches ", maximum, " at ", Eq(x, where, evaluate=False), "."),
                verification=bound,
            )
        if all(value == 0 for value in low) and maximum < 1:
            n = sympy.Symbol("n", positive=True, integer=True)
            yield Property(
                key="vanishing_gradient", kind="consequence", title="Vanishing gradient",
                statement=sympy.LessThan(sympy.Symbol("P_n", positive=True), maximum**n, evaluate=False),
                explanation=say(
                    "Backpropagation through n layers multiplies n such derivatives; each lies in the range above, "
                    "so their product ", sympy.Symbol("P_n", positive=True), " is at most ", maximum**n, "."
                ),
                verification=bound,
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
    yield Property(
        key="second_derivative", kind="derivative", title="Second derivative",
        statement=Eq(Derivative(function, (x, 2)), second, evaluate=False),
        explanation=say("Differentiate ", Eq(Derivative(function, x), recognition.form, evaluate=False), " with the chain rule."),
        verification=verification,
    )
    second_of_definition = prepare(Derivative(definition, (x, 2)))
    for point in _real_roots(second_of_definition, x):
        at_point = proofs.prove(sympy.Subs(Derivative(function, (x, 2)), x, point), 0, x, options)
        if at_point.status == "proved" and _changes_sign(second_of_definition, x, point):
            yield Property(
                key="inflection", kind="inflection", title="Inflection point",
                statement=Eq(sympy.Subs(Derivative(function, (x, 2)), x, point), 0, evaluate=False),
                explanation=say("The second derivative is 0 at ", Eq(x, point, evaluate=False), " and changes sign there."),
                verification=at_point,
            )


def _inverse(function: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol, options: VerifyOptions) -> Iterator[Property]:
    y = sympy.Symbol("y", real=True)
    solved = _solve_for_variable(definition, x, y)
    if solved is None:
        return
    inverse = _tidy_logarithms(solved)
    low, high = (float(definition.subs(x, -3)), float(definition.subs(x, 3)))
    inside = VerifyOptions(digits=options.digits, points=options.points, seed=options.seed, low=min(low, high), high=max(low, high))
    verification = prove_equal(definition.subs(x, inverse), y, y, inside)
    if verification.status == "proved":
        yield Property(
            key="inverse", kind="inverse", title="Inverse function",
            statement=Eq(x, inverse, evaluate=False),
            explanation=say("Solve ", Eq(y, function, evaluate=False), " for x; substituting back gives y again."),
            verification=verification,
        )


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
    """Real zeros of an exponential-rational expression, found as positive roots in T = e^x."""
    rational, scale = to_rational_function_with_scale(expr, x)
    generators = rational.free_symbols
    if len(generators) != 1 or next(iter(generators)).name != "T":
        return []
    (t,) = generators
    numerator = sympy.numer(sympy.together(rational))
    roots = [root for root in sympy.roots(sympy.Poly(numerator, t), filter="R") if root.is_positive]
    return sorted({_exact_value(sympy.log(root) * scale) for root in roots}, key=float)


def _exact_value(value: sympy.Expr) -> sympy.Expr:
    """An exact value in its simplest form (a candidate only: the caller proves what it states)."""
    return value if value.is_Rational else sympy.nsimplify(value)


def _is_positive(expr: sympy.Expr, x: sympy.Symbol) -> bool:
    return bool(expr.is_positive) or bool(sympy.factor(sympy.together(to_rational_function(expr, x))).is_positive)


def _is_nonnegative(rational: sympy.Expr) -> bool:
    return bool(sympy.factor(sympy.together(rational)).is_nonnegative)


def _all_positive(expr: sympy.Expr, x: sympy.Symbol, options: VerifyOptions) -> bool:
    with mpmath.workdps(options.digits):
        try:
            return all(evaluate(expr, {x: to_mpf(p)}) > 0 for p in sample_points(x, options)[: options.points])
        except NotEvaluable:
            return False


def _changes_sign(expr: sympy.Expr, x: sympy.Symbol, point: sympy.Expr) -> bool:
    """The sign on each side, proved with T = e^x shifted so that each side is a positive symbol."""
    rational = to_rational_function(expr, x)
    if len(rational.free_symbols) != 1 or next(iter(rational.free_symbols)).name != "T" or point != 0:
        return False
    (t,) = rational.free_symbols
    s = sympy.Symbol("s", positive=True)
    right = sympy.factor(sympy.together(rational.subs(t, 1 + s)))
    left = sympy.factor(sympy.together(rational.subs(t, 1 / (1 + s))))
    return bool((right.is_positive and left.is_negative) or (right.is_negative and left.is_positive))


def _point_labels(x: sympy.Symbol, options: VerifyOptions) -> list[str]:
    return [str(sympy.Float(p, 4)) for p in sample_points(x, options)[: options.points]]
