"""The curvature of a least-squares loss: ``X'X / m`` with ``X = [1 | inputs]``, its Gram
matrix summed exactly, its eigenvalues, and the largest squared row norm.

The Gram matrix comes from exact sums (:func:`graddescent._sums.gram_sums`), so it is the
same for data in memory and in pieces (:mod:`graddescent.chunked`), in any order of the
rows; a table wider than :data:`GRAM_SIZE` - 1 inputs is measured by products with X
instead (no matrix beyond the data).
"""

import math

import numpy as np

from ._sums import add_exact, column_bounds, exact_total, gram_matrix, gram_sums

__all__ = []

GRAM_SIZE = 2048  # the largest Gram matrix built (of the columns, else of the rows)
CHUNK = 1 << 16  # rows per piece of a product with a wide table


def eigenvalue(gram):
    """The largest eigenvalue of a Gram matrix (inf where it overflowed)."""
    return float(np.linalg.eigvalsh(gram)[-1]) if np.all(np.isfinite(gram)) else math.inf


def exact_gram(cols, rows=None, top=None, weights=None, weighting=0):
    """``[1 | cols']' [1 | cols'] / count`` of data by column (k x m: every column of it, in
    order), over the rows (all: None), each entry correctly rounded; ``top`` the columns'
    largest magnitudes (the whole data set's, where cols is a piece of it). With ``weights``
    (one per row of cols, as :meth:`graddescent._sums.FullGradient.set_weights` takes them,
    ``weighting``), the weighted sums over the weights' sum."""
    top = column_bounds(cols) if top is None else top
    acc, grids = gram_sums(cols, top, rows, weights, weighting)
    return gram_matrix(acc, grids, cols.shape[0] + 1, _count(cols.shape[1], rows, weights))


def _count(m, rows, weights):
    """The rows counted: their number, or their weights' sum."""
    if weights is None:
        return m if rows is None else rows.size
    return exact_total(weights if rows is None else weights[rows])


def exact_gram_by_rows(values, weights=None, weighting=0):
    """:func:`exact_gram` of data by row (m x k), a block of rows at a time (no copy of the
    data by column): the same exact sums, so the same matrix."""
    m, k = values.shape
    top = np.array([np.max(np.abs(values[:, j])) if m else 0.0 for j in range(k)])
    total, grids = None, None
    for lo in range(0, max(m, 1), CHUNK):
        acc, grids = gram_sums(np.ascontiguousarray(values[lo:lo + CHUNK].T), top, None,
                               None if weights is None else weights[lo:lo + CHUNK], weighting)
        if total is None:
            total = acc
        else:
            add_exact(total, acc)
    return gram_matrix(total, grids, k + 1, _count(m, None, weights))


def largest_eigenvalue(inputs, rows=None, weights=None, weighting=0):
    """The largest eigenvalue of ``X'X / count`` for the rows (all: None) of inputs (m x k,
    any layout): from the exact Gram matrix of the columns; or, for a wide table, of the
    rows (``XX'``, whose nonzero eigenvalues are the same), built a piece at a time; where
    both are large, by Lanczos iterations on products with X. ``weights``: of the weighted
    rows (as :func:`exact_gram`)."""
    count = inputs.shape[0] if rows is None else rows.size
    k = inputs.shape[1]
    if k + 1 <= GRAM_SIZE:  # (a view where held by column)
        return eigenvalue(exact_gram(np.ascontiguousarray(inputs.T), rows, None, weights, weighting))
    if weights is not None:  # a wide weighted table: of the rows times the roots of their weights
        root = np.sqrt(weights if rows is None else weights[rows])
        chosen = inputs if rows is None else inputs[rows]
        total = math.fsum(root * root)
        with np.errstate(all="ignore"):
            return _lanczos(chosen * root[:, None], None, count, k, root) * count / total
    with np.errstate(all="ignore"):  # (data beyond 1e154 overflows it: then inf)
        if count <= GRAM_SIZE:
            gram = np.ones((count, count))  # (the intercept's column of ones)
            step = max(1, CHUNK // count)
            for lo in range(0, k, step):
                piece = inputs[:, lo:lo + step] if rows is None else inputs[rows, lo:lo + step]
                gram += piece @ piece.T
            return eigenvalue(gram / count)
        return _lanczos(inputs, rows, count, k)


def _lanczos(inputs, rows, count, k, ones=None):
    from scipy.sparse.linalg import LinearOperator, eigsh

    def product(v):  # (``ones``: the intercept's column, where it is not ones)
        out = np.zeros(k + 1)
        for lo in range(0, count, CHUNK):
            piece = inputs[lo:lo + CHUNK] if rows is None else inputs[rows[lo:lo + CHUNK]]
            one = 1.0 if ones is None else ones[lo:lo + CHUNK]
            u = v[0] * one + piece @ v[1:]
            out[0] += (u * one).sum()
            out[1:] += piece.T @ u
        return out / count

    value = eigsh(LinearOperator((k + 1, k + 1), matvec=product, dtype=np.float64), k=1, which="LA",
                  tol=1e-6, return_eigenvectors=False)[0]
    return float(value) * (1 + 1e-6) if np.isfinite(value) else math.inf


def largest_row_norm(inputs, factors=None):
    """``R2``: the largest ``|x_i|^2 = 1 + sum_j x_ij^2`` over the rows (m x k inputs, any layout),
    each times its factor (``factors``: None, 1)."""
    squares = np.ones(inputs.shape[0])
    with np.errstate(over="ignore"):  # (data beyond 1e154 overflows it: then inf)
        if inputs.shape[1] <= GRAM_SIZE:
            for j in range(inputs.shape[1]):
                squares += inputs[:, j] * inputs[:, j]
        else:  # a wide table: a piece of rows at a time
            step = max(1, CHUNK // inputs.shape[1])
            for lo in range(0, inputs.shape[0], step):
                piece = inputs[lo:lo + step]
                squares[lo:lo + step] += np.einsum("ij,ij->i", piece, piece)
        if factors is not None:
            squares *= factors
    return float(squares.max())
