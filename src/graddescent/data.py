"""The data a method fits: one interface, implemented once per kind of data.

The drivers (:mod:`graddescent.drivers`), the automatic steps and checks
(:mod:`graddescent.convergence`) and the scaling read a data set only through these
methods, whatever holds it:

- ``m``, ``k``, ``shape``, ``columns``: m rows of k float64 columns, the inputs then the
  output.
- ``gradient()``: its full gradients (a :class:`graddescent._sums.FullGradient`: exact
  sums, the same in any order of the rows), which the compiled drivers call.
- ``stretch`` and ``rows(perm, rows)``: the rows of the single-row steps, by row; and
  ``columns_of(perm, rows)``: those of the variance-reduced inner loops, by column. Each
  gives the data to read, the shuffle and the rows to read it through, and the rows of the
  whole data set they are (``table``, None where they are the data itself). A driver asks
  for at most ``stretch`` rows at a time.
- ``mean_squared_residual(theta)``: in the order of the rows.
- ``curvature(batches, starts)``, ``largest_row_norm()``, ``looks_scaled()``: of its inputs,
  for the automatic steps and the remedy of a diverged fit (:mod:`graddescent.spectrum`);
  ``gram()``: the exact Gram matrix of all its columns, for the certificate of a fit's
  coefficients (:mod:`graddescent.certificate`).
- ``scaling_parameter(method)``, ``min_max()``, ``scaled(parameter, order, in_place)`` and
  ``non_finite_columns()``: R's feature scaling, and its check.
- ``weights``: the rows' frequency weights (None: every row once), which every number above
  honours: a row of weight w counts as w copies of it (a weight of 0 leaves the row out), so
  the full gradient, the loss, R's means and standard deviations (divisor ``sum(w) - 1``) and
  the Gram matrix are the weighted ones; ``step_factors(table_rows)``: the single-row steps'
  factors ``w_i / mean(w)`` (None unweighted), by which a row's gradient is multiplied, so
  that over rows drawn uniformly a step is in expectation the weighted gradient's.

:class:`Dense` is data in memory (a DataFrame or an array); :class:`graddescent.chunked.Chunks`
is data held by Dask, in pieces; :class:`graddescent.sparse.Sparse` sparse inputs (scipy.sparse),
scaled implicitly. :func:`as_data` takes any, or what a user passes.
"""

import numpy as np
import pandas as pd

from . import _kernels as K
from . import chunked
from .sparse import Sparse, as_sparse, is_sparse
from ._sums import FullGradient, non_finite_columns, r_mean_sd, scale_columns
from .spectrum import GRAM_SIZE, exact_gram, exact_gram_by_rows, largest_eigenvalue, largest_row_norm
from .validation import check_data, check_weights
from .weighting import Weighed, kept_rows

__all__ = []


