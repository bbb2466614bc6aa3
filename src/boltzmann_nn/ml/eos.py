"""EOS task: data preparation, model building, training and prediction."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property

import numpy as np
import torch

from ..theory.virial import low_density_pressure
from .data import Arrays
from .features import eos_channels
from .heads import EOSNet
from .losses import relative_pressure_loss
from .metrics import eos_metrics
from .models import ArchConfig
from .options import EOSFlags
from .train import TrainConfig, fit


@dataclass(frozen=True)
class EOSConfig:
    """One EOS model: strategy × options × architecture (+ physics-informed variant)."""

    strategy: str = "Bn"
    options: str = "c"
    arch: ArchConfig = field(default_factory=ArchConfig)
    n_virial: int = 5
    exact_b2: bool = False

    @cached_property
    def flags(self) -> EOSFlags:
        """The option code, parsed once."""
        return EOSFlags.parse(self.options)

    def name(self) -> str:
        tag = f"{self.arch.arch}/{self.options} -> {self.strategy}"
        return tag + (f" (exact B2, n={self.n_virial})" if self.exact_b2 else "")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["arch"] = self.arch.as_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> EOSConfig:
        return cls(**{**d, "arch": ArchConfig(**d["arch"])})


def eos_inputs(u, f, density, b2, cfg: EOSConfig) -> dict:
    """Model inputs as numpy arrays (``x``, ``density``, ``b2``, ``p0``)."""
    density = np.asarray(density, float)
    b2 = np.asarray(b2, float)
    return {
        "x": eos_channels(u, f, cfg.flags),
        "density": density.astype(np.float32),
        "b2": b2.astype(np.float32),
        "p0": low_density_pressure(density, b2).astype(np.float32),
    }


def batch_of(ds: Arrays, idx, cfg: EOSConfig) -> dict:
    b = eos_inputs(ds.u[idx], ds.f[idx], ds.density[idx], ds.b2[idx], cfg)
    b["pressure"] = ds.pressure[idx].astype(np.float32)
    return b


def build(cfg: EOSConfig) -> EOSNet:
    return EOSNet(cfg.strategy, cfg.flags, cfg.arch, cfg.n_virial, cfg.exact_b2)


def loss_fn(model, batch):
    p_hat = model(batch["x"], batch["density"], batch.get("b2"), batch.get("p0"))
    return relative_pressure_loss(batch["pressure"], p_hat, batch["density"])


def predict(model, inputs: dict, device=None) -> np.ndarray:
    """βP for prepared inputs, shape (n,)."""
    device = device or next(model.parameters()).device
    with torch.no_grad():
        t = {k: torch.as_tensor(v, dtype=torch.float32, device=device) for k, v in inputs.items()}
        return model(t["x"], t["density"], t.get("b2"), t.get("p0")).cpu().numpy().astype(float)


def coefficients(model, inputs: dict) -> np.ndarray:
    """B2…Bn for ``Bn`` models, shape (n, n_virial − 1)."""
    device = next(model.parameters()).device
    with torch.no_grad():
        x = torch.as_tensor(inputs["x"], device=device)
        b2 = torch.as_tensor(inputs["b2"], device=device)
        return model.coefficients(x, b2).cpu().numpy().astype(float)


def train_eos(ds: Arrays, train_idx, val_idx, cfg: EOSConfig, tcfg: TrainConfig,
              progress: bool = False) -> tuple[EOSNet, dict]:
    """Train one EOS model; returns the model and a report with curves and metrics."""
    model = build(cfg)
    tr = batch_of(ds, train_idx, cfg)
    va = batch_of(ds, val_idx, cfg) if val_idx is not None and len(val_idx) else None
    hist = fit(model, loss_fn, tr, va, tcfg, progress=progress, desc=cfg.name())
    report = {"config": cfg.as_dict(), "train_config": tcfg.as_dict(), "history": hist,
              "train": eos_metrics(tr["pressure"], predict(model, _inputs(tr)), tr["density"])}
    if va is not None:
        report["validation"] = eos_metrics(va["pressure"], predict(model, _inputs(va)), va["density"])
    return model, report


def _inputs(batch):
    return {k: v for k, v in batch.items() if k != "pressure"}
