"""The functional API beyond the goldens: shapes, names, reproducibility, what R fails on."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

import graddescent as gd
from conftest import assert_matches_library, load

METHODS = ["GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM",
           "SVRG", "SSGD", "SARAH", "SARAHPlus"]


def scaled_plant():
    return gd.varianceScaling(load("plant")).scaledDataSet


def test_public_names():
    assert gd.__version__
    for name in METHODS + ["splitData", "varianceScaling", "varianceDescaling", "minmaxScaling",
                           "minmaxDescaling", "prediction", "RMSE", "gradDescentR", "predict", "RRandom"]:
        assert name in gd.__all__ and getattr(gd, name).__doc__
    assert gd.gradDescentR.learn is gd.learn


@pytest.mark.parametrize("method", METHODS)
def test_seed_reproducible_and_none_differs(method):
    data = scaled_plant()
    fn = getattr(gd, method)
    a, b = fn(data, seed=11), fn(data, seed=11)
    assert a.shape == (1, 3) and a.dtype == np.float64
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(fn(data, seed=None), fn(data, seed=None))


@pytest.mark.parametrize("method", METHODS)
def test_numpy_input_same_as_frame(method):
    data = scaled_plant()
    fn = getattr(gd, method)
    np.testing.assert_array_equal(fn(data, seed=3), fn(data.to_numpy(), seed=3))


@pytest.mark.parametrize("method", METHODS)
def test_return_loss_is_opt_in(method):
    data = scaled_plant()
    fn = getattr(gd, method)
    theta, loss = fn(data, maxIter=250, seed=2, return_loss=True)
    np.testing.assert_array_equal(theta, fn(data, maxIter=250, seed=2))
    assert loss.ndim == 1 and 1 <= loss.size <= 250 and np.all(np.isfinite(loss)) and np.all(loss >= 0)
    if method in ("SGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM"):
        assert 80 <= loss.size <= 130  # about 100 windows
    elif method not in ("SAGD",):
        assert loss.size == 250


def test_gd_loss_is_mse_of_each_iteration():
    data = scaled_plant()
    _, loss = gd.GD(data, maxIter=3, seed=1, return_loss=True)
    # the first value is the MSE at R's initial theta (runif(3) with seed 1), on all rows
    theta0 = gd.RRandom(1).runif(3)
    values = data.to_numpy()
    residual = theta0[0] + values[:, :2] @ theta0[1:] - values[:, 2]  # (BLAS: its last bits are the processor's)
    assert_matches_library(loss[0], np.mean(residual ** 2))
    assert loss[2] < loss[0]


def test_split_data_keeps_labels_and_partitions():
    data = load("five")
    data.index = [f"r{i}" for i in range(len(data))]
    train, test = gd.splitData(data, 0.7, seed=5)
    assert len(train) == int(len(data) * 0.7)
    assert sorted(train.index.tolist() + test.index.tolist()) == sorted(data.index.tolist())
    assert test.index.tolist() == [i for i in data.index if i not in set(train.index)]
    pd.testing.assert_frame_equal(train, data.loc[train.index])


def test_learn_result_fields():
    res = gd.gradDescentR.learn(load("five"), learningMethod="MBGD", control={"nBatch": 3}, seed=1)
    assert res.featureScaling and res.scalingMethod == "VARIANCE" and res.learningMethod == "MBGD"
    assert res.scalingParameter.shape == (2, 6) and res.model.shape == (1, 6)
    assert res.control == {"alpha": 0.1, "maxIter": 10, "momentum": 0.9, "nBatch": 3, "lamda": 0,
                           "innerIter": 10, "option": 2, "gammaS": 0.125}
    assert res.loss.size == 10


def test_predict_with_or_without_output_and_by_name():
    data = load("five")
    res = gd.learn(data, seed=1)
    full = gd.predict(res, data)
    inputs_only = gd.predict(res, data.iloc[:, :-1])
    shuffled = gd.predict(res, data[["e", "target", "c", "a", "d", "b"]])
    np.testing.assert_array_equal(full["V1"], inputs_only["V1"])
    np.testing.assert_array_equal(full["V1"], shuffled["V1"])
    assert list(full.columns) == ["a", "b", "c", "d", "e", "V1"]
    assert full.index.equals(data.index)


def test_predict_numpy_positional():
    data = load("plant")
    res = gd.learn(data, seed=1)
    np.testing.assert_array_equal(gd.predict(res, data.to_numpy()[:, :2])["V1"], gd.predict(res, data)["V1"])


def test_one_input_column_learn_and_predict_where_r_fails():
    data = load("tiny")
    for method in METHODS:
        res = gd.learn(data, learningMethod=method, seed=1)
        out = gd.predict(res, data.iloc[:1])
        assert out.shape == (1, 2) and np.isfinite(out["V1"]).all()


def test_single_row_mini_batch_where_r_fails():
    data = scaled_plant()
    theta = gd.MBGD(data, nBatch=len(data), maxIter=len(data), alpha=0.1, seed=1)
    # one row per iteration, consecutive rows of R's shuffle: check against a hand loop
    perm = gd.RRandom(1).sample(len(data)) - 1
    values = data.to_numpy()[perm]
    X, y = np.column_stack([np.ones(len(values)), values[:, :2]]), values[:, 2]
    expected = gd.RRandom(1).runif(3)
    for i in range(len(values)):
        expected = expected - 0.1 * (X[i] @ expected - y[i]) * X[i]  # (a BLAS dot product)
    assert_matches_library(theta.ravel(), expected)


def test_prediction_and_rmse_helpers():
    theta = np.array([[1.0, 2.0, -1.0]])
    frame = pd.DataFrame({"p": [1.0, 0.0], "q": [0.0, 3.0]})
    out = gd.prediction(theta, frame)
    assert list(out.columns) == ["p", "q", "V1"] and out["V1"].tolist() == [3.0, -2.0]
    assert gd.RMSE([1, 2], [1, 4]) == pytest.approx(np.sqrt(2))


def test_scaling_round_trip():
    data = load("five")
    for scale, descale in [(gd.varianceScaling, gd.varianceDescaling), (gd.minmaxScaling, gd.minmaxDescaling)]:
        res = scale(data)
        back = descale(res.scaledDataSet, res.scalingParameter)
        np.testing.assert_allclose(back.to_numpy(), data.to_numpy(), rtol=1e-13, atol=1e-13)
        assert list(back.columns) == list(data.columns)


def test_divergence_warns_once_with_remedy_and_returns_r_numbers():
    data = load("plant")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        theta = gd.GD(data, maxIter=30, seed=1)
    divergence = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(divergence) == 1 and len(caught) == 1
    message = str(divergence[0].message)  # the bound for this data, and scaling (the data is not scaled)
    assert "alpha 0.1 is above 2/L = 1.41e-06" in message and "alpha='auto'" in message
    assert "not scaled" in message and "varianceScaling" in message
    assert abs(theta[0, 0]) > 1e100


def test_converging_fit_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gd.GD(scaled_plant(), seed=1)


def test_rrandom_draws_are_vectorised():
    rng = gd.RRandom(3)
    draws = rng.sample(10, 10**6, replace=True)
    assert draws.min() == 1 and draws.max() == 10 and draws.size == 10**6
    perm = gd.RRandom(3).sample(10**5)
    assert sorted(perm.tolist()) == list(range(1, 10**5 + 1))


def test_rrandom_stream_continues_across_calls():
    one = gd.RRandom(9)
    a = one.sample(1000, 7, replace=True).tolist() + one.runif(3).tolist() + one.sample(50, 5).tolist()
    two = gd.RRandom(9)
    b = [int(two.sample(1000, 1, replace=True)[0]) for _ in range(7)]
    b += [float(two.runif(1)[0]) for _ in range(3)] + two.sample(50, 5).tolist()
    assert a == b


def test_rrandom_hashed_sampling_for_huge_n():
    draws = gd.RRandom(1).sample(2 * 10**7, 5)
    assert len(set(draws.tolist())) == 5 and draws.max() <= 2 * 10**7


def test_ssgd_draw_plan_retries_when_the_raw_block_runs_out():
    from graddescent import _kernels as K
    from graddescent.drivers import _ssgd_plan

    counts, rows, used = K.ssgd_plan(gd.RRandom(1)._raw(3), 5, 10, 50, np.empty(0, np.int64), np.empty(0))
    assert used == -1
    small = _ssgd_plan(gd.RRandom(1), 20, 10, 0.5, 0.1, 50, size=7)
    large = _ssgd_plan(gd.RRandom(1), 20, 10, 0.5, 0.1, 50)
    np.testing.assert_array_equal(small[0], large[0])
    np.testing.assert_array_equal(small[1], large[1])
    assert small[0].sum() == small[1].size and small[1].max() < 50


def test_ssgd_plans_its_draws_in_pieces_with_the_same_numbers(monkeypatch):
    """SSGD draws its inner rows a piece of the fit at a time (memory bounded whatever maxIter
    and innerIter): the same draws, so the same numbers, as one plan for the whole fit."""
    data = scaled_plant()
    whole, whole_loss = gd.SSGD(data, maxIter=40, innerIter=6, alpha=0.01, seed=2, return_loss=True)
    monkeypatch.setattr(gd.drivers, "_SSGD_PLAN", 13)  # two outer iterations a piece
    pieces, pieces_loss = gd.SSGD(data, maxIter=40, innerIter=6, alpha=0.01, seed=2, return_loss=True)
    np.testing.assert_array_equal(pieces, whole)
    np.testing.assert_array_equal(pieces_loss, whole_loss)
    stopped = gd.SSGD(data, maxIter=4000, innerIter=6, alpha=0.01, seed=2, tol=1e-3, return_loss=True)[1]
    assert 40 < stopped.size < 4000  # the rule carried from piece to piece
