"""One pipeline for every task: the cross-validation study with its hyperparameter search
(paper Fig. 3 and 6), the final model trained on train+validation, the calibration of its
ensemble spread, its assessment on the test set with the baselines on the same samples
(Fig. 4, 8, 9) and its model card. Each function takes a task
(:class:`~boltzmann_nn.ml.tasks.base.Task`), which says what differs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...io.atomic import atomic_write, atomic_write_json
from ..nets.architectures import ArchConfig
from ..serving.zoo import save_model
from .data import Arrays
from .evaluation import OOD_QUANTILE, spread_scale
from .experiments import best_of, report_directory, run_grid, train_ensemble
from .train import TrainConfig


def hyper_search(task, ds: Arrays, tcfg: TrainConfig, out: Path, archs=("DN", "CN", "UN"),
                 workers: int = 1) -> dict:
    """Best architecture settings per architecture, from the task's search variants."""
    cfgs = [task.search_config(a) for arch in archs for a in task.search[arch]]
    rows = run_grid(task, ds, cfgs, tcfg, out / f"{task.name}_search.jsonl", workers=workers)
    return {arch: ArchConfig(**best_of([r for r in rows if r["config"]["arch"]["arch"] == arch],
                                       task.keys[0])["config"]["arch"]) for arch in archs}


def study(task, ds: Arrays, tcfg: TrainConfig, out_dir, archs=("DN", "CN", "UN"), search: bool = True,
          workers: int = 1) -> dict:
    """The task's full grid of variants, 4-fold CV; its table and figure."""
    out = Path(out_dir)
    task.prepare(ds)
    if search:
        best = hyper_search(task, ds, tcfg, out, archs, workers)
    else:
        best = {a: task.search[a][0] for a in archs}
    rows = run_grid(task, ds, task.study_configs(best, archs), tcfg, out / f"{task.name}_cv.jsonl",
                    workers=workers)
    base = task.baselines(ds, np.nonzero(ds.fold >= 0)[0])
    table, fig = task.cv_report(rows, base, out, archs)
    atomic_write(out / f"{task.name}_cv_table.md", table)
    return {"rows": len(rows), "best": best_of(rows, task.keys[0])["name"], task.baselines_key: base,
            "table": str(out / f"{task.name}_cv_table.md"), "figure": str(fig),
            "search": {a: c.as_dict() for a, c in best.items()}}


def train_final(task, ds: Arrays, cfg, tcfg: TrainConfig, members: int, out_dir, name: str | None = None,
                progress: bool = True, report_dir=None, committee: bool = False) -> dict:
    """Train on train+validation, assess once on the test set, save weights, card, figures
    and report (``NAME_assessment.md``, ``NAME_report.json``).

    With ``committee`` the ensemble is one member per fold (each stops early on the fold it
    left out) and the spread is calibrated on those held-out folds (``spread_scale``);
    otherwise ``members`` seeds learn all of train+validation.
    """
    name = name or task.name
    out = Path(out_dir)
    rep_dir = report_directory(out, report_dir)
    models, reports, scale, ood = train_ensemble(task, calibrate, ds, cfg, tcfg, members, committee, progress)
    res, figures, extra = assess(task, ds, models, cfg, rep_dir, name, scale)
    atomic_write(rep_dir / f"{name}_assessment.md", res.pop("test_evaluation_md"))
    fields = task.card_fields(ds, cfg)
    card_extra = {
        "inputs": fields.pop("inputs"),
        "spread_scale": scale,
        "spread_ood": ood if ood is not None else res["test_evaluation"]["spread_ood"],
        "best_epochs": [r["history"]["best_epoch"] for r in reports] if committee else None,
        "dataset_hash": ds.dataset_hash,
        **{k: v for k, v in fields.items() if k != "domain"},
        "metrics": res, "train_config": tcfg.as_dict(),
        "training_seconds": float(sum(r["history"]["seconds"] for r in reports)),
        "training_device": reports[0]["history"]["device"],
        "domain": fields["domain"],
    }
    card = save_model(out, name, task.name, models, cfg, card_extra).to_dict()
    if task.name == "inverse":  # what its data covered, judged on its own predictions
        from ..serving.coverage_build import write_coverage

        card["domain"] = write_coverage(ds, out / f"{name}.json")
    atomic_write_json(rep_dir / f"{name}_report.json", {"card": card, **figures, **extra}, indent=1)
    return {"card": card, **figures}


def ensemble_predictions(task, models, inputs: dict) -> np.ndarray:
    """Every member's prediction, stacked: shape (members, n, …)."""
    return np.stack([task.predict(m, inputs) for m in models])


def calibrate(task, ds: Arrays, models, cfg, held) -> tuple[float, float]:
    """Spread calibration of a fold committee on the runs each member never saw: the factor
    that makes |error of member k| <= 2·spread hold for 95 % of them (the task says what
    counts: pressures, or grid points with U <= U_cut), and the calibrated per-sample spread
    above which an input counts as out of the training distribution (99th percentile).
    """
    err, spread, per_sample = [], [], []
    for k, idx in enumerate(held):
        members = ensemble_predictions(task, models, task.inputs(ds, idx, cfg))
        e, s, p = task.calibration_terms(ds, idx, members, k)
        err.append(e)
        spread.append(s)
        per_sample.append(p)
    scale = spread_scale(np.concatenate(err), np.concatenate(spread))
    return scale, float(np.quantile(scale * np.concatenate(per_sample), OOD_QUANTILE))


def assess(task, ds: Arrays, models, cfg, rep_dir, name: str | None = None, scale: float = 1.0):
    """Metrics of an ensemble on the train+validation and test sets with the baselines on
    the same samples, the test evaluation (bootstrap intervals, strata, coverage), and the
    task's figures in ``rep_dir``.

    Returns:
        ``(metrics, figures, extra)``: figures and extra (the inverse task's transfer
        spread) as they go into the report.
    """
    name = name or task.name
    rep_dir = Path(rep_dir)
    rep_dir.mkdir(parents=True, exist_ok=True)
    tr, te = ds.split(None)
    res, parts = {}, {}
    for part, idx in (("train", tr), ("test", te)):
        members = ensemble_predictions(task, models, task.inputs(ds, idx, cfg))
        mean = members.mean(axis=0)
        parts[part] = (idx, members, mean)
        res[part] = task.metrics(ds, idx, mean)
        res[f"{part}_baselines"] = task.baselines(ds, idx)
        if part == "test":
            res["test_evaluation"], res["test_evaluation_md"] = task.evaluation(ds, idx, members, scale)
    res.update(task.extra_metrics(ds, te, cfg, models))
    figures, extra = task.figures(ds, models, cfg, parts, rep_dir, name)
    return res, figures, extra
