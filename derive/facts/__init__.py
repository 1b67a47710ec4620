"""Facts stage: what documents state about a function, each computed and then proved.

:mod:`.recognition` finds and proves f′ = P(f) (σ′ = σ(1 − σ)); :mod:`.properties` the value at
0, symmetry, limits, the maximum and range of f′, f″ and the inverse; :mod:`.jacobian` every
entry of the softmax Jacobian. A fact that cannot be proved is left out.
"""
