# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled loops over sparse inputs (:mod:`graddescent.sparse`): compressed rows (CSR,
canonical: sorted column indices, no duplicates), the output beside them as a dense
vector, and R's scaling applied implicitly, ``(x - centre) / spread`` per input column,
without filling in the zeros.

With ``w_j = theta_j / spread_j`` and ``b = theta_0 - sum_j w_j centre_j`` a row's residual is
``b + sum_{x_ij != 0} x_ij w_j - y_i`` (the centring enters through the scalar b, a rank-one
correction), and the mean gradient's input j is ``(sum_i e_i x_ij - centre_j sum_i e_i) /
spread_j / rows``: the work of a full gradient is the non-zeros plus the rows plus the
columns. The sums run in double, in the order of the rows of the canonical matrix (so CSR
and CSC input give the same bits): deterministic, though not exact and order-free as the
dense sums of :mod:`graddescent._sums` are. Weighted rows (frequency weights, see
:mod:`graddescent.weighting`) enter these sums with each row's term times its weight, and the
single-row steps with a row's residual times its step factor ``w_i / mean(w)``.

The single-row rules that allow it step in time proportional to a row's non-zeros
(:func:`sgd_sparse`): theta is held as ``a + beta * (centre / spread)`` on the inputs
(``c_j = centre_j / spread_j``, the scaled value of a zero), so that a step, which adds
``-alpha e x~_i`` with ``x~_ij = x_ij / spread_j - c_j`` to every coefficient, changes
``a`` at the row's non-zeros and the scalar beta only; and ``a`` itself as ``scale * v``
(scikit-learn's ``WeightVector``) where a rule shrinks every coefficient (SAG's sum).
"""

from libc.math cimport isfinite, sqrt
from libc.stdint cimport int64_t
from libc.string cimport memset

import math

import numpy as np

from ._signals cimport Poll, new_poll, poll
from ._sums cimport FullGradient

cdef extern from *:
    # The rows of the steps are drawn at random: their loads are started some steps ahead (the
    # rows do not depend on theta), as in ``_kernels.pyx``: the row's bounds, then its non-zeros.
    """
    #if defined(__GNUC__)
    #define GD_PREFETCH(address) __builtin_prefetch(address)
    #else
    #define GD_PREFETCH(address) ((void)0)
    #endif
    """
    void prefetch "GD_PREFETCH"(const void* address) noexcept nogil

cdef enum:
    AHEAD = 8  # steps ahead that a row's non-zeros are fetched (its bounds twice, its number four times as far)


cdef inline void fetch_ahead(Py_ssize_t t, Py_ssize_t steps, const int64_t* perm, const int64_t* rows,
                             const int64_t* indptr, const int64_t* indices, const double* values, const double* y,
                             const double* table, const double* factors) noexcept nogil:
    """Fetch the coming steps' rows: the row number 4 AHEAD, its bounds and output (and its
    entry of SAG's ``table`` and its step factor, where there are) 2 AHEAD, its non-zeros AHEAD."""
    cdef Py_ssize_t i
    if t + 4 * AHEAD < steps:
        prefetch(&perm[rows[t + 4 * AHEAD]])
    if t + 2 * AHEAD < steps:
        i = perm[rows[t + 2 * AHEAD]]
        prefetch(&indptr[i])
        prefetch(&y[i])
        if table != NULL:
            prefetch(&table[i])
        if factors != NULL:
            prefetch(&factors[i])
    if t + AHEAD < steps:
        i = perm[rows[t + AHEAD]]
        prefetch(&indices[indptr[i]])
        prefetch(&values[indptr[i]])


cdef inline Py_ssize_t end_window(Py_ssize_t done, Py_ssize_t window, double* total, Py_ssize_t* count, double* loss,
                                  Py_ssize_t written) noexcept nogil:
    """After ``done`` steps: where a loss window ends, its mean into ``loss`` (if it had a step) and
    the window restarted. Returns the windows written."""
    if window > 0 and done % window == 0:
        if count[0] > 0:
            loss[written] = total[0] / count[0]
            written += 1
        total[0], count[0] = 0.0, 0
    return written


