"""Sample weights (frequency weights): a row of weight w counts as w copies of it.

Whole weights give GD, MGD and AGD exactly the fit of the repeated rows (their gradients'
sums add a row's fixed-point words w times); a weight of 0 is the row left out, for every
method; weighted fits reach the weighted least-squares optimum; the methods that draw rows
match it in expectation (their row gradients times w_i / mean(w)).
"""

import math
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.model_selection import cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import graddescent as gd
from graddescent._sums import FullGradient, Weighting, column_sums, exact_total, mean_sd, r_mean_sd
from graddescent.catalog import METHODS
from graddescent.data import Dense
from graddescent.spectrum import exact_gram

ESTIMATORS = {name: getattr(gd, f"{name}Regressor") for name in METHODS}
EXACT = ("GD", "MGD", "AGD")  # the full-batch methods that draw nothing


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(25)
    X = rng.normal(size=(80, 3)) * [1.0, 3.0, 0.5] + [0.0, 2.0, -1.0]
    y = X @ [1.5, -0.7, 2.0] + 0.3 + rng.normal(scale=0.5, size=80)
    whole = rng.integers(0, 5, size=80).astype(float)
    return X, y, whole


def _fit(cls, X, y, w=None, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a stochastic fit's convergence warning is not what is tested)
        return cls(random_state=3, **params).fit(X, y, sample_weight=w)


def _weighted_lstsq(X, y, w):
    """The weighted least-squares coefficients (intercept first), by numpy on sqrt(w)-scaled rows."""
    root = np.sqrt(w)
    return np.linalg.lstsq(np.c_[np.ones(len(y)), X] * root[:, None], y * root, rcond=None)[0]


# --------------------------------------------------------------------------- the sums

def test_whole_weights_sum_exactly_as_repeated_rows(table):
    X, y, w = table
    values = np.c_[X, y]
    repeated = np.repeat(values, w.astype(int), axis=0)
    weighted, copies = Dense(np.asfortranarray(values), weights=w), Dense(np.asfortranarray(repeated))
    g1, g2 = weighted.gradient(), copies.gradient()
    rng = np.random.default_rng(0)
    for _ in range(5):
        theta = rng.normal(size=4) * 3
        a, b = g1(theta), g2(theta)
        np.testing.assert_array_equal(a[0], b[0])
        assert a[1] == b[1]
    np.testing.assert_array_equal(weighted.gram(), copies.gram())
    assert weighted.curvature() == copies.curvature()


def test_weighted_mean_and_sd_are_rs_of_the_repeated_rows(table):
    # R adds each copy to its long double sum one at a time; the weighted sum adds w * x once, so
    # the two round differently in long double's last bits: equal to a few units of double's.
    X, y, w = table
    values = np.c_[X, y]
    repeated = np.repeat(values, w.astype(int), axis=0)
    np.testing.assert_allclose(np.vstack(r_mean_sd(values, w)), np.vstack(r_mean_sd(repeated)), rtol=1e-14, atol=0)


def _exact_mean_sd(values, w):
    """R's weighted mean and sd from exact rational sums: the mean and the variance (divisor the
    double W - 1) correctly rounded, the sd the root of the rounded variance."""
    total = Fraction(exact_total(w))
    means, sds = [], []
    for x in values.T:
        mean = float(sum(Fraction(a) * Fraction(b) for a, b in zip(w, x)) / total)
        var = sum(Fraction(a) * (Fraction(b) - Fraction(mean)) ** 2 for a, b in zip(w, x)) / Fraction(
            float(total) - 1.0)
        means.append(mean)
        sds.append(math.sqrt(float(var)))
    return np.array([means, sds])


@pytest.mark.parametrize("kind", ["whole", "other"])
def test_weighted_mean_and_sd_are_exact_in_any_layout_path_and_split(kind, vector_path):
    """The weighted sums are exact sums on grids: each quotient is the exact one correctly rounded
    (to the bit, here), the same by column and by row, on each vector copy, and from Dask's
    pieces of any sizes; for whole weights, R's numbers of the repeated rows (to their rounding)."""
    da = pytest.importorskip("dask.array")
    import dask

    from graddescent.chunked import as_chunks

    rng = np.random.default_rng(26)
    m, k = 203, 5
    values = rng.standard_normal((m, k)) * 10.0 ** rng.integers(-3, 4, k) + rng.integers(-50, 50, k)
    values[:, 2] *= 1e-100  # (tiny and huge magnitudes: still on grids)
    values[:, 3] *= 1e150
    values[:, 4] = 7.25  # (no spread)
    w = rng.integers(1, 5, m).astype(float) if kind == "whole" else rng.uniform(0.01, 9.0, m)
    ours = np.vstack(r_mean_sd(np.asfortranarray(values), w))
    np.testing.assert_array_equal(ours, _exact_mean_sd(values, w))
    np.testing.assert_array_equal(np.vstack(r_mean_sd(np.ascontiguousarray(values), w)), ours)
    np.testing.assert_array_equal(np.vstack(r_mean_sd(values[:, ::-1], w))[:, ::-1], ours)  # (strided)
    if kind == "whole":
        repeated = np.repeat(values, w.astype(int), axis=0)
        np.testing.assert_allclose(ours, np.vstack(r_mean_sd(repeated)), rtol=1e-14, atol=0)
    with dask.config.set(scheduler="synchronous"):
        for chunks in [m, 1, 17, (5, 150, 1, 47)]:
            held = as_chunks(da.from_array(values, chunks=(chunks, -1))).weighted(w)
            np.testing.assert_array_equal(np.vstack(held.mean_sd()), ours)


def test_weighted_mean_and_sd_of_non_finite_or_huge_data_are_the_long_double_ones():
    """Where the grids cannot hold the terms (NaN or inf, magnitudes near double's ends), the
    long double sums of each term times its weight, as before."""
    rng = np.random.default_rng(27)
    values = rng.standard_normal((40, 4))
    values[3, 0], values[5, 1], values[:, 2] = np.nan, np.inf, values[:, 2] * 1e300
    values[:, 3] = values[:, 3] * 1e-200 - 3e-198  # (a variance below double's normal numbers)
    w = rng.uniform(0.5, 3.0, 40)
    with np.errstate(all="ignore"):
        ours = np.vstack(r_mean_sd(values, w))
        expected = np.vstack(mean_sd(lambda out, centre, power: column_sums(values, out, centre, power, w),
                                     exact_total(w), 4))
    np.testing.assert_array_equal(ours, expected)
    assert np.isnan(ours[:, 0]).all() and np.isfinite(ours[:, 2:]).all() and (ours[1, 2:] > 0).all()


def test_other_weights_sum_the_same_in_any_order(table):
    X, y, _ = table
    w = np.random.default_rng(1).uniform(0.1, 7.3, size=len(y))
    values = np.c_[X, y]
    order = np.random.default_rng(2).permutation(len(y))
    theta = np.array([0.3, -1.0, 2.0, 0.5])
    a = Dense(np.asfortranarray(values), weights=w).gradient()(theta)
    b = Dense(np.asfortranarray(values[order]), weights=w[order]).gradient()(theta)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1]


