"""``boltzmann-nn targets``: trajectory → beads → every partial g_ij, densities, fractions,
and a refinement spec that ``refine --spec`` takes (one species: ``refine GR --density``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write, atomic_write_json, check_out_folder
from ..io.potential_files import write_gr_csv
from ..units import Units
from .mapping import map_beads, parse_bead
from .structure import TrajectoryStructure, partial_rdfs

#: The bead diameter σ of the spec: where the first g_ij first reaches this value.
SIGMA_G = 0.5


@dataclass
class TrajectoryTargets:
    """The structure of a mapped trajectory and the files written for refinement."""

    structure: TrajectoryStructure
    sigma_nm: float
    temperature: float | None
    files: dict
    pressure: tuple | None = None  # (mean, standard error) [bar]

    def to_dict(self) -> dict:
        out = self.structure.to_dict()
        out.update({"sigma": self.sigma_nm, "temperature": self.temperature, "files": self.files})
        if self.pressure is not None:
            out.update({"pressure_bar": self.pressure[0], "pressure_err_bar": self.pressure[1]})
        return out


def _load_universe(topology, trajectories):
    try:
        import MDAnalysis as mda
    except ImportError:
        raise InputError("targets needs MDAnalysis: pip install 'boltzmann-nn[trajectory]'") from None
    for path in [topology, *trajectories]:
        if not Path(path).is_file():
            raise InputError("no such file", str(path))
    kwargs = {}
    if Path(topology).suffix.lower() in (".data", ".lmp"):  # LAMMPS data: say its atom style
        head = Path(topology).read_text(errors="replace")[:20000]
        if "Atoms # atomic" in head:
            kwargs["atom_style"] = "id type x y z"
        kwargs["topology_format"] = "DATA"
    if trajectories and all(Path(t).suffix.lower() in (".dump", ".lammpstrj") for t in trajectories):
        kwargs["format"] = "LAMMPSDUMP"
    try:
        return mda.Universe(str(topology), *[str(t) for t in trajectories], **kwargs)
    except Exception as exc:  # MDAnalysis' readers raise many kinds for unreadable input
        why = " ".join(str(exc).split())[:200]
        raise InputError(f"MDAnalysis cannot read it: {why}", str(topology)) from None


def length_scale(curves) -> float:
    """A length scale σ for a spec [the curves' r unit]: the smallest r where any g of
    ``curves`` [(r, g), ...] first reaches 0.5 (the bead diameter, roughly).
    """
    firsts = []
    for r, g in curves:
        hit = np.flatnonzero(np.asarray(g) >= SIGMA_G)
        if hit.size:
            firsts.append(float(np.asarray(r)[hit[0]]))
    if not firsts:
        raise InputError("no g(r) reaches 0.5: too few frames or a bad mapping")
    return float(np.round(min(firsts), 3))


def trajectory_targets(topology, trajectories, beads: list[str], *, center: str = "com", r_max: float = 1.5,
                       bin_width: float = 0.002, begin=None, end=None, step: int = 1,
                       temperature: float | None = None, energy=None, out=None,
                       progress=None) -> TrajectoryTargets:
    """Map, compute every g_ij, and (with ``out``) write the g files and the spec.

    Args:
        beads: ``NAME=SELECTION`` strings (MDAnalysis selections).
        r_max, bin_width: [nm]. begin, end: [ps]. temperature: [K] (needed for the spec).
        energy: The run's energy file (GROMACS ``.edr`` or LAMMPS log): its mean pressure
            over [begin, end] becomes the spec's target pressure.
    """
    if out is not None:
        check_out_folder(out)
    if temperature is not None and not (temperature > 0):
        raise InputError(f"--temperature must be > 0 K, got {temperature}")
    pressure = None
    if energy is not None:
        from .pressure import run_pressure

        pressure = run_pressure(energy, begin, end)[:2]
    universe = _load_universe(topology, trajectories)
    types = map_beads(universe, [parse_bead(b) for b in beads], center)
    st = partial_rdfs(universe, types, r_max, bin_width, begin, end, step, progress)
    sigma = length_scale((st.r, g) for g in st.g.values())
    files: dict = {}
    if out is not None:
        source = " ".join(map(str, [topology, *trajectories]))
        files = write_targets(Path(out), st, sigma, temperature, source, pressure)
    return TrajectoryTargets(st, sigma, temperature, files, pressure)


def write_targets(out: Path, st: TrajectoryStructure, sigma_nm: float, temperature: float | None,
                  source: str, pressure: tuple | None = None) -> dict:
    """g_A-B.csv per pair (r in nm, with g_err), structure.json and, with a temperature,
    spec.toml for ``refine --spec``.
    """
    out.mkdir(parents=True, exist_ok=True)
    units = Units(sigma_nm, "nm", 1.0, "kJ/mol")  # lengths only: g has no energy
    files = {"g": {}}
    for pair, g in st.g.items():
        files["g"][pair] = str(write_gr_csv(
            out / f"g_{pair}.csv", st.r / sigma_nm, g, f"{pair} of {source}, {st.frames} frames",
            units, extra={"g_err": st.g_err[pair]}))
    files["structure"] = str(atomic_write_json(out / "structure.json", st.to_dict()))
    if temperature is not None:
        lines = [
            f"# refinement targets from {source}: {st.frames} frames, {st.times[0]:g}-{st.times[1]:g} ps",
            f"density = {st.density:.8g}          # beads per nm^3",
            f'sigma = "{sigma_nm:g}nm"            # where the first g_ij reaches {SIGMA_G}',
            f"temperature = {temperature:g}",
            'energy_unit = "kJ/mol"',
            *([f'pressure = "{pressure[0]:.6g}bar"          # +- {pressure[1]:.2g} bar (standard error)']
              if pressure is not None else []),
            "[species]",
            *[f"{name} = {x:.8g}" for name, x in zip(st.species, st.fractions)],
            "[targets]",
            *[f'"{pair}" = "g_{pair}.csv"' for pair in st.g],
        ]
        files["spec"] = str(atomic_write(out / "spec.toml", "\n".join(lines) + "\n"))
    return files
