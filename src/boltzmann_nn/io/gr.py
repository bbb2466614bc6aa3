"""Readers of radial distribution functions g(r).

Formats (``fmt``, or detected from the extension and content):

* ``text``: two or more columns (r, g, …), whitespace/comma separated, ``#`` comments,
  optional header line; CSV with header ``r,g``.
* ``lammps``: output of ``fix ave/time … c_ID[*] mode vector`` on ``compute rdf``: blocks
  of ``TIMESTEP NROWS`` followed by rows ``index r g coord``; the last block is used
  (``block="mean"`` averages all).
* ``xvg``: GROMACS ``gmx rdf`` output (``#``/``@`` metadata; r in nm).
* ``votca``: VOTCA ``.dist`` tables (``r g flag``), as ``csg_stat`` writes them, under
  any name (``CG-CG.dist.tgt``, ``CG-CG.dist.new``): recognised by their flag column.

Formats are told apart by suffix where it is certain (``.xvg``, ``.dist``) and otherwise
by content: LAMMPS's header lines, GROMACS's ``@`` lines, VOTCA's trailing flag column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from .text import FLAGGED_ROW, check_finite, check_grid, parse_columns, read_text

FORMATS = ("text", "lammps", "xvg", "votca")


@dataclass
class RDF:
    """g(r) as read: r in the file's length unit (``length_unit`` if the format says)."""

    r: np.ndarray
    g: np.ndarray
    source: str
    fmt: str
    length_unit: str | None = None
    #: Statistical error of g, shape like ``g``, where the file has a ``g_err`` column.
    err: np.ndarray | None = None


@dataclass(frozen=True)
class GrFormat:
    """One g(r) file format: how to recognise it and how to parse it.

    Attributes:
        name: The ``--gr-format`` name.
        claims: ``claims(file_name, text)``: True when the name makes the format certain.
        sniff: ``sniff(text)``: True when the content shows the format.
        parse: ``parse(text, source, block)`` -> ``(r, g, length_unit or None)``, or with a
            fourth item, the error of g (or None).
    """

    name: str
    claims: Callable[[str, str], bool]
    sniff: Callable[[str], bool]
    parse: Callable[[str, str, str], tuple]


def _data_lines(text: str, n: int = 200) -> list[str]:
    return [ln for ln in text.splitlines()[:n] if ln.strip() and ln.lstrip()[0] not in "#@"]


#: Header names of a column holding the statistical error of g (as ``simulate`` writes).
ERROR_COLUMNS = ("g_err", "dg", "err")


def _parse_text(text, source, block):
    header, data = parse_columns(text, source)
    r, g = _pick_columns(header, data, source)
    names = [h.split("[")[0].strip().lower() for h in header or ()]
    err = next((data[:, names.index(c)] for c in ERROR_COLUMNS if c in names), None)
    return r, g, None, err


def _parse_xvg(text, source, block):
    _, data = parse_columns(text, source, comments="#@")
    return data[:, 0], data[:, 1], "nm"


def _parse_votca(text, source, block):
    _, data = parse_columns(text, source, flag_column=True)
    return data[:, 0], data[:, 1], None


def _parse_lammps(text, source, block):
    r, g = _lammps_blocks(text, source, block)
    return r, g, None


def _is_votca(text: str) -> bool:
    data = _data_lines(text)
    return bool(data) and all(FLAGGED_ROW.match(ln) for ln in data[:20])


