"""scikit-learn estimators for the 14 methods of R's gradDescent.

Each ``<METHOD>Regressor`` runs R's method exactly as ``gradDescentR.learn`` does (the
frame ``[X | y]`` scaled as a whole, then the method with R's seed), so a fitted
estimator predicts what ``learn`` + ``predict`` predict for the same data, settings and
seed. Parameters are R's ``control`` entries in snake_case, with R's defaults.
:class:`GradDescentRegressor` takes any method by name (to search over methods).
"""

import math
import numbers
import textwrap
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6
    def validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)

from ._sums import scale_columns
from .scaling import check_scaling, scaling_parameter
from .methods import BY_ROW
from .toplevel import METHOD_CONTROL, METHODS, _linear
from .validation import MAX_ITER

__all__ = [
    "GradDescentRegressor", "GDRegressor", "MBGDRegressor", "SGDRegressor", "SAGDRegressor", "MGDRegressor",
    "AGDRegressor", "ADAGRADRegressor", "ADADELTARegressor", "RMSPROPRegressor", "ADAMRegressor",
    "SVRGRegressor", "SSGDRegressor", "SARAHRegressor", "SARAHPlusRegressor",
]

#: estimator parameter -> R's ``control`` entry
R_NAMES = {"alpha": "alpha", "max_iter": "maxIter", "momentum": "momentum", "n_batch": "nBatch",
           "lamda": "lamda", "inner_iter": "innerIter", "option": "option", "gamma_s": "gammaS"}
_SNAKE = {r: s for s, r in R_NAMES.items()}

_CONSTRAINTS = {
    "alpha": [Interval(numbers.Real, 0, None, closed="neither")],
    "max_iter": [Interval(numbers.Integral, 1, MAX_ITER, closed="both")],
    "momentum": [Interval(numbers.Real, 0, 1, closed="left")],
    "n_batch": [Interval(numbers.Integral, 1, None, closed="left")],
    "lamda": [Interval(numbers.Real, 0, None, closed="left")],
    "inner_iter": [Interval(numbers.Integral, 1, MAX_ITER, closed="both")],
    "option": [Options(numbers.Integral, {1, 2})],
    "gamma_s": [Interval(numbers.Real, 0, None, closed="neither")],
    "scaling": [StrOptions({"variance", "minmax"}), None],
    # R's set.seed takes R integers; a RandomState gives one (see _seed)
    "random_state": [None, Interval(numbers.Integral, -(2**31 - 1), 2**31 - 1, closed="both"),
                     np.random.RandomState],
    "method": [StrOptions(set(METHODS))],
}

_PARAM_DOCS = {
    "alpha": "alpha : float, default=0.1\n    Learning rate, > 0 (R's ``alpha``).",
    "max_iter": "max_iter : int, default=10\n    Number of iterations, 1 to 10**8 (R's ``maxIter``): outer iterations for "
                "the full-batch and variance-reduced methods, single-row steps for the others.",
    "momentum": "momentum : float, default=0.9\n    Momentum or decay of the running averages, in [0, 1) "
                "(R's ``momentum``).",
    "n_batch": "n_batch : int, default=2\n    Number of mini-batches, 1 to the number of samples (R's ``nBatch``).",
    "lamda": "lamda : float, default=0\n    Skew of SSGD's inner-loop length, >= 0 (R's ``lamda``, R's spelling).",
    "inner_iter": "inner_iter : int, default=10\n    Number of inner steps, 1 to 10**8 (R's ``innerIter``).",
    "option": "option : {1, 2}, default=2\n    SVRG: which inner iterate becomes theta (R's ``option``).",
    "gamma_s": "gamma_s : float, default=0.125\n    SARAH+'s sufficient reduction, > 0 (R's ``gammaS``).",
    "scaling": "scaling : {'variance', 'minmax'} or None, default='variance'\n    How ``[X | y]`` is scaled before "
               "learning, as R's ``featureScaling``/``scalingMethod`` select (None: no scaling). A constant "
               "column gets scale 1 (as ``StandardScaler``), where R fails.",
    "random_state": "random_state : int, RandomState instance or None, default=None\n    An int is R's seed "
                    "(``set.seed``), the same numbers as ``learn(..., seed=random_state)``. A RandomState "
                    "instance gives the seed ``random_state.randint(2**31 - 1)`` at each fit. None draws a "
                    "fresh seed.",
    "method": "method : str, default='GD'\n    R's method name: GD, MBGD, SGD, SAGD, MGD, AGD, ADAGRAD, ADADELTA, "
              "RMSPROP, ADAM, SSGD, SVRG, SARAH or SARAHPlus. Parameters the method does not take are "
              "ignored (as R ignores their ``control`` entries).",
}

