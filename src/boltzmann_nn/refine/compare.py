"""How far a simulated g(r) is from the target, measured against their statistical errors.

On the target's points up to the run's range, the run's g first averaged over the target's
bins where those are wider than its own (:func:`as_binned`): Δg = g_run − g_target and the combined error
σ² = σ_target² + σ_run² (the run's from its block averages, pooled over neighbouring bins
like the target's: :func:`~boltzmann_nn.refine.target.pool_error`). The distance is L_MSE
= mean Δg² (the paper's measure); the noise level is mean σ², what L_MSE would be for a
perfect potential. The match is *within noise* when χ²/n = mean(Δg²/σ²) over the
informative points (where either g is above :data:`G_INFORMATIVE`) does not exceed 1 +
3√(2/n), the χ² distribution's three-standard-deviation bound for n independent points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .binning import WIDER, shell_average, uniform_spacing
from .target import ERR_FLOOR, Target, pool_error

#: Points where both g(r) lie below this carry no information (the core).
G_INFORMATIVE = 1e-3


@dataclass
class Comparison:
    """The result of :func:`compare` (arrays on the compared target points)."""

    r: np.ndarray
    g_target: np.ndarray
    g_run: np.ndarray
    dg: np.ndarray
    dg_err: np.ndarray
    l_mse: float
    noise_mse: float
    target_noise_mse: float
    run_noise_mse: float
    chi2: float
    chi2_bound: float
    max_dg: float
    max_dg_r: float
    max_dg_err: float

    @property
    def within_noise(self) -> bool:
        return self.chi2 <= self.chi2_bound

    def summary(self) -> dict:
        return {"l_mse": self.l_mse, "noise_mse": self.noise_mse, "chi2": self.chi2,
                "target_noise_mse": self.target_noise_mse, "run_noise_mse": self.run_noise_mse,
                "chi2_bound": self.chi2_bound, "within_noise": self.within_noise,
                "max_dg": self.max_dg, "max_dg_r": self.max_dg_r, "max_dg_err": self.max_dg_err}


def compare(target: Target, r_run, g_run, g_err_run=None, r_max: float | None = None) -> Comparison:
    """Compare a simulated g(r) (interpolated onto the target's points) with the target.

    Args:
        target: The :class:`~boltzmann_nn.refine.target.Target`.
        r_run, g_run, g_err_run: The run's g(r) and its standard error (None: 0).
        r_max: Compare up to here [σ] (default: as far as both reach).
    """
    r_run, g_run, g_err_run = as_binned(target, r_run, g_run, g_err_run)
    err_run = np.zeros_like(g_run) if g_err_run is None else pool_error(r_run, g_run, g_err_run)
    reach = min(target.r[-1], r_run[-1]) if r_max is None else min(r_max, target.r[-1], r_run[-1])
    sel = (target.r >= r_run[0]) & (target.r <= reach + 1e-12)
    r = target.r[sel]
    gt = target.g[sel]
    gr = np.interp(r, r_run, g_run)
    er = np.interp(r, r_run, err_run)
    dg = gr - gt
    var = target.err[sel] ** 2 + er**2
    info = (gt > G_INFORMATIVE) | (gr > G_INFORMATIVE)
    n = max(int(info.sum()), 1)
    chi2 = float(np.sum(dg[info] ** 2 / np.maximum(var[info], ERR_FLOOR**2)) / n)
    i = int(np.argmax(np.abs(dg)))
    return Comparison(
        r=r, g_target=gt, g_run=gr, dg=dg, dg_err=np.sqrt(var), l_mse=float(np.mean(dg**2)),
        noise_mse=float(np.mean(var)), target_noise_mse=float(np.mean(target.err[sel] ** 2)),
        run_noise_mse=float(np.mean(er**2)), chi2=chi2, chi2_bound=1.0 + 3.0 * math.sqrt(2.0 / n),
        max_dg=float(abs(dg[i])), max_dg_r=float(r[i]), max_dg_err=float(np.sqrt(var[i])),
    )


def binned(target: Target, r_run) -> bool:
    """Whether a run on the points ``r_run`` is compared through the target's bins."""
    width = target.bin_width
    d = uniform_spacing(r_run)
    return width is not None and d is not None and width >= WIDER * d


def as_binned(target: Target, r_run, g_run, g_err_run=None):
    """The run's g (and error, or None) as the target's bins see it: (r, g, err) on the
    target's points within the run's range, each the average over the target's bin
    (:func:`~boltzmann_nn.refine.binning.shell_average`) where those bins are wider than
    the run's; otherwise the run's own (r, g, err).
    """
    r_run = np.asarray(r_run, float)
    g_run = np.asarray(g_run, float)
    if binned(target, r_run):
        width = target.bin_width
        at = target.r[target.r <= r_run[-1] + 0.5 * (r_run[-1] - r_run[-2]) - 0.5 * width]
        if at.size >= 2:
            err = np.zeros_like(g_run) if g_err_run is None else np.asarray(g_err_run, float)
            g, e = shell_average(r_run, g_run, err, width, at)
            return at, g, (None if g_err_run is None else e)
    return r_run, g_run, g_err_run


def run_error(grid, r_run, g_run, g_err_run) -> np.ndarray:
    """A run's (pooled) standard error of g on ``grid``."""
    return np.interp(grid, r_run, pool_error(r_run, g_run, g_err_run))


def on_grid(grid, target: Target, r_run, g_run, g_err_run):
    """Target g, run g (seen through the target's bins, :func:`as_binned`) and their
    combined standard error on ``grid`` (each shape (n,)).
    """
    r_run, g_run, g_err_run = as_binned(target, r_run, g_run, g_err_run)
    g_t = np.interp(grid, target.r, target.g)
    g_r = np.interp(grid, r_run, g_run)
    err = np.hypot(np.interp(grid, target.r, target.err), run_error(grid, r_run, g_run, g_err_run))
    return g_t, g_r, err
