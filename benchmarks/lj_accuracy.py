"""Lennard-Jones pressure against Thol et al. (2016), full potential.

LJ with eps = 0.5 k_BT (k_BT/eps = 2) cut at 5 sigma with the long-range correction, at
rho = 0.125, 0.244, 0.512 and 1.0 sigma^-3; reference P sigma^3/eps = 0.2170, 0.3944,
1.1367, 15.210, i.e. P = 0.5 x that in k_BT/sigma^3.

    python benchmarks/lj_accuracy.py [--steps 100000] [--threads 2]
"""

from __future__ import annotations

import argparse
import sys
import time

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.engines.simulate import simulate
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.reference import THOL_LJ_T2


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--equilibration", type=int, default=20000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--densities", type=float, nargs="+", default=[0.512, 1.0])
    args = ap.parse_args(argv)
    pot = NamedPotential("lj", {"epsilon": 0.5}, r_cut=5.0)
    print(f"LJ eps = 0.5 k_BT, r_cut = 5 sigma + tail, {args.equilibration} + {args.steps} steps")
    print("| rho | N | P (MD) | error | tail | P (Thol) | deviation | within 2 % | wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    ok = True
    for rho in args.densities:
        state = StatePoint(density=rho, steps=args.steps, equilibration=args.equilibration,
                           threads=args.threads, seed=17, blocks=50)
        t0 = time.perf_counter()
        res = simulate(pot, state, tail_correction=True)
        ref = THOL_LJ_T2[rho]
        dev = res.pressure / ref - 1
        ok &= abs(dev) <= 0.02
        print(f"| {rho:g} | {res.settings['n_particles']} | {res.pressure:.4f} | {res.pressure_err:.4f} | "
              f"{res.pressure_tail:.4f} | {ref:.4f} | {dev:+.2%} | {abs(dev) <= 0.02} | "
              f"{time.perf_counter() - t0:.0f} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
