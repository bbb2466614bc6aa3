"""The structural objective for the inverse network, measured: every model trained for it
(``boltzmann-nn train inverse --alpha-structure A [--select-on potential]
[--structure-weighting noise] --out results/structure/NAME``) beside the shipped one, on the
340 held-out test runs: L_MAE of U (mean, median) and L_g, the first-order L_MSE(g, ĝ) of
the prediction by the HNC response at each run's g(r) (theory/response.py), for the network
and for HNC and Boltzmann inversion of the same g(r).

    python benchmarks/inverse_structure.py [--models results/structure]

Prints a table; writes benchmarks/results/inverse_structure.txt.
"""

import argparse
import json
from pathlib import Path

import numpy as np

from boltzmann_nn.ml.pipeline.data import load_arrays
from boltzmann_nn.ml.pipeline.metrics import potential_errors, structure_errors
from boltzmann_nn.ml.serving.zoo import load_model
from boltzmann_nn.ml.tasks.inverse import baseline_predictions, dataset_inputs


def row(label, cfg, u, u_hat, metric):
    mae = potential_errors(u, u_hat)[1]
    q = structure_errors(u, u_hat, metric)
    return (f"| {label} | {cfg} | {mae.mean():.3f} | {np.median(mae):.3f} | {np.median(q):.3g} "
            f"| {np.mean(q <= 5e-4):.2f} |"), q


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="results/structure")
    ap.add_argument("--data", default="data/v2.h5")
    args = ap.parse_args(argv)
    ds = load_arrays(args.data)
    _, te = ds.split(None)
    metric, u = ds.structure()[te], ds.u[te]
    lines = [f"# Inverse network: U loss and structure term, {te.size} held-out test runs ({args.data})", "",
             "| model | training | mean L_MAE [k_BT] | median L_MAE | median L_g | L_g <= 5e-4 "
             "| L_g below HNC's |",
             "|---|---|---|---|---|---|---|"]
    base = baseline_predictions(ds, te)
    q_hnc = structure_errors(u, base["HNC"], metric)
    found = sorted(Path(args.models).glob("*/inverse.json"))
    cards = [("shipped", "inverse")] + [(p.parent.name, str(p)) for p in found]
    for label, where in cards:
        model = load_model(where)
        c = model.config
        cfg = (f"{c.options}, α_g {c.alpha_structure:g}, bins {c.structure_weighting}, epoch by {c.select_on}, "
               f"best epochs {json.loads(Path(model.card_path).read_text())['best_epochs']}")
        text, q = row(label, cfg, u, model.predict(dataset_inputs(ds, te, c))[0], metric)
        lines.append(text + f" {np.mean(q < q_hnc):.2f} |")
    for name, u_b in base.items():
        text, _ = row(f"{name} inversion", "–", u, u_b, metric)
        lines.append(text + " – |")
    out = "\n".join(lines) + "\n"
    (Path(__file__).parent / "results" / "inverse_structure.txt").write_text(out)
    print(out)


if __name__ == "__main__":
    main()
