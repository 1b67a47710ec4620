"""The decision procedure: is a difference of two expressions identically zero?

Each equality ``a = b`` is first screened numerically (mpmath, 35 significant digits, at seeded
random points), which finds counterexamples fast; if it survives, it is proved symbolically by
a cheap, complete decision procedure for the functions derive works with:

1. named functions (``sigma``) are replaced by their definitions and unevaluated derivatives
   are evaluated (this is the one place where ``sympy.diff`` is used: to check, never to derive);
2. trigonometric and hyperbolic functions are rewritten with exponentials;
3. every ``exp(c*x + k)`` with rational ``c`` becomes a power of ``T = exp(x/L)`` (or of
   ``S = exp(i*x/L)``), and every other non-rational piece (``log(u)``, ``erf(u)``, ``sqrt(u)``)
   becomes a fresh symbol;
4. the difference, now a rational function of independent symbols, is reduced in the field
   ℚ(x, T, S, …): it is zero exactly when the numerator cancels.

Steps 3–4 are sound (a rational function that is identically zero stays zero when the symbols
are given their real values), and complete for rational functions of ``x`` and ``e^{cx}``,
which covers σ, tanh, softplus′, and their derivatives. When the procedure cannot decide,
``sympy.simplify`` is tried on small expressions; failing that, the result is "numeric only" and
rendering marks it visibly.
"""

from __future__ import annotations

import itertools
import math

import sympy

from derive.expressions import PIECEWISE_KINDS, break_points, evaluate_arithmetic, interval_samples
from derive.model import Described, listed
from derive.verify.rational import OutsideFragment, is_zero_rational_function

_TRIG_AND_HYPERBOLIC = (
    sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc,
    sympy.sinh, sympy.cosh, sympy.tanh, sympy.coth, sympy.sech, sympy.csch,
)
_INVERSE_HYPERBOLIC = (sympy.asinh, sympy.acosh, sympy.atanh, sympy.acoth, sympy.asech, sympy.acsch)
_SIMPLIFY_OPS_LIMIT = 120


def decide_zero(difference: sympy.Expr, variable: sympy.Symbol, *, allow_simplify: bool = True) -> str | None:
    """The name of the method that proves ``difference == 0``, or None if none does."""
    if difference == 0:
        return "identical once definitions are expanded and derivatives evaluated"
    if difference.has(*PIECEWISE_KINDS):
        return piecewise_zero(difference, variable, allow_simplify=allow_simplify)
    zero = rational_zero_test(difference, variable)
    if zero is not None and zero[0]:
        return zero[1]
    if allow_simplify and sympy.count_ops(difference) <= _SIMPLIFY_OPS_LIMIT:
        if sympy.simplify(difference) == 0:
            return "algebraic simplification reduces the difference to 0"
    return None


def piecewise_zero(difference: sympy.Expr, variable: sympy.Symbol, *, allow_simplify: bool = True) -> str | None:
    """Prove a piecewise difference zero interval by interval.

    |u|, sign, Heaviside, max and min are written as piecewise functions and the pieces folded
    together; the break points (conditions must compare the variable with numbers) cut the line
    into open intervals, and on each one the active piece must be proved zero by the ordinary
    procedure. The value exactly at a break point is not claimed (where a side is undefined
    there, such as a derivative at a corner, the claim is about the points where both are).
    """
    folded = sympy.piecewise_fold(difference.rewrite(sympy.Piecewise))
    pieces = folded.args if isinstance(folded, sympy.Piecewise) else ((folded, sympy.true),)
    cuts = break_points(folded, variable)
    if cuts is None or any(piece.has(*PIECEWISE_KINDS) for piece, _ in pieces):
        return sign_cases_zero(difference, variable, allow_simplify=allow_simplify)
    samples = interval_samples(cuts)
    for sample in samples:
        active = None
        for piece, condition in pieces:
            truth = condition.subs(variable, sample)
            if truth not in (sympy.true, sympy.false):
                return None
            if truth is sympy.true:
                active = piece
                break
        if active is None:
            continue
        if decide_zero(active, variable, allow_simplify=allow_simplify) is None:
            return None
    if not cuts:
        return "piecewise: written as one piecewise function, the difference of the two sides is 0 on the whole line"
    where = listed(sympy.Eq(variable, cut, evaluate=False) for cut in cuts)
    return Described("piecewise: proved on every interval between the break points (", *where, ")")


