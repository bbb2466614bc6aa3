"""Paper Fig. 10 per start: one MD run of every start's potential at held-out states, and
how far its g(r) is from the target — the measure a user applies to a predicted potential.

States: the refinement study's (held-out test runs and named fluids, :mod:`.refine_study`)
and the named-fluid table's (:mod:`.named_fluids`). Starts: inverse models (by name or card
path), HNC and Boltzmann inversion, and ``auto`` (``refine``'s default rule). Each row: the
start's L_MSE(g, ĝ) from MD with the noise level and χ², whether the run was kept (a
potential that clusters or phase-separates where the target is a homogeneous fluid is not),
and |Û − U_true| where g carries information (g > 0.02 and U < 20 k_BT) and where g > 0.05.

Runs are the first iteration of ``refine`` (its MD settings, folders under ``work``), so a
rerun resumes; finished rows go to ``rows.jsonl`` as they come.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from ..units import U_CUT
from .refine_study import SETTINGS, named_states, test_states, true_potential

#: Where g(r) carries information for the U errors (the issue's and the study's measure).
G_INFO = 0.02
#: The paper's Fig. 10 range tops out here.
FIG10_TOP = 5e-4


def named_table_states() -> list[dict]:
    """The named-fluid table's states (MD kept in reports/named/md.json), as study states."""
    from .named_fluids import SHIPPED_MD

    md = json.loads(Path(SHIPPED_MD).read_text())
    return [{"name": f"named-{v['family']}-{v['density']:g}", "kind": "named", "density": v["density"],
             "r": v["r"], "g": v["g"], "err": None, "pressure": v["pressure"],
             "potential": {"spec": v["spec"]}} for v in md.values() if v["kept"]]


def start_row(state: dict, start: str, model: str | None, work: Path) -> dict:
    """MD of one start at one state (the first iteration of ``refine``, resumed from its folder)."""
    from ..refine.loop import RefineSettings, refine
    from ..refine.target import make_target

    target = make_target(state["r"], state["g"], state["density"], state["err"], state["name"])
    label = start if model is None else f"network:{Path(model).parent.name or model}"
    t0 = time.perf_counter()
    table = _study_start(start, target, model or "inverse", state)
    settings = RefineSettings(method="ihnc", **{**SETTINGS, "max_iter": 1})
    folder = Path(work) / f"{state['name']}-{label.replace(':', '-').replace('/', '-')}"
    res = refine(target, table, settings, out_dir=folder)
    first = res.iterations[0]
    true = true_potential(state)
    r = target.r[target.r <= min(true.r_cut, table.r[-1])]
    g = np.interp(r, target.r, target.g)
    u_true = true.evaluate(r)[0]
    err = np.abs(table.evaluate(r)[0] - u_true)
    info = (g > G_INFO) & (u_true < U_CUT)
    return {"state": state["name"], "kind": state["kind"], "density": state["density"], "start": label,
            "chosen": getattr(table, "name", ""), "l_mse": first.comparison.l_mse,
            "noise": first.comparison.noise_mse, "chi2": first.comparison.chi2,
            "within_noise": bool(first.comparison.within_noise), "kept": bool(first.run.kept),
            "reason": first.run.reason, "md_steps": int(first.run.md_steps),
            "u_mae_info": float(err[info].mean()), "u_mae_g05": float(err[g > 0.05].mean()),
            "wall_s": time.perf_counter() - t0}


def _network_grid(target, model: str, state: dict):
    from ..ml.serving.predict import predict_potential

    return predict_potential((target.r, target.g), target.density, model=model, fine=False).table


def _true(target, model: str, state: dict):
    return true_potential(state).tabulate()


#: Starts measured here beside ``refine``'s: the network's Û tabulated through its 50 grid
#: values alone (before the bins' resolution, ml/serving/fine_grid.py); the state's own
#: potential (``true``: what the noise test gives at refinement's run lengths when nothing
#: is left to refine).
STUDY_STARTS = {"network-grid": _network_grid, "true": _true}


