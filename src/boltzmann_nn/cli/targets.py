"""Subcommand: targets (refinement targets from an atomistic trajectory)."""

from __future__ import annotations

import sys

from .common import add_no_progress, emit


def add(sub, parent):
    p = sub.add_parser("targets", parents=[parent],
                       help="partial g_ij, densities and a refinement spec from an atomistic trajectory "
                            "(MDAnalysis)")
    p.add_argument("topology", help="topology MDAnalysis reads (GROMACS tpr/gro, LAMMPS data, PDB, ...)")
    p.add_argument("trajectory", nargs="*", help="trajectory files (xtc, trr, dcd, LAMMPS dump, ...)")
    p.add_argument("--bead", action="append", default=[], metavar="NAME=SELECTION", required=True,
                   help="a bead type: each residue matched by the MDAnalysis selection becomes one bead "
                        "(repeat for several types; beads of one residue form one molecule)")
    p.add_argument("--center", default="com",
                   help="where a bead sits: com (centre of mass, default), cog (of geometry) or an atom name")
    p.add_argument("--r-max", type=float, default=1.5, help="range of g [nm] (default 1.5)")
    p.add_argument("--bin-width", type=float, default=0.002, help="bin width of g [nm] (default 0.002)")
    p.add_argument("--begin", type=float, help="time of the first frame used [ps]")
    p.add_argument("--end", type=float, help="time of the last frame used [ps]")
    p.add_argument("--step", type=int, default=1, help="use every N-th frame (default 1)")
    p.add_argument("--temperature", type=float, help="temperature of the run [K]: needed for the spec")
    p.add_argument("--energy", metavar="FILE",
                   help="the run's energy file (GROMACS .edr, or a LAMMPS log in units real/metal): its "
                        "mean pressure over --begin/--end becomes the spec's target pressure [bar]")
    p.add_argument("--out", default="targets", help="folder for g_A-B.csv, structure.json, spec.toml")
    add_no_progress(p)
    p.set_defaults(func=cmd_targets)


def cmd_targets(args):
    from ..targets.run import trajectory_targets

    bar = None
    if not (args.no_progress or args.json):
        from tqdm import tqdm

        bar = tqdm(desc="frames", unit="frame", file=sys.stderr)

    def progress(done, total):
        if bar is not None:
            bar.total = total
            bar.update(1)

    try:
        res = trajectory_targets(args.topology, args.trajectory, args.bead, center=args.center,
                                 r_max=args.r_max, bin_width=args.bin_width, begin=args.begin, end=args.end,
                                 step=args.step, temperature=args.temperature, energy=args.energy,
                                 out=args.out, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    data = res.to_dict()

    def human(d):
        st = ", ".join(f"{n} {c} ({x:.3g})" for n, c, x in zip(d["species"], d["counts"], d["fractions"]))
        print(f"{d['frames']} frames, {d['times'][0]:g}-{d['times'][1]:g} ps; beads: {st}")
        print(f"density = {d['density']:.6g} nm^-3 (mean volume {d['volume']:.6g} nm^3); "
              f"sigma = {d['sigma']:g} nm")
        if "pressure_bar" in d:
            print(f"pressure of the run = {d['pressure_bar']:.5g} +- {d['pressure_err_bar']:.2g} bar")
        for pair, n in d["excluded_pairs"].items():
            if n:
                print(f"{pair}: {n} intramolecular pairs left out")
        for path in d["files"].get("g", {}).values():
            print(f"wrote {path}")
        if "spec" in d["files"]:
            print(f"wrote {d['files']['spec']} (refine --spec {d['files']['spec']})")
        else:
            print("no spec written: give --temperature")

    emit(args, data, human)
    return 0
