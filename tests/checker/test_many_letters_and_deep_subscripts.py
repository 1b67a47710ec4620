"""Issue 12, bad input: a hundred parameters work, in `derive diff` and `derive check`; past the
documented limit of letters, and for subscripts nested 10,000 deep, one line that names the
notation's own limit, with the documented exit code, in `derive diff`, `derive check` and the
checker's reader as the web's /api/check uses it (never a traceback, a hang or the generic
"line too long")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from derive.checker import check
from derive.errors import ExitCode
from derive.jobs import check_page
from derive.parse.limits import MAX_LETTERS, MAX_LINE_LENGTH, MAX_SUBSCRIPT_DEPTH

HUNDRED = range(1, 101)
LINEAR = "+".join(f"w_{{{i}}}x" for i in HUNDRED)  # w_1 x + … + w_100 x
NEURON = r"\sigma\left(" + "+".join(f"w_{{{i}}}x_{{{i}}}" for i in HUNDRED) + r"\right)"  # σ(w·x), 100 weights
TOO_MANY = "+".join(f"w_{{{i}}}x" for i in range(1, MAX_LETTERS + 1))  # 200 weights and x


def too_many(line: str) -> str:
    """The message for ``line`` (holding TOO_MANY): at the 201st different letter, w_200."""
    return (f"too many letters: more than {MAX_LETTERS} different variables and parameters in one line "
            f"(at column {line.rindex('w_{200}') + 1})")


def nested(base: str, inner: str, depth: int) -> str:
    """``base_{inner_{inner_{…}}}``, ``depth`` subscripts deep."""
    return f"{base}_{{" * 1 + f"{inner}_{{" * (depth - 1) + inner + "}" * depth


DEEP = {
    "w_{w_{...}} 10,000 deep": nested("w", "w", 10_000),
    "x_{1_{1_{...}}} 10,000 deep": nested("x", "1", 10_000),
    "w_{w_{w}} 3 deep": nested("w", "w", 3),
    "partial_{w_{1_{2}}} 3 deep": r"\partial_{w_{1_{2}}} w",
}
DEEP_MESSAGE = (f"subscripts nest at most {MAX_SUBSCRIPT_DEPTH} deep (\\partial_{{w_1}}): a letter's subscript holds only "
                "letters and digits, as in w_1 or w_{12}")


def derive(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", *arguments], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def test_a_hundred_parameters_are_derived_and_proved(tmp_path: Path) -> None:
    result = derive("diff", LINEAR, "--var", "x", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["proved"] is True
    assert set(data["result"].split(" + ")) == {f"w_{i}" for i in HUNDRED}
    neuron = derive("diff", NEURON, "--var", "w_37", "--format", "json", cwd=tmp_path)
    assert neuron.returncode == 0, neuron.stderr
    derived = json.loads(neuron.stdout)
    assert derived["proved"] is True and "x_37" in derived["result"]


def test_a_hundred_parameters_are_checked_and_a_counterexample_names_each(tmp_path: Path) -> None:
    right = "+".join(f"w_{{{i}}}" for i in HUNDRED)
    (tmp_path / "right.tex").write_text(rf"\frac{{d}}{{dx}}\left({LINEAR}\right) = {right}" "\n", encoding="utf-8")
    wrong = "+".join(f"w_{{{i}}}" for i in range(1, 100))  # w_100 forgotten
    (tmp_path / "wrong.tex").write_text(rf"\frac{{d}}{{dx}}\left({LINEAR}\right) = {wrong}" "\n", encoding="utf-8")
    valid = derive("check", "right.tex", "--format", "json", cwd=tmp_path)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert json.loads(valid.stdout)["valid"] is True
    result = derive("check", "wrong.tex", "--format", "json", cwd=tmp_path)
    assert result.returncode == ExitCode.FAILED, result.stderr
    (line,) = json.loads(result.stdout)["lines"]
    assert line["status"] == "wrong"
    assert {f"w_{i}" for i in HUNDRED} <= set(line["counterexample"]["at"])
    for name, value in line["counterexample"]["at"].items():
        assert f"{name} = {value}" in line["message"]
    # listed as a reader counts them: w_1, w_2, …, w_10, …, w_100 (not w_1, w_10, w_100, w_11)
    assert list(line["counterexample"]["at"]) == [f"w_{i}" for i in HUNDRED]
    positions = [line["message"].index(f"w_{i} = ") for i in HUNDRED]
    assert positions == sorted(positions)


def test_past_the_limit_of_letters_one_line_and_exit_2(tmp_path: Path) -> None:
    assert len(TOO_MANY) <= MAX_LINE_LENGTH  # refused for its letters, not its length
    result = derive("diff", TOO_MANY, "--var", "x", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (ExitCode.UNUSABLE_INPUT, "")
    assert result.stderr.splitlines() == [f"derive: error: {too_many(TOO_MANY)}"]
    claim = rf"\frac{{d}}{{dx}}\left({TOO_MANY}\right) = 1"
    (line,) = check(claim).lines
    assert line.status == "unparsed" and line.message == f"Cannot read this line: {too_many(claim)}"
    weights = "+".join(f"w_{{{i}}}" for i in range(1, MAX_LETTERS))  # 199 weights and x: at the limit, read
    report = check(rf"\frac{{\partial}}{{\partial w_{{5}}}}\left(x\left({weights}\right)\right) = x")
    assert report.valid, [line.message for line in report.lines]


@pytest.mark.parametrize("text", list(DEEP.values()), ids=list(DEEP))
def test_subscripts_nested_too_deep_get_their_own_line_everywhere(tmp_path: Path, text: str) -> None:
    column = text.index("_", text.index("_", text.index("_") + 1) + 1) + 1  # the third subscript
    message = f"{DEEP_MESSAGE} (at column {column})"
    result = derive("diff", text, "--var", "w", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (ExitCode.UNUSABLE_INPUT, "")
    assert result.stderr.splitlines() == [f"derive: error: {message}"]
    (tmp_path / "deep.tex").write_text(f"{text}\n= 1\n", encoding="utf-8")
    checked = derive("check", "deep.tex", "--format", "json", cwd=tmp_path)
    assert checked.returncode == ExitCode.FAILED, checked.stderr
    first, _ = json.loads(checked.stdout)["lines"]
    assert (first["status"], first["message"]) == ("unparsed", f"Cannot read this line: {message}")
    page = check_page(f"{text}\n= 1\n", function="sigmoid")  # what /api/check runs in its worker
    assert page["report"]["lines"][0]["message"] == f"Cannot read this line: {message}"


def test_the_subscripts_a_course_writes_are_read() -> None:
    report = check("\n".join([
        r"L(w_1, w_{12}) = (w_1 x_1 + w_{12} x_{12})^2",
        r"\partial_{w_{12}} L = 2(w_1 x_1 + w_{12} x_{12})x_{12}",
        r"\frac{\partial L}{\partial w_1} = 2(w_1 x_1 + w_{12} x_{12})x_1",
    ]))
    assert [line.status for line in report.lines] == ["correct"] * 3, [line.message for line in report.lines]


@pytest.mark.parametrize(("written", "plain"), [("w_{37}", "w_37"), (r"\theta_{1}", "theta_1"), (r"\beta_2", "beta_2")])
def test_a_variable_written_as_in_latex_is_told_how_to_write_it(tmp_path: Path, written: str, plain: str) -> None:
    result = derive("diff", NEURON, "--var", written, cwd=tmp_path)
    assert result.returncode == ExitCode.UNUSABLE_INPUT
    assert result.stderr.splitlines() == [
        f"derive: error: cannot use '{written}' as the variable: write the letter as {plain} (its subscript without "
        "braces, a Greek letter without a backslash)"]
