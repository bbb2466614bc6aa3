"""One refinement iteration as a typed record: the run, its comparison with the target,
the pressure check, and the step that produced its potential.

On disk (``refine.json``) a record is one flat JSON object with the keys the loop has
always written (``l_mse``, ``g_run``, ``alpha_fit``, ``imc_du``, …), so folders written
before these classes existed resume unchanged; :meth:`IterationRecord.to_json` and
:meth:`IterationRecord.from_json` are the only places that know those keys. Reduced units
(σ, k_BT, k_BT/σ³).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

import numpy as np


def _array(values) -> np.ndarray:
    return np.asarray(values if values is not None else [], float)


def _inf_if_none(value) -> float:
    """Strict JSON writes inf as null: read it back as inf."""
    return math.inf if value is None else float(value)


def _nan_if_none(value) -> float:
    return math.nan if value is None else float(value)


@dataclass
class RunSummary:
    """What the iteration's MD run produced.

    Attributes:
        ok, reason, kept: The engine's verdict (``reason`` says why a run failed or is unusable).
        steps, md_steps: Production steps, and production plus equilibration.
        wall_s: Wall time of the run [s].
        pressure, pressure_err: Virial pressure and its block error [k_BT/σ³].
        r, g, g_err: The run's g(r) (empty when it has none) [σ], dimensionless.
    """

    ok: bool
    reason: str
    kept: bool
    steps: int
    md_steps: int
    wall_s: float
    pressure: float
    pressure_err: float
    r: np.ndarray = field(default_factory=lambda: np.zeros(0))
    g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    g_err: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def usable(self) -> bool:
        """A run with a g(r) the next step can use."""
        return bool(self.ok and self.g.size)


@dataclass
class ComparisonSummary:
    """The run's g(r) against the target (see :func:`~boltzmann_nn.refine.compare.compare`);
    an unusable run has L_MSE = χ² = inf and NaN elsewhere.
    """

    l_mse: float = math.inf
    noise_mse: float = math.nan
    target_noise_mse: float = math.nan
    run_noise_mse: float = math.nan
    chi2: float = math.inf
    chi2_bound: float = math.nan
    within_noise: bool = False
    max_dg: float = math.nan
    max_dg_r: float = math.nan
    max_dg_err: float = math.nan

    @classmethod
    def of(cls, comparison) -> ComparisonSummary:
        return cls(**comparison.summary())

    @property
    def excess(self) -> float:
        """L_MSE with the run's own noise taken out (comparable across run lengths)."""
        return self.l_mse - self.run_noise_mse


@dataclass
class PressureCheck:
    """The run's pressure against a target: ``diff`` = P_run − P_target, met within ``tol``
    [k_BT/σ³].
    """

    diff: float
    tol: float
    ok: bool

    def excess(self, noise_mse: float) -> float:
        """What a missed pressure adds to the distance: noise·(|ΔP|/tol − 1)² (0 when met)."""
        return 0.0 if self.ok else noise_mse * (abs(self.diff) / self.tol - 1.0) ** 2


@dataclass
class StepTaken:
    """How the iteration's potential was made: ``base`` (the iteration it stepped from;
    None for the start), the step fraction ``alpha``, the fraction the run's response asks
    for next (``alpha_fit``, methods with a fitted step), and a direction measured from this
    run for the next step (``direction``, IMC's; None where the method computes it later).
    ``fitted``: the method fits its step length (``alpha_fit`` is then recorded, None
    where the move was within noise).
    """

    base: int | None
    alpha: float
    alpha_fit: float | None = None
    direction: np.ndarray | None = None
    fitted: bool = False


@dataclass
class IterationRecord:
    """Everything the loop decides from, for one iteration (``u`` on the refinement grid
    [k_BT]).
    """

    iteration: int
    u: np.ndarray
    run: RunSummary
    step: StepTaken
    comparison: ComparisonSummary = field(default_factory=ComparisonSummary)
    pressure_check: PressureCheck | None = None

    @property
    def usable(self) -> bool:
        return self.run.usable

    @property
    def converged(self) -> bool:
        """g(r) within noise and, with a target pressure, P within its tolerance."""
        return (self.usable and self.comparison.within_noise
                and (self.pressure_check is None or self.pressure_check.ok))

    @property
    def excess(self) -> float:
        """The distance with the run's noise taken out, plus a missed pressure's share."""
        extra = 0.0 if self.pressure_check is None else self.pressure_check.excess(self.comparison.noise_mse)
        return self.comparison.excess + extra

    def summary(self) -> dict:
        """The flat JSON summary without arrays (the ``history`` of ``summary.json``)."""
        return {k: v for k, v in self.to_json().items() if k not in _ARRAYS}

    def to_json(self) -> dict:
        """The flat record of ``refine.json`` (the keys every version has written)."""
        run = self.run
        out = {"iteration": self.iteration, "u": np.asarray(self.u, float).tolist(), "steps": run.steps,
               "md_steps": run.md_steps, "alpha": self.step.alpha, "base": self.step.base, "ok": run.ok,
               "reason": run.reason, "kept": run.kept, "wall_s": run.wall_s, "pressure": run.pressure,
               "pressure_err": run.pressure_err, "usable": self.usable, **asdict(self.comparison)}
        if self.usable:
            out.update(r_run=run.r.tolist(), g_run=run.g.tolist(), g_err_run=run.g_err.tolist())
        if self.pressure_check is not None:
            pc = self.pressure_check
            out.update(pressure_diff=pc.diff, pressure_tol=pc.tol, pressure_ok=pc.ok)
        if self.step.direction is not None:
            out["imc_du"] = np.asarray(self.step.direction, float).tolist()
        if self.step.fitted:
            out["alpha_fit"] = self.step.alpha_fit
        return out

    @classmethod
    def from_json(cls, h: dict) -> IterationRecord:
        """A record from its ``refine.json`` form (any version)."""
        run = RunSummary(ok=bool(h["ok"]), reason=h.get("reason") or "", kept=bool(h.get("kept", False)),
                         steps=int(h["steps"]), md_steps=int(h["md_steps"]), wall_s=float(h.get("wall_s", 0.0)),
                         pressure=_nan_if_none(h.get("pressure")),
                         pressure_err=_nan_if_none(h.get("pressure_err")),
                         r=_array(h.get("r_run")), g=_array(h.get("g_run")), g_err=_array(h.get("g_err_run")))
        comp = {}
        for f in fields(ComparisonSummary):
            if f.name in h:
                value = h[f.name]
                comp[f.name] = bool(value) if f.name == "within_noise" else (
                    _inf_if_none(value) if f.name in ("l_mse", "chi2") else _nan_if_none(value))
        check = None
        if "pressure_ok" in h:
            check = PressureCheck(diff=float(h["pressure_diff"]), tol=float(h["pressure_tol"]),
                                  ok=bool(h["pressure_ok"]))
        direction = h.get("imc_du")
        step = StepTaken(base=h.get("base"), alpha=float(h["alpha"]), alpha_fit=h.get("alpha_fit"),
                         direction=None if direction is None else _array(direction), fitted="alpha_fit" in h)
        return cls(iteration=int(h["iteration"]), u=_array(h["u"]), run=run, step=step,
                   comparison=ComparisonSummary(**comp), pressure_check=check)


_ARRAYS = ("u", "r_run", "g_run", "g_err_run", "imc_du")
