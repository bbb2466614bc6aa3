"""predict-potential --pressure: g(r) alone does not fix P; a linear ramp sized by the virial
at fixed g meets it without MD, and MD of the result confirms both g(r) and P."""

import json

import numpy as np

from boltzmann_nn.cli import main
from boltzmann_nn.ml.serving.predict import predict_potential
from boltzmann_nn.potentials.spec import parse_potential
from boltzmann_nn.reference import EXAMPLE_GR_PRESSURE, example_gr_path
from boltzmann_nn.refine.target import load_target
from boltzmann_nn.refine.validate import validate
from boltzmann_nn.theory.pressure import pressure_ramp


def test_virial_of_the_true_potential_with_its_md_g_is_the_md_pressure():
    """The premise: the virial at fixed g of the potential that made g is its MD pressure
    (bundled LJ run, P = 0.5679 +- 0.0014), so a ramp that moves the virial moves MD's P."""
    t = load_target(example_gr_path(), 0.512)
    lj = parse_potential("lj:epsilon=0.5,rcut=5").tabulate(4000)
    a, p_v = pressure_ramp(t.r, t.g, lj.evaluate(t.r)[1], t.density, EXAMPLE_GR_PRESSURE, lj.r_cut)
    assert abs(p_v - EXAMPLE_GR_PRESSURE) < 0.03 and abs(a) < 2e-3
    # a tail off by 0.05 (1 - r/5) k_BT: the ramp found is that offset, back
    f_off = lj.evaluate(t.r)[1] + np.where(t.r < 5, 0.05 / 5, 0.0)
    a, p_off = pressure_ramp(t.r, t.g, f_off, t.density, p_v, 5.0)
    assert p_off - p_v > 0.5 and abs(a + 0.05) < 1e-9


def test_network_potential_meets_the_pressure_in_md():
    t = load_target(example_gr_path(), 0.512)
    plain = predict_potential((t.r, t.g), t.density)
    fixed = predict_potential((t.r, t.g), t.density, pressure=EXAMPLE_GR_PRESSURE)
    assert plain.pressure_target is None and plain.pressure_ramp == 0.0
    assert fixed.pressure_target == EXAMPLE_GR_PRESSURE and fixed.pressure_ramp != 0.0
    assert np.allclose(fixed.u - plain.u, fixed.pressure_ramp * np.clip(1 - fixed.r / 5.0, 0, None))
    runs = {k: validate(p.table, t, steps=8000, equilibration=3000, seed=5)
            for k, p in (("plain", plain), ("fixed", fixed))}
    # the network's U reproduces g; its P is whatever its tail makes it (the virial says which)
    assert runs["plain"].comparison.l_mse < 2e-3
    assert abs(runs["plain"].pressure - plain.pressure_virial) < 0.1
    # with the ramp: g(r) as close as before, P within 5 % of the bundled run's (measured:
    # 3.9 % with Û at the bins' resolution, L_MSE 2.4e-4; 2.1 % through the 50 grid values
    # alone, L_MSE 4.7e-4 — the virial at fixed g misses MD's P of Û by 0.02 either way)
    assert runs["fixed"].comparison.l_mse < 2e-3
    assert abs(runs["fixed"].pressure - EXAMPLE_GR_PRESSURE) < 0.05 * EXAMPLE_GR_PRESSURE
    assert abs(runs["plain"].pressure - EXAMPLE_GR_PRESSURE) > abs(runs["fixed"].pressure - EXAMPLE_GR_PRESSURE)


def test_pressure_in_real_units_and_bad_pressure(tmp_path, capsys):
    # the bundled g(r) with r in nm (sigma = 0.34 nm), k_BT = 240 K in K: the same reduced state
    t = load_target(example_gr_path(), 0.512)
    gr = tmp_path / "gr_nm.csv"
    gr.write_text("r,g\n" + "".join(f"{a * 0.34:.6g},{b:.6g}\n" for a, b in zip(t.r, t.g)))
    kelvin_per_nm3 = EXAMPLE_GR_PRESSURE * 240.0 / 0.34**3
    assert main(["predict-potential", str(gr), "--density", str(0.512 / 0.34**3), "--sigma", "0.34nm",
                 "--temperature", "240", "--energy-unit", "K", "--pressure", str(kelvin_per_nm3),
                 "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    ref = predict_potential((t.r, t.g), 0.512, pressure=EXAMPLE_GR_PRESSURE)
    assert abs(d["pressure_target"] - kelvin_per_nm3) < 1e-6 * kelvin_per_nm3
    assert abs(d["pressure_ramp"] - 240.0 * ref.pressure_ramp) < 0.02 * abs(240.0 * ref.pressure_ramp)
    assert main(["predict-potential", str(gr), "--density", "0.512", "--pressure", "nan"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pressure must be finite" in err[0]
