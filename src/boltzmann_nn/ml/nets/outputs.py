"""How the networks' outputs become physical quantities, shared by the PyTorch heads
(:mod:`.heads`) and NumPy inference (:mod:`boltzmann_nn.ml.serving.numpy_nets`).

EOS networks: U(r) (and ρ) -> βP through one of the output heads of
:mod:`.eos_heads` (paper §3.1: ``P``, ``B2*``, ``Bn``; chosen by name from ``EOS_HEADS``),
which use the scales below.

Option ``b`` (any strategy) joins asinh(B2) of the exact B2 to the scalar inputs: the network
still outputs its own B2 (so deep wells, whose B2 no truncated series can use, do not break
it) but no longer has to learn the integral.

Inverse networks: Û = 10 · o, or with option ``e`` exp(−βÛ) = softplus(o), or with
option ``r`` Û = first guess + residual_scale · o (default RESIDUAL_SCALE), and with ``d``
besides Û = first guess + residual_scale · w · o, w the gate of :func:`residual_gate`.
"""

B_SCALE = 10.0
#: Option ``r``: the prior for B2 is B2_PRIOR_CAP · tanh(B2 / B2_PRIOR_CAP) [σ³] — the exact
#: B2 where it is ordinary, bounded where a deep well or a long-range repulsion makes it huge.
B2_PRIOR_CAP = 20.0
#: Option ``r`` of the inverse networks: k_BT per unit of network output added to the first
#: guess (the default of ``InverseConfig.residual_scale``; what older model cards used).
RESIDUAL_SCALE = 10.0

#: Option ``d``: ρσ³ from which the network's correction to the HNC inversion counts whole.
#: The bridge function that HNC leaves out is O(ρ²) (its density expansion starts at ρ²),
#: so the correction is weighed by min(1, (ρ/GATE_DENSITY)²) where g(r) informs.
GATE_DENSITY = 1.0
#: Option ``d``: where g(r) is below about this (the core, which g cannot see and HNC
#: inversion only extrapolates into) the correction counts whole at any density.
GATE_G = 0.02


def residual_gate(first_channel, density, exp, cap_at_one, u0_scale: float | None = None):
    """The weight w of option ``d`` per grid point, shape (n, 50):
    w = s + (1 − s) exp(−g / GATE_G), s = min(1, (ρ / GATE_DENSITY)²).

    Args:
        first_channel: The network's first input channel, shape (n, 50): g(r) on the
            network grid, or (``u0_scale`` given, option ``b``) U0 / u0_scale, U0 = −ln g.
        density: ρ, shape (n,).
        exp, cap_at_one: the array library's exp and min(·, 1) (PyTorch or NumPy).
        u0_scale: With option ``b``, the scale of the U0 channel (``tasks.features.U_SCALE``).
    """
    g = first_channel if u0_scale is None else exp(-u0_scale * first_channel)
    s = cap_at_one((density[:, None] / GATE_DENSITY) ** 2)
    return s + (1.0 - s) * exp(-g / GATE_G)
