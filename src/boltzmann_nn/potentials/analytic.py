"""Pure pair-potential functions U(r) and their forces F(r) = -dU/dr.

Every function takes ``r: (n,) [σ]`` and keyword parameters, and returns
``(U, F)`` as arrays of the same shape, ``U [k_BT]``, ``F [k_BT/σ]``. They are defined
for all r > 0 without cutoff; cutting and shifting happen in :class:`NamedPotential`.
"""

from __future__ import annotations

import numpy as np

WCA_RMIN = 2.0 ** (1.0 / 6.0)


def lennard_jones(r, epsilon=1.0, sigma=1.0):
    """U = 4ε[(σ/r)¹² − (σ/r)⁶]."""
    r = np.asarray(r, float)
    s6 = (sigma / r) ** 6
    u = 4.0 * epsilon * (s6 * s6 - s6)
    f = 24.0 * epsilon * (2.0 * s6 * s6 - s6) / r
    return u, f


def wca(r, epsilon=1.0, sigma=1.0):
    """Weeks–Chandler–Andersen: LJ + ε for r < 2^(1/6)σ, zero beyond."""
    r = np.asarray(r, float)
    u, f = lennard_jones(r, epsilon, sigma)
    inside = r < WCA_RMIN * sigma
    return np.where(inside, u + epsilon, 0.0), np.where(inside, f, 0.0)


def soft_sphere(r, epsilon=1.0, sigma=1.0, n=12.0):
    """U = ε (σ/r)ⁿ."""
    r = np.asarray(r, float)
    u = epsilon * (sigma / r) ** n
    return u, n * u / r


def gaussian_core(r, epsilon=1.0, sigma=1.0):
    """U = ε exp[−(r/σ)²] (Stillinger's Gaussian core model)."""
    r = np.asarray(r, float)
    u = epsilon * np.exp(-((r / sigma) ** 2))
    return u, 2.0 * r / sigma**2 * u


def yukawa(r, epsilon=1.0, kappa=1.0, sigma=1.0):
    """Screened Coulomb: U = ε σ exp[−κ(r − σ)] / r."""
    r = np.asarray(r, float)
    u = epsilon * sigma * np.exp(-kappa * (r - sigma)) / r
    return u, u * (kappa + 1.0 / r)


def morse(r, epsilon=1.0, alpha=6.0, r0=1.0):
    """U = ε[exp(−2α(r − r₀)) − 2 exp(−α(r − r₀))], well depth ε at r₀."""
    r = np.asarray(r, float)
    e = np.exp(-alpha * (r - r0))
    u = epsilon * (e * e - 2.0 * e)
    f = 2.0 * alpha * epsilon * (e * e - e)
    return u, f


def hertzian(r, epsilon=1.0, sigma=1.0):
    """Hertzian spheres: U = ε (1 − r/σ)^(5/2) for r < σ."""
    r = np.asarray(r, float)
    x = np.clip(1.0 - r / sigma, 0.0, None)
    return epsilon * x**2.5, 2.5 * epsilon * x**1.5 / sigma


def hard_core(r, epsilon=1.0, sigma=1.0, n=10000.0):
    """A steep hard-sphere-like core: U = ε (σ/r)ⁿ with large n.

    Its second virial coefficient is (2π/3)σ³ Γ(1 − 3/n)(ε/k_BT)^(3/n), which tends to
    the hard-sphere 2π/3 as n → ∞ (relative deviation 1.7·10⁻⁴ at n = 10⁴).
    """
    r = np.asarray(r, float)
    with np.errstate(over="ignore"):
        u = epsilon * np.exp(n * np.log(sigma / r))
    return u, n * u / r


def mie(r, epsilon=1.0, sigma=1.0, n=12.0, m=6.0):
    """Mie (generalised Lennard-Jones n–m): U = C ε [(σ/r)ⁿ − (σ/r)ᵐ], n > m.

    C = n/(n−m) (n/m)^(m/(n−m)) makes the well depth exactly ε; n = 12, m = 6 is LJ.
    """
    r = np.asarray(r, float)
    c = n / (n - m) * (n / m) ** (m / (n - m))
    sn, sm = (sigma / r) ** n, (sigma / r) ** m
    return c * epsilon * (sn - sm), c * epsilon * (n * sn - m * sm) / r


