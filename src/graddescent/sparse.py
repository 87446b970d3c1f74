"""Sparse inputs (beyond R): the third kind of data of :mod:`graddescent.data`, after data in
memory and Dask's pieces, for designs of many mostly-zero columns (a one-hot encoding).

A :class:`Sparse` holds the inputs as scipy.sparse compressed rows (CSR, canonical: sorted
indices, duplicates summed; made once from CSR or CSC, matrices or arrays) and the output
as a dense vector, and is never densified. R's scaling, ``(x - centre) / spread`` per
column, is applied implicitly: the centres and spreads are kept beside the matrix and the
centring enters every product through a rank-one correction (``X~ theta = X (theta /
spread) - centre . theta / spread``), so that the zeros stay zeros. The same fit of the
dense copy of the matrix gives the same coefficients, up to rounding.

What each family of methods reads, and its cost per step:

- The full gradients (GD, MBGD, MGD, AGD, and the variance-reduced methods' snapshots):
  :class:`graddescent._sparse.SparseGradient`, ``O(nnz + rows + columns)`` per gradient,
  summed in double in the order of the rows of the canonical matrix: deterministic (CSR
  and CSC input give the same bits), not exact and order-free as the dense sums are.
- R's SGD and SAGD step in time proportional to a row's non-zeros, their iterates averaged
  lazily (:func:`graddescent._sparse.sgd`, :meth:`Sparse.steps`); so does SAG without
  averaging, its coefficients brought up to date just in time (:func:`graddescent._sparse.sag`).
- The other single-row rules read the rows they step on densified, ``stretch`` rows at a time
  (a bounded block: :data:`BLOCK` numbers), so each step costs ``O(columns)``. That is what
  the rules that keep an accumulator per coefficient (the published ADAGRAD, RMSprop,
  ADADELTA and Adam: every coefficient's step changes with its own accumulator at every
  step) and R's scalar rules (one accumulator shared by all coefficients, so every
  coefficient's step size changes at every step) need anyway; the implicit centring makes
  every scaled row dense too; SAG's average of its iterates is not kept lazily here.
  The variance-reduced inner loops add the full gradient
  ``mu`` at every step (``O(columns)``), and read their inner rows densified (at most
  :data:`MAX_DENSE` numbers: a smaller ``innerIter`` beyond).

Sample weights (frequency weights, :mod:`graddescent.weighting`) mean what they mean for the
dense kind (:mod:`graddescent.data`): the rows of weight 0 are left out when the data is made;
the full gradients and the loss weigh each row's term (as the exact sums take the weights, over
their sum); R's means and standard deviations are those of the rows repeated (divisor ``sum(w)
- 1``; the dense kind's numbers to the bit where they are summed in order), the minima and
maxima those of the rows kept; the Gram matrix of the certificate and the curvature are the
weighted ones (the dense kind's to the bit); the single-row steps, over a row's non-zeros or
densified, multiply a row's residual by its step factor ``w_i / mean(w)``, as do the largest row
norm of the automatic steps. The costs per step stay those above.
"""

import numpy as np
import pandas as pd

from . import _kernels as K
from . import _sparse as S
from ._sums import add_exact, column_tops, exact_total, gram_matrix, gram_sums, mean_sd, r_mean_sd, weighted_mean_sd
from ._sums import weighted_sums
from .spectrum import GRAM_SIZE, eigenvalue
from .validation import check_weights
from .weighting import Weighed, kept_rows

__all__ = []

BLOCK = 1 << 20  # numbers of a block of densified rows read by the single-row steps
IN_ORDER = 1 << 22  # R's statistics summed in the order of the rows up to this many values (rows x inputs)
MAX_DENSE = 1 << 27  # the most numbers of the variance-reduced inner loops' densified rows (1 GB)


