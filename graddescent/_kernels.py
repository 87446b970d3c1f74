"""Compiled inner loops: the update rules of the 14 methods and the three drivers.

Everything here is plain loops over float arrays, compiled by numba (``cache=True``).
The loops read the data as given (``data``: m rows, the inputs then the output), with
the intercept's column of ones implicit and R's shuffle applied through row indices, so a
fit makes no copy of the data. The arithmetic follows R's order on purpose, because R's own rounding is part of its
numbers: residuals accumulate column by column as R's BLAS does (no fused
multiply-add, no reordering: numba's default, not ``fastmath``), and sums over rows
are compensated because R sums in extended (long double) precision.
Methods are selected by the small integer codes below; each rule is a few lines under
its R name.
"""

import math

import numpy as np
from numba import njit

from .rrandom import _bits, _rbits

_jit = njit(cache=True, nogil=True, error_model="numpy")  # numpy: 0/0 is NaN, as in R

# full batch
GD, MGD, AGD = 0, 1, 2
# single row
SGD, ADAGRAD, ADADELTA, RMSPROP, ADAM = 0, 1, 2, 3, 4
# variance reduced (SARAHPlus is SARAH with gammaS > 0)
SVRG, SSGD, SARAH = 0, 1, 2

_FLT_EPSILON = 1.1920928955078125e-07  # R's tolerance in the ':' operator (seq_colon)


@_jit
def check_finite(values):
    """The first (row, column) of values that is NaN or infinite, or (-1, -1)."""
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if not math.isfinite(values[i, j]):
                return i, j
    return -1, -1


@_jit
def _x(row, j):
    """Feature j of a data row: R's column of ones for the intercept (j = 0), then the inputs."""
    return 1.0 if j == 0 else row[j - 1]


@_jit
def _residual(row, theta):
    """``[1 | inputs] . theta - output``, summed left to right as R's ``%*%`` (reference BLAS)."""
    s = theta[0]  # R: 0 + 1 * theta[1], exactly theta[1]
    for j in range(1, theta.shape[0]):
        s += row[j - 1] * theta[j]
    return s - row[row.shape[0] - 1]


@_jit
def _add(s, c, j, p):
    """Add p to the compensated sum (s[j], c[j]) (Knuth's TwoSum)."""
    t = s[j] + p
    bp = t - s[j]
    c[j] += (s[j] - (t - bp)) + (p - bp)
    s[j] = t


@_jit
def gradient(data, lo, hi, theta, g):
    """Store the mean gradient ``X'e / rows`` over data rows ``lo..hi-1`` in g; return ``e'e / rows``.

    R sums ``e * X[, j]`` in long double; a compensated (TwoSum) sum in double gives
    the same rounded result, in any order of the rows (so R's shuffle, which changes
    the order only, need not be applied to a full sum).
    """
    n = theta.shape[0]
    s = np.zeros(n)
    c = np.zeros(n)
    sse = 0.0
    for k in range(lo, hi):
        row = data[k]
        e = _residual(row, theta)
        sse += e * e
        _add(s, c, 0, e)  # the intercept's column of ones
        for j in range(1, n):
            _add(s, c, j, e * row[j - 1])
    rows = hi - lo
    for j in range(n):
        total = s[j] + c[j]
        g[j] = (total if math.isfinite(total) else s[j]) / rows
    return sse / rows


# --------------------------------------------------------------------------- full batch rules

@_jit
def _gd(theta, v, g, data, lo, hi, alpha, momentum):
    loss = gradient(data, lo, hi, theta, g)
    for j in range(theta.shape[0]):
        theta[j] -= alpha * g[j]
    return loss


@_jit
def _mgd(theta, v, g, data, lo, hi, alpha, momentum):
    loss = gradient(data, lo, hi, theta, g)
    for j in range(theta.shape[0]):
        v[j] = momentum * v[j] + alpha * g[j]
        theta[j] -= v[j]
    return loss


@_jit
def _agd(theta, v, g, data, lo, hi, alpha, momentum):
    for j in range(theta.shape[0]):
        theta[j] -= momentum * v[j]  # R's: the look-ahead point is kept in theta, not only evaluated
    return _mgd(theta, v, g, data, lo, hi, alpha, momentum)  # then a momentum step from there


