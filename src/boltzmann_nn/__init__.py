"""boltzmann-nn: pair potentials, fluid structure and equations of state.

Reduced units throughout (see :mod:`boltzmann_nn.units`): lengths in σ, energies in
k_BT, pressure in k_BT/σ³.
"""

__all__ = ["__version__"]


def __getattr__(name: str):
    """``__version__``, read from the installed metadata when first asked for (reading it
    costs start-up time to every command that never prints it).
    """
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("boltzmann-nn")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        value = "0.0.0"
    globals()["__version__"] = value
    return value
