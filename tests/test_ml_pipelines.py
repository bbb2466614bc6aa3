"""The study and final-training pipelines run end to end on a small synthetic dataset."""

import json

import numpy as np
import pytest

from boltzmann_nn.ml import eos, eos_pipeline, inverse, inverse_pipeline
from boltzmann_nn.ml.eos_pipeline import KEYS
from boltzmann_nn.ml.experiments import run_grid
from boltzmann_nn.ml.train import TrainConfig

from .test_ml_models import TINY, synthetic  # noqa: F401  (fixture)

QUICK = TrainConfig(epochs=20, eval_every=10)


def test_grid_rows_are_written_and_resumed(synthetic, tmp_path):  # noqa: F811
    out = tmp_path / "grid.jsonl"
    cfgs = [eos.EOSConfig("Bn", "c", TINY), eos.EOSConfig("B2*", "x", TINY)]
    rows = run_grid(eos.train_eos, synthetic, cfgs, QUICK, KEYS, out, progress=False)
    assert len(rows) == 2 and all(len(r["folds"]) == 4 for r in rows)
    assert {"validation_MRAE", "validation_MRAE_se", "train_R2"} <= set(rows[0])
    again = run_grid(eos.train_eos, synthetic, cfgs, QUICK, KEYS, out, progress=False)
    assert len(out.read_text().splitlines()) == 2 and again == rows  # nothing re-run


def test_eos_final_model_card_and_figure(synthetic, tmp_path):  # noqa: F811
    cfg = eos.EOSConfig("Bn", "c", TINY)
    res = eos_pipeline.train_final(synthetic, cfg, QUICK, 2, tmp_path, progress=False)
    card = json.loads((tmp_path / "eos.json").read_text())
    assert card["members"] == 2 and card["dataset_hash"] == "synthetic"
    assert {"train", "test", "test_baselines"} <= set(card["metrics"])
    assert "P0" in card["metrics"]["test_baselines"]
    assert (tmp_path / "fig4_eos_parity.png").stat().st_size > 1000 and res["card"]["sha256"]


@pytest.mark.parametrize("options", ["f", "hrf"])
def test_inverse_final_model_card_and_figures(synthetic, tmp_path, options):  # noqa: F811
    cfg = inverse.InverseConfig(options, TINY)
    res = inverse_pipeline.train_final(synthetic, cfg, QUICK, 1, tmp_path, progress=False)
    card = res["card"]
    assert {"Boltzmann", "HNC"} == set(card["metrics"]["test_baselines"])
    assert np.isfinite(card["metrics"]["test"]["L_MAE"])
    assert all((tmp_path / f).exists() for f in ("fig8_inverse_mae.png", "fig9_inverse_transfer.png"))


def test_grid_in_two_processes(synthetic, tmp_path):  # noqa: F811
    cfgs = [eos.EOSConfig("Bn", "c", TINY), eos.EOSConfig("Bn", "x", TINY)]
    rows = run_grid(eos.train_eos, synthetic, cfgs, QUICK, KEYS, tmp_path / "g.jsonl", progress=False,
                    workers=2)
    assert sorted(r["name"] for r in rows) == sorted(c.name() for c in cfgs)


@pytest.mark.parametrize("task", ["eos", "inverse"])
def test_fold_committee_calibrates_its_spread_on_held_out_folds(synthetic, tmp_path, task):  # noqa: F811
    from boltzmann_nn.ml.zoo import load_model

    mod, pipe = (eos, eos_pipeline) if task == "eos" else (inverse, inverse_pipeline)
    cfg = eos.EOSConfig("Bn", "c", TINY) if task == "eos" else inverse.InverseConfig("f", TINY)
    card = pipe.train_final(synthetic, cfg, QUICK, 0, tmp_path, name=task, progress=False,
                            committee=True)["card"]
    assert card["members"] == 4 and len(card["best_epochs"]) == 4
    assert all(0 < e <= QUICK.epochs for e in card["best_epochs"])  # early stopping on its fold
    assert card["spread_scale"] > 0 and card["spread_ood"] > 0
    shipped = load_model(tmp_path / f"{task}.json", mod.build,
                         eos.EOSConfig if task == "eos" else inverse.InverseConfig, task=task)
    raw = type(shipped)(shipped.task, shipped.members, shipped.config, {**shipped.card, "spread_scale": 1.0})
    tr, _ = synthetic.split(None)
    inputs = (eos.eos_inputs(synthetic.u[tr], synthetic.f[tr], synthetic.density[tr], synthetic.b2[tr], cfg)
              if task == "eos" else inverse.dataset_inputs(synthetic, tr, cfg))
    _, s_cal = shipped(mod.predict, inputs)
    _, s_raw = raw(mod.predict, inputs)
    np.testing.assert_allclose(s_cal, card["spread_scale"] * s_raw, rtol=1e-6)
