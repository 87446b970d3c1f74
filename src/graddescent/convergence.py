"""Beyond R: when a fit stops, the step sizes that converge, and what went wrong when one did not.

R's methods run a fixed number of iterations at a fixed step and report nothing. Here:

- **The stopping rule** (``tol``, ``n_iter_no_change`` = p), one for every method, judged at
  the end of each *pass* over the data from a loss the loops compute anyway: a full-batch
  iteration, its loss the mean squared residual it starts from (for MBGD, the ``nBatch``
  iterations that go through the data once, their mean squared residual over all their
  rows); for the single-row methods, ``m`` steps, their loss the mean squared residual of
  the rows drawn, each taken before its step, as scikit-learn's ``SGDRegressor`` judges an
  epoch; for the variance-reduced methods, an outer iteration, its loss the full mean
  squared residual it starts with. Over the last two windows of p passes, with ``d`` the
  loss's fall over the last window and ``r d`` that over the one before (``r`` the rate),
  a pass is *settled* if the loss did not fall (by more than rounding) and is within
  ``tol`` of its lowest, or if it falls more slowly than before (``r < 1``) and what is left
  to gain at that rate, ``d r / (1 - r)`` (at least ``d``), is at most ``tol`` times the
  loss. The fit stops when p passes in a row are settled (converged), when a loss is not
  finite (diverged), or at ``maxIter``. A slow but steady descent goes on, where a rule on
  one pass's fall alone (scikit-learn's) stops it about ``tol / (1 - r)`` above the
  optimum; a loss that climbs, or jumps about by more than ``tol``, has not settled. MGD and
  AGD, whose loss rises and falls with their momentum, take ``p ceil(1 / (1 - momentum))``.
- **Averaged iterates** (``average``: beyond R, the estimators' default for the single-row
  methods and MBGD; with ``alpha="auto"`` for the command line). The iterates of a constant
  step hover about the optimum; their running average (Polyak and Ruppert) converges to it.
  With a stopping rule the average starts where the iterates' loss stops falling, by
  scikit-learn's rule (p passes in a row none lower than the lowest by ``tol``), or
  half-way through ``maxIter``; from then on the rule judges the average's loss over all
  rows, which falls as 1 / P after P passes of averaging, by steps its noise can hide over
  a few passes: a pass is settled only if, besides, the loss fell by at most ``tol`` times
  the loss since half-way through the averaging (on a 1 / P tail, what is left to gain).
  Without a stopping rule, the average starts after the first pass.
- **Automatic steps** (``alpha="auto"``), from the curvature of the least-squares loss on
  this data: ``L`` the largest eigenvalue of ``X'X / m`` with ``X = [1 | inputs]`` (of each
  batch for MBGD: the largest), ``R2`` the largest ``|x_i|^2`` over the rows. Full batch:
  ``1 / L`` (GD's safe step; also within the stable range of MGD's and AGD's momentum). SGD
  and SAGD: ``1 / (4 R2)`` with the iterates averaged (Bach and Moulines 2013 show this
  converges for least squares, where a constant step alone stalls above the optimum). SVRG,
  SARAH, SARAHPlus: ``1 / (4 R2)`` (Johnson and Zhang 2013; Nguyen et al. 2017). SSGD, whose
  R correction has the wrong sign so that its inner loop grows along each row it draws:
  ``ln 2 / (innerIter R2)``, which keeps that growth below two. ADAGRAD, RMSPROP and ADAM
  normalise their steps by the gradients' size, so no curvature bound applies: the best of
  ``alpha = 10^-4 .. 10`` over a trial of one pass (at most 10^4 rows of the shuffle), then
  averaging as for SGD; the same for their published rules (``variant="textbook"``,
  ``"amsgrad"``), whose trial runs the published rule.
  The published rules (``variant="textbook"``) where the theory differs:

  ============================  ==================  ============================================
  method, variant="textbook"    alpha="auto"        from
  ============================  ==================  ============================================
  SAGD (SAG)                    ``1 / (16 R2)``     Schmidt, Le Roux and Bach 2017, Theorem 1
                                                    (``L`` of each row's loss is ``|x_i|^2``)
  SSGD (S2GD, SVRG's sign)      ``1 / (4 R2)``      as SVRG (Johnson and Zhang 2013): its inner
                                                    loop is SVRG's, of random length
  AGD (torch's Nesterov form)   ``1 / L``           as R's AGD: the same method, written with
                                                    the gradient at theta
  SVRG, SARAHPlus               ``1 / (4 R2)``      as R's (the rule changes only which iterate
                                                    is kept, or when the inner loop stops)
  ============================  ==================  ============================================

- **Divergence**: a fit diverged if its coefficients or loss are not finite, or its loss
  over all rows ends more than 10 times where it started; where the loss record is exact
  (full batch but MBGD, variance reduced), also if it ends 1000 times its lowest, or rose
  over its last ten values to twice where it started. The remedy names the step bound of the
  method for this data (``2 / L`` for GD, ``2 (1 + momentum) / L`` for MGD's heavy ball,
  ``2 (1 + momentum) / ((1 + 2 momentum) L)`` for AGD's Nesterov form, either variant, ``2 / R2``
  for the single-row and variance-reduced steps, SSGD's published rule too; none for SAG),
  and suggests scaling only where the data is not
  scaled.
"""

