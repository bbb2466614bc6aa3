"""Start-up time of the command line, beside the time to import NumPy and SciPy.

Each command is run ``--repeats`` times (default 5) as a fresh process; the table gives
the median wall time, the median of ``python -c "import numpy, scipy"`` measured in
turn with it, their ratio and the target ratio (2x for commands that need no network,
4x for the network predictions, which import PyTorch).

    python benchmarks/startup.py [--repeats 5]

The command is the ``boltzmann-nn`` script installed beside this Python (or
``python -m boltzmann_nn`` where there is none); the package it imports is the one on
``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

EXAMPLE_GR = Path(__file__).resolve().parents[1] / "src/boltzmann_nn/examples/lj_T2_rho0.512_gr.csv"
EXAMPLE_DENSITY = "0.512"

#: (label, arguments, target ratio to ``import numpy, scipy``)
COMMANDS = (
    ("--help", ["--help"], 2.0),
    ("virial lj --json", ["virial", "lj", "--json"], 2.0),
    ("predict-eos lj --density 0.5 --json", ["predict-eos", "lj", "--density", "0.5", "--json"], 4.0),
    ("predict-potential <example g(r)> --density 0.512 --json",
     ["predict-potential", str(EXAMPLE_GR), "--density", EXAMPLE_DENSITY, "--json"], 4.0),
)
BASELINE = [sys.executable, "-c", "import numpy, scipy"]


def cli_command() -> list[str]:
    """The installed ``boltzmann-nn`` script run by this Python, else ``python -m``."""
    script = Path(sys.executable).parent / "boltzmann-nn"
    return [sys.executable, str(script)] if script.exists() else [sys.executable, "-m", "boltzmann_nn"]


def wall(cmd: list[str]) -> float:
    """Seconds one run of ``cmd`` takes; raises if it fails."""
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def measure(cmd: list[str], repeats: int) -> tuple[float, float]:
    """Median wall time of ``cmd`` and of the baseline, alternating runs of the two."""
    wall(cmd)  # warm the file cache
    ours, base = [], []
    for _ in range(repeats):
        base.append(wall(BASELINE))
        ours.append(wall(cmd))
    return statistics.median(ours), statistics.median(base)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="runs of each command (default 5)")
    args = ap.parse_args(argv)
    cli = cli_command()
    print(f"{' '.join(Path(c).name for c in cli)}, median of {args.repeats} runs")
    print("| command | seconds | `import numpy, scipy` s | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    failed = 0
    for label, extra, target in COMMANDS:
        t, b = measure(cli + extra, args.repeats)
        ok = t / b <= target
        failed += not ok
        print(f"| `boltzmann-nn {label}` | {t:.3f} | {b:.3f} | {t / b:.2f}x | {target:g}x | "
              f"{'yes' if ok else 'no'} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