@_jit
def full_batch(kind, data, theta, alpha, maxIter, momentum, nBatch, loss):
    """GD, MBGD (GD with nBatch > 1), MGD and AGD; loss[t] is iteration t's batch MSE.

    R's MBGD batches are slices of its shuffled rows (for MBGD, data comes shuffled):
    ``lo = 1, hi = m / nBatch`` when ``iteration %% nBatch == 1`` (or nBatch is 1), the
    rows of R's sequence ``lo:hi`` (1-based, truncated), then both ends move on by
    ``m / nBatch``, which may be fractional.
    """
    m, n = data.shape[0], theta.shape[0]
    v = np.zeros(n)
    g = np.zeros(n)
    step = m * (1.0 / nBatch)  # R: nrow * batchRate, batchRate = 1 / nBatch
    lo_r, hi_r = 1.0, step
    for iteration in range(1, maxIter + 1):
        lo, hi = 0, m
        if nBatch > 1:
            if iteration % nBatch == 1:
                lo_r, hi_r = 1.0, step
            count = int(abs(hi_r - lo_r) + 1 + _FLT_EPSILON)  # length of R's lo:hi
            lo, hi = int(lo_r) - 1, int(lo_r + (count - 1))
            lo_r, hi_r = lo_r + step, hi_r + step
        if kind == GD:
            loss[iteration - 1] = _gd(theta, v, g, data, lo, hi, alpha, momentum)
        elif kind == MGD:
            loss[iteration - 1] = _mgd(theta, v, g, data, lo, hi, alpha, momentum)
        else:
            loss[iteration - 1] = _agd(theta, v, g, data, lo, hi, alpha, momentum)
    return theta


# --------------------------------------------------------------------------- single row rules
# Each updates theta in place from row x and its residual e; s holds R's scalar
# accumulators, u ADADELTA's per-column last updates.

@_jit
def _sgd(theta, e, x, s, u, alpha, momentum):
    for j in range(theta.shape[0]):
        theta[j] -= alpha * (e * _x(x, j))


@_jit
def _adagrad(theta, e, x, s, u, alpha, momentum):
    for j in range(theta.shape[0]):
        g = e * _x(x, j)
        s[0] += g * g  # R's: one sum of squares shared by all columns (R re-sums a list of them)
        theta[j] -= alpha * g / math.sqrt(s[0])  # 0 / 0 is NaN, as in R


@_jit
def _adadelta(theta, e, x, s, u, alpha, momentum):
    for j in range(theta.shape[0]):  # R's: scalars Eg, Eu, rmsU carried across columns
        g = e * _x(x, j)
        s[0] = momentum * s[0] + (1 - momentum) * g * g
        rms_g = math.sqrt(s[0] + 1e-7)
        s[1] = momentum * s[1] + (1 - momentum) * u[j] * u[j]
        u[j] = s[2] / rms_g * g
        theta[j] -= u[j]
        s[2] = math.sqrt(s[1] + 1e-7)


@_jit
def _rmsprop(theta, e, x, s, u, alpha, momentum):
    for j in range(theta.shape[0]):  # R's: one running mean Eg shared by all columns
        g = e * _x(x, j)
        s[0] = momentum * s[0] + (1 - momentum) * g * g
        theta[j] -= alpha * g / math.sqrt(s[0] + 1e-7)


@_jit
def _adam(theta, e, x, s, u, alpha, momentum):
    b1, b2 = 0.9, 0.999
    for j in range(theta.shape[0]):  # R's: both moments shared by all columns
        g = e * _x(x, j)
        s[0] = b1 * s[0] + (1 - b1) * g
        s[1] = b2 * s[1] + (1 - b2) * g * g
        mh = s[0] / (1 - b1)  # R's bias correction is constant, not 1 - b1^t
        vh = s[1] / (1 - b2)
        theta[j] -= alpha * mh / (math.sqrt(vh) + 1e-7)


@_jit
def single_row(kind, data, theta, rows, update, alpha, momentum, window, loss):
    """SGD, SAGD (SGD with ``update`` coins), ADAGRAD, ADADELTA, RMSPROP, ADAM.

    Step t uses row ``rows[t]`` of data (0-based, R's shuffle applied), skipped where ``update[t]`` is False (an
    empty ``update`` means always). Writes the mean squared residual of every
    ``window`` steps to ``loss`` and returns how many it wrote.
    """
    n = theta.shape[0]
    s = np.zeros(3)
    u = np.zeros(n)
    steps = rows.shape[0]
    total, count, k = 0.0, 0, 0
    for t in range(steps):
        if update.shape[0] == 0 or update[t]:
            x = data[rows[t]]
            e = _residual(x, theta)
            if kind == SGD:
                _sgd(theta, e, x, s, u, alpha, momentum)
            elif kind == ADAGRAD:
                _adagrad(theta, e, x, s, u, alpha, momentum)
            elif kind == ADADELTA:
                _adadelta(theta, e, x, s, u, alpha, momentum)
            elif kind == RMSPROP:
                _rmsprop(theta, e, x, s, u, alpha, momentum)
            else:
                _adam(theta, e, x, s, u, alpha, momentum)
            total += e * e
            count += 1
        if (t + 1) % window == 0 or t + 1 == steps:
            if count > 0:
                loss[k] = total / count
                k += 1
            total, count = 0.0, 0
    return k


# --------------------------------------------------------------------------- variance-reduced inner loops

