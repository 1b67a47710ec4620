"""The catalogue: every entry derived, proved and recognised; its properties proved; its handout
written in every format (checked with the real tools); its worksheets and `derive check --function`.

Nothing here is typed in by hand and then compared with itself: each expected value below is a
textbook fact (tanh' = 1 - tanh^2, dL/dz = sigma(z) - y, ...) that derive has to arrive at.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest
import sympy
from sympy import Derivative, Rational, oo

import derive
import derive.worksheets as worksheet_module
from derive.differentiate.catalogue import ENTRIES, Entry, lookup
from derive.cli import main
from derive.functions import NAMED_FUNCTIONS, expand_definitions, sigma, softplus, variable
from derive.expressions import evaluate_arithmetic
from derive.model import Derivation, Property, Step

from derive.verify import prove_equal
from derive.worksheets import WorksheetBuilder
from tooling import artifact_dir, compile_latex, load_html, pandoc_math, pdf_to_png

#: The one-variable entries (the losses and networks of several variables, and the activations
#: with a parameter, have tests of their own in test_networks.py).
NAMES = [entry.name for entry in ENTRIES if entry.name in (
    "sigmoid", "tanh", "softplus", "silu", "gelu", "gelu_tanh", "logsigmoid", "softsign", "mish", "relu", "elu", "bce",
    "softmax")]
#: Entries that are one derivation of one function (the softmax entry is a whole Jacobian document).
SINGLE = [entry.name for entry in ENTRIES if entry.document == "handout" and entry.name in NAMES]
WITH_IDENTITIES = [(entry.name, index) for entry in ENTRIES if entry.name in NAMES for index in range(len(entry.identities))]
HTML_ENTRIES = ["relu", "gelu", "bce", "softsign"]
RAW_TEX = ("\\frac", "\\left", "\\sigma", "\\operatorname", "\\begin", "$$", "<<", "{{")

#: What `sympify` needs to read derive's JSON back: the named functions and real symbols.
PARAMETERS = {name: variable(name) for name in ("x", "z", "w", "y", "t", "b")}
READ_BACK = {**{kind.__name__: kind for kind in NAMED_FUNCTIONS}, **PARAMETERS}


@cache
def derived(name: str) -> Derivation:
    return derive.derive(name, properties=True)


def var(entry: Entry) -> sympy.Symbol:
    return variable(entry.variable_name)


def walk(steps: tuple[Step, ...]):
    for step in steps:
        yield step
        yield from walk(step.substeps)


def prop(name: str, key: str) -> Property:
    found = derived(name).property(key)
    assert found is not None, f"{name} has no property {key!r}: {[p.key for p in derived(name).properties]}"
    return found


def proved(a: sympy.Basic, b: sympy.Basic, x: sympy.Symbol) -> bool:
    verification = prove_equal(a, b, x)
    assert verification.status == "proved", f"{a} = {b}: {verification.status} ({verification.method})"
    return True


# -- every entry: derived, proved, complete, equal to SymPy's derivative ---------------------------


def test_catalogue_has_the_documented_entries() -> None:
    assert [entry.name for entry in ENTRIES] == [
        "sigmoid", "tanh", "softplus", "silu", "gelu", "gelu_tanh", "logsigmoid", "softsign", "mish", "relu", "elu",
        "bce", "softmax", "logistic_regression", "mse", "mse_sigmoid", "two_layer", "l2", "softmax_cross_entropy",
        "swish_beta", "softplus_beta", "elu_alpha", "leaky_relu",
    ]
    assert len({entry.name for entry in ENTRIES}) == len(ENTRIES)


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_proved_and_complete(name: str) -> None:
    entry, d = lookup(name), derived(name)
    assert d.name == name
    assert d.variable == var(entry)
    assert d.proved and d.complete
    d.require_proved()
    assert d.identity is not None and d.identity.status == "proved"
    summary = d.summary()
    assert summary["steps"] == summary["proved"] > 0
    assert all(step.rule != "unsupported" for step in walk(d.steps))
    assert d.steps[0].before == Derivative(entry.function(var(entry)), var(entry))
    assert d.result == d.steps[-1].after
    assert not d.result.has(Derivative), "an unevaluated derivative is left in the result"


@pytest.mark.parametrize("name", SINGLE)
def test_result_is_sympys_derivative_of_the_definition(name: str) -> None:
    entry, d = lookup(name), derived(name)
    x = var(entry)
    assert d.result.free_symbols <= {x, *PARAMETERS.values()}
    assert proved(Derivative(entry.function(x), x), d.result, x)
    assert proved(sympy.diff(expand_definitions(entry.definition(x)), x), d.result, x)


def test_a_wrong_result_is_not_proved_equal() -> None:
    """The control for the test above: prove_equal does not accept any result."""
    x = variable("x")
    verification = prove_equal(Derivative(sympy.tanh(x), x), 1 + sympy.tanh(x) ** 2, x)
    assert verification.status == "failed"
    assert verification.counterexample is not None


@pytest.mark.parametrize("name", SINGLE)
def test_json_output_is_one_object_readable_by_sympify(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    entry = lookup(name)
    x = var(entry)
    assert main([name, "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    data, end = json.JSONDecoder().raw_decode(captured.out)
    assert captured.out[end:].strip() == "", "more than one JSON value on stdout"
    assert isinstance(data, dict)
    assert data["variable"] == entry.variable_name
    assert data["proved"] is True and data["complete"] is True
    assert data["identity"]["status"] == "proved"
    assert data["summary"]["steps"] == data["summary"]["proved"] > 0
    result = sympy.sympify(data["result"], locals=READ_BACK)
    assert result.free_symbols <= {x, *PARAMETERS.values()}
    assert proved(result, derived(name).result, x)
    assert proved(Derivative(entry.function(x), x), result, x)
    for step in data["steps"]:
        assert step["verified"] is True
        sympy.sympify(step["after"], locals=READ_BACK)


# -- recognition: the textbook forms ----------------------------------------------------------------


def _same_polynomial(result: sympy.Expr, expected: sympy.Expr) -> bool:
    """Equal as polynomials in sigma(...), tanh(...): no definitions used, so the result must
    really be written in these terms (not in exponentials)."""
    return sympy.expand(result - expected) == 0


def test_tanh_derivative_is_one_minus_tanh_squared() -> None:
    x = variable("x")
    d = derived("tanh")
    assert _same_polynomial(d.result, 1 - sympy.tanh(x) ** 2)
    assert not d.result.has(sympy.exp, sympy.cosh, sympy.sech)
    assert d.recognition is not None and d.recognition.found
    assert _same_polynomial(d.recognition.form, 1 - sympy.tanh(x) ** 2)


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma() -> None:
    x = variable("x")
    d = derived("sigmoid")
    assert _same_polynomial(d.result, sigma(x) * (1 - sigma(x)))
    assert not d.result.has(sympy.exp)
    assert d.recognition is not None and d.recognition.found
    assert _same_polynomial(d.recognition.form, sigma(x) * (1 - sigma(x)))


def test_softplus_derivative_is_sigma() -> None:
    x = variable("x")
    assert derived("softplus").result == sigma(x)


def test_silu_derivative() -> None:
    x = variable("x")
    d = derived("silu")
    assert proved(d.result, sigma(x) * (1 + x * (1 - sigma(x))), x)
    assert not d.result.has(sympy.exp)


def test_logsigmoid_derivative_is_one_minus_sigma() -> None:
    x = variable("x")
    d = derived("logsigmoid")
    assert _same_polynomial(d.result, 1 - sigma(x))
    assert not d.result.has(sympy.exp, sympy.log)


def test_binary_cross_entropy_gradient_is_sigma_minus_label() -> None:
    z, y = variable("z"), variable("y")
    d = derived("bce")
    assert d.variable == z
    assert _same_polynomial(d.result, sigma(z) - y)
    assert not d.result.has(sympy.exp, sympy.log)


def test_logistic_regression_gradient() -> None:
    w, x, b, y = (variable(name) for name in "wxby")
    d = derive.derive("logistic_regression")
    assert d.variable == w
    assert _same_polynomial(evaluate_arithmetic(d.result), (sigma(w * x + b) - y) * x)
    assert not d.result.has(sympy.exp, sympy.log)


# -- identities ----------------------------------------------------------------------------------


def test_the_documented_identities_are_catalogued() -> None:
    x = variable("x")
    pairs = {name: [identity(x) for identity in lookup(name).identities] for name in NAMES}
    assert (sympy.tanh(x), 2 * sigma(2 * x) - 1) in pairs["tanh"]
    assert (sigma(-x), 1 - sigma(x)) in pairs["sigmoid"]
    assert (softplus(x) - softplus(-x), x) in pairs["softplus"]
    assert WITH_IDENTITIES


@pytest.mark.parametrize(("name", "index"), WITH_IDENTITIES)
def test_identity_is_proved(name: str, index: int) -> None:
    entry = lookup(name)
    x = var(entry)
    left, right = entry.identities[index](x)
    assert proved(left, right, x)


def test_a_false_identity_is_not_proved() -> None:
    x = variable("x")
    assert prove_equal(sympy.tanh(x), 2 * sigma(x) - 1, x).status == "failed"


# -- properties ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_property_is_proved(name: str) -> None:
    properties = derived(name).properties
    assert properties, f"{name} has no properties"
    keys = [p.key for p in properties]
    assert len(keys) == len(set(keys))
    for p in properties:
        assert p.verification.status == "proved", f"{name} {p.key}: {p.verification.method}"
        assert p.verification.method


def test_tanh_derivative_is_largest_at_zero_where_it_is_one() -> None:
    x = variable("x")
    maximum = prop("tanh", "derivative_maximum")
    assert isinstance(maximum.statement.lhs, sympy.Subs)
    assert maximum.statement.lhs.point == (0,)
    assert maximum.statement.lhs.expr == Derivative(sympy.tanh(x), x)
    assert maximum.statement.rhs == 1
    assert prop("tanh", "derivative_bound").statement.rhs == 1
    assert prop("tanh", "derivative_range").statement.args[1] == sympy.Interval.Lopen(0, 1)
    assert derived("tanh").property("vanishing_gradient") is None


def test_sigmoid_derivative_is_at_most_a_quarter() -> None:
    maximum = prop("sigmoid", "derivative_maximum")
    assert maximum.statement.lhs.point == (0,)
    assert maximum.statement.rhs == Rational(1, 4)
    assert prop("sigmoid", "derivative_range").statement.args[1] == sympy.Interval.Lopen(0, Rational(1, 4))
    assert prop("sigmoid", "vanishing_gradient").verification.status == "proved"


@pytest.mark.parametrize("side", ["plus", "minus"])
def test_softsign_saturates_on_both_sides(side: str) -> None:
    limit = prop("softsign", f"derivative_limit_{side}_infinity")
    assert limit.statement.rhs == 0
    assert limit.kind == "saturation"


def test_relu_derivative_tends_to_one_and_zero() -> None:
    right, left = prop("relu", "derivative_limit_plus_infinity"), prop("relu", "derivative_limit_minus_infinity")
    assert right.statement.rhs == 1 and right.kind == "limit"
    assert left.statement.rhs == 0 and left.kind == "saturation"
    assert derived("relu").property("derivative_positive") is None  # 0 on the left


def test_softplus_grows_without_bound() -> None:
    limit = prop("softplus", "limit_plus_infinity")
    assert limit.statement.rhs == oo
    assert prop("softplus", "limit_minus_infinity").statement.rhs == 0


def test_silu_maximum_is_not_claimed() -> None:
    """SiLU' peaks at about 1.0998 near x = 2.4 (no closed form): derive must not state a maximum."""
    keys = {p.key for p in derived("silu").properties}
    assert not keys & {"derivative_maximum", "derivative_bound", "derivative_range", "vanishing_gradient"}


