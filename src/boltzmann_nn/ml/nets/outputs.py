"""How the networks' outputs become physical quantities, shared by the PyTorch heads
(:mod:`.heads`) and NumPy inference (:mod:`boltzmann_nn.ml.serving.numpy_nets`).

EOS networks: U(r) (and ρ) -> βP through one of three strategies (paper §3.1).

* ``P``:   βP = sinh(o(U, ρ[, P0])) — asinh-scaled because βP spans four decades
           (10⁻¹ to 10³ k_BT/σ³ in our data); a linear output learned far worse
* ``B2*``: βP = ρ + ρ² B2*(U, ρ[, P0]),   B2* = B_SCALE · o
* ``Bn``:  βP = ρ + Σ_{i=2}^{n} B_i ρ^i,    B_i = B_SCALE · o_i(U)  (density independent;
           the sum is a layer without parameters)
* ``Bn`` with ``exact_b2``: B2 is the exact value from the potential, the network learns
  only B3…Bn (the physics-informed variant).

Option ``r`` (``Bn``): B2 = B2_PRIOR_CAP·tanh(B2_exact/B2_PRIOR_CAP) + B_SCALE·o₂ — the
network corrects a physical prior instead of learning the integral from nothing.

Option ``b`` (any strategy) joins asinh(B2) of the exact B2 to the scalar inputs: the network
still outputs its own B2 (so deep wells, whose B2 no truncated series can use, do not break
it) but no longer has to learn the integral.

Inverse networks: Û = 10 · o, or with option ``e`` exp(−βÛ) = softplus(o), or with
option ``r`` Û = first guess + residual_scale · o (default RESIDUAL_SCALE).
"""

B_SCALE = 10.0
#: Option ``r``: the prior for B2 is B2_PRIOR_CAP · tanh(B2 / B2_PRIOR_CAP) [σ³] — the exact
#: B2 where it is ordinary, bounded where a deep well or a long-range repulsion makes it huge.
B2_PRIOR_CAP = 20.0
#: Option ``r`` of the inverse networks: k_BT per unit of network output added to the first
#: guess (the default of ``InverseConfig.residual_scale``; what older model cards used).
RESIDUAL_SCALE = 10.0
STRATEGIES = ("P", "B2*", "Bn")


def check_eos_head(strategy: str, flags, exact_b2: bool) -> None:
    """Raise ValueError for an EOS head that cannot be built (the options do not apply)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; use one of {STRATEGIES}")
    if strategy == "Bn" and flags.p0:
        raise ValueError("option i (P0 input) applies to the P and B2* strategies only")
    if exact_b2 and strategy != "Bn":
        raise ValueError("exact_b2 applies to the Bn strategy only")
    if flags.b2_residual and (strategy != "Bn" or exact_b2):
        raise ValueError("option r (B2 as a correction) applies to the Bn strategy without exact_b2")
