"""Grouped bootstrap, ratios and coverage of the evaluation tables."""

import numpy as np
import pytest

from boltzmann_nn.ml.pipeline.evaluation import bootstrap, coverage


def test_grouped_bootstrap_widens_with_correlated_groups(rng):
    """Runs of one potential share its error: resampling potentials (not runs) must give
    wider intervals than the runs' count suggests, and cover the true mean."""
    n_pot, per = 30, 4
    pot_effect = rng.exponential(1.0, n_pot)
    values = np.repeat(pot_effect, per) + 0.01 * rng.normal(size=n_pot * per)
    groups = np.repeat(np.arange(n_pot), per)
    grouped = bootstrap({"m": values}, groups, n_boot=1000)["m"]
    naive = bootstrap({"m": values}, np.arange(values.size), n_boot=1000)["m"]
    assert grouped["mean_ci"][0] < 1.0 < grouped["mean_ci"][1] or abs(grouped["mean"] - 1.0) < 0.4
    width = lambda r: r["mean_ci"][1] - r["mean_ci"][0]  # noqa: E731
    assert width(grouped) > 1.5 * width(naive)
    assert grouped["n_potentials"] == n_pot and grouped["n"] == n_pot * per


def test_ratio_to_reference_and_coverage(rng):
    a = rng.exponential(1.0, 200)
    res = bootstrap({"half": 0.5 * a, "ref": a}, np.arange(200) // 2, n_boot=300, references=("ref",))
    assert abs(res["half"]["ratio_to_ref"] - 0.5) < 1e-12
    assert res["half"]["ratio_to_ref_ci"][0] <= 0.5 + 1e-9 <= res["half"]["ratio_to_ref_ci"][1] + 1e-9
    spread = np.ones(10000)
    cov = coverage(np.abs(rng.normal(size=10000)), spread)  # Gaussian errors of width = spread
    assert abs(cov["coverage"] - 0.954) < 0.01


def test_spread_beyond_the_card_threshold_warns():
    """A model card with ``spread_ood`` makes predictions whose ensemble disagrees more than
    99 % of the test set did carry a DomainWarning."""
    import warnings

    from boltzmann_nn.ml.serving import predict
    from boltzmann_nn.reference import example_gr_path

    predict._CACHE.clear()
    shipped = predict.shipped_model("inverse", "inverse")
    saved = shipped.card.spread_ood
    try:
        shipped.card.spread_ood = 0.0  # any disagreement is above it
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = predict.predict_potential(example_gr_path(), 0.512)
        assert any("ensemble disagrees" in str(w.message) for w in caught)
        assert any("ensemble disagrees" in m for m in res.warnings)
        shipped.card.spread_ood = 1e9
        assert not any("ensemble" in m for m in predict.predict_potential(example_gr_path(), 0.512).warnings)
    finally:
        shipped.card.spread_ood = saved


def test_spread_scale_recovers_the_factor_of_an_under_dispersed_ensemble():
    from boltzmann_nn.ml.pipeline.evaluation import spread_scale

    rng = np.random.default_rng(3)
    spread = rng.uniform(0.5, 2.0, 20000)
    err = np.abs(rng.normal(0.0, 3.0 * spread))  # the true error is 3x the spread
    c = spread_scale(err, spread)
    assert c == pytest.approx(3.0 * 1.96 / 2.0, rel=0.03)
    assert coverage(err, c * spread)["coverage"] == pytest.approx(0.95, abs=0.005)
