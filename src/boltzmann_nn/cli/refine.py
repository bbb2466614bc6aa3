"""Subcommands: validate (simulate a potential against a target g(r)) and refine."""

from __future__ import annotations

import sys
from pathlib import Path

from ..engines.registry import DEFAULT_ENGINE, engine_names
from ..io.gr import GR_FORMATS
from ..io.potential_files import TABLE_FORMATS
from ..refine.methods import DEFAULT_METHOD, METHODS
from ..refine.start import start_names
from .common import DENSITY_HELP, POTENTIAL_HELP, add_no_progress, emit
from .units_args import add_unit_args, units_from_args

DEFAULT_OUT = "refine-output"
SPEC_HELP = ("a spec (TOML) of species, mole fractions, density and one target g(r) per species pair "
             "(docs/mixtures.md); instead of the positional file and --density")


def _need(args, positional: str, what: str) -> None:
    """Either --spec, or the positional argument and --density."""
    from ..errors import InputError

    if args.spec:
        if getattr(args, positional) is not None:
            raise InputError(f"give either --spec or {what}, not both")
        return
    missing = [name for name, val in ((what.split()[0], getattr(args, positional)), ("--density", args.density))
               if val is None]
    if getattr(args, "target", "") is None:
        missing.append("--target")
    if missing:
        raise InputError(f"missing {', '.join(missing)} (or give --spec)")


def _md_args(p, equilibration: int):
    p.add_argument("--engine", choices=engine_names(), default=None,
                   help=f"MD engine (default {DEFAULT_ENGINE}, or a spec's [md] engine)")
    p.add_argument("--threads", type=int, default=1, help="MD threads")
    p.add_argument("--seed", type=int, default=1, help="seed of the first MD run (default 1)")
    p.add_argument("--equilibration", type=int, default=equilibration,
                   help=f"equilibration steps per run (default {equilibration})")
    p.add_argument("--gr-format", choices=list(GR_FORMATS), help="format of the target g(r) file")
    p.add_argument("--pressure", metavar="P",
                   help="target pressure: a number (k_BT/sigma^3, or energy-unit/length-unit^3 with units) "
                        "or with a unit, e.g. 1bar, 1atm, 101325Pa (needs --sigma and --temperature)")
    add_no_progress(p)
    add_unit_args(p)


