"""Write the vignettes from the sources below and execute them (stored with their outputs).

    python vignettes/build.py            # all notebooks
    python vignettes/build.py 03 05      # only those whose names start so

A notebook is a list of sections, each a plain function returning the source of a few
cells: a line ``#%% md`` starts a markdown cell, ``#%% code`` a code cell. To add a section,
write its function and put it in the notebook's list (``NOTEBOOKS`` at the end). A code cell
that draws a figure ends with ``plt.show()`` (the test checks that each such cell produced an
image).

Each notebook is written with nbformat and executed with nbclient on the ``python3`` kernel
with its working folder a scratch copy of the repository layout (``vignettes/`` next to
``tests/``, so that the notebooks can read ``../tests/r_goldens.json`` and ``../tests/data``).
The notebooks themselves write only to temporary folders they make and remove; the test
suite fails on any file left beside them.
"""

import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TIMEOUT = 120  # seconds per cell

SETUP = r"""
%matplotlib inline
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import graddescent as gd

plt.rcParams.update({"figure.figsize": (7, 4), "figure.dpi": 80, "axes.grid": True})
pd.set_option("display.precision", 6)
# a warning shown as what it says, without the file and line it came from
warnings.formatwarning = lambda message, category, *args, **kwargs: f"{category.__name__}: {message}\n"
"""


def setup(extra=""):
    """The first code cell of every notebook: the imports, then ``extra``."""
    return "#%% code\n" + SETUP + extra


# The helpers that notebooks 2 and 3 define in a cell of their own: the numbers a step size
# depends on, computed from the data, and descent paths on the contours of the loss.
CURVATURE = r'''
#%% code
def design(frame):
    """X = [1 | inputs] and y (the last column) of a data frame."""
    values = frame.to_numpy(dtype=float)
    return np.column_stack([np.ones(len(values)), values[:, :-1]]), values[:, -1]


def step_bounds(frame):
    """The numbers the stable step sizes depend on, from the data."""
    X, _ = design(frame)
    lam = np.linalg.eigvalsh(X.T @ X / len(X))
    return {"lambda_max": lam[-1], "condition number": lam[-1] / lam[0],
            "GD bound 2/lambda_max": 2 / lam[-1],
            "single-row bound 2/max|x_i|^2": 2 / np.max(np.sum(X**2, axis=1))}


def least_squares(frame):
    """The least-squares coefficients (the target of every method) and their MSE."""
    X, y = design(frame)
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    return beta, np.mean((X @ beta - y) ** 2)


def shown(frame, spec="{:.3g}", columns=None):
    """The table with its floats formatted: by spec, or by columns[name] for those columns."""
    columns = columns or {}
    return frame.apply(lambda column: column.map(
        lambda v: columns.get(column.name, spec).format(v) if isinstance(v, (float, np.floating)) else v))


def mse(frame, theta):
    """The mean squared error of theta over all rows (inf once a fit has blown up)."""
    X, y = design(frame)
    with np.errstate(all="ignore"):
        value = np.mean((X @ np.ravel(theta) - y) ** 2)
    return value if np.isfinite(value) else np.inf
'''

PATHS = r'''
#%% code
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning

diabetes = load_diabetes(as_frame=True, scaled=False).frame   # ships with scikit-learn: no download


def bmi_model(scaling):
    """Two coefficients: the intercept and the slope on bmi (scaled "variance" or "min-max")
    predicting the diabetes progression score (standardised)."""
    scale = gd.varianceScaling if scaling == "variance" else gd.minmaxScaling
    return pd.DataFrame({"bmi": scale(diabetes[["bmi"]]).scaledDataSet["bmi"],
                         "target": gd.varianceScaling(diabetes[["target"]]).scaledDataSet["target"]})


def descent_path(method, frame, counts, seed=1, **settings):
    """The iterates of a method: its initial theta (R's runif(n) for the seed), then the fit
    stopped after each maxIter in counts. The same seed draws the same rows in the same order,
    so each fit is the first steps of the longer ones."""
    start = gd.RRandom(seed).runif(frame.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits = [getattr(gd, method)(frame, maxIter=k, seed=seed, **settings).ravel() for k in counts]
    return np.vstack([start, *fits])


def draw_contours(ax, frame, box):
    """Contours of the MSE over (intercept, slope) in box = ((lo, hi), (lo, hi)), the optimum a star."""
    X, y = design(frame)
    a, b = np.meshgrid(np.linspace(*box[0], 160), np.linspace(*box[1], 160))
    loss = np.mean((a[..., None] + b[..., None] * X[:, 1] - y) ** 2, axis=-1)
    beta, best = least_squares(frame)
    ax.contour(a, b, loss, levels=best + (loss.max() - best) * np.geomspace(1e-3, 1, 16),
               colors="0.7", linewidths=0.8)
    ax.plot(*beta, marker="*", color="black", markersize=14, linestyle="none", label="least squares")
    ax.set_xlim(box[0])
    ax.set_ylim(box[1])
    ax.set_xlabel("intercept theta_0")
    ax.set_ylabel("slope theta_1 (on bmi)")
'''

# One colour and line style per method, the same in every figure: the family by line style
# (full batch solid, single row dotted, variance reduced dashed) and by hue (blues and
# purples, reds and oranges, greens), the method by colour.
STYLES = r'''
FAMILIES = {"full batch": ["GD", "MBGD", "MGD", "AGD"],
            "single row": ["SGD", "SAGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM"],
            "variance reduced": ["SVRG", "SSGD", "SARAH", "SARAHPlus"]}
STYLE = {
    "GD": ("#1f4e9c", "-"), "MBGD": ("#62a8e5", "-"), "MGD": ("#6a2c91", "-"), "AGD": ("#c38fe0", "-"),
    "SGD": ("#d62728", ":"), "SAGD": ("#f4a09c", ":"), "ADAGRAD": ("#ff7f0e", ":"), "ADADELTA": ("#b8a000", ":"),
    "RMSPROP": ("#8c564b", ":"), "ADAM": ("#e377c2", ":"),
    "SVRG": ("#2ca02c", "--"), "SSGD": ("#9acd32", "--"), "SARAH": ("#17becf", "--"), "SARAHPlus": ("#0b5d3b", "--"),
}


def style(method):
    """Keyword arguments for plot: the method's colour and line style."""
    colour, line = STYLE[method]
    return {"color": colour, "linestyle": line, "linewidth": 2.2 if line == ":" else 1.6}
'''


# ====================================================================================== 01
def getting_started_intro():
    return r'''
#%% md
# 1. Getting started

`graddescent` fits a linear model $\hat y = \theta_0 + \theta_1 x_1 + \dots + \theta_{n-1} x_{n-1}$
by gradient descent. It is a port of the R package **gradDescent 3.0**: the same 14 learning
methods, names and defaults, and the same numbers for the same seed. This notebook shows the
three ways to use it on the bundled CO2 data:

1. the functional API, as in R (`splitData`, `gradDescentR.learn`, `predict`, `RMSE`);
2. a scikit-learn estimator;
3. the `graddescent` command line.
'''


def getting_started_data():
    return r'''
#%% md
## The data

The bundled `co2_compressibility` table gives the compressibility factor $Z$ of carbon
dioxide over a grid of temperatures and pressures (computed from the Span–Wagner equation of
state; see `datasets/README.md`). As in R, **the last column is the output** to predict.
#%% code
co2 = gd.datasets.load("co2_compressibility")
print(gd.datasets.list_datasets())
print(co2.shape)
co2.head()
'''


def getting_started_functional():
    return r'''
#%% md
## 1. The functional API (as in R)

`splitData` draws the training rows at random (R's generator, so `seed=1` gives R's rows);
`gradDescentR.learn` scales every column (here to mean 0, variance 1), runs the chosen method and
returns a model object; `predict` scales new rows, predicts and undoes the scaling. The R code
would be `gradDescentR.learn(dataTrain, learningMethod="SARAHPlus", control=list(maxIter=100, alpha=0.05), seed=1)`.
#%% code
split = gd.splitData(co2, dataTrainRate=0.8, seed=1)
print(len(split.dataTrain), "training rows,", len(split.dataTest), "test rows")

model = gd.gradDescentR.learn(split.dataTrain, learningMethod="SARAHPlus",
                              control={"maxIter": 100, "alpha": 0.05}, seed=1)
print("theta (scaled units, intercept first):", model.model.ravel())

pred = gd.predict(model, split.dataTest)   # the inputs plus the prediction, column V1
rmse = gd.RMSE(split.dataTest.iloc[:, -1], pred["V1"])
print(f"test RMSE: {rmse:.6f}")
pred.head()
#%% md
The model object keeps R's fields (`featureScaling`, `scalingMethod`, `scalingParameter`,
`learningMethod`, `model`, `control`) and, beyond R, what the fit did: the training loss as it
went (`model.loss`, here the mean squared error at the start of each outer iteration, in scaled
units), the iterations run (`n_iter`), the passes over the data they made (`passes`), the step
taken (`alpha`), whether it diverged, and whether a stopping rule was met (`converged`: `None`
here, since R runs a fixed number of iterations and judges nothing).
#%% code
print(f"n_iter {model.n_iter}, passes {model.passes}, alpha {model.alpha}, "
      f"diverged {model.diverged}, converged {model.converged}")

fig, ax = plt.subplots()
ax.plot(np.arange(1, len(model.loss) + 1), model.loss, marker=".", label="SARAHPlus, alpha = 0.05")
ax.set_yscale("log")
ax.set_title("Training loss of SARAHPlus on the CO2 data (R's settings)")
ax.set_xlabel("outer iteration")
ax.set_ylabel("training MSE (scaled units)")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()
#%% md
A straight line in temperature and pressure cannot follow $Z$ closely (it is curved in both).
The closed-form least-squares fit is the best any method can do; the test RMSE of the fit above
beside it:
#%% code
X = np.column_stack([np.ones(len(split.dataTrain)), split.dataTrain.iloc[:, :2]])
beta, *_ = np.linalg.lstsq(X, split.dataTrain.iloc[:, 2], rcond=None)
Xt = np.column_stack([np.ones(len(split.dataTest)), split.dataTest.iloc[:, :2]])
print(f"least-squares test RMSE: {gd.RMSE(split.dataTest.iloc[:, 2], Xt @ beta):.6f}   SARAHPlus: {rmse:.6f}")
'''


def getting_started_stopping():
    return r'''
#%% md
### Beyond R: a step from the data, and a fit that stops when it has converged

R's fixed `maxIter` and `alpha` leave two questions open: is the step stable on this data, and
has the fit got there? `alpha="auto"` derives the step from the data (the curvature of the
loss: see [notebook 2](02_feature_scaling.ipynb)), and `tol` stops the fit once what is left to
gain, at the rate the loss falls, is within `tol` of the loss; `maxIter` is then only the most
it may run. The model says what happened:
#%% code
auto = gd.gradDescentR.learn(split.dataTrain, learningMethod="SARAHPlus",
                             control={"alpha": "auto", "maxIter": 1000}, seed=1, tol=1e-6)
print(f"alpha chosen {auto.alpha:.4g}; stopped after {auto.n_iter} outer iterations "
      f"({auto.passes} passes); converged: {auto.converged}")
print(f"test RMSE {gd.RMSE(split.dataTest.iloc[:, -1], gd.predict(auto, split.dataTest)['V1']):.6f}")
'''


def getting_started_estimator():
    return r'''
#%% md
## 2. A scikit-learn estimator

Each method is also an estimator (`GDRegressor`, ..., `SARAHPlusRegressor`, and
`GradDescentRegressor(method=...)`) with scikit-learn's conventions: the step is
`learning_rate` (by default `"auto"`, derived from the data), `max_iter` counts passes over the
data, and a stopping rule (`tol`, `n_iter_no_change`) ends the fit, so that the defaults
converge. `scaling="variance"` scales as `learn` does and `random_state` is R's seed. With R's
settings (`learning_rate=0.05`, `max_iter=100`, `tol=None`, R's `inner_iter=10`) it gives the
same predictions as `learn` + `predict`; its coefficients are in original units. A fitted
estimator reports `n_iter_` (passes), `learning_rate_` (the step taken) and `converged_`.
#%% code
X_train, y_train = split.dataTrain.iloc[:, :2], split.dataTrain.iloc[:, 2]
X_test, y_test = split.dataTest.iloc[:, :2], split.dataTest.iloc[:, 2]

est = gd.SARAHPlusRegressor(learning_rate=0.05, max_iter=100, tol=None, inner_iter=10,
                            random_state=1).fit(X_train, y_train)
print("coef_ (original units):", est.coef_, " intercept_:", est.intercept_)
print(f"test RMSE: {gd.RMSE(y_test, est.predict(X_test)):.6f}")
print("same predictions as learn + predict:", np.allclose(est.predict(X_test), pred["V1"], rtol=1e-12))
converged = gd.SARAHPlusRegressor(random_state=1).fit(X_train, y_train)  # the defaults: to convergence
print(f"with its defaults: learning_rate_ {converged.learning_rate_:.4g}, {converged.n_iter_} passes, "
      f"converged_ {converged.converged_}, test RMSE {gd.RMSE(y_test, converged.predict(X_test)):.6f}")
'''


def getting_started_command_line():
    return r'''
#%% md
## 3. The command line

The `graddescent` command does the same on CSV files, with no Python to write
(`graddescent COMMAND --help` lists the options). Here it is run from Python with a small helper,
in a temporary folder that is removed at the end (so the notebook leaves no files behind);
in a terminal type the line after `$`.
#%% code
import subprocess
import sys
import tempfile
from pathlib import Path

scratch = tempfile.TemporaryDirectory(prefix="graddescent-vignette-")
folder = Path(scratch.name)


def graddescent(args):
    """Run `graddescent ARGS` (as `python -m graddescent`, the same program) in the scratch folder."""
    print("$ graddescent " + args)
    done = subprocess.run([sys.executable, "-m", "graddescent", *args.split()],
                          capture_output=True, text=True, cwd=folder)
    print(done.stdout + done.stderr)


graddescent("datasets")
graddescent("datasets co2_compressibility -o co2.csv")
#%% md
`fit` learns as `gradDescentR.learn` does; `--test-rate 0.2` holds out 20 % of the rows
(R's `splitData` with `dataTrainRate = 0.8`, the split above), `--model-out` saves the model.
#%% code
graddescent("fit co2.csv --method SARAHPlus --alpha 0.05 --max-iter 100 --seed 1 --test-rate 0.2 "
            "--model-out model.json --quiet")
#%% md
`predict` applies a saved model to a CSV file (columns matched by name); `compare` fits
every method to the same tolerance (the step derived from the data) and ranks them, with the
passes each took and how far each ends above the least-squares fit (`--tol none` runs R's fixed
iterations instead).
#%% code
graddescent("predict model.json co2.csv -o predictions.csv")
print(pd.read_csv(folder / "predictions.csv").head(3))
#%% code
graddescent("compare co2.csv --test-rate 0.2 --quiet")
print("files written:", sorted(p.name for p in folder.iterdir()))
scratch.cleanup()   # the scratch folder and everything in it
#%% md
Next: [why feature scaling matters](02_feature_scaling.ipynb),
[the fourteen methods](03_fourteen_methods.ipynb),
[scikit-learn workflows](04_scikit_learn.ipynb), [coming from R](05_coming_from_r.ipynb).
'''


