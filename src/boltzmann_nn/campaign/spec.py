"""Campaign specs: TOML files, canonical JSON, and the hash that names each run.

A run's id is the SHA-256 (first 24 hex digits) of the canonical JSON (sorted keys, no
spaces) of everything that produced it: the potential (generator seed and settings), the
state point and run settings, the engine settings and ``PHYSICS_VERSION``. The number of
threads is left out: it changes the result only at the level of rounding.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ..engines.base import StatePoint
from ..errors import InputError
from ..potentials.random import RandomSettings

#: Bump when a change alters what a run with the same settings produces.
PHYSICS_VERSION = 1
PRESETS = ("default", "paper")
_ENGINE_KEYS = {"steps", "equilibration", "n_particles", "n_min", "box_length", "particles", "dt",
                "damp", "rdf_bins", "rdf_rmax", "blocks", "skin", "table_points"}


def canonical_json(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def digest(obj) -> str:
    return hashlib.sha256(canonical_json(obj).encode()).hexdigest()[:24]


def derived_seed(*keys: int) -> int:
    """A seed in [1, 9·10⁸] from integer keys (valid for LAMMPS and NumPy)."""
    state = np.random.SeedSequence([int(k) for k in keys]).generate_state(1, np.uint32)[0]
    return int(state) % 900_000_000 + 1


@dataclass(frozen=True)
class RunSpec:
    """One simulation of a campaign."""

    potential_index: int
    density_index: int
    potential_seed: int
    generator: dict
    state: dict
    engine: dict

    def identity(self) -> dict:
        return {
            "physics_version": PHYSICS_VERSION,
            "potential": {"kind": "random", "seed": self.potential_seed,
                          "settings": self.generator},
            "state": self.state,
            "engine": self.engine,
        }

    @property
    def run_id(self) -> str:
        return digest(self.identity())

    def state_point(self, threads: int = 1) -> StatePoint:
        return StatePoint(**self.state, threads=threads)

    def as_dict(self) -> dict:
        return {"potential_index": self.potential_index, "density_index": self.density_index,
                **self.identity()}


@dataclass
class CampaignSpec:
    """Which potentials, densities and engine settings a campaign runs.

    TOML layout::

        name = "default"
        seed = 2026              # campaign seed: potential and run seeds derive from it
        n_potentials = 600
        densities = [0.125, 0.244, 0.512, 1.0]

        [generator]              # RandomSettings fields (paper §2.2 defaults)
        wca_fraction = 0.5236

        [engine]                 # StatePoint fields, plus box_length (N = rho L^3),
                                 # particles (one N per density) and table_points
        steps = 20000
        equilibration = 10000
    """

    name: str
    seed: int
    n_potentials: int
    densities: list[float]
    generator: dict = field(default_factory=dict)
    engine: dict = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self):
        where = self.source
        if self.n_potentials < 1:
            raise InputError(f"n_potentials must be >= 1, got {self.n_potentials}", where)
        if not self.densities or any(not (d > 0) for d in self.densities):
            raise InputError(f"densities must be a non-empty list of values > 0, got {self.densities}",
                             where)
        unknown = set(self.engine) - _ENGINE_KEYS
        if unknown:
            raise InputError(f"unknown [engine] keys {sorted(unknown)}; known: {sorted(_ENGINE_KEYS)}",
                             where)
        try:
            self.generator = RandomSettings(**self.generator).as_dict()
        except TypeError as exc:
            raise InputError(f"bad [generator] section: {exc}", where) from exc

    @classmethod
    def load(cls, path) -> CampaignSpec:
        """Read a TOML spec file, or a preset by name (``default``, ``paper``)."""
        if str(path) in PRESETS:
            text = resources.files(__package__).joinpath("presets", f"{path}.toml").read_text()
            where = f"preset {path}"
        else:
            try:
                text = Path(path).read_text()
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read spec: {exc}", str(path)) from exc
            where = str(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"not valid TOML: {exc}", where) from exc
        known = {"name", "seed", "n_potentials", "densities", "generator", "engine"}
        missing = {"name", "seed", "n_potentials", "densities"} - set(data)
        if missing:
            raise InputError(f"missing keys {sorted(missing)}", where)
        if set(data) - known:
            raise InputError(f"unknown keys {sorted(set(data) - known)}", where)
        return cls(**data, source=where)

    def as_dict(self) -> dict:
        return {"name": self.name, "seed": self.seed, "n_potentials": self.n_potentials,
                "densities": list(self.densities), "generator": self.generator,
                "engine": self.engine}

    @property
    def spec_hash(self) -> str:
        return digest(self.as_dict())

    def runs(self) -> list[RunSpec]:
        """All runs, potential-major (every density of potential 0 first)."""
        eng = dict(self.engine)
        engine = {"name": "lammps", "table_points": eng.pop("table_points", 4000)}
        box_length = eng.pop("box_length", None)
        particles = eng.pop("particles", None)
        if particles is not None and len(particles) != len(self.densities):
            raise InputError("[engine] particles must list one N per density", self.source)
        out = []
        for i in range(self.n_potentials):
            pseed = derived_seed(self.seed, i)
            for j, rho in enumerate(self.densities):
                state = dict(eng, density=float(rho), seed=derived_seed(self.seed, i, j + 1))
                if particles is not None:
                    state["n_particles"] = int(particles[j])
                elif box_length is not None:
                    state["n_particles"] = max(2, round(rho * box_length**3))
                StatePoint(**state)  # validate early
                out.append(RunSpec(i, j, pseed, self.generator, state, engine))
        return out
