"""Tables and figures of the EOS study (paper Fig. 3 and 4), apart from training."""

from __future__ import annotations

import numpy as np

from ...theory.virial import low_density_pressure
from ..tasks.options import eos_options_for


def render_table(rows, baseline) -> str:
    lines = ["| model | MRAE train | MRAE validation | ΔZ validation | R² validation |",
             "|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: r["validation_MRAE"]):
        lines.append(f"| {r['name']} | {r['train_MRAE']:.3f} ± {r['train_MRAE_se']:.3f} | "
                     f"{r['validation_MRAE']:.3f} ± {r['validation_MRAE_se']:.3f} | "
                     f"{r['validation_dZ']:.3f} ± {r['validation_dZ_se']:.3f} | "
                     f"{r['validation_R2']:.4f} |")
    for name, m in baseline.items():
        lines.append(f"| baseline {name} | | {m['MRAE']:.3f} | {m['dZ']:.3f} | {m['R2']:.4f} |")
    return "\n".join(lines) + "\n"


def figure_cv(rows, baseline, path, archs, strategies):
    from ...plots import pyplot, save_figure

    plt = pyplot()
    fig, axes = plt.subplots(len(archs), len(strategies), figsize=(4.2 * len(strategies), 2.8 * len(archs)),
                             squeeze=False, sharey=True)
    by = {(r["config"]["arch"]["arch"], r["config"]["strategy"], r["config"]["options"],
           r["config"]["exact_b2"]): r for r in rows}
    for i, a in enumerate(archs):
        for j, s in enumerate(strategies):
            ax = axes[i][j]
            opts = eos_options_for(s)
            for k, part in enumerate(("train", "validation")):
                vals = [by.get((a, s, o, False), {}).get(f"{part}_MRAE", np.nan) for o in opts]
                errs = [by.get((a, s, o, False), {}).get(f"{part}_MRAE_se", 0) for o in opts]
                ax.bar(np.arange(len(opts)) + 0.4 * k - 0.2, vals, 0.4, yerr=errs, label=part)
            ax.axhline(baseline["P0"]["MRAE"], color="k", ls="--", lw=0.8, label="P0")
            ax.set_xticks(range(len(opts)), opts)
            ax.set_yscale("log")
            ax.set_title(f"{a} -> {s}", fontsize=9)
            if j == 0:
                ax.set_ylabel("<MRAE>")
    axes[0][0].legend(fontsize=7)
    return save_figure(fig, path)


def figure_parity(preds, ds, tr, te, path):
    from ...plots import pyplot, save_figure

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    for (part, idx), (c_nn, c_p0), marker in ((("train", tr), ("tab:red", "tab:blue"), "o"),
                                               (("test", te), ("tab:orange", "tab:cyan"), "s")):
        p, p_hat = preds[part]
        p0 = low_density_pressure(ds.density[idx], ds.b2[idx])
        ax.scatter(p, p0, s=8, marker=marker, facecolors="none", edgecolors=c_p0, label=f"P0 ({part})")
        ax.scatter(p, p_hat, s=8, marker=marker, color=c_nn, label=f"network ({part})")
    lim = [min(0.05, float(np.min(preds["train"][0]))), float(np.max(preds["train"][0])) * 1.2]
    ax.plot(lim, lim, "k-", lw=0.8)
    ax.set_xscale("symlog", linthresh=0.1)
    ax.set_yscale("symlog", linthresh=0.1)
    ax.set_xlabel(r"$P\sigma^3/k_BT$ (MD)")
    ax.set_ylabel(r"predicted $P\sigma^3/k_BT$")
    ax.legend(fontsize=7)
    return save_figure(fig, path)
