from dataclasses import replace

import pytest

from boltzmann_nn.cli.units_args import units_from_args
from boltzmann_nn.errors import InputError
from boltzmann_nn.units import Units, parse_quantity


def test_argon_like_pressure_in_bar():
    # k_B T / sigma^3 for sigma = 0.3405 nm, T = 239.6 K: 3.308e-21 J / 3.948e-29 m^3 = 838 bar
    for unit in ("kJ/mol", "kcal/mol", "K", "eV"):
        u = Units.from_temperature(0.3405, "nm", 239.6, unit)
        assert u.pressure_bar(1.0) == pytest.approx(838.0, rel=2e-3)
    assert Units().pressure_bar(1.0) is None


def test_conversions_round_trip():
    u = Units.from_temperature(3.4, "A", 300.0, "kJ/mol")
    assert u.kT == pytest.approx(2.494, rel=1e-3)
    assert u.to_reduced_length(u.length(1.7)) == pytest.approx(1.7)
    assert u.to_reduced_energy(u.energy(-3.0)) == pytest.approx(-3.0)
    assert u.to_reduced_force(u.force(5.0)) == pytest.approx(5.0)
    assert u.to_reduced_density(u.density(0.5)) == pytest.approx(0.5)
    assert "A" in u.header() and "k_BT = 2.494" in u.header()


def test_bad_units():
    with pytest.raises(InputError):
        Units(sigma=-1)
    with pytest.raises(InputError):
        Units(1.0, "furlong")
    with pytest.raises(InputError):
        parse_quantity("abc", "--sigma")
    assert parse_quantity("0.34nm", "--sigma") == (0.34, "nm")


def test_cli_unit_options():
    class A:
        sigma, temperature, kT, energy_unit = "3.4 A", 120.0, None, "K"

    u = units_from_args(A)
    assert u.sigma == 3.4 and u.length_unit == "A" and u.kT == pytest.approx(120.0)
    A.sigma = None
    with pytest.raises(InputError, match="--sigma"):
        units_from_args(A)


def test_pressures_with_units_are_converted():
    from boltzmann_nn.units import Units

    units = Units.from_temperature(0.3, "nm", 300.0, "kJ/mol")
    one_bar = units.reduced_pressure("1bar")
    assert units.pressure_bar(one_bar) == pytest.approx(1.0, rel=1e-12)
    assert units.reduced_pressure("1 atm") == pytest.approx(1.01325 * one_bar, rel=1e-12)
    assert units.reduced_pressure("100000Pa") == pytest.approx(one_bar, rel=1e-12)
    assert units.reduced_pressure("2.5") == pytest.approx(units.to_reduced_pressure(2.5))
    with pytest.raises(InputError, match="unknown unit"):
        units.reduced_pressure("3 psi")
    with pytest.raises(InputError, match="physical units"):
        Units().reduced_pressure("1bar")


def test_input_files_in_their_own_length_unit(tmp_path):
    """A g(r) in nm read with sigma in Å and --file-length-unit nm is the same target as
    with sigma in nm; a table written in nm reads back the same way.
    """
    import numpy as np

    from boltzmann_nn.io.potential_files import read_table_columns, write_potential
    from boltzmann_nn.potentials.spec import parse_potential
    from boltzmann_nn.refine.target import load_target

    r = np.linspace(0.01, 1.5, 150)
    g = 1 + np.exp(-r) * np.sin(8 * r)
    path = tmp_path / "g.txt"
    np.savetxt(path, np.column_stack([r, g]))
    nm = Units.from_temperature(0.3, "nm", 300.0)
    angstrom = Units.from_temperature(3.0, "A", 300.0, "kcal/mol")
    a = load_target(str(path), 33.0, nm)
    b = load_target(str(path), 0.033, replace(angstrom, file_length_unit="nm"))
    np.testing.assert_allclose(a.r, b.r, rtol=1e-12)
    assert a.density == pytest.approx(b.density)
    with pytest.raises(InputError, match="up to r = 0.5 sigma"):  # read as Å: ten times shorter
        load_target(str(path), 0.033, angstrom)
    table = parse_potential("lj:rcut=3").tabulate(400)
    out = write_potential(tmp_path / "lj.csv", table, "csv", nm)
    r_b, u_b, f_b = read_table_columns(out, replace(Units.from_temperature(3.0, "A", 300.0),
                                                     file_length_unit="nm"))
    np.testing.assert_allclose(r_b, table.r, rtol=1e-9)
    np.testing.assert_allclose(f_b, table.F, rtol=1e-9, atol=1e-9)
    with pytest.raises(InputError):
        Units(file_length_unit="nm")  # files in nm need sigma in a length unit


def test_potential_command_reads_a_table_in_the_given_units(tmp_path):
    """A table written in nm and kJ/mol, tabulated again with the same units, is unchanged."""
    import numpy as np

    from boltzmann_nn.api import tabulate

    nm = Units.from_temperature(0.3, "nm", 300.0)
    first = tabulate("lj:rcut=3", out=tmp_path / "a.csv", units=nm).to_dict()
    again = tabulate(str(tmp_path / "a.csv"), out=tmp_path / "b.csv", units=nm).to_dict()
    assert first["r_cut"] == pytest.approx(0.9) and again["r_cut"] == pytest.approx(0.9)
    np.testing.assert_allclose(np.interp(0.35, again["r"], again["U"]), np.interp(0.35, first["r"], first["U"]),
                               rtol=1e-4)
