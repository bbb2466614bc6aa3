"""Noisy copies of the training g(r) for the inverse network (``InverseConfig.noisy_copies``)."""

from dataclasses import replace

import numpy as np
import pytest

from boltzmann_nn.ml.pipeline.experiments import train_one
from boltzmann_nn.ml.pipeline.train import TrainConfig
from boltzmann_nn.ml.tasks import inverse

from .test_ml_models import TINY, synthetic  # noqa: F401  (fixture)


def test_a_noisy_copy_without_error_is_the_clean_input(synthetic):  # noqa: F811
    ds = replace(synthetic, g_err=np.zeros_like(synthetic.g_bins))
    cfg = inverse.InverseConfig("hrf", TINY)
    idx = np.arange(len(ds))
    clean, noisy = inverse.dataset_inputs(ds, idx, cfg), inverse.noisy_inputs(ds, idx, cfg, seed=3)
    np.testing.assert_allclose(noisy["x"], clean["x"], atol=1e-6)


def test_noisy_copies_carry_the_block_error_and_move_the_hnc_channel(synthetic):  # noqa: F811
    err = 0.01
    ds = replace(synthetic, g_err=np.full_like(synthetic.g_bins, err))
    cfg = inverse.InverseConfig("hrf", TINY)
    idx = np.arange(len(ds))
    clean = inverse.dataset_inputs(ds, idx, cfg)["x"]
    a, b = (inverse.noisy_inputs(ds, idx, cfg, seed=s)["x"] for s in (1, 2))
    # where g is well above 0 (no floor), the g channel moves by the block error
    far = clean[:, 0] > 0.5
    assert np.std((a[:, 0] - clean[:, 0])[far]) == pytest.approx(err, rel=0.1)
    assert not np.allclose(a, b)  # different seeds, different draws
    # the HNC channel is recomputed from the noisy g (it moves where g does)
    assert np.abs(a[:, 1] - clean[:, 1])[far].mean() > 1e-3


def test_training_with_noisy_copies_runs_and_refuses_a_dataset_without_errors(synthetic):  # noqa: F811
    cfg = inverse.InverseConfig("hrf", TINY, noisy_copies=2)
    assert cfg.name().endswith("+n2")
    tr, va = synthetic.split(0)
    ds = replace(synthetic, g_err=np.full_like(synthetic.g_bins, 0.005))
    _, rep = train_one(inverse.TASK, ds, tr, va, cfg, TrainConfig(epochs=6, eval_every=3))
    assert np.isfinite(rep["validation"]["L_MAE"])
    with pytest.raises(ValueError, match="g_err"):
        train_one(inverse.TASK, synthetic, tr, va, cfg, TrainConfig(epochs=2))
