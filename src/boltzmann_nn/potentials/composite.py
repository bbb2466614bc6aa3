"""Sums of named potentials: U(r) = Σ_i U_i(r), each term cut and shifted at its own r_cut."""

from __future__ import annotations

import numpy as np

from .base import NamedPotential, Potential


class CompositePotential(Potential):
    """A sum of :class:`NamedPotential` terms.

    Args:
        terms: The terms; each keeps its own cutoff and shift.
        name: Label for files and plots.
        origin: Extra JSON-able keys for :meth:`describe` (e.g. the generator family and seed).
    """

    def __init__(self, terms: list[NamedPotential], name: str = "composite", origin: dict | None = None):
        if not terms:
            raise ValueError("a composite potential needs at least one term")
        self.terms = list(terms)
        self.name = name
        self.origin = dict(origin or {})
        self.r_cut = float(max(t.r_cut for t in self.terms))

    def _sum(self, method: str, r):
        r = np.asarray(r, float)
        u = np.zeros_like(r)
        f = np.zeros_like(r)
        for t in self.terms:
            ut, ft = getattr(t, method)(r)
            u, f = u + ut, f + ft
        return u, f

    def evaluate(self, r):
        return self._sum("evaluate", r)

    def evaluate_uncut(self, r):
        """U and F of the terms without cutoff or shift (for the pressure tail)."""
        return self._sum("evaluate_uncut", r)

    @property
    def has_core(self) -> bool:
        """True when U diverges as r → 0 (any term does)."""
        with np.errstate(all="ignore"):
            u = self.u(np.array([1e-6]))
        return bool(not np.isfinite(u[0]) or u[0] > 1e4)

    def describe(self) -> dict:
        return {"kind": "composite", "name": self.name, **self.origin,
                "terms": [t.describe() for t in self.terms], "r_cut": self.r_cut}
