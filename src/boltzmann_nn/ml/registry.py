"""Network architectures by name (paper §2.1), without importing PyTorch.

Each entry names the branch module that encodes the input channels into a feature
vector. To add an architecture: write a ``torch.nn.Module`` taking ``(n_points, cfg)``
with an ``out_features`` attribute, and add one line here; ``--arch`` choices, the
cross-validation studies and :func:`boltzmann_nn.ml.models.make_branch` read this table.
"""

from __future__ import annotations

from importlib import import_module

#: name -> "module:Class"
ARCHITECTURES = {
    "DN": "boltzmann_nn.ml.models:DenseBranch",
    "CN": "boltzmann_nn.ml.models:ConvBranch",
    "UN": "boltzmann_nn.ml.models:UNetEncoder",
}


def architecture_names() -> list[str]:
    return list(ARCHITECTURES)


def architecture(name: str) -> type:
    """The branch class of architecture ``name``."""
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {name!r}; use one of {architecture_names()}")
    module, cls = ARCHITECTURES[name].split(":")
    return getattr(import_module(module), cls)
