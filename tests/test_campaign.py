import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from boltzmann_nn.campaign.assemble import assign_splits, build_dataset
from boltzmann_nn.campaign.spec import CampaignSpec, digest
from boltzmann_nn.campaign.stats import dataset_stats
from boltzmann_nn.campaign.store import Store
from boltzmann_nn.cli import main
from boltzmann_nn.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = """
name = "tiny"
seed = 7
n_potentials = {n}
densities = [0.125, 0.244]

[generator]
wca_fraction = 1.0
r_cut_max = 2.0

[engine]
steps = 400
equilibration = 200
blocks = 4
"""


def tiny_spec(tmp_path, n=3):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(n=n))
    return path


def test_run_ids_are_pinned():
    # a run's id must never drift: it names the records of every store ever written
    assert digest({"a": 1, "b": [1.5, "x"]}) == "253252306831c7a53e616d2f"
    spec = CampaignSpec.load("default")
    runs = spec.runs()
    assert len(runs) == 2400 and runs[0].potential_index == 0
    # physics version 2 (soft tables from 1e-5 sigma) renamed every run once
    assert runs[0].run_id == "ce41e9abf84049efbb82b321"
    assert len({r.run_id for r in runs}) == len(runs)


def test_first_dataset_ids_still_reproduce(monkeypatch):
    # the identity layout is unchanged: under physics version 1 the v1 store's names return
    from boltzmann_nn.campaign import spec as spec_module

    monkeypatch.setattr(spec_module, "PHYSICS_VERSION", 1)
    assert CampaignSpec.load("default").runs()[0].run_id == "80dc6f9e06534f5a7f28bfda"
    assert CampaignSpec.load(DATA / "campaign-default.toml").spec_hash == "1aa47c0f9683d8da2d47128c"


def test_v2_spec_ids_are_pinned():
    spec = CampaignSpec.load(DATA / "campaign-v2.toml")
    runs = spec.runs()
    assert runs[0].run_id == "79ba98268743e229c6f9b2f7"
    assert runs[0].potential == {"kind": "family", "family": "shoulder", "seed": 33346647}
    assert spec.extra_runs(0)[0].run_id == "52f2490891ced585f618461b"


