"""One rule for each kind of value, at every entry point, in that entry point's names (issue 16).

Whole numbers given as a Fraction, integers beyond double's range, numpy booleans and arrays
where a number belongs, booleans as seeds, counts or data: each is accepted as the number it
is, or refused with a ValueError naming the parameter as the caller spelled it; never a
TypeError or OverflowError from numpy.
"""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import graddescent as gd
from graddescent import validation

DATA = np.random.default_rng(7).standard_normal((30, 3))
FRAME = pd.DataFrame(DATA, columns=["a", "b", "y"])
X, Y = DATA[:, :2], DATA[:, 2]


# --------------------------------------------------------------------------- whole numbers

def test_a_whole_fraction_is_the_whole_number():
    np.testing.assert_array_equal(gd.GD(DATA, maxIter=Fraction(20, 1), seed=1), gd.GD(DATA, maxIter=20, seed=1))
    np.testing.assert_array_equal(gd.MBGD(DATA, nBatch=Fraction(2), seed=1), gd.MBGD(DATA, nBatch=2, seed=1))
    np.testing.assert_array_equal(gd.RRandom(Fraction(3)).sample(Fraction(10), Fraction(4)),
                                  gd.RRandom(3).sample(10, 4))
    model = gd.learn(FRAME, control={"maxIter": Fraction(15, 1), "alpha": Fraction(1, 20)}, seed=1)
    np.testing.assert_array_equal(model.model, gd.learn(FRAME, control={"maxIter": 15, "alpha": 0.05}, seed=1).model)


@pytest.mark.parametrize("call, words", [
    (lambda: gd.GD(DATA, maxIter=Fraction(5, 2)), ["maxIter", "whole number"]),
    (lambda: gd.MBGD(DATA, nBatch=Fraction(3, 2)), ["nBatch", "whole number"]),
    (lambda: gd.SVRG(DATA, innerIter=Fraction(1, 3)), ["innerIter", "whole number"]),
    (lambda: gd.RRandom(1).sample(Fraction(7, 2)), ["n", "whole number"]),
    (lambda: gd.RRandom(Fraction(1, 2)), ["seed", "whole number"]),
], ids=["maxIter", "nBatch", "innerIter", "sample-n", "seed"])
def test_a_fraction_that_is_not_whole_is_refused_by_name(call, words):
    with pytest.raises(ValueError) as info:
        call()
    assert all(word in str(info.value) for word in words), info.value


@pytest.mark.parametrize("call, words", [
    (lambda: gd.RRandom(1).sample(2**70, 3, replace=True), ["n must be at most 4.5e15", str(2**70)]),
    (lambda: gd.RRandom(1).sample(10, 2**70, replace=True), ["size must be at most 4.5e15"]),
    (lambda: gd.RRandom(1).runif(2**80), ["k must be at most 4.5e15"]),
    (lambda: gd.GD(DATA, alpha=10**400), ["alpha must be a finite number > 0", "a number of 401 digits"]),
    (lambda: gd.GD(DATA, alpha=Fraction(10**400, 3)), ["alpha must be a finite number > 0"]),
    (lambda: gd.GD(DATA, maxIter=10**400), ["maxIter must be at most 100000000"]),
    (lambda: gd.MGD(DATA, momentum=-(10**400)), ["momentum must be a finite number in [0, 1)"]),
    (lambda: gd.GD(DATA, seed=10**400), ["seed must lie in R's integer range"]),
    (lambda: gd.splitData(FRAME, 10**400), ["dataTrainRate must be a finite number in (0, 1)"]),
], ids=["sample-n-2**70", "sample-size-2**70", "runif-2**80", "alpha-401-digits", "alpha-huge-fraction",
        "maxIter-401-digits", "momentum-401-digits", "seed-401-digits", "rate-401-digits"])
def test_numbers_beyond_double_are_refused_with_a_value_error(call, words):
    with pytest.raises(ValueError) as info:  # (not OverflowError, not numpy's TypeError)
        call()
    assert type(info.value) is ValueError
    assert all(word in str(info.value) for word in words), info.value


