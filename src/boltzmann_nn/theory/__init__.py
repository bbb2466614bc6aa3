"""Theory baselines: virial coefficients, inversions, Ornstein–Zernike, pressure routes."""

from .inversion import boltzmann_inversion, extend_core, hnc_inversion, invert
from .oz import OZResult, OZSolver
from .pressure import virial_pressure
from .virial import b2, b3, carnahan_starling, mayer_f, p0, virial_summary

__all__ = ["OZResult", "OZSolver", "b2", "b3", "boltzmann_inversion", "carnahan_starling",
           "extend_core", "hnc_inversion", "invert", "mayer_f", "p0", "virial_pressure",
           "virial_summary"]
