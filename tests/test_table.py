import numpy as np
import pytest

from boltzmann_nn.errors import InputError
from boltzmann_nn.grid import NN_GRID, resample
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.potentials.random import RandomPotential
from boltzmann_nn.potentials.table import PairTable
from boltzmann_nn.units import U_CUT


def test_table_of_lj_matches_function():
    pot = NamedPotential("lj", {"epsilon": 0.5}, r_cut=5.0)
    tab = pot.tabulate(2000)
    r = np.linspace(0.9, 4.9, 77)
    u_t, f_t = tab.evaluate(r)
    u, f = pot.evaluate(r)
    np.testing.assert_allclose(u_t, u, rtol=1e-3, atol=2e-4)
    np.testing.assert_allclose(f_t, f, rtol=1e-3, atol=2e-3)


@pytest.mark.parametrize("kwargs,match", [
    ({"r": [0, 1, 1, 2, 3], "U": [1, 2, 3, 4, 5]}, "duplicate"),
    ({"r": [0, 2, 1, 3, 4], "U": [1, 2, 3, 4, 5]}, "unsorted"),
    ({"r": [0, 1, 2, 3], "U": [1, 2, 3, 4]}, "at least 5"),
    ({"r": [0, 1, 2, 3, 4], "U": [1, np.nan, 3, 4, 5]}, "not finite"),
    ({"r": [0.5, 1, 2, 3, 4], "U": [1, 1.5, 2, 2.5, 3], "F": [1, 1, 1, 1, 1]}, "contradicts"),
])
def test_table_rejects_bad_input(kwargs, match):
    with pytest.raises(InputError, match=match):
        PairTable(**kwargs)


def test_transforms_on_network_grid():
    pot = RandomPotential(12345)  # has a WCA core
    tab = pot.tabulate(4000)
    u, f = tab.on_grid()
    assert u.shape == f.shape == (50,)
    cap = tab.capped()
    assert cap.max() == pytest.approx(U_CUT) and np.all(cap <= U_CUT)
    assert np.all(tab.boltzmann_factor()[NN_GRID.r < 0.6] < 1e-8)
    np.testing.assert_allclose(tab.force()[NN_GRID.r > 1], pot.evaluate(NN_GRID.r[NN_GRID.r > 1])[1],
                               rtol=1e-3, atol=1e-3)
    assert u[-1] == 0.0 or NN_GRID.r[-1] < pot.r_cut


def test_soft_table_extrapolates_to_zero_and_refuses_gap():
    pot = NamedPotential("gauss", {"epsilon": 3.0})
    u, _ = pot.tabulate(500).on_grid()
    assert u[0] == pytest.approx(3.0, rel=1e-3)
    far = pot.tabulate(500, r_min=0.5)
    with pytest.raises(InputError, match="network grid needs"):
        far.on_grid()


def test_resample_and_range_check():
    r = np.linspace(0, 4, 41)
    y = r**2
    np.testing.assert_allclose(resample(r, y, np.array([1.0, 2.0])), [1.0, 4.0])
    with pytest.raises(InputError, match="cover"):
        resample(r, y, NN_GRID.r)
    assert resample(r, y, NN_GRID.r, fill_right=0.0)[-1] == 0.0


def test_resampled_table_keeps_values():
    tab = NamedPotential("yukawa").tabulate(1000, r_min=0.5)
    small = tab.resampled(200)
    assert small.r.size == 200
    np.testing.assert_allclose(small.evaluate(np.array([1.5]))[0], tab.evaluate(np.array([1.5]))[0],
                               rtol=1e-3)
