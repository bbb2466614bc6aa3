"""The refinement loop: simulate, compare, update, until the simulated g(r) matches the
target within the statistical error of both.

Each iteration simulates the current potential (LAMMPS by default), compares its g(r)
with the target (:func:`~boltzmann_nn.refine.compare.compare`) and decides:

* **converged** when the difference is within noise (χ² bound), the run is at least
  nearly as precise as the target (a short, noisy run cannot declare convergence) and,
  with a target pressure, P is within :func:`pressure_tolerance` of it;
* **stop** when ``tol`` is reached, after ``max_iter`` iterations, or when the best
  distance has not improved for ``patience`` iterations;
* **retreat** when a run fails or its distance grows beyond :data:`DIVERGE` × the best:
  back to the best iterate with half the step (a trust region); below 1/8 the refinement
  ends as diverged, keeping its best iterate;
* otherwise **step**: U ← U + α ΔU (``ibi``, ``ihnc`` or ``imc``; a target pressure adds
  VOTCA's pressure ramp to IBI, a linear ramp sized by the virial to ``ihnc``
  (:func:`~boltzmann_nn.refine.updates.virial_ramp`), and enters ``imc``'s Newton step;
  a pressure miss beyond its tolerance counts in the distance), with max |α ΔU| capped
  at ``max_du``. For the Newton methods α is fitted to the last step's response (a secant,
  :func:`fitted_alpha`, within [:data:`MIN_FIT`, 1]); IBI doubles α back towards 1 after
  an improvement.

MD length adapts: the next run is long enough that its own noise stays below a quarter of
the remaining systematic distance, and at least as precise as the target near the end
(``min_steps`` … ``max_steps``; ``imc`` runs at least :data:`~boltzmann_nn.refine.imc.IMC_MIN_STEPS`,
what its covariance needs).

Everything the next decision needs is in ``refine.json`` in the output folder, written
atomically after each iteration, so a killed refinement resumes where it stopped.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write_json
from .compare import compare
from .imc import IMC_MIN_STEPS, MIN_FRAMES, PairCountSampler, imc_step, knots_for
from .start import grid_potential, md_table, refinement_grid
from .target import Target, pool_error
from .updates import G_RESOLVED, METHODS, denoise, pressure_ramp, smooth, update, virial_ramp
from .validate import run_state

#: A distance above this multiple of the best is a divergence.
DIVERGE = 2.0
#: Smallest step fraction before the refinement gives up.
MIN_ALPHA = 0.125
#: Smallest step fraction a fitted step length (:func:`fitted_alpha`) may set.
MIN_FIT = 0.25
#: Methods whose step length is fitted to the runs' response (Newton steps; IBI is kept
#: as VOTCA runs it).
FITTED = ("ihnc", "imc")
STATE_FILE = "refine.json"
#: A target pressure is met within this fraction of max(|P|, ρ k_BT) (or 2 standard errors
#: of the run's P, if larger).
PRESSURE_RTOL = 0.02


def pressure_tolerance(p_target: float, density: float, p_err: float) -> float:
    """How close P must come to a target pressure [k_BT/σ³]."""
    return max(PRESSURE_RTOL * max(abs(p_target), density), 2.0 * p_err)


@dataclass
class RefineSettings:
    """How to refine (reduced units).

    Args:
        method: ``ihnc`` (Newton step with the HNC Jacobian), ``imc`` (Newton step with the
            run's own pair-count covariance, inverse Monte Carlo) or ``ibi``.
        max_iter: Most iterations (simulations), the start included.
        pressure: Target pressure [k_BT/σ³]; adds the pressure ramp (``imc``: a constraint
            of the Newton step).
        r_cut: Cutoff of the refined potential [σ] (default min(target range, 5σ)).
        tol: Also stop when L_MSE <= tol.
        min_steps, max_steps: Bounds of the production steps per iteration.
        equilibration: Equilibration steps per iteration.
        blocks: Production blocks (the run's error bars).
        max_du: Largest change of U per iteration [k_BT].
        patience: Stop when the best distance has not improved for this many iterations.
        seed: Seed of the first run (iteration k uses seed + k).
        threads, engine: MD threads and engine name.
    """

    method: str = "ihnc"
    max_iter: int = 10
    pressure: float | None = None
    r_cut: float | None = None
    tol: float | None = None
    min_steps: int = 4000
    max_steps: int = 40000
    equilibration: int = 4000
    blocks: int = 10
    max_du: float = 1.0
    patience: int = 3
    seed: int = 1
    threads: int = 1
    engine: str = "lammps"

    def __post_init__(self):
        if self.method not in METHODS:
            raise InputError(f"unknown method {self.method!r}; use one of {METHODS}")
        if not (1 <= self.max_iter <= 1000):
            raise InputError(f"--max-iter must be in [1, 1000], got {self.max_iter}")
        if not (0 < self.min_steps <= self.max_steps <= 10**8):
            raise InputError(f"need 0 < min_steps <= max_steps <= 1e8, got {self.min_steps}, {self.max_steps}")
        if self.tol is not None and not (self.tol > 0):
            raise InputError(f"--tol must be > 0, got {self.tol}")
        if self.pressure is not None and not math.isfinite(self.pressure):
            raise InputError(f"--pressure must be finite, got {self.pressure}")
        if not (self.max_du > 0 and self.patience >= 1 and self.blocks >= 2):
            raise InputError("need max_du > 0, patience >= 1, blocks >= 2")

    def resume_key(self) -> dict:
        """The settings a resumed refinement must share with the stored one."""
        return {k: getattr(self, k) for k in ("method", "pressure", "r_cut", "equilibration", "blocks",
                                               "max_du", "seed", "engine")}


@dataclass
class RefineResult:
    """What a refinement produced (reduced units).

    Attributes:
        iterations: One summary dict per iteration (distance, χ², steps, pressure, …).
        converged: True when the match is within noise (or below ``tol``).
        reason: Why it stopped, in words.
        best: Index of the iteration whose potential is returned.
        grid, u: The best potential on the refinement grid.
        r, g, g_err: The best iterate's simulated g(r).
        r_last, g_last: The last run's g(r) (empty when it failed).
    """

    iterations: list
    converged: bool
    reason: str
    best: int
    grid: np.ndarray
    u: np.ndarray
    r: np.ndarray
    g: np.ndarray
    g_err: np.ndarray
    r_last: np.ndarray = field(default_factory=lambda: np.zeros(0))
    g_last: np.ndarray = field(default_factory=lambda: np.zeros(0))
    settings: dict = field(default_factory=dict)

    @property
    def table(self):
        return md_table(self.grid, self.u, name="refined")

    @property
    def distances(self) -> list:
        return [it["l_mse"] for it in self.iterations]

    @property
    def md_steps(self) -> int:
        return int(sum(it["md_steps"] for it in self.iterations))

    @property
    def wall_s(self) -> float:
        return float(sum(it["wall_s"] for it in self.iterations))


def _round_steps(steps: float, settings: RefineSettings) -> int:
    quantum = 10 * settings.blocks * 10
    steps = min(max(steps, settings.min_steps), settings.max_steps)
    return int(max(quantum, math.ceil(steps / quantum) * quantum))


def _excess(rec) -> float:
    """The distance with the run's own noise taken out (comparable across run lengths);
    a pressure beyond its tolerance adds noise_mse·(|ΔP|/tol − 1)².
    """
    excess = rec["l_mse"] - rec["run_noise_mse"]
    if rec.get("pressure_ok") is False:
        excess += rec["noise_mse"] * (abs(rec["pressure_diff"]) / rec["pressure_tol"] - 1.0) ** 2
    return excess


def _next_steps(base: dict, settings: RefineSettings) -> int:
    n_t = base["target_noise_mse"]
    n_r = max(base["run_noise_mse"], 1e-30)
    excess = max(base["l_mse"] - base["noise_mse"], 0.0)
    want = max(0.25 * excess, n_t)
    return _round_steps(base["steps"] * n_r / want, settings)


def decide(history: list, settings: RefineSettings) -> dict:
    """The next action from the iterations so far (a pure function, so resuming is exact).

    Returns:
        ``{"stop": True, "converged": bool, "reason": str}`` or ``{"stop": False, "base": i,
        "alpha": α, "steps": n}``.
    """
    good = [i for i, h in enumerate(history) if h["usable"]]
    if not good:
        return {"stop": True, "converged": False,
                "reason": f"the starting potential cannot be simulated: {history[0]['reason']}"}
    best = min(good, key=lambda i: _excess(history[i]))
    last = history[-1]
    k = len(history)
    if last["usable"] and last["within_noise"] and last.get("pressure_ok", True) and (
            last["run_noise_mse"] <= 2.0 * last["target_noise_mse"] or last["steps"] >= settings.max_steps):
        why = (f"g(r) within the statistical error of target and run (chi2/n = "
               f"{last['chi2']:.3g} <= {last['chi2_bound']:.3g})")
        if "pressure_ok" in last:
            why += f", P within {last['pressure_tol']:.2g} of the target ({last['pressure_diff']:+.2g})"
        return {"stop": True, "converged": True, "reason": why}
    if settings.tol is not None and history[best]["l_mse"] <= settings.tol:
        return {"stop": True, "converged": True,
                "reason": f"L_MSE = {history[best]['l_mse']:.3g} <= tol = {settings.tol:g}"}
    if k >= settings.max_iter:
        return {"stop": True, "converged": False, "reason": f"reached --max-iter {settings.max_iter}"}
    if k - 1 - best >= settings.patience:
        return {"stop": True, "converged": False,
                "reason": f"no improvement in {settings.patience} iterations (best: iteration {best})"}
    worse = _excess(last) > DIVERGE * max(_excess(history[best]), 1e-12) + last["noise_mse"]
    if not last["usable"] or worse:
        alpha = last["alpha"] / 2.0
        if alpha < MIN_ALPHA:
            return {"stop": True, "converged": False,
                    "reason": f"diverged (step reduced below {MIN_ALPHA:g}); keeping iteration {best}"}
        return {"stop": False, "base": best, "alpha": alpha, "steps": _next_steps(history[best], settings)}
    if last.get("alpha_fit") is not None:  # the step length the last step's response asks for
        alpha = min(1.0, max(MIN_FIT, last["alpha_fit"]))
    else:
        alpha = min(1.0, last["alpha"] * (2.0 if last["base"] is not None and _excess(last) <
                                          _excess(history[last["base"]]) else 1.0))
    return {"stop": False, "base": k - 1, "alpha": alpha, "steps": _next_steps(last, settings)}


def _run_error(grid, r_run, g_run, g_err_run) -> np.ndarray:
    """A run's (pooled) standard error of g on ``grid``."""
    return np.interp(grid, r_run, pool_error(r_run, g_run, g_err_run))


def fitted_alpha(grid, target: Target, base: dict, rec: dict) -> float | None:
    """The step length that would have taken ``base``'s g(r) closest to the target along
    the direction the step actually moved it (a secant on the runs' own response), with
    the noise of both runs taken out; None where the move is within that noise.

    With Δ = g_base − g_target and δ = g_rec − g_base, weighted by w = 1/(σ_base² + σ_rec²):
    α_fit = α·(−Σwδ·Δ − Σwσ_base²)/(Σwδ² − Σw(σ_base² + σ_rec²)); α_fit < α says the
    step overshot. The HNC Jacobian overshoots in dense liquids (α_fit 0.3–0.8 at
    ρ >= 0.5), where a full step oscillates.
    """
    if not (base.get("usable") and rec.get("usable")):
        return None
    g_t = np.interp(grid, target.r, target.g)
    g_b = np.interp(grid, base["r_run"], base["g_run"])
    g_k = np.interp(grid, rec["r_run"], rec["g_run"])
    var_b = _run_error(grid, base["r_run"], base["g_run"], base["g_err_run"]) ** 2
    var_k = _run_error(grid, rec["r_run"], rec["g_run"], rec["g_err_run"]) ** 2
    info = (g_t > G_RESOLVED) | (g_b > G_RESOLVED)
    w = np.where(info, 1.0 / np.maximum(var_b + var_k, 1e-12), 0.0)
    delta, move = g_b - g_t, g_k - g_b
    den = float(np.sum(w * move**2) - np.sum(w * (var_b + var_k)))
    if not den > 3.0 * math.sqrt(2.0 * max(int(info.sum()), 1)):  # the move is noise
        return None
    return float(rec["alpha"] * (-np.sum(w * move * delta) - np.sum(w * var_b)) / den)


def _on_grid(grid, target: Target, r_run, g_run, g_err_run):
    """Target g, run g and their combined error on ``grid``."""
    g_t = np.interp(grid, target.r, target.g)
    g_r = np.interp(grid, r_run, g_run)
    err = np.hypot(np.interp(grid, target.r, target.err), _run_error(grid, r_run, g_run, g_err_run))
    return g_t, g_r, err


def _imc_direction(grid, target: Target, res, sampler, pressure: float | None) -> list | None:
    """The full IMC step from a run and its pair-count frames (None: too few frames); with
    a target ``pressure``, the step that also meets it (see :func:`imc_step`).
    """
    if sampler is None or sampler.frames < MIN_FRAMES:
        return None
    g_t, g_r, err = _on_grid(grid, target, res.r, res.g, res.g_err)
    row = None
    if pressure is not None and sampler.force is not None:
        row = (sampler.pressure_gradient(), pressure - res.pressure)
    du = imc_step(grid, denoise(g_r - g_t, err), target.density, int(res.settings["n_particles"]),
                  sampler.knots, sampler.covariance(), g_r > G_RESOLVED, pressure=row)
    closed = (g_r <= G_RESOLVED) & (g_t > G_RESOLVED)
    if closed.any():  # where the run has no pairs C says nothing: IBI opens what the target holds
        du = np.where(closed, update("ibi", grid, g_r, g_t, target.density, err), du)
    return smooth(du).tolist()


def _step(base: dict, grid, target: Target, settings: RefineSettings, alpha: float) -> np.ndarray:
    imc = settings.method == "imc" and base.get("imc_du") is not None
    if imc:  # the pressure, where given, is part of the IMC step
        du = np.asarray(base["imc_du"], float)
    else:  # imc without frames (a failed sampler) falls back on the HNC Jacobian
        g_t, g_r, err = _on_grid(grid, target, base["r_run"], base["g_run"], base["g_err_run"])
        method = "ihnc" if settings.method == "imc" else settings.method
        du = update(method, grid, g_r, g_t, target.density, err)
    newton_p = settings.pressure is not None and not imc and settings.method != "ibi"
    if settings.pressure is not None and settings.method == "ibi":
        du = du + pressure_ramp(grid, grid[-1], base["pressure"], settings.pressure, target.density)
    big = float(np.max(np.abs(du)))
    scale = alpha * min(1.0, settings.max_du / big) if big > 0 else alpha
    du = du * scale
    u = np.asarray(base["u"], float)
    if newton_p:  # the whole way to the target pressure, whatever the step length of g (not imc)
        resolved = (g_r > G_RESOLVED) | (g_t > G_RESOLVED)
        g_next = np.where(resolved, np.maximum(g_r - scale * denoise(g_r - g_t, err), 0.0), g_r)
        ramp = virial_ramp(grid, target.density, base["pressure"], settings.pressure, u, g_r, g_next, du)
        du = du + ramp * min(1.0, settings.max_du / max(float(np.max(np.abs(ramp))), 1e-300))
    u = u + du
    return u - u[-1]


def _simulate(grid, u, target: Target, settings: RefineSettings, steps: int, seed: int):
    from ..engines.registry import get_engine

    state = run_state(target, steps=steps, equilibration=settings.equilibration, blocks=settings.blocks,
                      seed=seed, threads=settings.threads)
    engine, table = get_engine(settings.engine), md_table(grid, u)
    sampler = None
    if settings.method == "imc":
        force = (lambda r: table.evaluate(r)[1]) if settings.pressure is not None else None
        sampler = PairCountSampler(knots_for(grid[-1], grid[0]), steps, force=force)
    res = engine.run(table, state, sampler=sampler, early_stop=False)
    return res, state, sampler


def _record(k, u, res, target, steps, equilibration, alpha, base, r_max, p_target=None) -> dict:
    rec = {"iteration": k, "u": np.asarray(u).tolist(), "steps": steps, "md_steps": steps + equilibration,
           "alpha": alpha, "base": base, "ok": res.ok, "reason": res.reason, "kept": res.kept,
           "wall_s": res.wall_s, "pressure": res.pressure, "pressure_err": res.pressure_err}
    usable = bool(res.ok and res.g.size)
    rec["usable"] = usable
    if usable:
        cmp_ = compare(target, res.r, res.g, res.g_err, r_max=r_max)
        rec.update(cmp_.summary())
        rec.update(r_run=res.r.tolist(), g_run=res.g.tolist(), g_err_run=res.g_err.tolist())
        if p_target is not None:
            tol = pressure_tolerance(p_target, target.density, res.pressure_err)
            rec.update(pressure_diff=res.pressure - p_target, pressure_tol=tol,
                       pressure_ok=bool(abs(res.pressure - p_target) <= tol))
    else:
        why = res.reason or ", ".join(res.flags.get("reasons", [])) or "no g(r)"
        rec.update(reason=why, l_mse=math.inf, noise_mse=math.nan, chi2=math.inf, within_noise=False,
                   run_noise_mse=math.nan, target_noise_mse=math.nan, max_dg=math.nan)
    return rec


def _load_state(path: Path, target: Target, settings: RefineSettings, grid) -> list:
    import json

    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot resume: {exc}", str(path)) from exc
    if not isinstance(state, dict) or "iterations" not in state:
        raise InputError("cannot resume: not a refinement state file", str(path))
    if state.get("target") != target.digest():
        raise InputError("cannot resume: the folder holds a refinement of another target g(r); "
                         "use a new --out folder", str(path))
    if state.get("settings") != settings.resume_key():
        raise InputError(f"cannot resume: the folder's refinement used other settings "
                         f"({state.get('settings')}); use a new --out folder", str(path))
    if not np.allclose(state.get("grid", []), grid):
        raise InputError("cannot resume: another refinement grid (start or r_cut differ)", str(path))
    return [_from_json(h) for h in state["iterations"]]


def _from_json(h: dict) -> dict:
    for key in ("l_mse", "chi2"):
        if h.get(key) is None:
            h[key] = math.inf
    return h


def refine(target: Target, start, settings: RefineSettings | None = None, out_dir=None,
           on_iteration=None) -> RefineResult:
    """Refine a potential until MD reproduces ``target``.

    Args:
        target: The :class:`~boltzmann_nn.refine.target.Target` (reduced units).
        start: The starting potential (a PairTable, see
            :func:`~boltzmann_nn.refine.start.start_table`).
        settings: :class:`RefineSettings`.
        out_dir: Folder for ``refine.json`` (resume) and per-iteration files; None keeps
            everything in memory.
        on_iteration: Called with each iteration's record after it is stored.
    """
    settings = settings or RefineSettings()
    r_cut = settings.r_cut or float(min(target.r[-1], 5.0))
    if not (0 < r_cut <= target.r[-1] + 1e-9):
        raise InputError(f"r_cut = {r_cut:g} must lie within the target's range (0, {target.r[-1]:.4g}]")
    grid = refinement_grid(target, start, r_cut)
    state_path = Path(out_dir) / STATE_FILE if out_dir is not None else None
    history = []
    if state_path is not None and state_path.exists():
        history = _load_state(state_path, target, settings, grid)
    while True:
        k = len(history)
        if k == 0:
            plan = {"stop": False, "base": None, "alpha": 1.0,
                    "steps": _round_steps(settings.min_steps, settings)}
            u = grid_potential(start, grid)
        else:
            plan = decide(history, settings)
            if plan["stop"]:
                break
            u = _step(history[plan["base"]], grid, target, settings, plan["alpha"])
        steps = plan["steps"]
        if settings.method == "imc":
            steps = _round_steps(max(steps, IMC_MIN_STEPS), settings)
        res, state, sampler = _simulate(grid, u, target, settings, steps, settings.seed + k)
        rec = _record(k, u, res, target, steps, state.equilibration, plan["alpha"], plan["base"], r_cut,
                      settings.pressure)
        if rec["usable"] and sampler is not None:
            rec["imc_du"] = _imc_direction(grid, target, res, sampler, settings.pressure)
        if settings.method in FITTED and plan["base"] is not None:
            rec["alpha_fit"] = fitted_alpha(grid, target, history[plan["base"]], rec)
        history.append(rec)
        if state_path is not None:
            _write_iteration(Path(out_dir), rec, grid, target, settings)
            atomic_write_json(state_path, {"target": target.digest(), "settings": settings.resume_key(),
                                           "grid": grid.tolist(), "iterations": history})
        if on_iteration:
            on_iteration(rec)
    good = [i for i, h in enumerate(history) if h["usable"]]
    best = min(good, key=lambda i: _excess(history[i])) if good else 0
    b = history[best]
    summary = [{k: v for k, v in h.items() if k not in ("u", "r_run", "g_run", "g_err_run", "imc_du")}
               for h in history]
    return RefineResult(
        iterations=summary, converged=plan["converged"], reason=plan["reason"], best=best, grid=grid,
        u=np.asarray(b["u"]), r=np.asarray(b.get("r_run", [])), g=np.asarray(b.get("g_run", [])),
        g_err=np.asarray(b.get("g_err_run", [])), r_last=np.asarray(history[-1].get("r_run", [])),
        g_last=np.asarray(history[-1].get("g_run", [])), settings=asdict(settings))


def _write_iteration(out: Path, rec: dict, grid, target: Target, settings: RefineSettings) -> None:
    """iter-NNN/table.csv (the simulated potential) and gr.csv (its g(r)), reduced units."""
    from ..io.potential_files import write_gr_csv, write_potential

    folder = out / f"iter-{rec['iteration']:03d}"
    write_potential(folder / "table.csv", md_table(grid, rec["u"]), "csv",
                    comment=f"refinement iteration {rec['iteration']} ({settings.method})")
    if rec["usable"]:
        write_gr_csv(folder / "gr.csv", rec["r_run"], rec["g_run"],
                     f"MD of iteration {rec['iteration']} at rho = {target.density:g}",
                     extra={"g_err": rec["g_err_run"]})
