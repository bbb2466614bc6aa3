"""Training one model of a task, cross-validation grids and ensembles (paper §2.1).

Each result row is appended to a JSON-lines file as soon as it exists, so a long grid
resumes where it stopped (rows already present are skipped).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from .data import Arrays
from .metrics import mean_se
from .train import fit

FOLDS = (0, 1, 2, 3)


def _rows(path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _append(path, row: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps(row) + "\n")
        fh.flush()


def train_one(task, ds: Arrays, train_idx, val_idx, cfg, tcfg, progress: bool = False):
    """Train one model of ``task``; returns the model and a report with curves and metrics
    (on the training batch and, with ``val_idx``, on the validation batch).
    """
    model = task.build(cfg)
    copies = task.training_batches(ds, train_idx, cfg, tcfg)
    va = task.batch(ds, val_idx, cfg) if val_idx is not None and len(val_idx) else None
    hist = fit(model, task.loss(cfg), copies, va, tcfg, progress=progress, desc=cfg.name(),
               val_loss_fn=task.selection_loss(cfg))
    report = {"config": cfg.as_dict(), "train_config": tcfg.as_dict(), "history": hist,
              "train": task.batch_metrics(copies[0], task.predict(model, copies[0]))}
    if va is not None:
        report["validation"] = task.batch_metrics(va, task.predict(model, va))
    return model, report


def cross_validate(task, ds: Arrays, cfg, tcfg, keys=None, folds=FOLDS) -> dict:
    """Train on each fold's training part, evaluate on its validation part.

    Args:
        keys: Metric names to aggregate (mean ± standard error over folds); default the
            task's.
    """
    keys = task.keys if keys is None else keys
    per = []
    for fold in folds:
        tr, va = ds.split(fold)
        _, rep = train_one(task, ds, tr, va, cfg, replace(tcfg, seed=tcfg.seed + fold))
        per.append({"fold": fold, "train": rep["train"], "validation": rep["validation"],
                    "seconds": rep["history"]["seconds"]})
    agg = {}
    for part in ("train", "validation"):
        for key in keys:
            m, se = mean_se([p[part][key] for p in per])
            agg[f"{part}_{key}"] = m
            agg[f"{part}_{key}_se"] = se
    return {"name": cfg.name(), "config": cfg.as_dict(), "train_config": tcfg.as_dict(),
            "folds": per, **agg, "seconds": float(sum(p["seconds"] for p in per))}


def _cv_job(args):
    import torch

    task, ds, cfg, tcfg = args
    torch.set_num_threads(1)
    return cross_validate(task, ds, cfg, tcfg)


def run_grid(task, ds: Arrays, configs, tcfg, out, progress: bool = True, workers: int = 1) -> list[dict]:
    """Cross-validate every config of ``task``; rows go to ``out`` (JSON lines) as they finish.

    Args:
        workers: Processes working on different configs at once (one thread each).
    """
    keys = task.keys
    done = {r["name"] for r in _rows(out)}
    todo = [c for c in configs if c.name() not in done]
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="cross-validation", file=sys.stderr)

    def record(cfg, row):
        row["dataset_hash"] = ds.dataset_hash
        _append(out, row)
        if bar:
            bar.update(1)
            bar.set_postfix_str(f"{cfg.name()}: {keys[0]}={row['validation_' + keys[0]]:.3g}")

    if workers > 1 and len(todo) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
            futures = {pool.submit(_cv_job, (task, ds, c, tcfg)): c for c in todo}
            for fut in as_completed(futures):
                record(futures[fut], fut.result())
    else:
        for cfg in todo:
            record(cfg, cross_validate(task, ds, cfg, tcfg))
    if bar:
        bar.close()
    names = {c.name() for c in configs}
    return [r for r in _rows(out) if r["name"] in names]


def best_of(rows, key: str) -> dict:
    """The row with the smallest mean validation ``key``."""
    return min(rows, key=lambda r: r[f"validation_{key}"])


def report_directory(out: Path, report_dir=None) -> Path:
    """Where a final model's figures and report go (default: beside its weights), created."""
    rep = Path(report_dir) if report_dir else Path(out)
    rep.mkdir(parents=True, exist_ok=True)
    return rep


def fold_committee(task, ds: Arrays, cfg, tcfg, progress: bool = False):
    """One member per cross-validation fold: member k learns the other folds and stops
    early on fold k (the weights of its best validation epoch are kept).

    Returns:
        ``(models, reports, held_out)``; ``held_out[k]`` are the indices member k never saw,
        the samples on which its spread is calibrated.
    """
    models, reports, held = [], [], []
    for k in FOLDS:
        tr, va = ds.split(k)
        model, rep = train_one(task, ds, tr, va, cfg, replace(tcfg, seed=tcfg.seed + 100 * k, keep_best=True),
                               progress)
        models.append(model)
        reports.append(rep)
        held.append(va)
    return models, reports, held


def train_ensemble(task, calibrate, ds: Arrays, cfg, tcfg, members: int, committee: bool,
                   progress: bool = False):
    """A fold committee calibrated by ``calibrate(task, ds, models, cfg, held_out)`` (returns
    ``(scale, ood)``), or ``members`` seeds (uncalibrated: scale 1, no threshold).

    Returns:
        ``(models, reports, spread_scale, spread_ood)``.
    """
    if committee:
        models, reports, held = fold_committee(task, ds, cfg, tcfg, progress)
        return (models, reports, *calibrate(task, ds, models, cfg, held))
    models, reports = seeds_ensemble(task, ds, cfg, tcfg, members, progress)
    return models, reports, 1.0, None


def seeds_ensemble(task, ds: Arrays, cfg, tcfg, members: int, progress: bool = False):
    """Train ``members`` models on train+validation (different seeds)."""
    tr, _ = ds.split(None)
    models, reports = [], []
    for k in range(members):
        model, rep = train_one(task, ds, tr, None, cfg, replace(tcfg, seed=tcfg.seed + 100 * k), progress)
        models.append(model)
        reports.append(rep)
    return models, reports
