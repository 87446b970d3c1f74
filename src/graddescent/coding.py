"""Categorical columns as indicator columns: R's treatment coding (``contr.treatment``).

A categorical column (a *factor*, in R's word) with levels ``l_1, ..., l_L`` becomes ``L - 1``
indicator columns, one per level after the first: the first level is the reference, the
row's own level's column holds 1 and the others 0 (a row of the reference level is all 0).
This is what R's ``lm(y ~ firm + value)`` does with a factor ``firm``: its levels are sorted
(R's ``factor()``), and the indicator columns are named as R's ``model.matrix`` names them,
the column's name then the level: ``firmGeneral Motors``.

Levels are sorted as R sorts them in the C locale: text by its characters' code points
(``"Banana" < "apple"``; R in another locale may put mixed-case or punctuated levels in
another order, and then takes another reference), numbers by value. A categorical column
whose every value is a number (``--categorical`` on a numeric code) has numeric levels, named
as R's ``as.character`` writes them (``2``, ``0.5``) and matched by value.

The coding produces each factor's indicator block (:func:`indicators`, dense or a
``scipy.sparse`` matrix); :func:`design` assembles a design from the source columns, dense, and
:func:`sparse_design` the same design as a ``scipy.sparse`` CSR matrix (its non-zeros only: for
a factor of many levels, one number a row where the dense design holds one a level).
"""

import numpy as np
import pandas as pd

__all__ = ["Factor", "level_label", "indicators", "design", "sparse_design", "dense_bytes"]


def level_label(level):
    """A level as text, as R's ``as.character`` writes it: text as it is; a whole number
    within R's integers (as ``read.csv`` reads it) with its digits, another number with 15
    significant digits (``0.5``, ``1e-20``)."""
    if isinstance(level, str):
        return level
    value = float(level)
    if value == int(value) and abs(value) < 2**31:
        return str(int(value))
    return f"{value:.15g}"


class Factor:
    """A categorical column and its levels, in order, the first the reference.

    Parameters
    ----------
    name : str
        The column's name.
    levels : list of str, or list of float
        At least two distinct levels, sorted (text by code point, numbers by value); the
        first is the reference level.

    Attributes
    ----------
    numeric : bool
        Whether the levels are numbers (matched by value), not text.
    names : list of str
        The indicator columns, one per level after the first: the name, then the level.
    """

    def __init__(self, name, levels):
        self.name, self.levels = name, list(levels)
        self.numeric = not isinstance(self.levels[0], str)
        self.names = [f"{name}{level_label(level)}" for level in self.levels[1:]]

    def __repr__(self):
        return f"Factor({self.name!r}, {self.levels!r})"

    @property
    def reference(self):
        """The reference level (the first)."""
        return self.levels[0]

    def codes(self, values):
        """Each value's level number (0 the reference), -1 where it is missing (NaN or None),
        and the index of the first value that is none of the levels (-1 if none is).

        Parameters
        ----------
        values : sequence
            Text, or numbers for numeric levels.

        Returns
        -------
        codes : numpy.ndarray of intp
        unseen : int
        """
        values = pd.Series(values, dtype=np.float64 if self.numeric else object)
        missing = values.isna().to_numpy()
        codes = pd.Index(self.levels).get_indexer(values.where(~missing)).astype(np.intp)
        unseen = np.flatnonzero((codes < 0) & ~missing)
        return codes, int(unseen[0]) if unseen.size else -1


def indicators(codes, n_levels, sparse=False):
    """The treatment-coded indicator block of one factor (R's ``contr.treatment``).

    Parameters
    ----------
    codes : array of int
        Each row's level number, 0 the reference level, up to ``n_levels - 1``.
    n_levels : int
        The factor's levels.
    sparse : bool, default False
        Return a ``scipy.sparse`` CSR matrix (one non-zero a row at most) instead of a dense
        array.

    Returns
    -------
    numpy.ndarray or scipy.sparse.csr_matrix, shape (rows, n_levels - 1)
        1 in column ``c - 1`` of a row of level ``c >= 1``; a row of the reference level is 0.
    """
    codes = np.asarray(codes, dtype=np.intp)
    rows = np.flatnonzero(codes > 0)
    if sparse:
        import scipy.sparse

        return scipy.sparse.csr_matrix((np.ones(rows.size), (rows, codes[rows] - 1)),
                                       shape=(codes.shape[0], n_levels - 1))
    block = np.zeros((n_levels - 1, codes.shape[0])).T  # (laid out by column, as the design)
    block[rows, codes[rows] - 1] = 1.0
    return block


def design(values, factors):
    """A dense design from its source columns: each numeric column as it is, each factor's
    column replaced, where it stands, by its indicator block.

    Parameters
    ----------
    values : numpy.ndarray, shape (rows, k)
        The source columns; a factor's column holds level numbers (0 the reference).
    factors : dict
        Column position -> (number of levels, and an array mapping the level numbers that
        ``values`` holds to the factor's, or None where they are the factor's).

    Returns
    -------
    numpy.ndarray, shape (rows, columns of the design)
        Laid out by column (each column contiguous).
    """
    rows, k = values.shape
    width = k + sum(n - 2 for n, _ in factors.values())
    out = np.empty((width, rows)).T
    at = 0
    for j in range(k):
        if j not in factors:
            out[:, at] = values[:, j]
            at += 1
            continue
        n, mapping = factors[j]
        codes = values[:, j].astype(np.intp)
        out[:, at:at + n - 1] = indicators(codes if mapping is None else mapping[codes], n)
        at += n - 1
    return out


def sparse_design(values, factors):
    """:func:`design` as a ``scipy.sparse`` CSR matrix, built without its dense copy: the same
    columns, in the same order, holding the non-zeros only (a numeric column's zeros and a
    row's indicators of the levels it does not have are left out). ``values`` and ``factors``:
    as :func:`design` takes them.

    Returns
    -------
    scipy.sparse.csr_array, shape (rows, columns of the design)
        Canonical (each row's columns sorted, no duplicates), with int64 indices.
    """
    import scipy.sparse

    rows, k = values.shape
    width = k + sum(n - 2 for n, _ in factors.values())
    # (one pass to count each row's non-zeros, one to place them: the source columns in order
    # give each row's columns in order, so the matrix is canonical as it is built)
    counts = np.zeros(rows, dtype=np.int64)
    for j in range(k):
        counts += _column_entries(values[:, j], factors.get(j))[0]
    indptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    indices = np.empty(indptr[-1], dtype=np.int64)
    data = np.empty(indptr[-1])
    at, start = indptr[:-1].copy(), 0
    for j in range(k):
        present, column, value = _column_entries(values[:, j], factors.get(j))
        where = at[present]
        indices[where] = start + column
        data[where] = value
        at[present] += 1
        start += 1 if j not in factors else factors[j][0] - 1
    return scipy.sparse.csr_array((data, indices, indptr), shape=(rows, width))


def _column_entries(column, factor):
    """A source column's non-zeros in the design: which rows hold one, its column within the
    column's block (0 for a numeric column; a factor's indicator), and its value."""
    if factor is None:
        present = column != 0
        return present, 0, column[present]
    n, mapping = factor
    codes = column.astype(np.intp)
    if mapping is not None:
        codes = mapping[codes]
    present = codes > 0
    return present, codes[present] - 1, 1.0


def dense_bytes(rows, factors):
    """The bytes the factors' indicator blocks take dense over ``rows`` rows (float64)."""
    return 8 * rows * sum(len(f.levels) - 1 for f in factors)
