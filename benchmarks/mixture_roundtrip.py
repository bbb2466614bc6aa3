"""Round trip of mixture refinement on binary fluids of known potentials (issue: mixtures).

Phase ``targets``: simulate each system's true pair potentials (LAMMPS, long run) and
write every partial g_ij (with block errors) and a refinement spec.
Phase ``refine``: refine from the HNC start (ihnc; hncgn, the constrained Gauss–Newton step
with the matrix-OZ response; imc with the runs' pair-count covariance) and, side by side, IBI
from the Boltzmann start; then simulate each final set
independently (new seed).
Phase ``table``: print the round-trip table (per system and pair: iterations, MD steps,
final distance over noise, U error where g_ij > 0.05, P).

    python benchmarks/mixture_roundtrip.py targets|refine|table [--systems NAME…] [--methods NAME…]

Everything lands in benchmarks/results/mixture_roundtrip/ and each phase resumes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.io.potential_files import write_gr_csv
from boltzmann_nn.mixture.md import simulate_mixture
from boltzmann_nn.mixture.system import Composition, PairPotentials
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.potentials.composite import CompositePotential

OUT = Path(__file__).parent / "results" / "mixture_roundtrip"
TARGET_STEPS, TARGET_EQ = 200_000, 20_000


def _lj(eps, sig, rc=2.5):
    return NamedPotential("lj", {"epsilon": eps, "sigma": sig}, r_cut=rc)


def _gauss(eps, sig, rc=3.0):
    return NamedPotential("gauss", {"epsilon": eps, "sigma": sig}, r_cut=rc)


def systems() -> dict:
    """name -> (composition, true pair potentials, pressure target wanted)."""
    def wca_yukawa(eps, sig):
        # screened repulsion of charged particles: eps_ij = Z_i Z_j (no demixing drive)
        return CompositePotential(
            [
                NamedPotential("wca", {"epsilon": 1.0, "sigma": sig}),
                NamedPotential("yukawa", {"epsilon": eps, "kappa": 1.0, "sigma": sig}, r_cut=4.0),
            ],
            name="wca+yukawa",
        )

    return {
        "lj-asym": (
            Composition(("A", "B"), (0.7, 0.3), 0.75),
            {"A-A": _lj(1.0, 1.0), "A-B": _lj(0.75, 0.9), "B-B": _lj(0.5, 0.8)},
        ),
        "gauss-core": (
            Composition(("A", "B"), (0.5, 0.5), 1.0),
            {"A-A": _gauss(2.0, 1.0), "A-B": _gauss(1.6, 0.9), "B-B": _gauss(1.5, 0.8)},
        ),
        "yukawa": (
            Composition(("A", "B"), (0.5, 0.5), 0.5),
            {
                "A-A": wca_yukawa(0.8, 1.0),
                "A-B": wca_yukawa(0.49, 0.95),
                "B-B": wca_yukawa(0.3, 0.9),
            },
        ),
    }


def make_targets(names) -> None:
    for name in names:
        comp, truth = systems()[name]
        folder = OUT / name
        if (folder / "truth.json").exists():
            continue
        pots = PairPotentials(comp.species, truth)
        state = StatePoint(
            comp.density,
            steps=TARGET_STEPS,
            equilibration=TARGET_EQ,
            blocks=20,
            rdf_rmax=5.0,
            rdf_bins=250,
            seed=11,
        )
        t0 = time.time()
        res = simulate_mixture(pots, comp, state)
        print(
            f"{name}: ok={res.ok} kept={res.kept} P={res.pressure:.4f}+-{res.pressure_err:.4f} "
            f"flags={res.flags.get('reasons')} scc={res.flags.get('scc_min')} {time.time() - t0:.0f} s",
            flush=True,
        )
        if not res.ok or not res.kept:
            sys.exit(f"{name}: not a homogeneous target: {res.reason or res.flags.get('reasons')}")
        folder.mkdir(parents=True, exist_ok=True)
        for p in res.g:
            write_gr_csv(
                folder / f"g{p.replace('-', '')}.csv",
                res.r,
                res.g[p],
                f"MD of the true {p} potential",
                extra={"g_err": res.g_err[p]},
            )
        r_cut = {p: min(float(v.r_cut), 5.0) for p, v in truth.items()}
        spec = [
            f"density = {comp.density}",
            f"pressure = {res.pressure:.6g}",
            "max_iter = 8",
            "[species]",
            *[f"{s} = {x}" for s, x in zip(comp.species, comp.fractions)],
            "[targets]",
            *[f'"{p}" = "g{p.replace("-", "")}.csv"' for p in res.g],
            "[r_cut]",
            *[f'"{p}" = {rc}' for p, rc in r_cut.items()],
            "[md]",
            "steps = 20000",
            "max_steps = 100000",
            "equilibration = 4000",
            "rdf_every = 10",
        ]
        (folder / "spec.toml").write_text("\n".join(spec) + "\n")
        (folder / "truth.json").write_text(
            json.dumps(
                {
                    "pressure": res.pressure,
                    "pressure_err": res.pressure_err,
                    "flags": res.flags,
                    "wall_s": res.wall_s,
                },
                default=str,
            )
        )


#: Iterations per method: IBI gets twice the Newton methods' 8, so that "the same distance"
#: compares against where IBI gets with a longer budget, not where 8 iterations stop it.
MAX_ITER = {"ibi": 16}
NEWTON_MAX_ITER = 8


def _spec_variant(folder: Path, method: str, start: str) -> Path:
    n = MAX_ITER.get(method, NEWTON_MAX_ITER)
    text = (
        (folder / "spec.toml")
        .read_text()
        .replace("max_iter = 8", f'max_iter = {n}\nmethod = "{method}"\nstart = "{start}"')
    )
    path = folder / f"spec-{method}.toml"
    path.write_text(text)
    return path


def _printer(name: str, method: str):
    def show(rec):
        s = rec.summary()
        print(
            f"  {name} {method} {s['iteration']}: chi2 = {s.get('chi2', float('nan')):.3g}, "
            f"P = {rec.run.pressure:.4f}, {s['md_steps']} steps",
            flush=True,
        )

    return show


CHECK_STEPS, CHECK_EQ = 60_000, 10_000


def _u_error(folder: Path, method: str, truth: dict) -> dict:
    """Per pair: mean |U_final − U_true| [k_BT] where the target g_ij > 0.05, and the max."""
    from boltzmann_nn.io.potential_files import read_table_columns
    from boltzmann_nn.refine.target import load_target

    out = {}
    for p, pot in truth.items():
        r, u, _ = read_table_columns(folder / f"refine-{method}" / "final" / f"{p}.csv")
        t = load_target(str(folder / f"g{p.replace('-', '')}.csv"), 1.0)
        seen = np.interp(r, t.r, t.g) > 0.05
        du = np.abs(u[seen] - pot.evaluate(r[seen])[0])
        out[p] = {"mae": float(np.mean(du)), "max": float(np.max(du))}
    return out


def check_final(folder: Path, method: str, truth: dict) -> dict:
    """An independent simulation (new seed, long run) of the final tables against the targets."""
    from boltzmann_nn.mixture.simulate_spec import validate_spec

    path = folder / f"check-{method}.json"
    if path.exists():
        return json.loads(path.read_text())
    text = (folder / "spec.toml").read_text()
    text += "[potentials]\n" + "".join(f'"{p}" = "refine-{method}/final/{p}.csv"\n' for p in truth)
    spec = folder / f"spec-check-{method}.toml"
    spec.write_text(text)
    t0 = time.time()
    v = validate_spec(spec, steps=CHECK_STEPS, equilibration=CHECK_EQ, seed=777)
    out = {
        "within_noise": v.get("within_noise"),
        "pairs": {p: {k: c.get(k) for k in ("chi2", "chi2_bound", "l_mse", "noise_mse")}
                  for p, c in v["comparison"]["pairs"].items()},
        "chi2": v["comparison"]["chi2"],
        "pressure": v["pressure"],
        "pressure_err": v["pressure_err"],
        "pressure_rel": v.get("pressure_rel"),
        "u_error": _u_error(folder, method, truth),
        "wall_s": time.time() - t0,
    }
    path.write_text(json.dumps(out, indent=1))
    return out


STARTS = {"ihnc": "hnc", "hncgn": "hnc", "imc": "hnc", "ibi": "boltzmann"}


def run_refinements(names, methods) -> None:
    from boltzmann_nn.mixture.run_spec import refine_spec

    for name in names:
        folder = OUT / name
        truth = systems()[name][1]
        for method in methods:
            start = STARTS[method]
            out = folder / f"refine-{method}"
            done = out / "summary.json"
            if done.exists():  # ended before this method's iteration budget grew: resume it
                prev = json.loads(done.read_text())
                if not prev["converged"] and len(prev["history"]) < MAX_ITER.get(method, NEWTON_MAX_ITER):
                    done.unlink()
                    (folder / f"check-{method}.json").unlink(missing_ok=True)
            if not done.exists():
                t0 = time.time()
                spec = _spec_variant(folder, method, start)
                summary = refine_spec(spec, out, progress=_printer(name, method))
                print(
                    f"{name} {method}: converged={summary['converged']} iterations={summary['iterations']} "
                    f"{time.time() - t0:.0f} s",
                    flush=True,
                )
            c = check_final(folder, method, truth)
            print(f"{name} {method} check: chi2 = {c['chi2']:.3g}, P rel = {c['pressure_rel']}, "
                  f"U err = {json.dumps(c['u_error'])}", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("phase", choices=["targets", "refine", "table"])
    ap.add_argument("--systems", nargs="*", default=list(systems()))
    ap.add_argument("--methods", nargs="*", default=list(STARTS), choices=list(STARTS))
    args = ap.parse_args(argv)
    if args.phase == "targets":
        make_targets(args.systems)
    elif args.phase == "refine":
        run_refinements(args.systems, args.methods)
    else:
        from mixture_roundtrip_table import print_table

        print_table(OUT, systems(), args.systems)


if __name__ == "__main__":
    main()
