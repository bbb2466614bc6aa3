"""Output heads of the EOS networks (paper §3.1), one small unit each, chosen by name.

A head says what the network outputs o mean: how many outputs it needs, whether ρ joins
the scalar inputs, which options apply, and how o becomes βP and (where it has them) the
virial coefficients B2…Bn. Its formulas are written once against an array namespace
``xp`` (:class:`ArrayOps`: ``concat``, ``stack``, ``sum``, ``sinh``, ``tanh``, ``asinh``),
so the PyTorch module (:class:`boltzmann_nn.ml.nets.heads.EOSNet`, ``xp`` = PyTorch) and its
NumPy twin (:class:`boltzmann_nn.ml.serving.numpy_nets.NumpyEOSNet`, ``xp`` = NumPy) ask the
head and neither tests a name.

To add a head: subclass :class:`EOSHead` with ``name``, ``n_outputs`` and ``pressure`` (and
``coefficients`` with ``has_coefficients = True``), and add an instance to
:data:`EOS_HEADS`; ``train eos --strategy``, the study grid (``ml/tasks/eos.py``), the
options that apply to it and both networks read this table. A model card's ``strategy``
is a key of this table. Importable without PyTorch or NumPy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .outputs import B2_PRIOR_CAP, B_SCALE


@dataclass(frozen=True)
class ArrayOps:
    """The array functions a head uses, with NumPy's keyword ``axis``."""

    concat: Callable  # (arrays, axis=) -> array
    stack: Callable  # (arrays, axis=) -> array
    sum: Callable  # (array, axis=) -> array
    sinh: Callable
    tanh: Callable
    asinh: Callable


class EOSHead:
    """How the outputs o, shape (b, n_outputs), of an EOS network become βP [k_BT/σ³].

    Attributes:
        name: The strategy's name (``--strategy``, a card's ``strategy``).
        takes_density: ρ joins the scalar inputs (then, by option, asinh βP0 and asinh B2).
        refuses: Option letters that do not apply to this head.
        exact_b2: Supports the physics-informed variant (exact B2, the network learns B3…Bn).
        has_coefficients: :meth:`coefficients` gives density-independent B2…Bn; such a head
            must not take ρ as an input.
    """

    name: str = ""
    takes_density: bool = True
    refuses: str = ""
    exact_b2: bool = False
    has_coefficients: bool = False

    def n_outputs(self, n_virial: int, exact_b2: bool) -> int:
        """Number of network outputs."""
        return 1

    def check(self, flags, exact_b2: bool) -> None:
        """Raise ValueError when the options (``EOSFlags``) or ``exact_b2`` do not apply."""
        for letter in sorted(set(flags.code) & set(self.refuses)):
            others = [n for n, h in EOS_HEADS.items() if letter not in h.refuses]
            raise ValueError(f"option {letter} ({OPTION_NAMES.get(letter, letter)}) applies to the "
                             f"{_strategies(others)} only")
        if exact_b2 and not self.exact_b2:
            others = [n for n, h in EOS_HEADS.items() if h.exact_b2]
            raise ValueError(f"exact_b2 applies to the {_strategies(others)} only")

    def accepts(self, code: str) -> bool:
        """Whether the option code applies to this head."""
        return not set(code) & set(self.refuses)

    def n_scalar_inputs(self, flags) -> int:
        """Number of scalar inputs (columns of :meth:`scalar_inputs`)."""
        return int(self.takes_density) + int(flags.p0) + int(flags.b2_input)

    def scalar_inputs(self, xp: ArrayOps, flags, density, b2, p0):
        """The scalar inputs joined after the branches, shape (b, k), or None: ρ (if the head
        takes it), asinh βP0 (option ``i``; βP0 spans ±10⁵), asinh B2 (option ``b``).
        """
        extra = [density[:, None]] if self.takes_density else []
        if flags.p0:
            extra.append(xp.asinh(p0[:, None]))
        if flags.b2_input:
            extra.append(xp.asinh(b2[:, None]))
        return xp.concat(extra, axis=1) if extra else None

    def pressure(self, xp: ArrayOps, o, density, b2, flags, exact_b2: bool):
        """βP, shape (b,), from the outputs o (b, n_outputs) and ρ (b,)."""
        raise NotImplementedError

    def coefficients(self, xp: ArrayOps, o, b2, flags, exact_b2: bool):
        """Virial coefficients B2…Bn, shape (b, n − 1) (heads with ``has_coefficients``)."""
        raise ValueError(f"the {self.name} strategy has no virial coefficients")