# The weighted sums' fast loops (columns summed a few at a time, the Gram matrix's blocks on each
# copy for a vector width, whole weights' block budget): the bits of their plain definitions.

@pytest.mark.parametrize("k, m", [(1, 37), (2, 37), (3, 37), (4, 37), (5, 37), (7, 37), (9, 37), (3, 1100),
                                  (7, 1100)])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("weighted", [False, True])
def test_column_sums_are_the_row_order_long_double_sums(k, m, order, weighted):
    """R's mean and sd's passes: each column's terms (x, x - c, (x - c)^2, times the row's weight)
    added one row after another in long double (numpy's longdouble is C's), whatever the layout,
    however many columns the loop sums at once, and over tiles of rows (by row: 512 at a time)."""
    rng = np.random.default_rng(k * 7 + weighted + m)
    values = np.asarray(rng.standard_normal((m, k)) * 10.0 ** rng.integers(-3, 4, k) + rng.integers(-5, 5, k),
                        order=order)
    w = rng.integers(1, 2049, m).astype(float) if k % 2 else rng.uniform(0.01, 30.0, m)
    centre = (values.astype(np.longdouble).sum(axis=0) / np.longdouble(3)).astype(np.longdouble)
    for power in (0, 1, 2):
        start = rng.standard_normal(k).astype(np.longdouble) / np.longdouble(7)
        ours = column_sums(values, start.copy(), centre if power else None, power, w if weighted else None)
        for j in range(k):
            total = start[j]
            for i in range(m):
                term = np.longdouble(values[i, j]) if power == 0 else np.longdouble(values[i, j]) - centre[j]
                term = term * term if power == 2 else term
                total = total + (np.longdouble(w[i]) * term if weighted else term)
            assert ours[j] == total, (power, j)


