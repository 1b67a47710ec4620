"""The catalogue of named functions derive knows: definitions, routes and descriptions.

Each entry says how the function is written (``sigma(x)``), what it means (its definition in
elementary functions), which derivation routes exist (every entry has the generic ``rules``
route) and which one a lecture would use by default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy

from derive.errors import UnknownFunctionError
from derive.differentiate.routes import SIGMOID_ROUTES, Route
from derive.functions import (
    SoftmaxOutput, _activation, elu, gelu, gelu_tanh, logsigmoid, mish, relu, sigma, silu, softmax_inputs, softmax_output,
    softplus, softsign,
)


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One catalogued function of one variable."""

    name: str
    title: str
    summary: str
    function: Callable[[sympy.Symbol], sympy.Expr]
    definition: Callable[[sympy.Symbol], sympy.Expr]
    routes: Mapping[str, Route] = field(default_factory=dict)
    default_route: str = "rules"
    aliases: tuple[str, ...] = ()
    activation: bool = True
    variable_name: str = "x"
    document: str = "handout"
    identities: tuple[Callable[[sympy.Symbol], tuple[sympy.Expr, sympy.Expr]], ...] = ()

    @property
    def route_names(self) -> tuple[str, ...]:
        return (*self.routes, "rules") if "rules" not in self.routes else tuple(self.routes)


def _binary_cross_entropy(prediction: sympy.Expr) -> sympy.Expr:
    """-(y ln p + (1 - y) ln(1 - p)) for the label y."""
    y = sympy.Symbol("y", real=True)
    return -(y * sympy.log(prediction) + (1 - y) * sympy.log(1 - prediction))


_LOSS_OF_LOGIT = _activation("L", "L", lambda z: _binary_cross_entropy(sigma(z)), "Binary cross-entropy of sigma(z).")
_LOSS_OF_WEIGHT = _activation(
    "L", "L",
    lambda w: _binary_cross_entropy(sigma(w * sympy.Symbol("t", real=True) + sympy.Symbol("b", real=True))),
    "Binary cross-entropy of sigma(w t + b) for one example (t, y).",
)


def _entry(name: str, title: str, summary: str, function: type, **options: object) -> Entry:
    return Entry(
        name=name, title=title, summary=summary,
        function=lambda x, f=function: f(x), definition=lambda x, f=function: f.definition(x),
        **options,  # type: ignore[arg-type]
    )


ENTRIES: tuple[Entry, ...] = (
    Entry(
        name="sigmoid",
        title="The logistic sigmoid",
        summary="sigma(x) = 1/(1 + e^(-x)), the activation function of logistic regression.",
        function=lambda x: sigma(x),
        definition=lambda x: 1 / (1 + sympy.exp(-x)),
        routes=SIGMOID_ROUTES,
        default_route="chain",
        aliases=("sigma", "logistic"),
        identities=(lambda x: (sigma(-x), 1 - sigma(x)),),
    ),
    Entry(
        name="tanh",
        title="The hyperbolic tangent",
        summary="tanh(x) = (e^x - e^(-x))/(e^x + e^(-x)).",
        function=lambda x: sympy.tanh(x),
        definition=lambda x: (sympy.exp(x) - sympy.exp(-x)) / (sympy.exp(x) + sympy.exp(-x)),
        identities=(lambda x: (sympy.tanh(x), 2 * sigma(2 * x) - 1),),
    ),
    _entry("softplus", "The softplus function", "softplus(x) = ln(1 + e^x); its derivative is sigma(x).", softplus,
           identities=(lambda x: (sympy.Add(softplus(x), -softplus(-x), evaluate=False), x),)),
    _entry("silu", "SiLU (swish)", "SiLU(x) = x sigma(x).", silu, aliases=("swish",)),
    _entry("gelu", "GELU", "GELU(x) = x Phi(x), Phi the standard normal distribution function (with erf).", gelu),
    _entry("gelu_tanh", "GELU, tanh approximation",
           "GELU(x) ~ (x/2)(1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))).", gelu_tanh),
    _entry("logsigmoid", "The log-sigmoid", "logsigmoid(x) = ln sigma(x) = -softplus(-x).", logsigmoid,
           identities=(lambda x: (logsigmoid(x), -softplus(-x)),)),
    _entry("softsign", "The softsign function", "softsign(x) = x/(1 + |x|).", softsign),
    _entry("mish", "Mish", "mish(x) = x tanh(softplus(x)).", mish),
    _entry("relu", "The rectified linear unit", "ReLU(x) = max(0, x).", relu),
    _entry("elu", "The exponential linear unit", "ELU(x) = x for x > 0, e^x - 1 otherwise (alpha = 1).", elu),
    Entry(
        name="bce",
        title="Binary cross-entropy through a sigmoid",
        summary="L(z) = -(y ln sigma(z) + (1 - y) ln(1 - sigma(z))) for a label y; dL/dz = sigma(z) - y.",
        function=lambda z: _LOSS_OF_LOGIT(z),
        definition=lambda z: _LOSS_OF_LOGIT.definition(z),
        activation=False,
        variable_name="z",
    ),
    Entry(
        name="softmax",
        title="The softmax Jacobian",
        summary="s_i = e^(z_i)/sum_k e^(z_k); ds_i/dz_j = s_i(delta_ij - s_j), every entry derived for K = 3.",
        function=lambda z: softmax_output(1, softmax_inputs(3)),
        definition=lambda z: SoftmaxOutput.definition(sympy.Integer(1), *softmax_inputs(3)),
        activation=False,
        variable_name="z_1",
        document="jacobian",
    ),
    Entry(
        name="logistic_regression",
        title="The logistic-regression loss of one example",
        summary="L(w) = binary cross-entropy of sigma(w t + b) for one example (t, y); dL/dw = (sigma(w t + b) - y) t.",
        function=lambda w: _LOSS_OF_WEIGHT(w),
        definition=lambda w: _LOSS_OF_WEIGHT.definition(w),
        activation=False,
        variable_name="w",
    ),
)


def lookup(name: str) -> Entry:
    """The entry called ``name`` (or one of its aliases)."""
    wanted = name.strip().lower()
    for entry in ENTRIES:
        if wanted == entry.name or wanted in entry.aliases:
            return entry
    known = ", ".join(entry.name for entry in ENTRIES)
    raise UnknownFunctionError(f"unknown function '{name}': the catalogue has {known} (see 'derive list')")


def catalogue_names() -> dict[str, str]:
    """Every catalogue name and alias, mapped to its entry's name (for messages that suggest one)."""
    return {alias: entry.name for entry in ENTRIES for alias in (entry.name, *entry.aliases)}
