"""The problem an explorer draws: a data set scaled as the methods fit it, its least-squares
solution, two of its coefficients, and the loss over their plane.

Every number comes from the package: the data is scaled by :func:`graddescent.varianceScaling`
(or :func:`graddescent.minmaxScaling`), the solution is the certificate's
(:class:`graddescent.certificate.Certificate`, from the data's exact Gram matrix), and the
loss is the mean squared error written with that Gram matrix ``G`` of ``[1 | inputs |
output]``: ``mse(theta) = [theta, -1]' G [theta, -1]``, which is the package's
``mean_squared_residual`` up to rounding, at O(n^2) a point whatever the rows.
"""

import math

import numpy as np
import pandas as pd

from ..certificate import Certificate
from ..data import as_data
from ..rrandom import RRandom
from ..scaling import minmaxScaling, varianceScaling

__all__ = ["Problem", "example"]

EXAMPLE_ROWS = 100
EXAMPLE_CORRELATION = 0.9  # of the two inputs: the loss's valley is long (condition number about 19)
SCALINGS = ("variance", "minmax", None)
START_SEEDS = range(1, 11)  # the box drawn holds the starts of these seeds (R's getTheta: runif)
GRID = 120  # points a side of the contours' grid


def example():
    """The explorer's default table: 100 rows of two correlated inputs and an output.

    Drawn with R's generator: in R, ``set.seed(1); u <- matrix(runif(300), 3, byrow =
    TRUE)``, then ``x1 = u[1, ]``, ``x2 = 0.9 u[1, ] + sqrt(0.19) u[2, ]`` (correlation 0.9),
    ``y = 1 + 2 x1 - 2 x2 + 0.5 (u[3, ] - 0.5)``. Two inputs whose slopes make a long valley
    in the loss (condition number about 19 once scaled), with the least-squares slopes far
    along it from R's starts, for the step size and the momentum to matter.

    Returns
    -------
    pandas.DataFrame
        Columns ``x1``, ``x2``, ``y`` (the output last).
    """
    u = RRandom(1).runif(3 * EXAMPLE_ROWS).reshape(3, EXAMPLE_ROWS)
    r = EXAMPLE_CORRELATION
    x1, x2 = u[0], r * u[0] + math.sqrt(1 - r * r) * u[1]
    return pd.DataFrame({"x1": x1, "x2": x2, "y": 1 + 2 * x1 - 2 * x2 + 0.5 * (u[2] - 0.5)})


