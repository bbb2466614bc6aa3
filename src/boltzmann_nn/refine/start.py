"""Where a refinement starts — a registered start (:data:`STARTS`: the network's
prediction, or any inversion of :data:`~boltzmann_nn.theory.inversion.INVERSIONS` applied
to the target) or a potential file — and the grid the refined potential lives on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from ..potentials.base import R_TABLE_MIN_SOFT
from ..potentials.table import PairTable
from ..theory.inversion import INVERSIONS, extend_core, invert
from ..units import U_CUT, Units
from .compare import G_INFORMATIVE
from .target import Target

#: A target with pairs closer than this [σ] has a soft core (particles overlap).
SOFT_PROBE = 0.1
#: Where an inverted start's core extension begins [σ].
CORE_FROM = 0.05
#: Points of the MD table made from a refinement-grid potential (:func:`refined_table`).
REFINED_TABLE_POINTS = 1000


def network_start(target: Target, model: str = "inverse") -> PairTable:
    """The inverse network's potential for the target g(r)."""
    from ..ml.serving.predict import predict_potential

    return predict_potential((target.r, target.g), target.density, model=model).table


def inversion_start(name: str):
    """A start that inverts the target by the inversion ``name`` (its core made steep)."""

    def start(target: Target, model: str = "inverse") -> PairTable:
        u = invert(target.r, target.g, target.density, name)
        r, u = _below_first_point(target.r, u)
        r_t, u_t, f_t = extend_core(r, u)
        return PairTable(r_t, u_t, f_t, name=f"{name}-inversion", check_force=False)

    return start


def auto_start(target: Target, model: str = "inverse") -> PairTable:
    """The network's Û or HNC inversion, as :func:`~boltzmann_nn.refine.start_rule.choose_start`
    picks for the target (the table's name says which: ``auto-network``, ``auto-hnc``); the
    other one is its ``alternative``, simulated next if the first run makes another fluid
    (:data:`~boltzmann_nn.refine.loop.FAR_START`).
    """
    from .start_rule import choose_start

    choice = choose_start(target.r, target.g, target.density)
    table = STARTS[choice.start](target, model=model)
    table.name = f"auto-{choice.start}"
    other = "hnc" if choice.start == "network" else "network"
    table.alternative = STARTS[other](target, model=model)
    table.alternative.name = f"auto-{other}"
    return table


#: Starts by name: ``f(target, model) -> PairTable`` (reduced units). ``refine --start``
#: takes these names or a potential file.
STARTS = {"network": network_start, **{name: inversion_start(name) for name in INVERSIONS}, "auto": auto_start}


def start_names() -> list[str]:
    return list(STARTS)


#: Starts whose potential depends on a trained model (their results are tied to its version).
MODEL_STARTS = frozenset({"network", "auto"})


def start_uses_model(name: str) -> bool:
    """Whether the start ``name`` comes from a trained model (see :data:`MODEL_STARTS`)."""
    return name in MODEL_STARTS


def start_table(start: str, target: Target, units: Units | None = None, model: str = "inverse") -> PairTable:
    """The starting potential as a table (reduced units).

    Args:
        start: A name of :data:`STARTS` (``network``, ``hnc``, ``boltzmann``), or a
            potential file (CSV, LAMMPS, VOTCA).
        target: The target g(r).
        units: Units of a potential file.
        model: Inverse model for the ``network`` start.
    """
    if start in STARTS:
        return STARTS[start](target, model=model)
    if not Path(start).is_file():
        raise InputError(f"--start must be one of {start_names()} or a potential file; no such file", start)
    from ..potentials.table import read_potential_table

    return read_potential_table(start, units)


def _below_first_point(r, u):
    """A target that begins at r0 > 0.05σ (VOTCA's do) says nothing below r0: mark that range
    as core (U_cut), so that :func:`extend_core` continues U steeply below r0.
    """
    spacing = float(np.median(np.diff(r)))
    if r[0] - CORE_FROM <= spacing:
        return r, u
    pre = np.arange(CORE_FROM, r[0] - 0.5 * spacing, spacing)
    return np.concatenate([pre, r]), np.concatenate([np.full(pre.size, U_CUT), u])


def refinement_grid(target: Target, table: PairTable, r_cut: float) -> np.ndarray:
    """The points the refined potential is kept on: the target's points from the start
    table's first point (from r = 10⁻⁵σ where the target shows overlapping particles) up to
    ``r_cut``, and ``r_cut`` itself.
    """
    if target.r[0] <= SOFT_PROBE and target.g[target.r <= SOFT_PROBE].max() > G_INFORMATIVE:
        # a soft core: particles overlap, so the potential is needed down to r -> 0 (below
        # the start table's first point it begins flat, and the updates shape it)
        inside = target.r[(target.r > R_TABLE_MIN_SOFT) & (target.r < r_cut - 1e-9)]
        return np.concatenate([[R_TABLE_MIN_SOFT], inside, [r_cut]])
    r0 = table.table_start()
    inside = target.r[(target.r >= r0) & (target.r < r_cut - 1e-9)]
    if inside.size < 10:
        raise InputError(f"fewer than 10 target points between the table start ({r0:.3g}) and "
                         f"r_cut ({r_cut:.3g})", target.source)
    spacing = float(np.median(np.diff(target.r)))
    if inside[0] - r0 > spacing:
        # the target begins inside the core (as VOTCA's do): the start's core below it
        inside = np.concatenate([np.arange(r0, inside[0] - 0.5 * spacing, spacing), inside])
    return np.concatenate([inside, [r_cut]])


def grid_potential(table: PairTable, grid) -> np.ndarray:
    """U of ``table`` on ``grid``, shifted to 0 at the last point (the cutoff). On a soft
    grid (from r = 10⁻⁵σ) U is capped at U_cut: an inverted profile's steep core would wall
    off the overlapping pairs the target shows.
    """
    u = table.evaluate(grid)[0]
    u = u - u[-1]
    return np.minimum(u, U_CUT) if grid[0] <= R_TABLE_MIN_SOFT else u


def refined_table(grid, u, name: str = "refined") -> PairTable:
    """An MD table from U on the refinement grid: a shape-preserving cubic through the
    points and F = −dU/dr from it.
    """
    from ..pchip import Pchip

    spline = Pchip(grid, u)
    r = np.linspace(grid[0], grid[-1], REFINED_TABLE_POINTS)
    return PairTable(r, spline(r), -spline.slope(r), name=name, check_force=False)
