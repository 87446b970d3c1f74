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

__all__ = []

PATIENCE = 5  # n_iter_no_change's default
#: tol's default (the estimators', the command line's) for the methods of exact gradients: the
#: coefficients certified within 0.01% of the least-squares solution (the largest error over the
#: largest slope, standardized: :mod:`graddescent.certificate`), close enough that the training MSE
#: is that of least squares (on a near-perfect fit such as Longley's, 0.1% leaves it 3% above)
TOL = 1e-4
#: tol's default for the methods of noisy steps (the single-row methods and MBGD), which stop
#: where their loss stalls: scikit-learn's SGDRegressor's, as the stalling is judged with it
#: (the average's loss falls as 1 / passes, so that 1e-4 would take some thousand passes for a
#: gain of a hundredth of a percent)
AVERAGED_TOL = 1e-3
TRIAL_ALPHAS = tuple(10.0 ** k for k in range(-4, 2))
TRIAL_STEPS = (1_000, 10_000)  # a trial's steps: one pass, but at least and at most these


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
    path: object = None  # the coefficients as the fit went (a DataFrame by iteration), where asked
    rates: object = None  # the single-row rules' step of each coefficient along the path, likewise
    error: Optional[float] = None  # the certified relative error of the coefficients (None: not judged)
    advice: str = ""  # what to do about a fit the certificate did not pass
    singular: str = ""  # the design's null directions, in words ("": none, or not judged)
    momentum: Optional[float] = None  # the momentum taken (the one "auto" chose); None where none is


# --------------------------------------------------------------------------- steps
# ``data`` is a data set of :mod:`graddescent.data` (in memory or held by Dask): its inputs'
# curvature ``L`` and largest squared row norm ``R2`` come from it.

def auto_alpha(rule, data, batches=None, starts=None, inner_iter=None):
    """The step ``alpha="auto"`` stands for, by the rule's ``step`` (not ``"trial"``: the
    drivers run the trial of the adaptive methods)."""
    if rule.step == "1/L":  # (of MBGD's steepest batch, where batches are given)
        alpha = 1.0 / data.curvature(batches, starts)
    elif rule.step == "1/(16 R2)":
        alpha = 1.0 / (16.0 * data.largest_row_norm())
    elif rule.step == "ln2/(innerIter R2)":
        alpha = math.log(2.0) / (inner_iter * data.largest_row_norm())
    else:
        alpha = 1.0 / (4.0 * data.largest_row_norm())
    if not alpha > 0:
        raise ValueError("alpha='auto' cannot size a step for this data: the squares of its values overflow "
                         "(values beyond 1e154); scale the columns (varianceScaling) first")
    return alpha


def stable_bound(rule, data, momentum=0.0, batches=None, starts=None, inner_iter=None):
    """The largest step at which the rule is stable on this data (None: no such bound), and
    how it is written."""
    how = rule.bound
    if how == "2/L":
        return 2.0 / data.curvature(batches, starts), how
    if how == "2(1 + momentum)/L":
        return 2.0 * (1 + momentum) / data.curvature(), how
    if how == "2(1 + momentum)/((1 + 2 momentum) L)":
        return 2.0 * (1 + momentum) / ((1 + 2 * momentum) * data.curvature()), how
    if how == "ln(2)/(innerIter max|x_i|^2)":
        return math.log(2.0) / (inner_iter * data.largest_row_norm()), how
    if how == "2/max|x_i|^2":
        return 2.0 / data.largest_row_norm(), how
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


def remedy(method, rule, alpha, data, scaled=None, **bound_args):
    """What to do about a diverged fit of this method's rule at this step, for its message.

    ``scaled``: whether the data was scaled (None: judge from the data, whose columns are
    then scaled if every mean is near 0 and every spread near 1, or every column spans 0..1).
    """
    if alpha is None:  # ADADELTA
        advice = "use a smaller momentum (the decay of its running averages)"
    else:
        bound, how = stable_bound(rule, data, **bound_args)
        if bound is None or not bound > 0:  # (no bound, or data whose squares overflow)
            advice = f"use a smaller alpha (now {alpha:g}) or alpha='auto'"
        elif alpha > bound:
            advice = f"alpha {alpha:g} is above {how} = {bound:.3g} for this data; use alpha below it, or alpha='auto'"
        else:
            advice = f"use a smaller alpha (now {alpha:g}, below {how} = {bound:.3g}) or alpha='auto'"
        if method == "SSGD" and rule.name == "R":
            advice = ("R's SSGD adds its correction with the opposite sign of SVRG's, so its inner loop grows "
                      f"along the rows it draws; {advice}, or fewer inner steps (innerIter)")
    if scaled is None:
        scaled = data.looks_scaled()
    if not scaled:
        advice += "; the columns are not scaled: scaling them (varianceScaling) lets a larger step converge"
    return advice
