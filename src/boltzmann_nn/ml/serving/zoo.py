"""Shipped models: safetensors weights plus a JSON card, checksum-verified on load.

A model is an ensemble of one or more members with the same configuration; the weights
of member k are stored under the prefix ``m{k}.`` in one safetensors file. The card
holds the task, the configuration, the grid, the options, the training-data hash, the
metrics, the date and the SHA-256 of the weights file. Nothing is ever unpickled.

Loading reads the weights as NumPy arrays (``safetensors.numpy``) and builds the task's
NumPy network (:mod:`.numpy_nets`), so that prediction never imports PyTorch; with
``torch=True`` it builds the PyTorch modules instead (training, assessment). The task of a
card is looked up in :mod:`boltzmann_nn.ml.tasks.registry`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ... import __version__
from ...errors import InputError
from ...grid import NN_GRID
from ...io.atomic import atomic_path, atomic_write_json

ZOO_PACKAGE = "boltzmann_nn.zoo"


def sha256_file(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class ModelCard:
    """A model's card, checked (:func:`read_card`): what it is, its weights and their
    checksum, its configuration, and what its predictions are judged by.

    Attributes:
        name, task: The model's name and its task (:mod:`boltzmann_nn.ml.tasks.registry`).
        weights, sha256: The safetensors file beside the card and its SHA-256.
        members: Ensemble members in the weights file.
        config: The task's configuration (``config_cls.from_dict``).
        domain: Ranges of the training data (density, …) that predictions are checked against.
        spread_scale: Calibration factor of the ensemble spread (None: uncalibrated, 1).
        spread_ood: Spread beyond which a prediction is flagged as outside the training data.
        record: The whole card as stored (metrics, dataset hash, dates, …).
    """

    name: str
    task: str
    weights: str
    sha256: str
    members: int
    config: dict
    domain: dict = field(default_factory=dict)
    spread_scale: float | None = None
    spread_ood: float | None = None
    record: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, card: dict) -> ModelCard:
        return cls(name=str(card.get("name", "")), task=card["task"], weights=card["weights"],
                   sha256=card["sha256"], members=card["members"], config=card["config"],
                   domain=card.get("domain") or {}, spread_scale=card.get("spread_scale"),
                   spread_ood=card.get("spread_ood"), record=dict(card))

    def to_dict(self) -> dict:
        """The card as stored, with the typed fields as they are now."""
        out = dict(self.record)
        for key in ("name", "task", "weights", "sha256", "members", "config", "domain", "spread_scale",
                    "spread_ood"):
            value = getattr(self, key)
            if value is not None and (value != {} or key in out):
                out[key] = value
            elif value is None and key in out:
                del out[key]
        return out


@dataclass
class Shipped:
    """A loaded model: the members (NumPy networks, or PyTorch modules with ``torch=True``),
    their configuration and the card.
    """

    task: str
    members: list
    config: object
    card: ModelCard
    card_path: Path | None = None

    @property
    def spread_scale(self) -> float:
        """The card's calibration factor of the spread (1 for an uncalibrated ensemble)."""
        return float(self.card.spread_scale or 1.0)

    def __call__(self, fn, *args):
        """Mean of ``fn(member, *args)`` over the members, with their calibrated spread."""
        outs = np.stack([fn(m, *args) for m in self.members])
        return outs.mean(axis=0), self.spread_scale * outs.std(axis=0)

    def predict(self, inputs: dict):
        """Ensemble mean and calibrated spread of the NumPy members' predictions."""
        return self(lambda m, x: m.predict(x), inputs)


def save_model(directory, name: str, task: str, members, config, card_extra: dict) -> ModelCard:
    """Write ``name.safetensors`` and ``name.json`` into ``directory``; returns the card.

    Args:
        members: PyTorch modules of the same configuration.
    """
    from safetensors.torch import save_file

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {f"m{k}.{key}": v.detach().cpu().contiguous()
               for k, m in enumerate(members) for key, v in m.state_dict().items()}
    weights = directory / f"{name}.safetensors"
    with atomic_path(weights) as tmp:
        save_file(tensors, str(tmp), metadata={"task": task, "format": "boltzmann-nn"})
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
    return ModelCard.from_dict(card)


_CARD_FIELDS = {"format": str, "task": str, "weights": str, "sha256": str, "members": int,
                "config": dict}


