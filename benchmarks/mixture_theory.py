"""Checks of the mixture Ornstein–Zernike theory, printed as a table (issue: mixtures).

    python benchmarks/mixture_theory.py

1. a "binary" of two identical LJ species against the one-component solver (max |Δg|, ΔP/P);
2. PY binary hard spheres (σ_B/σ_A = 0.6, x = 0.5) against Lebowitz's analytic contact values;
3. HNC forward, then HNC inversion of all three g_ij of a Gaussian-core binary;
4. Kirkwood–Buff integrals against the compressibility from ĉ_ij(0).
"""

from __future__ import annotations

import math
import time

import numpy as np

from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.theory.mixture_oz import MixtureOZSolver
from boltzmann_nn.theory.oz import OZSolver

PAIRS = ((0, 0), (0, 1), (1, 1))


def identical_species():
    pot = NamedPotential("lj", {"epsilon": 0.5}, r_cut=3.0)
    one = OZSolver("hnc").solve(pot, 0.6)
    mix = MixtureOZSolver("hnc").solve({p: pot for p in PAIRS}, [0.3, 0.7], 0.6)
    dg = max(float(np.max(np.abs(mix.g[p] - one.g))) for p in PAIRS)
    dp = abs(mix.pressure_virial / one.pressure_virial - 1)
    return "identical LJ species, rho = 0.6, T = 2", f"max|dg| = {dg:.1e}, |dP/P| = {dp:.1e}", dg < 1e-6


def lebowitz(eta):
    sig = np.array([1.0, 0.6])
    x = np.array([0.5, 0.5])
    rho = eta / (math.pi / 6 * float(np.sum(x * sig**3)))
    sij = 0.5 * (sig[:, None] + sig[None, :])
    pots = {(i, j): NamedPotential("hs", {"sigma": sij[i, j]}, r_cut=1.2 * sij[i, j]) for i, j in PAIRS}
    res = MixtureOZSolver("py").solve(pots, x, rho)
    xi2, xi3 = (math.pi / 6 * rho * float(np.sum(x * sig**n)) for n in (2, 3))
    shown, rels = [], []
    for i, j in PAIRS:
        want = 1 / (1 - xi3) + 3 * xi2 * sig[i] * sig[j] / ((1 - xi3) ** 2 * (sig[i] + sig[j]))
        got = float(np.interp(sij[i, j], res.r, res.g[i, j] - res.c[i, j]))  # PY cavity 1 + γ
        shown.append(f"{got:.4f}/{want:.4f}")
        rels.append(abs(got / want - 1))
    rel = max(rels)
    return (f"PY hard spheres, eta = {eta}", f"y_ij(contact) got/Lebowitz {' '.join(shown)}; max rel {rel:.1e}",
            rel < 1e-2)


def hnc_round_trip():
    pots = {(0, 0): ("gauss", 2.0, 1.0), (0, 1): ("gauss", 1.6, 0.9), (1, 1): ("gauss", 1.5, 0.8)}
    pots = {p: NamedPotential(n, {"epsilon": e, "sigma": s}, r_cut=4.0) for p, (n, e, s) in pots.items()}
    solver = MixtureOZSolver("hnc", n=4096, dr=0.01)
    res = solver.solve(pots, [0.5, 0.5], 1.0)
    keep = res.r <= 10
    r, u = solver.invert(res.r[keep], res.g[:, :, keep], [0.5, 0.5], 1.0)
    errs = []
    for p, pot in pots.items():
        ok = np.interp(r, res.r, res.g[p]) > 0.05
        errs.append(float(np.max(np.abs(u[p][ok] - pot.evaluate(r[ok])[0]))))
    return ("HNC forward -> inversion, Gaussian core, rho = 1",
            "max|dU| per pair " + " ".join(f"{e:.1e}" for e in errs) + " k_BT (g > 0.05)", max(errs) < 0.02)


def kirkwood_buff():
    pots = {(0, 0): (0.5, 1.0), (0, 1): (0.4, 0.9), (1, 1): (0.3, 0.8)}
    pots = {p: NamedPotential("lj", {"epsilon": e, "sigma": s}, r_cut=3.0) for p, (e, s) in pots.items()}
    x = np.array([0.7, 0.3])
    res = MixtureOZSolver("hnc").solve(pots, x, 0.7)
    sq = np.sqrt(x)
    s0 = np.eye(2) + 0.7 * np.outer(sq, sq) * res.kirkwood_buff
    kb = float(sq @ np.linalg.solve(s0, sq))
    rel = abs(kb / res.inverse_compressibility - 1)
    return ("Kirkwood-Buff vs c_ij(k=0), LJ binary rho = 0.7",
            f"beta dP/drho: KB {kb:.5f}, c(0) {res.inverse_compressibility:.5f}, rel {rel:.1e}", rel < 1e-3)


def main():
    print(f"{'check':<48} {'result':<78} {'pass':<5} {'s':>5}")
    for check in (identical_species, lambda: lebowitz(0.2), lambda: lebowitz(0.35), lambda: lebowitz(0.45),
                  hnc_round_trip, kirkwood_buff):
        t0 = time.time()
        name, result, ok = check()
        print(f"{name:<48} {result:<78} {'yes' if ok else 'NO':<5} {time.time() - t0:>5.1f}", flush=True)


if __name__ == "__main__":
    main()
