import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boltzmann_nn.errors import InputError
from boltzmann_nn.io.gr import read_gr
from boltzmann_nn.io.lammps_table import read_lammps_table
from boltzmann_nn.io.potential_files import write_gr_csv, write_potential
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.potentials.table import PairTable, read_potential_table
from boltzmann_nn.units import Units

R = np.linspace(0.0125, 4.9875, 200)
G = 1 + 0.5 * np.exp(-((R - 1.1) ** 2) / 0.02) - np.exp(-(R**2) / 0.3)
G = np.clip(G, 0, None)


def _write(path, text):
    path.write_text(text)
    return path


def test_two_column_and_csv(tmp_path):
    p = _write(tmp_path / "g.dat", "# comment\n" + "\n".join(f"{a} {b}" for a, b in zip(R, G)))
    rdf = read_gr(p)
    np.testing.assert_allclose(rdf.g, G)
    write_gr_csv(tmp_path / "g.csv", R, G)
    back = read_gr(tmp_path / "g.csv")
    np.testing.assert_allclose(back.r, R, rtol=1e-7)
    np.testing.assert_allclose(back.g, G, rtol=1e-7, atol=1e-12)
    assert (tmp_path / "g.csv").read_text().splitlines()[1].startswith("# units:")


def test_lammps_rdf_output(tmp_path):
    lines = ["# Time-averaged data for fix rdf", "# TimeStep Number-of-rows",
             "# Row c_rdf[1] c_rdf[2] c_rdf[3]"]
    for step, scale in ((1000, 0.5), (2000, 1.0)):
        lines.append(f"{step} {R.size}")
        lines += [f"{i + 1} {a} {b * scale} 0" for i, (a, b) in enumerate(zip(R, G))]
    p = _write(tmp_path / "rdf.out", "\n".join(lines))
    rdf = read_gr(p)
    assert rdf.fmt == "lammps"
    np.testing.assert_allclose(rdf.g, G)
    np.testing.assert_allclose(read_gr(p, block="mean").g, 0.75 * G)


def test_gromacs_xvg(tmp_path):
    text = "# gmx rdf\n@    title \"Radial distribution\"\n@    xaxis  label \"r (nm)\"\n@TYPE xy\n"
    text += "\n".join(f"{a / 3:.6f} {b:.6f}" for a, b in zip(R, G))
    rdf = read_gr(_write(tmp_path / "rdf.xvg", text))
    assert rdf.length_unit == "nm" and rdf.fmt == "xvg"
    np.testing.assert_allclose(rdf.g, G, atol=1e-6)


def test_votca_dist(tmp_path):
    text = "# votca\n" + "\n".join(f"{a} {b} i" for a, b in zip(R, G))
    rdf = read_gr(_write(tmp_path / "cg.dist", text))
    np.testing.assert_allclose(rdf.g, G)


def test_votca_target_that_is_gromacs_output(tmp_path):
    # VOTCA's LJ1-LJ2 tutorial ships `gmx rdf` output renamed to .dist.tgt
    text = '@    title "Radial distribution"\n@TYPE xy\n'
    text += "\n".join(f"{a / 3:.6f} {b:.6f}" for a, b in zip(R, G))
    rdf = read_gr(_write(tmp_path / "LJ1-LJ2.dist.tgt", text))
    assert rdf.fmt == "xvg" and rdf.length_unit == "nm"
    np.testing.assert_allclose(rdf.g, G, atol=1e-6)


@pytest.mark.parametrize("fmt,suffix", [("lammps", ".table"), ("votca", ".pot"), ("csv", ".csv")])
def test_potential_writers_round_trip(tmp_path, fmt, suffix):
    tab = NamedPotential("lj", {"epsilon": 0.5}, r_cut=3.0).tabulate(300)
    path = write_potential(tmp_path / f"pot{suffix}", tab, fmt)
    assert "units" in path.read_text().splitlines()[1] or "units" in path.read_text()[:300]
    back = read_potential_table(path)
    if fmt == "lammps":  # written evenly in r² (LAMMPS' own grid), through (U, -F)
        assert np.ptp(np.diff(back.r**2)) < 1e-9 and back.r[-1] == pytest.approx(tab.r_cut)
        tab = PairTable(back.r, *tab.evaluate_smooth(back.r), check_force=False)
    np.testing.assert_allclose(back.r, tab.r, rtol=1e-9)
    np.testing.assert_allclose(back.U, tab.U, rtol=1e-8, atol=1e-9)
    if fmt != "votca":
        np.testing.assert_allclose(back.F, tab.F, rtol=1e-8, atol=1e-9)


