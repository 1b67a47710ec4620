"""Letters that stand for expressions (z = wx + b, a = σ(z)) and the functions a definition names
(f(x) = ..., L(w, b) = ...): replacing them, and reading derivatives with respect to a letter.

A definition is ``(target, parameters, body)``: ``target`` is the letter (a Symbol) or the
function class it defines, ``parameters`` the function's letters (none for a letter). Both the
checker (a student's definitions) and the verifier (a backpropagation derivation, whose steps
are written in its own letters) read letters this way.
"""

from __future__ import annotations

from typing import Any

import sympy

from derive.expressions import rebuild

#: Definitions in the order they were made: ``(letter or function class, parameters, body)``.
Definitions = tuple[tuple[Any, tuple[sympy.Symbol, ...], sympy.Expr], ...]


def expand_letters(expr: sympy.Expr, definitions: Definitions, variable: sympy.Symbol) -> sympy.Expr:
    """``expr`` in the letters no definition stands for: every function the student defined and
    every letter that stands for an expression replaced, latest definition first (a definition
    may use the ones before it: v = u^2 after u = 1 + e^{-x}; a letter given a new meaning with
    'Let' is read with the meaning it had where it was used).

    A derivative with respect to a letter that stands for an expression is read as
    backpropagation reads it (:func:`_with_respect_to_letter`); every other derivative is of the
    expression with every definition replaced, so that ∂L/∂w after z = wx + b, a = σ(z) is the
    derivative of the whole loss.
    """
    if not definitions:
        return expr
    if expr.has(sympy.Derivative):
        expr = _resolve_derivatives(expr, definitions, variable)
    return expand(expr, definitions)


def expand(expr: sympy.Expr, definitions: Definitions) -> sympy.Expr:
    """Every definition replaced, latest first (no derivative with respect to a letter is read here)."""
    for target, parameters, body in reversed(definitions):
        if isinstance(target, sympy.Symbol):
            if expr.has(target):
                expr = expr.xreplace({target: body})
        elif expr.has(target):
            expr = expr.replace(lambda node, f=target: isinstance(node, f),
                                lambda node, p=parameters, b=body: b.xreplace(dict(zip(p, node.args))))
    return expr


def _resolve_derivatives(expr: sympy.Expr, definitions: Definitions, variable: sympy.Symbol) -> sympy.Expr:
    """Every derivative node, innermost first, written so that expanding the definitions is safe."""
    if not isinstance(expr, sympy.Basic) or not expr.args:
        return expr
    args = tuple(_resolve_derivatives(arg, definitions, variable) if isinstance(arg, sympy.Expr) else arg
                 for arg in expr.args)
    if isinstance(expr, sympy.Derivative):
        target = args[0]
        variables = expr.variable_count
        if len(variables) == 1 and _letter_index(variables[0][0], definitions) is not None:
            return _with_respect_to_letter(target, variables[0][0], variables[0][1], definitions, variable)
        return sympy.Derivative(expand(target, definitions), *variables)
    return rebuild(expr, args)


def _letter_index(symbol: sympy.Basic, definitions: Definitions) -> int | None:
    """Where the latest definition of the letter ``symbol`` stands, if some definition is of it."""
    for index in range(len(definitions) - 1, -1, -1):
        if definitions[index][0] == symbol:
            return index
    return None


def _with_respect_to_letter(target: sympy.Expr, letter: sympy.Symbol, order: int, definitions: Definitions,
                            x: sympy.Symbol) -> sympy.Expr:
    """∂A/∂v for a letter v that stands for an expression, as backpropagation reads it: A written
    in terms of v (the letters defined after v, which depend on it, replaced; v and what it is
    made of kept), differentiated in v with everything else held constant, then v replaced.

    When A is not written in terms of v (dσ/du after u = 1 + e^(-x), with σ(x) = 1/u), the chain
    rule read backwards gives it: (dA/dx)/(dv/dx), for a first derivative.
    """
    index = _letter_index(letter, definitions)
    assert index is not None
    later = definitions[index + 1 :]
    written = expand(target, later)
    if written.has(letter):
        free = sympy.Dummy(letter.name, real=True)
        derivative = sympy.Derivative(written.xreplace({letter: free}), (free, order))
        return sympy.Subs(derivative, free, expand(letter, definitions))
    result = expand(target, definitions)
    slope = sympy.Pow(sympy.Derivative(expand(letter, definitions), x), -1, evaluate=False)
    for _ in range(order):  # d/dv = (1/(dv/dx)) d/dx, applied order times
        result = sympy.Mul(sympy.Derivative(result, x), slope, evaluate=False)
    return result
