"""The OpenMM engine (PyPI ``openmm``): the same run protocol on CPU, CUDA or OpenCL.

Reduced units map onto OpenMM's as σ = 1 nm, k_BT = 1 kJ/mol, m = 1 amu, so that
τ = √(mσ²/k_BT) = 1 ps and T = 1 kJ/mol / R = 120.27 K. The pair potential is a
``CustomNonbondedForce`` with energy ``table(r)``, a cubic spline (``Continuous1DFunction``)
through ``table_points`` values evenly spaced in r from the table start to r_cut (from
r = 0 where U(0) is finite: OpenMM, unlike LAMMPS, can start there), cut at r_cut with
periodic boundaries. Dynamics: ``LangevinMiddleIntegrator`` (friction 1/damp, Δt). Warm-up:
energy minimisation, then ``WARMUP_STEPS`` at a step small enough to respect the
displacement cap of the protocol.

Measurements per production block, sampled every ``SAMPLE_EVERY`` steps: the potential
energy, the kinetic temperature, and the virial pressure
P = 2K/(3V) − ∂U/∂V, with ∂U/∂V from the energies of the configuration scaled to
V(1 ± ε) (exact for a pair potential, and independent of how the engine splits forces);
g(r) every ``RDF_EVERY`` steps from the positions (periodic k-d tree pair counts).
The platform is chosen as CUDA, then OpenCL, then CPU (``platform="auto"``).
"""

from __future__ import annotations

import math
from importlib import metadata
from pathlib import Path

import numpy as np

from ..units import kT_KJ_PER_MOL_TEMPERATURE
from .base import StatePoint
from .diagnostics import wrap_into_box
from .lattice import start_positions
from .protocol import EngineUnavailable, ProtocolEngine

OPENMM_TABLE_POINTS = 20000
SAMPLE_EVERY = 50
RDF_EVERY = 100
VOLUME_STEP = 1e-4
PLATFORMS = ("CUDA", "OpenCL", "CPU")


def _openmm():
    try:
        import openmm
    except ImportError as exc:
        raise EngineUnavailable("OpenMM is not installed (pip install boltzmann-nn[openmm])") from exc
    return openmm


def pick_platform(mm, name: str = "auto"):
    """The fastest available platform (CUDA, OpenCL, CPU), or the one named."""
    have = [mm.Platform.getPlatform(i).getName() for i in range(mm.Platform.getNumPlatforms())]
    if name != "auto":
        if name not in have:
            raise EngineUnavailable(f"OpenMM platform {name!r} not available here (have {have})")
        return mm.Platform.getPlatformByName(name)
    for cand in PLATFORMS:
        if cand in have:
            return mm.Platform.getPlatformByName(cand)
    return mm.Platform.getPlatformByName(have[0])


def pair_counts_histogram(x: np.ndarray, box: float, edges: np.ndarray) -> np.ndarray:
    """Number of distinct pairs with distance in each bin of ``edges`` (periodic cube)."""
    from scipy.spatial import cKDTree

    x = wrap_into_box(x, box)
    tree = cKDTree(x, boxsize=box)
    cum = tree.count_neighbors(tree, edges).astype(float)  # ordered pairs incl. self at r = 0
    cum = (cum - x.shape[0]) / 2.0
    return np.diff(cum)


def langevin_context(mm, force, state: StatePoint, n: int, box: float, platform: str, start=None):
    """(integrator, context, platform name) of ``n`` unit-mass particles in a periodic cube
    with ``force``, Langevin at k_BT = 1 kJ/mol, started at ``start`` (else the lattice) with seeded
    velocities.
    """
    system = mm.System()
    for _ in range(n):
        system.addParticle(1.0)
    system.setDefaultPeriodicBoxVectors(mm.Vec3(box, 0, 0), mm.Vec3(0, box, 0), mm.Vec3(0, 0, box))
    system.addForce(force)
    integrator = mm.LangevinMiddleIntegrator(kT_KJ_PER_MOL_TEMPERATURE, 1.0 / state.damp, state.dt)
    integrator.setRandomNumberSeed(int(state.seed) % 2**31)
    plat = pick_platform(mm, platform)
    props = {"Threads": str(state.threads)} if plat.getName() == "CPU" else {}
    context = mm.Context(system, integrator, plat, props)
    context.setPositions(start_positions(n, box, state.seed, start))
    context.setVelocitiesToTemperature(kT_KJ_PER_MOL_TEMPERATURE, int(state.seed) % 2**31)
    return integrator, context, plat.getName()


def warm_up_context(mm, context, integrator, steps: int, dt: float, max_displacement: float) -> None:
    """Energy minimisation, then ``steps`` at a step short enough that no particle moves more
    than ``max_displacement`` per step (speeds are ~√3 at k_BT = 1: a quarter of it).
    """
    mm.LocalEnergyMinimizer.minimize(context, 10.0, 500)
    dt0 = integrator.getStepSize()
    integrator.setStepSize(min(dt, max_displacement / 4.0))
    integrator.step(steps)
    integrator.setStepSize(dt0)


