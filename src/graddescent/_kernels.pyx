# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The update rules of the 14 methods and their three drivers, compiled.

Plain loops over float arrays, with the intercept's column of ones implicit and R's
shuffle applied through row indices. The single-row methods read the data by row
(``data``: m rows, the inputs then the output); the full-batch and variance-reduced
methods read it by column (``cols``: the transpose), which is how their full gradients
(:class:`graddescent._sums.FullGradient`) run down it. The arithmetic follows R's order
on purpose, because R's own rounding is part of its numbers: each rule below is R's
expression, evaluated left to right as R evaluates it, and the extension is compiled
without fused multiply-add or fast-math (``setup.py``). Where R departs from the
published rule, the departure is kept and marked "R's".

Beyond R, each method that departs from the published rule also has that rule (its
``variant="textbook"``), a few lines under its own name right after R's (``_adagrad`` then
``_adagrad_textbook``), run by the same driver. Methods are chosen by the small integer
codes below. The loops run without the GIL and handle Ctrl-C every millisecond or so
(``_signals.pxd``).
"""

from libc.math cimport INFINITY, NAN, fabs, fmax, isfinite, pow, sqrt
from libc.stdint cimport int64_t, uint32_t
from libc.string cimport memcpy

import numpy as np

from ._rrandom cimport bits, rbits
from ._signals cimport Poll, new_poll, poll
from ._sums cimport FullGradient, residual

cdef extern from *:
    # Rows drawn at random from data larger than the caches: their loads are started some
    # steps ahead (the rows do not depend on theta), so that the memory's latency overlaps
    # the arithmetic of the steps before.
    """
    #if defined(__GNUC__)
    #define GD_PREFETCH(address) __builtin_prefetch(address)
    #else
    #define GD_PREFETCH(address) ((void)0)
    #endif
    """
    void prefetch "GD_PREFETCH"(const void* address) noexcept nogil

cdef enum:
    AHEAD = 16  # steps ahead that a row is fetched (its index in perm twice as far ahead)

cpdef enum FullBatch:
    GD = 0
    MGD = 1
    AGD = 2
    AGD_TEXTBOOK = 3

cpdef enum SingleRow:
    SGD = 0
    ADAGRAD = 1
    ADADELTA = 2
    RMSPROP = 3
    ADAM = 4
    ADAGRAD_TEXTBOOK = 5
    ADADELTA_TEXTBOOK = 6
    RMSPROP_TEXTBOOK = 7
    ADAM_TEXTBOOK = 8
    AMSGRAD = 9
    SAG = 10

cpdef enum VarianceReduced:  # SARAHPlus is SARAH with gammaS > 0
    SVRG = 0
    SSGD = 1
    SARAH = 2
    SSGD_TEXTBOOK = 3  # S2GD
    SARAHPLUS_TEXTBOOK = 4

cdef inline void prefetch_row(const double* cols, Py_ssize_t m, Py_ssize_t n, const int64_t* perm,
                              const int64_t* rows, Py_ssize_t k, Py_ssize_t count, const double* f) noexcept nogil:
    """Start loading, from data stored by column, the row that inner step k + AHEAD reads (and
    its factor, ``f`` not NULL)."""
    cdef Py_ssize_t j
    if k + AHEAD < count:
        for j in range(n):
            prefetch(cols + perm[rows[k + AHEAD]] + j * m)
        if f != NULL:
            prefetch(f + perm[rows[k + AHEAD]])


cdef inline bint stop_after(double* state, double loss, double tol, Py_ssize_t patience,
                            double halfway=NAN) noexcept nogil:
    """The stopping rule, beyond R (tol >= 0; with tol < 0 the fit runs its iterations, as R's),
    judged at the end of each pass from its loss, over the last two windows of ``patience``
    passes (so that the noise of a stochastic descent averages out). A pass finds the fit
    *settled* when the loss fell no further over the last window (by more than rounding,
    1e-12 of it) and is within ``tol`` of its lowest; or when it still falls, but slower than
    over the window before (by r < 1 times its decrease d), and what is left to gain at that
    rate, ``d r / (1 - r)`` (at least d), is at most ``tol`` times the loss. A running
    average of the iterates carries its early iterates along: its loss falls slowly, as 1/P
    after P passes of averaging, by steps the noise of a few passes can hide. For it the
    caller gives ``halfway``, the loss at P/2, and a pass is settled only if the loss fell by
    at most ``tol`` times the loss since then (on a 1/P tail, that fall is what is left to
    gain). The fit stops once
    ``patience`` passes in a row find it settled, or when a loss is not finite. A slow but
    steady descent goes on, where a rule on the decrease alone would stop it far from the
    optimum; a loss that climbs, or jumps about by more than ``tol``, has not settled.
    ``state`` is (passes seen, lowest loss, passes settled in a row, then the losses of the
    last ``2 patience + 1`` passes): see :func:`rule_state`."""
    cdef Py_ssize_t seen = <Py_ssize_t>state[0], width = 2 * patience + 1
    cdef double now = loss, middle, first, d, earlier, r
    cdef bint settled = False
    if tol < 0:
        return False
    if not isfinite(loss):
        return True
    state[3 + seen % width] = loss
    state[0], state[1] = seen + 1, min(state[1], loss)
    if seen + 1 >= width:
        middle, first = state[3 + (seen - patience) % width], state[3 + (seen - 2 * patience) % width]
        d, earlier = middle - now, first - middle
        if d <= 1e-12 * now:  # no decrease over the last window
            settled = now <= state[1] * (1 + tol)
        elif d < earlier:  # a decrease, slower than the window before
            r = d / earlier
            settled = d * max(r / (1 - r), 1.0) <= tol * now
        if isfinite(halfway):
            settled = settled and halfway - now <= tol * now
    state[2] = state[2] + 1 if settled else 0
    return state[2] >= patience


cdef inline double gap(const double* theta, const double* target, const double* weights, Py_ssize_t n) noexcept nogil:
    """``max_j weights_j |theta_j - target_j|``, the certificate's measure of theta
    (:mod:`graddescent.certificate`); inf where theta is not finite."""
    cdef double out = 0.0, d
    cdef Py_ssize_t j
    for j in range(n):
        d = weights[j] * fabs(theta[j] - target[j])
        if not isfinite(d):
            return INFINITY
        out = fmax(out, d)
    return out


def rule_state(Py_ssize_t patience):
    """A new state for :func:`stop_after`."""
    state = np.zeros(2 * patience + 4)
    state[1] = INFINITY
    return state


cdef inline double x_(const double* row, Py_ssize_t stride, Py_ssize_t j) noexcept nogil:
    """Feature j of a data row (its values ``stride`` apart): R's column of ones for the
    intercept (j = 0), then the inputs."""
    return 1.0 if j == 0 else row[(j - 1) * stride]

# --------------------------------------------------------------------------- full batch rules
# Each updates theta (and v) in place from the mean gradient g.

cdef inline void _gd(double* theta, double* v, const double* g, Py_ssize_t n, double alpha,
                     double momentum) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(n):
        theta[j] -= alpha * g[j]


cdef inline void _mgd(double* theta, double* v, const double* g, Py_ssize_t n, double alpha,
                      double momentum) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(n):
        v[j] = momentum * v[j] + alpha * g[j]
        theta[j] -= v[j]


cdef inline void _agd_look_ahead(double* theta, const double* v, Py_ssize_t n, double momentum) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(n):  # then the gradient there, and _mgd's step from there
        theta[j] -= momentum * v[j]  # R's: the look-ahead point is kept in theta, not only evaluated


cdef inline void _agd_textbook(double* theta, double* v, const double* g, Py_ssize_t n, double alpha,
                               double momentum) noexcept nogil:
    """Nesterov momentum as torch.optim.SGD(nesterov=True, dampening=0): the gradient at
    theta itself, ``b = momentum b + g; theta -= alpha (g + momentum b)``."""
    cdef Py_ssize_t j
    for j in range(n):
        v[j] = momentum * v[j] + g[j]
        theta[j] -= alpha * (g[j] + momentum * v[j])


def full_batch(int kind, FullGradient gradient, double[::1] theta, double alpha, Py_ssize_t maxIter,
               double momentum, const int64_t[::1] batches, const int64_t[::1] starts, double[::1] loss,
               double tol=-1, Py_ssize_t patience=1, double[::1] mean=None, double[:, ::1] path=None,
               Py_ssize_t every=1, const double[::1] target=None, const double[::1] weights=None,
               double threshold=0.0):
    """GD, MBGD, MGD and AGD (R's, or ``AGD_TEXTBOOK``): iteration t (from 0) takes the mean gradient over all rows,
    or, for MBGD, over batch ``b = t mod nBatch``: the data rows
    ``batches[starts[b]:starts[b + 1]]`` (nBatch is ``len(starts) - 1``, 0 for all rows).
    loss[t] is iteration t's batch MSE. ``gradient`` gives the data's full gradients, wherever
    the data is (:mod:`graddescent.data`). Updates theta in place.

    A pass is one iteration, or nBatch for MBGD (its loss the batches' mean squared
    residual over all their rows); with ``tol >= 0`` the fit stops by :func:`stop_after`.
    Beyond R, ``mean`` (MBGD) takes the running average of the iterates: without a stopping
    rule, after the first pass; with one, once the passes' loss is at its floor, by
    scikit-learn's rule (``patience`` passes in a row none lower than the lowest by ``tol``
    of it), or half-way through maxIter; the stopping rule then judges the average's loss
    over all rows. ``target`` (beyond R): the certificate of the coefficients
    (:mod:`graddescent.certificate`), checked at the end of each pass on what the fit returns:
    the fit stops, certified, once ``max_j weights_j |theta_j - target_j| <= threshold`` (and
    stops where theta is no longer finite). Returns the iterations run, whether the stopping
    rule ended the fit, how many iterates were averaged, and whether the certificate did.
    ``path`` (beyond R, for teaching): after every ``every`` iterations, at row
    ``(t + 1) / every``, what the fit returns if it stops there.
    """
    cdef Py_ssize_t n = theta.shape[0], m = gradient.m, nBatch = starts.shape[0] - 1, t, b = 0, lo = 0, hi = m
    cdef Py_ssize_t j, averaged = 0, done, since = -1, stale = 0, per_pass = max(nBatch, 1)
    cdef const int64_t* rows = &batches[0] if nBatch > 0 else NULL
    cdef double[::1] v = np.zeros(n), g = np.zeros(n), h = np.zeros(n)
    cdef double[::1] state = rule_state(patience)
    cdef double total = 0.0, counted = 0.0, judged, lowest = INFINITY
    cdef bint stopped = False, average = mean is not None, rule = tol >= 0, certify = target is not None
    cdef bint certified = False
    cdef double measured
    cdef double[::1] passes = np.empty(maxIter // per_pass + 1 if average and rule else 0)
    cdef bint recording = path is not None
    if recording and (path.shape[1] != n or path.shape[0] <= maxIter // every):
        raise ValueError(f"the path needs {maxIter // every + 1} rows of {n}")
    with nogil:
        for t in range(maxIter):
            if nBatch > 0:
                b = t % nBatch
                lo, hi = starts[b], starts[b + 1]
            if kind == AGD:
                _agd_look_ahead(&theta[0], &v[0], n, momentum)
            loss[t] = gradient.mean(rows, lo, hi, &theta[0], &g[0])
            if kind == GD:
                _gd(&theta[0], &v[0], &g[0], n, alpha, momentum)
            elif kind == AGD_TEXTBOOK:
                _agd_textbook(&theta[0], &v[0], &g[0], n, alpha, momentum)
            else:
                _mgd(&theta[0], &v[0], &g[0], n, alpha, momentum)
            if average and (since >= 0 if rule else t + 1 >= per_pass):  # Polyak-Ruppert averaging (beyond R)
                averaged += 1
                for j in range(n):
                    mean[j] += (theta[j] - mean[j]) / averaged
            if recording and (t + 1) % every == 0:
                memcpy(&path[(t + 1) // every, 0], &mean[0] if averaged > 0 else &theta[0], n * sizeof(double))
            total, counted = total + loss[t] * (hi - lo), counted + (hi - lo)
            if b + 1 >= nBatch:  # the end of a pass
                judged, done = total / counted, (t + 1) // per_pass
                total, counted = 0.0, 0.0
                if not (average and rule):
                    stopped = stop_after(&state[0], judged, tol, patience)
                elif since < 0:  # the passes' loss, until it is at its floor
                    stale = 0 if judged < lowest * (1 - tol) else stale + 1
                    lowest = min(lowest, judged)
                    if stale >= patience or 2 * (t + 1) >= maxIter:
                        since = done
                    stopped = not isfinite(judged)
                else:  # the average's, judged with its loss half-way back
                    judged = gradient.mean(NULL, 0, m, &mean[0], &h[0])
                    passes[done - 1] = judged
                    stopped = stop_after(&state[0], judged, tol, patience, passes[since + (done - since) // 2])
                if certify:
                    measured = gap(&mean[0] if averaged > 0 else &theta[0], &target[0], &weights[0], n)
                    certified = measured <= threshold
                    if certified or not isfinite(measured):
                        stopped = certified
                        break
                if stopped:
                    break
    return (t + 1 if maxIter > 0 else 0), stopped and isfinite(judged) and not certified, averaged, certified


# --------------------------------------------------------------------------- single row rules
# Each updates theta in place from data row x and its residual e (the row's gradient is
# e x, R's scale); s holds R's scalar accumulators, u ADADELTA's per-column last updates.
# The published rules keep one accumulator per coefficient instead (a, b, c: n each, rows
# of single_row's ``state``); Adam's count its steps in s[0]. Where ``rate`` is not NULL
# (a path recorded for teaching), each also writes there the step it gave each coefficient:
# the factor of its gradient component (of its first moment, for Adam) in the update.

cdef inline void _sgd(double* theta, Py_ssize_t n, double e, const double* x, double* s, double* u,
                      double alpha, double momentum, double* rate) noexcept nogil:
    cdef Py_ssize_t j
    for j in range(n):
        theta[j] -= alpha * (e * x_(x, 1, j))
        if rate != NULL:
            rate[j] = alpha


cdef inline void _adagrad(double* theta, Py_ssize_t n, double e, const double* x, double* s, double* u,
                          double alpha, double momentum, double* rate) noexcept nogil:
    cdef Py_ssize_t j
    cdef double g
    for j in range(n):
        g = e * x_(x, 1, j)
        s[0] += g * g  # R's: one sum of squares shared by all columns (R re-sums a list of them)
        theta[j] -= alpha * g / sqrt(s[0])  # 0 / 0 is NaN, as in R
        if rate != NULL:
            rate[j] = alpha / sqrt(s[0])


cdef inline void _adagrad_textbook(double* theta, Py_ssize_t n, double e, const double* x, double* G, double alpha,
                                   double eps, double* rate) noexcept nogil:
    """Duchi, Hazan and Singer 2011, as torch.optim.Adagrad: one sum of squares per coefficient."""
    cdef Py_ssize_t j
    cdef double g
    for j in range(n):
        g = e * x_(x, 1, j)
        G[j] += g * g
        theta[j] -= alpha * g / (sqrt(G[j]) + eps)
        if rate != NULL:
            rate[j] = alpha / (sqrt(G[j]) + eps)


cdef inline void _adadelta(double* theta, Py_ssize_t n, double e, const double* x, double* s, double* u,
                           double alpha, double momentum, double* rate) noexcept nogil:
    cdef Py_ssize_t j
    cdef double g, rms_g
    for j in range(n):  # R's: scalars Eg, Eu, rmsU carried across columns
        g = e * x_(x, 1, j)
        s[0] = momentum * s[0] + (1 - momentum) * g * g
        rms_g = sqrt(s[0] + 1e-7)
        s[1] = momentum * s[1] + (1 - momentum) * u[j] * u[j]
        u[j] = s[2] / rms_g * g
        theta[j] -= u[j]
        if rate != NULL:
            rate[j] = s[2] / rms_g
        s[2] = sqrt(s[1] + 1e-7)


cdef inline void _adadelta_textbook(double* theta, Py_ssize_t n, double e, const double* x, double* Eg, double* Eu,
                                    double rho, double eps, double* rate) noexcept nogil:
    """Zeiler 2012, as torch.optim.Adadelta (learning rate 1): running means of the squared
    gradients and updates per coefficient, decay ``rho`` (R's momentum)."""
    cdef Py_ssize_t j
    cdef double g, delta
    for j in range(n):
        g = e * x_(x, 1, j)
        Eg[j] = rho * Eg[j] + (1 - rho) * g * g
        delta = sqrt(Eu[j] + eps) / sqrt(Eg[j] + eps) * g
        if rate != NULL:
            rate[j] = sqrt(Eu[j] + eps) / sqrt(Eg[j] + eps)
        Eu[j] = rho * Eu[j] + (1 - rho) * delta * delta
        theta[j] -= delta


cdef inline void _rmsprop(double* theta, Py_ssize_t n, double e, const double* x, double* s, double* u,
                          double alpha, double momentum, double* rate) noexcept nogil:
    cdef Py_ssize_t j
    cdef double g
    for j in range(n):  # R's: one running mean Eg shared by all columns
        g = e * x_(x, 1, j)
        s[0] = momentum * s[0] + (1 - momentum) * g * g
        theta[j] -= alpha * g / sqrt(s[0] + 1e-7)
        if rate != NULL:
            rate[j] = alpha / sqrt(s[0] + 1e-7)


cdef inline void _rmsprop_textbook(double* theta, Py_ssize_t n, double e, const double* x, double* Eg, double alpha,
                                   double momentum, double eps, double* rate) noexcept nogil:
    """Tieleman and Hinton 2012, as torch.optim.RMSprop (its ``alpha`` is our momentum): one
    running mean of squared gradients per coefficient."""
    cdef Py_ssize_t j
    cdef double g
    for j in range(n):
        g = e * x_(x, 1, j)
        Eg[j] = momentum * Eg[j] + (1 - momentum) * g * g
        theta[j] -= alpha * g / (sqrt(Eg[j]) + eps)
        if rate != NULL:
            rate[j] = alpha / (sqrt(Eg[j]) + eps)


cdef inline void _adam(double* theta, Py_ssize_t n, double e, const double* x, double* s, double* u,
                       double alpha, double momentum, double* rate) noexcept nogil:
    cdef Py_ssize_t j
    cdef double b1 = 0.9, b2 = 0.999, g, mh, vh
    for j in range(n):  # R's: both moments shared by all columns
        g = e * x_(x, 1, j)
        s[0] = b1 * s[0] + (1 - b1) * g
        s[1] = b2 * s[1] + (1 - b2) * g * g
        mh = s[0] / (1 - b1)  # R's bias correction is constant, not 1 - b1^t
        vh = s[1] / (1 - b2)
        theta[j] -= alpha * mh / (sqrt(vh) + 1e-7)
        if rate != NULL:
            rate[j] = alpha / (1 - b1) / (sqrt(vh) + 1e-7)


cdef inline void _adam_textbook(double* theta, Py_ssize_t n, double e, const double* x, double* s, double* M,
                                double* V, double* top, double alpha, double b1, double b2, double eps,
                                double* rate) noexcept nogil:
    """Kingma and Ba 2015, as torch.optim.Adam: moments per coefficient, corrected by
    ``1 - b^t`` at step t (``s[0]``; ``s[1]``, ``s[2]`` hold the corrections, which stay
    at 1 once they get there). AMSGrad (Reddi, Kale and Kumar 2018; ``amsgrad=True``)
    divides by the running maximum of the second moment, ``top`` (NULL: Adam)."""
    cdef Py_ssize_t j
    cdef double g, step, root
    s[0] += 1
    if s[1] < 1:
        s[1] = 1 - pow(b1, s[0])
    if s[2] < 1:
        s[2] = 1 - pow(b2, s[0])
    step, root = alpha / s[1], sqrt(s[2])
    for j in range(n):
        g = e * x_(x, 1, j)
        M[j] = b1 * M[j] + (1 - b1) * g
        V[j] = b2 * V[j] + (1 - b2) * g * g
        if top == NULL:
            theta[j] -= step * M[j] / (sqrt(V[j]) / root + eps)
            if rate != NULL:
                rate[j] = step / (sqrt(V[j]) / root + eps)
        else:
            top[j] = fmax(top[j], V[j])
            theta[j] -= step * M[j] / (sqrt(top[j]) / root + eps)
            if rate != NULL:
                rate[j] = step / (sqrt(top[j]) / root + eps)


cdef inline void _sag(double* theta, Py_ssize_t n, double e, const double* x, double* d, double* y, double step,
                      double* rate) noexcept nogil:
    """SAG (Schmidt, Le Roux and Bach 2017, Algorithm 1) for row i, where R's SAGD is SGD
    that skips steps on a coin: ``d = d - y_i + f'_i(theta); y_i = f'_i(theta);
    theta -= (alpha / m) d``. The table keeps row i's gradient ``y_i = r_i x_i`` as its
    residual ``r_i`` (``*y``: O(m) scalars, not O(m n)); ``step`` is alpha / m."""
    cdef Py_ssize_t j
    cdef double old = y[0], xj
    for j in range(n):
        xj = x_(x, 1, j)
        d[j] = d[j] - old * xj + e * xj
        theta[j] -= step * d[j]
        if rate != NULL:
            rate[j] = step
    y[0] = e


def single_row(int kind, const double[:, ::1] data, double[::1] theta, const int64_t[::1] perm,
               const int64_t[::1] rows, const int64_t[::1] update, double alpha, double momentum,
               Py_ssize_t window, double[::1] loss, double[::1] carry, double[::1] s, double[::1] u,
               double[::1] mean=None, Py_ssize_t averaged=0, Py_ssize_t average_from=-1, double[:, ::1] state=None,
               double[::1] table=None, double beta1=0.9, double beta2=0.999, double epsilon=1e-8,
               const int64_t[::1] table_rows=None, Py_ssize_t offset=0, double[:, ::1] path=None,
               Py_ssize_t every=1, double[:, ::1] rates=None, const double[::1] row_weights=None):
    """SGD, SAGD (SGD with ``update`` coins), ADAGRAD, ADADELTA, RMSPROP, ADAM; and the
    published rules: ADAGRAD_TEXTBOOK, ADADELTA_TEXTBOOK, RMSPROP_TEXTBOOK, ADAM_TEXTBOOK,
    AMSGRAD, SAG.

    Step t uses row ``rows[t]`` of R's shuffled data, data row ``perm[rows[t]]``
    (0-based), skipped where ``update[t]`` is 0 (an empty ``update`` means always). The
    steps are steps ``offset + t`` of the fit, which may run over several calls: every
    ``window`` of the fit's steps (none where ``window`` is 0), the mean squared residual
    of its rows, each before its step, goes to ``loss``; the call returns how many it wrote.
    ``carry`` holds the sum of squared residuals and their count of the window under way,
    from call to call (the last, unfinished one is the caller's to write). Updates theta in
    place, and R's accumulators ``s`` (3) and ``u`` (ADADELTA's last updates, n). Beyond R,
    ``mean`` takes the running average of the iterates from step ``average_from`` on (-1:
    none), ``averaged`` of them before this call; the count after it is returned too.

    The published rules keep their per-coefficient accumulators in ``state`` (3 x n, zeros
    to start; with ``s``, whose s[0] counts Adam's steps, carried from call to call), with
    the constants ``beta1``, ``beta2`` (Adam) and ``epsilon``; RMSprop's and Adadelta's decay
    is ``momentum``. SAG keeps its running sum of gradients in ``state[0]`` and each data
    row's last residual in ``table`` (one per row of the whole data set, zeros to start; where
    ``data`` holds just the rows fetched for these steps, ``table_rows`` gives each one's row
    of the whole data set).

    ``path`` (beyond R, for teaching): after every ``every`` steps of the fit, at row
    ``(offset + t + 1) / every``, what the fit returns if it stops there (the average, once
    averaging began); and ``rates``, the step the rule gave each coefficient at that step.

    ``row_weights`` (weighted data): each row of ``data``'s factor ``w_i / mean w``, by which its
    residual is multiplied (its gradient: in expectation over the rows drawn, the weighted mean
    gradient) and its squared residual in the loss record.
    """
    cdef Py_ssize_t n = theta.shape[0], k = data.shape[1], steps = rows.shape[0], t, j, i, r, written = 0
    cdef Py_ssize_t count = <Py_ssize_t>carry[1], done
    cdef bint always = update.shape[0] == 0, recording = path is not None
    cdef double total = carry[0], e
    cdef double step = alpha / (table.shape[0] if table is not None else data.shape[0])
    cdef const int64_t* where = &table_rows[0] if table_rows is not None and table_rows.shape[0] > 0 else NULL
    cdef const double* x
    cdef double* a = NULL
    cdef double* b = NULL
    cdef double* c = NULL
    cdef double[::1] rate_now = np.zeros(n) if rates is not None else None
    cdef double* rate = &rate_now[0] if rates is not None else NULL
    cdef const double* kept
    cdef const double* factors = NULL if row_weights is None else &row_weights[0]
    cdef double factor = 1.0
    cdef Poll p = new_poll()
    if kind >= ADAGRAD_TEXTBOOK:
        if state is None or state.shape[0] != 3 or state.shape[1] != n:
            raise ValueError(f"the published rules need a 3 x {n} state")
        if kind == SAG and (table is None or table_rows is None and table.shape[0] != data.shape[0]):
            raise ValueError(f"SAG needs a table of {data.shape[0]} residuals")
        a, b, c = &state[0, 0], &state[1, 0], &state[2, 0]
    if recording and (path.shape[1] != n or path.shape[0] <= (offset + steps) // every):
        raise ValueError(f"the path needs {(offset + steps) // every + 1} rows of {n}")
    with nogil:
        for t in range(steps):
            if t + 2 * AHEAD < steps:
                prefetch(&perm[rows[t + 2 * AHEAD]])
            if t + AHEAD < steps:
                x = &data[perm[rows[t + AHEAD]], 0]
                prefetch(x)
                prefetch(x + k - 1)  # (a row may span two cache lines)
                if kind == SAG:
                    prefetch(&table[perm[rows[t + AHEAD]] if where == NULL else where[perm[rows[t + AHEAD]]]])
                if factors != NULL:  # (a weighted row's factor: read at random as its row)
                    prefetch(&factors[perm[rows[t + AHEAD]]])
            if always or update[t]:
                x = &data[perm[rows[t]], 0]
                e = residual(x, 1, n, &theta[0])
                if factors != NULL:
                    factor = factors[perm[rows[t]]]
                    total += factor * e * e  # (the loss record: the weighted mean, in expectation)
                    count += 1
                    e *= factor
                if kind == SGD:
                    _sgd(&theta[0], n, e, x, &s[0], &u[0], alpha, momentum, rate)
                elif kind == ADAGRAD:
                    _adagrad(&theta[0], n, e, x, &s[0], &u[0], alpha, momentum, rate)
                elif kind == ADADELTA:
                    _adadelta(&theta[0], n, e, x, &s[0], &u[0], alpha, momentum, rate)
                elif kind == RMSPROP:
                    _rmsprop(&theta[0], n, e, x, &s[0], &u[0], alpha, momentum, rate)
                elif kind == ADAM:
                    _adam(&theta[0], n, e, x, &s[0], &u[0], alpha, momentum, rate)
                elif kind == ADAGRAD_TEXTBOOK:
                    _adagrad_textbook(&theta[0], n, e, x, a, alpha, epsilon, rate)
                elif kind == ADADELTA_TEXTBOOK:
                    _adadelta_textbook(&theta[0], n, e, x, a, b, momentum, epsilon, rate)
                elif kind == RMSPROP_TEXTBOOK:
                    _rmsprop_textbook(&theta[0], n, e, x, a, alpha, momentum, epsilon, rate)
                elif kind == ADAM_TEXTBOOK:
                    _adam_textbook(&theta[0], n, e, x, &s[0], a, b, NULL, alpha, beta1, beta2, epsilon, rate)
                elif kind == AMSGRAD:
                    _adam_textbook(&theta[0], n, e, x, &s[0], a, b, c, alpha, beta1, beta2, epsilon, rate)
                else:
                    i = perm[rows[t]] if where == NULL else where[perm[rows[t]]]
                    _sag(&theta[0], n, e, x, a, &table[i], step, rate)
                if factors == NULL:
                    total += e * e
                    count += 1
            done = offset + t + 1
            if 0 <= average_from < done:  # Polyak-Ruppert averaging (beyond R)
                averaged += 1
                for j in range(n):
                    mean[j] += (theta[j] - mean[j]) / averaged
            if window > 0 and done % window == 0:
                if count > 0:
                    loss[written] = total / count
                    written += 1
                total, count = 0.0, 0
            if recording and done % every == 0:
                r = done // every
                kept = &mean[0] if averaged > 0 else &theta[0]
                memcpy(&path[r, 0], kept, n * sizeof(double))
                if rate != NULL:
                    memcpy(&rates[r, 0], rate, n * sizeof(double))
            poll(&p, k)
    carry[0], carry[1] = total, count
    return written, averaged


def mean_squared_residual(const double[:, ::1] data, const double[::1] theta):
    """The mean squared residual of theta over all rows of data (by row; in row order):
    the loss of the single-row methods' averaged iterate, once a pass."""
    return squared_residuals(data, theta) / data.shape[0]


def squared_residuals(const double[:, ::1] data, const double[::1] theta, double total=0.0,
                      const double[::1] weights=None):
    """``total`` plus the squared residuals of theta over the rows of data (by row), added in
    row order: over data in pieces, each piece's call continues the one before. With
    ``weights`` (one per row), each times its row's weight."""
    cdef Py_ssize_t n = theta.shape[0], i
    cdef double e
    cdef const double* w = NULL if weights is None else &weights[0]
    cdef Poll p = new_poll()
    with nogil:
        for i in range(data.shape[0]):
            e = residual(&data[i, 0], 1, n, &theta[0])
            total += e * e if w == NULL else w[i] * e * e
            poll(&p, n)
    return total


def stopped(double[::1] state, double loss, double tol, Py_ssize_t patience, double halfway=NAN):
    """:func:`stop_after` for a pass run from Python (the single-row methods'); ``state``
    from :func:`rule_state`."""
    return stop_after(&state[0], loss, tol, patience, halfway)


# --------------------------------------------------------------------------- variance-reduced inner loops
# Each runs from snapshot theta with the full gradient mu (SARAH: v) over its rows of
# R's shuffled data (``perm[rows[k]]`` in cols, where a row's values are m apart) and
# leaves the new theta in ``out``; w, wp and v are work buffers.

cdef int _svrg(const double* cols, Py_ssize_t m, Py_ssize_t n, const double* theta, const double* mu,
               const int64_t* perm, const int64_t* rows, Py_ssize_t count, double alpha, Py_ssize_t keep,
               double* w, double* out, Poll* p, const double* f) except -1 nogil:
    """SVRG's inner loop; keeps inner iterate ``keep`` (0: the snapshot)."""
    cdef Py_ssize_t j, k
    cdef const double* x
    cdef double e_w, e_0, c
    memcpy(w, theta, n * sizeof(double))
    memcpy(out, theta, n * sizeof(double))
    for k in range(count):
        prefetch_row(cols, m, n, perm, rows, k, count, f)
        x = cols + perm[rows[k]]
        c = 1.0 if f == NULL else f[perm[rows[k]]]  # (a weighted row: its gradient times w_i / mean w)
        e_w = residual(x, m, n, w) * c
        e_0 = residual(x, m, n, theta) * c
        for j in range(n):
            w[j] -= alpha * (e_w * x_(x, m, j) - e_0 * x_(x, m, j) + mu[j])
        if k + 1 == keep:
            memcpy(out, w, n * sizeof(double))
        poll(p, 2 * n)
    return 0


cdef int _ssgd(const double* cols, Py_ssize_t m, Py_ssize_t n, const double* theta, const double* mu,
               const int64_t* perm, const int64_t* rows, Py_ssize_t count, double alpha, double* out,
               Poll* p, const double* f) except -1 nogil:
    """SSGD's inner loop over the given rows; keeps the last iterate."""
    cdef Py_ssize_t j, k
    cdef const double* x
    cdef double e_w, e_0, c
    memcpy(out, theta, n * sizeof(double))
    for k in range(count):
        prefetch_row(cols, m, n, perm, rows, k, count, f)
        x = cols + perm[rows[k]]
        c = 1.0 if f == NULL else f[perm[rows[k]]]  # (a weighted row: its gradient times w_i / mean w)
        e_w = residual(x, m, n, out) * c
        e_0 = residual(x, m, n, theta) * c
        for j in range(n):
            out[j] -= alpha * (mu[j] - e_w * x_(x, m, j) + e_0 * x_(x, m, j))  # R's sign: opposite of SVRG's
        poll(p, 2 * n)
    return 0


cdef int _ssgd_textbook(const double* cols, Py_ssize_t m, Py_ssize_t n, const double* theta, const double* mu,
                        const int64_t* perm, const int64_t* rows, Py_ssize_t count, double alpha, double* out,
                        Poll* p, const double* f) except -1 nogil:
    """S2GD's inner loop (Konecny and Richtarik 2017, Algorithm 1): ``y -= h (g + f'_i(y) -
    f'_i(x))``, SVRG's sign; keeps the last iterate."""
    cdef Py_ssize_t j, k
    cdef const double* x
    cdef double e_w, e_0, c
    memcpy(out, theta, n * sizeof(double))
    for k in range(count):
        prefetch_row(cols, m, n, perm, rows, k, count, f)
        x = cols + perm[rows[k]]
        c = 1.0 if f == NULL else f[perm[rows[k]]]  # (a weighted row: its gradient times w_i / mean w)
        e_w = residual(x, m, n, out) * c
        e_0 = residual(x, m, n, theta) * c
        for j in range(n):
            out[j] -= alpha * (mu[j] + e_w * x_(x, m, j) - e_0 * x_(x, m, j))
        poll(p, 2 * n)
    return 0


cdef int _sarah(const double* cols, Py_ssize_t m, Py_ssize_t n, const double* theta, double* v,
                const int64_t* perm, const int64_t* rows, Py_ssize_t count, double alpha, Py_ssize_t keep,
                double gammaS, double* wp, double* w, double* out, Poll* p, const double* f) except -1 nogil:
    """SARAH's inner loop (``gammaS = 0``) or SARAHPlus's (``gammaS > 0``); v starts as the
    full gradient.

    SARAH keeps iterate ``keep`` of R's list ``[theta, w_2, ..., w_innerIter]`` (the
    first step's iterate is not in it). SARAHPlus stops once
    ``(|v_1| / 3)^2 <= gammaS (|v0_1| / 3)^2`` and keeps the last iterate.
    """
    cdef Py_ssize_t j, k
    cdef const double* x
    cdef double e_w, e_p, c, a = fabs(v[0]) / 3
    cdef double limit = gammaS * (a * a)  # R's: only v[1] compared (its && keeps the first element)
    memcpy(wp, theta, n * sizeof(double))
    for j in range(n):
        w[j] = wp[j] - alpha * v[j]
    memcpy(out, theta, n * sizeof(double))
    for k in range(1, count):
        a = fabs(v[0]) / 3
        if gammaS > 0 and not a * a > limit:  # R's /3 decides overflow: keep it
            break
        prefetch_row(cols, m, n, perm, rows, k - 1, count, f)
        x = cols + perm[rows[k - 1]]
        c = 1.0 if f == NULL else f[perm[rows[k - 1]]]
        e_w = residual(x, m, n, w) * c
        e_p = residual(x, m, n, wp) * c
        memcpy(wp, w, n * sizeof(double))
        for j in range(n):
            v[j] = e_w * x_(x, m, j) - e_p * x_(x, m, j) + v[j]
            w[j] -= alpha * v[j]
        if gammaS > 0 or k == keep:
            memcpy(out, w, n * sizeof(double))
        poll(p, 2 * n)
    return 0


cdef inline double _squares(const double* v, Py_ssize_t n) noexcept nogil:
    cdef double total = 0.0
    cdef Py_ssize_t j
    for j in range(n):
        total += v[j] * v[j]
    return total


cdef int _sarahplus_textbook(const double* cols, Py_ssize_t m, Py_ssize_t n, const double* theta, double* v,
                             const int64_t* perm, const int64_t* rows, Py_ssize_t count, double alpha, double gammaS,
                             double* wp, double* w, double* out, Poll* p, const double* f) except -1 nogil:
    """SARAH+'s inner loop (Nguyen et al. 2017, Algorithm 2): ``w_1 = w_0 - alpha v_0``, then,
    for t = 1, 2, ... while ``|v_(t-1)|^2 > gammaS |v_0|^2`` (the whole vector's norm) and
    ``t < innerIter``: ``v_t = f'_i(w_t) - f'_i(w_(t-1)) + v_(t-1); w_(t+1) = w_t - alpha v_t``;
    keeps the last iterate, ``w_t`` (w_1 where the loop does not run)."""
    cdef Py_ssize_t j, k
    cdef const double* x
    cdef double e_w, e_p, c, limit = gammaS * _squares(v, n)
    memcpy(wp, theta, n * sizeof(double))
    for j in range(n):
        w[j] = wp[j] - alpha * v[j]
    for k in range(1, count):
        if not _squares(v, n) > limit:
            break
        prefetch_row(cols, m, n, perm, rows, k - 1, count, f)
        x = cols + perm[rows[k - 1]]
        c = 1.0 if f == NULL else f[perm[rows[k - 1]]]
        e_w = residual(x, m, n, w) * c
        e_p = residual(x, m, n, wp) * c
        memcpy(wp, w, n * sizeof(double))
        for j in range(n):
            v[j] = e_w * x_(x, m, j) - e_p * x_(x, m, j) + v[j]
            w[j] -= alpha * v[j]
        poll(p, 2 * n)
    memcpy(out, w, n * sizeof(double))
    return 0


def variance_reduced(int kind, FullGradient gradient, const double[:, ::1] cols, const double[::1] theta,
                     const int64_t[::1] perm, const int64_t[::1] rows, const int64_t[::1] lo, const int64_t[::1] hi,
                     const int64_t[::1] keep, double alpha, double gammaS, double[::1] loss, double tol=-1,
                     Py_ssize_t patience=1, double[::1] state=None, double[:, ::1] path=None, Py_ssize_t every=1,
                     Py_ssize_t offset=0, const double[::1] target=None, const double[::1] weights=None,
                     double threshold=0.0, const double[::1] row_weights=None):
    """SVRG, SSGD, SARAH, SARAHPlus (R's, or SSGD_TEXTBOOK, SARAHPLUS_TEXTBOOK; SVRG's
    option 1 as published keeps the last iterate, ``keep[t]`` = its inner steps): outer
    iteration t takes the full gradient at theta (its MSE goes to loss[t]) and runs the
    inner loop over rows ``rows[lo[t]:hi[t]]`` of R's shuffled data (``perm`` maps them to
    data rows). ``cols`` is the data by column: the rows the inner loops read (``perm`` and
    ``rows`` into them), which may be just those rows, fetched, where ``gradient`` (the full
    gradients, wherever the data is: :mod:`graddescent.data`) reads the whole data set.
    With ``tol >= 0`` the fit stops by :func:`stop_after`, an outer iteration being a pass;
    ``state`` (as :func:`stopped`'s) carries the rule over from an earlier call, so that a
    fit may run on over several (its outer iterations counted from ``offset``). Returns the
    new theta, the outer iterations run, whether the stopping rule ended the fit, and whether
    the certificate did: with ``target`` (beyond R, :mod:`graddescent.certificate`), each outer
    iteration first checks theta, and the fit stops, certified, once ``max_j weights_j
    |theta_j - target_j| <= threshold`` (and stops where theta is no longer finite).
    ``path`` (beyond R, for teaching): after every ``every`` outer iterations of the fit, at
    row ``(offset + t + 1) / every``, theta. ``row_weights`` (weighted data): each row of ``cols``'s
    factor ``w_i / mean w``, by which its residuals are multiplied (its gradients, in expectation
    the weighted mean gradient)."""
    cdef Py_ssize_t n = theta.shape[0], m = cols.shape[1], t, ran = 0
    cdef double[::1] now = np.array(theta), g = np.empty(n), w = np.empty(n), wp = np.empty(n)
    cdef double[::1] out = np.empty(n)
    cdef const double* base = &cols[0, 0]
    cdef const int64_t* inner
    cdef Poll p = new_poll()
    cdef const double* factors = NULL if row_weights is None else &row_weights[0]
    cdef double[::1] rule = rule_state(patience) if state is None else state
    cdef bint stopped = False, recording = path is not None, certify = target is not None, certified = False
    cdef double measured
    if recording and (path.shape[1] != n or path.shape[0] <= (offset + loss.shape[0]) // every):
        raise ValueError(f"the path needs {(offset + loss.shape[0]) // every + 1} rows of {n}")
    with nogil:
        for t in range(loss.shape[0]):
            loss[t] = gradient.mean(NULL, 0, gradient.m, &now[0], &g[0])
            ran = t + 1
            if certify:
                measured = gap(&now[0], &target[0], &weights[0], n)
                certified = measured <= threshold
                if certified or not isfinite(measured):
                    break
            if stop_after(&rule[0], loss[t], tol, patience):  # (theta is where the loss was measured)
                stopped = True
                break
            inner = &rows[0] + lo[t]
            if kind == SVRG:
                _svrg(base, m, n, &now[0], &g[0], &perm[0], inner, hi[t] - lo[t], alpha, keep[t], &w[0], &out[0], &p, factors)
            elif kind == SSGD:
                _ssgd(base, m, n, &now[0], &g[0], &perm[0], inner, hi[t] - lo[t], alpha, &out[0], &p, factors)
            elif kind == SSGD_TEXTBOOK:
                _ssgd_textbook(base, m, n, &now[0], &g[0], &perm[0], inner, hi[t] - lo[t], alpha, &out[0], &p, factors)
            elif kind == SARAHPLUS_TEXTBOOK:
                _sarahplus_textbook(base, m, n, &now[0], &g[0], &perm[0], inner, hi[t] - lo[t], alpha, gammaS,
                                    &wp[0], &w[0], &out[0], &p, factors)
            else:
                _sarah(base, m, n, &now[0], &g[0], &perm[0], inner, hi[t] - lo[t], alpha, keep[t], gammaS, &wp[0],
                       &w[0], &out[0], &p, factors)
            memcpy(&now[0], &out[0], n * sizeof(double))
            if recording and (offset + t + 1) % every == 0:
                memcpy(&path[(offset + t + 1) // every, 0], &now[0], n * sizeof(double))
    return np.asarray(now), ran, stopped and isfinite(loss[ran - 1]), certified


# --------------------------------------------------------------------------- SSGD's draws


def ssgd_plan(const uint32_t[::1] raws, Py_ssize_t maxIter, Py_ssize_t innerIter, int64_t m,
              const int64_t[::1] order, const double[::1] scaled):
    """SSGD's draws from R's raw stream: per outer iteration the length K, then K rows.

    K is R's ``randomProb``: ``sample(innerIter, 1)`` when ``order`` is empty (lamda 0),
    else the first k in ``order`` with ``runif(1) <= scaled[k]``. Rows are
    ``sample(m, 1)`` each (0-based here). Returns the counts, the rows and the outputs
    used, or used = -1 when ``raws`` ran out.
    """
    cdef int64_t[::1] counts = np.zeros(maxIter, dtype=np.int64)
    cdef int64_t[::1] rows = np.empty(maxIter * innerIter, dtype=np.int64)
    cdef int bits_k = bits(innerIter), bits_m = bits(m)
    cdef Py_ssize_t used = 0, total = 0, have = raws.shape[0], chunks, t, i, K, drawn
    cdef int64_t v
    cdef double u
    cdef bint ran_out = False
    with nogil:
        for t in range(maxIter):
            K = -1
            while K < 0 and not ran_out:  # the inner-loop length
                if order.shape[0] == 0:
                    chunks = bits_k // 16 + 1
                    if used + chunks > have:
                        ran_out = True
                        break
                    v = rbits(&raws[used], bits_k)
                    used += chunks
                    if v < innerIter:
                        K = v + 1
                else:
                    if used + 1 > have:
                        ran_out = True
                        break
                    u = raws[used] * 2.3283064365386963e-10  # R's unif_rand
                    if u <= 0.0:
                        u = 0.5 * 2.328306437080797e-10
                    used += 1
                    for i in range(order.shape[0]):
                        if u <= scaled[order[i]]:
                            K = order[i] + 1
                            break
            if ran_out:
                break
            chunks = bits_m // 16 + 1
            drawn = 0
            while drawn < K:  # its rows
                if used + chunks > have:
                    ran_out = True
                    break
                v = rbits(&raws[used], bits_m)
                used += chunks
                if v < m:
                    rows[total] = v
                    total += 1
                    drawn += 1
            if ran_out:
                break
            counts[t] = K
    return np.asarray(counts), np.asarray(rows[:total]), -1 if ran_out else used