_MAX_SIGN_CASES = 4


def sign_cases_zero(difference: sympy.Expr, variable: sympy.Symbol, *, allow_simplify: bool = True) -> str | None:
    """Prove a difference with |g| and sign(g) (g not linear, so no break points to cut at) zero
    case by case: wherever g != 0, |g| = s g and sign(g) = s with s = 1 or s = -1. The difference
    is proved zero for every choice of signs, even those no point realises, so the proof is
    sound wherever no g is 0 (where d|g|/dx is not claimed)."""
    if difference.has(sympy.Piecewise, sympy.Heaviside, sympy.Max, sympy.Min):
        return None
    difference = evaluate_arithmetic(difference)  # one written form per argument: x^2 - 1, not x^2 + (-1)
    arguments = sorted({node.args[0] for node in difference.atoms(sympy.Abs, sympy.sign)}, key=sympy.default_sort_key)
    if not arguments or len(arguments) > _MAX_SIGN_CASES:
        return None
    for signs in itertools.product((1, -1), repeat=len(arguments)):
        replacement = {}
        for argument, s in zip(arguments, signs):
            replacement[sympy.Abs(argument)] = s * argument
            replacement[sympy.sign(argument)] = sympy.Integer(s)
        case = difference.xreplace(replacement)
        if case.has(sympy.Abs, sympy.sign) or decide_zero(case, variable, allow_simplify=allow_simplify) is None:
            return None
    return "case by case on the sign of each absolute value's argument (|g| = g or -g)"


def on_intervals_zero(difference: sympy.Expr, variable: sympy.Symbol, domain: sympy.Set) -> str | None:
    """Prove ``difference`` zero on each open interval of ``domain`` (x > 1, or x < -1 or x > 1):
    write x = a + p, b - p or (a + b p)/(1 + p) with p > 0, which maps p > 0 onto the interval,
    so that square roots and absolute values of expressions of known sign simplify; then SymPy's
    simplify must reduce the difference to 0 on every interval."""
    intervals = domain.args if isinstance(domain, sympy.Union) else (domain,)
    if not intervals or not all(isinstance(interval, sympy.Interval) for interval in intervals):
        return None
    p = sympy.Symbol("p", positive=True)
    # f(F(u)) of a hyperbolic function and an inverse one (tanh(arsech u)) does not evaluate by
    # itself: with logarithms and exponentials it becomes an algebraic expression.
    difference = evaluate_arithmetic(difference).rewrite(list(_INVERSE_HYPERBOLIC), sympy.log)
    if difference.has(*_TRIG_AND_HYPERBOLIC[6:]):
        difference = difference.rewrite(list(_TRIG_AND_HYPERBOLIC[6:]), sympy.exp)
    for interval in intervals:
        low, high = interval.start, interval.end
        if low == -sympy.oo and high == sympy.oo:
            return None
        if not all(end.is_infinite or end.is_Rational for end in (low, high)):
            return None
        at = low + p if high == sympy.oo else high - p if low == -sympy.oo else (low + high * p) / (1 + p)
        case = difference.subs(variable, at)
        if sympy.count_ops(case) > 4 * _SIMPLIFY_OPS_LIMIT:
            return None
        # an absolute value whose argument simplifies to an expression of known sign goes away
        case = case.replace(lambda node: isinstance(node, sympy.Abs), lambda node: sympy.Abs(sympy.simplify(node.args[0])))
        if sympy.simplify(case) != 0 and sympy.simplify(sympy.radsimp(sympy.powdenest(case, force=False))) != 0:
            return None
    return "on each interval of the domain, written with a positive parameter, the difference simplifies to 0"


