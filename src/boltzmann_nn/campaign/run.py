"""Execute a campaign on Dask (``distributed``): a LocalCluster by default, or any
existing scheduler by address. Results are written by the client as they arrive.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

from .spec import CampaignSpec, RunSpec
from .store import Store


def execute_run(run: RunSpec, threads: int = 1) -> dict:
    """Simulate one run on a worker; returns SimulationResult.to_dict()."""
    from ..engines import simulate
    from ..potentials.random import RandomPotential, RandomSettings

    pot = RandomPotential(run.potential_seed, RandomSettings(**run.generator))
    from ..engines.lammps import LammpsEngine

    engine = LammpsEngine(table_points=run.engine.get("table_points", 4000))
    result = simulate(pot, run.state_point(threads), engine=engine)
    return result.to_dict()


@dataclass
class CampaignReport:
    total: int
    already: int
    done: int
    failed: int
    wall_s: float
    workers: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def run_campaign(spec: CampaignSpec, store: Store, *, scheduler: str | None = None,
                 workers: int | None = None, threads: int = 1, retry_failed: bool = False,
                 limit: int | None = None, progress: bool = True) -> CampaignReport:
    """Run every pending run of ``spec`` into ``store``; resumable at any point.

    Args:
        spec: The campaign.
        store: Where records go; bound to the spec's hash.
        scheduler: Address of an existing Dask scheduler; None starts a LocalCluster.
        workers: LocalCluster workers (default: the machine's cores / threads).
        threads: OpenMP threads per run.
        retry_failed: Run failed runs again.
        limit: Run at most this many pending runs (for tests and benchmarks).
        progress: Show a progress bar with ETA on stderr.
    """
    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm

    store.bind(spec)
    runs = spec.runs()
    todo = store.pending(runs, retry_failed=retry_failed)
    if limit is not None:
        todo = todo[:limit]
    t0 = time.perf_counter()
    done = failed = 0
    if not todo:
        return CampaignReport(len(runs), len(runs) - len(todo), 0, 0, 0.0, 0)
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        n_workers = workers or max(1, (os.cpu_count() or 1) // threads)
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    n_workers = len(client.scheduler_info().get("workers", {})) or (workers or 1)
    try:
        futures = [client.submit(execute_run, run, threads, key=f"run-{run.run_id}",
                                 priority=-k, pure=False) for k, run in enumerate(todo)]
        by_key = {f.key: run for f, run in zip(futures, todo)}
        bar = tqdm(total=len(todo), desc="runs", unit="run", file=sys.stderr,
                   disable=not progress, smoothing=0.05)
        for fut in as_completed(futures):
            run = by_key[fut.key]
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker crash is a failed run
                result = {"ok": False, "reason": f"worker error: {type(exc).__name__}: {exc}",
                          "settings": {}}
            store.write(run, result, spec.spec_hash)
            done += bool(result.get("ok"))
            failed += not result.get("ok")
            bar.update(1)
            bar.set_postfix(failed=failed)
            fut.release()
        bar.close()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return CampaignReport(len(runs), len(runs) - len(todo), done, failed,
                          time.perf_counter() - t0, n_workers)
