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
#: Elements taller than a line of text: a fence around one of them stretches, as \left( does in TeX.
_TALL = frozenset({"mfrac", "mtable", "msqrt", "mroot", "munder", "mover", "munderover"})
_ELEMENT = re.compile(r"<(/?)(m[a-z]+)\b")
_STRETCHY_FENCE = re.compile(r'<mo stretchy="true" fence="true" form="(prefix|postfix)"')
#: A minus or plus sign right after an opening bracket, a relation or a comma is a sign, not an
#: operation: ``(−x)``, ``= −1``. latex2mathml writes it in the same row as what comes before,
#: where a browser spaces it as a binary operator (``( − x)``); form="prefix" says which it is.
_SIGN = re.compile(
    r'(<mo[^>]*?(?:form="prefix"[^>]*>[^<]*|>(?:&#x00028;|&#x0005B;|\[|&#x0007B;|&#x0003D;|&#x0002C;|&#x0003C;|&#x0003E;'
    r"|&#x02264;|&#x02265;|&#x02248;|&#x02260;|&#x02192;|&#x000B7;|&#x000D7;))</mo>)<mo>(&#x02212;|&#x0002B;|&#x000B1;)</mo>"
)
#: A named operator (\operatorname{softplus}): latex2mathml writes it as an operator, which a
#: browser spaces away from its argument (``softplus (x)``); a name is an identifier, as ln is.
_NAMED_OPERATOR = re.compile(r"<mo>([A-Za-z][A-Za-z0-9]+)</mo>")
#: A prime written as a superscript (latex2mathml's σ′): a browser raises the prime glyph, which
#: already sits high, a second time (σ with a prime floating above it). On the line it is σ′.
_PRIME = re.compile(r"<msup>(<(mi|mo)(?: [^>]*)?>[^<]*</\2>)(?:<mrow>)?((?:<mi>(?:&#x02032;|&#x02033;)</mi>)+)(?:</mrow>)?</msup>")
#: A slash between two terms (f/g): TeX sets it as an ordinary symbol, without the spaces a
#: browser's operator dictionary gives it (f / g).
_SLASH = "<mo>&#x0002F;</mo>"
#: A function's name (ln, sin, softplus) right after a factor: latex2mathml writes the two
#: identifiers side by side, which a browser sets without a gap ("xln(x)"); TeX puts a thin space
#: between a factor and an operator name, and so does this.
_NAME_AFTER_FACTOR = re.compile(r"(</(?:mi|mn|msup|msub|msubsup|mrow|mfrac|msqrt|mroot)>)(<mi>[A-Za-z]{2,}</mi>)")
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
    mathml = _hug_short_fences(mathml)
    mathml = _SIGN.sub(r'\1<mo form="prefix">\2</mo>', mathml)
    mathml = _NAMED_OPERATOR.sub(r"<mi>\1</mi>", mathml)
    mathml = _NAME_AFTER_FACTOR.sub(r'\1<mspace width="0.1667em"></mspace>\2', mathml)
    mathml = _PRIME.sub(_prime_on_the_line, mathml).replace(_SLASH, '<mo lspace="0em" rspace="0em">&#x0002F;</mo>')
    # fences hug what they enclose: ( x ), not (  x  ) (latex2mathml leaves the operator spacing on)
    mathml = _FENCE.sub(r'\1 lspace="0em" rspace="0em">', mathml)
    hide = ' aria-hidden="true"' if hidden else ""
    return mathml.replace("<math ", f'<math alttext="{html.escape(alt, quote=True)}"{hide} ', 1)


def _hug_short_fences(mathml: str) -> str:
    """Brackets around something no taller than a line do not stretch: ``(1 + e^{-x})``.

    latex2mathml makes every ``\\left(`` a stretchy operator, and a browser draws a stretchy
    bracket from the math font's size variants, which stand apart from a short content
    (Chromium with Latin Modern Math: ``( 1 + x )``). A bracket that encloses a fraction, a
    root, a table or a limit keeps stretching, as ``\\left(`` does in TeX.
    """
    open_fences: list[list[int | bool]] = []  # [offset of the opening fence, encloses something tall]
    short: list[int] = []
    for element in _ELEMENT.finditer(mathml):
        closing, tag = element.group(1), element.group(2)
        if closing:
            continue
        if tag in _TALL:
            for fence in open_fences:
                fence[1] = True
        elif tag == "mo" and (fence_match := _STRETCHY_FENCE.match(mathml, element.start())):
            if fence_match.group(1) == "prefix":
                open_fences.append([element.start(), False])
            elif open_fences:
                start, tall = open_fences.pop()
                if not tall:
                    short += [int(start), element.start()]
    if not short:
        return mathml
    pieces, last = [], 0
    for offset in sorted(short):
        pieces += [mathml[last:offset], '<mo stretchy="false"']
        last = offset + len('<mo stretchy="true"')
    return "".join(pieces) + mathml[last:]


def _prime_on_the_line(match: re.Match[str]) -> str:
    primes = match.group(3).replace("<mi>", "").replace("</mi>", "")
    return f'<mrow>{match.group(1)}<mo lspace="0em" rspace="0em">{primes}</mo></mrow>'
