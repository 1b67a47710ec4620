"""Routes: scripted derivations that a lecture would show, built from rules and named moves.

A route is a function of the variable that returns the steps from ``d/dx f`` to the result.
The generic route ``rules`` lets the engine choose every rule; the sigmoid routes follow the
three classic lectures (chain rule, quotient rule, logarithmic differentiation) and all end by
recognising σ(x)(1 − σ(x)). Every step is proved by the verifier afterwards, whatever route
produced it.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy
from sympy import Derivative, Eq, exp, log

from derive.differentiate.differentiator import Differentiator
from derive.differentiate.moves import StepChain, complement_steps, pythagorean, quotient_identity, split_off_reciprocal
from derive.differentiate.piecewise import corners, on_open_intervals, refine_pieces
from derive.differentiate.recognise import candidates
from derive.differentiate.rules import quotient_rule
from derive.expressions import Stated, negate, product, total
from derive.functions import expand_definitions, sigma, softmax_inputs, softmax_output, variable
from derive.model import Annotation, Segment, Step, listed, say
from derive.printing import printed_args, written_decimal

Route = Callable[[sympy.Symbol], tuple[Step, ...]]


#: Closing moves that rest on a numeric candidate (see :mod:`derive.differentiate.recognise`): the
#: verify stage proves them, and the pipeline derives again without them if it cannot.
CANDIDATE_MOVES = frozenset({"recognise_sigma"})


def rules_route(
    function: sympy.Expr, definition: sympy.Expr, variable: sympy.Symbol, *, recognise: bool = True,
    orders: tuple[tuple[sympy.Symbol, int], ...] = (),
) -> tuple[Step, ...]:
    """Use the definition (when the function has a name), let the engine choose every rule, then
    write the result in its most readable form (σ recognised when ``recognise``, common factors
    taken out). ``orders``: a higher or mixed derivative instead of the first."""
    chain = StepChain(Derivative(function, *(orders or ((variable, 1),))))
    if function != definition:
        chain.step("definition", say("Use the definition ", Eq(function, definition, evaluate=False), "."),
                   Derivative(definition, *(orders or ((variable, 1),))))
    chain.extend(Differentiator(variable).continue_from(chain.current))
    if chain.current.has(sympy.Piecewise):
        finish_piecewise(chain, definition, variable, function)
    else:
        finish_in_known_terms(chain, variable, recognise=recognise)
    return chain.result()


def finish_piecewise(chain: StepChain, definition: sympy.Expr, x: sympy.Symbol, function: sympy.Expr) -> None:
    """Combine the pieces, use |x| = ±x on each, then settle every break point."""
    if not isinstance(chain.current, sympy.Piecewise):
        folded = sympy.piecewise_fold(chain.current)
        tidy = on_open_intervals(folded, x) if isinstance(folded, sympy.Piecewise) else None
        if tidy is None:
            return
        chain.step("combine_pieces", say("Combine everything into one piecewise expression."), tidy)
    refined, kinds = refine_pieces(chain.current, x)
    if refined != chain.current:
        chain.step("refine_pieces", _refine_annotation(kinds), refined)
    for corner in corners(expand_definitions(definition), chain.current, x):
        if not corner.checked:
            continue
        after = chain.current
        if corner.differentiable:
            after = sympy.Piecewise(
                *[(piece, condition.subs(sympy.StrictLessThan(x, corner.at), sympy.LessThan(x, corner.at)))
                  for piece, condition in chain.current.args],
                evaluate=False,
            )
        chain.step("break_point", corner.annotation(function, x), after, details=(("at", corner.at), ("left", corner.left), ("right", corner.right)))
    pieces = {piece for piece, _ in chain.current.args} if isinstance(chain.current, sympy.Piecewise) else set()
    if len(pieces) == 1 and not chain.current.has(Derivative):  # d/dx ln|x|: 1/x on both sides of 0
        (same,) = pieces
        chain.step("merge_pieces", say("Every piece is ", same, ": one formula, wherever it is defined."), same)


def _refine_annotation(kinds: tuple[type, ...]) -> Annotation:
    """What :func:`~derive.differentiate.piecewise.refine_pieces` used, in a sentence: on each
    interval, |u| is −u where u < 0 and u where u > 0; ReLU(u) is 0 where u < 0 and u where u > 0."""
    u = sympy.Symbol("u", real=True)
    segments: list[Segment] = ["On each interval "]
    for index, kind in enumerate(kinds):
        if index:
            segments.append(", and " if index == len(kinds) - 1 else ", ")
        if kind is sympy.Abs:
            negative, positive = -u, u
            segments += ["an absolute value ", Stated("|u|", r"\lvert u \rvert")]
        elif len(pieces := kind.definition(u).args) == 2:
            (negative, _), (positive, _) = pieces
            segments.append(kind(u))
        else:
            segments.append(Eq(kind(u), kind.definition(u), evaluate=False))
            continue
        segments += [" is ", negative, " where ", sympy.StrictLessThan(u, 0), " and ", positive, " where ",
                     sympy.StrictGreaterThan(u, 0)]
    return say(*segments, "; use that and tidy up.")


def finish_in_known_terms(chain: StepChain, x: sympy.Symbol, *, recognise: bool = True) -> None:
    """Named closing moves: recognise σ(x) in an exponential result, take out a common factor."""
    result = chain.current
    if (recognise and result.has(sympy.exp) and not result.has(sigma) and not result.has(Derivative)
            and result.free_symbols == {x}):
        in_sigma = next(candidates(result, sigma(x), x, max_degree=3), None)
        if in_sigma is not None:
            chain.step(
                "recognise_sigma",
                say("Recognise the sigmoid ", Eq(sigma(x), 1 / (1 + exp(-x)), evaluate=False), ": the result is a polynomial in it."),
                in_sigma,
            )
            return
    inner = _sigmoid_argument(result) if recognise and not result.has(sigma, Derivative) else None
    if inner is not None:  # e^(βx)/(e^(βx) + 1) with parameters: σ(βx) by its definition
        u = sympy.Symbol("u")
        chain.step("recognise_sigma", say("Recognise the sigmoid ", Eq(sigma(u), 1 / (1 + exp(-u)), evaluate=False),
                                          " with ", Eq(u, inner, evaluate=False), "."), sigma(inner))
        return
    result = pythagorean(chain, result)
    numerator, denominator = sympy.fraction(result)
    # a fraction keeps its denominator as it stands (a textbook writes (e^u + 1)^2, not expanded)
    expanded = sympy.expand(result) if denominator == 1 else sympy.expand(numerator) / denominator
    if expanded != result and sympy.count_ops(expanded) < sympy.count_ops(result) and _keeps_decimals(result, expanded):
        chain.step("expand", say("Multiply out and collect the terms."), expanded)
        result = expanded
    result = _as_one_fraction(chain, result)
    if result.is_Add:
        result = _cancel_in_each_fraction(chain, result)
        factored = sympy.factor_terms(result)
        # a factor every term shares: never a denominator that a term without one is put over
        # (2x + (1 - x)/(x + 1)^3 stays a sum, not one fraction called a common factor)
        shared = sympy.denom(factored) == 1 or all(sympy.denom(term) != 1 for term in result.args)
        if (factored != result and not factored.is_Add and shared and sympy.count_ops(factored) <= sympy.count_ops(result)
                and _keeps_decimals(result, factored)):
            chain.step("common_factor", say("Take out the factor that every term shares."), factored)
    quotient_identity(chain, chain.current)


def _decimals(expr: sympy.Expr) -> set[sympy.Rational]:
    """The numbers in ``expr`` that print as decimals (those the user wrote: 0.044715)."""
    return {number for number in expr.atoms(sympy.Rational) if written_decimal(abs(number)) is not None}


def _keeps_decimals(before: sympy.Expr, after: sympy.Expr) -> bool:
    """Whether a tidying move leaves the decimals as they were: taking 1/200000 out of
    0.134145x² + 1 would print 0.000005·(26829x² + 200000), which no textbook writes."""
    return _decimals(after) <= _decimals(before)


def _sigmoid_argument(expr: sympy.Expr) -> sympy.Expr | None:
    """u when ``expr`` is written e^u/(e^u + 1) or 1/(1 + e^(-u)), else None (a pattern of the
    written form; the verify stage proves the step)."""
    numerator, denominator = sympy.fraction(expr)
    if isinstance(numerator, exp) and sympy.expand(denominator - numerator - 1) == 0:
        return numerator.args[0]
    if numerator == 1 and isinstance(denominator, sympy.Add) and len(denominator.args) == 2 and 1 in denominator.args:
        (other,) = (arg for arg in denominator.args if arg != 1)
        if isinstance(other, exp):
            return -other.args[0]
    return None


def _as_one_fraction(chain: StepChain, result: sympy.Expr) -> sympy.Expr:
    """The form a textbook prints: fractions inside a fraction brought over one common
    denominator, then factored and cancelled where that is shorter; each a named step (the verify
    stage proves both). Exponentials keep the arguments they had (e^(-x) is not turned into e^x)."""
    if result.has(Derivative, sympy.Piecewise) or not result.has(sympy.Pow):
        return result
    exponentials = result.atoms(exp)
    together = sympy.together(result)
    # a sum with a term that is no fraction stays a sum: 2x + (1 - x)/(x + 1)^3, as a textbook
    # leaves it, not (2x(x + 1)^3 - x + 1)/(x + 1)^3
    mixed = result.is_Add and any(sympy.denom(term) == 1 for term in result.args)
    # a fraction inside a fraction is always cleared ((1 + 1/(2√x))/(2√u) is (2√x + 1)/(4√x√u)),
    # even at a few more operations; else one fraction is taken only when it is shorter
    shorter = sympy.count_ops(together) < sympy.count_ops(result) or (
        _compound(result) and sympy.count_ops(together) <= sympy.count_ops(result) + MOST_OPERATIONS_CLEARING)
    if (together != result and not mixed and sympy.denom(together) != 1 and together.atoms(exp) == exponentials
            and shorter and _keeps_decimals(result, together) and not _new_absolute_values(result, together)):
        chain.step("common_denominator", say("Bring everything over one common denominator."), together)
        result = together
    if sympy.denom(result) == 1:
        return result  # no fraction: a common factor, if any, is taken out by the next move
    factored = _factored(result)
    if factored is not None and (_worth_factoring(result, factored) or _negative_numerator(result)):
        factored = _sign_into_numerator(factored)
        chain.step("factor", say("Factor numerator and denominator, and cancel the common factors."), factored)
        result = factored
    return result


#: How many operations more than the fraction it replaces one common denominator may take
#: when it clears a fraction inside a fraction (a longer form is left as it is).
MOST_OPERATIONS_CLEARING = 4


def _compound(expr: sympy.Expr) -> bool:
    """A fraction whose numerator or denominator has a term that is itself a fraction."""
    numerator, denominator = sympy.fraction(expr)
    if denominator == 1:
        return False
    return any(sympy.denom(term) != 1 for side in (numerator, denominator) for term in sympy.Add.make_args(side))


def _factored(fraction: sympy.Expr) -> sympy.Expr | None:
    """SymPy's factored form of ``fraction`` (common factors cancelled), or None when it is the
    same, changes an exponential's argument (e^(-x) into 1/e^x) or loses a decimal the user wrote."""
    factored = sympy.factor(fraction)
    if (factored == fraction or factored.atoms(exp) != fraction.atoms(exp) or not _keeps_decimals(fraction, factored)
            or _new_absolute_values(fraction, factored)):
        return None
    return factored


