"""What the inverse network's training data covered, and whether an input lies inside it.

Two checks, both judged by the data (not by the name of a liquid):

* **Structure**: the root-mean-square distance on the network grid between the input g(r)
  and the nearest training g(r) at a similar density (|Δρ| ≤ 5 % + 0.02 σ⁻³). The threshold
  is the distance that 95 % of the held-out test fluids stay within.
* **Pressure**: the virial pressure of the predicted Û with the input g(r), as βP/ρ, against
  the 0.5th–99.5th percentile of the same quantity over the training fluids at that density
  (bins in ρ). A g(r) of a liquid whose structure comes from more than an isotropic pair
  potential (water's hydrogen bonds, long-ranged forces) is matched by pair potentials whose
  pressure lies far from anything the data held.

The training g(r) (float16, the train+validation split) and their densities ship beside
the model as ``<model>.coverage.safetensors`` with their SHA-256 in the card; the summary
numbers live in the card's ``domain``. ``python -m
boltzmann_nn.ml.serving.coverage_build DATASET.h5 [MODEL.json]`` writes both for a dataset and a card.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: Density bins [σ⁻³] of the pressure check.
PRESSURE_EDGES = (0.0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.2)
#: Fraction of the held-out test fluids whose nearest training g(r) lies within the threshold.
STRUCTURE_QUANTILE = 0.95


def _similar(rho_ref: np.ndarray, rho: float) -> np.ndarray:
    return np.abs(rho_ref - rho) <= 0.05 * rho + 0.02


def nearest_distance(g: np.ndarray, rho: float, g_ref: np.ndarray, rho_ref: np.ndarray) -> float:
    """RMS distance on the grid from ``g`` to the nearest ``g_ref`` at a similar density
    (inf where no reference lies at a similar density).
    """
    near = _similar(rho_ref, rho)
    if not near.any():
        return float("inf")
    diff = g_ref[near].astype(float) - np.asarray(g, float)[None, :]
    return float(np.sqrt(np.min(np.mean(diff * diff, axis=1))))


def coverage_of(ds, z_virial: np.ndarray) -> tuple[dict, dict]:
    """The card's ``domain`` additions and the arrays to ship, from a training dataset
    (:class:`~boltzmann_nn.ml.pipeline.data.Arrays`) and βP/ρ of the model's prediction for
    each of its runs by the virial with the run's g(r) (``z_virial``).
    """
    tr, te = ds.split(None)
    z = np.asarray(z_virial, float)
    edges = np.asarray(PRESSURE_EDGES)
    low, high = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = tr[(ds.density[tr] >= lo) & (ds.density[tr] < hi)]
        low.append(float(np.percentile(z[inside], 0.5)) if inside.size else None)
        high.append(float(np.percentile(z[inside], 99.5)) if inside.size else None)
    g_ref, rho_ref = ds.g[tr].astype(np.float16), ds.density[tr].astype(np.float32)
    held = [nearest_distance(ds.g[i], ds.density[i], g_ref, rho_ref) for i in te]
    held = np.asarray([d for d in held if np.isfinite(d)])
    domain = {
        "pressure_bins": {"edges": edges.tolist(), "low": low, "high": high,
                          "quantity": "betaP/rho of the predicted potential by the virial with the g(r) of "
                                      "the training fluids: 0.5th and 99.5th percentile"},
        "structure": {"threshold": float(np.quantile(held, STRUCTURE_QUANTILE)),
                      "quantile": STRUCTURE_QUANTILE, "n_reference": int(tr.size),
                      "n_held_out": int(held.size)},
    }
    return domain, {"g": g_ref, "density": rho_ref}


def pressure_range(domain: dict, rho: float) -> tuple[float, float] | None:
    """The 1st–99th percentile of the training βP/ρ at density ``rho`` (None: not covered)."""
    bins = domain.get("pressure_bins")
    if not bins:
        return None
    i = int(np.searchsorted(bins["edges"], rho, side="right")) - 1
    if not 0 <= i < len(bins["low"]) or bins["low"][i] is None:
        return None
    return bins["low"][i], bins["high"][i]


def coverage_warnings(domain: dict, arrays: dict | None, g_grid, rho: float, z_virial: float) -> list[str]:
    """Warnings for an input outside the training data: its g(r) on the network grid at
    density ``rho`` [σ⁻³], and βP/ρ of the predicted potential by the virial with that g(r).
    """
    msgs = []
    struct = domain.get("structure")
    if struct and arrays is not None:
        d = nearest_distance(g_grid, rho, arrays["g"], arrays["density"])
        if d > struct["threshold"]:
            share = 100 * struct["quantile"]
            msgs.append(f"the g(r) lies farther from every training g(r) at this density (RMS {d:.3g}) than "
                        f"{share:.0f} % of held-out test fluids do ({struct['threshold']:.3g}): the input is "
                        "outside the training data")
    span = pressure_range(domain, rho)
    if span is not None and np.isfinite(z_virial) and not (span[0] <= z_virial <= span[1]):
        msgs.append(f"the predicted potential's virial pressure with this g(r) is betaP/rho = {z_virial:.3g}, "
                    f"outside the [{span[0]:.3g}, {span[1]:.3g}] that 99 % of the training fluids at this "
                    "density gave: the g(r) likely comes from interactions beyond the pair potentials the "
                    "network learned (long-ranged or associating, e.g. hydrogen-bonded liquids); give the "
                    "state's --pressure and refine with MD")
    return msgs


def coverage_path(card_path: Path) -> Path:
    return card_path.with_name(card_path.stem + ".coverage.safetensors")


def load_coverage(card_path: Path, sha256: str | None) -> dict | None:
    """The shipped training g(r) and densities beside a card (None where absent); checked
    against the card's SHA-256.
    """
    from safetensors.numpy import load_file

    from .zoo import sha256_file

    path = coverage_path(Path(card_path))
    if not path.is_file() or (sha256 and sha256_file(path) != sha256):
        return None
    return load_file(str(path))
