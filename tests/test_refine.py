"""Validation and refinement: noise estimates, the χ² criterion, the HNC-Jacobian step (exact
in the HNC world), the decision rules, resume after a kill, real MD end to end, bad input."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from boltzmann_nn.cli import main
from boltzmann_nn.errors import InputError
from boltzmann_nn.potentials.spec import parse_potential
from boltzmann_nn.reference import example_gr_path
from boltzmann_nn.refine.compare import compare
from boltzmann_nn.refine.loop import MIN_ALPHA, MIN_FIT, RefineSettings, decide, fitted_alpha, refine
from boltzmann_nn.refine.methods import get_method
from boltzmann_nn.refine.record import IterationRecord
from boltzmann_nn.refine.start import start_table
from boltzmann_nn.refine.target import estimate_error, make_target
from boltzmann_nn.refine.updates import denoise

from . import hnc_engine

ROOT = Path(__file__).resolve().parents[1]
R = (np.arange(200) + 0.5) * 0.025
LJ = "lj:epsilon=0.5,rcut=4"


@pytest.fixture(scope="module")
def lj_hnc():
    g, p = hnc_engine.hnc_gr(parse_potential(LJ), 0.5, R)
    return g, p


def _hnc_target(seed=99):
    g, err, _ = hnc_engine.noisy_gr(parse_potential(LJ), 0.5, R, 20000, seed)
    return make_target(R, g, 0.5, err, "hnc-lj")


def test_noise_estimate_recovers_the_histogram_law(lj_hnc, rng):
    g, _ = lj_hnc
    sigma = 3e-3 * np.sqrt(g) / R
    est = estimate_error(R, g + rng.normal(size=R.size) * sigma)
    inside = g > 0.5
    ratio = np.median(est[inside] / sigma[inside])
    assert 0.75 < ratio < 1.3


def _block_average(g, scale, blocks, rng):
    """g(r) and its standard error from ``blocks`` noisy block averages (histogram law)."""
    sigma = scale * np.sqrt(np.maximum(g, 0)) / R
    samples = g + rng.normal(size=(blocks, R.size)) * sigma * np.sqrt(blocks)
    return np.maximum(samples.mean(axis=0), 0.0), samples.std(axis=0, ddof=1) / np.sqrt(blocks)


def test_chi2_with_block_errors_is_calibrated(lj_hnc, rng):
    # a perfect potential: run (10 blocks, as refine runs) and target (20 blocks, as the
    # dataset) both scatter about the same g; their own block errors judge the match
    g, _ = lj_hnc
    chi2, raw, inside = [], [], 0
    for _ in range(40):
        g_t, e_t = _block_average(g, 3e-3, 20, rng)
        g_r, e_r = _block_average(g, 5e-3, 10, rng)
        c = compare(make_target(R, g_t, 0.5, e_t), R, g_r, e_r)
        chi2.append(c.chi2)
        inside += c.within_noise
        info = (g_t > 1e-3) | (g_r > 1e-3)
        raw.append(np.mean(((g_r - g_t) ** 2 / (e_t**2 + e_r**2))[info]))
    # unpooled, the uncertain block variances bias chi2/n upwards (9/7 for 10 blocks alone)
    assert np.mean(raw) > 1.08
    assert abs(np.mean(chi2) - 1.0) < 0.06 and inside >= 38


def test_chi2_of_pure_noise_is_near_one(lj_hnc, rng):
    g, _ = lj_hnc
    err = 2e-3 * np.sqrt(g) / R
    chi2, inside = [], 0
    for _ in range(40):
        target = make_target(R, np.maximum(g + rng.normal(size=R.size) * err, 0), 0.5, err)
        c = compare(target, R, g + rng.normal(size=R.size) * err * 0.5, err * 0.5)
        chi2.append(c.chi2)
        inside += c.within_noise
    assert abs(np.mean(chi2) - 1.0) < 0.05 and inside >= 37
    off = compare(target, R, g * 1.02, err * 0.5)  # a 2 % error is far outside the noise
    assert not off.within_noise and off.l_mse > 10 * off.noise_mse


def test_denoise_removes_noise_and_keeps_signal(rng):
    err = np.full(300, 1e-3)
    noise = rng.normal(size=300) * err
    assert np.mean(np.abs(denoise(noise, err))) < 0.3 * np.mean(np.abs(noise))
    x = np.linspace(0, 6, 300)
    signal_ = 0.02 * np.exp(-((x - 2) ** 2) / 0.1)
    kept = denoise(signal_ + noise, err)
    assert np.max(np.abs(kept - signal_)) < 0.2 * signal_.max()


def test_ihnc_step_is_exact_in_the_hnc_world(lj_hnc):
    """One Newton step with the HNC Jacobian takes a potential to the one whose HNC g(r)
    is the target (here from WCA to LJ), where IBI moves only part of the way."""
    g_target, _ = lj_hnc
    wca = parse_potential("wca")
    g_wca, _ = hnc_engine.hnc_gr(wca, 0.5, R)
    true = parse_potential(LJ).evaluate(R)[0]
    start = wca.evaluate(R)[0]
    ok = (g_target > 0.05) & (g_wca > 0.05) & (R < 3.9)
    err = {}
    for method in ("ihnc", "ibi"):
        d = (start + get_method(method).update(R, g_wca, g_target, 0.5) - true)[ok]
        err[method] = np.mean(np.abs(d - np.median(d)))  # U is defined up to a constant
    assert err["ihnc"] < 0.01 and err["ibi"] > 10 * err["ihnc"], err


def test_significant_differences_are_not_smoothed_away(lj_hnc):
    # at the edge of the core g rises steeply; a difference that changes sign within a few
    # bins (a wiggle of the start) is significant point by point and must be corrected
    g_t, _ = lj_hnc
    err = 2e-3 * np.ones_like(R)
    i = int(np.argmax(g_t > 0.3))
    g_run = g_t.copy()
    g_run[i] += 7 * err[i]
    g_run[i + 2] -= 6 * err[i + 2]
    for method in ("ibi", "ihnc"):
        du = get_method(method).update(R, g_run, g_t, 0.5, err)
        assert du[i] > 0.5 * np.log(g_run[i] / g_t[i]) and du[i + 2] < 0.5 * np.log(g_run[i + 2] / g_t[i + 2])
    # while differences within the noise leave U alone
    quiet = g_t + np.where(np.arange(R.size) % 2, 1, -1) * err
    assert np.max(np.abs(get_method("ibi").update(R, quiet, g_t, 0.5, err))) < 1e-3


def test_decide_rules():
    s = RefineSettings(max_iter=10, patience=2)

    def rec(l_mse, alpha=1.0, base=None, usable=True, within=False, run_noise=1e-6, steps=4000, **extra):
        run = {"r_run": [1.0], "g_run": [1.0], "g_err_run": [0.0]} if usable else {}
        return IterationRecord.from_json({
            "iteration": 0, "u": [0.0], "ok": usable, "md_steps": steps, "l_mse": l_mse,
            "run_noise_mse": run_noise, "target_noise_mse": 1e-6, "noise_mse": run_noise + 1e-6,
            "within_noise": within, "chi2": 1.0, "chi2_bound": 1.3, "alpha": alpha, "base": base,
            "steps": steps, "reason": "x", **run, **extra})

    assert decide([rec(1e-3)], s).base == 0
    # within noise but the run noisier than the target: keep going, longer
    plan = decide([rec(1e-3), rec(2e-5, base=0, within=True, run_noise=1e-5)], s)
    assert not plan.stop and plan.steps > 4000
    assert decide([rec(1e-3), rec(2e-6, base=0, within=True)], s).converged
    # a divergence returns to the best iterate with half the step
    plan = decide([rec(1e-3), rec(1e-4, base=0), rec(5e-3, base=1)], s)
    assert plan.base == 1 and plan.alpha == 0.5
    # ... or with the step its overshoot measured, where that is shorter (not below MIN_ALPHA)
    assert decide([rec(1e-3), rec(1e-4, base=0), rec(5e-3, base=1, alpha_fit=0.18)], s).alpha == 0.18
    assert decide([rec(1e-3), rec(1e-4, base=0), rec(5e-3, base=1, alpha_fit=0.01)], s).alpha == MIN_ALPHA
    assert decide([rec(1e-3), rec(1e-4, base=0), rec(5e-3, base=1, alpha_fit=0.8)], s).alpha == 0.5
    plan = decide([rec(1e-3), rec(1e-2, base=0, usable=False, alpha=MIN_ALPHA)], s)
    assert plan.stop and not plan.converged and "diverged" in plan.reason
    plan = decide([rec(1e-3), rec(1e-4, base=0), rec(1.5e-4, base=1), rec(1.2e-4, base=1)], s)
    assert plan.stop and "no improvement" in plan.reason
    assert decide([rec(1e-3 / (k + 1), base=k - 1) for k in range(10)], s).reason.startswith("reached")
    # a Newton step's next length is the one its response asked for, within [MIN_FIT, 1]
    fit = [rec(1e-3), rec(1e-4, base=0, alpha_fit=0.4)]
    assert decide(fit, s).alpha == 0.4
    fit[1].step.alpha_fit = 0.01
    assert decide(fit, s).alpha == MIN_FIT
    # with a target pressure, g within noise is not enough
    off = {"pressure_ok": False, "pressure_diff": 0.3, "pressure_tol": 0.05}
    plan = decide([rec(1e-3), rec(2e-6, base=0, within=True, **off)], s)
    assert not plan.stop and plan.base == 1
    assert decide([rec(1e-3), rec(2e-6, base=0, within=True, **{**off, "pressure_ok": True})], s).converged


def test_fitted_alpha_measures_the_overshoot(lj_hnc, rng):
    g_t, _ = lj_hnc
    target = make_target(R, g_t, 0.5, 1e-3 * np.ones_like(R))
    bump = 0.05 * np.exp(-((R - 1.5) / 0.2) ** 2)
    err = 2e-3 * np.sqrt(g_t) / R

    def run(g, alpha=1.0):
        noisy = np.maximum(g + rng.normal(size=R.size) * err, 0)
        return IterationRecord.from_json({"iteration": 1, "u": [0.0], "ok": True, "steps": 4000,
                                          "md_steps": 4000, "r_run": R, "g_run": noisy, "g_err_run": err,
                                          "alpha": alpha})

    base = run(g_t + bump)
    # the full step moved g 1.6 times as far as needed: 1/1.6 of it was right
    assert abs(fitted_alpha(R, target, base, run(g_t - 0.6 * bump)) - 1 / 1.6) < 0.08
    # half a step that moved g half-way: the full step was right
    assert abs(fitted_alpha(R, target, base, run(g_t + 0.5 * bump, alpha=0.5)) - 1.0) < 0.12
    # a move within the runs' noise says nothing
    assert fitted_alpha(R, target, base, run(g_t + bump)) is None


@pytest.fixture
def hnc_world(monkeypatch):
    from boltzmann_nn.engines import registry

    monkeypatch.setitem(registry.ENGINES, "hnc-test", "tests.hnc_engine:HNCEngine")


def test_ihnc_converges_faster_than_ibi_in_the_hnc_world(hnc_world, tmp_path):
    target = _hnc_target()
    runs = {}
    for method in ("ihnc", "ibi"):
        start = start_table("boltzmann", target)
        res = refine(target, start, RefineSettings(method=method, max_iter=8, engine="hnc-test",
                                                   r_cut=4.0), out_dir=tmp_path / method)
        runs[method] = res
    assert runs["ihnc"].converged and len(runs["ihnc"].iterations) <= 5
    assert runs["ihnc"].md_steps < runs["ibi"].md_steps or not runs["ibi"].converged
    true = parse_potential(LJ)
    grid = runs["ihnc"].grid
    inside = (grid > 1.0) & (grid < 3.5)
    u_true = true.evaluate(grid)[0]
    assert np.mean(np.abs(runs["ihnc"].u[inside] - u_true[inside])) < 0.05
    assert (tmp_path / "ihnc" / "iter-000" / "table.csv").exists()


def test_a_target_pressure_fixes_what_g_cannot(hnc_world):
    """A linear offset of the tail barely moves g(r) but moves P by 60 %: g alone ends
    within noise at the wrong pressure, the virial ramp brings P within its tolerance."""
    from boltzmann_nn.potentials.table import PairTable

    target = _hnc_target()
    true = parse_potential(LJ)
    _, p_true = hnc_engine.hnc_gr(true, 0.5, R)
    r = np.linspace(0.7, 4.0, 600)
    u, f = true.evaluate(r)
    start = PairTable(r, u + 0.05 * (1 - r / 4), f + 0.05 / 4, name="tail-off", check_force=False)
    free, fixed = (refine(target, start, RefineSettings(method="ihnc", max_iter=6, engine="hnc-test",
                                                         r_cut=4.0, pressure=p)) for p in (None, p_true))
    assert free.converged and fixed.converged
    last = fixed.history()[fixed.best]
    assert last["pressure_ok"] and abs(last["pressure"] - p_true) <= 0.02 * p_true
    assert "P within" in fixed.reason
    assert abs(free.history()[free.best]["pressure"] - p_true) > 0.05 * p_true
    grid = fixed.grid
    tail = grid > 2.0
    u_true = true.evaluate(grid)[0]
    assert np.mean(np.abs(fixed.u - u_true)[tail]) < np.mean(np.abs(free.u - u_true)[tail])


@pytest.mark.parametrize("spec, density, r0", [(LJ, 0.5, 0.7), ("wca", 0.7, 0.7),
                                               ("gauss:epsilon=2,rcut=4", 0.6, 0.0)])
def test_virial_ramp_moves_the_pressure_and_hardly_g(spec, density, r0):
    """A ramp sized for ΔP = +0.1 moves the HNC pressure by 0.1 (± 10 %) and g by < 0.005."""
    from boltzmann_nn.potentials.table import PairTable
    from boltzmann_nn.refine.updates import virial_ramp

    pot = parse_potential(spec)
    g, p = hnc_engine.hnc_gr(pot, density, R)
    grid = np.append(R[(R > r0) & (R < 4.0)], 4.0)
    u = pot.evaluate(grid)[0]
    g_grid = np.interp(grid, R, g)
    ramp = virial_ramp(grid, density, p, p + 0.1, np.minimum(u, 20.0), g_grid, g_grid, np.zeros_like(grid))
    a = ramp[0] / (1 - grid[0] / 4.0)
    assert np.allclose(ramp, a * (1 - grid / 4.0)) and a > 0
    r = np.linspace(max(r0, 1e-3), 4.0, 800)
    u_r, f_r = pot.evaluate(r)
    g2, p2 = hnc_engine.hnc_gr(PairTable(r, u_r + a * (1 - r / 4.0), f_r + a / 4.0, name="ramped",
                                         check_force=False), density, R)
    assert abs((p2 - p) - 0.1) < 0.01
    assert np.max(np.abs(g2 - g)[R > 0.9]) < 0.005


def test_interrupted_refinement_resumes_to_the_same_answer(hnc_world, tmp_path):
    target = _hnc_target(seed=5)
    settings = RefineSettings(method="ibi", max_iter=5, engine="hnc-test", r_cut=4.0)
    whole = refine(target, start_table("boltzmann", target), settings, out_dir=tmp_path / "whole")

    class Stop(Exception):
        pass

    def stop_after_two(rec):
        if rec.iteration == 1:
            raise Stop

    with pytest.raises(Stop):
        refine(target, start_table("boltzmann", target), settings, out_dir=tmp_path / "cut",
               on_iteration=stop_after_two)
    assert len(json.loads((tmp_path / "cut" / "refine.json").read_text())["iterations"]) == 2
    resumed = refine(target, start_table("boltzmann", target), settings, out_dir=tmp_path / "cut")
    assert resumed.distances == whole.distances and np.array_equal(resumed.u, whole.u)
    other = RefineSettings(method="ihnc", max_iter=5, engine="hnc-test", r_cut=4.0)
    with pytest.raises(Exception, match="other settings"):
        refine(target, start_table("boltzmann", target), other, out_dir=tmp_path / "cut")


def test_a_refinement_folder_refuses_another_start(hnc_world, tmp_path):
    target = _hnc_target(seed=5)
    settings = RefineSettings(method="ibi", max_iter=1, engine="hnc-test", r_cut=4.0)
    refine(target, start_table("boltzmann", target), settings, out_dir=tmp_path, start_name="boltzmann")
    more = RefineSettings(method="ibi", max_iter=2, engine="hnc-test", r_cut=4.0)
    with pytest.raises(InputError, match="started from 'boltzmann', not 'hnc'"):
        refine(target, start_table("hnc", target), more, out_dir=tmp_path, start_name="hnc")
    again = refine(target, start_table("boltzmann", target), more, out_dir=tmp_path, start_name="boltzmann")
    assert len(again.iterations) == 2


def test_refine_checks_its_output_folder_before_any_md(tmp_path):
    from boltzmann_nn.api import refine_potential

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(InputError, match="a file of that name exists"):
        refine_potential(tmp_path / "missing.csv", 0.5, out=blocker)
    with pytest.raises(InputError, match="a file"):
        refine_potential(tmp_path / "missing.csv", 0.5, out=blocker / "sub")


def test_sigkill_during_refine_then_resume(tmp_path):
    target = _hnc_target(seed=8)
    gr = tmp_path / "target.csv"
    from boltzmann_nn.io.potential_files import write_gr_csv

    write_gr_csv(gr, target.r, target.g, extra={"g_err": target.err})
    out = tmp_path / "out"
    script = ("import sys; from tests import hnc_engine; hnc_engine.register(); hnc_engine.DELAY = 1.0; "
              "from boltzmann_nn.cli import main; sys.exit(main(sys.argv[1:]))")
    args = [sys.executable, "-c", script, "refine", str(gr), "--density", "0.5", "--start", "boltzmann",
            "--method", "ibi", "--engine", "hnc-test", "--max-iter", "6", "--r-cut", "4", "--out", str(out),
            "--json"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    end = time.time() + 120
    state = out / "refine.json"
    while time.time() < end and not (state.exists() and len(json.loads(state.read_text())["iterations"]) >= 2):
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    n_before = len(json.loads(state.read_text())["iterations"])  # valid JSON: written atomically
    assert n_before >= 2 and not list(out.glob(".*.tmp"))
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    res = json.loads(done.stdout)
    assert res["iterations"] >= n_before and len(res["distance"]) == res["iterations"]
    assert Path(res["table"]).exists() and (out / "final.table").exists()


def test_validate_with_lammps(tmp_path):
    """Real MD, a short run: the LJ potential against its own bundled g(r)."""
    gr = str(example_gr_path())
    out = subprocess.run([sys.executable, "-m", "boltzmann_nn", "validate", "lj:epsilon=0.5,rcut=5", "--target",
                          gr, "--density", "0.512", "--steps", "4000", "--equilibration", "2000", "--json",
                          "--out", str(tmp_path / "val")], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    v = json.loads(out.stdout)
    for key in ("l_mse", "max_dg", "pressure", "pressure_err", "r", "g"):
        assert key in v
    assert v["l_mse"] < 2e-4 and abs(v["pressure"] - 0.568) < 0.1
    assert (tmp_path / "val" / "comparison.png").exists()


def test_refine_command_json_and_formats(hnc_world, tmp_path, capsys):
    target = _hnc_target(seed=3)
    gr = tmp_path / "CG-CG.dist.tgt"  # VOTCA's own RDF format, recognised by content
    gr.write_text("".join(f"{a:.6g} {b:.6g} i\n" for a, b in zip(target.r, target.g)))
    code = main(["refine", str(gr), "--density", "0.5", "--start", "hnc", "--engine", "hnc-test",
                 "--max-iter", "3", "--format", "votca", "--out", str(tmp_path / "ref"), "--json"])
    res = json.loads(capsys.readouterr().out)
    assert code == 0
    for key in ("iterations", "converged", "distance", "table", "r", "g"):
        assert key in res
    assert len(res["distance"]) == res["iterations"] <= 3 and len(res["r"]) == len(res["g"]) > 100
    assert res["table_md"].endswith("final.pot") and "r,U,F" in Path(res["table"]).read_text()
    # real units: r in nm, energies in kJ/mol at 300 K
    nm = tmp_path / "rdf_nm.dist.tgt"
    nm.write_text("".join(f"{0.3 * a:.6g} {b:.6g} i\n" for a, b in zip(target.r, target.g)))
    code = main(["refine", str(nm), "--start", "boltzmann", "--engine", "hnc-test",
                 "--max-iter", "2", "--out", str(tmp_path / "real"), "--sigma", "0.3nm", "--temperature",
                 "300", "--density", str(0.5 / 0.3**3), "--json"])
    real = json.loads(capsys.readouterr().out)
    assert code == 0 and "kJ/mol" in real["units"] and abs(real["r"][-1] - 0.3 * res["r"][-1]) < 0.01
    # a target pressure: reported in the user's units, each iteration says whether it was met
    code = main(["refine", str(gr), "--density", "0.5", "--engine", "hnc-test", "--max-iter", "3",
                 "--pressure", "0.7", "--out", str(tmp_path / "p")])
    text = capsys.readouterr().out
    assert code == 0 and "(target 0.7: " in text
    summary = json.loads((tmp_path / "p" / "summary.json").read_text())
    assert summary["pressure_target"] == 0.7 and len(summary["pressure_ok"]) == summary["iterations"]


@pytest.mark.parametrize("content, density, message", [
    ("r,g\n" + "".join(f"{0.1 * i},{'nan' if i == 5 else 1.0}\n" for i in range(1, 60)), "0.5", "NaN"),
    ("r,g\n" + "".join(f"{0.1 * i},{-0.5 if i == 7 else 1.0}\n" for i in range(1, 60)), "0.5", "negative"),
    ("r,g\n0.1,0\n0.2,0.5\n0.3,1\n0.4,1\n0.5,1\n0.6,1\n", "0.5", "too short"),
    ("r,g\n" + "".join(f"{0.1 * i},1.0\n" for i in range(1, 60)), "0", "density"),
    ("r,g\n" + "".join(f"{0.1 * i},1.0\n" for i in range(1, 60)), "-1", "density"),
])
def test_bad_targets_give_one_line(tmp_path, capsys, content, density, message):
    gr = tmp_path / "target.csv"
    gr.write_text(content)
    for cmd in (["refine", str(gr)], ["validate", "wca", "--target", str(gr)]):
        code = main(cmd + ["--density", density, "--out", str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1 and message.lower() in err.lower(), err
    assert not (tmp_path / "o").exists()


def test_unreadable_target(tmp_path, capsys):
    code = main(["refine", str(tmp_path / "missing.csv"), "--density", "0.5"])
    assert code == 2 and "missing.csv" in capsys.readouterr().err


def test_grid_reaches_into_the_core_below_a_target_that_starts_late():
    """VOTCA's targets begin where g is already above zero (0.24 nm for SPC/E): the refined
    potential must still cover the start's core below, or MD would run off the table."""
    from boltzmann_nn.refine.start import refinement_grid

    r = np.arange(0.8, 3.34, 1 / 30)
    g = np.where(r < 0.85, 1e-3, 1.0)
    target = make_target(r, g, 0.9, np.full(r.size, 1e-3))
    table = start_table("boltzmann", target)
    grid = refinement_grid(target, table, 3.0)
    assert grid[0] <= table.table_start() + 1e-9 and grid[-1] == 3.0
    assert np.all(np.diff(grid) > 0) and np.max(np.diff(grid)) < 0.05


