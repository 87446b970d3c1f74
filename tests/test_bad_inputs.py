"""Every bad input for every public entry point, and what it gets (issue 8).

One row per case: (entry point, what is wrong, call, expected exception type, words the message
must contain). The functions, learn/predict, the estimators, datasets.load and read_rdata are
called directly; each CLI command is in tests/test_cli.py's error matrix and tests/test_fuzz_cli.py.
Also: divergence is reported once, with the remedy, by every entry point.
"""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

import graddescent as gd
from graddescent import cli, datasets
from conftest import HERE, load

PLANT = load("plant")
TINY = load("tiny")
DF = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 1.0, 4.0, 3.0]})
X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0], [5.0, 7.0]])
Y = np.array([1.0, 2.0, 3.0, 5.0, 4.0])
MODEL = gd.learn(PLANT, seed=1)


def col(values, dtype=None):
    return pd.DataFrame({"a": pd.array(values, dtype=dtype) if dtype else values, "b": [1.0, 2.0, 3.0, 5.0]})


def huge(column):
    return pd.DataFrame({"a": column, "b": [1.0, 2.0, 3.0]})


def fitted():
    return gd.GDRegressor(random_state=1).fit(X, Y)


# (entry point, case, call, exception, words)
ROWS = [
    # ---- data given to the learning functions (every method validates through check_data)
    ("GD", "text column", lambda: gd.GD(col(["1", "x", "3", "4"], object)), ValueError,
     ["'a'", "non-numeric", "'x' at row 1"]),
    ("GD", "pandas str column", lambda: gd.GD(col(["1", "2", "3", "4"], "str")), ValueError, ["'a'", "non-numeric"]),
    ("GD", "object column of numbers", lambda: gd.GD(col([1, 2, 3, 4], object)), ValueError,
     ["'a'", "pd.to_numeric"]),
    ("GD", "bool column", lambda: gd.GD(col([True, False, True, True])), ValueError, ["'a'", "boolean"]),
    ("GD", "nullable boolean", lambda: gd.GD(col([True, None, False, True], "boolean")), ValueError, ["boolean"]),
    ("GD", "Int64 with NA", lambda: gd.GD(col([1, None, 3, 4], "Int64")), ValueError,
     ["NaN (missing)", "'a'", "row 1"]),
    ("GD", "Float64 with NA", lambda: gd.GD(col([1.5, 2.5, None, 4.0], "Float64")), ValueError,
     ["NaN (missing)", "row 2"]),
    ("GD", "categorical", lambda: gd.GD(col(pd.Categorical([1, 2, 3, 4]))), ValueError, ["'a'", "category"]),
    ("GD", "datetime", lambda: gd.GD(col(pd.date_range("2020", periods=4))), ValueError, ["'a'", "datetime64"]),
    ("GD", "timedelta", lambda: gd.GD(col(pd.to_timedelta([1, 2, 3, 4], unit="s"))), ValueError, ["timedelta"]),
    ("GD", "complex column", lambda: gd.GD(col([1 + 1j, 2, 3, 4])), ValueError, ["'a'", "complex"]),
    ("GD", "complex array", lambda: gd.GD(np.array([[1 + 1j, 2], [3, 4]])), ValueError, ["real numbers", "complex"]),
    ("GD", "NaN cell", lambda: gd.SGD(PLANT.assign(Z=PLANT["Z"].where(PLANT.index != 4))), ValueError,
     ["NaN", "'Z'", "row 4"]),
    ("GD", "infinite cell", lambda: gd.GD(DF.replace(3.0, np.inf)), ValueError, ["infinite", "'a'", "row 2"]),
    ("GD", "-inf cell", lambda: gd.GD(DF.replace(3.0, -np.inf)), ValueError, ["infinite"]),
    ("GD", "empty frame", lambda: gd.GD(pd.DataFrame()), ValueError, ["0 column"]),
    ("GD", "0 rows", lambda: gd.GD(DF.iloc[:0]), ValueError, ["0 row"]),
    ("GD", "one row", lambda: gd.GD(DF.iloc[:1]), ValueError, ["1 row", "at least 2"]),
    ("GD", "only the output column", lambda: gd.GD(DF[["b"]]), ValueError, ["1 column", "at least 2"]),
    ("GD", "duplicated names", lambda: gd.GD(DF.set_axis(["a", "a"], axis=1)), ValueError, ["duplicated", "'a'"]),
    ("GD", "object array", lambda: gd.GD(np.array([[1, 2], [3, 4]], dtype=object)), ValueError, ["object"]),
    ("GD", "string array", lambda: gd.GD(np.array([["1", "2"], ["3", "4"]])), ValueError, ["real numbers"]),
    ("GD", "bool array", lambda: gd.GD(np.array([[True, False], [False, True]])), ValueError, ["bool"]),
    ("GD", "1-D array", lambda: gd.GD(np.arange(5.0)), ValueError, ["2-dimensional"]),
    ("GD", "3-D array", lambda: gd.GD(np.zeros((2, 2, 2))), ValueError, ["2-dimensional", "(2, 2, 2)"]),
    ("GD", "ragged list", lambda: gd.GD([[1, 2], [3], [5, 7]]), ValueError, ["dataTrain", "every row"]),
    ("GD", "a string", lambda: gd.GD("data.csv"), ValueError, ["DataFrame", "str"]),
    ("GD", "None", lambda: gd.GD(None), ValueError, ["DataFrame", "NoneType"]),
    ("GD", "a dict", lambda: gd.GD({"a": [1, 2]}), ValueError, ["DataFrame", "dict"]),
    ("GD", "sparse matrix with NaN", lambda: gd.GD(sp.csr_matrix(np.where(X == 3, np.nan, X))), ValueError,
     ["dataTrain", "NaN"]),
    # ---- parameters
    ("GD", "alpha 0", lambda: gd.GD(DF, alpha=0), ValueError, ["alpha", "> 0"]),
    ("GD", "alpha -0.0", lambda: gd.GD(DF, alpha=-0.0), ValueError, ["alpha"]),
    ("GD", "alpha nan", lambda: gd.GD(DF, alpha=np.nan), ValueError, ["alpha", "finite"]),
    ("GD", "alpha inf", lambda: gd.GD(DF, alpha=np.inf), ValueError, ["alpha", "finite"]),
    ("GD", "alpha None", lambda: gd.GD(DF, alpha=None), ValueError, ["alpha", "number"]),
    ("GD", "alpha string", lambda: gd.GD(DF, alpha="0.1"), ValueError, ["alpha", "number"]),
    ("GD", "alpha bool", lambda: gd.GD(DF, alpha=True), ValueError, ["alpha"]),
    ("GD", "alpha numpy bool", lambda: gd.GD(DF, alpha=np.True_), ValueError, ["alpha"]),
    ("GD", "alpha array", lambda: gd.GD(DF, alpha=np.array([0.1])), ValueError, ["alpha"]),
    ("GD", "maxIter 0", lambda: gd.GD(DF, maxIter=0), ValueError, ["maxIter", ">= 1"]),
    ("GD", "maxIter negative", lambda: gd.GD(DF, maxIter=-5), ValueError, ["maxIter"]),
    ("GD", "maxIter fractional", lambda: gd.GD(DF, maxIter=2.5), ValueError, ["maxIter", "whole"]),
    ("GD", "maxIter nan", lambda: gd.GD(DF, maxIter=np.nan), ValueError, ["maxIter"]),
    ("GD", "maxIter inf", lambda: gd.GD(DF, maxIter=np.inf), ValueError, ["maxIter"]),
    ("GD", "maxIter string", lambda: gd.GD(DF, maxIter="10"), ValueError, ["maxIter", "whole number"]),
    ("GD", "maxIter bool", lambda: gd.GD(DF, maxIter=True), ValueError, ["maxIter"]),
    ("GD", "maxIter 10**12", lambda: gd.GD(DF, maxIter=10**12), ValueError, ["maxIter", "at most 100000000"]),
    ("SGD", "maxIter 10**30", lambda: gd.SGD(DF, maxIter=10**30), ValueError, ["maxIter", "at most"]),
    ("ADADELTA", "maxIter 1e300", lambda: gd.ADADELTA(DF, maxIter=1e300), ValueError, ["maxIter", "at most"]),
    ("SVRG", "innerIter 10**12", lambda: gd.SVRG(DF, innerIter=10**12), ValueError, ["innerIter", "at most"]),
    ("MGD", "momentum 1", lambda: gd.MGD(DF, momentum=1), ValueError, ["momentum", "[0, 1)"]),
    ("AGD", "momentum nan", lambda: gd.AGD(DF, momentum=np.nan), ValueError, ["momentum"]),
    ("RMSPROP", "momentum string", lambda: gd.RMSPROP(DF, momentum="0.9"), ValueError, ["momentum", "number"]),
    ("MBGD", "nBatch 0", lambda: gd.MBGD(DF, nBatch=0), ValueError, ["nBatch"]),
    ("MBGD", "nBatch above the rows", lambda: gd.MBGD(DF, nBatch=10**12), ValueError, ["nBatch", "1..4"]),
    ("MBGD", "nBatch fractional", lambda: gd.MBGD(DF, nBatch=1.5), ValueError, ["nBatch", "whole"]),
    ("SVRG", "option 3", lambda: gd.SVRG(DF, option=3), ValueError, ["option", "1", "2"]),
    ("SVRG", "option string", lambda: gd.SVRG(DF, option="1"), ValueError, ["option"]),
    ("SVRG", "option nan", lambda: gd.SVRG(DF, option=np.nan), ValueError, ["option"]),
    ("SVRG", "option True", lambda: gd.SVRG(DF, option=True), ValueError, ["option"]),
    ("SARAHPlus", "gammaS 0", lambda: gd.SARAHPlus(DF, gammaS=0), ValueError, ["gammaS"]),
    ("SARAHPlus", "gammaS inf", lambda: gd.SARAHPlus(DF, gammaS=np.inf), ValueError, ["gammaS", "finite"]),
    ("SSGD", "lamda negative", lambda: gd.SSGD(DF, lamda=-1), ValueError, ["lamda"]),
    ("SSGD", "lamda * alpha 1", lambda: gd.SSGD(DF, lamda=10, alpha=0.1), ValueError, ["lamda * alpha"]),
    ("SSGD", "lamda overflows", lambda: gd.SSGD(DF, lamda=9.99, alpha=0.1, innerIter=500), ValueError,
     ["overflows", "smaller lamda"]),
    ("GD", "seed string", lambda: gd.GD(DF, seed="1"), ValueError, ["seed", "integer"]),
    ("GD", "seed fractional", lambda: gd.GD(DF, seed=1.5), ValueError, ["seed", "whole"]),
    ("GD", "seed nan", lambda: gd.GD(DF, seed=np.nan), ValueError, ["seed"]),
    ("GD", "seed bool", lambda: gd.GD(DF, seed=True), ValueError, ["seed"]),
    ("GD", "seed 2**31", lambda: gd.GD(DF, seed=2**31), ValueError, ["seed", "R's integer range"]),
    ("GD", "seed -2**31", lambda: gd.GD(DF, seed=-(2**31)), ValueError, ["seed", "R's integer range"]),
    # ---- huge values
    ("varianceScaling", "standard deviation overflows", lambda: gd.varianceScaling(huge([1.7e308, -1.7e308, 1.7e308])),
     ValueError, ["'a'", "too large to scale", "standard deviation"]),
    ("minmaxScaling", "range overflows", lambda: gd.minmaxScaling(huge([1e308, -1e308, 0.0])), ValueError,
     ["'a'", "too large to scale", "range"]),
    ("learn", "range overflows", lambda: gd.learn(huge([1e308, -1e308, 0.0]), scalingMethod="MINMAX"), ValueError,
     ["'a'", "too large to scale"]),
    # ---- spreads below double's normal range (the scaled column keeps few bits; other data overflows)
    ("varianceScaling", "subnormal standard deviation", lambda: gd.varianceScaling(huge([0.0, 2.2e-311, 1e-311])),
     ValueError, ["'a'", "varies too little to scale", "standard deviation, 1.1e-311", "multiply it"]),
    ("learn", "subnormal range", lambda: gd.learn(huge([0.0, 2.2e-311, 1e-311]), scalingMethod="MINMAX"), ValueError,
     ["'a'", "varies too little to scale", "range, 2.2e-311"]),
    ("GDRegressor", "subnormal y", lambda: gd.GDRegressor().fit(X, np.array([0, 1e-310, 0, 0, 0])), ValueError,
     ["'y'", "varies too little to scale"]),
    ("varianceScaling", "constant column", lambda: gd.varianceScaling(DF.assign(a=2.0)), ValueError,
     ["'a'", "constant", "featureScaling=False"]),
    ("varianceDescaling", "wrong shape", lambda: gd.varianceDescaling(PLANT, np.ones((2, 2))), ValueError, ["2 x 3"]),
    ("varianceDescaling", "NaN parameter", lambda: gd.varianceDescaling(PLANT, np.full((2, 3), np.nan)),
     ValueError, ["varianceParameter", "NaN"]),
    ("minmaxDescaling", "text parameter", lambda: gd.minmaxDescaling(PLANT, "ab"), ValueError,
     ["minmaxParameter", "numbers"]),
    # ---- splitData, prediction, RMSE
    ("splitData", "dataTrainRate 1", lambda: gd.splitData(DF, 1), ValueError, ["dataTrainRate"]),
    ("splitData", "dataTrainRate 0", lambda: gd.splitData(DF, 0), ValueError, ["dataTrainRate"]),
    ("splitData", "dataTrainRate nan", lambda: gd.splitData(DF, np.nan), ValueError, ["dataTrainRate"]),
    ("splitData", "dataTrainRate string", lambda: gd.splitData(DF, "0.5"), ValueError, ["dataTrainRate"]),
    ("splitData", "one row", lambda: gd.splitData(DF.iloc[:1]), ValueError, ["1 row"]),
    ("prediction", "wrong width", lambda: gd.prediction(np.ones((1, 4)), PLANT.iloc[:, :2]), ValueError,
     ["coefficients"]),
    ("prediction", "text model", lambda: gd.prediction(np.array([["a", "b", "c"]]), PLANT.iloc[:, :2]), ValueError,
     ["model", "numbers"]),
    ("prediction", "None model", lambda: gd.prediction(None, PLANT.iloc[:, :2]), ValueError, ["model"]),
    ("RMSE", "lengths", lambda: gd.RMSE([1, 2, 3], [1, 2]), ValueError, ["3 values", "2"]),
    ("RMSE", "NaN", lambda: gd.RMSE([1, np.nan], [1, 2]), ValueError, ["outputData", "NaN"]),
    ("RMSE", "text", lambda: gd.RMSE(["a"], [1]), ValueError, ["outputData", "numbers"]),
    ("RMSE", "scalar", lambda: gd.RMSE(1, 1), ValueError, ["outputData", "one column"]),
    ("RMSE", "empty", lambda: gd.RMSE([], []), ValueError, ["outputData"]),
    # ---- learn
    ("learn", "unknown method", lambda: gd.learn(PLANT, learningMethod="SGDX"), ValueError,
     ["learningMethod", "SARAHPlus"]),
    ("learn", "method as a list", lambda: gd.learn(PLANT, learningMethod=["GD"]), ValueError, ["learningMethod"]),
    ("learn", "method None", lambda: gd.learn(PLANT, learningMethod=None), ValueError, ["learningMethod"]),
    ("learn", "lower-case scaling", lambda: gd.learn(PLANT, scalingMethod="variance"), ValueError,
     ["scalingMethod", "'VARIANCE'"]),
    ("learn", "scaling as a list", lambda: gd.learn(PLANT, scalingMethod=["MINMAX"]), ValueError, ["scalingMethod"]),
    ("learn", "featureScaling string", lambda: gd.learn(PLANT, featureScaling="yes"), ValueError,
     ["featureScaling", "True or False"]),
    ("learn", "featureScaling 1", lambda: gd.learn(PLANT, featureScaling=1), ValueError, ["featureScaling"]),
    ("learn", "control a list", lambda: gd.learn(PLANT, control=[("alpha", 1)]), ValueError, ["control", "dict"]),
    ("learn", "control a string", lambda: gd.learn(PLANT, control="alpha=1"), ValueError, ["control", "dict"]),
    ("learn", "unknown control entry", lambda: gd.learn(PLANT, control={"maxiter": 5}), ValueError,
     ["maxiter", "maxIter"]),
    ("learn", "control value None", lambda: gd.learn(PLANT, control={"alpha": None}), ValueError, ["alpha"]),
    ("learn", "huge maxIter", lambda: gd.learn(PLANT, control={"maxIter": 10**9}), ValueError,
     ["maxIter", "at most"]),
    ("learn", "constant column", lambda: gd.learn(PLANT.assign(c=1.0)[["c", "Temperature(K)", "Z"]]), ValueError,
     ["'c'", "constant"]),
    ("learn", "split with no training rows", lambda: gd.learn(gd.splitData(TINY.iloc[:3], 0.1, 1).dataTrain),
     ValueError, ["0 row"]),
    # ---- predict
    ("predict", "not a model", lambda: gd.predict({"model": 1}, PLANT), ValueError, ["learn()"]),
    ("predict", "NaN in an input", lambda: gd.predict(MODEL, PLANT.assign(**{"Pressure(ATM)": np.nan})), ValueError,
     ["NaN", "'Pressure(ATM)'"]),
    ("predict", "NaN in the ignored target", lambda: gd.predict(MODEL, PLANT.assign(Z=np.nan)), ValueError,
     ["NaN", "'Z'"]),
    ("predict", "0 rows", lambda: gd.predict(MODEL, PLANT.iloc[:0]), ValueError, ["0 row"]),
    ("predict", "too few columns", lambda: gd.predict(MODEL, np.ones((3, 1))), ValueError, ["newdata", "columns"]),
    ("predict", "some inputs by name", lambda: gd.predict(MODEL, PLANT[["Pressure(ATM)"]].assign(x=1.0)),
     ValueError, ["lacks the input columns", "['Temperature(K)']"]),
    ("predict", "unknown column", lambda: gd.predict(MODEL, PLANT.assign(extra=1.0)), ValueError, ["'extra'"]),
    ("predict", "text input", lambda: gd.predict(MODEL, PLANT.astype({"Z": object}).assign(Z="x")), ValueError,
     ["'Z'", "non-numeric"]),
    # ---- RRandom
    ("RRandom", "seed string", lambda: gd.RRandom("1"), ValueError, ["seed"]),
    ("RRandom.sample", "too many", lambda: gd.RRandom(1).sample(3, 5), ValueError, ["larger", "replace=True"]),
    ("RRandom.sample", "negative n", lambda: gd.RRandom(1).sample(-1), ValueError, ["n", ">= 0"]),
    ("RRandom.sample", "from nothing", lambda: gd.RRandom(1).sample(0, 1, replace=True), ValueError, ["0 values"]),
    ("RRandom.sample", "replace a string", lambda: gd.RRandom(1).sample(5, 2, replace="no"), ValueError,
     ["replace", "True or False"]),
    ("RRandom.runif", "fractional count", lambda: gd.RRandom(1).runif(2.5), ValueError, ["k", "whole"]),
    # ---- estimators (scikit-learn's conventions where it has them)
    ("GDRegressor", "y with NaN", lambda: gd.GDRegressor().fit(X, np.where(Y == 3, np.nan, Y)), ValueError,
     ["y", "NaN"]),
    ("GDRegressor", "X with inf", lambda: gd.GDRegressor().fit(np.where(X == 3, np.inf, X), Y), ValueError,
     ["X", "infinity"]),
    ("GDRegressor", "1-D X", lambda: gd.GDRegressor().fit(X[:, 0], Y), ValueError, ["Expected 2D array"]),
    ("GDRegressor", "sparse X with NaN", lambda: gd.GDRegressor().fit(sp.csr_matrix(np.where(X == 3, np.nan, X)), Y),
     ValueError, ["X", "NaN"]),
    ("GDRegressor", "string y", lambda: gd.GDRegressor().fit(X, np.array(list("abcde"))), ValueError,
     ["y must hold numbers"]),
    ("GDRegressor", "numeric-looking string y", lambda: gd.GDRegressor().fit(X, np.array(list("12345"))),
     ValueError, ["y must hold numbers"]),
    ("GDRegressor", "complex X", lambda: gd.GDRegressor().fit(X + 1j, Y), ValueError, ["Complex"]),
    ("GDRegressor", "one row", lambda: gd.GDRegressor().fit(X[:1], Y[:1]), ValueError, ["1 sample", "2"]),
    ("GDRegressor", "no feature", lambda: gd.GDRegressor().fit(X[:, :0], Y), ValueError, ["0 feature"]),
    ("GDRegressor", "lengths differ", lambda: gd.GDRegressor().fit(X, Y[:3]), ValueError, ["inconsistent"]),
    ("GDRegressor", "text column", lambda: gd.GDRegressor().fit(pd.DataFrame({"a": list("vwxyz"), "b": Y}), Y),
     ValueError, ["could not convert"]),
    ("GDRegressor", "Int64 with NA", lambda: gd.GDRegressor().fit(
        pd.DataFrame({"a": pd.array([1, None, 3, 4, 5], dtype="Int64"), "b": Y}), Y), ValueError, ["NaN"]),
    ("GDRegressor", "huge column", lambda: gd.GDRegressor().fit(np.c_[[1.7e308, 1.7e308, -1.7e308, -1.7e308, -1.7e308], Y], Y),
     ValueError, ["'X[:, 0]'", "too large to scale"]),
    ("GDRegressor", "huge named column", lambda: gd.GDRegressor(scaling="minmax").fit(
        pd.DataFrame({"big": [1e308, -1e308, 0, 1, 2], "b": Y}), Y), ValueError, ["'big'", "too large"]),
    ("GDRegressor", "huge y", lambda: gd.GDRegressor(scaling="minmax").fit(X, np.array([1e308, -1e308, 0, 1, 2])),
     ValueError, ["'y'", "too large"]),
    ("GDRegressor", "learning_rate nan", lambda: gd.GDRegressor(learning_rate=np.nan).fit(X, Y),
     InvalidParameterError, ["learning_rate"]),
    ("GDRegressor", "learning_rate string", lambda: gd.GDRegressor(learning_rate="0.1").fit(X, Y),
     InvalidParameterError, ["learning_rate", "auto"]),
    ("GDRegressor", "max_iter 10**12", lambda: gd.GDRegressor(max_iter=10**12).fit(X, Y), ValueError,
     ["max_iter", "100000000"]),
    ("GDRegressor", "max_iter negative", lambda: gd.GDRegressor(max_iter=-2.0).fit(X, Y), InvalidParameterError,
     ["max_iter"]),
    ("GDRegressor", "tol negative", lambda: gd.GDRegressor(tol=-1.0).fit(X, Y), InvalidParameterError, ["tol"]),
    ("GDRegressor", "scaling upper case", lambda: gd.GDRegressor(scaling="VARIANCE").fit(X, Y),
     InvalidParameterError, ["scaling"]),
    ("GDRegressor", "random_state 2**31", lambda: gd.GDRegressor(random_state=2**31).fit(X, Y),
     InvalidParameterError, ["random_state"]),
    ("GDRegressor", "random_state Generator", lambda: gd.GDRegressor(random_state=np.random.default_rng(1)).fit(X, Y),
     InvalidParameterError, ["random_state"]),
    ("SVRGRegressor", "inner_iter 10**12", lambda: gd.SVRGRegressor(inner_iter=10**12).fit(X, Y),
     InvalidParameterError, ["inner_iter"]),
    ("SVRGRegressor", "option True", lambda: gd.SVRGRegressor(option=True).fit(X, Y), ValueError, ["option"]),
    ("MBGDRegressor", "n_batch above rows", lambda: gd.MBGDRegressor(n_batch=6).fit(X, Y), ValueError, ["n_batch"]),
    ("GradDescentRegressor", "unknown method", lambda: gd.GradDescentRegressor("NEWTON").fit(X, Y),
     InvalidParameterError, ["method"]),
    ("GDRegressor.predict", "not fitted", lambda: gd.GDRegressor().predict(X), NotFittedError, ["not fitted"]),
    ("GDRegressor.predict", "wrong width", lambda: fitted().predict(X[:, :1]), ValueError, ["1 features", "2"]),
    ("GDRegressor.predict", "NaN", lambda: fitted().predict(np.array([[np.nan, 1.0]])), ValueError, ["NaN"]),
    # ---- data sets
    ("datasets.load", "unknown name", lambda: datasets.load("iris"), ValueError, ["'iris'", "co2_compressibility"]),
    ("datasets.load", "a path", lambda: datasets.load("../setup"), ValueError, ["unknown data set"]),
    ("datasets.load", "wrong case", lambda: datasets.load("Mackey_Glass"), ValueError, ["mackey_glass"]),
    ("datasets.load", "None", lambda: datasets.load(None), ValueError, ["unknown data set None"]),
    ("datasets.load", "a list", lambda: datasets.load(["mackey_glass"]), ValueError, ["unknown data set"]),
    ("datasets.load", "a dict", lambda: datasets.load({}), ValueError, ["unknown data set"]),
    ("read_rdata", "missing path", lambda: datasets.read_rdata(HERE / "data" / "absent.RData"), ValueError,
     ["no such file"]),
    ("read_rdata", "a folder", lambda: datasets.read_rdata(HERE / "data"), ValueError, ["folder"]),
    ("read_rdata", "a CSV file", lambda: datasets.read_rdata(HERE / "data" / "tiny.csv"), ValueError,
     ["not an R data file"]),
    ("read_rdata", "not a path", lambda: datasets.read_rdata(3), TypeError, ["path", "int"]),
    ("read_rdata", "None", lambda: datasets.read_rdata(None), TypeError, ["path", "NoneType"]),
]


