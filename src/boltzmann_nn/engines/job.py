"""``simulate`` as a job: run, then write result JSON, g(r) CSV and a plot."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write_json
from ..io.potential_files import write_gr_csv
from .base import StatePoint, box_rule
from .simulate import simulate


def progress_bar(total_label: str, enabled: bool):
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=1, desc=total_label, unit="step", file=sys.stderr, unit_scale=True)

    def update(done, total):
        bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar.close


def check_simulable(potential, state: StatePoint) -> None:
    """Raise InputError unless ``potential`` can be simulated at ``state`` (finite cutoff,
    finite values, a box that holds the cutoff).
    """
    if not math.isfinite(potential.r_cut):
        raise InputError("simulation needs a finite cutoff (rcut)")
    u_check = potential.evaluate(np.linspace(potential.table_start(), potential.r_cut, 2001))
    if not (np.all(np.isfinite(u_check[0])) and np.all(np.isfinite(u_check[1]))):
        raise InputError("the potential has non-finite values between the table start and r_cut")
    box_rule(state, potential.r_cut)  # raises for an r_cut too large for the box


def run_simulation(potential, state: StatePoint, *, out_dir=None, plot=None,
                   tail_correction: bool = False, progress: bool = True, engine=None):
    """Simulate and write outputs; a failed run is written too, marked as failed.

    Returns:
        ``(result, record)``: the :class:`SimulationResult`, and its ``to_dict()`` with the
        run's ``status`` and the paths written.
    """
    check_simulable(potential, state)
    update, close = progress_bar("MD", progress)
    try:
        result = simulate(potential, state, tail_correction=tail_correction, progress=update, engine=engine)
    finally:
        close()
    data = result.to_dict()
    data["status"] = "done" if result.ok else "failed"
    if out_dir is not None:
        out = Path(out_dir)
        data["result_file"] = str(out / "result.json")
        if result.ok:
            data["gr_file"] = str(write_gr_csv(out / "gr.csv", result.r, result.g,
                                               f"MD at rho = {state.density:g}",
                                               extra={"g_err": result.g_err}))
        atomic_write_json(out / "result.json", data, indent=1)
        if plot is None and result.ok:
            plot = out / "gr.png"
    if plot is not None and result.ok:
        from ..plots import plot_gr_and_potentials

        r = np.linspace(potential.table_start(), potential.r_cut, 500)
        data["plot"] = str(plot_gr_and_potentials(
            result.r, result.g, {"U": (r, potential.evaluate(r)[0])}, plot,
            f"MD, rho = {state.density:g}, P = {result.pressure:.4g} +- {result.pressure_err:.2g}"))
    return result, data
