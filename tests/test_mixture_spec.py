"""The mixture spec (TOML): what it accepts, and one-line errors naming the file."""

from __future__ import annotations

import numpy as np
import pytest

from boltzmann_nn.errors import InputError
from boltzmann_nn.mixture.spec import read_spec


def _gr(path, r0=0.8):
    r = np.linspace(0.01, 5.0, 500)
    g = np.where(r < r0, 0.0, 1.0 + 0.3 * np.exp(-((r - 1.1) ** 2) / 0.02))
    path.write_text("r,g\n" + "\n".join(f"{a},{b}" for a, b in zip(r, g)) + "\n")


def _spec(tmp_path, body):
    for name in ("gAA.csv", "gAB.csv", "gBB.csv"):
        _gr(tmp_path / name)
    path = tmp_path / "spec.toml"
    path.write_text(body)
    return path


BASE = """density = 0.65
[species]
A = 0.6
B = 0.4
[targets]
"A-A" = "gAA.csv"
"B-A" = "gAB.csv"
"B-B" = "gBB.csv"
"""


def test_reads_the_documented_spec(tmp_path):
    spec = read_spec(
        _spec(tmp_path, 'pressure = 1.5\nmethod = "ibi"\nr_cut = 2.5\n' + BASE + "[md]\nsteps = 2000\n")
    )
    assert spec.species == ("A", "B") and spec.composition.density == 0.65
    assert set(spec.targets) == {"A-A", "A-B", "B-B"}  # "B-A" is the pair A-B
    assert spec.targets["A-B"] == tmp_path / "gAB.csv"
    assert spec.pressure == 1.5 and spec.method == "ibi" and spec.r_cut == {p: 2.5 for p in spec.targets}
    assert spec.md == {"steps": 2000}


def test_physical_units(tmp_path):
    body = 'sigma = "0.5nm"\ntemperature = 300\npressure = "1bar"\n' + BASE.replace("0.65", "5.2")
    spec = read_spec(_spec(tmp_path, body))
    assert spec.composition.density == pytest.approx(5.2 * 0.125)
    assert spec.units.pressure_bar(spec.pressure) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "body, message",
    [
        (BASE.replace('"B-B" = "gBB.csv"\n', ""), "no target g\\(r\\) for pair\\(s\\) B-B"),
        (BASE.replace("B = 0.4", "B = 0.3"), "sum to 1"),
        (BASE.replace('"A-A"', '"A-C"'), "does not name two of the species"),
        ('method = "iie"\n' + BASE, "use one of \\['ihnc', 'ibi', 'imc', 'hncgn'\\]"),
        ("bogus = 1\n" + BASE, "unknown key"),
        (BASE + '[md]\nengine = "gromacs"\n', "engine 'gromacs': use one of \\['lammps', 'openmm'\\]"),
        ("density = -1\n" + BASE.split("\n", 1)[1], "density must be > 0"),
        (BASE.replace("gAB.csv", "missing.csv"), "no such file"),
        ("density = [\n", "not a valid TOML"),
        ('pressure = "3atm"\n' + BASE, "pressure"),
    ],
)
def test_bad_specs_name_the_file(tmp_path, body, message):
    path = _spec(tmp_path, body)
    with pytest.raises(InputError, match=message) as info:
        read_spec(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