# ====================================================================================== 02
def scaling_intro():
    return r'''
#%% md
# 2. Feature scaling and the step size

Gradient descent on raw data often **diverges**: the coefficients grow without bound. This
notebook shows it happening (in R too), explains why with two numbers computed from the data,
the largest eigenvalue of $X^\top X/m$ (for the full-batch methods) and the largest squared row
norm $\max_i \lVert x_i\rVert^2$ (for the single-row methods), checks each bound by running the
methods just below and just above it, and compares the two scalings of the package, variance
(z-score) and min-max, on real tables: the bundled CO2 and Mackey–Glass data, and
scikit-learn's diabetes data (which ships with scikit-learn: nothing is downloaded).
'''


def scaling_setup():
    return setup(r'''
import json
from pathlib import Path
from sklearn.exceptions import ConvergenceWarning
''') + CURVATURE + PATHS


def scaling_raw_data():
    return r'''
#%% md
## Gradient descent on raw data

The CO2 data have temperatures in the hundreds and pressures up to about 1400, while the
output $Z$ is near 1. `GD` with R's defaults ($\alpha = 0.1$, 10 iterations) on the raw table:
#%% code
co2 = gd.datasets.load("co2_compressibility")
print(co2.describe().loc[["mean", "std", "min", "max"]])

theta, loss = gd.GD(co2, seed=1, return_loss=True)   # warns: the fit diverged
print("theta:", theta.ravel())
print("training MSE per iteration:", loss)
print("growth of the MSE per iteration:", loss[1:] / loss[:-1])
#%% md
The MSE grows by the factor printed at every iteration, and the coefficients end astronomically
large. The package returns these numbers (they are R's) and warns once, with the remedy.

**R does the same.** `tests/r_goldens.json` holds results computed by R 4.2.2 with
gradDescent 3.0; `tests/data/plant.csv` is a 50-row sample of the same kind of CO2 table.
R's `GD(plant, seed=1)` on the unscaled data, beside this package's:
#%% code
goldens = json.loads(Path("../tests/r_goldens.json").read_text())["cases"]
plant = pd.read_csv("../tests/data/plant.csv")

r_theta = next(c["theta"] for c in goldens if c["kind"] == "method" and c["method"] == "GD"
               and c["data"] == "plant" and c["scaling"] == "none" and c["seed"] == 1 and not c["params"])
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    py_theta = gd.GD(plant, seed=1).ravel()
pd.DataFrame({"R 4.2.2 (goldens)": r_theta, "graddescent": py_theta,
              "relative difference": np.abs(py_theta - r_theta) / np.abs(r_theta)},
             index=["intercept", "Temperature", "Pressure"])
'''


def scaling_step_limit():
    return r'''
#%% md
## Why: the step-size limits

The methods minimise the mean squared error; its gradient is $g(\theta) = X^\top(X\theta - y)/m$
with $X = [1 \mid \text{inputs}]$. A GD step $\theta \leftarrow \theta - \alpha g(\theta)$ multiplies
the error along each eigenvector of $H = X^\top X/m$ by $1 - \alpha\lambda$, so GD converges only
if $|1 - \alpha\lambda_{\max}| < 1$, that is $\alpha < 2/\lambda_{\max}(H)$, and it is slow along
directions with small $\lambda$: the number of iterations grows with the condition number
$\kappa = \lambda_{\max}/\lambda_{\min}$.

A **single-row** step (SGD and its relatives) uses one row $x_i$: it multiplies that row's
residual by $1 - \alpha\lVert x_i\rVert^2$, so it overshoots, and the residual grows, on every row
with $\alpha > 2/\lVert x_i\rVert^2$. The single-row limit is $2/\max_i \lVert x_i\rVert^2$, far below
GD's on real data: $\lVert x_i\rVert^2$ is $1 + $ the squared inputs of the row, which on
variance-scaled data averages $n$ (one per column) and is largest on the unusual rows.

Both bounds for three real tables, raw and under each scaling (the output column is scaled
too, as `gradDescentR.learn` does; it does not enter the bounds):
#%% code
diabetes_raw = diabetes                           # 10 inputs (age, sex, bmi, bp, s1..s6), target last
mackey = gd.datasets.load("mackey_glass")
tables = {"CO2": co2, "diabetes": diabetes_raw, "Mackey-Glass": mackey}
rows = {}
for name, table in tables.items():
    for scaling, frame in [("raw", table), ("variance", gd.varianceScaling(table).scaledDataSet),
                           ("min-max", gd.minmaxScaling(table).scaledDataSet)]:
        rows[(name, scaling)] = step_bounds(frame)
bounds = pd.DataFrame(rows).T
shown(bounds)
#%% md
Read the table, not a rule of thumb: on variance-scaled data GD's bound is $2/\lambda_{\max}$
where $\lambda_{\max}$ grows with how correlated the inputs are. It is 2 on the CO2 grid
(temperature and pressure uncorrelated, $H$ the identity), but well below 1 on the diabetes
data, whose blood-serum measurements are strongly correlated (and its condition number is in
the hundreds). The single-row bound is lower still on every table, and on the diabetes data it
is below R's default $\alpha = 0.1$:
#%% code
scaled = {name: gd.varianceScaling(table).scaledDataSet for name, table in tables.items()}
for name in tables:
    b = bounds.loc[(name, "variance")]
    print(f"{name:13s} variance-scaled: GD's bound {b['GD bound 2/lambda_max']:.3f}, "
          f"single-row bound {b['single-row bound 2/max|x_i|^2']:.3f}; "
          f"R's alpha 0.1 is {'below' if 0.1 < b['single-row bound 2/max|x_i|^2'] else 'ABOVE'} the single-row bound")
'''


def scaling_step_limit_checked():
    return r'''
#%% md
## The bound, checked

GD on the variance-scaled diabetes data, 60 iterations, just below and just above the bound
computed from the data, and at $\alpha = 1$ (which a rule "1 to 2 for scaled data" would allow):
#%% code
data = scaled["diabetes"]
limit = bounds.loc[("diabetes", "variance"), "GD bound 2/lambda_max"]
beta, best = least_squares(data)
rows = {}
for alpha in [0.1, 0.95 * limit, 1.05 * limit, 1.0]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theta, loss = gd.GD(data, alpha=alpha, maxIter=60, seed=1, return_loss=True)
    rows[f"alpha = {alpha:.4g} ({alpha / limit:.2f} x bound)"] = {
        "MSE after 60 iterations": mse(data, theta), "least-squares MSE": best,
        "MSE after 60 / MSE at the start": mse(data, theta) / loss[0]}
shown(pd.DataFrame(rows).T)
'''


def scaling_learning_rate():
    return r'''
#%% md
## The learning rate

Below the bound, a larger step is faster, up to $\alpha = 1/\lambda_{\max}$ (half the bound), which
removes the error along the steepest direction in one step. Between $1/\lambda_{\max}$ and
$2/\lambda_{\max}$ that component overshoots: it changes sign at every step while it shrinks.
Above $2/\lambda_{\max}$ it changes sign and grows. The loss cannot show the sign (it squares
the error), so the right panel follows the error's component along the steepest direction,
$v_{\max}^\top(\theta_t - \theta^*)$, where $v_{\max}$ is the top eigenvector of $H$.
#%% code
X, y = design(data)
lam, vectors = np.linalg.eigh(X.T @ X / len(X))
v_max = vectors[:, -1]
iterations = np.arange(0, 41)
fractions = [0.1, 0.25, 0.5, 0.95, 1.05]    # alpha as a fraction of the bound 2/lambda_max

fig, (left, right) = plt.subplots(1, 2, figsize=(15, 4.8), layout="constrained")
for fraction, colour in zip(fractions, ["#9ecae1", "#4292c6", "#08519c", "#e6550d", "#a50f15"]):
    path = descent_path("GD", data, iterations[1:], alpha=fraction * limit)
    label = f"alpha = {fraction:g} x 2/lambda_max = {fraction * limit:.3f}"
    if fraction < 1:
        gap = [max(mse(data, theta) - best, 1e-16) for theta in path]
        left.plot(iterations, gap, color=colour, marker=".", label=label)
    if fraction >= 0.5:
        component = (path - beta) @ v_max
        scale = 3 * abs(component[0])
        inside = np.abs(component) <= scale
        last = len(component) if inside.all() else np.argmin(inside) + 1   # up to the first point outside
        right.plot(iterations[:last], np.clip(component[:last], -scale, scale), color=colour, marker=".", label=label)
        if not inside.all():
            right.plot(iterations[last - 1], np.clip(component[last - 1], -scale, scale), marker="x", markersize=12,
                       color=colour, clip_on=False)
left.set_yscale("log")
left.set_title("Below the bound: the MSE above the optimum")
left.set_xlabel("iteration")
left.set_ylabel("MSE - least-squares MSE (scaled units)")
right.set_ylim(-scale, scale)
right.axhline(0, color="black", linewidth=0.8)
right.set_title("Error along the steepest direction (x: leaves the axes)")
right.set_xlabel("iteration")
right.set_ylabel("v_max . (theta - theta*)")
handles = {h.get_label(): h for ax in (left, right) for h in ax.get_lines() if not h.get_label().startswith("_")}
fig.legend(handles.values(), handles.keys(), loc="outside right upper")
fig.suptitle(f"GD on variance-scaled diabetes data: 2/lambda_max = {limit:.3f}")
plt.show()
#%% md
At half the bound ($1/\lambda_{\max}$) the steep component is gone after one step; at 0.95 of
the bound it flips sign at every step and shrinks by $|1 - 0.95 \cdot 2| = 0.9$ per step; at
1.05 it flips and grows by $1.1$ per step. On the left, the loss after 40 iterations is lowest
for the largest stable steps, but even they leave a gap: the slow directions (small
$\lambda$, condition number in the hundreds here) need many iterations whatever the step.
'''


def scaling_single_row_limit():
    return r'''
#%% md
## The single-row limit, checked

On the variance-scaled diabetes data, how many rows have $\lVert x_i\rVert^2 > 2/\alpha$, so that a
single-row step at R's default $\alpha = 0.1$ overshoots on them?
#%% code
row_norms = np.sum(X**2, axis=1)
single_limit = 2 / row_norms.max()
print(f"max |x_i|^2 = {row_norms.max():.1f}: single-row bound 2/max|x_i|^2 = {single_limit:.4f}")
print(f"rows that overshoot at alpha = 0.1 (|x_i|^2 > 20): {np.sum(row_norms > 2 / 0.1)} of {len(row_norms)}")

fig, ax = plt.subplots(figsize=(8, 3.6))
ax.hist(row_norms, bins=40, color="0.6")
ax.axvline(2 / 0.1, color="#d62728", linestyle="--", label="2 / 0.1: rows beyond it overshoot at alpha = 0.1")
ax.axvline(row_norms.max(), color="#2ca02c", linestyle=":", linewidth=2,
           label=f"the largest |x_i|^2 ({row_norms.max():.1f})")
ax.set_title("Squared row norms of the variance-scaled diabetes data")
ax.set_xlabel("|x_i|^2 = 1 + sum of the row's squared inputs")
ax.set_ylabel("rows")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()
#%% md
SGD at R's default step, at half the single-row bound and at a tenth of it, stopped after a
growing number of passes (same seed, so each is the start of the longer runs), with the MSE
over all rows. The grey line is the MSE of the constant model (predicting the mean: 1 in these
units), the black one the least-squares optimum:
#%% code
m = len(data)
passes = np.array([0.25, 0.5, 1, 2, 3, 5, 8, 12, 20, 30, 50])
fig, ax = plt.subplots(figsize=(8, 4.2))
for alpha, colour in [(0.1, "#d62728"), (single_limit / 2, "#ff7f0e"), (single_limit / 10, "#1f4e9c")]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        curve = [mse(data, gd.SGD(data, alpha=alpha, maxIter=int(p * m), seed=1)) for p in passes]
    ax.plot(passes, curve, color=colour, marker="o", label=f"SGD, alpha = {alpha:.4f}")
    print(f"SGD alpha = {alpha:.4f}: MSE over all rows after {passes[-1]:g} passes {curve[-1]:.4f} "
          f"(least squares {best:.4f}, constant model {np.mean((y - y.mean())**2):.4f})")
ax.axhline(np.mean((y - y.mean()) ** 2), color="0.5", linestyle="--", label="constant model (the mean)")
ax.axhline(best, color="black", label="least squares")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_title("SGD on variance-scaled diabetes data: above and below the single-row bound")
ax.set_xlabel("passes over the data (steps / m)")
ax.set_ylabel("MSE over all rows (scaled units)")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()
#%% md
Above the single-row bound, SGD does not blow up at once (most rows are fine), but every visit
to an extreme row throws $\theta$ off, and the MSE over all rows stays far above the optimum,
above even the constant model's at times. Below the bound it settles close to the optimum; a
constant step always leaves it hovering a little above, which is what averaging the iterates
(or `alpha="auto"`, which averages) removes: see [notebook 3](03_fourteen_methods.ipynb).
'''


def scaling_variance_or_minmax():
    return r'''
#%% md
## Variance vs min-max scaling

Both scalings bring the inputs to comparable ranges. Variance scaling also **centres** the
columns, which decouples the intercept from the slopes; min-max scaling leaves the columns in
$[0, 1]$, not centred, so the column of ones and the inputs point in similar directions, and
the condition number is larger (the table above). 200 GD iterations with $\alpha = 0.1$ under
each scaling on the CO2 data; the losses are converted to the original units of $Z$ (multiplying
by the output's scale squared) so that they are comparable; the dashed line is the least-squares
optimum:
#%% code
Xc = np.column_stack([np.ones(len(co2)), co2.iloc[:, :2]])
yc = co2.iloc[:, 2].to_numpy()
co2_best = np.mean((Xc @ np.linalg.lstsq(Xc, yc, rcond=None)[0] - yc) ** 2)

fig, ax = plt.subplots()
for method, colour in [("VARIANCE", "#1f4e9c"), ("MINMAX", "#ff7f0e")]:
    model = gd.gradDescentR.learn(co2, scalingMethod=method, learningMethod="GD",
                                  control={"maxIter": 200, "alpha": 0.1}, seed=1)
    out_scale = model.scalingParameter[1, -1]
    final = gd.RMSE(co2.iloc[:, -1], gd.predict(model, co2)["V1"]) ** 2
    kappa = bounds.loc[("CO2", {"VARIANCE": "variance", "MINMAX": "min-max"}[method]), "condition number"]
    print(f"{method.lower():8s}: condition number {kappa:.3g}, "
          f"MSE after 200 iterations {(final / co2_best - 1):.2e} above the optimum")
    ax.plot(np.arange(1, 201), model.loss * out_scale**2, color=colour, label=f"{method.lower()} scaling")
ax.axhline(co2_best, color="k", ls="--", label="least squares (closed form)")
ax.set_yscale("log")
ax.set_title("GD on the CO2 data: variance vs min-max scaling (alpha = 0.1)")
ax.set_xlabel("iteration")
ax.set_ylabel("training MSE (original units of Z)")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()
'''


