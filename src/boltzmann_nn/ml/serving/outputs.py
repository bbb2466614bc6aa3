"""The files a prediction writes on request: the MD-ready table and the figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...grid import NN_GRID
from ...units import Units


def write_eos_outputs(data: dict, plot=None) -> dict:
    """Add the P(ρ) figure (network beside P0 = ρ + B2ρ²) to a ``predict_eos`` record
    (its ``to_dict()``) where ``plot`` names a PNG; returns the record.
    """
    if plot:
        from ...plots import plot_series

        order = np.argsort(data["density"])
        rho = np.asarray(data["density"])[order]
        data["plot"] = str(plot_series(
            rho, {"network": np.asarray(data["pressure"])[order],
                  "P0 = rho + B2 rho^2": np.asarray(data["P0"])[order]}, plot,
            r"$\rho\sigma^3$", r"$P\sigma^3/k_BT$", "equation of state"))
    return data


def write_potential_outputs(pred, units: Units, source: str, out=None, fmt: str | None = None,
                            plot=None) -> dict:
    """The ``predict_potential`` record with its table written to ``out`` (format ``fmt``,
    default from the suffix; in ``units``) and the figure of g(r) beside the network's
    potential and U0 = −ln g to ``plot``, where asked.
    """
    data = pred.to_dict()
    if out:
        from ...io.potential_files import format_from_suffix, write_potential

        data["out"] = str(write_potential(out, pred.table, fmt or format_from_suffix(out), units,
                                          comment=f"predicted by boltzmann-nn ({data['model']}) from "
                                                  f"{source} at rho = {data['density']:g}"))
    if plot:
        from ...plots import plot_gr_and_potentials

        data["plot"] = str(plot_gr_and_potentials(
            pred.r_g, pred.g, {"network": (NN_GRID.r, np.asarray(data["U_network"]) / units.kT),
                               "U0 (Boltzmann)": (NN_GRID.r, np.asarray(data["U0"]) / units.kT)},
            plot, f"{Path(source).name}, rho = {data['density']:.4g} {data['density_unit']}", units=units))
    return data
