"""How often to sample g(r) in a LAMMPS run: noise of g(r) against wall time.

The same runs (N = 1000, 2,000 + 10,000 steps, three seeds) with ``StatePoint.rdf_every``
= 100, 50, 20 and 10 steps. Noise: the rms over 0.9–3 σ of the run's block errors, and of
the seed-to-seed differences over √2 (the independent measure). Cost: noise² × wall time
relative to sampling every 100 steps (below 1: the same precision for less time).

    python benchmarks/rdf_sampling.py        # prints the table (about 5 min on 2 cores)
"""

from __future__ import annotations

import itertools

import numpy as np

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.engines.registry import get_engine
from boltzmann_nn.potentials.base import NamedPotential

FLUIDS = {
    "LJ, rho 0.8, T* 1": (NamedPotential("lj", {"epsilon": 1.0, "sigma": 1.0}, r_cut=2.5), 0.8),
    "Gaussian core, eps 2, rho 1": (NamedPotential("gauss", {"epsilon": 2.0, "sigma": 1.0}, r_cut=3.0), 1.0),
}
EVERY = (100, 50, 20, 10)
SEEDS = (1, 2, 3)


def measure(pot, density: float, every: int) -> dict:
    gs, errs, walls = [], [], []
    for seed in SEEDS:
        state = StatePoint(density, steps=10000, equilibration=2000, n_particles=1000, seed=seed, blocks=10,
                           rdf_bins=250, rdf_every=every)
        res = get_engine("lammps").run(pot, state, early_stop=False)
        m = (res.r > 0.9) & (res.r < 3.0)
        gs.append(res.g[m])
        errs.append(float(np.sqrt(np.mean(res.g_err[m] ** 2))))
        walls.append(res.wall_s)
    pairs = [np.sqrt(np.mean((a - b) ** 2) / 2.0) for a, b in itertools.combinations(gs, 2)]
    return {"block": float(np.mean(errs)), "seeds": float(np.mean(pairs)), "wall": float(np.mean(walls))}


def main() -> None:
    print("g(r) noise against sampling interval (LAMMPS, N = 1000, 10,000 production steps, 3 seeds)")
    print(f"{'fluid':30s} {'every':>6s} {'block err':>10s} {'seed rms':>9s} {'wall [s]':>9s} {'cost':>6s}")
    for name, (pot, rho) in FLUIDS.items():
        ref = None
        for every in EVERY:
            m = measure(pot, rho, every)
            cost = m["seeds"] ** 2 * m["wall"]
            ref = ref or cost
            row = f"{name:30s} {every:6d} {m['block']:10.4f} {m['seeds']:9.4f} {m['wall']:9.1f}"
            print(f"{row} {cost / ref:6.2f}", flush=True)


if __name__ == "__main__":
    main()
