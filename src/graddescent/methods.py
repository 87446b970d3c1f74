"""The 14 learning functions of R's gradDescent 3.0, with R's names, defaults and numbers.

Every function runs its method through :func:`graddescent.drivers.run` (R's preamble and
draws, then one of three compiled drivers, ``_kernels.pyx``, where each method's update
rule is a few lines under its R name; where R's arithmetic departs from the textbook rule
the departure is kept and marked "R's") and reports what happened (:func:`report`). What
each method is, its family, control entries and rules, is its record in
:data:`graddescent.catalog.METHODS`.

Randomness follows R exactly (:class:`graddescent.RRandom`), with one convention from
the reference: R's ``set.seed(NULL)`` calls inside the package are no-ops, so with an
integer seed every draw continues the stream that seed started (this makes SAGD,
SVRG option 2 and SARAH reproducible, which R is not).

Beyond R, the methods whose R rule departs from the published one also have that rule:
``variant="textbook"`` (and ``"amsgrad"`` for ADAM), with the published constants as
keyword-only arguments (torch.optim's defaults); ``variant="R"``, the default, is R's rule
and R's numbers. Each method's record lists its rules; the README has a table of the two
rules side by side, with the references.

Beyond R (:mod:`graddescent.convergence` says how): a stopping rule (``tol``,
``n_iter_no_change``), automatic steps (``alpha="auto"``), and a ConvergenceWarning with
the remedy for a fit that diverged or stopped before it converged. With ``tol=None`` and a
number for ``alpha`` (the defaults) every method computes R's numbers.
"""

import inspect
import textwrap
import warnings

import numpy as np

from .catalog import METHODS
from .convergence import PATIENCE
from .drivers import run

__all__ = [
    "GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM",
    "SVRG", "SSGD", "SARAH", "SARAHPlus",
]


def report(fit, method, return_loss, stacklevel=3, return_path=False):
    """The public functions' result, R's 1 x n theta (with the loss record and the path if
    asked), and a ConvergenceWarning with the remedy for a fit that diverged or stopped at
    maxIter before its stopping rule was met."""
    message = warning_text(fit, method)
    if message:
        from sklearn.exceptions import ConvergenceWarning  # here: importing scikit-learn takes a second

        warnings.warn(message, ConvergenceWarning, stacklevel=stacklevel)
    out = (fit.theta, *((fit.loss,) if return_loss else ()), *((fit.path,) if return_path else ()))
    return out if len(out) > 1 else fit.theta


def warning_text(fit, method, iterations="maxIter"):
    """What a ConvergenceWarning says of this fit ("" where there is nothing to say)."""
    if fit.diverged:
        finite = fit.loss[np.isfinite(fit.loss)]
        grew = (f" (the training loss went from {fit.loss[0]:.3g} to {fit.loss[-1]:.3g})"
                if finite.size == fit.loss.size and fit.loss.size > 1 else "")
        return f"{method} diverged{grew}: {fit.remedy}."
    if fit.converged is False and fit.advice:
        return f"{method} stopped after {fit.n_iter} iterations: {fit.advice.replace('maxIter', iterations)}"
    if fit.converged is False:
        return (f"{method} stopped at {iterations} = {fit.n_iter} before its loss stopped improving by tol; "
                f"raise {iterations}, or tol")
    return ""


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
    "tol": "float or None\nKeyword only, not in R: the fit converged once its coefficients are certified within "
           "``tol`` of the least-squares solution (the largest standardized error over the largest standardized "
           "slope: :mod:`graddescent.certificate`), checked once a pass ({pass_}); {stops} maxIter is then the "
           "most, and may be ``'auto'``. None: R's fixed iterations.",
    "n_iter_no_change": "int\nKeyword only, not in R: the settled passes of the loss in a row that end a fit whose "
                        "steps are noisy, or a fit without a certificate (with ``tol``).",
    "return_loss": "bool\nKeyword only, not in R. Also return the training loss record: {loss}.",
    "return_path": "bool\nKeyword only, not in R. Also return the path: a DataFrame of theta after each "
                   "iteration (row 0 where it started, index ``iteration``), each row what the fit returns if "
                   "it stops there (the average, once iterates are averaged): R's fit with that maxIter, "
                   "bit for bit, where R's draws for fewer iterations are the first of these ({path_note}).",
    "path_every": "int\nKeyword only, not in R: keep every ``path_every``-th iteration of the path (and the "
                  "last), for a long fit.",
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


