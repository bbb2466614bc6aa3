"""Transferability of refined potentials, and Dask for the states of an iteration.

For Lennard-Jones (ε = 1, r_cut 2.5σ) and a Gaussian-core fluid (ε = 2, r_cut 3σ): the true
potential is simulated at four states (ρ, k_BT/ε); a potential is refined from HNC inversion
against one state (the middle one) and against three states at once (``refine --states``,
each with its g(r) and pressure); both results are simulated at the held-out fourth state and
compared with the truth there: χ²/n of g(r) against the truth's errors, L_MSE, and P.

Then one iteration of a four-state refinement (LJ) with 1 and with 2 Dask workers: wall time.

    python benchmarks/multistate_transfer.py     # benchmarks/results/multistate_transfer.txt
    python benchmarks/multistate_transfer.py --methods hncgn --systems lj --no-dask   # a part
    python benchmarks/multistate_transfer.py --seeds 1 2 3 --no-dask   # repeats (refinement and
                                                                       # held-out MD seeds)

Work files in benchmarks/results/multistate_transfer/ (not kept in git; truth runs and refinements resume).
"""

from __future__ import annotations

import argparse
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


def state_spec(system: str, name: str, rho: float, res: dict, seed: int = 1) -> Path:
    _, r_cut, _, _ = SYSTEMS[system]
    path = OUT / system / (f"{name}.toml" if seed == 1 else f"{name}-seed{seed}.toml")
    path.write_text(f"density = {rho}\nr_cut = {r_cut}\npressure = {res['pressure']!r}\n[species]\nA = 1.0\n"
                    f'[targets]\n"A-A" = "{OUT / system / "truth" / name / "gr.csv"}"\n' + MD
                    + ("" if seed == 1 else f"seed = {seed}\n"))
    return path


def states_file(system: str, names: list, tag: str, extra: str = "", seed: int = 1) -> Path:
    _, _, states, _ = SYSTEMS[system]
    path = OUT / system / f"states_{tag}.toml"
    spec = "{}.toml" if seed == 1 else "{}-seed" + str(seed) + ".toml"
    path.write_text(extra + "".join(f'[[states]]\nspec = "{spec.format(n)}"\nkT = {states[n][1]}\n'
                                    for n in names))
    return path


def held_out(system: str, table: str, kT_table: float, held: tuple, truth_res: dict, seed: int = 1) -> dict:
    """Simulate a refined table (U in units of k_BT = kT_table) at the held-out state."""
    from boltzmann_nn.io.gr import read_gr
    from boltzmann_nn.io.potential_files import read_table_columns

    (name, (rho, kT)) = held
    r, u, f = read_table_columns(table)
    scaled = Path(table).with_name(f"at_{name}.csv")
    scale = kT_table / kT
    rows = (f"{float(a)!r},{float(b * scale)!r},{float(c * scale)!r}" for a, b, c in zip(r, u, f))
    text = "r,U,F\n" + "\n".join(rows) + "\n"
    folder = scaled.with_suffix("")
    if scaled.exists() and scaled.read_text() == text and (folder / "result.json").exists():
        res = json.loads((folder / "result.json").read_text())  # this table's run, done before
    else:
        scaled.write_text(text)
        shutil.rmtree(folder, ignore_errors=True)
        res = cli("simulate", str(scaled), "--density", str(rho), "--steps", str(TRUTH_STEPS),
                  "--equilibration", str(EQ), "--n-particles", str(N), "--seed", str(seed),
                  "--out", str(folder))
    mine = read_gr(folder / "gr.csv")
    ref = read_gr(OUT / system / "truth" / name / "gr.csv")
    g = np.interp(ref.r, mine.r, mine.g)
    err = np.hypot(ref.err, np.interp(ref.r, mine.r, mine.err))
    use = (ref.r < r[-1]) & ((ref.g > 1e-3) | (g > 1e-3))
    z2 = ((g - ref.g) / np.maximum(err, 1e-4)) ** 2
    seen = use & (ref.g > 0.05)  # where g(r) carries information (off the onset of the core)
    l_mse = float(np.mean((g - ref.g)[use] ** 2))
    return {"chi2": float(np.mean(z2[use])), "chi2_seen": float(np.mean(z2[seen])), "l_mse": l_mse,
            "pressure": res["pressure"], "pressure_err": res["pressure_err"],
            "pressure_true": truth_res["pressure"], "pressure_true_err": truth_res["pressure_err"]}


