import math

import numpy as np
import pytest
import torch

from boltzmann_nn.ml.nets.losses import (
    difference_term,
    l_le,
    laplace_term,
    potential_loss,
    relative_pressure_loss,
)
from boltzmann_nn.ml.pipeline.metrics import eos_metrics, exponential_width, potential_errors


def t(x):
    return torch.tensor([x], dtype=torch.float64)


def test_basic_losses():
    d = torch.tensor([0.0, 0.5, -3.0, 40.0], dtype=torch.float64)
    np.testing.assert_allclose(l_le(d).numpy(), [math.log(math.cosh(v)) for v in (0, 0.5, -3.0)] +
                               [40 - math.log(2)], rtol=1e-12)


def test_laplace_term_by_hand():
    y, yh = [0.0, 1.0, 4.0, 9.0], [0.0, 2.0, 4.0, 8.0]
    # second differences: y -> (2, 2), yh -> (0, 2); SE -> (4, 0); mean over d-2 = 2 -> 2
    assert float(laplace_term(t(y), t(yh), "SE")) == pytest.approx(2.0)


def test_difference_terms_by_hand():
    y, yh = [0.0, 1.0, 4.0, 9.0], [0.0, 2.0, 4.0, 8.0]
    # k = 1: dy = (1, 3, 5), dyh = (2, 2, 4) -> SE (1, 1, 1) -> 1
    assert float(difference_term(t(y), t(yh), 1, "SE")) == pytest.approx(1.0)
    # k = 2: dy = (4, 8), dyh = (4, 6) -> SE (0, 4) -> 2
    assert float(difference_term(t(y), t(yh), 2, "SE")) == pytest.approx(2.0)
    # k = 3: dy = (9), dyh = (8) -> 1
    assert float(difference_term(t(y), t(yh), 3, "SE")) == pytest.approx(1.0)


def test_eq8_identity():
    # L_k = mean[l(y_{i+k}, yh_{i+k}) + l(y_i, yh_i) - 2 (y_{i+k} - yh_{i+k})(y_i - yh_i)] (Eq. 8)
    rng = np.random.default_rng(0)
    y, yh = rng.normal(size=12), rng.normal(size=12)
    for k in (1, 2, 3, 4):
        e = y - yh
        eq8 = np.mean(e[k:] ** 2 + e[:-k] ** 2 - 2 * e[k:] * e[:-k])
        assert float(difference_term(t(list(y)), t(list(yh)), k, "SE")) == pytest.approx(eq8)


def test_potential_loss_total_and_slicing():
    y = [0.0, 1.0, 4.0, 9.0]
    yh = [0.0, 2.0, 4.0, 8.0]
    mse = np.mean((np.array(y) - np.array(yh)) ** 2)  # 0.5
    want = mse + 2.0 * 2.0 + (1.0 + 2.0 + 1.0 + 0.0)  # k = 4 has no pairs -> 0
    got = float(potential_loss(t(y), t(yh), basic="SE", u_cut=100.0))
    assert got == pytest.approx(want)
    assert float(potential_loss(t(y), t(yh), basic="SE", force_terms=False, u_cut=100.0)) == pytest.approx(mse)
    # slicing: the point with U > u_cut is ignored, and every term touching it
    sliced = float(potential_loss(t([50.0] + y[1:]), t([-7.0] + yh[1:]), basic="SE", u_cut=20.0))
    # points 1..3 remain: pointwise (1, 0, 1) / 3; Laplacian (1,4,9) vs (2,4,8): 2 vs 2 -> 0;
    # L1 pairs (1,2), (2,3): (3 vs 2, 5 vs 4) -> 1; L2 pair (1,3): 8 vs 6 -> 4; L3, L4: none
    assert sliced == pytest.approx(2 / 3 + 0.0 + 1.0 + 4.0)


def test_relative_pressure_loss_is_scale_free():
    p = torch.tensor([0.1, 10.0])
    rho = torch.tensor([0.1, 0.5])
    a = relative_pressure_loss(p, p * 1.01, rho)
    b = relative_pressure_loss(p * 3, p * 3 * 1.01, rho * 3)
    assert float(a) == pytest.approx(float(b), rel=1e-5)


