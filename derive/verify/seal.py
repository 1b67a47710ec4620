"""The verify stage's seal: the only way to make a :class:`~derive.model.Verification` that says
``proved=True``.

Every module of the verify stage that proves something builds its result with :func:`proof`;
:func:`all_of` joins proofs of several statements into the proof of what follows from all of
them (a range from a bound, a positivity and two limits). No module outside ``derive.verify``
imports this one (``tests/verify/test_seal.py`` scans the source).
"""

from __future__ import annotations

from collections.abc import Iterable

from derive.model import _PROOF_SEAL, Verification

#: Passed as ``seal=`` by the verifier itself (``derive/verify/verifier.py``).
SEAL = _PROOF_SEAL


def proof(*, method: str, points: tuple[str, ...] = (), digits: int = 0, max_difference: str = "0") -> Verification:
    """The record of a symbolic proof by ``method`` (and the numeric check that agreed, if any)."""
    return Verification(proved=True, numeric_ok=True, method=method, points=points, digits=digits,
                        max_difference=max_difference, seal=SEAL)


def unproved(*, method: str, numeric_ok: bool, points: tuple[str, ...] = (), digits: int = 0,
             max_difference: str = "0") -> Verification:
    """The record of a statement that is not proved: only checked numerically (``numeric_ok``), or refuted."""
    return Verification(proved=False, numeric_ok=numeric_ok, method=method, points=points, digits=digits,
                        max_difference=max_difference)


def all_of(parts: Iterable[Verification], method: str) -> Verification:
    """The proof of a statement that follows from ``parts`` by ``method`` (a reason in words):
    proved only when every part is proved; otherwise as weak as its weakest part."""
    parts = tuple(parts)
    if parts and all(part.status == "proved" for part in parts):
        points = tuple(dict.fromkeys(point for part in parts for point in part.points))
        return proof(method=method, points=points, digits=max(part.digits for part in parts))
    numeric = bool(parts) and all(part.numeric_ok for part in parts)
    weakest = next((part.method for part in parts if part.status != "proved"), "nothing to combine")
    return unproved(method=f"{method}; not proved: {weakest}", numeric_ok=numeric)
