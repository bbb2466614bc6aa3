"""The shape-preserving cubic (PCHIP, Fritsch–Butland derivatives with Moler's
end-point rule) in NumPy alone, as SciPy's ``PchipInterpolator`` computes it to the bit
(``tests/test_pchip.py``): the tables that predictions and refinements hand to MD are
made with it, and it keeps SciPy's interpolation package, slow to import, out of
``predict-potential``'s start-up.
"""

from __future__ import annotations

import numpy as np


def _edge(h0, h1, m0, m1) -> float:
    """One-sided three-point derivative at an end, limited to keep the shape."""
    d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
    if np.sign(d) != np.sign(m0):
        return 0.0
    if np.sign(m0) != np.sign(m1) and abs(d) > 3.0 * abs(m0):
        return 3.0 * m0
    return d


def pchip_slopes(x, y) -> np.ndarray:
    """dy/dx at the points ``x`` (shape (n,), increasing, n >= 2) of the PCHIP through ``y``."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    hk = x[1:] - x[:-1]
    mk = (y[1:] - y[:-1]) / hk
    if y.size == 2:
        return np.array([mk[0], mk[0]])
    smk = np.sign(mk)
    condition = (smk[1:] != smk[:-1]) | (mk[1:] == 0) | (mk[:-1] == 0)
    w1 = 2 * hk[1:] + hk[:-1]
    w2 = hk[1:] + 2 * hk[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        whmean = (w1 / mk[:-1] + w2 / mk[1:]) / (w1 + w2)
    dk = np.zeros_like(y)
    dk[1:-1][~condition] = 1.0 / whmean[~condition]
    dk[0] = _edge(hk[0], hk[1], mk[0], mk[1])
    dk[-1] = _edge(hk[-1], hk[-2], mk[-1], mk[-2])
    return dk


class Pchip:
    """The PCHIP through (``x``, ``y``) (shape (n,)); ``self(r)`` is U(r) and
    ``self.slope(r)`` dU/dr, extrapolated by the end pieces outside [x₀, x_{n−1}].
    """

    def __init__(self, x, y):
        self.x = np.asarray(x, float)
        y = np.asarray(y, float)
        dydx = pchip_slopes(self.x, y)
        dx = np.diff(self.x)
        slope = np.diff(y) / dx
        t = (dydx[:-1] + dydx[1:] - 2 * slope) / dx
        self.c = np.stack((t / dx, (slope - dydx[:-1]) / dx - t, dydx[:-1], y[:-1]))

    def _piece(self, r):
        r = np.asarray(r, float)
        i = np.clip(np.searchsorted(self.x, r, side="right") - 1, 0, self.x.size - 2)
        return i, r - self.x[i]

    def __call__(self, r) -> np.ndarray:
        i, s = self._piece(r)
        c = self.c[:, i]
        # summed from the constant term up, with powers built by repeated products (as SciPy)
        s2 = s * s
        return c[3] + c[2] * s + c[1] * s2 + c[0] * (s2 * s)

    def slope(self, r) -> np.ndarray:
        i, s = self._piece(r)
        c = self.c[:, i]
        return c[2] + (2.0 * c[1]) * s + (3.0 * c[0]) * (s * s)
