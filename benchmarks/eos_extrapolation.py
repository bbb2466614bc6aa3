"""How the shipped EOS model extrapolates in density, checked against MD.

Takes test-set potentials with kept runs at all four training densities, simulates them
at densities between (0.35, 0.75) and beyond (0.05, 1.1) the training densities with the
default campaign settings, and compares the model and P0 = rho + B2 rho^2 with MD.

    python benchmarks/eos_extrapolation.py [--data data/v2.h5] [--potentials 8]
"""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np

from boltzmann_nn.campaign.spec import CampaignSpec
from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.engines.simulate import simulate
from boltzmann_nn.ml.pipeline.data import load_arrays
from boltzmann_nn.ml.pipeline.metrics import eos_metrics
from boltzmann_nn.ml.serving.predict import predict_eos
from boltzmann_nn.paths import DEFAULT_DATA
from boltzmann_nn.potentials.random import RandomPotential

DENSITIES = (0.05, 0.35, 0.75, 1.1)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--potentials", type=int, default=8)
    ap.add_argument("--model", default="eos")
    args = ap.parse_args(argv)
    ds = load_arrays(args.data)
    spec = CampaignSpec.load("default")
    engine = {k: v for k, v in spec.engine.items() if k in ("steps", "equilibration", "n_min", "blocks")}
    test = ds.fold == -1
    pots = [p for p in np.unique(ds.potential[test]) if np.sum(ds.potential == p) == 4][: args.potentials]
    rows = {rho: {"P": [], "net": [], "P0": []} for rho in DENSITIES}
    for p in pots:
        pot = RandomPotential(int(ds.potential_seed[ds.potential == p][0]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = predict_eos(pot, list(DENSITIES), model=args.model)
        for k, rho in enumerate(DENSITIES):
            res = simulate(pot, StatePoint(density=rho, seed=7 + k, **engine))
            if not res.kept:
                continue
            rows[rho]["P"].append(res.pressure)
            rows[rho]["net"].append(pred["pressure"][k])
            rows[rho]["P0"].append(pred["P0"][k])
    print(f"{len(pots)} test potentials; MD with the default campaign settings")
    print("| rho | kind | runs kept | MRAE network | MRAE P0 | dZ network | dZ P0 |")
    print("|---|---|---|---|---|---|---|")
    for rho in DENSITIES:
        r = rows[rho]
        if not r["P"]:
            continue
        kind = "interpolation" if 0.125 < rho < 1.0 else "extrapolation"
        m = eos_metrics(r["P"], r["net"], np.full(len(r["P"]), rho))
        m0 = eos_metrics(r["P"], r["P0"], np.full(len(r["P"]), rho))
        print(f"| {rho:g} | {kind} | {len(r['P'])} | {m['MRAE']:.3f} | {m0['MRAE']:.3f} | "
              f"{m['dZ']:.3f} | {m0['dZ']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
