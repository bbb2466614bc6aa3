"""Cross-validation grids, hyperparameter search and final training (paper §2.1).

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


def cross_validate(train_one, ds: Arrays, cfg, tcfg, keys, folds=FOLDS) -> dict:
    """Train on each fold's training part, evaluate on its validation part.

    Args:
        train_one: ``(ds, train_idx, val_idx, cfg, tcfg) -> (model, report)``.
        keys: Metric names to aggregate (mean ± standard error over folds).
    """
    per = []
    for fold in folds:
        tr, va = ds.split(fold)
        _, rep = train_one(ds, tr, va, cfg, replace(tcfg, seed=tcfg.seed + fold))
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

    train_one, ds, cfg, tcfg, keys = args
    torch.set_num_threads(1)
    return cross_validate(train_one, ds, cfg, tcfg, keys)


def run_grid(train_one, ds: Arrays, configs, tcfg, keys, out, progress: bool = True,
             workers: int = 1) -> list[dict]:
    """Cross-validate every config; rows go to ``out`` (JSON lines) as they finish.

    Args:
        workers: Processes working on different configs at once (one thread each).
    """
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
            futures = {pool.submit(_cv_job, (train_one, ds, c, tcfg, keys)): c for c in todo}
            for fut in as_completed(futures):
                record(futures[fut], fut.result())
    else:
        for cfg in todo:
            record(cfg, cross_validate(train_one, ds, cfg, tcfg, keys))
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


def fold_committee(train_one, ds: Arrays, cfg, tcfg, progress: bool = False):
    """One member per cross-validation fold: member k learns the other folds and stops
    early on fold k (the weights of its best validation epoch are kept).

    Returns:
        ``(models, reports, held_out)``; ``held_out[k]`` are the indices member k never saw,
        the samples on which its spread is calibrated.
    """
    models, reports, held = [], [], []
    for k in FOLDS:
        tr, va = ds.split(k)
        model, rep = train_one(ds, tr, va, cfg, replace(tcfg, seed=tcfg.seed + 100 * k, keep_best=True),
                               progress)
        models.append(model)
        reports.append(rep)
        held.append(va)
    return models, reports, held


def train_ensemble(train_one, calibrate, ds: Arrays, cfg, tcfg, members: int, committee: bool,
                   progress: bool = False):
    """A fold committee calibrated by ``calibrate(ds, models, cfg, held_out)`` (returns
    ``(scale, ood)``), or ``members`` seeds (uncalibrated: scale 1, no threshold).

    Returns:
        ``(models, reports, spread_scale, spread_ood)``.
    """
    if committee:
        models, reports, held = fold_committee(train_one, ds, cfg, tcfg, progress)
        return (models, reports, *calibrate(ds, models, cfg, held))
    models, reports = seeds_ensemble(train_one, ds, cfg, tcfg, members, progress)
    return models, reports, 1.0, None


def seeds_ensemble(train_one, ds: Arrays, cfg, tcfg, members: int, progress: bool = False):
    """Train ``members`` models on train+validation (different seeds)."""
    tr, _ = ds.split(None)
    models, reports = [], []
    for k in range(members):
        model, rep = train_one(ds, tr, None, cfg, replace(tcfg, seed=tcfg.seed + 100 * k), progress)
        models.append(model)
        reports.append(rep)
    return models, reports
