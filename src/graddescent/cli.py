"""The ``graddescent`` command: fit, predict and compare on CSV files, with no Python to write.

Commands (``graddescent COMMAND --help`` for the options)::

    graddescent fit DATA.csv [--target COL] [--method GD] [--variant R] [control options] [--seed S]
                    [--scaling variance|minmax|none] [--test-rate R | --train-rate R]
                    [--model-out MODEL.json] [--plot LOSS.png] [--json] [--quiet]
                    [reading options] [--columns COLS | --drop COLS] [--dropna]
    graddescent predict MODEL.json DATA.csv [-o OUT.csv] [--quiet] [reading options]
    graddescent compare [DATA.csv] [--methods M1,M2,...] [--variant R,textbook,...] [--plot CURVES.png]
                        [the fit options]
    graddescent datasets [NAME [-o OUT.csv]]

    reading options: [--sep CHAR] [--decimal CHAR] [--header | --no-header] [--index-col COL]

``fit`` runs :func:`graddescent.learn` exactly as ``gradDescentR.learn(dataSet,
featureScaling, scalingMethod, learningMethod, control, seed)`` with the target column
moved last. ``--test-rate R`` holds out the fraction R of the rows for testing: it is
R's ``splitData(dataSet, dataTrainRate = 1 - R, seed)``; ``--train-rate R`` passes R as
``dataTrainRate`` itself. ``--variant textbook`` (``amsgrad`` for ADAM) fits the
published rule where the method's R rule departs from it (``graddescent.methods.VARIANTS``);
``compare --variant R,textbook`` fits each method in each listed variant it has. ``fit``
takes no seed unless given (``--seed``); ``compare`` uses seed 1 unless given, so that its
table is the same at every run. Times are the wall time of each fit. Ctrl-C stops a fit within milliseconds (exit status 130).

Reading DATA.csv (``graddescent.reading``): a header line, fields separated by commas,
numbers with a decimal point, unless ``--sep``, ``--decimal``, ``--no-header`` say otherwise.
Row names as R's ``write.csv``/``write.table`` and pandas' ``to_csv`` write them are left out
of the data (``--index-col`` names such a column), empty unnamed columns are dropped, and
``--columns``, ``--drop``, ``--dropna`` choose the columns and rows that ``fit`` and
``compare`` use. What this does is said in notes on stderr (``--quiet`` silences them).

Errors in the input (files, columns, option values, model files) end the command with
exit status 2 and one line on stderr, ``graddescent: error: ...``. Input files are never
modified; outputs appear whole or not at all, whatever stops the command
(``graddescent.writing``).

The model file (``--model-out``) is described in ``graddescent.modelfile``.

``predict`` matches the data's columns to the model's by name, in any order. Every input
column must be present; the target column may be present (its values are ignored and
kept in the output, so they may be empty) or absent; any other column (an ID, row names)
is passed through to the output unchanged, as the note on stderr says. The output is the
data's columns plus ``prediction``, written with the data's separator and decimal mark.
"""

import argparse
import contextlib
import json
import math
import os
import re
import sys
import threading
import time
import warnings

import numpy as np
import pandas as pd

from . import __version__, chunked, datasets, reading
from .convergence import PATIENCE
from .methods import BY_ROW, CONSTANTS, VARIANTS
from .modelfile import model_from_dict, model_to_dict, read_model, write_model
from .toplevel import _BLOCK, CONTROL_DEFAULTS, METHOD_CONTROL, METHODS, RMSE, fit_learn, predict, predictions
from .toplevel import splitData
from .validation import MAX_ITER, MAX_STEPS
from .writing import check_output as _check_output
from .writing import write_atomic as _write_atomic

__all__ = ["main", "build_parser", "read_model", "write_model", "model_to_dict", "model_from_dict"]

EXIT_ERROR = 2
EXIT_DIVERGED = 1  # the fit diverged: no model written
NOT_CONVERGED = 0.01  # a fit 1% above the least-squares fit's training MSE has not converged
PROGRESS_DELAY = 1.0  # seconds a fit runs before its progress bar appears
_GRAM_COLUMNS = 2000  # beyond: the least-squares reference by the SVD of the design
COMPARE_SEED = 1
COMPARE_TOL = 1e-4
CONVERGE_PASSES = 1000  # --max-iter's default with --tol, in passes over the data (the estimators' max_iter)
SCALINGS = {"variance": "VARIANCE", "minmax": "MINMAX", "none": None}
SCHEDULER_TIMEOUT = 10  # seconds --scheduler waits for the scheduler to answer
PLOT_FORMATS = (".png", ".svg", ".pdf")
SEED_RANGE = (-(2**31 - 1), 2**31 - 1)  # R's integers, as set.seed takes
SEPARATOR_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}
# command-line option -> R's control entry
CONTROL_OPTIONS = {"alpha": "alpha", "max_iter": "maxIter", "momentum": "momentum", "n_batch": "nBatch",
                   "inner_iter": "innerIter", "option": "option", "lamda": "lamda", "gamma_s": "gammaS",
                   "beta1": "beta1", "beta2": "beta2", "epsilon": "epsilon"}
ALL_VARIANTS = ("R", "textbook", "amsgrad")
# R's names in the library's messages -> the options a command-line user types
_MESSAGE_NAMES = {"featureScaling=False": "--scaling none",
                  "(featureScaling=True / varianceScaling)": "(--scaling variance)",
                  "smaller alpha": "smaller --alpha", "lamda=0": "--lamda 0", "larger innerIter": "larger --inner-iter",
                  "change lamda or alpha": "change --lamda or --alpha", "smaller lamda": "smaller --lamda",
                  "smaller maxIter or innerIter": "smaller --max-iter or --inner-iter"}


class CLIError(Exception):
    """A user error: the message (one line) says what is wrong and what to do."""


# --------------------------------------------------------------------------- entry point

