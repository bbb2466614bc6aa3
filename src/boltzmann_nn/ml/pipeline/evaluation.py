"""Evaluation we trust: per-sample errors of a model and its baselines on the same samples,
summarised by mean and median with 95 % intervals from a bootstrap that resamples whole
potentials (runs of one potential at several densities are not independent), ratios to
the baselines with their intervals, tables per stratum (density, range, core), and the
calibration of the ensemble spread (how often |error| <= 2·spread).
"""

from __future__ import annotations

import numpy as np

N_BOOT = 2000
#: The ensemble spread above this quantile of the test set's marks an input as out of the
#: training distribution (the model card keeps the threshold as ``spread_ood``).
OOD_QUANTILE = 0.99


def sample_spread(u, spread):
    """Per-sample mean ensemble spread of Û over the grid points with U <= U_cut (inputs of
    unknown U: pass U = Û).
    """
    from ...units import U_CUT

    mask = np.asarray(u) <= U_CUT
    return np.where(mask, spread, 0.0).sum(axis=-1) / np.maximum(mask.sum(axis=-1), 1)


def _group_index(groups):
    _, inverse = np.unique(np.asarray(groups), return_inverse=True)
    return [np.nonzero(inverse == g)[0] for g in range(inverse.max() + 1)] if inverse.size else []


def bootstrap(errors: dict, groups, n_boot: int = N_BOOT, seed: int = 0, references=()) -> dict:
    """Mean and median of each per-sample error array with grouped-bootstrap 95 % intervals,
    and the ratio of each mean to each of ``references``' means (same resamples).

    Args:
        errors: name -> per-sample errors, each shape (n,), on the same samples.
        groups: Group label per sample (the potential), shape (n,).
    """
    members = _group_index(groups)
    rng = np.random.default_rng(seed)
    names = list(errors)
    arrays = {k: np.asarray(v, float) for k, v in errors.items()}
    draws = {k: {"mean": [], "median": []} for k in names}
    ratio_draws = {(k, ref): [] for k in names for ref in references}
    for _ in range(n_boot if members else 0):
        pick = np.concatenate([members[i] for i in rng.integers(0, len(members), len(members))])
        means = {k: float(np.mean(arrays[k][pick])) for k in names}
        for k in names:
            draws[k]["mean"].append(means[k])
            draws[k]["median"].append(float(np.median(arrays[k][pick])))
            for ref in references:
                ratio_draws[k, ref].append(means[k] / means[ref] if means[ref] else np.nan)
    out = {}
    for k in names:
        a = arrays[k]
        row = {"n": int(a.size), "n_potentials": len(members), "mean": float(np.mean(a)) if a.size else np.nan,
               "median": float(np.median(a)) if a.size else np.nan}
        for stat in ("mean", "median"):
            row[f"{stat}_ci"] = _interval(draws[k][stat])
        for ref in references:
            ref_mean = float(np.mean(arrays[ref])) if arrays[ref].size else np.nan
            row[f"ratio_to_{ref}"] = row["mean"] / ref_mean if ref_mean else np.nan
            row[f"ratio_to_{ref}_ci"] = _interval(ratio_draws[k, ref])
        out[k] = row
    return out


def _interval(values) -> list:
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return [float(np.quantile(v, 0.025)), float(np.quantile(v, 0.975))] if v.size else [np.nan, np.nan]


def by_stratum(errors: dict, groups, labels, references=(), n_boot: int = 500) -> dict:
    """:func:`bootstrap` within each stratum (``labels``: one label per sample)."""
    labels = np.asarray(labels)
    out = {}
    for lab in sorted(set(labels.tolist()), key=str):
        sel = labels == lab
        out[str(lab)] = bootstrap({k: np.asarray(v)[sel] for k, v in errors.items()}, np.asarray(groups)[sel],
                                  n_boot=n_boot, references=references)
    return out


def coverage(abs_error, spread, k: float = 2.0) -> dict:
    """How often |error| <= k·spread, and the median ratio |error|/spread."""
    e = np.asarray(abs_error, float).ravel()
    s = np.asarray(spread, float).ravel()
    ok = np.isfinite(e) & np.isfinite(s)
    e, s = e[ok], s[ok]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(s > 0, e / s, np.inf)
    return {"k": k, "coverage": float(np.mean(e <= k * s)) if e.size else np.nan,
            "median_error_over_spread": float(np.median(ratio)) if e.size else np.nan, "n": int(e.size)}


def spread_scale(abs_error, spread, k: float = 2.0, level: float = 0.95) -> float:
    """The factor c with |error| <= k·c·spread for a fraction ``level`` of the samples
    (calibration of an ensemble's spread on data its members did not learn).
    """
    e = np.asarray(abs_error, float).ravel()
    s = np.asarray(spread, float).ravel()
    ok = np.isfinite(e) & np.isfinite(s)
    ratio = e[ok] / (k * np.maximum(s[ok], 1e-12))
    return float(max(np.quantile(ratio, level), 1e-3)) if ratio.size else 1.0


def strata(ds, idx) -> dict:
    """Stratum labels of the samples ``idx``: density, cutoff range, core, and the
    potential family where the dataset has more than one.
    """
    rho = ds.density[idx]
    rc = ds.r_cut[idx]
    fam = {} if ds.family is None or np.unique(ds.family).size < 2 else {"family": ds.family[idx]}
    return {**fam,
        "density": np.array([f"{x:.3g}" for x in rho]) if np.unique(rho).size <= 8 else
        np.array(["<0.3" if x < 0.3 else "0.3-0.7" if x < 0.7 else ">=0.7" for x in rho]),
        "r_cut": np.array(["<=2.5" if x <= 2.5 else "2.5-4" if x <= 4 else ">4" for x in rc]),
        "core": np.where(ds.has_core[idx], "core", "soft"),
    }


