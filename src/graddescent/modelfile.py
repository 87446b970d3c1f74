"""The JSON model file of the command line (``fit --model-out``, ``predict``), version 1.

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
    deviations or ranges, positive normal numbers), one per column; null without feature
    scaling.
``theta`` : list of n numbers
    The coefficients, intercept first, then one per input, in scaled units when
    ``feature_scaling`` (R's ``model``).

and one optional field, written only for a model fitted with a published rule
(``--variant``), so that a file of R's rule reads as before, and files without it are read
as R's rule:

``variant`` : object
    ``name``, the variant (``"textbook"``, or ``"amsgrad"`` for ADAM: one the method has),
    and the published rule's constants the method takes, as fitted, numbers: ``epsilon``
    (> 0) for ADAGRAD, ADADELTA, RMSPROP and ADAM, ``beta1`` and ``beta2`` (in [0, 1)) for
    ADAM; no other key.

and one more, written for a fit that converges to a tolerance (the command line's default):

``certificate`` : object
    ``tol``, the tolerance (> 0); ``error``, the certified bound on the coefficients' relative
    error at the end of the fit (>= 0; null where the fit could not be certified: data too
    wide); ``converged``, true or false (:mod:`graddescent.certificate`). For the record:
    predictions do not use it.

and one more, written only for a model with categorical inputs (text columns, or
``--categorical``), so that files without it read as before (every input a number):

``levels`` : object
    For each categorical column of the data, by its name, its levels in order: at least two
    distinct strings, or at least two distinct finite numbers (a numeric code, matched by
    value), sorted (strings by code point, numbers by value). The first is the reference
    level; each other level ``l`` is the input column named the column's name then ``l``
    (``firmChrysler``; a number written as :func:`graddescent.coding.level_label` writes it),
    and these input columns stand together in ``columns``, in the levels' order (R's
    treatment coding, :mod:`graddescent.coding`). The column's own name is not among
    ``columns``. ``predict`` reads the column and codes it so; a level that is not here is an
    error.

and one more, written only for a model fitted with frequency weights (``--weights``):

``weights`` : string
    The name of the data's column that weighed the rows (not an input: ``predict`` does not
    read it). For the record: predictions do not use it.

Reading is strict, because a model file may come from anywhere: it refuses a file that is not
UTF-8 JSON (a byte order mark is allowed), a key given twice in an object, a wrong ``format``
tag, a newer ``version``, a missing, unexpected or wrongly typed field (``variant`` and
``levels`` too), arrays of the wrong length, ``levels`` whose indicator columns are not in
``columns`` as said, numbers that are not finite (or are integers beyond double's range), an unknown
method, ``control`` values that the library's own checks refuse (``alpha`` > 0, ``maxIter``
1 to 10^8, ``momentum`` in [0, 1), ``nBatch`` >= 1, ``lamda`` >= 0, ``innerIter`` 1 to 10^8,
``option`` 1 or 2, ``gammaS`` > 0), a seed outside R's integer range, and a scale that is zero,
negative or too small to divide by (below 2.2e-308), with which every prediction would be
infinite.
"""

import json
import math

import numpy as np

from .catalog import METHODS
from .coding import Factor
from .rrandom import _check_seed
from .toplevel import CONTROL_DEFAULTS, GradDescentRObject
from .validation import MAX_STEPS, check_iterations, check_number, check_option, check_whole
from .writing import write_atomic

__all__ = ["MODEL_FORMAT", "MODEL_VERSION", "ModelFileError", "model_to_dict", "model_from_dict", "read_model",
           "read_model_factors", "write_model"]

MODEL_FORMAT = "graddescent-model"
MODEL_VERSION = 1
FIELDS = ("format", "version", "method", "control", "seed", "feature_scaling", "scaling_method", "columns",
          "target", "scaling_parameter", "theta")
