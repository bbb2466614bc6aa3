"""Build the dataset file (HDF5) from a campaign store, with grouped splits.

Layout of the file (all arrays [reduced units]):

``/`` attributes
    ``format``, ``version``, ``spec`` (JSON), ``spec_hash``, ``dataset_hash``,
    ``package_version``, ``engine_version``, ``created``, ``split_seed``, counts.
``/nn_r`` (50,)
    The network grid.
``/kept/*``, one row per kept run
    ``run_id``, ``potential_index``, ``potential_seed``, ``density_index``, ``density``,
    ``pressure``, ``pressure_err``, ``energy``, ``energy_err``, ``n_particles``,
    ``has_core``, ``r_cut``, ``fold`` (−1 = test, 0–3 = cross-validation fold),
    ``B2``/``B3`` (exact virial coefficients of the potential [σ³], [σ⁶]),
    ``U_nn``/``F_nn`` (n, 50) on the network grid (U up to 10⁴ in a core),
    ``r_md``/``U_md``/``F_md`` (n, 200) on 200 points over [table start, r_cut],
    ``g_r`` (200,) bin centres, ``g``/``g_err`` (n, 200), ``flags`` and ``provenance``
    (JSON strings).
``/dropped/*``, one row per failed or discarded run
    ``run_id``, ``potential_index``, ``density``, ``status`` (failed/dropped), ``reason``.

Splits are grouped by potential: every kept run of a potential lies on the same side.
About ``TEST_FRACTION`` of the potentials (with at least one kept run) form the test set;
the rest are dealt round-robin into ``N_FOLDS`` folds after a seeded shuffle.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

from .. import __version__
from ..errors import InputError
from ..grid import NN_GRID
from ..potentials.random import RandomPotential, RandomSettings
from ..theory.virial import b2, b3
from .store import Store

FORMAT = "boltzmann-nn dataset"
VERSION = 1
TEST_FRACTION = 0.11
N_FOLDS = 4
MD_POINTS = 200


def assign_splits(potential_indices, seed: int = 0, test_fraction: float = TEST_FRACTION,
                  n_folds: int = N_FOLDS) -> dict[int, int]:
    """Potential index -> fold (−1 test, 0..n_folds−1), seeded, grouped by potential."""
    pots = np.array(sorted(set(int(i) for i in potential_indices)))
    rng = np.random.default_rng(seed)
    order = pots[rng.permutation(pots.size)]
    n_test = int(round(test_fraction * pots.size))
    folds = {int(p): -1 for p in order[:n_test]}
    for k, p in enumerate(order[n_test:]):
        folds[int(p)] = k % n_folds
    return folds


def _dropped_reason(rec) -> tuple[str, str]:
    res = rec["result"]
    if rec["status"] == "failed":
        return "failed", res.get("reason", "")
    return "dropped", ", ".join(res.get("flags", {}).get("reasons", [])) or "dropped"


def build_dataset(store_dir, out, split_seed: int = 0) -> dict:
    """Assemble ``out`` (HDF5) from the records in ``store_dir``; returns counts."""
    import h5py

    store = Store(store_dir)
    spec = store.spec()
    if spec is None:
        raise InputError("not a campaign store (no spec.json)", str(store_dir))
    kept, dropped = [], []
    wanted = {run.run_id for run in spec.runs()}
    for rec in store.records():
        if rec["id"] not in wanted:
            continue
        (kept if rec["status"] == "done" and rec["result"].get("kept") else dropped).append(rec)
    if not kept:
        raise InputError("the store holds no kept runs yet", str(store_dir))
    folds = assign_splits([r["run"]["potential_index"] for r in kept], split_seed)
    rows = [_row(rec, folds) for rec in kept]
    arrays = {key: np.array([row[key] for row in rows]) for key in rows[0]}
    g_r = np.asarray(kept[0]["result"]["r"], float)
    digest = hashlib.sha256()
    for key in ("run_id", "density", "pressure", "U_nn", "g", "fold"):
        digest.update(np.ascontiguousarray(arrays[key]).tobytes())
    dataset_hash = digest.hexdigest()[:24]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    with h5py.File(tmp, "w") as h5:
        h5.attrs.update({
            "format": FORMAT, "version": VERSION, "spec": json.dumps(spec.as_dict()),
            "spec_hash": spec.spec_hash, "dataset_hash": dataset_hash,
            "package_version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "engine_version": kept[0]["provenance"].get("engine_version") or "",
            "split_seed": split_seed, "n_runs": len(kept) + len(dropped), "n_kept": len(kept),
            "n_failed": sum(r["status"] == "failed" for r in dropped),
            "n_potentials": spec.n_potentials, "units": "sigma, k_BT",
        })
        h5["nn_r"] = NN_GRID.r
        grp = h5.create_group("kept")
        grp["g_r"] = g_r
        for key, arr in arrays.items():
            if arr.dtype.kind == "U":
                grp.create_dataset(key, data=arr.astype("S"), compression="gzip")
            elif arr.ndim == 2:
                dtype = "f4" if key in ("g", "g_err", "r_md", "U_md", "F_md") else arr.dtype
                grp.create_dataset(key, data=arr.astype(dtype), compression="gzip", shuffle=True)
            else:
                grp[key] = arr
        dgrp = h5.create_group("dropped")
        status_reason = [_dropped_reason(r) for r in dropped]
        dgrp["run_id"] = np.array([r["id"] for r in dropped], dtype="S24")
        dgrp["potential_index"] = np.array([r["run"]["potential_index"] for r in dropped], int)
        dgrp["density"] = np.array([r["run"]["state"]["density"] for r in dropped], float)
        dgrp["status"] = np.array([s for s, _ in status_reason], dtype="S8")
        dgrp["reason"] = np.array([m.encode()[:200] for _, m in status_reason], dtype="S200")
    tmp.replace(out)
    return {"out": str(out), "n_kept": len(kept), "n_dropped": len(dropped),
            "n_potentials_kept": len(folds), "dataset_hash": dataset_hash,
            "folds": dict(Counter(int(v) for v in arrays["fold"]))}


_POT_CACHE: dict = {}


def _potential_arrays(seed: int, settings: dict):
    key = (seed, json.dumps(settings, sort_keys=True))
    if key not in _POT_CACHE:
        pot = RandomPotential(seed, RandomSettings(**settings))
        table = pot.tabulate(4000)
        u_nn, f_nn = table.on_grid(NN_GRID)
        r_md = np.linspace(pot.table_start(), pot.r_cut, MD_POINTS)
        u_md, f_md = pot.evaluate(r_md)
        _POT_CACHE[key] = (pot, u_nn, f_nn, r_md, u_md, f_md, b2(pot), b3(pot))
    return _POT_CACHE[key]


def _row(rec, folds) -> dict:
    run = rec["run"]
    res = rec["result"]
    seed = run["potential"]["seed"]
    pot, u_nn, f_nn, r_md, u_md, f_md, bb2, bb3 = _potential_arrays(seed, run["potential"]["settings"])
    return {
        "run_id": rec["id"],
        "potential_index": run["potential_index"],
        "potential_seed": seed,
        "density_index": run["density_index"],
        "density": run["state"]["density"],
        "pressure": res["pressure"],
        "pressure_err": res["pressure_err"],
        "energy": res["energy"],
        "energy_err": res["energy_err"],
        "n_particles": res["settings"]["n_particles"],
        "has_core": pot.has_core,
        "r_cut": pot.r_cut,
        "B2": bb2,
        "B3": bb3,
        "fold": folds[run["potential_index"]],
        "U_nn": u_nn, "F_nn": f_nn, "r_md": r_md, "U_md": u_md, "F_md": f_md,
        "g": np.asarray(res["g"], float),
        "g_err": np.asarray(res["g_err"], float),
        "flags": json.dumps(res["flags"]),
        "provenance": json.dumps({**rec["provenance"], "run_seed": run["state"]["seed"],
                                  "spec_hash": rec["provenance"]["campaign"]}),
    }
