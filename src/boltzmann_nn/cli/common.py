"""Shared CLI plumbing: --json/--debug, one-line errors, JSON output."""

from __future__ import annotations

import argparse
import json
import math
import sys

from ..errors import ConvergenceError, InputError


def common_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout, nothing else")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


def _clean(obj):
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "tolist"):
        return _clean(obj.tolist())
    return obj


def emit(args, data: dict, human) -> None:
    """Print ``data`` as JSON (with --json) or call ``human(data)`` for text output."""
    if args.json:
        sys.stdout.write(json.dumps(_clean(data)) + "\n")
    else:
        human(data)


def run_guarded(func, args) -> int:
    """Run a subcommand; user errors become one line on stderr and exit code 2."""
    try:
        code = func(args)
        return 0 if code is None else int(code)
    except InputError as exc:
        if args.debug:
            raise
        print(f"boltzmann-nn: error: {exc}", file=sys.stderr)
        return 2
    except ConvergenceError as exc:
        if args.debug:
            raise
        print(f"boltzmann-nn: did not converge: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("boltzmann-nn: interrupted", file=sys.stderr)
        return 130


def fmt_list(values, digits: int = 5) -> str:
    return ", ".join(f"{v:.{digits}g}" for v in values)
