"""Backpropagation: a partial derivative of a loss, worked through the letters of the network.

A network is a chain of letters, each a function of the ones before it: z = wx + b, a = σ(z),
L = −y ln a − (1 − y) ln(1 − a). The partial derivative of L with respect to a weight is the
product of the local derivatives along the path from L down to the weight (the chain rule
through the letters):

    ∂L/∂w = ∂L/∂a · ∂a/∂z · ∂z/∂w

Each local derivative is derived on its own, in its own letter, as a sub-derivation; then they
are multiplied, simplified with named moves, and the letters written out again. The steps are
written in the letters: the derivation carries them (:attr:`~derive.model.Derivation.letters`)
and the verifier replaces them before it proves a step.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Derivative, Eq

from derive.differentiate.differentiator import Differentiator
from derive.differentiate.moves import StepChain
from derive.expressions import Partial, product, replace_node
from derive.model import Step, say


@dataclass(frozen=True, kw_only=True)
class Layer:
    """One letter of a network and the expression it stands for (in the inputs, the parameters
    and the letters before it)."""

    letter: sympy.Symbol
    expression: sympy.Expr


def path_to(layers: tuple[Layer, ...], variable: sympy.Symbol) -> tuple[Layer, ...] | None:
    """The letters from the loss (the last layer) down to the one whose expression contains
    ``variable`` itself, or None when the variable reaches the loss along more than one path."""
    by_letter = {layer.letter: layer for layer in layers}

    def depends(expr: sympy.Expr) -> bool:
        return variable in expr.free_symbols or any(
            letter in by_letter and depends(by_letter[letter].expression) for letter in expr.free_symbols)

    path = [layers[-1]]
    while variable not in path[-1].expression.free_symbols:
        through = [letter for letter in path[-1].expression.free_symbols
                   if letter in by_letter and depends(by_letter[letter].expression)]
        if len(through) != 1:
            return None
        path.append(by_letter[through[0]])
    if any(letter in by_letter and depends(by_letter[letter].expression)
           for letter in path[-1].expression.free_symbols - {variable}):
        return None  # the weight also reaches this layer through another letter
    return tuple(path)


def backprop_route(function: sympy.Expr, layers: tuple[Layer, ...], variable: sympy.Symbol) -> tuple[Step, ...] | None:
    """∂(function)/∂(variable) by backpropagation through ``layers`` (the loss last), or None
    when the variable does not reach the loss along one path of letters."""
    path = path_to(layers, variable)
    if path is None:
        return None
    loss = path[0]
    chain = StepChain(Derivative(function, variable))
    letters = [layer for layer in layers[:-1]]
    chain.step(
        "backprop_form",
        say("Write ", function, " through the letters of the network, each a function of the one before: ",
            *_listed([Eq(layer.letter, layer.expression, evaluate=False) for layer in letters]), "."),
        Derivative(loss.expression, variable),
    )
    variables = [layer.letter for layer in path[1:]] + [variable]
    locals_ = [(layer.expression, wrt) for layer, wrt in zip(path, variables)]
    factors = [Derivative(expression, wrt) for expression, wrt in locals_]
    substeps = tuple(_local_derivative(expression, wrt) for expression, wrt in locals_)
    names = [Partial(name, wrt) for name, wrt in zip([loss.letter, *variables[:-1]], variables)]
    chain.step(
        "backprop",
        say("Chain rule through the letters: ", Eq(Partial(loss.letter, variable), product(*names), evaluate=False),
            " (the local derivatives below)."),
        product(*factors),
        substeps=substeps,
    )
    values = [step.after for step in substeps]
    # a local derivative equal to 1 (∂z/∂b) is no factor: the result ends at σ(z), not σ(z) · 1
    chain.step("local_derivatives", say("Put in the local derivatives."), product(*([v for v in values if v != 1] or [1])))
    _recognise_letters(chain, letters)
    _cancel(chain, variable)
    written = _written_out(chain.current, letters)
    if written != chain.current:
        chain.step("substitute", say("Write the letters out again: ",
                                     *_listed([Eq(layer.letter, layer.expression, evaluate=False) for layer in reversed(letters)
                                               if chain.current.has(layer.letter) or written.has(layer.expression)]), "."),
                   written)
    return chain.result()


def _local_derivative(expression: sympy.Expr, wrt: sympy.Symbol) -> Step:
    """One local derivative, derived in its own letter (everything else held constant)."""
    steps = Differentiator(wrt).derivation(expression)
    result = steps[-1].after if steps else Derivative(expression, wrt)
    return Step(
        rule="local_derivative",
        annotation=say("Local derivative with respect to ", wrt, ", everything else held constant."),
        before=Derivative(expression, wrt),
        after=result,
        substeps=steps,
        details=(("variable", wrt),),
    )


def _recognise_letters(chain: StepChain, letters: list[Layer]) -> None:
    """σ(z)(1 − σ(z)) written a(1 − a): each letter's expression, where it occurs, by its letter."""
    current = chain.current
    found = []
    for layer in reversed(letters):
        if not layer.expression.is_Symbol and current.has(layer.expression):
            current = replace_node(current, layer.expression, layer.letter)
            found.append(layer)
    if found:
        chain.step("recognise", say("Recognise ", *_listed([Eq(layer.expression, layer.letter, evaluate=False)
                                                          for layer in found]), "."), current)


def _cancel(chain: StepChain, variable: sympy.Symbol) -> None:
    """One fraction, common factors cancelled: (−y/a + (1 − y)/(1 − a))·a(1 − a)·x = (a − y)·x."""
    current = chain.current
    if not any(power.exp.is_negative for power in current.atoms(sympy.Pow)):
        return  # nothing to cancel: the product stays as the local derivatives give it
    cancelled = sympy.factor_terms(sympy.cancel(sympy.expand(sympy.together(current))))
    if cancelled == current or sympy.count_ops(cancelled) >= sympy.count_ops(current):
        return
    factors = sympy.Mul.make_args(cancelled)
    first = [factor for factor in factors if factor.is_Add or factor.is_Pow]
    rest = [factor for factor in factors if factor not in first]
    shown = product(*first, *rest) if first and rest else cancelled
    chain.step("cancel", say("Bring everything over one denominator and cancel the common factors."), shown)


def _written_out(expr: sympy.Expr, letters: list[Layer]) -> sympy.Expr:
    """The letters replaced by what they stand for, the written order kept."""
    for layer in reversed(letters):
        if expr.has(layer.letter):
            expr = replace_node(expr, layer.letter, layer.expression)
    return expr


def _listed(items: list[sympy.Basic]) -> list[sympy.Basic | str]:
    """``a, b and c`` as annotation segments."""
    segments: list[sympy.Basic | str] = []
    for index, item in enumerate(items):
        if index:
            segments.append(" and " if index == len(items) - 1 else ", ")
        segments.append(item)
    return segments
