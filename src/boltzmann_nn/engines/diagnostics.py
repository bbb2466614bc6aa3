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
    clustered box gives values of order N). This holds for a potential of any range.
    Where the potential no longer acts over [``G_TAIL_RANGE``] (|U| < ``U_TAIL_ACTIVE``
    there), g(r) must also approach 1: its mean there may differ from 1 by at most
    ``G_TAIL_TOL``. Where the potential still acts there, g(r) need not be 1 (a
    homogeneous fluid of a long-range potential has g ≠ 1 at 4–5σ), and only S(k_min)
    decides.

Long-range order (``disordered``)
    The fraction of solid-like particles (ten Wolde–Frenkel bond order: q₆ of the 12
    nearest neighbours, a bond where the normalised q₆ vectors have a dot product above
    ``Q6_BOND``, solid-like with at least ``SOLID_BONDS`` bonds), averaged over the
    production blocks, exceeds ``SOLID_FRACTION_MAX``. A liquid has a few per cent, a
    crystal near melting most of its particles. Records without this measurement (the
    first dataset) fall back to g(r): where the potential no longer acts in
    [``G_TAIL_RANGE``], the standard deviation of g there above ``G_ORDER_STD`` (the
    peaks of a crystal persist where a fluid's have died out).

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

from .verdict import Verdict

DRIFT_SIGMAS = 4.0
DRIFT_REL = 0.02
SK_MAX = 10.0
G_TAIL_RANGE = (4.0, 5.0)
G_TAIL_TOL = 0.1
G_ORDER_STD = 0.15
U_TAIL_ACTIVE = 0.05
Q6_BOND = 0.5
SOLID_BONDS = 7
SOLID_FRACTION_MAX = 0.15
CLUSTER_RADIUS = 0.3
CLUSTER_NEIGHBOURS = 1.0
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
            (right for potentials cut before ``G_TAIL_RANGE``). ``blocks`` may hold
            ``solid`` (n_blocks,), the solid-like fraction per block.

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
    u_tail = 0.0
    if u is not None and tail.any():
        u_tail = float(np.max(np.abs(np.nan_to_num(np.asarray(u, float)[tail]))))
    tail_inactive = u_tail < U_TAIL_ACTIVE
    g_tail_mean = float(np.mean(g[tail])) if tail.any() else float("nan")
    g_tail_std = float(np.std(g[tail])) if tail.any() else float("nan")
    solid = np.asarray(blocks.get("solid", []), float)
    solid_fraction_mean = float(np.mean(solid)) if solid.size else None
    n_close = neighbours_within(r, g, density)
    equilibrated = not (p_drift["drifting"] or e_drift["drifting"])
    homogeneous = bool(sk_min <= SK_MAX and (not tail_inactive or abs(g_tail_mean - 1.0) <= G_TAIL_TOL))
    if solid_fraction_mean is not None:
        disordered = bool(solid_fraction_mean <= SOLID_FRACTION_MAX)
    else:
        disordered = bool(not tail_inactive or g_tail_std <= G_ORDER_STD)
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
        "g_tail_mean": g_tail_mean,
        "g_tail_std": g_tail_std,
        "u_tail_max": u_tail,
        "solid_fraction": solid_fraction_mean,
        "neighbours_close": n_close,
    }


def rejudge(result: dict, density: float, potential=None) -> Verdict:
    """The verdict on a stored result (``SimulationResult.to_dict()``), from its stored
    measurements and the potential, without re-simulating. Runs stopped early (collapse,
    particles meeting at the table start) and failed runs keep their verdict.
    """
    flags = result.get("flags") or {}
    if not result.get("ok") or flags.get("collapsed") or flags.get("met_at_table_start"):
        return Verdict.of(flags)
    blocks = result.get("blocks") or {}
    if not blocks.get("pressure") or not result.get("g"):
        return Verdict.of(flags)
    r = np.asarray(result["r"], float)
    u = None
    if potential is not None:
        with np.errstate(all="ignore"):
            u = potential.evaluate(r)[0]
    return Verdict.of(judge(density, blocks, r, np.asarray(result["g"], float), u))


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


def wrap_into_box(x, box: float) -> np.ndarray:
    """Positions folded into [0, L) in every coordinate (a periodic cKDTree needs them
    strictly below its boxsize; np.mod can round up to L).
    """
    x = np.mod(np.asarray(x, float), box)
    return np.where(x >= box, 0.0, x)


def solid_fraction(x: np.ndarray, box: float, k: int = 12) -> float:
    """Fraction of solid-like particles (ten Wolde, Ruiz-Montero & Frenkel 1996).

    For each particle, q₆ₘ = mean over its ``k`` nearest neighbours (periodic, cubic box)
    of Y₆ₘ(bond direction), normalised to a unit vector; i and j are bonded when
    Re q̂₆(i)·q̂₆(j)* > ``Q6_BOND``; a particle with at least ``SOLID_BONDS`` bonds is
    solid-like.

    Args:
        x: Positions, shape (N, 3) [σ].
        box: Edge length L [σ].
        k: Neighbours per particle.

    Returns:
        The fraction in [0, 1]; 0 for N <= k.
    """
    from scipy.spatial import cKDTree
    from scipy.special import sph_harm_y

    x = wrap_into_box(x, box)
    if x.shape[0] <= k:
        return 0.0
    _, idx = cKDTree(x, boxsize=box).query(x, k=k + 1)
    idx = idx[:, 1:]
    vec = x[idx] - x[:, None, :]
    vec -= box * np.round(vec / box)
    dist = np.maximum(np.linalg.norm(vec, axis=2), 1e-12)
    theta = np.arccos(np.clip(vec[..., 2] / dist, -1.0, 1.0))
    phi = np.arctan2(vec[..., 1], vec[..., 0])
    q = sph_harm_y(6, np.arange(-6, 7), theta[..., None], phi[..., None]).mean(axis=1)  # (N, 13)
    q /= np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-300)
    dots = np.real(np.einsum("im,ikm->ik", q, np.conj(q[idx])))
    return float(np.mean((dots > Q6_BOND).sum(axis=1) >= SOLID_BONDS))


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
