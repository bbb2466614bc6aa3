"""Keep criteria: each with a case that must pass and cases that must fail (synthetic
measurements, so the criteria are tested apart from MD noise)."""

import numpy as np
import pytest

from boltzmann_nn.engines.diagnostics import judge, neighbours_within, rejudge, solid_fraction
from boltzmann_nn.engines.lammps import outcome_of_error
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.potentials.composite import CompositePotential
from boltzmann_nn.theory.oz import OZSolver

R = np.linspace(0.0125, 4.9875, 200)


def blocks(rng, sk=0.3, solid=0.02):
    return {"pressure": 1 + 0.01 * rng.standard_normal(20), "energy": -1 + 0.01 * rng.standard_normal(20),
            "sk": sk * np.ones((20, 3)), "solid": solid * np.ones(20)}


@pytest.fixture(scope="module")
def long_range_fluid():
    """A WCA fluid with a soft bump at 4.4σ: the potential still acts at 4–5σ, g is not 1 there."""
    pot = CompositePotential([NamedPotential("wca"), NamedPotential(
        "gausswell", {"epsilon": -0.5, "r0": 4.4, "width": 0.35}, r_cut=5.0)])
    res = OZSolver("hnc", n=4096, dr=0.01).solve(pot, 0.05)
    g = np.interp(R, res.r, res.g)
    return pot, g


def test_long_range_homogeneous_fluid_passes(rng, long_range_fluid):
    pot, g = long_range_fluid
    u = pot.evaluate(R)[0]
    tail = (R >= 4) & (R <= 5)
    assert np.max(np.abs(u[tail])) > 0.05 and abs(np.mean(g[tail]) - 1) > 0.1  # g != 1 there
    verdict = judge(0.05, blocks(rng), R, g, u)
    assert verdict["kept"], verdict["reasons"]
    # comparing g with 1 where the potential still acts would have dropped it
    assert not judge(0.05, blocks(rng), R, g)["kept"]


def test_phase_separated_box_fails(rng, long_range_fluid):
    pot, g = long_range_fluid
    verdict = judge(0.05, blocks(rng, sk=80.0), R, g, pot.evaluate(R)[0])
    assert not verdict["kept"] and "heterogeneous" in verdict["reasons"]


def test_crystal_fails_by_bond_order(rng):
    a, n = 1.6, 6
    cell = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    grid = np.stack(np.meshgrid(*[np.arange(n)] * 3, indexing="ij"), -1).reshape(-1, 3)
    fcc = ((grid[:, None, :] + cell[None]) * a).reshape(-1, 3)
    thermal = fcc + rng.normal(0, 0.04 * a, fcc.shape)
    assert solid_fraction(thermal, n * a) > 0.9
    assert solid_fraction(rng.uniform(0, n * a, fcc.shape), n * a) < 0.02
    verdict = judge(1.0, blocks(rng, solid=0.8), R, np.ones_like(R))
    assert not verdict["kept"] and "long-range order" in verdict["reasons"]
    # records without the bond order fall back to g(r) where the potential does not act
    old = blocks(rng)
    del old["solid"]
    shells = judge(1.0, old, R, 1 + 0.6 * np.sin(2 * np.pi * R / 1.13))
    assert not shells["disordered"]


def test_clustered_fluid_fails(rng):
    g = np.ones_like(R)
    g[R < 0.3] = 60.0  # particles stacked on top of each other
    assert neighbours_within(R, g, 0.5) > 1
    verdict = judge(0.5, blocks(rng), R, g)
    assert not verdict["kept"] and "clustered" in verdict["reasons"]
    ideal = np.ones_like(R)
    assert neighbours_within(R, ideal, 1.0) == pytest.approx(4 / 3 * np.pi * 0.3**3, rel=0.1)
    assert judge(1.0, blocks(rng), R, ideal)["kept"]


def test_rejudge_uses_stored_measurements(rng, long_range_fluid):
    pot, g = long_range_fluid
    b = blocks(rng)
    stored = {"ok": True, "r": R.tolist(), "g": g.tolist(), "flags": {"kept": False},
              "blocks": {k: np.asarray(v).tolist() for k, v in b.items()}}
    assert rejudge(stored, 0.05, pot).kept
    early = dict(stored, flags={"kept": False, "collapsed": True})
    assert rejudge(early, 0.05, pot).to_dict() == early["flags"]


def test_particles_meeting_at_table_start_are_an_outcome():
    soft = NamedPotential("gauss", {"epsilon": -5.0}, r_cut=2.0)
    exc = RuntimeError("ERROR on proc 0: Pair distance < table inner cutoff: ijtype 1 1 dist 8.1e-06 "
                       "(src/pair_table.cpp:128)")
    res = outcome_of_error(exc, soft)
    assert res.ok and not res.kept
    assert res.flags["met_at_table_start"] and res.flags["reasons"][0].startswith("stacking")
    core = NamedPotential("lj", {"epsilon": 3.0}, r_cut=2.5)
    res = outcome_of_error(RuntimeError("Pair distance < table inner cutoff: dist 0.41"), core)
    assert res.flags["reasons"][0].startswith("collapse")
    other = outcome_of_error(RuntimeError("ERROR: Lost atoms: original 1000 current 998"), core)
    assert not other.ok and other.reason.startswith("blow-up")
