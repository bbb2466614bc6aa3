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

from ..theory.mixture_response import mixture_hnc_response
from ..theory.response import interpolation_matrix
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
    return mixture_rows({"A-A": grid}, {"A-A": u}, r_run, {"A-A": g_run}, [(0, 0, "A-A")], [1.0], density)


def mixture_rows(grids: dict, us: dict, r_run, g_run: dict, pairs: list, x, density: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`response_rows` for every pair of a mixture at once: the unknowns are every
    pair's ΔU on its grid, one block after another in the order of ``pairs`` ((i, j, name),
    :meth:`~boltzmann_nn.mixture.system.Composition.pairs`); R (N × N, N the points of all
    grids) the change of each pair's bin-averaged g_ij (the matrix-OZ HNC response,
    :func:`~boltzmann_nn.theory.mixture_response.mixture_hnc_response`), p (N,) the change
    of the mixture's virial pressure βP = ρ + (2π/3)ρ² Σ_ij x_i x_j ∫ r³ F_ij g_ij dr.
    """
    names = [name for _, _, name in pairs]
    x = np.asarray(x, float)
    r_run = np.asarray(r_run, float)
    dr = min(float(grids[p][1] - grids[p][0]) for p in names) / FINE
    rb = (np.arange(int(r_run[-1] / dr)) + 0.5) * dr
    gb = np.array([np.maximum(np.interp(rb, r_run, np.asarray(g_run[p], float)), 0.0) for p in names])
    resp = mixture_hnc_response(rb, gb, pairs, x, density)  # (P, nb, P, nb)
    interp, avg, weight = {}, {}, {}
    for i, j, p in pairs:
        grid = np.asarray(grids[p], float)
        h = float(grid[1] - grid[0])
        m = interpolation_matrix(grid, rb)
        m[rb > grid[-1]] = 0.0
        interp[p] = m
        # the average over each grid point's bin [r_i − h/2, r_i + h/2), shell-volume weights
        a = np.zeros((grid.size, rb.size))
        idx = np.floor((rb - grid[0]) / h + 0.5).astype(int)
        ok = (idx >= 0) & (idx < grid.size)
        a[idx[ok], np.flatnonzero(ok)] = rb[ok] ** 2
        avg[p] = a / np.maximum(a.sum(axis=1, keepdims=True), 1e-300)
        weight[p] = x[i] * x[j] * (1.0 if i == j else 2.0)  # the pair's share of the sums over i, j
    rows, press = [], []
    for a, (_, _, p) in enumerate(pairs):
        u_b = np.interp(rb, grids[p], np.asarray(us[p], float))
        force = np.where(u_b < U_CUT, -np.gradient(u_b, rb), 0.0)
        through_g = weight[p] * _virial_weights(rb, force, density)
        rows.append(np.hstack([avg[p] @ resp[a, :, b, :] @ interp[q] for b, (_, _, q) in enumerate(pairs)]))
        press.append(np.hstack([through_g @ resp[a, :, b, :] @ interp[q] for b, (_, _, q) in enumerate(pairs)]))
    p_vec = np.sum(press, axis=0)
    at_fixed_g = np.hstack([-weight[p] * _virial_weights(rb, gb[a], density)
                            @ np.gradient(interp[p], rb, axis=0) for a, (_, _, p) in enumerate(pairs)])
    return np.vstack(rows), p_vec + at_fixed_g
