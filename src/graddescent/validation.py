"""Data checks and conversion: every public entry point validates here, before any work."""

import math
import numbers

import numpy as np
import pandas as pd

from ._sums import first_non_finite, non_finite_columns


#: The most iterations (maxIter, innerIter) a fit takes: a fit keeps a few numbers per iteration,
#: so far more would need more memory than a fit should (and run for days).
MAX_ITER = 10**8
#: The most steps of a single-row method with a stopping rule, which draws its rows a pass at
#: a time and keeps one number a pass: only time bounds it (a thousand passes over 10^12 rows).
MAX_STEPS = 10**15


def check_data(data, name="dataSet", min_rows=2, min_cols=2):
    """Check a data set; return its float64 values, column names and row labels.

    Accepts a pandas DataFrame or a 2-D numpy array (columns then get R's names
    ``V1, V2, ...``). Copies only what is not float64 already. Raises ``ValueError``
    naming what is wrong and the fix.
    """
    if isinstance(data, pd.DataFrame):
        columns, index = data.columns, data.index
        if columns.duplicated().any():
            dups = sorted({str(c) for c in columns[columns.duplicated()]})
            raise ValueError(f"{name} has duplicated column names {dups}; give every column a distinct name")
        dtypes = _dtypes(data)
        plain = all(isinstance(dtype, np.dtype) and dtype.kind in "fiu" for dtype in dtypes)
        for j, dtype in enumerate(() if plain else dtypes):  # a plain numeric frame needs no look
            if (pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype)
                    or pd.api.types.is_complex_dtype(dtype)):
                column = columns[j]
                kind = ("boolean" if pd.api.types.is_bool_dtype(dtype) else "complex (not real)" if
                        pd.api.types.is_complex_dtype(dtype) else
                        f"non-numeric ({dtype}){_first_text(data.iloc[:, j])}")
                raise ValueError(f"{name} column {column!r} is {kind}; every column must hold numbers. "
                                 "Convert it (e.g. pd.to_numeric) or drop it.")
    elif isinstance(data, (np.ndarray, list, tuple)):
        try:
            data = np.asarray(data)
        except ValueError:  # rows of different lengths
            raise ValueError(f"{name} must be a table with the same number of values in every row; "
                             "give a 2-D array or a DataFrame") from None
        if data.ndim != 2:
            raise ValueError(
                f"{name} must be 2-dimensional (rows x columns, the last column the output); "
                f"got an array of shape {data.shape}. Reshape it, e.g. array.reshape(-1, 1) for one column."
            )
        if data.dtype == bool or not np.issubdtype(data.dtype, np.number) or np.iscomplexobj(data):
            raise ValueError(f"{name} must hold real numbers, got an array of {data.dtype}; "
                             "convert it with .astype(float)")
        columns, index = pd.Index([f"V{j + 1}" for j in range(data.shape[1])]), pd.RangeIndex(data.shape[0])
    else:
        raise ValueError(f"{name} must be a pandas DataFrame or a 2-D numpy array, got {type(data).__name__}")
    if len(columns) < min_cols:
        raise ValueError(f"{name} has {len(columns)} column(s); it needs at least {min_cols} "
                         "(one or more inputs, then the output as the last column)")
    if len(index) < min_rows:
        raise ValueError(f"{name} has {len(index)} row(s); it needs at least {min_rows}")
    if isinstance(data, pd.DataFrame):
        values = data.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = np.asarray(data, dtype=np.float64)
    if not values.flags.aligned:  # (an array viewing a byte buffer at an odd offset): the loops need aligned data
        values = values.copy()
    if non_finite_columns(values).any():  # (no temporary copy)
        i, j = first_non_finite(values)
        what = "NaN (missing)" if np.isnan(values[i, j]) else "infinite"
        count = int(np.count_nonzero(~np.isfinite(values)))
        raise ValueError(
            f"{name} has {count} NaN or infinite value(s); the first, {what}, is in column "
            f"{columns[j]!r} at row {index[i]!r}. Drop or fill them (e.g. dataSet.dropna())."
        )
    return values, columns, index


def _dtypes(frame):
    """The column dtypes; pandas' block manager gives them 50 times faster than ``frame.dtypes``."""
    get = getattr(getattr(frame, "_mgr", None), "get_dtypes", None)
    return list(get()) if get is not None else list(frame.dtypes)


