"""End-to-end tests of the ``graddescent`` command (issue 4).

Most tests run the installed console script (or ``python -m graddescent``) in a
subprocess and compare what it prints with the functional API run in-process on the
same data: the numbers must be equal, not close. The error matrix runs every case
in-process through ``cli.main`` (fast), and a representative subset of it through the
installed command as well, in parallel.
"""

import fcntl
import json
import math
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import assert_matches_library
from graddescent import RMSE, cli, datasets, learn, predict, splitData, varianceScaling, writing
from graddescent.catalog import METHODS
from graddescent.cli import quality, report

BY_ROW = {name for name, record in METHODS.items() if record.by_row}

SCRIPT = Path(sys.executable).with_name("graddescent")
ENV = {k: v for k, v in os.environ.items() if not k.startswith("TQDM_")}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run(*args, cwd, module=False, stderr=subprocess.PIPE, timeout=300):
    """Run the installed command (or ``python -m graddescent``) and capture its output."""
    command = [sys.executable, "-m", "graddescent"] if module else [str(SCRIPT)]
    return subprocess.run(command + [str(a) for a in args], cwd=cwd, stdout=subprocess.PIPE, stderr=stderr,
                          text=True, timeout=timeout, env=ENV)


def g(value):
    return f"{value:.6g}"


def fit_in_process(frame, method="GD", scaling="VARIANCE", control=None, seed=None):
    return learn(frame, featureScaling=scaling is not None, scalingMethod=scaling or "VARIANCE",
                 learningMethod=method, control=control, seed=seed)


def rmse(model, part):
    return RMSE(part.iloc[:, -1], predict(model, part)["V1"])


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A folder with the bundled data sets as CSV files."""
    folder = tmp_path_factory.mktemp("cli")
    datasets.load("co2_compressibility").to_csv(folder / "co2.csv", index=False)
    datasets.load("mackey_glass").to_csv(folder / "mg.csv", index=False)
    return folder


def test_console_script_is_installed():
    assert SCRIPT.exists(), f"{SCRIPT} missing: run pip install -e . to install the console script"


# --------------------------------------------------------------------------- fit

def least_squares_gap(model, frame):
    """The model's training MSE above the least-squares fit's, relative to it (by hand, with
    LAPACK's least squares: its last bits are the processor's)."""
    design = np.column_stack([np.ones(len(frame)), frame.iloc[:, :-1].to_numpy()])
    y = frame.iloc[:, -1].to_numpy()
    best = np.linalg.lstsq(design, y, rcond=None)[0]
    return rmse(model, frame) ** 2 / np.mean((design @ best - y) ** 2) - 1


def shown_gaps(gap, digits=2):
    """What the command may show for a gap the test computed as ``least_squares_gap`` does, by
    the rule its help states: a gap below zero, which only rounding gives (no fit is below
    least squares), shows as +0.00%. The gap is LAPACK's give or take its rounding (1e-12 of
    the MSE ratio, 1 + gap: ``assert_matches_library``'s), so one string, or two where the
    gap lies that close to where the last digit shown changes."""
    slack = 1e-12 * (1 + abs(gap))
    return {f"+{max(g, 0.0):.{digits}%}" for g in (gap - slack, gap + slack)}


def test_fit_table_equals_learn(work):
    """R's fixed iterations (--tol none): R's numbers, and a word that they have not converged."""
    result = run("fit", "co2.csv", "--seed", "1", "--tol", "none", cwd=work)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(work / "co2.csv")
    model = fit_in_process(frame, seed=1)
    gap = least_squares_gap(model, frame)
    assert 0.05 < gap < 0.1
    assert result.stderr in {f"graddescent: warning: after R's 10 iterations (--tol none) the training MSE is "
                             f"{shown[1:]} above the least-squares fit's: the fit has not converged; leave out --tol "
                             "none, --alpha and --max-iter (the fit then converges), or give --tol\n"
                             for shown in shown_gaps(gap, 0)}
    lines = result.stdout.splitlines()
    assert lines[0] == "GD on co2.csv: 1743 rows, 2 input(s), target 'Compressibility Factor(Z)'"
    assert lines[1] == "settings: alpha=0.1, maxIter=10; R's fixed iterations; scaling variance; seed 1"
    theta = model.model.ravel()
    for name, value in zip(["(intercept)", "Temperature(K)", "Pressure(ATM)"], theta):
        row = next(line for line in lines if line.startswith(name + " "))
        assert row.split()[1] == g(value)
    assert any(line.split()[:3] == ["train", "RMSE", g(rmse(model, frame))] and line.endswith("(1743 rows)")
               for line in lines)
    assert any(line.startswith(f"vs least squares  {shown} ") for line in lines for shown in shown_gaps(gap))
    assert any(line.split()[:2] == ["iterations", "10"] and "(10 passes over the data)" in line for line in lines)
    assert any(line.split()[:3] == ["converged", "not", "judged"] and "(R's fixed iterations)" in line for line in lines)
    assert any(line.startswith("time  ") and line.endswith(" s") for line in lines)


def test_fit_converges_by_default(work):
    """The estimators' defaults (the step auto, the certificate at their tol): a converged fit,
    said in the table and the JSON, with the least-squares coefficients and R^2 beside."""
    result = run("fit", "co2.csv", "--seed", "1", "--method", "SVRG", "--json", cwd=work)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    out = json.loads(result.stdout)
    frame = pd.read_csv(work / "co2.csv")
    model = learn(frame, learningMethod="SVRG", control={"alpha": "auto", "maxIter": "auto", "innerIter": len(frame)},
                  seed=1, tol=1e-4)
    assert out["theta"] == model.model.ravel().tolist()
    assert out["converged"] is True and model.converged is True and out["diverged"] is False
    assert out["certified_error"] == model.error <= 1e-4 and out["tol"] == 1e-4
    assert out["n_iter"] == model.n_iter and out["passes"] == model.n_iter < 1000
    assert out["alpha"] == model.alpha == 1 / (4 * (1 + np.max(np.sum(gd_scaled(frame)[:, :-1] ** 2, axis=1))))
    # (as MSE ratios, 1 + gap: LAPACK's rounding is relative to the MSE, not to the gap, their difference)
    assert_matches_library(1 + out["gap_to_least_squares"], 1 + least_squares_gap(model, frame))
    design = np.column_stack([np.ones(len(frame)), frame.iloc[:, :-1].to_numpy()])
    y = frame.iloc[:, -1].to_numpy()
    best = np.linalg.lstsq(design, y, rcond=None)[0]
    assert_matches_library(out["least_squares"]["coefficients"], best, rtol=1e-9)  # (the normal equations' SVD)
    assert out["r2"] == pytest.approx(1 - np.mean((design @ best - y) ** 2) / np.var(y), rel=1e-6)


def test_a_noisy_method_that_stalls_says_how_far_its_coefficients_are(work):
    """SGD's loss stalls before its coefficients are certified: a warning in option names."""
    result = run("fit", "co2.csv", "--seed", "1", "--method", "SGD", "--tol", "1e-4", "--json", cwd=work)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["converged"] is False and out["certified_error"] > 1e-4
    assert result.stderr == (f"graddescent: warning: SGD stopped after {out['n_iter']} iterations: its coefficients are "
                             f"certified within {out['certified_error']:.2g} of least squares, not tol = 0.0001: its "
                             "loss stopped falling, so more passes of SGD barely move it; use a method whose steps "
                             "converge exactly (SVRG, SARAH, GD, or AGD with --momentum auto), or a smaller --alpha\n")


