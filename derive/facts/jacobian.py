"""Facts of the softmax Jacobian: every entry for K classes derived and proved, and the index
form ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ) proved entry by entry for K = 3 and 4."""

from __future__ import annotations

import sympy
from sympy import Derivative

from derive.differentiate.softmax import CLASSES, build_entry_derivation, entry_form, index_form_statement
from derive.functions import SoftmaxOutput, softmax_inputs, softmax_output
from derive.facts.detail import DEFAULT_DETAIL, Detail, at_detail
from derive.model import Derivation, IndexFormCheck, JacobianFacts
from derive.verify import DEFAULT_OPTIONS, VerifyOptions, prove_equal, verify_derivation

CHECKED_CLASS_COUNTS = (3, 4)


def entry_derivation(i: int, j: int, count: int = CLASSES, options: VerifyOptions = DEFAULT_OPTIONS,
                     detail: Detail = "full") -> Derivation:
    """∂sᵢ/∂zⱼ step by step, verified, its steps at ``detail``."""
    derivation = verify_derivation(build_entry_derivation(i, j, count), options)
    return derivation if detail == "full" else at_detail(derivation, detail, options)


def check_index_form(count: int, options: VerifyOptions = DEFAULT_OPTIONS) -> IndexFormCheck:
    z = softmax_inputs(count)
    verifications = []
    for i in range(1, count + 1):
        for j in range(1, count + 1):
            s_i, s_j = softmax_output(i, z), softmax_output(j, z)
            claim = s_i * (sympy.KroneckerDelta(i, j) - s_j)
            verifications.append(prove_equal(Derivative(s_i, z[j - 1]), claim, z[j - 1], options))
    return IndexFormCheck(count=count, verifications=tuple(verifications))


def softmax_jacobian(count: int = CLASSES, options: VerifyOptions = DEFAULT_OPTIONS,
                     detail: Detail = DEFAULT_DETAIL) -> JacobianFacts:
    """The K x K Jacobian, every entry derived and proved (its steps at ``detail``, as every
    document shows them), and the index form checked."""
    z = softmax_inputs(count)
    entries = {(i, j): entry_derivation(i, j, count, options, detail) for i in range(1, count + 1) for j in range(1, count + 1)}
    values = sympy.Matrix(count, count, lambda r, c: entries[(r + 1, c + 1)].result)
    derivatives = sympy.Matrix(count, count, lambda r, c: Derivative(softmax_output(r + 1, z), z[c]))
    first = softmax_output(1, z)
    return JacobianFacts(
        count=count, inputs=z, entries=entries,
        checks=tuple(check_index_form(k, options) for k in CHECKED_CLASS_COUNTS),
        definition=sympy.Eq(first, SoftmaxOutput.definition(sympy.Integer(1), *z), evaluate=False),
        jacobian=sympy.Eq(derivatives, values, evaluate=False),
        index_form=index_form_statement(),
        diagonal=entry_form(1, 1, count),
    )
