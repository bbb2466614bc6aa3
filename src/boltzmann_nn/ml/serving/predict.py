"""Predictions with the shipped (or any saved) models: the equation of state from U(r),
and the pair potential from g(r). Inputs in reduced or physical units.
"""

from __future__ import annotations

import warnings

import numpy as np

from ...errors import InputError
from ...grid import NN_GRID
from ...potentials.base import R_TABLE_MIN_SOFT
from ...potentials.spec import parse_potential
from ...potentials.table import PairTable
from ...theory.inversion import boltzmann_inversion, extend_core, first_peak
from ...theory.pressure import pressure_ramp
from ...theory.virial import b2 as exact_b2
from ...theory.virial import b3 as exact_b3
from ...theory.virial import low_density_pressure
from ...units import U_CUT, Units, check_density
from ..nets.eos_heads import eos_head
from ..pipeline.evaluation import sample_spread
from ..tasks.eos import eos_inputs
from ..tasks.features import gr_on_grid, hnc_on_grid
from ..tasks.inverse import inverse_inputs, uses_hnc
from .fine_grid import G_RESOLVED, fine_potential
from .results import EOSPrediction, PotentialPrediction
from .zoo import Shipped, load_model

_CACHE: dict = {}
#: Points of the MD table a predicted potential comes with (:func:`prediction_table`).
PREDICTION_TABLE_POINTS = 500


class DomainWarning(UserWarning):
    """The input lies outside the training distribution of the model."""


def shipped_model(task: str, name) -> Shipped:
    """The model ``name`` (shipped name or card path) of ``task``, loaded once (NumPy)."""
    key = (task, str(name))
    if key not in _CACHE:
        _CACHE[key] = load_model(name, task=task)
    return _CACHE[key]


def _warn(msgs: list, text: str):
    msgs.append(text)
    warnings.warn(text, DomainWarning, stacklevel=3)


def _exact_b3(pot) -> float | None:
    """The exact B3 [σ⁶] beside the network's effective coefficients (None if it fails)."""
    try:
        value = float(exact_b3(pot))
    except (InputError, ValueError, FloatingPointError):
        return None
    return value if np.isfinite(value) else None


