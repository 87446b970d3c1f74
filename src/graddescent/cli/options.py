"""The values of the command line's options, parsed and checked (argparse types)."""

import argparse
import math
import os

from ..catalog import METHODS
from ..validation import MAX_ITER

SCALINGS = {"variance": "VARIANCE", "minmax": "MINMAX", "none": None}
PLOT_FORMATS = (".png", ".svg", ".pdf")
SEED_RANGE = (-(2**31 - 1), 2**31 - 1)  # R's integers, as set.seed takes
SEPARATOR_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";"}
ALL_VARIANTS = ("R", "textbook", "amsgrad")


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


def _number_list(low=None, high=None, low_open=False, high_open=False, most=12):
    """Numbers separated by commas, each as :func:`_number` checks it, at most ``most``, kept in increasing order."""
    one = _number(low, high, low_open, high_open)

    def parse(text):
        values = sorted({one(part.strip()) for part in text.split(",") if part.strip()})
        if not values:
            raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}")
        if len(values) > most:
            raise argparse.ArgumentTypeError(f"at most {most} values, got {len(values)}")
        return values
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


def _character(what, names=None, not_in_numbers=False):
    """One character; ``not_in_numbers``: none that a number holds (a digit, a sign, an exponent's e)."""
    def parse(text):
        value = (names or {}).get(text.lower(), text)
        if len(value) != 1 or value in "\"\r\n":
            raise argparse.ArgumentTypeError(f"must be one character ({what}), got {text!r}")
        if not_in_numbers and (value.isdigit() or value in "eE+-" or value.isspace()):
            raise argparse.ArgumentTypeError(f"{text!r} occurs in numbers (digits, signs, the exponent's e), so it "
                                             f"cannot be {what}; use '.' or ','")
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
                                         "has: graddescent.catalog.METHODS)")
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
    if text.lower() in ("none", "auto"):
        return None if text.lower() == "none" else "auto"
    return _number(0)(text)


def _momentum(text):
    if text.lower() == "auto":
        return "auto"
    return _number(0, 1, high_open=True)(text)


def _max_iter(text):
    if text.lower() == "auto":
        return "auto"
    return _whole(1, MAX_ITER)(text)


def _plot_path(text):
    if text == "-":
        raise argparse.ArgumentTypeError("cannot be standard output ('-'), where the report goes; give the figure a "
                                         f"file name ending {', '.join(PLOT_FORMATS)}")
    if os.path.splitext(text)[1].lower() not in PLOT_FORMATS:
        raise argparse.ArgumentTypeError(f"cannot tell the image format of {text!r}; "
                                         f"end the name with {', '.join(PLOT_FORMATS)}")
    return text


def _address(text):
    if not text.strip():
        raise argparse.ArgumentTypeError("needs the Dask scheduler's address, e.g. tcp://127.0.0.1:8786 (or use --dask "
                                         "for a cluster on this machine)")
    return text.strip()
