"""MD of a mixture through OpenMM (CPU, CUDA or OpenCL): the mixture protocol of
:mod:`.md` on an OpenMM context.

Units as the one-species engine (:mod:`boltzmann_nn.engines.openmm`): σ = 1 nm,
k_BT = 1 kJ/mol, m = 1 amu for every species. All pairs are one ``CustomNonbondedForce``
with energy ``table(r, S·t₁ + t₂)``: a ``Continuous2DFunction`` whose rows are the pairs'
U on one even grid in r (each pair 0 beyond its own cut-off), the species index t a
per-particle parameter (the spline is exact at integer t, as in the ``openmm_pairs.py`` the
refinement writes). The virial pressure comes from the energies of the configuration
scaled to V(1 ± ε), every partial g_ij from periodic k-d tree pair counts between the
species' positions every ``RDF_EVERY`` steps (like pairs over N_a²/2V, unlike over
N_a N_b/V, as the one-species engine normalises).
"""

from __future__ import annotations

import math

import numpy as np

from ..engines.base import StatePoint
from ..engines.diagnostics import wrap_into_box
from ..engines.openmm import (
    OPENMM_TABLE_POINTS,
    RDF_EVERY,
    SAMPLE_EVERY,
    _openmm,
    langevin_context,
    sample_state,
    warm_up_context,
)
from .system import Composition, PairPotentials, pair_index


def pair_values(pots: PairPotentials, points: int) -> tuple[float, float, np.ndarray]:
    """(r₀, r_cut, U) with U of shape (S², points) on an even grid from r₀ to the largest
    cut-off: row S·a + b (and S·b + a) is pair (a, b), below its table start its first value.
    """
    starts = {name: p.table_start() for name, p in pots.items()}
    r0 = min(starts.values())
    r0 = 0.0 if r0 < 1e-3 else r0
    r_cut = max(float(p.r_cut) for _, p in pots.items())
    r = np.linspace(r0, r_cut, points)
    s = len(pots.species)
    rows = np.zeros((s * s, points))
    for i, j, name in pair_index(pots.species):
        with np.errstate(all="ignore"):
            u = pots[name].evaluate(np.maximum(r, starts[name]))[0]
        if not np.all(np.isfinite(u)):
            raise ValueError(f"the {name} potential is not finite on its table")
        rows[s * i + j] = rows[s * j + i] = u
    return r0, r_cut, rows


class OpenMMMixtureRun:
    """One OpenMM mixture simulation (the run object of :func:`.md._procedure`)."""

    def __init__(self, pots: PairPotentials, comp: Composition, state: StatePoint, n: int, box: float,
                 types: np.ndarray, platform: str = "auto", table_points: int = OPENMM_TABLE_POINTS):
        mm = _openmm()
        self.mm, self.comp, self.state, self.n, self.box = mm, comp, state, n, box
        self.types = np.asarray(types, int)
        s = comp.n_species
        r0, r_cut, rows = pair_values(pots, table_points)
        force = mm.CustomNonbondedForce(f"table(max(r, {r0!r}), {s}*t1 + t2)")
        force.addPerParticleParameter("t")
        # Continuous2DFunction: values[i + xsize*j], i along r, j along the pair row
        values = rows.ravel().tolist()
        table = mm.Continuous2DFunction(table_points, s * s, values, r0, r_cut, 0, s * s - 1)
        force.addTabulatedFunction("table", table)
        force.setNonbondedMethod(mm.CustomNonbondedForce.CutoffPeriodic)
        force.setCutoffDistance(r_cut)
        force.setUseLongRangeCorrection(False)
        for t in self.types:
            force.addParticle([float(t)])
        self.integrator, self.context, self.platform = langevin_context(mm, force, state, n, box, platform)
        self.pairs = pair_index(comp.species)
        self.counts = np.bincount(self.types, minlength=s)

    # --- the mixture protocol ----------------------------------------------------------
    def warm_up(self, steps: int) -> None:
        from ..engines.protocol import WARMUP_MAX_DISPLACEMENT

        warm_up_context(self.mm, self.context, self.integrator, steps, self.state.dt, WARMUP_MAX_DISPLACEMENT)

    def advance(self, steps: int) -> None:
        self.integrator.step(steps)

    def positions(self) -> np.ndarray:
        st = self.context.getState(getPositions=True)
        return np.asarray(st.getPositions(asNumpy=True)._value, float)

    def sorted_types(self) -> np.ndarray:
        return self.types

    def n_atoms(self) -> int:
        return self.n

    def start_production(self, block: int) -> None:
        if block % SAMPLE_EVERY or block % RDF_EVERY:
            raise ValueError(f"OpenMM blocks must be multiples of {RDF_EVERY} steps, got {block}")
        self.block = block
        width = self.state.rdf_rmax / self.state.rdf_bins  # the minimum image reaches half the box
        bins = min(self.state.rdf_bins, int(0.5 * self.box / width))
        self.edges = np.linspace(0.0, bins * width, bins + 1)
        self.r = 0.5 * (self.edges[1:] + self.edges[:-1])
        shell = 4.0 / 3.0 * math.pi * (self.edges[1:] ** 3 - self.edges[:-1] ** 3)
        vol = self.box**3
        self.ideal = {
            name: (self.counts[i] * self.counts[j] if i != j else 0.5 * self.counts[i] ** 2) / vol * shell
            for i, j, name in self.pairs
        }

    def _pair_counts(self, x: np.ndarray) -> dict:
        from scipy.spatial import cKDTree

        x = wrap_into_box(x, self.box)
        trees = [cKDTree(x[self.types == a], boxsize=self.box) for a in range(self.comp.n_species)]
        out = {}
        for i, j, name in self.pairs:
            cum = trees[i].count_neighbors(trees[j], self.edges).astype(float)
            if i == j:  # ordered pairs, self included at r = 0
                cum = (cum - self.counts[i]) / 2.0
            out[name] = np.diff(cum)
        return out

    def _sample(self):
        return sample_state(self.mm, self.context, self.box, self.n)

    def run_block(self, sampler=None):
        """One production block: P, E/N, T sampled every SAMPLE_EVERY steps, the partial
        g_ij (and ``sampler``'s frames) every RDF_EVERY steps.
        """
        ps, es, ts = [], [], []
        counts = {name: np.zeros(self.r.size) for _, _, name in self.pairs}
        frames = 0
        for k in range(self.block // SAMPLE_EVERY):
            self.integrator.step(SAMPLE_EVERY)
            p, e, t, x = self._sample()
            ps.append(p)
            es.append(e)
            ts.append(t)
            if ((k + 1) * SAMPLE_EVERY) % RDF_EVERY == 0:
                for name, c in self._pair_counts(x).items():
                    counts[name] += c
                frames += 1
                if sampler is not None:
                    sampler(x, self.types, self.box)
        g = {name: counts[name] / (frames * self.ideal[name]) for name in counts}
        return float(np.mean(ps)), float(np.mean(es)), float(np.mean(ts)), self.r, g

    def close(self) -> None:
        del self.context