def read_card(card_path) -> ModelCard:
    """Read and check a model card: strict JSON with the fields a model needs."""
    where = str(card_path)
    try:
        text = Path(card_path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the model card: {exc}", where) from exc
    try:
        card = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"the model card is not valid JSON ({exc.msg}, line {exc.lineno})", where) from exc
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise InputError(f"the model card is not valid JSON ({str(exc)[:60]})", where) from exc
    if not isinstance(card, dict):
        raise InputError("the model card must be a JSON object", where)
    if card.get("format") != "boltzmann-nn model":
        raise InputError("not a boltzmann-nn model card", where)
    for key, kind in _CARD_FIELDS.items():
        if not isinstance(card.get(key), kind) or isinstance(card.get(key), bool):
            raise InputError(f"the model card's {key!r} must be a {kind.__name__}, got {card.get(key)!r}",
                             where)
    if not 1 <= card["members"] <= 1000:
        raise InputError(f"the model card's 'members' must be in 1..1000, got {card['members']}", where)
    weights = card["weights"]
    if not weights.strip() or weights in (".", "..") or Path(weights).name != weights:
        raise InputError(f"the weights must lie beside the card, got {card['weights']!r}", where)
    return ModelCard.from_dict(card)


def _locate(name_or_path) -> tuple[Path, Path, ModelCard]:
    p = Path(str(name_or_path))
    if p.is_dir():
        raise InputError("is a directory, expected a model card (.json) or a shipped model name", str(p))
    if p.suffix == ".json" and p.exists():
        card_path = p
    elif p.suffix in ("", ".safetensors") and p.with_suffix(".json").is_file():
        card_path = p.with_suffix(".json")
    else:
        ref = resources.files(ZOO_PACKAGE).joinpath(f"{name_or_path}.json")
        if "/" in str(name_or_path) or not ref.is_file():
            raise InputError(f"no model named {name_or_path!r} (shipped: eos, inverse) and no card file",
                             str(name_or_path))
        card_path = Path(str(ref))
    card = read_card(card_path)
    return card_path, card_path.with_name(card.weights), card


def model_card(name_or_path) -> ModelCard:
    """The checked card of a shipped model name or a card file."""
    return _locate(name_or_path)[2]


def _task(name: str, where: str):
    from ..tasks.registry import get_task

    try:
        return get_task(name)
    except ValueError as exc:
        raise InputError(f"the model card's task: {exc}", where) from exc


def load_model(name_or_path, task: str | None = None, *, torch: bool = False) -> Shipped:
    """Load a shipped or saved model; the weights' checksum must match the card's.

    Args:
        name_or_path: A shipped model's name or the path of a card.
        task: The task the model must be for (None: any).
        torch: Build PyTorch modules instead of NumPy networks.

    Raises:
        InputError: a missing, unreadable, malformed or tampered card or weights file, a
            model of another task, or weights that do not fit the card's configuration.
    """
    card_path, weights, card = _locate(name_or_path)
    if task is not None and card.task != task:
        raise InputError(f"this is a {card.task!r} model, expected {task!r}", str(card_path))
    model_task = _task(card.task, str(card_path))
    if not weights.is_file():
        raise InputError(f"weights file {weights.name} missing", str(card_path))
    if sha256_file(weights) != card.sha256:
        raise InputError(f"the weights {weights.name} do not match the card's checksum (a corrupt or "
                         "replaced file)", str(card_path))
    try:
        from safetensors.numpy import load_file

        tensors = load_file(str(weights))  # safetensors: no code execution, no pickle
    except Exception as exc:  # noqa: BLE001 - any decoding problem is a bad file
        raise InputError(f"not a readable safetensors file ({type(exc).__name__})", str(weights)) from exc
    try:
        config = model_task.config_cls.from_dict(card.config)
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(f"the model card's configuration is not valid: {exc}", str(card_path)) from exc
    build = _torch_member if torch else _numpy_member
    members = []
    for k in range(card.members):
        prefix = f"m{k}."
        state = {key[len(prefix):]: v for key, v in tensors.items() if key.startswith(prefix)}
        members.append(build(model_task, config, state, k, weights.name, str(card_path)))
    return Shipped(card.task, members, config, card, card_path)


def _numpy_member(task, config, state: dict, k: int, weights: str, where: str):
    try:
        return task.numpy_net(config, state)
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(f"member {k}: the card's configuration does not fit the weights in {weights} "
                         f"({str(exc).strip(chr(39))})", where) from exc


def _torch_member(task, config, state: dict, k: int, weights: str, where: str):
    import torch

    try:
        model = task.build(config)
    except (TypeError, ValueError, KeyError, RuntimeError) as exc:
        raise InputError(f"the model card's configuration cannot be built: {exc}", where) from exc
    try:
        model.load_state_dict({key: torch.from_numpy(v) for key, v in state.items()})
    except (RuntimeError, KeyError) as exc:
        raise InputError(f"member {k}: the card's configuration does not fit the weights in "
                         f"{weights}", where) from exc
    model.eval()
    return model