OPTIONAL = ("variant", "certificate", "levels", "weights")  # (beyond the first files of version 1: read as before where absent)
_HOW_TO_WRITE = "write one with 'graddescent fit DATA.csv --model-out MODEL.json'"
# each control entry, held to the check the learning methods apply to it (methods.py)
_CONTROL_CHECKS = {
    "alpha": lambda v: check_number("alpha", v, low=0, low_open=True),
    "maxIter": lambda v: check_iterations("maxIter", v),  # (a single-row method's: see _control_check)
    "momentum": lambda v: check_number("momentum", v, low=0, high=1, high_open=True),
    "nBatch": lambda v: check_whole("nBatch", v, low=1),
    "lamda": lambda v: check_number("lamda", v, low=0),
    "innerIter": lambda v: check_iterations("innerIter", v),
    "option": check_option,
    "gammaS": lambda v: check_number("gammaS", v, low=0, low_open=True),
}


def _control_check(key, check, method):
    """A single-row method fitted with a stopping rule may take more steps than R's maxIter."""
    if key == "maxIter" and METHODS[method].by_row:
        return lambda v: check_iterations("maxIter", v, MAX_STEPS)
    return check


class ModelFileError(ValueError):
    """A model file that cannot be trusted; the message (one line) names the file and the problem."""


def model_to_dict(model, seed=None, tol=None, levels=None, weights=None):
    """A fitted model as the model-file object (see the module docstring for the schema).

    Parameters
    ----------
    model : GradDescentRObject
        From :func:`graddescent.learn`, with column names.
    seed : int or None
        The seed the fit was given.
    tol : float or None
        The tolerance the fit was judged by (None: R's fixed iterations, no ``certificate``).
    levels : dict, optional
        The categorical columns' levels (name -> list, the reference first), whose indicator
        columns are among the model's columns (the ``levels`` field; none: no field).
    weights : str, optional
        The name of the column of frequency weights the fit was given (the ``weights`` field;
        none: no field).

    Returns
    -------
    dict
        JSON-serialisable.
    """
    columns = [str(c) for c in model.columns]
    method, variant = model.learningMethod, model.control.get("variant", "R")
    published = {} if variant == "R" else {"variant": {"name": variant, **{
        key: float(default if model.control.get(key) is None else model.control[key])
        for key, default in METHODS[method].constants.items()}}}
    return {
        "format": MODEL_FORMAT, "version": MODEL_VERSION, "method": model.learningMethod,
        "control": {key: _plain(_taken(model, key)) for key in CONTROL_DEFAULTS},
        "seed": None if seed is None else int(seed),
        "feature_scaling": bool(model.featureScaling),
        "scaling_method": model.scalingMethod if model.featureScaling else None,
        "columns": columns, "target": columns[-1],
        "scaling_parameter": None if model.scalingParameter is None else np.asarray(model.scalingParameter).tolist(),
        "theta": np.asarray(model.model, dtype=np.float64).ravel().tolist(),
        **published,
        **({} if tol is None else {"certificate": {"tol": float(tol), "error": None if model.error is None or not
                                                   math.isfinite(model.error) else float(model.error),
                                                   "converged": bool(model.converged)}}),
        **({"levels": {name: list(values) for name, values in levels.items()}} if levels else {}),
        **({} if weights is None else {"weights": str(weights)}),
    }


def _taken(model, key):
    """A control entry as the fit took it: for ``"auto"`` the step chosen (R's default for
    ADADELTA, which takes none), the momentum chosen, the iterations run."""
    value = model.control[key]
    if key == "alpha" and isinstance(value, str):
        return CONTROL_DEFAULTS["alpha"] if getattr(model, "alpha", None) is None else model.alpha
    if key == "momentum" and isinstance(value, str):
        return CONTROL_DEFAULTS["momentum"] if getattr(model, "momentum", None) is None else model.momentum
    if key == "maxIter" and isinstance(value, str):
        return int(model.n_iter)
    return value


