"""Refinement (``ihnc``, the refinement study's settings) from several starts at the study's
states: iterations and MD steps to the noise level, and the best L_MSE(g, ĝ) reached.

    python benchmarks/refine_starts.py --starts hnc,auto --work results/refine_starts
    python benchmarks/refine_starts.py --starts hnc,auto --only test-50545821,test-92e0fc53
    python benchmarks/refine_starts.py --report-only --before results/refine_starts/before
    python benchmarks/refine_starts.py --states named --work results/refine_starts_named \
        --only named-lj-1,named-wca-0.8,named-morse-0.8       # named fluids where auto picks the network

``auto`` is refined only where its rule picks the network (elsewhere it is the HNC start);
``true`` starts from the state's own potential: what refinement costs from an exact start.
``--before``: rows of an earlier run (same layout) shown beside. Resumable (rows in
WORK/rows-<start>.jsonl, runs in WORK/runs). Writes benchmarks/results/refine_starts.txt
(``--states named``: refine_starts_named.txt).
"""

import argparse
import json
from pathlib import Path

import numpy as np

from boltzmann_nn.studies.refine_study import run_job
from boltzmann_nn.studies.start_study import study_states


def _rows(work: Path, start: str) -> dict:
    path = work / f"rows-{start}.jsonl"
    rows = [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []
    return {r["state"]: r for r in rows}


def _network_picked(states) -> set:
    """The states where ``auto``'s rule (refine/start_rule.py) picks the network."""
    from boltzmann_nn.refine.start_rule import choose_start

    return {st["name"] for st in states
            if choose_start(np.asarray(st["r"]), np.asarray(st["g"]), st["density"]).start == "network"}


def _run(states, start: str, work: Path) -> None:
    done = _rows(work, start)
    picked = _network_picked(states)
    for st in states:
        if st["name"] in done or (start == "auto" and st["name"] not in picked):
            continue
        row = run_job(st, start, "ihnc", work=work / "runs")
        row = {k: v for k, v in row.items() if not isinstance(v, list | dict)}
        with (work / f"rows-{start}.jsonl").open("a") as fh:
            fh.write(json.dumps(row) + "\n")
        print(st["name"], start, row["iterations_to_noise"], row["md_steps_to_noise"], flush=True)


def _cell(row) -> str:
    if row is None:
        return "–"
    its = row["iterations_to_noise"]
    reached = "never" if its is None else f"{its} it"
    return f"{reached}, {row['md_steps_to_noise']:,} steps, best {row['final_l_mse']:.2g}"


def _with_auto_everywhere(runs: list, picked: set) -> list:
    """``auto``'s rows where the rule picks the network now, and ``auto, all`` where both
    starts ran: those rows, HNC's where the rule picks HNC."""
    by = dict(runs)
    if "auto" in by:
        by["auto"] = {n: r for n, r in by["auto"].items() if n in picked}
        runs = [(label, by[label]) for label, _ in runs]
    if "auto" in by and "hnc" in by:
        runs = runs + [("auto, all", {**by["hnc"], **by["auto"]})]
    return runs


def report(states, starts, work: Path, before: Path | None) -> str:
    picked = _network_picked(states)
    runs = _with_auto_everywhere([(s, _rows(work, s)) for s in starts], picked)
    if before is not None:  # the rule of then picked the network where its rows are
        runs += [(f"{label} (before)", rows) for label, rows in _with_auto_everywhere(
            [(s, _rows(before, s)) for s in starts], set(_rows(before, "auto")))]
    # the states every start of this run has measured (auto: where it picked the network,
    # else HNC's row stands for it), so that the sums compare like with like
    measured = {s: _rows(work, s) for s in starts}
    names = [st["name"] for st in states
             if all(st["name"] in rows for s, rows in measured.items() if s != "auto")
             and ("auto" not in starts or st["name"] not in picked or st["name"] in measured["auto"])]
    table_runs = [(label, rows) for label, rows in runs if not label.startswith("auto, all")]
    out = ["# Refinement (ihnc, 8 iterations) from each start; steps counted to the noise level "
           "(all steps where never reached); best = lowest L_MSE(g, ĝ) of any iteration", "",
           "| state | ρσ³ | " + " | ".join(s for s, _ in table_runs) + " |",
           "|---" * (len(table_runs) + 2) + "|"]
    dens = {st["name"]: st["density"] for st in states}
    for n in names:
        out.append(f"| {n} | {dens[n]:g} | " + " | ".join(_cell(rows.get(n)) for _, rows in table_runs) + " |")
    out += ["", "| start | states | within noise | median iterations (reached) | MD steps in all | "
            "median best L_MSE |", "|---|---|---|---|---|---|"]
    for s, rows in runs:
        v = [rows[n] for n in names if n in rows]
        if not v:
            continue
        its = [r["iterations_to_noise"] for r in v if r["iterations_to_noise"] is not None]
        steps = sum(r["md_steps_to_noise"] for r in v)
        out.append(f"| {s} | {len(v)} | {len(its)} | {np.median(its) if its else float('nan'):g} | "
                   f"{steps:,} | {np.median([r['final_l_mse'] for r in v]):.2g} |")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", default="hnc,auto", help="start names, comma-separated")
    ap.add_argument("--only", default="", help="state names, comma-separated (default: all study states)")
    ap.add_argument("--states", choices=["refine", "named"], default="refine")
    ap.add_argument("--test-states", type=int, default=16)
    ap.add_argument("--work", default="results/refine_starts")
    ap.add_argument("--before", default=None, help="rows of an earlier run to show beside")
    ap.add_argument("--report-only", action="store_true")
    args = ap.parse_args(argv)
    states = study_states(args.states, args.test_states)
    if args.only:
        keep = set(args.only.split(","))
        states = [st for st in states if st["name"] in keep]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    starts = [s for s in args.starts.split(",") if s]
    if not args.report_only:
        for s in starts:
            _run(states, s, work)
    text = report(states, starts, work, Path(args.before) if args.before else None)
    name = "refine_starts.txt" if args.states == "refine" else f"refine_starts_{args.states}.txt"
    (Path(__file__).parent / "results" / name).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