class Problem:
    """A data set as an explorer shows it.

    Parameters
    ----------
    data : pandas.DataFrame, numpy.ndarray or None
        Numbers, the output last; None: :func:`example`.
    scaling : {"variance", "minmax", None}
        R's scaling of every column before the fits (None: the data as it is).
    coefficients : pair of str or int, optional
        The two coefficients drawn, by name (``"(Intercept)"`` or an input's name) or
        position (0 is the intercept); default the last two (the two slopes of a table of
        two inputs, the intercept and the slope of one input).

    Attributes
    ----------
    frame : pandas.DataFrame
        The data the methods fit (scaled as asked), float64.
    names : list of str
        The coefficients' names, ``"(Intercept)"`` first.
    pair : tuple of int
        The positions of the two coefficients drawn.
    optimum : numpy.ndarray
        The least-squares coefficients (the certificate's solution).
    best : float
        Their mean squared error.
    box : tuple
        ``((low, high), (low, high))`` of the two coefficients: the part of their plane drawn.
    """

    def __init__(self, data=None, scaling="variance", coefficients=None):
        if scaling not in SCALINGS:
            raise ValueError(f"scaling must be 'variance', 'minmax' or None, got {scaling!r}")
        frame = example() if data is None else data
        if scaling is not None:
            frame = (varianceScaling if scaling == "variance" else minmaxScaling)(frame).scaledDataSet
        self.scaling = scaling
        self.data = as_data(frame)
        if self.data.k < 2:
            raise ValueError("the explorer needs at least one input column and the output (the last column)")
        values = np.ascontiguousarray(self.data.values, dtype=np.float64)
        self.frame = pd.DataFrame(values, columns=[str(c) for c in self.data.columns])
        self.data = as_data(self.frame)
        self.m = self.data.m
        self.names = ["(Intercept)", *self.frame.columns[:-1]]
        self.gram = self.data.gram()
        if self.gram is None or not np.all(np.isfinite(self.gram)):
            raise ValueError("the explorer draws the loss from the data's Gram matrix, which cannot be computed for "
                             "this data (too many inputs, or values whose squares overflow); choose fewer columns, "
                             "or scale them")
        self.certificate = Certificate(self.gram, self.frame.columns)
        self.optimum = self.certificate.theta
        self.best = self.mse(self.optimum)
        self.choose(coefficients)

    def choose(self, coefficients):
        """Draw these two coefficients (see the class's parameters)."""
        self.pair = self._pair(coefficients)
        self.box = self._box()

    def _pair(self, coefficients):
        n = len(self.names)
        if coefficients is None:
            return (n - 2, n - 1)
        if isinstance(coefficients, str) or len(coefficients) != 2:
            raise ValueError(f"coefficients must be two of {', '.join(map(repr, self.names))}, got {coefficients!r}")
        pair = []
        for c in coefficients:
            if isinstance(c, (int, np.integer)) and not isinstance(c, bool):
                if not 0 <= c < n:
                    raise ValueError(f"coefficient {c} is not one of the {n} (0 is the intercept, 1..{n - 1} the "
                                     "inputs)")
                pair.append(int(c))
            elif str(c) in self.names:
                pair.append(self.names.index(str(c)))
            else:
                raise ValueError(f"no coefficient {c!r}; the coefficients are {', '.join(map(repr, self.names))}")
        if pair[0] == pair[1]:
            raise ValueError(f"the two coefficients drawn must differ, got {self.names[pair[0]]!r} twice")
        return tuple(pair)

    def _box(self):
        """The part of the plane drawn: the optimum and the starts of the first seeds, with a
        margin; the same for every setting, so that the figure stays put."""
        starts = np.array([RRandom(seed).runif(len(self.names)) for seed in START_SEEDS])[:, self.pair]
        centre = self.optimum[list(self.pair)]
        points = np.vstack([starts, centre])
        low, high = points.min(axis=0), points.max(axis=0)
        half = np.maximum((high - low) / 2 * 1.6, 0.05)
        middle = (low + high) / 2
        return tuple((float(middle[i] - half[i]), float(middle[i] + half[i])) for i in range(2))

    def mse(self, theta):
        """The mean squared error of theta over all rows, from the Gram matrix (inf where it is not finite)."""
        v = np.append(np.asarray(theta, dtype=np.float64), -1.0)
        with np.errstate(all="ignore"):
            value = float(v @ self.gram @ v)
        return value if math.isfinite(value) else math.inf

    def plane(self, points=GRID):
        """The loss over the box of the two coefficients drawn, the others at their optimum:
        the grid's two axes and the mean squared error at each point (rows along the second)."""
        (a0, a1), (b0, b1) = self.box
        a, b = np.linspace(a0, a1, points), np.linspace(b0, b1, points)
        i, j = self.pair
        v = np.append(self.optimum, -1.0)
        # mse(v + s e_i + t e_j) = mse(v) + 2 s (Gv)_i + 2 t (Gv)_j + s^2 G_ii + 2 s t G_ij + t^2 G_jj
        g = self.gram @ v
        s, t = np.meshgrid(a - self.optimum[i], b - self.optimum[j])
        loss = (v @ g + 2 * s * g[i] + 2 * t * g[j] + s * s * self.gram[i, i] + 2 * s * t * self.gram[i, j]
                + t * t * self.gram[j, j])
        return a, b, np.maximum(loss, self.best)
