"""How the networks' outputs become physical quantities, shared by the PyTorch heads
(:mod:`.heads`) and NumPy inference (:mod:`boltzmann_nn.ml.serving.numpy_nets`).

EOS networks: U(r) (and ρ) -> βP through one of the output heads of
:mod:`.eos_heads` (paper §3.1: ``P``, ``B2*``, ``Bn``; chosen by name from ``EOS_HEADS``),
which use the scales below.

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
