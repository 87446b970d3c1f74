"""Compiled inner loops: the update rules of the 14 methods and the three drivers.

Everything here is plain loops over float arrays, compiled by numba (``cache=True``),
with the intercept's column of ones implicit and R's shuffle applied through row
indices. The single-row methods read the data by row (``data``: m rows, the inputs
then the output); the full gradients of the full-batch and variance-reduced methods
run down its columns (``cols``: the transpose). The arithmetic follows R's order on
purpose, because R's own rounding is part of its numbers: residuals accumulate column
by column as R's BLAS does (no fused multiply-add, no reordering: numba's default, not
``fastmath``), and the full gradient's sums over rows are exact, where R sums in
extended (long double) precision. Methods are selected by the small integer codes
below; each rule is a few lines under its R name.
"""

import math

import numpy as np
from numba import njit, types
from numba.extending import intrinsic

from .rrandom import _bits, _rbits

_jit = njit(cache=True, nogil=True, error_model="numpy")  # numpy: 0/0 is NaN, as in R
_sum_jit = njit(cache=True, nogil=True, error_model="numpy", fastmath={"reassoc"})

# full batch
GD, MGD, AGD = 0, 1, 2
# single row
SGD, ADAGRAD, ADADELTA, RMSPROP, ADAM = 0, 1, 2, 3, 4
# variance reduced (SARAHPlus is SARAH with gammaS > 0)
SVRG, SSGD, SARAH = 0, 1, 2

_FLT_EPSILON = 1.1920928955078125e-07  # R's tolerance in the ':' operator (seq_colon)


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


# --------------------------------------------------------------------------- R's long double sums
# R sums ``e * X[, j]`` in long double, and those extra bits decide the last digits of
# its near-zero coefficients: a plain double sum does not give R's numbers. The full
# gradient sums the terms exactly instead, as Rump, Ogita and Oishi's ExtractScalar does:
# with sigma = 1.5 * 2^k above all the terms, ``q = (sigma + p) - sigma`` is p rounded
# to a grid whose multiples add up exactly (here as the 64-bit words of ``sigma + p``:
# integer sums may be reordered, so the compiler vectorises them), and the remainders
# ``p - q``, each below the grid's step, add up in double with an error far below R's
# own (at most 2^-69 of ``max|e| max|X[, j]|`` per block of _CHUNK rows, against R's
# 2^-64 of its running sum). The grid is sized from a guess of the residuals' norm ``|e|``, which
# bounds every ``|e_i|``: the last iteration's. The pass computes the norm too (the
# loss needs ``e'e``), and is redone with it where the guess was too small for the grid
# to hold every term, or so large that it would cost precision. A compensated (TwoSum)
# sum, which the compiler cannot vectorise, is the fallback where a grid would overflow
# or underflow.

_CHUNK = 4096  # rows per exact block (the error bound grows with it)
_MARGIN = 1.0 + 2.0**-30  # bounds of computed residuals and products, with their rounding
_LOOSE = 16.0  # a norm guess more than this many times too large is redone


def _bitcast(source, target):
    """A numba intrinsic reinterpreting the 64 bits of a ``source`` value as ``target``."""
    def typer(typingctx, x):
        if x == source:
            return target(source), lambda context, builder, sig, args: builder.bitcast(
                args[0], context.get_value_type(target))
        return None
    return intrinsic(typer)


@intrinsic
def _borrow(typingctx, array):
    """The same array without a reference count, for the duration of a kernel call.

    numba counts references to arrays atomically, and keeps some thirty such updates
    around the calls of every iteration of a full-batch loop (a tenth of its time on
    small data) and several per step of a single-row one. A borrowed array (no meminfo)
    skips them. Only the arguments of a kernel called from Python are borrowed: the
    caller holds them while it runs. A borrowed array is never returned.
    """
    if not isinstance(array, types.Array):
        return None

    def codegen(context, builder, sig, args):
        borrowed = context.make_array(sig.args[0])(context, builder, args[0])
        borrowed.meminfo = context.get_constant_null(types.MemInfoPointer(types.voidptr))
        return borrowed._getvalue()

    return array(array), codegen


_word = _bitcast(types.float64, types.uint64)  # unsigned: sums of words wrap around, as wanted
_float = _bitcast(types.uint64, types.float64)
_EXPONENT = np.uint64(52)  # where a float64's exponent starts
_HALF = np.uint64(1 << 51)  # the mantissa of 1.5
_MAGNITUDE = np.uint64((1 << 63) - 1)  # all but the sign: |x| compares as these bits do
_INFINITY = np.uint64(0x7FF << 52)  # the bits of inf; NaN's are above