def predict_eos(potential, densities, *, units: Units | None = None, model="eos") -> EOSPrediction:
    """Pressure at each density and the virial coefficients, from U(r).

    Args:
        potential: A spec string (named potential or table file), or a Potential.
        densities: Number densities (reduced, or in units.length_unit⁻³ with ``units``).
        units: Physical units of the table file and densities (default reduced).
        model: Shipped model name or a path to a model card.

    Returns:
        An :class:`~boltzmann_nn.ml.serving.results.EOSPrediction` (``to_dict()``: ``density`` and
        ``pressure`` lists (reduced), ``virial_coefficients`` (B2…Bn [σ^(3(i−1))]),
        ``B2_exact``, ``P0``, ``pressure_spread`` (ensemble), ``warnings``, and with physical
        units ``density_phys``/``pressure_phys``/``pressure_bar``).
    """
    units = units or Units()
    shipped = shipped_model("eos", model)
    cfg = shipped.config
    pot = parse_potential(potential, units=units) if isinstance(potential, str) else potential
    rho = np.atleast_1d(np.asarray(densities, float))
    if rho.size == 0 or np.any(~(rho > 0)) or not np.all(np.isfinite(rho)):
        raise InputError(f"densities must be > 0, got {rho.tolist()}")
    rho_red = units.to_reduced_density(rho)
    for value in np.atleast_1d(rho_red):
        check_density(value)
    msgs: list[str] = []
    dom = shipped.card.domain
    if isinstance(pot, PairTable):
        table = pot
    else:  # an infinite range is seen on the network's grid only
        r_tab = np.linspace(pot.table_start(), min(float(pot.r_cut), NN_GRID.r_max), 4000)
        table = PairTable(r_tab, *pot.evaluate(r_tab), check_force=False)
    u, f = table.on_grid(NN_GRID)
    if pot.r_cut > NN_GRID.r_max + 1e-9:
        _warn(msgs, f"the potential reaches r_cut = {pot.r_cut:.3g} sigma > 5 sigma; the network "
                    "sees only [0, 5 sigma] (trained on r_cut <= 5 sigma)")
    lo, hi = dom.get("density", [0.1, 1.0])
    if np.any(rho_red < lo) or np.any(rho_red > hi):
        _warn(msgs, f"densities outside the training range [{lo:.3g}, {hi:.3g}] sigma^-3 are extrapolated")
    u_cap = np.minimum(u, U_CUT)
    if u_cap.min() < dom.get("u_capped_min", -np.inf) - 1e-9:
        _warn(msgs, f"U reaches {u_cap.min():.3g} k_BT, below the training range "
                    f"(min {dom['u_capped_min']:.3g} k_BT)")
    b2 = exact_b2(pot)
    b3_value = _exact_b3(pot)
    n = rho_red.size
    inputs = eos_inputs(np.repeat(u[None], n, 0), np.repeat(f[None], n, 0), rho_red, np.full(n, b2), cfg)
    p, spread = shipped.predict(inputs)
    ood = shipped.card.spread_ood
    rel = np.asarray(spread) / np.maximum(np.abs(p), 0.01)
    if ood is not None and np.any(rel > ood):
        _warn(msgs, f"the ensemble disagrees (relative spread up to {rel.max():.2g}, above the "
                    f"{ood:.2g} that 99 % of the test set stays under): the input is likely outside "
                    "the training distribution")
    coefs, coef_spread = {}, None
    if eos_head(cfg.strategy).has_coefficients:
        coef, cs = shipped(lambda m, x: m.coefficients(x), {"x": inputs["x"][:1], "b2": inputs["b2"][:1]})
        coefs = {f"B{i + 2}": float(c) for i, c in enumerate(coef[0])}
        coef_spread = {f"B{i + 2}": float(c) for i, c in enumerate(cs[0])}
    else:
        # density-dependent effective coefficient: B2* = (βP − ρ)/ρ²
        coefs = {"B2_effective": ((p - rho_red) / rho_red**2).tolist()}
    return EOSPrediction(
        model=shipped.card.name, strategy=cfg.strategy, options=cfg.options, density=rho_red,
        pressure=np.asarray(p), pressure_spread=np.asarray(spread), b2_exact=b2,
        p0=low_density_pressure(rho_red, b2), potential=pot.describe(), virial_coefficients=coefs,
        virial_coefficients_spread=coef_spread, warnings=msgs, units=units, density_input=rho,
        b3_exact=b3_value)


