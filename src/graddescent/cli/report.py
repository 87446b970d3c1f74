"""What the commands print: tables, JSON, and the progress bars on stderr."""

import json
import math
import sys
import threading
import time

import numpy as np

from ..spectrum import GRAM_SIZE

PROGRESS_DELAY = 1.0  # seconds a fit runs before its progress bar appears


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


def _fit_table(r):
    lines = [f"{r['method']} on {r['data']}: {r['rows']} rows, {len(r['columns']) - 1} input(s), "
             f"target {r['target']!r}"]
    settings = ", ".join(f"{k}={v:g}" if not isinstance(v, str) else f"alpha=auto ({r['alpha']:.3g})" if k == "alpha"
                         else f"{k}={v}" for k, v in r["control"].items())
    rule = ("R's fixed iterations" if r["tol"] is None else
            f"tol={r['tol']:g} (coefficients certified within it)")
    variant = "" if r["variant"] == "R" else f"variant {r['variant']}; "
    lines.append(f"settings: {variant}{settings}; {rule}; scaling {r['scaling']}"
                 + ("" if r["seed"] is None else f"; seed {r['seed']}"))
    if r.get("weights"):
        lines.append(f"weighted by column {r['weights']!r} (frequency weights: the fit, the scaling, the least "
                     "squares, RMSE and R^2 are weighted)")
    lines.append("")
    names = ["(intercept)"] + r["columns"][:-1]
    least = r["least_squares"]["coefficients"] or [math.nan] * len(names)
    if r["scaling_parameter"] is None:
        rows = [[n, _g(c), _g(b)] for n, c, b in zip(names, r["coefficients"], least)]
        lines += _table(["column", "coefficient", "least squares"], rows, "lrr")
    else:
        rows = [[n, _g(t), _g(c), _g(b)] for n, t, c, b in zip(names, r["theta"], r["coefficients"], least)]
        lines += _table(["column", "theta (scaled)", "coefficient (original units)", "least squares"], rows, "lrrr")
    lines.append("")
    train_note = f"({r['train_rows']} rows)" if r["test_rows"] is None else f"({r['train_rows']} training rows)"
    facts = [["train RMSE", _g(r["train_rmse"]), train_note]]
    if r["test_rows"] is not None:
        facts.append(["test RMSE", _g(r["test_rmse"]), f"({r['test_rows']} held-out rows)"])
    facts.append(["R^2", _r2_text(r["r2"], r["adjusted_r2"]), "(least squares: "
                  f"{_r2_text(r['least_squares']['r2'], r['least_squares']['adjusted_r2'])})"])
    facts.append(["vs least squares", _percent(r["gap_to_least_squares"]), "(train MSE above the least-squares fit's)"])
    if r["certified_error"] is not None:
        facts.append(["certified error", _g(r["certified_error"]), "(of the coefficients: the largest standardized "
                      "error over the largest standardized slope)"])
    elif r["tol"] is not None and not r["diverged"]:
        facts.append(["certified error", "none", f"({_uncertified(len(r['columns']) - 1)})"])
    facts.append(["iterations", str(r["n_iter"]), f"({_passes(r['passes'])} passes over the data)"])
    if r["diverged"]:
        converged = ["no", "(diverged)"]
    elif r["converged"] is None:
        converged = ["not judged", "(R's fixed iterations)"]
    elif r["converged"] and r["certified_error"] is None:
        converged = ["yes", f"(its loss stopped improving by tol = {r['tol']:g}; the coefficients are not certified)"]
    elif r["converged"]:
        converged = ["yes", f"(the coefficients are certified within tol = {r['tol']:g} of least squares)"]
    elif r["certified_error"] is not None:
        converged = ["no", "(the coefficients are not certified within tol: see the warning)"]
    else:
        converged = ["no", "(stopped at --max-iter)"]
    facts.append(["converged", *converged])
    if r["design"]:
        facts.append(["design", "", r["design"]])
    facts.append(["time", f"{r['time_seconds']:.3f} s", ""])
    lines += [line.rstrip() for line in _table(None, facts, "lll")]
    return "\n".join(lines)


