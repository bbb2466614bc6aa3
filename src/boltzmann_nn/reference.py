"""Reference data with their sources, and the bundled example files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: Thol et al. (2016) LJ pressures at k_BT/eps = 2 in k_BT/sigma^3 (DESIGN.md reference values).
THOL_LJ_T2 = {0.125: 0.1085, 0.244: 0.1972, 0.512: 0.56835, 1.0: 7.605}
EXAMPLE_GR = "lj_T2_rho0.512_gr.csv"
#: The MD pressure of the bundled run (its header: P = 0.5679 +- 0.0014 k_BT/sigma^3).
EXAMPLE_GR_PRESSURE = 0.5679


def example_gr_path() -> Path:
    """The bundled g(r): MD of LJ (eps = 0.5 k_BT, r_cut = 5 sigma) at rho = 0.512."""
    return Path(str(resources.files("boltzmann_nn") / "examples" / EXAMPLE_GR))
