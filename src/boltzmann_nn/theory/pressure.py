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


def pressure_ramp(r, g, force, density: float, pressure: float, r_cut: float) -> tuple[float, float]:
    """The linear ramp A (1 − r/r_cut) that brings the virial pressure of a potential,
    at fixed g(r), to ``pressure``: A = (P − P_v)/δP_v[ramp], with δP_v[ramp] =
    (2π/3)ρ² ∫ r³ g / r_cut dr > 0 over r < r_cut.

    g(r) hardly sees such a ramp (its long-wavelength response is damped by the fluid's low
    compressibility) while P moves with it, so a potential that reproduces g(r) keeps doing
    so and meets P too; the virial at fixed g is the pressure MD of the potential gives if
    its g(r) is the one given.

    Returns:
        ``(A, P_v)``: the ramp's height at r = 0 [k_BT] and the pressure before it [k_BT/σ³].
    """
    r = np.asarray(r, float)
    p_v = virial_pressure(r, g, force, density)
    per_unit = virial_pressure(r, g, np.where(r < r_cut, 1.0 / r_cut, 0.0), density) - density
    if not per_unit > 0:
        return 0.0, p_v
    return (pressure - p_v) / per_unit, p_v
