"""The data a command reads: the reading options, the columns and rows chosen, the categorical
columns coded (:mod:`graddescent.coding`), the split.

The categorical columns' indicator columns are held dense (a DataFrame of the design, as
before) up to :data:`SPARSE_COLUMNS` of them; beyond, or where the dense design would take
more than :data:`DENSE_LIMIT` bytes, ``fit`` and ``compare`` hold the design as a
:class:`SparseTable` (scipy.sparse CSR: a factor of L levels takes one number a row instead of
L - 1), fitted as :class:`graddescent.sparse.Sparse` data, never densified: the same
coefficients as the dense design's up to rounding (the sparse kind's sums skip the zeros, so
they are not the dense kind's exact sums). Only the data in memory goes sparse:
``--dask``/``--scheduler`` fit dense pieces (refused beyond :data:`SPARSE_COLUMNS`, so that a
fit on Dask is the in-memory fit to the bit wherever it runs) and ``explore`` a dense table
(refused beyond :data:`DENSE_LIMIT`)."""

import contextlib
import math
import os
import shutil
import sys
import tempfile

import numpy as np
import pandas as pd

from .. import chunked, coding, datasets, reading
from ..toplevel import splitData
from ..validation import check_weights
from .cluster import _client, _held, _terminate_after_cleanup
from .messages import CLIError, _note

DENSE_LIMIT = 1 << 30  # bytes: the most that the indicator columns may take, dense, of the rows held at once
SPARSE_COLUMNS = 256  # indicator columns: beyond, the design is held sparse (fit, compare, predict)
# (a rule of the levels alone, not of the rows: a file's design is of the same kind in memory, on Dask and in predict,
# so a fit on Dask keeps the in-memory fit's bits; up to 256 columns the dense design costs at most 256 numbers a row
# and keeps the dense kind's exact, order-free sums)
IDENTIFIER_SHARE = 0.9  # a categorical column with a level for this share of the rows (or more): an identifier
COUNTING_ROWS = 20  # the fewest rows in which a column going up (or down) by one step is said to number them
# (fewer: more likely a designed experiment's doses 1, 2, ..., 6 than an ID)


def _csv_format(args):
    """The reading options as a :class:`reading.CSVFormat`."""
    if args.sep == args.decimal:
        raise CLIError(f"--sep and --decimal are both {args.sep!r}; a decimal comma needs another separator, "
                       "e.g. --sep ';' --decimal ','")
    return reading.CSVFormat(sep=args.sep, decimal=args.decimal, header=args.header, index_col=args.index_col)


def _column_list(values, names):
    """``--columns``/``--drop`` values: names separated by commas (a value that is a column's name is that name)."""
    if values is None:
        return None
    known = set(names)
    chosen = []
    for value in values:
        chosen += [value] if value in known else [part for part in value.split(",") if part.strip()]
    if not chosen:
        raise CLIError(f"expected column names separated by commas, got {', '.join(map(repr, values))}")
    return chosen


class Weights:
    """The weights column of a fit (``--weights``): its name and values, which ride along with the
    rows of its frame (``frame.attrs["weights"]``) as far as the split, and are not copied with it."""

    def __init__(self, name, values):
        self.name, self.values = name, values

    def __deepcopy__(self, memo):  # (pandas copies a frame's attrs with each new frame)
        return self

    def part(self, rows):
        return Weights(self.name, self.values[rows])


def weights_of(frame):
    """The weights of a frame (its rows'), or None."""
    held = getattr(frame, "attrs", {}).get("weights")
    return None if held is None else held.values


def _weights_column(args, names, chosen, label):
    """``--weights``: the column's name, checked (a column of the data, not the target), and the
    chosen columns without it (it is not an input); (None, chosen) without the option."""
    name = getattr(args, "weights", None)
    if name is None:
        return None, chosen
    if name not in names:
        raise CLIError(f"--weights: no column {name!r} in {label!r}; the columns are: {reading._listed(names)}")
    if chosen[-1] == name:
        raise CLIError(f"--weights: the column {name!r} is the target; name the target with --target, or another "
                       "column as the weights")
    return name, [c for c in chosen if c != name]