@_jit
def _largest(x):
    """The bits of max |x[i]| over a 1-D array (one vectorised pass; NaN's are above inf's)."""
    w = np.uint64(0)
    for i in range(np.uint64(x.shape[0])):
        w = max(w, _word(x[i]) & _MAGNITUDE)
    return w


@_jit
def column_bounds(cols):
    """max |cols[j]| for every column."""
    top = np.empty(cols.shape[0])
    for j in range(cols.shape[0]):
        top[j] = _float(_largest(cols[j]))
    return top


@_jit
def check_finite(values):
    """The first (row, column) of values that is NaN or infinite, or (-1, -1)."""
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if not math.isfinite(values[i, j]):
                return i, j
    return -1, -1


@_jit
def all_finite(flat):
    """Whether a 1-D array holds no NaN or infinity."""
    return _largest(flat) < _INFINITY


@_jit
def _grid(size):
    """sigma for exact sums of terms below ``size / 2``, or 0 where it would overflow or
    underflow: ``1.5 * 2^e`` with ``2^e > size``, so that ``sigma + p`` stays in sigma's
    binade. Each term is then at most 2^51 grid steps (at most 2^57 in a block: no
    overflow of the 64-bit sums)."""
    if not size < 2.0**1020:  # nor NaN
        return 0.0
    e = np.int64(_word(size) >> _EXPONENT) - 1022  # math.frexp(size)[1], for a normal size
    if e < -970:  # (the grid's step stays a normal number)
        return 0.0
    return _float(np.uint64(e + 1023) << _EXPONENT | _HALF)


@_sum_jit
def _plus(s, x):
    """``s + x`` in a sum whose order does not matter (its loop is vectorised): only this
    addition may be reordered, not the arithmetic that R's numbers depend on."""
    return s + x


@_jit
def _split(p, sigma):
    """p on sigma's grid (the word of ``sigma + p``) and the remainder below it."""
    h = sigma + p
    return _word(h), p - (h - sigma)


@_jit
def _add_row(w, e, pa, pb, s):
    """One row's terms e (the intercept's), pa and pb on their grids s, added to the sums w."""
    a1, a2 = _split(e, s[0])
    b1, b2 = _split(pa, s[1])
    c1, c2 = _split(pb, s[2])
    return w[0] + a1, _plus(w[1], a2), w[2] + b1, _plus(w[3], b2), w[4] + c1, _plus(w[5], c2)


@_jit
def _two_sum(total, error, p):
    """p added to the compensated sum (total, error) (Knuth's TwoSum)."""
    t = total + p
    bp = t - total
    return t, error + ((total - (t - bp)) + (p - bp))


@_jit
def _collect(total, error, words, rest, sigma, rows):
    """A block's sum, its grid words and remainders, added to the compensated (total, error)."""
    steps = np.int64(words - np.uint64(rows) * _word(sigma))  # wraps around to the true, small count
    step = _float(_word(sigma) - _HALF - (np.uint64(52) << _EXPONENT))  # sigma / 1.5 / 2^52
    total, error = _two_sum(total, error, steps * step)  # exact
    return _two_sum(total, error, rest)


