"""The campaign store: one JSON record per run, named by the run's id.

Layout::

    STORE/spec.json             the campaign spec (canonical) and its hash
    STORE/runs/<id>.json        one record per finished run (done or failed)

Records are written atomically (temporary file + rename), so killing a campaign at any
moment leaves only complete records; a rerun skips every id already present. A record
that cannot be read is reported by :meth:`Store.check` and treated as missing.
"""

from __future__ import annotations

import json
import math
import platform
import time
from pathlib import Path

from .. import __version__
from ..errors import InputError
from ..io.atomic import atomic_write_json
from .spec import CampaignSpec, RunSpec, canonical_json

#: Significant digits kept for floats in records.
DIGITS = 7


def _round(obj):
    if isinstance(obj, float):
        return float(f"{obj:.{DIGITS}g}") if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    return obj


def record_kept(record: dict) -> bool:
    """Whether a stored run is kept by today's criteria (re-judged from its data)."""
    from ..engines.diagnostics import rejudge
    from .spec import potential_from_identity

    if record.get("status") != "done":
        return False
    run = record["run"]
    flags = rejudge(record["result"], run["state"]["density"], potential_from_identity(run["potential"]))
    return bool(flags.get("kept"))


class Store:
    """A directory of run records.

    Args:
        root: The store directory (created on first write).
    """

    def __init__(self, root):
        self.root = Path(root)
        self.runs_dir = self.root / "runs"

    def path(self, run_id: str) -> Path:
        return self.runs_dir / f"{run_id}.json"

    def bind(self, spec: CampaignSpec) -> None:
        """Record the spec; refuse a store made by a different spec.

        A spec that differs only in ``n_potentials`` extends (or shrinks) the campaign:
        run ids do not depend on it, so every record stays valid and the spec is updated.
        """
        meta = self.root / "spec.json"
        entry = {"spec": spec.as_dict(), "spec_hash": spec.spec_hash}
        if meta.exists():
            old = json.loads(meta.read_text())
            same_but_size = ({k: v for k, v in old.get("spec", {}).items() if k != "n_potentials"}
                             == {k: v for k, v in spec.as_dict().items() if k != "n_potentials"})
            if old.get("spec_hash") != spec.spec_hash and same_but_size:
                atomic_write_json(meta, entry, indent=2)
            elif old.get("spec_hash") != spec.spec_hash:
                raise InputError(
                    f"this store was made by spec {old.get('spec_hash')} "
                    f"({old.get('spec', {}).get('name')}), not {spec.spec_hash}; use another --store",
                    str(self.root),
                )
            return
        atomic_write_json(meta, entry, indent=2)

    def spec(self) -> CampaignSpec | None:
        meta = self.root / "spec.json"
        if not meta.exists():
            return None
        data = json.loads(meta.read_text())["spec"]
        return CampaignSpec(**data, source=str(meta))

    def ids(self) -> set[str]:
        if not self.runs_dir.exists():
            return set()
        return {p.stem for p in self.runs_dir.glob("*.json")}

    def write(self, run: RunSpec, result: dict, spec_hash: str) -> Path:
        """Store one finished run (``result`` from SimulationResult.to_dict())."""
        record = {
            "id": run.run_id,
            "status": "done" if result.get("ok") else "failed",
            "run": run.as_dict(),
            "result": _round(result),
            "provenance": {
                "campaign": spec_hash,
                "package_version": __version__,
                "engine_version": result.get("settings", {}).get("engine_version"),
                "python": platform.python_version(),
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            },
        }
        canonical_json(record["run"])  # raises on non-finite numbers
        return atomic_write_json(self.path(run.run_id), record)

    def read(self, run_id: str) -> dict:
        return json.loads(self.path(run_id).read_text())

    def records(self):
        """Yield every readable record (sorted by potential, then density)."""
        recs = []
        for p in sorted(self.runs_dir.glob("*.json")) if self.runs_dir.exists() else []:
            try:
                recs.append(json.loads(p.read_text()))
            except (OSError, json.JSONDecodeError):
                continue
        recs.sort(key=lambda r: (r["run"]["potential_index"], r["run"]["density_index"]))
        yield from recs

    def check(self) -> dict:
        """Integrity report: counts, unreadable files, ids that do not match their names."""
        bad, mismatched, n = [], [], 0
        for p in self.runs_dir.glob("*.json") if self.runs_dir.exists() else []:
            n += 1
            try:
                rec = json.loads(p.read_text())
            except (OSError, json.JSONDecodeError):
                bad.append(p.name)
                continue
            if rec.get("id") != p.stem:
                mismatched.append(p.name)
        leftovers = [p.name for p in self.runs_dir.glob(".*.tmp")] if self.runs_dir.exists() else []
        return {"n_records": n, "unreadable": bad, "mismatched": mismatched, "temporary": leftovers}

    def pending(self, runs: list[RunSpec], retry_failed: bool = False) -> list[RunSpec]:
        """Runs without a record (and failed ones too, when ``retry_failed``)."""
        have = self.ids()
        out = []
        for run in runs:
            rid = run.run_id
            if rid not in have:
                out.append(run)
            elif retry_failed and self.read(rid).get("status") == "failed":
                out.append(run)
        return out
