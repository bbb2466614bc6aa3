"""Inverse Monte Carlo for mixtures: one Newton step for all pairs, with the Jacobian
measured as the joint covariance of every pair type's pair counts.

Each pair (a, b) has its own hat basis φ_j^{ab} (knots every
:data:`~boltzmann_nn.refine.pair_counts.KNOT_SPACING` from its grid's start to its cut-off),
and its pair counts S_j^{ab} = Σ_{pairs of types a, b} φ_j^{ab}(r). Stacking all pairs'
counts into one vector S, the canonical response of ⟨S⟩ to the coefficients c of
ΔU_ab = Σ_j c_j^{ab} φ_j^{ab} is again ∂⟨S_i⟩/∂c_j = −(⟨S_i S_j⟩ − ⟨S_i⟩⟨S_j⟩): the
off-diagonal blocks are the cross-pair covariance, how the A–A counts move when U_AB
changes. One solve of C Δc = ⟨S⟩_run − S_target for all pairs together is the mixture's
IMC step (Lyubartsev & Laaksonen 1995), with the regularisation, the core rule and the
optional pressure constraint of one species (:mod:`boltzmann_nn.refine.pair_counts`).
A pair whose target holds pairs the run never makes gets IBI's update there, as with
one species.
"""

from __future__ import annotations

import math

import numpy as np

from ..engines.diagnostics import wrap_into_box
from ..refine.pair_counts import (
    FRAME_EVERY,
    MAX_FRAMES,
    count_change,
    hat_slopes,
    hat_weights,
    knots_for,
    on_grid_from_knots,
    resolved_knots,
    solve_counts,
)
from ..refine.updates import G_RESOLVED, denoise, log_ratio_update, smooth


class MixturePairCounts:
    """⟨S⟩ and ⟨S Sᵀ⟩ of every pair type's hat counts, stacked (called as
    ``sampler(positions, types, box)`` with ``types`` the species index of each position).

    Args:
        pairs: ``(i, j, name)`` per unordered species pair (``Composition.pairs()``).
        knots: Pair name → its hat knots (the last at its cut-off).
        steps: Production steps (frames about every :data:`FRAME_EVERY` steps, at most
            :data:`MAX_FRAMES`).
        force: Optional pair name → F(r) of the simulated potential: then also the virial
            W = Σ r U′(r) over all pairs and W_j = Σ r φ_j′(r) (:meth:`pressure_gradient`).
    """

    def __init__(self, pairs, knots: dict, steps: int, force: dict | None = None):
        self.pairs = list(pairs)
        self.knots = {name: np.asarray(knots[name], float) for _, _, name in self.pairs}
        sizes = [self.knots[name].size for _, _, name in self.pairs]
        edges = np.concatenate([[0], np.cumsum(sizes)])
        names = [name for _, _, name in self.pairs]
        self.slices = {name: slice(int(edges[k]), int(edges[k + 1])) for k, name in enumerate(names)}
        m = int(edges[-1])
        self.every = max(FRAME_EVERY, int(math.ceil(steps / MAX_FRAMES)))
        self.frames = 0
        self._sum = np.zeros(m)
        self._outer = np.zeros((m, m))
        self.force = force
        self.volume = math.nan
        self._w = 0.0
        self._ws = np.zeros(m)
        self._wj = np.zeros(m)
        self.r_max = max(float(k[-1]) for k in self.knots.values())

    def __call__(self, positions, types, box: float) -> None:
        from scipy.spatial import cKDTree

        x = wrap_into_box(positions, box)
        types = np.asarray(types, int)
        pairs = cKDTree(x, boxsize=box).query_pairs(self.r_max, output_type="ndarray")
        d = x[pairs[:, 0]] - x[pairs[:, 1]]
        d -= box * np.round(d / box)
        r = np.sqrt(np.einsum("ij,ij->i", d, d))
        ta, tb = types[pairs[:, 0]], types[pairs[:, 1]]
        lo, hi = np.minimum(ta, tb), np.maximum(ta, tb)
        s = np.zeros(self._sum.size)
        w = 0.0
        wj = np.zeros(self._sum.size)
        for i, j, name in self.pairs:
            r_p = r[(lo == i) & (hi == j)]
            sl = self.slices[name]
            s[sl] = hat_weights(r_p, self.knots[name])
            if self.force is not None:
                r_in = r_p[r_p < self.knots[name][-1]]
                w -= float(np.sum(r_in * self.force[name](r_in)))
                wj[sl] = hat_slopes(r_p, self.knots[name])
        self._sum += s
        self._outer += np.outer(s, s)
        self.frames += 1
        if self.force is not None:
            self._w += w
            self._ws += w * s
            self._wj += wj
            self.volume = float(box) ** 3

    def mean(self) -> np.ndarray:
        return self._sum / max(self.frames, 1)

    def covariance(self) -> np.ndarray:
        """The joint covariance of all pairs' counts (cross-pair blocks included)."""
        mean = self.mean()
        return self._outer / max(self.frames, 1) - np.outer(mean, mean)

    def pressure_gradient(self) -> np.ndarray:
        """∂⟨P⟩/∂c_j = (Cov(W, S_j) − ⟨W_j⟩)/(3V) for every stacked coefficient (needs ``force``)."""
        n = max(self.frames, 1)
        cov_ws = self._ws / n - (self._w / n) * self.mean()
        return (cov_ws - self._wj / n) / (3.0 * self.volume)