cdef class SparseGradient(FullGradient):
    """:class:`graddescent._sums.FullGradient`'s mean gradient and mean squared residual, of
    sparse inputs (CSR ``indptr``, ``indices``, ``values``) scaled implicitly by ``centre``
    and ``spread`` (one per input), and the output ``y`` (scaled already). Its ``cols`` is an
    empty stand-in. Weighted (:meth:`graddescent._sums.FullGradient.set_weights`): each row's
    residual times its weight as the exact sums take it, the means over the weights' sum."""

    cdef const int64_t[::1] indptr
    cdef const int64_t[::1] indices
    cdef const double[::1] values
    cdef const double[::1] y
    cdef const double[::1] centre
    cdef const double[::1] spread
    cdef double[::1] w
    cdef double[::1] sums

    def __init__(self, const double[:, ::1] cols, indptr, indices, values, y, centre, spread):
        self.indptr, self.indices, self.values, self.y = indptr, indices, values, y
        self.centre, self.spread = centre, spread
        self.m = y.shape[0]
        self.w = np.empty(self.n - 1)
        self.sums = np.empty(self.n - 1)

    cdef double mean(self, const int64_t* rows, Py_ssize_t lo, Py_ssize_t hi, const double* theta,
                     double* g) except? -1 nogil:
        cdef Py_ssize_t n = self.n, r, i, j, p, start, stop
        cdef double b = theta[0], e, h, total = 0.0, squares = 0.0
        self.rows = rows
        cdef double count = self._count(lo, hi)  # (the rows', or their weights' sum: as many repeated rows)
        cdef const double* wd = self.wd if self.weighting != 0 else NULL  # (0: unweighted)
        # (the arrays as plain pointers: the loop's loads are not redone after each store)
        cdef const int64_t* indptr = &self.indptr[0]
        cdef const int64_t* indices = &self.indices[0] if self.indices.shape[0] else NULL
        cdef const double* values = &self.values[0] if self.values.shape[0] else NULL
        cdef const double* y = &self.y[0]
        cdef double* w = &self.w[0] if n > 1 else NULL
        cdef double* sums = &self.sums[0] if n > 1 else NULL
        for j in range(n - 1):
            w[j] = theta[j + 1] / self.spread[j]
            b -= w[j] * self.centre[j]
        if n > 1:
            memset(sums, 0, (n - 1) * sizeof(double))
        if wd != NULL:  # (a weighted row: its terms times its weight; a loop of its own, the other's unchanged)
            for r in range(lo, hi):
                i = rows[r] if rows != NULL else r
                start, stop = indptr[i], indptr[i + 1]
                e = b
                for p in range(start, stop):
                    e += values[p] * w[indices[p]]
                e -= y[i]
                h = wd[i] * e
                total += h
                squares += h * e
                for p in range(start, stop):
                    sums[indices[p]] += values[p] * h
                poll(&self.poll, 2 * (stop - start) + 1)
        else:
            for r in range(lo, hi):
                i = rows[r] if rows != NULL else r
                start, stop = indptr[i], indptr[i + 1]
                e = b
                for p in range(start, stop):
                    e += values[p] * w[indices[p]]
                e -= y[i]
                total += e
                squares += e * e
                for p in range(start, stop):
                    sums[indices[p]] += values[p] * e
                poll(&self.poll, 2 * (stop - start) + 1)
        g[0] = total / count
        for j in range(n - 1):
            g[j + 1] = (self.sums[j] - self.centre[j] * total) / self.spread[j] / count
        return squares / count


