"""Dense (DN), convolutional (CN) and U-Net (UN) builders for 1-d radial inputs.

Every builder maps an input of shape (batch, channels, 50) to either a feature vector
(``Encoder``, for scalar heads) or a per-point output (``PointNet``, for potentials).
Multi-branch inputs (potential and force) are processed by identical but separate
branches and concatenated afterwards (paper Fig. 2).
"""

from __future__ import annotations

import torch
from torch import nn

from .architectures import ArchConfig, architecture

ACTIVATIONS = {"gelu": nn.GELU, "relu": nn.ReLU, "tanh": nn.Tanh, "softplus": nn.Softplus}


def _act(cfg):
    return ACTIVATIONS[cfg.activation]()


class DenseBranch(nn.Module):
    def __init__(self, n_points: int, cfg: ArchConfig):
        super().__init__()
        layers, size = [nn.Flatten()], n_points
        for _ in range(cfg.depth):
            layers += [nn.Linear(size, cfg.width), _act(cfg)]
            size = cfg.width
        self.net = nn.Sequential(*layers)
        self.out_features = size

    def forward(self, x):  # x: (b, 1, n)
        return self.net(x)


class ConvBranch(nn.Module):
    """Conv blocks (conv, activation) with stride-2 downsampling after each block."""

    def __init__(self, n_points: int, cfg: ArchConfig):
        super().__init__()
        layers, ch, n = [], 1, n_points
        for i in range(cfg.depth):
            out = cfg.filters * (2 ** min(i, 2))
            layers += [nn.Conv1d(ch, out, cfg.kernel, padding=cfg.kernel // 2), _act(cfg),
                       nn.Conv1d(out, out, 3, stride=2, padding=1), _act(cfg)]
            ch, n = out, (n + 1) // 2
        self.net = nn.Sequential(*layers, nn.Flatten())
        self.out_features = ch * n

    def forward(self, x):
        return self.net(x)


class UNetBranch(nn.Module):
    """1-d U-Net: encoder levels with downsampling, decoder with upsampling and skip
    concatenation (Ronneberger et al.); returns per-point features (b, C, n).
    """

    def __init__(self, in_ch: int, cfg: ArchConfig):
        super().__init__()
        k, p = cfg.kernel, cfg.kernel // 2
        chans = [cfg.filters * 2**i for i in range(cfg.depth + 1)]
        self.enc = nn.ModuleList()
        ch = in_ch
        for c in chans[:-1]:
            self.enc.append(nn.Sequential(nn.Conv1d(ch, c, k, padding=p), _act(cfg),
                                          nn.Conv1d(c, c, k, padding=p), _act(cfg)))
            ch = c
        self.pool = nn.MaxPool1d(2, ceil_mode=True)
        self.bottom = nn.Sequential(nn.Conv1d(ch, chans[-1], k, padding=p), _act(cfg))
        self.dec = nn.ModuleList()
        ch = chans[-1]
        for c in reversed(chans[:-1]):
            self.dec.append(nn.Sequential(nn.Conv1d(ch + c, c, k, padding=p), _act(cfg),
                                          nn.Conv1d(c, c, k, padding=p), _act(cfg)))
            ch = c
        self.out_channels = ch

    def forward(self, x):
        skips = []
        for block in self.enc:
            x = block(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottom(x)
        for block, skip in zip(self.dec, reversed(skips)):
            x = nn.functional.interpolate(x, size=skip.shape[-1], mode="linear", align_corners=False)
            x = block(torch.cat([x, skip], dim=1))
        return x


class UNetEncoder(nn.Module):
    """U-Net branch flattened to a feature vector (for scalar heads)."""

    def __init__(self, n_points: int, cfg: ArchConfig):
        super().__init__()
        self.unet = UNetBranch(1, cfg)
        self.reduce = nn.Conv1d(self.unet.out_channels, 4, 1)
        self.out_features = 4 * n_points

    def forward(self, x):
        return self.reduce(self.unet(x)).flatten(1)


def make_branch(n_points: int, cfg: ArchConfig) -> nn.Module:
    """The encoder branch of ``cfg.arch`` (see :mod:`boltzmann_nn.ml.nets.architectures`)."""
    return architecture(cfg.arch)(n_points, cfg)


def mlp(n_in: int, n_out: int, cfg: ArchConfig) -> nn.Sequential:
    layers, size = [], n_in
    for _ in range(cfg.head_depth):
        layers += [nn.Linear(size, cfg.head_width), _act(cfg)]
        size = cfg.head_width
    layers.append(nn.Linear(size, n_out))
    return nn.Sequential(*layers)


class Encoder(nn.Module):
    """One branch per input channel, concatenated, plus optional scalar extras
    (density, P0) joined after the branches; then a dense head to ``n_out`` numbers.

    Args:
        n_channels: Input channels (1, or 2 with a force branch).
        n_extra: Scalars concatenated after the branches.
        n_out: Outputs.
        cfg: Architecture.
        n_points: Grid points (50).
    """

    def __init__(self, n_channels: int, n_extra: int, n_out: int, cfg: ArchConfig, n_points: int = 50):
        super().__init__()
        self.branches = nn.ModuleList(make_branch(n_points, cfg) for _ in range(n_channels))
        n_feat = sum(b.out_features for b in self.branches) + n_extra
        self.head = mlp(n_feat, n_out, cfg)

    def forward(self, x, extra=None):
        feats = [b(x[:, i : i + 1]) for i, b in enumerate(self.branches)]
        if extra is not None:
            feats.append(extra)
        return self.head(torch.cat(feats, dim=1))


class PointNet(nn.Module):
    """Per-point output (b, n) from (b, c, n) plus scalar extras (density).

    DN and CN encode to a vector and decode with a dense layer to n points; UN keeps the
    grid and injects the extras as constant input channels.
    """

    def __init__(self, n_channels: int, n_extra: int, cfg: ArchConfig, n_points: int = 50):
        super().__init__()
        self.cfg = cfg
        if cfg.arch == "UN":
            self.unet = UNetBranch(n_channels + n_extra, cfg)
            self.out = nn.Conv1d(self.unet.out_channels, 1, 1)
        else:
            self.encoder = Encoder(n_channels, n_extra, n_points, cfg, n_points)

    def forward(self, x, extra=None):
        if self.cfg.arch == "UN":
            if extra is not None:
                x = torch.cat([x, extra[:, :, None].expand(-1, -1, x.shape[-1])], dim=1)
            return self.out(self.unet(x))[:, 0]
        return self.encoder(x, extra)


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
