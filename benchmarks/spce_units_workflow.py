"""The SPC/E-like workflow in physical units, as a user runs it from the shell: VOTCA's
SPC/E target g(r) (nm), 300 K, 33.28 nm⁻³, P = 1 bar. ``predict-potential`` and ``refine
--pressure 1bar --lammps-units real``; then the final table is loaded by LAMMPS (``units
real``) and, written by ``potential --format openmm``, by OpenMM; their energies and forces
at several distances are compared with our table's; the GROMACS table's reach is checked.

    apt-get install votca-tutorials
    python benchmarks/spce_units_workflow.py     # writes benchmarks/results/spce_units_workflow.txt

Work files in benchmarks/results/spce_units_workflow/ (refinement resumes).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

TARGET = Path("/usr/share/votca/csg-tutorials/spce/ibi/CG-CG.dist.tgt")
OUT = Path(__file__).resolve().parent / "results" / "spce_units_workflow"
UNITS = ["--sigma", "0.26nm", "--temperature", "300"]
DISTANCES_NM = [0.26, 0.28, 0.32, 0.45, 0.6, 0.8]


def cli(*args) -> tuple[dict, float]:
    t0 = time.time()
    out = subprocess.run([sys.executable, "-m", "boltzmann_nn", *args, "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out), time.time() - t0


def lammps_real(path: Path, n_rows: int, d_angstrom: float) -> tuple[float, float]:
    from boltzmann_nn.engines.lammps import load_lammps

    lmp = load_lammps().lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    try:
        for cmd in ("units real", "atom_style atomic", "region box block 0 60 0 60 0 60", "create_box 1 box",
                    "mass 1 18.0", f"pair_style table linear {n_rows}", f"pair_coeff 1 1 {path} BNN",
                    "create_atoms 1 single 10 10 10", f"create_atoms 1 single {10 + d_angstrom!r} 10 10",
                    "run 0"):
            lmp.command(cmd)
        return float(lmp.get_thermo("pe")), float(lmp.numpy.extract_atom("f")[1, 0])
    finally:
        lmp.close()


def openmm_pair(path: Path, d_nm: float) -> tuple[float, float]:
    import importlib.util

    import openmm
    from openmm import unit

    spec = importlib.util.spec_from_file_location("pairs", path)  # our own file, written just now
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    system = openmm.System()
    system.setDefaultPeriodicBoxVectors(openmm.Vec3(6, 0, 0), openmm.Vec3(0, 6, 0), openmm.Vec3(0, 0, 6))
    force = mod.pair_force()
    for _ in range(2):
        system.addParticle(18.0)
        force.addParticle([])
    system.addForce(force)
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    ctx.setPositions([openmm.Vec3(1, 1, 1), openmm.Vec3(1 + d_nm, 1, 1)])
    state = ctx.getState(getEnergy=True, getForces=True)
    energy = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    fx = state.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer)[1][0]
    return float(energy), float(fx)


def main():
    from boltzmann_nn.potentials.table import read_potential_table
    from boltzmann_nn.units import Units

    OUT.mkdir(parents=True, exist_ok=True)
    lines = ["# SPC/E-like workflow in physical units (VOTCA's CG-CG.dist.tgt, 300 K, 33.28 nm^-3, "
             "P = 1 bar)", ""]
    pred, t_pred = cli("predict-potential", str(TARGET), "--density", "33.28", *UNITS, "--pressure", "1bar",
                       "--out", str(OUT / "predicted.csv"))
    lines.append(f"predict-potential: {t_pred:.1f} s; density {pred['density']} {pred['density_unit']}, "
                 f"virial P of the network's U {pred['pressure_virial_bar']:.4g} bar before its ramp; "
                 f"warnings: {pred['warnings']}")
    ref, t_ref = cli("refine", str(TARGET), "--density", "33.28", *UNITS, "--pressure", "1bar",
                     "--lammps-units", "real", "--format", "lammps", "--max-iter", "4",
                     "--out", str(OUT / "refine"))
    lines.append(f"refine (HNC start, ihnc, P target 1 bar, <= 4 MD runs): {t_ref:.0f} s, converged "
                 f"{ref['converged']}, iterations {ref['iterations']}")
    for k, (dist, noise, p_bar, steps) in enumerate(zip(ref["distance"], ref["noise"], ref["pressure_bar"],
                                                         ref["steps"])):
        lines.append(f"  MD run {k}: L_MSE {dist:.3g} (noise {noise:.2g}), P {p_bar:.4g} bar, {steps} steps")
    final_csv = Path(ref["table"])
    final_lmp = Path(ref["table_md"])
    si = Units.from_temperature(0.26, "nm", 300.0, "kJ/mol")
    ours = read_potential_table(final_csv, si)
    lmp_tab = read_potential_table(final_lmp, replace(si, lammps_style="real"))
    omm, _ = cli("potential", str(final_csv), *UNITS, "--format", "openmm",
                 "--out", str(OUT / "final_openmm.py"))
    xvg, _ = cli("potential", str(final_csv), *UNITS, "--format", "gromacs", "--out", str(OUT / "final.xvg"))
    real = si.in_units("A", "kcal/mol")
    lines += ["", "| r [nm] | U ours [kJ/mol] | LAMMPS real rel. diff U | F | OpenMM rel. diff U | "
              "OpenMM abs. diff F [kJ/mol/nm] |", "|---|---|---|---|---|---|"]
    worst = {"lammps": 0.0, "openmm": 0.0}
    for d in DISTANCES_NM:
        x = d / 0.26
        # LAMMPS evaluates its own table (even in r²): compare at that table's own points
        k = int(np.argmin(np.abs(lmp_tab.r - x)))
        xk = float(lmp_tab.r[k])
        pe, fx = lammps_real(final_lmp, lmp_tab.r.size, float(real.length(xk)))
        u_l, f_l = float(real.energy(lmp_tab.U[k])), float(real.force(lmp_tab.F[k]))
        e_l = max(abs(pe - u_l) / max(abs(u_l), 1e-12), abs(fx - f_l) / max(abs(f_l), 1e-12))
        e_o, f_o = openmm_pair(OUT / "final_openmm.py", d)
        u_ref, f_ref = (float(v[0]) for v in ours.evaluate_smooth(np.array([x])))
        u_ref, f_ref = float(si.energy(u_ref)), float(si.force(f_ref))
        ru = abs(e_o - u_ref) / max(abs(u_ref), 1e-12)
        rf = abs(f_o - f_ref)
        worst["lammps"] = max(worst["lammps"], e_l)
        worst["openmm"] = max(worst["openmm"], ru)
        lines.append(f"| {d:.2f} | {u_ref:.5g} | {abs(pe - u_l) / max(abs(u_l), 1e-12):.1e} | "
                     f"{abs(fx - f_l) / max(abs(f_l), 1e-12):.1e} | {ru:.1e} | {rf:.2g} (F {f_ref:.4g}) |")
    raw = np.loadtxt(xvg["out"], comments=["#", "@"])
    lines += ["", f"LAMMPS (units real) worst relative difference, U and F: {worst['lammps']:.1e}",
              f"OpenMM worst relative difference in U: {worst['openmm']:.1e} between its spline nodes (F: "
              "OpenMM differentiates its cubic spline through U, ours is Hermite through U and F)",
              f"GROMACS table: 0 to {raw[-1, 0]:.3f} nm at {raw[1, 0] - raw[0, 0]:.4f} nm, r_cut "
              f"{ours.r_cut * 0.26:.3f} nm (reaches r_cut + 1 nm table-extension: "
              f"{raw[-1, 0] >= ours.r_cut * 0.26 + 1.0 - 1e-9})",
              f"OpenMM file {omm['out']}, LAMMPS file {final_lmp}"]
    text = "\n".join(lines) + "\n"
    (OUT.parent / "spce_units_workflow.txt").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
