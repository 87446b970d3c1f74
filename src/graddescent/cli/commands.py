"""The five commands: ``fit``, ``compare``, ``predict``, ``explore`` and ``datasets``."""

import math
import os
import sys
import warnings

import numpy as np
import pandas as pd

from .. import chunked, coding, datasets, reading
from .. import sparse as sparse_data
from ..catalog import METHODS
from ..explorer import page as explorer_page
from ..explorer.problem import Problem, example
from ..modelfile import read_model_factors, write_model
from ..toplevel import predict
from ..writing import check_output as _check_output
from ..writing import write_atomic as _write_atomic
from .cluster import _check_cluster_options, _client, _cluster, _held
from .figures import _compare_figure, _fit_figure, _save_figure
from .fitting import CONTROL_OPTIONS, _control, _fit, _remedy, in_option_names
from .inputs import (SPARSE_COLUMNS, STDIN, SparseTable, _csv_format, _load_training_data, _say, _split,
                     _standard_input, _to_file)
from .options import SCALINGS
from .messages import EXIT_DIVERGED, CLIError, _message, _note, _report_warnings
from .quality import _coefficients, _gap, _least_squares, _r2, _rmse, _square
from .report import PROGRESS_DELAY, _compare_table, _fit_table, _json, _table, _with_elapsed_bar, progress_wanted

NOT_CONVERGED = 0.01  # a fit of R's fixed iterations 1% above the least-squares fit's training MSE: said so
NA_ACTIONS = ("fail", "exclude", "drop")  # predict --na: R's na.fail, na.exclude, na.omit
NA_FIX = ("fill the empty input cells, or give --na exclude (those rows get an empty prediction) or --na drop (those "
          "rows are left out)")


def command_fit(args):
    """``graddescent fit``: fit DATA, print the report, optionally write the model and the loss plot.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`build_parser`.

    Returns
    -------
    int
        0; 1 when the fit diverged (no model file is written; the remedy is on stderr).
    """
    _check_cluster_options(args)
    with _standard_input(args), _cluster(args):
        return _command_fit(args)


