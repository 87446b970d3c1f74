"""The scikit-learn estimators (issue 3): R's numbers, scikit-learn's own checks, and use in scikit-learn tools."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

import graddescent as gd
from graddescent import estimators
from conftest import GOLDENS, assert_matches_library, load, r_values

CLASSES = {name: getattr(gd, name) for name in estimators.__all__ if name != "GradDescentRegressor"}
METHOD_OF = {cls._method: cls for cls in CLASSES.values()}


def test_every_method_has_an_estimator_importable_from_the_package():
    assert sorted(METHOD_OF) == sorted(gd.catalog.METHODS)
    for name in estimators.__all__:
        assert getattr(gd, name) is getattr(estimators, name)
        assert name in gd.__all__


@pytest.mark.parametrize("method", sorted(METHOD_OF))
def test_parameters_are_scikit_learns_and_the_methods_control_entries(method):
    params = METHOD_OF[method]().get_params()
    record = gd.catalog.METHODS[method]
    control = {estimators._SNAKE[key] for key in record.control}
    control |= {"variant", *record.constants}  # (beyond R: the published rules)
    averaged = {"average"} if record.averages else set()
    assert set(params) == control | averaged | {"tol", "n_iter_no_change", "scaling", "random_state", "path_every"}
    beyond_r = {"learning_rate": "auto", "max_iter": "auto", "inner_iter": "auto", "n_iter_no_change": 5,
                "tol": 1e-3 if averaged else 1e-4,  # (scikit-learn's SGDRegressor's where the iterates are averaged)
                "average": True, "momentum": 0.999 if method in ("RMSPROP", "ADADELTA") else "auto",
                "variant": "textbook" if method == "SARAHPlus" else "R", "beta1": 0.9, "beta2": 0.999,
                "epsilon": {"ADAGRAD": 1e-10, "ADADELTA": 1e-6}.get(method, 1e-8),  # (torch.optim's defaults)
                "path_every": None}
    for name in set(params) - {"scaling", "random_state"}:
        r_default = gd.toplevel.CONTROL_DEFAULTS.get(gd.estimators.R_NAMES.get(name))
        assert params[name] == beyond_r.get(name, r_default), name
    assert params["scaling"] == "variance" and params["random_state"] is None
    assert f"R's ``{method}``" in METHOD_OF[method].__doc__


# --------------------------------------------------------------------------- parity with R

LEARN = [c for c in GOLDENS if c["kind"] == "learn"]


def _learn_id(c):
    scaling = c["scalingMethod"].lower() if c["featureScaling"] else "unscaled"
    return f"{c['method']}-{c['data']}-{scaling}-seed{c['seed']}-" + "-".join(f"{k}{v}" for k, v in c["control"].items())


def r_parameters(method, control, n_samples):
    """The estimator parameters that fit R's numbers (the mapping estimators.py documents)."""
    control = {**gd.toplevel.CONTROL_DEFAULTS, **control}
    record = gd.catalog.METHODS[method]
    params = {estimators._SNAKE[k]: control[k] for k in record.control}
    per_pass = n_samples if record.by_row else control["nBatch"] if method == "MBGD" else 1
    params["max_iter"] = control["maxIter"] / per_pass
    if record.averages:
        params["average"] = False
    return {**params, "tol": None, "variant": "R"}  # (SARAHPlus's estimator takes the published rule by default)


def _estimator_for(case, n_samples, generic=False):
    params = r_parameters(case["method"], case["control"], n_samples)
    scaling = case["scalingMethod"].lower() if case["featureScaling"] else None
    if generic:
        return gd.GradDescentRegressor(case["method"], **params, scaling=scaling, random_state=case["seed"])
    return METHOD_OF[case["method"]](**params, scaling=scaling, random_state=case["seed"])


