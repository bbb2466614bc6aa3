"""A stand-in MD engine for refinement tests: g(r) from the HNC closure of the tabulated
potential, with the noise of a histogram (σ ∝ √g / r, shrinking as 1/√steps) drawn from
the run's seed. In this world the HNC Jacobian is exact, which the tests use.
"""

import math
import time

import numpy as np

from boltzmann_nn.engines.base import SimulationResult
from boltzmann_nn.theory.oz import OZSolver

#: Noise amplitude c in σ(r) = c √g / r at 20,000 steps (about that of MD with 1000 particles).
NOISE_C = 2e-3
#: Seconds each run sleeps (so that a test can kill a refinement during a run).
DELAY = 0.0


def hnc_gr(potential, density, r):
    res = OZSolver("hnc", n=2048, dr=0.01, ramp=4).solve(potential, density)
    return np.interp(r, res.r, res.g), res.pressure_virial


def noisy_gr(potential, density, r, steps, seed):
    g, p = hnc_gr(potential, density, r)
    err = NOISE_C * np.sqrt(np.maximum(g, 0.0)) / r * math.sqrt(20000 / steps)
    noise = np.random.default_rng(seed).normal(size=r.size) * err
    return np.maximum(g + noise, 0.0), err, p


class HNCEngine:
    name = "hnc-test"

    def run(self, potential, state, progress=None, sampler=None, early_stop=True):
        if DELAY:
            time.sleep(DELAY)
        dr = state.rdf_rmax / state.rdf_bins
        r = (np.arange(state.rdf_bins) + 0.5) * dr
        g, err, p = noisy_gr(potential, state.density, r, state.steps, state.seed)
        return SimulationResult(ok=True, pressure=p, pressure_err=0.0, r=r, g=g, g_err=err,
                                flags={"kept": True, "reasons": []}, wall_s=0.01,
                                settings={"steps": state.steps})


def register():
    from boltzmann_nn.engines import registry

    registry.ENGINES["hnc-test"] = "tests.hnc_engine:HNCEngine"
