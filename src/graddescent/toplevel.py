"""R's top level (``gradDescentR.learn``, ``predict``) and helpers (``splitData``, ``prediction``, ``RMSE``)."""

import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import drivers
from .catalog import METHODS
from .chunked import is_dask
from .convergence import PATIENCE
from .data import as_data
from .linear import linear, predictions as linear_predictions
from .methods import report
from .scaling import scale
from .validation import as_frame, check_number

__all__ = ["SplitResult", "GradDescentRObject", "splitData", "prediction", "RMSE", "learn", "predict", "gradDescentR"]

#: R's ``control`` defaults in ``gradDescentR.learn``.
CONTROL_DEFAULTS = {"alpha": 0.1, "maxIter": 10, "momentum": 0.9, "nBatch": 2, "lamda": 0,
                    "innerIter": 10, "option": 2, "gammaS": 0.125}


#: Beyond R: the control entries that choose the rule (a method's variants) and set the
#: published rule's constants (None: the method's default).
VARIANT_CONTROL = {"variant": "R", "beta1": None, "beta2": None, "epsilon": None}

SCALINGS = {"VARIANCE": "variance", "MINMAX": "minmax"}  # R's scalingMethod -> :func:`scaling.scale`'s


class SplitResult(NamedTuple):
    """R's ``list(dataTrain, dataTest)`` from :func:`splitData` (unpacks as a pair too)."""

    dataTrain: pd.DataFrame
    dataTest: pd.DataFrame


@dataclass(frozen=True)
class GradDescentRObject:
    """R's ``gradDescentRObject``: what :func:`learn` returns and :func:`predict` uses.

    Attributes
    ----------
    featureScaling : bool
    scalingMethod : str
        ``"VARIANCE"`` or ``"MINMAX"``.
    scalingParameter : numpy.ndarray of shape (2, n), or None
        None without feature scaling.
    learningMethod : str
    model : numpy.ndarray, shape (1, n)
        theta, intercept first, in scaled units when featureScaling.
    control : dict
        R's control list with its defaults filled in; beyond R, ``variant`` and the
        published rule's constants, where given.
    columns : list
        The data set's column names, the output last (not in R: used to match ``newdata``).
    loss : numpy.ndarray
        The training loss record of the method (see its ``return_loss``), in the units the
        method saw, as far as the fit ran. Not in R.
    n_iter : int
        The iterations run, in R's units (maxIter's: iterations, single-row steps or outer
        iterations); maxIter unless a stopping rule (``tol``) ended the fit. Not in R.
    passes : float
        The passes over the data they make (see :mod:`graddescent.convergence`). Not in R.
    converged : bool or None
        Whether the stopping rule was met; None without one (R's fixed iterations). Not in R.
    diverged : bool
        Whether the fit diverged (then ``learn`` has warned, with the remedy). Not in R.
    alpha : float or None
        The step the method took: ``control["alpha"]``, or the one ``"auto"`` chose. Not in R.
    momentum : float or None
        The momentum the method took (the one ``"auto"`` chose); None where it takes none. Not in R.
    error : float or None
        With ``tol``: the certified bound on the coefficients' relative error
        (:mod:`graddescent.certificate`); converged where it is at most ``tol``. Not in R.
    path : pandas.DataFrame or None
        theta (scaled units) as the fit went, every ``path_every`` iterations (index
        ``iteration``, 0 where it started), where :func:`learn` was asked for it. Not in R.
    """

    featureScaling: bool
    scalingMethod: str
    scalingParameter: object
    learningMethod: str
    model: np.ndarray
    control: dict
    columns: list = field(default_factory=list)
    loss: np.ndarray = field(default=None, repr=False)
    n_iter: int = None
    passes: float = None
    converged: object = None
    diverged: bool = False
    alpha: object = None
    momentum: object = None
    error: object = None
    path: object = field(default=None, repr=False)


def splitData(dataSet, dataTrainRate=0.5, seed=None):
    """Split rows at random into training and test parts (R's ``splitData``).

    Parameters
    ----------
    dataSet : pandas.DataFrame or numpy.ndarray
        The data set.
    dataTrainRate : float, default 0.5
        Fraction of rows for training, in (0, 1); R takes ``trunc(m * dataTrainRate)`` rows.
    seed : int or None, default None
        R's seed.

    Returns
    -------
    SplitResult
        ``dataTrain`` (the drawn rows, in the order drawn, keeping their row labels) and
        ``dataTest`` (the other rows, in their original order).
    """
    frame = as_frame(dataSet, min_cols=1)
    rate = check_number("dataTrainRate", dataTrainRate, low=0, high=1, low_open=True, high_open=True)
    m = frame.shape[0]
    k = int(m * rate)
    stream = drivers.Stream(seed)
    stream.reset()
    train = stream.rng.sample(m, k) - 1
    test = np.setdiff1d(np.arange(m), train)
    original = dataSet if isinstance(dataSet, pd.DataFrame) else frame
    return SplitResult(original.iloc[train], original.iloc[test])


