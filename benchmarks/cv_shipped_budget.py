"""Cross-validation of a few candidate configurations at the shipped training budget.

Every candidate is trained as the shipped models are (2000 epochs, full batch, early stopping
on the fold left out) on each of the 4 folds of the dataset's train+validation part; the
table gives the validation metric's mean ± standard error over folds. Rows are appended to
``results/cv_shipped_budget/<task>.jsonl`` as they finish (the script resumes).

    python benchmarks/cv_shipped_budget.py inverse [--data data/v2.h5] [--only NAME ...]
    python benchmarks/cv_shipped_budget.py eos
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from boltzmann_nn.ml.nets.architectures import ArchConfig
from boltzmann_nn.ml.pipeline.data import load_arrays
from boltzmann_nn.ml.pipeline.experiments import cross_validate
from boltzmann_nn.ml.tasks import eos, inverse
from boltzmann_nn.ml.tasks.registry import get_task
from boltzmann_nn.paths import DEFAULT_DATA

DN = ArchConfig("DN", width=128, depth=3)
DN256 = ArchConfig("DN", width=256, depth=3)
CANDIDATES = {
    "inverse": {
        "DN128x3/hrf (shipped)": (inverse.InverseConfig("hrf", DN), {}),
        "DN256x3/hrf": (inverse.InverseConfig("hrf", DN256), {}),
        "DN128x3/hrf wd1e-4": (inverse.InverseConfig("hrf", DN), {"weight_decay": 1e-4}),
        "DN128x3/hf": (inverse.InverseConfig("hf", DN), {}),
        "CN16k5/hrf": (inverse.InverseConfig("hrf", ArchConfig("CN", filters=16, kernel=5, depth=3)), {}),
        "DN128x3/hrf lr3e-4": (inverse.InverseConfig("hrf", DN), {"lr": 3e-4}),
        "DN128x3/hrf noisy4": (inverse.InverseConfig("hrf", DN, noisy_copies=4), {}),
        "DN128x3/hf noisy4": (inverse.InverseConfig("hf", DN, noisy_copies=4), {}),
    },
    "eos": {
        "DN256x3/cfk Bn (shipped)": (eos.EOSConfig("Bn", "cfk", DN256, n_virial=5), {}),
        "DN256x3/cf Bn": (eos.EOSConfig("Bn", "cf", DN256, n_virial=5), {}),
        "DN256x3/cfk Bn exact B2": (eos.EOSConfig("Bn", "cfk", DN256, n_virial=5, exact_b2=True), {}),
        "DN256x3/bcfk Bn (B2 input)": (eos.EOSConfig("Bn", "bcfk", DN256, n_virial=5), {}),
    },
}
KEYS = {"inverse": ("L_MAE", "L_MSE"), "eos": ("MRAE", "dZ", "R2")}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=sorted(CANDIDATES))
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--only", nargs="+")
    ap.add_argument("--out", default="results/cv_shipped_budget")
    args = ap.parse_args(argv)
    ds = load_arrays(args.data)
    out = Path(args.out) / f"{args.task}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []
    done = {r["variant"] for r in rows if r["dataset_hash"] == ds.dataset_hash}
    task = get_task(args.task)
    base = replace(task.final_budget, keep_best=True)
    keys = KEYS[args.task]
    for name, (cfg, over) in CANDIDATES[args.task].items():
        if name in done or (args.only and name not in args.only):
            continue
        row = cross_validate(task, ds, cfg, replace(base, **over), keys)
        row.update(variant=name, dataset_hash=ds.dataset_hash)
        with out.open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        rows.append(row)
        print(f"  {name}: validation {keys[0]} {row['validation_' + keys[0]]:.4g}", file=sys.stderr)
    print(f"{args.task}, {args.data} ({ds.dataset_hash}), 4-fold CV at the shipped budget "
          f"({base.epochs} epochs, early stopping)")
    print(f"| variant | validation {keys[0]} (mean ± se over folds) | train {keys[0]} | seconds |")
    print("|---|---|---|---|")
    for r in rows:
        if r["dataset_hash"] == ds.dataset_hash:
            k = keys[0]
            print(f"| {r['variant']} | {r[f'validation_{k}']:.4g} ± {r[f'validation_{k}_se']:.2g} | "
                  f"{r[f'train_{k}']:.4g} | {r['seconds']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