def _command_fit(args):
    frame, label, factors, remarks = _load_training_data(args)
    train, test = _split(frame, args)
    control, tol = _control(args, train.shape[0], args.method, args.variant)
    given = {entry for option, entry in CONTROL_OPTIONS.items() if getattr(args, option) is not None}
    takes = (*METHODS[args.method].control, *METHODS[args.method].constants)
    unused = [f"--{o.replace('_', '-')}" for o, e in CONTROL_OPTIONS.items() if e in given and e not in takes]
    if unused and not args.quiet:
        print(f"graddescent: note: {args.method} does not use {', '.join(unused)}; ignored", file=sys.stderr)
    _check_output(args.model_out if _to_file(args.model_out) else None, args.data)
    _check_output(args.plot, args.data)
    _say(remarks, args.quiet)
    model, seconds, fit = _with_elapsed_bar(lambda: _fit(train, args.method, args, control, tol),
                                            f"fitting {args.method}", progress_wanted(args.quiet),
                                            getattr(train, "counter", None))
    train_rmse = _rmse(model, train)
    least = _least_squares(train)
    rows, inputs = int(train.shape[0]), len(frame.columns) - 1
    r2, adjusted = _r2(_square(train_rmse), least["variance"], rows, inputs)
    least_r2, least_adjusted = _r2(least["mse"], least["variance"], rows, inputs)
    result = {
        "data": label, "rows": int(frame.shape[0]), "target": str(frame.columns[-1]), "method": args.method,
        "variant": model.control.get("variant", "R"),
        "control": {e: model.control[e] for e in takes if e in model.control},
        "tol": tol, "n_iter_no_change": args.n_iter_no_change if tol is not None else None,
        "alpha": fit.alpha, "scaling": args.scaling, "seed": args.seed,
        "train_rows": rows, "test_rows": None if test is None else int(test.shape[0]),
        "columns": [str(c) for c in frame.columns],
        "levels": {f.name: f.levels for f in factors},
        "theta": model.model.ravel().tolist(), "coefficients": _coefficients(model).tolist(),
        "scaling_parameter": None if model.scalingParameter is None else model.scalingParameter.tolist(),
        "train_rmse": train_rmse, "test_rmse": None if test is None else _rmse(model, test),
        "r2": r2, "adjusted_r2": adjusted,
        "least_squares": {"coefficients": None if least["slopes"] is None else
                          [least["intercept"], *map(float, least["slopes"])], "r2": least_r2,
                          "adjusted_r2": least_adjusted, "train_rmse": math.sqrt(least["mse"])
                          if math.isfinite(least["mse"]) else math.nan},
        "gap_to_least_squares": _gap(_square(train_rmse), least["mse"]),
        "certified_error": fit.error, "design": fit.singular,
        "n_iter": fit.n_iter, "passes": fit.passes, "converged": fit.converged, "diverged": fit.diverged,
        "time_seconds": seconds, "model_out": None if fit.diverged else args.model_out, "plot": args.plot,
        "weights": args.weights,
    }
    if isinstance(train, chunked.Chunks):  # (the passes over the file: the checks, the scaling, the fit, the report)
        result["data_passes"] = train.passes
    if args.plot:
        _save_figure(_fit_figure(model, fit, train, args, label, tol), args.plot)
    # (the model on standard output: the report goes to stderr)
    print(_json(result) if args.json else _fit_table(result),
          file=sys.stderr if args.model_out == STDIN else sys.stdout)
    if fit.diverged:
        written = f"{args.model_out!r} was not written: " if args.model_out else ""
        print(f"graddescent: error: the fit diverged; {written}{_remedy(fit)}", file=sys.stderr)
        return EXIT_DIVERGED
    if not args.quiet:
        if fit.converged is False and fit.advice:
            print(f"graddescent: warning: {args.method} stopped after {fit.n_iter} iterations: "
                  f"{in_option_names(fit.advice)}", file=sys.stderr)
        elif fit.converged is False:
            print(f"graddescent: warning: {args.method} stopped at --max-iter {fit.n_iter} before its loss stopped "
                  "improving by --tol; raise --max-iter or --tol", file=sys.stderr)
        elif fit.converged is None and result["gap_to_least_squares"] > NOT_CONVERGED:
            given = "--tol none" if args.tol is None else "--alpha or --max-iter without --tol"
            print(f"graddescent: warning: after R's {fit.n_iter} iterations ({given}) the training MSE is "
                  f"{result['gap_to_least_squares']:.0%} above the least-squares fit's: the fit has not converged; "
                  "leave out --tol none, --alpha and --max-iter (the fit then converges), or give --tol",
                  file=sys.stderr)
        elif fit.singular:
            print(f"graddescent: note: {fit.singular}", file=sys.stderr)
    if args.model_out:
        write_model(model, args.model_out if _to_file(args.model_out) else sys.stdout, args.seed, tol,
                    {f.name: f.levels for f in factors}, args.weights)
    return 0


def command_compare(args):
    """``graddescent compare``: fit each method with the same settings and print them ranked by RMSE.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`build_parser`.

    Returns
    -------
    int
        0.
    """
    return _with_data(args, _command_compare)


def _with_data(args, command):
    """``command(args)``, DATA.csv ``-`` read from standard input (none given: the default data)."""
    if args.data is None:
        return command(args)
    with _standard_input(args):
        return command(args)


