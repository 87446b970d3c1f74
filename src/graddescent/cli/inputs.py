"""The data a command reads: the reading options, the columns and rows chosen, the split."""

import contextlib
import math
import os
import shutil
import sys
import tempfile

import numpy as np

from .. import chunked, datasets, reading
from ..toplevel import splitData
from .cluster import _client, _held, _terminate_after_cleanup
from .messages import CLIError, _note


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


def _load_training_data(args, default=None):
    """The data of ``fit``/``compare``/``explore``: the chosen columns as float64, the target
    last; and how to call them. ``default``: (frame, label) of the data without DATA.csv (the
    bundled CO2 data)."""
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
        return frame[chosen].astype(np.float64), label
    fmt = _csv_format(args)
    layout = reading.inspect_csv(args.data, fmt, label=args.label)
    names = layout.columns
    chosen = reading.choose_columns(names, label=args.label, columns=_column_list(columns, names),
                                    drop=_column_list(drop, names), target=args.target, index=layout.index,
                                    unnamed=layout.unnamed)
    if _held(args):  # read a block at a time, where Dask runs it, on every pass (checked here: one pass)
        for text in layout.notes:
            _note(text, args.quiet)
        layout.path = os.path.abspath(layout.path)  # (the workers' current folders are not this one)
        source = reading.HeldFile(layout, label=args.label, doing="fitted", again="fit it again")
        array, facts = source.numbers(chosen, dropna=args.dropna)
        if args.persist:  # (read into the workers' memory by the checking pass: no later pass reads the file)
            array, facts = _client().persist(array), ()
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
        if not args.persist:  # the later passes check that they read what the first pass read
            source.remember(held.facts)
            array = source.numbers(chosen, dropna=args.dropna, rows=held.array.chunks[0])[0]
            held = chunked.Chunks(array, held.columns, held.top, held.counter)
        return held, args.label
    frame, notes = reading.read_numbers(layout, chosen, dropna=args.dropna, label=args.label)
    for text in layout.notes + notes:
        _note(text, args.quiet)
    return frame, args.label


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
    return splitData(frame, rate, args.seed)


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
