"""Property-based tests (hypothesis) of R's random numbers, the scalings, predict, seeds and splitData (issue 8)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import ConvergenceWarning

import graddescent as gd
from conftest import examples
from graddescent import estimators
from graddescent.catalog import METHODS

SETTINGS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
seeds = st.integers(-(2**31 - 1), 2**31 - 1)


def tables(min_rows=3, max_rows=25, min_cols=2, max_cols=5, scale=1e3):
    """Finite tables whose columns are not constant (scaling divides by their spread)."""
    shape = st.tuples(st.integers(min_rows, max_rows), st.integers(min_cols, max_cols))
    values = st.floats(-scale, scale, allow_nan=False, allow_infinity=False, width=64)
    return shape.flatmap(lambda s: arrays(np.float64, s, elements=values)).filter(
        lambda a: np.all(np.ptp(a, axis=0) > 1e-6 * scale))


def frame(values):
    return pd.DataFrame(values, columns=[f"c{j}" for j in range(values.shape[1] - 1)] + ["target"])


# --------------------------------------------------------------------------- RRandom

@SETTINGS
@given(n=st.integers(1, 3000), data=st.data(), seed=seeds)
def test_sample_without_replacement_is_a_permutation_of_the_right_size(n, data, seed):
    size = data.draw(st.integers(0, n))
    draws = gd.RRandom(seed).sample(n, size)
    assert draws.shape == (size,)
    assert len(set(draws.tolist())) == size  # no repeats
    assert draws.min(initial=1) >= 1 and draws.max(initial=n) <= n
    if size == n:
        assert sorted(draws.tolist()) == list(range(1, n + 1))
    np.testing.assert_array_equal(gd.RRandom(seed).sample(n, size), draws)  # same seed, same draws


@SETTINGS
@given(n=st.integers(1, 2**40), size=st.integers(0, 500), seed=seeds)
def test_sample_with_replacement_stays_in_range(n, size, seed):
    draws = gd.RRandom(seed).sample(n, size, replace=True)
    assert draws.shape == (size,) and draws.dtype == np.int64
    assert np.all((draws >= 1) & (draws <= n))
    np.testing.assert_array_equal(gd.RRandom(seed).sample(n, size, replace=True), draws)


@SETTINGS
@given(k=st.integers(0, 500), seed=seeds, low=st.floats(-1e6, 1e6), width=st.floats(1e-3, 1e6))
def test_runif_within_its_interval_and_reproducible(k, seed, low, width):
    u = gd.RRandom(seed).runif(k, low, low + width)
    assert u.shape == (k,)
    assert np.all((u >= low) & (u <= low + width))
    np.testing.assert_array_equal(gd.RRandom(seed).runif(k, low, low + width), u)


@SETTINGS
@given(seed=seeds, steps=st.lists(st.tuples(st.sampled_from(["runif", "sample", "replace"]),
                                            st.integers(1, 40)), max_size=6))
def test_a_stream_is_the_same_whatever_the_chunking(seed, steps):
    # drawing in pieces from one stream equals drawing again from the same seed
    a, b = gd.RRandom(seed), gd.RRandom(seed)
    for kind, k in steps:
        if kind == "runif":
            np.testing.assert_array_equal(a.runif(k), b.runif(k))
        else:
            np.testing.assert_array_equal(a.sample(50, k, replace=kind == "replace"),
                                          b.sample(50, k, replace=kind == "replace"))


# --------------------------------------------------------------------------- scaling

@SETTINGS
@given(values=tables(min_rows=2, scale=1e6))
@pytest.mark.parametrize("scale, descale", [(gd.varianceScaling, gd.varianceDescaling),
                                            (gd.minmaxScaling, gd.minmaxDescaling)])
def test_scaling_then_descaling_returns_the_data(values, scale, descale):
    data = frame(values)
    result = scale(data)
    back = descale(result.scaledDataSet, result.scalingParameter)
    assert list(back.columns) == list(data.columns)
    np.testing.assert_allclose(back.to_numpy(), values, rtol=1e-9, atol=1e-9 * np.abs(values).max())
    assert np.all(np.isfinite(result.scaledDataSet.to_numpy()))


@SETTINGS
@given(exponent=st.integers(-300, 300), values=tables(min_rows=3, max_cols=3, scale=1.0))
def test_scaling_works_at_any_magnitude_or_says_why(exponent, values):
    # far from 1 either way: the true scaling (the same, up to rounding, as at magnitude 1)
    values = np.round(values, 6)  # no value so small that 10**-300 times it is subnormal (inexact)
    assume(np.all(np.ptp(values, axis=0) > 0))
    data = frame(values * 10.0**exponent)
    reference = gd.varianceScaling(frame(values)).scaledDataSet.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no stray overflow warnings either
        scaled = gd.varianceScaling(data).scaledDataSet.to_numpy()
    np.testing.assert_allclose(scaled, reference, rtol=1e-6, atol=1e-9)


# --------------------------------------------------------------------------- predict and seeds

@SETTINGS
@given(values=tables(), seed=seeds, order=st.randoms(use_true_random=False),
       method=st.sampled_from(["GD", "SGD", "SVRG", "ADAM"]), scaled=st.booleans())
def test_predict_matches_reordered_columns_by_name(values, seed, order, method, scaled):
    data = frame(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = gd.learn(data, featureScaling=scaled, learningMethod=method, seed=seed)
    inputs = list(data.columns[:-1])
    shuffled = inputs[:]
    order.shuffle(shuffled)
    expected = gd.predict(model, data)["V1"].to_numpy()
    got = gd.predict(model, data[shuffled])["V1"].to_numpy()
    np.testing.assert_array_equal(got, expected)
    with_target = gd.predict(model, data[["target"] + shuffled[::-1]])["V1"].to_numpy()
    np.testing.assert_array_equal(with_target, expected)


@settings(max_examples=examples(8), deadline=None)
@given(values=tables(max_rows=12, max_cols=4), seed=seeds)
def test_a_seed_makes_every_method_reproducible(values, seed):
    data = frame(values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, method in ((name, getattr(gd, name)) for name in METHODS):
            a, loss_a = method(data, seed=seed, return_loss=True)
            b, loss_b = method(data.copy(), seed=seed, return_loss=True)
            np.testing.assert_array_equal(a, b, err_msg=name)
            np.testing.assert_array_equal(loss_a, loss_b, err_msg=name)


@settings(max_examples=examples(5), deadline=None)
@given(values=tables(max_rows=12, max_cols=4), seed=seeds)
def test_a_seed_makes_every_estimator_reproducible(values, seed):
    X, y = values[:, :-1], values[:, -1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name in estimators.__all__:
            est = getattr(gd, name)
            a = est(random_state=seed).fit(X, y).predict(X)
            b = est(random_state=seed).fit(X.copy(), y.copy()).predict(X)
            np.testing.assert_array_equal(a, b, err_msg=name)


@SETTINGS
@given(values=tables(min_rows=2), seed=seeds, order=st.randoms(use_true_random=False),
       method=st.sampled_from(["GD", "MGD", "AGD"]))
def test_full_batch_results_do_not_depend_on_the_row_order(values, seed, order, method):
    # R shuffles the rows (under the seed) before anything else; GD, MGD and AGD use every row at
    # every step, so another input order changes only the order of the sums, which are exact:
    # the same bits
    data = gd.varianceScaling(frame(values)).scaledDataSet
    rows = list(range(len(data)))
    order.shuffle(rows)
    a, loss_a = getattr(gd, method)(data, maxIter=20, seed=seed, return_loss=True)
    b, loss_b = getattr(gd, method)(data.iloc[rows], maxIter=20, seed=seed, return_loss=True)
    np.testing.assert_array_equal(b, a)
    np.testing.assert_array_equal(loss_b, loss_a)


@SETTINGS
@given(values=tables(min_rows=2, max_rows=60, min_cols=1), rate=st.floats(0.01, 0.99), seed=seeds,
       labels=st.sampled_from(["range", "shifted", "duplicated"]))
def test_split_data_partitions_the_rows(values, rate, seed, labels):
    data = pd.DataFrame(values)
    m = len(data)
    if labels == "shifted":
        data.index = data.index + 100
    elif labels == "duplicated":
        data.index = [i // 2 for i in range(m)]
    train, test = gd.splitData(data, rate, seed)
    k = int(m * rate)  # R: trunc(m * dataTrainRate)
    assert len(train) == k and len(test) == m - k
    together = pd.concat([train, test])
    # every row exactly once: compare the rows themselves, sorted
    np.testing.assert_array_equal(np.sort(together.to_numpy(), axis=0), np.sort(data.to_numpy(), axis=0))
    if labels != "duplicated":
        assert set(train.index).isdisjoint(test.index)
        assert list(test.index) == sorted(test.index)  # the test rows keep their original order
        pd.testing.assert_frame_equal(together.sort_index(), data)
    again = gd.splitData(data, rate, seed)
    pd.testing.assert_frame_equal(again.dataTrain, train)
    pd.testing.assert_frame_equal(again.dataTest, test)


@given(m=st.integers(2, 40), seed=seeds)
@settings(max_examples=examples(30), deadline=None)
def test_split_with_no_training_row_is_rs_empty_split_and_learn_says_so(m, seed):
    # R returns an empty training set when trunc(m * rate) is 0; the port keeps it, and learn refuses it clearly
    data = pd.DataFrame({"x": np.arange(m, dtype=float), "y": np.arange(m, dtype=float) ** 2})
    rate = 0.99 / m
    train, test = gd.splitData(data, rate, seed)
    assert len(train) == 0 and list(train.columns) == ["x", "y"]
    pd.testing.assert_frame_equal(test, data)
    with pytest.raises(ValueError, match="0 row"):
        gd.learn(train)


# --------------------------------------------------------------------------- divergence, once

@SETTINGS
@given(values=tables(min_rows=4, scale=100.0), seed=seeds, method=st.sampled_from(sorted(METHODS)))
def test_a_fit_warns_at_most_once_and_exactly_when_it_diverged(values, seed, method):
    data = frame(values)
    control = {"alpha": 50.0, "maxIter": 30, "innerIter": 3}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = gd.learn(data, featureScaling=False, learningMethod=method, control=control, seed=seed)
    convergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(convergence) <= 1
    assert [w for w in caught if not issubclass(w.category, ConvergenceWarning)] == []
    assert bool(convergence) == model.diverged  # (no stopping rule: a warning says the fit diverged)
    if not np.all(np.isfinite(model.model)) or not np.all(np.isfinite(model.loss)):
        assert model.diverged
    if convergence:
        message = str(convergence[0].message)
        assert message.startswith(f"{method} diverged") and ("alpha" in message or "momentum" in message)


# --------------------------------------------------------------------------- whole weights

@SETTINGS
@given(values=tables(min_rows=3, max_rows=400, max_cols=4), data=st.data(), theta_seed=seeds)
def test_whole_weights_sum_as_the_repeated_rows_grouped_or_not(values, data, theta_seed):
    # whole weights drawn from a few values, so that grouped rows make runs (summed at once, their
    # counts times the weight) among loose rows (each row's words times its weight)
    from graddescent.data import Dense

    kinds = data.draw(st.lists(st.integers(1, 2048), min_size=1, max_size=4))
    w = np.array(data.draw(st.lists(st.sampled_from(kinds), min_size=len(values), max_size=len(values))), float)
    copies = Dense(np.asfortranarray(np.repeat(values, w.astype(int), axis=0))).gradient()
    theta = np.random.default_rng(abs(theta_seed)).normal(size=values.shape[1]) * 10.0
    expected = copies(theta)
    loose = Dense(np.asfortranarray(values), weights=w)
    grouped = loose.scaled(np.vstack([np.zeros(values.shape[1]), np.ones(values.shape[1])]), grouped=True)
    for weighted in (loose, grouped):
        got = weighted.gradient()(theta)
        np.testing.assert_array_equal(got[0], expected[0])
        assert got[1] == expected[1]