def _command_compare(args):
    frame, label, _, remarks = _load_training_data(args)
    train, test = _split(frame, args)
    _control(args, train.shape[0], "GD")  # (checks the options once)
    fits = _compare_fits(args)
    _check_output(args.plot, args.data)
    _say(remarks, args.quiet)
    show = progress_wanted(args.quiet)
    results, curves, models = [], {}, []
    from tqdm import tqdm
    for method, variant in tqdm(fits, desc="compare", unit="fit", file=sys.stderr, delay=PROGRESS_DELAY,
                                disable=not show, leave=False):
        control, tol = _control(args, train.shape[0], method, variant)
        variant = control.get("variant", "R")  # (each method's estimator's where --variant is not given)
        name = method if variant == "R" else f"{method} ({variant})"
        try:
            model, seconds, fit = _fit(train, method, args, control, tol)
        except ValueError as exc:  # (a sparse design that a method would read densified beyond its bound)
            if not isinstance(train, SparseTable):
                raise
            if not args.quiet:
                print(f"graddescent: warning: {name} was not fitted: {_message(exc)}", file=sys.stderr)
            continue
        if fit.diverged and not args.quiet:
            print(f"graddescent: warning: {name} diverged; {_remedy(fit)}", file=sys.stderr)
        curves[name] = (method, model.loss, fit)
        results.append({"method": method, "variant": variant, "name": name, "train_rmse": _rmse(model, train),
                        "test_rmse": None if test is None else _rmse(model, test),
                        "gap_to_least_squares": None, "alpha": fit.alpha, "tol": tol,
                        "certified_error": fit.error, "n_iter": fit.n_iter, "passes": fit.passes,
                        "converged": fit.converged, "diverged": fit.diverged, "time_seconds": seconds})
        models.append(model)
    if not results:
        raise CLIError("no method could fit this sparse design (see the warnings); merge the levels into fewer")
    optimum = _least_squares(train)["mse"]  # (after the fits: a LAPACK call that Ctrl-C cannot stop)
    for result, model in zip(results, models):
        result["gap_to_least_squares"] = _gap(_square(result["train_rmse"]), optimum)
    key = "train_rmse" if test is None else "test_rmse"
    results.sort(key=lambda r: (r["diverged"] or math.isnan(r[key]), r[key]))
    summary = {"data": label, "rows": int(frame.shape[0]), "target": str(frame.columns[-1]),
               "variants": args.variant or ["estimators'"],
               "control": {e: getattr(args, o) for o, e in CONTROL_OPTIONS.items() if getattr(args, o) is not None},
               "tol": args.tol, "n_iter_no_change": args.n_iter_no_change if args.tol is not None else None,
               "scaling": args.scaling, "seed": args.seed,
               "train_rows": int(train.shape[0]), "test_rows": None if test is None else int(test.shape[0]),
               "inputs": len(frame.columns) - 1,
               "least_squares_train_rmse": math.sqrt(optimum), "sorted_by": key, "results": results,
               "plot": args.plot, "weights": args.weights}
    if args.plot:
        _save_figure(_compare_figure(curves, models, train, args, label), args.plot)
    print(_json(summary) if args.json else _compare_table(summary))
    return 0


def _compare_fits(args):
    """(method, variant) of each fit of ``compare``: each method in each listed variant it
    has. A method named in --methods that has none of them is an error; by default the
    methods that have one are fitted."""
    published = [f"--{o}" for o in METHODS["ADAM"].constants if getattr(args, o) is not None]
    if published and args.variant in (None, ["R"]):
        raise CLIError(f"{', '.join(published)} set the published rules' constants; add them to --variant "
                       "(e.g. --variant R,textbook)")
    methods = args.methods or list(METHODS)
    if args.variant is None:  # (each method's estimator's rule: R's for R's fixed iterations)
        return [(m, None) for m in methods]
    fits = [(m, v) for m in methods for v in args.variant if v in METHODS[m].variants]
    if args.methods:
        lacking = [m for m in methods if not any(v in METHODS[m].variants for v in args.variant)]
        if lacking:
            raise CLIError(f"{lacking[0]} has no variant {' or '.join(args.variant)}; it has "
                           f"{', '.join(METHODS[lacking[0]].variants)}")
    elif not fits:
        raise CLIError(f"no method has the variant(s) {', '.join(args.variant)}")
    return fits


def command_predict(args):
    """``graddescent predict``: DATA's columns plus ``prediction``, to OUT.csv or stdout.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`build_parser`.

    Returns
    -------
    int
        0.
    """
    _check_cluster_options(args)
    with _standard_input(args):
        return _command_predict(args)


