"""Radial grids shared by potentials, g(r), Ornstein–Zernike and the networks.

The network grid is 50 evenly spaced points on [0, 5σ] (paper §2.2), spacing 5/49 σ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InputError

NN_POINTS = 50
NN_RMAX = 5.0


@dataclass(frozen=True)
class Grid:
    """An evenly spaced radial grid.

    Args:
        r_min: First point [σ].
        r_max: Last point [σ].
        n: Number of points.
    """

    r_min: float
    r_max: float
    n: int

    def __post_init__(self):
        if self.n < 2 or not (self.r_max > self.r_min >= 0):
            raise InputError(f"bad grid: need n >= 2 and 0 <= r_min < r_max, got {self}")

    @property
    def r(self) -> np.ndarray:
        """Grid points, shape (n,) [σ]."""
        return np.linspace(self.r_min, self.r_max, self.n)

    @property
    def dr(self) -> float:
        return (self.r_max - self.r_min) / (self.n - 1)


#: The network grid: 50 points on [0, 5σ].
NN_GRID = Grid(0.0, NN_RMAX, NN_POINTS)


def resample(r: np.ndarray, y: np.ndarray, r_new: np.ndarray, *, fill_right: float | None = None):
    """Linear interpolation of y(r) onto r_new.

    Args:
        r: Sorted source points, shape (n,).
        y: Values, shape (n,) or (..., n).
        r_new: Target points, shape (m,).
        fill_right: Value beyond r[-1]; None means r_new must lie inside [r[0], r[-1]].

    Returns:
        Values at r_new, shape (m,) or (..., m).
    """
    r = np.asarray(r, float)
    r_new = np.asarray(r_new, float)
    if fill_right is None and (r_new[-1] > r[-1] + 1e-9 or r_new[0] < r[0] - 1e-9):
        raise InputError(
            f"data cover r in [{r[0]:.4g}, {r[-1]:.4g}] but [{r_new[0]:.4g}, {r_new[-1]:.4g}] is needed"
        )
    y = np.asarray(y, float)
    right = np.nan if fill_right is None else fill_right
    if y.ndim == 1:
        return np.interp(r_new, r, y, right=right)
    flat = y.reshape(-1, y.shape[-1])
    out = np.stack([np.interp(r_new, r, row, right=right) for row in flat])
    return out.reshape(*y.shape[:-1], r_new.size)
