"""One refinement step for all pairs of a mixture together.

* ``ihnc``: the multi-component Newton step with the HNC Jacobian,
  ΔU_ij = U_HNC[g_target]_ij − U_HNC[g_run]_ij with U_HNC[g] = h − c − ln g from the
  matrix Ornstein–Zernike equation: the OZ term of every pair is computed from all partial
  g_kl at once, so each U_ij responds to every g_kl (the cross-pair response that per-pair
  IBI ignores).
* ``ibi``: ΔU_ij = ln(g_run,ij / g_target,ij), pair by pair.
* ``hncgn``: the Gauss–Newton step of :func:`~boltzmann_nn.refine.methods.hncgn.gauss_newton`:
  one least-squares solve for every pair's ΔU against every pair's g residual, with the
  matrix-OZ HNC response of every g_ij to every U_kl at the run's own g and the target
  pressure (the mixture's virial) a constraint of the step, not a ramp.
* ``imc``: the Newton step with the Jacobian measured in the base run, the joint
  covariance of all pairs' pair counts (:mod:`.imc`), computed when that run ends and
  handed in as ``measured`` (the target pressure already in it); without it (too few
  frames) the ``ihnc`` step.

Both denoise and smooth each pair's residual as the one-species update does
(:func:`~boltzmann_nn.refine.updates.log_ratio_update`). A target pressure adds one linear
ramp A(1 − r/r_cut,ij) to every pair, its amplitude sized by the mixture's virial,
βP = ρ − (2π/3)ρ² Σ_ij x_i x_j ∫ r³ U′_ij g_ij dr, so that the step lands on the target to
first order.
"""

from __future__ import annotations

import numpy as np

from ..refine.compare import on_grid
from ..refine.updates import (
    G_RESOLVED,
    denoise,
    log_ratio_update,
    trust_clip,
    trust_scale,
    virial_pressure_change,
)
from ..units import U_CUT

#: Spacing of the common grid on which the matrix OZ term is evaluated [σ].
OZ_DR = 0.01


def pair_weights(comp) -> dict[str, float]:
    """x_i x_j times 2 for unlike pairs: each unordered pair's share of the pair sums."""
    x = comp.x
    return {name: float(x[i] * x[j] * (1 if i == j else 2)) for i, j, name in comp.pairs()}


def residuals(base, grids: dict, targets: dict) -> dict:
    """Per pair: (g_target, g_run, combined error) on the pair's refinement grid."""
    run = base["run"]
    r_run = np.asarray(run["r"], float)
    return {
        p: on_grid(
            grids[p], targets[p], r_run, np.asarray(run["g"][p], float), np.asarray(run["g_err"][p], float)
        )
        for p in grids
    }


def oz_differences(comp, grids: dict, targets: dict, res: dict) -> dict:
    """(h − c)[g_target] − (h − c)[g_run] of every pair from the matrix OZ equation, on
    each pair's grid (the run's g denoised as the update sees it).
    """
    from ..theory.mixture_oz import MixtureOZSolver

    reach = min(float(targets[p].r[-1]) for p in grids)
    r_c = np.arange(OZ_DR, reach + 1e-9, OZ_DR)
    s = comp.n_species
    g_t = np.ones((s, s, r_c.size))
    g_r = np.ones((s, s, r_c.size))
    for i, j, name in comp.pairs():
        g_tp, g_rp, err = res[name]
        g_rd = np.maximum(g_tp + denoise(g_rp - g_tp, err), 0.0)
        grid = grids[name]
        for arr, vals in ((g_t, g_tp), (g_r, g_rd)):
            # below the grid (the core) g is 0; the target's own points where it has them
            arr[i, j] = arr[j, i] = np.where(r_c < grid[0], 0.0, np.interp(r_c, grid, vals))
        below = r_c < grids[name][0]
        g_t[i, j, below] = g_t[j, i, below] = np.interp(r_c[below], targets[name].r, targets[name].g)
        g_r[i, j, below] = g_r[j, i, below] = g_t[i, j, below]
    solver = MixtureOZSolver("hnc", n=max(2048, int(2 ** np.ceil(np.log2(4 * reach / OZ_DR)))), dr=OZ_DR)
    r_s, _, hc_t = solver.indirect(r_c, g_t, comp.x, comp.density)
    _, _, hc_r = solver.indirect(r_c, g_r, comp.x, comp.density)
    return {name: np.interp(grids[name], r_s, hc_t[i, j] - hc_r[i, j]) for i, j, name in comp.pairs()}


def direction(method: str, comp, grids: dict, targets: dict, res: dict) -> dict:
    """ΔU per pair on its grid [k_BT] (before step length and pressure)."""
    oz = oz_differences(comp, grids, targets, res) if method == "ihnc" else {}
    return {
        p: log_ratio_update(grids[p], res[p][1], res[p][0], comp.density, res[p][2], oz_delta=oz.get(p))
        for p in grids
    }


