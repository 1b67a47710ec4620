"""The losses and networks of a deep-learning course (issue 12): every partial derivative derived,
proved and equal to SymPy's; backpropagation shown through the letters; documents in every format.

Each expected gradient below is the textbook one (∂L/∂w = (σ(wx + b) − y)x, ∂L/∂z_i = s_i − y_i,
...); derive has to arrive at it, and SymPy's own derivative of the definition is the second,
independent check.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy

import derive
from derive.cli import main
from derive.differentiate.catalogue import ENTRIES, lookup
from derive.differentiate.networks import softmax_cross_entropy
from derive.functions import expand_definitions, sigma, softmax_inputs, softmax_output, variable
from derive.letters import expand_letters
from derive.printing import to_latex
from derive.verify import prove_equal
from tooling import artifact_dir, compile_latex, load_html, pandoc_math

x, y, w, b, z = (variable(name) for name in "xywbz")
w_1, b_1, w_2, b_2 = (variable(name) for name in ("w_1", "b_1", "w_2", "b_2"))
beta, alpha, lam = variable("beta"), variable("alpha"), variable("lambda")

NETWORKS = [entry.name for entry in ENTRIES if entry.variables or entry.layers or entry.letters
            or entry.name in ("softplus_beta", "elu_alpha", "leaky_relu")]

#: (entry, variable, the textbook result)
GRADIENTS = [
    ("logistic_regression", w, (sigma(w * x + b) - y) * x),
    ("logistic_regression", b, sigma(w * x + b) - y),
    ("mse", w, 2 * (w * x + b - y) * x),
    ("mse", b, 2 * (w * x + b - y)),
    ("mse_sigmoid", w, 2 * (sigma(w * x + b) - y) * sigma(w * x + b) * (1 - sigma(w * x + b)) * x),
    ("two_layer", w_2, (w_2 * sigma(w_1 * x + b_1) + b_2 - y) * sigma(w_1 * x + b_1)),
    ("two_layer", b_2, w_2 * sigma(w_1 * x + b_1) + b_2 - y),
    ("two_layer", w_1, (w_2 * sigma(w_1 * x + b_1) + b_2 - y) * w_2 * sigma(w_1 * x + b_1) * (1 - sigma(w_1 * x + b_1)) * x),
    ("two_layer", b_1, (w_2 * sigma(w_1 * x + b_1) + b_2 - y) * w_2 * sigma(w_1 * x + b_1) * (1 - sigma(w_1 * x + b_1))),
    ("l2", w, (sigma(w * x + b) - y) * x + lam * w),
    ("bce", z, sigma(z) - y),
    ("swish_beta", x, sigma(beta * x) + beta * x * sigma(beta * x) * (1 - sigma(beta * x))),
    ("swish_beta", beta, x**2 * sigma(beta * x) * (1 - sigma(beta * x))),
    ("softplus_beta", x, sigma(beta * x)),
    ("leaky_relu", x, sympy.Piecewise((alpha, x < 0), (1, x > 0))),
    ("elu_alpha", x, sympy.Piecewise((alpha * sympy.exp(x), x < 0), (1, x > 0))),
]


@pytest.mark.parametrize(("name", "wrt", "expected"), GRADIENTS, ids=[f"{g[0]}-{g[1]}" for g in GRADIENTS])
def test_each_partial_derivative_is_proved_and_the_textbook_one(name: str, wrt: sympy.Symbol, expected: sympy.Expr) -> None:
    d = derive.derive(name, variable=wrt)
    assert d.proved and d.complete, [(s.rule, s.verification.method) for s in d.steps if not s.proved]
    definition = expand_definitions(lookup(name).definition(wrt))
    result = expand_letters(d.result, d.letters, wrt) if d.letters else d.result
    assert prove_equal(result, expected, wrt).status == "proved"
    assert prove_equal(sympy.diff(definition, wrt), expected, wrt).status == "proved"


@pytest.mark.parametrize("index", [1, 2, 3])
def test_softmax_cross_entropy_gives_s_i_minus_y_i(index: int) -> None:
    zs = softmax_inputs(3)
    d = derive.derive("softmax_cross_entropy", variable=zs[index - 1])
    assert d.proved and sympy.expand(d.result - (softmax_output(index, zs) - variable(f"y_{index}"))) == 0
    # the labels sum to 1: the derivation is written with y_3 and proved with y_3 = 1 - y_1 - y_2
    assert d.letters and str(d.letters[0][0]) == "y_3"
    loss, written = softmax_cross_entropy()
    assert loss.has(variable("y_3")) and not written.has(variable("y_3"))


def test_logistic_regression_is_worked_by_backpropagation() -> None:
    d = derive.derive("logistic_regression", variable=w)
    rules = [step.rule for step in d.steps]
    assert rules[:3] == ["backprop_form", "backprop", "local_derivatives"]
    assert d.route == "backprop" and [str(letter) for letter, _, _ in d.letters] == ["z", "a"]
    local = d.steps[1].substeps
    assert [str(step.detail("variable")) for step in local] == ["a", "z", "w"]
    assert local[-1].after == x  # dz/dw = x: the factor a student forgets
    backprop_form = [step for step in d.steps if step.rule == "cancel"][0]
    assert sympy.simplify(backprop_form.after - (variable("a") - y) * x) == 0  # (a - y)x, in the letters
    # holding b constant is said on the step it joins (standard detail folds it, as the derivative of a constant)
    held = [sub for step in local for sub in step.substeps if "Hold b constant" in sub.annotation.plain()]
    assert held and all(sub.rule != "hold_constant" for step in local for sub in step.substeps)


def test_a_local_derivative_equal_to_one_is_no_factor() -> None:
    """∂L/∂b of the two-layer network ended at "... σ(w_1 x + b_1) · 1" (∂z/∂b_1 = 1 put in)."""
    for wrt in ("b_1", "b_2"):
        d = derive.derive("two_layer", variable=variable(wrt))
        put_in = next(step for step in d.steps if step.rule == "local_derivatives")
        assert d.proved and sympy.S.One not in put_in.after.args, put_in.after
        assert not to_latex(d.result).endswith(r"\cdot 1")


def test_the_power_rule_writes_2u_not_2u_to_the_first() -> None:
    """The two-layer handout's outer function read "∂/∂u (u²) = 2u¹"."""
    d = derive.derive(sympy.sin(x) ** 2)
    assert d.proved and d.steps[0].substeps[0].annotation.plain() == "Outer function: d/du(u^2) = 2*u."


