"""The round-trip table of benchmarks/mixture_roundtrip.py (phase ``table``)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

METHODS = (("ihnc", "HNC + ihnc"), ("hncgn", "HNC + hncgn"), ("imc", "HNC + imc"), ("ibi", "Boltzmann + IBI"))


def _load(folder: Path, method: str):
    summary = folder / f"refine-{method}" / "summary.json"
    check = folder / f"check-{method}.json"
    if not summary.exists():
        return None, None
    return json.loads(summary.read_text()), (json.loads(check.read_text()) if check.exists() else None)


def _to_noise(history: list) -> tuple[int | None, int]:
    """First iteration with every g_ij within noise (and P within 2 % when asked), and the MD
    steps spent up to it (all steps when never)."""
    steps = 0
    for h in history:
        steps += h["md_steps"]
        if h.get("within_noise") and h.get("pressure_ok", True):
            return h["iteration"], steps
    return None, steps


def _steps_to(history: list, distance: float) -> int | None:
    """MD steps up to the first iteration whose joint χ²/n is at most ``distance``."""
    steps = 0
    for h in history:
        steps += h["md_steps"]
        if h.get("chi2") is not None and h["chi2"] <= distance:
            return steps
    return None


def same_distance(out: Path, names, newton: str) -> list[str]:
    """Per system: the distance both IBI and ``newton`` reach (the larger of their best χ²/n)
    and the MD steps each took to first get there."""
    lines = []
    for name in names:
        s_ibi, _ = _load(out / name, "ibi")
        s_new, _ = _load(out / name, newton)
        if s_ibi is None or s_new is None:
            continue
        best = [min(h["chi2"] for h in s["history"] if h.get("chi2") is not None) for s in (s_ibi, s_new)]
        distance = max(best)
        a, b = _steps_to(s_ibi["history"], distance), _steps_to(s_new["history"], distance)
        lines.append(f"{name}: chi2/n <= {distance:.3g} (IBI's best {best[0]:.3g}, {newton}'s {best[1]:.3g}): "
                     f"IBI {a:,} MD steps, {newton} {b:,}: ratio {a / b:.2f}")
    return lines


def print_table(out: Path, systems: dict, names) -> None:
    print("| system | start + method | iterations to noise | MD steps to noise | final chi2/n (bound) | "
          "pair | U error where g > 0.05, mean / max [k_BT] | independent MD: chi2/n (bound) | P rel. error |")
    print("|---|---|---|---|---|---|---|---|---|")
    reached: dict = {m: [] for m, _ in METHODS}
    steps_of: dict = {m: {} for m, _ in METHODS}
    for name in names:
        folder = out / name
        for method, label in METHODS:
            s, c = _load(folder, method)
            if s is None:
                continue
            it, steps = _to_noise(s["history"])
            reached[method].append(it)
            steps_of[method][name] = (it, steps)
            last = s["history"][s["best"]]
            for k, pair in enumerate(sorted(s["g"])):
                head = (
                    [name, label, "never" if it is None else str(it), f"{steps:,}",
                     f"{last.get('chi2', float('nan')):.3g} ({last.get('chi2_bound', float('nan')):.3g})"]
                    if k == 0 else ["", "", "", "", ""]
                )
                if c is not None:
                    ue = c["u_error"][pair]
                    cp = c["pairs"][pair]
                    bound = cp.get("chi2_bound") or c.get("chi2_bound")
                    tail = [f"{ue['mae']:.3f} / {ue['max']:.3f}",
                            f"{cp['chi2']:.3g}" + (f" ({bound:.3g})" if bound else ""),
                            f"{100 * c['pressure_rel']:+.2f} %" if k == 0 and c.get("pressure_rel") is not None
                            else ""]
                else:
                    tail = ["(not checked)", "", ""]
                print("| " + " | ".join(head + [pair] + tail) + " |")
    print()
    for method, label in METHODS:
        its = [i for i in reached[method] if i is not None]
        if reached[method]:
            med = statistics.median([i if i is not None else float("inf") for i in reached[method]])
            print(f"{label}: reached the noise level in {len(its)}/{len(reached[method])} systems; "
                  f"median iterations {med}")
    for newton, label in (("ihnc", "HNC + ihnc"), ("hncgn", "HNC + hncgn")):
        ratios = []
        for name, (it, st) in steps_of[newton].items():
            if it is not None and name in steps_of["ibi"]:
                ratios.append(steps_of["ibi"][name][1] / st)
        if ratios:
            print(f"MD steps of IBI (to noise, or all it ran when never) / {label} to noise: "
                  f"{', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f}; "
                  "a lower bound where IBI never got there)")
        for line in same_distance(out, names, newton):
            print("  to the same distance, " + line)
