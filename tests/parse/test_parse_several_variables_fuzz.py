"""Property tests for the notation of several variables (issue 12): letters with subscripts,
Greek letters and accents, the forms of ∂, definitions L(w,b) = …, substitutions z = wx + b and
adjacent letters. Whatever is combined, every entry point of the parser returns its result or
raises derive's own error (a ParseError, an InputError) with a one-line message; nothing else
escapes, and a result stays inside the documented bounds (letters, nodes, depth).

As in test_parse_fuzz.py: no deadline (timings are not asserted on a shared machine); the limits
make every example end, a hang would stall the suite.
"""

from __future__ import annotations

import pytest
import sympy
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from derive.errors import DeriveError, InputLimitError, ParseError
from derive.functions import variable
from derive.parse import Definition, Line, as_definition, as_substitution, parse_expression, parse_line
from derive.parse.limits import MAX_DEPTH, MAX_LETTERS, MAX_NODES
from derive.parse.names import letter_name
from parse_helpers import evaluated

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Letters a course writes, as (LaTeX, plain text, SymPy name): never e, d, i, f, g, h or π,
#: which mean something else or name functions.
PLAIN_LETTERS = "abcklmnpqrstuvwxyz"
GREEK = ["alpha", "beta", "gamma", "theta", "lambda", "mu", "eta", "tau"]
SUBSCRIPTS = ["1", "2", "0", "i", "j", "k", "12", "out"]


def _letter(base: str, greek: bool, subscript: str | None, hat: bool) -> tuple[str, str, str]:
    """(LaTeX, plain text, name) of a letter: ``\\hat{\\beta}_{12}``, ``betahat_{12}``, ``betahat_12``."""
    latex = f"\\{base}" if greek else base
    name = base
    if hat:
        latex, name = f"\\hat{{{latex}}}", f"{base}hat"
    plain = name
    if subscript is not None:
        latex += f"_{{{subscript}}}"
        plain += f"_{subscript}" if len(subscript) == 1 else f"_{{{subscript}}}"
        name += f"_{subscript}"
    return latex, plain, name


bases = st.one_of(st.sampled_from(PLAIN_LETTERS).map(lambda base: (base, False)),
                  st.sampled_from(GREEK).map(lambda base: (base, True)))
letters = st.builds(lambda base, subscript, hat: _letter(base[0], base[1], subscript, hat),
                    bases, st.none() | st.sampled_from(SUBSCRIPTS), st.booleans())

# Pieces of the notation, for a soup that is mostly almost right.
NOTATION = [
    "w", "x", "b", "y", "z", "a", "L", "w_1", "w_{12}", "x_i", "b_{out}", r"\beta", "β", "beta", r"\hat{y}", "ŷ",
    r"\theta_1", r"\sigma", "sigma", r"\frac{\partial L}{\partial w}", r"\frac{\partial}{\partial w}", r"\partial_w",
    r"\partial_{w_1}", r"\partial_{\theta_1}", "∂L/∂w", "∂", r"\partial", r"\partial L/\partial w", "dL/dw", "d/dw",
    r"\nabla_{w}", "L(w,b)", "L(w, b) =", "z =", "a = ", "=", ":=", "Let ", r"\text{where } ", "(", ")", "{", "}",
    r"\left(", r"\right)", "^", "^{2}", "_", "_{", "+", "-", "*", " ", "wx", "akx^2", "a(1-a)", "f(x)", "f(x) =",
    r"\ln", r"\ln(1-a)", "e^{-z}", r"\cdot", ",", "1", "2", "0.5", "'", r"\frac{", "}{", "_{w_{", "}}", "\\",
]

soup = st.lists(st.sampled_from(NOTATION), max_size=40).map("".join)
syntaxes = st.sampled_from([None, "latex", "text"])
vocabulary = st.fixed_dictionaries({
    "variable": st.sampled_from(["x", "w", "z", "w_1", "beta"]),
    "substituted": st.sets(st.sampled_from(["z", "a", "L", "h", "s"]), max_size=3),
})


