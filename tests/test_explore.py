"""The Jupyter explorer (``graddescent.explore``): every control redraws its figure (the PNG of
its Image widget), and what it draws is the package's own fits (``drivers.run`` with its path)
and least-squares solution (the certificate's)."""

import subprocess
import sys

import numpy as np
import pytest

import graddescent as gd
from graddescent import drivers
from graddescent.certificate import Certificate
from graddescent.data import as_data
from graddescent.explorer import paths
from graddescent.explorer.problem import Problem, example

widgets = pytest.importorskip("ipywidgets", reason="the explorer's widget needs ipywidgets: pip install '.[explore]'")


def scaled_example():
    return gd.varianceScaling(example()).scaledDataSet


def lines(figure, axes=0):
    return {line.get_label(): line for line in figure.axes[axes].get_lines()}


def test_the_default_table_is_r_draws_of_two_correlated_inputs():
    table = example()
    u = gd.RRandom(1).runif(300).reshape(3, 100)
    np.testing.assert_array_equal(table["x1"], u[0])
    assert list(table.columns) == ["x1", "x2", "y"] and table.shape == (100, 3)
    assert 0.85 < table["x1"].corr(table["x2"]) < 0.95


def test_the_problem_is_the_package_least_squares_and_loss():
    problem = Problem()
    frame = scaled_example()
    np.testing.assert_array_equal(problem.frame.to_numpy(), frame.to_numpy())
    certificate = Certificate(as_data(frame).gram(), frame.columns)
    np.testing.assert_array_equal(problem.optimum, certificate.theta)
    data = as_data(np.ascontiguousarray(frame.to_numpy()))
    for theta in (problem.optimum, np.array([0.3, -1.0, 2.0])):
        assert problem.mse(theta) == pytest.approx(data.mean_squared_residual(theta), rel=1e-12)
    a, b, loss = problem.plane(points=7)
    i, j = problem.pair
    theta = problem.optimum.copy()
    theta[i], theta[j] = a[2], b[5]
    assert loss[5, 2] == pytest.approx(data.mean_squared_residual(theta), rel=1e-12)
    assert problem.names == ["(Intercept)", "x1", "x2"] and problem.pair == (1, 2)


@pytest.mark.parametrize("coefficients, message", [(("x1", "x1"), "must differ"), (("x1", "z"), "no coefficient 'z'"),
                                                   ((0, 5), "coefficient 5 is not one"), ("x1", "must be two")])
def test_a_bad_choice_of_coefficients_says_which_there_are(coefficients, message):
    with pytest.raises(ValueError, match=message):
        Problem(coefficients=coefficients)


@pytest.mark.parametrize("method, variant", [("GD", "R"), ("MGD", "R"), ("SGD", "R"), ("ADAM", "textbook"),
                                             ("SVRG", "R"), ("ADADELTA", "R")])
def test_a_run_is_the_package_fit_and_its_path(method, variant):
    problem = Problem()
    run = paths.run(problem, method, variant, alpha=0.2, momentum=0.8, seed=3, passes=4)
    per_pass = {"SGD": 100, "ADAM": 100, "ADADELTA": 100}.get(method, 1)
    control = {k: v for k, v in {"alpha": 0.2, "momentum": 0.8}.items() if k in gd.catalog.METHODS[method].control}
    fit = drivers.run(method, scaled_example(), seed=3, maxIter=4 * per_pass, variant=variant,
                      path_every=5 if per_pass > 1 else 1, **control)
    assert run.theta.tobytes() == fit.path.to_numpy().tobytes()
    np.testing.assert_array_equal(run.iterations, fit.path.index)
    assert run.passes[-1] == fit.passes == 4
    assert (run.rates is None) == (fit.rates is None)
    if run.rates is not None:
        assert run.rates.tobytes() == fit.rates.to_numpy().tobytes()
    data = as_data(np.ascontiguousarray(scaled_example().to_numpy()))
    assert run.loss[-1] == data.mean_squared_residual(np.ascontiguousarray(fit.theta.ravel()))
    np.testing.assert_array_equal(run.theta[0], gd.RRandom(3).runif(3))  # R's start for the seed


