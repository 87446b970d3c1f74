"""Bit-reproducibility (issue 12): the same data and seed give bit-identical theta, loss
record and predictions, whatever the data's layout in memory, in this process and in
another, and through an estimator as through ``learn``. Every sum that may be reordered
(by the compiler, a vector width, the alignment of the data, a layout) is an exact
integer sum, so nothing depends on how the data is laid out or read, nor on the copy of the
compiled block loop the processor runs (AVX-512, AVX2, baseline: each one it can is run)."""

import functools
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest

import graddescent as gd
from graddescent import _sums
from graddescent.estimators import R_NAMES
from graddescent.catalog import METHODS

R_TO_SNAKE = {r: snake for snake, r in R_NAMES.items()}

CONTROL = {"maxIter": 40, "innerIter": 15, "alpha": 0.05, "nBatch": 3}


def make_data():
    rng = np.random.default_rng(11)
    X = rng.standard_normal((301, 3)) * [1.0, 30.0, 0.01]
    return np.column_stack([X, X @ [0.5, -0.02, 40.0] + 0.3 * rng.standard_normal(301)])


def layouts(values):
    """The same numbers laid out in memory in five ways."""
    rows, cols = values.shape
    wide = np.zeros((2 * rows, cols + 2))
    wide[::2, 1:-1] = values
    buffer = bytearray(values.nbytes + 1)
    unaligned = np.frombuffer(buffer, dtype=np.float64, count=values.size, offset=1).reshape(values.shape)
    unaligned[...] = values
    assert not unaligned.flags.aligned and not wide[::2, 1:-1].flags.c_contiguous
    return {"C": np.ascontiguousarray(values), "F": np.asfortranarray(values), "sliced": wide[::2, 1:-1],
            "unaligned": unaligned, "DataFrame": pd.DataFrame(values, columns=["a", "b", "c", "y"])}


def fit(method, data, scaled=True):
    """theta and loss record of the method (on R's variance-scaled data by default)."""
    args = {k: CONTROL[k] for k in METHODS[method].control if k in CONTROL}
    data = gd.varianceScaling(data).scaledDataSet if scaled else data
    theta, loss = getattr(gd, method)(data, **args, seed=5, return_loss=True)
    return theta, loss


@functools.cache
def baseline_fit(method):
    """The fit of the C-ordered data on the block loop's baseline copy (no vector extension)."""
    previous = _sums._use_vector_path("default")
    try:
        return fit(method, layouts(make_data())["C"])
    finally:
        _sums._use_vector_path(previous)


@pytest.mark.parametrize("method", list(METHODS))
def test_every_layout_gives_the_same_bits(method, vector_path):
    """On each copy of the block loop this processor runs (AVX-512, AVX2, baseline), every
    layout gives the bits of the baseline copy's fit."""
    theta, loss = baseline_fit(method)
    assert np.all(np.isfinite(theta)) and loss.size > 0
    for name, table in layouts(make_data()).items():
        other_theta, other_loss = fit(method, table)
        np.testing.assert_array_equal(other_theta, theta, err_msg=f"{method}, {name}, {vector_path}")
        np.testing.assert_array_equal(other_loss, loss, err_msg=f"{method}, {name}, {vector_path}")


@pytest.mark.parametrize("path", _sums._vector_paths())
def test_another_process_gives_the_same_bits(path):
    """Another process, on each copy of the block loop (GRADDESCENT_VECTOR_PATH), gives this one's bits."""
    code = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        from test_reproducible import fit, make_data, METHODS
        for method in METHODS:
            theta, loss = fit(method, make_data())
            print(method, theta.tobytes().hex(), loss.tobytes().hex())
    """)
    here = str(__import__("pathlib").Path(__file__).parent)
    env = {**os.environ, "GRADDESCENT_VECTOR_PATH": path}
    out = subprocess.run([sys.executable, "-c", code, here], capture_output=True, text=True, check=True,
                         env=env).stdout
    lines = out.splitlines()
    assert len(lines) == len(METHODS)
    for line in lines:
        method, theta, loss = line.split()
        mine = fit(method, make_data())
        assert (mine[0].tobytes().hex(), mine[1].tobytes().hex()) == (theta, loss), method


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("mode", ["R's numbers", "to a tolerance"])
def test_estimator_is_learn_to_the_bit(method, mode):
    frame = pd.DataFrame(make_data(), columns=["a", "b", "c", "y"])
    X, y = frame.iloc[:, :-1], frame["y"]
    m = len(frame)
    averaged, by_row = METHODS[method].averages, METHODS[method].by_row
    if mode == "R's numbers":  # every control entry (the estimators' defaults are not all R's)
        control = {k: {**gd.toplevel.CONTROL_DEFAULTS, **CONTROL}[k] for k in METHODS[method].control}
        model = gd.learn(frame, learningMethod=method, control=control, seed=5)
        per_pass = m if by_row else control["nBatch"] if method == "MBGD" else 1
        params = {R_TO_SNAKE[k]: v for k, v in control.items()}
        params.update(max_iter=control["maxIter"] / per_pass, tol=None, variant="R",
                      **({"average": False} if averaged else {}))
    else:  # the estimator's defaults, and learn told the same
        control = {"alpha": "auto", "innerIter": m, "maxIter": "auto", "variant": METHODS[method].variant}
        if "momentum" in METHODS[method].control:
            control["momentum"] = METHODS[method].momentum
        model = gd.learn(frame, learningMethod=method, control=control, seed=5, tol=1e-4,
                         average=True if averaged else None)
        params = {}
    estimator = gd.GradDescentRegressor(method, random_state=5, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the same warnings as learn's: beside the point here)
        estimator.fit(X, y)
    np.testing.assert_array_equal(estimator.theta_, model.model)
    np.testing.assert_array_equal(estimator.loss_curve_, model.loss)
    assert estimator.converged_ == model.converged and estimator.learning_rate_ == model.alpha
    np.testing.assert_array_equal(estimator.predict(X), gd.predict(model, X)["V1"].to_numpy())
    by_row = pd.DataFrame(np.ascontiguousarray(X.to_numpy()), columns=X.columns)
    np.testing.assert_array_equal(estimator.predict(by_row), estimator.predict(X))
