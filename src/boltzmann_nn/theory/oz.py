"""Ornstein–Zernike equation with HNC and Percus–Yevick closures on a radial grid.

h(r) = c(r) + ρ ∫ c(|r − r′|) h(r′) d³r′, solved in Fourier space (ĥ = ĉ/(1 − ρĉ))
for γ = h − c by damped Picard iteration; the closures are

* HNC: c = exp(−βU + γ) − 1 − γ
* PY:  c = exp(−βU)(1 + γ) − 1 − γ

Forward: U(r), ρ → g(r), S(k), the virial pressure (cavity form, robust for steep cores)
and the compressibility pressure (∫₀^ρ 1/S(0; ρ′) dρ′ along a density ramp).
Inverse (HNC): g(r), ρ → βU = h − c − ln g.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, InputError
from .closures import get_closure
from .transforms import RadialFFT

#: Largest βU put into exp(−βU) (exp(−700) underflows to 0 anyway).
U_MAX = 700.0
#: Floor of S(k) in the inversion of measured g(r) (see :meth:`OZSolver.invert`).
S_MIN = 0.05


@dataclass
class OZResult:
    """Solution of the OZ equation at one state point.

    Attributes:
        r: Grid, shape (n,) [σ].
        g: Radial distribution function, shape (n,).
        c: Direct correlation function, shape (n,).
        k: Wave numbers, shape (n,) [σ⁻¹].
        s: Structure factor S(k), shape (n,).
        pressure_virial: βP by the virial route [k_BT/σ³].
        pressure_compressibility: βP by the compressibility route [k_BT/σ³].
        inverse_compressibility: β ∂P/∂ρ = 1/S(0).
        iterations: Picard iterations at the final density.
    """

    closure: str
    density: float
    r: np.ndarray
    g: np.ndarray
    c: np.ndarray
    k: np.ndarray
    s: np.ndarray
    pressure_virial: float
    pressure_compressibility: float
    inverse_compressibility: float
    iterations: int

    def to_dict(self) -> dict:
        return {
            "closure": self.closure, "density": self.density,
            "r": self.r.tolist(), "g": self.g.tolist(), "k": self.k.tolist(),
            "S": self.s.tolist(), "pressure": self.pressure_virial,
            "pressure_virial": self.pressure_virial,
            "pressure_compressibility": self.pressure_compressibility,
            "inverse_compressibility": self.inverse_compressibility,
            "iterations": self.iterations,
        }


class OZSettings:
    """Grid, closure and iteration settings of an Ornstein–Zernike solver (one component,
    or :class:`~boltzmann_nn.theory.mixture_oz.MixtureOZSolver`).

    Args:
        closure: A name in :data:`~boltzmann_nn.theory.closures.CLOSURES` (``"hnc"``, ``"py"``).
        n: Number of grid intervals (points Δr … (n−1)Δr).
        dr: Spacing [σ].
        mixing: Fraction of the new γ taken each iteration.
        tol: Convergence threshold on max |Δγ|.
        max_iter: Iterations per density before giving up.
        ramp: Number of densities from ρ/ramp up to ρ (the compressibility route
            integrates along them, and each solution seeds the next).
    """

    def __init__(self, closure: str = "hnc", n: int = 8192, dr: float = 0.005,
                 mixing: float = 0.3, tol: float = 1e-9, max_iter: int = 5000, ramp: int = 24):
        self._closure_unit = get_closure(closure)
        self.closure = closure
        self.fft = RadialFFT(n, dr)
        self.mixing = mixing
        self.tol = tol
        self.max_iter = max_iter
        self.ramp = ramp

    @property
    def r(self):
        return self.fft.r


class OZSolver(OZSettings):
    """The one-component OZ equation (settings: :class:`OZSettings`)."""

    def _closure(self, boltz, gamma):
        return self._closure_unit.direct(boltz, gamma)

    def _solve_one(self, boltz, rho, gamma):
        fft = self.fft
        for it in range(1, self.max_iter + 1):
            c = self._closure(boltz, gamma)
            ck = fft.forward(c)
            denom = 1.0 - rho * ck
            if np.any(denom <= 0):
                raise ConvergenceError(
                    f"OZ/{self.closure.upper()} has no solution at rho = {rho:.4g}: "
                    "S(k) diverges (a spinodal or phase separation)"
                )
            new = fft.inverse(rho * ck * ck / denom)
            delta = float(np.max(np.abs(new - gamma)))
            if not math.isfinite(delta):
                raise ConvergenceError(f"OZ/{self.closure.upper()} diverged at rho = {rho:.4g}")
            gamma = gamma + self.mixing * (new - gamma)
            if delta < self.tol:
                return gamma, c, ck, it
        raise ConvergenceError(
            f"OZ/{self.closure.upper()} did not converge at rho = {rho:.4g} in {self.max_iter} "
            f"iterations (last change {delta:.2e} > tol {self.tol:.0e})"
        )

    def solve(self, potential, density: float) -> OZResult:
        """Solve at ``density`` for ``potential`` (anything with ``evaluate``)."""
        if not (density > 0):
            raise InputError(f"density must be > 0, got {density}")
        r = self.r
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            u = potential.evaluate(r)[0]
        u = np.minimum(np.nan_to_num(u, nan=U_MAX, posinf=U_MAX), U_MAX)
        boltz = np.exp(-u)
        gamma = np.zeros_like(r)
        rhos = density * np.arange(1, self.ramp + 1) / self.ramp
        inv_comp = [1.0]
        it = 0
        for rho in rhos:
            gamma, c, ck, it = self._solve_one(boltz, rho, gamma)
            inv_comp.append(1.0 - rho * self._ck0(c))
        g = np.maximum(self._closure(boltz, gamma) + gamma + 1.0, 0.0)  # rounding below 0
        s = 1.0 / (1.0 - density * ck)
        cavity = self._closure_unit.cavity(gamma)
        p_vir = virial_pressure_cavity(r, cavity, np.expm1(-u), density)
        p_comp = _integrate_ramp(np.concatenate([[0.0], rhos]), np.asarray(inv_comp))
        return OZResult(self.closure, float(density), r, g, c, self.fft.k, s, p_vir, p_comp,
                        float(inv_comp[-1]), it)

    def _ck0(self, c):
        """ĉ(k = 0) = 4π ∫ r² c dr."""
        return float(4.0 * math.pi * np.sum(self.r**2 * c) * self.fft.dr)

    def invert(self, r_data, g_data, density: float, s_min: float = S_MIN) -> tuple[np.ndarray, np.ndarray]:
        """HNC inversion: βU = h − c − ln g from g(r) at ``density``.

        g is interpolated onto the solver grid up to the data's last point and taken as 1
        beyond. ĉ = ĥ / S with S(k) = 1 + ρĥ(k) floored at ``s_min``: a g(r) that is cut
        at a few σ and noisy (as from MD) can make S small or negative at small k, and
        1/S then blows up; exact data are unaffected unless their S(k) < s_min. Where g is
        below exp(−U_MAX) the result is +inf (the caller floors it).

        Returns:
            ``(r, U)`` on the solver grid up to the data's range.
        """
        r, g, h_minus_c = self.indirect(r_data, g_data, density, s_min)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = h_minus_c - np.log(g)
        return r, u

    def indirect(self, r_data, g_data, density: float, s_min: float = S_MIN):
        """The indirect correlation h − c of g(r) at ``density`` (as :meth:`invert` takes it).

        Returns:
            ``(r, g, h − c)`` on the solver grid up to the data's range.
        """
        r = self.r
        r_data = np.asarray(r_data, float)
        g_data = np.asarray(g_data, float)
        inside = r <= r_data[-1]
        g = np.ones_like(r)
        g[inside] = np.interp(r[inside], r_data, g_data)
        h = g - 1.0
        hk = self.fft.forward(h)
        ck = hk / np.maximum(1.0 + density * hk, s_min)
        c = self.fft.inverse(ck)
        return r[inside], g[inside], (h - c)[inside]


def virial_pressure_cavity(r, cavity, mayer, density: float) -> float:
    """βP = ρ − (2π/3) ρ² ∫ f(r) d[r³ y(r)]/dr dr, the virial route written with the
    cavity function y = g exp(βU) and Mayer f (integrated by parts, so a steep core needs
    no resolution of its force).
    """
    d = np.gradient(r**3 * cavity, r)
    return float(density - 2.0 * math.pi / 3.0 * density**2 * np.trapezoid(mayer * d, r))


def _integrate_ramp(rhos, inv_comp) -> float:
    """∫₀^ρ β ∂P/∂ρ′ dρ′ by the trapezoid rule with Richardson (Simpson where possible)."""
    if rhos.size % 2 == 1:
        from scipy.integrate import simpson

        return float(simpson(inv_comp, x=rhos))
    return float(np.trapezoid(inv_comp, rhos))
