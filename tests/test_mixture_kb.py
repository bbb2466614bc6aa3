"""Kirkwood–Buff targets of a mixture refinement: the running integral against exact values,
the spec's units, and a short LAMMPS refinement whose ramp moves G toward its target."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boltzmann_nn.errors import InputError
from boltzmann_nn.mixture.kb import KBSettings, kb_check, kb_ramps, running_kb, window_value
from boltzmann_nn.refine.target import make_target


def test_running_integral_of_exact_cases():
    r = np.linspace(0.0005, 4.0, 8000)
    assert np.allclose(running_kb(r, np.ones_like(r))[0][r > 0.1], 0.0, atol=1e-6)  # ideal gas
    step = np.where(r < 1.0, 0.0, 1.0)  # hard spheres at zero density: G = −4π/3
    assert running_kb(r, step)[0][-1] == pytest.approx(-4 * math.pi / 3, rel=2e-3)
    # dilute LJ: g = exp(−U/kT), G = −2 B2 (B2* = −0.6276 at T* = 2)
    r = np.linspace(0.001, 12.0, 24000)
    with np.errstate(over="ignore", divide="ignore"):
        g = np.exp(-4 * (r**-12 - r**-6) / 2.0)
    assert running_kb(r, g)[0][-1] == pytest.approx(2 * 0.6276 * 2 * math.pi / 3, rel=2e-3)


def test_window_error_follows_the_bin_errors():
    r = np.linspace(0.01, 3.0, 300)
    err = np.full_like(r, 0.01)
    rng = np.random.default_rng(0)
    vals = [window_value(r, 1 + rng.normal(0, 0.01, r.size), err, 2.0, 2.5)[0] for _ in range(300)]
    _, sig = window_value(r, np.ones_like(r), err, 2.0, 2.5)
    assert np.std(vals) == pytest.approx(sig, rel=0.25)


def test_ramp_pushes_an_excess_of_pairs_away():
    kb = KBSettings(r_start=2.0, r_stop=2.5, factor=0.1)
    r = np.linspace(0.5, 3.0, 251)
    target = make_target(r, np.ones_like(r), 0.5, np.full_like(r, 0.01))
    run_g = np.where(r < 1.5, 1.05, 1.0)  # more near neighbours than the target: G too large
    check = kb_check(kb, {"A-B": target}, r, {"A-B": run_g}, {"A-B": np.full_like(r, 0.01)})
    d = check["pairs"]["A-B"]
    assert d["diff"] > 0 and not check["ok"]
    ramp = kb_ramps(kb, {"A-B": r}, check)["A-B"]
    assert ramp[0] == pytest.approx(0.1 * d["diff"] * (1 - r[0] / r[-1])) and ramp[-1] == 0  # repulsive


def _spec(tmp_path, kb: str):
    for p in ("AA", "AB", "BB"):
        r = np.linspace(0.01, 2.0, 200)
        (tmp_path / f"g{p}.csv").write_text("r,g\n" + "".join(f"{a},{1.0}\n" for a in r))
    body = ('sigma = "0.5nm"\ntemperature = 300\ndensity = 5.2\n[species]\nA = 0.5\nB = 0.5\n[targets]\n'
            '"A-A" = "gAA.csv"\n"A-B" = "gAB.csv"\n"B-B" = "gBB.csv"\n' + kb)
    path = tmp_path / "spec.toml"
    path.write_text(body)
    return path


def test_spec_reads_kirkwood_buff_in_its_units(tmp_path):
    from boltzmann_nn.mixture.spec import read_spec

    spec = read_spec(_spec(tmp_path, '[kirkwood_buff]\nr_start = 0.8\nr_stop = 0.9\nfactor = 0.04\n'
                                     '[kirkwood_buff.targets]\n"B-A" = -0.0125\n'))
    kb = spec.kb
    assert kb.r_start == pytest.approx(1.6) and kb.r_stop == pytest.approx(1.8)  # nm → σ = 0.5 nm
    assert kb.targets == {"A-B": pytest.approx(-0.1)}                            # nm³ → σ³
    assert kb.factor == pytest.approx(0.04 * 0.125)                             # k_BT/nm³ → k_BT/σ³
    with pytest.raises(InputError, match="r_start and r_stop"):
        read_spec(_spec(tmp_path, "[kirkwood_buff]\nr_start = 0.8\n"))


def test_refinement_with_a_kb_target_moves_g_toward_it(tmp_path):
    """The true WCA binary as start, its own g_ij as targets, but a KB target for A-B below
    the truth's: iteration 0 is within noise in g yet not converged, and the ramp lowers G_AB."""
    from boltzmann_nn.engines.base import StatePoint
    from boltzmann_nn.mixture.md import simulate_mixture
    from boltzmann_nn.mixture.refine import MixtureSettings, refine_mixture
    from boltzmann_nn.mixture.system import Composition, PairPotentials
    from boltzmann_nn.potentials.spec import parse_potential

    comp = Composition(("A", "B"), (0.5, 0.5), 0.5)
    pots = {"A-A": parse_potential("wca:epsilon=1,sigma=1"), "A-B": parse_potential("wca:epsilon=1,sigma=0.9"),
            "B-B": parse_potential("wca:epsilon=1,sigma=0.8")}
    run = simulate_mixture(PairPotentials(comp.species, pots), comp,
                           StatePoint(0.5, steps=20000, equilibration=2000, blocks=10, seed=5, n_particles=500))
    keep = run.r < 3.0
    targets = {p: make_target(run.r[keep], run.g[p][keep], 0.5, run.g_err[p][keep]) for p in pots}
    g_ab = window_value(targets["A-B"].r, targets["A-B"].g, targets["A-B"].err, 2.0, 2.8)[0]
    kb = KBSettings(r_start=2.0, r_stop=2.8, factor=1.0, targets={"A-B": g_ab - 0.4})
    start = {p: v.tabulate(2000) for p, v in pots.items()}
    s = MixtureSettings(method="ihnc", max_iter=2, min_steps=8000, max_steps=8000, equilibration=1000,
                        n_particles=500, kb=kb)
    res = refine_mixture(comp, targets, start, {p: 1.2 for p in pots}, s, out_dir=tmp_path)
    first, second = (it.kb["pairs"]["A-B"] for it in res.iterations)
    assert not res.iterations[0].converged and first["diff"] > 0
    assert second["diff"] < first["diff"] - first["err"]
    assert "kirkwood_buff" in res.history()[0]
