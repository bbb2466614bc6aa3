"""Pair potentials: analytic functions, the paper's random generator, tables."""

from .base import NamedPotential, Potential
from .random import RandomPotential, RandomSettings
from .spec import parse_potential
from .table import PairTable

__all__ = ["NamedPotential", "PairTable", "Potential", "RandomPotential", "RandomSettings",
           "parse_potential"]
