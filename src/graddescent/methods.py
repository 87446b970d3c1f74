"""The 14 learning functions of R's gradDescent 3.0, with R's names, defaults and numbers.

Every function shares R's preamble (:func:`_prepare`: matrix, shuffle, initial theta)
and runs one of three compiled drivers (``_kernels.pyx``): full batch (GD, MBGD, MGD,
AGD), single row (SGD, SAGD, ADAGRAD, ADADELTA, RMSPROP, ADAM) or variance-reduced (SVRG,
SSGD, SARAH, SARAHPlus). Each method's update rule is a few lines there under its R
name. Where R's arithmetic departs from the textbook rule the departure is kept and
marked "R's". The functions here check the arguments, make R's draws, run the driver
(:func:`run`) and report what happened (:func:`report`).

Randomness follows R exactly (:class:`graddescent.RRandom`), with one convention from
the reference: R's ``set.seed(NULL)`` calls inside the package are no-ops, so with an
integer seed every draw continues the stream that seed started (this makes SAGD,
SVRG option 2 and SARAH reproducible, which R is not).

Beyond R, the methods whose R rule departs from the published one also have that rule:
``variant="textbook"`` (and ``"amsgrad"`` for ADAM), with the published constants as
keyword-only arguments (torch.optim's defaults); ``variant="R"``, the default, is R's rule
and R's numbers. :data:`VARIANTS` lists each method's; the README has a table of the two
rules side by side, with the references.

Beyond R (:mod:`graddescent.convergence` says how): a stopping rule (``tol``,
``n_iter_no_change``), automatic steps (``alpha="auto"``), and a ConvergenceWarning with
the remedy for a fit that diverged or stopped before it converged. With ``tol=None`` and a
number for ``alpha`` (the defaults) every method computes R's numbers.
"""

import inspect
import math
import textwrap
import warnings

import numpy as np

from . import _kernels as K
from . import chunked
from ._sums import FullGradient
from .convergence import ADAPTIVE, PATIENCE, TRIAL_ALPHAS, TRIAL_STEPS, Fit, auto_alpha, diverged, remedy
from .rrandom import RRandom
from .validation import MAX_ITER, MAX_STEPS, check_data, check_iterations, check_number, check_option, check_whole

__all__ = [
    "GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM",
    "SVRG", "SSGD", "SARAH", "SARAHPlus",
]

#: The control entries each method takes (R's names; the other entries are ignored, as in R).
METHOD_CONTROL = {
    "GD": ("alpha", "maxIter"), "MBGD": ("alpha", "maxIter", "nBatch"), "SGD": ("alpha", "maxIter"),
    "SAGD": ("alpha", "maxIter"), "MGD": ("alpha", "maxIter", "momentum"),
    "AGD": ("alpha", "maxIter", "momentum"), "ADAGRAD": ("alpha", "maxIter"),
    "ADADELTA": ("maxIter", "momentum"), "RMSPROP": ("alpha", "maxIter", "momentum"),
    "ADAM": ("alpha", "maxIter"), "SSGD": ("alpha", "maxIter", "lamda", "innerIter"),
    "SVRG": ("alpha", "maxIter", "innerIter", "option"), "SARAH": ("alpha", "maxIter", "innerIter"),
    "SARAHPlus": ("alpha", "maxIter", "innerIter", "gammaS"),
}
FULL_BATCH = ("GD", "MBGD", "MGD", "AGD")
#: The methods that read the data by row (one row per step); the others read it by column.
BY_ROW = frozenset({"SGD", "SAGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM"})
VARIANCE_REDUCED = ("SVRG", "SSGD", "SARAH", "SARAHPlus")
_KIND = {"GD": K.FullBatch.GD, "MBGD": K.FullBatch.GD, "MGD": K.FullBatch.MGD, "AGD": K.FullBatch.AGD,
         "SGD": K.SingleRow.SGD, "SAGD": K.SingleRow.SGD, "ADAGRAD": K.SingleRow.ADAGRAD,
         "ADADELTA": K.SingleRow.ADADELTA, "RMSPROP": K.SingleRow.RMSPROP, "ADAM": K.SingleRow.ADAM,
         "SVRG": K.VarianceReduced.SVRG, "SSGD": K.VarianceReduced.SSGD, "SARAH": K.VarianceReduced.SARAH,
         "SARAHPlus": K.VarianceReduced.SARAH}
#: The rules each method has: "R" (R's rule and numbers: the default) first, then the published ones.
VARIANTS = {**{name: ("R",) for name in __all__}, "ADAM": ("R", "textbook", "amsgrad"),
            **{name: ("R", "textbook") for name in ("ADAGRAD", "ADADELTA", "RMSPROP", "AGD", "SAGD", "SSGD", "SVRG",
                                                    "SARAHPlus")}}
#: The published rules' constants (keyword-only), with torch.optim's defaults; RMSprop's and
#: Adadelta's decay is ``momentum``. R's rules fix their own (epsilon 1e-7, beta1 0.9, beta2 0.999).
CONSTANTS = {"ADAGRAD": {"epsilon": 1e-10}, "ADADELTA": {"epsilon": 1e-6}, "RMSPROP": {"epsilon": 1e-8},
             "ADAM": {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}}
_TEXTBOOK = {"AGD": K.FullBatch.AGD_TEXTBOOK, "SAGD": K.SingleRow.SAG, "ADAGRAD": K.SingleRow.ADAGRAD_TEXTBOOK,
             "ADADELTA": K.SingleRow.ADADELTA_TEXTBOOK, "RMSPROP": K.SingleRow.RMSPROP_TEXTBOOK,
             "ADAM": K.SingleRow.ADAM_TEXTBOOK, "SVRG": K.VarianceReduced.SVRG,
             "SSGD": K.VarianceReduced.SSGD_TEXTBOOK, "SARAHPlus": K.VarianceReduced.SARAHPLUS_TEXTBOOK}
