"""Data held by Dask (beyond R): fits of data in pieces of rows, in this machine's processes
or on a cluster, with the numbers the same data gives in memory, to the last bit.

A ``dask.array`` (rows x columns) or ``dask.dataframe`` is accepted wherever a DataFrame is.
Nothing gathers the whole data set into one process:

- **Full sums** (the full gradients, the exact Gram matrix of ``alpha="auto"``, the checks)
  are a map over the pieces and a reduction. The gradients' sums are exact and do not depend on the order of
  the rows (:mod:`graddescent._sums`): each piece's sums, on the whole data set's grids, are
  192-bit integers that add up in any order, so any split of the rows gives the same sums.
  The sums that do follow the order of the rows (R's long double mean and sd, a diverged
  fit's compensated sums, the mean squared residual of the single-row methods' averaged
  iterate) run through the pieces one after the other, each continuing the one before, a
  few pieces sent at a time (else the workers would read pieces far ahead of the sequence
  and hold them).
- **Rows drawn at random** (the single-row methods' steps, the variance-reduced methods'
  inner loops): the draws come from R's stream and never depend on theta, so the rows of
  a stretch of steps are fetched from the pieces that hold them, a bounded number at a
  time, and the compiled loops run on them as on data in memory.

The work runs on Dask's current scheduler: a ``distributed.Client``'s cluster where one is
active, else Dask's threads. Dask and ``distributed`` form the optional extra ``dask``
(``pip install 'graddescent[dask]'``).
"""

import math

import numpy as np
import pandas as pd

from . import _kernels as K
from ._sums import ChunkedGradient, FullGradient, add_exact, column_bounds, column_sums, first_non_finite, mean_sd
from ._sums import gram_matrix, gram_sums, non_finite_columns, scale_columns, weighted_mean_sd, weighted_sums
from .linear import predictions
from .spectrum import GRAM_SIZE, _count, eigenvalue, largest_row_norm
from .validation import check_weights
from .weighting import Weighed

__all__ = []

EXTRA = "pip install 'graddescent[dask]'"
FETCH = 1 << 16  # rows fetched at a time for the steps of the single-row and variance-reduced methods


class NonFiniteError(ValueError):
    """Data held by Dask with NaN or infinite values: how many, and the first's column, row
    (from 0) and value (for callers that word it their way: the command line)."""

    def __init__(self, message, count, column, row, value):
        super().__init__(message)
        self.count, self.column, self.row, self.value = count, column, row, value


def is_dask(data):
    """Whether data is a Dask collection (an array or a DataFrame)."""
    return hasattr(data, "__dask_graph__") and hasattr(data, "ndim")


def _dask():
    try:
        import dask
        import dask.array  # noqa: F401
    except ImportError as error:
        raise ImportError(f"Dask input needs the optional extra 'dask' (Dask and distributed): {EXTRA}") from error
    return dask


