"""Opening a dataset file (HDF5, written by ``dataset build``) with one-line errors."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

FORMAT = "boltzmann-nn dataset"


def open_dataset(path):
    """The open ``h5py.File`` of a dataset file (use it as a context manager).

    Raises:
        InputError: no such file, not HDF5, or not a boltzmann-nn dataset (names the file).
    """
    import h5py

    path = Path(path)
    if not path.exists():
        raise InputError("no such file", str(path))
    if not path.is_file():
        raise InputError("not a file", str(path))
    try:
        h5 = h5py.File(path, "r")
    except OSError as exc:
        raise InputError("not an HDF5 dataset file", str(path)) from exc
    if h5.attrs.get("format") != FORMAT:
        h5.close()
        raise InputError("not a boltzmann-nn dataset file", str(path))
    return h5
