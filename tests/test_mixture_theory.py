"""Mixture Ornstein–Zernike: identical species, Lebowitz's PY hard-sphere mixture, HNC round
trip, Kirkwood–Buff and virial-coefficient invariants."""

import math

import numpy as np
import pytest

from boltzmann_nn.errors import ConvergenceError, InputError
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.theory.mixture_oz import MixtureOZSolver, mixture_b2
from boltzmann_nn.theory.oz import OZSolver
from boltzmann_nn.theory.virial import b2


def _lj(eps=1.0, sig=1.0, rc=3.0):
    return NamedPotential("lj", {"epsilon": eps, "sigma": sig}, r_cut=rc)


def _gauss(eps, sig, rc=4.0):
    return NamedPotential("gauss", {"epsilon": eps, "sigma": sig}, r_cut=rc)


def test_binary_of_identical_species_is_the_one_component_fluid():
    pot = _lj(0.5)
    one = OZSolver("hnc", n=2048, dr=0.01).solve(pot, 0.5)
    pots = {(0, 0): pot, (0, 1): pot, (1, 1): pot}
    mix = MixtureOZSolver("hnc", n=2048, dr=0.01).solve(pots, [0.3, 0.7], 0.5)
    for i, j in ((0, 0), (0, 1), (1, 1)):
        np.testing.assert_allclose(mix.g[i, j], one.g, atol=1e-8)
    assert mix.pressure_virial == pytest.approx(one.pressure_virial, rel=1e-8)
    assert mix.pressure_compressibility == pytest.approx(one.pressure_compressibility, rel=1e-8)
    assert mix.inverse_compressibility == pytest.approx(one.inverse_compressibility, rel=1e-8)
    bt = mix.bhatia_thornton()
    # identical species: concentration fluctuations are ideal, uncoupled from density
    np.testing.assert_allclose(bt["S_CC"], 0.3 * 0.7, atol=1e-8)
    np.testing.assert_allclose(bt["S_NC"], 0.0, atol=1e-8)
    np.testing.assert_allclose(bt["S_NN"], one.s, atol=1e-8)


def _lebowitz_contact(sig, x, rho):
    """PY contact values of additive hard spheres (Lebowitz 1964): y_ij(σ_ij)."""
    xi = [math.pi / 6 * rho * float(np.sum(x * sig**n)) for n in (2, 3)]
    xi2, xi3 = xi
    out = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            out[i, j] = 1 / (1 - xi3) + 3 * xi2 * sig[i] * sig[j] / ((1 - xi3) ** 2 * (sig[i] + sig[j]))
    return out


@pytest.mark.parametrize("eta", [0.2, 0.35])
def test_py_binary_hard_spheres_match_lebowitz_contact_values(eta):
    sig = np.array([1.0, 0.6])
    x = np.array([0.5, 0.5])
    rho = eta / (math.pi / 6 * float(np.sum(x * sig**3)))
    pots = {}
    for i in range(2):
        for j in range(i, 2):
            s = 0.5 * (sig[i] + sig[j])
            pots[(i, j)] = NamedPotential("hs", {"sigma": s}, r_cut=1.2 * s)
    res = MixtureOZSolver("py", n=2048, dr=0.005, ramp=6).solve(pots, x, rho)
    want = _lebowitz_contact(sig, x, rho)
    for i in range(2):
        for j in range(2):
            s = 0.5 * (sig[i] + sig[j])
            y = np.interp(s, res.r, res.g[i, j] - res.c[i, j])  # PY cavity y = 1 + γ, continuous at σ_ij
            assert y == pytest.approx(want[i, j], rel=1e-2), (i, j)


def test_hnc_forward_then_inversion_returns_every_pair_potential():
    pots = {(0, 0): _gauss(2.0, 1.0), (0, 1): _gauss(1.6, 0.9), (1, 1): _gauss(1.5, 0.8)}
    solver = MixtureOZSolver("hnc", n=4096, dr=0.01)
    x = [0.5, 0.5]
    res = solver.solve(pots, x, 1.0)
    keep = res.r <= 10.0
    r, u = solver.invert(res.r[keep], res.g[:, :, keep], x, 1.0)
    worst = 0.0
    for (i, j), pot in pots.items():
        ok = np.interp(r, res.r, res.g[i, j]) > 0.05
        worst = max(worst, float(np.max(np.abs(u[i, j, ok] - pot.evaluate(r[ok])[0]))))
    assert worst < 0.02


def test_kirkwood_buff_integrals_give_the_compressibility():
    pots = {(0, 0): _lj(0.5, 1.0), (0, 1): _lj(0.4, 0.9), (1, 1): _lj(0.3, 0.8)}
    x = np.array([0.7, 0.3])
    rho = 0.7
    res = MixtureOZSolver("hnc", n=4096, dr=0.01).solve(pots, x, rho)
    sq = np.sqrt(x)
    s0 = np.eye(2) + rho * np.outer(sq, sq) * res.kirkwood_buff
    # β ∂P/∂ρ at fixed composition = Σ_ij √(x_i x_j) (S(0)⁻¹)_ij
    assert float(sq @ np.linalg.solve(s0, sq)) == pytest.approx(res.inverse_compressibility, rel=1e-3)


def test_dilute_mixture_pressure_is_set_by_the_mixture_b2():
    pots = {(0, 0): _lj(1.0, 1.0), (0, 1): _lj(0.75, 0.9), (1, 1): _lj(0.5, 0.8)}
    x = [0.7, 0.3]
    rho = 1e-3
    want = mixture_b2(pots, x)
    assert want == pytest.approx(0.49 * b2(pots[(0, 0)]) + 0.42 * b2(pots[(0, 1)]) + 0.09 * b2(pots[(1, 1)]))
    res = MixtureOZSolver("hnc", n=2048, dr=0.01).solve(pots, x, rho)
    assert (res.pressure_virial - rho) / rho**2 == pytest.approx(want, rel=2e-2)
    assert (res.pressure_compressibility - rho) / rho**2 == pytest.approx(want, rel=2e-2)


def test_bad_states_and_shapes_are_input_errors():
    solver = MixtureOZSolver("hnc", n=512, dr=0.02)
    pots = {(0, 0): _lj(), (0, 1): _lj(), (1, 1): _lj()}
    with pytest.raises(InputError, match="sum to 1"):
        solver.solve(pots, [0.5, 0.6], 0.5)
    with pytest.raises(InputError, match="> 0"):
        solver.solve(pots, [1.0, 0.0], 0.5)
    with pytest.raises(InputError, match="no potential"):
        solver.solve({(0, 0): _lj()}, [0.5, 0.5], 0.5)
    with pytest.raises(InputError, match="shape"):
        solver.indirect(np.linspace(0.1, 5, 50), np.ones((2, 2, 40)), [0.5, 0.5], 0.5)


def test_demixing_state_is_reported_not_solved():
    # unlike pairs far more repulsive than like ones at high density: S_cc(0) diverges
    pots = {(0, 0): _gauss(1.0, 1.0), (0, 1): _gauss(6.0, 1.0), (1, 1): _gauss(1.0, 1.0)}
    with pytest.raises(ConvergenceError, match="rho"):
        MixtureOZSolver("hnc", n=1024, dr=0.02, max_iter=500).solve(pots, [0.5, 0.5], 2.0)