def test_is_whole():
    for value in (3, np.int64(3), 3.0, np.float32(3), Fraction(6, 2), Fraction(10**400, 1), 10**400):
        assert validation.is_whole(value), value
    for value in (2.5, np.float64("nan"), float("inf"), Fraction(1, 3), Fraction(10**400 + 1, 2)):
        assert not validation.is_whole(value), value


# --------------------------------------------------------------------------- SVRG's option

@pytest.mark.parametrize("value", [True, np.bool_(True), np.array([1]), np.array(2), "1", 1.5, 3, 0])
def test_check_option_refuses_what_is_not_1_or_2(value):
    with pytest.raises(ValueError, match="option must be 1"):
        validation.check_option(value)


@pytest.mark.parametrize("value", [1, 2, np.int64(2), 2.0, Fraction(1)])
def test_check_option_accepts_1_and_2(value):
    assert validation.check_option(value) == int(value)


@pytest.mark.parametrize("value", [np.bool_(True), np.array([1])], ids=["numpy-bool", "numpy-array"])
def test_svrg_refuses_an_option_that_is_not_a_number(value):
    with pytest.raises(ValueError, match="option must be 1"):
        gd.SVRG(DATA, option=value, seed=1)


def test_svrg_refuses_true_as_option():  # the rule the numpy values above are held to
    with pytest.raises(ValueError, match="option must be 1"):
        gd.SVRG(DATA, option=True, seed=1)


# --------------------------------------------------------------------------- estimators

@pytest.mark.parametrize("params, name", [
    ({"random_state": True}, "random_state"), ({"random_state": np.bool_(False)}, "random_state"),
    ({"max_iter": True}, "max_iter"), ({"learning_rate": np.True_}, "learning_rate"), ({"option": True}, "option"),
    ({"inner_iter": np.bool_(True)}, "inner_iter"),
], ids=["random_state-True", "random_state-numpy-False", "max_iter-True", "learning_rate-numpy-True", "option-True",
        "inner_iter-numpy-True"])
def test_estimators_refuse_booleans_under_their_own_names(params, name):
    estimator = gd.SVRGRegressor(**params) if "option" in params or "inner_iter" in params else gd.GDRegressor(
        **params)
    with pytest.raises(ValueError) as info:
        estimator.fit(X, Y)
    message = str(info.value)
    assert f"'{name}' parameter" in message and "boolean" in message, message
    assert "maxIter" not in message and "seed" not in message


@pytest.mark.parametrize("params", [{"learning_rate": Fraction(1, 10)}, {"max_iter": Fraction(20, 1)}],
                         ids=["learning_rate", "max_iter"])
def test_estimators_refuse_fractions_with_a_value_error(params):
    (name,) = params
    with pytest.raises(ValueError, match=f"'{name}' parameter of GDRegressor must be an int or a float"):
        gd.GDRegressor(**params).fit(X, Y)


def test_random_state_one_is_still_seed_one():
    np.testing.assert_array_equal(gd.SGDRegressor(random_state=1).fit(X, Y).theta_,
                                  gd.SGDRegressor(random_state=np.int64(1)).fit(X, Y).theta_)


FLAGS = DATA[:, 0] > 0


@pytest.mark.parametrize("X_, y_, words", [
    (np.column_stack([FLAGS, FLAGS]), Y, "X holds true/false values"),
    (pd.DataFrame({"a": DATA[:, 0], "flag": FLAGS}), Y, "X column 'flag' holds true/false values"),
    (np.column_stack([FLAGS, FLAGS]).tolist(), Y, "X holds true/false values"),
    (X, FLAGS, "y holds true/false values"),
    (X, pd.Series(FLAGS), "y holds true/false values"),
    (X, pd.Series(FLAGS, dtype="boolean"), "y holds true/false values"),
], ids=["X-array", "X-frame-column", "X-list", "y-array", "y-series", "y-nullable-boolean"])
def test_estimators_refuse_boolean_data_as_learn_does(X_, y_, words):
    with pytest.raises(ValueError, match=words):
        gd.GDRegressor().fit(X_, y_)
    frame = pd.concat([pd.DataFrame(X_).reset_index(drop=True), pd.Series(np.asarray(y_), name="y")], axis=1)
    with pytest.raises(ValueError, match="boolean|real numbers"):  # learn's rule, for the same data
        gd.learn(frame)
