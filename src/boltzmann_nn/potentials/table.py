"""Tabulated pair potentials and the transforms the networks use."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..grid import NN_GRID, Grid
from ..io.potential_files import read_table_columns
from ..io.text import check_finite, check_grid
from ..units import U_CUT

#: Relative tolerance of the F ≈ −dU/dr check (against the table's own spacing).
FORCE_RTOL = 0.05
#: Most rows :meth:`PairTable.even_in_rsq` writes.
MAX_RSQ_ROWS = 20000
#: Where U < U_cut, the r² grid's spacing is at most the table's divided by this (LAMMPS
#: interpolates linearly between rows: finer rows keep it on the table's curve).
RSQ_REFINE = 4
#: Largest first point of a table that is extrapolated down to r = 0 [σ].
R_EXTRAPOLATE_TO_ZERO = 0.05


def tabulate(potential, n: int = 4000, r_min: float | None = None, spacing: str = "r") -> PairTable:
    """``potential`` (anything with ``evaluate``, ``r_cut``, ``table_start``, ``describe``)
    as a :class:`PairTable` of ``n`` points on [r_min, r_cut].

    Args:
        potential: The potential.
        n: Number of points.
        r_min: First point [σ]; default ``potential.table_start()``.
        spacing: ``"r"`` (even in r) or ``"rsq"`` (even in r², as LAMMPS tables are).
    """
    r0 = potential.table_start() if r_min is None else r_min
    if spacing == "rsq":
        r = np.sqrt(np.linspace(r0**2, potential.r_cut**2, n))
    else:
        r = np.linspace(r0, potential.r_cut, n)
    u, f = potential.evaluate(r)
    desc = potential.describe()
    return PairTable(r, u, f, name=desc.get("name", "potential"), source=desc, check_force=False)


def read_potential_table(path, units=None) -> PairTable:
    """Read a potential file (CSV ``r,U[,F]``, LAMMPS table, VOTCA ``.pot``) into a checked
    :class:`PairTable`, in reduced units (converted with ``units`` when given).
    """
    r, u, f = read_table_columns(path, units)
    return PairTable(r, u, f, name=Path(path).stem, source=str(path))


class PairTable:
    """A tabulated potential (r, U, F) that checks its own consistency. It offers what
    every potential offers (``evaluate``, ``u``, ``r_cut``, ``table_start``, ``tabulate``,
    ``describe``, ``label``) and the transforms the networks use.

    Args:
        r: Strictly increasing distances, shape (n,) [σ], r[0] >= 0.
        U: Energies, shape (n,) [k_BT].
        F: Forces −dU/dr, shape (n,) [k_BT/σ]; None derives them from U.
        name: Label for files and plots.
        source: Where the table came from (file name, or a potential's description).
        check_force: Verify F ≈ −dU/dr where the table resolves it.

    Raises:
        InputError: non-finite values, unsorted or duplicate r, fewer than 5 points,
            r[0] = 0 with a diverging core, or forces that contradict U.
    """

    def __init__(self, r, U, F=None, *, name="table", source=None, check_force=True):
        where = source if isinstance(source, str) else None
        r = np.asarray(r, float)
        U = np.asarray(U, float)
        if r.ndim != 1 or U.shape != r.shape:
            raise InputError(f"r and U must be 1-d of equal length, got {r.shape} and {U.shape}", where)
        check_grid(r, where)
        check_finite(U, "U", where)
        if F is None:
            with np.errstate(all="ignore"):
                F = -np.gradient(U, r, edge_order=2)
            if not np.all(np.isfinite(F)):
                raise InputError("U changes too steeply to take its derivative (values or spacing extreme)",
                                 where)
        else:
            F = np.asarray(F, float)
            if F.shape != r.shape:
                raise InputError(f"F has shape {F.shape}, expected {r.shape}", where)
            check_finite(F, "F", where)
            if check_force:
                _check_force(r, U, F, where)
        if r[0] == 0 and U[0] > U_CUT and U[1] - U[0] < 0 and abs(F[0]) > 1e6:
            raise InputError("the core diverges but the table starts at r = 0; start at r > 0", where)
        self.r, self.U, self.F = r, U, F
        self.name = name
        self.source = source
        self.r_cut = float(r[-1])

    # --- Potential interface ---------------------------------------------------------
    def evaluate(self, r):
        r = np.asarray(r, float)
        u = np.interp(r, self.r, self.U, right=0.0)
        f = np.interp(r, self.r, self.F, right=0.0)
        return u, f

    def evaluate_smooth(self, r):
        """U and F at ``r`` by cubic Hermite interpolation through (U, −F) at the table's
        points: F = −dU/dr holds between them too (for resampling onto another grid, which
        an engine's own consistency check may read). 0 beyond the cut-off; r below the
        table's first point takes its first values.
        """
        r = np.asarray(r, float)
        x = np.clip(r, self.r[0], self.r[-1])
        i = np.clip(np.searchsorted(self.r, x, side="right") - 1, 0, self.r.size - 2)
        h = self.r[i + 1] - self.r[i]
        t = (x - self.r[i]) / h
        u0, u1, d0, d1 = self.U[i], self.U[i + 1], -self.F[i], -self.F[i + 1]
        t2, t3 = t * t, t * t * t
        u = ((2 * t3 - 3 * t2 + 1) * u0 + (t3 - 2 * t2 + t) * h * d0 + (-2 * t3 + 3 * t2) * u1
             + (t3 - t2) * h * d1)
        du = ((6 * t2 - 6 * t) * u0 + (3 * t2 - 4 * t + 1) * h * d0 + (-6 * t2 + 6 * t) * u1
              + (3 * t2 - 2 * t) * h * d1) / h
        beyond = r > self.r[-1]
        return np.where(beyond, 0.0, u), np.where(beyond, 0.0, -du)

    def describe(self) -> dict:
        src = self.source if isinstance(self.source, (str, dict)) else None
        return {"kind": "table", "name": self.name, "source": src, "n": int(self.r.size),
                "r_min": float(self.r[0]), "r_cut": self.r_cut}

    def table_start(self) -> float:
        return float(self.r[0]) if self.r[0] > 0 else float(self.r[1])

    def u(self, r):
        return self.evaluate(r)[0]

    def tabulate(self, n: int = 4000, r_min: float | None = None, spacing: str = "r") -> PairTable:
        """Resampled on ``n`` points (see :func:`tabulate`)."""
        return tabulate(self, n, r_min, spacing)

    @property
    def label(self) -> str:
        return self.name

    @property
    def has_core(self) -> bool:
        """True where the table starts above U_CUT (a repulsive core)."""
        return bool(self.U[0] >= U_CUT)

    # --- transforms used by the networks ----------------------------------------------
    def on_grid(self, grid: Grid = NN_GRID) -> tuple[np.ndarray, np.ndarray]:
        """U and F resampled onto ``grid`` (default the 50-point network grid).

        Below the table's first point the potential is taken as a core (U = U(r[0]) and
        F = F(r[0]), both at least as large) when U(r[0]) >= U_CUT, or extrapolated
        linearly when r[0] <= 0.05σ. Beyond r_cut, U = F = 0.

        Returns:
            ``(U, F)``, each shape (grid.n,), U [k_BT], F [k_BT/σ].
        """
        r = grid.r
        below = r < self.r[0]
        if np.any(below) and not self.has_core and self.r[0] > R_EXTRAPOLATE_TO_ZERO:
            raise InputError(
                f"the table starts at r = {self.r[0]:.4g} with U = {self.U[0]:.3g} k_BT < "
                f"U_cut = {U_CUT:g}: the network grid needs U down to r = {r[0]:g}",
                self.source if isinstance(self.source, str) else None,
            )
        u, f = self.evaluate(r)
        if np.any(below):
            if self.has_core:
                u[below] = max(self.U[0], U_CUT)
                f[below] = max(self.F[0], 0.0)
            else:
                slope = -self.F[0]
                u[below] = self.U[0] + slope * (r[below] - self.r[0])
                f[below] = self.F[0]
        return u, f

    def capped(self, u_cut: float = U_CUT, grid: Grid = NN_GRID) -> np.ndarray:
        """Ū = min(U, U_cut) on the grid, shape (grid.n,) [k_BT]."""
        return np.minimum(self.on_grid(grid)[0], u_cut)

    def boltzmann_factor(self, grid: Grid = NN_GRID) -> np.ndarray:
        """exp(−βU) on the grid, shape (grid.n,), in [0, ∞)."""
        with np.errstate(over="ignore"):
            return np.exp(-self.on_grid(grid)[0])

    def force(self, grid: Grid = NN_GRID) -> np.ndarray:
        """F = −dU/dr of the uncapped U on the grid, shape (grid.n,) [k_BT/σ]."""
        return self.on_grid(grid)[1]

    def even_in_rsq(self):
        """This table resampled evenly in r² from its first r > 0 to its cut-off, by cubic
        Hermite interpolation through (U, −F): the grid LAMMPS builds for ``pair_style table
        linear N`` from an ``RSQ`` section of N rows, so LAMMPS reproduces these values at
        the points exactly (an ``R`` section is re-splined, ~1e-6 off). Rows are added (up
        to :data:`MAX_RSQ_ROWS`) so that the spacing where U < U_cut is :data:`RSQ_REFINE`
        times finer than the table's.
        """
        lo = float(self.r[0] if self.r[0] > 0 else self.r[1])
        rc = float(self.r_cut)
        soft = self.r[(self.U < U_CUT) & (self.r >= lo)]
        r_s = float(soft[0]) if soft.size else lo
        dr = float(np.min(np.diff(self.r))) / RSQ_REFINE
        n = int(min(MAX_RSQ_ROWS, max(self.r.size, math.ceil((rc * rc - r_s * r_s) / (2 * r_s * dr)) + 1)))
        r = np.sqrt(np.linspace(lo * lo, rc * rc, n))
        u, f = self.evaluate_smooth(r)
        return PairTable(r, u, f, name=self.name, source=self.source, check_force=False)

    def resampled(self, n: int, r_min: float | None = None, r_max: float | None = None):
        """A new table with n points evenly spaced on [r_min, r_max]."""
        lo = self.r[0] if r_min is None else r_min
        hi = self.r_cut if r_max is None else r_max
        r = np.linspace(lo, hi, n)
        u, f = self.evaluate(r)
        return PairTable(r, u, f, name=self.name, source=self.source, check_force=False)


def _check_force(r, U, F, where):
    """Raise when F disagrees with −dU/dr beyond what the spacing explains."""
    mid = 0.5 * (r[1:] + r[:-1])
    with np.errstate(all="ignore"):
        slope = -np.diff(U) / np.diff(r)
    f_mid = 0.5 * (F[1:] + F[:-1])
    # compare only where the table resolves U and F (small change per step): across a steep
    # core the secant of a correct cubic differs from the mean of its end slopes by
    # (h²/12)·F'' (a refined table sampled on a coarse grid, a 6 % difference at F ~ 200)
    small = np.abs(np.diff(U)) < 1.0
    resolved = small & (np.abs(np.diff(F)) <= 0.2 * np.maximum(np.abs(F[1:]), np.abs(F[:-1])) + 1e-3)
    if resolved.sum() < 3:
        return
    scale = max(np.max(np.abs(slope[small])), 1e-3)
    err = np.abs(slope - f_mid)[resolved]
    i = int(np.argmax(err))
    if err[i] > FORCE_RTOL * scale + 1e-6:
        raise InputError(
            f"the force column contradicts -dU/dr near r = {mid[resolved][i]:.4g} "
            f"(F = {f_mid[resolved][i]:.4g}, -dU/dr = {slope[resolved][i]:.4g})",
            where,
        )
