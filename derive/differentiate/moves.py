"""Named algebraic moves, and a builder that chains steps into one derivation.

Every move is a step of its own with a rule name and an annotation; none of them is an opaque
"simplify". Each move states the rewrite it makes; the verifier proves it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import sympy

from derive.expressions import product, rebuild, replace_node, total
from derive.model import Annotation, Notation, Step, listed, say
from derive.printing import printed_args, textbook_kind, to_plain


class StepChain:
    """A chain of equalities under construction: each step starts where the last one ended."""

    def __init__(self, start: sympy.Expr, *, notation: Notation = "fractions") -> None:
        self.current = start
        self.notation: Notation = notation
        self.steps: list[Step] = []

    def step(
        self,
        rule: str,
        annotation: Annotation,
        after: sympy.Expr,
        *,
        substeps: Iterable[Step] = (),
        notation: Notation | None = None,
        details: tuple[tuple[str, sympy.Basic | str], ...] = (),
    ) -> None:
        if notation is not None:
            self.notation = notation
        self.steps.append(
            Step(
                rule=rule,
                annotation=annotation,
                before=self.current,
                after=after,
                substeps=tuple(substeps),
                details=details,
                notation=self.notation,
            )
        )
        self.current = after

    def rewrite(self, rule: str, annotation: Annotation, target: sympy.Expr, replacement: sympy.Expr, **options: object) -> None:
        """A step that replaces the sub-expression ``target`` by ``replacement`` and leaves the rest."""
        self.step(rule, annotation, replace_node(self.current, target, replacement), **options)  # type: ignore[arg-type]

    def extend(self, steps: Iterable[Step]) -> None:
        for step in steps:
            if step.before != self.current:
                raise ValueError(f"step '{step.rule}' does not start where the chain ended")
            self.steps.append(step)
            self.current = step.after

    def result(self) -> tuple[Step, ...]:
        return tuple(self.steps)


def complement_steps(numerator: sympy.Expr, variable: sympy.Symbol) -> tuple[sympy.Expr, tuple[Step, ...]]:
    """a/(1 + a) = 1 − 1/(1 + a), shown by adding and subtracting 1 in the numerator."""
    denominator = total(sympy.S.One, numerator)
    chain = StepChain(sympy.Mul(numerator, sympy.Pow(denominator, -1, evaluate=False), evaluate=False))
    chain.step(
        "add_and_subtract",
        say("Add and subtract 1 in the numerator."),
        sympy.Mul(total(sympy.S.One, numerator, sympy.S.NegativeOne), sympy.Pow(denominator, -1, evaluate=False), evaluate=False),
    )
    chain.step(
        "split_fraction",
        say("Split the fraction; the first part is 1."),
        total(
            sympy.Mul(denominator, sympy.Pow(denominator, -1, evaluate=False), evaluate=False),
            sympy.Mul(sympy.S.NegativeOne, sympy.Pow(denominator, -1, evaluate=False), evaluate=False),
        ),
    )
    result = total(sympy.S.One, sympy.Mul(sympy.S.NegativeOne, sympy.Pow(denominator, -1, evaluate=False), evaluate=False))
    chain.step("drop_neutral", say("A fraction whose numerator equals its denominator is 1."), result)
    return result, chain.result()


def split_off_reciprocal(numerator: sympy.Expr, base: sympy.Expr) -> sympy.Expr:
    """a/b² written as (1/b)·(a/b)."""
    return product(sympy.Pow(base, -1, evaluate=False), numerator / base)


#: What multiplying out did to one part of an expression: the kinds a step's name and words say.
ArithmeticKind = Literal["numbers", "cancel", "powers", "like_terms", "values", "fraction", "constants_first"]


@dataclass(frozen=True, kw_only=True)
class ArithmeticChange:
    """One part of an expression that multiplying out rewrote: ``before`` (as the line before
    wrote it) became ``after``; ``kinds`` say what happened (numbers multiplied, a factor and its
    reciprocal cancelled, powers of one base combined, like terms collected, a value computed)."""

    kinds: frozenset[str]
    before: sympy.Expr
    after: sympy.Expr


def multiply_out(expr: sympy.Basic) -> tuple[sympy.Basic, tuple[ArithmeticChange, ...]]:
    """``expr`` with its arithmetic done (signs and numbers multiplied, x·(1/x) cancelled, powers
    of one base and like terms combined), every product and sum kept in the order it was written
    (numbers first in a product, reciprocals last): a move that only reorders is no move. Returns
    the result and the parts that changed, outermost first.

    >>> from derive.functions import variable
    >>> x = variable()
    >>> after, changes = multiply_out(total(sympy.log(x), product(x, 1 / x)))
    >>> after, [sorted(change.kinds) for change in changes]
    (log(x) + 1, [['cancel']])
    """
    if not expr.args or expr.is_Atom or isinstance(expr, sympy.Derivative):
        return expr, ()
    results = [multiply_out(arg) for arg in expr.args]
    args = tuple(result for result, _ in results)
    inner = tuple(change for _, changes in results for change in changes)
    written = rebuild(expr, args)
    if isinstance(expr, sympy.Mul):
        after, kinds = _multiplied(args)
    elif isinstance(expr, sympy.Add):
        after, kinds = _added(args)
    elif isinstance(expr, sympy.Pow) and args[0].is_Mul and after_is_spread(args):
        return written, inner  # 1/(|x| sqrt(x^2 - 1)) stays so: SymPy spreads the power over the factors
    else:
        after = expr.func(*args)
        # a power SymPy only stores another way (1/√u as u^(-1/2)) prints the same: no change
        kinds = frozenset() if after == written or to_plain(after) == to_plain(written) else frozenset(
            {"values" if isinstance(expr, sympy.Function) else "powers" if isinstance(expr, sympy.Pow) and not after.is_number
             else "numbers"})
    if not kinds:
        return (after if inner else written), inner
    return after, (ArithmeticChange(kinds=kinds | {kind for change in inner for kind in change.kinds}, before=expr, after=after),)


def after_is_spread(args: tuple[sympy.Basic, ...]) -> bool:
    """Whether SymPy's power of a product, (ab)^n, only spreads the exponent over the factors."""
    base, exponent = args
    return sympy.Pow(base, exponent) == sympy.Mul(*(sympy.Pow(factor, exponent) for factor in base.args))


