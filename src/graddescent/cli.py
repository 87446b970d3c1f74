"""The ``graddescent`` command: fit, predict and compare on CSV files, with no Python to write.

Commands (``graddescent COMMAND --help`` for the options)::

    graddescent fit DATA.csv [--target COL] [--method GD] [control options] [--seed S]
                    [--scaling variance|minmax|none] [--test-rate R | --train-rate R]
                    [--model-out MODEL.json] [--plot LOSS.png] [--json] [--quiet]
    graddescent predict MODEL.json DATA.csv [-o OUT.csv]
    graddescent compare [DATA.csv] [--methods M1,M2,...] [--plot CURVES.png] [the fit options]
    graddescent datasets [NAME [-o OUT.csv]]

``fit`` runs :func:`graddescent.learn` exactly as ``gradDescentR.learn(dataSet,
featureScaling, scalingMethod, learningMethod, control, seed)`` with the target column
moved last. ``--test-rate R`` holds out the fraction R of the rows for testing: it is
R's ``splitData(dataSet, dataTrainRate = 1 - R, seed)``; ``--train-rate R`` passes R as
``dataTrainRate`` itself. ``fit`` takes no seed unless given (``--seed``); ``compare``
uses seed 1 unless given, so that its table is the same at every run. Times are the wall
time of each fit. Ctrl-C stops a fit within milliseconds (exit status 130).

Errors in the input (files, columns, option values, model files) end the command with
exit status 2 and one line on stderr, ``graddescent: error: ...``. Input files are never
modified; outputs are written to a temporary file in the same folder and renamed into
place, so a failure leaves no half-written file.

Model file (``--model-out``), version 1
---------------------------------------
A JSON object with exactly these fields:

``format`` : str
    ``"graddescent-model"``.
``version`` : int
    ``1``. A reader refuses a larger version (written by a newer graddescent).
``method`` : str
    The learning method, one of the 14 (``"GD"``, ..., ``"SARAHPlus"``).
``control`` : object
    R's control list as fitted, all eight entries (``alpha``, ``maxIter``, ``momentum``,
    ``nBatch``, ``lamda``, ``innerIter``, ``option``, ``gammaS``), numbers.
``seed`` : int or null
    The seed given to the fit, null if none was given.
``feature_scaling`` : bool
    Whether the columns were scaled before learning.
``scaling_method`` : str or null
    ``"VARIANCE"`` or ``"MINMAX"``; null without feature scaling.
``columns`` : list of str
    The column names, the inputs in the order of theta, then the target (n names).
``target`` : str
    The target column, the last of ``columns``.
``scaling_parameter`` : list of two lists of n numbers, or null
    R's scaling parameter: the centres (means or minima), then the scales (standard
    deviations or ranges, non-zero), one per column; null without feature scaling.
``theta`` : list of n numbers
    The coefficients, intercept first, then one per input, in scaled units when
    ``feature_scaling`` (R's ``model``).

All numbers are finite. Loading refuses a file that is not such an object: not JSON, a
wrong ``format`` tag, a newer ``version``, a missing, unexpected or wrongly typed field,
arrays of the wrong length, non-finite numbers or an unknown method.

``predict`` matches the data's columns to the model's by name, in any order. Every input
column must be present; the target column may be present (its values are ignored and
kept in the output, so they may be empty) or absent; any other column is an error naming
it, since a column the model was not fitted on usually means the wrong file or model.
The output is the data's columns plus ``prediction``.
"""

import argparse
import csv
import difflib
import json
import math
import os
import re
import sys
import tempfile
import threading
import time
import warnings

import numpy as np
import pandas as pd

from . import __version__, datasets
from .toplevel import CONTROL_DEFAULTS, METHOD_CONTROL, METHODS, GradDescentRObject, RMSE, learn, predict, splitData
from .convergence import PATIENCE
from .methods import BY_ROW
from .toplevel import fit_learn
from .validation import MAX_ITER

__all__ = ["main", "build_parser", "read_model", "write_model", "model_to_dict", "model_from_dict"]