def _weigh(frame, name, args, label=None):
    """The frame without its weights column, the weights checked (one line where they are bad)
    and carried in its attrs."""
    if name is None:
        return frame
    try:
        values = check_weights(frame[name].to_numpy(dtype=np.float64), frame.shape[0],
                               name=f"the weights column {name!r} of {label or args.label!r}")
    except (TypeError, ValueError) as exc:
        raise CLIError(str(exc).replace("sample_weight", "--weights")) from None
    frame = frame.drop(columns=[name])
    frame.attrs["weights"] = Weights(name, values)
    return frame


def _load_training_data(args, default=None, sparse=True):
    """The data of ``fit``/``compare``/``explore``: the chosen columns as float64, each categorical
    one as its indicator columns, the target last; how to call them; the categorical columns (a
    list of :class:`graddescent.coding.Factor`); and what to say of them once the options are
    checked (lines for stderr: :func:`_say`). ``default``: (frame, label) of the data without
    DATA.csv (the bundled CO2 data). ``sparse``: whether the design may be held sparse (a
    :class:`SparseTable`, where :func:`held_sparse` says); else it is dense, and refused beyond
    :data:`DENSE_LIMIT`."""
    columns, drop = getattr(args, "columns", None), getattr(args, "drop", None)
    if args.data is None:
        defaults = {"--sep": (args.sep, ","), "--decimal": (args.decimal, "."), "--header": (args.header, None),
                    "--index-col": (args.index_col, None)}
        given = [option for option, (value, usual) in defaults.items() if value != usual]
        if given:
            raise CLIError(f"{', '.join(given)} read DATA.csv; give the file, or leave them out for the bundled data")
        frame, label = default or (datasets.load("co2_compressibility"), "co2_compressibility (bundled)")
        names = [str(c) for c in frame.columns]
        chosen = reading.choose_columns(names, label=label, columns=_column_list(columns, names),
                                        drop=_column_list(drop, names), target=args.target)
        if getattr(args, "categorical", None):
            raise CLIError("--categorical names columns of DATA.csv; give the file")
        weights, chosen = _weights_column(args, names, chosen, label)
        frame = _weigh(frame[chosen[:-1] + ([weights] if weights else []) + chosen[-1:]].astype(np.float64), weights,
                       args, label)
        return frame, label, [], _counting(reading.row_steps(frame.to_numpy().T[:-1]), chosen[:-1], label)
    fmt = _csv_format(args)
    layout = reading.inspect_csv(args.data, fmt, label=args.label)
    names = layout.columns
    chosen = reading.choose_columns(names, label=args.label, columns=_column_list(columns, names),
                                    drop=_column_list(drop, names), target=args.target, index=layout.index,
                                    unnamed=layout.unnamed)
    weights, chosen = _weights_column(args, names, chosen, args.label)
    text = _text_columns(args, layout, chosen)
    if _held(args):  # read a block at a time, where Dask runs it, on every pass (checked here: one pass)
        for line in layout.notes:
            _note(line, args.quiet)
        if weights is None:
            return _held_design(args, layout, chosen, text)
        held, label, factors, remarks = _held_design(args, layout, chosen[:-1] + [weights] + chosen[-1:], text)
        return _held_weights(held, weights, args), label, factors, remarks
    read = chosen[:-1] + ([weights] if weights else []) + chosen[-1:]  # (the weights read with the rows: --dropna)
    frame, notes, facts = reading.read_numbers(layout, read, dropna=args.dropna, label=args.label, text=text)
    frame = _weigh(frame, weights, args)
    for line in layout.notes + notes:
        _note(line, args.quiet)
    chosen = list(frame.columns)  # (less the unnamed columns that hold nothing)
    factors, remarks = _factors(facts["levels"], chosen, frame.shape[0], args)
    inputs = [name for name in chosen[:-1] if name not in text]
    remarks += _counting([facts["steps"][name] for name in inputs], inputs, args.label)
    if factors:
        by_name = {f.name: f for f in factors}
        plan = {j: (len(by_name[name].levels), None) for j, name in enumerate(chosen) if name in by_name}
        held = frame.attrs.get("weights")
        names = _design_names(chosen, factors, args)
        if sparse and held_sparse(frame.shape[0], factors):
            table = _sparse_table(frame, plan, names, held)
            return table, args.label, factors, remarks + [_sparse_note(frame.shape[0], factors, args)]
        _check_dense(factors, frame.shape[0], args, "" if sparse else "; explore fits the dense design")
        frame = pd.DataFrame(coding.design(frame.to_numpy(), plan), columns=names, copy=False)
        if held is not None:
            frame.attrs["weights"] = held
    return frame, args.label, factors, remarks


