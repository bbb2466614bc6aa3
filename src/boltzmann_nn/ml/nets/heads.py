"""PyTorch heads of the two tasks: :class:`EOSNet` (U(r), ρ -> βP) and :class:`InverseNet`
(g(r), ρ -> Û(r)). What their outputs mean (strategies, scales, option ``r`` and ``b``) is
in :mod:`boltzmann_nn.ml.nets.outputs`, shared with NumPy inference.
"""

from __future__ import annotations

import torch
from torch import nn

from ..tasks.features import U_SCALE
from ..tasks.options import EOSFlags, InverseFlags
from .architectures import ArchConfig
from .models import Encoder
from .outputs import B2_PRIOR_CAP, B_SCALE, RESIDUAL_SCALE, check_eos_head


class EOSNet(nn.Module):
    """Args:
    strategy: ``P``, ``B2*`` or ``Bn``.
    opts: The options (:class:`~boltzmann_nn.ml.tasks.options.EOSFlags`; ``i`` only for P, B2*).
    cfg: Architecture.
    n_virial: Highest virial coefficient for ``Bn`` (paper: 5).
    exact_b2: Use the exact B2 (``Bn`` only).
    """

    def __init__(self, strategy: str, opts: EOSFlags, cfg: ArchConfig, n_virial: int = 5,
                 exact_b2: bool = False):
        super().__init__()
        check_eos_head(strategy, opts, exact_b2)
        self.strategy, self.options, self.n_virial, self.exact_b2 = strategy, opts.code, n_virial, exact_b2
        n_channels = 2 if opts.force else 1
        self.use_p0 = opts.p0
        self.use_b2 = opts.b2_input
        self.b2_residual = opts.b2_residual
        if strategy == "Bn":
            n_extra, n_out = 0, n_virial - (2 if exact_b2 else 1)
        else:
            n_extra, n_out = 1 + int(self.use_p0), 1
        self.encoder = Encoder(n_channels, n_extra + int(self.use_b2), n_out, cfg)

    def _b2_extra(self, b2):
        return [torch.asinh(b2[:, None])] if self.use_b2 else []

    def coefficients(self, x, b2=None):
        """Virial coefficients B2…Bn, shape (b, n−1) (``Bn`` strategy)."""
        extra = self._b2_extra(b2)
        out = B_SCALE * self.encoder(x, torch.cat(extra, dim=1) if extra else None)
        if self.exact_b2:
            out = torch.cat([b2[:, None], out], dim=1)
        elif self.b2_residual:
            prior = B2_PRIOR_CAP * torch.tanh(b2 / B2_PRIOR_CAP)
            out = torch.cat([out[:, :1] + prior[:, None], out[:, 1:]], dim=1)
        return out

    def forward(self, x, density, b2=None, p0=None):
        """βP, shape (b,).

        Args:
            x: Input channels, shape (b, c, 50).
            density: ρ, shape (b,).
            b2: Exact B2, shape (b,) (for ``exact_b2``).
            p0: βP0, shape (b,) (for option ``i``).
        """
        if self.strategy == "Bn":
            coef = self.coefficients(x, b2)
            powers = torch.stack([density**i for i in range(2, self.n_virial + 1)], dim=1)
            return density + (coef * powers).sum(dim=1)
        extra = [density[:, None]]
        if self.use_p0:
            # βP0 spans ±10⁵ (deep wells make B2 hugely negative): asinh-compressed
            extra.append(torch.asinh(p0[:, None]))
        extra += self._b2_extra(b2)
        o = self.encoder(x, torch.cat(extra, dim=1))[:, 0]
        if self.strategy == "P":
            return torch.sinh(o)
        return density + density**2 * B_SCALE * o


class InverseNet(nn.Module):
    """g(r) (or U0) and ρ -> Û(r) on the 50-point grid (paper §3.2).

    With option ``e`` the network outputs y = exp(−βÛ) ≥ 0 (softplus) and Û = −ln y. With
    option ``r`` Û = first guess + ``residual_scale`` · o: a small scale lets the network
    leave a good first guess nearly untouched instead of cancelling its own output noise.
    """

    def __init__(self, opts: InverseFlags, cfg: ArchConfig, residual_scale: float = RESIDUAL_SCALE):
        super().__init__()
        from .models import PointNet

        self.options = opts.code
        self.exp_output = opts.exp_output
        # channel holding the first guess (scaled by U_SCALE) for the residual option
        self.base_channel = None if not opts.residual else (1 if opts.hnc_input else 0)
        self.residual_scale = residual_scale
        self.net = PointNet(2 if opts.hnc_input else 1, 1, cfg)

    def forward(self, x, density):
        o = self.net(x, density[:, None])
        if self.exp_output:
            y = nn.functional.softplus(o) + 1e-12
            return -torch.log(y)
        if self.base_channel is not None:
            return U_SCALE * x[:, self.base_channel] + self.residual_scale * o
        return 10.0 * o
