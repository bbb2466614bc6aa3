"""Produce the bundled example g(r): Lennard-Jones at k_BT/eps = 2, rho = 0.512.

Writes src/boltzmann_nn/examples/lj_T2_rho0.512_gr.csv (reduced units) and
lj_T2_rho0.512_gr.xvg (argon-like units: sigma = 0.34 nm, so rho = 13.03 nm^-3; with
eps/k_B = 120 K the temperature is 240 K).

    python benchmarks/make_example_gr.py [--steps 100000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.engines.simulate import simulate
from boltzmann_nn.io.atomic import atomic_write
from boltzmann_nn.io.potential_files import write_gr_csv
from boltzmann_nn.potentials.base import NamedPotential

OUT = Path(__file__).resolve().parents[1] / "src" / "boltzmann_nn" / "examples"


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100000)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    pot = NamedPotential("lj", {"epsilon": 0.5}, r_cut=5.0)
    state = StatePoint(density=0.512, steps=args.steps, equilibration=20000, n_particles=2000,
                       threads=args.threads, seed=2024, blocks=50)
    res = simulate(pot, state, tail_correction=True)
    assert res.kept, res.flags
    note = (f"MD of LJ (eps = 0.5 k_BT, r_cut = 5 sigma) at rho = 0.512, N = 2000, "
            f"{state.equilibration} + {state.steps} steps; P = {res.pressure:.4f} +- {res.pressure_err:.4f}")
    write_gr_csv(OUT / "lj_T2_rho0.512_gr.csv", res.r, res.g, note)
    sigma_nm = 0.34
    lines = ["# boltzmann-nn example: " + note, "# argon-like units: sigma = 0.34 nm",
             '@    title "Radial distribution"', '@    xaxis  label "r (nm)"', '@    yaxis  label "g(r)"',
             "@TYPE xy"]
    lines += [f"{r * sigma_nm:10.5f} {g:10.6f}" for r, g in zip(res.r, res.g)]
    atomic_write(OUT / "lj_T2_rho0.512_gr.xvg", "\n".join(lines) + "\n")
    print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
