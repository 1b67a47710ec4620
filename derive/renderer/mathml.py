"""LaTeX (from SymPy's printer only) to MathML, so HTML renders its mathematics offline.

latex2mathml passes ``\\text{...}`` through unescaped, so it must never see text that a person
typed; derive only feeds it LaTeX that SymPy generated from expression trees. As a second
line of defence, text-carrying commands are refused and every tag of the output must be a
MathML tag.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from derive.markup import MATHML_ATTRIBUTES, MATHML_TAGS

_FORBIDDEN = re.compile(r"\\(text\w*|mbox|hbox|href|url|html\w*|mathrm|style|class|cssId|bbox|color|colorbox|require)\b")
_ATTRIBUTE = re.compile(r"\s([A-Za-z_:][\w:.-]*)\s*=")
_TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w:.-]*)")
_FENCE = re.compile(r'(<mo stretchy="(?:true|false)"(?: fence="true")?(?: form="(?:prefix|postfix)")?)>(?=[^<]*[()\[\]|{}\u0028\u0029]|&#x0002[89];|&#x0005[BD];)')


class UnsafeMathError(ValueError):
    """LaTeX that could smuggle markup into an HTML page."""


@lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, *, alt: str, display: bool = False, hidden: bool = False) -> str:
    """MathML for ``latex`` with ``alt`` as its text alternative (for screen readers);
    ``hidden``: a continuation of a formula whose first piece's ``alt`` already says it all.

    Memoized: a derivation shows most expressions twice (one step's result is the next one's
    start), and worksheets repeat the same derivation for every student."""
    if _FORBIDDEN.search(latex):
        raise UnsafeMathError(f"refusing to convert LaTeX with a text command: {latex!r}")
    from latex2mathml.converter import convert  # only when HTML is written: a LaTeX-only run never loads it

    mathml = convert(latex, display="block" if display else "inline")
    unexpected = {tag for tag in _TAG.findall(mathml)} - MATHML_TAGS
    unexpected |= {attribute for attribute in _ATTRIBUTE.findall(mathml)} - MATHML_ATTRIBUTES
    if unexpected:
        raise UnsafeMathError(f"MathML conversion produced unexpected tags or attributes {sorted(unexpected)}")
    # fences hug what they enclose: ( x ), not (  x  ) (latex2mathml leaves the operator spacing on)
    mathml = _FENCE.sub(r'\1 lspace="0em" rspace="0em">', mathml)
    hide = ' aria-hidden="true"' if hidden else ""
    return mathml.replace("<math ", f'<math alttext="{html.escape(alt, quote=True)}"{hide} ', 1)
