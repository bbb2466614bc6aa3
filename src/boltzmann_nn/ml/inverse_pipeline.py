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
from .experiments import best_of, report_directory, run_grid, train_ensemble
from .metrics import potential_errors, potential_metrics
from .models import ArchConfig
from .options import INVERSE_ALL as ALL_OPTIONS
from .report_inverse import figure_cv, figure_mae_distribution, figure_transfer, render_table
from .train import TrainConfig
from .zoo import save_model

KEYS = ("L_MAE", "L_MSE", "L_MAE_delta")
SEARCH = {
    "DN": [ArchConfig("DN", width=w, depth=d) for w in (128, 256) for d in (2, 3)],
    "CN": [ArchConfig("CN", filters=f, kernel=k, depth=3) for f in (8, 16) for k in (3, 7)],
    "UN": [ArchConfig("UN", filters=8, kernel=k, depth=2) for k in (3, 5)],
}
#: The shipped inverse model: the paper's loss (alpha_pressure 0). The pressure-consistency
#: term (``train inverse --alpha-pressure 0.3``) makes MD of Û keep P (test set: the relative
#: virial error of Û at the run's own g, median 0.64 -> 0.21; LJ at rho = 0.125 and 0.244 no
#: longer separates into gas and liquid in MD) but costs L_MAE (test mean 0.345 -> 0.415, named
#: fluids median 0.103 -> 0.153 against HNC inversion's 0.132); docs/networks.md.
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


def train_final(ds: Arrays, cfg: inverse.InverseConfig, tcfg: TrainConfig, members: int, out_dir,
                name: str = "inverse", progress: bool = True, report_dir=None,
                committee: bool = False) -> dict:
    """Train, assess on the test set and save (see :func:`..eos_pipeline.train_final` for
    ``committee``).
    """
    out = Path(out_dir)
    rep_dir = report_directory(out, report_dir)
    models, reports, scale, ood = train_ensemble(inverse.train_inverse, calibrate, ds, cfg, tcfg, members,
                                                 committee, progress)
    tr, _ = ds.split(None)
    res, figs, transfer = assess(ds, models, cfg, rep_dir, name, scale)
    atomic_write(rep_dir / f"{name}_assessment.md", res.pop("test_evaluation_md"))
    peaks = first_peak(ds.g_r, ds.g_bins[tr])
    card_extra = {
        "inputs": {"g": "g(r) on the 50-point grid", "options": cfg.options, "density": "reduced"},
        "spread_scale": scale,
        "spread_ood": ood if ood is not None else res["test_evaluation"]["spread_ood"],
        "best_epochs": [r["history"]["best_epoch"] for r in reports] if committee else None,
        "dataset_hash": ds.dataset_hash, "metrics": res, "train_config": tcfg.as_dict(),
        "training_seconds": float(sum(r["history"]["seconds"] for r in reports)),
        "training_device": reports[0]["history"]["device"],
        "domain": {"density": [float(ds.density.min()), float(ds.density.max())],
                   "first_peak": [float(np.quantile(peaks, 0.02)), float(np.quantile(peaks, 0.98))],
                   "first_peak_median": float(np.median(peaks))},
    }
    card = save_model(out, name, "inverse", models, cfg, card_extra)
    atomic_write_json(rep_dir / f"{name}_report.json", {"card": card, "figures": figs, "transfer": transfer},
                      indent=1)
    return {"card": card, "figures": figs}


def calibrate(ds: Arrays, models, cfg: inverse.InverseConfig, held) -> tuple[float, float]:
    """Spread calibration of a fold committee on the runs each member never saw: the factor
    for |U − Û_k| <= 2·spread at 95 % of the grid points with U <= U_cut, and the mean
    (calibrated) spread above which an input counts as out of distribution (99th percentile).
    """
    from .evaluation import OOD_QUANTILE, sample_spread, spread_scale

    err, spread, per_sample = [], [], []
    for k, idx in enumerate(held):
        inputs = inverse.dataset_inputs(ds, idx, cfg)
        u_members = np.stack([inverse.predict(m, inputs) for m in models])
        u = ds.u[idx]
        s = u_members.std(axis=0)
        err.append(np.abs(u - u_members[k])[u <= U_CUT])
        spread.append(s[u <= U_CUT])
        per_sample.append(sample_spread(u, s))
    scale = spread_scale(np.concatenate(err), np.concatenate(spread))
    return scale, float(np.quantile(scale * np.concatenate(per_sample), OOD_QUANTILE))


def assess(ds: Arrays, models, cfg: inverse.InverseConfig, rep_dir, name: str = "inverse",
           scale: float = 1.0):
    """Metrics of an ensemble on the train+validation and test sets with the baselines on
    the same samples; Fig. 8 (p(L_MAE)) and Fig. 9 (transferability) in ``rep_dir``.

    Returns:
        ``(metrics, figure paths, transfer spread)``.
    """
    rep_dir = Path(rep_dir)
    tr, te = ds.split(None)
    res, maes = {}, {}
    from .evaluation import honest_inverse

    for part, idx in (("train", tr), ("test", te)):
        inputs = inverse.dataset_inputs(ds, idx, cfg)
        members = np.stack([inverse.predict(m, inputs) for m in models])
        u_hat = members.mean(axis=0)
        res[part] = potential_metrics(ds.u[idx], u_hat)
        base = baseline_predictions(ds, idx)
        res[f"{part}_baselines"] = {k: potential_metrics(ds.u[idx], v) for k, v in base.items()}
        maes[part] = {"network": potential_errors(ds.u[idx], u_hat)[1],
                      **{k: potential_errors(ds.u[idx], v)[1] for k, v in base.items()}}
        if part == "test":
            res["test_evaluation"], res["test_evaluation_md"] = honest_inverse(ds, idx, members, base, scale)
    figs = [str(figure_mae_distribution(maes, rep_dir / f"fig8_{name}_mae.png")),
            str(_transfer_figure(ds, models, cfg, te, rep_dir / f"fig9_{name}_transfer.png"))]
    return res, figs, transfer_spread(ds, models, cfg, te)


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


def _transfer_figure(ds: Arrays, models, cfg, idx, path):
    """Fig. 9 for the first test potential with kept runs at four densities or more."""
    pots = [p for p in np.unique(ds.potential[idx]) if np.sum(ds.potential[idx] == p) >= 4]
    rows = idx[ds.potential[idx] == pots[0]] if pots else np.array([], int)
    u_hat = np.zeros((0, NN_GRID.n))
    if pots:
        inputs = inverse.dataset_inputs(ds, rows, cfg)
        u_hat = np.mean([inverse.predict(m, inputs) for m in models], axis=0)
    return figure_transfer(ds, rows, u_hat, path)
