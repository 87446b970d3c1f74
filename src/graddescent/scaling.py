"""Feature scaling as R's gradDescent does it: every column, the output included."""

from typing import NamedTuple

import numpy as np
import pandas as pd

from .data import as_data
from .validation import as_frame

__all__ = ["ScalingResult", "varianceScaling", "varianceDescaling", "minmaxScaling", "minmaxDescaling"]


class ScalingResult(NamedTuple):
    """R's list ``list(scaledDataSet, scalingParameter)``.

    Attributes
    ----------
    scaledDataSet : pandas.DataFrame
        The scaled data, with the input's column names and row labels.
    scalingParameter : numpy.ndarray, shape (2, n)
        Row 0 the centres (means or minima), row 1 the scales (standard deviations or ranges).
    """

    scaledDataSet: pd.DataFrame
    scalingParameter: np.ndarray


def scale(dataSet, method, order="F", name="dataSet", grouped=False):
    """R's scaling of every column (``"variance"`` or ``"minmax"``) of a data set (of any kind
    of :mod:`graddescent.data`), laid out by column (``order="F"``, as a DataFrame holds it
    and the full gradients read it) or by row (``"C"``, as the single-row methods read it):
    the scaled data set, of the same kind, and R's scalingParameter. ``grouped``: its rows grouped
    by whole weight, for a method that allows it (see :meth:`graddescent.data.Dense.scaled`)."""
    data = as_data(dataSet, name=name, min_cols=1)
    parameter = data.scaling_parameter(method)
    scaled = data.scaled(parameter, order, grouped=grouped)
    check_scaling(parameter, scaled, data.columns, "standard deviation" if method == "variance" else "range")
    return scaled, parameter


def check_scaling(parameter, scaled, columns, what, constant_fix="fit without feature scaling (featureScaling=False)"):
    """Refuse a scaling that divides by zero, by a subnormal spread or overflows, naming the first
    such column (``scaled``: the scaled data set, a kind of :mod:`graddescent.data`)."""
    zero = np.flatnonzero(parameter[1] == 0)
    if zero.size:
        raise ValueError(
            f"column {columns[zero[0]]!r} is constant, so its {what} is 0 and scaling would divide "
            f"by zero; drop the column or {constant_fix}"
        )
    # (a spread below double's normal range: the scaled column keeps few bits, and any other
    # data divided by it, in predict, overflows to infinity; model files refuse such scales)
    tiny = np.flatnonzero(np.abs(parameter[1]) < np.finfo(np.float64).tiny)
    if tiny.size:
        raise ValueError(
            f"column {columns[tiny[0]]!r} varies too little to scale (its {what}, {parameter[1, tiny[0]]:.3g}, is "
            "below 2.2e-308); rescale the column (e.g. multiply it by a power of ten) before fitting"
        )
    overflowed = scaled.non_finite_columns()
    bad = np.flatnonzero(~np.all(np.isfinite(parameter), axis=0) | overflowed)
    if bad.size:
        raise ValueError(
            f"column {columns[bad[0]]!r} holds values too large to scale (its {what} overflows to infinity); "
            "rescale the column (e.g. divide it by a power of ten) before fitting"
        )


def _descale(dataSet, parameter, name):
    frame = as_frame(dataSet, min_rows=1, min_cols=1)
    try:
        parameter = np.asarray(parameter, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 2 x {frame.shape[1]} array of numbers (the scalingParameter of the "
                         f"scaling), got {type(parameter).__name__}") from None
    if parameter.shape != (2, frame.shape[1]):
        raise ValueError(
            f"{name} must be a 2 x {frame.shape[1]} array (one column per data column), got shape {parameter.shape}"
        )
    if not np.all(np.isfinite(parameter)):
        raise ValueError(f"{name} has NaN or infinite values; pass the scalingParameter the scaling returned")
    values = frame.to_numpy() * parameter[1] + parameter[0]
    return pd.DataFrame(values, columns=frame.columns, index=frame.index)


def varianceScaling(dataSet):
    """Standardise every column: ``(x - mean) / sd`` (R's ``varianceScaling``).

    Parameters
    ----------
    dataSet : pandas.DataFrame or numpy.ndarray
        All numeric; at least 2 rows.

    Returns
    -------
    ScalingResult
        ``scaledDataSet`` and ``scalingParameter`` (row 0 means, row 1 standard
        deviations with the ``m - 1`` divisor, as R's ``sd``).
    """
    scaled, parameter = scale(dataSet, "variance")
    return ScalingResult(scaled.frame(), parameter)


def varianceDescaling(dataSet, varianceParameter):
    """Undo :func:`varianceScaling`: ``x * sd + mean`` per column (R's ``varianceDescaling``).

    Parameters
    ----------
    dataSet : pandas.DataFrame or numpy.ndarray
        Scaled data.
    varianceParameter : array-like, shape (2, n)
        The ``scalingParameter`` of :func:`varianceScaling`.

    Returns
    -------
    pandas.DataFrame
    """
    return _descale(dataSet, varianceParameter, "varianceParameter")


def minmaxScaling(dataSet):
    """Scale every column to [0, 1]: ``(x - min) / (max - min)`` (R's ``minmaxScaling``).

    Parameters
    ----------
    dataSet : pandas.DataFrame or numpy.ndarray
        All numeric; at least 2 rows.

    Returns
    -------
    ScalingResult
        ``scaledDataSet`` and ``scalingParameter`` (row 0 minima, row 1 ranges).
    """
    scaled, parameter = scale(dataSet, "minmax")
    return ScalingResult(scaled.frame(), parameter)


def minmaxDescaling(dataSet, minmaxParameter):
    """Undo :func:`minmaxScaling`: ``x * range + min`` per column (R's ``minmaxDescaling``).

    Parameters
    ----------
    dataSet : pandas.DataFrame or numpy.ndarray
        Scaled data.
    minmaxParameter : array-like, shape (2, n)
        The ``scalingParameter`` of :func:`minmaxScaling`.

    Returns
    -------
    pandas.DataFrame
    """
    return _descale(dataSet, minmaxParameter, "minmaxParameter")