@pytest.mark.parametrize("call, error, words", [r[2:] for r in ROWS], ids=[f"{r[0]}: {r[1]}" for r in ROWS])
def test_bad_input(call, error, words):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a refusal comes alone: no warning before it
        with pytest.raises(error) as info:
            call()
    message = str(info.value)
    for word in words:
        assert word in message, message
    assert "Traceback" not in message


def test_the_table_covers_every_public_entry_point():
    covered = {r[0].split(".")[0] for r in ROWS}
    functions = set(gd.catalog.METHODS) | {"learn", "predict", "splitData", "prediction", "RMSE", "RRandom",
                                             "varianceScaling", "varianceDescaling", "minmaxScaling",
                                             "minmaxDescaling", "GDRegressor", "datasets", "read_rdata"}
    # every method validates through the same checks: the table names at least these
    assert {"GD", "SGD", "MBGD", "MGD", "AGD", "RMSPROP", "ADADELTA", "SVRG", "SSGD", "SARAHPlus"} <= covered
    assert functions - set(gd.catalog.METHODS) <= covered


# --------------------------------------------------------------------------- truncated and corrupt R data files

@pytest.mark.parametrize("cut", [6, 40, 200, 600])
@pytest.mark.parametrize("name", ["r_dataframes_v2.RData", "r_dataframes_v3.rda"])
def test_truncated_rdata_is_refused_clearly(tmp_path, name, cut):
    pytest.importorskip("rdata")
    import gzip

    raw = (HERE / "data" / name).read_bytes()
    body = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    assert len(body) > cut
    for label, content in [("raw", body[:cut]), ("gzip", gzip.compress(body[:cut])), ("gzip-cut", raw[: min(cut, len(raw) - 10)])]:
        path = tmp_path / f"{label}-{name}"
        path.write_bytes(content)
        with pytest.raises(ValueError) as info:
            datasets.read_rdata(path)
        assert str(path) in str(info.value) or repr(str(path)) in str(info.value)


