"""The drivers of the 14 methods: R's preamble and draws, the compiled loops, what a fit did.

Every method shares R's preamble (:func:`prepare`: the shuffle and the initial theta) and
runs one of three compiled drivers (``_kernels.pyx``), by its family
(:data:`graddescent.catalog.METHODS`): full batch (GD, MBGD, MGD, AGD), single row (SGD,
SAGD, ADAGRAD, ADADELTA, RMSPROP, ADAM) or variance-reduced (SVRG, SSGD, SARAH,
SARAHPlus). :func:`run` checks the arguments, makes R's draws, runs the driver and judges
the result (a :class:`graddescent.convergence.Fit`); :func:`partial_pass` runs one pass of
the same drivers over a batch of a stream, going on from the state a fit left. The data
is read through the interface of :mod:`graddescent.data`, whatever holds it.

Randomness follows R exactly (:class:`graddescent.RRandom`), with one convention from
the reference: R's ``set.seed(NULL)`` calls inside the package are no-ops, so with an
integer seed every draw continues the stream that seed started (this makes SAGD,
SVRG option 2 and SARAH reproducible, which R is not).
"""

import math

import numpy as np
import pandas as pd

from . import _kernels as K
from .catalog import METHODS
from .certificate import Certificate
from .convergence import PATIENCE, TRIAL_ALPHAS, TRIAL_STEPS, Fit, auto_alpha, diverged, remedy
from .data import as_data
from .rrandom import RRandom
from .spectrum import GRAM_SIZE
from .validation import MAX_ITER, MAX_STEPS, check_iterations, check_number, check_option, check_whole

__all__ = []

_LOSS_POINTS = 100  # single-row methods record about this many loss values (without a stopping rule)
_FLT_EPSILON = 1.1920928955078125e-07  # R's tolerance in the ':' operator (seq_colon)
_SSGD_PLAN = 1 << 16  # SSGD draws the inner rows of about this many steps at a time
MAX_PATH = 10**7  # the most numbers a recorded path keeps (beyond: keep every j-th iteration)
AUTO_PASSES = 1000  # maxIter="auto": at least this many passes, or twice what the spectrum says is needed,
MAX_AUTO_PASSES = 10**6  # but at most this many,
MAX_AUTO_ROWS = 10**9  # and at most this many rows read (a slow method on large data warns rather than run for hours)


# --------------------------------------------------------------------------- preamble

class Stream:
    """R's ``set.seed(seed)`` discipline over one :class:`RRandom` stream.

    ``reset()`` is ``set.seed(seed)``: it restarts the stream for an integer seed and,
    by the reference's convention for ``set.seed(NULL)``, does nothing for ``None``.
    """

    def __init__(self, seed):
        self.seed = seed
        self.rng = RRandom(seed)

    def reset(self):
        if self.seed is not None:
            self.rng.set_seed(self.seed)


def prepare(data, seed, shuffle=True):
    """R's preamble, repeated in all 14 functions: the shuffled rows, the initial theta.

    Returns R's shuffle as 0-based row numbers, theta drawn as R draws it, and the
    stream, positioned where R's is after the preamble. ``shuffle=False`` skips the
    shuffle (``perm`` is None) where it cannot matter: for a full gradient, whose sum does
    not depend on the order of the rows, since R seeds again before it draws theta. (With
    ``seed=None`` theta is then drawn from another point of a random stream, which is as
    random.)
    """
    stream = Stream(seed)
    stream.reset()
    perm = data.places(stream.rng.sample(data.m) - 1) if shuffle else None  # (where the rows are)
    stream.reset()
    theta = stream.rng.runif(data.k)  # R's getTheta: an intercept and one per input
    stream.reset()
    return perm, theta, stream


def check_variant(method, variant, given):
    """The rule of the variant, and its constants (the published rule's, by name), checked:
    a variant the method has, and no constant set away from its default for R's rule, which
    fixes its own."""
    record = METHODS[method]
    have = record.variants
    if not isinstance(variant, str) or variant not in have:
        rules = "only R's rule, 'R'" if len(have) == 1 else f"the variants {', '.join(map(repr, have))}"
        raise ValueError(f"{method} has no variant {variant!r}; it has {rules}")
    published = record.constants
    constants = dict(record.rules[variant].constants)
    for name, value in given.items():
        if value is None:
            continue
        if name not in published:
            raise ValueError(f"{method} has no constant {name}; " + (
                f"its published rule's are {', '.join(published)}" if published else "it takes none"))
        if name == "epsilon":
            value = check_number(name, value, low=0, low_open=True)
        else:
            value = check_number(name, value, low=0, high=1, high_open=True)
        if variant == "R" and value != published[name]:
            raise ValueError(f"{name} is a constant of the published rule, which R's {method} does not take (it "
                             f"fixes its own); pass variant={have[1]!r} to use {name}={value:g}, or leave it out")
        constants[name] = value
    return record.rules[variant], constants


def check_alpha(alpha):
    if isinstance(alpha, str) and alpha == "auto":
        return alpha
    return check_number("alpha", alpha, low=0, low_open=True, hint=" (or 'auto')")


