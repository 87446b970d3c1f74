"""Converged means the coefficients are right: the certificate of a fit's coefficients, and
defaults that reach it, on public tables (scikit-learn's diabetes, and the tables of
tests/data) against numpy's least squares."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning

import graddescent as gd
from graddescent.catalog import METHODS
from conftest import HERE

EXACT = ["GD", "MGD", "AGD", "SVRG", "SARAH", "SARAHPlus", "SSGD"]  # (the methods of exact gradients)
NOISY = [name for name in METHODS if name not in EXACT]


def table(name):
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True, as_frame=True)
        return X, y
    frame = pd.read_csv(HERE / "data" / f"{name}.csv")
    return frame.iloc[:, :-1], frame.iloc[:, -1]


def truth(X, y):
    """numpy's least squares (LAPACK's SVD), and each input's spread."""
    design = np.column_stack([np.ones(len(X)), X.to_numpy(float)])
    return np.linalg.lstsq(design, y.to_numpy(float), rcond=None)[0], X.to_numpy(float).std(axis=0, ddof=1)


def error(est, X, y):
    """The measure users read: max |b_j - b*_j| sd(x_j) over max |b*_j| sd(x_j), the slopes'
    errors standardized (the certificate bounds the intercept's too, at the inputs' means)."""
    star, sd = truth(X, y)
    return np.max(np.abs(est.coef_ - star[1:]) * sd) / np.max(np.abs(star[1:]) * sd)


