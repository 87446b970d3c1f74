"""The ``graddescent`` command's argument parser: its five subcommands and their options."""

import argparse

from .. import __version__
from ..convergence import PATIENCE
from ..catalog import METHODS
from ..toplevel import CONTROL_DEFAULTS
from ..validation import MAX_ITER
from .cluster import SCHEDULER_TIMEOUT
from ..explorer import page as explorer_page
from .commands import NA_ACTIONS, command_compare, command_datasets, command_explore, command_fit, command_predict
from .messages import EXIT_ERROR
from .options import (SEED_RANGE, SEPARATOR_NAMES, _address, _alpha, _character, _max_iter, _method, _methods,
                      _momentum, _number, _number_list, _plot_path, _scaling, _tol, _variant, _variants, _whole)

COMPARE_SEED = 1


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line (exit status 2) pointing to --help."""

    def error(self, message):
        self.exit(EXIT_ERROR, f"graddescent: error: {message} (see '{self.prog} --help')\n")


def build_parser():
    """The argument parser of the ``graddescent`` command, with its five subcommands.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = _Parser(prog="graddescent", description="Linear regression by gradient descent on CSV files "
                     "(a port of R's gradDescent 3.0).")
    parser.add_argument("--version", action="version", version=f"graddescent {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    fit = commands.add_parser("fit", help="fit a linear model to a CSV file and report how good it is",
                              description="Fit a linear model to DATA.csv as the scikit-learn estimators do: to "
                              "coefficients certified within --tol of the least-squares solution (--tol none, or "
                              "--alpha as a number or --max-iter without --tol: R's fixed iterations, as "
                              "gradDescentR.learn); print the coefficients beside the least-squares ones, R^2, "
                              "the RMSE, the certified error, the iterations and the time, and the gap to least "
                              "squares (the training MSE above the least-squares fit's, relative to it: +0.00% "
                              "where rounding puts it below, as no fit is below least squares). A column of text "
                              "is fitted as R's lm fits a factor: one indicator column per level after the first, "
                              "the reference (firm with levels A, B, C: firmB and firmC), its levels kept in the "
                              "model file; beyond 256 indicator columns (or 1 GiB of them as dense numbers), they are "
                              "held as a sparse design (their ones only) and fitted without densifying it, to the "
                              "dense design's coefficients up to rounding (not with --dask, whose pieces are dense: "
                              "refused beyond 256 indicator columns).")
    fit.add_argument("data", metavar="DATA.csv", help="comma-separated, a header line, numbers or text (see the "
                     "reading options); '-': standard input")
    fit.add_argument("--method", type=_method, default="GD", help="learning method (default GD): "
                     + ", ".join(METHODS))
    fit.add_argument("--variant", type=_variant, help="the rule: R (R's numbers), or the published one, textbook "
                     "(ADAGRAD, ADADELTA, RMSPROP, ADAM, AGD, SAGD, SSGD, SVRG, SARAHPlus) or amsgrad (ADAM); default: "
                     "R, but textbook for SARAHPlus where the fit converges (as its estimator)")
    _add_fit_options(fit, seed_default=None)
    _add_reading_options(fit, choosing=True)
    _add_cluster_options(fit)
    fit.add_argument("--model-out", metavar="MODEL.json", help="write the fitted model (JSON) for 'predict'; '-': to "
                     "standard output (the report then goes to stderr)")
    fit.add_argument("--plot", metavar="LOSS.png", type=_plot_path,
                     help="draw the loss record, beside the least-squares MSE over all rows (a single-row method "
                     "records the squared residuals of the rows it draws: its final MSE over all rows is drawn too)")
    fit.set_defaults(run=command_fit, command="fit")

    pred = commands.add_parser("predict", help="predict the rows of a CSV file with a saved model",
                               description="Predict DATA.csv with MODEL.json (from 'fit --model-out'). Columns "
                               "are matched by name; the target column may be absent; other columns are passed "
                               "through. A categorical column is coded with the model's levels (a level it was not "
                               "fitted with is an error). Writes DATA's columns plus 'prediction'.")
    pred.add_argument("model", metavar="MODEL.json", help="from 'fit --model-out'; '-': standard input")
    pred.add_argument("data", metavar="DATA.csv", help="'-': standard input (not both)")
    pred.add_argument("-o", "--output", metavar="OUT.csv", help="write here instead of to stdout ('-': stdout)")
    pred.add_argument("--quiet", action="store_true", help="no notes on stderr")
    pred.add_argument("--na", choices=NA_ACTIONS, default="fail",
                      help="rows with an empty (or NA) cell in an input column: fail (the default, R's na.fail: an "
                      "error naming the first), exclude (R's na.exclude: their prediction is empty, every other row "
                      "has its own, in order) or drop (R's na.omit: they are left out of the output)")
    _add_cluster_options(pred)
    _add_reading_options(pred, choosing=False)
    pred.set_defaults(run=command_predict)

    comp = commands.add_parser("compare", help="fit every method with the same settings and rank them",
                               description="Fit each method on DATA.csv (default: the bundled CO2 "
                               "compressibility data) as its scikit-learn estimator does, to coefficients certified "
                               "within --tol of the least-squares solution (--tol none: R's fixed iterations); print "
                               "a table sorted by test (else train) RMSE, with the gap to the least-squares fit (the "
                               "training MSE above its MSE, relative to it: +0.00% where rounding puts it below, as "
                               "no fit is below least squares), the certified error of the coefficients, the passes "
                               "over the data, the time and whether each converged. The seed is 1 unless --seed is "
                               "given.")
    comp.add_argument("data", metavar="DATA.csv", nargs="?", help="default: the bundled co2_compressibility; '-': "
                      "standard input")
    comp.add_argument("--methods", type=_methods, help="comma-separated methods (default all 14, or with --variant "
                      "those that have one of its variants)")
    comp.add_argument("--variant", type=_variants, metavar="VARIANTS",
                      help="comma-separated rules, e.g. R,textbook: each method is fitted in each listed variant it "
                      "has (default R)")
    _add_fit_options(comp, seed_default=COMPARE_SEED)
    _add_reading_options(comp, choosing=True)
    comp.add_argument("--plot", metavar="CURVES.png", type=_plot_path,
                      help="draw all loss records on one figure, beside the least-squares MSE over all rows")
    comp.set_defaults(run=command_compare, command="compare")

    _add_explore(commands)

    data = commands.add_parser("datasets", help="list the bundled data sets, or write one as CSV",
                               description="List the bundled data sets, or write NAME as CSV.")
    data.add_argument("name", metavar="NAME", nargs="?")
    data.add_argument("-o", "--output", metavar="OUT.csv", help="write here instead of to stdout ('-': stdout)")
    data.set_defaults(run=command_datasets)
    return parser


