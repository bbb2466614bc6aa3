"""Parsing numeric column files with clear, one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import InputError

_SPLIT = re.compile(r"[,\s;]+")
#: A data row "r value flag" as VOTCA writes (flag: one letter, e.g. i, o, u).
FLAGGED_ROW = re.compile(r"^\s*[-+0-9.eE]+[\s,]+[-+0-9.eE]+[\s,]+[a-zA-Z]\s*$")


def read_text(path) -> str:
    path = Path(path)
    try:
        return path.read_text()
    except FileNotFoundError as exc:
        raise InputError("no such file", str(path)) from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, expected a file", str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError("not a text file", str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", str(path)) from exc


def parse_columns(text: str, source: str, *, comments: str = "#", min_cols: int = 2,
                  flag_column: bool = False) -> tuple[list[str] | None, np.ndarray]:
    """Numeric rows of a text table.

    Lines starting with a comment character are skipped; a first non-comment line that
    is not numeric is taken as a header (column names). With ``flag_column`` a trailing
    non-numeric column (VOTCA's i/o/u flags) is dropped.

    Returns:
        ``(header, data)`` with data shape (n_rows, n_cols).
    """
    header = None
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s[0] in comments:
            continue
        parts = [p for p in _SPLIT.split(s) if p]
        if flag_column and parts and re.fullmatch(r"[A-Za-z]", parts[-1]):
            parts = parts[:-1]
        try:
            rows.append([float(p) for p in parts])
        except ValueError:
            if header is None and not rows:
                header = [p.strip().lower() for p in parts]
                continue
            bad = next(p for p in parts if not _is_float(p))
            raise InputError(f"line {lineno}: non-numeric value {bad!r}", source) from None
    if not rows:
        raise InputError("no numeric data found", source)
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise InputError(f"rows have different numbers of columns ({sorted(widths)})", source)
    data = np.array(rows, float)
    if data.shape[1] < min_cols:
        raise InputError(f"expected at least {min_cols} columns, found {data.shape[1]}", source)
    return header, data


def _is_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def check_grid(r, source: str, *, min_points: int = 5, allow_zero: bool = True) -> None:
    """Finite, >= 0, strictly increasing, enough points."""
    r = np.asarray(r, float)
    if r.size < min_points:
        raise InputError(f"too few points: {r.size} (need at least {min_points})", source)
    if not np.all(np.isfinite(r)):
        i = int(np.nonzero(~np.isfinite(r))[0][0])
        raise InputError(f"r is not finite at data row {i + 1}", source)
    if r[0] < 0 or (r[0] == 0 and not allow_zero):
        raise InputError(f"r must be {'>=' if allow_zero else '>'} 0, first value is {r[0]:g}", source)
    steps = np.diff(r)
    if np.any(steps <= 0):
        i = int(np.nonzero(steps <= 0)[0][0])
        kind = "duplicate" if steps[i] == 0 else "unsorted"
        raise InputError(f"{kind} r at data rows {i + 1}-{i + 2} ({r[i]:g}, {r[i + 1]:g})", source)


def check_finite(y, name: str, source: str) -> None:
    y = np.asarray(y, float)
    if not np.all(np.isfinite(y)):
        i = int(np.nonzero(~np.isfinite(y))[0][0])
        raise InputError(f"{name} is not finite at data row {i + 1} ({y[i]})", source)
