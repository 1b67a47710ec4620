"""The data of a derivation: frozen, keyword-only records that every later stage consumes.

A :class:`Step` asserts ``before = after``. The derive stage makes steps with no verification;
the verify stage returns copies that carry a :class:`Verification`; the render stage refuses a
step whose verification is missing or failed (see :meth:`Step.require_proved`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import InitVar, dataclass, field
from typing import Any, Literal

import sympy

from derive.errors import VerificationError
from derive.expressions import Stated
from derive.printing import Notation, to_latex, to_plain
from derive.sentences import sentence_pieces

#: One piece of an annotation: ASCII text, or mathematics as a SymPy expression or equation.
Segment = str | sympy.Basic


class NotebookDisplay:
    """How a derivation or a checker report shows itself in a notebook (Jupyter's ``_repr_html_``,
    ``_repr_markdown_`` and ``_repr_latex_``).

    Writing HTML, Markdown or LaTeX is the render stage's work, and this layer may not import a
    later one; so the renderer registers its writer here when it is imported
    (``derive/renderer/notebook.py``, which ``import derive`` brings in with the first name it
    looks up). Until then a record offers only its short ``repr``.
    """

    def __init__(self) -> None:
        self._writer: Callable[[object, str], str | None] | None = None

    def register(self, writer: Callable[[object, str], str | None]) -> None:
        self._writer = writer

    def show(self, record: object, kind: str) -> str | None:
        """The record as ``kind`` (``html``, ``markdown``, ``latex``), or None if no writer is registered."""
        return None if self._writer is None else self._writer(record, kind)


NOTEBOOK = NotebookDisplay()


class ShownInNotebooks:
    """Jupyter's display methods for a record, written by whatever :data:`NOTEBOOK` has registered."""

    def _repr_html_(self) -> str | None:
        return NOTEBOOK.show(self, "html")

    def _repr_markdown_(self) -> str | None:
        return NOTEBOOK.show(self, "markdown")

    def _repr_latex_(self) -> str | None:
        return NOTEBOOK.show(self, "latex")


@dataclass(frozen=True)
class Annotation:
    """A sentence that mixes text and mathematics; each renderer writes the math its own way.

    Text segments are plain ASCII (so they need no font or encoding tricks in any format);
    mathematics is always a SymPy object, never hand-typed markup.
    """

    segments: tuple[Segment, ...]

    def plain(self) -> str:
        """The sentence with mathematics in SymPy's ``str`` form (terminal, JSON)."""
        return "".join(s if isinstance(s, str) else to_plain(s) for s in self.segments)

    def __str__(self) -> str:
        return self.plain()


def listed(items: Iterable[Segment | tuple[Segment, ...]], separator: str = ", ", last: str | None = None) -> tuple[Segment, ...]:
    """Segments of a sentence with ``separator`` between the items (``last`` before the final
    one): ``listed([Eq(x, 1), Eq(x, 2)], last=" and ")`` is x = 1 and x = 2. An item may be
    several segments."""
    items = list(items)
    out: list[Segment] = []
    for index, item in enumerate(items):
        if index:
            out.append(last if last is not None and index == len(items) - 1 else separator)
        out.extend(item if isinstance(item, tuple) else (item,))
    return tuple(out)


class Described(str):
    """A sentence derive wrote about a method (plain text, as the terminal and JSON show it) that
    keeps its formulas apart, so that a document can typeset them: ``Described("substitute ",
    Eq(T, exp(x)), "; the rational function cancels")`` is the string "substitute T = e^x; the
    rational function cancels" whose ``segments`` hold the equation. Adding text keeps them."""

    segments: tuple[Segment, ...]

    def __new__(cls, *segments: Segment) -> Described:
        text = super().__new__(cls, "".join(s if isinstance(s, str) else to_plain(s) for s in segments))
        text.segments = tuple(segments)
        return text

    def __add__(self, other: str) -> Described:
        return Described(*self.segments, *(other.segments if isinstance(other, Described) else (str(other),)))

    def __reduce__(self):  # noqa: ANN204 - pickled across the sandbox pipe with its formulas
        return (Described, self.segments)


