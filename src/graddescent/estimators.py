"""scikit-learn estimators for the 14 methods of R's gradDescent.

Each ``<METHOD>Regressor`` scales ``[X | y]`` as ``gradDescentR.learn`` does (the frame as
a whole, with R's statistics) and runs the method, with scikit-learn's conventions: the
step is ``learning_rate`` (a float, or ``"auto"``, derived from the data: the default),
``max_iter`` counts passes over the data, and a stopping rule (``tol``,
``n_iter_no_change``, see :mod:`graddescent.convergence`) ends the fit; its defaults
converge. ``n_iter_`` is the passes run, and a ConvergenceWarning says when ``max_iter``
ended a fit before ``tol`` was met, or a fit diverged (with the remedy).

A pass is one iteration of GD, MGD and AGD, ``n_batch`` iterations of MBGD, ``n_samples``
steps of the single-row methods (SGD, SAGD, ADAGRAD, ADADELTA, RMSPROP, ADAM), and one
outer iteration (a full gradient, then ``inner_iter`` steps) of the variance-reduced
methods (SVRG, SSGD, SARAH, SARAHPlus). ``max_iter`` may be fractional: the fit then runs
``round(max_iter * iterations per pass)`` iterations (at least one).

R's numbers stay reachable from every estimator: with ``learning_rate`` R's alpha,
``tol=None``, ``average=False`` (single-row methods and MBGD), R's ``inner_iter`` and
``momentum``, and ``max_iter`` R's maxIter in passes (maxIter itself for GD, MGD, AGD and the
variance-reduced methods, ``maxIter / n_batch`` for MBGD, ``maxIter / n_samples`` for the
single-row methods), a fit is ``gradDescentR.learn(..., seed=random_state)``'s: the same theta
and predictions (the test suite checks each of R's ``learn`` results this way). Every
estimator takes ``variant`` ("R", the default: R's rule; "textbook", and "amsgrad" for ADAM,
the published rule where the method has one, see :data:`graddescent.catalog.METHODS`) and
the published rule's constants (``beta1``, ``beta2``, ``epsilon``, torch.optim's defaults)
where the method has them.
:class:`GradDescentRegressor` takes any method by name (to search over methods).

X may be sparse (scipy.sparse CSR or CSC, matrices or arrays: a one-hot encoding):
fitted and predicted without densifying it, R's scaling applied implicitly
(:mod:`graddescent.sparse`), with the coefficients of its dense copy, up to rounding.
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

from . import chunked, drivers, sparse
from .catalog import METHODS
from .convergence import AVERAGED_TOL, PATIENCE, TOL, diverged, stable_bound
from .data import Dense
from .linear import coefficients, predictions
from .methods import published_text
from .rrandom import RRandom
from .scaling import check_scaling
from .validation import MAX_ITER, MAX_STEPS

__all__ = [
    "GradDescentRegressor", "GDRegressor", "MBGDRegressor", "SGDRegressor", "SAGDRegressor", "MGDRegressor",
    "AGDRegressor", "ADAGRADRegressor", "ADADELTARegressor", "RMSPROPRegressor", "ADAMRegressor",
    "SVRGRegressor", "SSGDRegressor", "SARAHRegressor", "SARAHPlusRegressor",
]

SPARSE = ("csr", "csc")  # the sparse formats fitted as they are (others are converted to CSR)
#: estimator parameter -> R's ``control`` entry
R_NAMES = {"learning_rate": "alpha", "max_iter": "maxIter", "momentum": "momentum", "n_batch": "nBatch",
           "lamda": "lamda", "inner_iter": "innerIter", "option": "option", "gamma_s": "gammaS",
           "variant": "variant", "beta1": "beta1", "beta2": "beta2", "epsilon": "epsilon"}
_SNAKE = {r: s for s, r in R_NAMES.items()}
MAX_PASSES = "auto"  # max_iter's default: as many passes as the certificate needs, by the spectrum
GENERIC = ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "momentum", "n_batch", "lamda",
           "inner_iter", "option", "gamma_s", "variant", "beta1", "beta2", "epsilon"]

_CONSTRAINTS = {
    "learning_rate": [Interval(numbers.Real, 0, None, closed="neither"), StrOptions({"auto"})],
    "max_iter": [Interval(numbers.Real, 0, None, closed="neither"), StrOptions({"auto"})],
    "tol": [Interval(numbers.Real, 0, None, closed="left"), None],
    "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
    "average": ["boolean"],
    "momentum": [Interval(numbers.Real, 0, 1, closed="left"), StrOptions({"auto"}), None],
    "n_batch": [Interval(numbers.Integral, 1, None, closed="left")],
    "lamda": [Interval(numbers.Real, 0, None, closed="left")],
    "inner_iter": [Interval(numbers.Integral, 1, MAX_ITER, closed="both"), StrOptions({"auto"})],
    "option": [Options(numbers.Integral, {1, 2})],
    "gamma_s": [Interval(numbers.Real, 0, None, closed="neither")],
    "variant": [StrOptions({"R", "textbook", "amsgrad"}), None],
    "beta1": [Interval(numbers.Real, 0, 1, closed="left")],
    "beta2": [Interval(numbers.Real, 0, 1, closed="left")],
    "epsilon": [Interval(numbers.Real, 0, None, closed="neither"), None],
    "scaling": [StrOptions({"variance", "minmax"}), None],
    # R's set.seed takes R integers; a RandomState gives one (see _seed)
    "random_state": [None, Interval(numbers.Integral, -(2**31 - 1), 2**31 - 1, closed="both"),
                     np.random.RandomState],
    "method": [StrOptions(set(METHODS))],
    "path_every": [Interval(numbers.Integral, 1, None, closed="left"), None],
}

_PARAM_DOCS = {
    "learning_rate": "learning_rate : float or 'auto', default='auto'\n    The step, > 0 (R's ``alpha``); "
                     "``'auto'`` derives it from the data (:mod:`graddescent.convergence` says how); "
                     "``learning_rate_`` holds the one taken.",
    "max_iter": "max_iter : float or 'auto', default='auto'\n    The most passes over the data, > 0 (see "
                ":mod:`graddescent.estimators`; R's ``maxIter`` counts iterations instead). ``'auto'``: "
                "twice as many as theory says the certificate needs on this data's spectrum, at least 1000 and at "
                "most 10**6 (1000 for the single-row methods and MBGD, whose loss decides when they stall).",
    "tol": "tol : float or None, default={tol}\n    The fit converged once its coefficients are certified within "
           "``tol`` of the least-squares solution: the largest error of a coefficient, standardized (times the "
           "spread of its input), over the largest standardized slope (:mod:`graddescent.certificate`; "
           "``coef_error_`` holds the bound reached). {why} None: run ``max_iter`` passes (R's fixed "
           "iterations). Where the data is too wide for a certificate (more than 2047 inputs held by Dask), "
           "``tol`` is the stopping rule of the loss alone (:mod:`graddescent.convergence`).",
    "n_iter_no_change": "n_iter_no_change : int, default=5\n    Passes that must stall in a row to end the fit "
                        "(times ``1 / (1 - momentum)`` for MGD and AGD, whose loss rises and falls).",
    "average": "average : bool, default=True\n    Return the running average of the iterates "
               "(Polyak-Ruppert), which converges where the iterates of a constant step hover about the "
               "optimum: from the pass where their loss stops falling (scikit-learn's rule: "
               "``n_iter_no_change`` passes in a row none lower than the lowest by ``tol``), or half-way "
               "through ``max_iter``; the stopping rule then judges the average. With ``tol=None``, from "
               "the second pass. False: the last iterate (R's).",
    "momentum": "momentum : float{none}, default={momentum!r}\n    Momentum or decay of the running averages, in "
                "[0, 1) (R's ``momentum``{why}).",
    "n_batch": "n_batch : int, default=2\n    Number of mini-batches, 1 to the number of samples (R's ``nBatch``).",
    "lamda": "lamda : float, default=0\n    Skew of SSGD's inner-loop length, >= 0 (R's ``lamda``, R's spelling).",
    "inner_iter": "inner_iter : int or 'auto', default='auto'\n    Number of inner steps, 1 to 10**8 (R's "
                  "``innerIter``, 10 in R); ``'auto'``: the number of samples, a pass.",
    "option": "option : {1, 2}, default=2\n    SVRG: which inner iterate becomes theta (R's ``option``).",
    "gamma_s": "gamma_s : float, default=0.125\n    SARAH+'s sufficient reduction, > 0 (R's ``gammaS``).",
    "variant": "variant : {{{variants}}}{none}, default={default!r}\n    Which rule (not in R): 'R', R's rule and "
               "R's numbers; {published}{why}",
    "beta1": "beta1 : float, default=0.9\n    ADAM's published rules' decay of the first moment, in [0, 1) "
             "(torch.optim.Adam's default; not in R, whose rule fixes 0.9).",
    "beta2": "beta2 : float, default=0.999\n    ADAM's published rules' decay of the second moment, in [0, 1) "
             "(torch.optim.Adam's default; not in R, whose rule fixes 0.999).",
    "epsilon": "epsilon : float{none}, default={epsilon}\n    The published rule's epsilon, > 0 ({torch}; not in R, "
               "whose rules fix their own).",
    "scaling": "scaling : {'variance', 'minmax'} or None, default='variance'\n    How ``[X | y]`` is scaled before "
               "learning, as R's ``featureScaling``/``scalingMethod`` select (None: no scaling). A constant "
               "column gets scale 1 (as ``StandardScaler``), where R fails.",
    "random_state": "random_state : int, RandomState instance or None, default=None\n    An int is R's seed "
                    "(``set.seed``), the same numbers as ``learn(..., seed=random_state)``. A RandomState "
                    "instance gives the seed ``random_state.randint(2**31 - 1)`` at each fit. None draws a "
                    "fresh seed.",
    "path_every": "path_every : int or None, default=None\n    Keep theta (scaled units) every ``path_every`` "
                  "iterations "
                  "(R's units: steps for the single-row methods, outer iterations for the variance-reduced ones) "
                  "in ``path_``, for teaching and plots; None keeps none.",
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
    The passes over the data run (rounded up).
learning_rate_ : float or None
    The step taken (the one ``'auto'`` chose); None for ADADELTA, which has none.
converged_ : bool or None
    Whether the coefficients were certified within ``tol`` of the least-squares solution (where
    there is no certificate, whether the loss's stopping rule was met; None with ``tol=None``).
coef_error_ : float or None
    The certified bound on the coefficients' relative error at the end of the fit (see ``tol``
    and :mod:`graddescent.certificate`): converged where it is at most ``tol``. None with
    ``tol=None`` or where there is no certificate.
path_ : pandas.DataFrame or None
    With ``path_every``: theta (scaled units, as ``theta_``) as the fit went, indexed by
    iteration (0 where it started), every ``path_every`` iterations and the last: what the
    fit returns if it stops there. None otherwise.
loss_curve_ : ndarray
    The training mean squared error as the fit went, in scaled units: of each iteration (of
    its batch, for MBGD) for the full-batch methods, of each outer iteration's starting point
    for the variance-reduced methods, and of each pass for the single-row methods (of the
    averaged iterate with ``average``; with ``tol=None``, of the sampled rows' residuals
    over windows of steps, about 100 values).
"""


