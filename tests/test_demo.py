"""The README's main job: theory and the shipped networks on the built-in LJ fluid."""

import json

from boltzmann_nn.cli import main
from boltzmann_nn.reference import EXAMPLE_GR_PRESSURE, THOL_LJ_T2, example_gr_path


def test_demo_runs_end_to_end(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert abs(res["B2"] - (-1.31450)) < 1e-3  # LJ at k_BT/eps = 2, full potential
    net = res["networks"]
    pg = net["potential_from_gr"]
    # the network's potential from the MD g(r) lies within 0.1 k_BT of the true LJ (mean over
    # g > 1e-3); on this easy state U0 = -ln g and HNC inversion are about as close
    assert pg["MAE_network"] < 0.1 and pg["MAE_hnc"] < 0.1
    for rho, v in net["eos"].items():
        assert v["thol"] == THOL_LJ_T2[float(rho)]
        assert v["network"] > 0
    assert (out / "lj_from_network.table").exists()
    assert (out / "potential_from_network.png").exists()
    loop = res["loop"]  # predict, validate, refine: the loop closes with MD
    assert len(loop["distance"]) == 3 and min(loop["distance"][1:]) < loop["distance"][0] * 1.5
    # the network's U reproduces the bundled g(r) but not its pressure (a tail off by a few
    # 0.01 k_BT moves P by O(1)); refined towards g and the run's P, the last short run meets both
    assert loop["validate"]["l_mse"] < 5e-3 and loop["pressure_target"] == EXAMPLE_GR_PRESSURE
    assert abs(loop["pressure"][-1] - EXAMPLE_GR_PRESSURE) < 0.03 and loop["distance"][-1] < 1e-3
    assert (out / "refine" / "final.table").exists() and (out / "refine" / "convergence.png").exists()


def test_example_pressure_is_the_bundled_runs():
    head = example_gr_path().read_text().splitlines()[0]
    assert f"P = {EXAMPLE_GR_PRESSURE}" in head