def transfer(system: str, method: str, seed: int = 1) -> tuple[list[str], dict]:
    _, _, states, held = SYSTEMS[system]
    (OUT / system).mkdir(parents=True, exist_ok=True)
    res = {n: truth(system, n, rho, kT) for n, (rho, kT) in states.items()}
    res_held = truth(system, held[0], *held[1])
    for n, (rho, _) in states.items():
        state_spec(system, n, rho, res[n], seed)
    rows, found = [], {}
    for tag, names in (("one", [SINGLE]), ("three", list(states))):
        t0 = time.time()
        run = f"{tag}-{method}" + ("" if seed == 1 else f"-seed{seed}")
        path = states_file(system, names, run, f'method = "{method}"\n', seed)
        d = cli("refine", "--states", str(path), "--out", str(OUT / system / run),
                "--max-iter", str(MAX_ITER))
        wall = time.time() - t0
        if "tables" not in d:
            rows.append(f"| {system} | {method} | {seed} | {tag} | failed: {d} |")
            continue
        kT_table = states[names[0]][1]
        h = held_out(system, d["tables"]["A-A"], kT_table, held, res_held, seed)
        fit = ", ".join(f"{n} {s['chi2']:.2f}" for n, s in d["states"].items())
        rel = (h["pressure"] - h["pressure_true"]) / abs(h["pressure_true"])
        found[tag] = {**h, "p_rel": rel}
        rows.append(f"| {system} | {method} | {seed} | {tag} ({', '.join(names)}) | {d['iterations']} | "
                    f"{d['md_steps']} | "
                    f"{wall:.0f} | {fit} | {h['chi2']:.2f} | {h['chi2_seen']:.2f} | {h['l_mse']:.2e} | "
                    f"{h['pressure']:.4g} ± {h['pressure_err']:.2g} | "
                    f"{h['pressure_true']:.4g} ± {h['pressure_true_err']:.2g} | {100 * rel:+.2f} % |")
    return rows, found


def summary(results: dict) -> list[str]:
    """Per system and method: means over seeds (one state, three states) and in how many
    seeds the three-state potential is the closer one at the held-out state."""
    lines = ["", "# Over seeds: one state vs three states at the held-out state (mean; seeds where three are "
             "closer)", "", "| system | method | seeds | |P error| one / three | L_MSE one / three | "
             "chi2/n one / three | chi2/n where g > 0.05 one / three |", "|---|---|---|---|---|---|---|"]
    for (system, method), runs in results.items():
        pairs = [r for r in runs if "one" in r and "three" in r]
        if not pairs:
            continue
        cells = []
        for key, fmt in (("p_rel", "{:.2f} %"), ("l_mse", "{:.2e}"), ("chi2", "{:.2f}"),
                         ("chi2_seen", "{:.2f}")):
            one = [abs(r["one"][key]) * (100 if key == "p_rel" else 1) for r in pairs]
            three = [abs(r["three"][key]) * (100 if key == "p_rel" else 1) for r in pairs]
            closer = sum(t < o for o, t in zip(one, three))
            cells.append(f"{fmt.format(np.mean(one))} / {fmt.format(np.mean(three))} ({closer}/{len(pairs)})")
        lines.append(f"| {system} | {method} | {len(pairs)} | " + " | ".join(cells) + " |")
    return lines


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
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--methods", nargs="+", default=["ihnc", "hncgn"], help="refinement methods (ihnc hncgn)")
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=list(SYSTEMS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[1],
                    help="MD seeds of the refinements and held-out runs")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask timing")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    lines = ["# Transferability: one state vs three states, judged at a held-out state",
             f"(truth and held-out runs: N = {N}, {EQ} + {TRUTH_STEPS} steps; refinements from HNC inversion, "
             f"g(r) and pressure targets, <= {MAX_ITER} iterations)", "",
             "| system | method | seed | fitted to | iterations | MD steps | wall [s] | "
             "chi2/n at fitted states | held-out chi2/n | where g > 0.05 | held-out L_MSE | held-out P | "
             "true P | P error |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    results: dict = {}
    for system in args.systems:
        for method in args.methods:
            for seed in args.seeds:
                rows, found = transfer(system, method, seed)
                lines += rows
                results.setdefault((system, method), []).append(found)
    lines += summary(results)
    lines += ["", "states (rho, k_BT/epsilon): " + "; ".join(
        f"{s}: " + ", ".join(f"{n} {v}" for n, v in {**st, h[0]: h[1]}.items())
        for s, (_, _, st, h) in SYSTEMS.items())]
    if args.no_dask:
        return finish(lines, args)
    lines += ["", "# Dask: one iteration of a four-state refinement (LJ, N = 1000, 4000 + 10000 steps each)",
              "",
              "| workers | wall [s] | ratio to 1 worker | MD steps |", "|---|---|---|---|"]
    lines += dask_timing()
    finish(lines, args)


def finish(lines: list, args) -> None:
    text = "\n".join(lines) + "\n"
    whole = args.systems == list(SYSTEMS) and args.seeds == [1] and not args.no_dask
    name = "multistate_transfer" + ("" if whole else "-seeds" if len(args.seeds) > 1 else "-part") + ".txt"
    (OUT.parent / name).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