def prediction(model, dataTestInput):
    """Predict with theta: the inputs with ``[1 | inputs] @ theta`` appended as column ``V1`` (R's ``prediction``).

    Parameters
    ----------
    model : array-like, shape (1, n) or (n,)
        theta, intercept first.
    dataTestInput : pandas.DataFrame or numpy.ndarray, shape (m, n - 1)
        Input columns only.

    Returns
    -------
    pandas.DataFrame
        ``dataTestInput`` with one more column, ``V1`` (R's name), the prediction.
    """
    frame = as_frame(dataTestInput, name="dataTestInput", min_rows=1, min_cols=1)
    theta = _check_model(model, frame.shape[1] + 1)
    out = frame.copy()
    out["V1"] = linear(frame.to_numpy(), theta)
    return out


def _check_model(model, n):
    try:
        theta = np.asarray(model, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"model must be theta, {n} numbers (intercept first), got {type(model).__name__}") from None
    if theta.shape[0] != n:
        raise ValueError(f"model has {theta.shape[0]} coefficients but the data needs {n} "
                         f"(an intercept and one per input column); use the model fitted on these columns")
    return theta


def RMSE(outputData, prediction):
    """Root mean squared error, ``sqrt(mean((outputData - prediction)^2))`` (R's ``RMSE``).

    Parameters
    ----------
    outputData, prediction : array-like, Series or one-column DataFrame
        The same number of values.

    Returns
    -------
    float
    """
    a = _as_vector(outputData, "outputData")
    b = _as_vector(prediction, "prediction")
    if a.shape != b.shape:
        raise ValueError(f"outputData has {a.shape[0]} values but prediction has {b.shape[0]}; pass the same rows")
    with np.errstate(over="ignore"):
        rmse = float(np.sqrt(np.mean((a - b) ** 2)))
        if np.isinf(rmse):  # the squares overflow (residuals beyond ~1e154): scale them first,
            residual = a / 2 - b / 2  # from halves (a residual may be beyond double's range: 1e308 - -1e308)
            top = np.max(np.abs(residual))
            rmse = float(top * np.sqrt(np.mean((residual / top) ** 2)) * 2)  # (inf if it is beyond)
    return rmse


def _as_vector(values, name):
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or array.shape[0] == 0:
        raise ValueError(f"{name} must be one column of numbers, got shape {array.shape}")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name} must hold numbers, got {array.dtype}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has NaN or infinite values (first at position "
                         f"{int(np.flatnonzero(~np.isfinite(array))[0])}); drop or fill them")
    return array


