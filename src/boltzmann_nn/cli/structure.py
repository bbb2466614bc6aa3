"""Subcommands: potential, virial, oz, invert."""

from __future__ import annotations

from ..io.gr import GR_FORMATS
from ..io.potential_files import TABLE_FORMATS
from ..theory.closures import closure_names
from ..theory.inversion import inversion_names
from .common import DENSITY_HELP, POTENTIAL_HELP, emit, fmt_list
from .units_args import add_unit_args, units_from_args

FORMAT_HELP = "table format (default: from the --out suffix)"


def add(sub, parent):
    p = sub.add_parser("potential", parents=[parent], help="tabulate a potential, write a table file")
    p.add_argument("spec", help=POTENTIAL_HELP)
    p.add_argument("--out", help="output file (.table: LAMMPS, .pot: VOTCA, else CSV)")
    p.add_argument("--format", choices=list(TABLE_FORMATS), help=FORMAT_HELP)
    p.add_argument("--n", type=int, default=1000, help="table points (default 1000)")
    p.add_argument("--r-min", type=float, help="first table point [sigma] (default: where U <= 1e4 k_BT)")
    p.add_argument("--plot", help="PNG of U(r) and F(r)")
    add_unit_args(p)
    p.set_defaults(func=cmd_potential)

    p = sub.add_parser("virial", parents=[parent], help="B2, B3 and low-density pressures")
    p.add_argument("spec", help="named potential (e.g. lj:rcut=inf,shift=false) or table file")
    p.add_argument("--density", type=float, nargs="*", default=[], metavar="RHO",
                   help="densities for P0 = rho + B2 rho^2 and P(B2, B3) [sigma^-3]")
    p.set_defaults(func=cmd_virial)

    p = sub.add_parser("oz", parents=[parent], help="Ornstein-Zernike structure (HNC or PY)")
    p.add_argument("potential", nargs="?", help=POTENTIAL_HELP)
    p.add_argument("--density", type=float, metavar="RHO", help="number density [sigma^-3]")
    p.add_argument("--spec", metavar="TOML",
                   help="a mixture spec with [potentials] (docs/mixtures.md): every g_ij, S_ij(k), "
                        "Bhatia-Thornton, Kirkwood-Buff, pressures, B2")
    p.add_argument("--closure", choices=closure_names(), default="hnc", help="closure (default hnc)")
    p.add_argument("--out", help="CSV of g(r)")
    p.add_argument("--plot", help="PNG of g(r) and S(k)")
    p.set_defaults(func=cmd_oz)

    p = sub.add_parser("invert", parents=[parent], help="potential from g(r) (Boltzmann or HNC)")
    p.add_argument("gr_file", help="g(r) file (text/CSV, LAMMPS, GROMACS .xvg, VOTCA .dist.tgt)")
    p.add_argument("--density", type=float, required=True, metavar="RHO", help=DENSITY_HELP)
    p.add_argument("--method", choices=inversion_names(), default="boltzmann",
                   help="boltzmann: U = -ln g; hnc: the HNC closure solved for U (default boltzmann)")
    p.add_argument("--gr-format", choices=list(GR_FORMATS), help="format of gr_file (default: recognised)")
    p.add_argument("--out", help="potential table (.table, .pot or .csv)")
    p.add_argument("--format", choices=list(TABLE_FORMATS), help=FORMAT_HELP)
    p.add_argument("--plot", help="PNG of g(r) and U(r)")
    p.add_argument("--true", metavar="POTENTIAL",
                   help="the known potential (named spec in reduced units, or a table file in the given "
                        "units): drawn in the plot and compared where g > 0.05")
    add_unit_args(p)
    p.set_defaults(func=cmd_invert)


def cmd_potential(args):
    from .. import api

    res = api.tabulate(args.spec, n=args.n, r_min=args.r_min, out=args.out, fmt=args.format,
                       plot=args.plot, units=units_from_args(args)).to_dict()

    def human(d):
        units = units_from_args(args)
        print(f"{d['potential'].get('name')}: r_cut = {d['r_cut']:.4g} {units.length_label}, "
              f"{len(d['r'])} points")
        print(f"U on the network grid (reduced) [k_BT]: {fmt_list(d['nn_grid']['U_capped'][:10], 3)} ...")
        for key in ("out", "plot"):
            if key in d:
                print(f"wrote {d[key]}")

    emit(args, res, human)


def cmd_virial(args):
    from .. import api

    res = api.virial(args.spec, args.density).to_dict()

    def human(d):
        print(f"B2 = {d['B2']:.6g} sigma^3")
        print(f"B3 = {d['B3']:.6g} sigma^6")
        for rho, p0, p3 in zip(d["density"], d["P0"], d["P_B3"]):
            print(f"rho = {rho:g}: P0 = {p0:.6g}, P(B2,B3) = {p3:.6g} k_BT/sigma^3")

    emit(args, res, human)


def cmd_oz(args):
    from .. import api
    from .refine import _need

    _need(args, "potential", "POTENTIAL")
    if args.spec:
        return _oz_spec(args)
    res = api.solve_oz(args.potential, args.density, args.closure, out=args.out, plot=args.plot).to_dict()

    def human(d):
        print(f"OZ/{d['closure'].upper()} at rho = {d['density']:g}: converged in {d['iterations']} iterations")
        print(f"P (virial) = {d['pressure_virial']:.6g}, P (compressibility) = "
              f"{d['pressure_compressibility']:.6g} k_BT/sigma^3, 1/S(0) = {d['inverse_compressibility']:.4g}")
        for key in ("out", "plot"):
            if key in d:
                print(f"wrote {d[key]}")

    emit(args, res, human)


def cmd_invert(args):
    from .. import api

    res = api.invert_gr(args.gr_file, args.density, args.method, out=args.out, fmt=args.format,
                        plot=args.plot, units=units_from_args(args), fmt_in=args.gr_format,
                        true=args.true).to_dict()

    def human(d):
        print(f"{d['method']} inversion: {len(d['r'])} points, U min = {min(d['U']):.4g} {d['energy_unit']}")
        if "mae_true" in d:
            print(f"mean |U - U_true| where g > 0.05: {d['mae_true']:.3g} {d['energy_unit']}")
        for key in ("out", "plot"):
            if key in d:
                print(f"wrote {d[key]}")

    emit(args, res, human)


def _oz_spec(args):
    from ..mixture.theory_spec import oz_spec

    res = oz_spec(args.spec, args.closure, out=args.out)

    def human(d):
        print(f"mixture OZ/{d['closure'].upper()} of {', '.join(d['species'])} at x = {d['fractions']}, "
              f"rho = {d['density']:g}: converged in {d['iterations']} iterations ({d['units']})")
        print(f"P (virial) = {d['pressure_virial']:.6g}, "
              f"P (compressibility) = {d['pressure_compressibility']:.6g}, "
              f"beta dP/drho = {d['inverse_compressibility']:.4g}, B2 = {d['B2']:.5g}")
        print("Kirkwood-Buff G_ij: " + ", ".join(f"{p} {v:.4g}" for p, v in d["kirkwood_buff"].items()))
        if "S_CC_0_over_x1x2" in d:
            print(f"S_CC(0)/(x1 x2) = {d['S_CC_0_over_x1x2']:.4g} (1: ideal mixing; large: near demixing)")
        if "out" in d:
            print(f"wrote {d['out']}")

    emit(args, res, human)
