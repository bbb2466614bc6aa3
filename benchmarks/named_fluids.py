"""The shipped networks against P0, Boltzmann and HNC inversion on named fluids simulated
independently of the training data (studies/named_fluids.py; resumable, MD cached in
reports/named/md.json). Prints the table and writes reports/named/table.md.

    python benchmarks/named_fluids.py [--eos-model eos] [--inverse-model inverse] [--out reports/named]
"""

from __future__ import annotations

import argparse
import sys

from boltzmann_nn.studies.named_fluids import run_named


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--eos-model", default="eos")
    ap.add_argument("--inverse-model", default="inverse")
    ap.add_argument("--out", default="reports/named")
    args = ap.parse_args(argv)
    res = run_named(args.out, eos_model=args.eos_model, inverse_model=args.inverse_model,
                    log=lambda m: print(m, file=sys.stderr))
    print(res["text"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
