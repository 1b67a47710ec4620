"""Issue 13: the checker's sentences typeset their mathematics in every document a student or a
teacher reads: `derive check` reports, `derive grade` feedback files and the class report (LaTeX,
HTML, Markdown), made from the test corpora of wrong submissions. The plain text (terminal, CSV,
JSON) keeps today's words; the structured form survives the sandbox pipe and the JSON wire.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest

from derive.checker import check
from derive.cli import main
from derive.expressions import Stated
from derive.model import Described
from derive.sentences import printer_latex, sentence_pieces
from derive.verdicts import LineReport, Report
from test_typesetting import _PROSE_FAULTS, _prose
from tooling import compile_latex, pandoc_math

DATA = Path(__file__).resolve().parents[1] / "data"


def _wrong_submissions() -> list[Path]:
    expected = json.loads((DATA / "submissions-expected.json").read_text(encoding="utf-8"))
    wrong = [DATA / "submissions" / name for name, verdict in expected.items() if not verdict["valid"]]
    fresh = sorted((DATA / "acceptance" / "fresh30").glob("fresh*"))
    return [path for path in wrong if path.is_file()] + fresh


def _derive(*arguments: str, unusable: bool = False) -> str:
    """What `derive ARGUMENTS` prints (a check of wrong work exits 1; an unusable file 2, printing nothing)."""
    buffer, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(errors):
        code = main(list(arguments))
    assert code in ((0, 1, 2) if unusable else (0, 1)), f"derive {' '.join(arguments)} exited {code}"
    return buffer.getvalue()


def _without_verbatim(latex: str) -> str:
    r"""The document without the student's lines (``\texttt{...}``, braces nested)."""
    out, index = [], 0
    for found in re.finditer(r"\\texttt\{", latex):
        if found.start() < index:
            continue
        out.append(latex[index:found.start()])
        depth, position = 1, found.end()
        while depth and position < len(latex):
            depth += {"{": 1, "}": -1}.get(latex[position], 0) if latex[position - 1] != "\\" else 0
            position += 1
        index = position
    out.append(latex[index:])
    return " ".join(out)


