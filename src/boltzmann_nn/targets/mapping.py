"""Atoms to beads: each residue matched by a bead type's MDAnalysis selection becomes one bead
at the centre of mass or geometry of its selected atoms, or at one named atom.

A topology without residues (one residue for all atoms, as a LAMMPS atomic data file)
makes every atom its own molecule. Residues split by the periodic boundary are made whole
by the minimum image about their first selected atom before the centre is taken. Two
beads of one residue belong to one molecule: their pair is left out of the
intermolecular g_ij.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError

CENTERS = ("com", "cog")


@dataclass
class BeadType:
    """One bead type: its name, its atoms, the residue each atom belongs to."""

    name: str
    selection: str
    atoms: object  # MDAnalysis AtomGroup
    owner: np.ndarray  # per atom: the index of its bead (0 … n-1)
    molecule: np.ndarray  # per bead: its residue index
    weights: np.ndarray  # per atom: mass (com) or 1 (cog) or 1 for the named atom

    @property
    def n(self) -> int:
        return int(self.molecule.size)


def parse_bead(text: str) -> tuple[str, str]:
    """``NAME=SELECTION`` → (name, selection)."""
    name, sep, selection = text.partition("=")
    name = name.strip()
    if not sep or not name or not selection.strip():
        raise InputError(f"--bead needs NAME=SELECTION (an MDAnalysis selection), got {text!r}")
    if not name.replace("_", "").isalnum():
        raise InputError(f"bead name {name!r}: letters, digits and _ only")
    return name, selection.strip()


def map_beads(universe, beads: list[tuple[str, str]], center: str = "com") -> list[BeadType]:
    """The bead types of ``beads`` [(name, selection)] in ``universe``.

    Args:
        center: ``com``, ``cog`` or an atom name (that atom of each residue is the bead).
    """
    if not beads:
        raise InputError("give at least one --bead NAME=SELECTION")
    names = [b[0] for b in beads]
    if len(set(names)) != len(names):
        raise InputError(f"bead names must differ, got {names}")
    out, taken = [], {}
    for name, selection in beads:
        try:
            atoms = universe.select_atoms(selection)
        except Exception as exc:  # MDAnalysis raises SelectionError and others for bad syntax
            raise InputError(f"bead {name}: cannot select {selection!r}: {exc}") from None
        if center not in CENTERS:
            atoms = atoms.select_atoms(f"name {center}")
        if atoms.n_atoms == 0:
            raise InputError(f"bead {name}: the selection {selection!r} matches no atoms"
                             + ("" if center in CENTERS else f" named {center}"))
        for other, idx in taken.items():
            common = np.intersect1d(idx, atoms.indices)
            if common.size:
                raise InputError(f"beads {other} and {name} share {common.size} atoms (e.g. index "
                                 f"{common[0]}): selections must not overlap")
        taken[name] = atoms.indices
        # no molecular information (one residue for all, as a LAMMPS atomic data file): an atom
        # is a molecule
        res = atoms.resindices if universe.residues.n_residues > 1 else atoms.indices
        molecule, owner = np.unique(res, return_inverse=True)
        if center not in CENTERS and molecule.size != atoms.n_atoms:
            raise InputError(f"bead {name}: residues with more than one atom named {center}")
        if molecule.size < 2:
            raise InputError(f"bead {name}: only one bead in the system; a g(r) needs at least two")
        if center == "com":
            try:
                weights = np.asarray(atoms.masses, float)
            except Exception:
                weights = np.ones(atoms.n_atoms)
            # massless virtual sites (TIP4P's MW) weigh nothing; a bead needs some mass
            if np.any(weights < 0) or np.any(np.bincount(owner, weights, molecule.size) <= 0):
                raise InputError(f"bead {name}: beads without mass; use --center cog")
        else:
            weights = np.ones(atoms.n_atoms)
        out.append(BeadType(name, selection, atoms, owner.astype(np.intp), molecule, weights))
    return out


def bead_positions(bead: BeadType, box) -> np.ndarray:
    """The beads' positions in the current frame [Å], residues made whole by minimum image."""
    from MDAnalysis.lib.distances import minimize_vectors

    pos = bead.atoms.positions.astype(np.float64)
    if bead.owner.size == bead.n:  # one atom per bead
        return pos
    _, first = np.unique(bead.owner, return_index=True)  # first atom of each bead
    ref = pos[first][bead.owner]
    whole = ref + minimize_vectors(pos - ref, box)
    w = bead.weights
    total = np.bincount(bead.owner, w, bead.n)
    sums = [np.bincount(bead.owner, w * whole[:, k], bead.n) for k in range(3)]
    return np.stack(sums, axis=1) / total[:, None]
