"""Matplotlib figures (Agg backend); imported only when a plot is asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .units import U_CUT


def pyplot():
    """matplotlib.pyplot with the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path) -> Path:
    """Write ``fig`` as PNG to ``path`` atomically (through :func:`atomic_write`)."""
    import io

    from .io.atomic import atomic_write

    buf = io.BytesIO()
    try:
        fig.savefig(buf, dpi=130, bbox_inches="tight", format="png")
    finally:
        pyplot().close(fig)
    return atomic_write(Path(path), buf.getvalue())


def well_limits(u, u_cut: float = U_CUT) -> tuple[float, float]:
    """y-limits of a potential plot that show its well: a few times the well's depth above
    0 (at least 1 k_BT, at most ``u_cut``), the well with room below.
    """
    depth = max(-float(np.nanmin(u)), 0.0)
    if depth < 0.05:
        return -0.5, min(u_cut, 5.0)
    return -1.4 * depth, min(u_cut, max(4.0 * depth, 1.0))


def _scales(units):
    """Axis scales and labels: (length factor, energy factor, r label, U label, F label)."""
    if units is None or units.is_reduced:
        return 1.0, 1.0, r"$r/\sigma$", r"$U/k_BT$", r"$F\sigma/k_BT$"
    lu, eu = units.length_label, units.energy_label
    return units.sigma, units.kT, f"r [{lu}]", f"U [{eu}]", f"F [{eu}/{lu}]"


def plot_potential(r, u, f, path, title="", u_cut=U_CUT, units=None) -> Path:
    """U(r) and F(r) side by side (reduced arrays, drawn in ``units``), the well in view; F
    where U is in view.
    """
    plt = pyplot()
    ls, es, r_label, u_label, f_label = _scales(units)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    a.plot(np.asarray(r) * ls, np.asarray(u) * es)
    lo, hi = well_limits(u, u_cut)
    a.set_ylim(lo * es, hi * es)
    a.axhline(0, color="0.7", lw=0.8)
    a.set_xlabel(r_label)
    a.set_ylabel(u_label)
    seen = np.asarray(u) <= hi
    f_seen = np.abs(np.asarray(f)[seen]) if seen.any() else np.abs(np.asarray(f))
    fmax = float(np.nanmax(f_seen)) * 1.2 + 1e-9
    b.plot(np.asarray(r) * ls, np.asarray(f) * es / ls, color="C1")
    b.set_ylim(-fmax * es / ls, fmax * es / ls)
    b.axhline(0, color="0.7", lw=0.8)
    b.set_xlabel(r_label)
    b.set_ylabel(f_label)
    fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, path)


def structure_range(r, g) -> float:
    """The r up to which a g(r) plot shows its structure: 3.5 first-peak distances (at
    most the data's end).
    """
    r, g = np.asarray(r, float), np.asarray(g, float)
    peak = float(r[int(np.nanargmax(g))]) if r.size else 1.0
    return float(min(np.nanmax(r), 3.5 * peak)) if peak > 0 else float(np.nanmax(r))