def test_eos_metrics_handle_zero_pressure():
    m = eos_metrics([0.0, 1.0, 2.0], [0.001, 1.1, 2.0], [0.1, 0.5, 1.0])
    assert m["n_floored"] == 1 and np.isfinite(m["MRAE"])
    assert m["MRAE"] == pytest.approx((0.1 + 0.1) / 3)
    assert m["dZ"] == pytest.approx((0.01 + 0.2) / 3)


def test_potential_errors_and_exponential_width():
    u = np.array([[30.0, 1.0, 0.0], [1.0, 2.0, 3.0]])
    uh = np.array([[0.0, 1.5, 0.0], [1.0, 2.0, 4.0]])
    mse, mae = potential_errors(u, uh)
    np.testing.assert_allclose(mae, [0.25, 1 / 3])
    np.testing.assert_allclose(mse, [0.125, 1 / 3])
    x = np.random.default_rng(1).exponential(0.05, 20000)
    fit = exponential_width(x)
    assert fit["delta"] == pytest.approx(0.05, rel=0.1) and fit["delta_mle"] == pytest.approx(0.05, rel=0.03)


def test_exponential_width_says_when_the_exponential_does_not_fit():
    rng = np.random.default_rng(5)
    expo = exponential_width(rng.exponential(0.3, 2000))
    assert expo["fits"] and abs(expo["delta"] - 0.3) < 0.05
    narrow = exponential_width(rng.normal(1.0, 0.05, 2000))  # errors clustered around 1
    assert not narrow["fits"] and narrow["ks_p"] < 1e-6


def test_virial_weights_give_the_pressure_change_md_sees():
    """Σ w δU equals the virial change at fixed g of δU linear between grid points (the
    bundled LJ g(r)); the pressure term is zero for Û = U and ignores the core (U > U_cut)."""
    from boltzmann_nn.grid import NN_GRID
    from boltzmann_nn.ml.nets.losses import pressure_consistency_loss
    from boltzmann_nn.ml.tasks.features import virial_weights
    from boltzmann_nn.reference import example_gr_path
    from boltzmann_nn.refine.target import load_target
    from boltzmann_nn.theory.pressure import virial_pressure

    t = load_target(example_gr_path(), 0.512)
    w = virial_weights(t.r, t.g[None], np.array([0.512]), NN_GRID.r)[0]
    r, fine = NN_GRID.r, np.linspace(t.r[0], 5.0, 8000)
    for du in (0.05 * (1 - r / 5), 0.1 * np.exp(-((r - 2) ** 2)), 0.02 * np.sin(3 * r) * (r > 1)):
        ref = virial_pressure(fine, np.interp(fine, t.r, t.g), -np.gradient(np.interp(fine, r, du), fine),
                              0.512) - 0.512
        assert float(w @ du) == pytest.approx(ref, rel=2e-3, abs=1e-4)
    # a tail off by 0.05 k_BT at r = 0, linearly to 0 at 5 sigma, moves P by 0.86 (P = 0.568)
    assert float(w @ (0.05 * (1 - r / 5))) == pytest.approx(0.858, abs=0.01)
    u = torch.tensor(np.where(r < 0.9, 40.0, -0.1 * np.exp(-r))[None], dtype=torch.float32)
    wt = torch.tensor(w[None], dtype=torch.float32)
    scale = torch.tensor([0.62])
    assert float(pressure_consistency_loss(u, u.clone(), wt, scale)) == pytest.approx(0.0, abs=1e-6)
    core_only = u.clone()
    core_only[0, r < 0.9] = 5.0  # Û differs only where U > U_cut
    assert float(pressure_consistency_loss(u, core_only, wt, scale)) == pytest.approx(0.0, abs=1e-6)
    tail = u + torch.tensor((0.05 * (1 - r / 5))[None], dtype=torch.float32)
    assert float(pressure_consistency_loss(u, tail, wt, scale)) == pytest.approx(0.858 / 0.62, rel=0.05)
