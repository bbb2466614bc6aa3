"""``refine``'s default start (``--start auto``): the network's Û or HNC inversion, chosen by
what the target's own structure says about HNC.

HNC inversion is exact to first order where the HNC closure is a good model of the fluid's
response and poor where the closure puts the state near its own instability: there its
linear response δg = J δU (:func:`~boltzmann_nn.theory.response.hnc_response`) grows
without bound and small closure errors become large errors of U. The largest eigenvalue λ
of the target's structure metric M = (JP)ᵀ(JP)/n (how far g moves, squared, per unit error
of U along the most sensitive shape) measures that, from the target alone and in a
millisecond. The rule: the network where λ >= :data:`LAMBDA_NETWORK` or ρ >=
:data:`DENSITY_NETWORK`, HNC inversion elsewhere and always below :data:`DENSITY_HNC`.

The floor is MD's, not the linear response's: in a dilute fluid the closure's error (the
bridge function, O(ρ²)) is small and HNC inversion nearly exact, while near a dilute
fluid's spinodal, where λ is large, a small error of the network's Û condenses the box.

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
#: Density (ρσ³) below which HNC inversion is the start whatever λ says. Set on the refinement
#: study's states (MD of each start, benchmarks/start_md.py): at ρ = 0.05–0.24 HNC
#: inversion's g(r) was closer at all 4 (the network's Û phase-separated at ρ = 0.075), at
#: ρ = 0.26 they tied (L_MSE 1.5·10⁻⁴ both), above 0.3 the network was closer at 9 of 15.
#: Checked on the named fluids (docs/refinement.md "Which start").
DENSITY_HNC = 0.3


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
    if density < DENSITY_HNC:
        why = (f"density {density:.3g} sigma^-3 < {DENSITY_HNC:g}, where HNC inversion reproduced g(r) "
               "better than the network's U in MD (benchmarks/start_md.py)")
        return StartChoice("hnc", lam, density, why)
    evidence = "on held-out training runs (benchmarks/start_rule.py)"
    if lam >= LAMBDA_NETWORK or density >= DENSITY_NETWORK:
        why = (f"largest eigenvalue of the HNC response at this g(r) {lam:.3g} >= {LAMBDA_NETWORK:g} k_BT^-2, "
               f"where the network's U reproduced g(r) better than HNC inversion {evidence}")
        return StartChoice("network", lam, density, why)
    why = (f"largest eigenvalue of the HNC response at this g(r) {lam:.3g} < {LAMBDA_NETWORK:g} k_BT^-2, "
           f"where HNC inversion reproduced g(r) better than the network's U {evidence}")
    return StartChoice("hnc", lam, density, why)