def dense_rows(const int64_t[::1] indptr, const int64_t[::1] indices, const double[::1] values,
               const double[::1] y, const double[::1] centre, const double[::1] spread,
               const int64_t[::1] rows, double[:, ::1] out):
    """The rows ``rows`` as the dense scaled data would hold them, into ``out`` (by row: the
    inputs ``(x - centre) / spread``, zeros included, then the output): what the rules that
    need every coefficient at every step read, a bounded block at a time."""
    cdef Py_ssize_t k = out.shape[1], r, i, j, p
    cdef double[::1] zero = np.empty(k - 1)
    for j in range(k - 1):
        zero[j] = (0.0 - centre[j]) / spread[j]  # (the dense scaling's own arithmetic)
    with nogil:
        for r in range(rows.shape[0]):
            i = rows[r]
            for j in range(k - 1):
                out[r, j] = zero[j]
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                out[r, j] = (values[p] - centre[j]) / spread[j]
            out[r, k - 1] = y[i]
    return np.asarray(out)


def squared_residuals(const int64_t[::1] indptr, const int64_t[::1] indices, const double[::1] values,
                      const double[::1] y, const double[::1] centre, const double[::1] spread,
                      const double[::1] theta, const double[::1] weights=None):
    """The sum of squared residuals of theta over all rows, in row order; each times its row's
    weight (``weights``: None, 1)."""
    cdef Py_ssize_t n = theta.shape[0], m = y.shape[0], i, j, p
    cdef const double* wt = NULL
    if weights is not None:
        wt = &weights[0]
    cdef double[::1] w = np.empty(n - 1)
    cdef double b = theta[0], e, total = 0.0
    for j in range(n - 1):
        w[j] = theta[j + 1] / spread[j]
        b -= w[j] * centre[j]
    with nogil:
        for i in range(m):
            e = b
            for p in range(indptr[i], indptr[i + 1]):
                e += values[p] * w[indices[p]]
            e -= y[i]
            total += e * e if wt == NULL else wt[i] * e * e
    return total


def row_norms(const int64_t[::1] indptr, const int64_t[::1] indices, const double[::1] values,
              const double[::1] centre, const double[::1] spread):
    """``|x~_i|^2`` of every row's scaled inputs: the zeros' squares, ``sum_j (centre_j /
    spread_j)^2``, corrected at the row's non-zeros."""
    cdef Py_ssize_t k = centre.shape[0], m = indptr.shape[0] - 1, i, j, p
    cdef double base = 0.0, z, v
    cdef double[::1] out = np.empty(m)
    cdef double[::1] zero = np.empty(k)
    for j in range(k):
        zero[j] = (0.0 - centre[j]) / spread[j]
        base += zero[j] * zero[j]
    with nogil:
        for i in range(m):
            z = base
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                v = (values[p] - centre[j]) / spread[j]
                z += v * v - zero[j] * zero[j]
            out[i] = z
    return np.asarray(out)


def column_sums(const int64_t[::1] indptr, const int64_t[::1] rows, const double[::1] values, Py_ssize_t m,
                long double[::1] out, centre, int power, bint in_order, const double[::1] weights=None):
    """A pass of :func:`graddescent._sums.mean_sd` (R's mean and sd) over sparse columns (CSC:
    ``indptr``, row numbers ``rows``, ``values``): ``out[j]`` plus the sum over the m rows of
    x, x - centre[j] or (x - centre[j])^2 (power 0, 1, 2), in long double. ``in_order``: in
    the order of the rows, a zero's term where R adds it (R's numbers to the bit; work m per
    column); else each column's zeros' terms at once, ``(m - nnz) term(0)`` (its rounding).

    With ``weights`` (one per row) each term is times its row's weight, as
    :func:`graddescent._sums.column_sums` weighs the dense rows (in order: the same numbers);
    the zeros' terms at once are times the weights' sum over the column's zero rows."""
    cdef Py_ssize_t k = indptr.shape[0] - 1, i, j, p
    cdef long double[::1] c = np.zeros(max(k, 1), dtype=np.longdouble) if centre is None else centre
    cdef long double acc, zero, d, zeros
    cdef const double* w = NULL
    if weights is not None:
        w = &weights[0]
    cdef long double all_weights = 0.0
    if w != NULL and not in_order and power > 0:  # (the zeros' terms at once: their weights' sums)
        all_weights = math.fsum(weights)
    with nogil:
        for j in range(k):
            d = 0.0 - c[j]
            zero = 0.0 if power == 0 else d if power == 1 else d * d
            acc = out[j]
            if in_order and power > 0:
                i = 0
                for p in range(indptr[j], indptr[j + 1]):
                    while i < rows[p]:
                        acc += zero if w == NULL else <long double>w[i] * zero
                        i += 1
                    d = values[p] - c[j]
                    d = d if power == 1 else d * d
                    acc += d if w == NULL else <long double>w[i] * d
                    i += 1
                while i < m:
                    acc += zero if w == NULL else <long double>w[i] * zero
                    i += 1
            else:  # (power 0: a zero adds nothing, in any order)
                if w == NULL:
                    acc += (m - (indptr[j + 1] - indptr[j])) * zero
                elif power > 0:  # (the zero rows' weights: all of them less the non-zeros')
                    zeros = all_weights
                    for p in range(indptr[j], indptr[j + 1]):
                        zeros -= w[rows[p]]
                    acc += zeros * zero
                for p in range(indptr[j], indptr[j + 1]):
                    d = values[p] - c[j]
                    d = values[p] if power == 0 else d if power == 1 else d * d
                    acc += d if w == NULL else <long double>w[rows[p]] * d
            out[j] = acc
    return np.asarray(out)