@pytest.mark.parametrize("method", ["SVRG", "ADADELTA"])
def test_a_model_fitted_to_a_tolerance_records_the_step_taken(work, tmp_path, method):
    """With --alpha auto the model file holds the step the fit took (R's default for ADADELTA,
    which takes none), a number that --alpha accepts; predict reads it."""
    path = tmp_path / "model.json"
    result = run("fit", "co2.csv", "--seed", "1", "--method", method, "--tol", "1e-4", "--model-out", path,
                 "--quiet", "--json", cwd=work)
    assert result.returncode == 0, result.stderr
    out, document = json.loads(result.stdout), json.loads(path.read_text())
    assert document["control"]["alpha"] == (0.1 if method == "ADADELTA" else out["alpha"])
    assert isinstance(document["control"]["alpha"], float) and document["theta"] == out["theta"]
    predicted = run("predict", path, "co2.csv", cwd=work)
    assert predicted.returncode == 0, predicted.stderr


def test_a_single_row_fit_to_a_tolerance_on_many_rows_writes_a_model_that_reads_back(tmp_path):
    """--tol: 1000 passes over 120,000 rows are more steps than R's 1e8 (drawn a pass at a time);
    the model file keeps the iterations run and the certificate."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((120_000, 2))
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": X @ [1.0, 2.0] + rng.standard_normal(120_000)}).to_csv(
        tmp_path / "many.csv", index=False)
    result = run("fit", "many.csv", "--method", "SGD", "--tol", "1e-3", "--seed", "1", "--model-out", "m.json",
                 "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    model = cli.read_model(str(tmp_path / "m.json"))  # (maxIter: the iterations run, of 1000 passes at most)
    assert model.control["maxIter"] == out["n_iter"] <= 1000 * 120_000 and model.converged is out["converged"]
    assert json.loads((tmp_path / "m.json").read_text())["certificate"] == {
        "tol": 1e-3, "error": out["certified_error"], "converged": out["converged"]}


def gd_scaled(frame):
    from graddescent import varianceScaling
    return varianceScaling(frame).scaledDataSet.to_numpy()


def test_fit_json_with_target_not_last_equals_learn(work):
    args = ["fit", "mg.csv", "--target", "x(t)", "--method", "svrg", "--inner-iter", "5", "--option", "1",
            "--max-iter", "20", "--alpha", "0.05", "--scaling", "minmax", "--seed", "7", "--json"]
    result = run(*args, cwd=work)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    frame = pd.read_csv(work / "mg.csv")
    frame = frame[[c for c in frame.columns if c != "x(t)"] + ["x(t)"]]
    model = fit_in_process(frame, "SVRG", "MINMAX", {"innerIter": 5, "option": 1, "maxIter": 20, "alpha": 0.05},
                           seed=7)
    assert out["method"] == "SVRG" and out["target"] == "x(t)" and out["seed"] == 7
    assert out["columns"] == list(frame.columns)
    assert out["control"] == {"alpha": 0.05, "maxIter": 20, "innerIter": 5, "option": 1}
    assert out["theta"] == model.model.ravel().tolist()
    assert out["scaling_parameter"] == model.scalingParameter.tolist()
    assert out["train_rmse"] == rmse(model, frame)
    assert out["test_rmse"] is None and out["test_rows"] is None
    assert out["n_iter"] == 20 and out["passes"] == 20 and out["converged"] is None and out["tol"] is None
    assert out["diverged"] is False and out["time_seconds"] > 0
    # the coefficients in original units give predict's numbers
    coefficients = np.asarray(out["coefficients"])
    by_hand = coefficients[0] + frame.iloc[:, :-1].to_numpy() @ coefficients[1:]
    # (the coefficients' descaling and predict's scaling round differently: 1e-9 of the norm)
    assert_matches_library(predict(model, frame)["V1"], by_hand, rtol=1e-9)


def test_fit_test_rate_model_plot_and_predict_round_trip(work, tmp_path):
    result = run("fit", work / "co2.csv", "--method", "ADAM", "--test-rate", "0.25", "--seed", "3", "--json",
                 "--model-out", "model.json", "--plot", "loss.png", "--scaling", "none", "--alpha", "0.001",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    frame = pd.read_csv(work / "co2.csv")
    train, test = splitData(frame, 0.75, 3)
    model = fit_in_process(train, "ADAM", None, {"alpha": 0.001}, seed=3)
    assert (out["train_rows"], out["test_rows"]) == (len(train), len(test)) == (1307, 436)
    assert out["theta"] == out["coefficients"] == model.model.ravel().tolist()
    assert out["train_rmse"] == rmse(model, train)
    assert out["test_rmse"] == rmse(model, test)
    assert (tmp_path / "loss.png").read_bytes().startswith(PNG_MAGIC)
    saved = json.loads((tmp_path / "model.json").read_text())
    assert saved == {"format": "graddescent-model", "version": 1, "method": "ADAM",
                     "control": {**model.control}, "seed": 3, "feature_scaling": False, "scaling_method": None,
                     "columns": list(frame.columns), "target": "Compressibility Factor(Z)",
                     "scaling_parameter": None, "theta": model.model.ravel().tolist()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.png", "model.json"]  # no temporary files left

    # predict the whole file, to a file
    result = run("predict", "model.json", work / "co2.csv", "-o", "out.csv", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""
    written = pd.read_csv(tmp_path / "out.csv")
    assert list(written.columns) == list(frame.columns) + ["prediction"]
    pd.testing.assert_frame_equal(written[frame.columns], frame)
    assert written["prediction"].tolist() == predict(model, frame)["V1"].tolist()

    # the target absent and the inputs reordered, to stdout, with python -m
    frame[["Pressure(ATM)", "Temperature(K)"]].head(50).to_csv(tmp_path / "new.csv", index=False)
    result = run("predict", "model.json", "new.csv", cwd=tmp_path, module=True)
    assert result.returncode == 0, result.stderr
    written = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert list(written.columns) == ["Pressure(ATM)", "Temperature(K)", "prediction"]
    assert written["prediction"].tolist() == predict(model, frame.head(50))["V1"].tolist()


def test_scaled_model_file_round_trips_in_process(tmp_path):
    frame = datasets.load("mackey_glass")
    model = fit_in_process(frame, "MBGD", "VARIANCE", {"nBatch": 3}, seed=2)
    cli.write_model(model, tmp_path / "m.json", seed=2)
    loaded = cli.read_model(tmp_path / "m.json")
    assert loaded.columns == model.columns and loaded.control == model.control
    np.testing.assert_array_equal(loaded.model, model.model)
    np.testing.assert_array_equal(loaded.scalingParameter, model.scalingParameter)
    pd.testing.assert_frame_equal(predict(loaded, frame), predict(model, frame))


def _figures(monkeypatch):
    """The figures the command draws (instead of writing them)."""
    drawn = []
    monkeypatch.setattr(cli.commands, "_save_figure", lambda figure, path: drawn.append(figure))
    return drawn


def _scaled_design(frame):
    scaled = varianceScaling(frame).scaledDataSet.to_numpy()
    return np.column_stack([np.ones(len(scaled)), scaled[:, :-1]]), scaled[:, -1]


def test_fit_plot_of_a_single_row_method_says_what_it_draws(tmp_path, monkeypatch):
    """SGD's loss record is the squared residual of the rows it draws, which dips below the
    least-squares MSE over all rows: the plot says so, and draws the least-squares MSE and the
    final theta's MSE over all rows beside it."""
    frame = datasets.load("co2_compressibility")
    frame.to_csv(tmp_path / "co2.csv", index=False)
    drawn = _figures(monkeypatch)
    assert cli.main(["fit", str(tmp_path / "co2.csv"), "--method", "SGD", "--max-iter", "20000", "--seed", "1",
                     "--plot", str(tmp_path / "loss.png"), "--quiet"]) == 0  # (R's fixed iterations: --max-iter)
    (figure,) = drawn
    axes = figure.axes[0]
    curve, least, final = axes.get_lines()
    assert "training loss" not in axes.get_ylabel() and "training loss" not in axes.get_title()
    assert curve.get_label().startswith("SGD: mean squared residual of the rows drawn,\neach before its step")
    assert least.get_label().startswith("least squares: MSE over all rows")
    assert final.get_label() == "SGD's final theta: MSE over all rows"
    X, y = _scaled_design(frame)
    best = np.mean((X @ np.linalg.lstsq(X, y, rcond=None)[0] - y) ** 2)
    model = learn(frame, learningMethod="SGD", control={"maxIter": 20000}, seed=1)
    assert_matches_library(least.get_ydata()[0], best)
    assert_matches_library(final.get_ydata()[0], np.mean((X @ model.model.ravel() - y) ** 2))
    np.testing.assert_array_equal(curve.get_ydata(), model.loss)
    assert curve.get_xdata()[-1] == 20000  # drawn over the steps
    assert np.min(curve.get_ydata()) < best  # why the label matters: below the least there is over all rows


