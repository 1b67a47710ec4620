"""The markup derive generates for HTML pages to embed as it is: MathML and the plot's SVG.

The allowlists here say what that markup may contain. :mod:`derive.renderer.mathml` checks each
formula it converts against them; the web server checks again, with a real HTML tokenizer,
everything a worker process sends it before a page embeds it, so that a worker that went wrong
(it ran a student's text) can never put a script or an event handler into a page.
"""

from __future__ import annotations

from functools import lru_cache
from html.parser import HTMLParser

MATHML_TAGS = frozenset(
    "math mrow mi mn mo ms mtext mspace mfrac msqrt mroot msub msup msubsup munder mover munderover "
    "mtable mtr mtd mstyle merror mpadded mphantom mfenced menclose semantics annotation".split()
)
#: Attributes latex2mathml writes, plus the two derive adds (``alttext`` and ``aria-hidden``).
MATHML_ATTRIBUTES = frozenset(
    "xmlns display stretchy fence form separator accent accentunder movablelimits largeop symmetric lspace rspace "
    "mathvariant columnalign columnspacing rowspacing columnlines rowlines frame framespacing displaystyle "
    "scriptlevel width height depth minsize maxsize linethickness open close notation align equalrows equalcolumns".split()
)
EMBEDDED_MATHML_ATTRIBUTES = MATHML_ATTRIBUTES | {"alttext", "aria-hidden"}
#: A long formula is several ``<math>`` pieces with line-break opportunities between them.
EMBEDDED_MATHML_TAGS = MATHML_TAGS | {"wbr"}
#: What templates/svg/plot.svg.j2 writes (names as an HTML tokenizer gives them: lower case).
SVG_TAGS = frozenset("svg g defs clippath rect path line text title desc".split())
SVG_ATTRIBUTES = frozenset(
    "xmlns viewbox width height role aria-labelledby aria-describedby id clip-path d x y x1 x2 y1 y2 fill "
    "fill-opacity stroke stroke-width stroke-dasharray stroke-linejoin font-family font-size font-style "
    "text-anchor".split()
)


class UnsafeMarkupError(ValueError):
    """Markup with something in it that derive never writes (a tag, an attribute, a declaration)."""


class _Inspector(HTMLParser):
    def __init__(self, tags: frozenset[str], attributes: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes = tags, attributes
        self.unexpected: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.tags:
            self.unexpected.add(f"<{tag}>")
        self.unexpected.update(f"{name}=" for name, _ in attrs if name not in self.attributes)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.tags:
            self.unexpected.add(f"<{tag}>")

    def handle_comment(self, data: str) -> None:
        self.unexpected.add("<!--")

    def handle_decl(self, decl: str) -> None:
        self.unexpected.add("<!")

    def unknown_decl(self, data: str) -> None:
        self.unexpected.add("<![")

    def handle_pi(self, data: str) -> None:
        self.unexpected.add("<?")


@lru_cache(maxsize=4096)
def check_embedded(markup: str, kind: str) -> str:
    """``markup`` itself when every tag and attribute in it is one derive writes for ``kind``
    (``"mathml"`` or ``"svg"``); else :class:`UnsafeMarkupError` naming what is not.

    Remembered (a page's formulas recur: the exercise's lines, σ(x), the same rule's result), as
    a server checks every answer; an error is not remembered and is raised each time."""
    tags, attributes = {"mathml": (EMBEDDED_MATHML_TAGS, EMBEDDED_MATHML_ATTRIBUTES), "svg": (SVG_TAGS, SVG_ATTRIBUTES)}[kind]
    inspector = _Inspector(tags, attributes)
    inspector.feed(markup)
    inspector.close()
    if inspector.unexpected:
        raise UnsafeMarkupError(f"{kind} with {', '.join(sorted(inspector.unexpected))}, which derive never writes")
    return markup