def to_rational_function(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    """``expr`` as a rational function of independent symbols (steps 2 and 3 of the procedure)."""
    return _rational_pieces(expr, variable)[0]


def to_rational_function_with_scale(expr: sympy.Expr, variable: sympy.Symbol) -> tuple[sympy.Expr, int]:
    """The rational function and the L of its symbol T = e^(x/L) (so that x = L·ln T)."""
    return _rational_pieces(expr, variable)[0], exponential_scale(_exponential_form(expr, variable), variable)


def _rational_pieces(
    expr: sympy.Expr, variable: sympy.Symbol
) -> tuple[sympy.Expr, str, list[str], list[tuple[sympy.Dummy, int, sympy.Expr]]]:
    # Written (unevaluated) trees such as ``2*x**1`` or ``-1*1`` are first rebuilt with SymPy's
    # automatic evaluation (an exact rewrite), so that the field conversion below accepts them.
    rewritten = _exponential_form(expr, variable)
    substituted, description = _substitute_exponentials(rewritten, variable)
    substituted, generic, radicals = _replace_generic_atoms(substituted, variable)
    return substituted, description, generic, radicals


def _exponential_form(expr: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr:
    """Arithmetic evaluated, variable powers as e^(g ln f), trigonometric and hyperbolic functions
    written with exponentials."""
    rewritten = evaluate_arithmetic(expr).replace(
        lambda node: node.is_Pow and bool(node.exp.free_symbols),
        lambda node: sympy.exp(node.exp * sympy.log(node.base)),
    )
    if rewritten.has(*_TRIG_AND_HYPERBOLIC):
        rewritten = rewritten.rewrite(list(_TRIG_AND_HYPERBOLIC), sympy.exp)
    return rewritten


def rational_zero_test(expr: sympy.Expr, variable: sympy.Symbol) -> tuple[bool, str] | None:
    """Whether ``expr`` is zero as a rational function of independent symbols (steps 2-4 of the
    procedure), with the description of the method; None when it is not such a function.

    Decided by one walk over the tree in polynomial arithmetic (:mod:`derive.rational`); the
    general conversion (:func:`rational_normal_form`) handles what that walk leaves out (roots).
    """
    rewritten = _exponential_form(expr, variable)
    replacements, description = _exponential_replacements(rewritten, variable)
    try:
        zero, generic, symbols = is_zero_rational_function(rewritten, replacements)
    except OutsideFragment:
        normal = rational_normal_form(expr, variable)
        return None if normal is None else (normal[0] == 0, normal[1])
    if not symbols:
        return zero, "exact arithmetic"
    if generic:
        description += "; " + _independent(generic)
    return zero, description


def constant_is_zero(difference: sympy.Expr) -> bool | None:
    """Whether a difference of numbers (no symbol at all) is 0, decided exactly when every
    exponential in it is e^q with q rational (σ(1000) - 1, e/(1 + e) - σ(1)); None otherwise.

    Write each e^q as T^(qL) with T = e^(1/L): the difference becomes a rational function of T
    alone. If that function is identically zero the difference is 0; if not, it is not 0 at
    T = e^(1/L) either, since e^(1/L) is transcendental (Lindemann–Weierstrass) and so is no
    root of a nonzero polynomial with rational coefficients.
    """
    if difference.free_symbols:
        return None
    z = sympy.Dummy("z", real=True)
    lifted = difference.xreplace({sympy.E: sympy.exp(z)}).replace(
        lambda node: isinstance(node, sympy.exp) and node.args[0].is_Rational,
        lambda node: sympy.exp(node.args[0] * z),
    )
    if not lifted.has(z):
        return bool(lifted == 0) if lifted.is_Rational else None
    rewritten = _exponential_form(lifted, z)
    replacements, _ = _exponential_replacements(rewritten, z)
    try:
        zero, _, symbols = is_zero_rational_function(rewritten, replacements)
    except OutsideFragment:
        return None
    only_t = len(symbols) == 1 and isinstance(symbols[0], sympy.Dummy) and symbols[0].name == "T"
    return zero if only_t else None


def rational_normal_form(expr: sympy.Expr, variable: sympy.Symbol) -> tuple[sympy.Expr, str] | None:
    """Reduce ``expr`` to a canonical rational function of independent symbols, or None.

    Returns the reduced numerator and a description of the substitution used.
    """
    substituted, description, generic, radicals = _rational_pieces(expr, variable)
    # A Float is taken at its exact (binary) value, as the numeric check does: rounding it to a
    # "nearby simple number" (nsimplify) would turn x + 1e-50 = x into a false proof.
    substituted = substituted.xreplace({f: sympy.Rational(f) for f in substituted.atoms(sympy.Float)})
    generators = sorted(substituted.free_symbols, key=sympy.default_sort_key)
    if not generators:
        value = evaluate_arithmetic(substituted)
        return (sympy.S.Zero if value == 0 else value), "exact arithmetic"
    try:
        field = sympy.QQ.frac_field(*generators)
        element = field.from_sympy(substituted)
    except (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError):
        return None
    if radicals and element != field.zero:
        element = _reduce_radicals(element, field, radicals)
        if element == field.zero:
            description += "; powers of roots reduced (a root raised to its index is what is under it)"
    numerator = field.to_sympy(element.numer if hasattr(element, "numer") else element)
    if generic:
        description += "; " + _independent(generic)
    return (sympy.S.Zero if element == field.zero else numerator), description


def _reduce_radicals(element, field, radicals: list[tuple[sympy.Dummy, int, sympy.Expr]]):  # noqa: ANN001, ANN202
    """The numerator reduced modulo r^q - base for every root r = base^(1/q) (sound: r^q = base
    holds wherever r is defined), repeated so that roots nested in other roots are reduced too."""
    numerator = field.to_sympy(element.numer)
    for _ in range(len(radicals) + 1):
        changed = False
        for root, q, base in radicals:
            if numerator.has(root) and sympy.degree(numerator, root) >= q:
                try:
                    numerator = sympy.rem(numerator, root**q - base, root)
                except (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError):
                    return element
                numerator = field.to_sympy(field.from_sympy(numerator).numer)
                changed = True
        if not changed:
            break
    try:
        return field.from_sympy(numerator)
    except (sympy.polys.polyerrors.PolynomialError, sympy.CoercionFailed, ValueError, TypeError):
        return element


def exponential_scale(expr: sympy.Expr, variable: sympy.Symbol) -> int:
    """L such that every e^(c x) in ``expr`` (c rational, real or imaginary) is a power of e^(x/L)."""
    coefficients = []
    for power in (e for e in expr.atoms(sympy.exp) if e.has(variable)):
        for term in sympy.Add.make_args(sympy.expand(power.args[0])):
            coefficient = term.coeff(variable)
            if term.has(variable) and term == coefficient * variable:
                real_part, imaginary_part = coefficient.as_real_imag()
                if real_part.is_Rational and imaginary_part.is_Rational:
                    coefficients += [real_part, imaginary_part]
    return math.lcm(*(int(c.q) for c in coefficients)) if coefficients else 1


def _substitute_exponentials(expr: sympy.Expr, variable: sympy.Symbol) -> tuple[sympy.Expr, str]:
    replacements, description = _exponential_replacements(expr, variable)
    return (expr.xreplace(replacements) if replacements else expr), description


def _exponent_terms(argument: sympy.Expr) -> list[tuple[sympy.Expr | None, sympy.Expr, sympy.Expr]]:
    """The terms of an exponent as ``(monomial, real part, imaginary part)`` of a rational
    (Gaussian) coefficient times a monomial in the symbols (``3 w*x`` → ``(w*x, 3, 0)``), or
    ``(None, term, 0)`` for a term that is not such a multiple (``x^(1/2)``, ``x log 2``)."""
    terms = []
    for term in sympy.Add.make_args(sympy.expand(argument)):
        symbols = sorted(term.free_symbols, key=sympy.default_sort_key)
        if not symbols:
            terms.append((None, term, sympy.S.Zero))
            continue
        coefficient, monomial = term.as_independent(*symbols, as_Add=False)
        real_part, imaginary_part = coefficient.as_real_imag()
        powers = sympy.Mul.make_args(monomial)
        is_monomial = all(
            factor.is_Symbol or (factor.is_Pow and factor.base.is_Symbol and factor.exp.is_Integer and factor.exp > 0)
            for factor in powers
        )
        if is_monomial and real_part.is_Rational and imaginary_part.is_Rational:
            terms.append((monomial, real_part, imaginary_part))
        else:
            terms.append((None, term, sympy.S.Zero))
    return terms


def _gaussian(number: sympy.Expr) -> tuple[sympy.Rational | None, sympy.Rational | None]:
    """(a, b) for a number a + b·i with rational a and b, else (None, None)."""
    real_part, imaginary_part = number.as_real_imag()
    if real_part.is_Rational and imaginary_part.is_Rational:
        return real_part, imaginary_part
    return None, None


def _exponential_replacements(expr: sympy.Expr, variable: sympy.Symbol | None) -> tuple[dict[sympy.Basic, sympy.Expr], str]:
    """Each e^(c₁m₁ + c₂m₂ + … + k) in ``expr`` as a product of powers T_m^(c L_m) (and S_m for
    imaginary parts), one T_m = e^(m/L_m) for each monomial m of the symbols that occurs in an
    exponent (x, w*x, b, x^2), and the sentence that describes the substitution.

    Sound: the exponentials of distinct monomials are algebraically independent functions over
    the rational functions in the symbols (Ax's theorem), so a rational function of the symbols
    and the T_m that is identically zero stays zero when each T_m is given its value.
    """
    exponentials = [e for e in expr.atoms(sympy.exp) if e.free_symbols]
    if not exponentials:
        return {}, Described("rational function of ", variable, " cancels") if variable is not None else "rational function cancels"
    parsed = {power: _exponent_terms(power.args[0]) for power in exponentials}
    denominators: dict[sympy.Expr, list[int]] = {}
    for terms in parsed.values():
        for monomial, real_part, imaginary_part in terms:
            if monomial is not None:
                denominators.setdefault(monomial, []).extend((int(real_part.q), int(imaginary_part.q)))
    scales = {monomial: math.lcm(*values) for monomial, values in denominators.items()}
    # a constant's imaginary part (the i in e^(i(x + 1)) = e^(ix)·e^i): e^(i/L₀) is a symbol of its
    # own, so that e^i and e^(-i) are one symbol and its reciprocal (as independent symbols they
    # would not cancel); sound, as an identity in that symbol holds at its value
    constants = {term: _gaussian(term) for terms in parsed.values() for monomial, term, _ in terms
                 if monomial is None and not term.free_symbols}
    constant_scale = math.lcm(1, *(int(imaginary.q) for _, imaginary in constants.values() if imaginary))
    angle_constant = sympy.Dummy("S0")
    # T stands for e^(x/L) of the variable itself (what the facts read limits and roots from);
    # the exponential of any other monomial m gets a symbol named T[m].
    ts = {monomial: sympy.Dummy("T" if monomial == variable or len(scales) == 1 and monomial.is_Symbol else f"T[{monomial}]",
                                positive=True) for monomial in scales}
    ss = {monomial: sympy.Dummy("S") for monomial in scales}
    replacements = {}
    imaginary: set[sympy.Expr] = set()
    for power, terms in parsed.items():
        factors = []
        for monomial, real_part, imaginary_part in terms:
            if monomial is None:
                real, imaginary_constant = constants.get(real_part, (None, None))
                if imaginary_constant:
                    factors.append(sympy.exp(real) * angle_constant ** (imaginary_constant * constant_scale))
                else:
                    factors.append(sympy.exp(real_part))
                continue
            scale = scales[monomial]
            factors.append(ts[monomial] ** (real_part * scale) * ss[monomial] ** (imaginary_part * scale))
            if imaginary_part != 0:
                imaginary.add(monomial)
        replacements[power] = sympy.Mul(*factors)
    if not scales:
        return replacements, Described("rational function of ", variable, " cancels")
    ordered = sorted(scales, key=sympy.default_sort_key)

    def named(letter: str, monomial: sympy.Expr) -> sympy.Eq:
        """T = e^(m/L), as the description shows it."""
        return sympy.Eq(sympy.Symbol(letter), sympy.exp(monomial / scales[monomial], evaluate=False), evaluate=False)

    if len(ordered) == 1:
        (monomial,) = ordered
        if imaginary:
            angle = sympy.Eq(sympy.Symbol("S"), sympy.exp(sympy.I * monomial, evaluate=False), evaluate=False)
            return replacements, Described("rewrite in exponentials, substitute ", named("T", monomial), " and ", angle,
                                           "; the rational function cancels")
        return replacements, Described("substitute ", named("T", monomial), "; the rational function cancels")
    substitutions = listed(named(f"T_{index}", monomial) for index, monomial in enumerate(ordered, start=1))
    lead = "rewrite in exponentials, " if imaginary else ""
    return replacements, Described(f"{lead}substitute ", *substitutions, "; the rational function cancels")


def _replace_generic_atoms(
    expr: sympy.Expr, variable: sympy.Symbol
) -> tuple[sympy.Expr, list[str], list[tuple[sympy.Dummy, int, sympy.Expr]]]:
    """Replace every piece that is not a rational operation by a fresh symbol.

    A rational power ``b^(p/q)`` becomes ``r^p`` for a symbol ``r`` standing for ``b^(1/q)``
    (one per base and q), and the relation ``r^q = b`` is returned so that it can be used.
    """
    replacements: dict[sympy.Basic, sympy.Expr] = {}
    names: list[str] = []
    roots: dict[tuple[sympy.Basic, int], sympy.Dummy] = {}

    def visit(node: sympy.Basic) -> None:
        if node in replacements or node.is_Atom:
            if node.is_Atom and not (node.is_Symbol or node.is_Rational or node.is_Float) and node.is_number:
                replacements.setdefault(node, sympy.Dummy(str(node)))
            return
        if isinstance(node, (sympy.Add, sympy.Mul)):
            for arg in node.args:
                visit(arg)
            return
        if isinstance(node, sympy.Pow) and node.exp.is_Integer:
            visit(node.base)
            return
        if isinstance(node, sympy.Pow) and node.exp.is_Rational:
            root = roots.setdefault((node.base, int(node.exp.q)), sympy.Dummy("R"))
            replacements[node] = root ** int(node.exp.p)
            visit(node.base)
            return
        replacements[node] = sympy.Dummy("A")
        names.append(str(node))

    visit(expr)
    if not replacements:
        return expr, [], []
    radicals = [(root, q, base.xreplace(replacements)) for (base, q), root in roots.items()]
    return expr.xreplace(replacements), sorted(set(names)), radicals


def _independent(generic: list[str]) -> str:
    """How a proof names the functions it treats as letters: "log(x) treated as an independent
    symbol", "e^x, log(2) treated as independent symbols"."""
    ending = " treated as an independent symbol" if len(generic) == 1 else " treated as independent symbols"
    return ", ".join(generic) + ending
