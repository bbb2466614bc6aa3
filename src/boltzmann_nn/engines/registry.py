"""Engines by name: ``get_engine("lammps")``, ``get_engine("openmm", platform="CUDA")``.

To add an engine: write a module with a class that has ``name``, ``version()``,
``settings()``, ``failure_reason(exc)`` and ``open(potential, state, n, box, workdir)``
returning a session (:mod:`boltzmann_nn.engines.protocol`), give it
``run = run_protocol`` semantics, and add one line to :data:`ENGINES`. The CLI's
``--engine`` choices and campaign specs read this table.
"""

from __future__ import annotations

from importlib import import_module

from ..errors import InputError

#: name -> "module:Class" (imported on first use, so an engine's library is optional)
ENGINES = {
    "lammps": "boltzmann_nn.engines.lammps:LammpsEngine",
    "openmm": "boltzmann_nn.engines.openmm:OpenMMEngine",
}
DEFAULT_ENGINE = "lammps"


def engine_names() -> list[str]:
    return sorted(ENGINES)


def get_engine(name: str = DEFAULT_ENGINE, **options):
    """An engine instance by name, with its options (e.g. ``table_points``)."""
    if name not in ENGINES:
        raise InputError(f"unknown engine {name!r}; known: {engine_names()}")
    module, cls = ENGINES[name].split(":")
    return getattr(import_module(module), cls)(**options)
