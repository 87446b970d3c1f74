"""Reading CSV files for the command line, as people have them.

What it reads, besides plain comma-separated files with a header line:

- files written by R's ``write.csv`` (a header starting ``""``, row names in the first
  column), by R's ``write.table`` (a header one name shorter than the rows) and by pandas'
  ``to_csv`` (an unnamed index column): the row names are recognised and left out of the data;
  ``index_col`` names such a column when it has a name;
- files without a header line (``header=False``; the columns are named ``V1, V2, ...`` as R
  names them); a first line of numbers is refused with that fix, unless ``header=True``;
- other separators and decimal commas (``sep``, ``decimal``): a file that looks written in
  another dialect is refused with the options that read it;
- spreadsheet exports with trailing separators: fully empty unnamed columns are dropped;
- a UTF-8 byte order mark, CRLF line ends, quoted fields, blank lines;
- columns of text (:func:`text_columns` finds them): read as categories, each cell its level's
  number among the column's sorted levels (:func:`merge_levels`), for
  :mod:`graddescent.coding`.

Numbers are parsed by pandas' C parser, so they are the numbers ``pandas.read_csv`` gives.
A large file is read once, in pieces cut at line ends outside quoted fields and parsed on
every core, straight into one float64 array (the columns the command uses, in the order it uses them), so that
reading takes little more memory than the numbers themselves; a file of many columns and
few rows is parsed row by row. Every check is linear in the size of the file, and what
goes wrong is reported in one line naming the file, the line or data row, the column and
the fix, found a piece at a time in about the time and memory of a reading that succeeds. A
file larger than memory is read a block at a time on every pass by Dask (:class:`HeldFile`),
each pass checked to read the file the first pass read. pyarrow is not used, even where installed: on the files measured here (see the
README) pandas' C parser was faster and needed a third of the memory.
"""

import collections
import csv
import difflib
import io
import math
import mmap
import operator
import os
import re
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["DataFileError", "CSVFormat", "CSVLayout", "inspect_csv", "choose_columns", "text_columns",
           "read_numbers", "merge_levels", "row_steps", "combined_steps", "read_table", "NA_VALUES"]

#: The cells read as missing values: pandas' default markers.
NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
             "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null")
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
_BOM = b"\xef\xbb\xbf"
_NUMBER = r"[+-]?(\d+{d}?\d*|{d}\d+)([eE][+-]?\d+)?"
_BOOLEANS = {"True", "False", "TRUE", "FALSE", "true", "false"}
_PIECE_BYTES = 1 << 22  # a piece of a large file parsed at once, 4 MB: parsing it takes about 5 times that
_ROWWISE_RATIO = 64  # parse row by row when there are this many times more columns than rows
_MAX_LISTED = 20  # column names listed in a message


class DataFileError(ValueError):
    """A data file that cannot be read as asked; the message (one line) names the file, the problem and the fix."""


@dataclass(frozen=True)
class CSVFormat:
    """How to read a file: the command line's reading options.

    Attributes
    ----------
    sep : str
        The field separator, one character (``--sep``).
    decimal : str
        The decimal mark, one character (``--decimal``).
    header : bool or None
        True: the first line names the columns; False: it is data (``--no-header``); None:
        it names the columns, and a first line of numbers is refused.
    index_col : str or None
        A column of row labels, left out of the data (``--index-col``).
    """

    sep: str = ","
    decimal: str = "."
    header: object = None
    index_col: object = None


@dataclass
class CSVLayout:
    """What the first lines of a file say: its columns and where its data start.

    Attributes
    ----------
    path : str
    format : CSVFormat
    names : list of str
        One name per field of a row, in the file's order: ``""`` for row names found without
        a name, ``"Unnamed: k"`` (pandas' name) for another unnamed column.
    index : list of str
        The columns of row labels (left out of the data).
    unnamed : set of str
        The names given to unnamed columns (dropped when they hold nothing).
    data_start : int
        The byte offset of the first data row.
    header_lines : int
        The lines before it (for line numbers in messages).
    notes : list of str
        One-line notes for the user (row names recognised).
    label : str
        How the file is called in messages (its path, unless told otherwise).
    """

    path: str
    format: CSVFormat
    names: list
    index: list
    unnamed: set
    data_start: int
    header_lines: int
    notes: list = field(default_factory=list)
    label: str = None

    @property
    def columns(self):
        """The data columns (all but the row labels), in the file's order."""
        index = set(self.index)
        return [name for name in self.names if name not in index]

    @property
    def positions(self):
        """Each name's field number (a dict, made once)."""
        if getattr(self, "_positions", None) is None:
            self._positions = {name: j for j, name in enumerate(self.names)}
        return self._positions


# --------------------------------------------------------------------------- the first lines

def inspect_csv(path, fmt=CSVFormat(), name="DATA", label=None):
    """Check a CSV file and read its first lines: its columns, row labels and where its data start.

    Parameters
    ----------
    path : str
    fmt : CSVFormat
    name : str
        What the file is, in messages (``DATA``).
    label : str, optional
        How the file is called in messages (default: its path).

    Returns
    -------
    CSVLayout

    Raises
    ------
    DataFileError
        Missing, a folder, binary, UTF-16, JSON, not UTF-8, empty, header only, a header of
        numbers, duplicated column names, an unknown ``index_col``, or written with another
        separator.
    """
    path = str(path)
    label = path if label is None else label
    if not os.path.exists(path):
        raise DataFileError(f"{name} file {label!r} does not exist; check the path")
    if os.path.isdir(path):
        raise DataFileError(f"{name} {label!r} is a folder, not a CSV file")
    with open(path, "rb") as f:
        head = f.read(65536)
        if not head.strip():
            raise DataFileError(f"{name} file {label!r} is empty; it needs a header line and rows of numbers")
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise DataFileError(f"{label!r} is UTF-16 text; save it as UTF-8 CSV")
        if b"\0" in head:
            raise DataFileError(f"{label!r} is not a CSV file (it holds binary data); give a comma-separated text file")
        if head.lstrip(_BOM + b" \t\r\n").startswith((b"{", b"[")):
            raise DataFileError(f"{label!r} looks like JSON, not CSV; give a comma-separated text file"
                                + (" (MODEL.json comes first, then DATA.csv)" if name == "DATA" else ""))
        f.seek(len(_BOM) if head.startswith(_BOM) else 0)
        try:
            first, first_raw, skipped = _next_record(f, fmt.sep)
            first_end, first_lines = f.tell(), skipped + _line_ends(first_raw)
            second = _next_record(f, fmt.sep)[0] if first is not None else None
        except UnicodeDecodeError:
            raise DataFileError(f"{label!r} is not a UTF-8 text file; save it as UTF-8 CSV") from None
    if first is None:
        raise DataFileError(f"{name} file {label!r} is empty; it needs a header line and rows of numbers")
    _check_dialect(label, fmt, first, second)
    notes, index = [], []
    if fmt.header is False:
        names = [f"V{j + 1}" for j in range(len(first))]
        data_start = first_end - len(first_raw)
        header_lines = skipped
        unnamed = set()
    else:
        if second is None:
            raise DataFileError(f"{label!r} has a header but no data rows")
        if fmt.header is None and _all_numbers(first, first_raw, fmt.decimal):
            shown = ", ".join(first[:4]) + (", ..." if len(first) > 4 else "")
            raise DataFileError(f"the first line of {label!r} holds numbers ({shown}), not column names: if the file "
                                "has no header line, add --no-header (the columns are then named V1, V2, ... as in "
                                "R); if these numbers are the names, add --header")
        fields = first
        if len(second) == len(first) + 1:  # R's write.table: no name above the row names (R's read.table rule)
            fields = ["", *first]
            notes.append(f"the rows of {label!r} start with a row name that the header does not name (R's "
                         "write.table layout): the row names are left out of the data")
        elif len(first) >= 2 and first[0].strip() == "":  # R's write.csv, pandas' to_csv
            notes.append(f"the first column of {label!r} has no name: read as row names (as R's write.csv and "
                         "pandas' to_csv write them) and left out of the data")
        names, unnamed = _names(fields)
        if notes:  # row names: the first column, called ""
            unnamed.discard(names[0])
            names[0] = ""
            index.append("")
        data_start, header_lines = first_end, first_lines
    counts = collections.Counter(names)
    duplicated = sorted(n for n, k in counts.items() if k > 1)
    if duplicated:
        more = f" and {len(duplicated) - _MAX_LISTED} more" if len(duplicated) > _MAX_LISTED else ""
        raise DataFileError(f"{label!r} has duplicated column names {duplicated[:_MAX_LISTED]}{more}; give every "
                            "column a distinct name")
    if fmt.index_col is not None:
        if fmt.index_col not in counts:
            raise DataFileError(f"--index-col: no column {fmt.index_col!r} in {label!r}; "
                                f"{_did_you_mean(fmt.index_col, names)}the columns are: {_listed(names)}")
        if fmt.index_col not in index:
            index.append(fmt.index_col)
    return CSVLayout(path, fmt, names, index, unnamed, data_start, header_lines, notes, label)


