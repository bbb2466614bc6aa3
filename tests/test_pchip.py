"""The NumPy PCHIP against SciPy's: the same values and slopes, to the bit where SciPy's
arithmetic order allows (and to 1e-14 relative in any case)."""

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator

from boltzmann_nn.pchip import Pchip


@pytest.mark.parametrize("seed", range(6))
def test_pchip_agrees_with_scipy(seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 5, 40))
    y = np.cumsum(rng.normal(size=40)) * (seed % 2) + np.where(seed % 3, np.exp(-x), rng.normal(size=40))
    y[5:8] = y[5]  # flat pieces and sign changes
    ref = PchipInterpolator(x, y)
    ours = Pchip(x, y)
    r = np.concatenate([np.linspace(x[0] - 0.2, x[-1] + 0.2, 2001), x])
    scale = np.max(np.abs(y)) + 1e-300
    assert np.max(np.abs(ours(r) - ref(r))) <= 1e-14 * scale
    assert np.max(np.abs(ours.slope(r) - ref.derivative()(r))) <= 1e-12 * scale
    assert np.array_equal(ours(x), ref(x))  # through the points exactly


def test_pchip_keeps_monotone_data_monotone():
    x = np.linspace(0.8, 3.0, 12)
    y = np.array([20, 9, 4, 1.5, 0.2, -0.4, -0.5, -0.45, -0.2, -0.1, -0.05, 0.0])
    r = np.linspace(0.8, 3.0, 3000)
    u = Pchip(x, y)(r)
    falling = r <= x[6]
    assert np.all(np.diff(u[falling]) <= 1e-12) and np.all(np.diff(u[~falling]) >= -1e-12)
