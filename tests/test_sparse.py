"""Sparse inputs (issue 25, part 1): scipy.sparse CSR and CSC, matrices and arrays, fitted and
predicted without densifying them, with the coefficients of their dense copy; and with sample
weights (part 3), with the coefficients of the weighted fit of their dense copy."""

import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import graddescent as gd
from graddescent import estimators
from graddescent.catalog import METHODS
from graddescent.data import as_data
from graddescent.sparse import Sparse

CLASSES = {name: getattr(gd, name) for name in estimators.__all__ if name != "GradDescentRegressor"}
METHOD_OF = {cls._method: cls for cls in CLASSES.values()}
FORMATS = {"csr_matrix": sp.csr_matrix, "csc_matrix": sp.csc_matrix, "csr_array": sp.csr_array,
           "csc_array": sp.csc_array}


def design(m=60, d=8, seed=0, density=0.3):
    """A small design of mostly-zero integer columns (indicators and counts) and its output."""
    rng = np.random.default_rng(seed)
    X = sp.random(m, d, density=density, random_state=seed, format="csr")
    X.data = np.ceil(X.data * 4)
    X = sp.csr_matrix(X + sp.csr_matrix((np.ones(m), (np.arange(m), rng.integers(0, d, m))), shape=(m, d)))  # (no
    y = X @ rng.normal(size=d) + 0.3 * rng.normal(size=m) + 2.0                                             # empty row)
    return X, y


def close(a, b, rtol=1e-7):
    """Relative agreement of two coefficient vectors (on the scale of the larger)."""
    a, b = np.ravel(a), np.ravel(b)
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-300)
    assert np.max(np.abs(a - b)) <= rtol * scale, (a, b)


def r_settings(method):
    """R's rule at a fixed step and iterations (no stopping rule, no averaging)."""
    record = METHODS[method]
    params = {"tol": None, "variant": "R", "max_iter": 3 if record.by_row else 20}
    if method != "ADADELTA":
        params["learning_rate"] = 0.05
    if record.averages:
        params["average"] = False
    if record.family == "variance reduced":
        params["inner_iter"] = 10
    return params


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("method", list(METHODS))
def test_r_rules_fit_the_dense_copys_coefficients(method, fmt):
    X, y = design()
    params = {**r_settings(method), "random_state": 7}
    dense = METHOD_OF[method](**params).fit(X.toarray(), y)
    fitted = METHOD_OF[method](**params).fit(FORMATS[fmt](X), y)
    close(fitted.theta_, dense.theta_)
    close(fitted.coef_, dense.coef_)
    np.testing.assert_allclose(fitted.scaling_parameter_, dense.scaling_parameter_, rtol=0, atol=0)
    np.testing.assert_allclose(fitted.predict(FORMATS[fmt](X)), dense.predict(X.toarray()), rtol=1e-7)


