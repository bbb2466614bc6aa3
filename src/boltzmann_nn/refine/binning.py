"""A run's g(r) seen through the target's bins.

Every RDF tool (VOTCA's ``csg_stat``, MDAnalysis, GROMACS, LAMMPS) writes g(r) as a
histogram: the value at r is the average over the shell [r − Δ/2, r + Δ/2], not g at r.
Where g is curved the two differ by about g″Δ²/24 — on the first peak of SPC/E water
with VOTCA's Δ = 0.01 nm, 0.02, five times the noise of a long run. A run sampled on
finer bins is compared with such a target only after the same averaging
(:func:`shell_average`); otherwise a refinement chases the bin width (it lowers the peak
to meet the average) and never reaches the noise level.
"""

from __future__ import annotations

import numpy as np

#: The run's g is averaged only where the target's bins are at least this much wider.
WIDER = 1.5


def uniform_spacing(r) -> float | None:
    """The spacing of ``r`` where it is uniform (within 1 %), else None."""
    d = np.diff(np.asarray(r, float))
    if d.size < 2 or d.min() <= 0:
        return None
    return float(np.median(d)) if d.max() - d.min() <= 0.01 * d.max() else None


def shell_average(r, g, err, width: float, at):
    """The run's g (and its standard error) averaged over the shells [x − w/2, x + w/2]
    around each point x of ``at``, from a histogram with bin centres ``r`` (uniform), each
    run bin weighted by the volume it shares with the shell; the errors of the bins are
    taken as independent. None where ``width`` is not :data:`WIDER` times the run's own
    bin width (or the run's bins are not uniform): then there is nothing to average.
    """
    r = np.asarray(r, float)
    g = np.asarray(g, float)
    err = np.asarray(err, float)
    at = np.asarray(at, float)
    d = uniform_spacing(r)
    if d is None or width < WIDER * d:
        return None
    lo_x, hi_x = at - 0.5 * width, at + 0.5 * width
    first = np.floor((lo_x - (r[0] - 0.5 * d)) / d).astype(int)
    num = np.zeros_like(at)
    var = np.zeros_like(at)
    den = np.zeros_like(at)
    for off in range(int(np.ceil(width / d)) + 2):
        j = first + off
        ok = (j >= 0) & (j < r.size)
        jj = np.clip(j, 0, r.size - 1)
        a = np.maximum(np.maximum(r[jj] - 0.5 * d, lo_x), 0.0)
        b = np.minimum(r[jj] + 0.5 * d, hi_x)
        w = np.where(ok & (b > a), (b**3 - a**3) / 3.0, 0.0)
        num += w * g[jj]
        var += w**2 * err[jj] ** 2
        den += w
    safe = np.maximum(den, 1e-300)
    return np.where(den > 0, num / safe, 0.0), np.where(den > 0, np.sqrt(var) / safe, 0.0)


def bin_mixing(grid, width: float, r_run, g_run, points: int = 40) -> np.ndarray | None:
    """How the potential's points share each target bin: row i of W (shape (n, n)) holds
    the weights ∫_bin r² g φ_j dr / ∫_bin r² g dr of the hats φ_j on ``grid`` over the shell
    of ``width`` around ``grid[i]``, with g the run's fine histogram. A change δU of the
    potential's points moves the bin average of g by −ḡ_i Σ_j W_ij δU_j (at fixed indirect
    correlation), so the local step that meets a bin's ln(g_run/g_target) is W⁻¹ of it, not
    the point's own value: on a steep core edge half of a bin's pairs sit under the next
    point's hat. Rows where the run has no pairs are the identity. None where ``grid`` is not
    uniform with spacing ``width`` (the last point, the cut-off, aside).
    """
    grid = np.asarray(grid, float)
    inner = grid[:-1] if grid.size > 2 else grid
    d = uniform_spacing(inner)
    if d is None or abs(d - width) > 0.01 * width:
        return None
    r_run = np.asarray(r_run, float)
    g_run = np.asarray(g_run, float)
    n = grid.size
    u = (np.arange(points) + 0.5) / points - 0.5
    x = grid[:, None] + width * u[None, :]  # (n, points) quadrature nodes of each shell
    wt = np.maximum(x, 0.0) ** 2 * np.interp(x, r_run, g_run, right=1.0)
    w = np.zeros((n, n))
    for j in range(n):
        hat = np.interp(x, grid, np.eye(1, n, j)[0])
        w[:, j] = np.sum(wt * hat, axis=1)
    total = w.sum(axis=1)
    ok = total > 1e-12 * max(float(total.max()), 1e-300)
    w[ok] /= total[ok, None]
    w[~ok] = np.eye(n)[~ok]
    return w
