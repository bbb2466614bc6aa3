"""``refine --start auto``: HNC inversion where the HNC closure's response at the target is
mild, the network where it is stiff (refine/start_rule.py), and the training option that
picks a member's epoch by its U loss alone."""

from dataclasses import replace

import numpy as np
import pytest

from boltzmann_nn.ml.tasks import inverse
from boltzmann_nn.potentials.spec import parse_potential
from boltzmann_nn.refine.start import STARTS, start_uses_model
from boltzmann_nn.refine.start_rule import DENSITY_HNC, LAMBDA_NETWORK, choose_start
from boltzmann_nn.refine.target import make_target
from boltzmann_nn.theory.oz import OZSolver

BINS = (np.arange(200) + 0.5) * 0.025


def _hnc_target(spec, rho):
    solver = OZSolver("hnc", n=4096, dr=0.005)
    return make_target(BINS, np.interp(BINS, solver.r, solver.solve(parse_potential(spec), rho).g), rho)


def test_dilute_repulsive_fluid_starts_from_hnc():
    target = _hnc_target("wca:epsilon=1", 0.1)
    choice = choose_start(target.r, target.g, target.density)
    assert choice.start == "hnc" and choice.stiffness < LAMBDA_NETWORK and "HNC inversion" in choice.why
    from boltzmann_nn.ml.serving.predict import predict_potential

    said = predict_potential((target.r, target.g), target.density).to_dict()["start_choice"]
    assert said["start"] == "hnc" and said["hnc_stiffness"] == pytest.approx(choice.stiffness)
    table = STARTS["auto"](target)
    assert table.name == "auto-hnc"
    np.testing.assert_allclose(table.evaluate(BINS[60:150])[0], STARTS["hnc"](target).evaluate(BINS[60:150])[0])


def test_dense_fluid_with_a_stiff_response_starts_from_the_network():
    target = _hnc_target("wca:epsilon=1", 0.8)
    choice = choose_start(target.r, target.g, target.density)
    assert choice.start == "network" and choice.stiffness > LAMBDA_NETWORK
    table = STARTS["auto"](target)
    assert table.name == "auto-network" and table.alternative.name == "auto-hnc"
    assert start_uses_model("auto")


def test_dilute_fluid_near_the_closures_spinodal_starts_from_hnc():
    # LJ at k_BT/ε = 1.25, ρ = 0.1: HNC has no solution from ρ ≈ 0.15 on and its response is
    # stiff here; but a dilute fluid near its spinodal condenses under a slightly wrong Û (the
    # network's did in MD at ρ = 0.075, 0.125 and 0.24), while HNC inversion is nearly exact
    target = _hnc_target("lj:epsilon=0.8,rcut=5", 0.1)
    choice = choose_start(target.r, target.g, target.density)
    assert choice.stiffness > 5 * LAMBDA_NETWORK and target.density < DENSITY_HNC
    assert choice.start == "hnc" and "density" in choice.why


@pytest.mark.parametrize("select_on, picks_structure", [("loss", True), ("potential", False)])
def test_selection_loss_leaves_out_the_structure_term(select_on, picks_structure):
    import torch

    from .test_ml_models import TINY

    cfg = inverse.InverseConfig("f", TINY, alpha_structure=10.0, select_on=select_on)
    task = inverse.TASK
    model = task.build(cfg)
    batch = {"x": torch.rand(3, 1, 50), "density": torch.full((3,), 0.5), "u": torch.zeros(3, 50),
             "structure": torch.eye(50).expand(3, 50, 50) * 0.01}
    with torch.no_grad():
        plain = float(task.loss(replace(cfg, alpha_structure=0.0))(model, batch))
        full = float(task.loss(cfg)(model, batch))
        chosen = float(task.selection_loss(cfg)(model, batch))
    assert full > plain
    assert chosen == pytest.approx(full if picks_structure else plain)
    assert ("+sel-potential" in cfg.name()) == (select_on == "potential") and "+g10" in cfg.name()
