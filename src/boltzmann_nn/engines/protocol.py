"""The run procedure, written once for every engine.

An engine only sets a simulation up and advances it (:class:`Session`); this module owns
what a run measures and when it stops (paper §2.2 and ``docs/simulation.md``):

1. the box rule (N and L for the state point);
2. warm-up: ``WARMUP_STEPS`` steps in which no particle moves more than
   ``WARMUP_MAX_DISPLACEMENT`` per step (a lattice start cannot blow up);
3. equilibration in up to 20 chunks; after each, S(k_min) from the positions, and two
   chunks in a row above ``SK_ABORT`` stop the run as collapsed;
4. production in ``state.blocks`` blocks; per block the engine reports the mean virial
   pressure, potential energy per particle, temperature and g(r); the protocol adds S(k_min)
   and (every ``SOLID_EVERY`` blocks) the solid-like fraction from the positions;
5. the verdict (:func:`~boltzmann_nn.engines.diagnostics.judge`), the block errors and the
   g(r) halves.

A run never raises: particles meeting at the table start become a recorded outcome
(:class:`TableStartReached`), any other engine error a failed result with its reason.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import Protocol

import numpy as np

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

#: Steps of capped-displacement integration at the start of equilibration.
WARMUP_STEPS = 1000
WARMUP_MAX_DISPLACEMENT = 0.05
#: Most equilibration chunks (each followed by an S(k_min) check), and their least length.
EQ_CHUNKS, EQ_CHUNK_MIN = 20, 500
#: The solid-like fraction (docs/simulation.md: its cost) is measured after every this many
#: production blocks (and after the last): its mean is what the verdict uses.
SOLID_EVERY = 4


def frame_interval(block_steps: int, every: int) -> int:
    """The divisor of ``block_steps`` nearest to ``every`` (frames split a block evenly)."""
    divisors = [d for d in range(1, block_steps + 1) if block_steps % d == 0]
    return min(divisors, key=lambda d: (abs(d - max(every, 1)), d))


class TableStartReached(Exception):
    """Two particles came closer than the first row of the pair table."""

    def __init__(self, distance: float):
        super().__init__(f"two particles at r = {distance:.4g}, closer than the table start")
        self.distance = distance


class EngineUnavailable(Exception):
    """The engine's library cannot be loaded here."""


class Session(Protocol):
    """One simulation, set up by an :class:`Engine` (positions [σ], energies [k_BT])."""

    def warm_up(self, steps: int, max_displacement: float) -> None:
        """Advance ``steps`` with no particle moving more than ``max_displacement`` per step."""

    def advance(self, steps: int) -> None:
        """Advance ``steps`` of Langevin NVT dynamics."""

    def positions(self) -> np.ndarray:
        """Positions, shape (N, 3) [σ]."""

    def start_production(self, block_steps: int, rdf_bins: int, rdf_rmax: float, rdf_every: int = 100) -> None:
        """Prepare block averages of ``block_steps`` steps and g(r) on ``rdf_bins`` bins."""

    def run_block(self, on_frame=None, every: int = 0) -> tuple[float, float, float, np.ndarray, np.ndarray]:
        """Advance one block; its mean pressure [k_BT/σ³], energy per particle [k_BT],
        temperature [k_BT], and g(r) as (bin centres (n,) [σ], g (n,)). With ``on_frame``,
        call it about every ``every`` steps within the block (the engine may round).
        """

    def n_atoms(self) -> int:
        """Particles still in the box."""

    def close(self) -> None:
        """Free the engine's resources."""


class Engine(Protocol):
    """An MD engine: it opens a :class:`Session` for a tabulated pair potential, and
    :meth:`run` simulates a state point (engines inherit :class:`ProtocolEngine`, whose
    ``run`` is :func:`run_protocol`; a stand-in for tests may answer ``run`` directly).
    """

    name: str

    def run(self, potential, state: StatePoint, progress: Progress | None = None, sampler=None,
            early_stop: bool = True, start=None) -> SimulationResult:
        """Simulate ``potential`` (a table or named potential) at ``state``; never raises for a
        failed run. ``sampler`` sees production frames; ``early_stop`` ends a box that stays
        heterogeneous during equilibration; ``start``: positions to begin from (see
        :func:`run_protocol`).
        """

    def version(self) -> str:
        """The engine library's version."""

    def settings(self) -> dict:
        """Engine settings that a result records (and a campaign's run id includes)."""

    def open(self, potential, state: StatePoint, n: int, box: float, workdir: Path, start=None) -> Session:
        """Set up N particles in a cubic box of edge ``box`` [σ] with ``potential``, at
        :func:`~boltzmann_nn.engines.lattice.start_positions`.
        """

    def failure_reason(self, exc: Exception) -> str:
        """One line saying why the engine stopped."""


