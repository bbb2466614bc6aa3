"""Inverse Monte Carlo for mixtures: the stacked pair-count sampler against ideal-gas
statistics and against the engine's own partial g_ij, the joint Newton step where it is
exact, and a short LAMMPS refinement that resumes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boltzmann_nn.engines.base import StatePoint
from boltzmann_nn.mixture.imc import MixturePairCounts, mixture_imc_step, pairs_per_shell
from boltzmann_nn.mixture.system import Composition
from boltzmann_nn.refine.pair_counts import knots_for

COMP = Composition(("A", "B"), (0.6, 0.4), 0.8)


def _ideal_sampler(n=500, box=8.5, frames=300, seed=2):
    """Pair counts of uncorrelated positions (an ideal binary gas), species fixed per particle."""
    rng = np.random.default_rng(seed)
    counts = COMP.counts(n)
    types = np.repeat(np.arange(2), counts)
    knots = {name: knots_for(3.0, 0.5) for name in COMP.pair_names()}
    sampler = MixturePairCounts(COMP.pairs(), knots, steps=10)
    for _ in range(frames):
        sampler(rng.uniform(0, box, (n, 3)), types, box)
    return sampler, counts, box**3


def test_ideal_binary_counts_follow_the_pair_densities_and_do_not_correlate_across_pairs():
    sampler, counts, vol = _ideal_sampler()
    mean = sampler.mean()
    cov = sampler.covariance()
    for i, j, name in COMP.pairs():
        knots = sampler.knots[name]
        h = knots[1] - knots[0]
        sel = (knots > 1.0) & (knots < 2.9)
        expect = pairs_per_shell(counts, vol, i, j) * 4 * math.pi * knots[sel] ** 2 * h
        assert np.allclose(mean[sampler.slices[name]][sel], expect, rtol=0.04), name
    # uncorrelated positions: a hat's A-A count says nothing of its A-B or B-B count
    aa, ab = sampler.slices["A-A"], sampler.slices["A-B"]
    diag = np.sqrt(np.diag(cov))
    corr = cov / np.outer(diag, diag)
    assert abs(np.diag(corr[aa, ab])[10:]).mean() < 0.1
    assert np.diag(corr[aa, aa], 1)[10:].mean() > 0.2  # neighbouring hats of one pair overlap


def test_joint_step_recovers_each_pairs_perturbation_of_an_ideal_binary():
    """For an ideal binary perturbed by small δU_ij, g_target,ij = exp(−δU_ij) and the
    exact Jacobian is block-diagonal, each block the pair density times the hats' Gram
    matrix (the sampled one above, without its noise): the one joint solve returns every δU_ij."""
    sampler, counts, vol = _ideal_sampler(frames=2)
    fine = np.linspace(0, 3.0, 3001)
    cov = np.zeros((sampler.mean().size,) * 2)
    for i, j, name in COMP.pairs():
        knots = sampler.knots[name]
        phi = np.clip(1 - np.abs(fine[None, :] - knots[:, None]) / (knots[1] - knots[0]), 0, None)
        gram = (phi * 4 * np.pi * fine**2 * np.gradient(fine)) @ phi.T
        sl = sampler.slices[name]
        cov[sl, sl] = pairs_per_shell(counts, vol, i, j) * gram
    sampler.covariance = lambda: cov
    grid = np.linspace(0.5, 3.0, 251)
    shapes = {"A-A": (1.2, 0.05), "A-B": (1.8, -0.04), "B-B": (2.2, 0.03)}
    delta = {p: a * np.exp(-((grid - c) / 0.3) ** 2) for p, (c, a) in shapes.items()}
    res = {p: (np.exp(-d), np.ones_like(grid), np.zeros_like(grid)) for p, d in delta.items()}
    du = mixture_imc_step(COMP, {p: grid for p in delta}, res, sampler, counts, vol)
    inside = (grid > 0.8) & (grid < 2.8)
    for p, d in delta.items():
        assert np.max(np.abs(du[p] - d)[inside]) < 0.05 * np.abs(d).max(), p


def test_sampler_in_a_mixture_run_matches_its_partial_g():
    """Frames of a LAMMPS mixture run give the pair counts its partial g_ij imply: the
    species of every position are the run's own (atoms sorted by LAMMPS)."""
    from boltzmann_nn.mixture.md import simulate_mixture
    from boltzmann_nn.mixture.system import PairPotentials
    from boltzmann_nn.potentials.spec import parse_potential

    pots = PairPotentials(COMP.species, {
        "A-A": parse_potential("wca:epsilon=1,sigma=1"),
        "A-B": parse_potential("wca:epsilon=1,sigma=0.9"),
        "B-B": parse_potential("wca:epsilon=1,sigma=0.8"),
    })
    state = StatePoint(density=0.8, steps=4000, equilibration=1000, blocks=4, seed=3, n_particles=400)
    knots = {name: knots_for(2.5) for name in COMP.pair_names()}
    sampler = MixturePairCounts(COMP.pairs(), knots, steps=state.steps)
    sampler.every = 100
    res = simulate_mixture(pots, COMP, state, sampler=sampler)
    assert res.ok and sampler.frames == state.steps // 100
    counts = [res.settings["counts"][s] for s in COMP.species]
    vol = res.settings["box"] ** 3
    fine = np.linspace(0, 2.5, 2501)
    for i, j, name in COMP.pairs():
        g = np.interp(fine, res.r, res.g[name], left=0.0)
        h = knots[name][1] - knots[name][0]
        phi = np.clip(1 - np.abs(fine[None, :] - knots[name][:, None]) / h, 0, None)
        shell = phi * 4 * math.pi * fine**2 * g * np.gradient(fine)
        expect = pairs_per_shell(counts, vol, i, j) * shell.sum(axis=1)
        sel = (knots[name] > 1.2) & (knots[name] < 2.4)
        assert np.allclose(sampler.mean()[sampler.slices[name]][sel], expect[sel], rtol=0.04), name


