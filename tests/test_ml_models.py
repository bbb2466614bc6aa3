import json

import numpy as np
import pytest
import torch

from boltzmann_nn.errors import InputError
from boltzmann_nn.grid import NN_GRID
from boltzmann_nn.ml.nets.architectures import ArchConfig
from boltzmann_nn.ml.nets.heads import EOSNet
from boltzmann_nn.ml.pipeline.data import Arrays
from boltzmann_nn.ml.pipeline.experiments import train_one
from boltzmann_nn.ml.pipeline.train import TrainConfig
from boltzmann_nn.ml.serving.predict import predict_eos, predict_potential
from boltzmann_nn.ml.serving.zoo import load_model, save_model
from boltzmann_nn.ml.tasks import eos, inverse
from boltzmann_nn.ml.tasks.options import EOSFlags
from boltzmann_nn.potentials.base import NamedPotential
from boltzmann_nn.potentials.random import RandomPotential
from boltzmann_nn.theory.virial import b2, b3

TINY = ArchConfig("CN", filters=4, kernel=3, depth=2, head_width=32, head_depth=1)


@pytest.fixture(scope="module")
def synthetic():
    """Soft named potentials; P from the exact B2 and B3; g = exp(-U)."""
    specs = [("soft", {"epsilon": e, "n": n}) for e in (0.5, 1.5) for n in (6.0, 12.0)]
    specs += [("gauss", {"epsilon": e}) for e in (0.5, 1.5, 3.0)]
    specs += [("yukawa", {"epsilon": e, "kappa": k}) for e in (0.5, 2.0) for k in (1.5, 3.0)]
    specs += [("wca", {})]
    rows = []
    for seed, (name, params) in enumerate(specs):
        pot = NamedPotential(name, params, r_cut=4.0)
        u, f = pot.tabulate(2000).on_grid()
        bb2, bb3 = b2(pot), b3(pot)
        for rho in (0.05, 0.1, 0.15, 0.2):
            rows.append((seed, rho, rho + bb2 * rho**2 + bb3 * rho**3, u, f, bb2, bb3))
    seeds, rho, p, u, f, bb2, bb3 = (np.array(x) for x in zip(*rows))
    g = np.exp(-np.minimum(u, 50.0))
    return Arrays(density=rho, pressure=p, pressure_err=0.01 * np.abs(p), u=u, f=f, g=g, g_bins=g,
                  g_r=NN_GRID.r, b2=bb2, b3=bb3,
                  fold=seeds % 4 - (seeds == 11).astype(int) * (seeds % 4 + 1),
                  potential=seeds, potential_seed=seeds, has_core=np.ones_like(rho, bool),
                  r_cut=np.full(rho.size, 5.0),
                  dataset_hash="synthetic", path="synthetic.h5")


def test_virial_layer_has_no_parameters_and_sums_the_series():
    net = EOSNet("Bn", EOSFlags.parse("c"), TINY, n_virial=4)
    last = net.encoder.head[-1]
    with torch.no_grad():
        last.weight.zero_()
        last.bias.copy_(torch.tensor([0.2, -0.1, 0.05]))  # B2, B3, B4 = 10 * bias
    x = torch.zeros(3, 1, 50)
    rho = torch.tensor([0.1, 0.5, 1.0])
    want = rho + 2.0 * rho**2 - 1.0 * rho**3 + 0.5 * rho**4
    torch.testing.assert_close(net(x, rho), want)


def test_exact_b2_variant_uses_given_b2():
    net = EOSNet("Bn", EOSFlags.parse("c"), TINY, n_virial=3, exact_b2=True)
    with torch.no_grad():
        net.encoder.head[-1].weight.zero_()
        net.encoder.head[-1].bias.zero_()
    rho = torch.tensor([0.5])
    assert float(net(torch.zeros(1, 1, 50), rho, b2=torch.tensor([4.0]))) == pytest.approx(0.5 + 4 * 0.25)


def test_b2_input_reaches_the_coefficients():
    # option b: two inputs that differ only in the exact B2 give different coefficients
    net = EOSNet("Bn", EOSFlags.parse("bcfk"), TINY, n_virial=4)
    x = torch.zeros(2, 2, 50)
    coef = net.coefficients(x, torch.tensor([1.0, 50.0]))
    assert coef.shape == (2, 3)
    assert not torch.allclose(coef[0], coef[1])
    with pytest.raises(ValueError, match="unknown options"):
        EOSFlags.parse("bc")


