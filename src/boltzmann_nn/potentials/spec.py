"""Potentials named on the command line.

``SPEC`` is either a named potential, ``NAME[:key=value,...]``, or a table file:

* ``lj:epsilon=0.5,rcut=5`` — Lennard-Jones with ε = 0.5 k_BT cut (and shifted) at 5σ
* ``wca``, ``soft:n=12``, ``gauss:epsilon=2``, ``yukawa:kappa=2``, ``morse:alpha=6``,
  ``hertz:epsilon=10``, ``hs`` (steep core), ``ideal``
* ``random:seed=7`` — a potential of the paper's random generator (options: any
  :class:`RandomSettings` field, e.g. ``wca_fraction=1``)
* ``rcut=inf`` keeps the full potential (virial coefficients only; no table);
  ``shift=false`` leaves U(r_cut) unshifted.
* anything else is read as a table file (CSV ``r,U[,F]``, LAMMPS table, VOTCA .pot).
"""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import InputError
from .analytic import REGISTRY
from .base import NamedPotential, Potential
from .random import RandomPotential, RandomSettings
from .table import read_potential_table


def _value(text: str, key: str, spec: str):
    low = text.strip().lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    if low in ("inf", "infinity"):
        return math.inf
    try:
        return float(text)
    except ValueError:
        raise InputError(f"value of {key!r} must be a number, got {text!r}", spec) from None


def parse_options(text: str, spec: str) -> dict:
    opts = {}
    for item in filter(None, (s.strip() for s in text.split(","))):
        if "=" not in item:
            raise InputError(f"expected key=value, got {item!r}", spec)
        key, val = item.split("=", 1)
        opts[key.strip()] = _value(val, key.strip(), spec)
    return opts


def parse_potential(spec: str, units=None) -> Potential:
    """A :class:`Potential` from a spec string (see module docs) or a table file."""
    name, _, rest = spec.partition(":")
    name = name.strip().lower()
    if name == "random":
        opts = parse_options(rest, spec)
        seed = opts.pop("seed", None)
        if seed is None or seed < 0 or seed != int(seed):
            raise InputError("random potentials need seed=N (a non-negative integer)", spec)
        fields = RandomSettings.__dataclass_fields__
        unknown = set(opts) - set(fields)
        if unknown:
            raise InputError(f"unknown options {sorted(unknown)}; known: seed, {sorted(fields)}", spec)
        ints = {"knots_min", "knots_max", "degree_min", "degree_max"}
        opts = {k: int(v) if k in ints else v for k, v in opts.items()}
        return RandomPotential(int(seed), RandomSettings(**opts))
    if name in REGISTRY and not Path(spec).exists():
        opts = parse_options(rest, spec)
        r_cut = opts.pop("rcut", None)
        shift = bool(opts.pop("shift", True))
        defaults = REGISTRY[name][1]
        unknown = set(opts) - set(defaults)
        if unknown:
            raise InputError(
                f"unknown parameters {sorted(unknown)} for {name}; known: "
                f"{sorted(defaults) + ['rcut', 'shift']}", spec)
        if r_cut is not None and not (r_cut > 0):
            raise InputError(f"rcut must be > 0, got {r_cut}", spec)
        return NamedPotential(name, opts, r_cut=r_cut, shift=shift)
    path = Path(spec)
    if not path.exists():
        known = ", ".join(sorted(REGISTRY) + ["random"])
        raise InputError(f"neither a file nor a named potential (known: {known})", spec)
    return read_potential_table(path, units=units)