@pytest.mark.parametrize("case", LEARN, ids=[_learn_id(c) for c in LEARN])
def test_predictions_match_r_and_learn_predict(case):
    data = load(case["data"])
    X, y = data.iloc[:, :-1], data.iloc[:, -1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # unscaled fits diverge, as in R
        est = _estimator_for(case, len(y)).fit(X, y)
        generic = _estimator_for(case, len(y), generic=True).fit(X, y)
        model = gd.learn(data, case["featureScaling"], case["scalingMethod"], case["method"], case["control"],
                         seed=case["seed"])
    # R's model and R's predictions of the first five rows
    np.testing.assert_allclose(est.theta_.ravel(), r_values(case["model"]), rtol=1e-8, equal_nan=True)
    if case["prediction"] is not None:
        np.testing.assert_allclose(est.predict(X.iloc[:5]), r_values(case["prediction"]), rtol=1e-8,
                                   equal_nan=True)
    # every row as learn + predict (the only reference where R fails: one input column)
    expected = gd.predict(model, X)["V1"].to_numpy()
    np.testing.assert_array_equal(est.predict(X), expected)  # (to the bit)
    np.testing.assert_array_equal(est.theta_, model.model)
    np.testing.assert_array_equal(generic.predict(X), est.predict(X))
    np.testing.assert_array_equal(est.loss_curve_, model.loss)
    per_pass = len(y) if gd.catalog.METHODS[case["method"]].by_row else (
        case["control"].get("nBatch", 2) if case["method"] == "MBGD" else 1)
    assert est.n_iter_ == -(-case["control"]["maxIter"] // per_pass) and est.converged_ is None
    if np.all(np.isfinite(expected)) and np.abs(expected).max() < 1e100:
        # coef_ and intercept_ are the same model in original units (R's descaling of theta
        # loses up to 1e-7 on R's goldens' ill-conditioned data; the product is BLAS's)
        assert_matches_library(expected, X.to_numpy() @ est.coef_ + est.intercept_, rtol=1e-7)


def test_scaling_parameter_is_rs():
    case = next(c for c in GOLDENS if c["kind"] == "varianceScaling")
    data = load(case["data"])
    est = gd.GDRegressor(random_state=1).fit(data.iloc[:, :-1], data.iloc[:, -1])
    np.testing.assert_allclose(est.scaling_parameter_.ravel(order="F"), r_values(case["parameter"]), rtol=1e-12)


# --------------------------------------------------------------------------- scikit-learn's checks

def _check_instances():
    """Each estimator with its defaults, which converge (no check is expected to fail), and
    each once more at R's settings but for the step, as the check sets it, and the
    iterations (its data is not scaled for R's ten)."""
    defaults = [cls() for cls in CLASSES.values()] + [gd.GradDescentRegressor()]
    r_like = [cls(tol=None, max_iter=1000, **({} if m == "ADADELTA" else {"learning_rate": 0.01}),
                  **({"average": False} if gd.catalog.METHODS[m].averages else {}),
                  **({"inner_iter": 10} if gd.catalog.METHODS[m].family == "variance reduced" else {}))
              for m, cls in METHOD_OF.items() if m in ("GD", "SGD", "SVRG")]
    published = [cls(variant=v) for m, cls in METHOD_OF.items() for v in gd.catalog.METHODS[m].variants if v != "R"]
    return defaults + r_like + published


@parametrize_with_checks(_check_instances(), expected_failed_checks=lambda est: est._expected_failed_checks())
def test_sklearn_checks(estimator, check, monkeypatch):
    # scikit-learn skips its array-API check (NumPy inputs with array_api_dispatch on)
    # unless SCIPY_ARRAY_API is set; SciPy's mode only matters for other namespaces,
    # which the check does not use here, so set it rather than skip the check.
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


# --------------------------------------------------------------------------- use in scikit-learn tools

@pytest.fixture(scope="module")
def five():
    data = load("five")
    return data.iloc[:, :-1], data.iloc[:, -1]


def test_dataframe_input_keeps_feature_names_and_matches_numpy(five):
    X, y = five
    est = gd.SVRGRegressor(random_state=3).fit(X, y)
    assert list(est.feature_names_in_) == list(X.columns)
    assert est.n_features_in_ == 5 and est.coef_.shape == (5,) and isinstance(est.intercept_, float)
    assert est.theta_.shape == (1, 6) and est.scaling_parameter_.shape == (2, 6)
    numpy_est = gd.SVRGRegressor(random_state=3).fit(X.to_numpy(), y.to_numpy())
    assert not hasattr(numpy_est, "feature_names_in_")
    np.testing.assert_array_equal(numpy_est.predict(X.to_numpy()), est.predict(X))
    with pytest.raises(ValueError, match="feature names"):
        est.predict(X[X.columns[::-1]])


def test_predict_one_row(five):
    X, y = five
    est = gd.ADAMRegressor(max_iter=200, random_state=1).fit(X, y)
    one = est.predict(X.iloc[[7]])
    assert one.shape == (1,)
    assert one[0] == pytest.approx(est.predict(X)[7], rel=1e-14)
    numpy_est = clone(est).fit(X.to_numpy(), y.to_numpy())
    with pytest.raises(ValueError, match="Reshape"):  # a 1-D row is ambiguous, as everywhere in scikit-learn
        numpy_est.predict(X.to_numpy()[7])
    assert numpy_est.predict(X.to_numpy()[7:8])[0] == one[0]


def test_pipeline_with_imputer(five):
    X, y = five
    holes = X.copy()
    holes.iloc[::9, 2] = np.nan
    pipe = make_pipeline(SimpleImputer(), gd.MGDRegressor(max_iter=100, random_state=2)).fit(holes, y)
    assert pipe.predict(holes).shape == (len(y),)
    assert pipe.score(holes, y) > 0.5
    filled = pd.DataFrame(SimpleImputer().fit_transform(holes), columns=X.columns)
    direct = gd.MGDRegressor(max_iter=100, random_state=2).fit(filled, y)
    np.testing.assert_allclose(pipe.predict(holes), direct.predict(filled), rtol=1e-12)


def test_grid_search_over_method_and_learning_rate(five):
    X, y = five
    grid = GridSearchCV(gd.GradDescentRegressor(max_iter=60, random_state=1),
                        {"method": ["GD", "SGD", "SARAH"], "learning_rate": [0.01, "auto"]}, cv=3).fit(X, y)
    assert len(grid.cv_results_["params"]) == 6
    assert grid.best_params_["method"] in {"GD", "SGD", "SARAH"}
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    best = gd.GradDescentRegressor(max_iter=60, random_state=1, **grid.best_params_).fit(X, y)
    np.testing.assert_array_equal(grid.predict(X), best.predict(X))


def test_cross_val_score(five):
    X, y = five
    scores = cross_val_score(gd.AGDRegressor(max_iter=100, random_state=0), X, y, cv=KFold(4))
    assert scores.shape == (4,) and np.all(scores > 0.5)


def test_clone_and_pickle_round_trip(five):
    X, y = five
    est = gd.SARAHPlusRegressor(learning_rate=0.05, inner_iter=5, random_state=4).fit(X, y)
    copy = clone(est)
    assert copy.get_params() == est.get_params() and not hasattr(copy, "theta_")
    np.testing.assert_array_equal(copy.fit(X, y).predict(X), est.predict(X))
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))
    np.testing.assert_array_equal(restored.loss_curve_, est.loss_curve_)