_LINE_END = re.compile(rb"\r\n|\n|\r")


def _next_record(f, sep):
    """The next non-blank record of a binary file: (fields, its bytes, blank lines skipped before it)."""
    skipped = 0
    while True:
        raw = _readline(f)
        if not raw:
            return None, b"", skipped
        while raw.count(b'"') % 2:  # a quoted field goes on over the line end
            more = _readline(f)
            if not more:
                break
            raw += more
        text = raw.decode("utf-8")
        if text.strip("\r\n"):
            try:
                fields = next(csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False), [])
            except csv.Error as exc:
                raise DataFileError(f"cannot read the first lines as CSV ({exc})") from None
            return fields, raw, skipped
        skipped += 1


def _readline(f):
    """One line of a binary file, ended as pandas ends lines: by LF, CRLF or a lone CR."""
    start, parts = f.tell(), []
    while True:
        block = f.read(1 << 16)
        if not block:
            break
        end = _LINE_END.search(block)
        if end is None:
            parts.append(block)
            continue
        stop = end.end()
        if end.group() == b"\r" and stop == len(block) and f.read(1) == b"\n":  # a CRLF cut by the block
            block, stop = block + b"\n", stop + 1
        parts.append(block[:stop])
        break
    line = b"".join(parts)
    f.seek(start + len(line))
    return line


def _line_ends(raw):
    return len(_LINE_END.findall(raw))


def _names(fields):
    """Column names from header fields: an empty field gets pandas' name for it, 'Unnamed: k'."""
    names, unnamed = [], set()
    for j, text in enumerate(fields):
        if text.strip() == "":
            text = f"Unnamed: {j}"
            unnamed.add(text)
        names.append(text)
    return names, unnamed


def _all_numbers(fields, raw, decimal):
    if b'"' in raw:  # quoted: names, even if they look like numbers
        return False
    pattern = re.compile(r"\s*" + _NUMBER.format(d=re.escape(decimal)) + r"\s*")
    return all(pattern.fullmatch(text) for text in fields)


def _check_dialect(path, fmt, first, second):
    """Refuse a file whose first lines are one field under ``fmt.sep`` but agree under another separator."""
    if len(first) != 1:
        return
    line = first[0]
    data = fmt.sep.join(second) if second is not None else ""
    for sep, what in SEPARATORS.items():
        if sep == fmt.sep or sep not in line:
            continue
        try:
            fields = next(csv.reader([line], delimiter=sep), [])
            row = next(csv.reader([data], delimiter=sep), []) if data else fields
        except csv.Error:  # (a field holding a line break, quoted in the file: not a line of another dialect)
            continue
        if len(fields) < 2 or len(row) != len(fields):
            continue
        options = f"--sep {_shown_sep(sep)}"
        decimals = ""
        if sep != "," and fmt.decimal == "." and any(re.fullmatch(r"\s*[+-]?\d*,\d+([eE][+-]?\d+)?\s*", v)
                                                     for v in row):
            decimals, options = " with decimal commas", options + " --decimal ','"
        raise DataFileError(f"{path!r} has only one column (it looks separated by {sep!r}{decimals}, not by "
                            f"{SEPARATORS.get(fmt.sep, repr(fmt.sep))}: read it with {options})")


def _shown_sep(sep):
    return "tab" if sep == "\t" else repr(sep)


def _did_you_mean(name, names):
    close = [c for c in names if c.lower() == name.lower()]
    if not close and len(names) <= 10000:  # (difflib compares with every name)
        close = difflib.get_close_matches(name, names, n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def _listed(names):
    shown = ", ".join(map(str, names[:_MAX_LISTED]))
    return shown + (f", ... ({len(names)} in all)" if len(names) > _MAX_LISTED else "")


# --------------------------------------------------------------------------- choosing columns

def choose_columns(names, *, label, columns=None, drop=None, target=None, index=(), unnamed=()):
    """The columns a fit uses: the inputs, then the target.

    Parameters
    ----------
    names : list of str
        The data columns, in the file's order.
    label : str
        How the data are called in messages.
    columns : list of str, optional
        Use only these (``--columns``), in this order; the target is the last of them unless
        ``target`` names it.
    drop : list of str, optional
        Leave these out (``--drop``).
    target : str, optional
        The column to predict (``--target``); by default the last named column.
    index : sequence of str
        Row-label columns, which may not be chosen.
    unnamed : set of str
        Names given to unnamed columns (never the default target).

    Returns
    -------
    list of str
        The inputs, then the target.

    Raises
    ------
    DataFileError
    """
    present = set(names)

    def known(name, option):
        if name in present:
            return name
        if name.strip() in present:
            return name.strip()
        if name in index:
            raise DataFileError(f"{option}: {name!r} holds the row names of {label!r}, not data")
        raise DataFileError(f"{option}: no column {name!r} in {label!r}; {_did_you_mean(name, names)}the columns "
                            f"are: {_listed(names)}")

    if target is not None and target not in present:
        if target in index:
            raise DataFileError(f"--target: {target!r} holds the row names of {label!r}, not data")
        raise DataFileError(f"no column {target!r} in {label!r}; {_did_you_mean(target, names)}the columns are: "
                            f"{_listed(names)}")
    if columns is not None:
        chosen = list(dict.fromkeys(known(c, "--columns") for c in columns))
    else:
        dropped = {known(c, "--drop") for c in drop or ()}
        if target in dropped:
            raise DataFileError(f"--target {target!r} is also given to --drop; drop it, or predict it, not both")
        chosen = [c for c in names if c not in dropped]
    if target is None:
        named = [c for c in chosen if c not in unnamed] if columns is None else chosen
        if not named:
            raise DataFileError(f"{label!r} has no named column left to predict; name one with --target")
        target = named[-1]
    inputs = [c for c in chosen if c != target]
    if not inputs:
        if columns is None and drop is None:
            raise DataFileError(f"{label!r} has only one column; fitting needs input column(s) and a target")
        raise DataFileError(f"only the column {target!r} of {label!r} is left; fitting needs input column(s) and a "
                            "target: choose more with --columns or drop fewer")
    return inputs + [target]


# --------------------------------------------------------------------------- columns of text

_SNIFF_BYTES = 1 << 20  # the data that decide which columns hold text: the first MB of rows
_DECIMAL_COMMA = r"\s*[+-]?\d*,\d+([eE][+-]?\d+)?\s*"


def text_columns(layout, names):
    """The columns of ``names`` that hold text, by their cells in the first MB of data rows: a
    column is text where more than half of its cells there that are present (not a missing-value
    marker) are not numbers. True/false cells, and numbers written with a decimal comma where
    the decimal mark is a point, count as numbers: such a column keeps the error that names
    its cell and the fix (and so does a column of numbers with a stray word).

    Parameters
    ----------
    layout : CSVLayout
    names : list of str

    Returns
    -------
    list of str
        In the order of ``names``.
    """
    where = [layout.positions[n] for n in names]
    size = os.path.getsize(layout.path)
    if not where or size <= layout.data_start:
        return []
    with open(layout.path, "rb") as f:
        f.seek(layout.data_start)
        quoted = b'"' in f.read(_SNIFF_BYTES)
        end = _cuts(layout.path, layout.data_start, size, _SNIFF_BYTES, quoted)[1]
        f.seek(layout.data_start)
        data = f.read(end - layout.data_start)
    if len(layout.names) > _ROWWISE_RATIO * max(data.count(b"\n"), 1):  # (a wide file: pandas is slow on it)
        fields, cells = _cells_by_row(layout, data, where)
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = pd.read_csv(io.BytesIO(data), **_parser_options(layout, where))
        except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OverflowError):
            return []  # (the reading that follows names what is wrong)
        # (a column pandas reads as numbers or true/false is no text: only the others are looked at cell by cell)
        looked = [(k, frame[j].tolist()) for k, j in enumerate(where) if frame[j].dtype.kind not in "fiub"]
        fields = [k for k, column in looked for _ in column]
        cells = [v for _, column in looked for v in column]
    if not cells or _numbers_only(cells, layout.format.decimal):
        return []
    words, present = _words(cells, layout.format.decimal)
    fields = np.asarray(fields)
    text = np.bincount(fields, weights=words, minlength=len(where))
    counted = np.bincount(fields, weights=present, minlength=len(where))
    return [name for name, t, c in zip(names, text, counted) if t > c / 2]