def gaussian_well(r, epsilon=1.0, r0=1.5, width=0.3):
    """U = −ε exp[−((r − r₀)/w)²]: an attractive well of depth ε (ε < 0: a bump)."""
    r = np.asarray(r, float)
    x = (r - r0) / width
    u = -epsilon * np.exp(-x * x)
    return u, 2.0 * x / width * u


def shoulder(r, epsilon=1.0, radius=1.5, width=0.05):
    """Smoothed square shoulder: U = (ε/2)[1 − tanh((r − λ)/w)], λ = ``radius``.

    A step of height ε at λ, softened over a width w; ε < 0 gives a square well.
    """
    r = np.asarray(r, float)
    t = np.tanh((r - radius) / width)
    return 0.5 * epsilon * (1.0 - t), 0.5 * epsilon * (1.0 - t * t) / width


def ramp(r, epsilon=1.0, radius=1.8, sigma=1.0, width=0.05):
    """Smoothed linear ramp (Jagla-like): U = ε w softplus((λ − r)/w)/(λ − σ).

    Linear, U = ε(λ − r)/(λ − σ), well inside λ (so U(σ) = ε), rounded over a width w
    at r = λ, and exponentially small beyond.
    """
    r = np.asarray(r, float)
    x = (radius - r) / width
    soft = np.logaddexp(0.0, x)
    slope = epsilon / (radius - sigma)
    with np.errstate(over="ignore"):
        sig = 0.5 * (1.0 + np.tanh(0.5 * x))
    return slope * width * soft, slope * sig


def zero(r):
    """No interaction (ideal gas)."""
    r = np.asarray(r, float)
    return np.zeros_like(r), np.zeros_like(r)


#: name -> (function, default parameters, default cutoff [σ], one-line description)
REGISTRY: dict[str, tuple] = {
    "lj": (lennard_jones, {"epsilon": 1.0, "sigma": 1.0}, 5.0, "Lennard-Jones 12-6"),
    "wca": (wca, {"epsilon": 1.0, "sigma": 1.0}, WCA_RMIN, "Weeks-Chandler-Andersen"),
    "soft": (soft_sphere, {"epsilon": 1.0, "sigma": 1.0, "n": 12.0}, 3.0, "soft sphere r^-n"),
    "gauss": (gaussian_core, {"epsilon": 1.0, "sigma": 1.0}, 4.0, "Gaussian core"),
    "yukawa": (yukawa, {"epsilon": 1.0, "kappa": 1.0, "sigma": 1.0}, 5.0, "Yukawa"),
    "morse": (morse, {"epsilon": 1.0, "alpha": 6.0, "r0": 1.0}, 2.5, "Morse"),
    "hertz": (hertzian, {"epsilon": 1.0, "sigma": 1.0}, 1.0, "Hertzian spheres"),
    "hs": (hard_core, {"epsilon": 1.0, "sigma": 1.0, "n": 10000.0}, 1.1, "steep hard core"),
    "mie": (mie, {"epsilon": 1.0, "sigma": 1.0, "n": 12.0, "m": 6.0}, 5.0, "Mie n-m (generalised LJ)"),
    "gausswell": (gaussian_well, {"epsilon": 1.0, "r0": 1.5, "width": 0.3}, 3.0, "Gaussian well"),
    "shoulder": (shoulder, {"epsilon": 1.0, "radius": 1.5, "width": 0.05}, 2.0,
                 "smoothed square shoulder (tanh step)"),
    "ramp": (ramp, {"epsilon": 1.0, "radius": 1.8, "sigma": 1.0, "width": 0.05}, 2.3,
             "smoothed linear ramp"),
    "ideal": (zero, {}, 1.0, "ideal gas (U = 0)"),
}
