"""LAMMPS against OpenMM on the same tables: agreement (P, U/N, g(r)) at three states, and
speed (MD steps per second) side by side, on every OpenMM platform available here.

    python benchmarks/engines.py            # writes benchmarks/results/engines.txt
    python benchmarks/engines.py --quick
"""

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.engines.registry import get_engine
from boltzmann_nn.potentials.base import NamedPotential

STATES = [
    ("WCA", NamedPotential("wca"), 0.6),
    ("LJ eps=0.5 cut 2.5", NamedPotential("lj", {"epsilon": 0.5}, r_cut=2.5), 0.5),
    ("Gaussian core eps=3 cut 3", NamedPotential("gauss", {"epsilon": 3.0}, r_cut=3.0), 0.8),
]


def openmm_platforms():
    import openmm

    return [openmm.Platform.getPlatform(i).getName() for i in range(openmm.Platform.getNumPlatforms())
            if openmm.Platform.getPlatform(i).getName() != "Reference"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    steps = 4000 if args.quick else 20000
    lines = [f"{platform.node()} ({platform.machine()}), {args.threads} threads, "
             f"{steps} production + 2000 equilibration steps, N = 1000, 20 blocks", "",
             "| state | rho | engine | P | U/N | chi2 of g(r) vs LAMMPS | P diff | steps/s |",
             "|---|---|---|---|---|---|---|---|"]
    for label, pot, rho in STATES:
        st = StatePoint(density=rho, seed=7, equilibration=2000, steps=steps, blocks=20, threads=args.threads)
        ref = None
        for engine, opts in [("lammps", {})] + [("openmm", {"platform": p}) for p in openmm_platforms()]:
            t0 = time.perf_counter()
            res = get_engine(engine, **opts).run(pot, st)
            wall = time.perf_counter() - t0
            if not res.ok:
                name = f"{engine} {opts.get('platform', '')}"
                lines.append(f"| {label} | {rho} | {name} | failed: {res.reason} |")
                continue
            name = f"{engine} {opts.get('platform', '')}".strip()
            if ref is None:
                ref, chi2, diff = res, "-", "-"
            else:
                r = (ref.r > 0.8) & (ref.r < 4.8)
                err = np.hypot(ref.g_err[r], res.g_err[r]) + 1e-3
                chi2 = f"{np.mean(((ref.g[r] - res.g[r]) / err) ** 2):.2f}"
                dp = res.pressure - ref.pressure
                diff = (f"{100 * dp / ref.pressure:+.2f} % "
                        f"({dp / np.hypot(ref.pressure_err, res.pressure_err):+.1f} sigma)")
            lines.append(f"| {label} | {rho} | {name} | {res.pressure:.4f} +- {res.pressure_err:.4f} | "
                         f"{res.energy:.4f} +- {res.energy_err:.4f} | {chi2} | {diff} | "
                         f"{(st.steps + st.equilibration) / wall:.0f} |")
            print(lines[-1], file=sys.stderr)
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:
        out = Path(__file__).parent / "results" / "engines.txt"
        out.write_text(text)


if __name__ == "__main__":
    main()
