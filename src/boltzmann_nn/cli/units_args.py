"""Command-line options for physical units (--sigma, --temperature, --energy-unit)."""

from __future__ import annotations

from dataclasses import replace

from ..errors import InputError
from ..units import LAMMPS_STYLES, LENGTHS, Units, parse_quantity


def add_unit_args(p):
    g = p.add_argument_group("physical units (default: reduced units, sigma = k_BT = 1)")
    g.add_argument("--sigma", help="length scale with unit, e.g. 0.34nm or 3.4A")
    g.add_argument("--temperature", type=float, help="temperature in K (sets k_BT)")
    g.add_argument("--kT", type=float, help="k_BT in --energy-unit (instead of --temperature)")
    g.add_argument("--energy-unit", default="kJ/mol", help="kJ/mol (default), kcal/mol, eV, K")
    g.add_argument("--file-length-unit", choices=[u for u in LENGTHS if u != "sigma"],
                   help="distance unit of input files (g(r), tables) that do not state theirs "
                        "(default: the unit of --sigma)")
    g.add_argument("--lammps-units", choices=list(LAMMPS_STYLES),
                   help="write LAMMPS tables in this LAMMPS units style (real: A and kcal/mol, metal: "
                        "A and eV, si, lj: reduced); physical styles need --sigma and --temperature")


def units_from_args(args) -> Units:
    units = _units(args)
    style = getattr(args, "lammps_units", None)
    file_unit = getattr(args, "file_length_unit", None)
    if file_unit and units.is_reduced:
        raise InputError("--file-length-unit needs --sigma with a unit and a temperature")
    return replace(units, lammps_style=style or None, file_length_unit=file_unit)


def _units(args) -> Units:
    if not args.sigma and args.temperature is None and args.kT is None:
        return Units()
    if not args.sigma:
        raise InputError("--sigma is needed with --temperature/--kT (e.g. --sigma 0.34nm)")
    value, unit = parse_quantity(args.sigma, "--sigma")
    unit = {"Å": "A", "a": "A", "angstrom": "A"}.get(unit, unit)
    if unit not in LENGTHS:
        raise InputError(f"--sigma unit {unit!r} unknown; use nm, A or pm")
    if args.temperature is not None:
        return Units.from_temperature(value, unit, args.temperature, args.energy_unit)
    if args.kT is None:
        raise InputError("--sigma needs --temperature (K) or --kT")
    return Units(value, unit, args.kT, args.energy_unit)
