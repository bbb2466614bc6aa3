"""End to end on atomistic data nobody here wrote: VOTCA's SPC/E water tutorial
(``csg-tutorials/spce/atomistic``: 2,180 flexible SPC/E waters, reaction field, 300 K),
run with Debian's GROMACS for a short time, then ``targets`` (one bead per water at its
centre of mass, the run's pressure from its .edr) and ``refine --spec``; the target g(r)
is compared with the tutorial's own ``CG-CG.dist.tgt`` (from its 20 ns run and csg_stat).

    apt-get install gromacs votca-tutorials
    python benchmarks/targets_spce.py            # writes benchmarks/results/targets_spce.txt

Work files in benchmarks/results/targets_spce/ (the trajectory is not kept); each step resumes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

TUTORIAL = Path("/usr/share/votca/csg-tutorials/spce")
OUT = Path(__file__).resolve().parent / "results" / "targets_spce"
STEPS, EVERY, BEGIN_PS = 30000, 250, 10.0  # 60 ps at 2 fs, a frame each 0.5 ps, first 10 ps dropped


def run_gromacs(work: Path) -> float:
    if (work / "traj.trr").exists():
        return json.loads((work / "gmx.json").read_text())["wall_s"]
    work.mkdir(parents=True, exist_ok=True)
    for name in ("conf.gro", "topol.top"):
        shutil.copy(TUTORIAL / "atomistic" / name, work / name)
    mdp = (TUTORIAL / "atomistic" / "grompp.mdp").read_text().splitlines()
    over = {"nsteps": STEPS, "nstxout": EVERY, "nstfout": 0, "nstenergy": 50, "nstlog": 5000}
    lines = [ln for ln in mdp if ln.split("=")[0].strip() not in over]
    lines += [f"{k} = {v}" for k, v in over.items()]
    (work / "grompp.mdp").write_text("\n".join(lines) + "\n")
    t0 = time.time()
    subprocess.run(["gmx", "grompp", "-maxwarn", "10"], cwd=work, check=True, capture_output=True)
    subprocess.run(["gmx", "mdrun", "-nt", "2", "-pin", "off"], cwd=work, check=True, capture_output=True)
    wall = time.time() - t0
    (work / "gmx.json").write_text(json.dumps({"wall_s": wall, "steps": STEPS}))
    return wall


def main():
    from boltzmann_nn.io.gr import read_gr
    from boltzmann_nn.targets.run import trajectory_targets

    work = OUT / "work"
    wall_md = run_gromacs(work)
    t0 = time.time()
    res = trajectory_targets(work / "topol.tpr", [work / "traj.trr"], ["CG=resname SOL"], center="com",
                             r_max=1.0, bin_width=0.002, begin=BEGIN_PS, temperature=300.0,
                             energy=work / "ener.edr", out=OUT / "targets")
    wall_targets = time.time() - t0
    st = res.structure
    ref = read_gr(TUTORIAL / "ibi" / "CG-CG.dist.tgt")
    mine = np.interp(ref.r, st.r, st.g["CG-CG"])
    err = np.interp(ref.r, st.r, st.g_err["CG-CG"])
    sel = (ref.r >= 0.25) & (ref.r <= 0.95)
    rms = float(np.sqrt(np.mean((mine - ref.g)[sel] ** 2)))
    lines = [
        f"GROMACS {STEPS} steps (60 ps) of 6,540 atoms on 2 threads: {wall_md:.0f} s; "
        f"targets over {st.frames} frames ({st.times[0]:g}-{st.times[1]:g} ps): {wall_targets:.1f} s",
        f"density {st.density:.4f} nm^-3 (VOTCA's CG runs use 33.28), "
        f"P = {res.pressure[0]:.0f} +- {res.pressure[1]:.0f} bar",
        f"g(r) against the tutorial's CG-CG.dist.tgt (20 ns): rms {rms:.4f}, max |dg| "
        f"{np.max(np.abs(mine - ref.g)[sel]):.4f} over 0.25-0.95 nm "
        f"(our block error there: mean {err[sel].mean():.4f})",
    ]
    t0 = time.time()
    proc = subprocess.run(["boltzmann-nn", "refine", "--spec", res.files["spec"], "--out", str(OUT / "refine"),
                           "--max-iter", "4", "--json"], capture_output=True, text=True)
    wall_refine = time.time() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr)
    out = json.loads(proc.stdout)
    for h, p in zip(out["history"], out["pressure"]):
        lines.append(f"refine iteration {h['iteration']}: L_MSE = {h['l_mse']:.3g} "
                     f"(noise {h['noise_mse']:.2g}), chi2/n = {h['chi2']:.3g}, "
                     f"P = {p:.4g} {out['pressure_unit']}, {h['md_steps']} MD steps")
    lines.append(f"refine: {out['reason']}; {wall_refine:.0f} s; final table {out['table']}")
    text = "\n".join(lines)
    print(text)
    (Path(__file__).resolve().parent / "results" / "targets_spce.txt").write_text(text + "\n")


if __name__ == "__main__":
    main()
