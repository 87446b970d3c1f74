"""Memory (issue 12): scaling, ``learn`` and an estimator's ``fit`` on a float64 array of D
bytes allocate at most 2 D beyond it (R's long double statistics are summed column by
column, the scaled copy is laid out as the method reads it, MBGD reads its batches in
place). numpy's allocations are traced by tracemalloc, so the figures are exact."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest

import graddescent as gd

METHODS = ["GD", "MBGD", "AGD", "SGD", "SAGD", "ADAM", "SVRG", "SSGD", "SARAH"]


@pytest.fixture(scope="module")
def data():
    return np.random.default_rng(0).standard_normal((200_000, 8))  # D = 12.8 MB


def peak_beyond(call):
    """The most memory allocated at once while ``call()`` runs, beyond what was allocated before."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = call()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    del result
    return peak


@pytest.mark.parametrize("scaling", [gd.varianceScaling, gd.minmaxScaling])
@pytest.mark.parametrize("layout", ["array", "DataFrame"])
def test_scaling(data, scaling, layout):
    table = data if layout == "array" else pd.DataFrame(data)
    assert peak_beyond(lambda: scaling(table)) <= 1.05 * data.nbytes


@pytest.mark.parametrize("method", METHODS)
def test_learn(data, method):
    control = {"maxIter": 20, "innerIter": 20}
    assert peak_beyond(lambda: gd.learn(data, learningMethod=method, control=control, seed=1)) <= 2 * data.nbytes


@pytest.mark.parametrize("method", METHODS)
def test_estimator_fit(data, method):
    estimator = getattr(gd, f"{method}Regressor")(max_iter=20, random_state=1)
    X, y = data[:, :-1], data[:, -1]
    assert peak_beyond(lambda: estimator.fit(X, y)) <= 2 * data.nbytes