def test_the_gradient_has_every_variable() -> None:
    g = derive.gradient("two_layer")
    assert [str(v) for v in g.variables] == ["w_1", "b_1", "w_2", "b_2"] and g.proved


def test_a_variable_that_reaches_the_loss_twice_falls_back_on_the_rules() -> None:
    # L2: w reaches L through z = wx + b and directly through (lambda/2) w^2
    d = derive.derive("l2", variable=w)
    assert d.route == "rules" and d.proved


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folders = {}
    for name in ("logistic_regression", "two_layer", "softmax_cross_entropy", "swish_beta"):
        folder = tmp_path_factory.mktemp(name)
        assert main([name, "--out", str(folder)]) == 0
        folders[name] = folder
    return folders


@pytest.mark.tools
@pytest.mark.parametrize("name", ["logistic_regression", "two_layer", "softmax_cross_entropy", "swish_beta"])
def test_gradient_documents_compile_and_load(documents: dict[str, Path], name: str) -> None:
    folder = documents[name]
    tex = (folder / f"{name}.tex").read_text(encoding="utf-8")
    assert "\\partial" in tex
    compile_latex(tex, artifact_dir(f"networks/{name}"), name=name)
    markdown = pandoc_math((folder / f"{name}.md").read_text(encoding="utf-8"))
    assert markdown.math and not markdown.raw
    page = load_html(folder / f"{name}.html", artifact_dir(f"networks/{name}") / "page.png")
    assert not page.external_requests and not page.console_errors and not page.page_errors and page.mathml_count > 5


def test_the_gradient_is_a_column_vector(documents: dict[str, Path]) -> None:
    tex = (documents["logistic_regression"] / "logistic_regression.tex").read_text(encoding="utf-8")
    assert "\\section*{The gradient}" in tex and ("\\begin{matrix}" in tex or "\\begin{pmatrix}" in tex)


@pytest.mark.parametrize(("arguments", "fragment"), [
    (["diff", "x*y^2 + sin(x*y)", "--var", "y", "--format", "text"], "∂/∂y(x*y^2 + sin(x*y))"),
    (["diff", "a*x^2", "--format", "text"], "∂/∂x(a*x^2)"),
    (["diff", "w^2*b", "--var", "w,b", "--format", "text"], "∂/∂b(w^2*b)"),
    (["diff", "w^2*b", "--var", "w,b", "--order", "2", "--format", "text"], "∂^2/∂b∂w(w^2*b) = 2*w"),
    (["diff", "sin(x)", "--order", "3", "--format", "text"], "= -cos(x)"),
])
def test_diff_with_parameters_and_several_variables(arguments: list[str], fragment: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(arguments) == 0
    assert fragment in capsys.readouterr().out


def test_diff_without_a_variable_among_several_letters_says_what_to_write(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "a*b"]) == 2
    assert capsys.readouterr().err.strip() == (
        "derive: error: the expression has the letters a, b: name the variable with --var "
        "(--var a, or --var a,b for every partial derivative)")


def test_the_users_own_symbols_are_the_variable() -> None:
    # issue 9: x = Symbol("x") (no assumptions), as every SymPy user writes it
    user_x = sympy.Symbol("x")
    for d in (derive.derive(user_x**2 * sympy.sin(user_x)), derive.derive(user_x**2 * sympy.sin(user_x), variable=user_x)):
        # The result comes back in the user's own symbol; proved equal to sympy.diff's.
        assert d.result.free_symbols == {user_x}
        assert d.proved and prove_equal(d.result.subs(user_x, x), 2 * x * sympy.sin(x) + x**2 * sympy.cos(x), x).status == "proved"
    t = sympy.Symbol("t", positive=True)
    assert prove_equal(derive.derive(t**3, variable=t).result.subs(t, variable("t")), 3 * variable("t") ** 2,
                       variable("t")).status == "proved"


def test_softplus_beta_ends_at_the_sigmoid_of_beta_x() -> None:
    # issue 12: softplus with beta (-> sigma(beta x)), recognised by a named, proved step
    d = derive.derive("softplus_beta")
    beta = variable("beta")
    assert d.proved and d.result == sigma(beta * x)
    assert d.steps[-1].rule == "recognise_sigma"