def _uncertified(inputs):
    """Why a fit with a tolerance has no certificate of its coefficients, in words."""
    if inputs > GRAM_SIZE - 1:
        return (f"no certificate: the exact Gram matrix it needs is built for at most {GRAM_SIZE - 1} inputs, and "
                f"this design has {inputs}; the fit stops where its loss stops improving by tol")
    return "no certificate: the data's Gram matrix overflows; the fit stops where its loss stops improving by tol"


def _r2_text(r2, adjusted):
    def text(value):  # (a diverged fit's R^2 is hugely negative: in exponent form, not 120 digits)
        return f"{value:.4f}" if abs(value) < 1e4 else f"{value:.3g}"

    return "nan" if not math.isfinite(r2) else text(r2) + ("" if not math.isfinite(adjusted) else
                                                             f", adjusted {text(adjusted)}")


def _percent(gap):
    """A gap (:func:`graddescent.cli.quality._gap`, never below 0) as shown: +0.00%, +12.34%, +15.2x; nan."""
    return "nan" if not math.isfinite(gap) else f"+{gap:.2%}" if gap < 10 else f"+{gap:.3g}x"


def _passes(passes):
    """Passes over the data for a table: whole from 10 on (1000, not 1e+03), else 3 digits."""
    return f"{passes:.0f}" if passes >= 10 else f"{passes:.3g}"


def _compare_table(s):
    given = ", ".join(f"{k}={v:g}" if not isinstance(v, str) else f"{k}={v}" for k, v in s["control"].items())
    rule = ("R's fixed iterations" if s["tol"] is None else
            "each method to coefficients certified within its estimator's tol (1e-4; 1e-3 for the noisy methods, "
            "which also stop where their loss stalls)" if s["tol"] == "auto" else
            f"each method to coefficients certified within tol={s['tol']:g}")
    if s["variants"] != ["estimators'"]:
        given = f"variant {','.join(s['variants'])}" + (", " + given if given else "")
    fits = "method(s)" if s["variants"] in (["R"], ["estimators'"]) else "fit(s)"
    lines = [f"{len(s['results'])} {fits} on {s['data']}: {s['rows']} rows, target {s['target']!r}",
             f"settings: {given + '; ' if given else ''}{rule}; scaling {s['scaling']}; seed {s['seed']}",
             ("" if s["test_rows"] is None else f"trained on {s['train_rows']} rows, tested on {s['test_rows']}; ")
             + f"sorted by {s['sorted_by'].replace('_rmse', ' RMSE')}; the least-squares fit's train RMSE is "
             f"{_g(s['least_squares_train_rmse'])}",
             *([f"weighted by column {s['weights']!r} (frequency weights: the fits and the RMSEs are weighted)"]
               if s.get("weights") else []),
             ""]
    headers = (["rank", "method", "train RMSE"] + ([] if s["test_rows"] is None else ["test RMSE"])
               + ["vs least squares", "certified error", "passes", "time", "converged"])
    rows = []
    for rank, r in enumerate(s["results"], 1):
        row = [str(rank), r["name"], _g(r["train_rmse"])]
        if s["test_rows"] is not None:
            row.append(_g(r["test_rmse"]))
        converged = ("DIVERGED" if r["diverged"] else {True: "yes", None: "-"}.get(
            r["converged"], "no (max-iter)" if r["certified_error"] is None else "no"))
        certified = "-" if r["certified_error"] is None else f"{r['certified_error']:.2g}"
        rows.append(row + [_percent(r["gap_to_least_squares"]), certified, _passes(r["passes"]),
                           f"{r['time_seconds']:.3f} s", converged])
    align = "rl" + "r" * (len(headers) - 3) + "l"
    lines += [line.rstrip() for line in _table(headers, rows, align)]
    if s["tol"] is not None and any(r["certified_error"] is None and not r["diverged"] for r in s["results"]):
        lines += ["", f"certified error -: {_uncertified(s['inputs'])}"]
    return "\n".join(lines)


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
