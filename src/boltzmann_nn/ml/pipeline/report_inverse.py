"""Tables and figures of the inverse study (paper Fig. 6, 8 and 9), apart from training."""

from __future__ import annotations

import numpy as np

from ...grid import NN_GRID
from ...theory.inversion import boltzmann_inversion
from ...units import U_CUT
from ..tasks.options import INVERSE_ALL
from .data import Arrays
from .metrics import exponential_width


def render_table(rows, base) -> str:
    lines = ["| model | L_MSE train | L_MSE validation | L_MAE train | L_MAE validation | δ validation |",
             "|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: r["validation_L_MAE"]):
        lines.append(
            f"| {r['name']} | {r['train_L_MSE']:.4f} ± {r['train_L_MSE_se']:.4f} | "
            f"{r['validation_L_MSE']:.4f} ± {r['validation_L_MSE_se']:.4f} | "
            f"{r['train_L_MAE']:.4f} ± {r['train_L_MAE_se']:.4f} | "
            f"{r['validation_L_MAE']:.4f} ± {r['validation_L_MAE_se']:.4f} | "
            f"{r['validation_L_MAE_delta']:.4f} |")
    for name, m in base.items():
        lines.append(f"| baseline {name} inversion | | {m['L_MSE']:.4f} | | {m['L_MAE']:.4f} | "
                     f"{m['L_MAE_delta']:.4f} |")
    return "\n".join(lines) + "\n"


def figure_cv(rows, base, path, archs):
    from ...plots import pyplot, save_figure

    plt = pyplot()
    fig, axes = plt.subplots(1, len(archs), figsize=(4.5 * len(archs), 3.2), squeeze=False)
    by = {(r["config"]["arch"]["arch"], r["config"]["options"]): r for r in rows}
    x = np.arange(len(INVERSE_ALL))
    for ax, a in zip(axes[0], archs):
        for k, (key, color) in enumerate((("L_MSE", "tab:blue"), ("L_MAE", "tab:green"))):
            vals = [by.get((a, o), {}).get(f"validation_{key}", np.nan) for o in INVERSE_ALL]
            errs = [by.get((a, o), {}).get(f"validation_{key}_se", 0) for o in INVERSE_ALL]
            ax.bar(x + 0.4 * k - 0.2, vals, 0.4, yerr=errs, color=color, label=f"<{key}>")
            ax.axhline(base["Boltzmann"][key], color=color, ls="--", lw=0.8)
        ax.set_xticks(x, INVERSE_ALL)
        ax.set_yscale("log")
        ax.set_title(f"{a} (dashed: Boltzmann inversion)", fontsize=9)
    axes[0][0].legend(fontsize=7)
    return save_figure(fig, path)


def figure_mae_distribution(maes, path):
    from ...plots import pyplot, save_figure

    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, part in zip(axes, ("train", "test")):
        for name, vals in maes[part].items():
            fit = exponential_width(vals)
            ax.hist(vals, bins=30, density=True, histtype="step",
                    label=f"{name}: δ = {fit['delta']:.3g} k_BT")
        ax.set_yscale("log")
        ax.set_xlabel(r"$L_{MAE}$ [$k_BT$]")
        ax.set_ylabel(r"$p(L_{MAE})$")
        ax.set_title(part)
        ax.legend(fontsize=7)
    return save_figure(fig, path)


def figure_transfer(ds: Arrays, rows, u_hat, path):
    """Fig. 9: one potential's Û at every density beside U and U0, and its g(r).

    Args:
        ds: The dataset.
        rows: Rows of one test potential (one per density); may be empty.
        u_hat: The predictions for ``rows``, shape (len(rows), 50) [k_BT].
        path: PNG to write.
    """
    from ...plots import pyplot, save_figure

    plt = pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    if len(rows):
        a.plot(NN_GRID.r, np.minimum(ds.u[rows[0]], U_CUT), "k-", lw=2, label="U")
        for j, i in enumerate(rows):
            a.plot(NN_GRID.r, u_hat[j], color=f"C{j}", label=f"Û, rho = {ds.density[i]:g}")
            a.plot(NN_GRID.r, np.minimum(boltzmann_inversion(ds.g[i]), U_CUT), color=f"C{j}", ls="--")
            b.plot(ds.g_r, ds.g_bins[i], color=f"C{j}", label=f"rho = {ds.density[i]:g}")
        a.set_ylim(min(-2, float(np.min(u_hat)) - 0.5), 10)
        a.legend(fontsize=7)
        b.legend(fontsize=7)
    a.set_xlabel(r"$r/\sigma$")
    a.set_ylabel(r"$U/k_BT$ (dashed: $U_0$)")
    b.set_xlabel(r"$r/\sigma$")
    b.set_ylabel(r"$g(r)$")
    return save_figure(fig, path)

