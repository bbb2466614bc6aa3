"""Re-judge a store with today's keep criteria, from the stored measurements alone.

Each record holds the raw measurements behind its verdict (block pressures and energies,
S(k_min) per block, g(r)); :func:`~boltzmann_nn.engines.diagnostics.rejudge` applies the
current criteria to them, with the potential rebuilt from the record's identity. Counts
of kept runs before (the verdict stored at run time) and after are reported by class:
cutoff range, core, well depth and density.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from ..engines.diagnostics import rejudge
from ..errors import InputError
from ..io.atomic import atomic_write
from .spec import potential_from_identity
from .stats import density_label
from .store import Store

R_CUT_CLASSES = ((0.0, 1.5, "r_cut <= 1.5"), (1.5, 3.0, "1.5 < r_cut <= 3"), (3.0, 99.0, "r_cut > 3"))
WELL_CLASSES = ((-0.05, "no well"), (-1.0, "well < 1 k_BT"), (-3.0, "well 1-3 k_BT"),
                (-np.inf, "well >= 3 k_BT"))


def potential_classes(pot) -> dict:
    """Cutoff range, core and well-depth class of a potential."""
    r = np.linspace(1e-3, pot.r_cut, 4000)
    with np.errstate(all="ignore"):
        u = pot.evaluate(r)[0]
    u_min = float(np.nanmin(np.where(np.isfinite(u), u, np.inf)))
    rc = next(label for lo, hi, label in R_CUT_CLASSES if lo < pot.r_cut <= hi)
    well = next(label for bound, label in WELL_CLASSES if u_min > bound or bound == -np.inf)
    core = bool(getattr(pot, "has_core", False))
    family = pot.describe().get("family", "spline" if pot.describe().get("kind") == "random" else "?")
    return {"r_cut": rc, "core": "core" if core else "no core", "well": well, "family": family}


def rejudge_store(store_dir, report=None) -> dict:
    """Kept counts before/after re-judging every record of ``store_dir``, by class;
    ``report``: also write them there as Markdown (:func:`format_rejudge`).

    Returns:
        ``{"store", "n_records", "kept_before", "kept_after", "changed": {"gained", "lost"},
        "by_class": {class_kind: {label: {"runs", "before", "after"}}},
        "reasons_after": {...}}``, and ``"report"`` (its path) where written.

    Raises:
        InputError: ``store_dir`` is not a campaign store.
    """
    if not (Path(store_dir) / "spec.json").exists():
        raise InputError("not a campaign store (no spec.json)", str(store_dir))
    res = _rejudge(Store(store_dir))
    if report is not None:
        res["report"] = str(atomic_write(report, format_rejudge(res)))
    return res


def _rejudge(store: Store) -> dict:
    cache: dict = {}
    by = defaultdict(lambda: defaultdict(lambda: {"runs": 0, "before": 0, "after": 0}))
    reasons = Counter()
    n = before_total = after_total = gained = lost = 0
    records = list(store.records())
    distinct = {rec["run"]["state"]["density"] for rec in records}
    for rec in records:
        run = rec["run"]
        key = str(sorted(run["potential"].items()))
        if key not in cache:
            pot = potential_from_identity(run["potential"])
            cache[key] = (pot, potential_classes(pot))
        pot, classes = cache[key]
        res = rec["result"]
        before = bool(rec["status"] == "done" and res.get("kept"))
        verdict = rejudge(res, run["state"]["density"], pot) if rec["status"] == "done" else None
        after = bool(verdict is not None and verdict.kept)
        if rec["status"] != "done":
            reasons["failed: " + res.get("reason", "")[:40]] += 1
        elif not after:
            reasons["dropped: " + verdict.why[:60]] += 1
        n += 1
        before_total += before
        after_total += after
        gained += after and not before
        lost += before and not after
        rho = run["state"]["density"]
        dens = f"rho {rho:g}" if len(distinct) <= 8 else f"rho {density_label(rho)}"
        for kind, label in (*classes.items(), ("density", dens)):
            cell = by[kind][label]
            cell["runs"] += 1
            cell["before"] += before
            cell["after"] += after
    return {"store": str(store.root), "n_records": n, "kept_before": before_total,
            "kept_after": after_total, "changed": {"gained": gained, "lost": lost},
            "by_class": {k: dict(sorted(v.items())) for k, v in by.items()},
            "reasons_after": dict(reasons.most_common())}


def format_rejudge(report: dict) -> str:
    """Markdown tables of a :func:`rejudge_store` report."""
    lines = [f"Store `{report['store']}`: {report['n_records']} runs; kept before "
             f"{report['kept_before']}, after {report['kept_after']} "
             f"(+{report['changed']['gained']} gained, -{report['changed']['lost']} lost)", ""]
    for kind, cells in report["by_class"].items():
        lines += [f"| {kind} | runs | kept before | kept after |", "|---|---|---|---|"]
        lines += [f"| {label} | {c['runs']} | {c['before']} | {c['after']} |" for label, c in cells.items()]
        lines.append("")
    lines += ["| not kept after, reason | runs |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in report["reasons_after"].items()]
    return "\n".join(lines) + "\n"
