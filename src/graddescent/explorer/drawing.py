"""The explorer's figure, drawn with matplotlib from :class:`~.paths.Run` objects: the path
on the contours of the loss over two coefficients, beside the loss against the iterations,
and for the adaptive methods the step each coefficient is given at the current iteration.
Nothing is computed here: every number drawn is a run's or the problem's."""

import io
import math

import numpy as np

from .paths import ADAPTIVE

__all__ = ["figure", "png", "contours", "above", "COLOURS", "MAX_RACE"]

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")  # a race's methods, in order
MAX_RACE = len(COLOURS)  # more lines than this on one axes do not read
PATH = "#1f4e9c"
NOW = "#d62728"
FIGSIZE = (11, 4.1)


def contours(ax, problem, star=True):
    """The loss over the problem's plane as shaded contours (darker where lower), the
    least-squares optimum a star, the axes named."""
    a, b, loss = problem.plane()
    best, top = problem.best, float(np.max(loss))
    levels = best + (top - best) * np.geomspace(1e-3, 1, 12)
    shades = [str(v) for v in np.linspace(0.74, 0.99, len(levels))]
    ax.contourf(a, b, loss, levels=np.r_[best, levels], colors=shades, antialiased=False)
    ax.contour(a, b, loss, levels=levels, colors="0.55", linewidths=0.6)
    ax.set_xlim(problem.box[0])
    ax.set_ylim(problem.box[1])
    if not star:
        return
    i, j = problem.pair
    ax.plot(problem.optimum[i], problem.optimum[j], marker="*", color="black", markersize=14, linestyle="none",
            label="least squares", zorder=5)
    ax.set_xlabel(f"coefficient of {problem.names[i]}")
    ax.set_ylabel(f"coefficient of {problem.names[j]}")
    ax.grid(False)


def above(problem, loss):
    """The loss above the least-squares loss, for a log axis (a point at the optimum at 1e-16
    of the loss; a diverged point not drawn)."""
    gap = np.asarray(loss, dtype=np.float64) - problem.best
    floor = max(problem.best, 1e-300) * 1e-16
    gap = np.maximum(gap, floor)
    gap[~np.isfinite(gap)] = np.nan
    return gap


def _settings(run):
    parts = []
    if run.alpha is not None:
        parts.append(f"alpha {run.alpha:.3g}")
    if run.momentum is not None:
        parts.append(f"momentum {run.momentum:g}")
    parts.append(f"seed {run.seed}")
    return ", ".join(parts)


def figure(problem, runs, position, race=False):
    """The figure of one run at row ``position`` of its path, or of a race at ``position``
    passes.

    Parameters
    ----------
    problem : graddescent.explorer.problem.Problem
    runs : list of Run
        One run, or a race's runs (at most :data:`MAX_RACE`).
    position : int or float
        A row of the run's path, or (``race``) passes over the data.
    race : bool

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE)
    steps = not race and runs[0].method in ADAPTIVE and runs[0].rates is not None
    # (fixed margins: a constrained layout takes as long as the drawing, which a play redraws)
    grid = fig.add_gridspec(1, 3 if steps else 2, width_ratios=[1.15, 1, 0.75] if steps else [1.1, 1], left=0.065,
                            right=0.99, bottom=0.13, top=0.93, wspace=0.36 if steps else 0.22)
    plane, curve = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    contours(plane, problem)
    i, j = problem.pair
    if race:
        _race(problem, runs, position, plane, curve, i, j)
    else:
        _one(problem, runs[0], position, plane, curve, i, j, fig.add_subplot(grid[2]) if steps else None)
    plane.legend(loc="lower left", fontsize="small", framealpha=0.9)
    return fig


def _one(problem, run, row, plane, curve, i, j, bars):
    row = int(min(max(row, 0), len(run.iterations) - 1))
    theta = run.theta
    plane.plot(theta[:, i], theta[:, j], color=PATH, alpha=0.25, linewidth=1)
    plane.plot(theta[: row + 1, i], theta[: row + 1, j], color=PATH, linewidth=1.4,
               marker="." if len(theta) <= 80 else None, markersize=4, label="path so far")
    plane.plot(theta[0, i], theta[0, j], marker="o", markerfacecolor="white", markeredgecolor=NOW,
               linestyle="none", markersize=8, label="start")
    plane.plot(theta[row, i], theta[row, j], marker="o", color=NOW, linestyle="none", markersize=8,
               label=f"iteration {run.iterations[row]}", zorder=6)
    outside = not all(lo <= value <= hi for value, (lo, hi) in zip(theta[row, [i, j]], problem.box))
    state = " (diverged)" if run.diverged else " (outside the picture)" if outside else ""
    plane.set_title(f"{run.name}: {_settings(run)}{state}", fontsize="medium")
    gap = above(problem, run.loss)
    curve.plot(run.iterations, gap, color=PATH, alpha=0.25, linewidth=1)
    curve.plot(run.iterations[: row + 1], gap[: row + 1], color=PATH, linewidth=1.4)
    if np.isfinite(gap[row]):
        curve.plot(run.iterations[row], gap[row], marker="o", color=NOW, linestyle="none", markersize=7)
    curve.axvline(run.iterations[row], color=NOW, linewidth=0.8, linestyle=":")
    _loss_axes(curve, gap, "iteration (R's maxIter)")
    shown = run.loss[row] - problem.best
    curve.set_title(f"iteration {run.iterations[row]} of {run.iterations[-1]}: "
                    + (f"MSE {shown:.3g} above least squares" if math.isfinite(shown) else "MSE not finite"),
                    fontsize="medium")
    if bars is not None:
        _steps(problem, run, row, bars)


def _log_ticks(axis, low, high):
    """Plain tick labels on a log axis (0.2, 0.5, 1, ...; 1e-05 below 1e-4): 1, 2 and 5 times
    the powers of ten where the axis spans less than three decades."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(subs=(1, 2, 5) if high / low < 1e3 else (1,)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def _loss_axes(axes, gap, xlabel):
    axes.set_yscale("log")
    finite = gap[np.isfinite(gap)]
    if finite.size:
        axes.set_ylim(finite.min() / 3, finite.max() * 3)
        _log_ticks(axes.yaxis, finite.min() / 3, finite.max() * 3)
    axes.set_xlabel(xlabel)
    axes.set_ylabel("MSE - least-squares MSE")
    axes.grid(True, which="major", alpha=0.3)


