"""Data held by Dask: the in-memory numbers, to the last bit, for any chunking and any number
of workers (a real distributed.LocalCluster of two worker processes), R's goldens through the
Dask path, and the errors."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

import graddescent as gd
from conftest import GOLDENS, load, r_values
from graddescent import gradDescentR

da = pytest.importorskip("dask.array", reason="Dask input needs the optional extra 'dask' (pip install '.[dask]')")
dd = pytest.importorskip("dask.dataframe", reason="Dask input needs the optional extra 'dask' (pip install '.[dask]')")
distributed = pytest.importorskip("distributed", reason="the cluster tests need the optional extra 'dask'")

METHODS = ["GD", "MBGD", "MGD", "AGD", "SGD", "SAGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM", "SVRG", "SSGD",
           "SARAH", "SARAHPlus"]


def chunkings(m):
    """Three ways to cut m rows: even pieces, uneven ones, and many small ones with a piece of one row."""
    uneven = (m // 2, m // 3, m - m // 2 - m // 3)
    small = [1] + [m // 17] * 15
    return [m // 4 + 1, uneven, tuple(small + [m - sum(small)])]


def bits(x):
    """The bytes of a result (NaN equal to NaN, -0 different from 0)."""
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64)).tobytes()


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def diabetes():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    return pd.DataFrame(np.column_stack([X, y]), columns=[f"x{j}" for j in range(X.shape[1])] + ["y"])


def fits(client, data, method, **kwargs):
    """The fit of data in memory and of it held by the cluster in three chunkings (theta, loss)."""
    fn = getattr(gd, method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = fn(data, **kwargs, return_loss=True)
        held = []
        for chunks in chunkings(len(data)):
            array = client.persist(da.from_array(data.to_numpy(), chunks=(chunks, -1)))
            held.append(fn(array, **kwargs, return_loss=True))
    return reference, held


@pytest.mark.parametrize("method", METHODS)
def test_r_mode_on_a_cluster_is_bit_identical(client, method):
    """R's fixed iterations on the unscaled CO2 data (several methods diverge: their sums take
    the compensated fallback, in row order through the pieces)."""
    data = gd.datasets.load("co2_compressibility")
    kwargs = dict(maxIter=25, seed=7) if method == "ADADELTA" else dict(alpha=0.01, maxIter=25, seed=7)
    (theta, loss), held = fits(client, data, method, **kwargs)
    for got_theta, got_loss in held:
        assert bits(got_theta) == bits(theta) and bits(got_loss) == bits(loss)


@pytest.mark.parametrize("method", METHODS)
def test_auto_and_stopping_rule_on_a_cluster_are_bit_identical(client, diabetes, method):
    """alpha='auto' (the exact curvature, the row norms, the adaptive methods' trial pass) and
    the stopping rule with averaging, on scaled real data (scikit-learn's diabetes)."""
    data = gd.varianceScaling(diabetes).scaledDataSet
    kwargs = dict(maxIter=40 if method not in methods_by_row() else 8 * len(data), tol=1e-4, seed=3)
    if method != "ADADELTA":
        kwargs["alpha"] = "auto"
    (theta, loss), held = fits(client, data, method, **kwargs)
    assert np.isfinite(theta).all() and loss.size > 1
    for got_theta, got_loss in held:
        assert bits(got_theta) == bits(theta) and bits(got_loss) == bits(loss)


def methods_by_row():
    BY_ROW = {name for name, record in gd.catalog.METHODS.items() if record.by_row}

    return BY_ROW


def test_learn_with_a_dask_dataframe_on_a_cluster(client, diabetes):
    """learn's scaling (R's long double mean and sd, through the pieces in order) and fit."""
    control = {"alpha": "auto", "maxIter": 60}
    reference = gradDescentR.learn(diabetes, learningMethod="GD", control=control, seed=1, tol=1e-4)
    for parts in (2, 11):
        frame = client.persist(dd.from_pandas(diabetes, npartitions=parts))
        model = gradDescentR.learn(frame, learningMethod="GD", control=control, seed=1, tol=1e-4)
        assert bits(model.model) == bits(reference.model)
        assert bits(model.scalingParameter) == bits(reference.scalingParameter)
        assert model.converged == reference.converged and model.passes == reference.passes
        assert model.alpha == reference.alpha


@pytest.mark.parametrize("estimator", [gd.SGDRegressor(max_iter=4), gd.GDRegressor(max_iter=30),
                                       gd.SVRGRegressor(max_iter=5, scaling="minmax"),
                                       gd.ADAMRegressor(max_iter=3, variant="amsgrad")], ids=type)
def test_estimators_fit_and_predict_on_a_cluster(client, diabetes, estimator):
    """An estimator's fit of X and y held by Dask (a DataFrame and a Series, or arrays) is its
    fit of them in memory, bit for bit; predict gives a lazy Dask array of the same numbers."""
    from sklearn.base import clone

    X, y = diabetes.iloc[:, :-1], diabetes.iloc[:, -1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = clone(estimator).set_params(random_state=4).fit(X, y)
        frame = client.persist(dd.from_pandas(diabetes, npartitions=3))
        held = clone(estimator).set_params(random_state=4).fit(frame.iloc[:, :-1], frame["y"])
        arrays = clone(estimator).set_params(random_state=4).fit(
            da.from_array(X.to_numpy(), chunks=(100, 4)), da.from_array(y.to_numpy(), chunks=150))
    for fitted in (held, arrays):
        assert bits(fitted.coef_) == bits(reference.coef_) and fitted.intercept_ == reference.intercept_
        assert fitted.n_iter_ == reference.n_iter_ and fitted.converged_ == reference.converged_
    assert list(held.feature_names_in_) == list(X.columns)
    predicted = held.predict(frame.iloc[:, :-1])
    assert isinstance(predicted, da.Array)
    assert bits(predicted.compute()) == bits(reference.predict(X))


@pytest.mark.parametrize("estimator", [gd.SGDRegressor(), gd.MBGDRegressor(n_batch=3), gd.ADAMRegressor()], ids=type)
def test_partial_fit_on_batches_held_by_dask(diabetes, estimator):
    """partial_fit of batches held by Dask (weighted, and not) is its partial_fit of them in
    memory, bit for bit; a batch of other width is refused as in memory."""
    from sklearn.base import clone

    X, y = diabetes.iloc[:, :-1].to_numpy(), diabetes.iloc[:, -1].to_numpy()
    w = 1.0 + np.arange(y.size) % 3
    reference, held = clone(estimator).set_params(random_state=2), clone(estimator).set_params(random_state=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for rows in (slice(0, 200), slice(200, None)):
            reference.partial_fit(X[rows], y[rows], sample_weight=w[rows])
            held.partial_fit(da.from_array(X[rows], chunks=(70, 5)), da.from_array(y[rows], chunks=70),
                             sample_weight=da.from_array(w[rows], chunks=70))
    assert bits(held.coef_) == bits(reference.coef_) and held.intercept_ == reference.intercept_
    assert held.n_features_in_ == X.shape[1]
    with pytest.raises(ValueError, match=f"X has 3 features, but {type(estimator).__name__} is expecting {X.shape[1]} "):
        held.partial_fit(da.from_array(X[:, :3], chunks=70), da.from_array(y, chunks=70))


def test_estimator_errors_with_dask():
    X = da.from_array(np.ones((10, 2)), chunks=5)
    with pytest.raises(ValueError, match="X and y must both be held by Dask, or both be in memory"):
        gd.GDRegressor().fit(X, np.ones(10))
    with pytest.raises(ValueError, match=r"with as many rows: got shapes \(10, 2\) and \(9,\)"):
        gd.GDRegressor().fit(X, da.from_array(np.ones(9), chunks=5))


def test_a_single_row_fit_longer_than_a_fetch(client, diabetes, monkeypatch):
    """Rows fetched a stretch at a time: windows of the loss record across the stretches."""
    monkeypatch.setattr(gd.chunked, "FETCH", 97)
    data = gd.varianceScaling(diabetes).scaledDataSet
    for method, kwargs in [("SGD", dict(alpha=0.01, maxIter=5000)), ("ADAM", dict(alpha="auto", maxIter=3000,
                                                                                      tol=1e-3))]:
        (theta, loss), held = fits(client, data, method, seed=2, **kwargs)
        for got_theta, got_loss in held:
            assert bits(got_theta) == bits(theta) and bits(got_loss) == bits(loss)


VARIANTS = [("ADAGRAD", "textbook"), ("RMSPROP", "textbook"), ("ADADELTA", "textbook"), ("ADAM", "textbook"),
            ("ADAM", "amsgrad"), ("AGD", "textbook"), ("SAGD", "textbook"), ("SSGD", "textbook"), ("SVRG", "textbook"),
            ("SARAHPlus", "textbook")]


@pytest.mark.parametrize("method, variant", VARIANTS)
def test_published_rules_through_dask(diabetes, monkeypatch, method, variant, vector_path):
    """The published rules (SAG's table of residuals kept whole while its rows are fetched a
    stretch at a time) on Dask's threads, bit-identical to the fits in memory, on each copy of
    the block loop the processor runs (the pieces' sums on the whole data's grids)."""
    monkeypatch.setattr(gd.chunked, "FETCH", 211)
    data = gd.varianceScaling(diabetes).scaledDataSet
    fn = getattr(gd, method)
    kwargs = dict(variant=variant, seed=5, tol=1e-4, maxIter=25 if method in ("AGD", "SSGD", "SVRG", "SARAHPlus")
                  else 4 * len(data))
    if method != "ADADELTA":
        kwargs["alpha"] = "auto"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theta, loss = fn(data, **kwargs, return_loss=True)
        for chunks in chunkings(len(data)):
            got_theta, got_loss = fn(da.from_array(data.to_numpy(), chunks=(chunks, -1)), **kwargs, return_loss=True)
            assert bits(got_theta) == bits(theta) and bits(got_loss) == bits(loss)


# --------------------------------------------------------------------------- R's goldens through Dask

def golden_cases(kind):
    return pytest.mark.parametrize("case", [c for c in GOLDENS if c["kind"] == kind])


@pytest.fixture
def threads():
    """Dask's threads as the scheduler, even where a cluster's client is about (the cluster
    tests above show that where the pieces go does not change a bit)."""
    import dask

    with dask.config.set(scheduler="threads"):
        yield


def held(frame, parts=3):
    """A DataFrame held by Dask, in pieces."""
    return dd.from_pandas(frame, npartitions=min(parts, len(frame)))


@golden_cases("method")
def test_r_goldens_of_the_methods_through_dask(case, threads):
    from test_parity import scaled

    data = scaled(case["data"], case["scaling"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theta = getattr(gd, case["method"])(held(data), **case["params"], seed=case["seed"])
    np.testing.assert_allclose(theta.ravel(), r_values(case["theta"]), rtol=1e-9, atol=0, equal_nan=True)


@golden_cases("learn")
def test_r_goldens_of_learn_through_dask(case, threads):
    data = load(case["data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = gradDescentR.learn(held(data, 4), case["featureScaling"], case["scalingMethod"], case["method"],
                                   case["control"], seed=case["seed"])
    np.testing.assert_allclose(model.model.ravel(), r_values(case["model"]), rtol=1e-9, atol=0, equal_nan=True)


# --------------------------------------------------------------------------- errors

def test_dask_input_without_the_extra(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name == "dask" or name.startswith("dask."):
            raise ImportError("No module named 'dask'")
        return real(name, *args, **kwargs)

    array = da.from_array(np.ones((4, 2)), chunks=2)
    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(ImportError, match=r"optional extra 'dask'.*pip install 'graddescent\[dask\]'"):
        gd.GD(array)


def test_pieces_of_different_widths_are_refused():
    import dask

    pieces = [da.from_delayed(dask.delayed(np.ones)((3, 3)), shape=(3, 3), dtype=float),
              da.from_delayed(dask.delayed(np.ones)((3, 2)), shape=(3, 3), dtype=float)]
    with pytest.raises(ValueError, match=r"a piece of the data has shape \(3, 2\), where every piece must have 3 "
                                         r"columns"):
        gd.GD(da.concatenate(pieces))


def test_pieces_of_different_dtypes_are_refused():
    import dask

    text = dask.delayed(lambda: np.array([["a", "b"], ["c", "d"]]))()
    pieces = [da.from_array(np.ones((2, 2)), chunks=2), da.from_delayed(text, shape=(2, 2), dtype=float)]
    with pytest.raises(ValueError, match="a piece of the data holds <U1 values, where every column must hold real"):
        gd.GD(da.concatenate(pieces))


def test_bad_values_are_named_with_their_row():
    values = np.arange(40.0).reshape(20, 2)
    values[13, 1] = np.nan
    with pytest.raises(ValueError, match=r"1 NaN or infinite value\(s\); the first is in column 'V2' at row 13"):
        gd.SGD(da.from_array(values, chunks=(6, 2)))


@pytest.mark.parametrize("make, message", [
    (lambda: dd.from_pandas(pd.DataFrame({"a": ["x", "y"], "b": [1.0, 2.0]}), npartitions=1),
     "column 'a' is non-numeric"),
    (lambda: da.from_array(np.ones(5), chunks=2), "must be 2-dimensional"),
    (lambda: da.from_array(np.ones((5, 1)), chunks=2), "it needs at least 2"),
    (lambda: da.from_array(np.ones((5, 2), dtype=bool), chunks=2), "must hold real numbers"),
])
def test_bad_dask_data(make, message):
    with pytest.raises(ValueError, match=message):
        gd.GD(make())


def test_a_worker_that_dies_mid_fit_is_replaced_and_the_numbers_are_the_same():
    """Dask reruns a lost worker's pieces on the other (the pieces' work is pure): the same
    numbers, or, where no worker is left, an error; never a wrong number."""
    import contextlib
    import os
    import threading

    data = gd.varianceScaling(gd.datasets.load("co2_compressibility")).scaledDataSet
    reference = gd.GD(data, alpha=0.1, maxIter=400, seed=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=50) as cluster, distributed.Client(cluster) as c:
        array = c.persist(da.from_array(data.to_numpy(), chunks=(300, -1)))
        victim = sorted(c.scheduler_info()["workers"])[0]
        def kill():
            with contextlib.suppress(distributed.comm.CommClosedError):  # (the worker exits before it answers)
                c.run(os._exit, 1, workers=[victim])

        killer = threading.Timer(0.5, kill)
        killer.start()
        theta = gd.GD(array, alpha=0.1, maxIter=400, seed=1)
        killer.join()
        assert victim not in c.scheduler_info()["workers"]  # (it died during the fit)
    assert bits(theta) == bits(reference)


# --------------------------------------------------------------------------- the command line

def run_cli(argv, capsys):
    from graddescent import cli

    status = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.mark.parametrize("options", [["--tol", "1e-4"], ["--method", "SGD", "--tol", "1e-3", "--persist"],
                                     ["--method", "SVRG", "--alpha", "auto", "--max-iter", "20"]])
def test_cli_fit_dask_gives_the_in_memory_numbers(csv_file, capsys, options):
    import json

    in_memory = [o for o in options if o != "--persist"]  # (refused without a cluster: it would do nothing)
    status, out, _ = run_cli(["fit", csv_file, "--seed", "1", "--json", "--quiet", *in_memory], capsys)
    assert status == 0
    memory = json.loads(out)
    status, out, _ = run_cli(["fit", csv_file, "--seed", "1", "--json", "--quiet", "--dask", "--workers", "2",
                              *options], capsys)
    assert status == 0
    held = json.loads(out)
    assert held["theta"] == memory["theta"] and held["n_iter"] == memory["n_iter"]
    assert held["rows"] == memory["rows"] == 3000
    assert held["train_rmse"] == pytest.approx(memory["train_rmse"], rel=1e-12)
    assert held["gap_to_least_squares"] == pytest.approx(memory["gap_to_least_squares"], abs=1e-9)
    assert held["data_passes"] >= memory["passes"]


def test_cli_fit_dask_bad_cell_names_its_line(csv_file, capsys):
    lines = csv_file.read_text().splitlines()
    lines[2500] = lines[2500].replace(lines[2500].split(",")[1], "oops", 1)
    csv_file.write_text("\n".join(lines) + "\n")
    status, _, err = run_cli(["fit", csv_file, "--dask", "--workers", "1"], capsys)
    assert status == 2
    assert err.strip().splitlines() == [f"graddescent: error: {str(csv_file)!r} line 2501: column 'b' holds 'oops', "
                                        "not a number; fix the cell, or leave the column out (--drop)"]


def test_cli_fit_dask_missing_values(csv_file, capsys):
    import json

    lines = csv_file.read_text().splitlines()
    lines[1700] = ",".join(lines[1700].split(",")[:2] + ["", lines[1700].split(",")[3]])
    csv_file.write_text("\n".join(lines) + "\n")
    status, _, err = run_cli(["fit", csv_file, "--dask", "--workers", "1"], capsys)
    assert err.strip().splitlines() == [f"graddescent: error: {str(csv_file)!r} has 1 empty, NaN or missing cell(s); "
                                        "the first is in column 'c' at data row 1700; fill them, or drop those rows "
                                        "with --dropna"]
    status, _, memory_err = run_cli(["fit", csv_file], capsys)
    assert memory_err == err  # (the same words as without --dask)
    status, out, _ = run_cli(["fit", csv_file, "--dask", "--dropna", "--seed", "2", "--json", "--quiet"], capsys)
    held = json.loads(out)
    status, out, _ = run_cli(["fit", csv_file, "--dropna", "--seed", "2", "--json", "--quiet"], capsys)
    assert held["theta"] == json.loads(out)["theta"] and held["rows"] == 2999


def test_cli_scheduler_that_does_not_answer(csv_file, capsys, monkeypatch):
    import socket

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    status, out, err = run_cli(["fit", csv_file, "--scheduler", f"tcp://127.0.0.1:{port}", "--timeout", "2"], capsys)
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"graddescent: error: no Dask scheduler answered at "
                                                   f"'tcp://127.0.0.1:{port}' within 2 s")


def test_cli_dask_options_refused_where_they_cannot_work(csv_file, capsys, monkeypatch):
    status, _, err = run_cli(["fit", csv_file, "--dask", "--test-rate", "0.2"], capsys)
    assert status == 2 and "--test-rate and --train-rate draw rows at random" in err
    import builtins

    real = builtins.__import__

    def no_distributed(name, *args, **kwargs):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError("No module named 'distributed'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    status, _, err = run_cli(["fit", csv_file, "--dask"], capsys)
    assert status == 2 and "--dask and --scheduler need the optional extra 'dask': pip install" in err


def test_cli_predict_dask_writes_what_predict_writes(csv_file, tmp_path, capsys):
    """Text passed through, a spreadsheet's empty unnamed column left out, the header once: the
    same bytes as without --dask, from blocks written in order."""
    frame = pd.read_csv(csv_file)
    frame.insert(1, "label", [f"row {i}" for i in range(len(frame))])
    frame[""] = ""
    frame.to_csv(csv_file, index=False)
    model = tmp_path / "model.json"
    assert run_cli(["fit", csv_file, "--drop", "label", "--seed", "1", "--model-out", model, "--quiet"], capsys)[0] == 0
    status, _, err = run_cli(["predict", model, csv_file, "-o", tmp_path / "memory.csv"], capsys)
    assert status == 0
    status, _, held_err = run_cli(["predict", model, csv_file, "-o", tmp_path / "held.csv", "--dask", "--workers", "2"],
                                  capsys)
    assert status == 0 and held_err == err
    assert (tmp_path / "held.csv").read_bytes() == (tmp_path / "memory.csv").read_bytes()
    assert (tmp_path / "held.csv").read_text().count("prediction") == 1
    lines = csv_file.read_text().splitlines()
    lines[2900] = lines[2900].replace(lines[2900].split(",")[2], "x", 1)
    csv_file.write_text("\n".join(lines) + "\n")
    status, _, err = run_cli(["predict", model, csv_file, "--dask", "--workers", "1"], capsys)
    assert status == 2 and err.strip().splitlines() == [
        f"graddescent: error: {str(csv_file)!r} line 2901: column 'b' holds 'x', not a number; fix the cell"]


@pytest.mark.parametrize("row, fields", [(1234, "1,2"), (2222, "1,2,3,4,5,6,7"), (2999, "1,2,3,4,5")])
def test_cli_dask_rows_of_the_wrong_length_are_named_as_in_memory(csv_file, capsys, monkeypatch, row, fields):
    """A row too short or too long, in a block past the first: the error of the file read
    into memory, word for word, with its line; nothing else on stderr."""
    lines = csv_file.read_text().splitlines()
    lines[row] = fields
    csv_file.write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(csv_file.parent)  # (a relative path: the workers open it from elsewhere)
    status, _, memory = run_cli(["fit", csv_file.name], capsys)
    assert status == 2 and f"line {row + 1} has {fields.count(',') + 1} field(s) but the header has 4" in memory
    status, _, held = run_cli(["fit", csv_file.name, "--dask", "--workers", "1"], capsys)
    assert status == 2 and held == memory and len(held.splitlines()) == 1