# -- derive list -----------------------------------------------------------------------------------


def test_list_shows_every_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [entry.name for entry in ENTRIES]
    for line, entry in zip(lines, ENTRIES):
        assert entry.summary in line
        assert f"(routes: {', '.join(entry.route_names)})" in line


# -- handouts in every format ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`derive NAME --out FOLDER` (all formats) for every entry, once."""
    folders = {}
    for name in NAMES:
        folder = tmp_path_factory.mktemp(f"handout-{name}")
        assert main([name, "--out", str(folder)]) == 0
        folders[name] = folder
    return folders


@pytest.fixture(scope="module")
def compiled(handouts: dict[str, Path]) -> dict[str, Path | BaseException]:
    """Every LaTeX handout compiled once (in parallel: latexmk runs as separate processes)."""

    def build(name: str) -> Path | BaseException:
        try:
            source = (handouts[name] / f"{name}.tex").read_text(encoding="utf-8")
            return compile_latex(source, artifact_dir(f"catalogue/{name}"), name=name)
        except BaseException as error:  # noqa: BLE001 - re-raised by the test of that entry
            return error

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(NAMES, pool.map(build, NAMES)))


@pytest.mark.parametrize("name", NAMES)
def test_handout_files_are_written(handouts: dict[str, Path], name: str) -> None:
    expected = {f"{name}.tex", f"{name}.md", f"{name}.html"}
    if lookup(name).activation:
        expected.add(f"{name}.svg")
    assert expected <= {path.name for path in handouts[name].iterdir()}
    for path in handouts[name].iterdir():
        assert path.stat().st_size > 0


