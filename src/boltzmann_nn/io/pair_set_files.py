"""A set of pair tables (one per pair of species) in the files every engine loads.

- LAMMPS: one ``pair.table`` with a section per pair (keyword ``A_B``) and ``lammps.in``,
  the ``pair_style``/``pair_coeff`` lines to paste (type i = the i-th species);
- GROMACS: ``table_A_B.xvg`` per pair, the default ``table.xvg`` and ``gromacs.mdp``, the
  ``energygrps``/``energygrp_table`` lines (the group cut-off scheme, GROMACS ≤ 2019);
- VOTCA: ``A-B.pot`` per interaction;
- OpenMM: ``openmm_pairs.py``, a ``CustomNonbondedForce`` over all pairs (species as a
  per-particle type);
- HOOMD-blue: ``hoomd_pairs.json``, ``hoomd.md.pair.Table`` parameters per pair;
- CSV: ``A-B.csv`` (``r,U,F``) per pair.

Every file states its units; every file is written atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from ..mixture.system import pair_index
from ..units import Units
from .atomic import atomic_write
from .hoomd_table import format_hoomd_pairs
from .lammps_table import format_lammps_table, read_lammps_table
from .openmm_table import format_openmm_pairs
from .potential_files import _write_csv, _write_gromacs, _write_votca, gromacs_grid


def _gromacs_default(dr: float, r_max: float, units: Units) -> str:
    """The plain ``table.xvg`` GROMACS also wants: 1/r, −1/r⁶, 1/r¹² (unused here: every
    pair has its own table).
    """
    r = units.length(dr * np.arange(int(np.ceil(r_max / dr - 1e-9)) + 1))
    rows = ["# boltzmann-nn: GROMACS default table (1/r, -1/r^6, 1/r^12); every pair uses table_A_B.xvg",
            f"# units: r [{units.length_unit}]"]
    for x in r:
        if x == 0:
            rows.append("0 0 0 0 0 0 0")
        else:
            rows.append(f"{x:.10g} {1 / x:.10g} {1 / x**2:.10g} {-1 / x**6:.10g} {-6 / x**7:.10g} "
                        f"{1 / x**12:.10g} {12 / x**13:.10g}")
    return "\n".join(rows) + "\n"


def write_pair_tables(out_dir, species, tables: dict, units: Units | None = None,
                      comment: str = "") -> dict:
    """Write ``tables`` ({pair name "A-B": PairTable in reduced units}) for every engine.

    Returns:
        ``{"lammps": path, "lammps_lines": [...], "lammps_lines_file": path, "gromacs": {pair:
        path}, "gromacs_default": path, "mdp": path, "openmm": path, "hoomd": path, "votca":
        {pair: path}, "csv": {pair: path}}``.
    """
    units = units or Units()
    out = Path(out_dir)
    index = pair_index(species)
    missing = [name for _, _, name in index if name not in tables]
    if missing:
        raise InputError(f"no table for pair(s) {', '.join(missing)} of species {list(species)}")
    out.mkdir(parents=True, exist_ok=True)
    files: dict = {"gromacs": {}, "votca": {}, "csv": {}}

    sections, coeffs = [], []
    in_rsq = {name: tables[name].even_in_rsq() for _, _, name in index}
    rows = max(t.r.size for t in in_rsq.values())
    for i, j, name in index:
        tab = in_rsq[name]
        key = name.replace("-", "_")
        sections.append(format_lammps_table(tab, key, units, spacing="rsq"))
        cut = units.for_lammps().length(tab.r[-1])
        coeffs.append(f"pair_coeff {i + 1} {j + 1} pair.table {key} {cut:.10g}")
    head = [f"# boltzmann-nn pair tables for species {' '.join(species)}"]
    head += [f"# {comment}"] if comment else []
    files["lammps"] = atomic_write(out / "pair.table", "\n".join(head) + "\n\n" + "\n".join(sections))
    style = [f"units {units.lammps_style}"] if units.lammps_style else []
    lines = [*style, f"pair_style table linear {rows}", *coeffs]
    types = ", ".join(f"type {k + 1} = {s}" for k, s in enumerate(species))
    files["lammps_lines"] = lines
    head = f"# boltzmann-nn: {types}; {units.for_lammps().header()}\n"
    files["lammps_lines_file"] = atomic_write(out / "lammps.in", head + "\n".join(lines) + "\n")

    dr, ext = gromacs_grid(units)
    r_cut = max(float(tables[name].r_cut) for _, _, name in index)
    for i, j, name in index:
        a, b = species[i], species[j]
        files["gromacs"][name] = atomic_write(
            out / f"table_{a}_{b}.xvg", _write_gromacs(tables[name], units, comment, dr, r_cut + ext))
        files["votca"][name] = atomic_write(out / f"{name}.pot", _write_votca(tables[name], units, comment))
        files["csv"][name] = atomic_write(out / f"{name}.csv", _write_csv(tables[name], units, comment))
    files["gromacs_default"] = atomic_write(out / "table.xvg", _gromacs_default(dr, r_cut + ext, units))
    files["mdp"] = atomic_write(out / "gromacs.mdp", _mdp(species, index, units, r_cut, ext))
    ordered = {name: tables[name] for _, _, name in index}
    openmm_text = format_openmm_pairs(species, ordered, units, comment)
    files["openmm"] = atomic_write(out / "openmm_pairs.py", openmm_text)
    hoomd_text = format_hoomd_pairs(species, ordered, units, comment)
    files["hoomd"] = atomic_write(out / "hoomd_pairs.json", hoomd_text)
    return files


def _mdp(species, index, units: Units, r_cut: float, ext: float) -> str:
    groups = " ".join(f"{species[i]} {species[j]}" for i, j, _ in index)
    note = "" if units.length_unit == "nm" and units.energy_unit == "kJ/mol" else (
        "; NOTE: GROMACS reads nm and kJ/mol; these tables are in the units of their header\n")
    return (
        f"; boltzmann-nn: tabulated pair potentials (table_A_B.xvg), species {' '.join(species)}\n"
        "; needs the group cut-off scheme (GROMACS <= 2019); in the topology set C6 = 0, C12 = 1\n"
        "; for every pair of these atom types; run mdrun -table table.xvg\n"
        + note
        + "cutoff-scheme    = group\n"
        "vdwtype          = user\n"
        f"rvdw             = {units.length(r_cut):.6g}\n"
        f"rlist            = {units.length(r_cut):.6g}\n"
        f"table-extension  = {units.length(ext):.6g}\n"
        f"energygrps       = {' '.join(species)}\n"
        f"energygrp_table  = {groups}\n"
    )


def read_lammps_pair_tables(path, species) -> dict:
    """Every pair's section of a ``pair.table`` written here: {"A-B": (r, U, F)} (file units)."""
    return {name: read_lammps_table(path, name.replace("-", "_")) for _, _, name in pair_index(species)}