def main(argv=None):
    """Run the ``graddescent`` command.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status: 0 on success, 2 on a usage or input error (reported as one
        line on stderr), 130 when interrupted.
    """
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():  # (a row longer than the header is reported as an error, in one line)
            warnings.filterwarnings("ignore", category=pd.errors.ParserWarning)
            return args.run(args) or 0
    except KeyboardInterrupt:
        print("graddescent: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `graddescent predict ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except MemoryError:
        return _fail("not enough memory for this fit; use a smaller --max-iter or --inner-iter")
    except (CLIError, ValueError, OSError, UnicodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return _fail(_message(exc))


def _fail(message):
    print(f"graddescent: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _message(exc):
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"cannot use {exc.filename!r}: {exc.strerror}"
    text = str(exc) or type(exc).__name__
    for r_name, option in _MESSAGE_NAMES.items():
        text = text.replace(r_name, option)
    text = re.sub(r"\bvariant='(\w+)'", r"--variant \1", text)
    return " ".join(text.split())


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line (exit status 2) pointing to --help."""

    def error(self, message):
        self.exit(EXIT_ERROR, f"graddescent: error: {message} (see '{self.prog} --help')\n")


# --------------------------------------------------------------------------- option values

def _number(low=None, high=None, low_open=False, high_open=False):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and (value >= high if high_open else value > high)
        if not math.isfinite(value) or too_low or too_high:
            lo = "" if low is None else ("(" if low_open else "[") + f"{low:g}, "
            hi = "inf)" if high is None else f"{high:g}" + (")" if high_open else "]")
            raise argparse.ArgumentTypeError(f"must be a finite number in {lo or '(-inf, '}{hi}, got {text!r}")
        return value
    return parse


def _whole(low=None, high=None, span=None):
    """A whole number, parsed exactly (not through a double); ``span`` names a range checked as a whole."""
    def parse(text):
        try:
            whole = int(text.strip())
        except ValueError:
            try:
                value = float(text)
                whole = int(value) if math.isfinite(value) and value == int(value) else None
            except ValueError:
                whole = None
        if whole is not None and span is not None and not low <= whole <= high:
            raise argparse.ArgumentTypeError(f"must be in {span} {low}..{high}, got {text!r}")
        if whole is not None and high is not None and whole > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}, got {text!r}")
        if whole is None or (low is not None and whole < low):
            bound = "" if low is None or span is not None else f" >= {low}"
            raise argparse.ArgumentTypeError(f"must be a whole number{bound}, got {text!r}")
        return whole
    return parse


def _character(what, names=None):
    def parse(text):
        value = (names or {}).get(text.lower(), text)
        if len(value) != 1 or value in "\"\r\n":
            raise argparse.ArgumentTypeError(f"must be one character ({what}), got {text!r}")
        return value
    return parse


def _method(text):
    by_upper = {name.upper(): name for name in METHODS}
    if text.upper() not in by_upper:
        raise argparse.ArgumentTypeError(f"unknown method {text!r}; choose one of {', '.join(METHODS)}")
    return by_upper[text.upper()]


def _variant(text):
    by_lower = {name.lower(): name for name in ALL_VARIANTS}
    if text.lower() not in by_lower:
        raise argparse.ArgumentTypeError(f"unknown variant {text!r}; choose {', '.join(ALL_VARIANTS)} (which a method "
                                         "has: graddescent.methods.VARIANTS)")
    return by_lower[text.lower()]


def _variants(text):
    names = [_variant(part.strip()) for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected variant names separated by commas, got {text!r}")
    return list(dict.fromkeys(names))


def _methods(text):
    names = [_method(part.strip()) for part in text.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected method names separated by commas, got {text!r}")
    return list(dict.fromkeys(names))


def _scaling(text):
    if text.lower() not in SCALINGS:
        raise argparse.ArgumentTypeError(f"must be variance, minmax or none, got {text!r}")
    return text.lower()


def _alpha(text):
    if text.lower() == "auto":
        return "auto"
    return _number(0, low_open=True)(text)


def _tol(text):
    if text.lower() == "none":
        return None
    return _number(0)(text)


def _plot_path(text):
    if os.path.splitext(text)[1].lower() not in PLOT_FORMATS:
        raise argparse.ArgumentTypeError(f"cannot tell the image format of {text!r}; "
                                         f"end the name with {', '.join(PLOT_FORMATS)}")
    return text


# --------------------------------------------------------------------------- parser

def build_parser():
    """The argument parser of the ``graddescent`` command, with its four subcommands.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = _Parser(prog="graddescent", description="Linear regression by gradient descent on CSV files "
                     "(a port of R's gradDescent 3.0).")
    parser.add_argument("--version", action="version", version=f"graddescent {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    fit = commands.add_parser("fit", help="fit a linear model to a CSV file and report how good it is",
                              description="Fit a linear model to DATA.csv as gradDescentR.learn does; print "
                              "the coefficients, RMSE, iterations and time, and the gap to least squares (the "
                              "training MSE above the least-squares fit's, relative to it: +0.00% where rounding "
                              "puts it below, as no fit is below least squares).")
    fit.add_argument("data", metavar="DATA.csv", help="comma-separated, a header line, numbers (see the "
                     "reading options)")
    fit.add_argument("--method", type=_method, default="GD", help="learning method (default GD): "
                     + ", ".join(METHODS))
    fit.add_argument("--variant", type=_variant, default="R", help="the rule: R (default; R's numbers), or the "
                     "published one, textbook (ADAGRAD, ADADELTA, RMSPROP, ADAM, AGD, SAGD, SSGD, SVRG, SARAHPlus) or "
                     "amsgrad (ADAM)")
    _add_fit_options(fit, seed_default=None, tol_default=None)
    _add_reading_options(fit, choosing=True)
    _add_cluster_options(fit)
    fit.add_argument("--model-out", metavar="MODEL.json", help="write the fitted model (JSON) for 'predict'")
    fit.add_argument("--plot", metavar="LOSS.png", type=_plot_path,
                     help="draw the loss record, beside the least-squares MSE over all rows (a single-row method "
                     "records the squared residuals of the rows it draws: its final MSE over all rows is drawn too)")
    fit.set_defaults(run=command_fit)

    pred = commands.add_parser("predict", help="predict the rows of a CSV file with a saved model",
                               description="Predict DATA.csv with MODEL.json (from 'fit --model-out'). Columns "
                               "are matched by name; the target column may be absent; other columns are passed "
                               "through. Writes DATA's columns plus 'prediction'.")
    pred.add_argument("model", metavar="MODEL.json")
    pred.add_argument("data", metavar="DATA.csv")
    pred.add_argument("-o", "--output", metavar="OUT.csv", help="write here instead of to stdout")
    pred.add_argument("--quiet", action="store_true", help="no notes on stderr")
    _add_cluster_options(pred)
    _add_reading_options(pred, choosing=False)
    pred.set_defaults(run=command_predict)

    comp = commands.add_parser("compare", help="fit every method with the same settings and rank them",
                               description="Fit each method on DATA.csv (default: the bundled CO2 "
                               "compressibility data) to the same tolerance (--tol, default "
                               f"{COMPARE_TOL:g}; --tol none: R's fixed iterations); print a table sorted by test "
                               "(else train) RMSE, with the passes over the data, the time, the gap to the "
                               "least-squares fit (the training MSE above its MSE, relative to it: +0.00% where "
                               "rounding puts it below, as no fit is below least squares) and whether each "
                               "converged. The seed is 1 unless --seed is given.")
    comp.add_argument("data", metavar="DATA.csv", nargs="?", help="default: the bundled co2_compressibility")
    comp.add_argument("--methods", type=_methods, help="comma-separated methods (default all 14, or with --variant "
                      "those that have one of its variants)")
    comp.add_argument("--variant", type=_variants, default=["R"], metavar="VARIANTS",
                      help="comma-separated rules, e.g. R,textbook: each method is fitted in each listed variant it "
                      "has (default R)")
    _add_fit_options(comp, seed_default=COMPARE_SEED, tol_default=COMPARE_TOL)
    _add_reading_options(comp, choosing=True)
    comp.add_argument("--plot", metavar="CURVES.png", type=_plot_path,
                      help="draw all loss records on one figure, beside the least-squares MSE over all rows")
    comp.set_defaults(run=command_compare)

    data = commands.add_parser("datasets", help="list the bundled data sets, or write one as CSV",
                               description="List the bundled data sets, or write NAME as CSV.")
    data.add_argument("name", metavar="NAME", nargs="?")
    data.add_argument("-o", "--output", metavar="OUT.csv", help="write here instead of to stdout")
    data.set_defaults(run=command_datasets)
    return parser


def _add_fit_options(parser, seed_default, tol_default):
    d = CONTROL_DEFAULTS
    parser.add_argument("--target", metavar="COL", help="the column to predict (default: the last)")
    group = parser.add_argument_group("learning options (R's control; each method uses its own)")
    group.add_argument("--alpha", type=_alpha, help=f"learning rate, or 'auto': derived from the data "
                       f"(default {d['alpha']}; with --tol, auto)")
    group.add_argument("--max-iter", type=_whole(1, MAX_ITER), help=f"iterations, R's maxIter (default {d['maxIter']}; "
                       f"with --tol, the iterations of {CONVERGE_PASSES} passes over the data)")
    group.add_argument("--momentum", type=_number(0, 1, high_open=True), help=f"in [0, 1) (default {d['momentum']})")
    group.add_argument("--n-batch", type=_whole(1), help=f"batches, MBGD (default {d['nBatch']})")
    group.add_argument("--inner-iter", type=_whole(1, MAX_ITER),
                       help=f"inner iterations, SVRG/SSGD/SARAH/SARAHPlus (default {d['innerIter']}; with --tol, "
                       "the number of training rows)")
    group.add_argument("--option", type=int, choices=(1, 2), help=f"SVRG's option (default {d['option']})")
    group.add_argument("--lamda", type=_number(0), help=f"SSGD's lamda, >= 0 (default {d['lamda']})")
    group.add_argument("--gamma-s", type=_number(0, low_open=True), help=f"SARAHPlus's gammaS (default {d['gammaS']})")
    published = parser.add_argument_group("the published rules' constants (beyond R; with --variant textbook or "
                                          "amsgrad; torch.optim's defaults)")
    published.add_argument("--beta1", type=_number(0, 1, high_open=True), help="ADAM's first-moment decay (0.9)")
    published.add_argument("--beta2", type=_number(0, 1, high_open=True), help="ADAM's second-moment decay (0.999)")
    published.add_argument("--epsilon", type=_number(0, low_open=True), help="ADAGRAD's (1e-10), ADADELTA's (1e-6), "
                           "RMSPROP's and ADAM's (1e-8) epsilon")
    rule = parser.add_argument_group("the stopping rule (beyond R)")
    rule.add_argument("--tol", type=_tol, default=tol_default, metavar="TOL",
                      help="stop once --n-iter-no-change passes over the data stall, a pass stalling where what is "
                      "left to gain at the rate the loss falls is at most TOL times it; 'none': R's fixed "
                      f"iterations (default {tol_default or 'none'}). With a TOL, the defaults of --alpha, "
                      "--max-iter, --inner-iter and --momentum are those of the scikit-learn estimators")
    rule.add_argument("--n-iter-no-change", type=_whole(1), default=PATIENCE, metavar="N",
                      help=f"passes that must stall in a row (default {PATIENCE})")
    parser.add_argument("--seed", type=_whole(*SEED_RANGE, span="R's integer range"), default=seed_default,
                        help="R's seed" + (" (default: none)" if seed_default is None
                                           else f" (default {seed_default})"))
    parser.add_argument("--scaling", type=_scaling, default="variance",
                        help="feature scaling: variance (default), minmax or none")
    split = parser.add_mutually_exclusive_group()
    split.add_argument("--test-rate", type=_number(0, 1, True, True), metavar="R",
                       help="hold out this fraction of the rows for testing (R's splitData, dataTrainRate = 1 - R)")
    split.add_argument("--train-rate", type=_number(0, 1, True, True), metavar="R",
                       help="train on this fraction of the rows (R's splitData dataTrainRate), test on the rest")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no warnings or notes on stderr")


def _add_cluster_options(parser):
    group = parser.add_argument_group("files larger than memory (beyond R; the optional extra 'dask')")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--dask", action="store_true", help="read DATA.csv a block at a time on every pass, in a "
                       "cluster of processes on this machine (one per core, or --workers): memory bounded by the "
                       "blocks, not the file; the same numbers as in memory")
    where.add_argument("--scheduler", metavar="ADDRESS", help="the same on an existing Dask cluster (its workers "
                       "read DATA.csv at the same path), e.g. tcp://10.0.0.5:8786")
    group.add_argument("--workers", type=_whole(1, 1024), metavar="N", help="--dask's worker processes (default: "
                       "one per core)")
    group.add_argument("--persist", action="store_true", help="with --dask or --scheduler, keep the numbers read in "
                       "the workers' memory after the first pass (faster passes, memory for the numbers)")


def _add_reading_options(parser, choosing):
    group = parser.add_argument_group("reading DATA.csv")
    group.add_argument("--sep", type=_character("the field separator; 'tab' for a tab", SEPARATOR_NAMES),
                       default=",", metavar="CHAR", help="field separator (default ','; 'tab' for tabs)")
    group.add_argument("--decimal", type=_character("the decimal mark"), default=".", metavar="CHAR",
                       help="decimal mark (default '.'; ',' for decimal commas, with --sep ';')")
    group.add_argument("--header", action=argparse.BooleanOptionalAction, default=None,
                       help="whether the first line names the columns (default: it does, and a first line of "
                       "numbers is refused); with --no-header the columns are named V1, V2, ... as in R")
    group.add_argument("--index-col", metavar="COL", help="a column of row labels, left out of the inputs "
                       "(row names as R's write.csv and pandas' to_csv write them are found without it)")
    if choosing:
        which = group.add_mutually_exclusive_group()
        which.add_argument("--columns", metavar="COLS", action="append",
                           help="use only these columns (comma-separated, in this order; the target is the last "
                           "unless --target); may be repeated")
        which.add_argument("--drop", metavar="COLS", action="append",
                           help="leave these columns out (comma-separated); may be repeated")
        group.add_argument("--dropna", action="store_true",
                           help="drop the rows with a missing value in the columns used (saying how many)")


# --------------------------------------------------------------------------- reading data

def _csv_format(args):
    """The reading options as a :class:`reading.CSVFormat`."""
    if args.sep == args.decimal:
        raise CLIError(f"--sep and --decimal are both {args.sep!r}; a decimal comma needs another separator, "
                       "e.g. --sep ';' --decimal ','")
    return reading.CSVFormat(sep=args.sep, decimal=args.decimal, header=args.header, index_col=args.index_col)


def _note(text, quiet):
    if not quiet:
        print(f"graddescent: note: {text}", file=sys.stderr)


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


def _load_training_data(args):
    """The data of ``fit``/``compare``: the chosen columns as float64, the target last; and how to call them."""
    columns, drop = getattr(args, "columns", None), getattr(args, "drop", None)
    if args.data is None:
        defaults = {"--sep": (args.sep, ","), "--decimal": (args.decimal, "."), "--header": (args.header, None),
                    "--index-col": (args.index_col, None)}
        given = [option for option, (value, default) in defaults.items() if value != default]
        if given:
            raise CLIError(f"{', '.join(given)} read DATA.csv; give the file, or leave them out for the bundled data")
        frame, label = datasets.load("co2_compressibility"), "co2_compressibility (bundled)"
        names = [str(c) for c in frame.columns]
        chosen = reading.choose_columns(names, label=label, columns=_column_list(columns, names),
                                        drop=_column_list(drop, names), target=args.target)
        return frame[chosen].astype(np.float64), label
    fmt = _csv_format(args)
    layout = reading.inspect_csv(args.data, fmt)
    names = layout.columns
    chosen = reading.choose_columns(names, label=args.data, columns=_column_list(columns, names),
                                    drop=_column_list(drop, names), target=args.target, index=layout.index,
                                    unnamed=layout.unnamed)
    if _held(args):  # read a block at a time, where Dask runs it, on every pass (checked here: one pass)
        for text in layout.notes:
            _note(text, args.quiet)
        layout.path = os.path.abspath(layout.path)  # (the workers' current folders are not this one)
        array = reading.held_numbers(layout, chosen, dropna=args.dropna, label=args.data)
        if args.persist:  # (read into the workers' memory by the checking pass)
            array = _client().persist(array)
        try:
            held = chunked.as_chunks(array, name=repr(args.data), columns=chosen)
        except chunked.NonFiniteError as exc:  # (worded as reading.read_numbers words it)
            if math.isinf(exc.value):
                raise reading.DataFileError(f"{args.data!r} has {exc.count} missing or infinite cell(s); the first, "
                                            f"infinite (or a number beyond 1.8e308), is in column {exc.column!r} at "
                                            f"data row {exc.row + 1}; fix them or drop those rows") from None
            raise reading.DataFileError(f"{args.data!r} has {exc.count} empty, NaN or missing cell(s); the first is "
                                        f"in column {exc.column!r} at data row {exc.row + 1}; fill them, or drop "
                                        "those rows with --dropna") from None
        return held, args.data
    frame, notes = reading.read_numbers(layout, chosen, dropna=args.dropna, label=args.data)
    for text in layout.notes + notes:
        _note(text, args.quiet)
    return frame, args.data


def _held(args):
    """Whether the command reads its file a block at a time on a Dask cluster."""
    return bool(getattr(args, "dask", False) or getattr(args, "scheduler", None))


def _client():
    import distributed

    return distributed.get_client()


@contextlib.contextmanager
def _cluster(args):
    """The Dask cluster of ``--dask`` (processes on this machine) or ``--scheduler`` (an
    existing one) while the command runs, as Dask's current scheduler; nothing otherwise."""
    if not _held(args):
        yield None
        return
    try:
        import distributed
    except ImportError:
        raise CLIError(f"--dask and --scheduler need the optional extra 'dask': {chunked.EXTRA}") from None
    import logging

    if args.scheduler:
        try:
            client = distributed.Client(args.scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise CLIError(f"no Dask scheduler answered at {args.scheduler!r} within {SCHEDULER_TIMEOUT} s "
                           f"({_message(exc).splitlines()[0][:120]}); start one ('dask scheduler'), check the "
                           "address, or use --dask for a cluster on this machine") from None
        with client:
            yield client
        return
    workers = args.workers or reading._workers_all()
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.CRITICAL) as cluster, distributed.Client(cluster) as client:
        yield client


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


def _control(args, rows, method, variant="R"):
    """The control entries given on the command line for this method (learn fills in R's
    defaults) and the variant; with --tol, those not given are the scikit-learn estimators'
    defaults. The published rules' constants go to the published rules only where the
    command fits several variants (compare)."""
    control = {entry: getattr(args, option) for option, entry in CONTROL_OPTIONS.items()
               if getattr(args, option) is not None}
    if variant != "R":
        control["variant"] = variant
    elif not isinstance(args.variant, str):  # (compare)
        control = {k: v for k, v in control.items() if k not in CONSTANTS["ADAM"]}
    if control.get("nBatch", 1) > rows:
        raise CLIError(f"--n-batch {control['nBatch']} is more than the {rows} training rows; use at most {rows}")
    if args.tol is not None:
        control.setdefault("alpha", "auto")
        control.setdefault("innerIter", rows)
        per_pass = rows if method in BY_ROW else control.get("nBatch", CONTROL_DEFAULTS["nBatch"]) if (
            method == "MBGD") else 1
        control.setdefault("maxIter", min(CONVERGE_PASSES * per_pass, MAX_STEPS if method in BY_ROW else MAX_ITER))
        if method in ("RMSPROP", "ADADELTA"):
            control.setdefault("momentum", 0.999)  # (see GradDescentRegressor's momentum)
    return control


# --------------------------------------------------------------------------- fitting

def progress_wanted(quiet, stream=None):
    """Whether to show progress bars: not ``--quiet`` and the stream (default stderr) is a terminal.

    Parameters
    ----------
    quiet : bool
    stream : file-like, optional

    Returns
    -------
    bool
    """
    stream = sys.stderr if stream is None else stream
    try:
        return not quiet and stream.isatty()
    except (AttributeError, ValueError):
        return False


def _fit(train, method, args, control):
    """``learn`` with the command's settings: (object, seconds, what happened: a Fit)."""
    scaling = SCALINGS[args.scaling]
    start = time.perf_counter()
    averaged = method in BY_ROW or method == "MBGD"  # with --tol and the step auto, as the estimators do
    result, fit = fit_learn(train, featureScaling=scaling is not None, scalingMethod=scaling or "VARIANCE",
                            learningMethod=method, control=control, seed=args.seed, tol=args.tol,
                            n_iter_no_change=args.n_iter_no_change,
                            average=True if averaged and args.tol is not None and control.get("alpha") == "auto"
                            else None)
    return result, time.perf_counter() - start, fit


def _least_squares_mse(part):
    """The training MSE of the least-squares fit of the target on ``[1 | inputs]``, in original
    units: the normal equations of the centred columns, equilibrated and solved by SVD (the
    few-by-few system), then the residuals summed; a block of rows at a time, no copy of the
    data. (Accurate for the report: the MSE is first-order insensitive to the solution's error.)"""
    if isinstance(part, chunked.Chunks):
        return _held_report(None, part)[1]
    values = part.to_numpy(dtype=np.float64)
    X, y = values[:, :-1], values[:, -1]
    k = X.shape[1]
    if k >= X.shape[0] or k > _GRAM_COLUMNS:  # (a wide table: the SVD of the design itself is smaller)
        return _least_squares_mse_wide(X, y)
    with np.errstate(all="ignore"):  # (beyond double's range: nan or inf, said as such)
        centre, middle = X.mean(axis=0), y.mean()
        gram, moment = np.zeros((k, k)), np.zeros(k)
        for lo in range(0, X.shape[0], _BLOCK):
            block = X[lo:lo + _BLOCK] - centre
            gram += block.T @ block
            moment += block.T @ (y[lo:lo + _BLOCK] - middle)
        theta = _centred_least_squares(gram, moment)
        if theta is None:
            return math.nan
        total = 0.0
        for lo in range(0, X.shape[0], _BLOCK):
            residual = (X[lo:lo + _BLOCK] - centre) @ theta - (y[lo:lo + _BLOCK] - middle)
            total += float(residual @ residual)
        return total / X.shape[0]


def _centred_least_squares(gram, moment):
    """The coefficients solving the centred normal equations ``gram theta = moment``,
    equilibrated and solved by SVD; None where they are not finite or the SVD fails."""
    if not (np.all(np.isfinite(gram)) and np.all(np.isfinite(moment))):
        return None
    size = np.sqrt(np.diag(gram))
    size[size == 0] = 1.0
    try:
        return np.linalg.lstsq(gram / size / size[:, None], moment / size, rcond=None)[0] / size
    except np.linalg.LinAlgError:  # (an SVD that does not converge on such data)
        return None


def _held_report(model, held):
    """The training MSE of the command's model and of the least-squares fit, for data held by
    Dask: one pass for both (kept on ``held``: the least-squares MSE is asked for without the
    model). The latter from the centred moments: ``(y'y - moment' theta) / m``."""
    if model is not None and getattr(held, "_report", (None,))[0] is not model:
        count, _, moments, squares = held.moments(model)
        with np.errstate(all="ignore"):
            theta = _centred_least_squares(moments[:-1, :-1], moments[:-1, -1])
            least = math.nan if theta is None else max(float(moments[-1, -1] - moments[:-1, -1] @ theta), 0.0) / count
        held._report = (model, (squares / count, least if math.isfinite(least) else math.nan))
    return held._report[1]


def _least_squares_mse_wide(X, y):
    design = np.column_stack([np.ones(X.shape[0]), X])
    with np.errstate(all="ignore"):
        try:
            theta = np.linalg.lstsq(design, y, rcond=None)[0]
        except np.linalg.LinAlgError:
            return math.nan
        return float(np.mean((design @ theta - y) ** 2))


def _square(rmse):
    with np.errstate(over="ignore"):  # (an RMSE beyond 1e154: its square is inf, the gap nan)
        return float(np.float64(rmse) ** 2)


def _gap(mse, optimum):
    """How far a training MSE is above the least-squares fit's, relative to it; 0 where it is
    below, which only rounding gives (the least-squares fit is the least there is): shown as
    +0.00%, as the help says."""
    with np.errstate(all="ignore"):
        if not (math.isfinite(mse) and math.isfinite(optimum)):
            return math.nan
        return max(float(mse / optimum - 1), 0.0) if optimum > 0 else (0.0 if mse == 0 else math.inf)


def _remedy(fit):
    """A diverged fit's remedy, in the command's option names."""
    text = re.sub(r"(?<![-\w])alpha\b(='auto')?", lambda m: "--alpha auto" if m.group(1) else "--alpha", fit.remedy)
    return (text.replace("(innerIter)", "(--inner-iter)").replace("(varianceScaling)", "(--scaling variance)")
            .replace("a smaller momentum", "a smaller --momentum"))


def _with_elapsed_bar(work, label, show, passes=None):
    """Run ``work()``; if ``show``, a thread draws an elapsed-time bar once it has run PROGRESS_DELAY seconds
    (with ``passes``, a file read on a Dask cluster: the passes over it so far, ``passes[0]``).

    The work runs on the main thread, the one Python delivers Ctrl-C to: its compiled
    loops let the KeyboardInterrupt through (the bar's thread needs the GIL only to draw).
    """
    if not show:
        return work()
    started, done = time.time(), threading.Event()

    def draw():
        if done.wait(PROGRESS_DELAY):
            return
        from tqdm import tqdm
        shape = "{desc}: {elapsed} elapsed" if passes is None else "{desc}: {n:.1f} passes over the data, {elapsed}"
        with tqdm(desc=label, bar_format=shape, file=sys.stderr, leave=False) as bar:
            bar.start_t = started  # count from the start of the fit, not of the bar
            while not done.wait(0.2):
                if passes is not None:
                    bar.n = passes[0]
                bar.refresh()

    thread = threading.Thread(target=draw, name="graddescent-progress", daemon=True)
    thread.start()
    try:
        return work()
    finally:
        done.set()
        thread.join()


def _rmse(model, part):
    """RMSE of the model on a data part (target last), in original units; NaN if it diverged."""
    if isinstance(part, chunked.Chunks):
        mse = _held_report(model, part)[0]
        return math.sqrt(mse) if math.isfinite(mse) else math.nan
    values = part.to_numpy(dtype=np.float64)
    predicted = predictions(model, values[:, :-1])
    if not np.all(np.isfinite(predicted)):
        return math.nan
    return RMSE(values[:, -1], predicted)


def _report_warnings(caught, quiet):
    if quiet:
        return
    for w in caught:
        print(f"graddescent: warning: {_message(w.message)}", file=sys.stderr)


def _coefficients(model):
    """The coefficients in original units: intercept, then one per input."""
    theta = model.model.ravel()
    if not model.featureScaling:
        return theta.copy()
    centre, scale = model.scalingParameter
    with np.errstate(all="ignore"):  # beyond a double they print as inf; the model itself is fine
        slopes = theta[1:] * scale[-1] / scale[:-1]
        intercept = centre[-1] + scale[-1] * theta[0] - np.sum(slopes * centre[:-1])
    return np.concatenate([[intercept], slopes])


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
    with _cluster(args):
        return _command_fit(args)


def _command_fit(args):
    frame, label = _load_training_data(args)
    train, test = _split(frame, args)
    control = _control(args, train.shape[0], args.method, args.variant)
    given = {entry for option, entry in CONTROL_OPTIONS.items() if getattr(args, option) is not None}
    takes = (*METHOD_CONTROL[args.method], *CONSTANTS.get(args.method, ()))
    unused = [f"--{o.replace('_', '-')}" for o, e in CONTROL_OPTIONS.items() if e in given and e not in takes]
    if unused and not args.quiet:
        print(f"graddescent: note: {args.method} does not use {', '.join(unused)}; ignored", file=sys.stderr)
    _check_output(args.model_out, args.data)
    _check_output(args.plot, args.data)
    model, seconds, fit = _with_elapsed_bar(lambda: _fit(train, args.method, args, control),
                                            f"fitting {args.method}", progress_wanted(args.quiet),
                                            getattr(train, "counter", None))
    train_rmse = _rmse(model, train)
    result = {
        "data": label, "rows": int(frame.shape[0]), "target": str(frame.columns[-1]), "method": args.method,
        "variant": args.variant,
        "control": {e: model.control[e] for e in takes if e in model.control},
        "tol": args.tol, "n_iter_no_change": args.n_iter_no_change if args.tol is not None else None,
        "alpha": fit.alpha, "scaling": args.scaling, "seed": args.seed,
        "train_rows": int(train.shape[0]), "test_rows": None if test is None else int(test.shape[0]),
        "columns": [str(c) for c in frame.columns],
        "theta": model.model.ravel().tolist(), "coefficients": _coefficients(model).tolist(),
        "scaling_parameter": None if model.scalingParameter is None else model.scalingParameter.tolist(),
        "train_rmse": train_rmse, "test_rmse": None if test is None else _rmse(model, test),
        "gap_to_least_squares": _gap(_square(train_rmse), _least_squares_mse(train)),
        "n_iter": fit.n_iter, "passes": fit.passes, "converged": fit.converged, "diverged": fit.diverged,
        "time_seconds": seconds, "model_out": None if fit.diverged else args.model_out, "plot": args.plot,
    }
    if isinstance(train, chunked.Chunks):  # (the passes over the file: the checks, the scaling, the fit, the report)
        result["data_passes"] = train.passes
    if args.plot:
        _save_figure(_fit_figure(model, fit, train, args, label), args.plot)
    print(_json(result) if args.json else _fit_table(result))
    if fit.diverged:
        written = f"{args.model_out!r} was not written: " if args.model_out else ""
        print(f"graddescent: error: the fit diverged; {written}{_remedy(fit)}", file=sys.stderr)
        return EXIT_DIVERGED
    if not args.quiet:
        if fit.converged is False:
            print(f"graddescent: warning: {args.method} stopped at --max-iter {fit.n_iter} before its loss stopped "
                  "improving by --tol; raise --max-iter or --tol", file=sys.stderr)
        elif fit.converged is None and result["gap_to_least_squares"] > NOT_CONVERGED:
            print(f"graddescent: warning: after R's {fit.n_iter} iterations the training MSE is "
                  f"{result['gap_to_least_squares']:.0%} above the least-squares fit's: the fit has not converged; "
                  "use --tol (e.g. --tol 1e-4, which also sets --alpha auto) or raise --max-iter", file=sys.stderr)
    if args.model_out:
        write_model(model, args.model_out, args.seed)
    return 0


def _fit_table(r):
    lines = [f"{r['method']} on {r['data']}: {r['rows']} rows, {len(r['columns']) - 1} input(s), "
             f"target {r['target']!r}"]
    settings = ", ".join(f"{k}={v:g}" if k != "alpha" or v != "auto" else f"alpha=auto ({r['alpha']:.3g})"
                         for k, v in r["control"].items())
    rule = "no stopping rule" if r["tol"] is None else f"tol={r['tol']:g}, n_iter_no_change={r['n_iter_no_change']}"
    variant = "" if r["variant"] == "R" else f"variant {r['variant']}; "
    lines.append(f"settings: {variant}{settings}; {rule}; scaling {r['scaling']}"
                 + ("" if r["seed"] is None else f"; seed {r['seed']}"))
    lines.append("")
    names = ["(intercept)"] + r["columns"][:-1]
    if r["scaling_parameter"] is None:
        rows = [[n, _g(c)] for n, c in zip(names, r["coefficients"])]
        lines += _table(["column", "coefficient"], rows, "lr")
    else:
        rows = [[n, _g(t), _g(c)] for n, t, c in zip(names, r["theta"], r["coefficients"])]
        lines += _table(["column", "theta (scaled)", "coefficient (original units)"], rows, "lrr")
    lines.append("")
    train_note = f"({r['train_rows']} rows)" if r["test_rows"] is None else f"({r['train_rows']} training rows)"
    facts = [["train RMSE", _g(r["train_rmse"]), train_note]]
    if r["test_rows"] is not None:
        facts.append(["test RMSE", _g(r["test_rmse"]), f"({r['test_rows']} held-out rows)"])
    facts.append(["vs least squares", _percent(r["gap_to_least_squares"]), "(train MSE above the least-squares fit's)"])
    facts.append(["iterations", str(r["n_iter"]), f"({_passes(r['passes'])} passes over the data)"])
    facts.append(["converged", {True: "yes", False: "no: stopped at --max-iter", None: "not judged (no --tol)"}[
        r["converged"]] if not r["diverged"] else "no: diverged", ""])
    facts.append(["time", f"{r['time_seconds']:.3f} s", ""])
    lines += [line.rstrip() for line in _table(None, facts, "lll")]
    return "\n".join(lines)


def _percent(gap):
    """A gap (:func:`_gap`, never below 0) as shown: +0.00%, +12.34%, +15.2x; nan."""
    return "nan" if not math.isfinite(gap) else f"+{gap:.2%}" if gap < 10 else f"+{gap:.3g}x"


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
        name = method if variant == "R" else f"{method} ({variant})"
        model, seconds, fit = _fit(train, method, args, _control(args, train.shape[0], method, variant))
        if fit.diverged and not args.quiet:
            print(f"graddescent: warning: {name} diverged; {_remedy(fit)}", file=sys.stderr)
        curves[name] = (model.loss, fit)
        results.append({"method": method, "variant": variant, "name": name, "train_rmse": _rmse(model, train),
                        "test_rmse": None if test is None else _rmse(model, test),
                        "gap_to_least_squares": None, "alpha": fit.alpha,
                        "n_iter": fit.n_iter, "passes": fit.passes, "converged": fit.converged,
                        "diverged": fit.diverged, "time_seconds": seconds})
        models.append(model)
    optimum = _least_squares_mse(train)  # (after the fits: a LAPACK call that Ctrl-C cannot stop)
    for result, model in zip(results, models):
        result["gap_to_least_squares"] = _gap(_square(result["train_rmse"]), optimum)
    key = "train_rmse" if test is None else "test_rmse"
    results.sort(key=lambda r: (r["diverged"] or math.isnan(r[key]), r[key]))
    summary = {"data": label, "rows": int(frame.shape[0]), "target": str(frame.columns[-1]), "variants": args.variant,
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
    published = [f"--{o}" for o in CONSTANTS["ADAM"] if getattr(args, o) is not None]
    if published and args.variant == ["R"]:
        raise CLIError(f"{', '.join(published)} set the published rules' constants; add them to --variant "
                       "(e.g. --variant R,textbook)")
    methods = args.methods or list(METHODS)
    fits = [(m, v) for m in methods for v in args.variant if v in VARIANTS[m]]
    if args.methods:
        lacking = [m for m in methods if not any(v in VARIANTS[m] for v in args.variant)]
        if lacking:
            raise CLIError(f"{lacking[0]} has no variant {' or '.join(args.variant)}; it has "
                           f"{', '.join(VARIANTS[lacking[0]])}")
    elif not fits:
        raise CLIError(f"no method has the variant(s) {', '.join(args.variant)}")
    return fits


def _passes(passes):
    """Passes over the data for a table: whole from 10 on (1000, not 1e+03), else 3 digits."""
    return f"{passes:.0f}" if passes >= 10 else f"{passes:.3g}"


def _compare_table(s):
    given = ", ".join(f"{k}={v:g}" if k != "alpha" or v != "auto" else "alpha=auto" for k, v in s["control"].items())
    rule = ("no stopping rule: R's fixed iterations" if s["tol"] is None else
            f"tol={s['tol']:g} (each method until n_iter_no_change={s['n_iter_no_change']} passes stall)")
    if s["variants"] != ["R"]:
        given = f"variant {','.join(s['variants'])}" + (", " + given if given else "")
    fits = "method(s)" if s["variants"] == ["R"] else "fit(s)"
    lines = [f"{len(s['results'])} {fits} on {s['data']}: {s['rows']} rows, target {s['target']!r}",
             f"settings: {given + '; ' if given else ''}{rule}; scaling {s['scaling']}; seed {s['seed']}",
             ("" if s["test_rows"] is None else f"trained on {s['train_rows']} rows, tested on {s['test_rows']}; ")
             + f"sorted by {s['sorted_by'].replace('_rmse', ' RMSE')}; the least-squares fit's train RMSE is "
             f"{_g(s['least_squares_train_rmse'])}",
             ""]
    headers = (["rank", "method", "train RMSE"] + ([] if s["test_rows"] is None else ["test RMSE"])
               + ["vs least squares", "passes", "time", "converged"])
    rows = []
    for rank, r in enumerate(s["results"], 1):
        row = [str(rank), r["name"], _g(r["train_rmse"])]
        if s["test_rows"] is not None:
            row.append(_g(r["test_rmse"]))
        converged = ("DIVERGED" if r["diverged"] else {True: "yes", False: "no (max-iter)", None: "-"}[r["converged"]])
        rows.append(row + [_percent(r["gap_to_least_squares"]), _passes(r["passes"]), f"{r['time_seconds']:.3f} s",
                           converged])
    align = "rl" + "r" * (len(headers) - 3) + "l"
    lines += [line.rstrip() for line in _table(headers, rows, align)]
    return "\n".join(lines)


# --------------------------------------------------------------------------- predict

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
    model = read_model(args.model)
    fmt = _csv_format(args)
    layout = reading.inspect_csv(args.data, fmt)
    inputs = model.columns[:-1]
    present = set(layout.columns)
    missing = [c for c in inputs if c not in present]
    if missing:
        raise CLIError(f"{args.data!r} lacks the input column(s) {missing} that the model needs "
                       f"(the model's inputs: {', '.join(inputs)})")
    _check_output(args.output, args.data, args.model)
    if _held(args):
        if args.persist:
            raise CLIError("--persist keeps a file read for many passes; predict reads it twice, once to check it "
                           "and once to write: leave --persist out")
        with _cluster(args):
            return _predict_held(args, model, layout, fmt)
    frame = reading.read_table(layout, inputs, label=args.data)
    name = _prediction_column(list(frame.columns), model, args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame[name] = predict(model, frame[list(inputs)])["V1"].to_numpy()
    _report_warnings(caught, False)

    def write(f):
        frame.to_csv(f, index=False, lineterminator="\n", sep=fmt.sep, decimal=fmt.decimal)

    if args.output:
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
        _note(f"the model does not use {len(passed)} column(s) of {args.data!r}: {shown}{more}; passed through to "
              "the output unchanged", args.quiet)
    name = "prediction"
    while name in names:
        name += "_"
    return name


def _predict_held(args, model, layout, fmt):
    """``predict --dask``/``--scheduler``: the file a block at a time on the cluster, twice: to
    check it (and find the unnamed columns that hold nothing, left out as in memory), then
    to write each block's rows with their predictions, in order, a few blocks in flight."""
    import dask

    inputs = list(model.columns[:-1])
    layout.path = os.path.abspath(layout.path)  # (the workers' current folders are not this one)
    bounds = reading.block_bounds(layout, args.data)
    blocks = list(zip(bounds[:-1], np.diff(bounds)))
    found = dask.compute(*[dask.delayed(_held_block_facts)(layout, start, size, inputs, args.data)
                           for start, size in blocks])
    filled = set().union(*[f[1] for f in found])
    drop = [n for n in layout.unnamed if n not in filled and n not in inputs]
    names = [n for n in layout.names if n not in drop]
    name = _prediction_column(names, model, args)
    ahead = 2 * max(len(_client().scheduler_info()["workers"]), 1)

    def write(f):
        for lo in range(0, len(blocks), ahead):  # (at most `ahead` blocks' text held at once)
            texts = dask.compute(*[dask.delayed(_predict_block)(layout, start, size, model, drop, name, fmt,
                                                               lo + i == 0, args.data)
                                   for i, (start, size) in enumerate(blocks[lo:lo + ahead])])
            for text in texts:
                f.write(text)

    if args.output:
        _write_atomic(args.output, write)
    else:
        write(sys.stdout)
    return 0


def _held_block_facts(layout, start, size, inputs, label):
    """A block's rows and the unnamed columns that hold something in it (and its errors)."""
    frame = reading.table_block(layout, start, size, inputs, label)
    return len(frame), {n for n in layout.unnamed if n in frame.columns and frame[n].ne("").any()}


def _predict_block(layout, start, size, model, drop, name, fmt, header, label):
    """A block's rows, with their predictions, as CSV text (with the header line for the first block)."""
    frame = reading.table_block(layout, start, size, list(model.columns[:-1]), label).drop(columns=drop)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame[name] = predict(model, frame[list(model.columns[:-1])])["V1"].to_numpy() if len(frame) else []
    return frame.to_csv(index=False, header=header, lineterminator="\n", sep=fmt.sep, decimal=fmt.decimal)


# --------------------------------------------------------------------------- datasets

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
    if args.output:
        _check_output(args.output)
        _write_atomic(args.output, lambda f: frame.to_csv(f, index=False, lineterminator="\n"))
    else:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


# --------------------------------------------------------------------------- output

def _json(value):
    """One JSON object; NaN (a diverged fit) becomes null."""
    def clean(v):
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, (float, np.floating)):
            return float(v) if math.isfinite(v) else None
        if isinstance(v, np.integer):
            return int(v)
        return v
    return json.dumps(clean(value), indent=2, allow_nan=False)


def _g(value):
    return "nan" if value is None or not math.isfinite(value) else f"{value:.6g}"


def _table(headers, rows, align):
    """Lines of a plain text table; ``align`` has one letter per column, ``l`` (left) or ``r`` (right)."""
    body = ([headers] if headers else []) + rows
    widths = [max(len(str(r[j])) for r in body) for j in range(len(body[0]))]

    def line(r):
        return "  ".join(str(c).ljust(w) if a == "l" else str(c).rjust(w) for c, w, a in zip(r, widths, align))

    out = [line(r) for r in body]
    if headers:
        out.insert(1, "  ".join("-" * w for w in widths))
    return out


def _in_loss_units(model, mse):
    """An MSE over the training rows (original units) in the units of the loss record: those
    of the scaled data, where the fit scaled it (the output's scale squared)."""
    if model.scalingParameter is None:
        return mse
    return mse / float(model.scalingParameter[1, -1]) ** 2


def _units(scaling):
    return "original units" if scaling == "none" else "scaled data"


def _sampled_label(method, tol):
    """What a single-row method's loss record holds, for a legend."""
    if tol is None:
        return f"{method}: mean squared residual of the rows drawn,\neach before its step, over windows of steps"
    return (f"{method}: per pass, mean squared residual of the rows drawn\n(each before its step); once the iterates "
            "are averaged,\nthe average's MSE over all rows")


def _fit_figure(model, fit, train, args, label):
    """``fit --plot``: the loss record of the fit, with the least-squares MSE over all rows.
    A single-row method records the residuals of the rows it draws, not the loss over all
    rows (it can dip below the least-squares MSE); its final theta's MSE over all rows is
    drawn beside it."""
    method, loss = args.method, np.asarray(model.loss, dtype=np.float64)
    references = {"least squares: MSE over all rows (the least any theta reaches)":
                  _in_loss_units(model, _least_squares_mse(train))}
    if method in BY_ROW:
        references[f"{method}'s final theta: MSE over all rows"] = _in_loss_units(model, _square(_rmse(model, train)))
        if args.tol is None:
            x, xlabel = np.arange(1, loss.size + 1) * (fit.n_iter / max(loss.size, 1)), "step"
        else:
            x, xlabel = np.arange(1, loss.size + 1), "pass over the data"
        curves, ylabel = {_sampled_label(method, args.tol): (x, loss)}, "mean squared residual"
        title = f"{method} on {label}" + (": residuals of the rows drawn, not the loss over all rows"
                                          if args.tol is None else "")
    else:
        curves = {f"{method}: MSE over all rows" if method != "MBGD" else f"{method}: MSE over each pass's batches":
                  (np.arange(1, loss.size + 1), loss)}
        xlabel, ylabel, title = "iteration", "training loss (mean squared error)", f"{method} on {label}"
    return _loss_figure(curves, title, xlabel, f"{ylabel} ({_units(args.scaling)})", references=references)


def _compare_figure(curves, models, train, args, label):
    """``compare --plot``: each method's loss record over the passes its fit made, with the
    least-squares MSE over all rows; the single-row methods' records are the residuals of
    the rows they draw (so said in the legend)."""
    drawn = {}
    for method, (loss, fit) in curves.items():
        loss = np.asarray(loss, dtype=np.float64)
        name = f"{method} (rows drawn)" if method in BY_ROW else method
        drawn[name] = (np.arange(1, loss.size + 1) * (fit.passes / max(loss.size, 1)), loss)
    shown = {name for name, (method, (_, fit)) in zip(drawn, curves.items()) if not fit.diverged}
    references = {"least squares: MSE over all rows": _in_loss_units(models[0], _least_squares_mse(train))}
    note = ("the training MSE over all rows, but '(rows drawn)': the mean squared residual of the rows\n"
            "a single-row method draws, each before its step (then, once averaged, the average's MSE over all rows)")
    return _loss_figure(drawn, f"Training loss on {label}", "passes over the data",
                        f"training loss ({_units(args.scaling)})", shown=shown, references=references,
                        note=note, log_x=True)


def _loss_figure(curves, title, xlabel, ylabel, shown=None, references=None, note=None, log_x=False):
    """Loss curves (name -> (x, loss)) on one figure, log-scale y, legend outside the data,
    with horizontal reference lines (name -> value). The y-axis covers the curves in
    ``shown`` (the fits that did not diverge; all when None) and the references, so that one
    blow-up does not flatten the others, which are drawn all the same."""
    import matplotlib
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 5.5), layout="constrained")
    axes = figure.add_subplot()
    colours = matplotlib.colormaps["tab20" if len(curves) > 10 else "tab10"]
    low, high = math.inf, 0.0
    for i, (name, (x, loss)) in enumerate(curves.items()):
        y = np.asarray(loss, dtype=np.float64)
        y = np.where(np.isfinite(y) & (y > 0), y, np.nan)
        plotted = y.size > 0 and not np.all(np.isnan(y))
        if plotted and (shown is None or name in shown):
            low, high = min(low, np.nanmin(y)), max(high, np.nanmax(y))
        label = name if plotted else f"{name} (no finite loss)"
        if shown is not None and name not in shown:
            label += " (diverged)"
        axes.plot(x, y if plotted else np.full_like(x, np.nan, dtype=np.float64),
                  marker="." if y.size <= 30 else None, color=colours(i),
                  linestyle=("-", "--", ":")[i % 3] if len(curves) > 1 else "-", label=label)
    for (name, value), style in zip((references or {}).items(), ("--", ":")):
        if math.isfinite(value) and value > 0:
            axes.axhline(value, color="black", linestyle=style, linewidth=1.5, label=name)
            low, high = min(low, value), max(high, value)
    axes.set_yscale("log")
    if 0 < low <= high < math.inf:
        axes.set_ylim(low / 1.5, high * 1.5)
    if log_x:
        axes.set_xscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title if note is None else f"{title}\n{note}", fontsize="medium")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return figure


def _save_figure(figure, path):
    """Write the figure, in the format its name says, atomically and without a display."""
    image_format = os.path.splitext(path)[1].lower().lstrip(".")
    _write_atomic(path, lambda f: figure.savefig(f, format=image_format), binary=True)
