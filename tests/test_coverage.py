"""The inverse network's training-data coverage: shipped, checked, and judged by the data."""

from __future__ import annotations

import warnings
from importlib import resources

import numpy as np

from boltzmann_nn.grid import NN_GRID
from boltzmann_nn.io.gr import read_gr
from boltzmann_nn.ml.serving.coverage import coverage_warnings, nearest_distance, pressure_range
from boltzmann_nn.ml.serving.predict import predict_potential, shipped_model


def _shipped():
    from boltzmann_nn.ml.serving.coverage import load_coverage

    model = shipped_model("inverse", "inverse")
    dom = model.card.domain
    return dom, load_coverage(model.card_path, dom["structure"]["sha256"])


def test_shipped_coverage_matches_its_checksum_and_holds_the_training_split():
    dom, arrays = _shipped()
    assert arrays is not None
    assert arrays["g"].shape == (dom["structure"]["n_reference"], NN_GRID.n)
    assert 0 < dom["structure"]["threshold"] < 1
    lo, hi = pressure_range(dom, 0.5)
    assert lo < 1 < hi  # an ordinary fluid's betaP/rho lies inside


def test_a_training_g_is_at_distance_zero_and_a_crystal_like_g_far_away():
    dom, arrays = _shipped()
    g0, rho0 = arrays["g"][7].astype(float), float(arrays["density"][7])
    assert nearest_distance(g0, rho0, arrays["g"], arrays["density"]) < 1e-3
    r = NN_GRID.r
    spikes = 1 + sum(8 * np.exp(-((r - c) / 0.05) ** 2) for c in (1.0, 1.41, 1.73, 2.0))
    crystal = np.where(r < 0.9, 0.0, spikes)
    msgs = coverage_warnings(dom, arrays, crystal, 1.0, 5.0)
    assert any("farther from every training g(r)" in m for m in msgs)
    assert coverage_warnings(dom, arrays, g0, rho0, 1.0) == []


def test_a_pressure_no_training_fluid_gave_is_flagged():
    dom, arrays = _shipped()
    lo, _ = pressure_range(dom, 0.55)
    msgs = coverage_warnings(dom, None, np.ones(NN_GRID.n), 0.55, lo - 10.0)
    assert len(msgs) == 1 and "virial pressure" in msgs[0]


def test_an_independent_lennard_jones_g_gets_no_domain_warning():
    rdf = read_gr(str(resources.files("boltzmann_nn.examples") / "lj_T2_rho0.512_gr.csv"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = predict_potential((rdf.r, rdf.g), 0.512)
    assert not [w for w in pred.warnings if "training" in w]
