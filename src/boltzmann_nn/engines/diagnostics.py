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
    clustered box gives values of order N); or, over [``G_TAIL_RANGE``], the mean of the
    logarithm of the cavity function, ln y(r) = ln g(r) + βU(r), differs from 0 by more
    than ``G_TAIL_TOL``. Comparing with what the potential itself implies (g → e^(−βU)
    where the pair interaction still acts, rather than g → 1) keeps homogeneous fluids
    of long-range potentials, whose g(r) is not 1 at 4–5σ.

Long-range order (``disordered``)
    The standard deviation of ln y(r) over [``G_TAIL_RANGE``] exceeds ``G_ORDER_STD``:
    the peaks of a crystal persist where a fluid's have died out.

Clustering (``unclustered``)
    The mean number of neighbours closer than ``CLUSTER_RADIUS``,
    n_c = 4πρ ∫₀^r_c g(r) r² dr, is at least ``CLUSTER_NEIGHBOURS``: on average every
    particle has another (nearly) on top of it, as in the cluster fluids and cluster
    crystals of soft potentials. An ideal gas at ρ = 1 has n_c = 0.11.

Early stop (``collapsed``)
    During equilibration S(k_min) is checked every chunk; two chunks in a row above
    ``SK_ABORT`` (5 × SK_MAX) stop the run as heterogeneous, without production. Such
    boxes (a fluid condensing into droplets or collapsing into clumps) never become
    homogeneous within the run, and their dense clumps make every further step costly.

Particles meeting at the table start (``met``)
    Two particles closer than the first row of the MD table. Where U(0) is finite the
    table starts at 10⁻⁵σ, so this means particles stacked on top of each other (a
    clustering or collapsing fluid); where the core diverges the table starts where
    U = 10⁴ k_BT, which a fluid reaches only while collapsing violently into a deep
    well. Either way it is a property of the potential at that state, recorded as a
    physical outcome (``ok = True``, not kept, with the reason), not as an engine error.

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
CLUSTER_RADIUS = 0.3
CLUSTER_NEIGHBOURS = 1.0
SK_ABORT = 5 * SK_MAX
#: g(r) below this is taken as this in ln y (empty bins between crystal shells).
G_FLOOR = 1e-3


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


def cavity_log(r, g, u=None) -> np.ndarray:
    """Ln y(r) = ln g(r) + βU(r), with g floored at ``G_FLOOR``; shape of ``r``.

    Args:
        r: Bin centres, shape (n,) [σ].
        g: g(r), shape (n,).
        u: U(r) at the same r [k_BT]; None means U = 0 there.
    """
    lng = np.log(np.maximum(np.asarray(g, float), G_FLOOR))
    if u is None:
        return lng
    return lng + np.nan_to_num(np.asarray(u, float), nan=0.0, posinf=0.0, neginf=0.0)


def neighbours_within(r, g, density: float, radius: float = CLUSTER_RADIUS) -> float:
    """Mean number of neighbours closer than ``radius``: 4πρ ∫₀^radius g r² dr."""
    r = np.asarray(r, float)
    g = np.asarray(g, float)
    inside = r <= radius
    if inside.sum() < 2:
        return 0.0
    dr = float(r[1] - r[0])
    return float(4.0 * np.pi * density * np.sum(g[inside] * r[inside] ** 2) * dr)


def judge(density: float, blocks: dict, r, g, u=None) -> dict:
    """Verdicts on one run from its raw measurements.

    Args:
        density: ρ [σ⁻³].
        blocks: ``pressure``, ``energy`` (n_blocks,) and ``sk`` (n_blocks, 3).
        r: g(r) bin centres, shape (n,) [σ].
        g: g(r), shape (n,).
        u: The pair potential at ``r``, shape (n,) [k_BT]; None takes U = 0 in the tail
            (right for potentials cut before ``G_TAIL_RANGE``).

    Returns:
        Dict with ``equilibrated``, ``homogeneous``, ``disordered``, ``unclustered``,
        ``kept``, ``reasons`` and the numbers behind them.
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
    lny = cavity_log(r, g, u)
    tail_mean = float(np.mean(lny[tail])) if tail.any() else float("nan")
    tail_std = float(np.std(lny[tail])) if tail.any() else float("nan")
    n_close = neighbours_within(r, g, density)
    equilibrated = not (p_drift["drifting"] or e_drift["drifting"])
    homogeneous = bool(sk_min <= SK_MAX and abs(tail_mean) <= G_TAIL_TOL)
    disordered = bool(tail_std <= G_ORDER_STD)
    unclustered = bool(n_close < CLUSTER_NEIGHBOURS)
    reasons = []
    if not equilibrated:
        reasons.append("not equilibrated")
    if not homogeneous:
        reasons.append("heterogeneous")
    if not disordered:
        reasons.append("long-range order")
    if not unclustered:
        reasons.append("clustered")
    return {
        "equilibrated": equilibrated,
        "homogeneous": homogeneous,
        "disordered": disordered,
        "unclustered": unclustered,
        "kept": equilibrated and homogeneous and disordered and unclustered,
        "reasons": reasons,
        "pressure_drift": p_drift,
        "energy_drift": e_drift,
        "sk_min": sk_min,
        "tail_lny_mean": tail_mean,
        "tail_lny_std": tail_std,
        "neighbours_close": n_close,
    }


def rejudge(result: dict, density: float, potential=None) -> dict:
    """The verdict on a stored result (``SimulationResult.to_dict()``), from its stored
    measurements and the potential, without re-simulating. Runs stopped early (collapse,
    particles meeting at the table start) and failed runs keep their verdict.
    """
    flags = result.get("flags") or {}
    if not result.get("ok") or flags.get("collapsed") or flags.get("met_at_table_start"):
        return flags
    blocks = result.get("blocks") or {}
    if not blocks.get("pressure") or not result.get("g"):
        return flags
    r = np.asarray(result["r"], float)
    u = None
    if potential is not None:
        with np.errstate(all="ignore"):
            u = potential.evaluate(r)[0]
    return judge(density, blocks, r, np.asarray(result["g"], float), u)


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


def met_at_table_start(r: float, table_start: float, u_start: float, step: int | None = None) -> dict:
    """Verdict for a run stopped because two particles met at the table start."""
    what = ("stacking/clustering: particles on top of each other" if u_start < 1e3
            else "collapse: particles driven into the core")
    return {
        "equilibrated": False,
        "homogeneous": False,
        "disordered": True,
        "kept": False,
        "reasons": [f"{what} (r = {r:.3g} < table start {table_start:.3g}, "
                    f"U there {u_start:.3g} k_BT)"],
        "met_at_table_start": True,
        "pair_distance": r,
        "table_start": table_start,
        "step": step,
    }


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
