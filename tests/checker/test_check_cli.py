"""`derive check` and `derive grade` from the command line: exit codes, the JSON contract, hostile
student text in every report format (checked with the real tools), unusable input, gradebooks."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from derive.checker.grade import CSV_COLUMNS
from derive.checker.reader import MAX_FILE_BYTES
from derive.sentences import printer_latex
from hostile import HOSTILE_LINES
from tooling import artifact_dir, compile_latex, load_html, pandoc_math

CORRECT = "\n".join([
    r"\sigma(x) = \frac{1}{1+e^{-x}}",
    r"\sigma'(x) = \frac{e^{-x}}{\left(1+e^{-x}\right)^{2}}",
    r"= \sigma(x)\left(1-\sigma(x)\right)",
]) + "\n"
WRONG = "sigma'(x) = -(1+exp(-x))^(-2) * exp(-x)\n= sigma(x)*(1-sigma(x))\n"
UNREADABLE = "sigma'(x) = sigma(x)*(1 - sigma(x)))\n"

HOSTILE = "\n".join(HOSTILE_LINES) + "\n"


def derive(*arguments: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "derive", *map(str, arguments)],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# -- exit codes and the JSON contract ----------------------------------------------------------

@pytest.mark.parametrize(("content", "code"), [
    pytest.param(CORRECT, 0, id="correct"), pytest.param(WRONG, 1, id="wrong"),
    pytest.param(UNREADABLE, 1, id="unparsed"),
])
def test_check_exit_codes(tmp_path: Path, content: str, code: int) -> None:
    write(tmp_path, "work.tex", content)
    result = derive("check", "work.tex", cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert result.stderr == ""
    assert "work.tex" in result.stdout


def test_check_json_is_exactly_one_object(tmp_path: Path) -> None:
    write(tmp_path, "work.txt", WRONG)
    result = derive("check", "work.txt", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    data = json.loads(result.stdout)  # raises on anything but one JSON value
    assert isinstance(data, dict)
    assert data["valid"] is False and data["first_error"] == 1
    assert len(data["lines"]) == 2
    for line in data["lines"]:
        assert {"line", "source", "status", "message", "counterexample", "diagnosis", "relation"} <= set(line)
    first, second = data["lines"]
    assert first["status"] == "wrong" and first["source"] == "sigma'(x) = -(1+exp(-x))^(-2) * exp(-x)"
    assert set(first["counterexample"]) == {"x", "left", "right", "at"} and first["counterexample"]["at"] == {"x": first["counterexample"]["x"]}
    assert first["diagnosis"] and first["relation"] == "first line"
    assert second["status"] == "correct" and second["counterexample"] is None and second["diagnosis"] is None
    assert second["relation"] == "correct (after the error on line 1)"


def test_check_options(tmp_path: Path) -> None:
    write(tmp_path, "tanh.txt", "f(x) = tanh(x)\nf'(x) = 1 - f(x)^2\n")
    result = derive("check", "tanh.txt", "--function", "tanh", "--syntax", "text", "--timeout", "30",
                    "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["function"] == "tanh" and data["syntax"] == "text" and data["valid"]
    write(tmp_path, "t.tex", r"\sigma'(t) = \sigma(t)(1-\sigma(t))" + "\n")
    assert derive("check", "t.tex", "--var", "t", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("arguments", [
    ("--function", "nosuch"), ("--syntax", "klingon"), ("--format", "pdf"),
    ("--var", "sigma"), ("--var", "e"), ("--var", "x y"), ("--var", "d"),
    ("--timeout", "nan"), ("--timeout", "inf"), ("--timeout", "1e9"), ("--timeout", "0"), ("--timeout", "-1"),
])
def test_check_bad_options_exit_2_with_one_line(tmp_path: Path, arguments: tuple[str, ...]) -> None:
    write(tmp_path, "work.txt", CORRECT)
    result = derive("check", "work.txt", *arguments, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


# -- unusable input: exit 2, one line on stderr, no traceback -----------------------------------

UNUSABLE = {
    "missing": None,
    "folder": "folder",
    "binary": b"%PDF-1.4\n\x00\x01\x02\x03binary\x00",
    "bad-utf8": b"\xff\xfe\xfa",
    "empty": b"",
    "only-blank": b"\n   \n\t\n",
    "only-comments": b"% nothing here\n# nor here\n",
    "too-large": ("x = x\n" * (MAX_FILE_BYTES // 6 + 10)).encode(),
    "too-many-lines": ("x = x\n" * 600).encode(),
}


@pytest.mark.parametrize("kind", list(UNUSABLE))
def test_unusable_input_exits_2(tmp_path: Path, kind: str) -> None:
    content = UNUSABLE[kind]
    name = f"{kind}.tex"
    if content == "folder":
        (tmp_path / name).mkdir()
    elif content is not None:
        write(tmp_path, name, content)
    result = derive("check", name, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("derive: error:") and name in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_size_limit_is_exact(tmp_path: Path) -> None:
    """A file of exactly the limit is read; one byte more is refused."""
    # many lines would be refused for their number, so: one claim plus one long comment line
    fitted = "x = x\n" + "%" * (MAX_FILE_BYTES - 7) + "\n"
    assert len(fitted.encode()) == MAX_FILE_BYTES
    write(tmp_path, "limit.txt", fitted)
    assert derive("check", "limit.txt", cwd=tmp_path).returncode == 0
    write(tmp_path, "over.txt", fitted + "\n")
    result = derive("check", "over.txt", cwd=tmp_path)
    assert result.returncode == 2 and "too large" in result.stderr


# -- hostile student text in every format -------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("hostile")
    write(folder, "hostile.tex", HOSTILE)
    reports = {}
    for output_format in ("text", "json", "markdown", "html", "latex"):
        result = derive("check", "hostile.tex", "--format", output_format, cwd=folder)
        assert result.returncode == 1, result.stderr
        assert result.stderr == ""
        reports[output_format] = result.stdout
    return reports


def test_hostile_json_keeps_the_source_verbatim(hostile_reports) -> None:
    data = json.loads(hostile_reports["json"])
    assert [line["source"] for line in data["lines"]] == HOSTILE_LINES
    assert data["lines"][0]["status"] == "correct"
    assert data["lines"][4]["status"] == "wrong"  # a LaTeX % comment ends the claim


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.code: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        self._in_code = tag == "code"
        if tag == "code":
            self.code.append("")

    def handle_endtag(self, tag) -> None:
        if tag == "code":
            self._in_code = False

    def handle_data(self, data) -> None:
        if self._in_code:
            self.code[-1] += data


def test_hostile_html_has_no_markup_from_the_student(hostile_reports) -> None:
    parser = _Elements()
    parser.feed(hostile_reports["html"])
    parser.close()
    assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
    assert not [name for name in parser.attributes if name.startswith("on")]
    assert parser.code == HOSTILE_LINES, "every line is shown as text, exactly as written"


@pytest.mark.tools
def test_hostile_html_loads_cleanly_in_chromium(hostile_reports, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(hostile_reports["html"], encoding="utf-8")
    report = load_html(page, artifact_dir("check") / "hostile-report.png")
    assert report.console_errors == [] and report.page_errors == []
    assert report.external_requests == []
    assert "<script>alert(1)</script>" in report.text
    assert "{{7*7}}" in report.text


@pytest.mark.tools
def test_hostile_latex_compiles_without_reading_anything(hostile_reports, tmp_path: Path) -> None:
    tex = hostile_reports["latex"]
    assert "\\input" not in tex and "\\include" not in tex and "\\write18" not in tex
    assert "\\end{longtable}\\input" not in tex
    assert tex.count("\\begin{longtable}") == 1 and tex.count("\\end{longtable}") == 1
    unbroken = tex.replace(r"\allowbreak{}", "")  # a student's line may break after any character
    assert r"\{\{7*7\}\}" in unbroken and r"\textless{}\textless{} x \textgreater{}\textgreater{}" in unbroken
    pdf = compile_latex(tex, tmp_path / "latex", name="report")
    assert pdf.stat().st_size > 0
    records = list((tmp_path / "latex").glob("*.fls"))
    assert records, "latexmk records the files TeX opened"
    for record in records:
        assert "passwd" not in record.read_text(encoding="utf-8", errors="replace")
    log = (tmp_path / "latex" / "report.log").read_text(encoding="utf-8", errors="replace")
    assert "(/etc/passwd" not in log, "TeX opened /etc/passwd"  # opened files appear as '(path' in the log


@pytest.mark.tools
def test_hostile_markdown_has_no_raw_html_or_tex(hostile_reports) -> None:
    markdown = hostile_reports["markdown"]
    parsed = pandoc_math(markdown)
    assert parsed.raw == [], parsed.raw
    # the only mathematics is derive's own, printed from what it parsed (a counterexample, a
    # diagnosis's formula): never a student's text read as TeX
    assert parsed.math and all(printer_latex(node.tex) for node in parsed.math), parsed.math
    assert not any(line in node.tex for node in parsed.math for line in HOSTILE_LINES if len(line) > 3)
    text = " ".join(parsed.strings)
    assert "Cannot" in text and "Likely" in text


def test_hostile_text_report_is_plain(hostile_reports) -> None:
    text = hostile_reports["text"]
    for line in HOSTILE_LINES:
        assert line in text
    assert "\x1b" not in text


# -- derive grade -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict[str, object]]:
    root = tmp_path_factory.mktemp("grade")
    folder = root / "class"
    folder.mkdir()
    write(folder, "d_correct.tex", CORRECT)
    write(folder, "b_wrong.txt", WRONG)
    write(folder, "a_binary.tex", b"\x00\x01PK\x03\x04")
    write(folder, "c_empty.txt", "")
    write(folder, "e_unreadable.txt", UNREADABLE)
    write(folder, "g_notes.pdf", b"%PDF-1.4 not a submission")
    write(folder, "h_no_suffix", CORRECT)
    write(folder, ".hidden.tex", WRONG)
    (folder / "i_broken.tex").symlink_to(folder / "gone.tex")
    (folder / "sub").mkdir()
    write(folder / "sub", "f_nested.tex", CORRECT)
    results = {}
    for jobs in ("1", "2"):
        out = root / f"jobs{jobs}"
        result = derive("grade", "class", "--out", out / "grades.csv", "--details", out / "details.json",
                        "--jobs", jobs, cwd=root)
        results[jobs] = {
            "result": result,
            "csv": (out / "grades.csv").read_text(encoding="utf-8"),
            "json": (out / "details.json").read_text(encoding="utf-8"),
        }
    return results


EXPECTED_FILES = ["class/a_binary.tex", "class/b_wrong.txt", "class/c_empty.txt", "class/d_correct.tex",
                  "class/e_unreadable.txt", "class/g_notes.pdf", "class/h_no_suffix", "class/i_broken.tex",
                  "class/sub/f_nested.tex"]
UNGRADED = ("a_binary.tex", "c_empty.txt", "g_notes.pdf", "i_broken.tex")


def test_grade_exits_0_and_writes_one_row_per_file(graded) -> None:
    run = graded["1"]
    assert run["result"].returncode == 0, run["result"].stderr
    assert "Traceback" not in run["result"].stderr
    rows = list(csv.DictReader(io.StringIO(run["csv"])))
    header = tuple(csv.reader(io.StringIO(run["csv"])).__next__())
    assert header[: len(CSV_COLUMNS)] == CSV_COLUMNS, "the original columns stay first, in order"
    assert header[len(CSV_COLUMNS):] == ("score", "maximum", "diagnosis_text", "needs_review", "student_id", "sha256")
    assert [row["file"] for row in rows] == EXPECTED_FILES
    by_file = {row["file"].split("/")[-1]: row for row in rows}
    assert by_file["d_correct.tex"]["valid"] == "True" and by_file["d_correct.tex"]["first_error"] == ""
    assert by_file["d_correct.tex"]["lines"] == "3" and by_file["d_correct.tex"]["correct"] == "3"
    wrong = by_file["b_wrong.txt"]
    assert (wrong["valid"], wrong["first_error"], wrong["wrong"], wrong["correct"]) == ("False", "1", "1", "1")
    assert wrong["diagnosis"] == "exp_derivative_without_chain" and wrong["error"] == ""
    assert by_file["e_unreadable.txt"]["unparsed"] == "1" and by_file["e_unreadable.txt"]["first_error"] == "1"
    for unusable in UNGRADED:
        row = by_file[unusable]
        assert row["valid"] == "False" and row["error"] and row["lines"] == "0"
    assert "binary" in by_file["a_binary.tex"]["error"] and "empty" in by_file["c_empty.txt"]["error"]
    assert "not graded" in by_file["g_notes.pdf"]["error"] and ".tex or .txt" in by_file["g_notes.pdf"]["error"]
    assert "broken link" in by_file["i_broken.tex"]["error"]
    assert by_file["h_no_suffix"]["valid"] == "True", "a file without an ending is a plain-text submission"
    assert "9 submissions: 3 valid, 2 with errors, 4 unusable" in run["result"].stderr


def test_grade_details_json(graded) -> None:
    details = json.loads(graded["1"]["json"])
    submissions = details["submissions"]
    assert [entry["file"] for entry in submissions] == EXPECTED_FILES
    for entry in submissions:
        if entry["file"].endswith(UNGRADED):
            assert entry["report"] is None and entry["error"]
        else:
            assert entry["error"] is None
            assert {"valid", "first_error", "lines"} <= set(entry["report"])
    wrong = next(entry for entry in submissions if entry["file"].endswith("b_wrong.txt"))
    assert [line["status"] for line in wrong["report"]["lines"]] == ["wrong", "correct"]


def test_grade_is_the_same_with_one_or_two_jobs(graded) -> None:
    assert graded["1"]["result"].returncode == graded["2"]["result"].returncode == 0
    assert graded["1"]["csv"] == graded["2"]["csv"]
    assert graded["1"]["json"] == graded["2"]["json"]


@pytest.mark.parametrize("arguments", [
    ("--var", "sigma"), ("--timeout", "nan"), ("--timeout", "0"), ("--function", "nosuch"), ("--out", "."),
    ("--details", "."), ("--out", "class/a.txt"), ("--details", "class/notes.txt"),
])
def test_grade_bad_options_exit_2_with_one_line_before_grading(tmp_path: Path, arguments: tuple[str, ...]) -> None:
    (tmp_path / "class").mkdir()
    write(tmp_path / "class", "a.txt", CORRECT)
    result = derive("grade", "class", *arguments, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "grades.csv").exists()


def test_grade_in_another_variable_and_into_the_graded_folder(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    write(tmp_path / "class", "a.tex", r"\sigma'(t) = \sigma(t)(1-\sigma(t))" + "\n")
    for _ in range(2):  # the second run must not grade its own gradebook
        result = derive("grade", "class", "--var", "t", "--out", "class/grades.csv", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        rows = list(csv.DictReader(io.StringIO((tmp_path / "class" / "grades.csv").read_text(encoding="utf-8"))))
        assert [(row["file"], row["valid"]) for row in rows] == [("class/a.tex", "True")]


def test_grade_reports_every_odd_entry_and_never_hangs(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "alice.txt", CORRECT)
    write(folder, "alice.txt~", CORRECT)
    os.mkfifo(folder / "fifo.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "loop1").symlink_to("loop2")
    (folder / "loop2").symlink_to("loop1")
    (tmp_path / "other").mkdir()
    (folder / "linked").symlink_to(tmp_path / "other")
    result = derive("grade", "class", "missing.txt", "--out", "g.csv", cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    rows = {row["file"]: row for row in csv.DictReader(io.StringIO((tmp_path / "g.csv").read_text(encoding="utf-8")))}
    assert rows["class/alice.txt"]["valid"] == "True"
    expected = {
        "class/alice.txt~": "backup", "class/fifo.txt": "not a regular file", "class/zero.txt": "not a regular file",
        "class/loop1": "cannot be read", "class/loop2": "cannot be read", "class/linked": "link to a folder",
        "missing.txt": "no such file",
    }
    for name, reason in expected.items():
        assert rows[name]["valid"] == "False" and reason in rows[name]["error"], rows[name]
    for special in ("fifo.txt", "zero.txt"):
        checked = derive("check", f"class/{special}", cwd=tmp_path)
        assert checked.returncode == 2 and "not a regular file" in checked.stderr


def test_grade_with_nothing_to_grade_exits_2(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    result = derive("grade", "nothing", "--out", "g.csv", cwd=tmp_path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    result = derive("grade", "missing-folder", "--out", "g.csv", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