@pytest.mark.parametrize("values", [
    np.random.default_rng(0).uniform(0.5, 3.0, 10_000),
    np.random.default_rng(1).integers(1, 2049, 9_000).astype(float),
    np.random.default_rng(2).standard_normal(5_000) * 1e-300,
    np.random.default_rng(3).standard_normal(5_000) * 10.0 ** np.random.default_rng(3).integers(-200, 200, 5_000),
    np.array([1.0, 1e100, 1.0, -1e100]), np.array([2.0 ** 1000, 2.0 ** 1000]), np.array([0.1] * 3 + [1e-17]),
    np.array([]), np.array([0.0]), np.array([-0.0]), np.array([5e-324, 5e-324]), np.array([1.0, math.inf]),
    np.array([1.0, math.nan]), np.array([math.inf, -math.inf]), np.array([1.0 + 2.0 ** -52, 2.0 ** -53, 2.0 ** -105]),
])
def test_exact_total_is_fsum(values):
    try:
        expected = repr(math.fsum(values))
    except (ValueError, OverflowError) as error:
        with pytest.raises(type(error)):
            exact_total(values)
        return
    assert repr(exact_total(values)) == expected


def test_exact_total_of_random_sums_is_fsum():
    rng = np.random.default_rng(9)
    for _ in range(200):
        m = int(rng.integers(1, 3000))
        values = rng.uniform(0.0, 1.0, m) * 10.0 ** rng.integers(-3, 3, m) * rng.choice([-1.0, 1.0], m)
        assert repr(exact_total(values)) == repr(math.fsum(values))


@pytest.mark.parametrize("k", [1, 3, 6])
def test_weighted_gram_is_its_definition_on_each_copy(k, vector_path):
    """The weighted Gram matrix on each copy of its block loop: whole weights give that of the
    repeated rows bit for bit (over blocks of various weights, a block's weights at most the
    budget), other weights that of the products (w x_a) x_b, correctly rounded (fsum)."""
    rng = np.random.default_rng(k)
    m = 5000
    cols = np.ascontiguousarray(rng.standard_normal((k, m)) * 10.0 ** rng.integers(-3, 4, (k, 1)))
    whole = rng.integers(1, 2049, m).astype(float)
    whole[:3000] = rng.integers(1, 5, 3000)
    repeated = np.ascontiguousarray(np.repeat(cols, whole.astype(int), axis=1))
    np.testing.assert_array_equal(exact_gram(cols, weights=whole, weighting=Weighting.WHOLE), exact_gram(repeated))
    rows = rng.choice(m, 2000, replace=False)
    np.testing.assert_array_equal(exact_gram(cols, rows, weights=whole, weighting=Weighting.WHOLE),
                                  exact_gram(np.ascontiguousarray(np.repeat(cols[:, rows], whole[rows].astype(int),
                                                                            axis=1))))
    other = rng.uniform(0.01, 1.0, m)
    ours = exact_gram(cols, weights=other, weighting=Weighting.SCALED)
    ours_rows = exact_gram(cols, rows, weights=other, weighting=Weighting.SCALED)
    full = np.vstack([np.ones(m), cols])
    for a in range(k + 1):
        for b in range(a, k + 1):
            # (as cut: the weighted column w x_a, then times x_b; of the intercept's 1, w x_b)
            products = (other * full[a]) * full[b] if a > 0 else other * full[b]
            assert ours[a, b] == ours[b, a] == math.fsum(products) / math.fsum(other), (a, b)
            assert ours_rows[a, b] == ours_rows[b, a] == math.fsum(products[rows]) / math.fsum(other[rows]), (a, b)