def _cells_by_row(layout, data, where):
    """The cells of the fields ``where`` of the rows in ``data`` (the csv module), and each one's
    field (its place in ``where``)."""
    fields, cells = [], []
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""),
                        delimiter=layout.format.sep)
    whole, last = range(len(where)), max(where)
    pick = operator.itemgetter(*where) if len(where) > 1 else lambda record: (record[where[0]],)
    try:
        for record in reader:
            if len(record) > last:
                fields.extend(whole)
                cells.extend(pick(record))
                continue
            for k, j in enumerate(where):  # (a short row: the reading that follows says so)
                if j < len(record):
                    fields.append(k)
                    cells.append(record[j])
    except (UnicodeDecodeError, csv.Error):
        pass  # (the reading that follows names what is wrong)
    return fields, cells


def _numbers_only(cells, decimal):
    """Whether every cell (text) is a number or a missing-value marker, by pandas' float parser
    at once (the common case, which then needs no look cell by cell)."""
    if any(not isinstance(v, str) or "\n" in v or "\r" in v or '"' in v for v in cells):
        return False
    try:
        pd.read_csv(io.StringIO("\n".join(cells) + "\n"), header=None, names=[0], dtype=np.float64, decimal=decimal,
                    sep="\x1f", quoting=csv.QUOTE_NONE, skip_blank_lines=False, keep_default_na=False,
                    na_values=list(NA_VALUES), engine="c")
    except (ValueError, pd.errors.ParserError):
        return False
    return True


def _words(cells, decimal):
    """Which cells are words: present (not a missing-value marker) and neither numbers, nor
    true/false, nor numbers with a decimal comma where the decimal mark is a point; and which
    are present."""
    values = pd.Series([v if isinstance(v, str) else "" if v is None or v != v else str(v) for v in cells],
                       dtype=object)
    words = _bad_cells(values, decimal) & ~values.str.strip().isin(_BOOLEANS)
    if decimal == ".":
        words &= ~values.str.fullmatch(_DECIMAL_COMMA)
    return words.to_numpy(), (~values.isin(NA_VALUES)).to_numpy()


# --------------------------------------------------------------------------- reading numbers

def read_numbers(layout, names, *, dropna=False, label=None, drop_hint=True, text=(), keep_missing=False,
                 missing_fix=None):
    """Read the given columns as float64, once, into one array; checked for missing and infinite values.

    Parameters
    ----------
    layout : CSVLayout
        From :func:`inspect_csv`.
    names : list of str
        The columns to read, in the order wanted (the frame's order).
    dropna : bool, default False
        Drop the rows with a missing value in these columns (else they are an error).
    label : str, optional
        How the file is called in messages (default: its path).
    drop_hint : bool, default True
        Whether messages may suggest ``--drop`` for a column of text.
    text : collection of str
        Columns of ``names`` read as categories: each cell is its level's number (0 for the
        first level), a missing-value marker is missing.
    keep_missing : bool, default False
        Keep the rows with a missing value, as NaN (neither an error nor dropped).
    missing_fix : str, optional
        What to do about missing values, ending their error's message (default: fill them or
        drop those rows, with ``--dropna`` where ``drop_hint``).

    Returns
    -------
    frame : pandas.DataFrame
        float64, its columns contiguous; unnamed columns that hold nothing are left out.
    notes : list of str
        What was done that the user should know (rows dropped).
    facts : dict
        ``"levels"``: each ``text`` column's levels in the rows kept, sorted (see
        :func:`merge_levels`); ``"steps"``: each column's :func:`row_steps` over all the
        rows read (before rows with a missing value are dropped).

    Raises
    ------
    DataFileError
        A row with too many or too few fields, a value that is not a number, a missing value
        (unless ``dropna``) or an infinite one, no data rows; each with its line or data row.
    """
    label = layout.path if label is None else label
    positions = layout.positions
    where = [positions[name] for name in names]
    out, found = _numbers(layout, where, label, drop_hint, {positions[name] for name in text})
    levels = {layout.names[j]: value for j, value in found.items()}
    names = list(names)
    empty = [j for j, name in enumerate(names) if name in layout.unnamed and j < len(names) - 1
             and np.isnan(out[j]).all()]
    steps = dict(zip(names, row_steps(out)))
    if empty:  # (a spreadsheet's trailing separators): moved out, the array keeps its layout
        empty = set(empty)
        keep = [j for j in range(len(names)) if j not in empty]
        for new, old in enumerate(keep):
            if new != old:
                out[new] = out[old]
        out = out[:len(keep)]
        names = [names[j] for j in keep]
    notes = []
    if missing_fix is None:
        missing_fix = ", or drop those rows with --dropna" if drop_hint else " or drop those rows"
    _check_missing(layout, out, names, label, allowed=dropna or keep_missing, fix=missing_fix)
    keep = ~np.isnan(out).any(axis=0) if not keep_missing else np.ones(out.shape[1], dtype=bool)
    kept = int(np.count_nonzero(keep))
    if kept < out.shape[1]:
        if kept == 0:
            raise DataFileError(f"every row of {label!r} has a missing value in the columns used; nothing is left "
                                "to fit")
        notes.append(f"dropped {out.shape[1] - kept} of {out.shape[1]} rows of {label!r} with missing values "
                     "(--dropna)")
        if out.shape[0] <= out.shape[1]:
            for row in out:  # in place, a column at a time (no copy of the data)
                row[:kept] = row[keep]
            out = out[:, :kept]
        else:  # (a wide file: fewer rows than columns)
            out = np.ascontiguousarray(out[:, keep])
    if out.shape[1] == 0:
        raise DataFileError(f"{label!r} has a header but no data rows")
    if kept < len(keep):  # (R's lm drops the levels that only the rows left out held)
        for j, name in enumerate(names):
            if name in levels:
                levels[name] = _used_levels(out[j], levels[name])
    return pd.DataFrame(out.T, columns=names, copy=False), notes, {"levels": levels, "steps": steps}


def row_steps(values):
    """How each column of a block of rows goes from row to row: (rows, first value, last value,
    the step from each row to the next where it is the same all along, else NaN; None for one row).

    Parameters
    ----------
    values : numpy.ndarray, shape (columns, rows)

    Returns
    -------
    list of tuple
    """
    out = []
    for x in values:
        if x.shape[0] == 0:
            out.append((0, math.nan, math.nan, None))
            continue
        with np.errstate(all="ignore"):  # (numbers near double's range: a step beyond it is no step)
            steps = x[1:] - x[:-1]
        step = None if not steps.size else float(steps[0]) if (steps == steps[0]).all() else math.nan
        out.append((x.shape[0], float(x[0]), float(x[-1]), step))
    return out


def combined_steps(blocks):
    """:func:`row_steps` of one column over the whole, from its blocks' (in order)."""
    parts = [p for p in blocks if p[0]]
    if not parts:
        return 0, math.nan, math.nan, None
    steps = [p[3] for p in parts if p[3] is not None] + [b[1] - a[2] for a, b in zip(parts, parts[1:])]
    step = None if not steps else steps[0] if all(s == steps[0] for s in steps) else math.nan
    return sum(p[0] for p in parts), parts[0][1], parts[-1][2], step


