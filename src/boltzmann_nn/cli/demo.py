"""Subcommand: demo (the built-in end-to-end job)."""

from __future__ import annotations

import sys

from .common import add_no_progress, emit


def add(sub, parent):
    p = sub.add_parser("demo", parents=[parent],
                       help="end-to-end job on a built-in default (LJ at k_BT/eps = 2)")
    p.add_argument("--out", default="demo-output", help="output directory (default demo-output)")
    p.add_argument("--density", type=float, default=0.5,
                   help="number density of the OZ and inversion steps [sigma^-3] (default 0.5)")
    p.add_argument("--no-md", action="store_true", help="skip the MD validation and refinement")
    add_no_progress(p)
    p.set_defaults(func=cmd_demo)


def cmd_demo(args):
    from ..demo import demo

    def progress(line):
        if not (args.no_progress or args.json):
            print(f"demo: {line} ...", file=sys.stderr, flush=True)

    res = demo(args.out, args.density, md=not args.no_md, progress=progress)

    def human(d):
        print(f"{d['potential']} (Lennard-Jones, k_BT/eps = 2)")
        print(f"  B2 = {d['B2']:.5g} sigma^3, B3 = {d['B3']:.5g} sigma^6 (full potential)")
        for rho, p in d["P0"].items():
            print(f"  P0(rho = {rho}) = {p:.5g} k_BT/sigma^3")
        h, y = d["pressure_hnc"], d["pressure_py"]
        print(f"  OZ at rho = {d['density']:g}: P_HNC = {h['virial']:.5g} (virial), "
              f"{h['compressibility']:.5g} (compressibility); P_PY = {y['virial']:.5g}, "
              f"{y['compressibility']:.5g}")
        print(f"  HNC inversion of the HNC g(r) returns U within {d['hnc_round_trip_max_error']:.2g} k_BT")
        n = d["networks"]
        pg = n["potential_from_gr"]
        print(f"  network U(r) from the bundled MD g(r) ({pg['gr_file']}, rho = {pg['density']:g}): "
              f"mean |U - U_LJ| = {pg['MAE_network']:.3f} k_BT (Boltzmann inversion "
              f"{pg['MAE_boltzmann']:.3f}, HNC inversion {pg['MAE_hnc']:.3f})")
        for rho, v in n["eos"].items():
            print(f"  network P(rho = {rho}) = {v['network']:.4g} k_BT/sigma^3 (Thol EOS {v['thol']:.4g})")
        loop = d["loop"]
        if loop:
            v = loop["validate"]
            pt = loop["pressure_target"]
            print(f"  MD of the network's U against the bundled g(r): L_MSE = {v['l_mse']:.2e} (noise "
                  f"{v['noise_mse']:.1e}), P = {v['pressure']:.4g} +- {v['pressure_err']:.2g} (bundled "
                  f"run {pt:.4g}: g alone does not fix P)")
            steps = ", ".join(f"{x:.2e}" for x in loop["distance"])
            ps = ", ".join(f"{x:.4g}" for x in loop["pressure"])
            print(f"  refined towards g(r) and P = {pt:.4g} ({len(loop['distance'])} short runs, "
                  f"{loop['wall_s']:.0f} s): L_MSE {steps}; P {ps}; final table {loop['table']}")
        print(f"  wrote {len(d['files'])} files to {args.out}/")

    emit(args, res, human)
