"""Subcommands: train, evaluate, predict-eos, predict-potential."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

from ..io.gr import GR_FORMATS
from ..io.potential_files import TABLE_FORMATS
from ..ml.nets.architectures import architecture_names
from ..ml.tasks.registry import get_task, task_names
from ..paths import DEFAULT_DATA
from .common import emit, fmt_list
from .units_args import add_unit_args, units_from_args


def _train_args(p):
    p.add_argument("--data", default=DEFAULT_DATA, help=f"dataset file (default {DEFAULT_DATA})")
    p.add_argument("--epochs", type=int, help="training epochs (default: the shipped model's)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    p.add_argument("--batch-size", type=int, default=0, help="0 = full batch")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def add(sub, parent):
    t = sub.add_parser("train", help="train a network (reproduces the shipped models)")
    tsub = t.add_subparsers(dest="task", metavar="TASK")
    for name in task_names():
        p = tsub.add_parser(name, parents=[parent], help=f"train the {name} network on train+validation")
        _train_args(p)
        p.add_argument("--arch", choices=architecture_names(),
                       help="network architecture (default: the shipped model's)")
        p.add_argument("--options", help="network options (paper Table 1/2), e.g. c or f")
        get_task(name).add_arguments(p)
        p.add_argument("--members", type=int,
                       help="an ensemble of this many seeds on all of train+validation (default, as "
                            "shipped: one member per CV fold, each stopping early on the fold it leaves "
                            "out, the spread calibrated on those folds)")
        p.add_argument("--out", default="models", help="weights and card go here (default models/)")
        p.add_argument("--report", help="figures and the report go here (default: --out)")
        p.add_argument("--name", default=name, help=f"model name of the weights and card (default {name})")
        p.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="cross-validation study: the paper's tables and figures")
    esub = e.add_subparsers(dest="task", metavar="TASK")
    for name in task_names():
        p = esub.add_parser(name, parents=[parent], help=f"4-fold CV of every {name} network variant")
        _train_args(p)
        p.add_argument("--archs", nargs="+", default=architecture_names(), choices=architecture_names(),
                       help="architectures to compare (default: all)")
        p.add_argument("--no-search", action="store_true", help="skip the hyperparameter search")
        p.add_argument("--workers", type=int, default=1, help="processes (one thread each)")
        p.add_argument("--out", default=f"results/{name}", help="output directory")
        p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("predict-eos", parents=[parent], help="pressure and virial coefficients from U(r)")
    p.add_argument("spec", help="named potential or table file (any grid)")
    p.add_argument("--density", type=float, nargs="+", required=True, metavar="RHO",
                   help="number densities [sigma^-3, or length-unit^-3 with units]")
    p.add_argument("--model", default="eos", help="shipped model name or model card path")
    p.add_argument("--plot", help="PNG of P(rho) with P0")
    add_unit_args(p)
    p.set_defaults(func=cmd_predict_eos)

    p = sub.add_parser("predict-potential", parents=[parent], help="pair potential from g(r)")
    p.add_argument("gr_file", help="g(r) file (text/CSV, LAMMPS, GROMACS .xvg, VOTCA .dist.tgt)")
    p.add_argument("--density", type=float, required=True, metavar="RHO",
                   help="number density of the g(r) [sigma^-3, or length-unit^-3 with units]")
    p.add_argument("--model", default="inverse", help="shipped model name or model card path (default inverse)")
    p.add_argument("--gr-format", choices=list(GR_FORMATS), help="format of gr_file (default: recognised)")
    p.add_argument("--pressure", metavar="P",
                   help="the state's pressure, if known (k_BT/sigma^3, energy-unit/length-unit^3 with "
                        "units, or e.g. 1bar): U gets the linear ramp that meets it (g alone does not fix P)")
    p.add_argument("--out", help="table for an MD engine (.table LAMMPS, .pot VOTCA, .csv)")
    p.add_argument("--format", choices=list(TABLE_FORMATS), help="table format (default: --out suffix)")
    p.add_argument("--plot", help="PNG of the prediction beside U0 and g(r)")
    add_unit_args(p)
    p.set_defaults(func=cmd_predict_potential)


def _tcfg(args, default):
    return replace(default, epochs=args.epochs or default.epochs, lr=args.lr,
                   batch_size=args.batch_size, seed=args.seed, device=args.device)


def _load(args):
    from ..ml.pipeline.data import load_arrays

    return load_arrays(args.data)


def cmd_train(args):
    from ..ml.pipeline import workflow

    task = get_task(args.task)
    ds = _load(args)
    cfg = task.shipped
    arch = replace(cfg.arch, arch=args.arch) if args.arch else cfg.arch
    cfg = task.configure(replace(cfg, arch=arch, options=args.options or cfg.options), args)
    res = workflow.train_final(task, ds, cfg, _tcfg(args, task.final_budget), args.members or 0, args.out,
                               args.name, progress=not args.no_progress, report_dir=args.report,
                               committee=not args.members)

    def human(d):
        c = d["card"]
        print(f"trained {c['name']} ({c['members']} members, {c['n_parameters']} parameters each) "
              f"in {c['training_seconds']:.0f} s on {c['training_device']}")
        for part in ("train", "test"):
            m = c["metrics"][part]
            keys = [k for k in task.keys if k in m]
            print(f"  {part}: " + ", ".join(f"{k} = {m[k]:.4g}" for k in keys))
        print(f"  wrote {Path(args.out) / (c['name'] + '.safetensors')} and its card")

    emit(args, res, human)


def cmd_evaluate(args):
    from ..ml.pipeline import workflow

    task = get_task(args.task)
    ds = _load(args)
    res = workflow.study(task, ds, _tcfg(args, task.cv_budget), args.out, tuple(args.archs),
                         search=not args.no_search, workers=args.workers)

    def human(d):
        print(f"{d['rows']} cross-validated variants; best: {d['best']}")
        print(f"table: {d['table']}, figure: {d['figure']}")

    emit(args, res, human)


def cmd_predict_eos(args):
    from ..ml.serving.outputs import write_eos_outputs
    from ..ml.serving.predict import predict_eos

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = predict_eos(args.spec, args.density, units=units_from_args(args), model=args.model)
    res = write_eos_outputs(pred.to_dict(), args.plot)

    def human(d):
        for w in d["warnings"]:
            print(f"warning: {w}")
        print(f"model {d['model']} ({d['strategy']}, options {d['options']})")
        exact = f"B2 = {d['B2_exact']:.5g} sigma^3"
        if d.get("B3_exact") is not None:
            exact += f", B3 = {d['B3_exact']:.5g} sigma^6"
        print(f"exact virial coefficients: {exact}")
        coefs = [f"{k} = {v:.5g}" if isinstance(v, float) else f"{k} = {fmt_list(v)}"
                 for k, v in d["virial_coefficients"].items()]
        print("the network's effective coefficients (a truncated series fitted to P(rho), not virial "
              "coefficients): " + ", ".join(coefs))
        for i, rho in enumerate(d["density"]):
            line = (f"rho = {rho:.4g} sigma^-3: P = {d['pressure'][i]:.5g} +- {d['pressure_spread'][i]:.2g}, "
                    f"P0 = {d['P0'][i]:.5g} k_BT/sigma^3")
            if "pressure_phys" in d:
                line += f"  [{d['pressure_phys'][i]:.5g} {d['units'].split('U [')[1].split(']')[0]}/length^3"
                if d.get("pressure_bar"):
                    line += f" = {d['pressure_bar'][i]:.5g} bar"
                line += "]"
            print(line)
        if "plot" in d:
            print(f"wrote {d['plot']}")

    emit(args, res, human)


def cmd_predict_potential(args):
    from ..ml.serving.outputs import write_potential_outputs
    from ..ml.serving.predict import predict_potential

    units = units_from_args(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = predict_potential(args.gr_file, args.density, units=units, model=args.model,
                                 fmt_in=args.gr_format, pressure=args.pressure)
    res = write_potential_outputs(pred, units, args.gr_file, args.out, args.format, args.plot)

    def human(d):
        for w in d["warnings"]:
            print(f"warning: {w}")
        reduced = "" if units.is_reduced else f" (rho sigma^3 = {d['density_reduced']:.4g})"
        print(f"model {d['model']} (options {d['options']}), "
              f"rho = {d['density']:.4g} {d['density_unit']}{reduced}")
        print(f"U on the network grid [{d['energy_unit']}]: {fmt_list(d['U'][:12], 3)} ...")
        pu = d["pressure_unit"]
        bar = "" if d["pressure_virial_bar"] is None else f" = {d['pressure_virial_bar']:.4g} bar"
        if d["pressure_target"] is None:
            print(f"pressure of U by the virial with this g(r): {d['pressure_virial']:.4g} {pu}{bar} "
                  "(g(r) alone does not fix P: give --pressure if the state's is known)")
        else:
            print(f"pressure: {d['pressure_virial']:.4g} {pu} by the virial of the network's U, "
                  f"{d['pressure_target']:.4g} with the ramp of {d['pressure_ramp']:.3g} at r = 0")
        if d["start_choice"] is not None:
            print(f"trusted estimate for refine --start auto: {d['start_choice']['start']} "
                  f"({d['start_choice']['why']})")
        for key in ("out", "plot"):
            if key in d:
                print(f"wrote {d[key]}")

    emit(args, res, human)
