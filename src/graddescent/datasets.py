"""Data sets shipped with graddescent, and a reader for R's ``.RData`` files.

The R package gradDescent ships ``gradDescentRData``; its file cannot be
shipped here, so equivalent data were built from first principles by the
scripts in the repository's ``datasets/`` folder (see ``datasets/README.md``
for provenance, units and how close they are to R's tables):

``co2_compressibility``
    Compressibility factor Z of CO2 on Kennedy's (1954) temperature and
    pressure grid, from the Span--Wagner equation of state (1743 rows;
    columns ``Temperature(K)``, ``Pressure(ATM)``, ``Compressibility Factor(Z)``).
``mackey_glass``
    The Mackey--Glass chaotic time series benchmark (1000 rows; columns
    ``x(t-18)``, ``x(t-12)``, ``x(t-6)``, ``x(t)``, ``x(t+6)``).

As in R, the last column of each is the output to predict.  Users who have
the R package's own ``gradDescentRData.RData`` can read it with
:func:`read_rdata` (needs the optional ``rdata`` package).
"""

import bz2
import gzip
import lzma
import os
import re
import warnings
from importlib import resources

import pandas as pd

__all__ = ["list_datasets", "load", "read_rdata"]

_DATASETS = {
    "co2_compressibility": "Compressibility factor of CO2 over temperature and pressure (Span-Wagner EOS)",
    "mackey_glass": "Mackey-Glass chaotic time series, lagged for one-step-ahead prediction",
}


def list_datasets():
    """Names of the data sets that :func:`load` can load.

    Returns
    -------
    list of str
        The names, sorted.

    Examples
    --------
    >>> from graddescent import datasets
    >>> datasets.list_datasets()
    ['co2_compressibility', 'mackey_glass']
    """
    return sorted(_DATASETS)


def load(name):
    """Load a bundled data set.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`: ``"co2_compressibility"`` or ``"mackey_glass"``.

    Returns
    -------
    pandas.DataFrame
        A fresh copy of the data set, all columns float, the output last.

    Raises
    ------
    ValueError
        If `name` is not a bundled data set; the message lists the names.

    Examples
    --------
    >>> from graddescent import datasets
    >>> co2 = datasets.load("co2_compressibility")
    >>> list(co2.columns)
    ['Temperature(K)', 'Pressure(ATM)', 'Compressibility Factor(Z)']
    """
    if not isinstance(name, str) or name not in _DATASETS:
        raise ValueError(f"unknown data set {name!r}; the data sets are: {', '.join(list_datasets())}")
    with (resources.files(__package__) / "data" / f"{name}.csv").open("rb") as f:
        return pd.read_csv(f)


_RDATA_MAGIC = re.compile(rb"RD[ABX][23]\r?\n")


def _looks_like_rdata(path):
    """Whether the file starts, after any gzip/bzip2/xz compression, like an R data file."""
    with open(path, "rb") as f:
        head = f.read(6)
    if head.startswith(b"\x1f\x8b"):
        opener = gzip.open
    elif head.startswith(b"BZh"):
        opener = bz2.open
    elif head.startswith(b"\xfd7zXZ"):
        opener = lzma.open
    else:
        return _RDATA_MAGIC.match(head) is not None
    try:
        with opener(path, "rb") as f:
            return _RDATA_MAGIC.match(f.read(6)) is not None
    except (OSError, EOFError, lzma.LZMAError):
        return False


def read_rdata(path):
    """Read the data frames of an R data file (``.RData`` or ``.rda``).

    For instance the R package's own ``gradDescentRData.RData``, for users
    who have it.  Needs the optional ``rdata`` package
    (``pip install graddescent[rdata]``).

    Parameters
    ----------
    path : str or os.PathLike
        The file, as written by R's ``save()`` (any format version 2 or 3,
        compressed or not).

    Returns
    -------
    dict of str to pandas.DataFrame
        Each data frame in the file under its R name, with R's column names
        kept as they are (``"Temperature(K)"`` stays so).  R's automatic row
        names ``1..n`` become pandas' default index ``0..n-1``; explicit row
        names are kept as the index.  Objects that are not data frames are
        left out, with a warning naming them.

    Raises
    ------
    ImportError
        If the ``rdata`` package is not installed.
    ValueError
        If `path` does not exist, is not a file, or is not an R data file.

    Examples
    --------
    >>> from graddescent import datasets
    >>> frames = datasets.read_rdata("gradDescentRData.RData")  # doctest: +SKIP
    >>> sorted(frames)  # doctest: +SKIP
    ['CompressilbilityFactor', 'GasFurnance', 'MackeyGlass1000']
    """
    try:
        import rdata
    except ImportError as exc:
        raise ImportError(
            "reading R data files needs the optional 'rdata' package: pip install graddescent[rdata]"
        ) from exc
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or os.PathLike), got {type(path).__name__}")
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ValueError(f"{path!r}: no such file, it is a folder; give the path of an .RData/.rda file")
    if not os.path.isfile(path):
        raise ValueError(f"{path!r}: no such file")
    if not _looks_like_rdata(path):
        raise ValueError(f"{path!r} is not an R data file (.RData/.rda, as written by R's save())")
    try:
        if hasattr(rdata, "read_rda"):  # rdata >= 0.10
            objects = rdata.read_rda(path)
        else:
            objects = rdata.conversion.convert(rdata.parser.parse_file(path))
    except Exception as exc:  # the parser's own errors vary: NotImplementedError, ValueError, ...
        raise ValueError(f"{path!r}: could not read it as R data: {exc}") from exc
    frames, skipped = {}, []
    for key, value in objects.items():
        if not isinstance(value, pd.DataFrame):
            skipped.append(key)
            continue
        index = value.index
        if isinstance(index, pd.RangeIndex) and index.start == 1 and index.step == 1:
            value = value.reset_index(drop=True)
        frames[key] = value
    if skipped:
        warnings.warn(f"{path!r}: left out objects that are not data frames: {', '.join(skipped)}", stacklevel=2)
    return frames
