"""``refine --states FILE``: read a multi-state file, load every state's targets, start from
the states' averaged HNC (or Boltzmann) inversion, refine, and write the final tables for
every engine and ``summary.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write, check_out_folder
from ..refine.start import refined_table
from .multistate import MultiStateResult, MultiStateSpec, read_multistate, refine_states, start_potentials
from .run_spec import cutoffs, load_targets


def state_targets(ms: MultiStateSpec) -> tuple[dict, dict]:
    """State → pair → Target, and the cut-offs (the first state's; every state's targets
    must reach them).
    """
    targets = {st.name: load_targets(st.spec) for st in ms.states}
    r_cut = cutoffs(ms.states[0].spec, targets[ms.states[0].name])
    for st in ms.states[1:]:
        for p, t in targets[st.name].items():
            if t.r[-1] + 1e-9 < r_cut[p]:
                raise InputError(f"state {st.name}: the target of {p} ends at {t.r[-1]:.4g} sigma, before the "
                                 f"cut-off {r_cut[p]:.4g} sigma", str(ms.path))
    return targets, r_cut


def refine_states_file(path, out="refine-output", max_iter: int | None = None, progress=None) -> dict:
    """Run the multi-state refinement a file describes; returns the JSON summary."""
    ms = read_multistate(path)
    if max_iter is not None:
        ms.max_iter = max_iter
    out = Path(out)
    check_out_folder(out)
    targets, r_cut = state_targets(ms)
    starts = {st.spec.start for st in ms.states}
    if len(starts) != 1 or not isinstance(next(iter(starts)), str):
        raise InputError("every state's spec must name the same start (hnc or boltzmann)", str(ms.path))
    start_name = next(iter(starts))
    start = start_potentials(ms, targets, start_name)
    out.mkdir(parents=True, exist_ok=True)
    result = refine_states(ms, targets, start, r_cut, out, start_name, progress)
    return write_outputs(ms, result, out)


def write_outputs(ms: MultiStateSpec, result: MultiStateResult, out: Path) -> dict:
    """Final tables (in the first state's units), per-state distances and ``summary.json``."""
    from ..io.pair_set_files import write_pair_tables

    first = ms.states[0]
    units = first.spec.units
    tables = {p: refined_table(result.grids[p], result.u[p] / first.kT, name=f"refined {p}")
              for p in result.grids}
    files = write_pair_tables(out / "final", list(ms.species), tables, units,
                              comment=f"one set of potentials for {len(ms.states)} states ({ms.path.name})")
    best = result.iterations[result.best]
    states = {}
    for st in ms.states:
        rec = best.states[st.name]
        su = st.spec.units
        c = rec.comparison
        states[st.name] = {
            "spec": str(st.spec.path), "weight": st.weight, "kT": st.kT,
            "density": float(su.density(st.spec.composition.density)),
            "converged": bool(rec.converged),
            "chi2": None if c is None else c.chi2, "chi2_bound": None if c is None else c.chi2_bound,
            "l_mse": None if c is None else c.l_mse, "noise_mse": None if c is None else c.noise_mse,
            "pressure": float(su.pressure(rec.run.pressure)) if np.isfinite(rec.run.pressure) else None,
            "pressure_target": None if st.spec.pressure is None else float(su.pressure(st.spec.pressure)),
            "pressure_unit": su.pressure_label,
            "r": su.length(np.asarray(rec.run.r, float)).tolist(),
            "g": {p: np.asarray(v).tolist() for p, v in rec.run.g.items()},
        }
    summary = {
        "converged": result.converged, "reason": result.reason, "iterations": len(result.iterations),
        "best": result.best, "md_steps": result.md_steps, "wall_s": result.wall_s,
        "species": list(ms.species), "units": units.header(),
        "energy_note": "tables in the first state's units" + ("" if not units.is_reduced else
                                                                f" (U in units of its k_BT = {first.kT:g})"),
        "states": states,
        "tables": {p: str(v) for p, v in files["csv"].items()},
        "files": {k: (str(v) if not isinstance(v, (dict, list)) else
                      ({p: str(x) for p, x in v.items()} if isinstance(v, dict) else list(v)))
                  for k, v in files.items()},
        "history": [it.summary() for it in result.iterations],
    }
    atomic_write(out / "summary.json", json.dumps(summary, indent=1))
    return summary
