"""Gauss–Newton with the HNC Jacobian and the pressure as a constraint (``hncgn``): its
linear response against the HNC solution it linearises, and the method in the HNC world,
where that response is exact."""

import numpy as np
import pytest

from boltzmann_nn.potentials.spec import parse_potential
from boltzmann_nn.potentials.table import PairTable
from boltzmann_nn.refine.linear_response import response_rows
from boltzmann_nn.refine.loop import RefineSettings, refine
from boltzmann_nn.refine.start import start_table
from boltzmann_nn.refine.target import make_target
from boltzmann_nn.theory.pressure import virial_pressure

from . import hnc_engine

R = (np.arange(200) + 0.5) * 0.025
LJ = "lj:epsilon=0.5,rcut=4"


class _Tab:
    """A pair potential tabulated on ``grid`` (0 beyond it), as the mixture HNC solver takes it."""

    def __init__(self, grid, u):
        self.grid, self.u = grid, u

    def evaluate(self, r):
        u = np.interp(r, self.grid, self.u, right=0.0)
        return u, -np.gradient(u, r)


@pytest.fixture
def hnc_world(monkeypatch):
    from boltzmann_nn.engines import registry

    monkeypatch.setitem(registry.ENGINES, "hnc-test", "tests.hnc_engine:HNCEngine")


@pytest.mark.parametrize("density", [0.5, 0.8])
def test_response_rows_predict_the_hnc_change_of_g_and_pressure(density):
    """A smooth change of U (0.05 k_BT at the first shell) moves the HNC g(r), averaged over
    the grid's bins, and the virial pressure of the HNC g(r) (the pressure MD reports) as the
    rows and p say (to 10 %)."""
    pot = parse_potential(LJ)
    grid = np.arange(0.7, 4.0 + 1e-9, 0.05)
    r = np.linspace(0.7, 4.0, 1200)
    u_r, f_r = pot.evaluate(r)
    bump_r = 0.05 * np.exp(-((r - 1.3) ** 2) / 0.08) * (1 - r / 4.0)
    bump_f = -np.gradient(bump_r, r)
    g, _ = hnc_engine.hnc_gr(PairTable(r, u_r, f_r, name="lj", check_force=False), density, R)
    g2, _ = hnc_engine.hnc_gr(PairTable(r, u_r + bump_r, f_r + bump_f, name="bumped", check_force=False),
                              density, R)
    force = np.interp(R, r, f_r, left=0.0, right=0.0)
    p = virial_pressure(R, g, force, density)
    p2 = virial_pressure(R, g2, force + np.interp(R, r, bump_f, left=0.0, right=0.0), density)
    u = np.minimum(pot.evaluate(grid)[0], 20.0)
    rows, p_row = response_rows(grid, u, R, g, density)
    du = np.interp(grid, r, bump_r)
    # the HNC change averaged over each grid point's bin
    fine = np.linspace(0.0, 4.0, 4001)[1:]
    dg_fine = np.interp(fine, R, g2 - g)
    h = grid[1] - grid[0]
    dg_bins = np.array([np.average(dg_fine[near], weights=fine[near] ** 2)
                        for near in (np.abs(fine - x) < h / 2 for x in grid)])
    pred = rows @ du
    seen = np.interp(grid, R, g) > 0.05
    assert np.sqrt(np.mean((pred - dg_bins)[seen] ** 2)) < 0.1 * np.sqrt(np.mean(dg_bins[seen] ** 2))
    assert abs(p_row @ du - (p2 - p)) < 0.1 * abs(p2 - p)


def test_hncgn_meets_a_lower_pressure_with_g_within_noise(hnc_world):
    """Dense LJ (ρ = 0.8) asked for 0.3 k_BT/σ³ less than its own pressure: the constrained
    step meets g(r) within noise and P within its tolerance in a few iterations (this world's
    pressure, the cavity route on a 0.01 grid, responds to U unlike the virial the step
    linearises, so the loop's own correction is tested too)."""
    pot = parse_potential(LJ)
    g, err, _ = hnc_engine.noisy_gr(pot, 0.8, R, 20000, 99)
    target = make_target(R, g, 0.8, err, "hnc-lj-dense")
    _, p_true = hnc_engine.hnc_gr(pot, 0.8, R)
    settings = RefineSettings(method="hncgn", max_iter=9, engine="hnc-test", r_cut=4.0, pressure=p_true - 0.3)
    res = refine(target, start_table("hnc", target), settings)
    assert res.converged and "P within" in res.reason
    assert len(res.iterations) <= 8  # 7 before a run within noise took the pressure ramp alone
    last = res.history()[-1]
    assert last["pressure_ok"] and last["chi2"] <= last["chi2_bound"]