def sample_state(mm, context, box: float, n: int):
    """(P, U/N, T, positions) of the context now: P = 2K/3V − ∂U/∂V with ∂U/∂V from the
    energies of the configuration scaled to V(1 ± ε), exact for pair potentials.
    """
    st = context.getState(getEnergy=True, getPositions=True)
    u, kin = st.getPotentialEnergy()._value, st.getKineticEnergy()._value
    x = np.asarray(st.getPositions(asNumpy=True)._value, float)
    vol = box**3
    du = []
    for sign in (1.0, -1.0):
        f = (1.0 + sign * VOLUME_STEP) ** (1.0 / 3.0)
        context.setPeriodicBoxVectors(*[mm.Vec3(*(box * f * e)) for e in np.eye(3)])
        context.setPositions(x * f)
        du.append(context.getState(getEnergy=True).getPotentialEnergy()._value)
    context.setPeriodicBoxVectors(*[mm.Vec3(*(box * e)) for e in np.eye(3)])
    context.setPositions(x)
    dudv = (du[0] - du[1]) / (2.0 * VOLUME_STEP * vol)
    return 2.0 * kin / (3.0 * vol) - dudv, u / n, 2.0 * kin / (3.0 * n - 3.0), x


class OpenMMSession:
    """One OpenMM simulation (see :class:`~boltzmann_nn.engines.protocol.Session`)."""

    def __init__(self, mm, potential, state: StatePoint, n: int, box: float, table_points: int,
                 platform: str, positions=None):
        self.mm, self.n, self.box, self.state = mm, n, box, state
        start = potential.table_start()
        r0 = 0.0 if start < 1e-3 else start
        r = np.linspace(r0, potential.r_cut, table_points)
        with np.errstate(all="ignore"):
            u = potential.evaluate(np.maximum(r, start))[0]
        if not np.all(np.isfinite(u)):
            raise ValueError("the potential is not finite on its table")
        force = mm.CustomNonbondedForce(f"table(max(r, {r0!r}))")
        force.addTabulatedFunction("table", mm.Continuous1DFunction(u.tolist(), r0, potential.r_cut))
        force.setNonbondedMethod(mm.CustomNonbondedForce.CutoffPeriodic)
        force.setCutoffDistance(potential.r_cut)
        force.setUseLongRangeCorrection(False)
        for _ in range(n):
            force.addParticle([])
        self.integrator, self.context, self.platform = langevin_context(mm, force, state, n, box, platform,
                                                                        positions)

    # --- protocol ---------------------------------------------------------------------
    def warm_up(self, steps: int, max_displacement: float) -> None:
        warm_up_context(self.mm, self.context, self.integrator, steps, self.state.dt, max_displacement)

    def advance(self, steps: int) -> None:
        self.integrator.step(steps)

    def positions(self) -> np.ndarray:
        st = self.context.getState(getPositions=True)
        return np.asarray(st.getPositions(asNumpy=True)._value, float)

    def start_production(self, block_steps: int, rdf_bins: int, rdf_rmax: float, rdf_every: int = 100) -> None:
        if block_steps % SAMPLE_EVERY or block_steps % RDF_EVERY:
            raise ValueError(f"OpenMM blocks must be multiples of {RDF_EVERY} steps, got {block_steps}")
        self.block_steps = block_steps
        self.edges = np.linspace(0.0, rdf_rmax, rdf_bins + 1)
        self.r = 0.5 * (self.edges[1:] + self.edges[:-1])
        shell = 4.0 / 3.0 * math.pi * (self.edges[1:] ** 3 - self.edges[:-1] ** 3)
        self.ideal = 0.5 * self.n * (self.n / self.box**3) * shell  # ideal-gas pairs per bin

    def _sample(self):
        return sample_state(self.mm, self.context, self.box, self.n)

    def run_block(self, on_frame=None, every: int = 0):
        ps, es, ts = [], [], []
        counts = np.zeros(self.r.size)
        frames = 0
        for k in range(self.block_steps // SAMPLE_EVERY):
            self.integrator.step(SAMPLE_EVERY)
            p, e, t, x = self._sample()
            ps.append(p)
            es.append(e)
            ts.append(t)
            if ((k + 1) * SAMPLE_EVERY) % RDF_EVERY == 0:
                counts += pair_counts_histogram(x, self.box, self.edges)
                frames += 1
                if on_frame is not None:
                    on_frame()
        g = counts / (frames * self.ideal)
        return float(np.mean(ps)), float(np.mean(es)), float(np.mean(ts)), self.r, g

    def n_atoms(self) -> int:
        return self.n

    def close(self) -> None:
        del self.context


class OpenMMEngine(ProtocolEngine):
    """Langevin NVT through OpenMM (GPU where present). Args: ``platform`` (``auto``,
    ``CUDA``, ``OpenCL``, ``CPU``, ``Reference``), ``table_points``.
    """

    name = "openmm"

    def __init__(self, platform: str = "auto", table_points: int = OPENMM_TABLE_POINTS):
        self.platform = platform
        self.table_points = table_points

    def version(self) -> str:
        try:
            return metadata.version("openmm")
        except metadata.PackageNotFoundError:
            return "not installed"

    def settings(self) -> dict:
        return {"table_points": self.table_points, "platform": self.platform}

    def failure_reason(self, exc: Exception) -> str:
        text = str(exc).strip().splitlines()
        msg = text[0] if text else type(exc).__name__
        if "nan" in msg.lower() or "infinite" in msg.lower():
            return f"blow-up: {msg[:100]}"
        return f"engine error: {msg[:160]}"

    def open(self, potential, state: StatePoint, n: int, box: float, workdir: Path,
             start=None) -> OpenMMSession:
        mm = _openmm()
        return OpenMMSession(mm, potential, state, n, box, self.table_points, self.platform, start)
