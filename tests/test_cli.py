import json
import re
import subprocess
import sys

import numpy as np
import pytest

from boltzmann_nn.cli import main


def run_json(capsys, *argv):
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    assert out.count("\n") == 1, "exactly one JSON line on stdout"
    return code, json.loads(out)


def test_virial_json(capsys):
    code, d = run_json(capsys, "virial", "lj:rcut=inf,shift=false", "--density", "0.1", "0.2")
    assert code == 0
    assert d["B2"] == pytest.approx(-5.3158, rel=5e-3) and d["B3"] == pytest.approx(1.8849, rel=5e-3)
    assert len(d["P0"]) == 2


def test_potential_writes_table_and_plot(tmp_path, capsys):
    out, png = tmp_path / "lj.table", tmp_path / "lj.png"
    code, d = run_json(capsys, "potential", "lj:epsilon=0.5,rcut=3", "--out", str(out),
                       "--plot", str(png), "--n", "500")
    assert code == 0 and out.exists() and png.stat().st_size > 1000
    assert len(d["r"]) == 500 and len(d["nn_grid"]["U"]) == 50
    assert re.search(r"^N (\d+) RSQ ", out.read_text(), re.M) and int(
        re.search(r"^N (\d+) RSQ ", out.read_text(), re.M).group(1)) >= 500  # even in r², finer where steep


def test_oz_json(capsys):
    code, d = run_json(capsys, "oz", "gauss:epsilon=2", "--density", "0.2", "--closure", "py")
    assert code == 0 and {"r", "g", "pressure"} <= set(d)
    assert d["pressure"] > 0.2


def test_invert_boltzmann_and_hnc(tmp_path, capsys):
    r = np.linspace(0.02, 5, 250)
    u = 4 * 0.5 * ((1 / r) ** 12 - (1 / r) ** 6)
    g = np.exp(-u)
    p = tmp_path / "g.csv"
    p.write_text("r,g\n" + "\n".join(f"{a},{b}" for a, b in zip(r, g)))
    code, d = run_json(capsys, "invert", str(p), "--density", "0.001", "--method", "boltzmann",
                       "--out", str(tmp_path / "u.table"))
    assert code == 0 and {"r", "U"} <= set(d)
    ok = u < 10
    np.testing.assert_allclose(np.array(d["U"])[ok], u[ok], atol=1e-6)
    code, d = run_json(capsys, "invert", str(p), "--density", "0.001", "--method", "hnc")
    assert code == 0
    assert np.max(np.abs(np.array(d["U"])[ok & (r > 1)] - u[ok & (r > 1)])) < 0.02


@pytest.mark.parametrize("argv", [
    ["virial", "nosuch:potential"],
    ["oz", "lj", "--density", "-1"],
    ["invert", "missing-file.dat", "--density", "0.5"],
    ["potential", "lj:epsilon=x"],
    ["simulate", "lj:rcut=5", "--density", "0.5", "--n-particles", "100"],
    ["simulate", "lj", "--density", "0"],
])
def test_bad_input_exits_2_with_one_line(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("boltzmann-nn: error:")


def test_bad_file_names_the_file(tmp_path, capsys):
    p = tmp_path / "bad.csv"
    p.write_text("r,g\n0.1,1\n0.2,nan\n0.3,1\n0.4,1\n0.5,1\n")
    assert main(["invert", str(p), "--density", "0.5"]) == 2
    err = capsys.readouterr().err
    assert str(p) in err and "not finite" in err


def test_no_traceback_from_the_console_script(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("junk\n")
    proc = subprocess.run([sys.executable, "-m", "boltzmann_nn", "invert", str(p), "--density", "1"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = subprocess.run([sys.executable, "-m", "boltzmann_nn", "invert", str(p), "--density", "1",
                           "--debug"], capture_output=True, text=True)
    assert "Traceback" in proc.stderr


def test_rejudge_refuses_a_folder_that_is_not_a_store(tmp_path, capsys):
    assert main(["dataset", "rejudge", str(tmp_path), "--report", str(tmp_path / "r.md")]) == 2
    assert "not a campaign store" in capsys.readouterr().err
    assert not (tmp_path / "r.md").exists()


def test_every_option_has_help_text():
    import argparse

    from boltzmann_nn.cli import build_parser

    missing = []

    def walk(parser, prefix):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*prefix, name])
            elif not action.help:
                missing.append(f"{' '.join(prefix)} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), [])
    assert not missing, missing


def test_threads_beyond_the_free_cores_are_warned_about():
    from boltzmann_nn.cli.common import threads_warning

    assert threads_warning(1, cores=2, load=5.0) is None
    assert "exceeds the 2 cores" in threads_warning(4, cores=2, load=0.0)
    assert "busy machine" in threads_warning(2, cores=2, load=1.9)
    assert threads_warning(2, cores=8, load=1.0) is None
