"""``refine --spec FILE``: read the spec, load every target, start, refine, write the
engine files, the g_ij/U_ij plots and the convergence plot.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write, check_out_folder
from ..refine.target import load_target
from .refine import MixtureSettings, refine_mixture
from .spec import MixtureSpec, check_method, read_spec
from .start import start_tables

#: Largest default cut-off [σ] (as for one species).
R_CUT_DEFAULT_MAX = 5.0


def load_targets(spec: MixtureSpec) -> dict:
    """Pair name → Target (reduced units; the files' r in the spec's length unit)."""
    rho = float(spec.units.density(spec.composition.density))
    return {p: load_target(str(path), rho, spec.units, spec.gr_format) for p, path in spec.targets.items()}


def cutoffs(spec: MixtureSpec, targets: dict) -> dict:
    """Per pair: the spec's cut-off, or min(target range, 5σ); within the target's range."""
    out = {}
    for p, t in targets.items():
        rc = spec.r_cut.get(p, float(min(t.r[-1], R_CUT_DEFAULT_MAX)))
        if not 0 < rc <= t.r[-1] + 1e-9:
            raise InputError(
                f"r_cut of {p} ({rc:.4g} sigma) must lie within its target's range "
                f"(up to {t.r[-1]:.4g} sigma)",
                str(spec.path),
            )
        out[p] = rc
    return out


def settings_of(spec: MixtureSpec, max_iter: int | None = None) -> MixtureSettings:
    md = spec.md
    steps = int(md.get("steps", 4000))
    return MixtureSettings(
        method=spec.method,
        max_iter=max_iter or spec.max_iter,
        pressure=spec.pressure,
        tol=spec.tol,
        min_steps=steps,
        max_steps=int(md.get("max_steps", max(40000, steps))),
        equilibration=int(md.get("equilibration", 4000)),
        blocks=int(md.get("blocks", 10)),
        max_du=spec.max_du,
        seed=int(md.get("seed", 1)),
        threads=int(md.get("threads", 1)),
        n_particles=md.get("n_particles"),
        dt=float(md.get("dt", 0.005)),
        engine=str(md.get("engine", "lammps")),
        platform=str(md.get("platform", "auto")),
        rdf_every=int(md.get("rdf_every", 100)),
        kb=spec.kb,
    )


def refine_spec(spec_file, out="refine-output", max_iter: int | None = None, progress=None,
                engine: str | None = None, method: str | None = None) -> dict:
    """Run the refinement a spec describes; returns the JSON-able summary (see the CLI).
    ``engine``, ``method``: None takes the spec's (``[md] engine``, ``method``).
    """
    spec = read_spec(spec_file)
    if method is not None:
        check_method(method, spec.path)
    out = Path(out)
    check_out_folder(out)
    targets = load_targets(spec)
    r_cut = cutoffs(spec, targets)
    if spec.kb is not None:
        short = [p for p, t in targets.items() if float(t.r[-1]) < spec.kb.r_stop]
        if short:
            raise InputError(f"kirkwood_buff: the target of {', '.join(short)} ends before r_stop",
                             str(spec.path))
    start = start_tables(spec.start, spec.composition, targets, spec.units)
    start_name = (
        spec.start if isinstance(spec.start, str) else json.dumps({k: str(v) for k, v in spec.start.items()})
    )
    settings = settings_of(spec, max_iter)
    settings.engine = engine or settings.engine
    settings.method = method or settings.method
    out.mkdir(parents=True, exist_ok=True)
    result = refine_mixture(spec.composition, targets, start, r_cut, settings, out, start_name, progress)
    return write_outputs(spec, targets, result, out)


def write_outputs(spec: MixtureSpec, targets: dict, result, out: Path) -> dict:
    """Final tables (every engine's format), plots and ``summary.json``; the summary."""
    from ..io.pair_set_files import write_pair_tables
    from .plots import plot_convergence, plot_pairs

    units = spec.units
    tables = result.tables()
    files = write_pair_tables(out / "final", list(spec.species), tables, units)
    last = result.iterations[-1].run
    best = result.iterations[result.best].run
    r = units.length(np.asarray(last.r if last.ok else best.r, float))
    g_src = last if last.ok else best
    summary = {
        "converged": result.converged,
        "reason": result.reason,
        "iterations": len(result.iterations),
        "best": result.best,
        "md_steps": result.md_steps,
        "species": list(spec.species),
        "fractions": list(spec.composition.fractions),
        "density": float(units.density(spec.composition.density)),
        "units": units.header(),
        "r": r.tolist(),
        "g": {p: np.asarray(v).tolist() for p, v in g_src.g.items()},
        "tables": {p: str(path) for p, path in files["csv"].items()},
        "files": _jsonable_files(files),
        "history": result.history(),
    }
    p_best = best.pressure
    summary["pressure"] = float(units.pressure(p_best)) if np.isfinite(p_best) else None
    if spec.pressure is not None:
        summary["pressure_target"] = float(units.pressure(spec.pressure))
    summary["plots"] = {
        "pairs": str(plot_pairs(out / "pairs.png", spec, targets, result)),
        "convergence": str(plot_convergence(out / "convergence.png", result, spec.pressure, units)),
    }
    atomic_write(out / "summary.json", json.dumps(summary, indent=1))
    return summary


def _jsonable_files(files: dict) -> dict:
    return {
        k: (
            {p: str(v) for p, v in val.items()}
            if isinstance(val, dict)
            else (list(val) if isinstance(val, list) else str(val))
        )
        for k, val in files.items()
    }
