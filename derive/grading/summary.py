"""The class report's numbers, gathered one submission at a time in bounded memory: the score
distribution, how many students made each mistake (with one anonymised example line), where the
first errors fall, and the lines no one could read."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from derive.checker.grade import Graded
from derive.grading.rubric import Rubric
from derive.grading.scoring import Score, number

#: Distinct unreadable lines remembered (the rest are counted, not listed).
MAX_DISTINCT_UNREADABLE = 2000
SHOWN_UNREADABLE = 25
SHOWN_MISTAKES = 20


@dataclass
class _Mistake:
    count: int
    words: str
    example: str


class ClassSummary:
    """Totals over a class, updated by :meth:`add` as each submission is graded."""

    def __init__(self, rubric: Rubric, *, exercise: str) -> None:
        self.rubric = rubric
        self.exercise = exercise
        self.submissions = 0
        self.graded = 0
        self.valid = 0
        self.unusable = 0
        self.review = 0
        self.scores: Counter[float] = Counter()
        self.mistakes: dict[str, _Mistake] = {}
        self.first_errors: Counter[int] = Counter()
        self.unreadable: dict[str, list[Any]] = {}
        self.unreadable_lines = 0
        self.unusable_reasons: Counter[str] = Counter()

    def add(self, graded: Graded, score: Score) -> None:
        self.submissions += 1
        report = graded.report
        if report is None:
            self.unusable += 1
            self.unusable_reasons[_reason_kind(graded.error or "")] += 1
            return
        self.graded += 1
        self.review += score.review
        self.valid += report.valid
        self.scores[round(score.points, 2)] += 1
        seen: set[str] = set()
        for line in report.lines:
            if line.diagnosis_key and line.diagnosis_key not in seen:
                seen.add(line.diagnosis_key)
                mistake = self.mistakes.get(line.diagnosis_key)
                if mistake is None:
                    self.mistakes[line.diagnosis_key] = _Mistake(count=1, words=line.diagnosis or line.diagnosis_key,
                                                                 example=line.source.strip())
                else:
                    mistake.count += 1
            if line.status == "unparsed" and line.relation == "not read":
                self.unreadable_lines += 1
                key = " ".join(line.source.split())[:200]
                entry = self.unreadable.get(key)
                if entry is not None:
                    entry[0] += 1
                elif len(self.unreadable) < MAX_DISTINCT_UNREADABLE:
                    self.unreadable[key] = [1, line.message]
        position = next((index for index, line in enumerate(report.lines, start=1) if line.status != "correct"), None)
        if position is not None:
            self.first_errors[position] += 1

    def context(self) -> dict[str, Any]:
        """Plain data for the class-report templates (see :func:`derive.renderer.render_class_report`)."""
        maximum = self.rubric.maximum
        ranked = sorted(self.mistakes.items(), key=lambda item: (-item[1].count, item[0]))
        unreadable = sorted(self.unreadable.items(), key=lambda item: (-item[1][0], item[0]))
        return {
            "title": f"Class report: {self.exercise}",
            "exercise": self.exercise,
            "submissions": self.submissions, "graded": self.graded, "valid": self.valid, "unusable": self.unusable,
            "review": self.review, "maximum": number(maximum),
            "mean": None if not self.graded else number(sum(s * c for s, c in self.scores.items()) / self.graded),
            "median": None if not self.graded else number(_median(self.scores)),
            "score_bins": _score_bins(self.scores, maximum),
            "mistakes": [{"key": key, "count": m.count, "share": _share(m.count, self.graded), "words": m.words,
                          "example": m.example} for key, m in ranked[:SHOWN_MISTAKES]],
            "more_mistakes": max(0, len(ranked) - SHOWN_MISTAKES),
            "first_error_bins": [(str(position), self.first_errors[position])
                                 for position in range(1, max(self.first_errors, default=0) + 1)],
            "no_error": self.valid,
            "unreadable": [{"source": source, "count": count, "message": message}
                           for source, (count, message) in unreadable[:SHOWN_UNREADABLE]],
            "unreadable_lines": self.unreadable_lines,
            "more_unreadable": max(0, len(self.unreadable) - SHOWN_UNREADABLE),
            "unusable_reasons": sorted(self.unusable_reasons.items(), key=lambda item: (-item[1], item[0])),
            "rubric": {key: (number(value) if isinstance(value, (int, float)) else value)
                       for key, value in self.rubric.as_json_data().items()},
        }


def _score_bins(scores: Counter[float], maximum: float) -> list[tuple[str, int]]:
    """Counts per score range: one bin per point up to 20 points, else ten equal bins."""
    bins = int(math.ceil(maximum)) if maximum <= 20 else 10
    width = maximum / bins
    counts = [0] * (bins + 1) if maximum <= 20 else [0] * bins
    for value, count in scores.items():
        if maximum <= 20:
            counts[min(bins, int(math.floor(value + 1e-9)))] += count
        else:
            counts[min(bins - 1, int(value / width))] += count
    if maximum <= 20:
        return [(str(index), count) for index, count in enumerate(counts)]
    return [(f"{number(index * width)}–{number((index + 1) * width)}", count) for index, count in enumerate(counts)]


def _median(scores: Counter[float]) -> float:
    values = sorted(scores.items())
    total = sum(count for _, count in values)
    middle = [(total - 1) // 2, total // 2]
    found: list[float] = []
    seen = 0
    for value, count in values:
        for target in middle:
            if seen <= target < seen + count:
                found.append(value)
        seen += count
    return sum(found) / len(found)


def _share(count: int, total: int) -> str:
    return f"{100 * count / total:.0f}%" if total else "–"


#: What the error of a file that could not be graded says, and how the class report names it.
_UNUSABLE = (
    ("binary", "binary files"), ("not valid UTF-8", "files that are not UTF-8 text"), ("is empty", "empty files"),
    ("too large", "files too large"), ("more than", "files with too many lines"), ("no such file", "missing files"),
    ("broken link", "broken links"), ("not a regular file", "pipes or devices"),
    ("outside the folder", "links out of the graded folder"), ("backup", "editors' backup copies"),
    ("not a plain-text", "files that are not plain text (.pdf, .rtf, .docx …)"), ("link to a folder", "links to folders"),
    ("cannot be read", "files that cannot be read"), ("permission denied", "files that cannot be read"),
    ("failed inside derive", "files derive failed on (please report them)"), ("interrupted", "files not reached"),
)


def _reason_kind(error: str) -> str:
    """How the class report names the reason a file could not be graded, from its error sentence."""
    for needle, phrase in _UNUSABLE:
        if needle in error:
            return phrase
    return "other files that could not be graded"