def _docstring(summary, method, params):
    """numpydoc for a public class: R's name, its parameters with their defaults, the fitted attributes."""
    origin = (f"R's ``{method}`` (gradDescent 3.0)" if method else "R's ``gradDescentR.learn``")
    lines = [summary, "", f"{origin} as a scikit-learn regressor: ``fit`` scales ``[X | y]`` as",
             "``gradDescentR.learn`` does and runs the method to convergence; with ``learning_rate``",
             "R's alpha, ``tol=None``, ``average=False`` and ``max_iter`` R's maxIter in passes",
             "(:mod:`graddescent.estimators` says how) it fits R's numbers.", "", "Parameters", "----------"]
    momentum = METHODS[method].momentum if method else None
    if not method:
        why = "; None: 'auto' for MGD and AGD (optimal for the spectrum), 0.999 for RMSPROP and ADADELTA"
    elif momentum == "auto":
        why = ("; 0.9 in R. 'auto': the momentum, and with learning_rate='auto' the step, that are optimal for the "
               "data's spectrum (Polyak's heavy ball for MGD, Nesterov's for AGD)")
    else:
        why = "; 0.9 in R, whose scalar running averages then weight recent rows unevenly" if momentum != 0.9 else ""
    for p in [*params, "scaling", "random_state", "path_every"]:
        text = _PARAM_DOCS[p]
        if p == "momentum":
            text = text.format(momentum=momentum, why=why, none="" if method else " or None")
        if p == "variant":
            if method:
                record = METHODS[method]
                variants, published = record.variants, published_text(record) or "the only one this method has."
                reason = (" R's SARAHPlus tests only the intercept's gradient, which R's scaling makes tiny at once, "
                          "so that its inner loops end after a step or two and the fit does not reach least squares: "
                          "the published rule is the default." if record.variant != "R" else "")
            else:
                variants = ("R", "textbook", "amsgrad")
                published = ("'textbook' (and 'amsgrad' for ADAM): the published rule, for the methods that have "
                             "one (see each method's estimator).")
                reason = " None: each method's estimator's default (R's rule, the published one for SARAHPlus)."
            text = text.format(variants=", ".join(map(repr, variants)), published=published, why=reason,
                               none="" if method else " or None", default=METHODS[method].variant if method else None)
        if p == "epsilon":
            text = text.format(none="" if method else " or None", epsilon=METHODS[method].constants["epsilon"] if method
                               else None, torch=f"torch.optim.{METHODS[method].torch}'s default" if method else
                               "None: torch.optim's default for the method, 1e-10 for ADAGRAD, 1e-6 for ADADELTA, "
                               "1e-8 for RMSPROP and ADAM")
        if p == "tol":
            text = text.format(tol=f"{_tol(method):g}", why=(
                "The methods of exact gradients (GD, MGD, AGD, SVRG, SSGD, SARAH, SARAHPlus) stop then, or at "
                "``max_iter``; the others, whose steps are noisy, also stop once their loss stalls "
                "(``n_iter_no_change`` passes in a row none lower than the lowest by ``tol``), not converged."))
        head, body = text.split("\n", 1)
        lines += [head, *textwrap.wrap(body.strip(), 88, initial_indent="    ", subsequent_indent="    ")]
    return "\n".join(lines) + "\n" + _ATTRIBUTES_DOC