def _used_levels(codes, levels):
    """The levels that ``codes`` (level numbers, in place) use, the codes renumbered to them."""
    used = np.zeros(len(levels), dtype=bool)
    used[codes.astype(np.intp)] = True
    if used.all():
        return levels
    codes[:] = (np.cumsum(used) - 1)[codes.astype(np.intp)]
    return [level for level, u in zip(levels, used) if u]


def _check_missing(layout, out, names, label, allowed, fix):
    """Refuse short rows, infinite values and (unless ``allowed``) missing ones, naming the first of each."""
    positions = layout.positions
    where = [positions[n] for n in names]
    missing = np.isnan(out)
    if missing[int(np.argmax(where))].any():  # a row too short leaves its last fields missing
        _check_fields(layout, label, needed=max(where) + 1)
    infinite = np.isinf(out)
    if infinite.any():
        i, j = _first(infinite)
        raise DataFileError(f"{label!r} has {np.count_nonzero(infinite)} infinite cell(s) (or numbers beyond "
                            f"1.8e308); the first is in column {names[j]!r} at data row {i + 1}; fix them or drop "
                            "those rows")
    if not allowed and missing.any():
        i, j = _first(missing)
        raise DataFileError(f"{label!r} has {np.count_nonzero(missing)} empty, NaN or missing cell(s); the first is "
                            f"in column {names[j]!r} at data row {i + 1}; fill them{fix}")


def _first(flags):
    """(row, column) of the first flagged cell of a (columns, rows) array, in row order."""
    i = int(np.argmax(flags.any(axis=0)))
    return i, int(np.argmax(flags[:, i]))


def _workers():
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _workers_all():
    """This machine's cores (that this process may use)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _parser_options(layout, numeric, text=()):
    """pandas' options for the data rows: the ``numeric`` fields as pandas infers them, the others as text
    (the ``text`` fields with pandas' missing-value markers as missing).

    Every field is parsed (pandas does not count the fields it is told to skip), and one
    more after the last: a row with too many fields fills it. The types are inferred, not
    imposed, as ``pandas.read_csv`` does by default (with a float64 type imposed, a column of
    True/False would silently become 1/0).
    """
    fmt = layout.format
    extra = len(layout.names)
    numbers, missing = {*numeric, extra} - set(text), list(NA_VALUES)
    return dict(header=None, names=list(range(extra + 1)),
                dtype={j: str for j in range(extra) if j not in numbers}, keep_default_na=False,
                na_values={j: missing for j in numbers | set(text)}, sep=fmt.sep, decimal=fmt.decimal,
                index_col=False, encoding="utf-8", engine="c")


def _as_float(column, decimal="."):
    """A parsed column as float64: numbers of any type; anything else (text, true/false) is :class:`_Unreadable`.

    pandas infers text for a column whose piece starts with an integer beyond 64 bits followed
    by decimals (and integers beyond 64 bits where they are all integers): such text that is
    all numbers is read as pandas reads a column of numbers, by its float parser.
    """
    values = column.to_numpy()
    kind = values.dtype.kind
    if kind == "f":
        return values.astype(np.float64, copy=False)
    if kind in "iu":
        return values.astype(np.float64)
    if kind != "O":
        raise _Unreadable
    text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values[~text]):
        raise _Unreadable
    out = np.array([_float(v) for v in values[~text]], dtype=np.float64)  # (integers beyond 64 bits: exact)
    if not text.any():
        return out
    full = np.empty(len(values))
    full[~text] = out
    full[text] = _parse_floats(values[text], decimal)
    return full


def _parse_floats(texts, decimal):
    """Cells of text as pandas' float parser reads a column of numbers; :class:`_Unreadable` if one is not a number."""
    if any(("\n" in v or "\r" in v or '"' in v) for v in texts):
        raise _Unreadable
    try:
        parsed = pd.read_csv(io.StringIO("\n".join(texts) + "\n"), header=None, names=[0], dtype=np.float64,
                             decimal=decimal, sep="\x1f", quoting=csv.QUOTE_NONE, skip_blank_lines=False,
                             keep_default_na=False, engine="c")[0].to_numpy()
    except (ValueError, pd.errors.ParserError):
        raise _Unreadable from None
    if parsed.shape[0] != len(texts):
        raise _Unreadable
    return parsed


def _float(value):
    try:
        return float(value)
    except OverflowError:
        return math.copysign(math.inf, value)


def _too_many_fields(layout, frame):
    """Whether a row of a parsed frame has a value beyond the header's fields (an empty field does not count)."""
    return bool(frame[len(layout.names)].notna().any())


def _numbers(layout, where, label, drop_hint, text=frozenset()):
    """The columns at the field numbers ``where`` as a (columns, rows) C-ordered float64 array,
    the ``text`` fields as level numbers; and the ``text`` fields' levels (field -> list)."""
    size = os.path.getsize(layout.path)
    rows, quoted = _count_lines(layout.path, layout.data_start, size)
    bounds = None
    try:
        if len(layout.names) > _ROWWISE_RATIO * max(rows, 1):
            out = _numbers_by_row(layout, where, rows, label, drop_hint, text)
        else:
            bounds = _cuts(layout.path, layout.data_start, size, _PIECE_BYTES, quoted)
            out = _numbers_in_pieces(layout, where, rows, bounds, text)
    except _Unreadable:
        out = None
    if out is None:  # an error to locate, or a file the pieces cannot follow (lines ended by a lone CR)
        if bounds is not None:
            _locate(layout, where, label, drop_hint, bounds, text)
        out = _numbers_whole(layout, where, label, drop_hint, text)
    return out


def _text_codes(column):
    """A parsed column of text (missing cells NaN) as level numbers (NaN where missing, float64)
    and its levels, sorted by code point."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), sort=True)
    values = codes.astype(np.float64)
    values[codes < 0] = np.nan
    return values, list(uniques)


def merge_levels(found, decimal="."):
    """The levels of a categorical column read in pieces, and each piece's level numbers as the whole's.

    Parameters
    ----------
    found : list of lists of str
        Each piece's levels (sorted, as :func:`_text_codes` gives them), as the file writes them.
    decimal : str
        The decimal mark.

    Returns
    -------
    levels : list of str, or list of float
        Numbers, sorted by value, where every level is a finite number as pandas reads numbers
        (``"1"`` and ``"1.0"`` are one level); else the text, sorted by code point.
    maps : list of numpy.ndarray
        For each piece, its level numbers' numbers among ``levels``.
    """
    union = sorted(set().union(*found))
    try:
        values = _parse_floats(union, decimal) if union else np.empty(0)
        numeric = bool(np.isfinite(values).all())
    except _Unreadable:
        numeric = False
    if numeric:
        levels = np.unique(values)
        of_text = dict(zip(union, np.searchsorted(levels, values)))
        return [float(v) for v in levels], [np.array([of_text[t] for t in f], dtype=np.intp) for f in found]
    of_text = {t: i for i, t in enumerate(union)}
    return union, [np.array([of_text[t] for t in f], dtype=np.intp) for f in found]


def _as_levels(out, pieces, found, decimal):
    """Rows ``pieces`` of each row of ``out`` (the text fields' level numbers in each piece,
    ``found`` their levels) renumbered in place to the whole file's levels; those levels."""
    levels = []
    for row, piece_levels in zip(out, found):
        merged, maps = merge_levels(piece_levels, decimal)
        for (lo, hi), mapping in zip(pieces, maps):
            part = row[lo:hi]
            present = ~np.isnan(part)
            part[present] = mapping[part[present].astype(np.intp)]
        levels.append(merged)
    return levels


class _Unreadable(Exception):
    """The fast reading could not read the file as it is: read it whole, which also finds the problem."""


def _count_lines(path, start, size):
    """Line ends from ``start`` on, plus a last line without one: at least the number of data rows;
    and whether a quote comes after ``start``.

    The file is mapped and counted 1 MB at a time, each block's pages let go once counted
    (so that they do not add to the process's memory).
    """
    if size <= start:
        return 0, False
    count, block, quoted = 0, 1 << 20, False
    with open(path, "rb") as f:
        try:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # a file system that cannot map files: read it
            f.seek(start)
            while data := f.read(block):
                count, last, quoted = count + data.count(b"\n"), data[-1:], quoted or b'"' in data
            return count + (last != b"\n"), quoted
        with mapped:
            for i in range(start, size, block):
                j = min(i + block, size)
                count += int(np.count_nonzero(np.frombuffer(mapped, np.uint8, j - i, i) == 10))
                quoted = quoted or mapped.find(b'"', i, j) >= 0
                if hasattr(mapped, "madvise"):
                    page = i - i % mmap.PAGESIZE
                    mapped.madvise(mmap.MADV_DONTNEED, page, j - page)
            last = mapped[size - 1:size]
    return count + (last != b"\n"), quoted


def _numbers_in_pieces(layout, where, rows, bounds, text):
    """Pieces of the file (from ``bounds``), parsed by pandas' C parser on all cores, copied
    into place; the ``text`` fields as level numbers, renumbered to the whole file's levels
    once every piece is read."""
    options = _parser_options(layout, where, text)
    decimal = layout.format.decimal
    out = np.empty((len(where), rows))
    coded = [k for k, j in enumerate(where) if j in text]

    def parse(data):
        try:
            piece = pd.read_csv(io.BytesIO(data), **options)
        except pd.errors.EmptyDataError:  # blank lines only
            return None
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError, OverflowError):
            raise _Unreadable from None
        if _too_many_fields(layout, piece):
            raise _Unreadable
        return [_text_codes(piece[j]) if j in text else _as_float(piece[j], decimal) for j in where]

    done, pieces, found = 0, [], [[] for _ in coded]
    for columns in _in_order(layout.path, bounds, parse):
        if columns is not None and coded:
            for f, k in zip(found, coded):
                columns[k], levels = columns[k]
                f.append(levels)
            pieces.append((done, done + columns[0].shape[0]))
        done = _place(out, columns, done)
        columns = None  # (let go before the next piece is waited for)
    _release_freed_memory()
    out = out[:, :done]
    return out, dict(zip([where[k] for k in coded], _as_levels([out[k] for k in coded], pieces, found, decimal)))