_ATTRIBUTES_DOC = """
Attributes
----------
coef_ : ndarray of shape (n_features,)
    Coefficients in the original units of X and y.
intercept_ : float
    Intercept in the original units.
theta_ : ndarray of shape (1, n_features + 1)
    R's model: theta, intercept first, in scaled units (R's ``model``).
scaling_parameter_ : ndarray of shape (2, n_features + 1) or None
    R's ``scalingParameter`` of ``[X | y]``: row 0 the centres (means or minima), row 1
    the scales (standard deviations or ranges, 1 for a constant column). None without scaling.
n_features_in_ : int
    Number of features seen during fit.
feature_names_in_ : ndarray of shape (n_features_in_,)
    Defined only when X has string feature names.
n_iter_ : int
    Iterations (or single-row steps) run: ``max_iter`` (R's methods have no stopping rule).
loss_curve_ : ndarray
    The training mean squared error as the fit went, in scaled units, at no extra pass over
    the data: the MSE of each outer iteration's residual for the full-batch and
    variance-reduced methods, the running mean of the squared residuals of the sampled
    rows over windows of steps (about 100 values) for the single-row methods.
"""


def _docstring(summary, method, params):
    """numpydoc for a public class: R's name, its parameters with R's defaults, the fitted attributes."""
    origin = (f"R's ``{method}`` (gradDescent 3.0)" if method else "R's ``gradDescentR.learn``")
    lines = [summary, "", f"{origin} as a scikit-learn regressor: ``fit`` scales ``[X | y]`` and runs the",
             "method as ``gradDescentR.learn`` does, so predictions equal ``learn`` + ``predict``",
             "for the same data, settings and seed (``random_state``).", "", "Parameters", "----------"]
    for p in [*params, "scaling", "random_state"]:
        head, body = _PARAM_DOCS[p].split("\n", 1)
        lines += [head, *textwrap.wrap(body.strip(), 88, initial_indent="    ", subsequent_indent="    ")]
    return "\n".join(lines) + "\n" + _ATTRIBUTES_DOC


def _constraints(params):
    return {p: _CONSTRAINTS[p] for p in [*params, "scaling", "random_state"]}


def _finite(value):
    """math.isfinite for any real number (a Fraction too; an integer beyond double's range is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _scaling_parameter(values, scaling):
    """R's scalingParameter of the whole frame, with scale 1 for a constant column."""
    parameter = scaling_parameter(values, scaling)
    with np.errstate(over="ignore"):  # (a range beyond double's: refused by check_scaling)
        constant = (np.ptp(values, axis=0) == 0) | (parameter[1] == 0)
    parameter[1, constant] = 1.0
    return parameter


