"""The explorer in Jupyter: ipywidgets controls around the figure of :mod:`.drawing`, a PNG
in an ``Image`` widget, redrawn from the package's fits (:mod:`.paths`) whenever a control
moves. Needs ipywidgets (the extra ``explore``)."""

import base64

import ipywidgets as widgets

from ..catalog import METHODS
from . import drawing, paths
from .problem import Problem

__all__ = ["Explorer"]

WIDE = {"description_width": "initial"}


class Explorer(widgets.VBox):
    """An explorer of one data set: see :func:`graddescent.explore`.

    Attributes
    ----------
    problem : graddescent.explorer.problem.Problem
    runs : list of graddescent.explorer.paths.Run
        What the figure draws: one run, or a race's runs.
    figure : matplotlib.figure.Figure
        The figure last drawn; ``image.value`` is its PNG.
    controls : dict
        The widgets by name: ``mode``, ``method``, ``variant``, ``race``, ``alpha``,
        ``momentum``, ``seed``, ``passes``, ``x``, ``y``, ``position``, ``back``, ``forward``, ``play``.
    image : ipywidgets.Image
    status : ipywidgets.HTML
        The current iterate's numbers, in words.
    """

    def __init__(self, problem, method="GD", variant="R", alpha=0.1, momentum=0.9, seed=1, passes=30,
                 race=paths.RACE):
        self.problem = problem
        self.runs, self.figure, self._raced = [], None, False
        c = self.controls = {}
        c["mode"] = widgets.ToggleButtons(options=["one method", "race"], description="show", style=WIDE)
        c["method"] = widgets.Dropdown(options=list(METHODS), value=method, description="method")
        c["variant"] = widgets.Dropdown(options=METHODS[method].variants, value=variant, description="variant")
        c["race"] = widgets.SelectMultiple(options=[paths.label(*pair) for pair in paths.PAIRS], value=tuple(race),
                                           rows=6, description="race",
                                           tooltip=f"up to {drawing.MAX_RACE} methods (ctrl-click to choose)")
        c["alpha"] = widgets.FloatLogSlider(value=alpha, base=10, min=-3, max=1, step=0.05, readout_format=".3g",
                                            description="learning rate", style=WIDE, continuous_update=False)
        c["momentum"] = widgets.FloatSlider(value=momentum, min=0, max=0.99, step=0.01, description="momentum",
                                            style=WIDE, continuous_update=False)
        c["seed"] = widgets.IntSlider(value=seed, min=1, max=20, description="seed", continuous_update=False)
        c["passes"] = widgets.IntSlider(value=passes, min=1, max=200, description="passes", continuous_update=False,
                                        tooltip="passes over the data that each fit runs")
        names = problem.names
        c["x"] = widgets.Dropdown(options=names, value=names[problem.pair[0]], description="across")
        c["y"] = widgets.Dropdown(options=names, value=names[problem.pair[1]], description="up")
        c["position"] = widgets.SelectionSlider(options=[("0", 0)], description="iteration", style=WIDE,
                                                layout=widgets.Layout(width="420px"))
        c["back"] = widgets.Button(description="step back", icon="step-backward", tooltip="one row of the path back")
        c["forward"] = widgets.Button(description="step forward", icon="step-forward",
                                      tooltip="one row of the path forward")
        c["play"] = widgets.Play(interval=300, description="play", show_repeat=False)
        self.image = widgets.Image(format="png")
        self.status = widgets.HTML()
        widgets.link((c["play"], "value"), (c["position"], "index"))
        for name in ("mode", "method", "variant", "race", "alpha", "momentum", "seed", "passes"):
            c[name].observe(self._refit, names="value")
        for name in ("x", "y"):
            c[name].observe(self._coefficients, names="value")
        c["position"].observe(self._redraw, names="index")
        c["back"].on_click(lambda _: self._step(-1))
        c["forward"].on_click(lambda _: self._step(1))
        settings = widgets.VBox([c["mode"], widgets.HBox([c["method"], c["variant"]]), c["race"]])
        numbers = widgets.VBox([c["alpha"], c["momentum"], c["seed"], c["passes"],
                                widgets.HBox([c["x"], c["y"]])])
        moving = widgets.HBox([c["back"], c["forward"], c["play"], c["position"]])
        super().__init__([widgets.HBox([settings, numbers]), moving, self.image, self.status])
        self._refit()

    def __repr__(self):
        return f"graddescent explorer: {self.status.value}"

    def _repr_mimebundle_(self, **kwargs):
        # (the figure as a PNG beside the live widget: what a notebook shows where no widget runs)
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle

    @property
    def race(self):
        return self.controls["mode"].value == "race"

    def _refit(self, change=None):
        c = self.controls
        if change is not None and change["owner"] is c["method"]:
            c["variant"].unobserve(self._refit, names="value")
            c["variant"].options = METHODS[c["method"].value].variants
            c["variant"].value = "R"
            c["variant"].observe(self._refit, names="value")
        position = c["position"]
        # (the same number of passes as before the change; the whole path at first, and where it was shown whole)
        passes = None if position.index == len(position.options) - 1 else self._passes()
        chosen = list(c["race"].value)[: drawing.MAX_RACE]
        settings = {"alpha": c["alpha"].value, "momentum": c["momentum"].value, "seed": c["seed"].value,
                    "passes": c["passes"].value}
        if self.race:
            self.runs = paths.race(self.problem, chosen or ["GD"], **settings)
            frames = [(f"{p:g}", p) for p in range(settings["passes"] + 1)]
            c["position"].description = "passes"
        else:
            self.runs = [paths.run(self.problem, c["method"].value, c["variant"].value, **settings)]
            frames = [(str(i), k) for k, i in enumerate(self.runs[0].iterations)]
            c["position"].description = "iteration"
        record = METHODS[c["method"].value]
        c["method"].disabled = c["variant"].disabled = self.race
        c["race"].disabled = not self.race
        c["alpha"].disabled = not self.race and "alpha" not in record.control
        c["momentum"].disabled = not self.race and "momentum" not in record.control
        position.unobserve(self._redraw, names="index")
        last = len(frames) - 1
        position.options = frames
        position.index = last if passes is None else min(round(passes), last) if self.race else self.runs[0].at(passes)
        c["play"].max = last
        self._raced = self.race
        position.observe(self._redraw, names="index")
        self._redraw()

    def _passes(self):
        """The passes over the data at the current position (None before the first fit)."""
        if not self.runs:
            return None
        at = self.controls["position"].value
        return at if self._raced else self.runs[0].passes[at]

    def _coefficients(self, change):
        c = self.controls
        if c["x"].value == c["y"].value:  # (the other one takes the place left)
            other = c["y"] if change["owner"] is c["x"] else c["x"]
            other.unobserve(self._coefficients, names="value")
            other.value = change["old"]
            other.observe(self._coefficients, names="value")
        self.problem.choose((c["x"].value, c["y"].value))
        self._redraw()

    def _step(self, by):
        position = self.controls["position"]
        position.index = min(max(position.index + by, 0), len(position.options) - 1)

    def _redraw(self, change=None):
        at = self.controls["position"].value
        self.figure = drawing.figure(self.problem, self.runs, at, race=self.race)
        self.image.value = drawing.png(self.figure)
        self.status.value = self._words(at)

    def _words(self, at):
        names = self.problem.names
        if self.race:
            return "; ".join(f"{run.name}: MSE {run.loss[run.at(at)]:.4g}" for run in self.runs) + (
                f" (least squares: {self.problem.best:.4g})")
        run = self.runs[0]
        theta = ", ".join(f"{name} {value:.4g}" for name, value in zip(names, run.theta[at]))
        return (f"{run.name} after {run.iterations[at]} iterations: {theta}; MSE {run.loss[at]:.4g} "
                f"(least squares: {self.problem.best:.4g})")


def explorer(data=None, coefficients=None, scaling="variance", **settings):
    """An :class:`Explorer` of the data (see :func:`graddescent.explore`), its settings checked."""
    method, variant = settings["method"], settings["variant"]
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if variant not in METHODS[method].variants:
        raise ValueError(f"{method} has no variant {variant!r}; it has {', '.join(map(repr, METHODS[method].variants))}")
    offered = [paths.label(*pair) for pair in paths.PAIRS]
    unknown = [entry for entry in settings["race"] if entry not in offered]
    if unknown or not 1 <= len(settings["race"]) <= drawing.MAX_RACE:
        raise ValueError(f"race takes 1 to {drawing.MAX_RACE} of {', '.join(offered)}; got {list(settings['race'])!r}")
    return Explorer(Problem(data, scaling, coefficients), **settings)
