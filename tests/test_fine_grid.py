"""The network's Û at the resolution of its g(r) (ml/serving/fine_grid.py), in the HNC world:
there HNC inversion of g gives U back on every bin, so a perfect residual model (Û = U on the
grid) must give U back between the grid points too, where a cubic through the grid cannot."""

import numpy as np
import pytest

from boltzmann_nn.grid import NN_GRID
from boltzmann_nn.ml.serving.fine_grid import fine_potential
from boltzmann_nn.ml.serving.predict import core_from_origin, prediction_table
from boltzmann_nn.ml.tasks.features import hnc_on_grid
from boltzmann_nn.potentials.spec import parse_potential
from boltzmann_nn.theory.oz import OZSolver
from boltzmann_nn.units import U_CUT

BINS = (np.arange(200) + 0.5) * 0.025  # the dataset's histogram midpoints [σ]
RHO = 0.6


@pytest.fixture(scope="module")
def world():
    lj = parse_potential("lj:epsilon=0.5,rcut=5")
    solver = OZSolver("hnc", n=4096, dr=0.005)
    g = np.interp(BINS, solver.r, solver.solve(lj, RHO).g)
    u_grid = np.minimum(lj.evaluate(np.maximum(NN_GRID.r, 1e-3))[0], U_CUT)
    u_hnc = hnc_on_grid(BINS, g, [RHO], NN_GRID.r)[0]
    core = core_from_origin(np.interp(NN_GRID.r, BINS, g))
    return lj, g, np.where(core, U_CUT, u_grid), u_hnc, core


def _wall_error(lj, g, r, u):
    """Largest |U_table − U| on the bins from where g reaches 0.1 on the rise to the first
    peak (closer in, HNC inversion itself misses U by a few 0.1 k_BT) to 4.9σ."""
    table = prediction_table(r, u)
    on = (g >= 0.1) & (BINS < 4.9)
    return np.max(np.abs(table.evaluate(BINS[on])[0] - lj.evaluate(BINS[on])[0]))


def test_a_perfect_residual_model_gives_u_back_between_the_grid_points(world):
    lj, g, u_grid, u_hnc, core = world
    r, u = fine_potential(NN_GRID.r, u_grid, u_hnc, BINS, g, RHO, core)
    assert np.all(np.diff(r) > 0) and r[-1] == NN_GRID.r[-1]  # Û keeps its cutoff
    coarse = _wall_error(lj, g, NN_GRID.r, u_grid)
    fine = _wall_error(lj, g, r, u)
    # the cubic through 0.1σ points misses the steep wall; the bins' HNC inversion does not
    assert coarse > 0.1
    assert fine < 0.03 and fine < coarse / 5


def test_the_correction_is_carried_onto_the_bins(world):
    """Û = U + a smooth bridge-like term on the grid: the bins get U + that term."""
    lj, g, u_grid, u_hnc, core = world
    bridge = 0.3 * np.exp(-((NN_GRID.r - 1.5) ** 2) / 0.2)
    r, u = fine_potential(NN_GRID.r, np.where(core, U_CUT, u_grid + bridge), u_hnc, BINS, g, RHO, core)
    on = np.isin(r, BINS) & (np.interp(r, BINS, g) >= 0.1)
    expect = lj.evaluate(r[on])[0] + 0.3 * np.exp(-((r[on] - 1.5) ** 2) / 0.2)
    assert on.sum() > 100
    assert np.max(np.abs(u[on] - expect)) < 0.04  # HNC inversion itself misses U by 0.05 at g = 0.17


def test_bins_no_finer_than_the_grid_give_the_grid_back(world):
    lj, g, u_grid, u_hnc, core = world
    coarse_bins = np.arange(0.05, 5.0, 0.15)
    r, u = fine_potential(NN_GRID.r, u_grid, u_hnc, coarse_bins, np.interp(coarse_bins, BINS, g), RHO, core)
    assert np.array_equal(r, NN_GRID.r) and np.array_equal(u, u_grid)
