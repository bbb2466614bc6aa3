"""A real multi-component case nobody here wrote: VOTCA's ``LJ1-LJ2`` tutorial (an
argon–helium-like binary, 1000 + 1000 beads in a 4.30484 nm box at 85 K, three target
g_ij from atomistic MD with GROMACS), refined in its own units (nm, kJ/mol).

    apt-get install votca-tutorials
    python benchmarks/votca_lj1_lj2.py run      # ihnc, hncgn, imc from the HNC start, IBI from Boltzmann
    python benchmarks/votca_lj1_lj2.py table    # distance per iteration, MD steps, wall time

VOTCA's own run of this tutorial (IMC with GROMACS' group cut-off scheme) needs GROMACS
<= 2019; Debian ships 2022, which has no group scheme, so it cannot run here.
Results land in benchmarks/results/votca_lj1_lj2/ and each refinement resumes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

TUTORIAL = Path("/usr/share/votca/csg-tutorials/LJ1-LJ2/imc")
OUT = Path(__file__).resolve().parent / "results" / "votca_lj1_lj2"
PAIRS = ("LJ1-LJ1", "LJ1-LJ2", "LJ2-LJ2")
BOX_NM, N_BEADS = 4.30484, 2000

SPEC = f"""# VOTCA's LJ1-LJ2 tutorial (csg-tutorials/LJ1-LJ2/imc): 1000 LJ1 + 1000 LJ2 in a
# {BOX_NM} nm box at 85 K (kBT = 0.70673335 kJ/mol); tables to 0.85 nm as its settings.xml
density = {N_BEADS / BOX_NM**3:.6f}
sigma = "0.34nm"
temperature = 85
energy_unit = "kJ/mol"
max_iter = 8
method = "METHOD"
start = "START"
[species]
LJ1 = 0.5
LJ2 = 0.5
[targets]
{"".join(f'"{p}" = "{p}.dist.tgt"{chr(10)}' for p in PAIRS)}[r_cut]
{"".join(f'"{p}" = 0.85{chr(10)}' for p in PAIRS)}[md]
n_particles = {N_BEADS}
steps = 5000
max_steps = 40000
equilibration = 4000
"""


def run() -> None:
    from boltzmann_nn.mixture.run_spec import refine_spec

    OUT.mkdir(parents=True, exist_ok=True)
    for p in PAIRS:
        shutil.copy(TUTORIAL / f"{p}.dist.tgt", OUT / f"{p}.dist.tgt")
    for method, start in (("ihnc", "hnc"), ("hncgn", "hnc"), ("imc", "hnc"), ("ibi", "boltzmann")):
        spec = OUT / f"spec-{method}.toml"
        spec.write_text(SPEC.replace("METHOD", method).replace("START", start))
        out = OUT / f"refine-{method}"
        if (out / "summary.json").exists():
            continue
        t0 = time.time()

        def show(rec, method=method):
            s = rec.summary()
            print(f"  {method} {s['iteration']}: chi2 = {s.get('chi2', float('nan')):.3g}, "
                  f"L_MSE = {s.get('l_mse', float('nan')):.3g}, {s['md_steps']} steps, {s['wall_s']:.0f} s",
                  flush=True)

        summary = refine_spec(spec, out, progress=show)
        summary["wall_total_s"] = time.time() - t0
        (out / "wall.json").write_text(json.dumps({"wall_total_s": summary["wall_total_s"]}))
        print(f"{method}: converged={summary['converged']} ({summary['reason']}), "
              f"{summary['iterations']} iterations, {summary['wall_total_s']:.0f} s", flush=True)


def table() -> None:
    rows = []
    labels = (("ihnc", "HNC start + ihnc (Newton)"), ("hncgn", "HNC start + hncgn (Gauss-Newton)"),
              ("imc", "HNC start + imc (Newton, measured Jacobian)"),
              ("ibi", "Boltzmann start + IBI"))
    for method, label in labels:
        out = OUT / f"refine-{method}"
        if not (out / "summary.json").exists():
            continue
        s = json.loads((out / "summary.json").read_text())
        wall_file = out / "wall.json"
        wall = json.loads(wall_file.read_text())["wall_total_s"] if wall_file.exists() else None
        hist = s["history"]
        chi2 = " / ".join(f"{h['chi2']:.3g}" for h in hist if "chi2" in h)
        lmse = " / ".join(f"{h['l_mse']:.2g}" for h in hist if "l_mse" in h)
        first = next((h["iteration"] for h in hist if h.get("within_noise")), None)
        steps = sum(h["md_steps"] for h in hist if first is None or h["iteration"] <= first)
        rows.append((label, chi2, lmse, "never" if first is None else str(first), steps,
                     f"{wall:.0f}" if wall else "?", s["pressure"]))
    print("| start + method | joint chi2/n per iteration | L_MSE per iteration | first within noise | "
          "MD steps to it (or all) | wall s | P of final [kJ/mol/nm^3] |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(str(v) if not isinstance(v, float) else f"{v:.4g}" for v in r) + " |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["run", "table"])
    args = ap.parse_args(argv)
    run() if args.what == "run" else table()


if __name__ == "__main__":
    main()