def _faults(name: str, latex: str) -> list[str]:
    prose = _prose(_without_verbatim(latex))
    return [f"{name}: {fault}: ...{prose[max(0, found.start() - 50):found.end() + 30]!r}..."
            for fault, pattern in _PROSE_FAULTS.items() for found in pattern.finditer(prose)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`derive grade` of the wrong submissions, with feedback files and the class report in every format."""
    root = tmp_path_factory.mktemp("graded")
    folder = root / "class"
    folder.mkdir()
    for path in _wrong_submissions():
        shutil.copy(path, folder / path.name)
    with contextlib.chdir(root):
        _derive("grade", "class", "--out", "book.csv", "--feedback", "feedback", "--report", "report", "--pdf",
                "--jobs", "2")
    return root


@pytest.fixture(scope="module")
def check_reports() -> dict[str, dict[str, str]]:
    with contextlib.chdir(DATA):
        reports = {path.name: {kind: _derive("check", str(path.relative_to(DATA)), "--format", kind, unusable=True)
                               for kind in ("latex", "html", "markdown")} for path in _wrong_submissions()}
    return {name: report for name, report in reports.items() if report["latex"]}


@pytest.mark.tools
def test_reports_feedback_and_class_report_typeset_their_mathematics(graded: Path, check_reports) -> None:
    """No caret, hyphen for a minus sign or upright variable in the prose of any report, feedback
    file or class report: a diagnosis or a counterexample written as text fails here."""
    documents = {path.name: path.read_text(encoding="utf-8") for folder in ("feedback", "report")
                 for path in sorted((graded / folder).glob("*.tex"))}
    documents.update({f"check {name}": reports["latex"] for name, reports in check_reports.items()})
    assert len(documents) > 20
    diagnosed = [latex for latex in documents.values() if "Likely mistake" in latex]
    assert len(diagnosed) > 10, "the corpora have diagnosed mistakes"
    faults = [fault for name, latex in documents.items() for fault in _faults(name, latex)]
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize(("prose", "fault"), [
    (r"Likely mistake: Quotient rule: the denominator must be squared, (f/g)' = (g f' - f g')/g\textasciicircum{}2.",
     "a caret in a sentence (a formula written as text)"),
    (r"Check it by hand: at x = 0 the left side is 0.25", "a variable set upright in a sentence"),
    (r"the right side is -0.25.", "a hyphen for a minus sign"),
    (r"\texttt{x\allowbreak{}\textasciicircum{}\allowbreak{}{-1}} is what you wrote", None),  # a student's line
])
def test_the_verdict_prose_check_finds_what_it_looks_for(prose: str, fault: str | None) -> None:
    found = {name for name, pattern in _PROSE_FAULTS.items() if pattern.search(_prose(_without_verbatim(prose)))}
    assert (fault in found) if fault else not found


@pytest.mark.tools
def test_reports_feedback_and_class_report_compile_without_overfull_lines(graded: Path, check_reports,
                                                                        tmp_path: Path) -> None:
    feedback = sorted((graded / "feedback").glob("*.tex"))
    chosen = [path for path in feedback if "Likely mistake" in path.read_text(encoding="utf-8")][:4]
    sources = {path.stem.replace(".", "-"): path.read_text(encoding="utf-8") for path in chosen}
    sources["class-report"] = (graded / "report" / "class-report.tex").read_text(encoding="utf-8")
    sources.update({f"check-{name.replace('.', '-')}": reports["latex"] for name, reports in list(check_reports.items())[:4]})

    def build(item: tuple[str, str]) -> BaseException | None:
        name, source = item
        try:
            compile_latex(source, tmp_path / name, name=name)
        except (AssertionError, OSError) as error:
            return error
        return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [f"{name}: {error}" for (name, _), error in zip(sources.items(), pool.map(build, sources.items()))
                    if error is not None]
    assert not failures, "\n\n".join(failures)


class _OutsideMath(HTMLParser):
    """The text of a page outside <math>, <code> and <style> (derive's prose and the verdicts' words)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside: list[str] = []
        self.text: list[str] = []
        self.formulas = 0

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001 - HTMLParser's signature
        if tag in ("math", "code", "style", "title"):
            self.inside.append(tag)
            self.formulas += tag == "math"

    def handle_endtag(self, tag: str) -> None:
        if self.inside and self.inside[-1] == tag:
            self.inside.pop()

    def handle_data(self, data: str) -> None:
        if not self.inside:
            self.text.append(data)


@pytest.mark.tools
def test_html_verdicts_show_formulas_as_mathml(graded: Path, check_reports) -> None:
    pages = {path.name: path.read_text(encoding="utf-8") for folder in ("feedback", "report")
             for path in sorted((graded / folder).glob("*.html"))}
    pages.update({f"check {name}": reports["html"] for name, reports in check_reports.items()})
    faults = []
    for name, page in pages.items():
        parser = _OutsideMath()
        parser.feed(page)
        text = " ".join(parser.text)
        for plain in ("e^(-x)", "(f/g)'", "d/dx(", "g^2", "sigma(x)(1"):
            if plain in text:
                faults.append(f"{name}: {plain!r} written as text")
    assert not faults, "\n".join(faults)


@pytest.mark.tools
def test_markdown_verdicts_write_formulas_as_math_pandoc_reads(check_reports) -> None:
    for name, reports in check_reports.items():
        parsed = pandoc_math(reports["markdown"])
        assert parsed.raw == [], name
        assert all(printer_latex(node.tex) for node in parsed.math), (name, parsed.math)
        text = " ".join(parsed.strings)  # (the student's own lines are text, as they wrote them)
        # derive's words around a formula are text, the formula is math: "... the sigmoid is , with a minus sign"
        for words in ("The derivative of the sigmoid is , with a minus sign; you wrote .",
                      "Quotient rule: the numerator is  (denominator", "Not an identity: at ,"):
            assert words.split(",")[0] not in text or words in text, (name, words, text)


# --- the structured sentence on the wire ------------------------------------------------------------

WRONG_QUOTIENT = r"\sigma'(x) = \frac{1\cdot(-e^{-x}) - (1+e^{-x})\cdot 0}{(1+e^{-x})^{2}}"


@pytest.fixture(scope="module")
def report() -> Report:
    """A report checked in the sandbox's worker process (the diagnosis crossed its pipe)."""
    return check(r"\sigma(x) = \frac{1}{1+e^{-x}}" + "\n" + WRONG_QUOTIENT)


def test_a_diagnosis_crosses_the_worker_pipe_with_its_formulas(report: Report) -> None:
    line = report.lines[-1]
    assert line.diagnosis_key == "quotient_rule_reversed"
    assert str(line.diagnosis) == ("Quotient rule: the numerator is g f' - f g' (denominator times the derivative of "
                                   "the numerator first); yours has the two terms the other way round.")
    assert isinstance(line.diagnosis, Described) and isinstance(line.message, Described)
    formulas = [s for s in line.diagnosis.segments + line.message.segments if not isinstance(s, str)]
    assert formulas and all(isinstance(s, Stated) and printer_latex(s.latex) for s in formulas)
    message = str(line.message)
    assert message.startswith("Not an identity: at x = 0, sigma'(x) = 0.25 but ") and message.endswith(" = -0.25.")


def test_json_keeps_the_plain_words_and_the_formulas_and_reads_them_back(report: Report) -> None:
    data = json.loads(json.dumps(report.as_json_data()))
    line = data["lines"][-1]
    assert line["diagnosis"] == str(report.lines[-1].diagnosis)  # the contract's field: plain text
    assert {"plain": "g f' - f g'", "latex": "g f' - f g'"} in line["diagnosis_segments"]
    again = Report.from_json_data(data)
    assert again.lines == report.lines
    assert [line.diagnosis.segments for line in again.lines if line.diagnosis] == \
        [line.diagnosis.segments for line in report.lines if line.diagnosis]
    assert data["lines"][0]["message_segments"] is None  # "Correct: proved symbolically." has no formula


@pytest.mark.parametrize("latex", [r"\input{/etc/passwd}", r"x \def\a{b}", "$x$", r"\frac{1}{2", r"a & b", r"\catcode",
                                   r"\text{<b>x</b>}", r"\mathrm{x}"])
def test_a_formula_edited_into_the_json_falls_back_to_the_plain_words(report: Report, latex: str) -> None:
    data = report.lines[-1].as_json_data()
    pieces = [dict(piece) for piece in data["diagnosis_segments"]]
    formula = next(piece for piece in pieces if "latex" in piece)
    formula["latex"] = latex
    data["diagnosis_segments"] = pieces
    line = LineReport.from_json_data(data)
    assert str(line.diagnosis) == data["diagnosis"] and not isinstance(line.diagnosis, Described)
    assert sentence_pieces(data["diagnosis"], pieces) is None


def test_pieces_that_do_not_say_the_plain_words_are_dropped() -> None:
    pieces = [{"text": "The derivative is "}, {"plain": "2*x", "latex": "2 x"}]
    assert sentence_pieces("The derivative is 2*x", pieces) == pieces
    assert sentence_pieces("The derivative is 3*x", pieces) is None
    assert sentence_pieces("anything", [{"text": "anything", "extra": "x"}]) is None


def test_the_terminal_csv_and_json_keep_the_plain_text(report: Report) -> None:
    from derive.renderer import render_report

    text = render_report(report, "text")
    assert "Likely mistake: Quotient rule: the numerator is g f' - f g' (denominator" in text
    latex = render_report(report, "latex")
    assert r"the numerator is $g f' - f g'$ (denominator" in latex
    assert r"at $x = 0$, $\sigma'(x) = 0.25$ but" in latex
