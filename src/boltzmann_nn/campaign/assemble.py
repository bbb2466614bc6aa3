"""Build the dataset file (HDF5) from one or more campaign stores, with grouped,
stratified splits.

Layout of the file (all arrays [reduced units]):

``/`` attributes
    ``format``, ``version``, ``spec`` (JSON; a list of specs for several stores),
    ``spec_hash`` (of the first store), ``spec_hashes``, ``dataset_hash``,
    ``package_version``, ``engine_version``, ``created``, ``split_seed``, counts.
``/nn_r`` (50,)
    The network grid.
``/kept/*``, one row per kept run
    ``run_id``, ``potential_index`` (dense over the distinct potentials of all stores),
    ``potential_key`` (hash of the potential's identity), ``family`` (``spline`` for the
    paper's generator), ``potential_seed``, ``density_index``, ``density``,
    ``pressure``, ``pressure_err``, ``energy``, ``energy_err``, ``n_particles``,
    ``has_core``, ``r_cut``, ``fold`` (−1 = test, 0–3 = cross-validation fold),
    ``B2``/``B3`` (exact virial coefficients of the potential [σ³], [σ⁶]),
    ``U_nn``/``F_nn`` (n, 50) on the network grid (U up to 10⁴ in a core),
    ``r_md``/``U_md``/``F_md`` (n, 200) on 200 points over [table start, r_cut],
    ``g_r`` (200,) bin centres, ``g``/``g_err`` (n, 200), ``flags`` and ``provenance``
    (JSON strings).
``/dropped/*``, one row per failed or discarded run
    ``run_id``, ``potential_index``, ``density``, ``status`` (failed/dropped), ``reason``.

Verdicts are re-judged with today's criteria from each record's stored measurements
(:func:`~boltzmann_nn.engines.diagnostics.rejudge`), so a store written under older
criteria is read fairly.

Splits are grouped by potential: every kept run of a potential lies on the same side.
They are stratified: potentials are grouped by family, cutoff class and whether any of
their kept states has Z = βP/ρ < 1; in every stratum about ``TEST_FRACTION`` of the
potentials form the test set, and the rest are dealt round-robin into ``N_FOLDS`` folds,
each after a seeded shuffle, so the test set and every fold look like the whole.

A dataset grows as its campaign does; rebuilt with ``keep_split`` (an earlier dataset
file), every potential that file held keeps its side (the held-out potentials stay held
out, so models and studies measured on them stay honest), and only new potentials are
dealt: in each stratum enough of them join the test set to bring its share to
``TEST_FRACTION``, the rest fill the smallest folds.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

from .. import __version__
from ..engines.diagnostics import rejudge
from ..engines.verdict import Verdict
from ..errors import InputError
from ..grid import NN_GRID
from ..io.atomic import atomic_path
from ..theory.virial import b2, b3
from .spec import canonical_json, digest, potential_from_identity
from .store import Store

FORMAT = "boltzmann-nn dataset"
VERSION = 2
TEST_FRACTION = 0.11
N_FOLDS = 4
MD_POINTS = 200


def assign_splits(potential_indices, seed: int = 0, test_fraction: float = TEST_FRACTION,
                  n_folds: int = N_FOLDS, strata: dict | None = None) -> dict:
    """Potential -> fold (−1 test, 0..n_folds−1), seeded, grouped by potential.

    Args:
        potential_indices: Potential of every kept run (repeats allowed).
        seed: Shuffle seed.
        test_fraction: Fraction of potentials in the test set.
        n_folds: Cross-validation folds.
        strata: Potential -> stratum label; each stratum is split in the same proportions
            (test count by largest remainder, so the total stays ``round(f · n)``).
    """
    pots = sorted(set(potential_indices))
    strata = strata or {}
    groups: dict = {}
    for p in pots:
        groups.setdefault(str(strata.get(p, "")), []).append(p)
    rng = np.random.default_rng(seed)
    labels = sorted(groups)
    shares = np.array([test_fraction * len(groups[lb]) for lb in labels])
    n_test = np.floor(shares).astype(int)
    short = int(round(test_fraction * len(pots))) - int(n_test.sum())
    if short > 0:
        order = np.argsort(-(shares - n_test) + 1e-9 * rng.random(len(labels)), kind="stable")
        n_test[order[:short]] += 1
    folds = {}
    k = 0
    for lb, nt in zip(labels, n_test):
        members = groups[lb]
        order = [members[i] for i in rng.permutation(len(members))]
        for p in order[:nt]:
            folds[p] = -1
        for p in order[nt:]:
            folds[p] = k % n_folds
            k += 1
    return folds


def extend_splits(potential_indices, previous: dict, seed: int = 0, test_fraction: float = TEST_FRACTION,
                  n_folds: int = N_FOLDS, strata: dict | None = None) -> dict:
    """Potential -> fold, keeping ``previous`` (potential -> fold) and dealing the others.

    In each stratum, new potentials join the test set until it holds ``test_fraction`` of
    the stratum (stochastic rounding, seeded; a potential already placed never moves); the
    rest go one by one to the fold with the fewest potentials.
    """
    pots = sorted(set(potential_indices))
    strata = strata or {}
    folds = {p: int(previous[p]) for p in pots if p in previous}
    groups: dict = {}
    for p in pots:
        groups.setdefault(str(strata.get(p, "")), []).append(p)
    rng = np.random.default_rng(seed)
    size = Counter(f for f in folds.values() if f >= 0)
    for lb in sorted(groups):
        members = groups[lb]
        fresh = [p for p in members if p not in folds]
        fresh = [fresh[i] for i in rng.permutation(len(fresh))]
        want = int(np.floor(test_fraction * len(members) + rng.random()))
        have = sum(folds.get(p) == -1 for p in members)
        n_test = int(np.clip(want - have, 0, len(fresh)))
        for p in fresh[:n_test]:
            folds[p] = -1
        for p in fresh[n_test:]:
            k = min(range(n_folds), key=lambda i: (size[i], i))
            folds[p] = k
            size[k] += 1
    return folds


def previous_folds(path) -> dict:
    """The fold of every kept run (by run id) of an earlier dataset file."""
    import h5py

    path = Path(path)
    try:
        with h5py.File(path, "r") as h5:
            if h5.attrs.get("format") != FORMAT:
                raise InputError("not a boltzmann-nn dataset file", str(path))
            k = h5["kept"]
            return {rid.decode(): int(f) for rid, f in zip(k["run_id"][:], k["fold"][:])}
    except OSError as exc:
        raise InputError("cannot read the dataset file whose split is to be kept", str(path)) from exc


def _test_every_family(folds: dict, family_of: dict, seed: int, fixed=frozenset()) -> dict:
    """Move one potential of every family that has at least ``1/TEST_FRACTION / 2``
    potentials but none in the test set into it (small families split into small strata
    can otherwise miss the test set entirely); potentials in ``fixed`` never move.
    """
    rng = np.random.default_rng(seed + 1)
    out = dict(folds)
    for fam in sorted(set(family_of.values())):
        pots = sorted(p for p, f in family_of.items() if f == fam and p not in fixed)
        if len(pots) >= 0.5 / TEST_FRACTION and not any(out[p] == -1 for p in pots):
            out[pots[int(rng.integers(len(pots)))]] = -1
    return out


def r_cut_class(r_cut: float) -> str:
    return "short" if r_cut <= 1.5 else ("medium" if r_cut <= 3.0 else "long")


def _dropped_reason(rec, verdict: Verdict) -> tuple[str, str]:
    res = rec["result"]
    if rec["status"] == "failed":
        return "failed", res.get("reason", "")
    return "dropped", verdict.why or "dropped"


def _read_stores(store_dirs):
    specs, records = [], []
    for d in store_dirs:
        store = Store(d)
        spec = store.spec()
        if spec is None:
            raise InputError("not a campaign store (no spec.json)", str(d))
        specs.append(spec)
        for rec in store.records():
            records.append(rec)
    return specs, records


def build_dataset(store_dirs, out, split_seed: int = 0, keep_split=None) -> dict:
    """Assemble ``out`` (HDF5) from the records in ``store_dirs`` (one path or several);
    returns counts. Verdicts are re-judged with today's criteria. ``keep_split``: an
    earlier dataset file whose potentials keep their folds (see the module notes).
    """
    import h5py

    if isinstance(store_dirs, (str, Path)):
        store_dirs = [store_dirs]
    specs, records = _read_stores(store_dirs)
    kept, dropped = [], []
    seen = set()
    for rec in records:
        if rec["id"] in seen:  # the same run in two stores
            continue
        seen.add(rec["id"])
        run = rec["run"]
        verdict = Verdict(kept=False)
        if rec["status"] == "done":
            pot = _potential_entry(run["potential"])["potential"]
            verdict = rejudge(rec["result"], run["state"]["density"], pot)
        (kept if rec["status"] == "done" and verdict.kept else dropped).append((rec, verdict))
    if not kept:
        raise InputError("the store holds no kept runs yet", ", ".join(str(d) for d in store_dirs))
    keys = []
    for rec, _ in kept:
        key = _potential_entry(rec["run"]["potential"])["key"]
        if key not in keys:
            keys.append(key)
    index_of = {k: i for i, k in enumerate(keys)}
    rows = [_row(rec, verdict, index_of) for rec, verdict in kept]
    strata = {}
    for row in rows:
        low_z = row["pressure"] < row["density"]
        p = row["potential_index"]
        prev = strata.get(p, (row["family"], r_cut_class(row["r_cut"]), False))
        strata[p] = (prev[0], prev[1], prev[2] or bool(low_z))
    potentials = [r["potential_index"] for r in rows]
    previous = {}
    if keep_split is not None:
        old = previous_folds(keep_split)
        previous = {r["potential_index"]: old[r["run_id"]] for r in rows if r["run_id"] in old}
        folds = extend_splits(potentials, previous, split_seed, strata=strata)
    else:
        folds = assign_splits(potentials, split_seed, strata=strata)
    folds = _test_every_family(folds, {p: st[0] for p, st in strata.items()}, split_seed, frozenset(previous))
    for row in rows:
        row["fold"] = folds[row["potential_index"]]
    arrays = {key: np.array([row[key] for row in rows]) for key in rows[0]}
    g_r = np.asarray(kept[0][0]["result"]["r"], float)
    digest_ = hashlib.sha256()
    for key in ("run_id", "density", "pressure", "U_nn", "g", "fold"):
        digest_.update(np.ascontiguousarray(arrays[key]).tobytes())
    dataset_hash = digest_.hexdigest()[:24]
    out = Path(out)
    spec_json = json.dumps(specs[0].as_dict() if len(specs) == 1 else [s.as_dict() for s in specs])
    with atomic_path(out) as tmp, h5py.File(tmp, "w") as h5:
        h5.attrs.update({
            "format": FORMAT, "version": VERSION, "spec": spec_json,
            "spec_hash": specs[0].spec_hash, "spec_hashes": json.dumps([s.spec_hash for s in specs]),
            "dataset_hash": dataset_hash,
            "package_version": __version__, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "engine_version": kept[0][0]["provenance"].get("engine_version") or "",
            "split_seed": split_seed, "n_runs": len(kept) + len(dropped), "n_kept": len(kept),
            "n_failed": sum(r["status"] == "failed" for r, _ in dropped),
            "n_potentials": len({canonical_json(r["run"]["potential"]) for r in records}),
            "units": "sigma, k_BT",
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
        status_reason = [_dropped_reason(r, f) for r, f in dropped]
        dgrp["run_id"] = np.array([r["id"] for r, _ in dropped], dtype="S24")
        dgrp["potential_index"] = np.array([r["run"]["potential_index"] for r, _ in dropped], int)
        dgrp["family"] = np.array([r["run"]["potential"].get("family", "spline").encode()
                                   for r, _ in dropped], dtype="S16")
        dgrp["density"] = np.array([r["run"]["state"]["density"] for r, _ in dropped], float)
        dgrp["status"] = np.array([s for s, _ in status_reason], dtype="S8")
        dgrp["reason"] = np.array([m.encode()[:200] for _, m in status_reason], dtype="S200")
    return {"out": str(out), "n_kept": len(kept), "n_dropped": len(dropped),
            "n_potentials_kept": len(keys), "dataset_hash": dataset_hash,
            "folds": dict(Counter(int(v) for v in arrays["fold"])),
            "kept_split_from": str(keep_split) if keep_split is not None else None,
            "potentials_placed_before": len(previous)}


_POT_CACHE: dict = {}


def _potential_entry(ident: dict) -> dict:
    key = digest(ident)
    if key not in _POT_CACHE:
        pot = potential_from_identity(ident)
        table = pot.tabulate(4000)
        u_nn, f_nn = table.on_grid(NN_GRID)
        r_md = np.linspace(pot.table_start(), pot.r_cut, MD_POINTS)
        u_md, f_md = pot.evaluate(r_md)
        _POT_CACHE[key] = {"key": key, "potential": pot, "u_nn": u_nn, "f_nn": f_nn, "r_md": r_md,
                           "u_md": u_md, "f_md": f_md, "b2": b2(pot), "b3": b3(pot),
                           "has_core": bool(getattr(pot, "has_core", False))}
    return _POT_CACHE[key]


def _row(rec, verdict: Verdict, index_of) -> dict:
    run = rec["run"]
    res = rec["result"]
    ent = _potential_entry(run["potential"])
    pot = ent["potential"]
    return {
        "run_id": rec["id"],
        "potential_index": index_of[ent["key"]],
        "potential_key": ent["key"],
        "family": run["potential"].get("family", "spline"),
        "potential_seed": int(run["potential"]["seed"]),
        "density_index": run["density_index"],
        "density": run["state"]["density"],
        "pressure": res["pressure"],
        "pressure_err": res["pressure_err"],
        "energy": res["energy"],
        "energy_err": res["energy_err"],
        "n_particles": res["settings"]["n_particles"],
        "has_core": ent["has_core"],
        "r_cut": pot.r_cut,
        "B2": ent["b2"],
        "B3": ent["b3"],
        "fold": 0,
        "U_nn": ent["u_nn"], "F_nn": ent["f_nn"], "r_md": ent["r_md"], "U_md": ent["u_md"],
        "F_md": ent["f_md"],
        "g": np.asarray(res["g"], float),
        "g_err": np.asarray(res["g_err"], float),
        "flags": json.dumps(verdict.to_dict()),
        "provenance": json.dumps({**rec["provenance"], "run_seed": run["state"]["seed"],
                                  "spec_hash": rec["provenance"]["campaign"]}),
    }
