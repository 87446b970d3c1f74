"""The full gradient's sums: exact (as R's long double sums, to well below a double's
last bit) on every path of the compiled kernel and on each copy of its block loop (AVX-512,
AVX2, baseline: those this processor runs), the same bits on each copy, and the data layouts
the methods use."""

import math
import os
import platform
import subprocess
import sys
import sysconfig

import numpy as np
import pandas as pd
import pytest

import graddescent as gd
from graddescent import _sums
from graddescent._sums import FullGradient, column_bounds
from graddescent.drivers import _mbgd_batches


def r_terms(cols, theta):
    """R's residuals, ``((theta1 + x1 theta2) + x2 theta3 ...) - y`` rounded step by step
    (numpy's elementwise arithmetic: no fused multiply-add), and the gradient's terms."""
    e = np.full(cols.shape[1], theta[0])
    for j in range(1, len(theta)):
        e = e + cols[j - 1] * theta[j]
    e = e - cols[-1]
    return [e] + [e * cols[j - 1] for j in range(1, len(theta))] + [e * e]


def exact_means(cols, theta, lo=0, hi=None):
    """The sums, correctly rounded (fsum); the loss (the last) is a plain double sum, so
    it is compared to a relative 1e-12."""
    hi = cols.shape[1] if hi is None else hi
    return [math.fsum(t[lo:hi]) / (hi - lo) for t in r_terms(cols, theta)]


def run_gradient(cols, theta, lo=0, hi=None, gradient=None, rows=None):
    g, loss = (gradient or FullGradient(np.ascontiguousarray(cols)))(theta, lo, hi, rows=rows)
    return list(g) + [loss]


def assert_exact(ours, exact, terms, rows, what):
    for j, (a, b, t) in enumerate(zip(ours[:-1], exact[:-1], terms)):
        # correctly rounded, up to one rounding of the total and the division by rows, and
        # an error far below R's long double sum's (2^-64 of its running sum)
        slack = 2 * math.ulp(b) + 2.0**-90 * np.abs(t).max()
        assert abs(a - b) <= slack, f"{what}: sum {j}: {a!r} != {b!r}"
    assert ours[-1] == pytest.approx(exact[-1], rel=1e-12), f"{what}: loss"


@pytest.mark.parametrize("inputs", [1, 2, 3, 6])
@pytest.mark.parametrize("rows", [1, 2, 7, 4095, 4096, 4097, 9000])
def test_gradient_sums_are_exact(inputs, rows, vector_path):
    rng = np.random.default_rng(rows * 10 + inputs)
    cols = rng.standard_normal((inputs + 1, rows)) * 10.0 ** rng.integers(-3, 4, (inputs + 1, 1))
    theta = rng.standard_normal(inputs + 1)
    assert_exact(run_gradient(cols, theta), exact_means(cols, theta), r_terms(cols, theta), rows,
                 f"{inputs} inputs, {rows} rows")


@pytest.mark.parametrize("scale", [1e-300, 1e-250, 1e-150, 1e-8, 1.0, 1e8, 1e150, 1e290])
def test_gradient_sums_are_exact_at_every_magnitude(scale, vector_path):
    """Tiny and huge values take the compensated fallback where the grids would underflow
    or overflow; both paths give the exact sums."""
    rng = np.random.default_rng(7)
    cols = rng.standard_normal((3, 5000)) * scale
    theta = rng.standard_normal(3)
    theta[0] *= scale
    with np.errstate(over="ignore"):
        terms = r_terms(cols, theta)
    ours = run_gradient(cols, theta)
    if scale > 1e200:  # the products overflow to +-inf, in R too: their sums are NaN
        assert [math.isfinite(v) for v in ours] == [True, False, False, False]
        assert ours[0] == pytest.approx(math.fsum(terms[0]) / 5000, rel=1e-15)
    else:
        assert_exact(ours, exact_means(cols, theta), terms, 5000, f"scale {scale}")