def _is_lammps(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith("# time-averaged data") or "number-of-rows" in head


#: name -> format, in the order formats are tried when detecting by content; ``text`` is
#: the fallback. To add a format: a parse function and one entry here; ``--gr-format``
#: choices and detection read this table.
GR_FORMATS: dict[str, GrFormat] = {f.name: f for f in (
    GrFormat("lammps", lambda name, suffix: False, _is_lammps, _parse_lammps),
    GrFormat("xvg", lambda name, suffix: suffix == ".xvg",
             lambda text: any(ln.lstrip().startswith("@") for ln in text.splitlines()[:50]), _parse_xvg),
    GrFormat("votca", lambda name, suffix: suffix == ".dist" or ".dist." in name,
             _is_votca, _parse_votca),
    GrFormat("text", lambda name, suffix: False, lambda text: True, _parse_text),
)}
FORMATS = tuple(GR_FORMATS)


def detect_format(path, text: str) -> str:
    """The g(r) format of ``path``: from its name where that is certain, else its content.
    GROMACS' ``@`` header lines win over the name: VOTCA's tutorials ship ``.dist.tgt``
    targets that are ``gmx rdf`` output renamed.
    """
    name = Path(path).name.lower()
    suffix = Path(path).suffix.lower()
    if GR_FORMATS["xvg"].sniff(text):
        return "xvg"
    for fmt in GR_FORMATS.values():
        if fmt.claims(name, suffix):
            return fmt.name
    return next(fmt.name for fmt in GR_FORMATS.values() if fmt.sniff(text))


def read_gr(path, fmt: str | None = None, block: str = "last") -> RDF:
    """Read and validate a g(r) file.

    Raises:
        InputError: unreadable file, non-numeric text, wrong or missing columns, NaN or
            inf, negative g, unsorted or duplicate r, fewer than 5 points.
    """
    source = str(path)
    text = read_text(path)
    fmt = fmt or detect_format(path, text)
    if fmt not in GR_FORMATS:
        raise InputError(f"unknown g(r) format {fmt!r}; use one of {FORMATS}", source)
    r, g, unit, *rest = GR_FORMATS[fmt].parse(text, source, block)
    check_grid(r, source)
    check_finite(g, "g", source)
    if np.any(g < 0):
        i = int(np.nonzero(g < 0)[0][0])
        raise InputError(f"negative g = {g[i]:g} at r = {r[i]:g}", source)
    err = rest[0] if rest else None
    if err is not None:
        check_finite(err, "g_err", source)
        if np.any(err < 0):
            raise InputError("negative values in the g_err column", source)
        err = np.asarray(err, float)
    return RDF(np.asarray(r, float), np.asarray(g, float), source, fmt, unit, err)


def _pick_columns(header, data, source):
    if header is not None:
        names = [h.split("[")[0].strip() for h in header]
        if len(names) != data.shape[1]:
            raise InputError(f"the header names {len(names)} columns ({','.join(header)}) but the rows "
                             f"have {data.shape[1]}", source)
        if "r" in names and "g" in names:
            return data[:, names.index("r")], data[:, names.index("g")]
        if len(names) >= 2 and names[0] in ("r", "x", "distance"):
            return data[:, 0], data[:, 1]
        raise InputError(f"header {header} has no columns 'r' and 'g'", source)
    return data[:, 0], data[:, 1]


def _lammps_blocks(text: str, source: str, block: str):
    lines = [ln.split() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    blocks = []
    i = 0
    while i < len(lines):
        head = lines[i]
        if len(head) != 2:
            raise InputError(f"expected 'TIMESTEP NROWS' at data line {i + 1}, got {' '.join(head)!r}",
                             source)
        try:
            n = int(head[1])
        except ValueError as exc:
            raise InputError(f"bad block header {' '.join(head)!r}", source) from exc
        rows = lines[i + 1 : i + 1 + n]
        if len(rows) < n:
            raise InputError(f"block at data line {i + 1} declares {n} rows but has {len(rows)}", source)
        try:
            arr = np.array([[float(v) for v in row] for row in rows])
        except ValueError as exc:
            raise InputError(f"non-numeric value in block at data line {i + 1}", source) from exc
        if arr.ndim != 2 or arr.shape[1] < 3:
            raise InputError("rows must be 'index r g [coord]'", source)
        blocks.append(arr)
        i += 1 + n
    if not blocks:
        raise InputError("no data blocks", source)
    if block == "mean":
        arr = np.mean(blocks, axis=0)
    else:
        arr = blocks[-1]
    return arr[:, 1], arr[:, 2]
