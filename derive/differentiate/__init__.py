"""Differentiate stage: from d/dx f to its derivative, one named rule per step, nothing proved yet.

:mod:`.rules` states each rule's formula and computes its result; :mod:`.differentiator` applies
them one at a time; :mod:`.moves` holds the named algebraic moves; :mod:`.routes` scripts the
derivations a lecture shows; :mod:`.catalogue` names the functions derive knows. Steps leave
this stage unverified: the verify stage proves every one of them.
"""