class Chunks(Weighed):
    """A data set held by Dask in pieces of whole rows: m rows of k float64 columns (the
    inputs, then the output), with their names, where each piece starts (``offsets``) and
    each column's largest magnitude (``top``). It has the interface of
    :mod:`graddescent.data`: the rows the steps read are fetched, ``stretch`` at a time."""

    @property
    def stretch(self):
        return FETCH

    def weighted(self, weights, name="sample_weight"):
        """This data with the rows' frequency weights (one per row: a NumPy array or held by Dask),
        as :meth:`graddescent.data.Dense.weighted`: the rows of weight 0 left out (the pieces keep
        the others), the same numbers. The weights are held here, in memory (one number a row, as
        the shuffle is), and each piece's sent with its work."""
        weights = check_weights(weights.compute() if is_dask(weights) else weights, self.m, name)
        kept = weights > 0
        array = self.array if kept.all() else self.array[kept]
        top = self.top if kept.all() else np.max(self._run(*[
            _dask().delayed(column_bounds)(_dask().delayed(_by_column)(piece, self.k))
            for piece in array.to_delayed().ravel()]), axis=0)
        held = Chunks(array, self.columns, top, self.counter)
        held._weigh(weights[kept])
        return held

    def _piece_weights(self, c, summed=True):
        """Piece c's weights (as the sums take them, or as given; None: unweighted) and their kind."""
        if self.weights is None:
            return None, 0
        values = self._summed if summed else self.weights
        return values[self.offsets[c]:self.offsets[c + 1]], int(self.weighting)


    def __init__(self, array, columns, top, counter=None):
        self.array, self.columns, self.top = array, columns, top
        self.counter = [0.0] if counter is None else counter  # pieces read, over the pieces: passes over the data
        self.offsets = np.concatenate([[0], np.cumsum(array.chunks[0])]).astype(np.int64)
        self.m, self.k = int(self.offsets[-1]), int(array.shape[1])
        self.pieces = list(array.to_delayed().ravel())
        self.shape = (self.m, self.k)

    # ----------------------------------------------------------------------- the pieces' work

    def _split(self, rows):
        """(piece, its rows counted from its start) for each piece that holds some of rows
        (sorted or not; each piece's in the order given), or for every piece (rows None)."""
        if rows is None:
            return [(c, None) for c in range(len(self.pieces)) if self.offsets[c + 1] > self.offsets[c]]
        rows = np.asarray(rows, dtype=np.int64)
        piece, order = self._order(rows)
        cuts = np.searchsorted(piece[order], np.arange(len(self.pieces) + 1))
        return [(c, rows[order[cuts[c]:cuts[c + 1]]] - self.offsets[c]) for c in range(len(self.pieces))
                if cuts[c + 1] > cuts[c]]

    def _order(self, rows):
        """Each row's piece, and the rows' order by piece (stable: in each piece, as given)."""
        piece = np.searchsorted(self.offsets, rows, side="right") - 1
        return piece, np.argsort(piece, kind="stable")

    def _run(self, *tasks, reads=None):
        """Dask's results of the tasks (each reads a piece, or ``reads`` pieces in all)."""
        out = _dask().compute(*tasks)
        self.counter[0] += (len(tasks) if reads is None else reads) / max(len(self.pieces), 1)
        return out

    @property
    def passes(self):
        """The passes over the data that the work so far has read (pieces read, over the pieces)."""
        return self.counter[0]

    def exact(self, theta, grids, rows=None):
        """The exact gradient sums at theta on the grids, over the rows (all: None): the
        (n + 1) x 3 words of the whole, and whether a residual left its grid's binade."""
        delayed = _dask().delayed
        parts = self._run(*[delayed(_piece_exact)(self.pieces[c], self.k, theta, grids, local, *self._piece_weights(c))
                            for c, local in self._split(rows)])
        total, out = np.zeros((self.k + 1, 3), dtype=np.uint64), False
        for acc, flag in parts:
            add_exact(total, acc)
            out |= flag
        return total, out

    def _fold(self, function, state, *args, rows=None):
        """``state`` carried through the pieces that hold the rows (all: None), in row order:
        ``function(piece, k, state, its rows, *args)`` for each, a few pieces at a time (so
        that the pieces read ahead of the sequence wait in no worker's memory)."""
        delayed, split = _dask().delayed, self._split(rows)
        window = _window()
        for lo in range(0, len(split), window):
            for c, local in split[lo:lo + window]:
                state = delayed(function)(self.pieces[c], self.k, state, local, *args, *self._piece_weights(
                    c, function is not _piece_column_sums and function is not _piece_squares))
            state = self._run(state, reads=len(split[lo:lo + window]))[0]
        return state

    def compensated(self, theta, rows=None):
        """The compensated gradient sums (a diverging fit's fallback) over the rows (sorted;
        all: None), piece after piece in row order."""
        return self._fold(_piece_compensated, np.zeros((4, self.k + 1)), theta, rows=rows)

    def take(self, rows):
        """The data rows ``rows`` (in that order, repeats and all), by row (C order)."""
        rows = np.asarray(rows, dtype=np.int64)
        split = self._split(rows)
        delayed = _dask().delayed
        parts = self._run(*[delayed(_piece_take)(self.pieces[c], self.k, local) for c, local in split])
        out = np.empty((rows.size, self.k))
        out[self._order(rows)[1]] = np.concatenate(parts) if parts else np.empty((0, self.k))
        return out

    def rows(self, perm, rows):
        """The rows ``perm[rows]`` fetched, by row, with the identity as their shuffle and
        rows (so that the compiled loops read them as they read the data), and the rows of
        the data set they are."""
        table = perm[rows]
        ident = np.arange(rows.size, dtype=np.int64)
        return self.take(table), ident, ident, table

    def columns_of(self, perm, rows):
        """:meth:`rows`, by column (the variance-reduced inner loops read them so)."""
        local, ident, _, _ = self.rows(perm, rows)
        return np.ascontiguousarray(local.T), ident, ident

    def squared_residuals(self, theta):
        """The sum of squared residuals of theta over all rows, in row order (as
        :func:`graddescent._kernels.squared_residuals` over the data in memory)."""
        return self._fold(_piece_squares, 0.0, theta)

    def mean_squared_residual(self, theta):
        return self.squared_residuals(np.asarray(theta, dtype=np.float64)) / (
            self.m if self.weights is None else self.total)

    def gradient(self):
        """The full gradients of this data (:class:`graddescent._sums.FullGradient`'s numbers)."""
        gradient = ChunkedGradient(np.empty((self.k, 0)), self)
        return gradient if self.weights is None else gradient.set_weights(self._summed, self.weighting,
                                                                           self._summed_total)

    def mean_sd(self):
        """R's mean and sd of every column (:func:`graddescent._sums.r_mean_sd`'s numbers): weighted,
        the pieces' exact sums added up (in any order), where they can be used, as in memory."""
        if self.weights is not None:
            found = weighted_mean_sd(self._weighted_sums, self.top, float(np.max(self.weights)), self.total)
            if found is not None:
                return found
        return mean_sd(lambda out, centre, power: self._fold(_piece_column_sums, out, centre, power),
                       self.m if self.weights is None else self.total, self.k)

    def _weighted_sums(self, grids, centre, power):
        """:func:`graddescent._sums.weighted_sums` over all rows: the pieces' words added up."""
        delayed = _dask().delayed
        parts = self._run(*[delayed(_piece_weighted_sums)(self.pieces[c], self.k, self._piece_weights(c, False)[0],
                                                          grids, centre, power) for c, _ in self._split(None)])
        total, out = np.zeros((self.k, 3), dtype=np.uint64), False
        for acc, flag in parts:
            add_exact(total, acc)
            out |= flag
        return total, out

    def scaling_parameter(self, method):
        """R's scalingParameter (:meth:`graddescent.data.Dense.scaling_parameter`'s numbers)."""
        with np.errstate(over="ignore", invalid="ignore"):
            if method == "variance":
                self.check_total()
                return np.vstack(self.mean_sd())
            low, high = self.min_max()
            return np.vstack([low, high - low])

    def non_finite_columns(self):
        return ~np.isfinite(np.asarray(self.top, dtype=np.float64))

    def min_max(self):
        delayed = _dask().delayed
        parts = self._run(*[delayed(_piece_min_max)(self.pieces[c], self.k) for c, _ in self._split(None)])
        return np.min([p[0] for p in parts], axis=0), np.max([p[1] for p in parts], axis=0)

    def scaled(self, parameter, order=None, in_place=False, grouped=False):
        """This data scaled as R scales it, ``(x - centre) / spread`` per column, in pieces
        (lazily; each piece by column, what the full sums read; ``in_place``, ``grouped``: nothing is
        copied or moved)."""
        array = self.array.map_blocks(_piece_scaled, parameter[0], parameter[1], dtype=np.float64)
        top = np.max(self._run(*[_dask().delayed(column_bounds)(_dask().delayed(_by_column)(piece, self.k))
                                 for piece in array.to_delayed().ravel()]), axis=0)
        scaled = Chunks(array, self.columns, top, self.counter)
        scaled._weigh_as(self)
        return scaled

    def largest_row_norm(self):
        """:meth:`graddescent.data.Dense.largest_row_norm`'s number: of the inputs."""
        delayed = _dask().delayed
        return float(max(self._run(*[delayed(_piece_row_norm)(self.pieces[c], self.k, self._piece_factors(c))
                                     for c, _ in self._split(None)])))

    def _piece_factors(self, c):
        return None if self.weights is None else self._factors[self.offsets[c]:self.offsets[c + 1]]

    def curvature(self, batches=None, starts=None):
        """:meth:`graddescent.data.Dense.curvature`'s number: the same exact Gram matrices of the
        inputs."""
        inputs = self.k - 1
        if inputs + 1 > GRAM_SIZE:
            raise ValueError(f"the curvature of {inputs} inputs held by Dask is not computed here (at most "
                             f"{GRAM_SIZE - 1}); give alpha a number")
        groups = [None] if batches is None or batches.size == 0 else [
            batches[starts[b]:starts[b + 1]] for b in range(starts.size - 1)]
        delayed, top = _dask().delayed, np.asarray(self.top[:-1], dtype=np.float64)
        tasks = [[delayed(_piece_gram)(self.pieces[c], self.k, top, local, True, *self._piece_weights(c))
                  for c, local in self._split(rows)] for rows in groups]
        found, largest = self._run(*[task for group in tasks for task in group]), -math.inf
        for rows, group in zip(groups, tasks):
            parts, found = found[:len(group)], found[len(group):]
            total = np.zeros_like(parts[0][0])
            for acc, _ in parts:
                add_exact(total, acc)
            largest = max(largest, eigenvalue(gram_matrix(total, parts[0][1], inputs + 1, _count(
                self.m, rows, None if self.weights is None else self._summed))))
        return largest

    def gram(self):
        """:meth:`graddescent.data.Dense.gram`'s matrix: the same exact sums, piece by piece."""
        if self.k + 1 > GRAM_SIZE:
            return None
        delayed, top = _dask().delayed, np.asarray(self.top, dtype=np.float64)
        parts = self._run(*[delayed(_piece_gram)(self.pieces[c], self.k, top, None, False, *self._piece_weights(c))
                            for c, _ in self._split(None)])
        total = np.zeros_like(parts[0][0])
        for acc, _ in parts:
            add_exact(total, acc)
        return gram_matrix(total, parts[0][1], self.k + 1, _count(self.m, None, None if self.weights is None else
                                                                  self._summed))

    def looks_scaled(self):
        """Whether every input column looks scaled (for the remedy of a diverged fit's message)."""
        mean, sd = (values[:-1] for values in self.mean_sd())
        low, high = (values[:-1] for values in self.min_max())
        standard = (np.abs(mean) < 0.1) & (np.abs(sd - 1) < 0.1)
        unit = (np.abs(low) < 1e-9) & (np.abs(high - 1) < 1e-9)
        return bool(np.all(standard | unit))

    def moments(self, theta, parameter):
        """For the command line's report, in one pass: the rows, the column means and the
        centred second moments (X'X of the centred columns, the output last), each piece's
        merged as Chan, Golub and LeVeque merge them (not bit for bit), and the sum of the
        squared residuals of the model's predictions (in original units; theta and R's
        scalingParameter, as :func:`graddescent.linear.predictions` takes them)."""
        delayed = _dask().delayed
        parts = self._run(*[delayed(_piece_report)(self.pieces[c], self.k, theta, parameter,
                                                   *self._piece_weights(c, False))
                            for c, _ in self._split(None)])
        count, mean, moments, squares = 0, np.zeros(self.k), np.zeros((self.k, self.k)), 0.0
        with np.errstate(all="ignore"):
            for n, mu, centred, sse in parts:
                if n:
                    delta, total = mu - mean, count + n
                    mean = mean + delta * (n / total)
                    moments = moments + centred + np.outer(delta, delta) * (count * n / total)
                    count, squares = total, squares + sse
        return count, mean, moments, squares


