"""The Python API: thin functions over the pipeline parse → differentiate → verify → facts → render.

:func:`derive` is the whole pipeline for one function, top to bottom: differentiate (a catalogue
route or the generic rules), verify every step, then compute the facts (the "in terms of itself"
form and, on request, the proved properties). Rendering is :func:`derive.render`, on the result.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sympy

from derive.differentiate.catalogue import Entry, lookup
from derive.differentiate.routes import CANDIDATE_MOVES, rules_route
from derive.differentiate.softmax import build_entry_derivation
from derive.errors import DeriveError, InputError
from derive.expressions import reading_order
from derive.facts.detail import DEFAULT_DETAIL, Detail, at_detail, check_detail
from derive.facts.jacobian import softmax_jacobian
from derive.facts.properties import derive_properties
from derive.facts.recognition import express_in_terms_of_itself
from derive.functions import nowhere_defined
from derive.functions import variable as make_variable
from derive.model import Derivation, Gradient, Step, Verification
from derive.renderer import notebook as _notebook  # noqa: F401 - derivations show themselves in notebooks
from derive.verify import DEFAULT_OPTIONS, Verifier, VerifyOptions, sampled_bounds, verify_derivation

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
    detail: Detail = DEFAULT_DETAIL,
) -> Derivation:
    """Derive, step by step, the derivative of a catalogued function or of a SymPy expression.

    Every step comes back verified. ``properties=True`` also computes the verified properties
    (value at 0, symmetry, maximum of the derivative, ...) that documents show. ``order`` asks
    for a higher derivative, and ``then`` for a mixed partial derivative (the derivative in
    ``variable``, then in each letter of ``then``) of an expression. ``detail`` is how much the
    steps show (:mod:`derive.facts.detail`): ``"standard"`` folds trivial derivatives and repeated
    lines into the steps that use them, ``"brief"`` is one line per rule, ``"full"`` every move;
    every step shown is proved, at every level.

    The variable is ``variable`` (a symbol of the expression, or its name), or else the only
    symbol of the expression, or else the one called x. Your own symbols work whatever their
    assumptions (``Symbol("x")``, ``Symbol("t", positive=True)``, what ``sympify`` makes): derive
    differentiates with respect to a real variable of the same name, proves every step for
    real values of it, and gives the derivation back in your symbols.

    Raises only :class:`~derive.errors.DeriveError`: an unknown name or route as their own errors,
    anything unforeseen inside derive (a bug) as :class:`~derive.sandbox.JobFailed` (exit 3), and
    running out of memory or stack as :class:`~derive.sandbox.LimitExceeded` (exit 4).

    >>> from derive.printing import to_text
    >>> d = derive("sigmoid")
    >>> to_text(d.result), d.proved
    ('sigma(x)*(1 - sigma(x))', True)
    >>> x = sympy.Symbol("x")
    >>> d = derive(x**2 * sympy.sin(x))
    >>> d.result.subs(x, sympy.pi)
    -pi**2
    """
    try:
        check_detail(detail)
    except ValueError as error:
        raise InputError(str(error)) from None
    try:
        return _derive(expr_or_name, variable, route, properties=properties, order=order, then=then, options=options,
                       detail=detail)
    except DeriveError:
        raise
    except Exception as error:  # noqa: BLE001 - the API's contract: one error type, reported in one line
        from derive.sandbox import failure  # only here: the sandbox brings multiprocessing, which a run need not load

        raise failure(error, "deriving the expression") from error


def _derive(expr_or_name: str | sympy.Expr, variable: sympy.Symbol | str | None, route: str | None, *,
            properties: bool, order: int, then: tuple[sympy.Symbol | str, ...], options: VerifyOptions,
            detail: Detail = DEFAULT_DETAIL) -> Derivation:
    entry = lookup(expr_or_name) if isinstance(expr_or_name, str) else None
    expr = None if entry is not None else _as_expression(expr_or_name)
    yours = _chosen_variable(expr, variable, entry)
    to_real = _real_symbols(expr.free_symbols if expr is not None else set(), yours)
    x = to_real.get(yours, yours)
    if expr is not None and to_real:
        with sympy.evaluate(False):  # keep the expression as it was written
            expr = expr.xreplace(to_real)
    if expr is not None:
        _check_defined(expr, x, options)
    orders = _orders(x, order, then)
    if orders and entry is not None:
        raise DeriveError("higher and mixed derivatives are for expressions: derive the catalogue's own")
    derivation = _differentiate(entry, expr, x, route, orders=orders)
    derivation = verify_derivation(derivation, options)
    if _candidate_failed(derivation.steps):
        # A closing move rests on a numeric candidate that could not be proved: derive without it.
        derivation = verify_derivation(_differentiate(entry, expr, x, route, recognise=False, orders=orders), options)
    if entry is not None and not entry.variables and not derivation.letters:
        derivation = dataclasses.replace(derivation, recognition=_recognise(derivation, options))
    if properties:
        derivation = _with_properties(derivation, entry, options)
    derivation = at_detail(derivation, detail, options)
    back = {real: symbol for symbol, real in to_real.items()}
    return _in_symbols(derivation, back) if back else derivation


def with_properties(derivation: Derivation, options: VerifyOptions = DEFAULT_OPTIONS) -> Derivation:
    """A catalogue function's derivation (``derive(name, properties=False)``) with its proved
    properties: what ``derive(name, properties=True)`` gives, in two calls, so that a caller can
    start other work on the steps (:func:`derive.output.write_handout` has them plotted) while the
    properties are proved. The properties do not depend on the route or the level of detail."""
    try:
        return _with_properties(derivation, lookup(derivation.name), options)
    except DeriveError:
        raise
    except Exception as error:  # noqa: BLE001 - the API's contract, as in derive()
        from derive.sandbox import failure

        raise failure(error, "proving the properties") from error


def _with_properties(derivation: Derivation, entry: Entry | None, options: VerifyOptions) -> Derivation:
    return dataclasses.replace(derivation, properties=derive_properties(
        derivation.function, derivation.definition, derivation.variable, derivation.recognition, options,
        identities=entry.identities if entry is not None else ()))


def _check_defined(expr: sympy.Expr, variable: sympy.Symbol, options: VerifyOptions) -> None:
    """Refuse an expression that has no real value to derive: undefined for every value of its
    letters (once derivatives are evaluated it divides by zero: ``x^x / d^2/dx^2(3)``), or
    without a real value at every point the verifier samples (``sqrt(-1 - x^2)``, ``ln(x) + ln(-x)``,
    ``sqrt(-4)*x``). derive's functions are real: a proof over no point of a domain would prove nothing."""
    if nowhere_defined(expr):
        raise InputError("the expression is not defined for any value: it divides by zero "
                         "(a denominator is 0 once its derivatives are worked out), so it has no derivative")
    verifier = Verifier(variable, options)
    if not verifier.defined_somewhere(expr) and not _has_interval(expr, variable):
        low, high = sampled_bounds(options)
        raise InputError(f"the expression has no real value at any of the {len(verifier.rationals(None))} points "
                         f"where derive checks it ({variable} from {low:g} to {high:g}): it is complex or undefined "
                         "there (a root or logarithm of a negative number, an arcsine beyond ±1), so it has no real "
                         "derivative to derive")