class SparseTable:
    """The data of ``fit``/``compare`` whose design is held sparse: the inputs ``X`` (scipy.sparse
    CSR, canonical) and the target ``y``, with the design's column names (the target last) and,
    as a DataFrame's, ``attrs`` (``"weights"``: :class:`Weights`). What the commands read of a
    frame: ``shape``, ``columns``; :meth:`part` (the split), :meth:`data` (what is fitted)."""

    def __init__(self, X, y, columns, weights=None):
        self.X, self.y, self.columns = X, y, columns
        self.shape = (X.shape[0], X.shape[1] + 1)
        self.attrs = {} if weights is None else {"weights": weights}

    def part(self, rows):
        """The rows ``rows`` (in that order), with their weights."""
        held = self.attrs.get("weights")
        return SparseTable(self.X[rows], self.y[rows], self.columns, None if held is None else held.part(rows))

    def data(self):
        """The design as the fit reads it: :class:`graddescent.sparse.Sparse` (no copy)."""
        from ..sparse import as_sparse

        return as_sparse(self.X, self.y, self.columns)


def held_sparse(rows, factors):
    """Whether a design of ``rows`` rows with these categorical columns is held sparse in
    memory: more than :data:`SPARSE_COLUMNS` indicator columns, or more than
    :data:`DENSE_LIMIT` bytes of them dense."""
    return (sum(len(f.names) for f in factors) > SPARSE_COLUMNS
            or coding.dense_bytes(rows, factors) > DENSE_LIMIT)


def _sparse_table(frame, plan, names, held):
    """The design of ``frame`` (its source columns, the target last) held sparse, with its weights."""
    values = frame.to_numpy()
    return SparseTable(coding.sparse_design(values[:, :-1], plan), np.array(values[:, -1]), pd.Index(names), held)


def _sparse_note(rows, factors, args):
    """The note of a design held sparse: why, and what it takes."""
    columns = sum(len(f.names) for f in factors)
    why = (f"more than {SPARSE_COLUMNS}" if columns > SPARSE_COLUMNS else
           f"{_size(coding.dense_bytes(rows, factors))} as dense numbers over {rows} rows, more than {_size(DENSE_LIMIT)}")
    return (f"graddescent: note: {columns} indicator columns ({why}): the design is held sparse (its non-zeros only) "
            "and fitted without densifying it")


def _text_columns(args, layout, chosen):
    """The chosen columns read as categories: those that hold text, and those named by
    ``--categorical``; the target may not be one."""
    named = _column_list(getattr(args, "categorical", None), layout.columns) or []
    for name in named:
        if name not in layout.columns:
            raise CLIError(f"--categorical: no column {name!r} in {args.label!r}; the columns are: "
                           f"{reading._listed(layout.columns)}")
        if name not in chosen:
            raise CLIError(f"--categorical: the column {name!r} of {args.label!r} is left out (--columns, --drop, "
                           "--index-col); use it, or leave it out of --categorical")
    named = set(named)
    text = set(reading.text_columns(layout, [c for c in chosen if c not in named])) | named
    target = chosen[-1]
    if target in text:
        what = "is made categorical by --categorical" if target in named else "holds text"
        raise CLIError(f"the target column {target!r} of {args.label!r} {what}; the target must hold numbers: choose "
                       "another with --target")
    return [c for c in chosen if c in text]


