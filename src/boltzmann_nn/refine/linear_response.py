"""First-order response on the refinement grid, at a run's own g(r): of g(r) averaged over
the bins the target is compared in, and of the virial pressure, to a change of U at each grid
point (the rows and the constraint of :mod:`~boltzmann_nn.refine.methods.hncgn`).

g(r) responds by the HNC linear response (:func:`~boltzmann_nn.theory.response.hnc_response`),
computed on bins :data:`FINE` times finer than the grid, so that the steep edge of the core is
resolved, and averaged over each grid point's bin with shell-volume weights. The pressure
responds at fixed g through the virial, δP = (2π/3)ρ² ∫ r³ g δF dr, plus through the change of
g, (2π/3)ρ² ∫ r³ F δg dr, over the soft part of U (U < U_cut; inside the core g is 0 either way).
"""

from __future__ import annotations

import math

import numpy as np

from ..theory.response import hnc_response, interpolation_matrix
from ..units import U_CUT

#: The response is computed on bins this many times finer than the potential's grid.
FINE = 2


def _virial_weights(r, g, density: float) -> np.ndarray:
    """Weights w with w·F = (2π/3)ρ² ∫ r³ F g dr (trapezoid on ``r``), F any force on ``r``."""
    dr = np.gradient(r)
    dr[0] *= 0.5
    dr[-1] *= 0.5
    return 2.0 * math.pi / 3.0 * density**2 * r**3 * g * dr


def response_rows(grid, u, r_run, g_run, density: float) -> tuple[np.ndarray, np.ndarray]:
    """(R, p): R (shape (n, n)) the first-order change of g(r) averaged over bins of the
    grid's spacing centred on the grid points, per unit change of U at each grid point (the
    HNC response at the run's g(r) on ``r_run``, computed on :data:`FINE` × finer bins);
    p (shape (n,)) the first-order change of the virial pressure per unit change of U at each
    grid point, at fixed g plus through the change of g [k_BT/σ³ per k_BT].
    """
    grid = np.asarray(grid, float)
    u = np.asarray(u, float)
    r_run = np.asarray(r_run, float)
    h = float(grid[1] - grid[0])
    dr = h / FINE
    rb = (np.arange(int(r_run[-1] / dr)) + 0.5) * dr
    gb = np.maximum(np.interp(rb, r_run, np.asarray(g_run, float)), 0.0)
    interp = interpolation_matrix(grid, rb)
    interp[rb > grid[-1]] = 0.0
    resp = hnc_response(rb, gb, density) @ interp  # δg on the fine bins per unit δU
    # the average over each grid point's bin [r_i − h/2, r_i + h/2), shell-volume weights
    avg = np.zeros((grid.size, rb.size))
    idx = np.floor((rb - grid[0]) / h + 0.5).astype(int)
    ok = (idx >= 0) & (idx < grid.size)
    avg[idx[ok], np.flatnonzero(ok)] = rb[ok] ** 2
    avg /= np.maximum(avg.sum(axis=1, keepdims=True), 1e-300)
    grad = np.gradient(interp, rb, axis=0)  # d(δU)/dr on the fine bins
    u_b = np.interp(rb, grid, u)
    force = np.where(u_b < U_CUT, -np.gradient(u_b, rb), 0.0)
    p = -_virial_weights(rb, gb, density) @ grad + _virial_weights(rb, force, density) @ resp
    return avg @ resp, p
