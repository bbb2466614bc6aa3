"""Inverse: the cross-validation study (Fig. 6), baselines, the final model with p(L_MAE)
(Fig. 8) and transferability across densities (Fig. 9).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..grid import NN_GRID
from ..io.atomic import atomic_write, atomic_write_json
from ..theory.inversion import boltzmann_inversion, first_peak
from ..units import U_CUT
from . import inverse
from .data import Arrays
from .experiments import best_of, report_directory, run_grid, seeds_ensemble
from .features import INVERSE_OPTIONS, INVERSE_OPTIONS_EXTRA
from .metrics import exponential_width, potential_errors, potential_metrics
from .models import ArchConfig
from .train import TrainConfig
from .zoo import save_model

KEYS = ("L_MAE", "L_MSE", "L_MAE_delta")
ALL_OPTIONS = INVERSE_OPTIONS + INVERSE_OPTIONS_EXTRA
SEARCH = {
    "DN": [ArchConfig("DN", width=w, depth=d) for w in (128, 256) for d in (2, 3)],
    "CN": [ArchConfig("CN", filters=f, kernel=k, depth=3) for f in (8, 16) for k in (3, 7)],
    "UN": [ArchConfig("UN", filters=8, kernel=k, depth=2) for k in (3, 5)],
}
SHIPPED = inverse.InverseConfig("hrf", ArchConfig("DN", width=128, depth=3))


def baseline_predictions(ds: Arrays, idx) -> dict:
    """U0 (Boltzmann inversion) and HNC inversion of the MD g(r), on the network grid."""
    u0 = np.minimum(boltzmann_inversion(ds.g[idx]), U_CUT)
    return {"Boltzmann": u0, "HNC": ds.hnc()[idx]}


def baselines(ds: Arrays, idx) -> dict:
    preds = baseline_predictions(ds, idx)
    return {name: potential_metrics(ds.u[idx], u) for name, u in preds.items()}


def hyper_search(ds, tcfg, out: Path, archs, workers: int = 1) -> dict:
    """Best architecture settings per architecture, from the x variants."""
    cfgs = [inverse.InverseConfig("x", a) for arch in archs for a in SEARCH[arch]]
    rows = run_grid(inverse.train_inverse, ds, cfgs, tcfg, KEYS, out / "inverse_search.jsonl",
                    workers=workers)
    return {arch: ArchConfig(**best_of([r for r in rows if r["config"]["arch"]["arch"] == arch],
                                       "L_MAE")["config"]["arch"]) for arch in archs}


def study(ds: Arrays, tcfg: TrainConfig, out_dir, archs=("DN", "CN", "UN"), search=True,
          workers: int = 1) -> dict:
    out = Path(out_dir)
    ds.hnc()  # computed once here, so that worker processes receive it with the data
    best = hyper_search(ds, tcfg, out, archs, workers) if search else {a: SEARCH[a][0] for a in archs}
    configs = [inverse.InverseConfig(o, best[a]) for a in archs for o in ALL_OPTIONS]
    rows = run_grid(inverse.train_inverse, ds, configs, tcfg, KEYS, out / "inverse_cv.jsonl",
                    workers=workers)
    base = baselines(ds, np.nonzero(ds.fold >= 0)[0])
    atomic_write(out / "inverse_cv_table.md", render_table(rows, base))
    fig = figure_cv(rows, base, out / "fig6_inverse_cv.png", archs)
    return {"rows": len(rows), "best": best_of(rows, "L_MAE")["name"], "baselines": base,
            "table": str(out / "inverse_cv_table.md"), "figure": str(fig),
            "search": {a: c.as_dict() for a, c in best.items()}}


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
    from ..plots import _plt, _save

    plt = _plt()
    fig, axes = plt.subplots(1, len(archs), figsize=(4.5 * len(archs), 3.2), squeeze=False)
    by = {(r["config"]["arch"]["arch"], r["config"]["options"]): r for r in rows}
    x = np.arange(len(ALL_OPTIONS))
    for ax, a in zip(axes[0], archs):
        for k, (key, color) in enumerate((("L_MSE", "tab:blue"), ("L_MAE", "tab:green"))):
            vals = [by.get((a, o), {}).get(f"validation_{key}", np.nan) for o in ALL_OPTIONS]
            errs = [by.get((a, o), {}).get(f"validation_{key}_se", 0) for o in ALL_OPTIONS]
            ax.bar(x + 0.4 * k - 0.2, vals, 0.4, yerr=errs, color=color, label=f"<{key}>")
            ax.axhline(base["Boltzmann"][key], color=color, ls="--", lw=0.8)
        ax.set_xticks(x, ALL_OPTIONS)
        ax.set_yscale("log")
        ax.set_title(f"{a} (dashed: Boltzmann inversion)", fontsize=9)
    axes[0][0].legend(fontsize=7)
    return _save(fig, path)


def train_final(ds: Arrays, cfg: inverse.InverseConfig, tcfg: TrainConfig, members: int, out_dir,
                name: str = "inverse", progress: bool = True, report_dir=None) -> dict:
    out = Path(out_dir)
    rep_dir = report_directory(out, report_dir)
    models, reports = seeds_ensemble(inverse.train_inverse, ds, cfg, tcfg, members, progress)
    tr, te = ds.split(None)
    res, maes = {}, {}
    for part, idx in (("train", tr), ("test", te)):
        inputs = inverse.dataset_inputs(ds, idx, cfg)
        u_hat = np.mean([inverse.predict(m, inputs) for m in models], axis=0)
        res[part] = potential_metrics(ds.u[idx], u_hat)
        base = baseline_predictions(ds, idx)
        res[f"{part}_baselines"] = {k: potential_metrics(ds.u[idx], v) for k, v in base.items()}
        maes[part] = {"network": potential_errors(ds.u[idx], u_hat)[1],
                      **{k: potential_errors(ds.u[idx], v)[1] for k, v in base.items()}}
    peaks = first_peak(ds.g_r, ds.g_bins[tr])
    card_extra = {
        "inputs": {"g": "g(r) on the 50-point grid", "options": cfg.options, "density": "reduced"},
        "dataset_hash": ds.dataset_hash, "metrics": res, "train_config": tcfg.as_dict(),
        "training_seconds": float(sum(r["history"]["seconds"] for r in reports)),
        "training_device": reports[0]["history"]["device"],
        "domain": {"density": [float(ds.density.min()), float(ds.density.max())],
                   "first_peak": [float(np.quantile(peaks, 0.02)), float(np.quantile(peaks, 0.98))],
                   "first_peak_median": float(np.median(peaks))},
    }
    card = save_model(out, name, "inverse", models, cfg, card_extra)
    figs = [str(figure_mae_distribution(maes, rep_dir / f"fig8_{name}_mae.png")),
            str(figure_transfer(ds, models, cfg, te, rep_dir / f"fig9_{name}_transfer.png"))]
    atomic_write_json(rep_dir / f"{name}_report.json", {"card": card, "figures": figs,
                                                     "transfer": transfer_spread(ds, models, cfg, te)},
                      indent=1)
    return {"card": card, "figures": figs}


def figure_mae_distribution(maes, path):
    from ..plots import _plt, _save

    plt = _plt()
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
    return _save(fig, path)


def transfer_spread(ds: Arrays, models, cfg, idx) -> dict:
    """For test potentials with kept runs at all four densities: the spread (std over ρ)
    of Û and of U0, averaged over r where U <= U_cut and over potentials.
    """
    pots = [p for p in np.unique(ds.potential[idx]) if np.sum(ds.potential[idx] == p) >= 4]
    spread_nn, spread_u0 = [], []
    for p in pots:
        rows = idx[ds.potential[idx] == p]
        inputs = inverse.dataset_inputs(ds, rows, cfg)
        u_hat = np.mean([inverse.predict(m, inputs) for m in models], axis=0)
        u0 = np.minimum(boltzmann_inversion(ds.g[rows]), U_CUT)
        ok = ds.u[rows[0]] <= U_CUT
        spread_nn.append(float(u_hat[:, ok].std(axis=0).mean()))
        spread_u0.append(float(u0[:, ok].std(axis=0).mean()))
    return {"n_potentials": len(pots), "network": float(np.mean(spread_nn)) if pots else None,
            "Boltzmann": float(np.mean(spread_u0)) if pots else None}


def figure_transfer(ds: Arrays, models, cfg, idx, path):
    from ..plots import _plt, _save

    plt = _plt()
    pots = [p for p in np.unique(ds.potential[idx]) if np.sum(ds.potential[idx] == p) >= 4]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    if pots:
        rows = idx[ds.potential[idx] == pots[0]]
        inputs = inverse.dataset_inputs(ds, rows, cfg)
        u_hat = np.mean([inverse.predict(m, inputs) for m in models], axis=0)
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
    return _save(fig, path)