def _command_predict(args):
    model, factors = read_model_factors(sys.stdin.buffer if args.model == STDIN else args.model)
    fmt = _csv_format(args)
    layout = reading.inspect_csv(args.data, fmt, label=args.label)
    sources = _sources(model, factors)
    present = set(layout.columns)
    missing = [c for c in sources if c not in present]
    if missing:
        raise CLIError(f"{args.label!r} lacks the input column(s) {missing} that the model needs "
                       f"(the model's inputs: {', '.join(sources)})")
    _check_output(args.output if _to_file(args.output) else None, args.data,
                  args.model if args.model != STDIN else None)
    if _held(args):
        if args.persist:
            raise CLIError("--persist keeps a file read for many passes; predict reads it twice, once to check it "
                           "and once to write: leave --persist out")
        with _cluster(args):
            return _predict_held(args, model, factors, layout, fmt)
    coded = {f.name for f in factors}
    frame = reading.read_table(layout, [c for c in sources if c not in coded], label=args.label, keep_missing=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        predicted, complete, problem = _predictions(frame, model, factors, args, lambda row: f"data row {row + 1}")
    if problem:
        raise CLIError(problem)
    name = _prediction_column(list(frame.columns), sources + [model.columns[-1]], args)
    _report_warnings(caught, False)
    if not complete.all():
        shown = "an empty prediction" if args.na == "exclude" else "no row in the output"
        _note(f"{np.count_nonzero(~complete)} of {len(complete)} rows of {args.label!r} have an empty cell in an input "
              f"column: {shown} (--na {args.na})", args.quiet)
    if args.na == "drop":
        frame, predicted = frame[complete], predicted[complete]
    frame[name] = predicted

    def write(f):
        frame.to_csv(f, index=False, lineterminator="\n", sep=fmt.sep, decimal=fmt.decimal)

    if _to_file(args.output):
        _write_atomic(args.output, write)
    else:
        write(sys.stdout)
    return 0


def _sources(model, factors):
    """The data columns a model reads: its inputs, each categorical column (``factors``) in
    place of its indicator columns."""
    owner = {n: f.name for f in factors for n in f.names}
    return list(dict.fromkeys(owner.get(c, c) for c in model.columns[:-1]))


def _predictions(frame, model, factors, args, where):
    """The model's predictions of the rows of ``frame`` (the data's columns as read: the numeric
    inputs as numbers, missing ones NaN; the others as text) with the categorical columns coded
    by its levels, NaN where an input is missing; which rows have every input; and the first
    row's problem, if any, in one line (else None): a level the model does not know, or, with
    ``--na fail``, a missing input (``where(row)``: a row's place in the file)."""
    sources = _sources(model, factors)
    factors = {f.name: f for f in factors}
    columns, complete = [], np.ones(len(frame), dtype=bool)
    first = (len(frame), None)  # (row, its problem)
    for name in sources:
        if name in factors:
            values, gone, unseen = _factor_codes(frame[name], factors[name], args.decimal)
            if 0 <= unseen < first[0]:
                factor = factors[name]
                known = ", ".join(repr(coding.level_label(v)) for v in factor.levels[:5])
                first = (unseen, lambda row, name=name, factor=factor, known=known: (
                    f"column {name!r} of {args.label!r} holds {frame[name].iloc[row]!r} at {where(row)}, a level the "
                    f"model was not fitted with (it knows {len(factor.levels)}: {known}"
                    f"{', ...' if len(factor.levels) > 5 else ''}); predict rows of the levels it knows, or fit it on "
                    "data that has this one"))
        else:
            values = frame[name].to_numpy(dtype=np.float64)
            gone = np.isnan(values)
        if args.na == "fail" and gone.any() and np.argmax(gone) < first[0]:
            first = (int(np.argmax(gone)), lambda row, name=name: (
                f"column {name!r} of {args.label!r}, an input of the model, is empty (or NA) at {where(row)}; "
                f"{NA_FIX}"))
        complete &= ~gone
        columns.append(values)
    if first[1] is not None:
        return None, None, first[1](first[0])
    out = np.full(len(frame), np.nan)
    if complete.any():
        values = np.column_stack(columns)[complete] if columns else np.empty((int(complete.sum()), 0))
        plan = {j: (len(factors[name].levels), None) for j, name in enumerate(sources) if name in factors}
        # (sparse by the model's indicator columns alone, as fit decides: a row's prediction is the same whatever
        # else the file holds, in memory or on Dask)
        if sum(len(f.names) for f in factors.values()) > SPARSE_COLUMNS:
            out[complete] = _sparse_predictions(model, coding.sparse_design(values, plan), np.flatnonzero(complete),
                                                where)
        else:
            design = pd.DataFrame(coding.design(values, plan), columns=model.columns[:-1], copy=False)
            out[complete] = predict(model, design)["V1"].to_numpy()
    return out, complete, None


def _sparse_predictions(model, X, rows, where):
    """The model's predictions of a sparse design (:func:`graddescent.sparse.predictions`: its
    rows' non-zeros, the centring a correction), with :func:`graddescent.predict`'s warning of
    an overflow (``rows``: the design's rows in the file, named by ``where``)."""
    predicted = sparse_data.predictions(model.model, model.scalingParameter if model.featureScaling else None, X)
    bad = np.flatnonzero(~np.isfinite(predicted))
    if np.all(np.isfinite(model.model)) and bad.size:
        warnings.warn(f"the prediction overflows to infinity for {bad.size} row(s) of newdata (the first at "
                      f"{where(rows[bad[0]])}): their inputs are far beyond the range of the training data",
                      RuntimeWarning, stacklevel=2)
    return predicted


def _factor_codes(cells, factor, decimal):
    """A categorical column's cells (text as read) as level numbers (float; NaN where the cell
    is empty or NA), where they are missing, and the first that holds a level the model does
    not know (-1 if none does)."""
    text = cells.to_numpy(dtype=object)
    gone = (cells.isna() | cells.isin(reading.NA_VALUES)).to_numpy()
    values = np.where(gone, None, text)
    first = len(text)
    if factor.numeric:  # (matched by value: a cell that is no number is a level the model does not know)
        bad = np.zeros(len(text), dtype=bool)
        bad[~gone] = reading._bad_cells(pd.Series(text[~gone], dtype=object), decimal).to_numpy()
        first = int(np.argmax(bad)) if bad.any() else first
        values = np.full(len(text), np.nan)
        fine = ~gone & ~bad
        if fine.any():
            values[fine] = reading._parse_floats(list(text[fine]), decimal)
        gone = gone | bad
    codes, unseen = factor.codes(values)
    first = min(first, unseen if unseen >= 0 else len(text))
    return np.where(gone, np.nan, codes.astype(np.float64)), gone, first if first < len(text) else -1


def _prediction_column(names, used, args):
    """The name of predict's new column (``prediction``, with ``_`` added while DATA has it),
    after a note on the columns of DATA that the model does not ``use``."""
    used = set(used)
    passed = [c for c in names if c not in used]
    if passed:
        shown = ", ".join("the row names" if c == "" else repr(c) for c in passed[:20])
        more = f" and {len(passed) - 20} more" if len(passed) > 20 else ""
        _note(f"the model does not use {len(passed)} column(s) of {args.label!r}: {shown}{more}; passed through to "
              "the output unchanged", args.quiet)
    name = "prediction"
    while name in names:
        name += "_"
    return name


def _predict_held(args, model, factors, layout, fmt):
    """``predict --dask``/``--scheduler``: the file a block at a time on the cluster, twice: to
    check it (its cells, its levels, and the unnamed columns that hold nothing, left out as in
    memory), then to write each block's rows with their predictions, in order, a few blocks in
    flight; the second pass checks that it reads what the first read."""
    import dask

    layout.path = os.path.abspath(layout.path)  # (the workers' current folders are not this one)
    source = reading.HeldFile(layout, label=args.label, doing="predicted", again="predict it again")
    found = dask.compute(*[dask.delayed(_held_block_facts)(source, i, model, factors, args)
                           for i in range(len(source))])
    problem = next((f[3] for f in found if f[3]), None)  # (the first block's: the first in the file)
    if problem:
        raise CLIError(problem)
    source.remember([f[0] for f in found])
    filled = set().union(*[f[1] for f in found])
    inputs = _sources(model, factors)
    drop = [n for n in layout.unnamed if n not in filled and n not in inputs]
    names = [n for n in layout.names if n not in drop]
    name = _prediction_column(names, inputs + [model.columns[-1]], args)
    rows, excluded = sum(f[0][0] for f in found), sum(f[2] for f in found)
    if excluded:
        shown = "an empty prediction" if args.na == "exclude" else "no row in the output"
        _note(f"{excluded} of {rows} rows of {args.label!r} have an empty cell in an input column: {shown} "
              f"(--na {args.na})", args.quiet)
    ahead = 2 * max(len(_client().scheduler_info()["workers"]), 1)

    def write(f):
        for lo in range(0, len(source), ahead):  # (at most `ahead` blocks' text held at once)
            texts = dask.compute(*[dask.delayed(_predict_block)(source, i, model, factors, args, drop, name, fmt,
                                                                i == 0)
                                   for i in range(lo, min(lo + ahead, len(source)))])
            for text in texts:
                f.write(text)

    if _to_file(args.output):
        _write_atomic(args.output, write)
    else:
        write(sys.stdout)
    return 0


def _held_block(source, i, model, factors, args):
    """Block ``i`` as read for predict (the numeric inputs as numbers, missing ones NaN), its
    (rows, CRC-32), and its rows' predictions and which rows have every input (the errors of
    :func:`_predictions`, a row named by its line)."""
    coded = {f.name for f in factors}
    frame, facts = source.table_block(i, [c for c in _sources(model, factors) if c not in coded], keep_missing=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predicted, complete, problem = _predictions(frame, model, factors, args,
                                                    lambda row: f"line {source.row_line(i, row)}")
    return frame, facts, predicted, complete, problem


def _held_block_facts(source, i, model, factors, args):
    """A block's (rows, CRC-32), the unnamed columns that hold something in it, its rows that
    lack an input, and its first row's problem (or None)."""
    frame, facts, _, complete, problem = _held_block(source, i, model, factors, args)
    layout = source.layout
    return (facts, {n for n in layout.unnamed if n in frame.columns and frame[n].ne("").any()},
            0 if problem else int(np.count_nonzero(~complete)), problem)


def _predict_block(source, i, model, factors, args, drop, name, fmt, header):
    """A block's rows, with their predictions, as CSV text (with the header line for the first block)."""
    frame, _, predicted, complete, _ = _held_block(source, i, model, factors, args)
    frame = frame.drop(columns=drop)
    if args.na == "drop":
        frame, predicted = frame[complete], predicted[complete]
    frame[name] = predicted
    return frame.to_csv(index=False, header=header, lineterminator="\n", sep=fmt.sep, decimal=fmt.decimal)


def command_explore(args):
    """``graddescent explore``: write the explorer's page, every path precomputed by the package.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`build_parser`.

    Returns
    -------
    int
        0 (the page written).
    """
    return _with_data(args, _command_explore)


def _command_explore(args):
    frame, label, _, remarks = _load_training_data(args, default=(example(), "the explorer's table of two correlated "
                                                                        "inputs"), sparse=False)
    coefficients = None if args.coefficients is None else [c.strip() for c in args.coefficients.split(",")]
    if coefficients is not None and len(coefficients) != 2:
        raise CLIError(f"--coefficients takes two names separated by a comma, got {args.coefficients!r}")
    scaling = SCALINGS[args.scaling]
    problem = Problem(frame, None if scaling is None else scaling.lower(), coefficients)
    _check_output(args.output if _to_file(args.output) else None, args.data)
    _say(remarks, args.quiet)
    settings = {"passes": args.passes, "seeds": args.seeds}
    if args.alphas:
        settings["alphas"] = args.alphas
    if args.momenta:
        settings["momenta"] = args.momenta
    from tqdm import tqdm
    with tqdm(desc="explore", unit="fit", file=sys.stderr, delay=PROGRESS_DELAY,
              disable=not progress_wanted(args.quiet), leave=False) as bar:
        def progress(done, total):
            bar.total = total
            bar.update(done - bar.n)

        text = explorer_page.page(problem, f"Gradient descent explored: {label}", progress=progress, **settings)
    if _to_file(args.output):
        _write_atomic(args.output, lambda f: f.write(text))
        _note(f"wrote {args.output!r} ({len(text.encode('utf-8')) / 1e6:.1f} MB); open it in a web browser", args.quiet)
    else:
        sys.stdout.write(text)
    return 0


def command_datasets(args):
    """``graddescent datasets``: list the bundled data sets, or write NAME as CSV.

    Parameters
    ----------
    args : argparse.Namespace
        From :func:`build_parser`.

    Returns
    -------
    int
        0.
    """
    if args.name is None:
        if args.output:
            raise CLIError("-o needs a data set NAME; run 'graddescent datasets' to list them")
        rows = []
        for name in datasets.list_datasets():
            frame = datasets.load(name)
            about = getattr(datasets, "_DATASETS", {}).get(name, "")
            rows.append([name, f"{frame.shape[0]} x {frame.shape[1]}", about])
        print("\n".join(line.rstrip() for line in _table(["name", "rows x columns", "description"], rows, "lrl")))
        print("\nWrite one with: graddescent datasets NAME -o NAME.csv (the last column is the target)")
        return 0
    frame = datasets.load(args.name)
    if _to_file(args.output):
        _check_output(args.output)
        _write_atomic(args.output, lambda f: frame.to_csv(f, index=False, lineterminator="\n"))
    else:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
