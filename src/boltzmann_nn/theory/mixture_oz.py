"""The Ornstein–Zernike equation of an S-species mixture, with the closures of the
one-component solver applied pair by pair.

h_ij(r) = c_ij(r) + Σ_k ρ_k ∫ c_ik(|r − r′|) h_kj(r′) d³r′, in Fourier space with the
symmetric matrices H′_ij = ρ √(x_i x_j) ĥ_ij and C′ likewise: H′ = C′ + C′H′, so
H′ = C′(I − C′)⁻¹ and I + H′ = (I − C′)⁻¹ is the Ashcroft–Langreth matrix S_ij(k). Each
k is one S×S solve; γ_ij = h_ij − c_ij is iterated by damped Picard steps as in
:class:`~boltzmann_nn.theory.oz.OZSolver`, which a mixture of identical species reproduces.

Forward: U_ij, x_i, ρ → g_ij, partial S_ij(k), Bhatia–Thornton S_NN, S_NC, S_CC (binary),
Kirkwood–Buff integrals, the virial pressure (cavity form) and the compressibility pressure
(β ∂P/∂ρ at fixed composition = 1 − ρ Σ_ij x_i x_j ĉ_ij(0), integrated along a ramp in ρ).
Inverse (HNC): all g_ij at once → βU_ij = h_ij − c_ij − ln g_ij.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError, InputError
from .oz import S_MIN, U_MAX, OZSettings, _integrate_ramp, virial_pressure_cavity


def _check_state(x, density: float) -> np.ndarray:
    x = np.asarray(x, float)
    if x.ndim != 1 or x.size < 1 or not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise InputError(f"mole fractions must be > 0, got {x.tolist()}")
    if abs(float(x.sum()) - 1.0) > 1e-6:
        raise InputError(f"mole fractions must sum to 1, got {float(x.sum()):.6g}")
    if not (density > 0) or not math.isfinite(density):
        raise InputError(f"density must be > 0, got {density}")
    return x / x.sum()


def _scale(x, density: float) -> np.ndarray:
    """ρ √(x_i x_j), shape (S, S, 1): ĥ_ij ↦ H′_ij."""
    sq = np.sqrt(x)
    return (density * np.outer(sq, sq))[:, :, None]


def _per_k(a):
    """(S, S, n) -> (n, S, S) and back."""
    return np.moveaxis(a, -1, 0)


def _per_pair(a):
    return np.moveaxis(a, 0, -1)


@dataclass
class MixtureOZResult:
    """Solution of the mixture OZ equation at one state point.

    Attributes:
        x: Mole fractions, shape (S,).
        r: Grid, shape (n,) [σ].
        g, c: Partial g_ij and c_ij, shape (S, S, n), symmetric in i, j.
        k: Wave numbers, shape (n,) [σ⁻¹].
        s_partial: Ashcroft–Langreth S_ij(k) = δ_ij + ρ √(x_i x_j) ĥ_ij(k), (S, S, n).
        kirkwood_buff: G_ij = ∫ h_ij d³r [σ³], (S, S).
        pressure_virial, pressure_compressibility: βP by the two routes [k_BT/σ³].
        inverse_compressibility: β ∂P/∂ρ at fixed composition (dimensionless).
    """

    closure: str
    density: float
    x: np.ndarray
    r: np.ndarray
    g: np.ndarray
    c: np.ndarray
    k: np.ndarray
    s_partial: np.ndarray
    kirkwood_buff: np.ndarray
    pressure_virial: float
    pressure_compressibility: float
    inverse_compressibility: float
    iterations: int

    def bhatia_thornton(self) -> dict:
        """S_NN, S_NC, S_CC (k) of a binary: number–number, number–concentration and
        concentration–concentration structure factors (ideal mixing: S_CC = x_1 x_2).
        """
        if self.x.size != 2:
            raise InputError(f"Bhatia–Thornton factors are defined for two species, not {self.x.size}")
        x1, x2 = self.x
        s = self.s_partial
        r12 = math.sqrt(x1 * x2)
        s_nn = x1 * s[0, 0] + x2 * s[1, 1] + 2 * r12 * s[0, 1]
        s_cc = x1 * x2 * (x2 * s[0, 0] + x1 * s[1, 1] - 2 * r12 * s[0, 1])
        s_nc = x1 * x2 * (s[0, 0] - s[1, 1] + (x2 - x1) / r12 * s[0, 1])
        return {"S_NN": s_nn, "S_NC": s_nc, "S_CC": s_cc}

    def to_dict(self) -> dict:
        s = self.x.size
        pairs = {f"{i}-{j}": (i, j) for i in range(s) for j in range(i, s)}
        out = {
            "closure": self.closure, "density": self.density, "x": self.x.tolist(),
            "r": self.r.tolist(), "k": self.k.tolist(),
            "g": {p: self.g[i, j].tolist() for p, (i, j) in pairs.items()},
            "S": {p: self.s_partial[i, j].tolist() for p, (i, j) in pairs.items()},
            "kirkwood_buff": {p: float(self.kirkwood_buff[i, j]) for p, (i, j) in pairs.items()},
            "pressure": self.pressure_virial, "pressure_virial": self.pressure_virial,
            "pressure_compressibility": self.pressure_compressibility,
            "inverse_compressibility": self.inverse_compressibility, "iterations": self.iterations,
        }
        if s == 2:
            out["bhatia_thornton"] = {key: v.tolist() for key, v in self.bhatia_thornton().items()}
        return out


class MixtureOZSolver(OZSettings):
    """The mixture OZ equation (grid, closure and iteration settings: :class:`OZSettings`)."""

    def _pairwise(self, f, transform):
        """``transform`` applied to every pair of an (S, S, n) array, kept symmetric."""
        out = np.empty_like(f)
        for i in range(f.shape[0]):
            for j in range(i, f.shape[0]):
                out[i, j] = out[j, i] = transform(f[i, j])
        return out

    def _forward(self, f):
        return self._pairwise(f, self.fft.forward)

    def _inverse(self, fk):
        return self._pairwise(fk, self.fft.inverse)

    def _gamma_k(self, ck, scale, rho):
        """γ̂ = ĥ − ĉ from ĉ: H′ = C′(I − C′)⁻¹ at every k."""
        cp = _per_k(ck * scale)
        eye = np.eye(cp.shape[-1])
        a = eye - cp
        if np.any(np.linalg.eigvalsh(a) <= 0):
            raise ConvergenceError(
                f"mixture OZ/{self.closure.upper()} has no solution at rho = {rho:.4g}: "
                "S(k) diverges (a spinodal or demixing)"
            )
        hp = np.linalg.solve(a, cp)  # (I − C′)⁻¹ C′ = C′(I − C′)⁻¹ (they commute)
        return _per_pair(hp) / scale - ck

    def _solve_one(self, boltz, x, rho, gamma):
        scale = _scale(x, rho)
        closure = self._closure_unit.direct
        for it in range(1, self.max_iter + 1):
            c = closure(boltz, gamma)
            ck = self._forward(c)
            new = self._inverse(self._gamma_k(ck, scale, rho))
            delta = float(np.max(np.abs(new - gamma)))
            if not math.isfinite(delta):
                raise ConvergenceError(f"mixture OZ/{self.closure.upper()} diverged at rho = {rho:.4g}")
            gamma = gamma + self.mixing * (new - gamma)
            if delta < self.tol:
                return gamma, c, ck, it
        raise ConvergenceError(
            f"mixture OZ/{self.closure.upper()} did not converge at rho = {rho:.4g} in {self.max_iter} "
            f"iterations (last change {delta:.2e} > tol {self.tol:.0e})"
        )

    def _pair_array(self, pair_potentials: dict, n_species: int) -> np.ndarray:
        r = self.r
        u = np.empty((n_species, n_species, r.size))
        for i in range(n_species):
            for j in range(i, n_species):
                pot = pair_potentials.get((i, j), pair_potentials.get((j, i)))
                if pot is None:
                    raise InputError(f"no potential for pair ({i}, {j}) of {n_species} species")
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    v = pot.evaluate(r)[0]
                u[i, j] = u[j, i] = np.minimum(np.nan_to_num(v, nan=U_MAX, posinf=U_MAX), U_MAX)
        return u

    def solve(self, pair_potentials: dict, mole_fractions, density: float) -> MixtureOZResult:
        """Solve at total ``density`` and ``mole_fractions`` (S,) for ``pair_potentials``
        {(i, j): potential with ``evaluate``}, i <= j (either order is accepted).
        """
        x = _check_state(mole_fractions, density)
        s = x.size
        u = self._pair_array(pair_potentials, s)
        boltz = np.exp(-u)
        gamma = np.zeros_like(u)
        rhos = density * np.arange(1, self.ramp + 1) / self.ramp
        inv_comp = [1.0]
        xx = np.outer(x, x)
        it = 0
        for rho in rhos:
            gamma, c, ck, it = self._solve_one(boltz, x, rho, gamma)
            inv_comp.append(1.0 - rho * float(np.sum(xx * self._integral(c))))
        g = np.maximum(self._closure_unit.direct(boltz, gamma) + gamma + 1.0, 0.0)
        h = g - 1.0
        hk = self._forward(h)
        s_partial = np.eye(s)[:, :, None] + _scale(x, density) * hk
        cavity = self._closure_unit.cavity(gamma)
        mayer = np.expm1(-u)
        p_vir = density
        for i in range(s):
            for j in range(s):
                part = virial_pressure_cavity(self.r, cavity[i, j], mayer[i, j], density) - density
                p_vir += x[i] * x[j] * part
        p_comp = _integrate_ramp(np.concatenate([[0.0], rhos]), np.asarray(inv_comp))
        return MixtureOZResult(self.closure, float(density), x, self.r, g, c, self.fft.k, s_partial,
                               self._integral(h), float(p_vir), p_comp, float(inv_comp[-1]), it)

    def _integral(self, f):
        """∫ f_ij d³r = 4π ∫ r² f_ij dr, shape (S, S)."""
        return 4.0 * math.pi * np.sum(self.r**2 * f, axis=-1) * self.fft.dr

    def indirect(self, r_data, g_data, mole_fractions, density: float, s_min: float = S_MIN):
        """γ_ij = h_ij − c_ij of all partial g_ij together (as :meth:`invert` takes them).

        Each g_ij is interpolated onto the solver grid up to the data's last point and taken
        as 1 beyond. C′ = H′(I + H′)⁻¹ at each k, with the eigenvalues of I + H′ (the
        Ashcroft–Langreth matrix) floored at ``s_min``: a measured g cut at a few σ can make
        S(k) small or negative at small k (one species: ĉ = ĥ/max(S, s_min), the same).

        Args:
            r_data: Distances, shape (m,) [σ].
            g_data: g_ij(r), shape (S, S, m), symmetric.

        Returns:
            ``(r, g, h − c)``: r (n′,) up to the data's range, g and h − c (S, S, n′).
        """
        x = _check_state(mole_fractions, density)
        s = x.size
        r_data = np.asarray(r_data, float)
        g_data = np.asarray(g_data, float)
        if g_data.shape != (s, s, r_data.size):
            raise InputError(f"g needs shape {(s, s, r_data.size)} for {s} species on {r_data.size} "
                             f"points, got {g_data.shape}")
        r = self.r
        inside = r <= r_data[-1]
        g = np.ones((s, s, r.size))
        for i in range(s):
            for j in range(i, s):
                g[i, j, inside] = g[j, i, inside] = np.interp(r[inside], r_data, g_data[i, j])
        h = g - 1.0
        scale = _scale(x, density)
        hp = _per_k(self._forward(h) * scale)
        lam, vec = np.linalg.eigh(np.eye(s) + hp)
        ratio = (lam - 1.0) / np.maximum(lam, s_min)  # C′ = H′ S⁻¹ on the eigenvectors of S
        cp = np.einsum("kia,ka,kja->kij", vec, ratio, vec)
        c = self._inverse(_per_pair(cp) / scale)
        return r[inside], g[:, :, inside], (h - c)[:, :, inside]

    def invert(self, r_data, g_data, mole_fractions, density: float, s_min: float = S_MIN):
        """HNC inversion of all partial g_ij: βU_ij = h_ij − c_ij − ln g_ij.

        Returns:
            ``(r, U)``: r (n′,) up to the data's range, U (S, S, n′) [k_BT], +inf where g = 0.
        """
        r, g, h_minus_c = self.indirect(r_data, g_data, mole_fractions, density, s_min)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = h_minus_c - np.log(g)
        return r, u


def mixture_b2(pair_potentials: dict, mole_fractions) -> float:
    """Second virial coefficient of a mixture, B2 = Σ_ij x_i x_j B2_ij [σ³]."""
    from .virial import b2

    x = np.asarray(mole_fractions, float)
    total = 0.0
    for i in range(x.size):
        for j in range(x.size):
            pot = pair_potentials.get((i, j), pair_potentials.get((j, i)))
            total += x[i] * x[j] * b2(pot)
    return float(total)
