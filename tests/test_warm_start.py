"""A refinement run starts from the last configuration of the run it steps from, with a
shorter equilibration; the configuration is kept in the iteration's folder for a resume."""

import numpy as np

from boltzmann_nn.engines.lattice import initial_positions, start_positions
from boltzmann_nn.potentials.spec import parse_potential
from boltzmann_nn.potentials.table import PairTable
from boltzmann_nn.reference import example_gr_path
from boltzmann_nn.refine.loop import POSITIONS_FILE, WARM_EQUILIBRATION, RefineSettings, refine
from boltzmann_nn.refine.target import load_target


def test_start_positions_are_used_only_when_they_fit_the_box():
    lattice = initial_positions(64, 4.0, 7)
    given = lattice + np.array([4.0, -4.0, 0.1])  # one box image away, and moved a little
    assert np.allclose(start_positions(64, 4.0, 7, given), np.mod(lattice + [0, 0, 0.1], 4.0))
    assert np.array_equal(start_positions(64, 4.0, 7, given[:10]), lattice)  # other N
    assert np.array_equal(start_positions(64, 4.0, 7, None), lattice)
    bad = given.copy()
    bad[3, 1] = np.nan
    assert np.array_equal(start_positions(64, 4.0, 7, bad), lattice)


def test_refinement_runs_start_warm_and_resume_warm(tmp_path):
    """Real MD (LJ's bundled g(r), ρ = 0.512, LJ with a 0.3 k_BT bump as the start): the
    second run equilibrates a quarter as long from the first run's configuration and moves
    g(r) towards the target; a resumed refinement reads that configuration from the folder."""
    target = load_target(example_gr_path(), 0.512)
    r = np.linspace(0.8, 5.0, 600)
    u, f = parse_potential("lj:epsilon=0.5,rcut=5").evaluate(r)
    bump = 0.3 * np.exp(-(((r - 1.5) / 0.25) ** 2))
    lj = PairTable(r, u + bump, f + bump * 2 * (r - 1.5) / 0.25**2, name="lj+bump", check_force=False)
    settings = RefineSettings(method="ihnc", max_iter=2, min_steps=2000, max_steps=2000, equilibration=2000,
                              tol=1e-12, patience=10)
    res = refine(target, lj, settings, out_dir=tmp_path)
    its = res.history()
    warm = int(round(WARM_EQUILIBRATION * 2000))
    assert [it["md_steps"] - it["steps"] for it in its] == [2000, warm]
    pos = np.load(tmp_path / "iter-000" / POSITIONS_FILE, allow_pickle=False)
    assert pos.shape[0] > 100 and pos.shape[1] == 3 and np.all(np.isfinite(pos))
    assert its[1]["l_mse"] < 0.5 * its[0]["l_mse"], [it["l_mse"] for it in its]
    settings.max_iter = 3
    again = refine(target, lj, settings, out_dir=tmp_path).history()
    assert len(again) == 3 and again[2]["md_steps"] - again[2]["steps"] == warm
