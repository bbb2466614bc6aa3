"""Faults injected on purpose: a campaign survives a killed Dask worker, two clients on one
store, a truncated record; SIGKILL during dataset build and training leaves nothing broken
and the same command then completes; tampered model files are refused."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from boltzmann_nn.campaign.spec import CampaignSpec
from boltzmann_nn.campaign.store import Store
from boltzmann_nn.cli import main

from .test_campaign import tiny_spec

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "boltzmann_nn"]


def _popen(args, **kw):
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kw)


def _wait_for(pred, timeout=120.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.2)
    return False


def _check_complete(store_dir, spec_path):
    store = Store(store_dir)
    check = store.check()
    want = {r.run_id for r in CampaignSpec.load(spec_path).runs()}
    assert not check["unreadable"] and not check["mismatched"] and not check["temporary"]
    assert store.ids() == want  # none lost, none extra
    return store


def test_external_scheduler_survives_a_killed_worker(tmp_path):
    spec = tiny_spec(tmp_path, n=4)
    sched_file = tmp_path / "scheduler.json"
    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="5")
    sched = _popen(["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(sched_file)], env=env)
    workers = []
    try:
        assert _wait_for(sched_file.exists, 60)
        address = json.loads(sched_file.read_text())["address"]
        worker_cmd = ["dask", "worker", "--scheduler-file", str(sched_file), "--nworkers", "1",
                      "--nthreads", "1", "--no-dashboard"]
        workers.append(_popen(worker_cmd, env=env))
        store_dir = tmp_path / "store"
        gen = _popen(CLI + ["generate", str(spec), "--store", str(store_dir), "--scheduler", address,
                            "--no-progress", "--json"], env=env)
        assert _wait_for(lambda: len(list((store_dir / "runs").glob("*.json"))) >= 2, 180)
        os.killpg(workers[0].pid, signal.SIGKILL)  # the worker dies mid-campaign
        workers[0].wait()
        done_before = len(list((store_dir / "runs").glob("*.json")))
        assert done_before < 8
        workers.append(_popen(worker_cmd, env=env))  # a new one joins
        out, err = gen.communicate(timeout=300)
        assert gen.returncode == 0, err
        report = json.loads(out)
        assert report["done"] + report["failed"] == 8
        _check_complete(store_dir, spec)
    finally:
        for p in [*workers, sched]:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def test_two_clients_on_one_store(tmp_path):
    spec = tiny_spec(tmp_path, n=3)
    store_dir = tmp_path / "store"
    args = CLI + ["generate", str(spec), "--store", str(store_dir), "--workers", "1", "--no-progress", "--json"]
    a, b = _popen(args), _popen(args)
    for p in (a, b):
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    store = _check_complete(store_dir, spec)
    for rec in store.records():  # every record whole and consistent
        assert rec["run"]["state"]["density"] in (0.125, 0.244)


def test_truncated_record_is_reported_and_run_again(tmp_path, capsys):
    spec = tiny_spec(tmp_path, n=1)
    store_dir = tmp_path / "store"
    assert main(["generate", str(spec), "--store", str(store_dir), "--workers", "1", "--json"]) == 0
    capsys.readouterr()
    victim = sorted((store_dir / "runs").glob("*.json"))[0]
    victim.write_text(victim.read_text()[:100])  # a record cut short
    store = Store(store_dir)
    assert store.check()["unreadable"] == [victim.name]
    assert victim.stem not in {r["id"] for r in store.records()}
    assert main(["generate", str(spec), "--store", str(store_dir), "--workers", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rerun_unreadable"] == 1 and report["done"] + report["failed"] == 1
    _check_complete(store_dir, spec)


def _kill_after(args, seconds, marker=None):
    proc = _popen(args)
    if marker is not None:
        _wait_for(marker, 120)
    time.sleep(seconds)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return proc


def test_sigkill_during_dataset_build(tmp_path):
    store_dir = tmp_path / "store"
    (store_dir / "runs").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "store-default" / "spec.json", store_dir / "spec.json")
    for p in sorted((ROOT / "data" / "store-default" / "runs").glob("*.json"))[:160]:
        shutil.copy(p, store_dir / "runs" / p.name)
    out = tmp_path / "ds.h5"
    args = CLI + ["dataset", "build", str(store_dir), "--out", str(out), "--json"]
    _kill_after(args, 4.0)
    assert not out.exists() or out.stat().st_size > 0  # never a half-written dataset under its name
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    res = json.loads(done.stdout)
    assert res["n_kept"] > 10
    from boltzmann_nn.ml.pipeline.data import load_arrays

    assert len(load_arrays(out)) == res["n_kept"]


def test_sigkill_during_training(tmp_path):
    models = tmp_path / "models"

    def args(epochs):
        return CLI + ["train", "eos", "--data", str(ROOT / "data" / "default.h5"), "--epochs", str(epochs),
                      "--members", "1", "--out", str(models), "--no-progress", "--json"]

    _kill_after(args(400), 6.0)
    leftovers = [p.name for p in models.glob("*")] if models.exists() else []
    assert not [n for n in leftovers if n.endswith(".safetensors") and not (models / "eos.json").exists()]
    done = subprocess.run(args(5), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    from boltzmann_nn.ml.serving.zoo import load_model

    assert load_model(models / "eos.json").card.members == 1


@pytest.mark.parametrize("tamper", ["weights", "checksum", "json", "config"])
def test_tampered_model_is_refused(tmp_path, capsys, tamper):
    zoo = ROOT / "src" / "boltzmann_nn" / "zoo"
    shutil.copy(zoo / "eos.json", tmp_path / "eos.json")
    shutil.copy(zoo / "eos.safetensors", tmp_path / "eos.safetensors")
    card = json.loads((tmp_path / "eos.json").read_text())
    if tamper == "weights":
        raw = bytearray((tmp_path / "eos.safetensors").read_bytes())
        raw[-10] ^= 0xFF
        (tmp_path / "eos.safetensors").write_bytes(bytes(raw))
    elif tamper == "checksum":
        card["sha256"] = "0" * 64
        (tmp_path / "eos.json").write_text(json.dumps(card))
    elif tamper == "json":
        (tmp_path / "eos.json").write_text(json.dumps(card)[:-20])
    else:
        card["config"]["arch"]["width"] = 7  # does not fit the stored tensors
        (tmp_path / "eos.json").write_text(json.dumps(card))
    code = main(["predict-eos", "lj", "--density", "0.5", "--model", str(tmp_path / "eos.json")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and str(tmp_path) in err[0], err
