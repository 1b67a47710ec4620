"""The symbols and named functions that derive's expressions are made of.

``sigma`` is the standard logistic sigmoid. It stays unevaluated (``sigma(0)`` is not turned into
``1/2`` behind the reader's back); :func:`expand_definitions` replaces it by its definition, which
is what verification does before it proves anything.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import sympy
from sympy import Function, S, Symbol, exp


def variable(name: str = "x") -> Symbol:
    """The real variable named ``name``: every derivation and every check uses real symbols.

    >>> variable("x").is_real
    True
    """
    return Symbol(name, real=True)


class NamedFunction(Function):
    """A function of one argument with a name and a definition in elementary functions.

    Subclasses set ``latex_name`` and implement :meth:`definition` (what verification expands it
    to) and :meth:`derivative` (the rule the engine uses when the function appears inside
    another expression; verification proves every use of it from the definition).
    """

    nargs = 1
    latex_name: str = ""
    show_arguments: bool = True
    #: The function is positive wherever its arguments are real (σ, softplus, Φ, softmax outputs).
    positive: bool = False

    def latex_symbol(self) -> str:
        """The function's name in LaTeX (an instance may name itself by its arguments, as s_i)."""
        return type(self).latex_name

    def plain_symbol(self) -> str:
        """The function's name in plain text and JSON."""
        return type(self).__name__

    @classmethod
    def definition(cls, u: sympy.Expr) -> sympy.Expr:
        raise NotImplementedError

    @classmethod
    def derivative(cls, u: sympy.Expr) -> sympy.Expr:
        raise NotImplementedError

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        """SymPy's derivative (verification only): the stated one, or the definition's."""
        if len(self.args) == 1:
            try:
                return self.derivative(self.args[0])
            except NotImplementedError:
                pass
        dummies = [sympy.Dummy(f"u{k}") for k in range(len(self.args))]
        derivative = sympy.diff(self.definition(*dummies), dummies[argindex - 1])
        return derivative.xreplace(dict(zip(dummies, self.args)))

    def _eval_rewrite_as_exp(self, *args: sympy.Expr, **kwargs: object) -> sympy.Expr:
        return self.definition(*args)

    def inputs(self) -> tuple[sympy.Basic, ...]:
        """The arguments the function is a function of."""
        return self.args

    def _eval_is_real(self) -> bool | None:
        return True if all(arg.is_real for arg in self.inputs()) else None

    def _eval_is_positive(self) -> bool | None:
        return True if type(self).positive and all(arg.is_real for arg in self.inputs()) else None

    def _eval_evalf(self, prec: int) -> sympy.Expr:
        return self.definition(*self.args)._eval_evalf(prec)


class sigma(NamedFunction):  # noqa: N801 - printed as sigma(x), the name SymPy users read back
    r"""The logistic sigmoid, :math:`\sigma(x) = 1/(1+e^{-x})`."""

    latex_name = r"\sigma"
    positive = True

    @classmethod
    def definition(cls, u: sympy.Expr) -> sympy.Expr:
        return S.One / (1 + exp(-u))

    @classmethod
    def derivative(cls, u: sympy.Expr) -> sympy.Expr:
        """σ′(u) = σ(u)(1 − σ(u)); verification proves this from the definition."""
        return sigma(u) * (1 - sigma(u))


class softplus(NamedFunction):  # noqa: N801
    """softplus(x) = ln(1 + e^x), a smooth ReLU."""

    latex_name = r"\operatorname{softplus}"
    positive = True

    @classmethod
    def definition(cls, u: sympy.Expr) -> sympy.Expr:
        return sympy.log(1 + exp(u))

    @classmethod
    def derivative(cls, u: sympy.Expr) -> sympy.Expr:
        return sigma(u)


class Phi(NamedFunction):  # noqa: N801
    """The standard normal distribution function Φ(x) = (1 + erf(x/√2))/2 (for GELU)."""

    latex_name = r"\Phi"
    positive = True

    @classmethod
    def definition(cls, u: sympy.Expr) -> sympy.Expr:
        return (1 + sympy.erf(u / sympy.sqrt(2))) / 2

    @classmethod
    def derivative(cls, u: sympy.Expr) -> sympy.Expr:
        return exp(-(u**2) / 2) / sympy.sqrt(2 * sympy.pi)


def _activation(name: str, latex: str, definition: Callable[..., sympy.Expr], doc: str, *,
                arguments: int = 1) -> type[NamedFunction]:
    """A catalogue function (an activation, a loss): a NamedFunction known only through its
    definition, of ``arguments`` arguments (a loss L(w, b) of a weight and a bias)."""
    return type(name, (NamedFunction,), {
        "__doc__": doc, "latex_name": latex, "__module__": __name__, "nargs": arguments,
        "definition": classmethod(lambda cls, *u: definition(*u)),
    })


silu = _activation("silu", r"\operatorname{SiLU}", lambda u: u * sigma(u), "SiLU (swish): x·σ(x).")
gelu = _activation("gelu", r"\operatorname{GELU}", lambda u: u * Phi(u), "GELU, exact: x·Φ(x).")
gelu_tanh = _activation(
    "gelu_tanh", r"\operatorname{GELU}_{\tanh}",
    lambda u: u / 2 * (1 + sympy.tanh(sympy.sqrt(2 / sympy.pi) * (u + sympy.Rational(44715, 10**6) * u**3))),
    "GELU, the tanh approximation: (x/2)(1 + tanh(√(2/π)(x + 0.044715 x³))).",
)
logsigmoid = _activation("logsigmoid", r"\operatorname{logsigmoid}", lambda u: sympy.log(sigma(u)), "log-sigmoid: ln σ(x).")
mish = _activation("mish", r"\operatorname{Mish}", lambda u: u * sympy.tanh(softplus(u)), "Mish: x·tanh(softplus(x)).")
softsign = _activation("softsign", r"\operatorname{softsign}", lambda u: u / (1 + sympy.Abs(u)), "softsign: x/(1 + |x|).")
relu = _activation(
    "relu", r"\operatorname{ReLU}",
    lambda u: sympy.Piecewise((S.Zero, u <= 0), (u, True)), "ReLU: max(0, x).",
)
elu = _activation(
    "elu", r"\operatorname{ELU}",
    lambda u: sympy.Piecewise((exp(u) - 1, u <= 0), (u, True)), "ELU with alpha = 1: x for x > 0, e^x - 1 otherwise.",
)

