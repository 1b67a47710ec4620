"""Property tests for derive.parse: hostile text never escapes as anything but ParseError."""

from __future__ import annotations


import sympy
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from derive.parse.names import letter_name
from derive.errors import InputLimitError, ParseError
from derive.functions import sigma, variable
from derive.parse import Line, as_definition, parse_expression, parse_line

x = variable("x")
f = sympy.Function("f", real=True)

# No deadline: timings are not asserted on a shared machine (a first call builds the grammars).
# The limits make every example end (sizes are refused before any scan); a hang would stall the suite.
FAST = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TOKENS = [
    "x", "e", "pi", "π", "σ", "sigma", r"\sigma", r"\frac", "{", "}", "(", ")", "[", "]",
    "^", "^{", "_", "'", "′", "″", "+", "-", "−", "*", "**", "/", "·", "=", "≈", "~=",
    r"\approx", "d", "dx", "d/dx", r"\left(", r"\right)", r"\left|", r"\right|", r"\left[",
    r"\right]", r"\sqrt", "sqrt", "√", r"\cdot", r"\times", "0.5", "0.7311", "1", "2", "10",
    "1000", "999999999", "exp", r"\exp", "ln", r"\ln", "sin", r"\sin", r"\cosh", "tanh",
    "f", "g", r"\mathrm{d}", r"\mathrm", r"\operatorname{erf}", r"^{\prime}", " ", r"\,",
    "&", r"\\", "%", ".", ",", "²", "⁻¹", r"\dfrac", "|", "y", r"\alpha", r"\pi", "abs",
    r"\lvert", r"\rvert", r"\bigl(", r"\bigr)", "$", "\x00", "\n", "lambda", "__import__",
    r"\text{", r"\text{x}", r"\mbox{", r"\tag{", r"\label{", r"\notag", r"\qquad", r"\checkmark",
    r"\qed", "#", "=>", r"\Rightarrow", r"\implies", "therefore", r"\partial", "sech",
    r"\ln\frac{", r"\frac{d\sigma(", "dsigma(", "^{(2)}", "^(3)", "softplus", "t", r"\theta",
]

token_soup = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)
any_text = st.one_of(st.text(max_size=200), token_soup)
syntaxes = st.sampled_from([None, "latex", "text"])


def _check(text: str, syntax: str | None) -> None:
    for parse in (parse_expression, parse_line, as_definition):
        try:
            result = parse(text, syntax=syntax, functions={"f": f})  # type: ignore[operator]
        except ParseError:
            continue
        if isinstance(result, sympy.Expr):
            assert all(letter_name(symbol.name) for symbol in result.free_symbols)
        elif isinstance(result, Line):
            assert len(result.relations) == len(result.parts) - 1
            for part in result.parts:
                assert part is None or all(letter_name(symbol.name) for symbol in part.free_symbols)


@FAST
@given(any_text, syntaxes)
def test_arbitrary_text_parses_or_raises_parse_error(text: str, syntax: str | None) -> None:
    _check(text, syntax)


@FAST
@given(
    st.sampled_from(
        ["(", "{", "[", "-", "x^", "2^", "sin ", r"\sin ", "e^{", "d/dx ", r"\frac{1}{", "σ(", "'", "x"]
    ),
    st.integers(min_value=1, max_value=2100),
    st.sampled_from(["", "x", ")", "}", "x" + ")" * 60]),
    syntaxes,
)
def test_hostile_sizes_are_refused_quickly(head: str, count: int, tail: str, syntax: str | None) -> None:
    _check(head * count + tail, syntax)


# -- exact round trips for expressions generated with their meaning -------------------------

Pair = tuple[str, str, sympy.Expr]  # (text, latex, expected)

leaves: st.SearchStrategy[Pair] = st.one_of(
    st.just(("x", "x", x)),
    st.just(("e", "e", sympy.E)),
    st.integers(min_value=0, max_value=99).map(lambda n: (str(n), str(n), sympy.Integer(n))),
    st.integers(min_value=0, max_value=9999).map(
        lambda n: (f"0.{n:04d}", f"0.{n:04d}", sympy.Rational(n, 10_000))
    ),
)


def _combine(children: st.SearchStrategy[Pair]) -> st.SearchStrategy[Pair]:
    def binary(pair: tuple[Pair, Pair], op: str) -> Pair:
        (ta, la, a), (tb, lb, b) = pair
        if op == "+":
            return f"({ta})+({tb})", f"\\left({la}\\right)+\\left({lb}\\right)", a + b
        if op == "-":
            return f"({ta})-({tb})", f"({la})-({lb})", a - b
        return f"({ta})*({tb})", f"({la}) \\cdot ({lb})", a * b

    def unary(pair: Pair, op: str) -> Pair:
        t, la, a = pair
        if op == "sigma":
            return f"sigma({t})", f"\\sigma\\left({la}\\right)", sigma(a)
        if op == "exp":
            return f"exp({t})", f"e^{{{la}}}", sympy.exp(a)
        if op == "neg":
            return f"-({t})", f"-\\left({la}\\right)", -a
        if op == "square":
            return f"({t})^2", f"\\left({la}\\right)^{{2}}", a**2
        return f"1/({t})", f"\\frac{{1}}{{{la}}}", 1 / a

    return st.one_of(
        st.builds(binary, st.tuples(children, children), st.sampled_from(["+", "-", "*"])),
        st.builds(unary, children, st.sampled_from(["sigma", "exp", "neg", "square", "inverse"])),
    )


expressions = st.recursive(leaves, _combine, max_leaves=8)


@FAST
@given(expressions)
def test_generated_expressions_round_trip_exactly(pair: Pair) -> None:
    text, latex, expected = pair
    for source, syntax in ((text, "text"), (latex, "latex")):
        try:
            parsed = parse_expression(source, syntax=syntax)  # type: ignore[arg-type]
        except InputLimitError:  # e.g. e^(99*99*99): a legitimate refusal, not a round trip
            reject()
        rebuilt = _evaluated(parsed)
        assert rebuilt == expected, (source, rebuilt, expected)


@FAST
@given(expressions, st.sampled_from([r"\quad \text{chain rule}", r"\tag{1}", r"\qquad\checkmark", r"\text{ so}."]))
def test_a_note_at_the_end_changes_nothing(pair: Pair, note: str) -> None:
    _, latex, _ = pair
    try:
        plain = parse_line(latex, syntax="latex")
    except InputLimitError:
        reject()
    assert parse_line(f"{latex} {note}", syntax="latex") == plain


def _evaluated(expr: sympy.Basic) -> sympy.Basic:
    if not expr.args:
        return expr
    return expr.func(*(_evaluated(arg) for arg in expr.args))