def test_mixture_step_recovers_every_pair_and_the_pressure():
    """A binary Gaussian-core mixture (x_A = 0.6, ρ = 1) in the HNC world, noise-free: from
    potentials off by up to 0.15 k_BT (the unlike pair too repulsive), iterating the mixture's
    Gauss–Newton step (the matrix-OZ response of every g_ij to every U_kl, the mixture's
    virial pressure a constraint) returns every U_ij, every g_ij and the pressure."""
    from boltzmann_nn.refine.methods.base import Residual
    from boltzmann_nn.refine.methods.hncgn import gauss_newton
    from boltzmann_nn.theory.mixture_oz import MixtureOZSolver

    pairs = [(0, 0, "A-A"), (0, 1, "A-B"), (1, 1, "B-B")]
    x, rho = np.array([0.6, 0.4]), 1.0
    amp, width = {"A-A": 2.0, "A-B": 1.8, "B-B": 1.5}, {"A-A": 1.0, "A-B": 0.95, "B-B": 0.9}
    grid = np.arange(0.1, 3.0 + 1e-9, 0.05)
    truth = {p: amp[p] * (np.exp(-(grid / width[p]) ** 2) - np.exp(-(3.0 / width[p]) ** 2)) for p in amp}
    solver = MixtureOZSolver("hnc", n=2048, dr=0.01)

    def world(us):
        res = solver.solve({(i, j): _Tab(grid, us[p]) for i, j, p in pairs}, x, rho)
        g = {p: np.interp(R, res.r, res.g[i, j]) for i, j, p in pairs}
        vir = sum(x[i] * x[j] * (1 if i == j else 2) * np.sum(R**3 * _Tab(grid, us[p]).evaluate(R)[1] * g[p])
                  * 0.025 for i, j, p in pairs)
        return g, rho + 2 * np.pi / 3 * rho**2 * vir

    g_true, p_true = world(truth)
    us = {p: truth[p] + (0.2 if p == "A-B" else -0.1) * np.exp(-((grid - 0.8) ** 2) / 0.1) * (1 - grid / 3.0)
          for p in truth}
    start = max(float(np.max(np.abs(us[p] - truth[p]))) for p in truth)
    for _ in range(3):
        g, pressure = world(us)
        res = {p: Residual(grid=grid, u=us[p], g_target=np.interp(grid, R, g_true[p]),
                           g_run=np.interp(grid, R, g[p]), err=np.full(grid.size, 1e-6), density=rho,
                           pressure_run=pressure, pressure_target=p_true, run_r=R, run_g=g[p]) for p in truth}
        du = gauss_newton([(res, pairs, x, 1.0, 1.0)])
        us = {p: us[p] + du[p] - (us[p] + du[p])[-1] for p in truth}
    g, pressure = world(us)
    assert start > 0.14
    for p in truth:
        assert np.max(np.abs(us[p] - truth[p])) < 1e-3  # from 0.15 in three steps
        assert np.max(np.abs(g[p] - g_true[p])) < 5e-4
    assert abs(pressure - p_true) < 1e-5 * p_true


