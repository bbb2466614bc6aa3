"""Inverse Monte Carlo: a Newton step whose Jacobian is the run's own pair-count
covariance (:mod:`boltzmann_nn.refine.pair_counts`), with no closure. A run samples the
pair counts (and, with a target pressure, the pair virial) on its production frames; the
step is computed from that run (:meth:`IMC.measure`) and, with a target pressure, meets
it as a constraint. Without enough frames (a failed sampler) the step falls back on the
HNC Jacobian (``ihnc``), pressure ramp included.
"""

from __future__ import annotations

import numpy as np

from ..compare import on_grid
from ..pair_counts import IMC_MIN_STEPS, MIN_FRAMES, PairCountSampler, imc_step, knots_for
from ..updates import G_RESOLVED, denoise, smooth
from .base import Direction, Residual
from .ibi import IBI
from .ihnc import IHNC


class IMC(IHNC):
    name = "imc"
    summary = "inverse Monte Carlo, a Newton step with the run's own pair-count covariance"
    fitted_step = True
    min_steps = IMC_MIN_STEPS

    def sampler(self, grid, table, steps: int, pressure: float | None):
        force = (lambda r: table.evaluate(r)[1]) if pressure is not None else None
        return PairCountSampler(knots_for(grid[-1], grid[0]), steps, force=force)

    def measure(self, grid, target, result, sampler, pressure: float | None):
        """The full IMC step from a run and its pair-count frames (None: too few frames);
        with a target ``pressure``, the step that also meets it (see :func:`imc_step`).
        """
        if sampler is None or sampler.frames < MIN_FRAMES:
            return None
        g_t, g_r, err = on_grid(grid, target, result.r, result.g, result.g_err)
        row = None
        if pressure is not None and sampler.force is not None:
            row = (sampler.pressure_gradient(), pressure - result.pressure)
        du = imc_step(grid, denoise(g_r - g_t, err), target.density, int(result.settings["n_particles"]),
                      sampler.knots, sampler.covariance(), g_r > G_RESOLVED, pressure=row)
        closed = (g_r <= G_RESOLVED) & (g_t > G_RESOLVED)
        if closed.any():  # where the run has no pairs C says nothing: IBI opens what the target holds
            du = np.where(closed, IBI().update(grid, g_r, g_t, target.density, err), du)
        return smooth(du)

    def direction(self, res: Residual) -> Direction:
        if res.measured is not None:  # the pressure, where given, is part of the IMC step
            return Direction(res.measured, with_pressure=True)
        return super().direction(res)
