"""Inverse Monte Carlo: the pair-count sampler against ideal-gas statistics and against the
engine's own g(r), and the Newton step against a case where it is exact.
"""

import math

import numpy as np
import pytest

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.engines.protocol import frame_interval
from boltzmann_nn.refine.pair_counts import PairCountSampler, hat_weights, imc_step, knots_for


def test_hat_basis_is_a_partition_of_unity_and_interpolates_linearly():
    knots = knots_for(3.0, 0.37)
    assert knots[0] <= 0.37 < knots[1] and knots[-1] == pytest.approx(3.0)
    r = np.random.default_rng(0).uniform(knots[0], knots[-1] - 1e-9, 5000)
    s = hat_weights(r, knots)
    assert s.sum() == pytest.approx(r.size)            # every distance counted once
    assert s @ knots == pytest.approx(r.sum())          # Σ_j φ_j(r) x_j = r
    assert hat_weights(np.array([knots[-1] + 0.1]), knots).sum() == 0


def test_frame_interval_divides_the_block():
    assert frame_interval(1000, 25) == 25
    assert frame_interval(1000, 30) in (25, 40)
    assert 1000 % frame_interval(1000, 33) == 0
    assert frame_interval(7, 100) == 7


def _gram(knots, fine):
    """∫ 4πr² φ_i φ_j dr of the hat basis."""
    h = knots[1] - knots[0]
    phi = np.clip(1 - np.abs(fine[None, :] - knots[:, None]) / h, 0, None)
    w = 4 * np.pi * fine**2 * np.gradient(fine)
    return (phi * w) @ phi.T


def test_sampler_covariance_of_an_ideal_gas_is_poisson():
    """Uncorrelated positions: pair counts in a hat are Poisson-like, so the covariance is
    (N(N−1)/2V) ∫ 4πr² φ_i φ_j dr (a Gram matrix), not the identity or the mean.
    """
    rng = np.random.default_rng(1)
    n, box = 400, 9.0
    knots = knots_for(3.0)
    sampler = PairCountSampler(knots, steps=10, force=lambda r: np.zeros_like(r))
    for _ in range(400):
        sampler(rng.uniform(0, box, (n, 3)), box)
    pair_density = n * (n - 1) / 2 / box**3
    fine = np.linspace(0, 3.0, 3001)
    expected = pair_density * _gram(knots, fine)
    cov = sampler.covariance()
    sel = (knots > 1.0) & (knots < 2.9)
    mean = sampler.mean()
    h = knots[1] - knots[0]
    assert np.allclose(mean[sel], pair_density * 4 * np.pi * knots[sel] ** 2 * h, rtol=0.03)
    diag = np.diag(cov)[sel] / np.diag(expected)[sel]
    assert abs(diag.mean() - 1) < 0.05                 # var = (2/3) mean for a hat
    off = np.array([cov[i, i + 1] / expected[i, i + 1] for i in np.nonzero(sel)[0]])
    assert abs(off.mean() - 1) < 0.15                  # neighbours overlap: + (1/6) mean
    assert abs(cov[np.ix_(sel, sel)][np.triu_indices(sel.sum(), 3)]).mean() < 0.05 * np.diag(cov)[sel].mean()
    # raising U by a hat raises P as the second virial coefficient says: ∂P/∂c_j =
    # ρ² 2π ∫ φ_j r² dr = ⟨S_j⟩/V (from W_j by parts, no covariance term at U = 0)
    a = sampler.pressure_gradient() / (mean / box**3)
    assert abs(a[sel].mean() - 1) < 0.03 and np.allclose(a[sel], 1, atol=0.3)  # W_j is a noisy difference


def test_imc_step_is_exact_for_a_dilute_gas():
    """For an ideal gas perturbed by a small δU, g_target = exp(−δU) and the exact Jacobian
    is the Gram matrix above: the step recovers δU (its projection on the hats).
    """
    n, rho = 1000, 0.01
    knots = knots_for(4.0)
    grid = np.linspace(0.5, 4.0, 351)
    delta = 0.05 * np.exp(-((grid - 2.0) / 0.4) ** 2)
    dg = 1.0 - np.exp(-delta)                             # g_run = 1, g_target = e^{−δ}
    cov = 0.5 * n * rho * _gram(knots, np.linspace(0, 4.0, 4001))
    du = imc_step(grid, dg, rho, n, knots, cov, np.ones(grid.size, bool))
    inside = grid > 1.0
    assert np.max(np.abs(du - delta)[inside]) < 0.05 * delta.max()


