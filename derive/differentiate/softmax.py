"""The softmax Jacobian ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ): each entry derived step by step.

For K concrete classes each entry is an ordinary one-variable derivation in zⱼ (the other
inputs are constants): use the definition, let the engine differentiate, then recognise the
softmax outputs in the result. Proving the entries, and the index form for K = 3 and 4, is
:mod:`derive.facts.jacobian`'s work.
"""

from __future__ import annotations

import sympy
from sympy import Derivative, Eq

from derive.differentiate.differentiator import Differentiator
from derive.differentiate.moves import StepChain
from derive.expressions import negate, product, total
from derive.functions import SoftmaxOutput, softmax_inputs, softmax_output
from derive.model import Derivation, say

CLASSES = 3


def entry_form(i: int, j: int, count: int) -> sympy.Expr:
    """sᵢ(δᵢⱼ − sⱼ) written for reading: sᵢ(1 − sᵢ) on the diagonal, −sᵢsⱼ off it."""
    z = softmax_inputs(count)
    s_i, s_j = softmax_output(i, z), softmax_output(j, z)
    return product(s_i, total(sympy.S.One, negate(s_i))) if i == j else negate(product(s_i, s_j))


def build_entry_derivation(i: int, j: int, count: int = CLASSES) -> Derivation:
    """∂sᵢ/∂zⱼ step by step, not yet verified (the verify stage proves it)."""
    z = softmax_inputs(count)
    s_i = softmax_output(i, z)
    variable = z[j - 1]
    definition = SoftmaxOutput.definition(sympy.Integer(i), *z)
    chain = StepChain(Derivative(s_i, variable))
    chain.step("definition", say("Use the definition ", Eq(s_i, definition, evaluate=False), "."), Derivative(definition, variable))
    chain.extend(Differentiator(variable).continue_from(chain.current))
    form = entry_form(i, j, count)
    chain.step(
        "recognise",
        say("Recognise the softmax outputs ", s_i, *([] if i == j else [" and ", softmax_output(j, z)]), " in the result."),
        form,
    )
    return Derivation(
        name="softmax", function=s_i, definition=definition, variable=variable, route="rules",
        steps=chain.result(), result=form, title="The softmax Jacobian",
    )


def index_form_statement() -> sympy.Eq:
    s, z = sympy.IndexedBase("s"), sympy.IndexedBase("z")
    i, j = sympy.symbols("i j", integer=True, positive=True)
    return Eq(Derivative(s[i], z[j]), product(s[i], total(sympy.KroneckerDelta(i, j), negate(s[j]))), evaluate=False)