def add(sub, parent):
    p = sub.add_parser("validate", parents=[parent],
                       help="simulate a potential at the target's density and compare g(r)")
    p.add_argument("potential", nargs="?", help=POTENTIAL_HELP)
    p.add_argument("--target", metavar="GR", help="target g(r) file (any format)")
    p.add_argument("--density", type=float, metavar="RHO", help=DENSITY_HELP)
    p.add_argument("--spec", metavar="TOML", help=SPEC_HELP)
    p.add_argument("--steps", type=int, default=20000, help="production steps (default 20000)")
    p.add_argument("--out", help="folder for gr.csv, comparison.png and validation.json")
    p.add_argument("--plot", help="PNG of both g(r) and their difference")
    _md_args(p, 10000)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("refine", parents=[parent],
                       help="refine a potential by MD until it reproduces a target g(r)")
    p.add_argument("gr_file", nargs="?", help="target g(r) (text/CSV, LAMMPS, GROMACS .xvg, VOTCA .dist.tgt)")
    p.add_argument("--density", type=float, metavar="RHO", help=DENSITY_HELP)
    p.add_argument("--spec", metavar="TOML", help=SPEC_HELP)
    p.add_argument("--states", metavar="TOML",
                   help="a multi-state file ([[states]] with spec = FILE, weight, kT): one set of potentials "
                        "refined against every state at once, the states' runs of an iteration in parallel on "
                        "Dask (docs/mixtures.md, 'Several states')")
    p.add_argument("--votca", metavar="SETTINGS",
                   help="a VOTCA csg_inverse project (settings.xml or its folder): its interactions, targets, "
                        "kBT, method, p_target and configuration become a spec (written to --out); the final "
                        "tables also as NAME.pot.new")
    p.add_argument("--start", default="hnc",
                   help=f"one of {', '.join(start_names())} (default hnc: HNC inversion of the target, "
                        "the fastest start measured; auto: the network or HNC inversion as the HNC response "
                        "at the target and its density say, docs/refinement.md), or a potential file")
    p.add_argument("--method", choices=list(METHODS), default=None,
                   help="; ".join(f"{name}: {m.summary}" for name, m in METHODS.items())
                   + f" (default {DEFAULT_METHOD}; with --spec or --votca it replaces the spec's or project's)")
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

    _need(args, "potential", "POTENTIAL")
    if args.spec:
        return _validate_spec(args)
    data = validate_potential(args.potential, args.target, args.density, units=units_from_args(args),
                              gr_format=args.gr_format, steps=args.steps, equilibration=args.equilibration,
                              pressure=args.pressure, seed=args.seed, threads=args.threads,
                              engine=args.engine or DEFAULT_ENGINE, out=args.out, plot=args.plot,
                              progress=not (args.no_progress or args.json)).to_dict()

    def human(d):
        verdict = "within noise" if d["within_noise"] else "NOT within noise"
        print(f"g(r): L_MSE = {d['l_mse']:.3g} (noise level {d['noise_mse']:.2g}), chi2/n = "
              f"{d['chi2']:.3g} (bound {d['chi2_bound']:.3g}): {verdict}")
        print(f"max |dg| = {d['max_dg']:.3g} +- {d['max_dg_err']:.2g} at r = {d['max_dg_r']:.3g} sigma")
        line = f"P = {d['pressure']:.5g} +- {d['pressure_err']:.2g} {d.get('pressure_unit', 'k_BT/sigma^3')}"
        if "pressure_target" in d:
            line += f" (target {args.pressure}: {100 * d['pressure_rel']:+.1f} %)"
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

    if args.states:
        if args.spec or args.gr_file or args.votca:
            from ..errors import InputError

            raise InputError("give --states alone (not with --spec, --votca or a g(r) file)")
        return _refine_states(args)
    if args.votca:
        if args.spec or args.gr_file:
            from ..errors import InputError

            raise InputError("give --votca alone (not with --spec or a g(r) file)")
        args.spec = _votca_spec(args)
    _need(args, "gr_file", "GR_FILE")
    if args.spec:
        from ..mixture.spec import read_spec

        spec = read_spec(args.spec)
        if spec.composition.n_species > 1:
            return _refine_spec(args)
        _one_species(args, spec)
    data = refine_potential(
        args.gr_file, args.density, units=units_from_args(args), gr_format=args.gr_format, start=args.start,
        model=args.model, out=args.out, fmt=args.format, pressure=args.pressure, r_cut=args.r_cut,
        progress=not (args.no_progress or args.json), method=args.method or DEFAULT_METHOD,
        max_iter=args.max_iter,
        tol=args.tol, min_steps=args.min_steps, max_steps=args.max_steps, equilibration=args.equilibration,
        max_du=args.max_du, seed=args.seed, threads=args.threads,
        engine=args.engine or DEFAULT_ENGINE).to_dict()
    if getattr(args, "votca_project", None) is not None:
        (t,) = args.votca_project.counts
        data["votca_tables"] = _votca_tables(args, {f"{t}-{t}": data["table"]})

    def human(d):
        for it, p in zip(d["history"], d["pressure"]):
            miss = "" if "pressure_target" not in d else (
                f" (target {d['pressure_target']:.4g}: {'met' if it.get('pressure_ok') else 'missed'})")
            print(f"iteration {it['iteration']}: L_MSE = {it['l_mse']:.3g} (noise {it['noise_mse']:.2g}), "
                  f"chi2/n = {it['chi2']:.3g}, P = {p:.4g} {d['pressure_unit']}{miss}, "
                  f"{it['md_steps']} MD steps, {it['wall_s']:.0f} s")
        state = "converged" if d["converged"] else "not converged"
        print(f"{state}: {d['reason']}; final table = iteration {d['best']}")
        if "pressure_target" not in d:
            print("note: g(r) alone does not fix the pressure (a tail of U within the noise of g moves P "
                  "by tens of percent); give --pressure where it is known")
        for key in ("table", "table_md", "plot", "plot_gr"):
            print(f"wrote {d[key]}")
        for path in d.get("votca_tables", []):
            print(f"wrote {path} (VOTCA)")

    emit(args, data, human)
    return 0 if data["g"] else 1


