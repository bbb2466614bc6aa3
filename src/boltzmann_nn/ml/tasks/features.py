"""Network inputs and targets built from dataset arrays (all on the 50-point grid).

EOS options (paper Table 1): combinations of
``c`` capped potential Ū = min(U, U_cut), ``e`` exp(−βU), ``f`` a force branch,
``i`` the low-density pressure βP0 = ρ + B2ρ² as an extra input; ``x`` is the plain U.

Representations (each shape (n, 50)):

* plain U: U / U_SCALE, with U ≤ 10⁴ k_BT in a core (the table start) — large inputs,
  which is what the paper's ``x`` networks had to cope with;
* ``c``: Ū / U_SCALE ∈ [≈ −2, 1];
* ``e``: asinh(exp(−βU)): exp(−βU) spans [0, e^32] in our data (deep wells), so it is
  compressed — unchanged where small (core, tail), ≈ −βU + ln 2 in deep wells;
* force branch for U and Ū: the force of the *uncapped* U (no discontinuity at the cap),
  compressed as asinh(F / F_SCALE) because a core's force spans many decades;
  for ``e``: −d exp(−βU)/dr = F exp(−βU), compressed the same way.

Inverse options (paper Table 2): ``b`` input U0 = −ln g (floored at g = e^−20) instead of
g; ``e`` output exp(−βÛ); ``f`` force terms in the loss. Beyond the paper, ``h`` adds a
second input channel with the HNC inversion of the same g(r) (capped at U_cut), a
physics-informed first guess that already holds most of the density dependence, and ``r``
(residual) lets the network output only the correction to that guess (to U0 with ``b``).
"""

from __future__ import annotations

import numpy as np

from ...theory.inversion import G_FLOOR, boltzmann_inversion
from ...units import U_CUT
from .options import EOSFlags, InverseFlags

U_SCALE = 10.0
F_SCALE = 10.0


def eos_channels(u, f, opts: EOSFlags) -> np.ndarray:
    """Input channels for the EOS networks.

    Args:
        u: Potential on the network grid, shape (n, 50) [k_BT].
        f: Force of the uncapped potential, shape (n, 50) [k_BT/σ].
        opts: The model's options (:class:`~boltzmann_nn.ml.tasks.options.EOSFlags`).

    Returns:
        Shape (n, n_channels, 50): the potential channel, then the force channel if ``f``.
    """
    u = np.asarray(u, float)
    f = np.asarray(f, float)
    if opts.exponential:
        # exp(−βU) reaches e^32 in the wells of our data: asinh keeps it as it is where it
        # is small (the core, the tail) and turns it into ≈ −βU + ln 2 in deep wells
        boltz = np.exp(-np.maximum(u, -80.0))
        chans = [np.arcsinh(boltz)]
        if opts.force:
            chans.append(np.arcsinh(f * boltz / F_SCALE))
    else:
        pot = np.minimum(u, U_CUT) if opts.capped else u
        chans = [pot / U_SCALE]
        if opts.force:
            chans.append(np.arcsinh((core_invariant_force(u, f) if opts.core_force else f) / F_SCALE))
    return np.stack(chans, axis=1).astype(np.float32)


def core_invariant_force(u, f) -> np.ndarray:
    """F with every point inside the core (at or before the last grid point where U >= U_cut)
    set to F at the first point outside it: a table that starts anywhere inside the core
    gives the same values as the analytic potential.

    Args:
        u, f: shape (n, m) on a grid increasing in r.
    """
    u = np.atleast_2d(np.asarray(u, float))
    f = np.atleast_2d(np.asarray(f, float)).copy()
    m = u.shape[1]
    core = u >= U_CUT
    # index of the last core point per row (-1: no core)
    last = np.where(core.any(axis=1), m - 1 - np.argmax(core[:, ::-1], axis=1), -1)
    for i, j in enumerate(last):
        if 0 <= j < m - 1:
            f[i, : j + 1] = f[i, j + 1]
    return f


