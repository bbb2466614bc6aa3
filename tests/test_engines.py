"""The engine protocol: engines by name, and two engines that agree on the same table."""

import numpy as np
import pytest

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.engines.registry import engine_names, get_engine
from boltzmann_nn.errors import InputError
from boltzmann_nn.potentials.base import NamedPotential

pytest.importorskip("openmm")


def test_registry():
    assert engine_names() == ["lammps", "openmm"]
    assert get_engine().name == "lammps"
    with pytest.raises(InputError, match="unknown engine"):
        get_engine("hoomd")


@pytest.mark.parametrize("spec, rho", [
    (("wca", {}, None), 0.6),
    (("gauss", {"epsilon": 3.0}, 3.0), 0.8),
])
def test_lammps_and_openmm_agree(spec, rho):
    name, params, r_cut = spec
    pot = NamedPotential(name, params, r_cut=r_cut)
    state = StatePoint(density=rho, seed=5, equilibration=1000, steps=4000, blocks=20)
    a = get_engine("lammps").run(pot, state)
    b = get_engine("openmm", platform="CPU").run(pot, state)
    assert a.ok and b.ok and a.kept and b.kept, (a.reason, b.reason)
    # the target is P within 1 % (benchmarks/engines.py, long runs); these short runs carry
    # about 0.3 % noise each, so allow 4 combined standard errors where that is larger
    sigma = np.hypot(a.pressure_err, b.pressure_err)
    assert abs(a.pressure - b.pressure) < max(0.01 * abs(a.pressure), 4 * sigma), (a.pressure, b.pressure)
    assert abs(a.energy - b.energy) < 0.01 * abs(a.energy) + 4 * np.hypot(a.energy_err, b.energy_err)
    # g(r) within the combined noise where both are measured (bins differ by at most rounding)
    r = (a.r > 0.8) & (a.r < 4.8)
    err = np.hypot(a.g_err[r], b.g_err[r]) + 1e-3
    assert np.mean(((a.g[r] - b.g[r]) / err) ** 2) < 2.5
    assert b.settings["engine"] == "openmm" and b.settings["platform"] == "CPU"
