"""Documents whose title names something a user typed (the checker's report, a student's feedback,
the class report): a long, deep absolute path, a file name without a space and a name full of
characters that mean something to TeX or HTML all fit the page — compiled with latexmk (no
``Overfull \\hbox``) and loaded in Chromium at a phone's width (no sideways scrolling)."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.checker import check
from derive.checker.grade import Graded
from derive.grading.feedback import feedback_context
from derive.grading.rubric import DEFAULT_RUBRIC
from derive.grading.scoring import score, unscored
from derive.grading.summary import ClassSummary
from derive.renderer import render_class_report, render_feedback, render_report, titled_by_file
from tooling import artifact_dir, compile_latex, page_widths

WORK = "sigma'(x) = d/dx (1+exp(-x))^(-1)\n= -(1+exp(-x))^(-2) * exp(-x)\n= sigma(x)*(1-sigma(x))\n"

#: What a grader's command line or an LMS download gives as a submission's path.
PATHS = {
    "deep": "/home/teacher/" + "/".join(f"calculus-{n:02d}-week-{n + 1:02d}" for n in range(10))
            + "/Jane Doe_123456_assignsubmission_file_derivation-of-the-sigmoid-final.tex",
    "one-word": "/srv/" + "submission" * 24 + ".tex",
    "hostile": "/srv/<b>evil</b>/{\\input{/etc/passwd}}%#$&~^_|\"'/Ωmega naïve \\\\ 50% & $x$/"
               + "\\textbf{x}" * 12 + "ﬁle.tex",
}
#: What a grader types as the exercise (--exercise): the class report's title.
EXERCISES = {
    "deep": "f(x)=x^2*exp(3*x)*sin(x)^2*cos(x)^3/(1+x^2)^4+ln(1+x^4)*atan(x)*sqrt(1+x^2)",
    "one-word": "f(x)=" + "x*" * 80 + "x",
    "hostile": "f(x) = \\input{/etc/passwd} <script>alert(1)</script> %#$&~^_|" + "{}" * 40,
}


def _documents(kind: str) -> dict[str, tuple[str, str]]:
    """Every document of this file's kind, as (LaTeX, HTML)."""
    path = PATHS[kind]
    report = check(WORK, name=path, syntax="text")
    graded = Graded(path=Path(path), report=report, error=None, sha256="0" * 64)
    points = score(report, DEFAULT_RUBRIC)
    feedback = feedback_context(graded, points, shown_name=path, exercise=EXERCISES[kind], student=Path(path).stem)
    refused = Graded(path=Path(path), report=None, error=f"{path}: not graded: a .pdf file is not a plain-text submission")
    not_graded = feedback_context(refused, unscored(10, "not graded"), shown_name=path, exercise=EXERCISES[kind])
    tally = ClassSummary(DEFAULT_RUBRIC, exercise=EXERCISES[kind])
    tally.add(graded, points)
    tally.add(refused, unscored(10, "not graded"))
    summary = tally.context()
    return {
        "check report": (render_report(report, "latex"), render_report(report, "html")),
        "feedback": (render_feedback(feedback, "latex"), render_feedback(feedback, "html")),
        "feedback, not graded": (render_feedback(not_graded, "latex"), render_feedback(not_graded, "html")),
        "class report": (render_class_report(summary, "latex"), render_class_report(summary, "html")),
    }


@pytest.mark.tools
@pytest.mark.parametrize("kind", PATHS)
def test_a_long_or_hostile_name_in_a_title_breaks_instead_of_running_into_the_margin(kind: str, tmp_path: Path) -> None:
    """The title names the file (its full path below it, broken at its slashes); a word of any
    length breaks. Before: 'Check of /tmp/.../student02.tex' was an 84 pt overfull \\hbox."""
    failures = []
    for document, (latex, html) in _documents(kind).items():
        stem = f"{kind}-{document.replace(' ', '-').replace(',', '')}"
        try:
            compile_latex(latex, artifact_dir(f"grading/names/{stem}"), name=stem)
        except AssertionError as error:
            failures.append(f"{document} (LaTeX): {error}")
        page = tmp_path / f"{stem}.html"
        page.write_text(html, encoding="utf-8")
        phone = {"390 px": (390, "screen")}
        failures += [f"{document} (HTML) at 390 px: {scroll} px wide" for scroll, client in page_widths(page, boxes="table, code.source", viewports=phone).values()
                     if scroll > client]
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize(("path", "title", "shown"), [
    ("/home/t/week 7/student03.txt", "Check of student03.txt", "/home/t/week 7/student03.txt"),
    ("student03.txt", "Check of student03.txt", None),
    ("class/<b>evil</b>.tex", "Check of b>.tex", "class/<b>evil</b>.tex"),
])
def test_a_title_names_the_file_and_the_path_goes_below(path: str, title: str, shown: str | None) -> None:
    assert titled_by_file("Check of", path) == (title, shown)