def written_out(text: str) -> str:
    """``text`` with each formula of a :class:`Described` written out now, as a
    :class:`~derive.expressions.Stated` holding its plain and LaTeX forms: so that it crosses a
    process (pickling rebuilds a SymPy tree with evaluation) and JSON exactly as it was made."""
    if not isinstance(text, Described):
        return text
    return Described(*(s if isinstance(s, (str, Stated)) else Stated(to_plain(s), to_latex(s)) for s in text.segments))


def sentence_data(text: str | None) -> list[dict[str, str]] | None:
    """The JSON form of a sentence's pieces (``[{"text": ...}, {"plain": ..., "latex": ...}]``),
    or None for a sentence without formulas (plain text says it all)."""
    if not isinstance(text, Described):
        return None
    return [{"text": s} if isinstance(s, str) else {"plain": s.plain, "latex": s.latex}
            for s in written_out(text).segments]


def sentence_from_data(plain: str | None, pieces: object) -> str | None:
    """The sentence back from :func:`sentence_data` beside its plain text: a :class:`Described`
    when its pieces check out (see :func:`derive.sentences.sentence_pieces`), else the plain text."""
    checked = sentence_pieces(plain, pieces)
    if checked is None:
        return plain
    return Described(*(piece["text"] if "text" in piece else Stated(piece["plain"], piece["latex"]) for piece in checked))


def method_segments(method: str) -> tuple[Segment, ...]:
    """The pieces of a method's sentence: its formulas apart when the verify stage kept them."""
    return method.segments if isinstance(method, Described) else (method,)


def say(*segments: Segment) -> Annotation:
    """Build an annotation: ``say("Chain rule with ", Eq(u, g), ".")``."""
    for segment in segments:
        if isinstance(segment, str) and not segment.isascii():
            raise ValueError(f"annotation text must be ASCII: {segment!r}")
    return Annotation(tuple(segments))


#: Human names of every rule identifier a step can carry (renderers show these).
RULE_NAMES: dict[str, str] = {
    "definition": "Definition",
    "rewrite_as_power": "Rewrite as a power",
    "change_of_base": "Change of base",
    "constant": "Constant rule",
    "variable": "Derivative of the variable",
    "sum": "Sum rule",
    "constant_multiple": "Constant multiple rule",
    "product": "Product rule",
    "quotient": "Quotient rule",
    "power": "Power rule",
    "chain": "Chain rule",
    "inner_derivative": "Inner derivative",
    "exponential_base": "Exponential rule, base a",
    "general_power": "Rewrite a variable power as an exponential",
    "higher_order": "Higher derivative",
    "unsupported": "Cannot do this step",
    "drop_neutral": "Drop zeros and ones",
    "evaluate_arithmetic": "Multiply out signs and constants",
    "restore_power": "Write the exponential as a power",
    "negative_power_as_fraction": "Write the negative power as a fraction",
    "split_fraction": "Split the fraction",
    "complement": "Write as 1 minus a fraction",
    "add_and_subtract": "Add and subtract",
    "recognise": "Recognise the function",
    "logarithm": "Take logarithms",
    "log_differentiation": "Logarithmic differentiation",
    "log_of_reciprocal": "Logarithm of a reciprocal",
    "solve": "Solve for the derivative",
    "multiply_through": "Multiply numerator and denominator",
    "common_denominator": "Common denominator",
    "factor": "Factor and cancel",
    "expand": "Expand",
    "substitute": "Substitute",
    "exp": "Exponential rule",
    "log": "Logarithm rule",
    "sin": "Derivative of sin",
    "cos": "Derivative of cos",
    "tan": "Derivative of tan",
    "sinh": "Derivative of sinh",
    "cosh": "Derivative of cosh",
    "tanh": "Derivative of tanh",
    "erf": "Derivative of erf",
    "atan": "Derivative of arctan",
    "asin": "Derivative of arcsin",
    "acos": "Derivative of arccos",
    "asinh": "Derivative of arsinh",
    "atanh": "Derivative of artanh",
    "cot": "Derivative of cot",
    "sec": "Derivative of sec",
    "csc": "Derivative of csc",
    "coth": "Derivative of coth",
    "sech": "Derivative of sech",
    "csch": "Derivative of csch",
    "acot": "Derivative of arccot",
    "asec": "Derivative of arcsec",
    "acsc": "Derivative of arccsc",
    "acosh": "Derivative of arcosh",
    "acoth": "Derivative of arcoth",
    "asech": "Derivative of arsech",
    "acsch": "Derivative of arcsch",
    "absolute_value": "Derivative of the absolute value",
    "inverse_function": "Inverse-function rule",
    "identity": "Use an identity",
    "sigmoid": "Derivative of the sigmoid",
    "softplus": "Derivative of softplus",
    "Phi": "Derivative of the normal distribution function",
    "recognise_sigma": "Recognise the sigmoid",
    "common_factor": "Take out the common factor",
    "piecewise": "Differentiate piece by piece",
    "combine_pieces": "Combine the pieces",
    "refine_pieces": "Simplify each piece",
    "break_point": "At the break point",
    "merge_pieces": "One formula for every piece",
    "rewrite_piecewise": "Write as a piecewise function",
    "hold_constant": "Hold constant",
    "partial_derivative": "Partial derivative",
    "backprop_form": "Write through the letters",
    "backprop": "Backpropagation (chain rule)",
    "local_derivative": "Local derivative",
    "local_derivatives": "Put in the local derivatives",
    "cancel": "Cancel common factors",
    "combine_powers": "Combine the powers",
    "combine_like_terms": "Combine like terms",
    "one_fraction": "Write as one fraction",
    "constants_first": "Numeric factor first",
    "pythagorean": "Use a Pythagorean identity",
    "quotient_identity": "Use a quotient identity",
}


