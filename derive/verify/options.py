"""How hard the verifier checks, and where it samples: seeded, reproducible points."""

from __future__ import annotations

import random
from dataclasses import dataclass

import sympy


@dataclass(frozen=True, kw_only=True)
class VerifyOptions:
    """How hard to check. The defaults meet the brief: ≥ 30 digits, seeded points."""

    digits: int = 35
    points: int = 6
    seed: int = 20261127
    low: float = -3.0
    high: float = 3.0
    allow_simplify: bool = True
    #: Re-evaluate at three times the precision and refuse agreements that are only too small to
    #: see (σ(100) = 1, a term of 10^-50): used for untrusted claims, where such lines occur.
    stability_check: bool = False


DEFAULT_OPTIONS = VerifyOptions()


def sample_points(variable: sympy.Symbol, options: VerifyOptions = DEFAULT_OPTIONS) -> list[sympy.Rational]:
    """Seeded random points with three decimals in [low, high], then positive ones as a reserve."""
    generator = random.Random(options.seed)
    points = []
    for _ in range(options.points):
        value = generator.uniform(options.low, options.high)
        points.append(sympy.Rational(round(value * 1000), 1000))
    reserve = [sympy.Rational(round(generator.uniform(0.1, options.high) * 1000), 1000) for _ in range(options.points)]
    return points + reserve


def sampled_bounds(options: VerifyOptions = DEFAULT_OPTIONS) -> tuple[float, float]:
    """Where every sample point lies: from 10 low to 10 high (the far points' outer ends)."""
    return 10 * options.low, 10 * options.high


def far_points(options: VerifyOptions = DEFAULT_OPTIONS) -> list[sympy.Rational]:
    """The verifier's last reserve, for expressions defined only away from 0 (sqrt(x - 4)):
    seeded points with three decimals in [high, 10 high] and [10 low, low], alternating sides."""
    far_low, far_high = sampled_bounds(options)
    generator = random.Random(f"{options.seed}:far")
    points = []
    for index in range(options.points):
        low, high = (options.high, far_high) if index % 2 == 0 else (far_low, options.low)
        points.append(sympy.Rational(round(generator.uniform(low, high) * 1000), 1000))
    return points


def symbol_points(symbol: sympy.Symbol | None, options: VerifyOptions = DEFAULT_OPTIONS) -> list[sympy.Rational]:
    """Every sample value of one symbol: ``options.points`` each of main points in [low, high],
    positive reserve points and far points.

    ``None`` stands for a verifier's own variable, which gets the historical points of
    :func:`sample_points` and :func:`far_points`; every other symbol (a weight, a bias, a label y)
    gets points of its own, seeded by its name, so that claims in several variables are
    screened with every variable varying independently.
    """
    if symbol is None:
        return sample_points(None, options) + far_points(options)  # type: ignore[arg-type]
    generator = random.Random(f"{options.seed}:{symbol.name}")
    far_low, far_high = sampled_bounds(options)

    def three_decimals(value: float) -> sympy.Rational:
        return sympy.Rational(round(value * 1000), 1000)

    main = [three_decimals(generator.uniform(options.low, options.high)) for _ in range(options.points)]
    reserve = [three_decimals(generator.uniform(0.1, options.high)) for _ in range(options.points)]
    far = [
        three_decimals(generator.uniform(options.high, far_high) if index % 2 == 0
                       else generator.uniform(far_low, options.low))
        for index in range(options.points)
    ]
    return main + reserve + far
