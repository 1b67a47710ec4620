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
from derive.sandbox import failure
from derive.verify import DEFAULT_OPTIONS, VerifyOptions, verify_derivation

__all__ = ["derive", "gradient", "softmax_jacobian"]


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

    Raises only :class:`~derive.errors.DeriveError`: an unknown name or route as their own errors,
    anything unforeseen inside derive (a bug) as :class:`~derive.sandbox.JobFailed` (exit 3), and
    running out of memory or stack as :class:`~derive.sandbox.LimitExceeded` (exit 4).

    >>> from derive.printing import to_text
    >>> d = derive("sigmoid")
    >>> to_text(d.result), d.proved
    ('sigma(x)*(1 - sigma(x))', True)
    """
    try:
        return _derive(expr_or_name, variable, route, properties=properties, options=options)
    except DeriveError:
        raise
    except Exception as error:  # noqa: BLE001 - the API's contract: one error type, reported in one line
        raise failure(error, "deriving the expression") from error


def _derive(expr_or_name: str | sympy.Expr, variable: sympy.Symbol | str | None, route: str | None, *,
            properties: bool, options: VerifyOptions) -> Derivation:
    entry = lookup(expr_or_name) if isinstance(expr_or_name, str) else None
    x = _as_symbol(variable if variable is not None or entry is None else entry.variable_name)
    derivation = _differentiate(entry, expr_or_name, x, route)
    derivation = verify_derivation(derivation, options)
    if _candidate_failed(derivation.steps):
        # A closing move rests on a numeric candidate that could not be proved: derive without it.
        derivation = verify_derivation(_differentiate(entry, expr_or_name, x, route, recognise=False), options)
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
                   recognise: bool = True) -> Derivation:
    """The differentiate stage: the steps of a catalogue route, or the generic rules, unverified."""
    if entry is None:
        if route not in (None, "rules"):
            raise DeriveError(f"unknown route '{route}': an expression is derived with the 'rules' route")
        assert isinstance(expr, sympy.Basic)
        steps = rules_route(expr, expr, x, recognise=recognise)
        return _derivation("f", "", expr, expr, x, "rules", steps)
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


def _as_symbol(variable: sympy.Symbol | str | None) -> sympy.Symbol:
    if variable is None:
        return make_variable("x")
    if isinstance(variable, str):
        return make_variable(variable)
    return make_variable(variable.name)