def test_rdata_magic_then_garbage(tmp_path):
    pytest.importorskip("rdata")
    path = tmp_path / "magic.RData"
    path.write_bytes(b"RDX3\nX" + bytes(range(256)) * 4)
    with pytest.raises(ValueError, match="could not read it as R data"):
        datasets.read_rdata(path)


# --------------------------------------------------------------------------- what is accepted, on purpose

def test_accepted_odd_but_valid_inputs_give_the_plain_numbers():
    base = gd.learn(DF, seed=3)
    same = {
        "Int64 column": DF.astype({"a": "Int64"}),
        "Float64 column": DF.astype({"b": "Float64"}),
        "duplicated row labels": DF.set_axis([0, 0, 1, 1]),
        "numpy array": DF.to_numpy(),
        "list of lists": DF.to_numpy().tolist(),
    }
    for label, data in same.items():
        np.testing.assert_array_equal(gd.learn(data, seed=3).model, base.model, err_msg=label)
    numpy_scalars = gd.learn(DF, control={"alpha": np.float64(0.1), "maxIter": np.int64(10)}, seed=np.int32(3))
    np.testing.assert_array_equal(numpy_scalars.model, base.model)
    ints = DF.set_axis([0, 1], axis=1)
    model = gd.learn(ints, seed=3)
    assert model.columns == [0, 1]
    np.testing.assert_array_equal(gd.predict(model, ints[[0]])["V1"], gd.predict(base, DF[["a"]])["V1"])
    multi = DF.set_axis(pd.MultiIndex.from_tuples([("x", "a"), ("y", "b")]), axis=1)
    np.testing.assert_array_equal(gd.learn(multi, seed=3).model, base.model)