def test_compare_plot_marks_the_single_row_records(tmp_path, monkeypatch):
    frame = datasets.load("co2_compressibility")
    frame.to_csv(tmp_path / "co2.csv", index=False)
    drawn = _figures(monkeypatch)
    assert cli.main(["compare", str(tmp_path / "co2.csv"), "--methods", "GD,SGD,SVRG", "--max-iter", "30",
                     "--tol", "none", "--plot", str(tmp_path / "curves.png"), "--quiet"]) == 0
    (figure,) = drawn
    axes = figure.axes[0]
    labels = [line.get_label() for line in axes.get_lines()]
    assert labels == ["GD", "SGD (rows drawn)", "SVRG", "least squares: MSE over all rows"]
    assert "'(rows drawn)': the mean squared residual of the rows" in axes.get_title()
    X, y = _scaled_design(frame)
    best = np.mean((X @ np.linalg.lstsq(X, y, rcond=None)[0] - y) ** 2)
    assert_matches_library(axes.get_lines()[-1].get_ydata()[0], best)


def test_compare_plot_names_a_variant_as_the_table_does(tmp_path, monkeypatch):
    # (SARAHPlus's estimator fits its textbook rule by default: its curve is named as its row is)
    frame = datasets.load("co2_compressibility")
    frame.to_csv(tmp_path / "co2.csv", index=False)
    drawn = _figures(monkeypatch)
    assert cli.main(["compare", str(tmp_path / "co2.csv"), "--methods", "SGD,SARAHPlus",
                     "--plot", str(tmp_path / "curves.png"), "--quiet"]) == 0
    (figure,) = drawn
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert labels == ["SGD (rows drawn)", "SARAHPlus (textbook)", "least squares: MSE over all rows"]