@pytest.mark.tools
@pytest.mark.parametrize("name", NAMES)
def test_latex_handout_compiles(compiled: dict[str, Path | BaseException], name: str) -> None:
    outcome = compiled[name]
    if isinstance(outcome, BaseException):
        raise outcome
    assert outcome.read_bytes().startswith(b"%PDF")


@pytest.mark.tools
def test_relu_pdf_renders_to_an_image(compiled: dict[str, Path | BaseException]) -> None:
    outcome = compiled["relu"]
    if isinstance(outcome, BaseException):
        raise outcome
    pages = pdf_to_png(outcome, artifact_dir("catalogue") / "relu-pdf", dpi=50)
    assert pages and all(page.read_bytes().startswith(b"\x89PNG") for page in pages)


@pytest.mark.parametrize("name", NAMES)
def test_html_handout_has_no_tex_outside_mathml(handouts: dict[str, Path], name: str) -> None:
    """Static check of every entry's page (the browser check below covers four of them)."""
    page = (handouts[name] / f"{name}.html").read_text(encoding="utf-8")
    assert "<math" in page
    visible = re.sub(r"<math\b.*?</math>", " ", page, flags=re.DOTALL)
    visible = re.sub(r"<(style|script)\b.*?</\1>", " ", visible, flags=re.DOTALL)
    visible = re.sub(r"<[^>]*>", " ", visible)
    assert "$$" not in visible
    assert not re.search(r"\\[A-Za-z]+", visible), re.findall(r".{20}\\[A-Za-z]+.{20}", visible)[:3]
    assert "<script" not in page


