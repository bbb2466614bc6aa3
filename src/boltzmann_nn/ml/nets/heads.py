"""PyTorch heads of the two tasks: :class:`EOSNet` (U(r), ρ -> βP) and :class:`InverseNet`
(g(r), ρ -> Û(r)). What the EOS outputs mean (strategies, option ``r``) is in
:mod:`boltzmann_nn.ml.nets.eos_heads`, the scales in :mod:`boltzmann_nn.ml.nets.outputs`,
both shared with NumPy inference.
"""

from __future__ import annotations

import torch
from torch import nn

from ..tasks.features import U_SCALE
from ..tasks.options import EOSFlags, InverseFlags
from .architectures import ArchConfig
from .eos_heads import ArrayOps, eos_head
from .models import Encoder
from .outputs import RESIDUAL_SCALE, residual_gate

#: The array namespace the EOS heads compute with (:class:`.eos_heads.ArrayOps`).
TORCH_OPS = ArrayOps(concat=torch.cat, stack=torch.stack, sum=torch.sum, sinh=torch.sinh, tanh=torch.tanh,
                     asinh=torch.asinh)


class EOSNet(nn.Module):
    """U(r) (and ρ) -> βP through the output head named ``strategy`` (:mod:`.eos_heads`).

    Args:
        strategy: A key of ``EOS_HEADS`` (``P``, ``B2*``, ``Bn``).
        opts: The options (:class:`~boltzmann_nn.ml.tasks.options.EOSFlags`; the head says
            which apply).
        cfg: Architecture.
        n_virial: Highest virial coefficient for ``Bn`` (paper: 5).
        exact_b2: Use the exact B2 (heads that support it: ``Bn``).
    """

    def __init__(self, strategy: str, opts: EOSFlags, cfg: ArchConfig, n_virial: int = 5,
                 exact_b2: bool = False):
        super().__init__()
        self.head = eos_head(strategy, opts, exact_b2)
        self.strategy, self.options, self.n_virial, self.exact_b2 = strategy, opts.code, n_virial, exact_b2
        self.flags = opts
        n_channels = 2 if opts.force else 1
        n_out = self.head.n_outputs(n_virial, exact_b2)
        self.encoder = Encoder(n_channels, self.head.n_scalar_inputs(opts), n_out, cfg)

    def _outputs(self, x, density, b2, p0):
        return self.encoder(x, self.head.scalar_inputs(TORCH_OPS, self.flags, density, b2, p0))

    def coefficients(self, x, b2=None):
        """Virial coefficients B2…Bn, shape (b, n−1) (heads with coefficients: ``Bn``)."""
        if not self.head.has_coefficients:
            raise ValueError(f"the {self.strategy} strategy has no virial coefficients")
        return self.head.coefficients(TORCH_OPS, self._outputs(x, None, b2, None), b2, self.flags,
                                      self.exact_b2)

    def forward(self, x, density, b2=None, p0=None):
        """βP, shape (b,).

        Args:
            x: Input channels, shape (b, c, 50).
            density: ρ, shape (b,).
            b2: Exact B2, shape (b,) (for ``exact_b2`` and options ``b``, ``r``).
            p0: βP0, shape (b,) (for option ``i``).
        """
        o = self._outputs(x, density, b2, p0)
        return self.head.pressure(TORCH_OPS, o, density, b2, self.flags, self.exact_b2)


class InverseNet(nn.Module):
    """g(r) (or U0) and ρ -> Û(r) on the 50-point grid (paper §3.2).

    With option ``e`` the network outputs y = exp(−βÛ) ≥ 0 (softplus) and Û = −ln y. With
    option ``r`` Û = first guess + ``residual_scale`` · o: a small scale lets the network
    leave a good first guess nearly untouched instead of cancelling its own output noise;
    with ``d`` the correction is weighed by :func:`.outputs.residual_gate`.
    """

    def __init__(self, opts: InverseFlags, cfg: ArchConfig, residual_scale: float = RESIDUAL_SCALE):
        super().__init__()
        from .models import PointNet

        self.options = opts.code
        self.exp_output = opts.exp_output
        # channel holding the first guess (scaled by U_SCALE) for the residual option
        self.base_channel = None if not opts.residual else (1 if opts.hnc_input else 0)
        self.residual_scale = residual_scale
        self.density_gate = opts.density_gate
        self.u0_scale = U_SCALE if opts.boltzmann_input else None  # option b: the first channel is U0
        self.net = PointNet(2 if opts.hnc_input else 1, 1, cfg)

    def forward(self, x, density):
        o = self.net(x, density[:, None])
        if self.exp_output:
            y = nn.functional.softplus(o) + 1e-12
            return -torch.log(y)
        if self.base_channel is not None:
            if self.density_gate:
                o = o * residual_gate(x[:, 0], density, torch.exp, lambda a: torch.clamp(a, max=1.0),
                                      self.u0_scale)
            return U_SCALE * x[:, self.base_channel] + self.residual_scale * o
        return 10.0 * o
