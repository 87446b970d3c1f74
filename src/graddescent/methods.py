"""The 14 learning functions of R's gradDescent 3.0, with R's names, defaults and numbers.

Every function shares R's preamble (:func:`_prepare`: matrix, shuffle, initial theta)
and runs one of three compiled drivers (``_kernels.pyx``): full batch (GD, MBGD, MGD,
AGD), single row (SGD, SAGD, ADAGRAD, ADADELTA, RMSPROP, ADAM) or variance-reduced (SVRG,
SSGD, SARAH, SARAHPlus). Each method's update rule is a few lines there under its R
name. Where R's arithmetic departs from the textbook rule the departure is kept and
marked "R's". The functions here check the arguments, make R's draws and shape the result.

Randomness follows R exactly (:class:`graddescent.RRandom`), with one convention from
the reference: R's ``set.seed(NULL)`` calls inside the package are no-ops, so with an
integer seed every draw continues the stream that seed started (this makes SAGD,
SVRG option 2 and SARAH reproducible, which R is not).
"""

import inspect
import warnings

import numpy as np

from . import _kernels as K
from .rrandom import RRandom
from .validation import MAX_ITER, check_data, check_iterations, check_number, check_whole

__all__ = [
    "GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM",
    "SVRG", "SSGD", "SARAH", "SARAHPlus",
]

#: The methods that read the data by row (one row per step); the others read it by column.
BY_ROW = frozenset({"SGD", "SAGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM"})
_LOSS_POINTS = 100  # single-row methods record about this many loss values
_FLT_EPSILON = 1.1920928955078125e-07  # R's tolerance in the ':' operator (seq_colon)


# --------------------------------------------------------------------------- preamble

class _Stream:
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


def _prepare(dataTrain, seed, layout="rows", shuffle=True):
    """R's preamble, repeated in all 14 functions: matrix, shuffled rows, initial theta.

    Returns the data as float64, R's shuffle as 0-based row numbers, theta drawn as R
    draws it, and the stream, positioned where R's is after the preamble. The data
    comes by row (``layout="rows"``, C order, m x n: the single-row methods read one
    row per step) or by column (``"columns"``, the n x m transpose in C order: full
    gradients run down the columns). The kernels read rows through the shuffle, so the
    data is copied at most once, and not at all if it is laid out as asked already (a
    DataFrame's float64 block is laid out by column).

    ``shuffle=False`` skips the shuffle (``perm`` is None) where it cannot matter: for a
    full gradient, whose sum does not depend on the order of the rows, since R seeds
    again before it draws theta. (With ``seed=None`` theta is then drawn from another
    point of a random stream, which is as random.)
    """
    values = check_data(dataTrain, name="dataTrain")[0]
    m, n = values.shape
    stream = _Stream(seed)
    stream.reset()
    perm = stream.rng.sample(m) - 1 if shuffle else None
    stream.reset()
    theta = stream.rng.runif(n)  # R's getTheta: an intercept and one per input
    stream.reset()
    data = np.ascontiguousarray(values if layout == "rows" else values.T)
    return data, perm, theta, stream


