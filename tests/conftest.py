import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(20261121)


def fd_force(pot, r, h=1e-6):
    """Central finite difference −dU/dr."""
    up = pot.evaluate(r + h)[0]
    dn = pot.evaluate(r - h)[0]
    return -(up - dn) / (2 * h)
