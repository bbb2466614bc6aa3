"""Fig. 10 per start (:mod:`boltzmann_nn.studies.start_study`): one MD run of each start's
potential at held-out states; L_MSE(g, ĝ), runs not kept, and U errors where g(r) informs.

    python benchmarks/start_md.py                  # refinement-study states: network, HNC, Boltzmann
    python benchmarks/start_md.py --states named           # the named-fluid table's states
    python benchmarks/start_md.py --model results/structure/a1/inverse.json   # another inverse model too
    python benchmarks/start_md.py --starts network,network-grid,hnc,boltzmann --work results/start_md_fine \
        --name _fine        # the network's Û at the bins' resolution against its 50 grid values alone

Resumable (rows in WORK/rows.jsonl). Writes benchmarks/results/start_md_<states>.txt.
"""

import argparse
from pathlib import Path

from boltzmann_nn.studies.start_study import auto_rows, run, study_states, summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--states", choices=["refine", "named"], default="refine")
    ap.add_argument("--test-states", type=int, default=16)
    ap.add_argument("--model", action="append", default=[], help="inverse model card (repeatable)")
    ap.add_argument("--starts", default="network,hnc,boltzmann", help="start names, comma-separated")
    ap.add_argument("--work", default="results/start_md")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--name", default="", help="suffix of the results file (start_md_<states><name>.txt)")
    args = ap.parse_args(argv)
    starts = [(s, None) for s in args.starts.split(",") if s] + [("network", m) for m in args.model]
    states = study_states(args.states, args.test_states)
    work = Path(args.work) / args.states
    rows = run(states, [] if args.report_only else starts, work, log=lambda m: print(m, flush=True))
    auto = auto_rows(states, rows)
    picks = ", ".join(f"{r['state']}: {r['chosen']}" for r in auto)
    text = (f"# MD of each start, {args.states} states\n\n" + summary(rows + auto)
            + f"\nauto (refine --start auto with the shipped network) picked: {picks}\n")
    out = Path(__file__).parent / "results" / f"start_md_{args.states}{args.name}.txt"
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
