"""MD of a mixture through LAMMPS: one table section per species pair, every partial
g_ij(r) with block errors, the pressure, and diagnostics that catch demixing.

The run follows the one-species procedure (``docs/simulation.md``): a lattice start with
species placed at random (seeded), a capped-displacement warm-up, equilibration in chunks,
production in blocks. Per block LAMMPS reports the mean virial pressure, energy, temperature
and every partial g_ij (``compute rdf`` with one column pair per species pair); from the
positions the run measures, per block, S(k_min) of the total density and the
concentration–concentration structure factor S_cc(k_min) of every pair of species
(Bhatia–Thornton, normalised by its ideal-mixing value x_a x_b): a homogeneous mixture has
both of order 1, a demixed or phase-separated box of order N (``DEMIX_MAX``).
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..engines.base import StatePoint, box_rule
from ..engines.diagnostics import SK_MAX, block_error, halves_drift, structure_factor_min
from ..engines.lammps import (
    LAMMPS_TABLE_POINTS,
    failure_reason,
    lammps_version,
    load_lammps,
    regularise_origin,
)
from ..engines.lattice import initial_positions
from ..engines.protocol import EQ_CHUNK_MIN, EQ_CHUNKS, WARMUP_MAX_DISPLACEMENT, WARMUP_STEPS, frame_interval
from ..io.atomic import jsonable
from ..io.lammps_table import format_lammps_table
from .spec import MIXTURE_ENGINES
from .system import Composition, PairPotentials

#: S_cc(k_min) / (x_a x_b) above this (mean over production) flags a demixed pair.
DEMIX_MAX = 10.0


@dataclass
class MixtureResult:
    """What one mixture run produced (reduced units: σ, k_BT, k_BT/σ³).

    Attributes:
        ok: False when the run failed; ``reason`` says why.
        pressure, pressure_err: Mean virial pressure and its block error [k_BT/σ³].
        energy: Mean potential energy per particle [k_BT].
        r: g bin centres, shape (n,) [σ].
        g, g_err: Partial g_ij per pair name, each shape (n,), and their block errors.
        flags: Verdicts: ``equilibrated``, ``homogeneous`` (total S(k_min)), ``mixed``
            (every pair's S_cc), ``kept``, ``reasons`` and the numbers behind them.
        settings: N per species, box, engine, steps…
    """

    ok: bool
    reason: str = ""
    pressure: float = float("nan")
    pressure_err: float = float("nan")
    energy: float = float("nan")
    r: np.ndarray = field(default_factory=lambda: np.zeros(0))
    g: dict = field(default_factory=dict)
    g_err: dict = field(default_factory=dict)
    blocks: dict = field(default_factory=dict)
    flags: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    wall_s: float = 0.0

    @property
    def kept(self) -> bool:
        return self.ok and bool(self.flags.get("kept"))

    def to_dict(self) -> dict:
        out = jsonable(asdict(self))
        out["kept"] = self.kept
        return out

    @classmethod
    def from_dict(cls, data: dict) -> MixtureResult:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["r"] = np.asarray(fields.get("r", []), float)
        for key in ("g", "g_err"):
            fields[key] = {p: np.asarray(v, float) for p, v in (fields.get(key) or {}).items()}
        for key in ("pressure", "pressure_err", "energy"):
            if fields.get(key) is None:
                fields[key] = float("nan")
        return cls(**fields)


def concentration_structure(x: np.ndarray, types: np.ndarray, box: float, a: int, b: int) -> float:
    """S_cc(k_min) of species a and b among themselves, over x_a x_b (1 for ideal mixing),
    mean over k = 2π/L ê_{x,y,z}.
    """
    sel_a, sel_b = types == a, types == b
    n_a, n_b = int(sel_a.sum()), int(sel_b.sum())
    n = n_a + n_b
    xa, xb = n_a / n, n_b / n
    k = 2.0 * np.pi / box
    rho_a = np.exp(1j * k * x[sel_a]).sum(axis=0)
    rho_b = np.exp(1j * k * x[sel_b]).sum(axis=0)
    s_cc = np.abs(xb * rho_a - xa * rho_b) ** 2 / n
    return float(np.mean(s_cc) / (xa * xb))


def judge_mixture(comp: Composition, blocks: dict) -> dict:
    """Verdicts from the block measurements (pressure, energy, sk, scc per pair)."""
    p = np.asarray(blocks["pressure"], float)
    e = np.asarray(blocks["energy"], float)
    p_drift = halves_drift(p, abs(p.mean()) + comp.density)
    e_drift = halves_drift(e, abs(e.mean()) + 0.1)
    sk_min = float(np.mean(blocks["sk"]))
    scc = {pair: float(np.mean(v)) for pair, v in blocks.get("scc", {}).items()}
    equilibrated = not (p_drift["drifting"] or e_drift["drifting"])
    homogeneous = sk_min <= SK_MAX
    demixed = [pair for pair, v in scc.items() if v > DEMIX_MAX]
    reasons = ([] if equilibrated else ["not equilibrated"]) + ([] if homogeneous else ["heterogeneous"])
    reasons += [f"demixed ({pair}: S_cc(k_min)/x_a x_b = {scc[pair]:.3g})" for pair in demixed]
    return {
        "equilibrated": equilibrated,
        "homogeneous": homogeneous,
        "mixed": not demixed,
        "kept": equilibrated and homogeneous and not demixed,
        "reasons": reasons,
        "pressure_drift": p_drift,
        "energy_drift": e_drift,
        "sk_min": sk_min,
        "scc_min": scc,
    }


def _data_file(path: Path, x: np.ndarray, types: np.ndarray, box: float, n_types: int) -> None:
    lines = [
        "boltzmann-nn mixture start configuration",
        "",
        f"{x.shape[0]} atoms",
        f"{n_types} atom types",
        "",
        f"0 {box:.12g} xlo xhi",
        f"0 {box:.12g} ylo yhi",
        f"0 {box:.12g} zlo zhi",
        "",
        "Masses",
        "",
    ]
    lines += [f"{t + 1} 1.0" for t in range(n_types)] + ["", "Atoms # atomic", ""]
    lines += [
        f"{i + 1} {t + 1} {p[0]:.10g} {p[1]:.10g} {p[2]:.10g}" for i, (t, p) in enumerate(zip(types, x))
    ]
    path.write_text("\n".join(lines) + "\n")


def _table_text(pots: PairPotentials, rows: int) -> tuple[str, list[tuple[int, int, str]]]:
    """One LAMMPS table file, a section per pair (keyword = pair name, '-' → '_')."""
    parts, coeffs = [], []
    for i, j, name in pair_index_of(pots):
        tab = pots[name].tabulate(rows, spacing="rsq")
        regularise_origin(tab)
        key = name.replace("-", "_")
        parts.append(format_lammps_table(tab, key, spacing="rsq"))
        coeffs.append((i + 1, j + 1, key))
    return "\n".join(parts), coeffs


def pair_index_of(pots: PairPotentials):
    from .system import pair_index

    return pair_index(pots.species)


class MixtureRun:
    """One LAMMPS mixture simulation (set up in :meth:`open`, advanced by the protocol)."""

    def __init__(
        self,
        pots: PairPotentials,
        comp: Composition,
        state: StatePoint,
        n: int,
        box: float,
        tmp: Path,
        table_points: int,
    ):
        self.comp, self.state, self.n, self.box = comp, state, n, box
        self.mod = load_lammps()
        self.lmp = self.mod.lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
        self.types = species_of(comp, n, state.seed)
        self.counts = comp.counts(n)
        _data_file(tmp / "start.data", initial_positions(n, box, state.seed), self.types, box, comp.n_species)
        text, coeffs = _table_text(pots, table_points)
        (tmp / "pair.table").write_text(text)
        cmds = ["units lj", "atom_style atomic", "boundary p p p"]
        if state.threads > 1:
            cmds += [f"package omp {state.threads}", "suffix omp"]
        cmds += [f"read_data {tmp / 'start.data'}", f"pair_style table linear {table_points}"]
        cmds += [f"pair_coeff {i} {j} {tmp / 'pair.table'} {key}" for i, j, key in coeffs]
        cmds += [f"neighbor {state.skin} bin", "neigh_modify every 1 delay 0 check yes"]
        if state.rdf_rmax > pots.r_cut:
            cmds.append(f"comm_modify cutoff {state.rdf_rmax + state.skin + 0.1:.6g}")
        cmds += [
            "thermo_modify lost error",
            f"velocity all create 1.0 {state.seed} dist gaussian mom yes",
            f"timestep {state.dt}",
            f"fix thermostat all langevin 1.0 1.0 {state.damp} {state.seed + 1} zero yes",
        ]
        for cmd in cmds:
            self.lmp.command(cmd)
        self.pairs = [(i + 1, j + 1, name) for i, j, name in pair_index_of(pots)]
        self._fresh = True
        self._integrating = False

    def run(self, steps: int) -> None:
        self.lmp.command(f"run {steps} pre {'yes' if self._fresh else 'no'} post no")
        self._fresh = False

    def command(self, cmd: str) -> None:
        self.lmp.command(cmd)
        self._fresh = True

    # --- the mixture protocol (:func:`_procedure`) ---------------------------------------
    def warm_up(self, steps: int) -> None:
        self.command(f"fix integrate all nve/limit {WARMUP_MAX_DISPLACEMENT}")
        self.run(steps)
        self.command("unfix integrate")

    def advance(self, steps: int) -> None:
        if not self._integrating:
            self.command("fix integrate all nve")
            self._integrating = True
        self.run(steps)

    def run_block(self, sampler=None):
        """One production block (frames for ``sampler`` within it); its block values."""
        if not self._integrating:
            self.advance(0)
        if sampler is None:
            self.run(self.block)
        else:
            sub = frame_interval(self.block, sampler.every)
            for _ in range(self.block // sub):
                self.run(sub)
                sampler(self.positions(), self.sorted_types(), self.box)
        return self.block_values()

    def n_atoms(self) -> int:
        return int(self.lmp.get_natoms())

    def positions(self) -> np.ndarray:
        return np.array(self.lmp.numpy.extract_atom("x")[: self.n], dtype=float)

    def sorted_types(self) -> np.ndarray:
        ids = np.array(self.lmp.numpy.extract_atom("id")[: self.n], dtype=int)
        return self.types[ids - 1]

    def start_production(self, block: int) -> None:
        every = self.state.rdf_every if block % self.state.rdf_every == 0 else 10
        spec = " ".join(f"{i} {j}" for i, j, _ in self.pairs)
        self.command("reset_timestep 0")
        self.command(f"compute rdf all rdf {self.state.rdf_bins} {spec} cutoff {self.state.rdf_rmax}")
        self.command(f"fix prdf all ave/time {every} {block // every} {block} c_rdf[*] mode vector")
        self.command(
            f"fix pth all ave/time 10 {block // 10} {block} c_thermo_press c_thermo_pe c_thermo_temp"
        )
        self.block = block

    def block_values(self):
        lmp, mod = self.lmp, self.mod
        gs = mod.LMP_STYLE_GLOBAL
        p, e, t = (lmp.extract_fix("pth", gs, mod.LMP_TYPE_VECTOR, k) for k in range(3))
        bins = self.state.rdf_bins
        r = np.array([lmp.extract_fix("prdf", gs, mod.LMP_TYPE_ARRAY, b, 0) for b in range(bins)])
        g = {
            name: np.array(
                [lmp.extract_fix("prdf", gs, mod.LMP_TYPE_ARRAY, b, 1 + 2 * c) for b in range(bins)]
            )
            for c, (_, _, name) in enumerate(self.pairs)
        }
        return p, e / self.n, t, r, g

    def close(self) -> None:
        self.lmp.close()


def species_of(comp: Composition, n: int, seed: int) -> np.ndarray:
    """The species index of each of the ``n`` particles (counts by the mole fractions,
    placed at random, seeded).
    """
    rng = np.random.default_rng(seed + 7)
    return rng.permutation(np.repeat(np.arange(comp.n_species), comp.counts(n)))


def _engine_version(engine: str) -> str:
    if engine == "lammps":
        return lammps_version()
    from ..engines.openmm import OpenMMEngine

    return OpenMMEngine().version()


def _table_points(engine: str, table_points: int | None) -> int:
    from ..engines.openmm import OPENMM_TABLE_POINTS

    return table_points or (LAMMPS_TABLE_POINTS if engine == "lammps" else OPENMM_TABLE_POINTS)


def _open(engine: str, pots, comp, state, n, box, tmp: Path, table_points: int, platform: str):
    if engine == "lammps":
        return MixtureRun(pots, comp, state, n, box, tmp, table_points)
    from .md_openmm import OpenMMMixtureRun

    types = species_of(comp, n, state.seed)
    return OpenMMMixtureRun(pots, comp, state, n, box, types, platform, table_points)


def _failure(engine: str, exc: Exception) -> str:
    if engine == "lammps":
        return failure_reason(exc)
    from ..engines.openmm import OpenMMEngine

    return OpenMMEngine().failure_reason(exc)


def simulate_mixture(
    pots: PairPotentials,
    comp: Composition,
    state: StatePoint,
    table_points: int | None = None,
    progress=None,
    sampler=None,
    engine: str = "lammps",
    platform: str = "auto",
) -> MixtureResult:
    """Simulate the mixture at ``comp`` (its density; ``state.density`` must equal it) with
    the run settings of ``state`` on ``engine`` (``lammps`` or ``openmm``, on ``platform``);
    never raises for a failed run. ``sampler``: optional, called as
    ``sampler(positions, types, box)`` about every ``sampler.every`` production steps (the
    pair counts of inverse Monte Carlo, :mod:`.imc`; OpenMM takes them on its g(r) frames).
    """
    if engine not in MIXTURE_ENGINES:
        raise ValueError(f"engine {engine!r}: use one of {list(MIXTURE_ENGINES)}")
    n, box = box_rule(state, pots.r_cut)
    counts = comp.counts(n)
    table_points = _table_points(engine, table_points)
    settings = {
        **state.as_dict(),
        "n_particles": n,
        "counts": dict(zip(comp.species, counts)),
        "box": box,
        "r_cut": {name: float(p.r_cut) for name, p in pots.items()},
        "engine": engine,
        "engine_version": _engine_version(engine),
        "table_points": table_points,
    }
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bnn-mixture-") as tmp:
        try:
            run = _open(engine, pots, comp, state, n, box, Path(tmp), table_points, platform)
        except Exception as exc:  # noqa: BLE001 - a set-up failure is a failed run
            return MixtureResult(ok=False, reason=_failure(engine, exc), settings=settings)
        try:
            result = _procedure(run, comp, state, progress, sampler)
        except Exception as exc:  # noqa: BLE001 - a run never raises
            result = MixtureResult(ok=False, reason=_failure(engine, exc))
        finally:
            run.close()
    result.settings = {**settings, **result.settings}
    result.wall_s = time.perf_counter() - t0
    return result


def _scc(run, comp: Composition, x: np.ndarray) -> dict:
    types = run.sorted_types()
    return {
        f"{comp.species[a]}-{comp.species[b]}": concentration_structure(x, types, run.box, a, b)
        for a in range(comp.n_species)
        for b in range(a + 1, comp.n_species)
    }


def _procedure(run, comp: Composition, state: StatePoint, progress, sampler=None) -> MixtureResult:
    """The run protocol of a mixture on any engine's run object (``warm_up``, ``advance``,
    ``start_production``, ``run_block``, ``positions``, ``sorted_types``, ``n_atoms``).
    """
    total, done = state.equilibration + state.steps, 0

    def tick(steps):
        nonlocal done
        done += steps
        if progress:
            progress(done, total)

    warm = min(WARMUP_STEPS, state.equilibration)
    if warm:
        run.warm_up(warm)
        tick(warm)
    rest = state.equilibration - warm
    n_chunks = max(1, min(EQ_CHUNKS, rest // EQ_CHUNK_MIN)) if rest else 0
    for i in range(n_chunks):
        steps = rest // n_chunks + (rest % n_chunks if i == n_chunks - 1 else 0)
        run.advance(steps)
        tick(steps)
    chunk = state.steps // state.blocks
    run.start_production(chunk)
    p_b, e_b, t_b, sk_b, g_b = [], [], [], [], []
    scc_b: dict[str, list] = {}
    r = None
    for i in range(state.blocks):
        p, e, t, r_blk, g_blk = run.run_block(sampler)
        tick(chunk)
        if not all(math.isfinite(v) for v in (p, e, t)):
            return MixtureResult(ok=False, reason=f"non-finite pressure or energy in block {i}")
        p_b.append(p)
        e_b.append(e)
        t_b.append(t)
        r = r_blk
        g_b.append(g_blk)
        x = run.positions()
        sk_b.append(structure_factor_min(x, run.box).tolist())
        for pair, v in _scc(run, comp, x).items():
            scc_b.setdefault(pair, []).append(v)
    if run.n_atoms() != run.n:
        return MixtureResult(ok=False, reason=f"lost atoms: {run.n - run.n_atoms()}")
    blocks = {"pressure": p_b, "energy": e_b, "temperature": t_b, "sk": sk_b, "scc": scc_b}
    g, g_err = {}, {}
    for name in g_b[0]:
        stack = np.array([blk[name] for blk in g_b])
        g[name] = stack.mean(axis=0)
        g_err[name] = stack.std(axis=0, ddof=1) / math.sqrt(state.blocks)
    return MixtureResult(
        ok=True,
        pressure=float(np.mean(p_b)),
        pressure_err=block_error(p_b),
        energy=float(np.mean(e_b)),
        r=np.asarray(r),
        g=g,
        g_err=g_err,
        blocks=blocks,
        flags=judge_mixture(comp, blocks),
    )
