"""Atomic file writes: a partly written file is never left behind."""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Mode of written files: 0666 less the process umask (read once, at import).
FILE_MODE = 0o666 & ~_umask()


def _temp_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder (made if needed): (fd, name)."""
    from ..errors import InputError

    if path.is_dir():
        raise InputError("is a directory, expected a file name to write", str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"cannot write here: {exc.strerror or exc}", str(path)) from exc


def atomic_write(path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``."""
    path = Path(path)
    fd, tmp = _temp_beside(path)
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        with os.fdopen(fd, mode) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


@contextlib.contextmanager
def atomic_path(path):
    """A temporary path beside ``path`` for writers that need a file name (HDF5,
    safetensors); on success it replaces ``path``, on any error it is removed.

    Example::

        with atomic_path("data.h5") as tmp:
            with h5py.File(tmp, "w") as h5: ...
    """
    path = Path(path)
    fd, tmp = _temp_beside(path)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def jsonable(obj):
    """``obj`` with NaN/inf as None and numpy values as Python ones (strict JSON)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "tolist"):
        return jsonable(obj.tolist())
    return obj


def atomic_write_json(path, obj, indent: int | None = None) -> Path:
    """Write ``obj`` as strict JSON (NaN and inf become null) atomically."""
    return atomic_write(path, json.dumps(jsonable(obj), indent=indent, allow_nan=False) + "\n")



def check_out_folder(path, option: str = "--out") -> Path:
    """Refuse an output folder that cannot be made, before any long work starts: a file
    of that name, or a first existing ancestor that is a file or not writable.
    """
    from ..errors import InputError

    out = Path(path)
    if out.exists():
        if not out.is_dir():
            raise InputError(f"{option} must be a folder; a file of that name exists", str(out))
        if not os.access(out, os.W_OK):
            raise InputError(f"{option}: the folder is not writable", str(out))
        return out
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{option}: cannot make a folder inside {parent} (a file)", str(out))
    if not os.access(parent, os.W_OK):
        raise InputError(f"{option}: cannot make a folder in {parent} (not writable)", str(out))
    return out
