"""What a validation leaves behind: its record in the user's units and, where asked, the
run's g(r) (``gr.csv``), a plot of both g(r) and their difference (``comparison.png``)
and the record itself (``validation.json``).
"""

from __future__ import annotations

from pathlib import Path

from .io.atomic import atomic_write_json
from .io.potential_files import write_gr_csv
from .units import Units


def validation_record(val, target, units: Units) -> dict:
    """The JSON record of a :class:`~boltzmann_nn.refine.validate.Validation` of ``target``:
    its summary, with r and the pressure in the user's units (length unit; energy unit /
    length unit³) and the target's source.
    """
    data = val.to_dict()
    data["r"] = units.length(val.comparison.r).tolist()
    data.update(pressure=units.pressure(val.pressure), pressure_err=units.pressure(val.pressure_err),
                pressure_unit=units.pressure_label, units=units.header(), target=target.source,
                target_err_estimated=target.err_estimated)
    return data


def write_validation_outputs(val, target, units: Units, out_dir=None, plot=None) -> dict:
    """Write what a validation leaves and return its record with the paths written.

    Args:
        val: The validation (:func:`boltzmann_nn.refine.validate.validate`).
        target: The target it compared with (:class:`boltzmann_nn.refine.target.Target`).
        units: The user's units (files and record are written in them).
        out_dir: Folder for gr.csv, comparison.png and validation.json; None writes none
            of them.
        plot: PNG of both g(r) and their difference (default with ``out_dir``:
            ``out_dir/comparison.png``).
    """
    data = validation_record(val, target, units)
    if out_dir is not None:
        out = Path(out_dir)
        res = val.result
        data["gr_file"] = str(write_gr_csv(out / "gr.csv", res.r, res.g, f"MD at rho = {target.density:g}",
                                           units, extra={"g_err": res.g_err}))
        plot = plot or out / "comparison.png"
        data["result_file"] = str(out / "validation.json")
    if plot:
        from .plots import plot_gr_comparison

        c = val.comparison
        data["plot"] = str(plot_gr_comparison(
            units.length(c.r), c.g_target, c.g_run, c.dg_err, plot,
            f"L_MSE = {c.l_mse:.2e} (noise {c.noise_mse:.1e}), P = {units.pressure(val.pressure):.4g} "
            f"{units.pressure_label}", length_unit=units.length_label))
    if out_dir is not None:
        atomic_write_json(Path(out_dir) / "validation.json", data)
    return data
