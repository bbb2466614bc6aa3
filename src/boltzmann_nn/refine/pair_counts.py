"""Inverse Monte Carlo (Lyubartsev & Laaksonen 1995): a Newton step whose Jacobian is
measured from the run's own fluctuations, with no closure.

The potential change is written in a hat basis, ΔU(r) = Σ_j c_j φ_j(r), with knots every
:data:`KNOT_SPACING` up to the cutoff (the knot at the cutoff is fixed, U(r_cut) = 0). Its
conjugate observable is S_j = Σ_pairs φ_j(r_ab), the pair count in the hat around knot j,
and for canonical averages (β = 1)

    ∂⟨S_i⟩/∂c_j = −(⟨S_i S_j⟩ − ⟨S_i⟩⟨S_j⟩) = −C_ij,

so the step that brings ⟨S⟩ to the target is C Δc = ⟨S⟩_run − S_target. The right-hand side
comes from the (denoised) g(r) difference, ΔS_i = (Nρ/2) ∫ 4πr² Δg(r) φ_i(r) dr; C comes
from frames of the run (:class:`PairCountSampler`, about every :data:`FRAME_EVERY` steps).
C is estimated from a few hundred correlated frames, so the solve is regularised
(Tikhonov, :data:`RIDGE` × the median diagonal) and restricted to knots where the run's
pairs are resolved; inside the core the first resolved value is carried down, as in the
other updates, and where the target holds pairs the run never makes (a soft core that
the start walls off) C is blind, so the loop takes IBI's update there. Unlike the HNC
Jacobian (``ihnc``), C is exact for the simulated fluid at any density, which matters
where ``ihnc`` and IBI stall (dense liquids).
"""

from __future__ import annotations

import math

import numpy as np

from ..engines.diagnostics import wrap_into_box

#: Knot spacing of the hat basis [σ].
KNOT_SPACING = 0.05
#: Steps between frames of the pair-count sampler (at most :data:`MAX_FRAMES` per run).
FRAME_EVERY = 25
MAX_FRAMES = 1000
#: Tikhonov regularisation relative to the median diagonal of C.
RIDGE = 1e-3
#: Fewest frames for a usable covariance.
MIN_FRAMES = 20
#: Shortest production run of an IMC iteration: C from fewer, more correlated frames
#: amplifies noise (docs/refinement.md, "Measured": why 16,000).
IMC_MIN_STEPS = 16000


def knots_for(r_cut: float, r_min: float = 0.0) -> np.ndarray:
    """Knots from ``r_min`` (rounded down to the spacing) to ``r_cut`` inclusive."""
    lo = math.floor(r_min / KNOT_SPACING) * KNOT_SPACING
    n = max(2, int(math.ceil((r_cut - lo) / KNOT_SPACING - 1e-9)))
    return np.linspace(r_cut - n * KNOT_SPACING, r_cut, n + 1) if lo < r_cut else np.array([0.0, r_cut])


