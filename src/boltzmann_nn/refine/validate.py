"""Validation: simulate a potential at the target's state and compare the g(r)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..engines.base import PRECISE_RDF_EVERY, StatePoint
from ..errors import InputError
from .compare import Comparison, compare
from .target import Target

#: A run's g(r) bins per bin of the target's.
SUB_BINS = 4


def run_state(target: Target, *, steps: int, equilibration: int, blocks: int = 20, seed: int = 1,
              threads: int = 1) -> StatePoint:
    """The state point of a run compared with ``target``: its density, and g(r) bins
    :data:`SUB_BINS` times finer than the target's over at least its range (5σ minimum),
    so that the run's g can be averaged over the target's bins
    (:func:`~boltzmann_nn.refine.compare.as_binned`).
    """
    spacing = float(np.median(np.diff(target.r)))
    rmax = float(min(max(5.0, target.r[-1]), 100.0))
    bins = int(min(max(200, round(SUB_BINS * rmax / spacing)), 100000))
    return StatePoint(density=target.density, steps=steps, equilibration=equilibration, blocks=blocks,
                      seed=seed, threads=threads, rdf_rmax=rmax, rdf_bins=bins, rdf_every=PRECISE_RDF_EVERY)


@dataclass
class Validation:
    """A simulation of a potential compared with a target (reduced units)."""

    comparison: Comparison
    pressure: float
    pressure_err: float
    pressure_target: float | None
    result: object

    def to_dict(self) -> dict:
        c = self.comparison
        out = {**c.summary(), "pressure": self.pressure, "pressure_err": self.pressure_err,
               "kept": self.result.kept, "flags": self.result.flags, "wall_s": self.result.wall_s,
               "settings": self.result.settings, "r": c.r.tolist(), "g": c.g_run.tolist(),
               "g_target": c.g_target.tolist(), "dg": c.dg.tolist(), "dg_err": c.dg_err.tolist()}
        if self.pressure_target is not None:
            dp = self.pressure - self.pressure_target
            out.update(pressure_target=self.pressure_target, pressure_diff=dp,
                       pressure_rel=dp / self.pressure_target if self.pressure_target else math.nan)
        return out


def validate(potential, target: Target, *, steps: int = 20000, equilibration: int = 10000,
             pressure: float | None = None, seed: int = 1, threads: int = 1, engine: str = "lammps",
             r_max: float | None = None, progress=None) -> Validation:
    """Simulate ``potential`` at the target's density and compare its g(r) with the target.

    Raises:
        InputError: the potential cannot be simulated (no finite cutoff) or the run failed.
    """
    from ..engines.job import check_simulable
    from ..engines.registry import get_engine

    state = run_state(target, steps=steps, equilibration=equilibration, seed=seed, threads=threads)
    check_simulable(potential, state)
    res = get_engine(engine).run(potential, state, progress=progress, early_stop=False)
    if not res.ok or not res.g.size:
        why = res.reason or res.verdict.why or "no g(r)"
        raise InputError(f"the simulation of the potential failed: {why}")
    cmp_ = compare(target, res.r, res.g, res.g_err, r_max=r_max)
    return Validation(cmp_, res.pressure, res.pressure_err, pressure, res)
