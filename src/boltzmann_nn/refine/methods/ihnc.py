"""Iterative HNC: a Newton step with the Jacobian of the HNC closure, ΔU = U_HNC[g_target]
− U_HNC[g_run], where U_HNC[g] = h − c − ln g is the HNC inversion. The OZ term h − c
carries the many-body response that IBI ignores, so the step is close to the full Newton
step in dense liquids, where IBI overshoots and oscillates. Its step length is fitted to
the runs' response; a target pressure adds a linear ramp sized by the virial
(:func:`~boltzmann_nn.refine.updates.virial_ramp`) that meets it in one step.
"""

from __future__ import annotations

import numpy as np

from ..updates import G_RESOLVED, denoise, log_ratio_update, virial_ramp
from .base import Direction, RefinementMethod, Residual


class IHNC(RefinementMethod):
    name = "ihnc"
    summary = "Newton step with the HNC Jacobian"
    fitted_step = True

    def update(self, r, g_run, g_target, density: float, err=None, mixing=None):
        """ΔU on ``r`` (shape (n,)) [k_BT] from the two g(r) and their combined error;
        ``mixing``: how the points share the target's bins (the local term is solved for).
        """
        return log_ratio_update(r, g_run, g_target, density, err, oz_term=True, mixing=mixing)

    def direction(self, res: Residual) -> Direction:
        return Direction(self.update(res.grid, res.g_run, res.g_target, res.density, res.err, res.mixing))

    def pressure_after_scaling(self, du, res: Residual, scale: float, max_du: float):
        """The whole way to the target pressure, whatever the step length of g: the ramp is
        sized for the g(r) the scaled step aims at, and capped like the step.
        """
        if res.pressure_target is None:
            return du
        g_r, g_t = res.g_run, res.g_target
        resolved = (g_r > G_RESOLVED) | (g_t > G_RESOLVED)
        g_next = np.where(resolved, np.maximum(g_r - scale * denoise(g_r - g_t, res.err), 0.0), g_r)
        ramp = virial_ramp(res.grid, res.density, res.pressure_run, res.pressure_target, res.u, g_r, g_next, du)
        return du + ramp * min(1.0, max_du / max(float(np.max(np.abs(ramp))), 1e-300))
