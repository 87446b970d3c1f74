"""Fits you can trust (issue 13): the stopping rule, automatic steps, and honest reports of
convergence and divergence, checked on public tables nobody here wrote (scikit-learn's
diabetes and linnerud data; stackloss, longley and engel, public domain, in tests/data) against the
least-squares fit each table has."""

import json
import threading
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_linnerud
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

import graddescent as gd
from graddescent import _kernels as K
from graddescent import cli
from conftest import HERE, assert_matches_library

METHODS = list(gd.catalog.METHODS)
TABLES = ["diabetes", "linnerud", "stackloss", "longley", "engel"]


def table(name):
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True, as_frame=True)
        return pd.concat([X, y], axis=1)
    if name == "linnerud":  # (exercise counts; the target the first physiological measure, weight)
        X, y = load_linnerud(return_X_y=True, as_frame=True)
        return pd.concat([X, y["Weight"]], axis=1)
    return pd.read_csv(HERE / "data" / f"{name}.csv")


def least_squares_mse(X, y):
    fit = LinearRegression().fit(X, y)
    return np.mean((fit.predict(X) - y) ** 2)


def scaled(name):
    return gd.varianceScaling(table(name)).scaledDataSet.to_numpy()


def curvature(data):
    """L, the largest eigenvalue of X'X/m, X = [1 | inputs], by numpy (the reference: BLAS's
    product and LAPACK's eigenvalues, whose last bits are the processor's)."""
    X = np.column_stack([np.ones(len(data)), data[:, :-1]])
    return np.linalg.eigvalsh(X.T @ X / len(data))[-1]


# --------------------------------------------------------------------------- the public tables

@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("method", METHODS)
def test_every_estimator_with_its_defaults_ends_near_least_squares_or_warns(name, method):
    data = table(name)
    X, y = data.iloc[:, :-1], data.iloc[:, -1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator = getattr(gd, f"{method}Regressor")(random_state=1).fit(X, y)
    gap = np.mean((estimator.predict(X) - y) ** 2) / least_squares_mse(X, y) - 1
    warned = [w for w in caught if issubclass(w.category, (ConvergenceWarning, UserWarning))]
    assert gap <= 0.01 or warned, f"{method} on {name}: {gap:.2%} above least squares, and no warning"
    if estimator.converged_:  # a converged fit is near the optimum (MBGD: of the rows its batches use)
        assert gap <= 0.01 or any(w.category is UserWarning for w in warned), (method, name, gap)


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("method", METHODS)
def test_no_fit_ends_far_above_its_start_without_a_warning(name, method):
    """R's settings (fixed iterations, R's step), unscaled and scaled: a fit whose loss over
    all rows ends 10 times where it started says it diverged."""
    for featureScaling in (False, True):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = gd.learn(table(name), featureScaling, learningMethod=method, control={"maxIter": 100}, seed=3)
        data = table(name).to_numpy() if not featureScaling else scaled(name)
        with np.errstate(all="ignore"):
            first = gd.RRandom(3).runif(data.shape[1])  # R's initial theta for seed 3
            start = np.mean((first[0] + data[:, :-1] @ first[1:] - data[:, -1]) ** 2)
            t = model.model.ravel()
            end = np.mean((t[0] + data[:, :-1] @ t[1:] - data[:, -1]) ** 2)
        if not np.isfinite(end) or end > 10 * start:
            assert model.diverged and [w.category for w in caught] == [ConvergenceWarning], (method, name)


# --------------------------------------------------------------------------- the cases

def test_gd_above_its_stable_step_says_so_with_the_bound():
    """The issue's case: a loss up hundreds of times, where the old check waited for 10^8."""
    data = gd.varianceScaling(gd.datasets.load("co2_compressibility")).scaledDataSet
    with pytest.warns(ConvergenceWarning) as caught:
        theta, loss = gd.GD(data, alpha=2.1, maxIter=36, seed=1, return_loss=True)
    assert 100 < loss[-1] / loss[0] < 1e8  # (the old check waited for 10^8)
    bound = 2 / curvature(data.to_numpy())
    assert f"alpha 2.1 is above 2/L = {bound:.3g} for this data" in str(caught[0].message)
    assert "scal" not in str(caught[0].message)  # the data is scaled: no word of scaling


def test_the_command_writes_no_model_of_a_diverged_fit(tmp_path, monkeypatch, capsys):
    gd.datasets.load("co2_compressibility").to_csv(tmp_path / "co2.csv", index=False)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["fit", "co2.csv", "--alpha", "2.1", "--max-iter", "60", "--model-out", "m.json", "--quiet"])
    assert status == 1 and not (tmp_path / "m.json").exists()
    assert "the fit diverged; 'm.json' was not written: --alpha 2.1 is above 2/L" in capsys.readouterr().err


