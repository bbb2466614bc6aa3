"""LAMMPS ``pair_style table`` files: write, and read back."""

from __future__ import annotations

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
