"""Virial coefficients from the pair potential: Mayer f, B2, B3, the low-density
pressure P0 (paper Eq. 11), and Carnahan–Starling for hard spheres.

Units: B2 [σ³], B3 [σ⁶], ρ [σ⁻³], βP [σ⁻³] (= P in k_BT/σ³ since k_BT = 1).
"""

from __future__ import annotations

import math

import numpy as np

from .transforms import midpoint_transform

#: Beyond this distance, B2 of an uncut potential is integrated by adaptive quadrature.
R_NUMERIC = 12.0


def mayer_f(u):
    """F = exp(−βU) − 1, shape of ``u``; U = +inf gives −1."""
    with np.errstate(over="ignore"):
        return np.expm1(-np.asarray(u, float))


def _f_range(potential) -> float:
    return min(potential.r_cut, R_NUMERIC)


def _spacing(potential, r_range: float) -> float:
    """Grid spacing that resolves the steepest part of exp(−βU)."""
    r = np.linspace(1e-4, r_range, 200001)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        u, f = potential.evaluate(r)
        boltz = np.exp(-u)
        slope = np.abs(f) * boltz  # |d exp(-U)/dr|
    slope = np.nan_to_num(slope, nan=0.0, posinf=0.0)
    steep = float(slope.max()) if slope.size else 0.0
    dr = 1e-3 if steep <= 0 else min(1e-3, 0.05 / steep)
    return max(dr, 2e-5)


def _grid_f(potential, r_range: float, dr: float, n_total: int):
    """Mayer f at midpoints (n + ½)Δr, zero beyond r_range, length n_total."""
    n_f = int(math.ceil(r_range / dr))
    r = (np.arange(n_f) + 0.5) * dr
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        u = potential.evaluate(r)[0]
    f = np.zeros(n_total)
    f[:n_f] = mayer_f(np.where(np.isnan(u), np.inf, u))
    return f


def _uncut_tail_b2(potential, r0: float) -> float:
    """−2π ∫_{r0}^∞ f r² dr for potentials with an (infinite or long) cutoff beyond r0."""
    if potential.r_cut <= r0:
        return 0.0
    from scipy import integrate

    def integrand(r):
        u = potential.evaluate(np.array([r]))[0][0]
        return float(np.expm1(-u)) * r * r

    val, _ = integrate.quad(integrand, r0, potential.r_cut, limit=200)
    return -2.0 * math.pi * val


def b2(potential, dr: float | None = None) -> float:
    """Second virial coefficient B2 = −2π ∫₀^∞ f(r) r² dr (paper Eq. 9) [σ³].

    The integral up to min(r_cut, 12σ) uses the midpoint rule on a grid fine enough for
    the steepest part of exp(−βU); any remaining range by adaptive quadrature.
    """
    r_range = _f_range(potential)
    dr = dr or _spacing(potential, r_range)
    n = int(math.ceil(r_range / dr))
    f = _grid_f(potential, r_range, dr, n)
    r = (np.arange(n) + 0.5) * dr
    return float(-2.0 * math.pi * np.sum(f * r * r) * dr) + _uncut_tail_b2(potential, r_range)


def b3(potential, dr: float | None = None) -> float:
    """Third virial coefficient [σ⁶] through the Fourier transform of f:

    B3 = −(1/3) ∫ d³k/(2π)³ f̂(k)³ = −(1/(6π²)) ∫₀^∞ k² f̂(k)³ dk.

    f is taken as zero beyond min(r_cut, 12σ) (for Lennard-Jones the neglected part is
    below 10⁻⁵ relative); the transform box is 3× that range so the convolution does
    not wrap around.
    """
    r_range = _f_range(potential)
    dr = dr or _spacing(potential, r_range)
    n_total = int(math.ceil(3.0 * r_range / dr))
    f = _grid_f(potential, r_range, dr, n_total)
    k, fk = midpoint_transform(f, dr)
    dk = k[1] - k[0]
    return float(-np.sum(k * k * fk**3) * dk / (6.0 * math.pi**2))


def low_density_pressure(density, b2_value) -> np.ndarray:
    """βP0 = ρ + B2 ρ² (paper Eq. 11) from arrays: ``density`` (n,) [σ⁻³] and ``b2_value``
    (scalar or (n,)) [σ³]; shape (n,) [k_BT/σ³]. The one place this formula lives.
    """
    rho = np.asarray(density, float)
    return rho + np.asarray(b2_value, float) * rho**2


def p0(potential, density, b2_value: float | None = None):
    """Low-density pressure βP0 = ρ + B2 ρ² of a potential, shape of ``density``."""
    return low_density_pressure(density, b2(potential) if b2_value is None else b2_value)


def carnahan_starling(density, diameter: float = 1.0):
    """Hard-sphere βP = ρ (1 + η + η² − η³)/(1 − η)³, η = πρd³/6."""
    rho = np.asarray(density, float)
    eta = math.pi * rho * diameter**3 / 6.0
    return rho * (1 + eta + eta**2 - eta**3) / (1 - eta) ** 3


def barker_henderson_diameter(r, u):
    """Effective hard-sphere diameter d = ∫ (1 − exp(−βU₊)) dr of a repulsive core, with
    U₊ = max(U, 0): ``r`` (n,) [σ], ``u`` (n,) or (m, n) [k_BT] -> float or (m,) [σ].
    """
    with np.errstate(over="ignore"):
        return np.trapezoid(-np.expm1(-np.maximum(np.asarray(u, float), 0.0)), np.asarray(r, float), axis=-1)


def virial_summary(potential, densities=()) -> dict:
    """B2, B3 and P0 at the given densities, as a JSON-able dict."""
    bb2 = b2(potential)
    bb3 = b3(potential)
    dens = [float(d) for d in densities]
    return {
        "B2": bb2,
        "B3": bb3,
        "density": dens,
        "P0": [float(v) for v in p0(potential, dens, bb2)] if dens else [],
        "P_B3": [float(d + bb2 * d**2 + bb3 * d**3) for d in dens],
    }
