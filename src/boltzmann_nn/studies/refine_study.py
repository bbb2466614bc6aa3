"""Paper Fig. 10 and 11, measured: how much MD a network start saves when a potential is
refined to reproduce a target g(r), and the chain g -> U -> P.

States: held-out test-set runs of the dataset (their stored MD g(r) with block errors is the
target, their generating potential the truth) and named potentials simulated here,
independently of the training data. For every state, each (start, method) pair is refined
to the noise level (``boltzmann-nn refine``'s loop); the table reports the start's g error,
the iterations, MD steps and wall time to reach the noise level, and |U_final − U_true|;
the chain table reports P from the EOS network applied to the prediction and P from MD of
the start and of the final potential against the true P.

Run by ``boltzmann-nn report`` (into ``reports/refine``) or ``benchmarks/refine_study.py``.
Each refinement keeps its folder under ``runs_dir`` and resumes from it; finished rows are
kept in ``results.json``, so an interrupted study goes on where it stopped.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from ..paths import DEFAULT_DATA, DEFAULT_STORES
from ..refine.start import start_uses_model

#: Where the study's working files live by default (relative to the working directory).
RUNS_DIR = Path("results") / "refine_study"
#: (start, method) pairs, in the order they run for each state: the reference practice
#: first, then the Newton starts.
COMBOS = [("boltzmann", "ibi"), ("network", "imc"), ("hnc", "imc"), ("network", "ihnc"), ("hnc", "ihnc"),
          ("hnc", "ihnc+P")]
#: The Newton methods refined on g(r) alone (compared with IBI step for step).
NEWTON = [c for c in COMBOS if c[1] in ("imc", "ihnc")]
#: A method name ending in this refines with the state's true pressure as a target too
#: (what a coarse-grainer has from the reference simulation; g(r) alone does not fix P).
WITH_PRESSURE = "+P"
SETTINGS = {"max_iter": 8, "min_steps": 4000, "max_steps": 20000, "equilibration": 3000}
#: Iterations (the start included) per method where they differ from ``SETTINGS``: IBI, the
#: reference practice, gets more (VOTCA's tutorials allow up to 300), so that its MD cost to
#: the noise level is measured rather than bounded from below.
MAX_ITER = {"ibi": 20}
#: Version of the refinement the rows were measured with (2: block errors pooled over bins,
#: Newton step lengths fitted to the runs' response; 3: and Δg significant on its own kept
#: out of the smoothing). Rows of another version are measured again when their start and
#: method are run.
VERSION = 3
#: Held-out test states, spread over the density classes of the test set (with the named
#: fluids below, 20 states).
N_TEST = 16
#: Named fluids simulated here as targets (spec, density), 20,000 + 10,000 steps like the dataset.
NAMED = [("wca", 0.8), ("gauss:epsilon=2,rcut=4", 0.6), ("yukawa:epsilon=2,kappa=2,rcut=4", 0.4)]


def test_states(n: int, data=DEFAULT_DATA, stores=DEFAULT_STORES,
                seed: int = 0, names=None) -> list[dict]:
    """``n`` test-set states spread over the densities, distinct potentials; the records
    (for the generating potential) are looked up in ``stores``. ``names``: states to keep
    (``test-`` and the run id's first 8 digits), those the study measured before; more are
    drawn up to ``n``.
    """
    import h5py

    from boltzmann_nn.campaign.spec import potential_from_identity

    with h5py.File(data) as h5:
        k = h5["kept"]
        test = np.nonzero(k["fold"][:] == -1)[0]
        by_name = {f"test-{k['run_id'][i].decode()[:8]}": i for i in test}
        chosen = [by_name[nm] for nm in sorted(names or []) if nm in by_name][:n]
        chosen += _spread_over_densities(test, k["potential_index"][:], k["density_index"][:], n, seed,
                                         chosen)
        states = []
        for i in sorted(chosen, key=lambda j: (k["density"][j], k["potential_index"][j])):
            run_id = k["run_id"][i].decode()
            path = next((Path(d) / "runs" / f"{run_id}.json" for d in stores
                         if (Path(d) / "runs" / f"{run_id}.json").exists()), None)
            if path is None:
                continue
            record = json.loads(path.read_text())
            states.append({
                "name": f"test-{run_id[:8]}", "kind": "test", "density": float(k["density"][i]),
                "r": k["g_r"][:].tolist(), "g": k["g"][i].astype(float).tolist(),
                "err": k["g_err"][i].astype(float).tolist(), "pressure": float(k["pressure"][i]),
                "potential": record["run"]["potential"],
            })
    for s in states:
        potential_from_identity(s["potential"])  # fails early if a potential cannot be rebuilt
    return states


def _spread_over_densities(test, potential, density_index, n: int, seed: int, have=()) -> list:
    """Rows of ``test`` that, added to those in ``have``, make ``n``: in a seeded order,
    distinct potentials, at most an equal share in each density class.
    """
    if len(have) >= n:
        return []
    test = np.array(test)
    np.random.default_rng(seed).shuffle(test)
    per_density = {d: 0 for d in np.unique(density_index)}
    for i in have:
        per_density[int(density_index[i])] += 1
    chosen, used = [], {int(potential[i]) for i in have}
    for i in test:
        pidx, d = int(potential[i]), int(density_index[i])
        if pidx in used or per_density[d] >= -(-n // len(per_density)):
            continue
        per_density[d] += 1
        used.add(pidx)
        chosen.append(i)
        if len(chosen) + len(have) == n:
            break
    return chosen


def named_states(work: Path = RUNS_DIR) -> list[dict]:
    """Targets of named potentials, simulated once (kept in ``work``/targets)."""
    from boltzmann_nn.engines.base import StatePoint
    from boltzmann_nn.engines.simulate import simulate
    from boltzmann_nn.io.atomic import atomic_write_json
    from boltzmann_nn.potentials.spec import parse_potential
    from boltzmann_nn.reference import example_gr_path
    from boltzmann_nn.refine.target import load_target

    t = load_target(example_gr_path(), 0.512)
    states = [{"name": "lj-example", "kind": "named", "density": 0.512, "r": t.r.tolist(), "g": t.g.tolist(),
               "err": None, "pressure": 0.5679, "potential": {"spec": "lj:epsilon=0.5,rcut=5"}}]
    for spec, rho in NAMED:
        path = Path(work) / "targets" / f"{spec.split(':')[0]}-{rho:g}.json"
        if not path.exists():
            res = simulate(parse_potential(spec), StatePoint(density=rho, seed=12345))
            if not res.kept:
                print(f"{spec} at {rho}: target run not kept ({res.verdict.why})", file=sys.stderr)
                continue
            atomic_write_json(path, {"r": res.r, "g": res.g, "err": res.g_err, "pressure": res.pressure})
        d = json.loads(path.read_text())
        states.append({"name": path.stem, "kind": "named", "density": rho, "r": d["r"], "g": d["g"],
                       "err": d["err"], "pressure": d["pressure"], "potential": {"spec": spec}})
    return states


def true_potential(state):
    from boltzmann_nn.campaign.spec import potential_from_identity
    from boltzmann_nn.potentials.spec import parse_potential

    p = state["potential"]
    return parse_potential(p["spec"]) if "spec" in p else potential_from_identity(p)


def run_job(state: dict, start: str, method: str, work: Path = RUNS_DIR) -> dict:
    """One refinement (resumes from its folder); returns its measured summary."""
    from boltzmann_nn.refine.loop import RefineSettings, refine
    from boltzmann_nn.refine.start import refined_table, start_table
    from boltzmann_nn.refine.target import make_target

    target = make_target(state["r"], state["g"], state["density"], state["err"], state["name"])
    model = _model_tag() if start_uses_model(start) else None
    folder = _folder(work, state["name"], start, method, model)
    t0 = time.perf_counter()
    # ``true``: the state's own potential, what refinement costs when the start is exact
    table = true_potential(state).tabulate() if start == "true" else start_table(start, target)
    pressure = state["pressure"] if method.endswith(WITH_PRESSURE) else None
    settings = RefineSettings(method=method.removesuffix(WITH_PRESSURE), pressure=pressure,
                              **{**SETTINGS, "max_iter": _max_iter(method)})
    res = refine(target, table, settings, out_dir=folder)
    its = res.iterations
    reach = next((i for i, it in enumerate(its) if it.converged), None)
    upto = its if reach is None else its[: reach + 1]
    true = true_potential(state)
    g_t = np.interp(res.grid, target.r, target.g)
    inside = (g_t > 0.05) & (res.grid <= min(true.r_cut, res.grid[-1]))
    u_true = true.evaluate(res.grid)[0]
    u_start = np.interp(res.grid, table.r, table.U)

    def mae(u):
        d = (u - u_true)[inside]
        return float(np.mean(np.abs(d)))

    return {
        "state": state["name"], "kind": state["kind"], "density": state["density"], "start": start,
        "method": method, "model": model, "version": VERSION, "start_l_mse": its[0].comparison.l_mse,
        "start_noise": its[0].comparison.noise_mse,
        "start_chi2": its[0].comparison.chi2, "reached": reach is not None, "iterations_to_noise": reach,
        "md_steps_to_noise": int(sum(it.run.md_steps for it in upto)),
        "wall_to_noise": float(sum(it.run.wall_s for it in upto)), "iterations": len(its),
        "converged": res.converged, "reason": res.reason, "final_l_mse": its[res.best].comparison.l_mse,
        "u_mae_start": mae(u_start), "u_mae_final": mae(res.u), "p_true": state["pressure"],
        "p_start": its[0].run.pressure, "p_final": its[res.best].run.pressure,
        "p_eos_network": _eos_pressure(table, state["density"]) if start_uses_model(start) else None,
        "p_eos_final": _eos_pressure(refined_table(res.grid, res.u), state["density"]),
        "wall_total": time.perf_counter() - t0,
        **_curves(target, res),
    }


def _max_iter(method: str) -> int:
    return MAX_ITER.get(method, SETTINGS["max_iter"])


def _cut_short(row) -> bool:
    """A row that stopped at a smaller iteration limit than its method has now (it resumes)."""
    return (not row["reached"] and str(row.get("reason", "")).startswith("reached --max-iter")
            and row["iterations"] < _max_iter(row["method"]))


def _folder(work, name: str, start: str, method: str, model: str | None) -> Path:
    """A refinement's folder; a network start is tied to the shipped model (its tag), so
    that another model never resumes it.
    """
    return Path(work) / "runs" / f"{name}-{start}{'-' + model if model else ''}-{method}-v{VERSION}"


_VERSION_WORDS = "pooled block errors, fitted Newton step lengths, significant Δg kept out of the smoothing"


def _version(row) -> int:
    """The refinement version a row was measured with (rows from before versions: 1)."""
    return int(row.get("version", 1))


def _versions_line(rows) -> str:
    """Which starts and methods were measured with an earlier refinement."""
    old = sorted({f"{r['start']} + {r['method']}" for r in rows if _version(r) != VERSION})
    if not old:
        return f"All rows: refinement version {VERSION} ({_VERSION_WORDS})."
    return (f"Rows of {', '.join(old)}: measured with an earlier refinement (unpooled block errors, "
            f"full Newton steps, all of Δg smoothed); the others with version {VERSION} "
            f"({_VERSION_WORDS}). Not comparable one to one.")


def _models_line(rows) -> str:
    """Which inverse model the network starts used, against the one shipped now."""
    tags = sorted({str(r.get("model")) for r in rows if start_uses_model(r["start"])})
    if not tags:
        return "No network start measured."
    now = _model_tag()
    if tags == [now]:
        return f"Network starts: the shipped inverse model (weights {now}…)."
    return (f"Network starts: inverse model(s) {', '.join(t + '…' for t in tags)}; the shipped model is "
            f"{now}… — rows of another model are re-measured by the next full run.")


def _model_tag() -> str:
    """The first 8 hex digits of the shipped inverse model's weights checksum."""
    from boltzmann_nn.ml.serving.zoo import model_card

    return str(model_card("inverse").sha256)[:8]


def _curves(target, res) -> dict:
    """The target, the start's and the final g(r) on the target's points (for Fig. 10)."""
    first = res.iterations[0]
    out = {"r": target.r.tolist(), "g_target": target.g.tolist()}
    if first.usable:
        out["g_start"] = np.interp(target.r, first.run.r, first.run.g).tolist()
    if res.g.size:
        out["g_final"] = np.interp(target.r, res.r, res.g).tolist()
    return out


def _eos_pressure(table, density):
    """The EOS network's P of ``table``; None where the table does not reach down to the
    core the network's grid needs (a refined soft core that begins below U_cut).
    """
    from boltzmann_nn.errors import InputError
    from boltzmann_nn.ml.serving.predict import predict_eos

    try:
        return float(predict_eos(table, [density]).pressure[0])
    except InputError:
        return None


def _fmt(values, digits=3):
    values = [v for v in values if v is not None and np.isfinite(v)]
    if not values:
        return "–"
    return f"{np.median(values):.{digits}g} / {np.mean(values):.{digits}g}"


def r2_mrae(pred, true):
    pred, true = np.asarray(pred, float), np.asarray(true, float)
    ok = np.isfinite(pred) & np.isfinite(true)
    pred, true = pred[ok], true[ok]
    r2 = 1 - np.sum((pred - true) ** 2) / np.sum((true - true.mean()) ** 2)
    mrae = np.mean(np.abs(pred - true) / np.maximum(np.abs(true), 1e-3))
    return float(r2), float(mrae), int(ok.sum())


def report(rows: list[dict], n_states: int) -> str:
    lines = [f"# Refinement study (paper Fig. 10–11): {n_states} states", "",
             f"Settings: {SETTINGS}, max_iter per method {MAX_ITER}; LAMMPS, 1000+ particles; "
             f"machine: {_machine()}.", "",
             _models_line(rows), _versions_line(rows), "",
             "Median / mean over states. 'to noise': up to the first iteration whose g(r) is within "
             "the statistical error of target and run (χ² bound); states that never got there count "
             "with all their iterations and are listed as not reached. ihnc+P: ihnc with the state's "
             "true pressure as a second target (a linear ramp sized by the virial); its 'to noise' also "
             "asks P within 2 % (g(r) alone does not fix P: see the chain).", "",
             "| start | method | runs | L_MSE of start | iterations to noise | reached | MD steps to noise | "
             "wall s to noise | MAE U start [k_BT] | MAE U final [k_BT] |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for start, method in COMBOS:
        sel = [r for r in rows if r["start"] == start and r["method"] == method]
        if not sel:
            continue
        its = [r["iterations_to_noise"] if r["reached"] else r["iterations"] for r in sel]
        lines.append(
            f"| {start} | {method} | {len(sel)} | {_fmt([r['start_l_mse'] for r in sel])} | {_fmt(its, 2)} | "
            f"{sum(r['reached'] for r in sel)}/{len(sel)} | {_fmt([r['md_steps_to_noise'] for r in sel])} | "
            f"{_fmt([r['wall_to_noise'] for r in sel])} | {_fmt([r['u_mae_start'] for r in sel])} | "
            f"{_fmt([r['u_mae_final'] for r in sel])} |")
    by_state = {}
    for r in rows:
        by_state.setdefault(r["state"], {})[(r["start"], r["method"])] = r
    ratios, unreached = [], {}
    for combos in by_state.values():
        ref = combos.get(("boltzmann", "ibi"))
        for key in NEWTON:
            new = combos.get(key)
            if not (ref and new and _version(ref) == _version(new)):
                continue
            if new["reached"]:
                ratios.append((key, ref["md_steps_to_noise"] / new["md_steps_to_noise"], ref["reached"]))
            else:  # both counts would be lower bounds: no ratio
                unreached[key] = unreached.get(key, 0) + 1
    lines += ["", "MD steps of IBI from Boltzmann inversion divided by those of the Newton starts, same "
              f"states, same refinement version, over the states the Newton start brought to the noise "
              f"level (IBI, up to {_max_iter('ibi')} iterations, that never got there counts with all its "
              "steps: a lower bound):", ""]
    for key in NEWTON:
        vals = [v for k, v, _ in ratios if k == key]
        if vals:
            bound = sum(not ok for k, _, ok in ratios if k == key)
            lines.append(f"- {key[0]} + {key[1]}: median {np.median(vals):.2f}, mean {np.mean(vals):.2f} "
                         f"({len(vals)} states; IBI did not reach the noise level in {bound}; "
                         f"left out, where {key[0]} + {key[1]} did not: {unreached.get(key, 0)})")
    lines += ["", "## Chain g -> U -> P (Fig. 11)", "", "| pressure from | R² | MRAE | n |",
              "|---|---|---|---|"]
    net = _network_rows(rows)
    hnc = _pick(rows, "hnc", "ihnc") or _pick(rows, "hnc", "imc")
    chain = [("EOS network of the network's U", "p_eos_network", net),
             ("MD of the network's U (no refinement)", "p_start", net),
             ("MD of the HNC inversion (no refinement)", "p_start", hnc)]
    chain += [(f"MD of the refined U ({st} + {m})", "p_final", _pick(rows, st, m)) for st, m in COMBOS]
    chain += [(f"EOS network of the refined U ({st} + {m})", "p_eos_final", _pick(rows, st, m))
              for st, m in NEWTON]
    for label, key, sel in chain:
        if sel:
            r2, mrae, n = r2_mrae([r[key] if r.get(key) is not None else np.nan for r in sel],
                                  [r["p_true"] for r in sel])
            lines.append(f"| {label} | {r2:.3f} | {mrae:.3f} | {n} |")
    lines += ["", "## Per state", "", "| state | ρ | start | method | L_MSE start | iterations to noise | "
              "MD steps | MAE U final | P true | P final |", "|---|---|---|---|---|---|---|---|---|---|"]
    def num(v, spec):  # a start that could not be simulated has no distance or pressure
        return "–" if v is None or not np.isfinite(v) else format(v, spec)

    for r in sorted(rows, key=lambda x: (x["state"], x["start"], x["method"])):
        it = r["iterations_to_noise"] if r["reached"] else f">{r['iterations'] - 1}"
        if r["iterations"] == 1 and not r["reached"] and not r.get("start_l_mse"):
            it = "start not simulable"
        lines.append(f"| {r['state']} | {r['density']:.3g} | {r['start']} | {r['method']} | "
                     f"{num(r['start_l_mse'], '.2e')} | {it} | {r['md_steps_to_noise']} | "
                     f"{num(r['u_mae_final'], '.3f')} | {r['p_true']:.4g} | {num(r['p_final'], '.4g')} |")
    return "\n".join(lines) + "\n"


def _machine():
    import os
    import platform

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _pick(rows, start: str, method: str) -> list[dict]:
    """The rows of one start and method."""
    return [r for r in rows if r["start"] == start and r["method"] == method]


def _network_rows(rows) -> list[dict]:
    """The network start's rows for the chain and Fig. 10: the shipped model's where it was
    measured (ihnc, the default, then imc), else whatever was measured.
    """
    tag = _model_tag()
    for method in ("ihnc", "imc"):
        sel = [r for r in _pick(rows, "network", method) if r.get("model") == tag]
        if sel:
            return sel
    return _pick(rows, "network", "ihnc") or _pick(rows, "network", "imc")


def figures(rows: list[dict], out: Path) -> list[str]:
    """Fig. 10 (target g against MD of the network's Û, before and after refinement, for up
    to four states) and Fig. 11 (P from the chain against the true P).
    """
    from ..plots import pyplot, save_figure

    plt = pyplot()
    paths = []
    sel = _network_rows(rows)
    net = [r for r in sel if "g_target" in r]
    if net:
        pick = net[:: max(1, len(net) // 4)][:4]
        fig, axes = plt.subplots(2, len(pick), figsize=(3.6 * len(pick), 5), squeeze=False,
                                 gridspec_kw={"height_ratios": [2, 1]}, sharex=True)
        for j, r in enumerate(pick):
            x = np.asarray(r["r"])
            gt = np.asarray(r["g_target"])
            ax, ax2 = axes[0][j], axes[1][j]
            ax.plot(x, gt, "k-", lw=1.2, label="target (MD of U)")
            for key, style, label in (("g_start", "C1--", "MD of network Û"), ("g_final", "C2:", "refined")):
                if key in r:
                    ax.plot(x, r[key], style, lw=1.2, label=label)
                    ax2.plot(x, np.asarray(r[key]) - gt, style, lw=1.0)
            ax.set_title(f"{r['state']}, ρ = {r['density']:.3g}", fontsize=9)
            ax2.axhline(0, color="k", lw=0.5)
            ax2.set_xlabel("r [σ]")
            ax.set_xlim(0, 5)
        axes[0][0].set_ylabel("g(r)")
        axes[1][0].set_ylabel("Δg")
        axes[0][0].legend(fontsize=7)
        paths.append(str(save_figure(fig, out / "fig10_refine_gr.png")))
    if sel:
        fig, ax = plt.subplots(figsize=(4.6, 4.4))
        p_true = np.array([r["p_true"] for r in sel])
        for key, style, label in (("p_eos_network", "o", "EOS network of Û"), ("p_start", "s", "MD of Û"),
                                  ("p_final", "^", "MD of refined Û")):
            vals = np.array([np.nan if r[key] is None else r[key] for r in sel], float)
            ax.scatter(p_true, vals, marker=style, s=14, label=label)
        lim = [min(0.0, float(np.nanmin(p_true))), float(np.nanmax(p_true)) * 1.1]
        ax.plot(lim, lim, "k-", lw=0.8)
        ax.set_xlabel("P (MD of the true U) [k_BT/σ³]")
        ax.set_ylabel("predicted P [k_BT/σ³]")
        ax.legend(fontsize=7)
        paths.append(str(save_figure(fig, out / "fig11_chain.png")))
    return paths


def run_study(out="reports/refine", work=RUNS_DIR, data=DEFAULT_DATA, stores=DEFAULT_STORES,
              n_test: int = N_TEST, quick: bool = False, workers: int = 2, run: bool = True, log=print,
              combos=COMBOS) -> dict:
    """Run what is missing of the study (``run``), then write ``table.md``, the figures and
    ``results.json`` into ``out``.

    Args:
        quick: Three test states and the LJ example only.
        run: False renders the tables and figures from the rows already measured.
    """
    out, work = Path(out), Path(work)
    out.mkdir(parents=True, exist_ok=True)
    done_path = out / "results.json"
    rows = json.loads(done_path.read_text())["rows"] if done_path.exists() else []
    if run:
        from ..io.atomic import atomic_write_json

        measured = sorted({r["state"] for r in rows if r.get("kind") == "test"})
        # the states measured before stay the study's states as the dataset grows
        states = test_states(3 if quick else n_test, data, stores, names=measured)
        states += named_states(work)[: 1 if quick else None]
        tag = _model_tag()
        wanted = [(s, st, m) for s in states for st, m in combos]  # state by state
        # a network start measured with another inverse model, or any row measured with an
        # earlier refinement, is measured again (its row goes)
        stale = {(r["state"], r["start"], r["method"]) for r in rows
                 if (start_uses_model(r["start"]) and r.get("model") != tag) or _version(r) != VERSION
                 or _cut_short(r)}
        stale &= {(s["name"], st, m) for s, st, m in wanted}
        rows = [r for r in rows if (r["state"], r["start"], r["method"]) not in stale]
        have = {(r["state"], r["start"], r["method"]) for r in rows}
        jobs = [(s, st, m) for s, st, m in wanted if (s["name"], st, m) not in have]
        with ProcessPoolExecutor(max(1, workers)) as pool:
            futures = {pool.submit(run_job, *job, work): job for job in jobs}
            for fut in as_completed(futures):
                s, st, m = futures[fut]
                try:
                    rows.append(fut.result())
                except Exception as exc:  # noqa: BLE001 - one failed job is reported, the rest go on
                    log(f"{s['name']} {st} {m}: {type(exc).__name__}: {exc}")
                    continue
                atomic_write_json(done_path, {"settings": SETTINGS, "rows": rows})
                log(f"{s['name']} {st}/{m}: {rows[-1]['iterations']} iterations, reached="
                    f"{rows[-1]['reached']}, {rows[-1]['wall_total']:.0f} s")
    if not rows:
        return {"rows": 0, "table": None, "figures": []}
    table = out / "table.md"
    table.write_text(report(rows, len({r["state"] for r in rows})))
    return {"rows": len(rows), "table": str(table), "figures": figures(rows, out)}
