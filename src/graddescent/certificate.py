"""Beyond R: how far a fit's coefficients are from the least-squares solution, certified.

A fit's loss goes flat long before its coefficients settle where the design is
ill-conditioned, so "converged" here speaks of the coefficients. The exact Gram matrix
of the data a method fits, ``[1 | inputs | output]' [1 | inputs | output] / m`` (summed
exactly, :mod:`graddescent.spectrum`: the same for data in memory and in pieces), holds the
least-squares problem whole: its Hessian ``H`` (the inputs' block) and ``b = X'y / m``. Its
eigendecomposition gives the solution ``theta*`` (the minimum-norm one where the design is
singular: a constant or collinear column) and the spectrum the automatic steps use.

The **certified error** of a theta is

    max(|theta_0 - theta*_0|, max_j sd_j |theta_j - theta*_j|) / max_j sd_j |theta*_j|  +  margin

over the inputs j, with ``sd_j`` the spread of input j in the data the method fits (1 under
R's variance scaling): each coefficient's error in units of the output, over the largest
standardized slope, so that it does not depend on the scaling. ``margin`` bounds the error
of the computed ``theta*`` itself (a backward-stable solve of the exactly summed and
correctly rounded Gram matrix: ``kappa (n + 2) u`` relative, with ``kappa`` the condition
number and ``u`` the unit roundoff). A fit converged when its certified error is at most
``tol``. Checking costs O(n) per pass; the Gram matrix, a pass over the data and an
eigendecomposition once a fit (which ``alpha="auto"`` needs anyway).
"""

import math

import numpy as np

__all__ = []

_SHOWN = 3  # a singular design's message names at most this many null directions,
_SHOWN_COLUMNS = 6  # each by at most this many columns

UNIT = 2.0 ** -53  # the unit roundoff of a double
NEARLY = 1e-8  # a direction whose eigenvalue is below this part of the largest is named: nearly collinear


class Certificate:
    """The least-squares solution of a data set from its exact Gram matrix ``gram`` ((n + 1)
    x (n + 1): ``[1 | inputs | output]``, divided by m), its spectrum, and the certified error
    of any theta against it (see the module's docstring)."""

    def __init__(self, gram, columns=None):
        n = gram.shape[0] - 1
        hessian, b = gram[:n, :n], gram[:n, n]
        values, vectors = np.linalg.eigh(hessian)
        largest = max(values[-1], 0.0)
        kept = values > largest * max(n, 16) * 64 * UNIT  # below: null directions (rounding of an exact zero)
        self.columns = list(columns) if columns is not None else [f"V{j + 1}" for j in range(n)]
        self.null = vectors[:, ~kept]
        self.nearly = vectors[:, kept & (values < largest * NEARLY)]  # (near-null: named, not projected)
        self.values = values
        self.L = float(largest)
        self.mu = float(values[kept].min()) if kept.any() else 0.0  # (on the range: the start is projected there)
        self.condition = self.L / self.mu if self.mu > 0 else math.inf
        kept_vectors = vectors[:, kept]
        self.theta = kept_vectors @ ((kept_vectors.T @ b) / values[kept])
        with np.errstate(invalid="ignore"):
            spread = np.sqrt(np.maximum(np.diag(hessian)[1:] - hessian[0, 1:] ** 2, 0.0))
        self.weights = np.concatenate([[1.0], spread])
        scale = float(np.max(self.weights[1:] * np.abs(self.theta[1:]))) if n > 1 else 0.0
        self.scale = scale if scale > 0 else 1.0  # (no slope: errors relative to the output's units)
        self.margin = min(self.condition * 4 * (n + 2) * UNIT * (1 + float(np.max(self.weights * np.abs(self.theta)))
                                                                 / self.scale), math.inf)

    def error(self, theta):
        """The certified relative error of theta (see the module's docstring)."""
        theta = np.asarray(theta, dtype=np.float64).ravel()
        with np.errstate(all="ignore"):
            gap = float(np.max(self.weights * np.abs(theta - self.theta)))
        return gap / self.scale + self.margin if math.isfinite(gap) else math.inf

    def threshold(self, tol):
        """The largest ``max_j w_j |theta_j - theta*_j|`` whose certified error is within tol
        (negative where even theta* cannot be certified to tol)."""
        return (tol - self.margin) * self.scale * (1 - 2.0 ** -50)  # (on the safe side of :meth:`error`'s rounding)

    def project(self, theta):
        """theta without its part in the design's null directions, which no gradient step
        changes: the iterates from there go to the minimum-norm solution."""
        if self.null.shape[1] == 0:
            return theta
        return theta - self.null @ (self.null.T @ theta)

    def singular(self):
        """The design's null and near-null directions, in a sentence ("" where there is none):
        each as the columns that take part in it (a constant column alone, collinear columns
        together). A null direction is left out of the fit (the target is the minimum-norm
        solution); a near-null one (an eigenvalue below 1e-8 of the largest) is named with the
        condition number."""
        names = ["(Intercept)", *map(str, self.columns[:-1])]

        def words(vectors, nearly):  # (a few directions of a few columns each: a line a person reads)
            out = []
            for v in vectors.T[:_SHOWN]:
                involved = [names[j] for j in np.flatnonzero(np.abs(v) > 0.1)]
                what = "constant" if len(involved) == 1 else "collinear"
                shown = ", ".join(map(repr, involved[:_SHOWN_COLUMNS]))
                if len(involved) > _SHOWN_COLUMNS:
                    shown += f" and {len(involved) - _SHOWN_COLUMNS} more columns"
                out.append(f"{shown} {'is' if len(involved) == 1 else 'are'} {'nearly ' if nearly else ''}{what}")
            if vectors.shape[1] > _SHOWN:
                out.append(f"{vectors.shape[1] - _SHOWN} more {'near-' if nearly else ''}null directions")
            return "; ".join(out)

        nearly = (f"{words(self.nearly, True)}; condition number {self.condition:.3g}" if self.nearly.shape[1]
                  else "")
        if self.null.shape[1]:
            return (f"the design is singular ({words(self.null, False)}{'; ' + nearly if nearly else ''}): the "
                    "coefficients are the minimum-norm solution, in the scaled units the method fits")
        return f"the design is nearly singular ({nearly})" if nearly else ""

    def steps(self, momentum_rule):
        """The optimal step and momentum for the spectrum: GD's ``2 / (L + mu)``; the heavy
        ball's (MGD) ``4 / (sqrt L + sqrt mu)^2`` and ``((sqrt k - 1) / (sqrt k + 1))^2``;
        Nesterov's (AGD) ``1 / L`` and ``(sqrt k - 1) / (sqrt k + 1)``, with k the condition
        number on the range of the design."""
        root = math.sqrt(self.condition) if math.isfinite(self.condition) else math.inf
        ratio = (root - 1) / (root + 1) if math.isfinite(root) else 1.0
        if momentum_rule == "heavy ball":
            return 4.0 / (math.sqrt(self.L) + math.sqrt(self.mu)) ** 2, ratio * ratio
        if momentum_rule == "nesterov":
            return 1.0 / self.L, ratio
        return 2.0 / (self.L + self.mu), 0.0
