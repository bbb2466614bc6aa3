"""What a simulation is asked and what it answers: the state point and run settings
(:class:`StatePoint`), the box rule, and the result (:class:`SimulationResult`). The
engine protocol and the run procedure are :mod:`boltzmann_nn.engines.protocol`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import InputError
from ..io.atomic import jsonable
from ..units import check_density
from .verdict import Verdict

#: Smallest number of particles the box rule picks.
N_MIN_DEFAULT = 1000


#: g(r) sampling of one-species runs judged by their g(r)'s precision (refinement,
#: validation): every 10 steps (see ``StatePoint.rdf_every``).
PRECISE_RDF_EVERY = 10


@dataclass(frozen=True)
class StatePoint:
    """One NVT state point and the run settings.

    Args:
        density: Number density ρ [σ⁻³], > 0.
        steps: Production steps (sampling).
        equilibration: Equilibration steps before sampling.
        n_particles: N; None applies :func:`box_rule`.
        n_min: Smallest N the box rule picks.
        dt: Time step [τ] (paper: 0.005).
        damp: Langevin damping time [τ].
        seed: Seed of the initial configuration, velocities and thermostat (> 0).
        threads: OpenMP threads.
        rdf_bins: Number of g(r) bins (>= 200).
        rdf_rmax: g(r) range [σ] (>= 5).
        blocks: Number of production blocks (block averages, drift, S(k) samples).
        skin: Neighbour-list skin [σ].
        rdf_every: Steps between g(r) samples in production (LAMMPS; a block that is not a
            multiple of it samples every 10). One-species refinement and validation sample
            every 10 steps (:data:`PRECISE_RDF_EVERY`): the same g(r) noise for a third or
            less of the MD time (`benchmarks/rdf_sampling.py`); mixtures take it from the spec.
    """

    density: float
    steps: int = 20000
    equilibration: int = 10000
    n_particles: int | None = None
    n_min: int = N_MIN_DEFAULT
    dt: float = 0.005
    damp: float = 1.0
    seed: int = 1
    threads: int = 1
    rdf_bins: int = 200
    rdf_rmax: float = 5.0
    blocks: int = 20
    skin: float = 0.3
    rdf_every: int = 100

    def __post_init__(self):
        check_density(self.density)
        for key in ("steps", "equilibration", "seed", "threads", "rdf_bins", "blocks", "n_min", "rdf_every"):
            val = getattr(self, key)
            if not isinstance(val, int) or isinstance(val, bool) or abs(val) > 10**10:
                raise InputError(f"{key} must be an integer of at most 10^10, got {val!r}")
        if self.blocks < 2:
            raise InputError(f"blocks must be >= 2 (block averages need two), got {self.blocks}")
        if self.rdf_every < 1:
            raise InputError(f"rdf_every must be >= 1, got {self.rdf_every}")
        if self.threads > 1024:
            raise InputError(f"threads must be <= 1024, got {self.threads}")
        if self.n_particles is not None and self.n_particles > 10**8:
            raise InputError(f"n_particles must be <= 10^8, got {self.n_particles}")
        if not (math.isfinite(self.damp) and self.damp > 0) or not (0 < self.skin <= 5):
            raise InputError(f"need damp > 0 and 0 < skin <= 5, got {self.damp}, {self.skin}")
        if not (5.0 <= self.rdf_rmax <= 100.0) or self.rdf_bins > 100000:
            raise InputError(f"g(r) range must be in [5, 100] sigma with at most 100000 bins, got "
                             f"{self.rdf_rmax}, {self.rdf_bins}")
        if self.steps < self.blocks * 10 or self.steps % (self.blocks * 10):
            raise InputError(
                f"steps ({self.steps}) must be a positive multiple of 10 x blocks ({self.blocks})"
            )
        if self.equilibration < 0:
            raise InputError(f"equilibration must be >= 0, got {self.equilibration}")
        if not (0 < self.dt <= 0.05):
            raise InputError(f"time step must be in (0, 0.05] tau, got {self.dt}")
        if self.seed <= 0:
            raise InputError(f"seed must be a positive integer, got {self.seed}")
        if self.threads < 1:
            raise InputError(f"threads must be >= 1, got {self.threads}")
        if self.rdf_bins < 200:
            raise InputError(f"g(r) needs at least 200 bins, got {self.rdf_bins}")
        if self.rdf_rmax < 5.0:
            raise InputError(f"g(r) must reach at least 5 sigma, got {self.rdf_rmax}")
        if self.n_particles is not None and self.n_particles < 2:
            raise InputError(f"n_particles must be >= 2, got {self.n_particles}")

    def as_dict(self) -> dict:
        return asdict(self)


def box_rule(state: StatePoint, r_cut: float) -> tuple[int, float]:
    """N and L for a state point.

    The rule: the box must hold the force cutoff plus skin and the g(r) range twice,
    L >= 2·max(r_cut + skin, r_rdf), so that no particle sees its own image and g(r) is
    the minimum-image g(r); N = max(n_min, ⌈ρ L_min³⌉), and L = (N/ρ)^(1/3).
    With an explicit N, the box it gives must satisfy L >= 2(r_cut + skin).

    Returns:
        ``(N, L)`` with L [σ].
    """
    need = 2.0 * (r_cut + state.skin)
    if state.n_particles is not None:
        n = state.n_particles
        box = (n / state.density) ** (1.0 / 3.0)
        if box < need:
            raise InputError(
                f"r_cut = {r_cut:.3g} is too large for the box: N = {n} at rho = "
                f"{state.density:g} gives L = {box:.3g} < 2(r_cut + skin) = {need:.3g}; "
                f"use N >= {math.ceil(state.density * need**3)}"
            )
        return n, box
    l_min = max(need, 2.0 * state.rdf_rmax)
    n = max(state.n_min, math.ceil(state.density * l_min**3))
    return n, (n / state.density) ** (1.0 / 3.0)


@dataclass
class SimulationResult:
    """What one run produced. Arrays are lists-free numpy; see :meth:`to_dict`.

    Attributes:
        ok: False when the run failed (blow-up, engine error); ``reason`` says why.
        pressure: Mean virial pressure [k_BT/σ³] (tail correction included if asked).
        pressure_err: Standard error from block averages [k_BT/σ³].
        energy: Mean potential energy per particle [k_BT].
        r: g(r) bin centres, shape (rdf_bins,) [σ].
        g: g(r), shape (rdf_bins,).
        g_err: Standard error of g(r) from block averages, shape (rdf_bins,).
        blocks: Per-block means: ``pressure``, ``energy``, ``temperature``, ``sk``.
        flags: Diagnostics verdicts (see :mod:`boltzmann_nn.engines.diagnostics`).
        settings: Resolved settings (N, L, steps, engine, versions…).
        positions: The last configuration, shape (N, 3) [σ], or None (not in :meth:`to_dict`:
            a refinement keeps it to start the next run from).
    """

    ok: bool
    reason: str = ""
    pressure: float = float("nan")
    pressure_err: float = float("nan")
    pressure_tail: float = 0.0
    energy: float = float("nan")
    energy_err: float = float("nan")
    r: np.ndarray = field(default_factory=lambda: np.zeros(0))
    g: np.ndarray = field(default_factory=lambda: np.zeros(0))
    g_err: np.ndarray = field(default_factory=lambda: np.zeros(0))
    g_halves: np.ndarray = field(default_factory=lambda: np.zeros((2, 0)))
    blocks: dict = field(default_factory=dict)
    flags: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    wall_s: float = 0.0
    positions: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def verdict(self) -> Verdict:
        """The diagnostics' verdict (typed view of ``flags``)."""
        return Verdict.of(self.flags)

    @property
    def kept(self) -> bool:
        """A successful run that passed every diagnostic."""
        return self.ok and self.verdict.kept

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("positions")
        out = jsonable(data)
        out["kept"] = self.kept
        return out

    @classmethod
    def from_dict(cls, data: dict) -> SimulationResult:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("r", "g", "g_err", "g_halves"):
            if key in fields:
                fields[key] = np.asarray(fields[key], float)
        for key in ("pressure", "pressure_err", "energy", "energy_err"):
            if fields.get(key) is None:
                fields[key] = float("nan")
        return cls(**fields)


#: Called with (steps done, steps total).
Progress = Callable[[int, int], None]