def test_spec_validation(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nseed = 1\nn_potentials = 2\ndensities = [0.1, -1]\n')
    with pytest.raises(InputError, match="densities"):
        CampaignSpec.load(bad)
    bad.write_text('name = "x"\nseed = 1\nn_potentials = 2\ndensities = [0.1]\n[engine]\nstepz = 3\n')
    with pytest.raises(InputError, match="stepz"):
        CampaignSpec.load(bad)
    bad.write_text("not = [toml")
    with pytest.raises(InputError, match="TOML"):
        CampaignSpec.load(bad)
    paper = CampaignSpec.load("paper").runs()
    assert [r.state["n_particles"] for r in paper[:4]] == [8000, 15625, 32768, 64000]


def test_store_refuses_other_spec_but_accepts_resizing(tmp_path):
    store = Store(tmp_path / "s")
    small = CampaignSpec.load(tiny_spec(tmp_path, n=3))
    store.bind(small)
    with pytest.raises(InputError, match="made by spec"):
        store.bind(CampaignSpec.load("default"))
    big = CampaignSpec.load(tiny_spec(tmp_path, n=8))
    store.bind(big)  # only n_potentials differs: the campaign grows, records stay valid
    assert store.spec().n_potentials == 8
    assert {r.run_id for r in small.runs()} <= {r.run_id for r in big.runs()}


def test_splits_are_grouped_and_seeded():
    folds = assign_splits(range(100), seed=3)
    assert sum(v == -1 for v in folds.values()) == 11
    assert {v for v in folds.values()} == {-1, 0, 1, 2, 3}
    assert folds == assign_splits(range(100), seed=3)
    assert folds != assign_splits(range(100), seed=4)


def test_a_growing_dataset_keeps_its_split():
    from boltzmann_nn.campaign.assemble import extend_splits

    strata = {p: ("spline" if p % 3 else "yukawa") for p in range(300)}
    old = assign_splits(range(200), seed=3, strata=strata)
    grown = extend_splits(range(300), old, seed=5, strata=strata)
    assert all(grown[p] == old[p] for p in old)  # nothing placed before moves
    new = [p for p in range(300) if p not in old]
    n_test = sum(grown[p] == -1 for p in new)
    assert 6 <= n_test <= 16  # about 11 % of the 100 new ones, stratum by stratum
    for lb in ("spline", "yukawa"):
        members = [p for p in range(300) if strata[p] == lb]
        share = sum(grown[p] == -1 for p in members) / len(members)
        assert abs(share - 0.11) < 0.03
    sizes = [sum(v == k for v in grown.values()) for k in range(4)]
    assert max(sizes) - min(sizes) <= 2  # new potentials fill the smallest folds
    assert grown == extend_splits(range(300), old, seed=5, strata=strata)


def _generate(spec, store, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "boltzmann_nn", "generate", str(spec), "--store", str(store),
         "--workers", "2", "--no-progress", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, text=True)


def test_kill_and_resume(tmp_path):
    spec = tiny_spec(tmp_path, n=5)
    store_dir = tmp_path / "store"
    proc = _generate(spec, store_dir)
    runs_dir = store_dir / "runs"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(runs_dir.glob("*.json"))) < 2:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = {p.name for p in runs_dir.glob("*.json")}
    assert 2 <= len(first) < 10, "killed part-way"
    proc = _generate(spec, store_dir, "--json")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    report = json.loads(out)
    assert report["already"] == len(first) and report["done"] + report["failed"] == 10 - len(first)
    store = Store(store_dir)
    check = store.check()
    assert check["n_records"] == 10 and not check["unreadable"] and not check["mismatched"]
    want = {r.run_id for r in CampaignSpec.load(spec).runs()}
    assert store.ids() == want
    # a third call finds nothing to do
    proc = _generate(spec, store_dir, "--json")
    out, _ = proc.communicate(timeout=120)
    assert json.loads(out)["already"] == 10

    h5 = tmp_path / "ds.h5"
    res = build_dataset(store_dir, h5, split_seed=1)
    assert res["n_kept"] + res["n_dropped"] == 10
    stats = dataset_stats(h5, tmp_path / "plots")
    assert stats["n_runs"] == 10 and stats["n_kept"] == res["n_kept"]
    assert len(stats["plots"]) == 2
    import h5py

    with h5py.File(h5) as f:
        k = f["kept"]
        pot, fold = k["potential_index"][:], k["fold"][:]
        for p in np.unique(pot):
            assert np.unique(fold[pot == p]).size == 1, "all densities of a potential on one side"
        assert k["U_nn"].shape == (res["n_kept"], 50) and k["g"].shape[1] == 200
        assert f.attrs["spec_hash"] == CampaignSpec.load(spec).spec_hash
    again = build_dataset(store_dir, tmp_path / "again.h5", split_seed=7, keep_split=h5)
    assert again["potentials_placed_before"] == len(np.unique(pot))
    with h5py.File(tmp_path / "again.h5") as f:
        assert (f["kept"]["fold"][:] == fold).all()  # another seed, the same split


def test_dataset_cli(tmp_path, capsys):
    assert main(["dataset", "stats", str(tmp_path / "none.h5"), "--json"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_every_family_with_enough_potentials_reaches_the_test_set():
    from boltzmann_nn.campaign.assemble import _test_every_family, assign_splits

    family = {p: ("spline" if p < 90 else "morse" if p < 96 else "sum") for p in range(98)}
    strata = {p: f"{family[p]}-{p % 3}" for p in family}  # small strata: none of morse in the test set
    folds = assign_splits(list(family), seed=4, strata=strata)
    assert not any(folds[p] == -1 for p in family if family[p] == "morse")
    fixed = _test_every_family(folds, family, seed=4)
    assert sum(fixed[p] == -1 for p in family if family[p] == "morse") == 1
    assert all(fixed[p] == folds[p] for p in family if family[p] == "spline")  # others untouched
    assert not any(fixed[p] == -1 for p in family if family[p] == "sum")  # 2 potentials: too few
