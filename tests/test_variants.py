"""The published rules beside R's (issue 14): ``variant="textbook"`` (and ADAM's ``"amsgrad"``).

Each published rule runs the rows R draws for the seed (the same RRandom calls methods.py
makes) through this package and through the published implementation, and the iterates
agree along the trajectory (several maxIter, each a prefix of the same draws): with
torch.optim for ADAGRAD, RMSPROP, ADADELTA, ADAM, AMSGrad and AGD (a row's gradient is
``e_i x_i``, R's scale, set as ``p.grad`` before ``step()``) to 1e-12 of theta's norm (torch's
last bits depend on the processor: ``conftest.assert_matches_library``); for SAG, S2GD,
SVRG's option 1 and SARAH+, with a transcription of the paper's pseudo-code in plain numpy
below, element by element to rtol 1e-12 (numpy's element-wise arithmetic and ``math.fsum``
round correctly, the same on every processor). R's variant stays R's (the goldens), and
every entry point takes the variant.
"""

import json
import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

import graddescent as gd
from graddescent import cli, estimators
from conftest import GOLDENS, assert_matches_library, load, r_values

RTOL = 1e-12  # against the pseudo-code's numpy, element by element
TEXTBOOK = [(m, v) for m, record in gd.catalog.METHODS.items() for v in record.variants if v != "R"]


def scaled(name):
    return gd.varianceScaling(load(name)).scaledDataSet


def design(frame):
    """``[1 | inputs]`` and the output, as float64."""
    values = frame.to_numpy(dtype=np.float64)
    return np.column_stack([np.ones(values.shape[0]), values[:, :-1]]), values[:, -1]


def residual(x, y, theta):
    """A row's residual, summed left to right as R's ``%*%`` (and the kernels) sum it."""
    total = theta[0]
    for j in range(1, theta.size):
        total += x[j] * theta[j]
    return total - y


def row_gradient(X, y, i, theta):
    return residual(X[i], y[i], theta) * X[i]  # e_i x_i, R's scale


def mean_gradient(X, y, theta):
    """The mean of the rows' gradients, each sum correctly rounded (as the package's exact sums)."""
    e = [residual(X[i], y[i], theta) for i in range(X.shape[0])]
    return np.array([math.fsum(e[i] * X[i, j] for i in range(X.shape[0])) for j in range(X.shape[1])]) / X.shape[0]


def r_draws(m, n, seed, count):
    """What methods.py draws for a seed: R's shuffle, theta, then ``count`` rows with
    replacement (0-based rows of the shuffle), each after ``set.seed(seed)``."""
    rng = gd.RRandom(seed)
    perm = rng.sample(m) - 1
    rng.set_seed(seed)
    theta = rng.runif(n)
    rng.set_seed(seed)
    rows = rng.sample(m, count, replace=True) - 1
    return perm, theta, rows, rng


