"""Typed results of the networks' predictions.

Each result holds its arrays in reduced units (σ, k_BT) with the :class:`Units` the user
asked for, offers them as attributes, and converts to the JSON the CLI prints with
:meth:`to_dict`. ``result["key"]`` reads the same JSON view (read-only), so scripts that
index the result keep working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ...units import Units


class _JSONView(Mapping):
    """Read-only mapping access to :meth:`to_dict`."""

    def to_dict(self) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def __getitem__(self, key):
        return self.to_dict()[key]

    def __iter__(self):
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())


@dataclass(frozen=True, eq=False)
class EOSPrediction(_JSONView):
    """Pressure and virial coefficients predicted from U(r).

    Attributes:
        density: (n,) [σ⁻³]; pressure, pressure_spread, p0: (n,) [k_BT/σ³]; b2_exact [σ³];
        virial_coefficients: ``{"B2": …, …}`` [σ^(3(i−1))]: the network's effective
            coefficients of a truncated series (``B2_effective`` per density for the B2*
            strategy), not the virial coefficients; b2_exact, b3_exact are.
        units: the user's units (densities were given in them).
    """

    model: str
    strategy: str
    options: str
    density: np.ndarray
    pressure: np.ndarray
    pressure_spread: np.ndarray
    b2_exact: float
    p0: np.ndarray
    potential: dict
    virial_coefficients: dict
    virial_coefficients_spread: dict | None = None
    warnings: list = field(default_factory=list)
    units: Units = field(default_factory=Units)
    density_input: np.ndarray | None = None
    b3_exact: float | None = None

    def to_dict(self) -> dict:
        out = {"model": self.model, "strategy": self.strategy, "options": self.options,
               "density": self.density.tolist(), "pressure": self.pressure.tolist(),
               "pressure_spread": self.pressure_spread.tolist(), "B2_exact": self.b2_exact,
               "B3_exact": self.b3_exact,
               "coefficients_note": "virial_coefficients are the network's effective coefficients of a "
                                    "truncated series fitted to P(rho), not the virial coefficients; "
                                    "B2_exact and B3_exact are",
               "P0": self.p0.tolist(), "warnings": list(self.warnings), "potential": self.potential,
               "virial_coefficients": self.virial_coefficients}
        if self.virial_coefficients_spread is not None:
            out["virial_coefficients_spread"] = self.virial_coefficients_spread
        if not self.units.is_reduced:
            out["units"] = self.units.header()
            out["density_phys"] = np.asarray(self.density_input).tolist()
            out["pressure_phys"] = self.units.pressure(self.pressure).tolist()
            bar = self.units.pressure_bar(self.pressure)
            out["pressure_bar"] = None if bar is None else np.asarray(bar).tolist()
        return out


@dataclass(frozen=True, eq=False)
class PotentialPrediction(_JSONView):
    """A pair potential predicted from g(r) at a known density.

    Attributes:
        r: the network grid (50,) [σ]; u: the prediction with its core capped at U_cut,
        u_network: the ensemble mean as predicted, spread: its ensemble spread, u0: the
        Boltzmann inversion, all (50,) [k_BT]; table: an MD-ready ``PairTable`` [σ, k_BT];
        r_g, g: the input g(r) as used [σ]; units: the user's units; pressure_virial: the
        virial pressure of the network's Û with that g(r) [k_BT/σ³]; pressure_target and
        pressure_ramp: the pressure asked for and the ramp's height A [k_BT] that meets it
        (both None and 0 without one; u and table include the ramp, u_network does not).
    """

    model: str
    options: str
    density: float
    r: np.ndarray
    u: np.ndarray
    u_network: np.ndarray
    spread: np.ndarray
    u0: np.ndarray
    table: object
    r_g: np.ndarray
    g: np.ndarray
    source: str
    warnings: list = field(default_factory=list)
    units: Units = field(default_factory=Units)
    pressure_virial: float | None = None
    pressure_target: float | None = None
    pressure_ramp: float = 0.0
    #: Which estimate ``refine --start auto`` trusts for this g(r) and why
    #: (:class:`~boltzmann_nn.refine.start_rule.StartChoice`), or None.
    start_choice: object = None

    def to_dict(self) -> dict:
        un, t = self.units, self.table
        return {
            "model": self.model, "options": self.options, "density": float(un.density(self.density)),
            "density_reduced": self.density, "density_unit": un.density_label,
            "pressure_unit": un.pressure_label, "energy_unit": un.energy_label,
            "r": un.length(self.r).tolist(), "U": un.energy(self.u).tolist(),
            "U_network": un.energy(self.u_network).tolist(), "spread": un.energy(self.spread).tolist(),
            "U0": un.energy(self.u0).tolist(),
            "table": {"r": un.length(t.r).tolist(), "U": un.energy(t.U).tolist(), "F": un.force(t.F).tolist()},
            "units": un.header(), "warnings": list(self.warnings), "source": self.source,
            "pressure_virial": None if self.pressure_virial is None else un.pressure(self.pressure_virial),
            "pressure_target": None if self.pressure_target is None else un.pressure(self.pressure_target),
            "pressure_ramp": un.energy(self.pressure_ramp),
            "pressure_virial_bar": (None if self.pressure_virial is None
                                    else un.pressure_bar(self.pressure_virial)),
            "start_choice": None if self.start_choice is None else self.start_choice.to_dict(),
        }
