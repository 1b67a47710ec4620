"""Render stage: finished, verified data in; text out, through Jinja2 templates.

``render(derivation, format=..., document=...)`` is the one entry point for derivations;
the JSON contract is written by :mod:`derive.render.json_output` (data, not a template).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from derive.errors import DeriveError

if TYPE_CHECKING:
    from derive.model import Derivation
    from derive.printing import LatexStyle

DOCUMENTS = {
    "text": ("derivation",),
    "latex": ("handout", "snippet"),
    "markdown": ("handout",),
    "html": ("handout",),
}
EXTENSIONS = {"text": "txt", "latex": "tex", "markdown": "md", "html": "html"}


def render(
    derivation: Derivation,
    format: str = "latex",  # noqa: A002 - the public keyword the brief names
    document: str | None = None,
    *,
    style: LatexStyle | None = None,
    **context: Any,
) -> str:
    """The text of ``document`` (default: the format's first) for ``derivation`` in ``format``.

    Raises :class:`~derive.errors.VerificationError` if any step is unverified or failed.
    """
    from derive.printing import DEFAULT_STYLE
    from derive.render.environment import environment
    from derive.render.view import derivation_view

    if format not in DOCUMENTS:
        raise DeriveError(f"unknown format '{format}': choose one of {', '.join(DOCUMENTS)}")
    chosen = document or DOCUMENTS[format][0]
    if chosen not in DOCUMENTS[format]:
        raise DeriveError(f"no '{chosen}' document in {format}: choose one of {', '.join(DOCUMENTS[format])}")
    view = derivation_view(derivation, style or DEFAULT_STYLE)
    template = environment(format).get_template(f"{chosen}.{EXTENSIONS[format]}.j2")
    return template.render(d=view, **context)