def test_b2_correction_starts_from_the_exact_b2_and_bounds_huge_ones():
    from boltzmann_nn.ml.nets.outputs import B2_PRIOR_CAP

    net = EOSNet("Bn", EOSFlags.parse("cfkr"), TINY, n_virial=4)
    with torch.no_grad():
        net.encoder.head[-1].weight.zero_()
        net.encoder.head[-1].bias.zero_()
        coef = net.coefficients(torch.zeros(3, 2, 50), torch.tensor([2.2, -8.0, -1300.0])).numpy()
    assert coef[0, 0] == pytest.approx(2.2, rel=5e-3) and coef[1, 0] == pytest.approx(-8.0, rel=0.06)
    assert coef[2, 0] == pytest.approx(-B2_PRIOR_CAP, rel=1e-6)  # a deep well's B2 is bounded
    assert np.all(coef[:, 1:] == 0)
    rho = torch.tensor([0.5, 0.5, 0.5])
    # hard spheres: B2 = 2π/3, and with a zero correction βP = ρ + B2 ρ²
    p = net(torch.zeros(1, 2, 50), rho[:1], b2=torch.tensor([2 * np.pi / 3]))
    assert float(p.detach()) == pytest.approx(0.5 + 0.25 * 20 * np.tanh(2 * np.pi / 60), rel=1e-6)
    with pytest.raises(ValueError, match="option r"):
        EOSNet("P", EOSFlags.parse("cfkr"), TINY)


@pytest.mark.parametrize("strategy,options,tol", [("Bn", "c", 0.05), ("Bn", "bcfk", 0.05), ("Bn", "cfkr", 0.05),
                                                  ("B2*", "ci", 0.05), ("P", "x", 0.1)])
def test_eos_network_overfits_a_small_batch(synthetic, strategy, options, tol):
    # the direct P map learns slowest (as in the paper); it gets a looser bound
    cfg = eos.EOSConfig(strategy, options, TINY)
    idx = np.arange(16)
    _, rep = train_one(eos.TASK, synthetic, idx, None, cfg, TrainConfig(epochs=1200, lr=3e-3, lr_final=1e-4))
    assert rep["train"]["MRAE"] < tol


def test_inverse_network_overfits_with_force_loss(synthetic):
    cfg = inverse.InverseConfig("f", TINY)
    idx = np.arange(16)
    _, rep = train_one(inverse.TASK, synthetic, idx, None, cfg, TrainConfig(epochs=600, lr=3e-3, lr_final=1e-4))
    assert rep["train"]["L_MAE"] < 0.3


@pytest.mark.parametrize("scale", [10.0, 1.0])
def test_residual_output_is_the_hnc_guess_plus_scaled_correction(scale):
    from boltzmann_nn.ml.nets.heads import InverseNet
    from boltzmann_nn.ml.tasks.features import U_SCALE
    from boltzmann_nn.ml.tasks.options import InverseFlags

    net = InverseNet(InverseFlags.parse("hrf"), TINY, residual_scale=scale)
    torch.manual_seed(0)
    x = torch.rand(3, 2, 50)
    rho = torch.tensor([0.1, 0.5, 0.9])
    with torch.no_grad():
        o = net.net(x, rho[:, None])
        np.testing.assert_allclose(net(x, rho).numpy(), (U_SCALE * x[:, 1] + scale * o).numpy(), atol=1e-5)
    # an older model card (no residual_scale) keeps the scale it was trained with
    d = inverse.InverseConfig("hrf", TINY).as_dict()
    del d["residual_scale"]
    assert inverse.InverseConfig.from_dict(d).residual_scale == 10.0
    assert inverse.InverseConfig("hrf", TINY, residual_scale=scale).name().endswith("+s1") == (scale == 1.0)


