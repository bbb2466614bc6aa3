"""One set of pair potentials refined against several state points at once.

A multi-state file (TOML) names a one-state spec per state (docs/mixtures.md) and its weight::

    method = "ihnc"            # ihnc | hncgn | ibi (every state takes this method)
    max_iter = 8
    workers = 2                # Dask LocalCluster workers for the states of an iteration
    # scheduler = "tcp://host:8786"   # or an existing Dask scheduler
    [[states]]
    spec = "rho0.70_T1.5.toml"
    weight = 1.0
    kT = 1.5                   # reduced specs only: k_BT in the shared energy unit (default 1)
    [[states]]
    spec = "rho0.80_T2.0.toml"
    kT = 2.0

Every state's spec has the same species and σ; its temperature (or ``kT``) may differ. The
potentials are kept in one energy unit (the first state's, ε = 1 for reduced specs) and each
state simulates U/k_BT of its own temperature. An iteration runs every state's MD (in
parallel on Dask), compares each state's g_ij with its targets (noise-aware stopping per
state: converged when every state is within its noise and, where given, its pressure) and
takes one step for all states: each state's own step (the multi-component Newton–HNC or IBI
step of :mod:`.step`, with its pressure ramp) in the shared energy unit, combined point by
point with weights w_s g_s(r)² — the stacked least-squares (Gauss–Newton) solution of all
states' residuals when each state's Jacobian is taken as its local one, δg_s ≈ −g_s δU, so
a state counts where its g(r) carries information. IBI's combination is msibi's weighted
average where the g are alike. ``hncgn`` takes the Gauss–Newton step of all states at
once instead (:func:`stacked_step`: every state's HNC-response rows stacked, one pressure
constraint per state). Safeguards as for one state: the largest change per step, each
weighed by the g it moves, is ``max_du`` k_BT (of the coldest state), the best iterate
(lowest weighted excess over noise) is kept, a worse step is halved from the best, the
Newton step's length is fitted to the response of the last step (the one-state secant with
its sums pooled over every state and pair), production runs lengthen as the distance
approaches the noise, and a killed refinement resumes from ``multistate-refine.json``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write
from ..refine.loop import MIN_FIT, secant_alpha
from ..refine.start import grid_potential, refined_table
from ..refine.updates import trust_clip, trust_scale
from ..units import K_B
from .compare import compare_pairs, pressure_check
from .md import MixtureResult, simulate_mixture
from .refine import (
    DIVERGE,
    FITTED_STEP,
    MIN_ALPHA,
    MixtureIteration,
    MixtureSettings,
    _next_steps,
    _round_steps,
    _state,
    alpha_terms,
    pair_grids,
    run_bin_width,
)
from .spec import MixtureSpec, read_spec, read_toml
from .step import gauss_newton_part, next_potentials, residuals
from .system import PairPotentials

STATE_FILE = "multistate-refine.json"
#: Methods for several states (``hncgn`` stacks every state's rows into one step).
MULTISTATE_METHODS = ("ihnc", "ibi", "hncgn")
TOP_KEYS = {"method", "max_iter", "workers", "scheduler", "states", "max_du", "md"}
STATE_KEYS = {"spec", "weight", "kT"}


@dataclass
class State:
    """One state point: its spec (composition, targets, pressure, units), weight and k_BT
    in the shared energy unit.
    """

    name: str
    spec: MixtureSpec
    weight: float
    kT: float


@dataclass
class MultiStateSpec:
    path: Path
    states: list
    method: str = "ihnc"
    max_iter: int = 10
    workers: int = 1
    scheduler: str | None = None
    max_du: float = 1.0
    md: dict = field(default_factory=dict)

    @property
    def species(self) -> tuple:
        return self.states[0].spec.species

    @property
    def units(self):
        """The shared units (the first state's): lengths, and energies in its unit."""
        return self.states[0].spec.units


def _fail(msg: str, path) -> InputError:
    return InputError(msg, str(path))


def _energy_scale(spec: MixtureSpec, entry: dict, first: MixtureSpec, path) -> float:
    """k_BT of a state in the shared energy unit."""
    units = spec.units
    if units.is_reduced or units.energy_unit == "kT":
        kT = entry.get("kT", 1.0)
        if isinstance(kT, bool) or not isinstance(kT, (int, float)) or not kT > 0:
            raise _fail(f"state {spec.path.name}: kT must be a number > 0, got {kT!r}", path)
        return float(kT)
    if "kT" in entry:
        raise _fail(f"state {spec.path.name}: its spec has physical units; give its temperature there", path)
    return float(units.kT * K_B[first.units.energy_unit] / K_B[units.energy_unit])


def read_multistate(path) -> MultiStateSpec:
    """Read and check a multi-state file (see the module doc)."""
    path = Path(path)
    data = read_toml(path, TOP_KEYS)
    entries = data.get("states")
    if not isinstance(entries, list) or not entries:
        raise _fail("a multi-state file needs [[states]] entries, each with spec = FILE", path)
    states, first = [], None
    for k, entry in enumerate(entries):
        if not isinstance(entry, dict) or "spec" not in entry or set(entry) - STATE_KEYS:
            raise _fail(f"state {k + 1}: give spec = FILE (and optional weight, kT); known keys "
                        f"{sorted(STATE_KEYS)}", path)
        spec = read_spec(path.parent / str(entry["spec"]))
        first = first or spec
        if spec.species != first.species:
            raise _fail(f"state {k + 1} ({spec.path.name}) has species {list(spec.species)}, the first "
                        f"{list(first.species)}: one set of potentials needs the same species", path)
        if (spec.units.sigma, spec.units.length_unit) != (first.units.sigma, first.units.length_unit):
            raise _fail(f"state {k + 1} ({spec.path.name}): sigma differs from the first state's", path)
        weight = entry.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight > 0:
            raise _fail(f"state {k + 1}: weight must be > 0, got {weight!r}", path)
        states.append(State(spec.path.stem, spec, float(weight), _energy_scale(spec, entry, first, path)))
    if len({s.name for s in states}) != len(states):
        raise _fail("two states share a spec file name; name each state's spec differently", path)
    method = data.get("method", "ihnc")
    if method not in MULTISTATE_METHODS:
        raise _fail(f"method {method!r}: use one of {list(MULTISTATE_METHODS)}", path)
    workers = data.get("workers", 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise _fail(f"workers must be an integer >= 1, got {workers!r}", path)
    max_iter = data.get("max_iter", 10)
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or not 1 <= max_iter <= 1000:
        raise _fail(f"max_iter must be an integer in [1, 1000], got {max_iter!r}", path)
    return MultiStateSpec(path, states, method, max_iter, workers, data.get("scheduler"),
                          float(data.get("max_du", 1.0)), dict(data.get("md", {})))


@dataclass
class MultiIteration:
    """One iteration: the shared potentials (pair → U in the shared energy unit on its grid)
    and each state's record (:class:`~.refine.MixtureIteration`, in its own k_BT).
    """

    iteration: int
    u: dict
    states: dict
    base: int | None = None
    alpha: float = 1.0
    steps: int = 0
    alpha_fit: float | None = None

    @property
    def usable(self) -> bool:
        return all(rec.usable for rec in self.states.values())

    @property
    def converged(self) -> bool:
        return all(rec.converged for rec in self.states.values())

    def excess(self, weights: dict) -> float:
        return float(sum(weights[n] * rec.excess for n, rec in self.states.items()))

    @property
    def md_steps(self) -> int:
        return int(sum(rec.md_steps for rec in self.states.values()))

    def to_json(self) -> dict:
        return {"iteration": self.iteration, "base": self.base, "alpha": self.alpha, "steps": self.steps,
                "alpha_fit": self.alpha_fit, "u": {p: np.asarray(v).tolist() for p, v in self.u.items()},
                "states": {n: rec.to_json() for n, rec in self.states.items()}}

    @classmethod
    def from_json(cls, d: dict) -> MultiIteration:
        return cls(d["iteration"], {p: np.asarray(v, float) for p, v in d["u"].items()},
                   {n: MixtureIteration.from_json(v) for n, v in d["states"].items()},
                   d["base"], d["alpha"], d["steps"], d.get("alpha_fit"))

    def summary(self) -> dict:
        return {"iteration": self.iteration, "base": self.base, "alpha": self.alpha, "steps": self.steps,
                "alpha_fit": self.alpha_fit, "md_steps": self.md_steps,
                "states": {n: rec.summary() for n, rec in self.states.items()}}


def combine_steps(steps: dict, weights: dict, g_targets: dict) -> dict:
    """Pair → one step from each state's (state → pair → ΔU on the pair's grid): the
    pointwise average with weights w_s g_s(r)² (w_s alone where no state's g carries
    information).
    """
    out = {}
    for p in next(iter(steps.values())):
        num = den = 0.0
        for n, du in steps.items():
            w = weights[n] * (np.clip(g_targets[n][p], 0.0, None) ** 2 + 1e-6)
            num = num + w * du[p]
            den = den + w
        out[p] = num / den
    return out


def _simulate_job(job: tuple) -> MixtureResult:
    pots, comp, state, engine, platform = job
    return simulate_mixture(pots, comp, state, engine=engine, platform=platform)


def _run_states(jobs: list, ms: MultiStateSpec, client) -> list[MixtureResult]:
    if client is None:
        return [_simulate_job(job) for job in jobs]
    futures = client.map(_simulate_job, jobs, pure=False)
    return client.gather(futures)


def _client(ms: MultiStateSpec):
    if ms.scheduler is None and ms.workers <= 1:
        return None, None
    from dask.distributed import Client, LocalCluster

    if ms.scheduler is not None:
        return Client(ms.scheduler), None
    cluster = LocalCluster(n_workers=ms.workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def _digest(ms: MultiStateSpec, targets: dict, start_name: str) -> str:
    h = hashlib.sha256(start_name.encode())
    for st in ms.states:
        h.update(json.dumps([st.name, st.weight, st.kT, st.spec.composition.to_dict(), st.spec.pressure],
                            sort_keys=True).encode())
        for p in sorted(targets[st.name]):
            h.update(p.encode() + targets[st.name][p].digest().encode())
    return h.hexdigest()[:16]


def _settings(ms: MultiStateSpec, st: State) -> MixtureSettings:
    from .run_spec import settings_of

    s = settings_of(st.spec)
    md = ms.md
    s.method, s.max_iter, s.max_du = ms.method, ms.max_iter, ms.max_du
    for key in ("equilibration", "blocks", "seed", "threads", "n_particles", "dt"):
        if key in md:
            setattr(s, key, md[key])
    if "steps" in md:
        s.min_steps = int(md["steps"])
    if "max_steps" in md:
        s.max_steps = int(md["max_steps"])
    return s


def _decide(history: list, ms: MultiStateSpec, weights: dict, settings: dict) -> dict:
    good = [i for i, h in enumerate(history) if h.usable]
    if not good:
        bad = {n: rec.run.reason for n, rec in history[0].states.items() if not rec.usable}
        return {"stop": True, "converged": False, "reason": f"the start cannot be simulated: {bad}"}
    best = min(good, key=lambda i: history[i].excess(weights))
    last, k = history[-1], len(history)
    if last.converged:
        return {"stop": True, "converged": True,
                "reason": "every state's g_ij within its statistical error (and its pressure, where given)"}
    if k >= ms.max_iter:
        return {"stop": True, "converged": False, "reason": f"reached max_iter {ms.max_iter}"}
    patience = next(iter(settings.values())).patience
    if k - 1 - best >= patience:
        return {"stop": True, "converged": False,
                "reason": f"no improvement in {patience} iterations (best: iteration {best})"}
    noise = sum(weights[n] * rec.comparison.noise_mse for n, rec in history[best].states.items())
    if not last.usable or last.excess(weights) > DIVERGE * max(history[best].excess(weights), 1e-12) + noise:
        alpha = last.alpha / 2.0
        if alpha < MIN_ALPHA:
            return {"stop": True, "converged": False, "reason": f"diverged; keeping iteration {best}"}
        return {"stop": False, "base": best, "alpha": alpha, "steps": _steps(history[best], settings)}
    if last.alpha_fit is not None:  # the step length the last step's response asks for
        alpha = min(1.0, max(MIN_FIT, last.alpha_fit))
    else:
        improved = last.base is not None and last.excess(weights) < history[last.base].excess(weights)
        alpha = min(1.0, last.alpha * (2.0 if improved else 1.0))
    return {"stop": False, "base": k - 1, "alpha": alpha, "steps": _steps(last, settings)}


def _steps(base: MultiIteration, settings: dict) -> int:
    """Production steps of the next runs: as one state, for the state that needs most."""
    return max(_next_steps(rec, settings[n]) for n, rec in base.states.items())


@dataclass
class MultiStateResult:
    iterations: list
    converged: bool
    reason: str
    best: int
    grids: dict
    u: dict
    wall_s: float = 0.0

    @property
    def md_steps(self) -> int:
        return int(sum(it.md_steps for it in self.iterations))


def refine_states(ms: MultiStateSpec, targets: dict, start: dict, r_cut: dict, out_dir=None,
                  start_name: str = "", on_iteration=None) -> MultiStateResult:
    """Refine one set of potentials against every state of ``ms`` (see the module doc).

    Args:
        targets: State name → pair → Target (reduced with the state's own units).
        start: Pair → PairTable with U in the shared energy unit (:func:`start_potentials`).
        r_cut: Pair → cut-off [σ].
    """
    import time

    t0 = time.time()
    first = ms.states[0].name
    grids = pair_grids(targets[first], start, r_cut)
    weights = {st.name: st.weight for st in ms.states}
    settings = {st.name: _settings(ms, st) for st in ms.states}
    digest = _digest(ms, targets, start_name)
    path = Path(out_dir) / STATE_FILE if out_dir is not None else None
    history = _load(path, digest, grids) if path is not None and path.exists() else []
    r_max = max(float(t.r[-1]) for tg in targets.values() for t in tg.values())
    dr = run_bin_width([t for tg in targets.values() for t in tg.values()])
    client, cluster = _client(ms)
    try:
        while True:
            k = len(history)
            if k == 0:
                plan = {"stop": False, "base": None, "alpha": 1.0,
                        "steps": max(s.min_steps for s in settings.values())}
                u = {p: grid_potential(start[p], grids[p]) for p in grids}
            else:
                plan = _decide(history, ms, weights, settings)
                if plan["stop"]:
                    break
                u = _next_u(ms, history[plan["base"]], grids, targets, settings, plan["alpha"])
            steps = plan["steps"]
            jobs = []
            for st in ms.states:
                s = settings[st.name]
                pots = PairPotentials(st.spec.species, {p: refined_table(grids[p], u[p] / st.kT, name=p)
                                                        for p in grids})
                comp = st.spec.composition
                state = _state(comp, s, _round_steps(steps, s), s.seed + k, r_max, dr)
                jobs.append((pots, comp, state, s.engine, s.platform))
            runs = _run_states(jobs, ms, client)
            recs = {}
            for st, job, res in zip(ms.states, jobs, runs):
                s = settings[st.name]
                rec = MixtureIteration(iteration=k, u={p: u[p] / st.kT for p in grids}, run=res,
                                       base=plan["base"], alpha=plan["alpha"], steps=job[2].steps,
                                       md_steps=job[2].steps + s.equilibration)
                if rec.usable:
                    rec.comparison = compare_pairs(targets[st.name], res.r, res.g, res.g_err, r_cut)
                    rec.pressure = pressure_check(res.pressure, res.pressure_err, s.pressure,
                                                  st.spec.composition.density)
                recs[st.name] = rec
            fit = None
            if ms.method in FITTED_STEP and plan["base"] is not None:
                base = history[plan["base"]].states
                terms = [t for st in ms.states
                         for t in alpha_terms(grids, targets[st.name], base[st.name], recs[st.name])]
                fit = secant_alpha(plan["alpha"], terms) if terms else None
            history.append(MultiIteration(k, u, recs, plan["base"], plan["alpha"], steps, fit))
            if path is not None:
                record = {"digest": digest, "grids": {p: g.tolist() for p, g in grids.items()},
                          "iterations": [h.to_json() for h in history]}
                atomic_write(path, json.dumps(record))
            if on_iteration:
                on_iteration(history[-1])
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    good = [i for i, h in enumerate(history) if h.usable]
    best = min(good, key=lambda i: history[i].excess(weights)) if good else 0
    return MultiStateResult(history, plan["converged"], plan["reason"], best, grids, history[best].u,
                            time.time() - t0)


def _next_u(ms, base: MultiIteration, grids, targets, settings, alpha) -> dict:
    """Each state's step (its own k_BT) in the shared energy unit, combined (:func:`combine_steps`);
    ``hncgn``: one Gauss–Newton step for all states' rows (:func:`stacked_step`), except where
    every state's g is within its noise: then each state's pressure ramp, combined
    (:func:`~boltzmann_nn.refine.methods.hncgn.pressure_only`).
    """
    if ms.method == "hncgn" and not all(rec.within_noise for rec in base.states.values()):
        return stacked_step(ms, base, grids, targets, settings, alpha)
    steps, g_t = {}, {}
    for st in ms.states:
        rec, s = base.states[st.name], settings[st.name]
        new = next_potentials(ms.method, st.spec.composition, grids, targets[st.name], rec.base_view(),
                              alpha, s.max_du, s.pressure)
        steps[st.name] = {p: (new[p] - rec.u[p]) * st.kT for p in grids}
        g_t[st.name] = {p: np.interp(grids[p], targets[st.name][p].r, targets[st.name][p].g) for p in grids}
    du = combine_steps(steps, {st.name: st.weight for st in ms.states}, g_t)
    return {p: (base.u[p] + du[p]) - (base.u[p] + du[p])[-1] for p in grids}


def stacked_step(ms, base: MultiIteration, grids, targets, settings, alpha) -> dict:
    """The next U of every pair: the least-squares step of every state's HNC-response rows
    stacked (each weighted by the state's weight, ΔU in the shared unit changing a state's βU
    by ΔU/k_BT) under one pressure constraint per state that has a target pressure
    (:func:`~boltzmann_nn.refine.methods.hncgn.gauss_newton`); α times it, its largest change
    over all pairs and states, weighed by the g it moves, capped at ``max_du`` k_BT of the
    coldest state (:func:`~boltzmann_nn.refine.updates.trust_scale`; core edges clipped there).
    """
    from ..refine.methods.hncgn import gauss_newton

    parts = []
    g_max = {p: np.zeros_like(grid) for p, grid in grids.items()}
    for st in ms.states:
        view = base.states[st.name].base_view()
        res = residuals(view, grids, targets[st.name])
        parts.append(gauss_newton_part(st.spec.composition, grids, view, res, settings[st.name].pressure,
                                       st.kT, st.weight))
        g_max = {p: np.maximum(g_max[p], np.maximum(res[p][0], res[p][1])) for p in grids}
    du = gauss_newton(parts)
    cap = ms.max_du * min(st.kT for st in ms.states)
    pairs = list(grids)
    scale = trust_scale([du[p] for p in pairs], [g_max[p] for p in pairs], alpha, cap)
    moved = {p: base.u[p] + trust_clip(scale * du[p], cap) for p in pairs}
    return {p: u - u[-1] for p, u in moved.items()}


def _load(path: Path, digest: str, grids: dict) -> list:
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot resume: {exc}", str(path)) from None
    if state.get("digest") != digest:
        raise InputError("cannot resume: the folder holds a refinement of other states, targets or start; "
                         "use a new --out folder", str(path))
    if any(not np.allclose(state["grids"].get(p, []), g) for p, g in grids.items()):
        raise InputError("cannot resume: other refinement grids (r_cut differs)", str(path))
    try:
        return [MultiIteration.from_json(h) for h in state["iterations"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"cannot resume: a damaged iteration record ({exc})", str(path)) from None


def start_potentials(ms: MultiStateSpec, targets: dict, start: str = "hnc") -> dict:
    """Pair → start table in the shared energy unit: each state's inversion (its own k_BT
    scaled to the shared unit), averaged with the weights of :func:`combine_steps`.
    """
    from ..potentials.table import PairTable
    from .start import start_tables

    first = ms.states[0]
    per = {st.name: start_tables(start, st.spec.composition, targets[st.name], st.spec.units)
           for st in ms.states}
    out = {}
    for p, tab0 in per[first.name].items():
        r = tab0.r
        num = den = 0.0
        for st in ms.states:
            tab = per[st.name][p]
            u = np.interp(r, tab.r, tab.U) * st.kT
            w = st.weight * (np.clip(np.interp(r, targets[st.name][p].r, targets[st.name][p].g, left=0.0),
                                     0.0, None) ** 2 + 1e-6)
            num, den = num + w * u, den + w
        u = num / den
        f = -np.gradient(u, r)
        out[p] = PairTable(r, u, f, name=f"{start} start {p} (states averaged)", check_force=False)
    return out