def scaling_paths():
    return r'''
#%% md
## The descent path on the contours of the loss

With one input the model has two coefficients, the intercept and the slope, and the loss is a
bowl over the plane. The diabetes progression score (standardised) against one input, the body
mass index, scaled either way; GD with the step `alpha="auto"` picks for each ($1/\lambda_{\max}$),
60 iterations, from the same start (R's initial $\theta$ for seed 1):
#%% code
fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), layout="constrained")
for ax, scaling in zip(axes, ["variance", "min-max"]):
    frame = bmi_model(scaling)
    b = step_bounds(frame)
    alpha = 1 / b["lambda_max"]
    check = gd.gradDescentR.learn(frame, featureScaling=False, learningMethod="GD",
                                  control={"alpha": "auto", "maxIter": 1}, seed=1).alpha
    path = descent_path("GD", frame, range(1, 61), alpha=alpha)
    draw_contours(ax, frame, ((-1.6, 1.0), (-0.4, 3.8)))
    ax.plot(path[:, 0], path[:, 1], color="#1f4e9c", marker=".", label=f"GD, alpha = 1/lambda_max = {alpha:.3f}")
    ax.plot(*path[0], marker="o", color="#d62728", linestyle="none", label="start")
    ax.set_title(f"bmi {scaling} scaled: condition number {b['condition number']:.3g}")
    ax.legend(loc="upper right", fontsize=8)
    print(f"{scaling:8s}: 1/lambda_max = {alpha:.4f}, alpha='auto' chose {check:.4f}; "
          f"MSE after 60 iterations {mse(frame, path[-1]) / least_squares(frame)[1] - 1:.2e} above the optimum")
fig.suptitle("GD on the loss of intercept + slope (diabetes score against bmi)")
plt.show()
#%% md
Centred (left), the contours are circles and GD walks straight to the optimum. Not centred
(right), they are long thin ellipses: the steepest direction is across the valley, the step must
be small enough for it, and progress along the valley floor is slow.
'''


def scaling_learning_rate_paths():
    return r'''
#%% md
## The learning rate on the path

The min-max scaled model again, with GD's step below, near and above the bound $2/\lambda_{\max}$
computed from this data (40 iterations each):
#%% code
frame = bmi_model("min-max")
limit2 = step_bounds(frame)["GD bound 2/lambda_max"]
box = ((-1.6, 1.0), (-0.4, 3.8))
fig, axes = plt.subplots(1, 4, figsize=(18, 5), sharey=True, layout="constrained")
for ax, fraction in zip(axes, [0.2, 0.5, 0.9, 1.02]):
    path = descent_path("GD", frame, range(1, 41), alpha=fraction * limit2)
    draw_contours(ax, frame, box)
    inside = np.all((path >= [box[0][0], box[1][0]]) & (path <= [box[0][1], box[1][1]]), axis=1)
    ax.plot(path[:, 0], path[:, 1], color="#1f4e9c", marker=".", linewidth=1)
    ax.plot(*path[0], marker="o", color="#d62728", linestyle="none")
    note = "" if inside.all() else f"; leaves the box at iteration {np.argmin(inside)}"
    ax.set_title(f"alpha = {fraction:g} x 2/lambda_max = {fraction * limit2:.3f}\n"
                 f"MSE - optimum after 40: {mse(frame, path[-1]) - least_squares(frame)[1]:.2g}{note}", fontsize=10)
    if ax is not axes[0]:
        ax.set_ylabel("")
fig.suptitle(f"GD on the min-max scaled bmi model: the learning rate (2/lambda_max = {limit2:.3f}; "
             "red dot: the start, star: the least-squares fit)")
plt.show()
#%% md
A small step (0.2 of the bound) crawls down the valley; at half the bound ($1/\lambda_{\max}$) the
path goes straight down into the valley and then along it; at 0.9 of the bound it zig-zags
across the valley, overshooting each time but by less; just above the bound each zig-zag is
larger than the last and the path leaves the picture.
'''


def scaling_summary():
    return r'''
#%% md
**Summary.** Scale the data (the default of `gradDescentR.learn` and of the estimators);
prefer variance scaling for gradient descent, since centring decouples the intercept. The
stable step depends on the data: compute $2/\lambda_{\max}(X^\top X/m)$ for the full-batch methods
and $2/\max_i\lVert x_i\rVert^2$ for the single-row ones (or let `alpha="auto"` do it), and stay
well below them. The package warns when a fit diverges, naming the bound for the data.
'''


# ====================================================================================== 03
def methods_intro():
    return r'''
#%% md
# 3. The fourteen methods

This notebook states the update rule of each method **exactly as the package (and R's
gradDescent 3.0) computes it**, including R's departures from the textbook versions, draws the
path each family takes on the contours of a loss, then runs all of them on two real tables, one
well conditioned and one not, at R's fixed step and with the package's automatic step and
stopping rule, and sets R's rules for the adaptive methods beside the published ones.
'''


def methods_setup():
    return setup(STYLES) + CURVATURE + PATHS


def methods_rules():
    return r'''
#%% md
## Notation and what every method shares

The training data have $m$ rows and $n$ columns, the last being the output. Every method
first shuffles the rows (`set.seed(seed); sample(m)`), then draws the initial coefficients
$\theta = $ `runif(n)` (intercept first) after re-seeding. With $X = [1 \mid \text{inputs}]$ the
shuffled $m \times n$ design matrix, $x_i$ its row $i$ and $y$ the output:

$$e_i(\theta) = x_i^\top\theta - y_i, \qquad g(\theta) = \frac{1}{m}\sum_{i=1}^m e_i(\theta)\,x_i = \frac{1}{m}X^\top(X\theta - y).$$

$g$ is the gradient of $\tfrac{1}{2m}\lVert X\theta - y\rVert^2$; the losses reported are the MSE
$\tfrac1m\lVert X\theta-y\rVert^2$. $\alpha$ is `alpha`, $\mu$ is `momentum`, $T$ is `maxIter`,
$K$ is `innerIter`. Where a rule runs "per column $j = 1,\dots,n$ in order", the columns are
updated one after the other and a scalar carries over from one column to the next.

### Full-batch methods (one iteration = one pass over the rows)

**GD** — $\theta \leftarrow \theta - \alpha\, g(\theta)$.

**MBGD** (`nBatch` $= b$) — the shuffled rows are cut into $b$ consecutive slices of $m/b$ rows
(R's sequence arithmetic: with a fractional $m/b$ a row can be left out); iteration $t$ uses
slice $((t-1) \bmod b) + 1$: $\theta \leftarrow \theta - \alpha\, g_B(\theta)$, with $g_B$ the mean
gradient over the slice.

**MGD** (momentum) — $v \leftarrow \mu v + \alpha\, g(\theta)$, $\;\theta \leftarrow \theta - v$, $v$ starting at 0.

**AGD** (Nesterov) — $\theta \leftarrow \theta - \mu v$ (R **keeps** this look-ahead point in $\theta$),
then $v \leftarrow \mu v + \alpha\, g(\theta)$, $\;\theta \leftarrow \theta - v$.

### Single-row methods (one iteration = one row)

The rows $i_1, \dots, i_T$ are drawn with replacement up front (`sample(m, T, replace=TRUE)`).
Step $t$ computes one residual $e = e_{i_t}(\theta)$ and then, per column $j$ in order,
$g_j = e\,x_{i_t j}$.

**SGD** — $\theta \leftarrow \theta - \alpha\, e_{i_t}(\theta)\, x_{i_t}$.

**SAGD** — SGD that, at each step, flips a coin $c_t \in \{0, 1\}$ (R's `sample(0:1, 1)`) and
updates only when $c_t = 1$: $\theta \leftarrow \theta - c_t\,\alpha\, e_{i_t}(\theta)\,x_{i_t}$.
(Despite its name it stores no past gradients.)

**ADAGRAD** — per column: $G \leftarrow G + g_j^2$, $\;\theta_j \leftarrow \theta_j - \alpha\, g_j / \sqrt{G}$.
R's $G$ is **one scalar** shared by all columns and all steps (the textbook keeps one per column).

**ADADELTA** (no $\alpha$; $\rho = \mu$, $\varepsilon = 10^{-7}$) — scalars $E_g = E_u = r_u = 0$, a vector $u = 0$; per column:
$$E_g \leftarrow \rho E_g + (1-\rho)g_j^2,\quad E_u \leftarrow \rho E_u + (1-\rho)u_j^2,\quad u_j \leftarrow \frac{r_u}{\sqrt{E_g+\varepsilon}}\,g_j,\quad \theta_j \leftarrow \theta_j - u_j,\quad r_u \leftarrow \sqrt{E_u + \varepsilon},$$
with $u_j$ in $E_u$ the value from the previous step; $E_g$, $E_u$, $r_u$ are **scalars** carried from column to column.

**RMSPROP** ($\varepsilon = 10^{-7}$) — per column: $E \leftarrow \mu E + (1-\mu)g_j^2$, $\;\theta_j \leftarrow \theta_j - \alpha\, g_j/\sqrt{E + \varepsilon}$, with one **scalar** $E$.

**ADAM** ($\beta_1 = 0.9$, $\beta_2 = 0.999$, $\varepsilon = 10^{-7}$) — per column, with **scalar** moments $M, V$:
$$M \leftarrow \beta_1 M + (1-\beta_1) g_j,\quad V \leftarrow \beta_2 V + (1-\beta_2) g_j^2,\quad \theta_j \leftarrow \theta_j - \alpha\,\frac{M/(1-\beta_1)}{\sqrt{V/(1-\beta_2)} + \varepsilon}.$$
R's bias correction is the **constant** $1/(1-\beta)$, not the textbook $1/(1-\beta^t)$.

### Variance-reduced methods (one iteration = a full gradient plus an inner loop)

**SVRG** (`option`) — rows $r_1,\dots,r_K$ are drawn once for the whole fit. Each outer
iteration takes a snapshot $w_0 = \theta$, its full gradient $\bar g = g(w_0)$, and runs
$$w_k = w_{k-1} - \alpha\big(e_{r_k}(w_{k-1})\,x_{r_k} - e_{r_k}(w_0)\,x_{r_k} + \bar g\big),\qquad k = 1,\dots,K.$$
Then $s$ is drawn from $1..K$; option 1: $\theta \leftarrow w_{K-1}$ (R keeps the **second-to-last**
iterate), option 2: $\theta \leftarrow w_{s-1}$ (one of $w_0, \dots, w_{K-1}$).

**SSGD** (`lamda` $= \lambda$) — each outer iteration takes $\bar g = g(\theta)$, draws a loop length
$L$ (uniform on $1..K$ when $\lambda = 0$; otherwise $p_k = (1-\lambda\alpha)^{-k}$ scaled to $[0,1]$,
$u \sim U(0,1)$, and $L$ is the first $k$, in increasing order of the scaled $\tilde p_k$, with $u \le \tilde p_k$), and runs
$L$ steps on fresh random rows $r_k$:
$$w_k = w_{k-1} - \alpha\big(\bar g - e_{r_k}(w_{k-1})\,x_{r_k} + e_{r_k}(\theta)\,x_{r_k}\big),\qquad \theta \leftarrow w_L,$$
with $w_0 = \theta$. Note **R's sign**: the correction is subtracted where SVRG adds it.

**SARAH** — rows $r_1, \dots, r_K$ drawn once for the whole fit ($r_K$ is never used). Each outer iteration:
$w_0 = \theta$, $v_0 = g(w_0)$, $w_1 = w_0 - \alpha v_0$, then for $k = 1, \dots, K-1$:
$$v_k = e_{r_k}(w_k)\,x_{r_k} - e_{r_k}(w_{k-1})\,x_{r_k} + v_{k-1},\qquad w_{k+1} = w_k - \alpha v_k.$$
Then $s$ is drawn from $1..K$ and $\theta \leftarrow L_s$ from R's list $L = (w_0, w_2, w_3, \dots, w_K)$
(the first step's $w_1$ is **not** in it).

**SARAHPlus** (`gammaS` $= \gamma$) — SARAH's inner loop, run while $k < K$ and
$$\big(|v_{k-1,1}|/3\big)^2 > \gamma\,\big(|v_{0,1}|/3\big)^2,$$
comparing **only the first (intercept) component** (R's `&&` keeps the first element of the vectors),
with R's $/3$ kept (it cancels mathematically but decides when the squares overflow on diverging runs).
$\theta \leftarrow$ the last iterate computed ($w_0$ if the loop did not run: with $\gamma \ge 1$, $\theta$ never changes).

'''


def methods_by_hand():
    return r'''
#%% md
## Checking two rules by hand

The rules above are the code. For instance ADAM with scalar moments and constant bias
correction, and AGD keeping the look-ahead, written in plain numpy, match the package to the
last digits (`gd.RRandom` is R's random number generator):
#%% code
data = gd.varianceScaling(gd.datasets.load("co2_compressibility")).scaledDataSet
m, n = data.shape
seed, T = 1, 500


def prepared(seed):
    """R's preamble: shuffled X = [1 | inputs], y, and theta = runif(n)."""
    values = data.to_numpy()[gd.RRandom(seed).sample(m) - 1]
    X = np.column_stack([np.ones(m), values[:, :-1]])
    return X, values[:, -1], gd.RRandom(seed).runif(n)


X, y, theta = prepared(seed)
rows = gd.RRandom(seed).sample(m, T, replace=True) - 1
M = V = 0.0
for i in rows:
    e = X[i] @ theta - y[i]
    for j in range(n):
        g = e * X[i, j]
        M = 0.9 * M + 0.1 * g
        V = 0.999 * V + 0.001 * g * g
        theta[j] -= 0.1 * (M / 0.1) / (np.sqrt(V / 0.001) + 1e-7)
package = gd.ADAM(data, maxIter=T, seed=seed).ravel()
print("ADAM by hand:", theta, " package:", package, " max difference:", np.max(np.abs(theta - package)))

X, y, theta = prepared(seed)
v = np.zeros(n)
for _ in range(50):
    theta = theta - 0.9 * v                      # R keeps the look-ahead point
    v = 0.9 * v + 0.1 * X.T @ (X @ theta - y) / m
    theta = theta - v
package = gd.AGD(data, maxIter=50, seed=seed).ravel()
print("AGD by hand: ", theta, " package:", package, " max difference:", np.max(np.abs(theta - package)))
'''