def _flattened(args: Iterable[sympy.Basic], kind: type) -> list[sympy.Basic]:
    return [leaf for arg in args for leaf in (_flattened(arg.args, kind) if isinstance(arg, kind) else (arg,))]


def _multiplied(args: tuple[sympy.Basic, ...]) -> tuple[sympy.Basic, frozenset[str]]:
    """A product's factors multiplied out; the kinds of change (none: it only reorders).

    A sum stays a factor of its own (each stands in as a placeholder while SymPy multiplies):
    (a + b)(a + b) is expanded by a later move, not squared here, and −(a + b) keeps its brackets."""
    factors = _flattened(args, sympy.Mul)
    # so does a power of a product (1/(|x| sqrt(x^2 - 1)): SymPy would spread it over the factors)
    kept = [factor for factor in factors if factor.is_Add or factor.is_Pow and factor.base.is_Mul]
    sums = {sympy.Dummy(): factor for factor in kept}
    placeholders = iter(sums)
    factors = [next(placeholders) if any(factor is other for other in kept) else factor for factor in factors]
    numbers = [factor for factor in factors if factor.is_Number]
    others = [factor for factor in factors if not factor.is_Number]
    coefficient = sympy.Mul(*numbers)
    if coefficient == 0:
        return sympy.S.Zero, frozenset({"numbers"})
    found, rest = sympy.Mul(*factors).as_coeff_mul()
    # a factor SymPy only stores another way (1/√u as u^(-1/2)) combines and cancels nothing
    others = [factor.func(*factor.args) if factor.is_Pow else factor for factor in others]
    written_back = lambda parts: product(*(sums.get(part, part) for part in parts)) if parts else sympy.S.One  # noqa: E731
    if found == coefficient and Counter(rest) == Counter(others):
        # nothing but numbers to multiply (or brackets to drop): a product that only reorders is left as written
        flattened = len(factors) != len(args)
        if len(numbers) == 1 and abs(numbers[0]) != 1 and factors[0] is not numbers[0]:
            # e^(2x)·2 = 2e^(2x): the one number moved to the front (reciprocals last, when brackets go)
            ordered = _textbook_order(others, sums) if flattened else _textbook_order(others, sums, reciprocals_last=False)
            return written_back([numbers[0], *ordered]), frozenset({"constants_first"})
        if flattened and len(numbers) <= 1 and 1 not in numbers and (not numbers or factors[0] is numbers[0]) and any(
                map(_is_reciprocal, others)):
            # a/b·c written as one fraction, a·c/b: nothing multiplied, the fraction made one
            return written_back(numbers + _textbook_order(others, sums)), frozenset({"fraction"})
        if len(numbers) <= 1 and 1 not in numbers and (not numbers or factors[0] is numbers[0]):
            canonical = sympy.Mul(*args)
            shown = [factor for factor in printed_args(canonical) if not _is_reciprocal(factor)]
            # SymPy's own product when it shows the same order (a fraction, (1 - ln x)/x^2), else as written
            same = canonical.is_Mul and shown == [factor for factor in args if not _is_reciprocal(factor)]
            return (canonical if same else sympy.Mul(*args, evaluate=False)), frozenset()
        ordered = _textbook_order(others, sums)
        return written_back(ordered if coefficient == 1 else [coefficient, *ordered]), frozenset({"numbers"})
    bases_before = {factor.as_base_exp()[0] for factor in others}
    bases_after = {factor.as_base_exp()[0] for factor in rest}
    cancelled = found == coefficient and bool(bases_before - bases_after)
    kinds = {"cancel" if cancelled else "powers"} | ({"numbers"} if len(numbers) > 1 or numbers and found != coefficient else set())
    combined = sympy.Mul(found, *rest)
    if not sums:
        return combined, frozenset(kinds)
    return written_back([found, *rest] if found != 1 else list(rest)), frozenset(kinds)