# --------------------------------------------------------------------------- the work on a piece
# (functions of a module, so that the workers find them by name)

def _window():
    """How many pieces a fold sends at a time: twice the workers of the cluster at hand (or
    the cores, on Dask's threads)."""
    import os

    try:
        import distributed

        return max(2, 2 * len(distributed.get_client().scheduler_info()["workers"]))
    except (ImportError, ValueError):
        return max(2, 2 * (os.cpu_count() or 1))


def _values(piece, k):
    """A piece's values as float64, checked: a piece of another width, or of values that
    are not real numbers, cannot be part of the data set."""
    values = np.asarray(piece)
    if values.ndim != 2 or values.shape[1] != k:
        raise ValueError(f"a piece of the data has shape {values.shape}, where every piece must have {k} columns; "
                         "make every chunk hold the same columns")
    if values.dtype == bool or not np.issubdtype(values.dtype, np.number) or np.iscomplexobj(values):
        raise ValueError(f"a piece of the data holds {values.dtype} values, where every column must hold real "
                         "numbers; convert the columns (e.g. astype(float))")
    return np.asarray(values, dtype=np.float64)


def _by_column(piece, k):
    return np.ascontiguousarray(_values(piece, k).T)


def _piece_gradient(piece, k, weights, weighting):
    gradient = FullGradient(_by_column(piece, k))
    return gradient if weights is None else gradient.set_weights(weights, weighting)


