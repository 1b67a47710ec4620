"""Markdown output, parsed by pandoc (markdown+tex_math_dollars): every $...$ is math, nothing leaks.

The handout is written by :func:`derive.output.write_handout`, so its image link can be
checked against the SVG written next to it.
"""

from __future__ import annotations

import re

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from derive.output import write_handout
from derive.renderer import render_worksheet
from derive.worksheets import WorksheetBuilder
from tooling import pandoc_math, require_tool

pytestmark = pytest.mark.tools

SVG = "{http://www.w3.org/2000/svg}"
KINDS = ["handout", "worksheet", "answer-key"]


def math_spans(markdown: str) -> list[tuple[bool, str]]:
    """``(display, tex)`` of every ``$$...$$`` and ``$...$`` span, in order; ``\\$`` is not math.

    ``$$`` is tried first, so ``$$a$$`` is one display span and not two empty inline ones.
    """
    spans: list[tuple[bool, str]] = []
    i, n = 0, len(markdown)
    while i < n:
        char = markdown[i]
        if char == "\\":
            i += 2
            continue
        if markdown.startswith("$$", i):
            end = markdown.find("$$", i + 2)
            assert end != -1, f"unclosed $$ at offset {i}"
            # a display inside a block quote has the quote's "> " on every line: not part of the math
            inside = re.sub(r"(?m)^(?:> ?)+", "", markdown[i + 2:end])
            spans.append((True, inside))
            i = end + 2
            continue
        if char == "$":
            j = i + 1
            while j < n and markdown[j] != "$":
                j += 2 if markdown[j] == "\\" else 1
            assert j < n, f"unclosed $ at offset {i}"
            spans.append((False, markdown[i + 1:j]))
            i = j + 1
            continue
        i += 1
    return spans


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("no math", []),
        ("$a$ and $b$", [(False, "a"), (False, "b")]),
        ("$$a$$", [(True, "a")]),
        ("x $$\\frac{1}{2}$$ y $c$", [(True, "\\frac{1}{2}"), (False, "c")]),
        ("costs \\$5 and $x$", [(False, "x")]),
        ("> $$a$$\n> $b$", [(True, "a"), (False, "b")]),
    ],
)
def test_math_span_counter(source: str, expected: list[tuple[bool, str]]) -> None:
    assert math_spans(source) == expected


# --- documents -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handout_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("markdown") / "out"
    written = write_handout("sigmoid", folder, ["markdown"])
    assert [path.name for path in written] == ["sigmoid.md", "sigmoid.svg"]
    return folder


@pytest.fixture(scope="module")
def documents(handout_folder) -> dict[str, str]:
    sheet = WorksheetBuilder("sigmoid", seed=4).worksheets(2)[1]
    return {
        "handout": (handout_folder / "sigmoid.md").read_text(encoding="utf-8"),
        "worksheet": render_worksheet(sheet, "markdown", answers=False),
        "answer-key": render_worksheet(sheet, "markdown", answers=True),
    }


@pytest.fixture(scope="module")
def reports(documents):
    return {kind: pandoc_math(text) for kind, text in documents.items()}


@pytest.mark.parametrize("kind", KINDS)
def test_every_dollar_span_is_math(documents, reports, kind: str) -> None:
    spans = math_spans(documents[kind])
    report = reports[kind]
    assert spans, "no math at all"
    assert len(report.math) == len(spans)
    assert len(report.display_math) == sum(1 for display, _ in spans if display)
    assert [(m.display, m.tex.strip()) for m in report.math] == [(d, tex.strip()) for d, tex in spans]


@pytest.mark.parametrize("kind", KINDS)
def test_no_raw_tex_and_no_stray_dollars(reports, kind: str) -> None:
    report = reports[kind]
    assert report.raw == []
    bad = [s for s in report.strings if "\\frac" in s or "$" in s or "\\left" in s]
    assert bad == []


@pytest.mark.parametrize("kind", KINDS)
def test_no_template_leftovers(documents, kind: str) -> None:
    for leftover in ("{%", "%}", "{{ ", " }}", "{#", "#}"):  # Jinja's delimiters, as the templates write them
        assert leftover not in documents[kind], leftover


def test_worksheet_and_key(documents) -> None:
    assert "Answer key" not in documents["worksheet"]
    assert "**Answer key**" in documents["answer-key"]
    assert "**Student 02**" in documents["worksheet"]
    assert "*Hint: " in documents["worksheet"]
    assert "*Hint: " not in documents["answer-key"]


# --- the plot next to the handout ------------------------------------------------------------


def _images(markdown: str) -> list[tuple[str, str]]:
    """``(target, alt text)`` of every image in pandoc's AST."""
    pandoc = require_tool("pandoc")
    result = subprocess.run([pandoc, "-f", "markdown+tex_math_dollars", "-t", "json"],
                            input=markdown, capture_output=True, text=True, encoding="utf-8", timeout=60, check=True)
    found: list[tuple[str, str]] = []

    def text_of(nodes: list) -> str:
        return "".join(node.get("c", " ") if node["t"] == "Str" else " " for node in nodes)

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("t") == "Image":
                _, alt, (target, _) = node["c"]
                found.append((target, text_of(alt)))
            walk(node.get("c"))

    walk(json.loads(result.stdout)["blocks"])
    return found


def test_image_link_points_at_the_svg_next_to_it(documents, handout_folder) -> None:
    images = _images(documents["handout"])
    assert len(images) == 1
    target, alt = images[0]
    assert target == "sigmoid.svg"
    assert (handout_folder / target).is_file()
    assert alt.startswith("Graph of")


def test_svg_is_well_formed_with_a_title(handout_folder) -> None:
    root = ET.parse(handout_folder / "sigmoid.svg").getroot()
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text and "σ(x)" in title.text
    labelled = root.get("aria-labelledby")
    assert labelled and title.get("id") == labelled
    curves = root.findall(f"{SVG}g[@clip-path]/{SVG}path")  # the curves, clipped to the plot area
    assert len(curves) == 2 and all(len(path.get("d", "")) > 100 for path in curves)
    description = root.find(f"{SVG}desc")
    assert description is not None and root.get("aria-describedby") == description.get("id")
    assert "x ∈ [−6, 6]" in description.text


def test_steps_are_one_aligned_display() -> None:
    """Issue 13: the chain of steps is one aligned block, not a centred display per step; each step
    is numbered in it and its rule and words follow."""
    import derive as api

    text = api.render(api.derive("sigmoid"), "markdown")
    derivation = text.split("## Derivation", 1)[1].split("## Result", 1)[0]
    # the steps, the outer and inner derivative of step 3, the inner one's steps, and step 7's
    assert derivation.count("\\begin{aligned}") == 4
    assert derivation.count("$$") == 8
    assert "&= \\sigma(x) \\left(1 - \\sigma(x)\\right) && \\text{(8)}" in derivation
    assert "**(3)** Chain rule ✓" in derivation
    brief = api.render(api.derive("sigmoid", detail="brief"), "markdown")
    assert brief.split("## Derivation", 1)[1].split("## Result", 1)[0].count("\\begin{aligned}") == 1