def _textbook_order(factors: list[sympy.Basic], sums: dict[sympy.Dummy, sympy.Basic], *,
                    reciprocals_last: bool = True) -> list[sympy.Basic]:
    """Factors as a textbook writes a product once its numbers are multiplied out: constants
    (√2, π), then powers of a letter (x, x²), then everything else in the order written, and
    reciprocals last: 2x cos(x²), never 2 cos(x²) x as the chain rule wrote cos(x²) · 2x.
    ``sums`` holds the placeholders that stand for sums (letters that are not letters)."""
    def rank(factor: sympy.Basic) -> tuple[bool, int]:
        reciprocal = reciprocals_last and _is_reciprocal(factor)
        return reciprocal, textbook_kind(1 / factor if reciprocal else factor, sums)
    return sorted(factors, key=rank)


def _added(args: tuple[sympy.Basic, ...]) -> tuple[sympy.Basic, frozenset[str]]:
    """A sum with like terms collected, in the order the terms were written; the kinds of change."""
    terms = _flattened(args, sympy.Add)
    evaluated = sympy.Add(*terms)
    groups: dict[sympy.Basic, list[sympy.Basic]] = {}
    for term in terms:
        coefficient, rest = term.as_coeff_Mul()
        groups.setdefault(rest, []).append(coefficient)
    kinds = set()
    collected = []
    for rest, coefficients in groups.items():
        if len(coefficients) > 1:
            kinds.add("numbers" if rest == 1 else "cancel" if sum(coefficients) == 0 else "like_terms")
        coefficient = sum(coefficients)
        if coefficient != 0:
            collected.append(sympy.Mul(coefficient, rest) if len(coefficients) > 1 else
                             next(term for term in terms if term.as_coeff_Mul() == (coefficients[0], rest)))
    if Counter(collected) != Counter(evaluated.args if evaluated.is_Add else (evaluated,) if evaluated != 0 else ()):
        return evaluated, frozenset(kinds or {"numbers"})
    if (len(collected) == 2 and kinds - {"numbers"} and collected[0].could_extract_minus_sign()
            and not collected[1].could_extract_minus_sign()):
        # two collected terms, the first negative, start with the positive one: 1 - x^2, as a
        # textbook (and SymPy's own order, positive first) writes it, not -x^2 + 1
        collected.reverse()
    after = total(*collected) if collected else sympy.S.Zero
    if evaluated.is_Add and printed_args(evaluated) == tuple(collected):
        after = evaluated  # SymPy's own sum prints the same: one form for one sum (e^x - e^(-x) twice is a square)
    return after, frozenset(kinds)


