"""Targets from a trajectory: agreement with MDAnalysis' InterRDF, intramolecular pairs left
out, the spec, and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

mda = pytest.importorskip("MDAnalysis")

from boltzmann_nn.cli import main  # noqa: E402
from boltzmann_nn.errors import InputError  # noqa: E402
from boltzmann_nn.mixture.spec import read_spec  # noqa: E402
from boltzmann_nn.targets.run import trajectory_targets  # noqa: E402

BOX = 24.0  # Å


def _water(tmp_path, n_mol=300, frames=6, seed=3, wrap=False):
    """Random rigid 3-site molecules (OW, HW1, HW2), written as PDB + DCD; ``wrap`` puts
    every atom in the box (molecules split across its faces)."""
    rng = np.random.default_rng(seed)
    u = mda.Universe.empty(3 * n_mol, n_residues=n_mol, atom_resindex=np.repeat(np.arange(n_mol), 3),
                           trajectory=True)
    u.add_TopologyAttr("names", ["OW", "HW1", "HW2"] * n_mol)
    u.add_TopologyAttr("resnames", ["SOL"] * n_mol)
    u.add_TopologyAttr("masses", [15.999, 1.008, 1.008] * n_mol)
    u.add_TopologyAttr("resids", np.arange(1, n_mol + 1))
    geometry = np.array([[0, 0, 0], [0.9572, 0, 0], [-0.24, 0.927, 0]])
    coords = np.empty((frames, 3 * n_mol, 3))
    for f in range(frames):
        centres = rng.uniform(0, BOX, (n_mol, 1, 3))
        rot = np.linalg.qr(rng.normal(size=(n_mol, 3, 3)))[0]
        coords[f] = (centres + np.einsum("mij,aj->mai", rot, geometry)).reshape(-1, 3)
        if wrap:
            coords[f] %= BOX
    u.load_new(coords, order="fac")
    for ts in u.trajectory:
        ts.dimensions = [BOX, BOX, BOX, 90, 90, 90]
    top, traj = tmp_path / f"water{'-wrapped' * wrap}.pdb", tmp_path / f"water{'-wrapped' * wrap}.dcd"
    u.atoms.write(top)
    with mda.Writer(str(traj), u.atoms.n_atoms) as w:
        for _ in u.trajectory:
            w.write(u.atoms)
    return top, traj


def _interrdf(top, traj, positions_of, r_max_a, nbins):
    """InterRDF of one bead per residue, its positions given per frame by ``positions_of``."""
    from MDAnalysis.analysis.rdf import InterRDF

    u = mda.Universe(str(top), str(traj))
    pos = np.array([positions_of(u) for _ in u.trajectory])
    beads = mda.Universe.empty(pos.shape[1], trajectory=True)
    beads.load_new(pos, order="fac", dimensions=[BOX, BOX, BOX, 90, 90, 90])
    rdf = InterRDF(beads.atoms, beads.atoms, nbins=nbins, range=(0.0, r_max_a), exclusion_block=(1, 1)).run()
    return rdf.results.rdf


def test_oxygen_and_centre_of_mass_g_match_interrdf(tmp_path):
    top, traj = _water(tmp_path)
    res = trajectory_targets(top, [traj], ["W=resname SOL"], center="OW", r_max=1.0, bin_width=0.01)
    want = _interrdf(top, traj, lambda u: u.select_atoms("name OW").positions, 10.0, 100)
    np.testing.assert_allclose(res.structure.g["W-W"], want, rtol=1e-6, atol=1e-9)
    assert res.structure.density == pytest.approx(300 / (BOX / 10) ** 3, rel=1e-6)
    # centres of mass: ours from float64 sums, MDAnalysis' its own way; a pair at a bin edge
    # (rounding at 1e-6 Å) may change bins, nothing else differs
    res = trajectory_targets(top, [traj], ["W=resname SOL"], center="com", r_max=1.0, bin_width=0.01)
    want = _interrdf(top, traj, lambda u: u.atoms.center_of_mass(compound="residues"), 10.0, 100)
    close = np.isclose(res.structure.g["W-W"], want, rtol=1e-6, atol=1e-9)
    assert close.sum() >= 97
    np.testing.assert_allclose(res.structure.g["W-W"], want, rtol=2e-3)


def test_molecules_split_by_the_box_are_made_whole(tmp_path):
    whole = trajectory_targets(*_water(tmp_path)[:1], [_water(tmp_path)[1]], ["W=resname SOL"], r_max=1.0,
                               bin_width=0.01)
    top, traj = _water(tmp_path, wrap=True)
    split = trajectory_targets(top, [traj], ["W=resname SOL"], r_max=1.0, bin_width=0.01)
    np.testing.assert_allclose(split.structure.g["W-W"], whole.structure.g["W-W"], atol=1e-9)


def test_two_beads_of_one_molecule_leave_their_pair_out(tmp_path):
    top, traj = _water(tmp_path, n_mol=200, frames=8)
    res = trajectory_targets(top, [traj], ["O=name OW", "H=name HW1"], r_max=1.0, bin_width=0.01)
    st = res.structure
    assert st.excluded["O-H"] == 200 and st.excluded["O-O"] == 0
    r, g = st.r, st.g["O-H"]
    # the bond (0.096 nm) would be a huge peak; between molecules placed at random g ≈ 1
    assert g[(r > 0.09) & (r < 0.1)].max() < 5
    assert np.mean(g[(r > 0.4) & (r < 1.0)]) == pytest.approx(1.0, abs=0.05)
    assert np.all(np.isfinite(st.g_err["O-H"])) and st.g_err["O-H"][r > 0.4].mean() > 0


def test_targets_command_writes_a_spec_refine_reads(tmp_path, capsys):
    top, traj = _water(tmp_path, n_mol=150, frames=4)
    out = tmp_path / "t"
    code = main(["targets", str(top), str(traj), "--bead", "W=resname SOL", "--r-max", "1.0",
                 "--temperature", "300", "--out", str(out), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["counts"] == [150] and data["files"]["spec"]
    spec = read_spec(data["files"]["spec"])
    assert spec.species == ("W",) and spec.units.length_unit == "nm"
    assert spec.composition.density == pytest.approx(spec.units.to_reduced_density(data["density"]))
    head = (out / "g_W-W.csv").read_text().splitlines()
    assert "nm" in head[1] and head[2] == "r,g,g_err"


@pytest.mark.parametrize("beads,center,message", [
    (["W=resname XYZ"], "com", "matches no atoms"),
    (["A=name OW", "B=resname SOL"], "com", "share"),
    (["A=resid 1"], "com", "only one bead"),
    (["bad"], "com", "NAME=SELECTION"),
    (["W=resname SOL"], "CA", "no atoms named CA"),
])
def test_bad_mappings_are_one_line_errors(tmp_path, beads, center, message):
    top, traj = _water(tmp_path, n_mol=20, frames=2)
    with pytest.raises(InputError, match=message):
        trajectory_targets(top, [traj], beads, center=center, r_max=0.5, bin_width=0.01)


def test_r_max_beyond_half_the_box_is_refused(tmp_path):
    top, traj = _water(tmp_path, n_mol=20, frames=2)
    with pytest.raises(InputError, match="half the box"):
        trajectory_targets(top, [traj], ["W=resname SOL"], r_max=1.5, bin_width=0.01)


def test_pressure_from_a_lammps_log(tmp_path):
    from boltzmann_nn.targets.pressure import BAR_PER_ATM, run_pressure

    rows = "\n".join(f"{100 * k} {k * 0.1:.1f} {300 + (k % 2) * 2 - 1} -1000" for k in range(40))
    log = tmp_path / "log.lammps"
    log.write_text(f"units real\nrun 4000\nStep Time Press PotEng\n{rows}\nLoop time of 1.0\n")
    p, err, n = run_pressure(log, begin=1.0)
    assert n == 30 and p == pytest.approx(300 * BAR_PER_ATM, rel=1e-12) and err < 1
    log.write_text("units lj\nStep Press\n0 1.0\n1 2.0\n")
    with pytest.raises(InputError, match="units lj"):
        run_pressure(log)


def test_a_trajectory_without_a_box_is_refused():
    from boltzmann_nn.targets.mapping import map_beads
    from boltzmann_nn.targets.structure import partial_rdfs

    u = mda.Universe.empty(10, n_residues=10, atom_resindex=np.arange(10), trajectory=True)
    u.add_TopologyAttr("names", ["X"] * 10)
    u.load_new(np.random.default_rng(0).uniform(0, 10, (2, 10, 3)), order="fac")
    beads = map_beads(u, [("X", "name X")], "cog")
    with pytest.raises(InputError, match="no periodic box"):
        partial_rdfs(u, beads, 0.3, 0.01)


def test_begin_end_and_step_pick_frames_by_time(tmp_path):
    top, traj = _water(tmp_path, n_mol=30, frames=6)
    u = mda.Universe(str(top), str(traj))
    times = [ts.time for ts in u.trajectory]
    res = trajectory_targets(top, [traj], ["W=resname SOL"], r_max=0.5, bin_width=0.01, begin=times[2],
                             end=times[4])
    st = res.structure
    assert st.frames == 3 and st.times == (pytest.approx(times[2]), pytest.approx(times[4]))
    every_other = trajectory_targets(top, [traj], ["W=resname SOL"], r_max=0.5, bin_width=0.01, step=2)
    assert every_other.structure.frames == 3