def test_gradient_sums_are_exact_under_cancellation(vector_path):
    """A near-perfect fit: residuals a billion times smaller than the terms they come from,
    whose sums cancel again (the case where R's extended precision decides the digits)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 6000)) * 1e3
    theta = np.array([1e-3, 2.5, -0.75])
    y = theta[0] + x[0] * theta[1] + x[1] * theta[2] + rng.standard_normal(6000) * 1e-9
    cols = np.vstack([x, y])
    assert_exact(run_gradient(cols, theta), exact_means(cols, theta), r_terms(cols, theta), 6000, "cancellation")


def test_gradient_over_a_slice_of_rows(vector_path):
    """MBGD's batches: sums over rows lo..hi-1 only."""
    rng = np.random.default_rng(5)
    cols = rng.standard_normal((4, 10000))
    theta = rng.standard_normal(4)
    for lo, hi in ((0, 1), (3, 4100), (4095, 8193), (9999, 10000)):
        terms = [t[lo:hi] for t in r_terms(cols, theta)]
        assert_exact(run_gradient(cols, theta, lo, hi), exact_means(cols, theta, lo, hi), terms, hi - lo,
                     f"rows {lo}..{hi}")


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan, 1e308])
def test_gradient_with_non_finite_or_overflowing_theta(bad):
    """A diverged theta: the fallback gives what R's sums give (inf, -inf or NaN), never a
    finite number made up by the grids."""
    cols = np.random.default_rng(2).standard_normal((3, 300))
    theta = np.array([0.5, bad, 0.25])
    with np.errstate(all="ignore"):
        exact = [np.sum(t.astype(np.longdouble)) / 300 for t in r_terms(cols, theta)]
    ours = run_gradient(cols, theta)
    for a, b in zip(ours, exact):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(float(b), rel=1e-12)


def test_column_bounds():
    x = np.random.default_rng(1).standard_normal((4, 1001))
    x[2, 5], x[3] = -1e300, 0.0
    x[1, 17] = -5e-324
    np.testing.assert_array_equal(column_bounds(x), np.abs(x).max(axis=1))


# --------------------------------------------------------------------------- data layouts

def test_full_gradient_methods_read_a_dataframe_without_copying_it():
    frame = pd.DataFrame(np.random.default_rng(0).standard_normal((50, 3)), columns=["a", "b", "y"])
    cols = gd.data.as_data(frame).by_column()
    assert cols.flags.c_contiguous and cols.shape == (3, 50)
    np.testing.assert_array_equal(cols, frame.to_numpy().T)


def test_layouts_give_the_same_numbers():
    """A C-ordered array, its Fortran-ordered copy and a DataFrame: the same fit, for every
    method family (the data is read by row or by column, copied at most once)."""
    values = np.random.default_rng(4).standard_normal((120, 4))
    sources = [values, np.asfortranarray(values), pd.DataFrame(values)]
    for name in ("GD", "MBGD", "AGD", "SGD", "SVRG", "SARAH"):
        fits = [getattr(gd, name)(source, maxIter=20, seed=3) for source in sources]
        for fit in fits[1:]:
            np.testing.assert_array_equal(fit, fits[0])


@pytest.mark.parametrize("m, n_batch, batches", [
    (1055, 2, [(0, 527), (527, 1054)]),  # the SPEC's example: R's row 1055 is never used
    (10, 3, [(0, 3), (3, 6), (6, 9)]),  # a fractional size, 3.33 rows: R's lo:hi of 1:3.33, 4.33:6.67, 7.67:10
    (7, 7, [(i, i + 1) for i in range(7)]),
])
def test_mbgd_batches_are_rs_slices_of_the_shuffle(m, n_batch, batches):
    """MBGD's batches are slices of R's shuffle (cut by R's sequence arithmetic), as sorted
    data rows: a batch's exact sum does not depend on the order of its rows."""
    perm = np.random.default_rng(m).permutation(m)
    rows, starts = _mbgd_batches(perm, n_batch)
    assert starts.tolist() == [0] + list(np.cumsum([hi - lo for lo, hi in batches]))
    for b, (lo, hi) in enumerate(batches):
        np.testing.assert_array_equal(rows[starts[b]:starts[b + 1]], np.sort(perm[lo:hi]))


@pytest.mark.parametrize("inputs", [1, 2, 6])
@pytest.mark.parametrize("case", ["grids", "tiny residuals", "huge terms"])
def test_gradient_over_chosen_rows(inputs, case, vector_path):
    """MBGD's batches: sums over a list of rows, exact, and the same (to the bit, on the
    grids) in any order of the list. Residuals near 1e-280 and terms near 1e300 take the
    compensated fallback (a grid would underflow or the sums could overflow)."""
    rng = np.random.default_rng(inputs)
    x_scale, theta_scale = {"grids": (1.0, 1.0), "tiny residuals": (1.0, 1e-280), "huge terms": (1e100, 1e100)}[case]
    cols = rng.standard_normal((inputs + 1, 9000)) * x_scale
    theta = rng.standard_normal(inputs + 1) * theta_scale
    cols[-1] = theta[0] + theta[1:] @ cols[:-1] + rng.standard_normal(9000) * theta_scale * x_scale
    rows = rng.choice(9000, 5000, replace=False)
    with np.errstate(over="ignore", under="ignore"):
        terms = [t[rows] for t in r_terms(cols, theta)]
        ours = run_gradient(cols, theta, rows=np.sort(rows))
        shuffled = run_gradient(cols, theta, rows=rows)
    exact = [math.fsum(t) / 5000 for t in terms[:-1]]
    assert all(v != 0 for v in exact)
    if case == "huge terms":  # e^2 overflows, as in R: the loss is inf
        assert ours[-1] == math.inf
        ours, shuffled, exact, terms = ours[:-1] + [1.0], shuffled[:-1] + [1.0], exact + [1.0], terms[:-1]
    else:
        exact.append(math.fsum(terms[-1]) / 5000)
    assert_exact(ours, exact, terms, 5000, f"{inputs} inputs, {case}")
    if case == "grids":
        assert shuffled == ours
    else:  # (the fallback sums in row order: the same to rounding)
        assert_exact(shuffled, exact, terms, 5000, f"{inputs} inputs, {case}, shuffled")