def methods_paths():
    return r'''
#%% md
## The path of each family on the contours of the loss

A model with two coefficients shows the path itself: the diabetes progression score
(standardised, from scikit-learn's diabetes data) against the body mass index scaled to
$[0, 1]$ (min-max: not centred, so the contours are long ellipses). Each method starts from R's
initial $\theta$ for seed 1; its iterates are the fits stopped after 1, 2, 3, ... iterations with
the same seed (the same rows are drawn in the same order, so each fit is the beginning of the
longer ones; checked below for SGD against the rule by hand). The steps: the full-batch methods
at $1/\lambda_{\max}$ (what `alpha="auto"` picks for them), the single-row ones at R's default
$\alpha = 0.1$ and the variance-reduced ones at 0.5, both below this model's single-row bound:
#%% code
frame = bmi_model("min-max")
bound = step_bounds(frame)
full_alpha = 1 / bound["lambda_max"]
print({k: round(v, 4) for k, v in bound.items()}, " full-batch alpha:", round(full_alpha, 4))

m2 = len(frame)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    panels = {
        "full batch, alpha = 1/lambda_max: 60 iterations (60 passes)": {
            method: descent_path(method, frame, range(1, 61), alpha=full_alpha) for method in ["GD", "MGD", "AGD"]},
        "single row, alpha = 0.1: 3 passes (SGD)": {
            "SGD": descent_path("SGD", frame, range(1, 3 * m2 + 1), alpha=0.1)},
        "single row, adaptive (R's rules), alpha = 0.1: 3 passes": {
            method: descent_path(method, frame, range(1, 3 * m2 + 1), alpha=0.1)
            for method in ["ADAGRAD", "RMSPROP", "ADAM"]},
        "variance reduced, alpha = 0.5: 30 outer iterations (60 passes)": {
            method: descent_path(method, frame, range(1, 31), alpha=0.5) for method in ["SVRG", "SARAH", "SARAHPlus"]},
    }

# the check: SGD by hand (R's shuffle, R's rows drawn with replacement) gives the same path
values = frame.to_numpy()[gd.RRandom(1).sample(m2) - 1]
Xh, yh = np.column_stack([np.ones(m2), values[:, 0]]), values[:, 1]
theta = gd.RRandom(1).runif(2)
by_hand = [theta]
for i in gd.RRandom(1).sample(m2, 3 * m2, replace=True) - 1:
    theta = theta - 0.1 * (Xh[i] @ theta - yh[i]) * Xh[i]
    by_hand.append(theta)
sgd_path = panels["single row, alpha = 0.1: 3 passes (SGD)"]["SGD"]
print("SGD path = SGD by hand, step for step:", np.allclose(sgd_path, np.array(by_hand), rtol=1e-12))
#%% code
box = ((-1.6, 1.0), (-0.4, 3.8))
markers = {"SVRG": "o", "SARAH": "s", "SARAHPlus": "^"}
fig, axes = plt.subplots(2, 2, figsize=(14, 11), sharex=True, sharey=True, layout="constrained")
for ax, (title, paths) in zip(axes.flat, panels.items()):
    draw_contours(ax, frame, box)
    for method, path in paths.items():
        colour, line = STYLE[method]
        ax.plot(path[:, 0], path[:, 1], color=colour, linestyle="-", linewidth=0.8 if len(path) > 100 else 1.4,
                marker=markers.get(method, "." if len(path) <= 100 else None), markersize=5, fillstyle="none",
                label=f"{method} (ends {mse(frame, path[-1]) / least_squares(frame)[1] - 1:.1e} above)")
    ax.plot(*path[0], marker="o", color="black", markerfacecolor="white", linestyle="none", label="start")
    ax.set_title(title, fontsize=11)
    ax.legend(loc="upper right", fontsize=9)
fig.suptitle("Descent paths on the MSE of intercept + slope (diabetes score against min-max scaled bmi), "
             f"condition number {bound['condition number']:.3g}\nin the legends: where each ends, as its MSE "
             "above the optimum relative to it")
plt.show()
#%% md
What the paths show (the legend gives where each ends, as the MSE above the optimum, relative):

- **Full batch**: GD goes down the steep side and then creeps along the valley floor, where the
  curvature is $\lambda_{\min}$; momentum (MGD, AGD) carries speed along the floor, overshooting
  and circling back.
- **Single row**: each step follows one row's gradient, so the path jitters across the valley;
  with a constant step it never settles, but hovers in a band around the optimum. R's ADAGRAD,
  RMSPROP and ADAM normalise by accumulators **shared by both coefficients** (the rules above):
  RMSPROP jitters like SGD; ADAGRAD's accumulator only grows, so its steps shrink and it has
  moved little in 3 passes; ADAM wanders near the start, partly away from the optimum, and after
  3 passes its MSE is still far above it (the legend).
- **Variance reduced**: each outer iteration starts from a full gradient, which removes the
  jitter (the points are the outer iterates); in the same 60 passes they end closer to the
  optimum than GD (the legends).
'''


def methods_all_fourteen():
    return r'''
#%% md
## All fourteen on a well-conditioned and an ill-conditioned table

R's default step $\alpha = 0.1$, seed 1, on two variance-scaled tables: the CO2 grid, whose
condition number is about 1, and the diabetes data, whose correlated inputs make it hundreds.
An "iteration" costs very different amounts of work across the families, so each method gets
the same budget of **row gradients**, counted in passes over the rows: one iteration of GD is a
pass, of SGD a row, of the variance-reduced methods a pass plus its inner steps. The curves are
refits with a growing `maxIter` and the same seed (a point is what a user gets by stopping there);
a fit that blows up is marked with an x where it leaves the axes.
#%% code
co2 = gd.datasets.load("co2_compressibility")
tables = {"CO2": gd.varianceScaling(co2).scaledDataSet,
          "diabetes": gd.varianceScaling(diabetes).scaledDataSet}
for name, table in tables.items():
    b = step_bounds(table)
    print(f"{name:9s} {table.shape[0]} rows, {table.shape[1] - 1} inputs: "
          f"condition number {b['condition number']:.3g}, "
          f"GD bound {b['GD bound 2/lambda_max']:.3f}, single-row bound {b['single-row bound 2/max|x_i|^2']:.3f}")

METHODS = [method for family in FAMILIES.values() for method in family]
ROW = FAMILIES["single row"]


def control(method, passes, m, alpha=0.1):
    """maxIter giving about `passes` passes over the m rows (and R's alpha)."""
    if method in ROW:
        steps = {"maxIter": max(1, int(passes * m))}
        return steps if method == "ADADELTA" else {"alpha": alpha, **steps}   # ADADELTA has no alpha
    if method == "MBGD":
        return {"alpha": alpha, "maxIter": max(1, int(passes * 2))}          # nBatch 2: half the rows each
    return {"alpha": alpha, "maxIter": max(1, int(passes))}


def gap_curve(method, table, passes):
    """The relative gap (MSE - MSE*) / MSE* over all rows after each number of passes."""
    best = least_squares(table)[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return np.array([(mse(table, getattr(gd, method)(table, seed=1, **control(method, p, len(table)))) - best)
                         / best for p in passes])


PASSES = np.unique(np.r_[np.geomspace(0.05, 1, 6), np.geomspace(1, 50, 12).round()])
curves = {(name, method): gap_curve(method, table, PASSES) for name, table in tables.items() for method in METHODS}
#%% code
FLOOR, CEILING = 1e-12, 1e3
fig, axes = plt.subplots(1, 2, figsize=(16, 5.8), layout="constrained")
diverged_on = {method: [name for name in tables if not curves[(name, method)][-1] < CEILING] for method in METHODS}
for ax, name in zip(axes, tables):
    lowest = CEILING
    for method in METHODS:
        gap = curves[(name, method)]
        keep = PASSES >= (0.05 if method in ROW else 1)
        x, g = PASSES[keep], gap[keep]
        blown = ~(g < CEILING)
        if blown.any():   # drawn up to the first point off the axes, marked with an x at the top
            first = np.argmax(blown)
            x, g = x[:first + 1], np.minimum(g[:first + 1], CEILING)
            ax.plot(x[-1], CEILING, marker="x", markersize=12, markeredgewidth=2, color=STYLE[method][0], clip_on=False)
        ax.plot(x, np.maximum(g, FLOOR), **style(method))
        lowest = min(lowest, np.min(np.maximum(g, FLOOR)))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(max(FLOOR, lowest / 3), CEILING)   # each panel's axis from its own curves
    ax.set_title(f"{name}: condition number {step_bounds(tables[name])['condition number']:.3g}")
    ax.set_xlabel("passes over the rows (row gradients / m)")
    ax.set_ylabel("(MSE - least-squares MSE) / least-squares MSE")
handles = [plt.Line2D([], [], **style(method)) for method in METHODS]
labels = [method + (f" (x: diverged on {', '.join(diverged_on[method])})" if diverged_on[method] else "")
          for method in METHODS]
fig.legend(handles, labels, loc="outside right upper", title="solid: full batch\ndotted: single row\n"
           "dashed: variance reduced", fontsize=9)
fig.suptitle(f"All 14 methods at R's alpha = 0.1, seed 1 (relative gaps below {FLOOR:g} drawn at {FLOOR:g})")
plt.show()
#%% code
final = pd.DataFrame({name: {method: curves[(name, method)][-1] for method in METHODS} for name in tables})
final.index.name = f"after {PASSES[-1]:g} passes"
final.apply(lambda column: column.map(
    lambda g: "diverged" if not g < CEILING else f"< {FLOOR:g}" if g < FLOOR else f"{g:.1e}"))
'''


def methods_fixed_step_limits():
    return r'''
#%% md
## What a fixed step does not do

The table shows where each method stands after 50 passes at R's default step. Three things in it
are not the textbook story; each is checked here.

**Above the single-row bound the single-row methods fail.** On the diabetes data R's 0.1 is
above $2/\max_i\lVert x_i\rVert^2$ ([notebook 2](02_feature_scaling.ipynb)): SGD and SAGD end far
above the optimum there, while on CO2, where 0.1 is below the bound, they only hover.

**SSGD with R's sign diverges.** R's SSGD subtracts the variance-reduction correction where SVRG
adds it (the rules above), so within its inner loop a step on row $r$ *grows* the distance from
the snapshot along $x_r$ by $1 + \alpha\lVert x_r\rVert^2$. Its MSE at the start of each outer
iteration, against SVRG's, on the diabetes data at $\alpha = 0.1$:
#%% code
data = tables["diabetes"]
best = least_squares(data)[1]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    _, ssgd_loss = gd.SSGD(data, alpha=0.1, maxIter=12, seed=1, return_loss=True)
    _, svrg_loss = gd.SVRG(data, alpha=0.1, maxIter=12, seed=1, return_loss=True)
shown(pd.DataFrame({"SSGD (R's sign)": ssgd_loss, "SVRG": svrg_loss},
                   index=pd.RangeIndex(1, 13, name="MSE at the start of outer iteration")).T)
#%% md
The package's automatic step for SSGD, $\ln 2/(K \max_i\lVert x_i\rVert^2)$ with $K$ = `innerIter`,
keeps that growth below a factor two per inner loop, and SSGD then converges, slowly:
#%% code
auto = gd.gradDescentR.learn(diabetes, learningMethod="SSGD", control={"alpha": "auto", "maxIter": 300}, seed=1)
print(f"alpha='auto' chose {auto.alpha:.5f}; after {auto.n_iter} outer iterations the MSE is "
      f"{mse(data, auto.model) / best - 1:.2e} above the optimum (diverged: {auto.diverged})")
#%% md
**MBGD stalls above the optimum.** With `nBatch = 2` each iteration takes the gradient of one
half of the rows, so the optimum of the whole is not a fixed point of its steps: at a fixed step
it settles into a cycle near, not at, the optimum, and the distance shrinks with $\alpha$. GD on
the same data goes to the optimum:
#%% code
iterations = np.unique(np.geomspace(1, 40000, 20).astype(int))
fig, ax = plt.subplots(figsize=(9, 4.5))
rows = {}
beta = least_squares(data)[0]
for method, alpha, line in [("GD", 0.1, "-"), ("MBGD", 0.1, "-"), ("MBGD", 0.03, "--")]:
    thetas = [getattr(gd, method)(data, alpha=alpha, maxIter=k, seed=1) for k in iterations]
    gaps = np.array([max(mse(data, t) / best - 1, FLOOR) for t in thetas])
    passes = iterations / (2 if method == "MBGD" else 1)
    ax.plot(passes, gaps, color=STYLE[method][0], linestyle=line, marker=".", label=f"{method}, alpha = {alpha}")
    rows[f"{method}, alpha = {alpha}"] = {
        "relative MSE gap at the end": gaps[-1],
        "relative coefficient error |theta - beta| / |beta|": np.linalg.norm(np.ravel(thetas[-1]) - beta)
        / np.linalg.norm(beta)}
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_title(f"GD and MBGD on variance-scaled diabetes data (gaps below {FLOOR:g} drawn at {FLOOR:g})")
ax.set_xlabel("passes over the rows")
ax.set_ylabel("(MSE - least-squares MSE) / least-squares MSE")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()
shown(pd.DataFrame(rows).T, "{:.2e}")
'''


def methods_stopping_rule():
    return r'''
#%% md
## The automatic step and the stopping rule

What a reader would use instead of R's fixed `alpha` and `maxIter`: `alpha="auto"` (the step from
the curvature of the data; averaged iterates for the single-row methods and MBGD) and `tol`
(stop once what is left to gain at the rate the loss falls is within `tol` of the loss; `maxIter`
is then only a cap, here 1000 passes). The model reports the step it took (`alpha`), the
iterations (`n_iter`, in R's units) and passes (`passes`), and whether the rule was met
(`converged`). On the ill-conditioned diabetes data, with `tol = 1e-4`:
#%% code
data = tables["diabetes"]
best = least_squares(data)[1]
rows = {}
for method in METHODS:
    per_pass = len(diabetes) if method in ROW else 2 if method == "MBGD" else 1
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = gd.gradDescentR.learn(diabetes, learningMethod=method,
                                      control={"alpha": "auto", "maxIter": 1000 * per_pass}, seed=1, tol=1e-4)
    rows[method] = {"alpha": model.alpha, "n_iter": model.n_iter, "passes": model.passes,
                    "converged": model.converged, "diverged": model.diverged,
                    "relative MSE gap": mse(data, model.model) / best - 1,
                    "time (ms)": 1000 * (time.perf_counter() - start), "warned": len(caught) > 0}
report = pd.DataFrame(rows).T
shown(report.infer_objects(), columns={"alpha": "{:.3g}", "passes": "{:.0f}", "relative MSE gap": "{:.1e}",
                                       "time (ms)": "{:.1f}"})
#%% md
None diverges: the automatic step is within each method's stable range on this data. Where
`converged` is `False`, the method ran its 1000 passes without meeting the rule, and
`gradDescentR.learn` warned (the `warned` column). `converged` says that the loss stopped
falling by more than `tol`, not how far from the optimum the fit is: the last column is that
distance, and a slow method on ill-conditioned data (small steps, here the variance-reduced
methods' $1/(4\max_i\lVert x_i\rVert^2)$) can meet the rule while still measurably above the optimum.
A smaller `tol` takes it further, at the cost of more passes:
#%% code
for tol in [1e-4, 1e-6, 1e-8]:
    model = gd.gradDescentR.learn(diabetes, learningMethod="SVRG", control={"alpha": "auto", "maxIter": 20000},
                                  seed=1, tol=tol)
    print(f"SVRG, tol = {tol:g}: {model.passes:.0f} passes, converged {model.converged}, "
          f"{mse(data, model.model) / best - 1:.1e} above the optimum")
'''


