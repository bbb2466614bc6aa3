"""The second generator: random members of the potential families scientists use.

Beside the paper's random splines (:mod:`boltzmann_nn.potentials.random`), a campaign can
draw potentials from these families, each with random parameters (units σ, k_BT; all
ranges uniform unless "log" says log-uniform):

============  =====================================================================
family        terms and parameter ranges
============  =====================================================================
``lj``        Mie n–m: n = 12 (40 %) or in {8…18}, m = 6 (50 %) or in {4…min(7, n−2)},
              ε ∈ [0.1, 1.2], σ ∈ [0.85, 1.15], r_cut ∈ [1.5σ, 5], shifted or not (50 %)
``morse``     ε ∈ [0.2, 1.5], α ∈ [2.5, 8] σ⁻¹, r₀ ∈ [0.9, 1.5], r_cut = r₀ + [2.5, 6]/α
``yukawa``    screened Coulomb, κ ∈ [0.5, 5], r_cut = 1 + [4, 10]/κ: repulsive
              (75 %, ε ∈ log[0.5, 30], half of them with a WCA core) or attractive
              (ε ∈ −[0.2, 1.5], always with a WCA core)
``soft``      ε(σ/r)ⁿ, n ∈ [4, 18], σ ∈ [0.7, 1.3], r_cut ∈ [1.5σ, 5]
``gauss``     Gaussian core, ε ∈ log[0.5, 20], σ ∈ [0.7, 1.5], r_cut = [2.5, 3.5]σ
``hertz``     ε ∈ log[2, 60], σ ∈ [0.8, 1.5], r_cut = σ
``shoulder``  WCA core + smoothed square shoulder or well: ε ∈ [−1.5, 3] (|ε| ≥ 0.3),
              λ ∈ [1.15, 2.5], w ∈ [0.02, 0.15], r_cut = λ + 8w
``ramp``      WCA core + smoothed linear ramp: ε ∈ [0.5, 4], λ ∈ [1.3, 2.5],
              w ∈ [0.03, 0.15], r_cut = λ + 10w
``wca_well``  WCA core + Gaussian well: ε ∈ [0.2, 2], r₀ ∈ [1, 2.5], w ∈ [0.1, 0.6],
              r_cut = r₀ + 3.5w
``sum``       the terms of two different families above, added
``penetrable`` no core, U(0) finite (penetrable spheres): a smoothed square shoulder
              (70 %, r_cut = λ + 8w) or a linear ramp from U(0) = ε to 0 at λ
              (30 %, r_cut = λ + 10w); ε ∈ log[0.5, 5], λ ∈ [0.8, 2], w ∈ [0.02, 0.15]
============  =====================================================================

Every cutoff is capped at 5σ (the network grid ends there) and every term is shifted to
U(r_cut) = 0 unless said otherwise. A potential is fully determined by ``(family, seed)``:
the draws come from ``numpy.random.default_rng(seed)`` (PCG64) in the order written in
each function below, so a stored campaign record rebuilds the same potential.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .base import NamedPotential
from .composite import CompositePotential

R_CUT_MAX = 5.0


def _log_uniform(rng, lo, hi):
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _cut(r):
    return float(min(R_CUT_MAX, r))


def _wca():
    return NamedPotential("wca")


def _lj(rng):
    n = 12.0 if rng.random() < 0.4 else float(rng.integers(8, 19))
    m = 6.0 if rng.random() < 0.5 else float(rng.integers(4, int(min(7, n - 2)) + 1))
    eps = rng.uniform(0.1, 1.2)
    sig = rng.uniform(0.85, 1.15)
    r_cut = _cut(rng.uniform(1.5 * sig, R_CUT_MAX))
    shift = bool(rng.random() < 0.5)
    return [NamedPotential("mie", {"epsilon": eps, "sigma": sig, "n": n, "m": m}, r_cut, shift)]


def _morse(rng):
    eps = rng.uniform(0.2, 1.5)
    alpha = rng.uniform(2.5, 8.0)
    r0 = rng.uniform(0.9, 1.5)
    r_cut = _cut(r0 + rng.uniform(2.5, 6.0) / alpha)
    return [NamedPotential("morse", {"epsilon": eps, "alpha": alpha, "r0": r0}, r_cut)]


def _yukawa(rng):
    kappa = rng.uniform(0.5, 5.0)
    r_cut = _cut(1.0 + rng.uniform(4.0, 10.0) / kappa)
    if rng.random() < 0.75:
        eps = _log_uniform(rng, 0.5, 30.0)
        core = bool(rng.random() < 0.5)
    else:
        eps = -rng.uniform(0.2, 1.5)
        core = True
    terms = [NamedPotential("yukawa", {"epsilon": eps, "kappa": kappa, "sigma": 1.0}, r_cut)]
    return terms + [_wca()] if core else terms


def _soft(rng):
    n = rng.uniform(4.0, 18.0)
    sig = rng.uniform(0.7, 1.3)
    r_cut = _cut(rng.uniform(1.5 * sig, R_CUT_MAX))
    return [NamedPotential("soft", {"epsilon": 1.0, "sigma": sig, "n": n}, r_cut)]


def _gauss(rng):
    eps = _log_uniform(rng, 0.5, 20.0)
    sig = rng.uniform(0.7, 1.5)
    r_cut = _cut(sig * rng.uniform(2.5, 3.5))
    return [NamedPotential("gauss", {"epsilon": eps, "sigma": sig}, r_cut)]


def _hertz(rng):
    eps = _log_uniform(rng, 2.0, 60.0)
    sig = rng.uniform(0.8, 1.5)
    return [NamedPotential("hertz", {"epsilon": eps, "sigma": sig}, sig)]


def _shoulder(rng):
    eps = rng.uniform(0.3, 3.0) if rng.random() < 0.7 else -rng.uniform(0.3, 1.5)
    lam = rng.uniform(1.15, 2.5)
    w = rng.uniform(0.02, 0.15)
    return [_wca(), NamedPotential("shoulder", {"epsilon": eps, "radius": lam, "width": w},
                                   _cut(lam + 8.0 * w))]


def _ramp(rng):
    eps = rng.uniform(0.5, 4.0)
    lam = rng.uniform(1.3, 2.5)
    w = rng.uniform(0.03, 0.15)
    return [_wca(), NamedPotential("ramp", {"epsilon": eps, "radius": lam, "sigma": 1.0, "width": w},
                                   _cut(lam + 10.0 * w))]


def _wca_well(rng):
    eps = rng.uniform(0.2, 2.0)
    r0 = rng.uniform(1.0, 2.5)
    w = rng.uniform(0.1, 0.6)
    return [_wca(), NamedPotential("gausswell", {"epsilon": eps, "r0": r0, "width": w},
                                   _cut(r0 + 3.5 * w))]


_SIMPLE = {"lj": _lj, "morse": _morse, "yukawa": _yukawa, "soft": _soft, "gauss": _gauss,
           "hertz": _hertz, "shoulder": _shoulder, "ramp": _ramp, "wca_well": _wca_well}


def _sum(rng):
    names = sorted(_SIMPLE)
    a, b = rng.choice(len(names), size=2, replace=False)
    terms = _SIMPLE[names[a]](rng) + _SIMPLE[names[b]](rng)
    # one WCA core is enough
    wca_terms = [t for t in terms if t.name == "wca"]
    return [t for t in terms if t.name != "wca"] + wca_terms[:1]


def _penetrable(rng):
    eps = _log_uniform(rng, 0.5, 5.0)
    lam = rng.uniform(0.8, 2.0)
    w = rng.uniform(0.02, 0.15)
    if rng.random() < 0.7:
        return [NamedPotential("shoulder", {"epsilon": eps, "radius": lam, "width": w}, _cut(lam + 8.0 * w))]
    # the ramp through U(λ/2) = ε/2: U(0) = ε
    return [NamedPotential("ramp", {"epsilon": eps / 2, "radius": lam, "sigma": lam / 2, "width": w},
                           _cut(lam + 10.0 * w))]


#: family name -> draw(rng) -> list of NamedPotential terms. ``sum`` draws from ``_SIMPLE``
#: only, so that families added later never change a stored sum potential.
FAMILIES = {**_SIMPLE, "sum": _sum, "penetrable": _penetrable}


def family_potential(family: str, seed: int) -> CompositePotential:
    """The potential of ``family`` drawn with ``seed`` (see the module table)."""
    if family not in FAMILIES:
        raise InputError(f"unknown potential family {family!r}; known: {sorted(FAMILIES)}")
    rng = np.random.default_rng(int(seed))
    terms = FAMILIES[family](rng)
    return CompositePotential(terms, name=f"{family}-{int(seed)}",
                              origin={"family": family, "seed": int(seed)})
