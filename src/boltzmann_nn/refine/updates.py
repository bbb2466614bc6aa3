"""The arithmetic the structure-based updates share (energies in k_BT); the methods
themselves are :mod:`boltzmann_nn.refine.methods`.

:func:`log_ratio_update` is ΔU = ln(g_run/g_target) (IBI), plus, where asked, the change
of the OZ term h − c between the two g(r) (the Newton step with the HNC Jacobian, ``ihnc``).
It is defined where either g(r) is resolved (each floored at :data:`G_RESOLVED`);
inside the core the update of the first resolved point is carried down (the core moves
with the potential), and a three-point smoothing removes bin noise.
:func:`votca_pressure_correction` is VOTCA's linear pressure correction (IBI); :func:`virial_ramp`
sizes the same linear ramp by the virial so that one step meets the target pressure (the
Newton methods).

Noise: where the errors of g are known, the difference Δg = g_run − g_target is first
denoised (:func:`denoise`): a Gaussian smoothing over :data:`SMOOTH_BINS` bins, then
positive-part shrinkage by its own error, Δg·max(0, 1 − σ²/Δg²). Without it, noise in the
flat tail of g — where g is nearly insensitive to U — turns into offsets of U that move
the pressure by tenths of k_BT/σ³, and the HNC Jacobian, which amplifies long waves by
1/S(k)², makes that worse. Points that are significant on their own (|Δg| > 3σ) keep
their own value, and their ΔU is not smoothed either, in proportion w = 1 − 9σ²/Δg²:
smoothing over a few bins cancels a difference that changes sign within them, as at the
edge of a steep core, and such a difference would never be corrected.
"""

from __future__ import annotations

import numpy as np

from ..theory.inversion import hnc_inversion_solver
from ..theory.pressure import virial_pressure
from ..units import U_CUT

#: g(r) below this is not resolved (no update from it).
G_RESOLVED = 1e-3
#: Damping λ of the bins' solve for the points, min ‖W x − d‖² + λ‖x − d‖²: W⁻¹ alone
#: amplifies the alternating part of a noisy core edge, which the virial then reads as a
#: pressure change. λ = 0.05 keeps 15 of the 25-fold gain of the exact solve on a dilute
#: gas (tests/test_binning.py).
UNMIX_DAMPING = 0.05
#: Size of VOTCA's pressure correction at |ΔP|/ρ >= 1 k_BT [k_BT].
PRESSURE_RAMP = 0.1
#: g(r) from which a change of U counts in full towards the trust region (``max_du``,
#: :func:`trust_scale`); below it in proportion to g, as the change of g it makes does. At
#: the edge of the core ln g of a few pair counts swings by whole k_BT: sizing the step by
#: those points cut the whole first Newton step (from HNC inversion, L_MSE after it 4.5·10⁻⁴
#: then, 6.7·10⁻⁵ now at ρ = 1.03; docs/refinement.md "Trust region").
G_TRUST = 0.05


def smooth(y, passes: int = 2):
    """[1, 2, 1]/4 running average, ``passes`` times, end points kept."""
    y = np.asarray(y, float).copy()
    for _ in range(passes):
        y[1:-1] = 0.25 * y[:-2] + 0.5 * y[1:-1] + 0.25 * y[2:]
    return y


def _fill_core(du, resolved):
    """Carry the first resolved value down into the core; interpolate any other gaps."""
    idx = np.nonzero(resolved)[0]
    if idx.size == 0:
        return np.zeros_like(du)
    x = np.arange(du.size)
    return np.interp(x, idx, du[idx])


#: Width (standard deviation, in bins) of the smoothing of Δg before the update.
SMOOTH_BINS = 1.5


#: A point whose |Δg| exceeds this many standard errors is kept as it is (in part).
SIGNIFICANT = 3.0