import math
from typing import NamedTuple, Optional

import numpy as np

from ._sums import column_bounds, gram_matrix, gram_sums

__all__ = []

PATIENCE = 5  # n_iter_no_change's default
ADAPTIVE = ("ADAGRAD", "RMSPROP", "ADAM")
TRIAL_ALPHAS = tuple(10.0 ** k for k in range(-4, 2))
TRIAL_STEPS = (1_000, 10_000)  # a trial's steps: one pass, but at least and at most these
_CHUNK = 1 << 16  # rows per piece of a Gram matrix
_GRAM_SIZE = 2048  # the largest Gram matrix built (of the columns, else of the rows)


class Fit(NamedTuple):
    """What a fit did: its result, and how it got there."""

    theta: np.ndarray  # 1 x n, R's shape
    loss: np.ndarray  # the loss record
    n_iter: int  # R's units: iterations (full batch), steps (single row), outer iterations
    passes: float  # passes over the data
    converged: Optional[bool]  # the stopping rule met; None without one (R's fixed iterations)
    alpha: Optional[float]  # the step (the one chosen, for "auto"); None for ADADELTA
    diverged: bool
    remedy: str  # what to do about a diverged fit, for its messages ("" otherwise)


# --------------------------------------------------------------------------- curvature of the data

def curvature(inputs, batches=None, starts=None):
    """``L``: the largest eigenvalue of ``X'X / m``, ``X = [1 | inputs]`` (m x k inputs, any
    layout), or the largest over MBGD's batches (rows ``batches[starts[b]:starts[b + 1]]``)."""
    if not isinstance(inputs, np.ndarray):  # data held by Dask (graddescent.chunked)
        return inputs.curvature(batches, starts)
    if batches is None or batches.size == 0:
        return _largest_eigenvalue(inputs, None)
    return max(_largest_eigenvalue(inputs, batches[starts[b]:starts[b + 1]]) for b in range(starts.size - 1))


