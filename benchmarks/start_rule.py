"""The ``--start auto`` rule (refine/start_rule.py), chosen and checked on the dataset by the
first-order g(r) error of each start (theory/response.py: L_g = δUᵀ M δU, no MD).

Calibration: the training folds, each run predicted by the committee member that never saw
it; check: the held-out test runs, predicted by the whole committee. The rule is "network
where λ >= λ* or ρ >= ρ*, else HNC inversion" with λ the largest eigenvalue of the target's
structure metric; (λ*, ρ*) minimise the mean log L_g of the chosen start on the calibration
runs. Prints the grid and the result.

    python benchmarks/start_rule.py [--model inverse] [--data data/v2.h5]
"""

import argparse

import numpy as np

from boltzmann_nn.grid import NN_GRID
from boltzmann_nn.ml.pipeline.data import load_arrays
from boltzmann_nn.ml.pipeline.metrics import structure_errors
from boltzmann_nn.ml.serving.zoo import load_model
from boltzmann_nn.ml.tasks.inverse import dataset_inputs
from boltzmann_nn.theory.response import structure_metric

LAMBDAS = (0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1.0, np.inf)
DENSITIES = (0.3, 0.5, 0.7, 0.9, np.inf)
FLOOR = 1e-5  # L_g below this counts as this in the mean log (noise level of the data)


def out_of_fold(ds, model):
    """L_g of the network (member k on fold k, the committee on the test runs) and of HNC."""
    m = ds.structure()
    qn = np.empty(len(ds))
    for k, member in enumerate(model.members):
        idx = np.nonzero(ds.fold == k)[0]
        qn[idx] = structure_errors(ds.u[idx], member.predict(dataset_inputs(ds, idx, model.config)), m[idx])
    te = np.nonzero(ds.fold == -1)[0]
    qn[te] = structure_errors(ds.u[te], model.predict(dataset_inputs(ds, te, model.config))[0], m[te])
    return qn, structure_errors(ds.u, ds.hnc(), m)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="inverse")
    ap.add_argument("--data", default="data/v2.h5")
    args = ap.parse_args(argv)
    ds = load_arrays(args.data)
    model = load_model(args.model)
    lam = np.array([np.linalg.eigvalsh(structure_metric(ds.g_r, g, rho, NN_GRID.r, eig_cap=None))[-1]
                    for g, rho in zip(ds.g_bins, ds.density)])
    qn, qh = out_of_fold(ds, model)
    cal, test = ds.fold >= 0, ds.fold == -1

    def chosen(lam_star, rho_star, sel):
        net = (lam[sel] >= lam_star) | (ds.density[sel] >= rho_star)
        return np.where(net, qn[sel], qh[sel])

    def score(q):
        return float(np.mean(np.log(np.maximum(q, FLOOR))))

    print(f"model {args.model}; {cal.sum()} calibration runs (out of fold), {test.sum()} test runs\n")
    print("mean ln L_g of the chosen start on the calibration runs (rows λ* [k_BT^-2], columns ρ*):\n")
    print("| λ* \\ ρ* | " + " | ".join(f"{d:g}" for d in DENSITIES) + " |")
    print("|---" * (len(DENSITIES) + 1) + "|")
    best = None
    for ls in LAMBDAS:
        cells = []
        for rs in DENSITIES:
            s = score(chosen(ls, rs, cal))
            cells.append(f"{s:.3f}")
            if best is None or s < best[0]:
                best = (s, ls, rs)
        print(f"| {ls:g} | " + " | ".join(cells) + " |")
    _, ls, rs = best
    print(f"\nchosen: λ* = {ls:g}, ρ* = {rs:g}; HNC alone {score(qh[cal]):.3f}, "
          f"network alone {score(qn[cal]):.3f}\n")
    print("| runs | start | median L_g | mean ln L_g | L_g <= 5e-4 | not worse than HNC |")
    print("|---|---|---|---|---|---|")
    for name, sel in (("calibration", cal), ("test", test)):
        for label, q in (("HNC", qh[sel]), ("network", qn[sel]), ("auto", chosen(ls, rs, sel)),
                         ("best of both (oracle)", np.minimum(qn[sel], qh[sel]))):
            print(f"| {name} | {label} | {np.median(q):.3g} | {score(q):.3f} | {np.mean(q <= 5e-4):.2f} "
                  f"| {np.mean(q <= qh[sel]):.2f} |")


if __name__ == "__main__":
    main()
