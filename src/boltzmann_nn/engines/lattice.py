"""Start configurations shared by the engines."""

from __future__ import annotations

import math

import numpy as np


def initial_positions(n: int, box: float, seed: int) -> np.ndarray:
    """Overlap-free start: N of the sites of the smallest simple cubic lattice that holds
    N, chosen at random (seeded), shape (N, 3) [σ].
    """
    side = math.ceil(n ** (1.0 / 3.0) - 1e-9)
    a = box / side
    grid = np.stack(np.meshgrid(*[np.arange(side)] * 3, indexing="ij"), -1).reshape(-1, 3)
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(grid.shape[0], n, replace=False))
    return (grid[pick] + 0.5) * a


def start_positions(n: int, box: float, seed: int, start=None) -> np.ndarray:
    """``start`` (positions [σ], wrapped into the box) where it holds N positions, else the
    seeded lattice start (:func:`initial_positions`).
    """
    if start is not None:
        start = np.asarray(start, float)
        if start.shape == (n, 3) and np.all(np.isfinite(start)):
            return np.mod(start, box)
    return initial_positions(n, box, seed)
