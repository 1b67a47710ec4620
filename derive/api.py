"""The Python API: thin functions over the pipeline parse → differentiate → verify → facts → render.

:func:`derive` is the whole pipeline for one function, top to bottom: differentiate (a catalogue
route or the generic rules), verify every step, then compute the facts (the "in terms of itself"
form and, on request, the proved properties). Rendering is :func:`derive.render`, on the result.
"""

from __future__ import annotations

import dataclasses

import sympy

from derive.differentiate.catalogue import Entry, lookup
from derive.differentiate.routes import CANDIDATE_MOVES, rules_route
from derive.differentiate.softmax import build_entry_derivation
from derive.errors import DeriveError
from derive.facts.jacobian import softmax_jacobian
from derive.facts.properties import derive_properties
from derive.facts.recognition import express_in_terms_of_itself
from derive.functions import variable as make_variable
from derive.model import Derivation, Gradient, Step
from derive.verify import DEFAULT_OPTIONS, VerifyOptions, verify_derivation

__all__ = ["derive", "gradient", "softmax_jacobian"]


def derive(
    expr_or_name: str | sympy.Expr,
    variable: sympy.Symbol | str | None = None,
    route: str | None = None,
    *,
    properties: bool = False,
    order: int = 1,
    then: tuple[sympy.Symbol | str, ...] = (),
    options: VerifyOptions = DEFAULT_OPTIONS,
) -> Derivation:
    """Derive, step by step, the derivative of a catalogued function or of a SymPy expression.

    Every step comes back verified. ``properties=True`` also computes the verified properties
    (value at 0, symmetry, maximum of the derivative, ...) that documents show. ``order`` asks
    for a higher derivative, and ``then`` for a mixed partial derivative (the derivative in
    ``variable``, then in each letter of ``then``) of an expression.

    For an expression the variable is the one named (a SymPy symbol of the user's, with or
    without assumptions, or its name), or else the only letter it has (x when it has several).

    >>> from derive.printing import to_text
    >>> d = derive("sigmoid")
    >>> to_text(d.result), d.proved
    ('sigma(x)*(1 - sigma(x))', True)
    """
    entry = lookup(expr_or_name) if isinstance(expr_or_name, str) else None
    if entry is None:
        expr_or_name = _as_expression(expr_or_name)
        variable = variable if variable is not None else _only_letter(expr_or_name)
    x = _as_symbol(variable if variable is not None or entry is None else entry.variable_name)
    if entry is None:
        expr_or_name = _real_letters(expr_or_name, x)
    orders = _orders(x, order, then)
    if orders and entry is not None:
        raise DeriveError("higher and mixed derivatives are for expressions: derive the catalogue's own")
    derivation = _differentiate(entry, expr_or_name, x, route, orders=orders)
    derivation = verify_derivation(derivation, options)
    if _candidate_failed(derivation.steps):
        # A closing move rests on a numeric candidate that could not be proved: derive without it.
        derivation = verify_derivation(_differentiate(entry, expr_or_name, x, route, recognise=False, orders=orders), options)
    if entry is not None and not entry.variables and not derivation.letters:
        derivation = dataclasses.replace(derivation, recognition=_recognise(derivation, options))
    if properties:
        derivation = dataclasses.replace(derivation, properties=derive_properties(
            derivation.function, derivation.definition, derivation.variable, derivation.recognition, options))
    return derivation


def gradient(
    expr_or_name: str | sympy.Expr,
    variables: tuple[sympy.Symbol | str, ...] | None = None,
    route: str | None = None,
    *,
    options: VerifyOptions = DEFAULT_OPTIONS,
) -> Gradient:
    """Every partial derivative of a catalogued loss (its own variables: w and b for logistic
    regression) or of an expression (in ``variables``), each derived and verified.

    >>> g = gradient("logistic_regression")
    >>> [str(v) for v in g.variables], g.proved
    (['w', 'b'], True)
    """
    entry = lookup(expr_or_name) if isinstance(expr_or_name, str) else None
    if variables is None:
        if entry is not None:
            variables = entry.gradient_variables
        else:
            assert isinstance(expr_or_name, sympy.Basic)
            variables = tuple(sorted(expr_or_name.free_symbols, key=lambda symbol: symbol.name))
    if not variables:
        raise DeriveError("there is no variable to differentiate in")
    derivations = tuple(derive(expr_or_name, variable, route, options=options) for variable in variables)
    first = derivations[0]
    letters = next((d.letters for d in derivations if d.letters), ())
    return Gradient(name=first.name, title=first.title, function=first.function, definition=first.definition,
                    derivations=derivations, letters=letters)


