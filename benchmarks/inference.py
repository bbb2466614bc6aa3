"""Inference speed of the shipped models and the wall time of one CLI call.

* batched CPU inference of the EOS model: potentials per second (goal >= 10^4/s);
* batched inference of the inverse model: g(r) per second;
* both as the prediction commands run them (NumPy, float64) and in PyTorch (float32);
* `boltzmann-nn predict-eos` and `predict-potential`, whole process (goal < 2 s).

    python benchmarks/inference.py [--batch 10000] [--threads 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from boltzmann_nn.ml.serving.predict import shipped_model
from boltzmann_nn.ml.serving.zoo import load_model
from boltzmann_nn.ml.tasks.eos import TASK as EOS
from boltzmann_nn.ml.tasks.eos import eos_inputs
from boltzmann_nn.ml.tasks.inverse import TASK as INVERSE
from boltzmann_nn.ml.tasks.inverse import inverse_inputs, uses_hnc
from boltzmann_nn.potentials.random import RandomPotential
from boltzmann_nn.theory.inversion import boltzmann_inversion


def timed(fn, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    pots = [RandomPotential(s).tabulate(2000).on_grid() for s in range(200)]
    u = np.stack([p[0] for p in pots])
    f = np.stack([p[1] for p in pots])
    reps = -(-args.batch // len(pots))
    u, f = np.tile(u, (reps, 1))[: args.batch], np.tile(f, (reps, 1))[: args.batch]
    rho = np.full(args.batch, 0.5)
    shipped = shipped_model("eos", "eos")
    inputs = eos_inputs(u, f, rho, np.zeros(args.batch), shipped.config)
    t_eos = timed(lambda: shipped.predict(inputs))
    torch_eos = load_model("eos", torch=True)
    t_eos_torch = timed(lambda: torch_eos(EOS.predict, inputs))
    ishipped = shipped_model("inverse", "inverse")
    g = np.exp(-np.minimum(u, 50))
    # models with option h take the HNC inversion of g as a second channel; it is a
    # per-sample preprocessing step (timed within the whole CLI call below), so the network
    # alone is timed here with U0 = -ln g (Boltzmann inversion) in that channel
    u_first = boltzmann_inversion(g) if uses_hnc(ishipped.config) else None
    iinputs = inverse_inputs(g, rho, ishipped.config, u_first)
    t_inv = timed(lambda: ishipped.predict(iinputs))
    torch_inv = load_model("inverse", torch=True)
    t_inv_torch = timed(lambda: torch_inv(INVERSE.predict, iinputs))
    print(f"CPU, {args.threads} threads, batch {args.batch}")
    print("| what | members | seconds | items/s |")
    print("|---|---|---|---|")
    for label, t in (("EOS model (pressure), NumPy", t_eos), ("EOS model, PyTorch", t_eos_torch),
                     ("inverse model (potential), NumPy", t_inv), ("inverse model, PyTorch", t_inv_torch)):
        print(f"| {label} | {len(shipped.members)} | {t:.3f} | {args.batch / t:.3g} |")
    with tempfile.TemporaryDirectory() as tmp:
        r = np.linspace(0.0125, 4.9875, 200)
        gr = Path(tmp) / "g.csv"
        g1 = np.exp(-RandomPotential(1).evaluate(r)[0])
        gr.write_text("r,g\n" + "\n".join(f"{a},{b}" for a, b in zip(r, g1)))
        for label, cmd in (("predict-eos", ["predict-eos", "lj:epsilon=0.5", "--density", "0.3", "0.6"]),
                           ("predict-potential", ["predict-potential", str(gr), "--density", "0.2"])):
            full = [sys.executable, "-m", "boltzmann_nn", *cmd, "--json"]
            wall = timed(lambda full=full: subprocess.run(full, check=True, capture_output=True))
            print(f"| `boltzmann-nn {label}` whole process | | {wall:.2f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