def _piece_exact(piece, k, theta, grids, rows, weights=None, weighting=0):
    return _piece_gradient(piece, k, weights, weighting).piece_exact(theta, grids, rows)


def _piece_compensated(piece, k, comp, rows, theta, weights=None, weighting=0):
    return _piece_gradient(piece, k, weights, weighting).piece_compensated(theta, comp, rows)


def _piece_gram(piece, k, top, rows, inputs=True, weights=None, weighting=0):
    return gram_sums(_by_column(piece, k)[:-1] if inputs else _by_column(piece, k), top, rows, weights, weighting)


def _piece_report(piece, k, theta, parameter, weights=None, weighting=0):
    values = _values(piece, k)
    if not len(values):
        return 0, np.zeros(k), np.zeros((k, k)), 0.0
    with np.errstate(all="ignore"):
        residual = values[:, -1] - predictions(theta, parameter, values[:, :-1])
        if weights is not None:  # (weighted: the count is the weights' sum)
            mean = weights @ values / weights.sum()
            centred = values - mean
            return float(weights.sum()), mean, (centred * weights[:, None]).T @ centred, float(
                residual @ (residual * weights))
        mean = values.mean(axis=0)
        centred = values - mean
        return len(values), mean, centred.T @ centred, float(residual @ residual)