def significance(dg, err):
    """Weight w = max(0, 1 − (3σ)²/Δg²) of each point's own Δg: 0 within 3σ, → 1 far out."""
    dg = np.asarray(dg, float)
    var = np.asarray(err, float) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dg != 0, np.maximum(0.0, 1.0 - SIGNIFICANT**2 * var / dg**2), 0.0)


def denoise(dg, err):
    """Δg smoothed over :data:`SMOOTH_BINS` bins and shrunk towards 0 where it is not
    larger than its (smoothed) error, s·max(0, 1 − σ_s²/s²); points significant on their
    own keep their value in proportion :func:`significance`.
    """
    from scipy.ndimage import gaussian_filter1d

    dg = np.asarray(dg, float)
    var = np.asarray(err, float) ** 2
    s = gaussian_filter1d(dg, SMOOTH_BINS, mode="nearest")
    # variance of a weighted sum of independent values: Σ K² σ²
    x = np.arange(-int(4 * SMOOTH_BINS) - 1, int(4 * SMOOTH_BINS) + 2)
    k = np.exp(-0.5 * (x / SMOOTH_BINS) ** 2)
    k /= k.sum()
    var_s = np.convolve(var, k**2, mode="same")
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(s != 0, np.maximum(0.0, 1.0 - var_s / s**2), 0.0)
    w = significance(dg, err)
    return w * dg + (1.0 - w) * s * factor


def log_ratio_update(r, g_run, g_target, density: float, err=None, oz_term: bool = False, oz_delta=None,
                     mixing=None):
    """ΔU = ln(g_run/g_target) on the points ``r`` (shape (n,)), with ``oz_term`` plus
    (h − c)[g_target] − (h − c)[g_run]; ``err`` is the combined standard error of the two
    g(r) on ``r`` (None: no denoising). ``oz_delta`` (shape (n,)): that OZ difference as
    computed elsewhere (a mixture's matrix OZ), added where either g is resolved.
    ``mixing`` (shape (n, n), :func:`~boltzmann_nn.refine.binning.bin_mixing`): how the
    points share the target's bins; the log ratio of the bins is then solved for the points.
    """
    g_run = np.asarray(g_run, float)
    g_target = np.asarray(g_target, float)
    w = np.zeros_like(g_run)
    if err is not None:
        w = significance(g_run - g_target, err)
        g_run = np.maximum(g_target + denoise(g_run - g_target, err), 0.0)
    # resolved where either g is: where only one is, the floored ratio pushes the other
    # way (a core too wide is pulled in, a region the run never visits is opened up)
    resolved = (g_run > G_RESOLVED) | (g_target > G_RESOLVED)
    with np.errstate(divide="ignore", invalid="ignore"):
        du = np.log(np.maximum(g_run, G_RESOLVED) / np.maximum(g_target, G_RESOLVED))
    if mixing is not None:
        du = _unmix(du, np.asarray(mixing, float), resolved)
    if oz_term:
        du = du + _oz_term(r, g_target, density) - _oz_term(r, g_run, density)
    if oz_delta is not None:
        du = du + np.asarray(oz_delta, float)
    du = _fill_core(np.where(resolved, du, 0.0), resolved)
    # the smoothing averages over the points that are not significant on their own
    keep = 1.0 - np.where(resolved, w, 0.0)
    weight = smooth(keep)
    with np.errstate(divide="ignore", invalid="ignore"):
        averaged = np.where(weight > 1e-9, smooth(du * keep) / weight, du)
    return (1.0 - keep) * du + keep * averaged


def trust_scale(du, g, alpha: float, max_du: float) -> float:
    """The factor on the direction ``du`` (an array, or a list of arrays, one per pair): α,
    shrunk so that no weighted change |ΔU|·min(1, g/:data:`G_TRUST`) exceeds ``max_du``;
    ``g`` (same shapes): the larger of the run's and the target's g(r) there.
    :func:`trust_clip` then holds the core edges within ``max_du``.
    """
    dus = du if isinstance(du, list | tuple) else [du]
    gs = g if isinstance(g, list | tuple) else [g]
    big = max(float(np.max(np.abs(np.asarray(d, float)) * np.minimum(1.0, np.asarray(w, float) / G_TRUST)))
              for d, w in zip(dus, gs, strict=True))
    return alpha * min(1.0, max_du / big) if big > 0 else alpha


