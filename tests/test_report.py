"""``boltzmann-nn report --quick``: the dataset's and the shipped models' tables and figures."""

import json

from boltzmann_nn.cli import main


def test_quick_report_regenerates_figures(tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", "--quick", "--out", str(out), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    for name in ("dataset/fig1_potentials_gr.png", "dataset/stats.json", "eos/fig4_eos_parity.png",
                 "inverse/fig8_inverse_mae.png", "inverse/fig9_inverse_transfer.png"):
        assert (out / name).exists(), name
    assessed = json.loads((out / "eos" / "eos_assessment.json").read_text())
    assert assessed["metrics"]["test"]["n"] > 50 and "P0" in assessed["metrics"]["test_baselines"]
    assert res["quick"] and res["dataset"]["n_kept"] > 0
    named = json.loads((out / "named" / "rows.json").read_text())  # from the states simulated so far
    assert {r["family"] for r in named} >= {"lj", "wca", "gauss", "yukawa"}
    lj = [r for r in named if r["family"] == "lj"]
    assert all(abs(r["P_net"] - r["P"]) < 0.3 * r["P"] for r in lj)