def inverse_channels(g, opts: InverseFlags, u_hnc=None) -> np.ndarray:
    """Input channels for the inverse networks: g or (option ``b``) U0/U_SCALE, and with
    option ``h`` the HNC inversion Ū_HNC/U_SCALE.

    Args:
        g: g(r) on the network grid, shape (n, 50).
        u_hnc: HNC inversion on the network grid, shape (n, 50) (option ``h``).

    Returns:
        Shape (n, 1 or 2, 50).
    """
    g = np.asarray(g, float)
    chans = [boltzmann_inversion(g) / U_SCALE if opts.boltzmann_input else g]
    if opts.hnc_input:
        chans.append(np.minimum(np.asarray(u_hnc, float), U_CUT) / U_SCALE)
    return np.stack(chans, axis=1).astype(np.float32)


def hnc_on_grid(r_bins, g_bins, density, grid_r) -> np.ndarray:
    """HNC inversion of g(r) histograms (n, n_bins) at densities (n,), capped at U_cut and
    interpolated onto the network grid (at r = 0 from g(0), :func:`_hnc_at_origin`);
    shape (n, 50).
    """
    from ...theory.inversion import hnc_inversion, hnc_inversion_solver

    solver = hnc_inversion_solver()
    r_bins = np.asarray(r_bins, float)
    g_bins = np.atleast_2d(np.asarray(g_bins, float))
    xs = np.concatenate([[0.0], r_bins])
    g0 = g_at_origin(r_bins, g_bins)
    out = np.empty((g_bins.shape[0], len(grid_r)))
    for i, (g, rho) in enumerate(zip(g_bins, np.atleast_1d(density))):
        u = hnc_inversion(r_bins, g, float(rho), solver)
        out[i] = np.interp(grid_r, xs, np.concatenate([[_hnc_at_origin(r_bins, g, u, g0[i])], u]))
    return np.minimum(out, U_CUT)


def gr_on_grid(r_bins, g, grid_r) -> np.ndarray:
    """g(r) histograms (n, n_bins) onto the network grid (n, 50) by linear interpolation;
    g(0) from :func:`g_at_origin` and g = last value beyond the last bin centre.
    """
    r_bins = np.asarray(r_bins, float)
    g = np.atleast_2d(np.asarray(g, float))
    xs = np.concatenate([[0.0], r_bins])
    g0 = g_at_origin(r_bins, g)
    out = np.empty((g.shape[0], len(grid_r)))
    for i, row in enumerate(g):
        out[i] = np.interp(grid_r, xs, np.concatenate([[g0[i]], row]))
    return out


def structure_metrics(r_bins, g_bins, density, grid_r, g_err=None) -> np.ndarray:
    """Per run the :func:`~boltzmann_nn.theory.response.structure_metric` on the network grid
    (the first-order L_MSE(g, ĝ) of an error δU there is δUᵀ M δU); with ``g_err`` (n, n_bins)
    the bins weighted by :func:`~boltzmann_nn.theory.response.noise_weights` (a χ² in the
    units of a typical bin); shape (n, 50, 50).
    """
    from ...theory.response import noise_weights, structure_metric

    g_bins = np.atleast_2d(np.asarray(g_bins, float))
    errs = [None] * len(g_bins) if g_err is None else np.atleast_2d(g_err)
    return np.stack([structure_metric(r_bins, g, float(rho), grid_r,
                                      weights=None if e is None else noise_weights(g, e)).astype(np.float32)
                     for g, rho, e in zip(g_bins, np.atleast_1d(density), errs)])


#: g(0) is estimated from the histogram bins below this distance [σ].
G0_RANGE = 0.5


def g_at_origin(r_bins, g) -> np.ndarray:
    """g(r = 0) of histograms (n, n_bins) by a Poisson fit of ln g = a + b r + c r² to the
    bins with r <= 0.5σ.

    A bin's pair count is K r² g (K: pairs × frames × shell width, the same for every bin),
    so the maximum-likelihood fit does not depend on K: it weighs each bin by r² and takes
    empty bins for what they are. Near r = 0 the bins hold a pair or two, so their values
    alone say little; the fit recovers g(0) of a Gaussian core (U(0) = 2 k_BT) within about
    10 % and of a Hertz fluid with U(0) = 10 k_BT (g(0) ≈ 10⁻⁴) within about as much. A
    hard core (no pair below 0.25σ) gives 0; the value is clipped to the largest g there.
    """
    r_bins = np.asarray(r_bins, float)
    g = np.atleast_2d(np.asarray(g, float))
    sel = r_bins <= G0_RANGE
    out = np.zeros(g.shape[0])
    if sel.sum() < 4:
        return out
    x = r_bins[sel]
    design = np.stack([np.ones_like(x), x, x * x], axis=1)
    for i, y in enumerate(g[:, sel]):
        if not np.any(y[x <= 0.5 * G0_RANGE] > 0):
            continue
        out[i] = min(float(np.exp(_poisson_log_fit(design, y, x**2)[0])), float(y.max()))
    return out


