"""The target of a validation or refinement: g(r) at a density, with its statistical error.

The error comes from the file where it has one (a ``g_err`` column, as ``simulate`` writes
it), pooled over neighbouring bins (:func:`pool_error`). Otherwise it is estimated from
the data's own scatter: the residual of a local quadratic fit (Savitzky–Golay, 7 points),
scaled by the shell-count law of a histogram, σ(r) = c·√g(r)/r, with c from the median
absolute residual. A smooth target (from theory) gets the floor :data:`ERR_FLOOR`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..units import Units, check_density

#: Smallest error assumed for a g(r) value.
ERR_FLOOR = 1e-4
#: A target must reach at least this far [σ] and hold this many points.
MIN_RANGE, MIN_POINTS = 2.0, 20
#: Bins over which a block-average error is pooled (see :func:`pool_error`).
POOL_BINS = 9


@dataclass
class Target:
    """g(r) to reproduce, in reduced units.

    Attributes:
        r: Distances, shape (n,) [σ].
        g: Target g(r), shape (n,).
        err: Its standard error, shape (n,).
        density: ρ [σ⁻³].
        source: File name (or a label).
        err_estimated: True when ``err`` was estimated from the scatter of ``g``.
    """

    r: np.ndarray
    g: np.ndarray
    err: np.ndarray
    density: float
    source: str = "g(r)"
    err_estimated: bool = False

    def digest(self) -> str:
        """A hash of the target (r, g, err, ρ): a resumed refinement checks it."""
        h = hashlib.sha256()
        for a in (self.r, self.g, self.err, np.array([self.density])):
            h.update(np.ascontiguousarray(a, float).tobytes())
        return h.hexdigest()[:16]

    @property
    def bin_width(self) -> float | None:
        """The width of the target's histogram bins [σ]: its spacing where that is uniform
        (a g(r) table holds bin averages; :mod:`~boltzmann_nn.refine.binning`), else None.
        """
        from .binning import uniform_spacing

        return uniform_spacing(self.r)

    @property
    def noise_mse(self) -> float:
        """Mean squared error of the target itself."""
        return float(np.mean(self.err**2))


def estimate_error(r, g) -> np.ndarray:
    """σ(r) of a histogram g(r) from its scatter about a local quadratic (see module doc)."""
    from scipy.signal import savgol_filter

    r = np.asarray(r, float)
    g = np.asarray(g, float)
    if r.size < 15:
        return np.full_like(g, ERR_FLOOR)
    window, order = 7, 2
    smooth = savgol_filter(g, window, order)
    # the residual of a least-squares fit has variance σ²(1 − h), h the central weight
    h = savgol_filter(np.eye(window)[window // 2], window, order)[window // 2]
    shape = np.sqrt(np.maximum(g, 0.0)) / np.maximum(r, 1e-6)
    use = g > 0.05
    if use.sum() < 10:
        return np.full_like(g, ERR_FLOOR)
    scaled = (g - smooth)[use] / shape[use]
    c = 1.4826 * np.median(np.abs(scaled)) / np.sqrt(1.0 - h)
    return np.maximum(c * shape, ERR_FLOOR)


def pool_error(r, g, err, bins: int = POOL_BINS) -> np.ndarray:
    """Standard errors of g(r) from a few block averages, pooled over ``bins`` neighbouring
    bins.

    With 10 blocks each σ² is itself uncertain by ±47 %, and since χ² divides by it,
    χ²/n of a perfect match averages 9/7 ≈ 1.29 — right at the within-noise bound. The
    shape σ²r²/g varies slowly (a histogram's counting law), so it is averaged over the
    window and scaled back by g/r²: the same errors, 9 times better determined. Points
    where g <= 10⁻³ (the core) keep their own.
    """
    from scipy.ndimage import uniform_filter1d

    r = np.asarray(r, float)
    g = np.asarray(g, float)
    err = np.asarray(err, float)
    use = (g > 1e-3) & (r > 0)
    if use.sum() < bins:
        return err
    shape = np.where(use, g / np.where(r > 0, r, 1.0) ** 2, 1.0)
    ratio = np.where(use, err**2 / shape, 0.0)
    num = uniform_filter1d(ratio, bins, mode="nearest")
    den = uniform_filter1d(use.astype(float), bins, mode="nearest")
    pooled = np.sqrt(np.maximum(num, 0.0) / np.maximum(den, 1e-12) * shape)
    return np.where(use, np.maximum(pooled, ERR_FLOOR), err)


def make_target(r, g, density: float, err=None, source: str = "g(r)") -> Target:
    """A checked :class:`Target` from arrays in reduced units."""
    r = np.asarray(r, float)
    g = np.asarray(g, float)
    check_density(density, source=source)
    if r.size < MIN_POINTS or r[-1] < MIN_RANGE:
        raise InputError(f"g(r) too short for a comparison: {r.size} points up to "
                         f"r = {r[-1]:.3g} sigma (need >= {MIN_POINTS} points up to >= {MIN_RANGE:g})",
                         source)
    if not (np.all(np.isfinite(g)) and np.all(g >= 0)):
        raise InputError("g(r) must be finite and >= 0", source)
    if np.max(g) <= 0:
        raise InputError("g(r) is zero everywhere", source)
    estimated = err is None
    if estimated:
        err = estimate_error(r, g)
    else:
        err = pool_error(r, g, np.maximum(np.asarray(err, float), ERR_FLOOR))
    return Target(r, g, err, float(density), source, estimated)


def load_target(gr, density: float, units: Units | None = None, fmt: str | None = None) -> Target:
    """Read a g(r) file (any format of :mod:`boltzmann_nn.io.gr`) as a :class:`Target`.

    Args:
        gr: File name, or ``(r, g)`` / ``(r, g, err)`` arrays in reduced units.
        density: ρ in reduced units, or in ``units.length_unit``⁻³.
        units: Physical units of the file's r and of ``density``.
        fmt: g(r) format; detected when None.
    """
    from ..io.gr import read_gr

    units = units or Units()
    if not (np.isfinite(density) and density > 0):
        raise InputError(f"density must be > 0, got {density}")
    rho = float(units.to_reduced_density(density))
    if isinstance(gr, (tuple, list)):
        r, g, *err = (np.asarray(a, float) for a in gr)
        return make_target(r, g, rho, err[0] if err else None)
    rdf = read_gr(gr, fmt)
    r = units.file_length_to_reduced(rdf.r, rdf.length_unit)
    return make_target(r, rdf.g, rho, rdf.err, rdf.source)
