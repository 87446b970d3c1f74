# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Sums down the columns of a data set, as R's numbers need them.

- R's ``mean`` and ``sd`` (for :func:`graddescent.varianceScaling`): two passes in long
  double, R's own type (C's ``long double`` is x86-64's 80-bit extended type, as in R),
  column by column, with no temporary copy of the data; of weighted rows, exact sums on
  grids (:func:`weighted_mean_sd`), the same in any order of the rows.
- The full gradient ``X'e / rows`` and the mean squared residual ``e'e / rows``
  (:class:`FullGradient`) of the full-batch and variance-reduced methods. R sums
  ``e * X[, j]`` in long double, and those extra bits decide the last digits of its
  near-zero coefficients. The sums here are exact to far below R's own rounding and,
  unlike any floating-point sum, do not depend on the order of the rows: every term
  is cut into two pieces on fixed-point grids chosen once per call (Rump, Ogita and
  Oishi's ExtractScalar, twice), and the pieces add up as 64-bit integers. Integer
  sums may be reordered and vectorised freely; nothing else here is (the extension is
  compiled without fused multiply-add or fast-math, see ``setup.py``).
- The checks of the data: finiteness, and the largest magnitude of each column.

Residuals are computed in R's order, ``((theta[1] + X[,2] theta[2]) + ...) - y``, as
R's ``%*%`` accumulates them.
"""

from libc.math cimport INFINITY, NAN, fabs, isfinite, ldexp, sqrt, sqrtl
from libc.stdint cimport int64_t, uint32_t, uint64_t

import math
import os

import numpy as np

from ._signals cimport new_poll, poll

cdef extern from *:
    # The loops over a block's rows (:func:`block_sums`, the Gram matrix's ``gram_block``) are
    # compiled three times on x86-64 Linux with GCC, for AVX-512 (F and DQ: whole weights'
    # 64-bit products in one instruction), AVX2 and the baseline, and the one the processor
    # runs best is chosen when the module loads (``_use_vector_path``; ``_vector_paths`` lists
    # those it runs, so that the tests run each). The copies compute the same numbers: their
    # only reordered sums are integer sums. Elsewhere the three are one plain loop.
    """
    #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
    #define GD_AVX512 __attribute__((target("avx512f,avx512dq")))
    #define GD_AVX2 __attribute__((target("avx2")))
    #define GD_INLINED __attribute__((always_inline))  /* (into each copy, compiled for its target) */
    #pragma GCC diagnostic ignored "-Wattributes"  /* (Cython repeats the return type on its temporaries) */
    static int gd_runs_avx512(void) {
        __builtin_cpu_init(); return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"); }
    static int gd_runs_avx2(void) { __builtin_cpu_init(); return __builtin_cpu_supports("avx2"); }
    #else
    #define GD_AVX512
    #define GD_AVX2
    #define GD_INLINED
    static int gd_runs_avx512(void) { return 0; }
    static int gd_runs_avx2(void) { return 0; }
    #endif
    """
    ctypedef uint64_t avx512_uint64 "GD_AVX512 uint64_t"
    ctypedef uint64_t avx2_uint64 "GD_AVX2 uint64_t"
    ctypedef uint64_t inlined_uint64 "GD_INLINED uint64_t"
    ctypedef int inlined_int "GD_INLINED int"
    ctypedef int avx512_int "GD_AVX512 int"
    ctypedef int avx2_int "GD_AVX2 int"
    bint gd_runs_avx512() noexcept nogil
    bint gd_runs_avx2() noexcept nogil

cdef enum:
    BLOCK = 4096  # rows summed per block: each 64-bit word sum holds < 2^51 steps a row, so < 2^63 a block
    WEIGHT_BUDGET = 4096  # whole weights summed per block (its rows' weights add up to at most this: < 2^63, as BLOCK)
    MIN_RUN = 64  # rows of one whole weight summed at once as unweighted rows (fewer: each row times its weight)

cdef enum:  # columns summed at once by R's mean and sd (:func:`_column_sums`), by power
    GROUP_0 = 4
    GROUP_1 = 3
    GROUP_2 = 2
    ROW_TILE = 512  # rows of data by row summed at a time (their 4 kB a column: in the cache)

cpdef enum Weighting:
    UNWEIGHTED  # every row once
    WHOLE       # whole weights (1..WEIGHT_BUDGET): each row's words times its weight, as that many copies of it
    SCALED      # other weights, divided by the largest: each term times its weight, then cut

cdef uint64_t EXPONENT = 52                 # where a double's exponent starts
cdef uint64_t HALF = <uint64_t>1 << 51      # the mantissa of 1.5
cdef uint64_t SECOND = <uint64_t>51 << 52   # level 2's sigma is level 1's times 2^-51
cdef double MARGIN = 1.0 + 2.0 ** -30       # bounds of computed products, with their rounding
cdef double LOOSE = 16.0                    # a guess more than this many times the residuals' norm is redone

# --------------------------------------------------------------------------- checks of the data


def column_bounds(const double[:, ::1] cols):
    """max |cols[j]| for every column j of data stored by column (k x m)."""
    cdef Py_ssize_t k = cols.shape[0], m = cols.shape[1], i, j
    cdef double[::1] top = np.zeros(k)
    cdef double t
    with nogil:
        for j in range(k):
            t = 0.0
            for i in range(m):
                t = max(t, fabs(cols[j, i]))
            top[j] = t
    return np.asarray(top)


def non_finite_columns(const double[:, :] values):
    """Which columns of a 2-D array hold a NaN or an infinity (one pass, in memory order)."""
    cdef Py_ssize_t m = values.shape[0], k = values.shape[1], i, j
    cdef unsigned char[::1] bad = np.zeros(k, dtype=np.uint8)
    with nogil:
        if values.strides[0] < values.strides[1]:  # by column
            for j in range(k):
                for i in range(m):
                    bad[j] |= not isfinite(values[i, j])
        else:
            for i in range(m):
                for j in range(k):
                    bad[j] |= not isfinite(values[i, j])
    return np.asarray(bad).astype(bool)


def first_non_finite(const double[:, :] values):
    """The (row, column) of the first NaN or infinite value of a 2-D array in row order, or (-1, -1)."""
    cdef Py_ssize_t m = values.shape[0], k = values.shape[1], i, j
    with nogil:
        for i in range(m):
            for j in range(k):
                if not isfinite(values[i, j]):
                    with gil:
                        return i, j
    return -1, -1

# --------------------------------------------------------------------------- R's mean and sd


def r_mean_sd(const double[:, :] values, weights=None):
    """Column means as R's ``mean`` and standard deviations as R's ``sd``.

    R's ``mean``: a long double sum divided by m, then, where that is finite, the mean
    of the long double differences from it added (a second, correcting pass). R's
    ``sd``: the root of R's ``var``, which takes the same mean (rounded to double) and
    sums ``(x - mean)^2`` in long double, divisor m - 1, the quotient rounded to double.
    Where that variance does not fit a double (spreads beyond about 1e154, or below about
    1e-154, where it would be subnormal or 0) the root is taken in long double, so that
    such a column gets its true standard deviation (not R's: R gives Inf or 0).

    Each column is summed in its row order, as R does, whatever the array's layout.

    With ``weights`` (frequency weights, one per row; whole or not), the divisors are the
    weights' sum W and W - 1 and the sums are those of :func:`weighted_mean_sd`: fixed-point
    sums of each ``w x`` and ``w (x - mean)^2`` to far below long double's rounding, in any
    order, each quotient correctly rounded (R's numbers of the data with each row repeated as
    often as its whole weight says, up to R's own long double rounding). Where those cannot
    be used (non-finite data, magnitudes near the ends of double's range), each term is
    multiplied by its weight and summed in long double in row order (:func:`column_sums`).
    """
    if weights is None:
        return mean_sd(lambda out, centre, power: column_sums(values, out, centre, power), values.shape[0],
                       values.shape[1])
    w = np.ascontiguousarray(weights, dtype=np.float64).reshape(-1)
    m = exact_total(w)
    found = weighted_mean_sd(lambda grids, centre, power: weighted_sums(values, w, grids, centre, power),
                             column_tops(values), w.max() if w.size else 0.0, m)
    if found is not None:
        return found
    return mean_sd(lambda out, centre, power: column_sums(values, out, centre, power, w), m, values.shape[1])


def mean_sd(sums, double m, Py_ssize_t k):
    """:func:`r_mean_sd` of m rows and k columns whose passes ``sums(out, centre, power)``
    runs (:func:`column_sums` over the rows, in row order, however they are held)."""
    cdef long double[::1] s1 = sums(np.zeros(k, dtype=np.longdouble), None, 0)  # R's first pass: sum x
    cdef double[::1] mean = np.empty(k), sd = np.empty(k)
    cdef long double variance
    cdef double v
    cdef Py_ssize_t j
    for j in range(k):
        s1[j] /= m
    cdef long double[::1] s2 = sums(np.zeros(k, dtype=np.longdouble), np.asarray(s1), 1)  # the second: x - mean
    for j in range(k):
        if isfinite(<double>s1[j]):
            s1[j] += s2[j] / m
        mean[j] = <double>s1[j]
        s1[j] = mean[j]  # var's centre: the mean as a double (R's xm), held in long double
    cdef long double[::1] s3 = sums(np.zeros(k, dtype=np.longdouble), np.asarray(s1), 2)  # var's: (x - mean)^2
    for j in range(k):
        variance = s3[j] / (m - 1)
        v = <double>variance
        if isfinite(v) and (v >= 2.2250738585072014e-308 or variance == 0):
            sd[j] = sqrt(v)  # R: sqrt(var(x)), in double
        else:  # the variance overflows or underflows a double: its root does not
            sd[j] = <double>sqrtl(variance)
    return np.asarray(mean), np.asarray(sd)


def column_sums(const double[:, :] values, long double[::1] out, centre, int power, weights=None):
    """``out[j]`` plus the sum over the rows, in row order, of x, x - centre[j] or
    (x - centre[j])^2 (power 0, 1, 2), in long double: a pass of :func:`mean_sd`, continued
    from ``out`` (rows in pieces: each piece's call continues the one before); each term times
    its row's weight (``weights``: None, 1). Returns out."""
    cdef long double[::1] c = np.zeros(1, dtype=np.longdouble) if centre is None else centre
    cdef const double[::1] w = None if weights is None else np.ascontiguousarray(weights, dtype=np.float64)
    with nogil:
        _column_sums(values, values.strides[0] < values.strides[1], &out[0], &c[0], power,
                     NULL if w is None else &w[0])
    return np.asarray(out)


cdef void _column_sums(const double[:, :] values, bint by_column, long double* out, const long double* centre,
                       int power, const double* w) noexcept nogil:
    """out[j] += sum over rows of x, x - centre[j] or (x - centre[j])^2 (power 0, 1, 2), each
    times its row's weight w[i] (w not NULL), in long double, in row order; by column or by row
    as the array is laid out in memory."""
    # Each power is compiled on its own, summing ``group`` columns at once (independent chains
    # of long double additions, each in its row order): as many as the x87's eight registers hold
    # with the centres, the fastest measured. Weighted, these sums are the exact ones' fallback
    # (:func:`weighted_mean_sd`: data near the ends of double's range), a column at a time.
    if w != NULL:
        _sums_of(values, by_column, out, centre, power, w, 1)
    elif power == 0:
        _sums_of(values, by_column, out, centre, 0, NULL, GROUP_0)
    elif power == 1:
        _sums_of(values, by_column, out, centre, 1, NULL, GROUP_1)
    else:
        _sums_of(values, by_column, out, centre, 2, NULL, GROUP_2)


cdef inline inlined_int _sums_of(const double[:, :] values, bint by_column, long double* out,
                                 const long double* centre, int power, const double* w, int group) noexcept nogil:
    # Data by row is taken a tile of rows at a time (each column group then reads the tile from
    # the cache, not memory): each column's sum goes on from tile to tile, still in row order.
    cdef Py_ssize_t m = values.shape[0], k = values.shape[1], i, j, lo, hi
    cdef Py_ssize_t tile = m if by_column else ROW_TILE
    cdef long double a0, a1 = 0, a2 = 0, a3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0, f = 1
    lo = 0
    while lo < m:
        hi = min(lo + tile, m)
        j = 0
        while j + group <= k:
            a0 = out[j]
            if power:  # (the centres held in registers: loading a long double is slow)
                c0 = centre[j]
            if group > 1:
                a1 = out[j + 1]
                if power:
                    c1 = centre[j + 1]
            if group > 2:
                a2 = out[j + 2]
                if power:
                    c2 = centre[j + 2]
            if group > 3:
                a3 = out[j + 3]
                if power:
                    c3 = centre[j + 3]
            for i in range(lo, hi):
                if w != NULL:  # (the weighted term: w * term, in long double)
                    f = w[i]
                    a0 += f * _term_of(values[i, j], c0, power)
                    if group > 1:
                        a1 += f * _term_of(values[i, j + 1], c1, power)
                    if group > 2:
                        a2 += f * _term_of(values[i, j + 2], c2, power)
                    if group > 3:
                        a3 += f * _term_of(values[i, j + 3], c3, power)
                else:
                    a0 += _term_of(values[i, j], c0, power)
                    if group > 1:
                        a1 += _term_of(values[i, j + 1], c1, power)
                    if group > 2:
                        a2 += _term_of(values[i, j + 2], c2, power)
                    if group > 3:
                        a3 += _term_of(values[i, j + 3], c3, power)
            out[j] = a0  # (long double in memory: exactly the register's value)
            if group > 1:
                out[j + 1] = a1
            if group > 2:
                out[j + 2] = a2
            if group > 3:
                out[j + 3] = a3
            j += group
        for j in range(j, k):
            a0, c0 = out[j], centre[j] if power else 0
            for i in range(lo, hi):
                a0 += (<long double>w[i] * _term_of(values[i, j], c0, power) if w != NULL
                       else _term_of(values[i, j], c0, power))
            out[j] = a0
        lo = hi
    return 0


cdef inline long double _term_of(double x, long double c, int power) noexcept nogil:
    cdef long double d
    if power == 0:
        return x
    d = x - c
    return d if power == 1 else d * d


def scale_columns(const double[:, :] values, const double[::1] centre, const double[::1] spread, double[:, :] out,
                  place=None):
    """``out[:, j] = (values[:, j] - centre[j]) / spread[j]``, in double, as R's scaling
    (``out`` may be ``values``); with ``place`` (:func:`weight_order`), row i of values goes
    to row ``place[i]`` of out."""
    cdef Py_ssize_t m = values.shape[0], k = values.shape[1], i, j
    cdef Py_ssize_t sv = values.strides[0] // 8, so = out.strides[0] // 8
    cdef const uint32_t[::1] to = place if place is not None else np.zeros(0, dtype=np.uint32)
    cdef double[::1] column = np.empty(m if place is not None else 0)  # (a column at a time: out may be values)
    cdef double* y
    with nogil:
        for j in range(k):
            y = &out[0, j]
            if to.shape[0] == 0:
                _scale_column(&values[0, j], sv, y, so, m, centre[j], spread[j])
                continue
            _scale_column(&values[0, j], sv, &column[0], 1, m, centre[j], spread[j])  # (scaled, then moved:
            for i in range(m):                                                          # a loop that vectorises)
                y[to[i] * so] = column[i]


cdef void _scale_column(const double* x, Py_ssize_t sx, double* y, Py_ssize_t sy, Py_ssize_t m, double c,
                        double s) noexcept nogil:
    """``y = (x - c) / s``, m values ``sx`` and ``sy`` apart (y may be x)."""
    cdef Py_ssize_t i
    if <const double*>y == x and sy == 1:  # (each a loop that vectorises: in place, or contiguous)
        for i in range(m):
            y[i] = (y[i] - c) / s
    elif sx == 1 and sy == 1:
        for i in range(m):
            y[i] = (x[i] - c) / s
    else:
        for i in range(m):
            y[i * sy] = (x[i * sx] - c) / s


def weight_order(const uint32_t[::1] whole):
    """The rows grouped by their whole weights, in increasing weight, each group in row order
    (a stable counting sort): the row at each place, the place of each row (32-bit) and the
    weights so grouped (float64); None where they are so already, or are 2^32 or more."""
    cdef Py_ssize_t m = whole.shape[0], i
    cdef bint grouped = True
    with nogil:
        for i in range(1, m):
            if whole[i] < whole[i - 1]:
                grouped = False
                break
    if grouped or m >= 2 ** 32:
        return None
    cdef int64_t[::1] start = np.zeros(int(np.max(whole)) + 2, dtype=np.int64)
    cdef int64_t[::1] order = np.empty(m, dtype=np.int64)
    cdef uint32_t[::1] place = np.empty(m, dtype=np.uint32)
    cdef double[::1] grouped_weights = np.empty(m)
    cdef Py_ssize_t f
    with nogil:
        for i in range(m):
            start[whole[i] + 1] += 1
        for i in range(1, start.shape[0]):
            start[i] += start[i - 1]
        for f in range(start.shape[0] - 1):  # (each weight's run)
            for i in range(start[f], start[f + 1]):
                grouped_weights[i] = f
        for i in range(m):
            place[i] = start[whole[i]]
            order[place[i]] = i
            start[whole[i]] += 1
    return np.asarray(order), np.asarray(place), np.asarray(grouped_weights)


# --------------------------------------------------------------------------- R's weighted mean and sd, on grids
# Weighted, each column's sums are fixed-point sums on grids (as the full gradient's, below):
# a term ``w x`` is its rounded product p plus the product's error ``fma(w, x, -p)`` (exact:
# TwoProduct), p cut on level 1 and its remainder plus that error on level 2; a term
# ``w (x - mean)^2`` is made the same way from ``x - mean`` as a double and its error (TwoSum)
# and the square's error (TwoProduct). Each term's words depend on it and on the column's grids
# alone, so the sums are the same in any order of the rows and any split into pieces (Dask's:
# :func:`add_exact`), and the vector copies below compute the same words.

from libc.math cimport fma

cdef extern from *:
    # The weighted terms' loops, compiled for AVX-512 and AVX2 with FMA (their products' errors are
    # single instructions; ``fma`` is correctly rounded wherever it runs, so the copies agree).
    """
    #if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
    #define GD_FMA_AVX512 __attribute__((target("avx512f,avx512dq,fma")))
    #define GD_FMA_AVX2 __attribute__((target("avx2,fma")))
    static int gd_runs_fma(void) { __builtin_cpu_init(); return __builtin_cpu_supports("fma"); }
    #else
    #define GD_FMA_AVX512
    #define GD_FMA_AVX2
    static int gd_runs_fma(void) { return 0; }
    #endif
    """
    ctypedef uint64_t fma_avx512_uint64 "GD_FMA_AVX512 uint64_t"
    ctypedef uint64_t fma_avx2_uint64 "GD_FMA_AVX2 uint64_t"
    ctypedef void fma_avx512_void "GD_FMA_AVX512 void"
    ctypedef void fma_avx2_void "GD_FMA_AVX2 void"
    bint gd_runs_fma() noexcept nogil

def weighted_mean_sd(sums, top, double most, double total):
    """:func:`r_mean_sd` of weighted rows from exact sums, or None where they cannot be used.

    ``top``: each column's largest magnitude, ``most``: the largest weight, ``total``: the
    weights' sum W; ``sums(grids, centre, power)`` returns the words of every column's terms
    ``w x`` (power 0) or ``w (x - centre)^2`` (2) on ``grids`` (:func:`weighted_sums` over the
    rows, however they are held: their pieces' words add up, :func:`add_exact`) and whether
    a term left its grid (a value beyond ``top`` or not finite).

    Each sum is the exact sum of its terms as rounded on its grid's level 2: within
    2^-100 of the largest term's bound for each row (R's long double sum keeps 2^-64 of its
    running sum). The mean is that sum divided by W and the variance that sum divided by
    W - 1 (as a double, as R's m - 1), each correctly rounded; the root of a variance beyond
    double's range or below its normal numbers is taken from the exact quotient. None (for
    the long double sums) where a grid would leave double's range, a term left its grid,
    or W - 1 is not above 0."""
    top = np.asarray(top, dtype=np.float64)
    divisor = total - 1.0
    if not (divisor > 0 and isfinite(total) and isfinite(most)):
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        grids = _weighted_grids(4.0 * most * top, top)  # (products below a quarter of the grid: see _weighted_term)
        if grids is None:
            return None
        acc, out = sums(grids, None, 0)
        if out:
            return None
        mean = np.array([_exact_ratio(acc[j], grids[1, j], total) for j in range(top.shape[0])])
        spread = top + np.abs(mean)  # (every |x - mean| is at most this, as rounded)
        grids = _weighted_grids(8.0 * (spread * spread) * most, spread)  # (below an eighth: with their errors)
        if grids is None:
            return None
        acc, out = sums(grids, mean, 2)
    if out:
        return None
    sd = np.empty(top.shape[0])
    for j in range(top.shape[0]):
        sd[j] = _exact_root(acc[j], grids[1, j], divisor)
    return mean, sd


def _weighted_grids(bounds, spread):
    """Levels 1 and 2 of the grids of terms up to each of ``bounds`` (2 x k), or None where one
    would leave double's range (a bound that overflows, or underflows where the column's
    ``spread`` is not 0). A column of zeros (spread 0: every term 0) has any grid."""
    cdef Py_ssize_t j, k = bounds.shape[0]
    cdef double[:, ::1] grids = np.zeros((2, k))
    cdef double size, s1
    for j in range(k):
        size = bounds[j] * MARGIN
        s1 = grid(size) if spread[j] != 0 else grid(2.0)
        if s1 == 0.0:
            return None
        grids[0, j], grids[1, j] = s1, from_word(word(s1) - SECOND)
    return np.asarray(grids)


def _exact_value(words, double s2):
    """The 192-bit count of level-2 steps of grid s2 (3 words, low first) as an exact integer
    numerator and the step's exponent."""
    count = int(words[0]) | int(words[1]) << 64 | int(words[2]) << 128
    if count >> 191:
        count -= 1 << 192
    return count, <int>(word(s2) >> EXPONENT) - 1023 - 52


def _exact_ratio(words, double s2, double divisor):
    """The exact sum of words at grid s2 divided by divisor, correctly rounded (Python's
    division of integers rounds correctly)."""
    count, step = _exact_value(words, s2)
    a, b = float(divisor).as_integer_ratio()
    return (count * b << step) / a if step >= 0 else (count * b) / (a << -step)


def _exact_root(words, double s2, double divisor):
    """The standard deviation of the sum of squares words at grid s2 over divisor: R's ``sqrt``
    of the variance rounded to double, or, where that variance is beyond double's range or
    below its normal numbers, the root of the exact quotient."""
    count, step = _exact_value(words, s2)
    a, b = float(divisor).as_integer_ratio()
    num, den = (count * b << step, a) if step >= 0 else (count * b, a << -step)
    try:
        v = num / den
    except OverflowError:
        v = INFINITY
    if isfinite(v) and (v >= 2.2250738585072014e-308 or num == 0):
        return sqrt(v)
    shift = (140 - num.bit_length() + den.bit_length()) // 2  # (a root of 70 bits, then rounded)
    scaled = (num << 2 * shift) // den if shift >= 0 else num // (den << -2 * shift)
    return math.ldexp(float(math.isqrt(scaled)), -shift)


def column_tops(const double[:, :] values):
    """max |x| of every column of a 2-D array (NaN where a column holds one), in one pass."""
    cdef Py_ssize_t m = values.shape[0], k = values.shape[1], j
    cdef uint64_t[::1] top = _aligned_words(1, k)[0]
    cdef bint direct = values.strides[0] == sizeof(double)
    cdef Py_ssize_t stride = values.strides[0] // sizeof(double)
    cdef WeightedCopy run = _weighted_copy(vector_path)
    if m and not direct and values.strides[0] % sizeof(double):
        return column_tops(np.ascontiguousarray(values))
    with nogil:
        if m and not direct and values.strides[1] == sizeof(double):  # by row: each row's columns at once
            run.row_tops(&values[0, 0], stride, k, m, &top[0])
        else:
            for j in range(k):
                top[j] = run.top(&values[0, j], stride, m) if m else 0
    return np.asarray(top)[:k].view(np.float64)


def weighted_sums(const double[:, :] values, const double[::1] weights, const double[:, :] grids, centre,
                  int power):
    """The words of every column's terms ``w x`` (power 0) or ``w (x - centre[j])^2`` (2) over
    the rows of values (any layout; ``weights`` one per row) on the column's ``grids`` (levels
    1 and 2, 2 x k): k x 3 words of 192-bit integers (:func:`add_exact` adds a piece's), and
    whether a term left its grid's binade (a value beyond the grid's bound, or not finite)."""
    cdef Py_ssize_t m = values.shape[0], k = values.shape[1], j, lo, hi
    cdef uint64_t[:, ::1] acc = np.zeros((k, 3), dtype=np.uint64)
    cdef const double[::1] c = np.zeros(k) if centre is None else np.ascontiguousarray(centre, dtype=np.float64)
    cdef bint direct = values.strides[0] == sizeof(double)  # each column's rows contiguous
    cdef Py_ssize_t stride = values.strides[0] // sizeof(double)
    cdef uint64_t out = 0
    cdef WeightedCopy run = _weighted_copy(vector_path)
    if weights.shape[0] != m:
        raise ValueError(f"{weights.shape[0]} weights for {m} rows")
    if m and not direct and values.strides[0] % sizeof(double):
        return weighted_sums(np.ascontiguousarray(values), weights, grids, centre, power)
    cdef bint by_row = not direct and values.strides[1] == sizeof(double)  # each row's columns contiguous
    cdef double[:, ::1] g = np.ascontiguousarray(grids, dtype=np.float64)
    cdef uint64_t[:, ::1] block = _aligned_words(2, k)  # (by row: each column's words)
    with nogil:
        lo = 0
        while lo < m:
            hi = min(lo + BLOCK, m)
            if by_row:
                out |= run.row_words(&values[lo, 0], stride, k, &weights[lo], hi - lo, &c[0], &g[0, 0], &g[1, 0],
                                     power, &block[0, 0], &block[1, 0])
            for j in range(k):
                if not by_row:
                    out |= run.words(&values[lo, j], stride, &weights[lo], hi - lo, c[j], g[0, j], g[1, j], power,
                                     &block[0, j], &block[1, j])
                add_block(&acc[j, 0], block[0, j], block[1, j], g[0, j], g[1, j], hi - lo)
            lo = hi
    return np.asarray(acc), out != 0


def _aligned_words(Py_ssize_t rows, Py_ssize_t k):
    """rows x (k or more) words, zeros, each row from the start of a 64-byte cache line (the
    by-row loops load and store a row's columns as vectors: one split across two lines is slow)."""
    cdef Py_ssize_t width = max((k + 7) // 8 * 8, 8)
    raw = np.zeros(rows * width + 8, dtype=np.uint64)
    start = (-raw.ctypes.data // 8) % 8
    return raw[start:start + rows * width].reshape(rows, width)


ctypedef uint64_t (*WeightedWords)(const double*, Py_ssize_t, const double*, Py_ssize_t, double, double, double,
                                   int, uint64_t*, uint64_t*) noexcept nogil
ctypedef uint64_t (*RowWords)(const double*, Py_ssize_t, Py_ssize_t, const double*, Py_ssize_t, const double*,
                              const double*, const double*, int, uint64_t*, uint64_t*) noexcept nogil
ctypedef uint64_t (*TopWord)(const double*, Py_ssize_t, Py_ssize_t) noexcept nogil
ctypedef void (*RowTops)(const double*, Py_ssize_t, Py_ssize_t, Py_ssize_t, uint64_t*) noexcept nogil

cdef struct WeightedCopy:  # a copy of the loops: a column's rows, or (by row) a row's columns at a time
    WeightedWords words
    RowWords row_words
    TopWord top
    RowTops row_tops


cdef WeightedCopy _weighted_copy(str path) noexcept:
    """The copy of the weighted loops for the vector path the block loops run (with FMA: where the
    processor has it; they all compute the same words)."""
    cdef WeightedCopy run
    if path == "avx512f" and gd_runs_fma():
        run.words, run.row_words, run.top, run.row_tops = (weighted_words_avx512, row_words_avx512, top_word_avx512,
                                                           row_tops_avx512)
    elif path == "avx2" and gd_runs_fma():
        run.words, run.row_words, run.top, run.row_tops = (weighted_words_avx2, row_words_avx2, top_word_avx2,
                                                           row_tops_avx2)
    else:
        run.words, run.row_words, run.top, run.row_tops = (weighted_words_default, row_words_default,
                                                           top_word_default, row_tops_default)
    return run


cdef fma_avx512_uint64 weighted_words_avx512(const double* x, Py_ssize_t stride, const double* w, Py_ssize_t count,
                                             double centre, double s1, double s2, int power, uint64_t* a1,
                                             uint64_t* a2) noexcept nogil:
    return _column_any(x, stride, w, count, centre, s1, s2, power, a1, a2)


cdef fma_avx2_uint64 weighted_words_avx2(const double* x, Py_ssize_t stride, const double* w, Py_ssize_t count,
                                         double centre, double s1, double s2, int power, uint64_t* a1,
                                         uint64_t* a2) noexcept nogil:
    return _column_any(x, stride, w, count, centre, s1, s2, power, a1, a2)


cdef uint64_t weighted_words_default(const double* x, Py_ssize_t stride, const double* w, Py_ssize_t count,
                                     double centre, double s1, double s2, int power, uint64_t* a1,
                                     uint64_t* a2) noexcept nogil:
    return _column_any(x, stride, w, count, centre, s1, s2, power, a1, a2)


cdef fma_avx512_uint64 row_words_avx512(const double* x, Py_ssize_t stride, Py_ssize_t k, const double* w,
                                        Py_ssize_t count, const double* c, const double* g1, const double* g2,
                                        int power, uint64_t* a1, uint64_t* a2) noexcept nogil:
    return _row_any(x, stride, k, w, count, c, g1, g2, power, a1, a2)


cdef fma_avx2_uint64 row_words_avx2(const double* x, Py_ssize_t stride, Py_ssize_t k, const double* w,
                                    Py_ssize_t count, const double* c, const double* g1, const double* g2,
                                    int power, uint64_t* a1, uint64_t* a2) noexcept nogil:
    return _row_any(x, stride, k, w, count, c, g1, g2, power, a1, a2)


cdef uint64_t row_words_default(const double* x, Py_ssize_t stride, Py_ssize_t k, const double* w,
                                Py_ssize_t count, const double* c, const double* g1, const double* g2,
                                int power, uint64_t* a1, uint64_t* a2) noexcept nogil:
    return _row_any(x, stride, k, w, count, c, g1, g2, power, a1, a2)


cdef fma_avx512_uint64 top_word_avx512(const double* x, Py_ssize_t stride, Py_ssize_t count) noexcept nogil:
    return _top_word(x, stride, count, False) if stride == 1 else _top_word(x, stride, count, True)


cdef fma_avx2_uint64 top_word_avx2(const double* x, Py_ssize_t stride, Py_ssize_t count) noexcept nogil:
    return _top_word(x, stride, count, False) if stride == 1 else _top_word(x, stride, count, True)


cdef uint64_t top_word_default(const double* x, Py_ssize_t stride, Py_ssize_t count) noexcept nogil:
    return _top_word(x, stride, count, False) if stride == 1 else _top_word(x, stride, count, True)


cdef fma_avx512_void row_tops_avx512(const double* x, Py_ssize_t stride, Py_ssize_t k, Py_ssize_t count,
                                     uint64_t* top) noexcept nogil:
    _row_tops(x, stride, k, count, top)


cdef fma_avx2_void row_tops_avx2(const double* x, Py_ssize_t stride, Py_ssize_t k, Py_ssize_t count,
                                 uint64_t* top) noexcept nogil:
    _row_tops(x, stride, k, count, top)


cdef void row_tops_default(const double* x, Py_ssize_t stride, Py_ssize_t k, Py_ssize_t count,
                           uint64_t* top) noexcept nogil:
    _row_tops(x, stride, k, count, top)


cdef inline inlined_uint64 _top_word(const double* x, Py_ssize_t stride, Py_ssize_t count,
                                     bint strided) noexcept nogil:
    """The largest word of |x| over count values ``stride`` apart: that of max |x| (the words of
    positive doubles are in their order), a NaN's above any number's."""
    cdef Py_ssize_t i
    cdef uint64_t t = 0
    for i in range(count):
        t = max(t, word(x[i * stride] if strided else x[i]) & ~(<uint64_t>1 << 63))
    return t


cdef inline inlined_int _row_tops(const double* x, Py_ssize_t stride, Py_ssize_t k, Py_ssize_t count,
                                  uint64_t* top) noexcept nogil:
    """:func:`_top_word` of each of k columns of count rows (each row's k values contiguous,
    rows ``stride`` apart) into top[j]."""
    cdef Py_ssize_t i, j
    for i in range(count):
        for j in range(k):
            top[j] = max(top[j], word(x[i * stride + j]) & ~(<uint64_t>1 << 63))
    return 0


cdef inline inlined_uint64 _column_any(const double* x, Py_ssize_t stride, const double* w, Py_ssize_t count,
                                       double centre, double s1, double s2, int power, uint64_t* a1,
                                       uint64_t* a2) noexcept nogil:
    # (each power, and contiguous or strided rows, compiled on its own)
    if stride == 1:
        return _column_words(x, 1, w, count, centre, s1, s2, 0, False, a1, a2) if power == 0 else _column_words(
            x, 1, w, count, centre, s1, s2, 2, False, a1, a2)
    return _column_words(x, stride, w, count, centre, s1, s2, 0, True, a1, a2) if power == 0 else _column_words(
        x, stride, w, count, centre, s1, s2, 2, True, a1, a2)


cdef inline inlined_uint64 _row_any(const double* x, Py_ssize_t stride, Py_ssize_t k, const double* w,
                                    Py_ssize_t count, const double* c, const double* g1, const double* g2,
                                    int power, uint64_t* a1, uint64_t* a2) noexcept nogil:
    return _row_words(x, stride, k, w, count, c, g1, g2, 0, a1, a2) if power == 0 else _row_words(
        x, stride, k, w, count, c, g1, g2, 2, a1, a2)


cdef inline inlined_uint64 _column_words(const double* x, Py_ssize_t stride, const double* w, Py_ssize_t count,
                                         double centre, double s1, double s2, int power, bint strided,
                                         uint64_t* a1, uint64_t* a2) noexcept nogil:
    """The level-1 and level-2 word sums of a column's terms over ``count`` rows (at most BLOCK;
    its values ``stride`` apart) into a1, a2; nonzero where a term left s1's binade."""
    cdef Py_ssize_t i
    cdef uint64_t b1 = 0, b2 = 0, out = 0, ws = word(s1)
    cdef double p, small, h
    for i in range(count):
        p = _weighted_term(x[i * stride] if strided else x[i], w[i], centre, power, &small)
        h = s1 + p
        b1 += word(h)
        b2 += word(s2 + ((p - (h - s1)) + small))
        out |= word(h) ^ ws
    a1[0], a2[0] = b1, b2
    return out >> EXPONENT  # the sign and exponent of every s1 + p are s1's


cdef inline inlined_uint64 _row_words(const double* x, Py_ssize_t stride, Py_ssize_t k, const double* w,
                                      Py_ssize_t count, const double* c, const double* g1, const double* g2,
                                      int power, uint64_t* a1, uint64_t* a2) noexcept nogil:
    """:func:`_column_words` of k columns at once, row after row (each row's k values contiguous,
    rows ``stride`` apart; column j's grids g1[j], g2[j]), into a1[j], a2[j]."""
    cdef Py_ssize_t i, j
    cdef uint64_t out = 0
    cdef double p, small, h
    for j in range(k):
        a1[j] = a2[j] = 0
    for i in range(count):
        for j in range(k):
            p = _weighted_term(x[i * stride + j], w[i], c[j], power, &small)
            h = g1[j] + p
            a1[j] += word(h)
            a2[j] += word(g2[j] + ((p - (h - g1[j])) + small))
            out |= word(h) ^ word(g1[j])
    return out >> EXPONENT


cdef inline double _weighted_term(double v, double w, double centre, int power, double* small) noexcept nogil:
    """The term ``w v`` (power 0) or ``w (v - centre)^2`` (2) as its rounded value p, returned,
    and the rest, ``small``: exactly w v - p (TwoProduct), or to its own rounding."""
    # On the grids of :func:`weighted_mean_sd`, power 0: |p| < 2^(e-2) (4 times the largest
    # bound), so p's remainder on level 1 (at most u/2, u = 2^(e-52) its step) plus small (at
    # most u/16) stays below u, level 2's bound. Power 2: |p| < 2^(e-3) (8 times), its error
    # at most u/32, and w times the square's error and cross term (at most 1.5 * 2^-52 of p:
    # 0.19 u): below u too.
    cdef double d, e, f, p
    if power == 0:
        p = w * v
        small[0] = fma(w, v, -p)
        return p
    d = v - centre
    e = (v - (d - (d - v))) + (-centre - (d - v))  # v - centre = d + e exactly (TwoSum)
    f = d * d
    e = fma(d, d, -f) + (2.0 * d) * e  # d^2 = f + e, to e's rounding (e^2 dropped: 2^-106 of f)
    p = w * f
    small[0] = fma(w, f, -p) + w * e
    return p


# --------------------------------------------------------------------------- exact sums on grids
# A term p with |p| < 2^(e-1) added to sigma = 1.5 * 2^e stays in sigma's binade
# [2^e, 2^(e+1)), where doubles are spaced u = 2^(e-52) apart: ``h = sigma + p`` rounds p
# to a multiple of u, the 64-bit word of h counts those multiples (its low bits), and
# ``p - (h - sigma)`` is the remainder, exactly, at most u / 2. The remainder is cut
# again on a grid 2^-51 finer (level 2), and what is left below that grid's step (at most
# 2^-104 of 2^e, where R's long double keeps 2^-64 of its running sum) is dropped. A
# block's words add up as integers; so do the blocks', in 192 bits. The sum is exact for
# the terms as cut, so it is the same in any order of the rows and any split into blocks.


cdef inline double grid(double size) noexcept nogil:
    """sigma = 1.5 * 2^e with 2^e > size, for terms below size / 2, or 0 where sigma or the
    second level's step, 2^(e-103), would leave double's normal range (or size is NaN)."""
    if not size < 2.0 ** 1020:
        return 0.0
    cdef int64_t e = <int64_t>(word(size) >> EXPONENT) - 1022  # math.frexp(size)[1], for normal sizes
    if e < -900:
        return 0.0
    return from_word(<uint64_t>(e + 1023) << EXPONENT | HALF)


cdef inline double at(const double* x, const int64_t* idx, Py_ssize_t i, bint indexed) noexcept nogil:
    """x[i], or x[idx[i]] for the rows of an index."""
    return x[idx[i]] if indexed else x[i]


cdef inline (uint64_t, uint64_t) cut(double p, double s1, double s2) noexcept nogil:
    """The words of p on the grids of sigmas s1 and s2 (the remainder of the first)."""
    cdef double h = s1 + p
    return word(h), word(s2 + (p - (h - s1)))


cdef inline void add_words(uint64_t* acc, uint64_t a0, uint64_t a1, uint64_t a2) noexcept nogil:
    """acc += a, both 192-bit two's complement integers (3 words, low first), with their carries."""
    cdef uint64_t s0 = acc[0] + a0
    cdef uint64_t c0 = s0 < a0
    cdef uint64_t s1 = acc[1] + a1
    cdef uint64_t c1 = s1 < a1
    acc[0] = s0
    acc[1] = s1 + c0
    acc[2] += a2 + c1 + (acc[1] < c0)


cdef inline void add(uint64_t* acc, int64_t v, int shift) noexcept nogil:
    """acc += v * 2^shift, acc a 192-bit two's complement integer (3 words, low first), 0 <= shift < 64."""
    cdef uint64_t sign = <uint64_t>(v >> 63)  # all ones if v < 0
    add_words(acc, <uint64_t>v << shift, <uint64_t>(v >> (64 - shift)) if shift else sign, sign)


cdef inline void add_block(uint64_t* acc, uint64_t w1, uint64_t w2, double s1, double s2,
                           Py_ssize_t rows) noexcept nogil:
    """A block's word sums at grids s1, s2 added to acc (in level-2 steps, 2^51 per level-1 step)."""
    add(acc, <int64_t>(w1 - <uint64_t>rows * word(s1)), 51)  # wraps around to the true, small count
    add(acc, <int64_t>(w2 - <uint64_t>rows * word(s2)), 0)


cdef inline void add_times(uint64_t* acc, int64_t v, uint64_t times, int shift) noexcept nogil:
    """acc += v * times * 2^shift (times < 2^32, 0 <= shift < 64): the 128-bit product, from 32-bit halves."""
    cdef uint64_t a = <uint64_t>(-v) if v < 0 else <uint64_t>v
    cdef uint64_t low = (a & ((<uint64_t>1 << 32) - 1)) * times, high = (a >> 32) * times
    cdef uint64_t p0 = low + (high << 32)
    cdef uint64_t p1 = (high >> 32) + (p0 < low)
    cdef uint64_t sign = 0
    if v < 0:  # (two's complement of the 128 bits, then all ones above them)
        p0, p1, sign = ~p0 + 1, ~p1 + (p0 == 0), ~(<uint64_t>0)
    add_words(acc, p0 << shift, (p1 << shift | p0 >> (64 - shift)) if shift else p1,
              (sign << shift | p1 >> (64 - shift)) if shift else sign)


cdef inline void add_block_times(uint64_t* acc, uint64_t w1, uint64_t w2, double s1, double s2, Py_ssize_t rows,
                                 uint64_t times) noexcept nogil:
    """:func:`add_block` of a block whose every row counts ``times`` times (a run of rows of
    one whole weight): its counts, each below 2^63, times that."""
    if times == 1:
        add_block(acc, w1, w2, s1, s2, rows)
        return
    add_times(acc, <int64_t>(w1 - <uint64_t>rows * word(s1)), times, 51)
    add_times(acc, <int64_t>(w2 - <uint64_t>rows * word(s2)), times, 0)


cdef inline uint64_t window(const uint64_t* w, Py_ssize_t s) noexcept nogil:
    """The 64 bits of the 192-bit integer w from bit s (0 <= s < 192) up, zeros above it."""
    cdef Py_ssize_t limb = s >> 6, off = s & 63
    cdef uint64_t bits = w[limb] >> off
    if off and limb < 2:
        bits |= w[limb + 1] << (64 - off)
    return bits


cdef inline bint any_below(const uint64_t* w, Py_ssize_t s) noexcept nogil:
    """Whether any bit of w below bit s is set."""
    cdef Py_ssize_t limb
    for limb in range(s >> 6):
        if w[limb]:
            return True
    return (s & 63) != 0 and (w[s >> 6] & ((<uint64_t>1 << (s & 63)) - 1)) != 0


cdef double exact_value(const uint64_t* acc, double s2) noexcept nogil:
    """acc level-2 steps of grid s2 (a 192-bit count), correctly rounded to double."""
    cdef uint64_t w[3]
    cdef uint64_t mant
    cdef Py_ssize_t limb = 2, top, drop
    cdef int step = <int>(word(s2) >> EXPONENT) - 1023 - 52  # the step's exponent (a normal number)
    cdef bint negative = (acc[2] >> 63) != 0
    w[0], w[1], w[2] = acc[0], acc[1], acc[2]
    if negative:  # the magnitude: invert and add 1
        w[0], w[1], w[2] = ~w[0], ~w[1], ~w[2]
        w[0] += 1
        if w[0] == 0:
            w[1] += 1
            if w[1] == 0:
                w[2] += 1
    while limb >= 0 and w[limb] == 0:
        limb -= 1
    if limb < 0:
        return 0.0
    top = 64 * limb + 63  # the highest set bit
    while not (w[limb] >> (top & 63)) & 1:
        top -= 1
    drop = max(top - 52, 0)  # keep the top 53 bits, round to nearest even on the rest
    mant = window(w, drop) & ((<uint64_t>1 << 53) - 1)
    if drop > 0 and window(w, drop - 1) & 1 and (mant & 1 or any_below(w, drop - 1)):
        mant += 1
    cdef double value = ldexp(<double>mant, <int>drop + step)
    return -value if negative else value


def exact_total(values):
    """``math.fsum(values)`` (their sum, correctly rounded), the same bits, in a vectorised pass:
    the values cut on the two grids of the exact sums and their words added as integers, where
    that is exact (no value is cut short: they span less than about 2^48 of the largest; no sum
    nears double's range); else math.fsum itself. Of a 1-D array (the weights' sums)."""
    cdef const double[::1] x = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    cdef Py_ssize_t m = x.shape[0], i, start, stop
    cdef double top = 0.0, s1, s2 = 0.0, h, r, q
    cdef uint64_t a1, a2, miss = 0
    cdef uint64_t acc[3]
    with nogil:
        for i in range(m):
            top = max(top, fabs(x[i]))
        s1 = grid(2.0 * top * MARGIN) if 0.0 < top < INFINITY and top * m < 2.0 ** 1000 else 0.0
        if s1 > 0.0:
            s2 = from_word(word(s1) - SECOND)
            acc[0] = acc[1] = acc[2] = 0
            start = 0
            while start < m:
                stop, a1, a2 = min(start + BLOCK, m), 0, 0
                for i in range(start, stop):
                    h = s1 + x[i]
                    r = x[i] - (h - s1)
                    q = s2 + r
                    a1 += word(h)
                    a2 += word(q)
                    miss |= word(r - (q - s2)) << 1  # (a remainder below the second grid: not exact)
                add_block(acc, a1, a2, s1, s2, stop - start)
                start = stop
    if s1 > 0.0 and miss == 0:  # (a NaN is missed too: its remainder is NaN)
        return exact_value(acc, s2)
    return math.fsum(x)


# --------------------------------------------------------------------------- the fallback: compensated sums
# Where a grid would overflow or underflow (data or theta near the ends of double's range,
# a diverged theta), the sums are compensated (TwoSum) in double, in row order. Terms
# above 2^600 are summed apart, scaled by 2^-64, so that no partial sum leaves double's
# range where R's long double sum would not.

cdef enum:
    SUM, ERR, BIG, BIG_ERR  # the rows of the fallback's table


cdef inline void two_sum(double* total, double* error, double p) noexcept nogil:
    """p added to the compensated sum (total, error) (Knuth's TwoSum)."""
    cdef double t = total[0] + p
    cdef double bp = t - total[0]
    error[0] += (total[0] - (t - bp)) + (p - bp)
    total[0] = t


cdef double compensated_value(double[:, ::1] comp, Py_ssize_t j) noexcept nogil:
    """Sum j, rounded to double as R's ``sum()`` returns its long double sum: +-inf beyond
    double's range, NaN with an inf - inf."""
    cdef double big = comp[BIG, j] * 2.0 ** 64, big_err = comp[BIG_ERR, j] * 2.0 ** 64
    cdef double total = comp[SUM, j], error = comp[ERR, j]
    two_sum(&total, &error, big)
    cdef double t = total + (error + big_err)
    return t if isfinite(t) else total  # (an infinite total makes its error NaN)

# --------------------------------------------------------------------------- the full gradient

cdef enum:
    DONE, TOO_SMALL, TOO_LOOSE, NO_GRID  # how a binned pass ended


cdef class FullGradient:
    """The mean gradient ``X'e / rows`` and mean squared residual ``e'e / rows`` of one data
    set, over any range of its rows, exact and independent of the order of the rows.

    ``cols`` is the data by column (k x m, C order): the inputs, then the output. An
    instance keeps its buffers and the last call's residual norm (the next call's guess
    for its grids), so a fit makes one and calls it every iteration.
    """

    def __cinit__(self, const double[:, ::1] cols, *args):
        self.cols = cols
        self.n, self.m = cols.shape[0], cols.shape[1]
        self.top = column_bounds(cols)
        self.rms = 0.0
        self.scratch = np.empty((2, BLOCK))
        self.grid = np.zeros((2, self.n + 1))
        self.acc = np.zeros((self.n + 1, 3), dtype=np.uint64)
        self.comp = np.zeros((4, self.n + 1))
        self.poll = new_poll()
        self.weighting, self.total, self.times = UNWEIGHTED, <double>self.m, 1

    def set_weights(self, weights, int weighting, total=None):
        """Weigh the rows (frequency weights, one per row, > 0): ``weighting`` WHOLE for whole
        weights of at most WEIGHT_BUDGET (the sums are exactly those of the data with each row
        repeated that many times), SCALED for any others (``weights`` divided by the largest
        already: each term times its weight is cut). The means divide by the weights' sum
        (``total``, where the caller has it: :func:`exact_total`'s)."""
        cdef const double[::1] w = np.ascontiguousarray(weights, dtype=np.float64)
        if w.shape[0] != self.m:
            raise ValueError(f"{w.shape[0]} weights for {self.m} rows")
        whole = np.asarray(w).astype(np.uint32) if weighting == WHOLE else np.zeros(max(self.m, 1), dtype=np.uint32)
        cdef uint32_t[::1] u = whole
        cdef uint64_t[::1] prefix = np.zeros(self.m + 1 if weighting == WHOLE else 1, dtype=np.uint64)
        cdef Py_ssize_t i
        if weighting == WHOLE:  # (the running sums, which find a block's end: see _budget_stop)
            with nogil:
                for i in range(self.m):
                    prefix[i + 1] = prefix[i] + u[i]
        cdef const int64_t[::1] runs = _runs(whole) if weighting == WHOLE else np.zeros(2, dtype=np.int64)
        self.weight_array = (np.asarray(w), whole, np.asarray(prefix), np.asarray(runs))
        self.runs, self.n_runs = &runs[0], runs.shape[0] // 2 if weighting == WHOLE else 0
        self.wd = &w[0] if self.m else NULL
        self.wu = &u[0] if self.m else NULL
        self.prefix = &prefix[0]
        self.weighting, self.times = weighting, 0
        self.total = exact_total(self.weight_array[0]) if total is None else total  # (exact: in any order)
        return self

    def __call__(self, theta, Py_ssize_t lo=0, hi=None, rows=None):
        """(gradient, loss) at theta over rows ``lo..hi-1`` (all rows by default), or over
        the rows ``rows[lo:hi]``."""
        cdef double[::1] t = np.ascontiguousarray(theta, dtype=np.float64)
        cdef double[::1] g = np.empty(self.n)
        cdef const int64_t[::1] chosen = np.asarray(rows if rows is not None else [0], dtype=np.int64)
        cdef Py_ssize_t stop = (self.m if rows is None else chosen.shape[0]) if hi is None else hi
        cdef double loss
        if t.shape[0] != self.n or not 0 <= lo < stop <= (self.m if rows is None else chosen.shape[0]):
            raise ValueError(f"theta must have {self.n} values and 0 <= lo < hi <= the number of rows")
        if rows is not None and not (0 <= np.min(chosen) and np.max(chosen) < self.m):
            raise ValueError(f"rows must lie in 0..{self.m - 1}")
        self.poll = new_poll()
        with nogil:
            loss = self.mean(&chosen[0] if rows is not None else NULL, lo, stop, &t[0], &g[0])
        return np.asarray(g), loss

    cdef double mean(self, const int64_t* rows, Py_ssize_t lo, Py_ssize_t hi, const double* theta,
                     double* g) except? -1 nogil:
        """Store the mean gradient over rows lo..hi-1 in g (over rows[lo..hi-1] where rows is
        not NULL); return the mean squared residual."""
        cdef Py_ssize_t n = self.n, j, attempt
        cdef double bound = self.top[n - 1] + fabs(theta[0]), reach = 1.0, guess, norm, t = 0.0
        cdef int status = NO_GRID
        self.rows = rows
        cdef double count = self._count(lo, hi)  # (the rows', or their weights' sum: as many repeated rows)
        for j in range(1, n):  # every |e_i| <= bound (|theta[1]| + sum |theta[j]| max|X[, j]| + max|y|),
            bound += fabs(theta[j]) * self.top[j - 1]  # every term <= bound * reach
            reach = max(reach, self.top[j - 1])
        if bound * reach * count < 2.0 ** 1000:  # else sums that may leave double's range: the fallback
            # the grids' size: an upper estimate of every |e_i|, the residuals' norm at the last
            # call (it changes little from one iteration to the next), or at first the bound
            guess = self.rms * sqrt(count) if self.rms > 0 else bound
            for attempt in range(3):
                if not 0.0 < guess < INFINITY:  # (NaN, or all residuals 0: no grid, nothing to round)
                    break
                status = self._binned(lo, hi, theta, guess)
                if status == DONE or status == NO_GRID:
                    break
                # redo: with the bound, where the guess was too small for the grids to hold every
                # term (a diverging fit); with this pass's norm where it was so large that it
                # would cost precision
                guess = bound if status == TOO_SMALL and guess < bound else sqrt(
                    exact_value(&self.acc[n, 0], self.grid[1, n])) if status == TOO_LOOSE else NAN
        if status == DONE:
            for j in range(n + 1):
                t = exact_value(&self.acc[j, 0], self.grid[1, j]) / count
                if j < n:
                    g[j] = t
        else:
            self._compensated(lo, hi, theta)
            for j in range(n + 1):
                t = compensated_value(self.comp, j) / count
                if j < n:
                    g[j] = t
        self.rms = sqrt(t) if 0.0 < t < INFINITY else 0.0
        return t

    cdef double _count(self, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
        """The rows lo..hi-1 counted: their number, or their weights' sum (SCALED: in row order,
        compensated)."""
        cdef Py_ssize_t i
        cdef double total = 0.0, error = 0.0
        if self.weighting == UNWEIGHTED:
            return <double>(hi - lo)
        if self.rows == NULL and lo == 0 and hi == self.m:
            return self.total
        for i in range(lo, hi):
            if self.weighting == WHOLE:
                total += self.wd[self.rows[i] if self.rows != NULL else i]
            else:
                two_sum(&total, &error, self.wd[self.rows[i] if self.rows != NULL else i])
        return total + error

    cdef int _binned(self, Py_ssize_t lo, Py_ssize_t hi, const double* theta, double guess) except -1 nogil:
        """The exact sums over rows lo..hi-1 on grids sized for residuals of norm ``guess``."""
        cdef Py_ssize_t n = self.n
        if not self._set_grids(guess):
            return NO_GRID
        if self._accumulate(lo, hi, theta):
            return TOO_SMALL  # (or a residual is NaN or infinite)
        cdef double norm = sqrt(exact_value(&self.acc[n, 0], self.grid[1, n]))
        return DONE if guess <= LOOSE * norm else TOO_LOOSE

    cdef bint _set_grids(self, double guess) noexcept nogil:
        """The grids (both levels) of the n + 1 sums for residuals of norm ``guess``, from the
        columns' bounds; False where one would leave double's range."""
        cdef Py_ssize_t n = self.n, j
        cdef double s = grid(4.0 * guess * MARGIN)
        if s == 0.0:
            return False
        # Every |e_i| <= |e| <= 2 guess fits the residuals' grid, whose terms reach up to
        # half its binade, ``b = 2^(e-1)``, which the other grids are sized from: where a
        # residual stays in its grid's binade (checked for every row), every term fits.
        cdef double b = from_word(word(s) & (<uint64_t>0x7FF << EXPONENT)) / 2.0
        for j in range(n + 1):
            if j == 0:
                self.grid[0, j] = s
            elif j < n:  # e * X[, j]; an all-zero column has zero terms, which fit any grid
                self.grid[0, j] = grid(2.0 * b * self.top[j - 1] * MARGIN) if self.top[j - 1] > 0 else s
            else:  # e * e
                self.grid[0, j] = grid(2.0 * b * b * MARGIN)
            if self.grid[0, j] == 0.0:
                return False
            self.grid[1, j] = from_word(word(self.grid[0, j]) - SECOND)
        return True

    cdef int _accumulate(self, Py_ssize_t lo, Py_ssize_t hi, const double* theta) except -1 nogil:
        """The sums of rows lo..hi-1 on the grids set, from zero, exactly, into ``acc``; 1
        where a residual left its grid's binade (the grids were too small), else 0."""
        cdef Py_ssize_t n = self.n, j, start = lo
        for j in range(n + 1):
            self.acc[j, 0] = self.acc[j, 1] = self.acc[j, 2] = 0
        cdef Py_ssize_t stop, run = 0
        while start < hi:
            stop = min(start + BLOCK, hi)
            if self.weighting == WHOLE:  # (a run of rows of one weight: as unweighted rows, see
                stop = _whole_block(self.runs, self.n_runs if self.rows == NULL else 0, &run, self.wu,  # Dense.scaled)
                                    self.rows, self.prefix if self.rows == NULL else NULL, start, stop, &self.times)
            if block_sums(self, start, stop, theta):
                return 1
            poll(&self.poll, (stop - start) * (n + 1))
            start = stop
        return 0

    cdef int _compensated(self, Py_ssize_t lo, Py_ssize_t hi, const double* theta) except -1 nogil:
        """The fallback: the same sums over rows lo..hi-1, compensated in double, in row order."""
        cdef Py_ssize_t i, j
        for i in range(4):
            for j in range(self.n + 1):
                self.comp[i, j] = 0.0
        return self._compensate(lo, hi, theta)

    cdef int _compensate(self, Py_ssize_t lo, Py_ssize_t hi, const double* theta) except -1 nogil:
        """Rows lo..hi-1 added, in row order, to the compensated sums in ``comp``."""
        cdef Py_ssize_t n = self.n, i, j, r
        cdef double e, p
        for i in range(lo, hi):
            r = self.rows[i] if self.rows != NULL else i
            e = residual(&self.cols[0, r], self.m, self.n, theta)
            for j in range(n + 1):  # the intercept's column of ones, the inputs, e^2
                p = e if j == 0 else e * self.cols[j - 1, r] if j < n else e * e
                if self.weighting == WHOLE:
                    p *= self.wd[r]
                elif self.weighting == SCALED:  # (as the exact sums: of h e)
                    p = e * self.wd[r] if j == 0 else (e * self.wd[r]) * self.cols[j - 1, r] if j < n else (
                        e * self.wd[r]) * e
                if fabs(p) < 2.0 ** 600:
                    two_sum(&self.comp[SUM, j], &self.comp[ERR, j], p)
                else:  # (and inf, NaN)
                    two_sum(&self.comp[BIG, j], &self.comp[BIG_ERR, j], p * 2.0 ** -64)
            poll(&self.poll, n + 1)
        return 0

    # ----------------------------------------------------------------------- a piece of the rows
    # The sums of a data set split into pieces by rows (in other processes, or machines) are
    # the sums of the pieces: each piece's exact sums on the whole data set's grids (integers,
    # merged in any order), or its compensated sums continued from the pieces before it (in
    # row order). :class:`graddescent._chunked.ChunkedGradient` drives them.

    def piece_exact(self, theta, grids, rows=None):
        """This piece's exact sums at theta on the grids ``grids`` (level 1, n + 1 of them,
        the whole data set's), over its rows ``rows`` (all: None): the (n + 1) x 3 words of
        192-bit integers, and whether a residual left its grid's binade."""
        cdef double[::1] t = np.ascontiguousarray(theta, dtype=np.float64)
        cdef double[::1] s = np.ascontiguousarray(grids, dtype=np.float64)
        cdef const int64_t[::1] chosen = np.asarray(rows if rows is not None else [0], dtype=np.int64)
        cdef Py_ssize_t j, hi = self.m if rows is None else chosen.shape[0]
        cdef int out = 0
        for j in range(self.n + 1):
            self.grid[0, j] = s[j]
            self.grid[1, j] = from_word(word(s[j]) - SECOND)
        self.rows = &chosen[0] if rows is not None else NULL
        if hi > 0:
            with nogil:
                out = self._accumulate(0, hi, &t[0])
        else:
            np.asarray(self.acc)[:] = 0
        return np.array(self.acc), bool(out)

    def piece_compensated(self, theta, comp, rows=None):
        """This piece's rows (``rows``; all: None) added in row order to the compensated sums
        ``comp`` (4 x (n + 1), of the pieces before it): the new sums."""
        cdef double[::1] t = np.ascontiguousarray(theta, dtype=np.float64)
        cdef const int64_t[::1] chosen = np.asarray(rows if rows is not None else [0], dtype=np.int64)
        cdef Py_ssize_t hi = self.m if rows is None else chosen.shape[0]
        np.asarray(self.comp)[:] = comp
        self.rows = &chosen[0] if rows is not None else NULL
        with nogil:
            self._compensate(0, hi, &t[0])
        return np.array(self.comp)


def _runs(const uint32_t[::1] whole):
    """The runs of MIN_RUN rows or more of one whole weight (``whole``, a row's each): start, stop, ..."""
    cdef Py_ssize_t m = whole.shape[0], i, start = 0, n = 0
    cdef int64_t[::1] runs = np.empty(2 * (m // MIN_RUN) + 2, dtype=np.int64)
    with nogil:
        for i in range(1, m + 1):
            if i == m or whole[i] != whole[start]:
                if i - start >= MIN_RUN:
                    runs[n], runs[n + 1] = start, i
                    n += 2
                start = i
    return np.asarray(runs[:n])


cdef inline Py_ssize_t _whole_block(const int64_t* runs, Py_ssize_t n_runs, Py_ssize_t* run, const uint32_t* wu,
                                    const int64_t* rows, const uint64_t* prefix, Py_ssize_t start, Py_ssize_t stop,
                                    uint64_t* times) noexcept nogil:
    """The end of the block of rows of whole weights from ``start`` (at most ``stop``; of ``rows``
    where not NULL): the rows of a run of one weight f (``runs``, n_runs of them, from ``run[0]``
    on, which follows), summed as unweighted rows, their counts times f (``times[0] = f``);
    else rows whose weights add up to at most WEIGHT_BUDGET (``times[0] = 0``: each row's
    words times its weight), found in their running sums ``prefix`` where given."""
    cdef uint64_t budget = 0
    cdef Py_ssize_t end = start
    while run[0] < n_runs and runs[2 * run[0] + 1] <= start:
        run[0] += 1
    if run[0] < n_runs and runs[2 * run[0]] <= start:
        times[0] = wu[start]
        return min(stop, runs[2 * run[0] + 1])
    times[0] = 0
    if run[0] < n_runs:
        stop = min(stop, runs[2 * run[0]])
    if prefix != NULL:
        return _budget_stop(prefix, start, stop)
    while end < stop:
        budget += wu[rows[end] if rows != NULL else end]
        if budget > WEIGHT_BUDGET:
            break
        end += 1
    return end


cdef inline Py_ssize_t _budget_stop(const uint64_t* prefix, Py_ssize_t start, Py_ssize_t stop) noexcept nogil:
    """The last row stop' <= stop such that rows start..stop'-1 weigh at most WEIGHT_BUDGET
    (``prefix``: the running sums of the whole weights, from 0), at least start + 1."""
    cdef Py_ssize_t lo = start + 1, hi = stop, mid
    cdef uint64_t limit = prefix[start] + WEIGHT_BUDGET
    if prefix[stop] <= limit:
        return stop
    while lo < hi:  # the largest lo with prefix[lo] <= limit
        mid = (lo + hi + 1) // 2
        if prefix[mid] <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


cdef class ChunkedGradient(FullGradient):
    """:class:`FullGradient` of a data set held in pieces elsewhere (``chunks``, a
    :class:`graddescent.chunked.Chunks`: m rows, the columns' bounds ``top``): the same
    grids, from the same guesses, and the pieces' sums merged, so the same numbers to the
    last bit, for any split of the rows. Its ``cols`` is an empty stand-in."""

    def __init__(self, const double[:, ::1] cols, chunks):
        self.chunks = chunks
        self.m = chunks.m
        self.top = np.array(chunks.top, dtype=np.float64)

    cdef int _accumulate(self, Py_ssize_t lo, Py_ssize_t hi, const double* theta) except -1 nogil:
        with gil:
            total, out = self.chunks.exact(_array(theta, self.n), np.array(self.grid[0]), _rows(self, lo, hi))
            np.asarray(self.acc)[:] = total
            return 1 if out else 0

    cdef int _compensated(self, Py_ssize_t lo, Py_ssize_t hi, const double* theta) except -1 nogil:
        with gil:
            np.asarray(self.comp)[:] = self.chunks.compensated(_array(theta, self.n), _rows(self, lo, hi))
        return 0


cdef object _array(const double* theta, Py_ssize_t n):
    return np.array(<double[:n]>theta)


cdef object _rows(FullGradient gradient, Py_ssize_t lo, Py_ssize_t hi):
    """The rows lo..hi-1 (of ``gradient.rows`` where it is set): None for all rows."""
    if gradient.rows == NULL:
        return None if lo == 0 and hi == gradient.m else np.arange(lo, hi, dtype=np.int64)
    return np.array(<int64_t[:hi]>gradient.rows)[lo:]


def add_exact(uint64_t[:, ::1] total, const uint64_t[:, ::1] piece):
    """``total += piece``, each row a 192-bit two's complement integer (3 words, low first)."""
    cdef Py_ssize_t j
    for j in range(total.shape[0]):
        add_words(&total[j, 0], piece[j, 0], piece[j, 1], piece[j, 2])


# --------------------------------------------------------------------------- the block loop, by vector width

ctypedef uint64_t (*BlockSums)(FullGradient, Py_ssize_t, Py_ssize_t, const double*) noexcept nogil


cdef avx512_uint64 block_sums_avx512(FullGradient self, Py_ssize_t start, Py_ssize_t stop,
                                     const double* theta) noexcept nogil:
    return _block_sums_any(self, start, stop, theta)


cdef avx2_uint64 block_sums_avx2(FullGradient self, Py_ssize_t start, Py_ssize_t stop,
                                 const double* theta) noexcept nogil:
    return _block_sums_any(self, start, stop, theta)


cdef uint64_t block_sums_default(FullGradient self, Py_ssize_t start, Py_ssize_t stop,
                                 const double* theta) noexcept nogil:
    return _block_sums_any(self, start, stop, theta)


ctypedef int (*GramBlock)(const double*, const double*, const int64_t*, Py_ssize_t, bint, int, int, const uint32_t*,
                         double, double, uint64_t*, uint64_t*) noexcept nogil


cdef avx512_int gram_block_avx512(const double* xa, const double* xb, const int64_t* idx, Py_ssize_t count,
                                  bint indexed, int kind, int weighting, const uint32_t* wu,
                                  double s1, double s2, uint64_t* w1, uint64_t* w2) noexcept nogil:
    return _gram_any(xa, xb, idx, count, indexed, kind, weighting, wu, s1, s2, w1, w2)


cdef avx2_int gram_block_avx2(const double* xa, const double* xb, const int64_t* idx, Py_ssize_t count,
                              bint indexed, int kind, int weighting, const uint32_t* wu,
                              double s1, double s2, uint64_t* w1, uint64_t* w2) noexcept nogil:
    return _gram_any(xa, xb, idx, count, indexed, kind, weighting, wu, s1, s2, w1, w2)


cdef int gram_block_default(const double* xa, const double* xb, const int64_t* idx, Py_ssize_t count,
                            bint indexed, int kind, int weighting, const uint32_t* wu,
                            double s1, double s2, uint64_t* w1, uint64_t* w2) noexcept nogil:
    return _gram_any(xa, xb, idx, count, indexed, kind, weighting, wu, s1, s2, w1, w2)


cdef BlockSums block_sums = block_sums_default  # the copy this process runs (set below, at load)
cdef GramBlock gram_block = gram_block_default  # (and of the Gram matrix's block loop)
cdef str vector_path = "default"


def _vector_paths():
    """The copies of the block loops this processor runs, the widest first: some of
    ``"avx512f"`` (AVX-512 F and DQ), ``"avx2"``, and ``"default"`` (every x86-64; the only one
    where the extension is not built by GCC for x86-64 Linux). Private: for the tests."""
    return [name for name, runs in (("avx512f", gd_runs_avx512()), ("avx2", gd_runs_avx2())) if runs] + ["default"]


def _use_vector_path(name):
    """Run the copy ``name`` of the block loop (one of :func:`_vector_paths`) from now on, in
    this process; returns the one run before. Private: for the tests, which run each copy
    and compare their sums bit for bit."""
    global block_sums, gram_block, vector_path
    if name not in _vector_paths():
        raise ValueError(f"vector path {name!r}: this processor runs {', '.join(_vector_paths())}")
    previous, vector_path = vector_path, name
    block_sums = (block_sums_avx512 if name == "avx512f" else block_sums_avx2 if name == "avx2"
                  else block_sums_default)
    gram_block = gram_block_avx512 if name == "avx512f" else gram_block_avx2 if name == "avx2" else gram_block_default
    return previous


# The widest copy, or the one GRADDESCENT_VECTOR_PATH names (to run a whole test suite on
# one, processes started by it included).
_chosen = os.environ.get("GRADDESCENT_VECTOR_PATH") or _vector_paths()[0]
if _chosen not in _vector_paths():
    raise ImportError(f"GRADDESCENT_VECTOR_PATH={_chosen!r}: this processor runs {', '.join(_vector_paths())}; "
                      "name one of them, or unset it")
_use_vector_path(_chosen)


cdef inline inlined_uint64 _block_sums_any(FullGradient self, Py_ssize_t start, Py_ssize_t stop,
                                           const double* theta) noexcept nogil:
    """Rows start..stop-1 (at most BLOCK; of ``self.rows`` if not NULL) added to the sums of
    ``self``. Returns 0 where every residual stayed in its grid's binade (so every term
    fitted its grid)."""
    # (each call below is compiled on its own: a range or a list of rows; one or two
    # inputs, the common case, or more, whose partial residuals are stored)
    if self.weighting == WHOLE and self.times == 0:  # (weighted: each kind compiled on its own too)
        if self.rows == NULL:
            return _block_sums(self, start, stop, theta, False, False, WHOLE) if self.n <= 3 else _block_sums(
                self, start, stop, theta, False, True, WHOLE)
        return _block_sums(self, start, stop, theta, True, False, WHOLE) if self.n <= 3 else _block_sums(
            self, start, stop, theta, True, True, WHOLE)
    if self.weighting == SCALED:
        if self.rows == NULL:
            return _block_sums(self, start, stop, theta, False, False, SCALED) if self.n <= 3 else _block_sums(
                self, start, stop, theta, False, True, SCALED)
        return _block_sums(self, start, stop, theta, True, False, SCALED) if self.n <= 3 else _block_sums(
            self, start, stop, theta, True, True, SCALED)
    if self.rows == NULL:
        return _block_sums(self, start, stop, theta, False, False, UNWEIGHTED) if self.n <= 3 else _block_sums(
            self, start, stop, theta, False, True, UNWEIGHTED)
    return _block_sums(self, start, stop, theta, True, False, UNWEIGHTED) if self.n <= 3 else _block_sums(
        self, start, stop, theta, True, True, UNWEIGHTED)


cdef inline inlined_uint64 _block_sums(FullGradient self, Py_ssize_t start, Py_ssize_t stop, const double* theta,
                                       bint indexed, bint stored, int weighting) noexcept nogil:
    cdef Py_ssize_t n = self.n, m = self.m, rows = stop - start, i, j
    cdef const int64_t* idx = self.rows + start if indexed else NULL
    cdef const double* base = &self.cols[0, 0] + (0 if indexed else start)
    # One pass computes the residuals, R's way, and the last two inputs' terms; a pass
    # for each input before them (stored: there are more than two) adds them up to there
    # first, and takes its terms from the stored residuals after.
    cdef Py_ssize_t ja = max(n - 2, 1), jb = n - 1  # with one input, it is both (theta 0 for the second)
    cdef const double* xa = base + (ja - 1) * m
    cdef const double* xb = base + (jb - 1) * m
    cdef const double* y = base + (n - 1) * m
    cdef const double* x
    cdef double t0 = theta[0], ta = theta[ja], tb = theta[jb] if n > 2 else 0.0, t, e, s1, s2
    cdef double* part = &self.scratch[0, 0]
    cdef double* res = &self.scratch[1, 0]
    cdef double sa = self.grid[0, 0], sb = self.grid[0, ja], sc = self.grid[0, jb], sd = self.grid[0, n]
    cdef double ra = self.grid[1, 0], rb = self.grid[1, ja], rc = self.grid[1, jb], rd = self.grid[1, n]
    cdef uint64_t a1 = 0, a2 = 0, b1 = 0, b2 = 0, c1 = 0, c2 = 0, d1 = 0, d2 = 0, u, v, w1, w2
    cdef uint64_t out = 0, wa = word(sa), count = 0
    cdef uint64_t times = self.times if weighting == UNWEIGHTED else 1  # (a run of rows of one whole weight)
    cdef uint32_t f = 1  # (a whole weight, at most WEIGHT_BUDGET: 32-bit products, which vectorise)
    cdef double h = 1.0
    # Weighted (``weighting``): WHOLE multiplies a row's words by its weight f, as f copies of the
    # row would add them (the words wrap around, their counts do not: the block's weights add up to
    # at most WEIGHT_BUDGET), and counts the weights; SCALED cuts each term times its weight h.
    cdef const double* wd = self.wd + (0 if indexed else start)
    cdef const uint32_t* wu = self.wu + (0 if indexed else start)
    if stored:
        for i in range(rows):
            part[i] = t0
        for j in range(1, n - 2):
            x, t = base + (j - 1) * m, theta[j]
            for i in range(rows):
                part[i] += at(x, idx, i, indexed) * t
    for i in range(rows):
        e = (((part[i] if stored else t0) + at(xa, idx, i, indexed) * ta) + at(xb, idx, i, indexed) * tb) - at(
            y, idx, i, indexed)
        if weighting == WHOLE:
            f = wu[idx[i]] if indexed else wu[i]
            count += f
        elif weighting == SCALED:  # (the terms of the weighted residual h e: h e, h e x_j, h e e)
            h = e * (wd[idx[i]] if indexed else wd[i])
        if stored:
            res[i] = h if weighting == SCALED else e
        u, v = cut(h if weighting == SCALED else e, sa, ra)
        a1 += f * u
        a2 += f * v
        out |= u ^ wa
        u, v = cut((h if weighting == SCALED else e) * at(xa, idx, i, indexed), sb, rb)
        b1 += f * u
        b2 += f * v
        u, v = cut((h if weighting == SCALED else e) * at(xb, idx, i, indexed), sc, rc)
        c1 += f * u
        c2 += f * v
        u, v = cut((h if weighting == SCALED else e) * e, sd, rd)
        d1 += f * u
        d2 += f * v
    if weighting != WHOLE:
        count = rows
    if stored and out >> EXPONENT == 0:
        for j in range(1, n - 2):
            x, s1, s2, w1, w2 = base + (j - 1) * m, self.grid[0, j], self.grid[1, j], 0, 0
            for i in range(rows):
                if weighting == WHOLE:
                    f = wu[idx[i]] if indexed else wu[i]
                u, v = cut(res[i] * at(x, idx, i, indexed), s1, s2)  # (SCALED: res holds h e)
                w1 += f * u
                w2 += f * v
            add_block_times(&self.acc[j, 0], w1, w2, s1, s2, count, times)
    add_block_times(&self.acc[0, 0], a1, a2, sa, ra, count, times)
    add_block_times(&self.acc[ja, 0], b1, b2, sb, rb, count, times)
    if n > 2:
        add_block_times(&self.acc[jb, 0], c1, c2, sc, rc, count, times)
    add_block_times(&self.acc[n, 0], d1, d2, sd, rd, count, times)
    return out >> EXPONENT  # the sign and exponent of every sa + e_i are sa's


# --------------------------------------------------------------------------- the Gram matrix

def gram_sums(const double[:, ::1] cols, const double[::1] top, rows=None, weights=None, int weighting=UNWEIGHTED):
    """The exact sums of ``X'X``, ``X = [1 | inputs]`` (for :func:`graddescent.convergence.curvature`),
    over the rows of inputs by column (``cols``, k - 1 x m), or over its rows ``rows``: entry
    (a, b), a <= b < k, on a grid sized from the whole data set's column bounds ``top``
    (k - 1 of them), as 3 words of a 192-bit integer, in the order of
    ``numpy.triu_indices(k)``; with the level-2 grids. Exact for the products as rounded, so
    the same for any split of the rows (pieces' sums add up: :func:`add_exact`). An entry
    whose products would leave double's range has grid inf (the matrix overflows); one whose
    products are all below 2^-900 or 0 has grid 0 (the entry is 0). ``weights`` (one per row of
    cols) weigh the rows as :meth:`FullGradient.set_weights` does (``weighting``): WHOLE, as
    that many copies of each row; SCALED, each product as ``(w x_a) x_b``."""
    cdef Py_ssize_t k = cols.shape[0] + 1, m = cols.shape[1], a, b, e, i, start, stop, run = 0
    cdef const int64_t[::1] chosen = np.asarray(rows if rows is not None else [0], dtype=np.int64)
    cdef bint indexed = rows is not None
    cdef Py_ssize_t total = chosen.shape[0] if indexed else m
    cdef Py_ssize_t entries = k * (k + 1) // 2
    cdef uint64_t[:, ::1] acc = np.zeros((entries, 3), dtype=np.uint64)
    cdef double[:, ::1] grids = np.zeros((2, entries))
    cdef double[::1] bound = np.ones(k)
    cdef const int64_t* idx
    cdef double s1, size
    cdef uint64_t weight, times = 1
    cdef const double[::1] wd = np.ascontiguousarray(weights if weighting != UNWEIGHTED else np.ones(1), dtype=np.float64)
    whole = np.asarray(wd).astype(np.uint32) if weighting == WHOLE else np.ones(1, dtype=np.uint32)
    cdef const uint32_t[::1] wu = whole
    cdef const int64_t[::1] runs = _runs(whole) if weighting == WHOLE and not indexed else np.zeros(2, dtype=np.int64)
    cdef Py_ssize_t n_runs = runs.shape[0] // 2 if weighting == WHOLE and not indexed else 0
    # SCALED: a block's rows of an index gathered, its column w x_a and its gathered weights
    cdef double[:, ::1] gathered = np.empty((k - 1 if weighting == SCALED and indexed else 0, BLOCK))
    cdef double[:, ::1] weighted = np.empty((2 if weighting == SCALED else 0, BLOCK))
    for a in range(1, k):
        bound[a] = top[a - 1]
    e = 0
    for a in range(k):
        for b in range(a, k):
            size = 2.0 * bound[a] * bound[b] * MARGIN
            s1 = grid(size) if size > 0 else grid(2.0)
            if s1 == 0.0:
                grids[0, e] = INFINITY if size >= 1.0 else 0.0
            else:
                grids[0, e], grids[1, e] = s1, from_word(word(s1) - SECOND)
            e += 1
    cdef Poll p_ = new_poll()
    with nogil:
        start = 0
        while start < total:
            stop = min(start + BLOCK, total)
            idx = &chosen[start] if indexed else NULL
            if weighting == SCALED and indexed:
                for i in range(stop - start):
                    weighted[1, i] = wd[idx[i]]
                    for a in range(k - 1):
                        gathered[a, i] = cols[a, idx[i]]
                _scaled_gram(gathered, 0, &weighted[1, 0], stop - start, &weighted[0, 0], grids, acc)
            elif weighting == SCALED:
                _scaled_gram(cols, start, &wd[0] + start, stop - start, &weighted[0, 0], grids, acc)
            elif weighting == WHOLE:
                # a run of rows of one weight f: as unweighted rows, their counts times f; else each
                # row's words times its weight, a block's weights adding up to at most WEIGHT_BUDGET
                stop = _whole_block(&runs[0], n_runs, &run, &wu[0], &chosen[0] if indexed else NULL, NULL, start,
                                    stop, &times)
                weight = stop - start
                if times == 0:
                    weight = 0
                    for i in range(start, stop):
                        weight += wu[chosen[i] if indexed else i]
                _gram_rows(cols, 0 if indexed else start, idx, indexed, stop - start, WHOLE if times == 0 else
                           UNWEIGHTED, &wu[0] + (0 if indexed else start), weight, max(times, 1), grids, acc)
            else:
                _gram_rows(cols, 0 if indexed else start, idx, indexed, stop - start, UNWEIGHTED, NULL, stop - start,
                           1, grids, acc)
            poll(&p_, (stop - start) * entries)
            start = stop
    return np.asarray(acc), np.asarray(grids)


cdef void _gram_rows(const double[:, ::1] cols, Py_ssize_t offset, const int64_t* idx, bint indexed, Py_ssize_t count,
                     int weighting, const uint32_t* wu, uint64_t copies, uint64_t times, const double[:, ::1] grids,
                     uint64_t[:, ::1] acc) noexcept nogil:
    """``count`` rows of cols (from ``offset``, or ``idx``'s) added to the sums of every entry of
    :func:`gram_sums`: UNWEIGHTED, ``times`` times each (a run of one whole weight); WHOLE, each
    row's words times its weight (``wu``; ``copies``: their sum)."""
    cdef Py_ssize_t k = cols.shape[0] + 1, a, b, e = 0
    cdef uint64_t w1, w2
    for a in range(k):
        for b in range(a, k):
            if 0 < grids[0, e] < INFINITY:
                gram_block(&cols[a - 1, 0] + offset if a > 0 else NULL, &cols[b - 1, 0] + offset if b > 0 else NULL,
                           idx, count, indexed, 0 if b == 0 else 1 if a == 0 else 2, weighting, wu,
                           grids[0, e], grids[1, e], &w1, &w2)
                add_block_times(&acc[e, 0], w1, w2, grids[0, e], grids[1, e], copies, times)
            e += 1


cdef void _scaled_gram(const double[:, ::1] cols, Py_ssize_t offset, const double* w, Py_ssize_t count, double* hx,
                       const double[:, ::1] grids, uint64_t[:, ::1] acc) noexcept nogil:
    """``count`` rows of cols from ``offset`` with weights w (SCALED) added to the sums of every
    entry of :func:`gram_sums`: the products (w x_a) x_b, each column w x_a made once (in hx)."""
    cdef Py_ssize_t k = cols.shape[0] + 1, a, b, i
    cdef const double* x
    _scaled_entry(acc, grids, 0, NULL, w, 1, count)  # (the sum of the weights)
    for a in range(1, k):
        x = &cols[a - 1, 0] + offset
        for i in range(count):
            hx[i] = w[i] * x[i]
        _scaled_entry(acc, grids, a, NULL, hx, 1, count)
        for b in range(a, k):
            _scaled_entry(acc, grids, a * k - a * (a - 1) // 2 + b - a, hx, &cols[b - 1, 0] + offset, 2, count)


cdef inline void _scaled_entry(uint64_t[:, ::1] acc, const double[:, ::1] grids, Py_ssize_t e, const double* xa,
                               const double* xb, int kind, Py_ssize_t count) noexcept nogil:
    cdef uint64_t w1, w2
    if 0 < grids[0, e] < INFINITY:
        gram_block(xa, xb, NULL, count, False, kind, UNWEIGHTED, NULL, grids[0, e], grids[1, e], &w1, &w2)
        add_block(&acc[e, 0], w1, w2, grids[0, e], grids[1, e], count)


cdef inline inlined_int _gram_any(const double* xa, const double* xb, const int64_t* idx, Py_ssize_t count,
                                  bint indexed, int kind, int weighting, const uint32_t* wu,
                                  double s1, double s2, uint64_t* w1, uint64_t* w2) noexcept nogil:
    """A block of an entry of :func:`gram_sums` (:func:`_gram_entry`): each kind of entry, weighting
    and choice of rows compiled on its own."""
    if weighting == WHOLE:
        if indexed:
            return _gram_kinds(xa, xb, idx, count, True, kind, WHOLE, wu, s1, s2, w1, w2)
        return _gram_kinds(xa, xb, idx, count, False, kind, WHOLE, wu, s1, s2, w1, w2)
    if indexed:
        return _gram_kinds(xa, xb, idx, count, True, kind, UNWEIGHTED, wu, s1, s2, w1, w2)
    return _gram_kinds(xa, xb, idx, count, False, kind, UNWEIGHTED, wu, s1, s2, w1, w2)


cdef inline inlined_int _gram_kinds(const double* xa, const double* xb, const int64_t* idx, Py_ssize_t count,
                                    bint indexed, int kind, int weighting, const uint32_t* wu,
                                    double s1, double s2, uint64_t* w1, uint64_t* w2) noexcept nogil:
    if kind == 0:
        return _gram_entry(xa, xb, idx, count, indexed, 0, weighting, wu, s1, s2, w1, w2)
    if kind == 1:
        return _gram_entry(xa, xb, idx, count, indexed, 1, weighting, wu, s1, s2, w1, w2)
    return _gram_entry(xa, xb, idx, count, indexed, 2, weighting, wu, s1, s2, w1, w2)


cdef inline inlined_int _gram_entry(const double* xa, const double* xb, const int64_t* idx, Py_ssize_t count,
                                    bint indexed, int kind, int weighting, const uint32_t* wu,
                                    double s1, double s2, uint64_t* w1, uint64_t* w2) noexcept nogil:
    """The words of a block's products at grids s1, s2 into w1, w2: of 1 (kind 0, the intercept's
    own), x_b (1) or x_a x_b (2) over ``count`` rows (of ``idx`` where indexed); WHOLE: each row's
    words times its weight."""
    cdef Py_ssize_t i
    cdef uint64_t a1 = 0, a2 = 0, u, v
    cdef uint32_t f = 1  # (32-bit weights: products that vectorise)
    cdef double p
    for i in range(count):
        p = 1.0 if kind == 0 else at(xb, idx, i, indexed) if kind == 1 else at(xa, idx, i, indexed) * at(
            xb, idx, i, indexed)
        if weighting == WHOLE:
            f = wu[idx[i]] if indexed else wu[i]
        u, v = cut(p, s1, s2)
        a1 += f * u
        a2 += f * v
    w1[0], w2[0] = a1, a2
    return 0


def gram_matrix(const uint64_t[:, ::1] acc, const double[:, ::1] grids, Py_ssize_t k, double count):
    """``X'X / count`` from the exact sums of :func:`gram_sums` (merged over the pieces): each
    entry correctly rounded, then divided."""
    cdef double[:, ::1] out = np.zeros((k, k))
    cdef Py_ssize_t a, b, e = 0
    cdef double value
    for a in range(k):
        for b in range(a, k):
            value = INFINITY if grids[0, e] == INFINITY else 0.0 if grids[0, e] == 0 else exact_value(
                &acc[e, 0], grids[1, e])
            out[a, b] = out[b, a] = value / count
            e += 1
    return np.asarray(out)
