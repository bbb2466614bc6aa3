"""Pair-table sets for the engines: what LAMMPS computes from them, GROMACS and VOTCA files,
units, and errors."""

import numpy as np
import pytest

from boltzmann_nn.engines.lammps import load_lammps
from boltzmann_nn.errors import InputError
from boltzmann_nn.io.pair_set_files import read_lammps_pair_tables, write_pair_tables
from boltzmann_nn.io.potential_files import read_table_columns
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.units import Units

SPECIES = ["A", "B"]


def _tables():
    pots = {
        "A-A": NamedPotential("lj", {"epsilon": 1.0, "sigma": 1.0}, r_cut=2.5),
        "A-B": NamedPotential("lj", {"epsilon": 0.75, "sigma": 0.9}, r_cut=2.5),
        "B-B": NamedPotential("gauss", {"epsilon": 1.5, "sigma": 0.8}, r_cut=2.0),
    }
    return pots, {p: v.tabulate(1000) for p, v in pots.items()}


def test_lammps_pair_table_gives_each_pair_its_energy(tmp_path):
    pots, tables = _tables()
    files = write_pair_tables(tmp_path, SPECIES, tables)
    lmp = load_lammps().lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    try:
        for cmd in ("units lj", "atom_style atomic", "region box block 0 20 0 20 0 20",
                    "create_box 2 box", "mass * 1.0"):
            lmp.command(cmd)
        for line in files["lammps_lines"]:
            lmp.command(line.replace("pair.table", str(files["lammps"])))
        lmp.command("create_atoms 1 single 5 5 5")
        lmp.command("create_atoms 2 single 6.05 5 5")  # A-B at 1.05
        lmp.command("create_atoms 2 single 5 10 5")
        lmp.command("create_atoms 2 single 5 10.7 5")  # B-B at 0.7
        lmp.command("run 0")
        pe = lmp.get_thermo("pe") * 4  # per atom in lj units
    finally:
        lmp.close()
    want = pots["A-B"].evaluate(np.array([1.05]))[0][0] + pots["B-B"].evaluate(np.array([0.7]))[0][0]
    assert pe == pytest.approx(want, abs=2e-3)


def test_every_engine_file_round_trips_with_units(tmp_path):
    _, tables = _tables()
    units = Units(0.35, "nm", 2.5, "kJ/mol")
    files = write_pair_tables(tmp_path, SPECIES, tables, units)
    sections = read_lammps_pair_tables(files["lammps"], SPECIES)
    assert set(sections) == {"A-A", "A-B", "B-B"}
    spacings = set()
    for pair, tab in tables.items():
        r, u, _ = sections[pair]
        np.testing.assert_allclose(u, 2.5 * tab.evaluate_smooth(r / 0.35)[0], rtol=1e-6, atol=1e-9)
        for kind in ("gromacs", "votca", "csv"):
            text = files[kind][pair].read_text()
            assert "kJ/mol" in text.splitlines()[1] and "nm" in text.splitlines()[1]
            rr, uu, _ = read_table_columns(files[kind][pair])
            inside = (rr > tab.r[0] * 0.35) & (rr < tab.r_cut * 0.35)
            want = (tab.evaluate_smooth if kind == "gromacs" else tab.evaluate)(rr[inside] / 0.35)[0]
            np.testing.assert_allclose(uu[inside], 2.5 * want, atol=1e-6)
        raw = np.loadtxt(files["gromacs"][pair], comments="#")
        spacings.add(round(float(np.diff(raw[:, 0])[0]), 9))
        assert raw[0, 0] == 0 and raw[-1, 0] >= 2.5 * 0.35 + 1.0 - 1e-9  # from 0 to rvdw + table-extension
        assert np.ptp(np.diff(raw[:, 0])) < 1e-9
        rr, _, _ = read_table_columns(files["gromacs"][pair])  # read back without the zero padding
        assert rr[-1] == pytest.approx(tab.r_cut * 0.35, abs=0.002)
    assert spacings == {0.002}
    mdp = files["mdp"].read_text()
    assert "energygrp_table  = A A A B B B" in mdp and "rvdw             = 0.875" in mdp
    assert files["gromacs"]["A-B"].name == "table_A_B.xvg" and files["gromacs_default"].name == "table.xvg"
    assert files["lammps_lines"][1].startswith("pair_coeff 1 1 pair.table A_A")
    assert "type 2 = B" in files["lammps_lines_file"].read_text()


