"""Run diagnostics: the criteria by which a run is kept or discarded.

The paper discards runs that did not equilibrate or formed heterogeneous structures.
Each criterion works on the raw measurements stored with every run, so a dataset can be
re-judged later without re-simulating. Thresholds (module constants):

Equilibration (``equilibrated``)
    The production run is split into halves. For the pressure and the potential energy
    per particle, the half means differ by more than ``DRIFT_SIGMAS`` combined standard
    errors *and* by more than ``DRIFT_REL`` of the scale (|P| + ρ for the pressure,
    |E| + 0.1 for the energy): the run is still drifting.

Homogeneity (``homogeneous``)
    S(k) at the smallest wave vectors of the box, k = 2π/L along x, y and z, averaged
    over the production blocks, exceeds ``SK_MAX`` (a homogeneous fluid has
    S(k→0) = ρ k_BT κ_T, of order 1 away from a critical point; a phase-separated or
    clustered box gives values of order N); or the mean of g(r) over
    [``G_TAIL_RANGE``] differs from 1 by more than ``G_TAIL_TOL``.

Long-range order (``disordered``)
    The standard deviation of g(r) over [``G_TAIL_RANGE``] exceeds ``G_ORDER_STD``:
    the peaks of a crystal persist where a fluid's have died out.

Early stop (``collapsed``)
    During equilibration S(k_min) is checked every chunk; two chunks in a row above
    ``SK_ABORT`` (5 × SK_MAX) stop the run as heterogeneous, without production. Such
    boxes (a fluid condensing into droplets or collapsing into clumps) never become
    homogeneous within the run, and their dense clumps make every further step costly.

Blow-ups are failures (``ok = False``) rather than flags: the engine reports lost atoms,
non-finite pressures and atoms closer than the table start with their reason.
"""

from __future__ import annotations

import numpy as np

DRIFT_SIGMAS = 4.0
DRIFT_REL = 0.02
SK_MAX = 10.0
G_TAIL_RANGE = (4.0, 5.0)
G_TAIL_TOL = 0.1
G_ORDER_STD = 0.15
SK_ABORT = 5 * SK_MAX


def block_error(samples) -> float:
    """Standard error of the mean of (assumed independent) block means."""
    x = np.asarray(samples, float)
    if x.size < 2:
        return float("nan")
    return float(np.std(x, ddof=1) / np.sqrt(x.size))


def halves_drift(samples, scale: float) -> dict:
    """Compare the means of the two halves of a block series."""
    x = np.asarray(samples, float)
    a, b = x[: x.size // 2], x[x.size // 2 :]
    diff = float(b.mean() - a.mean())
    sigma = float(np.hypot(block_error(a), block_error(b)))
    drifting = abs(diff) > DRIFT_SIGMAS * sigma and abs(diff) > DRIFT_REL * scale
    return {"diff": diff, "sigma": sigma, "drifting": bool(drifting)}


def judge(density: float, blocks: dict, r, g) -> dict:
    """Verdicts on one run from its raw measurements.

    Args:
        density: ρ [σ⁻³].
        blocks: ``pressure``, ``energy`` (n_blocks,) and ``sk`` (n_blocks, 3).
        r: g(r) bin centres, shape (n,) [σ].
        g: g(r), shape (n,).

    Returns:
        Dict with ``equilibrated``, ``homogeneous``, ``disordered``, ``kept`` and the
        numbers behind them.
    """
    p = np.asarray(blocks["pressure"], float)
    e = np.asarray(blocks["energy"], float)
    sk = np.asarray(blocks["sk"], float)
    r = np.asarray(r, float)
    g = np.asarray(g, float)
    p_drift = halves_drift(p, abs(p.mean()) + density)
    e_drift = halves_drift(e, abs(e.mean()) + 0.1)
    sk_min = float(np.mean(sk)) if sk.size else float("nan")
    tail = (r >= G_TAIL_RANGE[0]) & (r <= G_TAIL_RANGE[1])
    g_tail_mean = float(np.mean(g[tail])) if tail.any() else float("nan")
    g_tail_std = float(np.std(g[tail])) if tail.any() else float("nan")
    equilibrated = not (p_drift["drifting"] or e_drift["drifting"])
    homogeneous = bool(sk_min <= SK_MAX and abs(g_tail_mean - 1.0) <= G_TAIL_TOL)
    disordered = bool(g_tail_std <= G_ORDER_STD)
    reasons = []
    if not equilibrated:
        reasons.append("not equilibrated")
    if not homogeneous:
        reasons.append("heterogeneous")
    if not disordered:
        reasons.append("long-range order")
    return {
        "equilibrated": equilibrated,
        "homogeneous": homogeneous,
        "disordered": disordered,
        "kept": equilibrated and homogeneous and disordered,
        "reasons": reasons,
        "pressure_drift": p_drift,
        "energy_drift": e_drift,
        "sk_min": sk_min,
        "g_tail_mean": g_tail_mean,
        "g_tail_std": g_tail_std,
    }


def structure_factor_min(x: np.ndarray, box: float) -> np.ndarray:
    """S(k) at the three smallest wave vectors k = 2π/L ê_{x,y,z}.

    Args:
        x: Positions, shape (N, 3) [σ].
        box: Edge length L [σ].

    Returns:
        Shape (3,).
    """
    k = 2.0 * np.pi / box
    phase = np.exp(1j * k * np.asarray(x, float))  # (N, 3)
    return np.abs(phase.sum(axis=0)) ** 2 / x.shape[0]


def collapsed(step: int, sk: float) -> dict:
    """Verdict for a run stopped early because S(k_min) stayed above SK_ABORT."""
    return {
        "equilibrated": False,
        "homogeneous": False,
        "disordered": True,
        "kept": False,
        "reasons": ["heterogeneous"],
        "collapsed": True,
        "sk_min": sk,
        "early_stop_step": step,
    }
