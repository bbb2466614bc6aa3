"""Campaign throughput: runs per hour with 1 and 2 Dask workers on this machine.

Runs the first K runs of the default campaign (every density of the first K/4
potentials) into fresh temporary stores, once with 1 worker and once with 2, and prints
runs/hour and the speed-up. Run it on an otherwise idle machine.

    python benchmarks/campaign_throughput.py [--runs 24]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from boltzmann_nn.campaign.run import run_campaign
from boltzmann_nn.campaign.spec import CampaignSpec
from boltzmann_nn.campaign.store import Store


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=24)
    ap.add_argument("--spec", default="default")
    args = ap.parse_args(argv)
    spec = CampaignSpec.load(args.spec)
    rows = []
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            rep = run_campaign(spec, Store(tmp), workers=workers, limit=args.runs, progress=False)
            rows.append((workers, rep.wall_s, 3600 * args.runs / rep.wall_s, rep.done, rep.failed))
    print(f"first {args.runs} runs of the {spec.name} campaign, {os.cpu_count()} cores")
    print("| workers | wall s | runs/hour | done | failed | speed-up |")
    print("|---|---|---|---|---|---|")
    for w, wall, rate, done, failed in rows:
        print(f"| {w} | {wall:.0f} | {rate:.0f} | {done} | {failed} | {rows[0][1] / wall:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
