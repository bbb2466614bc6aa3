"""Loss functions of paper §2.1 (Eqs. 1–8).

Basic losses on a residual d = y − ŷ: SE d², AE |d|, LE ln cosh d. A vector loss is the
mean over its entries (Eq. 4). The potential loss (Eq. 5)

    L_U = L_MLE + α_Δ L_Δ + Σ_{k=1}^{4} α^k L_k,

with the discrete Laplacian term L_Δ (Eq. 6) and the k-spaced difference terms L_k
(Eq. 7), is *sliced*: entries where the target exceeds U_cut = 20 k_BT do not count, and a
difference or Laplacian term counts only when every point it touches counts.
"""

from __future__ import annotations

import math

import torch

from ...units import U_CUT


def l_se(d):
    return d * d


def l_ae(d):
    return d.abs()


def l_le(d):
    """Ln cosh d, computed stably as |d| + log1p(exp(−2|d|)) − ln 2."""
    a = d.abs()
    return a + torch.log1p(torch.exp(-2.0 * a)) - math.log(2.0)


BASIC = {"SE": l_se, "AE": l_ae, "LE": l_le}


def masked_mean(values, mask):
    """Mean of ``values`` over ``mask`` (same shape), per sample then over the batch."""
    mask = mask.to(values.dtype)
    per = (values * mask).sum(dim=-1) / mask.sum(dim=-1).clamp(min=1.0)
    return per.mean()


def _pointwise(y, y_hat, basic, mask):
    return masked_mean(BASIC[basic](y - y_hat), mask)


def laplace_term(y, y_hat, basic="SE", mask=None):
    """L_Δ (Eq. 6): loss of the second differences y_{i+2} − 2y_{i+1} + y_i."""
    lap = y[..., 2:] - 2 * y[..., 1:-1] + y[..., :-2]
    lap_hat = y_hat[..., 2:] - 2 * y_hat[..., 1:-1] + y_hat[..., :-2]
    if mask is None:
        m = torch.ones_like(lap, dtype=torch.bool)
    else:
        m = mask[..., 2:] & mask[..., 1:-1] & mask[..., :-2]
    return masked_mean(BASIC[basic](lap - lap_hat), m)


def difference_term(y, y_hat, k: int, basic="SE", mask=None):
    """L_k (Eq. 7): loss of the differences y_{i+k} − y_i."""
    d = y[..., k:] - y[..., :-k]
    d_hat = y_hat[..., k:] - y_hat[..., :-k]
    m = torch.ones_like(d, dtype=torch.bool) if mask is None else mask[..., k:] & mask[..., :-k]
    return masked_mean(BASIC[basic](d - d_hat), m)


def potential_loss(u, u_hat, *, force_terms: bool = True, basic: str = "LE", alpha_laplace: float = 2.0,
                   alpha: float = 1.0, k_max: int = 4, u_cut: float = U_CUT):
    """L_U of Eq. 5, sliced at ``u_cut``; without ``force_terms`` only L_MLE.

    Args:
        u: Target potentials, shape (b, n) [k_BT].
        u_hat: Predictions, shape (b, n) [k_BT].
    """
    mask = u <= u_cut
    loss = _pointwise(u, u_hat, basic, mask)
    if force_terms:
        loss = loss + alpha_laplace * laplace_term(u, u_hat, basic, mask)
        for k in range(1, k_max + 1):
            loss = loss + alpha**k * difference_term(u, u_hat, k, basic, mask)
    return loss


def relative_pressure_loss(p, p_hat, density, basic: str = "LE", sharpness: float = 20.0):
    """Loss on the relative pressure error d = (P̂ − P)/(|P| + 0.1ρ).

    With LE and ``sharpness`` s the loss is ln cosh(s·d)/s: quadratic for |d| ≪ 1/s and
    ~|d| (the MRAE) beyond. The 0.1ρ keeps it finite where P ≈ 0.
    """
    d = (p_hat - p) / (p.abs() + 0.1 * density)
    return BASIC[basic](sharpness * d).mean() / sharpness


def pressure_consistency_loss(u, u_hat, weights, scale, basic: str = "LE", sharpness: float = 20.0,
                              u_cut: float = U_CUT):
    """Loss on the relative change of the virial pressure, at the run's own g, that the
    error of Û makes: d = Σ_j w_j (Û_j − U_j) / scale (weights of
    :func:`~boltzmann_nn.ml.tasks.features.virial_weights`; points with U > u_cut, where g ≈ 0,
    left out). g(r) hardly constrains U's tail, and a tail off by a few 0.01 k_BT moves P
    by O(1); this term asks Û to keep the pressure that made g.

    Args:
        u, u_hat: Target and prediction, shape (b, n) [k_BT].
        weights: Shape (b, n) [k_BT⁻¹ · k_BT/σ³].
        scale: Pressure scale per run, shape (b,), for example |P| + 0.1ρ.
    """
    du = torch.where(u <= u_cut, u_hat - u, torch.zeros_like(u))
    d = (weights * du).sum(dim=1) / scale
    return BASIC[basic](sharpness * d).mean() / sharpness


#: Scale of the RMS g(r) error in :func:`structure_loss`: quadratic below, linear above.
G_ERROR_SCALE = 0.02


def structure_loss(u, u_hat, metric, basic: str = "LE", scale: float = G_ERROR_SCALE, u_cut: float = U_CUT):
    """Loss on the g(r) error that the error of Û makes, to first order: per run the RMS
    δg = (δUᵀ M δU)^½ with δU = min(Û, U_cut) − min(U, U_cut) and M the run's
    :func:`~boltzmann_nn.theory.response.structure_metric` (the HNC linear response at its
    own g(r)); ``basic`` of δg / ``scale``, averaged over runs. Errors where g ≈ 0 (the core)
    or where the structure does not respond cost nothing here; the U loss keeps those.

    Args:
        u, u_hat: Target and prediction, shape (b, n) [k_BT].
        metric: Shape (b, n, n) [k_BT⁻²].
    """
    d = torch.minimum(u_hat, torch.full_like(u_hat, u_cut)) - torch.minimum(u, torch.full_like(u, u_cut))
    q = torch.einsum("bi,bij,bj->b", d, metric, d).clamp(min=0.0)
    return BASIC[basic](torch.sqrt(q + 1e-12) / scale).mean()