def _piece_take(piece, k, rows):
    return _values(piece, k)[rows]


def _piece_squares(piece, k, total, rows, theta, weights=None, weighting=0):
    return K.squared_residuals(np.ascontiguousarray(_values(piece, k)), theta, total, weights)


def _piece_column_sums(piece, k, out, rows, centre, power, weights=None, weighting=0):
    return column_sums(_values(piece, k), np.array(out), centre, power, weights)


def _piece_weighted_sums(piece, k, weights, grids, centre, power):
    return weighted_sums(_values(piece, k), weights, grids, centre, power)


def _piece_min_max(piece, k):
    values = _values(piece, k)
    return values.min(axis=0), values.max(axis=0)


def _piece_scaled(piece, centre, spread):
    values = np.asarray(piece, dtype=np.float64)
    out = np.empty(values.shape, order="F")  # (by column: what the full sums read)
    with np.errstate(all="ignore"):
        scale_columns(values, centre, spread, out)
    return out


def _piece_row_norm(piece, k, factors=None):
    return largest_row_norm(_values(piece, k)[:, :-1], factors) if len(piece) else 0.0  # (of the inputs)


def _piece_check(piece, k):
    """A piece's non-finite columns, each column's largest magnitude, its first non-finite value,
    how many there are, and its rows."""
    values = _values(piece, k)
    bad = non_finite_columns(values)
    top = column_bounds(np.ascontiguousarray(values.T)) if not bad.any() else np.full(k, np.nan)
    i, j = first_non_finite(values) if bad.any() else (-1, -1)
    return bad, top, (i, j, values[i, j] if i >= 0 else 0.0), int(np.count_nonzero(
        ~np.isfinite(values))) if bad.any() else 0, values.shape[0]


