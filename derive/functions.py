"""The symbols and named functions that derive's expressions are made of.

``sigma`` is the standard logistic sigmoid. It stays unevaluated (``sigma(0)`` is not turned into
``1/2`` behind the reader's back); :func:`expand_definitions` replaces it by its definition, which
is what verification does before it proves anything.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import sympy
from sympy import Function, S, Symbol, exp


def variable(name: str = "x") -> Symbol:
    """The real variable named ``name``: every derivation and every check uses real symbols.

    >>> variable("x").is_real
    True
    """
    return Symbol(name, real=True)


def check_variable_name(name: str) -> None:
    """Refuse a variable name that a line could not use (a function, a constant, 'd', two words)."""
    from derive.errors import InputError
    from derive.parse.names import make_names

    try:
        make_names(name)
    except ValueError:
        raise InputError(
            f"cannot use {name!r} as the variable: choose a letter such as x or t that is not the name of a "
            "function or a constant"
        ) from None


class NamedFunction(Function):
    """A function of one argument with a name and a definition in elementary functions.

    Subclasses set ``latex_name`` and implement :meth:`definition` (what verification expands it
    to) and :meth:`derivative` (the rule the engine uses when the function appears inside
    another expression; verification proves every use of it from the definition).
    """

    nargs = 1
    latex_name: str = ""
    show_arguments: bool = True
    #: Every subclass, so that expand_definitions can test for all of them with one ``has``.
    registry: list[type[NamedFunction]] = []

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        NamedFunction.registry.append(cls)

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

    def _eval_rewrite_as_exp(self, u: sympy.Expr, **kwargs: object) -> sympy.Expr:
        return self.definition(u)

    def _eval_is_real(self) -> bool | None:
        return True if self.args[0].is_real else None

    def _eval_evalf(self, prec: int) -> sympy.Expr:
        return self.definition(self.args[0])._eval_evalf(prec)


class sigma(NamedFunction):  # noqa: N801 - printed as sigma(x), the name SymPy users read back
    r"""The logistic sigmoid, :math:`\sigma(x) = 1/(1+e^{-x})`."""

    latex_name = r"\sigma"

    @classmethod
    def definition(cls, u: sympy.Expr) -> sympy.Expr:
        return S.One / (1 + exp(-u))

    @classmethod
    def derivative(cls, u: sympy.Expr) -> sympy.Expr:
        """σ′(u) = σ(u)(1 − σ(u)); verification proves this from the definition."""
        return sigma(u) * (1 - sigma(u))

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None


class softplus(NamedFunction):  # noqa: N801
    """softplus(x) = ln(1 + e^x), a smooth ReLU."""

    latex_name = r"\operatorname{softplus}"

    @classmethod
    def definition(cls, u: sympy.Expr) -> sympy.Expr:
        return sympy.log(1 + exp(u))

    @classmethod
    def derivative(cls, u: sympy.Expr) -> sympy.Expr:
        return sigma(u)

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None


class Phi(NamedFunction):  # noqa: N801
    """The standard normal distribution function Φ(x) = (1 + erf(x/√2))/2 (for GELU)."""

    latex_name = r"\Phi"

    @classmethod
    def definition(cls, u: sympy.Expr) -> sympy.Expr:
        return (1 + sympy.erf(u / sympy.sqrt(2))) / 2

    @classmethod
    def derivative(cls, u: sympy.Expr) -> sympy.Expr:
        return exp(-(u**2) / 2) / sympy.sqrt(2 * sympy.pi)

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None


def _activation(name: str, latex: str, definition: Callable[[sympy.Expr], sympy.Expr], doc: str) -> type[NamedFunction]:
    """A catalogue activation function: a NamedFunction known only through its definition."""
    return type(name, (NamedFunction,), {
        "__doc__": doc, "latex_name": latex, "__module__": __name__,
        "definition": classmethod(lambda cls, u: definition(u)),
    })


silu = _activation("silu", r"\operatorname{SiLU}", lambda u: u * sigma(u), "SiLU (swish): x·σ(x).")
gelu = _activation("gelu", r"\operatorname{GELU}", lambda u: u * Phi(u), "GELU, exact: x·Φ(x).")
gelu_tanh = _activation(
    "gelu_tanh", r"\operatorname{GELU}_{\tanh}",
    lambda u: u / 2 * (1 + sympy.tanh(sympy.sqrt(2 / sympy.pi) * (u + sympy.Rational(44715, 10**6) * u**3))),
    "GELU, the tanh approximation: (x/2)(1 + tanh(√(2/π)(x + 0.044715 x³))).",
)
logsigmoid = _activation("logsigmoid", r"\operatorname{logsigmoid}", lambda u: sympy.log(sigma(u)), "log-sigmoid: ln σ(x).")
mish = _activation("mish", r"\operatorname{mish}", lambda u: u * sympy.tanh(softplus(u)), "mish: x·tanh(softplus(x)).")
softsign = _activation("softsign", r"\operatorname{softsign}", lambda u: u / (1 + sympy.Abs(u)), "softsign: x/(1 + |x|).")
relu = _activation(
    "relu", r"\operatorname{ReLU}",
    lambda u: sympy.Piecewise((S.Zero, u <= 0), (u, True)), "ReLU: max(0, x).",
)
elu = _activation(
    "elu", r"\operatorname{ELU}",
    lambda u: sympy.Piecewise((exp(u) - 1, u <= 0), (u, True)), "ELU with alpha = 1: x for x > 0, e^x - 1 otherwise.",
)

class SoftmaxOutput(NamedFunction):
    """s_i(z_1, ..., z_K) = e^(z_i) / (e^(z_1) + ... + e^(z_K)); printed s_i."""

    nargs = None
    show_arguments = False
    index = 1

    @classmethod
    def definition(cls, *inputs: sympy.Expr) -> sympy.Expr:  # type: ignore[override]
        return exp(inputs[cls.index - 1]) / sympy.Add(*(exp(z) for z in inputs))

    def _eval_is_positive(self) -> bool | None:
        return True if all(arg.is_real for arg in self.args) else None


@lru_cache(maxsize=None)
def softmax_output(index: int) -> type[SoftmaxOutput]:
    """The class of the softmax output s_index (one class per index, so that s_1 == s_1)."""
    return type(f"s_{index}", (SoftmaxOutput,), {"index": index, "latex_name": f"s_{{{index}}}", "__module__": __name__})


def softmax_inputs(count: int) -> tuple[sympy.Symbol, ...]:
    return tuple(sympy.Symbol(f"z_{k}", real=True) for k in range(1, count + 1))


#: The named functions of one argument that this module defines (NamedFunction.registry also holds
#: the ones made elsewhere, such as the catalogue's losses and the softmax outputs).
NAMED_FUNCTIONS: tuple[type[NamedFunction], ...] = (
    sigma, softplus, Phi, silu, gelu, gelu_tanh, logsigmoid, mish, softsign, relu, elu,
)


def expand_definitions(expr: sympy.Expr) -> sympy.Expr:
    """Replace every named function (``sigma``, ``softplus``, ...) by its definition, repeatedly.

    >>> x = variable()
    >>> expand_definitions(sigma(x))
    1/(1 + exp(-x))
    """
    for _ in range(len(NamedFunction.registry) + 1):
        if not expr.has(*NamedFunction.registry):
            return expr
        expr = expr.replace(lambda node: isinstance(node, NamedFunction), lambda node: node.definition(*node.args))
    return expr