def pairs_per_shell(counts, volume: float, i: int, j: int) -> float:
    """Pairs of species i and j per unit g(r) and unit volume of separation: N_i N_j/V for
    unlike species, N_i²/2V for like ones (N²/2V for one species).
    """
    n_i, n_j = float(counts[i]), float(counts[j])
    return n_i * n_j / volume if i != j else 0.5 * n_i * n_i / volume


def mixture_imc_step(comp, grids: dict, res: dict, sampler: MixturePairCounts, counts, volume: float,
                     pressure: float | None = None, pressure_run: float | None = None) -> dict:
    """The IMC step ΔU per pair on its grid [k_BT], all pairs solved together.

    Args:
        res: Pair name → (g_target, g_run, combined error) on the pair's grid.
        counts: Particles per species in the run; ``volume`` the box volume [σ³].
        pressure, pressure_run: Target and run pressure [k_BT/σ³]: with both, the step also
            meets the target pressure to first order (least change of the pair counts).
    """
    ds, free = [], []
    for i, j, name in sampler.pairs:
        g_t, g_r, err = res[name]
        knots = sampler.knots[name]
        ds.append(np.append(count_change(grids[name], denoise(g_r - g_t, err),
                                         pairs_per_shell(counts, volume, i, j), knots), 0.0))
        free.append(np.append(resolved_knots(grids[name], knots, g_r > G_RESOLVED), False))  # cut-off fixed
    row = None
    if pressure is not None and pressure_run is not None and sampler.force is not None:
        row = (sampler.pressure_gradient(), pressure - pressure_run)
    cov = sampler.covariance()
    free = np.concatenate(free) & (np.diag(cov) > 0)
    dc = solve_counts(cov, np.concatenate(ds), free, row)
    out = {}
    for _, _, name in sampler.pairs:
        sl = sampler.slices[name]
        g_t, g_r, err = res[name]
        du = on_grid_from_knots(grids[name], sampler.knots[name], dc[sl][:-1], free[sl][:-1])
        closed = (g_r <= G_RESOLVED) & (g_t > G_RESOLVED)
        if closed.any():  # where the run has no pairs C says nothing: IBI opens what the target holds
            ibi = log_ratio_update(grids[name], g_r, g_t, comp.density, err)
            du = np.where(closed, ibi, du)
        out[name] = smooth(du)
    return out


def mixture_sampler(comp, grids: dict, tables: dict | None, steps: int) -> MixturePairCounts:
    """The pair-count sampler of an IMC iteration: knots per pair from its grid; with
    ``tables`` (pair → PairTable, when a pressure is targeted) the virial terms too.
    """
    knots = {name: knots_for(grids[name][-1], grids[name][0]) for name in grids}
    force = None if tables is None else {p: (lambda r, t=t: t.evaluate(r)[1]) for p, t in tables.items()}
    return MixturePairCounts(comp.pairs(), knots, steps, force=force)
