"""Moodle's grading worksheet and Canvas's gradebook CSV: the columns those systems read, the student
found from the names their "download all submissions" give, or from a roster they exported."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path, PurePath

import pytest

from derive.errors import InputError
from derive.grading.lms import (
    CANVAS_COLUMNS, MOODLE_COLUMNS, Identities, LmsRow, Student, canvas_csv, compile_pattern, moodle_csv, read_roster,
)

RIGHT = "sigma'(x) = d/dx (1+exp(-x))^(-1)\n= -(1+exp(-x))^(-2) * (-exp(-x))\n= sigma(x)*(1-sigma(x))\n"
WRONG = "sigma'(x) = -(1+exp(-x))^(-2) * exp(-x)\n= -exp(-x)/(1+exp(-x))^2\n"


@pytest.mark.parametrize(("path", "expected"), [
    ("Jane Doe_123456_assignsubmission_file_derivation.tex", ("123456", "Jane Doe")),
    ("Jane Doe_123456_assignsubmission_file_/derivation.tex", ("123456", "Jane Doe")),
    ("Zoë O'Neil_7_assignsubmission_onlinetext_onlinetext.txt", ("7", "Zoë O'Neil")),
    ("doejane_12345_67890_derivation.tex", ("12345", "doejane")),
    ("doejane_LATE_12345_67890_derivation-1.tex", ("12345", "doejane")),
    ("derivation.tex", None),
])
def test_download_names_give_the_student(path: str, expected: tuple[str, str] | None) -> None:
    student = Identities().student(PurePath(path))
    assert (None if student is None else (student.id, student.name)) == expected


def test_an_own_pattern(tmp_path: Path) -> None:
    identities = Identities(pattern=compile_pattern(r"(?P<id>s\d{7})"))
    assert identities.student(PurePath("week3/s1234567-final.tex")).id == "s1234567"  # type: ignore[union-attr]
    with pytest.raises(InputError, match="needs a group named id"):
        compile_pattern(r"\d+")
    with pytest.raises(InputError, match="is not a regular expression"):
        compile_pattern("(")


ROW_A = LmsRow(student=Student(id="123456", name="Jane Doe"), points=7.5, maximum=10, comment="7.5/10. <b>ok</b> & fine")
ROW_B = LmsRow(student=Student(id="99", name="=HYPERLINK(1)"), points=10, maximum=10, comment="10/10.")


def test_moodle_worksheet_without_a_roster() -> None:
    rows = list(csv.reader(io.StringIO(moodle_csv([ROW_A, ROW_B], roster=None))))
    assert tuple(rows[0]) == MOODLE_COLUMNS
    assert rows[1] == ["Participant 99", "=HYPERLINK(1)", "", "", "10", "10", "Yes", "", "", "10/10."]
    assert rows[2][:7] == ["Participant 123456", "Jane Doe", "", "", "7.5", "10", "Yes"]
    assert rows[2][9] == "7.5/10. &lt;b&gt;ok&lt;/b&gt; &amp; fine", "feedback comments are HTML in Moodle: escaped"


def test_canvas_import_without_a_roster() -> None:
    text = canvas_csv([ROW_A], assignment="Sigmoid (4321)", maximum=10, roster=None)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [*CANVAS_COLUMNS, "Sigmoid (4321)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "10"]
    assert rows[2] == ["Jane Doe", "123456", "", "", "", "7.5"]
    assert text.endswith("\r\n")


MOODLE_WORKSHEET = (
    "Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,Last modified (submission),"
    "Last modified (grade),Feedback comments\r\n"
    "Participant 123456,Jane Doe,jane@example.org,Submitted for grading,,10.00,Yes,\"Monday, 1 May 2023, 9:00 AM\",-,\r\n"
    "Participant 555,Sam Roe,sam@example.org,No submission,,10.00,Yes,-,-,\r\n"
)
CANVAS_EXPORT = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Sigmoid (4321),Current Score\r\n"
    "    Points Possible,,,,,10,(read only)\r\n"
    "\"Doe, Jane\",12345,S001,jdoe,Maths 101,,\r\n"
    "\"Roe, Sam\",777,S002,sroe,Maths 101,,\r\n"
)


def test_moodle_with_its_own_worksheet_as_roster(tmp_path: Path) -> None:
    roster = tmp_path / "worksheet.csv"
    roster.write_text(MOODLE_WORKSHEET, encoding="utf-8")
    identities = read_roster(roster, None, "moodle")
    student = identities.student(PurePath("Jane Doe_123456_assignsubmission_file_/work.tex"))
    assert student is not None and student.row is not None and student.row["Email address"] == "jane@example.org"
    rows = list(csv.DictReader(io.StringIO(moodle_csv([LmsRow(student=student, points=8, maximum=10, comment="8/10.")],
                                                      roster=identities))))
    assert [row["Identifier"] for row in rows] == ["Participant 123456", "Participant 555"], "every roster row, in order"
    assert rows[0]["Grade"] == "8" and rows[0]["Feedback comments"] == "8/10."
    assert rows[0]["Last modified (submission)"] == "Monday, 1 May 2023, 9:00 AM", "the roster's columns go back unchanged"
    assert rows[1]["Grade"] == "" and rows[1]["Status"] == "No submission"


def test_canvas_with_its_own_export_as_roster(tmp_path: Path) -> None:
    roster = tmp_path / "export.csv"
    roster.write_text(CANVAS_EXPORT, encoding="utf-8")
    identities = read_roster(roster, None, "canvas")
    assert sorted(identities.roster) == ["12345", "777"], "the Points Possible row is not a student"
    student = identities.student(PurePath("doejane_12345_999_derivation.tex"))
    assert student is not None
    rows = list(csv.reader(io.StringIO(canvas_csv([LmsRow(student=student, points=6, maximum=10, comment="")],
                                                  assignment="Sigmoid (4321)", maximum=10, roster=identities))))
    assert rows[2] == ["Doe, Jane", "12345", "S001", "jdoe", "Maths 101", "6"]
    assert identities.student(PurePath("nobody_4_5_x.tex")) is None


def test_a_roster_without_the_key_column(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,Email\nJane,jane@example.org\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no column 'ID'.*--roster-key"):
        read_roster(roster, None, "canvas")
    assert "jane@example.org" in read_roster(roster, "Email", "canvas").roster


def derive(*arguments: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", *map(str, arguments)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_grade_writes_both_files_from_a_download(tmp_path: Path) -> None:
    """A folder as Moodle's "download all submissions" unpacks it (a folder per student), one as
    Canvas's (files named lastfirst_userid_attachment_name)."""
    moodle = tmp_path / "moodle"
    (moodle / "Jane Doe_123456_assignsubmission_file_").mkdir(parents=True)
    (moodle / "Jane Doe_123456_assignsubmission_file_" / "sigmoid.tex").write_text(RIGHT, encoding="utf-8")
    (moodle / "Sam Roe_555_assignsubmission_file_").mkdir()
    (moodle / "Sam Roe_555_assignsubmission_file_" / "mine.txt").write_text(WRONG, encoding="utf-8")
    (moodle / "notes.txt").write_text(RIGHT, encoding="utf-8")  # no student: named on stderr, left out
    result = derive("grade", "moodle", "--moodle", "moodle.csv", "--out", "g.csv", "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "moodle.csv").read_text(encoding="utf-8"))))
    assert [(row["Identifier"], row["Full name"], row["Grade"]) for row in rows] == [
        ("Participant 555", "Sam Roe", "0"), ("Participant 123456", "Jane Doe", "9")]
    assert rows[0]["Feedback comments"].startswith("0/10. First problem on line 1: The derivative of e^(-x)")
    assert "1 submissions are not in the LMS files" in result.stderr and "notes.txt" in result.stderr
    gradebook = list(csv.DictReader(io.StringIO((tmp_path / "g.csv").read_text(encoding="utf-8"))))
    assert {row["student_id"] for row in gradebook} == {"123456", "555", ""}

    canvas = tmp_path / "canvas"
    canvas.mkdir()
    (canvas / "doejane_12345_67890_sigmoid.tex").write_text(RIGHT, encoding="utf-8")
    (canvas / "roesam_LATE_777_67891_sigmoid.tex").write_text(WRONG, encoding="utf-8")
    (tmp_path / "export.csv").write_text(CANVAS_EXPORT, encoding="utf-8")
    result = derive("grade", "canvas", "--canvas", "canvas.csv", "--roster", "export.csv", "--assignment",
                    "Sigmoid (4321)", "--out", "c.csv", "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "canvas.csv").read_text(encoding="utf-8")
    assert text.splitlines() == ["Student,ID,SIS User ID,SIS Login ID,Section,Sigmoid (4321)",
                                 "Points Possible,,,,,10",
                                 "\"Roe, Sam\",777,S002,sroe,Maths 101,0",
                                 "\"Doe, Jane\",12345,S001,jdoe,Maths 101,9"]


@pytest.mark.parametrize("arguments", [
    ("--id-pattern", "(?P<id>\\d+)"),
    ("--canvas", "c.csv", "--id-pattern", "\\d+"),
    ("--canvas", "c.csv", "--roster", "missing.csv"),
    ("--canvas", "c.txt"),
    ("--canvas", "grades.csv"),
    ("--moodle", "m.csv", "--canvas", "c.csv", "--roster", "r.csv"),
])
def test_lms_options_are_checked_before_grading(tmp_path: Path, arguments: tuple[str, ...]) -> None:
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "a.tex").write_text(RIGHT, encoding="utf-8")
    (tmp_path / "r.csv").write_text("ID\n1\n", encoding="utf-8")
    result = derive("grade", "class", *arguments, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "grades.csv").exists()
    assert re.match(r"derive(?: grade)?: error: ", result.stderr)