def ours(method, frame, steps, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return getattr(gd, method)(frame, maxIter=steps, seed=7, **kwargs).ravel()


# --------------------------------------------------------------------------- torch.optim

CHECKPOINTS = [1, 2, 3, 10, 41, 150]

TORCH_CASES = [  # method, variant, our keyword arguments, the optimizer and its arguments
    ("ADAGRAD", "textbook", {"alpha": 0.1}, "Adagrad", {"lr": 0.1}),
    ("ADAGRAD", "textbook", {"alpha": 0.3, "epsilon": 1e-3}, "Adagrad", {"lr": 0.3, "eps": 1e-3}),
    ("RMSPROP", "textbook", {"alpha": 0.01}, "RMSprop", {"lr": 0.01, "alpha": 0.9}),
    ("RMSPROP", "textbook", {"alpha": 0.02, "momentum": 0.99, "epsilon": 1e-4}, "RMSprop",
     {"lr": 0.02, "alpha": 0.99, "eps": 1e-4}),
    ("ADADELTA", "textbook", {}, "Adadelta", {"lr": 1.0, "rho": 0.9}),
    ("ADADELTA", "textbook", {"momentum": 0.95, "epsilon": 1e-4}, "Adadelta", {"lr": 1.0, "rho": 0.95, "eps": 1e-4}),
    ("ADAM", "textbook", {"alpha": 0.01}, "Adam", {"lr": 0.01}),
    ("ADAM", "textbook", {"alpha": 0.05, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6}, "Adam",
     {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("ADAM", "amsgrad", {"alpha": 0.01}, "Adam", {"lr": 0.01, "amsgrad": True}),
    ("ADAM", "amsgrad", {"alpha": 0.05, "beta1": 0.5, "beta2": 0.9, "epsilon": 1e-5}, "Adam",
     {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-5, "amsgrad": True}),
]


def torch_rows(optimizer, arguments, X, y, theta, rows):
    """torch.optim's iterates over the rows: each step's gradient ``e_i x_i`` set as p.grad."""
    torch = pytest.importorskip("torch", reason="torch (the test extra) checks the published rules against "
                                                "torch.optim")
    p = torch.nn.Parameter(torch.tensor(theta, dtype=torch.float64))
    opt = getattr(torch.optim, optimizer)([p], **arguments)
    out = []
    for i in rows:
        p.grad = torch.tensor(row_gradient(X, y, i, p.detach().numpy().copy()), dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


@pytest.mark.parametrize("data", ["stackloss", "longley"])
@pytest.mark.parametrize("method, variant, kwargs, optimizer, arguments", TORCH_CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(TORCH_CASES)])
def test_adaptive_rules_are_torch_optims(data, method, variant, kwargs, optimizer, arguments):
    frame = scaled(data)
    X, y = design(frame)
    perm, theta, rows, _ = r_draws(*X.shape, 7, CHECKPOINTS[-1])
    expected = torch_rows(optimizer, arguments, X, y, theta, perm[rows])
    for steps in CHECKPOINTS:
        assert_matches_library(ours(method, frame, steps, variant=variant, **kwargs), expected[steps - 1],
                               err_msg=f"after {steps} steps")
    # (the published rule is not R's)
    assert not np.allclose(ours(method, frame, CHECKPOINTS[-1], **kwargs if variant == "R" else {
        k: v for k, v in kwargs.items() if k in ("alpha", "momentum")}), expected[-1], rtol=1e-3)


@pytest.mark.parametrize("method, variant, kwargs, optimizer, arguments",
                         [c for c in TORCH_CASES if c[2].keys() <= {"alpha", "momentum"}],
                         ids=lambda c: c if isinstance(c, str) else None)
def test_a_fit_with_a_stopping_rule_carries_the_state_from_pass_to_pass(method, variant, kwargs, optimizer,
                                                                       arguments):
    """With ``tol`` the rows are drawn, and the kernel called, a pass at a time: the
    accumulators and Adam's step count go on from one pass to the next."""
    frame = scaled("stackloss")
    X, y = design(frame)
    passes = 7
    perm, theta, rows, _ = r_draws(*X.shape, 7, passes * X.shape[0] + 5)
    expected = torch_rows(optimizer, arguments, X, y, theta, perm[rows])
    for steps in (X.shape[0] + 5, passes * X.shape[0] + 5):  # (the last pass a part one)
        got = ours(method, frame, steps, variant=variant, tol=0.0, n_iter_no_change=10**6, **kwargs)
        assert_matches_library(got, expected[steps - 1], err_msg=f"after {steps} steps")


@pytest.mark.parametrize("momentum", [0.9, 0.5])
def test_agd_textbook_is_torch_sgd_nesterov_on_full_batch_gradients(momentum):
    torch = pytest.importorskip("torch", reason="torch (the test extra) checks the published rules against "
                                                "torch.optim")
    frame = scaled("longley")
    X, y = design(frame)
    theta = gd.RRandom(7).runif(X.shape[1])
    p = torch.nn.Parameter(torch.tensor(theta, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=0.05, momentum=momentum, nesterov=True, dampening=0)
    expected, losses = [], []
    for _ in range(60):
        now = p.detach().numpy().copy()
        losses.append(np.mean((X @ now - y) ** 2))
        p.grad = torch.tensor(mean_gradient(X, y, now), dtype=torch.float64)
        opt.step()
        expected.append(p.detach().numpy().copy())
    for steps in (1, 2, 5, 17, 60):
        assert_matches_library(ours("AGD", frame, steps, alpha=0.05, momentum=momentum, variant="textbook"),
                               expected[steps - 1], err_msg=f"after {steps} steps")
    _, loss = gd.AGD(frame, alpha=0.05, maxIter=60, momentum=momentum, seed=7, variant="textbook", return_loss=True)
    # each a mean square of BLAS's residuals, which carry a few units in the last place of
    # |X theta|: about 1e-15 of the MSE here; each compared as a number of its own, to 1e-10
    for step, (ours_loss, expected_loss) in enumerate(zip(loss, losses)):
        assert_matches_library(ours_loss, expected_loss, rtol=1e-10, err_msg=f"loss {step}")
    assert len(loss) == len(losses)
    assert not np.allclose(ours("AGD", frame, 60, alpha=0.05, momentum=momentum), expected[-1], rtol=1e-3)


# --------------------------------------------------------------------------- the papers' pseudo-code

def sag(X, y, theta, rows, alpha):
    """Schmidt, Le Roux and Bach 2017, Algorithm 1 (basic SAG), as printed: d = 0, y_i = 0;
    for each k, sample i; d = d - y_i + f_i'(x); y_i = f_i'(x); x = x - (alpha / n) d."""
    m, n = X.shape
    d, table, x, out = np.zeros(n), np.zeros((m, n)), theta.copy(), []
    for i in rows:
        g = row_gradient(X, y, i, x)
        d = d - table[i] + g
        table[i] = g
        x = x - (alpha / m) * d
        out.append(x.copy())
    return np.array(out)


@pytest.mark.parametrize("data", ["stackloss", "longley"])
def test_sagd_textbook_is_sag(data):
    frame = scaled(data)
    X, y = design(frame)
    perm, theta, rows, _ = r_draws(*X.shape, 7, 400)
    expected = sag(X, y, theta, perm[rows], 0.02)
    for steps in (1, 2, 3, X.shape[0], 3 * X.shape[0] + 1, 400):
        np.testing.assert_allclose(ours("SAGD", frame, steps, alpha=0.02, variant="textbook"), expected[steps - 1],
                                   rtol=RTOL, atol=0)
    got = ours("SAGD", frame, 400, alpha=0.02, variant="textbook", tol=0.0, n_iter_no_change=10**6)  # pass by pass
    np.testing.assert_allclose(got, expected[-1], rtol=RTOL, atol=0)
    assert not np.allclose(ours("SAGD", frame, 400, alpha=0.02), expected[-1], rtol=1e-3)


def svrg_option_1(X, y, theta, rows, eta, outer):
    """Johnson and Zhang 2013, Figure 1, option I: w~ = w_m, the last inner iterate (the
    inner rows are R's, drawn once for the fit). Returns w~ after each outer iteration."""
    w_tilde, out = theta.copy(), []
    for _ in range(outer):
        mu = mean_gradient(X, y, w_tilde)
        w = w_tilde.copy()
        for i in rows:
            w = w - eta * (row_gradient(X, y, i, w) - row_gradient(X, y, i, w_tilde) + mu)
        w_tilde = w
        out.append(w_tilde.copy())
    return np.array(out)


@pytest.mark.parametrize("data", ["stackloss", "longley"])
def test_svrg_textbook_option_1_keeps_the_last_iterate(data):
    frame = scaled(data)
    X, y = design(frame)
    perm, theta, rows, _ = r_draws(*X.shape, 7, 6)
    expected = svrg_option_1(X, y, theta, perm[rows], 0.05, 25)
    for outer in (1, 2, 7, 25):
        got = ours("SVRG", frame, outer, alpha=0.05, innerIter=6, option=1, variant="textbook")
        np.testing.assert_allclose(got, expected[outer - 1], rtol=RTOL, atol=0)
    assert not np.allclose(ours("SVRG", frame, 1, alpha=0.05, innerIter=6, option=1), expected[0], rtol=1e-6)
    # option 2 is Johnson and Zhang's already: the same numbers
    np.testing.assert_array_equal(ours("SVRG", frame, 5, alpha=0.05, innerIter=6, variant="textbook"),
                                  ours("SVRG", frame, 5, alpha=0.05, innerIter=6))


def s2gd(X, y, theta, plan, h):
    """Konecny and Richtarik 2017, Algorithm 1 (S2GD): g_j = full gradient at x_j; y = x_j;
    t_j inner steps (R's draws) y = y - h (g_j + f_i'(y) - f_i'(x_j)); x_(j+1) = y."""
    x, out = theta.copy(), []
    for rows in plan:
        g = mean_gradient(X, y, x)
        z = x.copy()
        for i in rows:
            z = z - h * (g + row_gradient(X, y, i, z) - row_gradient(X, y, i, x))
        x = z
        out.append(x.copy())
    return np.array(out)


def test_ssgd_textbook_is_s2gd():
    frame = scaled("stackloss")
    X, y = design(frame)
    m, n = X.shape
    perm, theta, _, rng = r_draws(m, n, 7, 0)
    rng.set_seed(7)
    plan = []
    for _ in range(20):  # R's SSGD with lamda 0: K = sample(innerIter, 1), then K of sample(m, 1)
        k = int(rng.sample(8, 1)[0])
        plan.append(perm[rng.sample(m, k, replace=True) - 1])
    expected = s2gd(X, y, theta, plan, 0.03)
    for outer in (1, 2, 9, 20):
        got = ours("SSGD", frame, outer, alpha=0.03, innerIter=8, variant="textbook")
        np.testing.assert_allclose(got, expected[outer - 1], rtol=RTOL, atol=0)
    assert not np.allclose(ours("SSGD", frame, 20, alpha=0.03, innerIter=8), expected[-1], rtol=1e-3)


def sarah_plus(X, y, theta, rows, eta, gamma, inner, outer):
    """Nguyen et al. 2017, Algorithm 2 (SARAH+): w_0 = w~; v_0 = full gradient; w_1 = w_0 -
    eta v_0; t = 1; while |v_(t-1)|^2 > gamma |v_0|^2 and t < m: v_t = f_i'(w_t) -
    f_i'(w_(t-1)) + v_(t-1); w_(t+1) = w_t - eta v_t; t += 1; w~ = w_t. The rows are R's,
    drawn once for the fit. Returns w~ after each outer iteration and the inner lengths t."""
    w_tilde, out, lengths = theta.copy(), [], []
    for _ in range(outer):
        v = mean_gradient(X, y, w_tilde)
        limit = gamma * squares(v)
        w_prev, w, t = w_tilde, w_tilde - eta * v, 1
        while squares(v) > limit and t < inner:
            i = rows[t - 1]
            v = row_gradient(X, y, i, w) - row_gradient(X, y, i, w_prev) + v
            w_prev, w = w, w - eta * v
            t += 1
        w_tilde = w
        out.append(w_tilde.copy())
        lengths.append(t)
    return np.array(out), lengths


def squares(v):
    """|v|^2 summed left to right, in double, as the package sums it: the loop's test compares
    two such sums, and a near tie is decided by their rounding; a BLAS dot product (``v @ v``)
    orders and fuses its sums by the processor (OPENBLAS_CORETYPE), so the reference would
    decide a tie by the machine. In the package's order it decides as the package does, on
    every machine; the test checks the rule (the whole vector's norm), not a tie's rounding."""
    total = 0.0
    for x in v:
        total += float(x) * float(x)
    return total


@pytest.mark.parametrize("gamma", [0.125, 0.6, 1.5])
def test_sarahplus_textbook_tests_the_whole_gradient(gamma):
    frame = scaled("longley")
    X, y = design(frame)
    perm, theta, rows, _ = r_draws(*X.shape, 7, 12)
    expected, lengths = sarah_plus(X, y, theta, perm[rows], 0.04, gamma, 12, 15)
    if gamma < 1:  # the test stops some inner loops early, not all
        assert 1 < min(lengths) < 12 or 1 < max(lengths) < 12
    else:  # never runs: theta moves by the first step all the same (R's stays put)
        assert set(lengths) == {1}
        np.testing.assert_array_equal(ours("SARAHPlus", frame, 3, alpha=0.04, innerIter=12, gammaS=gamma), theta)
    for outer in (1, 2, 6, 15):
        got = ours("SARAHPlus", frame, outer, alpha=0.04, innerIter=12, gammaS=gamma, variant="textbook")
        np.testing.assert_allclose(got, expected[outer - 1], rtol=RTOL, atol=0)
    assert not np.allclose(ours("SARAHPlus", frame, 15, alpha=0.04, innerIter=12, gammaS=gamma), expected[-1],
                           rtol=1e-6)


# --------------------------------------------------------------------------- R's variant is R's

METHOD_GOLDENS = [c for c in GOLDENS if c["kind"] == "method"]


@pytest.mark.parametrize("case", METHOD_GOLDENS[::7], ids=lambda c: f"{c['method']}-{c['data']}-{c['seed']}")
def test_variant_r_is_rs_numbers(case):
    data = load(case["data"])
    if case["scaling"] == "variance":
        data = gd.varianceScaling(data).scaledDataSet
    elif case["scaling"] == "minmax":
        data = gd.minmaxScaling(data).scaledDataSet
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theta = getattr(gd, case["method"])(data, **case["params"], seed=case["seed"], variant="R")
    np.testing.assert_allclose(theta.ravel(), r_values(case["theta"]), rtol=1e-9, atol=0, equal_nan=True)


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("method", list(gd.catalog.METHODS))
def test_a_variant_a_method_lacks_is_a_value_error_naming_those_it_has(method):
    frame = scaled("stackloss")
    have = gd.catalog.METHODS[method].variants
    for wrong in ("textbook", "amsgrad", "r", "", None, 1):
        if wrong in have:
            continue
        with pytest.raises(ValueError) as caught:
            getattr(gd, method)(frame, seed=1, variant=wrong)
        message = str(caught.value)
        assert f"{method} has no variant {wrong!r}" in message
        assert all(repr(v) in message for v in have), message
    if have == ("R",):
        assert "only R's rule" in message


@pytest.mark.parametrize("method, kwargs, match", [
    ("ADAM", {"epsilon": 1e-3}, r"epsilon is a constant of the published rule.*variant='textbook'"),
    ("ADAM", {"beta1": 0.5}, r"beta1 is a constant of the published rule"),
    ("ADAGRAD", {"epsilon": 1e-6}, r"epsilon is a constant of the published rule"),
    ("ADAM", {"variant": "textbook", "beta1": 1.0}, r"beta1"),
    ("ADAM", {"variant": "amsgrad", "beta2": -0.1}, r"beta2"),
    ("RMSPROP", {"variant": "textbook", "epsilon": 0.0}, r"epsilon"),
    ("ADADELTA", {"variant": "textbook", "epsilon": float("nan")}, r"epsilon"),
])
def test_bad_constants_are_value_errors_naming_them(method, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(gd, method)(scaled("stackloss"), seed=1, **kwargs)
    # (the defaults with R's rule are fine: R's rule fixes its own)
    getattr(gd, method)(scaled("stackloss"), seed=1, **{k: v for k, v in kwargs.items() if k == "variant"})


# --------------------------------------------------------------------------- every entry point

def test_learn_takes_the_variant_and_constants_in_control():
    data = load("stackloss")
    model = gd.learn(data, learningMethod="ADAM", control={"variant": "amsgrad", "beta1": 0.8, "alpha": 0.05,
                                                           "maxIter": 200}, seed=4)
    direct = gd.ADAM(gd.varianceScaling(data).scaledDataSet, alpha=0.05, maxIter=200, seed=4, variant="amsgrad",
                     beta1=0.8)
    np.testing.assert_array_equal(model.model, direct)
    assert model.control["variant"] == "amsgrad" and model.control["beta1"] == 0.8
    assert "variant" not in gd.learn(data, learningMethod="ADAM", seed=4).control  # (R's list, as before)
    with pytest.raises(ValueError, match="GD has no variant 'textbook'"):
        gd.learn(data, learningMethod="GD", control={"variant": "textbook"})
    with pytest.raises(ValueError, match="unknown control entries.*variant, beta1, beta2, epsilon"):
        gd.learn(data, learningMethod="ADAM", control={"beta3": 0.9})


@pytest.mark.parametrize("method, variant", TEXTBOOK)
def test_estimators_take_the_variant_and_fit_what_learn_fits(method, variant):
    data = load("stackloss")
    X, y = data.iloc[:, :-1], data.iloc[:, -1]
    record = gd.catalog.METHODS[method]
    control = {"maxIter": 3 if not record.by_row else 3 * len(y), "innerIter": 5, "option": 1,
               "gammaS": 1.5}  # (R's SARAHPlus then stays put; the published rule takes its first step)
    if method != "ADADELTA":
        control["alpha"] = 0.02
    params = {estimators._SNAKE[k]: v for k, v in control.items() if k in record.control}
    params["max_iter"] = 3
    if record.by_row:
        params["average"] = False
    if record.family == "variance reduced":
        params["inner_iter"] = 5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = getattr(gd, f"{method}Regressor")(**params, tol=None, variant=variant, random_state=2).fit(X, y)
        generic = gd.GradDescentRegressor(method, **params, tol=None, variant=variant, random_state=2).fit(X, y)
        model = gd.learn(data, learningMethod=method, control={**control, "variant": variant,
                                                               **({"momentum": est.momentum}
                                                                  if hasattr(est, "momentum") else {})}, seed=2)
    np.testing.assert_array_equal(est.theta_, model.model)
    np.testing.assert_array_equal(generic.theta_, model.model)
    r_rule = getattr(gd, f"{method}Regressor")(**params, tol=None, variant="R", random_state=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        different = not np.array_equal(r_rule.fit(X, y).theta_, est.theta_)
    assert different


def test_estimators_refuse_a_variant_the_method_lacks_and_constants_of_rs_rule():
    X, y = load("stackloss").iloc[:, :-1], load("stackloss").iloc[:, -1]
    with pytest.raises(ValueError, match="'variant' parameter of GDRegressor must be one of 'R' for GD"):
        gd.GDRegressor(variant="textbook").fit(X, y)
    with pytest.raises(ValueError, match="'variant' parameter of GradDescentRegressor must be one of 'R', "
                                         "'textbook' for SAGD, got 'amsgrad'"):
        gd.GradDescentRegressor("SAGD", variant="amsgrad").fit(X, y)
    with pytest.raises(ValueError, match="'variant' parameter"):
        gd.ADAMRegressor(variant="adamw").fit(X, y)
    with pytest.raises(ValueError, match="'epsilon' parameter of ADAMRegressor sets the published rule's"):
        gd.ADAMRegressor(epsilon=1e-3).fit(X, y)
    with pytest.raises(ValueError, match="'beta1' parameter"):
        gd.ADAMRegressor(variant="textbook", beta1=1.0).fit(X, y)


def test_command_line_fit_and_compare_take_the_variant(tmp_path, capsys):
    data = load("stackloss")
    data.to_csv(tmp_path / "s.csv", index=False)
    assert cli.main(["fit", str(tmp_path / "s.csv"), "--method", "ADAM", "--variant", "textbook", "--epsilon", "1e-6",
                     "--alpha", "0.05", "--max-iter", "300", "--seed", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = gd.learn(data, learningMethod="ADAM", control={"variant": "textbook", "epsilon": 1e-6, "alpha": 0.05,
                                                              "maxIter": 300}, seed=3)
    assert out["variant"] == "textbook" and out["control"]["epsilon"] == 1e-6
    assert out["theta"] == expected.model.ravel().tolist()

    assert cli.main(["compare", str(tmp_path / "s.csv"), "--methods", "ADAM,GD,SAGD", "--variant", "R,textbook,amsgrad",
                     "--json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    fitted = sorted((r["method"], r["variant"]) for r in out["results"])
    assert fitted == [("ADAM", "R"), ("ADAM", "amsgrad"), ("ADAM", "textbook"), ("GD", "R"), ("SAGD", "R"),
                      ("SAGD", "textbook")]
    sag = next(r for r in out["results"] if r["name"] == "SAGD (textbook)")
    model = gd.learn(data, learningMethod="SAGD", control={"variant": "textbook", "alpha": "auto", "innerIter": 21,
                                                           "maxIter": 21000}, seed=1, tol=1e-4, average=True)
    assert sag["train_rmse"] == gd.RMSE(data.iloc[:, -1], gd.predict(model, data)["V1"])

    assert cli.main(["compare", str(tmp_path / "s.csv"), "--variant", "textbook", "--tol", "none", "--quiet"]) == 0
    table = capsys.readouterr().out
    assert "9 fit(s)" in table and "ADAM (textbook)" in table and not re.search(r"\d  (GD|SGD|MGD|MBGD|SARAH) ", table)

    for argv, message in [
        (["fit", str(tmp_path / "s.csv"), "--method", "GD", "--variant", "textbook"], "GD has no variant 'textbook'"),
        (["fit", str(tmp_path / "s.csv"), "--method", "ADAM", "--epsilon", "1e-3"], "--variant textbook"),
        (["fit", str(tmp_path / "s.csv"), "--variant", "nesterov"], "unknown variant 'nesterov'"),
        (["compare", str(tmp_path / "s.csv"), "--methods", "GD,ADAM", "--variant", "textbook"],
         "GD has no variant textbook; it has R"),
        (["compare", str(tmp_path / "s.csv"), "--epsilon", "1e-3"], "add them to --variant"),
    ]:
        with pytest.raises(SystemExit) if "unknown variant" in message else _no_exit():
            assert cli.main(argv) == 2
        assert message in capsys.readouterr().err


class _no_exit:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_model_file_round_trip_with_a_variant_and_old_files_read_as_rs_rule(tmp_path):
    data = load("stackloss")
    data.to_csv(tmp_path / "s.csv", index=False)
    assert cli.main(["fit", str(tmp_path / "s.csv"), "--method", "ADAM", "--variant", "amsgrad", "--beta2", "0.99",
                     "--seed", "1", "--model-out", str(tmp_path / "m.json"), "--quiet"]) == 0
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["variant"] == {"name": "amsgrad", "beta1": 0.9, "beta2": 0.99, "epsilon": 1e-8}
    model = cli.read_model(str(tmp_path / "m.json"))
    assert model.control["variant"] == "amsgrad" and model.control["beta2"] == 0.99
    assert cli.model_to_dict(model, 1, document["certificate"]["tol"]) == document
    # R's rule and R's fixed iterations: neither field, exactly the file of before (which reads as R's rule)
    assert cli.main(["fit", str(tmp_path / "s.csv"), "--method", "ADAM", "--seed", "1", "--model-out",
                     str(tmp_path / "r.json"), "--quiet", "--tol", "none"]) == 0
    old = json.loads((tmp_path / "r.json").read_text())
    assert set(old) == set(gd.modelfile.FIELDS)
    assert "variant" not in cli.model_from_dict(old).control
    bad = [({"name": "textbook"}, "exactly the keys name, beta1, beta2, epsilon"),
           ({**document["variant"], "name": "R"}, "ADAM has no variant 'R'"),
           ({**document["variant"], "name": "nadam"}, "no variant 'nadam'"),
           ({**document["variant"], "lr": 0.1}, "exactly the keys"),
           ({**document["variant"], "epsilon": 0}, "epsilon"),
           ({**document["variant"], "beta1": 1}, "beta1"),
           ({**document["variant"], "beta2": "0.9"}, "beta2 must be a finite number"),
           ("textbook", "must be an object")]
    for variant, message in bad:
        with pytest.raises(ValueError, match=message):
            cli.model_from_dict({**document, "variant": variant})
    with pytest.raises(ValueError, match="GD has no variant 'textbook'; it has only R's rule"):
        cli.model_from_dict({**old, "method": "GD", "variant": {"name": "textbook"}})


# --------------------------------------------------------------------------- convergence beyond R

@pytest.mark.parametrize("method, variant", TEXTBOOK)
def test_published_rules_with_the_stopping_rule_and_auto_step_converge_on_diabetes(method, variant):
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    optimum = np.mean((LinearRegression().fit(X, y).predict(X) - y) ** 2)
    params = {"option": 1} if method == "SVRG" else {}  # (option 2 is the same rule either way)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = getattr(gd, f"{method}Regressor")(variant=variant, random_state=1, **params).fit(X, y)
    gap = np.mean((est.predict(X) - y) ** 2) / optimum - 1
    warned = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    # within 1% of the least-squares loss; the methods of exact gradients certified, the others (whose loss
    # stalls above the coefficients' tolerance on this ill-conditioned table) warn with their bound
    if gd.catalog.METHODS[method].averages:
        assert gap <= 0.01 and (est.converged_ or warned and "certified within" in str(warned[0].message)), (
            method, variant, gap, est.converged_, warned)
    else:
        assert gap <= 0.01 and est.converged_ and not warned, (method, variant, gap, est.converged_, warned)
    if method != "ADADELTA":
        assert est.learning_rate_ > 0
    if (method, variant) == ("SAGD", "textbook"):  # SAG's auto step, 1 / (16 R2): the paper's
        data = gd.varianceScaling(pd.concat([X, y], axis=1)).scaledDataSet.to_numpy()
        r2 = np.max(1 + np.sum(data[:, :-1] ** 2, axis=1))
        assert est.learning_rate_ == pytest.approx(1 / (16 * r2), rel=1e-12)
