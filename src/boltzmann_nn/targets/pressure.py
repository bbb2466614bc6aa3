"""The atomistic run's pressure, for the spec: its mean over the frames used and the
standard error over blocks, in bar, from a GROMACS energy file (``.edr``, through pyedr)
or a LAMMPS log (the ``Press`` column of its thermo output; ``units real`` gives atm,
``metal`` bar).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import InputError
from .structure import BLOCKS

#: bar per atm.
BAR_PER_ATM = 1.01325
#: LAMMPS units styles whose pressure converts to bar.
LAMMPS_PRESSURE_TO_BAR = {"real": BAR_PER_ATM, "metal": 1.0, "si": 1e-5, "cgs": 1e-6}


def _edr(path: Path):
    try:
        import pyedr
    except ImportError:
        raise InputError("reading .edr needs pyedr: pip install 'boltzmann-nn[trajectory]'") from None
    try:
        data = pyedr.edr_to_dict(str(path))
    except Exception as exc:  # pyedr raises several kinds for a damaged file
        why = " ".join(str(exc).split())[:150]
        raise InputError(f"cannot read the energy file: {why}", str(path)) from None
    if "Pressure" not in data:
        raise InputError("the energy file has no Pressure term", str(path))
    return np.asarray(data["Time"], float), np.asarray(data["Pressure"], float)


def _lammps_log(path: Path):
    lines = path.read_text(errors="replace").splitlines()
    style = "lj"
    times, values = [], []
    i = 0
    while i < len(lines):
        words = lines[i].split()
        if len(words) >= 2 and words[0] == "units":
            style = words[1]
        if words and words[0] == "Step" and "Press" in words:
            col = words.index("Press")
            tcol = words.index("Time") if "Time" in words else 0
            i += 1
            while i < len(lines):
                row = lines[i].split()
                try:
                    nums = [float(v) for v in row]
                except ValueError:
                    break
                if len(nums) != len(words):
                    break
                times.append(nums[tcol])
                values.append(nums[col])
                i += 1
            continue
        i += 1
    if not values:
        raise InputError("no thermo output with a Press column found", str(path))
    if style not in LAMMPS_PRESSURE_TO_BAR:
        raise InputError(f"LAMMPS units {style}: its pressure has no unit to convert to bar", str(path))
    return np.asarray(times), np.asarray(values) * LAMMPS_PRESSURE_TO_BAR[style]


def run_pressure(path, begin=None, end=None) -> tuple[float, float, int]:
    """(mean P [bar], its standard error [bar], samples) of the energy file ``path``
    between ``begin`` and ``end`` (its time column: ps for GROMACS, LAMMPS' ``Time`` or
    ``Step``).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", str(path))
    t, p = _edr(path) if path.suffix.lower() == ".edr" else _lammps_log(path)
    keep = np.ones(t.size, bool)
    if begin is not None:
        keep &= t >= begin - 1e-9
    if end is not None:
        keep &= t <= end + 1e-9
    p = p[keep]
    if p.size < 2:
        raise InputError(f"fewer than 2 pressure samples between {begin} and {end}", str(path))
    blocks = min(BLOCKS, p.size)
    means = np.array([b.mean() for b in np.array_split(p, blocks)])
    return float(p.mean()), float(means.std(ddof=1) / math.sqrt(blocks)), int(p.size)
