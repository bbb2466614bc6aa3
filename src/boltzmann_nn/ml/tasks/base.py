"""What a task is: the protocol the pipeline (:mod:`boltzmann_nn.ml.pipeline.workflow`),
the model zoo and the command line rely on, and what the tasks' configurations share.

A task is one object (``TASK`` in its module, named in :mod:`.registry`) that holds all
that differs between the networks' jobs; everything else (cross-validation, the
hyperparameter search, final training, calibration of the ensemble spread, assessment,
model cards) is written once, in the pipeline.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Protocol

import numpy as np


class Task(Protocol):
    """The protocol of a network task.

    Attributes:
        name: The task's name: the CLI word (``train NAME``), the card's ``task``, the
            prefix of its files (``NAME_cv.jsonl``, ``NAME_assessment.md``).
        label: How logs and tables name it (``EOS``).
        config_cls: The configuration class (``from_dict``, ``as_dict``, ``name()``,
            ``flags``, ``arch``, ``options``).
        keys: Cross-validation metrics; ``keys[0]`` ranks the variants.
        search: Hyperparameter candidates per architecture (paper §2.1).
        shipped: The shipped configuration.
        cv_budget, final_budget: Training budgets of the study and of the final models.
        cv_figure: File name of the study's figure.
        baselines_key: Key of the baselines in the study's summary.
    """

    name: str
    label: str
    config_cls: type
    keys: tuple
    search: dict
    shipped: object
    cv_budget: object
    final_budget: object
    cv_figure: str
    baselines_key: str

    # --- configurations
    def search_config(self, arch): ...  # the variant the hyperparameter search trains
    def study_configs(self, best: dict, archs) -> list: ...  # the cross-validation grid
    def add_arguments(self, parser) -> None: ...  # task-specific ``train`` options
    def configure(self, cfg, args): ...  # ``cfg`` with those options applied

    # --- data
    def prepare(self, ds) -> None: ...  # precompute what workers should receive
    def inputs(self, ds, idx, cfg) -> dict: ...  # model inputs of dataset rows
    def target(self, ds, idx) -> np.ndarray: ...  # what the model predicts, from the dataset
    def batch(self, ds, idx, cfg) -> dict: ...  # inputs and training targets
    def training_batches(self, ds, idx, cfg, tcfg) -> list: ...  # one or more copies

    # --- networks (PyTorch for training; NumPy for serving)
    def build(self, cfg): ...
    def loss(self, cfg): ...  # ``(model, batch) -> scalar``
    def selection_loss(self, cfg): ...  # the validation loss that picks the kept epoch
    def predict(self, model, inputs) -> np.ndarray: ...
    def numpy_net(self, cfg, state: dict): ...  # an object with ``predict(inputs)``

    # --- measures
    def batch_metrics(self, batch, prediction) -> dict: ...
    def metrics(self, ds, idx, prediction) -> dict: ...
    def baselines(self, ds, idx) -> dict: ...
    def calibration_terms(self, ds, idx, members, k) -> tuple: ...  # (|error|, spread, per-sample)
    def evaluation(self, ds, idx, members, scale: float) -> tuple: ...  # (dict, markdown)
    def extra_metrics(self, ds, idx, cfg, models) -> dict: ...

    # --- reports and cards
    def cv_report(self, rows, baselines, out, archs) -> tuple: ...  # (table markdown, figure)
    def figures(self, ds, models, cfg, parts, rep_dir, name) -> tuple: ...  # (figures, extra)
    def card_fields(self, ds, cfg) -> dict: ...  # ``inputs``, ``domain``, …


class TaskConfig:
    """What the tasks' configurations share: a JSON round trip with a nested ``arch``."""

    def as_dict(self) -> dict:
        d = asdict(self)
        d["arch"] = self.arch.as_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict):
        from ..nets.architectures import ArchConfig

        return cls(**{**d, "arch": ArchConfig(**d["arch"])})


class TaskBase:
    """Defaults shared by the tasks."""

    name = ""

    def __reduce__(self):  # worker processes get the registered task, not a copy
        from .registry import get_task

        return get_task, (self.name,)

    def prepare(self, ds) -> None:
        """Nothing to precompute."""

    def extra_metrics(self, ds, idx, cfg, models) -> dict:
        return {}

    def selection_loss(self, cfg):
        """The training loss."""
        return self.loss(cfg)


def no_grad_numpy(model, fn):
    """``fn(torch, device)`` without gradients, as a float64 NumPy array."""
    import torch

    device = next(model.parameters()).device
    with torch.no_grad():
        return fn(torch, device).cpu().numpy().astype(float)
