"""The figures of ``fit --plot`` and ``compare --plot``: loss records beside the least-squares MSE."""

import math
import os

import numpy as np

from ..catalog import METHODS
from ..writing import write_atomic as _write_atomic
from .quality import _least_squares_mse, _rmse, _square


def _in_loss_units(model, mse):
    """An MSE over the training rows (original units) in the units of the loss record: those
    of the scaled data, where the fit scaled it (the output's scale squared)."""
    if model.scalingParameter is None:
        return mse
    return mse / float(model.scalingParameter[1, -1]) ** 2


def _units(scaling):
    return "original units" if scaling == "none" else "scaled data"


def _sampled_label(method, tol):
    """What a single-row method's loss record holds, for a legend."""
    if tol is None:
        return f"{method}: mean squared residual of the rows drawn,\neach before its step, over windows of steps"
    return (f"{method}: per pass, mean squared residual of the rows drawn\n(each before its step); once the iterates "
            "are averaged,\nthe average's MSE over all rows")


def _fit_figure(model, fit, train, args, label, tol):
    """``fit --plot``: the loss record of the fit, with the least-squares MSE over all rows.
    A single-row method records the residuals of the rows it draws, not the loss over all
    rows (it can dip below the least-squares MSE); its final theta's MSE over all rows is
    drawn beside it. ``tol``: the fit's (None: R's fixed iterations)."""
    method, loss = args.method, np.asarray(model.loss, dtype=np.float64)
    references = {"least squares: MSE over all rows (the least any theta reaches)":
                  _in_loss_units(model, _least_squares_mse(train))}
    if METHODS[method].by_row:
        references[f"{method}'s final theta: MSE over all rows"] = _in_loss_units(model, _square(_rmse(model, train)))
        if tol is None:
            x, xlabel = np.arange(1, loss.size + 1) * (fit.n_iter / max(loss.size, 1)), "step"
        else:
            x, xlabel = np.arange(1, loss.size + 1), "pass over the data"
        curves, ylabel = {_sampled_label(method, tol): (x, loss)}, "mean squared residual"
        title = f"{method} on {label}" + (": residuals of the rows drawn, not the loss over all rows"
                                          if tol is None else "")
    else:
        curves = {f"{method}: MSE over all rows" if method != "MBGD" else f"{method}: MSE over each pass's batches":
                  (np.arange(1, loss.size + 1), loss)}
        xlabel, ylabel, title = "iteration", "training loss (mean squared error)", f"{method} on {label}"
    return _loss_figure(curves, title, xlabel, f"{ylabel} ({_units(args.scaling)})", references=references)


def _compare_figure(curves, models, train, args, label):
    """``compare --plot``: each method's loss record (``curves``: its name in the table -> the
    method, its loss record and its fit) over the passes its fit made, with the
    least-squares MSE over all rows; the single-row methods' records are the residuals of
    the rows they draw (so said in the legend)."""
    drawn, shown = {}, set()
    for name, (method, loss, fit) in curves.items():  # (name: the method, and its variant where not R's)
        loss = np.asarray(loss, dtype=np.float64)
        name = f"{name} (rows drawn)" if METHODS[method].by_row else name
        drawn[name] = (np.arange(1, loss.size + 1) * (fit.passes / max(loss.size, 1)), loss)
        if not fit.diverged:
            shown.add(name)
    references = {"least squares: MSE over all rows": _in_loss_units(models[0], _least_squares_mse(train))}
    note = ("the training MSE over all rows, but '(rows drawn)': the mean squared residual of the rows\n"
            "a single-row method draws, each before its step (then, once averaged, the average's MSE over all rows)")
    return _loss_figure(drawn, f"Training loss on {label}", "passes over the data",
                        f"training loss ({_units(args.scaling)})", shown=shown, references=references,
                        note=note, log_x=True)


def _loss_figure(curves, title, xlabel, ylabel, shown=None, references=None, note=None, log_x=False):
    """Loss curves (name -> (x, loss)) on one figure, log-scale y, legend outside the data,
    with horizontal reference lines (name -> value). The y-axis covers the curves in
    ``shown`` (the fits that did not diverge; all when None) and the references, so that one
    blow-up does not flatten the others, which are drawn all the same."""
    import matplotlib
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 5.5), layout="constrained")
    axes = figure.add_subplot()
    colours = matplotlib.colormaps["tab20" if len(curves) > 10 else "tab10"]
    low, high = math.inf, 0.0
    for i, (name, (x, loss)) in enumerate(curves.items()):
        y = np.asarray(loss, dtype=np.float64)
        y = np.where(np.isfinite(y) & (y > 0), y, np.nan)
        plotted = y.size > 0 and not np.all(np.isnan(y))
        if plotted and (shown is None or name in shown):
            low, high = min(low, np.nanmin(y)), max(high, np.nanmax(y))
        label = name if plotted else f"{name} (no finite loss)"
        if shown is not None and name not in shown:
            label += " (diverged)"
        axes.plot(x, y if plotted else np.full_like(x, np.nan, dtype=np.float64),
                  marker="." if y.size <= 30 else None, color=colours(i),
                  linestyle=("-", "--", ":")[i % 3] if len(curves) > 1 else "-", label=label)
    for (name, value), style in zip((references or {}).items(), ("--", ":")):
        if math.isfinite(value) and value > 0:
            axes.axhline(value, color="black", linestyle=style, linewidth=1.5, label=name)
            low, high = min(low, value), max(high, value)
    axes.set_yscale("log")
    if 0 < low <= high < math.inf:
        axes.set_ylim(low / 1.5, high * 1.5)
    if log_x:
        axes.set_xscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title if note is None else f"{title}\n{note}", fontsize="medium")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return figure


def _save_figure(figure, path):
    """Write the figure, in the format its name says, atomically and without a display."""
    image_format = os.path.splitext(path)[1].lower().lstrip(".")
    _write_atomic(path, lambda f: figure.savefig(f, format=image_format), binary=True)
