"""What every pair potential offers: U and F on any r, a cutoff, and a table."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .analytic import REGISTRY
from .table import tabulate

#: Table start where the core diverges: the smallest r with U(r) <= this [k_BT]. Far
#: beyond anything reached in equilibrium, but a fluid collapsing into a deep well heats
#: up locally before the thermostat removes the heat, and collisions then reach a few
#: hundred k_BT into the core.
U_TABLE_MAX = 1.0e4
#: Table start for potentials that stay finite at r = 0 [σ]: as close to r = 0 as an MD
#: table may start (LAMMPS refuses r = 0). Two particles closer than this are stacked on
#: top of each other, which a campaign records as a physical outcome (clustering).
R_TABLE_MIN_SOFT = 1e-5


class Potential:
    """Base class: subclasses implement :meth:`evaluate` and set ``r_cut``."""

    r_cut: float

    def evaluate(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """U(r) [k_BT] and F(r) = −dU/dr [k_BT/σ] at r: (n,) [σ]; zero beyond r_cut."""
        raise NotImplementedError

    def describe(self) -> dict:
        """JSON-able description that identifies the potential."""
        raise NotImplementedError

    def u(self, r):
        return self.evaluate(r)[0]

    def table_start(self) -> float:
        """First r of an MD table: where U first drops below U_TABLE_MAX, else R_TABLE_MIN_SOFT."""
        r = np.linspace(R_TABLE_MIN_SOFT, self.r_cut, 50001)
        with np.errstate(over="ignore", invalid="ignore"):
            u = self.u(r)
        above = np.nonzero(~(u <= U_TABLE_MAX))[0]
        if above.size == 0:
            return R_TABLE_MIN_SOFT
        return float(r[min(above[-1] + 1, r.size - 1)])

    def tabulate(self, n: int = 4000, r_min: float | None = None, spacing: str = "r"):
        """A :class:`~boltzmann_nn.potentials.table.PairTable` on [r_min, r_cut].

        Args:
            n: Number of points.
            r_min: First point [σ]; default :meth:`table_start`.
            spacing: ``"r"`` (even in r) or ``"rsq"`` (even in r², as LAMMPS tables are).
        """
        return tabulate(self, n, r_min, spacing)

    @property
    def label(self) -> str:
        return self.describe().get("name", "potential")


#: Parameters that must be > 0 (lengths, widths, decay rates, exponents).
POSITIVE_PARAMS = {"sigma", "width", "alpha", "n", "m"}
#: Largest magnitude of any parameter: beyond it values overflow.
PARAM_MAX = 1e6


def check_params(name: str, params: dict, r_cut) -> None:
    """Refuse parameters that make U(r) undefined: non-finite or huge values, lengths and
    exponents <= 0, a negative screening rate, Mie with n <= m, a ramp ending at its core.
    """
    from ..errors import InputError

    spec = f"{name}:" + ",".join(f"{k}={v}" for k, v in params.items())
    for key, val in params.items():
        if isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val) \
                or abs(val) > PARAM_MAX:
            raise InputError(f"parameter {key} must be a finite number of magnitude <= {PARAM_MAX:g}, "
                             f"got {val!r}", spec)
        if key in POSITIVE_PARAMS and not val > 0:
            raise InputError(f"parameter {key} must be > 0, got {val}", spec)
    if params.get("kappa", 0.0) < 0:
        raise InputError(f"kappa must be >= 0, got {params['kappa']}", spec)
    if name == "mie" and not params["n"] > params["m"]:
        raise InputError(f"Mie needs n > m, got n = {params['n']}, m = {params['m']}", spec)
    if name == "ramp" and not params["radius"] > params["sigma"]:
        raise InputError(f"the ramp must end beyond its core: radius > sigma, got {params['radius']}", spec)
    if r_cut is not None and not (isinstance(r_cut, (int, float)) and r_cut > 0 and not math.isnan(r_cut)):
        raise InputError(f"r_cut must be > 0, got {r_cut!r}", spec)
    if r_cut is not None and math.isfinite(r_cut) and r_cut > 100:
        raise InputError(f"r_cut must be at most 100 sigma, got {r_cut}", spec)


@dataclass
class NamedPotential(Potential):
    """A potential from :data:`~boltzmann_nn.potentials.analytic.REGISTRY`, cut at r_cut.

    Args:
        name: Registry key (``lj``, ``wca``, ``soft``, ``gauss``, ``yukawa``, ``morse``,
            ``hertz``, ``hs``, ``ideal``).
        params: Parameters of the function, defaults filled in.
        r_cut: Cutoff [σ]; default the registry's.
        shift: Shift U so that U(r_cut) = 0 (forces unchanged).
    """

    name: str
    params: dict = field(default_factory=dict)
    r_cut: float | None = None
    shift: bool = True

    def __post_init__(self):
        func, defaults, rc, _ = REGISTRY[self.name]
        self._func = func
        self.params = {**defaults, **self.params}
        if self.r_cut is None:
            self.r_cut = rc
        check_params(self.name, self.params, self.r_cut)
        self._u_cut = float(func(np.array([self.r_cut]), **self.params)[0][0]) if self.shift else 0.0

    def evaluate_uncut(self, r):
        """U and F of the full potential, without cutoff or shift."""
        return self._func(np.asarray(r, float), **self.params)

    def evaluate(self, r):
        r = np.asarray(r, float)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            u, f = self._func(r, **self.params)
        inside = r <= self.r_cut  # the last table row carries U(r_cut) when unshifted
        return np.where(inside, u - self._u_cut, 0.0), np.where(inside, f, 0.0)

    def describe(self) -> dict:
        return {
            "kind": "named",
            "name": self.name,
            "params": dict(self.params),
            "r_cut": self.r_cut,
            "shift": self.shift,
        }
