"""Bad input to the functional API: a ValueError naming the argument and the fix, before any work."""

import numpy as np
import pandas as pd
import pytest

import graddescent as gd
from conftest import load

PLANT = load("plant")
TINY = load("tiny")


def with_cell(frame, column, row, value):
    frame = frame.astype(float)
    if isinstance(value, str):
        frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    return frame


CASES = [
    # (id, call, words the message must contain)
    ("text column", lambda: gd.GD(with_cell(PLANT, "Z", 3, "x")), ["'Z'", "non-numeric", "'x' at row 3"]),
    ("bool column", lambda: gd.GD(PLANT.assign(flag=True)), ["'flag'", "boolean"]),
    ("NaN cell", lambda: gd.SGD(with_cell(PLANT, "Z", 4, np.nan)), ["NaN", "'Z'", "row 4"]),
    ("inf cell", lambda: gd.SGD(with_cell(PLANT, "Pressure(ATM)", 7, np.inf)), ["infinite", "'Pressure(ATM)'", "row 7"]),
    ("one column", lambda: gd.GD(PLANT[["Z"]]), ["1 column", "at least 2"]),
    ("one row", lambda: gd.GD(PLANT.iloc[:1]), ["1 row", "at least 2"]),
    ("empty frame", lambda: gd.GD(PLANT.iloc[:0]), ["0 row"]),
    ("1-D array", lambda: gd.GD(np.arange(5.0)), ["2-dimensional"]),
    ("not a table", lambda: gd.GD("data.csv"), ["DataFrame", "str"]),
    ("duplicated names", lambda: gd.GD(PLANT.set_axis(["a", "a", "z"], axis=1)), ["duplicated", "'a'"]),
    ("alpha 0", lambda: gd.GD(PLANT, alpha=0), ["alpha"]),
    ("alpha negative", lambda: gd.SVRG(PLANT, alpha=-1), ["alpha"]),
    ("alpha nan", lambda: gd.ADAM(PLANT, alpha=float("nan")), ["alpha"]),
    ("alpha text", lambda: gd.GD(PLANT, alpha="0.1"), ["alpha", "number"]),
    ("alpha bool", lambda: gd.GD(PLANT, alpha=True), ["alpha"]),
    ("maxIter 0", lambda: gd.GD(PLANT, maxIter=0), ["maxIter", ">= 1"]),
    ("maxIter fractional", lambda: gd.SGD(PLANT, maxIter=2.5), ["maxIter", "whole"]),
    ("momentum 1", lambda: gd.MGD(PLANT, momentum=1), ["momentum", "[0, 1)"]),
    ("momentum negative", lambda: gd.ADADELTA(PLANT, momentum=-0.1), ["momentum"]),
    ("nBatch 0", lambda: gd.MBGD(PLANT, nBatch=0), ["nBatch"]),
    ("nBatch above rows", lambda: gd.MBGD(PLANT, nBatch=51), ["nBatch", "1..50"]),
    ("innerIter 0", lambda: gd.SVRG(PLANT, innerIter=0), ["innerIter"]),
    ("option 3", lambda: gd.SVRG(PLANT, option=3), ["option", "1", "2"]),
    ("gammaS 0", lambda: gd.SARAHPlus(PLANT, gammaS=0), ["gammaS"]),
    ("lamda negative", lambda: gd.SSGD(PLANT, lamda=-1), ["lamda"]),
    ("lamda*alpha 1", lambda: gd.SSGD(PLANT, lamda=10, alpha=0.1), ["lamda * alpha"]),
    ("lamda with innerIter 1", lambda: gd.SSGD(PLANT, lamda=1, innerIter=1), ["innerIter"]),
    ("seed text", lambda: gd.GD(PLANT, seed="1"), ["seed"]),
    ("seed fractional", lambda: gd.GD(PLANT, seed=1.5), ["seed"]),
    ("dataTrainRate 1", lambda: gd.splitData(PLANT, 1), ["dataTrainRate"]),
    ("dataTrainRate 0", lambda: gd.splitData(PLANT, 0), ["dataTrainRate"]),
    ("unknown method", lambda: gd.learn(PLANT, learningMethod="SGDX"), ["learningMethod", "SARAHPlus"]),
    ("unknown scaling", lambda: gd.learn(PLANT, scalingMethod="ZSCORE"), ["scalingMethod", "MINMAX"]),
    ("unknown control", lambda: gd.learn(PLANT, control={"maxiter": 5}), ["control", "maxiter", "maxIter"]),
    ("bad control value", lambda: gd.learn(PLANT, learningMethod="MGD", control={"momentum": 2}), ["momentum"]),
    ("constant column", lambda: gd.learn(PLANT.assign(c=1.0)[["c", "Temperature(K)", "Z"]]), ["'c'", "constant"]),
    ("constant column minmax", lambda: gd.minmaxScaling(PLANT.assign(Z=2.0)), ["'Z'", "constant"]),
    ("newdata wrong columns", lambda: gd.predict(gd.learn(PLANT, seed=1), PLANT.iloc[:, :1]),
     ["newdata", "columns"]),
    ("newdata unknown column", lambda: gd.predict(gd.learn(PLANT, seed=1), PLANT.assign(extra=1.0)),
     ["extra"]),
    ("predict not a model", lambda: gd.predict({"model": 1}, PLANT), ["learn()"]),
    ("prediction wrong width", lambda: gd.prediction(np.ones((1, 4)), PLANT.iloc[:, :2]), ["coefficients"]),
    ("RMSE lengths", lambda: gd.RMSE([1, 2, 3], [1, 2]), ["3 values", "2"]),
    ("descale wrong shape", lambda: gd.varianceDescaling(PLANT, np.ones((2, 2))), ["2 x 3"]),
    ("sample too many", lambda: gd.RRandom(1).sample(3, 5), ["larger"]),
]


@pytest.mark.parametrize("call, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_clear_value_error(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_errors_are_raised_before_any_work(monkeypatch):
    import graddescent.drivers as drivers

    def boom(*args):
        raise AssertionError("work started")

    monkeypatch.setattr(drivers, "prepare", boom)
    with pytest.raises(ValueError, match="alpha"):
        gd.GD(PLANT, alpha=-1)


def test_input_frame_not_modified():
    data = PLANT.copy()
    gd.learn(data, seed=1)
    gd.splitData(data, seed=1)
    pd.testing.assert_frame_equal(data, PLANT)


def test_integer_and_float_whole_values_accepted():
    data = gd.varianceScaling(TINY).scaledDataSet
    a = gd.MBGD(data, maxIter=10.0, nBatch=np.int64(2), seed=np.int32(4))
    b = gd.MBGD(data, maxIter=10, nBatch=2, seed=4)
    np.testing.assert_array_equal(a, b)
