"""Gauss–Newton with the HNC Jacobian and the pressure as a constraint (VOTCA's IIE
"gauss-newton" counterpart): one least-squares solve for the whole step,

    min ‖B J ΔU − (g_target − g_run)‖² + μ‖D² ΔU‖²   subject to   δP(ΔU) = P_target − P_run,
                                                                   ΔU(r_cut) = 0,

with J the HNC linear response at the run's own g(r) (on bins finer than the grid), B the
average over the target's bins (the rows are the quantities compared), δP the first-order
change of the virial pressure (at fixed g, plus through the change J ΔU of g) and μ a
curvature penalty, as large as the noise allows (:data:`CURVATURE`): it fixes ΔU where g(r)
cannot see it and keeps the step from fitting noise. Its fixed point is the structure
closest to the target, in the HNC metric, that has the target pressure; a Newton step for
g(r) followed by a ramp of fixed shape (``ihnc``) instead stops where the g step is the
negative of the ramp, and leaves the ramp's own response in g(r). Without a target pressure
the step is the unconstrained least-squares Newton step.

The residual enters as measured, bin by bin: denoising it first (a smoothing over 1.5 bins,
as ``ihnc`` does) cancels the alternating misfit of neighbouring bins at the steep first
peak, which is then never corrected (``spce/hncgn``: 0.0027 at best, against 0.0022 as
measured); the curvature penalty is what keeps the noise out of ΔU. A mixture's rows are
the matrix-OZ response of every g_ij to every U_kl and its pressure the mixture's virial;
several states stack their rows, one pressure constraint per state (:func:`gauss_newton`).
"""

from __future__ import annotations

import numpy as np

from ..linear_response import mixture_rows
from ..updates import G_RESOLVED
from .base import Direction, Residual
from .ihnc import IHNC

#: Weight of the curvature penalty relative to the mean diagonal of the normal matrix: the
#: least; the step takes the largest of ``CURVATURE × 10^k`` (k = 0…6) whose predicted misfit
#: is still within the noise (χ²/n ≤ 1 against the residual's errors), so that it never fits
#: noise (the limit of a large weight is a linear ramp per pair, the pressure met with the
#: least change of g).
CURVATURE = 1e-3
CURVATURE_STEPS = 7


def pressure_only(within_noise: bool, pressure_target: float | None) -> bool:
    """Whether the step moves the pressure alone: every g(r) is within the noise and only P
    is off. Nothing in g(r) is left to fit then, and the change of U that moves P without
    moving g is where the HNC response is least right: for a dense soft fluid (the binary
    Gaussian core at ρ = 1, HNC start within noise, P 13 % high) the constrained step met P
    and took g out of the noise (χ²/n 12–16), the ramp sized by the virial at fixed g met
    both. The step is then that ramp (``ihnc``'s pressure correction).
    """
    return within_noise and pressure_target is not None


def gauss_newton(parts: list) -> dict:
    """The constrained least-squares step ΔU of every pair from the residuals of one or more
    states.

    Args:
        parts: (residuals, pairs, x, energy, weight) per state: pair name → Residual (its U,
            g and pressures in that state's k_BT; every pair of a state shares the density
            and pressures), the (i, j, name) of the unordered pairs, the mole fractions, k_BT
            of the state in the unit ΔU is wanted in (ΔU changes the state's βU by
            ΔU / energy) and the weight of its rows. A mixture's rows are the matrix-OZ
            response of every g_ij to every U_kl; every state with a target pressure adds one
            constraint (the mixture's virial); several states stack their rows (the
            Gauss–Newton step for all of them at once).

    Returns:
        Pair name → ΔU on its grid, in the unit of ``energy``; below the first point any
        state's g_ij(r) sees, the value there.
    """
    pairs = parts[0][1]
    grids = {p: parts[0][0][p].grid for _, _, p in pairs}
    sizes = [grids[p].size for _, _, p in pairs]
    ends = np.cumsum(sizes)
    n = int(ends[-1])
    h = np.zeros((n, n))
    rhs = np.zeros(n)
    cons, vals = [np.eye(n)[e - 1] for e in ends], [0.0] * len(sizes)
    first = {p: grids[p].size for _, _, p in pairs}
    whitened = []  # (rows / err, residual / err, weight) per state: the predicted misfit in its noise
    for residuals, _, x, energy, weight in parts:
        res0 = residuals[pairs[0][2]]
        rows, p_vec = mixture_rows(grids, {p: r.u for p, r in residuals.items()}, res0.run_r,
                                   {p: r.run_g for p, r in residuals.items()}, pairs, x, res0.density)
        seen = np.concatenate([(residuals[p].g_run > G_RESOLVED) | (residuals[p].g_target > G_RESOLVED)
                               for _, _, p in pairs])
        b = np.concatenate([residuals[p].g_target - residuals[p].g_run for _, _, p in pairs])
        a = rows[seen] / energy
        h += weight * (a.T @ a)
        rhs += weight * (a.T @ b[seen])
        err = np.maximum(np.concatenate([residuals[p].err for _, _, p in pairs])[seen], 1e-4)
        whitened.append((a / err[:, None], b[seen] / err, weight))
        for k, (_, _, p) in enumerate(pairs):
            first[p] = min(first[p], int(np.argmax(seen[ends[k] - sizes[k]:ends[k]])))
        if res0.pressure_target is not None:
            cons.append(p_vec / energy)
            vals.append(res0.pressure_target - res0.pressure_run)
    curv = np.zeros((n - 2 * len(sizes), n))  # second differences within each pair's block
    row = 0
    for m, end in zip(sizes, ends):
        curv[row:row + m - 2, end - m:end] = np.diff(np.eye(m), 2, axis=0)
        row += m - 2
    curv = float(np.mean(np.diag(h))) * (curv.T @ curv)
    c = np.vstack(cons)
    zero = np.zeros((c.shape[0], c.shape[0]))
    total = sum(w * a.shape[0] for a, _, w in whitened)
    sol = None
    for k in range(CURVATURE_STEPS):
        kkt = np.block([[h + CURVATURE * 10.0**k * curv, c.T], [c, zero]])
        trial = np.linalg.lstsq(kkt, np.concatenate([rhs, vals]), rcond=None)[0][:n]
        misfit = sum(w * float(np.sum((a @ trial - b) ** 2)) for a, b, w in whitened) / max(total, 1)
        if misfit > 1.0:  # beyond the noise: keep the last within it (the least smoothing if none)
            sol = trial if sol is None else sol
            break
        sol = trial
    out = {}
    for k, (_, _, p) in enumerate(pairs):
        du = sol[ends[k] - sizes[k]:ends[k]].copy()
        du[:first[p]] = du[first[p]]  # the core moves with the first point g(r) sees
        out[p] = du
    return out


class HNCGN(IHNC):
    name = "hncgn"
    summary = "Gauss-Newton with the HNC Jacobian, the target pressure a constraint"
    fitted_step = True

    def direction(self, res: Residual) -> Direction:
        if res.run_r is None:
            return super().direction(res)
        if pressure_only(res.within_noise, res.pressure_target):
            return Direction(np.zeros_like(res.grid))
        du = gauss_newton([({"A-A": res}, [(0, 0, "A-A")], [1.0], 1.0, 1.0)])["A-A"]
        return Direction(du, with_pressure=res.pressure_target is not None)