def _largest_eigenvalue(inputs, rows):
    """The largest eigenvalue of ``X'X / count`` for the rows (all: None): from the Gram
    matrix of the columns, exact (:func:`graddescent._sums.gram_sums`, so the same for data
    in memory and in pieces); or, for a wide table, of the rows (``XX'``, whose nonzero
    eigenvalues are the same), built a piece at a time; where both are large, by Lanczos
    iterations on products with X (no matrix beyond the data)."""
    count = inputs.shape[0] if rows is None else rows.size
    k = inputs.shape[1]
    if k + 1 <= _GRAM_SIZE:
        cols = np.ascontiguousarray(inputs.T)  # (a view of the data by column, as the full-batch methods hold it)
        acc, grids = gram_sums(cols, column_bounds(cols), rows)
        return eigenvalue(gram_matrix(acc, grids, k + 1, count))
    with np.errstate(all="ignore"):  # (data beyond 1e154 overflows it: then inf)
        if count <= _GRAM_SIZE:
            gram = np.ones((count, count))  # (the intercept's column of ones)
            step = max(1, _CHUNK // count)
            for lo in range(0, k, step):
                piece = inputs[:, lo:lo + step] if rows is None else inputs[rows, lo:lo + step]
                gram += piece @ piece.T
        else:
            return _lanczos(inputs, rows, count, k)
        return eigenvalue(gram / count)


def eigenvalue(gram):
    """The largest eigenvalue of a Gram matrix (inf where it overflowed)."""
    return float(np.linalg.eigvalsh(gram)[-1]) if np.all(np.isfinite(gram)) else math.inf


def _lanczos(inputs, rows, count, k):
    from scipy.sparse.linalg import LinearOperator, eigsh  # (scikit-learn's dependency)

    def product(v):
        out = np.zeros(k + 1)
        for lo in range(0, count, _CHUNK):
            piece = inputs[lo:lo + _CHUNK] if rows is None else inputs[rows[lo:lo + _CHUNK]]
            u = v[0] + piece @ v[1:]
            out[0] += u.sum()
            out[1:] += piece.T @ u
        return out / count

    value = eigsh(LinearOperator((k + 1, k + 1), matvec=product, dtype=np.float64), k=1, which="LA",
                  tol=1e-6, return_eigenvectors=False)[0]
    return float(value) * (1 + 1e-6) if np.isfinite(value) else math.inf


def largest_row_norm(inputs):
    """``R2``: the largest ``|x_i|^2 = 1 + sum_j x_ij^2`` over the rows (m x k inputs, any layout)."""
    if not isinstance(inputs, np.ndarray):  # data held by Dask (graddescent.chunked)
        return inputs.largest_row_norm()
    squares = np.ones(inputs.shape[0])
    with np.errstate(over="ignore"):  # (data beyond 1e154 overflows it: then inf)
        if inputs.shape[1] <= _GRAM_SIZE:
            for j in range(inputs.shape[1]):
                squares += inputs[:, j] * inputs[:, j]
        else:  # a wide table: a piece of rows at a time
            step = max(1, _CHUNK // inputs.shape[1])
            for lo in range(0, inputs.shape[0], step):
                piece = inputs[lo:lo + step]
                squares[lo:lo + step] += np.einsum("ij,ij->i", piece, piece)
    return float(squares.max())


# --------------------------------------------------------------------------- steps

def auto_alpha(method, inputs, batches=None, starts=None, inner_iter=None, variant="R"):
    """The step ``alpha="auto"`` stands for (not for the adaptive methods: :func:`trial`)."""
    if method in ("GD", "MGD", "AGD", "MBGD"):
        alpha = 1.0 / curvature(inputs, batches if method == "MBGD" else None, starts)
    elif method == "SAGD" and variant != "R":  # SAG
        alpha = 1.0 / (16.0 * largest_row_norm(inputs))
    elif method == "SSGD" and variant == "R":
        alpha = math.log(2.0) / (inner_iter * largest_row_norm(inputs))
    else:
        alpha = 1.0 / (4.0 * largest_row_norm(inputs))
    if not alpha > 0:
        raise ValueError("alpha='auto' cannot size a step for this data: the squares of its values overflow "
                         "(values beyond 1e154); scale the columns (varianceScaling) first")
    return alpha


def stable_bound(method, inputs, momentum=0.0, batches=None, starts=None, inner_iter=None, variant="R"):
    """The largest step at which the method is stable on this data (None: no such bound),
    and how it is written."""
    if variant != "R" and method == "SAGD":
        return None, ""
    if variant != "R" and method == "SSGD":
        method = "SVRG"  # (S2GD: SVRG's inner loop)
    if method in ("GD", "MBGD"):
        return 2.0 / curvature(inputs, batches if method == "MBGD" else None, starts), "2/L"
    if method == "MGD":
        return 2.0 * (1 + momentum) / curvature(inputs), "2(1 + momentum)/L"
    if method == "AGD":
        return 2.0 * (1 + momentum) / ((1 + 2 * momentum) * curvature(inputs)), "2(1 + momentum)/((1 + 2 momentum) L)"
    if method == "SSGD":
        return math.log(2.0) / (inner_iter * largest_row_norm(inputs)), "ln(2)/(innerIter max|x_i|^2)"
    if method in ("SGD", "SAGD", "SVRG", "SARAH", "SARAHPlus"):
        return 2.0 / largest_row_norm(inputs), "2/max|x_i|^2"
    return None, ""


# --------------------------------------------------------------------------- divergence

def diverged(theta, start, end, record=None):
    """Whether a fit diverged: its coefficients or its training loss are not finite, or the
    loss over all rows ends more than 10 times where it started (``start``, ``end``: at the
    first and the last theta). Where the loss record is exact (full batch but MBGD, variance
    reduced: ``record``), also when it ends 1000 times its lowest, or rose over its last ten
    values to twice where it started. (The records of the single-row methods and MBGD, of
    single rows or batches, rise and fall too much to be judged this way.)"""
    if not np.all(np.isfinite(theta)) or not math.isfinite(end) or end > 10 * start:
        return True
    if record is None or record.size < 2:
        return False
    if not np.all(np.isfinite(record)) or record[-1] > 1000 * record.min():
        return True
    last = record[-11:]
    return last.size == 11 and bool(np.all(np.diff(last) > 0)) and record[-1] > 2 * record[0]


def remedy(method, alpha, inputs, scaled=None, variant="R", **bound_args):
    """What to do about a diverged fit of this method at this step, for its message.

    ``scaled``: whether the data was scaled (None: judge from the data, whose columns are
    then scaled if every mean is near 0 and every spread near 1, or every column spans 0..1).
    """
    if alpha is None:  # ADADELTA
        advice = "use a smaller momentum (the decay of its running averages)"
    else:
        bound, how = stable_bound(method, inputs, variant=variant, **bound_args)
        if bound is None or not bound > 0:  # (no bound, or data whose squares overflow)
            advice = f"use a smaller alpha (now {alpha:g}) or alpha='auto'"
        elif alpha > bound:
            advice = f"alpha {alpha:g} is above {how} = {bound:.3g} for this data; use alpha below it, or alpha='auto'"
        else:
            advice = f"use a smaller alpha (now {alpha:g}, below {how} = {bound:.3g}) or alpha='auto'"
        if method == "SSGD" and variant == "R":
            advice = ("R's SSGD adds its correction with the opposite sign of SVRG's, so its inner loop grows "
                      f"along the rows it draws; {advice}, or fewer inner steps (innerIter)")
    if scaled is None:
        scaled = _looks_scaled(inputs)
    if not scaled:
        advice += "; the columns are not scaled: scaling them (varianceScaling) lets a larger step converge"
    return advice


def _looks_scaled(inputs):
    if not isinstance(inputs, np.ndarray):  # data held by Dask (graddescent.chunked)
        return inputs.looks_scaled()
    for j in range(inputs.shape[1]):  # a column at a time: no copy of the data
        column = inputs[:, j]
        with np.errstate(all="ignore"):
            mean, spread, low, high = column.mean(), column.std(), column.min(), column.max()
        standard = abs(mean) < 0.1 and abs(spread - 1) < 0.1
        unit = abs(low) < 1e-9 and abs(high - 1) < 1e-9
        if not (standard or unit):
            return False
    return True