def _within_bounds(expr: sympy.Basic) -> None:
    letters_used = {symbol.name for symbol in expr.free_symbols}
    assert all(letter_name(name) for name in letters_used), letters_used
    assert len(letters_used) <= MAX_LETTERS
    nodes, stack = 0, [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        assert depth <= MAX_DEPTH + 5 and nodes <= 4 * MAX_NODES  # a little room: the builder adds wrappers
        stack.extend((arg, depth + 1) for arg in node.args)


def _read_everywhere(text: str, syntax: str | None, variable: str, substituted: set[str]) -> None:
    """Every entry point on ``text``: a result inside the bounds, or derive's own one-line error."""
    entries = (
        lambda: parse_expression(text, syntax=syntax, variable=variable, substituted=substituted),
        lambda: parse_line(text, syntax=syntax, variable=variable, substituted=substituted),
        lambda: as_definition(text, syntax=syntax, variable=variable, substituted=substituted),
        lambda: as_substitution(text, syntax=syntax, variable=variable, substituted=substituted,
                                taken=substituted | {"y"}),
    )
    for entry in entries:
        try:
            result = entry()
        except DeriveError as error:
            message = str(error)
            assert message and "\n" not in message and "Traceback" not in message, message
            continue
        if isinstance(result, sympy.Basic):
            _within_bounds(result)
        elif isinstance(result, Line):
            assert len(result.relations) == len(result.parts) - 1
            for part in result.parts:
                if part is not None:
                    _within_bounds(part)
        elif isinstance(result, Definition):
            _within_bounds(result.body)
        else:
            assert result is None


@FAST
@given(soup, syntaxes, vocabulary)
def test_the_notation_soup_reads_or_gives_one_line(text: str, syntax: str | None, names: dict) -> None:
    _read_everywhere(text, syntax, names["variable"], set(names["substituted"]))


@FAST
@given(st.lists(letters, min_size=1, max_size=12), st.sampled_from(["latex", "text"]))
def test_adjacent_letters_multiply_in_latex_and_need_a_sign_in_text(chosen: list, syntax: str) -> None:
    """``w_1 \\beta \\hat{y}`` is the product of its letters in LaTeX; plain text writes ``*``."""
    if syntax == "latex":
        text = " ".join(latex for latex, _, _ in chosen)
    else:
        text = "*".join(plain for _, plain, _ in chosen)
    expected = sympy.Mul(*(variable(name) for _, _, name in chosen))
    assert evaluated(parse_expression(text, syntax=syntax)) == expected  # type: ignore[arg-type]


@FAST
@given(st.lists(letters, min_size=1, max_size=6, unique=True), st.data())
def test_every_form_of_the_partial_derivative_reads_the_same(chosen: list, data: st.DataObject) -> None:
    """∂/∂v of a sum of products, written in each form a course uses: the same Derivative."""
    latex_body = " + ".join(f"{latex} {other}" for (latex, _, _), (other, _, _) in zip(chosen, reversed(chosen)))
    plain_body = " + ".join(f"{plain}*{other}" for (_, plain, _), (_, other, _) in zip(chosen, reversed(chosen)))
    latex_v, plain_v, name = data.draw(st.sampled_from(chosen))
    forms = [
        (rf"\frac{{\partial}}{{\partial {latex_v}}}\left({latex_body}\right)", "latex"),
        (rf"\partial/\partial {latex_v} \left({latex_body}\right)", "latex"),
        (f"∂/∂{plain_v} ({plain_body})", "text"),
    ]
    forms.append((rf"\partial_{{{latex_v}}} \left({latex_body}\right)", "latex"))  # \partial_{\hat{y}} too
    expected = None
    for text, syntax in forms:
        try:
            parsed = parse_expression(text, syntax=syntax, variable=name)  # type: ignore[arg-type]
        except InputLimitError:
            reject()
        assert isinstance(parsed, sympy.Derivative) and parsed.variables == (variable(name),), (text, parsed)
        if expected is None:
            expected = parsed
        assert sympy.simplify(parsed.doit() - expected.doit()) == 0, (text, parsed, expected)


@FAST
@given(st.lists(letters, min_size=2, max_size=5, unique=True), st.sampled_from(["latex", "text"]))
def test_definitions_and_substitutions_in_several_letters_are_read(chosen: list, syntax: str) -> None:
    """``L(w, b) = …`` defines a function of its letters; ``z = …`` (a letter's first use as a
    whole left side) stands for its expression; ``z = z + 1`` refers to itself and is no substitution."""
    (target_latex, target_plain, target), *rest = chosen
    parameters = ", ".join((latex if syntax == "latex" else plain) for latex, plain, _ in rest)
    body = " + ".join((latex if syntax == "latex" else plain) for latex, plain, _ in rest)
    definition = as_definition(f"L({parameters}) = {body}", syntax=syntax)  # type: ignore[arg-type]
    assert definition is not None and definition.name == "L"
    assert [symbol.name for symbol in definition.parameters] == [name for _, _, name in rest]
    shown = target_latex if syntax == "latex" else target_plain
    substitution = as_substitution(f"{shown} = {body}", syntax=syntax, variable=rest[0][2])  # type: ignore[arg-type]
    if target == rest[0][2]:  # the variable itself is never substituted
        assert substitution is None
    else:
        assert substitution is not None and substitution.name == target
        assert evaluated(substitution.body) == sympy.Add(*(variable(name) for _, _, name in rest))
    if target == rest[0][2]:
        return
    with pytest.raises(ParseError) as itself:
        as_substitution(f"{shown} = {shown} + 1", syntax=syntax, variable=rest[0][2])  # type: ignore[arg-type]
    assert str(itself.value).startswith(f"'{target}' cannot stand for an expression that contains '{target}' itself")