def _plain(value):
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def write_model(model, path, seed=None, tol=None, levels=None, weights=None):
    """Write a fitted model as a JSON model file, whole or not at all (see :mod:`graddescent.writing`).

    Parameters
    ----------
    model : GradDescentRObject
    path : str, or a text file
        A file name, or an open text file (a stream, such as ``sys.stdout``) to write it to.
    seed : int or None
    tol : float or None
        The tolerance the fit was judged by (the ``certificate`` field; None: none).
    levels : dict, optional
        The categorical columns' levels (the ``levels`` field; none: no field).
    weights : str, optional
        The column of frequency weights (the ``weights`` field; none: no field).
    """
    document = model_to_dict(model, seed, tol, levels, weights)
    if hasattr(path, "write"):
        path.write(json.dumps(document, indent=2) + "\n")
        return
    write_atomic(path, lambda f: f.write(json.dumps(document, indent=2) + "\n"))


def read_model(path):
    """Read and validate a model file; refuse anything that cannot be trusted.

    Parameters
    ----------
    path : str, or a binary file
        A file name, or an open binary file (a stream, such as ``sys.stdin.buffer``, called
        "standard input" in messages), read whole.

    Returns
    -------
    GradDescentRObject
        Ready for :func:`graddescent.predict` (its ``loss`` is None), on inputs whose
        categorical columns are coded as the file's ``levels`` say (:func:`read_model_factors`).

    Raises
    ------
    ModelFileError
        Naming the file and what is wrong with it.
    """
    return read_model_factors(path)[0]


def read_model_factors(path):
    """:func:`read_model`, and the model's categorical columns.

    Parameters
    ----------
    path : str, or a binary file

    Returns
    -------
    model : GradDescentRObject
    factors : list of graddescent.coding.Factor
        The categorical columns of the file's ``levels``, in its order (empty without it).

    Raises
    ------
    ModelFileError
    """
    try:
        if hasattr(path, "read"):
            raw = path.read()
            path = "standard input" if getattr(path, "name", None) in ("<stdin>", 0) else str(getattr(path, "name",
                                                                                                     "the stream"))
        else:
            path = str(path)
            with open(path, "rb") as f:
                raw = f.read()
    except FileNotFoundError:
        raise ModelFileError(f"MODEL file {path!r} does not exist; {_HOW_TO_WRITE}") from None
    except IsADirectoryError:
        raise ModelFileError(f"MODEL {path!r} is a folder, not a model file") from None
    try:
        document = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constant,
                              object_pairs_hook=_object_without_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = ("not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "nested too deeply"
                  if isinstance(exc, RecursionError) else str(exc) if isinstance(exc, _DuplicateKey)
                  else f"not valid JSON ({exc})")
        raise ModelFileError(f"{path!r} is not a graddescent model file: {reason}; {_HOW_TO_WRITE}") from None
    try:
        return _model_and_factors(document)
    except ValueError as exc:
        raise ModelFileError(f"{path!r} is not a usable graddescent model file: {exc}") from None


class _DuplicateKey(ValueError):
    pass


def _object_without_duplicates(pairs):
    document = dict(pairs)
    if len(document) != len(pairs):
        seen = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _DuplicateKey(f"the key {key!r} is given twice in one object (a model file names each field once)")
    return document


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
    return _model_and_factors(document)[0]


