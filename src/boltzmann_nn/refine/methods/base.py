"""What a refinement method is: the protocol the loop talks to, and the residual a step
is computed from.

A method says what a run must sample for it (:meth:`RefinementMethod.sampler`), its
shortest run (:attr:`min_steps`), what it takes from a finished run for its next step
(:meth:`measure`), the full update ΔU (:meth:`direction`), how a target pressure enters
(:meth:`pressure_before_scaling`, :meth:`pressure_after_scaling`), and whether its step
length is fitted to the runs' response (:attr:`fitted_step`). The loop
(:mod:`boltzmann_nn.refine.loop`) scales the step, keeps the trust region and the best
iterate, and never asks a method's name.

A step is computed from a :class:`Residual`: one pair's g(r) of one state against its
target. A mixture or several states hand a method one residual per pair and state; the
methods here take one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Residual:
    """One pair at one state: where the base iteration's run stands against the target.

    Attributes:
        grid: The refinement grid, shape (n,) [σ].
        u: The base iteration's potential on ``grid`` [k_BT].
        g_target, g_run: Target and run g(r) on ``grid``.
        err: Their combined standard error on ``grid``.
        density: Number density [σ⁻³].
        pressure_run: The base run's virial pressure [k_BT/σ³].
        pressure_target: The target pressure [k_BT/σ³], or None.
        measured: What the method took from the base run (:meth:`RefinementMethod.measure`),
            or None.
        mixing: How the grid's points share the target's bins in the base run
            (:func:`~boltzmann_nn.refine.binning.bin_mixing`), or None where the run is
            compared point by point.
        run_r, run_g: The base run's own g(r) on its sampling points (finer than ``grid``),
            or None.
        within_noise: The base run's g(r) is within the noise of the target.
    """

    grid: np.ndarray
    u: np.ndarray
    g_target: np.ndarray
    g_run: np.ndarray
    err: np.ndarray
    density: float
    pressure_run: float
    pressure_target: float | None = None
    measured: np.ndarray | None = None
    mixing: np.ndarray | None = None
    run_r: np.ndarray | None = None
    run_g: np.ndarray | None = None
    within_noise: bool = False


@dataclass
class Direction:
    """A full update ΔU on the grid [k_BT]; ``with_pressure``: it already meets the target
    pressure (the loop adds no pressure correction).
    """

    du: np.ndarray
    with_pressure: bool = False


class RefinementMethod:
    """The base of every refinement method (one module per method, registered in
    :data:`boltzmann_nn.refine.methods.METHODS`).
    """

    #: The name the CLI and settings use.
    name: str = ""
    #: One line for ``--help``.
    summary: str = ""
    #: The step length is fitted to the response of the last step (a secant).
    fitted_step: bool = False
    #: The shortest production run an iteration of this method needs [steps].
    min_steps: int = 0

    def sampler(self, grid, table, steps: int, pressure: float | None):
        """What a run must sample besides g(r) and P (called as ``sampler(positions, box)``
        on production frames), or None.
        """
        return None

    def measure(self, grid, target, result, sampler, pressure: float | None) -> np.ndarray | None:
        """What the next step needs from a usable run beyond its g(r) (stored with the
        iteration), or None.
        """
        return None

    def direction(self, res: Residual) -> Direction:
        """The full update ΔU from ``res``."""
        raise NotImplementedError

    def pressure_before_scaling(self, du, res: Residual) -> np.ndarray:
        """``du`` with the target pressure's correction added before the step is scaled."""
        return du

    def pressure_after_scaling(self, du, res: Residual, scale: float, max_du: float) -> np.ndarray:
        """The scaled step ``du`` (``scale`` × the direction) with the target pressure's
        correction added after scaling (itself at most ``max_du`` [k_BT]).
        """
        return du