OPTION_NAMES = {"i": "P0 input", "r": "B2 as a correction", "b": "B2 input"}


def _strategies(names) -> str:
    names = list(names)
    if len(names) == 1:
        return f"{names[0]} strategy"
    return f"{', '.join(names[:-1])} and {names[-1]} strategies"


class Pressure(EOSHead):
    """``P``: βP = sinh(o(U, ρ[, P0])).

    asinh-scaled because βP spans four decades (10⁻¹ to 10³ k_BT/σ³ in our data); a linear
    output learned far worse.
    """

    name = "P"
    refuses = "r"

    def pressure(self, xp, o, density, b2, flags, exact_b2):
        return xp.sinh(o[:, 0])


class EffectiveB2(EOSHead):
    """``B2*``: βP = ρ + ρ² B2*(U, ρ[, P0]), B2* = B_SCALE · o (density dependent)."""

    name = "B2*"
    refuses = "r"

    def pressure(self, xp, o, density, b2, flags, exact_b2):
        return density + density**2 * B_SCALE * o[:, 0]


class Virial(EOSHead):
    """``Bn``: βP = ρ + Σ_{i=2}^{n} B_i ρ^i, B_i = B_SCALE · o_i(U) (density independent;
    the sum is a layer without parameters).

    With ``exact_b2``, B2 is the exact value from the potential and the network learns only
    B3…Bn (the physics-informed variant). Option ``r``: B2 = B2_PRIOR_CAP·tanh(B2_exact /
    B2_PRIOR_CAP) + B_SCALE·o₂ — the network corrects a physical prior instead of learning
    the integral from nothing (not with ``exact_b2``).
    """

    name = "Bn"
    takes_density = False
    refuses = "i"
    exact_b2 = True
    has_coefficients = True

    def n_outputs(self, n_virial, exact_b2):
        return n_virial - (2 if exact_b2 else 1)

    def check(self, flags, exact_b2):
        super().check(flags, exact_b2)
        if flags.b2_residual and exact_b2:
            raise ValueError("option r (B2 as a correction) applies to the Bn strategy without exact_b2")

    def coefficients(self, xp, o, b2, flags, exact_b2):
        out = B_SCALE * o
        if exact_b2:
            return xp.concat([b2[:, None], out], axis=1)
        if flags.b2_residual:
            prior = B2_PRIOR_CAP * xp.tanh(b2 / B2_PRIOR_CAP)
            return xp.concat([out[:, :1] + prior[:, None], out[:, 1:]], axis=1)
        return out

    def pressure(self, xp, o, density, b2, flags, exact_b2):
        coef = self.coefficients(xp, o, b2, flags, exact_b2)
        powers = xp.stack([density**i for i in range(2, coef.shape[1] + 2)], axis=1)
        return density + xp.sum(coef * powers, axis=1)


#: strategy name -> head; the order is the study's (tables, Fig. 3 columns).
EOS_HEADS: dict[str, EOSHead] = {h.name: h for h in (Pressure(), EffectiveB2(), Virial())}


def eos_head(strategy: str, flags=None, exact_b2: bool = False) -> EOSHead:
    """The head named ``strategy``; with ``flags``, checked against the options and
    ``exact_b2`` (ValueError for a head that cannot be built).
    """
    if strategy not in EOS_HEADS:
        raise ValueError(f"unknown strategy {strategy!r}; use one of {tuple(EOS_HEADS)}")
    head = EOS_HEADS[strategy]
    if flags is not None:
        head.check(flags, exact_b2)
    return head
