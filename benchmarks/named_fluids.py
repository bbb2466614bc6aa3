"""The shipped networks against the classical tools on the fluids people simulate.

Named potentials (Lennard-Jones at k_BT/ε = 2 cut at 5σ, WCA, soft spheres r⁻¹², Gaussian
core, Hertz, Yukawa, a smoothed square shoulder, Morse) at several densities, simulated here
independently of the training data (the campaign's MD settings, seeds of their own). For each
state: the EOS network's P against P0 = ρ + B2ρ² and MD; the inverse network's Û from the MD
g(r) against Boltzmann and HNC inversion of the same g(r) (MAE over the network grid where
U <= U_cut). MD results are cached in ``benchmarks/results/named_fluids_md.json`` (one entry
per state, written as it finishes, so the script resumes); the table goes to stdout.

    python benchmarks/named_fluids.py [--eos-model eos] [--inverse-model inverse] [--md-only]
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

from boltzmann_nn.engines import StatePoint, simulate
from boltzmann_nn.grid import NN_GRID
from boltzmann_nn.io.atomic import atomic_write_json
from boltzmann_nn.ml.features import hnc_on_grid
from boltzmann_nn.ml.metrics import potential_errors
from boltzmann_nn.ml.predict import predict_eos, predict_potential
from boltzmann_nn.potentials.spec import parse_potential
from boltzmann_nn.theory.inversion import boltzmann_inversion
from boltzmann_nn.theory.virial import b2, low_density_pressure
from boltzmann_nn.units import U_CUT

CACHE = Path(__file__).parent / "results" / "named_fluids_md.json"
#: family -> (spec, densities)
FLUIDS = {
    "lj": ("lj:epsilon=0.5,rcut=5", (0.125, 0.244, 0.512, 1.0)),
    "wca": ("wca:epsilon=1", (0.5, 0.8)),
    "soft": ("soft:epsilon=1,n=12,rcut=3", (0.4, 0.8)),
    "gauss": ("gauss:epsilon=2,rcut=4", (0.3, 0.6, 1.0)),
    "hertz": ("hertz:epsilon=10", (0.5, 1.0)),
    "yukawa": ("yukawa:epsilon=3,kappa=3,rcut=4", (0.2, 0.4)),
    "shoulder": ("shoulder:epsilon=2,radius=1.5,width=0.05,rcut=2", (0.2, 0.5)),
    "morse": ("morse:epsilon=0.5,alpha=6,r0=1.1,rcut=2.5", (0.3, 0.8)),
}
ENGINE = {"steps": 20000, "equilibration": 10000, "n_min": 1000, "blocks": 20}


def _md(cache: dict, family: str, spec: str, rho: float, seed: int) -> dict:
    key = f"{spec}@{rho:g}"
    if key not in cache:
        res = simulate(parse_potential(spec), StatePoint(density=rho, seed=seed, **ENGINE))
        cache[key] = {"family": family, "spec": spec, "density": rho, "kept": bool(res.kept),
                      "reason": res.reason, "pressure": res.pressure, "pressure_err": res.pressure_err,
                      "r": np.asarray(res.r).tolist(), "g": np.asarray(res.g).tolist(),
                      "wall_s": res.wall_s}
        atomic_write_json(CACHE, cache)
        print(f"  MD {key}: P = {res.pressure:.4g} ± {res.pressure_err:.2g} ({res.wall_s:.0f} s)",
              file=sys.stderr)
    return cache[key]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--eos-model", default="eos")
    ap.add_argument("--inverse-model", default="inverse")
    ap.add_argument("--md-only", action="store_true")
    args = ap.parse_args(argv)
    cache = json.loads(CACHE.read_text()) if CACHE.exists() else {}
    rows = []
    for k, (family, (spec, densities)) in enumerate(FLUIDS.items()):
        for j, rho in enumerate(densities):
            md = _md(cache, family, spec, rho, seed=1000 + 10 * k + j)
            if not md["kept"] or args.md_only:
                continue
            pot = parse_potential(spec)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p_net = float(predict_eos(pot, [rho], model=args.eos_model).to_dict()["pressure"][0])
                r, g = np.asarray(md["r"]), np.asarray(md["g"])
                u_net = np.asarray(predict_potential((r, g), rho, model=args.inverse_model).to_dict()["U"])
            u_true, _ = pot.tabulate(4000).on_grid(NN_GRID)
            g_nn = np.interp(NN_GRID.r, r, g, left=0.0)
            u_b = np.minimum(boltzmann_inversion(g_nn[None])[0], U_CUT)
            u_h = hnc_on_grid(r, g[None], [rho], NN_GRID.r)[0]
            p0 = float(low_density_pressure(rho, b2(pot)))
            p = md["pressure"]
            mae = {name: float(potential_errors(u_true, u)[1][0])
                   for name, u in (("network", u_net), ("Boltzmann", u_b), ("HNC", u_h))}
            denom = max(abs(p), 0.01)
            rows.append({"family": family, "density": rho, "P": p, "P_net": p_net, "P0": p0,
                         "rae_net": abs(p_net - p) / denom, "rae_P0": abs(p0 - p) / denom,
                         **{f"mae_{k}": v for k, v in mae.items()}})
    if args.md_only:
        return 0
    print(f"EOS model {args.eos_model}, inverse model {args.inverse_model}; MD {ENGINE}")
    print("| family | rho | P (MD) | P network | P0 | rel. err network | rel. err P0 "
          "| MAE U network | Boltzmann | HNC |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['family']} | {r['density']:g} | {r['P']:.4g} | {r['P_net']:.4g} | {r['P0']:.4g} | "
              f"{r['rae_net']:.3f} | {r['rae_P0']:.3f} | {r['mae_network']:.3f} | {r['mae_Boltzmann']:.3f} | "
              f"{r['mae_HNC']:.3f} |")
    print("\nPer family (mean relative P error; median MAE of U [k_BT]):")
    print("| family | states | EOS network | P0 | U network | Boltzmann | HNC |")
    print("|---|---|---|---|---|---|---|")
    fams = list(dict.fromkeys(r["family"] for r in rows)) + ["all"]
    for fam in fams:
        sel = [r for r in rows if fam in ("all", r["family"])]
        print(f"| {fam} | {len(sel)} | {np.mean([r['rae_net'] for r in sel]):.3f} | "
              f"{np.mean([r['rae_P0'] for r in sel]):.3f} | "
              + " | ".join(f"{np.median([r[f'mae_{k}'] for r in sel]):.3f}"
                           for k in ("network", "Boltzmann", "HNC")) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