def methods_published_rules():
    return r'''
#%% md
## R's rules beside the published ones (the adaptive methods)

R's ADAGRAD, ADADELTA, RMSPROP and ADAM (the rules above) keep **one** accumulator shared by all
coefficients, and R's ADAM corrects its moments by the constants $1/(1-\beta)$. The published
rules keep one accumulator per coefficient, and Adam corrects by $1-\beta^t$ at step $t$:
`variant="textbook"` runs them on the same rows (R's draws for the seed), with torch.optim's
constants ($\varepsilon$ = 1e-10 ADAGRAD, 1e-6 ADADELTA, 1e-8 RMSPROP and ADAM). For instance
ADAGRAD's two rules, per column $j$ of a step with $g_j = e\,x_{ij}$:

| | accumulator | step |
| --- | --- | --- |
| R's rule | $G \leftarrow G + g_j^2$ (one number) | $\theta_j \leftarrow \theta_j - \dfrac{\alpha}{\sqrt{G}}\, g_j$ |
| textbook | $G_j \leftarrow G_j + g_j^2$ (one per coefficient) | $\theta_j \leftarrow \theta_j - \dfrac{\alpha}{\sqrt{G_j} + \varepsilon}\, g_j$ |

The factor in front of $g_j$ is the **effective step** of coefficient $j$ (for ADAM, the factor in
front of the first moment $M_j$; for ADADELTA, $\sqrt{E_u + \varepsilon}/\sqrt{E_g + \varepsilon}$). The
package keeps no accumulators to look at, so the cell below transcribes each rule in plain numpy
(a transcription for this notebook, not the package's code) and records the effective steps;
the next cell checks that its iterates are the package's, so that the pictures after it show
the package's numbers.
#%% code
ADAPTIVE = ["ADAGRAD", "ADADELTA", "RMSPROP", "ADAM"]
EPSILON = {"ADAGRAD": 1e-10, "ADADELTA": 1e-6, "RMSPROP": 1e-8, "ADAM": 1e-8}   # the textbook's defaults


def adaptive_by_hand(method, variant, frame, steps, alpha=0.1, rho=0.9, seed=1):
    """TRANSCRIPTION of R's rule (variant "R") or the published one ("textbook") of an adaptive
    method: the iterates theta_0..theta_T (T = steps) and each step's effective step per coefficient."""
    m, n = frame.shape
    values = frame.to_numpy()[gd.RRandom(seed).sample(m) - 1]               # R's shuffle
    X, y = np.column_stack([np.ones(m), values[:, :-1]]), values[:, -1]
    theta = gd.RRandom(seed).runif(n)                                        # R's initial theta
    rows = gd.RRandom(seed).sample(m, steps, replace=True) - 1               # R's rows
    thetas, effective = [theta.copy()], np.empty((steps, n))
    s = np.zeros(3)                          # R's rule: scalars shared by all coefficients
    a, b, u = np.zeros(n), np.zeros(n), np.zeros(n)   # the textbook's: one per coefficient
    for t, i in enumerate(rows, start=1):
        e = X[i] @ theta - y[i]
        if variant == "R":                   # column after column, each reading the shared scalars
            for j in range(n):
                g = e * X[i, j]
                if method == "ADAGRAD":
                    s[0] += g * g
                    step = alpha / np.sqrt(s[0])
                elif method == "RMSPROP":
                    s[0] = rho * s[0] + (1 - rho) * g * g
                    step = alpha / np.sqrt(s[0] + 1e-7)
                elif method == "ADAM":       # theta_j -= step * M, M and V scalars, constant corrections
                    s[0] = 0.9 * s[0] + (1 - 0.9) * g
                    s[1] = 0.999 * s[1] + (1 - 0.999) * g * g
                    step, g = alpha / (1 - 0.9) / (np.sqrt(s[1] / (1 - 0.999)) + 1e-7), s[0]
                else:                        # ADADELTA: s = (E_g, E_u, rms_u), u_j the last updates
                    s[0] = rho * s[0] + (1 - rho) * g * g
                    s[1] = rho * s[1] + (1 - rho) * u[j] * u[j]
                    step = s[2] / np.sqrt(s[0] + 1e-7)
                    u[j] = step * g
                    s[2] = np.sqrt(s[1] + 1e-7)
                theta[j] -= step * g
                effective[t - 1, j] = step
        else:                                # all coefficients at once, each with its own accumulator
            g, eps = e * X[i], EPSILON[method]
            if method == "ADAGRAD":
                a += g * g
                step = alpha / (np.sqrt(a) + eps)
            elif method == "RMSPROP":
                a = rho * a + (1 - rho) * g * g
                step = alpha / (np.sqrt(a) + eps)
            elif method == "ADAM":           # theta -= step * M, corrected by 1 - beta^t
                a = 0.9 * a + (1 - 0.9) * g
                b = 0.999 * b + (1 - 0.999) * g * g
                step, g = alpha / (1 - 0.9**t) / (np.sqrt(b) / np.sqrt(1 - 0.999**t) + eps), a
            else:                            # ADADELTA: a = E_g, b = E_u
                a = rho * a + (1 - rho) * g * g
                step = np.sqrt(b + eps) / np.sqrt(a + eps)
                b = rho * b + (1 - rho) * (step * g) ** 2
            theta = theta - step * g
            effective[t - 1] = step
        thetas.append(theta.copy())
    return np.array(thetas), effective


def same_iterates(a, b):
    """Whether two sequences of iterates agree to 1e-12 of the largest |theta| (a relative test
    element by element fails on a coefficient that passes near zero, where rounding is all there is)."""
    return np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(b))
#%% code
data = tables["diabetes"]
m, n = data.shape
T = 50 * m                                   # 50 passes of single-row steps
names = ["intercept", *data.columns[:-1]]
by_hand = {(method, variant): adaptive_by_hand(method, variant, data, T)
           for method in ADAPTIVE for variant in ["R", "textbook"]}

checkpoints = [1, 10, m, 10 * m, T]
rows = {}
for (method, variant), (thetas, _) in by_hand.items():
    settings = {} if method == "ADADELTA" else {"alpha": 0.1}
    package = np.array([getattr(gd, method)(data, maxIter=k, seed=1, variant=variant, **settings).ravel()
                        for k in checkpoints])
    rows[f"{method}, {variant}"] = {
        "transcription = package": same_iterates(thetas[checkpoints], package),
        "largest difference / largest |theta|": np.max(np.abs(thetas[checkpoints] - package)) / np.max(np.abs(package))}
print(f"the iterates after {checkpoints} steps (alpha = 0.1, seed 1, variance-scaled diabetes data):")
shown(pd.DataFrame(rows).T.infer_objects(), "{:.1e}")
'''


def methods_published_losses():
    return r'''
#%% md
### The loss along the fit, under each rule

The same seed, so the same rows in the same order, at R's $\alpha = 0.1$ and at $\alpha = 0.01$
(ADADELTA has no $\alpha$): the MSE over all rows above the optimum, relative to it, after each
number of passes (refits with a growing `maxIter`, as in the figure of all fourteen); ADAM's
AMSGrad (`variant="amsgrad"`) is in the table under the figure:
#%% code
RULE_STYLE = {("R", 0.1): ("#1f4e9c", "-"), ("textbook", 0.1): ("#d62728", "--"),
              ("R", 0.01): ("#6baed6", ":"), ("textbook", 0.01): ("#ff7f0e", "-.")}
best = least_squares(data)[1]


def rule_gaps(method, variant, alpha):
    """The relative MSE gap after each of PASSES, of the package's fit under the rule."""
    settings = {} if method == "ADADELTA" else {"alpha": alpha}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return np.array([mse(data, getattr(gd, method)(data, maxIter=max(1, int(p * m)), seed=1, variant=variant,
                                                         **settings)) / best - 1 for p in PASSES])


VARIANTS = {"ADAGRAD": ["R", "textbook"], "ADADELTA": ["R", "textbook"], "RMSPROP": ["R", "textbook"],
            "ADAM": ["R", "textbook", "amsgrad"]}
rule_curves = {(method, variant, alpha): rule_gaps(method, variant, alpha)
               for method in ADAPTIVE for variant in VARIANTS[method]
               for alpha in ([0.1] if method == "ADADELTA" else [0.1, 0.01])}
fig, axes = plt.subplots(1, 4, figsize=(19, 4.8), sharey=True, layout="constrained")
for ax, method in zip(axes, ADAPTIVE):
    for (variant, alpha), (colour, line) in RULE_STYLE.items():
        if (method, variant, alpha) in rule_curves:
            ax.plot(PASSES, rule_curves[(method, variant, alpha)], color=colour, linestyle=line, linewidth=2,
                    marker=".", label=f"{'R' if variant == 'R' else 'textbook'} rule, alpha = {alpha}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title(method + (" (no alpha: its two rules)" if method == "ADADELTA" else ""))
    ax.set_xlabel("passes over the rows")
axes[0].set_ylabel("(MSE - least-squares MSE) / least-squares MSE")
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper")
fig.suptitle("R's rule against the textbook rule on variance-scaled diabetes data (same seed, same rows)")
plt.show()
table = pd.Series({(method, "none" if method == "ADADELTA" else alpha, variant): gaps[-1]
                   for (method, variant, alpha), gaps in rule_curves.items()}).unstack()
table.index.names = ["method", "alpha"]
print(f"(MSE - least-squares MSE) / least-squares MSE after {PASSES[-1]:g} passes:")
table.apply(lambda column: column.map(lambda g: "" if pd.isna(g) else f"{g:.1e}"))
'''


def methods_published_steps():
    return r'''
#%% md
### The effective step of each coefficient

From the transcription above (checked against the package), at $\alpha = 0.1$: the effective step
of each of the 11 coefficients under the textbook rule (thin lines), and R's (thick black): R's
comes from its one shared accumulator, the same number for every coefficient except that each
column of a step reads it after the columns before it have added to it (R's line is its mean over
the coefficients). Each point is the median over a pass ($m$ steps), since a single-row step's
value jumps from row to row (where a coefficient's gradients have been near zero, the textbook's step
for it is briefly huge):
#%% code
def per_pass(effective):
    """The median of each coefficient's effective step over each pass."""
    return np.median(effective.reshape(-1, m, n), axis=1)


colours = plt.cm.tab20(np.linspace(0, 1, 20))[::2][:n - 1]
lines = ["-", "--", "-.", ":"]
passes_axis = np.arange(1, T // m + 1)
fig, axes = plt.subplots(1, 4, figsize=(17, 4.6), dpi=64, layout="constrained")
for ax, method in zip(axes, ADAPTIVE):
    textbook, shared = per_pass(by_hand[(method, "textbook")][1]), per_pass(by_hand[(method, "R")][1])
    for j in range(n):
        ax.plot(passes_axis, textbook[:, j], color="black" if j == 0 else colours[j - 1],
                linestyle=lines[j % 4], linewidth=1.2, label=f"textbook: {names[j]}")
    ax.plot(passes_axis, shared.mean(axis=1), color="#1f4e9c", linewidth=4, alpha=0.6, label="R: shared accumulator")
    ax.set_yscale("log")
    ax.set_title(method)
    ax.set_xlabel("pass over the rows")
axes[0].set_ylabel("effective step (median over the pass)")
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper", fontsize=9)
fig.suptitle("Effective step of each coefficient, R's rule against the textbook rule "
             "(alpha = 0.1, variance-scaled diabetes data)")
plt.show()

rows = {}
for method in ADAPTIVE:
    textbook, shared = per_pass(by_hand[(method, "textbook")][1])[-1], per_pass(by_hand[(method, "R")][1])[-1]
    rows[method] = {"textbook: smallest": textbook.min(), "textbook: largest": textbook.max(),
                    "textbook: largest / smallest": textbook.max() / textbook.min(), "R: mean": shared.mean(),
                    "R: across the columns, largest / smallest": shared.max() / shared.min(),
                    "R / textbook (means over the coefficients)": shared.mean() / textbook.mean()}
print(f"effective steps over the last pass (pass {T // m}):")
shown(pd.DataFrame(rows).T)
#%% md
What the figure and the table show, on this table:

- **The textbook rule gives each coefficient its own step**; R's gives them one (its small spread
  across the columns is the order in which they read the shared number within a step, not anything
  about the coefficient). On variance-scaled data the columns have similar scales, so the textbook's
  steps differ by the factor in the table's third column, not by orders of magnitude; they differ
  more where the columns' gradients differ in size (the min-max scaled bmi model below).
- **The level differs more than the spread.** R's ADAGRAD sums the squares of all $n$ columns into
  its one $G$, so its step is about $1/\sqrt{n}$ of the textbook's. R's ADAM divides $M$ and $V$ by the
  constants $1-\beta_1$ and $1-\beta_2$ where Adam divides by $1-\beta^t$, which tends to 1: once $t$
  is large R's step is $\sqrt{1-\beta_2}/(1-\beta_1) \approx 0.32$ times Adam's for the same second
  moment (the two fits' second moments differ, as they are at different $\theta$).
- So **the same $\alpha$ is not the same step** under the two rules, which is most of what the loss
  curves above show: at $\alpha = 0.1$ the textbook ADAGRAD, with the larger steps, ends closer to the
  optimum, and the textbook ADAM, with steps about twice R's, ends further (the table under the loss
  figure); at $\alpha = 0.01$ ADAM's rules end close together. RMSPROP's steps, about 0.1 under both
  rules at $\alpha = 0.1$, multiply a row's gradient as SGD's $\alpha$ does, and they are above this
  table's single-row bound $2/\max_i\lVert x_i\rVert^2$ ([notebook 2](02_feature_scaling.ipynb)): both
  rules hover far above the optimum there, as SGD does.
#%% code
single_row_bound = step_bounds(data)["single-row bound 2/max|x_i|^2"]
ratio = rows["ADAGRAD"]["R / textbook (means over the coefficients)"]
print(f"ADAGRAD: R's step / the textbook's {ratio:.3f}; 1/sqrt(n) = {1 / np.sqrt(n):.3f} (n = {n})")
print(f"ADAM: R's step / the textbook's {rows['ADAM']['R / textbook (means over the coefficients)']:.3f}; "
      f"sqrt(1 - beta2) / (1 - beta1) = {np.sqrt(1 - 0.999) / (1 - 0.9):.3f}")
print(f"RMSPROP at alpha = 0.1, last pass: effective steps {rows['RMSPROP']['textbook: smallest']:.3f} to "
      f"{rows['RMSPROP']['textbook: largest']:.3f} (textbook), {rows['RMSPROP']['R: mean']:.3f} (R's); "
      f"single-row bound {single_row_bound:.3f}")
'''