def _model_and_factors(document):
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object, found {type(document).__name__}")
    if document.get("format") != MODEL_FORMAT:
        raise ValueError(f"its format tag is {_short(document.get('format'))}, not {MODEL_FORMAT!r}")
    version = document.get("version")
    if not _is_int(version) or version < 1:
        raise ValueError(f"version must be a whole number >= 1, found {_short(version)}")
    if version > MODEL_VERSION:
        raise ValueError(f"it is version {_short(version)}, written by a newer graddescent (this one reads version "
                         f"{MODEL_VERSION}); upgrade graddescent")
    missing = [f for f in FIELDS if f not in document]
    if missing:
        raise ValueError(f"missing field(s) {missing}")
    unexpected = sorted(set(document) - set(FIELDS) - set(OPTIONAL))
    if unexpected:
        raise ValueError(f"unexpected field(s) {unexpected}")
    d = document
    if not isinstance(d["method"], str) or d["method"] not in METHODS:
        raise ValueError(f"unknown method {_short(d['method'])}; the methods are {', '.join(METHODS)}")
    control = d["control"]
    if not isinstance(control, dict) or set(control) != set(CONTROL_DEFAULTS):
        raise ValueError(f"control must be an object with the numbers {', '.join(CONTROL_DEFAULTS)}")
    for key, check in _CONTROL_CHECKS.items():
        if not _is_number(control[key]):
            raise ValueError(f"control must be an object with the numbers {', '.join(CONTROL_DEFAULTS)}; its "
                             f"{key} is {_short(control[key])}")
        try:
            _control_check(key, check, d["method"])(control[key])
        except ValueError as exc:
            raise ValueError(f"control: {exc}") from None
    published = _variant(d["variant"], d["method"]) if "variant" in d else {}
    certificate = _certificate(d["certificate"]) if "certificate" in d else {}
    if d["seed"] is not None:
        if not _is_int(d["seed"]):
            raise ValueError(f"seed must be a whole number or null, found {_short(d['seed'])}")
        _check_seed(d["seed"])
    if not isinstance(d["feature_scaling"], bool):
        raise ValueError(f"feature_scaling must be true or false, found {_short(d['feature_scaling'])}")
    columns = d["columns"]
    if (not isinstance(columns, list) or len(columns) < 2 or not all(isinstance(c, str) for c in columns)
            or len(set(columns)) != len(columns)):
        raise ValueError("columns must be a list of at least 2 distinct names (the inputs, then the target)")
    n = len(columns)
    if d["target"] != columns[-1]:
        raise ValueError(f"target {_short(d['target'])} is not the last of columns ({columns[-1]!r})")
    theta = _finite_array(d["theta"], (n,), "theta")
    if d["feature_scaling"]:
        if d["scaling_method"] not in ("VARIANCE", "MINMAX"):
            raise ValueError(f"scaling_method must be 'VARIANCE' or 'MINMAX', found {_short(d['scaling_method'])}")
        parameter = _finite_array(d["scaling_parameter"], (2, n), "scaling_parameter")
        _check_scales(parameter[1], columns)
    else:
        if d["scaling_parameter"] is not None or d["scaling_method"] is not None:
            raise ValueError("scaling_method and scaling_parameter must be null when feature_scaling is false")
        parameter = None
    factors = _levels(d["levels"], columns) if "levels" in d else []
    if "weights" in d and (not isinstance(d["weights"], str) or not d["weights"] or d["weights"] in columns):
        raise ValueError(f"weights must be the name of the column of weights (not one of columns), found "
                         f"{_short(d['weights'])}")
    model = GradDescentRObject(d["feature_scaling"], d["scaling_method"] or "VARIANCE", parameter, d["method"],
                               theta.reshape(1, -1), {**{k: control[k] for k in CONTROL_DEFAULTS}, **published},
                               list(columns), converged=certificate.get("converged"), error=certificate.get("error"))
    return model, factors


def _levels(levels, columns):
    """The optional ``levels`` field, checked: each column's levels, and their indicator columns
    together in ``columns``, in order, among the inputs. Returns the factors."""
    if not isinstance(levels, dict) or not levels:
        raise ValueError("levels must be an object naming at least one categorical column")
    factors, taken = [], set()
    inputs = columns[:-1]
    for name, values in levels.items():
        if (not isinstance(values, list) or len(values) < 2
                or not (all(isinstance(v, str) for v in values) or all(_is_number(v) for v in values))
                or len(set(values)) != len(values)):
            raise ValueError(f"levels: {name!r} must have at least 2 distinct levels, all strings or all finite "
                             "numbers")
        if values != sorted(values):
            raise ValueError(f"levels: the levels of {name!r} must be sorted (the reference level first)")
        if name in columns:
            raise ValueError(f"levels: {name!r} is also one of columns; a categorical column enters as its indicator "
                             "columns")
        factor = Factor(name, [float(v) for v in values] if not isinstance(values[0], str) else values)
        try:
            at = inputs.index(factor.names[0])
        except ValueError:
            at = -1
        if at < 0 or inputs[at:at + len(factor.names)] != factor.names or taken & set(factor.names):
            raise ValueError(f"levels: the indicator columns of {name!r} ({', '.join(map(repr, factor.names[:3]))}"
                             f"{', ...' if len(factor.names) > 3 else ''}) must stand together among the inputs in "
                             "columns, in the order of its levels")
        taken |= set(factor.names)
        factors.append(factor)
    return factors