def test_imc_refinement_of_a_binary_improves_on_its_start_and_resumes(tmp_path):
    """A WCA binary's partial g_ij as targets, Boltzmann inversion as the start: the joint
    IMC step brings every g_ij closer, and a killed refinement resumes with its measured step."""
    import json

    from boltzmann_nn.mixture.md import simulate_mixture
    from boltzmann_nn.mixture.refine import STATE_FILE, MixtureSettings, refine_mixture
    from boltzmann_nn.mixture.start import start_tables
    from boltzmann_nn.mixture.system import PairPotentials
    from boltzmann_nn.potentials.spec import parse_potential
    from boltzmann_nn.refine.target import make_target

    comp = Composition(("A", "B"), (0.6, 0.4), 0.6)
    truth = PairPotentials(comp.species, {
        "A-A": parse_potential("wca:epsilon=1,sigma=1"),
        "A-B": parse_potential("wca:epsilon=1,sigma=0.9"),
        "B-B": parse_potential("wca:epsilon=1,sigma=0.8"),
    })
    run = simulate_mixture(truth, comp, StatePoint(density=0.6, steps=16000, equilibration=2000, blocks=10,
                                                   seed=11, n_particles=400))
    assert run.ok
    keep = run.r < 2.5
    targets = {p: make_target(run.r[keep], run.g[p][keep], 0.6, run.g_err[p][keep]) for p in comp.pair_names()}
    start = start_tables("boltzmann", comp, targets)
    r_cut = {p: 1.5 for p in comp.pair_names()}
    s = MixtureSettings(method="imc", max_iter=2, min_steps=4000, max_steps=8000, equilibration=1000,
                        n_particles=400)
    res = refine_mixture(comp, targets, start, r_cut, s, out_dir=tmp_path, start_name="boltzmann")
    first, second = res.iterations
    assert first.measured is not None and set(first.measured) == set(comp.pair_names())
    assert second.comparison.l_mse < 0.6 * first.comparison.l_mse, res.history()
    saved = json.loads((tmp_path / STATE_FILE).read_text())
    assert "measured" in saved["iterations"][0]
    s.max_iter = 3
    again = refine_mixture(comp, targets, start, r_cut, s, out_dir=tmp_path, start_name="boltzmann")
    assert len(again.iterations) >= 2
    assert np.allclose(again.iterations[0].measured["A-B"], first.measured["A-B"])
    assert again.iterations[1].comparison.l_mse == pytest.approx(second.comparison.l_mse)
