"""Every table any writer produces is read back by the loader ``validate`` and ``simulate``
use (with its force check), on named potentials and on inversions of an independent g(r)."""

import numpy as np
import pytest

from boltzmann_nn.api import invert_gr
from boltzmann_nn.io.potential_files import TABLE_FORMATS, write_potential
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.potentials.spec import parse_potential
from boltzmann_nn.reference import example_gr_path
from boltzmann_nn.units import Units

NAMED = {"lj": ("lj", {"epsilon": 1.0}, 2.5), "gauss": ("gauss", {"epsilon": 2.0}, 3.0),
         "wca": ("wca", {}, None)}


@pytest.mark.parametrize("fmt", list(TABLE_FORMATS))
@pytest.mark.parametrize("units", [Units(), Units(0.34, "nm", 2.0, "kJ/mol")], ids=["reduced", "nm"])
def test_every_writer_is_read_back_by_the_md_loader(tmp_path, fmt, units):
    suffix = TABLE_FORMATS[fmt].suffixes[0]
    for name, (kind, params, rc) in NAMED.items():
        pot = NamedPotential(kind, params, r_cut=rc)
        tab = pot.tabulate(800)
        back = parse_potential(str(write_potential(tmp_path / f"{name}{suffix}", tab, fmt, units)), units=units)
        r = np.linspace(tab.table_start() + 0.1, tab.r_cut - 0.05, 9)
        r = r[tab.evaluate(r)[0] < 50]  # the steep core differs by interpolation alone
        np.testing.assert_allclose(back.evaluate(r)[0], pot.evaluate(r)[0], rtol=2e-3, atol=2e-3,
                                   err_msg=name)
    # what `invert --out` writes from an independently simulated g(r) (r in sigma; in nm for nm units)
    gr = example_gr_path()
    if not units.is_reduced:
        from boltzmann_nn.io.gr import read_gr

        rdf = read_gr(gr)
        gr = tmp_path / "gr_nm.csv"
        gr.write_text("r,g\n" + "\n".join(f"{a * 0.34},{b}" for a, b in zip(rdf.r, rdf.g)) + "\n")
    density = 0.512 / (0.34**3 if not units.is_reduced else 1.0)
    for method in ("hnc", "boltzmann"):
        out = tmp_path / f"{method}{suffix}"
        inv = invert_gr(gr, density, method, out=out, units=units)
        back = parse_potential(str(out), units=units)
        table = inv.to_dict()["table"]
        r = units.to_reduced_length(np.asarray(table["r"]))
        u = units.to_reduced_energy(np.asarray(table["U"]))
        pick = (u < 5) & (r < r[-1] - 0.05)
        np.testing.assert_allclose(back.evaluate(r[pick])[0], u[pick], rtol=1e-3, atol=5e-3, err_msg=method)


def test_smooth_evaluation_keeps_force_and_energy_consistent():
    tab = NamedPotential("lj", {"epsilon": 1.0}, r_cut=2.5).tabulate(200)
    r = np.linspace(0.9, 2.4, 1001)
    u, f = tab.evaluate_smooth(r)
    np.testing.assert_allclose(-np.gradient(u, r)[5:-5], f[5:-5], rtol=2e-3, atol=2e-3)
    np.testing.assert_allclose(tab.evaluate_smooth(tab.r)[0], tab.U)
    assert tab.evaluate_smooth(np.array([3.0]))[0][0] == 0.0


def test_a_refined_table_with_a_steep_core_is_read_back(tmp_path):
    # refinement grids follow the target's bins (0.02 sigma): across a steep core the PCHIP
    # table's forces change by tens of percent per row, and its secants differ from the
    # mean end forces by (h^2/12) F'' -- a correct table the loader must accept
    import json
    from pathlib import Path

    from boltzmann_nn.refine.start import refined_table

    data = json.loads((Path(__file__).parent / "data" / "refined_steep_core.json").read_text())
    grid, u = np.asarray(data["grid"]), np.asarray(data["u"])
    table = refined_table(grid, u)
    back = parse_potential(str(write_potential(tmp_path / "refined.csv", table, "csv")))
    np.testing.assert_allclose(back.evaluate(table.r)[0], table.U, rtol=1e-8, atol=1e-8)
