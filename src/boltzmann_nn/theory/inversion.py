"""Potentials from structure: Boltzmann inversion (paper Eq. 12) and HNC inversion.

Floor: where g(r) < G_FLOOR = exp(−U_CUT) (U_CUT = 20 k_BT), −ln g is not resolved by
any finite sample; U0 is set to U_CUT there, so U0 <= 20 k_BT everywhere — the same cap
as the networks use. :func:`extend_core` then turns such a capped profile into a table an
MD engine can use.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..units import U_CUT
from .oz import OZSolver

G_FLOOR = float(np.exp(-U_CUT))
#: Curvature of the core extension [k_BT/σ²].
CORE_CURVATURE = 500.0
#: Smallest slope of the core extension at its junction [k_BT/σ].
CORE_MIN_SLOPE = 20.0
#: HNC inversion needs g(r) up to at least this distance [σ].
HNC_MIN_RANGE = 3.0


def boltzmann_inversion(g, floor: float = G_FLOOR):
    """U0 = −ln g [k_BT], with g floored at ``floor`` (U0 <= −ln floor = 20 k_BT)."""
    g = np.asarray(g, float)
    return -np.log(np.maximum(g, floor))


def hnc_inversion(r, g, density: float, solver: OZSolver | None = None):
    """βU = h − c − ln g by the HNC closure, on the data's own r points.

    Args:
        r: Distances, shape (n,) [σ], covering at least [·, 3σ].
        g: g(r), shape (n,).
        density: ρ [σ⁻³].
        solver: OZ grid to use (default 4096 points at 0.01σ).

    Returns:
        U: shape (n,) [k_BT], capped at U_CUT where g is below the floor.
    """
    r = np.asarray(r, float)
    g = np.asarray(g, float)
    if r[-1] < HNC_MIN_RANGE:
        raise InputError(f"HNC inversion needs g(r) up to r >= {HNC_MIN_RANGE} sigma; "
                         f"the data end at {r[-1]:.3g}")
    solver = solver or hnc_inversion_solver()
    rs, us = solver.invert(r, g, density)
    u = np.interp(r, rs, np.nan_to_num(us, posinf=U_CUT, nan=U_CUT), left=U_CUT)
    u = np.where(g < G_FLOOR, U_CUT, np.minimum(u, U_CUT))
    return u


#: Grid of the OZ solver used to invert measured g(r): 4096 points at 0.01σ (to 41σ).
HNC_INVERSION_GRID = {"n": 4096, "dr": 0.01}


def hnc_inversion_solver() -> OZSolver:
    """The OZ solver every HNC inversion of measured g(r) uses (:data:`HNC_INVERSION_GRID`)."""
    return OZSolver("hnc", **HNC_INVERSION_GRID)


def first_peak(r, g, r_max: float = 3.0):
    """Position of the highest g(r) below ``r_max`` [σ]: ``g`` (n,) -> float, or (m, n) ->
    (m,) for rows sharing ``r`` (n,); NaN where no bin lies below ``r_max``.
    """
    r = np.asarray(r, float)
    g = np.asarray(g, float)
    inside = r <= r_max
    if not inside.any():
        return float("nan") if g.ndim == 1 else np.full(g.shape[0], np.nan)
    peaks = r[inside][np.argmax(g[..., inside], axis=-1)]
    return float(peaks) if g.ndim == 1 else peaks


def _boltzmann(r, g, density: float):
    return boltzmann_inversion(g)


#: Inversions by name: ``f(r, g, density) -> U`` on ``r`` [k_BT], capped at U_CUT where g
#: is not resolved. ``invert --method``, the inverted refinement starts and the network
#: study's baselines read this table; a new inversion is one function and one line.
INVERSIONS = {"boltzmann": _boltzmann, "hnc": hnc_inversion}


def inversion_names() -> list[str]:
    return list(INVERSIONS)


def invert(r, g, density: float, method: str = "boltzmann"):
    """U(r) [k_BT] on ``r`` from g(r) by the inversion called ``method`` (:data:`INVERSIONS`)."""
    if method not in INVERSIONS:
        raise InputError(f"unknown inversion method {method!r}; use one of {inversion_names()}")
    return INVERSIONS[method](r, g, density)


def extend_core(r, u, u_cut: float = U_CUT, r_min: float = 0.05):
    """Replace the capped core of a potential by a smooth, monotonic repulsion.

    The junction r₀ is the last point, coming in from large r, before U first reaches
    ``u_cut``. Below r₀: U(r) = U(r₀) + F₀ (r₀ − r) + κ (r₀ − r)², with F₀ = max(F(r₀),
    CORE_MIN_SLOPE) and κ = CORE_CURVATURE, which keeps U and (for F(r₀) >= CORE_MIN_SLOPE)
    F continuous and makes U increase monotonically towards r = 0.

    Args:
        r: Distances, shape (n,) [σ], increasing.
        u: Potential, shape (n,) [k_BT].
        u_cut: The cap that marks the unresolved core [k_BT].
        r_min: First r of the returned table [σ].

    Returns:
        ``(r_out, U, F)``: the table from ``max(r_min, r[0])``, with forces −dU/dr.
    """
    r = np.asarray(r, float)
    u = np.asarray(u, float).copy()
    above = np.nonzero(u >= u_cut)[0]
    f = -np.gradient(u, r)
    if above.size:
        j = int(above[-1]) + 1  # first point after the last capped one
        if j >= r.size:
            raise InputError("the potential is capped everywhere: no structure to invert")
        r0, u0 = r[j], u[j]
        # the slope at r0 from the resolved side only (the capped point before it is no data)
        slope = -(u[j + 1] - u0) / (r[j + 1] - r0) if j + 1 < r.size else f[j]
        f0 = max(slope, CORE_MIN_SLOPE)
        d = r0 - r[:j]
        u[:j] = u0 + f0 * d + CORE_CURVATURE * d * d
        f[:j] = f0 + 2.0 * CORE_CURVATURE * d
        f[j] = f0
    keep = r >= r_min
    return r[keep], u[keep], f[keep]