def methods_published_paths():
    return r'''
#%% md
### The two rules on the contours of the loss

The two-coefficient model of the paths above (diabetes score against min-max scaled bmi: the
intercept's column is all ones, the slope's is bmi in $[0, 1]$, so the slope's gradients are the
smaller), 3 passes from R's initial $\theta$ for seed 1, R's rule against the textbook rule, each
method at a step that keeps its paths readable (ADAGRAD's steps shrink as its sums grow, so it gets
a larger $\alpha$). The paths are the package's fits, checked here against the transcription at
every step; the effective steps are the transcription's, as a mean over the last pass:
#%% code
frame = bmi_model("min-max")
m2 = len(frame)
PATH_ALPHA = {"ADAGRAD": 0.5, "RMSPROP": 0.02, "ADAM": 0.02}
box = ((-1.6, 1.0), (-0.4, 3.8))
fig, axes = plt.subplots(1, 3, figsize=(17, 5.6), dpi=64, sharey=True, layout="constrained")
for ax, (method, alpha) in zip(axes, PATH_ALPHA.items()):
    draw_contours(ax, frame, box)
    for variant, colour, line in [("R", STYLE[method][0], "-"), ("textbook", "black", "--")]:
        path = descent_path(method, frame, range(1, 3 * m2 + 1), alpha=alpha, variant=variant)
        thetas, effective = adaptive_by_hand(method, variant, frame, 3 * m2, alpha=alpha)
        last = effective[-m2:].mean(axis=0)
        gap = mse(frame, path[-1]) / least_squares(frame)[1] - 1
        ax.plot(path[:, 0], path[:, 1], color=colour, linestyle=line, linewidth=1.2,
                label=f"{variant} rule: ends {gap:.1e} above the optimum")
        print(f"{method:8s} {variant:8s}: package path = transcription {same_iterates(thetas, path)}; "
              f"effective steps: intercept {last[0]:.4f}, slope {last[1]:.4f} (slope / intercept "
              f"{last[1] / last[0]:.2f}); ends {gap:.1e} above the optimum")
    ax.plot(*path[0], marker="o", color="black", markerfacecolor="white", linestyle="none", label="start")
    ax.set_title(f"{method}, alpha = {alpha}: 3 passes")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=9)
    if ax is not axes[0]:
        ax.set_ylabel("")
fig.suptitle("R's rule (solid) against the textbook rule (dashed) on the MSE of intercept + slope "
             "(diabetes score against min-max scaled bmi)")
plt.show()
#%% md
With one step per coefficient, the textbook rules give the slope, whose gradients are the smaller,
a step about 2.4 times the intercept's (the ratios printed), which turns their paths down the
valley toward the optimum; R's one accumulator gives both coefficients the same step (a ratio of 1,
RMSPROP's 1.04 being the order of the columns), set by the larger gradients, the intercept's, so
R's paths cross the valley more than they go along it. In these 3 passes every textbook path ends
closer to the optimum than R's (the legends); R's ADAM, whose steps are the smallest here, has
barely left the start.
'''


def methods_summary():
    return r'''
#%% md
## What to take away

- The step that works depends on the data, and on the family: GD's bound $2/\lambda_{\max}$, the
  single-row bound $2/\max_i\lVert x_i\rVert^2$ (much smaller), and R's SSGD, whose sign makes
  its inner loop grow, smaller still. R's default 0.1 is within GD's and the single-row bound on
  the CO2 grid, and beyond the single-row bound on the diabetes data.
- Ill-conditioning slows every method: in the same 50 passes at R's step, the variance-reduced
  methods reach the CO2 optimum (condition number 1) to within $10^{-10}$, and none of the fourteen
  gets within $10^{-3}$ of the diabetes optimum (condition number 470).
- At a fixed step the stochastic methods (single row, MBGD) stop at a floor above the optimum;
  a smaller step lowers it (MBGD above), and so does averaging the iterates (what `alpha="auto"`
  does for them).
- R's adaptive methods share one accumulator among all coefficients; `variant="textbook"` gives each
  coefficient its own, as published. The same $\alpha$ is then a different step (R's ADAGRAD about
  $1/\sqrt{n}$ of the textbook's, R's ADAM about half of Adam's here), and where the columns'
  gradients differ in size the textbook's steps differ per coefficient and follow the valley.
- `alpha="auto"` with `tol` gives a stable step and a fit that ends when it has stopped
  improving, and says so (`converged`, `n_iter`, `passes`, `alpha`); compare with the
  least-squares fit when the distance to the optimum matters.

The closed-form solution is the target: on these tables it takes a millisecond. Gradient descent
matters when $X^\top X$ is too large to form or factor, and to learn the methods themselves.
'''


# ====================================================================================== 04
def sklearn_intro():
    return r'''
#%% md
# 4. scikit-learn workflows

The estimators (`GDRegressor`, ..., `SARAHPlusRegressor`, and `GradDescentRegressor(method=...)`)
follow scikit-learn's API, so they work in pipelines, grid searches and cross-validation.
The step is `learning_rate` (a number, or `"auto"`: derived from the data, the default),
`max_iter` counts passes over the data, and `tol` and `n_iter_no_change` are a stopping rule;
the other parameters are R's control entries in snake case (`momentum`, `n_batch`, `lamda`,
`inner_iter`, `option`, `gamma_s`), plus `scaling` ("variance", "minmax" or None) and
`random_state` (R's seed). Fitted: `coef_`, `intercept_` (original units), `loss_curve_`,
`n_iter_` (passes), `learning_rate_` (the step taken), `converged_`.

Note the name clash: `graddescent.SGDRegressor` is R's SGD; scikit-learn's is
`sklearn.linear_model.SGDRegressor`. Import one of them under another name.
'''


def sklearn_setup():
    return setup(r'''
from sklearn.linear_model import LinearRegression, SGDRegressor as SklearnSGD
from sklearn.model_selection import GridSearchCV, KFold, cross_validate, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
''' + STYLES + r'''
co2 = gd.datasets.load("co2_compressibility")
X, y = co2.iloc[:, :2].to_numpy(), co2.iloc[:, 2].to_numpy()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
print(X_train.shape, X_test.shape)
''')


def sklearn_pipeline():
    return r'''
#%% md
## A pipeline

$Z$ is curved in temperature and pressure, so a straight line leaves an RMSE near 0.15.
Adding squared and cross terms with `PolynomialFeatures` keeps the model linear in $\theta$
(gradient descent still applies) and fits much better. The estimator scales its inputs itself
(`scaling="variance"`, as `gradDescentR.learn`), so no scaler is needed in the pipeline.
#%% code
line = gd.GradDescentRegressor(method="SVRG", random_state=1)
quadratic = make_pipeline(PolynomialFeatures(degree=2, include_bias=False),
                          gd.GradDescentRegressor(method="SVRG", random_state=1))
for name, model in [("linear", line), ("quadratic features", quadratic)]:
    model.fit(X_train, y_train)
    print(f"{name:20s} test RMSE {gd.RMSE(y_test, model.predict(X_test)):.4f}")
'''


def sklearn_grid_search():
    return r'''
#%% md
## Grid search over method and learning rate

`GradDescentRegressor(method=...)` makes the method a hyper-parameter. A 3-fold search over five
methods and three learning rates, on the quadratic pipeline, each fit run for R's fixed 100
iterations (`tol=None`) to see what the step does within that budget:
#%% code
search = GridSearchCV(
    make_pipeline(PolynomialFeatures(degree=2, include_bias=False),
                  gd.GradDescentRegressor(max_iter=100, tol=None, inner_iter=10, random_state=1)),
    {"graddescentregressor__method": ["GD", "MGD", "AGD", "SVRG", "SARAHPlus"],
     "graddescentregressor__learning_rate": [0.01, 0.05, 0.1]},
    cv=KFold(3, shuffle=True, random_state=0), scoring="neg_root_mean_squared_error")
search.fit(X_train, y_train)
scores = pd.DataFrame(search.cv_results_["params"]).rename(columns=lambda c: c.split("__")[1])
scores["CV RMSE"] = -search.cv_results_["mean_test_score"]
print("best:", search.best_params_, f"test RMSE {gd.RMSE(y_test, search.predict(X_test)):.4f}")
table = scores.pivot(index="method", columns="learning_rate", values="CV RMSE")
table.apply(lambda column: column.map(lambda v: f"{v:.4g}"))
#%% code
CEILING = 0.16   # above the straight line's RMSE: a fit up here has gone wrong
rates = np.array(table.columns, dtype=float)
fig, ax = plt.subplots(figsize=(8, 4.2))
for method, row in table.iterrows():
    rmse = row.to_numpy(dtype=float)
    ok = np.isfinite(rmse) & (rmse < CEILING)
    ax.plot(rates[ok], rmse[ok], marker="o", label=method + ("" if ok.all() else " (x: diverged)"), **style(method))
    ax.plot(rates[~ok], np.full((~ok).sum(), CEILING), marker="x", markersize=12, linestyle="none",
            color=STYLE[method][0], clip_on=False)
ax.set_xscale("log")
ax.set_xticks(rates, [f"{r:g}" for r in rates])
ax.set_ylim(0.08, CEILING)
ax.set_title("Grid search: 3-fold CV RMSE (quadratic features, 100 iterations)")
ax.set_xlabel("learning_rate (R's alpha)")
ax.set_ylabel("cross-validated RMSE of Z")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()
#%% md
With only 100 iterations the larger learning rates win where they are stable: every method is
still converging at $\alpha = 0.01$. Momentum (MGD, AGD) and variance reduction (SVRG, SARAHPlus)
get further than plain GD with the same budget. A fit that diverged is marked with an x at the
learning rate where it did. Why there: the stable step is set by the data, and the squared and
cross terms of T and P are strongly correlated, which raises $\lambda_{\max}$ and the largest
squared row norm. Computed on the training rows, variance scaled as the estimators scale them:
#%% code
def step_bounds(inputs):
    """Condition number and the step bounds of the variance-scaled inputs (see notebook 2)."""
    scaled = gd.varianceScaling(pd.DataFrame(np.column_stack([inputs, y_train]))).scaledDataSet.to_numpy()
    X1 = np.column_stack([np.ones(len(scaled)), scaled[:, :-1]])
    lam = np.linalg.eigvalsh(X1.T @ X1 / len(X1))
    return {"condition number": lam[-1] / lam[0], "GD bound 2/lambda_max": 2 / lam[-1],
            "single-row bound 2/max|x_i|^2": 2 / np.max(np.sum(X1**2, axis=1))}


quadratic_inputs = PolynomialFeatures(degree=2, include_bias=False).fit_transform(X_train)
pd.DataFrame({"T, P": step_bounds(X_train), "quadratic features": step_bounds(quadratic_inputs)}).T
#%% md
GD, MGD and AGD are bounded by $2/\lambda_{\max}$, which 0.1 is well below. SARAHPlus's inner
steps are single-row steps, bounded by $2/\max_i\lVert x_i\rVert^2$: 0.1 is below that bound for
T and P but above it for the quadratic features, and SARAHPlus diverged there (the warning above
names the bound on the fold). SVRG, whose inner steps are single-row steps too, survived 100
iterations at 0.1: above the bound a step overshoots on the extreme rows, which makes a method
unreliable, not certain to diverge. `learning_rate="auto"` (the default) stays below the bound.
'''


def sklearn_cross_validation():
    return r'''
#%% md
## Cross-validation against scikit-learn's own models

`LinearRegression` solves least squares in closed form (the target of every method here);
scikit-learn's `SGDRegressor` is single-row SGD with a decaying learning rate, run to
convergence, after a `StandardScaler`. 5-fold cross-validation on the quadratic features:
#%% code
models = {
    "LinearRegression (closed form)": LinearRegression(),
    "sklearn SGDRegressor": make_pipeline(StandardScaler(), SklearnSGD(random_state=0)),
    "graddescent GD, 100 it.": gd.GDRegressor(learning_rate=0.1, max_iter=100, tol=None, random_state=1),
    "graddescent AGD, 100 it.": gd.AGDRegressor(learning_rate=0.1, max_iter=100, tol=None, random_state=1),
    "graddescent GD, defaults": gd.GDRegressor(random_state=1),
    "graddescent SVRG, defaults": gd.SVRGRegressor(random_state=1),
}
rows = []
for name, model in models.items():
    pipe = make_pipeline(PolynomialFeatures(degree=2, include_bias=False), model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # what each fit did: the table after the figure
        cv = cross_validate(pipe, X, y, cv=KFold(5, shuffle=True, random_state=0),
                            scoring="neg_root_mean_squared_error")
    rows.append({"model": name, "CV RMSE": -cv["test_score"].mean(), "std": cv["test_score"].std(),
                 "fit time (ms)": 1000 * cv["fit_time"].mean()})
cv_table = pd.DataFrame(rows).set_index("model")
cv_table.round(4)
#%% code
fig, ax = plt.subplots(figsize=(8, 4))
positions = np.arange(len(cv_table))
for i, (name, row) in enumerate(cv_table.iterrows()):
    ours = name.startswith("graddescent")
    ax.errorbar(row["CV RMSE"], i, xerr=row["std"], marker="o" if ours else "s", markersize=8, capsize=4,
                color="tab:blue" if ours else "tab:gray", label="graddescent" if ours else "scikit-learn")
ax.axvline(cv_table.loc["LinearRegression (closed form)", "CV RMSE"], color="black", linestyle=":",
           label="closed form (the target)")
ax.set_yticks(positions, cv_table.index)
ax.invert_yaxis()
ax.set_title("5-fold cross-validated RMSE, quadratic features of T and P")
ax.set_xlabel("RMSE of Z (mean over folds, bar: one standard deviation)")
ax.set_ylabel("model")
handles = {h.get_label(): h for h in ax.get_legend_handles_labels()[0]}
ax.legend(handles.values(), handles.keys(), loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()
#%% md
What the estimators with their defaults did (`learning_rate_`, the step `"auto"` chose;
`n_iter_`, the passes; `converged_`, whether the stopping rule was met before `max_iter`),
refitted on the training rows:
#%% code
from sklearn.base import clone

rows = {}
for name in ["graddescent GD, defaults", "graddescent SVRG, defaults"]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        pipe = make_pipeline(PolynomialFeatures(degree=2, include_bias=False), clone(models[name]))
        pipe.fit(X_train, y_train)
    fitted = pipe[-1]
    rows[name] = {"learning_rate_": fitted.learning_rate_, "n_iter_": fitted.n_iter_, "max_iter": fitted.max_iter,
                  "converged_": fitted.converged_, "warned": len(caught) > 0,
                  "test RMSE": gd.RMSE(y_test, pipe.predict(X_test))}
pd.DataFrame(rows).T
'''


