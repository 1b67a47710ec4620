"""The command line's document commands: what they write, print, and how they fail.

Errors derive raises on purpose must reach the user as exactly one ``derive: error: ...`` line
on stderr (never a traceback) and the documented exit code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from derive.cli import main
from derive.output import write_handout
from tooling import REPO_ROOT, require_tool

HANDOUT_FILES = ["sigmoid.tex", "sigmoid.md", "sigmoid.svg", "sigmoid.html"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
    assert err.endswith("\n")
    return lines[0]


# --- writing the handout ---------------------------------------------------------------------


def test_default_writes_and_prints_four_paths(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "sigmoid", "--out", str(out))
    assert code == 0
    assert stderr == ""
    assert stdout.splitlines() == [str(out / name) for name in HANDOUT_FILES]
    assert sorted(path.name for path in out.iterdir()) == sorted(HANDOUT_FILES)
    assert all((out / name).stat().st_size > 0 for name in HANDOUT_FILES)


def test_alias_writes_the_catalogue_name(tmp_path: Path, capsys) -> None:
    code, stdout, _ = run(capsys, "logistic", "--out", str(tmp_path), "--format", "markdown")
    assert code == 0
    assert [Path(line).name for line in stdout.splitlines()] == ["sigmoid.md", "sigmoid.svg"]


def test_format_latex_writes_only_the_tex(tmp_path: Path, capsys) -> None:
    code, stdout, _ = run(capsys, "sigmoid", "--out", str(tmp_path), "--format", "latex")
    assert code == 0
    assert stdout.splitlines() == [str(tmp_path / "sigmoid.tex")]
    assert [path.name for path in tmp_path.iterdir()] == ["sigmoid.tex"]


@pytest.mark.parametrize("output_format", ["html", "markdown"])
def test_format_writes_only_its_files(tmp_path: Path, capsys, output_format: str) -> None:
    code, stdout, _ = run(capsys, "sigmoid", "--out", str(tmp_path), "--format", output_format)
    assert code == 0
    expected = ["sigmoid.html"] if output_format == "html" else ["sigmoid.md", "sigmoid.svg"]
    assert sorted(path.name for path in tmp_path.iterdir()) == expected


def test_format_json_prints_and_writes_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "sigmoid", "--format", "json", "--out", str(out))
    assert code == 0 and stderr == ""
    data = json.loads(stdout)
    assert data["function"] == "sigma(x)"
    assert data["route"] == "chain"
    assert not out.exists()


def test_format_text_prints_and_writes_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, "sigmoid", "--format", "text", "--out", str(out))
    assert code == 0 and stderr == ""
    assert stdout.startswith("sigma'(x), derived by the 'chain' route")
    assert "Result: sigma'(x) = sigma(x)*(1 - sigma(x))" in stdout
    assert not out.exists()


def test_snippet_prints_latex_and_writes_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = run(capsys, "sigmoid", "--format", "latex", "--snippet", "--label", "eq:s")
    assert code == 0 and stderr == ""
    assert stdout.startswith(r"\begin{align}") and r"\label{eq:s}" in stdout
    assert list(tmp_path.iterdir()) == []


def test_written_files_respect_the_umask(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        written = write_handout("sigmoid", tmp_path, ["markdown"])
    finally:
        os.umask(umask)
    for path in written:
        assert path.stat().st_mode & 0o777 == 0o644, f"{path.name} has mode {path.stat().st_mode & 0o777:o}"


def test_no_temporary_files_left_behind(tmp_path: Path, capsys) -> None:
    run(capsys, "sigmoid", "--out", str(tmp_path))
    run(capsys, "sigmoid", "--out", str(tmp_path))  # overwriting is atomic as well
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(HANDOUT_FILES)


# --- --pdf -----------------------------------------------------------------------------------


@pytest.mark.tools
def test_pdf_is_written_and_latex_leftovers_are_cleaned(tmp_path: Path, capsys) -> None:
    require_tool("latexmk")
    require_tool("pdflatex")
    code, stdout, stderr = run(capsys, "sigmoid", "--out", str(tmp_path), "--format", "latex", "--pdf")
    assert code == 0, stderr
    assert stdout.splitlines() == [str(tmp_path / "sigmoid.tex"), str(tmp_path / "sigmoid.pdf")]
    pdf = tmp_path / "sigmoid.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    for suffix in (".aux", ".log", ".fls", ".fdb_latexmk"):
        assert not (tmp_path / f"sigmoid{suffix}").exists(), f"sigmoid{suffix} left behind"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["sigmoid.pdf", "sigmoid.tex"]


def test_pdf_needs_the_latex_handout(tmp_path: Path, capsys) -> None:
    code, stdout, stderr = run(capsys, "sigmoid", "--out", str(tmp_path), "--format", "html", "--pdf")
    assert code == 2
    assert "--pdf" in assert_one_error_line(stderr)
    assert list(tmp_path.iterdir()) == []


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("options", "message"), [
    (["--snippet", "--format", "html"], "derive: error: --snippet needs --format latex or --format markdown"),
    (["--label", "eq:s"], "derive: error: --label needs --snippet"),
    (["--format", "latex", "--no-annotations"], "derive: error: --no-annotations needs --snippet"),
    (["--snippet", "--format", "markdown", "--label", "eq:s"], "derive: error: --label needs --format latex"),
])
def test_snippet_options_that_do_not_go_together(capsys, options: list[str], message: str) -> None:
    code, stdout, stderr = run(capsys, "sigmoid", *options)
    assert code == 2
    assert stdout == ""
    assert assert_one_error_line(stderr) == message


@pytest.mark.parametrize(("options", "opening"), [
    (["--snippet"], "\\begin{align*}"),
    (["--snippet", "--format", "latex"], "\\begin{align*}"),
    (["--snippet", "--format", "markdown"], "$$"),
])
def test_snippet_is_latex_unless_markdown_is_asked_for(capsys, options: list[str], opening: str) -> None:
    code, stdout, stderr = run(capsys, "sigmoid", *options)
    assert code == 0 and stderr == ""
    assert stdout.startswith(opening)


@pytest.mark.parametrize("output_format", ["json", "text"])
def test_snippet_with_a_printed_format_is_an_error(capsys, output_format: str) -> None:
    code, stdout, stderr = run(capsys, "sigmoid", "--snippet", "--format", output_format)
    assert code == 2
    assert stdout == ""
    assert "--format latex" in assert_one_error_line(stderr)


def test_label_alone_needs_format_latex(capsys) -> None:
    code, _, stderr = run(capsys, "sigmoid", "--label", "eq:x")
    assert code == 2
    assert assert_one_error_line(stderr).startswith("derive: error: ")


@pytest.mark.parametrize("label", ["a}b", "a b", r"x\input{y}", "", "x" * 65, "é"])
def test_bad_label(capsys, label: str) -> None:
    code, stdout, stderr = run(capsys, "sigmoid", "--format", "latex", "--snippet", "--label", label)
    if label == "":  # an empty label means "no label": an unnumbered align*
        assert code == 0 and r"\begin{align*}" in stdout
        return
    assert code == 2
    assert stdout == ""
    assert assert_one_error_line(stderr).startswith("derive: error: --label")


@pytest.mark.parametrize("symbol", ["\\x{", "", "ab", "\\", "\\sigma x", "{", "\\varphi}", "1"])
def test_bad_symbol(tmp_path: Path, capsys, symbol: str) -> None:
    code, stdout, stderr = run(capsys, "sigmoid", "--out", str(tmp_path / "out"), "--symbol", symbol)
    assert code == 2
    assert stdout == ""
    assert assert_one_error_line(stderr).startswith("derive: error: --symbol")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("symbol", ["\\text", "\\mathrm", "\\left"])
def test_symbol_that_cannot_be_rendered_is_a_clean_error(tmp_path: Path, capsys, symbol: str) -> None:
    code, stdout, stderr = run(capsys, "sigmoid", "--out", str(tmp_path), "--symbol", symbol)
    assert code == 2
    assert assert_one_error_line(stderr).startswith("derive: error: ")


def test_good_symbol_and_exp_style(tmp_path: Path, capsys) -> None:
    code, _, stderr = run(capsys, "sigmoid", "--out", str(tmp_path), "--format", "latex",
                          "--symbol", "\\varphi", "--exp-style", "exp")
    assert code == 0 and stderr == ""
    tex = (tmp_path / "sigmoid.tex").read_text(encoding="utf-8")
    assert r"\varphi(x)" in tex and r"\exp\left(- x\right)" in tex
    assert r"\sigma" not in tex


def test_out_is_an_existing_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me", encoding="utf-8")
    code, stdout, stderr = run(capsys, "sigmoid", "--out", str(target))
    assert code == 2
    assert stdout == ""
    assert "is not a folder" in assert_one_error_line(stderr)
    assert target.read_text(encoding="utf-8") == "keep me"


def test_unknown_function(tmp_path: Path, capsys) -> None:
    code, stdout, stderr = run(capsys, "no-such-function", "--out", str(tmp_path / "out"))
    assert code == 2
    assert stdout == ""
    assert "unknown function" in assert_one_error_line(stderr)
    assert not (tmp_path / "out").exists()


def test_unknown_route(capsys) -> None:
    code, _, stderr = run(capsys, "sigmoid", "--route", "nonsense", "--format", "json")
    assert code == 1
    assert "unknown route" in assert_one_error_line(stderr)


def test_bad_option_value_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["sigmoid", "--format", "pdf"])
    assert exit_info.value.code == 2
    assert "--format" in assert_one_error_line(capsys.readouterr().err)


# --- worksheets ------------------------------------------------------------------------------


def test_worksheet_command_markdown(tmp_path: Path, capsys) -> None:
    out = tmp_path / "d"
    code, stdout, stderr = run(capsys, "worksheet", "sigmoid", "--students", "2", "--seed", "3",
                               "--out", str(out), "--format", "markdown")
    assert code == 0 and stderr == ""
    expected = ["sigmoid-worksheet-01.md", "sigmoid-worksheet-01-key.md",
                "sigmoid-worksheet-02.md", "sigmoid-worksheet-02-key.md"]
    assert stdout.splitlines() == [str(out / name) for name in expected]
    assert sorted(path.name for path in out.iterdir()) == sorted(expected)


def test_worksheet_out_is_a_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "file"
    target.write_text("", encoding="utf-8")
    code, _, stderr = run(capsys, "worksheet", "sigmoid", "--out", str(target))
    assert code == 2
    assert "is not a folder" in assert_one_error_line(stderr)


# --- python -m derive ------------------------------------------------------------------------


def test_python_dash_m_derive_json(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "derive", "sigmoid", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["function"] == "sigma(x)"
    assert list(tmp_path.iterdir()) == []


def test_python_dash_m_derive_error_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "derive", "nope"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        check=False, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert assert_one_error_line(result.stderr).startswith("derive: error: unknown function")


def test_the_softmax_jacobian_document_honours_the_level_of_detail(tmp_path: Path) -> None:
    """`derive softmax --detail ...` writes the Jacobian's steps at that level, as derive.api's
    softmax_jacobian(detail=...) makes them (write_handout once dropped the option)."""
    from derive.api import softmax_jacobian
    from derive.renderer import render_jacobian

    texts = {}
    for detail in ("brief", "full"):
        folder = tmp_path / detail
        assert main(["softmax", "--format", "markdown", "--detail", detail, "--out", str(folder)]) == 0
        texts[detail] = (folder / "softmax.md").read_text(encoding="utf-8")
        assert texts[detail] == render_jacobian(softmax_jacobian(detail=detail), "markdown")
    assert texts["brief"] != texts["full"]