def _weight_kinds(rng, m):
    """Whole weights in runs of one weight (grouped, of up to 2048, constant, a run then loose
    rows) and loose, each run's rows summed at once, the loose rows' words times their weights."""
    return {"grouped": np.sort(rng.integers(1, 5, m)).astype(float),
            "large grouped": np.sort(rng.choice([1.0, 5.0, 700.0, 2048.0], m)),
            "constant": np.full(m, 7.0),
            "run then loose": np.r_[np.full(m // 2, 3.0), rng.integers(1, 9, m - m // 2)].astype(float),
            "loose": rng.integers(1, 5, m).astype(float)}


def test_runs_of_one_weight_sum_exactly_as_repeated_rows(vector_path):
    rng = np.random.default_rng(7)
    m = 6000
    values = rng.standard_normal((m, 5)) * [1.0, 100.0, 0.01, 3.0, 2.0]
    for kind, w in _weight_kinds(rng, m).items():
        weighted = Dense(np.asfortranarray(values), weights=w)
        copies = Dense(np.asfortranarray(np.repeat(values, w.astype(int), axis=0)))
        g1, g2 = weighted.gradient(), copies.gradient()
        for theta in (rng.normal(size=5), rng.normal(size=5) * 1e6):
            a, b = g1(theta), g2(theta)
            np.testing.assert_array_equal(a[0], b[0], err_msg=kind)
            assert a[1] == b[1], kind
            for lo, hi in ((5, 4100), (2999, 3001), (100, m)):  # (ranges of rows that start or end in a run)
                part = Dense(np.asfortranarray(np.repeat(values[lo:hi], w[lo:hi].astype(int), axis=0))).gradient()
                np.testing.assert_array_equal(g1(theta, lo, hi)[0], part(theta)[0], err_msg=kind)
        np.testing.assert_array_equal(weighted.gram(), copies.gram(), err_msg=kind)


def test_grouping_by_weight_moves_whole_rows():
    rng = np.random.default_rng(8)
    m = 3000
    values = rng.standard_normal((m, 4)) * 3 + 1
    w = rng.integers(1, 6, m).astype(float)
    order = np.argsort(w, kind="stable")
    centre, spread = rng.normal(size=4), rng.uniform(0.5, 2.0, 4)
    index = pd.Index(rng.permutation(m) + 100)
    for in_place in (False, True):
        data = Dense(np.asfortranarray(values), index=index, weights=w)
        grouped = data.scaled(np.vstack([centre, spread]), in_place=in_place, grouped=True)
        np.testing.assert_array_equal(grouped.values, ((values - centre) / spread)[order])
        np.testing.assert_array_equal(grouped.weights, w[order])
        assert grouped.index.equals(index[order]) and grouped.total == data.total
    # rows grouped already, or weights that are not whole: nothing moves
    assert Dense(np.asfortranarray(values[order]), weights=w[order]).weight_order() == (None, None, None)
    assert Dense(np.asfortranarray(values), weights=w + 0.5).weight_order() == (None, None, None)


@pytest.mark.parametrize("method", EXACT)
def test_whole_weights_fit_the_same_in_any_order_of_the_rows(table, method):
    # (the rows are grouped by weight before the fit: from any order, the same sums)
    X, y, w = table
    w = w + 1
    shuffled = np.random.default_rng(4).permutation(len(y))
    a, b = _fit(ESTIMATORS[method], X, y, w), _fit(ESTIMATORS[method], X[shuffled], y[shuffled], w[shuffled])
    np.testing.assert_array_equal(a.theta_, b.theta_)
    assert a.n_iter_ == b.n_iter_


# --------------------------------------------------------------------------- the fits

@pytest.mark.parametrize("method", EXACT)
@pytest.mark.parametrize("scaling", [None, "minmax"])
def test_whole_weights_fit_exactly_as_repeated_rows(table, method, scaling):
    X, y, w = table
    rows = np.repeat(np.arange(len(y)), w.astype(int))
    weighted = _fit(ESTIMATORS[method], X, y, w, scaling=scaling)
    repeated = _fit(ESTIMATORS[method], X[rows], y[rows], scaling=scaling)
    np.testing.assert_array_equal(weighted.theta_, repeated.theta_)
    np.testing.assert_array_equal(weighted.coef_, repeated.coef_)
    assert weighted.n_iter_ == repeated.n_iter_ and weighted.converged_


@pytest.mark.parametrize("method", EXACT)
def test_whole_weights_fit_as_repeated_rows_with_rs_scaling(table, method):
    # R's variance scaling: its mean and sd of the repeated rows differ from the weighted ones in
    # their last bits (see test_weighted_mean_and_sd_are_rs_of_the_repeated_rows), so the fits
    # agree to that relative size, amplified by the fit's conditioning, not bit for bit.
    X, y, w = table
    rows = np.repeat(np.arange(len(y)), w.astype(int))
    weighted = _fit(ESTIMATORS[method], X, y, w)
    repeated = _fit(ESTIMATORS[method], X[rows], y[rows])
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-10)


@pytest.mark.parametrize("method", list(METHODS))
def test_zero_weight_is_the_row_left_out(table, method):
    X, y, _ = table
    w = np.ones(len(y))
    w[[3, 17, 40]] = 0
    kept = w > 0
    weighted = _fit(ESTIMATORS[method], X, y, w)
    dropped = _fit(ESTIMATORS[method], X[kept], y[kept])
    np.testing.assert_array_equal(weighted.theta_, dropped.theta_)
    np.testing.assert_array_equal(weighted.coef_, dropped.coef_)


@pytest.mark.parametrize("method", ["GD", "SGD", "SVRG"])
def test_unit_weights_are_no_weights(table, method):
    X, y, _ = table
    np.testing.assert_array_equal(_fit(ESTIMATORS[method], X, y, np.ones(len(y))).theta_,
                                  _fit(ESTIMATORS[method], X, y).theta_)


@pytest.mark.parametrize("method", ["GD", "AGD", "MGD", "SVRG", "SARAH"])
def test_weighted_fit_reaches_the_weighted_least_squares_optimum(table, method):
    X, y, _ = table
    w = np.random.default_rng(7).uniform(0.05, 9.0, size=len(y))
    fit = _fit(ESTIMATORS[method], X, y, w, tol=1e-9, max_iter="auto")
    assert fit.converged_ and fit.coef_error_ <= 1e-9
    target = _weighted_lstsq(X, y, w)
    unweighted = _weighted_lstsq(X, y, np.ones(len(y)))
    assert np.max(np.abs(target - unweighted)) > 1e-2  # (the weights matter here)
    # numpy's solution carries its own rounding (a backward-stable solve: condition x 1e-16)
    np.testing.assert_allclose(np.r_[fit.intercept_, fit.coef_], target, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("method", ["SGD", "ADAM", "SAGD"])
def test_single_row_methods_reach_the_weighted_fit_over_seeds(table, method):
    # Their averaged iterates carry the noise of a constant step (a bias of that order, weighted
    # or not), so over 20 seeds their mean is compared with the gap the weights make: the weighted
    # optimum's intercept is 1.4 away from the unweighted one; the mean lands within 10% of it.
    X, y, _ = table
    w = np.where(np.arange(len(y)) % 2 == 0, 1.0, 6.0)
    y = y + np.where(np.arange(len(y)) % 2 == 0, 2.0, -2.0)  # (so that the weights move the intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = np.array([np.r_[f.intercept_, f.coef_] for f in (
            ESTIMATORS[method](random_state=seed, max_iter=100, tol=None).fit(X, y, sample_weight=w)
            for seed in range(20))])
    target, unweighted = _weighted_lstsq(X, y, w), _weighted_lstsq(X, y, np.ones(len(y)))
    gap = np.abs(target - unweighted)
    assert gap[0] > 1
    assert np.all(np.abs(fits.mean(axis=0) - target) <= 0.1 * gap[0])
    assert np.abs(fits.mean(axis=0)[0] - unweighted[0]) > 0.9 * gap[0]