def test_lammps_table_header_counts(tmp_path):
    tab = NamedPotential("wca").tabulate(250)
    path = write_potential(tmp_path / "wca.table", tab, "lammps")
    text = path.read_text()
    r, u, f = read_lammps_table(path, "BNN")
    n = r.size  # at least the table's rows, finer where it is steep (even in r²)
    assert n >= 250 and r[0] > 0 and f"N {n} RSQ" in text and f"pair_style table linear {n}" in text


def test_physical_units_round_trip(tmp_path):
    units = Units.from_temperature(0.34, "nm", 120.0, "kJ/mol")
    tab = NamedPotential("lj", {"epsilon": 0.5}, r_cut=3.0).tabulate(200)
    path = write_potential(tmp_path / "p.csv", tab, "csv", units)
    assert "nm" in path.read_text().splitlines()[1]
    back = read_potential_table(path, units=units)
    np.testing.assert_allclose(back.U, tab.U, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(back.r, tab.r, rtol=1e-9)


@pytest.mark.parametrize("text,match", [
    ("r,g\n0.1,1\n0.2,nan\n0.3,1\n0.4,1\n0.5,1\n", "not finite"),
    ("0.1 1\n0.2 -0.5\n0.3 1\n0.4 1\n0.5 1\n", "negative"),
    ("0.1 1\n0.3 1\n0.2 1\n0.4 1\n0.5 1\n", "unsorted"),
    ("0.1 1\n0.1 1\n0.2 1\n0.4 1\n0.5 1\n", "duplicate"),
    ("0.1 1\n0.2 1\n", "too few"),
    ("0.1\n0.2\n0.3\n0.4\n0.5\n", "at least 2 columns"),
    ("0.1 1\n0.2 x\n0.3 1\n", "non-numeric"),
    ("", "no numeric data"),
    ("a,b\n1,2\n2,3\n3,4\n4,5\n5,6\n", "no columns"),
])
def test_bad_gr_files(tmp_path, text, match):
    p = _write(tmp_path / "bad.txt", text)
    with pytest.raises(InputError, match=match) as info:
        read_gr(p)
    assert str(p) in str(info.value)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_gr(tmp_path / "nope.dat")
    (tmp_path / "bin.dat").write_bytes(b"\xff\xfe\x00\x81" * 10)
    with pytest.raises(InputError):
        read_gr(tmp_path / "bin.dat")


junk_lines = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5)),
                 min_size=0, max_size=4).map(lambda xs: " ".join(str(x) for x in xs)),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=junk_lines, suffix=st.sampled_from([".dat", ".csv", ".xvg", ".dist", ".out"]))
def test_readers_fuzz_only_raise_input_error(tmp_path, lines, suffix):
    p = tmp_path / f"junk{suffix}"
    p.write_text("\n".join(lines))
    try:
        rdf = read_gr(p)
    except InputError as exc:
        assert str(p) in str(exc) and "\n" not in str(exc)
    else:
        assert np.all(np.isfinite(rdf.g)) and np.all(rdf.g >= 0) and np.all(np.diff(rdf.r) > 0)
        assert rdf.r.size >= 5


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=junk_lines, suffix=st.sampled_from([".csv", ".pot", ".table", ".txt"]))
def test_potential_reader_fuzz(tmp_path, lines, suffix):
    p = tmp_path / f"junk{suffix}"
    p.write_text("\n".join(lines))
    try:
        tab = read_potential_table(p)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert np.all(np.isfinite(tab.U)) and np.all(np.diff(tab.r) > 0)


def test_gromacs_table_round_trip(tmp_path):
    """A GROMACS user table (r f -f' g -g' h -h', from r = 0) reads back as the same potential."""
    import numpy as np

    from boltzmann_nn.io.potential_files import write_potential
    from boltzmann_nn.potentials.spec import parse_potential
    from boltzmann_nn.potentials.table import read_potential_table

    lj = parse_potential("lj:epsilon=0.5,rcut=3").tabulate(1500)
    path = write_potential(tmp_path / "table_CG_CG.xvg", lj)
    rows = [ln.split() for ln in path.read_text().splitlines() if not ln.startswith("#")]
    assert float(rows[0][0]) == 0.0 and all(len(r) == 7 for r in rows)
    back = read_potential_table(path)
    r = np.linspace(0.95, 2.9, 40)
    assert np.max(np.abs(back.evaluate(r)[0] - lj.evaluate(r)[0])) < 2e-3


def test_gr_error_column_is_read(tmp_path):
    from boltzmann_nn.io.gr import read_gr

    path = tmp_path / "gr.csv"
    path.write_text("r,g,g_err\n" + "".join(f"{0.1 * i},{1.0},{0.01 * i}\n" for i in range(1, 30)))
    rdf = read_gr(path)
    assert rdf.err is not None and abs(rdf.err[2] - 0.03) < 1e-12
    path.write_text("r,g\n" + "".join(f"{0.1 * i},1.0\n" for i in range(1, 30)))
    assert read_gr(path).err is None
