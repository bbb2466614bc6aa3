"""Shared CLI plumbing: --json/--debug, one-line errors, JSON output."""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import ConvergenceError, InputError
from ..io.atomic import jsonable


def common_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout, nothing else")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    return p


#: Help of a positional potential argument.
POTENTIAL_HELP = "named potential (e.g. lj:epsilon=0.5,rcut=5) or table file"
#: Help of --density where physical units may be given.
DENSITY_HELP = "number density (sigma^-3, or length-unit^-3 with --sigma)"


def add_no_progress(p) -> None:
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def emit(args, data: dict, human) -> None:
    """Print ``data`` as JSON (with --json) or call ``human(data)`` for text output."""
    if args.json:
        sys.stdout.write(json.dumps(jsonable(data)) + "\n")
    else:
        human(data)


def one_line(text) -> str:
    """``text`` on one line (newlines folded), at most 400 characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= 400 else flat[:397] + "..."


def run_guarded(func, args) -> int:
    """Run a subcommand. User errors become one line on stderr and exit code 2; anything
    unexpected becomes one line naming the command and the error, exit code 1. A
    traceback only with ``--debug``.
    """
    command = getattr(args, "command", None) or "boltzmann-nn"
    warning = threads_warning(getattr(args, "threads", None))
    if warning:
        print(f"boltzmann-nn: warning: {warning}", file=sys.stderr)
    try:
        code = func(args)
        return 0 if code is None else int(code)
    except InputError as exc:
        if args.debug:
            raise
        print(f"boltzmann-nn: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except ConvergenceError as exc:
        if args.debug:
            raise
        print(f"boltzmann-nn: did not converge: {one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("boltzmann-nn: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if args.debug:
            raise
        print(f"boltzmann-nn {command}: unexpected error: {type(exc).__name__}: {one_line(exc)} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 1


def threads_warning(threads, cores: int | None = None, load: float | None = None) -> str | None:
    """A warning when ``threads`` exceed the cores this process may use, or the cores the
    machine's load leaves free (MD threads on a busy machine run slower than one).
    """
    import os

    if not threads or threads <= 1:
        return None
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if threads > cores:
        return f"--threads {threads} exceeds the {cores} cores available; the run will be slower, not faster"
    if load is None:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    free = cores - load
    if threads > max(free, 1.0) + 0.5:
        return (f"--threads {threads} on a busy machine (load {load:.1f} on {cores} cores): threads that "
                "wait for a core make MD slower than --threads 1")
    return None


def fmt_list(values, digits: int = 5) -> str:
    return ", ".join(f"{v:.{digits}g}" for v in values)
