"""VOTCA projects read as specs: the mapping, the configuration, and one-line refusals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from boltzmann_nn.cli import main
from boltzmann_nn.errors import InputError
from boltzmann_nn.mixture.spec import read_spec
from boltzmann_nn.votca_project import read_votca

SETTINGS = """<cg>
  <non-bonded>
    <name>CG-CG</name><type1>CG</type1><type2>CG</type2>
    <min>0.0</min><max>0.9</max><step>0.01</step>
    <inverse>
      <target>CG-CG.dist.tgt</target>
      <p_target>1.0</p_target>
      <do_potential>0 1 0</do_potential>
      <post_update>{post}</post_update>
      <post_add></post_add>
    </inverse>
  </non-bonded>
  <inverse>
    <kBT>2.49435</kBT>
    <program>gromacs</program>
    <iterations_max>300</iterations_max>
    <method>{method}</method>
  </inverse>
</cg>
"""


def _project(tmp_path, post="pressure", method="ibi", n=200, box=1.9):
    r = np.arange(0.0, 1.0, 0.01)
    g = np.where(r < 0.25, 0.0, 1.0 + 0.5 * np.exp(-((r - 0.29) / 0.03) ** 2))
    (tmp_path / "CG-CG.dist.tgt").write_text("\n".join(f"{a:.2f} {b:.6f} i" for a, b in zip(r, g)) + "\n")
    (tmp_path / "settings.xml").write_text(SETTINGS.format(post=post, method=method))
    rng = np.random.default_rng(1)
    atoms = [f"{i + 1:5d}SOL     CG{i + 1:5d}{x:8.3f}{y:8.3f}{z:8.3f}" for i, (x, y, z) in
             enumerate(rng.uniform(0, box, (n, 3)))]
    (tmp_path / "conf.gro").write_text("water\n" + f"{n:5d}\n" + "\n".join(atoms) + f"\n{box} {box} {box}\n")
    return tmp_path


def test_a_gromacs_project_becomes_a_spec(tmp_path):
    p = read_votca(_project(tmp_path))
    assert p.method == "ibi" and p.counts == {"CG": 200} and p.pressure_bar == 1.0
    assert p.density == pytest.approx(200 / 1.9**3)
    assert any("do_potential 0 1 0" in n for n in p.notes)
    (tmp_path / "spec.toml").write_text(p.spec_text(0.27, 5))
    spec = read_spec(tmp_path / "spec.toml")
    assert spec.units.pressure_bar(spec.pressure) == pytest.approx(1.0, rel=1e-9)
    assert spec.units.density(spec.composition.density) == pytest.approx(p.density)
    assert spec.r_cut["CG-CG"] == pytest.approx(spec.units.to_reduced_length(0.9))


def test_a_lammps_project_counts_types_from_its_data_file(tmp_path):
    _project(tmp_path)
    settings = (tmp_path / "settings.xml").read_text().replace("gromacs", "lammps").replace(">CG<", ">Bead1<")
    (tmp_path / "settings.xml").write_text(settings)
    (tmp_path / "run.in").write_text("units real\nread_data cg.data\n")
    atoms = "\n".join(f"{i + 1} 1 {i * 0.1:.2f} 1.0 1.0" for i in range(50))
    box = "0 20 xlo xhi\n0 20 ylo yhi\n0 20 zlo zhi\n"
    head = f"cg\n\n50 atoms\n1 atom types\n\n{box}\nMasses\n\n1 18.0\n\nAtoms\n\n"
    (tmp_path / "cg.data").write_text(head + atoms + "\n")
    p = read_votca(tmp_path / "settings.xml")
    assert p.counts == {"Bead1": 50} and p.volume_nm3 == pytest.approx(8.0)


@pytest.mark.parametrize("post,method,message", [
    ("kbibi", "ibi", "post_update 'kbibi'"),
    ("pressure", "re", "no counterpart"),
])
def test_what_cannot_be_honoured_is_refused(tmp_path, post, method, message):
    with pytest.raises(InputError, match=message):
        read_votca(_project(tmp_path, post=post, method=method))


def test_refine_votca_runs_and_writes_votca_tables(tmp_path, capsys):
    (tmp_path / "proj").mkdir()
    folder = _project(tmp_path / "proj", post="")
    out = tmp_path / "out"
    code = main(["refine", "--votca", str(folder), "--out", str(out), "--max-iter", "1", "--min-steps", "1000",
                 "--equilibration", "500", "--json"])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert code in (0, 1) and data["iterations"] == 1
    assert "votca: method ibi -> ibi" in captured.err
    assert (out / "votca-spec.toml").exists() and (out / "CG-CG.pot.new").exists()
    assert "kJ/mol" in (out / "CG-CG.pot.new").read_text().splitlines()[1]