def test_random_state_instance_draws_r_seed(five):
    X, y = five
    seed = np.random.RandomState(5).randint(2**31 - 1)
    by_instance = gd.SGDRegressor(random_state=np.random.RandomState(5)).fit(X, y)
    by_int = gd.SGDRegressor(random_state=int(seed)).fit(X, y)
    np.testing.assert_array_equal(by_instance.theta_, by_int.theta_)
    r_like = gd.SGDRegressor(**r_parameters("SGD", {}, len(y)), random_state=int(seed)).fit(X, y)
    np.testing.assert_array_equal(r_like.theta_, gd.learn(pd.concat([X, y], axis=1), learningMethod="SGD",
                                                          seed=int(seed)).model)


@pytest.mark.parametrize("scaling", ["variance", "minmax"])
def test_constant_feature_is_scaled_as_standard_scaler_does(five, scaling):
    X, y = five
    X = X.assign(const=3.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no division by the zero spread
        est = gd.GDRegressor(scaling=scaling, random_state=1).fit(X, y)
    assert est.scaling_parameter_[1, 5] == 1.0
    assert np.all(np.isfinite(est.predict(X)))
    # the constant column's coefficient only shifts the intercept: same fit as without the column
    assert_matches_library(est.predict(X), X.to_numpy() @ est.coef_ + est.intercept_, rtol=1e-10)
    with pytest.raises(ValueError, match="constant"):  # learn keeps R's behaviour
        gd.learn(pd.concat([X, y], axis=1), scalingMethod=scaling.upper())


def test_divergence_warns_with_the_remedy(five):
    X, y = five
    with pytest.warns(ConvergenceWarning, match=r"diverged: learning_rate 0.1 is above 2/L = .*learning_rate='auto'"
                                                r".*not scaled.*scaling='variance'"):
        est = gd.GDRegressor(learning_rate=0.1, max_iter=60, tol=None, scaling=None, random_state=1).fit(X, y)
    assert not np.all(np.isfinite(est.theta_)) or np.max(est.loss_curve_) > 1e8
    with pytest.warns(ConvergenceWarning, match=r"diverged: learning_rate 3 is above 2/L = ") as caught:
        gd.GDRegressor(learning_rate=3, max_iter=60, random_state=1).fit(X, y)  # scaled: no word of scaling
    assert "scal" not in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gd.GDRegressor(random_state=1).fit(X, y)


@pytest.mark.parametrize("cls, params, name", [
    (gd.GDRegressor, {"learning_rate": 0}, "learning_rate"),
    (gd.GDRegressor, {"learning_rate": -1.0}, "learning_rate"),
    (gd.GDRegressor, {"learning_rate": np.inf}, "learning_rate"),
    (gd.GDRegressor, {"learning_rate": "big"}, "learning_rate"),
    (gd.SGDRegressor, {"max_iter": 0}, "max_iter"),
    (gd.SGDRegressor, {"max_iter": -2.5}, "max_iter"),
    (gd.SGDRegressor, {"max_iter": "ten"}, "max_iter"),
    (gd.SGDRegressor, {"tol": -1e-3}, "tol"),
    (gd.SGDRegressor, {"n_iter_no_change": 0}, "n_iter_no_change"),
    (gd.SGDRegressor, {"average": "yes"}, "average"),
    (gd.SVRGRegressor, {"inner_iter": "many"}, "inner_iter"),
    (gd.MGDRegressor, {"momentum": 1.0}, "momentum"),
    (gd.ADADELTARegressor, {"momentum": -0.1}, "momentum"),
    (gd.MBGDRegressor, {"n_batch": 0}, "n_batch"),
    (gd.MBGDRegressor, {"n_batch": 1000}, "n_batch"),
    (gd.SSGDRegressor, {"lamda": -1}, "lamda"),
    (gd.SSGDRegressor, {"inner_iter": 0}, "inner_iter"),
    (gd.SSGDRegressor, {"lamda": 10, "learning_rate": 0.1}, "lamda"),
    (gd.SSGDRegressor, {"lamda": 0.5, "inner_iter": 1}, "inner_iter"),
    (gd.SVRGRegressor, {"option": True}, "option"),
    (gd.SVRGRegressor, {"option": 3}, "option"),
    (gd.SARAHPlusRegressor, {"gamma_s": 0}, "gamma_s"),
    (gd.GDRegressor, {"scaling": "VARIANCE"}, "scaling"),
    (gd.GDRegressor, {"scaling": "robust"}, "scaling"),
    (gd.GDRegressor, {"random_state": 2**31}, "random_state"),
    (gd.GDRegressor, {"random_state": "seed"}, "random_state"),
    (gd.GradDescentRegressor, {"method": "LBFGS"}, "method"),
    (gd.GradDescentRegressor, {"method": "gd"}, "method"),
    (gd.GradDescentRegressor, {"method": "MBGD", "n_batch": 500}, "n_batch"),
])
def test_bad_parameters_raise_value_error_at_fit_naming_them(five, cls, params, name):
    X, y = five
    est = cls(**params)  # nothing is checked before fit
    assert est.get_params()[next(iter(params))] is params[next(iter(params))]
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        est.fit(X, y)
