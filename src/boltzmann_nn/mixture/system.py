"""A fluid of S species: names, mole fractions, total density, and one pair potential per
unordered pair of species.

Pairs are named ``"A-B"`` with the species in the order given (A-A, A-B, B-B for two),
and indexed ``(i, j)`` with i <= j. One species is the S = 1 case (one pair, ``"A-A"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..units import check_density

#: Mole fractions must sum to 1 within this.
FRACTION_TOL = 1e-6


def pair_index(species) -> list[tuple[int, int, str]]:
    """``(i, j, "Si-Sj")`` for every unordered pair, i <= j, in species order."""
    names = list(species)
    return [(i, j, f"{names[i]}-{names[j]}") for i in range(len(names)) for j in range(i, len(names))]


def pair_names(species) -> list[str]:
    """Every unordered pair's name, in order (``["A-A", "A-B", "B-B"]`` for A, B)."""
    return [name for _, _, name in pair_index(species)]


def split_pair(name: str, species) -> tuple[int, int]:
    """``(i, j)`` with i <= j of a pair name ``"A-B"`` (either order) among ``species``."""
    names = list(species)
    parts = name.split("-")
    if len(parts) != 2 or parts[0] not in names or parts[1] not in names:
        raise InputError(f"pair {name!r} does not name two of the species {names} as 'A-B'")
    i, j = sorted((names.index(parts[0]), names.index(parts[1])))
    return i, j


@dataclass(frozen=True)
class Composition:
    """Species names, mole fractions and the total number density [σ⁻³].

    Args:
        species: Names (letters, digits, ``_``), at least one, unique.
        fractions: Mole fractions, each > 0, summing to 1.
        density: Total number density ρ [σ⁻³].
    """

    species: tuple[str, ...]
    fractions: tuple[float, ...]
    density: float

    def __post_init__(self):
        check_density(self.density)
        if not self.species:
            raise InputError("a mixture needs at least one species")
        if len(set(self.species)) != len(self.species):
            raise InputError(f"species names must be unique, got {list(self.species)}")
        for name in self.species:
            if not name or not all(ch.isalnum() or ch == "_" for ch in name):
                raise InputError(f"species name {name!r}: use letters, digits and '_'")
        if len(self.fractions) != len(self.species):
            raise InputError(f"{len(self.species)} species but {len(self.fractions)} mole fractions")
        if any(not (math.isfinite(x) and x > 0) for x in self.fractions):
            raise InputError(f"mole fractions must be > 0, got {list(self.fractions)}")
        total = sum(self.fractions)
        if abs(total - 1.0) > FRACTION_TOL:
            raise InputError(f"mole fractions must sum to 1, they sum to {total:.6g}")

    @property
    def n_species(self) -> int:
        return len(self.species)

    @property
    def x(self) -> np.ndarray:
        return np.asarray(self.fractions, float)

    @property
    def partial_densities(self) -> np.ndarray:
        """ρ_i = x_i ρ [σ⁻³], shape (S,)."""
        return self.density * self.x

    def pairs(self) -> list[tuple[int, int, str]]:
        return pair_index(self.species)

    def pair_names(self) -> list[str]:
        return pair_names(self.species)

    def counts(self, n: int) -> list[int]:
        """Particles per species for N in all: rounded x_i N, each >= 1, summing to N."""
        raw = self.x * n
        counts = np.floor(raw).astype(int)
        for i in np.argsort(-(raw - counts))[: n - int(counts.sum())]:
            counts[i] += 1
        if np.any(counts < 1):
            raise InputError(
                f"N = {n} is too small for mole fractions {list(self.fractions)}: "
                "a species would have no particle"
            )
        return counts.tolist()

    def to_dict(self) -> dict:
        return {"species": list(self.species), "fractions": list(self.fractions), "density": self.density}


@dataclass
class PairPotentials:
    """One pair potential per unordered pair (anything with ``evaluate``, ``tabulate``,
    ``r_cut`` and ``table_start``), keyed by pair name in species order.
    """

    species: tuple[str, ...]
    potentials: dict = field(default_factory=dict)

    def __post_init__(self):
        wanted = pair_names(self.species)
        given = {}
        for name, pot in self.potentials.items():
            i, j = split_pair(name, self.species)
            given[f"{self.species[i]}-{self.species[j]}"] = pot
        missing = [p for p in wanted if p not in given]
        if missing:
            raise InputError(f"no potential for pair(s) {', '.join(missing)}")
        self.potentials = {p: given[p] for p in wanted}

    def __getitem__(self, name: str):
        i, j = split_pair(name, self.species)
        return self.potentials[f"{self.species[i]}-{self.species[j]}"]

    def items(self):
        return self.potentials.items()

    def by_index(self) -> dict[tuple[int, int], object]:
        """``{(i, j): potential}`` with i <= j (the theory's form)."""
        return {(i, j): self.potentials[name] for i, j, name in pair_index(self.species)}

    @property
    def r_cut(self) -> float:
        """The largest cut-off over the pairs [σ]."""
        return max(float(p.r_cut) for p in self.potentials.values())

    def evaluate(self, r) -> dict[str, np.ndarray]:
        """U of every pair on ``r`` [k_BT]."""
        with np.errstate(all="ignore"):
            return {name: pot.evaluate(np.asarray(r, float))[0] for name, pot in self.potentials.items()}
