"""Reduced units, stated once.

Every quantity inside boltzmann-nn is in reduced units:

* length: σ (particle diameter)
* energy: k_BT (temperature T = 1, β = 1/k_BT = 1)
* mass: m = 1, time: τ = sqrt(m σ² / k_BT)
* number density: σ⁻³, pressure: k_BT/σ³, force: k_BT/σ

:class:`Units` converts to and from a user's physical units (nm or Å, kJ/mol, kcal/mol,
eV or K) given a length scale σ and a temperature or energy scale.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import InputError

# SI constants, exact by the 2019 definition of the SI (CODATA 2018, the values
# scipy.constants gives); stated here so that importing units costs no SciPy.
_BOLTZMANN = 1.380649e-23  #: k_B [J/K]
_AVOGADRO = 6.02214076e23  #: N_A [1/mol]
_ELEMENTARY_CHARGE = 1.602176634e-19  #: e [C]
_GAS_CONSTANT = _BOLTZMANN * _AVOGADRO  #: R = N_A k_B [J/(mol K)]
_CALORIE = 4.184  #: thermochemical calorie [J]
_BAR = 1e5  #: [Pa]

#: Header line written into every file we produce.
UNITS_HEADER = "units: r [sigma], U [k_BT], F [k_BT/sigma], rho [sigma^-3], P [k_BT/sigma^3]"

#: Cap for the potential seen by the networks (paper §3.1), in k_BT.
U_CUT = 20.0

#: Temperature [K] at which k_BT = 1 kJ/mol (OpenMM's units with σ = 1 nm, m = 1 amu).
kT_KJ_PER_MOL_TEMPERATURE = 1000.0 / _GAS_CONSTANT

#: Largest number density accepted [σ⁻³]: 7× random close packing of hard spheres;
#: only interpenetrating soft particles get near it.
MAX_DENSITY = 10.0


def check_density(density, what: str = "density", source: str | None = None) -> float:
    """``density`` as a float in (0, MAX_DENSITY] [σ⁻³], else an InputError."""
    try:
        rho = float(density)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {density!r}", source) from None
    if not (0 < rho <= MAX_DENSITY):
        raise InputError(f"{what} must be in (0, {MAX_DENSITY:g}] sigma^-3, got {density}", source)
    return rho

#: Boltzmann constant in the energy units we accept, per kelvin (exact SI values above).
K_B = {
    "kJ/mol": _GAS_CONSTANT / 1e3,
    "kcal/mol": _GAS_CONSTANT / _CALORIE / 1e3,
    "eV": _BOLTZMANN / _ELEMENTARY_CHARGE,
    "K": 1.0,
    "J": _BOLTZMANN,
}

#: Length units we accept, in metres.
LENGTHS = {"nm": 1e-9, "A": 1e-10, "Å": 1e-10, "pm": 1e-12, "m": 1.0, "sigma": None}

#: LAMMPS ``units`` styles a table can be written in: (length unit, energy unit) of the
#: style. ``lj`` is reduced (σ, k_BT: ε = k_BT, T* = 1).
LAMMPS_STYLES = {"lj": ("sigma", "kT"), "real": ("A", "kcal/mol"), "metal": ("A", "eV"), "si": ("m", "J")}

#: Pressure units a pressure may be given in, in bar.
PRESSURE_UNITS_BAR = {"bar": 1.0, "atm": 1.01325, "Pa": 1e-5, "kPa": 1e-2, "MPa": 10.0}

#: 1 kJ/mol / nm³ in bar (pressure conversion for molar energies).
_KJMOL_NM3_IN_BAR = 1e3 / _AVOGADRO / 1e-27 / _BAR


@dataclass(frozen=True)
class Units:
    """A conversion between reduced and physical units.

    Args:
        sigma: The length scale σ in ``length_unit``.
        length_unit: One of ``nm``, ``A`` (Å), ``pm``, ``m`` or ``sigma`` (already reduced).
        kT: The thermal energy k_BT in ``energy_unit``.
        energy_unit: One of ``kJ/mol``, ``kcal/mol``, ``eV``, ``K``, ``J`` or ``kT``.
        lammps_style: The LAMMPS ``units`` style LAMMPS tables are written in (a key of
            :data:`LAMMPS_STYLES`); None: in the units above.
        file_length_unit: The distance unit of input files (g(r), tables) that do not
            declare theirs; None: ``length_unit``.
    """

    sigma: float = 1.0
    length_unit: str = "sigma"
    kT: float = 1.0
    energy_unit: str = "kT"
    lammps_style: str | None = None
    file_length_unit: str | None = None

    def __post_init__(self):
        if not (self.sigma > 0):
            raise InputError(f"length scale sigma must be > 0, got {self.sigma}")
        if not (self.kT > 0):
            raise InputError(f"energy scale k_BT must be > 0, got {self.kT}")
        if self.length_unit not in LENGTHS:
            raise InputError(
                f"unknown length unit {self.length_unit!r}; use one of {sorted(LENGTHS)}"
            )
        if self.energy_unit not in K_B and self.energy_unit != "kT":
            raise InputError(
                f"unknown energy unit {self.energy_unit!r}; use one of {sorted(K_B) + ['kT']}"
            )
        if self.file_length_unit is not None:
            if self.file_length_unit not in LENGTHS:
                raise InputError(f"unknown file length unit {self.file_length_unit!r}; "
                                 f"use one of {sorted(LENGTHS)}")
            if (LENGTHS[self.file_length_unit] is None) != (LENGTHS[self.length_unit] is None):
                raise InputError(f"input files in {self.file_length_unit} need sigma in a physical unit "
                                 f"(got sigma in {self.length_unit})")
        if self.lammps_style is not None:
            if self.lammps_style not in LAMMPS_STYLES:
                raise InputError(f"unknown LAMMPS units style {self.lammps_style!r}; "
                                 f"use one of {', '.join(LAMMPS_STYLES)}")
            self.for_lammps()  # refuse a physical style without physical units now

    def in_units(self, length_unit: str, energy_unit: str) -> Units:
        """The same σ and k_BT expressed in other units (``sigma``/``kT``: reduced)."""
        if (length_unit, energy_unit) == ("sigma", "kT"):
            return Units()
        if LENGTHS.get(self.length_unit) is None or self.energy_unit not in K_B:
            raise InputError(f"tables in {length_unit} and {energy_unit} need physical units: "
                             "give sigma with a unit and a temperature or kT")
        sigma = self.sigma * LENGTHS[self.length_unit] / LENGTHS[length_unit]
        kT = self.kT * K_B[energy_unit] / K_B[self.energy_unit]
        return Units(sigma, length_unit, kT, energy_unit, file_length_unit=self.file_length_unit)

    def for_lammps(self) -> Units:
        """The units LAMMPS tables are written in: :attr:`lammps_style`'s, else these."""
        if self.lammps_style is None:
            return self
        return self.in_units(*LAMMPS_STYLES[self.lammps_style])

    @classmethod
    def from_temperature(
        cls, sigma: float, length_unit: str, temperature: float, energy_unit: str = "kJ/mol"
    ) -> Units:
        """Units where k_BT follows from a temperature in kelvin."""
        if not (temperature > 0):
            raise InputError(f"temperature must be > 0 K, got {temperature}")
        if energy_unit not in K_B:
            raise InputError(f"unknown energy unit {energy_unit!r}; use one of {sorted(K_B)}")
        return cls(sigma, length_unit, K_B[energy_unit] * temperature, energy_unit)

    @property
    def is_reduced(self) -> bool:
        return self.sigma == 1.0 and self.kT == 1.0 and self.length_unit == "sigma"

    # reduced -> physical
    def length(self, r):
        return r * self.sigma

    def energy(self, u):
        return u * self.kT

    def force(self, f):
        return f * self.kT / self.sigma

    def density(self, rho):
        return rho / self.sigma**3

    def pressure(self, p):
        """Pressure in energy_unit / length_unit³."""
        return p * self.kT / self.sigma**3

    def pressure_bar(self, p) -> float | None:
        """Pressure in bar where the units allow it, else None."""
        metres = LENGTHS[self.length_unit]
        if metres is None or self.energy_unit == "kT":
            return None
        if self.energy_unit == "K":
            joule = self.kT * K_B["J"]
        elif self.energy_unit == "J":
            joule = self.kT
        elif self.energy_unit == "eV":
            joule = self.kT * 1.602176634e-19
        else:
            kj_per_mol = self.kT * (4.184 if self.energy_unit == "kcal/mol" else 1.0)
            joule = kj_per_mol * 1e3 / _AVOGADRO
        return p * joule / (self.sigma * metres) ** 3 / 1e5

    # physical -> reduced
    def to_reduced_length(self, r):
        return r / self.sigma

    def file_length_factor(self, declared: str | None = None) -> float:
        """Factor from an input file's distances to ``length_unit``: the file's own
        ``declared`` unit where it states one, else :attr:`file_length_unit`.
        """
        unit = declared or self.file_length_unit
        if unit is None or unit == self.length_unit or LENGTHS.get(self.length_unit) is None:
            return 1.0
        if LENGTHS.get(unit) is None:  # a file in σ
            return self.sigma
        return LENGTHS[unit] / LENGTHS[self.length_unit]

    def file_length_to_reduced(self, r, declared: str | None = None):
        """Distances read from an input file in σ (see :meth:`file_length_factor`)."""
        return self.to_reduced_length(r * self.file_length_factor(declared))

    def to_reduced_energy(self, u):
        return u / self.kT

    def to_reduced_force(self, f):
        return f * self.sigma / self.kT

    def to_reduced_density(self, rho):
        return rho * self.sigma**3

    def to_reduced_pressure(self, p):
        """Pressure in energy_unit / length_unit³ to k_BT/σ³."""
        return p * self.sigma**3 / self.kT

    def reduced_pressure(self, value) -> float:
        """A pressure as given — a number in this system's pressure unit (energy unit /
        length unit³, k_BT/σ³ when reduced), or text with a unit (``"1bar"``, ``"1 atm"``,
        ``Pa``, ``kPa``, ``MPa``) — in k_BT/σ³.
        """
        if isinstance(value, str):
            try:
                plain = float(value)
            except ValueError:
                plain = None
            if plain is not None:
                return self.reduced_pressure(plain)
            number, unit = parse_quantity(value, "pressure")
            if unit not in PRESSURE_UNITS_BAR:
                raise InputError(f"pressure {value!r}: unknown unit; use a number in the system's units or "
                                 f"one of {', '.join(PRESSURE_UNITS_BAR)}")
            per_bar = self.pressure_bar(1.0)
            if per_bar is None:
                raise InputError(f"pressure {value!r} needs physical units (sigma and a temperature)")
            return float(number * PRESSURE_UNITS_BAR[unit] / per_bar)
        number = float(value)
        if not math.isfinite(number):
            raise InputError(f"pressure must be finite, got {value}")
        return float(self.to_reduced_pressure(number))

    @property
    def length_label(self) -> str:
        """The length unit for an axis or a printed number (σ when reduced)."""
        return "σ" if self.length_unit == "sigma" else ("Å" if self.length_unit == "A" else self.length_unit)

    @property
    def density_label(self) -> str:
        """The unit of :meth:`density` for a printed number."""
        return f"{self.length_label}⁻³"

    @property
    def energy_label(self) -> str:
        """The unit of :meth:`energy` for a printed number (k_BT when reduced)."""
        return "k_BT" if self.is_reduced or self.energy_unit == "kT" else self.energy_unit

    @property
    def pressure_label(self) -> str:
        """The pressure unit of :meth:`pressure` for a printed number."""
        if self.is_reduced or self.energy_unit == "kT":
            return "k_BT/σ³"
        return f"{self.energy_unit}/{self.length_label}³"

    def header(self) -> str:
        """One line stating the units of a file we write."""
        if self.is_reduced:
            return UNITS_HEADER
        lu, eu = self.length_unit, self.energy_unit
        return (
            f"units: r [{lu}], U [{eu}], F [{eu}/{lu}], rho [{lu}^-3]; "
            f"converted from reduced units with sigma = {self.sigma:g} {lu}, "
            f"k_BT = {self.kT:.6g} {eu}"
        )


_NUMBER_UNIT = re.compile(r"^\s*([-+0-9.eE]+)\s*([A-Za-zÅ/]*)\s*$")


def parse_quantity(text: str, what: str) -> tuple[float, str]:
    """Split ``"0.34nm"`` or ``"0.34 nm"`` into ``(0.34, "nm")``."""
    m = _NUMBER_UNIT.match(text)
    if not m:
        raise InputError(f"cannot read {what} {text!r}; expected a number and a unit, e.g. 0.34nm")
    try:
        value = float(m.group(1))
    except ValueError as exc:
        raise InputError(f"cannot read {what} {text!r}: not a number") from exc
    return value, m.group(2)
