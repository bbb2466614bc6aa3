"""Closures of the Ornstein–Zernike equation, one small unit each, chosen by name.

Every closure answers two questions from the Boltzmann factor e^(−βU) and the indirect
correlation γ = h − c on the solver's grid: the direct correlation c(r), and the cavity
function y(r) = g(r) e^(βU) (used by the virial pressure, well-behaved inside a core).

To add a closure: subclass :class:`Closure` with ``name``, ``direct`` and ``cavity``,
document it in the layout below, and add an instance to :data:`CLOSURES`; the OZ solver,
``boltzmann-nn oz --closure`` and the docs' list read this table.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError


class Closure:
    """A closure relation c = C[e^(−βU), γ]."""

    name: str = ""

    def direct(self, boltz: np.ndarray, gamma: np.ndarray) -> np.ndarray:
        """c(r) from the Boltzmann factor and γ, shape of ``gamma``."""
        raise NotImplementedError

    def cavity(self, gamma: np.ndarray) -> np.ndarray:
        """y(r) = g(r) e^(βU(r)), shape of ``gamma``."""
        raise NotImplementedError


class HNC(Closure):
    """Hypernetted chain.

    Definition: c = e^(−βU + γ) − 1 − γ, so g = e^(−βU + γ) and y = e^γ.
    Variables: U pair potential [k_BT], γ = h − c.
    Description: exact to first order in density; good for soft and long-ranged
    potentials, and the closure whose inversion (βU = h − c − ln g) the project uses.
    Reference: Hansen & McDonald, Theory of Simple Liquids, 3rd ed., §4.4.
    """

    name = "hnc"

    def direct(self, boltz, gamma):
        return boltz * np.exp(gamma) - 1.0 - gamma

    def cavity(self, gamma):
        return np.exp(gamma)


class PercusYevick(Closure):
    """Percus–Yevick.

    Definition: c = e^(−βU)(1 + γ) − 1 − γ, so y = 1 + γ.
    Variables: U pair potential [k_BT], γ = h − c.
    Description: accurate for short-ranged repulsion (analytic for hard spheres).
    Reference: Percus & Yevick, Phys. Rev. 110, 1 (1958).
    """

    name = "py"

    def direct(self, boltz, gamma):
        return boltz * (1.0 + gamma) - 1.0 - gamma

    def cavity(self, gamma):
        return 1.0 + gamma


#: name -> closure
CLOSURES: dict[str, Closure] = {c.name: c for c in (HNC(), PercusYevick())}


def closure_names() -> list[str]:
    return list(CLOSURES)


def get_closure(name: str) -> Closure:
    if name not in CLOSURES:
        raise InputError(f"unknown closure {name!r}; use one of {closure_names()}")
    return CLOSURES[name]
