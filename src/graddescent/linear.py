"""The linear model itself: its predictions and its coefficients in the data's own units.

Every layer that predicts or reports coefficients (R's ``predict`` and ``prediction``, the
estimators, the command line, the Dask report) uses these, so that they agree to the bit.
"""

import math

import numpy as np

__all__ = []

BLOCK = 1 << 15  # rows of a block of predictions: no scaled copy of a large table


def linear(inputs, theta):
    """``[1 | inputs] theta``, accumulated column by column as R's ``%*%`` does."""
    with np.errstate(all="ignore"):
        total = np.full(inputs.shape[0], theta[0])
        for j in range(inputs.shape[1]):
            total += inputs[:, j] * theta[j + 1]
    return total


def predictions(theta, parameter, inputs):
    """R's predictions of theta (in the scaled units of ``parameter``, R's scalingParameter
    of ``[inputs | output]``, or None without scaling) for an m x (n - 1) float64 array of
    inputs in theta's order: ``predict``'s column ``V1``, a block of rows at a time. An
    overflow gives inf or NaN, for the caller to report."""
    theta = np.asarray(theta, dtype=np.float64).ravel()
    n = theta.shape[0]
    out = np.empty(inputs.shape[0])
    with np.errstate(all="ignore"):
        for lo in range(0, inputs.shape[0], BLOCK):
            block = inputs[lo:lo + BLOCK]
            if parameter is None:
                out[lo:lo + BLOCK] = linear(block, theta)
            else:
                scaled = (block - parameter[0, : n - 1]) / parameter[1, : n - 1]
                out[lo:lo + BLOCK] = linear(scaled, theta) * parameter[1, n - 1] + parameter[0, n - 1]
    return out


def coefficients(theta, parameter):
    """theta (scaled units) as the model's intercept and slopes in the data's units:
    ``(intercept, slopes)``, the same model as :func:`predictions` (up to rounding).
    Beyond double's range they are inf; the model itself is fine."""
    theta = np.asarray(theta, dtype=np.float64).ravel()
    if parameter is None:
        return float(theta[0]), theta[1:].copy()
    centre, scale = parameter
    with np.errstate(all="ignore"):
        slope = theta[1:] / scale[:-1]
        shift = slope * centre[:-1]
        try:  # (correctly rounded: the same bits on every processor, unlike a BLAS dot product)
            offset = math.fsum(shift)
        except (OverflowError, ValueError):  # (terms beyond double's range, or inf - inf)
            offset = float(np.sum(shift))
        return float(centre[-1] + scale[-1] * (theta[0] - offset)), slope * scale[-1]
