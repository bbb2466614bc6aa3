"""Shipped models: safetensors weights plus a JSON card, checksum-verified on load.

A model is an ensemble of one or more members with the same configuration; the weights
of member k are stored under the prefix ``m{k}.`` in one safetensors file. The card
holds the task, the configuration, the grid, the options, the training-data hash, the
metrics, the date and the SHA-256 of the weights file. Nothing is ever unpickled.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from safetensors.torch import load_file, save_file

from .. import __version__
from ..errors import InputError
from ..grid import NN_GRID
from ..io.atomic import atomic_write, atomic_write_json

ZOO_PACKAGE = "boltzmann_nn.zoo"


def sha256_file(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class Shipped:
    """A loaded model: the members, their configuration and the card."""

    task: str
    members: list
    config: object
    card: dict

    def __call__(self, fn, *args):
        """Mean of ``fn(member, *args)`` over the members, with their spread."""
        outs = np.stack([fn(m, *args) for m in self.members])
        return outs.mean(axis=0), outs.std(axis=0)


def save_model(directory, name: str, task: str, members, config, card_extra: dict) -> dict:
    """Write ``name.safetensors`` and ``name.json`` into ``directory``; returns the card."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {f"m{k}.{key}": v.detach().cpu().contiguous()
               for k, m in enumerate(members) for key, v in m.state_dict().items()}
    weights = directory / f"{name}.safetensors"
    tmp = directory / f".{name}.safetensors.partial"
    save_file(tensors, str(tmp), metadata={"task": task, "format": "boltzmann-nn"})
    atomic_write(weights, tmp.read_bytes())
    tmp.unlink()
    card = {
        "name": name, "task": task, "format": "boltzmann-nn model", "version": 1,
        "package_version": __version__, "date": time.strftime("%Y-%m-%d"),
        "grid": {"r_min": NN_GRID.r_min, "r_max": NN_GRID.r_max, "n": NN_GRID.n,
                 "units": "sigma"},
        "config": config.as_dict(), "members": len(members),
        "weights": weights.name, "sha256": sha256_file(weights),
        "n_parameters": int(sum(p.numel() for p in members[0].parameters())),
        **card_extra,
    }
    atomic_write_json(directory / f"{name}.json", card, indent=1)
    return card


def _locate(name_or_path) -> tuple[Path, Path]:
    p = Path(str(name_or_path))
    if p.suffix == ".json" and p.exists():
        card_path = p
    elif p.with_suffix(".json").exists() and p.suffix in ("", ".safetensors"):
        card_path = p.with_suffix(".json")
    else:
        ref = resources.files(ZOO_PACKAGE).joinpath(f"{name_or_path}.json")
        if not ref.is_file():
            raise InputError(f"no model named {name_or_path!r} (shipped: eos, inverse) and no card file")
        card_path = Path(str(ref))
    card = json.loads(card_path.read_text())
    return card_path, card_path.with_name(card["weights"])


def load_model(name_or_path, builder, config_cls) -> Shipped:
    """Load a shipped or saved model; the weights' checksum must match the card's."""
    card_path, weights = _locate(name_or_path)
    card = json.loads(card_path.read_text())
    if card.get("format") != "boltzmann-nn model":
        raise InputError("not a boltzmann-nn model card", str(card_path))
    if not weights.exists():
        raise InputError(f"weights file {weights.name} missing", str(card_path))
    if sha256_file(weights) != card["sha256"]:
        raise InputError("weights do not match the card's checksum (corrupt or replaced file)",
                         str(weights))
    tensors = load_file(str(weights))  # safetensors: no code execution, no pickle
    config = config_cls.from_dict(card["config"])
    members = []
    for k in range(card["members"]):
        model = builder(config)
        prefix = f"m{k}."
        state = {key[len(prefix):]: v for key, v in tensors.items() if key.startswith(prefix)}
        model.load_state_dict(state)
        model.eval()
        members.append(model)
    return Shipped(card["task"], members, config, card)