# --------------------------------------------------------------------------- each copy of the block loop

PATHS = _sums._vector_paths()


def sums_on_each_path(calls):
    """``calls(gradient)``'s sums (a list of (gradient, loss)) on each copy of the block loop
    this processor runs, each on a new FullGradient: their bytes, by copy."""
    out = {}
    for path in PATHS:
        previous = _sums._use_vector_path(path)
        try:
            out[path] = [np.asarray(g).tobytes() + np.float64(loss).tobytes() for g, loss in calls()]
        finally:
            _sums._use_vector_path(previous)
    return out


@pytest.mark.parametrize("inputs", [1, 2, 3, 6])
def test_every_copy_of_the_block_loop_gives_the_same_bits(inputs):
    """The copies compiled for AVX-512, AVX2 and baseline x86-64 (those this processor runs):
    the same sums to the last bit, over all rows, a slice, chosen rows, with one or two inputs
    or more (the four compiled loops), on grids from the last call's norm or redone (theta
    jumping a millionfold: the guess too small, then too large), and in the fallback."""
    rng = np.random.default_rng(inputs)
    cols = rng.standard_normal((inputs + 1, 9000)) * 10.0 ** rng.integers(-3, 4, (inputs + 1, 1))
    thetas = [rng.standard_normal(inputs + 1) * scale for scale in (1.0, 1e6, 1e-3, 1.0, 1e300)]
    rows = rng.choice(9000, 5000, replace=False)

    def calls():
        gradient = FullGradient(np.ascontiguousarray(cols))
        with np.errstate(all="ignore"):
            return [call for theta in thetas for call in (gradient(theta), gradient(theta, 4095, 8193),
                                                          gradient(theta, rows=rows), gradient(theta, 7, 3000, rows))]

    sums = sums_on_each_path(calls)
    for path in PATHS:
        assert sums[path] == sums["default"], path


