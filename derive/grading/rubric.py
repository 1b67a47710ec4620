"""The rubric: how many points a derivation earns, read from a TOML file or the defaults.

:data:`EXAMPLE` is the documented file (the README shows it, ``derive grade --rubric-example``
prints it, and a test reads it back to the defaults). Every key is optional; a key derive does not
know, a negative number or a word it does not know is one clear error before any grading.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from derive.errors import InputError

CarriedForward = Literal["once", "every_line"]

EXAMPLE = """\
# derive grading rubric (derive grade --rubric rubric.toml). Every key is optional;
# the values below are the defaults.

maximum = 10              # the score is capped at this, and never goes below 0

final_result = 4          # the last line about x is correct and is the exercise's derivative,
                          # with no derivative left to take
recognised_form = 2       # ...and it is written in the function itself, such as sigma(1 - sigma).
                          # For an exercise with no such form (or a function the derivation
                          # defines itself) these points go to final_result.

correct_step = 1          # each correct line that makes a claim (definitions, and the exercise's
                          # definition restated, earn nothing)
steps_maximum = 4         # at most this many points from steps in all

carried_forward = "once"  # a line that follows validly from an earlier wrong line:
                          # "once"       - the error costs once: the line earns its step points
                          # "every_line" - the error costs at every line it reaches: no points

wrong_line = 1            # points taken off for each wrong line (its error counted once: a line
                          # that follows validly from it is scored by carried_forward above)

unreadable_line = 1       # points taken off for each line derive could not read
                          # (never for a line derive could not decide: that one is for you to check)
"""


@dataclass(frozen=True, kw_only=True)
class Rubric:
    """Points for one derivation (see :data:`EXAMPLE` for what each one means)."""

    maximum: float = 10
    final_result: float = 4
    recognised_form: float = 2
    correct_step: float = 1
    steps_maximum: float = 4
    carried_forward: CarriedForward = "once"
    wrong_line: float = 1
    unreadable_line: float = 1

    def as_json_data(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


DEFAULT_RUBRIC = Rubric()
_NUMBERS = tuple(field.name for field in fields(Rubric) if field.name != "carried_forward")


def load_rubric(path: Path) -> Rubric:
    """The rubric in ``path``, or :class:`InputError` (exit 2) that says what to fix."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"--rubric {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"--rubric {path}: cannot read it ({getattr(error, 'strerror', None) or error})") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"--rubric {path} is not valid TOML: {error}") from None
    return rubric_from(data, str(path))


def rubric_from(data: dict[str, Any], name: str = "the rubric") -> Rubric:
    """A rubric from parsed TOML, every value checked."""
    known = {field.name for field in fields(Rubric)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"{name}: unknown key {unknown[0]!r} (the keys are {', '.join(sorted(known))})")
    values: dict[str, Any] = {}
    for key in _NUMBERS:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise InputError(f"{name}: {key} must be a number of points, 0 or more, not {value!r}")
        values[key] = value
    if "carried_forward" in data:
        value = data["carried_forward"]
        if value not in ("once", "every_line"):
            raise InputError(f"{name}: carried_forward must be \"once\" or \"every_line\", not {value!r}")
        values["carried_forward"] = value
    rubric = Rubric(**values)
    if rubric.maximum <= 0:
        raise InputError(f"{name}: maximum must be more than 0")
    return rubric
