"""``simulate --spec`` and ``validate --spec``: MD of a mixture's ``[potentials]`` at the
spec's composition and density; ``validate`` compares every g_ij with its target.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..engines.base import StatePoint
from ..errors import InputError
from ..io.atomic import atomic_write, check_out_folder
from ..io.potential_files import write_gr_csv
from .compare import compare_pairs, pressure_check
from .md import simulate_mixture
from .spec import read_spec
from .system import PairPotentials


def _state(spec, steps, equilibration, seed, threads, n_particles, r_max: float = 5.0) -> StatePoint:
    rmax = float(min(max(5.0, r_max), 100.0))
    return StatePoint(
        spec.composition.density,
        steps=steps,
        equilibration=equilibration,
        seed=seed,
        threads=threads,
        n_particles=n_particles,
        rdf_rmax=rmax,
        rdf_bins=int(max(200, round(rmax / 0.01))),
        blocks=int(spec.md.get("blocks", 10)),
        rdf_every=int(spec.md.get("rdf_every", 100)),
    )


def _engine(spec, engine: str | None) -> dict:
    """The engine and platform of a run: ``engine`` where given, else the spec's [md]."""
    return {"engine": engine or str(spec.md.get("engine", "lammps")),
            "platform": str(spec.md.get("platform", "auto"))}


def _summary(spec, res) -> dict:
    u = spec.units
    out = {
        "ok": res.ok,
        "reason": res.reason,
        "kept": res.kept,
        "species": list(spec.species),
        "fractions": list(spec.composition.fractions),
        "density": float(u.density(spec.composition.density)),
        "units": u.header(),
        "flags": res.flags,
        "settings": res.settings,
        "wall_s": res.wall_s,
    }
    if res.ok:
        out.update(
            {
                "pressure": float(u.pressure(res.pressure)),
                "pressure_err": float(u.pressure(res.pressure_err)),
                "energy": float(u.energy(res.energy)),
                "r": u.length(res.r).tolist(),
                "g": {p: v.tolist() for p, v in res.g.items()},
                "g_err": {p: v.tolist() for p, v in res.g_err.items()},
            }
        )
    return out


def _write(out, spec, res, summary) -> None:
    if out is None:
        return
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if res.ok:
        summary["gr_files"] = {}
        for p in res.g:
            path = out / f"g_{p}.csv"
            write_gr_csv(
                path, res.r, res.g[p], f"MD partial g of {p}", spec.units, extra={"g_err": res.g_err[p]}
            )
            summary["gr_files"][p] = str(path)
    atomic_write(out / "result.json", json.dumps(summary, default=str))


def simulate_spec(
    spec_file,
    steps: int = 20000,
    equilibration: int = 10000,
    seed: int = 1,
    threads: int = 1,
    n_particles: int | None = None,
    out=None,
    progress=None,
    engine: str | None = None,
) -> dict:
    """Simulate the spec's ``[potentials]``; the summary (spec units). ``engine``: None
    takes the spec's ``[md] engine`` (default lammps).
    """
    spec = read_spec(spec_file, need_targets=False)
    if not spec.potentials:
        raise InputError(
            "simulate --spec needs a [potentials] table (one potential per pair)", str(spec.path)
        )
    pots = PairPotentials(spec.species, spec.potentials)
    if out is not None:
        check_out_folder(out)
    res = simulate_mixture(
        pots,
        spec.composition,
        _state(spec, steps, equilibration, seed, threads, n_particles),
        progress=progress,
        **_engine(spec, engine),
    )
    summary = _summary(spec, res)
    _write(out, spec, res, summary)
    return summary


def validate_spec(
    spec_file,
    steps: int = 20000,
    equilibration: int = 10000,
    seed: int = 1,
    threads: int = 1,
    n_particles: int | None = None,
    out=None,
    progress=None,
    engine: str | None = None,
) -> dict:
    """Simulate the spec's ``[potentials]`` and compare every g_ij with its target
    (``engine`` as :func:`simulate_spec`).
    """
    from .run_spec import cutoffs, load_targets

    spec = read_spec(spec_file)
    if not spec.potentials:
        raise InputError(
            "validate --spec needs a [potentials] table (one potential per pair)", str(spec.path)
        )
    targets = load_targets(spec)
    r_cut = cutoffs(spec, targets)
    pots = PairPotentials(spec.species, spec.potentials)
    if out is not None:
        check_out_folder(out)
    r_max = max(float(t.r[-1]) for t in targets.values())
    res = simulate_mixture(
        pots,
        spec.composition,
        _state(spec, steps, equilibration, seed, threads, n_particles, r_max),
        progress=progress,
        **_engine(spec, engine),
    )
    summary = _summary(spec, res)
    if res.ok:
        c = compare_pairs(targets, res.r, res.g, res.g_err, r_cut)
        summary["comparison"] = c.to_json()
        summary["within_noise"] = c.within_noise
        check = pressure_check(res.pressure, res.pressure_err, spec.pressure, spec.composition.density)
        if check is not None:
            summary["pressure_target"] = float(spec.units.pressure(spec.pressure))
            summary["pressure_ok"] = check["ok"]
            summary["pressure_rel"] = float(check["diff"] / max(abs(spec.pressure), 1e-300))
    _write(out, spec, res, summary)
    return summary


def spec_species_count(spec_file) -> int:
    """How many species a spec names (1: the one-species commands take it)."""
    return len(read_spec(spec_file, need_targets=False).species)