def test_a_weighted_step_is_the_weighted_gradient_in_expectation(table):
    # Over the rows drawn uniformly, a row's gradient times w_i / mean(w) averages to the
    # weighted gradient: exactly over all rows, statistically over draws.
    X, y, w = table
    data = Dense(np.c_[X, y], weights=w)
    theta = np.array([0.1, 0.2, -0.3, 0.4])
    inputs = np.c_[np.ones(data.m), data.values[:, :-1]]
    rows = inputs * ((inputs @ theta - data.values[:, -1]) * data.step_factors())[:, None]
    np.testing.assert_allclose(rows.mean(axis=0), data.gradient()(theta)[0], rtol=1e-12)
    draws = rows[np.random.default_rng(5).integers(0, data.m, size=20000)]
    error = draws.std(axis=0) / np.sqrt(len(draws))
    assert np.all(np.abs(draws.mean(axis=0) - data.gradient()(theta)[0]) <= 5 * error)


def test_partial_fit_zero_weight_is_the_row_left_out(table):
    X, y, _ = table
    w = np.ones(len(y))
    w[[0, 9]] = 0
    a = gd.SGDRegressor(random_state=1).partial_fit(X, y, sample_weight=w)
    b = gd.SGDRegressor(random_state=1).partial_fit(X[w > 0], y[w > 0])
    np.testing.assert_array_equal(a.coef_, b.coef_)
    a.partial_fit(X, y, sample_weight=w * 2)  # (a later batch, weighted)
    assert np.all(np.isfinite(a.coef_))


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("weights, words", [
    (lambda m: -np.ones(m), "negative"),
    (lambda m: np.r_[np.nan, np.ones(m - 1)], "not finite"),
    (lambda m: np.r_[np.inf, np.ones(m - 1)], "not finite"),
    (lambda m: np.zeros(m), "zero weight for every row"),
    (lambda m: np.ones(m - 1), "one weight per row"),
    (lambda m: np.ones((m, 2)), "one weight per row"),
    (lambda m: ["a"] * m, "numbers"),
])
@pytest.mark.parametrize("method", ["GD", "SGD"])
def test_bad_weights_are_refused_in_one_line(table, weights, words, method):
    X, y, _ = table
    with pytest.raises(ValueError, match=words) as caught:
        ESTIMATORS[method]().fit(X, y, sample_weight=weights(len(y)))
    assert "\n" not in str(caught.value)