def test_density_gate_leaves_a_dilute_fluid_to_hnc_and_the_core_to_the_network():
    """Option d: where g informs, the correction fades as ρ² (HNC's missing bridge
    function is O(ρ²)); in the core (g = 0) and from ρσ³ = 1 on it is option r's whole.
    """
    from boltzmann_nn.ml.nets.heads import InverseNet
    from boltzmann_nn.ml.tasks.features import U_SCALE
    from boltzmann_nn.ml.tasks.options import InverseFlags

    torch.manual_seed(0)
    gated, plain = (InverseNet(InverseFlags.parse(c), TINY) for c in ("hrdf", "hrf"))
    plain.load_state_dict(gated.state_dict())
    g = torch.cat([torch.zeros(3, 10), 1.0 + 0.2 * torch.rand(3, 40)], dim=1)
    x = torch.stack([g, torch.rand(3, 50)], dim=1)
    rho = torch.tensor([0.01, 0.3, 1.2])
    with torch.no_grad():
        d_gated = (gated(x, rho) - U_SCALE * x[:, 1]).numpy()
        d_plain = (plain(x, rho) - U_SCALE * x[:, 1]).numpy()
    assert np.abs(d_plain[:, 10:]).max() > 0.1  # the network does correct
    np.testing.assert_allclose(d_gated[:, :10], d_plain[:, :10], rtol=1e-5)  # the core, whole
    np.testing.assert_allclose(d_gated[0, 10:], 1e-4 * d_plain[0, 10:], atol=2e-6)  # float32
    np.testing.assert_allclose(d_gated[1, 10:], 0.09 * d_plain[1, 10:], rtol=1e-3, atol=2e-6)
    np.testing.assert_allclose(d_gated[2], d_plain[2], rtol=1e-5)


def test_zoo_round_trip_and_checksum(synthetic, tmp_path):
    cfg = eos.EOSConfig("Bn", "c", TINY)
    models = [eos.TASK.build(cfg) for _ in range(2)]
    card = save_model(tmp_path, "m", "eos", models, cfg, {"domain": {"density": [0.05, 0.2]}})
    shipped = load_model(tmp_path / "m.json", torch=True)
    inputs = eos.eos_inputs(synthetic.u[:4], synthetic.f[:4], synthetic.density[:4], synthetic.b2[:4], cfg)
    want = np.mean([eos.TASK.predict(m, inputs) for m in models], axis=0)
    np.testing.assert_allclose(shipped(eos.TASK.predict, inputs)[0], want, rtol=1e-6)
    assert card.members == 2 and len(card.sha256) == 64
    raw = bytearray((tmp_path / "m.safetensors").read_bytes())
    raw[-1] ^= 0xFF
    (tmp_path / "m.safetensors").write_bytes(bytes(raw))
    with pytest.raises(InputError, match="checksum"):
        load_model(tmp_path / "m.json", torch=True)


def _save_trained(synthetic, tmp_path):
    cfg = eos.EOSConfig("Bn", "c", TINY)
    model, _ = train_one(eos.TASK, synthetic, np.arange(32), None, cfg, TrainConfig(epochs=200, lr=3e-3))
    save_model(tmp_path, "eos", "eos", [model], cfg,
               {"domain": {"density": [0.05, 0.2], "u_capped_min": -1.0, "r_cut_max": 5.0}})
    icfg = inverse.InverseConfig("f", TINY)
    imodel, _ = train_one(inverse.TASK, synthetic, np.arange(32), None, icfg, TrainConfig(epochs=100))
    save_model(tmp_path, "inverse", "inverse", [imodel], icfg,
               {"domain": {"density": [0.05, 0.2], "first_peak": [0.8, 2.0], "first_peak_median": 1.1}})


def test_predict_api_with_saved_models(synthetic, tmp_path):
    _save_trained(synthetic, tmp_path)
    with pytest.warns(UserWarning, match="outside"):
        res = predict_eos("random:seed=3", [0.1, 1.5], model=tmp_path / "eos.json")
    assert set(res["virial_coefficients"]) == {"B2", "B3", "B4", "B5"}
    assert len(res["pressure"]) == 2 and any("densities" in w for w in res["warnings"])
    json.dumps({k: v for k, v in res.items()})
    r = np.linspace(0.0125, 6.0, 240)
    g = np.exp(-RandomPotential(5).evaluate(r)[0])
    out = predict_potential((r, g), 0.1, model=tmp_path / "inverse.json")
    assert len(out["U"]) == 50 and np.all(np.isfinite(out["table"]["U"]))
    tab = out.table
    core = tab.r < 0.6
    assert np.all(np.diff(tab.U[core]) < 0), "the core rises monotonically towards r = 0"
    with pytest.raises(InputError, match="needs g up to 5 sigma"):
        predict_potential((r[r < 2.5], g[r < 2.5]), 0.1, model=tmp_path / "inverse.json")


