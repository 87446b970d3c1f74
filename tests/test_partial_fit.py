"""partial_fit: the estimators of the single-row methods and MBGD learn from a stream of batches."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import graddescent as gd
from conftest import assert_matches_library

STREAMING = [gd.SGDRegressor, gd.SAGDRegressor, gd.ADAGRADRegressor, gd.ADADELTARegressor, gd.RMSPROPRegressor,
             gd.ADAMRegressor, gd.MBGDRegressor]


@pytest.fixture(scope="module")
def stream():
    """A regression a user would stream: 10^6 rows of 10 inputs on different scales, noise sd 2."""
    rng = np.random.default_rng(0)
    m, p = 10**6, 10
    X = rng.normal(size=(m, p)) * rng.uniform(0.5, 5, p) + rng.normal(size=p)
    y = X @ rng.normal(size=p) + 3 + rng.normal(size=m) * 2
    design = np.column_stack([np.ones(m), X])
    theta = np.linalg.lstsq(design, y, rcond=None)[0]
    return X, y, float(np.mean((design @ theta - y) ** 2))


@pytest.mark.parametrize("estimator", [cls(random_state=1) for cls in STREAMING]
                         + [gd.ADAMRegressor(random_state=1, variant="amsgrad"),
                            gd.SAGDRegressor(random_state=1, variant="textbook"),
                            gd.ADAGRADRegressor(random_state=1, variant="textbook")], ids=repr)
def test_a_stream_of_batches_reaches_least_squares(stream, estimator):
    """10^6 rows in batches of 10^4, each seen once, with the defaults: within 1% of the
    least-squares training MSE (numpy's lstsq)."""
    X, y, least = stream
    for lo in range(0, len(X), 10**4):
        estimator.partial_fit(X[lo:lo + 10**4], y[lo:lo + 10**4])
    mse = np.mean((estimator.predict(X) - y) ** 2)
    assert mse <= least * 1.01
    assert estimator.n_iter_ == 100 and estimator.loss_curve_.shape == (100,) and estimator.converged_ is None


def test_one_pass_is_the_documented_rule(stream):
    """SGD's partial_fit, transcribed: theta R's runif, then m rows drawn as R's
    sample(m, m, replace=TRUE), each a step theta -= alpha e x on the batch scaled as R scales it."""
    X, y = stream[0][:500], stream[1][:500]
    est = gd.SGDRegressor(learning_rate=0.01, average=False, random_state=7).partial_fit(X, y)
    data = np.column_stack([X, y])
    centre, spread = np.vstack(gd.varianceScaling(data).scalingParameter)
    scaled = (data - centre) / spread
    rng = gd.RRandom(7)
    theta = rng.runif(X.shape[1] + 1)
    for i in rng.sample(500, 500, replace=True) - 1:
        x = np.concatenate([[1.0], scaled[i, :-1]])
        theta -= 0.01 * (x @ theta - scaled[i, -1]) * x  # (a BLAS dot product)
    assert_matches_library(est.theta_.ravel(), theta)
    np.testing.assert_array_equal(est.scaling_parameter_, np.vstack([centre, spread]))


def test_a_chunked_dask_array_streamed_block_by_block(stream):
    """What dask_ml's Incremental does: partial_fit on each block of a Dask array in turn;
    the same as a loop over the same batches in memory."""
    da = pytest.importorskip("dask.array", reason="the Dask loop needs the optional extra 'dask'")
    X, y = stream[0][:50_000], stream[1][:50_000]
    held = gd.ADAMRegressor(random_state=3)
    for block_X, block_y in zip(da.from_array(X, chunks=(7000, -1)).to_delayed().ravel(),
                                da.from_array(y, chunks=7000).to_delayed().ravel()):
        held.partial_fit(block_X.compute(), block_y.compute())
    memory = gd.ADAMRegressor(random_state=3)
    for lo in range(0, len(X), 7000):
        memory.partial_fit(X[lo:lo + 7000], y[lo:lo + 7000])
    assert held.coef_.tobytes() == memory.coef_.tobytes()


def test_given_scaling_and_going_on_after_fit(stream):
    X, y = stream[0][:20_000], stream[1][:20_000]
    data = np.column_stack([X, y])
    given = np.vstack([data.mean(axis=0), data.std(axis=0)])
    est = gd.SGDRegressor(random_state=2).partial_fit(X[:1000], y[:1000], scaling_parameter=given)
    np.testing.assert_array_equal(est.scaling_parameter_, given)
    est.partial_fit(X[1000:2000], y[1000:2000], scaling_parameter=given * 2)  # (ignored after the first call)
    np.testing.assert_array_equal(est.scaling_parameter_, given)
    fitted = gd.SGDRegressor(random_state=2).fit(X, y)
    before = fitted.coef_.copy()
    fitted.set_params(learning_rate=1e-7).partial_fit(X[:2000], y[:2000])  # goes on from the fit, not a new start
    assert fitted.n_iter_ == 1 and np.allclose(fitted.coef_, before, rtol=0, atol=1e-3) and not np.array_equal(
        fitted.coef_, before)
    np.testing.assert_array_equal(fitted.scaling_parameter_, gd.SGDRegressor(random_state=2).fit(X, y)
                                  .scaling_parameter_)


def test_partial_fit_errors(stream):
    X, y = stream[0][:100], stream[1][:100]
    with pytest.raises(ValueError, match=r"scaling_parameter must be a 2 x 11 array of finite numbers"):
        gd.SGDRegressor().partial_fit(X, y, scaling_parameter=np.ones((2, 10)))
    with pytest.raises(ValueError, match=r"scaling_parameter must be .*spreads \(positive\)"):
        gd.SGDRegressor().partial_fit(X, y, scaling_parameter=np.zeros((2, 11)))
    est = gd.SGDRegressor().partial_fit(X, y)
    with pytest.raises(ValueError, match="X has 9 features, but SGDRegressor is expecting 10 features"):
        est.partial_fit(X[:, :9], y)
    assert not hasattr(gd.GDRegressor(), "partial_fit") and not hasattr(gd.SVRGRegressor(), "partial_fit")
    with pytest.warns(ConvergenceWarning, match="diverged on this stream \\(its coefficients or its loss are no longer finite\\)"):
        big = gd.SGDRegressor(learning_rate=50.0, average=False, random_state=1)
        for _ in range(5):
            big.partial_fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gd.SGDRegressor(random_state=1).partial_fit(X, y)  # (a sound stream warns of nothing)


def _batches(count, constant_first, seed=0):
    """Batches of 100 rows, the second column around 5 with a spread of 30; in the first
    batch, constant where ``constant_first``."""
    rng = np.random.default_rng(seed)
    for b in range(count):
        X = rng.standard_normal((100, 3))
        X[:, 1] = 5.0 if constant_first and b == 0 else rng.normal(5, 30, 100)
        yield X, X @ [1.0, 2.0, -1.0] + rng.standard_normal(100)


def test_a_stream_that_diverges_says_so_at_once_with_a_remedy_that_applies():
    """A first batch with a constant column scales that column by 1; the later batches vary it,
    and MBGD's steps run away: the warning comes with the batch whose loss grew (not when the
    coefficients reach infinity), once, and names the column and the fix (not
    learning_rate='auto', which is already set)."""
    est = gd.MBGDRegressor(random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for b, (X, y) in enumerate(_batches(50, True)):
            est.partial_fit(X, y)
            if b == 1:
                assert len(caught) == 1, "no warning when the loss grew"
    assert len(caught) == 1  # (once a stream)
    message = str(caught[0].message)
    assert issubclass(caught[0].category, ConvergenceWarning)
    assert "diverged" in message and "'X[:, 1]' was constant in the first batch" in message
    assert "scaling_parameter" in message and "learning_rate='auto'" not in message


def test_a_stream_with_a_typical_first_batch_does_not_warn():
    est = gd.MBGDRegressor(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for X, y in _batches(50, False):
            est.partial_fit(X, y)
    assert np.all(np.isfinite(est.coef_))


@pytest.mark.parametrize("method", ["ADAM", "ADADELTA", "RMSPROP", "ADAGRAD"])
def test_the_variant_may_change_between_calls(method):
    """Switching the rule of a stream goes on from the coefficients so far, the new rule's
    accumulators starting afresh (it used to fail: 'the published rules need a 3 x 4 state')."""
    est = getattr(gd, f"{method}Regressor")(random_state=2)
    batches = list(_batches(4, False, seed=3))
    est.partial_fit(*batches[0])
    est.set_params(variant="textbook")
    est.partial_fit(*batches[1])
    switched = est.coef_.copy()
    est.set_params(variant="R")
    est.partial_fit(*batches[2])
    assert np.all(np.isfinite(switched)) and np.all(np.isfinite(est.coef_)) and est.n_iter_ == 3
