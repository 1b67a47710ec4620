"""derive: step-by-step calculus with proved steps, rendered as teaching material.

The pipeline is parse → differentiate → verify → facts → render; this package's top level is
the Python API. Names are imported lazily so that ``derive --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Derivation", "Gradient", "Step", "check", "derive", "gradient", "render"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from derive.api import derive
    from derive.model import Derivation, Step

_LAZY = {
    "derive": ("derive.api", "derive"),
    "gradient": ("derive.api", "gradient"),
    "Gradient": ("derive.model", "Gradient"),
    "render": ("derive.renderer", "render"),
    "check": ("derive.checker", "check"),
    "Derivation": ("derive.model", "Derivation"),
    "Step": ("derive.model", "Step"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        module, attribute = _LAZY[name]
        return getattr(import_module(module), attribute)
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
