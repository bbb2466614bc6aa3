"""The random pair potentials of paper §2.2.

How one potential is drawn from ``numpy.random.default_rng(seed)`` (PCG64, the same
stream on every platform), in this order:

1. ``r_cut`` uniform in (r_cut_min, r_cut_max] (default (0, 5σ]);
2. the number of knots n uniform in {6, …, 10};
3. n knot positions uniform in [0, r_cut], sorted;
4. n knot values uniform in [0, 15 k_BT];
5. the spline degree k uniform in {2, …, 5};
6. with probability ``wca_fraction`` a WCA core (ε = k_BT, σ = 1) is added.

The spline is a penalised smoothing B-spline (P-spline, Eilers & Marx) of degree k on
[0, r_cut] with clamped ends and ``n + 2`` coefficients on evenly spaced knots, fitted to
the knots by least squares with a second-difference penalty of weight ``smoothing``.

**How F(r_cut) = 0 is enforced, exactly.** For a clamped B-spline with coefficients
c_0 … c_{M−1}, the slope at the right end is s′(r_cut) = k (c_{M−1} − c_{M−2}) /
(t_{M+k−1} − t_{M−1}). We fit with the last two basis functions merged into one, so that
c_{M−1} = c_{M−2} holds identically and F(r_cut) = −s′(r_cut) = 0 to rounding. The
potential is then shifted by s(r_cut) = c_{M−1}, so U(r_cut) = 0, and U = 0 beyond r_cut.
Both U and F are continuous at r_cut.

**Value range.** The knots lie in [0, 15 k_BT]; after the shift the spline part spans
roughly [−15, 15] k_BT, but a smoothing spline can overshoot its knots, most of all when it
extrapolates below the first knot towards r = 0. Over seeds 0–1999 the largest |U| of the
spline part has a median of 10 k_BT, a 99th percentile of 39 k_BT and a maximum of
61 k_BT. Potentials that are strongly attractive at overlap collapse in MD and are
recorded as failed runs, as the paper discards such runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .analytic import WCA_RMIN, wca
from .base import Potential

#: Paper §2.2: 344 of 657 potentials had a WCA core.
PAPER_WCA_FRACTION = 344 / 657


@dataclass(frozen=True)
class RandomSettings:
    """Settings of the random generator (paper §2.2 defaults)."""

    r_cut_min: float = 0.0
    r_cut_max: float = 5.0
    knots_min: int = 6
    knots_max: int = 10
    u_max: float = 15.0
    degree_min: int = 2
    degree_max: int = 5
    wca_fraction: float = PAPER_WCA_FRACTION
    smoothing: float = 0.1

    def __post_init__(self):
        ints = ("knots_min", "knots_max", "degree_min", "degree_max")
        for key, val in self.__dict__.items():
            ok = isinstance(val, int) if key in ints else isinstance(val, (int, float))
            if not ok or isinstance(val, bool) or not math.isfinite(val):
                kind = "an integer" if key in ints else "a finite number"
                raise InputError(f"{key} must be {kind}, got {val!r}")
        if not 0 <= self.r_cut_min < self.r_cut_max <= 50:
            raise InputError(f"need 0 <= r_cut_min < r_cut_max <= 50, got {self.r_cut_min}, {self.r_cut_max}")
        if not 2 <= self.knots_min <= self.knots_max <= 100:
            raise InputError(f"need 2 <= knots_min <= knots_max <= 100, got {self.knots_min}, {self.knots_max}")
        if not 1 <= self.degree_min <= self.degree_max <= 5 or self.knots_min + 2 <= self.degree_max:
            raise InputError(f"need 1 <= degree_min <= degree_max <= 5 and knots_min + 2 > degree_max, got "
                             f"degrees {self.degree_min}, {self.degree_max}, knots_min {self.knots_min}")
        if not 0 <= self.wca_fraction <= 1 or not 0 < self.u_max <= 1e4 or not 0 <= self.smoothing <= 1e6:
            raise InputError("need 0 <= wca_fraction <= 1, 0 < u_max <= 1e4 and 0 <= smoothing <= 1e6")

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _penalised_fit(x, y, r_cut, degree, n_coef, smoothing):
    """Clamped P-spline with c[-1] == c[-2]; returns a scipy BSpline."""
    from scipy.interpolate import BSpline

    n_inner = n_coef - degree - 1
    inner = np.linspace(0.0, r_cut, n_inner + 2)[1:-1]
    t = np.concatenate([np.zeros(degree + 1), inner, np.full(degree + 1, r_cut)])
    basis = BSpline.design_matrix(x, t, degree).toarray()  # (n_knots, M)
    # expansion c = T c': the last two coefficients share one parameter
    expand = np.zeros((n_coef, n_coef - 1))
    expand[: n_coef - 1, :] = np.eye(n_coef - 1)
    expand[n_coef - 1, n_coef - 2] = 1.0
    design = basis @ expand
    diff2 = np.diff(np.eye(n_coef), n=2, axis=0) @ expand
    lhs = design.T @ design + smoothing * diff2.T @ diff2
    coef = np.linalg.solve(lhs, design.T @ y)
    return BSpline(t, expand @ coef, degree, extrapolate=False)


class RandomPotential(Potential):
    """One random potential, fully determined by ``seed`` and ``settings``.

    Args:
        seed: Non-negative integer.
        settings: Generator settings.
    """

    def __init__(self, seed: int, settings: RandomSettings | None = None):
        self.seed = int(seed)
        self.settings = settings or RandomSettings()
        s = self.settings
        rng = np.random.default_rng(self.seed)
        # 1 - U[0, 1) lies in (0, 1]: r_cut in (r_cut_min, r_cut_max]
        self.spline_cut = s.r_cut_min + (s.r_cut_max - s.r_cut_min) * (1.0 - rng.random())
        n = int(rng.integers(s.knots_min, s.knots_max + 1))
        self.knots_r = np.sort(rng.uniform(0.0, self.spline_cut, n))
        self.knots_u = rng.uniform(0.0, s.u_max, n)
        self.degree = int(rng.integers(s.degree_min, s.degree_max + 1))
        self.has_core = bool(rng.random() < s.wca_fraction)
        self._spline = _penalised_fit(
            self.knots_r, self.knots_u, self.spline_cut, self.degree, n + 2, s.smoothing
        )
        self._deriv = self._spline.derivative()
        self._shift = float(self._spline.c[-1])
        self.r_cut = max(self.spline_cut, WCA_RMIN) if self.has_core else self.spline_cut

    def evaluate_spline(self, r):
        """The shifted spline part alone: U_s, F_s, zero beyond its own cutoff."""
        r = np.asarray(r, float)
        inside = (r >= 0) & (r < self.spline_cut)
        rr = np.clip(r, 0.0, self.spline_cut)
        u = np.where(inside, self._spline(rr) - self._shift, 0.0)
        f = np.where(inside, -self._deriv(rr), 0.0)
        return u, f

    def evaluate(self, r):
        u, f = self.evaluate_spline(r)
        if self.has_core:
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                uc, fc = wca(np.asarray(r, float))
            u, f = u + uc, f + fc
        return u, f

    def describe(self) -> dict:
        return {
            "kind": "random",
            "name": f"random-{self.seed}",
            "seed": self.seed,
            "settings": self.settings.as_dict(),
            "spline_cut": self.spline_cut,
            "n_knots": int(self.knots_r.size),
            "degree": self.degree,
            "has_core": self.has_core,
        }
