"""Accuracy measures of the paper and the scale-free ones we add.

Pressure
    MRAE = ⟨|P̂ − P| / max(|P|, P_FLOOR)⟩. The floor (0.01 k_BT/σ³) keeps the ratio
    finite where P ≈ 0; the number of floored samples is reported with it.
    ΔZ = ⟨|P̂ − P| / ρ⟩, the mean absolute error of the compressibility factor Z = βP/ρ:
    scale-free (it compares with the ideal-gas pressure) and defined everywhere.
    R² = 1 − Σ(P̂ − P)² / Σ(P − P̄)².

Potential
    Per sample L_MSE and L_MAE over the points where U <= U_cut (the sliced region),
    ⟨·⟩ over samples, and the width δ of an exponential fit p(L_MAE) ∝ exp(−L_MAE/δ) to
    the histogram (Fig. 8), with the maximum-likelihood value (the mean) beside it.
"""

from __future__ import annotations

import numpy as np

from ...units import U_CUT

P_FLOOR = 0.01


def eos_metrics(p, p_hat, density) -> dict:
    p, p_hat, rho = (np.asarray(a, float) for a in (p, p_hat, density))
    err = np.abs(p_hat - p)
    denom = np.maximum(np.abs(p), P_FLOOR)
    ss_tot = float(np.sum((p - p.mean()) ** 2))
    return {
        "n": int(p.size),
        "MRAE": float(np.mean(err / denom)),
        "median_RAE": float(np.median(err / denom)),
        "n_floored": int(np.sum(np.abs(p) < P_FLOOR)),
        "dZ": float(np.mean(err / rho)),
        "R2": float(1 - np.sum((p_hat - p) ** 2) / ss_tot) if ss_tot > 0 else float("nan"),
        "MAE": float(np.mean(err)),
    }


def potential_errors(u, u_hat, u_cut: float = U_CUT) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample (L_MSE, L_MAE) over the points with U <= u_cut; shapes (n,)."""
    u, u_hat = np.atleast_2d(u), np.atleast_2d(u_hat)
    mask = u <= u_cut
    d = np.where(mask, u_hat - u, 0.0)
    cnt = np.maximum(mask.sum(axis=1), 1)
    return (d**2).sum(axis=1) / cnt, np.abs(d).sum(axis=1) / cnt


def exponential_width(values, bins: int = 20) -> dict:
    """Fit p(x) ∝ exp(−x/δ) to a histogram of ``values`` (x >= 0).

    Returns:
        ``delta`` (least squares on log counts of non-empty bins, weighted by √count),
        ``delta_err`` (its asymptotic standard error), ``delta_mle`` (the mean), ``ks_p``
        (Kolmogorov–Smirnov p-value of the values against an exponential of that mean) and
        ``fits`` (``ks_p >= 0.05``; a δ that does not fit says little).
    """
    from scipy.stats import kstest

    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    out = {"delta_mle": float(x.mean()) if x.size else float("nan")}
    if x.size >= 5 and x.mean() > 0:
        out["ks_p"] = float(kstest(x, "expon", args=(0.0, x.mean())).pvalue)
        out["fits"] = bool(out["ks_p"] >= 0.05)
    if x.size < 5:
        return {"delta": float("nan"), "delta_err": float("nan"), **out}
    hi = np.quantile(x, 0.98)
    counts, edges = np.histogram(x, bins=bins, range=(0.0, hi))
    centres = 0.5 * (edges[1:] + edges[:-1])
    ok = counts > 0
    if ok.sum() < 3:
        return {"delta": out["delta_mle"], "delta_err": float("nan"), **out}
    w = np.sqrt(counts[ok])
    coef, cov = np.polyfit(centres[ok], np.log(counts[ok]), 1, w=w, cov="unscaled")
    slope = coef[0]
    delta = -1.0 / slope if slope < 0 else float("inf")
    delta_err = float(np.sqrt(cov[0, 0]) / slope**2) if slope < 0 else float("nan")
    return {"delta": float(delta), "delta_err": delta_err, **out}


def potential_metrics(u, u_hat) -> dict:
    mse, mae = potential_errors(u, u_hat)
    n = mse.size
    return {
        "n": int(n),
        "L_MSE": float(mse.mean()), "L_MSE_se": float(mse.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0,
        "L_MAE": float(mae.mean()), "L_MAE_se": float(mae.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0,
        "L_MAE_max": float(mae.max()) if n else float("nan"),
        **{f"L_MAE_{k}": v for k, v in exponential_width(mae).items()},
    }


def mean_se(values) -> tuple[float, float]:
    """Mean and standard error of the mean (over folds)."""
    v = np.asarray(values, float)
    return float(v.mean()), float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else 0.0


def structure_errors(u, u_hat, metric, u_cut: float = U_CUT) -> np.ndarray:
    """Per-sample first-order L_MSE(g, ĝ) of a potential off by Û − U (both capped at
    ``u_cut``), with the runs' :func:`~boltzmann_nn.theory.response.structure_metric`
    (n, m, m); shape (n,).
    """
    d = np.minimum(np.atleast_2d(u_hat), u_cut) - np.minimum(np.atleast_2d(u), u_cut)
    return np.maximum(np.einsum("bi,bij,bj->b", d, metric, d), 0.0)


def structure_summary(q) -> dict:
    """``L_g_lin`` (mean), ``L_g_lin_median`` and the fraction at or below 5·10⁻⁴ (the top
    of the paper's Fig. 10 range) of per-sample first-order L_MSE(g, ĝ).
    """
    q = np.asarray(q, float)
    return {"L_g_lin": float(q.mean()), "L_g_lin_median": float(np.median(q)),
            "L_g_lin_le_5e-4": float(np.mean(q <= 5e-4))}
