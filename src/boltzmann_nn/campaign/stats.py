"""Dataset statistics: counts per density, drop reasons, the distribution of P, figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from ..io.dataset_file import open_dataset


def _reason_class(status: str, reason: str) -> str:
    if status == "failed":
        if reason.startswith("blow-up"):
            return "failed: blow-up"
        return "failed: " + reason.split(":")[0]
    return "dropped: " + (reason or "unknown")


def dataset_stats(path, plot_dir=None) -> dict:
    """Statistics of a dataset file; figures into ``plot_dir`` if given."""
    path = Path(path)
    with open_dataset(path) as h5:
        k = h5["kept"]
        dens = k["density"][:]
        pres = k["pressure"][:]
        perr = k["pressure_err"][:]
        fold = k["fold"][:]
        pot = k["potential_index"][:]
        family = ([s.decode() for s in k["family"][:]] if "family" in k else ["spline"] * dens.size)
        r_cut = k["r_cut"][:]
        d = h5["dropped"]
        d_dens = d["density"][:]
        d_status = [s.decode() for s in d["status"][:]]
        d_reason = [s.decode() for s in d["reason"][:]]
        attrs = dict(h5.attrs)
        g_r = k["g_r"][:]
        g_err = k["g_err"][:]
        extra = _fig1_data(k) if plot_dir else None
    per_density = defaultdict(lambda: {"kept": 0, "dropped": 0, "failed": 0})
    label = density_label if np.unique(np.concatenate([dens, d_dens])).size > 8 else (lambda x: f"{x:g}")
    for rho in dens:
        per_density[label(rho)]["kept"] += 1
    for rho, st in zip(d_dens, d_status):
        per_density[label(rho)]["failed" if st == "failed" else "dropped"] += 1
    reasons = Counter(_reason_class(s, r) for s, r in zip(d_status, d_reason))
    n_runs = int(dens.size + d_dens.size)
    rel = np.abs(perr / np.where(np.abs(pres) > 0, np.abs(pres), np.nan))
    mid = (g_r >= 1.0) & (g_r <= 5.0)
    out = {
        "file": str(path),
        "dataset_hash": attrs.get("dataset_hash"),
        "n_runs": n_runs,
        "n_kept": int(dens.size),
        "n_dropped": int(sum(s != "failed" for s in d_status)),
        "n_failed": int(sum(s == "failed" for s in d_status)),
        "n_potentials": int(attrs.get("n_potentials", 0)),
        "n_potentials_kept": int(np.unique(pot).size),
        "fraction_dropped": float(d_dens.size / n_runs) if n_runs else 0.0,
        "reasons": dict(reasons.most_common()),
        "per_density": dict(sorted(per_density.items(), key=lambda kv: float(kv[0].split("-")[0]))),
        "composition": composition(fold, family, r_cut, dens, pres),
        "splits": {"test": int((fold == -1).sum()),
                   **{f"fold{i}": int((fold == i).sum()) for i in range(4)}},
        "pressure": {"min": float(pres.min()), "max": float(pres.max()),
                     "quantiles": {q: float(np.quantile(pres, float(q)))
                                   for q in ("0.05", "0.25", "0.5", "0.75", "0.95")},
                     "fraction_negative": float((pres < 0).mean())},
        "pressure_rel_err_median": float(np.nanmedian(rel)),
        "pressure_rel_err_fraction_below_2pct": float(np.nanmean(rel < 0.02)),
        "g_noise_median": float(np.median(g_err[:, mid].mean(axis=1))),
        "g_noise_fraction_below_0.02": float((g_err[:, mid].mean(axis=1) < 0.02).mean()),
    }
    if plot_dir:
        out["plots"] = _figures(Path(plot_dir), dens, pres, per_density, reasons, extra)
    return out


def density_label(rho: float) -> str:
    """Density bin of width 0.2 (continuous densities)."""
    lo = min(np.floor(rho / 0.2) * 0.2, 1.0)
    return f"{lo:.1f}-{lo + 0.2:.1f}"


def composition(fold, family, r_cut, dens, pres) -> dict:
    """Runs of the test set against train+validation, by family, cutoff class, density bin
    and sign of Z − 1: a representative test set matches the whole in every row.
    """
    from .assemble import r_cut_class

    test = np.asarray(fold) == -1
    kinds = {
        "family": list(family),
        "r_cut": [r_cut_class(x) for x in r_cut],
        "density": [density_label(x) for x in dens],
        "Z": ["Z < 1" if p < d else "Z >= 1" for p, d in zip(pres, dens)],
    }
    out = {}
    for kind, labels in kinds.items():
        table = {}
        for lb in sorted(set(labels)):
            sel = np.array([x == lb for x in labels])
            table[lb] = {"test": int((sel & test).sum()), "train": int((sel & ~test).sum())}
        out[kind] = table
    return out


def _fig1_data(k):
    """Three potentials with kept runs at the most densities, for Fig. 1."""
    pot = k["potential_index"][:]
    counts = Counter(pot.tolist())
    most = max(counts.values())
    full = sorted(p for p, c in counts.items() if c == most)  # kept at the most densities
    rng = np.random.default_rng(1)
    chosen = rng.choice(full, size=min(3, len(full)), replace=False).tolist()
    rows = {p: np.nonzero(pot == p)[0] for p in chosen}
    return {
        "g_r": k["g_r"][:],
        "pots": {p: {"r": k["r_md"][idx[0]], "U": k["U_md"][idx[0]],
                     "density": k["density"][idx], "g": k["g"][idx]} for p, idx in rows.items()},
    }


def _figures(plot_dir: Path, dens, pres, per_density, reasons, extra) -> list[str]:
    from ..plots import pyplot, save_figure

    plt = pyplot()
    plot_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for i, (p, d) in enumerate(extra["pots"].items()):
        axes[0].plot(d["r"], d["U"], label=f"potential {p}", color=f"C{i}")
    axes[0].set_ylim(-8, 15)
    axes[0].set_xlabel(r"$r/\sigma$")
    axes[0].set_ylabel(r"$U/k_BT$")
    axes[0].legend()
    first = next(iter(extra["pots"].values()), None)
    for i, (p, d) in enumerate(extra["pots"].items()):
        j = int(np.argmin(d["density"]))
        axes[1].plot(extra["g_r"], d["g"][j], color=f"C{i}", label=f"{p}, rho={d['density'][j]:g}")
    axes[1].set_xlabel(r"$r/\sigma$")
    axes[1].set_ylabel(r"$g(r)$")
    axes[1].legend()
    if first is not None:
        for j in np.argsort(first["density"]):
            axes[2].plot(extra["g_r"], first["g"][j], label=f"rho = {first['density'][j]:g}")
        axes[2].set_xlabel(r"$r/\sigma$")
        axes[2].set_ylabel(r"$g(r)$, first potential")
        axes[2].legend()
    paths.append(str(save_figure(fig, plot_dir / "fig1_potentials_gr.png")))

    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    for rho in np.unique(dens):
        a.hist(pres[dens == rho], bins=40, histtype="step", label=f"rho = {rho:g}")
    a.set_yscale("log")
    a.set_xlabel(r"$P\sigma^3/k_BT$")
    a.set_ylabel("runs")
    a.legend()
    labels = list(reasons)[:8]
    b.barh(range(len(labels)), [reasons[lb] for lb in labels])
    b.set_yticks(range(len(labels)), [lb[:40] for lb in labels], fontsize=7)
    b.set_xlabel("runs")
    b.set_title("why runs were dropped")
    paths.append(str(save_figure(fig, plot_dir / "pressure_and_drops.png")))
    return paths