# --------------------------------------------------------------------------- input

def as_chunks(data, name="dataSet", min_rows=2, min_cols=2, fix="Drop or fill them (e.g. dropna()).", columns=None,
              facts=()):
    """A Dask array or DataFrame as :class:`Chunks`, checked as :func:`graddescent.validation.check_data`
    checks data in memory, in one pass over the pieces (which also counts their rows where
    Dask does not know them, as for a file read a block at a time). ``fix``: what to do about
    missing values, for the message; ``columns``: the names of an array's columns (R's
    ``V1, V2, ...`` by default); ``facts``: Dask values computed in the same pass, sharing its
    reads (what identifies each block of a file), kept as the result's ``facts``."""
    if isinstance(data, Chunks):
        return data
    dask = _dask()
    import dask.array as da

    if hasattr(data, "dtypes") and hasattr(data, "columns"):  # a Dask DataFrame
        columns = pd.Index(data.columns)
        if columns.duplicated().any():
            dups = sorted({str(c) for c in columns[columns.duplicated()]})
            raise ValueError(f"{name} has duplicated column names {dups}; give every column a distinct name")
        for column, dtype in zip(columns, data.dtypes):
            if (pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype)
                    or pd.api.types.is_complex_dtype(dtype)):
                kind = "boolean" if pd.api.types.is_bool_dtype(dtype) else f"non-numeric ({dtype})"
                raise ValueError(f"{name} column {column!r} is {kind}; every column must hold numbers. "
                                 "Convert it (e.g. astype(float)) or drop it.")
        array = data.to_dask_array(lengths=True)
    elif isinstance(data, da.Array):
        if data.ndim != 2:
            raise ValueError(f"{name} must be 2-dimensional (rows x columns, the last column the output); "
                             f"got a Dask array of shape {data.shape}")
        if data.dtype == bool or not np.issubdtype(data.dtype, np.number) or np.iscomplexobj(data):
            raise ValueError(f"{name} must hold real numbers, got a Dask array of {data.dtype}; "
                             "convert it with .astype(float)")
        array = data
        columns = pd.Index([f"V{j + 1}" for j in range(array.shape[1])] if columns is None else columns)
    else:
        raise ValueError(f"{name} must be a Dask array or DataFrame, got {type(data).__name__}")
    array = array.rechunk({1: -1}) if len(array.chunks[1]) > 1 else array  # every piece whole rows
    k = array.shape[1]
    if k < min_cols:
        raise ValueError(f"{name} has {k} column(s); it needs at least {min_cols} "
                         "(one or more inputs, then the output as the last column)")
    found, facts = dask.compute([dask.delayed(_piece_check)(piece, k) for piece in array.to_delayed().ravel()],
                                list(facts))
    counts = tuple(part[4] for part in found)
    if any(math.isnan(size) for size in array.chunks[0]):  # (as dask's compute_chunk_sizes sets them)
        array._chunks = (counts, array.chunks[1])
    start = np.concatenate([[0], np.cumsum(counts)])
    for c, (bad, top, (i, j, value), count, _) in enumerate(found):
        if bad.any():
            total = sum(part[3] for part in found)
            raise NonFiniteError(f"{name} has {total} NaN or infinite value(s); the first is in column "
                                 f"{columns[j]!r} at row {int(start[c]) + i}. {fix}", total, columns[j],
                                 int(start[c]) + i, value)
    if sum(counts) < min_rows:
        raise ValueError(f"{name} has {sum(counts)} row(s); it needs at least {min_rows}")
    held = Chunks(array, columns, np.max([part[1] for part in found], axis=0))
    held.facts = facts
    return held
