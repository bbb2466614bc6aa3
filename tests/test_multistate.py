"""``refine --states``: one potential refined against two states at once (short runs), the
weighted combination of the states' steps, resume, and bad files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from boltzmann_nn.cli import main
from boltzmann_nn.errors import InputError
from boltzmann_nn.io.potential_files import read_table_columns
from boltzmann_nn.mixture.multistate import combine_steps, read_multistate

MD = """[md]
steps = 3000
max_steps = 6000
equilibration = 1000
n_particles = 300
"""
#: Two states of one Lennard-Jones fluid (epsilon = 1): k_BT = 1.5 at rho 0.6, 2.0 at rho 0.7.
STATES = {"s1": (0.6, 1.5), "s2": (0.7, 2.0)}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Each state's g(r) from MD of the true potential (U/k_BT of that state)."""
    folder = tmp_path_factory.mktemp("states")
    for name, (rho, kT) in STATES.items():
        code = main(["simulate", f"lj:epsilon={1 / kT!r},rcut=2.5", "--density", str(rho), "--steps", "8000",
                     "--equilibration", "2000", "--n-particles", "300", "--out", str(folder / name), "--json",
                     "--no-progress"])
        assert code == 0
        res = json.loads((folder / name / "result.json").read_text())
        (folder / f"{name}.toml").write_text(
            f"density = {rho}\nr_cut = 2.5\npressure = {res['pressure']!r}\n[species]\nA = 1.0\n"
            f'[targets]\n"A-A" = "{folder / name / "gr.csv"}"\n' + MD)
    (folder / "states.toml").write_text(
        "method = \"ihnc\"\n" + "".join(f'[[states]]\nspec = "{n}.toml"\nkT = {kT}\n'
                                        for n, (_, kT) in STATES.items()))
    return folder


def _json(capsys, *argv):
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert out.count("\n") == 1, err
    return code, json.loads(out)


def test_two_states_refine_together_and_resume(folder, tmp_path, capsys):
    capsys.readouterr()
    out = tmp_path / "out"
    states = str(folder / "states.toml")
    code, d = _json(capsys, "refine", "--states", states, "--out", str(out), "--max-iter", "2")
    assert d["iterations"] == 2 and set(d["states"]) == {"s1", "s2"}
    for st in d["states"].values():
        assert st["chi2"] is not None and np.isfinite(st["chi2"]) and set(st["g"]) == {"A-A"}
    r, u, _ = read_table_columns(d["tables"]["A-A"])
    # the shared potential is in the first state's k_BT (1.5 epsilon): the LJ well is 1/1.5 deep
    well = float(u[(r > 1.0) & (r < 1.3)].min())
    assert -1.0 < well < -0.4
    assert d["md_steps"] == sum(h["md_steps"] for h in d["history"])
    code, d2 = _json(capsys, "refine", "--states", states, "--out", str(out), "--max-iter", "3")
    assert d2["iterations"] == 3
    assert d2["history"][0]["states"]["s1"]["chi2"] == d["history"][0]["states"]["s1"]["chi2"]


def test_two_states_hncgn_stacks_both_states(folder, tmp_path, capsys):
    """``method = "hncgn"``: Gauss–Newton steps for both states at once (rows stacked, one
    pressure constraint each) from their averaged HNC start (P 1.2 and 1.4 k_BT/σ³ high, χ²/n
    8.6 and 5.0): both pressures and both g(r) reach their targets (two steps here)."""
    capsys.readouterr()
    states = tmp_path / "states.toml"
    states.write_text((folder / "states.toml").read_text().replace('method = "ihnc"', 'method = "hncgn"')
                      .replace('spec = "', f'spec = "{folder}/'))
    code, d = _json(capsys, "refine", "--states", str(states), "--out", str(tmp_path / "o"), "--max-iter", "4")
    assert d["iterations"] <= 4 and set(d["states"]) == {"s1", "s2"}
    first, last = d["history"][0]["states"], d["history"][-1]["states"]
    for name in STATES:
        target = json.loads((folder / name / "result.json").read_text())["pressure"]
        gap0 = abs(first[name]["pressure"] - target)
        assert abs(last[name]["pressure"] - target) <= max(0.5 * gap0, 0.02 * target)
        assert last[name]["chi2"] < 3.0 * last[name]["chi2_bound"]


def test_combined_step_follows_the_state_whose_g_carries_information():
    r = np.linspace(0.5, 2.0, 16)
    g_a = np.where(r < 1.0, 0.0, 1.0)  # state a sees nothing below r = 1
    g_b = np.ones_like(r)
    steps = {"a": {"A-A": np.full(r.size, 5.0)}, "b": {"A-A": np.full(r.size, 1.0)}}
    du = combine_steps(steps, {"a": 1.0, "b": 1.0}, {"a": {"A-A": g_a}, "b": {"A-A": g_b}})["A-A"]
    assert np.allclose(du[r < 1.0], 1.0, atol=1e-4)  # only b informs the core region
    assert np.allclose(du[r >= 1.0], 3.0)  # equal information: the plain average
    same = combine_steps({"a": steps["b"], "b": steps["b"]}, {"a": 2.0, "b": 1.0},
                         {"a": {"A-A": g_b}, "b": {"A-A": g_b}})["A-A"]
    assert np.allclose(same, 1.0)


def test_bad_states_files_are_one_line_errors(folder, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[states]]\nfile = 'x.toml'\n")
    with pytest.raises(InputError, match="spec = FILE"):
        read_multistate(bad)
    bad.write_text(f"method = 'hncgn'\n[[states]]\nspec = '{folder / 's1.toml'}'\n")
    assert read_multistate(bad).method == "hncgn"
    bad.write_text(f"method = 'imc'\n[[states]]\nspec = '{folder / 's1.toml'}'\n")
    with pytest.raises(InputError, match="use one of"):
        read_multistate(bad)
    other = tmp_path / "other.toml"
    other.write_text((folder / "s1.toml").read_text().replace("[species]\nA = 1.0", "[species]\nB = 1.0")
                     .replace('"A-A"', '"B-B"'))
    bad.write_text(f"[[states]]\nspec = '{folder / 's1.toml'}'\n[[states]]\nspec = '{other}'\n")
    with pytest.raises(InputError, match="same species"):
        read_multistate(bad)