_LOSS_POINTS = 100  # single-row methods record about this many loss values (without a stopping rule)
_FLT_EPSILON = 1.1920928955078125e-07  # R's tolerance in the ':' operator (seq_colon)
_SSGD_PLAN = 1 << 16  # SSGD draws the inner rows of about this many steps at a time


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
    if isinstance(dataTrain, chunked.Chunks):  # (learn's, scaled)
        values = dataTrain
    elif chunked.is_dask(dataTrain):  # (its pieces stay where they are: see graddescent.chunked)
        values = chunked.as_chunks(dataTrain, name="dataTrain")
    else:
        values = check_data(dataTrain, name="dataTrain")[0]
    m, n = values.shape
    stream = _Stream(seed)
    stream.reset()
    perm = stream.rng.sample(m) - 1 if shuffle else None
    stream.reset()
    theta = stream.rng.runif(n)  # R's getTheta: an intercept and one per input
    stream.reset()
    if isinstance(values, chunked.Chunks):
        return values, perm, theta, stream
    data = np.ascontiguousarray(values if layout == "rows" else values.T)
    return data, perm, theta, stream


def _inputs(data, layout):
    """The inputs of data by row or by column (a view), or of data held by Dask."""
    if isinstance(data, chunked.Chunks):
        return data.inputs()
    return data[:, :-1] if layout == "rows" else data[:-1].T


def _fetched(data, perm, rows):
    """For data held by Dask: the rows ``perm[rows]`` fetched, by row, and the identity as
    their shuffle and draws (so that the compiled loops read them as they read the data)."""
    local = data.take(perm[rows])
    ident = np.arange(rows.size, dtype=np.int64)
    return local, ident, ident


def run(method, dataTrain, seed=None, tol=None, n_iter_no_change=PATIENCE, scaled=None, average=None, alpha=0.1,
        maxIter=10, momentum=0.9, nBatch=2, innerIter=10, option=2, lamda=0, gammaS=0.125, variant="R",
        beta1=None, beta2=None, epsilon=None):
    """Fit with one of the 14 methods (R's control entries by their R names; beyond R, the
    ``variant`` and its constants, None for the default: see :data:`CONSTANTS`) and return
    what happened, a :class:`convergence.Fit`, without a warning: the callers word them
    (:func:`report`, ``learn``, the estimators, the command line), so that no warning is
    caught and re-issued, which is not safe in threads. ``scaled``: whether the data was
    scaled, for the remedy of a diverged fit (None: judged from the data). ``average``:
    whether a single-row method averages its iterates (None: with ``alpha="auto"``)."""
    constants = _check_variant(method, variant, {"beta1": beta1, "beta2": beta2, "epsilon": epsilon})
    kind = _KIND[method] if variant == "R" else K.SingleRow.AMSGRAD if variant == "amsgrad" else _TEXTBOOK[method]
    alpha = None if method == "ADADELTA" else _check_alpha(alpha)
    # (a single-row method with a stopping rule draws its rows a pass at a time)
    maxIter = check_iterations("maxIter", maxIter, MAX_STEPS if tol is not None and method in BY_ROW else MAX_ITER)
    tol = None if tol is None else check_number("tol", tol, low=0, hint=" (or None: R's fixed iterations)")
    patience = check_whole("n_iter_no_change", n_iter_no_change, low=1)
    if method in ("MGD", "AGD", "ADADELTA", "RMSPROP"):
        momentum = check_number("momentum", momentum, low=0, high=1, high_open=True)
    if method in VARIANCE_REDUCED:
        innerIter = check_iterations("innerIter", innerIter)
    if method == "SVRG":
        option = check_option(option)
    if method == "SSGD":
        _check_ssgd(alpha, innerIter, lamda)
    if method == "SARAHPlus":
        gammaS = check_number("gammaS", gammaS, low=0, low_open=True)
    if method in ("MGD", "AGD"):  # a heavy ball's loss rises and falls over the momentum's memory
        patience *= math.ceil(1 / (1 - momentum))
    rule = (-1.0 if tol is None else tol, patience)
    average = alpha == "auto" if average is None else average
    if not isinstance(average, (bool, np.bool_)):
        raise ValueError(f"average must be True or False (or None: with alpha='auto'), got {average!r}")
    if method in FULL_BATCH:
        return _full_batch(method, kind, dataTrain, seed, rule, scaled, alpha, maxIter, momentum,
                           nBatch if method == "MBGD" else None, average and method == "MBGD", variant)
    if method in BY_ROW:
        return _single_row(method, kind, dataTrain, seed, rule, scaled, alpha, maxIter, momentum, bool(average),
                           variant, constants)
    return _variance_reduced(method, kind, dataTrain, seed, rule, scaled, alpha, maxIter, innerIter, option,
                             lamda if method == "SSGD" else 0.0, gammaS if method == "SARAHPlus" else 0.0, variant)


#: The methods whose estimators learn from a stream of batches (partial_fit).
STREAMING = (*sorted(BY_ROW), "MBGD")


