"""The work that runs inside a sandbox (:mod:`derive.sandbox`): whole commands on untrusted input.

Each job takes plain data (the text a person typed, options) and returns plain data (a
:class:`~derive.verdicts.Report`, rendered texts): a SymPy tree would be rebuilt with evaluation
when it crosses the process boundary, so what crosses is what the caller shows.
"""

from __future__ import annotations

from typing import Any

from derive.api import derive
from derive.checker import check
from derive.checker.worker import DEFAULT_FILE_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS, InlineWorker
from derive.differentiate.catalogue import catalogue_names
from derive.parse import check_variable_name, parse_expression
from derive.renderer import render, render_handouts
from derive.renderer.json_output import derivation_json
from derive.verdicts import Report

#: Formats that are printed (one text) rather than written as documents.
PRINTED = ("text", "json")


def check_text(
    text: str, *, function: str = "sigmoid", variable: str | None = None, syntax: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS, file_timeout: float = DEFAULT_FILE_TIMEOUT_SECONDS, name: str = "",
) -> Report:
    """``derive check`` on ``text``, every claim decided in this (sandboxed) process."""
    with InlineWorker(timeout=timeout) as worker:
        return check(text, syntax=syntax, function=function, variable=variable, timeout=timeout,
                     file_timeout=file_timeout, worker=worker, name=name)


def derive_text(expression: str, *, variable: str = "x", formats: tuple[str, ...] = ("text",),
                stem: str = "expression") -> dict[str, Any]:
    """``derive diff``: parse the typed expression, derive and verify it, render ``formats``.

    Returns ``{"texts": {format: text, ...}, "complete": bool}``; with documents, the plot is
    under ``"svg"`` (the Markdown file links to ``stem.svg``).
    """
    check_variable_name(variable)
    parsed = parse_expression(expression, variable=variable, catalogue=catalogue_names())
    derivation = derive(parsed, variable=variable)
    texts: dict[str, str] = {}
    if "json" in formats:
        texts["json"] = derivation_json(derivation)
    if "text" in formats:
        texts["text"] = render(derivation, "text")
    documents = tuple(f for f in formats if f not in PRINTED)
    if documents:
        texts.update(render_handouts(derivation, documents, plot_file=f"{stem}.svg"))
    return {"texts": texts, "complete": derivation.complete}