def _document(family):
    """Complete a method's docstring: its parameters in R's order with R's defaults, and what it returns."""
    iterations, loss, pass_ = _FAMILIES[family]

    def decorate(fn):
        method = fn.__name__
        record = METHODS[method]
        lines = [inspect.cleandoc(fn.__doc__), "", "Parameters", "----------"]
        for name, parameter in inspect.signature(fn).parameters.items():
            kind, text = _PARAMETERS[name].format(
                iterations=iterations, loss=loss, pass_=pass_, variants=", ".join(map(repr, record.variants)),
                stops=("it stops then, or where its loss stalls (the stopping rule of :mod:`graddescent.convergence`, "
                       "``n_iter_no_change`` passes), not converged;" if record.averages else "it stops then;"),
                published=published_text(record) or "The only one this method has.", torch=record.torch,
                r_epsilon="none" if method == "ADAGRAD" else "1e-7", path_note=_PATH_NOTES.get(
                    method, "here every one")).split("\n", 1)
            default = "" if parameter.default is inspect.Parameter.empty else f", default {parameter.default!r}"
            lines += [f"{name} : {kind}{default}", *textwrap.wrap(text, 88, initial_indent="    ",
                                                                   subsequent_indent="    ")]
        lines += ["", "Returns", "-------", "theta : numpy.ndarray, shape (1, n)",
                  "    Intercept first, as R's 1 x n matrix; ``(theta, loss)`` with ``return_loss``, and the",
                  "    path last with ``return_path``.",
                  "", "Warns", "-----", "sklearn.exceptions.ConvergenceWarning",
                  "    When the fit diverged (with the remedy: the stable step for this data), or, with ``tol``,",
                  "    stopped at maxIter before the rule was met."]
        fn.__doc__ = "\n".join(lines)
        return fn

    return decorate


def published_text(record):
    """What a method's published rules are, for docstrings ("" where it has only R's)."""
    return "; ".join(f"``{rule.name!r}``: {rule.text}" for rule in record.rules.values() if rule.name != "R") + (
        "." if len(record.rules) > 1 else "")


#: Where a fit of fewer iterations does not draw what this one drew first (R's draws).
_PATH_NOTES = {
    "SAGD": "not for R's SAGD, which draws every row before the coins",
    "SGD": "every one without averaging; averaging starts by maxIter",
    "ADAGRAD": "every one without averaging; averaging starts by maxIter", "ADADELTA":
    "every one without averaging; averaging starts by maxIter", "RMSPROP":
    "every one without averaging; averaging starts by maxIter", "ADAM":
    "every one without averaging; averaging starts by maxIter",
}


@_document("full batch")
def GD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
       return_loss=False, return_path=False, path_every=1):
    """Gradient Descent (R's ``GD``): ``theta -= alpha * X'(X theta - y) / m`` on all rows.
    """
    fit = run("GD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, variant=variant,
              path_every=path_every if return_path else None)
    return report(fit, "GD", return_loss, return_path=return_path)


@_document("full batch")
def MBGD(dataTrain, alpha=0.1, maxIter=10, nBatch=2, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
         return_loss=False, return_path=False, path_every=1):
    """Mini-Batch Gradient Descent (R's ``MBGD``): GD steps on consecutive slices of the rows.

    The shuffled rows are cut into ``nBatch`` slices of ``m / nBatch`` rows (R's
    sequence arithmetic, so with fractional sizes a row may be left out); iteration
    ``t`` uses slice ``(t - 1) mod nBatch``.
    """
    fit = run("MBGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, nBatch=nBatch,
              variant=variant, path_every=path_every if return_path else None)
    return report(fit, "MBGD", return_loss, return_path=return_path)


