"""How far a mixture run is from its targets: every pair's comparison and the joint one
(all pairs' points pooled, so the noise-aware stopping judges all pairs together).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..refine.compare import compare
from ..refine.loop import pressure_scale, pressure_tolerance


@dataclass
class JointComparison:
    """Per-pair summaries and the pooled numbers.

    Attributes:
        pairs: Pair name → :meth:`~boltzmann_nn.refine.compare.Comparison.summary` plus ``n``.
        chi2: Σ_pairs n_p χ²_p / Σ n_p, and ``chi2_bound`` = 1 + 3√(2/Σn_p).
        l_mse, noise_mse, run_noise_mse, target_noise_mse: Point-weighted means over pairs.
    """

    pairs: dict = field(default_factory=dict)
    chi2: float = float("nan")
    chi2_bound: float = float("nan")
    l_mse: float = float("nan")
    noise_mse: float = float("nan")
    run_noise_mse: float = float("nan")
    target_noise_mse: float = float("nan")

    @property
    def within_noise(self) -> bool:
        return bool(self.chi2 <= self.chi2_bound)

    @property
    def excess(self) -> float:
        """L_MSE with the run's own noise taken out."""
        return self.l_mse - self.run_noise_mse

    def to_json(self) -> dict:
        return {
            "pairs": self.pairs,
            "chi2": self.chi2,
            "chi2_bound": self.chi2_bound,
            "l_mse": self.l_mse,
            "noise_mse": self.noise_mse,
            "run_noise_mse": self.run_noise_mse,
            "target_noise_mse": self.target_noise_mse,
            "within_noise": self.within_noise,
        }

    @classmethod
    def from_json(cls, data: dict) -> JointComparison:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def compare_pairs(targets: dict, r_run, g_run: dict, g_err_run: dict, r_cut: dict) -> JointComparison:
    """Compare every pair's run g with its target up to its cut-off and pool them."""
    pairs = {}
    for p, target in targets.items():
        c = compare(target, r_run, g_run[p], g_err_run[p], r_max=r_cut[p])
        info = (c.g_target > 1e-3) | (c.g_run > 1e-3)
        pairs[p] = {**c.summary(), "n": int(max(info.sum(), 1)), "points": int(c.r.size)}
    n = np.array([s["n"] for s in pairs.values()], float)
    m = np.array([s["points"] for s in pairs.values()], float)

    def pooled(key, weights):
        return float(np.sum(weights * np.array([s[key] for s in pairs.values()])) / np.sum(weights))

    return JointComparison(
        pairs=pairs,
        chi2=pooled("chi2", n),
        chi2_bound=1.0 + 3.0 * math.sqrt(2.0 / n.sum()),
        l_mse=pooled("l_mse", m),
        noise_mse=pooled("noise_mse", m),
        run_noise_mse=pooled("run_noise_mse", m),
        target_noise_mse=pooled("target_noise_mse", m),
    )


def pressure_check(p_run: float, p_err: float, p_target: float | None, density: float) -> dict | None:
    """``{"diff", "tol", "ok", "scale"}`` against a target pressure (tolerance as for one species;
    ``scale`` its relative part, which a run's 2σ_P must reach before P is judged).
    """
    if p_target is None:
        return None
    tol = pressure_tolerance(p_target, density, p_err)
    diff = p_run - p_target
    return {"diff": float(diff), "tol": float(tol), "ok": bool(abs(diff) <= tol),
            "scale": float(pressure_scale(p_target, density))}
