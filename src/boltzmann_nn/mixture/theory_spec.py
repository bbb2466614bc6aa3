"""``oz --spec``: the mixture Ornstein–Zernike theory of a spec's ``[potentials]`` at its
composition and density — every g_ij, partial S_ij(k), Bhatia–Thornton factors (binary),
Kirkwood–Buff integrals, both pressures and the mixture's B2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write
from ..theory.mixture_oz import MixtureOZSolver, mixture_b2
from .spec import read_spec
from .system import PairPotentials, pair_index

#: g_ij is reported up to this distance [σ].
R_SHOWN = 10.0


def oz_spec(spec_file, closure: str = "hnc", out=None) -> dict:
    """Solve the mixture OZ equation for the spec's potentials; the summary (spec units).

    With ``out`` (a CSV path), writes ``r`` and every g_ij as columns.
    """
    spec = read_spec(spec_file, need_targets=False)
    if not spec.potentials:
        raise InputError("oz --spec needs a [potentials] table (one potential per pair)", str(spec.path))
    pots = PairPotentials(spec.species, spec.potentials).by_index()
    comp = spec.composition
    res = MixtureOZSolver(closure).solve(pots, comp.x, comp.density)
    u = spec.units
    names = {(i, j): name for i, j, name in pair_index(spec.species)}
    keep = res.r <= R_SHOWN
    vol = float(u.length(1.0)) ** 3
    data = {
        "closure": closure,
        "species": list(spec.species),
        "fractions": list(comp.fractions),
        "density": float(u.density(comp.density)),
        "units": u.header(),
        "iterations": res.iterations,
        "pressure_virial": float(u.pressure(res.pressure_virial)),
        "pressure_compressibility": float(u.pressure(res.pressure_compressibility)),
        "inverse_compressibility": res.inverse_compressibility,
        "B2": vol * mixture_b2(pots, comp.x),
        "kirkwood_buff": {n: vol * float(res.kirkwood_buff[i, j]) for (i, j), n in names.items()},
        "r": u.length(res.r[keep]).tolist(),
        "g": {n: res.g[i, j, keep].tolist() for (i, j), n in names.items()},
        "k": (res.k / u.length(1.0)).tolist(),
        "S": {n: res.s_partial[i, j].tolist() for (i, j), n in names.items()},
    }
    if comp.n_species == 2:
        bt = res.bhatia_thornton()
        data["bhatia_thornton"] = {k: v.tolist() for k, v in bt.items()}
        data["S_CC_0_over_x1x2"] = float(bt["S_CC"][0] / (comp.x[0] * comp.x[1]))
    if out is not None:
        cols = np.column_stack([u.length(res.r[keep])] + [res.g[i, j, keep] for i, j in names])
        head = f"# boltzmann-nn mixture OZ/{closure.upper()}: partial g_ij\n# {u.header()}\n"
        body = "r," + ",".join(f"g_{n}" for n in names.values()) + "\n"
        body += "\n".join(",".join(f"{v:.8g}" for v in row) for row in cols) + "\n"
        data["out"] = str(atomic_write(Path(out), head + body))
    return data
