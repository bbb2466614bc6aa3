"""Campaign specs: TOML files, canonical JSON, and the hash that names each run.

A run's id is the SHA-256 (first 24 hex digits) of the canonical JSON (sorted keys, no
spaces) of everything that produced it: the potential (its generator, seed and settings),
the state point and run settings, the engine settings and ``PHYSICS_VERSION``. The number
of threads is left out: it changes the result only at the level of rounding.

Potentials come from the paper's random splines (``kind = "random"``) or, with a
``[families]`` table, from a mix of generator families (``kind = "family"``, see
:mod:`boltzmann_nn.potentials.families`). Densities are the fixed list ``densities``, plus
``density_draws`` drawn continuously (stratified) in ``density_range``, plus
``extra_densities`` more that are run only for potentials with at least one kept run.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ..engines.base import StatePoint
from ..errors import InputError
from ..potentials.families import FAMILIES
from ..potentials.random import RandomSettings

#: The paper's spline generator, as a member of a ``[families]`` mix.
SPLINE = "spline"
#: Seed keys (after the campaign seed and the potential index) of the draws of a spec.
_KEY_FAMILY, _KEY_DRAW, _KEY_EXTRA = 1000, 500, 700

#: Bump when a change alters what a run with the same settings produces.
#: 2: soft tables start at 1e-5 sigma; particles meeting there are a recorded outcome.
PHYSICS_VERSION = 2
PRESETS = ("default", "paper")
_ENGINE_INTS = {"steps", "equilibration", "n_particles", "n_min", "rdf_bins", "blocks", "table_points"}
_ENGINE_FLOATS = {"box_length", "dt", "damp", "rdf_rmax", "skin"}
_ENGINE_KEYS = _ENGINE_INTS | _ENGINE_FLOATS | {"particles", "engine", "platform"}
#: Largest integer setting accepted (steps, particles, ...): beyond it is a typo.
_INT_MAX = 10**10


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _check_engine(engine: dict, where) -> None:
    for key, val in engine.items():
        if key in _ENGINE_INTS and not (_is_int(val) and abs(val) <= _INT_MAX):
            raise InputError(f"[engine] {key} must be an integer, got {val!r}", where)
        if key in _ENGINE_FLOATS and not (_is_number(val) and val > 0):
            raise InputError(f"[engine] {key} must be a number > 0, got {val!r}", where)
        if key == "particles" and not (isinstance(val, list) and all(
                _is_int(v) and 2 <= v <= _INT_MAX for v in val)):
            raise InputError(f"[engine] particles must be a list of integers >= 2, got {val!r}", where)
    from ..engines.registry import engine_names

    if "engine" in engine and engine["engine"] not in engine_names():
        raise InputError(f"[engine] engine must be one of {engine_names()}, got {engine['engine']!r}", where)
    if "platform" in engine and engine["platform"] not in ("auto", "CUDA", "OpenCL", "CPU", "Reference"):
        raise InputError(f"[engine] platform must be auto, CUDA, OpenCL, CPU or Reference, got "
                         f"{engine['platform']!r}", where)
    if "table_points" in engine and not 200 <= engine["table_points"] <= 10**6:
        raise InputError(f"[engine] table_points must be in 200..1000000, got {engine['table_points']}", where)


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
    potential: dict
    state: dict
    engine: dict
    extra: bool = False

    def identity(self) -> dict:
        return {
            "physics_version": PHYSICS_VERSION,
            "potential": self.potential,
            "state": self.state,
            "engine": self.engine,
        }

    @property
    def potential_seed(self) -> int:
        return int(self.potential["seed"])

    def build_potential(self):
        """The potential this run simulates."""
        return potential_from_identity(self.potential)

    @property
    def run_id(self) -> str:
        return digest(self.identity())

    def state_point(self, threads: int = 1) -> StatePoint:
        return StatePoint(**self.state, threads=threads)

    def as_dict(self) -> dict:
        out = {"potential_index": self.potential_index, "density_index": self.density_index,
               **self.identity()}
        if self.extra:
            out["extra"] = True
        return out


def potential_from_identity(ident: dict):
    """Rebuild a potential from the ``potential`` part of a run's identity."""
    from ..potentials.families import family_potential
    from ..potentials.random import RandomPotential

    if ident.get("kind") == "random":
        return RandomPotential(int(ident["seed"]), RandomSettings(**ident["settings"]))
    if ident.get("kind") == "family":
        return family_potential(ident["family"], int(ident["seed"]))
    raise InputError(f"unknown potential kind in a run record: {ident.get('kind')!r}")


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
    families: dict = field(default_factory=dict)
    density_draws: int = 0
    density_range: list = field(default_factory=lambda: [0.05, 1.1])
    extra_densities: int = 0
    source: str | None = None

    def __post_init__(self):
        where = self.source
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"name must be a non-empty string, got {self.name!r}", where)
        if not _is_int(self.seed) or not 0 <= self.seed < 2**63:
            raise InputError(f"seed must be a non-negative integer, got {self.seed!r}", where)
        for key in ("generator", "engine", "families"):
            if not isinstance(getattr(self, key), dict):
                raise InputError(f"[{key}] must be a table, got {getattr(self, key)!r}", where)
        if not _is_int(self.n_potentials) or not 1 <= self.n_potentials <= 10**7:
            raise InputError(f"n_potentials must be an integer in 1..10^7, got {self.n_potentials!r}", where)
        if not isinstance(self.densities, list) or any(
                not _is_number(d) or not (0 < d < 10) for d in self.densities):
            raise InputError(f"densities must be a list of values in (0, 10), got {self.densities!r}",
                             where)
        for key in ("density_draws", "extra_densities"):
            val = getattr(self, key)
            if not _is_int(val) or not 0 <= val <= 1000:
                raise InputError(f"{key} must be an integer in 0..1000, got {val!r}", where)
        lo_hi = self.density_range
        if (not isinstance(lo_hi, list) or len(lo_hi) != 2
                or not all(_is_number(v) for v in lo_hi) or not (0 < lo_hi[0] < lo_hi[1] < 10)):
            raise InputError(f"density_range must be [low, high] with 0 < low < high < 10, got {lo_hi!r}",
                             where)
        self.density_range = [float(v) for v in lo_hi]
        if not self.densities and not self.density_draws:
            raise InputError("no densities: give densities = [...] or density_draws > 0", where)
        if self.families:
            unknown = set(self.families) - set(FAMILIES) - {SPLINE}
            if unknown:
                raise InputError(f"unknown [families] {sorted(unknown)}; known: "
                                 f"{sorted(set(FAMILIES) | {SPLINE})}", where)
            vals = list(self.families.values())
            if any(not _is_number(v) or v < 0 for v in vals) or abs(sum(vals) - 1) > 1e-6:
                raise InputError(f"[families] fractions must be >= 0 and add up to 1, got {self.families}",
                                 where)
            self.families = {k: float(v) for k, v in sorted(self.families.items())}
        unknown = set(self.engine) - _ENGINE_KEYS
        if unknown:
            raise InputError(f"unknown [engine] keys {sorted(unknown)}; known: {sorted(_ENGINE_KEYS)}",
                             where)
        _check_engine(self.engine, where)
        try:
            self.generator = RandomSettings(**self.generator).as_dict()
        except TypeError as exc:
            raise InputError(f"bad [generator] section: {exc}", where) from exc
        except InputError as exc:
            raise InputError(f"[generator] {exc.message}", where) from None

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
        known = {"name", "seed", "n_potentials", "densities", "generator", "engine", "families",
                 "density_draws", "density_range", "extra_densities"}
        missing = {"name", "seed", "n_potentials"} - set(data)
        if missing:
            raise InputError(f"missing keys {sorted(missing)}", where)
        if set(data) - known:
            raise InputError(f"unknown keys {sorted(set(data) - known)}", where)
        data.setdefault("densities", [])
        return cls(**data, source=where)

    def as_dict(self) -> dict:
        out = {"name": self.name, "seed": self.seed, "n_potentials": self.n_potentials,
               "densities": list(self.densities), "generator": self.generator,
               "engine": self.engine}
        # the options of the second generation appear only when used (stable v1 hashes)
        if self.families:
            out["families"] = dict(self.families)
        if self.density_draws or self.extra_densities:
            out.update(density_draws=self.density_draws, density_range=list(self.density_range),
                       extra_densities=self.extra_densities)
        return out

    @property
    def spec_hash(self) -> str:
        return digest(self.as_dict())

    def potential_identity(self, i: int) -> dict:
        """The identity of potential ``i`` (its generator, seed and settings)."""
        pseed = derived_seed(self.seed, i)
        family = SPLINE
        if self.families:
            u = np.random.default_rng(derived_seed(self.seed, i, _KEY_FAMILY)).random()
            edges = np.cumsum(list(self.families.values()))
            family = list(self.families)[min(int(np.searchsorted(edges, u, side="right")),
                                              len(edges) - 1)]
        if family == SPLINE:
            return {"kind": "random", "seed": pseed, "settings": self.generator}
        return {"kind": "family", "family": family, "seed": pseed}

    def _engine_settings(self):
        eng = dict(self.engine)
        name = eng.pop("engine", "lammps")
        # the engine's identity; for LAMMPS exactly as in the first campaigns (stable ids)
        engine = {"name": name, "table_points": eng.pop("table_points", 4000 if name == "lammps" else 20000)}
        if "platform" in eng:
            engine["platform"] = eng.pop("platform")
        box_length = eng.pop("box_length", None)
        particles = eng.pop("particles", None)
        if box_length is not None and max(self.densities + [self.density_range[1]]) * box_length**3 > 10**8:
            raise InputError(f"[engine] box_length = {box_length} gives more than 10^8 particles", self.source)
        if particles is not None and len(particles) != len(self.densities):
            raise InputError("[engine] particles must list one N per density", self.source)
        if particles is not None and self.density_draws + self.extra_densities:
            raise InputError("[engine] particles needs fixed densities only", self.source)
        return eng, engine, box_length, particles

    def _run(self, i, j, rho, pot, eng, engine, box_length, n_fixed=None, extra=False) -> RunSpec:
        state = dict(eng, density=float(rho), seed=derived_seed(self.seed, i, j + 1))
        if n_fixed is not None:
            state["n_particles"] = int(n_fixed)
        elif box_length is not None:
            state["n_particles"] = max(2, round(rho * box_length**3))
        try:
            StatePoint(**state)  # validate early
        except InputError as exc:
            raise InputError(f"[engine] {exc.message}", self.source) from None
        return RunSpec(i, j, pot, state, engine, extra)

    def runs(self) -> list[RunSpec]:
        """The base runs, potential-major (every density of potential 0 first): the fixed
        densities, then the stratified draws in ``density_range``.
        """
        eng, engine, box_length, particles = self._engine_settings()
        lo, hi = self.density_range
        out = []
        for i in range(self.n_potentials):
            pot = self.potential_identity(i)
            for j, rho in enumerate(self.densities):
                out.append(self._run(i, j, rho, pot, eng, engine, box_length,
                                     None if particles is None else particles[j]))
            n = self.density_draws
            for k in range(n):
                u = np.random.default_rng(derived_seed(self.seed, i, _KEY_DRAW + k)).random()
                rho = round(lo + (hi - lo) * (k + u) / n, 4)
                out.append(self._run(i, len(self.densities) + k, rho, pot, eng, engine, box_length))
        return out

    def extra_runs(self, i: int) -> list[RunSpec]:
        """The ``extra_densities`` runs of potential ``i`` (uniform in ``density_range``),
        to run once the potential has given a kept run.
        """
        eng, engine, box_length, _ = self._engine_settings()
        lo, hi = self.density_range
        pot = self.potential_identity(i)
        first = len(self.densities) + self.density_draws
        out = []
        for k in range(self.extra_densities):
            u = np.random.default_rng(derived_seed(self.seed, i, _KEY_EXTRA + k)).random()
            out.append(self._run(i, first + k, round(lo + (hi - lo) * u, 4), pot, eng, engine,
                                 box_length, extra=True))
        return out
