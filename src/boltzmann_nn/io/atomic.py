"""Atomic file writes: a partly written file is never left behind."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def atomic_write(path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_json(path, obj, indent: int | None = None) -> Path:
    """Write ``obj`` as JSON atomically."""
    return atomic_write(path, json.dumps(obj, indent=indent, allow_nan=False) + "\n")