def _factors(levels, chosen, rows, args):
    """The categorical columns of a fit, checked: two levels or more, fewer than an identifier's;
    and a note on each."""
    factors = []
    for name in chosen:
        if name not in levels:
            continue
        values = levels[name]
        shown = coding.level_label(values[0]) if values else ""
        if len(values) < 2:
            raise CLIError(f"column {name!r} of {args.label!r} holds the same value, {shown!r}, in every row: as a "
                           f"category it has one level, which tells the fit nothing; leave it out with --drop {name!r}")
        if len(values) >= IDENTIFIER_SHARE * rows:
            raise CLIError(f"column {name!r} of {args.label!r} has a different value in almost every row "
                           f"({len(values)} in {rows} rows): an identifier, not a category; leave it out with --drop "
                           f"{name!r} (or --index-col {name!r})")
        factors.append(coding.Factor(name, values))
    named = set(_column_list(args.categorical, chosen) or ())
    return factors, [f"graddescent: note: column {f.name!r} of {args.label!r} "
                     f"{'is categorical (--categorical)' if f.name in named else 'holds text'}: {len(f.levels)} "
                     f"levels, fitted as {len(f.names)} indicator column(s) beside the reference level "
                     f"{coding.level_label(f.reference)!r} (R's treatment coding)" for f in factors]


def _check_dense(factors, held_rows, args, why=""):
    """Refuse indicator columns that would take more than :data:`DENSE_LIMIT` bytes dense over
    ``held_rows`` rows (the rows held at once); ``why``: what holds them dense (ends the line)."""
    total = coding.dense_bytes(held_rows, factors)
    if total > DENSE_LIMIT:
        widest = max(factors, key=lambda f: len(f.levels))
        whose = "its" if len(factors) == 1 else "the categorical columns'"
        raise CLIError(f"column {widest.name!r} of {args.label!r} has {len(widest.levels)} levels: {whose} "
                       f"{sum(len(f.names) for f in factors)} indicator columns over {held_rows} rows would take "
                       f"{_size(total)} as dense numbers, more than the {_size(DENSE_LIMIT)} bound on them; leave it "
                       f"out with --drop {widest.name!r}, or merge its levels into fewer{why}")


def _size(size):
    """A number of bytes for a message (1.5 GiB)."""
    for unit, power in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << power:
            return f"{size / (1 << power):.3g} {unit}"
    return f"{size} bytes"


def _design_names(chosen, factors, args):
    """The columns of the design: each categorical column's indicator columns where it stands."""
    by_name = {f.name: f for f in factors}
    names = [n for name in chosen for n in (by_name[name].names if name in by_name else [name])]
    if len(set(names)) < len(names):
        twice = next(n for i, n in enumerate(names) if n in names[:i])
        owner = next(f.name for f in factors if twice in f.names)
        raise CLIError(f"the indicator column {twice!r} of column {owner!r} of {args.label!r} would have the name of "
                       "another column; rename one of them")
    return names


