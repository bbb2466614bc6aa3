"""The network's Û at the resolution of the g(r) it was given.

The inverse network predicts Û at 50 points 0.102σ apart. Where a potential is steep — the
rise of the repulsion from g ≈ 0 to the first peak, 0.1–0.3σ wide — a cubic through points
that far apart misses U by up to a few 0.1 k_BT, and g(r) from MD of such a table misses
the target even where every grid value is right: the true potential of held-out test runs,
sampled on the grid and tabulated, gives back g(r) with L_MSE up to 2.6·10⁻³ where its own
noise is 4·10⁻⁵ (docs/networks.md, "Û between the grid points").

A model that predicts a correction to HNC inversion (options ``h`` and ``r``: Û = U_HNC +
S·o) says more than 50 values: its correction Û − U_HNC, the bridge function's share of U,
is smooth where U is steep. :func:`fine_potential` adds that correction, interpolated, to
HNC inversion on the g(r) bins themselves, wherever g resolves U there; elsewhere (the core,
where g is tiny, and beyond the bins) the grid values stay.
"""

from __future__ import annotations

import numpy as np

from ...pchip import Pchip
from ...theory.inversion import G_FLOOR, hnc_inversion
from ...units import U_CUT

#: Below this g(r) a run holds almost no pairs (U >= ~5 k_BT there): bins that resolve U too
#: poorly for HNC inversion, and the MD table's hard core from the origin (``core_from_origin``).
G_RESOLVED = G_FLOOR**0.25


def fine_potential(grid_r, u_grid, u_hnc_grid, r_bins, g_bins, density: float, core) -> tuple:
    """Points of Û at the bins' resolution: ``(r, U)`` to tabulate in place of the grid's.

    Args:
        grid_r: Network grid, shape (m,) [σ].
        u_grid: Û on the grid, shape (m,) [k_BT].
        u_hnc_grid: The HNC inversion the network's output corrects, on the grid (capped at
            U_cut as the network saw it), shape (m,) [k_BT].
        r_bins, g_bins: The g(r) that was inverted, shape (n,).
        density: ρ [σ⁻³].
        core: Grid points of the hard core from the origin (kept as grid values), shape (m,).

    Returns:
        ``(r, U)`` increasing: the grid points outside the bins' resolved range and, inside
        it, every bin with U = U_HNC(bin) + (Û − U_HNC) interpolated (PCHIP) from the grid.
        Bins no finer than the grid give the grid back.
    """
    grid_r, u_grid, u_hnc_grid = (np.asarray(a, float) for a in (grid_r, u_grid, u_hnc_grid))
    r_bins, g_bins = np.asarray(r_bins, float), np.asarray(g_bins, float)
    spacing = float(np.median(np.diff(r_bins)))
    if spacing >= float(np.median(np.diff(grid_r))):
        return grid_r, u_grid
    # the correction where the network saw a resolved HNC inversion (below U_cut)
    known = u_hnc_grid < U_CUT
    if known.sum() < 4:
        return grid_r, u_grid
    correction = Pchip(grid_r[known], (u_grid - u_hnc_grid)[known])
    core = np.asarray(core, bool)
    # from beyond the last grid point of the hard core; the correction held at its end values
    edge = float(grid_r[core][-1]) if core.any() else -np.inf
    u_hnc = hnc_inversion(r_bins, g_bins, density)
    k_lo, k_hi = grid_r[known][0], grid_r[known][-1]
    # the grid's last point (the cutoff of Û) stays; bins closer to it than a quarter bin do not
    top = min(k_hi, grid_r[-1] - 0.25 * spacing)
    use = (r_bins > edge) & (r_bins <= top) & (g_bins >= G_RESOLVED) & (u_hnc < U_CUT)
    if use.sum() < 2:
        return grid_r, u_grid
    # one contiguous range of bins; a bin inside it that HNC cannot resolve takes the grid's cubic
    first, last = np.nonzero(use)[0][[0, -1]]
    rb = r_bins[first:last + 1]
    on_grid = Pchip(grid_r, u_grid)(rb)
    ub = np.where(use[first:last + 1], u_hnc[first:last + 1] + correction(np.clip(rb, k_lo, k_hi)), on_grid)
    outside = (grid_r < rb[0] - 0.25 * spacing) | (grid_r > rb[-1] + 0.25 * spacing)
    r = np.concatenate([grid_r[outside], rb])
    u = np.concatenate([u_grid[outside], np.minimum(ub, U_CUT)])
    order = np.argsort(r)
    return r[order], u[order]
