"""What the commands print: tables, JSON, and the progress bars on stderr."""

import json
import math
import sys
import threading
import time

import numpy as np

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
    """A gap (:func:`graddescent.cli.quality._gap`, never below 0) as shown: +0.00%, +12.34%, +15.2x; nan."""
    return "nan" if not math.isfinite(gap) else f"+{gap:.2%}" if gap < 10 else f"+{gap:.3g}x"


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
