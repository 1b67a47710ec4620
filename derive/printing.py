"""How expressions are written: LaTeX for documents, SymPy ``str`` for JSON.

One printer class with a few settings that a derivation needs and SymPy's printer lacks:
negative powers written as powers (the "rewrite as a power" step), ``e^{u}`` or ``\\exp(u)``,
a chosen symbol for σ, and compact derivative notation (σ′(x), d/dx).
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter
from sympy.printing.precedence import PRECEDENCE, precedence_traditional

from derive.expressions import Partial
from derive.functions import NamedFunction, SoftmaxOutput, log_base, sigma

#: How an expression is written: negative powers as fractions (SymPy's default) or as powers.
Notation = Literal["fractions", "powers"]


@dataclass(frozen=True, kw_only=True)
class LatexStyle:
    """Notation options a paper may need. The defaults suit lecture handouts."""

    exponential: Literal["e", "exp"] = "e"
    sigma_symbol: str = r"\sigma"
    #: Write every derivative with ∂ (a document about a function of several inputs, the softmax).
    partial_derivatives: bool = False
    #: Write every fraction that has a short decimal expansion as that decimal (1.5, 0.25; 1/3
    #: stays a fraction): for an expression typed with decimals (x^1.5, 0.5x² + 2.5x), whose
    #: derivation a textbook writes in decimals too (1.5√x, x + 2.5).
    decimals: bool = False


DEFAULT_STYLE = LatexStyle()


class _PositiveFirst:
    """A sum SymPy ordered is written as a textbook writes it: starting with a term that is not
    negative when it has one (cos x - sin x, not -sin x + cos x; ŷ - y; x - x²). A sum kept as
    written (a derivation's own move) keeps its order."""

    def _as_ordered_terms(self, expr: sympy.Basic, order: str | None = None) -> list[sympy.Basic]:
        return list(_ordered_terms(expr, order or self.order))  # type: ignore[attr-defined]


#: SymPy's own ordering of a sum's terms (a printer with no settings of its own).
_ORDERING = StrPrinter()


@lru_cache(maxsize=8192)
def _ordered_terms(expr: sympy.Basic, order: str | None) -> tuple[sympy.Basic, ...]:
    """The terms of a sum in the order :class:`_PositiveFirst` prints them, remembered: SymPy's
    ordering is slow, and a derivation prints the same sums in many steps and in every format
    (expressions are immutable and compared structurally, so the key is exact)."""
    terms = _ORDERING._as_ordered_terms(expr, order=order)
    if order == "none" or not terms or not terms[0].could_extract_minus_sign():
        return tuple(terms)
    index = next((index for index, term in enumerate(terms) if not term.could_extract_minus_sign()), None)
    if index is None:
        return tuple(terms)
    if _polynomial_terms(terms) and not terms[-1].could_extract_minus_sign():
        return tuple(reversed(terms))  # a polynomial by rising powers: 3 - 2x - x², not 3 - x² - 2x
    return (terms[index], *terms[:index], *terms[index + 1 :])


def _polynomial_terms(terms: list[sympy.Basic]) -> bool:
    """Whether the terms are a polynomial in one letter, each a number times a power of it, that
    SymPy ordered by falling powers (-x² - 2x + 3)."""
    letters = set().union(*(term.free_symbols for term in terms))
    if len(letters) != 1:
        return False
    monomials = [term.as_coeff_exponent(next(iter(letters))) for term in terms]
    if not all(coefficient.is_Number and degree.is_Integer and degree >= 0 for coefficient, degree in monomials):
        return False
    degrees = [int(degree) for _, degree in monomials]
    return degrees == sorted(degrees, reverse=True) and len(set(degrees)) == len(degrees)


#: A fraction whose numerator prints this many times as many words as its denominator is written
#: as a short fraction times its sums (see :meth:`DeriveLatexPrinter._print_long_fraction`).
LONG_FRACTION_RATIO = 6


class DeriveLatexPrinter(_PositiveFirst, LatexPrinter):
    """SymPy's LaTeX printer with derive's notation settings."""

    _default_settings = {
        **LatexPrinter._default_settings,
        "negative_powers": "fractions",
        "exponential": "e",
        "sigma_symbol": r"\sigma",
        "partial_derivatives": False,
        "decimals": False,
    }

    def _print_Pow(self, expr: sympy.Pow) -> str:
        exponent = expr.exp
        if (
            self._settings["negative_powers"] == "powers"
            and exponent.is_Rational
            and exponent.is_negative
            and not expr.base.is_Symbol
            and not expr.base.is_Number
        ):
            base = self.parenthesize(expr.base, PRECEDENCE["Pow"], strict=True)
            if not base.startswith(r"\left("):
                base = rf"\left({base}\right)" if expr.base.is_Add or expr.base.is_Mul else base
            return f"{base}^{{{self._print(exponent)}}}"
        return super()._print_Pow(expr)

    def _print_Rational(self, expr: sympy.Rational) -> str:
        decimal = written_decimal(expr, every=self._settings["decimals"])
        return decimal if decimal is not None else super()._print_Rational(expr)

    def _print_Mul(self, expr: sympy.Mul) -> str:
        if expr.is_Pow:
            # SymPy hands a negative power (1/√(1 − x²), written unevaluated) to the product printer:
            # write it as the fraction it is, never the power's arguments as factors (√(1 − x²) · (−1))
            below = _below(expr)
            if below.could_extract_minus_sign():
                return rf"- \frac{{1}}{{{self._print(-below)}}}"
            return rf"\frac{{1}}{{{self._print(below)}}}"
        denominator = _reciprocals_as_one_denominator(expr)
        if denominator is not None:
            return rf"\frac{{1}}{{{self._print(denominator)}}}"
        decimal = decimal_coefficient(expr, every=self._settings["decimals"])
        if decimal is not None:
            # 0.044715 x^3, as the user wrote it, not 8943 x^3/200000
            negative, written, rest = decimal
            shown = rf"\left({self._print(rest)}\right)" if rest.is_Add else self._print(rest)
            # a number after the decimal takes a dot: 0.044715 \cdot 3 x^2, never 0.0447153x^2
            joiner = r" \cdot " if shown[:1].isdigit() else " "
            return f"{'- ' if negative else ''}{written}{joiner}{shown}"
        factors = list(expr.args)
        below = [_below(f) for f in factors if f.is_Pow and f.exp.is_negative]
        if is_unevaluated(expr) and len(below) > 1 and any(base.is_Number for base in below):
            # 1/(x ln 2) at x = 1: the denominator 1 · ln 2, never the juxtaposed "1 ln 2"
            above = [f for f in factors if not (f.is_Pow and f.exp.is_negative)]
            numerator = self._print(sympy.Mul(*above, evaluate=False)) if above else "1"
            return rf"\frac{{{numerator}}}{{{self._print(sympy.Mul(*below, evaluate=False))}}}"
        plainly = _printed_plainly(factors)
        if self._settings["negative_powers"] == "powers" and any(_is_reciprocal(arg) for arg in factors):
            if not plainly:
                # An evaluated product in power notation: the reciprocal factors go last.
                factors = sorted(factors, key=_is_reciprocal)
            return self._print_product_plainly(factors)
        if plainly or (is_unevaluated(expr) and _juxtaposes_a_number(factors)):
            return self._print_product_plainly(factors)
        long_fraction = self._print_long_fraction(expr)
        if long_fraction is not None:
            return long_fraction
        if not written_product(expr):
            reordered = powers_of_letters_first(expr)
            return super()._print_Mul(expr) if reordered is None else self._print_reordered(reordered)
        order, self._settings["order"] = self._settings["order"], "none"
        try:
            return super()._print_Mul(expr)
        finally:
            self._settings["order"] = order

    def _print_reordered(self, expr: sympy.Mul) -> str:
        """A product of :func:`powers_of_letters_first`: a dot before a factor that starts with a
        digit (6 x \\cdot 2^{x}, never 6 x 2^{x}), brackets around a sum."""
        factors = list(expr.args)
        sign = ""
        if factors[0].is_Number and factors[0].is_negative:
            sign = "- "
            factors = factors[1:] if factors[0] == -1 else [-factors[0], *factors[1:]]
        text = ""
        for factor in factors:
            shown = (rf"\left({self._print(factor)}\right)" if factor.is_Add
                     else self.parenthesize(factor, PRECEDENCE["Mul"]))
            text += shown if not text else (r" \cdot " if shown[:1].isdigit() else " ") + shown
        return sign + text

    def _print_long_fraction(self, expr: sympy.Mul) -> str | None:
        r"""A product of sums (or a sum) over a constant, as a textbook writes it: a short
        fraction times the sums, a dot before each (a line may break there), not one fraction whose
        numerator runs across the page: ``\frac{\sqrt{2} x}{2 \sqrt{\pi}} \cdot \left(1 - \tanh^{2} u\right) \cdot ...``."""
        if (self._settings["negative_powers"] != "fractions" or not any(arg.is_Add for arg in expr.args)
                or expr.could_extract_minus_sign()):
            return None
        numerator, denominator = sympy.fraction(expr, exact=True)
        if denominator == 1 or denominator.free_symbols or not (numerator.is_Mul or numerator.is_Add):
            return None  # a quotient of functions stays a fraction: (g f' - f g')/g^2
        ordered = list(numerator.args) if written_product(expr) else numerator.as_ordered_factors()
        factors = ordered if numerator.is_Mul else [numerator]
        sums = [factor for factor in factors if factor.is_Add]
        if not sums or len(self._print(numerator).split()) <= LONG_FRACTION_RATIO * len(self._print(denominator).split()):
            return None
        short = sympy.Mul(*(factor for factor in factors if not factor.is_Add)) / denominator
        return r" \cdot ".join([self._print(short), *(rf"\left({self._print(factor)}\right)" for factor in sums)])

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        written = as_written(expr)
        if written and any(term.is_Add for term in expr.args):
            # a sum inside a sum needs no brackets: (w_2 h + b_2) - y after a substitution reads w_2 h + b_2 - y
            expr = sympy.Add(*_terms(expr), evaluate=False)
        if written:
            latex = super()._print_Add(expr, order="none")
        else:
            # a sum SymPy built is printed in SymPy's order (2x - 2) also inside a product printed as
            # written, whose "none" order would otherwise reach it (-2 + 2x beside 2x - 2 in the prompt)
            inherited, self._settings["order"] = self._settings["order"], None
            try:
                latex = super()._print_Add(expr, order=order)
            finally:
                self._settings["order"] = inherited
        # a term that prints its own minus (-y · 1/a) is subtracted: "a - y", never "a + - y"
        return latex.replace(" + - ", " - ")

    def _print_product_plainly(self, factors: list[sympy.Expr]) -> str:
        """Each factor printed on its own, in the given order, joined by a centred dot."""
        sign = ""
        if factors[0] == -1 and len(factors) > 1:
            sign, factors = "-", factors[1:]
        elif factors[0].is_Number and factors[0].is_negative:
            sign, factors = "-", [-factors[0], *factors[1:]]
        pieces = []
        for position, factor in enumerate(factors):
            text = self._print(factor)
            negative = factor.could_extract_minus_sign() and not (position == 0 and not sign and not factor.is_Add)
            if negative or precedence_traditional(factor) < PRECEDENCE["Mul"]:
                text = rf"\left({text}\right)"
            pieces.append(text)
        return sign + r" \cdot ".join(pieces)

    def _print_exp(self, expr: sympy.exp, exp: str | None = None) -> str:
        if self._settings["exponential"] == "exp":
            text = rf"\exp\left({self._print(expr.args[0])}\right)"
            return text if exp is None else rf"{text}^{{{exp}}}"
        return super()._print_Pow(sympy.Pow(sympy.E, expr.args[0], evaluate=False)) if exp is None else (
            rf"\left({self._print(expr)}\right)^{{{exp}}}"
        )

    def _print_Function(self, expr: sympy.Function, exp: str | None = None) -> str:
        # SymPy dispatches subclasses of Function only to _print_<own class name>, so catalogue
        # functions (NamedFunction subclasses) are recognised here.
        if isinstance(expr, NamedFunction):
            text = expr.latex_symbol()
            if type(expr).show_arguments and len(expr.args) == 1:
                text += self._argument(expr.args[0])
            elif type(expr).show_arguments:
                text += rf"\left({', '.join(self._print(arg) for arg in expr.args)}\right)"
            return text if exp is None else rf"{text}^{{{exp}}}"
        return super()._print_Function(expr, exp)

    def _print_sigma(self, expr: sigma, exp: str | None = None) -> str:
        text = rf"{self._settings['sigma_symbol']}{self._argument(expr.args[0])}"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _print_log_base(self, expr: log_base, exp: str | None = None) -> str:
        u, base = expr.args
        text = rf"\log_{{{self._print(base)}}}{{{self._argument(u)}}}"
        return text if exp is None else rf"{text}^{{{exp}}}"

    def _argument(self, argument: sympy.Basic) -> str:
        """(x) for a symbol or number, \\left( ... \\right) around anything taller."""
        text = self._print(argument)
        if argument.is_Symbol or argument.is_Integer or (argument.could_extract_minus_sign() and (-argument).is_Symbol):
            return f"({text})"
        return rf"\left({text}\right)"

    def _function_name(self, target: sympy.Basic) -> str | None:
        """The LaTeX name of a named one-argument function (σ, tanh, ...), or None."""
        if isinstance(target, sigma):
            return self._settings["sigma_symbol"]
        if isinstance(target, sympy.Function) and len(target.args) == 1:
            return getattr(type(target), "latex_name", None)
        return None

    def _print_And(self, expr: sympy.And) -> str:
        chain = chained_bounds(expr)
        if chain is None:
            parts = conjunction_parts(expr)
            if not parts and all(isinstance(part, sympy.core.relational.Relational) for part in expr.args):
                parts = list(expr.args)  # x ≠ 0, cos x ≠ 0: listed as a textbook lists them, never with ∧
            if not parts:
                return super()._print_And(expr)
            return ", ".join(rf"\left({self._print(part)}\right)" if isinstance(part, sympy.Or) else self._print(part)
                             for part in parts)
        low, first, symbol, second, high = chain
        signs = {"<": "<", "<=": r"\leq"}
        return f"{self._print(low)} {signs[first]} {self._print(symbol)} {signs[second]} {self._print(high)}"

    def _print_Or(self, expr: sympy.Or) -> str:
        parts = disjunction_parts(expr)
        if parts is None:
            return super()._print_Or(expr)
        return r" \; \operatorname{or} \; ".join(self._print(part) for part in parts)  # \text is never sent to MathML

    def _print_Piecewise(self, expr: sympy.Piecewise) -> str:
        """Cases with every condition written out as mathematics ("otherwise" becomes the actual
        complement), so no \\text{...} reaches the MathML converter."""
        rows, earlier = [], sympy.false
        for piece, condition in expr.args:
            effective = sympy.Not(earlier) if condition is sympy.true and earlier is not sympy.false else condition
            shown = "" if effective is sympy.true else self._print(effective)
            rows.append(rf"{self._print(piece)} & {shown}")
            earlier = sympy.Or(earlier, condition)
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    def _print_Subs(self, subs: sympy.Subs) -> str:
        expr, (variable,), (point,) = subs.args
        if isinstance(expr, sympy.Derivative) and len(expr.variable_count) == 1:
            (wrt, order), target = expr.variable_count[0], expr.expr
            name = self._function_name(target)
            if wrt == variable and name is not None and target.args == (variable,) and order <= 3:
                return rf"{name}{chr(39) * order}{self._argument(point)}"
        return super()._print_Subs(subs)

    def _print_Derivative(self, expr: sympy.Derivative) -> str:
        variables = expr.variable_count
        if len(variables) != 1:  # a mixed partial: ∂²f/∂b∂w, the last variable first, as textbooks write it
            total = sum(order for _, order in variables)
            below = " ".join(rf"\partial {self._print(v)}" + (f"^{{{order}}}" if order > 1 else "")
                             for v, order in reversed(variables))
            body = self._print(expr.expr)
            if not (expr.expr.is_Symbol or isinstance(expr.expr, sympy.Function)):
                body = rf"\left({body}\right)"
            return rf"\frac{{\partial^{{{total}}}}}{{{below}}} {body}"
        variable, order = variables[0]
        target = expr.expr
        d = r"\partial" if is_partial(expr) or self._settings["partial_derivatives"] else "d"
        power = "" if order == 1 else f"^{{{order}}}"
        shown = self._print(variable)
        if isinstance(target, sympy.Indexed) or (isinstance(target, NamedFunction) and not type(target).show_arguments):
            name = self._print(target) if isinstance(target, sympy.Indexed) else target.latex_symbol()
            return rf"\frac{{\partial{power} {name}}}{{\partial {shown}{power}}}"
        if target.is_Symbol and target != variable:  # du/dx, dL/dw, for a letter that stands for an expression
            return rf"\frac{{{d}{power} {self._print(target)}}}{{{d} {shown}{power}}}"
        name = self._function_name(target)
        if name is not None and target.args == (variable,) and order <= 3:
            return rf"{name}{chr(39) * order}{self._argument(variable)}"
        if name is not None and len(target.args) == 1 and target.args[0].is_Symbol and target.args[0] != variable and order == 1:
            return rf"\frac{{d {name}}}{{d {shown}}}"  # dσ/du, after u = ... (never for σ(3x): that is d/dx σ(3x))
        if _at_its_parameters(target, variable):
            name = target.latex_symbol() if isinstance(target, NamedFunction) else self._print(sympy.Symbol(target.func.__name__))
            return rf"\frac{{\partial{power} {name}}}{{\partial {shown}{power}}}"
        space = " " if d != "d" else ""
        operator = rf"\frac{{{d}{power}}}{{{d}{space}{shown}{power}}}"
        body = self._print(target)
        if target.is_Add or target.is_Mul or target.could_extract_minus_sign() or (target.is_Pow and not target.exp.is_negative):
            body = rf"\left({body}\right)"
        elif target.is_Pow:
            body = rf"\left[{body}\right]" if self._settings["negative_powers"] == "powers" else body
        return rf"{operator} {body}"


def is_partial(derivative: sympy.Derivative) -> bool:
    """Whether a derivative is written with ∂: the expression differentiated depends on more than
    the variable (a weight w and a bias b), or is a function of several arguments. A letter alone
    (du/dx, dL/dw, as a student writes it) and a function of one variable keep d."""
    target = derivative.expr
    if isinstance(derivative, Partial):
        return True
    if target.is_Symbol:
        return False
    if (isinstance(target, sympy.Function) and len(target.args) > 1
            and not isinstance(target, (log_base, sympy.Piecewise))):  # a piecewise |x| is one variable's: d/dx
        return True
    symbols = {s for s in target.free_symbols if not isinstance(s, sympy.Dummy)}
    return len(symbols) > 1


def _at_its_parameters(target: sympy.Basic, variable: sympy.Basic) -> bool:
    """``L(w, b)`` differentiated in w: a function of several letters, written ∂L/∂w."""
    return (isinstance(target, (sympy.core.function.AppliedUndef, NamedFunction)) and not isinstance(target, log_base)
            and len(target.args) > 1
            and variable in target.args and all(arg.is_Symbol for arg in target.args))


def chained_bounds(expr: sympy.Basic) -> tuple[sympy.Basic, str, sympy.Basic, str, sympy.Basic] | None:
    """``(a, "<", x, "<=", b)`` for a condition ``a < x ∧ x ≤ b`` on one symbol, written as a
    chain the way a textbook states a domain; None for any other condition."""
    if not isinstance(expr, sympy.And) or len(expr.args) != 2:
        return None
    lower = upper = None
    for relation in expr.args:
        if not isinstance(relation, (sympy.StrictLessThan, sympy.LessThan, sympy.StrictGreaterThan, sympy.GreaterThan)):
            return None
        small, big = (relation.lhs, relation.rhs) if relation.rel_op in ("<", "<=") else (relation.rhs, relation.lhs)
        strict = relation.rel_op in ("<", ">")
        if small.is_Symbol and big.is_number:
            upper = (small, "<" if strict else "<=", big)
        elif big.is_Symbol and small.is_number:
            lower = (small, "<" if strict else "<=", big)
        else:
            return None
    if lower is None or upper is None or lower[2] != upper[0]:
        return None
    return lower[0], lower[1], lower[2], upper[1], upper[2]


def disjunction_parts(expr: sympy.Basic) -> list[sympy.Basic] | None:
    """The parts of a condition ``1 < x ∨ x < −1`` as a textbook states a domain, "x < −1 or
    x > 1": each bound with its letter first, left to right along the line; None unless every
    part is a bound on one letter (or a chain a < x < b) and the letters agree."""
    if not isinstance(expr, sympy.Or):
        return None
    parts, letters = [], set()
    for part in expr.args:
        relation = _letter_first(part)
        if relation is not None:
            parts.append(relation)
            letters.add(relation.lhs)
        elif (chain := chained_bounds(part)) is not None:
            parts.append(part)
            letters.add(chain[2])
        else:
            return None
    if len(letters) != 1:
        return None
    try:
        return sorted(parts, key=lambda part: float(part.as_set().inf))
    except (TypeError, ValueError, NotImplementedError):
        return None


def _is_written_reciprocal(factor: sympy.Basic) -> bool:
    """A factor a written product puts below the line: a negative power whose exponent is no sum."""
    return bool(factor.is_Pow and factor.exp.is_negative and not factor.exp.is_Add)


def conjunction_parts(expr: sympy.Basic) -> list[sympy.Basic] | None:
    """The parts of a condition ``x > 0 ∧ x ≠ 1`` as a textbook states a domain, "x > 0, x ≠ 1":
    the bounds first (one bound, a chain a < x < b, or a union of such), then each excluded
    point, left to right along the line; None unless every part is such a bound or an ``x ≠ p``."""
    if not isinstance(expr, sympy.And):
        return None
    excluded = [part for part in expr.args if isinstance(part, sympy.Ne) and part.lhs.is_Symbol and part.rhs.is_number]
    if not excluded:
        return None
    rest = [part for part in expr.args if part not in excluded]
    bounds: list[sympy.Basic] = []
    if len(rest) == 1:
        bound = _letter_first(rest[0])
        if bound is None and disjunction_parts(rest[0]) is not None:
            bound = rest[0]
        if bound is None:
            return None
        bounds = [bound]
    elif rest:
        chain = sympy.And(*rest)
        if chained_bounds(chain) is None:
            return None
        bounds = [chain]
    try:
        excluded.sort(key=lambda part: float(part.rhs))
    except (TypeError, ValueError):
        return None
    return [*bounds, *excluded]


def _letter_first(relation: sympy.Basic) -> sympy.Basic | None:
    """``1 < x`` as ``x > 1``; a bound that already begins with its letter as it is; None for
    anything but a strict or non-strict bound of one letter by a number."""
    if not isinstance(relation, (sympy.StrictLessThan, sympy.LessThan, sympy.StrictGreaterThan, sympy.GreaterThan)):
        return None
    if relation.lhs.is_Symbol and relation.rhs.is_number:
        return relation
    if relation.rhs.is_Symbol and relation.lhs.is_number:
        return relation.reversed
    return None


#: The most decimal places a fraction is written with as a decimal (0.044715 has six).
MAX_DECIMAL_PLACES = 8


def written_decimal(number: sympy.Rational, *, every: bool = False) -> str | None:
    """A fraction with a terminating decimal expansion of three to eight places, written as that
    decimal (8943/200000 is 0.044715): such numbers come from decimals the user wrote, and a
    textbook prints them so. Halves, quarters and eighths stay fractions, unless ``every``
    (:attr:`LatexStyle.decimals`: 3/2 is 1.5); None otherwise.

    >>> written_decimal(sympy.Rational(8943, 200000)), written_decimal(sympy.Rational(3, 4))
    ('0.044715', None)
    >>> written_decimal(sympy.Rational(3, 4), every=True), written_decimal(sympy.Rational(1, 3), every=True)
    ('0.75', None)
    """
    if not isinstance(number, sympy.Rational) or number.is_Integer or (number.q < 1000 and not every):
        return None
    q, places = number.q, 0
    twos = fives = 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    places = max(twos, fives)
    if q != 1 or places > MAX_DECIMAL_PLACES:
        return None
    sign = "-" if number < 0 else ""
    digits = str(abs(number.p) * 10**places // number.q).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def decimal_coefficient(expr: sympy.Mul, *, every: bool) -> tuple[bool, str, sympy.Expr] | None:
    """A product whose number prints as a decimal (:func:`written_decimal`): whether that number is
    negative, the decimal of its size, and the other factors (0.044715·x³; with ``every``, 2.5·x)."""
    coefficient, rest = expr.as_coeff_Mul()
    decimal = written_decimal(abs(coefficient), every=every) if coefficient.is_Rational and rest != 1 else None
    return None if decimal is None else (bool(coefficient < 0), decimal, rest)


def to_latex(expr: sympy.Basic, *, notation: Notation = "fractions", style: LatexStyle = DEFAULT_STYLE) -> str:
    r"""LaTeX of ``expr`` for documents.

    >>> from derive.functions import variable
    >>> x = variable()
    >>> to_latex((1 + sympy.exp(-x)) ** -1, notation="powers")
    '\\left(1 + e^{- x}\\right)^{-1}'
    """
    printer = DeriveLatexPrinter(
        {"negative_powers": notation, "exponential": style.exponential, "sigma_symbol": style.sigma_symbol, "ln_notation": True,
         "partial_derivatives": style.partial_derivatives, "decimals": style.decimals,
         "inv_trig_style": "full"}  # \arcsin x, \arctan x, \operatorname{arsinh} x, as textbooks print them
    )
    return printer.doprint(expr)


class DeriveStrPrinter(StrPrinter):
    """SymPy's ``str`` printer that keeps the written order of unevaluated sums and products."""

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        return super()._print_Add(expr, order="none" if as_written(expr) else order)

    def _print_Mul(self, expr: sympy.Mul) -> str:
        if not is_unevaluated(expr):
            return super()._print_Mul(expr)
        pieces = [self.parenthesize(arg, PRECEDENCE["Mul"], strict=False) for arg in expr.args]
        return "*".join(pieces)

    def _print_SoftmaxOutput(self, expr: SoftmaxOutput) -> str:
        return f"{expr.plain_symbol()}({', '.join(self._print(arg) for arg in expr.inputs())})"

    def _print_log_base(self, expr: log_base) -> str:
        return f"log({self._print(expr.args[0])}, {self._print(expr.args[1])})"


class PlainPrinter(_PositiveFirst, DeriveStrPrinter):
    """One-line text for people (terminal output, annotations): ``e^(-x)``, ``d/dx(...)``, ``a = b``."""

    _default_settings = {**DeriveStrPrinter._default_settings, "negative_powers": "fractions", "decimals": False}

    def _print_Rational(self, expr: sympy.Rational) -> str:
        decimal = written_decimal(expr, every=True) if self._settings["decimals"] else None
        return decimal if decimal is not None else super()._print_Rational(expr)

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        if exponent == sympy.S.Half:
            return f"sqrt({self._print(base)})"
        if exponent.is_Rational and exponent.is_negative and self._settings["negative_powers"] == "fractions":
            denominator = base if exponent == -1 else sympy.Pow(base, -exponent, evaluate=False)
            return f"1/{self.parenthesize(denominator, PRECEDENCE['Mul'], strict=False)}"
        shown_base = self.parenthesize(base, PRECEDENCE["Pow"], strict=False)
        if base.could_extract_minus_sign() or (base.is_Rational and not base.is_Integer):
            shown_base = f"({self._print(base)})"
        shown_exponent = self._print(exponent)
        if not (exponent.is_Symbol or (exponent.is_Integer and exponent >= 0)):
            shown_exponent = f"({shown_exponent})"
        return f"{shown_base}^{shown_exponent}"

    def _print_ImaginaryUnit(self, expr: sympy.Basic) -> str:
        return "i"  # as the LaTeX reads: S = e^(i*x), not SymPy's I

    def _print_exp(self, expr: sympy.exp) -> str:
        argument = expr.args[0]
        shown = self._print(argument)
        return f"e^{shown}" if argument.is_Symbol or (argument.is_Integer and argument >= 0) else f"e^({shown})"

    def _print_Mul(self, expr: sympy.Mul) -> str:
        denominator = _reciprocals_as_one_denominator(expr) if self._settings["negative_powers"] == "fractions" else None
        if denominator is not None:
            return f"1/{self.parenthesize(denominator, PRECEDENCE['Mul'], strict=False)}"
        decimal = decimal_coefficient(expr, every=True) if self._settings["decimals"] else None
        if decimal is not None:  # 2.5*x, not 5*x/2
            negative, written, rest = decimal
            return f"{'-' if negative else ''}{written}*{self.parenthesize(rest, PRECEDENCE['Mul'], strict=False)}"
        if self._settings["negative_powers"] == "fractions" and (
            written_product(expr) or _printed_plainly(expr.args)
        ):
            return self._print_written_product(list(expr.args))
        reordered = powers_of_letters_first(expr) if self._settings["negative_powers"] == "fractions" else None
        if reordered is not None:
            return self._print_written_product(list(reordered.args))
        if self._settings["negative_powers"] == "powers" and any(_is_reciprocal(arg) for arg in expr.args):
            factors = list(expr.args) if is_unevaluated(expr) else sorted(expr.args, key=_is_reciprocal)
            sign = ""
            if factors[0] == -1:
                sign, factors = "-", factors[1:]
            pieces = []
            for factor in factors:
                text = self._print(factor)
                if factor.could_extract_minus_sign() or precedence_traditional(factor) < PRECEDENCE["Mul"]:
                    text = f"({text})"
                pieces.append(text)
            return sign + "*".join(pieces)
        return super()._print_Mul(expr)

    def _print_written_product(self, factors: list[sympy.Expr]) -> str:
        """Factors in written order: ``a*(b + c)/d``; nested products keep their parentheses."""
        text = ""
        if factors[0] == -1 and len(factors) > 1:
            text, factors = "-", factors[1:]
        upstairs = [factor for factor in factors if not _is_written_reciprocal(factor)]
        if _is_written_reciprocal(factors[0]) and upstairs and all(
                factor.is_Add and not any(map(_is_written_reciprocal, sympy.preorder_traversal(factor)))
                for factor in upstairs):
            # 1/(x^2 + 1)^2*(1 - x^2) reads as (1 - x^2)/(x^2 + 1)^2: a sum goes above the line; a
            # product of fractions (σ's 1/(1 + e^(-x))·(1 - 1/(1 + e^(-x)))) stays as written
            factors = upstairs + [factor for factor in factors if _is_written_reciprocal(factor)]
        downstairs = [position for position, factor in enumerate(factors)
                      if position > 0 and _is_written_reciprocal(factor)]
        if len(downstairs) > 1:
            return text + self._print_over_one_denominator(factors, downstairs)
        for position, factor in enumerate(factors):
            # tan(x)/x, never tan(x)*1/x; an exponent written as a sum stays up: 2/3*x^(2/3 - 1), the
            # power rule's n - 1, never 2/3/x^(1 - 2/3)
            if position > 0 and _is_written_reciprocal(factor):
                text += "/" + self.parenthesize(_below(factor), PRECEDENCE["Mul"], strict=False)
                continue
            shown = self._print(factor)
            needs = factor.is_Mul or factor.is_Add or (position > 0 and factor.could_extract_minus_sign())
            # a product written first needs no parentheses, after a minus sign neither: -2*x, not -(2*x)
            if needs and not (position == 0 and factor.is_Mul and not factor.could_extract_minus_sign()):
                shown = f"({shown})"
            text += ("*" if position > 0 else "") + shown
        return text

    def _print_Abs(self, expr: sympy.Abs) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_Piecewise(self, expr: sympy.Piecewise) -> str:
        """``{0 if x < 0; 2*x if x > 0}``: each piece and where it holds, as a textbook's brace reads."""
        pieces = [f"{self._print(piece)} " + ("otherwise" if condition is sympy.true else f"if {self._print(condition)}")
                  for piece, condition in expr.args]
        return "{" + "; ".join(pieces) + "}"

    def _print_over_one_denominator(self, factors: list[sympy.Expr], downstairs: list[int]) -> str:
        """A written product with several factors below the line, over one denominator:
        ``1/(4*sqrt(u)*sqrt(x + 1))``, never ``1/4/sqrt(u)/sqrt(x + 1)``; a leading fraction's
        denominator goes below with them."""
        upstairs = [factor for position, factor in enumerate(factors) if position not in downstairs]
        below = [_below(factors[position]) for position in downstairs]
        sign = ""
        lead = upstairs[0]
        if lead.is_Rational and not lead.is_Integer:
            sign = "-" if lead < 0 else ""
            upstairs, below = [sympy.Integer(abs(lead.p)), *upstairs[1:]], [sympy.Integer(lead.q), *below]
        upstairs = [factor for factor in upstairs if factor != 1] or [sympy.S.One]
        top = (self._print_written_product(upstairs) if len(upstairs) > 1
               else self.parenthesize(upstairs[0], PRECEDENCE["Mul"], strict=False))
        bottom = "*".join(self.parenthesize(factor, PRECEDENCE["Mul"], strict=False) for factor in below)
        return f"{sign}{top}/({bottom})"

    def _print_Interval(self, interval: sympy.Interval) -> str:
        left = "(" if interval.left_open else "["
        right = ")" if interval.right_open else "]"
        return f"{left}{self._print(interval.start)}, {self._print(interval.end)}{right}"

    def _print_Derivative(self, expr: sympy.Derivative) -> str:
        (variable, order), *rest = expr.variable_count
        if rest:
            total = sum(n for _, n in expr.variable_count)
            below = "".join(f"∂{v}" + (f"^{n}" if n > 1 else "") for v, n in reversed(expr.variable_count))
            return f"∂^{total}/{below}({self._print(expr.expr)})"
        target = expr.expr
        d = "∂" if is_partial(expr) else "d"
        power = "" if order == 1 else f"^{order}"
        if (isinstance(target, NamedFunction) and not type(target).show_arguments) or (target.is_Symbol and target != variable):
            name = target.plain_symbol() if isinstance(target, NamedFunction) else str(target)
            return f"{d}{power}{name}/{d}{variable}{power}"
        if _has_prime_notation(target) and target.args == (variable,) and order <= 3:
            return f"{type(target).__name__}{chr(39) * order}({variable})"
        if _has_prime_notation(target) and len(target.args) == 1 and target.args[0].is_Symbol and order == 1:
            return f"d{type(target).__name__}/d{variable}"  # dsigma/du, after u = ...
        if _at_its_parameters(target, variable):
            name = target.plain_symbol() if isinstance(target, NamedFunction) else target.func.__name__
            return f"∂{power}{name}/∂{variable}{power}"
        return f"{d}{power}/{d}{variable}{power}({self._print(target)})"

    def _print_Exp1(self, expr: sympy.Basic) -> str:
        return "e"

    def _print_SoftmaxOutput(self, expr: SoftmaxOutput) -> str:
        return expr.plain_symbol()

    def _print_Function(self, expr: sympy.Function) -> str:
        if isinstance(expr, NamedFunction) and not type(expr).show_arguments:
            return expr.plain_symbol()
        return super()._print_Function(expr)

    def _print_Subs(self, subs: sympy.Subs) -> str:
        expr, (variable,), (point,) = subs.args
        if isinstance(expr, sympy.Derivative) and len(expr.variable_count) == 1:
            (wrt, order), target = expr.variable_count[0], expr.expr
            if wrt == variable and _has_prime_notation(target) and target.args == (variable,) and order <= 3:
                return f"{type(target).__name__}{chr(39) * order}({self._print(point)})"
        return super()._print_Subs(subs)

    def _print_Limit(self, limit: sympy.Limit) -> str:
        expr, variable, point, _ = limit.args
        return f"lim[{variable} -> {self._print(point)}] {self._print(expr)}"

    def _print_Contains(self, contains: sympy.Contains) -> str:
        return f"{self._print(contains.args[0])} in {self._print(contains.args[1])}"

    def _print_Equality(self, expr: sympy.Eq) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_Relational(self, expr: sympy.core.relational.Relational) -> str:
        symbol = {"<=": "<=", ">=": ">=", "<": "<", ">": ">", "!=": "!="}.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {symbol} {self._print(expr.rhs)}"

    def _print_Or(self, expr: sympy.Or) -> str:
        return " or ".join(self._print(part) for part in disjunction_parts(expr) or expr.args)

    def _print_And(self, expr: sympy.And) -> str:
        chain = chained_bounds(expr)
        if chain is None:
            return " and ".join(f"({self._print(arg)})" if isinstance(arg, sympy.Or) else self._print(arg)
                                for arg in conjunction_parts(expr) or expr.args)
        low, first, symbol, second, high = chain
        return f"{self._print(low)} {first} {self._print(symbol)} {second} {self._print(high)}"


def to_plain(expr: sympy.Basic, *, notation: Notation = "fractions", decimals: bool = False) -> str:
    """Readable one-line text: ``sigma'(x) = sigma(x)*(1 - sigma(x))``, ``1/(1 + e^(-x))``;
    ``decimals``: every fraction with a short decimal expansion as that decimal (:attr:`LatexStyle.decimals`)."""
    return PlainPrinter({"negative_powers": notation, "decimals": decimals}).doprint(expr)


def to_text(expr: sympy.Basic) -> str:
    """SymPy's ``str`` form: what the JSON contract promises (``sigma(x)``, ``Derivative(..., x)``).

    >>> from derive.functions import variable
    >>> x = variable()
    >>> to_text(sympy.Mul(sigma(x), 1 - sigma(x), evaluate=False))
    'sigma(x)*(1 - sigma(x))'
    """
    return DeriveStrPrinter().doprint(expr)


def as_written(expr: sympy.Add) -> bool:
    """Whether a sum prints in the order of its terms: when it was built unevaluated, and when it
    holds a derivative still to be taken (a line of a derivation: (f g)' = f' g + f g' stays in
    the rule's order even when SymPy's own order for printing would swap its terms)."""
    return is_unevaluated(expr) or expr.has(sympy.Derivative)


def printed_args(expr: sympy.Basic) -> tuple[sympy.Basic, ...]:
    """The terms of a sum or the factors of a product in the order the printers write them
    (SymPy's order for one it built, a positive term first; the written order for one kept as
    written); any other expression's arguments as they are. A derivation that rewrites a part of
    a line keeps the others where the reader saw them.

    >>> from derive.functions import variable
    >>> x = variable()
    >>> printed_args(sympy.exp(x) - sympy.exp(-x))
    (exp(x), -exp(-x))
    """
    if isinstance(expr, sympy.Add) and not as_written(expr):
        return tuple(PlainPrinter()._as_ordered_terms(expr))
    if isinstance(expr, sympy.Mul) and not written_product(expr) and not _printed_plainly(expr.args):
        return tuple(expr.as_ordered_factors())  # a product printed "plainly" keeps its arguments' order
    return expr.args


def powers_of_letters_first(expr: sympy.Mul) -> sympy.Mul | None:
    """A product SymPy ordered with a number's power before the letters (6·2ˣx, 3·2ˣx(x ln 2 + 2)),
    as a textbook writes it: the number, the powers of letters, then the rest (6x·2ˣ,
    3x·2ˣ(x ln 2 + 2)); None when SymPy's order is that already, or the product has a
    denominator (a fraction is printed as one)."""
    factors = expr.as_ordered_factors()
    if any(factor.is_Pow and factor.exp.is_negative for factor in factors):
        return None
    numbers = [factor for factor in factors if factor.is_Number]
    letters = [factor for factor in factors
               if factor.is_Symbol or (factor.is_Pow and factor.base.is_Symbol and factor.exp.is_Number)]
    rest = [factor for factor in factors if not (factor.is_Number or factor in letters)]
    if not (letters and any(factor.is_Pow and factor.base.is_Number and factor.exp.free_symbols for factor in rest)):
        return None
    ordered = numbers + letters + rest
    return None if ordered == factors else sympy.Mul(*ordered, evaluate=False)


def written_product(expr: sympy.Mul) -> bool:
    """Whether a product prints its factors in the order they stand: when it was built
    unevaluated, or holds a sum or product a derivation wrote (SymPy's order would move
    (eˣ − e⁻ˣ)·(eˣ + e⁻ˣ·(−1)) to (eˣ + e⁻ˣ·(−1))·(eˣ − e⁻ˣ) between two lines)."""
    return is_unevaluated(expr) or any((arg.is_Add or arg.is_Mul) and is_unevaluated(arg) for arg in expr.args)


def is_unevaluated(expr: sympy.Basic) -> bool:
    """True when SymPy would rewrite ``expr`` if it were built normally (order, signs, nesting)."""
    return expr.func(*expr.args).args != expr.args


def _terms(expr: sympy.Basic) -> list[sympy.Basic]:
    """The terms of a sum, sums inside it opened, in the order written."""
    return [term for arg in expr.args for term in (_terms(arg) if arg.is_Add else [arg])]


def _juxtaposes_a_number(factors: list[sympy.Basic]) -> bool:
    """True when writing the product without a dot would misread: a number after another factor
    ((1 + e^{-x}) 0, x 2), or a leading 1 or 0 (1 σ(3x) reads as 1σ, 13x ...)."""
    return any(factor.is_Number for factor in factors[1:]) or (factors[0].is_Number and factors[0] in (0, 1))


def _is_reciprocal(factor: sympy.Basic) -> bool:
    return bool(factor.is_Pow and factor.exp.is_negative and not factor.base.is_Symbol)


def textbook_kind(factor: sympy.Basic, placeholders: Container[sympy.Basic] = ()) -> int:
    """Where a factor stands in a product as a textbook writes it: 0 a constant (√2, π), 1 a power
    of a letter (x, x²), 2 anything else, 3 a function's value at a number, which comes last
    (x ln 2, 2^x ln 2, (x² + 1) ln 10). ``placeholders``: symbols that stand for sums, not letters."""
    if factor in placeholders:
        return 2
    if not factor.free_symbols:
        return 3 if isinstance(factor, sympy.Function) else 0
    base, exponent = factor.as_base_exp()
    return 1 if base.is_Symbol and base not in placeholders and exponent.is_Number and exponent > 0 else 2


def _reciprocals_as_one_denominator(expr: sympy.Mul) -> sympy.Expr | None:
    """The denominator of a written product of reciprocals only (1/ln 2 · 1/x, as the constant
    multiple rule leaves it), in textbook order (x ln 2): the one fraction 1/(x ln 2) a textbook
    prints, in both printers; None for any other product."""
    if not is_unevaluated(expr) or len(expr.args) < 2 or not all(f.is_Pow and f.exp.is_negative for f in expr.args):
        return None
    return sympy.Mul(*sorted(map(_below, expr.args), key=textbook_kind), evaluate=False)


def _below(power: sympy.Pow) -> sympy.Expr:
    """What a negative power puts below the fraction bar: x for x⁻¹, x² for x⁻² (kept as written)."""
    return power.base if power.exp == -1 else sympy.Pow(power.base, -power.exp, evaluate=False)


def _printed_plainly(factors: Sequence[sympy.Basic]) -> bool:
    """Whether a product is printed factor by factor as it stands (both printers): it holds a
    product, a derivative, or a sum with a reciprocal in it."""
    return any(arg.is_Mul or isinstance(arg, sympy.Derivative) or (arg.is_Add and _has_reciprocal(arg)) for arg in factors)


def _has_reciprocal(expr: sympy.Basic) -> bool:
    """Whether ``expr`` holds a reciprocal outside the arguments of functions: (1/x + 1) does,
    1 − tanh²(√2 x/√π) does not (a product with it is a fraction like any other)."""
    if _is_reciprocal(expr):
        return True
    if isinstance(expr, sympy.Function):
        return False
    return any(_has_reciprocal(arg) for arg in expr.args)


def _has_prime_notation(target: sympy.Basic) -> bool:
    """σ, catalogue functions and a student's own functions (f, u) are differentiated as f′(x);
    elementary functions as d/dx."""
    if not (isinstance(target, sympy.Function) and len(target.args) == 1):
        return False
    return bool(getattr(type(target), "latex_name", None)) or isinstance(target, sympy.core.function.AppliedUndef)