def test_the_explorer_draws_the_package_path_on_the_contours():
    explorer = gd.explore(method="GD", alpha=0.5, seed=2, passes=20)
    c = explorer.controls
    c["position"].index = 7
    fit = drivers.run("GD", scaled_example(), seed=2, alpha=0.5, maxIter=20, path_every=1)
    path = fit.path.to_numpy()
    drawn = lines(explorer.figure)
    np.testing.assert_array_equal(drawn["path so far"].get_xdata(), path[:8, 1])
    np.testing.assert_array_equal(drawn["path so far"].get_ydata(), path[:8, 2])
    np.testing.assert_array_equal(drawn["iteration 7"].get_xydata()[0], path[7, 1:])
    optimum = Certificate(as_data(scaled_example()).gram()).theta
    np.testing.assert_array_equal(drawn["least squares"].get_xydata()[0], optimum[1:])
    loss = explorer.figure.axes[1].get_lines()[1].get_ydata()
    data = as_data(np.ascontiguousarray(scaled_example().to_numpy()))
    best = data.mean_squared_residual(np.ascontiguousarray(optimum))
    np.testing.assert_allclose(loss, [data.mean_squared_residual(np.ascontiguousarray(row)) - best
                                      for row in path[:8]], rtol=1e-12)
    assert "after 7 iterations" in explorer.status.value


def test_the_adaptive_methods_draw_each_coefficient_step():
    explorer = gd.explore(method="ADAM", variant="textbook", alpha=0.05, passes=2)
    c = explorer.controls
    c["position"].index = 13
    fit = drivers.run("ADAM", scaled_example(), seed=1, alpha=0.05, maxIter=200, variant="textbook", path_every=5)
    bars = [patch.get_height() for patch in explorer.figure.axes[2].patches]
    np.testing.assert_array_equal(bars, fit.rates.to_numpy()[13])
    c["method"].value = "GD"
    assert len(explorer.figure.axes) == 2, "no step sizes for a method of one step"


def test_every_control_redraws_the_figure():
    explorer = gd.explore()
    c = explorer.controls
    c["position"].index = 10
    changes = [("alpha", 0.5), ("seed", 4), ("passes", 12), ("method", "MGD"), ("momentum", 0.5),
               ("method", "ADAM"), ("variant", "amsgrad"), ("x", "(Intercept)"), ("y", "x1"), ("mode", "race"),
               ("race", ("GD", "SGD", "ADAM (textbook)")), ("alpha", 0.05)]
    for name, value in changes:
        before = explorer.image.value
        c[name].value = value
        assert explorer.image.value != before, f"moving {name} to {value!r} did not redraw"
    for name, act in [("position", lambda: setattr(c["position"], "index", 3)), ("back", c["back"].click),
                      ("forward", c["forward"].click), ("play", lambda: setattr(c["play"], "value", 6))]:
        before = explorer.image.value
        act()
        assert explorer.image.value != before, f"{name} did not redraw"
    assert c["position"].index == 6, "play moves the position"
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_race_starts_every_method_from_one_start():
    explorer = gd.explore(race=("GD", "MGD", "SGD", "ADAM", "SVRG"), seed=5, passes=6)
    explorer.controls["mode"].value = "race"
    assert [run.name for run in explorer.runs] == ["GD", "MGD", "SGD", "ADAM", "SVRG"]
    start = gd.RRandom(5).runif(3)
    for run in explorer.runs:
        np.testing.assert_array_equal(run.theta[0], start)
        assert run.passes[-1] == 6
    explorer.controls["position"].index = 3
    drawn = [line for line in explorer.figure.axes[0].get_lines() if line.get_label() == "SGD"][0]
    sgd = explorer.runs[2]
    np.testing.assert_array_equal(drawn.get_xdata(), sgd.theta[: sgd.at(3) + 1, 1])
    assert sgd.iterations[sgd.at(3)] == 300


def test_explore_without_ipywidgets_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match=r"pip install 'graddescent\[explore\]'"):
        gd.explore()


def test_importing_graddescent_loads_neither_ipywidgets_nor_matplotlib():
    code = ("import sys, graddescent; assert 'explore' in graddescent.__all__ and callable(graddescent.explore); "
            "print(sorted(m for m in ('ipywidgets', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("settings, message", [({"method": "XGD"}, "unknown method 'XGD'"),
                                               ({"method": "GD", "variant": "textbook"}, "GD has no variant"),
                                               ({"race": ("GD", "FOO")}, "race takes 1 to 5"),
                                               ({"race": ("GD", "MGD", "AGD", "SGD", "ADAM", "SVRG")}, "race takes")])
def test_bad_settings_are_refused_in_one_line(settings, message):
    with pytest.raises(ValueError, match=message):
        gd.explore(**settings)