def learn(dataSet, featureScaling=True, scalingMethod="VARIANCE", learningMethod="GD", control=None, seed=None, *,
          tol=None, n_iter_no_change=PATIENCE, average=None, path_every=None):
    """Scale a data set and fit a linear model with one of the 14 methods (R's ``gradDescentR.learn``).

    Parameters
    ----------
    dataSet : pandas.DataFrame, numpy.ndarray, or a Dask array or DataFrame, shape (m, n)
        Numbers only; the last column is the output. Data held by Dask is scaled and fitted
        where it is, with the numbers of the same data in memory (:mod:`graddescent.chunked`).
    featureScaling : bool, default True
        Scale every column (the output too) before learning.
    scalingMethod : {"VARIANCE", "MINMAX"}, default "VARIANCE"
    learningMethod : str, default "GD"
        One of GD, MBGD, SGD, SAGD, MGD, AGD, ADAGRAD, ADADELTA, RMSPROP, ADAM, SSGD,
        SVRG, SARAH, SARAHPlus.
    control : dict, optional
        R's control list: ``alpha`` (0.1; beyond R, ``"auto"``), ``maxIter`` (10),
        ``momentum`` (0.9), ``nBatch`` (2), ``lamda`` (0), ``innerIter`` (10), ``option``
        (2), ``gammaS`` (0.125). Each method uses the entries it takes. Beyond R,
        ``variant`` ("R"; "textbook", and "amsgrad" for ADAM, where the method has them:
        see each method) and the published rule's constants ``beta1``, ``beta2`` (ADAM),
        ``epsilon`` (ADAGRAD, ADADELTA, RMSPROP, ADAM), torch.optim's defaults unless given;
        these appear in the result's ``control`` only where given.
    seed : int or None, default None
        R's seed.
    tol : float or None, default None
        Keyword only, not in R: the stopping rule (see :mod:`graddescent.convergence`);
        maxIter is then the most. None: R's fixed iterations.
    n_iter_no_change : int, default 5
        Keyword only, not in R: the settled passes in a row that end the fit (with ``tol``).
    average : bool or None, default None
        Keyword only, not in R: whether the single-row methods and MBGD return the running
        average of their iterates (None: with ``alpha="auto"``); with ``tol``, from where
        their loss stops falling, else after the first pass (see :mod:`graddescent.convergence`).
    path_every : int or None, default None
        Keyword only, not in R: keep theta every ``path_every`` iterations in the result's
        ``path`` (as each method's ``return_path``); None keeps none.

    Returns
    -------
    GradDescentRObject

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        When the fit diverged (with the remedy), or stopped at maxIter before ``tol`` was met.
    """
    result, fit = fit_learn(dataSet, featureScaling, scalingMethod, learningMethod, control, seed, tol,
                            n_iter_no_change, average, path_every)
    report(fit, learningMethod, False)
    return result


def fit_learn(dataSet, featureScaling=True, scalingMethod="VARIANCE", learningMethod="GD", control=None, seed=None,
              tol=None, n_iter_no_change=PATIENCE, average=None, path_every=None, weights=None):
    """:func:`learn` without its warning: the result and the :class:`convergence.Fit`, for
    callers that word what happened themselves (the command line). ``weights``: the rows'
    frequency weights (:class:`graddescent.data.Dense`; None: every row once)."""
    if not isinstance(featureScaling, (bool, np.bool_)):
        raise ValueError(f"featureScaling must be True or False, got {featureScaling!r}")
    if not isinstance(learningMethod, str) or learningMethod not in METHODS:
        raise ValueError(f"unknown learningMethod {learningMethod!r}; choose one of {', '.join(METHODS)}")
    if featureScaling and (not isinstance(scalingMethod, str) or scalingMethod not in SCALINGS):
        raise ValueError(f"unknown scalingMethod {scalingMethod!r}; choose 'VARIANCE' or 'MINMAX'")
    if control is not None and not isinstance(control, dict):
        raise ValueError(f"control must be a dict such as {{'alpha': 0.1, 'maxIter': 10}}, "
                         f"got {type(control).__name__}")
    control = dict(control or {})
    unknown = sorted(set(control) - set(CONTROL_DEFAULTS) - set(VARIANT_CONTROL))
    if unknown:
        raise ValueError(f"unknown control entries {unknown}; the entries are "
                         f"{', '.join([*CONTROL_DEFAULTS, *VARIANT_CONTROL])}")
    control = {**CONTROL_DEFAULTS, **control}
    record = METHODS[learningMethod]
    data = as_data(dataSet, name="dataSet")
    if weights is not None:
        data = data.weighted(weights)
    parameter = None
    if featureScaling:
        # R's varianceScaling / minmaxScaling, laid out as the method reads it (no second copy)
        data, parameter = scale(data, SCALINGS[scalingMethod], "C" if record.by_row else "F",
                                grouped=record.groups_rows)
    args = {key: control[key] for key in record.control}
    beyond_r = ("variant", *record.constants)  # (the published rules')
    args.update({key: control[key] for key in beyond_r if key in control})
    fit = drivers.run(learningMethod, data, seed, tol, n_iter_no_change, scaled=True if featureScaling else None,
                      average=average if record.averages else None, path_every=path_every, **args)
    result = GradDescentRObject(bool(featureScaling), scalingMethod, parameter, learningMethod, fit.theta, control,
                                list(data.columns), fit.loss, fit.n_iter, fit.passes, fit.converged, fit.diverged,
                                fit.alpha, fit.momentum, fit.error, fit.path)
    return result, fit


