"""Figures of a mixture refinement: g_ij and U_ij per pair, and the convergence."""

from __future__ import annotations

import numpy as np

from ..plots import pyplot, save_figure


def _labels(units):
    if units.is_reduced:
        return r"$r/\sigma$", r"$U/k_BT$"
    return f"r [{units.length_unit}]", f"U [{units.energy_unit}]"


def plot_pairs(path, spec, targets: dict, result):
    """One column per pair: target and final g_ij above, start and final U_ij below (the
    U axis spans the well and the first few k_BT of the core, where the pairs differ).
    """
    plt = pyplot()
    units = spec.units
    pairs = list(targets)
    fig, axes = plt.subplots(2, len(pairs), figsize=(3.6 * len(pairs), 6), squeeze=False)
    xl, ul = _labels(units)
    best = result.iterations[result.best]
    first = result.iterations[0]
    for col, p in enumerate(pairs):
        a, b = axes[0, col], axes[1, col]
        t = targets[p]
        a.plot(units.length(t.r), t.g, color="k", lw=1.2, label="target")
        if best.run.ok:
            a.plot(
                units.length(best.run.r),
                best.run.g[p],
                color="C3",
                lw=1,
                ls="--",
                label=f"MD, iteration {result.best}",
            )
        a.axhline(1, color="0.7", lw=0.8)
        a.set_title(p)
        a.set_xlabel(xl)
        a.set_ylabel(r"$g_{ij}(r)$")
        a.set_xlim(0, units.length(result.grids[p][-1]))
        a.legend(fontsize=7)
        grid = result.grids[p]
        u_best = np.asarray(best.u[p])
        u_first = np.asarray(first.u[p])
        b.plot(units.length(grid), units.energy(u_first), color="0.5", lw=1, label="start")
        b.plot(units.length(grid), units.energy(u_best), color="C0", lw=1.2, label="refined")
        lo = min(float(np.min(u_best)), float(np.min(u_first)), -0.5)
        b.set_ylim(units.energy(1.3 * lo), units.energy(max(3.0, -2.0 * lo)))
        b.axhline(0, color="0.7", lw=0.8)
        b.set_xlabel(xl)
        b.set_ylabel(ul)
        b.legend(fontsize=7)
    fig.suptitle(
        f"{', '.join(spec.species)} at x = {', '.join(f'{x:g}' for x in spec.composition.fractions)}"
    )
    fig.tight_layout()
    return save_figure(fig, path)


def plot_convergence(path, result, p_target=None, units=None):
    """Joint χ²/n (and its within-noise bound) per iteration; the pressure beside it, in
    ``units`` (reduced when None).
    """
    from ..units import Units

    units = units or Units()
    plt = pyplot()
    its = [it for it in result.iterations if it.comparison is not None]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    k = [it.iteration for it in its]
    a.semilogy(k, [it.comparison.chi2 for it in its], "o-", color="k", label="all pairs")
    for p in its[0].comparison.pairs if its else {}:
        a.semilogy(k, [it.comparison.pairs[p]["chi2"] for it in its], ".--", lw=0.8, label=p)
    if its:
        a.axhline(its[-1].comparison.chi2_bound, color="C2", lw=0.8, label="within noise")
    a.set_xlabel("iteration")
    a.set_ylabel(r"$\chi^2/n$ of $g_{ij}$")
    a.legend(fontsize=7)
    b.errorbar(k, [units.pressure(it.run.pressure) for it in its],
               [units.pressure(it.run.pressure_err) for it in its], fmt="o-", color="C0")
    if p_target is not None:
        p_target = units.pressure(p_target)
        b.axhline(p_target, color="C3", lw=1.2, ls="--", label="target")
        b.legend(fontsize=7)
        lo, hi = b.get_ylim()
        pad = 0.05 * (max(hi, p_target) - min(lo, p_target))
        b.set_ylim(min(lo, p_target - pad), max(hi, p_target + pad))
    b.set_xlabel("iteration")
    b.set_ylabel(r"$P\sigma^3/k_BT$" if units.is_reduced else f"P [{units.pressure_label}]")
    for ax in (a, b):
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return save_figure(fig, path)
