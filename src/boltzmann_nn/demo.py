"""The built-in end-to-end job (``boltzmann-nn demo``): theory and the shipped networks on
the Lennard-Jones fluid at k_BT/ε = 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .api import invert_gr, solve_oz, tabulate, virial
from .grid import NN_GRID
from .io.potential_files import write_potential
from .potentials.spec import parse_potential
from .reference import EXAMPLE_GR_PRESSURE, THOL_LJ_T2, example_gr_path
from .theory.inversion import invert
from .units import U_CUT


def demo(out_dir="demo-output", density: float = 0.5, md: bool = True, progress=None) -> dict:
    """End-to-end physics on a built-in default: the Lennard-Jones fluid at k_BT/ε = 2.

    Tabulates the potential (LAMMPS and CSV tables), computes B2, B3 and the low-density
    pressures, solves the OZ equation with HNC and PY at ``density``, inverts the HNC
    g(r) back to a potential, runs the shipped networks, and (``md``) closes the loop with
    MD: the network's potential is simulated against the bundled g(r) and refined for a
    few short iterations (:func:`loop_demo`). ``progress`` is called with a line before
    each stage.
    """
    say = progress or (lambda _line: None)
    out = Path(out_dir)
    say("theory: tables, B2 and B3, HNC and PY structure, HNC inversion")
    spec = "lj:epsilon=0.5,rcut=5"
    tab = tabulate(spec, n=1000, out=out / "lj.table", plot=out / "lj_potential.png")
    write_potential(out / "lj.csv", parse_potential(spec).tabulate(1000), "csv")
    vir = virial("lj:epsilon=0.5,rcut=inf,shift=false", [0.125, 0.244, 0.512, density]).to_dict()
    hnc = solve_oz(spec, density, "hnc", out=out / "gr_hnc.csv", plot=out / "structure_hnc.png").result
    py = solve_oz(spec, density, "py", out=out / "gr_py.csv").result
    inv = invert_gr(out / "gr_hnc.csv", density, "hnc", out=out / "lj_from_hnc.table",
                    plot=out / "inversion_hnc.png")
    r_inv = inv.r
    u_true = parse_potential(spec).evaluate(r_inv)[0]
    ok = (r_inv > 0.95) & (r_inv < 5.0)
    say("networks: U(r) from the bundled MD g(r), P(rho) from U(r)")
    networks = network_demo(out)
    if md:
        say("MD: the network's potential against the bundled g(r), then 3 refinement runs (about a minute)")
    loop = loop_demo(out / "refine") if md else None
    return {
        "potential": spec,
        "density": density,
        "B2": vir["B2"],
        "B3": vir["B3"],
        "P0": dict(zip([f"{d:g}" for d in vir["density"]], vir["P0"])),
        "pressure_hnc": {"virial": hnc.pressure_virial, "compressibility": hnc.pressure_compressibility},
        "pressure_py": {"virial": py.pressure_virial, "compressibility": py.pressure_compressibility},
        "hnc_round_trip_max_error": float(np.max(np.abs(inv.u[ok] - u_true[ok]))),
        "networks": networks,
        "loop": loop,
        "files": sorted(str(p) for p in out.iterdir()),
        "table_points": tab.table.r.size,
    }


#: The demo's refinement: three short iterations (about half a minute on two cores).
DEMO_REFINE = {"max_iter": 3, "min_steps": 4000, "max_steps": 4000, "equilibration": 2000}


def loop_demo(out) -> dict:
    """Predict, validate, refine: the network's potential from the bundled g(r) is
    simulated (iteration 0 is its validation) and refined by Newton steps with the HNC
    Jacobian towards the bundled g(r) and the run's measured pressure (g alone does not fix
    P: a tail off by a few 0.01 k_BT moves it by O(1)); the final table is written for
    LAMMPS (``final.table``) and as CSV.
    """
    import warnings

    from .ml.serving.predict import predict_potential
    from .refine.loop import RefineSettings, refine
    from .refine.output import write_outputs
    from .refine.target import load_target
    from .units import Units

    out = Path(out)
    target = load_target(example_gr_path(), 0.512)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = predict_potential((target.r, target.g), target.density).table
    res = refine(target, start, RefineSettings(method="ihnc", pressure=EXAMPLE_GR_PRESSURE, **DEMO_REFINE),
                 out_dir=out)
    summary = write_outputs(res, target, Units(), out, "lammps", "network")
    first = res.iterations[0]
    return {
        "validate": {"l_mse": first.comparison.l_mse, "noise_mse": first.comparison.noise_mse,
                     "chi2": first.comparison.chi2,
                     "within_noise": first.comparison.within_noise, "pressure": first.run.pressure,
                     "pressure_err": first.run.pressure_err},
        "distance": summary["distance"], "noise": summary["noise"], "pressure": summary["pressure"],
        "pressure_target": EXAMPLE_GR_PRESSURE, "pressure_ok": _pressure_ok(res.iterations[res.best]),
        "converged": res.converged, "reason": res.reason, "best": res.best,
        "table": summary["table_md"], "md_steps": res.md_steps, "wall_s": res.wall_s,
    }


def _pressure_ok(rec) -> bool | None:
    return None if rec.pressure_check is None else rec.pressure_check.ok


def network_demo(out) -> dict:
    """The shipped networks on the built-in LJ fluid: the pair potential from the bundled
    MD g(r) (beside Boltzmann and HNC inversion of the same g), and P(rho) from U(r)
    (beside Thol's reference EOS).
    """
    import warnings

    from .ml.serving.predict import predict_eos, predict_potential
    from .plots import plot_gr_and_potentials

    out = Path(out)
    gr_file, rho = example_gr_path(), 0.512
    lj = parse_potential("lj:epsilon=0.5,rcut=5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pot = predict_potential(gr_file, rho)
        eos = predict_eos(lj, list(THOL_LJ_T2))
    table, r_g, g = pot.table, pot.r_g, pot.g
    write_potential(out / "lj_from_network.table", table, "lammps",
                    comment=f"predicted by boltzmann-nn from {gr_file.name} at rho = {rho}")
    r = NN_GRID.r
    u_true = lj.evaluate(r)[0]
    u_hnc = np.interp(r, r_g, invert(r_g, g, rho, "hnc"))
    u_net, u0 = np.asarray(pot["U_network"]), np.asarray(pot["U0"])
    ok = (u_true <= U_CUT) & (np.interp(r, r_g, g) > 1e-3)
    plot_gr_and_potentials(r_g, g, {"network": (r, u_net), "U0 (Boltzmann)": (r, u0),
                                    "HNC inversion": (r, u_hnc), "true LJ": (r, u_true)},
                           out / "potential_from_network.png", f"bundled LJ g(r), rho = {rho}")
    return {
        "potential_from_gr": {
            "gr_file": gr_file.name, "density": rho,
            "MAE_network": float(np.mean(np.abs(u_net - u_true)[ok])),
            "MAE_boltzmann": float(np.mean(np.abs(u0 - u_true)[ok])),
            "MAE_hnc": float(np.mean(np.abs(u_hnc - u_true)[ok])),
        },
        "eos": {f"{d:g}": {"network": p, "thol": THOL_LJ_T2[d]}
                for d, p in zip(THOL_LJ_T2, eos["pressure"])},
        "virial_coefficients": eos["virial_coefficients"],
    }