class _BaseGradDescent(RegressorMixin, BaseEstimator):
    """fit/predict shared by the 15 estimators; subclasses name their method and parameters."""

    _method = None

    def _method_name(self):
        return self._method

    def _control(self, method):
        """The method's arguments under R's names."""
        return {key: getattr(self, _SNAKE[key]) for key in METHOD_CONTROL[method]}

    def _seed(self):
        if isinstance(self.random_state, np.random.RandomState):
            return int(self.random_state.randint(2**31 - 1))
        return None if self.random_state is None else int(self.random_state)

    def _validate_params(self):
        """scikit-learn's checks, after two of this package's: numbers as int or float, never booleans.

        (scikit-learn takes True for an int, and fails with a TypeError on a Fraction.)
        """
        name = type(self).__name__
        for param, value in self.get_params(deep=False).items():
            if isinstance(value, (bool, np.bool_)):
                raise ValueError(f"The {param!r} parameter of {name} must not be a boolean, got {value!r}.")
            if isinstance(value, numbers.Number) and not isinstance(value, (int, float, np.integer, np.floating)):
                raise ValueError(f"The {param!r} parameter of {name} must be an int or a float, got {value!r}.")
        super()._validate_params()

    def _check_not_boolean(self, X, y):
        """No input column or target may hold true/false values (as in ``learn`` and the CLI)."""
        for what, value in (("X", X), ("y", y)):
            if isinstance(value, pd.DataFrame):
                flags = [c for c, dtype in zip(value.columns, value.dtypes) if pd.api.types.is_bool_dtype(dtype)]
                if flags:
                    raise ValueError(f"{what} column {flags[0]!r} holds true/false values, not numbers; convert it "
                                     f"(e.g. {what}.astype(float), for 0/1) or drop it.")
            else:
                dtype = getattr(value, "dtype", None)
                if dtype is None and isinstance(value, (list, tuple)):
                    dtype = np.asarray(value).dtype
                if dtype is not None and pd.api.types.is_bool_dtype(dtype):
                    raise ValueError(f"{what} holds true/false values, not numbers; convert it (e.g. "
                                     f"{what}.astype(float), for 0/1).")

    def _check_combinations(self, control, n_samples, method):
        """What the constraints cannot say alone (the methods check it too, under R's names)."""
        name = type(self).__name__
        if control.get("nBatch", 1) > n_samples:
            raise ValueError(f"The 'n_batch' parameter of {name} must be at most the number of samples "
                             f"({n_samples}), got {control['nBatch']}.")
        if isinstance(control.get("option"), (bool, np.bool_)):
            raise ValueError(f"The 'option' parameter of {name} must be 1 or 2, got {control['option']!r}.")
        if method == "SSGD" and control["maxIter"] * control["innerIter"] > MAX_ITER:
            raise ValueError(f"The 'max_iter' times 'inner_iter' parameters of {name} must be at most {MAX_ITER} "
                             "(SSGD draws all its inner rows up front), got "
                             f"{control['maxIter']} * {control['innerIter']}.")
        if control.get("lamda", 0) != 0:
            if control["lamda"] * control["alpha"] == 1:
                raise ValueError(f"The 'lamda' parameter of {name} times alpha must not be 1 (R's randomProb "
                                 f"divides by zero), got lamda={control['lamda']}, alpha={control['alpha']}.")
            if control["innerIter"] == 1:
                raise ValueError(f"The 'inner_iter' parameter of {name} must be at least 2 when lamda > 0 "
                                 "(R's randomProb fails for one value), got 1.")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the linear model with R's method on ``[X | y]``, scaled as ``gradDescentR.learn`` scales it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        method = self._method_name()
        control = self._control(method)
        self._check_not_boolean(X, y)
        for name in ("alpha", "momentum", "lamda", "gamma_s"):
            value = getattr(self, name, None)
            if R_NAMES[name] in control and not _finite(value):
                raise ValueError(f"The {name!r} parameter of {type(self).__name__} must be finite, got {value!r}.")
        with np.errstate(over="ignore", invalid="ignore"):  # scikit-learn's quick finiteness test sums X
            X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64, ensure_min_samples=2)
        if not np.issubdtype(y.dtype, np.number):  # y_numeric converts only object arrays
            raise ValueError(f"y must hold numbers, got an array of {y.dtype}; convert it with .astype(float)")
        self._check_combinations(control, X.shape[0], method)
        data = np.empty((X.shape[0], X.shape[1] + 1), order="C" if method in BY_ROW else "F")  # as the method reads it
        data[:, :-1], data[:, -1] = X, y
        if self.scaling is None:
            parameter = None
        else:
            parameter = _scaling_parameter(data, self.scaling)
            scale_columns(data, parameter[0], parameter[1], data)  # in place
            names = getattr(self, "feature_names_in_", [f"X[:, {j}]" for j in range(X.shape[1])])
            check_scaling(parameter, data, [*map(str, names), "y"], self.scaling == "variance" and
                          "standard deviation" or "range")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            theta, loss = METHODS[method](data, **control, seed=self._seed(), return_loss=True)
        diverged = False
        for w in caught:
            if issubclass(w.category, ConvergenceWarning):
                diverged = True
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if diverged:
            remedies = ["scale the data (scaling='variance' or 'minmax')"] if self.scaling is None else []
            if "alpha" in control:
                remedies.append(f"use a smaller alpha (now {self.alpha})")
            remedies = " or ".join(remedies) or "check the data for extreme values"
            warnings.warn(f"{type(self).__name__} ({method}) diverged: the coefficients or the training loss "
                          f"grew without bound. To fix it, {remedies}.", ConvergenceWarning, stacklevel=3)
        self.theta_ = theta
        self.scaling_parameter_ = parameter
        self.loss_curve_ = loss
        self.n_iter_ = int(self.max_iter)
        t = theta.ravel()
        if parameter is None:
            self.coef_, self.intercept_ = t[1:].copy(), float(t[0])
        else:
            centre, scale = parameter
            with np.errstate(all="ignore"):
                slope = t[1:] / scale[:-1]
                self.coef_ = slope * scale[-1]
                self.intercept_ = float(centre[-1] + scale[-1] * (t[0] - slope @ centre[:-1]))
        return self

    def predict(self, X):
        """Predict as R's ``predict``: scale X, ``[1 | X] theta``, undo the output's scaling.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        with np.errstate(over="ignore", invalid="ignore"):
            X = validate_data(self, X, reset=False, dtype=np.float64)
        theta = self.theta_.ravel()
        p = self.scaling_parameter_
        if p is None:
            return _linear(X, theta)
        n = theta.shape[0]
        with np.errstate(all="ignore"):
            return _linear((X - p[0, : n - 1]) / p[1, : n - 1], theta) * p[1, n - 1] + p[0, n - 1]


class GDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Gradient Descent on all rows.", "GD", ["alpha", "max_iter"])
    _method = "GD"
    _parameter_constraints = _constraints(["alpha", "max_iter"])

    def __init__(self, *, alpha=0.1, max_iter=10, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.scaling = scaling
        self.random_state = random_state


class MBGDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Mini-Batch Gradient Descent: GD steps on consecutive slices of the shuffled rows.",
                         "MBGD", ["alpha", "max_iter", "n_batch"])
    _method = "MBGD"
    _parameter_constraints = _constraints(["alpha", "max_iter", "n_batch"])

    def __init__(self, *, alpha=0.1, max_iter=10, n_batch=2, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.n_batch = n_batch
        self.scaling = scaling
        self.random_state = random_state


class SGDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Stochastic Gradient Descent: one random row per step.", "SGD", ["alpha", "max_iter"])
    _method = "SGD"
    _parameter_constraints = _constraints(["alpha", "max_iter"])

    def __init__(self, *, alpha=0.1, max_iter=10, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.scaling = scaling
        self.random_state = random_state


class SAGDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Stochastic Average Gradient Descent: SGD that skips each step on a coin flip.",
                         "SAGD", ["alpha", "max_iter"])
    _method = "SAGD"
    _parameter_constraints = _constraints(["alpha", "max_iter"])

    def __init__(self, *, alpha=0.1, max_iter=10, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.scaling = scaling
        self.random_state = random_state


class MGDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Momentum Gradient Descent.", "MGD", ["alpha", "max_iter", "momentum"])
    _method = "MGD"
    _parameter_constraints = _constraints(["alpha", "max_iter", "momentum"])

    def __init__(self, *, alpha=0.1, max_iter=10, momentum=0.9, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.momentum = momentum
        self.scaling = scaling
        self.random_state = random_state


class AGDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Accelerated (Nesterov) Gradient Descent.", "AGD", ["alpha", "max_iter", "momentum"])
    _method = "AGD"
    _parameter_constraints = _constraints(["alpha", "max_iter", "momentum"])

    def __init__(self, *, alpha=0.1, max_iter=10, momentum=0.9, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.momentum = momentum
        self.scaling = scaling
        self.random_state = random_state


class ADAGRADRegressor(_BaseGradDescent):
    __doc__ = _docstring("Adaptive Gradient (R's variant: one accumulator for all columns).",
                         "ADAGRAD", ["alpha", "max_iter"])
    _method = "ADAGRAD"
    _parameter_constraints = _constraints(["alpha", "max_iter"])

    def __init__(self, *, alpha=0.1, max_iter=10, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.scaling = scaling
        self.random_state = random_state


class ADADELTARegressor(_BaseGradDescent):
    __doc__ = _docstring("ADADELTA (no learning rate; R's scalar running averages).",
                         "ADADELTA", ["max_iter", "momentum"])
    _method = "ADADELTA"
    _parameter_constraints = _constraints(["max_iter", "momentum"])

    def __init__(self, *, max_iter=10, momentum=0.9, scaling="variance", random_state=None):
        self.max_iter = max_iter
        self.momentum = momentum
        self.scaling = scaling
        self.random_state = random_state


class RMSPROPRegressor(_BaseGradDescent):
    __doc__ = _docstring("RMSprop (R's variant: one running mean for all columns).",
                         "RMSPROP", ["alpha", "max_iter", "momentum"])
    _method = "RMSPROP"
    _parameter_constraints = _constraints(["alpha", "max_iter", "momentum"])

    def __init__(self, *, alpha=0.1, max_iter=10, momentum=0.9, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.momentum = momentum
        self.scaling = scaling
        self.random_state = random_state


class ADAMRegressor(_BaseGradDescent):
    __doc__ = _docstring("Adam (R's variant: scalar moments, constant bias correction).", "ADAM", ["alpha", "max_iter"])
    _method = "ADAM"
    _parameter_constraints = _constraints(["alpha", "max_iter"])

    def __init__(self, *, alpha=0.1, max_iter=10, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.scaling = scaling
        self.random_state = random_state


class SVRGRegressor(_BaseGradDescent):
    __doc__ = _docstring("Stochastic Variance Reduced Gradient.", "SVRG", ["alpha", "max_iter", "inner_iter", "option"])
    _method = "SVRG"
    _parameter_constraints = _constraints(["alpha", "max_iter", "inner_iter", "option"])

    def __init__(self, *, alpha=0.1, max_iter=10, inner_iter=10, option=2, scaling="variance",
                 random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.inner_iter = inner_iter
        self.option = option
        self.scaling = scaling
        self.random_state = random_state


class SSGDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Semi Stochastic Gradient Descent.", "SSGD", ["alpha", "max_iter", "lamda", "inner_iter"])
    _method = "SSGD"
    _parameter_constraints = _constraints(["alpha", "max_iter", "lamda", "inner_iter"])

    def __init__(self, *, alpha=0.1, max_iter=10, lamda=0, inner_iter=10, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.lamda = lamda
        self.inner_iter = inner_iter
        self.scaling = scaling
        self.random_state = random_state


class SARAHRegressor(_BaseGradDescent):
    __doc__ = _docstring("StochAstic Recursive grAdient algoritHm.", "SARAH", ["alpha", "max_iter", "inner_iter"])
    _method = "SARAH"
    _parameter_constraints = _constraints(["alpha", "max_iter", "inner_iter"])

    def __init__(self, *, alpha=0.1, max_iter=10, inner_iter=10, scaling="variance", random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.inner_iter = inner_iter
        self.scaling = scaling
        self.random_state = random_state


class SARAHPlusRegressor(_BaseGradDescent):
    __doc__ = _docstring("SARAH+: SARAH whose inner loop stops early.",
                         "SARAHPlus", ["alpha", "max_iter", "inner_iter", "gamma_s"])
    _method = "SARAHPlus"
    _parameter_constraints = _constraints(["alpha", "max_iter", "inner_iter", "gamma_s"])

    def __init__(self, *, alpha=0.1, max_iter=10, inner_iter=10, gamma_s=0.125, scaling="variance",
                 random_state=None):
        self.alpha = alpha
        self.max_iter = max_iter
        self.inner_iter = inner_iter
        self.gamma_s = gamma_s
        self.scaling = scaling
        self.random_state = random_state


class GradDescentRegressor(_BaseGradDescent):
    __doc__ = _docstring("Any of the 14 methods, chosen by name (e.g. to search over methods in a grid search).",
                         None, ["method", *R_NAMES])
    _parameter_constraints = {"method": [StrOptions(set(METHODS))], **_constraints(R_NAMES)}

    def __init__(self, method="GD", *, alpha=0.1, max_iter=10, momentum=0.9, n_batch=2, lamda=0, inner_iter=10,
                 option=2, gamma_s=0.125, scaling="variance", random_state=None):
        self.method = method
        self.alpha = alpha
        self.max_iter = max_iter
        self.momentum = momentum
        self.n_batch = n_batch
        self.lamda = lamda
        self.inner_iter = inner_iter
        self.option = option
        self.gamma_s = gamma_s
        self.scaling = scaling
        self.random_state = random_state

    def _method_name(self):
        return self.method
