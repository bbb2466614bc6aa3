"""The campaign store: one JSON record per run, named by the run's id.

Layout::

    STORE/spec.json             the campaign spec (canonical) and its hash
    STORE/runs/<id>.json        one record per finished run (done or failed)

Records are written atomically (temporary file + rename), so killing a campaign at any
moment leaves only complete records; a rerun skips every id already present. A record
that cannot be read (truncated or corrupt, e.g. by a full disk or a copy gone wrong) is
reported by :meth:`Store.check`, treated as missing and run again.
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
    return rejudge(record["result"], run["state"]["density"], potential_from_identity(run["potential"])).kept


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
        if self.root.exists() and not self.root.is_dir():
            raise InputError("exists and is not a directory", str(self.root))
        if meta.exists():
            try:
                old = json.loads(meta.read_text())
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                old = None
            if not isinstance(old, dict):
                raise InputError("spec.json of this store is unreadable; restore it or use another --store",
                                 str(self.root))
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
        try:
            data = json.loads(meta.read_text())["spec"]
            return CampaignSpec(**data, source=str(meta))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"unreadable store spec ({type(exc).__name__})", str(meta)) from exc

    def ids(self) -> set[str]:
        """Ids of the records present (readable or not)."""
        if not self.runs_dir.exists():
            return set()
        return {p.stem for p in self.runs_dir.glob("*.json")}

    def try_read(self, run_id: str) -> dict | None:
        """The record, or None when it is missing, unreadable or names another id."""
        try:
            rec = json.loads(self.path(run_id).read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
        if not isinstance(rec, dict) or rec.get("id") != run_id or "result" not in rec:
            return None
        return rec

    def unreadable(self) -> list[str]:
        """Ids whose record file cannot be read as a record."""
        return sorted(i for i in self.ids() if self.try_read(i) is None)

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
            rec = self.try_read(p.stem)
            if rec is not None:
                recs.append(rec)
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
        """Runs without a readable record (and failed ones too, when ``retry_failed``)."""
        have = self.ids()
        out = []
        for run in runs:
            rid = run.run_id
            if rid not in have:
                out.append(run)
                continue
            rec = self.try_read(rid)
            if rec is None or (retry_failed and rec.get("status") == "failed"):
                out.append(run)
        return out