def _new_absolute_values(before: sympy.Expr, after: sympy.Expr) -> bool:
    """Whether a move wrote |u| where there was none: SymPy takes √(a/u²) as √a/|u|, true for real
    u but no textbook form, and beyond what the verifier can prove symbolically."""
    return not after.atoms(sympy.Abs) <= before.atoms(sympy.Abs)


def _worth_factoring(fraction: sympy.Expr, factored: sympy.Expr) -> bool:
    """A textbook writes the factored form when it cancels something or is shorter."""
    return _cancels(fraction) or sympy.count_ops(factored) < sympy.count_ops(fraction)


def _cancel_in_each_fraction(chain: StepChain, result: sympy.Add) -> sympy.Expr:
    """A sum whose terms stay apart (one common denominator would be longer) with each fraction
    in it factored and cancelled as :func:`_as_one_fraction` does a whole fraction: the quotient
    rule's ((t + 1)^2 - 2t(t + 1))/(t + 1)^4 + 1/(t ln 2) ends at (1 - t)/(t + 1)^3 + 1/(t ln 2)."""
    terms = list(printed_args(result))
    tidied = []
    for term in terms:
        factored = _factored(term) if sympy.denom(term) != 1 and not term.has(Derivative, sympy.Piecewise) else None
        shown = _sign_into_numerator(factored) if factored is not None else None
        tidied.append(shown if shown is not None and _worth_factoring(term, shown) else term)
    if tidied == terms:
        return result
    after = total(*tidied)
    chain.step("factor", say("Factor numerator and denominator of each fraction, and cancel the common factors."), after)
    return after