@_document("full batch")
def MGD(dataTrain, alpha=0.1, maxIter=10, momentum=0.9, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
        return_loss=False, return_path=False, path_every=1):
    """Momentum Gradient Descent (R's ``MGD``): ``v = momentum v + alpha g; theta -= v``.
    """
    fit = run("MGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, momentum=momentum,
              variant=variant, path_every=path_every if return_path else None)
    return report(fit, "MGD", return_loss, return_path=return_path)


@_document("full batch")
def AGD(dataTrain, alpha=0.1, maxIter=10, momentum=0.9, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
        return_loss=False, return_path=False, path_every=1):
    """Accelerated (Nesterov) Gradient Descent (R's ``AGD``).

    Each iteration moves theta to the look-ahead point ``theta - momentum v`` (R keeps
    it there), takes the gradient there, then ``v = momentum v + alpha g; theta -= v``.
    ``variant="textbook"``: Nesterov momentum as ``torch.optim.SGD(nesterov=True)``
    (dampening 0), the gradient ``g`` at theta itself, ``b = momentum b + g;
    theta -= alpha (g + momentum b)``.
    """
    fit = run("AGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, momentum=momentum,
              variant=variant, path_every=path_every if return_path else None)
    return report(fit, "AGD", return_loss, return_path=return_path)


@_document("single row")
def SGD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
        return_loss=False, return_path=False, path_every=1):
    """Stochastic Gradient Descent (R's ``SGD``): ``theta -= alpha * e_i x_i``, one row per step."""
    fit = run("SGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, variant=variant,
              path_every=path_every if return_path else None)
    return report(fit, "SGD", return_loss, return_path=return_path)


@_document("single row")
def SAGD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, variant="R", tol=None, n_iter_no_change=PATIENCE,
         return_loss=False, return_path=False, path_every=1):
    """Stochastic Average Gradient Descent (R's ``SAGD``): SGD that skips each step on a coin flip.

    R draws the coin (``sample(0:1, 1)``) at every step and updates only on a 1.
    ``variant="textbook"``: SAG (Schmidt, Le Roux and Bach 2017, Algorithm 1) on R's rows,
    no coins: a table of each row's last gradient ``y_i`` (kept as its residual, O(m)), and
    per step ``d = d - y_i + e_i x_i; y_i = e_i x_i; theta -= (alpha / m) d``. As in the
    paper's Algorithm 1 the table starts at zero and the step divides by m from the first
    pass on (not by the rows seen so far, the paper's Section 4.6 remedy for early steps).
    """
    fit = run("SAGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, variant=variant,
              path_every=path_every if return_path else None)
    return report(fit, "SAGD", return_loss, return_path=return_path)


@_document("single row")
def ADAGRAD(dataTrain, alpha=0.1, maxIter=10, seed=None, *, variant="R", epsilon=1e-10, tol=None,
            n_iter_no_change=PATIENCE, return_loss=False, return_path=False, path_every=1):
    """Adaptive Gradient (R's ``ADAGRAD``): ``theta_j -= alpha g_j / sqrt(G)``.

    As in R, ``G`` is one running sum of every squared gradient component of every step,
    shared by all columns. ``variant="textbook"`` (Duchi, Hazan and Singer 2011, as
    ``torch.optim.Adagrad``): one sum per coefficient, ``G_j += g_j^2; theta_j -= alpha g_j /
    (sqrt(G_j) + epsilon)``, with ``g = e_i x_i`` (R's scale of a row's gradient).
    """
    fit = run("ADAGRAD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, variant=variant,
              epsilon=epsilon, path_every=path_every if return_path else None)
    return report(fit, "ADAGRAD", return_loss, return_path=return_path)