def test_ssgd_on_diabetes_at_rs_default_step_warns():
    with pytest.warns(ConvergenceWarning, match=r"SSGD diverged.*opposite sign.*ln\(2\)/\(innerIter max\|x_i\|\^2\)"):
        gd.SSGD(scaled("diabetes"), seed=1, maxIter=50)


def test_sgd_above_its_stable_step_names_the_bound_of_the_rows():
    """R's default alpha 0.1 is above 2 / max|x_i|^2 on scaled diabetes (0.040)."""
    data = scaled("diabetes")
    bound = 2 / (1 + np.max(np.sum(data[:, :-1] ** 2, axis=1)))
    assert 0.03 < bound < 0.05
    X, y = table("diabetes").iloc[:, :-1], table("diabetes").iloc[:, -1]
    for seed in (1, 2, 3):  # a step above the bound does not settle: the iterate is not averaged (R's)
        with pytest.warns(ConvergenceWarning) as caught:
            estimator = gd.SGDRegressor(learning_rate=0.1, average=False, max_iter=100, random_state=seed).fit(X, y)
        message = str(caught[0].message)
        assert estimator.converged_ is False and (
            "SGDRegressor stopped after 100 passes: its coefficients are certified within" in message
            or f"learning_rate 0.1 is above 2/max|x_i|^2 = {bound:.3g}" in message)
    # averaged, the same step settles (the iterates hover about the optimum) where its loss stalls: not at
    # the least-squares coefficients, which its warning says
    with pytest.warns(ConvergenceWarning, match="its loss stopped falling"):
        assert gd.SGDRegressor(learning_rate=0.1, random_state=1).fit(X, y).score(X, y) > 0.51


