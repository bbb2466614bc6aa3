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
* otherwise **step**: U ← U + α ΔU, the direction ΔU and the way a target pressure enters
  it from the method (:mod:`boltzmann_nn.refine.methods`: ``ihnc``, ``ibi``, ``imc``; a
  pressure miss beyond its tolerance counts in the distance), with max |α ΔU| capped at
  ``max_du``. Where the method fits its step length, α is fitted to the last step's
  response (a secant, :func:`fitted_alpha`, within [:data:`MIN_FIT`, 1]; a retreat takes
  the fit too, where it asks for less than half); otherwise α doubles back towards 1 after
  an improvement. The cap weighs each change by min(1, g/0.05)
  (:func:`~boltzmann_nn.refine.updates.trust_scale`); the core edge is clipped at ``max_du``.

Each run after the first starts from the last configuration of the run it steps from, where
that run passed its diagnostics (kept in memory and as ``iter-NNN/positions.npy``), and
equilibrates for :data:`WARM_EQUILIBRATION` of ``equilibration``: the potential changed a
little, the liquid is already there. Otherwise, and in folders written before (no such
file), a run starts on the lattice and equilibrates fully.

MD length adapts: the next run is long enough that its own noise stays below a quarter of
the remaining systematic distance, and at least as precise as the target near the end
(``min_steps`` … ``max_steps``, and at least the method's shortest run).

Everything the next decision needs is in ``refine.json`` in the output folder (one
:class:`~boltzmann_nn.refine.record.IterationRecord` per iteration), written atomically
after each iteration, so a killed refinement resumes where it stopped.
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write, atomic_write_json
from .binning import bin_mixing
from .compare import as_binned, binned, compare, on_grid, run_error
from .methods import DEFAULT_METHOD, get_method
from .methods.base import RefinementMethod, Residual
from .record import ComparisonSummary, IterationRecord, PressureCheck, RunSummary, StepTaken
from .start import grid_potential, refined_table, refinement_grid
from .target import Target
from .updates import G_RESOLVED, trust_clip, trust_scale
from .validate import run_state

#: A distance above this multiple of the best is a divergence.
DIVERGE = 2.0
#: Smallest step fraction before the refinement gives up.
MIN_ALPHA = 0.125
#: Smallest step fraction a fitted step length (:func:`fitted_alpha`) may set: the HNC
#: Jacobian overshoots a dense liquid's response by a factor 5–8 (fits of 0.13–0.18 at
#: ρ = 1.0, docs/refinement.md), and a step of 0.25 there oscillates.
MIN_FIT = MIN_ALPHA
#: A start whose first run's L_MSE exceeds this made another fluid (rms |Δg| ≈ 0.2: it
#: condensed, clumped or froze); a start with an alternative (``auto``) then simulates that
#: one next. In the refinement study such runs gave 0.26–0.58 (the network at ρ = 0.075, HNC
#: inversion at ρ ≥ 1), every other start of network, HNC and Boltzmann ≤ 0.033.
FAR_START = 0.05
STATE_FILE = "refine.json"
#: A run's last configuration, beside its g(r) in iter-NNN/.
POSITIONS_FILE = "positions.npy"
#: Fraction of ``equilibration`` a run started from the last configuration equilibrates.
WARM_EQUILIBRATION = 0.25
#: A target pressure is met within this fraction of max(|P|, PRESSURE_FLOOR·ρ k_BT) (or 2
#: standard errors of the run's P, if larger): 2 % of P itself, except near P = 0, where
#: 2 % of half the ideal-gas pressure is asked (about 14 bar for water at 300 K).
PRESSURE_RTOL = 0.02
PRESSURE_FLOOR = 0.5


def pressure_scale(p_target: float, density: float) -> float:
    """The relative part of the pressure tolerance [k_BT/σ³]."""
    return PRESSURE_RTOL * max(abs(p_target), PRESSURE_FLOOR * density)


def pressure_tolerance(p_target: float, density: float, p_err: float) -> float:
    """How close P must come to a target pressure [k_BT/σ³]."""
    return max(pressure_scale(p_target, density), 2.0 * p_err)


@dataclass
class RefineSettings:
    """How to refine (reduced units).

    Args:
        method: A refinement method's name (:func:`~boltzmann_nn.refine.methods.method_names`:
            ``ihnc``, the Newton step with the HNC Jacobian; ``imc``, the Newton step with
            the run's own pair-count covariance; ``ibi``).
        max_iter: Most iterations (simulations), the start included.
        pressure: Target pressure [k_BT/σ³] (how it enters is the method's).
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

    method: str = DEFAULT_METHOD
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
        get_method(self.method)
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

    @property
    def refinement_method(self) -> RefinementMethod:
        return get_method(self.method)

    def resume_key(self) -> dict:
        """The settings a resumed refinement must share with the stored one."""
        return {k: getattr(self, k) for k in ("method", "pressure", "r_cut", "equilibration", "blocks",
                                               "max_du", "seed", "engine")}


@dataclass
class RefineResult:
    """What a refinement produced (reduced units).

    Attributes:
        iterations: One :class:`~boltzmann_nn.refine.record.IterationRecord` per iteration.
        converged: True when the match is within noise (or below ``tol``).
        reason: Why it stopped, in words.
        best: Index of the iteration whose potential is returned.
        grid, u: The best potential on the refinement grid.
        r, g, g_err: The best iterate's simulated g(r).
        r_last, g_last: The last run's g(r) (empty when it failed).
        alternative: The name of the start's alternative where iteration 1 simulated it
            (:data:`FAR_START`), else None.
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
    alternative: str | None = None

    @property
    def table(self):
        return refined_table(self.grid, self.u, name="refined")

    @property
    def distances(self) -> list:
        return [it.comparison.l_mse for it in self.iterations]

    @property
    def md_steps(self) -> int:
        return int(sum(it.run.md_steps for it in self.iterations))

    @property
    def wall_s(self) -> float:
        return float(sum(it.run.wall_s for it in self.iterations))

    def history(self) -> list[dict]:
        """Each iteration's flat JSON summary (no arrays)."""
        return [it.summary() for it in self.iterations]


@dataclass
class Plan:
    """What :func:`decide` asks for: stop (``converged``, ``reason``), or step from
    iteration ``base`` with step fraction ``alpha`` and a run of ``steps`` steps.
    """

    stop: bool
    converged: bool = False
    reason: str = ""
    base: int | None = None
    alpha: float = 1.0
    steps: int = 0


def _round_steps(steps: float, settings: RefineSettings) -> int:
    quantum = 10 * settings.blocks * 10
    steps = min(max(steps, settings.min_steps), settings.max_steps)
    return int(max(quantum, math.ceil(steps / quantum) * quantum))


def _next_steps(base: IterationRecord, settings: RefineSettings) -> int:
    c = base.comparison
    n_r = max(c.run_noise_mse, 1e-30)
    excess = max(c.l_mse - c.noise_mse, 0.0)
    want = max(0.25 * excess, c.target_noise_mse)
    return _round_steps(base.run.steps * n_r / want, settings)


def _stop(converged: bool, reason: str) -> Plan:
    return Plan(stop=True, converged=converged, reason=reason)


def _converged_reason(last: IterationRecord) -> str:
    c = last.comparison
    why = f"g(r) within the statistical error of target and run (chi2/n = {c.chi2:.3g} <= {c.chi2_bound:.3g})"
    if last.pressure_check is not None:
        pc = last.pressure_check
        why += f", P within {pc.tol:.2g} of the target ({pc.diff:+.2g})"
    return why


def decide(history: list[IterationRecord], settings: RefineSettings) -> Plan:
    """The next action from the iterations so far (a pure function, so resuming is exact)."""
    good = [i for i, h in enumerate(history) if h.usable]
    if not good:
        return _stop(False, f"the starting potential cannot be simulated: {history[0].run.reason}")
    best = min(good, key=lambda i: history[i].excess)
    last = history[-1]
    k = len(history)
    c = last.comparison
    if last.converged and (c.run_noise_mse <= 2.0 * c.target_noise_mse or last.run.steps >= settings.max_steps):
        return _stop(True, _converged_reason(last))
    if settings.tol is not None and history[best].comparison.l_mse <= settings.tol:
        return _stop(True, f"L_MSE = {history[best].comparison.l_mse:.3g} <= tol = {settings.tol:g}")
    if k >= settings.max_iter:
        return _stop(False, f"reached --max-iter {settings.max_iter}")
    if k - 1 - best >= settings.patience:
        return _stop(False, f"no improvement in {settings.patience} iterations (best: iteration {best})")
    worse = last.excess > DIVERGE * max(history[best].excess, 1e-12) + c.noise_mse
    if not last.usable or worse:
        alpha = last.step.alpha / 2.0
        if last.step.alpha_fit is not None and last.step.alpha_fit > 0:  # the overshoot it measured
            alpha = min(alpha, max(MIN_ALPHA, last.step.alpha_fit))
        if alpha < MIN_ALPHA:
            return _stop(False, f"diverged (step reduced below {MIN_ALPHA:g}); keeping iteration {best}")
        return Plan(stop=False, base=best, alpha=alpha, steps=_next_steps(history[best], settings))
    if last.step.alpha_fit is not None:  # the step length the last step's response asks for
        alpha = min(1.0, max(MIN_FIT, last.step.alpha_fit))
    else:
        improved = last.step.base is not None and last.excess < history[last.step.base].excess
        alpha = min(1.0, last.step.alpha * (2.0 if improved else 1.0))
    return Plan(stop=False, base=k - 1, alpha=alpha, steps=_next_steps(last, settings))


def fitted_alpha(grid, target: Target, base: IterationRecord, rec: IterationRecord) -> float | None:
    """The step length that would have taken ``base``'s g(r) closest to the target along
    the direction the step actually moved it (a secant on the runs' own response), with
    the noise of both runs taken out; None where the move is within that noise.

    With Δ = g_base − g_target and δ = g_rec − g_base, weighted by w = 1/(σ_base² + σ_rec²):
    α_fit = α·(−Σwδ·Δ − Σwσ_base²)/(Σwδ² − Σw(σ_base² + σ_rec²)); α_fit < α says the
    step overshot (docs/refinement.md: the HNC Jacobian overshoots in dense liquids).
    """
    if not (base.usable and rec.usable):
        return None
    return secant_alpha(rec.step.alpha, [secant_terms(grid, target, base.run, rec.run)])


def secant_terms(grid, target: Target, b, k) -> tuple:
    """(Δ = g_b − g_target, δ = g_k − g_b, σ_b², σ_k², resolved) on ``grid`` for runs b and k
    (anything with ``r``, ``g``, ``g_err``), for :func:`secant_alpha`.
    """
    g_t = np.interp(grid, target.r, target.g)
    rb, gb, eb = as_binned(target, b.r, b.g, b.g_err)
    rk, gk, ek = as_binned(target, k.r, k.g, k.g_err)
    g_b = np.interp(grid, rb, gb)
    g_k = np.interp(grid, rk, gk)
    var_b = run_error(grid, rb, gb, eb) ** 2
    var_k = run_error(grid, rk, gk, ek) ** 2
    return g_b - g_t, g_k - g_b, var_b, var_k, (g_t > G_RESOLVED) | (g_b > G_RESOLVED)


def secant_alpha(alpha: float, terms: list) -> float | None:
    """:func:`fitted_alpha` from the :func:`secant_terms` of one or more g (the pairs of a
    mixture pool their sums); None where the move is within the noise.
    """
    num = den = 0.0
    n = 0
    for delta, move, var_b, var_k, info in terms:
        w = np.where(info, 1.0 / np.maximum(var_b + var_k, 1e-12), 0.0)
        den += float(np.sum(w * move**2) - np.sum(w * (var_b + var_k)))
        num += float(-np.sum(w * move * delta) - np.sum(w * var_b))
        n += int(info.sum())
    if not den > 3.0 * math.sqrt(2.0 * max(n, 1)):  # the move is noise
        return None
    return float(alpha * num / den)


def residual(base: IterationRecord, grid, target: Target, pressure: float | None) -> Residual:
    """Where ``base``'s run stands against the target, on the refinement grid."""
    g_t, g_r, err = on_grid(grid, target, base.run.r, base.run.g, base.run.g_err)
    mixing = bin_mixing(grid, target.bin_width, base.run.r, base.run.g) if binned(target, base.run.r) else None
    return Residual(grid=grid, u=np.asarray(base.u, float), g_target=g_t, g_run=g_r, err=err,
                    density=target.density, pressure_run=base.run.pressure, pressure_target=pressure,
                    measured=base.step.direction, mixing=mixing,
                    run_r=np.asarray(base.run.r, float), run_g=np.asarray(base.run.g, float),
                    within_noise=bool(base.usable and base.comparison.within_noise))


def step(base: IterationRecord, grid, target: Target, settings: RefineSettings, alpha: float) -> np.ndarray:
    """The next potential on ``grid``: ``base``'s plus α × the method's direction (its
    largest change capped at ``max_du``), the target pressure entering as the method says.
    """
    method = settings.refinement_method
    res = residual(base, grid, target, settings.pressure)
    direction = method.direction(res)
    du = direction.du
    with_pressure = settings.pressure is not None and not direction.with_pressure
    if with_pressure:
        du = method.pressure_before_scaling(du, res)
    scale = trust_scale(du, np.maximum(res.g_target, res.g_run), alpha, settings.max_du)
    du = trust_clip(du * scale, settings.max_du)
    if with_pressure:
        du = method.pressure_after_scaling(du, res, scale, settings.max_du)
    u = res.u + du
    return u - u[-1]


def _simulate(grid, u, target: Target, settings: RefineSettings, steps: int, seed: int, start=None):
    """Run U on ``grid``; ``start``: the positions [σ] to begin from (a shorter equilibration)."""
    from ..engines.registry import get_engine

    eq = settings.equilibration if start is None else int(round(WARM_EQUILIBRATION * settings.equilibration))
    state = run_state(target, steps=steps, equilibration=eq, blocks=settings.blocks,
                      seed=seed, threads=settings.threads)
    table = refined_table(grid, u)
    sampler = settings.refinement_method.sampler(grid, table, steps, settings.pressure)
    warm = {} if start is None else {"start": start}  # an engine that answers run itself may not take it
    res = get_engine(settings.engine).run(table, state, sampler=sampler, early_stop=False, **warm)
    return res, state, sampler


def _last_positions(finals: dict, k: int | None, out_dir) -> np.ndarray | None:
    """Iteration ``k``'s last configuration: kept from this session, or read from its folder."""
    if k is None:
        return None
    if k not in finals and out_dir is not None:
        path = Path(out_dir) / f"iter-{k:03d}" / POSITIONS_FILE
        try:
            finals[k] = np.load(path, allow_pickle=False) if path.is_file() else None
        except (OSError, ValueError):
            finals[k] = None  # unreadable: start on the lattice
    return finals.get(k)


def make_record(k: int, u, res, target: Target, steps: int, equilibration: int, plan: Plan, r_max: float,
                p_target: float | None = None) -> IterationRecord:
    """The record of iteration ``k`` from its engine result (its step's fit and measured
    direction are added by the loop).
    """
    usable = bool(res.ok and res.g.size)
    reason = res.reason if usable else (res.reason or res.verdict.why or "no g(r)")
    run = RunSummary(ok=res.ok, reason=reason, kept=res.kept, steps=steps, md_steps=steps + equilibration,
                     wall_s=res.wall_s, pressure=res.pressure, pressure_err=res.pressure_err,
                     r=res.r if usable else np.zeros(0), g=res.g if usable else np.zeros(0),
                     g_err=res.g_err if usable else np.zeros(0))
    rec = IterationRecord(iteration=k, u=np.asarray(u, float), run=run, step=StepTaken(plan.base, plan.alpha))
    if usable:
        rec.comparison = ComparisonSummary.of(compare(target, res.r, res.g, res.g_err, r_max=r_max))
        if p_target is not None:
            tol = pressure_tolerance(p_target, target.density, res.pressure_err)
            diff = res.pressure - p_target
            rec.pressure_check = PressureCheck(diff=diff, tol=tol, ok=bool(abs(diff) <= tol))
    return rec


def _take_alternative(start, first: IterationRecord) -> bool:
    """Whether iteration 1 simulates ``start.alternative`` (a second start, where ``start``
    has one) because the first start's run made another fluid (:data:`FAR_START`).
    """
    far = not first.usable or first.comparison.l_mse > FAR_START
    return far and getattr(start, "alternative", None) is not None


def _alternative_taken(start, history: list[IterationRecord]) -> str | None:
    """The name of the alternative start iteration 1 simulated, else None."""
    alternative = getattr(start, "alternative", None)
    taken = alternative is not None and len(history) > 1 and history[1].step.base is None
    return alternative.name if taken else None


def _load_state(path: Path, target: Target, settings: RefineSettings, grid,
                start_name: str | None = None) -> list[IterationRecord]:
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
    stored = state.get("start")  # folders written before the start was recorded resume as they are
    if stored is not None and start_name is not None and stored != start_name:
        raise InputError(f"cannot resume: the folder's refinement started from {stored!r}, not "
                         f"{start_name!r}; use a new --out folder", str(path))
    if not np.allclose(state.get("grid", []), grid):
        raise InputError("cannot resume: another refinement grid (start or r_cut differ)", str(path))
    try:
        return [IterationRecord.from_json(h) for h in state["iterations"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"cannot resume: a damaged iteration record ({exc})", str(path)) from exc


def refine(target: Target, start, settings: RefineSettings | None = None, out_dir=None,
           on_iteration=None, start_name: str | None = None) -> RefineResult:
    """Refine a potential until MD reproduces ``target``.

    Args:
        target: The :class:`~boltzmann_nn.refine.target.Target` (reduced units).
        start: The starting potential (a PairTable, see
            :func:`~boltzmann_nn.refine.start.start_table`).
        settings: :class:`RefineSettings`.
        out_dir: Folder for ``refine.json`` (resume) and per-iteration files; None keeps
            everything in memory.
        on_iteration: Called with each iteration's :class:`IterationRecord` after it is stored.
        start_name: How the start was made (``hnc``, a file, ...): recorded in the folder,
            and a resume from another start is refused.
    """
    settings = settings or RefineSettings()
    method = settings.refinement_method
    r_cut = settings.r_cut or float(min(target.r[-1], 5.0))
    if not (0 < r_cut <= target.r[-1] + 1e-9):
        raise InputError(f"r_cut = {r_cut:g} must lie within the target's range (0, {target.r[-1]:.4g}]")
    grid = refinement_grid(target, start, r_cut)
    state_path = Path(out_dir) / STATE_FILE if out_dir is not None else None
    history: list[IterationRecord] = []
    finals: dict[int, np.ndarray | None] = {}
    if state_path is not None and state_path.exists():
        history = _load_state(state_path, target, settings, grid, start_name)
    while True:
        k = len(history)
        if k == 0 or (k == 1 and _take_alternative(start, history[0])):
            plan = Plan(stop=False, base=None, alpha=1.0, steps=_round_steps(settings.min_steps, settings))
            u = grid_potential(start if k == 0 else start.alternative, grid)
        else:
            plan = decide(history, settings)
            if plan.stop:
                break
            u = step(history[plan.base], grid, target, settings, plan.alpha)
        steps = _round_steps(max(plan.steps, method.min_steps), settings)
        start_at = _last_positions(finals, plan.base, out_dir)
        res, state, sampler = _simulate(grid, u, target, settings, steps, settings.seed + k, start_at)
        finals[k] = res.positions if res.kept else None  # a run the diagnostics doubt starts no other
        rec = make_record(k, u, res, target, steps, state.equilibration, plan, r_cut, settings.pressure)
        if rec.usable:
            rec.step.direction = method.measure(grid, target, res, sampler, settings.pressure)
        if method.fitted_step and plan.base is not None:
            rec.step.fitted = True
            rec.step.alpha_fit = fitted_alpha(grid, target, history[plan.base], rec)
        history.append(rec)
        if state_path is not None:
            _write_iteration(Path(out_dir), rec, grid, target, settings, finals[k])
            taken = _alternative_taken(start, history)
            alt = {"alternative": taken} if taken else {}
            atomic_write_json(state_path, {"target": target.digest(), "settings": settings.resume_key(),
                                           "start": start_name, "grid": grid.tolist(), **alt,
                                           "iterations": [h.to_json() for h in history]})
        if on_iteration:
            on_iteration(rec)
    good = [i for i, h in enumerate(history) if h.usable]
    best = min(good, key=lambda i: history[i].excess) if good else 0
    b, last = history[best].run, history[-1].run
    return RefineResult(
        iterations=history, converged=plan.converged, reason=plan.reason, best=best, grid=grid,
        u=np.asarray(history[best].u), r=b.r, g=b.g, g_err=b.g_err, r_last=last.r, g_last=last.g,
        settings=asdict(settings),
        alternative=_alternative_taken(start, history))


def _write_iteration(out: Path, rec: IterationRecord, grid, target: Target, settings: RefineSettings,
                     positions=None) -> None:
    """iter-NNN/table.csv (the simulated potential), gr.csv (its g(r)), reduced units, and
    the run's last configuration (:data:`POSITIONS_FILE`, [σ]) where there is one.
    """
    from ..io.potential_files import write_gr_csv, write_potential

    folder = out / f"iter-{rec.iteration:03d}"
    write_potential(folder / "table.csv", refined_table(grid, rec.u), "csv",
                    comment=f"refinement iteration {rec.iteration} ({settings.method})")
    if rec.usable:
        write_gr_csv(folder / "gr.csv", rec.run.r, rec.run.g,
                     f"MD of iteration {rec.iteration} at rho = {target.density:g}",
                     extra={"g_err": rec.run.g_err})
    if positions is not None:
        buf = io.BytesIO()
        np.save(buf, np.asarray(positions, float), allow_pickle=False)
        atomic_write(folder / POSITIONS_FILE, buf.getvalue())
