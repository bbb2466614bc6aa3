"""Subcommands: generate, dataset build, dataset stats."""

from __future__ import annotations

from ..paths import DEFAULT_DATA
from .common import add_no_progress, emit


def add(sub, parent):
    p = sub.add_parser("generate", parents=[parent],
                       help="run a simulation campaign (resumable) on Dask")
    p.add_argument("spec_file", help="campaign spec (TOML) or a preset name: default, paper")
    p.add_argument("--store", help="store directory (default: store-<name>)")
    p.add_argument("--scheduler", help="address of an existing Dask scheduler")
    p.add_argument("--workers", type=int, help="LocalCluster workers (default: all cores)")
    p.add_argument("--threads", type=int, default=1, help="OpenMP threads per run")
    p.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    p.add_argument("--limit", type=int, help="run at most this many pending runs")
    add_no_progress(p)
    p.set_defaults(func=cmd_generate)

    d = sub.add_parser("dataset", help="build a dataset file from a store; statistics")
    dsub = d.add_subparsers(dest="dataset_command", metavar="ACTION")
    b = dsub.add_parser("build", parents=[parent], help="assemble the HDF5 dataset")
    b.add_argument("store", nargs="+", help="one or more store directories")
    b.add_argument("--out", required=True, help="dataset file to write (HDF5)")
    b.add_argument("--split-seed", type=int, default=0,
                   help="seed of the split of potentials into folds and test set (default 0)")
    b.add_argument("--keep-split", metavar="H5",
                   help="an earlier dataset file: its potentials keep their folds (test stays test)")
    b.set_defaults(func=cmd_build)
    j = dsub.add_parser("rejudge", parents=[parent],
                        help="kept counts before/after today's keep criteria, by class")
    j.add_argument("store", help="campaign store directory")
    j.add_argument("--report", metavar="MD", help="also write the tables as Markdown here")
    j.set_defaults(func=cmd_rejudge)
    s = dsub.add_parser("stats", parents=[parent], help="counts, drop reasons, P distribution")
    s.add_argument("file", nargs="?", default=DEFAULT_DATA, help=f"dataset file (default {DEFAULT_DATA})")
    s.add_argument("--plot", metavar="DIR", help="write figures (Fig. 1-like) here")
    s.set_defaults(func=cmd_stats)


def cmd_generate(args):
    from ..campaign.run import generate

    data = generate(args.spec_file, args.store, scheduler=args.scheduler, workers=args.workers,
                    threads=args.threads, retry_failed=args.retry_failed, limit=args.limit,
                    progress=not (args.no_progress or args.json))

    def human(d):
        if d.get("rerun_unreadable"):
            print(f"{d['rerun_unreadable']} unreadable (truncated or corrupt) records were run again")
        print(f"{d['total']} runs in the campaign; {d['already']} were already in {d['store']}; "
              f"this call: {d['done']} done, {d['failed']} failed in {d['wall_s']:.0f} s "
              f"on {d['workers']} workers")

    emit(args, data, human)


def cmd_build(args):
    from ..campaign.assemble import build_dataset

    res = build_dataset(args.store, args.out, args.split_seed, keep_split=args.keep_split)

    def human(d):
        print(f"wrote {d['out']}: {d['n_kept']} kept runs of {d['n_potentials_kept']} potentials, "
              f"{d['n_dropped']} dropped or failed; folds {d['folds']} (-1 = test)")

    emit(args, res, human)


def cmd_rejudge(args):
    from ..campaign.rejudge import format_rejudge, rejudge_store

    res = rejudge_store(args.store, args.report)
    emit(args, res, lambda d: print(format_rejudge(d), end=""))


def cmd_stats(args):
    from ..campaign.stats import dataset_stats

    res = dataset_stats(args.file, args.plot)

    def human(d):
        print(f"{d['file']}: {d['n_runs']} runs, {d['n_kept']} kept, {d['n_dropped']} dropped, "
              f"{d['n_failed']} failed ({d['fraction_dropped']:.0%} not kept)")
        for rho, c in d["per_density"].items():
            print(f"  rho = {rho}: {c}")
        comp = d.get("composition", {})
        for kind, table in comp.items():
            print(f"  {kind}: " + "; ".join(f"{k}: test {v['test']} / train+val {v['train']}"
                                            for k, v in table.items()))
        for reason, n in d["reasons"].items():
            print(f"  {n:5d}  {reason}")
        q = d["pressure"]["quantiles"]
        print(f"P: min {d['pressure']['min']:.3g}, median {q['0.5']:.3g}, max {d['pressure']['max']:.3g}")
        print(f"median relative P error {d['pressure_rel_err_median']:.2%}, "
              f"median g(r) noise {d['g_noise_median']:.4f}")
        for p in d.get("plots", []):
            print(f"wrote {p}")

    emit(args, res, human)