def predict_potential(gr, density: float, *, units: Units | None = None, model="inverse",
                      fmt_in: str | None = None, pressure: float | None = None,
                      fine: bool = True) -> PotentialPrediction:
    """Pair potential from g(r) at a known density.

    g(r) alone does not fix the pressure: a tail of Û off by a few 0.01 k_BT leaves g
    within noise and moves P by O(1) k_BT/σ³. With ``pressure``, Û gets the linear ramp
    A (1 − r/r_cut) that brings its virial pressure with the given g(r) to it
    (:func:`~boltzmann_nn.theory.pressure.pressure_ramp`), no MD needed.

    Args:
        gr: A g(r) file (any format of :mod:`boltzmann_nn.io.gr`) or a pair (r, g).
        density: Number density (reduced, or in units.length_unit⁻³).
        units: Physical units of r and ρ, and of the output energies.
        pressure: The state's pressure, if known (reduced, or in the units' pressure
            unit): the prediction is made to meet it.
        fine: Tabulate a model that corrects HNC inversion at the resolution of the g(r)
            bins (:mod:`.fine_grid`); False: through the 50 grid values alone.

    Returns:
        A :class:`~boltzmann_nn.ml.serving.results.PotentialPrediction` (``to_dict()``: ``r``/``U``
        on the network grid (user units; the network's Û capped at U_cut), ``U0``
        (Boltzmann inversion), ``table`` (r, U, F ready for MD: a hard core, extended
        smoothly, from r = 0 up to where g first reaches 7·10⁻³ (:func:`core_from_origin`),
        force consistent; with ``fine``, at the g(r) bins' resolution),
        ``spread`` (ensemble), ``pressure_virial`` (the virial pressure
        of Û with the given g(r), before any ramp), with ``pressure``: ``pressure_target``
        and ``pressure_ramp`` (A), and ``warnings``).
    """
    from ...io.gr import read_gr

    units = units or Units()
    if isinstance(gr, (tuple, list)):
        r_raw, g_raw = (np.asarray(a, float) for a in gr)
        source = "g(r)"
    else:
        rdf = read_gr(gr, fmt_in)
        r_raw, g_raw, source = rdf.r * units.file_length_factor(rdf.length_unit), rdf.g, rdf.source
    if not (density > 0) or not np.isfinite(density):
        raise InputError(f"density must be > 0, got {density}")
    p_target = None if pressure is None else units.reduced_pressure(pressure)
    check_density(units.to_reduced_density(density) if units is not None else density)
    shipped = shipped_model("inverse", model)
    cfg = shipped.config
    dom = shipped.card.domain
    r = units.to_reduced_length(r_raw)
    rho = float(units.to_reduced_density(density))
    msgs: list[str] = []
    scale = units.sigma if not units.is_reduced else 1.0
    lu = units.length_unit if not units.is_reduced else "sigma"
    if r[-1] < 3.0:
        raise InputError(f"g(r) ends at {r[-1]:.3g} sigma; the network needs g up to 5 sigma "
                         f"(at least 3): use sigma <= {r_raw[-1] / 5:.3g} {lu} or a longer g(r)", source)
    if np.sum(r <= NN_GRID.r_max) < 10:
        raise InputError("fewer than 10 g(r) points inside [0, 5 sigma]", source)
    half_bin = 0.6 * float(np.median(np.diff(r)))
    if r[-1] < NN_GRID.r_max - max(half_bin, 1e-9):  # bin centres of a g(r) to 5 sigma end at 5 - dr/2
        _warn(msgs, f"g(r) ends at {r[-1]:.3g} sigma < 5 sigma; taken as 1 beyond (suggest "
                    f"sigma <= {r_raw[-1] / 5:.3g} {lu})")
        r = np.concatenate([r, [NN_GRID.r_max]])
        g_raw = np.concatenate([g_raw, [1.0]])
    peak = first_peak(r, g_raw)
    lo, hi = dom.get("first_peak", [0.8, 2.0])
    if not (lo <= peak <= hi):
        mid = dom.get("first_peak_median", 1.1)
        _warn(msgs, f"the first peak of g lies at {peak:.3g} sigma, outside the training range "
                    f"[{lo:.3g}, {hi:.3g}] sigma: suggest sigma = {peak * scale / mid:.3g} {lu}")
    lo, hi = dom.get("density", [0.125, 1.0])
    if not (lo <= rho <= hi):
        _warn(msgs, f"density {rho:.3g} sigma^-3 lies outside the training range [{lo:.3g}, {hi:.3g}]")
    g_nn = gr_on_grid(r, g_raw, NN_GRID.r)
    u_hnc = hnc_on_grid(r, g_raw, [rho], NN_GRID.r) if uses_hnc(cfg) else None
    inputs = inverse_inputs(g_nn, np.array([rho]), cfg, u_hnc)
    u_hat, spread = shipped.predict(inputs)
    u_hat, spread = u_hat[0], spread[0]
    ood = shipped.card.spread_ood
    mean_spread = float(sample_spread(u_hat, spread))
    if ood is not None and mean_spread > ood:
        _warn(msgs, f"the ensemble disagrees (mean spread {mean_spread:.2g} k_BT, above the {ood:.2g} "
                    "that 99 % of the test set stays under): the input is likely outside the "
                    "training distribution")
    u0 = boltzmann_inversion(g_nn[0])
    u_net = np.minimum(u_hat, U_CUT)
    # Û keeps the network's values where g is tiny, which are closer to U there than any cap
    # (measured in docs/networks.md, "Where g is tiny"); the MD table makes hard only the
    # core around r = 0 (see core_from_origin)
    core = core_from_origin(g_nn[0])
    r_tab, u_tab = NN_GRID.r, np.where(core, U_CUT, u_net)
    if fine and u_hnc is not None and cfg.flags.residual:
        r_tab, u_tab = fine_potential(r_tab, u_tab, u_hnc[0], r, g_raw, rho, core)
    table = prediction_table(r_tab, u_tab)
    ramp, p_virial = pressure_ramp(r, g_raw, table.evaluate(r)[1], rho,
                                   rho if p_target is None else p_target, table.r_cut)
    for text in _coverage_warnings(shipped, g_nn[0], rho, p_virial / rho):
        _warn(msgs, text)
    if p_target is None:
        ramp = 0.0
    else:
        table = add_ramp(table, ramp)
        u_net = u_net + ramp * np.clip(1.0 - NN_GRID.r / table.r_cut, 0.0, None)
        if abs(ramp) > RAMP_WARN:
            _warn(msgs, f"meeting P = {units.pressure(p_target):.4g} took a ramp of {units.energy(ramp):.3g} "
                        f"{units.energy_unit} at r = 0 (the virial of the network's U gave "
                        f"{units.pressure(p_virial):.4g}): check with validate")
    return PotentialPrediction(
        model=shipped.card.name, options=cfg.options, density=rho, r=NN_GRID.r.copy(), u=u_net,
        u_network=np.asarray(u_hat), spread=np.asarray(spread), u0=u0, table=table, r_g=r, g=g_raw,
        source=source, warnings=msgs, units=units, pressure_virial=p_virial, pressure_target=p_target,
        pressure_ramp=ramp, start_choice=_start_choice(r, g_raw, rho))


