"""Iterative Boltzmann inversion (VOTCA's default): ΔU = ln(g_run/g_target), denoised and
smoothed (:func:`~boltzmann_nn.refine.updates.log_ratio_update`); a target pressure adds
VOTCA's linear pressure correction. Its step length is kept as VOTCA runs it (the loop
doubles it back towards 1 after an improvement), not fitted.
"""

from __future__ import annotations

from ..updates import log_ratio_update, votca_pressure_correction
from .base import Direction, RefinementMethod, Residual


class IBI(RefinementMethod):
    name = "ibi"
    summary = "iterative Boltzmann inversion"

    def update(self, r, g_run, g_target, density: float, err=None):
        """ΔU on ``r`` (shape (n,)) [k_BT] from the two g(r) and their combined error."""
        return log_ratio_update(r, g_run, g_target, density, err)

    def direction(self, res: Residual) -> Direction:
        return Direction(self.update(res.grid, res.g_run, res.g_target, res.density, res.err))

    def pressure_before_scaling(self, du, res: Residual):
        if res.pressure_target is None:
            return du
        return du + votca_pressure_correction(res.grid, res.grid[-1], res.pressure_run, res.pressure_target,
                                              res.density)