def test_huge_and_tiny_columns_scale_to_their_true_values():
    for factor in (1e-300, 1e-200, 1e200, 1e300):
        data = DF * [factor, 1.0]
        model = gd.learn(data, seed=2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            np.testing.assert_allclose(model.model, gd.learn(DF, seed=2).model, rtol=1e-9)
            np.testing.assert_allclose(gd.predict(model, data)["V1"], gd.predict(gd.learn(DF, seed=2), DF)["V1"],
                                       rtol=1e-9)


# --------------------------------------------------------------------------- divergence and overflow: said once

def _diverging():
    return PLANT  # unscaled, alpha 0.1: most methods' coefficients blow up


def test_every_function_warns_once_with_the_remedy_exactly_when_it_diverged():
    warned = []
    for name, method in ((name, getattr(gd, name)) for name in gd.catalog.METHODS):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            theta, loss = method(_diverging(), maxIter=200, seed=1, return_loss=True)
        diverged = not np.all(np.isfinite(theta)) or not np.all(np.isfinite(loss))
        assert len(caught) <= 1, (name, [str(w.message) for w in caught])
        if diverged:
            assert [w.category for w in caught] == [ConvergenceWarning], name
        if caught:
            warned.append(name)
            message = str(caught[0].message)
            assert caught[0].category is ConvergenceWarning
            assert message.startswith(f"{name} diverged")
            assert ("alpha 0.1 is above " in message or "smaller alpha" in message or "smaller momentum" in message)
            assert "alpha='auto'" in message or name == "ADADELTA"
            assert "not scaled" in message and "varianceScaling" in message  # (the data is not)
    assert {"GD", "MGD", "SGD", "SVRG", "SARAH"} <= set(warned)


def test_learn_warns_once():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = gd.learn(_diverging(), featureScaling=False, learningMethod="MGD", seed=1)
    assert [w.category for w in caught] == [ConvergenceWarning]
    assert not np.all(np.isfinite(model.model)) or np.max(model.loss) > 1e8


@pytest.mark.parametrize("name", ["GDRegressor", "SGDRegressor", "SVRGRegressor", "SARAHPlusRegressor"])
def test_every_estimator_warns_once_with_the_remedy(name):
    X_, y_ = PLANT.iloc[:, :-1], PLANT.iloc[:, -1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(gd, name)(scaling=None, learning_rate=0.1, max_iter=200, random_state=1).fit(X_, y_)
    assert [w.category for w in caught] == [ConvergenceWarning], [str(w.message) for w in caught]
    message = str(caught[0].message)
    assert name in message and "diverged: learning_rate 0.1 is above " in message
    assert "learning_rate='auto'" in message and "scaling='variance'" in message


def test_the_command_says_it_once(tmp_path, monkeypatch, capsys):
    PLANT.to_csv(tmp_path / "plant.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["fit", "plant.csv", "--scaling", "none", "--seed", "1", "--max-iter", "200"]) == 1
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1 and err[0].startswith("graddescent: error: the fit diverged; --alpha 0.1 is above 2/L = ")
    assert "--alpha auto" in err[0] and "--scaling variance" in err[0]
    assert captured.out.count("diverged") == 1


def test_predict_overflow_is_said_once(tmp_path, monkeypatch, capsys):
    narrow = pd.DataFrame({"x": [0.0, 1e-3, 2e-3, 3e-3], "y": [0.0, 1000.0, 2100.0, 2900.0]})
    model = gd.learn(narrow, seed=1)
    far = pd.DataFrame({"x": [1e-3, 1e308]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = gd.predict(model, far)
    assert np.isfinite(out["V1"].iloc[0]) and not np.isfinite(out["V1"].iloc[1])
    assert [w.category for w in caught] == [RuntimeWarning]
    assert "1 row(s)" in str(caught[0].message) and "row 1" in str(caught[0].message)
    # a finite result warns about nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gd.predict(model, far.iloc[:1])
    cli.write_model(model, str(tmp_path / "m.json"))
    far.to_csv(tmp_path / "far.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["predict", "m.json", "far.csv"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("graddescent: warning: the prediction overflows")


def test_rmse_of_huge_residuals_is_their_true_size_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gd.RMSE([1e300, 0.0], [-1e300, 0.0]) == pytest.approx(2e300 / np.sqrt(2), rel=1e-12)
        assert gd.RMSE([1e200], [0.0]) == 1e200
        # residuals beyond double's range: the RMSE where it is within it, else inf
        assert gd.RMSE([1.5e308, 0.0, 0.0, 0.0], [-1.5e308, 0.0, 0.0, 0.0]) == 1.5e308
        assert gd.RMSE([1.7e308, -1e308, 0.0], [-1.7e308, 1e308, 1.0]) == math.inf
    assert gd.RMSE([1.0, 2.0], [2.0, 4.0]) == np.sqrt(2.5)  # R's formula where it does not overflow