def partial_pass(method, data, state, alpha=0.1, momentum=0.9, nBatch=2, variant="R", beta1=None, beta2=None,
                 epsilon=None):
    """One pass over a batch of rows (by row, m x n, scaled as the caller scales them),
    continuing the fit held in ``state``, a dict (empty at first, then as this leaves it):
    the estimators' ``partial_fit``. A single-row method takes m steps on rows drawn with
    replacement from the batch, R's way (``sample(m, m, replace=TRUE)``, and SAGD's coins);
    MBGD takes its nBatch steps on R's batches of the batch shuffled. The draws continue one
    R stream (``state["rng"]``, seeded by the caller); the accumulators, the step taken
    (``alpha="auto"``: from the first batch) and the running average of the iterates (from
    the second batch on, where ``state["mean"]`` is set) carry over; SAG's table and sum of
    gradients belong to the rows of a batch, so they start afresh with each. Returns the mean
    squared residual of the rows drawn, each before its step (MBGD: of its batches)."""
    if method not in STREAMING:
        raise ValueError(f"{method} does not learn from a stream of batches; the methods that do: "
                         f"{', '.join(STREAMING)}")
    constants = _check_variant(method, variant, {"beta1": beta1, "beta2": beta2, "epsilon": epsilon})
    kind = _KIND[method] if variant == "R" else K.SingleRow.AMSGRAD if variant == "amsgrad" else _TEXTBOOK[method]
    m, n = data.shape
    rng = state["rng"]
    if "s" not in state:  # the first batch (theta given where the stream goes on from a fit)
        if "theta" not in state:
            state["theta"] = rng.runif(n)  # R's getTheta
        state.update(s=np.zeros(3), u=np.zeros(n), extra={"state": np.zeros((3, n)), **constants}
                     if variant != "R" else {}, averaged=0, mean=None)
    theta = state["theta"]
    if method == "MBGD":
        nBatch = check_whole("nBatch", nBatch, low=1, high=m, hint=" (the number of batches, at most the rows of the "
                             "batch)")
        cols = np.ascontiguousarray(data.T)
        perm = rng.sample(m) - 1
        batches, starts = _mbgd_batches(perm, nBatch) if nBatch > 1 else (np.empty(0, np.int64),
                                                                          np.empty(1, np.int64))
        if state.setdefault("alpha", alpha) == "auto":
            state["alpha"] = auto_alpha("MBGD", cols[:-1].T, batches, starts)
        loss = np.empty(max(nBatch, 1))
        K.full_batch(kind, cols, theta, state["alpha"], loss.size, momentum, batches, starts, loss)
        record = float(np.mean(loss))
    else:
        data = np.ascontiguousarray(data)
        perm = np.arange(m, dtype=np.int64)
        if state.setdefault("alpha", None if method == "ADADELTA" else alpha) == "auto":
            state["alpha"] = (_trial(kind, data, theta, perm, momentum, state["extra"]) if method in ADAPTIVE
                              else auto_alpha(method, data[:, :-1], variant=variant))
        rows = rng._unif_index(m, m)
        update = rng._unif_index(2, m) if method == "SAGD" and variant == "R" else np.empty(0, dtype=np.int64)
        out = np.empty(1)
        start = 0 if state["mean"] is not None else -1
        if kind == K.SingleRow.SAG:  # (its table: this batch's rows)
            state["extra"].update(state=np.zeros((3, n)), table=np.zeros(m))
        _, state["averaged"] = K.single_row(kind, data, theta, perm, rows, update, state["alpha"] or 0.0, momentum, m,
                                            out, state["s"], state["u"], state["mean"], state["averaged"], start,
                                            **state["extra"])
        record = float(out[0])
    if state.get("average") and state["mean"] is None:  # (from the second batch on)
        state["mean"] = np.zeros(n)
    elif method == "MBGD" and state["mean"] is not None:  # (MBGD: the average of the batches' last iterates)
        state["averaged"] += 1
        state["mean"] += (theta - state["mean"]) / state["averaged"]
    return record


def _check_variant(method, variant, given):
    """The variant's constants (the published rule's, by name), checked: a variant the method
    has, and no constant set away from its default for R's rule, which fixes its own."""
    have = VARIANTS[method]
    if not isinstance(variant, str) or variant not in have:
        rules = "only R's rule, 'R'" if len(have) == 1 else f"the variants {', '.join(map(repr, have))}"
        raise ValueError(f"{method} has no variant {variant!r}; it has {rules}")
    constants = dict(CONSTANTS.get(method, {}))
    for name, value in given.items():
        if value is None:
            continue
        if name not in constants:
            raise ValueError(f"{method} has no constant {name}; " + (
                f"its published rule's are {', '.join(constants)}" if constants else "it takes none"))
        if name == "epsilon":
            value = check_number(name, value, low=0, low_open=True)
        else:
            value = check_number(name, value, low=0, high=1, high_open=True)
        if variant == "R" and value != constants[name]:
            raise ValueError(f"{name} is a constant of the published rule, which R's {method} does not take (it "
                             f"fixes its own); pass variant={have[1]!r} to use {name}={value:g}, or leave it out")
        constants[name] = value
    return constants


def report(fit, method, return_loss, stacklevel=3):
    """The public functions' result, R's 1 x n theta (with the loss record if asked), and
    a ConvergenceWarning with the remedy for a fit that diverged or stopped at maxIter
    before its stopping rule was met."""
    message = warning_text(fit, method)
    if message:
        from sklearn.exceptions import ConvergenceWarning  # here: importing scikit-learn takes a second

        warnings.warn(message, ConvergenceWarning, stacklevel=stacklevel)
    return (fit.theta, fit.loss) if return_loss else fit.theta


def warning_text(fit, method, iterations="maxIter"):
    """What a ConvergenceWarning says of this fit ("" where there is nothing to say)."""
    if fit.diverged:
        finite = fit.loss[np.isfinite(fit.loss)]
        grew = (f" (the training loss went from {fit.loss[0]:.3g} to {fit.loss[-1]:.3g})"
                if finite.size == fit.loss.size and fit.loss.size > 1 else "")
        return f"{method} diverged{grew}: {fit.remedy}."
    if fit.converged is False:
        return (f"{method} stopped at {iterations} = {fit.n_iter} before its loss stopped improving by tol; "
                f"raise {iterations}, or tol")
    return ""


def _check_alpha(alpha):
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


def _outcome(method, theta, loss, n_iter, passes, converged, alpha, inputs, scaled, start, end, exact=True,
             **bound_args):
    """A :class:`Fit`, judged: diverged or not (``start``, ``end``: the loss over all rows at
    the first and last theta; ``exact``: whether the loss record is), and the remedy."""
    theta = theta.reshape(1, -1)
    bad = diverged(theta, start, end, loss if exact else None)
    return Fit(theta, loss, n_iter, passes, None if converged is None else bool(converged) and not bad, alpha, bad,
               remedy(method, alpha, inputs, scaled, **bound_args) if bad else "")


