"""Line breaks for long formulas: where TeX may break a formula, and where a display breaks it.

TeX breaks inline mathematics only at the top level of a formula, after a relation or a binary
operator; everything inside ``\\left( ... \\right)`` or braces is one unbreakable box. A long
derivative such as ``\\frac{1}{2} \\cdot \\left(A + B\\right)`` therefore runs off the page.
:func:`breakable` writes the outer ``\\left``/``\\right`` pairs of a long formula as sized
delimiters (``\\biggl( ... \\biggr)``) that do not group, so that TeX can break between the
terms inside them; :func:`display_lines` cuts a long formula into lines at its top-level
operators, for displays (``align*``) where TeX does not break by itself.

Both work on the LaTeX string the printer wrote (never on anyone's text) and keep its tokens:
only delimiters change size and lines are cut between tokens.

>>> breakable(r"\\left(a\\right)")
'\\\\left(a\\\\right)'
>>> display_lines(r"a + b + c", width=30)
['a + b', '+ c']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

#: How wide (in points, 11 pt type) a formula may print before it is made breakable: a little
#: less than a step's line in a handout.
INLINE_WIDTH = 330

_TOKEN = re.compile(
    r"\\left\s*(?:\\[{}|]|\\[A-Za-z]+|.)"
    r"|\\right\s*(?:\\[{}|]|\\[A-Za-z]+|.)"
    r"|\\[A-Za-z]+\s*|\\.|[{}]|\s+|[^\\{}\s]",
    re.DOTALL,
)
#: Commands that print no glyph of their own (spacing, fonts, structure).
_SILENT = {r"\displaystyle", r"\textstyle", r"\operatorname", r"\mathrm", r"\mathbf", r"\mathit", r"\text",
           r"\left", r"\right", r"\nonumber", r"\quad", r"\qquad", r"\,", r"\;", r"\!", r"\ "}
#: Commands whose glyph is a word (tanh, ln) rather than one letter.
_WORD = re.compile(r"\\(arc)?(sin|cos|tan|cot|sec|csc)h?|\\(ln|log|exp|max|min|erf|lim|det)")
_BINARY = {"+", "-", r"\cdot", r"\times", "=", r"\leq", r"\geq", "<", ">", r"\approx", r"\to"}
_SIZES = ("", r"\big", r"\bigg", r"\Bigg")
#: A parenthesis as :func:`_flatten` writes it (sized or plain), opening and closing.
_OPENING = re.compile(r"\\[bB]igg?l.|\\[bB]igg?l\\\{|[(\[]")
_CLOSING = re.compile(r"\\[bB]igg?r.|\\[bB]igg?r\\\}|[)\]]")


@dataclass(eq=False)
class _Group:
    """``\\left<open> ... \\right<close>``, or a brace group ``{ ... }`` (``open == "{"``).

    A group is complete once :func:`_parse` has closed it and is never changed after: its width
    and height are computed once (a line being filled is measured again at every operator)."""

    open: str
    items: list[_Group | str] = field(default_factory=list)
    close: str = ""
    _measured: tuple[float, int] | None = field(default=None, repr=False)

    def width(self) -> float:
        return self._measure()[0]

    def height(self) -> int:
        return self._measure()[1]

    def _measure(self) -> tuple[float, int]:
        if self._measured is None:
            self._measured = (_width(self.items), _height(self.items))
        return self._measured


def _parse(latex: str) -> list[_Group | str]:
    root = _Group(open="")
    stack = [root]
    for match in _TOKEN.finditer(latex):
        token = match.group(0)
        if token == "{" or token.startswith(r"\left"):
            group = _Group(open=token)
            stack[-1].items.append(group)
            stack.append(group)
        elif (token == "}" or token.startswith(r"\right")) and len(stack) > 1:
            stack[-1].close = token
            stack.pop()
        else:
            stack[-1].items.append(token)
    while len(stack) > 1:  # unbalanced input: keep it as it was written
        stack.pop()
    return root.items


def _write(items: list[_Group | str]) -> str:
    return "".join(item if isinstance(item, str) else item.open + _write(item.items) + item.close for item in items)


def _width(items: list[_Group | str]) -> float:
    """A rough width in points at 11 pt, display style: fractions as wide as their wider part,
    scripts smaller, operators with their spaces."""
    rows = _rows(items)
    if len(rows) > 1:  # an environment's rows (a stacked numerator): as wide as the widest
        return max(_width(row) for row in rows)
    total = 0.0
    index = 0
    while index < len(items):
        item = items[index]
        token = item.strip() if isinstance(item, str) else ""
        if token in (r"\begin", r"\end"):
            index += 2  # the environment's name prints nothing
            continue
        if isinstance(item, _Group):
            total += item.width() + (0 if item.open == "{" else 2 * (4.3 + 1.5 * item.height()))
        elif token == r"\frac" and index + 2 < len(items):
            parts = [part for part in items[index + 1:index + 3] if isinstance(part, _Group)]
            total += max((part.width() for part in parts), default=6) + 2
            index += 2
        elif token in ("^", "_") and index + 1 < len(items):
            following = items[index + 1]
            total += 0.7 * (following.width() if isinstance(following, _Group) else 6)
            index += 1
        elif token == r"\sqrt":
            total += 9
        elif not token or token in _SILENT or token == "&":
            pass
        elif token in _BINARY:
            total += 9 if token == r"\cdot" else 15
        elif _WORD.fullmatch(token):
            total += 6.2 * (len(token) - 1) + 2
        elif token.isdigit():
            total += 6.2
        else:
            total += 7
        index += 1
    return total


def _rows(items: list[_Group | str]) -> list[list[_Group | str]]:
    rows: list[list[_Group | str]] = [[]]
    for item in items:
        if isinstance(item, str) and item.strip() == "\\\\":
            rows.append([])
        else:
            rows[-1].append(item)
    return rows


def _stack_numerators(items: list[_Group | str], width: float) -> list[_Group | str]:
    """Every fraction whose numerator is wider than ``width`` with its numerator stacked on
    several lines (an ``aligned`` block, amsmath only), cut before its top-level operators."""
    stacked: list[_Group | str] = []
    index = 0
    while index < len(items):
        item = items[index]
        parts = items[index + 1:index + 3]
        if (isinstance(item, str) and item.strip() == r"\frac" and len(parts) == 2
                and all(isinstance(part, _Group) for part in parts) and parts[0].width() > width):
            numerator, denominator = parts
            lines = display_lines(_write(numerator.items), width=width)  # type: ignore[union-attr]
            if len(lines) > 1:
                block = r"\begin{aligned}&" + r" \\ &\qquad ".join(lines) + r"\end{aligned}"
                numerator = _Group(open="{", items=_parse(block), close="}")
            stacked += [item, numerator, denominator]
            index += 3
            continue
        stacked.append(item)
        index += 1
    return stacked


def _height(items: list[_Group | str]) -> int:
    """0 plain, 1 scripts or roots, 2 a fraction, 3 a fraction inside a fraction."""
    height = 0
    for index, item in enumerate(items):
        if isinstance(item, _Group):
            height = max(height, item.height())
        elif item.strip() == r"\frac":
            parts = [part for part in items[index + 1:index + 3] if isinstance(part, _Group)]
            inner = max((part.height() for part in parts), default=0)
            height = max(height, 3 if inner >= 2 else 2)
        elif item.strip() in ("^", "_", r"\sqrt", r"\sum"):
            height = max(height, 1)
    return height


def _flatten(items: list[_Group | str], levels: int, min_width: float = 0) -> list[_Group | str]:
    """The items with their outer ``levels`` of ``\\left``/``\\right`` pairs as sized delimiters;
    a pair narrower than ``min_width`` stays one box (a line is never cut inside (1 - y))."""
    if levels == 0:
        return items
    flat: list[_Group | str] = []
    for item in items:
        if isinstance(item, _Group) and item.open.startswith(r"\left") and item.width() >= min_width:
            size = _SIZES[item.height()]
            opening, closing = item.open.removeprefix(r"\left").strip(), item.close.removeprefix(r"\right").strip()
            flat.append(f"{size}l{opening}" if size and opening != "." else opening.replace(".", ""))
            flat.extend(_flatten(item.items, levels - 1, min_width))
            flat.append(f"{size}r{closing}" if size and closing != "." else closing.replace(".", ""))
        else:
            flat.append(item)
    return flat


@lru_cache(maxsize=8192)
def estimated_width(latex: str) -> float:
    """About how wide ``latex`` prints, in points at 11 pt (see :data:`INLINE_WIDTH`).

    This and the functions below are pure functions of the printer's strings, remembered: a
    document asks them about the same formula once per format and once per appearance."""
    return _width(_parse(latex))


@lru_cache(maxsize=8192)
def breakable(latex: str, *, width: float = INLINE_WIDTH) -> str:
    """``latex`` unchanged if it is short; else with its two outer levels of ``\\left``/``\\right``
    written as sized delimiters, so that TeX can break the formula between the terms inside.
    """
    items = _parse(latex)
    if _width(items) <= width:
        return latex
    return _write(_stack_numerators(_flatten(items, 2), width))


def display_lines(latex: str, *, width: float = INLINE_WIDTH, stack: bool = True, keep_short: bool = False) -> list[str]:
    """``latex`` cut into lines of at most about ``width`` points, each cut before a
    top-level operator (``+``, ``-``, ``\\cdot``, ``=``; inside parentheses too, never inside an
    environment such as ``cases``), for a display that TeX does not break.
    A formula that fits, or has no operator to cut at, is one line. ``stack``: a fraction whose
    numerator is still too wide gets its numerator stacked (LaTeX; MathML pieces are not).
    ``keep_short``: a parenthesis narrower than half a line is never cut inside ((1 - y) stays
    whole), for pieces that wrap on a screen; a display cut for print may cut anywhere it must.
    """
    return list(_display_lines(latex, width, stack, keep_short))


@lru_cache(maxsize=8192)
def _display_lines(latex: str, width: float, stack: bool, keep_short: bool) -> tuple[str, ...]:
    items = _parse(latex)
    if _width(items) <= width:
        return (latex,)
    items = _flatten(items, 2, min_width=width / 2 if keep_short else 0)
    lines: list[list[_Group | str]] = [[]]
    #: for each operator of the line being filled, where it stands in the line and how tightly it
    #: binds (how deep in parentheses, and a product tighter than a sum): a cut goes before the
    #: loosest one that leaves a fair share of the line ("a · (1 − b)" is cut before "·", never as
    #: "a · (1" and "− b)"; "1 + t + x · u" before "+ x · u", not inside the product)
    operators: list[tuple[int, int]] = []
    depth = 0  # inside an environment (cases): never cut there
    nesting = 0  # inside flattened parentheses
    for index, item in enumerate(items):
        token = item.strip() if isinstance(item, str) else ""
        operator = token in _BINARY and depth == 0 and _follows_operand(items, index)
        if operator and _width(lines[-1]) > 0 and _width([*lines[-1], *_term(items, index)]) > width:
            line = lines[-1]
            binding = _binding(token, nesting)
            shallower = [position for position, level in operators
                         if level < binding and _width(line[:position]) >= width / 3]
            cut = shallower[-1] if shallower else len(line)
            lines[-1], moved = line[:cut], line[cut:]
            lines.append(moved)
            operators = [(position - cut, level) for position, level in operators if position > cut]
        if operator:
            operators.append((len(lines[-1]), _binding(token, nesting)))
        lines[-1].append(item)
        if token == r"\begin":
            depth += 1
        elif token == r"\end":
            depth = max(depth - 1, 0)
        elif _OPENING.fullmatch(token):
            nesting += 1
        elif _CLOSING.fullmatch(token) and nesting:
            nesting -= 1
    return tuple(_write(_stack_numerators(line, width) if stack else line).strip() for line in lines if _write(line).strip())


def _binding(operator: str, nesting: int) -> int:
    """How tightly an operator holds its neighbours: two steps per parenthesis around it, one
    more for a product (a line is rather cut before a sum's term than inside a product)."""
    return 2 * nesting + (1 if operator in (r"\cdot", r"\times") else 0)


def _follows_operand(items: list[_Group | str], index: int) -> bool:
    """True when the operator at ``index`` is binary (a unary minus follows an operator or an opening)."""
    for previous in reversed(items[:index]):
        if isinstance(previous, str) and previous.isspace():
            continue
        text = previous if isinstance(previous, str) else "x"
        return text.strip() not in _BINARY and not re.fullmatch(r"\\[bB]igg?l.|[(\[]", text.strip())
    return False


def _term(items: list[_Group | str], index: int) -> list[_Group | str]:
    """The operator at ``index`` and what follows it, up to the next top-level operator."""
    end = index + 1
    while end < len(items):
        following = items[end]
        if isinstance(following, str) and following.strip() in _BINARY and _follows_operand(items, end):
            break
        end += 1
    return items[index:end]
