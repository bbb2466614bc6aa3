"""A target pressure in a mixture refinement: the ramp brings P to it, each step records the
pressure it aimed at, and a resumed folder keeps those records."""

from __future__ import annotations

import json

import numpy as np
import pytest

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.mixture.system import Composition


def test_ihnc_with_a_target_pressure_corrects_a_tail_that_g_hardly_sees(tmp_path):
    from boltzmann_nn.mixture.md import simulate_mixture
    from boltzmann_nn.mixture.refine import STATE_FILE, MixtureSettings, pressure_bias, refine_mixture
    from boltzmann_nn.mixture.system import PairPotentials
    from boltzmann_nn.potentials.spec import parse_potential
    from boltzmann_nn.refine.start import grid_potential, refined_table
    from boltzmann_nn.refine.target import make_target

    comp = Composition(("A", "B"), (0.6, 0.4), 0.6)
    names = comp.pair_names()
    truth = PairPotentials(comp.species, {
        "A-A": parse_potential("wca:epsilon=1,sigma=1"),
        "A-B": parse_potential("wca:epsilon=1,sigma=0.9"),
        "B-B": parse_potential("wca:epsilon=1,sigma=0.8"),
    })
    run = simulate_mixture(truth, comp, StatePoint(density=0.6, steps=16000, equilibration=2000, blocks=10,
                                                   seed=11, n_particles=400))
    assert run.ok
    keep = run.r < 2.5
    targets = {p: make_target(run.r[keep], run.g[p][keep], 0.6, run.g_err[p][keep]) for p in names}
    r_cut = {p: 1.5 for p in names}
    grid = np.arange(0.55, 1.5 + 1e-9, 0.01)
    start = {}
    for p, pot in truth.items():  # the truth plus a repulsive ramp: P too high, g nearly right
        u = grid_potential(pot, grid) + 0.3 * (1.0 - grid / 1.5)
        start[p] = refined_table(grid, u, name=p)
    s = MixtureSettings(method="ihnc", max_iter=3, min_steps=4000, max_steps=8000, equilibration=1000,
                        n_particles=400, pressure=run.pressure, patience=5)
    res = refine_mixture(comp, targets, start, r_cut, s, out_dir=tmp_path, start_name="ramped")
    miss = [abs(it.run.pressure - run.pressure) for it in res.iterations]
    assert miss[0] > 5 * run.pressure_err, miss
    assert min(miss[1:]) < miss[0] / 3, miss
    later = res.iterations[1:]
    assert all(it.p_aim is not None and it.step_scale > 0 for it in later)
    last = res.iterations[-1]
    assert pressure_bias(res.iterations, last.base + 1) == 0.0  # a step from another base
    bias = pressure_bias(res.iterations, last.base)
    if abs(last.run.pressure - last.p_aim) > 2 * last.run.pressure_err:
        assert np.sign(bias) == np.sign(last.run.pressure - last.p_aim)
    else:
        assert bias == 0.0
    saved = json.loads((tmp_path / STATE_FILE).read_text())
    assert saved["iterations"][1]["p_aim"] == pytest.approx(later[0].p_aim)
    again = refine_mixture(comp, targets, start, r_cut, s, out_dir=tmp_path, start_name="ramped")
    assert again.iterations[1].p_aim == pytest.approx(later[0].p_aim)
    assert again.iterations[1].step_scale == pytest.approx(later[0].step_scale)