@_jit
def _exact_block(cols, lo, hi, theta, work, scratch, guess):
    """Rows lo..hi-1 (at most _CHUNK), given a guess of the residuals' norm ``|e|``: the
    exact sums of the residuals e (the intercept's column) and of ``e * X[, j]`` for
    every input j, and (in double) of ``e^2``, added to the work table. Returns whether
    it added them (not where the grids do not fit, or the guess was too small or too
    large) and ``|e|``."""
    n, k = theta.shape[0], cols.shape[0]
    rows = hi - lo
    for j in range(n):  # terms up to |e| max|X[, j]| <= 2 guess max|X[, j]|, half the grid's size
        work[_SIGMA, j] = _grid(4.0 * guess * (work[_MAX, j - 1] * _MARGIN if j > 0 else 1.0))
        if work[_SIGMA, j] == 0.0:
            return False, math.nan
    # One pass computes the residuals, R's way (``((theta[1] + X[,2] theta[2]) + ...) - y``),
    # and sums the last two inputs' terms; a pass per input before them sums the rest.
    ja, jb = max(n - 2, 1), n - 1  # with one input, it is both (the second's theta is 0)
    ta, tb = theta[ja], theta[jb] if n > 2 else 0.0
    s = (work[_SIGMA, 0], work[_SIGMA, ja], work[_SIGMA, jb])
    z = np.uint64(0)
    w = (z, 0.0, z, 0.0, z, 0.0)
    sse = 0.0
    if n <= 3:  # one or two inputs, the common case: indexed in place (no views, a few % faster)
        t0, o = theta[0], np.uint64(lo)
        A, B, Y = np.uint64(ja - 1), np.uint64(jb - 1), np.uint64(k - 1)
        for i in range(np.uint64(rows)):
            u = o + i
            xa, xb = cols[A, u], cols[B, u]
            e = ((t0 + xa * ta) + xb * tb) - cols[Y, u]
            w = _add_row(w, e, e * xa, e * xb, s)
            sse = _plus(sse, e * e)
    else:
        xa, xb, y = cols[ja - 1, lo:hi], cols[jb - 1, lo:hi], cols[k - 1, lo:hi]
        b, r = scratch[0, lo:hi], scratch[1, lo:hi]
        b[:] = theta[0]
        for j in range(1, n - 2):
            x, t = cols[j - 1, lo:hi], theta[j]
            for i in range(np.uint64(rows)):
                b[i] += x[i] * t
        for i in range(np.uint64(rows)):
            e = ((b[i] + xa[i] * ta) + xb[i] * tb) - y[i]
            r[i] = e
            w = _add_row(w, e, e * xa[i], e * xb[i], s)
            sse = _plus(sse, e * e)
    norm = math.sqrt(sse) * _MARGIN  # NaN or infinite if some e is
    if not (norm <= 2.0 * guess and (guess <= _LOOSE * norm or norm == 0.0)):  # (all zeros: exact anyway)
        return False, norm
    for j in range(1, n - 2):  # the inputs before the last two, over the stored residuals
        x, sigma = cols[j - 1, lo:hi], work[_SIGMA, j]
        words, rest = z, 0.0
        for i in range(np.uint64(rows)):
            word, part = _split(r[i] * x[i], sigma)
            words += word
            rest = _plus(rest, part)
        work[_SUM, j], work[_ERR, j] = _collect(work[_SUM, j], work[_ERR, j], words, rest, sigma, rows)
    work[_SUM, 0], work[_ERR, 0] = _collect(work[_SUM, 0], work[_ERR, 0], w[0], w[1], s[0], rows)
    work[_SUM, ja], work[_ERR, ja] = _collect(work[_SUM, ja], work[_ERR, ja], w[2], w[3], s[1], rows)
    if n > 2:
        work[_SUM, jb], work[_ERR, jb] = _collect(work[_SUM, jb], work[_ERR, jb], w[4], w[5], s[2], rows)
    work[_SUM, n], work[_ERR, n] = _two_sum(work[_SUM, n], work[_ERR, n], sse)
    return True, norm


@_jit
def _compensated_block(cols, lo, hi, theta, work):
    """The fallback of :func:`_exact_block`: the same sums, compensated (TwoSum) in double.
    Terms above 2^600 are summed apart, scaled by 2^-64, so that no partial sum leaves
    double's range where R's long double sum would not (see :func:`_total`)."""
    n = theta.shape[0]
    for i in range(lo, hi):
        e = _residual(cols[:, i], theta)
        for j in range(n + 1):  # the intercept's column of ones, the inputs, e^2
            p = e if j == 0 else e * cols[j - 1, i] if j < n else e * e
            if abs(p) < 2.0**600:
                work[_SUM, j], work[_ERR, j] = _two_sum(work[_SUM, j], work[_ERR, j], p)
            else:  # (and inf, NaN)
                work[_BIG, j], work[_BIG_ERR, j] = _two_sum(work[_BIG, j], work[_BIG_ERR, j], p * 2.0**-64)


@_jit
def _total(work, j):
    """Sum j of the work table, rounded to double as R's ``sum()`` returns its long double
    sum: +-inf beyond double's range, NaN with an inf - inf."""
    big, big_err = work[_BIG, j] * 2.0**64, work[_BIG_ERR, j] * 2.0**64
    total, error = _two_sum(work[_SUM, j], work[_ERR, j], big)
    t = total + (error + big_err)
    return t if math.isfinite(t) else total  # (an infinite total makes its error NaN)