def _is_reciprocal(factor: sympy.Basic) -> bool:
    return bool(factor.is_Pow and factor.exp.is_negative)


#: The longest part (as plain text) a step's words write out as an equation: "x · 1/x = 1".
_LONGEST_SHOWN = 48

#: Each kind of change: the rule it names (the weightiest first) and the words that say it.
_ARITHMETIC_RULES: tuple[tuple[str, str, str], ...] = (
    ("cancel", "cancel", "Cancel"),
    ("powers_and_like_terms", "combine_like_terms", "Combine the powers of one base and the like terms"),
    ("powers", "combine_powers", "Combine the powers of one base"),
    ("like_terms", "combine_like_terms", "Combine like terms"),
    ("values", "evaluate_arithmetic", "Evaluate"),
    ("fraction", "one_fraction", "Write the product as one fraction"),
    ("constants_first", "constants_first", "Put the numeric factor first"),
)


def arithmetic_step(changes: tuple[ArithmeticChange, ...]) -> tuple[str, Annotation]:
    """The rule and the words of a step that made ``changes`` (from :func:`multiply_out`): a
    cancellation says so and shows it (x · 1/x = 1), and so do combined powers and like terms;
    a step that only multiplies signs and numbers says that."""
    kinds = {kind for change in changes for kind in change.kinds}
    if "numbers" in kinds:
        kinds -= {"constants_first", "fraction"}  # multiplying the numbers out puts them first and makes the fraction
    if {"powers", "like_terms"} <= kinds:
        kinds.add("powers_and_like_terms")  # x(2x) = 2x², then x² − 2x² = −x²: both, as one step says
    for kind, rule, words in _ARITHMETIC_RULES:
        if kind not in kinds:
            continue
        telling = [change for change in changes if change.kinds & kinds - {"numbers"}]
        shown = [sympy.Eq(change.before, change.after, evaluate=False) for change in telling
                 if len(to_plain(change.before)) <= _LONGEST_SHOWN]
        segments: list[object] = [words]
        if shown and len(shown) == len(telling):
            segments += [": ", *listed(shown, "; ", " and ")]
        if "numbers" in kinds:
            segments.append(", and multiply out the signs and the numeric factors" if kind != "values" else
                            ", and multiply out the signs")
        return rule, say(*segments, ".")
    return "evaluate_arithmetic", say("Multiply out the signs and the numeric factors.")


def enclosing_product(expr: sympy.Basic, node: sympy.Basic) -> sympy.Basic | None:
    """The largest product around the first ``node`` in ``expr`` (``node`` itself when it is no
    factor of a product), or None when ``node`` is not in ``expr``: −d/dx e^(−x) for d/dx e^(−x)
    in (eˣ + e⁻ˣ)(−d/dx e^(−x) + d/dx eˣ)."""

    def search(tree: sympy.Basic, top: sympy.Basic | None) -> sympy.Basic | None:
        if tree == node:
            return top if top is not None else tree
        if isinstance(tree, sympy.Derivative) or not tree.args:
            return None
        below = (top if top is not None else tree) if isinstance(tree, sympy.Mul) else None
        return next((found for arg in tree.args if (found := search(arg, below)) is not None), None)

    return search(expr, None)


def replace_in_printed_order(expr: sympy.Basic, target: sympy.Basic, replacement: sympy.Basic) -> sympy.Basic:
    """:func:`~derive.expressions.replace_node`, with every sum and product it rebuilds kept in
    the order the line before printed it: (eˣ − e⁻ˣ)·d/dx(eˣ + e⁻ˣ) becomes (eˣ − e⁻ˣ)·(eˣ + …),
    never (eˣ + …)·(eˣ − e⁻ˣ) (SymPy's order of a product it built is not the order it prints)."""
    if expr == target:
        return replacement
    if not expr.args or isinstance(expr, sympy.Derivative) and not expr.has(target):
        return expr
    ordered = printed_args(expr) if isinstance(expr, (sympy.Add, sympy.Mul)) else expr.args
    args = tuple(replace_in_printed_order(arg, target, replacement) for arg in ordered)
    if args == ordered:
        return expr
    return rebuild(expr, args)


