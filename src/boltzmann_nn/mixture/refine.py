"""Refinement of every pair potential of a mixture together, by MD (LAMMPS).

Each iteration simulates the current set of tables, compares every partial g_ij with its
target (the noise-aware distance pooled over pairs, :mod:`.compare`), and takes one step
for all pairs at once (:mod:`.step`: the multi-component Newton–HNC step, or IBI per
pair). The safeguards of one species carry over: a trust region (the largest change of any
U_ij per step is ``max_du``), the best iterate kept, a step halved from the best after a
worse result, production runs that lengthen as the distance approaches the noise, a stop
after ``patience`` iterations without improvement, and a folder that resumes after a kill
(``mixture-refine.json`` is rewritten atomically after every iteration; a different spec
or start is refused).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ..engines.base import StatePoint
from ..errors import InputError
from ..io.atomic import atomic_write
from ..refine.loop import MIN_FIT, secant_alpha, secant_terms
from ..refine.pair_counts import IMC_MIN_STEPS, MIN_FRAMES
from ..refine.start import refined_table
from ..refine.validate import SUB_BINS
from .compare import JointComparison, compare_pairs, pressure_check
from .imc import mixture_imc_step, mixture_sampler
from .kb import KBSettings, kb_check, kb_ramps
from .md import MixtureResult, simulate_mixture
from .step import next_potentials, residuals
from .system import Composition, PairPotentials

STATE_FILE = "mixture-refine.json"
#: A step is taken back (halved, from the best iterate) when the distance grows beyond this
#: factor of the best's; below MIN_ALPHA the refinement stops as diverged.
DIVERGE, MIN_ALPHA = 1.5, 1.0 / 16
#: Methods whose step length is fitted to the last step's response (as one species: the
#: Newton step overshoots in dense liquids; IBI keeps VOTCA's steps).
FITTED_STEP = ("ihnc", "imc", "hncgn")


@dataclass
class MixtureSettings:
    """How to refine a mixture (reduced units); see :class:`~boltzmann_nn.refine.loop.RefineSettings`."""

    method: str = "ihnc"
    max_iter: int = 10
    pressure: float | None = None
    tol: float | None = None
    min_steps: int = 4000
    max_steps: int = 40000
    equilibration: int = 4000
    blocks: int = 10
    max_du: float = 1.0
    patience: int = 3
    seed: int = 1
    threads: int = 1
    n_particles: int | None = None
    dt: float = 0.005
    engine: str = "lammps"
    platform: str = "auto"
    rdf_every: int = 100
    kb: KBSettings | None = None

    def resume_key(self) -> dict:
        keys = ("method", "pressure", "equilibration", "blocks", "max_du", "seed", "n_particles", "dt")
        key = {k: getattr(self, k) for k in keys}
        if self.engine != "lammps":  # folders of LAMMPS refinements keep their key
            key["engine"] = self.engine
        if self.kb is not None:
            key["kirkwood_buff"] = self.kb.to_json()
        return key


@dataclass
class MixtureIteration:
    """One iteration: the potentials simulated (pair → U on its grid), the run, how far it is."""

    iteration: int
    u: dict
    run: MixtureResult
    base: int | None = None
    alpha: float = 1.0
    steps: int = 0
    md_steps: int = 0
    comparison: JointComparison | None = None
    pressure: dict | None = None
    alpha_fit: float | None = None
    measured: dict | None = None
    kb: dict | None = None
    step_scale: float | None = None
    p_aim: float | None = None

    @property
    def usable(self) -> bool:
        return bool(self.run.ok and self.run.g)

    @property
    def converged(self) -> bool:
        return bool(
            self.usable
            and self.comparison.within_noise
            and (self.pressure is None or self.pressure["ok"])
            and (self.kb is None or self.kb["ok"])
        )

    @property
    def excess(self) -> float:
        extra = 0.0
        if self.pressure is not None and not self.pressure["ok"]:
            extra = self.comparison.noise_mse * (abs(self.pressure["diff"]) / self.pressure["tol"] - 1.0) ** 2
        return self.comparison.excess + extra

    def summary(self) -> dict:
        c = self.comparison
        out = {
            "iteration": self.iteration,
            "base": self.base,
            "alpha": self.alpha,
            "steps": self.steps,
            "md_steps": self.md_steps,
            "wall_s": self.run.wall_s,
            "ok": self.run.ok,
            "reason": self.run.reason,
            "kept": self.run.kept,
            "flags": self.run.flags.get("reasons", []),
            "pressure": self.run.pressure,
            "pressure_err": self.run.pressure_err,
        }
        if c is not None:
            out.update(
                {
                    "chi2": c.chi2,
                    "chi2_bound": c.chi2_bound,
                    "l_mse": c.l_mse,
                    "noise_mse": c.noise_mse,
                    "within_noise": c.within_noise,
                    "pairs": {p: {"chi2": s["chi2"], "l_mse": s["l_mse"]} for p, s in c.pairs.items()},
                }
            )
        if self.pressure is not None:
            out["pressure_ok"] = self.pressure["ok"]
        if self.kb is not None:
            out["kirkwood_buff"] = self.kb
        return out

    def to_json(self) -> dict:
        keys = ("iteration", "base", "alpha", "steps", "md_steps", "pressure", "alpha_fit")
        d = {k: getattr(self, k) for k in keys}
        if self.measured is not None:
            d["measured"] = {p: np.asarray(v).tolist() for p, v in self.measured.items()}
        if self.kb is not None:
            d["kb"] = self.kb
        if self.p_aim is not None:
            d["p_aim"], d["step_scale"] = self.p_aim, self.step_scale
        d["u"] = {p: np.asarray(v).tolist() for p, v in self.u.items()}
        d["run"] = self.run.to_dict()
        d["comparison"] = None if self.comparison is None else self.comparison.to_json()
        return d

    @classmethod
    def from_json(cls, d: dict) -> MixtureIteration:
        return cls(
            iteration=d["iteration"],
            u={p: np.asarray(v, float) for p, v in d["u"].items()},
            run=MixtureResult.from_dict(d["run"]),
            base=d["base"],
            alpha=d["alpha"],
            steps=d["steps"],
            md_steps=d["md_steps"],
            pressure=d["pressure"],
            alpha_fit=d.get("alpha_fit"),
            measured={p: np.asarray(v, float) for p, v in d["measured"].items()} if d.get("measured") else None,
            kb=d.get("kb"),
            step_scale=d.get("step_scale"),
            p_aim=d.get("p_aim"),
            comparison=None if d["comparison"] is None else JointComparison.from_json(d["comparison"]),
        )

    @property
    def within_noise(self) -> bool:
        """Every g_ij of the run within the noise of its target."""
        return bool(self.comparison is not None and self.comparison.within_noise)

    def base_view(self) -> dict:
        """What a step from this iteration needs (its U, its run's g, errors and P)."""
        return {
            "u": self.u,
            "run": {"r": self.run.r, "g": self.run.g, "g_err": self.run.g_err, "pressure": self.run.pressure},
            "within_noise": self.within_noise,
        }


@dataclass
class MixtureRefineResult:
    """What a mixture refinement produced (reduced units)."""

    iterations: list
    converged: bool
    reason: str
    best: int
    grids: dict
    u: dict
    settings: dict = field(default_factory=dict)

    def tables(self) -> dict:
        """The best iterate's MD table per pair."""
        return {p: refined_table(self.grids[p], self.u[p], name=f"refined {p}") for p in self.grids}

    @property
    def md_steps(self) -> int:
        return int(sum(it.md_steps for it in self.iterations))

    def history(self) -> list[dict]:
        return [it.summary() for it in self.iterations]


def _round_steps(steps: float, s: MixtureSettings) -> int:
    quantum = 10 * s.blocks * 10
    steps = min(max(steps, s.min_steps), s.max_steps)
    return int(max(quantum, math.ceil(steps / quantum) * quantum))


def _pressure_steps(it: MixtureIteration) -> float:
    """Steps that make the run's P precise enough to judge (2σ_P within the relative
    tolerance; σ_P falls as steps^-1/2); 0 without a target or before P is near it.
    """
    pc = it.pressure
    if pc is None or not pc["ok"] or "scale" not in pc or not math.isfinite(it.run.pressure_err):
        return 0.0
    return it.steps * (2.0 * it.run.pressure_err / pc["scale"]) ** 2


def _next_steps(base: MixtureIteration, s: MixtureSettings) -> int:
    c = base.comparison
    want = max(0.25 * max(c.l_mse - c.noise_mse, 0.0), c.target_noise_mse)
    return _round_steps(max(base.steps * max(c.run_noise_mse, 1e-30) / want, _pressure_steps(base)), s)


def _precise(it: MixtureIteration, s: MixtureSettings) -> bool:
    """Whether a converged run was long enough to trust: its g_ij noise at most twice the
    targets' and its P precise enough (or the runs are as long as allowed).
    """
    if it.steps >= s.max_steps:
        return True
    c = it.comparison
    return c.run_noise_mse <= 2.0 * c.target_noise_mse and _pressure_steps(it) <= it.steps


def decide(history: list[MixtureIteration], s: MixtureSettings) -> dict:
    """The next action (``stop``, ``converged``, ``reason``; or ``base``, ``alpha``, ``steps``)."""
    good = [i for i, h in enumerate(history) if h.usable]
    if not good:
        return {
            "stop": True,
            "converged": False,
            "reason": f"the starting potentials cannot be simulated: {history[0].run.reason}",
        }
    best = min(good, key=lambda i: history[i].excess)
    last, k = history[-1], len(history)
    if last.converged and _precise(last, s):
        c = last.comparison
        why = f"every g_ij within the statistical error (joint chi2/n = {c.chi2:.3g} <= {c.chi2_bound:.3g})"
        if last.pressure is not None:
            why += f", P within {last.pressure['tol']:.2g} of the target ({last.pressure['diff']:+.2g})"
        if last.kb is not None:
            why += ", every Kirkwood-Buff integral within 2 sigma of its target"
        return {"stop": True, "converged": True, "reason": why}
    if s.tol is not None and history[best].comparison.l_mse <= s.tol:
        return {"stop": True, "converged": True, "reason": f"L_MSE <= tol = {s.tol:g}"}
    if k >= s.max_iter:
        return {"stop": True, "converged": False, "reason": f"reached max_iter {s.max_iter}"}
    if k - 1 - best >= s.patience:
        return {
            "stop": True,
            "converged": False,
            "reason": f"no improvement in {s.patience} iterations (best: iteration {best})",
        }
    worse = (
        not last.usable
        or last.excess > DIVERGE * max(history[best].excess, 1e-12) + last.comparison.noise_mse
    )
    if worse:
        alpha = last.alpha / 2.0
        if alpha < MIN_ALPHA:
            return {"stop": True, "converged": False, "reason": f"diverged; keeping iteration {best}"}
        return {"stop": False, "base": best, "alpha": alpha, "steps": _next_steps(history[best], s)}
    if last.alpha_fit is not None:  # the step length the last step's response asks for
        alpha = min(1.0, max(MIN_FIT, last.alpha_fit))
    else:
        improved = last.base is not None and last.excess < history[last.base].excess
        alpha = min(1.0, last.alpha * (2.0 if improved else 1.0))
    return {"stop": False, "base": k - 1, "alpha": alpha, "steps": _next_steps(last, s)}


def pressure_bias(history: list[MixtureIteration], base: int) -> float:
    """How far the last run missed the pressure its step aimed at, per unit of step
    fraction: the part of the g step's effect on P that the virial estimate of the ramp
    did not see, which grows with the step. It carries over only to another step from the
    same base (the same direction, a shorter step after a worse result); 0 otherwise.
    Measured on lj-asym from one base: misses of +0.19, +0.09, +0.05 k_BT/σ³ at step
    fractions 0.6, 0.3, 0.15; carried to a step from the next base, it overshot the other way.
    """
    last = history[-1] if history else None
    if last is None or last.base != base or last.p_aim is None or not last.usable or not last.step_scale:
        return 0.0
    miss = last.run.pressure - last.p_aim
    if abs(miss) <= 2.0 * last.run.pressure_err:  # within the run's noise: nothing learnt
        return 0.0
    return float(miss / max(last.step_scale, MIN_FIT))


def alpha_terms(grids: dict, targets: dict, base: MixtureIteration, rec: MixtureIteration) -> list:
    """The secant terms (:func:`~boltzmann_nn.refine.loop.secant_terms`) of every pair between
    the base run and the run of the step from it ([] where either is unusable).
    """
    if not (base.usable and rec.usable):
        return []
    b, k = base.run, rec.run
    return [
        secant_terms(
            grids[p],
            targets[p],
            SimpleNamespace(r=b.r, g=b.g[p], g_err=b.g_err[p]),
            SimpleNamespace(r=k.r, g=k.g[p], g_err=k.g_err[p]),
        )
        for p in grids
    ]


def joint_alpha_fit(grids: dict, targets: dict, base: MixtureIteration, rec: MixtureIteration) -> float | None:
    """The step length fitted to the last step's response over all pairs at once (the
    one-species secant, :func:`~boltzmann_nn.refine.loop.fitted_alpha`, with the sums pooled).
    """
    terms = alpha_terms(grids, targets, base, rec)
    return secant_alpha(rec.alpha, terms) if terms else None


def measure_imc(comp, grids: dict, targets: dict, rec: MixtureIteration, sampler, pressure) -> dict:
    """The IMC step of a finished run (pair → ΔU on its grid), with the target pressure."""
    run = rec.run
    counts = [run.settings["counts"][sp] for sp in comp.species]
    res = residuals(rec.base_view(), grids, targets)
    return mixture_imc_step(comp, grids, res, sampler, counts, float(run.settings["box"]) ** 3,
                            pressure, run.pressure)


def pair_grids(targets: dict, start: dict, r_cut: dict) -> dict:
    """Each pair's refinement grid (as one species: the target's points from the start's
    table start to the cut-off).
    """
    from ..refine.start import refinement_grid

    return {p: refinement_grid(targets[p], start[p], r_cut[p]) for p in targets}


def _digest(comp: Composition, targets: dict, start_name: str) -> str:
    h = hashlib.sha256(json.dumps(comp.to_dict(), sort_keys=True).encode())
    for p in sorted(targets):
        h.update(p.encode() + targets[p].digest().encode())
    h.update(start_name.encode())
    return h.hexdigest()[:16]


def _load(path: Path, digest: str, s: MixtureSettings, grids: dict) -> list[MixtureIteration]:
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot resume: {exc}", str(path)) from None
    if state.get("digest") != digest:
        raise InputError(
            "cannot resume: the folder holds a refinement of other targets, composition or "
            "start; use a new --out folder",
            str(path),
        )
    if state.get("settings") != s.resume_key():
        raise InputError(
            f"cannot resume: the folder's refinement used other settings ({state.get('settings')}); "
            "use a new --out folder",
            str(path),
        )
    if any(not np.allclose(state["grids"].get(p, []), g) for p, g in grids.items()):
        raise InputError("cannot resume: other refinement grids (r_cut differs)", str(path))
    try:
        return [MixtureIteration.from_json(h) for h in state["iterations"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"cannot resume: a damaged iteration record ({exc})", str(path)) from None


def run_bin_width(targets) -> float:
    """The runs' g(r) bin width [σ]: 0.01σ, or finer where a target's bins are narrower than
    :data:`~boltzmann_nn.refine.validate.SUB_BINS` × that (the run is averaged over them).
    """
    return min([0.01] + [float(np.median(np.diff(t.r))) / SUB_BINS for t in targets])


def _state(comp: Composition, s: MixtureSettings, steps: int, seed: int, r_max: float,
           dr: float) -> StatePoint:
    """A run of ``steps`` with g_ij on bins of ``dr`` (:func:`run_bin_width`) to at least 5σ."""
    rmax = float(min(max(5.0, r_max), 100.0))
    return StatePoint(
        density=comp.density,
        steps=steps,
        equilibration=s.equilibration,
        blocks=s.blocks,
        seed=seed,
        threads=s.threads,
        rdf_rmax=rmax,
        rdf_bins=int(min(max(200, round(rmax / dr)), 100000)),
        n_particles=s.n_particles,
        dt=s.dt,
        rdf_every=s.rdf_every,
    )


def refine_mixture(
    comp: Composition,
    targets: dict,
    start: dict,
    r_cut: dict,
    settings: MixtureSettings | None = None,
    out_dir=None,
    start_name: str = "",
    on_iteration=None,
) -> MixtureRefineResult:
    """Refine all pair potentials of ``comp`` until MD reproduces every target g_ij.

    Args:
        comp: Species, mole fractions, total density (reduced).
        targets: Pair name → :class:`~boltzmann_nn.refine.target.Target`.
        start: Pair name → starting PairTable (see :mod:`.start`).
        r_cut: Pair name → cut-off [σ].
        out_dir: Folder of the resumable state and per-iteration files (None: in memory).
        start_name: How the start was made (a resumed folder must match it).
    """
    from ..refine.start import grid_potential

    s = settings or MixtureSettings()
    grids = pair_grids(targets, start, r_cut)
    digest = _digest(comp, targets, start_name)
    path = Path(out_dir) / STATE_FILE if out_dir is not None else None
    history = _load(path, digest, s, grids) if path is not None and path.exists() else []
    r_max = max(float(t.r[-1]) for t in targets.values())
    dr = run_bin_width(targets.values())
    while True:
        k = len(history)
        step_info: dict = {}
        if k == 0:
            plan = {"stop": False, "base": None, "alpha": 1.0, "steps": s.min_steps}
            u = {p: grid_potential(start[p], grids[p]) for p in grids}
        else:
            plan = decide(history, s)
            if plan["stop"]:
                break
            base = history[plan["base"]]
            u = next_potentials(
                s.method,
                comp,
                grids,
                targets,
                base.base_view(),
                plan["alpha"],
                s.max_du,
                s.pressure,
                measured=base.measured,
                ramps=kb_ramps(s.kb, grids, base.kb) if s.kb is not None and base.kb is not None else None,
                p_bias=pressure_bias(history, plan["base"]) if s.method == "ihnc" else 0.0,
                info=step_info,
            )
        imc = s.method == "imc"
        steps = _round_steps(max(plan["steps"], IMC_MIN_STEPS if imc else 0), s)
        pots = PairPotentials(comp.species, {p: refined_table(grids[p], u[p], name=p) for p in grids})
        sampler = None
        if imc:
            virial = dict(pots.items()) if s.pressure is not None else None
            sampler = mixture_sampler(comp, grids, virial, steps)
        res = simulate_mixture(pots, comp, _state(comp, s, steps, s.seed + k, r_max, dr), sampler=sampler,
                               engine=s.engine, platform=s.platform)
        rec = MixtureIteration(
            iteration=k,
            u=u,
            run=res,
            base=plan["base"],
            alpha=plan["alpha"],
            steps=steps,
            md_steps=steps + s.equilibration,
            step_scale=step_info.get("scale"),
            p_aim=step_info.get("aim"),
        )
        if rec.usable:
            rec.comparison = compare_pairs(targets, res.r, res.g, res.g_err, r_cut)
            rec.pressure = pressure_check(res.pressure, res.pressure_err, s.pressure, comp.density)
            if s.kb is not None:
                rec.kb = kb_check(s.kb, targets, res.r, res.g, res.g_err)
            if s.method in FITTED_STEP and plan["base"] is not None:
                rec.alpha_fit = joint_alpha_fit(grids, targets, history[plan["base"]], rec)
            if sampler is not None and sampler.frames >= MIN_FRAMES:
                rec.measured = measure_imc(comp, grids, targets, rec, sampler, s.pressure)
        history.append(rec)
        if path is not None:
            atomic_write(
                path,
                json.dumps(
                    {
                        "digest": digest,
                        "settings": s.resume_key(),
                        "grids": {p: g.tolist() for p, g in grids.items()},
                        "iterations": [h.to_json() for h in history],
                    }
                ),
            )
        if on_iteration:
            on_iteration(rec)
    good = [i for i, h in enumerate(history) if h.usable]
    best = min(good, key=lambda i: history[i].excess) if good else 0
    return MixtureRefineResult(
        iterations=history,
        converged=plan["converged"],
        reason=plan["reason"],
        best=best,
        grids=grids,
        u=history[best].u,
        settings=asdict(s),
    )