# --------------------------------------------------------------------------- compare

def test_compare_subset_json_and_plot(work, tmp_path):
    result = run("compare", work / "co2.csv", "--methods", "GD,sgd,SVRG,SARAHPlus", "--test-rate", "0.2",
                 "--plot", "curves.png", "--json", "--max-iter", "30", "--tol", "none", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["seed"] == 1 and out["sorted_by"] == "test_rmse"
    frame = pd.read_csv(work / "co2.csv")
    train, test = splitData(frame, 0.8, 1)
    expected = {}
    for method in ("GD", "SGD", "SVRG", "SARAHPlus"):
        model = fit_in_process(train, method, control={"maxIter": 30}, seed=1)
        expected[method] = (rmse(model, train), rmse(model, test))
    got = {r["method"]: (r["train_rmse"], r["test_rmse"]) for r in out["results"]}
    assert got == expected
    tests = [r["test_rmse"] for r in out["results"]]
    assert tests == sorted(tests)
    assert all(r["time_seconds"] > 0 for r in out["results"])
    assert (tmp_path / "curves.png").read_bytes().startswith(PNG_MAGIC)
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]


def test_compare_main_job_on_bundled_data(work):
    """``graddescent compare`` with no data: the README's main job, every method as its estimator
    fits it (the certificate at its tolerance), the same table every run."""
    result = run("compare", cwd=work)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "14 method(s) on co2_compressibility (bundled): 1743 rows, target 'Compressibility Factor(Z)'"
    assert lines[1] == ("settings: each method to coefficients certified within its estimator's tol (1e-4; 1e-3 for "
                        "the noisy methods, which also stop where their loss stalls); scaling variance; seed 1")
    frame = datasets.load("co2_compressibility")
    expected = []
    for m, record in METHODS.items():
        control = {"alpha": "auto", "innerIter": len(frame), "maxIter": "auto", "variant": record.variant}
        if "momentum" in record.control:
            control["momentum"] = record.momentum
        model = learn(frame, learningMethod=m, control=control, seed=1, tol=1e-3 if record.averages else 1e-4,
                      average=True if record.averages else None)
        name = m if record.variant == "R" else f"{m} ({record.variant})"
        expected.append((rmse(model, frame), name, model))
    expected.sort(key=lambda e: e[0])  # (ties in the order of METHODS, as the command keeps them)
    for i, (line, (value, name, model)) in enumerate(zip(lines[6:], expected), 1):
        rank, rest = line.split(None, 1)
        assert rank == str(i) and rest.startswith(name + " ")
        cells = rest[len(name):].split()
        assert cells[0] == g(value)
        assert cells[1] in shown_gaps(least_squares_gap(model, frame)), line
        assert cells[2] == f"{model.error:.2g}" and cells[3] == f"{model.passes:.3g}" and cells[5] == "s"
        assert cells[6] == ("yes" if model.converged else "no")