@_document("single row")
def ADADELTA(dataTrain, maxIter=10, momentum=0.9, seed=None, *, variant="R", epsilon=1e-6, tol=None,
             n_iter_no_change=PATIENCE, return_loss=False, return_path=False, path_every=1):
    """ADADELTA (R's ``ADADELTA``): step sizes from running RMS of gradients and updates.

    No learning rate. As in R, the running averages are scalars carried from column to
    column and step to step; epsilon is 1e-7. ``variant="textbook"`` (Zeiler 2012, as
    ``torch.optim.Adadelta`` with learning rate 1, decay ``rho = momentum``): per coefficient,
    ``Eg_j = rho Eg_j + (1 - rho) g_j^2; d_j = sqrt(Eu_j + epsilon) / sqrt(Eg_j + epsilon) g_j;
    Eu_j = rho Eu_j + (1 - rho) d_j^2; theta_j -= d_j``, with ``g = e_i x_i``.
    """
    fit = run("ADADELTA", dataTrain, seed, tol, n_iter_no_change, maxIter=maxIter, momentum=momentum, variant=variant,
              epsilon=epsilon, path_every=path_every if return_path else None)
    return report(fit, "ADADELTA", return_loss, return_path=return_path)


@_document("single row")
def RMSPROP(dataTrain, alpha=0.1, maxIter=10, momentum=0.9, seed=None, *, variant="R", epsilon=1e-8, tol=None,
            n_iter_no_change=PATIENCE, return_loss=False, return_path=False, path_every=1):
    """RMSprop (R's ``RMSPROP``): ``theta_j -= alpha g_j / sqrt(Eg + 1e-7)``.

    As in R, ``Eg`` (the running mean of squared gradients) is one scalar shared by all
    columns. ``variant="textbook"`` (Tieleman and Hinton 2012, as ``torch.optim.RMSprop``,
    whose ``alpha`` is the decay ``momentum`` here): one per coefficient, ``Eg_j = momentum
    Eg_j + (1 - momentum) g_j^2; theta_j -= alpha g_j / (sqrt(Eg_j) + epsilon)``, with
    ``g = e_i x_i``.
    """
    fit = run("RMSPROP", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, momentum=momentum,
              variant=variant, epsilon=epsilon, path_every=path_every if return_path else None)
    return report(fit, "RMSPROP", return_loss, return_path=return_path)


@_document("single row")
def ADAM(dataTrain, alpha=0.1, maxIter=10, seed=None, *, variant="R", beta1=0.9, beta2=0.999, epsilon=1e-8, tol=None,
         n_iter_no_change=PATIENCE, return_loss=False, return_path=False, path_every=1):
    """Adam (R's ``ADAM``): beta1 0.9, beta2 0.999, epsilon 1e-7.

    As in R, the two moments are scalars shared by all columns and the bias correction is
    the constant ``1 / (1 - beta)`` rather than ``1 / (1 - beta^t)``. ``variant="textbook"``
    (Kingma and Ba 2015, as ``torch.optim.Adam``): moments per coefficient, ``m_j = beta1 m_j
    + (1 - beta1) g_j; v_j = beta2 v_j + (1 - beta2) g_j^2; theta_j -= alpha / (1 - beta1^t)
    m_j / (sqrt(v_j) / sqrt(1 - beta2^t) + epsilon)`` at step t (counted over the whole fit),
    with ``g = e_i x_i``. ``variant="amsgrad"`` (Reddi, Kale and Kumar 2018, as
    ``torch.optim.Adam(amsgrad=True)``): the same, dividing by the running maximum of ``v_j``.
    """
    fit = run("ADAM", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, variant=variant,
              beta1=beta1, beta2=beta2, epsilon=epsilon, path_every=path_every if return_path else None)
    return report(fit, "ADAM", return_loss, return_path=return_path)