def run_protocol(engine: Engine, potential, state: StatePoint,
                 progress: Progress | None = None, sampler=None, early_stop: bool = True,
                 start=None) -> SimulationResult:
    """Simulate ``potential`` at ``state`` with ``engine``; never raises for a failed run.

    ``sampler``: optional; called as ``sampler(positions, box)`` about every
    ``sampler.every`` production steps (for example the pair-count fluctuations of inverse
    Monte Carlo). It does not change what the run measures.
    ``early_stop``: stop a box that stays heterogeneous during equilibration (the campaign
    does; a refinement runs on, because the g(r) of such a box still tells its next step).
    ``start``: positions [σ] to begin from instead of the lattice (a refinement passes the
    last run's, so that a short equilibration suffices); the result holds the last ones.
    """
    n, box = box_rule(state, potential.r_cut)
    settings = {
        **state.as_dict(), "n_particles": n, "box": box, "r_cut": potential.r_cut,
        "engine": engine.name, "engine_version": engine.version(), **engine.settings(),
        "table_start": potential.table_start(),
    }
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"bnn-{engine.name}-") as tmp:
        try:
            session = engine.open(potential, state, n, box, Path(tmp), start)
        except EngineUnavailable as exc:
            return SimulationResult(ok=False, reason=f"{engine.name} unavailable: {exc}", settings=settings)
        except Exception as exc:  # noqa: BLE001 - a set-up failure is a failed run
            return SimulationResult(ok=False, reason=engine.failure_reason(exc), settings=settings)
        try:
            result = _procedure(session, potential, state, n, box, progress, sampler, early_stop)
        except TableStartReached as exc:
            start = potential.table_start()
            u_start = float(potential.evaluate(np.array([start]))[0][0])
            result = SimulationResult(ok=True, flags=met_at_table_start(exc.distance, start, u_start))
        except Exception as exc:  # noqa: BLE001 - a failure never raises out of a run
            result = SimulationResult(ok=False, reason=engine.failure_reason(exc))
        finally:
            session.close()
    result.settings = {**settings, **result.settings}
    result.wall_s = time.perf_counter() - t0
    return result


def _procedure(session: Session, potential, state: StatePoint, n: int, box: float,
               progress: Progress | None, sampler=None, early_stop: bool = True) -> SimulationResult:
    total = state.equilibration + state.steps
    done = 0

    def tick(steps):
        nonlocal done
        done += steps
        if progress:
            progress(done, total)

    warm = min(WARMUP_STEPS, state.equilibration)
    if warm:
        session.warm_up(warm, WARMUP_MAX_DISPLACEMENT)
        tick(warm)
    rest = state.equilibration - warm
    n_chunks = max(1, min(EQ_CHUNKS, rest // EQ_CHUNK_MIN)) if rest else 0
    high = 0
    for i in range(n_chunks):
        steps = rest // n_chunks + (rest % n_chunks if i == n_chunks - 1 else 0)
        session.advance(steps)
        tick(steps)
        sk = float(structure_factor_min(session.positions(), box).mean())
        high = high + 1 if sk > SK_ABORT else 0
        if high >= 2 and early_stop:
            return SimulationResult(ok=True, flags=collapsed(done, sk), settings={"early_stop_step": done})

    chunk = state.steps // state.blocks
    session.start_production(chunk, state.rdf_bins, state.rdf_rmax, state.rdf_every)
    p_b, e_b, t_b, sk_b, g_b, sol_b = [], [], [], [], [], []
    r = None
    frame = {} if sampler is None else {"on_frame": lambda: sampler(session.positions(), box),
                                        "every": int(sampler.every)}
    for i in range(state.blocks):
        p, e, t, r_blk, g_blk = session.run_block(**frame)
        tick(chunk)
        if not all(math.isfinite(v) for v in (p, e, t)):
            return SimulationResult(ok=False, reason=f"non-finite pressure or energy in block {i}")
        p_b.append(p)
        e_b.append(e)
        t_b.append(t)
        r = r_blk if r is None else r
        g_b.append(g_blk)
        pos = session.positions()
        sk_b.append(structure_factor_min(pos, box))
        if (i + 1) % SOLID_EVERY == 0 or i == state.blocks - 1:
            sol_b.append(solid_fraction(pos, box))
    if session.n_atoms() != n:
        return SimulationResult(ok=False, reason=f"lost atoms: {n - session.n_atoms()}")
    final = np.array(pos, float)
    g_blocks = np.asarray(g_b)
    g = g_blocks.mean(axis=0)
    half = state.blocks // 2
    g_halves = np.stack([g_blocks[:half].mean(axis=0), g_blocks[half:].mean(axis=0)])
    blocks = {"pressure": p_b, "energy": e_b, "temperature": t_b, "sk": np.asarray(sk_b).tolist(),
              "solid": sol_b}
    with np.errstate(all="ignore"):
        u_r = potential.evaluate(r)[0]
    flags = judge(state.density, blocks, r, g, u_r)
    pairs = n * (2.0 * math.pi / 3.0) * state.density * (potential.r_cut + state.skin) ** 3
    return SimulationResult(
        ok=True, pressure=float(np.mean(p_b)), pressure_err=block_error(p_b),
        energy=float(np.mean(e_b)), energy_err=block_error(e_b), r=np.asarray(r), g=g,
        g_err=g_blocks.std(axis=0, ddof=1) / np.sqrt(state.blocks), g_halves=g_halves,
        blocks=blocks, flags=flags, settings={"pairs_per_step": pairs}, positions=final,
    )


class ProtocolEngine:
    """The base of every engine: ``run`` is the shared :func:`run_protocol`; a subclass
    writes ``name``, ``version``, ``settings``, ``failure_reason`` and ``open``.
    """

    name = ""

    def run(self, potential, state: StatePoint, progress: Progress | None = None, sampler=None,
            early_stop: bool = True, start=None) -> SimulationResult:
        """Simulate ``potential`` at ``state`` (the shared run protocol); never raises."""
        return run_protocol(self, potential, state, progress, sampler, early_stop, start)