def _tol(method):
    """tol's default for a method (None: GradDescentRegressor's)."""
    return AVERAGED_TOL if method is not None and METHODS[method].averages else TOL


def _constraints(params):
    return {p: _CONSTRAINTS[p] for p in [*params, "scaling", "random_state", "path_every"]}


def _finite(value):
    """math.isfinite for any real number (a Fraction too; an integer beyond double's range is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _scaling_parameter(data, scaling):
    """R's scalingParameter of ``[X | y]`` (a kind of :mod:`graddescent.data`), with scale 1 for
    a constant column (R divides by its 0)."""
    parameter = data.scaling_parameter(scaling)
    with np.errstate(over="ignore", invalid="ignore"):  # (a range beyond double's: refused by check_scaling)
        constant = (_ranges(data) if scaling == "variance" else parameter[1]) == 0
    parameter[1, constant | (parameter[1] == 0)] = 1.0
    return parameter


def _ranges(data):
    """Each column's range (max - min) of a kind of :mod:`graddescent.data`."""
    low, high = data.min_max()
    with np.errstate(over="ignore", invalid="ignore"):
        return high - low


def _per_pass(method, n_samples, n_batch):
    """The iterations (R's maxIter units) a pass over the data takes."""
    return n_samples if METHODS[method].by_row else n_batch if method == "MBGD" else 1


