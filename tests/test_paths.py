"""Every method hands back its path (``return_path``): each row bit for bit the fit stopped
there; and the step sizes the single-row rules give each coefficient, against torch.optim."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

import graddescent as gd
from graddescent.catalog import METHODS
from conftest import load

CONTROL = {"alpha": 0.05, "innerIter": 4, "momentum": 0.8}
#: R draws every row of SAGD before its coins, so a fit of fewer steps flips other coins
PREFIX_DRAWS = [name for name in METHODS if name != "SAGD"]


def scaled():
    return gd.varianceScaling(load("plant")).scaledDataSet


def fit(method, data, maxIter, **kwargs):
    args = {k: v for k, v in CONTROL.items() if k in METHODS[method].control}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return getattr(gd, method)(data, maxIter=maxIter, seed=3, **args, **kwargs)


@pytest.mark.parametrize("method", PREFIX_DRAWS)
def test_each_row_of_the_path_is_the_fit_stopped_there(method):
    data = scaled()
    total = 12
    theta, path = fit(method, data, total, return_path=True)
    assert list(path.index) == list(range(total + 1)) and path.index.name == "iteration"
    assert list(path.columns) == ["(Intercept)", *data.columns[:-1]]
    np.testing.assert_array_equal(path.iloc[-1].to_numpy(), theta.ravel())
    for k in (1, 2, 5, 11):
        assert path.loc[k].to_numpy().tobytes() == fit(method, data, k).ravel().tobytes(), f"after {k}"
    # row 0: where R's getTheta starts (runif after set.seed)
    np.testing.assert_array_equal(path.loc[0].to_numpy(), gd.RRandom(3).runif(data.shape[1]))


def test_sagd_path_is_its_own_fit():
    """R's SAGD draws its coins after all its rows: the path is this fit's, whose end is its theta."""
    theta, path = fit("SAGD", scaled(), 12, return_path=True)
    np.testing.assert_array_equal(path.iloc[-1].to_numpy(), theta.ravel())
    assert path.shape == (13, 3) and np.isfinite(path.to_numpy()).all()


@pytest.mark.parametrize("method", ["GD", "SGD", "SVRG"])
def test_every_jth_row_and_the_last(method):
    data = scaled()
    theta, loss, path = fit(method, data, 23, return_loss=True, return_path=True, path_every=5)
    assert list(path.index) == [0, 5, 10, 15, 20, 23]
    full = fit(method, data, 23, return_path=True)[1]
    pd.testing.assert_frame_equal(path, full.loc[[0, 5, 10, 15, 20, 23]])
    np.testing.assert_array_equal(loss, fit(method, data, 23, return_loss=True)[1])


def test_the_path_of_an_averaged_fit_is_the_average():
    """With alpha='auto' a single-row method returns the average of its iterates: the path's
    last row is what the fit returns, and the path of a stopping rule's fit ends where it stopped."""
    data = scaled()
    theta, path = gd.SGD(data, alpha="auto", maxIter=5 * len(data), seed=2, return_path=True, path_every=len(data))
    np.testing.assert_array_equal(path.iloc[-1].to_numpy(), theta.ravel())
    theta, path = gd.GD(data, alpha="auto", maxIter=10**5, tol=1e-4, seed=2, return_path=True)
    assert path.index[-1] < 10**5
    np.testing.assert_array_equal(path.iloc[-1].to_numpy(), theta.ravel())


def test_a_path_too_long_to_keep_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="path_every"):
        gd.SGD(scaled(), maxIter=10**8, seed=1, return_path=True)


def test_learn_and_the_estimators_keep_the_path_where_asked():
    data = load("plant")
    model = gd.learn(data, learningMethod="MGD", control={"maxIter": 30}, seed=4, path_every=10)
    assert list(model.path.index) == [0, 10, 20, 30]
    np.testing.assert_array_equal(model.path.iloc[-1].to_numpy(), model.model.ravel())
    assert gd.learn(data, seed=4).path is None
    X, y = data.iloc[:, :-1], data.iloc[:, -1]
    est = gd.MGDRegressor(random_state=4, path_every=7).fit(X, y)
    assert est.path_.index[0] == 0 and est.path_.index[-1] == est.n_iter_
    np.testing.assert_array_equal(est.path_.iloc[-1].to_numpy(), est.theta_.ravel())
    assert gd.MGDRegressor(random_state=4).fit(X, y).path_ is None


@pytest.mark.parametrize("variant, optimizer, state, arguments", [
    ("textbook", "Adagrad", "sum", {"lr": 0.05, "eps": 1e-10}),
    ("textbook", "RMSprop", "square_avg", {"lr": 0.05, "alpha": 0.9, "eps": 1e-8}),
])
def test_the_rates_are_the_published_rules_per_coefficient_steps(variant, optimizer, state, arguments):
    """The step the published rule gives each coefficient, alpha / (sqrt(G_j) + eps), from
    torch.optim's own accumulator after the same gradients (to torch's rounding: relative to
    the vector's norm)."""
    torch = pytest.importorskip("torch", reason="torch (the test extra) is the published implementation")
    method = {"Adagrad": "ADAGRAD", "RMSprop": "RMSPROP"}[optimizer]
    data = scaled()
    fitted = gd.drivers.run(method, data, seed=7, alpha=0.05, maxIter=9, momentum=0.9, variant=variant,
                            path_every=1)
    X = np.column_stack([np.ones(len(data)), data.to_numpy()[:, :-1]])
    y = data.to_numpy()[:, -1]
    perm = gd.RRandom(7).sample(len(data)) - 1
    stream = gd.RRandom(7)
    stream.sample(len(data))
    stream.set_seed(7)
    p = torch.nn.Parameter(torch.tensor(stream.runif(X.shape[1]), dtype=torch.float64))
    stream.set_seed(7)
    rows = perm[stream._unif_index(len(data), 9)]
    opt = getattr(torch.optim, optimizer)([p], **arguments)
    for step, i in enumerate(rows, 1):
        theta = p.detach().numpy()
        p.grad = torch.tensor((X[i] @ theta - y[i]) * X[i], dtype=torch.float64)
        opt.step()
        accumulator = opt.state[p][state].numpy()
        expected = arguments["lr"] / (np.sqrt(accumulator) + arguments["eps"])
        ours = fitted.rates.loc[step].to_numpy()
        assert np.linalg.norm(ours - expected) <= 1e-12 * np.linalg.norm(expected), f"step {step}"


def test_the_rates_of_r_rules_and_sgd():
    """SGD gives every coefficient alpha; R's ADAGRAD shares one sum of squares, which grows
    column by column within a step, so its coefficients' steps differ by their place."""
    data = scaled()
    rates = gd.drivers.run("ADAGRAD", data, seed=1, alpha=0.1, maxIter=6, path_every=1).rates
    assert rates.loc[1:].nunique(axis=1).max() > 1  # (R's sum grows within a step, column by column)
    sgd = gd.drivers.run("SGD", data, seed=1, alpha=0.1, maxIter=6, path_every=1).rates
    assert (sgd.loc[1:] == 0.1).all().all()
