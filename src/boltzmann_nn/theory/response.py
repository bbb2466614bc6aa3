"""Linear response of g(r) to a change of the pair potential, by the HNC closure.

HNC says βU = h − c − ln g (the inversion ``ihnc`` steps with). Linearised at a measured
g(r), with the OZ relation ĉ = ĥ/S, S(k) = 1 + ρĥ(k), a change δh of g gives

    δ(βU) = T δh − δh / g,   T = F⁻¹ diag(1 − 1/S²) F,

with F the radial Fourier transform. Solved for δg = δh:

    δg = J δ(βU),   J = −(1 − G T)⁻¹ G,   G = diag(g),

which is well posed where g → 0 (there δg = 0: the core, that g(r) cannot see) and becomes
δg = −g δ(βU) at low density (T → 0, the Boltzmann response). J is what makes an error of a
predicted potential count by the error of the structure it would make: ‖J δU‖² is the
L_MSE(g, ĝ) that MD of the prediction would show, to first order.

The histogram bins are the midpoints r_i = (i + ½)Δr up to the data's range; beyond it
h = 0 and δg = 0 are taken (g(r) is measured, and compared, only there).
"""

from __future__ import annotations

import numpy as np

#: S(k) is floored here as the HNC inversion floors it (noisy, truncated g(r) can make it
#: small or negative at small k).
S_MIN = 0.02
#: The transform runs over this many times the data's range (h = 0 beyond the data).
PAD = 4
#: Largest eigenvalue kept in :func:`structure_metric` [k_BT⁻²]: a unit error of U along
#: any shape moves g by at most 1 (RMS). The HNC response diverges where the closure puts
#: the state near its own spinodal (S(k → 0) → ∞, one run in twenty of our data has an
#: eigenvalue above 5, the largest 10⁶); the fluid itself responds finitely there, so
#: the first-order error is capped rather than trusted. The median run's largest is 0.06.
EIG_CAP = 1.0


def _midpoint_grid(r_bins) -> tuple[np.ndarray, float]:
    r = np.asarray(r_bins, float)
    dr = float(r[1] - r[0])
    if not np.allclose(r, (np.arange(r.size) + 0.5) * dr, rtol=0, atol=1e-6 * dr):
        raise ValueError("the response needs histogram midpoints r_i = (i + 1/2) dr")
    return r, dr


def structure_transform(r_bins, g, density: float, pad: int = PAD) -> np.ndarray:
    """T on the bins: δγ = T δh for γ = h − c, at the state's own S(k); shape (n, n)."""
    r, dr = _midpoint_grid(r_bins)
    n = r.size
    big = pad * n
    rr = (np.arange(big) + 0.5) * dr
    k = (np.arange(big) + 0.5) * np.pi / (big * dr)
    sines = np.sin(np.outer(k, rr[:n]))  # (big, n)
    h = np.asarray(g, float) - 1.0
    hk = 4.0 * np.pi * dr / k * (sines @ (r * h))
    s = 1.0 + density * hk
    m = np.where(s > S_MIN, 1.0 - 1.0 / np.maximum(s, S_MIN) ** 2, 1.0)
    dk = np.pi / (big * dr)
    # T[a, b] = (2 Δk Δr / π) (r_b / r_a) Σ_m sin(k_m r_a) m_m sin(k_m r_b)
    return (2.0 * dk * dr / np.pi) * (sines.T * m) @ sines * (r[None, :] / r[:, None])


def hnc_response(r_bins, g, density: float, pad: int = PAD) -> np.ndarray:
    """J with δg = J δ(βU) on the histogram bins, linearised at ``g`` (module docstring).

    Args:
        r_bins: Bin midpoints (i + ½)Δr, shape (n,) [σ].
        g: g(r) on them, shape (n,).
        density: ρ [σ⁻³].

    Returns:
        Shape (n, n) [1/k_BT].
    """
    g = np.maximum(np.asarray(g, float), 0.0)
    t = structure_transform(r_bins, g, density, pad)
    a = np.eye(g.size) - g[:, None] * t
    return -np.linalg.solve(a, np.diag(g))


def on_midpoints(r, g) -> tuple[np.ndarray, np.ndarray]:
    """g(r) on histogram midpoints (i + ½)Δr: as given if ``r`` is such a grid, else
    interpolated onto the midpoints of its spacing up to its last point.
    """
    r = np.asarray(r, float)
    g = np.asarray(g, float)
    dr = float(r[1] - r[0])
    mid = (np.arange(int(round(r[-1] / dr))) + 0.5) * dr
    if mid.size == r.size and np.allclose(mid, r, rtol=0, atol=1e-6 * dr):
        return r, g
    return mid, np.interp(mid, r, g)


def interpolation_matrix(x_from, x_to) -> np.ndarray:
    """P with P @ y = np.interp(x_to, x_from, y) for every y; shape (len(x_to), len(x_from))."""
    x_from = np.asarray(x_from, float)
    eye = np.eye(x_from.size)
    return np.stack([np.interp(x_to, x_from, col) for col in eye], axis=1)


def noise_weights(g, g_err, floor: float = 1e-4, g_min: float = 1e-3) -> np.ndarray:
    """Per-bin weights (σ_med/σ_i)² where g > ``g_min`` (σ floored at ``floor``; σ_med the
    median there), 0 elsewhere: the χ² a g(r) error makes, in the units of a typical bin.
    """
    sig2 = np.maximum(np.asarray(g_err, float), floor) ** 2
    inside = np.asarray(g, float) > g_min
    return np.where(inside, np.median(sig2[inside]) / sig2, 0.0)


def structure_metric(r_bins, g, density: float, grid_r, eig_cap: float | None = EIG_CAP,
                     weights=None) -> np.ndarray:
    """M on the grid ``grid_r`` with δUᵀ M δU = mean over the bins of w (J P δU)², the
    first-order L_MSE(g, ĝ) of a potential off by δU [k_BT] (P: linear interpolation from
    the grid to the bins; w: ``weights`` per bin, default 1, for example
    :func:`noise_weights`), its eigenvalues capped at ``eig_cap`` (:data:`EIG_CAP`; None:
    not capped); shape (m, m), symmetric positive semi-definite.
    """
    r_in = np.asarray(r_bins, float)
    r_bins, g = on_midpoints(r_bins, g)
    a = hnc_response(r_bins, g, density) @ interpolation_matrix(grid_r, r_bins)
    w = np.ones(r_bins.size) if weights is None else np.interp(r_bins, r_in, np.asarray(weights, float))
    m = (a.T * w) @ a / a.shape[0]
    if eig_cap is None:
        return m
    lam, vec = np.linalg.eigh(m)
    return (vec * np.clip(lam, 0.0, eig_cap)) @ vec.T