def _in_order(path, bounds, work):
    """``work(bytes of a piece)`` for the pieces of a file between ``bounds``, on all cores, the
    results in the pieces' order (a few pieces in flight)."""
    with open(path, "rb") as f:
        fd = f.fileno()
        workers = _workers() if len(bounds) > 2 else 1
        with ThreadPoolExecutor(workers) as pool:
            pending = collections.deque()
            for i in range(len(bounds) - 1):
                pending.append(pool.submit(lambda i: work(_read_at(path, fd, bounds[i], bounds[i + 1] - bounds[i])), i))
                if len(pending) > workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()


def _locate(layout, where, label, drop_hint, bounds, text=frozenset()):
    """Raise the error that reading the whole file would raise, found a piece at a time, in about
    the time and memory of a reading that succeeds: the first row with more fields than the
    header or too few (looked for with the csv module only in the pieces where pandas finds a
    value beyond the header, a missing value in the last field used, or cannot parse), else the
    first cell of text in a field of numbers (not ``text``). Returns where it finds neither (the
    whole reading then says what it is)."""
    options = _parser_options(layout, where, text)
    decimal, needed = layout.format.decimal, max(where)
    numeric = [j for j in where if j not in text]

    def survey(data):
        if data.count(b"\r") != data.count(b"\r\n"):  # (lines ended by a lone CR: the whole reading follows them)
            return None
        lines = data.count(b"\n")
        try:
            piece = pd.read_csv(io.BytesIO(data), **options)
        except pd.errors.EmptyDataError:  # blank lines only
            return lines, 0, False, None, {}
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError, OverflowError):
            return lines, 0, True, None, {}
        suspect = _too_many_fields(layout, piece) or bool(piece[needed].isna().any())
        return lines, len(piece), suspect, _first_text(piece, numeric, decimal), {j: _all_booleans(piece[j])
                                                                                   for j in numeric}

    lines_before = rows_before = 0
    first, booleans = None, dict.fromkeys(numeric, True)
    for i, found in enumerate(_in_order(layout.path, bounds, survey)):
        if found is None:
            return
        lines, rows, suspect, cell, flags = found
        if suspect:
            with open(layout.path, "rb") as f:
                f.seek(bounds[i])
                _check_block_fields(layout, f.read(bounds[i + 1] - bounds[i]), lines_before, label,
                                    needed=needed + 1)
            if not rows:  # (pandas could not parse the piece, and the fields are right: the whole reading says why)
                return
        if cell is not None and first is None:
            first = (rows_before + cell[0], cell[1], cell[2])
        for j, flag in flags.items():
            booleans[j] &= flag
        lines_before, rows_before = lines_before + lines, rows_before + rows
    if first is not None:
        i, j, value = first
        _text_error(layout, label, j, i, value, booleans[j], drop_hint)


def _cuts(path, start, size, piece, quoted=True):
    """Where pieces of about ``piece`` bytes of a file start, from ``start`` on, each cut after a
    line end that no quoted field spans (the last entry ``size``).

    A line end is inside a quoted field where an odd number of quotes precedes it (a quote in a
    quoted field is written twice): the quotes are counted from ``start``, a MB at a time, the
    pages let go once counted. (A stray quote inside an unquoted field would upset the count:
    then a piece ends inside a quoted field, and its parse fails with an error, never with
    other numbers.) ``quoted`` False: the file has no quote after ``start``, nothing to count.
    """
    bounds = [start]
    with open(path, "rb") as f:
        if not quoted:
            while bounds[-1] < size:
                f.seek(bounds[-1] + piece)
                f.readline()
                bounds.append(min(f.tell(), size))
            return bounds
        try:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size > start else None
        except (OSError, ValueError):  # a file system that cannot map files: read it
            mapped = None
        data = mapped if mapped is not None else _FileBytes(f)
        odd = False  # whether an odd number of quotes precedes bounds[-1]... then `done`
        done = start
        try:
            while bounds[-1] < size:
                cut = bounds[-1] + piece
                if cut >= size:
                    bounds.append(size)
                    break
                odd ^= _odd_quotes(data, done, cut)
                while True:
                    end = data.find(b"\n", cut)
                    if end < 0 or end + 1 >= size:
                        end = size - 1
                    odd ^= _odd_quotes(data, cut, end + 1)
                    cut = done = end + 1
                    if not odd or cut >= size:
                        break
                bounds.append(min(cut, size))
        finally:
            if mapped is not None:
                mapped.close()
    return bounds


def _odd_quotes(data, lo, hi):
    """Whether bytes ``lo`` to ``hi`` of a file (mapped) hold an odd number of quotes."""
    odd = False
    for i in range(lo, hi, 1 << 20):
        j = min(i + (1 << 20), hi)
        odd ^= bool(np.count_nonzero(np.frombuffer(data[i:j], np.uint8) == 34) & 1)
        if hasattr(data, "madvise"):
            page = i - i % mmap.PAGESIZE
            data.madvise(mmap.MADV_DONTNEED, page, j - page)
    return odd


class _FileBytes:
    """A file's bytes by slice and ``find``, where it cannot be mapped."""

    def __init__(self, f):
        self.f = f

    def __getitem__(self, span):
        self.f.seek(span.start)
        return self.f.read(span.stop - span.start)

    def find(self, what, start):
        self.f.seek(start)
        offset = start
        while block := self.f.read(1 << 16):
            at = block.find(what)
            if at >= 0:
                return offset + at
            offset += len(block)
        return -1


def _release_freed_memory():
    """Give back to the system what the parsers allocated and freed (glibc keeps it, in every thread's arena).

    The read is over by then, but the process's peak memory is still to come (the fit):
    without this, the tens of MB that glibc keeps would count on top of it.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _read_at(path, fd, offset, size):
    """``size`` bytes at ``offset`` of the file open as ``fd``, from any thread."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    with open(path, "rb") as f:  # (no pread, as on Windows: a file object of the thread's own)
        f.seek(offset)
        return f.read(size)


