"""Refinement methods by name: each is one module with one :class:`RefinementMethod`
subclass and one line in :data:`METHODS`, which the loop, ``refine --method`` and the
refinement spec read. See docs/extending.md.
"""

from __future__ import annotations

from ...errors import InputError
from .base import RefinementMethod
from .hncgn import HNCGN
from .ibi import IBI
from .ihnc import IHNC
from .imc import IMC

#: name -> method (the first is the default).
METHODS: dict[str, RefinementMethod] = {m.name: m for m in (IHNC(), IBI(), IMC(), HNCGN())}
DEFAULT_METHOD = "ihnc"


def method_names() -> list[str]:
    return list(METHODS)


def get_method(name: str) -> RefinementMethod:
    """The refinement method called ``name``."""
    if name not in METHODS:
        raise InputError(f"unknown refinement method {name!r}; use one of {method_names()}")
    return METHODS[name]


