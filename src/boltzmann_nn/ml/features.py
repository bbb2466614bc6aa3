"""Network inputs and targets built from dataset arrays (all on the 50-point grid).

EOS options (paper Table 1): combinations of
``c`` capped potential Ū = min(U, U_cut), ``e`` exp(−βU), ``f`` a force branch,
``i`` the low-density pressure βP0 = ρ + B2ρ² as an extra input; ``x`` is the plain U.

Representations (each shape (n, 50)):

* plain U: U / U_SCALE, with U ≤ 10⁴ k_BT in a core (the table start) — large inputs,
  which is what the paper's ``x`` networks had to cope with;
* ``c``: Ū / U_SCALE ∈ [≈ −2, 1];
* ``e``: exp(−βU) ∈ [0, ≈ e^40], in practice ≤ e^15;
* force branch for U and Ū: the force of the *uncapped* U (no discontinuity at the cap),
  compressed as asinh(F / F_SCALE) because a core's force spans many decades;
  for ``e``: −d exp(−βU)/dr = F exp(−βU), which is bounded.

Inverse options (paper Table 2): ``b`` input U0 = −ln g (floored at g = e^−20) instead of
g; ``e`` output exp(−βÛ); ``f`` force terms in the loss.
"""

from __future__ import annotations

import numpy as np

from ..theory.inversion import boltzmann_inversion
from ..units import U_CUT

U_SCALE = 10.0
F_SCALE = 10.0
EOS_OPTIONS = ("x", "c", "e", "f", "i", "cf", "ci", "ef", "ei", "fi", "cfi", "efi")
INVERSE_OPTIONS = ("x", "b", "e", "f", "be", "bf", "ef", "bef")


def parse_options(options: str, allowed) -> set[str]:
    if options not in allowed:
        raise ValueError(f"unknown options {options!r}; use one of {allowed}")
    return set(options) - {"x"}


def eos_channels(u, f, options: str) -> np.ndarray:
    """Input channels for the EOS networks.

    Args:
        u: Potential on the network grid, shape (n, 50) [k_BT].
        f: Force of the uncapped potential, shape (n, 50) [k_BT/σ].
        options: One of :data:`EOS_OPTIONS`.

    Returns:
        Shape (n, n_channels, 50): the potential channel, then the force channel if ``f``.
    """
    opts = parse_options(options, EOS_OPTIONS)
    u = np.asarray(u, float)
    f = np.asarray(f, float)
    if "e" in opts:
        with np.errstate(over="ignore"):
            boltz = np.exp(-u)
        chans = [boltz]
        if "f" in opts:
            chans.append(f * boltz)
    else:
        pot = np.minimum(u, U_CUT) if "c" in opts else u
        chans = [pot / U_SCALE]
        if "f" in opts:
            chans.append(np.arcsinh(f / F_SCALE))
    return np.stack(chans, axis=1).astype(np.float32)


def low_density_pressure(density, b2) -> np.ndarray:
    """βP0 = ρ + B2 ρ² (paper Eq. 11), shape (n,)."""
    rho = np.asarray(density, float)
    return rho + np.asarray(b2, float) * rho**2


def inverse_channels(g, options: str) -> np.ndarray:
    """Input channel for the inverse networks: g or (option ``b``) U0/U_SCALE.

    Args:
        g: g(r) on the network grid, shape (n, 50).

    Returns:
        Shape (n, 1, 50).
    """
    opts = parse_options(options, INVERSE_OPTIONS)
    g = np.asarray(g, float)
    x = boltzmann_inversion(g) / U_SCALE if "b" in opts else g
    return x[:, None, :].astype(np.float32)


def gr_on_grid(r_bins, g, grid_r) -> np.ndarray:
    """g(r) histograms (n, n_bins) onto the network grid (n, 50) by linear interpolation;
    g(0) = 0 and g = last value beyond the last bin centre.
    """
    r_bins = np.asarray(r_bins, float)
    g = np.atleast_2d(np.asarray(g, float))
    xs = np.concatenate([[0.0], r_bins])
    out = np.empty((g.shape[0], len(grid_r)))
    for i, row in enumerate(g):
        out[i] = np.interp(grid_r, xs, np.concatenate([[0.0], row]))
    return out