MODEL_FORMAT = "graddescent-model"
MODEL_VERSION = 1
EXIT_ERROR = 2
EXIT_DIVERGED = 1  # the fit diverged: no model written
NOT_CONVERGED = 0.01  # a fit 1% above the least-squares fit's training MSE has not converged
PROGRESS_DELAY = 1.0  # seconds a fit runs before its progress bar appears
COMPARE_SEED = 1
COMPARE_TOL = 1e-4
CONVERGE_PASSES = 1000  # --max-iter's default with --tol, in passes over the data (the estimators' max_iter)
SINGLE_ROW = ("SGD", "SAGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM")
VARIANCE_REDUCED = ("SVRG", "SSGD", "SARAH", "SARAHPlus")
SCALINGS = {"variance": "VARIANCE", "minmax": "MINMAX", "none": None}
PLOT_FORMATS = (".png", ".svg", ".pdf")
# command-line option -> R's control entry
CONTROL_OPTIONS = {"alpha": "alpha", "max_iter": "maxIter", "momentum": "momentum", "n_batch": "nBatch",
                   "inner_iter": "innerIter", "option": "option", "lamda": "lamda", "gamma_s": "gammaS"}
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


def _whole(low=None, high=None):
    def parse(text):
        try:
            value = float(text)
            whole = int(value) if math.isfinite(value) and value == int(value) else None
        except ValueError:
            whole = None
        if whole is not None and high is not None and whole > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}, got {text!r}")
        if whole is None or (low is not None and whole < low):
            bound = "" if low is None else f" >= {low}"
            raise argparse.ArgumentTypeError(f"must be a whole number{bound}, got {text!r}")
        return whole
    return parse


def _method(text):
    by_upper = {name.upper(): name for name in METHODS}
    if text.upper() not in by_upper:
        raise argparse.ArgumentTypeError(f"unknown method {text!r}; choose one of {', '.join(METHODS)}")
    return by_upper[text.upper()]


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
                              "the coefficients, RMSE, iterations and time.")
    fit.add_argument("data", metavar="DATA.csv", help="comma-separated, a header line, numbers only")
    fit.add_argument("--method", type=_method, default="GD", help="learning method (default GD): "
                     + ", ".join(METHODS))
    _add_fit_options(fit, seed_default=None, tol_default=None)
    fit.add_argument("--model-out", metavar="MODEL.json", help="write the fitted model (JSON) for 'predict'")
    fit.add_argument("--plot", metavar="LOSS.png", type=_plot_path, help="draw the training loss curve")
    fit.set_defaults(run=command_fit)

    pred = commands.add_parser("predict", help="predict the rows of a CSV file with a saved model",
                               description="Predict DATA.csv with MODEL.json (from 'fit --model-out'). Columns "
                               "are matched by name; the target column may be absent. Writes DATA's columns plus "
                               "'prediction'.")
    pred.add_argument("model", metavar="MODEL.json")
    pred.add_argument("data", metavar="DATA.csv")
    pred.add_argument("-o", "--output", metavar="OUT.csv", help="write here instead of to stdout")
    pred.set_defaults(run=command_predict)

    comp = commands.add_parser("compare", help="fit every method with the same settings and rank them",
                               description="Fit each method on DATA.csv (default: the bundled CO2 "
                               "compressibility data) to the same tolerance (--tol, default "
                               f"{COMPARE_TOL:g}; --tol none: R's fixed iterations); print a table sorted by test "
                               "(else train) RMSE, with the passes over the data, the time, the gap to the "
                               "least-squares fit and whether each converged. The seed is 1 unless --seed is given.")
    comp.add_argument("data", metavar="DATA.csv", nargs="?", help="default: the bundled co2_compressibility")
    comp.add_argument("--methods", type=_methods, default=list(METHODS),
                      help="comma-separated methods (default all 14)")
    _add_fit_options(comp, seed_default=COMPARE_SEED, tol_default=COMPARE_TOL)
    comp.add_argument("--plot", metavar="CURVES.png", type=_plot_path, help="draw all loss curves on one figure")
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
    rule = parser.add_argument_group("the stopping rule (beyond R)")
    rule.add_argument("--tol", type=_tol, default=tol_default, metavar="TOL",
                      help="stop once --n-iter-no-change passes over the data stall, a pass stalling where what is "
                      "left to gain at the rate the loss falls is at most TOL times it; 'none': R's fixed "
                      f"iterations (default {tol_default or 'none'}). With a TOL, the defaults of --alpha, "
                      "--max-iter, --inner-iter and --momentum are those of the scikit-learn estimators")
    rule.add_argument("--n-iter-no-change", type=_whole(1), default=PATIENCE, metavar="N",
                      help=f"passes that must stall in a row (default {PATIENCE})")
    parser.add_argument("--seed", type=_whole(), default=seed_default,
                        help="R's seed" + (" (default: none)" if seed_default is None else f" (default {seed_default})"))
    parser.add_argument("--scaling", type=_scaling, default="variance",
                        help="feature scaling: variance (default), minmax or none")
    split = parser.add_mutually_exclusive_group()
    split.add_argument("--test-rate", type=_number(0, 1, True, True), metavar="R",
                       help="hold out this fraction of the rows for testing (R's splitData, dataTrainRate = 1 - R)")
    split.add_argument("--train-rate", type=_number(0, 1, True, True), metavar="R",
                       help="train on this fraction of the rows (R's splitData dataTrainRate), test on the rest")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no warnings on stderr")