def predict(object, newdata):
    """Predict new rows with a learned model (R's ``predict.gradDescentRObject``).

    Parameters
    ----------
    object : GradDescentRObject
        From :func:`learn`.
    newdata : pandas.DataFrame, numpy.ndarray, or a Dask DataFrame or array
        The input columns, with or without the output column (R requires it as the
        last column and ignores it). A DataFrame that names all the training inputs
        is matched by name, in any order (a column the model was not fitted on is an
        error); one that names some of them but not all is an error; one that names
        none of them (and a numpy array) is matched by position.

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        The input columns plus the prediction ``V1`` (R's name), in original units. For
        Dask input, a Dask DataFrame computed lazily, a partition at a time (the columns are
        checked at once, on Dask's description of them; the values when it is computed).
    """
    if not isinstance(object, GradDescentRObject):
        raise ValueError(f"object must be the result of learn(), got {type(object).__name__}")
    if is_dask(newdata):
        return _predict_dask(object, newdata)
    inputs = _match_inputs(object, newdata)
    pred = predictions(object, inputs.to_numpy())
    if np.all(np.isfinite(object.model)) and not np.all(np.isfinite(pred)):
        rows = np.flatnonzero(~np.isfinite(pred))
        warnings.warn(f"the prediction overflows to infinity for {rows.size} row(s) of newdata (the first at row "
                      f"{inputs.index[rows[0]]!r}): their inputs are far beyond the range of the training data",
                      RuntimeWarning, stacklevel=2)
    out = inputs.copy()
    out["V1"] = pred
    return out


def _predict_dask(model, newdata):
    """:func:`predict` of a Dask DataFrame or array: a Dask DataFrame, lazily, a partition at a time."""
    import dask.dataframe as dd

    if not hasattr(newdata, "map_partitions"):  # a Dask array: its columns matched by position, as numpy's
        if newdata.ndim != 2:
            raise ValueError(f"newdata must be 2-dimensional (rows x columns), got a Dask array of shape "
                             f"{newdata.shape}")
        newdata = dd.from_dask_array(newdata.rechunk({1: -1}), columns=[f"V{j + 1}" for j in range(newdata.shape[1])])
    meta = predict(model, newdata._meta_nonempty)  # (the checks of the columns and their types, on Dask's sample)
    return newdata.map_partitions(_predict_partition, model, meta.iloc[:0], meta=meta.iloc[:0])


def _predict_partition(part, model, empty):
    if not len(part):
        return empty
    with warnings.catch_warnings():  # (the overflow warning is the caller's to ask for with the numbers)
        warnings.simplefilter("ignore", RuntimeWarning)
        return predict(model, part)


def predictions(model, inputs):
    """R's predictions of a learned model for an m x (n - 1) float64 array of inputs in the
    model's column order: ``predict``'s column ``V1`` (the same numbers), computed a block of
    rows at a time, so that a large table needs no scaled copy."""
    return linear_predictions(model.model, model.scalingParameter if model.featureScaling else None, inputs)


def _match_inputs(model, newdata):
    inputs_needed = model.model.shape[1] - 1
    frame = as_frame(newdata, name="newdata", min_rows=1, min_cols=1)
    names = model.columns
    if isinstance(newdata, pd.DataFrame) and names and set(names[:-1]) <= set(frame.columns):
        extra = set(frame.columns) - set(names)
        if extra:
            raise ValueError(f"newdata has columns {sorted(map(str, extra))} that the model was not fitted on; "
                             f"expected {names[:-1]} (and optionally {names[-1]!r})")
        return frame[names[:-1]]
    if isinstance(newdata, pd.DataFrame) and set(names[:-1]) & set(frame.columns):
        # some inputs named, others not: matching by position would silently mix columns up
        missing = [c for c in names[:-1] if c not in set(frame.columns)]
        raise ValueError(f"newdata lacks the input columns {missing} that the model was fitted on; "
                         f"give all of {names[:-1]} (by name, in any order)")
    if frame.shape[1] == inputs_needed + 1:  # R's layout: inputs then the (ignored) output
        return frame.iloc[:, :inputs_needed]
    if frame.shape[1] == inputs_needed:
        return frame
    expected = f"{names[:-1]}" if names else f"{inputs_needed} input columns"
    raise ValueError(f"newdata has {frame.shape[1]} columns but the model needs {expected} "
                     f"(optionally followed by the output column)")


class _GradDescentR:
    """Namespace so that R's ``gradDescentR.learn(...)`` reads the same in Python."""

    learn = staticmethod(learn)

    def __repr__(self):
        return "gradDescentR (use gradDescentR.learn(dataSet, ...))"


#: ``gradDescentR.learn`` is :func:`learn`, under R's name.
gradDescentR = _GradDescentR()