def _study_start(start: str, target, model: str, state: dict):
    from ..refine.start import start_table

    if start in STUDY_STARTS:
        return STUDY_STARTS[start](target, model, state)
    return start_table(start, target, model=model)


def run(states, starts, work, log=print) -> list[dict]:
    """Every (state, start) not yet in ``work``/rows.jsonl; returns all rows of these states."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    path = work / "rows.jsonl"
    rows = [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []
    done = {(r["state"], r["start"]) for r in rows}
    for state in states:
        for start, model in starts:
            label = start if model is None else f"network:{Path(model).parent.name or model}"
            if (state["name"], label) in done:
                continue
            row = start_row(state, start, model, work / "runs")
            rows.append(row)
            done.add((state["name"], label))
            with path.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
            log(f"{row['state']} {label}: L_MSE {row['l_mse']:.3g} (noise {row['noise']:.2g}), "
                f"MAE U {row['u_mae_info']:.3f} k_BT, kept {row['kept']}")
    names = {s["name"] for s in states}
    return [r for r in rows if r["state"] in names]


def auto_rows(states, rows) -> list[dict]:
    """The ``auto`` start's rows: at each state the rule (refine/start_rule.py) picks the
    shipped network or HNC inversion, and the run of that start is the auto start's run (the
    same potential, MD settings and seed). States without both runs are left out.
    """
    from ..refine.start_rule import choose_start

    idx = _index(rows)
    out = []
    for st in states:
        if (st["name"], "network") not in idx or (st["name"], "hnc") not in idx:
            continue
        choice = choose_start(np.asarray(st["r"]), np.asarray(st["g"]), st["density"])
        out.append({**idx[(st["name"], choice.start)], "start": "auto", "chosen": choice.start,
                    "hnc_stiffness": choice.stiffness})
    return out


HEADER = ("| start | median L_MSE | mean L_MSE | within noise | L_MSE <= 5e-4 | runs not kept "
          "| median MAE U (g>0.02) [k_BT] | mean MAE U (g>0.05) | L_MSE below HNC's "
          "| MAE U below Boltzmann's |")


def summary(rows) -> str:
    """Per start over the states every start has: median and mean L_MSE, the share within
    noise and at or below :data:`FIG10_TOP`, runs not kept, the informative-region U error,
    and the comparison with HNC and Boltzmann inversion state by state.
    """
    idx = _index(rows)
    starts = sorted({r["start"] for r in rows})
    states = sorted({r["state"] for r in rows if all((r["state"], s) in idx for s in starts)})

    def wins(s, ref, key):
        if ref not in starts:
            return "–"
        return f"{sum(idx[(st, s)][key] < idx[(st, ref)][key] for st in states)}/{len(states)}"

    out = [f"{len(states)} states; L_MSE(g, ĝ) from one MD run of each start (refine's first iteration).", "",
           HEADER, "|---" * 10 + "|"]
    for s in starts:
        v = [idx[(st, s)] for st in states]
        lm = np.array([x["l_mse"] for x in v])
        info = np.median([x["u_mae_info"] for x in v])
        within = sum(x["within_noise"] for x in v)
        out.append(f"| {s} | {np.median(lm):.3g} | {lm.mean():.3g} | {within}/{len(v)} "
                   f"| {np.sum(lm <= FIG10_TOP)}/{len(v)} | {sum(not x['kept'] for x in v)} | {info:.3f} "
                   f"| {np.mean([x['u_mae_g05'] for x in v]):.3f} | {wins(s, 'hnc', 'l_mse')} "
                   f"| {wins(s, 'boltzmann', 'u_mae_info')} |")
    return "\n".join(out) + "\n"


def _index(rows) -> dict:
    return {(r["state"], r["start"]): r for r in rows}


def study_states(which: str, n_test: int) -> list[dict]:
    """``refine``: the refinement study's states; ``named``: the named-fluid table's."""
    if which == "named":
        return named_table_states()
    from .refine_study import RUNS_DIR

    prev = Path("reports") / "refine" / "results.json"
    names = sorted({r["state"] for r in json.loads(prev.read_text())["rows"]}) if prev.exists() else None
    return test_states(n_test, names=names) + named_states(RUNS_DIR)
