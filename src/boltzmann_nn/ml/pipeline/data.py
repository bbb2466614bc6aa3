"""Load a dataset file into arrays for training (see campaign/assemble.py for the layout)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import InputError
from ...grid import NN_GRID
from ...io.dataset_file import open_dataset
from ..tasks.features import gr_on_grid, hnc_on_grid, structure_metrics


@dataclass
class Arrays:
    """Kept runs of a dataset; row i is one run. Shapes: (n,) or (n, 50) / (n, n_bins)."""

    density: np.ndarray
    pressure: np.ndarray
    pressure_err: np.ndarray
    u: np.ndarray
    f: np.ndarray
    g: np.ndarray
    g_bins: np.ndarray
    g_r: np.ndarray
    b2: np.ndarray
    b3: np.ndarray
    fold: np.ndarray
    potential: np.ndarray
    potential_seed: np.ndarray
    has_core: np.ndarray
    r_cut: np.ndarray
    dataset_hash: str
    path: str
    family: np.ndarray | None = None
    g_err: np.ndarray | None = None  # standard error of each g bin, (n, n_bins)

    _hnc: np.ndarray | None = None
    _structure: dict | None = None

    def hnc(self) -> np.ndarray:
        """HNC inversion of every run's g(r) on the network grid, shape (n, 50), cached."""
        if self._hnc is None:
            self._hnc = hnc_on_grid(self.g_r, self.g_bins, self.density, NN_GRID.r)
        return self._hnc

    def structure(self, weighting: str = "uniform") -> np.ndarray:
        """Every run's HNC structure metric on the network grid, shape (n, 50, 50), cached
        (:func:`~boltzmann_nn.ml.tasks.features.structure_metrics`); ``weighting``
        ``uniform`` (every bin alike: L_MSE) or ``noise`` (bins by their block errors: χ²).
        """
        if weighting not in ("uniform", "noise"):
            raise ValueError(f"unknown structure weighting {weighting!r}")
        if weighting == "noise" and self.g_err is None:
            raise InputError("the dataset has no g_err; noise-weighted structure needs it", self.path)
        self._structure = self._structure or {}
        if weighting not in self._structure:
            err = self.g_err if weighting == "noise" else None
            self._structure[weighting] = structure_metrics(self.g_r, self.g_bins, self.density, NN_GRID.r, err)
        return self._structure[weighting]

    def __len__(self) -> int:
        return int(self.density.size)

    def split(self, fold: int | None):
        """Indices (train, validation) for a CV fold, or (train+val, test) for None."""
        if fold is None:
            return np.nonzero(self.fold >= 0)[0], np.nonzero(self.fold == -1)[0]
        return np.nonzero((self.fold >= 0) & (self.fold != fold))[0], np.nonzero(self.fold == fold)[0]


def load_arrays(path) -> Arrays:
    """Read the kept runs of a dataset file."""
    path = Path(path)
    with open_dataset(path) as h5:
        missing = [k for k in ("density", "pressure", "U_nn", "g", "fold", "B2") if k not in h5.get("kept", {})]
        if missing:
            raise InputError(f"dataset file lacks kept/{missing[0]}", str(path))
        k = h5["kept"]
        g_r = k["g_r"][:]
        g_bins = k["g"][:].astype(float)
        return Arrays(
            density=k["density"][:], pressure=k["pressure"][:], pressure_err=k["pressure_err"][:],
            u=k["U_nn"][:], f=k["F_nn"][:], g=gr_on_grid(g_r, g_bins, NN_GRID.r), g_bins=g_bins,
            g_r=g_r, b2=k["B2"][:], b3=k["B3"][:], fold=k["fold"][:],
            potential=k["potential_index"][:], potential_seed=k["potential_seed"][:],
            has_core=k["has_core"][:].astype(bool),
            r_cut=k["r_cut"][:], dataset_hash=str(h5.attrs["dataset_hash"]), path=str(path),
            family=(k["family"][:].astype(str) if "family" in k
                    else np.full(k["density"].shape, "spline")),
            g_err=k["g_err"][:].astype(float) if "g_err" in k else None,
        )
