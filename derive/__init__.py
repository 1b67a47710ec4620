"""derive: step-by-step calculus with proved steps, rendered as teaching material.

The pipeline is parse → differentiate → verify → facts → render; this package's top level is
the Python API. Names are imported lazily so that ``derive --help`` stays fast, and so are the
submodules: after ``import derive``, ``derive.functions.sigma`` works without importing
``derive.functions`` first.

Every public name stays what it is whatever is imported later: the subpackages are called
``renderer`` and ``checker``, never ``render`` or ``check``, so importing one cannot replace the
function of that name on this package (``tests/test_api.py`` imports every submodule and then
calls every public name twice).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

__all__ = ["Derivation", "Gradient", "Report", "Step", "check", "derive", "gradient", "render"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from derive.api import derive, gradient
    from derive.checker import check
    from derive.model import Derivation, Gradient, Step
    from derive.renderer import render
    from derive.verdicts import Report

_LAZY = {
    "derive": ("derive.api", "derive"),
    "gradient": ("derive.api", "gradient"),
    "Gradient": ("derive.model", "Gradient"),
    "render": ("derive.renderer", "render"),
    "check": ("derive.checker", "check"),
    "Derivation": ("derive.model", "Derivation"),
    "Step": ("derive.model", "Step"),
    "Report": ("derive.verdicts", "Report"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        # A Derivation or Report made through these names shows itself in a notebook.
        importlib.import_module("derive.renderer.notebook")
        globals()[name] = value  # the next lookup finds it without coming here again
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")  # a submodule: derive.functions
    raise AttributeError(f"module 'derive' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