@_document("variance reduced")
def SVRG(dataTrain, alpha=0.1, maxIter=10, innerIter=10, option=2, seed=None, *, variant="R", tol=None,
         n_iter_no_change=PATIENCE, return_loss=False, return_path=False, path_every=1):
    """Stochastic Variance Reduced Gradient (R's ``SVRG``).

    Each outer iteration takes the full gradient ``mu`` at a snapshot ``w0 = theta`` and runs
    ``innerIter`` steps ``w -= alpha (e_i(w) x_i - e_i(w0) x_i + mu)`` over rows drawn once
    for the whole fit. ``option=1`` then keeps R's ``L[innerIter]``, the second-to-last
    iterate; ``option=2`` keeps a random one of ``w0, w1, ..., w_(innerIter-1)``.
    ``variant="textbook"``: option 1 keeps the last iterate, as Johnson and Zhang 2013
    (option 2 is theirs already).
    """
    fit = run("SVRG", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, innerIter=innerIter,
              option=option, variant=variant, path_every=path_every if return_path else None)
    return report(fit, "SVRG", return_loss, return_path=return_path)


@_document("variance reduced")
def SSGD(dataTrain, alpha=0.1, maxIter=10, lamda=0, innerIter=10, seed=None, *, variant="R", tol=None,
         n_iter_no_change=PATIENCE, return_loss=False, return_path=False, path_every=1):
    """Semi Stochastic Gradient Descent (R's ``SSGD``).

    Each outer iteration takes the full gradient ``mu`` at theta, draws an inner-loop length
    ``K`` (R's ``randomProb``: uniform on ``1..innerIter`` when ``lamda`` is 0, skewed by
    ``(1 - lamda alpha)^-k`` otherwise) and runs ``K`` steps on fresh random rows of
    ``w -= alpha (mu - e_r(w) x_r + e_r(theta) x_r)``: R's sign, the opposite of SVRG's correction.
    ``variant="textbook"``: S2GD's sign (Konecny and Richtarik 2017, Algorithm 1),
    ``w -= alpha (mu + e_r(w) x_r - e_r(theta) x_r)``, with R's draws of K and the rows.
    """
    fit = run("SSGD", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, lamda=lamda,
              innerIter=innerIter, variant=variant, path_every=path_every if return_path else None)
    return report(fit, "SSGD", return_loss, return_path=return_path)


@_document("variance reduced")
def SARAH(dataTrain, alpha=0.1, maxIter=10, innerIter=10, seed=None, *, variant="R", tol=None,
          n_iter_no_change=PATIENCE, return_loss=False, return_path=False, path_every=1):
    """StochAstic Recursive grAdient algoritHm (R's ``SARAH``).

    Each outer iteration starts from the full gradient ``v`` at theta, steps ``w = theta -
    alpha v``, then runs ``innerIter - 1`` recursive steps ``v = e_i(w) x_i - e_i(w_prev)
    x_i + v; w -= alpha v`` over rows drawn once for the whole fit, and keeps a random one
    of theta and the iterates after the first step (R's list).
    """
    fit = run("SARAH", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, innerIter=innerIter,
              variant=variant, path_every=path_every if return_path else None)
    return report(fit, "SARAH", return_loss, return_path=return_path)


@_document("variance reduced")
def SARAHPlus(dataTrain, alpha=0.1, maxIter=10, innerIter=10, gammaS=0.125, seed=None, *, variant="R", tol=None,
              n_iter_no_change=PATIENCE, return_loss=False, return_path=False, path_every=1):
    """SARAH+ (R's ``SARAHPlus``): SARAH whose inner loop stops early.

    The inner loop runs while ``(|v_1| / 3)^2 > gammaS (|v0_1| / 3)^2`` (R compares only the
    intercept's component) and fewer than ``innerIter`` steps have run; theta becomes the
    last iterate. With ``gammaS >= 1`` the loop never runs and theta never changes (as in R).
    ``variant="textbook"`` (Nguyen et al. 2017, Algorithm 2): the test is on the whole
    vector, ``|v_(t-1)|^2 > gammaS |v_0|^2``, and theta becomes the last iterate, at least
    the first step's ``w_1 = theta - alpha v_0``.
    """
    fit = run("SARAHPlus", dataTrain, seed, tol, n_iter_no_change, alpha=alpha, maxIter=maxIter, innerIter=innerIter,
              gammaS=gammaS, variant=variant, path_every=path_every if return_path else None)
    return report(fit, "SARAHPlus", return_loss, return_path=return_path)
