"""Potential tables: read CSV / LAMMPS / VOTCA, write LAMMPS / VOTCA / CSV.

Every written file starts with a line stating its units.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from ..units import Units
from .atomic import atomic_write
from .lammps_table import format_lammps_table, read_lammps_table
from .text import check_finite, check_grid, parse_columns, read_text

WRITE_FORMATS = ("lammps", "votca", "csv")


def read_table_columns(path, units: Units | None = None):
    """Read a potential file into arrays ``(r, U, F or None)`` in reduced units.

    Formats: CSV or text with columns ``r,U[,F]`` (header optional), LAMMPS pair table
    (``.table``), VOTCA ``.pot`` (``r U flag``). Values are converted to reduced units
    with ``units`` when given. :func:`boltzmann_nn.potentials.table.read_potential_table`
    makes a checked ``PairTable`` of them.
    """
    source = str(path)
    text = read_text(path)
    suffix = Path(path).suffix.lower()
    if suffix in (".table", ".tab") or _looks_like_lammps(text):
        r, u, f = read_lammps_table(path)
    else:
        header, data = parse_columns(text, source, flag_column=suffix == ".pot")
        r, u, f = _columns(header, data, source)
    check_grid(r, source)
    check_finite(u, "U", source)
    if f is not None:
        check_finite(f, "F", source)
    if units is not None:
        r, u = units.to_reduced_length(r), units.to_reduced_energy(u)
        f = None if f is None else units.to_reduced_force(f)
    return r, u, f


def _looks_like_lammps(text: str) -> bool:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return len(lines) > 1 and lines[1].startswith("N ") and not lines[0][0].isdigit()


def _columns(header, data, source):
    n_cols = data.shape[1]
    if header is not None:
        names = [h.split("[")[0].strip() for h in header]
        if "r" not in names or "u" not in names:
            raise InputError(f"header {header} must name columns r and U (and optionally F)", source)
        if len(names) != n_cols:
            raise InputError(f"the header names {len(names)} columns ({','.join(header)}) but the rows "
                             f"have {n_cols}", source)
        f = data[:, names.index("f")] if "f" in names else None
        return data[:, names.index("r")], data[:, names.index("u")], f
    if n_cols == 2:
        return data[:, 0], data[:, 1], None
    return data[:, 0], data[:, 1], data[:, 2]


def format_potential(table, fmt: str, units: Units | None = None, comment: str = "") -> str:
    """Text of a potential file in ``fmt`` (``lammps``, ``votca``, ``csv``)."""
    units = units or Units()
    if fmt == "lammps":
        tab = table if table.r[0] > 0 else table.resampled(table.r.size, r_min=table.r[1])
        text = format_lammps_table(tab, units=units)
        return text if not comment else f"# {comment}\n{text}"
    r, u, f = units.length(table.r), units.energy(table.U), units.force(table.F)
    head = [f"# boltzmann-nn potential: {table.name}", f"# {units.header()}"]
    if comment:
        head.append(f"# {comment}")
    if fmt == "votca":
        body = [f"{a:.10g} {b:.10g} i" for a, b in zip(r, u)]
    elif fmt == "csv":
        head.append("r,U,F")
        body = [f"{a:.10g},{b:.10g},{c:.10g}" for a, b, c in zip(r, u, f)]
    else:
        raise InputError(f"unknown output format {fmt!r}; use one of {WRITE_FORMATS}")
    return "\n".join(head + body) + "\n"


def write_potential(path, table, fmt: str | None = None, units: Units | None = None,
                    comment: str = "") -> Path:
    """Write ``table`` to ``path``; the format defaults from the extension."""
    fmt = fmt or format_from_suffix(path)
    return atomic_write(path, format_potential(table, fmt, units, comment))


def format_from_suffix(path) -> str:
    suffix = Path(path).suffix.lower()
    return {".table": "lammps", ".tab": "lammps", ".pot": "votca"}.get(suffix, "csv")


def write_gr_csv(path, r, g, comment: str = "", units: Units | None = None,
                 extra: dict | None = None) -> Path:
    """Write g(r) (and optional extra columns) as CSV with a units header."""
    units = units or Units()
    cols = {"r": units.length(np.asarray(r)), "g": np.asarray(g)}
    cols.update(extra or {})
    head = [f"# boltzmann-nn g(r){': ' + comment if comment else ''}", f"# {units.header()}",
            ",".join(cols)]
    rows = zip(*cols.values())
    body = [",".join(f"{v:.8g}" for v in row) for row in rows]
    return atomic_write(path, "\n".join(head + body) + "\n")
