import math

import numpy as np
import pytest

from boltzmann_nn.errors import InputError
from boltzmann_nn.potentials.analytic import REGISTRY, WCA_RMIN
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.potentials.random import PAPER_WCA_FRACTION, RandomPotential, RandomSettings
from boltzmann_nn.potentials.spec import parse_potential

from .conftest import fd_force

NAMED = [n for n in REGISTRY if n != "hs"]


@pytest.mark.parametrize("name", NAMED)
def test_named_force_is_minus_gradient(name):
    pot = NamedPotential(name)
    r = np.linspace(0.75, pot.r_cut - 0.01, 200)
    u, f = pot.evaluate(r)
    np.testing.assert_allclose(f, fd_force(pot, r), rtol=1e-5, atol=1e-5)


def test_hard_core_force_and_shift():
    pot = NamedPotential("hs", {"n": 50.0})
    r = np.linspace(0.95, 1.05, 50)
    np.testing.assert_allclose(pot.evaluate(r)[1], fd_force(pot, r, 1e-7), rtol=1e-4)
    assert pot.evaluate(np.array([pot.r_cut - 1e-12]))[0][0] == pytest.approx(0, abs=1e-9)


def test_lj_minimum_and_wca_continuity():
    lj = NamedPotential("lj", shift=False, r_cut=math.inf)
    u, f = lj.evaluate(np.array([WCA_RMIN]))
    assert u[0] == pytest.approx(-1.0) and f[0] == pytest.approx(0, abs=1e-12)
    wca = NamedPotential("wca")
    u, f = wca.evaluate(np.array([WCA_RMIN - 1e-9, WCA_RMIN + 1e-9]))
    np.testing.assert_allclose(u, 0, atol=1e-6)
    np.testing.assert_allclose(f, 0, atol=1e-6)


@pytest.mark.parametrize("seed", range(25))
def test_random_force_cut_and_shift(seed):
    pot = RandomPotential(seed)
    rc = pot.spline_cut
    u_s, f_s = pot.evaluate_spline(np.array([rc * (1 - 1e-12), rc, rc + 0.1]))
    assert abs(f_s[0]) < 1e-6  # F(r_cut) = 0
    assert abs(u_s[0]) < 1e-9  # U(r_cut) = 0
    assert u_s[1] == 0 and f_s[2] == 0 and u_s[2] == 0
    lo = 0.8 if pot.has_core else 0.0
    r = np.linspace(lo + 1e-3, rc - 1e-3, 400)
    np.testing.assert_allclose(pot.evaluate(r)[1], fd_force(pot, r), rtol=1e-4, atol=1e-4)


def test_random_value_ranges():
    s = RandomSettings()
    cores = 0
    extremes = []
    for seed in range(300):
        pot = RandomPotential(seed)
        assert 0 < pot.spline_cut <= 5.0
        assert 6 <= pot.knots_r.size <= 10
        assert 2 <= pot.degree <= 5
        assert np.all((pot.knots_r >= 0) & (pot.knots_r <= pot.spline_cut))
        assert np.all((pot.knots_u >= 0) & (pot.knots_u <= s.u_max))
        r = np.linspace(0, pot.spline_cut, 300)
        u = pot.evaluate_spline(r)[0]
        extremes.append(np.abs(u).max())
        cores += pot.has_core
    # the smoothing spline may overshoot its knots (documented in random.py)
    assert np.max(extremes) < 4 * s.u_max
    assert np.percentile(extremes, 95) < 2 * s.u_max
    assert abs(cores / 300 - PAPER_WCA_FRACTION) < 0.08


def test_random_seeding_is_reproducible():
    a, b, c = RandomPotential(7), RandomPotential(7), RandomPotential(8)
    r = np.linspace(0.9, 5, 100)
    np.testing.assert_array_equal(a.evaluate(r)[0], b.evaluate(r)[0])
    assert not np.array_equal(a.evaluate(r)[0], c.evaluate(r)[0])
    # pinned values: the same seed gives the same potential on any machine
    p = RandomPotential(12345)
    assert (p.degree, p.has_core, p.knots_r.size) == (3, True, 9)
    assert p.spline_cut == pytest.approx(3.8633198876641517, rel=1e-14)
    assert p.evaluate(np.array([0.5]))[0][0] == pytest.approx(16144.563267410176, rel=1e-10)


def test_random_settings_change_draws():
    pot = RandomPotential(3, RandomSettings(wca_fraction=1.0, r_cut_min=4.0))
    assert pot.has_core and 4.0 < pot.spline_cut <= 5.0


def test_spec_strings():
    pot = parse_potential("lj:epsilon=0.5,rcut=3")
    assert pot.params["epsilon"] == 0.5 and pot.r_cut == 3
    assert pot.evaluate(np.array([2.9999999]))[0][0] == pytest.approx(0, abs=1e-6)
    full = parse_potential("lj:rcut=inf,shift=false")
    assert math.isinf(full.r_cut)
    assert parse_potential("random:seed=4").seed == 4
    for bad in ("lj:eps=1", "lj:epsilon=abc", "nosuch", "random:wca_fraction=1", "lj:rcut=-1"):
        with pytest.raises(InputError):
            parse_potential(bad)


def test_table_start():
    assert NamedPotential("wca").table_start() == pytest.approx(0.53, abs=0.02)
    # finite U(0): as close to r = 0 as LAMMPS allows
    assert NamedPotential("gauss").table_start() == pytest.approx(1e-5)