# --------------------------------------------------------------------------- reading data

def read_csv(path, name="DATA"):
    """Read a CSV file as a DataFrame, with one clear error for each way it can be unusable.

    Parameters
    ----------
    path : str
        The file: comma-separated, UTF-8, a header line.
    name : str
        How the file is called in messages.

    Returns
    -------
    pandas.DataFrame
        As read, columns not yet checked for numbers.

    Raises
    ------
    CLIError
        Missing, a folder, binary, JSON, empty, header only, or duplicated column names.
    """
    if not os.path.exists(path):
        raise CLIError(f"{name} file {path!r} does not exist; check the path")
    if os.path.isdir(path):
        raise CLIError(f"{name} {path!r} is a folder, not a CSV file")
    with open(path, "rb") as f:
        head = f.read(65536)
    if not head.strip():
        raise CLIError(f"{name} file {path!r} is empty; it needs a header line and rows of numbers")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CLIError(f"{path!r} is UTF-16 text; save it as UTF-8 CSV")
    if b"\0" in head:
        raise CLIError(f"{path!r} is not a CSV file (it holds binary data); give a comma-separated text file")
    if head.lstrip().startswith((b"{", b"[")):
        raise CLIError(f"{path!r} looks like JSON, not CSV; give a comma-separated text file"
                       + (" (MODEL.json comes first, then DATA.csv)" if name == "DATA" else ""))
    try:
        header = _check_fields(path)
        frame = pd.read_csv(path, encoding="utf-8-sig", low_memory=False)
    except UnicodeDecodeError:
        raise CLIError(f"{path!r} is not a UTF-8 text file; save it as UTF-8 CSV") from None
    except pd.errors.ParserError as exc:
        raise CLIError(f"{path!r} is not a valid CSV file ({' '.join(str(exc).split())}); "
                       "check that every row has as many commas as the header") from None
    except pd.errors.EmptyDataError:
        raise CLIError(f"{name} file {path!r} is empty; it needs a header line and rows of numbers") from None
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise CLIError(f"{path!r} has duplicated column names {duplicated}; give every column a distinct name")
    if frame.shape[0] == 0:
        raise CLIError(f"{path!r} has a header but no data rows")
    return frame


