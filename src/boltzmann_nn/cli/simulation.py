"""Subcommand: simulate."""

from __future__ import annotations

from ..engines.registry import DEFAULT_ENGINE, engine_names
from .common import POTENTIAL_HELP, add_no_progress, emit


def add(sub, parent):
    p = sub.add_parser("simulate", parents=[parent],
                       help="NVT Langevin MD of a pair potential (LAMMPS): P, g(r), diagnostics")
    p.add_argument("potential", nargs="?", help=POTENTIAL_HELP)
    p.add_argument("--density", type=float, metavar="RHO", help="number density [sigma^-3]")
    p.add_argument("--spec", metavar="TOML",
                   help="a mixture spec (TOML) with a [potentials] table, one potential per species pair "
                        "(docs/mixtures.md); instead of the positional potential and --density")
    p.add_argument("--steps", type=int, default=20000, help="production steps (default 20000)")
    p.add_argument("--equilibration", type=int, default=10000, help="equilibration steps (10000)")
    p.add_argument("--n-particles", type=int, help="N (default: box rule, at least 1000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--threads", type=int, default=1, help="threads (LAMMPS OpenMP, OpenMM CPU)")
    p.add_argument("--engine", choices=engine_names(), default=None,
                   help=f"MD engine (default {DEFAULT_ENGINE}, or a spec's [md] engine; openmm uses a "
                        "GPU where present)")
    p.add_argument("--blocks", type=int, default=20, help="production blocks (default 20)")
    p.add_argument("--dt", type=float, default=0.005, help="time step [tau] (default 0.005)")
    p.add_argument("--tail", action="store_true",
                   help="add the long-range pressure correction (named potentials)")
    p.add_argument("--out", help="output directory (result.json, gr.csv, gr.png)")
    p.add_argument("--plot", help="PNG of g(r) and U(r)")
    add_no_progress(p)
    p.set_defaults(func=cmd_simulate)


def cmd_simulate(args):
    from ..api import simulate_potential
    from .refine import _need

    _need(args, "potential", "POTENTIAL")
    if args.spec:
        return _simulate_spec(args)
    out = simulate_potential(args.potential, args.density, steps=args.steps, equilibration=args.equilibration,
                             n_particles=args.n_particles, seed=args.seed, threads=args.threads,
                             blocks=args.blocks, dt=args.dt, tail=args.tail,
                             engine=args.engine or DEFAULT_ENGINE, out=args.out,
                             plot=args.plot, progress=not (args.no_progress or args.json)).to_dict()

    def human(d):
        s = d["settings"]
        print(f"N = {s['n_particles']}, L = {s['box']:.4g} sigma, rho = {s['density']:g}, "
              f"{s['equilibration']} + {s['steps']} steps in {d['wall_s']:.1f} s")
        if not d["ok"]:
            print(f"FAILED: {d['reason']}")
            return
        print(f"P = {d['pressure']:.6g} +- {d['pressure_err']:.2g} k_BT/sigma^3, "
              f"U/N = {d['energy']:.5g} +- {d['energy_err']:.2g} k_BT")
        verdict = "kept" if d["kept"] else "dropped: " + ", ".join(d["flags"]["reasons"])
        print(f"diagnostics: {verdict} (S(k_min) = {d['flags']['sk_min']:.3g})")
        for key in ("result_file", "gr_file", "plot"):
            if key in d:
                print(f"wrote {d[key]}")

    emit(args, out, human)
    return 0 if out["ok"] else 1


def _simulate_spec(args):
    from ..mixture.simulate_spec import simulate_spec

    data = simulate_spec(args.spec, steps=args.steps, equilibration=args.equilibration, seed=args.seed,
                         threads=args.threads, n_particles=args.n_particles, out=args.out, engine=args.engine)

    def human(d):
        s = d["settings"]
        print(f"N = {s['n_particles']}, {', '.join(d['species'])} at x = {d['fractions']}, "
              f"rho = {d['density']:g}, {s['equilibration']} + {s['steps']} steps in {d['wall_s']:.1f} s")
        print(d["units"])
        if not d["ok"]:
            print(f"FAILED: {d['reason']}")
            return
        print(f"P = {d['pressure']:.6g} +- {d['pressure_err']:.2g}, U/N = {d['energy']:.5g}")
        verdict = "kept" if d["kept"] else "dropped: " + ", ".join(d["flags"]["reasons"])
        print(f"diagnostics: {verdict}")
        for path in d.get("gr_files", {}).values():
            print(f"wrote {path}")
        if "result_file" in d:
            print(f"wrote {d['result_file']}")

    emit(args, data, human)
    return 0 if data["ok"] else 1