class Dense(Weighed):
    """A data set in memory: ``values``, m x k float64 (any layout; a DataFrame's block is
    laid out by column, the single-row methods want it by row), with its column names and
    row labels. The layouts the methods read are made from it once, on first use, and
    kept (no copy where ``values`` is laid out so already).

    ``weights`` (one per row, checked by :func:`graddescent.validation.check_weights`): frequency
    weights; the rows of weight 0 are left out (``values`` then holds the others)."""

    stretch = np.iinfo(np.int64).max  # (every row at once: nothing to fetch)

    def __init__(self, values, columns=None, index=None, weights=None):
        if weights is not None:
            kept, weights, index = kept_rows(weights, values.shape[0], index)
            if kept is not None:  # (a weight of 0: the row left out)
                order = "F" if values.flags.f_contiguous and not values.flags.c_contiguous else "C"
                values = np.asarray(values[kept], order=order)
        self.values = values
        self.m, self.k = values.shape
        self.shape = values.shape
        self.columns = pd.Index([f"V{j + 1}" for j in range(self.k)]) if columns is None else columns
        self.index = pd.RangeIndex(self.m) if index is None else index
        self._by_row = self._by_column = None
        if weights is not None:
            self._weigh(weights)

    def weighted(self, weights, name="sample_weight"):
        """This data with the rows' frequency weights (its rows of weight 0 left out)."""
        return Dense(self.values, self.columns, self.index, check_weights(weights, self.m, name))


    def by_row(self):
        """The data by row, m x k in C order."""
        if self._by_row is None:
            self._by_row = np.ascontiguousarray(self.values)
        return self._by_row

    def by_column(self):
        """The data by column, k x m in C order (the full gradients run down it)."""
        if self._by_column is None:
            self._by_column = np.ascontiguousarray(self.values.T)
        return self._by_column

    def inputs(self):
        """The inputs, m x (k - 1), a view (of the layout already made, if any)."""
        return self._by_row[:, :-1] if self._by_row is not None else (
            self._by_column[:-1].T if self._by_column is not None else self.values[:, :-1])

    # ----------------------------------------------------------------------- what the drivers read

    def gradient(self):
        gradient = FullGradient(self.by_column())
        return gradient if self.weights is None else gradient.set_weights(self._summed, self.weighting,
                                                                           self._summed_total)


    def rows(self, perm, rows):
        return self.by_row(), perm, rows, None

    def columns_of(self, perm, rows):
        return self.by_column(), perm, rows

    def mean_squared_residual(self, theta):
        """Summed in the order of the rows (the single-row methods' averaged iterate's loss); weighted."""
        if self.weights is None:
            return K.mean_squared_residual(self.by_row(), theta)
        return K.squared_residuals(self.by_row(), theta, 0.0, self.weights) / self.total

    def take(self, rows):
        return self.values[np.asarray(rows, dtype=np.int64)]

    # ----------------------------------------------------------------------- its inputs' spectrum

    def curvature(self, batches=None, starts=None):
        """``L``: the largest eigenvalue of ``X'X / m``, ``X = [1 | inputs]``, or the largest
        over MBGD's batches (rows ``batches[starts[b]:starts[b + 1]]``)."""
        weighted = self._summed_weights()
        if batches is None or batches.size == 0:
            return largest_eigenvalue(self.inputs(), **weighted)
        return max(largest_eigenvalue(self.inputs(), batches[starts[b]:starts[b + 1]], **weighted)
                   for b in range(starts.size - 1))

    def largest_row_norm(self):
        """``R2``: the largest ``|x_i|^2 = 1 + sum_j x_ij^2`` over the rows (weighted: times
        the row's step factor, as its steps are)."""
        return largest_row_norm(self.inputs(), self.step_factors())

    def gram(self):
        """The exact Gram matrix of ``[1 | inputs | output]``, divided by m (None beyond
        :data:`graddescent.spectrum.GRAM_SIZE` columns): :mod:`graddescent.certificate`'s."""
        if self.k + 1 > GRAM_SIZE:
            return None
        weighted = self._summed_weights()
        if self._by_column is not None or self._by_row is None and self.values.flags.f_contiguous:
            return exact_gram(self.by_column(), **weighted)
        return exact_gram_by_rows(self.values, **weighted)

    def looks_scaled(self):
        """Whether every input column looks scaled: mean near 0 and spread near 1, or spanning 0..1."""
        inputs = self.inputs()
        for j in range(inputs.shape[1]):  # a column at a time: no copy of the data
            column = inputs[:, j]
            with np.errstate(all="ignore"):
                mean, spread, low, high = column.mean(), column.std(), column.min(), column.max()
            if not (abs(mean) < 0.1 and abs(spread - 1) < 0.1 or abs(low) < 1e-9 and abs(high - 1) < 1e-9):
                return False
        return True

    # ----------------------------------------------------------------------- R's scaling

    def scaling_parameter(self, method):
        """R's scalingParameter: centres, then spreads (``"variance"``: R's means and standard
        deviations, ``"minmax"``: minima and ranges), one per column; weighted, as R's of the
        data with each row repeated as often as its weight says (divisor ``sum(w) - 1``)."""
        if method == "variance":
            self.check_total()
        with np.errstate(over="ignore", invalid="ignore"):
            if method == "variance":
                return np.vstack(r_mean_sd(self.values, self.weights))
            low, high = self.min_max()
            return np.vstack([low, high - low])

    def min_max(self):
        """Each column's minimum and maximum."""
        with np.errstate(invalid="ignore"):
            return self.values.min(axis=0), self.values.max(axis=0)

    def scaled(self, parameter, order="F", in_place=False, grouped=False):
        """This data scaled as R scales it, ``(x - centre) / spread`` per column, laid out by
        column (``order="F"``) or by row (``"C"``); ``in_place``: in this data's own values,
        in their layout (a copy the caller made, which this data no longer holds unscaled).
        ``grouped``: its rows grouped by whole weight (:meth:`weight_order`; ``"large"``: where some
        weigh more than :data:`graddescent.weighting.LARGE_WEIGHTS`), for a method that reads them
        only through sums over all of them or by R's numbers of them
        (:attr:`graddescent.catalog.Method.groups_rows`; :meth:`places` finds them)."""
        rows, place, moved = self.weight_order(grouped == "large") if grouped else (None, None, None)
        out = self.values if in_place else np.empty(self.shape, order=order)
        scale_columns(self.values, parameter[0], parameter[1], out, place)
        if in_place:
            self._by_row = self._by_column = None
        index = self.index if rows is None else pd.Index(rows) if self.index.equals(pd.RangeIndex(self.m)) else (
            self.index[rows])  # (the labels of the rows moved)
        scaled = Dense(out, self.columns, index)
        scaled._weigh_as(self, moved)
        scaled._place = self._place if place is None else place.astype(np.int64) if self._place is None else (
            place[self._place].astype(np.int64))
        return scaled

    def non_finite_columns(self):
        """Which columns hold a value that is not finite."""
        return non_finite_columns(self.values)

    def frame(self):
        """As a DataFrame (no copy)."""
        return pd.DataFrame(self.values, columns=self.columns, index=self.index, copy=False)


KINDS = (Dense, chunked.Chunks, Sparse)  # the kinds of data


def as_data(data, name="dataTrain", min_rows=2, min_cols=2):
    """A data set as one of the kinds of this module: as it is if it is one, a Dask array or
    DataFrame as :class:`graddescent.chunked.Chunks` (where it is), a scipy.sparse matrix or
    array (its last column the output) as :class:`graddescent.sparse.Sparse`, else checked
    (:func:`graddescent.validation.check_data`) as :class:`Dense`."""
    if isinstance(data, KINDS):
        return data
    if is_sparse(data):
        if data.ndim != 2 or data.shape[0] < min_rows or data.shape[1] < min_cols:
            raise ValueError(f"{name} must have at least {min_rows} rows and {min_cols} columns (the inputs, then the "
                             f"output), got shape {data.shape}")
        table = data.tocsc()
        y = table[:, [-1]].tocoo()
        output = np.zeros(table.shape[0])
        output[y.row] = y.data
        return as_sparse(table[:, :-1], output, name=name)
    if chunked.is_dask(data):  # (its pieces stay where they are)
        return chunked.as_chunks(data, name=name, min_rows=min_rows, min_cols=min_cols)
    return Dense(*check_data(data, name, min_rows, min_cols))
