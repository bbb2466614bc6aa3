"""The study and final-training pipelines run end to end on a small synthetic dataset."""

import json
from dataclasses import replace

import numpy as np
import pytest

from boltzmann_nn.ml.pipeline import workflow
from boltzmann_nn.ml.pipeline.experiments import run_grid
from boltzmann_nn.ml.pipeline.train import TrainConfig
from boltzmann_nn.ml.tasks import eos, inverse
from boltzmann_nn.ml.tasks.registry import get_task

from .test_ml_models import TINY, synthetic  # noqa: F401  (fixture)

QUICK = TrainConfig(epochs=20, eval_every=10)


def test_grid_rows_are_written_and_resumed(synthetic, tmp_path):  # noqa: F811
    out = tmp_path / "grid.jsonl"
    cfgs = [eos.EOSConfig("Bn", "c", TINY), eos.EOSConfig("B2*", "x", TINY)]
    rows = run_grid(eos.TASK, synthetic, cfgs, QUICK, out, progress=False)
    assert len(rows) == 2 and all(len(r["folds"]) == 4 for r in rows)
    assert {"validation_MRAE", "validation_MRAE_se", "train_R2"} <= set(rows[0])
    again = run_grid(eos.TASK, synthetic, cfgs, QUICK, out, progress=False)
    assert len(out.read_text().splitlines()) == 2 and again == rows  # nothing re-run


def test_eos_final_model_card_and_figure(synthetic, tmp_path):  # noqa: F811
    cfg = eos.EOSConfig("Bn", "c", TINY)
    res = workflow.train_final(eos.TASK, synthetic, cfg, QUICK, 2, tmp_path, progress=False)
    card = json.loads((tmp_path / "eos.json").read_text())
    assert card["members"] == 2 and card["dataset_hash"] == "synthetic"
    assert {"train", "test", "test_baselines"} <= set(card["metrics"])
    assert "P0" in card["metrics"]["test_baselines"]
    assert (tmp_path / "fig4_eos_parity.png").stat().st_size > 1000 and res["card"]["sha256"]


@pytest.mark.parametrize("options", ["f", "hrf"])
def test_inverse_final_model_card_and_figures(synthetic, tmp_path, options):  # noqa: F811
    cfg = inverse.InverseConfig(options, TINY)
    res = workflow.train_final(inverse.TASK, synthetic, cfg, QUICK, 1, tmp_path, progress=False)
    card = res["card"]
    assert {"Boltzmann", "HNC"} == set(card["metrics"]["test_baselines"])
    assert np.isfinite(card["metrics"]["test"]["L_MAE"])
    assert all((tmp_path / f).exists() for f in ("fig8_inverse_mae.png", "fig9_inverse_transfer.png"))


def test_grid_in_two_processes(synthetic, tmp_path):  # noqa: F811
    cfgs = [eos.EOSConfig("Bn", "c", TINY), eos.EOSConfig("Bn", "x", TINY)]
    rows = run_grid(eos.TASK, synthetic, cfgs, QUICK, tmp_path / "g.jsonl", progress=False,
                    workers=2)
    assert sorted(r["name"] for r in rows) == sorted(c.name() for c in cfgs)


@pytest.mark.parametrize("task", ["eos", "inverse"])
def test_fold_committee_calibrates_its_spread_on_held_out_folds(synthetic, tmp_path, task):  # noqa: F811
    from boltzmann_nn.ml.serving.zoo import load_model

    model_task = get_task(task)
    cfg = eos.EOSConfig("Bn", "c", TINY) if task == "eos" else inverse.InverseConfig("f", TINY)
    card = workflow.train_final(model_task, synthetic, cfg, QUICK, 0, tmp_path, name=task, progress=False,
                                committee=True)["card"]
    assert card["members"] == 4 and len(card["best_epochs"]) == 4
    assert all(0 < e <= QUICK.epochs for e in card["best_epochs"])  # early stopping on its fold
    assert card["spread_scale"] > 0 and card["spread_ood"] > 0
    shipped = load_model(tmp_path / f"{task}.json", task=task, torch=True)
    raw = type(shipped)(shipped.task, shipped.members, shipped.config, replace(shipped.card, spread_scale=1.0))
    tr, _ = synthetic.split(None)
    inputs = model_task.inputs(synthetic, tr, cfg)
    _, s_cal = shipped(model_task.predict, inputs)
    _, s_raw = raw(model_task.predict, inputs)
    np.testing.assert_allclose(s_cal, card["spread_scale"] * s_raw, rtol=1e-6)
