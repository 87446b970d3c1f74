"""A fit as the command line asks for it: R's control from the options, ``learn``, the remedy of a
diverged fit in option names."""

import re
import time

from ..catalog import METHODS
from ..convergence import AVERAGED_TOL, TOL
from ..toplevel import fit_learn
from .inputs import SparseTable, weights_of
from .messages import CLIError
from .options import SCALINGS

# command-line option -> R's control entry
CONTROL_OPTIONS = {"alpha": "alpha", "max_iter": "maxIter", "momentum": "momentum", "n_batch": "nBatch",
                   "inner_iter": "innerIter", "option": "option", "lamda": "lamda", "gamma_s": "gammaS",
                   "beta1": "beta1", "beta2": "beta2", "epsilon": "epsilon"}


def r_iterations(args):
    """Whether the fit runs R's fixed iterations: ``--tol none``; or, for ``fit``, ``--alpha``
    (a number) or ``--max-iter`` given without ``--tol`` (they keep R's meaning)."""
    return args.tol is None or args.tol == "auto" and args.command == "fit" and (
        isinstance(args.alpha, float) or args.max_iter is not None)


def _control(args, rows, method, variant=None):
    """The control entries of this fit and its tolerance: those given on the command line for
    this method (learn fills in R's defaults) and the variant (None: R's rule for R's fixed
    iterations, else the method's estimator's); where the fit converges, those not given are
    the scikit-learn estimators' defaults, and so is the tolerance (``--tol auto``). The
    published rules' constants go to the published rules only where the command fits several
    variants (compare)."""
    record = METHODS[method]
    r_mode = r_iterations(args)
    tol = None if r_mode else (record.averages and AVERAGED_TOL or TOL) if args.tol == "auto" else args.tol
    control = {entry: getattr(args, option) for option, entry in CONTROL_OPTIONS.items()
               if getattr(args, option) is not None}
    variant = variant if variant is not None else "R" if r_mode else record.variant
    if variant != "R":
        control["variant"] = variant
    elif not isinstance(args.variant, (str, type(None))):  # (compare)
        control = {k: v for k, v in control.items() if k not in METHODS["ADAM"].constants}
    if control.get("nBatch", 1) > rows:
        raise CLIError(f"--n-batch {control['nBatch']} is more than the {rows} training rows; use at most {rows}")
    if tol is not None:
        control.setdefault("alpha", "auto")
        control.setdefault("innerIter", rows)
        control.setdefault("maxIter", "auto")
        if "momentum" in record.control:
            control.setdefault("momentum", record.momentum)  # (the estimators')
    elif "auto" in (control.get("maxIter"), control.get("momentum")):
        option = "--max-iter" if control.get("maxIter") == "auto" else "--momentum"
        raise CLIError(f"{option} auto needs the spectrum of the data, which R's fixed iterations do not take; "
                       "leave out --tol none (or give a number)")
    return control, tol


def _fit(train, method, args, control, tol):
    """``learn`` with the command's settings: (object, seconds, what happened: a Fit)."""
    scaling = SCALINGS[args.scaling]
    start = time.perf_counter()
    averaged = METHODS[method].averages  # with a tolerance and the step auto, as the estimators do
    data = train.data() if isinstance(train, SparseTable) else train  # (the sparse kind of data, as it is)
    result, fit = fit_learn(data, featureScaling=scaling is not None, scalingMethod=scaling or "VARIANCE",
                            learningMethod=method, control=control, seed=args.seed, tol=tol,
                            n_iter_no_change=args.n_iter_no_change, weights=weights_of(train),
                            average=True if averaged and tol is not None and control.get("alpha") == "auto" else None)
    return result, time.perf_counter() - start, fit


def in_option_names(text):
    """A message of the library in the command's option names."""
    text = re.sub(r"(?<![-\w])alpha\b(='auto')?", lambda m: "--alpha auto" if m.group(1) else "--alpha", text)
    return (text.replace("(innerIter)", "(--inner-iter)").replace("(varianceScaling)", "(--scaling variance)")
            .replace("a smaller momentum", "a smaller --momentum").replace("raise maxIter", "raise --max-iter")
            .replace("momentum='auto'", "--momentum auto").replace("or a smaller step", "or a smaller --alpha"))


def _remedy(fit):
    """A diverged fit's remedy, in the command's option names."""
    return in_option_names(fit.remedy)
