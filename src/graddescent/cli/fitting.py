"""A fit as the command line asks for it: R's control from the options, ``learn``, the remedy of a
diverged fit in option names."""

import re
import time

from ..methods import BY_ROW, CONSTANTS
from ..toplevel import CONTROL_DEFAULTS, fit_learn
from ..validation import MAX_ITER, MAX_STEPS
from .messages import CLIError
from .options import SCALINGS

CONVERGE_PASSES = 1000  # --max-iter's default with --tol, in passes over the data (the estimators' max_iter)
# command-line option -> R's control entry
CONTROL_OPTIONS = {"alpha": "alpha", "max_iter": "maxIter", "momentum": "momentum", "n_batch": "nBatch",
                   "inner_iter": "innerIter", "option": "option", "lamda": "lamda", "gamma_s": "gammaS",
                   "beta1": "beta1", "beta2": "beta2", "epsilon": "epsilon"}


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


def _remedy(fit):
    """A diverged fit's remedy, in the command's option names."""
    text = re.sub(r"(?<![-\w])alpha\b(='auto')?", lambda m: "--alpha auto" if m.group(1) else "--alpha", fit.remedy)
    return (text.replace("(innerIter)", "(--inner-iter)").replace("(varianceScaling)", "(--scaling variance)")
            .replace("a smaller momentum", "a smaller --momentum"))
