"""predict-potential with and without the state's pressure, checked by MD, on the named
fluids simulated independently of the training data (reports/named/md.json: LJ, WCA, soft
spheres, Gaussian core, Hertz, Yukawa, shoulder, Morse; 19 states).

For each state the network predicts U from the MD g(r) twice: as is, and with the MD
pressure (``--pressure``: a linear ramp sized by the virial at fixed g, no MD). Both are
simulated (the campaign's engine, seeds of their own) and compared with the state's g(r)
and P. Resumable (runs cached in results/pressure_matched.json); prints the table and writes
benchmarks/results/pressure_matched.txt.

    python benchmarks/pressure_matched.py [--steps 10000] [--equilibration 5000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from boltzmann_nn.io.atomic import atomic_write, atomic_write_json
from boltzmann_nn.ml.serving.predict import predict_potential
from boltzmann_nn.refine.target import load_target
from boltzmann_nn.refine.validate import validate

MD = Path("reports") / "named" / "md.json"
CACHE = Path("results") / "pressure_matched.json"
OUT = Path("benchmarks") / "results" / "pressure_matched.txt"


def measure(states: dict, steps: int, equilibration: int, cache: dict) -> dict:
    for k, (key, st) in enumerate(states.items()):
        t = load_target((np.asarray(st["r"]), np.asarray(st["g"])), st["density"])
        for mode in ("plain", "pressure"):
            name = f"{key}|{mode}"
            if name in cache:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pred = predict_potential((t.r, t.g), t.density,
                                         pressure=st["pressure"] if mode == "pressure" else None)
            t0 = time.time()
            v = validate(pred.table, t, steps=steps, equilibration=equilibration, seed=7000 + k)
            c = v.comparison
            cache[name] = {"family": st["family"], "density": st["density"], "P_true": st["pressure"],
                           "P_virial": pred.pressure_virial, "ramp": pred.pressure_ramp,
                           "P_md": v.pressure, "P_md_err": v.pressure_err, "l_mse": c.l_mse,
                           "noise_mse": c.noise_mse, "chi2": c.chi2, "chi2_bound": c.chi2_bound,
                           "wall_s": time.time() - t0}
            atomic_write_json(CACHE, cache, indent=1)
            print(f"{name}: P {v.pressure:.4g} (true {st['pressure']:.4g}), L_MSE {c.l_mse:.2e}",
                  file=sys.stderr)
    return cache


def table(cache: dict, steps: int, equilibration: int) -> str:
    keys = sorted({n.rsplit("|", 1)[0] for n in cache}, key=lambda s: (cache[f"{s}|plain"]["family"],
                                                                       cache[f"{s}|plain"]["density"]))
    keys = [s for s in keys if f"{s}|pressure" in cache]
    lines = [f"MD of the network's U from each named state's g(r): {steps} + {equilibration} steps, "
             f"{len(keys)} states", "",
             "| fluid | ρ | P (MD of the true U) | P virial of Û | ramp A [k_BT] | P of Û | P of Û + ramp "
             "| L_MSE Û | L_MSE Û + ramp | noise |", "|---" * 10 + "|"]
    rel = {"plain": [], "pressure": []}
    lm = {"plain": [], "pressure": []}
    for s in keys:
        a, b = cache[f"{s}|plain"], cache[f"{s}|pressure"]
        p = a["P_true"]
        lines.append(f"| {a['family']} | {a['density']:g} | {p:.4g} | {a['P_virial']:.4g} | {b['ramp']:.3g} | "
                     f"{a['P_md']:.4g} | {b['P_md']:.4g} | {a['l_mse']:.2e} | {b['l_mse']:.2e} | "
                     f"{a['noise_mse']:.1e} |")
        for m, d in (("plain", a), ("pressure", b)):
            rel[m].append(abs(d["P_md"] - p) / max(abs(p), a["density"]))
            lm[m].append(d["l_mse"] / d["noise_mse"])
    lines += ["", "| | mean |P − P_true| / max(|P_true|, ρ) | median | within 2 % | median L_MSE / noise |",
              "|---|---|---|---|---|"]
    for m, label in (("plain", "network Û"), ("pressure", "network Û + ramp (--pressure)")):
        x = np.asarray(rel[m])
        lines.append(f"| {label} | {x.mean():.3f} | {np.median(x):.3f} | {np.sum(x <= 0.02)}/{x.size} | "
                     f"{np.median(lm[m]):.2f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--equilibration", type=int, default=5000)
    args = ap.parse_args(argv)
    states = {k: v for k, v in json.loads(MD.read_text()).items() if v["kept"]}
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    cache = measure(states, args.steps, args.equilibration, cache)
    text = table(cache, args.steps, args.equilibration)
    atomic_write(OUT, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
