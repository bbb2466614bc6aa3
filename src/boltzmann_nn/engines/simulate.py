"""One simulation as a library call: potential + state point -> SimulationResult."""

from __future__ import annotations

import math

import numpy as np

from .base import Progress, SimulationResult, StatePoint
from .protocol import Engine


def default_engine() -> Engine:
    from .registry import get_engine

    return get_engine()


def pressure_tail(potential, density: float, r_max: float = 1e3) -> float:
    """Long-range correction to the virial pressure for forces cut at r_cut.

    ΔP = (2π/3) ρ² ∫_{r_cut}^∞ r³ F(r) dr, assuming g(r) = 1 beyond r_cut. Needs the
    uncut potential (``evaluate_uncut``); tables have none and get 0.
    """
    uncut = getattr(potential, "evaluate_uncut", None)
    if uncut is None:
        return 0.0
    from scipy import integrate

    def integrand(r):
        return r**3 * float(uncut(np.array([r]))[1][0])

    val, _ = integrate.quad(integrand, potential.r_cut, r_max, limit=200)
    return 2.0 * math.pi / 3.0 * density**2 * val


def simulate(potential, state: StatePoint, *, engine: Engine | None = None,
             tail_correction: bool = False, progress: Progress | None = None) -> SimulationResult:
    """Simulate ``potential`` at ``state`` and return the result (never raises on failure).

    Args:
        potential: Any :class:`~boltzmann_nn.potentials.base.Potential`.
        state: The state point and run settings.
        engine: Default :class:`~boltzmann_nn.engines.lammps.LammpsEngine`.
        tail_correction: Add :func:`pressure_tail` (named potentials only).
        progress: Called with (steps done, steps total).
    """
    engine = engine or default_engine()
    result = engine.run(potential, state, progress=progress)
    if result.ok and tail_correction:
        tail = pressure_tail(potential, state.density)
        result.pressure_tail = tail
        result.pressure += tail
    result.settings["tail_correction"] = bool(tail_correction)
    result.settings["potential"] = potential.describe()
    return result