def fit(cls, X, y, **params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = cls(**params).fit(X, y)
    return est, caught


@pytest.mark.parametrize("data", ["diabetes", "longley", "stackloss", "engel"])
@pytest.mark.parametrize("method", EXACT)
def test_the_exact_methods_reach_the_certificate_at_their_defaults(method, data):
    """Unseeded, as a user fits: converged, and the coefficients within tol of numpy's least
    squares (whose own error, on these tables, is far below it); no warning."""
    X, y = table(data)
    est, caught = fit(getattr(gd, f"{method}Regressor"), X, y)
    assert est.converged_ and est.coef_error_ <= est.tol == 1e-4
    assert error(est, X, y) <= est.coef_error_ * (1 + 1e-6) + 1e-9
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("method", NOISY)
def test_a_fit_that_is_not_certified_says_so_with_its_bound_and_a_remedy(method):
    """The methods of noisy steps stop where their loss stalls: not converged (the certificate is
    not met on the ill-conditioned diabetes table), a ConvergenceWarning with the bound and a
    method that gets there; the bound is honest."""
    X, y = table("diabetes")
    est, caught = fit(getattr(gd, f"{method}Regressor"), X, y, random_state=3)
    assert est.converged_ is False and est.coef_error_ > est.tol
    assert error(est, X, y) <= est.coef_error_ * (1 + 1e-6) + 1e-9
    (message,) = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert f"certified within {est.coef_error_:.2g} of least squares" in message
    assert "SVRG" in message and "momentum='auto'" in message


def test_two_unseeded_default_fits_agree_to_the_tolerance():
    X, y = table("diabetes")
    a, b = (fit(gd.GDRegressor, X, y)[0] for _ in range(2))
    sd = X.to_numpy().std(axis=0, ddof=1)
    assert np.max(np.abs(a.coef_ - b.coef_) * sd) / np.max(np.abs(a.coef_) * sd) <= 2 * a.tol


@pytest.mark.parametrize("method", list(METHODS))
def test_a_constant_column_gets_coefficient_zero_and_is_named(method):
    """Its scaled column is all zeros, which no gradient step changes: the start is projected
    off it, so the coefficient is 0 (least squares' minimum-norm answer) in every method."""
    X, y = table("stackloss")
    X = X.assign(constant=7.5)
    est, caught = fit(getattr(gd, f"{method}Regressor"), X, y, random_state=1)
    assert est.coef_[-1] == 0.0
    said = " ".join(str(w.message) for w in caught)
    assert "the design is singular ('constant' is constant)" in said and "minimum-norm" in said


def test_collinear_columns_are_named_and_fit_the_minimum_norm_solution():
    X, y = table("stackloss")
    X = X.assign(twice=2 * X.iloc[:, 0])
    est, caught = fit(gd.AGDRegressor, X, y, random_state=1)
    assert est.converged_ and "are collinear" in str(caught[0].message)
    # the minimum-norm solution of the scaled problem: the two scaled columns equal, their
    # coefficients equal in scaled units (theta)
    assert est.theta_[0, 1] == pytest.approx(est.theta_[0, -1], rel=1e-6)
    np.testing.assert_allclose(est.predict(X), gd.AGDRegressor(random_state=1).fit(
        X.iloc[:, :-1], y).predict(X.iloc[:, :-1]), rtol=1e-3)


def test_r_numbers_are_untouched():
    """With tol=None (R's fixed iterations) there is no certificate, no projection and no
    change: the estimator fits learn's numbers, the start R's."""
    X, y = table("stackloss")
    est = gd.GDRegressor(learning_rate=0.1, max_iter=10, tol=None, random_state=5).fit(X, y)
    model = gd.learn(pd.concat([X, y], axis=1), learningMethod="GD", seed=5)
    np.testing.assert_array_equal(est.theta_, model.model)
    assert est.coef_error_ is None and est.converged_ is None


def test_the_heavy_ball_takes_the_optimal_momentum_for_the_spectrum():
    X, y = table("diabetes")
    scaled = gd.varianceScaling(pd.concat([X, y], axis=1)).scaledDataSet
    values = np.column_stack([np.ones(len(scaled)), scaled.to_numpy()[:, :-1]])
    eig = np.linalg.eigvalsh(values.T @ values / len(values))
    root = np.sqrt(eig[-1] / eig[0])
    fitted = gd.drivers.run("MGD", scaled, seed=1, alpha="auto", momentum="auto", maxIter=5)
    assert fitted.alpha == pytest.approx(4 / (np.sqrt(eig[-1]) + np.sqrt(eig[0])) ** 2, rel=1e-9)
    fitted = gd.drivers.run("GD", scaled, seed=1, alpha="auto", maxIter=5)
    assert fitted.alpha == pytest.approx(2 / (eig[-1] + eig[0]), rel=1e-9)
    assert root > 20  # (ill-conditioned: momentum='auto' is well above R's 0.9)


def test_auto_iterations_need_a_tolerance():
    data = gd.varianceScaling(pd.concat(table("stackloss"), axis=1)).scaledDataSet
    with pytest.raises(ValueError, match="maxIter must be a whole number"):
        gd.GD(data, maxIter="auto")
    fitted = gd.drivers.run("GD", data, seed=1, alpha="auto", maxIter="auto", tol=1e-4)
    assert fitted.converged and fitted.error <= 1e-4 and fitted.n_iter == fitted.loss.size < 1000


def test_the_certificate_is_the_same_for_data_held_by_dask():
    pytest.importorskip("dask.array", reason="Dask (the extra 'dask') holds the data in pieces")
    import dask.array as da

    X, y = table("diabetes")
    memory = gd.SVRGRegressor(random_state=2).fit(X, y)
    held = gd.SVRGRegressor(random_state=2).fit(da.from_array(X.to_numpy(), chunks=(100, -1)),
                                                da.from_array(y.to_numpy(), chunks=100))
    assert held.coef_error_ == memory.coef_error_ and held.n_iter_ == memory.n_iter_
    assert held.coef_.tobytes() == memory.coef_.tobytes()


def test_a_design_wider_than_its_rows_is_named_in_a_line_a_person_reads():
    """More columns than rows: many null directions, each of many columns. The warning names a
    few of each and counts the rest, instead of listing them all (30 columns of 20 rows gave
    a warning of some 5,000 characters)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 30)), rng.normal(size=20)
    est, caught = fit(gd.GDRegressor, X, y, random_state=1)
    said = " ".join(str(w.message) for w in caught if "singular" in str(w.message))
    assert "the design is singular" in said and "more null directions" in said and "more columns" in said
    assert len(said) < 600
