"""The Python API behind the command line: each function does one job and returns a
JSON-able dict (arrays as lists), writing files only where asked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import InputError
from .grid import NN_GRID
from .io.gr import read_gr
from .io.potential_files import WRITE_FORMATS, format_from_suffix, write_gr_csv, write_potential
from .potentials import PairTable, parse_potential
from .theory import OZSolver, extend_core, invert, virial_summary
from .units import U_CUT, Units, check_density


def _potential(spec):
    return parse_potential(spec) if isinstance(spec, str) else spec


def _check_density(density: float, what: str = "density") -> float:
    return check_density(density, what)


def tabulate(spec, *, n: int = 1000, r_min: float | None = None, out=None, fmt: str | None = None,
             plot=None, units: Units | None = None) -> dict:
    """Tabulate a potential on [r_min, r_cut]; write it (LAMMPS, VOTCA, CSV) if asked.

    Returns:
        Dict with ``r``, ``U``, ``F``, the 50-point network-grid view (``nn``), the
        description and the written paths.
    """
    pot = _potential(spec)
    if not np.isfinite(pot.r_cut):
        raise InputError("a table needs a finite cutoff (rcut=inf is for virial coefficients)")
    if not 5 <= n <= 10**6:
        raise InputError(f"a table needs 5 to 10^6 points, got {n}")
    if r_min is not None and not (np.isfinite(r_min) and 0 <= r_min < pot.r_cut):
        raise InputError(f"--r-min must lie in [0, r_cut = {pot.r_cut:g}), got {r_min}")
    table = pot if isinstance(pot, PairTable) and r_min is None else pot.tabulate(n, r_min=r_min)
    nn = table.on_grid(NN_GRID)
    out_info = {}
    if out is not None:
        fmt = fmt or format_from_suffix(out)
        if fmt not in WRITE_FORMATS:
            raise InputError(f"unknown format {fmt!r}; use one of {WRITE_FORMATS}")
        out_info["out"] = str(write_potential(out, table, fmt, units))
        out_info["format"] = fmt
    if plot is not None:
        from .plots import plot_potential

        out_info["plot"] = str(plot_potential(table.r, table.U, table.F, plot, table.name))
    return {
        "potential": pot.describe(),
        "r_cut": table.r_cut,
        "r": table.r.tolist(),
        "U": table.U.tolist(),
        "F": table.F.tolist(),
        "nn_grid": {"r": NN_GRID.r.tolist(), "U": nn[0].tolist(), "F": nn[1].tolist(),
                    "U_capped": np.minimum(nn[0], U_CUT).tolist()},
        **out_info,
    }


def virial(spec, densities=()) -> dict:
    """B2, B3 and the low-density pressures P0 = ρ + B2ρ² (and with B3) at ``densities``."""
    pot = _potential(spec)
    for d in densities:
        _check_density(d)
    return {"potential": pot.describe(), **virial_summary(pot, densities)}


def solve_oz(spec, density: float, closure: str = "hnc", *, out=None, plot=None) -> dict:
    """Ornstein–Zernike with HNC or PY: g(r), S(k), virial and compressibility pressures."""
    pot = _potential(spec)
    _check_density(density)
    res = OZSolver(closure).solve(pot, density)
    keep = res.r <= max(10.0, min(3 * pot.r_cut, 20.0)) if np.isfinite(pot.r_cut) else res.r <= 20
    info = {}
    if out is not None:
        info["out"] = str(write_gr_csv(out, res.r[keep], res.g[keep],
                                       f"OZ/{closure.upper()} at rho = {density:g}"))
    if plot is not None:
        from .plots import plot_structure

        info["plot"] = str(plot_structure(res.r, res.g, res.k, res.s, plot,
                                          f"OZ/{closure.upper()}, rho = {density:g}"))
    d = res.to_dict()
    d.update(r=res.r[keep].tolist(), g=res.g[keep].tolist(), potential=pot.describe(), **info)
    kk = res.k <= 30
    d.update(k=res.k[kk].tolist(), S=res.s[kk].tolist())
    return d


def invert_gr(path, density: float, method: str = "boltzmann", *, out=None, fmt=None,
              plot=None, units: Units | None = None, fmt_in: str | None = None) -> dict:
    """Effective potential from a g(r) file by Boltzmann or HNC inversion.

    The result is capped at U_cut = 20 k_BT where g is (nearly) zero; the written table
    has that core replaced by a smooth monotonic repulsion (:func:`extend_core`).
    """
    units = units or Units()
    if not (density > 0) or not np.isfinite(density):
        raise InputError(f"density must be > 0, got {density}")
    rdf = read_gr(path, fmt_in)
    r = units.to_reduced_length(rdf.r)
    rho = _check_density(units.to_reduced_density(density))
    if r.size < 5:
        raise InputError("too few points", str(path))
    u = invert(r, rdf.g, rho, method)
    r_t, u_t, f_t = extend_core(r, u)
    table = PairTable(r_t, u_t, f_t, name=f"{method}-inversion", source=str(path), check_force=False)
    info = {}
    if out is not None:
        fmt = fmt or format_from_suffix(out)
        info["out"] = str(write_potential(out, table, fmt, units,
                                          comment=f"{method} inversion of {path} at rho = {density:g}"))
    if plot is not None:
        from .plots import plot_gr_and_potentials

        info["plot"] = str(plot_gr_and_potentials(r, rdf.g, {method: (r, u)}, plot,
                                                  f"{Path(path).name}, rho = {rho:g}"))
    return {"method": method, "density": rho, "r": units.length(r).tolist(),
            "U": units.energy(u).tolist(), "table": {"r": units.length(r_t).tolist(),
                                                     "U": units.energy(u_t).tolist(),
                                                     "F": units.force(f_t).tolist()},
            "units": units.header(), **info}


def demo(out_dir="demo-output", density: float = 0.5) -> dict:
    """End-to-end physics on a built-in default: the Lennard-Jones fluid at k_BT/ε = 2.

    Tabulates the potential (LAMMPS and CSV tables), computes B2, B3 and the low-density
    pressures, solves the OZ equation with HNC and PY at ``density``, inverts the HNC
    g(r) back to a potential, and writes plots of each.
    """
    out = Path(out_dir)
    spec = "lj:epsilon=0.5,rcut=5"
    tab = tabulate(spec, n=1000, out=out / "lj.table", plot=out / "lj_potential.png")
    write_potential(out / "lj.csv", parse_potential(spec).tabulate(1000), "csv")
    vir = virial("lj:epsilon=0.5,rcut=inf,shift=false", [0.125, 0.244, 0.512, density])
    hnc = solve_oz(spec, density, "hnc", out=out / "gr_hnc.csv", plot=out / "structure_hnc.png")
    py = solve_oz(spec, density, "py", out=out / "gr_py.csv")
    inv = invert_gr(out / "gr_hnc.csv", density, "hnc", out=out / "lj_from_hnc.table",
                    plot=out / "inversion_hnc.png")
    r_inv = np.asarray(inv["r"])
    u_true = parse_potential(spec).evaluate(r_inv)[0]
    ok = (r_inv > 0.95) & (r_inv < 5.0)
    return {
        "potential": spec,
        "density": density,
        "B2": vir["B2"],
        "B3": vir["B3"],
        "P0": dict(zip([f"{d:g}" for d in vir["density"]], vir["P0"])),
        "pressure_hnc": {"virial": hnc["pressure_virial"],
                         "compressibility": hnc["pressure_compressibility"]},
        "pressure_py": {"virial": py["pressure_virial"], "compressibility": py["pressure_compressibility"]},
        "hnc_round_trip_max_error": float(np.max(np.abs(np.asarray(inv["U"])[ok] - u_true[ok]))),
        "networks": network_demo(out),
        "files": sorted(str(p) for p in out.iterdir()),
        "table_points": len(tab["r"]),
    }


#: Thol et al. (2016) LJ pressures at k_BT/eps = 2 in k_BT/sigma^3 (DESIGN.md reference values).
THOL_LJ_T2 = {0.125: 0.1085, 0.244: 0.1972, 0.512: 0.56835, 1.0: 7.605}
EXAMPLE_GR = "lj_T2_rho0.512_gr.csv"


def example_gr_path() -> Path:
    """The bundled g(r): MD of LJ (eps = 0.5 k_BT, r_cut = 5 sigma) at rho = 0.512."""
    from importlib.resources import files

    return Path(str(files("boltzmann_nn") / "examples" / EXAMPLE_GR))


def network_demo(out) -> dict:
    """The shipped networks on the built-in LJ fluid: the pair potential from the bundled
    MD g(r) (beside Boltzmann and HNC inversion of the same g), and P(rho) from U(r)
    (beside Thol's reference EOS).
    """
    import warnings

    from .ml.predict import predict_eos, predict_potential
    from .plots import plot_gr_and_potentials

    out = Path(out)
    gr_file, rho = example_gr_path(), 0.512
    lj = parse_potential("lj:epsilon=0.5,rcut=5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pot = predict_potential(gr_file, rho)
        eos = predict_eos(lj, list(THOL_LJ_T2))
    table = pot.pop("_table")
    r_g, g = pot.pop("_g")
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