def test_weights_adding_up_to_one_are_refused_for_rs_sd(table):
    X, y, _ = table
    with pytest.raises(ValueError, match="add up to more than 1"):
        gd.GDRegressor(random_state=0).fit(X, y, sample_weight=np.full(len(y), 1 / len(y)))
    gd.GDRegressor(scaling="minmax").fit(X, y, sample_weight=np.full(len(y), 1 / len(y)))  # (no sd: fine)


# --------------------------------------------------------------------------- scikit-learn's tools

def test_cross_validate_and_pipeline_route_the_weights(table):
    X, y, w = table
    scores = cross_validate(gd.GDRegressor(random_state=0), X, y, params={"sample_weight": w}, cv=3)
    assert np.all(np.isfinite(scores["test_score"]))
    pipe = make_pipeline(StandardScaler(), gd.GDRegressor(random_state=0)).fit(X, y, gdregressor__sample_weight=w)
    direct = gd.GDRegressor(random_state=0).fit(StandardScaler().fit_transform(X), y, sample_weight=w)
    np.testing.assert_array_equal(pipe[-1].coef_, direct.coef_)


def test_metadata_routing_requests_the_weights(table):
    X, y, w = table
    with sklearn.config_context(enable_metadata_routing=True):
        est = gd.GDRegressor(random_state=0).set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        scores = cross_validate(est, X, y, params={"sample_weight": w}, cv=3)
        assert np.all(np.isfinite(scores["test_score"]))
        pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=False),
                             gd.GDRegressor(random_state=0).set_fit_request(sample_weight=True))
        pipe.fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(pipe[-1].coef_, gd.GDRegressor(random_state=0).fit(
        StandardScaler().fit_transform(X), y, sample_weight=w).coef_)


