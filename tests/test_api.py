"""The Python API as the README shows it, used the way a SymPy user uses it.

* A user's own symbols work whatever their assumptions (bug fixed: ``Symbol("x")`` was not
  derive's real x, so x**2*sin(x) was "a constant" and its derivative 0, marked proved), and the
  derivation comes back in those symbols.
* Every public name of ``derive`` stays what it is after every submodule is imported (bug fixed:
  ``derive.render`` became a module after its first call), and the submodules are reachable as
  attributes (``derive.functions.sigma`` after ``import derive``).
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types

import pytest
import sympy

import derive
from derive.errors import DeriveError
from derive.printing import to_text

PLAIN_X = sympy.Symbol("x")
REAL_X = sympy.Symbol("x", real=True)
POSITIVE_T = sympy.Symbol("t", positive=True)
SYMPIFIED = sympy.sympify("x**2*sin(x)")

#: (expression, its variable as the user holds it)
USERS = [
    (PLAIN_X**2 * sympy.sin(PLAIN_X), PLAIN_X),
    (REAL_X**2 * sympy.sin(REAL_X), REAL_X),
    (POSITIVE_T**2 * sympy.sin(POSITIVE_T), POSITIVE_T),
    (SYMPIFIED, next(iter(SYMPIFIED.free_symbols))),
]
IDS = ["Symbol('x')", "Symbol('x', real=True)", "Symbol('t', positive=True)", "sympify('x**2*sin(x)')"]


@pytest.mark.parametrize("named", [False, True], ids=["variable found", "variable=x"])
@pytest.mark.parametrize(("expr", "variable"), USERS, ids=IDS)
def test_a_users_own_symbols_are_the_variable(expr: sympy.Expr, variable: sympy.Symbol, named: bool) -> None:
    d = derive.derive(expr, variable=variable) if named else derive.derive(expr)
    assert d.result != 0
    assert sympy.simplify(d.result - sympy.diff(expr, variable)) == 0
    assert d.proved and d.complete
    # given back in the user's own symbols: their x substitutes into it
    assert d.variable == variable
    assert d.result.free_symbols == {variable}
    assert d.function == expr
    assert d.steps[0].before == sympy.Derivative(expr, variable)
    assert d.result.subs(variable, sympy.pi) == -sympy.pi**2


@pytest.mark.parametrize(("expr", "variable"), USERS, ids=IDS)
def test_the_variable_may_be_named_by_its_name(expr: sympy.Expr, variable: sympy.Symbol) -> None:
    d = derive.derive(expr, variable=variable.name)
    assert d.variable == variable and sympy.simplify(d.result - sympy.diff(expr, variable)) == 0


def test_a_symbol_with_the_same_name_but_other_assumptions_means_the_same_variable() -> None:
    d = derive.derive(PLAIN_X**3, variable=REAL_X)
    assert d.result.free_symbols == {PLAIN_X}
    assert d.result.equals(3 * PLAIN_X**2)


@pytest.mark.parametrize("output_format", ["text", "latex", "markdown", "html"])
def test_a_derivation_in_the_users_symbols_renders_as_in_derives_own(output_format: str) -> None:
    for text in ("x**2*sin(x)", "Abs(x)", "x*Abs(x) + exp(-x**2)", "log(x)"):
        yours = derive.derive(sympy.sympify(text))
        ours = derive.derive(sympy.sympify(text).xreplace({PLAIN_X: REAL_X}))
        assert derive.render(yours, output_format) == derive.render(ours, output_format), text


def test_parameters_stay_the_users_symbols() -> None:
    a, y = sympy.symbols("a y")
    d = derive.derive(a * sympy.exp(y * PLAIN_X), variable=PLAIN_X)
    assert d.result.free_symbols == {a, y, PLAIN_X}
    assert sympy.simplify(d.result - a * y * sympy.exp(y * PLAIN_X)) == 0


def test_a_catalogue_function_in_the_users_variable() -> None:
    t = sympy.Symbol("t")
    d = derive.derive("sigmoid", variable=t)
    assert d.variable == t and d.result.free_symbols == {t}
    assert to_text(d.result) == "sigma(t)*(1 - sigma(t))"


def test_several_symbols_need_a_named_variable() -> None:
    a, b = sympy.symbols("a b")
    with pytest.raises(DeriveError, match=r"several symbols \(a, b\): say which one is the variable"):
        derive.derive(a * b)
    assert derive.derive(a * b, variable=b).result == a
    assert derive.derive(a * PLAIN_X).result == a  # the one called x, as the README says


def test_two_symbols_of_one_name_are_refused() -> None:
    with pytest.raises(DeriveError, match="two different symbols called x"):
        derive.derive(PLAIN_X + REAL_X**2)


def test_a_constant_and_a_number() -> None:
    assert derive.derive(sympy.Integer(3)).result == 0
    assert derive.derive(3).result == 0
    with pytest.raises(DeriveError):
        derive.derive(["x"])  # type: ignore[arg-type]


def test_the_returned_derivation_keeps_the_written_form() -> None:
    """Mapping the symbols back does not evaluate the steps (2*x**1 stays as written)."""
    ours = derive.derive(REAL_X**2 * sympy.sin(REAL_X))
    yours = derive.derive(PLAIN_X**2 * sympy.sin(PLAIN_X))
    assert [sympy.srepr(step.after).replace("x', real=True", "x'") for step in ours.steps] == [
        sympy.srepr(step.after) for step in yours.steps
    ]


# --- public names ---------------------------------------------------------------------------------


def _import_every_submodule() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(derive.__path__, prefix="derive."):
        if info.name == "derive.__main__":
            continue  # the program itself: importing it runs it
        importlib.import_module(info.name)
        names.append(info.name)
    return names


def test_every_public_name_stays_what_it_is_after_every_submodule_is_imported() -> None:
    modules = _import_every_submodule()
    assert "derive.renderer" in modules and "derive.checker" in modules
    for name in derive.__all__:
        value = getattr(derive, name)
        assert not isinstance(value, types.ModuleType), f"derive.{name} is a module"
        assert callable(value), name
    for _ in range(2):
        d = derive.derive("sigmoid")
        assert isinstance(d, derive.Derivation) and d.proved
        assert derive.render(d, "text").startswith("sigma'(x)")
        report = derive.check("sigma'(x) = sigma(x)*(1 - sigma(x))")
        assert isinstance(report, derive.Report) and report.valid
    assert derive.Step.__name__ == "Step"


def test_no_submodule_is_named_like_a_public_name() -> None:
    submodules = {info.name.split(".")[-1] for info in pkgutil.iter_modules(derive.__path__)}
    assert not submodules & set(derive.__all__)


def _fresh(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)


def test_submodules_are_attributes_after_import_derive() -> None:
    """The README's way to read derive's JSON back, in a fresh interpreter."""
    result = _fresh(
        "import derive, sympy\n"
        "expr = sympy.sympify('sigma(x)*(1 - sigma(x))', locals={'sigma': derive.functions.sigma})\n"
        "print(sorted({type(f).__module__ for f in expr.atoms(sympy.Function)}), derive.render is derive.render,"
        " callable(derive.check))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["['derive.functions']", "True", "True"]


def test_render_and_check_work_twice_in_a_fresh_interpreter() -> None:
    result = _fresh(
        "import derive\n"
        "d = derive.derive('sigmoid')\n"
        "for _ in range(2):\n"
        "    assert derive.render(d, 'text')\n"
        "    assert derive.check(\"sigma'(x) = sigma(x)*(1-sigma(x))\").valid\n"
        "print('ok')"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_unknown_attributes_are_still_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        derive.no_such_thing  # noqa: B018
    assert {"derive", "render", "check", "Derivation", "Report"} <= set(dir(derive))


def test_a_gradient_in_the_users_symbols() -> None:
    w, b = sympy.symbols("w b")
    g = derive.gradient(w**2 * sympy.exp(b))
    assert g.variables == (b, w) and g.proved
    assert [d.result.subs({w: 1, b: 0}) for d in g.derivations] == [1, 2]
    assert repr(g) == "<Gradient f in b, w: 2 derivations, proved>"


def test_a_gradients_letters_come_in_reading_order() -> None:
    """w_2 before w_10 (subscripts compare as numbers), as a course lists the weights."""
    w2, w10, w1, b = sympy.symbols("w_2 w_10 w_1 b")
    g = derive.gradient(w10 * w2 + w1 * b)
    assert g.variables == (b, w1, w2, w10) and g.proved


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softsign"])
def test_with_properties_adds_what_derive_with_properties_gives(name: str) -> None:
    """write_handout proves the properties after the steps (its helper draws the graph meanwhile):
    the two calls give the derivation one call gives, at any level of detail."""
    from derive.api import with_properties

    for detail in ("brief", "full"):
        assert with_properties(derive.derive(name, detail=detail)) == derive.derive(name, properties=True, detail=detail)