def _cancels(fraction: sympy.Expr) -> bool:
    """Whether numerator and denominator share a factor: a textbook cancels it even when the
    result is no shorter ((1 − x²)/(1 + x)⁴ is (1 − x)/(1 + x)³, −2/(4x²) is −1/(2x²))."""
    numerator, denominator = sympy.fraction(fraction)
    try:
        common = sympy.gcd(numerator, denominator)
    except (sympy.polys.polyerrors.BasePolynomialError, sympy.PolynomialError):
        return False
    return common not in (1, -1)


def _negative_numerator(fraction: sympy.Expr) -> bool:
    """Whether every term of the numerator is negative: (-x - 2)/x^3 is written -(x + 2)/x^3."""
    numerator = sympy.fraction(fraction)[0]
    return numerator.is_Add and all(term.could_extract_minus_sign() for term in numerator.args)


def _sign_into_numerator(fraction: sympy.Expr) -> sympy.Expr:
    """−(x − 1)/(x + 1)³ as (1 − x)/(x + 1)³: a minus before a fraction goes into a numerator
    of two terms when it then begins with a positive term; −(x + 3)/(x − 1)³ keeps its sign."""
    if not (isinstance(fraction, sympy.Mul) and fraction.args[0] == -1):
        return fraction
    numerator, denominator = sympy.fraction(-fraction)
    if not (isinstance(numerator, sympy.Add) and len(numerator.args) == 2):
        return fraction
    negated = -numerator
    if printed_args(negated)[0].could_extract_minus_sign():
        return fraction
    return negated / denominator