def trust_clip(du, max_du: float):
    """``du`` with every change held within ±``max_du`` (the core edge, see :func:`trust_scale`)."""
    return np.clip(np.asarray(du, float), -max_du, max_du)


def _unmix(du, mixing, resolved):
    """Solve W x = du on the resolved points (each row renormalised over them), damped
    towards du by :data:`UNMIX_DAMPING`.
    """
    s = np.flatnonzero(resolved)
    if s.size == 0:
        return du
    w = mixing[np.ix_(s, s)]
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
    out = du.copy()
    lam = UNMIX_DAMPING
    out[s] = np.linalg.solve(w.T @ w + lam * np.eye(s.size), w.T @ du[s] + lam * du[s])
    return out


def _oz_term(r, g, density: float):
    """The indirect correlation h − c of g(r) through the OZ equation, on ``r``."""
    rs, _, h_minus_c = hnc_inversion_solver().indirect(r, g, density)
    return np.interp(r, rs, h_minus_c)


def votca_pressure_correction(r, r_cut: float, p_run: float, p_target: float, density: float):
    """VOTCA's pressure correction ΔU = A (1 − r/r_cut), A = −0.1 k_BT·sign(ΔP)·min(1, |ΔP|/ρ)
    with ΔP = P_run − P_target [k_BT/σ³]: a too-high pressure makes the potential more
    attractive.
    """
    dp = p_run - p_target
    a = -PRESSURE_RAMP * np.sign(dp) * min(1.0, abs(dp) / density)
    return a * (1.0 - np.asarray(r, float) / r_cut)


def virial_pressure_change(r, du, g, density: float) -> float:
    """First-order change of the virial pressure when U changes by ``du`` at fixed g(r):
    δP = (2π/3)ρ² ∫ r³ (−dδU/dr) g dr [k_BT/σ³].
    """
    r = np.asarray(r, float)
    return virial_pressure(r, g, -np.gradient(np.asarray(du, float), r), density) - density


def virial_ramp(r, density: float, p_run: float, p_target: float, u, g_run, g_next, du):
    """The linear ramp A (1 − r/r_cut) (r_cut = r[-1]) that, added to the step ``du``, moves
    the pressure from the run's ``p_run`` to ``p_target``, to first order in the virial:
    the step changes U by ``du`` and, as it means to, g from ``g_run`` to ``g_next``, so
    δP = δP[δU = du, g_next] + δP[U = u, δg = g_next − g_run] + A·δP[ramp, g_next] (δP of
    :func:`virial_pressure_change`; U in the core, u >= U_cut, is left out of the second
    term, where g is 0 either way). g(r) hardly sees such a ramp (its long-wavelength
    response is damped by the fluid's low compressibility), so P is what fixes it. The
    change of g is what makes the estimate work: a step that corrects g at the core edge
    moves P by as much as the ramp (docs/refinement.md, "Measured", has a Lennard-Jones
    example).
    """
    r = np.asarray(r, float)
    u = np.asarray(u, float)
    g_next = np.asarray(g_next, float)
    soft = u < U_CUT
    moved = (virial_pressure_change(r, du, g_next, density)
             + virial_pressure_change(r[soft], u[soft], (g_next - np.asarray(g_run, float))[soft], density))
    ramp = 1.0 - r / r[-1]
    per_unit = virial_pressure_change(r, ramp, g_next, density)
    if per_unit <= 0:
        return np.zeros_like(r)
    return (p_target - p_run - moved) / per_unit * ramp
