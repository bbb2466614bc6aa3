"""The shipped networks against the classical tools on the fluids people simulate.

Named potentials (Lennard-Jones at k_BT/ε = 2 cut at 5σ, WCA, soft spheres r⁻¹², Gaussian
core, Hertz, Yukawa, a smoothed square shoulder, Morse) at several densities, simulated
independently of the training data (the campaign's MD settings, seeds of their own). For
each state: the EOS network's P against P0 = ρ + B2ρ² and MD; the inverse network's Û from
the MD g(r) against Boltzmann and HNC inversion of the same g(r) (MAE over the network grid
where U <= U_cut).

MD results are kept in ``md.json`` in the output folder, one entry per state written as it
finishes, so the study resumes; ``boltzmann-nn report`` runs it into ``reports/named``
(``--quick``: from the states already simulated), ``benchmarks/named_fluids.py`` too.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from ..io.atomic import atomic_write, atomic_write_json

#: family -> (spec, densities)
FLUIDS = {
    "lj": ("lj:epsilon=0.5,rcut=5", (0.125, 0.244, 0.512, 1.0)),
    "wca": ("wca:epsilon=1", (0.5, 0.8)),
    "soft": ("soft:epsilon=1,n=12,rcut=3", (0.4, 0.8)),
    "gauss": ("gauss:epsilon=2,rcut=4", (0.3, 0.6, 1.0)),
    "hertz": ("hertz:epsilon=10", (0.5, 1.0)),
    "yukawa": ("yukawa:epsilon=3,kappa=3,rcut=4", (0.2, 0.4)),
    "shoulder": ("shoulder:epsilon=2,radius=1.5,width=0.05,rcut=2", (0.2, 0.5)),
    "morse": ("morse:epsilon=0.5,alpha=6,r0=1.1,rcut=2.5", (0.3, 0.8)),
}
ENGINE = {"steps": 20000, "equilibration": 10000, "n_min": 1000, "blocks": 20}
#: The states simulated for the shipped report (a fresh output folder starts from them).
SHIPPED_MD = Path("reports") / "named" / "md.json"


def simulate_states(cache_path, run: bool = True, log=print) -> dict:
    """MD of every named state (those missing from ``cache_path`` when ``run``)."""
    from ..engines.base import StatePoint
    from ..engines.simulate import simulate
    from ..potentials.spec import parse_potential

    cache_path = Path(cache_path)
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    for k, (family, (spec, densities)) in enumerate(FLUIDS.items()):
        for j, rho in enumerate(densities):
            key = f"{spec}@{rho:g}"
            if key in cache or not run:
                continue
            res = simulate(parse_potential(spec), StatePoint(density=rho, seed=1000 + 10 * k + j, **ENGINE))
            cache[key] = {"family": family, "spec": spec, "density": rho, "kept": bool(res.kept),
                          "reason": res.reason, "pressure": res.pressure, "pressure_err": res.pressure_err,
                          "r": np.asarray(res.r).tolist(), "g": np.asarray(res.g).tolist(),
                          "wall_s": res.wall_s}
            atomic_write_json(cache_path, cache)
            log(f"named fluid {key}: P = {res.pressure:.4g} ± {res.pressure_err:.2g} ({res.wall_s:.0f} s)")
    return cache


def evaluate(cache: dict, eos_model="eos", inverse_model="inverse") -> list[dict]:
    """One row per kept state: P from MD, the EOS network and P0; MAE of Û and of the
    Boltzmann and HNC inversions of the same g(r) against the true U.
    """
    from ..grid import NN_GRID
    from ..ml.pipeline.metrics import potential_errors
    from ..ml.serving.predict import predict_eos, predict_potential
    from ..ml.tasks.features import gr_on_grid, hnc_on_grid
    from ..potentials.spec import parse_potential
    from ..theory.inversion import boltzmann_inversion
    from ..theory.virial import b2, low_density_pressure
    from ..units import U_CUT

    rows = []
    for md in cache.values():
        if not md["kept"]:
            continue
        rho, pot = md["density"], parse_potential(md["spec"])
        r, g = np.asarray(md["r"]), np.asarray(md["g"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p_net = float(predict_eos(pot, [rho], model=eos_model).pressure[0])
            u_net = predict_potential((r, g), rho, model=inverse_model).u
        u_true, _ = pot.tabulate(4000).on_grid(NN_GRID)
        u_b = np.minimum(boltzmann_inversion(gr_on_grid(r, g, NN_GRID.r))[0], U_CUT)  # as for the dataset
        u_h = hnc_on_grid(r, g[None], [rho], NN_GRID.r)[0]
        p0 = float(low_density_pressure(rho, b2(pot)))
        p = md["pressure"]
        denom = max(abs(p), 0.01)
        errors = {f"mae_{name}": float(potential_errors(u_true, u)[1][0])
                  for name, u in (("network", u_net), ("Boltzmann", u_b), ("HNC", u_h))}
        rows.append({"family": md["family"], "spec": md["spec"], "density": rho, "P": p,
                     "P_err": md["pressure_err"], "P_net": p_net, "P0": p0,
                     "rae_net": abs(p_net - p) / denom, "rae_P0": abs(p0 - p) / denom, **errors})
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| family | ρ | P (MD) | P network | P0 | rel. error network | rel. error P0 "
             "| MAE U network | Boltzmann | HNC |", "|---" * 10 + "|"]
    for r in rows:
        lines.append(f"| {r['family']} | {r['density']:g} | {r['P']:.4g} | {r['P_net']:.4g} | {r['P0']:.4g} | "
                     f"{r['rae_net']:.3f} | {r['rae_P0']:.3f} | {r['mae_network']:.3f} | "
                     f"{r['mae_Boltzmann']:.3f} | {r['mae_HNC']:.3f} |")
    lines += ["", "Per family: mean relative P error; median MAE of U [k_BT] (best in bold).", "",
              "| family | states | EOS network | P0 | U network | Boltzmann | HNC |", "|---" * 7 + "|"]
    for fam in list(dict.fromkeys(r["family"] for r in rows)) + ["all"]:
        sel = [r for r in rows if fam in ("all", r["family"])]
        p = [np.mean([r[k] for r in sel]) for k in ("rae_net", "rae_P0")]
        u = [np.median([r[f"mae_{k}"] for r in sel]) for k in ("network", "Boltzmann", "HNC")]
        cells = [_bold(v, p) for v in p] + [_bold(v, u) for v in u]
        lines.append(f"| {fam} | {len(sel)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _bold(v, group) -> str:
    return f"**{v:.3f}**" if v == min(group) else f"{v:.3f}"


def run_named(out="reports/named", run: bool = True, eos_model="eos", inverse_model="inverse",
              log=print) -> dict:
    """Simulate (what is missing), evaluate the models, write ``table.md`` and ``rows.json``."""
    out = Path(out)
    if not (out / "md.json").exists() and SHIPPED_MD.exists():
        atomic_write(out / "md.json", SHIPPED_MD.read_text())
    cache = simulate_states(out / "md.json", run=run, log=log)
    rows = evaluate(cache, eos_model, inverse_model)
    if not rows:
        return {"rows": 0, "table": None, "text": "no named fluid simulated yet\n"}
    text = (f"# Named fluids: EOS model `{eos_model}`, inverse model `{inverse_model}`\n\n"
            f"MD {ENGINE} (reduced units), each state simulated independently of the training data.\n\n"
            + markdown(rows))
    atomic_write(out / "table.md", text)
    atomic_write_json(out / "rows.json", rows, indent=1)
    return {"rows": len(rows), "table": str(out / "table.md"), "text": text}