def _sigmoid_start(x: sympy.Symbol) -> tuple[StepChain, sympy.Expr]:
    denominator = 1 + exp(-x)
    chain = StepChain(Derivative(sigma(x), x))
    chain.step(
        "definition",
        say("Use the definition ", Eq(sigma(x), 1 / denominator, evaluate=False), "."),
        Derivative(1 / denominator, x),
    )
    return chain, denominator


def _split_and_recognise(chain: StepChain, x: sympy.Symbol, denominator: sympy.Expr) -> None:
    """e^(−x)/(1+e^(−x))² → 1/(1+e^(−x)) · e^(−x)/(1+e^(−x)) → … → σ(x)(1 − σ(x))."""
    chain.step(
        "split_fraction",
        say("Split the fraction into two factors, each with denominator ", denominator, "."),
        split_off_reciprocal(exp(-x), denominator),
    )
    second, substeps = complement_steps(exp(-x), x)
    chain.step(
        "complement",
        say("Write the second factor as 1 minus a fraction (details below)."),
        product(1 / denominator, second),
        substeps=substeps,
    )
    chain.step(
        "recognise",
        say("Recognise ", Eq(sigma(x), 1 / denominator, evaluate=False), " in both factors."),
        product(sigma(x), total(sympy.S.One, negate(sigma(x)))),
    )


def sigmoid_chain(x: sympy.Symbol) -> tuple[Step, ...]:
    """The classic lecture: (1 + e^(−x))^(−1), power rule with the chain rule, tidy, split, recognise."""
    chain, denominator = _sigmoid_start(x)
    chain.step(
        "rewrite_as_power",
        say("Write the reciprocal as a power with exponent ", sympy.S.NegativeOne, ", so that the power rule applies."),
        Derivative(denominator**-1, x),
        notation="powers",
    )
    chain.extend(Differentiator(x, notation="powers").continue_from(chain.current))
    chain.step("negative_power_as_fraction", say("Write the negative power as a fraction."), chain.current, notation="fractions")
    _split_and_recognise(chain, x, denominator)
    return chain.result()


def sigmoid_quotient(x: sympy.Symbol) -> tuple[Step, ...]:
    """Quotient rule on 1/(1 + e^(−x)), then the same tidy-up, split and recognition."""
    chain, denominator = _sigmoid_start(x)
    application = quotient_rule(sympy.S.One, denominator, x)
    chain.step(application.rule, application.annotation, application.result, details=application.details)
    chain.extend(Differentiator(x).continue_from(chain.current))
    _split_and_recognise(chain, x, denominator)
    return chain.result()