def deltas(const int64_t[::1] indices, const double[::1] values, const double[::1] centre, const double[::1] spread):
    """Each non-zero's scaled value less a zero's, ``(x - centre) / spread - (0 - centre) / spread``
    (as the dense scaling rounds each): what :func:`sgd` reads, made once a fit."""
    cdef Py_ssize_t p, j
    cdef double[::1] out = np.empty(values.shape[0])
    with nogil:
        for p in range(values.shape[0]):
            j = indices[p]
            out[p] = (values[p] - centre[j]) / spread[j] - (0.0 - centre[j]) / spread[j]
    return np.asarray(out)


def sgd(const int64_t[::1] indptr, const int64_t[::1] indices, const double[::1] values, const double[::1] y,
        const double[::1] centre, const double[::1] spread, double[::1] theta, const int64_t[::1] perm,
        const int64_t[::1] rows, const int64_t[::1] update, double alpha, Py_ssize_t window, double[::1] loss,
        double[::1] carry, Py_ssize_t offset=0, double[::1] mean=None, Py_ssize_t averaged=0,
        Py_ssize_t average_from=-1, const double[::1] factors=None):
    """R's SGD (and SAGD's, skipping the steps whose ``update`` coin is 0) on sparse rows
    (``values``: each non-zero's :func:`deltas`), in time proportional to each row's
    non-zeros: :func:`graddescent._kernels.single_row`'s steps, loss windows, ``carry`` and
    running average of the iterates (``mean``, over ``averaged`` of them, from step
    ``average_from`` on), without a path, up to rounding. Returns the loss windows written
    and the count of iterates averaged.

    theta's inputs are held as ``a + beta z``, ``z_j = (0 - centre_j) / spread_j`` (a zero's
    scaled value): a step ``theta -= alpha e x~`` with ``x~ = z + sum_nz (x~_ij - z_j) e_j``
    moves beta and ``a`` at the row's non-zeros; ``A = a . z`` and ``|z|^2`` give the dense
    part of each residual. Every ``n`` steps beta is folded into ``a`` (O(n), so O(1) a step):
    a and beta z grow apart no further than that, and A is summed afresh.

    The average is kept lazily too, as scikit-learn's averaged SGD keeps it: the sum of the
    iterates since the call began is ``SA + B z`` (B the sum of beta over them), where
    ``SA_j`` holds ``a_j`` times the iterates it stood for, brought up to date only when
    ``a_j`` changes (at the row's non-zeros, and at a fold); the call ends by adding the sum
    to the running average.

    ``factors`` (weighted data): each row's step factor ``w_i / mean(w)``, by which its residual
    is multiplied (and its squared residual in the loss record), as in the dense kernel."""
    cdef Py_ssize_t n = theta.shape[0], steps = rows.shape[0], t, j, p, i, written = 0, since = 0
    cdef const double* f = NULL
    if factors is not None:
        f = &factors[0]
    cdef Py_ssize_t count = <Py_ssize_t>carry[1], done
    cdef bint always = update.shape[0] == 0
    cdef double total = carry[0], e, g, d, beta = 0.0, A = 0.0, Z2 = 0.0, theta0 = theta[0]
    cdef double[::1] z = np.empty(n - 1), a = np.array(theta[1:])
    cdef bint averaging = mean is not None and average_from >= 0
    cdef double[::1] sa = np.zeros(n - 1)
    cdef int64_t[::1] last = np.zeros(n - 1, dtype=np.int64)
    cdef Py_ssize_t N = 0  # the iterates averaged in this call
    cdef double B = 0.0, S0 = 0.0
    cdef Poll p_ = new_poll()
    for j in range(n - 1):
        z[j] = (0.0 - centre[j]) / spread[j]
        A += a[j] * z[j]
        Z2 += z[j] * z[j]
    with nogil:
        for t in range(steps):
            fetch_ahead(t, steps, &perm[0], &rows[0], &indptr[0], &indices[0], &values[0], &y[0], NULL, f)
            if always or update[t]:
                i = perm[rows[t]]
                e = theta0 + A + beta * Z2
                for p in range(indptr[i], indptr[i + 1]):
                    j = indices[p]
                    e += (a[j] + beta * z[j]) * values[p]
                e -= y[i]
                if f == NULL:
                    total += e * e
                else:  # (a weighted row: its gradient times its factor, its loss term too)
                    total += f[i] * e * e
                    e *= f[i]
                g = alpha * e
                theta0 -= g
                beta -= g
                for p in range(indptr[i], indptr[i + 1]):
                    j = indices[p]
                    if averaging:  # (a_j's value so far, over the iterates it stood for)
                        sa[j] += a[j] * (N - last[j])
                        last[j] = N
                    d = g * values[p]
                    a[j] -= d
                    A -= d * z[j]
                count += 1
                since += 1
                if since >= n:  # (fold beta into a)
                    A = 0.0
                    for j in range(n - 1):
                        if averaging:
                            sa[j] += a[j] * (N - last[j])
                            last[j] = N
                        a[j] += beta * z[j]
                        A += a[j] * z[j]
                    beta, since = 0.0, 0
            done = offset + t + 1
            if averaging and average_from < done:  # (the iterate after this step, into the sums)
                N += 1
                B += beta
                S0 += theta0
            written = end_window(done, window, &total, &count, &loss[0], written)
            poll(&p_, 8)
    theta[0] = theta0
    for j in range(n - 1):
        theta[j + 1] = a[j] + beta * z[j]
    if averaging and N > 0:
        mean[0] = (mean[0] * averaged + S0) / (averaged + N)
        for j in range(n - 1):
            mean[j + 1] = (mean[j + 1] * averaged + (sa[j] + a[j] * (N - last[j]) + B * z[j])) / (averaged + N)
        averaged += N
    carry[0], carry[1] = total, count
    return written, averaged