@pytest.mark.parametrize("method", ["ihnc", "ibi"])
def test_a_folder_written_before_the_typed_records_resumes_to_the_same_answer(hnc_world, tmp_path, method):
    """tests/data/refine-folder-v1 holds two iterations written by the loop of dict records
    (ihnc with a target pressure, ibi without) and the answer of resuming it to four
    iterations, pinned when runs came to be compared through the target's bins; resuming it
    today gives that answer to the last digit and keeps the old records as they were."""
    import shutil

    src = ROOT / "tests" / "data" / "refine-folder-v1"
    shutil.copytree(src / method, tmp_path / method)
    expected = json.loads((src / f"{method}-expected.json").read_text())
    target = _hnc_target(seed=11)
    if json.loads((src / method / "refine.json").read_text()).get("target") != target.digest():
        pytest.skip("this machine's HNC world differs in the last bits from the one that wrote the folder")
    settings = RefineSettings(method=method, max_iter=4, engine="hnc-test", r_cut=4.0,
                              pressure=0.45 if method == "ihnc" else None)
    res = refine(target, start_table("boltzmann", target), settings, out_dir=tmp_path / method)
    assert res.distances == expected["distances"] and res.u.tolist() == expected["u"]
    assert res.best == expected["best"] and res.reason == expected["reason"]
    stored = json.loads((tmp_path / method / "refine.json").read_text())["iterations"]
    old = json.loads((src / method / "refine.json").read_text())["iterations"]
    assert stored[:2] == old  # the stored records are rewritten as they were read