def _held_design(args, layout, chosen, text):
    """The data of ``fit --dask``/``--scheduler``: the file a block at a time on every pass, its
    categorical columns' levels found in the first pass (the one that checks the data), the
    design's pieces coded from them on every later pass; (held data, label, factors)."""
    import dask

    layout.path = os.path.abspath(layout.path)  # (the workers' current folders are not this one)
    source = reading.HeldFile(layout, label=args.label, doing="fitted", again="fit it again")
    array, facts = source.numbers(chosen, dropna=args.dropna, text=text)
    if args.persist:  # (read into the workers' memory by the checking pass: no later pass reads the file)
        array, *facts = _client().persist([array, *facts])
    try:
        held = chunked.as_chunks(array, name=repr(args.label), columns=chosen, facts=facts)
    except chunked.NonFiniteError as exc:  # (worded as reading.read_numbers words it)
        if math.isinf(exc.value):
            raise reading.DataFileError(f"{args.label!r} has {exc.count} missing or infinite cell(s); the first, "
                                        f"infinite (or a number beyond 1.8e308), is in column {exc.column!r} at "
                                        f"data row {exc.row + 1}; fix them or drop those rows") from None
        raise reading.DataFileError(f"{args.label!r} has {exc.count} empty, NaN or missing cell(s); the first is "
                                    f"in column {exc.column!r} at data row {exc.row + 1}; fill them, or drop "
                                    "those rows with --dropna") from None
    found = held.facts
    merged = {name: reading.merge_levels([f[2]["levels"][name] for f in found], layout.format.decimal)
              for name in text}
    rows = held.array.chunks[0]
    at_once = held.m if args.persist else max(max(rows), min(held.m, chunked.FETCH))  # (the rows held at once)
    factors, remarks = _factors({name: levels for name, (levels, _) in merged.items()}, chosen, held.m, args)
    columns = sum(len(f.names) for f in factors)
    if columns > SPARSE_COLUMNS:  # (in memory: a sparse design, whose sums are not the dense pieces')
        widest = max(factors, key=lambda f: len(f.levels))
        raise CLIError(f"column {widest.name!r} of {args.label!r} has {len(widest.levels)} levels: {columns} indicator "
                       f"columns, more than the {SPARSE_COLUMNS} that --dask holds in its dense pieces; fit without "
                       "--dask and --scheduler (in memory, many levels are held as a sparse design), or merge its "
                       "levels into fewer")
    _check_dense(factors, at_once, args, "; or fit without --dask and --scheduler: in memory, such a design is held "
                 "sparse")
    inputs = [name for name in chosen[:-1] if name not in text]
    remarks += _counting([reading.combined_steps([f[2]["steps"][name] for f in found]) for name in inputs], inputs,
                         args.label)
    if args.persist:
        if not factors:
            return held, args.label, factors, remarks
        array = held.array
    else:  # the later passes check that they read what the first pass read
        source.remember(found)
        array = source.numbers(chosen, dropna=args.dropna, rows=rows, text=text)[0]
    if not factors:
        return chunked.Chunks(array, held.columns, held.top, held.counter), args.label, factors, remarks
    names = _design_names(chosen, factors, args)
    top = np.concatenate([np.ones(len(merged[name][0]) - 1) if name in merged else held.top[j:j + 1]
                          for j, name in enumerate(chosen)])
    pieces = [dask.delayed(coding.design)(piece, {j: (len(merged[name][0]), merged[name][1][i])
                                                 for j, name in enumerate(chosen) if name in merged})
              for i, piece in enumerate(array.to_delayed().ravel())]
    import dask.array as da

    array = da.concatenate([da.from_delayed(piece, shape=(rows[i], len(names)), dtype=np.float64)
                            for i, piece in enumerate(pieces)], axis=0)
    if args.persist:  # (the design in the workers' memory, coded once: the levels' numbers are let go)
        import distributed

        array = _client().persist(array)
        distributed.wait(array)
    return chunked.Chunks(array, pd.Index(names), top, held.counter), args.label, factors, remarks


def _held_weights(held, name, args):
    """Held data whose column ``name`` weighs its rows: the data without it, weighted (the
    weights gathered in one pass: one number a row)."""
    j = list(held.columns).index(name)
    keep = [i for i in range(held.k) if i != j]
    data = chunked.Chunks(held.array[:, keep], held.columns[keep], np.asarray(held.top)[keep], held.counter)
    try:
        return data.weighted(held.array[:, j], name=f"the weights column {name!r} of {args.label!r}")
    except ValueError as exc:
        raise CLIError(str(exc)) from None