def _differentiate(entry: Entry | None, expr: str | sympy.Expr, x: sympy.Symbol, route: str | None, *,
                   recognise: bool = True, orders: tuple[tuple[sympy.Symbol, int], ...] = ()) -> Derivation:
    """The differentiate stage: the steps of a catalogue route, or the generic rules, unverified."""
    if entry is None:
        if route not in (None, "rules"):
            raise DeriveError(f"unknown route '{route}': an expression is derived with the 'rules' route")
        assert isinstance(expr, sympy.Basic)
        steps = rules_route(expr, expr, x, recognise=recognise, orders=orders)
        derivation = _derivation("f", "", expr, expr, x, "rules", steps)
        return dataclasses.replace(derivation, orders=orders) if orders else derivation
    if entry.document == "jacobian":
        return build_entry_derivation(1, 1)
    chosen = route or entry.default_route
    if entry.variables and x.name not in entry.variables:
        raise DeriveError(f"{entry.name} is differentiated in {', '.join(entry.variables)}, not {x.name}")
    function, definition = entry.function(x), entry.definition(x)
    letters = tuple((layer.letter, (), layer.expression) for layer in entry.letters)
    steps = None
    if chosen in entry.routes:
        steps = entry.routes[chosen](x)
        if steps is not None and chosen == "backprop":
            letters += tuple((layer.letter, (), layer.expression) for layer in entry.layers[:-1])
    elif chosen != "rules":
        raise DeriveError(f"unknown route '{chosen}' for {entry.name}: choose one of {', '.join(entry.route_names)}")
    if steps is None:  # the rules, or backpropagation where the variable reaches the loss along several paths
        chosen, steps = "rules", rules_route(function, definition, x, recognise=recognise)
    return _derivation(entry.name, entry.title, function, definition, x, chosen, steps, letters)


def _derivation(name: str, title: str, function: sympy.Expr, definition: sympy.Expr, x: sympy.Symbol, route: str,
                steps: tuple[Step, ...], letters: tuple = ()) -> Derivation:
    result = steps[-1].after if steps else sympy.Derivative(function, x)
    return Derivation(name=name, title=title, function=function, definition=definition, variable=x, route=route,
                      steps=steps, result=result, letters=letters)


def _candidate_failed(steps: tuple[Step, ...]) -> bool:
    return any(step.rule in CANDIDATE_MOVES and not step.proved for step in steps)


def _recognise(derivation: Derivation, options: VerifyOptions):  # noqa: ANN202 - Recognition
    """The facts stage's "in terms of itself" form f′ = P(f), reusing the proof of the result."""
    identity = derivation.identity
    proved = {derivation.result: identity} if identity is not None and identity.proved else {}
    return express_in_terms_of_itself(derivation.function, derivation.result, derivation.variable,
                                      options=options, proved=proved)


def _as_expression(expr: object) -> sympy.Expr:
    """A SymPy expression of the user's (or a Python number); text is refused: parse it first
    (derive.parse.parse_expression reads it safely), since derive never evaluates text."""
    if isinstance(expr, sympy.Basic):
        return expr
    if isinstance(expr, (int, float)):
        return sympy.sympify(expr, strict=True)
    raise DeriveError(f"derive() takes a catalogue name or a SymPy expression, not {type(expr).__name__}")


def _only_letter(expr: sympy.Expr) -> sympy.Symbol | None:
    """The variable of an expression nobody named one for: its only letter, or x among several."""
    letters = sorted(expr.free_symbols, key=lambda symbol: symbol.name)
    if len(letters) == 1:
        return letters[0]
    return next((letter for letter in letters if letter.name == "x"), None)


def _real_letters(expr: sympy.Expr, x: sympy.Symbol) -> sympy.Expr:
    """The expression in derive's real letters: a user's Symbol('x') without assumptions is the
    same letter as derive's x (every derivation and proof is over the reals)."""
    replacements = {symbol: make_variable(symbol.name) for symbol in expr.free_symbols
                    if isinstance(symbol, sympy.Symbol) and not isinstance(symbol, sympy.Dummy)
                    and symbol != make_variable(symbol.name)}
    return expr.xreplace(replacements) if replacements else expr


def _orders(x: sympy.Symbol, order: int, then: tuple[sympy.Symbol | str, ...]) -> tuple[tuple[sympy.Symbol, int], ...]:
    if not 1 <= order <= 10:
        raise DeriveError(f"the order of a derivative is from 1 to 10, not {order}")
    if order == 1 and not then:
        return ()
    return ((x, order), *((_as_symbol(v), 1) for v in then))


def _as_symbol(variable: sympy.Symbol | str | None) -> sympy.Symbol:
    if variable is None:
        return make_variable("x")
    if isinstance(variable, str):
        return make_variable(variable)
    return make_variable(variable.name)