@pytest.mark.parametrize("command", ["fit", "compare"])
def test_a_gap_below_zero_by_rounding_is_shown_as_zero(command, capsys):
    """The rule the help states: a training MSE below the least-squares fit's, which only
    rounding gives (the least-squares MSE one unit in its last place above it), is a gap of
    0, shown as +0.00% (not +-0.00%)."""
    optimum = 0.020654880872553027
    gap = quality._gap(np.nextafter(optimum, 0), optimum)
    assert gap == 0.0 and math.copysign(1, gap) == 1 and report._percent(gap) == "+0.00%"
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    assert "+0.00% where rounding puts it below" in " ".join(capsys.readouterr().out.split())


def test_compare_marks_a_diverged_method_and_keeps_the_plot_readable(work, tmp_path):
    result = run("compare", work / "co2.csv", "--methods", "GD,MGD", "--alpha", "2.5", "--max-iter", "40", "--tol",
                 "none", "--plot", "curves.png", "--scaling", "variance", cwd=tmp_path)
    assert result.returncode == 0
    table = result.stdout.splitlines()
    assert table[-1].split()[1] == "GD" and table[-1].endswith("DIVERGED")  # the diverged last
    assert table[-2].split()[1] == "MGD" and table[-2].endswith(" -")  # (stable: 2.5 is below 2(1 + 0.9)/L)
    assert result.stderr.startswith("graddescent: warning: GD diverged; --alpha 2.5 is above 2/L = ")
    assert (tmp_path / "curves.png").read_bytes().startswith(PNG_MAGIC)


# --------------------------------------------------------------------------- datasets

def test_datasets_list_and_write(tmp_path):
    listed = run("datasets", cwd=tmp_path, module=True)
    assert listed.returncode == 0, listed.stderr
    assert "co2_compressibility        1743 x 3" in listed.stdout and "mackey_glass" in listed.stdout
    written = run("datasets", "mackey_glass", "-o", "mg.csv", cwd=tmp_path)
    assert written.returncode == 0 and written.stdout == "", written.stderr
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "mg.csv"), datasets.load("mackey_glass"))
    assert [p.name for p in tmp_path.iterdir()] == ["mg.csv"]


# --------------------------------------------------------------------------- progress

LONG_FIT = ("fit", "co2.csv", "--max-iter", "4000000", "--seed", "1")  # 3 to 5 s of fitting: the bar shows after 1 s


def test_no_progress_when_stderr_is_not_a_terminal(work):
    result = run(*LONG_FIT, cwd=work)
    assert result.returncode == 0
    assert result.stderr == ""


def test_progress_bar_on_a_terminal(work):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a pty starts 0 columns wide
    chunks = []

    def read():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        result = run(*LONG_FIT, cwd=work, stderr=slave)
    finally:
        os.close(slave)
        reader.join(10)
        os.close(master)
    assert result.returncode == 0
    assert b"fitting GD: 00:0" in b"".join(chunks)
    assert "fitting GD" not in result.stdout


