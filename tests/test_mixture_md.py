"""Mixture MD (LAMMPS, OpenMM): invariants of the partial g_ij, the demixing diagnostic, composition."""

from __future__ import annotations

import numpy as np
import pytest

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.errors import InputError
from boltzmann_nn.mixture.md import MixtureResult, concentration_structure, simulate_mixture
from boltzmann_nn.mixture.system import Composition, PairPotentials, pair_names, split_pair
from boltzmann_nn.potentials.spec import parse_potential


def test_pairs_and_counts():
    assert pair_names(["A", "B", "C"]) == ["A-A", "A-B", "A-C", "B-B", "B-C", "C-C"]
    assert split_pair("B-A", ["A", "B"]) == (0, 1)
    comp = Composition(("A", "B", "C"), (0.5, 0.3, 0.2), 0.8)
    assert comp.counts(1001) == [500, 300, 201] or sum(comp.counts(1001)) == 1001
    assert sum(comp.counts(1001)) == 1001
    assert np.allclose(comp.partial_densities, [0.4, 0.24, 0.16])
    with pytest.raises(InputError, match="sum to 1"):
        Composition(("A", "B"), (0.5, 0.4), 0.8)
    with pytest.raises(InputError, match="unique"):
        Composition(("A", "A"), (0.5, 0.5), 0.8)
    with pytest.raises(InputError, match="no potential for pair"):
        PairPotentials(("A", "B"), {"A-A": parse_potential("wca"), "B-B": parse_potential("wca")})
    with pytest.raises(InputError, match="no particle"):
        Composition(("A", "B"), (0.9999, 0.0001), 0.8).counts(1000)


def test_concentration_structure_ideal_and_demixed():
    rng = np.random.default_rng(3)
    box, n = 10.0, 4000
    x = rng.uniform(0, box, (n, 3))
    types = rng.integers(0, 2, n)
    ideal = np.mean(
        [concentration_structure(rng.uniform(0, box, (n, 3)), types, box, 0, 1) for _ in range(30)]
    )
    assert 0.7 < ideal < 1.3  # a random mixture: S_cc(k) = x_a x_b
    types = (x[:, 0] > box / 2).astype(int)  # A on the left, B on the right
    assert concentration_structure(x, types, box, 0, 1) > 100


def test_identical_species_reproduce_one_component():
    """A 'binary' of two identical species: every partial g equals the one-component g,
    and the pressure is the one-component pressure (same run: only the labels differ).
    """
    from boltzmann_nn.engines.registry import get_engine

    lj = parse_potential("lj:epsilon=1,rcut=2.5")
    comp = Composition(("A", "B"), (0.6, 0.4), 0.7)
    state = StatePoint(0.7, steps=3000, equilibration=2000, blocks=10, seed=5)
    res = simulate_mixture(PairPotentials(comp.species, {p: lj for p in comp.pair_names()}), comp, state)
    one = get_engine("lammps").run(lj, state)
    assert res.ok and one.ok, (res.reason, one.reason)
    assert set(res.g) == {"A-A", "A-B", "B-B"}
    assert res.flags["mixed"] and res.flags["scc_min"]["A-B"] < 10
    shell = (res.r > 0.9) & (res.r < 3.0)
    for p in res.g:
        err = np.hypot(res.g_err[p], one.g_err)[shell]
        dev = (res.g[p] - one.g)[shell] / np.maximum(err, 1e-3)
        assert np.mean(dev**2) < 4.0, p
    assert abs(res.pressure - one.pressure) < 5 * np.hypot(res.pressure_err, one.pressure_err) + 0.02
    back = MixtureResult.from_dict(res.to_dict())
    assert np.allclose(back.g["A-B"], res.g["A-B"]) and back.kept == res.kept


def test_openmm_mixture_matches_lammps():
    """The same LJ/WCA binary on OpenMM (all pairs one tabulated force, the species a
    per-particle parameter) and on LAMMPS: every partial g_ij and P agree within noise."""
    pytest.importorskip("openmm")
    comp = Composition(("A", "B"), (0.6, 0.4), 0.7)
    pots = PairPotentials(comp.species, {
        "A-A": parse_potential("lj:epsilon=1,sigma=1,rcut=2.5"),
        "A-B": parse_potential("lj:epsilon=0.8,sigma=0.9,rcut=2.5"),
        "B-B": parse_potential("wca:epsilon=1,sigma=0.8"),
    })
    state = StatePoint(0.7, steps=3000, equilibration=1000, blocks=10, seed=4, n_particles=300)
    lmp = simulate_mixture(pots, comp, state)
    omm = simulate_mixture(pots, comp, state, engine="openmm", platform="CPU")
    assert lmp.ok and omm.ok, (lmp.reason, omm.reason)
    assert omm.settings["engine"] == "openmm" and set(omm.g) == {"A-A", "A-B", "B-B"}
    for p in lmp.g:
        g = np.interp(lmp.r, omm.r, omm.g[p])
        err = np.hypot(lmp.g_err[p], np.interp(lmp.r, omm.r, omm.g_err[p]))
        shell = (lmp.r > 0.7) & (lmp.r < omm.r[-1])
        assert np.mean(((lmp.g[p] - g) / np.maximum(err, 1e-3))[shell] ** 2) < 3.0, p
    assert abs(lmp.pressure - omm.pressure) < 4 * np.hypot(lmp.pressure_err, omm.pressure_err) + 0.02
    assert abs(lmp.energy - omm.energy) < 0.05