def gauss_newton_part(comp, grids: dict, base: dict, res: dict, p_target: float | None,
                      energy: float = 1.0, weight: float = 1.0) -> tuple:
    """One state's part of :func:`~boltzmann_nn.refine.methods.hncgn.gauss_newton`: its
    pairs' residuals (``res`` from :func:`residuals` of ``base``), pairs, mole fractions,
    k_BT in the shared energy unit and weight.
    """
    from ..refine.methods.base import Residual

    run = base["run"]
    r_run = np.asarray(run["r"], float)
    parts = {p: Residual(grid=grids[p], u=np.asarray(base["u"][p], float), g_target=res[p][0], g_run=res[p][1],
                         err=res[p][2], density=comp.density, pressure_run=run["pressure"],
                         pressure_target=p_target, run_r=r_run, run_g=np.asarray(run["g"][p], float))
             for p in grids}
    return parts, comp.pairs(), comp.x, energy, weight


def gauss_newton_direction(comp, grids: dict, base: dict, res: dict, p_target: float | None) -> dict:
    """ΔU per pair of the constrained Gauss–Newton step (``hncgn``) from the base run."""
    from ..refine.methods.hncgn import gauss_newton

    return gauss_newton([gauss_newton_part(comp, grids, base, res, p_target)])


def pressure_ramp(
    comp, grids: dict, us: dict, res: dict, du: dict, scale: float, p_run: float, p_target: float
) -> dict:
    """The ramp A(1 − r/r_cut) per pair that, added to the scaled step ``du``, moves the
    mixture's virial pressure from ``p_run`` to ``p_target`` to first order (g moving as
    the step means it to; see :func:`~boltzmann_nn.refine.updates.virial_ramp`).
    """
    w = pair_weights(comp)
    moved = per_unit = 0.0
    ramps = {}
    for p, grid in grids.items():
        g_t, g_r, err = res[p]
        resolved = (g_r > G_RESOLVED) | (g_t > G_RESOLVED)
        g_next = np.where(resolved, np.maximum(g_r - scale * denoise(g_r - g_t, err), 0.0), g_r)
        soft = np.asarray(us[p]) < U_CUT
        moved += w[p] * (
            virial_pressure_change(grid, du[p], g_next, comp.density)
            + virial_pressure_change(grid[soft], np.asarray(us[p])[soft], (g_next - g_r)[soft], comp.density)
        )
        ramps[p] = 1.0 - grid / grid[-1]
        per_unit += w[p] * virial_pressure_change(grid, ramps[p], g_next, comp.density)
    if per_unit <= 0:
        return {p: np.zeros_like(g) for p, g in grids.items()}
    amp = (p_target - p_run - moved) / per_unit
    return {p: amp * ramp for p, ramp in ramps.items()}


def next_potentials(
    method: str,
    comp,
    grids: dict,
    targets: dict,
    base: dict,
    alpha: float,
    max_du: float,
    p_target: float | None,
    measured: dict | None = None,
    ramps: dict | None = None,
    p_bias: float = 0.0,
    info: dict | None = None,
) -> dict:
    """The next U per pair on its grid: the base's plus α × the direction, its largest change
    over all pairs, each weighed by how much g it moves, capped at ``max_du`` and the core
    edges clipped there (a trust region, :func:`~boltzmann_nn.refine.updates.trust_scale`),
    plus the pressure ramp and any further ``ramps`` (pair → ΔU, e.g. Kirkwood–Buff; each set
    capped alike); each U shifted to 0 at its cut-off. ``measured``: the IMC step of the base
    run (pair → ΔU), which already meets the target pressure. ``p_bias``: how far the last step's run missed the
    pressure it aimed at, per unit of its step fraction; the ramp then aims that much
    (times this step's fraction) below the target. ``info`` (a dict, if given) receives
    the step fraction (``scale``) and the pressure aimed at (``aim``).
    """
    from ..refine.methods.hncgn import pressure_only

    res = residuals(base, grids, targets)
    if method == "imc" and measured is not None:
        du = {p: np.asarray(measured[p], float) for p in grids}
        p_target = None  # the IMC step is constrained to it
    elif method == "hncgn" and pressure_only(base.get("within_noise", False), p_target):
        du = {p: np.zeros_like(grid) for p, grid in grids.items()}  # the ramp below moves P alone
    elif method == "hncgn":
        du = gauss_newton_direction(comp, grids, base, res, p_target)
        p_target = None  # a constraint of the step
    else:
        du = direction("ihnc" if method == "imc" else method, comp, grids, targets, res)
    pairs = list(grids)
    g_max = [np.maximum(res[p][0], res[p][1]) for p in pairs]
    scale = trust_scale([du[p] for p in pairs], g_max, alpha, max_du)
    du = {p: trust_clip(du[p] * scale, max_du) for p in pairs}
    us = {p: np.asarray(base["u"][p], float) for p in grids}
    extra = [ramps] if ramps is not None else []
    if info is not None:
        info.update(scale=float(scale), aim=None)
    if p_target is not None:
        aim = p_target - p_bias * scale
        extra.insert(0, pressure_ramp(comp, grids, us, res, du, scale, base["run"]["pressure"], aim))
        if info is not None:
            info["aim"] = float(aim)
    for ramp in extra:
        top = max(float(np.max(np.abs(v))) for v in ramp.values())
        cap = min(1.0, max_du / top) if top > 0 else 1.0
        du = {p: d + cap * ramp[p] for p, d in du.items()}
    out = {}
    for p in grids:
        u = us[p] + du[p]
        out[p] = u - u[-1]
    return out
