"""Pressure from structure: the virial route from g(r) and U(r)."""

from __future__ import annotations

import math

import numpy as np


def virial_pressure(r, g, force, density: float, force_tail: float = 0.0) -> float:
    """βP = ρ + (2π/3) ρ² ∫ r³ F(r) g(r) dr (k_BT = 1).

    Args:
        r: Distances, shape (n,) [σ] (bin centres of g).
        g: g(r), shape (n,).
        force: F = −dU/dr at r, shape (n,) [k_BT/σ].
        density: ρ [σ⁻³].
        force_tail: ∫ r³ F dr beyond the last r (g = 1 there), if the force extends.

    Returns:
        βP [k_BT/σ³].
    """
    r = np.asarray(r, float)
    integrand = r**3 * np.asarray(force, float) * np.asarray(g, float)
    return float(density + 2.0 * math.pi / 3.0 * density**2 * (np.trapezoid(integrand, r) + force_tail))