def _finish(theta, loss, method, return_loss):
    """R's 1 x n result; warn once (with the remedy) when the fit has diverged."""
    theta = theta.reshape(1, -1)
    finite_loss = loss[np.isfinite(loss)]
    exploded = finite_loss.size > 1 and finite_loss[-1] / 1e8 > max(finite_loss[0], 1e-300)  # no overflow
    if not np.all(np.isfinite(theta)) or finite_loss.size < loss.size or exploded:
        from sklearn.exceptions import ConvergenceWarning  # here: importing scikit-learn takes a second

        warnings.warn(
            f"{method} diverged (the coefficients or the training loss grew without bound). "
            "Scale the features (featureScaling=True / varianceScaling) or use a smaller alpha.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return (theta, loss) if return_loss else theta


def _check_max_iter(maxIter):
    return check_iterations("maxIter", maxIter)


def _check_common(alpha, maxIter):
    return check_number("alpha", alpha, low=0, low_open=True), _check_max_iter(maxIter)


def _check_momentum(momentum):
    return check_number("momentum", momentum, low=0, high=1, high_open=True)


_PARAMETERS = {  # numpydoc for every argument, by R's name
    "dataTrain": "pandas.DataFrame or numpy.ndarray, shape (m, n)\nNumbers only; the last column is the output.",
    "alpha": "float\nLearning rate, > 0.",
    "maxIter": "int\n{iterations}",
    "momentum": "float\nMomentum, or decay of the running averages, in [0, 1).",
    "nBatch": "int\nNumber of batches, 1..m (a single-row batch works, unlike in R).",
    "innerIter": "int\nNumber of inner steps, >= 1.",
    "option": "{{1, 2}}\nWhich inner iterate becomes theta: 1 R's ``L[innerIter]`` (the second-to-last), 2 a random one.",
    "lamda": "float\nSkew of the inner-loop length towards innerIter, >= 0 (R's spelling).",
    "gammaS": "float\nSufficient reduction, > 0.",
    "seed": "int or None\nR's seed (``set.seed``); None draws a fresh one.",
    "return_loss": "bool\nKeyword only, not in R. Also return the training loss record: {loss}.",
}
_FAMILIES = {  # (what maxIter counts, what the loss record holds)
    "full batch": ("Number of iterations, >= 1.",
                   "the mean squared residual of each iteration (of its batch for MBGD), at the theta it started from"),
    "single row": ("Number of steps, >= 1, one row each (drawn with replacement, as R draws them).",
                   "the mean squared residual of the sampled rows over windows of steps (about 100 values)"),
    "variance reduced": ("Number of outer iterations, >= 1, one full gradient each.",
                         "the mean squared residual at the start of each outer iteration"),
}


def _document(family):
    """Complete a method's docstring: its parameters in R's order with R's defaults, and what it returns."""
    iterations, loss = _FAMILIES[family]

    def decorate(fn):
        lines = [inspect.cleandoc(fn.__doc__), "", "Parameters", "----------"]
        for name, parameter in inspect.signature(fn).parameters.items():
            kind, text = _PARAMETERS[name].format(iterations=iterations, loss=loss).split("\n", 1)
            default = "" if parameter.default is inspect.Parameter.empty else f", default {parameter.default!r}"
            lines += [f"{name} : {kind}{default}", f"    {text}"]
        lines += ["", "Returns", "-------", "theta : numpy.ndarray, shape (1, n)",
                  "    Intercept first, as R's 1 x n matrix; ``(theta, loss)`` with ``return_loss``."]
        fn.__doc__ = "\n".join(lines)
        return fn

    return decorate


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
    step = perm.shape[0] * (1.0 / nBatch)  # R: nrow * batchRate, batchRate = 1 / nBatch
    lo_r, hi_r = 1.0, step
    batches, starts = [], [0]
    for _ in range(nBatch):
        count = int(abs(hi_r - lo_r) + 1 + _FLT_EPSILON)  # the length of R's lo:hi
        lo = int(lo_r) - 1
        batches.append(np.sort(perm[lo:lo + count]))
        starts.append(starts[-1] + batches[-1].shape[0])
        lo_r, hi_r = lo_r + step, hi_r + step
    return np.concatenate(batches), np.array(starts, dtype=np.int64)


def _full_batch_method(name, kind, dataTrain, alpha, maxIter, momentum, nBatch, seed, return_loss):
    cols, perm, theta, _ = _prepare(dataTrain, seed, "columns", shuffle=nBatch is not None)
    batches, starts = np.empty(0, np.int64), np.empty(1, np.int64)  # all rows
    if nBatch is not None:  # MBGD
        nBatch = check_whole("nBatch", nBatch, low=1, high=cols.shape[1],
                             hint=" (the number of batches, at most the number of rows)")
        if nBatch > 1:
            batches, starts = _mbgd_batches(perm, nBatch)
        del perm
    loss = np.empty(maxIter)
    K.full_batch(kind, cols, theta, alpha, maxIter, momentum, batches, starts, loss)
    return _finish(theta, loss, name, return_loss)


@_document("full batch")
def GD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, return_loss=False):
    """Gradient Descent (R's ``GD``): ``theta -= alpha * X'(X theta - y) / m`` on all rows.
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    return _full_batch_method("GD", K.FullBatch.GD, dataTrain, alpha, maxIter, 0.0, None, seed, return_loss)


@_document("full batch")
def MBGD(dataTrain, alpha=0.1, maxIter=10, nBatch=2, seed=None, *, return_loss=False):
    """Mini-Batch Gradient Descent (R's ``MBGD``): GD steps on consecutive slices of the rows.

    The shuffled rows are cut into ``nBatch`` slices of ``m / nBatch`` rows (R's
    sequence arithmetic, so with fractional sizes a row may be left out); iteration
    ``t`` uses slice ``(t - 1) mod nBatch``.
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    return _full_batch_method("MBGD", K.FullBatch.GD, dataTrain, alpha, maxIter, 0.0, nBatch, seed, return_loss)


@_document("full batch")
def MGD(dataTrain, alpha=0.1, maxIter=10, momentum=0.9, seed=None, *, return_loss=False):
    """Momentum Gradient Descent (R's ``MGD``): ``v = momentum v + alpha g; theta -= v``.
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    momentum = _check_momentum(momentum)
    return _full_batch_method("MGD", K.FullBatch.MGD, dataTrain, alpha, maxIter, momentum, None, seed, return_loss)


@_document("full batch")
def AGD(dataTrain, alpha=0.1, maxIter=10, momentum=0.9, seed=None, *, return_loss=False):
    """Accelerated (Nesterov) Gradient Descent (R's ``AGD``).

    Each iteration moves theta to the look-ahead point ``theta - momentum v`` (R keeps
    it there), takes the gradient there, then ``v = momentum v + alpha g; theta -= v``.
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    momentum = _check_momentum(momentum)
    return _full_batch_method("AGD", K.FullBatch.AGD, dataTrain, alpha, maxIter, momentum, None, seed, return_loss)


# --------------------------------------------------------------------------- single row
def _single_row_method(name, kind, dataTrain, alpha, maxIter, momentum, seed, return_loss, coin=False):
    data, perm, theta, stream = _prepare(dataTrain, seed)
    stream.reset()
    rows = stream.rng._unif_index(data.shape[0], maxIter)  # R's sample(m, maxIter, replace=TRUE), 0-based
    # SAGD's coin, R's sample(0:1, 1) at every step (1: update), drawn after the whole row list
    update = stream.rng._unif_index(2, maxIter) if coin else np.empty(0, dtype=np.int64)
    window = -(-maxIter // _LOSS_POINTS)
    loss = np.empty(-(-maxIter // window))
    written = K.single_row(kind, data, theta, perm, rows, update, alpha, momentum, window, loss)
    return _finish(theta, loss[:written], name, return_loss)




@_document("single row")
def SGD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, return_loss=False):
    """Stochastic Gradient Descent (R's ``SGD``): ``theta -= alpha * e_i x_i``, one row per step."""
    alpha, maxIter = _check_common(alpha, maxIter)
    return _single_row_method("SGD", K.SingleRow.SGD, dataTrain, alpha, maxIter, 0.0, seed, return_loss)


@_document("single row")
def SAGD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, return_loss=False):
    """Stochastic Average Gradient Descent (R's ``SAGD``): SGD that skips each step on a coin flip.

    R draws the coin (``sample(0:1, 1)``) at every step and updates only on a 1.
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    return _single_row_method("SAGD", K.SingleRow.SGD, dataTrain, alpha, maxIter, 0.0, seed, return_loss, coin=True)


@_document("single row")
def ADAGRAD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, return_loss=False):
    """Adaptive Gradient (R's ``ADAGRAD``): ``theta_j -= alpha g_j / sqrt(G)``.

    As in R, ``G`` is one running sum of every squared gradient component of every step,
    shared by all columns (textbook ADAGRAD keeps one per column).
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    return _single_row_method("ADAGRAD", K.SingleRow.ADAGRAD, dataTrain, alpha, maxIter, 0.0, seed, return_loss)


@_document("single row")
def ADADELTA(dataTrain, maxIter=10, momentum=0.9, seed=None, *, return_loss=False):
    """ADADELTA (R's ``ADADELTA``): step sizes from running RMS of gradients and updates.

    No learning rate. As in R, the running averages are scalars carried from column to
    column and step to step; epsilon is 1e-7.
    """
    maxIter = _check_max_iter(maxIter)
    momentum = _check_momentum(momentum)
    return _single_row_method("ADADELTA", K.SingleRow.ADADELTA, dataTrain, 0.0, maxIter, momentum, seed, return_loss)


@_document("single row")
def RMSPROP(dataTrain, alpha=0.1, maxIter=10, momentum=0.9, seed=None, *, return_loss=False):
    """RMSprop (R's ``RMSPROP``): ``theta_j -= alpha g_j / sqrt(Eg + 1e-7)``.

    As in R, ``Eg`` (the running mean of squared gradients) is one scalar shared by all columns.
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    momentum = _check_momentum(momentum)
    return _single_row_method("RMSPROP", K.SingleRow.RMSPROP, dataTrain, alpha, maxIter, momentum, seed, return_loss)


@_document("single row")
def ADAM(dataTrain, alpha=0.1, maxIter=10, seed=None, *, return_loss=False):
    """Adam (R's ``ADAM``): beta1 0.9, beta2 0.999, epsilon 1e-7.

    As in R, the two moments are scalars shared by all columns and the bias correction is
    the constant ``1 / (1 - beta)`` rather than ``1 / (1 - beta^t)``.
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    return _single_row_method("ADAM", K.SingleRow.ADAM, dataTrain, alpha, maxIter, 0.0, seed, return_loss)




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
    size = size or maxIter * (2 * innerIter + 4) * 2 + 64
    while True:
        raws = rng._raw(size)
        counts, rows, used = K.ssgd_plan(raws, maxIter, innerIter, m, order, scaled)
        if used >= 0:
            rng._unread(raws[used:])
            return counts, rows
        rng._unread(raws)  # ran out (rare): put the outputs back and draw a larger block
        size *= 2


def _check_inner(innerIter):
    return check_iterations("innerIter", innerIter)


def _variance_reduced(name, kind, dataTrain, seed, alpha, maxIter, innerIter, return_loss,
                      option=2, lamda=0.0, gammaS=0.0):
    """SVRG, SSGD, SARAH and SARAHPlus: R's draws made up front, then one compiled loop.

    SVRG, SARAH and SARAHPlus draw their inner rows once for the whole fit; SVRG and
    SARAH then draw ``sample(innerIter, 1)`` after each outer iteration's inner loop,
    which itself draws nothing, so all those draws can be made first. SSGD draws
    its inner lengths and rows as it goes; they too depend only on the stream.
    """
    cols, perm, theta, stream = _prepare(dataTrain, seed, "columns")
    m, rng = cols.shape[1], stream.rng
    stream.reset()
    keep = np.zeros(maxIter, dtype=np.int64)
    if kind == K.VarianceReduced.SSGD:
        counts, rows = _ssgd_plan(rng, maxIter, innerIter, lamda, alpha, m)
        hi = np.cumsum(counts)
        lo = hi - counts
    else:
        rows = rng._unif_index(m, innerIter)
        lo, hi = np.zeros(maxIter, np.int64), np.full(maxIter, innerIter, np.int64)
        if kind == K.VarianceReduced.SVRG:  # R's option 1 keeps L[innerIter], the second-to-last iterate
            keep[:] = innerIter - 1 if option == 1 else rng.sample(innerIter, maxIter, replace=True) - 1
        elif gammaS == 0:  # SARAH; SARAHPlus keeps its last iterate and draws nothing
            keep[:] = rng.sample(innerIter, maxIter, replace=True) - 1
    loss = np.empty(maxIter)
    theta = K.variance_reduced(kind, cols, theta, perm, rows, lo, hi, keep, alpha, gammaS, loss)
    return _finish(theta, loss, name, return_loss)




@_document("variance reduced")
def SVRG(dataTrain, alpha=0.1, maxIter=10, innerIter=10, option=2, seed=None, *, return_loss=False):
    """Stochastic Variance Reduced Gradient (R's ``SVRG``).

    Each outer iteration takes the full gradient ``mu`` at a snapshot ``w0 = theta`` and runs
    ``innerIter`` steps ``w -= alpha (e_i(w) x_i - e_i(w0) x_i + mu)`` over rows drawn once
    for the whole fit. ``option=1`` then keeps R's ``L[innerIter]``, the second-to-last
    iterate; ``option=2`` keeps a random one of ``w0, w1, ..., w_(innerIter-1)``.
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    innerIter = _check_inner(innerIter)
    if isinstance(option, bool) or option not in (1, 2):
        raise ValueError(f"option must be 1 (second-to-last inner iterate) or 2 (a random one), got {option!r}")
    return _variance_reduced("SVRG", K.VarianceReduced.SVRG, dataTrain, seed, alpha, maxIter, innerIter, return_loss,
                             option=option)


@_document("variance reduced")
def SSGD(dataTrain, alpha=0.1, maxIter=10, lamda=0, innerIter=10, seed=None, *, return_loss=False):
    """Semi Stochastic Gradient Descent (R's ``SSGD``).

    Each outer iteration takes the full gradient ``mu`` at theta, draws an inner-loop length
    ``K`` (R's ``randomProb``: uniform on ``1..innerIter`` when ``lamda`` is 0, skewed by
    ``(1 - lamda alpha)^-k`` otherwise) and runs ``K`` steps on fresh random rows of
    ``w -= alpha (mu - e_r(w) x_r + e_r(theta) x_r)``: R's sign, the opposite of SVRG's correction.
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    innerIter = _check_inner(innerIter)
    if maxIter * innerIter > MAX_ITER:  # SSGD draws all its inner rows up front
        raise ValueError(f"SSGD takes up to maxIter * innerIter = {maxIter * innerIter} inner steps, more than "
                         f"{MAX_ITER} (its draws would not fit in memory); use a smaller maxIter or innerIter")
    lamda = check_number("lamda", lamda, low=0)
    if lamda != 0 and lamda * alpha == 1:
        raise ValueError("lamda * alpha must not be 1 (R's randomProb divides by zero); change lamda or alpha")
    if lamda != 0 and innerIter == 1:
        raise ValueError("with lamda > 0, innerIter must be at least 2 (R's randomProb fails for one value); "
                         "use lamda=0 or a larger innerIter")
    return _variance_reduced("SSGD", K.VarianceReduced.SSGD, dataTrain, seed, alpha, maxIter, innerIter, return_loss,
                             lamda=lamda)


@_document("variance reduced")
def SARAH(dataTrain, alpha=0.1, maxIter=10, innerIter=10, seed=None, *, return_loss=False):
    """StochAstic Recursive grAdient algoritHm (R's ``SARAH``).

    Each outer iteration starts from the full gradient ``v`` at theta, steps ``w = theta -
    alpha v``, then runs ``innerIter - 1`` recursive steps ``v = e_i(w) x_i - e_i(w_prev)
    x_i + v; w -= alpha v`` over rows drawn once for the whole fit, and keeps a random one
    of theta and the iterates after the first step (R's list).
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    innerIter = _check_inner(innerIter)
    return _variance_reduced("SARAH", K.VarianceReduced.SARAH, dataTrain, seed, alpha, maxIter, innerIter, return_loss)


@_document("variance reduced")
def SARAHPlus(dataTrain, alpha=0.1, maxIter=10, innerIter=10, gammaS=0.125, seed=None, *, return_loss=False):
    """SARAH+ (R's ``SARAHPlus``): SARAH whose inner loop stops early.

    The inner loop runs while ``(|v_1| / 3)^2 > gammaS (|v0_1| / 3)^2`` (R compares only the
    intercept's component) and fewer than ``innerIter`` steps have run; theta becomes the
    last iterate. With ``gammaS >= 1`` the loop never runs and theta never changes (as in R).
    """
    alpha, maxIter = _check_common(alpha, maxIter)
    innerIter = _check_inner(innerIter)
    gammaS = check_number("gammaS", gammaS, low=0, low_open=True)
    return _variance_reduced("SARAHPlus", K.VarianceReduced.SARAH, dataTrain, seed, alpha, maxIter, innerIter,
                             return_loss, gammaS=gammaS)


