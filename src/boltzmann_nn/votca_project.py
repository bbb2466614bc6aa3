"""VOTCA ``csg_inverse`` projects: a ``settings.xml`` (and the configuration it runs) read
as a refinement spec, so a VOTCA tutorial or project refines here without GROMACS ≤ 2019.

What maps: every ``<non-bonded>`` interaction (types, target file, ``max`` as its cut-off),
``inverse.kBT`` (kJ/mol), ``inverse.method`` (ibi → ibi, iie → ihnc, imc → imc, for any
number of bead types; iie's ``gauss-newton`` → hncgn, also for several), ``p_target`` with a
``pressure`` post-update or iie's ``pressure_constraint`` (a target pressure, bar),
``iterations_max``; the composition and density from the configuration (``conf.gro`` for
GROMACS, the LAMMPS data file that ``read_data`` names for LAMMPS). What cannot be honoured
is refused in one line; what is done differently is said in a note.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

METHODS = {"ibi": "ibi", "iie": "ihnc", "imc": "imc"}


@dataclass
class VotcaProject:
    """A VOTCA project read as a spec (nm, kJ/mol)."""

    folder: Path
    settings: Path
    interactions: list  # (name, type1, type2, target path, r_cut [nm])
    kbt: float
    method: str
    iterations: int | None
    pressure_bar: float | None
    counts: dict  # type → beads
    volume_nm3: float
    notes: list = field(default_factory=list)

    @property
    def density(self) -> float:
        return sum(self.counts.values()) / self.volume_nm3

    def spec_text(self, sigma_nm: float, max_iter: int) -> str:
        total = sum(self.counts.values())
        lines = [
            f"# from VOTCA project {self.settings}",
            f"density = {self.density:.10g}",
            f'sigma = "{sigma_nm:g}nm"',
            f"kT = {self.kbt:.10g}",
            'energy_unit = "kJ/mol"',
            f'method = "{self.method}"',
            f"max_iter = {max_iter}",
        ]
        if self.pressure_bar is not None:
            lines.append(f'pressure = "{self.pressure_bar:g}bar"')
        lines += ["[species]", *[f"{t} = {n / total:.12g}" for t, n in self.counts.items()], "[targets]"]
        lines += [f'"{t1}-{t2}" = "{target}"' for _, t1, t2, target, _ in self.interactions]
        lines += ["[r_cut]", *[f'"{t1}-{t2}" = {rc:g}' for _, t1, t2, _, rc in self.interactions]]
        return "\n".join(lines) + "\n"


def _text(node, tag: str, default=None):
    found = node.find(tag)
    return default if found is None or found.text is None else found.text.strip()


def _settings_path(path) -> Path:
    path = Path(path)
    if path.is_dir():
        path = path / "settings.xml"
    if not path.is_file():
        raise InputError("no VOTCA settings.xml here", str(path))
    return path


def read_votca(path) -> VotcaProject:
    """Read ``settings.xml`` (or the folder holding it) and its configuration."""
    settings = _settings_path(path)
    folder = settings.parent
    try:
        root = ET.parse(settings).getroot()
    except ET.ParseError as exc:
        raise InputError(f"not valid XML: {exc}", str(settings)) from None
    inv = root.find("inverse")
    if inv is None:
        raise InputError("no <inverse> section", str(settings))
    notes = []
    method = (_text(inv, "method") or "ibi").lower()
    if method not in METHODS:
        raise InputError(f"VOTCA method {method!r} has no counterpart here (ibi, iie, imc do)", str(settings))
    try:
        kbt = float(_text(inv, "kBT"))
    except (TypeError, ValueError):
        raise InputError("<inverse><kBT> (kJ/mol) is missing or not a number", str(settings)) from None
    iters = [int(x.text) for x in inv.findall("iterations_max") if x.text and x.text.strip().isdigit()]
    program = (_text(inv, "program") or "gromacs").lower()
    interactions, pressures = [], []
    for nb in root.findall("non-bonded"):
        name, t1, t2 = _text(nb, "name"), _text(nb, "type1"), _text(nb, "type2")
        if not (name and t1 and t2):
            raise InputError("a <non-bonded> needs <name>, <type1> and <type2>", str(settings))
        iv = nb.find("inverse")
        target = _text(iv, "target") if iv is not None else None
        if not target:
            raise InputError(f"interaction {name}: no <inverse><target>", str(settings))
        post = (_text(iv, "post_update") or "").split()
        for step in post:
            if step == "pressure":
                p = _text(iv, "p_target")
                if p is None:
                    raise InputError(f"interaction {name}: pressure post-update, no <p_target>", str(settings))
                pressures.append(float(p))
            elif step == "smooth":
                notes.append(f"{name}: post_update smooth -> every update here is denoised and smoothed")
            else:
                raise InputError(f"interaction {name}: post_update {step!r} is not available here "
                                 "(pressure and smooth are)", str(settings))
        if (_text(iv, "post_add") or "").strip() not in ("", "convergence"):
            raise InputError(f"interaction {name}: post_add {_text(iv, 'post_add')!r} is not available here",
                             str(settings))
        dop = (_text(iv, "do_potential") or "1").split()
        if dop != ["1"]:
            notes.append(f"{name}: do_potential {' '.join(dop)} -> every pair is updated every iteration "
                         "(all pairs together)")
        rc = float(_text(nb, "max"))
        interactions.append((name, t1, t2, str((folder / target).resolve()), rc))
    if not interactions:
        raise InputError("no <non-bonded> interactions", str(settings))
    types = list(dict.fromkeys(t for _, t1, t2, _, _ in interactions for t in (t1, t2)))
    iie = inv.find("iie")
    if method == "iie" and iie is not None and _text(iie, "pressure_constraint") is not None:
        pressures.append(float(_text(iie, "pressure_constraint")))
    if len(set(pressures)) > 1:
        raise InputError(f"different p_target per interaction ({pressures}): one system has one pressure",
                         str(settings))
    counts, volume = _configuration(folder, program, types, settings)
    ours = METHODS[method]
    gauss_newton = iie is not None and (_text(iie, "method") or "").lower() == "gauss-newton"
    if method == "iie" and gauss_newton:
        ours = "hncgn"  # the same constrained Gauss-Newton step, for any number of bead types
    notes.insert(0, f"method {method} -> {ours}; kBT {kbt:g} kJ/mol; program {program} -> LAMMPS "
                    f"(this tool's engine); {sum(counts.values())} beads in {volume:.5g} nm^3")
    notes.append("start: HNC inversion of the targets (VOTCA starts from Boltzmann inversion; put "
                 'start = "boltzmann" in the written spec for that)')
    if pressures:
        how = ("a constraint of each Gauss-Newton step, as in VOTCA" if ours == "hncgn"
               else "the virial ramp replaces VOTCA's simple pressure correction")
        notes.append(f"p_target {pressures[0]:g} -> target pressure {pressures[0]:g} bar ({how})")
    return VotcaProject(folder, settings, interactions, kbt, ours, max(iters) if iters else None,
                        pressures[0] if pressures else None, counts, volume, notes)


def _configuration(folder: Path, program: str, types: list, settings: Path):
    """Bead counts per type and the box volume [nm³]."""
    if program == "lammps":
        ins = sorted(folder.glob("*.in"))
        data = None
        for f in ins:
            for line in f.read_text(errors="replace").splitlines():
                words = line.split()
                if len(words) >= 2 and words[0] == "read_data":
                    data = folder / words[1]
        if data is None or not data.is_file():
            raise InputError("a LAMMPS project needs an input (*.in) whose read_data names a data file",
                             str(settings))
        return _lammps_data(data, types)
    gro = folder / "conf.gro"
    if not gro.is_file():
        raise InputError("a GROMACS project needs conf.gro beside settings.xml", str(settings))
    return _gro(gro, types)


def _gro(path: Path, types: list):
    lines = path.read_text(errors="replace").splitlines()
    try:
        n = int(lines[1].split()[0])
        box = [float(v) for v in lines[2 + n].split()[:3]]
    except (IndexError, ValueError):
        raise InputError("not a .gro file (atom count or box missing)", str(path)) from None
    counts = dict.fromkeys(types, 0)
    for line in lines[2:2 + n]:
        atom, res = line[10:15].strip(), line[5:10].strip()
        key = atom if atom in counts else (res if res in counts else None)
        if key is None:
            raise InputError(f"atom {atom!r} of residue {res!r} is none of the bead types {types}", str(path))
        counts[key] += 1
    if any(c == 0 for c in counts.values()):
        raise InputError(f"no beads of type(s) {[t for t, c in counts.items() if not c]}", str(path))
    return counts, box[0] * box[1] * box[2]


def _lammps_data(path: Path, types: list):
    """Counts per LAMMPS atom type (type i = the i-th VOTCA type in order of appearance) and
    the box volume (data file in Å, as VOTCA's LAMMPS tutorials write it) [nm³].
    """
    lines = path.read_text(errors="replace").splitlines()
    lengths = []
    for line in lines:
        w = line.split()
        if len(w) >= 4 and w[2] in ("xlo", "ylo", "zlo"):
            lengths.append(float(w[1]) - float(w[0]))
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("Atoms"))
    except StopIteration:
        raise InputError("no Atoms section", str(path)) from None
    counts = dict.fromkeys(types, 0)
    for line in lines[start + 1:]:
        w = line.split()
        if not w:
            if any(counts.values()):
                break
            continue
        if not w[0].isdigit():
            break
        t = int(w[1]) - 1
        if not 0 <= t < len(types):
            raise InputError(f"atom type {t + 1} beyond the {len(types)} VOTCA bead types", str(path))
        counts[types[t]] += 1
    if len(lengths) != 3:
        raise InputError("no xlo/ylo/zlo box lines", str(path))
    return counts, lengths[0] * lengths[1] * lengths[2] / 1000.0