@pytest.mark.tools
@pytest.mark.parametrize("name", NAMES)
def test_markdown_handout_parses_with_pandoc(handouts: dict[str, Path], name: str) -> None:
    markdown = (handouts[name] / f"{name}.md").read_text(encoding="utf-8")
    report = pandoc_math(markdown)
    assert report.raw == [], f"raw TeX outside math: {report.raw[:3]}"
    assert report.display_math and report.inline_math
    stray = [s for s in report.strings if re.search(r"\\[A-Za-z]+|\$", s)]
    assert stray == [], f"TeX in the text: {stray[:5]}"


@pytest.mark.tools
@pytest.mark.parametrize("name", HTML_ENTRIES)
def test_html_handout_loads_cleanly_in_chromium(handouts: dict[str, Path], name: str) -> None:
    page = handouts[name] / f"{name}.html"
    report = load_html(page, artifact_dir("catalogue") / f"{name}-html.png")
    assert report.requests == [page.resolve().as_uri()]
    assert report.failed_requests == []
    assert report.external_requests == []
    assert report.console_errors == []
    assert report.page_errors == []
    assert report.mathml_count > 0
    for raw in RAW_TEX:
        assert raw not in report.text, f"raw {raw!r} is visible on the {name} page"
    assert not re.search(r"\\[A-Za-z]+", report.text), "a TeX control word is visible"


# -- worksheets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_worksheets_for_two_students(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    built: list = []
    original = WorksheetBuilder.worksheets

    def recording(self: WorksheetBuilder, students: int | None) -> list:
        sheets = original(self, students)
        built.extend(sheets)
        return sheets

    monkeypatch.setattr(worksheet_module.WorksheetBuilder, "worksheets", recording)
    assert main(["worksheet", name, "--students", "2", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    expected = {
        f"{name}-worksheet-{student:02d}{key}.{extension}"
        for student in (1, 2) for key in ("", "-key") for extension in ("tex", "md", "html")
    }
    assert {Path(path).name for path in printed} == expected
    assert all((tmp_path / file).stat().st_size > 0 for file in expected)
    assert len(built) == 2
    assert built[0].stem != built[1].stem
    signatures = [(tuple(sheet.blanks), tuple(ex.function for ex in sheet.exercises)) for sheet in built]
    assert signatures[0] != signatures[1], "the two students got the same worksheet"
    for sheet in built:
        assert sheet.derivation.proved and sheet.derivation.complete
        assert sheet.exercises
        for exercise in sheet.exercises:
            solution = exercise.derivation
            assert solution.proved and solution.complete, f"{exercise.kind}: {exercise.function}"
            assert solution.identity is not None and solution.identity.status == "proved"
            assert solution.function == exercise.function


@pytest.mark.parametrize("name", ["bce"])
def test_worksheet_uses_the_entrys_variable(name: str) -> None:
    builder = WorksheetBuilder(name)
    assert builder.derivation.variable == var(lookup(name))


# -- derive check --function ----------------------------------------------------------------------

CHECK_LINES = [
    ("softplus", "softplus'(x) = sigma(x)", 0),
    ("softplus", "softplus'(x) = 1 - sigma(x)", 1),
    ("tanh", "tanh'(x) = 1 - tanh(x)^2", 0),
    ("tanh", "tanh'(x) = 1 + tanh(x)^2", 1),
    ("silu", "silu'(x) = sigma(x)*(1 + x*(1 - sigma(x)))", 0),
    ("silu", "silu'(x) = sigma(x)*(1 - sigma(x))", 1),
]


@pytest.mark.parametrize(("function", "line", "code"), CHECK_LINES)
def test_check_with_a_catalogue_function(function: str, line: str, code: int, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    submission = tmp_path / "answer.txt"
    submission.write_text(line + "\n", encoding="utf-8")
    assert main(["check", str(submission), "--function", function, "--format", "json"]) == code
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is (code == 0)
    assert report["function"] == function
    (verdict,) = report["lines"]
    assert verdict["status"] == ("correct" if code == 0 else "wrong")