def _has_interval(expr: sympy.Expr, variable: sympy.Symbol) -> bool:
    """Whether ``expr`` may be defined on an interval that the verifier's points miss: known to be
    (``asin(x + 5)`` on [−6, −4]), or not known not to be (thirty nested logarithms, defined beyond
    a tower of e's, whose domain SymPy's solver would take minutes to find)."""
    from derive.verify.domain import common_domain

    if any(isinstance(node, sympy.Expr) and node.is_number and node.is_extended_real is False
           for node in sympy.preorder_traversal(expr)):
        return False  # a complex constant (sqrt(-4), ln(-1)): the expression is complex wherever it is defined
    domain = common_domain(expr, expr, variable)
    return domain is None or bool(domain.measure > 0)


def _as_expression(value: object) -> sympy.Expr:
    """A SymPy expression, or a Python number as one (never a string: ``sympify`` is not run on text)."""
    if isinstance(value, sympy.Expr):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sympy.sympify(value, strict=True)
    raise DeriveError(f"derive() takes a catalogue name or a SymPy expression, not {type(value).__name__}")


def _chosen_variable(expr: sympy.Expr | None, variable: sympy.Symbol | str | None, entry: Entry | None) -> sympy.Symbol:
    """The variable as the caller means it: the symbol named (found in ``expr`` by its name when
    the expression has one of that name, whatever its assumptions), else ``expr``'s only symbol,
    else the one called x (or the catalogue entry's own)."""
    if variable is not None and not isinstance(variable, (str, sympy.Symbol)):
        raise DeriveError(f"the variable must be a symbol or its name, not {variable!r}")
    symbols = sorted((s for s in (expr.free_symbols if expr is not None else ()) if isinstance(s, sympy.Symbol)), key=str)
    names = [s.name for s in symbols]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DeriveError(f"the expression has two different symbols called {repeated[0]} (with different assumptions): "
                          "use one symbol per name")
    name = variable if isinstance(variable, str) else variable.name if variable is not None else None
    if name is None:
        if entry is not None:
            return make_variable(entry.variable_name)
        if len(symbols) == 1:
            return symbols[0]
        name = "x"
        if symbols and "x" not in names:
            raise DeriveError(f"the expression has several symbols ({', '.join(names)}): say which one is the variable, "
                              f"e.g. derive(expr, variable={names[0]})")
    found = next((s for s in symbols if s.name == name), None)
    if found is not None:
        return found
    return variable if isinstance(variable, sympy.Symbol) else make_variable(name)