def test_stacked_step_recovers_one_potential_from_two_states():
    """Two states of one LJ fluid (k_BT = 2 ε at ρ = 0.5, 3 ε at ρ = 0.7) in the HNC world,
    noise-free: from a potential 0.3 ε too deep at the first shell, iterating the stacked
    Gauss–Newton step (both states' rows, one pressure constraint each, ΔU in units of ε)
    returns the true U where g(r) carries information and both pressures."""
    from boltzmann_nn.refine.methods.base import Residual
    from boltzmann_nn.refine.methods.hncgn import gauss_newton

    grid = np.arange(0.8, 3.0 + 1e-9, 0.05)
    r = np.linspace(0.8, 3.0, 900)
    u_true = np.minimum(parse_potential("lj:epsilon=1,rcut=3").evaluate(grid)[0], 30.0)
    states = {"a": (0.5, 2.0), "b": (0.7, 3.0)}

    def world(u, kT, rho):
        u_r = np.interp(r, grid, u) / kT
        table = PairTable(r, u_r, -np.gradient(u_r, r), name="u", check_force=False)
        g, _ = hnc_engine.hnc_gr(table, rho, R)
        return g, virial_pressure(R, g, np.interp(R, r, table.F, left=0.0, right=0.0), rho)

    truth = {n: world(u_true, kT, rho) for n, (rho, kT) in states.items()}
    u = u_true - 0.3 * np.exp(-((grid - 1.15) ** 2) / 0.02) * (1 - grid / 3.0)
    for _ in range(4):
        parts = []
        for n, (rho, kT) in states.items():
            g, p = world(u, kT, rho)
            res = Residual(grid=grid, u=u / kT, g_target=np.interp(grid, R, truth[n][0]),
                           g_run=np.interp(grid, R, g), err=np.full(grid.size, 1e-6), density=rho,
                           pressure_run=p, pressure_target=truth[n][1], run_r=R, run_g=g)
            parts.append(({"A-A": res}, [(0, 0, "A-A")], [1.0], kT, 1.0))
        u = u + gauss_newton(parts)["A-A"]
        u -= u[-1]
    seen = np.interp(grid, R, truth["a"][0]) > 0.05
    assert np.max(np.abs(u - u_true)[seen]) < 0.01  # from 0.185
    for n, (rho, kT) in states.items():
        g, p = world(u, kT, rho)
        assert abs(p - truth[n][1]) < 1e-3 * abs(truth[n][1])
        assert np.max(np.abs(g - truth[n][0])) < 0.003


@pytest.mark.parametrize("within_noise", [True, False])
def test_mixture_step_moves_only_the_pressure_when_g_is_within_noise(within_noise):
    """A binary Gaussian-core mixture at its own g_ij (run = target, within noise) asked for
    5 % less pressure: the step is one ramp A(1 − r/r_cut) shared by every pair that moves the
    mixture's virial at fixed g to the target; a run out of the noise gets the Gauss–Newton
    step instead (not a ramp)."""
    from boltzmann_nn.mixture.step import next_potentials
    from boltzmann_nn.mixture.system import Composition
    from boltzmann_nn.refine.target import make_target
    from boltzmann_nn.theory.mixture_oz import MixtureOZSolver

    comp = Composition(("A", "B"), (0.6, 0.4), 1.0)
    pairs = comp.pairs()
    amp, width = {"A-A": 2.0, "A-B": 1.8, "B-B": 1.5}, {"A-A": 1.0, "A-B": 0.95, "B-B": 0.9}
    grid = np.arange(0.1, 3.0 + 1e-9, 0.05)
    us = {p: amp[p] * (np.exp(-(grid / width[p]) ** 2) - np.exp(-(3.0 / width[p]) ** 2)) for p in amp}

    tabs = {(i, j): _Tab(grid, us[p]) for i, j, p in pairs}
    sol = MixtureOZSolver("hnc", n=2048, dr=0.01).solve(tabs, comp.x, 1.0)
    g = {p: np.interp(R, sol.r, sol.g[i, j]) for i, j, p in pairs}
    weight = {p: comp.x[i] * comp.x[j] * (1 if i == j else 2) for i, j, p in pairs}

    def virial(u):  # the mixture's virial pressure at the fixed g_ij
        return 1.0 + 2 * np.pi / 3 * sum(
            weight[p] * np.sum(R**3 * _Tab(grid, u[p]).evaluate(R)[1] * g[p]) * 0.025 for p in u)

    p_run = virial(us)
    targets = {p: make_target(R, g[p], 1.0, np.full(R.size, 1e-3)) for p in us}
    base = {"u": us, "within_noise": within_noise,
            "run": {"r": R, "g": g, "g_err": {p: np.full(R.size, 1e-3) for p in us}, "pressure": p_run}}
    grids = {p: grid for p in us}
    new = next_potentials("hncgn", comp, grids, targets, base, 1.0, 1.0, 0.95 * p_run)
    ramps = {p: (new[p] - us[p]) / (1.0 - grid / 3.0) for p in us}
    inner = grid < 2.9
    shared = [float(np.mean(ramps[p][inner])) for p in us]
    if within_noise:
        for p in us:
            assert np.ptp(ramps[p][inner]) < 1e-9  # a linear ramp to 0 at r_cut
        assert np.ptp(shared) < 1e-9 and shared[0] < 0  # one amplitude, attractive
        assert virial(new) == pytest.approx(0.95 * p_run, rel=2e-3)
    else:
        assert max(np.ptp(ramps[p][inner]) for p in us) > 1e-3