def markdown(title: str, table: dict, metric: str, references=()) -> str:
    """A table of :func:`bootstrap` (or, nested, :func:`by_stratum`) results."""
    head = f"| | model | n (potentials) | mean {metric} [95 % CI] | median [95 % CI] |"
    head += "".join(f" mean / {ref} [95 % CI] |" for ref in references)
    lines = [f"### {title}", "", head, "|---" * (5 + len(references)) + "|"]
    nested = all(isinstance(v, dict) and "mean" not in v for v in table.values())
    for lab, rows in (table.items() if nested else [("all", table)]):
        for name, r in rows.items():
            line = (f"| {lab} | {name} | {r['n']} ({r['n_potentials']}) | {r['mean']:.3g} "
                    f"[{r['mean_ci'][0]:.3g}, {r['mean_ci'][1]:.3g}] | {r['median']:.3g} "
                    f"[{r['median_ci'][0]:.3g}, {r['median_ci'][1]:.3g}] |")
            for ref in references:
                ci = r[f"ratio_to_{ref}_ci"]
                line += f" {r[f'ratio_to_{ref}']:.3g} [{ci[0]:.3g}, {ci[1]:.3g}] |"
            lines.append(line)
    return "\n".join(lines) + "\n"


def honest_eos(ds, idx, p_members, scale: float = 1.0) -> tuple[dict, str]:
    """The EOS evaluation on samples ``idx``: relative pressure errors of the ensemble mean
    and of P0 = ρ + B2ρ² (the same samples), overall and per stratum (and per Z < 1), with
    the ensemble's coverage. ``p_members``: shape (members, len(idx)); ``scale``: the
    spread's calibration factor (the model card's ``spread_scale``).
    """
    from ...theory.virial import low_density_pressure
    from .metrics import P_FLOOR

    p = ds.pressure[idx]
    p_hat = np.mean(p_members, axis=0)
    spread = scale * np.std(p_members, axis=0)
    denom = np.maximum(np.abs(p), P_FLOOR)
    p0 = low_density_pressure(ds.density[idx], ds.b2[idx])
    errors = {"network": np.abs(p_hat - p) / denom, "P0": np.abs(p0 - p) / denom}
    groups = ds.potential[idx]
    labels = strata(ds, idx)
    labels["Z<1"] = np.where(p / ds.density[idx] < 1.0, "Z<1", "Z>=1")
    out = {"overall": bootstrap(errors, groups, references=("P0",)),
           "strata": {k: by_stratum(errors, groups, v, references=("P0",)) for k, v in labels.items()},
           "coverage": coverage(np.abs(p_hat - p), spread),
           "spread_ood": float(np.quantile(spread / np.maximum(np.abs(p_hat), P_FLOOR), OOD_QUANTILE))}
    text = markdown("EOS, test set: relative pressure error", out["overall"], "RAE", ("P0",))
    for k, table in out["strata"].items():
        text += "\n" + markdown(f"by {k}", table, "RAE", ("P0",))
    c = out["coverage"]
    text += (f"\nEnsemble spread (calibration factor {scale:.3g}): "
             f"|P̂ − P| <= 2·spread in {c['coverage']:.0%} of {c['n']} test samples "
             f"(median |error|/spread {c['median_error_over_spread']:.3g}).\n")
    return out, text


def honest_inverse(ds, idx, u_members, baselines: dict, scale: float = 1.0) -> tuple[dict, str]:
    """The inverse evaluation on samples ``idx``: L_MAE of the ensemble mean and of each
    baseline on the same samples, ratios to Boltzmann and HNC inversion, per stratum, and
    the coverage of the ensemble spread over the grid points with U <= U_cut.
    ``u_members``: shape (members, len(idx), 50).
    """
    from ...units import U_CUT
    from .metrics import exponential_width, potential_errors

    u = ds.u[idx]
    u_hat = np.mean(u_members, axis=0)
    spread = scale * np.std(u_members, axis=0)
    errors = {"network": potential_errors(u, u_hat)[1],
              **{k: potential_errors(u, v)[1] for k, v in baselines.items()}}
    refs = tuple(k for k in ("Boltzmann", "HNC") if k in errors)
    groups = ds.potential[idx]
    out = {"overall": bootstrap(errors, groups, references=refs),
           "strata": {k: by_stratum(errors, groups, v, references=refs) for k, v in strata(ds, idx).items()},
           "coverage": coverage(np.abs(u_hat - u)[u <= U_CUT], spread[u <= U_CUT]),
           "exponential_width": {k: exponential_width(v) for k, v in errors.items()},
           "spread_ood": float(np.quantile(sample_spread(u, spread), OOD_QUANTILE))}
    text = markdown("Inverse, test set: L_MAE [k_BT]", out["overall"], "L_MAE", refs)
    for k, table in out["strata"].items():
        text += "\n" + markdown(f"by {k}", table, "L_MAE", refs)
    c = out["coverage"]
    text += (f"\nEnsemble spread (calibration factor {scale:.3g}): "
             f"|Û − U| <= 2·spread at {c['coverage']:.0%} of {c['n']} test grid points "
             f"with U <= U_cut (median |error|/spread {c['median_error_over_spread']:.3g}).\n")
    widths = ", ".join(f"{k} {v['delta']:.3g}" + ("" if v.get("fits", True) else
                                                  f" (not exponential: KS p = {v['ks_p']:.2g})")
                       for k, v in out["exponential_width"].items())
    text += f"\nWidth δ of an exponential fit to p(L_MAE), beside the means above: {widths} k_BT.\n"
    return out, text
