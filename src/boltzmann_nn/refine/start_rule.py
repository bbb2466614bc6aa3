"""``refine``'s default start (``--start auto``): the network's Û or HNC inversion, chosen by
what the target's own structure says about HNC.

HNC inversion is exact to first order where the HNC closure is a good model of the fluid's
response and poor where the closure puts the state near its own instability: there its
linear response δg = J δU (:func:`~boltzmann_nn.theory.response.hnc_response`) grows
without bound and small closure errors become large errors of U. The largest eigenvalue λ
of the target's structure metric M = (JP)ᵀ(JP)/n (how far g moves, squared, per unit error
of U along the most sensitive shape) measures that, from the target alone and in a
millisecond. The rule: the network where λ >= :data:`LAMBDA_NETWORK` or ρ >=
:data:`DENSITY_NETWORK`, HNC inversion elsewhere.

The thresholds were chosen on the training folds with every fold's run predicted by the
committee member that never saw it (``benchmarks/start_rule.py``, which prints the table
they were chosen from and the result on the held-out test runs); MD of each start at the
refinement study's states checks the rule (``benchmarks/start_md.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..grid import NN_GRID

#: λ (k_BT⁻²) at and above which the network is the start (see the module docstring).
LAMBDA_NETWORK = 0.05
#: Density (ρσ³) at and above which the network is the start whatever λ says.
DENSITY_NETWORK = float("inf")


@dataclass(frozen=True)
class StartChoice:
    """The start ``auto`` picks (``network`` or ``hnc``), the evidence and why, in words."""

    start: str
    stiffness: float
    density: float
    why: str

    def to_dict(self) -> dict:
        return {"start": self.start, "hnc_stiffness": self.stiffness, "density": self.density, "why": self.why}


def hnc_stiffness(r, g, density: float) -> float:
    """λ: the largest eigenvalue of the structure metric of g(r) at ``density`` [k_BT⁻²]."""
    from ..theory.response import structure_metric

    m = structure_metric(r, g, density, NN_GRID.r, eig_cap=None)
    return float(np.linalg.eigvalsh(m)[-1])


def choose_start(r, g, density: float) -> StartChoice:
    """The start the rule picks for the target g(r) at ``density``."""
    lam = hnc_stiffness(r, g, density)
    evidence = "on held-out training runs (benchmarks/start_rule.py)"
    if lam >= LAMBDA_NETWORK or density >= DENSITY_NETWORK:
        why = (f"largest eigenvalue of the HNC response at this g(r) {lam:.3g} >= {LAMBDA_NETWORK:g} k_BT^-2, "
               f"where the network's U reproduced g(r) better than HNC inversion {evidence}")
        return StartChoice("network", lam, density, why)
    why = (f"largest eigenvalue of the HNC response at this g(r) {lam:.3g} < {LAMBDA_NETWORK:g} k_BT^-2, "
           f"where HNC inversion reproduced g(r) better than the network's U {evidence}")
    return StartChoice("hnc", lam, density, why)
