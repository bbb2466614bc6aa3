"""The second generator: families of named potentials with random parameters, and
campaign specs that mix them with the paper's splines at continuous densities."""

import numpy as np
import pytest

from boltzmann_nn.campaign.spec import CampaignSpec
from boltzmann_nn.errors import InputError
from boltzmann_nn.potentials.families import FAMILIES, family_potential
from boltzmann_nn.theory.virial import b2

from .conftest import fd_force

MIX = """
name = "mix"
seed = 3
n_potentials = 400
density_draws = 3
density_range = [0.05, 1.1]
extra_densities = 2

[families]
spline = 0.5
yukawa = 0.25
hertz = 0.25
"""


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_forces_and_cutoffs(family):
    for seed in range(12):
        pot = family_potential(family, seed)
        assert 0 < pot.r_cut <= 5.0
        r = np.linspace(pot.table_start() + 1e-3, pot.r_cut - 1e-3, 1500)
        u, f = pot.evaluate(r)
        assert np.all(np.isfinite(u)) and np.all(np.isfinite(f))
        fd = fd_force(pot, r)
        scale = np.maximum(np.abs(f), 1.0)
        assert np.max(np.abs(fd - f) / scale) < 1e-3, (family, seed)
        assert pot.evaluate(np.array([pot.r_cut + 0.01]))[0][0] == 0.0
        pot.tabulate(400, spacing="rsq")  # passes the table's own consistency checks


def test_family_draws_are_pinned():
    # a record names its potential by (family, seed): the draws must never drift
    lj = family_potential("lj", 42)
    assert lj.r_cut == pytest.approx(4.910226, abs=1e-6)
    assert lj.terms[0].params == pytest.approx({"epsilon": 0.867105, "sigma": 0.878253, "n": 15.0, "m": 5.0},
                                               abs=1e-6)
    yuk = family_potential("yukawa", 42)
    assert [t.name for t in yuk.terms] == ["yukawa", "wca"]
    assert yuk.terms[0].params["epsilon"] == pytest.approx(-1.106578, abs=1e-6)
    assert family_potential("sum", 42).describe() == family_potential("sum", 42).describe()
    assert [t.name for t in family_potential("sum", 7).terms] == ["gausswell", "shoulder", "wca"]
    assert family_potential("sum", 7).r_cut == pytest.approx(3.247611, abs=1e-6)


def test_penetrable_family_is_soft_at_the_origin():
    # penetrable spheres: no core, U(0) = eps finite, tabulated from r = 0
    for seed in range(20):
        pot = family_potential("penetrable", seed)
        assert [t.name for t in pot.terms] in (["shoulder"], ["ramp"])
        u0, f0 = pot.evaluate(np.array([0.0, 0.3]))
        assert 0.5 * 0.98 <= u0[0] <= 5.0 * 1.02 and np.all(np.isfinite(f0))
        assert not getattr(pot, "has_core", False)


def test_lj_family_contains_the_lennard_jones_fluid():
    # n = 12, m = 6 Mie with eps = 1 is the LJ potential, B2(k_BT = eps) = -5.3158 (Sun & Teja)
    from boltzmann_nn.potentials.base import NamedPotential

    mie = NamedPotential("mie", {"epsilon": 1.0, "n": 12.0, "m": 6.0}, r_cut=np.inf, shift=False)
    assert b2(mie) == pytest.approx(-5.3158, rel=1e-3)


def test_mix_fractions_densities_and_extras(tmp_path):
    path = tmp_path / "mix.toml"
    path.write_text(MIX)
    spec = CampaignSpec.load(path)
    runs = spec.runs()
    assert len(runs) == 3 * 400
    fams = [r.potential.get("family", "spline") for r in runs[::3]]
    for name, frac in (("spline", 0.5), ("yukawa", 0.25), ("hertz", 0.25)):
        assert abs(fams.count(name) / 400 - frac) < 0.07
    rho = np.array([r.state["density"] for r in runs]).reshape(400, 3)
    # stratified: one draw in each third of the range
    edges = np.linspace(0.05, 1.1, 4)
    for k in range(3):
        assert np.all((rho[:, k] >= edges[k]) & (rho[:, k] <= edges[k + 1]))
    extra = spec.extra_runs(7)
    assert len(extra) == 2 and all(x.extra and x.potential_index == 7 for x in extra)
    assert {x.run_id for x in extra}.isdisjoint({r.run_id for r in runs})


@pytest.mark.parametrize("bad, match", [
    ("[families]\nspline = 0.5\nyukawa = 0.2\n", "add up to 1"),
    ("[families]\nspline = 0.5\nplasma = 0.5\n", "unknown"),
    ("density_draws = -1\n", "density_draws"),
    ("density_draws = 2\ndensity_range = [1.0, 0.5]\n", "density_range"),
])
def test_mix_spec_validation(tmp_path, bad, match):
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\nseed = 1\nn_potentials = 2\ndensities = [0.1]\n' + bad)
    with pytest.raises(InputError, match=match):
        CampaignSpec.load(path)
