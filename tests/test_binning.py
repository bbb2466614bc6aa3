"""A run's g(r) is compared with a histogram target through the target's own bins."""

import numpy as np

from boltzmann_nn.refine.binning import shell_average
from boltzmann_nn.refine.compare import compare
from boltzmann_nn.refine.target import make_target


def _g(r):
    """A sharp first peak (as water's) on a damped oscillation."""
    return (1.0 / (1.0 + np.exp(-(r - 0.95) / 0.01))) * (
        1.0 + 2.0 * np.exp(-0.5 * ((r - 1.07) / 0.05) ** 2) + 0.2 * np.exp(-r) * np.sin(6.0 * r))


def _histogram(width, r_max=4.0):
    """Exact shell averages of :func:`_g` over bins of ``width`` (centres, values)."""
    centres = (np.arange(int(round(r_max / width))) + 0.5) * width
    vals = []
    for c in centres:
        x = np.linspace(c - width / 2, c + width / 2, 201)
        w = x**2
        vals.append(np.trapezoid(_g(x) * w, x) / np.trapezoid(w, x))
    return centres, np.array(vals)


def test_fine_histogram_averaged_over_coarse_bins_is_the_coarse_histogram():
    r_f, g_f = _histogram(0.005)
    r_c, g_c = _histogram(0.04)
    inner = (r_c > 0.2) & (r_c < 3.8)
    binned, _ = shell_average(r_f, g_f, np.zeros_like(g_f), 0.04, r_c[inner])
    point = np.interp(r_c[inner], r_f, g_f)
    assert np.max(np.abs(binned - g_c[inner])) < 2e-3
    # without the averaging the peak misses by about g''Δ²/24
    assert np.max(np.abs(point - g_c[inner])) > 10 * np.max(np.abs(binned - g_c[inner]))


def test_averaging_m_bins_shrinks_independent_errors_by_sqrt_m():
    r = (np.arange(400) + 0.5) * 0.01
    g_b, e_b = shell_average(r, np.ones_like(r), np.full_like(r, 0.02), 0.04, r[10:-10])
    assert np.allclose(g_b, 1.0)
    assert 0.0085 < np.median(e_b) < 0.0115  # 0.02/√(4…5 overlapping bins)
    assert shell_average(r, np.ones_like(r), np.full_like(r, 0.02), 0.012, r) is None  # nothing to average


def test_a_perfect_run_on_finer_bins_matches_a_histogram_target_within_noise():
    r_c, g_c = _histogram(0.04)
    r_f, g_f = _histogram(0.005)
    target = make_target(r_c, g_c, 0.8, err=np.full_like(g_c, 1e-3))
    err_f = np.full_like(g_f, 3e-3)
    c = compare(target, r_f, g_f, err_f, r_max=3.8)
    assert c.within_noise and c.max_dg < 3e-3
    # read at the target's points instead, the peak misses by far more than the noise
    peak = int(np.argmax(g_c))
    assert abs(np.interp(r_c[peak], r_f, g_f) - g_c[peak]) > 10 * c.max_dg_err


def test_one_local_step_through_the_bin_mixing_meets_the_bins_of_a_dilute_gas():
    """In the dilute limit g = exp(−U) exactly, and a potential on points spaced one bin
    apart (linear between them) shapes each bin's average through two hats. Solving the
    bins' log ratio for the points meets the target bins to second order; taking each
    bin's ratio as its point's change leaves a first-order miss on the steep first peak."""
    from boltzmann_nn.refine.binning import bin_mixing
    from boltzmann_nn.refine.updates import log_ratio_update

    width = 0.02
    grid = np.append((np.arange(150) + 0.5) * width, 3.0)
    fine = (np.arange(3000) + 0.5) * 0.001
    x = 0.9 / np.maximum(grid, 0.3)
    u_target = np.minimum(4.0 * (x**12 - x**6), 30.0)

    def bins(u):
        g = np.exp(-np.interp(fine, grid, u))
        return shell_average(fine, g, np.zeros_like(g), width, grid[:-1])[0], g

    g_target, _ = bins(u_target)
    u0 = u_target + 0.03 * np.exp(-((grid - 1.0) / 0.1) ** 2) - 0.02 * np.exp(-((grid - 0.9) / 0.05) ** 2)
    g0, g0_fine = bins(u0)
    w = bin_mixing(grid, width, fine, g0_fine)
    assert w.shape == (151, 151) and np.allclose(w.sum(axis=1), 1.0)
    assert bin_mixing(grid**1.1, width, fine, g0_fine) is None  # points not on the bins
    sure = np.full(g0.size, 1e-7)  # every difference significant: no smoothing
    inner = grid[:-1] < 2.5
    miss = {}
    for name, mixing in (("point", None), ("bins", w[:-1, :-1])):
        u1 = u0.copy()
        u1[:-1] += log_ratio_update(grid[:-1], g0, g_target, 0.01, err=sure, mixing=mixing)
        miss[name] = np.sqrt(np.mean((bins(u1)[0] - g_target)[inner] ** 2))
    before = np.sqrt(np.mean((g0 - g_target)[inner] ** 2))
    assert miss["point"] < 0.05 * before  # both steps are good first-order steps…
    assert miss["bins"] < 0.1 * miss["point"]  # …the (damped) solve an order of magnitude better
