"""``targets`` from trajectories: agreement and speed (issue: targets from trajectories).

    python benchmarks/targets_trajectory.py

1. Agreement: a LAMMPS run of the LJ fluid (1,000 atoms, rho = 0.8, T = 1.5) dumps its
   trajectory and, on the same frames, computes its own g(r) (``compute rdf``); ``targets``
   reads the dump with MDAnalysis. chi2/n of the difference against our block errors.
2. Speed: frames per second for 2,000 and 20,000 beads (one-atom residues, rho = 0.033 Å⁻³,
   r_max 1.2 nm), ``targets`` beside MDAnalysis ``InterRDF`` on the same frames, and the
   peak memory of ``targets`` for 10 and 40 frames.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from boltzmann_nn.engines.lammps import load_lammps
from boltzmann_nn.targets.run import trajectory_targets


def lammps_agreement(work: Path) -> str:
    lmp = load_lammps().lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    n_frames, every = 200, 100
    cmds = [
        "units lj", "atom_style atomic", "lattice fcc 0.8", "region box block 0 6.3 0 6.3 0 6.3",
        "create_box 1 box", "create_atoms 1 random 1000 7 box", "mass 1 1.0",
        "pair_style lj/cut 2.5", "pair_coeff 1 1 1.0 1.0 2.5", "minimize 1e-4 1e-6 1000 10000",
        "velocity all create 1.5 11", "fix 1 all langevin 1.5 1.5 1.0 5", "fix 2 all nve",
        "timestep 0.005", "run 5000", "reset_timestep 0",
        f"write_data {work / 'lj.data'}",
        f"dump d all custom {every} {work / 'lj.dump'} id type x y z", "dump_modify d sort id",
        "comm_modify cutoff 3.5", "compute rdf all rdf 150 cutoff 3.0",
        f"fix r all ave/time {every} 1 {every} c_rdf[*] file {work / 'rdf.txt'} mode vector",
        f"run {n_frames * every}",
    ]
    try:
        for c in cmds:
            lmp.command(c)
    finally:
        lmp.close()
    # LAMMPS' own g over the same frames (the dump's first frame, step 0, is not in its average)
    blocks = open(work / "rdf.txt").read().split("\n")
    rows = [ln.split() for ln in blocks if ln and not ln.startswith("#")]
    data = [r for r in rows if len(r) == 4]
    arr = np.array(data, float).reshape(-1, 150, 4)
    r_l, g_l = arr[0, :, 1], arr[:, :, 2].mean(0)
    res = trajectory_targets(work / "lj.data", [work / "lj.dump"], ["A=type 1"], center="cog",
                             r_max=0.3, bin_width=0.002, begin=every * 0.005 - 1e-9)
    st = res.structure
    g = np.interp(r_l, st.r * 10, st.g["A-A"])
    err = np.interp(r_l, st.r * 10, st.g_err["A-A"])
    sel = (r_l > 0.9) & (r_l < 2.9) & (err > 0)
    chi2 = float(np.mean(((g - g_l)[sel] / err[sel]) ** 2))
    return (f"LAMMPS LJ (rho 0.8, T 1.5, {st.frames} frames): max |g_targets - g_LAMMPS| = "
            f"{np.max(np.abs(g - g_l)[sel]):.2e} over r in (0.9, 2.9) sigma, chi2/n = {chi2:.2f} against "
            "our block errors (LAMMPS bins 0.02 sigma, ours 0.02 sigma: the same histogram up to binning)")


def mdanalysis_water() -> str:
    """Water of MDAnalysis' test trajectory (adk_oplsaa: 11,084 waters, triclinic box, 10
    frames): oxygen and centre-of-mass g(r) of ``targets`` against ``InterRDF``."""
    try:
        from MDAnalysisTests.datafiles import TPR, XTC
    except ImportError:
        return "MDAnalysisTests is not installed: the water comparison was not run"
    import MDAnalysis as mda
    from MDAnalysis.analysis.rdf import InterRDF

    out = []
    for center, pick in (("OW", lambda u: u.select_atoms("name OW").positions),
                         ("com", lambda u: u.select_atoms("resname SOL").center_of_mass(compound="residues"))):
        res = trajectory_targets(TPR, [XTC], ["W=resname SOL"], center=center, r_max=1.2, bin_width=0.01)
        u = mda.Universe(TPR, XTC)
        pos = np.array([pick(u) for _ in u.trajectory])
        beads = mda.Universe.empty(pos.shape[1], trajectory=True)
        beads.load_new(pos, order="fac", dimensions=u.dimensions)
        dims = [ts.dimensions.copy() for ts in u.trajectory]
        for ts, d in zip(beads.trajectory, dims):
            ts.dimensions = d
        want = InterRDF(beads.atoms, beads.atoms, nbins=120, range=(0.0, 12.0), exclusion_block=(1, 1)).run()
        got = res.structure.g["W-W"]
        ok = want.results.rdf > 0
        rel = np.abs(got[ok] / want.results.rdf[ok] - 1)
        out.append(f"{center}: max relative difference {rel.max():.1e}, bins above 1e-6: {(rel > 1e-6).sum()} "
                   f"of {ok.sum()}")
    head = "MDAnalysisTests adk_oplsaa water (11,084 TIP4P molecules, triclinic box, 10 frames) vs InterRDF: "
    return head + "; ".join(out)


def _random_trajectory(work: Path, n: int, frames: int, seed: int = 1):
    import MDAnalysis as mda

    box = (n / 0.033) ** (1 / 3)
    u = mda.Universe.empty(n, n_residues=n, atom_resindex=np.arange(n), trajectory=True)
    u.add_TopologyAttr("names", ["X"] * n)
    u.add_TopologyAttr("resnames", ["B"] * n)
    u.add_TopologyAttr("masses", [10.0] * n)
    rng = np.random.default_rng(seed)
    u.load_new(rng.uniform(0, box, (frames, n, 3)), order="fac", dimensions=[box, box, box, 90, 90, 90])
    top, traj = work / f"r{n}.pdb", work / f"r{n}_{frames}.dcd"
    u.atoms.write(top)
    with mda.Writer(str(traj), n) as w:
        for _ in u.trajectory:
            w.write(u.atoms)
    return top, traj


def speed(work: Path) -> list[str]:
    import MDAnalysis as mda
    from MDAnalysis.analysis.rdf import InterRDF

    lines = ["| beads | frames | targets frames/s | InterRDF frames/s | targets peak memory, 10 / 40 frames |",
             "|---|---|---|---|---|"]
    for n, frames in ((2000, 40), (20000, 10)):
        top, traj = _random_trajectory(work, n, frames)
        t0 = time.perf_counter()
        trajectory_targets(top, [traj], ["B=resname B"], center="X", r_max=1.2, bin_width=0.002)
        ours = frames / (time.perf_counter() - t0)
        u = mda.Universe(str(top), str(traj))
        t0 = time.perf_counter()
        InterRDF(u.atoms, u.atoms, nbins=600, range=(0.0, 12.0), exclusion_block=(1, 1)).run()
        theirs = frames / (time.perf_counter() - t0)
        peaks = []
        for f in (10, 40):
            t_top, t_traj = _random_trajectory(work, n, f)
            tracemalloc.start()
            trajectory_targets(t_top, [t_traj], ["B=resname B"], center="X", r_max=1.2, bin_width=0.002)
            peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
        lines.append(f"| {n:,} | {frames} | {ours:.1f} | {theirs:.1f} | {peaks[0]:.0f} / {peaks[1]:.0f} MiB |")
    return lines


def main():
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(lammps_agreement(work))
        print(mdanalysis_water())
        print()
        print("\n".join(speed(work)))


if __name__ == "__main__":
    main()