def test_pressure_constrained_step_meets_the_pressure_with_the_least_change():
    rng = np.random.default_rng(4)
    knots = knots_for(3.0)
    m = knots.size
    x = rng.normal(size=(m, 3 * m))
    cov = x @ x.T / (3 * m)
    grid = np.linspace(0.0, 3.0, 301)
    dg = 0.02 * np.sin(3 * grid)
    free = imc_step(grid, dg, 0.5, 1000, knots, cov, np.ones(grid.size, bool))
    a = rng.normal(size=m)
    c_free = np.interp(knots[:-1], grid, free)
    for dp in (a[:-1] @ c_free, a[:-1] @ c_free + 0.3):
        du = imc_step(grid, dg, 0.5, 1000, knots, cov, np.ones(grid.size, bool), pressure=(a, dp))
        c = np.interp(knots[:-1], grid, du)
        assert a[:-1] @ c == pytest.approx(dp, abs=1e-6)
    assert np.allclose(imc_step(grid, dg, 0.5, 1000, knots, cov, np.ones(grid.size, bool),
                                pressure=(a, a[:-1] @ c_free)), free, atol=1e-9)


@pytest.mark.parametrize("engine", ["lammps", "openmm"])
def test_sampler_in_an_engine_run_matches_its_g(engine):
    """Frames taken by the run protocol give the pair counts the engine's g(r) implies
    (LAMMPS splits each block at the sampler's interval; OpenMM takes its g(r) frames)."""
    from boltzmann_nn.engines.registry import get_engine
    from boltzmann_nn.potentials.base import NamedPotential

    if engine == "openmm":
        pytest.importorskip("openmm")
    state = StatePoint(density=0.5, seed=3, equilibration=1000, steps=4000, blocks=4)
    knots = knots_for(2.5)
    sampler = PairCountSampler(knots, steps=state.steps)
    sampler.every = 100
    kwargs = {"platform": "CPU"} if engine == "openmm" else {}
    res = get_engine(engine, **kwargs).run(NamedPotential("lj", {}, r_cut=2.5), state, sampler=sampler)
    assert res.ok and sampler.frames == state.steps // 100
    n = res.settings["n_particles"]
    fine = np.linspace(0, 2.5, 2501)
    g = np.interp(fine, res.r, res.g, left=0.0)
    h = knots[1] - knots[0]
    phi = np.clip(1 - np.abs(fine[None, :] - knots[:, None]) / h, 0, None)
    expect = 0.5 * n * state.density * (phi * 4 * math.pi * fine**2 * g * np.gradient(fine)).sum(axis=1)
    mean = sampler.mean()
    sel = (knots > 1.2) & (knots < 2.4)
    assert np.allclose(mean[sel], expect[sel], rtol=0.03)


def test_imc_refinement_with_lammps_repairs_a_perturbed_potential():
    """Real MD: LJ with a 0.5 k_BT bump added at 1.5σ, refined against LJ's bundled g(r)
    (ρ = 0.512): one IMC step takes most of the bump out (g and U)."""
    from boltzmann_nn.potentials.spec import parse_potential
    from boltzmann_nn.potentials.table import PairTable
    from boltzmann_nn.reference import example_gr_path
    from boltzmann_nn.refine.loop import RefineSettings, refine
    from boltzmann_nn.refine.target import load_target

    target = load_target(example_gr_path(), 0.512)
    lj = parse_potential("lj:epsilon=0.5,rcut=5")
    r = np.linspace(0.8, 5.0, 600)
    u, f = lj.evaluate(r)
    bump = 0.5 * np.exp(-(((r - 1.5) / 0.25) ** 2))
    start = PairTable(r, u + bump, f + bump * 2 * (r - 1.5) / 0.25**2, name="lj+bump", check_force=False)
    settings = RefineSettings(method="imc", max_iter=2, min_steps=4000, max_steps=16000, equilibration=2000)
    res = refine(target, start, settings)
    its = res.history()
    assert len(its) == 2 and its[1]["steps"] >= 16000
    assert its[1]["l_mse"] < 0.25 * its[0]["l_mse"], [it["l_mse"] for it in its]
    near = (res.grid > 1.2) & (res.grid < 1.8)
    u_true = lj.evaluate(res.grid)[0] - lj.evaluate(res.grid[-1:])[0]
    err0 = np.abs(np.interp(res.grid, r, u + bump) - u_true)[near].max()
    assert np.abs(res.u - u_true)[near].max() < 0.5 * err0


def test_imc_with_a_target_pressure_moves_the_pressure_to_it():
    """Real MD: LJ's bundled g(r) at ρ = 0.512 from the HNC inversion, with and without the
    pressure of the true LJ (0.568): the constrained steps bring P close to it while g(r)
    stays as close to the target."""
    from boltzmann_nn.reference import example_gr_path
    from boltzmann_nn.refine.loop import RefineSettings, refine
    from boltzmann_nn.refine.start import start_table
    from boltzmann_nn.refine.target import load_target

    target = load_target(example_gr_path(), 0.512)
    p_true = 0.5679
    settings = RefineSettings(method="imc", max_iter=3, pressure=p_true, equilibration=2000)
    res = refine(target, start_table("hnc", target), settings)
    its = res.history()
    p0, p_last = its[0]["pressure"], its[-1]["pressure"]
    assert abs(p_last - p_true) < max(0.5 * abs(p0 - p_true), 0.03), [it["pressure"] for it in its]
    assert its[-1]["l_mse"] < 2 * its[0]["l_mse"] + 1e-5
