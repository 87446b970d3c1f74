"""How good a fit is, for the reports: its RMSE and R^2, the least-squares fit (its MSE and
coefficients) and the gap between them, the coefficients in original units; for data in memory
(dense, or a sparse design: :class:`graddescent.cli.inputs.SparseTable`) or held by Dask."""

import math

import numpy as np

from .. import chunked
from ..linear import BLOCK as _BLOCK
from ..linear import coefficients
from ..sparse import predictions as sparse_predictions
from ..toplevel import RMSE, predictions
from .inputs import SparseTable, weights_of

_GRAM_COLUMNS = 2000  # beyond: the least-squares reference by the SVD of the design (of a sparse one: by LSQR)
_REFINE = 2  # steps of iterative refinement of a sparse design's normal equations
_LSQR_TOL = 1e-12  # LSQR's relative tolerances (atol, btol): the least-squares MSE to about 1e-12 of itself


def _least_squares(part):
    """The least-squares fit of the target on ``[1 | inputs]``, for the reports: its training
    MSE, intercept and slopes in original units, and the variance of the target (population:
    over m): the normal equations of the centred columns, equilibrated and solved by SVD (the
    few-by-few system), then the residuals summed; a block of rows at a time, no copy of the
    data. (Accurate for the report: the MSE is first-order insensitive to the solution's error.)
    With the rows' weights (``--weights``), the weighted fit, MSE and variance."""
    if isinstance(part, chunked.Chunks):
        return _held_report(None, part)[1]
    if isinstance(part, SparseTable):
        return _least_squares_sparse(part.X, part.y, weights_of(part))
    values = part.to_numpy(dtype=np.float64)
    X, y = values[:, :-1], values[:, -1]
    k = X.shape[1]
    w = weights_of(part)
    ones = np.ones(X.shape[0]) if w is None else w
    with np.errstate(all="ignore"):
        total_weight = float(ones.sum())
        variance = float(np.var(y)) if w is None else float(w @ (y - w @ y / total_weight) ** 2 / total_weight)
    if k >= X.shape[0] or k > _GRAM_COLUMNS:  # (a wide table: the SVD of the design itself is smaller)
        return _least_squares_wide(X, y, variance, w)
    with np.errstate(all="ignore"):  # (beyond double's range: nan or inf, said as such)
        if w is None:
            centre, middle = X.mean(axis=0), y.mean()
        else:
            centre, middle = w @ X / total_weight, w @ y / total_weight
        gram, moment = np.zeros((k, k)), np.zeros(k)
        for lo in range(0, X.shape[0], _BLOCK):
            block = X[lo:lo + _BLOCK] - centre
            weighted = block if w is None else block * w[lo:lo + _BLOCK, None]
            gram += weighted.T @ block
            moment += weighted.T @ (y[lo:lo + _BLOCK] - middle)
        theta = _centred_least_squares(gram, moment)
        if theta is None:
            return _NONE
        total = 0.0
        for lo in range(0, X.shape[0], _BLOCK):
            residual = (X[lo:lo + _BLOCK] - centre) @ theta - (y[lo:lo + _BLOCK] - middle)
            total += float(residual @ (residual * ones[lo:lo + _BLOCK]))
        return {"mse": total / total_weight, "intercept": float(middle - centre @ theta), "slopes": theta,
                "variance": variance}


_NONE = {"mse": math.nan, "intercept": math.nan, "slopes": None, "variance": math.nan}


def _least_squares_mse(part):
    """The training MSE of the least-squares fit (:func:`_least_squares`)."""
    return _least_squares(part)["mse"]


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
    """The training MSE of the command's model and the least-squares fit (:func:`_least_squares`),
    for data held by Dask: one pass for both (kept on ``held``: the least-squares fit is asked
    for without the model). The latter from the centred moments: ``(y'y - moment' theta) / m``."""
    if model is not None and getattr(held, "_report", (None,))[0] is not model:
        count, mean, moments, squares = held.moments(model.model, model.scalingParameter if model.featureScaling
                                                     else None)
        with np.errstate(all="ignore"):
            theta = _centred_least_squares(moments[:-1, :-1], moments[:-1, -1])
            if theta is None:
                least = _NONE
            else:
                mse = max(float(moments[-1, -1] - moments[:-1, -1] @ theta), 0.0) / count
                least = {"mse": mse if math.isfinite(mse) else math.nan, "slopes": theta,
                         "intercept": float(mean[-1] - mean[:-1] @ theta), "variance": float(moments[-1, -1] / count)}
        held._report = (model, (squares / count, least))
    return held._report[1]


def _least_squares_wide(X, y, variance, w=None):
    design = np.column_stack([np.ones(X.shape[0]), X])
    root = np.ones(X.shape[0]) if w is None else np.sqrt(w)  # (weighted: the rows times the roots of their weights)
    with np.errstate(all="ignore"):
        try:
            theta = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0]
        except np.linalg.LinAlgError:
            return _NONE
        return {"mse": float(np.sum(((design @ theta - y) * root) ** 2) / np.sum(root * root)),
                "intercept": float(theta[0]), "slopes": theta[1:], "variance": variance}