def test_rs_few_iterations_are_said_not_to_have_converged(tmp_path, monkeypatch, capsys):
    table("stackloss").to_csv(tmp_path / "stackloss.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["fit", "stackloss.csv", "--seed", "1", "--tol", "none"]) == 0
    err = capsys.readouterr().err
    assert "after R's 10 iterations (--tol none) the training MSE is" in err and "has not converged" in err
    assert cli.main(["fit", "stackloss.csv", "--seed", "1", "--json"]) == 0  # (the command converges by default)
    out = json.loads(capsys.readouterr().out)
    assert out["converged"] is True and out["gap_to_least_squares"] < 0.01 and out["certified_error"] <= 1e-4
    ls = LinearRegression().fit(table("stackloss").iloc[:, :-1], table("stackloss").iloc[:, -1])
    assert out["coefficients"][0] == pytest.approx(ls.intercept_, rel=0.02)  # -39.9, where R's 10 steps give -78
    assert out["least_squares"]["coefficients"][0] == pytest.approx(ls.intercept_, rel=1e-9)


def test_diabetes_fits_as_well_as_least_squares():
    X, y = load_diabetes(return_X_y=True)
    best = LinearRegression().fit(X, y).score(X, y)
    for method in ("GD", "SVRG"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # converged (certified): no warning
            score = getattr(gd, f"{method}Regressor")(random_state=1).fit(X, y).score(X, y)
        assert score == pytest.approx(best, abs=1e-6), method
    for method in ("SGD", "ADAM"):  # their loss stalls near the optimum's, their coefficients not: they say so
        with pytest.warns(ConvergenceWarning, match="its loss stopped falling"):
            score = getattr(gd, f"{method}Regressor")(random_state=1).fit(X, y).score(X, y)
        assert score == pytest.approx(best, abs=0.005), method


def test_max_iter_before_tol_warns_as_scikit_learn_does():
    X, y = load_diabetes(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match=r"GDRegressor stopped after 5 passes: its coefficients are certified "
                                                r"within .* of least squares, not tol = 0.0001: raise max_iter"):
        estimator = gd.GDRegressor(max_iter=5, random_state=1).fit(X, y)
    assert estimator.n_iter_ == 5 and estimator.converged_ is False


def test_warnings_are_not_lost_in_threads():
    """Eight threads fit at once, four of them diverging: four warnings, and the warnings
    machinery as it was (the estimators never catch and re-issue)."""
    X, y = load_diabetes(return_X_y=True)
    showwarning = warnings.showwarning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        threads = [threading.Thread(target=gd.GDRegressor(learning_rate=3.0 if i % 2 else "auto", tol=1e-3,
                                                          random_state=i).fit, args=(X, y)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    diverged = [w for w in caught if "diverged" in str(w.message)]
    assert len(diverged) == 4 and len(caught) == 4
    assert warnings.showwarning is showwarning


# --------------------------------------------------------------------------- automatic steps

def test_auto_steps_are_the_theory_of_each_family():
    data = scaled("diabetes")
    L = curvature(data)
    R2 = 1 + np.max(np.sum(data[:, :-1] ** 2, axis=1))
    X = np.column_stack([np.ones(len(data)), data[:, :-1]])
    mu = np.linalg.eigvalsh(X.T @ X / len(data))[0]
    fits = {m: gd.drivers.run(m, data, seed=1, alpha="auto", maxIter=3, innerIter=7) for m in METHODS}
    assert_matches_library(fits["GD"].alpha, 2 / (L + mu), err_msg="GD")  # (GD's optimal step for the spectrum)
    for method in ("MGD", "AGD"):
        assert_matches_library(fits[method].alpha, 1 / L, err_msg=method)
    for method in ("SGD", "SAGD", "SVRG", "SARAH", "SARAHPlus"):
        assert fits[method].alpha == pytest.approx(1 / (4 * R2), rel=1e-12)
    assert fits["SSGD"].alpha == pytest.approx(np.log(2) / (7 * R2), rel=1e-12)
    assert fits["ADADELTA"].alpha is None
    for method in ("ADAGRAD", "RMSPROP", "ADAM"):
        assert fits[method].alpha in gd.convergence.TRIAL_ALPHAS


@pytest.mark.parametrize("shape", [(5, 20), (50, 20), (40, 3)], ids=["wide: rows' Gram", "both: Lanczos",
                                                                       "narrow: columns' Gram"])
def test_curvature_of_any_shape_is_the_largest_eigenvalue(monkeypatch, shape):
    """L without a matrix the size of the data's columns squared: for a wide table from the
    Gram matrix of its rows, for a large one from Lanczos iterations (here made to happen on
    small data by lowering the largest Gram matrix built); against numpy's SVD."""
    from graddescent import spectrum
    monkeypatch.setattr(spectrum, "GRAM_SIZE", 8)
    inputs = np.random.default_rng(shape[0]).standard_normal(shape) * np.linspace(1, 5, shape[1])
    X = np.column_stack([np.ones(shape[0]), inputs])
    expected = np.linalg.svd(X, compute_uv=False)[0] ** 2 / shape[0]
    data = gd.data.Dense(np.column_stack([inputs, np.zeros(shape[0])]))  # (the output is not an input)
    assert_matches_library(data.curvature(), expected, rtol=1e-5)  # (Lanczos: to 1e-6, raised by 1e-6)
    assert data.largest_row_norm() == pytest.approx(np.max(np.sum(X ** 2, axis=1)), rel=1e-12)


def test_a_diverged_fit_on_a_wide_table_names_its_bound(tmp_path, monkeypatch, capsys):
    """2 rows and 3000 columns: the remedy's bound needs no 3001 x 3001 matrix (it ran out of memory
    for 10^5 columns)."""
    values = np.random.default_rng(7).integers(0, 10**6, (2, 3001)).astype(float)
    pd.DataFrame(values, columns=[f"c{j}" for j in range(3001)]).to_csv(tmp_path / "wide.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["fit", "wide.csv", "--scaling", "none", "--alpha", "1e-6", "--quiet"]) == 1
    X = np.column_stack([np.ones(2), values[:, :-1]])
    bound = 2 / (np.linalg.svd(X, compute_uv=False)[0] ** 2 / 2)
    assert f"is above 2/L = {bound:.3g} for this data" in capsys.readouterr().err


def test_auto_step_of_mbgd_is_that_of_its_steepest_batch():
    data = scaled("engel")
    perm = gd.RRandom(4).sample(len(data)) - 1
    batches, starts = gd.drivers._mbgd_batches(perm, 3)
    steepest = max(curvature(data[batches[starts[b]:starts[b + 1]]]) for b in range(3))
    fit = gd.drivers.run("MBGD", data, seed=4, alpha="auto", maxIter=3, nBatch=3)
    assert_matches_library(fit.alpha, 1 / steepest)


def test_auto_refuses_data_whose_squares_overflow():
    data = np.array([[1e160, 1.0], [2e160, 2.0], [3e160, 2.5]])
    with pytest.raises(ValueError, match="alpha='auto' cannot size a step.*scale the columns"):
        gd.GD(data, alpha="auto")


# --------------------------------------------------------------------------- the stopping rule itself

def run_rule(losses, tol, patience, averaged=False):
    """Where the rule stops a fit with these losses a pass (1-based), and whether converged; with
    ``averaged``, losses of a running average, each judged with the loss half-way back."""
    state = K.rule_state(patience)
    for i, loss in enumerate(losses):
        if K.stopped(state, loss, tol, patience, losses[(i + 1) // 2] if averaged else np.nan):
            return i + 1, bool(np.isfinite(loss))
    return None, False


def test_rule_lets_a_slow_steady_descent_go_on():
    """A loss falling geometrically to 1 at rate r a pass: the rule stops once what is left
    to gain at that rate is within tol of the loss; a rule on the decrease alone (a pass's
    decrease below tol times the loss) would stop far earlier, at a gap of about tol / (1 - r)."""
    r, tol = 0.999, 1e-4
    losses = 1 + 0.5 * r ** np.arange(20000)
    stop, converged = run_rule(losses, tol, 5)
    assert converged
    assert losses[stop - 1] - 1 <= 2 * tol  # what is left, when it stops
    naive = np.argmax(-np.diff(losses) < tol * losses[1:])  # where the decrease alone falls below tol
    assert losses[naive] - 1 > 0.05 and stop > naive


def test_rule_waits_out_the_noise_of_a_stochastic_descent():
    """A noisy loss that still falls (as SVRG's with a random inner iterate) goes on; at its
    floor, where it only jumps about within tol, it stops."""
    rng = np.random.default_rng(0)
    falling = 1 + 0.3 / np.arange(1, 3001) + rng.uniform(0, 2e-5, 3000)
    stop, converged = run_rule(falling, 1e-4, 5)
    assert converged and falling[stop - 1] - 1 < 2e-3  # within 0.2%: the 1/t tail estimated (within 2x)
    # At the floor a pass whose decrease is faster than the window before's is not settled, so
    # pure noise takes a few windows to find five settled passes in a row: typically three.
    stops = []
    for seed in range(200):
        settled = 1 + np.random.default_rng(seed).uniform(0, 5e-5, 1000)
        stop, converged = run_rule(settled, 1e-4, 5)
        assert converged
        stops.append(stop)
    assert np.median(stops) <= 33 and max(stops) <= 150


def test_rule_judges_an_average_by_its_loss_half_way_back():
    """The loss of a running average of iterates falls as 1/P, by steps that its noise hides
    over a few passes: judged over windows alone it stops at eight times tol above its floor;
    judged with its loss half-way back (what is left of a 1/P tail), within tol."""
    passes = np.arange(1, 20001)
    losses = 1 + 0.5 / passes + np.random.default_rng(0).normal(0, 3e-5, passes.size) / np.sqrt(passes)
    stop, converged = run_rule(losses, 1e-4, 5)
    assert converged and losses[stop - 1] - 1 > 5e-4
    stop, converged = run_rule(losses, 1e-4, 5, averaged=True)
    assert converged and losses[stop - 1] - 1 <= 1.1e-4


@pytest.mark.parametrize("losses, tol, patience, expected", [
    ([5.0, 4.0, 4.0, 4.0, 4.0, 4.0], 0.0, 2, (6, True)),   # no decrease over a window, at the lowest
    ([5.0, 4.0, 4.2, 4.4, 4.6, 4.8, 5.0], 1e-3, 2, (None, False)),   # a loss that climbs has not settled
    ([5.0, 4.0, 4.0002, 4.0001, 4.0003, 4.0002], 1e-3, 2, (6, True)),   # within tol of its lowest: settled
    ([5.0, 4.0, 3.0, 2.0, 1.0, 0.5], 1e-3, 2, (None, False)),   # falling fast
    ([5.0, np.inf], 1e-3, 3, (2, False)),   # not finite: stop, not converged
    ([5.0, np.nan], 1e-3, 3, (2, False)),
    ([5.0, 4.0, 3.0], -1.0, 1, (None, False)),   # no rule (R's fixed iterations)
])
def test_rule_cases(losses, tol, patience, expected):
    assert run_rule(losses, tol, patience) == expected


def test_tol_none_keeps_rs_numbers_and_reports():
    data = scaled("engel")
    theta = gd.GD(data, seed=2, maxIter=25)
    model = gd.learn(table("engel"), learningMethod="GD", control={"maxIter": 25}, seed=2)
    np.testing.assert_array_equal(model.model, theta)
    assert (model.n_iter, model.passes, model.converged, model.diverged, model.alpha) == (25, 25, None, False, 0.1)


def test_a_stopped_fit_reports_what_ran():
    model = gd.learn(table("engel"), learningMethod="SGD", control={"alpha": "auto", "maxIter": 10**7}, seed=2,
                     tol=1e-4)
    m = len(table("engel"))
    assert model.converged is (model.error <= 1e-4) and model.n_iter % m == 0 and model.passes == model.n_iter / m < 10**7 / m
    assert model.loss.size == model.passes  # one loss a pass
    theta, loss = gd.SGD(scaled("engel"), alpha="auto", maxIter=10**7, seed=2, tol=1e-4, return_loss=True)
    np.testing.assert_array_equal(theta, model.model)
    np.testing.assert_array_equal(loss, model.loss)


def test_single_row_estimators_take_their_default_passes_over_many_rows():
    """1000 passes over 120,000 rows are 1.2e8 steps, beyond R's 1e8 iterations: with a stopping
    rule the rows are drawn a pass at a time, so the defaults work on a table of any size."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((120_000, 2))
    y = X @ [2.0, -1.0] + rng.standard_normal(120_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # (its loss stalls before 1e-3: it says so)
        estimator = gd.SGDRegressor(random_state=1).fit(X, y)
    assert estimator.n_iter_ < 1000 and estimator.coef_error_ < 0.05
    assert np.mean((estimator.predict(X) - y) ** 2) <= 1.01 * least_squares_mse(X, y)
    with pytest.raises(ValueError, match="'max_iter' parameter of SGDRegressor asks for 120000000 iterations"):
        gd.SGDRegressor(tol=None).fit(X, y)  # R's iterations, drawn up front, stay within 1e8
