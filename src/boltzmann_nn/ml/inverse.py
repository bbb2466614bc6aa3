"""Inverse task: g(r), ρ -> U(r) on the 50-point grid (paper §3.2)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property

import numpy as np
import torch

from ..grid import NN_GRID
from .data import Arrays
from .features import gr_on_grid, hnc_on_grid, inverse_channels, virial_weights
from .heads import RESIDUAL_SCALE, InverseNet
from .losses import potential_loss, pressure_consistency_loss
from .metrics import potential_metrics
from .models import ArchConfig
from .options import InverseFlags
from .train import TrainConfig, fit


@dataclass(frozen=True)
class InverseConfig:
    """One inverse model: options × architecture; the loss of Eq. 5 with ``f``."""

    options: str = "f"
    arch: ArchConfig = field(default_factory=lambda: ArchConfig(arch="CN"))
    basic_loss: str = "LE"
    alpha_laplace: float = 2.0
    alpha: float = 1.0
    alpha_pressure: float = 0.0  # weight of the pressure-consistency term (0: the paper's loss)
    noisy_copies: int = 0  # copies of the training g(r) with noise drawn from their block errors
    residual_scale: float = RESIDUAL_SCALE  # k_BT per unit network output, option r

    @cached_property
    def flags(self) -> InverseFlags:
        """The option code, parsed once."""
        return InverseFlags.parse(self.options)

    def name(self) -> str:
        name = f"{self.arch.arch}/{self.options}" + (f"+n{self.noisy_copies}" if self.noisy_copies else "")
        return name + (f"+s{self.residual_scale:g}" if self.residual_scale != RESIDUAL_SCALE else "")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["arch"] = self.arch.as_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> InverseConfig:
        return cls(**{**d, "arch": ArchConfig(**d["arch"])})


def uses_hnc(cfg: InverseConfig) -> bool:
    return cfg.flags.hnc_input


def inverse_inputs(g, density, cfg: InverseConfig, u_hnc=None) -> dict:
    """Model inputs: g on the network grid (n, 50), ρ (n,), and for option ``h`` the HNC
    inversion on the network grid (n, 50).
    """
    return {"x": inverse_channels(g, cfg.flags, u_hnc), "density": np.asarray(density, np.float32)}


def dataset_inputs(ds: Arrays, idx, cfg: InverseConfig) -> dict:
    return inverse_inputs(ds.g[idx], ds.density[idx], cfg, ds.hnc()[idx] if uses_hnc(cfg) else None)


def noisy_inputs(ds: Arrays, idx, cfg: InverseConfig, seed: int) -> dict:
    """Inputs from the runs' g(r) with Gaussian noise of each bin's block standard error
    added (floored at 0), the HNC channel recomputed from the noisy g: another draw of what
    a run of the same length could have measured.
    """
    if ds.g_err is None:
        raise ValueError(f"{ds.path}: the dataset has no g_err; noisy copies need it")
    rng = np.random.default_rng(seed)
    clean = ds.g_bins[idx]
    g_bins = np.maximum(clean + rng.normal(size=clean.shape) * ds.g_err[idx], 0.0)
    g = gr_on_grid(ds.g_r, g_bins, NN_GRID.r)
    u_hnc = hnc_on_grid(ds.g_r, g_bins, ds.density[idx], NN_GRID.r) if uses_hnc(cfg) else None
    return inverse_inputs(g, ds.density[idx], cfg, u_hnc)


def batch_of(ds: Arrays, idx, cfg: InverseConfig, noisy_seed: int | None = None) -> dict:
    b = dataset_inputs(ds, idx, cfg) if noisy_seed is None else noisy_inputs(ds, idx, cfg, noisy_seed)
    b["u"] = np.minimum(ds.u[idx], 1e4).astype(np.float32)
    if cfg.alpha_pressure > 0:
        b["p_weights"] = virial_weights(ds.g_r, ds.g_bins[idx], ds.density[idx], NN_GRID.r).astype(np.float32)
        b["p_scale"] = (np.abs(ds.pressure[idx]) + 0.1 * ds.density[idx]).astype(np.float32)
    return b


def build(cfg: InverseConfig) -> InverseNet:
    return InverseNet(cfg.flags, cfg.arch, cfg.residual_scale)


def make_loss(cfg: InverseConfig):
    force_terms = cfg.flags.force_loss

    def loss_fn(model, batch):
        u_hat = model(batch["x"], batch["density"])
        loss = potential_loss(batch["u"], u_hat, force_terms=force_terms, basic=cfg.basic_loss,
                              alpha_laplace=cfg.alpha_laplace, alpha=cfg.alpha)
        if cfg.alpha_pressure > 0:
            loss = loss + cfg.alpha_pressure * pressure_consistency_loss(
                batch["u"], u_hat, batch["p_weights"], batch["p_scale"], basic=cfg.basic_loss)
        return loss

    return loss_fn


def predict(model, inputs: dict) -> np.ndarray:
    """Û on the network grid, shape (n, 50) [k_BT]."""
    device = next(model.parameters()).device
    with torch.no_grad():
        x = torch.as_tensor(inputs["x"], dtype=torch.float32, device=device)
        rho = torch.as_tensor(inputs["density"], dtype=torch.float32, device=device)
        return model(x, rho).cpu().numpy().astype(float)


def train_inverse(ds: Arrays, train_idx, val_idx, cfg: InverseConfig, tcfg: TrainConfig,
                  progress: bool = False):
    model = build(cfg)
    tr = batch_of(ds, train_idx, cfg)
    copies = [tr] + [batch_of(ds, train_idx, cfg, noisy_seed=tcfg.seed * 1000 + k)
                     for k in range(cfg.noisy_copies)]
    va = batch_of(ds, val_idx, cfg) if val_idx is not None and len(val_idx) else None
    hist = fit(model, make_loss(cfg), copies, va, tcfg, progress=progress, desc=cfg.name())
    report = {"config": cfg.as_dict(), "train_config": tcfg.as_dict(), "history": hist,
              "train": potential_metrics(tr["u"], predict(model, tr))}
    if va is not None:
        report["validation"] = potential_metrics(va["u"], predict(model, va))
    return model, report
