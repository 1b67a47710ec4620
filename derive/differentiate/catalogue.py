"""The catalogue of named functions derive knows: definitions, routes and descriptions.

Each entry says how the function is written (``sigma(x)``), what it means (its definition in
elementary functions), which derivation routes exist (every entry has the generic ``rules``
route) and which one a lecture would use by default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy

from derive.differentiate import networks as nets
from derive.differentiate.backprop import Layer, backprop_route
from derive.differentiate.routes import rules_route, SIGMOID_ROUTES, TANH_ROUTES, Route, softmax_cross_entropy_route
from derive.errors import UnknownFunctionError
from derive.model import Described
from derive.functions import (
    SoftmaxOutput, _activation, elu, gelu, gelu_tanh, logsigmoid, mish, relu, sigma, silu, softmax_inputs, softmax_output,
    softplus, softsign,
)


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One catalogued function: of one variable, or a loss whose gradient is taken in several
    (``variables``; every other letter, the input x and the label y, is a parameter)."""

    name: str
    #: the title as prose: plain text, or a Described sentence whose Greek parameter documents typeset
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
    #: the variables of the gradient, when there are several (w and b); the first is variable_name
    variables: tuple[str, ...] = ()
    #: the letters of backpropagation, input side first, the loss last (z = wx + b, a = σ(z), L)
    layers: tuple[Layer, ...] = ()
    #: letters every derivation of the entry is written with (y_3 = 1 - y_1 - y_2: labels that sum to 1)
    letters: tuple[Layer, ...] = ()

    @property
    def gradient_variables(self) -> tuple[str, ...]:
        return self.variables or (self.variable_name,)

    @property
    def route_names(self) -> tuple[str, ...]:
        return (*self.routes, "rules") if "rules" not in self.routes else tuple(self.routes)


def _binary_cross_entropy(prediction: sympy.Expr) -> sympy.Expr:
    """-(y ln p + (1 - y) ln(1 - p)) for the label y."""
    y = sympy.Symbol("y", real=True)
    return -(y * sympy.log(prediction) + (1 - y) * sympy.log(1 - prediction))