def _real_symbols(symbols: set[sympy.Basic], variable: sympy.Symbol) -> dict[sympy.Symbol, sympy.Symbol]:
    """Each symbol that is not derive's real symbol of its name, mapped to it."""
    mapping = {}
    for symbol in {*symbols, variable}:
        if isinstance(symbol, sympy.Symbol) and not isinstance(symbol, sympy.Dummy):
            real = make_variable(symbol.name)
            if symbol != real:
                mapping[symbol] = real
    return mapping


def _in_symbols(value: Any, mapping: dict[sympy.Symbol, sympy.Symbol]) -> Any:
    """``value`` (a derivation and everything in it) with ``mapping`` applied to every expression,
    each kept as it was written. A verification holds no expression and stays as it is."""
    if isinstance(value, sympy.Basic):
        with sympy.evaluate(False):
            return value.xreplace(mapping)
    if isinstance(value, tuple):
        return tuple(_in_symbols(item, mapping) for item in value)
    if isinstance(value, Verification) or not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    return dataclasses.replace(value, **{
        field.name: _in_symbols(getattr(value, field.name), mapping) for field in dataclasses.fields(value) if field.init
    })


def gradient(
    expr_or_name: str | sympy.Expr,
    variables: tuple[sympy.Symbol | str, ...] | None = None,
    route: str | None = None,
    *,
    options: VerifyOptions = DEFAULT_OPTIONS,
    detail: Detail = DEFAULT_DETAIL,
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
            variables = tuple(sorted(expr_or_name.free_symbols, key=reading_order))
    if not variables:
        raise DeriveError("there is no variable to differentiate in")
    return gradient_of([derive(expr_or_name, variable, route, options=options, detail=detail) for variable in variables])


def gradient_of(derivations: list[Derivation] | tuple[Derivation, ...]) -> Gradient:
    """The gradient made of the partial derivatives of one function, in the order of its variables."""
    first = derivations[0]
    letters = next((d.letters for d in derivations if d.letters), ())
    return Gradient(name=first.name, title=first.title, function=first.function, definition=first.definition,
                    derivations=tuple(derivations), letters=letters)


def _differentiate(entry: Entry | None, expr: sympy.Expr | None, x: sympy.Symbol, route: str | None, *,
                   recognise: bool = True, orders: tuple[tuple[sympy.Symbol, int], ...] = ()) -> Derivation:
    """The differentiate stage: the steps of a catalogue route, or the generic rules, unverified."""
    if entry is None:
        if route not in (None, "rules"):
            raise DeriveError(f"unknown route '{route}': an expression is derived with the 'rules' route")
        assert expr is not None
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


def _orders(x: sympy.Symbol, order: int, then: tuple[sympy.Symbol | str, ...]) -> tuple[tuple[sympy.Symbol, int], ...]:
    if not 1 <= order <= 10:
        raise InputError(f"the order of a derivative is from 1 to 10, not {order}")
    if order == 1 and not then:
        return ()
    return ((x, order), *((_as_symbol(v), 1) for v in then))


def _as_symbol(variable: sympy.Symbol | str | None) -> sympy.Symbol:
    if variable is None:
        return make_variable("x")
    if isinstance(variable, str):
        return make_variable(variable)
    return make_variable(variable.name)
