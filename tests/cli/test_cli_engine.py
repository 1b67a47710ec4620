"""The command line over the engine: text and JSON derivations, errors, the console script."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

import derive
from derive.cli import main
from derive.functions import sigma, variable
from derive.verify import prove_equal

x = variable("x")
STEP_LINE = re.compile(r"^\s*(?P<mark>\S+) (?P<number>\d+(?:\.\d+)*)\. ")
STEP_KEYS = {"rule", "annotation", "before", "after", "verified", "verification", "substeps"}


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def walk(steps: list[dict]):
    for step in steps:
        yield step
        yield from walk(step["substeps"])


# --- text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", [None, "chain", "quotient", "log", "rules"])
def test_text_output_marks_every_step_proved(capsys: pytest.CaptureFixture[str], route: str | None) -> None:
    arguments = ["sigmoid", "--format", "text"] + (["--route", route] if route else [])
    code, out, err = run(capsys, *arguments)
    assert code == 0
    assert err == ""
    marks = [match for line in out.splitlines() if (match := STEP_LINE.match(line))]
    expected = derive.derive("sigmoid", route=route).summary()["steps"]
    assert len(marks) == expected > 0
    assert {match["mark"] for match in marks} == {"✓"}
    assert "≈" not in out and "✗" not in out
    assert "Result: sigma'(x) = " in out
    assert f"Steps: {expected}, proved {expected}." in out


@pytest.mark.parametrize("route", [None, "quotient", "log"])
def test_text_output_ends_with_the_identity(capsys: pytest.CaptureFixture[str], route: str | None) -> None:
    arguments = ["sigmoid", "--format", "text"] + (["--route", route] if route else [])
    _, out, _ = run(capsys, *arguments)
    lines = out.splitlines()
    result = lines.index("Result: sigma'(x) = sigma(x)*(1 - sigma(x))")
    assert lines[result + 1].lstrip().startswith("✓ proved:")
    assert f"derived by the '{route or 'chain'}' route" in lines[0]


def test_text_output_shows_rule_names_and_substeps(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "sigmoid", "--format", "text", "--detail", "full")
    assert "[Chain rule]" in out and "[Power rule]" in out and "[Inner derivative]" in out
    assert re.search(r"^\s*✓ 3\.2\.3\.1\. ", out, re.MULTILINE), "nested chain rule sub-steps are numbered"


def test_standard_detail_keeps_d_dx_of_minus_x_within_three_levels(capsys: pytest.CaptureFixture[str]) -> None:
    """d/dx(−x) inside the sigmoid took four nested levels (3.2.3.2.1); at the default level it is
    said in the words of the chain rule that needs it."""
    _, out, _ = run(capsys, "sigmoid", "--format", "text")
    numbers = re.findall(r"^\s*✓ ([\d.]+)\. ", out, re.MULTILINE)
    assert max(number.count(".") for number in numbers) <= 2
    assert "3.2.2" in numbers and not any(number.startswith("3.2.2.") for number in numbers)
    assert "[Drop zeros and ones]" not in out


def test_route_quotient_and_log_differ(capsys: pytest.CaptureFixture[str]) -> None:
    _, quotient, _ = run(capsys, "sigmoid", "--route", "quotient", "--format", "text")
    _, log, _ = run(capsys, "sigmoid", "--route", "log", "--format", "text")
    assert "[Quotient rule]" in quotient and "[Quotient rule]" not in log
    assert "[Logarithmic differentiation]" in log


# --- JSON ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sigmoid_json() -> dict:
    from derive.renderer.json_output import derivation_json

    return json.loads(derivation_json(derive.derive("sigmoid")))


@pytest.mark.parametrize("route", [None, "quotient", "log"])
def test_json_is_one_object_with_the_contract(capsys: pytest.CaptureFixture[str], route: str | None) -> None:
    arguments = ["sigmoid", "--format", "json"] + (["--route", route] if route else [])
    code, out, err = run(capsys, *arguments)
    assert code == 0 and err == ""
    data = json.loads(out)  # exactly one JSON document: loads() refuses trailing data
    assert isinstance(data, dict)
    assert {"function", "variable", "route", "steps", "result"} <= set(data)
    assert data["function"] == "sigma(x)"
    assert data["variable"] == "x"
    assert data["route"] == (route or "chain")
    assert data["result"] == "sigma(x)*(1 - sigma(x))"
    assert data["steps"]
    for step in walk(data["steps"]):
        assert STEP_KEYS <= set(step), set(step)
        assert step["verified"] is True, step["rule"]
        assert step["verification"]["status"] == "proved"
        assert step["verification"]["digits"] >= 30
        assert isinstance(step["annotation"], str) and step["annotation"]


def test_json_steps_read_back_and_are_proved_equal(sigmoid_json: dict) -> None:
    def check(steps: list[dict], default: str) -> int:
        count = 0
        for step in steps:
            # a chain rule's outer step is in its own variable (details "variable": "u")
            name = step["details"].get("variable", default)
            symbol = variable(name)
            names = {"sigma": sigma, name: symbol}
            before = sympy.sympify(step["before"], locals=names)
            after = sympy.sympify(step["after"], locals=names)
            assert before.free_symbols <= {symbol}
            assert prove_equal(before, after, symbol).status == "proved", (step["rule"], before, after)
            count += 1 + check(step["substeps"], default)
        return count

    assert check(sigmoid_json["steps"], "x") == derive.derive("sigmoid").summary()["steps"]


def test_json_steps_read_back_as_the_derivation(sigmoid_json: dict) -> None:
    names = {"sigma": sigma, "x": x}
    real = derive.derive("sigmoid")
    assert len(sigmoid_json["steps"]) == len(real.steps)
    for data, step in zip(sigmoid_json["steps"], real.steps):
        assert data["rule"] == step.rule
        for key in ("before", "after"):
            back = sympy.sympify(data[key], locals=names)
            assert prove_equal(back, getattr(step, key), x).status == "proved"
    first = sympy.sympify(sigmoid_json["steps"][0]["before"], locals=names)
    assert first == sympy.Derivative(sigma(x), x)
    result = sympy.sympify(sigmoid_json["result"], locals=names)
    assert prove_equal(sympy.Derivative(sigma(x), x), result, x).status == "proved"


def test_json_chain_rule_details(sigmoid_json: dict) -> None:
    (chain,) = [step for step in sigmoid_json["steps"] if step["rule"] == "chain"]
    assert chain["details"]["u"] == "1 + exp(-x)"
    assert chain["details"]["outer_rule"] == "power"
    outer, inner = chain["substeps"]
    assert outer["details"]["variable"] == chain["details"]["substitution"]
    assert inner["rule"] == "inner_derivative"
    assert any(step["rule"] == "chain" for step in inner["substeps"])


def test_json_summary_and_recognition(sigmoid_json: dict) -> None:
    assert sigmoid_json["proved"] is True
    assert sigmoid_json["complete"] is True
    assert sigmoid_json["identity"]["status"] == "proved"
    assert sigmoid_json["recognition"]["found"] is True
    assert sigmoid_json["recognition"]["form"] == "sigma(x)*(1 - sigma(x))"
    summary = sigmoid_json["summary"]
    assert summary["steps"] == summary["proved"] > 0


def test_json_is_deterministic(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(capsys, "sigmoid", "--format", "json")
    _, second, _ = run(capsys, "sigmoid", "--format", "json")
    assert first == second


# --- errors ----------------------------------------------------------------------------------------


def test_unknown_function_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "no_such_function", "--format", "text")
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("derive: error:")
    assert "no_such_function" in lines[0]


def test_unknown_route_exits_1_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "sigmoid", "--route", "nope", "--format", "json")
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("derive: error:")
    assert "nope" in lines[0] and "chain" in lines[0]


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert any(line.startswith("sigmoid") and "chain, quotient, log, rules" in line for line in out.splitlines())
    assert any(line.startswith("tanh") for line in out.splitlines())


# --- the console script ----------------------------------------------------------------------------


def console_script() -> str:
    beside_python = Path(sys.executable).with_name("derive")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("derive")
    assert found, "the 'derive' console script is not installed (pip install -e '.[test]')"
    return found


def test_console_script_prints_json(tmp_path: Path) -> None:
    result = subprocess.run(
        [console_script(), "sigmoid", "--format", "json"],
        capture_output=True, text=True, encoding="utf-8", timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["result"] == "sigma(x)*(1 - sigma(x))"
    assert all(step["verified"] for step in walk(data["steps"]))
    assert list(tmp_path.iterdir()) == [], "printing JSON writes no files"


# --- the process entry point (derive.cli.run ends the process without interpreter teardown) ----------


def run_module(tmp_path: Path, *arguments: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "derive", *arguments], stdout=stdout, stderr=subprocess.PIPE, cwd=tmp_path,
        timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def test_fast_exit_delivers_all_output_to_a_pipe_and_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sigmoid", "--format", "text"]) == 0
    expected = capsys.readouterr().out
    piped = run_module(tmp_path, "sigmoid", "--format", "text")
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.decode("utf-8") == expected
    with (tmp_path / "out.txt").open("wb") as stream:
        assert run_module(tmp_path, "sigmoid", "--format", "text", stdout=stream).returncode == 0
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == expected


def test_fast_exit_keeps_the_exit_code_and_the_one_line_error(tmp_path: Path) -> None:
    result = run_module(tmp_path, "no-such-function")
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode("utf-8").count("\n") == 1 and "derive: error:" in result.stderr.decode("utf-8")


def test_fast_exit_files_are_complete(tmp_path: Path) -> None:
    result = run_module(tmp_path, "sigmoid", "--out", "handout")
    assert result.returncode == 0, result.stderr
    written = result.stdout.decode("utf-8").split()
    assert sorted(written) == sorted(f"handout/sigmoid.{extension}" for extension in ("tex", "md", "svg", "html"))
    assert (tmp_path / "handout" / "sigmoid.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert (tmp_path / "handout" / "sigmoid.tex").read_text(encoding="utf-8").rstrip().endswith(r"\end{document}")


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `derive ... | head` after head has exited: every write fails with EPIPE
    try:
        result = run_module(tmp_path, "sigmoid", "--format", "text", stdout=write_end)
    finally:
        os.close(write_end)
    assert result.returncode == 0
    assert b"Traceback" not in result.stderr and b"Exception ignored" not in result.stderr


@pytest.mark.parametrize(("expression", "line"), [
    ("1/x", "Domain: 1/x is defined for x != 0, and d/dx(1/x) for x != 0 (✓ proved)"),
    ("ln(x)/(x-1)", "Domain: log(x)/(x - 1) is defined for x > 0 and x != 1, "
                    "and d/dx(log(x)/(x - 1)) for x > 0 and x != 1 (✓ proved)"),
    ("sqrt(x)", "Domain: sqrt(x) is defined for x >= 0, and d/dx(sqrt(x)) for x > 0 (✓ proved)"),
])
def test_the_text_output_states_the_proved_domain(capsys: pytest.CaptureFixture[str], expression: str, line: str) -> None:
    """The domain the handouts state, isolated points included (x ≠ 0 leaves out no interval,
    so the result's "it holds for" cannot say it), is stated in the terminal too."""
    code, out, _ = run(capsys, "diff", expression)
    assert code == 0 and line in out.splitlines()
    code, out, _ = run(capsys, "diff", "x^2")
    assert code == 0 and "Domain:" not in out


@pytest.mark.parametrize(("typed", "result", "latex"), [
    ("x^1.5", "1.5*sqrt(x)", r"1.5 \sqrt{x}"),
    ("0.5*x^2 + 2.5*x", "x + 2.5", "x + 2.5"),
    ("0.25*x^2", "0.5*x", "0.5 x"),
    ("x^2/2 + 1/4*x", "x + 1/4", r"x + \frac{1}{4}"),  # typed as fractions: fractions
])
def test_an_expression_typed_with_decimals_is_derived_in_decimals(typed: str, result: str, latex: str) -> None:
    """Decimals the user wrote stay decimals, in the results derived from them too: d/dx x^1.5 is
    1.5√x, never 3√x/2, in the text output and in every document."""
    from derive.jobs import derive_text

    texts = derive_text(typed, formats=("text", "latex", "markdown", "html"))["texts"]
    assert f"= {result}\n" in texts["text"]
    assert latex in texts["latex"] and latex in texts["markdown"]
    assert f'alttext="' in texts["html"] and result.replace("*", "") in texts["html"].replace("*", "")