def _poisson_log_fit(design, y, w, iterations: int = 60) -> np.ndarray:
    """θ maximising Σ w (y·Xθ − exp(Xθ)) (Poisson counts w·y of mean w·exp(Xθ)): Newton
    steps, halved until the likelihood grows.
    """
    def loglik(t):
        eta = design @ t
        return float(np.sum(w * (y * eta - np.exp(eta))))

    theta = np.zeros(design.shape[1])
    theta[0] = np.log(np.sum(w * y) / np.sum(w))
    for _ in range(iterations):
        mu = np.exp(design @ theta)
        grad = design.T @ (w * (y - mu))
        hess = (design * (w * mu)[:, None]).T @ design
        step = np.linalg.solve(hess + 1e-12 * np.eye(len(theta)), grad)
        t, base = 1.0, loglik(theta)
        while loglik(theta + t * step) < base and t > 1e-4:
            t /= 2
        theta = theta + t * step
        if np.max(np.abs(t * step)) < 1e-8:
            break
    return theta


def _hnc_at_origin(r_bins, g, u, g0: float) -> float:
    """U_HNC(0) = −ln g(0) + w(0), with w = βU + ln g = h − c (smooth and even through
    r = 0) fitted as a + b r² to the bins below G0_RANGE that hold pairs (weights r² g);
    U_cut where g(0) = 0.
    """
    sel = (r_bins <= G0_RANGE) & (g > G_FLOOR) & (u < U_CUT)
    if g0 <= G_FLOOR or not sel.any():
        return U_CUT
    x, wts = r_bins[sel], r_bins[sel] ** 2 * g[sel]
    design = np.stack([np.ones_like(x), x * x], axis=1)
    if sel.sum() >= 3:  # w is even in r near 0: w(0) from a fit a + b r²
        w = float(np.linalg.lstsq(design * np.sqrt(wts)[:, None],
                                  (u[sel] + np.log(g[sel])) * np.sqrt(wts), rcond=None)[0][0])
    else:
        w = float(np.sum(wts * (u[sel] + np.log(g[sel]))) / np.sum(wts))
    return min(-np.log(g0) + w, U_CUT)


def virial_weights(g_r, g_bins, density, r_grid, sub: int = 16) -> np.ndarray:
    """Weights w (n, len(r_grid)) such that Σ_j w_j δU_j is the first-order change of the
    virial pressure, at fixed g, when U changes by δU on the grid (linear between points,
    as MD sees a table through its forces; nothing beyond the last point, where the table
    ends): δP = (2π/3)ρ² Σ_i G_i (δU_i − δU_{i+1})/h_i with G_i = ∫ r³ g dr over segment i.

    Args:
        g_r: Bin centres of g, shape (m,) [σ]; g_bins: g per run, shape (n, m).
        density: ρ per run, shape (n,).
        r_grid: The network grid [σ].
    """
    r_grid = np.asarray(r_grid, float)
    g_bins = np.atleast_2d(np.asarray(g_bins, float))
    h = np.diff(r_grid)
    t = np.linspace(0.0, 1.0, sub + 1)
    mesh = (r_grid[:-1, None] + h[:, None] * t[None, :]).ravel()  # (segments * (sub + 1),)
    out = np.zeros((g_bins.shape[0], r_grid.size))
    for k, g in enumerate(g_bins):
        f = mesh**3 * np.interp(mesh, g_r, g, left=0.0, right=1.0)
        seg = np.trapezoid(f.reshape(h.size, sub + 1), dx=1.0 / sub, axis=1) * h  # G_i
        c = seg / h
        out[k, :-1] += c
        out[k, 1:] -= c
    return out * (2.0 * np.pi / 3.0) * np.asarray(density, float)[:, None] ** 2
