"""Feedback for one student: their own lines with ✓/✗, the first wrong line with its
counterexample and diagnosis, the score under the rubric, and a correct next line from derive.

:func:`feedback_context` builds plain data; the templates (``feedback.*.j2``, rendered by
:func:`derive.renderer.render_feedback`) escape every piece of it for their format.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePath
from typing import Any

import sympy

from derive.checker.grade import Graded
from derive.checker.judge import shown_value, valued
from derive.grading.scoring import Score, number
from derive.model import Described, listed, written_out
from derive.renderer import titled_by_file
from derive.verdicts import Counterexample

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def feedback_stem(relative: PurePath) -> str:
    """A file name for the feedback on the submission at ``relative`` (its path below the graded
    folder): the path with its separators as ``__``, anything unusual as ``_``, and a short hash of
    the path when that changed the name (so that two submissions never share a feedback file)."""
    text = relative.as_posix()
    stem = "__".join(_UNSAFE.sub("_", part) for part in relative.parts) or "submission"
    stem = stem.lstrip(".") or "submission"
    if stem != text.replace("/", "__"):
        stem += "-" + hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return stem[:150]


def feedback_context(graded: Graded, score: Score, *, shown_name: str, exercise: str, student: str = "") -> dict[str, Any]:
    """Plain data for one feedback document."""
    report = graded.report
    lines: list[dict[str, Any]] = []
    points = {entry.line: entry for entry in score.lines}
    if report is not None:
        for line in report.lines:
            earned = points.get(line.line)
            found = line.counterexample
            lines.append({
                "line": line.line, "mark": line.mark, "status": line.status, "source": line.source,
                "message": line.message, "diagnosis": line.diagnosis, "relation": line.relation,
                "first_error": line.line == report.first_error,
                "points": None if earned is None else _signed(earned.points),
                "reason": None if earned is None else earned.reason,
                "counterexample": None if found is None else {"x": found.x, "left": found.left, "right": found.right},
                "check": _check_by_hand(found, report.variable),
            })
    first = next((line for line in lines if line["first_error"]), None)
    suggestion = report.outcome.suggestion if report is not None else None
    title, source_file = titled_by_file("Feedback:", shown_name)
    return {
        "title": title,
        "source_file": source_file,
        "file": shown_name,
        "student": student,
        "exercise": exercise,
        "graded": report is not None,
        "error": graded.error,
        "valid": report is not None and report.valid,
        "counts": {status: report.count(status) for status in ("correct", "wrong", "unparsed")} if report else None,
        "score": {"points": number(score.points), "maximum": number(score.maximum), "review": score.review,
                  "components": [{"name": c.name, "points": _signed(c.points), "maximum": number(c.maximum),
                                  "reason": c.reason} for c in score.components]},
        "lines": lines,
        "first": first,
        "suggestion": None if suggestion is None else {
            "after_line": suggestion.after_line, "latex": suggestion.latex, "text": suggestion.text,
            "rule": suggestion.rule},
    }


def _check_by_hand(found: Counterexample | None, variable: str) -> str | None:
    """"Check it by hand: at x = 0 the left side is 0.25 but the right side is -0.25.", the point
    and the numbers typeset (None without a point in the variable)."""
    if found is None or not found.x:
        return None
    if len(found.at) > 1:
        point = listed(valued(sympy.Symbol(name), value) for name, value in found.at)
    else:  # (a report read back from JSON knows the point by its words: w = 0.5, x = -2.779)
        point = (found.x,) if "=" in found.x else valued(sympy.Symbol(variable), found.x)
    return written_out(Described("Check it by hand: at ", *point, " the left side is ", shown_value(found.left),
                                 " but the right side is ", shown_value(found.right), "."))


def _signed(value: float) -> str:
    shown = number(value)
    return f"+{shown}" if value > 0 else str(shown)


def comment_for_lms(graded: Graded, score: Score) -> str:
    """A short feedback comment in derive's own words (no student text), for an LMS column."""
    report = graded.report
    head = f"{number(score.points)}/{number(score.maximum)}."
    if report is None:
        return f"{head} Not graded: {(graded.error or '').split(': ', 1)[-1]}"
    if report.valid:
        return f"{head} Every line is correct."
    first = next(line for line in report.lines if line.status != "correct")
    what = first.diagnosis or first.message
    return f"{head} First problem on line {first.line}: {' '.join(what.split())}"


def write_feedback(context: dict[str, Any], files: dict[str, str]) -> list[str]:
    """Render one student's feedback (:func:`feedback_context`) in each format and write it to
    its file (``{format: path}``, see :func:`feedback_files`); returns the paths written.

    A job for a grading worker's process (:class:`derive.checker.worker.Job`): the documents of
    a class are rendered there, in parallel. Each file is replaced atomically but not synced to
    disk one by one: they are many, and a power cut costs at most feedback that the next run
    writes again; the gradebook itself is synced."""
    from derive.output import write_text
    from derive.renderer import render_feedback

    return [str(write_text(Path(path), render_feedback(context, output_format), durable=False))
            for output_format, path in files.items()]


def feedback_files(folder: Path, stem: str, formats: tuple[str, ...]) -> dict[str, Path]:
    """Where the feedback on one submission goes, per format."""
    extensions = {"html": "html", "markdown": "md", "latex": "tex"}
    return {output_format: folder / f"{stem}.{extensions[output_format]}" for output_format in formats}
