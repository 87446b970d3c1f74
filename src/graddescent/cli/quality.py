"""How good a fit is, for the reports: its RMSE, the least-squares fit's MSE and the gap between
them, the coefficients in original units; for data in memory or held by Dask."""

import math

import numpy as np

from .. import chunked
from ..toplevel import _BLOCK, RMSE, predictions

_GRAM_COLUMNS = 2000  # beyond: the least-squares reference by the SVD of the design


def _least_squares_mse(part):
    """The training MSE of the least-squares fit of the target on ``[1 | inputs]``, in original
    units: the normal equations of the centred columns, equilibrated and solved by SVD (the
    few-by-few system), then the residuals summed; a block of rows at a time, no copy of the
    data. (Accurate for the report: the MSE is first-order insensitive to the solution's error.)"""
    if isinstance(part, chunked.Chunks):
        return _held_report(None, part)[1]
    values = part.to_numpy(dtype=np.float64)
    X, y = values[:, :-1], values[:, -1]
    k = X.shape[1]
    if k >= X.shape[0] or k > _GRAM_COLUMNS:  # (a wide table: the SVD of the design itself is smaller)
        return _least_squares_mse_wide(X, y)
    with np.errstate(all="ignore"):  # (beyond double's range: nan or inf, said as such)
        centre, middle = X.mean(axis=0), y.mean()
        gram, moment = np.zeros((k, k)), np.zeros(k)
        for lo in range(0, X.shape[0], _BLOCK):
            block = X[lo:lo + _BLOCK] - centre
            gram += block.T @ block
            moment += block.T @ (y[lo:lo + _BLOCK] - middle)
        theta = _centred_least_squares(gram, moment)
        if theta is None:
            return math.nan
        total = 0.0
        for lo in range(0, X.shape[0], _BLOCK):
            residual = (X[lo:lo + _BLOCK] - centre) @ theta - (y[lo:lo + _BLOCK] - middle)
            total += float(residual @ residual)
        return total / X.shape[0]


def _centred_least_squares(gram, moment):
    """The coefficients solving the centred normal equations ``gram theta = moment``,
    equilibrated and solved by SVD; None where they are not finite or the SVD fails."""
    if not (np.all(np.isfinite(gram)) and np.all(np.isfinite(moment))):
        return None
    size = np.sqrt(np.diag(gram))
    size[size == 0] = 1.0
    try:
        return np.linalg.lstsq(gram / size / size[:, None], moment / size, rcond=None)[0] / size
    except np.linalg.LinAlgError:  # (an SVD that does not converge on such data)
        return None


def _held_report(model, held):
    """The training MSE of the command's model and of the least-squares fit, for data held by
    Dask: one pass for both (kept on ``held``: the least-squares MSE is asked for without the
    model). The latter from the centred moments: ``(y'y - moment' theta) / m``."""
    if model is not None and getattr(held, "_report", (None,))[0] is not model:
        count, _, moments, squares = held.moments(model)
        with np.errstate(all="ignore"):
            theta = _centred_least_squares(moments[:-1, :-1], moments[:-1, -1])
            least = math.nan if theta is None else max(float(moments[-1, -1] - moments[:-1, -1] @ theta), 0.0) / count
        held._report = (model, (squares / count, least if math.isfinite(least) else math.nan))
    return held._report[1]


def _least_squares_mse_wide(X, y):
    design = np.column_stack([np.ones(X.shape[0]), X])
    with np.errstate(all="ignore"):
        try:
            theta = np.linalg.lstsq(design, y, rcond=None)[0]
        except np.linalg.LinAlgError:
            return math.nan
        return float(np.mean((design @ theta - y) ** 2))


def _square(rmse):
    with np.errstate(over="ignore"):  # (an RMSE beyond 1e154: its square is inf, the gap nan)
        return float(np.float64(rmse) ** 2)


def _gap(mse, optimum):
    """How far a training MSE is above the least-squares fit's, relative to it; 0 where it is
    below, which only rounding gives (the least-squares fit is the least there is): shown as
    +0.00%, as the help says."""
    with np.errstate(all="ignore"):
        if not (math.isfinite(mse) and math.isfinite(optimum)):
            return math.nan
        return max(float(mse / optimum - 1), 0.0) if optimum > 0 else (0.0 if mse == 0 else math.inf)


def _rmse(model, part):
    """RMSE of the model on a data part (target last), in original units; NaN if it diverged."""
    if isinstance(part, chunked.Chunks):
        mse = _held_report(model, part)[0]
        return math.sqrt(mse) if math.isfinite(mse) else math.nan
    values = part.to_numpy(dtype=np.float64)
    predicted = predictions(model, values[:, :-1])
    if not np.all(np.isfinite(predicted)):
        return math.nan
    return RMSE(values[:, -1], predicted)


def _coefficients(model):
    """The coefficients in original units: intercept, then one per input."""
    theta = model.model.ravel()
    if not model.featureScaling:
        return theta.copy()
    centre, scale = model.scalingParameter
    with np.errstate(all="ignore"):  # beyond a double they print as inf; the model itself is fine
        slopes = theta[1:] * scale[-1] / scale[:-1]
        intercept = centre[-1] + scale[-1] * theta[0] - np.sum(slopes * centre[:-1])
    return np.concatenate([[intercept], slopes])