def _place(out, columns, done):
    if columns is None:
        return done
    k = columns[0].shape[0] if columns else 0
    if done + k > out.shape[1]:  # more rows than line ends: lines ended by a lone CR
        raise _Unreadable
    for row, values in zip(out, columns):
        row[done:done + k] = values
    return done + k


def _numbers_by_row(layout, where, rows, label, drop_hint, text):
    """A wide file (many more columns than rows): each row's fields parsed as one column by
    pandas; the ``text`` fields kept as text, coded once every row is read."""
    width, needed = len(layout.names), max(where) + 1
    fmt = layout.format
    numeric = [k for k, j in enumerate(where) if j not in text]
    coded = [k for k, j in enumerate(where) if j in text]
    out = np.empty((len(where), rows))
    cells = [[] for _ in coded]
    done = 0
    with open(layout.path, "rb") as raw:
        raw.seek(layout.data_start)
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""), delimiter=fmt.sep)
        try:
            for record in reader:
                if not record:
                    continue
                if len(record) > width or len(record) < needed:
                    _field_count_error(layout, label, record, reader.line_num)
                values = [record[where[k]] if where[k] < len(record) else "" for k in numeric]
                if any("\n" in v or "\r" in v for v in values):
                    raise _Unreadable
                try:
                    column = _as_float(pd.read_csv(io.StringIO("\n".join(values) + "\n"), header=None, names=[0],
                                                   decimal=fmt.decimal, sep="\x1f", quoting=csv.QUOTE_NONE,
                                                   skip_blank_lines=False, engine="c")[0], fmt.decimal
                                       ) if values else np.empty(0)
                except (ValueError, pd.errors.ParserError, _Unreadable):
                    bad = np.flatnonzero(_bad_cells(pd.Series(values, dtype=object), fmt.decimal).to_numpy())
                    if bad.size:
                        k = numeric[int(bad[0])]
                        _text_error(layout, label, where[k], done, values[bad[0]], values[bad[0]] in _BOOLEANS,
                                    drop_hint)
                    raise _Unreadable from None
                if column.shape[0] != len(numeric):
                    raise _Unreadable
                if done == out.shape[1]:
                    out = np.concatenate([out, np.empty_like(out)], axis=1)
                out[numeric, done] = column
                for f, k in zip(cells, coded):
                    value = record[where[k]] if where[k] < len(record) else ""
                    f.append(np.nan if value in NA_VALUES else value)
                done += 1
        except (UnicodeDecodeError, csv.Error):
            raise _Unreadable from None
    out = out[:, :done]
    levels = {}
    for f, k in zip(cells, coded):
        out[k], levels[where[k]] = _text_codes(pd.Series(f, dtype=object))
    return out, levels


def _numbers_whole(layout, where, label, drop_hint, text):
    """The whole file in one read: locates any problem (field counts, text, encoding), else returns the numbers."""
    _check_fields(layout, label, needed=max(where) + 1)
    numeric = [j for j in where if j not in text]
    frame = _read_whole(layout, numeric, label, drop_hint, text)
    coded = {j: _text_codes(frame[j]) for j in where if j in text}
    out = np.stack([coded[j][0] if j in text else _as_float(frame[j], layout.format.decimal) for j in where])
    return out, {j: levels for j, (_, levels) in coded.items()}


def _read_whole(layout, numeric, label, drop_hint, text=()):
    """pandas' C parser on all the data from ``data_start``: ``numeric`` fields as float64, the
    others as text (the ``text`` fields' missing-value markers missing)."""
    fmt = layout.format
    with open(layout.path, "rb") as f, warnings.catch_warnings():
        # (pandas' DtypeWarning for a column of numbers and text: the text is this reading's error, in one line)
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)
        f.seek(layout.data_start)
        try:
            frame = pd.read_csv(f, **_parser_options(layout, numeric, text))
        except UnicodeDecodeError:
            raise DataFileError(f"{layout.label or layout.path!r} is not a UTF-8 text file; save it as UTF-8 CSV") from None
        except pd.errors.EmptyDataError:
            raise DataFileError(f"{label!r} has a header but no data rows") from None
        except pd.errors.ParserError as exc:
            _check_fields(layout, label, needed=1)
            raise DataFileError(f"{label!r} is not a valid CSV file ({' '.join(str(exc).split())}); check that "
                                f"every row has as many {SEPARATORS.get(fmt.sep, 'separators')} as the header"
                                ) from None
    if _too_many_fields(layout, frame):
        _check_fields(layout, label, needed=1)
    for j in numeric:
        if frame[j].to_numpy().dtype.kind not in "fiu":
            try:
                frame[j] = _as_float(frame[j], fmt.decimal)
            except _Unreadable:
                _find_text(layout, frame, numeric, label, drop_hint)
                raise DataFileError(f"column {layout.names[j]!r} of {label!r} is not numeric; every column must "
                                    "hold numbers") from None
    return frame.drop(columns=len(layout.names))


def _check_fields(layout, label, needed):
    """One pass over the records: the first with more fields than the header, or fewer than ``needed``."""
    width = len(layout.names)
    with open(layout.path, "rb") as raw:
        raw.seek(layout.data_start)
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""), delimiter=layout.format.sep)
        try:
            for record in reader:
                if record and (len(record) > width or len(record) < needed):
                    _field_count_error(layout, label, record, reader.line_num)
        except UnicodeDecodeError:
            raise DataFileError(f"{layout.label or layout.path!r} is not a UTF-8 text file; save it as UTF-8 CSV") from None
        except csv.Error as exc:
            line = layout.header_lines + reader.line_num
            raise DataFileError(f"{label!r} is not a valid CSV file ({exc}) after line {line}") from None


def _field_count_error(layout, label, record, line_num):
    fmt = layout.format
    width = len(layout.names)
    what = "the header has" if fmt.header is not False else "the first row has"
    separated = SEPARATORS.get(fmt.sep, f"{fmt.sep!r}")
    hint = ""
    for sep in SEPARATORS:
        if sep != fmt.sep and len(record) == 1 and sep in record[0]:
            hint = f" (it looks separated by {sep!r}: read it with --sep {_shown_sep(sep)})"
            break
    raise DataFileError(f"{label!r} line {layout.header_lines + line_num} has {len(record)} field(s) but {what} "
                        f"{width}; every row needs one value per column, separated by {separated}{hint}")


def _find_text(layout, frame, numeric, label, drop_hint):
    """Raise the error for the first cell of the ``numeric`` fields of a parsed frame that is not
    a number (row order), found in the frame as parsed (no second reading)."""
    first = _first_text(frame, numeric, layout.format.decimal)
    if first is not None:
        i, j, value = first
        _text_error(layout, label, j, i, value, _all_booleans(frame[j]), drop_hint)


def _first_text(frame, numeric, decimal):
    """(row, field, its text) of the first cell of the ``numeric`` fields of a parsed frame that
    is neither a number nor missing, in row order; None if there is none."""
    first = None
    for j in numeric:
        bad = np.flatnonzero(_bad_mask(frame[j], decimal))
        if bad.size and (first is None or bad[0] < first[0]):
            first = (int(bad[0]), j)
    if first is None:
        return None
    i, j = first
    value = frame[j].iloc[i]
    return i, j, value if isinstance(value, str) else str(value)


def _bad_mask(column, decimal):
    """Which cells of a column as pandas parsed it (numbers, text, true/false, or a mix of them)
    are neither numbers nor missing."""
    values = column.to_numpy()
    kind = values.dtype.kind
    if kind in "fiuc":
        return np.zeros(len(values), dtype=bool)
    if kind != "O":  # (true/false)
        return np.ones(len(values), dtype=bool)
    text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    bad = np.fromiter((isinstance(v, (bool, np.bool_)) for v in values), dtype=bool, count=len(values))
    if text.any():
        bad[text] = _bad_cells(pd.Series(values[text], dtype=object), decimal).to_numpy()
    return bad