def test_the_widest_copy_the_processor_runs_is_chosen_at_load():
    """Every copy listed is one the processor has the instructions for (baseline last); the
    widest is chosen when the module loads, or the one GRADDESCENT_VECTOR_PATH names."""
    assert PATHS[-1] == "default" and len(set(PATHS)) == len(PATHS)
    if sys.platform == "linux" and platform.machine() == "x86_64":
        flags = next(line for line in open("/proc/cpuinfo") if line.startswith("flags")).split()
        assert set(PATHS[:-1]) <= set(flags)
        built_by_gcc = "gcc" in (os.environ.get("CC") or sysconfig.get_config_var("CC") or "")
        if built_by_gcc:  # (the copies are compiled by GCC for x86-64 Linux; elsewhere, one plain loop)
            runs = {"avx512f": "avx512f" in flags and "avx512dq" in flags, "avx2": "avx2" in flags}
            assert PATHS[:-1] == [f for f in ("avx512f", "avx2") if runs[f]]
    code = "from graddescent import _sums; print(_sums._use_vector_path('default'))"
    for setting, chosen in [(None, PATHS[0])] + [(p, p) for p in PATHS]:
        env = {k: v for k, v in os.environ.items() if k != "GRADDESCENT_VECTOR_PATH"}
        if setting is not None:
            env["GRADDESCENT_VECTOR_PATH"] = setting
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and done.stdout.strip() == chosen, (setting, done.stderr)
    env = {**os.environ, "GRADDESCENT_VECTOR_PATH": "avx1024"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and f"GRADDESCENT_VECTOR_PATH='avx1024': this processor runs {', '.join(PATHS)}" in (
        done.stderr)
    with pytest.raises(ValueError, match="this processor runs"):
        _sums._use_vector_path("avx1024")


def test_results_own_their_memory():
    """The compiled loops borrow their arguments' memory (no reference counts); what they
    give back must still be a proper array once the inputs are gone."""
    import gc

    for name in ("GD", "MBGD", "AGD", "SGD", "ADAM", "SVRG", "SSGD", "SARAH", "SARAHPlus"):
        values = np.random.default_rng(8).standard_normal((200, 3))
        expected = getattr(gd, name)(values.copy(), maxIter=15, seed=2)
        theta, loss = getattr(gd, name)(values, maxIter=15, seed=2, return_loss=True)
        del values
        gc.collect()
        np.random.default_rng(9).standard_normal((200, 3))  # reuse the freed memory
        np.testing.assert_array_equal(theta, expected)
        assert np.all(np.isfinite(loss)) and loss.size > 0
        theta[0, 0] = 1.0  # writeable


# --------------------------------------------------------------------------- any data

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import examples  # noqa: E402

_magnitudes = st.sampled_from([0.0, 5e-324, 1e-300, 1e-150, 1e-20, 1e-3, 1.0, 7.5, 1e3, 1e20, 1e150, 1e300,
                              1e307, 1.7e308])


@st.composite
def _problems(draw):
    """Data and theta whose columns and coefficients have unrelated magnitudes (zero,
    subnormal, huge), rows 1..300: the grids' bounds, the checks and the fallback."""
    rows, inputs = draw(st.integers(1, 300)), draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scale = np.array([draw(_magnitudes) for _ in range(inputs + 1)])[:, None]
    with np.errstate(over="ignore"):
        cols = rng.standard_normal((inputs + 1, rows)) * scale
    cols[~np.isfinite(cols)] = np.sign(cols[~np.isfinite(cols)]) * 1.7e308  # (the data is finite)
    if draw(st.booleans()):  # a near-perfect fit: residuals far below the terms
        theta = rng.standard_normal(inputs + 1)
        with np.errstate(all="ignore"):
            y = theta[0] + sum(cols[j] * theta[j + 1] for j in range(inputs)) + rng.standard_normal(rows) * 1e-9
        cols[-1] = np.where(np.isfinite(y), y, 0.0)
    else:
        with np.errstate(over="ignore"):
            theta = rng.standard_normal(inputs + 1) * np.array([draw(_magnitudes) for _ in range(inputs + 1)])
        theta[~np.isfinite(theta)] = 1.7e308
    return cols, theta


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_problems())
def test_gradient_sums_are_exact_for_any_data(problem):
    cols, theta = problem
    rows = cols.shape[1]
    gradient = FullGradient(np.ascontiguousarray(cols))
    with np.errstate(all="ignore"):
        terms = r_terms(cols, theta)
        ours = run_gradient(cols, theta, gradient=gradient)
        ours_again = run_gradient(cols, theta, gradient=gradient)  # the second call starts from the first's norm
    np.testing.assert_array_equal(ours, ours_again)  # (NaN where NaN)
    with np.errstate(all="ignore"):  # each copy of the block loop: the same bits
        sums = sums_on_each_path(lambda: [FullGradient(np.ascontiguousarray(cols))(theta)])
    assert all(sums[path] == sums["default"] for path in PATHS), problem
    for j, t in enumerate(terms[:-1]):
        if not np.all(np.isfinite(t)):  # R's long double sum of terms with an inf or a NaN: inf or NaN
            assert not math.isfinite(ours[j])
            continue
        try:
            exact = math.fsum(t) / rows
        except OverflowError:  # beyond double range on the way: R's long double sum holds it, and
            wide = float(np.sum(t.astype(np.longdouble))) / rows  # returns +-inf if it is beyond at the end
            assert ours[j] == wide or not math.isfinite(wide) and not math.isfinite(ours[j]), (j, ours[j], wide)
            continue
        if math.isfinite(exact):
            slack = 2 * math.ulp(exact) + 2.0**-90 * np.abs(t).max()
            assert abs(ours[j] - exact) <= slack, (j, ours[j], exact)
        else:
            assert ours[j] == exact


def test_gradient_sums_beyond_double_range_on_the_way():
    """R's long double sum holds partial sums beyond double's range: residuals of 1e308
    that cancel sum to 0 (the port's compensated fallback, scaled), and a total beyond
    the range is +-inf, as R's sum returns it."""
    y = np.array([-1e308, -1e308, 1e308, 1e308, -3.0])
    cols = np.vstack([np.zeros(5), y])
    theta = np.zeros(2)
    g = run_gradient(cols, theta)
    assert g[0] == 3.0 / 5  # e = -y: 1e308 + 1e308 - 1e308 - 1e308 + 3
    assert g[2] == math.inf  # the loss: (1e308)^2 overflows in double, for R too
    g = run_gradient(np.vstack([np.zeros(3), np.array([-1e308, -1e308, -1.0])]), theta)
    assert g[0] == math.inf  # 2e308 + 1: beyond double's range, R's sum() returns Inf
