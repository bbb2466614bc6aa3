"""Paper Fig. 10 and 11 (see :mod:`boltzmann_nn.studies.refine_study`): refine held-out
states from each start with each method, and the chain g -> U -> P.

    python benchmarks/refine_study.py                 # 8 test states + 4 named fluids, 2 workers
    python benchmarks/refine_study.py --quick         # 3 test states and the LJ example
    python benchmarks/refine_study.py --report-only   # tables and figures from what has run
    python benchmarks/refine_study.py --combos boltzmann:ibi,network:imc   # some starts only

Resumable. Writes reports/refine/{table.md, results.json, fig10_refine_gr.png,
fig11_chain.png}; refinement folders under results/refine_study/.
"""

import argparse

from boltzmann_nn.studies.refine_study import COMBOS, N_TEST, run_study


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--test-states", type=int, default=N_TEST)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--out", default="reports/refine")
    ap.add_argument("--combos", default=",".join(f"{s}:{m}" for s, m in COMBOS),
                    help="start:method pairs to run, comma-separated (default: all, in this order)")
    args = ap.parse_args(argv)
    combos = [tuple(c.split(":", 1)) for c in args.combos.split(",") if c]
    res = run_study(args.out, n_test=args.test_states, quick=args.quick, workers=args.workers,
                    run=not args.report_only, log=lambda m: print(m, flush=True), combos=combos)
    if res["table"]:
        print(open(res["table"]).read())


if __name__ == "__main__":
    main()