def rule_name(rule: str) -> str:
    """The name a person reads for rule identifier ``rule``."""
    return RULE_NAMES.get(rule, rule.replace("_", " ").capitalize())


class _ProofSeal:
    """The capability to mark a :class:`Verification` proved.

    Its one instance, ``_PROOF_SEAL``, is handed to the verify stage (``derive/verify/seal.py``)
    and to nothing else: a test scans the source to show that no other module names it. A
    Verification with ``proved=True`` can only be made with the seal, and the seal is not stored
    on the Verification it made, so no other stage can copy it from a proof and forge another.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "<derive proof seal>"


_PROOF_SEAL = _ProofSeal()


@dataclass(frozen=True, kw_only=True)
class Verification:
    """How one statement (an equality ``before = after``, a limit, a bound) was established.

    ``proved`` is true only for a symbolic proof, which only the verify stage can make (it holds
    the seal that ``proved=True`` needs; see :class:`_ProofSeal`); ``numeric_ok`` says whether the
    numeric spot check at ``points`` (with ``digits`` significant digits) agreed.
    """

    proved: bool
    method: str
    numeric_ok: bool
    points: tuple[str, ...] = ()
    digits: int = 0
    max_difference: str = "0"
    counterexample: tuple[str, str, str] | None = None  # (the point, value of before, value of after)
    #: Where the counterexample lies: each variable's value, by name (``(("w", "0.512"), ("x", "-2.779"))``).
    at: tuple[tuple[str, str], ...] = ()
    #: The condition under which the equality holds, when it leaves out part of the real line
    #: (``-1 < x < 1``: both sides are defined only there); None for every real value.
    domain: sympy.Basic | None = None
    seal: InitVar[object] = None

    def __post_init__(self, seal: object) -> None:
        if self.proved and seal is not _PROOF_SEAL:
            raise VerificationError(
                f"only the verify stage can mark a statement proved (a proof was forged: {self.method!r})"
            )

    @property
    def status(self) -> Literal["proved", "numeric only", "failed"]:
        if self.proved and self.numeric_ok:
            return "proved"
        if self.numeric_ok:
            return "numeric only"
        return "failed"


@dataclass(frozen=True, kw_only=True)
class Step:
    """One rule application: ``before = after``, named, explained, and (once verified) proved.

    ``details`` holds the rule's own fields (for the chain rule: ``u``, the outer function and its
    derivative), as SymPy expressions keyed by name. ``substeps`` are sub-derivations, such as
    the inner derivative du/dx of a chain rule.
    """

    rule: str
    annotation: Annotation
    before: sympy.Expr
    after: sympy.Expr
    substeps: tuple[Step, ...] = ()
    details: tuple[tuple[str, sympy.Basic | str], ...] = ()
    notation: Notation = "fractions"
    verification: Verification | None = None

    @property
    def complete(self) -> bool:
        """False when this step or one below it is a "cannot do this step" node."""
        return self.rule != "unsupported" and all(sub.complete for sub in self.substeps)

    @property
    def proved(self) -> bool:
        own = self.verification is not None and self.verification.status == "proved"
        return own and all(sub.proved for sub in self.substeps)

    def detail(self, name: str) -> sympy.Basic | str | None:
        return dict(self.details).get(name)

    def require_proved(self) -> None:
        """Raise :class:`VerificationError` unless this step and all its sub-steps are proved."""
        if self.verification is None:
            raise VerificationError(f"step '{self.rule}' was never verified")
        if self.verification.status != "proved":
            raise VerificationError(
                f"step '{self.rule}' is not proved ({self.verification.status}): "
                f"{self.before} = {self.after}"
            )
        for sub in self.substeps:
            sub.require_proved()


@dataclass(frozen=True, kw_only=True)
class Property:
    """A fact about a function, stated as an equality or inequality and proved (or, for a limit
    found only numerically, visibly not: its verification says "numeric only").

    ``statement`` is a SymPy relational or equality (for example ``Eq(sigma(0), 1/2)``);
    ``kind`` names what it is (``value``, ``symmetry``, ``limit``, ``bound``, ...).
    """

    key: str
    kind: str
    title: str
    statement: sympy.Basic
    explanation: Annotation
    verification: Verification
    #: Where the statement holds, when not for every x (the inverse of σ: 0 < y < 1).
    condition: sympy.Basic | None = None


@dataclass(frozen=True, kw_only=True)
class Recognition:
    """f′ written as a polynomial in f itself (σ′ = σ(1 − σ)), or the reason there is none."""

    found: bool
    form: sympy.Expr | None
    message: Annotation
    verification: Verification | None = None


@dataclass(frozen=True, kw_only=True)
class Domain:
    """Where a function and its derivative are defined, when that leaves out part of the real
    line (ln x, √x, arcsin x, x^x); each a condition on the variable, None for every real value
    (isolated points aside). ``interval`` is the part of the line a graph shows."""

    function: sympy.Basic | None
    derivative: sympy.Basic | None
    verification: Verification
    interval: tuple[int, int] = (-6, 6)
    #: The points of ``interval`` the function's domain leaves out one by one, exactly (x = 0 for
    #: 1/x; ±π/2, ±3π/2 for tan x), each checked to be undefined in exact arithmetic.
    excluded: tuple[sympy.Expr, ...] = ()


@dataclass(frozen=True, kw_only=True, repr=False)
class Derivation(ShownInNotebooks):
    """The derivative of ``function`` (written ``name(variable)``) step by step.

    ``steps`` form one chain of equalities from ``Derivative(function, variable)`` to ``result``.
    In a notebook it shows itself as its handout (HTML), in Markdown and as a LaTeX ``align*``.
    """

    name: str
    function: sympy.Expr
    definition: sympy.Expr
    variable: sympy.Symbol
    route: str
    steps: tuple[Step, ...]
    result: sympy.Expr
    recognition: Recognition | None = None
    identity: Verification | None = None
    properties: tuple[Property, ...] = field(default=())
    #: The catalogue's title for the function ("The logistic sigmoid"), or empty for a typed expression.
    title: str = ""
    #: What is differentiated, in order, when it is more than once in ``variable``: ((x, 2),) for
    #: the second derivative, ((w, 1), (b, 1)) for the mixed partial ∂²f/∂b∂w. Empty: once in ``variable``.
    orders: tuple[tuple[sympy.Symbol, int], ...] = ()
    #: Letters the steps are written in (backpropagation: z = wx + b, a = σ(z)), in the order they
    #: are defined, as ``(letter, (), expression)``: the verifier replaces them in every step.
    letters: tuple[tuple[Any, tuple[sympy.Symbol, ...], sympy.Expr], ...] = ()
    #: How much the steps show (``brief``, ``standard``, ``full``: every move the engine made).
    detail: str = "full"
    #: Where the function and its derivative are defined, when not on the whole line.
    domain: Domain | None = None

    @property
    def complete(self) -> bool:
        return all(step.complete for step in self.steps)

    @property
    def proved(self) -> bool:
        identity_ok = self.identity is None or self.identity.status == "proved"
        return identity_ok and all(step.proved for step in self.steps)

    def require_proved(self) -> None:
        for step in self.steps:
            step.require_proved()
        if self.identity is not None and self.identity.status != "proved":
            raise VerificationError(f"the final identity for {self.name} is not proved")

    @property
    def start(self) -> sympy.Derivative:
        """What the derivation starts from: d/dx f, or the higher or mixed derivative asked for."""
        return sympy.Derivative(self.function, *(self.orders or ((self.variable, 1),)))

    def property(self, key: str) -> Property | None:
        """The property called ``key`` (``derivative_bound``, ...), or None if it was not proved."""
        return next((p for p in self.properties if p.key == key), None)

    def summary(self) -> dict[str, int]:
        counts = {"steps": 0, "proved": 0, "numeric only": 0, "failed": 0, "unverified": 0}
        for step in _walk(self.steps):
            counts["steps"] += 1
            key = step.verification.status if step.verification else "unverified"
            counts[key] += 1
        return counts

    def __repr__(self) -> str:
        counts = self.summary()
        identity = to_plain(sympy.Eq(sympy.Derivative(self.function, self.variable), self.result, evaluate=False))
        if counts["steps"] == counts["unverified"]:
            status = "not verified"
        else:
            status = "proved" if self.proved else f"NOT all proved: {counts['numeric only']} numeric only, {counts['failed']} failed"
        return f"<Derivation {self.name}: {identity}; {counts['steps']} steps, {status}>"


@dataclass(frozen=True, kw_only=True, repr=False)
class Gradient(ShownInNotebooks):
    """The partial derivatives of ``function`` in each of its ``variables`` (a loss L(w, b)), each
    one a derivation of its own; ``letters`` are the network's (z = wx + b, a = σ(z)) when the
    derivations are worked by backpropagation. In a notebook it shows itself as its document."""

    name: str
    title: str
    function: sympy.Expr
    definition: sympy.Expr
    derivations: tuple[Derivation, ...]
    letters: tuple[tuple[Any, tuple[sympy.Symbol, ...], sympy.Expr], ...] = ()

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        return tuple(derivation.variable for derivation in self.derivations)

    @property
    def proved(self) -> bool:
        return all(derivation.proved for derivation in self.derivations)

    @property
    def complete(self) -> bool:
        return all(derivation.complete for derivation in self.derivations)

    def __repr__(self) -> str:
        status = "proved" if self.proved else "NOT all proved"
        variables = ", ".join(map(str, self.variables))
        return f"<Gradient {self.name} in {variables}: {len(self.derivations)} derivations, {status}>"


@dataclass(frozen=True, kw_only=True)
class Exercise:
    """Differentiate ``function``; ``derivation`` is the verified solution."""

    kind: str
    function: sympy.Expr
    derivation: Derivation
    #: what the prompt names the function (f(x) when None, L(w, b) for a loss) and the variable
    #: the exercise differentiates in (the derivation's)
    prompt: sympy.Expr | None = None
    variable: sympy.Symbol | None = None


@dataclass(frozen=True, kw_only=True)
class Worksheet:
    """One student's worksheet: the derivation with some steps blank (``blanks`` maps step numbers
    to the hint shown), and exercises; the answer key is the same data rendered with answers."""

    name: str
    title: str
    student: int | None
    seed: int
    derivation: Derivation
    blanks: dict[str, str]
    exercises: tuple[Exercise, ...]

    @property
    def stem(self) -> str:
        suffix = "" if self.student is None else f"-{self.student:02d}"
        return f"{self.name}-worksheet{suffix}"


@dataclass(frozen=True, kw_only=True)
class IndexFormCheck:
    """∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ) proved for every i, j with K classes."""

    count: int
    verifications: tuple[Verification, ...]

    @property
    def proved(self) -> bool:
        return all(v.status == "proved" for v in self.verifications)


@dataclass(frozen=True, kw_only=True)
class JacobianFacts:
    """Everything the softmax document states, derived and proved before it is rendered."""

    count: int
    inputs: tuple[sympy.Symbol, ...]
    entries: dict[tuple[int, int], Derivation]
    checks: tuple[IndexFormCheck, ...]
    definition: sympy.Eq
    jacobian: sympy.Eq
    index_form: sympy.Eq
    diagonal: sympy.Expr

    @property
    def all_proved(self) -> bool:
        return all(entry.proved for entry in self.entries.values())


def _walk(steps: tuple[Step, ...]):
    for step in steps:
        yield step
        yield from _walk(step.substeps)