def _add_explore(commands):
    p = explorer_page
    explore = commands.add_parser(
        "explore", help="write one web page to explore the methods' paths, offline",
        description="Write PAGE.html, one self-contained page that works without a server or network: menus and "
        "sliders choose a method and its variant (or a race of up to five methods from one start), the learning "
        "rate, the momentum and the seed; buttons step along the path, back and forward, or play it, on the "
        "contours of the loss over two coefficients (the others at their least-squares values), beside the loss "
        "and, for the adaptive methods, each coefficient's step. Every path is the package's fit stopped there "
        "(R's fixed iterations from R's start for the seed), computed when the page is written over a grid: each "
        f"of the 24 methods and variants at {len(p.ALPHAS)} learning rates, {len(p.MOMENTA)} momenta (for MGD, "
        f"AGD, ADADELTA, RMSPROP), seeds 1 to {p.SEEDS}, {p.PASSES} passes over the data. On the default table "
        "(100 rows, two inputs) the page takes 5.5 MB and about 5 seconds to write; its size grows with the "
        f"passes, seeds, learning rates, momenta and inputs, and a page over {p.MAX_BYTES / 1e6:.0f} MB is refused "
        "before any fit. The time grows with the rows too.")
    explore.add_argument("data", metavar="DATA.csv", nargs="?", help="default: a table of two correlated inputs "
                         "(graddescent.explorer.problem.example), whose two slopes are drawn; '-': standard input")
    explore.add_argument("-o", "--output", metavar="PAGE.html", required=True, help="the page to write ('-': "
                         "standard output)")
    explore.add_argument("--target", metavar="COL", help="the column to predict (default: the last)")
    explore.add_argument("--coefficients", metavar="A,B", help="the two coefficients drawn: '(Intercept)' or input "
                         "columns' names (default: the last two)")
    explore.add_argument("--scaling", type=_scaling, default="variance",
                         help="feature scaling before the fits: variance (default), minmax or none")
    grid = explore.add_argument_group("the grid of settings")
    grid.add_argument("--alphas", type=_number_list(0, low_open=True), metavar="A,B,...",
                      help=f"the learning rates, at most 12 (default {','.join(f'{a:g}' for a in p.ALPHAS)})")
    grid.add_argument("--momenta", type=_number_list(0, 1, high_open=True), metavar="A,B,...",
                      help=f"the momenta, at most 12 (default {','.join(f'{u:g}' for u in p.MOMENTA)})")
    grid.add_argument("--seeds", type=_whole(1, 20), default=p.SEEDS, metavar="N",
                      help=f"seeds 1 to N, at most 20 (default {p.SEEDS})")
    grid.add_argument("--passes", type=_whole(1, 1000), default=p.PASSES, metavar="N",
                      help=f"passes over the data of every fit (default {p.PASSES})")
    explore.add_argument("--quiet", action="store_true", help="no progress bar or notes on stderr")
    _add_reading_options(explore, choosing=True)
    explore.set_defaults(run=command_explore)