def test_weights_as_a_series_or_list(table):
    X, y, w = table
    a = gd.GDRegressor(random_state=0).fit(X, y, sample_weight=pd.Series(w))
    b = gd.GDRegressor(random_state=0).fit(X, y, sample_weight=list(w))
    np.testing.assert_array_equal(a.coef_, b.coef_)


# --------------------------------------------------------------------------- the command line

def _cli(*args, cwd):
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "graddescent", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def files(table, tmp_path_factory):
    X, y, w = table
    folder = tmp_path_factory.mktemp("weights")
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "w": w, "c": X[:, 2], "y": y})
    frame.to_csv(folder / "weighted.csv", index=False)
    frame.loc[np.repeat(np.arange(len(y)), w.astype(int))].drop(columns="w").to_csv(folder / "repeated.csv",
                                                                                     index=False)
    return folder


@pytest.mark.parametrize("method", EXACT)
def test_cli_weights_fit_as_the_repeated_rows(files, method):
    import json
    common = ["--method", method, "--scaling", "minmax", "--seed", 4, "--json"]
    weighted = _cli("fit", "weighted.csv", "--weights", "w", *common, "--model-out", f"{method}.json", cwd=files)
    repeated = _cli("fit", "repeated.csv", *common, cwd=files)
    assert weighted.returncode == 0 and repeated.returncode == 0, weighted.stderr + repeated.stderr
    a, b = json.loads(weighted.stdout), json.loads(repeated.stdout)
    assert a["theta"] == b["theta"] and a["columns"] == b["columns"] == ["a", "b", "c", "y"]
    assert a["weights"] == "w" and b["weights"] is None
    assert a["train_rmse"] == pytest.approx(b["train_rmse"], rel=1e-12)  # (the weighted RMSE: the copies')
    assert a["least_squares"]["coefficients"] == pytest.approx(b["least_squares"]["coefficients"], rel=1e-9)
    model = json.loads((files / f"{method}.json").read_text())
    assert model["weights"] == "w" and "w" not in model["columns"]
    predicted = _cli("predict", f"{method}.json", "weighted.csv", cwd=files)
    assert predicted.returncode == 0 and len(predicted.stdout.splitlines()) == 81  # (a header, 80 rows)


def test_cli_report_says_weighted(files):
    fit = _cli("fit", "weighted.csv", "--weights", "w", cwd=files)
    assert fit.returncode == 0 and "weighted by column 'w'" in fit.stdout
    compare = _cli("compare", "weighted.csv", "--weights", "w", "--methods", "GD,SGD", cwd=files)
    assert compare.returncode == 0 and "weighted by column 'w'" in compare.stdout