class _Stream:
    def __init__(self, tty, closed=False):
        self.tty, self.closed = tty, closed

    def isatty(self):
        if self.closed:
            raise ValueError("I/O operation on closed file")
        return self.tty


def test_progress_decision():
    assert cli.progress_wanted(False, _Stream(True))
    assert not cli.progress_wanted(True, _Stream(True))
    assert not cli.progress_wanted(False, _Stream(False))
    assert not cli.progress_wanted(False, _Stream(True, closed=True))
    assert not cli.progress_wanted(False, object())


# --------------------------------------------------------------------------- errors

GOOD = "a,b,c\n1,2,3\n2,1,5\n3,4,6\n4,3,9\n5,6,10\n6,5,13\n"


def _model_doc():
    frame = pd.read_csv(pd.io.common.StringIO(GOOD))
    return cli.model_to_dict(fit_in_process(frame, seed=1), seed=1)


def _model(**changes):
    def make():
        doc = _model_doc()
        for key, value in changes.items():
            if value is KeyError:
                del doc[key]
            else:
                doc[key] = value
        return json.dumps(doc)
    return make


# (id, arguments, extra files, expected part of the message, also run through the installed command)
ERRORS = [
    ("missing-file", ["fit", "nope.csv"], {}, "'nope.csv' does not exist", True),
    ("folder", ["fit", "sub"], {"sub/x": "1"}, "is a folder", False),
    ("binary", ["fit", "image.png"], {"image.png": b"\x89PNG\r\n\x1a\n\x00\x00"}, "not a CSV file", True),
    ("json-as-data", ["fit", "model.json"], {}, "looks like JSON, not CSV", False),
    ("not-utf8", ["fit", "latin.csv"], {"latin.csv": "caf\u00e9,b\n1,2\n3,4\n".encode("latin-1")}, "not a UTF-8", False),
    ("ragged", ["fit", "ragged.csv"], {"ragged.csv": "a,b\n1,2\n3,4,5\n"}, "line 3 has 3 field(s)", False),
    ("empty", ["fit", "empty.csv"], {"empty.csv": ""}, "is empty", True),
    ("blank", ["fit", "blank.csv"], {"blank.csv": "\n\n"}, "is empty", False),
    ("header-only", ["fit", "header.csv"], {"header.csv": "a,b\n"}, "no data rows", False),
    ("one-column", ["fit", "semi.csv"], {"semi.csv": "a;b\n1;2\n3;4\n"}, "only one column (it looks separated by ';'",
     False),
    ("duplicate-names", ["fit", "dup.csv"], {"dup.csv": "a,a\n1,2\n3,4\n"}, "duplicated column names ['a']", False),
    ("unknown-target", ["fit", "good.csv", "--target", "C"], {}, "no column 'C' in 'good.csv'; did you mean 'c'?",
     True),
    ("non-numeric", ["fit", "text.csv"], {"text.csv": "a,b\n1,2\n3,x\n"}, "column 'b' of 'text.csv' is not numeric "
     "(data row 2 holds 'x')", True),
    ("boolean", ["fit", "bool.csv"], {"bool.csv": "a,b\nTrue,2\nFalse,3\n"}, "column 'a' of 'bool.csv' holds true/false",
     False),
    ("nan-cell", ["fit", "nan.csv"], {"nan.csv": "a,b,c\n1,2,3\n4,,6\n7,8,9\n"}, "the first is in column 'b' at data "
     "row 2", True),
    ("inf-cell", ["compare", "inf.csv"], {"inf.csv": "a,b\n1,2\n3,inf\n5,4\n"}, "column 'b' at data row 2", False),
    ("alpha-negative", ["fit", "good.csv", "--alpha", "-1"], {}, "argument --alpha: must be a finite number", True),
    ("alpha-text", ["fit", "good.csv", "--alpha", "fast"], {}, "argument --alpha: expected a number", False),
    ("alpha-nan", ["fit", "good.csv", "--alpha", "nan"], {}, "argument --alpha: must be a finite", False),
    ("max-iter", ["fit", "good.csv", "--max-iter", "2.5"], {}, "argument --max-iter: must be a whole number >= 1",
     False),
    ("momentum", ["compare", "good.csv", "--momentum", "1"], {}, "argument --momentum: must be a finite number in "
     "[0, 1)", False),
    ("option", ["fit", "good.csv", "--option", "3"], {}, "argument --option: invalid choice", False),
    ("gamma-s", ["fit", "good.csv", "--gamma-s", "0"], {}, "argument --gamma-s", False),
    ("lamda", ["fit", "good.csv", "--lamda", "-2"], {}, "argument --lamda", False),
    ("lamda-alpha", ["fit", "good.csv", "--method", "SSGD", "--lamda", "10", "--alpha", "0.1"], {},
     "change --lamda or --alpha", False),
    ("n-batch", ["fit", "good.csv", "--method", "MBGD", "--n-batch", "7"], {}, "--n-batch 7 is more than the 6 "
     "training rows", False),
    ("seed", ["fit", "good.csv", "--seed", "one"], {}, "argument --seed: must be a whole number", False),
    ("scaling", ["fit", "good.csv", "--scaling", "log"], {}, "argument --scaling", False),
    ("constant-column", ["fit", "const.csv"], {"const.csv": "a,b\n1,2\n1,3\n1,4\n"}, "--scaling none", False),
    ("method", ["fit", "good.csv", "--method", "NEWTON"], {}, "unknown method 'NEWTON'", False),
    ("methods", ["compare", "good.csv", "--methods", "GD,,foo"], {}, "unknown method 'foo'", True),
    ("test-rate", ["fit", "good.csv", "--test-rate", "1.5"], {}, "argument --test-rate", False),
    ("test-rate-too-small-split", ["fit", "good.csv", "--test-rate", "0.9"], {}, "0 for training and 6 for testing",
     False),
    ("both-rates", ["fit", "good.csv", "--test-rate", "0.2", "--train-rate", "0.5"], {}, "not allowed with", False),
    ("unknown-option", ["fit", "good.csv", "--fast"], {}, "unrecognized arguments: --fast", False),
    ("no-command", [], {}, "the following arguments are required: COMMAND", False),
    ("plot-format", ["fit", "good.csv", "--plot", "loss.gif"], {}, "cannot tell the image format", False),
    ("out-folder-missing", ["fit", "good.csv", "--model-out", "no/m.json"], {}, "the folder", True),
    ("out-over-input", ["predict", "model.json", "good.csv", "-o", "good.csv"], {}, "refusing to write over", False),
    ("out-over-model", ["predict", "model.json", "good.csv", "-o", "model.json"], {}, "refusing to write over", False),
    ("out-is-folder", ["datasets", "mackey_glass", "-o", "sub"], {"sub/x": "1"}, "is a folder", False),
    ("dataset-name", ["datasets", "iris"], {}, "unknown data set 'iris'", False),
    ("datasets-o-without-name", ["datasets", "-o", "x.csv"], {}, "-o needs a data set NAME", False),
    ("model-missing", ["predict", "none.json", "good.csv"], {}, "'none.json' does not exist", False),
    ("model-not-json", ["predict", "bad.json", "good.csv"], {"bad.json": '{"format": "graddescent-model", '},
     "not valid JSON", True),
    ("model-swapped", ["predict", "good.csv", "model.json"], {}, "'good.csv' is not a graddescent model file", False),
    ("model-not-object", ["predict", "bad.json", "good.csv"], {"bad.json": "[1, 2, 3]"}, "expected a JSON object",
     False),
    ("model-format", ["predict", "bad.json", "good.csv"], {"bad.json": _model(format="pickle")}, "format tag",
     False),
    ("model-newer", ["predict", "bad.json", "good.csv"], {"bad.json": _model(version=2)},
     "written by a newer graddescent (this one reads version 1); upgrade graddescent", True),
    ("model-version-type", ["predict", "bad.json", "good.csv"], {"bad.json": _model(version="1")}, "version must be",
     False),
    ("model-missing-field", ["predict", "bad.json", "good.csv"], {"bad.json": _model(theta=KeyError)},
     "missing field(s) ['theta']", False),
    ("model-extra-field", ["predict", "bad.json", "good.csv"], {"bad.json": _model(pickle="x")},
     "unexpected field(s) ['pickle']", False),
    ("model-theta-type", ["predict", "bad.json", "good.csv"], {"bad.json": _model(theta="0.1 0.2 0.3")},
     "theta must be 3 finite numbers", False),
    ("model-theta-bool", ["predict", "bad.json", "good.csv"], {"bad.json": _model(theta=[True, 0.2, 0.3])},
     "theta must be 3 finite numbers", False),
    ("model-theta-length", ["predict", "bad.json", "good.csv"], {"bad.json": _model(theta=[0.1, 0.2])},
     "theta must be 3 finite numbers", False),
    ("model-nan", ["predict", "bad.json", "good.csv"], {"bad.json": lambda: _model()().replace(
        '"theta": [', '"theta": [NaN, ')}, "NaN is not a finite number", False),
    ("model-scaling-shape", ["predict", "bad.json", "good.csv"], {"bad.json": _model(scaling_parameter=[[0, 1, 2]])},
     "scaling_parameter must be 2 x 3", False),
    ("model-zero-scale", ["predict", "bad.json", "good.csv"],
     {"bad.json": _model(scaling_parameter=[[0, 0, 0], [1, 0, 1]])}, "zero scale", False),
    ("model-method", ["predict", "bad.json", "good.csv"], {"bad.json": _model(method="NEWTON")},
     "unknown method 'NEWTON'", False),
    ("model-control", ["predict", "bad.json", "good.csv"], {"bad.json": _model(control={"alpha": 0.1})},
     "control must be", False),
    ("model-target", ["predict", "bad.json", "good.csv"], {"bad.json": _model(target="a")}, "not the last of columns",
     False),
    ("model-seed", ["predict", "bad.json", "good.csv"], {"bad.json": _model(seed=1.5)}, "seed must be", False),
    ("predict-missing-input", ["predict", "model.json", "ab.csv"], {"ab.csv": "a,c\n1,2\n"},
     "lacks the input column(s) ['b']", True),
    ("predict-non-numeric-input", ["predict", "model.json", "t.csv"], {"t.csv": "a,b\n1,x\n"},
     "column 'b' of 't.csv' is not numeric", False),
]