def test_core_invariant_force_does_not_depend_on_the_table_start(tmp_path):
    """The same LJ potential, named or as a CSV table that starts at 0.76 sigma (U = 43 k_BT),
    gives the same EOS input with the ``k`` option (and different ones without it)."""
    import numpy as np

    from boltzmann_nn.grid import NN_GRID
    from boltzmann_nn.io.potential_files import write_potential
    from boltzmann_nn.ml.tasks.features import eos_channels
    from boltzmann_nn.ml.tasks.options import EOSFlags
    from boltzmann_nn.potentials.spec import parse_potential
    from boltzmann_nn.potentials.table import read_potential_table

    lj = parse_potential("lj:epsilon=0.5,rcut=5")
    path = write_potential(tmp_path / "lj.csv", lj.tabulate(3000, r_min=0.76), "csv")
    tables = [lj.tabulate(4000), read_potential_table(path)]
    inputs = {code: [eos_channels(*(a[None] for a in t.on_grid(NN_GRID)), EOSFlags.parse(code)) for t in tables]
              for code in ("cf", "cfk")}
    assert np.allclose(inputs["cfk"][0], inputs["cfk"][1], atol=1e-3)
    assert not np.allclose(inputs["cf"][0], inputs["cf"][1], atol=1e-3)


@pytest.mark.parametrize("spec, r_min", [("lj:epsilon=0.5,rcut=5", 0.76), ("gauss:epsilon=2,rcut=4", 0.0),
                                         ("wca:epsilon=1", 0.8)])
def test_shipped_eos_does_not_depend_on_how_the_potential_is_given(tmp_path, spec, r_min):
    """Named, or a CSV / LAMMPS / VOTCA table (from r = 0 for a soft core, or from where
    U >> U_cut for a hard one): the shipped EOS model gives the same pressures."""
    import warnings

    import numpy as np

    from boltzmann_nn.io.potential_files import write_potential
    from boltzmann_nn.ml.serving.predict import predict_eos
    from boltzmann_nn.potentials.spec import parse_potential

    densities = [0.125, 0.512, 1.0]
    table = parse_potential(spec).tabulate(3000, r_min=r_min)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        named = np.asarray(predict_eos(spec, densities).to_dict()["pressure"])
        for fmt, suffix in (("csv", ".csv"), ("lammps", ".table"), ("votca", ".pot")):
            path = write_potential(tmp_path / f"u{suffix}", table, fmt)
            p = np.asarray(predict_eos(str(path), densities).to_dict()["pressure"])
            np.testing.assert_allclose(p, named, rtol=5e-3, err_msg=f"{spec} as {fmt}")


def test_shipped_inverse_does_not_depend_on_the_gr_format():
    from importlib import resources

    import numpy as np

    from boltzmann_nn.ml.serving.predict import predict_potential
    from boltzmann_nn.units import Units

    ex = resources.files("boltzmann_nn.examples")
    reduced = predict_potential(str(ex / "lj_T2_rho0.512_gr.csv"), 0.512)
    argon = Units.from_temperature(0.34, "nm", 300.0, "kJ/mol")  # the .xvg is in nm
    nm = predict_potential(str(ex / "lj_T2_rho0.512_gr.xvg"), 0.512 / 0.34**3, units=argon)
    np.testing.assert_allclose(nm.u, reduced.u, atol=2e-3)  # both k_BT on the reduced grid


