"""How derivations, gradients and checker reports show themselves in a Jupyter notebook.

Importing this module registers :func:`notebook_text` with :data:`derive.model.NOTEBOOK`, which
``Derivation`` and ``Report`` ask in their ``_repr_html_``, ``_repr_markdown_`` and
``_repr_latex_``. The HTML is a fragment whose styles apply only inside its own container
(``.derive``), so the notebook around it keeps its look; the Markdown has no linked plot file;
the LaTeX is what a document's body can take (an ``align*`` of the steps, a table of a report),
which is also what a notebook exported to LaTeX or PDF contains.
"""

from __future__ import annotations

from derive.model import NOTEBOOK, Derivation, Gradient


def notebook_text(record: object, kind: str) -> str | None:
    """``record`` as ``kind`` (html, markdown, latex) for a notebook, or None for other records."""
    from derive.renderer import render, render_gradient, render_handouts, render_report
    from derive.verdicts import Report  # here: a run that shows no report need not load the checker's verdicts

    if isinstance(record, Derivation):
        if kind == "latex":
            return render(record, "latex", "snippet")
        return render_handouts(record, (kind,), fragment=f"derive-plot-{id(record):x}")[kind]
    if isinstance(record, Gradient):
        if kind == "latex":
            return "\n".join(render(derivation, "latex", "snippet") for derivation in record.derivations)
        return render_gradient(record, kind, fragment=True)
    if isinstance(record, Report):
        return render_report(record, kind, fragment=True)
    return None


NOTEBOOK.register(notebook_text)
