"""The networks' tasks by name, without importing them until asked for.

To add a task: write a module with a ``TASK`` object that follows
:class:`~boltzmann_nn.ml.tasks.base.Task` and add one line here; ``train`` and
``evaluate`` offer it, the pipeline trains, assesses and ships it, and the zoo loads its
models by the card's ``task``.
"""

from __future__ import annotations

from importlib import import_module

#: name -> "module:attribute"
TASKS = {
    "eos": "boltzmann_nn.ml.tasks.eos:TASK",
    "inverse": "boltzmann_nn.ml.tasks.inverse:TASK",
}


def task_names() -> list[str]:
    return list(TASKS)


def get_task(name: str):
    """The task registered as ``name``."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; use one of {task_names()}")
    module, attr = TASKS[name].split(":")
    return getattr(import_module(module), attr)
