"""What the Python API (:mod:`boltzmann_nn.api`) returns: each call's typed result beside
the JSON record the command line prints (:meth:`to_dict`, in the user's units, with the
paths of the files written).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Record:
    """The JSON record of a call (user units; arrays as lists)."""

    record: dict = field(repr=False)

    def to_dict(self) -> dict:
        return self.record


@dataclass
class TabulatedPotential(_Record):
    """:func:`~boltzmann_nn.api.tabulate`: ``table`` (a PairTable, reduced units)."""

    table: object = None


@dataclass
class VirialCoefficients(_Record):
    """:func:`~boltzmann_nn.api.virial`: B2 and B3 [σ³, σ⁶]."""

    b2: float = float("nan")
    b3: float = float("nan")


@dataclass
class OZStructure(_Record):
    """:func:`~boltzmann_nn.api.solve_oz`: the full :class:`~boltzmann_nn.theory.oz.OZResult`."""

    result: object = None


@dataclass
class InvertedPotential(_Record):
    """:func:`~boltzmann_nn.api.invert_gr`: ``table`` (PairTable with the core made steep,
    reduced units) and the inverted U on the g(r) points (``r`` [σ], ``u`` [k_BT]).
    """

    table: object = None
    r: object = None
    u: object = None


@dataclass
class SimulationReport(_Record):
    """:func:`~boltzmann_nn.api.simulate_potential`: the
    :class:`~boltzmann_nn.engines.base.SimulationResult`.
    """

    result: object = None


@dataclass
class ValidationReport(_Record):
    """:func:`~boltzmann_nn.api.validate_potential`: the
    :class:`~boltzmann_nn.refine.validate.Validation` (reduced units).
    """

    validation: object = None


@dataclass
class RefinementReport(_Record):
    """:func:`~boltzmann_nn.api.refine_potential`: the
    :class:`~boltzmann_nn.refine.loop.RefineResult` (reduced units; its ``iterations`` are
    typed records).
    """

    result: object = None
