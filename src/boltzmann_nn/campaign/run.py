"""Execute a campaign on Dask (``distributed``): a LocalCluster by default, or any
existing scheduler by address. Results are written by the client as they arrive.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

from ..errors import InputError
from .spec import CampaignSpec, RunSpec
from .store import Store, record_kept


def execute_run(run: RunSpec, threads: int = 1) -> dict:
    """Simulate one run on a worker; returns SimulationResult.to_dict()."""
    from ..engines.lammps import LammpsEngine
    from ..engines.simulate import simulate

    pot = run.build_potential()
    engine = LammpsEngine(table_points=run.engine.get("table_points", 4000))
    result = simulate(pot, run.state_point(threads), engine=engine)
    return result.to_dict()


def _extras_due(spec: CampaignSpec, store: Store, base_of: dict, retry_failed: bool) -> list[RunSpec]:
    """Extra-density runs not yet done, of potentials whose base runs are all recorded
    and at least one of them kept (judged by today's criteria from the stored data).
    """
    have = store.ids()
    out = []
    for i, base in base_of.items():
        if not base or any(b.run_id not in have for b in base):
            continue
        extras = spec.extra_runs(i)
        pending = store.pending(extras, retry_failed=retry_failed)
        if not pending:
            continue
        if any(record_kept(rec) for b in base if (rec := store.try_read(b.run_id)) is not None):
            out += pending
    return out


@dataclass
class CampaignReport:
    total: int
    already: int
    done: int
    failed: int
    wall_s: float
    workers: int
    rerun_unreadable: int = 0

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

    if threads < 1 or (workers is not None and workers < 1) or (limit is not None and limit < 0):
        raise InputError(f"threads and workers must be >= 1 and limit >= 0, got threads={threads}, "
                         f"workers={workers}, limit={limit}")
    runs = spec.runs()  # validates every state point before the store is touched
    store.bind(spec)
    unreadable = store.unreadable()
    base_of: dict[int, list[RunSpec]] = {}
    for run in runs:
        base_of.setdefault(run.potential_index, []).append(run)
    extras_due = _extras_due(spec, store, base_of, retry_failed) if spec.extra_densities else []
    todo = store.pending(runs, retry_failed=retry_failed)
    todo = extras_due + todo
    if limit is not None:
        todo = todo[:limit]
    t0 = time.perf_counter()
    done = failed = 0
    if not todo:
        return CampaignReport(len(runs), len(runs) - len(todo), 0, 0, 0.0, 0, len(unreadable))
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        n_workers = workers or max(1, (os.cpu_count() or 1) // threads)
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    n_workers = len(client.scheduler_info().get("workers", {})) or (workers or 1)
    submitted = {run.run_id for run in todo}
    budget = [None if limit is None else max(0, limit - len(todo))]

    def submit(batch, first_priority):
        return [client.submit(execute_run, run, threads, key=f"run-{run.run_id}",
                              priority=first_priority - k, pure=False) for k, run in enumerate(batch)]

    try:
        futures = submit(todo, 0)
        by_key = {f.key: run for f, run in zip(futures, todo)}
        bar = tqdm(total=len(todo), desc="runs", unit="run", file=sys.stderr,
                   disable=not progress, smoothing=0.05)
        queue = as_completed(futures)
        for fut in queue:
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
            if spec.extra_densities and not run.extra and budget[0] != 0:
                # extra densities for a potential whose base runs are all in, one kept
                new = [x for x in _extras_due(spec, store, {run.potential_index: base_of.get(
                    run.potential_index, [])}, retry_failed) if x.run_id not in submitted]
                if budget[0] is not None:
                    new = new[: budget[0]]
                    budget[0] -= len(new)
                if new:
                    # ahead of the remaining base runs: they complete a potential's data
                    for f2, x in zip(submit(new, 10**6), new):
                        by_key[f2.key] = x
                        submitted.add(x.run_id)
                        queue.add(f2)
                    bar.total += len(new)
                    bar.refresh()
        bar.close()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return CampaignReport(len(runs), len(runs) - len(todo), done, failed,
                          time.perf_counter() - t0, n_workers, len(unreadable))


def generate(spec_file, store_dir=None, **options) -> dict:
    """Load a campaign spec (TOML file or preset name) and run it into ``store_dir``
    (default ``store-<name>``); ``options`` are :func:`run_campaign`'s.

    Returns:
        The :class:`CampaignReport` as a dict, with the store's path and the spec's hash.
    """
    spec = CampaignSpec.load(spec_file)
    store = Store(store_dir or f"store-{spec.name}")
    report = run_campaign(spec, store, **options)
    return {"store": str(store.root), "spec_hash": spec.spec_hash, **report.as_dict()}