def plot_gr_and_potentials(r_g, g, curves: dict, path, title="", u_cut=U_CUT, units=None,
                           true=None) -> Path:
    """g(r) on the left; on the right several U(r) curves (label -> (r, U)), with the true
    potential (r, U) dashed where known. Arrays in reduced units, drawn in ``units``.
    """
    plt = pyplot()
    ls, es, r_label, u_label, _ = _scales(units)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    r_show = structure_range(r_g, g)
    a.plot(np.asarray(r_g) * ls, g, color="k")
    a.axhline(1, color="0.7", lw=0.8)
    a.set_xlabel(r_label)
    a.set_ylabel(r"$g(r)$")
    lo, hi = 0.0, 1.0
    for label, (rr, uu) in curves.items():
        b.plot(np.asarray(rr) * ls, np.asarray(uu) * es, label=label)
        lo_c, hi_c = well_limits(uu, min(u_cut, 10.0))
        lo, hi = min(lo, lo_c), max(hi, hi_c)
    if true is not None:
        b.plot(np.asarray(true[0]) * ls, np.asarray(true[1]) * es, "k--", lw=1.2, label="true U")
        lo = min(lo, well_limits(true[1], min(u_cut, 10.0))[0])
    b.set_ylim(lo * es, hi * es)
    b.set_xlim(0.0, r_show * ls)
    a.set_xlim(0.0, r_show * ls)
    b.axhline(0, color="0.7", lw=0.8)
    b.set_xlabel(r_label)
    b.set_ylabel(u_label)
    b.legend()
    fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_structure(r, g, k, s, path, title="") -> Path:
    """g(r) and S(k)."""
    plt = pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    a.plot(r, g)
    a.axhline(1, color="0.7", lw=0.8)
    a.set_xlim(0, min(r[-1], 8))
    a.set_xlabel(r"$r/\sigma$")
    a.set_ylabel(r"$g(r)$")
    b.plot(k, s)
    b.axhline(1, color="0.7", lw=0.8)
    b.set_xlim(0, min(k[-1], 20))
    b.set_xlabel(r"$k\sigma$")
    b.set_ylabel(r"$S(k)$")
    fig.suptitle(title)
    return save_figure(fig, path)


def plot_series(xs, series: dict, path, xlabel="", ylabel="", title="", logy=False) -> Path:
    """Several y(x) lines (label -> y) against one x."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for label, y in series.items():
        ax.plot(xs, y, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    ax.set_title(title)
    return save_figure(fig, path)


def plot_refinement(iterations, distance, noise, pressure, pressure_err, path, title="",
                    pressure_target=None, pressure_unit: str = "k_BT/σ³") -> Path:
    """A refinement's convergence: L_MSE and its noise level (log) per iteration, and the
    pressure beside it (with the target where given); integer iteration ticks.
    """
    plt = pyplot()
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    a.semilogy(iterations, distance, "o-", color="k", label="L_MSE")
    a.semilogy(iterations, noise, "--", color="C2", label="noise level")
    a.set_xlabel("iteration")
    a.set_ylabel("L_MSE of g(r)")
    a.legend(fontsize=8)
    b.errorbar(iterations, pressure, pressure_err, fmt="o-", color="C0", label="MD")
    if pressure_target is not None:
        b.axhline(pressure_target, color="C3", ls="--", lw=1.2, label="target")
        lo, hi = b.get_ylim()
        pad = 0.05 * (max(hi, pressure_target) - min(lo, pressure_target))
        b.set_ylim(min(lo, pressure_target - pad), max(hi, pressure_target + pad))
    b.set_xlabel("iteration")
    b.set_ylabel(f"P [{pressure_unit}]")
    b.legend(fontsize=8)
    for ax in (a, b):
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_gr_comparison(r, g_target, g_run, dg_err, path, title="", labels=("target", "MD"),
                       length_unit: str = "σ") -> Path:
    """Two panels: both g(r), and their difference with its ±2σ band; r in ``length_unit``."""
    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(5.5, 5), sharex=True,
                                   gridspec_kw={"height_ratios": [2, 1]})
    ax1.plot(r, g_target, "k-", lw=1.2, label=labels[0])
    ax1.plot(r, g_run, "C1--", lw=1.2, label=labels[1])
    ax1.set_ylabel("g(r)")
    ax1.legend()
    ax1.set_title(title)
    dg = np.asarray(g_run) - np.asarray(g_target)
    band = 2.0 * np.asarray(dg_err)
    ax2.fill_between(r, -band, band, color="0.85", label="±2σ (both g)")
    ax2.plot(r, dg, "C3-", lw=1.0, label="Δg")
    ax2.axhline(0.0, color="k", lw=0.5)
    ax2.set_xlabel(f"r [{length_unit}]")
    ax2.set_ylabel("Δg")
    ax2.legend(fontsize=8)
    return save_figure(fig, path)
