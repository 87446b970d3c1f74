"""The paths an explorer draws: each the package's own fit (:func:`graddescent.drivers.run`
with ``path_every``), R's fixed iterations from R's start for the seed.

A :class:`Run` holds one method's path over a number of *passes* over the data (R's
iterations: one per pass for GD, MGD, AGD and the variance-reduced methods, whose outer
iteration the package counts as a pass; ``nBatch`` for MBGD; a row per step, ``m`` a pass, for
the single-row methods), its loss (the mean squared error over all rows) at each row, and
for the single-row rules the step each coefficient was given (``Fit.rates``). A race is
several runs from the same start (the same seed), drawn against the passes.
"""

import math
from dataclasses import dataclass

import numpy as np

from .. import drivers
from ..catalog import METHODS

__all__ = ["Run", "run", "race", "label", "parse_label", "PAIRS", "ADAPTIVE", "RACE"]

#: Every (method, variant) an explorer offers, R's order, R's rule first.
PAIRS = tuple((name, variant) for name, record in METHODS.items() for variant in record.variants)
#: The methods whose step sizes are drawn: each coefficient's own, from the gradients so far.
ADAPTIVE = ("ADAGRAD", "ADADELTA", "RMSPROP", "ADAM")
#: The race an explorer starts with: one method of each kind of step.
RACE = ("GD", "MGD", "SGD", "ADAM", "SVRG")
FRAMES_PER_PASS = 20  # rows kept per pass of a single-row method (a row per step where the data has fewer)
N_BATCH = 2  # R's defaults for the control entries the explorer does not set
INNER_ITER = 10


def label(method, variant="R"):
    """How a (method, variant) is written in lists and legends: ``"ADAM"``, ``"ADAM (textbook)"``."""
    return method if variant == "R" else f"{method} ({variant})"


def parse_label(text):
    """The (method, variant) of a :func:`label`."""
    method, _, variant = text.partition(" (")
    return method, variant.rstrip(")") or "R"


def per_pass(method, m):
    """R's iterations in a pass over m rows (see the module's docstring)."""
    family = METHODS[method].family
    if family == "single row":
        return m
    return N_BATCH if method == "MBGD" else 1


@dataclass
class Run:
    """One method's path, as :func:`run` computed it.

    Attributes
    ----------
    method, variant : str
    alpha, momentum : float or None
        The learning rate and momentum taken (None where the method takes none).
    seed : int
    iterations : numpy.ndarray
        R's iteration after which each row is (0: the start).
    passes : numpy.ndarray
        The same, in passes over the data.
    theta : numpy.ndarray
        The coefficients, a row per kept iteration (``Fit.path``).
    loss : numpy.ndarray
        The mean squared error over all rows of each row's coefficients.
    rates : numpy.ndarray or None
        The step each coefficient was given at each kept iteration (``Fit.rates``; NaN at the
        start), for the single-row rules; None for the others.
    fit : graddescent.convergence.Fit
        What :func:`graddescent.drivers.run` returned.
    """

    method: str
    variant: str
    alpha: object
    momentum: object
    seed: int
    iterations: np.ndarray
    passes: np.ndarray
    theta: np.ndarray
    loss: np.ndarray
    rates: object
    fit: object

    @property
    def name(self):
        return label(self.method, self.variant)

    @property
    def diverged(self):
        return bool(self.fit.diverged)

    def at(self, passes):
        """The index of the last row at or before ``passes`` passes."""
        return max(int(np.searchsorted(self.passes, passes * (1 + 1e-12), side="right")) - 1, 0)


def run(problem, method, variant="R", alpha=0.1, momentum=0.9, seed=1, passes=30, frames_per_pass=FRAMES_PER_PASS):
    """Fit ``method`` to the problem's data for ``passes`` passes, keeping its path.

    Parameters
    ----------
    problem : graddescent.explorer.problem.Problem
    method : str
        One of the 14 (R's names).
    variant : str
        Its rule: ``"R"`` or a published one it has.
    alpha, momentum : float
        Used where the method takes them (ADADELTA takes no alpha; only MGD, AGD, ADADELTA
        and RMSPROP take a momentum).
    seed : int
        R's seed: the start (R's getTheta) and the rows drawn.
    passes : int
        Passes over the data (R's maxIter is ``passes`` times the iterations of a pass).
    frames_per_pass : int
        Rows of the path kept per pass of a single-row method.

    Returns
    -------
    Run
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    record = METHODS[method]
    every = max(1, problem.m // frames_per_pass) if record.by_row else 1
    settings = {"alpha": alpha} if "alpha" in record.control else {}
    taken_momentum = momentum if "momentum" in record.control else None
    if taken_momentum is not None:
        settings["momentum"] = momentum
    iterations = int(passes) * per_pass(method, problem.m)
    fit = drivers.run(method, problem.frame, seed=seed, maxIter=iterations, variant=variant, path_every=every,
                      nBatch=N_BATCH, innerIter=INNER_ITER, **settings)
    theta = fit.path.to_numpy()
    index = fit.path.index.to_numpy()
    with np.errstate(all="ignore"):
        loss = np.array([problem.data.mean_squared_residual(np.ascontiguousarray(row)) for row in theta])
    loss[~np.isfinite(loss)] = math.inf
    return Run(method, variant, settings.get("alpha"), taken_momentum, seed, index,
               index / per_pass(method, problem.m), theta, loss, None if fit.rates is None else fit.rates.to_numpy(),
               fit)


def race(problem, entries, alpha=0.1, momentum=0.9, seed=1, passes=30, frames_per_pass=FRAMES_PER_PASS):
    """Several methods from the same start (the same seed), each for ``passes`` passes.

    Parameters
    ----------
    entries : sequence of str
        Each a method, or a method and its variant as :func:`label` writes it
        (``"ADAM (textbook)"``).
    alpha, momentum, seed, passes, frames_per_pass
        As :func:`run`, for every method.

    Returns
    -------
    list of Run
    """
    return [run(problem, *parse_label(entry), alpha=alpha, momentum=momentum, seed=seed, passes=passes,
                frames_per_pass=frames_per_pass) for entry in entries]