def sag(const int64_t[::1] indptr, const int64_t[::1] indices, const double[::1] values, const double[::1] y,
        const double[::1] centre, const double[::1] spread, double[::1] theta, const int64_t[::1] perm,
        const int64_t[::1] rows, const int64_t[::1] update, double alpha, Py_ssize_t window, double[::1] loss,
        double[::1] carry, double[::1] d, double[::1] table, Py_ssize_t offset=0, const double[::1] factors=None):
    """SAG (``variant="textbook"`` of SAGD: :func:`graddescent._kernels.single_row`'s, up to
    rounding, without averaging or a path) on sparse rows (``values``: :func:`deltas`), in time
    proportional to each row's non-zeros: ``d`` is the sum of every row's last gradient (its
    residual in ``table``), and theta moves by ``alpha / rows * d`` at every step.

    As scikit-learn's SAG does, each coefficient is brought up to date only where a row reads
    it (just in time): between two such steps its part of d is constant but for the centring,
    ``d_j = D_j + G z_j`` (``z_j`` a zero's scaled value, G the residuals' sum), so that its
    steps add up to ``D_j`` times their number plus ``z_j`` times the sum of G over them (a
    running sum, CG). The residual's dense part, ``T = theta . z``, moves by ``step (D . z + G
    |z|^2)`` a step. Every n steps all coefficients are brought up to date and the sums
    restarted (O(n), so O(1) a step).

    ``factors`` (weighted data): each row's step factor ``w_i / mean(w)``, by which its residual
    is multiplied before it enters the table (its squared residual in the loss record), as in
    the dense kernel."""
    cdef Py_ssize_t n = theta.shape[0], steps = rows.shape[0], t, j, p, i, written = 0, since = 0
    cdef const double* f = NULL
    if factors is not None:
        f = &factors[0]
    cdef Py_ssize_t count = <Py_ssize_t>carry[1], done
    cdef bint always = update.shape[0] == 0
    cdef double step = alpha / table.shape[0], total = carry[0], e, delta, v
    cdef double G = 0.0, CG = 0.0, T = 0.0, DZ = 0.0, Z2 = 0.0
    cdef double[::1] z = np.empty(n - 1), cg = np.zeros(n - 1)
    cdef int64_t[::1] last = np.zeros(n - 1, dtype=np.int64)
    cdef Py_ssize_t now = 0  # the steps taken in this call (each coefficient is up to date at last[j])
    cdef Poll p_ = new_poll()
    for j in range(n - 1):
        z[j] = (0.0 - centre[j]) / spread[j]
        T += theta[j + 1] * z[j]
        DZ += d[j + 1] * z[j]
        Z2 += z[j] * z[j]
    with nogil:
        for t in range(steps):
            fetch_ahead(t, steps, &perm[0], &rows[0], &indptr[0], &indices[0], &values[0], &y[0], &table[0], f)
            if always or update[t]:
                i = perm[rows[t]]
                e = theta[0] + T
                for p in range(indptr[i], indptr[i + 1]):
                    j = indices[p]
                    # (just in time: the steps since last[j], each by D_j and its G)
                    theta[j + 1] -= step * (d[j + 1] * (now - last[j]) + z[j] * (CG - cg[j]))
                    last[j], cg[j] = now, CG
                    e += theta[j + 1] * values[p]
                e -= y[i]
                if f == NULL:
                    total += e * e
                else:  # (a weighted row: its gradient times its factor, its loss term too)
                    total += f[i] * e * e
                    e *= f[i]
                delta = e - table[i]
                table[i] = e
                d[0] += delta
                G += delta
                for p in range(indptr[i], indptr[i + 1]):
                    j = indices[p]
                    v = delta * values[p]
                    d[j + 1] += v
                    DZ += v * z[j]
                theta[0] -= step * d[0]
                T -= step * (DZ + G * Z2)
                now += 1
                CG += G
                count += 1
                since += 1
                if since >= n:  # (every coefficient up to date, the sums restarted)
                    T, DZ = 0.0, 0.0
                    for j in range(n - 1):
                        theta[j + 1] -= step * (d[j + 1] * (now - last[j]) + z[j] * (CG - cg[j]))
                        d[j + 1] += G * z[j]
                        last[j], cg[j] = now, 0.0
                        T += theta[j + 1] * z[j]
                        DZ += d[j + 1] * z[j]
                    G, CG, since = 0.0, 0.0, 0
            done = offset + t + 1
            written = end_window(done, window, &total, &count, &loss[0], written)
            poll(&p_, 8)
    for j in range(n - 1):
        theta[j + 1] -= step * (d[j + 1] * (now - last[j]) + z[j] * (CG - cg[j]))
        d[j + 1] += G * z[j]
    carry[0], carry[1] = total, count
    return written