@pytest.mark.parametrize("text", [False, True])
def test_cli_whole_weights_written_as_integers(files, text):
    """A weights column of whole numbers above 0, alone or beside a text column (its indicators):
    the reading hands the column on read-only, which the weighted sums refused ('buffer source
    array is read-only')."""
    import json
    frame = pd.read_csv(files / "weighted.csv")
    frame["w"] = frame["w"].astype(int) + 1  # (no weight of 0: no row is left out, the column is used as read)
    if text:
        frame.insert(0, "firm", np.array(["north", "south", "east", "west"])[np.arange(len(frame)) % 4])
    frame.to_csv(files / "integers.csv", index=False)
    frame.loc[np.repeat(frame.index, frame["w"])].drop(columns="w").to_csv(files / "integers_repeated.csv",
                                                                           index=False)
    common = ["--method", "GD", "--scaling", "minmax", "--seed", 4, "--json"]
    weighted = _cli("fit", "integers.csv", "--weights", "w", *common, cwd=files)
    repeated = _cli("fit", "integers_repeated.csv", *common, cwd=files)
    assert weighted.returncode == 0 and repeated.returncode == 0, weighted.stderr + repeated.stderr
    a, b = json.loads(weighted.stdout), json.loads(repeated.stdout)
    assert a["theta"] == b["theta"] and a["levels"] == b["levels"] and a["weights"] == "w"


@pytest.mark.parametrize("value, words", [("-1", "negative"), ("inf", "infinite cell"), ("0", "zero weight")])
def test_cli_bad_weights_one_line(files, value, words):
    frame = pd.read_csv(files / "weighted.csv")
    frame["w"] = frame["w"].astype(float)
    frame.loc[:, "w"] = 0.0 if value == "0" else frame["w"]
    if value != "0":
        frame.loc[5, "w"] = float(value)
    frame.to_csv(files / "bad.csv", index=False)
    out = _cli("fit", "bad.csv", "--weights", "w", cwd=files)
    assert out.returncode == 2 and words in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_cli_weights_column_must_exist_and_not_be_the_target(files):
    out = _cli("fit", "weighted.csv", "--weights", "nope", cwd=files)
    assert out.returncode == 2 and "no column 'nope'" in out.stderr
    out = _cli("fit", "weighted.csv", "--weights", "y", cwd=files)
    assert out.returncode == 2 and "is the target" in out.stderr


# --------------------------------------------------------------------------- data held by Dask

@pytest.mark.parametrize("method", ["GD", "AGD", "MBGD", "SGD", "SAGD", "SVRG", "SSGD", "SARAH"])
@pytest.mark.parametrize("kind", ["whole", "large", "other"])
def test_dask_weighted_fit_is_the_in_memory_one_bit_for_bit(table, method, kind):
    # (in memory, GD and AGD group the rows by weight, and the variance-reduced methods where some
    # weigh more than 16; held by Dask, the rows stay where they are)
    da = pytest.importorskip("dask.array")
    import dask

    X, y, w = table
    if kind == "other":
        w = np.random.default_rng(3).uniform(0, 4, size=len(y))
    elif kind == "large":
        w = np.random.default_rng(3).integers(0, 2049, size=len(y)).astype(float)
    with dask.config.set(scheduler="synchronous"):
        held = _fit(ESTIMATORS[method], da.from_array(X, chunks=23), da.from_array(y, chunks=23),
                    da.from_array(w, chunks=23), max_iter=5)
    np.testing.assert_array_equal(held.theta_, _fit(ESTIMATORS[method], X, y, w, max_iter=5).theta_)


def test_cli_dask_weights_fit_bit_for_bit(files):
    pytest.importorskip("dask")
    import json
    common = ["fit", "weighted.csv", "--weights", "w", "--seed", 2, "--json"]
    memory, held = _cli(*common, cwd=files), _cli(*common, "--dask", cwd=files)
    assert memory.returncode == 0 and held.returncode == 0, memory.stderr + held.stderr
    a, b = json.loads(memory.stdout), json.loads(held.stdout)
    assert a["theta"] == b["theta"] and b["weights"] == "w"
    assert b["train_rmse"] == pytest.approx(a["train_rmse"], rel=1e-12)  # (the report's moments: merged, not exact)
