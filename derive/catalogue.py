"""The catalogue of named functions derive knows: definitions, routes and descriptions.

Each entry says how the function is written (``sigma(x)``), what it means (its definition in
elementary functions), which derivation routes exist (every entry has the generic ``rules``
route) and which one a lecture would use by default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy

from derive.errors import UnknownFunctionError
from derive.functions import sigma
from derive.routes import SIGMOID_ROUTES, Route


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One catalogued function of one variable."""

    name: str
    title: str
    summary: str
    function: Callable[[sympy.Symbol], sympy.Expr]
    definition: Callable[[sympy.Symbol], sympy.Expr]
    routes: Mapping[str, Route] = field(default_factory=dict)
    default_route: str = "rules"
    aliases: tuple[str, ...] = ()

    @property
    def route_names(self) -> tuple[str, ...]:
        return (*self.routes, "rules") if "rules" not in self.routes else tuple(self.routes)


ENTRIES: tuple[Entry, ...] = (
    Entry(
        name="sigmoid",
        title="The logistic sigmoid",
        summary="sigma(x) = 1/(1 + e^(-x)), the activation function of logistic regression.",
        function=lambda x: sigma(x),
        definition=lambda x: 1 / (1 + sympy.exp(-x)),
        routes=SIGMOID_ROUTES,
        default_route="chain",
        aliases=("sigma", "logistic"),
    ),
    Entry(
        name="tanh",
        title="The hyperbolic tangent",
        summary="tanh(x) = (e^x - e^(-x))/(e^x + e^(-x)).",
        function=lambda x: sympy.tanh(x),
        definition=lambda x: sympy.tanh(x),
    ),
)


def lookup(name: str) -> Entry:
    """The entry called ``name`` (or one of its aliases)."""
    wanted = name.strip().lower()
    for entry in ENTRIES:
        if wanted == entry.name or wanted in entry.aliases:
            return entry
    known = ", ".join(entry.name for entry in ENTRIES)
    raise UnknownFunctionError(f"unknown function '{name}': the catalogue has {known} (see 'derive list')")
