"""Transferability of refined potentials, and Dask for the states of an iteration.

For Lennard-Jones (ε = 1, r_cut 2.5σ) and a Gaussian-core fluid (ε = 2, r_cut 3σ): the true
potential is simulated at four states (ρ, k_BT/ε); a potential is refined from HNC inversion
against one state (the middle one) and against three states at once (``refine --states``,
each with its g(r) and pressure); both results are simulated at the held-out fourth state and
compared with the truth there: χ²/n of g(r) against the truth's errors, L_MSE, and P.

Then one iteration of a four-state refinement (LJ) with 1 and with 2 Dask workers: wall time.

    python benchmarks/multistate_transfer.py     # benchmarks/results/multistate_transfer.txt

Work files in benchmarks/results/multistate_transfer/ (not kept in git; truth runs and refinements resume).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "results" / "multistate_transfer"
SYSTEMS = {
    "lj": ("lj:epsilon={e!r},rcut=2.5", 2.5,
           {"a": (0.60, 1.5), "b": (0.75, 1.5), "c": (0.68, 2.0)}, ("held", (0.80, 2.2))),
    "gauss": ("gauss:epsilon={e2!r},rcut=3", 3.0,
              {"a": (0.8, 1.0), "b": (1.4, 1.0), "c": (1.1, 1.5)}, ("held", (1.6, 1.8))),
}
SINGLE = "c"
N, TRUTH_STEPS, EQ = 1000, 20000, 4000
MD = "[md]\nsteps = 4000\nmax_steps = 20000\nequilibration = 4000\nn_particles = 1000\n"
MAX_ITER = 6


def cli(*args) -> dict:
    out = subprocess.run([sys.executable, "-m", "boltzmann_nn", *args, "--json", "--no-progress"],
                         capture_output=True, text=True)
    return json.loads(out.stdout) if out.stdout.strip() else {"error": out.stderr.strip().splitlines()[-1:]}


def truth(system: str, name: str, rho: float, kT: float) -> dict:
    spec, _, _, _ = SYSTEMS[system]
    folder = OUT / system / "truth" / name
    if not (folder / "result.json").exists():
        cli("simulate", spec.format(e=1.0 / kT, e2=2.0 / kT), "--density", str(rho),
            "--steps", str(TRUTH_STEPS), "--equilibration", str(EQ), "--n-particles", str(N),
            "--out", str(folder))
    return json.loads((folder / "result.json").read_text())


def state_spec(system: str, name: str, rho: float, res: dict) -> Path:
    _, r_cut, _, _ = SYSTEMS[system]
    path = OUT / system / f"{name}.toml"
    path.write_text(f"density = {rho}\nr_cut = {r_cut}\npressure = {res['pressure']!r}\n[species]\nA = 1.0\n"
                    f'[targets]\n"A-A" = "{OUT / system / "truth" / name / "gr.csv"}"\n' + MD)
    return path


def states_file(system: str, names: list, tag: str, extra: str = "") -> Path:
    _, _, states, _ = SYSTEMS[system]
    path = OUT / system / f"states_{tag}.toml"
    path.write_text(extra + "".join(f'[[states]]\nspec = "{n}.toml"\nkT = {states[n][1]}\n' for n in names))
    return path


def held_out(system: str, table: str, kT_table: float, held: tuple, truth_res: dict) -> dict:
    """Simulate a refined table (U in units of k_BT = kT_table) at the held-out state."""
    from boltzmann_nn.io.gr import read_gr
    from boltzmann_nn.io.potential_files import read_table_columns

    (name, (rho, kT)) = held
    r, u, f = read_table_columns(table)
    scaled = Path(table).with_name(f"at_{name}.csv")
    scale = kT_table / kT
    rows = (f"{float(a)!r},{float(b * scale)!r},{float(c * scale)!r}" for a, b, c in zip(r, u, f))
    scaled.write_text("r,U,F\n" + "\n".join(rows) + "\n")
    folder = scaled.with_suffix("")
    res = cli("simulate", str(scaled), "--density", str(rho), "--steps", str(TRUTH_STEPS), "--equilibration",
              str(EQ), "--n-particles", str(N), "--out", str(folder))
    mine = read_gr(folder / "gr.csv")
    ref = read_gr(OUT / system / "truth" / name / "gr.csv")
    g = np.interp(ref.r, mine.r, mine.g)
    err = np.hypot(ref.err, np.interp(ref.r, mine.r, mine.err))
    use = (ref.r < r[-1]) & ((ref.g > 1e-3) | (g > 1e-3))
    chi2 = float(np.mean(((g - ref.g)[use] / np.maximum(err[use], 1e-4)) ** 2))
    l_mse = float(np.mean((g - ref.g)[use] ** 2))
    return {"chi2": chi2, "l_mse": l_mse, "pressure": res["pressure"], "pressure_err": res["pressure_err"],
            "pressure_true": truth_res["pressure"], "pressure_true_err": truth_res["pressure_err"]}


def transfer(system: str) -> list[str]:
    _, _, states, held = SYSTEMS[system]
    (OUT / system).mkdir(parents=True, exist_ok=True)
    res = {n: truth(system, n, rho, kT) for n, (rho, kT) in states.items()}
    res_held = truth(system, held[0], *held[1])
    for n, (rho, _) in states.items():
        state_spec(system, n, rho, res[n])
    rows = []
    for tag, names in (("one", [SINGLE]), ("three", list(states))):
        t0 = time.time()
        d = cli("refine", "--states", str(states_file(system, names, tag)), "--out", str(OUT / system / tag),
                "--max-iter", str(MAX_ITER))
        wall = time.time() - t0
        if "tables" not in d:
            rows.append(f"| {system} | {tag} | failed: {d} |")
            continue
        kT_table = states[names[0]][1]
        h = held_out(system, d["tables"]["A-A"], kT_table, held, res_held)
        fit = ", ".join(f"{n} {s['chi2']:.2f}" for n, s in d["states"].items())
        rel = (h["pressure"] - h["pressure_true"]) / abs(h["pressure_true"])
        rows.append(f"| {system} | {tag} ({', '.join(names)}) | {d['iterations']} | {d['md_steps']} | "
                    f"{wall:.0f} | {fit} | {h['chi2']:.2f} | {h['l_mse']:.2e} | "
                    f"{h['pressure']:.4g} ± {h['pressure_err']:.2g} | "
                    f"{h['pressure_true']:.4g} ± {h['pressure_true_err']:.2g} | {100 * rel:+.2f} % |")
    return rows


def dask_timing() -> list[str]:
    """One iteration (the start's MD) of a four-state LJ refinement on 1 and 2 workers."""
    system = "lj"
    _, _, states, held = SYSTEMS[system]
    res_held = truth(system, held[0], *held[1])
    state_spec(system, held[0], held[1][0], res_held)
    names = [*states, held[0]]
    kts = {**{n: s[1] for n, s in states.items()}, held[0]: held[1][1]}
    rows = []
    for workers in (1, 2):
        path = OUT / system / f"states_dask{workers}.toml"
        head = f"workers = {workers}\n[md]\nsteps = 10000\nequilibration = 4000\nn_particles = 1000\n"
        path.write_text(head +
                        "".join(f'[[states]]\nspec = "{n}.toml"\nkT = {kts[n]}\n' for n in names))
        out = OUT / system / f"dask{workers}"
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.time()
        d = cli("refine", "--states", str(path), "--out", str(out), "--max-iter", "1")
        rows.append((workers, time.time() - t0, d.get("md_steps")))
    base = rows[0][1]
    return [f"| {w} | {t:.1f} | {t / base:.2f} | {steps} |" for w, t, steps in rows]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    lines = ["# Transferability: one state vs three states, judged at a held-out state",
             f"(truth and held-out runs: N = {N}, {EQ} + {TRUTH_STEPS} steps; refinements from HNC inversion, "
             f"ihnc, g(r) and pressure targets, <= {MAX_ITER} iterations)", "",
             "| system | fitted to | iterations | MD steps | wall [s] | chi2/n at fitted states | "
             "held-out chi2/n | held-out L_MSE | held-out P | true P | P error |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for system in SYSTEMS:
        lines += transfer(system)
    lines += ["", "states (rho, k_BT/epsilon): " + "; ".join(
        f"{s}: " + ", ".join(f"{n} {v}" for n, v in {**st, h[0]: h[1]}.items())
        for s, (_, _, st, h) in SYSTEMS.items())]
    lines += ["", "# Dask: one iteration of a four-state refinement (LJ, N = 1000, 4000 + 10000 steps each)",
              "",
              "| workers | wall [s] | ratio to 1 worker | MD steps |", "|---|---|---|---|"]
    lines += dask_timing()
    text = "\n".join(lines) + "\n"
    (OUT.parent / "multistate_transfer.txt").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
