"""The ``graddescent`` command: fit, predict and compare on CSV files, with no Python to write.

Commands (``graddescent COMMAND --help`` for the options)::

    graddescent fit DATA.csv [--target COL] [--method GD] [--variant R] [control options] [--seed S]
                    [--scaling variance|minmax|none] [--test-rate R | --train-rate R]
                    [--model-out MODEL.json] [--plot LOSS.png] [--json] [--quiet]
                    [reading options] [--columns COLS | --drop COLS] [--dropna] [--categorical COLS]
    graddescent predict MODEL.json DATA.csv [-o OUT.csv] [--na fail|exclude|drop] [--quiet] [reading options]
    graddescent compare [DATA.csv] [--methods M1,M2,...] [--variant R,textbook,...] [--plot CURVES.png]
                        [the fit options]
    graddescent explore [DATA.csv] -o PAGE.html [--coefficients A,B] [--alphas A,B,...] [--momenta A,B,...]
                        [--seeds N] [--passes N] [--scaling ...] [reading options]
    graddescent datasets [NAME [-o OUT.csv]]

    reading options: [--sep CHAR] [--decimal CHAR] [--header | --no-header] [--index-col COL]

``fit`` runs :func:`graddescent.learn` exactly as ``gradDescentR.learn(dataSet,
featureScaling, scalingMethod, learningMethod, control, seed)`` with the target column
moved last. ``--test-rate R`` holds out the fraction R of the rows for testing: it is
R's ``splitData(dataSet, dataTrainRate = 1 - R, seed)``; ``--train-rate R`` passes R as
``dataTrainRate`` itself. ``--variant textbook`` (``amsgrad`` for ADAM) fits the
published rule where the method's R rule departs from it (``graddescent.catalog.METHODS``);
``compare --variant R,textbook`` fits each method in each listed variant it has. ``fit``
takes no seed unless given (``--seed``); ``compare`` uses seed 1 unless given, so that its
table is the same at every run. Times are the wall time of each fit. Ctrl-C stops a fit within milliseconds (exit status 130).

Reading DATA.csv (``graddescent.reading``): a header line, fields separated by commas,
numbers with a decimal point, unless ``--sep``, ``--decimal``, ``--no-header`` say otherwise.
Row names as R's ``write.csv``/``write.table`` and pandas' ``to_csv`` write them are left out
of the data (``--index-col`` names such a column), empty unnamed columns are dropped, and
``--columns``, ``--drop``, ``--dropna`` choose the columns and rows that ``fit`` and
``compare`` use. What this does is said in notes on stderr (``--quiet`` silences them).

A column of text (one whose cells in the file's first MB are mostly not numbers), and a column
named by ``--categorical``, is fitted as R's ``lm`` fits a factor: R's treatment coding
(:mod:`graddescent.coding`), its levels sorted as R's ``factor()`` sorts them (in the C
locale), the first the reference, one indicator column per other level, named the column's
name then the level (``firmGeneral Motors``), where the column stood. Its levels go into the
model file. More than 256 indicator columns (or more than 1 GiB of them as dense numbers) are
held as a sparse design (``graddescent.cli.inputs``: scipy.sparse CSR, fitted as sparse data,
never densified), and ``predict`` codes such a model's rows sparse. An identifier (a different
value in almost every row), a column of one value, a target of text and, where the design must
be dense, more than 256 indicator columns (``--dask``) or 1 GiB of them (``explore``) are
refused with the fix. An input that only numbers the rows (an ID of 1 to n) is warned of.

``-`` as a file name is standard input (DATA.csv, MODEL.json; not both) or standard output
(``-o``, ``--model-out``, whose report then goes to stderr); a file named ``-`` is ``./-``.
``--dask`` and ``--scheduler`` bound every wait on the cluster by ``--timeout`` and check on
every pass that DATA.csv is the file the first pass read (``graddescent.cli.cluster``,
``graddescent.reading.HeldFile``).

Errors in the input (files, columns, option values, model files) end the command with
exit status 2 and one line on stderr, ``graddescent: error: ...``. Input files are never
modified; outputs appear whole or not at all, whatever stops the command
(``graddescent.writing``).

The model file (``--model-out``) is described in ``graddescent.modelfile``.

``explore`` writes the explorer of :mod:`graddescent.explorer` as one self-contained web page,
every path precomputed by the package over a grid of settings (``graddescent.explorer.page``).

``predict`` matches the data's columns to the model's by name, in any order. Every input
column must be present; the target column may be present (its values are ignored and
kept in the output, so they may be empty) or absent; any other column (an ID, row names)
is passed through to the output unchanged, as the note on stderr says. A categorical column
is coded with the model's levels (a level it was not fitted with is an error). A row with an
empty input is an error (``--na fail``, R's ``na.fail``), or gets an empty prediction (``--na
exclude``, R's ``na.exclude``), or is left out (``--na drop``). The output is the data's
columns plus ``prediction``, written with the data's separator and decimal mark.

The modules of this package, each importing only those listed after it: ``parser`` (the
options), ``commands`` (the five commands), ``figures``, ``quality`` (RMSE and the
least-squares reference), ``report`` (tables, JSON, progress), ``fitting`` (R's control from
the options), ``inputs`` (the data read, its categorical columns coded), ``cluster`` (Dask),
``options`` (option values) and ``messages`` (the one-line errors and notes).
"""

import os
import sys
import warnings

import pandas as pd

from ..modelfile import model_from_dict, model_to_dict, read_model, write_model
from .messages import CLIError, _fail, _message
from .parser import build_parser
from .report import progress_wanted

__all__ = ["main", "build_parser", "read_model", "write_model", "model_to_dict", "model_from_dict", "progress_wanted"]


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
