"""Network inputs from g(r) histograms: g and the HNC inversion at r = 0."""

import numpy as np
import pytest

from boltzmann_nn.grid import NN_GRID
from boltzmann_nn.ml.tasks.features import g_at_origin, gr_on_grid, hnc_on_grid
from boltzmann_nn.potentials.spec import parse_potential
from boltzmann_nn.units import U_CUT

from . import hnc_engine

R = (np.arange(200) + 0.5) * 0.025  # the campaign's histogram: 200 bins to 5 sigma


def _histogram(g, density, seed, pairs_frames=500 * 200):
    """g(r) as MD measures it: Poisson pair counts of 1000 particles over 200 frames."""
    shell = 4 * np.pi * R**2 * 0.025
    expected = pairs_frames * density * g * shell
    return np.random.default_rng(seed).poisson(expected) / (pairs_frames * density * shell)


def test_soft_core_contact_value_from_noisy_histograms():
    """Gaussian core (U(0) = 2 k_BT) at rho = 0.6: g(0) and U_HNC(0) from histograms whose
    first bins hold a pair or two, against the HNC world's exact values: each within its
    noise, and no bias over 20 runs (before, g(0) was 0 and U(0) the 20 k_BT cap)."""
    pot = parse_potential("gauss:epsilon=2,rcut=4")
    res = hnc_engine.OZSolver("hnc", n=2048, dr=0.01, ramp=4).solve(pot, 0.6)
    g0_true = float(np.interp(0.0, res.r, res.g))
    g0, u0 = [], []
    for seed in range(20):
        g = _histogram(np.interp(R, res.r, res.g), 0.6, seed)
        g0.append(gr_on_grid(R, g, NN_GRID.r)[0, 0])
        u0.append(hnc_on_grid(R, g[None], [0.6], NN_GRID.r)[0, 0])
    assert np.max(np.abs(np.array(g0) - g0_true)) < 0.15
    assert np.mean(g0) == pytest.approx(g0_true, abs=0.02)
    assert np.max(np.abs(np.array(u0) - 2.0)) < 0.4
    assert np.mean(u0) == pytest.approx(2.0, abs=0.06)


def test_steep_soft_core():
    """Hertz, U(0) = 10 k_BT: g(0) ≈ 1e-4, below anything a bin near r = 0 can show."""
    pot = parse_potential("hertz:epsilon=10")
    res = hnc_engine.OZSolver("hnc", n=2048, dr=0.01, ramp=4).solve(pot, 0.5)
    g0_true = float(np.interp(0.0, res.r, res.g))
    est = [g_at_origin(R, _histogram(np.interp(R, res.r, res.g), 0.5, seed)[None])[0] for seed in range(10)]
    assert np.median(np.log(np.maximum(est, 1e-12))) == pytest.approx(np.log(g0_true), abs=0.5)


def test_hard_core_has_no_pairs_at_origin():
    pot = parse_potential("lj:epsilon=0.5,rcut=5")
    g = _histogram(hnc_engine.hnc_gr(pot, 0.5, R)[0], 0.5, 0)
    assert g_at_origin(R, g[None])[0] == 0.0
    assert gr_on_grid(R, g, NN_GRID.r)[0, 0] == 0.0
    assert hnc_on_grid(R, g[None], [0.5], NN_GRID.r)[0, 0] == U_CUT
