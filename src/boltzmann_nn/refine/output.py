"""What a finished refinement leaves in its folder: the final table (CSV and an MD
format), the convergence plot, the final g(r) against the target, and ``summary.json``.
"""

from __future__ import annotations

from pathlib import Path

from ..io.atomic import atomic_write_json
from ..io.potential_files import TABLE_FORMATS, write_gr_csv, write_potential
from ..units import Units
from .compare import compare
from .loop import RefineResult
from .target import Target


def write_outputs(res: RefineResult, target: Target, units: Units, out: Path, fmt: str = "lammps",
                  start: str = "") -> dict:
    """Write the final files into ``out`` and return the JSON summary (user units)."""
    from ..plots import plot_gr_comparison, plot_refinement

    table = res.table
    if res.alternative:
        start = f"{start} (its first run made another fluid; iteration 1 simulated {res.alternative})"
    comment = (f"refined from {start} by {res.settings['method']} against {target.source} at "
               f"rho = {units.density(target.density):g} {units.density_label}; iteration {res.best}; "
               f"{res.reason}")
    csv_path = write_potential(out / "final.csv", table, "csv", units, comment)
    suffix = TABLE_FORMATS[fmt].suffixes[0]
    md_path = csv_path if fmt == "csv" else write_potential(out / f"final{suffix}", table, fmt, units, comment)
    its = res.iterations
    cmp_ = [it.comparison for it in its]
    xs = [it.iteration for it in its]
    target_p = res.settings.get("pressure")
    plot = plot_refinement(
        xs, [c.l_mse for c in cmp_], [c.noise_mse for c in cmp_],
        [units.pressure(it.run.pressure) for it in its], [units.pressure(it.run.pressure_err) for it in its],
        out / "convergence.png",
        f"refinement ({res.settings['method']})", None if target_p is None else units.pressure(target_p),
        units.pressure_label)
    data = {
        "iterations": len(its), "converged": res.converged, "reason": res.reason, "best": res.best,
        "distance": [c.l_mse for c in cmp_], "chi2": [c.chi2 for c in cmp_],
        "noise": [c.noise_mse for c in cmp_], "steps": [it.run.steps for it in its],
        "md_steps": res.md_steps, "wall_s": res.wall_s, "alternative_start": res.alternative,
        "pressure": [units.pressure(it.run.pressure) for it in its],
        "pressure_err": [units.pressure(it.run.pressure_err) for it in its],
        "pressure_unit": units.pressure_label,
        "pressure_bar": [units.pressure_bar(it.run.pressure) for it in its],
        "table": str(csv_path), "table_md": str(md_path), "format": fmt, "plot": str(plot),
        "units": units.header(), "target": target.source, "density": float(units.density(target.density)),
        "density_reduced": target.density,
        "history": res.history(),
    }
    if res.settings.get("pressure") is not None:
        data["pressure_target"] = units.pressure(res.settings["pressure"])
        data["pressure_ok"] = [it.pressure_check is not None and it.pressure_check.ok for it in its]
    data["r"], data["g"] = units.length(res.r_last).tolist(), res.g_last.tolist()
    data["r_final"] = units.length(res.r).tolist()
    data["g_final"] = res.g.tolist()
    if res.g.size:
        c = compare(target, res.r, res.g, res.g_err)
        data["plot_gr"] = str(plot_gr_comparison(
            units.length(c.r), c.g_target, c.g_run, c.dg_err, out / "gr.png",
            f"iteration {res.best}: L_MSE = {c.l_mse:.2e} (noise {c.noise_mse:.1e})",
            labels=("target", "MD of final table"), length_unit=units.length_label))
        data["gr_file"] = str(write_gr_csv(out / "final_gr.csv", res.r, res.g, "MD of the final table",
                                           units, extra={"g_err": res.g_err}))
    atomic_write_json(out / "summary.json", data, indent=1)
    return data