def _counting(steps, names, label):
    """A warning for each input (``names``, their :func:`_row_steps`) that only numbers the rows:
    a column going up (or down) by the same step from every row to the next, as an ID of 1 to n does."""
    return [f"graddescent: warning: input column {name!r} of {label!r} goes from {first:g} to {last:g} by {step:g} "
            "from each row to the next: it numbers the rows, and the fit takes their order for data; if it is an "
            f"identifier, leave it out with --drop {name!r}"
            for name, (rows, first, last, step) in zip(names, steps)
            if rows >= COUNTING_ROWS and step is not None and math.isfinite(step) and step != 0]


def _say(remarks, quiet):
    """Print the notes and warnings of :func:`_load_training_data` (none with ``--quiet``)."""
    if not quiet:
        for line in remarks:
            print(line, file=sys.stderr)


def _split(frame, args):
    """(train, test or None) as R's splitData, checking both parts are large enough."""
    if args.test_rate is None and args.train_rate is None:
        return frame, None
    if isinstance(frame, chunked.Chunks):
        raise CLIError("--test-rate and --train-rate draw rows at random from the whole file, which --dask and "
                       "--scheduler do not hold; split the file first")
    rate = 1 - args.test_rate if args.train_rate is None else args.train_rate
    m = frame.shape[0]
    k = int(m * rate)
    if k < 2 or k == m:
        option = "--test-rate" if args.train_rate is None else "--train-rate"
        raise CLIError(f"{option} {args.test_rate or args.train_rate:g} splits {m} rows into {k} for training and "
                       f"{m - k} for testing; both need rows (training at least 2): choose a rate nearer 0.5")
    held = frame.attrs.get("weights")
    if isinstance(frame, SparseTable):  # (R's draws of the rows: those of a frame of as many rows)
        rows = splitData(pd.DataFrame({"row": np.arange(m)}), rate, args.seed)
        return tuple(frame.part(part["row"].to_numpy()) for part in rows)
    if held is None:
        return splitData(frame, rate, args.seed)
    rows = splitData(pd.DataFrame({"row": np.arange(m)}), rate, args.seed)  # (the same draws: the rows' weights)
    parts = []
    for part in rows:
        chosen = part["row"].to_numpy()
        piece = frame.iloc[chosen]
        piece.attrs["weights"] = held.part(chosen)
        parts.append(piece)
    return tuple(parts)


STDIN = "-"  # a file name that means standard input (an input) or standard output (an output)


@contextlib.contextmanager
def _standard_input(args):
    """``-`` as DATA.csv: standard input, copied to a temporary file (removed when the command
    ends, SIGTERM included) that is read as any file and called "standard input" in messages.
    Sets ``args.label``, DATA's name in messages. (MODEL.json ``-`` is read whole by
    :func:`graddescent.modelfile.read_model`; a file named ``-`` is ``./-``.)"""
    args.label = args.data
    if args.data != STDIN:
        yield
        return
    if getattr(args, "model", None) == STDIN:
        raise CLIError("MODEL.json and DATA.csv cannot both come from standard input; give one of them a file name")
    if _held(args):
        raise CLIError("--dask and --scheduler read DATA.csv again on every pass, and standard input can be read only "
                       "once: save it to a file and give its name")
    with _terminate_after_cleanup(), tempfile.TemporaryDirectory(prefix="graddescent-stdin-") as folder:
        path = os.path.join(folder, "standard-input.csv")
        with open(path, "wb") as f:
            shutil.copyfileobj(sys.stdin.buffer, f, 1 << 20)
        args.data, args.label = path, "standard input"
        yield


def _to_file(output):
    """Whether an output option names a file (not standard output, ``-``; not absent)."""
    return bool(output) and output != STDIN
