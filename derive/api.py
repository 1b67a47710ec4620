"""The Python API: thin functions over the pipeline parse → derive → verify → render."""

from __future__ import annotations

import dataclasses

import sympy

from derive.catalogue import Entry, lookup
from derive.errors import DeriveError
from derive.functions import variable as make_variable
from derive.model import Derivation
from derive.properties import derive_properties
from derive.recognise import express_in_terms_of_itself
from derive.routes import rules_route
from derive.verify import DEFAULT_OPTIONS, VerifyOptions, verify_derivation


def derive(
    expr_or_name: str | sympy.Expr,
    variable: sympy.Symbol | str | None = None,
    route: str | None = None,
    *,
    properties: bool = False,
    options: VerifyOptions = DEFAULT_OPTIONS,
) -> Derivation:
    """Derive, step by step, the derivative of a catalogued function or of a SymPy expression.

    Every step comes back verified. ``properties=True`` also computes the verified properties
    (value at 0, symmetry, maximum of the derivative, ...) that documents show.

    >>> from derive.printing import to_text
    >>> d = derive("sigmoid")
    >>> to_text(d.result), d.proved
    ('sigma(x)*(1 - sigma(x))', True)
    """
    if isinstance(expr_or_name, str):
        entry = lookup(expr_or_name)
        x = _as_symbol(variable if variable is not None else entry.variable_name)
        derivation = _derive_entry(entry, x, route)
    else:
        x = _as_symbol(variable)
        derivation = _derive_expression(sympy.sympify(expr_or_name), x, route)
    derivation = verify_derivation(derivation, options)
    if isinstance(expr_or_name, str):
        proved = {derivation.result: derivation.identity} if derivation.identity and derivation.identity.proved else {}
        recognition = express_in_terms_of_itself(derivation.function, derivation.result, derivation.variable,
                                                 options=options, proved=proved)
        derivation = dataclasses.replace(derivation, recognition=recognition)
    if properties:
        derivation = dataclasses.replace(
            derivation,
            properties=derive_properties(derivation.function, derivation.definition, x, derivation.recognition, options),
        )
    return derivation


def _derive_entry(entry: Entry, x: sympy.Symbol, route: str | None) -> Derivation:
    if entry.document == "jacobian":
        from derive.softmax import build_entry_derivation

        return build_entry_derivation(1, 1)
    chosen = route or entry.default_route
    function, definition = entry.function(x), entry.definition(x)
    if chosen in entry.routes:
        steps = entry.routes[chosen](x)
    elif chosen == "rules":
        steps = rules_route(function, definition, x)
    else:
        raise DeriveError(f"unknown route '{chosen}' for {entry.name}: choose one of {', '.join(entry.route_names)}")
    result = steps[-1].after if steps else sympy.Derivative(function, x)
    return Derivation(
        name=entry.name, function=function, definition=definition, variable=x, route=chosen, steps=steps, result=result,
    )


def _derive_expression(expr: sympy.Expr, x: sympy.Symbol, route: str | None) -> Derivation:
    if route not in (None, "rules"):
        raise DeriveError(f"unknown route '{route}': an expression is derived with the 'rules' route")
    steps = rules_route(expr, expr, x)
    result = steps[-1].after if steps else sympy.Derivative(expr, x)
    return Derivation(name="f", function=expr, definition=expr, variable=x, route="rules", steps=steps, result=result)


def _as_symbol(variable: sympy.Symbol | str | None) -> sympy.Symbol:
    if variable is None:
        return make_variable("x")
    if isinstance(variable, str):
        return make_variable(variable)
    return make_variable(variable.name)