_PARAMETERS = {  # numpydoc for every argument, by R's name
    "dataTrain": "pandas.DataFrame, numpy.ndarray, dask.array.Array or dask.dataframe.DataFrame, shape (m, n)\n"
                 "Numbers only; the last column is the output. Data held by Dask is fitted where it is, with the "
                 "numbers of the same data in memory (:mod:`graddescent.chunked`).",
    "alpha": "float or 'auto'\nLearning rate, > 0; ``'auto'`` (not in R) derives it from the data, and for the "
             "single-row methods and MBGD averages the iterates (:mod:`graddescent.convergence` says how).",
    "maxIter": "int\n{iterations}",
    "momentum": "float\nMomentum, or decay of the running averages, in [0, 1).",
    "nBatch": "int\nNumber of batches, 1..m (a single-row batch works, unlike in R).",
    "innerIter": "int\nNumber of inner steps, >= 1.",
    "option": "{{1, 2}}\nWhich inner iterate becomes theta: 1 R's ``L[innerIter]`` (the second-to-last), "
              "2 a random one.",
    "lamda": "float\nSkew of the inner-loop length towards innerIter, >= 0 (R's spelling).",
    "gammaS": "float\nSufficient reduction, > 0.",
    "seed": "int or None\nR's seed (``set.seed``); None draws a fresh one.",
    "variant": "{{{variants}}}\nKeyword only, not in R: which rule. ``'R'``: R's rule and R's numbers. {published}",
    "epsilon": "float\nKeyword only, not in R: the published rule's epsilon, > 0 (torch.optim.{torch}'s default); "
               "R's rule fixes its own, {r_epsilon}.",
    "beta1": "float\nKeyword only, not in R: the published rule's decay of the first moment, in [0, 1) "
             "(torch.optim.Adam's default); R's rule fixes 0.9.",
    "beta2": "float\nKeyword only, not in R: the published rule's decay of the second moment, in [0, 1) "
             "(torch.optim.Adam's default); R's rule fixes 0.999.",
    "tol": "float or None\nKeyword only, not in R: the stopping rule, judged once a pass ({pass_}): stop once "
           "``n_iter_no_change`` passes in a row have settled, where what is left to gain at the rate the loss "
           "falls is at most ``tol`` times the loss (:mod:`graddescent.convergence` says exactly); maxIter is then "
           "the most. None: R's fixed iterations.",
    "n_iter_no_change": "int\nKeyword only, not in R: the settled passes in a row that end the fit (with ``tol``).",
    "return_loss": "bool\nKeyword only, not in R. Also return the training loss record: {loss}.",
}
_FAMILIES = {  # (what maxIter counts, what the loss record holds, what a pass is)
    "full batch": ("Number of iterations, >= 1.",
                   "the mean squared residual of each iteration (of its batch for MBGD), at the theta it started from, "
                   "as far as the fit ran",
                   "a pass: one iteration, nBatch for MBGD"),
    "single row": ("Number of steps, >= 1, one row each (drawn with replacement, as R draws them).",
                   "the mean squared residual of the sampled rows over windows of steps (about 100 values; with "
                   "``tol``, one per pass of m steps, then, once the iterates are averaged, the average's over all "
                   "rows)",
                   "a pass: m steps, its loss their mean squared residual"),
    "variance reduced": ("Number of outer iterations, >= 1, one full gradient each.",
                         "the mean squared residual at the start of each outer iteration, as far as the fit ran",
                         "a pass: an outer iteration"),
}


_PUBLISHED = {  # what variant="textbook" is, by method (see each function's docstring)
    "AGD": "``'textbook'``: Nesterov momentum as torch.optim.SGD(nesterov=True).",
    "SAGD": "``'textbook'``: SAG (Schmidt, Le Roux and Bach 2017).",
    "ADAGRAD": "``'textbook'``: one accumulator per coefficient, as torch.optim.Adagrad (Duchi, Hazan and Singer "
               "2011).",
    "ADADELTA": "``'textbook'``: per coefficient, as torch.optim.Adadelta with learning rate 1 (Zeiler 2012).",
    "RMSPROP": "``'textbook'``: per coefficient, as torch.optim.RMSprop (Tieleman and Hinton 2012).",
    "ADAM": "``'textbook'``: per coefficient, corrected by ``1 - beta^t``, as torch.optim.Adam (Kingma and Ba 2015); "
            "``'amsgrad'``: with the running maximum of the second moment, as torch.optim.Adam(amsgrad=True) (Reddi, "
            "Kale and Kumar 2018).",
    "SVRG": "``'textbook'``: option 1 keeps the last inner iterate (Johnson and Zhang 2013).",
    "SSGD": "``'textbook'``: S2GD's sign of the correction (Konecny and Richtarik 2017).",
    "SARAHPlus": "``'textbook'``: the test on the whole gradient vector's norm (Nguyen et al. 2017).",
}
_TORCH = {"ADAGRAD": "Adagrad", "ADADELTA": "Adadelta", "RMSPROP": "RMSprop", "ADAM": "Adam"}


def _document(family):
    """Complete a method's docstring: its parameters in R's order with R's defaults, and what it returns."""
    iterations, loss, pass_ = _FAMILIES[family]

    def decorate(fn):
        method = fn.__name__
        lines = [inspect.cleandoc(fn.__doc__), "", "Parameters", "----------"]
        for name, parameter in inspect.signature(fn).parameters.items():
            kind, text = _PARAMETERS[name].format(
                iterations=iterations, loss=loss, pass_=pass_, variants=", ".join(map(repr, VARIANTS[method])),
                published=_PUBLISHED.get(method, "The only one this method has."), torch=_TORCH.get(method),
                r_epsilon="none" if method == "ADAGRAD" else "1e-7").split("\n", 1)
            default = "" if parameter.default is inspect.Parameter.empty else f", default {parameter.default!r}"
            lines += [f"{name} : {kind}{default}", *textwrap.wrap(text, 88, initial_indent="    ",
                                                                   subsequent_indent="    ")]
        lines += ["", "Returns", "-------", "theta : numpy.ndarray, shape (1, n)",
                  "    Intercept first, as R's 1 x n matrix; ``(theta, loss)`` with ``return_loss``.",
                  "", "Warns", "-----", "sklearn.exceptions.ConvergenceWarning",
                  "    When the fit diverged (with the remedy: the stable step for this data), or, with ``tol``,",
                  "    stopped at maxIter before the rule was met."]
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