def _dense_groups(X, m):
    """The columns of X (CSC, m rows) densified by column a group at a time (about 2^16 numbers),
    with where each group starts."""
    width = max(1, (1 << 16) // max(m, 1))
    for start in range(0, X.shape[1], width):
        yield start, np.asarray(X[:, start:start + width].toarray(order="F"), dtype=np.float64)


def _weighted_statistics(X, m, weights, total):
    """R's weighted means and standard deviations of X's columns (CSC, m rows) as the dense kind's
    (:func:`graddescent._sums.r_mean_sd`), or None where its exact sums cannot be used."""
    top = np.concatenate([column_tops(group) for _, group in _dense_groups(X, m)] + [np.zeros(0)])

    def sums(grids, centre, power):
        acc, out = np.zeros((X.shape[1], 3), dtype=np.uint64), False
        for start, group in _dense_groups(X, m):
            stop = start + group.shape[1]
            acc[start:stop], flag = weighted_sums(group, weights, grids[:, start:stop],
                                                  None if centre is None else centre[start:stop], power)
            out |= flag
        return acc, out

    return weighted_mean_sd(sums, top, float(np.max(weights)), total)


def is_sparse(data):
    """Whether data is a scipy.sparse matrix or array (without importing scipy where it is not)."""
    return hasattr(data, "tocsr") and hasattr(data, "nnz") and hasattr(data, "format")


def canonical(X):
    """X (any scipy.sparse format) as canonical CSR of float64 with int64 indices: sorted
    indices, duplicates summed (a copy where it is not already so)."""
    import scipy.sparse as sp

    X = sp.csr_array(X, dtype=np.float64)
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    X.indptr = X.indptr.astype(np.int64, copy=False)
    X.indices = X.indices.astype(np.int64, copy=False)
    return X


class Sparse(Weighed):
    """Sparse inputs ``X`` (m x k - 1, canonical CSR) and the output ``y`` (m), scaled
    implicitly by ``centre`` and ``spread`` (one per input; 0 and 1: as they are; ``y`` is
    held scaled), with their names: the interface of :mod:`graddescent.data`.

    ``weights`` (one per row, checked by :func:`graddescent.validation.check_weights`): frequency
    weights, as :class:`graddescent.data.Dense` takes them; the rows of weight 0 are left out
    (``X`` and ``y`` then hold the others)."""

    def __init__(self, X, y, columns=None, index=None, centre=None, spread=None, weights=None):
        y = np.ascontiguousarray(y, dtype=np.float64)
        if weights is not None:
            kept, weights, index = kept_rows(weights, X.shape[0], index)
            if kept is not None:  # (a weight of 0: the row left out)
                X, y = canonical(X[np.flatnonzero(kept)]), y[kept]
        self.X = X
        self.y = y
        self.m, self.k = X.shape[0], X.shape[1] + 1
        self.shape = (self.m, self.k)
        self.columns = pd.Index([f"V{j + 1}" for j in range(self.k)]) if columns is None else columns
        self.index = pd.RangeIndex(self.m) if index is None else index
        self.centre = np.zeros(self.k - 1) if centre is None else np.ascontiguousarray(centre, dtype=np.float64)
        self.spread = np.ones(self.k - 1) if spread is None else np.ascontiguousarray(spread, dtype=np.float64)
        self._stats = {}  # (R's statistics, weighted or not: made on first use)
        if weights is not None:
            self._weigh(weights)

    @property
    def stretch(self):
        return max(1, BLOCK // self.k)

    def _csr(self):
        return self.X.indptr, self.X.indices, self.X.data

    # ----------------------------------------------------------------------- what the drivers read

    def gradient(self):
        gradient = S.SparseGradient(np.empty((self.k, 0)), *self._csr(), self.y, self.centre, self.spread)
        return gradient if self.weights is None else gradient.set_weights(self._summed, self.weighting)

    def take(self, rows):
        """The data rows ``rows``, scaled, densified (by row, C order)."""
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        return S.dense_rows(*self._csr(), self.y, self.centre, self.spread, rows, np.empty((rows.size, self.k)))

    def rows(self, perm, rows):
        """The rows ``perm[rows]`` densified (at most ``stretch`` of them), with the identity as
        their shuffle and rows, and the rows of the data set they are (as
        :meth:`graddescent.chunked.Chunks.rows`)."""
        table = perm[rows]
        ident = np.arange(rows.size, dtype=np.int64)
        return self.take(table), ident, ident, table

    def columns_of(self, perm, rows):
        """The distinct rows of ``perm[rows]`` densified, by column, and the rows that read them."""
        unique, inverse = np.unique(perm[rows], return_inverse=True)
        if unique.size * self.k > MAX_DENSE:
            raise ValueError(f"the inner loops read {unique.size} rows of {self.k - 1} sparse inputs densified, more "
                             f"than {MAX_DENSE} numbers; use a smaller innerIter (inner_iter), or a method of full "
                             "gradients (GD, AGD) or of single rows (SGD, SAGD)")
        cols = np.ascontiguousarray(self.take(unique).T)
        return cols, np.arange(unique.size, dtype=np.int64), inverse.astype(np.int64).ravel()

    def _blocks(self, rows=None):
        """The rows (all: None) densified and scaled, ``stretch`` at a time, in order, each with
        its rows' weights as the exact sums take them (None: unweighted)."""
        rows = np.arange(self.m, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
        for lo in range(0, rows.size, self.stretch):
            chosen = rows[lo:lo + self.stretch]
            yield self.take(chosen), None if self.weights is None else self._summed[chosen]

    def steps(self, steps, theta, perm, rows, coins, window, loss, offset, average_from):
        """The single-row steps that run in time proportional to a row's non-zeros, as
        :meth:`graddescent.drivers.Steps.run` runs them (``steps``, its state; without a path):
        R's SGD and SAGD, their iterates averaged lazily (:func:`graddescent._sparse.sgd`), and
        SAG without averaging (:func:`graddescent._sparse.sag`). The loss windows written; None
        for the other rules (and SAG's averaged steps), whose steps read the rows whole."""
        kind = steps.rule.kernel
        averaging = steps.mean is not None and average_from >= 0
        if kind not in (K.SingleRow.SGD, K.SingleRow.SAG) or kind == K.SingleRow.SAG and averaging:
            return None
        if getattr(self, "_deltas", None) is None:
            self._deltas = S.deltas(self.X.indices, self.X.data, self.centre, self.spread)
        csr = (self.X.indptr, self.X.indices, self._deltas, self.y, self.centre, self.spread, theta, perm, rows, coins,
               steps.alpha, window, loss, steps.carry)
        if kind == K.SingleRow.SAG:
            return S.sag(*csr, steps.moments[0], steps.table, offset, self.step_factors())
        written, steps.averaged = S.sgd(*csr, offset, steps.mean, steps.averaged, average_from, self.step_factors())
        return written

    def mean_squared_residual(self, theta):
        """In the order of the rows; weighted. Up to :data:`graddescent.spectrum.GRAM_SIZE`
        columns, the dense kind's numbers to the bit (each residual over the scaled row, a block
        of rows densified at a time: the work of a pass of the single-row steps); beyond, from
        the non-zeros."""
        theta = np.ascontiguousarray(theta, dtype=np.float64).ravel()
        count = self.m if self.weights is None else self.total
        if self.k > GRAM_SIZE:
            return S.squared_residuals(*self._csr(), self.y, self.centre, self.spread, theta, self.weights) / count
        total, lo = 0.0, 0
        for block, _ in self._blocks():
            total = K.squared_residuals(block, theta, total, None if self.weights is None else
                                        self.weights[lo:lo + block.shape[0]])
            lo += block.shape[0]
        return total / count

    def _top(self):
        """Each scaled column's largest magnitude (the zeros' included), the output last."""
        X = self.X
        with np.errstate(all="ignore"):
            values = np.abs((X.data - self.centre[X.indices]) / self.spread[X.indices])
            top = np.zeros(self.k - 1)
            np.maximum.at(top, X.indices, values)
            zero = np.abs((0.0 - self.centre) / self.spread)
        top = np.where(np.bincount(X.indices, minlength=self.k - 1) < self.m, np.maximum(top, zero), top)
        return np.append(top, np.max(np.abs(self.y)) if self.m else 0.0)

    def _exact_gram(self, rows=None, output=False):
        """The dense kind's exact Gram matrix (:func:`graddescent.spectrum.exact_gram`), of the
        inputs (and the output), over the rows (all: None), weighted: the same exact sums, from
        blocks of rows densified, so the same matrix to the bit."""
        top = self._top() if output else self._top()[:-1]
        width = top.size
        total, grids = None, None
        for block, weights in self._blocks(rows):
            acc, grids = gram_sums(np.ascontiguousarray(block[:, :width].T), top, None, weights,
                                   0 if weights is None else self.weighting)
            if total is None:
                total = acc
            else:
                add_exact(total, acc)
        if self.weights is None:
            count = self.m if rows is None else len(rows)
        else:  # (the weights' sum, as the dense kind's)
            count = exact_total(self._summed if rows is None else self._summed[rows])
        return gram_matrix(total, grids, width + 1, count)

    # ----------------------------------------------------------------------- its inputs' spectrum

    def curvature(self, batches=None, starts=None):
        """``L``: the largest eigenvalue of ``X~'X~ / m`` (``X~ = [1 | scaled inputs]``; weighted:
        ``X~'W X~ / sum(w)``), or the largest over MBGD's batches; by Lanczos iterations on
        sparse products where the table is wider than :data:`graddescent.spectrum.GRAM_SIZE`."""
        groups = [None] if batches is None or batches.size == 0 else [
            batches[starts[b]:starts[b + 1]] for b in range(starts.size - 1)]
        with np.errstate(all="ignore"):
            if self.k <= GRAM_SIZE:
                return max(eigenvalue(self._exact_gram(rows)) for rows in groups)
            return max(self._lanczos(rows) for rows in groups)

    def _lanczos(self, rows):
        from scipy.sparse.linalg import LinearOperator, eigsh

        X = self.X if rows is None else self.X[rows]
        count, z = X.shape[0], self.centre / self.spread
        weights = None if self.weights is None else self._summed if rows is None else self._summed[rows]
        if weights is not None:
            count = exact_total(weights)

        def product(v):
            w = v[1:] / self.spread
            u = v[0] + X @ w - z @ v[1:]
            if weights is not None:  # (X~' W X~ v)
                u = u * weights
            return np.concatenate([[u.sum()], (X.T @ u) / self.spread - z * u.sum()]) / count

        value = eigsh(LinearOperator((self.k, self.k), matvec=product, dtype=np.float64), k=1, which="LA",
                      tol=1e-6, return_eigenvectors=False)[0]
        return float(value) * (1 + 1e-6) if np.isfinite(value) else np.inf

    def largest_row_norm(self):
        """``R2``: the largest ``|x~_i|^2 = 1 + sum_j x~_ij^2`` over the rows (weighted: times
        the row's step factor, as its steps are)."""
        with np.errstate(over="ignore"):
            squares = 1.0 + S.row_norms(*self._csr(), self.centre, self.spread)
            if self.weights is not None:
                squares *= self._factors
            return float(squares.max())

    def gram(self):
        """The exact Gram matrix of ``[1 | inputs | output]``, divided by m (weighted: the
        weighted one, over the weights' sum; None beyond :data:`graddescent.spectrum.GRAM_SIZE`
        columns): the dense kind's, to the bit."""
        if self.k + 1 > GRAM_SIZE:
            return None
        return self._exact_gram(output=True)

    def _moments(self, weighted=True):
        """Of the scaled inputs: R's means and standard deviations (weighted: of the rows
        repeated, divisor ``sum(w) - 1``; ``weighted=False``: every row once), the minima and
        the maxima (zeros counted, of the rows kept); then the output's. R's sums follow the
        order of the rows, a zero's term where R adds it, up to :data:`IN_ORDER` values (R's
        numbers to the bit); beyond, each column's zeros are added at once (R's numbers up to
        that sum's rounding). Weighted, up to :data:`IN_ORDER` values, the dense kind's exact
        sums (:func:`graddescent._sums.weighted_mean_sd`) of the columns densified a group at a
        time: its numbers to the bit."""
        weights = self.weights if weighted else None
        key = weights is None  # (each once: min_max and scaling_parameter both read them)
        if key not in self._stats:
            self._stats[key] = self._statistics(weights)
        return self._stats[key]

    def _statistics(self, weights):
        X = self.X.tocsc()
        m, k, counts = self.m, self.k - 1, np.diff(X.indptr)
        indptr, rows = X.indptr.astype(np.int64), X.indices.astype(np.int64)
        in_order = m * k <= IN_ORDER
        found = None if weights is None or not in_order else _weighted_statistics(X, m, weights, self.total)
        mean, sd = found or mean_sd(lambda out, centre, power: S.column_sums(
            indptr, rows, X.data, m, out, centre, power, in_order, weights), m if weights is None else self.total, k)
        starts, nonempty = X.indptr[:-1], counts > 0
        low, high = np.full(k, np.inf), np.full(k, -np.inf)
        if X.data.size:
            low[nonempty] = np.minimum.reduceat(X.data, starts[nonempty])
            high[nonempty] = np.maximum.reduceat(X.data, starts[nonempty])
        low = np.where(counts < m, np.minimum(low, 0.0), low)
        high = np.where(counts < m, np.maximum(high, 0.0), high)
        with np.errstate(all="ignore"):
            c, s = self.centre, self.spread  # (of data scaled already: its scaled values' statistics)
            mean, sd, low, high = (mean - c) / s, sd / s, (low - c) / s, (high - c) / s
            ym, ys = (v[0] for v in r_mean_sd(self.y[:, None], weights))
        return (np.append(mean, ym), np.append(sd, ys), np.append(low, self.y.min()),
                np.append(high, self.y.max()))

    def looks_scaled(self):
        """Whether every input column looks scaled: mean near 0 and spread near 1, or spanning 0..1
        (every row once, as the dense kind's)."""
        mean, sd, low, high = (v[:-1] for v in self._moments(weighted=False))
        return bool(np.all((np.abs(mean) < 0.1) & (np.abs(sd - 1) < 0.1) | (np.abs(low) < 1e-9) &
                           (np.abs(high - 1) < 1e-9)))

    def min_max(self):
        """Each column's minimum and maximum (the zeros counted)."""
        _, _, low, high = self._moments()
        return low, high

    # ----------------------------------------------------------------------- R's scaling

    def scaling_parameter(self, method):
        """R's scalingParameter (:meth:`graddescent.data.Dense.scaling_parameter`'s numbers, up to
        the rounding of sums that skip the zeros; weighted as the dense kind's)."""
        if method == "variance":
            self.check_total()
        mean, sd, low, high = self._moments()
        with np.errstate(over="ignore", invalid="ignore"):
            return np.vstack([mean, sd]) if method == "variance" else np.vstack([low, high - low])

    def weighted(self, weights, name="sample_weight"):
        """This data with the rows' frequency weights (its rows of weight 0 left out), as
        :meth:`graddescent.data.Dense.weighted`."""
        return Sparse(self.X, self.y, self.columns, self.index, self.centre, self.spread,
                      check_weights(weights, self.m, name))

    def scaled(self, parameter, order=None, in_place=False, grouped=False):
        """This data scaled as R scales it, implicitly: the same matrix, with the centres and
        spreads beside it (the output scaled; ``order``, ``in_place``, ``grouped``: nothing to lay out,
        copy or move)."""
        centre, spread = np.asarray(parameter[0], dtype=np.float64), np.asarray(parameter[1], dtype=np.float64)
        with np.errstate(all="ignore"):
            y = (self.y - centre[-1]) / spread[-1]
            # (x - c1) / s1 scaled again by c2, s2: x's centre c1 + c2 s1, its spread s1 s2
            scaled = Sparse(self.X, y, self.columns, self.index, self.centre + centre[:-1] * self.spread,
                            self.spread * spread[:-1])
        scaled._weigh_as(self)
        return scaled

    def non_finite_columns(self):
        """Which columns hold a scaled value that is not finite (a zero's included)."""
        X = self.X
        with np.errstate(all="ignore"):
            values = (X.data - self.centre[X.indices]) / self.spread[X.indices]
            zero = (0.0 - self.centre) / self.spread
        bad = np.bincount(X.indices[~np.isfinite(values)], minlength=self.k - 1) > 0
        bad |= ~np.isfinite(zero) & (np.bincount(X.indices, minlength=self.k - 1) < self.m)
        return np.append(bad, not np.all(np.isfinite(self.y)))


def as_sparse(X, y, columns=None, name="X", weights=None):
    """Sparse inputs and a dense output as a checked :class:`Sparse`, with the rows' frequency
    weights (None: every row once; the rows of weight 0 left out)."""
    X = canonical(X)
    y = np.asarray(y, dtype=np.float64).ravel()
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"{name} has {X.shape[0]} rows and y {y.shape[0]}; give them the same rows")
    if not np.all(np.isfinite(X.data)):
        raise ValueError(f"{name} has NaN or infinite values; drop or fill them")
    return Sparse(X, y, None if columns is None else pd.Index(columns), weights=weights)


def predictions(theta, parameter, X):
    """:func:`graddescent.linear.predictions` of sparse inputs, without densifying them: the
    centring through the rank-one correction."""
    theta = np.asarray(theta, dtype=np.float64).ravel()
    n = theta.shape[0]
    X = canonical(X)
    with np.errstate(all="ignore"):
        if parameter is None:
            return theta[0] + X @ theta[1:]
        w = theta[1:] / parameter[1, :n - 1]
        return (theta[0] - float(w @ parameter[0, :n - 1]) + X @ w) * parameter[1, n - 1] + parameter[0, n - 1]
