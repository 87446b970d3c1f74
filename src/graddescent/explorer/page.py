"""The explorer as one self-contained web page (``graddescent explore``): the package's paths
precomputed over a grid of settings, the loss's contours drawn by matplotlib as an image,
and a small SVG renderer with HTML form controls (``page.html`` beside this module), with no
server, no network and no library.

Why a hand-written SVG renderer rather than plotly.js: the page draws polylines, markers,
bars and axes over a precomputed image, some 300 lines of script, where plotly.js alone is
about 4.5 MB of the page and a dependency more; and an SVG's elements are what a test reads
(the drawn coordinates) and what a screen reader is told (its title and the status line).

The numbers are stored as float32 (the precision of a drawing): for each method and variant
of the catalog, each learning rate, momentum (for the methods that take one) and seed of the
grid, the path of :func:`.paths.run` (every coefficient), its loss above the least-squares
loss, and for the adaptive methods each coefficient's step.
"""

import base64
import html
import io
import json
from importlib import resources

import numpy as np

from ..catalog import METHODS
from . import drawing, paths

__all__ = ["ALPHAS", "MOMENTA", "SEEDS", "PASSES", "FRAMES_PER_PASS", "MAX_BYTES", "grid", "page", "estimate"]

ALPHAS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
MOMENTA = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
SEEDS = 5  # seeds 1..SEEDS
PASSES = 30
FRAMES_PER_PASS = 5  # rows kept per pass of a single-row method
MAX_BYTES = 15_000_000  # the page's size at most
PLANE = (430, 330)  # the contours' image, pixels (the SVG's plot area)
_BASE64 = 4 / 3
_OVERHEAD = 250_000  # the template and the contours' image, at most about
_PER_RUN, _PER_ROW = 48, 32  # characters of the grid's description: a run's key and offset, a row's iteration and pass


def _settings(method, alphas, momenta, seeds):
    """The (alpha index, momentum index, seed) a method is run at: every alpha it takes, every
    momentum it takes, every seed (index 0 alone for what it does not take)."""
    control = METHODS[method].control
    return [(a, u, s) for a in (range(len(alphas)) if "alpha" in control else [0])
            for u in (range(len(momenta)) if "momentum" in control else [0]) for s in range(1, seeds + 1)]


