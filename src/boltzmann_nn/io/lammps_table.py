"""LAMMPS ``pair_style table`` files: write, and read back."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..units import UNITS_HEADER, Units
from .atomic import atomic_write


def format_lammps_table(table, keyword: str = "BNN", units: Units | None = None,
                        spacing: str = "r") -> str:
    """The text of a LAMMPS table file for ``table`` (a PairTable).

    Args:
        table: The PairTable; its r must be evenly spaced in r (``spacing="r"``) or in
            r² (``spacing="rsq"``), and start at r > 0 (LAMMPS rejects r = 0).
        keyword: Section keyword for ``pair_coeff``.
        units: Physical units to write in; default reduced.
        spacing: ``"r"`` or ``"rsq"``; written as the ``R``/``RSQ`` parameter.

    Use with ``pair_style table linear N`` where N is the number of rows here.
    """
    units = units or Units()
    style = units.lammps_style
    units = units.for_lammps()
    r, u, f = table.r, table.U, table.F
    if r[0] <= 0:
        raise InputError("LAMMPS tables must start at r > 0; resample from r_min > 0 first")
    rr, uu, ff = units.length(r), units.energy(u), units.force(f)
    tag = "RSQ" if spacing == "rsq" else "R"
    lines = [
        f"# boltzmann-nn pair table: {table.name}",
        f"# {units.header() if not units.is_reduced else UNITS_HEADER}",
        f"# use: {f'units {style}; ' if style else ''}pair_style table linear {r.size}; "
        f"pair_coeff * * FILE {keyword}",
        "",
        keyword,
        f"N {r.size} {tag} {rr[0]:.12g} {rr[-1]:.12g}",
        "",
    ]
    lines += [f"{i + 1} {a:.12g} {b:.12g} {c:.12g}" for i, (a, b, c) in enumerate(zip(rr, uu, ff))]
    return "\n".join(lines) + "\n"


#: Most rows :func:`even_in_rsq` writes.
MAX_RSQ_ROWS = 20000
#: Where U < U_cut, the r² grid's spacing is at most the table's divided by this (LAMMPS
#: interpolates linearly between rows: finer rows keep it on the table's curve).
RSQ_REFINE = 4


def even_in_rsq(table):
    """``table`` resampled evenly in r² from its first r > 0 to its cut-off, by cubic
    Hermite interpolation through (U, −F): the grid LAMMPS builds for ``pair_style table
    linear N`` from an ``RSQ`` section of N rows, so LAMMPS reproduces these values at the
    points exactly (an ``R`` section is re-splined, ~1e-6 off). Rows are added (up to
    :data:`MAX_RSQ_ROWS`) so that the spacing where U < U_cut is :data:`RSQ_REFINE` times
    finer than the table's.
    """
    from ..potentials.table import PairTable
    from ..units import U_CUT

    lo = float(table.r[0] if table.r[0] > 0 else table.r[1])
    rc = float(table.r_cut)
    soft = table.r[(table.U < U_CUT) & (table.r >= lo)]
    r_s = float(soft[0]) if soft.size else lo
    dr = float(np.min(np.diff(table.r))) / RSQ_REFINE
    n = int(min(MAX_RSQ_ROWS, max(table.r.size, math.ceil((rc * rc - r_s * r_s) / (2 * r_s * dr)) + 1)))
    r = np.sqrt(np.linspace(lo * lo, rc * rc, n))
    u, f = table.evaluate_smooth(r)
    return PairTable(r, u, f, name=table.name, source=table.source, check_force=False)


def write_lammps_table(path, table, keyword: str = "BNN", units: Units | None = None,
                       spacing: str = "r") -> Path:
    """Write :func:`format_lammps_table` to ``path`` atomically."""
    return atomic_write(path, format_lammps_table(table, keyword, units, spacing))


_HEADER = re.compile(r"^N\s+(\d+)(.*)$")


def read_lammps_table(path, keyword: str | None = None):
    """Read one section of a LAMMPS pair table file.

    Returns:
        ``(r, U, F)`` arrays as written (file units).
    """
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", str(path)) from exc
    i = 0
    n_lines = len(lines)
    while i < n_lines:
        name = lines[i].strip()
        if name and not name.startswith("#") and i + 1 < n_lines:
            m = _HEADER.match(lines[i + 1].strip())
            if m and (keyword is None or name == keyword):
                n = int(m.group(1))
                rows = [ln.split() for ln in lines[i + 2 :] if ln.strip() and not ln.startswith("#")]
                if len(rows) < n:
                    raise InputError(f"section {name} declares N = {n} but has {len(rows)} rows",
                                     str(path))
                try:
                    data = np.array([[float(v) for v in row[1:4]] for row in rows[:n]])
                except (ValueError, IndexError) as exc:
                    raise InputError(f"section {name}: rows must be 'i r U F' numbers",
                                     str(path)) from exc
                return data[:, 0], data[:, 1], data[:, 2]
        i += 1
    what = f"section {keyword!r}" if keyword else "a table section (KEYWORD then 'N n ...')"
    raise InputError(f"no {what} found", str(path))
