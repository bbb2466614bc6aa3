"""Kirkwood–Buff targets for a mixture refinement (KB-IBI, Ganguly et al., JCTC 8, 1802
(2012); VOTCA's ``kbibi`` post-update).

The running Kirkwood–Buff integral of a pair, G_ij(R) = 4π ∫₀^R (g_ij(r) − 1) r² dr,
fixes the mixture's thermodynamics (compressibility, activity derivatives, partial molar
volumes) in a way the first shells of g_ij barely constrain. Its value, averaged over
R in [r_start, r_stop], is compared with the target's (the same average of the target g_ij,
or a number given per pair), and each refinement step gets one extra ramp per pair,

    ΔU_ij(r) = A (G_ij,run − G_ij,target) (1 − r/r_ramp)   for r < r_ramp   [k_BT],

with A (``factor``, per unit volume) small so that the ramp corrects what the structure
step leaves and hardly moves g. The refinement only stops when every pair's G is within
twice its statistical error of the target, besides the g_ij being within noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: VOTCA's kbibi factor default order: a small A [σ⁻³ per k_BT].
KB_FACTOR = 0.05


@dataclass
class KBSettings:
    """Kirkwood–Buff targets (reduced units: σ, σ³).

    Attributes:
        r_start, r_stop: The window of R over which G(R) is averaged [σ].
        factor: A of the ramp [k_BT per σ³ of G difference].
        r_ramp: Where the ramp ends [σ] (None: each pair's cut-off).
        targets: Pair → G target [σ³]; pairs not named take their target g's own average.
    """

    r_start: float
    r_stop: float
    factor: float = KB_FACTOR
    r_ramp: float | None = None
    targets: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"r_start": self.r_start, "r_stop": self.r_stop, "factor": self.factor, "r_ramp": self.r_ramp,
                "targets": dict(sorted(self.targets.items()))}


def running_kb(r, g, err=None) -> tuple[np.ndarray, np.ndarray | None]:
    """G(R) = 4π ∫₀^R (g − 1) r² dr at every R of ``r`` (trapezoid from r = 0, g = 0 below the
    first point), and with ``err`` its standard error (bins independent).
    """
    r = np.concatenate([[0.0], np.asarray(r, float)])
    g = np.concatenate([[0.0], np.asarray(g, float)])
    f = 4.0 * np.pi * (g - 1.0) * r**2
    dr = np.diff(r)
    big = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * dr)])[1:]
    if err is None:
        return big, None
    w = 4.0 * np.pi * r[1:] ** 2 * np.asarray(err, float) * np.gradient(r)[1:]
    return big, np.sqrt(np.cumsum(w**2))


def window_value(r, g, err, r_start: float, r_stop: float) -> tuple[float, float]:
    """⟨G(R)⟩ over R in [r_start, r_stop] and its error (the window's errors are nearly fully
    correlated, the running integral's error at the window's middle is taken).
    """
    r = np.asarray(r, float)
    big, sig = running_kb(r, g, err)
    sel = (r >= r_start) & (r <= r_stop)
    if not sel.any():
        raise ValueError(f"no g(r) points in the Kirkwood-Buff window {r_start:g}-{r_stop:g}")
    mid = np.nonzero(sel)[0][sel.sum() // 2]
    return float(big[sel].mean()), float(sig[mid]) if sig is not None else 0.0


def kb_targets(kb: KBSettings, targets: dict) -> dict:
    """Pair → (G target, its error) [σ³]: the number given, else the target g's window average."""
    out = {}
    for p, t in targets.items():
        if p in kb.targets:
            out[p] = (float(kb.targets[p]), 0.0)
        else:
            out[p] = window_value(t.r, t.g, t.err, kb.r_start, kb.r_stop)
    return out


def kb_check(kb: KBSettings, targets: dict, r, g: dict, g_err: dict) -> dict:
    """Per pair the run's G, the target's, their difference and combined error, and ``ok``
    (|ΔG| ≤ 2σ); ``ok`` overall when every pair is.
    """
    want = kb_targets(kb, targets)
    pairs = {}
    for p, (g_t, e_t) in want.items():
        g_r, e_r = window_value(r, g[p], g_err[p], kb.r_start, kb.r_stop)
        err = float(np.hypot(e_r, e_t))
        pairs[p] = {"G": g_r, "target": g_t, "diff": g_r - g_t, "err": err, "ok": abs(g_r - g_t) <= 2 * err}
    return {"ok": all(v["ok"] for v in pairs.values()), "pairs": pairs}


def kb_ramps(kb: KBSettings, grids: dict, check: dict) -> dict:
    """Pair → the KB-IBI ramp A ΔG (1 − r/r_ramp)₊ on its grid [k_BT]."""
    out = {}
    for p, grid in grids.items():
        r_ramp = kb.r_ramp if kb.r_ramp is not None else float(grid[-1])
        out[p] = kb.factor * check["pairs"][p]["diff"] * np.clip(1.0 - grid / r_ramp, 0.0, None)
    return out