def _all_booleans(column):
    """Whether every value of a parsed column that is present is true or false."""
    values = column.to_numpy()
    kind = values.dtype.kind
    if kind == "b":
        return True
    if kind == "f":
        return bool(np.isnan(values).all())
    if kind != "O":
        return len(values) == 0
    return all(isinstance(v, (bool, np.bool_)) or (isinstance(v, str) and (v in _BOOLEANS or v in NA_VALUES))
               for v in values if not (isinstance(v, float) and math.isnan(v)) and v is not None)


def _bad_cells(values, decimal):
    """Which cells (a Series of text) are neither numbers nor missing-value markers."""
    text = values.str.strip()
    present = values.notna() & ~values.isin(NA_VALUES)
    infinite = text.str.lower().str.lstrip("+-").isin(("inf", "infinity"))
    if decimal != ".":  # (then a point is no decimal mark)
        text = text.str.replace(".", "#", regex=False).str.replace(decimal, ".", regex=False)
    return present & ~infinite & pd.to_numeric(text.where(present), errors="coerce").isna()


def _text_error(layout, label, j, i, value, booleans, drop_hint):
    """The error for the cell of field ``j``, data row ``i`` (0-based), that holds ``value``, not a number."""
    fmt, name = layout.format, layout.names[j]
    if booleans:
        raise DataFileError(f"column {name!r} of {label!r} holds true/false values, not numbers; code them as 0/1 "
                            "or drop the column" + (f" (--drop {name!r})" if drop_hint else ""))
    hint = ""
    if fmt.sep != "," and fmt.decimal == "." and re.fullmatch(r"\s*[+-]?\d*,\d+([eE][+-]?\d+)?\s*", value):
        hint = "; it looks like a decimal comma: add --decimal ','"
    fix = (f"fix it, or leave the column out with --drop {name!r}" if drop_hint else "fix it")
    raise DataFileError(f"column {name!r} of {label!r} is not numeric (data row {i + 1} holds {value!r}){hint}; "
                        f"every column must hold numbers: {fix}")


# --------------------------------------------------------------------------- reading a table

def read_table(layout, numbers, *, label=None, keep_missing=False, missing_fix=" or drop those rows"):
    """Read every data column and the row labels: ``numbers`` as float64, the others as their text, unchanged.

    Parameters
    ----------
    layout : CSVLayout
    numbers : list of str
        The columns that must hold numbers (missing or infinite values are an error).
    label : str, optional
    keep_missing : bool, default False
        Missing values in ``numbers`` are NaN, not an error (infinite ones still are).
    missing_fix : str
        What to do about missing values, ending their error's message.

    Returns
    -------
    pandas.DataFrame
        The columns in the file's order (the row labels too); unnamed columns that hold
        nothing are left out. The text of a cell that is missing is ``""``.

    Raises
    ------
    DataFileError
    """
    label = layout.path if label is None else label
    positions = layout.positions
    numeric = [positions[n] for n in numbers]
    numeric_set = set(numeric)
    others = [j for j in range(len(layout.names)) if j not in numeric_set]
    if not others:
        return read_numbers(layout, layout.names, label=label, drop_hint=False, keep_missing=keep_missing,
                            missing_fix=missing_fix)[0]
    frame = _read_whole(layout, numeric, label, False)
    for j in numeric:
        frame[j] = _as_float(frame[j], layout.format.decimal)
    frame.columns = [layout.names[j] for j in frame.columns]
    empty = [n for n in layout.unnamed if n in frame.columns and n not in numbers
             and frame[n].fillna("").eq("").all()]
    frame = frame.drop(columns=empty)
    if numbers:
        _check_missing(layout, frame[numbers].to_numpy(dtype=np.float64).T, numbers, label, allowed=keep_missing,
                       fix=missing_fix)
    if frame.shape[0] == 0:
        raise DataFileError(f"{label!r} has a header but no data rows")
    return frame


# --------------------------------------------------------------------------- files larger than memory

HELD_BLOCK_BYTES = 1 << 24  # a block of a file read by Dask (a piece of its array), 16 MiB


class FileChangedError(DataFileError):
    """A file read a block at a time on several passes that changed while it was read."""


class HeldFile:
    """A CSV file read a block at a time on every pass over it, each block where Dask runs its
    task (the workers must see the file at the same path): a file larger than memory.

    Every pass must read the same file, else a fit would mix two files' numbers: each read of a
    block checks the file's size and modification time (ns) against those it had when this
    object was made, and, once the first pass's findings are given to :meth:`remember`, the
    block's rows and CRC-32 against the first pass's (the CRC costs about 7% of the parse). A
    change is a :class:`FileChangedError`, one line ending with ``again``.

    Parameters
    ----------
    layout : CSVLayout
    label : str, optional
        How the file is called in messages (default: its path).
    doing : str
        What is being done with the file, for messages ("fitted").
    again : str
        What to do about a change, for messages ("fit it again").
    block_bytes : int, optional
        The size of a block; default ``HELD_BLOCK_BYTES``, 16 MiB (parsing one takes about 5
        times that, on each worker at once).
    """

    def __init__(self, layout, label=None, doing="read", again="read it again", block_bytes=None):
        self.layout, self.doing, self.again = layout, doing, again
        self.label = layout.path if label is None else label
        self.state = _file_state(os.stat(layout.path))
        self.bounds = block_bounds(layout, self.label, block_bytes)
        self.found = [None] * (len(self.bounds) - 1)

    def __len__(self):
        return len(self.bounds) - 1

    def remember(self, found):
        """Each block's (rows, CRC-32) as the first pass read them: later reads must find the same."""
        self.found = list(found)

    def numbers(self, names, dropna=False, rows=None, text=()):
        """The given columns as a Dask array (rows x columns, float64), a block of the file a
        piece, parsed by pandas' C parser as :func:`read_numbers` parses them; and, one per block,
        a Dask value of the block's (rows, CRC-32, facts as :func:`read_numbers` gives them of its rows), to
        compute with the array's first pass (they share its reads) and give to :meth:`remember`.
        ``rows``: the pieces' rows, where known (else :func:`graddescent.chunked.as_chunks`
        finds them in its checking pass). ``text``: columns of ``names`` read as categories, each
        cell its level's number among the block's own levels (:func:`merge_levels` gives the
        whole file's)."""
        import dask
        import dask.array as da

        where = [self.layout.positions[name] for name in names]
        text = [self.layout.positions[name] for name in text]
        tasks = [dask.delayed(_held_block, nout=2)(self, i, where, list(names), dropna, text)
                 for i in range(len(self))]
        array = da.concatenate([da.from_delayed(values, shape=(math.nan if rows is None else rows[i], len(where)),
                                                dtype=np.float64) for i, (values, _) in enumerate(tasks)], axis=0)
        return array, [facts for _, facts in tasks]

    def read(self, i):
        """Block ``i``'s bytes and CRC-32, checked to be what this file held when the reading began."""
        start, size = self.bounds[i], self.bounds[i + 1] - self.bounds[i]
        with open(self.layout.path, "rb") as f:
            before = _file_state(os.fstat(f.fileno()))
            f.seek(start)
            data = f.read(size)
            after = _file_state(os.fstat(f.fileno()))
        if before != self.state or after != self.state or len(data) != size:
            size_now = after[0]
            raise self.changed(f"it is {size_now} bytes, modified at {_when(after[1])}, where the first pass read "
                               f"{self.state[0]} bytes modified at {_when(self.state[1])}")
        digest = zlib.crc32(data)
        if self.found[i] is not None and self.found[i][1] != digest:
            raise self.changed(f"the bytes of its lines from {_line_of(self.layout.path, start)} on differ from "
                               "those the first pass read")
        return data, digest

    def check_rows(self, i, rows):
        """Block ``i`` parsed into ``rows`` rows: as many as the first pass found."""
        if self.found[i] is not None and self.found[i][0] != rows:
            raise self.changed(f"its lines from {_line_of(self.layout.path, self.bounds[i])} on hold {rows} rows, "
                               f"where the first pass read {self.found[i][0]}")

    def row_line(self, i, row):
        """The line on which data row ``row`` (from 0) of block ``i`` starts, for a message."""
        return _row_line(self.layout, self.read(i)[0], self.bounds[i], row)

    def changed(self, detail):
        return FileChangedError(f"{self.label!r} changed while it was being {self.doing} ({detail}); {self.again}")

    def table_block(self, i, numbers, keep_missing=False, missing_fix="fill those cells or drop those rows"):
        """Block ``i`` as :func:`read_table` reads the whole (every column; ``numbers`` as
        float64, checked, the others as their text), unnamed columns all kept: for ``predict`` on
        a file larger than memory; and its (rows, CRC-32). ``keep_missing``: missing values in
        ``numbers`` are NaN, not an error; ``missing_fix`` ends their error's message."""
        layout, label = self.layout, self.label
        positions = layout.positions
        numeric = [positions[n] for n in numbers]
        data, digest = self.read(i)
        start = self.bounds[i]
        try:
            frame = _parse_block(layout, data, start, numeric, label)
        except pd.errors.EmptyDataError:  # blank lines only
            frame = pd.DataFrame({j: pd.Series(dtype=float if j in numeric else object)
                                  for j in range(len(layout.names))})
        self.check_rows(i, len(frame))
        if numeric and frame[max(numeric)].isna().any():  # (a row too short leaves its last fields missing)
            _check_block_fields(layout, data, _lines_before(layout, start), label, needed=max(numeric) + 1)
        for name, j in zip(numbers, numeric):
            try:
                frame[j] = _as_float(frame[j], layout.format.decimal)
            except _Unreadable:
                row = int(np.flatnonzero(_bad_mask(frame[j], layout.format.decimal))[0])
                raise DataFileError(f"{label!r} line {_row_line(layout, data, start, row)}: column {name!r} holds "
                                    f"{_shown(frame[j].iloc[row])!r}, not a number; fix the cell") from None
            values = frame[j].to_numpy()
            bad = np.isinf(values) if keep_missing else ~np.isfinite(values)
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise DataFileError(f"{label!r} line {_row_line(layout, data, start, row)}: column {name!r} is "
                                    f"{'infinite' if keep_missing else 'empty, NaN or infinite'} there; "
                                    f"{'fix those cells' if keep_missing else missing_fix}")
        for j in frame.columns:
            if j not in numeric:
                frame[j] = frame[j].fillna("")
        frame.columns = [layout.names[j] for j in frame.columns]
        return frame, (len(frame), digest)


