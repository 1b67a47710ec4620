"""Only the verify stage can mark a statement proved: a Verification with ``proved=True`` needs
the seal that derive.verify alone holds, and no other module touches it."""

from __future__ import annotations

import ast
import dataclasses
import pickle
import re
from pathlib import Path

import pytest
import sympy

from derive.errors import VerificationError
from derive.functions import sigma, variable
from derive.model import Verification
from derive.verify import prove_equal
from derive.verify.seal import all_of, proof, unproved

PACKAGE = Path(__file__).resolve().parents[2] / "derive"
x = variable("x")


def test_a_proved_verification_made_outside_the_verify_stage_is_refused() -> None:
    with pytest.raises(VerificationError, match="only the verify stage"):
        Verification(proved=True, numeric_ok=True, method="I say so")


@pytest.mark.parametrize("seal", [None, object(), "seal", True], ids=["none", "an-object", "a-string", "true"])
def test_a_forged_seal_is_refused(seal: object) -> None:
    with pytest.raises(VerificationError):
        Verification(proved=True, numeric_ok=True, method="forged", seal=seal)


def test_an_unproved_verification_needs_no_seal() -> None:
    assert Verification(proved=False, numeric_ok=True, method="numeric only").status == "numeric only"


def test_a_numeric_verification_cannot_be_promoted_by_replace() -> None:
    numeric = Verification(proved=False, numeric_ok=True, method="numeric only")
    with pytest.raises(VerificationError):
        dataclasses.replace(numeric, proved=True)


def test_a_proof_cannot_be_copied_outside_the_verify_stage() -> None:
    """The seal is not stored on what it made: nothing can be read off a proof to forge another."""
    proved = prove_equal(sympy.Derivative(sigma(x), x), sigma(x) * (1 - sigma(x)), x)
    assert proved.status == "proved"
    assert "seal" not in vars(proved) and not any(field.name == "seal" for field in dataclasses.fields(proved))
    with pytest.raises(VerificationError):
        dataclasses.replace(proved, method="something else")


def test_proofs_survive_pickling_and_copying() -> None:
    """Workers send verifications across processes: unpickling does not re-check the seal."""
    proved = prove_equal(sympy.exp(x) * sympy.exp(-x), 1, x)
    assert pickle.loads(pickle.dumps(proved)) == proved
    import copy

    assert copy.deepcopy(proved).status == "proved"


def test_all_of_is_proved_only_when_every_part_is() -> None:
    yes = proof(method="a")
    maybe = unproved(method="numeric", numeric_ok=True)
    assert all_of((yes, yes), "both").status == "proved"
    assert all_of((yes, maybe), "both").status == "numeric only"
    assert all_of((yes, unproved(method="no", numeric_ok=False)), "both").status == "failed"
    assert all_of((), "nothing").status == "failed"


def _python_sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_outside_the_verify_stage_touches_the_seal() -> None:
    """A source scan: the seal's name, the seal module and a ``seal=`` argument appear only in
    derive/model.py (which checks it) and in derive/verify/ (which holds it)."""
    pattern = re.compile(r"_PROOF_SEAL|verify\.seal|\bseal\s*=|\bSEAL\b|import\s+seal\b|_ProofSeal")
    offenders = []
    for path in _python_sources():
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "verify" or relative == Path("model.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def _proved_verifications(path: Path) -> list[tuple[int, bool]]:
    """Every ``Verification(...)`` call in a file whose ``proved`` is not the constant False, with
    whether it passes ``seal=`` (read with ast, so a call over several lines counts)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Verification":
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            proved = keywords.get("proved")
            if not (isinstance(proved, ast.Constant) and proved.value is False):
                found.append((node.lineno, "seal" in keywords))
    return found


def test_nothing_outside_the_verify_stage_builds_a_proved_verification() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}" for path in _python_sources() if path.relative_to(PACKAGE).parts[0] != "verify"
        for line, _ in _proved_verifications(path)
    ]
    assert offenders == []


def test_every_proof_the_verify_stage_makes_carries_the_seal() -> None:
    """Inside derive/verify, a proved Verification without ``seal=`` would raise when it is made."""
    unsealed = [
        f"{path.relative_to(PACKAGE)}:{line}" for path in sorted((PACKAGE / "verify").glob("*.py"))
        for line, sealed in _proved_verifications(path) if not sealed
    ]
    assert unsealed == []


def test_the_scan_would_see_a_forgery(tmp_path: Path) -> None:
    """The scan sees the forms a forgery would take (so it can fail)."""
    forged = tmp_path / "forged.py"
    forged.write_text("a = Verification(proved=True, numeric_ok=True, method='m')\n"
                      "b = model.Verification(\n    method='m',\n    proved=ok, numeric_ok=ok)\n"
                      "c = Verification(proved=False, numeric_ok=True, method='m')\n", encoding="utf-8")
    assert _proved_verifications(forged) == [(1, False), (2, False)]
