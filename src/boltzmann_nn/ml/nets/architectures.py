"""Network architectures by name (paper §2.1) and their hyperparameters, without PyTorch.

Each entry names the branch module that encodes the input channels into a feature
vector. To add an architecture: write a ``torch.nn.Module`` taking ``(n_points, cfg)``
with an ``out_features`` attribute, and add one line here; ``--arch`` choices, the
cross-validation studies and :func:`boltzmann_nn.ml.nets.models.make_branch` read this
table. (NumPy inference, :mod:`boltzmann_nn.ml.serving.numpy_nets`, knows DN, CN and UN.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from importlib import import_module

#: name -> "module:Class"
ARCHITECTURES = {
    "DN": "boltzmann_nn.ml.nets.models:DenseBranch",
    "CN": "boltzmann_nn.ml.nets.models:ConvBranch",
    "UN": "boltzmann_nn.ml.nets.models:UNetEncoder",
}


@dataclass(frozen=True)
class ArchConfig:
    """Hyperparameters of one architecture.

    Args:
        arch: ``DN``, ``CN`` or ``UN``.
        width: Units of the dense layers.
        depth: Dense layers (DN) or convolution blocks (CN) or U-Net levels (UN).
        filters: Convolution filters of the first block (doubled each level in UN).
        kernel: Convolution kernel size (odd).
        head_width: Units of the dense layers after the branches.
        head_depth: Number of those layers.
        activation: ``gelu``, ``relu``, ``tanh`` or ``softplus``.
    """

    arch: str = "CN"
    width: int = 128
    depth: int = 3
    filters: int = 16
    kernel: int = 5
    head_width: int = 128
    head_depth: int = 2
    activation: str = "gelu"

    def as_dict(self) -> dict:
        return asdict(self)


def architecture_names() -> list[str]:
    return list(ARCHITECTURES)


def architecture(name: str) -> type:
    """The branch class of architecture ``name``."""
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r}; use one of {architecture_names()}")
    module, cls = ARCHITECTURES[name].split(":")
    return getattr(import_module(module), cls)
