"""The comparison of the catalogue: one row per function, every cell a verified property or blank.

A cell is filled only from a property the engine proved (the range and maximum of the
derivative, its limits at ±∞); a fact that could not be proved is left blank, never guessed.
"""

from __future__ import annotations

from typing import Any

import sympy

from derive.model import Derivation
from derive.printing import DEFAULT_STYLE, LatexStyle
from derive.renderer.view import Math


def comparison_rows(derivations: list[tuple[str, Derivation]], style: LatexStyle = DEFAULT_STYLE) -> list[dict[str, Any]]:
    rows = []
    for title, derivation in derivations:
        x = derivation.variable
        found = {p.key: p for p in derivation.properties if p.verification.status == "proved"}
        maximum = found.get("derivative_maximum")
        value_range = found.get("derivative_range")
        limits = {side: found.get(f"derivative_limit_{side}_infinity") for side in ("minus", "plus")}
        flat = [side for side in ("minus", "plus") if limits[side] is not None and limits[side].statement.rhs == 0]
        saturation = {("minus", "plus"): "both", ("minus",): "left", ("plus",): "right"}.get(tuple(flat), "no")
        saturates = {"both": "both sides", "left": "left (x → −∞)", "right": "right (x → ∞)"}.get(saturation, "no")
        rows.append({
            "name": derivation.name,
            "title": title,
            "in_sentence": "the" + title[3:] if title.startswith("The ") else title,
            "function": Math(
                derivation.function if derivation.function == derivation.definition
                else sympy.Eq(derivation.function, derivation.definition, evaluate=False),
                style=style,
            ),
            "derivative": Math(sympy.Eq(sympy.Derivative(derivation.function, x), derivation.result, evaluate=False), style=style),
            "range": Math(value_range.statement.args[1], style=style) if value_range else None,
            "maximum": Math(maximum.statement.rhs, style=style) if maximum else None,
            "limits": {side: Math(p.statement.rhs, style=style) if p else None for side, p in limits.items()},
            "saturates": saturates,
            "saturation": saturation,  # both, left, right or no: each template writes its own x → ±∞
            "saturation_proved": all(limits.values()),
            "proved": derivation.proved,
            "bounded_below_one": bool(maximum is not None and maximum.statement.rhs < 1),
            "unit_slope": bool(limits["plus"] is not None and limits["plus"].statement.rhs == 1),
        })
    return rows


def comparison_context(derivations: list[tuple[str, Derivation]], style: LatexStyle = DEFAULT_STYLE) -> dict[str, Any]:
    rows = comparison_rows(derivations, style)
    bounded = [row for row in rows if row["bounded_below_one"]]
    unit_slope = [row for row in rows if row["unit_slope"]]
    return {"title": "Activation functions and their derivatives", "rows": rows, "bounded": bounded, "unit_slope": unit_slope}