def sigmoid_log(x: sympy.Symbol) -> tuple[Step, ...]:
    """Logarithmic differentiation: σ′ = σ·(ln σ)′ with ln σ = −ln(1 + e^(−x))."""
    s = sigma(x)
    denominator = 1 + exp(-x)
    chain = StepChain(Derivative(s, x))
    chain.step(
        "log_differentiation",
        say("Logarithmic differentiation: since ", sympy.StrictGreaterThan(s, 0, evaluate=False), ", write ",
            Eq(Derivative(s, x), product(s, Derivative(log(s), x)), evaluate=False), "."),
        product(s, Derivative(log(s), x)),
    )
    chain.rewrite(
        "definition",
        say("Use the definition ", Eq(s, 1 / denominator, evaluate=False), " inside the logarithm."),
        Derivative(log(s), x),
        Derivative(log(1 / denominator), x),
    )
    chain.rewrite(
        "log_of_reciprocal",
        say("The logarithm of a reciprocal is minus the logarithm: ",
            Eq(log(1 / denominator), negate(log(denominator)), evaluate=False), "."),
        Derivative(log(1 / denominator), x),
        Derivative(negate(log(denominator)), x),
    )
    chain.extend(Differentiator(x).continue_from(chain.current))
    second, substeps = complement_steps(exp(-x), x)
    chain.step(
        "complement",
        say("Write ", exp(-x) / denominator, " as 1 minus a fraction (details below)."),
        product(s, second),
        substeps=substeps,
    )
    chain.step(
        "recognise",
        say("Recognise ", Eq(s, 1 / denominator, evaluate=False), " in the second factor."),
        product(s, total(sympy.S.One, negate(s))),
    )
    return chain.result()


SIGMOID_ROUTES: dict[str, Route] = {"chain": sigmoid_chain, "quotient": sigmoid_quotient, "log": sigmoid_log}


def tanh_via_sigmoid(x: sympy.Symbol) -> tuple[Step, ...]:
    """tanh(x) = 2σ(2x) − 1: the chain rule and σ′ = σ(1 − σ), then σ(2x) = (1 + tanh x)/2 put back."""
    through_sigma = total(product(2, sigma(product(2, x))), sympy.S.NegativeOne)
    chain = StepChain(Derivative(sympy.tanh(x), x))
    chain.step("identity", say("Write the hyperbolic tangent through the sigmoid: ",
                               Eq(sympy.tanh(x), through_sigma, evaluate=False), "."), Derivative(through_sigma, x))
    chain.extend(Differentiator(x).continue_from(chain.current))
    half = sympy.Mul(total(sympy.S.One, sympy.tanh(x)), sympy.Pow(2, -1, evaluate=False), evaluate=False)
    with sympy.evaluate(False):
        substituted = chain.current.xreplace({sigma(2 * x): half, sigma(product(2, x)): half})
    if substituted != chain.current:
        chain.step("substitute", say("Solve the same identity for the sigmoid: ", Eq(sigma(product(2, x)), half, evaluate=False),
                                     "."), substituted)
        chain.step("expand", say("Multiply out and collect the terms."), total(sympy.S.One, negate(sympy.tanh(x) ** 2)))
    return chain.result()


TANH_ROUTES: dict[str, Route] = {"sigmoid": tanh_via_sigmoid}


def softmax_cross_entropy_route(z: sympy.Symbol, count: int = 3) -> tuple[Step, ...]:
    """∂L/∂z_i of the softmax cross-entropy: the definition (labels summing to 1, y_K written out),
    the engine's derivative, then the outputs recognised: s_i − y_i."""
    inputs = softmax_inputs(count)
    index = inputs.index(z) + 1
    ys = [variable(f"y_{k}") for k in range(1, count + 1)]
    loss = -sympy.Add(*(ys[k] * log(softmax_output(k + 1, inputs)) for k in range(count)))
    written = loss.xreplace({ys[-1]: 1 - sympy.Add(*ys[:-1])})
    expanded = expand_definitions(written)
    chain = StepChain(Derivative(loss, z))
    chain.step("definition", say("The labels sum to 1, so write ", Eq(ys[-1], 1 - sympy.Add(*ys[:-1]), evaluate=False),
                                 ", and use the definition of the softmax outputs."), Derivative(expanded, z))
    chain.extend(Differentiator(z).continue_from(chain.current))
    chain.step("recognise", say("Recognise the softmax output ", softmax_output(index, inputs), " in the result."),
               total(softmax_output(index, inputs), negate(ys[index - 1])))
    return chain.result()
