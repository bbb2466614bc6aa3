import math

import numpy as np
import pytest

from boltzmann_nn.errors import ConvergenceError, InputError
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.theory.inversion import G_FLOOR, boltzmann_inversion, extend_core, hnc_inversion
from boltzmann_nn.theory.oz import OZSolver
from boltzmann_nn.theory.pressure import virial_pressure
from boltzmann_nn.units import U_CUT


@pytest.mark.parametrize("rho", [0.3, 0.6])
def test_py_hard_spheres_analytic_pressures(rho):
    res = OZSolver("py").solve(NamedPotential("hs", r_cut=1.2), rho)
    eta = math.pi * rho / 6
    p_comp = rho * (1 + eta + eta**2) / (1 - eta) ** 3
    p_vir = rho * (1 + 2 * eta + 3 * eta**2) / (1 - eta) ** 2
    # the core on a grid of 0.005 sigma costs a few 1e-3 at the highest density
    assert res.pressure_compressibility == pytest.approx(p_comp, rel=1e-2)
    assert res.pressure_virial == pytest.approx(p_vir, rel=1e-2)
    assert res.inverse_compressibility == pytest.approx((1 + 2 * eta) ** 2 / (1 - eta) ** 4, rel=1e-2)


@pytest.mark.parametrize("closure", ["hnc", "py"])
def test_dilute_soft_fluid_approaches_boltzmann_factor(closure):
    pot = NamedPotential("gauss", {"epsilon": 2.0})
    res = OZSolver(closure, n=4096, dr=0.01).solve(pot, 1e-3)
    np.testing.assert_allclose(res.g, np.exp(-pot.evaluate(res.r)[0]), atol=2e-3)


@pytest.mark.parametrize("spec", [("gauss", {"epsilon": 2.0}, 4.0), ("lj", {"epsilon": 0.5}, 5.0)])
def test_oz_forward_then_hnc_inversion_returns_potential(spec):
    name, params, rc = spec
    pot = NamedPotential(name, params, r_cut=rc)
    solver = OZSolver("hnc", n=4096, dr=0.01)
    res = solver.solve(pot, 0.3)
    keep = res.r <= 8
    u = hnc_inversion(res.r[keep], res.g[keep], 0.3, solver=solver)
    u_true = pot.evaluate(res.r[keep])[0]
    ok = (res.g[keep] > 1e-3) & (u_true < U_CUT)
    np.testing.assert_allclose(u[ok], u_true[ok], atol=5e-3)


def test_oz_reports_no_solution_inside_spinodal():
    with pytest.raises(ConvergenceError, match="rho"):
        OZSolver("hnc", n=2048, dr=0.01, max_iter=400).solve(
            NamedPotential("lj", {"epsilon": 2.0}, r_cut=4.0), 0.3)


def test_boltzmann_inversion_recovers_potential_and_floors():
    pot = NamedPotential("lj", {"epsilon": 0.5}, r_cut=4.0)
    r = np.linspace(0.8, 4.0, 300)
    u = pot.evaluate(r)[0]
    u0 = boltzmann_inversion(np.exp(-u))
    resolved = u < 15
    np.testing.assert_allclose(u0[resolved], u[resolved], atol=1e-9)
    assert np.all(u0 <= -math.log(G_FLOOR) + 1e-12)
    assert boltzmann_inversion(np.array([0.0]))[0] == pytest.approx(U_CUT)


def test_extend_core_is_smooth_and_monotonic():
    r = np.linspace(0.01, 4, 400)
    u = np.where(r < 0.9, U_CUT, np.minimum(U_CUT, 4 * ((1 / r) ** 12 - (1 / r) ** 6)))
    r2, u2, f2 = extend_core(r, u)
    core = r2 < 0.95
    assert np.all(np.diff(u2[core]) < 0)  # decreasing with r inside the core
    assert np.all(np.isfinite(u2)) and np.all(f2[core] > 0)
    j = np.searchsorted(r2, 0.95)
    assert abs(u2[j] - u2[j - 1]) < 2.0  # no jump at the junction


def test_virial_pressure_route_ideal_and_low_density():
    r = np.linspace(0.01, 6, 3000)
    assert virial_pressure(r, np.ones_like(r), np.zeros_like(r), 0.4) == pytest.approx(0.4)
    # low density: g = exp(-U), P = rho + B2 rho^2
    pot = NamedPotential("gauss", {"epsilon": 1.0}, r_cut=6.0)
    u, f = pot.evaluate(r)
    from boltzmann_nn.theory.virial import b2

    rho = 1e-3
    assert virial_pressure(r, np.exp(-u), f, rho) == pytest.approx(rho + b2(pot) * rho**2, rel=1e-6)


def test_hnc_inversion_needs_range():
    with pytest.raises(InputError, match="r >= 3"):
        hnc_inversion(np.linspace(0.1, 2, 50), np.ones(50), 0.5)


@pytest.mark.parametrize("n", [1, 2, 7, 64, 4097])
def test_numpy_dst4_matches_scipy(n):
    from scipy import fft

    from boltzmann_nn.theory.transforms import _dst4

    x = np.random.default_rng(n).normal(size=n)
    ref = fft.dst(x, type=4)
    assert np.max(np.abs(_dst4(x) - ref)) <= 1e-13 * np.max(np.abs(ref))
