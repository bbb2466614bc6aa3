"""The Python API behind the command line: each function does one job, writes files
only where asked, and returns a typed result (:mod:`boltzmann_nn.api_results`) whose
``to_dict()`` is the JSON record the command line prints (user units, arrays as lists).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .api_results import (
    InvertedPotential,
    OZStructure,
    RefinementReport,
    SimulationReport,
    TabulatedPotential,
    ValidationReport,
    VirialCoefficients,
)
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


def _potential(spec, units: Units | None = None):
    """A Potential from a spec string or table file (read in ``units``), or itself."""
    return parse_potential(spec, units=units) if isinstance(spec, str) else spec


def _check_density(density: float, what: str = "density") -> float:
    return check_density(density, what)


def tabulate(spec, *, n: int = 1000, r_min: float | None = None, out=None, fmt: str | None = None,
             plot=None, units: Units | None = None) -> TabulatedPotential:
    """Tabulate a potential on [r_min, r_cut]; write it (LAMMPS, VOTCA, CSV) if asked.

    Returns:
        The table (``table``: a PairTable in reduced units); its record has ``r``, ``U``,
        ``F`` in ``units`` (with their ``units`` line), the 50-point network-grid view
        (``nn_grid``, reduced, named so), the description and the written paths.
    """
    pot = _potential(spec, units)  # a table file in the user's units
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

        out_info["plot"] = str(plot_potential(table.r, table.U, table.F, plot, table.name, units=units))
    un = units or Units()
    return TabulatedPotential(table=table, record={
        "potential": pot.describe(),
        "units": un.header(),
        "r_cut": float(un.length(table.r_cut)),
        "r": un.length(table.r).tolist(),
        "U": un.energy(table.U).tolist(),
        "F": un.force(table.F).tolist(),
        "nn_grid": {"units": "reduced: r [sigma], U and U_capped [k_BT], F [k_BT/sigma]",
                    "r": NN_GRID.r.tolist(), "U": nn[0].tolist(), "F": nn[1].tolist(),
                    "U_capped": np.minimum(nn[0], U_CUT).tolist()},
        **out_info,
    })


def virial(spec, densities=()) -> VirialCoefficients:
    """B2, B3 and the low-density pressures P0 = ρ + B2ρ² (and with B3) at ``densities``."""
    pot = _potential(spec)
    for d in densities:
        _check_density(d)
    summary = virial_summary(pot, densities)
    return VirialCoefficients(b2=summary["B2"], b3=summary["B3"],
                              record={"potential": pot.describe(), **summary})


def solve_oz(spec, density: float, closure: str = "hnc", *, out=None, plot=None) -> OZStructure:
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
    return OZStructure(result=res, record=d)


def invert_gr(path, density: float, method: str = "boltzmann", *, out=None, fmt=None,
              plot=None, units: Units | None = None, fmt_in: str | None = None,
              true=None) -> InvertedPotential:
    """Effective potential from a g(r) file by Boltzmann or HNC inversion.

    The result is capped at U_cut = 20 k_BT where g is (nearly) zero; the written table
    has that core replaced by a smooth monotonic repulsion (:func:`extend_core`). ``true``
    (a potential spec or table file in ``units``, or a Potential) is the known potential:
    drawn in the plot, and compared where g > 0.05 (``mae_true``, in the energy unit).
    """
    units = units or Units()
    if not (density > 0) or not np.isfinite(density):
        raise InputError(f"density must be > 0, got {density}")
    rdf = read_gr(path, fmt_in)
    r = units.file_length_to_reduced(rdf.r, rdf.length_unit)
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
    true_curve = None
    if true is not None:
        pot = _potential(true, units)
        r_true = r[(r >= pot.table_start()) & (r <= pot.r_cut)]
        true_curve = (r_true, pot.evaluate(r_true)[0])
        seen = (rdf.g > 0.05) & (r >= pot.table_start()) & (r <= pot.r_cut)
        info["true"] = pot.describe()
        info["mae_true"] = float(units.energy(np.mean(np.abs(u[seen] - pot.evaluate(r[seen])[0]))))
    if plot is not None:
        from .plots import plot_gr_and_potentials

        info["plot"] = str(plot_gr_and_potentials(
            r, rdf.g, {method: (r, u)}, plot,
            f"{Path(path).name}, rho = {density:g} {units.density_label}", units=units, true=true_curve))
    record = {"method": method, "density": float(density), "density_reduced": rho,
              "density_unit": units.density_label, "energy_unit": units.energy_label,
              "r": units.length(r).tolist(),
              "U": units.energy(u).tolist(), "table": {"r": units.length(r_t).tolist(),
                                                       "U": units.energy(u_t).tolist(),
                                                       "F": units.force(f_t).tolist()},
              "units": units.header(), **info}
    return InvertedPotential(table=table, r=r, u=u, record=record)


def _reduced_pressure(pressure, units: Units) -> float | None:
    """A target pressure in the user's units (energy unit / length unit³, or text with a
    unit such as ``"1bar"``) in k_BT/σ³.
    """
    return None if pressure is None else units.reduced_pressure(pressure)


def simulate_potential(spec, density: float, *, steps: int = 20000, equilibration: int = 10000,
                       n_particles: int | None = None, seed: int = 1, threads: int = 1, blocks: int = 20,
                       dt: float = 0.005, tail: bool = False, engine: str = "lammps", out=None, plot=None,
                       progress: bool = False) -> SimulationReport:
    """NVT Langevin MD of a potential at ``density`` [σ⁻³]: pressure, energy, g(r) and the
    run's diagnostics; ``out`` (a folder) gets result.json, gr.csv and gr.png.

    Returns:
        The :class:`~boltzmann_nn.engines.base.SimulationResult`; its record is the run's
        summary (``ok``, ``pressure`` ± ``pressure_err`` [k_BT/σ³], ``energy``, ``r``,
        ``g``, ``flags``, ``kept``, ``settings``, ``wall_s``) and the paths written.
    """
    from .engines.base import StatePoint
    from .engines.job import run_simulation
    from .engines.registry import get_engine

    state = StatePoint(density=density, steps=steps, equilibration=equilibration, n_particles=n_particles,
                       seed=seed, threads=threads, blocks=blocks, dt=dt)
    result, res = run_simulation(_potential(spec), state, out_dir=out, plot=plot, tail_correction=tail,
                         progress=progress, engine=get_engine(engine))
    keys = ("status", "ok", "reason", "pressure", "pressure_err", "pressure_tail", "energy", "energy_err",
            "r", "g", "g_err", "flags", "kept", "settings", "wall_s", "result_file", "gr_file", "plot")
    return SimulationReport(result=result, record={k: res[k] for k in keys if k in res})


def validate_potential(spec, target, density: float, *, units: Units | None = None,
                       gr_format: str | None = None, steps: int = 20000, equilibration: int = 10000,
                       pressure: float | None = None, seed: int = 1, threads: int = 1,
                       engine: str = "lammps", out=None, plot=None, progress: bool = False) -> ValidationReport:
    """Simulate a potential at the target g(r)'s density and compare the two g(r).

    Args:
        spec: Named potential or table file (read in ``units``), or a Potential.
        target: The target g(r) file (any format :func:`~boltzmann_nn.io.gr.read_gr` reads).
        density: Number density of the target [length unit⁻³].
        pressure: The target's pressure, if known [energy unit / length unit³].
        out: Folder for gr.csv, comparison.png and validation.json (None: write nothing
            unless ``plot`` names a PNG).

    Returns:
        The :class:`~boltzmann_nn.refine.validate.Validation`; its record is
        :func:`~boltzmann_nn.validation_output.write_validation_outputs`'.
    """
    from .engines.job import progress_bar
    from .refine.target import load_target
    from .refine.validate import validate
    from .validation_output import write_validation_outputs

    units = units or Units()
    tgt = load_target(target, density, units, gr_format)
    pot = parse_potential(spec, units=units) if isinstance(spec, str) else spec
    update, close = progress_bar("MD", progress)
    try:
        val = validate(pot, tgt, steps=steps, equilibration=equilibration,
                       pressure=_reduced_pressure(pressure, units), seed=seed, threads=threads,
                       engine=engine, progress=update)
    finally:
        close()
    return ValidationReport(validation=val, record=write_validation_outputs(val, tgt, units, out, plot))


def refine_potential(target, density: float, *, units: Units | None = None, gr_format: str | None = None,
                     start: str = "hnc", model: str = "inverse", out="refine-output", fmt: str = "lammps",
                     pressure: float | None = None, r_cut: float | None = None, progress: bool = False,
                     **settings) -> RefinementReport:
    """Refine a potential by MD until its g(r) matches ``target`` (resumable in ``out``).

    Args:
        target: The target g(r) file; ``density`` its number density [length unit⁻³].
        start: ``hnc``, ``network``, ``boltzmann`` or a potential file.
        pressure: The target's pressure, if known [energy unit / length unit³].
        r_cut: Cutoff [length unit] (default: min(target range, 5σ)).
        settings: The other fields of :class:`~boltzmann_nn.refine.loop.RefineSettings`
            (``method``, ``max_iter``, ``tol``, ``min_steps``, ...).

    Returns:
        The :class:`~boltzmann_nn.refine.loop.RefineResult`; its record is
        :func:`~boltzmann_nn.refine.output.write_outputs`' summary (user units).
    """
    from .io.atomic import check_out_folder
    from .refine.loop import RefineSettings, refine
    from .refine.output import write_outputs
    from .refine.start import start_table
    from .refine.target import load_target

    units = units or Units()
    check_out_folder(out)
    tgt = load_target(target, density, units, gr_format)
    cut = None if r_cut is None else float(units.to_reduced_length(r_cut))
    rs = RefineSettings(pressure=_reduced_pressure(pressure, units), r_cut=cut, **settings)
    table = start_table(start, tgt, units, model=model)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=rs.max_iter, desc=f"refine ({rs.method})", unit="it", file=sys.stderr)

    def on_iteration(rec):
        if bar is not None:
            bar.update(1)
            bar.set_postfix(L_MSE=f"{rec.comparison.l_mse:.2e}", chi2=f"{rec.comparison.chi2:.2f}",
                            steps=rec.run.steps)

    try:
        res = refine(tgt, table, rs, out_dir=out, on_iteration=on_iteration, start_name=str(start))
    finally:
        if bar is not None:
            bar.close()
    return RefinementReport(result=res, record=write_outputs(res, tgt, units, Path(out), fmt, start))
