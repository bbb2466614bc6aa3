import math

import numpy as np
import pytest

from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.theory.virial import b2, b3, carnahan_starling, mayer_f, p0


def test_hard_spheres():
    hs = NamedPotential("hs", r_cut=1.2)
    assert b2(hs) == pytest.approx(2 * math.pi / 3, rel=1e-3)
    assert b3(hs) == pytest.approx(5 * math.pi**2 / 18, rel=1e-3)


def test_lennard_jones_at_kT_equal_epsilon():
    lj = NamedPotential("lj", r_cut=math.inf, shift=False)
    assert b2(lj) == pytest.approx(-5.3158, rel=5e-3)
    assert b3(lj) == pytest.approx(1.8849, rel=5e-3)


def test_ideal_gas_and_mayer_f():
    ideal = NamedPotential("ideal")
    assert b2(ideal) == 0 and b3(ideal) == 0
    np.testing.assert_allclose(p0(ideal, [0.1, 0.5]), [0.1, 0.5])
    np.testing.assert_allclose(mayer_f([0.0, np.inf, -np.log(2)]), [0.0, -1.0, 1.0])


def test_soft_sphere_b2_scaling():
    # B2 of eps (1/r)^n is (2pi/3) Gamma(1 - 3/n) eps^(3/n)
    for n, eps in ((12, 1.0), (12, 2.0), (6.5, 1.0)):
        pot = NamedPotential("soft", {"n": n, "epsilon": eps}, r_cut=math.inf, shift=False)
        want = 2 * math.pi / 3 * math.gamma(1 - 3 / n) * eps ** (3 / n)
        assert b2(pot) == pytest.approx(want, rel=2e-3)


def test_gaussian_core_b2_closed_form():
    # B2 = -2 pi int (exp(-eps e^{-r^2}) - 1) r^2 dr; compare with quadrature of the series
    eps = 1.5
    pot = NamedPotential("gauss", {"epsilon": eps}, r_cut=math.inf, shift=False)
    terms = sum((-eps) ** k / math.factorial(k) * math.sqrt(math.pi) / 4 / k**1.5
                for k in range(1, 60))
    assert b2(pot) == pytest.approx(-2 * math.pi * terms, rel=1e-4)


def test_carnahan_starling_low_density_limit():
    rho = np.array([1e-4])
    # betaP = rho + B2 rho^2 + ..., B2 = 2pi/3 for d = 1
    assert carnahan_starling(rho)[0] == pytest.approx(rho[0] + 2 * math.pi / 3 * rho[0] ** 2, rel=1e-7)
    rho_04 = 0.4 * 6 / math.pi  # packing fraction 0.4: Z = 1.496 / 0.216
    assert carnahan_starling(rho_04) / rho_04 == pytest.approx(1.496 / 0.216, rel=1e-12)