def _check_ssgd(alpha, innerIter, lamda):
    lamda = check_number("lamda", lamda, low=0)
    if lamda != 0 and alpha != "auto" and lamda * alpha == 1:
        raise ValueError("lamda * alpha must not be 1 (R's randomProb divides by zero); change lamda or alpha")
    if lamda != 0 and innerIter == 1:
        raise ValueError("with lamda > 0, innerIter must be at least 2 (R's randomProb fails for one value); "
                         "use lamda=0 or a larger innerIter")


# --------------------------------------------------------------------------- the path (beyond R)

class Path:
    """The coefficients as a fit went, kept where asked (``return_path``): row r holds what
    the fit returns if it stops after ``r * every`` iterations (row 0: where it started),
    and for the single-row rules the step each coefficient was given at that iteration
    (``rates``). The compiled drivers write the rows; :meth:`frames` adds the last
    iteration where ``every`` does not divide it."""

    def __init__(self, every, iterations, n, rates=False):
        every = check_whole("path_every", every, low=1)
        rows = iterations // every + 1
        if rows * n * (2 if rates else 1) > MAX_PATH:
            raise ValueError(f"a path of {iterations} iterations keeps {rows} rows of {n} coefficients, more than "
                             f"{MAX_PATH} numbers; keep every j-th iteration (path_every=j, e.g. "
                             f"{math.ceil(rows * n / MAX_PATH) * every})")
        self.every = every
        self.theta = np.full((rows, n), np.nan)
        self.rates = np.full((rows, n), np.nan) if rates else None

    def start(self, theta):
        self.theta[0] = theta

    def frames(self, theta, iterations, columns):
        """The path as a DataFrame indexed by iteration (R's column names, ``(Intercept)``
        first), ending with ``theta`` after ``iterations``; and the rates, likewise (None
        where not recorded)."""
        rows = iterations // self.every + 1
        index = list(range(0, rows * self.every, self.every))
        values = self.theta[:rows]
        rates = None if self.rates is None else self.rates[:rows]
        if index[-1] != iterations:
            values = np.vstack([values, theta])
            index.append(iterations)
            if rates is not None:
                rates = np.vstack([rates, np.full(theta.size, np.nan)])
        names = ["(Intercept)", *map(str, columns[:-1])]
        label = pd.Index(index, name="iteration")
        return (pd.DataFrame(values, index=label, columns=names),
                None if rates is None else pd.DataFrame(rates, index=label, columns=names))


def _path(path_every, iterations, n, rates=False):
    return None if path_every is None else Path(path_every, iterations, n, rates)


def _arrays(path):
    """The path's arrays for a compiled driver."""
    return {} if path is None else {"path": path.theta, "every": path.every}


# --------------------------------------------------------------------------- the fit