def _prepare(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    base = {"good.csv": GOOD, "model.json": lambda: json.dumps(_model_doc())}
    for name, content in {**base, **files}.items():
        content = content() if callable(content) else content
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return _snapshot(folder)


def _snapshot(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _check_error(folder, before, status, stderr, expected):
    assert status == 2
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("graddescent: error: ")
    assert "Traceback" not in stderr
    assert expected in lines[0]
    assert _snapshot(folder) == before  # inputs unchanged, no output and no temporary file left


@pytest.mark.parametrize("name, args, files, expected, e2e", ERRORS, ids=[case[0] for case in ERRORS])
def test_error_in_process(name, args, files, expected, e2e, tmp_path, monkeypatch, capsys):
    before = _prepare(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    try:
        status = cli.main(args)
    except SystemExit as exc:  # argparse's usage errors
        status = exc.code
    _check_error(tmp_path, before, status, capsys.readouterr().err, expected)


def test_errors_through_the_installed_command(tmp_path):
    cases = [case for case in ERRORS if case[4]]
    folders = [tmp_path / name for name, *_ in cases]
    befores = [_prepare(folder, files) for folder, (_, _, files, _, _) in zip(folders, cases)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda fc: run(*fc[1][1], cwd=fc[0]), zip(folders, cases)))
    for folder, before, result, case in zip(folders, befores, results, cases):
        _check_error(folder, before, result.returncode, result.stderr, case[3])


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path, capsys):
    path = tmp_path / "secret.csv"
    path.write_text(GOOD)
    path.chmod(0)
    try:
        assert cli.main(["fit", str(path)]) == 2
    finally:
        path.chmod(0o644)
    assert "Permission denied" in capsys.readouterr().err


def test_failed_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def half_then_fail(f):
        f.write("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(writing.OutputError, match="cannot write .*out.csv'?: No space left on device"):
        writing.write_atomic(str(target), half_then_fail)
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert target.read_text() == "old\n"


def test_predict_keeps_an_empty_target_column(tmp_path, monkeypatch, capsys):
    frame = pd.read_csv(pd.io.common.StringIO(GOOD))
    model = fit_in_process(frame, seed=1)
    cli.write_model(model, tmp_path / "m.json", seed=1)
    (tmp_path / "new.csv").write_text("c,b,a\n,2,1\n,4,3\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["predict", "m.json", "new.csv"]) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert list(out.columns) == ["c", "b", "a", "prediction"] and out["c"].isna().all()
    expected = predict(model, pd.DataFrame({"a": [1.0, 3.0], "b": [2.0, 4.0]}))["V1"]
    assert out["prediction"].tolist() == expected.tolist()


def test_a_diverged_fit_writes_no_model_and_ends_with_the_remedy(tmp_path, monkeypatch, capsys):
    _prepare(tmp_path, {})
    before = _snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["fit", "good.csv", "--alpha", "5", "--scaling", "none", "--model-out", "m.json", "--quiet"])
    assert status == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("graddescent: error: the fit diverged; 'm.json' was not written: "
                                               "--alpha 5 is above 2/L = ")
    assert "--alpha auto" in err[0] and "--scaling variance" in err[0]
    assert _snapshot(tmp_path) == before


def test_a_diverged_fit_reports_its_r2_in_a_short_line(tmp_path):
    """A fit that blew up has an R^2 near -1e119: written in exponent form, so that the report's
    columns stay narrow (it printed 120 digits, and padded every row of the table to them)."""
    data = tmp_path / "co2.csv"
    datasets.load("co2_compressibility").to_csv(data, index=False)
    out = run("fit", data, "--alpha", "5", "--max-iter", "100", "--seed", "1", "--quiet", cwd=tmp_path)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    (r2,) = [line for line in lines if line.startswith("R^2")]
    assert "e+" in r2 and max(map(len, lines[1:])) < 100, r2  # (the first line names the file)