def _check_fields(path):
    """The header of a CSV file, after checking that every row has one field per column."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        for row in reader:
            if row and len(row) != len(header):
                raise CLIError(f"{path!r} line {reader.line_num} has {len(row)} field(s) but the header has "
                               f"{len(header)}; every row needs one value per column, separated by commas")
    return header


def check_numeric(frame, path, columns=None):
    """Check that the given columns (default all) hold finite numbers; return them as float64.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str
        The file, for messages.
    columns : list, optional
        The columns to check and return; all when None.

    Returns
    -------
    pandas.DataFrame
        The columns as float64.

    Raises
    ------
    CLIError
        Naming the first non-numeric column and an offending value, or the first empty
        or NaN cell (column and data row, 1 = first row after the header).
    """
    frame = frame if columns is None else frame[columns]
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values):
            raise CLIError(f"column {column!r} of {path!r} holds true/false values, not numbers; "
                           "code them as 0/1 or drop the column")
        if not pd.api.types.is_numeric_dtype(values):
            converted = pd.to_numeric(values, errors="coerce")
            bad = values.notna() & converted.isna()
            if not bad.any():  # numbers pandas left as objects, e.g. integers beyond 64 bits
                frame = frame.assign(**{column: converted})
                continue
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise CLIError(f"column {column!r} of {path!r} is not numeric (data row {row + 1} holds "
                           f"{values.iloc[row]!r}); every column must hold numbers: fix it or drop the column")
    numbers = frame.astype(np.float64)
    bad = ~np.isfinite(numbers.to_numpy())
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise CLIError(f"{path!r} has {int(bad.sum())} empty, NaN or infinite cell(s); the first is in column "
                       f"{frame.columns[j]!r} at data row {i + 1}; fill them or drop those rows")
    return numbers


def _load_training_data(args):
    """The data of ``fit``/``compare``: numeric, the target last; and how to call it."""
    if args.data is None:
        frame, label = datasets.load("co2_compressibility"), "co2_compressibility (bundled)"
    else:
        frame, label = read_csv(args.data), args.data
    columns = list(frame.columns)
    target = columns[-1] if args.target is None else args.target
    if target not in columns:
        names = [str(c) for c in columns]
        close = [c for c in names if c.lower() == target.lower()] or difflib.get_close_matches(target, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise CLIError(f"no column {target!r} in {label!r}; {hint}the columns are: {', '.join(map(str, columns))}")
    if len(columns) < 2:
        separator = next((s for s in (";", "\t", "|") if s in str(columns[0])), None)
        hint = f" (it looks separated by {separator!r}; graddescent reads comma-separated files)" if separator else ""
        raise CLIError(f"{label!r} has only one column{hint}; fitting needs input column(s) and a target")
    frame = check_numeric(frame[[c for c in columns if c != target] + [target]], label)
    return frame, label


def _split(frame, args):
    """(train, test or None) as R's splitData, checking both parts are large enough."""
    if args.test_rate is None and args.train_rate is None:
        return frame, None
    rate = 1 - args.test_rate if args.train_rate is None else args.train_rate
    m = frame.shape[0]
    k = int(m * rate)
    if k < 2 or k == m:
        option = "--test-rate" if args.train_rate is None else "--train-rate"
        raise CLIError(f"{option} {args.test_rate or args.train_rate:g} splits {m} rows into {k} for training and "
                       f"{m - k} for testing; both need rows (training at least 2): choose a rate nearer 0.5")
    return splitData(frame, rate, args.seed)


def _control(args, rows, method):
    """The control entries given on the command line for this method (learn fills in R's
    defaults); with --tol, those not given are the scikit-learn estimators' defaults."""
    control = {entry: getattr(args, option) for option, entry in CONTROL_OPTIONS.items()
               if getattr(args, option) is not None}
    if control.get("nBatch", 1) > rows:
        raise CLIError(f"--n-batch {control['nBatch']} is more than the {rows} training rows; use at most {rows}")
    if args.tol is not None:
        control.setdefault("alpha", "auto")
        control.setdefault("innerIter", rows)
        per_pass = rows if method in BY_ROW else control.get("nBatch", CONTROL_DEFAULTS["nBatch"]) if (
            method == "MBGD") else 1
        control.setdefault("maxIter", min(CONVERGE_PASSES * per_pass, 10**15 if method in BY_ROW else MAX_ITER))
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
    """The training MSE of the least-squares fit of the target on ``[1 | inputs]``, in original units."""
    values = part.to_numpy(dtype=np.float64)
    design = np.column_stack([np.ones(values.shape[0]), values[:, :-1]])
    with np.errstate(all="ignore"):  # (beyond double's range: nan or inf, said as such)
        try:
            theta = np.linalg.lstsq(design, values[:, -1], rcond=None)[0]
        except np.linalg.LinAlgError:  # (an SVD that does not converge on such data)
            return math.nan
        return float(np.mean((design @ theta - values[:, -1]) ** 2))


def _gap(model, train, optimum):
    """How far the model's training MSE is above the least-squares fit's, relative to it."""
    with np.errstate(all="ignore"):
        mse = np.float64(_rmse(model, train)) ** 2
        if not (math.isfinite(mse) and math.isfinite(optimum)):
            return math.nan
        return float(mse / optimum - 1) if optimum > 0 else (0.0 if mse == 0 else math.inf)


def _status(fit):
    return ("diverged" if fit.diverged else "converged" if fit.converged else "stopped at max-iter"
            if fit.converged is False else "no rule (R's fixed iterations)")


def _remedy(fit):
    """A diverged fit's remedy, in the command's option names."""
    text = re.sub(r"(?<![-\w])alpha\b(='auto')?", lambda m: "--alpha auto" if m.group(1) else "--alpha", fit.remedy)
    return (text.replace("(innerIter)", "(--inner-iter)").replace("(varianceScaling)", "(--scaling variance)")
            .replace("a smaller momentum", "a smaller --momentum"))


