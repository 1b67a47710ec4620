"""LaTeX (from SymPy's printer only) to MathML, so HTML renders its mathematics offline.

latex2mathml passes ``\\text{...}`` through unescaped, so it must never see text that a person
typed; derive only feeds it LaTeX that SymPy generated from expression trees, and refuses
``\\text`` outright as a second line of defence.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

_FORBIDDEN = re.compile(r"\\(text|mathrm|operatorname|href|url|html)\b|<|>")


def latex_to_mathml(latex: str, *, alt: str, display: bool = False) -> str:
    """MathML for ``latex`` with ``alt`` as its text alternative (for screen readers)."""
    if _FORBIDDEN.search(latex.replace(r"\operatorname{", r"\mathop{")):
        raise ValueError(f"refusing to convert LaTeX that could carry markup: {latex!r}")
    mathml = convert(latex, display="block" if display else "inline")
    return mathml.replace("<math ", f'<math alttext="{html.escape(alt, quote=True)}" ', 1)
