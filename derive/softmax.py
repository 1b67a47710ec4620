"""The softmax Jacobian ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ): every entry derived step by step and proved.

For K concrete classes each entry is an ordinary one-variable derivation in zⱼ (the other
inputs are constants): use the definition, let the engine differentiate, then recognise the
softmax outputs in the result. The index form is then checked entry by entry for K = 3 and 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Derivative, Eq

from derive.algebra import negate, product, total
from derive.engine import Differentiator
from derive.functions import softmax_inputs, softmax_output
from derive.model import Derivation, Verification, say
from derive.moves import Chain
from derive.verify import DEFAULT_OPTIONS, VerifyOptions, prove_equal, verify_derivation

CLASSES = 3
CHECKED_CLASS_COUNTS = (3, 4)


def entry_form(i: int, j: int, count: int) -> sympy.Expr:
    """sᵢ(δᵢⱼ − sⱼ) written for reading: sᵢ(1 − sᵢ) on the diagonal, −sᵢsⱼ off it."""
    z = softmax_inputs(count)
    s_i, s_j = softmax_output(i)(*z), softmax_output(j)(*z)
    return product(s_i, total(sympy.S.One, negate(s_i))) if i == j else negate(product(s_i, s_j))


def entry_derivation(i: int, j: int, count: int = CLASSES, options: VerifyOptions = DEFAULT_OPTIONS) -> Derivation:
    """∂sᵢ/∂zⱼ step by step, verified."""
    return verify_derivation(build_entry_derivation(i, j, count), options)


def build_entry_derivation(i: int, j: int, count: int = CLASSES) -> Derivation:
    """∂sᵢ/∂zⱼ step by step, not yet verified (the API verifies what it derives)."""
    z = softmax_inputs(count)
    s_i = softmax_output(i)(*z)
    variable = z[j - 1]
    definition = softmax_output(i).definition(*z)
    chain = Chain(Derivative(s_i, variable))
    chain.step("definition", say("Use the definition ", Eq(s_i, definition, evaluate=False), "."), Derivative(definition, variable))
    chain.extend(Differentiator(variable).continue_from(chain.current))
    form = entry_form(i, j, count)
    chain.step(
        "recognise",
        say("Recognise the softmax outputs ", s_i, *( [] if i == j else [" and ", softmax_output(j)(*z)] ), " in the result."),
        form,
    )
    return Derivation(
        name="softmax", function=s_i, definition=definition, variable=variable, route="rules",
        steps=chain.result(), result=form,
    )


@dataclass(frozen=True, kw_only=True)
class IndexFormCheck:
    """∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ) proved for every i, j with K classes."""

    count: int
    verifications: tuple[Verification, ...]

    @property
    def proved(self) -> bool:
        return all(v.status == "proved" for v in self.verifications)


def check_index_form(count: int, options: VerifyOptions = DEFAULT_OPTIONS) -> IndexFormCheck:
    z = softmax_inputs(count)
    verifications = []
    for i in range(1, count + 1):
        for j in range(1, count + 1):
            s_i, s_j = softmax_output(i)(*z), softmax_output(j)(*z)
            claim = s_i * (sympy.KroneckerDelta(i, j) - s_j)
            verifications.append(prove_equal(Derivative(s_i, z[j - 1]), claim, z[j - 1], options))
    return IndexFormCheck(count=count, verifications=tuple(verifications))


def index_form_statement() -> sympy.Eq:
    s, z = sympy.IndexedBase("s"), sympy.IndexedBase("z")
    i, j = sympy.symbols("i j", integer=True, positive=True)
    return Eq(Derivative(s[i], z[j]), product(s[i], total(sympy.KroneckerDelta(i, j), negate(s[j]))), evaluate=False)