#: The Pythagorean identities a textbook uses at once, as (the square, the other square, the
#: other's sign): sin²u + cos²u = 1 and cosh²u − sinh²u = 1.
_PYTHAGOREAN = ((sympy.sin, sympy.cos, 1), (sympy.cosh, sympy.sinh, -1))


def pythagorean(chain: StepChain, result: sympy.Expr) -> sympy.Expr:
    """``result`` with each sin²u + cos²u (times one coefficient c, in any sum) written c, and
    each cosh²u − sinh²u likewise: the quotient rule's (sin²x + cos²x)/cos²x is 1/cos²x. A
    named step, proved by the verify stage; the identity used is stated with the u it is used at."""
    used: list[sympy.Expr] = []

    def tidy(node: sympy.Basic) -> sympy.Basic:
        if not node.is_Add:
            return node
        terms = list(node.args)
        while (pair := _pythagorean_pair(terms)) is not None:
            (i, j), coefficient, identity = pair
            terms = [term for k, term in enumerate(terms) if k not in (i, j)] + [coefficient]
            if identity not in used:
                used.append(identity)
        return sympy.Add(*terms) if len(terms) != len(node.args) else node

    after = result.replace(lambda node: node.is_Add, tidy)
    if not used or after == result:
        return result
    chain.step("pythagorean", say("Use ", *listed(used, last=" and "), "."), after)
    return after


#: Quotients a textbook writes as one function: (numerator's function, denominator's, the quotient).
_QUOTIENTS = ((sympy.sin, sympy.cos, sympy.tan), (sympy.cos, sympy.sin, sympy.cot),
              (sympy.sinh, sympy.cosh, sympy.tanh), (sympy.cosh, sympy.sinh, sympy.coth))


def quotient_identity(chain: StepChain, result: sympy.Expr) -> sympy.Expr:
    """``result`` with each sin u / cos u written tan u (cos/sin as cot, sinh/cosh as tanh,
    cosh/sinh as coth; to any whole power): d/dx ln(cos x) ends at −tan x, as a textbook writes it,
    not −sin x/cos x. A named step, proved by the verify stage; the identity is stated at its u."""
    used: list[sympy.Expr] = []

    def tidy(node: sympy.Basic) -> sympy.Basic:
        factors = list(node.args)
        changed = False
        for top, bottom, quotient in _QUOTIENTS:
            for factor in list(factors):
                base, power = factor.as_base_exp()
                if not (isinstance(base, top) and power.is_Integer and power > 0 and factor in factors):
                    continue
                u = base.args[0]
                partner = bottom(u) ** -power
                if partner not in factors:
                    continue
                factors.remove(factor)
                factors.remove(partner)
                factors.append(quotient(u) ** power)
                identity = sympy.Eq(sympy.Mul(top(u), sympy.Pow(bottom(u), -1, evaluate=False), evaluate=False),
                                    quotient(u), evaluate=False)
                if identity not in used:
                    used.append(identity)
                changed = True
        return sympy.Mul(*factors) if changed else node

    after = result.replace(lambda node: node.is_Mul, tidy)
    if not used or after == result:
        return result
    chain.step("quotient_identity", say("Write ", *listed(used, last=" and "), "."), after)
    return after


def _pythagorean_pair(terms: list[sympy.Expr]) -> tuple[tuple[int, int], sympy.Expr, sympy.Eq] | None:
    """Two terms c·sin²u and c·cos²u (or c·cosh²u and −c·sinh²u): their positions, c, and the identity."""
    for first, second, sign in _PYTHAGOREAN:
        for i, term in enumerate(terms):
            factors = sympy.Mul.make_args(term)
            square = next((factor for factor in factors if factor.is_Pow and factor.exp == 2
                           and isinstance(factor.base, first)), None)
            if square is None:
                continue
            u = square.base.args[0]
            coefficient = sympy.Mul(*(factor for factor in factors if factor is not square))
            partner = sign * coefficient * second(u) ** 2
            j = next((j for j, other in enumerate(terms) if j != i and sympy.expand(other - partner) == 0), None)
            if j is not None:
                identity = sympy.Eq(sympy.Add(first(u) ** 2, sign * second(u) ** 2), 1, evaluate=False)
                return (i, j), coefficient, identity
    return None
