"""HOOMD-blue pair tables (``hoomd.md.pair.Table``, HOOMD-blue 3 and 4): a JSON file with
``r_min``, ``r_cut`` and the energy ``U`` and force ``F`` on HOOMD's own grid,
``numpy.linspace(r_min, r_cut, len(U), endpoint=False)``; HOOMD interpolates linearly, so
the grid is fine. A pair set holds one such entry per species pair under ``pairs``.

Use (the file says it too)::

    table = hoomd.md.pair.Table(nlist=hoomd.md.nlist.Cell(buffer=0.4))
    for (a, b), p in params(json.load(open(FILE))).items():
        table.params[(a, b)] = dict(r_min=p["r_min"], U=p["U"], F=p["F"])
        table.r_cut[(a, b)] = p["r_cut"]

HOOMD-blue has no unit system of its own: the numbers are in the units the file states.
"""

from __future__ import annotations

import json

import numpy as np

from ..errors import InputError

#: Points of a HOOMD table per σ of range (linear interpolation: fine).
POINTS_PER_SIGMA = 2000
MARK = "boltzmann-nn pair table for HOOMD-blue"
USE = ("table = hoomd.md.pair.Table(nlist=hoomd.md.nlist.Cell(buffer=0.4)); for each pair (a, b): "
       "table.params[(a, b)] = dict(r_min=r_min, U=U, F=F); table.r_cut[(a, b)] = r_cut "
       "(r = numpy.linspace(r_min, r_cut, len(U), endpoint=False))")


def _entry(table, units, lo: float, hi: float) -> dict:
    n = max(table.r.size, int(np.ceil((hi - lo) * POINTS_PER_SIGMA)))
    r = np.linspace(lo, hi, n, endpoint=False)
    u, f = table.evaluate_smooth(r)
    return {"r_min": float(units.length(lo)), "r_cut": float(units.length(hi)),
            "U": [float(v) for v in units.energy(u)], "F": [float(v) for v in units.force(f)]}


def _start(table) -> float:
    return float(table.r[0] if table.r[0] > 0 else table.r[1])


def format_hoomd(table, units, comment: str = "") -> str:
    """The HOOMD-blue JSON file for ``table`` (a PairTable in reduced units) in ``units``."""
    doc = {"format": MARK, "name": table.name, "units": units.header(), "comment": comment or "", "use": USE,
           **_entry(table, units, _start(table), float(table.r_cut))}
    return _dumps(doc)


def _dumps(doc: dict) -> str:
    """JSON with one top-level key per line (the units line near the top, arrays inline)."""
    return "{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in doc.items()) + "\n}\n"


def format_hoomd_pairs(species, tables: dict, units, comment: str = "") -> str:
    """One HOOMD-blue JSON file for a set of pair tables ({"A-B": PairTable, reduced})."""
    doc = {"format": MARK, "species": list(species), "units": units.header(), "comment": comment or "",
           "use": USE, "pairs": {p: _entry(t, units, _start(t), float(t.r_cut)) for p, t in tables.items()}}
    return _dumps(doc)


def params(doc: dict) -> dict:
    """{(a, b): entry} of a file this module wrote (one pair: ("A", "A"))."""
    if "pairs" in doc:
        return {tuple(p.split("-")): e for p, e in doc["pairs"].items()}
    return {("A", "A"): doc}


def read_hoomd(path, text: str, source: str):
    """``(r, U, F)`` in file units from a one-pair file :func:`format_hoomd` wrote."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not a HOOMD-blue table file: {exc.msg} (line {exc.lineno})", source) from None
    if not isinstance(doc, dict) or "pairs" in doc:
        raise InputError("not a one-pair HOOMD-blue table (a pair set is read with its spec)", source)
    missing = {"r_min", "r_cut", "U", "F"} - set(doc)
    if missing:
        raise InputError(f"not a HOOMD-blue table file: no {', '.join(sorted(missing))}", source)
    u, f = np.asarray(doc["U"], float), np.asarray(doc["F"], float)
    if u.ndim != 1 or u.size < 5 or f.shape != u.shape:
        raise InputError("U and F must be lists of the same length (at least 5)", source)
    r = np.linspace(float(doc["r_min"]), float(doc["r_cut"]), u.size, endpoint=False)
    return r, u, f


def is_hoomd(text: str) -> bool:
    return MARK in text[:300]