def _steps(problem, run, row, axes):
    """The step each coefficient was given at this iteration (ADAM: the factor of its first
    moment), as bars on a log axis whose range is the run's whole record."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    rates = run.rates
    finite = rates[np.isfinite(rates) & (rates > 0)]
    names = [name if len(name) <= 12 else name[:11] + "…" for name in problem.names]
    now = rates[row] if np.all(np.isfinite(rates[row])) else np.full(len(names), np.nan)
    axes.bar(range(len(names)), np.where(np.isfinite(now), now, 0), color=PATH)
    if run.alpha is not None:
        axes.axhline(run.alpha, color="black", linestyle="--", linewidth=1, label=f"alpha = {run.alpha:.3g}")
        axes.legend(loc="upper right", fontsize="small")
    axes.set_yscale("log")
    if finite.size:
        low, high = finite.min(), finite.max()
        if run.alpha is not None:
            low, high = min(low, run.alpha), max(high, run.alpha)
        axes.set_ylim(low / 2, high * 2)
        _log_ticks(axes.yaxis, low / 2, high * 2)
    axes.set_xticks(range(len(names)), names, rotation=30 if len(names) > 3 else 0, ha="right" if len(names) > 3
                    else "center")
    axes.set_ylabel("step size")
    axes.set_title("each coefficient's step now" if np.all(np.isfinite(now)) else "no step yet",
                   fontsize="medium")
    axes.grid(True, axis="y", which="major", alpha=0.3)


def _race(problem, runs, passes, plane, curve, i, j):
    if len(runs) > MAX_RACE:
        raise ValueError(f"a race draws at most {MAX_RACE} methods, got {len(runs)}")
    for run, colour in zip(runs, COLOURS):
        row = run.at(passes)
        plane.plot(run.theta[: row + 1, i], run.theta[: row + 1, j], color=colour, linewidth=1.3,
                   label=run.name + (" (diverged)" if run.diverged else ""))
        plane.plot(run.theta[row, i], run.theta[row, j], marker="o", color=colour, linestyle="none", markersize=7)
        gap = above(problem, run.loss)
        curve.plot(run.passes[: row + 1], gap[: row + 1], color=colour, linewidth=1.4)
    first = runs[0]
    plane.plot(first.theta[0, i], first.theta[0, j], marker="o", markerfacecolor="white", markeredgecolor="black",
               linestyle="none", markersize=8, label="start")
    plane.set_title(f"A race from one start: {_settings(first)}", fontsize="medium")
    gaps = np.concatenate([above(problem, run.loss) for run in runs])
    _loss_axes(curve, gaps, "passes over the data")
    curve.set_xlim(0, max(run.passes[-1] for run in runs))
    curve.axvline(passes, color="black", linewidth=0.8, linestyle=":")
    curve.set_title(f"after {passes:g} passes", fontsize="medium")


def png(fig, dpi=80):
    """The figure as PNG bytes."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