@_jit
def gradient(cols, lo, hi, theta, g, work, scratch):
    """Store the mean gradient ``X'e / rows`` over data rows ``lo..hi-1`` in g; return ``e'e / rows``.

    ``cols`` is the data by column (the inputs, then the output); ``work`` and
    ``scratch`` are :func:`workspace`'s. The sums are exact, so in any order of the rows
    (R's shuffle, which changes the order only, need not be applied to a full sum).
    """
    n, k = theta.shape[0], cols.shape[0]
    rows = hi - lo
    for j in range(n + 1):
        work[_SUM, j] = work[_ERR, j] = work[_BIG, j] = work[_BIG_ERR, j] = 0.0
    bound, reach = work[_MAX, k - 1] + abs(theta[0]), 1.0  # every |e_i| <= bound (|theta[1]| +
    for j in range(1, n):  # sum |theta[j]| max|X[, j]| + max|y|), every term <= bound reach
        bound += abs(theta[j]) * work[_MAX, j - 1]
        reach = max(reach, work[_MAX, j - 1])
    if not bound * reach * rows < 2.0**1000:  # sums that may leave double's range (not R's)
        _compensated_block(cols, lo, hi, theta, work)
    else:
        # the residuals' root mean square: the last call's, or at first the bound
        rms = work[_MAX, k] if work[_MAX, k] > 0.0 else bound
        for start in range(lo, hi, _CHUNK):
            stop = min(start + _CHUNK, hi)
            done, norm = _exact_block(cols, start, stop, theta, work, scratch, rms * math.sqrt(stop - start))
            if not done and 0.0 < norm < math.inf:
                done, norm = _exact_block(cols, start, stop, theta, work, scratch, norm)
            if not done:
                _compensated_block(cols, start, stop, theta, work)
    for j in range(n + 1):
        t = _total(work, j) / rows
        if j < n:
            g[j] = t
    work[_MAX, k] = math.sqrt(t) if 0.0 < t < math.inf else 0.0  # the residuals' RMS, for the next call
    return t


_MAX, _SIGMA, _SUM, _ERR, _BIG, _BIG_ERR = range(6)  # the rows of gradient's work table


@_jit
def workspace(cols):
    """:func:`gradient`'s work table (max |x| of every column and, after them, the last
    residuals' root mean square; grids; compensated sums, and those of huge terms) and
    scratch rows (partial residuals, residuals), allocated once per fit."""
    k, m = cols.shape
    work = np.zeros((6, k + 1))
    work[_MAX, :k] = column_bounds(cols)
    return work, np.empty((2, m))


# --------------------------------------------------------------------------- full batch rules

@_jit
def _gd(theta, v, g, alpha, momentum):
    for j in range(theta.shape[0]):
        theta[j] -= alpha * g[j]


@_jit
def _mgd(theta, v, g, alpha, momentum):
    for j in range(theta.shape[0]):
        v[j] = momentum * v[j] + alpha * g[j]
        theta[j] -= v[j]


@_jit
def _agd_look_ahead(theta, v, momentum):
    for j in range(theta.shape[0]):  # then the gradient there, and _mgd's step from there
        theta[j] -= momentum * v[j]  # R's: the look-ahead point is kept in theta, not only evaluated


def full_batch(kind, cols, theta, alpha, maxIter, momentum, nBatch, loss):
    """GD, MBGD (GD with nBatch > 1), MGD and AGD; loss[t] is iteration t's batch MSE.

    ``cols`` is the data by column. R's MBGD batches are slices of its shuffled rows
    (for MBGD, cols comes shuffled):
    ``lo = 1, hi = m / nBatch`` when ``iteration %% nBatch == 1`` (or nBatch is 1), the
    rows of R's sequence ``lo:hi`` (1-based, truncated), then both ends move on by
    ``m / nBatch``, which may be fractional. Updates theta in place.
    """
    n = theta.shape[0]
    _full_batch(kind, cols, theta, alpha, maxIter, momentum, nBatch, loss, np.zeros(n), np.zeros(n), *workspace(cols))