def _add_fit_options(parser, seed_default):
    d = CONTROL_DEFAULTS
    parser.add_argument("--target", metavar="COL", help="the column to predict (default: the last)")
    parser.add_argument("--weights", metavar="COL", help="a column of frequency weights (not an input): a row of "
                        "weight w counts as w copies of it, 0 leaves it out; the fit, its scaling and the report "
                        "are weighted, and the model file names the column")
    group = parser.add_argument_group("learning options (R's control; each method uses its own). The defaults are "
                                      "the scikit-learn estimators'; R's where the fit runs R's fixed iterations")
    group.add_argument("--alpha", type=_alpha, help=f"learning rate, or 'auto': derived from the data (default auto; "
                       f"R's {d['alpha']})")
    group.add_argument("--max-iter", type=_max_iter, help=f"iterations, R's maxIter, or 'auto': as many as the "
                       f"certificate needs by the data's spectrum (default auto; R's {d['maxIter']})")
    group.add_argument("--momentum", type=_momentum, help=f"in [0, 1), or 'auto' (MGD, AGD): optimal for the data's "
                       f"spectrum (default auto for MGD and AGD, 0.999 for RMSPROP and ADADELTA; R's {d['momentum']})")
    group.add_argument("--n-batch", type=_whole(1), help=f"batches, MBGD (default {d['nBatch']})")
    group.add_argument("--inner-iter", type=_whole(1, MAX_ITER),
                       help=f"inner iterations, SVRG/SSGD/SARAH/SARAHPlus (default the number of training rows; "
                       f"R's {d['innerIter']})")
    group.add_argument("--option", type=int, choices=(1, 2), help=f"SVRG's option (default {d['option']})")
    group.add_argument("--lamda", type=_number(0), help=f"SSGD's lamda, >= 0 (default {d['lamda']})")
    group.add_argument("--gamma-s", type=_number(0, low_open=True), help=f"SARAHPlus's gammaS (default {d['gammaS']})")
    published = parser.add_argument_group("the published rules' constants (beyond R; with --variant textbook or "
                                          "amsgrad; torch.optim's defaults)")
    published.add_argument("--beta1", type=_number(0, 1, high_open=True), help="ADAM's first-moment decay (0.9)")
    published.add_argument("--beta2", type=_number(0, 1, high_open=True), help="ADAM's second-moment decay (0.999)")
    published.add_argument("--epsilon", type=_number(0, low_open=True), help="ADAGRAD's (1e-10), ADADELTA's (1e-6), "
                           "RMSPROP's and ADAM's (1e-8) epsilon")
    rule = parser.add_argument_group("convergence (beyond R)")
    rule.add_argument("--tol", type=_tol, default="auto", metavar="TOL",
                      help="converged once the coefficients are certified within TOL of the least-squares solution "
                      "(the largest standardized error over the largest standardized slope); the methods of noisy "
                      "steps (the single-row ones and MBGD) also stop where their loss stalls. Default auto: the "
                      "estimators', 1e-4, and 1e-3 for the noisy ones. 'none': R's fixed iterations at R's defaults, "
                      "as are --alpha (a number) or --max-iter given without --tol" + (
                          "" if seed_default is None else " to fit"))
    rule.add_argument("--n-iter-no-change", type=_whole(1), default=PATIENCE, metavar="N",
                      help=f"passes in a row in which a noisy method's loss stalls to end its fit (default {PATIENCE})")
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
                       "blocks, not the file; the same numbers as in memory. Every pass checks that the file is "
                       "the one the first pass read")
    where.add_argument("--scheduler", metavar="ADDRESS", type=_address, help="the same on an existing Dask cluster "
                       "(its workers read DATA.csv at the same path), e.g. tcp://10.0.0.5:8786")
    group.add_argument("--workers", type=_whole(1, 1024), metavar="N", help="--dask's worker processes (default: "
                       "one per core)")
    group.add_argument("--persist", action="store_true", help="with --dask or --scheduler, keep the numbers read in "
                       "the workers' memory after the first pass (faster passes, memory for the numbers)")
    group.add_argument("--timeout", type=_number(0, low_open=True), metavar="SECONDS",
                       help="with --dask or --scheduler, how long to wait for the scheduler to answer, for a worker "
                       "to join, and, mid-fit, for a cluster left without workers or scheduler to have them again, "
                       f"before ending with an error (default {SCHEDULER_TIMEOUT})")


def _add_reading_options(parser, choosing):
    group = parser.add_argument_group("reading DATA.csv")
    group.add_argument("--sep", type=_character("the field separator; 'tab' for a tab", SEPARATOR_NAMES),
                       default=",", metavar="CHAR", help="field separator (default ','; 'tab' for tabs)")
    group.add_argument("--decimal", type=_character("the decimal mark", not_in_numbers=True), default=".",
                       metavar="CHAR",
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
        group.add_argument("--categorical", metavar="COLS", action="append",
                           help="fit these columns (comma-separated; e.g. numeric codes) as categories, as a column "
                           "of text is: one indicator column per level after the first, the reference (R's "
                           "treatment coding, levels sorted as R's factor() sorts them); may be repeated")
