"""Potential tables: read and write CSV / LAMMPS / VOTCA / GROMACS.

Every written file starts with a line stating its units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..units import Units
from .atomic import atomic_write
from .hoomd_table import format_hoomd, is_hoomd, read_hoomd
from .lammps_table import format_lammps_table, read_lammps_table
from .openmm_table import format_openmm, is_openmm, read_openmm
from .text import FLAGGED_ROW, check_finite, check_grid, parse_columns, read_text


def _looks_like_lammps(text: str) -> bool:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return len(lines) > 1 and lines[1].startswith("N ") and not lines[0][0].isdigit()


def _read_lammps(path, text, source):
    return read_lammps_table(path)


def _read_votca(path, text, source):
    _, data = parse_columns(text, source, flag_column=True)
    return data[:, 0], data[:, 1], None


def _read_csv(path, text, source):
    header, data = parse_columns(text, source)
    return _columns(header, data, source)


def _head(table, units, comment):
    head = [f"# boltzmann-nn potential: {table.name}", f"# {units.header()}"]
    return head + ([f"# {comment}"] if comment else [])


def _write_lammps(table, units, comment):
    text = format_lammps_table(table.even_in_rsq(), units=units, spacing="rsq")
    return text if not comment else f"# {comment}\n{text}"


def _write_votca(table, units, comment):
    r, u = units.length(table.r), units.energy(table.U)
    return "\n".join(_head(table, units, comment) + [f"{a:.10g} {b:.10g} i" for a, b in zip(r, u)]) + "\n"


def _write_csv(table, units, comment):
    r, u, f = units.length(table.r), units.energy(table.U), units.force(table.F)
    body = [f"{a:.10g},{b:.10g},{c:.10g}" for a, b, c in zip(r, u, f)]
    return "\n".join(_head(table, units, comment) + ["r,U,F"] + body) + "\n"


#: GROMACS' recommended table spacing [nm]; σ where the units are not nm.
GROMACS_SPACING = 0.002
#: GROMACS ``table-extension`` (its default) [nm, or σ where the units are not nm].
GROMACS_EXTENSION = 1.0


def gromacs_grid(units: Units) -> tuple[float, float]:
    """(spacing, table-extension) of a GROMACS table [σ]: 0.002 nm and 1 nm in nm units."""
    if units.length_unit == "nm":
        return GROMACS_SPACING / units.sigma, GROMACS_EXTENSION / units.sigma
    return GROMACS_SPACING, GROMACS_EXTENSION


def _write_gromacs(table, units, comment, dr: float | None = None, r_max: float | None = None):
    """GROMACS user table (``table_A_B.xvg``): ``r f -f' g -g' h -h'`` evenly spaced from
    r = 0, with the whole pair potential in the repulsion columns (h; use C12 = 1 and
    C6 = 0 for the pair, as VOTCA does). Below the table's first point U is continued
    linearly with the first force (never reached in a simulation, but GROMACS needs numbers).
    GROMACS wants tables to reach rvdw + table-extension: by default they run at 0.002 nm
    (:func:`gromacs_grid`) to r_cut + 1 nm with U = 0 beyond the cut-off; ``dr`` and
    ``r_max`` [σ] set another spacing and reach.
    """
    if dr is None:
        dr, ext = gromacs_grid(units)
        r_max = table.r_cut + ext if r_max is None else r_max
    reach = table.r_cut if r_max is None else max(r_max, table.r_cut)
    r = dr * np.arange(int(np.ceil(reach / dr - 1e-9)) + 1)
    smooth = getattr(table, "evaluate_smooth", table.evaluate)
    u, f = smooth(r)
    below = r < table.r[0]
    u[below] = table.U[0] + table.F[0] * (table.r[0] - r[below])
    f[below] = table.F[0]
    r, u, f = units.length(r), units.energy(u), units.force(f)
    body = [f"{a:.10g} 0 0 0 0 {b:.10g} {c:.10g}" for a, b, c in zip(r, u, f)]
    return "\n".join(_head(table, units, comment) + [GROMACS_NOTE] + body) + "\n"


#: Which GROMACS accepts a user table, stated in every .xvg we write.
GROMACS_NOTE = ("# GROMACS 4.6-2019 only: cutoff-scheme = group, vdwtype = user, table-extension >= "
                "the reach beyond rvdw, C6 = 0 and C12 = 1 for the pair (GROMACS >= 2020 has no user "
                "tables for non-bonded pairs: use LAMMPS, OpenMM or HOOMD-blue files instead)")


def _read_gromacs(path, text, source):
    _, data = parse_columns(text, source, comments="#@")
    if data.shape[1] != 7:
        raise InputError(f"a GROMACS table has 7 columns (r f -f' g -g' h -h'), got {data.shape[1]}", source)
    u = data[:, 1] + data[:, 3] + data[:, 5]
    f = data[:, 2] + data[:, 4] + data[:, 6]
    keep = data[:, 0] > 0
    nonzero = np.flatnonzero((u != 0) | (f != 0))
    if nonzero.size and nonzero[-1] + 2 < u.size:  # the zero padding to rc + table-extension
        keep[nonzero[-1] + 2:] = False
    return data[keep, 0], u[keep], f[keep]


def _is_gromacs(text: str) -> bool:
    data = [ln for ln in text.splitlines()[:50] if ln.strip() and ln.lstrip()[0] not in "#@"]
    return bool(data) and all(len(ln.split()) == 7 for ln in data[:20])


def _is_votca(text: str) -> bool:
    data = [ln for ln in text.splitlines()[:200] if ln.strip() and not ln.lstrip().startswith("#")]
    return bool(data) and all(FLAGGED_ROW.match(ln) for ln in data[:20])


@dataclass(frozen=True)
class TableFormat:
    """One potential-table format.

    Attributes:
        name: The ``--format`` name.
        suffixes: File suffixes that make the format certain.
        sniff: ``sniff(text)``: True when the content shows the format.
        read: ``read(path, text, source)`` -> ``(r, U, F or None)`` in file units.
        write: ``write(table, units, comment)`` -> the file's text.
    """

    name: str
    suffixes: tuple
    sniff: Callable[[str], bool]
    read: Callable
    write: Callable


#: name -> format, tried in this order when detecting by content (``csv`` last: any
#: columns). To add a format: a reader, a writer and one entry; ``--format`` choices,
#: reading and writing by suffix read this table.
TABLE_FORMATS: dict[str, TableFormat] = {f.name: f for f in (
    TableFormat("lammps", (".table", ".tab"), _looks_like_lammps, _read_lammps, _write_lammps),
    TableFormat("votca", (".pot",), _is_votca, _read_votca, _write_votca),
    TableFormat("gromacs", (".xvg",), _is_gromacs, _read_gromacs, _write_gromacs),
    TableFormat("openmm", (".py",), is_openmm, read_openmm, format_openmm),
    TableFormat("hoomd", (".json",), is_hoomd, read_hoomd, format_hoomd),
    TableFormat("csv", (".csv", ".txt", ".dat"), lambda text: True, _read_csv, _write_csv),
)}
WRITE_FORMATS = tuple(TABLE_FORMATS)


def read_table_columns(path, units: Units | None = None):
    """Read a potential file into arrays ``(r, U, F or None)`` in reduced units.

    Formats (:data:`TABLE_FORMATS`): CSV or text with columns ``r,U[,F]`` (header
    optional), LAMMPS pair table, VOTCA ``.pot`` (``r U flag``); by suffix where certain,
    else by content. Values are converted to reduced units with ``units`` when given.
    :func:`boltzmann_nn.potentials.table.read_potential_table` makes a checked
    ``PairTable`` of them.
    """
    source = str(path)
    text = read_text(path)
    suffix = Path(path).suffix.lower()
    fmt = next((f for f in TABLE_FORMATS.values() if suffix in f.suffixes and f.name != "csv"), None)
    fmt = fmt or next(f for f in TABLE_FORMATS.values() if f.sniff(text))
    r, u, f = fmt.read(path, text, source)
    check_grid(r, source)
    check_finite(u, "U", source)
    if f is not None:
        check_finite(f, "F", source)
    if units is not None:
        if fmt.name == "lammps":  # written in the LAMMPS units style, where one was named
            units = units.for_lammps()
        scale = units.file_length_factor() if fmt.name != "lammps" else 1.0
        r, u = units.to_reduced_length(r * scale), units.to_reduced_energy(u)
        f = None if f is None else units.to_reduced_force(f / scale)
    return r, u, f


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
    """Text of a potential file in ``fmt`` (a name in :data:`TABLE_FORMATS`)."""
    if fmt not in TABLE_FORMATS:
        raise InputError(f"unknown output format {fmt!r}; use one of {WRITE_FORMATS}")
    return TABLE_FORMATS[fmt].write(table, units or Units(), comment)


def write_potential(path, table, fmt: str | None = None, units: Units | None = None,
                    comment: str = "") -> Path:
    """Write ``table`` to ``path``; the format defaults from the extension."""
    fmt = fmt or format_from_suffix(path)
    return atomic_write(path, format_potential(table, fmt, units, comment))


def format_from_suffix(path) -> str:
    """The format a file name asks for (CSV when the suffix names none)."""
    suffix = Path(path).suffix.lower()
    return next((f.name for f in TABLE_FORMATS.values() if suffix in f.suffixes), "csv")


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