def _rows(method, m, passes, frames_per_pass):
    """The rows of a run's path (at most: one more where the step between rows does not divide the last)."""
    record = METHODS[method]
    iterations = passes * paths.per_pass(method, m)
    every = max(1, m // frames_per_pass) if record.by_row else 1
    return iterations // every + 2


def estimate(problem, alphas=ALPHAS, momenta=MOMENTA, seeds=SEEDS, passes=PASSES, frames_per_pass=FRAMES_PER_PASS):
    """The page's size in bytes, at most about (before any fit)."""
    n, numbers, described = len(problem.names), 0, 0
    for method, variant in paths.PAIRS:
        per_row = n + 1 + (n if method in paths.ADAPTIVE else 0)
        runs, rows = len(_settings(method, alphas, momenta, seeds)), _rows(method, problem.m, passes, frames_per_pass)
        numbers += runs * rows * per_row
        described += runs * _PER_RUN + rows * _PER_ROW
    return int(numbers * 4 * _BASE64) + described + _OVERHEAD


def grid(problem, alphas=ALPHAS, momenta=MOMENTA, seeds=SEEDS, passes=PASSES, frames_per_pass=FRAMES_PER_PASS,
         progress=None):
    """Every path the page offers, fitted by the package.

    Parameters
    ----------
    problem : graddescent.explorer.problem.Problem
    alphas, momenta : sequence of float
        The learning rates and momenta of the sliders.
    seeds : int
        Seeds 1 to ``seeds``.
    passes : int
        Passes over the data of every fit.
    frames_per_pass : int
        Rows kept per pass of a single-row method.
    progress : callable, optional
        Called with the number of fits done and their total, after each.

    Returns
    -------
    meta : dict
        What the page's script reads: the settings, each (method, variant)'s iterations, each
        run's offset in ``numbers`` and whether it diverged.
    numbers : numpy.ndarray
        float32: for each run, its path (rows x coefficients), its loss above the
        least-squares loss (one per row) and, for the adaptive methods, each coefficient's
        step (rows x coefficients; NaN at the start).
    """
    alphas, momenta = [float(a) for a in alphas], [float(u) for u in momenta]
    blocks, offset, runs, pairs = [], 0, {}, {}
    total = sum(len(_settings(method, alphas, momenta, seeds)) for method, _ in paths.PAIRS)
    done = 0
    for method, variant in paths.PAIRS:
        for a, u, seed in _settings(method, alphas, momenta, seeds):
            run = paths.run(problem, method, variant, alphas[a], momenta[u], seed, passes, frames_per_pass)
            key = f"{method}|{variant}"
            if key not in pairs:
                pairs[key] = {"iterations": run.iterations.tolist(), "passes": run.passes.tolist(),
                              "rates": method in paths.ADAPTIVE}
            parts = [run.theta.ravel(), drawing.above(problem, run.loss)]
            if method in paths.ADAPTIVE:
                parts.append(run.rates.ravel())
            with np.errstate(over="ignore"):  # (a diverged path's values beyond float32's range: infinite)
                block = np.concatenate(parts).astype(np.float32)
            runs[f"{key}|{a}|{u}|{seed}"] = [offset, run.diverged]
            blocks.append(block)
            offset += block.size
            done += 1
            if progress is not None:
                progress(done, total)
    meta = {"names": problem.names, "pair": list(problem.pair), "box": [list(side) for side in problem.box],
            "best": problem.best, "optimum": problem.optimum.tolist(), "alphas": alphas, "momenta": momenta,
            "seeds": seeds, "passes": passes, "m": problem.m,
            "methods": {name: {"variants": list(record.variants), "alpha": "alpha" in record.control,
                               "momentum": "momentum" in record.control, "adaptive": name in paths.ADAPTIVE}
                        for name, record in METHODS.items()},
            "pairs": pairs, "runs": runs, "race": list(paths.RACE)}
    return meta, np.concatenate(blocks) if blocks else np.empty(0, np.float32)


def contour_image(problem, size=PLANE, scale=2):
    """The contours of the loss over the problem's box, filling a PNG of ``size`` pixels
    (times ``scale``), as a data URL."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] / 100, size[1] / 100))
    ax = fig.add_axes((0, 0, 1, 1))
    drawing.contours(ax, problem, star=False)
    ax.set_axis_off()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=100 * scale)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def page(problem, title, progress=None, **settings):
    """The page, as text: :func:`grid`'s paths (``settings``: its arguments) in the template.

    Raises
    ------
    ValueError
        Where the page would exceed :data:`MAX_BYTES`, before any fit, saying what to reduce.
    """
    size = estimate(problem, **settings)
    if size > MAX_BYTES:
        raise ValueError(f"the page would take about {size / 1e6:.0f} MB, more than {MAX_BYTES / 1e6:.0f} MB; give "
                         "fewer passes, seeds, learning rates or momenta")
    meta, numbers = grid(problem, progress=progress, **settings)
    meta["image"] = contour_image(problem)
    meta["title"] = title
    template = resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")
    # (in a script element, "</" would end it: JSON's escape of "/" keeps it out)
    text = json.dumps(meta, allow_nan=False, separators=(",", ":")).replace("</", "<\\/")
    return (template.replace("{{TITLE}}", html.escape(title))
            .replace("{{META}}", text)
            .replace("{{NUMBERS}}", base64.b64encode(numbers.tobytes()).decode("ascii")))


def decode(text):
    """The meta and the numbers a page holds (for tests and checks): the inverse of :func:`page`."""
    meta = json.loads(_between(text, '<script type="application/json" id="meta">', "</script>"))
    raw = base64.b64decode(_between(text, '<script type="text/plain" id="numbers">', "</script>"))
    return meta, np.frombuffer(raw, dtype=np.float32)


def _between(text, start, end):
    lo = text.index(start) + len(start)
    return text[lo:text.index(end, lo)]
