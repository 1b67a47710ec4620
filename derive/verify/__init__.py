"""Verify stage: prove every step of a derivation equal to the one before it.

:func:`verify_derivation` takes a derivation whose steps carry no proof and returns one whose
every step does; :func:`prove_equal` proves one equality; :mod:`derive.verify.limits` and
:mod:`derive.verify.signs` prove limits, signs and bounds; :func:`all_of` joins proofs into the proof
of what follows from them. Only this stage can mark a statement proved (:mod:`derive.verify.seal`). The numeric screen and the symbolic
decision procedure are described in :mod:`derive.verify.verifier` and
:mod:`derive.verify.procedure`.
"""

from derive.verify.options import DEFAULT_OPTIONS, VerifyOptions, far_points, sample_points, sampled_bounds
from derive.verify.seal import all_of
from derive.verify.verifier import NO_POINT_DEFINED, Verifier, prove_equal, show_pair, verify_derivation, verify_steps

__all__ = [
    "DEFAULT_OPTIONS", "NO_POINT_DEFINED", "Verifier", "VerifyOptions", "all_of", "far_points", "prove_equal", "sample_points", "sampled_bounds",
    "show_pair", "verify_derivation", "verify_steps",
]
