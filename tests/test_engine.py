"""Short MD runs (seconds each); the long accuracy runs live in benchmarks/."""

import math

import numpy as np
import pytest

from boltzmann_nn.engines.base import StatePoint, box_rule
from boltzmann_nn.engines.diagnostics import judge
from boltzmann_nn.engines.registry import get_engine
from boltzmann_nn.engines.simulate import simulate
from boltzmann_nn.errors import InputError
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.potentials.table import PairTable
from boltzmann_nn.theory.pressure import virial_pressure

SHORT = {"equilibration": 1000, "steps": 4000, "blocks": 20}


def test_ideal_gas_pressure_and_structure():
    res = simulate(NamedPotential("ideal"), StatePoint(density=0.5, seed=3, **SHORT))
    assert res.ok, res.reason
    assert abs(res.pressure - 0.5) < 4 * res.pressure_err + 1e-3
    r = res.r > 0.5
    chi2 = np.mean(((res.g[r] - 1) / res.g_err[r]) ** 2)
    assert chi2 < 2.0 and abs(res.g[r].mean() - 1) < 0.01
    assert res.kept


def test_lennard_jones_against_thol():
    # k_BT/eps = 2, rho = 0.512: P sigma^3/eps = 1.1367 (Thol et al. 2016) -> 0.56835 k_BT/sigma^3
    pot = NamedPotential("lj", {"epsilon": 0.5}, r_cut=5.0)
    res = simulate(pot, StatePoint(density=0.512, seed=11, threads=2, equilibration=2000,
                                   steps=8000, blocks=20), tail_correction=True)
    assert res.ok and res.kept
    assert res.pressure_tail == pytest.approx(-0.0176, rel=0.05)
    assert res.pressure == pytest.approx(0.56835, rel=0.03)


def test_same_seed_same_result():
    pot = NamedPotential("wca")
    st = StatePoint(density=0.6, seed=5, equilibration=500, steps=1000, blocks=10)
    a, b = simulate(pot, st), simulate(pot, st)
    assert a.pressure == b.pressure and np.array_equal(a.g, b.g)
    c = simulate(pot, StatePoint(density=0.6, seed=6, equilibration=500, steps=1000, blocks=10))
    assert c.pressure != a.pressure


def test_virial_and_gr_route_pressures_agree():
    pot = NamedPotential("gauss", {"epsilon": 3.0}, r_cut=4.0)
    res = simulate(pot, StatePoint(density=0.5, seed=8, equilibration=2000, steps=8000, blocks=20))
    assert res.ok
    p_g = virial_pressure(res.r, res.g, pot.evaluate(res.r)[1], 0.5)
    # the g(r) route carries the histogram's binning error (~0.5 %) besides the noise
    assert abs(p_g - res.pressure) < 4 * res.pressure_err + 0.01 * res.pressure


def test_homogeneous_fluid_passes_diagnostics():
    res = simulate(NamedPotential("wca"), StatePoint(density=0.5, seed=2, **SHORT))
    assert res.ok and res.flags["homogeneous"] and res.flags["equilibrated"] and res.kept
    assert res.flags["sk_min"] < 2


def test_phase_separating_fluid_fails_diagnostics():
    # LJ at k_BT/eps = 0.5 and rho = 0.3 lies deep inside the gas-liquid coexistence region
    res = simulate(NamedPotential("lj", {"epsilon": 2.0}, r_cut=3.0),
                   StatePoint(density=0.3, seed=2, equilibration=6000, steps=4000, blocks=20))
    assert res.ok and not res.kept
    assert not res.flags["homogeneous"] and "heterogeneous" in res.flags["reasons"]


def test_heterogeneous_box_stops_early_unless_asked_to_run_on():
    # the same coexistence state: the campaign's run stops during equilibration (no g(r));
    # a refinement's runs on and returns the g(r) of the separated box, judged heterogeneous
    pot, state = NamedPotential("lj", {"epsilon": 2.0}, r_cut=3.0).tabulate(4000), \
        StatePoint(density=0.3, seed=2, equilibration=6000, steps=4000, blocks=20)
    stopped = get_engine("lammps").run(pot, state)
    assert stopped.flags.get("collapsed") and stopped.g.size == 0
    full = get_engine("lammps").run(pot, state, early_stop=False)
    assert full.ok and full.g.size == 200 and "heterogeneous" in full.flags["reasons"]
    assert full.g.max() > 2.0  # the liquid's first peak, far above a gas's


def test_drift_criterion_on_synthetic_blocks():
    rng = np.random.default_rng(0)
    r = np.linspace(0.0125, 4.9875, 200)
    flat = {"pressure": 1 + 0.01 * rng.standard_normal(20), "energy": -2 + 0.01 * rng.standard_normal(20),
            "sk": np.ones((20, 3))}
    assert judge(0.5, flat, r, np.ones_like(r))["equilibrated"]
    drifting = dict(flat, energy=np.linspace(-2, -2.5, 20) + 0.01 * rng.standard_normal(20))
    verdict = judge(0.5, drifting, r, np.ones_like(r))
    assert not verdict["equilibrated"] and "not equilibrated" in verdict["reasons"]
    ordered = judge(0.5, flat, r, 1 + 0.5 * np.sin(2 * math.pi * r))
    assert not ordered["disordered"]


def test_collapsing_soft_fluid_is_a_recorded_outcome():
    # an attractive soft core: particles pile up on top of each other. The table starts at
    # 1e-5 sigma, so the run completes and is judged (not an engine error), and dropped
    res = simulate(NamedPotential("gauss", {"epsilon": -20.0}, r_cut=2.0),
                   StatePoint(density=0.5, seed=1, **SHORT))
    assert res.ok and not res.kept
    assert res.settings["table_start"] == pytest.approx(1e-5)
    assert "clustered" in res.flags["reasons"] or res.flags.get("met_at_table_start")


def test_nan_table_and_box_rule_are_input_errors():
    with pytest.raises(InputError, match="not finite"):
        PairTable([0.5, 1, 2, 3, 4], [1, np.nan, 0, 0, 0])
    with pytest.raises(InputError, match="too large for the box"):
        box_rule(StatePoint(density=0.5, n_particles=100), 5.0)
    n, box = box_rule(StatePoint(density=1.0), 5.0)
    assert box >= 2 * (5.0 + 0.3) and n == math.ceil(1.0 * (2 * 5.3) ** 3)
    assert box_rule(StatePoint(density=0.125), 1.0)[0] == 1000


def test_denser_gr_sampling_changes_the_noise_not_the_mean():
    """g(r) sampled every 10 steps: the same g(r) as every 100 (within the combined error)
    with smaller block errors; a sampling interval below 1 is refused.
    """
    pot = NamedPotential("lj", {"epsilon": 1.0, "sigma": 1.0}, r_cut=2.5)
    runs = {}
    for every in (100, 10):
        st = StatePoint(0.8, steps=4000, equilibration=1000, n_particles=500, seed=3, blocks=10,
                        rdf_every=every)
        runs[every] = get_engine("lammps").run(pot, st, early_stop=False)
    a, b = runs[100], runs[10]
    m = (a.r > 0.9) & (a.r < 2.4)
    z = (a.g[m] - b.g[m]) / np.hypot(a.g_err[m], b.g_err[m])
    assert np.mean(z**2) < 3.0
    assert np.sqrt(np.mean(b.g_err[m] ** 2)) < 0.8 * np.sqrt(np.mean(a.g_err[m] ** 2))
    with pytest.raises(InputError, match="rdf_every"):
        StatePoint(0.8, rdf_every=0)
