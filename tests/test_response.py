"""The HNC linear response of g(r) to a change of U (theory/response.py) against finite
differences of the HNC solver, its low-density limit, and the structure loss built on it."""

import numpy as np
import pytest
import torch

from boltzmann_nn.grid import NN_GRID
from boltzmann_nn.ml.nets.losses import structure_loss
from boltzmann_nn.ml.pipeline.metrics import structure_errors
from boltzmann_nn.potentials.spec import parse_potential
from boltzmann_nn.theory.oz import OZSolver
from boltzmann_nn.theory.response import hnc_response, structure_metric

BINS = (np.arange(200) + 0.5) * 0.025  # the dataset's histogram midpoints [σ]


class _Plus:
    """LJ plus a small bump: what the solver sees."""

    def __init__(self, base, bump):
        self.base, self.bump = base, bump

    def evaluate(self, r):
        u, f = self.base.evaluate(r)
        return u + self.bump(r), f


def _bump(r):
    return np.exp(-((r - 1.4) ** 2) / 0.02)


@pytest.fixture(scope="module")
def lj():
    return parse_potential("lj:epsilon=0.5,rcut=5")


@pytest.mark.parametrize("rho, tol", [(0.05, 2e-3), (0.5, 3e-3), (0.8, 2e-2)])
def test_response_matches_finite_differences_of_hnc(lj, rho, tol):
    solver = OZSolver("hnc", n=4096, dr=0.005)
    eps = 1e-3

    def g_of(shift):
        return np.interp(BINS, solver.r, solver.solve(_Plus(lj, lambda r: shift * _bump(r)), rho).g)

    dg = (g_of(eps) - g_of(-eps)) / (2 * eps)
    g0 = np.interp(BINS, solver.r, solver.solve(lj, rho).g)
    pred = hnc_response(BINS, g0, rho) @ _bump(BINS)
    scale = np.abs(dg).max()
    assert np.abs(pred - dg).max() < tol * scale
    if rho >= 0.5:  # the many-body part matters: the Boltzmann response −g δU is far off
        assert np.abs(-g0 * _bump(BINS) - dg).max() > 0.3 * scale


def test_low_density_limit_is_the_boltzmann_response():
    g = np.exp(-np.clip(4 * ((1 / BINS) ** 12 - (1 / BINS) ** 6), -50, 50))
    j = hnc_response(BINS, g, 1e-6)
    np.testing.assert_allclose(j, -np.diag(g), atol=1e-5)


def test_structure_metric_gives_the_mse_of_the_linear_change(lj):
    rho = 0.5
    solver = OZSolver("hnc", n=4096, dr=0.005)
    g0 = np.interp(BINS, solver.r, solver.solve(lj, rho).g)
    du = 0.05 * np.sin(NN_GRID.r) * (NN_GRID.r > 1.0)
    m = structure_metric(BINS, g0, rho, NN_GRID.r, eig_cap=None)
    dg = hnc_response(BINS, g0, rho) @ np.interp(BINS, NN_GRID.r, du)
    assert du @ m @ du == pytest.approx(np.mean(dg**2), rel=1e-9)
    assert np.all(np.linalg.eigvalsh(m) > -1e-12)
    # a change inside the core (g = 0) makes no structure error; capped errors count as U_cut
    core = np.where(NN_GRID.r < 0.7, 50.0, 0.0)
    u = np.where(NN_GRID.r < 0.7, 1e3, 0.0)
    assert structure_errors(u[None], (u + core)[None], m[None])[0] < 1e-20


def test_structure_loss_is_zero_at_the_truth_and_grows_with_the_error():
    m = torch.eye(50)[None] * 0.01
    u = torch.zeros(1, 50)
    small, big = structure_loss(u, u + 0.01, m), structure_loss(u, u + 1.0, m)
    assert float(structure_loss(u, u, m)) < 1e-6 < float(small) < float(big)


def test_mixture_response_matches_finite_differences_and_one_species(lj):
    """The matrix-OZ response (theory/mixture_response.py): one species is the one-species
    operator to rounding; a binary of two identical species, every U changed alike, responds
    as the one-component fluid; a binary Gaussian-core mixture's every g_ij follows a
    finite difference of the mixture HNC solver when any one U_kl changes."""
    from boltzmann_nn.theory.mixture_oz import MixtureOZSolver
    from boltzmann_nn.theory.mixture_response import mixture_hnc_response

    one_solver = OZSolver("hnc", n=4096, dr=0.005)
    g0 = np.interp(BINS, one_solver.r, one_solver.solve(lj, 0.5).g)
    one = hnc_response(BINS, g0, 0.5)
    pairs = [(0, 0, "A-A"), (0, 1, "A-B"), (1, 1, "B-B")]
    alone = mixture_hnc_response(BINS, g0[None], pairs[:1], [1.0], 0.5)[0, :, 0, :]
    assert np.abs(alone - one).max() < 1e-12 * np.abs(one).max()
    same = mixture_hnc_response(BINS, np.stack([g0] * 3), pairs, [0.3, 0.7], 0.5)
    for p in range(3):
        summed = same[p].sum(axis=1)  # all three U changed by the same δU
        assert np.abs(summed - one).max() < 1e-9 * np.abs(one).max()

    class Gauss:
        def __init__(self, amp, width, bump=0.0):
            self.amp, self.width, self.bump = amp, width, bump

        def evaluate(self, r):
            u = self.amp * np.exp(-((r / self.width) ** 2)) + self.bump * _bump(r)
            return u, -np.gradient(u, r)

    solver = MixtureOZSolver("hnc", n=2048, dr=0.01)
    x, rho = [0.6, 0.4], 1.0
    base = {(0, 0): (2.0, 1.0), (0, 1): (1.8, 0.95), (1, 1): (1.5, 0.9)}

    def g_of(changed, eps):
        res = solver.solve({k: Gauss(*v, eps if k == changed else 0.0) for k, v in base.items()}, x, rho)
        return np.stack([np.interp(BINS, res.r, res.g[i, j]) for i, j, _ in pairs])

    j = mixture_hnc_response(BINS, g_of(None, 0.0), pairs, x, rho)
    for q, (i, k, _) in enumerate(pairs):
        dg = (g_of((i, k), 1e-3) - g_of((i, k), -1e-3)) / 2e-3
        pred = j[:, :, q, :] @ _bump(BINS)
        assert np.abs(pred - dg).max() < 5e-3 * np.abs(dg).max()
