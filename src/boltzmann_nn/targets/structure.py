"""Every partial g_ij(r) of the mapped beads over a trajectory, with block errors.

Pairs come from MDAnalysis' capped neighbour search (a cell grid, periodic boxes of any
shape); only histograms are kept, so memory does not grow with the trajectory. The
normalisation is MDAnalysis ``InterRDF``'s: g_ij = n_ij(r) / (F · N_pairs/⟨V⟩ · 4π/3 (r₂³ − r₁³))
over F frames, with N_pairs = N_i N_j less the pairs left out (a bead with itself, two beads
of one molecule), ⟨V⟩ the volume averaged over frames (NPT works). The error of g is the
standard error of the mean over contiguous blocks of frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from .mapping import BeadType, bead_positions

#: Blocks of frames for the error of g (fewer when there are fewer frames).
BLOCKS = 10
#: Å per nm.
ANGSTROM_PER_NM = 10.0


@dataclass
class TrajectoryStructure:
    """What a trajectory gave (nm, nm⁻³).

    Attributes:
        species: Bead type names; counts: beads per type; fractions: mole fractions.
        r: Bin centres [nm]; g, g_err: pair name "A-B" → g_ij(r) and its standard error.
        density: Total bead number density N/⟨V⟩ [nm⁻³].
        volume: Mean box volume [nm³]; frames: frames used; times: first and last time [ps].
        excluded: pair name → intramolecular pairs left out per frame.
    """

    species: list
    counts: list
    r: np.ndarray
    g: dict
    g_err: dict
    density: float
    volume: float
    frames: int
    times: tuple
    excluded: dict = field(default_factory=dict)

    @property
    def fractions(self) -> list:
        total = sum(self.counts)
        return [c / total for c in self.counts]

    def to_dict(self) -> dict:
        return {
            "species": self.species, "counts": self.counts, "fractions": self.fractions,
            "density": self.density, "density_per_species": [f * self.density for f in self.fractions],
            "volume": self.volume, "frames": self.frames, "times": list(self.times),
            "excluded_pairs": self.excluded, "units": "r [nm], density [nm^-3], volume [nm^3], times [ps]",
            "r": self.r.tolist(), "g": {p: v.tolist() for p, v in self.g.items()},
            "g_err": {p: v.tolist() for p, v in self.g_err.items()},
        }


def _min_width(box) -> float:
    """The smallest distance between opposite faces of a (triclinic) box [Å]."""
    from MDAnalysis.lib.mdamath import triclinic_vectors

    a, b, c = triclinic_vectors(box).astype(float)
    volume = abs(float(np.dot(a, np.cross(b, c))))
    return min(volume / float(np.linalg.norm(np.cross(u, v))) for u, v in ((b, c), (c, a), (a, b)))


def _frames(trajectory, begin, end, step):
    n = len(trajectory)
    if n == 0:
        raise InputError("the trajectory has no frames")
    step = int(step or 1)
    if step < 1:
        raise InputError(f"--step must be >= 1, got {step}")
    first = trajectory[0].time
    try:
        dt = float(trajectory.dt)
    except Exception:  # readers without a time step: read each frame's time
        dt = 0.0
    if dt > 0:  # times from the first frame and the step, without reading every frame twice
        times = {i: first + i * dt for i in range(0, n, step)}
    else:
        times = {i: trajectory[i].time for i in range(0, n, step)}
    picked = [i for i, t in times.items()
              if (begin is None or t >= begin - 1e-9) and (end is None or t <= end + 1e-9)]
    if not picked:
        raise InputError(f"no frames between --begin {begin} and --end {end} ps")
    return picked


def partial_rdfs(universe, beads: list[BeadType], r_max: float, bin_width: float, begin=None,
                 end=None, step: int = 1, progress=None) -> TrajectoryStructure:
    """Every g_ij of ``beads`` over the chosen frames.

    Args:
        r_max, bin_width: Range and bin width of g [nm].
        begin, end: Times [ps] of the first and last frame used; step: every step-th frame.
        progress: Called with (frames done, frames) after each frame.
    """
    from MDAnalysis.lib.distances import capped_distance, self_capped_distance

    if not (r_max > 0 and bin_width > 0 and bin_width < r_max):
        raise InputError(f"need 0 < --bin-width < --r-max, got {bin_width}, {r_max} nm")
    edges = np.arange(0.0, r_max + 0.5 * bin_width, bin_width) * ANGSTROM_PER_NM
    nbins = edges.size - 1
    rmax_a = float(edges[-1])
    frames = _frames(universe.trajectory, begin, end, step)
    blocks = min(BLOCKS, len(frames))
    block_of = np.minimum(np.arange(len(frames)) * blocks // len(frames), blocks - 1)
    s = len(beads)
    pairs = [(i, j) for i in range(s) for j in range(i, s)]
    counts = {p: np.zeros((blocks, nbins)) for p in pairs}
    vol = np.zeros(blocks)
    nfr = np.zeros(blocks)
    excluded = {}
    times = []
    for k, index in enumerate(frames):
        ts = universe.trajectory[index]
        box = ts.dimensions
        if box is None or not np.all(np.asarray(box[:3]) > 0):
            raise InputError(f"frame {index} has no periodic box; a g(r) needs one")
        half = 0.5 * _min_width(box)
        if rmax_a > half:
            raise InputError(f"--r-max {r_max} nm exceeds half the box ({half / 10:.4g} nm)")
        pos = [bead_positions(b, box) for b in beads]
        b = block_of[k]
        for i, j in pairs:
            if i == j:
                idx, dist = self_capped_distance(pos[i], rmax_a, box=box)
                weight = 2.0  # unique pairs; the normalisation counts ordered ones
            else:
                idx, dist = capped_distance(pos[i], pos[j], rmax_a, box=box)
                weight = 1.0
            keep = beads[i].molecule[idx[:, 0]] != beads[j].molecule[idx[:, 1]]
            counts[(i, j)][b] += weight * np.histogram(dist[keep], bins=edges)[0]
        vol[b] += ts.volume
        nfr[b] += 1
        times.append(ts.time)
        if progress:
            progress(k + 1, len(frames))
    shell = 4.0 / 3.0 * math.pi * np.diff(edges**3)
    names = [b.name for b in beads]
    g, g_err = {}, {}
    for i, j in pairs:
        mol_i, mol_j = beads[i].molecule, beads[j].molecule
        # ordered pairs left out: a bead with itself, and beads of one molecule
        common = np.intersect1d(mol_i, mol_j)
        n_same = int(sum(np.count_nonzero(mol_i == m) * np.count_nonzero(mol_j == m) for m in common))
        n_pairs = beads[i].n * beads[j].n - n_same
        name = f"{names[i]}-{names[j]}"
        excluded[name] = n_same - (beads[i].n if i == j else 0)
        if n_pairs <= 0:
            raise InputError(f"pair {name}: every pair lies within one molecule")
        per_block = counts[(i, j)] / (nfr[:, None] * (n_pairs / (vol / nfr)[:, None]) * shell)
        g[name] = counts[(i, j)].sum(0) / (nfr.sum() * n_pairs / (vol.sum() / nfr.sum()) * shell)
        g_err[name] = (per_block.std(0, ddof=1) / math.sqrt(blocks)) if blocks > 1 else np.zeros(nbins)
    n_total = sum(b.n for b in beads)
    mean_vol_nm3 = float(vol.sum() / nfr.sum()) / ANGSTROM_PER_NM**3
    return TrajectoryStructure(
        species=names, counts=[b.n for b in beads],
        r=0.5 * (edges[1:] + edges[:-1]) / ANGSTROM_PER_NM, g=g, g_err=g_err,
        density=n_total / mean_vol_nm3, volume=mean_vol_nm3, frames=len(frames),
        times=(float(times[0]), float(times[-1])), excluded=excluded,
    )