def _least_squares_sparse(X, y, w=None):
    """:func:`_least_squares` of a sparse design (scipy.sparse CSR) without densifying it: the
    centred normal equations (the design's Gram matrix, sparse, then centred: a dense k x k
    matrix) up to :data:`_GRAM_COLUMNS` inputs, as for dense data; beyond, LSQR on the centred,
    equilibrated design (the centring a rank-one correction, so the zeros stay zeros), whose
    products cost a pass over the non-zeros."""
    m, k = X.shape
    ones = np.ones(m) if w is None else w
    with np.errstate(all="ignore"):
        total = float(ones.sum())
        middle = float(ones @ y) / total
        variance = float(ones @ (y - middle) ** 2) / total
        centre = np.asarray(X.T @ ones).ravel() / total
        target = y - middle
        if k <= _GRAM_COLUMNS:
            weighted = X if w is None else X.multiply(w[:, None]).tocsr()
            gram = np.asarray((weighted.T @ X).todense()) - total * np.outer(centre, centre)
            solve = _symmetric_solver(gram)
            # (the target centred: X'(y - middle) is the centred X's)
            theta = None if solve is None else solve(np.asarray(weighted.T @ target).ravel())
            for _ in range(_REFINE if theta is not None else 0):  # (the Gram matrix centred after the sums lost
                # digits to cancellation where a column's mean is large beside its spread: each step solves again
                # for the part of the gradient that the rows' own residuals, centred as they are read, still hold)
                residual = ones * (target - (X @ theta - float(centre @ theta)))
                theta = theta + solve(np.asarray(X.T @ residual).ravel() - centre * residual.sum())
            if theta is not None and not np.all(np.isfinite(theta)):
                theta = None
        else:
            theta = _lsqr(X, target, centre, ones)
        if theta is None:
            return {**_NONE, "variance": variance}
        residual = X @ theta - float(centre @ theta) - target
        mse = float(residual @ (residual * ones)) / total
        return {"mse": mse if math.isfinite(mse) else math.nan, "intercept": float(middle - centre @ theta),
                "slopes": theta, "variance": variance}


def _symmetric_solver(gram):
    """The minimum-norm solution of ``gram theta = b`` for any b, as a function: the matrix
    equilibrated and decomposed once (eigenvalues below the rounding of the largest are left
    out, as :func:`numpy.linalg.lstsq` leaves out such singular values); None where it is not
    finite or the decomposition fails."""
    if not np.all(np.isfinite(gram)):
        return None
    size = np.sqrt(np.diag(gram))
    size[~(size > 0)] = 1.0
    try:
        values, vectors = np.linalg.eigh(gram / size / size[:, None])
    except np.linalg.LinAlgError:
        return None
    kept = np.abs(values) > np.finfo(np.float64).eps * gram.shape[0] * np.abs(values).max(initial=0.0)
    vectors, values = vectors[:, kept], values[kept]
    return lambda b: vectors @ ((vectors.T @ (b / size)) / values) / size


def _lsqr(X, target, centre, weights):
    """The least-squares slopes of the centred target on the centred columns of X (rows weighted
    by ``weights``) by LSQR, the columns equilibrated; None where they are not finite."""
    from scipy.sparse.linalg import LinearOperator, lsqr

    m, k = X.shape
    root = np.sqrt(weights)
    squares = np.asarray(X.multiply(X).T @ weights).ravel() - weights.sum() * centre ** 2
    size = np.sqrt(np.maximum(squares, 0.0))
    size[~(size > 0)] = 1.0  # (a constant column: its slope 0, as the minimum-norm solution's)

    def product(v):
        v = v / size
        return root * (X @ v - float(centre @ v))

    def transposed(u):
        u = root * u
        return (np.asarray(X.T @ u).ravel() - centre * float(u.sum())) / size

    operator = LinearOperator((m, k), matvec=product, rmatvec=transposed, dtype=np.float64)
    solution = lsqr(operator, root * target, atol=_LSQR_TOL, btol=_LSQR_TOL, iter_lim=max(10 * k, 1000))[0]
    theta = solution / size
    return theta if np.all(np.isfinite(theta)) else None


def _r2(mse, variance, rows, inputs):
    """R^2 and adjusted R^2 of a training MSE (as R's summary(lm) prints them)."""
    with np.errstate(all="ignore"):
        if not (math.isfinite(mse) and math.isfinite(variance)) or variance <= 0:
            return math.nan, math.nan
        r2 = 1 - mse / variance
        return r2, (1 - (1 - r2) * (rows - 1) / (rows - inputs - 1) if rows > inputs + 1 else math.nan)


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
    if isinstance(part, SparseTable):
        values = part.y[:, None]
        predicted = sparse_predictions(model.model, model.scalingParameter if model.featureScaling else None, part.X)
    else:
        values = part.to_numpy(dtype=np.float64)
        predicted = predictions(model, values[:, :-1])
    if not np.all(np.isfinite(predicted)):
        return math.nan
    w = weights_of(part)
    if w is not None:  # (--weights: the weighted RMSE, what the fit minimises)
        with np.errstate(over="ignore"):
            return math.sqrt(float(w @ (values[:, -1] - predicted) ** 2 / w.sum()))
    return RMSE(values[:, -1], predicted)


def _coefficients(model):
    """The coefficients in original units: intercept, then one per input."""
    intercept, slopes = coefficients(model.model, model.scalingParameter if model.featureScaling else None)
    return np.concatenate([[intercept], slopes])
