"""The losses and small networks of a deep-learning course, as letters and layers.

Every symbol is a real variable or parameter: the input x, the label y, the weights and biases.
A loss is a named function of the variables its gradient is taken in (L(w, b)); the input x and
the label y are parameters, held constant. Each network also lists its layers (the letters of
backpropagation, :class:`~derive.differentiate.backprop.Layer`), input side first, the loss last.
"""

from __future__ import annotations

import sympy

from derive.differentiate.backprop import Layer
from derive.expressions import product, total
from derive.functions import _activation, sigma, softmax_inputs, softmax_output, variable

x, y, w, b, z = (variable(name) for name in ("x", "y", "w", "b", "z"))
a, h, u = variable("a"), variable("h"), variable("u")
w_1, b_1, w_2, b_2 = (variable(name) for name in ("w_1", "b_1", "w_2", "b_2"))
y_hat = variable("yhat")
beta, alpha, lam = variable("beta"), variable("alpha"), variable("lambda")
labels = tuple(variable(f"y_{index}") for index in range(1, 4))


def cross_entropy(prediction: sympy.Expr) -> sympy.Expr:
    """−(y ln p + (1 − y) ln(1 − p)) for the label y."""
    return -y * sympy.log(prediction) - (1 - y) * sympy.log(1 - prediction)


#: L(z, y) = −y ln σ(z) − (1 − y) ln(1 − σ(z)): cross-entropy of the logit z, for a label y.
logit_loss = _activation("L", "L", lambda logit, label: -label * sympy.log(sigma(logit))
                         - (1 - label) * sympy.log(1 - sigma(logit)),
                         "Binary cross-entropy of sigma(z) for the label y.", arguments=2)

#: L(w, b) = cross-entropy of σ(wx + b): logistic regression on one example (x, y).
logistic_loss = _activation("L", "L", lambda weight, bias: cross_entropy(sigma(weight * x + bias)),
                            "Logistic regression: cross-entropy of sigma(w x + b) for one example (x, y).", arguments=2)
LOGISTIC_LAYERS = (Layer(letter=z, expression=total(product(w, x), b)), Layer(letter=a, expression=sigma(z)),
                   Layer(letter=variable("L"), expression=-y * sympy.log(a) - (1 - y) * sympy.log(1 - a)))

#: L(w, b) = (wx + b − y)²: squared error of a linear model.
squared_error_linear = _activation("L", "L", lambda weight, bias: (weight * x + bias - y) ** 2,
                                   "Squared error of the linear model w x + b for one example (x, y).", arguments=2)
LINEAR_LAYERS = (Layer(letter=y_hat, expression=total(product(w, x), b)), Layer(letter=variable("L"), expression=(y_hat - y) ** 2))

#: L(w, b) = (σ(wx + b) − y)²: squared error of a sigmoid output.
squared_error_sigmoid = _activation("L", "L", lambda weight, bias: (sigma(weight * x + bias) - y) ** 2,
                                    "Squared error of the sigmoid output sigma(w x + b) for one example (x, y).",
                                    arguments=2)
SIGMOID_OUTPUT_LAYERS = (Layer(letter=z, expression=total(product(w, x), b)), Layer(letter=a, expression=sigma(z)),
                         Layer(letter=variable("L"), expression=(a - y) ** 2))

#: L(w_1, b_1, w_2, b_2) = ½(w_2 σ(w_1 x + b_1) + b_2 − y)²: a two-layer scalar network.
two_layer_loss = _activation(
    "L", "L", lambda w1, b1, w2, b2: sympy.Rational(1, 2) * (w2 * sigma(w1 * x + b1) + b2 - y) ** 2,
    "Squared error of a two-layer scalar network.", arguments=4,
)
TWO_LAYER_LAYERS = (
    Layer(letter=u, expression=total(product(w_1, x), b_1)), Layer(letter=h, expression=sigma(u)),
    Layer(letter=y_hat, expression=total(product(w_2, h), b_2)),
    Layer(letter=variable("L"), expression=sympy.Rational(1, 2) * (y_hat - y) ** 2),
)

#: L(w, b) = cross-entropy of σ(wx + b) + (λ/2) w²: logistic regression with L2 regularisation.
regularised_loss = _activation(
    "L", "L", lambda weight, bias: cross_entropy(sigma(weight * x + bias)) + lam / 2 * weight**2,
    "Logistic regression with L2 regularisation (weight decay lambda).", arguments=2,
)

#: swish_β(x) = x σ(βx), a function of x and of β.
swish_beta = _activation("swish_beta", r"\operatorname{swish}", lambda value, slope: value * sigma(slope * value),
                         "Swish with a slope parameter beta: x sigma(beta x).", arguments=2)
#: softplus_β(x) = (1/β) ln(1 + e^(βx)), whose derivative in x is σ(βx).
softplus_beta = _activation("softplus_beta", r"\operatorname{softplus}",
                            lambda value, slope: sympy.log(1 + sympy.exp(slope * value)) / slope,
                            "Softplus with a sharpness parameter beta.", arguments=2)
#: ELU_α(x) = x for x > 0, α(e^x − 1) otherwise.
elu_alpha = _activation("elu_alpha", r"\operatorname{ELU}",
                        lambda value, scale: sympy.Piecewise((scale * (sympy.exp(value) - 1), value <= 0), (value, True)),
                        "ELU with a parameter alpha.", arguments=2)
#: leaky ReLU_α(x) = x for x > 0, αx otherwise.
leaky_relu = _activation("leaky_relu", r"\operatorname{LeakyReLU}",
                         lambda value, slope: sympy.Piecewise((slope * value, value <= 0), (value, True)),
                         "Leaky ReLU with a slope alpha for x < 0.", arguments=2)


def softmax_cross_entropy(count: int = 3) -> tuple[sympy.Expr, sympy.Expr]:
    """L(z_1, ..., z_K) = −Σ y_i ln s_i with labels that sum to 1 (y_K = 1 − y_1 − … − y_(K−1)),
    as (the loss written with s_i and y_K, the same with y_K written out)."""
    z_all = softmax_inputs(count)
    ys = [variable(f"y_{index}") for index in range(1, count + 1)]
    loss = -sympy.Add(*(ys[i] * sympy.log(softmax_output(i + 1, z_all)) for i in range(count)))
    return loss, loss.xreplace({ys[-1]: 1 - sympy.Add(*ys[:-1])})


#: The named functions defined here, by the name SymPy prints (to read derive's JSON back).
NETWORK_FUNCTIONS = (swish_beta, softplus_beta, elu_alpha, leaky_relu)
