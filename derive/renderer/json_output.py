"""The JSON contract of ``derive NAME --format json`` (documented in the README).

Expressions are written in SymPy's ``str`` form (readable back by any SymPy user), with the
LaTeX form alongside.
"""

from __future__ import annotations

import json
from typing import Any

from derive.model import Derivation, Gradient, Step, Verification, rule_name
from derive.printing import to_latex, to_text


def verification_data(verification: Verification | None) -> dict[str, Any] | None:
    if verification is None:
        return None
    return {
        "status": verification.status,
        "proved": verification.proved,
        "method": verification.method,
        "numeric_ok": verification.numeric_ok,
        "points": list(verification.points),
        "digits": verification.digits,
        "max_difference": verification.max_difference,
        "counterexample": None
        if verification.counterexample is None
        else dict(zip(("x", "before", "after"), verification.counterexample)),
    }


def step_data(step: Step) -> dict[str, Any]:
    return {
        "rule": step.rule,
        "rule_name": rule_name(step.rule),
        "annotation": step.annotation.plain(),
        "before": to_text(step.before),
        "after": to_text(step.after),
        "before_latex": to_latex(step.before, notation=step.notation),
        "after_latex": to_latex(step.after, notation=step.notation),
        "verified": step.verification is not None and step.verification.status == "proved",
        "verification": verification_data(step.verification),
        "details": {key: value if isinstance(value, str) else to_text(value) for key, value in step.details},
        "substeps": [step_data(sub) for sub in step.substeps],
    }


def derivation_data(derivation: Derivation) -> dict[str, Any]:
    recognition = derivation.recognition
    return {
        "function": to_text(derivation.function),
        "definition": to_text(derivation.definition),
        "variable": str(derivation.variable),
        "route": derivation.route,
        "steps": [step_data(step) for step in derivation.steps],
        "result": to_text(derivation.result),
        "result_latex": to_latex(derivation.result),
        "proved": derivation.proved,
        "complete": derivation.complete,
        "identity": verification_data(derivation.identity),
        "recognition": None
        if recognition is None
        else {
            "found": recognition.found,
            "form": None if recognition.form is None else to_text(recognition.form),
            "message": recognition.message.plain(),
        },
        "summary": derivation.summary(),
        "detail": derivation.detail,
        "domain": None
        if derivation.domain is None
        else {
            "function": None if derivation.domain.function is None else to_text(derivation.domain.function),
            "derivative": None if derivation.domain.derivative is None else to_text(derivation.domain.derivative),
            "verification": verification_data(derivation.domain.verification),
        },
    }


def derivation_json(derivation: Derivation) -> str:
    """One JSON object, keys in the documented order, ending with a newline."""
    return json.dumps(derivation_data(derivation), ensure_ascii=False, indent=2) + "\n"


def gradient_json(gradient: Gradient) -> str:
    """The gradient as one JSON object: the function, its variables, and each partial derivative
    in the derivation contract (``"gradient"``, in the order of ``"variables"``)."""
    data = {
        "function": to_text(gradient.function),
        "definition": to_text(gradient.definition),
        "variables": [str(variable) for variable in gradient.variables],
        "letters": {str(letter): to_text(body) for letter, _, body in gradient.letters},
        "gradient": [derivation_data(derivation) for derivation in gradient.derivations],
        "proved": gradient.proved,
        "complete": gradient.complete,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