def _full_batch(method, kind, dataTrain, seed, rule, scaled, alpha, maxIter, momentum, nBatch, average, variant):
    cols, perm, theta, _ = _prepare(dataTrain, seed, "columns", shuffle=nBatch is not None)
    held = isinstance(cols, chunked.Chunks)
    batches, starts = np.empty(0, np.int64), np.empty(1, np.int64)  # all rows
    if nBatch is not None:  # MBGD
        nBatch = check_whole("nBatch", nBatch, low=1, high=cols.shape[0] if held else cols.shape[1],
                             hint=" (the number of batches, at most the number of rows)")
        if nBatch > 1:
            batches, starts = _mbgd_batches(perm, nBatch)
    del perm
    inputs = _inputs(cols, "columns")
    if alpha == "auto":
        alpha = auto_alpha(method, inputs, batches, starts)
    loss = np.empty(maxIter)
    mean = np.zeros(theta.size) if average else None
    first = theta.copy()
    gradient = cols.gradient() if held else None
    ran, converged, averaged = K.full_batch(kind, np.empty((theta.size, 0)) if held else cols, theta, alpha, maxIter,
                                            momentum, batches, starts, loss, *rule, mean, gradient)
    if averaged:
        theta = mean
    exact = method != "MBGD"  # (MBGD's record holds its batches' losses: the whole loss is measured)
    start, end = (loss[0], loss[ran - 1]) if exact else (_whole_loss(cols, first), _whole_loss(cols, theta))
    return _outcome(method, theta, loss[:ran], ran, ran / max(starts.size - 1, 1), converged if rule[0] >= 0 else None,
                    alpha, inputs, scaled, start, end, exact, momentum=momentum, batches=batches, starts=starts,
                    variant=variant)


def _whole_loss(cols, theta):
    """The mean squared residual of theta over all rows of data by column (exact)."""
    return (cols.gradient() if isinstance(cols, chunked.Chunks) else FullGradient(cols))(theta)[1]


