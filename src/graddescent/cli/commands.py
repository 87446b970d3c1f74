"""The five commands: ``fit``, ``compare``, ``predict``, ``explore`` and ``datasets``."""

import math
import os
import sys
import warnings

from .. import chunked, datasets, reading
from ..catalog import METHODS
from ..explorer import page as explorer_page
from ..explorer.problem import Problem, example
from ..modelfile import read_model, write_model
from ..toplevel import predict
from ..writing import check_output as _check_output
from ..writing import write_atomic as _write_atomic
from .cluster import _check_cluster_options, _client, _cluster, _held
from .figures import _compare_figure, _fit_figure, _save_figure
from .fitting import CONTROL_OPTIONS, _control, _fit, _remedy, in_option_names, r_iterations
from .inputs import STDIN, _csv_format, _load_training_data, _split, _standard_input, _to_file
from .options import SCALINGS
from .messages import EXIT_DIVERGED, CLIError, _note, _report_warnings
from .quality import _coefficients, _gap, _least_squares, _r2, _rmse, _square
from .report import PROGRESS_DELAY, _compare_table, _fit_table, _json, _table, _with_elapsed_bar, progress_wanted

NOT_CONVERGED = 0.01  # a fit of R's fixed iterations 1% above the least-squares fit's training MSE: said so


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
    frame, label = _load_training_data(args)
    train, test = _split(frame, args)
    control, tol = _control(args, train.shape[0], args.method, args.variant)
    given = {entry for option, entry in CONTROL_OPTIONS.items() if getattr(args, option) is not None}
    takes = (*METHODS[args.method].control, *METHODS[args.method].constants)
    unused = [f"--{o.replace('_', '-')}" for o, e in CONTROL_OPTIONS.items() if e in given and e not in takes]
    if unused and not args.quiet:
        print(f"graddescent: note: {args.method} does not use {', '.join(unused)}; ignored", file=sys.stderr)
    _check_output(args.model_out if _to_file(args.model_out) else None, args.data)
    _check_output(args.plot, args.data)
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
        write_model(model, args.model_out if _to_file(args.model_out) else sys.stdout, args.seed, tol)
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
    frame, label = _load_training_data(args)
    train, test = _split(frame, args)
    _control(args, train.shape[0], "GD")  # (checks the options once)
    fits = _compare_fits(args)
    _check_output(args.plot, args.data)
    show = progress_wanted(args.quiet)
    results, curves, models = [], {}, []
    from tqdm import tqdm
    for method, variant in tqdm(fits, desc="compare", unit="fit", file=sys.stderr, delay=PROGRESS_DELAY,
                                disable=not show, leave=False):
        control, tol = _control(args, train.shape[0], method, variant)
        variant = control.get("variant", "R")  # (each method's estimator's where --variant is not given)
        name = method if variant == "R" else f"{method} ({variant})"
        model, seconds, fit = _fit(train, method, args, control, tol)
        if fit.diverged and not args.quiet:
            print(f"graddescent: warning: {name} diverged; {_remedy(fit)}", file=sys.stderr)
        curves[name] = (model.loss, fit)
        results.append({"method": method, "variant": variant, "name": name, "train_rmse": _rmse(model, train),
                        "test_rmse": None if test is None else _rmse(model, test),
                        "gap_to_least_squares": None, "alpha": fit.alpha, "tol": tol,
                        "certified_error": fit.error, "n_iter": fit.n_iter, "passes": fit.passes,
                        "converged": fit.converged, "diverged": fit.diverged, "time_seconds": seconds})
        models.append(model)
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
               "least_squares_train_rmse": math.sqrt(optimum), "sorted_by": key, "results": results,
               "plot": args.plot}
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
    model = read_model(sys.stdin.buffer if args.model == STDIN else args.model)
    fmt = _csv_format(args)
    layout = reading.inspect_csv(args.data, fmt, label=args.label)
    inputs = model.columns[:-1]
    present = set(layout.columns)
    missing = [c for c in inputs if c not in present]
    if missing:
        raise CLIError(f"{args.label!r} lacks the input column(s) {missing} that the model needs "
                       f"(the model's inputs: {', '.join(inputs)})")
    _check_output(args.output if _to_file(args.output) else None, args.data,
                  args.model if args.model != STDIN else None)
    if _held(args):
        if args.persist:
            raise CLIError("--persist keeps a file read for many passes; predict reads it twice, once to check it "
                           "and once to write: leave --persist out")
        with _cluster(args):
            return _predict_held(args, model, layout, fmt)
    frame = reading.read_table(layout, inputs, label=args.label)
    name = _prediction_column(list(frame.columns), model, args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame[name] = predict(model, frame[list(inputs)])["V1"].to_numpy()
    _report_warnings(caught, False)

    def write(f):
        frame.to_csv(f, index=False, lineterminator="\n", sep=fmt.sep, decimal=fmt.decimal)

    if _to_file(args.output):
        _write_atomic(args.output, write)
    else:
        write(sys.stdout)
    return 0


def _prediction_column(names, model, args):
    """The name of predict's new column (``prediction``, with ``_`` added while DATA has it),
    after a note on the columns of DATA that the model does not use."""
    used = set(model.columns)
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


def _predict_held(args, model, layout, fmt):
    """``predict --dask``/``--scheduler``: the file a block at a time on the cluster, twice: to
    check it (and find the unnamed columns that hold nothing, left out as in memory), then
    to write each block's rows with their predictions, in order, a few blocks in flight; the
    second pass checks that it reads what the first read."""
    import dask

    inputs = list(model.columns[:-1])
    layout.path = os.path.abspath(layout.path)  # (the workers' current folders are not this one)
    source = reading.HeldFile(layout, label=args.label, doing="predicted", again="predict it again")
    found = dask.compute(*[dask.delayed(_held_block_facts)(source, i, inputs) for i in range(len(source))])
    source.remember([f[0] for f in found])
    filled = set().union(*[f[1] for f in found])
    drop = [n for n in layout.unnamed if n not in filled and n not in inputs]
    names = [n for n in layout.names if n not in drop]
    name = _prediction_column(names, model, args)
    ahead = 2 * max(len(_client().scheduler_info()["workers"]), 1)

    def write(f):
        for lo in range(0, len(source), ahead):  # (at most `ahead` blocks' text held at once)
            texts = dask.compute(*[dask.delayed(_predict_block)(source, i, model, drop, name, fmt, i == 0)
                                   for i in range(lo, min(lo + ahead, len(source)))])
            for text in texts:
                f.write(text)

    if _to_file(args.output):
        _write_atomic(args.output, write)
    else:
        write(sys.stdout)
    return 0


def _held_block_facts(source, i, inputs):
    """A block's (rows, CRC-32) and the unnamed columns that hold something in it (and its errors)."""
    frame, facts = source.table_block(i, inputs)
    layout = source.layout
    return facts, {n for n in layout.unnamed if n in frame.columns and frame[n].ne("").any()}


def _predict_block(source, i, model, drop, name, fmt, header):
    """A block's rows, with their predictions, as CSV text (with the header line for the first block)."""
    frame = source.table_block(i, list(model.columns[:-1]))[0].drop(columns=drop)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame[name] = predict(model, frame[list(model.columns[:-1])])["V1"].to_numpy() if len(frame) else []
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
    frame, label = _load_training_data(args, default=(example(), "the explorer's table of two correlated inputs"))
    coefficients = None if args.coefficients is None else [c.strip() for c in args.coefficients.split(",")]
    if coefficients is not None and len(coefficients) != 2:
        raise CLIError(f"--coefficients takes two names separated by a comma, got {args.coefficients!r}")
    scaling = SCALINGS[args.scaling]
    problem = Problem(frame, None if scaling is None else scaling.lower(), coefficients)
    _check_output(args.output if _to_file(args.output) else None, args.data)
    settings = {"passes": args.passes, "seeds": args.seeds}
    if args.alphas:
        settings["alphas"] = args.alphas
    if args.momenta:
        settings["momenta"] = args.momenta
    from tqdm import tqdm
    with tqdm(desc="explore", unit="fit", file=sys.stderr, delay=PROGRESS_DELAY, disable=not progress_wanted(args.quiet),
              leave=False) as bar:
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