def test_a_missing_pair_is_an_input_error(tmp_path):
    _, tables = _tables()
    del tables["A-B"]
    with pytest.raises(InputError, match="A-B"):
        write_pair_tables(tmp_path, SPECIES, tables)
    assert not any(tmp_path.iterdir())


def test_lammps_real_units_tables_load_with_our_energies_and_forces(tmp_path):
    from dataclasses import replace

    from boltzmann_nn.io.potential_files import write_potential
    from boltzmann_nn.potentials.table import read_potential_table

    units = replace(Units.from_temperature(0.34, "nm", 120.0, "kJ/mol"), lammps_style="real")
    lj = NamedPotential("lj", r_cut=2.5)
    path = write_potential(tmp_path / "lj.table", lj.tabulate(500), "lammps", units)
    tab = read_potential_table(path, units)  # what was written: even in r², in reduced units
    assert "units real" in path.read_text()
    real = units.for_lammps()  # Å and kcal/mol
    k = 120
    d = float(real.length(tab.r[k]))
    lmp = load_lammps().lammps(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    try:
        for cmd in ("units real", "atom_style atomic", "region box block 0 40 0 40 0 40", "create_box 1 box",
                    "mass 1 39.948", f"pair_style table linear {tab.r.size}", f"pair_coeff 1 1 {path} BNN",
                    "create_atoms 1 single 10 10 10", f"create_atoms 1 single {10 + d!r} 10 10", "run 0"):
            lmp.command(cmd)
        pe = lmp.get_thermo("pe")
        fx = lmp.numpy.extract_atom("f")[1, 0]
    finally:
        lmp.close()
    assert pe == pytest.approx(float(real.energy(tab.U[k])), rel=1e-6)
    assert fx == pytest.approx(float(real.force(tab.F[k])), rel=1e-6)
    # what LAMMPS computes between the points: within 1e-3 of the exact LJ
    r = np.linspace(1.0, 2.4, 7)
    np.testing.assert_allclose(tab.evaluate(r)[0], lj.evaluate(r)[0], rtol=1e-3, atol=2e-3)


def test_physical_lammps_style_needs_physical_units():
    with pytest.raises(InputError, match="physical units"):
        Units(lammps_style="real")
    with pytest.raises(InputError, match="unknown LAMMPS units style"):
        Units(0.34, "nm", 1.0, "kJ/mol", lammps_style="nano")


def test_openmm_table_loads_with_our_energies(tmp_path):
    import importlib.util

    import openmm

    from boltzmann_nn.io.potential_files import write_potential
    from boltzmann_nn.potentials.table import read_potential_table

    units = Units.from_temperature(0.34, "nm", 120.0, "kJ/mol")
    lj = NamedPotential("lj", r_cut=2.5)
    path = write_potential(tmp_path / "lj_openmm.py", lj.tabulate(1000), "openmm", units)
    back = read_potential_table(path, units)  # parsed, not executed
    spec = importlib.util.spec_from_file_location("lj_openmm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # our own file: what a user does with it
    system = openmm.System()
    force = module.pair_force()
    for _ in range(2):
        system.addParticle(39.948)
        force.addParticle([])
    system.addForce(force)
    system.setDefaultPeriodicBoxVectors(openmm.Vec3(5, 0, 0), openmm.Vec3(0, 5, 0), openmm.Vec3(0, 0, 5))
    platform = openmm.Platform.getPlatformByName("Reference")
    context = openmm.Context(system, openmm.VerletIntegrator(0.001), platform)
    kj, nm = openmm.unit.kilojoule_per_mole, openmm.unit.nanometer
    for k in (150, 450, 900):  # table points (nm)
        d = float(np.linspace(module.R_MIN, module.R_CUT, len(module.U))[k])
        context.setPositions([openmm.Vec3(1, 1, 1), openmm.Vec3(1 + d, 1, 1)])
        st = context.getState(getEnergy=True, getForces=True)
        e = st.getPotentialEnergy().value_in_unit(kj)
        fx = st.getForces(asNumpy=True).value_in_unit(kj / nm)[1, 0]
        want_u, want_f = lj.evaluate(np.array([d / 0.34]))
        assert e == pytest.approx(float(units.energy(back.evaluate(np.array([d / 0.34]))[0][0])), rel=1e-6)
        assert e == pytest.approx(float(units.energy(want_u[0])), rel=1e-4, abs=1e-6)
        assert fx == pytest.approx(float(units.force(want_f[0])), rel=2e-3, abs=1e-3)


def test_openmm_pair_set_gives_each_pair_its_energy(tmp_path):
    import importlib.util

    import openmm

    pots, tables = _tables()
    files = write_pair_tables(tmp_path, SPECIES, tables)
    spec = importlib.util.spec_from_file_location("pairs", files["openmm"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    force = module.pair_force()
    system = openmm.System()
    for t in (0, 1, 1, 1):  # A, B at 1.05 from it; B, B at 0.7 from each other, far from the first two
        system.addParticle(1.0)
        force.addParticle([t])
    system.addForce(force)
    system.setDefaultPeriodicBoxVectors(openmm.Vec3(20, 0, 0), openmm.Vec3(0, 20, 0), openmm.Vec3(0, 0, 20))
    platform = openmm.Platform.getPlatformByName("Reference")
    context = openmm.Context(system, openmm.VerletIntegrator(0.001), platform)
    context.setPositions([openmm.Vec3(5, 5, 5), openmm.Vec3(6.05, 5, 5), openmm.Vec3(5, 10, 5),
                          openmm.Vec3(5, 10.7, 5)])
    e = context.getState(getEnergy=True).getPotentialEnergy().value_in_unit(openmm.unit.kilojoule_per_mole)
    want = pots["A-B"].evaluate(np.array([1.05]))[0][0] + pots["B-B"].evaluate(np.array([0.7]))[0][0]
    assert e == pytest.approx(want, abs=2e-3)


def test_hoomd_pair_set_on_hoomds_own_grid_gives_each_pair_its_energy_and_force(tmp_path):
    """HOOMD-blue is not installable here (conda only): the file is evaluated as
    ``hoomd.md.pair.Table`` documents it — U and F on numpy.linspace(r_min, r_cut, N,
    endpoint=False), interpolated linearly — and compared with the potentials in the file's
    units.
    """
    import json

    from boltzmann_nn.io.hoomd_table import params

    pots, tables = _tables()
    units = Units(0.35, "nm", 2.5, "kJ/mol")
    files = write_pair_tables(tmp_path, SPECIES, tables, units)
    doc = json.loads(files["hoomd"].read_text())
    assert "nm" in doc["units"] and "kJ/mol" in doc["units"]
    entries = params(doc)
    assert set(entries) == {("A", "A"), ("A", "B"), ("B", "B")}
    for (a, b), e in entries.items():
        pot = pots[f"{a}-{b}"]
        r_grid = np.linspace(e["r_min"], e["r_cut"], len(e["U"]), endpoint=False)
        assert e["r_cut"] == pytest.approx(pot.r_cut * 0.35)
        x = np.array([0.95, 1.1, 1.5, 2.2]) * 0.35
        x = x[x < e["r_cut"]]
        u_ref, f_ref = pot.evaluate(x / 0.35)
        np.testing.assert_allclose(np.interp(x, r_grid, e["U"]), 2.5 * u_ref, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(np.interp(x, r_grid, e["F"]), 2.5 / 0.35 * f_ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("fmt,suffix", [("lammps", ".table"), ("gromacs", ".xvg"), ("openmm", ".py"),
                                         ("hoomd", ".json"), ("votca", ".pot"), ("csv", ".csv")])
def test_units_lines_agree_with_the_numbers_across_unit_systems(tmp_path, fmt, suffix):
    """One potential written in several unit systems: each file's units line names its
    units, and its numbers, converted by that line, are the same potential.
    """
    from dataclasses import replace

    from boltzmann_nn.io.potential_files import write_potential
    from boltzmann_nn.potentials.table import read_potential_table

    base = Units.from_temperature(0.34, "nm", 120.0, "kJ/mol")
    systems = {"reduced": Units(), "nm-kJ": base, "A-kcal": base.in_units("A", "kcal/mol"),
               "A-eV": base.in_units("A", "eV")}
    if fmt == "lammps":
        systems = {style: replace(base, lammps_style=style) for style in ("lj", "real", "metal")}
    marks = {"reduced": "sigma", "nm-kJ": "kJ/mol", "A-kcal": "kcal/mol", "A-eV": "eV",
             "lj": "lj", "real": "real", "metal": "metal"}
    lj = NamedPotential("lj", r_cut=2.5)
    r = np.array([1.0, 1.12, 1.5, 2.0])
    for name, units in systems.items():
        path = write_potential(tmp_path / f"{name}{suffix}", lj.tabulate(800), fmt, units)
        assert marks[name] in path.read_text()[:600], name
        back = read_potential_table(path, units)
        np.testing.assert_allclose(back.evaluate(r)[0], lj.evaluate(r)[0], rtol=2e-3, atol=2e-3, err_msg=name)