def _file_state(stat):
    return stat.st_size, stat.st_mtime_ns


def _when(ns):
    import datetime

    return datetime.datetime.fromtimestamp(ns / 1e9).isoformat(sep=" ", timespec="microseconds")


def _shown(value):
    return value if isinstance(value, str) else str(value)


def block_bounds(layout, label, block_bytes=None):
    """Where the blocks of a file start, cut after line ends outside quoted fields (the last entry its size)."""
    bounds = _cuts(layout.path, layout.data_start, os.path.getsize(layout.path),
                   HELD_BLOCK_BYTES if block_bytes is None else block_bytes)
    if len(bounds) < 2 or bounds[-1] <= bounds[0]:
        raise DataFileError(f"{label!r} has a header but no data rows")
    return bounds


def _held_block(held, i, where, names, dropna, text=()):
    """Block ``i`` of a :class:`HeldFile`, parsed: its rows of the columns ``where``, laid out by
    column (the ``text`` fields as level numbers among the block's levels; see
    :meth:`HeldFile.numbers`); and its (rows, CRC-32, facts as :func:`read_numbers` gives them)."""
    layout, label = held.layout, held.label
    data, digest = held.read(i)
    start = held.bounds[i]
    try:
        piece = _parse_block(layout, data, start, where, label, text)
    except pd.errors.EmptyDataError:  # blank lines only
        held.check_rows(i, 0)
        return np.empty((len(where), 0)).T, (0, digest, {"levels": {layout.names[j]: [] for j in text},
                                                         "steps": dict.fromkeys(names, (0, math.nan, math.nan, None))})
    rows = len(piece)
    held.check_rows(i, rows)
    if piece[max(where)].isna().any():  # (a row too short leaves its last fields missing)
        _check_block_fields(layout, data, _lines_before(layout, start), label, needed=max(where) + 1)
    columns = []
    for name, j in zip(names, where):
        if j in text:
            columns.append(np.where(piece[j].isna(), np.nan, 0.0))  # (coded below, in the rows kept)
            continue
        try:
            columns.append(_as_float(piece[j], layout.format.decimal))
        except _Unreadable:
            row = int(np.flatnonzero(_bad_mask(piece[j], layout.format.decimal))[0])
            raise DataFileError(f"{label!r} line {_row_line(layout, data, start, row)}: column {name!r} holds "
                                f"{_shown(piece[j].iloc[row])!r}, not a number; fix the cell, or leave the column "
                                "out (--drop)") from None
    values = np.vstack(columns) if columns else np.empty((0, rows))  # (by column: what the full sums read)
    del columns
    steps = dict(zip(names, row_steps(values)))
    kept = ~np.isnan(values).any(axis=0) if dropna else slice(None)
    if dropna:
        values = np.ascontiguousarray(values[:, kept])
    levels = {}
    for k, j in enumerate(where):
        if j in text:
            values[k], levels[layout.names[j]] = _text_codes(piece[j][kept])
    del piece, data
    _release_freed_memory()  # (the parser's buffers: the worker goes on to the next block)
    return values.T, (rows, digest, {"levels": levels, "steps": steps})  # rows x columns, laid out by column


def _parse_block(layout, data, start, numeric, label, text=()):
    """pandas' parse of a block of a file that starts at byte ``start`` (the ``numeric`` fields
    as pandas infers them, the others as text, the ``text`` fields' missing-value markers
    missing), on a Dask worker: a row with more fields than the header is an error naming its line."""
    with warnings.catch_warnings(record=True) as caught:  # (DtypeWarning too: text is this reading's error)
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(io.BytesIO(data), **_parser_options(layout, numeric, text))
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:  # (a row far longer than the header)
            _check_block_fields(layout, data, _lines_before(layout, start), label, needed=0)
            raise DataFileError(f"{label!r} cannot be read from line {_line_of(layout.path, start)} on: "
                                f"{_message_of(exc)}") from None
    extra = len(layout.names)  # (the field after the header's last: see _parser_options)
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught) or frame[extra].notna().any():
        _check_block_fields(layout, data, _lines_before(layout, start), label, needed=0)  # (pandas drops the
    return frame.drop(columns=[extra])                                                     # fields beyond it)


def _message_of(exc):
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _check_block_fields(layout, data, before, label, needed):
    """:func:`_check_fields` for a block of a file after ``before`` lines of data: the first
    record with more fields than the header, or fewer than ``needed``, named by its line."""
    width = len(layout.names)
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""),
                        delimiter=layout.format.sep)
    try:
        for record in reader:
            if record and (len(record) > width or len(record) < needed):
                _field_count_error(layout, label, record, before + reader.line_num)
    except (UnicodeDecodeError, csv.Error):
        raise DataFileError(f"{label!r} is not a valid UTF-8 CSV file from line {before + layout.header_lines + 1} "
                            "on") from None


def _lines_before(layout, start):
    """The lines of data before byte ``start`` (a line's start)."""
    return _line_of(layout.path, start) - 1 - layout.header_lines


def _row_line(layout, data, start, row):
    """The line (from 1) on which data row ``row`` (from 0) of a block that starts at byte
    ``start`` starts: blank lines, which pandas skips, and line ends in quoted fields counted."""
    line = _line_of(layout.path, start)
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""),
                        delimiter=layout.format.sep)
    seen = previous = 0
    try:
        for record in reader:
            if record:
                if seen == row:
                    break
                seen += 1
            previous = reader.line_num
    except (UnicodeDecodeError, csv.Error):
        pass
    return line + previous


def _line_of(path, offset):
    """The number (from 1) of the line that starts at byte ``offset``, for a message."""
    count, done = 0, 0
    with open(path, "rb") as f:
        while done < offset:
            data = f.read(min(1 << 20, offset - done))
            if not data:
                break
            count, done = count + data.count(b"\n"), done + len(data)
    return count + 1
