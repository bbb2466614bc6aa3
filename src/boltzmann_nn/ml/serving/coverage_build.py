"""Writing a model's training-data coverage (:mod:`.coverage`) beside its card: the
coverage needs the model's own predictions on its training runs.

    python -m boltzmann_nn.ml.serving.coverage_build DATASET.h5 [MODEL.json]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from ...io.atomic import atomic_path, atomic_write_json
from .coverage import coverage_of, coverage_path


def _virial_z(ds, card_path) -> np.ndarray:
    """βP/ρ of the model's prediction for every run of ``ds`` by the virial with its g(r)."""
    import warnings

    from .predict import predict_potential

    z = np.empty(ds.density.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, rho in enumerate(ds.density):
            pred = predict_potential((ds.g_r, ds.g_bins[i]), float(rho), model=str(card_path))
            z[i] = pred.pressure_virial / rho
    return z


def write_coverage(dataset, card_path) -> dict:
    """Add the coverage of ``dataset`` (a file or loaded Arrays) to the card at ``card_path``
    and write its arrays beside it.
    """
    import json

    from safetensors.numpy import save_file

    from ..pipeline.data import load_arrays
    from .zoo import sha256_file

    ds = dataset if hasattr(dataset, "g_bins") else load_arrays(dataset)
    card_path = Path(card_path)
    card = json.loads(card_path.read_text())
    if card.get("dataset_hash") not in (None, ds.dataset_hash):
        raise SystemExit(f"{dataset}: dataset hash {ds.dataset_hash} is not the card's {card['dataset_hash']}")
    domain, arrays = coverage_of(ds, _virial_z(ds, card_path))
    path = coverage_path(card_path)
    with atomic_path(path) as tmp:
        save_file(arrays, str(tmp))
    domain["structure"]["sha256"] = sha256_file(path)
    card["domain"] = {**card.get("domain", {}), **domain}
    atomic_write_json(card_path, card, indent=1)
    return card["domain"]


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    from importlib import resources

    default = Path(str(resources.files("boltzmann_nn.zoo") / "inverse.json"))
    import json

    print(json.dumps(write_coverage(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else default), indent=1))
