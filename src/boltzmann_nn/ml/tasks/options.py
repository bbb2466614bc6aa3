"""The networks' option codes (paper Tables 1 and 2), parsed once into typed flags.

The letters mean different things for the two tasks (``e`` is an exp(−βU) *input* for
the EOS networks and an exp(−βÛ) *output* for the inverse ones; ``f`` is a force input
for one and a force term in the loss for the other), so each task has its own flag set.
A configuration keeps the code (it is what model cards and tables print) and hands its
``flags`` to everything that builds inputs, heads or losses.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..nets.eos_heads import eos_head

EOS_OPTIONS = ("x", "c", "e", "f", "i", "cf", "ci", "ef", "ei", "fi", "cfi", "efi")
#: Beyond the paper: ``k`` holds the force channel fixed inside the core (where U >= U_cut)
#: at its value where U crosses U_cut, so that the input does not depend on where a table
#: of the same potential starts; ``b`` adds the exact B2 (asinh-compressed) as a scalar
#: input, so that the network need not learn the integral that gives it; ``r`` (``Bn`` only)
#: makes the network's B2 a correction to the exact B2, saturated at ±B2_PRIOR_CAP so that
#: deep wells (B2 down to −10³) do not pin a truncated series to a value it cannot use.
EOS_OPTIONS_EXTRA = ("cfk", "cfik", "bcfk", "cfkr")
EOS_ALL = EOS_OPTIONS + EOS_OPTIONS_EXTRA
INVERSE_OPTIONS = ("x", "b", "e", "f", "be", "bf", "ef", "bef")
#: Beyond the paper: ``h`` adds the HNC inversion of g(r) as a second input channel;
#: ``r`` makes the output a correction to a physical first guess (U_HNC with ``h``,
#: else U0 with ``b``); ``d`` (with ``r``) weighs that correction by the density where g(r)
#: informs (``nets.outputs.residual_gate``: HNC's missing bridge function is O(ρ²)).
INVERSE_OPTIONS_EXTRA = ("hf", "bhf", "brf", "hrf", "hrdf")
#: Every inverse option code, in the order of the study's tables and figures.
INVERSE_ALL = INVERSE_OPTIONS + INVERSE_OPTIONS_EXTRA


def _letters(code: str, allowed) -> set[str]:
    if code not in allowed:
        raise ValueError(f"unknown options {code!r}; use one of {allowed}")
    return set(code) - {"x"}


@dataclass(frozen=True)
class EOSFlags:
    """EOS options (Table 1 and beyond): ``c`` capped input Ū = min(U, U_cut), ``e`` input
    exp(−βU), ``f`` force input, ``i`` P0 input, ``k`` core-invariant force input, ``b``
    exact-B2 input, ``r`` B2 output as a correction to the (saturated) exact B2.
    """

    code: str
    capped: bool
    exponential: bool
    force: bool
    p0: bool
    core_force: bool = False
    b2_input: bool = False
    b2_residual: bool = False

    @classmethod
    def parse(cls, code: str) -> EOSFlags:
        s = _letters(code, EOS_ALL)
        return cls(code, "c" in s, "e" in s, "f" in s, "i" in s, "k" in s, "b" in s, "r" in s)


@dataclass(frozen=True)
class InverseFlags:
    """Inverse options (Table 2 and beyond): ``b`` input U0 = −ln g instead of g, ``e``
    output exp(−βÛ), ``f`` force terms in the loss, ``h`` the HNC inversion as a second
    input, ``r`` output a correction to the first guess (U_HNC with ``h``, else U0), ``d``
    that correction weighed by the density where g(r) informs.
    """

    code: str
    boltzmann_input: bool
    exp_output: bool
    force_loss: bool
    hnc_input: bool
    residual: bool
    density_gate: bool = False

    @classmethod
    def parse(cls, code: str) -> InverseFlags:
        s = _letters(code, INVERSE_ALL)
        flags = cls(code, "b" in s, "e" in s, "f" in s, "h" in s, "r" in s, "d" in s)
        if flags.residual and not (flags.boltzmann_input or flags.hnc_input):
            raise ValueError("option r needs a first guess: b (U0) or h (HNC)")
        if flags.residual and flags.exp_output:
            raise ValueError("option r corrects U itself; it does not combine with e")
        if flags.density_gate and not flags.residual:
            raise ValueError("option d weighs the correction of option r; use it with r")
        return flags


def eos_options_for(strategy: str) -> list[str]:
    """The EOS option codes that apply to the head ``strategy`` (its ``refuses``: ``i``, the
    P0 input, not to Bn; ``r``, the B2 correction, only to Bn).
    """
    head = eos_head(strategy)
    return [o for o in EOS_ALL if head.accepts(o)]