class log_base(NamedFunction):  # noqa: N801 - printed as log(x, 2), as it is typed
    r"""The logarithm to a base, :math:`\log_b u = \ln u / \ln b`: ``log_base(u, b)``, typed
    ``log(x, 2)`` or ``\log_2 x``. It stays as written, so that a derivation can name its change
    of base; verification expands it like every named function."""

    nargs = 2

    @classmethod
    def definition(cls, u: sympy.Expr, base: sympy.Expr) -> sympy.Expr:  # type: ignore[override]
        return sympy.log(u) / sympy.log(base)

    def inputs(self) -> tuple[sympy.Basic, ...]:
        return self.args

    def _eval_is_real(self) -> bool | None:
        u, base = self.args
        return True if u.is_positive and base.is_positive and (base - 1).is_nonzero else None


class SoftmaxOutput(NamedFunction):
    """s_i(z_1, ..., z_K) = e^(z_i) / (e^(z_1) + ... + e^(z_K)), written ``SoftmaxOutput(i, z_1, ..., z_K)``
    and printed s_i. The index is the first argument, so one class serves every output."""

    nargs = None
    show_arguments = False
    positive = True

    @classmethod
    def definition(cls, index: sympy.Integer, *inputs: sympy.Expr) -> sympy.Expr:  # type: ignore[override]
        return exp(inputs[int(index) - 1]) / sympy.Add(*(exp(z) for z in inputs))

    @property
    def index(self) -> int:
        return int(self.args[0])

    def latex_symbol(self) -> str:
        return f"s_{{{self.index}}}"

    def plain_symbol(self) -> str:
        return f"s_{self.index}"

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        if argindex == 1:
            return S.Zero  # the index is not a variable
        dummies = [sympy.Dummy(f"z{k}") for k in range(1, len(self.args))]
        derivative = sympy.diff(self.definition(self.args[0], *dummies), dummies[argindex - 2])
        return derivative.xreplace(dict(zip(dummies, self.args[1:])))

    def inputs(self) -> tuple[sympy.Basic, ...]:
        return self.args[1:]


def softmax_output(index: int, inputs: tuple[sympy.Symbol, ...]) -> SoftmaxOutput:
    """s_index of the softmax of ``inputs``."""
    return SoftmaxOutput(sympy.Integer(index), *inputs)


def softmax_inputs(count: int) -> tuple[sympy.Symbol, ...]:
    return tuple(sympy.Symbol(f"z_{k}", real=True) for k in range(1, count + 1))


#: The named functions of one argument that this module defines (the catalogue makes a few more,
#: such as its losses).
NAMED_FUNCTIONS: tuple[type[NamedFunction], ...] = (
    sigma, softplus, Phi, silu, gelu, gelu_tanh, logsigmoid, mish, softsign, relu, elu,
)


#: How deep definitions may refer to other named functions (mish → softplus → ln): a bound, so
#: that a definition that refers to itself cannot loop.
MAX_DEFINITION_DEPTH = 16


def expand_definitions(expr: sympy.Expr) -> sympy.Expr:
    """Replace every named function (``sigma``, ``softplus``, ...) by its definition, repeatedly.

    >>> x = variable()
    >>> expand_definitions(sigma(x))
    1/(1 + exp(-x))
    """
    for _ in range(MAX_DEFINITION_DEPTH):
        if not expr.atoms(NamedFunction):
            return expr
        expr = expr.replace(lambda node: isinstance(node, NamedFunction), lambda node: node.definition(*node.args))
    return expr


def prepare(expr: sympy.Basic) -> sympy.Expr:
    """Definitions expanded first, then derivatives evaluated: never assume σ′ = σ(1 − σ).

    This is what every numeric evaluation and every proof works on (SymPy's ``doit`` evaluates
    the derivatives: for checking, never for producing a step).
    """
    if not isinstance(expr, sympy.Basic):
        expr = sympy.sympify(expr, strict=True)  # a Python number; strict: never a string
    return _prepared(expr)


def nowhere_defined(expr: sympy.Basic) -> bool:
    """Whether ``expr`` has no value for any value of its letters: once evaluated it divides by
    zero (``0/0``, ``x/(x - x)``, ``x / d^2/dx^2(3)``). Kept unevaluated, such an expression looks
    harmless, and a proof about it would prove nothing."""
    return _nowhere_defined(prepare(expr))


@functools.lru_cache(maxsize=4096)
def _nowhere_defined(prepared: sympy.Expr) -> bool:
    return bool(prepared.doit().has(sympy.zoo, sympy.nan))


@functools.lru_cache(maxsize=4096)
def _prepared(expr: sympy.Basic) -> sympy.Expr:
    """:func:`prepare` remembered: a SymPy expression is immutable, and every step of every route
    prepares the same few expressions again (each is one side of two equalities)."""
    expr = expand_definitions(expr)
    if expr.has(sympy.Derivative, sympy.Subs):
        expr = expr.doit()
    return expr