@_jit
def svrg_inner(data, theta, mu, rows, alpha, keep):
    """SVRG's inner loop from snapshot theta; returns inner iterate ``keep`` (0: the snapshot)."""
    w = theta.copy()
    kept = theta.copy()
    for k in range(rows.shape[0]):
        x = data[rows[k]]
        e_w = _residual(x, w)
        e_0 = _residual(x, theta)
        for j in range(w.shape[0]):
            w[j] -= alpha * (e_w * _x(x, j) - e_0 * _x(x, j) + mu[j])
        if k + 1 == keep:
            kept[:] = w
    return kept


@_jit
def ssgd_inner(data, theta, mu, rows, alpha):
    """SSGD's inner loop from theta over the given rows; returns the last iterate."""
    w = theta.copy()
    for k in range(rows.shape[0]):
        x = data[rows[k]]
        e_w = _residual(x, w)
        e_0 = _residual(x, theta)
        for j in range(w.shape[0]):
            w[j] -= alpha * (mu[j] - e_w * _x(x, j) + e_0 * _x(x, j))  # R's sign: opposite of SVRG's
    return w


@_jit
def sarah_inner(data, theta, v, rows, alpha, keep, gammaS):
    """SARAH's inner loop (``gammaS = 0``) or SARAHPlus's (``gammaS > 0``).

    SARAH returns iterate ``keep`` of R's list ``[theta, w_2, ..., w_innerIter]`` (the
    first step's iterate is not in it). SARAHPlus stops once
    ``(|v_1| / 3)^2 <= gammaS (|v0_1| / 3)^2`` and returns the last iterate.
    """
    n = theta.shape[0]
    v = v.copy()
    wp = theta.copy()
    w = np.empty(n)
    for j in range(n):
        w[j] = wp[j] - alpha * v[j]
    kept = theta.copy()
    limit = gammaS * (abs(v[0]) / 3) ** 2  # R's: only v[1] compared (its && keeps the first element)
    for k in range(1, rows.shape[0]):
        if gammaS > 0 and not (abs(v[0]) / 3) ** 2 > limit:  # R's /3 decides overflow: keep it
            break
        x = data[rows[k - 1]]
        e_w = _residual(x, w)
        e_p = _residual(x, wp)
        wp[:] = w
        for j in range(n):
            v[j] = e_w * _x(x, j) - e_p * _x(x, j) + v[j]
            w[j] -= alpha * v[j]
        if gammaS > 0 or k == keep:
            kept[:] = w
    return kept


@_jit
def variance_reduced(kind, data, theta, rows, lo, hi, keep, alpha, gammaS, loss):
    """SVRG, SSGD, SARAH, SARAHPlus: outer iteration t takes the full gradient at theta
    (its MSE goes to loss[t]) and runs the inner loop over data rows ``rows[lo[t]:hi[t]]``."""
    g = np.empty(theta.shape[0])
    for t in range(loss.shape[0]):
        loss[t] = gradient(data, 0, data.shape[0], theta, g)
        inner = rows[lo[t]:hi[t]]
        if kind == SVRG:
            theta = svrg_inner(data, theta, g, inner, alpha, keep[t])
        elif kind == SSGD:
            theta = ssgd_inner(data, theta, g, inner, alpha)
        else:
            theta = sarah_inner(data, theta, g, inner, alpha, keep[t], gammaS)
    return theta


@_jit
def ssgd_plan(raws, maxIter, innerIter, m, order, scaled):
    """SSGD's draws from R's raw stream: per outer iteration the length K, then K rows.

    K is R's ``randomProb``: ``sample(innerIter, 1)`` when ``order`` is empty (lamda 0),
    else the first k in ``order`` with ``runif(1) <= scaled[k]``. Rows are
    ``sample(m, 1)`` each (0-based here). Returns the counts, the rows and the outputs
    used, or used = -1 when ``raws`` ran out.
    """
    counts = np.zeros(maxIter, dtype=np.int64)
    rows = np.empty(maxIter * innerIter, dtype=np.int64)
    bits_k, bits_m = _bits(innerIter), _bits(m)
    used, total = 0, 0
    for t in range(maxIter):
        K = -1
        while K < 0:  # the inner-loop length
            if order.shape[0] == 0:
                chunks = bits_k // 16 + 1
                if used + chunks > raws.shape[0]:
                    return counts, rows[:total], -1
                v = _rbits(raws, used, bits_k)
                used += chunks
                if v < innerIter:
                    K = v + 1
            else:
                if used + 1 > raws.shape[0]:
                    return counts, rows[:total], -1
                u = raws[used] * 2.3283064365386963e-10  # R's unif_rand
                if u <= 0.0:
                    u = 0.5 * 2.328306437080797e-10
                used += 1
                for i in range(order.shape[0]):
                    if u <= scaled[order[i]]:
                        K = order[i] + 1
                        break
        chunks = bits_m // 16 + 1
        drawn = 0
        while drawn < K:  # its rows
            if used + chunks > raws.shape[0]:
                return counts, rows[:total], -1
            v = _rbits(raws, used, bits_m)
            used += chunks
            if v < m:
                rows[total] = v
                total += 1
                drawn += 1
        counts[t] = K
    return counts, rows[:total], used