def test_density_warnings_follow_the_card_training_range():
    """The shipped cards record the densities they learned; inside that range no density
    warning, outside it one that states the range."""
    import warnings

    from boltzmann_nn.ml.serving.zoo import model_card
    from boltzmann_nn.reference import example_gr_path

    for task in ("eos", "inverse"):
        lo, hi = model_card(task).domain["density"]
        for rho, warns in ((0.5 * (lo + hi), False), (0.5 * lo, True), (min(1.5 * hi, 5.0), True)):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if task == "eos":
                    predict_eos("lj:epsilon=0.5,rcut=5", [rho])
                else:
                    predict_potential(str(example_gr_path()), rho)
            text = " ".join(str(w.message) for w in caught if "densit" in str(w.message))
            assert bool(text) == warns, (task, rho, text)
            if warns:
                assert f"{lo:.3g}" in text and f"{hi:.3g}" in text


@pytest.mark.parametrize("spec, rho, u0_tol",
                         [("gauss:epsilon=2,rcut=4", 0.6, 0.5), ("hertz:epsilon=10", 0.5, 2.0)])
def test_shipped_inverse_sees_a_soft_core_at_r_zero(spec, rho, u0_tol):
    """Soft cores with finite U(0) (Gaussian core, Hertz): from their HNC g(r) the shipped
    model puts U(0) near its true value, not at the 20 k_BT cap, and the Gaussian core's MD
    table stays soft there (g(0) = 0.4 is information, not a core)."""
    import numpy as np

    from boltzmann_nn.ml.serving.predict import predict_potential
    from boltzmann_nn.potentials.spec import parse_potential
    from boltzmann_nn.theory.oz import OZSolver

    pot = parse_potential(spec)
    res = OZSolver("hnc", n=2048, dr=0.01, ramp=4).solve(pot, rho)
    r = (np.arange(200) + 0.5) * 0.025
    pred = predict_potential((r, np.interp(r, res.r, res.g)), rho)
    u_true = float(pot.evaluate(np.array([1e-6]))[0][0])
    assert abs(pred.u[0] - u_true) < u0_tol
    if spec.startswith("gauss"):
        assert pred.table.U[0] < 3.0


def test_shipped_inverse_table_lets_particles_into_a_penetrable_core():
    """A soft core behind a 10 k_BT barrier at 0.5σ (random splines have such shapes): g is
    0.34 at r → 0 and ~1e-4 on the barrier. Only a core around r = 0 is made hard in the MD
    table; here the table keeps the soft inside, so MD can fill what the target holds."""
    import numpy as np

    from boltzmann_nn.ml.serving.predict import predict_potential
    from boltzmann_nn.potentials.table import PairTable
    from boltzmann_nn.theory.oz import OZSolver

    rt = np.linspace(0.0, 3.0, 3001)
    u = 2 * np.exp(-rt**2) + 9 * np.exp(-(((rt - 0.5) / 0.08) ** 2))
    u -= u[-1]
    res = OZSolver("hnc", n=2048, dr=0.01, ramp=4).solve(
        PairTable(rt, u, -np.gradient(u, rt), name="barrier", check_force=False), 0.3)
    r = (np.arange(200) + 0.5) * 0.025
    pred = predict_potential((r, np.interp(r, res.r, res.g)), 0.3)
    inside, barrier = np.interp([0.2, 0.5], pred.table.r, pred.table.U)
    assert inside < 3.0 and barrier > 6.0  # true: 1.9 and 10.0


def test_predicted_soft_core_table_starts_at_the_origin():
    """A Gaussian-core fluid's particles overlap: the MD table of its predicted U starts at
    r -> 0 (a table from 0.05 sigma stopped MD as soon as two particles came closer), while a
    hard core (LJ) keeps its table start outside the origin with U far above U_cut."""
    import warnings

    from boltzmann_nn.ml.serving.predict import predict_potential
    from boltzmann_nn.potentials.spec import parse_potential
    from boltzmann_nn.reference import example_gr_path
    from boltzmann_nn.theory.oz import OZSolver

    res = OZSolver("hnc").solve(parse_potential("gauss:epsilon=2,rcut=4"), 0.3)
    keep = res.r <= 6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        soft = predict_potential((res.r[keep], res.g[keep]), 0.3)
        hard = predict_potential(example_gr_path(), 0.512)
    assert soft.table.r[0] <= 1e-4 and soft.table.U[0] < 5
    assert hard.table.r[0] >= 0.05 and hard.table.U[0] > 20