@_document("full batch")
def GD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
       return_loss=False):
    """Gradient Descent (R's ``GD``): ``theta -= alpha * X'(X theta - y) / m`` on all rows.
    """
    return report(run("GD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, variant=variant),
                  "GD", return_loss)

@_document("full batch")
def MBGD(dataTrain, alpha=0.1, maxIter=10, nBatch=2, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
         return_loss=False):
    """Mini-Batch Gradient Descent (R's ``MBGD``): GD steps on consecutive slices of the rows.

    The shuffled rows are cut into ``nBatch`` slices of ``m / nBatch`` rows (R's
    sequence arithmetic, so with fractional sizes a row may be left out); iteration
    ``t`` uses slice ``(t - 1) mod nBatch``.
    """
    return report(run("MBGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, nBatch=nBatch,
                      variant=variant), "MBGD", return_loss)

@_document("full batch")
def MGD(dataTrain, alpha=0.1, maxIter=10, momentum=0.9, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
        return_loss=False):
    """Momentum Gradient Descent (R's ``MGD``): ``v = momentum v + alpha g; theta -= v``.
    """
    return report(run("MGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, momentum=momentum,
                      variant=variant), "MGD", return_loss)

@_document("full batch")
def AGD(dataTrain, alpha=0.1, maxIter=10, momentum=0.9, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
        return_loss=False):
    """Accelerated (Nesterov) Gradient Descent (R's ``AGD``).

    Each iteration moves theta to the look-ahead point ``theta - momentum v`` (R keeps
    it there), takes the gradient there, then ``v = momentum v + alpha g; theta -= v``.
    ``variant="textbook"``: Nesterov momentum as ``torch.optim.SGD(nesterov=True)``
    (dampening 0), the gradient ``g`` at theta itself, ``b = momentum b + g;
    theta -= alpha (g + momentum b)``.
    """
    return report(run("AGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, momentum=momentum,
                      variant=variant), "AGD", return_loss)

# --------------------------------------------------------------------------- single row

def _single_row(method, kind, dataTrain, seed, rule, scaled, alpha, maxIter, momentum, average, variant, constants):
    """The single-row methods. Without a stopping rule, R's draws are made up front as R
    makes them: maxIter rows, then (SAGD) maxIter coins. With one, a pass of m rows (and,
    for SAGD, then its m coins) is drawn at a time, so that a long fit needs no memory for
    draws it never uses (the rows are R's all the same; SAGD's coins are not). The published
    rules keep their accumulators in ``state`` (and SAG its table of residuals), carried
    from pass to pass; SAG draws no coins."""
    data, perm, theta, stream = _prepare(dataTrain, seed)
    m, n = data.shape
    coin, auto = method == "SAGD" and variant == "R", alpha == "auto"
    s, u = np.zeros(3), np.zeros(n)
    extra = {"state": np.zeros((3, n)), "table": np.zeros(m) if method == "SAGD" else None,
             **constants} if variant != "R" else {}
    if auto:
        alpha = (_trial(kind, data, theta, perm, momentum, extra) if method in ADAPTIVE
                 else auto_alpha(method, _inputs(data, "rows"), variant=variant))
    mean, averaged = (np.zeros(n), 0) if average else (None, 0)
    first = theta.copy()
    stream.reset()
    if rule[0] < 0:
        rows = stream.rng._unif_index(m, maxIter)  # R's sample(m, maxIter, replace=TRUE), 0-based
        # SAGD's coin, R's sample(0:1, 1) at every step (1: update), drawn after the whole row list
        update = stream.rng._unif_index(2, maxIter) if coin else np.empty(0, dtype=np.int64)
        window = -(-maxIter // _LOSS_POINTS)
        loss = np.empty(-(-maxIter // window))
        start = -1 if mean is None else (m if maxIter >= 2 * m else maxIter // 2)  # averaged after the first pass
        written, averaged = _steps(kind, data, theta, perm, rows, update, 0.0 if alpha is None else alpha,
                                   momentum, window, loss, s, u, mean, 0, start, extra)
        loss, steps, converged = loss[:written], maxIter, None
    else:
        record, state, steps, converged = [], K.rule_state(rule[1]), 0, False
        since, best, stale = None, math.inf, 0  # since: the pass from which the iterates are averaged
        while steps < maxIter:
            size = min(m, maxIter - steps)
            rows = stream.rng._unif_index(m, size)
            update = stream.rng._unif_index(2, size) if coin else np.empty(0, dtype=np.int64)
            out = np.empty(1)
            written, averaged = _steps(kind, data, theta, perm, rows, update, 0.0 if alpha is None else alpha,
                                       momentum, size, out, s, u, mean, averaged, -1 if since is None else 0, extra)
            steps += size
            if since is None:  # the steps' loss (each residual before its step, as scikit-learn's SGD's epoch loss)
                record.append(out[0] if written else math.nan)
                if mean is not None:  # scikit-learn's rule on it: no pass better than the best by tol, p times
                    stale = 0 if record[-1] < best * (1 - rule[0]) else stale + 1
                    best = min(best, record[-1])
                    if stale >= rule[1] or 2 * steps >= maxIter:  # at its floor: from here on, the average
                        since = len(record)
                if not math.isfinite(record[-1]) or mean is None and K.stopped(state, record[-1], *rule):
                    converged = math.isfinite(record[-1])
                    break
            else:  # the averaged iterate's loss (what the fit returns), judged with its loss half-way back
                record.append(_mean_squared_residual(data, mean))
                if K.stopped(state, record[-1], *rule, record[since + (len(record) - since) // 2]):
                    converged = math.isfinite(record[-1])
                    break
        loss = np.array(record)
    if averaged:
        theta = mean
    start, end = _mean_squared_residual(data, first), _mean_squared_residual(data, theta)
    return _outcome(method, theta, loss, steps, steps / m, converged, alpha, _inputs(data, "rows"), scaled, start, end,
                    False, variant=variant)


def _mean_squared_residual(data, theta):
    return data.mean_squared_residual(theta) if isinstance(data, chunked.Chunks) else K.mean_squared_residual(
        data, theta)


def _steps(kind, data, theta, perm, rows, update, alpha, momentum, window, loss, s, u, mean=None, averaged=0,
           average_from=-1, extra=None):
    """:func:`graddescent._kernels.single_row` (its arguments, its result), and for data held
    by Dask the same steps a stretch at a time (at most ``chunked.FETCH`` rows, and none past
    the end of a loss window), each on the rows it reads, fetched: the same numbers.
    ``extra``: a published rule's state and constants (SAG's table stays whole: the fetched
    rows are told their rows of the whole data set)."""
    extra = extra or {}
    if not isinstance(data, chunked.Chunks):
        return K.single_row(kind, data, theta, perm, rows, update, alpha, momentum, window, loss, s, u, mean, averaged,
                            average_from, **extra)
    written, carry, lo = 0, np.zeros(2), 0
    while lo < rows.size:  # a stretch of rows fetched,
        hi = min(rows.size, lo + chunked.FETCH)
        local, ident, _ = _fetched(data, perm, rows[lo:hi])
        t0 = lo
        while t0 < hi:  # its steps run a loss window at a time
            t1 = min(hi, (t0 // window + 1) * window)
            start = average_from if average_from < 0 else max(average_from - t0, 0)
            _, averaged = K.single_row(kind, local, theta, ident, ident[t0 - lo:t1 - lo],
                                       update[t0:t1] if update.size else update, alpha, momentum, t1 - t0 + 1,
                                       np.empty(1), s, u, mean, averaged, start, carry=carry,
                                       table_rows=perm[rows[lo:hi]], **extra)
            if t1 % window == 0 or t1 == rows.size:  # the end of a loss window (as the compiled loop ends one)
                if carry[1] > 0:
                    loss[written] = carry[0] / carry[1]
                    written += 1
                carry[:] = 0.0
            t0 = t1
        lo = hi
    return written, averaged


def _trial(kind, data, theta, perm, momentum, extra):
    """ADAGRAD's, RMSPROP's and ADAM's step for ``alpha="auto"``: the one of TRIAL_ALPHAS
    with the lowest mean squared residual over a trial pass from the starting theta through
    the rows in R's shuffled order (at least and at most TRIAL_STEPS steps, going round the
    rows again where they are fewer); the smaller on a tie. ``extra``: a published rule's
    state and constants (a fresh state for each trial)."""
    rows = np.arange(min(max(perm.size, TRIAL_STEPS[0]), TRIAL_STEPS[1]), dtype=np.int64) % perm.size
    if isinstance(data, chunked.Chunks):  # (at most TRIAL_STEPS[1] rows)
        data, perm, rows = _fetched(data, perm, rows)
    best, chosen = np.inf, TRIAL_ALPHAS[0]
    for alpha in TRIAL_ALPHAS:
        out = np.empty(1)
        fresh = {**extra, "state": np.zeros((3, theta.size))} if extra else {}
        K.single_row(kind, data, theta.copy(), perm, rows, np.empty(0, np.int64), alpha, momentum, rows.size, out,
                     np.zeros(3), np.zeros(theta.size), **fresh)
        if out[0] < best:
            best, chosen = out[0], alpha
    return chosen


@_document("single row")
def SGD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
        return_loss=False):
    """Stochastic Gradient Descent (R's ``SGD``): ``theta -= alpha * e_i x_i``, one row per step."""
    return report(run("SGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, variant=variant),
                  "SGD", return_loss)

@_document("single row")
def SAGD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
         return_loss=False):
    """Stochastic Average Gradient Descent (R's ``SAGD``): SGD that skips each step on a coin flip.

    R draws the coin (``sample(0:1, 1)``) at every step and updates only on a 1.
    ``variant="textbook"``: SAG (Schmidt, Le Roux and Bach 2017, Algorithm 1) on R's rows,
    no coins: a table of each row's last gradient ``y_i`` (kept as its residual, O(m)), and
    per step ``d = d - y_i + e_i x_i; y_i = e_i x_i; theta -= (alpha / m) d``. As in the
    paper's Algorithm 1 the table starts at zero and the step divides by m from the first
    pass on (not by the rows seen so far, the paper's Section 4.6 remedy for early steps).
    """
    return report(run("SAGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, variant=variant),
                  "SAGD", return_loss)

@_document("single row")
def ADAGRAD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, variant="R", epsilon=1e-10, tol=None,
            n_iter_no_change=PATIENCE, return_loss=False):
    """Adaptive Gradient (R's ``ADAGRAD``): ``theta_j -= alpha g_j / sqrt(G)``.

    As in R, ``G`` is one running sum of every squared gradient component of every step,
    shared by all columns. ``variant="textbook"`` (Duchi, Hazan and Singer 2011, as
    ``torch.optim.Adagrad``): one sum per coefficient, ``G_j += g_j^2; theta_j -= alpha g_j /
    (sqrt(G_j) + epsilon)``, with ``g = e_i x_i`` (R's scale of a row's gradient).
    """
    return report(run("ADAGRAD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, variant=variant,
                      epsilon=epsilon), "ADAGRAD", return_loss)

@_document("single row")
def ADADELTA(dataTrain, maxIter=10, momentum=0.9, seed=None, *, variant="R", epsilon=1e-6, tol=None,
             n_iter_no_change=PATIENCE, return_loss=False):
    """ADADELTA (R's ``ADADELTA``): step sizes from running RMS of gradients and updates.

    No learning rate. As in R, the running averages are scalars carried from column to
    column and step to step; epsilon is 1e-7. ``variant="textbook"`` (Zeiler 2012, as
    ``torch.optim.Adadelta`` with learning rate 1, decay ``rho = momentum``): per coefficient,
    ``Eg_j = rho Eg_j + (1 - rho) g_j^2; d_j = sqrt(Eu_j + epsilon) / sqrt(Eg_j + epsilon) g_j;
    Eu_j = rho Eu_j + (1 - rho) d_j^2; theta_j -= d_j``, with ``g = e_i x_i``.
    """
    return report(run("ADADELTA", dataTrain, seed, tol, n_iter_no_change, maxIter=maxIter, momentum=momentum,
                      variant=variant, epsilon=epsilon), "ADADELTA", return_loss)

@_document("single row")
def RMSPROP(dataTrain, alpha=0.1, maxIter=10, momentum=0.9, seed=None, *, variant="R", epsilon=1e-8, tol=None,
            n_iter_no_change=PATIENCE, return_loss=False):
    """RMSprop (R's ``RMSPROP``): ``theta_j -= alpha g_j / sqrt(Eg + 1e-7)``.

    As in R, ``Eg`` (the running mean of squared gradients) is one scalar shared by all
    columns. ``variant="textbook"`` (Tieleman and Hinton 2012, as ``torch.optim.RMSprop``,
    whose ``alpha`` is the decay ``momentum`` here): one per coefficient, ``Eg_j = momentum
    Eg_j + (1 - momentum) g_j^2; theta_j -= alpha g_j / (sqrt(Eg_j) + epsilon)``, with
    ``g = e_i x_i``.
    """
    return report(run("RMSPROP", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter,
                      momentum=momentum, variant=variant, epsilon=epsilon), "RMSPROP", return_loss)

@_document("single row")
def ADAM(dataTrain, alpha=0.1, maxIter=10, seed=None, *, variant="R", beta1=0.9, beta2=0.999, epsilon=1e-8, tol=None,
         n_iter_no_change=PATIENCE, return_loss=False):
    """Adam (R's ``ADAM``): beta1 0.9, beta2 0.999, epsilon 1e-7.

    As in R, the two moments are scalars shared by all columns and the bias correction is
    the constant ``1 / (1 - beta)`` rather than ``1 / (1 - beta^t)``. ``variant="textbook"``
    (Kingma and Ba 2015, as ``torch.optim.Adam``): moments per coefficient, ``m_j = beta1 m_j
    + (1 - beta1) g_j; v_j = beta2 v_j + (1 - beta2) g_j^2; theta_j -= alpha / (1 - beta1^t)
    m_j / (sqrt(v_j) / sqrt(1 - beta2^t) + epsilon)`` at step t (counted over the whole fit),
    with ``g = e_i x_i``. ``variant="amsgrad"`` (Reddi, Kale and Kumar 2018, as
    ``torch.optim.Adam(amsgrad=True)``): the same, dividing by the running maximum of ``v_j``.
    """
    return report(run("ADAM", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, variant=variant,
                      beta1=beta1, beta2=beta2, epsilon=epsilon), "ADAM", return_loss)

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


def _variance_reduced(method, kind, dataTrain, seed, rule, scaled, alpha, maxIter, innerIter, option, lamda, gammaS,
                      variant):
    """SVRG, SSGD, SARAH and SARAHPlus: R's draws made up front, then one compiled loop.

    SVRG, SARAH and SARAHPlus draw their inner rows once for the whole fit; SVRG and
    SARAH then draw ``sample(innerIter, 1)`` after each outer iteration's inner loop,
    which itself draws nothing, so all those draws can be made first. SSGD draws
    its inner lengths and rows as it goes; they too depend only on the stream.
    """
    cols, perm, theta, stream = _prepare(dataTrain, seed, "columns")
    m, rng, inputs = perm.size, stream.rng, _inputs(cols, "columns")
    if alpha == "auto":
        alpha = auto_alpha(method, inputs, inner_iter=innerIter, variant=variant)
    stream.reset()
    gradient = cols.gradient() if isinstance(cols, chunked.Chunks) else None
    if method == "SSGD":  # its plan a piece at a time (the draws are the same)
        state, losses, ran, converged = K.rule_state(rule[1]), [], 0, False
        chunk = max(1, _SSGD_PLAN // innerIter)
        while ran < maxIter:
            size = min(chunk, maxIter - ran)
            counts, rows = _ssgd_plan(rng, size, innerIter, lamda, alpha, m)
            hi = np.cumsum(counts)
            loss = np.empty(size)
            theta, done, stopped = K.variance_reduced(kind, *_inner(cols, perm, rows, theta), hi - counts, hi,
                                                      np.zeros(size, np.int64), alpha, gammaS, loss, *rule, state,
                                                      gradient)
            losses.append(loss[:done])
            ran += done
            if stopped:
                converged = math.isfinite(loss[done - 1])
                break
        loss = np.concatenate(losses)
    else:
        keep = np.zeros(maxIter, dtype=np.int64)
        rows = rng._unif_index(m, innerIter)
        lo, hi = np.zeros(maxIter, np.int64), np.full(maxIter, innerIter, np.int64)
        if method == "SVRG" and option == 1:  # R's keeps L[innerIter], the second-to-last iterate; published: the last
            keep[:] = innerIter - 1 if variant == "R" else innerIter
        elif method == "SVRG":
            keep[:] = rng.sample(innerIter, maxIter, replace=True) - 1
        elif gammaS == 0:  # SARAH; SARAHPlus keeps its last iterate and draws nothing
            keep[:] = rng.sample(innerIter, maxIter, replace=True) - 1
        loss = np.empty(maxIter)
        theta, ran, converged = K.variance_reduced(kind, *_inner(cols, perm, rows, theta), lo, hi, keep, alpha, gammaS,
                                                   loss, *rule, None, gradient)
        loss = loss[:ran]
    return _outcome(method, theta, loss, ran, ran, converged if rule[0] >= 0 else None, alpha, inputs, scaled,
                    loss[0], loss[-1], inner_iter=innerIter, variant=variant)


def _inner(cols, perm, rows, theta):
    """The data (by column), theta, shuffle and rows the inner loops read: for data held by
    Dask, just the rows they read, fetched, with the identity as their shuffle and rows."""
    if not isinstance(cols, chunked.Chunks):
        return cols, theta, perm, rows
    local, ident, _ = _fetched(cols, perm, rows)
    return np.ascontiguousarray(local.T), theta, ident, ident


@_document("variance reduced")
def SVRG(dataTrain, alpha=0.1, maxIter=10, innerIter=10, option=2, seed=None, *, variant="R", tol=None,
         n_iter_no_change=PATIENCE, return_loss=False):
    """Stochastic Variance Reduced Gradient (R's ``SVRG``).

    Each outer iteration takes the full gradient ``mu`` at a snapshot ``w0 = theta`` and runs
    ``innerIter`` steps ``w -= alpha (e_i(w) x_i - e_i(w0) x_i + mu)`` over rows drawn once
    for the whole fit. ``option=1`` then keeps R's ``L[innerIter]``, the second-to-last
    iterate; ``option=2`` keeps a random one of ``w0, w1, ..., w_(innerIter-1)``.
    ``variant="textbook"``: option 1 keeps the last iterate, as Johnson and Zhang 2013
    (option 2 is theirs already).
    """
    return report(run("SVRG", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter,
                      innerIter=innerIter, option=option, variant=variant), "SVRG", return_loss)

@_document("variance reduced")
def SSGD(dataTrain, alpha=0.1, maxIter=10, lamda=0, innerIter=10, seed=None, *, variant="R", tol=None,
         n_iter_no_change=PATIENCE, return_loss=False):
    """Semi Stochastic Gradient Descent (R's ``SSGD``).

    Each outer iteration takes the full gradient ``mu`` at theta, draws an inner-loop length
    ``K`` (R's ``randomProb``: uniform on ``1..innerIter`` when ``lamda`` is 0, skewed by
    ``(1 - lamda alpha)^-k`` otherwise) and runs ``K`` steps on fresh random rows of
    ``w -= alpha (mu - e_r(w) x_r + e_r(theta) x_r)``: R's sign, the opposite of SVRG's correction.
    ``variant="textbook"``: S2GD's sign (Konecny and Richtarik 2017, Algorithm 1),
    ``w -= alpha (mu + e_r(w) x_r - e_r(theta) x_r)``, with R's draws of K and the rows.
    """
    return report(run("SSGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, lamda=lamda,
                      innerIter=innerIter, variant=variant), "SSGD", return_loss)

@_document("variance reduced")
def SARAH(dataTrain, alpha=0.1, maxIter=10, innerIter=10, seed=None, *, variant="R", tol=None,
          n_iter_no_change=PATIENCE, return_loss=False):
    """StochAstic Recursive grAdient algoritHm (R's ``SARAH``).

    Each outer iteration starts from the full gradient ``v`` at theta, steps ``w = theta -
    alpha v``, then runs ``innerIter - 1`` recursive steps ``v = e_i(w) x_i - e_i(w_prev)
    x_i + v; w -= alpha v`` over rows drawn once for the whole fit, and keeps a random one
    of theta and the iterates after the first step (R's list).
    """
    return report(run("SARAH", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter,
                      innerIter=innerIter, variant=variant), "SARAH", return_loss)

@_document("variance reduced")
def SARAHPlus(dataTrain, alpha=0.1, maxIter=10, innerIter=10, gammaS=0.125, seed=None, *, variant="R", tol=None,
              n_iter_no_change=PATIENCE, return_loss=False):
    """SARAH+ (R's ``SARAHPlus``): SARAH whose inner loop stops early.

    The inner loop runs while ``(|v_1| / 3)^2 > gammaS (|v0_1| / 3)^2`` (R compares only the
    intercept's component) and fewer than ``innerIter`` steps have run; theta becomes the
    last iterate. With ``gammaS >= 1`` the loop never runs and theta never changes (as in R).
    ``variant="textbook"`` (Nguyen et al. 2017, Algorithm 2): the test is on the whole
    vector, ``|v_(t-1)|^2 > gammaS |v_0|^2``, and theta becomes the last iterate, at least
    the first step's ``w_1 = theta - alpha v_0``.
    """
    return report(run("SARAHPlus", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter,
                      innerIter=innerIter, gammaS=gammaS, variant=variant), "SARAHPlus", return_loss)