class _BaseGradDescent(RegressorMixin, BaseEstimator):
    """fit/predict shared by the 15 estimators; subclasses name their method and parameters."""

    _method = None

    def _method_name(self):
        return self._method

    def _names(self, n_features):
        """The names of the columns of ``[X | y]``, for the fit and its messages."""
        return [*map(str, getattr(self, "feature_names_in_", [f"X[:, {j}]" for j in range(n_features)])), "y"]

    def _check_scaling(self, parameter, data):
        """:func:`graddescent.scaling.check_scaling` of the scaled data, in this estimator's words for its spreads."""
        check_scaling(parameter, data, data.columns, "standard deviation" if self.scaling == "variance" else "range")

    def _expected_failed_checks(self):
        """scikit-learn's checks this estimator is expected to fail, with the reason (as
        scikit-learn's own SGDRegressor declares them): for the methods that draw rows (the
        single-row ones, MBGD's shuffled batches, the variance-reduced inner loops), weights
        honoured in expectation, not as repeated rows, whose draws differ (dense or sparse X)."""
        method = self._method_name()
        failed = {}
        if method in METHODS and (METHODS[method].family != "full batch" or method == "MBGD"):
            for kind in ("dense", "sparse"):
                failed[f"check_sample_weight_equivalence_on_{kind}_data"] = (
                    f"{method} draws rows at random, so sample_weight is equivalent to repeating rows in expectation, "
                    "not draw for draw (test_weights.py checks it statistically)")
        return failed

    def _control(self, method, n_samples):
        """The method's arguments under R's names, max_iter turned into R's iterations."""
        control = {key: getattr(self, _SNAKE[key]) for key in METHODS[method].control if key != "maxIter"}
        if control.get("momentum", 0) is None:  # (GradDescentRegressor's default: the method's estimator's)
            control["momentum"] = METHODS[method].momentum
        control["variant"] = METHODS[method].variant if self.variant is None else self.variant
        control.update({key: getattr(self, key) for key in METHODS[method].constants})
        if control.get("innerIter") == "auto":
            control["innerIter"] = n_samples
        passes = 1000 if self.max_iter == "auto" else self.max_iter  # ("auto" without tol: 1000)
        control["maxIter"] = max(1, round(passes * _per_pass(method, n_samples, control.get("nBatch", 1))))
        # (a single-row method with a stopping rule draws its rows a pass at a time)
        limit = MAX_ITER if self.tol is None or not METHODS[method].by_row else MAX_STEPS
        if control["maxIter"] > limit:
            raise ValueError(f"The 'max_iter' parameter of {type(self).__name__} asks for {control['maxIter']} "
                             f"iterations, more than {limit}; use a smaller max_iter")
        if self.max_iter == "auto" and self.tol is not None:
            control["maxIter"] = "auto"
        return control

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
            if "boolean" in _CONSTRAINTS.get(param, ()):
                continue
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
        if control["variant"] not in METHODS[method].variants:
            have = ", ".join(map(repr, METHODS[method].variants))
            raise ValueError(f"The 'variant' parameter of {name} must be one of {have} for {method}, got "
                             f"{control['variant']!r}.")
        for key, default in METHODS[method].constants.items():
            if control["variant"] == "R" and control[key] is not None and control[key] != default:
                published = METHODS[method].variants[1]
                raise ValueError(f"The {key!r} parameter of {name} sets the published rule's constant, which R's "
                                 f"{method} (variant='R') does not take; use variant={published!r}, or leave "
                                 f"{key} at {default:g}.")
        if control.get("nBatch", 1) > n_samples:
            raise ValueError(f"The 'n_batch' parameter of {name} must be at most the number of samples "
                             f"({n_samples}), got {control['nBatch']}.")
        if isinstance(control.get("option"), (bool, np.bool_)):
            raise ValueError(f"The 'option' parameter of {name} must be 1 or 2, got {control['option']!r}.")
        if control.get("lamda", 0) != 0:
            if control["alpha"] != "auto" and control["lamda"] * control["alpha"] == 1:
                raise ValueError(f"The 'lamda' parameter of {name} times learning_rate must not be 1 (R's "
                                 f"randomProb divides by zero), got lamda={control['lamda']}, "
                                 f"learning_rate={control['alpha']}.")
            if control["innerIter"] == 1:
                raise ValueError(f"The 'inner_iter' parameter of {name} must be at least 2 when lamda > 0 "
                                 "(R's randomProb fails for one value), got 1.")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the linear model on ``[X | y]``, scaled as ``gradDescentR.learn`` scales it.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Or held by Dask (a Dask array or DataFrame), with y too: fitted where they are,
            with the numbers of the same data in memory (:mod:`graddescent.chunked`).
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Frequency weights: a row of weight w counts as w copies of it (0: the row is left
            out), in the loss, the gradients, R's means and standard deviations of the scaling
            (divisor ``sum(w) - 1``, so the weights must add up to more than 1 with
            ``scaling="variance"``) and the certificate (the weighted least-squares solution).
            GD, MGD and AGD with whole weights (up to 2048) give exactly the fit of the rows
            repeated, but for the last bits of the scaling's statistics (exact sums, correctly
            rounded, where R adds the copies one by one in long double); the methods that step
            on one row at a time (and the inner loops of the variance-reduced ones) multiply a
            row's gradient by ``w_i / mean(w)``, so that over rows drawn uniformly their steps
            are in expectation those of the weighted loss (not the same draws as repeated rows).
            MBGD's batches are weighted sums of their rows. None: every row once.

        Returns
        -------
        self : object

        Warns
        -----
        sklearn.exceptions.ConvergenceWarning
            When the fit diverged (with the remedy), or ``max_iter`` ended it before ``tol`` was met.
        UserWarning
            When R's batch arithmetic leaves rows out of MBGD's batches.
        """
        method = self._method_name()
        for name in ("learning_rate", "momentum", "lamda", "gamma_s"):
            value = getattr(self, name, None)
            if isinstance(value, numbers.Real) and not _finite(value):
                raise ValueError(f"The {name!r} parameter of {type(self).__name__} must be finite, got {value!r}.")
        data = self._data(X, y, sample_weight, order="C" if METHODS[method].by_row else "F")  # as the method reads it
        m = data.m  # (a weight of 0: no row)
        control = self._control(method, m)
        self._check_combinations(control, m, method)
        parameter = None if self.scaling is None else _scaling_parameter(data, self.scaling)
        if parameter is not None:
            data = data.scaled(parameter, in_place=True, grouped=METHODS[method].groups_rows)
            self._check_scaling(parameter, data)
        average = self.average if METHODS[method].averages else None
        fit = drivers.run(method, data, self._seed(), self.tol, self.n_iter_no_change, path_every=self.path_every,
                          scaled=True if self.scaling else None, average=average, **control)
        self._warn(fit, method, control, m)
        self.theta_ = fit.theta
        self.scaling_parameter_ = parameter
        self.loss_curve_ = fit.loss
        self.path_ = fit.path
        self.n_iter_ = int(math.ceil(fit.n_iter / _per_pass(method, m, control.get("nBatch", 1)) - 1e-9))
        self.learning_rate_ = fit.alpha
        self.converged_ = fit.converged
        self.coef_error_ = fit.error
        self.intercept_, self.coef_ = coefficients(fit.theta, parameter)
        if hasattr(self, "_stream"):  # (a fit starts afresh: partial_fit goes on from it)
            del self._stream
        return self

    def _data(self, X, y, sample_weight=None, order="F", reset=True, min_samples=2):
        """``[X | y]``, unscaled, as the kind of :mod:`graddescent.data` that holds it, with the
        rows' weights (the rows of weight 0 left out): checked as scikit-learn checks them
        (``reset``: X fixes the features; ``n_features_in_``, ``feature_names_in_``), then in
        memory as :class:`graddescent.data.Dense` (a copy, laid out in ``order``), sparse as
        :class:`graddescent.sparse.Sparse` (never densified), held by Dask (X and y both, cut
        into the same rows) as :class:`graddescent.chunked.Chunks`, where it is. The weights
        may be held by Dask too (one number a row: gathered)."""
        self._check_not_boolean(X, y)
        weights = sample_weight
        if chunked.is_dask(X) or chunked.is_dask(y):
            return self._held(X, y, weights, reset)
        with np.errstate(over="ignore", invalid="ignore"):  # scikit-learn's quick finiteness test sums X
            X, y = validate_data(self, X, y, reset=reset, y_numeric=True, dtype=np.float64,
                                 ensure_min_samples=min_samples, accept_sparse=SPARSE)
        if not np.issubdtype(y.dtype, np.number):  # y_numeric converts only object arrays
            raise ValueError(f"y must hold numbers, got an array of {y.dtype}; convert it with .astype(float)")
        if chunked.is_dask(weights):  # (checked by the kind of data that takes them)
            weights = np.asarray(weights)
        names = pd.Index(self._names(X.shape[1]))
        if sparse.is_sparse(X):
            return sparse.as_sparse(X, y, names, weights=weights)
        values = np.empty((X.shape[0], X.shape[1] + 1), order=order)
        values[:, :-1], values[:, -1] = X, y
        return Dense(values, names, weights=weights)

    def _held(self, X, y, weights, reset):
        """:meth:`_data` of X and y held by Dask (arrays, or a DataFrame and a Series)."""
        import dask.array as da

        if not (chunked.is_dask(X) and chunked.is_dask(y)):
            raise ValueError("X and y must both be held by Dask, or both be in memory; got one of each")
        if reset and hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        elif reset and hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        X = X.to_dask_array(lengths=True) if hasattr(X, "to_dask_array") else X
        y = y.to_dask_array(lengths=True) if hasattr(y, "to_dask_array") else y
        if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
            raise ValueError(f"X must be 2-dimensional and y 1-dimensional, with as many rows: got shapes {X.shape} "
                             f"and {y.shape}")
        if reset:
            self.n_features_in_ = X.shape[1]
        elif X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input.")
        y = y.rechunk((X.chunks[0],)) if y.chunks[0] != X.chunks[0] else y
        data = chunked.as_chunks(da.concatenate([X.rechunk({1: -1}), y[:, None]], axis=1), name="[X | y]")
        data.columns = pd.Index(self._names(X.shape[1]))
        if weights is None:
            return data
        return data.weighted(weights.to_dask_array(lengths=True) if hasattr(weights, "to_dask_array") else weights)

    def _warn(self, fit, method, control, n_samples):
        """The warnings of a fit, in this estimator's names, issued here: none is caught and
        re-issued, so that threads fitting at once each get their own."""
        name = f"{type(self).__name__} ({method})" if type(self) is GradDescentRegressor else type(self).__name__
        left_out = drivers.rows_left_out(n_samples, control["nBatch"]) if method == "MBGD" else 0
        if left_out:
            warnings.warn(f"{name}: R's batch arithmetic leaves {left_out} of the {n_samples} rows out of its "
                          f"batches (n_batch={control['nBatch']}), so the fit is not the least-squares fit of all "
                          "of them; use an n_batch that divides the number of samples", UserWarning, stacklevel=3)
        if fit.diverged:
            remedy = (fit.remedy.replace("alpha='auto'", "learning_rate='auto'").replace("alpha ", "learning_rate ")
                      .replace("(innerIter)", "(inner_iter)").replace("scaling them (varianceScaling)",
                                                                      "scaling them (scaling='variance')"))
            warnings.warn(f"{name} diverged: {remedy}.", ConvergenceWarning, stacklevel=3)
        elif fit.converged is False and fit.advice:
            passes = math.ceil(fit.n_iter / _per_pass(method, n_samples, control.get("nBatch", 1)) - 1e-9)
            advice = fit.advice.replace("raise maxIter", "raise max_iter")
            warnings.warn(f"{name} stopped after {passes} passes: {advice}", ConvergenceWarning, stacklevel=3)
        elif fit.converged is False:
            warnings.warn(f"{name} stopped at max_iter = {self.max_iter} passes before its loss stopped improving "
                          f"(tol={self.tol}); raise max_iter, or tol", ConvergenceWarning, stacklevel=3)
        elif fit.singular:  # (converged: what the coefficients are, which no warning above says)
            warnings.warn(f"{name}: {fit.singular}", UserWarning, stacklevel=3)

    def predict(self, X):
        """Predict as R's ``predict``: scale X, ``[1 | X] theta``, undo the output's scaling.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        self._check_not_boolean(X, None)  # (as fit: true/false are not numbers)
        if chunked.is_dask(X):  # held by Dask: predicted a piece at a time, lazily (a Dask array)
            flags = [c for c, dtype in getattr(X, "dtypes", {}).items() if pd.api.types.is_bool_dtype(dtype)]
            if flags:
                raise ValueError(f"X column {flags[0]!r} holds true/false values, not numbers; convert it (e.g. "
                                 "X.astype(float), for 0/1) or drop it.")
            X = X.to_dask_array(lengths=True) if hasattr(X, "to_dask_array") else X
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has shape {X.shape}, but {type(self).__name__} is expecting "
                                 f"{self.n_features_in_} features as input.")
            return X.rechunk({1: -1}).map_blocks(self._predict, drop_axis=1, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            X = validate_data(self, X, reset=False, dtype=np.float64, accept_sparse=SPARSE)
        return self._predict(X)

    def _predict(self, X):
        if sparse.is_sparse(X):
            return sparse.predictions(self.theta_, self.scaling_parameter_, X)
        return predictions(self.theta_, self.scaling_parameter_, np.asarray(X, dtype=np.float64))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags



class _Streaming:
    """``partial_fit``, for the estimators of the single-row methods and MBGD."""

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, scaling_parameter=None):
        """One pass over a batch of rows, going on from the fit so far (scikit-learn's
        ``partial_fit``, as :class:`sklearn.linear_model.SGDRegressor` has it): for streams of
        batches and data read in pieces (``dask_ml.wrappers.Incremental``, or a loop).

        A pass is n_samples steps on rows drawn with replacement from the batch (MBGD: its
        n_batch steps on R's batches of it), the draws continuing one R stream seeded by
        ``random_state``. The first call fixes the scaling: ``scaling_parameter`` if given,
        else R's statistics of the first batch (so that batch should be typical of the
        stream), and the step: ``learning_rate``, or for ``"auto"`` the one derived from the
        first batch. With ``average`` the coefficients are the running average of the
        iterates from the second batch on (MBGD: of each batch's last iterate). SAG
        (``variant="textbook"`` of SAGD) keeps its table of gradients for the rows of a batch:
        each call starts it afresh. After :meth:`fit`, the first call goes on from its
        coefficients and scaling.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Frequency weights of the batch's rows, as :meth:`fit` takes them: a row's gradient
            is multiplied by ``w_i / mean(w)`` over the batch (MBGD: its batches' sums are
            weighted), and the first batch's scaling statistics are weighted. None: every row once.
        scaling_parameter : array-like of shape (2, n_features + 1), optional
            The first call's scaling instead of the first batch's statistics: row 0 the
            centres, row 1 the spreads (positive), of each column of ``[X | y]``; ignored
            after the first call and with ``scaling=None``.

        Returns
        -------
        self : object

        Warns
        -----
        sklearn.exceptions.ConvergenceWarning
            Once a stream, as soon as it diverges (its batches' loss grows as a diverging fit's
            does, or the coefficients are no longer finite), with the remedy this batch shows: a
            column the first batch's scaling left unscaled, or the step above the batch's bound.
        """
        method = self._method_name()
        first = not hasattr(self, "_stream")
        after_fit = first and hasattr(self, "theta_")
        data = self._data(X, y, sample_weight, order="C", reset=first and not after_fit, min_samples=1)
        if first:
            parameter = self.scaling_parameter_ if after_fit else self._first_scaling(data, scaling_parameter)
            self._stream = {"rng": RRandom(self._seed()), "average": self.average, "warned": False,
                            "constant": [name for name, spread in zip(data.columns, _ranges(data)) if spread == 0]
                            if parameter is not None and scaling_parameter is None
                            and not after_fit else []}
            if after_fit:
                self._stream["theta"] = self.theta_.ravel().copy()
            self.scaling_parameter_, self.n_iter_, self.loss_curve_ = parameter, 0, np.empty(0)
            self.path_ = None  # (a stream keeps no path)
        parameter = self.scaling_parameter_
        if parameter is not None:
            data = data.scaled(parameter, in_place=True)
            self._check_scaling(parameter, data)
        control = self._control(method, data.shape[0])
        arguments = {key: control[key] for key in ("alpha", "momentum", "nBatch", "variant", *METHODS[method].constants)
                     if key in control}
        if method == "ADADELTA":
            arguments.pop("alpha", None)
        record = drivers.partial_pass(method, data, self._stream, **arguments)
        state = self._stream
        theta = state["mean"] if state["mean"] is not None and state["averaged"] else state["theta"]
        self.theta_ = theta.reshape(1, -1).copy()
        self.intercept_, self.coef_ = coefficients(self.theta_, parameter)
        self.n_iter_ += 1
        self.loss_curve_ = np.append(self.loss_curve_, record)
        self.learning_rate_ = state["alpha"]
        self.converged_ = self.coef_error_ = None
        with np.errstate(all="ignore"):
            bad = diverged(self.theta_, self.loss_curve_[0], self.loss_curve_[-1], self.loss_curve_)
        if bad and not state["warned"]:  # (once a stream: as soon as its loss grows as a fit's would)
            state["warned"] = True
            grew = (f"the loss of its batches went from {self.loss_curve_[0]:.3g} to {self.loss_curve_[-1]:.3g}" if
                    np.all(np.isfinite(self.loss_curve_)) and np.all(np.isfinite(self.theta_)) else
                    "its coefficients or its loss are no longer finite")
            warnings.warn(f"{type(self).__name__} diverged on this stream ({grew}): "
                          f"{self._stream_remedy(method, data, arguments)}", ConvergenceWarning, stacklevel=2)
        return self

    def _stream_remedy(self, method, data, arguments):
        """What to do about a stream that diverged, from what this batch shows: a column that
        the first batch's scaling left unscaled, or a step above this batch's stable bound."""
        state = self._stream
        with np.errstate(all="ignore"):
            bounds = data.scaling_parameter("minmax")[:, :-1]
            reach = np.maximum(np.abs(bounds[0]), np.abs(bounds[0] + bounds[1]))
        constant = [name for name in state["constant"] if name != "y"]
        if constant:
            j = data.columns.get_loc(constant[0])
            return (f"column {constant[0]!r} was constant in the first batch, so the stream's scaling (R's statistics "
                    f"of that batch) left it unscaled; here it reaches {reach[j]:.3g}. Pass the stream's centres and "
                    "spreads as scaling_parameter to the first partial_fit call, or begin the stream with a batch in "
                    "which every column varies")
        if reach.size and self.scaling is not None and reach.max() > 100:
            j = int(np.argmax(reach))
            return (f"column {data.columns[j]!r} of this batch reaches {reach[j]:.3g} after the first batch's "
                    "scaling: the first batch was not typical of the stream; pass the stream's centres and spreads "
                    "as scaling_parameter to the first partial_fit call")
        alpha = state["alpha"]
        if alpha is None:  # (ADADELTA)
            return "use a smaller momentum (the decay of its running averages)"
        rule = METHODS[method].rules[arguments.get("variant", "R")]
        bound, how = stable_bound(rule, data, arguments.get("momentum", 0.0))
        auto = " (learning_rate='auto' sized it on the first batch)" if self.learning_rate == "auto" else ""
        if bound is not None and alpha > bound:
            return (f"the step {alpha:.3g}{auto} is above {how} = {bound:.3g} for this batch; use a smaller "
                    "learning_rate")
        return f"use a smaller learning_rate (the step is {alpha:.3g}{auto})"

    def _first_scaling(self, data, given):
        """The scaling of a stream: ``given``, checked, or R's statistics of the first batch (weighted;
        None: no scaling)."""
        if self.scaling is None:
            return None
        if given is None:
            return _scaling_parameter(data, self.scaling)
        parameter = np.array(given, dtype=np.float64)
        if parameter.shape != (2, data.shape[1]) or not np.all(np.isfinite(parameter)) or np.any(parameter[1] <= 0):
            raise ValueError(f"scaling_parameter must be a 2 x {data.shape[1]} array of finite numbers, the centres "
                             "then the spreads (positive) of each column of [X | y]; got "
                             f"{np.shape(given)}")
        return parameter


class GDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Gradient Descent on all rows.", "GD",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "variant"])
    _method = "GD"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "variant"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=TOL, n_iter_no_change=PATIENCE,
                 variant="R", scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.variant = variant
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class MBGDRegressor(_Streaming, _BaseGradDescent):
    __doc__ = _docstring("Mini-Batch Gradient Descent: GD steps on consecutive slices of the shuffled rows.", "MBGD",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "n_batch", "variant"])
    _method = "MBGD"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "n_batch", "variant"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=AVERAGED_TOL, n_iter_no_change=PATIENCE,
                 average=True, n_batch=2, variant="R", scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.n_batch = n_batch
        self.variant = variant
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class SGDRegressor(_Streaming, _BaseGradDescent):
    __doc__ = _docstring("Stochastic Gradient Descent: one random row per step.", "SGD",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "variant"])
    _method = "SGD"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "variant"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=AVERAGED_TOL, n_iter_no_change=PATIENCE,
                 average=True, variant="R", scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.variant = variant
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class SAGDRegressor(_Streaming, _BaseGradDescent):
    __doc__ = _docstring("Stochastic Average Gradient Descent (R's: SGD that skips each step on a coin flip).", "SAGD",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "variant"])
    _method = "SAGD"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "variant"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=AVERAGED_TOL, n_iter_no_change=PATIENCE,
                 average=True, variant="R", scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.variant = variant
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class MGDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Momentum Gradient Descent.", "MGD",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "momentum", "variant"])
    _method = "MGD"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "momentum", "variant"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=TOL, n_iter_no_change=PATIENCE,
                 momentum="auto", variant="R", scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.variant = variant
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class AGDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Accelerated (Nesterov) Gradient Descent.", "AGD",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "momentum", "variant"])
    _method = "AGD"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "momentum", "variant"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=TOL, n_iter_no_change=PATIENCE,
                 momentum="auto", variant="R", scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.variant = variant
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class ADAGRADRegressor(_Streaming, _BaseGradDescent):
    __doc__ = _docstring("Adaptive Gradient (R's variant: one accumulator for all columns).", "ADAGRAD",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "variant", "epsilon"])
    _method = "ADAGRAD"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "variant", "epsilon"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=AVERAGED_TOL, n_iter_no_change=PATIENCE,
                 average=True, variant="R", epsilon=1e-10, scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.variant = variant
        self.epsilon = epsilon
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class ADADELTARegressor(_Streaming, _BaseGradDescent):
    __doc__ = _docstring("ADADELTA (no learning rate; R's scalar running averages).", "ADADELTA",
                         ["max_iter", "tol", "n_iter_no_change", "average", "momentum", "variant", "epsilon"])
    _method = "ADADELTA"
    _parameter_constraints = _constraints(
        ["max_iter", "tol", "n_iter_no_change", "average", "momentum", "variant", "epsilon"])

    def __init__(self, *, max_iter=MAX_PASSES, tol=AVERAGED_TOL, n_iter_no_change=PATIENCE, average=True,
                 momentum=0.999,
                 variant="R", epsilon=1e-6, scaling="variance", random_state=None,
                 path_every=None):
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.momentum = momentum
        self.variant = variant
        self.epsilon = epsilon
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class RMSPROPRegressor(_Streaming, _BaseGradDescent):
    __doc__ = _docstring("RMSprop (R's variant: one running mean for all columns).", "RMSPROP",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change",
                          "average", "momentum", "variant", "epsilon"])
    _method = "RMSPROP"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "momentum", "variant", "epsilon"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=AVERAGED_TOL, n_iter_no_change=PATIENCE,
                 average=True, momentum=0.999, variant="R", epsilon=1e-8, scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.momentum = momentum
        self.variant = variant
        self.epsilon = epsilon
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class ADAMRegressor(_Streaming, _BaseGradDescent):
    __doc__ = _docstring("Adam (R's variant: scalar moments, constant bias correction).", "ADAM",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change",
                          "average", "variant", "beta1", "beta2", "epsilon"])
    _method = "ADAM"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "average", "variant", "beta1", "beta2", "epsilon"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=AVERAGED_TOL, n_iter_no_change=PATIENCE,
                 average=True,
                 variant="R", beta1=0.9, beta2=0.999, epsilon=1e-8, scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.variant = variant
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class SVRGRegressor(_BaseGradDescent):
    __doc__ = _docstring("Stochastic Variance Reduced Gradient.", "SVRG",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "inner_iter", "option", "variant"])
    _method = "SVRG"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "inner_iter", "option", "variant"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=TOL, n_iter_no_change=PATIENCE,
                 inner_iter="auto", option=2, variant="R", scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.inner_iter = inner_iter
        self.option = option
        self.variant = variant
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class SSGDRegressor(_BaseGradDescent):
    __doc__ = _docstring("Semi Stochastic Gradient Descent (R's sign).", "SSGD",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "lamda", "inner_iter", "variant"])
    _method = "SSGD"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "lamda", "inner_iter", "variant"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=TOL, n_iter_no_change=PATIENCE, lamda=0,
                 inner_iter="auto", variant="R", scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.lamda = lamda
        self.inner_iter = inner_iter
        self.variant = variant
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class SARAHRegressor(_BaseGradDescent):
    __doc__ = _docstring("StochAstic Recursive grAdient algoritHm.", "SARAH",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "inner_iter", "variant"])
    _method = "SARAH"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "inner_iter", "variant"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=TOL, n_iter_no_change=PATIENCE,
                 inner_iter="auto", variant="R", scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.inner_iter = inner_iter
        self.variant = variant
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class SARAHPlusRegressor(_BaseGradDescent):
    __doc__ = _docstring("SARAH+: SARAH whose inner loop stops early.", "SARAHPlus",
                         ["learning_rate", "max_iter", "tol", "n_iter_no_change", "inner_iter", "gamma_s", "variant"])
    _method = "SARAHPlus"
    _parameter_constraints = _constraints(
        ["learning_rate", "max_iter", "tol", "n_iter_no_change", "inner_iter", "gamma_s", "variant"])

    def __init__(self, *, learning_rate="auto", max_iter=MAX_PASSES, tol=TOL, n_iter_no_change=PATIENCE,
                 inner_iter="auto", gamma_s=0.125, variant="textbook", scaling="variance", random_state=None,
                 path_every=None):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.inner_iter = inner_iter
        self.gamma_s = gamma_s
        self.variant = variant
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every


class GradDescentRegressor(_BaseGradDescent):
    __doc__ = _docstring("Any of the 14 methods, chosen by name (e.g. to search over methods in a grid search).",
                         None, ["method", *GENERIC])
    _parameter_constraints = {"method": [StrOptions(set(METHODS))], **_constraints(GENERIC)}

    def __init__(self, method="GD", *, learning_rate="auto", max_iter=MAX_PASSES, tol=TOL,
                 n_iter_no_change=PATIENCE, average=True, momentum=None, n_batch=2, lamda=0,
                 inner_iter="auto", option=2, gamma_s=0.125, variant=None, beta1=0.9, beta2=0.999, epsilon=None,
                 scaling="variance", random_state=None,
                 path_every=None):
        self.method = method
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.momentum = momentum
        self.n_batch = n_batch
        self.lamda = lamda
        self.inner_iter = inner_iter
        self.option = option
        self.gamma_s = gamma_s
        self.variant = variant
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.scaling = scaling
        self.random_state = random_state
        self.path_every = path_every

    def _method_name(self):
        return self.method