def hat_weights(r: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """S_j = Σ φ_j(r) over the distances ``r`` (hats on uniform ``knots``), shape (m,)."""
    h = knots[1] - knots[0]
    x = (np.asarray(r, float) - knots[0]) / h
    x = x[(x >= 0) & (x < knots.size - 1)]
    i = x.astype(np.int64)
    w = x - i
    m = knots.size
    return np.bincount(i, 1.0 - w, minlength=m)[:m] + np.bincount(i + 1, w, minlength=m)[:m]


def hat_slopes(r: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """W_j = Σ r φ_j'(r) over the distances ``r``, shape (m,)."""
    h = knots[1] - knots[0]
    r = np.asarray(r, float)
    x = (r - knots[0]) / h
    keep = (x >= 0) & (x < knots.size - 1)
    i, r = x[keep].astype(np.int64), r[keep]
    m = knots.size
    return (np.bincount(i + 1, r, minlength=m)[:m] - np.bincount(i, r, minlength=m)[:m]) / h


class PairCountSampler:
    """Accumulates ⟨S⟩ and ⟨S Sᵀ⟩ over frames (called as ``sampler(positions, box)``).

    With ``force`` (F(r) of the simulated potential), also the pair virial W = Σ r U'(r)
    and W_j = Σ r φ_j'(r) of each frame, for the pressure's response to the hats
    (:meth:`pressure_gradient`).
    """

    def __init__(self, knots: np.ndarray, steps: int, force=None):
        self.knots = np.asarray(knots, float)
        self.every = max(FRAME_EVERY, int(math.ceil(steps / MAX_FRAMES)))
        m = self.knots.size
        self.frames = 0
        self._sum = np.zeros(m)
        self._outer = np.zeros((m, m))
        self.force = force
        self.volume = math.nan
        self._w = 0.0
        self._ws = np.zeros(m)
        self._wj = np.zeros(m)

    def __call__(self, positions, box: float) -> None:
        from scipy.spatial import cKDTree

        x = wrap_into_box(positions, box)
        pairs = cKDTree(x, boxsize=box).query_pairs(float(self.knots[-1]), output_type="ndarray")
        d = x[pairs[:, 0]] - x[pairs[:, 1]]
        d -= box * np.round(d / box)
        r = np.sqrt(np.einsum("ij,ij->i", d, d))
        s = hat_weights(r, self.knots)
        self._sum += s
        self._outer += np.outer(s, s)
        self.frames += 1
        if self.force is not None:
            w = -float(np.sum(r * self.force(r)))
            self._w += w
            self._ws += w * s
            self._wj += hat_slopes(r, self.knots)
            self.volume = float(box) ** 3

    def mean(self) -> np.ndarray:
        """⟨S_j⟩ over the frames."""
        return self._sum / max(self.frames, 1)

    def pressure_gradient(self) -> np.ndarray:
        """a_j = ∂⟨P⟩/∂c_j = (Cov(W, S_j) − ⟨W_j⟩)/(3V) [k_BT/σ³ per k_BT] (needs ``force``)."""
        n = max(self.frames, 1)
        cov_ws = self._ws / n - (self._w / n) * self.mean()
        return (cov_ws - self._wj / n) / (3.0 * self.volume)

    def covariance(self) -> np.ndarray:
        """C_ij = ⟨S_i S_j⟩ − ⟨S_i⟩⟨S_j⟩ over the frames."""
        mean = self.mean()
        return self._outer / max(self.frames, 1) - np.outer(mean, mean)


def count_change(grid, dg, pairs_per_shell: float, knots) -> np.ndarray:
    """ΔS_i = n ∫ 4πr² Δg(r) φ_i(r) dr of every free knot (all but the one at the cut-off),
    with ``pairs_per_shell`` n the pairs per unit g and volume (N²/2V for one species;
    N_a N_b/V for unlike species, N_a²/2V for like ones).
    """
    from scipy.integrate import trapezoid

    grid = np.asarray(grid, float)
    knots = np.asarray(knots, float)
    m = knots.size - 1
    fine = np.linspace(grid[0], grid[-1], max(2000, 4 * grid.size))
    dgf = np.interp(fine, grid, dg)
    phi = np.clip(1.0 - np.abs(fine[None, :] - knots[:m, None]) / (knots[1] - knots[0]), 0.0, None)
    return pairs_per_shell * trapezoid(4.0 * np.pi * fine**2 * dgf * phi, fine, axis=1)


def resolved_knots(grid, knots, resolved) -> np.ndarray:
    """Which free knots lie where the g(r) are resolved (mask on ``grid``)."""
    m = np.asarray(knots).size - 1
    return np.interp(np.asarray(knots, float)[:m], grid, np.asarray(resolved).astype(float)) > 0.5


def solve_counts(cov, ds, free, pressure=None) -> np.ndarray:
    """Δc with C Δc = ΔS on the ``free`` knots (Tikhonov :data:`RIDGE`; 0 elsewhere) and,
    with ``pressure`` = (a, dP), also a·Δc = dP with the least change of the pair counts
    (see :func:`imc_step`).
    """
    c = np.asarray(cov, float)
    free = np.asarray(free, bool) & (np.diag(c) > 0)
    dc = np.zeros(free.size)
    idx = np.nonzero(free)[0]
    if idx.size:
        sub = c[np.ix_(idx, idx)]
        k = sub + RIDGE * float(np.median(np.diag(sub))) * np.eye(idx.size)
        dc[idx] = np.linalg.solve(k, np.asarray(ds, float)[idx])
        if pressure is not None:
            a = np.asarray(pressure[0], float)[idx]
            ka = np.linalg.solve(k, a)
            if float(a @ ka) > 0:
                dc[idx] += ka * (float(pressure[1]) - float(a @ dc[idx])) / float(a @ ka)
    return dc


def on_grid_from_knots(grid, knots, dc, free) -> np.ndarray:
    """ΔU on ``grid`` from the free knots' Δc (the cut-off knot 0); inside the core the first
    free knot's value carried down.
    """
    grid = np.asarray(grid, float)
    knots = np.asarray(knots, float)
    du = np.interp(grid, knots, np.concatenate([dc, [0.0]]))
    idx = np.nonzero(free)[0]
    if idx.size:
        du = np.where(grid < knots[idx[0]], dc[idx[0]], du)
    return du


def imc_step(grid, dg, density: float, n_particles: int, knots, cov, resolved,
             pressure=None) -> np.ndarray:
    """The Newton step ΔU on ``grid`` (k_BT) from Δg = g_run − g_target on ``grid``.

    Args:
        knots: The hat knots (the last one, at the cutoff, stays fixed).
        cov: C_ij of the pair counts, shape (len(knots), len(knots)).
        resolved: Boolean mask on ``grid`` where either g(r) is resolved.
        pressure: Optional ``(a, dP)``: the pressure gradient a_j = ∂⟨P⟩/∂c_j and the
            change wanted, P_target − P_run. The step then also meets a·Δc = dP, with
            the least change of the pair counts (in the metric of C): Δc = Δc₀ +
            K⁻¹a (dP − a·Δc₀)/(aᵀK⁻¹a), K = C + λ. g(r) fixes the pressure only
            weakly (smooth changes of U move P and hardly g), and this uses exactly that
            freedom.
    """
    m = np.asarray(knots).size - 1  # the knot at the cutoff is fixed
    ds = count_change(grid, dg, 0.5 * n_particles * density, knots)
    c = np.asarray(cov, float)[:m, :m]
    free = resolved_knots(grid, knots, resolved) & (np.diag(c) > 0)
    row = None if pressure is None else (np.asarray(pressure[0], float)[:m], pressure[1])
    dc = solve_counts(c, ds, free, row)
    return on_grid_from_knots(grid, knots, dc, free)
