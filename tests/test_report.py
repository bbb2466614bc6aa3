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


def test_refine_study_tables_compare_every_start_on_the_same_states():
    """The refinement study's table from rows: one line per start/method, the MD-step ratios
    to IBI from Boltzmann inversion per state (only where the Newton start reached the noise
    level; IBI that did not counts as a lower bound), and the chain with R² against the true P."""
    from boltzmann_nn.studies.refine_study import COMBOS, _model_tag, report

    rows = []
    for k, state in enumerate(("a", "b", "c")):
        for start, method in COMBOS:
            steps, its = (60000, 4) if method == "ibi" else (20000, 1)
            reached = not ((state, method) == ("b", "ibi") or (state, start, method) == ("c", "hnc", "ihnc"))
            rows.append({"state": state, "kind": "test", "density": 0.5, "start": start, "method": method,
                         "start_l_mse": 1e-3, "reached": reached, "iterations_to_noise": its,
                         "iterations": 5, "md_steps_to_noise": steps, "wall_to_noise": 10.0,
                         "u_mae_start": 0.2, "u_mae_final": 0.05, "p_true": 1.0 + k, "p_final": 1.0 + k,
                         "p_start": 0.9 + k, "p_eos_network": 1.1 + k if start == "network" else None,
                         "p_eos_final": 1.0 + k, "model": "0ld0ld00" if start == "network" else None})
    text = report(rows, 3)
    assert f"the shipped model is {_model_tag()}" in text  # rows of an older model are marked
    for start, method in COMBOS:
        assert f"| {start} | {method} | 3 |" in text
    assert ("- network + imc: median 3.00, mean 3.00 (3 states; IBI did not reach the noise level in 1; "
            "left out, where network + imc did not: 0)") in text
    assert ("- hnc + ihnc: median 3.00, mean 3.00 (2 states; IBI did not reach the noise level in 1; "
            "left out, where hnc + ihnc did not: 1)") in text
    assert "| MD of the refined U (hnc + imc) | 1.000 | 0.000 | 3 |" in text
    assert "EOS network of the refined U (network + imc)" in text