def _certificate(certificate):
    """The optional ``certificate`` field, checked (for the record)."""
    if not isinstance(certificate, dict) or set(certificate) != {"tol", "error", "converged"}:
        raise ValueError("certificate must be an object with exactly the keys tol, error, converged")
    if not _is_number(certificate["tol"]) or not certificate["tol"] > 0:
        raise ValueError(f"certificate: tol must be a number > 0, found {_short(certificate['tol'])}")
    error = certificate["error"]
    if error is not None and (not _is_number(error) or error < 0):
        raise ValueError(f"certificate: error must be a number >= 0 or null, found {_short(error)}")
    if not isinstance(certificate["converged"], bool):
        raise ValueError(f"certificate: converged must be true or false, found {_short(certificate['converged'])}")
    return certificate


def _variant(variant, method):
    """The optional ``variant`` field, checked: a published rule the method has, with exactly
    its constants, each held to the library's checks. Returns them as control entries."""
    have = [v for v in METHODS[method].variants if v != "R"]
    constants = METHODS[method].constants
    keys = ", ".join(["name", *constants])
    if not isinstance(variant, dict) or set(variant) != {"name", *constants}:
        raise ValueError(f"variant must be an object with exactly the keys {keys} for {method}")
    if variant["name"] not in have:
        rules = f"it has {', '.join(map(repr, have))}" if have else "it has only R's rule (no variant field)"
        raise ValueError(f"variant: {method} has no variant {_short(variant['name'])}; {rules}")
    for key in constants:
        value = variant[key]
        if not _is_number(value):
            raise ValueError(f"variant: {key} must be a finite number, found {_short(value)}")
        if key == "epsilon":
            check_number(key, value, low=0, low_open=True)
        else:
            check_number(key, value, low=0, high=1, high_open=True)
    return {"variant": variant["name"], **{key: variant[key] for key in constants}}


def _check_scales(scales, columns):
    """Scales divide the data: zero, negative or subnormal ones would make every prediction inf or NaN."""
    j = int(np.argmin(scales))
    if scales[j] == 0:
        raise ValueError(f"scaling_parameter has a zero scale (column {columns[j]!r}); refit the model")
    if scales[j] < 0:
        raise ValueError(f"scaling_parameter has a negative scale, {scales[j]:g} (column {columns[j]!r}); scales "
                         "are standard deviations or ranges: refit the model")
    if scales[j] < np.finfo(np.float64).tiny:
        raise ValueError(f"scaling_parameter has a scale of {scales[j]:g} (column {columns[j]!r}), too small to "
                         "divide by (below 2.2e-308: every prediction would be infinite); refit the model")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer literal beyond double's range
        return False


def _short(value):
    """A value for a message: its repr, or what it is when that would be long (a huge integer, say)."""
    text = repr(value)
    if len(text) <= 40:
        return text
    if _is_int(value):
        return f"an integer of {len(str(abs(value)))} digits"
    return f"{text[:30]}... ({type(value).__name__})"


def _finite_array(value, shape, name):
    def ok(v, depth):
        if depth == len(shape):
            return _is_number(v)
        return isinstance(v, list) and len(v) == shape[depth] and all(ok(x, depth + 1) for x in v)

    if not ok(value, 0):
        size = " x ".join(map(str, shape))
        raise ValueError(f"{name} must be {size} finite numbers (one per column)")
    return np.asarray(value, dtype=np.float64)