def _votca_spec(args) -> str:
    """Read a VOTCA project, say how it maps, and write the spec it becomes into --out."""
    from ..io.atomic import atomic_write, check_out_folder
    from ..io.gr import read_gr
    from ..targets.run import length_scale
    from ..votca_project import read_votca

    project = read_votca(args.votca)
    if args.method is not None and args.method != project.method:
        project.notes.append(f"method {project.method} -> {args.method} (--method)")
        project.method = args.method
    out = check_out_folder(args.out)
    first = read_gr(project.interactions[0][3])
    sigma = length_scale([(first.r, first.g)])
    max_iter = min(project.iterations, args.max_iter) if project.iterations else args.max_iter
    for note in project.notes + [f"iterations_max {project.iterations} -> {max_iter} (--max-iter)"]:
        print(f"votca: {note}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    args.votca_project = project
    return str(atomic_write(out / "votca-spec.toml", project.spec_text(sigma, max_iter)))


def _votca_tables(args, tables: dict) -> list[str]:
    """VOTCA-named copies (``NAME.pot.new``, nm and kJ/mol) of the final tables."""
    from ..io.potential_files import write_potential
    from ..mixture.spec import read_spec
    from ..potentials.table import read_potential_table

    project = getattr(args, "votca_project", None)
    if project is None:
        return []
    units = read_spec(args.spec).units
    written = []
    for name, t1, t2, _, _ in project.interactions:
        path = tables.get(f"{t1}-{t2}", tables.get(f"{t2}-{t1}"))
        if path is not None:
            table = read_potential_table(path, units)
            written.append(str(write_potential(Path(args.out) / f"{name}.pot.new", table, "votca", units)))
    return written


def _one_species(args, spec) -> None:
    """A one-species spec is today's ``refine GR --density RHO``: fill the arguments."""
    if spec.kb is not None:
        from ..errors import InputError

        raise InputError("[kirkwood_buff] targets need two or more species (one species: give the pressure)",
                         str(spec.path))
    (path,) = spec.targets.values()
    args.gr_file = str(path)
    args.density = float(spec.units.density(spec.composition.density))
    if spec.pressure is not None:
        args.pressure = str(float(spec.units.pressure(spec.pressure)))
    args.method = args.method or spec.method
    if isinstance(spec.start, str):
        args.start = spec.start
    else:
        (args.start,) = (str(v) for v in spec.start.values())
    if spec.r_cut:
        (rc,) = spec.r_cut.values()
        args.r_cut = float(spec.units.length(rc))
    args.max_iter = args.max_iter if args.max_iter != 10 else spec.max_iter
    for key in ("equilibration", "seed", "threads"):
        if key in spec.md:
            setattr(args, key, int(spec.md[key]))
    if "steps" in spec.md:
        args.min_steps = int(spec.md["steps"])
    if "max_steps" in spec.md:
        args.max_steps = int(spec.md["max_steps"])
    u = spec.units
    if not u.is_reduced:
        args.sigma, args.temperature = f"{u.sigma}{u.length_unit}", None
        args.kT, args.energy_unit = u.kT, u.energy_unit


def _refine_spec(args):
    from ..mixture.run_spec import refine_spec
    from ..mixture.spec import read_spec

    units = read_spec(args.spec).units

    def progress(rec):
        if not (args.no_progress or args.json):
            s = rec.summary()
            chi2 = f"chi2/n = {s['chi2']:.3g} (bound {s['chi2_bound']:.3g})" if "chi2" in s else s["reason"]
            print(f"iteration {s['iteration']}: {chi2}, P = {units.pressure(s['pressure']):.4g} "
                  f"{units.pressure_label}, {s['md_steps']} MD steps, {s['wall_s']:.0f} s", file=sys.stderr,
                  flush=True)

    data = refine_spec(args.spec, args.out, args.max_iter if args.max_iter != 10 else None, progress,
                       engine=args.engine, method=args.method)
    if getattr(args, "votca_project", None) is not None:
        data["votca_tables"] = _votca_tables(args, data["tables"])

    def human(d):
        for it in d["history"]:
            pairs = ", ".join(f"{p} {v['chi2']:.3g}" for p, v in it.get("pairs", {}).items())
            print(f"iteration {it['iteration']}: chi2/n = {it.get('chi2', float('nan')):.3g} ({pairs}), "
                  f"P = {units.pressure(it['pressure']):.4g} {units.pressure_label}, "
                  f"{it['md_steps']} MD steps, {it['wall_s']:.0f} s")
        state = "converged" if d["converged"] else "not converged"
        print(f"{state}: {d['reason']}; final tables = iteration {d['best']} ({d['units']})")
        for p, path in d["tables"].items():
            print(f"wrote {path} ({p})")
        print(f"wrote {d['files']['lammps']} and {d['files']['lammps_lines_file']} (LAMMPS), "
              f"GROMACS and VOTCA tables in {Path(d['files']['lammps']).parent}")
        print(f"wrote {d['plots']['pairs']} and {d['plots']['convergence']}")
        for path in d.get("votca_tables", []):
            print(f"wrote {path} (VOTCA)")

    emit(args, data, human)
    return 0 if data["g"] else 1


def _refine_states(args):
    from ..mixture.run_states import refine_states_file

    def progress(it):
        if not (args.no_progress or args.json):
            parts = [f"{n} chi2/n {r.comparison.chi2:.3g}" if r.comparison else f"{n} {r.run.reason}"
                     for n, r in it.states.items()]
            print(f"iteration {it.iteration}: {', '.join(parts)}; {it.md_steps} MD steps", file=sys.stderr,
                  flush=True)

    data = refine_states_file(args.states, args.out, args.max_iter if args.max_iter != 10 else None, progress)

    def human(d):
        state = "converged" if d["converged"] else "not converged"
        print(f"{state}: {d['reason']}; final tables = iteration {d['best']}, {d['md_steps']} MD steps in "
              f"{d['wall_s']:.0f} s ({d['units']})")
        for name, st in d["states"].items():
            p = "" if st["pressure"] is None else f", P = {st['pressure']:.4g} {st['pressure_unit']}"
            chi2 = ("failed" if st["chi2"] is None
                    else f"chi2/n = {st['chi2']:.3g} (bound {st['chi2_bound']:.3g})")
            print(f"  {name}: {chi2}{p}")
        for p, path in d["tables"].items():
            print(f"wrote {path} ({p})")
        print(f"wrote {d['files']['lammps']} and the other engines' tables beside it")

    emit(args, data, human)
    return 0 if data["converged"] else 1


def _validate_spec(args):
    from ..mixture.simulate_spec import validate_spec

    data = validate_spec(args.spec, steps=args.steps, equilibration=args.equilibration, seed=args.seed,
                         threads=args.threads, out=args.out, engine=args.engine)

    def human(d):
        if not d["ok"]:
            print(f"FAILED: {d['reason']}")
            return
        c = d["comparison"]
        for p, s in c["pairs"].items():
            print(f"{p}: L_MSE = {s['l_mse']:.3g} (noise {s['noise_mse']:.2g}), chi2/n = {s['chi2']:.3g}")
        verdict = "within noise" if c["within_noise"] else "NOT within noise"
        print(f"all pairs: chi2/n = {c['chi2']:.3g} (bound {c['chi2_bound']:.3g}): {verdict}")
        line = f"P = {d['pressure']:.5g} +- {d['pressure_err']:.2g} ({d['units']})"
        if "pressure_target" in d:
            line += f" (target {d['pressure_target']:.5g}: {100 * d['pressure_rel']:+.1f} %)"
        print(line)
        if d["flags"]["reasons"]:
            print("diagnostics: " + ", ".join(d["flags"]["reasons"]))

    emit(args, data, human)
    return 0 if data["ok"] else 1
