"""A small, seeded training loop (Adam, full batch or mini-batches, cosine decay).

PyTorch is imported when a function here runs, so that a task can name its training
budget (:class:`TrainConfig`) without importing it.
"""

from __future__ import annotations

import math
import random
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class TrainConfig:
    """Args:
    epochs: Passes over the training data.
    lr: Initial Adam learning rate (paper: 10⁻³).
    lr_final: Learning rate at the end of a cosine decay (= lr: constant).
    batch_size: Mini-batch size; 0 = full batch.
    weight_decay: Adam weight decay.
    seed: Seed of initial weights and batch order.
    device: ``auto`` (CUDA when present), ``cpu`` or ``cuda``.
    eval_every: Epochs between recorded losses.
    keep_best: Restore the weights of the best validation loss at the end (else the
        final weights are kept, so that validation metrics stay unbiased).
    """

    epochs: int = 2000
    lr: float = 1e-3
    lr_final: float = 1e-5
    batch_size: int = 0
    weight_decay: float = 0.0
    seed: int = 0
    device: str = "auto"
    eval_every: int = 20
    keep_best: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def pick_device(name: str = "auto"):
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def to_tensors(batch: dict, device) -> dict:
    import torch

    return {k: torch.as_tensor(v, dtype=torch.float32, device=device) for k, v in batch.items()}


def fit(model, loss_fn, train: dict | list[dict], val: dict | None, cfg: TrainConfig,
        progress: bool = False, desc: str = "train", val_loss_fn=None) -> dict:
    """Train ``model`` with ``loss_fn(model, batch) -> scalar``.

    Args:
        train: Tensors (numpy arrays) of the training set, first axis = samples; or a list
            of such sets of the same samples (augmented copies), epoch e using copy e mod k.
        val_loss_fn: The validation loss (default ``loss_fn``), which picks the best epoch.
        val: Same for validation, or None.

    Returns:
        History: ``epochs``, ``train_loss``, ``val_loss`` (lists), ``best_epoch``, ``seconds``.
    """
    import torch

    seed_everything(cfg.seed)
    device = pick_device(cfg.device)
    model.to(device)
    copies = [to_tensors(t, device) for t in (train if isinstance(train, list) else [train])]
    va = to_tensors(val, device) if val else None
    n = next(iter(copies[0].values())).shape[0]
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    schedule = None
    if cfg.lr > 0 and cfg.lr_final != cfg.lr:
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs, eta_min=cfg.lr_final)

    hist = {"epochs": [], "train_loss": [], "val_loss": [], "best_epoch": -1}
    best, best_state = math.inf, None
    gen = torch.Generator(device="cpu").manual_seed(cfg.seed)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=cfg.epochs, desc=desc, file=sys.stderr, leave=False, mininterval=1.0)
    t0 = time.perf_counter()
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        tr = copies[epoch % len(copies)]
        if cfg.batch_size and cfg.batch_size < n:
            order = torch.randperm(n, generator=gen).to(device)
            batches = [order[i : i + cfg.batch_size] for i in range(0, n, cfg.batch_size)]
        else:
            batches = [None]
        total = 0.0
        for idx in batches:
            batch = tr if idx is None else {k: v[idx] for k, v in tr.items()}
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model, batch)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * (1 if idx is None else idx.numel() / n)
        if schedule is not None:
            schedule.step()
        if epoch % cfg.eval_every == 0 or epoch == cfg.epochs:
            hist["epochs"].append(epoch)
            hist["train_loss"].append(total)
            if va is not None:
                model.eval()
                with torch.no_grad():
                    vloss = float((val_loss_fn or loss_fn)(model, va))
                hist["val_loss"].append(vloss)
                if vloss < best:
                    best, hist["best_epoch"] = vloss, epoch
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            if bar is not None:
                bar.set_postfix(loss=f"{total:.3g}")
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    if best_state is not None and cfg.keep_best:
        model.load_state_dict(best_state)
    model.eval()
    hist["seconds"] = time.perf_counter() - t0
    hist["device"] = str(device)
    return hist