def test_a_wrong_core_edge_does_not_shrink_the_step(hnc_world):
    """A start whose core is too narrow lets the run into r where the target has no pairs:
    there ln(g_run/g_target) asks for several k_BT. That edge is held within max_du on its own
    and no longer sizes the step where g carries the structure, so the Newton step stays
    whole there: converged in 4 simulations, where sizing by the edge took 6."""
    from boltzmann_nn.potentials.table import PairTable

    target = _hnc_target()
    r = np.linspace(0.5, 4.0, 700)
    u, f = parse_potential("lj:epsilon=0.5,sigma=0.97,rcut=4").evaluate(r)
    start = PairTable(r, u, f, name="narrow-core", check_force=False)
    res = refine(target, start, RefineSettings(method="ihnc", max_iter=8, engine="hnc-test", r_cut=4.0))
    first = np.asarray(res.iterations[1].u) - np.asarray(res.iterations[0].u)
    edge = (res.grid > 0.85) & (res.grid < 0.93)
    assert np.max(np.abs(first)) <= 1.0 + 1e-9 and np.max(np.abs(first[edge])) > 0.99  # the edge clipped
    assert res.converged and len(res.iterations) <= 4, res.history()


def test_a_start_that_makes_another_fluid_gives_way_to_its_alternative(hnc_world, tmp_path):
    """``--start auto`` carries the start it did not pick: when the first run lands far from
    the target (L_MSE > FAR_START, here a core 20 % too wide), the next run simulates the
    alternative, and the refinement goes on from the better of the two."""
    from boltzmann_nn.potentials.table import PairTable
    from boltzmann_nn.refine.loop import FAR_START

    target = _hnc_target()
    r = np.linspace(0.5, 4.0, 700)
    start = PairTable(r, *parse_potential("lj:epsilon=0.5,sigma=1.2,rcut=4").evaluate(r), name="wide")
    start.alternative = PairTable(r, *parse_potential(LJ).evaluate(r), name="true")
    settings = RefineSettings(method="ihnc", max_iter=4, engine="hnc-test", r_cut=4.0)
    res = refine(target, start, settings, out_dir=tmp_path / "alt")
    assert res.iterations[0].comparison.l_mse > FAR_START
    assert res.iterations[1].step.base is None and res.iterations[2].step.base == 1 and res.converged
    assert json.loads((tmp_path / "alt" / "refine.json").read_text())["alternative"] == "true"
