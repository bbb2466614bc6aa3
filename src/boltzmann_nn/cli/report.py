"""Subcommand: report (every table and figure of reports/ in one command)."""

from __future__ import annotations

import sys

from ..paths import DEFAULT_DATA, DEFAULT_STORES
from .common import emit


def add(sub, parent):
    p = sub.add_parser("report", parents=[parent],
                       help="regenerate the tables and figures of reports/ (dataset, models, refinement)")
    p.add_argument("--out", default="reports", help="report folder (default reports/)")
    p.add_argument("--data", default=DEFAULT_DATA, help=f"dataset file (default {DEFAULT_DATA})")
    p.add_argument("--store", nargs="+", default=list(DEFAULT_STORES),
                   help="stores the dataset was built from (for the record)")
    p.add_argument("--quick", action="store_true",
                   help="minutes: no cross-validation, no refinement MD (tables from the rows measured)")
    p.add_argument("--workers", type=int, default=2, help="processes for the studies (default 2)")
    p.set_defaults(func=cmd_report)


def cmd_report(args):
    from ..studies.report import build_report

    log = (lambda m: None) if args.json else (lambda m: print(m, file=sys.stderr, flush=True))
    res = build_report(args.out, args.data, tuple(args.store), args.quick, args.workers, log)

    def human(d):
        for part, figs in d["figures"].items():
            for f in figs:
                print(f"{part}: {f}")
        if d["refine_table"]:
            print(f"refine: {d['refine_table']}")
        print(f"named fluids: {d['named_table']}")

    emit(args, res, human)