def as_frame(data, name="dataSet", min_rows=2, min_cols=2):
    """:func:`check_data`, returned as a float64 DataFrame (names and row labels kept)."""
    values, columns, index = check_data(data, name, min_rows, min_cols)
    return pd.DataFrame(values, columns=columns, index=index, copy=False)


def _first_text(series):
    """Where a column first holds something that is not a number, for error messages."""
    numbers_only = pd.to_numeric(series, errors="coerce")
    bad = series[numbers_only.isna() & series.notna()]
    return f": {bad.iloc[0]!r} at row {bad.index[0]!r}" if len(bad) else ""


def check_number(name, value, *, low=None, high=None, low_open=False, high_open=False, hint=""):
    """A finite real number within the given bounds, returned as float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}{hint}")
    shown = value
    try:
        value = float(value)
    except OverflowError:  # an integer or a fraction beyond double's range
        value, shown = math.inf, f"a number of {len(str(int(abs(shown))))} digits"
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or too_low or too_high:
        lo = "" if low is None else ("(" if low_open else "[") + f"{low}"
        hi = "" if high is None else f"{high}" + (")" if high_open else "]")
        where = f"in {lo}, {hi}" if low is not None and high is not None else (
            f"{'>' if low_open else '>='} {low}" if low is not None else f"{'<' if high_open else '<='} {high}")
        shown = repr(value) if isinstance(shown, numbers.Real) else shown
        raise ValueError(f"{name} must be a finite number {where}, got {shown}{hint}")
    return value


def is_whole(value):
    """Whether a real number (int, float, numpy scalar, Fraction...) is finite and whole."""
    if isinstance(value, numbers.Integral):
        return True
    try:
        return math.isfinite(value) and value == int(value)
    except OverflowError:  # a Fraction beyond double's range: finite
        return value == int(value)


def check_whole(name, value, *, low=1, high=None, hint=""):
    """A whole number within ``low..high``, returned as int (a float such as 10.0 is accepted)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number, got {value!r}{hint}")
    if not is_whole(value) or value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"in {low}..{high}"
        raise ValueError(f"{name} must be a whole number {bounds}, got {value!r}{hint}")
    return int(value)


def check_option(value, name="option"):
    """SVRG's ``option``: 1 or 2, as a number (not a bool, nor an array holding one), returned as int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or value not in (1, 2):
        raise ValueError(f"{name} must be 1 (second-to-last inner iterate) or 2 (a random one), got {value!r}")
    return int(value)


def check_iterations(name, value, high=MAX_ITER):
    """A number of iterations: a whole number in ``1..high`` (MAX_ITER, or MAX_STEPS for a
    single-row method with a stopping rule), returned as int."""
    value = check_whole(name, value, low=1)
    if value > high:
        raise ValueError(f"{name} must be at most {high}, got {value}: more iterations would need more "
                         f"memory than a fit should take; use a smaller {name}")
    return value


def check_weights(weights, m, name="sample_weight"):
    """Frequency weights for m rows as a float64 array: one per row, finite, at least 0, and
    not all 0 (a ValueError of one line, naming what is wrong, otherwise)."""
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers, one per row; got {type(weights).__name__} that does not "
                         "convert to numbers") from None
    if w.ndim == 2 and w.shape[1] == 1 or w.ndim == 0 and m == 1:
        w = w.reshape(-1)
    if w.ndim != 1 or w.shape[0] != m:
        raise ValueError(f"{name} must have one weight per row: {m} of them, got shape {w.shape}")
    bad = np.flatnonzero(~np.isfinite(w))
    if bad.size:
        raise ValueError(f"{name} holds a value that is not finite ({w[bad[0]]} in row {bad[0]}); weights are "
                         "finite numbers of 0 or more")
    bad = np.flatnonzero(w < 0)
    if bad.size:
        raise ValueError(f"{name} holds a negative weight ({w[bad[0]]:g} in row {bad[0]}); weights are how many "
                         "times each row counts: 0 or more")
    if not np.any(w > 0):
        raise ValueError(f"{name} has a zero weight for every row, so there is nothing to fit; give some rows a positive "
                         "weight")
    return w
