"""Subcommands: validate (simulate a potential against a target g(r)) and refine."""

from __future__ import annotations

from ..engines.registry import DEFAULT_ENGINE, engine_names
from ..io.gr import GR_FORMATS
from ..io.potential_files import TABLE_FORMATS
from ..refine.methods import DEFAULT_METHOD, METHODS
from ..refine.start import start_names
from .common import DENSITY_HELP, POTENTIAL_HELP, add_no_progress, emit
from .units_args import add_unit_args, units_from_args

DEFAULT_OUT = "refine-output"


def _md_args(p, equilibration: int):
    p.add_argument("--engine", choices=engine_names(), default=DEFAULT_ENGINE,
                   help=f"MD engine (default {DEFAULT_ENGINE})")
    p.add_argument("--threads", type=int, default=1, help="MD threads")
    p.add_argument("--seed", type=int, default=1, help="seed of the first MD run (default 1)")
    p.add_argument("--equilibration", type=int, default=equilibration,
                   help=f"equilibration steps per run (default {equilibration})")
    p.add_argument("--gr-format", choices=list(GR_FORMATS), help="format of the target g(r) file")
    p.add_argument("--pressure", type=float, metavar="P",
                   help="target pressure (k_BT/sigma^3, or energy-unit/length-unit^3 with units)")
    add_no_progress(p)
    add_unit_args(p)


def add(sub, parent):
    p = sub.add_parser("validate", parents=[parent],
                       help="simulate a potential at the target's density and compare g(r)")
    p.add_argument("potential", help=POTENTIAL_HELP)
    p.add_argument("--target", required=True, metavar="GR", help="target g(r) file (any format)")
    p.add_argument("--density", type=float, required=True, metavar="RHO", help=DENSITY_HELP)
    p.add_argument("--steps", type=int, default=20000, help="production steps (default 20000)")
    p.add_argument("--out", help="folder for gr.csv, comparison.png and validation.json")
    p.add_argument("--plot", help="PNG of both g(r) and their difference")
    _md_args(p, 10000)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("refine", parents=[parent],
                       help="refine a potential by MD until it reproduces a target g(r)")
    p.add_argument("gr_file", help="target g(r) (text/CSV, LAMMPS, GROMACS .xvg, VOTCA .dist.tgt)")
    p.add_argument("--density", type=float, required=True, metavar="RHO", help=DENSITY_HELP)
    p.add_argument("--start", default="hnc",
                   help=f"one of {', '.join(start_names())} (default hnc: HNC inversion of the target, "
                        "the fastest start measured), or a potential file")
    p.add_argument("--method", choices=list(METHODS), default=DEFAULT_METHOD,
                   help="; ".join(f"{name}: {m.summary}" for name, m in METHODS.items())
                   + f" (default {DEFAULT_METHOD})")
    p.add_argument("--max-iter", type=int, default=10, help="most simulations (default 10)")
    p.add_argument("--tol", type=float, help="also stop when L_MSE <= TOL")
    p.add_argument("--r-cut", type=float, help="cutoff (default: min(target range, 5 sigma))")
    p.add_argument("--min-steps", type=int, default=4000, help="shortest production run (4000)")
    p.add_argument("--max-steps", type=int, default=40000, help="longest production run (40000)")
    p.add_argument("--max-du", type=float, default=1.0, help="largest change of U per iteration (k_BT)")
    p.add_argument("--model", default="inverse", help="inverse model for --start network")
    p.add_argument("--out", default=DEFAULT_OUT,
                   help=f"folder for iterations, final table and plots (default {DEFAULT_OUT}); "
                        "an existing refinement there resumes")
    p.add_argument("--format", choices=list(TABLE_FORMATS), default="lammps",
                   help="format of the final table besides final.csv (default lammps)")
    _md_args(p, 4000)
    p.set_defaults(func=cmd_refine)


def cmd_validate(args):
    from ..api import validate_potential

    data = validate_potential(args.potential, args.target, args.density, units=units_from_args(args),
                              gr_format=args.gr_format, steps=args.steps, equilibration=args.equilibration,
                              pressure=args.pressure, seed=args.seed, threads=args.threads,
                              engine=args.engine, out=args.out, plot=args.plot,
                              progress=not (args.no_progress or args.json)).to_dict()

    def human(d):
        verdict = "within noise" if d["within_noise"] else "NOT within noise"
        print(f"g(r): L_MSE = {d['l_mse']:.3g} (noise level {d['noise_mse']:.2g}), chi2/n = "
              f"{d['chi2']:.3g} (bound {d['chi2_bound']:.3g}): {verdict}")
        print(f"max |dg| = {d['max_dg']:.3g} +- {d['max_dg_err']:.2g} at r = {d['max_dg_r']:.3g} sigma")
        line = f"P = {d['pressure']:.5g} +- {d['pressure_err']:.2g}"
        if "pressure_target" in d:
            line += f" (target {args.pressure:g}: {100 * d['pressure_rel']:+.1f} %)"
        print(line)
        if d["target_err_estimated"]:
            print("note: the target has no error column; its error was estimated from its scatter")
        for key in ("gr_file", "plot", "result_file"):
            if key in d:
                print(f"wrote {d[key]}")

    emit(args, data, human)
    return 0


def cmd_refine(args):
    from ..api import refine_potential

    data = refine_potential(
        args.gr_file, args.density, units=units_from_args(args), gr_format=args.gr_format, start=args.start,
        model=args.model, out=args.out, fmt=args.format, pressure=args.pressure, r_cut=args.r_cut,
        progress=not (args.no_progress or args.json), method=args.method, max_iter=args.max_iter,
        tol=args.tol, min_steps=args.min_steps, max_steps=args.max_steps, equilibration=args.equilibration,
        max_du=args.max_du, seed=args.seed, threads=args.threads, engine=args.engine).to_dict()

    def human(d):
        for it, p in zip(d["history"], d["pressure"]):
            miss = "" if "pressure_target" not in d else (
                f" (target {d['pressure_target']:.4g}: {'met' if it.get('pressure_ok') else 'missed'})")
            print(f"iteration {it['iteration']}: L_MSE = {it['l_mse']:.3g} (noise {it['noise_mse']:.2g}), "
                  f"chi2/n = {it['chi2']:.3g}, P = {p:.4g}{miss}, {it['md_steps']} MD steps, "
                  f"{it['wall_s']:.0f} s")
        state = "converged" if d["converged"] else "not converged"
        print(f"{state}: {d['reason']}; final table = iteration {d['best']}")
        if "pressure_target" not in d:
            print("note: g(r) alone does not fix the pressure (a tail of U within the noise of g moves P "
                  "by tens of percent); give --pressure where it is known")
        for key in ("table", "table_md", "plot", "plot_gr"):
            print(f"wrote {d[key]}")

    emit(args, data, human)
    return 0 if data["g"] else 1