def _with_elapsed_bar(work, label, show):
    """Run ``work()``; if ``show``, a thread draws an elapsed-time bar once it has run PROGRESS_DELAY seconds.

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
        with tqdm(desc=label, bar_format="{desc}: {elapsed} elapsed", file=sys.stderr, leave=False) as bar:
            bar.start_t = started  # count from the start of the fit, not of the bar
            while not done.wait(0.2):
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an overflowing prediction: the RMSE says nan
        predicted = predict(model, part)["V1"].to_numpy()
    actual = part.iloc[:, -1].to_numpy()
    if not np.all(np.isfinite(predicted)):
        return math.nan
    return RMSE(actual, predicted)


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
    frame, label = _load_training_data(args)
    train, test = _split(frame, args)
    control = _control(args, train.shape[0], args.method)
    given = {entry for option, entry in CONTROL_OPTIONS.items() if getattr(args, option) is not None}
    unused = [f"--{o.replace('_', '-')}" for o, e in CONTROL_OPTIONS.items()
              if e in given and e not in METHOD_CONTROL[args.method]]
    if unused and not args.quiet:
        print(f"graddescent: note: {args.method} does not use {', '.join(unused)}; ignored", file=sys.stderr)
    _check_output(args.model_out, args.data)
    _check_output(args.plot, args.data)
    model, seconds, fit = _with_elapsed_bar(lambda: _fit(train, args.method, args, control),
                                            f"fitting {args.method}", progress_wanted(args.quiet))
    result = {
        "data": label, "rows": int(frame.shape[0]), "target": str(frame.columns[-1]), "method": args.method,
        "control": {e: model.control[e] for e in METHOD_CONTROL[args.method]},
        "tol": args.tol, "n_iter_no_change": args.n_iter_no_change if args.tol is not None else None,
        "alpha": fit.alpha, "scaling": args.scaling, "seed": args.seed,
        "train_rows": int(train.shape[0]), "test_rows": None if test is None else int(test.shape[0]),
        "columns": [str(c) for c in frame.columns],
        "theta": model.model.ravel().tolist(), "coefficients": _coefficients(model).tolist(),
        "scaling_parameter": None if model.scalingParameter is None else model.scalingParameter.tolist(),
        "train_rmse": _rmse(model, train), "test_rmse": None if test is None else _rmse(model, test),
        "gap_to_least_squares": _gap(model, train, _least_squares_mse(train)),
        "n_iter": fit.n_iter, "passes": fit.passes, "converged": fit.converged, "diverged": fit.diverged,
        "time_seconds": seconds, "model_out": None if fit.diverged else args.model_out, "plot": args.plot,
    }
    if args.plot:
        _plot({args.method: model.loss}, args.plot, f"{args.method} on {label}",
              xlabel=_loss_x(args.method, args.tol), ylabel=_loss_label(args.scaling, args.method, args.tol))
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
    lines.append(f"settings: {settings}; {rule}; scaling {r['scaling']}"
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
    _check_output(args.plot, args.data)
    show = progress_wanted(args.quiet)
    results, curves, models = [], {}, []
    from tqdm import tqdm
    for method in tqdm(args.methods, desc="compare", unit="method", file=sys.stderr, delay=PROGRESS_DELAY,
                       disable=not show, leave=False):
        model, seconds, fit = _fit(train, method, args, _control(args, train.shape[0], method))
        if fit.diverged and not args.quiet:
            print(f"graddescent: warning: {method} diverged; {_remedy(fit)}", file=sys.stderr)
        curves[method] = (model.loss, fit)
        results.append({"method": method, "train_rmse": _rmse(model, train),
                        "test_rmse": None if test is None else _rmse(model, test),
                        "gap_to_least_squares": None, "alpha": fit.alpha,
                        "n_iter": fit.n_iter, "passes": fit.passes, "converged": fit.converged,
                        "diverged": fit.diverged, "time_seconds": seconds})
        models.append(model)
    optimum = _least_squares_mse(train)  # (after the fits: a LAPACK call that Ctrl-C cannot stop)
    for result, model in zip(results, models):
        result["gap_to_least_squares"] = _gap(model, train, optimum)
    key = "train_rmse" if test is None else "test_rmse"
    results.sort(key=lambda r: (r["diverged"] or math.isnan(r[key]), r[key]))
    summary = {"data": label, "rows": int(frame.shape[0]), "target": str(frame.columns[-1]),
               "control": {e: getattr(args, o) for o, e in CONTROL_OPTIONS.items() if getattr(args, o) is not None},
               "tol": args.tol, "n_iter_no_change": args.n_iter_no_change if args.tol is not None else None,
               "scaling": args.scaling, "seed": args.seed,
               "train_rows": int(train.shape[0]), "test_rows": None if test is None else int(test.shape[0]),
               "least_squares_train_rmse": math.sqrt(optimum), "sorted_by": key, "results": results,
               "plot": args.plot}
    if args.plot:
        _plot({m: loss for m, (loss, _) in curves.items()}, args.plot, f"Training loss on {label}",
              xlabel="passes over the data", ylabel=_loss_label(args.scaling, None, args.tol),
              passes={m: fit.passes for m, (_, fit) in curves.items()},
              shown={m for m, (_, fit) in curves.items() if not fit.diverged})
    print(_json(summary) if args.json else _compare_table(summary))
    return 0


def _passes(passes):
    """Passes over the data for a table: whole from 10 on (1000, not 1e+03), else 3 digits."""
    return f"{passes:.0f}" if passes >= 10 else f"{passes:.3g}"


def _compare_table(s):
    given = ", ".join(f"{k}={v:g}" if k != "alpha" or v != "auto" else "alpha=auto" for k, v in s["control"].items())
    rule = ("no stopping rule: R's fixed iterations" if s["tol"] is None else
            f"tol={s['tol']:g} (each method until n_iter_no_change={s['n_iter_no_change']} passes stall)")
    lines = [f"{len(s['results'])} method(s) on {s['data']}: {s['rows']} rows, target {s['target']!r}",
             f"settings: {given + '; ' if given else ''}{rule}; scaling {s['scaling']}; seed {s['seed']}",
             ("" if s["test_rows"] is None else f"trained on {s['train_rows']} rows, tested on {s['test_rows']}; ")
             + f"sorted by {s['sorted_by'].replace('_rmse', ' RMSE')}; the least-squares fit's train RMSE is "
             f"{_g(s['least_squares_train_rmse'])}",
             ""]
    headers = (["rank", "method", "train RMSE"] + ([] if s["test_rows"] is None else ["test RMSE"])
               + ["vs least squares", "passes", "time", "converged"])
    rows = []
    for rank, r in enumerate(s["results"], 1):
        row = [str(rank), r["method"], _g(r["train_rmse"])]
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
    frame = read_csv(args.data)
    inputs, target = model.columns[:-1], model.columns[-1]
    columns = [str(c) for c in frame.columns]
    missing = [c for c in inputs if c not in columns]
    if missing:
        raise CLIError(f"{args.data!r} lacks the input column(s) {missing} that the model needs "
                       f"(the model's inputs: {', '.join(inputs)})")
    extra = [c for c in columns if c not in inputs and c != target]
    if extra:
        raise CLIError(f"{args.data!r} has column(s) {extra} that the model was not fitted on (its inputs: "
                       f"{', '.join(inputs)}; target {target!r}, optional); drop them or check the model file")
    frame.columns = columns
    values = check_numeric(frame, args.data, inputs)
    out = frame.copy()
    name = "prediction"
    while name in columns:
        name += "_"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out[name] = predict(model, values)["V1"].to_numpy()
    _report_warnings(caught, False)
    _check_output(args.output, args.data, args.model)
    if args.output:
        _write_atomic(args.output, lambda f: out.to_csv(f, index=False, lineterminator="\n"))
    else:
        out.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


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


# --------------------------------------------------------------------------- model file

def model_to_dict(model, seed=None):
    """A fitted model as the model-file object (see the module docstring for the schema).

    Parameters
    ----------
    model : GradDescentRObject
        From :func:`graddescent.learn`, with column names.
    seed : int or None
        The seed the fit was given.

    Returns
    -------
    dict
        JSON-serialisable.
    """
    columns = [str(c) for c in model.columns]
    return {
        "format": MODEL_FORMAT, "version": MODEL_VERSION, "method": model.learningMethod,
        "control": {key: _plain(_taken(model, key)) for key in CONTROL_DEFAULTS},
        "seed": None if seed is None else int(seed),
        "feature_scaling": bool(model.featureScaling),
        "scaling_method": model.scalingMethod if model.featureScaling else None,
        "columns": columns, "target": columns[-1],
        "scaling_parameter": None if model.scalingParameter is None else np.asarray(model.scalingParameter).tolist(),
        "theta": np.asarray(model.model, dtype=np.float64).ravel().tolist(),
    }


def _taken(model, key):
    """A control entry as the fit took it: for ``alpha="auto"`` the step chosen (R's default
    for ADADELTA, which takes none)."""
    value = model.control[key]
    if key == "alpha" and isinstance(value, str):
        return CONTROL_DEFAULTS["alpha"] if model.alpha is None else model.alpha
    return value


def _plain(value):
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def write_model(model, path, seed=None):
    """Write a fitted model as a JSON model file, atomically.

    Parameters
    ----------
    model : GradDescentRObject
    path : str
    seed : int or None
    """
    document = model_to_dict(model, seed)
    _write_atomic(path, lambda f: f.write(json.dumps(document, indent=2) + "\n"))


def read_model(path):
    """Read and validate a model file; refuse anything that cannot be trusted.

    Parameters
    ----------
    path : str

    Returns
    -------
    GradDescentRObject
        Ready for :func:`graddescent.predict` (its ``loss`` is None).

    Raises
    ------
    CLIError
        Naming what is wrong with the file.
    """
    if not os.path.exists(path):
        raise CLIError(f"MODEL file {path!r} does not exist; write one with 'graddescent fit DATA.csv "
                       "--model-out MODEL.json'")
    if os.path.isdir(path):
        raise CLIError(f"MODEL {path!r} is a folder, not a model file")
    with open(path, "rb") as f:
        raw = f.read()
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, RecursionError) as exc:
        reason = ("not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "nested too deeply"
                  if isinstance(exc, RecursionError) else f"not valid JSON ({exc})")
        raise CLIError(f"{path!r} is not a graddescent model file: {reason}; write one with "
                       "'graddescent fit DATA.csv --model-out MODEL.json'") from None
    try:
        return model_from_dict(document)
    except ValueError as exc:
        raise CLIError(f"{path!r} is not a usable graddescent model file: {exc}") from None


def _no_constant(name):
    raise ValueError(f"{name} is not a finite number")


def model_from_dict(document):
    """Validate a model-file object and rebuild the model from it.

    Parameters
    ----------
    document : object
        As parsed from the JSON file.

    Returns
    -------
    GradDescentRObject

    Raises
    ------
    ValueError
        Naming the first problem.
    """
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object, found {type(document).__name__}")
    if document.get("format") != MODEL_FORMAT:
        raise ValueError(f"its format tag is {document.get('format')!r}, not {MODEL_FORMAT!r}")
    version = document.get("version")
    if not _is_int(version) or version < 1:
        raise ValueError(f"version must be a whole number >= 1, found {version!r}")
    if version > MODEL_VERSION:
        raise ValueError(f"it is version {version}, written by a newer graddescent (this one reads version "
                         f"{MODEL_VERSION}); upgrade graddescent")
    fields = ("format", "version", "method", "control", "seed", "feature_scaling", "scaling_method", "columns",
              "target", "scaling_parameter", "theta")
    missing = [f for f in fields if f not in document]
    if missing:
        raise ValueError(f"missing field(s) {missing}")
    unexpected = sorted(set(document) - set(fields))
    if unexpected:
        raise ValueError(f"unexpected field(s) {unexpected}")
    d = document
    if not isinstance(d["method"], str) or d["method"] not in METHODS:
        raise ValueError(f"unknown method {d['method']!r}; the methods are {', '.join(METHODS)}")
    control = d["control"]
    if not isinstance(control, dict) or set(control) != set(CONTROL_DEFAULTS) or not all(
            _is_number(v) for v in control.values()):
        raise ValueError(f"control must be an object with the numbers {', '.join(CONTROL_DEFAULTS)}")
    if d["seed"] is not None and not _is_int(d["seed"]):
        raise ValueError(f"seed must be a whole number or null, found {d['seed']!r}")
    if not isinstance(d["feature_scaling"], bool):
        raise ValueError(f"feature_scaling must be true or false, found {d['feature_scaling']!r}")
    columns = d["columns"]
    if (not isinstance(columns, list) or len(columns) < 2 or not all(isinstance(c, str) for c in columns)
            or len(set(columns)) != len(columns)):
        raise ValueError("columns must be a list of at least 2 distinct names (the inputs, then the target)")
    n = len(columns)
    if d["target"] != columns[-1]:
        raise ValueError(f"target {d['target']!r} is not the last of columns ({columns[-1]!r})")
    theta = _finite_array(d["theta"], (n,), "theta")
    if d["feature_scaling"]:
        if d["scaling_method"] not in ("VARIANCE", "MINMAX"):
            raise ValueError(f"scaling_method must be 'VARIANCE' or 'MINMAX', found {d['scaling_method']!r}")
        parameter = _finite_array(d["scaling_parameter"], (2, n), "scaling_parameter")
        if np.any(parameter[1] == 0):
            raise ValueError("scaling_parameter has a zero scale")
    else:
        if d["scaling_parameter"] is not None or d["scaling_method"] is not None:
            raise ValueError("scaling_method and scaling_parameter must be null when feature_scaling is false")
        parameter = None
    return GradDescentRObject(d["feature_scaling"], d["scaling_method"] or "VARIANCE", parameter, d["method"],
                              theta.reshape(1, -1), {k: control[k] for k in CONTROL_DEFAULTS}, list(columns))


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _finite_array(value, shape, name):
    def ok(v, depth):
        if depth == len(shape):
            return _is_number(v)
        return isinstance(v, list) and len(v) == shape[depth] and all(ok(x, depth + 1) for x in v)

    if not ok(value, 0):
        size = " x ".join(map(str, shape))
        raise ValueError(f"{name} must be {size} finite numbers (one per column)")
    return np.asarray(value, dtype=np.float64)


# --------------------------------------------------------------------------- output

def _check_output(path, *inputs):
    """Refuse to write over an input file, before any work is done."""
    if not path:
        return
    for source in inputs:
        if source and os.path.exists(path) and os.path.exists(source) and os.path.samefile(path, source):
            raise CLIError(f"refusing to write over the input file {source!r}; choose another output name")
    if os.path.isdir(path):
        raise CLIError(f"output {path!r} is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CLIError(f"cannot write {path!r}: the folder {folder!r} does not exist")


def _write_atomic(path, write, binary=False):
    """Write through ``write(file)`` into a temporary file beside ``path``, then rename it into place."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(prefix=".graddescent-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise CLIError(f"cannot write {path!r}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8", "newline": ""})) as f:
            write(f)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


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


