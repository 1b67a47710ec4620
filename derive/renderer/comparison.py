"""The comparison of the catalogue: one row per function, every cell a verified property or blank.

A cell is filled only from a property the verify stage proved (the range of the derivative, its
maximum and where it is taken, its limits at ±∞); a fact that could not be proved is never
guessed: its cell carries a mark, and a footnote names what was not proved.
"""

from __future__ import annotations

from typing import Any

import sympy

from derive.model import Derivation, Property
from derive.printing import DEFAULT_STYLE, LatexStyle
from derive.renderer.view import Math


#: Which side a derivative that tends to 0 there saturates on, from the sides where it does.
SATURATION_SIDES = {("minus", "plus"): "both", ("minus",): "left", ("plus",): "right", (): "none"}
#: The columns a footnote names when their cell is not proved.
COLUMNS = {"range": "the range of the derivative", "maximum": "its maximum", "saturation": "where it saturates"}


def comparison_rows(derivations: list[tuple[str, Derivation]], style: LatexStyle = DEFAULT_STYLE) -> list[dict[str, Any]]:
    """One row per derivation (titled): each cell from a proved property, or marked as not proved."""
    return [comparison_row(title, derivation, style) for title, derivation in derivations]


def comparison_row(title: str, derivation: Derivation, style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any]:
    """The row of one derivation: plain data and formulas (picklable: a worker process that
    derived the function sends its row to the process that writes the table)."""
    x = derivation.variable
    found = {p.key: p for p in derivation.properties if p.verification.status == "proved"}
    maximum = found.get("derivative_maximum")
    value_range = found.get("derivative_range")
    limits = {side: found.get(f"derivative_limit_{side}_infinity") for side in ("minus", "plus")}
    flat = tuple(side for side in ("minus", "plus") if limits[side] is not None and limits[side].statement.rhs == 0)
    saturation = SATURATION_SIDES[flat] if all(limits.values()) else None
    values = value_range.statement.args[1] if value_range else None
    supremum = values.sup if values is not None and maximum is None else None
    missing = [column for column, known in (("range", value_range), ("maximum", maximum or value_range),
                                            ("saturation", saturation)) if not known]
    return {
        "name": derivation.name,
        "title": title,
        "in_sentence": "the" + title[3:] if title.startswith("The ") else title,
        "function": Math(
            derivation.function if derivation.function == derivation.definition
            else sympy.Eq(derivation.function, derivation.definition, evaluate=False),
            style=style,
        ),
        "derivative": Math(sympy.Eq(sympy.Derivative(derivation.function, x), derivation.result, evaluate=False), style=style),
        "range": Math(values, style=style) if values is not None else None,
        "range_ends": _ends(values, style) if isinstance(values, sympy.Interval) else None,
        "maximum": Math(maximum.statement.rhs, style=style) if maximum else None,
        "maximum_where": Math(_where(maximum, x), style=style) if maximum else None,
        "supremum": Math(supremum, style=style) if supremum is not None else None,
        "limits": {side: Math(p.statement.rhs, style=style) if p else None for side, p in limits.items()},
        "saturation": saturation,
        "not_proved": [COLUMNS[column] for column in missing],
        "proved": derivation.proved,
        "bounded_below_one": bool(maximum is not None and maximum.statement.rhs < 1),
        "unit_slope": bool(limits["plus"] is not None and limits["plus"].statement.rhs == 1),
    }


def _ends(values: sympy.Interval, style: LatexStyle) -> dict[str, Any]:
    """An interval's brackets and ends apart, for a cell too narrow for it on one line."""
    return {"opening": "(" if values.left_open else "[", "start": Math(values.start, style=style),
            "end": Math(values.end, style=style), "closing": ")" if values.right_open else "]"}


def _where(maximum: Property, x: sympy.Symbol) -> sympy.Basic:
    """Where the maximum is taken: x = x₀ (from F′(x₀) = M), or the property's condition (x ≥ 0)."""
    if maximum.condition is not None:
        return maximum.condition
    at_point = maximum.statement.lhs
    if isinstance(at_point, sympy.Subs):
        return sympy.Eq(x, at_point.point[0], evaluate=False)
    return sympy.true


def comparison_context(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The table's template values from its rows (:func:`comparison_rows`)."""
    bounded = [row for row in rows if row["bounded_below_one"]]
    unit_slope = [row for row in rows if row["unit_slope"]]
    grouped: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        if row["not_proved"]:
            grouped.setdefault(tuple(row["not_proved"]), []).append(row["title"])
    not_proved = [{"cells": _and(list(cells)), "titles": titles} for cells, titles in grouped.items()]
    return {"title": "Activation functions and their derivatives", "rows": rows, "bounded": bounded,
            "unit_slope": unit_slope, "not_proved": not_proved}


def _and(words: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