def run(method, dataTrain, seed=None, tol=None, n_iter_no_change=PATIENCE, scaled=None, average=None, alpha=0.1,
        maxIter=10, momentum=0.9, nBatch=2, innerIter=10, option=2, lamda=0, gammaS=0.125, variant="R",
        beta1=None, beta2=None, epsilon=None, path_every=None):
    """Fit with one of the 14 methods (R's control entries by their R names; beyond R, the
    ``variant`` and its constants, None for the default) and return what happened, a
    :class:`convergence.Fit`, without a warning: the callers word them (the functions,
    ``learn``, the estimators, the command line), so that no warning is caught and
    re-issued, which is not safe in threads. ``scaled``: whether the data was scaled, for
    the remedy of a diverged fit (None: judged from the data). ``average``: whether a
    single-row method or MBGD averages its iterates (None: with ``alpha="auto"``).
    ``path_every``: keep the path, every so many iterations (None: no path).

    Beyond R, with ``tol`` the fit is judged by the certificate of its coefficients
    (:mod:`graddescent.certificate`), where the data's Gram matrix is built (at most 2047
    inputs): it converged once its certified relative coefficient error is at most ``tol``.
    The methods of exact gradients (GD, MGD, AGD, the variance-reduced ones) stop then, or
    at maxIter; the others (the single-row methods and MBGD, whose steps are noisy) also stop
    where their loss stalls (the stopping rule of :mod:`graddescent.convergence`), not
    converged. Without a certificate, ``tol`` is that rule's alone. ``maxIter="auto"`` (with
    ``tol``) runs as long as the spectrum says the certificate needs (twice that, at least
    1000 passes, at most 10^6, nor 10^9 rows read); ``momentum="auto"`` (MGD, AGD) takes the
    momentum (and with ``alpha="auto"`` the step) that is optimal for the spectrum."""
    record = METHODS[method]
    rule, constants = check_variant(method, variant, {"beta1": beta1, "beta2": beta2, "epsilon": epsilon})
    alpha = None if method == "ADADELTA" else check_alpha(alpha)
    tol = None if tol is None else check_number("tol", tol, low=0, hint=" (or None: R's fixed iterations)")
    # (a single-row method with a stopping rule draws its rows a pass at a time)
    if not (isinstance(maxIter, str) and maxIter == "auto" and tol is not None):
        maxIter = check_iterations("maxIter", maxIter, MAX_STEPS if tol is not None and record.by_row else MAX_ITER)
    patience = check_whole("n_iter_no_change", n_iter_no_change, low=1)
    if method in ("MGD", "AGD") and isinstance(momentum, str) and momentum == "auto":
        pass  # (from the spectrum, below)
    elif "momentum" in record.control:
        momentum = check_number("momentum", momentum, low=0, high=1, high_open=True, hint=(
            " (or 'auto')" if method in ("MGD", "AGD") else ""))
    if "innerIter" in record.control:
        innerIter = check_iterations("innerIter", innerIter)
    if method == "SVRG":
        option = check_option(option)
    if method == "SSGD":
        _check_ssgd(alpha, innerIter, lamda)
    if method == "SARAHPlus":
        gammaS = check_number("gammaS", gammaS, low=0, low_open=True)
    average = alpha == "auto" if average is None else average
    if not isinstance(average, (bool, np.bool_)):
        raise ValueError(f"average must be True or False (or None: with alpha='auto'), got {average!r}")
    data = as_data(dataTrain)
    spectral = momentum == "auto" or method == "GD" and alpha == "auto"
    check = Check.of(data, tol, spectral)
    if momentum == "auto":
        if check.certificate is None:
            raise ValueError(f"momentum='auto' takes the spectrum of the data, which is not at hand for {data.k - 1} "
                             f"inputs (at most {GRAM_SIZE - 1}, of values whose squares do not overflow); give "
                             "momentum a number")
        step, momentum = check.certificate.steps("heavy ball" if method == "MGD" else "nesterov")
        alpha = step if alpha == "auto" else alpha
    if method in ("MGD", "AGD"):  # a heavy ball's loss rises and falls over the momentum's memory
        patience *= math.ceil(1 / (1 - momentum))
    stop = (-1.0 if tol is None else tol, patience)
    if record.family == "full batch":
        return _full_batch(record, rule, data, seed, stop, scaled, alpha, maxIter, momentum,
                           nBatch if method == "MBGD" else None, average and method == "MBGD", path_every, check)
    if record.by_row:
        return _single_row(record, rule, data, seed, stop, scaled, alpha, maxIter, momentum, bool(average),
                           constants, path_every, check)
    return _variance_reduced(record, rule, data, seed, stop, scaled, alpha, maxIter, innerIter, option,
                             lamda if method == "SSGD" else 0.0, gammaS if method == "SARAHPlus" else 0.0, path_every,
                             check)