@_jit
def _full_batch(kind, cols, theta, alpha, maxIter, momentum, nBatch, loss, v, g, work, scratch):
    cols, theta, loss, v, g, work, scratch = (_borrow(cols), _borrow(theta), _borrow(loss), _borrow(v),
                                              _borrow(g), _borrow(work), _borrow(scratch))
    m = cols.shape[1]
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
        if kind == AGD:
            _agd_look_ahead(theta, v, momentum)
        loss[iteration - 1] = gradient(cols, lo, hi, theta, g, work, scratch)
        if kind == GD:
            _gd(theta, v, g, alpha, momentum)
        else:
            _mgd(theta, v, g, alpha, momentum)


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


def single_row(kind, data, theta, rows, update, alpha, momentum, window, loss):
    """SGD, SAGD (SGD with ``update`` coins), ADAGRAD, ADADELTA, RMSPROP, ADAM.

    Step t uses row ``rows[t]`` of data (0-based, R's shuffle applied), skipped where ``update[t]`` is False (an
    empty ``update`` means always). Writes the mean squared residual of every
    ``window`` steps to ``loss`` and returns how many it wrote. Updates theta in place.
    """
    return _single_row(kind, data, theta, rows, update, alpha, momentum, window, loss, np.zeros(3),
                       np.zeros(theta.shape[0]))


@_jit
def _single_row(kind, data, theta, rows, update, alpha, momentum, window, loss, s, u):
    data, theta, rows, update, loss, s, u = (_borrow(data), _borrow(theta), _borrow(rows), _borrow(update),
                                             _borrow(loss), _borrow(s), _borrow(u))
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
def svrg_inner(cols, theta, mu, rows, alpha, keep):
    """SVRG's inner loop from snapshot theta; returns inner iterate ``keep`` (0: the snapshot)."""
    w = theta.copy()
    kept = theta.copy()
    for k in range(rows.shape[0]):
        x = cols[:, rows[k]]
        e_w = _residual(x, w)
        e_0 = _residual(x, theta)
        for j in range(w.shape[0]):
            w[j] -= alpha * (e_w * _x(x, j) - e_0 * _x(x, j) + mu[j])
        if k + 1 == keep:
            kept[:] = w
    return kept


@_jit
def ssgd_inner(cols, theta, mu, rows, alpha):
    """SSGD's inner loop from theta over the given rows; returns the last iterate."""
    w = theta.copy()
    for k in range(rows.shape[0]):
        x = cols[:, rows[k]]
        e_w = _residual(x, w)
        e_0 = _residual(x, theta)
        for j in range(w.shape[0]):
            w[j] -= alpha * (mu[j] - e_w * _x(x, j) + e_0 * _x(x, j))  # R's sign: opposite of SVRG's
    return w


@_jit
def sarah_inner(cols, theta, v, rows, alpha, keep, gammaS):
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
        x = cols[:, rows[k - 1]]
        e_w = _residual(x, w)
        e_p = _residual(x, wp)
        wp[:] = w
        for j in range(n):
            v[j] = e_w * _x(x, j) - e_p * _x(x, j) + v[j]
            w[j] -= alpha * v[j]
        if gammaS > 0 or k == keep:
            kept[:] = w
    return kept


def variance_reduced(kind, cols, theta, rows, lo, hi, keep, alpha, gammaS, loss):
    """SVRG, SSGD, SARAH, SARAHPlus: outer iteration t takes the full gradient at theta
    (its MSE goes to loss[t]) and runs the inner loop over data rows ``rows[lo[t]:hi[t]]``.
    ``cols`` is the data by column. Returns the new theta."""
    return _variance_reduced(kind, cols, theta, rows, lo, hi, keep, alpha, gammaS, loss, np.empty(theta.shape[0]),
                             *workspace(cols))


@_jit
def _variance_reduced(kind, cols, theta, rows, lo, hi, keep, alpha, gammaS, loss, g, work, scratch):
    cols, rows, lo, hi, keep, loss, g, work, scratch = (  # not theta: the result is a new array
        _borrow(cols), _borrow(rows), _borrow(lo), _borrow(hi), _borrow(keep), _borrow(loss), _borrow(g),
        _borrow(work), _borrow(scratch))
    for t in range(loss.shape[0]):
        loss[t] = gradient(cols, 0, cols.shape[1], theta, g, work, scratch)
        inner = rows[lo[t]:hi[t]]
        if kind == SVRG:
            theta = svrg_inner(cols, theta, g, inner, alpha, keep[t])
        elif kind == SSGD:
            theta = ssgd_inner(cols, theta, g, inner, alpha)
        else:
            theta = sarah_inner(cols, theta, g, inner, alpha, keep[t], gammaS)
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
