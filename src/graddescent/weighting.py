"""Frequency weights, as every kind of data (:mod:`graddescent.data`) carries them.

A row of weight w counts as w copies of it. The exact sums (:mod:`graddescent._sums`) take
whole weights up to :data:`WHOLE_WEIGHTS` as that many copies, exactly (``Weighting.WHOLE``:
each row's fixed-point words times its weight), and any others divided by the largest, each
term times its weight before it is cut (``Weighting.SCALED``); the means divide by the
weights' sum. The methods that step on one row at a time multiply its gradient by
``w_i / mean(w)`` (:meth:`Weighed.step_factors`), so that a step is in expectation the
weighted gradient's.
"""

import numpy as np
import pandas as pd

from ._sums import Weighting, exact_total, weight_order
from .validation import check_weights

__all__ = []

WHOLE_WEIGHTS = 2048  # whole weights up to this are summed exactly as that many copies of their row
LARGE_WEIGHTS = 16  # whole weights above this make short blocks of rows one by one (WEIGHT_BUDGET / 16 = 256 rows)


def kept_rows(weights, m, index=None):
    """Frequency weights of m rows, checked (:func:`graddescent.validation.check_weights`), and
    what a kind of data keeps of its rows: those of weight above 0, as a mask (None: all), with
    their weights and row labels (``index``; None: 0 to m - 1)."""
    weights = check_weights(weights, m)
    kept = weights > 0
    if kept.all():
        return None, weights, index
    return kept, weights[kept], (pd.RangeIndex(m) if index is None else index)[kept]


class Weighed:
    """What a kind of data keeps of its rows' weights (all > 0: the rows of weight 0 are left
    out before): ``weights``, their sum ``total``, how the exact sums take them (``weighting``,
    ``_summed``) and the single-row steps' factors. ``weights`` is None for unweighted data."""

    weights = None
    _place = None  # where each row R numbers is, where the rows were grouped by weight (None: where it was)

    def places(self, rows):
        """The places in this data of rows as R numbers them (0-based): where they were moved, if
        the rows were grouped by weight (:meth:`graddescent.data.Dense.scaled`), else the rows."""
        return rows if self._place is None else self._place[rows]

    def _weigh(self, weights):
        self.weights = weights
        self.total = exact_total(weights)
        whole = bool(np.all(weights <= WHOLE_WEIGHTS) and np.all(weights == np.floor(weights)))
        self.weighting = Weighting.WHOLE if whole else Weighting.SCALED
        self._summed = weights if whole else weights / weights.max()
        self._summed_total = self.total if whole else None  # (exact_total's of _summed, where known)
        self._factor_cache = None

    def _weigh_as(self, other, moved=None):
        """The weights of ``other``, the same rows (``moved``: its whole weights as its rows were moved,
        :meth:`weight_order`'s; None: as they were)."""
        if other.weights is None:
            return
        self.weights = other.weights if moved is None else moved
        self._summed = self.weights if other._summed is other.weights else other._summed
        self.total, self.weighting, self._factor_cache = other.total, other.weighting, None
        self._summed_total = other._summed_total

    def weight_order(self, large=False):
        """The rows grouped by weight (:func:`graddescent._sums.weight_order`: the row at each place,
        the place of each row, the weights so moved), or None, None, None: unweighted, weights not
        whole, grouped already, or (``large``) none above LARGE_WEIGHTS. A run of rows of one whole
        weight costs the full sums what unweighted rows cost (rows one by one: each row's words times
        its weight, up to 1.2x; weights above LARGE_WEIGHTS, short blocks: up to 7x)."""
        if self.weights is None or self.weighting != Weighting.WHOLE or (
                large and self.weights.max() <= LARGE_WEIGHTS):
            return None, None, None
        order = weight_order(self.weights.astype(np.uint32))
        return (None, None, None) if order is None else order

    @property
    def _factors(self):
        """The single-row steps' factors of all rows (made on first use: the full-batch methods
        never ask)."""
        if self._factor_cache is None:
            self._factor_cache = self.weights / (self.total / self.weights.size)
        return self._factor_cache

    def step_factors(self, table_rows=None):
        """The single-row steps' factors ``w_i / mean(w)`` of the rows read (those of the data
        set, or its rows ``table_rows``), or None (unweighted)."""
        if self.weights is None:
            return None
        return self._factors if table_rows is None else self._factors[table_rows]

    def _summed_weights(self):
        """The weights as the exact sums take them, and how (empty: unweighted)."""
        return {} if self.weights is None else {"weights": self._summed, "weighting": self.weighting}

    def check_total(self):
        """R's standard deviation of weighted rows divides by the weights' sum - 1: refuse a sum of at most 1."""
        if self.weights is not None and self.total <= 1:
            raise ValueError(f"the weights add up to {self.total:g}; as frequency weights (how many times each row "
                             "counts) the standard deviation divides by their sum - 1, so they must add up to more "
                             "than 1: multiply them by a constant, or scale with 'minmax'")
