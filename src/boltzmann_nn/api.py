"""The Python API behind the command line: each function does one job and returns a
JSON-able dict (arrays as lists), writing files only where asked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import InputError
from .grid import NN_GRID
from .io.gr import read_gr
from .io.potential_files import WRITE_FORMATS, format_from_suffix, write_gr_csv, write_potential
from .potentials.spec import parse_potential
from .potentials.table import PairTable
from .theory.inversion import extend_core, invert
from .theory.oz import OZSolver
from .theory.virial import virial_summary
from .units import U_CUT, Units, check_density


def _potential(spec):
    return parse_potential(spec) if isinstance(spec, str) else spec


def _check_density(density: float, what: str = "density") -> float:
    return check_density(density, what)


def tabulate(spec, *, n: int = 1000, r_min: float | None = None, out=None, fmt: str | None = None,
             plot=None, units: Units | None = None) -> dict:
    """Tabulate a potential on [r_min, r_cut]; write it (LAMMPS, VOTCA, CSV) if asked.

    Returns:
        Dict with ``r``, ``U``, ``F``, the 50-point network-grid view (``nn``), the
        description and the written paths.
    """
    pot = _potential(spec)
    if not np.isfinite(pot.r_cut):
        raise InputError("a table needs a finite cutoff (rcut=inf is for virial coefficients)")
    if not 5 <= n <= 10**6:
        raise InputError(f"a table needs 5 to 10^6 points, got {n}")
    if r_min is not None and not (np.isfinite(r_min) and 0 <= r_min < pot.r_cut):
        raise InputError(f"--r-min must lie in [0, r_cut = {pot.r_cut:g}), got {r_min}")
    table = pot if isinstance(pot, PairTable) and r_min is None else pot.tabulate(n, r_min=r_min)
    nn = table.on_grid(NN_GRID)
    out_info = {}
    if out is not None:
        fmt = fmt or format_from_suffix(out)
        if fmt not in WRITE_FORMATS:
            raise InputError(f"unknown format {fmt!r}; use one of {WRITE_FORMATS}")
        out_info["out"] = str(write_potential(out, table, fmt, units))
        out_info["format"] = fmt
    if plot is not None:
        from .plots import plot_potential

        out_info["plot"] = str(plot_potential(table.r, table.U, table.F, plot, table.name))
    return {
        "potential": pot.describe(),
        "r_cut": table.r_cut,
        "r": table.r.tolist(),
        "U": table.U.tolist(),
        "F": table.F.tolist(),
        "nn_grid": {"r": NN_GRID.r.tolist(), "U": nn[0].tolist(), "F": nn[1].tolist(),
                    "U_capped": np.minimum(nn[0], U_CUT).tolist()},
        **out_info,
    }


def virial(spec, densities=()) -> dict:
    """B2, B3 and the low-density pressures P0 = ρ + B2ρ² (and with B3) at ``densities``."""
    pot = _potential(spec)
    for d in densities:
        _check_density(d)
    return {"potential": pot.describe(), **virial_summary(pot, densities)}


def solve_oz(spec, density: float, closure: str = "hnc", *, out=None, plot=None) -> dict:
    """Ornstein–Zernike with HNC or PY: g(r), S(k), virial and compressibility pressures."""
    pot = _potential(spec)
    _check_density(density)
    res = OZSolver(closure).solve(pot, density)
    keep = res.r <= max(10.0, min(3 * pot.r_cut, 20.0)) if np.isfinite(pot.r_cut) else res.r <= 20
    info = {}
    if out is not None:
        info["out"] = str(write_gr_csv(out, res.r[keep], res.g[keep],
                                       f"OZ/{closure.upper()} at rho = {density:g}"))
    if plot is not None:
        from .plots import plot_structure

        info["plot"] = str(plot_structure(res.r, res.g, res.k, res.s, plot,
                                          f"OZ/{closure.upper()}, rho = {density:g}"))
    d = res.to_dict()
    d.update(r=res.r[keep].tolist(), g=res.g[keep].tolist(), potential=pot.describe(), **info)
    kk = res.k <= 30
    d.update(k=res.k[kk].tolist(), S=res.s[kk].tolist())
    return d


def invert_gr(path, density: float, method: str = "boltzmann", *, out=None, fmt=None,
              plot=None, units: Units | None = None, fmt_in: str | None = None) -> dict:
    """Effective potential from a g(r) file by Boltzmann or HNC inversion.

    The result is capped at U_cut = 20 k_BT where g is (nearly) zero; the written table
    has that core replaced by a smooth monotonic repulsion (:func:`extend_core`).
    """
    units = units or Units()
    if not (density > 0) or not np.isfinite(density):
        raise InputError(f"density must be > 0, got {density}")
    rdf = read_gr(path, fmt_in)
    r = units.to_reduced_length(rdf.r)
    rho = _check_density(units.to_reduced_density(density))
    if r.size < 5:
        raise InputError("too few points", str(path))
    u = invert(r, rdf.g, rho, method)
    r_t, u_t, f_t = extend_core(r, u)
    table = PairTable(r_t, u_t, f_t, name=f"{method}-inversion", source=str(path), check_force=False)
    info = {}
    if out is not None:
        fmt = fmt or format_from_suffix(out)
        info["out"] = str(write_potential(out, table, fmt, units,
                                          comment=f"{method} inversion of {path} at rho = {density:g}"))
    if plot is not None:
        from .plots import plot_gr_and_potentials

        info["plot"] = str(plot_gr_and_potentials(r, rdf.g, {method: (r, u)}, plot,
                                                  f"{Path(path).name}, rho = {rho:g}"))
    return {"method": method, "density": rho, "r": units.length(r).tolist(),
            "U": units.energy(u).tolist(), "table": {"r": units.length(r_t).tolist(),
                                                     "U": units.energy(u_t).tolist(),
                                                     "F": units.force(f_t).tolist()},
            "units": units.header(), **info}