def _loss_label(scaling, method, tol):
    units = "" if scaling == "none" else ", scaled data"
    if method in SINGLE_ROW and tol is None:
        return f"training loss (mean squared residual of the steps, over windows of them{units})"
    return f"training loss (mean squared error{units})"


def _loss_x(method, tol):
    if method in SINGLE_ROW:
        return "progress through the steps (fraction of maxIter)" if tol is None else "pass over the data"
    return "iteration"


def _plot(curves, path, title, xlabel, ylabel, passes=None, shown=None):
    """Loss curves on one figure, log-scale y, written atomically without a display. With
    ``passes``, each curve is drawn over the passes its fit made; the y-axis covers the
    curves in ``shown`` (the fits that did not diverge), so that one blow-up does not flatten
    the others, which are drawn all the same."""
    import matplotlib
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 5.5), layout="constrained")
    axes = figure.add_subplot()
    colours = matplotlib.colormaps["tab20" if len(curves) > 10 else "tab10"]
    low, high = math.inf, 0.0
    for i, (name, loss) in enumerate(curves.items()):
        y = np.asarray(loss, dtype=np.float64)
        y = np.where(np.isfinite(y) & (y > 0), y, np.nan)
        x = np.arange(1, y.size + 1) * ((passes[name] / max(y.size, 1)) if passes else 1)
        plotted = y.size > 0 and not np.all(np.isnan(y))
        if plotted and (shown is None or name in shown):
            low, high = min(low, np.nanmin(y)), max(high, np.nanmax(y))
        label = name if plotted else f"{name} (no finite loss)"
        if shown is not None and name not in shown:
            label += " (diverged)"
        axes.plot(x, y if plotted else np.full_like(x, np.nan), marker="." if y.size <= 30 else None,
                  color=colours(i), linestyle=("-", "--", ":")[i % 3] if len(curves) > 1 else "-", label=label)
    axes.set_yscale("log")
    if 0 < low <= high < math.inf:
        axes.set_ylim(low / 1.5, high * 1.5)
    if passes:
        axes.set_xscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", title="method")
    image_format = os.path.splitext(path)[1].lower().lstrip(".")
    _write_atomic(path, lambda f: figure.savefig(f, format=image_format), binary=True)