def sklearn_same_numbers():
    return r'''
#%% md
With R's fixed 100 iterations at $\alpha = 0.1$, AGD reaches the closed-form RMSE and GD is still
on its way (the correlated quadratic features make the problem ill-conditioned: the condition
number in the table above). With their defaults, the step derived from the data and the stopping
rule, both estimators reach the closed-form RMSE. GD's `converged_` is `False`: its 1000 passes
(`max_iter`) ended before its loss stopped falling by `tol`, and it warned, as scikit-learn's
`SGDRegressor` would; SVRG met the rule well within them.

The estimators pass scikit-learn's estimator checks (the project's test suite runs them) and
reproduce `gradDescentR.learn` + `predict` for the same seed:
#%% code
est = gd.SARAHRegressor(learning_rate=0.1, max_iter=30, tol=None, inner_iter=10, random_state=7)  # R's settings
a = clone(est).fit(X_train, y_train).predict(X_test)
b = clone(est).fit(X_train, y_train).predict(X_test)
model = gd.gradDescentR.learn(pd.DataFrame(np.column_stack([X_train, y_train])), learningMethod="SARAH",
                              control={"maxIter": 30}, seed=7)
c = gd.predict(model, pd.DataFrame(X_test))["V1"].to_numpy()
print("same seed, same predictions:", np.array_equal(a, b), "| same as learn + predict:", np.allclose(a, c, rtol=1e-12))
'''


# ====================================================================================== 05
def coming_from_r_intro():
    return r'''
#%% md
# 5. Coming from R

`graddescent` keeps R's names, argument order and defaults, so most gradDescent code
translates line by line. This notebook puts R code (in markdown) beside the Python, shows that
the numbers are R's, and lists where the port differs from R on purpose.

**Where the R numbers come from.** The R manual's examples run on the package's own
`gradDescentRData` without a seed and print no results, so there are no published numbers to
quote. All R numbers below are read from `tests/r_goldens.json` in this repository: 652 results
computed by R 4.2.2 with gradDescent 3.0 on the CSV files in `tests/data/` (here `plant.csv`,
a 50-row table of the CO2 compressibility factor, and `tiny.csv`, one input column).
'''


def coming_from_r_setup():
    return setup(r'''
import json
from pathlib import Path

goldens = json.loads(Path("../tests/r_goldens.json").read_text())
print(goldens["source"], "|", goldens["convention"])
cases = goldens["cases"]
plant = pd.read_csv("../tests/data/plant.csv")


def golden(kind, **match):
    """The one golden case of this kind whose fields equal `match`."""
    found = [c for c in cases if c["kind"] == kind and all(c.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (kind, match, len(found))
    return found[0]


def side_by_side(r_values, py_values, index=None):
    r, p = np.asarray(r_values, float), np.asarray(py_values, float).ravel()
    return pd.DataFrame({"R": r, "graddescent": p, "relative difference": np.abs(p - r) / np.abs(r)}, index=index)
''')


def coming_from_r_examples():
    return r'''
#%% md
## Translation table

| R | Python |
| --- | --- |
| `library(gradDescent)` | `import graddescent as gd` |
| `data(gradDescentRData); gradDescentRData$CompressilbilityFactor` | `gd.datasets.load("co2_compressibility")` (rebuilt from the equation of state; `gd.datasets.read_rdata` reads R's file) |
| `read.csv("plant.csv")` | `pd.read_csv("plant.csv")` |
| `splitData(dataSet, dataTrainRate = 0.8, seed = 1)$dataTrain` | `gd.splitData(dataSet, dataTrainRate=0.8, seed=1).dataTrain` |
| `GD(dataTrain, alpha = 0.1, maxIter = 10, seed = 1)` | `gd.GD(dataTrain, alpha=0.1, maxIter=10, seed=1)` |
| `varianceScaling(dataSet)$scaledDataSet` | `gd.varianceScaling(dataSet).scaledDataSet` |
| `gradDescentR.learn(dataSet, learningMethod = "SVRG", control = list(maxIter = 60), seed = 1)` | `gd.gradDescentR.learn(dataSet, learningMethod="SVRG", control={"maxIter": 60}, seed=1)` |
| `predict(model, newdata)` | `gd.predict(model, newdata)` |
| `RMSE(outputData, prediction)` | `gd.RMSE(outputData, prediction)` |
| `set.seed(1); sample(10)` | `gd.RRandom(1).sample(10)` |

R's lists become small objects with the same field names; theta is a 1 x n array, intercept first.
Python indexes from 0, so R's `dataSet[, ncol(dataSet)]` is `dataSet.iloc[:, -1]`.

## Example 1: a learning function (R manual, `?GD`)

The manual's example is `GDmodel <- GD(splitedDataSet$dataTrain); print(GDmodel)`. With a seed,
on variance-scaled `plant.csv`:
```r
dataSet <- varianceScaling(read.csv("tests/data/plant.csv"))$scaledDataSet
GDmodel <- GD(dataSet, seed = 1)
print(GDmodel)
```
#%% code
dataSet = gd.varianceScaling(plant).scaledDataSet
GDmodel = gd.GD(dataSet, seed=1)
side_by_side(golden("method", method="GD", data="plant", scaling="variance", seed=1, params={})["theta"],
             GDmodel, index=["intercept", "Temperature", "Pressure"])
#%% md
The same holds for all 14 methods with R's defaults (and in the test suite for 480 method
results with other settings, seeds, scalings and data sets, at a relative $10^{-9}$):
#%% code
rows = {}
for method in ["GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM",
               "SVRG", "SSGD", "SARAH", "SARAHPlus"]:
    r = np.array(golden("method", method=method, data="plant", scaling="variance", seed=1, params={})["theta"])
    p = getattr(gd, method)(dataSet, seed=1).ravel()
    rows[method] = {"R theta": np.round(r, 6), "max relative difference": np.max(np.abs(p - r) / np.abs(r))}
pd.DataFrame(rows).T
#%% md
## Example 2: learn, predict, RMSE (R manual, `?gradDescentR.learn`, `?predict.gradDescentRObject`, `?RMSE`)

```r
dataSet <- read.csv("tests/data/plant.csv")
modelObject <- gradDescentR.learn(dataSet, learningMethod = "GD", control = list(maxIter = 30), seed = 1)
modelObject$model
result <- predict(modelObject, dataSet[1:5, ])
result$V1
```
#%% code
modelObject = gd.gradDescentR.learn(plant, learningMethod="GD", control={"maxIter": 30}, seed=1)
case = golden("learn", method="GD", data="plant", seed=1, featureScaling=True, scalingMethod="VARIANCE")
result = gd.predict(modelObject, plant.iloc[:5])
pd.concat({"model (theta)": side_by_side(case["model"], modelObject.model),
           "prediction of rows 1-5": side_by_side(case["prediction"], result["V1"])})
#%% md
`splitData` and `RMSE` (the RMSE case is R's `RMSE(c(1, 2, 3, 4.5), c(1.5, 1.5, 2, 5))`):
```r
splitData(read.csv("tests/data/plant.csv"), dataTrainRate = 0.8, seed = 1)$dataTest   # its row numbers
RMSE(c(1, 2, 3, 4.5), c(1.5, 1.5, 2, 5))
```
#%% code
split = gd.splitData(plant, dataTrainRate=0.8, seed=1)
print("R test rows:     ", golden("splitData", data="plant", seed=1, dataTrainRate=0.8)["test_rows"])
print("Python test rows:", list(split.dataTest.index + 1), "(1-based, as R)")
print("R RMSE:", golden("RMSE")["value"][0], "  Python:", gd.RMSE([1, 2, 3, 4.5], [1.5, 1.5, 2, 5]))
'''


def coming_from_r_differences():
    return r'''
#%% md
## Where the port differs from R

### 1. Every method is reproducible with a seed

R's learning functions call `set.seed(seed)` before their up-front draws (the shuffle, the row
lists) and `set.seed(NULL)` right after them. `set.seed(NULL)` re-seeds from the clock, so any
draw that comes later is not reproducible: SAGD's coin flip at every step, and the choice of the
kept inner iterate in SVRG (option 2) and SARAH (`sample(innerIter, 1)` at each outer iteration).
In R, `SARAH(data, seed = 1)` twice gives two different models. (SSGD draws its loop lengths and
rows inside the loop too; in R they follow the initial theta, whose `getTheta(seed)` re-seeds, so
R does not lose them to the clock.) The port treats those `set.seed(NULL)` calls as no-ops: every
draw of every method continues the one stream that `seed` started, so the same seed always gives
the same model, and where R is reproducible the numbers are R's. (The goldens for SAGD, SVRG and
SARAH were computed in R under the same convention, `set.seed(NULL)` made a no-op.)
#%% code
for method in ["SAGD", "SVRG", "SSGD", "SARAH"]:
    first = getattr(gd, method)(dataSet, maxIter=20, seed=42)
    second = getattr(gd, method)(dataSet, maxIter=20, seed=42)
    other = getattr(gd, method)(dataSet, maxIter=20, seed=43)
    print(f"{method:6s} seed 42 twice identical: {np.array_equal(first, second)};"
          f"  seed 43 differs: {not np.array_equal(first, other)}")
#%% md
### 2. One input column: R's `predict` fails, the port predicts

R's `predict` takes the inputs with `newdata[, 1:ncol(newdata) - 1]`. With one input column (plus
the output) that selects a single column, and R's `[` drops it to a plain vector; the scaling
code then asks for its columns and fails. (The goldens record these cases as `null`.) On
`tiny.csv` (columns `x`, `y`):
```r
dataSet <- read.csv("tests/data/tiny.csv")
model <- gradDescentR.learn(dataSet, learningMethod = "GD", seed = 1)
predict(model, dataSet)     # error: R cannot predict from one input column
```
#%% code
tiny = pd.read_csv("../tests/data/tiny.csv")
case = golden("learn", method="GD", data="tiny", seed=1, featureScaling=True, scalingMethod="VARIANCE")
model = gd.gradDescentR.learn(tiny, learningMethod="GD", control=case["control"], seed=1)
print("R model:", case["model"], " Python model:", model.model.ravel())
print("R prediction:", case["prediction"])
gd.predict(model, tiny.iloc[:5])
#%% md
### 3. A mini-batch of one row

R's MBGD takes the batch as `dataTrain[temp:temp2, ]`; a one-row batch drops to a vector and the
next line, `batch[, 1:ncol(batch) - 1]`, fails ("incorrect number of dimensions"). So
`MBGD(data, nBatch = nrow(data))` fails in R. In the port it is SGD over the shuffled rows in order:
#%% code
theta = gd.MBGD(dataSet, nBatch=len(dataSet), maxIter=len(dataSet), seed=1)
print("MBGD with one-row batches:", theta.ravel())

values = dataSet.to_numpy()[gd.RRandom(1).sample(len(dataSet)) - 1]   # R's shuffle
X, y = np.column_stack([np.ones(len(values)), values[:, :2]]), values[:, 2]
by_hand = gd.RRandom(1).runif(3)                                      # R's initial theta
for i in range(len(values)):
    by_hand = by_hand - 0.1 * (X[i] @ by_hand - y[i]) * X[i]
print("SGD over the shuffled rows:", by_hand)
#%% md
### 4. SARAH with `innerIter = 1`

R's SARAH loops `for (innerIteration in 1:(innerIter - 1))`. With `innerIter = 1` that is
`1:0`, which R counts **down** (1, then 0) instead of skipping; at index 0 the selected row is
empty and the assignment `gradient[, column] <- ...` fails ("replacement has length zero").
In the port the inner loop is empty, as intended: each outer iteration keeps $\theta$ itself
(R's list holds only $\theta$), so nothing changes:
#%% code
theta0 = gd.RRandom(1).runif(3)          # the initial theta, as every method draws it
print("initial theta:        ", theta0)
print("SARAH, innerIter = 1: ", gd.SARAH(dataSet, innerIter=1, seed=1).ravel())
print("SARAH, innerIter = 2: ", gd.SARAH(dataSet, innerIter=2, seed=1).ravel())
#%% md
### 5. Clear errors, and a warning when a fit diverges

Bad input raises a `ValueError` that names the argument and the fix, before any work (R fails
later, or returns NaN). A diverging fit returns R's numbers and warns once with the remedy
(see [notebook 2](02_feature_scaling.ipynb)).
#%% code
for call in [lambda: gd.GD(dataSet, alpha=-1),
             lambda: gd.gradDescentR.learn(plant, learningMethod="Adam"),
             lambda: gd.SVRG(dataSet, option=3)]:
    try:
        call()
    except ValueError as error:
        print("ValueError:", error)
#%% md
### 6. R's peculiarities are kept

The port reproduces R's arithmetic even where it departs from the textbook: scalar
accumulators shared by all columns in ADAGRAD, ADADELTA, RMSPROP and ADAM; Adam's constant bias
correction; AGD keeping the look-ahead point; SVRG option 1 returning the second-to-last
iterate; SSGD's sign; SARAHPlus comparing only the intercept's gradient. The rules are written
out in [notebook 3](03_fourteen_methods.ipynb). Beyond R: `return_loss=True` on every method
(`model.loss` after `learn`), scikit-learn estimators ([notebook 4](04_scikit_learn.ipynb)) and the
`graddescent` command line ([notebook 1](01_getting_started.ipynb)).
'''



# ====================================================================================== 06
def large_data_intro():
    return r'''
#%% md
# 6. Large data: the same fit in memory and on a Dask cluster

Every learning function, `gradDescentR.learn` and the estimators accept data held by Dask (a
`dask.array` of rows x columns, or a `dask.dataframe`) wherever they accept a DataFrame. The data
stay in pieces of rows where they are, on the workers of a cluster or in this machine's
processes; nothing gathers them into one process. The result is **the number the same data give
in memory, to the last bit**, whatever the pieces and however many workers: this notebook shows
it on 200,000 rows, small enough to run in seconds and to fit in memory for the comparison, and
shows why it holds (the package's module `graddescent.chunked` says how it works).

It needs Dask's array and dataframe parts and `distributed`, the package's extra `dask`
(`pip install ".[dask]"` in a clone of the repository). Everything it writes goes to a temporary
folder that it removes at the end.
'''


def large_data_setup():
    return setup(r'''
import math
import tempfile
from fractions import Fraction
from pathlib import Path

import dask.array as da
import dask.dataframe as dd
import distributed
from sklearn.exceptions import ConvergenceWarning

started = time.perf_counter()
scratch = tempfile.TemporaryDirectory(prefix="graddescent-dask-")
folder = Path(scratch.name)
''')