class Check:
    """What judges a fit's coefficients: the data's :class:`graddescent.certificate.Certificate`
    (None where there is none: R's fixed iterations, or data too wide for its Gram matrix)
    and ``tol``. It projects the start off the design's null directions, gives the compiled
    drivers what they check once a pass, sizes ``maxIter="auto"`` and says what happened."""

    def __init__(self, certificate, tol):
        self.certificate, self.tol = certificate, tol

    @classmethod
    def of(cls, data, tol, spectral=False):
        """The check of a fit with ``tol`` (or where the steps come from the spectrum)."""
        if tol is None and not spectral:
            return cls(None, None)
        gram = data.gram()  # (none for a wide table; one that overflowed has no spectrum either)
        return cls(None if gram is None or not np.all(np.isfinite(gram)) else Certificate(gram, data.columns), tol)

    @property
    def active(self):
        return self.certificate is not None and self.tol is not None

    def project(self, theta):
        """theta without its part in the design's null directions, where the fit is judged: the
        start (so that the iterates go to the minimum-norm solution) and the end (which R's
        ADAM's shared moments move along them)."""
        return self.certificate.project(theta) if self.active else theta

    def arrays(self):
        """What the compiled drivers check once a pass (nothing where the fit is not judged)."""
        if not self.active:
            return {}
        return {"target": self.certificate.theta, "weights": self.certificate.weights,
                "threshold": self.certificate.threshold(self.tol)}

    def met(self, theta):
        return self.active and self.certificate.error(theta) <= self.tol

    def iterations(self, maxIter, theta, per_pass, rows, rate=None):
        """maxIter, or for ``"auto"`` twice the iterations the certificate needs at the
        convergence ``rate`` per iteration that theory gives the method on this spectrum (at
        least AUTO_PASSES passes; at most MAX_AUTO_PASSES, nor MAX_AUTO_ROWS rows read over
        the passes of ``rows``); AUTO_PASSES passes without a rate."""
        if not (isinstance(maxIter, str) and maxIter == "auto"):
            return maxIter
        passes = AUTO_PASSES
        if self.active and rate is not None and 0 < rate < 1:
            start = max(self.certificate.error(theta), 10 * self.tol)
            needed = math.log(10 * start / max(self.tol, 1e-300)) / -math.log(rate) / per_pass
            passes = min(max(AUTO_PASSES, math.ceil(2 * needed)), MAX_AUTO_PASSES,
                         max(AUTO_PASSES, MAX_AUTO_ROWS // max(rows, 1)))
        return passes * per_pass

    def verdict(self, converged, theta):
        """converged (the certificate met, where the fit is judged; else the stopping rule's
        verdict) and the certified error of theta (None where not judged)."""
        if self.certificate is None or self.tol is None:
            return converged, None
        error = self.certificate.error(theta)
        return error <= self.tol, error

    def advice(self, method, error, stalled):
        """What to do about a fit that the certificate did not pass, for its warning."""
        if error is None:
            return ""
        if not math.isfinite(error):
            text = "its coefficients are not finite"
        elif stalled:
            text = (f"its loss stopped falling, so more passes of {method} barely move it; use a method whose steps "
                    "converge exactly (SVRG, SARAH, GD, or AGD with momentum='auto'), or a smaller step")
        elif self.certificate.condition > 100:
            text = (f"raise maxIter, or use a method suited to ill-conditioning (AGD or MGD with momentum='auto'): "
                    f"the design's condition number is {self.certificate.condition:.3g}")
        else:
            text = "raise maxIter"
        singular = self.certificate.singular()
        if singular:
            text += f"; {singular}"
        return f"its coefficients are certified within {error:.2g} of least squares, not tol = {self.tol:g}: {text}"


def _outcome(record, rule, theta, loss, n_iter, passes, converged, alpha, data, scaled, start, end, exact=True,
             path=None, check=None, stalled=False, momentum=None, **bound_args):
    """A :class:`Fit`, judged: diverged or not (``start``, ``end``: the loss over all rows at
    the first and last theta; ``exact``: whether the loss record is), and the remedy; where
    the coefficients are judged (``check``), converged only if certified (``stalled``: the
    stopping rule ended a fit the certificate did not pass)."""
    check = check or Check(None, None)
    theta = check.project(theta).reshape(1, -1)  # (off the null directions, which R's ADAM's shared moments move)
    bad = diverged(theta, start, end, loss if exact else None)
    converged, error = check.verdict(converged, theta)
    converged = None if converged is None else bool(converged) and not bad
    paths = (None, None) if path is None else path.frames(theta.ravel(), n_iter, data.columns)
    if momentum is not None and record.family == "full batch":
        bound_args["momentum"] = momentum
    return Fit(theta, loss, n_iter, passes, converged, alpha, bad,
               remedy(record.name, rule, alpha, data, scaled, **bound_args) if bad else "", *paths, error,
               "" if converged or bad else check.advice(record.name, error, stalled),
               "" if check.certificate is None else check.certificate.singular(),
               momentum if "momentum" in record.control else None)


# --------------------------------------------------------------------------- full batch

def _mbgd_batches(perm, nBatch):
    """R's MBGD batches, as rows of the data: the concatenated batches and where each starts.

    R cuts its shuffled rows into slices of ``m / nBatch`` rows, which may be fractional:
    batch b is R's sequence ``lo:hi`` (1-based, each index truncated, with R's tolerance
    in ``:``), where ``lo = 1, hi = m / nBatch`` for the first and both ends move on by
    ``m / nBatch`` (added up, as R does) for the next; iteration t uses batch
    ``(t - 1) %% nBatch``, so with a fractional size a row may never be used. A batch's
    sum does not depend on the order of its rows (the sums are exact), so its rows are
    sorted: the data is read in order, and not copied.
    """
    if nBatch <= 1:
        return np.empty(0, np.int64), np.empty(1, np.int64)  # (all rows)
    batches = [np.sort(perm[lo:lo + count]) for lo, count in _batch_slices(perm.shape[0], nBatch)]
    return np.concatenate(batches), np.cumsum([0] + [b.shape[0] for b in batches], dtype=np.int64)


def _batch_slices(m, nBatch):
    """(first row, rows) of each of R's MBGD batches of the shuffled rows (see :func:`_mbgd_batches`)."""
    step = m * (1.0 / nBatch)  # R: nrow * batchRate, batchRate = 1 / nBatch
    lo_r, hi_r = 1.0, step
    slices = []
    for _ in range(nBatch):
        slices.append((int(lo_r) - 1, int(abs(hi_r - lo_r) + 1 + _FLT_EPSILON)))  # the length of R's lo:hi
        lo_r, hi_r = lo_r + step, hi_r + step
    return slices


def rows_left_out(m, nBatch):
    """How many of m rows R's MBGD batches never use (0 for nBatch 1, where R uses them all)."""
    return 0 if nBatch <= 1 else m - sum(count for _, count in _batch_slices(m, nBatch))


def _check_batches(nBatch, m):
    return check_whole("nBatch", nBatch, low=1, high=m, hint=" (the number of batches, at most the number of rows)")


def _full_batch(record, rule, data, seed, stop, scaled, alpha, maxIter, momentum, nBatch, average, path_every,
                check):
    perm, theta, _ = prepare(data, seed, shuffle=nBatch is not None)
    batches, starts = _mbgd_batches(perm, _check_batches(nBatch, data.m)) if nBatch is not None else _mbgd_batches(
        None, 1)
    del perm
    theta = check.project(theta)
    spectrum = check.certificate
    if alpha == "auto" and spectrum is not None and record.name != "MBGD":  # (the spectrum at hand: GD's optimal
        alpha = spectrum.steps("gd")[0] if record.name == "GD" else 1.0 / spectrum.L  # step, MGD's and AGD's 1/L)
    elif alpha == "auto":
        alpha = auto_alpha(rule, data, batches, starts)
    rate = None
    if spectrum is not None and record.name != "MBGD":  # (what theory gives: the contraction of an iteration)
        rate = max(abs(1 - alpha * spectrum.L), abs(1 - alpha * spectrum.mu)) if record.name == "GD" else max(
            math.sqrt(momentum), 1 - alpha * spectrum.mu / (1 - momentum) if momentum < 1 else 1.0)
    per_pass = max(starts.size - 1, 1)
    maxIter = check.iterations(maxIter, theta, per_pass, data.m, rate)
    if check.active and record.name != "MBGD":  # (exact gradients: judged by the certificate alone)
        stop = (-1.0, stop[1])
    loss = np.empty(maxIter)
    mean = np.zeros(theta.size) if average else None
    first = theta.copy()
    path = _path(path_every, maxIter, theta.size)
    if path is not None:
        path.start(theta)
    gradient = data.gradient()
    ran, stalled, averaged, certified = K.full_batch(rule.kernel, gradient, theta, alpha, maxIter, momentum, batches,
                                                     starts, loss, *stop, mean, **_arrays(path), **check.arrays())
    if averaged:
        theta = mean
    exact = record.name != "MBGD"  # (MBGD's record holds its batches' losses: the whole loss is measured)
    start, end = (loss[0], loss[ran - 1]) if exact else (data.gradient()(first)[1], data.gradient()(theta)[1])
    return _outcome(record, rule, theta, loss[:ran], ran, ran / per_pass,
                    stalled or certified if stop[0] >= 0 or check.active else None, alpha, data, scaled, start, end,
                    exact, path, check, stalled and not certified, momentum=momentum, batches=batches, starts=starts)


# --------------------------------------------------------------------------- single row

class Steps:
    """A single-row rule and the state it carries from step to step, named: R's scalar
    accumulators (``scalars``, 3) and ADADELTA's last updates (``updates``, one per
    coefficient); a published rule's per-coefficient accumulators (``moments``, 3 x n) and
    SAG's table of each row's last residual (``table``, one per row); the running average of
    the iterates (``mean``, over ``averaged`` of them) and the window of squared residuals
    under way (``carry``). A fit makes one; a stream (``partial_fit``) keeps one from batch
    to batch. :meth:`run` runs steps through the compiled driver, over data of any kind."""

    def __init__(self, rule, constants, n, rows, alpha, momentum):
        self.rule, self.constants, self.alpha, self.momentum = rule, constants, alpha, momentum
        self.scalars, self.updates = np.zeros(3), np.zeros(n)
        self.moments = np.zeros((3, n)) if rule.name != "R" else None
        self.table = np.zeros(rows) if rule.kernel == K.SingleRow.SAG else None
        self.mean, self.averaged = None, 0
        self.carry = np.zeros(2)

    def run(self, data, theta, perm, rows, coins, window=0, loss=None, offset=0, average_from=-1, path=None):
        """The steps on rows ``perm[rows]`` of ``data`` (with SAGD's coins), steps ``offset``
        on of the fit: the loss windows written (see ``_kernels.single_row``), a stretch of
        rows at a time (data held elsewhere fetches them)."""
        loss = np.empty(0) if loss is None else loss
        fast = getattr(data, "steps", None)  # (sparse rows: steps over their non-zeros, where the rule allows)
        if fast is not None and path is None:
            written = fast(self, theta, perm, rows, coins, window, loss, offset, average_from)
            if written is not None:
                return written
        written, extra = 0, {} if self.moments is None else {"state": self.moments, "table": self.table,
                                                               **self.constants}
        if path is not None:
            extra.update(path=path.theta, every=path.every, rates=path.rates)
        for lo in range(0, rows.size, data.stretch):
            hi = min(rows.size, lo + data.stretch)
            block, local_perm, local_rows, table_rows = data.rows(perm, rows[lo:hi])
            done, self.averaged = K.single_row(
                self.rule.kernel, block, theta, local_perm, local_rows, coins[lo:hi] if coins.size else coins,
                0.0 if self.alpha is None else self.alpha, self.momentum, window, loss[written:], self.carry,
                self.scalars, self.updates, self.mean, self.averaged, average_from, table_rows=table_rows,
                offset=offset + lo, row_weights=data.step_factors(table_rows), **extra)
            written += done
        return written

    def flush(self):
        """The mean squared residual of the window under way (NaN where it is empty), then a new window."""
        value = self.carry[0] / self.carry[1] if self.carry[1] > 0 else math.nan
        self.carry[:] = 0.0
        return value

    def trial(self, data, theta, perm):
        """ADAGRAD's, RMSPROP's and ADAM's step for ``alpha="auto"``: the one of TRIAL_ALPHAS
        with the lowest mean squared residual over a trial pass from the starting theta
        through the rows in R's shuffled order (at least and at most TRIAL_STEPS steps, going
        round the rows again where they are fewer); the smaller on a tie. Each trial starts
        from fresh accumulators."""
        rows = np.arange(min(max(perm.size, TRIAL_STEPS[0]), TRIAL_STEPS[1]), dtype=np.int64) % perm.size
        best, chosen = np.inf, TRIAL_ALPHAS[0]
        for alpha in TRIAL_ALPHAS:
            steps = Steps(self.rule, self.constants, theta.size, perm.size, alpha, self.momentum)
            steps.run(data, theta.copy(), perm, rows, np.empty(0, np.int64))
            value = steps.flush()
            if value < best:
                best, chosen = value, alpha
        return chosen


def _single_row(record, rule, data, seed, stop, scaled, alpha, maxIter, momentum, average, constants, path_every,
                check):
    """The single-row methods. Without a stopping rule, R's draws are made up front as R
    makes them: maxIter rows, then (SAGD) maxIter coins. With one, a pass of m rows (and,
    for SAGD, then its m coins) is drawn at a time, so that a long fit needs no memory for
    draws it never uses (the rows are R's all the same; SAGD's coins are not). The published
    rules keep their accumulators from pass to pass; SAG draws no coins."""
    perm, theta, stream = prepare(data, seed)
    theta = check.project(theta)
    m, n = data.m, data.k
    maxIter = check.iterations(maxIter, theta, m, m)
    coin = record.name == "SAGD" and rule.name == "R"
    steps = Steps(rule, constants, n, m, alpha, momentum)
    if alpha == "auto":
        steps.alpha = alpha = steps.trial(data, theta, perm) if rule.step == "trial" else auto_alpha(rule, data)
    if average:
        steps.mean = np.zeros(n)
    first = theta.copy()
    path = _path(path_every, maxIter, n, rates=True)
    if path is not None:
        path.start(theta)
    stream.reset()
    no_coins = np.empty(0, dtype=np.int64)
    if stop[0] < 0:
        rows = stream.rng._unif_index(m, maxIter)  # R's sample(m, maxIter, replace=TRUE), 0-based
        # SAGD's coin, R's sample(0:1, 1) at every step (1: update), drawn after the whole row list
        update = stream.rng._unif_index(2, maxIter) if coin else no_coins
        window = -(-maxIter // _LOSS_POINTS)
        loss = np.empty(-(-maxIter // window))
        start = -1 if steps.mean is None else (m if maxIter >= 2 * m else maxIter // 2)  # averaged after the first pass
        written = steps.run(data, theta, perm, rows, update, window, loss, 0, start, path)
        if steps.carry[1] > 0:  # (the last window, unfinished)
            loss[written] = steps.flush()
            written += 1
        loss, done, converged = loss[:written], maxIter, None
    else:
        record_, state, done, converged, stalled = [], K.rule_state(stop[1]), 0, False, False
        since, best, stale = None, math.inf, 0  # since: the pass from which the iterates are averaged
        while done < maxIter:
            size = min(m, maxIter - done)
            rows = stream.rng._unif_index(m, size)
            update = stream.rng._unif_index(2, size) if coin else no_coins
            steps.run(data, theta, perm, rows, update, 0, None, done, -1 if since is None else done, path)
            passed = steps.flush()
            done += size
            if since is None:  # the steps' loss (each residual before its step, as scikit-learn's SGD's epoch loss)
                record_.append(passed)
                if steps.mean is not None:  # scikit-learn's rule on it: no pass better than the best by tol, p times
                    stale = 0 if record_[-1] < best * (1 - stop[0]) else stale + 1
                    best = min(best, record_[-1])
                    if stale >= stop[1] or 2 * done >= maxIter:  # at its floor: from here on, the average
                        since = len(record_)
                if not math.isfinite(record_[-1]) or steps.mean is None and K.stopped(state, record_[-1], *stop):
                    converged = stalled = math.isfinite(record_[-1])
                    break
            else:  # the averaged iterate's loss (what the fit returns), judged with its loss half-way back
                record_.append(data.mean_squared_residual(steps.mean))
                if K.stopped(state, record_[-1], *stop, record_[since + (len(record_) - since) // 2]):
                    converged = stalled = math.isfinite(record_[-1])
                    break
            if check.met(steps.mean if steps.averaged else theta):  # (the certificate, once a pass)
                converged = True
                break
        loss = np.array(record_)
    if steps.averaged:
        theta = steps.mean
    start, end = data.mean_squared_residual(first), data.mean_squared_residual(theta)
    return _outcome(record, rule, theta, loss, done, done / m, converged, alpha, data, scaled, start, end, False, path,
                    check, stop[0] >= 0 and stalled, momentum)


# --------------------------------------------------------------------------- variance reduced

def _ssgd_plan(rng, maxIter, innerIter, lamda, alpha, m, size=None):
    """SSGD's draws for the whole fit: each outer iteration's length K (R's ``randomProb``)
    then its K rows (R's ``sample(m, 1)`` each). The draws do not depend on theta, so
    they are made up front, in R's order, by a compiled loop over the raw stream."""
    k = np.arange(1, innerIter + 1)
    order, scaled = np.empty(0, np.int64), np.empty(0)
    if lamda != 0:  # R's randomProb: (1 - lamda alpha)^-k, min-max scaled, ordered by (value, k)
        with np.errstate(all="ignore"):
            p = (1 - lamda * alpha) ** (-k.astype(float))
            scaled = (p - p.min()) / (p.max() - p.min())
        if not np.all(np.isfinite(scaled)):
            raise ValueError(f"SSGD cannot draw its inner-loop length: (1 - lamda*alpha)^-k overflows for "
                             f"lamda={lamda}, alpha={alpha}, innerIter={innerIter}; use a smaller lamda or innerIter")
        order = np.lexsort((k, scaled))
    # outputs a try takes, over the chance that a try is accepted (R's rejection sampling):
    # for the rows and, with lamda 0, the length; 5% more, so that one block is nearly always enough
    per_row = ((m - 1).bit_length() // 16 + 1) * 2.0 ** (m - 1).bit_length() / m
    per_length = ((innerIter - 1).bit_length() // 16 + 1) * 2.0 ** (innerIter - 1).bit_length() / innerIter
    size = size or int(1.05 * maxIter * (innerIter * per_row + (per_length if lamda == 0 else 1))) + 64
    while True:
        raws = rng._raw(size)
        counts, rows, used = K.ssgd_plan(raws, maxIter, innerIter, m, order, scaled)
        if used >= 0:
            rng._unread(raws[used:])
            return counts, rows
        rng._unread(raws)  # ran out (rare): put the outputs back and draw a larger block
        size *= 2


def _column_factors(data, cols, perm, rows, local_perm, local_rows):
    """The step factors of the columns of ``cols`` the inner loops read (None: unweighted): the
    whole data set's where cols is it, else of the row of the data set each column is (column
    ``local_perm[local_rows[k]]`` is row ``perm[rows[k]]``: sparse rows densified once each)."""
    if data.weights is None or local_perm is perm:
        return data.step_factors()
    table = np.zeros(cols.shape[1], dtype=np.int64)
    table[local_perm[local_rows]] = perm[rows]
    return data.step_factors(table)


def _variance_reduced(record, rule, data, seed, stop, scaled, alpha, maxIter, innerIter, option, lamda, gammaS,
                      path_every, check):
    """SVRG, SSGD, SARAH and SARAHPlus: R's draws made up front, then one compiled loop.

    SVRG, SARAH and SARAHPlus draw their inner rows once for the whole fit; SVRG and
    SARAH then draw ``sample(innerIter, 1)`` after each outer iteration's inner loop,
    which itself draws nothing, so all those draws can be made first. SSGD draws
    its inner lengths and rows as it goes; they too depend only on the stream.
    """
    perm, theta, stream = prepare(data, seed)
    theta = check.project(theta)
    m, rng, method = perm.size, stream.rng, record.name
    if alpha == "auto":
        alpha = auto_alpha(rule, data, inner_iter=innerIter)
    spectrum = check.certificate  # (an outer iteration's contraction, by SVRG's theory at best: a guide)
    rate = None if spectrum is None else max(0.5, 1 - min(0.5, alpha * spectrum.mu * innerIter / 2))
    maxIter = check.iterations(maxIter, theta, 1, m + 2 * innerIter, rate)
    if check.active:  # (exact gradients: judged by the certificate alone)
        stop = (-1.0, stop[1])
    stream.reset()
    gradient = data.gradient()
    path = _path(path_every, maxIter, theta.size)
    if path is not None:
        path.start(theta)
    if method == "SSGD":  # its plan a piece at a time (the draws are the same)
        state, losses, ran, converged = K.rule_state(stop[1]), [], 0, False
        chunk = max(1, _SSGD_PLAN // innerIter)
        while ran < maxIter:
            size = min(chunk, maxIter - ran)
            counts, rows = _ssgd_plan(rng, size, innerIter, lamda, alpha, m)
            hi = np.cumsum(counts)
            loss = np.empty(size)
            cols, local_perm, local_rows = data.columns_of(perm, rows)
            factors = _column_factors(data, cols, perm, rows, local_perm, local_rows)
            theta, done, stopped, certified = K.variance_reduced(
                rule.kernel, gradient, cols, theta, local_perm, local_rows, hi - counts, hi, np.zeros(size, np.int64),
                alpha, gammaS, loss, *stop, state, offset=ran, **_arrays(path), **check.arrays(),
                row_weights=factors)
            losses.append(loss[:done])
            ran += done
            if stopped or certified or done < size:
                converged = certified or math.isfinite(loss[done - 1]) and stopped
                break
        loss = np.concatenate(losses)
    else:
        keep = np.zeros(maxIter, dtype=np.int64)
        rows = rng._unif_index(m, innerIter)
        lo, hi = np.zeros(maxIter, np.int64), np.full(maxIter, innerIter, np.int64)
        if method == "SVRG" and option == 1:  # R's keeps L[innerIter], the second-to-last iterate; published: the last
            keep[:] = innerIter - 1 if rule.name == "R" else innerIter
        elif method == "SVRG":
            keep[:] = rng.sample(innerIter, maxIter, replace=True) - 1
        elif gammaS == 0:  # SARAH; SARAHPlus keeps its last iterate and draws nothing
            keep[:] = rng.sample(innerIter, maxIter, replace=True) - 1
        loss = np.empty(maxIter)
        cols, local_perm, local_rows = data.columns_of(perm, rows)
        factors = _column_factors(data, cols, perm, rows, local_perm, local_rows)
        theta, ran, converged, certified = K.variance_reduced(
            rule.kernel, gradient, cols, theta, local_perm, local_rows, lo, hi, keep, alpha, gammaS, loss, *stop, None,
            **_arrays(path), **check.arrays(), row_weights=factors)
        converged = converged or certified
        loss = loss[:ran]
    return _outcome(record, rule, theta, loss, ran, ran, converged if stop[0] >= 0 or check.active else None, alpha,
                    data, scaled, loss[0], loss[-1], path=path, check=check, inner_iter=innerIter)


# --------------------------------------------------------------------------- streams

def partial_pass(method, data, state, alpha=0.1, momentum=0.9, nBatch=2, variant="R", beta1=None, beta2=None,
                 epsilon=None):
    """One pass over a batch of rows (``data``: a kind of :mod:`graddescent.data`, m x n,
    scaled as the caller scales it, with its rows' weights), continuing the fit held in
    ``state``, a dict (empty at first but for ``"rng"``, the R stream seeded by the caller,
    and ``"theta"`` where the stream goes on from a fit; then as this leaves it): the
    estimators' ``partial_fit``. A single-row method takes m steps on
    rows drawn with replacement from the batch, R's way (``sample(m, m, replace=TRUE)``, and
    SAGD's coins), through the same :class:`Steps` as a fit; MBGD takes its nBatch steps on
    R's batches of the batch shuffled, through the same compiled driver as a fit. The
    accumulators, the step taken (``alpha="auto"``: from the first batch) and the running
    average of the iterates (from the second batch on, where ``state["average"]``) carry
    over; SAG's table and sum of gradients belong to the rows of a batch, so they start
    afresh with each. A variant other than the one the stream began with starts its own
    accumulators afresh, from the coefficients so far. Returns the mean squared residual of
    the rows drawn, each before its step (MBGD: of its batches)."""
    record = METHODS[method]
    if not record.streams:
        raise ValueError(f"{method} does not learn from a stream of batches; the methods that do: "
                         f"{', '.join(name for name, r in METHODS.items() if r.streams)}")
    rule, constants = check_variant(method, variant, {"beta1": beta1, "beta2": beta2, "epsilon": epsilon})
    m, n = data.shape
    rng = state["rng"]
    if "theta" not in state:
        state["theta"] = rng.runif(n)  # R's getTheta
    theta = state["theta"]
    if method == "MBGD":
        nBatch = check_whole("nBatch", nBatch, low=1, high=m, hint=" (the number of batches, at most the rows of the "
                             "batch)")
        batches, starts = _mbgd_batches(rng.sample(m) - 1, nBatch)
        if state.setdefault("alpha", alpha) == "auto":
            state["alpha"] = auto_alpha(rule, data, batches, starts)
        loss = np.empty(max(nBatch, 1))
        K.full_batch(rule.kernel, data.gradient(), theta, state["alpha"], loss.size, momentum, batches, starts, loss)
        passed = float(np.mean(loss))
        if state.get("mean") is not None:  # (the average of the batches' last iterates)
            state["averaged"] += 1
            state["mean"] += (theta - state["mean"]) / state["averaged"]
    else:
        steps = state.get("steps")
        if steps is None or steps.rule is not rule:  # (the first batch, or another variant)
            steps = state["steps"] = Steps(rule, constants, n, m, None if method == "ADADELTA" else alpha, momentum)
            if state.get("mean") is not None:
                steps.mean, steps.averaged = state["mean"], state["averaged"]
            if "alpha" in state:
                steps.alpha = state["alpha"]
        steps.momentum, steps.constants = momentum, constants
        perm = np.arange(m, dtype=np.int64)
        if steps.alpha == "auto":
            steps.alpha = steps.trial(data, theta, perm) if rule.step == "trial" else auto_alpha(rule, data)
        state["alpha"] = steps.alpha
        rows = rng._unif_index(m, m)
        update = rng._unif_index(2, m) if method == "SAGD" and variant == "R" else np.empty(0, dtype=np.int64)
        if steps.table is not None:  # (SAG's table and sum: this batch's rows)
            steps.table, steps.moments = np.zeros(m), np.zeros((3, n))
        steps.run(data, theta, perm, rows, update, 0, None, 0, 0 if steps.mean is not None else -1)
        passed = steps.flush()
        state["mean"], state["averaged"] = steps.mean, steps.averaged
    if state.get("average") and state.get("mean") is None:  # (from the second batch on)
        state["mean"], state["averaged"] = np.zeros(n), 0
        if "steps" in state:
            state["steps"].mean, state["steps"].averaged = state["mean"], 0
    return passed
