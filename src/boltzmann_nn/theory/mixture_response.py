"""Linear response of every partial g_ij(r) to a change of every pair potential U_kl, by the
HNC closure of the matrix Ornstein–Zernike equation (the mixture form of
:mod:`~boltzmann_nn.theory.response`).

HNC per pair, βU_ij = h_ij − c_ij − ln g_ij; OZ in Fourier space with D = diag(ρ x_i),
Ĥ = Ĉ + Ĉ D Ĥ, so Ĉ = Ĥ (1 + DĤ)⁻¹ and, to first order,

    δĈ = A δĤ Aᵀ,   A = (1 + ĤD)⁻¹,

each δh_kl of an unordered pair entering Ĥ at (k, l) and (l, k). With γ = h − c, δγ_p =
Σ_q T_pq δh_q (T_pq = F⁻¹ diag(δ_pq − M_pq(k)) F, M the map above) and the closure
δ(βU) = δγ − δh/g, solved for δh as for one species: δg = J δ(βU), J = −(1 − G T)⁻¹ G with
G = diag(g_p). One species is the case A = 1/S(k), M = 1/S², the same operator as
:func:`~boltzmann_nn.theory.response.hnc_response`. The symmetrised matrix
1 + D^½ Ĥ D^½ is inverted on its eigenvalues above ``S_MIN`` only (as one species floors S(k)).
"""

from __future__ import annotations

import numpy as np

from .response import PAD, S_MIN, _midpoint_grid


def _response_kernel(hk: np.ndarray, pairs: list, x, density: float) -> np.ndarray:
    """M_pq(k) (shape (P, P, K)) from the partial ĥ_p(k) (shape (P, K))."""
    x = np.asarray(x, float)
    s = x.size
    rho_half = np.sqrt(density * x)
    h = np.zeros((hk.shape[1], s, s))
    for p, (i, j, _) in enumerate(pairs):
        h[:, i, j] = h[:, j, i] = hk[p]
    sym = np.eye(s) + rho_half[:, None] * h * rho_half[None, :]
    lam, vec = np.linalg.eigh(sym)
    inv = np.where(lam > S_MIN, 1.0 / np.where(lam > S_MIN, lam, 1.0), 0.0)
    s_inv = np.einsum("kab,kb,kcb->kac", vec, inv, vec)
    a = s_inv * (rho_half[None, None, :] / rho_half[None, :, None])  # D^-½ S̃⁻¹ D^½
    m = np.zeros((len(pairs), len(pairs), hk.shape[1]))
    for p, (i, j, _) in enumerate(pairs):
        for q, (k, l, _) in enumerate(pairs):
            m[p, q] = a[:, i, k] * a[:, j, l] + (a[:, i, l] * a[:, j, k] if k != l else 0.0)
    return m


def mixture_hnc_response(r_bins, g: np.ndarray, pairs: list, x, density: float, pad: int = PAD) -> np.ndarray:
    """J with δg_p = Σ_q J[p, :, q, :] δ(βU_q) on the histogram bins, linearised at ``g``.

    Args:
        r_bins: Bin midpoints (i + ½)Δr, shape (n,) [σ].
        g: Partial g_p(r) of the unordered pairs, shape (P, n), in the order of ``pairs``.
        pairs: (i, j, name) per unordered pair (:meth:`~boltzmann_nn.mixture.system.Composition.pairs`).
        x: Mole fractions, shape (S,).
        density: Total number density [σ⁻³].

    Returns:
        Shape (P, n, P, n) [1/k_BT].
    """
    r, dr = _midpoint_grid(r_bins)
    g = np.maximum(np.asarray(g, float), 0.0)
    n_pairs, n = g.shape
    big = pad * n
    rr = (np.arange(big) + 0.5) * dr
    k = (np.arange(big) + 0.5) * np.pi / (big * dr)
    sines = np.sin(np.outer(k, rr[:n]))  # (big, n)
    hk = 4.0 * np.pi * dr / k * (((g - 1.0) * r) @ sines.T)  # (P, big)
    m = _response_kernel(hk, pairs, x, density)
    dk = np.pi / (big * dr)
    scale = (2.0 * dk * dr / np.pi) * (r[None, :] / r[:, None])
    t = np.zeros((n_pairs, n, n_pairs, n))
    for p in range(n_pairs):
        for q in range(n_pairs):
            kern = (1.0 if p == q else 0.0) - m[p, q]
            t[p, :, q, :] = (sines.T * kern) @ sines * scale
    size = n_pairs * n
    gflat = g.reshape(size)
    a = np.eye(size) - gflat[:, None] * t.reshape(size, size)
    return -np.linalg.solve(a, np.diag(gflat)).reshape(n_pairs, n, n_pairs, n)
