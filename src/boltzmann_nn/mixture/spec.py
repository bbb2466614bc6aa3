"""The refinement spec of a mixture (TOML), as ``refine --spec FILE`` reads it.

::

    density = 0.65               # total number density (reduced, or length_unit^-3 with sigma)
    pressure = 1.0               # optional target (k_BT/sigma^3, energy/length^3, or "1bar")
    method = "ihnc"              # ihnc | ibi | imc
    start = "hnc"                # hnc | boltzmann, or a table of potential files per pair
    max_iter = 10
    r_cut = 2.5                  # one cut-off, or a table per pair
    sigma = "0.47nm"             # optional physical units (with temperature or kT)
    temperature = 300            # K
    energy_unit = "kJ/mol"
    lammps_units = "real"        # optional: LAMMPS tables in this units style (real, metal, si, lj)
    [species]                    # mole fractions, summing to 1
    A = 0.6
    B = 0.4
    [targets]                    # one g(r) file per unordered pair, any format read today
    "A-A" = "gAA.csv"
    "A-B" = "gAB.csv"
    "B-B" = "gBB.csv"
    [potentials]                 # for simulate/validate --spec: a named potential or a
    "A-A" = "lj:epsilon=1"       # table file per pair
    "A-B" = "final/A-B.csv"
    "B-B" = "lj:epsilon=0.5,sigma=0.8"
    [md]                         # optional run settings
    steps = 10000                # first production run (later ones adapt up to max_steps)
    max_steps = 40000
    equilibration = 4000
    threads = 1
    engine = "lammps"            # lammps | openmm (platform = "auto" | "CPU" | "CUDA" | "OpenCL")
    seed = 1
    rdf_every = 100              # steps between g_ij samples (10: less noise per second, but
                                 # see docs/mixtures.md on the ihnc step and slow concentration noise)

File names are relative to the spec's folder. Every error names the spec file.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from ..errors import InputError
from ..units import Units
from .system import Composition, pair_names, split_pair

#: Keys a spec may hold at its top level.
TOP_KEYS = {
    "density",
    "pressure",
    "method",
    "start",
    "max_iter",
    "r_cut",
    "sigma",
    "temperature",
    "kT",
    "energy_unit",
    "lammps_units",
    "species",
    "targets",
    "md",
    "max_du",
    "tol",
    "gr_format",
    "potentials",
    "kirkwood_buff",
}
KB_KEYS = {"r_start", "r_stop", "factor", "r_ramp", "targets"}
MD_KEYS = {"steps", "max_steps", "equilibration", "threads", "seed", "n_particles", "blocks", "dt", "engine",
           "platform", "rdf_every"}
MIXTURE_METHODS = ("ihnc", "ibi", "imc", "hncgn")
#: Engines a mixture runs on (as :data:`.md.MIXTURE_ENGINES`).
MIXTURE_ENGINES = ("lammps", "openmm")
MIXTURE_STARTS = ("hnc", "boltzmann")


@dataclass
class MixtureSpec:
    """A read spec: composition (reduced), targets (file per pair), settings.

    Attributes:
        path: The spec file.
        composition: Species, mole fractions, total density [σ⁻³].
        targets: Pair name → g(r) file path.
        potentials: Pair name → potential (``simulate``/``validate --spec``).
        units: Physical units (reduced when the spec gives none).
        pressure: Target pressure [k_BT/σ³] or None.
        r_cut: Pair name → cut-off [σ] (None: min(target range, 5σ)).
        start: ``hnc``, ``boltzmann``, or pair name → potential file.
    """

    path: Path
    composition: Composition
    targets: dict
    potentials: dict = field(default_factory=dict)
    units: Units = field(default_factory=Units)
    pressure: float | None = None
    method: str = "ihnc"
    start: object = "hnc"
    max_iter: int = 10
    r_cut: dict = field(default_factory=dict)
    max_du: float = 1.0
    tol: float | None = None
    gr_format: str | None = None
    md: dict = field(default_factory=dict)
    kb: object = None

    @property
    def species(self) -> tuple[str, ...]:
        return self.composition.species

    def to_dict(self) -> dict:
        return {
            "spec": str(self.path),
            **self.composition.to_dict(),
            "targets": {k: str(v) for k, v in self.targets.items()},
            "pressure": self.pressure,
            "method": self.method,
            "start": self.start
            if isinstance(self.start, str)
            else {k: str(v) for k, v in self.start.items()},
            "r_cut": self.r_cut,
            "md": self.md,
            "units": self.units.header(),
        }


def _fail(msg: str, path) -> InputError:
    return InputError(msg, str(path))


def _number(value, key: str, path, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(f"{key} must be a number, got {value!r}", path)
    if positive and value <= 0:
        raise _fail(f"{key} must be > 0, got {value}", path)
    return float(value)


def _units(data: dict, path) -> Units:
    from ..cli.units_args import units_from_args

    args = SimpleNamespace(
        sigma=data.get("sigma"),
        temperature=data.get("temperature"),
        kT=data.get("kT"),
        energy_unit=data.get("energy_unit", "kJ/mol"),
        lammps_units=data.get("lammps_units"),
    )
    try:
        return units_from_args(args)
    except InputError as exc:
        raise _fail(exc.message.replace("--", ""), path) from None


def _pressure(value, units: Units, path) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _fail(f"pressure must be a number or text such as '1bar', got {value!r}", path)
    try:
        return units.reduced_pressure(value)
    except InputError as exc:
        raise _fail(exc.message, path) from None


def _per_pair(value, species, key: str, path, convert) -> dict:
    names = pair_names(species)
    if isinstance(value, dict):
        out = {}
        for name, v in value.items():
            i, j = _pair(name, species, path)
            out[f"{species[i]}-{species[j]}"] = convert(v)
        return out
    return {name: convert(value) for name in names} if value is not None else {}


def _pair(name, species, path):
    try:
        return split_pair(name, species)
    except InputError as exc:
        raise _fail(exc.message, path) from None


def _potentials(value, names, base: Path, units: Units, path) -> dict:
    """Pair name → potential: a named potential (``lj:epsilon=0.5``) or a table file."""
    from ..potentials.spec import parse_potential

    if not isinstance(value, dict):
        raise _fail("[potentials] must map pair names to named potentials or table files", path)

    def one(v):
        text = str(v)
        local = base / text
        try:
            return parse_potential(str(local) if local.is_file() else text, units)
        except InputError as exc:
            raise _fail(f"potential {text!r}: {exc.message}", path) from None

    pots = _per_pair(value, names, "potentials", path, one)
    missing = [p for p in pair_names(names) if p not in pots]
    if pots and missing:
        raise _fail(f"no potential for pair(s) {', '.join(missing)}", path)
    return pots


def read_toml(path: Path, keys: set) -> dict:
    """A TOML file's table, its top-level keys checked against ``keys`` (one-line errors)."""
    try:
        data = tomllib.loads(path.read_text())
    except OSError as exc:
        raise _fail(f"cannot read: {exc.strerror or exc}", path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(f"not a valid TOML file: {exc}", path) from None
    unknown = sorted(set(data) - keys)
    if unknown:
        raise _fail(f"unknown key(s) {unknown}; known: {sorted(keys)}", path)
    return data


def check_method(method: str, path) -> None:
    """A refinement method a spec can run, else one line naming the file."""
    if method not in MIXTURE_METHODS:
        raise _fail(f"method {method!r}: use one of {list(MIXTURE_METHODS)}", path)


def read_spec(path, need_targets: bool = True) -> MixtureSpec:
    """Read and check a spec (see the module doc); ``need_targets=False`` for a spec that
    only simulates its ``[potentials]``.
    """
    path = Path(path)
    data = read_toml(path, TOP_KEYS)
    if "density" not in data or "species" not in data:
        raise _fail("a spec needs density and [species]", path)
    units = _units(data, path)
    species = data["species"]
    if not isinstance(species, dict) or not species:
        raise _fail("[species] must map each species name to its mole fraction", path)
    names = tuple(species)
    fractions = tuple(_number(v, f"mole fraction of {k}", path) for k, v in species.items())
    density = float(units.to_reduced_density(_number(data["density"], "density", path)))
    try:
        comp = Composition(names, fractions, density)
    except InputError as exc:
        raise _fail(exc.message, path) from None
    base = path.parent
    if not isinstance(data.get("targets", {}), dict):
        raise _fail("[targets] must map pair names ('A-B') to g(r) files", path)
    targets = _per_pair(data.get("targets", {}), names, "targets", path, lambda v: base / str(v))
    missing = [p for p in pair_names(names) if p not in targets]
    if missing and (targets or need_targets):
        raise _fail(f"no target g(r) for pair(s) {', '.join(missing)}", path)
    potentials = _potentials(data.get("potentials", {}), names, base, units, path)
    for name, file in targets.items():
        if not file.is_file():
            raise _fail(f"target of {name}: no such file {file}", path)
    method = data.get("method", "ihnc")
    check_method(method, path)
    start = data.get("start", "hnc")
    if isinstance(start, dict):
        start = _per_pair(start, names, "start", path, lambda v: base / str(v))
        missing = [p for p in pair_names(names) if p not in start]
        if missing:
            raise _fail(f"start: no potential file for pair(s) {', '.join(missing)}", path)
    elif start not in MIXTURE_STARTS:
        raise _fail(f"start {start!r}: use one of {list(MIXTURE_STARTS)} or a potential file per pair", path)
    r_cut = _per_pair(
        data.get("r_cut"),
        names,
        "r_cut",
        path,
        lambda v: float(units.to_reduced_length(_number(v, "r_cut", path))),
    )
    md = data.get("md", {})
    if not isinstance(md, dict) or set(md) - MD_KEYS:
        raise _fail(f"[md] keys must be among {sorted(MD_KEYS)}", path)
    if md.get("engine", "lammps") not in MIXTURE_ENGINES:
        raise _fail(f"[md] engine {md['engine']!r}: use one of {list(MIXTURE_ENGINES)}", path)
    max_iter = data.get("max_iter", 10)
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or not 1 <= max_iter <= 1000:
        raise _fail(f"max_iter must be an integer in [1, 1000], got {max_iter!r}", path)
    return MixtureSpec(
        path=path,
        composition=comp,
        targets=targets,
        potentials=potentials,
        units=units,
        pressure=_pressure(data.get("pressure"), units, path),
        method=method,
        start=start,
        max_iter=max_iter,
        r_cut=r_cut,
        max_du=_number(data.get("max_du", 1.0), "max_du", path),
        tol=None if data.get("tol") is None else _number(data["tol"], "tol", path),
        gr_format=data.get("gr_format"),
        md=dict(md),
        kb=_kirkwood_buff(data.get("kirkwood_buff"), names, units, path),
    )


def _kirkwood_buff(data, names, units: Units, path):
    """The ``[kirkwood_buff]`` table as :class:`~.kb.KBSettings` (reduced), or None."""
    from .kb import KB_FACTOR, KBSettings

    if data is None:
        return None
    if not isinstance(data, dict) or set(data) - KB_KEYS or not {"r_start", "r_stop"} <= set(data):
        raise _fail(f"[kirkwood_buff] needs r_start and r_stop, keys among {sorted(KB_KEYS)}", path)
    per_len = float(units.to_reduced_length(1.0))  # σ per length unit
    r0 = float(units.to_reduced_length(_number(data["r_start"], "kirkwood_buff.r_start", path)))
    r1 = float(units.to_reduced_length(_number(data["r_stop"], "kirkwood_buff.r_stop", path)))
    if r1 <= r0:
        raise _fail("kirkwood_buff: r_stop must be beyond r_start", path)
    ramp = data.get("r_ramp")
    ramp = None if ramp is None else float(units.to_reduced_length(_number(ramp, "kirkwood_buff.r_ramp", path)))
    targets = _per_pair(data.get("targets", {}), names, "kirkwood_buff.targets", path,
                        lambda v: _number(v, "kirkwood_buff.targets", path, positive=False) * per_len**3)
    return KBSettings(
        r_start=r0,
        r_stop=r1,
        factor=_number(data.get("factor", KB_FACTOR), "kirkwood_buff.factor", path) / per_len**3,
        r_ramp=ramp,
        targets=targets or {},
    )
