"""OpenMM pair tables: a Python file that builds a ``CustomNonbondedForce`` whose energy
is ``table(r)``, a natural cubic spline (``Continuous1DFunction``) through U on an even grid
in r (OpenMM's units are nm and kJ/mol: write with those units for a physical system).

The file only assigns literals (``R_MIN``, ``R_CUT``, ``U``, ``UNITS``) and defines
``pair_force()``; reading it back parses those literals and never executes the file.
"""

from __future__ import annotations

import ast

import numpy as np

from ..errors import InputError

#: Points of the OpenMM table per σ of range (at least the table's own).
POINTS_PER_SIGMA = 2000

_TEMPLATE = '''"""boltzmann-nn pair table for OpenMM: {name}
{units}
{comment}
Use: from this file import pair_force; force = pair_force(); add every particle with
force.addParticle([]); system.addForce(force).
"""

UNITS = {units_literal!r}
R_MIN = {r_min!r}
R_CUT = {r_cut!r}
U = {u!r}


def pair_force():
    import openmm

    force = openmm.CustomNonbondedForce(f"table(max(r, {{R_MIN!r}}))")
    force.addTabulatedFunction("table", openmm.Continuous1DFunction(U, R_MIN, R_CUT))
    force.setNonbondedMethod(openmm.CustomNonbondedForce.CutoffPeriodic)
    force.setCutoffDistance(R_CUT)
    force.setUseLongRangeCorrection(False)
    return force
'''


def format_openmm(table, units, comment: str = "") -> str:
    """The OpenMM Python file for ``table`` (a PairTable in reduced units) in ``units``."""
    lo = float(table.r[0] if table.r[0] > 0 else table.r[1])
    n = max(table.r.size, int(np.ceil((table.r_cut - lo) * POINTS_PER_SIGMA)) + 1)
    r = np.linspace(lo, table.r_cut, n)
    u = table.evaluate_smooth(r)[0]
    return _TEMPLATE.format(
        name=table.name, units=units.header(), comment=comment or "", units_literal=units.header(),
        r_min=float(units.length(lo)), r_cut=float(units.length(table.r_cut)),
        u=[float(v) for v in units.energy(u)],
    )


def read_openmm(path, text: str, source: str):
    """``(r, U, None)`` in file units from a file :func:`format_openmm` wrote (not executed)."""
    values = {}
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise InputError(f"not an OpenMM table file: {exc.msg} (line {exc.lineno})", source) from None
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in ("R_MIN", "R_CUT", "U"):
                try:
                    values[name] = ast.literal_eval(node.value)
                except ValueError:
                    raise InputError(f"{name} must be a literal", source) from None
    missing = {"R_MIN", "R_CUT", "U"} - set(values)
    if missing:
        raise InputError(f"not an OpenMM table file: no {', '.join(sorted(missing))}", source)
    u = np.asarray(values["U"], float)
    if u.ndim != 1 or u.size < 5:
        raise InputError("U must be a list of at least 5 numbers", source)
    r = np.linspace(float(values["R_MIN"]), float(values["R_CUT"]), u.size)
    return r, u, None


def is_openmm(text: str) -> bool:
    return "boltzmann-nn pair table for OpenMM" in text[:200]


_PAIRS_TEMPLATE = '''"""boltzmann-nn pair tables for OpenMM, species {species}
{units}
{comment}
Use: from this file import pair_force; force = pair_force(); for each particle,
force.addParticle([TYPES.index(its species)]); system.addForce(force).
The energy is table(r, S*type1 + type2): a cubic spline in r, exact at integer types.
"""

UNITS = {units_literal!r}
TYPES = {types!r}
R_MIN = {r_min!r}
R_CUT = {r_cut!r}
U_PAIRS = {u_pairs!r}


def pair_force():
    import openmm

    s, n = len(TYPES), len(next(iter(U_PAIRS.values())))
    values = [0.0] * (n * s * s)
    for name, u in U_PAIRS.items():
        a, b = (TYPES.index(t) for t in name.split("-"))
        for y in {{s * a + b, s * b + a}}:
            values[n * y:n * (y + 1)] = u
    force = openmm.CustomNonbondedForce(f"table(max(r, {{R_MIN!r}}), {{s}}*t1 + t2)")
    force.addPerParticleParameter("t")
    table = openmm.Continuous2DFunction(n, s * s, values, R_MIN, R_CUT, 0, s * s - 1)
    force.addTabulatedFunction("table", table)
    force.setNonbondedMethod(openmm.CustomNonbondedForce.CutoffPeriodic)
    force.setCutoffDistance(R_CUT)
    force.setUseLongRangeCorrection(False)
    return force
'''


def format_openmm_pairs(species, tables: dict, units, comment: str = "") -> str:
    """One OpenMM Python file for a set of pair tables ({"A-B": PairTable, reduced units})."""
    lo = min(float(t.r[0] if t.r[0] > 0 else t.r[1]) for t in tables.values())
    hi = max(float(t.r_cut) for t in tables.values())
    n = max(max(t.r.size for t in tables.values()), int(np.ceil((hi - lo) * POINTS_PER_SIGMA)) + 1)
    r = np.linspace(lo, hi, n)
    return _PAIRS_TEMPLATE.format(
        species=" ".join(species), units=units.header(), comment=comment or "", units_literal=units.header(),
        types=list(species), r_min=float(units.length(lo)), r_cut=float(units.length(hi)),
        u_pairs={p: [float(v) for v in units.energy(t.evaluate_smooth(r)[0])] for p, t in tables.items()},
    )