def _start_choice(r, g, rho: float):
    """The estimate ``refine --start auto`` would trust (None where g(r) is too coarse to say)."""
    from ...refine.start_rule import choose_start

    try:
        return choose_start(r, g, rho)
    except (ValueError, np.linalg.LinAlgError):
        return None


def _coverage_warnings(shipped, g_grid, rho: float, z_virial: float) -> list[str]:
    """Where the input lies outside the training data (:mod:`.coverage`)."""
    from .coverage import coverage_warnings, load_coverage

    dom = shipped.card.domain
    key = ("coverage", str(shipped.card_path))
    if key not in _CACHE and shipped.card_path is not None:
        _CACHE[key] = load_coverage(shipped.card_path, dom.get("structure", {}).get("sha256"))
    return coverage_warnings(dom, _CACHE.get(key), g_grid, rho, z_virial)


#: A pressure ramp taller than this [k_BT] is worth a warning: the network's tail was far off.
RAMP_WARN = 0.5


def add_ramp(table: PairTable, amplitude: float) -> PairTable:
    """``table`` with A (1 − r/r_cut) added to U and A/r_cut to F below r_cut."""
    inside = table.r <= table.r_cut
    return PairTable(table.r, table.U + amplitude * np.where(inside, 1.0 - table.r / table.r_cut, 0.0),
                     table.F + np.where(inside, amplitude / table.r_cut, 0.0), name=table.name,
                     check_force=False)


def core_from_origin(g) -> np.ndarray:
    """The grid points from r = 0 up to where g first reaches G_RESOLVED: a core that the
    network's loss never saw above U_cut, made hard in the MD table (``extend_core``).
    A barrier further out with g < G_RESOLVED keeps the network's values: inside it, the
    particles of a penetrable core (g(0) > 0) must be able to reach what the target holds.
    """
    g = np.asarray(g, float)
    above = np.nonzero(g >= G_RESOLVED)[0]
    first = int(above[0]) if above.size else g.size
    return np.arange(g.size) < first


def prediction_table(r, u, n: int = PREDICTION_TABLE_POINTS) -> PairTable:
    """An MD-ready table from a potential on a coarse grid: the core (U >= U_cut) extended
    smoothly and monotonically, a shape-preserving cubic (PCHIP) through the points, and
    F = −dU/dr from that cubic.
    """
    from ...pchip import Pchip

    r_e, u_e, _ = extend_core(r, u, r_min=0.0)
    spline = Pchip(r_e, u_e)
    # a soft core (U(0) < U_cut: particles overlap) is tabulated from r -> 0, as the
    # campaign's soft potentials are; a table that began at 0.05 sigma would stop MD
    # as soon as two particles came closer
    r_0 = R_TABLE_MIN_SOFT if u_e[0] < U_CUT else max(r_e[0], 0.05)
    r_t = np.linspace(r_0, r_e[-1], n)
    return PairTable(r_t, spline(r_t), -spline.slope(r_t), name="boltzmann-nn prediction",
                     check_force=False)