@pytest.mark.parametrize("name", estimators.__all__)
def test_defaults_fit_the_dense_copys_coefficients(name):
    X, y = design(m=80, d=10, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = getattr(gd, name)(random_state=3).fit(X.toarray(), y)
        fitted = getattr(gd, name)(random_state=3).fit(sp.csc_array(X), y)
    close(fitted.theta_, dense.theta_)
    assert fitted.n_iter_ == dense.n_iter_ and fitted.converged_ == dense.converged_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_rules_of_every_coefficient_read_the_dense_copys_rows_to_the_bit():
    X, y = design(m=50, d=6, seed=2)
    for method in ("ADAGRAD", "ADAM", "RMSPROP"):
        for variant in METHODS[method].variants:
            params = {"random_state": 5, "variant": variant}
            dense = METHOD_OF[method](**params).fit(X.toarray(), y)
            fitted = METHOD_OF[method](**params).fit(X, y)
            np.testing.assert_array_equal(fitted.theta_, dense.theta_)


@pytest.mark.parametrize("method", [m for m, r in METHODS.items() if r.streams])
def test_partial_fit_goes_as_with_the_dense_copy(method):
    X, y = design(m=90, d=7, seed=3)
    dense, fitted = METHOD_OF[method](random_state=2), METHOD_OF[method](random_state=2)
    for lo in range(0, 90, 30):
        dense.partial_fit(X[lo:lo + 30].toarray(), y[lo:lo + 30])
        fitted.partial_fit(sp.csr_array(X[lo:lo + 30]), y[lo:lo + 30])
        close(fitted.theta_, dense.theta_)
    np.testing.assert_allclose(fitted.predict(X), dense.predict(X.toarray()), rtol=1e-7)


@pytest.mark.filterwarnings("ignore:.*the design is singular")
def test_the_one_hot_pipeline_scikit_learn_users_build():
    rng = np.random.default_rng(4)
    firms = [f"firm{i}" for i in range(25)]
    frame = pd.DataFrame({"firm": rng.choice(firms, 400), "value": rng.normal(100, 30, 400),
                          "capital": rng.gamma(2, 50, 400)})
    effect = dict(zip(firms, rng.normal(0, 10, len(firms))))
    y = frame["firm"].map(effect).to_numpy() + 0.1 * frame["value"] + 0.05 * frame["capital"] + rng.normal(0, 1, 400)
    encode = make_column_transformer((OneHotEncoder(), ["firm"]), remainder=StandardScaler())
    assert sp.issparse(encode.fit_transform(frame))  # (scikit-learn goes sparse: under 30% non-zero)
    model = make_pipeline(encode, gd.AGDRegressor(random_state=0)).fit(frame, y)
    dense = make_pipeline(make_column_transformer((OneHotEncoder(sparse_output=False), ["firm"]),
                                                  remainder=StandardScaler()),
                          gd.AGDRegressor(random_state=0)).fit(frame, y)
    close(model[-1].theta_, dense[-1].theta_)
    np.testing.assert_allclose(model.predict(frame), dense.predict(frame), rtol=1e-7)
    # the least-squares fit (the indicators and the intercept are collinear: compare predictions)
    design_ = encode.transform(frame).toarray()
    design_ = np.hstack([np.ones((400, 1)), design_])
    best = design_ @ np.linalg.lstsq(design_, y, rcond=None)[0]
    np.testing.assert_allclose(model.predict(frame), best, atol=1e-3 * np.std(y))


@pytest.fixture
def no_densifying(monkeypatch):
    """Any densifying of a scipy.sparse matrix or array fails."""
    def refuse(*args, **kwargs):
        raise AssertionError("a sparse matrix was densified")

    for cls in (sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array, sp.coo_array, sp.coo_matrix):
        monkeypatch.setattr(cls, "toarray", refuse)
        monkeypatch.setattr(cls, "todense", refuse)
        monkeypatch.setattr(cls, "__array__", refuse, raising=False)


@pytest.mark.parametrize("name", ["GDRegressor", "AGDRegressor", "SGDRegressor", "SAGDRegressor", "ADAMRegressor",
                                  "SVRGRegressor", "MBGDRegressor"])
def test_never_densified(name, no_densifying):
    X, y = design(m=70, d=9, seed=5)
    est = getattr(gd, name)(random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(sp.csr_array(X), y)
    assert np.all(np.isfinite(est.predict(sp.csc_matrix(X))))
    if hasattr(est, "partial_fit"):
        est.partial_fit(sp.csr_matrix(X), y)


def test_a_sparse_table_is_a_kind_of_data():
    X, y = design(m=30, d=4)
    table = sp.hstack([X, sp.csr_matrix(y[:, None])], format="csc")
    data = as_data(table)
    assert isinstance(data, Sparse) and data.shape == (30, 5)
    np.testing.assert_array_equal(data.y, y)
    theta = np.linspace(-1, 1, 5)
    for got, exact in zip(data.gradient()(theta), as_data(table.toarray()).gradient()(theta)):
        np.testing.assert_allclose(got, exact, rtol=1e-13)  # (summed in double in row order: not exact)


def test_a_wide_sparse_fit_uses_memory_for_its_non_zeros():
    """2 * 10^4 rows of 10^4 columns, 5 non-zeros a row (1.6 GB dense): a fit (no Gram matrix:
    too wide for one) and its predictions within a few tens of MB."""
    m, d, per_row = 20000, 10000, 5
    rng = np.random.default_rng(6)
    cols = rng.integers(0, d, (m, per_row))
    X = sp.csr_array((np.ones(m * per_row), cols.ravel(), np.arange(0, m * per_row + 1, per_row)), shape=(m, d))
    X.sum_duplicates()
    y = X @ rng.normal(size=d) + rng.normal(size=m)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            gd.GDRegressor(max_iter=20, random_state=0).fit(X, y).predict(X)
            gd.SGDRegressor(max_iter=1, random_state=0).fit(X, y).predict(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60e6, peak  # (X itself: 1.4 MB of values and indices; the dense copy: 1.6 GB)


def test_variance_reduced_inner_rows_beyond_the_bound_say_what_to_do(monkeypatch):
    monkeypatch.setattr("graddescent.sparse.MAX_DENSE", 100)
    X, y = design(m=60, d=8)
    with pytest.raises(ValueError, match="smaller innerIter"):
        gd.SVRGRegressor(inner_iter=50, random_state=0).fit(X, y)


def test_sparse_tags():
    for name in estimators.__all__:
        assert getattr(gd, name)().__sklearn_tags__().input_tags.sparse


def test_sgd_steps_over_the_non_zeros_alone(monkeypatch):
    """R's SGD and SAGD step without a densified row, their iterates averaged lazily, and SAG
    (without averaging), its coefficients brought up to date just in time: the dense copy's
    coefficients and loss, up to rounding."""
    X, y = design(m=80, d=9, seed=8)
    settings = [{"average": False, "learning_rate": 0.05, "tol": None, "max_iter": 30},
                {"average": True, "learning_rate": 0.05, "tol": None, "max_iter": 30}, {}]
    expected = {(m, i): METHOD_OF[m](random_state=4, **params).fit(X.toarray(), y)
                for m in ("SGD", "SAGD") for i, params in enumerate(settings)}
    sag = {"variant": "textbook", "average": False}  # (SAG, without averaging)
    expected["SAG", 0] = gd.SAGDRegressor(random_state=4, **sag, max_iter=300, tol=None).fit(X.toarray(), y)
    expected["SAG", 1] = gd.SAGDRegressor(random_state=4, **sag).fit(X.toarray(), y)
    settings += [{**sag, "max_iter": 300, "tol": None}, sag]

    def refuse(*args):
        raise AssertionError("a row was densified")

    monkeypatch.setattr(Sparse, "rows", refuse)  # (the rows of the steps of the rules that read them whole)
    for (method, i), dense in expected.items():
        cls, params = (gd.SAGDRegressor, settings[3 + i]) if method == "SAG" else (METHOD_OF[method], settings[i])
        fitted = cls(random_state=4, **params).fit(X, y)
        close(fitted.theta_, dense.theta_)
        np.testing.assert_allclose(fitted.loss_curve_, dense.loss_curve_, rtol=1e-9)
        assert fitted.n_iter_ == dense.n_iter_
    with pytest.raises(AssertionError, match="densified"):  # (a rule of every coefficient reads rows whole)
        gd.ADAMRegressor(random_state=4, max_iter=1).fit(X, y)


def test_the_functions_take_a_sparse_table():
    """R's functions on a sparse ``[inputs | output]`` table: the dense copy's numbers."""
    X, y = design(m=40, d=5, seed=9)
    table = sp.hstack([X, sp.csr_matrix(y[:, None])], format="csr")
    expected = {f: getattr(gd, f)(table.toarray(), alpha=0.1, maxIter=10, seed=1) for f in ("GD", "SGD", "SVRG")}
    model = gd.learn(pd.DataFrame(table.toarray()), learningMethod="AGD", seed=1)
    with pytest.MonkeyPatch.context() as patch:
        for cls in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix):
            patch.setattr(cls, "toarray", lambda *a, **k: pytest.fail("densified"))
            patch.setattr(cls, "todense", lambda *a, **k: pytest.fail("densified"))
        for f, theta in expected.items():
            close(getattr(gd, f)(table, alpha=0.1, maxIter=10, seed=1), theta)
        close(gd.learn(table, learningMethod="AGD", seed=1).model, model.model)


def test_sag_goes_on_over_a_stream_as_with_the_dense_copy():
    X, y = design(m=90, d=7, seed=10)
    dense, fitted = (gd.SAGDRegressor(variant="textbook", average=False, random_state=2) for _ in range(2))
    for lo in range(0, 90, 30):
        dense.partial_fit(X[lo:lo + 30].toarray(), y[lo:lo + 30])
        fitted.partial_fit(sp.csr_matrix(X[lo:lo + 30]), y[lo:lo + 30])
        close(fitted.theta_, dense.theta_)


# --------------------------------------------------------------------------- sample weights (issue 25, part 3)

def weights_of(kind, m, seed=11):
    """Frequency weights with some rows of weight 0: whole numbers (summed as that many copies),
    or any others (summed scaled by the largest)."""
    rng = np.random.default_rng(seed)
    w = rng.integers(0, 5, m).astype(float) if kind == "whole" else rng.uniform(0.1, 6.0, m)
    w[[1, 7, 20]] = 0
    return w


@pytest.mark.parametrize("kind", ["whole", "other"])
@pytest.mark.parametrize("method", list(METHODS))
def test_weighted_r_rules_fit_the_weighted_dense_copys_coefficients(method, kind):
    X, y = design()
    w = weights_of(kind, len(y))
    params = {**r_settings(method), "random_state": 7}
    dense = METHOD_OF[method](**params).fit(X.toarray(), y, sample_weight=w)
    fitted = METHOD_OF[method](**params).fit(sp.csc_matrix(X), y, sample_weight=w)
    close(fitted.theta_, dense.theta_)
    close(fitted.coef_, dense.coef_)
    np.testing.assert_array_equal(fitted.scaling_parameter_, dense.scaling_parameter_)  # (the same sums, in order)
    unweighted = METHOD_OF[method](**params).fit(X, y)
    assert np.max(np.abs(unweighted.theta_ - fitted.theta_)) > 1e-3  # (the weights matter here)


@pytest.mark.parametrize("name", estimators.__all__)
def test_weighted_defaults_fit_the_weighted_dense_copys_coefficients(name):
    """The automatic steps (the weighted curvature, the row norms times the step factors), the
    certificate (the weighted Gram matrix) and the stopping rules, as with the dense copy."""
    X, y = design(m=80, d=10, seed=1)
    w = weights_of("other", len(y), seed=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = getattr(gd, name)(random_state=3).fit(X.toarray(), y, sample_weight=w)
        fitted = getattr(gd, name)(random_state=3).fit(sp.csr_array(X), y, sample_weight=w)
    close(fitted.theta_, dense.theta_)
    if dense.learning_rate_ is None:  # (ADADELTA takes no step)
        assert fitted.learning_rate_ is None
    else:
        close(fitted.learning_rate_, dense.learning_rate_, rtol=1e-12)
    assert fitted.n_iter_ == dense.n_iter_ and fitted.converged_ == dense.converged_


def test_weighted_sgd_and_sag_step_over_the_non_zeros_alone(monkeypatch):
    """Weighted, R's SGD and SAGD and SAG (without averaging) still step over a row's non-zeros,
    its residual times its step factor: the weighted dense copy's coefficients and loss."""
    X, y = design(m=80, d=9, seed=8)
    w = weights_of("other", len(y), seed=13)
    settings = {"SGD": {"average": True, "learning_rate": 0.05, "tol": None, "max_iter": 30},
                "SAGD": {"average": False, "learning_rate": 0.05, "tol": None, "max_iter": 30},
                "SAG": {"variant": "textbook", "average": False, "max_iter": 300, "tol": None}}
    cls = {"SGD": gd.SGDRegressor, "SAGD": gd.SAGDRegressor, "SAG": gd.SAGDRegressor}
    expected = {m: cls[m](random_state=4, **settings[m]).fit(X.toarray(), y, sample_weight=w) for m in settings}

    def refuse(*args):
        raise AssertionError("a row was densified")

    monkeypatch.setattr(Sparse, "rows", refuse)
    for method, dense in expected.items():
        fitted = cls[method](random_state=4, **settings[method]).fit(X, y, sample_weight=w)
        close(fitted.theta_, dense.theta_)
        np.testing.assert_allclose(fitted.loss_curve_, dense.loss_curve_, rtol=1e-9)


@pytest.mark.parametrize("method", ["GD", "MGD", "AGD"])
@pytest.mark.parametrize("scaling", ["variance", "minmax", None])
def test_whole_weights_fit_as_the_repeated_sparse_rows(method, scaling):
    # The sparse full gradients are summed in double in row order (not exactly, as the dense
    # ones are): a row's term times w, added once, rounds apart from the w copies added one by
    # one, and R's weighted sd from the copies' (see test_weights.py). Measured: 1e-15 relative
    # on theta, 3e-15 on coef_; held to 1e-12.
    X, y = design(m=80, d=10, seed=1)
    w = weights_of("whole", len(y), seed=14)
    rows = np.repeat(np.arange(len(y)), w.astype(int))
    weighted = METHOD_OF[method](random_state=0, scaling=scaling).fit(X, y, sample_weight=w)
    repeated = METHOD_OF[method](random_state=0, scaling=scaling).fit(X[rows], y[rows])
    close(weighted.theta_, repeated.theta_, rtol=1e-12)
    close(weighted.coef_, repeated.coef_, rtol=1e-12)
    assert weighted.converged_ and repeated.converged_


@pytest.mark.parametrize("method", list(METHODS))
def test_weight_zero_is_the_sparse_row_left_out(method):
    X, y = design(m=60, d=8, seed=15)
    w = np.ones(len(y))
    w[[3, 17, 40]] = 0
    kept = w > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = METHOD_OF[method](random_state=3).fit(X, y, sample_weight=w)
        dropped = METHOD_OF[method](random_state=3).fit(X[kept], y[kept])
    np.testing.assert_array_equal(weighted.theta_, dropped.theta_)
    np.testing.assert_array_equal(weighted.coef_, dropped.coef_)


def test_weighted_sparse_data_reads_the_weighted_dense_numbers():
    """Each number the fits read, of the weighted sparse data and of the weighted dense copy:
    the Gram matrix, the curvature and R's statistics to the bit; the gradient and the loss
    to their double sums' rounding; the row norms times the step factors."""
    X, y = design(m=70, d=6, seed=16)
    w = weights_of("other", len(y), seed=17)
    table = sp.hstack([X, sp.csr_matrix(y[:, None])], format="csr")
    sparse_, dense = as_data(table).weighted(w), as_data(table.toarray()).weighted(w)
    assert sparse_.m == dense.m == 67 and list(sparse_.index) == list(dense.index)
    np.testing.assert_array_equal(sparse_.scaling_parameter("variance"), dense.scaling_parameter("variance"))
    np.testing.assert_array_equal(sparse_.scaling_parameter("minmax"), dense.scaling_parameter("minmax"))
    parameter = dense.scaling_parameter("variance")
    sparse_, dense = sparse_.scaled(parameter), dense.scaled(parameter)
    np.testing.assert_array_equal(sparse_.gram(), dense.gram())
    assert sparse_.curvature() == dense.curvature()
    batches, starts = np.arange(sparse_.m, dtype=np.int64)[::-1].copy(), np.array([0, 30, sparse_.m])
    assert sparse_.curvature(batches, starts) == dense.curvature(batches, starts)
    close(sparse_.largest_row_norm(), dense.largest_row_norm(), rtol=1e-14)
    theta = np.linspace(-1, 1, 7)
    assert sparse_.mean_squared_residual(theta) == dense.mean_squared_residual(theta)
    for got, exact in zip(sparse_.gradient()(theta), dense.gradient()(theta)):
        np.testing.assert_allclose(got, exact, rtol=1e-13)
    rows = np.arange(5, 40, dtype=np.int64)
    for got, exact in zip(sparse_.gradient()(theta, rows=rows), dense.gradient()(theta, rows=rows)):
        np.testing.assert_allclose(got, exact, rtol=1e-13)


def test_weighted_statistics_with_the_zeros_added_at_once(monkeypatch):
    """Beyond IN_ORDER values each column's zeros enter R's sums at once, times the weights' sum
    over its zero rows: the in-order numbers up to that sum's rounding."""
    X, y = design(m=70, d=6, seed=16)
    w = weights_of("other", len(y), seed=17)
    in_order = gd.sparse.as_sparse(X, y, weights=w).scaling_parameter("variance")
    monkeypatch.setattr("graddescent.sparse.IN_ORDER", 0)
    at_once = gd.sparse.as_sparse(X, y, weights=w).scaling_parameter("variance")
    np.testing.assert_allclose(at_once, in_order, rtol=1e-14)


def test_a_wide_weighted_table_takes_the_weighted_curvature(monkeypatch):
    """Beyond GRAM_SIZE columns the curvature comes from Lanczos iterations on weighted sparse
    products: the weighted Gram matrix's largest eigenvalue, to their tolerance."""
    X, y = design(m=70, d=6, seed=16)
    w = weights_of("other", len(y), seed=17)
    data = gd.sparse.as_sparse(X, y, weights=w)
    exact = data.curvature()
    monkeypatch.setattr("graddescent.sparse.GRAM_SIZE", 3)
    assert abs(data.curvature() - exact) <= 1e-5 * exact
    unweighted = gd.sparse.as_sparse(X[w > 0], y[w > 0]).curvature()
    assert abs(unweighted - exact) > 1e-3 * exact  # (the weights matter here)


@pytest.mark.parametrize("method", ["SVRG", "SSGD", "SARAH"])
def test_weighted_inner_loops_read_each_rows_factor(method):
    """The variance-reduced inner loops read each drawn row densified once (a row drawn twice,
    one column): each column with its own row's step factor, as the dense copy's."""
    X, y = design(m=30, d=5, seed=18)
    w = weights_of("other", len(y), seed=19)
    # (60 draws of 27 rows: some drawn twice)
    params = {**r_settings(method), "inner_iter": 60, "learning_rate": 0.002, "random_state": 2}
    dense = METHOD_OF[method](**params).fit(X.toarray(), y, sample_weight=w)
    fitted = METHOD_OF[method](**params).fit(X, y, sample_weight=w)
    close(fitted.theta_, dense.theta_)


@pytest.mark.parametrize("method", [m for m, r in METHODS.items() if r.streams])
def test_weighted_partial_fit_goes_as_with_the_dense_copy(method):
    X, y = design(m=90, d=7, seed=3)
    w = weights_of("other", len(y), seed=20)
    dense, fitted = METHOD_OF[method](random_state=2), METHOD_OF[method](random_state=2)
    for lo in range(0, 90, 30):
        dense.partial_fit(X[lo:lo + 30].toarray(), y[lo:lo + 30], sample_weight=w[lo:lo + 30])
        fitted.partial_fit(sp.csr_array(X[lo:lo + 30]), y[lo:lo + 30], sample_weight=w[lo:lo + 30])
        close(fitted.theta_, dense.theta_)
    np.testing.assert_array_equal(fitted.scaling_parameter_, dense.scaling_parameter_)


def test_weighted_partial_fit_zero_weight_is_the_sparse_row_left_out():
    X, y = design(m=40, d=6, seed=21)
    w = np.ones(len(y))
    w[[0, 9]] = 0
    a = gd.SGDRegressor(random_state=1).partial_fit(X, y, sample_weight=w)
    b = gd.SGDRegressor(random_state=1).partial_fit(X[w > 0], y[w > 0])
    np.testing.assert_array_equal(a.coef_, b.coef_)


@pytest.mark.parametrize("weights, words", [
    (lambda m: -np.ones(m), "negative"),
    (lambda m: np.r_[np.nan, np.ones(m - 1)], "not finite"),
    (lambda m: np.zeros(m), "zero weight for every row"),
    (lambda m: np.ones(m - 1), "one weight per row"),
    (lambda m: ["a"] * m, "numbers"),
])
@pytest.mark.parametrize("call", ["fit", "partial_fit"])
def test_bad_weights_with_sparse_x_are_refused_in_one_line(weights, words, call):
    X, y = design(m=30, d=4)
    with pytest.raises(ValueError, match=words) as caught:
        getattr(gd.SGDRegressor(), call)(X, y, sample_weight=weights(len(y)))
    assert "\n" not in str(caught.value)
    with pytest.raises(ValueError, match=words):
        gd.sparse.as_sparse(X, y, weights=weights(len(y)))


def test_sparse_weights_adding_up_to_one_are_refused_for_rs_sd():
    X, y = design(m=30, d=4)
    with pytest.raises(ValueError, match="add up to more than 1"):
        gd.GDRegressor(random_state=0).fit(X, y, sample_weight=np.full(len(y), 1 / len(y)))


def test_the_functions_take_a_weighted_sparse_table():
    """R's functions' fit (the command line's) of a sparse table with weights: the dense copy's."""
    from graddescent.toplevel import fit_learn

    X, y = design(m=40, d=5, seed=9)
    w = weights_of("whole", len(y), seed=22)
    table = sp.hstack([X, sp.csr_matrix(y[:, None])], format="csr")
    sparse_ = fit_learn(table, learningMethod="AGD", seed=1, weights=w)[0]
    dense = fit_learn(pd.DataFrame(table.toarray()), learningMethod="AGD", seed=1, weights=w)[0]
    close(sparse_.model, dense.model)