def large_data_data():
    return r'''
#%% md
## The data

A regression table of 200,000 rows made with numpy's generator (seeded): five inputs on different
scales, two of them correlated, and an output that is a linear function of them plus noise. In
memory it is a pandas DataFrame; the same rows are also written to a CSV file in the temporary
folder, to be read by Dask as a file too large for memory would be.
#%% code
rng = np.random.default_rng(2026)
m = 200_000
inputs = rng.normal(size=(m, 5)) * [1.0, 3.0, 10.0, 0.5, 2.0] + [0.0, 5.0, -2.0, 1.0, 0.0]
inputs[:, 1] += 2.4 * inputs[:, 0]                       # x2 correlated with x1
output = 1.5 + inputs @ [2.0, -1.0, 0.3, 4.0, 0.0] + rng.normal(scale=0.5, size=m)
table = pd.DataFrame(np.column_stack([inputs, output]), columns=["x1", "x2", "x3", "x4", "x5", "y"])
table.to_csv(folder / "table.csv", index=False)
print(f"{table.shape[0]} rows x {table.shape[1]} columns, {table.memory_usage().sum() / 1e6:.1f} MB in memory; "
      f"table.csv {(folder / 'table.csv').stat().st_size / 1e6:.1f} MB")
table.head(3)
'''


def large_data_cluster():
    return r'''
#%% md
## A cluster

A `distributed.LocalCluster` of two worker processes on this machine stands for a real cluster:
with a `Client` connected, Dask runs the work there (on a real cluster, `Client("scheduler-address")`
instead; nothing else changes).
#%% code
cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=40)  # (its dashboard on a free port)
client = distributed.Client(cluster)
print(f"{len(client.scheduler_info()['workers'])} workers, started in {time.perf_counter() - started:.1f} s "
      "since the notebook began")
'''


def large_data_same_fit():
    return r'''
#%% md
## The same fit, bit for bit

One method of each family (GD: full gradients; SGD: one row per step; SVRG: full gradients and
single-row inner steps), with the step derived from the data (`alpha="auto"`) and a stopping rule
(`tol`), fitted to the variance-scaled table in memory, then to the same rows held by the
cluster in three chunkings: four even pieces, two uneven ones, and ten pieces of 20,001 rows (the
last one shorter). `client.persist` puts the pieces in the workers' memory before the fit. SVRG's
inner loop is a pass over the rows (`innerIter = m`; R's 10 is meant for small tables). The last
column says how far each fit ends from the least-squares optimum:
#%% code
data = gd.varianceScaling(table).scaledDataSet
values = data.to_numpy()
CHUNKINGS = {"4 x 50,000 rows": 50_000, "120,000 + 80,000 rows": (120_000, 80_000), "pieces of 20,001 rows": 20_001}
SETTINGS = {"GD": dict(alpha="auto", maxIter=500, tol=1e-8),
            "SGD": dict(alpha="auto", maxIter=2 * m, tol=1e-6),
            "SVRG": dict(alpha="auto", maxIter=10, innerIter=m, tol=1e-8)}
X1 = np.column_stack([np.ones(m), values[:, :-1]])
best = np.mean((X1 @ np.linalg.lstsq(X1, values[:, -1], rcond=None)[0] - values[:, -1]) ** 2)

rows = []
for method, settings in SETTINGS.items():
    fit = getattr(gd, method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        theta_memory, loss_memory = fit(data, seed=1, return_loss=True, **settings)
        memory_seconds = time.perf_counter() - start
        for name, chunks in CHUNKINGS.items():
            held = client.persist(da.from_array(values, chunks=(chunks, -1)))
            start = time.perf_counter()
            theta_cluster, loss_cluster = fit(held, seed=1, return_loss=True, **settings)
            rows.append({"method": method, "pieces": name, "number of pieces": held.numblocks[0],
                         "theta_memory.tobytes() == theta_cluster.tobytes()":
                             theta_memory.tobytes() == theta_cluster.tobytes(),
                         "loss curves bit for bit": loss_memory.tobytes() == loss_cluster.tobytes(),
                         "in memory (s)": memory_seconds, "on the cluster (s)": time.perf_counter() - start,
                         "(MSE - least-squares MSE) / least-squares MSE":
                             np.mean((X1 @ theta_memory.ravel() - values[:, -1]) ** 2) / best - 1})
    print(f"{method:4s} theta: {np.array2string(theta_memory.ravel(), precision=6)}")
same = pd.DataFrame(rows).set_index(["method", "pieces"])
formats = {"in memory (s)": "{:.2f}", "on the cluster (s)": "{:.2f}",
           "(MSE - least-squares MSE) / least-squares MSE": "{:.1e}"}
same.apply(lambda column: column.map(formats[column.name].format) if column.name in formats else column)
'''


def large_data_learn_csv():
    return r'''
#%% md
## learn on a CSV file read by Dask

`dask.dataframe.read_csv` reads the file in blocks (here of 2 MB, so several pieces); the workers
parse them. `gradDescentR.learn` scales every column on the cluster (R's mean and standard
deviation, whose sums run through the pieces in order, as R's run through the rows) and fits; the
model is the one `learn` makes from `pandas.read_csv` of the same file:
#%% code
frame = client.persist(dd.read_csv(folder / "table.csv", blocksize=2_000_000))
control = {"alpha": "auto", "maxIter": 500}
model_cluster = gd.gradDescentR.learn(frame, learningMethod="GD", control=control, seed=1, tol=1e-8)
model_memory = gd.gradDescentR.learn(pd.read_csv(folder / "table.csv"), learningMethod="GD", control=control,
                                     seed=1, tol=1e-8)
print(f"{frame.npartitions} pieces; converged {model_cluster.converged} after {model_cluster.n_iter} iterations")
print("model bit for bit:", model_memory.model.tobytes() == model_cluster.model.tobytes())
print("scaling parameters bit for bit:",
      model_memory.scalingParameter.tobytes() == model_cluster.scalingParameter.tobytes())
'''


def large_data_estimator():
    return r'''
#%% md
## An estimator on Dask input

The estimators take X and y held by Dask (a Dask DataFrame and Series, or arrays), scale them a
piece at a time and fit; `predict` of Dask input returns a lazy Dask array, computed on the
cluster when asked:
#%% code
X_held, y_held = frame[["x1", "x2", "x3", "x4", "x5"]], frame["y"]
estimator_cluster = gd.SVRGRegressor(random_state=1).fit(X_held, y_held)
estimator_memory = gd.SVRGRegressor(random_state=1).fit(table.iloc[:, :5], table["y"])
predicted = estimator_cluster.predict(X_held)
print("predict gives", type(predicted).__name__, "of", predicted.numblocks[0], "pieces (lazy)")
print(f"passes {estimator_cluster.n_iter_}, learning_rate_ {estimator_cluster.learning_rate_:.4g}, "
      f"converged_ {estimator_cluster.converged_}")
print("coef_ bit for bit:", estimator_memory.coef_.tobytes() == estimator_cluster.coef_.tobytes(),
      "| intercept_:", estimator_memory.intercept_ == estimator_cluster.intercept_)
print("predictions bit for bit:",
      predicted.compute().tobytes() == estimator_memory.predict(table.iloc[:, :5]).tobytes())
'''


def large_data_why():
    return r'''
#%% md
## Why the numbers do not depend on the pieces

A floating-point sum rounds after every addition, so its value depends on the order of its terms:
#%% code
print("(0.1 + 0.2) + 0.3 =", (0.1 + 0.2) + 0.3, "   0.1 + (0.2 + 0.3) =", 0.1 + (0.2 + 0.3))
#%% md
A full gradient is a sum over the rows. Summed in a different order, or piece by piece with each
piece's sum added to the others, it can come out differently in its last bits, and a fit that
takes such sums can drift apart over its iterations. Here the gradient's first component at the
fits' starting point, $\sum_i e_i$ with $e_i = x_i^\top\theta - y_i$, summed in row order, by numpy
(pairwise), and by numpy per piece for the chunkings above:
#%% code
theta0 = gd.RRandom(1).runif(values.shape[1])
residuals = np.column_stack([np.ones(m), values[:, :-1]]) @ theta0 - values[:, -1]


def by_pieces(terms, chunks):
    """Each piece's float sum, then the sum of those: what a plain map-reduce computes."""
    return sum(float(np.sum(piece)) for piece in np.split(terms, np.cumsum(chunks)[:-1]))


pieces_of = {"4 x 50,000 rows": [50_000] * 4, "120,000 + 80,000 rows": [120_000, 80_000],
             "pieces of 20,001 rows": [20_001] * 9 + [m - 9 * 20_001]}
print(f"{'in row order':22s} float sum: {sum(residuals.tolist())!r}")
print(f"{'numpy, all rows':22s} float sum: {float(np.sum(residuals))!r}")
for name, chunks in pieces_of.items():
    print(f"{name:22s} float sums: {by_pieces(residuals, chunks)!r}")
#%% md
The package does not add floats. Each piece's sum is **exact**: its terms are added as integers
(192-bit words) on grids chosen for the whole data set, and exact sums add up to the same total in
any order and any grouping; the total is rounded to a float at the end. The same idea with
Python's exact fractions (slower, but plain to read): each piece's exact sum, added, rounded once,
gives one answer for every chunking, the correctly rounded sum (which `math.fsum` also computes):
#%% code
for name, chunks in pieces_of.items():
    exact = sum(sum(map(Fraction, piece.tolist())) for piece in np.split(residuals, np.cumsum(chunks)[:-1]))
    print(f"{name:22s} exact sums, rounded once: {float(exact)!r}")
print(f"{'math.fsum':22s} {math.fsum(residuals)!r}")
#%% md
The rest follows from it: with every sum over all rows the same, every step is the same, and so
is theta. The other work is exact too: the sums that must follow the order of the rows (R's mean
and standard deviation in `learn`, kept for R's numbers) run through the pieces one after the
other, each continuing the one before, as they would run through the rows in memory; and the rows
the single-row methods draw come from R's random stream, which does not depend on the data, so they
are fetched from the pieces that hold them, a stretch at a time, and the compiled loops run on them
as on data in memory.
'''


def large_data_command_line():
    return r'''
#%% md
## The command line

`graddescent fit` reads a CSV file into memory, or with `--dask` on a cluster of processes it
starts, or with `--scheduler ADDRESS` on an existing cluster (whose workers read the file at the
same path: here the file's full path, since a worker's working folder is not this one) a block at
a time; `--persist` keeps the numbers read in the workers' memory between passes. The same fit
both ways, each writing its model file:
#%% code
import subprocess
import sys


def graddescent(args):
    """Run `graddescent ARGS` (as `python -m graddescent`) in the temporary folder."""
    print("$ graddescent " + " ".join(args))
    done = subprocess.run([sys.executable, "-m", "graddescent", *args], capture_output=True, text=True, cwd=folder)
    print(done.stdout + done.stderr)


fit = ["fit", str(folder / "table.csv"), "--method", "GD", "--alpha", "auto", "--max-iter", "500", "--tol", "1e-8",
       "--seed", "1", "--quiet"]
graddescent(fit + ["--model-out", "memory.json"])
graddescent(fit + ["--scheduler", client.scheduler.address, "--persist", "--model-out", "cluster.json"])
print("the two model files byte for byte the same:",
      (folder / "memory.json").read_bytes() == (folder / "cluster.json").read_bytes())
'''


def large_data_close():
    return r'''
#%% md
## Closing the cluster

Close the client and the cluster (their worker processes end), and remove the temporary folder:
#%% code
client.close()
cluster.close()
print("files written:", sorted(p.name for p in folder.iterdir()))
scratch.cleanup()
print(f"the notebook ran in {time.perf_counter() - started:.1f} s")
'''


# ====================================================================================== the notebooks
NOTEBOOKS = {
    "01_getting_started.ipynb": [
        getting_started_intro, setup, getting_started_data, getting_started_functional, getting_started_stopping,
        getting_started_estimator, getting_started_command_line,
    ],
    "02_feature_scaling.ipynb": [
        scaling_intro, scaling_setup, scaling_raw_data, scaling_step_limit, scaling_step_limit_checked,
        scaling_learning_rate, scaling_single_row_limit, scaling_variance_or_minmax, scaling_paths,
        scaling_learning_rate_paths, scaling_summary,
    ],
    "03_fourteen_methods.ipynb": [
        methods_intro, methods_setup, methods_rules, methods_by_hand, methods_paths, methods_all_fourteen,
        methods_fixed_step_limits, methods_stopping_rule, methods_published_rules, methods_published_losses,
        methods_published_steps, methods_published_paths, methods_summary,
    ],
    "04_scikit_learn.ipynb": [
        sklearn_intro, sklearn_setup, sklearn_pipeline, sklearn_grid_search, sklearn_cross_validation,
        sklearn_same_numbers,
    ],
    "05_coming_from_r.ipynb": [
        coming_from_r_intro, coming_from_r_setup, coming_from_r_examples, coming_from_r_differences,
    ],
    "06_large_data.ipynb": [
        large_data_intro, large_data_setup, large_data_data, large_data_cluster, large_data_same_fit,
        large_data_learn_csv, large_data_estimator, large_data_why, large_data_command_line, large_data_close,
    ],
}


def parse(source):
    """Cells from a source: ``#%% md`` / ``#%% code`` lines start cells."""
    cells, kind, lines = [], None, []

    def flush():
        text = "\n".join(lines).strip("\n")
        if kind is not None and text.strip():
            make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
            cells.append(make(text))

    for line in source.splitlines():
        if line.startswith("#%% "):
            flush()
            kind, lines = line[4:].strip(), []
        else:
            lines.append(line)
    flush()
    return cells


def notebook(sections):
    """A notebook from its sections (functions returning cell sources), in order."""
    nb = nbformat.v4.new_notebook()
    nb.cells = parse("\n".join(section() for section in sections))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def execute(nb, workdir, timeout=TIMEOUT):
    """Execute nb in place with cwd ``workdir/vignettes`` beside a link to the repository's tests."""
    workdir = Path(workdir)
    (workdir / "vignettes").mkdir(parents=True, exist_ok=True)
    if not (workdir / "tests").exists():
        (workdir / "tests").symlink_to(ROOT / "tests", target_is_directory=True)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir / "vignettes")}}).execute()
    return nb


def left_behind(workdir):
    """The files a run left in its scratch folder (beside the link to tests/, and in vignettes/)."""
    workdir = Path(workdir)
    return sorted([p.name for p in workdir.iterdir() if p.name not in ("tests", "vignettes")]
                  + [str(p.relative_to(workdir)) for p in (workdir / "vignettes").rglob("*")])


def main(prefixes):
    for name, sections in NOTEBOOKS.items():
        if prefixes and not any(name.startswith(p) for p in prefixes):
            continue
        nb = notebook(sections)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            execute(nb, tmp)
            seconds = time.perf_counter() - start
            left = left_behind(tmp)
        for cell in nb.cells:  # keep the stored notebooks free of run-specific metadata
            cell.metadata.pop("execution", None)
        nbformat.write(nb, HERE / name)
        print(f"{name}: executed in {seconds:.1f} s" + (f"; left files behind: {left}" if left else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
