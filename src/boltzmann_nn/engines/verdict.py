"""A run's verdict as a typed object: kept or not, why, and the measurements behind it.

The engines and the store keep the verdict as the flat ``flags`` dict of
:func:`~boltzmann_nn.engines.diagnostics.judge` (so stored campaign records and dataset
files read as before); :class:`Verdict` is how code reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Verdict:
    """Whether a run is kept, the reasons it is not, and the whole verdict record.

    Attributes:
        kept: The run passed every check (equilibrated, homogeneous, disordered,
            unclustered, not stopped early).
        reasons: Why it was dropped, one phrase each (empty when kept).
        details: The verdict record as judged: the checks and the numbers behind them.
    """

    kept: bool
    reasons: tuple[str, ...] = ()
    details: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, flags: dict | None) -> Verdict:
        """The verdict of a ``flags`` record (None or empty: not judged, not kept)."""
        flags = dict(flags or {})
        return cls(kept=bool(flags.get("kept", False)), reasons=tuple(flags.get("reasons", ())), details=flags)

    @property
    def why(self) -> str:
        """The reasons in one line ("" when kept)."""
        return ", ".join(self.reasons)

    def check(self, name: str) -> bool | None:
        """One check's outcome (``equilibrated``, ``homogeneous``, …), None where not made."""
        value = self.details.get(name)
        return None if value is None else bool(value)

    def to_dict(self) -> dict:
        """The flat record (as stored)."""
        return dict(self.details)
