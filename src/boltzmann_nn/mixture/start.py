"""Where a mixture refinement starts: HNC inversion of all partial g_ij together (the
matrix OZ equation), Boltzmann inversion pair by pair, or a potential file per pair.
"""

from __future__ import annotations

import numpy as np

from ..potentials.table import PairTable, read_potential_table
from ..refine.start import _below_first_point
from ..theory.inversion import G_FLOOR, HNC_INVERSION_GRID, boltzmann_inversion, extend_core
from ..units import U_CUT


def _table(r, u, name: str) -> PairTable:
    r, u = _below_first_point(np.asarray(r, float), np.asarray(u, float))
    r_t, u_t, f_t = extend_core(r, u)
    return PairTable(r_t, u_t, f_t, name=name, check_force=False)


def hnc_start(comp, targets: dict) -> dict:
    """U_ij = h_ij − c_ij − ln g_ij from the matrix OZ equation with every target at once,
    capped at U_CUT where g is below the floor, with a steep core below (as one species).
    """
    from ..theory.mixture_oz import MixtureOZSolver

    reach = min(float(t.r[-1]) for t in targets.values())
    dr = HNC_INVERSION_GRID["dr"]
    r_c = np.arange(dr, reach + 1e-9, dr)
    s = comp.n_species
    g = np.ones((s, s, r_c.size))
    for i, j, name in comp.pairs():
        g[i, j] = g[j, i] = np.interp(r_c, targets[name].r, targets[name].g, left=0.0)
    r_s, u_s = MixtureOZSolver("hnc", **HNC_INVERSION_GRID).invert(r_c, g, comp.x, comp.density)
    out = {}
    for i, j, name in comp.pairs():
        t = targets[name]
        u = np.interp(t.r, r_s, np.nan_to_num(u_s[i, j], posinf=U_CUT, nan=U_CUT), left=U_CUT)
        u = np.where(t.g < G_FLOOR, U_CUT, np.minimum(u, U_CUT))
        out[name] = _table(t.r, u, f"hnc-inversion {name}")
    return out


def boltzmann_start(comp, targets: dict) -> dict:
    """U_ij = −ln g_ij, pair by pair."""
    return {
        name: _table(t.r, boltzmann_inversion(t.g), f"boltzmann-inversion {name}")
        for name, t in targets.items()
    }


#: Starts by name: f(composition, targets) -> {pair: PairTable}.
MIXTURE_START_FUNCTIONS = {"hnc": hnc_start, "boltzmann": boltzmann_start}


def start_tables(start, comp, targets: dict, units=None) -> dict:
    """The start's table per pair (reduced units); ``start`` is a name or pair → file."""
    if isinstance(start, str):
        return MIXTURE_START_FUNCTIONS[start](comp, targets)
    return {name: read_potential_table(path, units) for name, path in start.items()}
