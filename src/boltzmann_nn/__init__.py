"""boltzmann-nn: pair potentials, fluid structure and equations of state.

Reduced units throughout (see :mod:`boltzmann_nn.units`): lengths in σ, energies in
k_BT, pressure in k_BT/σ³.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("boltzmann-nn")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
