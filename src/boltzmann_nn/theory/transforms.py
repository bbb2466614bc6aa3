"""Radial (3-d, isotropic) Fourier transforms on uniform grids, via discrete sine
transforms.

Two grids are used:

* :class:`RadialFFT` (DST-I): r_n = n Δr, k_m = m π / (N Δr), n, m = 1 … N−1 — used by
  the Ornstein–Zernike solver.
* :func:`midpoint_transform` (DST-IV): r_n = (n + ½) Δr, k_m = (m + ½) π / (N Δr) —
  used for virial coefficients, where a step at a cell boundary is integrated exactly.

Convention: f̂(k) = (4π/k) ∫₀^∞ r f(r) sin(kr) dr and
f(r) = (1/(2π² r)) ∫₀^∞ k f̂(k) sin(kr) dk.
"""

from __future__ import annotations

import numpy as np


def _dst1(x):
    """scipy.fft.dst(x, type=1), SciPy's FFT imported only here (it costs start-up time)."""
    from scipy import fft

    return fft.dst(x, type=1)


def _dst4(x):
    """DST-IV, y_k = 2 Σ_n x_n sin(π (2n + 1)(2k + 1) / 4N) (scipy.fft.dst(x, type=4)),
    by one complex FFT of length 2N in NumPy: y_k = 2 Im[e^(iπ(2k+1)/4N) Σ_n x_n e^(iπn/2N)
    e^(2πi nk/2N)]. Agrees with SciPy to rounding (tests/test_theory.py); it keeps SciPy's
    FFT, slow to import, out of the virial coefficients (benchmarks/startup.py).
    """
    x = np.asarray(x, float)
    n = x.size
    twisted = x * np.exp(1j * np.pi * np.arange(n) / (2 * n))
    s = np.fft.ifft(twisted, 2 * n)[:n] * (2 * n)
    return 2.0 * np.imag(np.exp(1j * np.pi * (2 * np.arange(n) + 1) / (4 * n)) * s)


class RadialFFT:
    """Forward/inverse radial transforms on the DST-I grid.

    Args:
        n: Number of intervals N (points r = Δr … (N−1)Δr).
        dr: Grid spacing [σ].
    """

    def __init__(self, n: int, dr: float):
        self.n = n
        self.dr = dr
        self.r = dr * np.arange(1, n)
        self.dk = np.pi / (n * dr)
        self.k = self.dk * np.arange(1, n)

    def forward(self, f):
        """f̂(k), shape (N−1,), from f(r), shape (N−1,)."""
        return 2.0 * np.pi * self.dr / self.k * _dst1(self.r * f)

    def inverse(self, fk):
        """f(r), shape (N−1,), from f̂(k), shape (N−1,)."""
        return self.dk / (4.0 * np.pi**2 * self.r) * _dst1(self.k * fk)


def midpoint_transform(f, dr: float):
    """f̂ on the DST-IV k grid from f sampled at r = (n + ½) Δr.

    Returns:
        ``(k, fk)`` with k: (N,) [σ⁻¹] and f̂: (N,) [σ³].
    """
    f = np.asarray(f, float)
    n = f.size
    r = (np.arange(n) + 0.5) * dr
    k = (np.arange(n) + 0.5) * np.pi / (n * dr)
    fk = 2.0 * np.pi * dr / k * _dst4(r * f)
    return k, fk