def _loss(name: str, title: str, summary: str, function: type, arguments: tuple[sympy.Symbol, ...], *,
          variables: tuple[sympy.Symbol, ...] | None = None, layers: tuple[Layer, ...] = (), **options: object) -> Entry:
    """A function of ``arguments`` (a loss L(w, b), an activation with a parameter, swish(x, β))
    whose gradient is taken in ``variables`` (all its arguments unless said); backpropagation
    when it has layers."""
    variables = variables or arguments
    routes: dict[str, Route] = {}
    if layers:
        routes["backprop"] = lambda v: backprop_route(function(*arguments), layers, v)  # type: ignore[assignment]
    return Entry(
        name=name, title=title, summary=summary,
        function=lambda v: function(*arguments), definition=lambda v: function.definition(*arguments),
        routes=routes, default_route="backprop" if layers else "rules", activation=False,
        variable_name=str(variables[0]), variables=tuple(map(str, variables)) if len(variables) > 1 else (),
        layers=layers, document="gradient" if len(variables) > 1 else "handout",
        **options,  # type: ignore[arg-type]
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
        routes={"quotient": lambda x: rules_route(sympy.tanh(x), (sympy.exp(x) - sympy.exp(-x)) / (sympy.exp(x) + sympy.exp(-x)), x),
                **TANH_ROUTES},
        default_route="quotient",
        identities=(lambda x: (sympy.tanh(x), 2 * sigma(2 * x) - 1),),
    ),
    _entry("softplus", "The softplus function", "softplus(x) = ln(1 + e^x); its derivative is sigma(x).", softplus,
           identities=(lambda x: (sympy.Add(softplus(x), -softplus(-x), evaluate=False), x),)),
    _entry("silu", "SiLU (swish)", "SiLU(x) = x sigma(x).", silu, aliases=("swish",)),
    _entry("gelu", "GELU", "GELU(x) = x Phi(x), Phi the standard normal distribution function (with erf).", gelu),
    _entry("gelu_tanh", "GELU (tanh approximation)",
           "GELU(x) ~ (x/2)(1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))).", gelu_tanh),
    _entry("logsigmoid", "The log-sigmoid", "logsigmoid(x) = ln sigma(x) = -softplus(-x).", logsigmoid,
           identities=(lambda x: (logsigmoid(x), -softplus(-x)),)),
    _entry("softsign", "The softsign function", "softsign(x) = x/(1 + |x|).", softsign),
    _entry("mish", "Mish", "Mish(x) = x tanh(softplus(x)).", mish),
    _entry("relu", "The rectified linear unit", "ReLU(x) = max(0, x).", relu),
    _entry("elu", "The exponential linear unit", "ELU(x) = x for x > 0, e^x - 1 otherwise (alpha = 1).", elu),
    Entry(
        name="bce",
        title="Binary cross-entropy through a sigmoid",
        summary="L(z, y) = -(y ln sigma(z) + (1 - y) ln(1 - sigma(z))) for a label y; dL/dz = sigma(z) - y.",
        function=lambda z: nets.logit_loss(z, nets.y),
        definition=lambda z: nets.logit_loss.definition(z, nets.y),
        activation=False,
        variable_name="z",
        aliases=("cross_entropy",),
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
    _loss("logistic_regression", "Logistic regression: the gradient of the loss",
          "L(w, b) = cross-entropy of sigma(w x + b) for one example (x, y); dL/dw = (sigma(w x + b) - y) x, "
          "dL/db = sigma(w x + b) - y, by backpropagation.", nets.logistic_loss, (nets.w, nets.b),
          layers=nets.LOGISTIC_LAYERS),
    _loss("mse", "Squared error of a linear model", "L(w, b) = (w x + b - y)^2; dL/dw = 2(w x + b - y) x.",
          nets.squared_error_linear, (nets.w, nets.b), layers=nets.LINEAR_LAYERS, aliases=("mse_linear",)),
    _loss("mse_sigmoid", "Squared error of a sigmoid output",
          "L(w, b) = (sigma(w x + b) - y)^2; dL/dw = 2(a - y) a(1 - a) x with a = sigma(w x + b).",
          nets.squared_error_sigmoid, (nets.w, nets.b), layers=nets.SIGMOID_OUTPUT_LAYERS),
    _loss("two_layer", "A two-layer network: all four gradients",
          "L = (1/2)(w_2 sigma(w_1 x + b_1) + b_2 - y)^2; the gradients in w_1, b_1, w_2, b_2 by backpropagation.",
          nets.two_layer_loss, (nets.w_1, nets.b_1, nets.w_2, nets.b_2), layers=nets.TWO_LAYER_LAYERS),
    _loss("l2", "Logistic regression with L2 regularisation",
          "L(w, b) = cross-entropy of sigma(w x + b) + (lambda/2) w^2; dL/dw = (sigma(w x + b) - y) x + lambda w.",
          nets.regularised_loss, (nets.w, nets.b), aliases=("weight_decay",)),
    Entry(
        name="softmax_cross_entropy",
        title="Softmax cross-entropy: the gradient in the logits",
        summary="L = -(y_1 ln s_1 + y_2 ln s_2 + y_3 ln s_3), labels summing to 1; dL/dz_i = s_i - y_i (K = 3).",
        function=lambda z: nets.softmax_cross_entropy()[0],
        definition=lambda z: nets.softmax_cross_entropy()[1],
        routes={"rules": softmax_cross_entropy_route},
        letters=(Layer(letter=nets.labels[2], expression=1 - nets.labels[0] - nets.labels[1]),),
        activation=False,
        variable_name="z_1",
        variables=("z_1", "z_2", "z_3"),
        document="gradient",
    ),
    _loss("swish_beta", Described("Swish with a parameter ", nets.beta), "swish(x, beta) = x sigma(beta x); the derivatives in x and beta.",
          nets.swish_beta, (nets.x, nets.beta)),
    _loss("softplus_beta", Described("Softplus with a parameter ", nets.beta),
          "softplus(x, beta) = (1/beta) ln(1 + e^(beta x)); its derivative in x is sigma(beta x).",
          nets.softplus_beta, (nets.x, nets.beta), variables=(nets.x,)),
    _loss("elu_alpha", Described("ELU with a parameter ", nets.alpha), "ELU(x, alpha) = x for x > 0, alpha(e^x - 1) otherwise.",
          nets.elu_alpha, (nets.x, nets.alpha), variables=(nets.x,)),
    _loss("leaky_relu", "Leaky ReLU", "LeakyReLU(x, alpha) = x for x > 0, alpha x otherwise.", nets.leaky_relu,
          (nets.x, nets.alpha), variables=(nets.x,)),
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
