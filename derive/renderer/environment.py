"""Jinja2 environments, one per output format, loading the templates shipped with derive.

LaTeX templates use ``<< >>`` for variables and ``<% %>`` for statements so that TeX braces need
no escaping; HTML is autoescaped; every environment uses ``StrictUndefined`` so a missing
variable is an error, never an empty string.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from derive.renderer import breaking, escape


def templates_folder() -> Path:
    """The templates: ``derive.templates`` when installed, the top-level folder in a checkout."""
    from importlib import resources

    checkout = Path(__file__).resolve().parents[2] / "templates"
    if (checkout / "__init__.py").is_file():
        return checkout
    return Path(str(resources.files("derive.templates")))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates, kept between runs in a private temporary folder (Jinja's own cache).

    Set DERIVE_NO_TEMPLATE_CACHE=1 to compile the templates afresh every time.
    """
    if os.environ.get("DERIVE_NO_TEMPLATE_CACHE"):
        return None
    try:
        return jinja2.FileSystemBytecodeCache()
    except OSError:
        return None


#: An inline formula and the punctuation right after it: ``…</math>.`` (the last piece only, when
#: a long formula is cut into several ``<math>`` pieces that may wrap between them).
#: (Each "<" inside is tested once, not every character: this runs over every HTML page.) A formula
#: kept with its punctuation already (a handout fragment inside a web page) is left as it is.
_FORMULA_THEN_PUNCTUATION = re.compile(r'(?<!<span class="nobr">)(<math\b[^>]*display="inline"[^>]*>[^<]*(?:<(?!/math>)[^<]*)*</math>)([.,;:!?)]+)')


def keep_punctuation_with_formulas(page: str) -> str:
    """HTML in which no line starts with the full stop after a formula.

    A browser may wrap on either side of a ``<math>`` element as it may around an image (Chromium
    put the "." after σ′(x) = σ(x)(1 − σ(x)) alone on the next line): the formula and the
    punctuation after it go into one span that does not wrap."""
    return _FORMULA_THEN_PUNCTUATION.sub(r'<span class="nobr">\1\2</span>', page)


class HtmlTemplate(jinja2.Template):
    """A template of an HTML environment: its pages keep punctuation with the formula before it."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        return keep_punctuation_with_formulas(super().render(*args, **kwargs))


@lru_cache(maxsize=None)
def environment(output_format: str) -> jinja2.Environment:
    """The (stateless, reusable) Jinja environment for ``output_format``."""
    loader = jinja2.FileSystemLoader(str(templates_folder() / output_format))
    options: dict[str, object] = dict(
        loader=loader, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        auto_reload=False,  # the shipped templates do not change while derive runs: no stat() per document
    )
    if output_format == "latex":
        options.update(
            block_start_string="<%", block_end_string="%>",
            variable_start_string="<<", variable_end_string=">>",
            comment_start_string="<#", comment_end_string="#>",
            line_comment_prefix="%#",
        )
    if output_format in ("html", "svg"):
        options["autoescape"] = True
    options["bytecode_cache"] = _bytecode_cache()
    env = jinja2.Environment(**options)  # noqa: S701 - autoescape is on for HTML, the only markup format
    if output_format == "html":
        env.template_class = HtmlTemplate
    env.filters["tex"] = escape.latex_text
    env.filters["texcode"] = escape.latex_code  # a line someone wrote, in \texttt: breakable anywhere
    env.filters["texbreak"] = escape.latex_breakable  # a title or a path: breaks at separators, a long word anywhere
    env.filters["breakable"] = breaking.breakable  # long LaTeX formulas TeX may break between terms
    env.filters["lines"] = breaking.display_lines  # long LaTeX formulas cut into display lines
    env.filters["width"] = breaking.estimated_width  # about how wide a LaTeX formula prints, in points
    env.filters["md"] = escape.markdown_prose  # derive's own sentences
    env.filters["mdtext"] = escape.markdown_text  # anything a student or a file wrote
    env.filters["plain"] = escape.plain_text
    env.filters["cell"] = escape.markdown_math_cell
    env.filters["code"] = escape.markdown_code
    env.filters["sentence"] = sentence  # a checker's sentence: its text escaped, its formulas typeset
    return env


def sentence(text: object) -> list[Any]:
    """The pieces of a sentence derive wrote (a verdict, a diagnosis, a hint) for the
    ``sentence`` macro of each format: a :class:`~derive.model.Described` with its formulas
    apart, typeset; any other text as one piece of text (escaped by the macro, never typeset)."""
    from derive.model import Annotation, method_segments
    from derive.renderer.view import annotation_view

    if text is None or text == "":
        return []
    return annotation_view(Annotation(method_segments(text) if isinstance(text, str) else (str(text),)))
