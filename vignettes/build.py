"""Write the vignettes from the sources below and execute them (stored with their outputs).

    python vignettes/build.py            # all notebooks
    python vignettes/build.py 03 05      # only those whose names start so

Each notebook is written with nbformat and executed with nbclient on the ``python3``
kernel in a scratch copy of the repository layout (``vignettes/`` next to ``tests/``, so
that the notebooks can read ``../tests/r_goldens.json`` and ``../tests/data``); files the
notebooks write (the command-line examples) stay in the scratch folder.

A source is a list of cells: a line ``#%% md`` starts a markdown cell, ``#%% code`` a code
cell. A code cell that draws a figure ends with ``plt.show()`` (the test checks that each
such cell produced an image).
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
"""

NOTEBOOKS = {}

# ======================================================================================
NOTEBOOKS["01_getting_started.ipynb"] = r'''
#%% md
# 1. Getting started

`graddescent` fits a linear model $\hat y = \theta_0 + \theta_1 x_1 + \dots + \theta_{n-1} x_{n-1}$
by gradient descent. It is a port of the R package **gradDescent 3.0**: the same 14 learning
methods, names and defaults, and the same numbers for the same seed. This notebook shows the
three ways to use it on the bundled CO2 data:

1. the functional API, as in R (`splitData`, `gradDescentR.learn`, `predict`, `RMSE`);
2. a scikit-learn estimator;
3. the `graddescent` command line.
#%% code
''' + SETUP + r'''
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
`learningMethod`, `model`, `control`) and, beyond R, the training loss as the fit went
(`model.loss`, here the mean squared error at the start of each outer iteration, in scaled units).
#%% code
fig, ax = plt.subplots()
ax.plot(np.arange(1, len(model.loss) + 1), model.loss, label="SARAHPlus, alpha = 0.05")
ax.set_yscale("log")
ax.set_title("Training loss of SARAHPlus on the CO2 data")
ax.set_xlabel("outer iteration")
ax.set_ylabel("training MSE (scaled units)")
ax.legend()
plt.show()
#%% md
A straight line in temperature and pressure cannot follow $Z$ closely (it is curved in both),
so the RMSE stays near 0.15 whatever the method: the methods differ in how fast they get there,
not in where "there" is. The closed-form least-squares fit is the best any of them can do:
#%% code
X = np.column_stack([np.ones(len(split.dataTrain)), split.dataTrain.iloc[:, :2]])
beta, *_ = np.linalg.lstsq(X, split.dataTrain.iloc[:, 2], rcond=None)
Xt = np.column_stack([np.ones(len(split.dataTest)), split.dataTest.iloc[:, :2]])
print(f"least-squares test RMSE: {gd.RMSE(split.dataTest.iloc[:, 2], Xt @ beta):.6f}")
#%% md
## 2. A scikit-learn estimator

Each method is also an estimator (`GDRegressor`, ..., `SARAHPlusRegressor`, and
`GradDescentRegressor(method=...)`) with scikit-learn's conventions: the step is
`learning_rate` (by default `"auto"`, derived from the data), `max_iter` counts passes over the
data, and a stopping rule (`tol`, `n_iter_no_change`) ends the fit, so that the defaults
converge. `scaling="variance"` scales as `learn` does and `random_state` is R's seed. With R's
settings (`learning_rate=0.05`, `max_iter=100`, `tol=None`, R's `inner_iter=10`) it gives the
same predictions as `learn` + `predict`; its coefficients are in original units.
#%% code
X_train, y_train = split.dataTrain.iloc[:, :2], split.dataTrain.iloc[:, 2]
X_test, y_test = split.dataTest.iloc[:, :2], split.dataTest.iloc[:, 2]

est = gd.SARAHPlusRegressor(learning_rate=0.05, max_iter=100, tol=None, inner_iter=10,
                            random_state=1).fit(X_train, y_train)
print("coef_ (original units):", est.coef_, " intercept_:", est.intercept_)
print(f"test RMSE: {gd.RMSE(y_test, est.predict(X_test)):.6f}")
print("same predictions as learn + predict:", np.allclose(est.predict(X_test), pred["V1"], rtol=1e-12))
converged = gd.SARAHPlusRegressor(random_state=1).fit(X_train, y_train)  # the defaults: to convergence
print(f"with its defaults: {converged.n_iter_} passes, converged: {converged.converged_}, "
      f"test RMSE {gd.RMSE(y_test, converged.predict(X_test)):.6f}")
#%% md
## 3. The command line

The `graddescent` command does the same on CSV files, with no Python to write
(`graddescent COMMAND --help` lists the options). Here it is run from Python with a small helper;
in a terminal type the line after `$`.
#%% code
import subprocess
import sys


def graddescent(args):
    """Run `graddescent ARGS` (as `python -m graddescent`, the same program) and show its output."""
    print("$ graddescent " + args)
    done = subprocess.run([sys.executable, "-m", "graddescent", *args.split()],
                          capture_output=True, text=True)
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
print(pd.read_csv("predictions.csv").head(3))
#%% code
graddescent("compare co2.csv --test-rate 0.2 --quiet")
#%% md
Next: [why feature scaling matters](02_feature_scaling.ipynb),
[the fourteen methods](03_fourteen_methods.ipynb),
[scikit-learn workflows](04_scikit_learn.ipynb), [coming from R](05_coming_from_r.ipynb).
'''

# ======================================================================================
NOTEBOOKS["02_feature_scaling.ipynb"] = r'''
#%% md
# 2. Why feature scaling matters

Gradient descent on raw data often **diverges**: the coefficients grow without bound. This
notebook shows it happening (in R too), explains why with one number, the largest eigenvalue
of $X^\top X/m$, and compares the two scalings of the package: variance (z-score) and min-max.
#%% code
''' + SETUP + r'''
import json
from pathlib import Path
from sklearn.exceptions import ConvergenceWarning
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
#%% md
Every iteration multiplies the residuals by about $10^5$ (the MSE by about $10^{10}$): after 10
steps the coefficients are around $10^{46}$ to $10^{49}$. The package returns these numbers (they are R's) and warns
once, with the remedy.

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
#%% md
## Why: the step size limit

The methods minimise the mean squared error; their gradient is $g(\theta) = X^\top(X\theta - y)/m$
with $X = [1 \mid \text{inputs}]$. A GD step $\theta \leftarrow \theta - \alpha g(\theta)$ multiplies
the error along each eigenvector of $H = X^\top X/m$ by $1 - \alpha\lambda$, so GD converges only
if $\alpha < 2/\lambda_{\max}(H)$, and it is slow along directions with small $\lambda$: the
number of iterations grows with the condition number $\kappa = \lambda_{\max}/\lambda_{\min}$.
#%% code
def hessian_eigenvalues(frame):
    X = np.column_stack([np.ones(len(frame)), frame.iloc[:, :-1].to_numpy()])
    return np.linalg.eigvalsh(X.T @ X / len(frame))


variance = gd.varianceScaling(co2)
minmax = gd.minmaxScaling(co2)
rows = {}
for name, frame in [("raw", co2), ("variance scaling", variance.scaledDataSet),
                    ("min-max scaling", minmax.scaledDataSet)]:
    lam = hessian_eigenvalues(frame)
    rows[name] = {"lambda_max": lam[-1], "largest stable alpha (2/lambda_max)": 2 / lam[-1],
                  "condition number": lam[-1] / lam[0]}
pd.DataFrame(rows).T
#%% md
On raw data the largest stable learning rate is about $2\times10^{-6}$, and even then the
condition number (about $10^7$) would make the intercept crawl. Both scalings bring
$\lambda_{\max}$ near 1, so R's default $\alpha = 0.1$ is stable. Variance scaling centres
the columns, which decouples the intercept from the slopes; on this grid temperature and
pressure are also uncorrelated, so $H$ is almost the identity (condition number 1). Min-max
scaling leaves the columns in $[0, 1]$ but not centred: condition number about 23.

`gradDescentR.learn` scales every column, the output included, and `predict` undoes it.
## Variance vs min-max scaling

200 GD iterations with $\alpha = 0.1$ under each scaling. The losses are converted to the
original units of $Z$ (multiplying by the output's scale squared) so the two are comparable; the
dashed line is the least-squares optimum, the best a linear model can do.
#%% code
X = np.column_stack([np.ones(len(co2)), co2.iloc[:, :2]])
y = co2.iloc[:, 2].to_numpy()
beta, *_ = np.linalg.lstsq(X, y, rcond=None)
best_mse = np.mean((X @ beta - y) ** 2)

fig, ax = plt.subplots()
for method in ["VARIANCE", "MINMAX"]:
    model = gd.gradDescentR.learn(co2, scalingMethod=method, learningMethod="GD",
                                  control={"maxIter": 200, "alpha": 0.1}, seed=1)
    out_scale = model.scalingParameter[1, -1]
    rmse = gd.RMSE(co2.iloc[:, -1], gd.predict(model, co2)["V1"])
    ax.plot(np.arange(1, 201), model.loss * out_scale**2, label=f"{method.lower()} (final RMSE {rmse:.4f})")
ax.axhline(best_mse, color="k", ls="--", label="least squares (closed form)")
ax.set_yscale("log")
ax.set_title("GD on the CO2 data: variance vs min-max scaling (alpha = 0.1)")
ax.set_xlabel("iteration")
ax.set_ylabel("training MSE (original units of Z)")
ax.legend()
plt.show()
#%% md
Variance scaling reaches the optimum in a few dozen iterations; min-max scaling, with its
larger condition number, is still on its way after 200. (Min-max scaling keeps values in
$[0, 1]$, useful when a bounded range matters; for gradient descent, centring is what helps.)

## The learning rate

On variance-scaled data, GD converges for $\alpha < 2/\lambda_{\max}$ (2 here, since $H \approx I$)
and diverges above it. Small rates are safe but slow; here $\alpha = 1$ (that is $1/\lambda$) reaches the
optimum in one step, and rates between 1 and 2 overshoot and oscillate while still converging.
#%% code
scaled = variance.scaledDataSet
limit = 2 / hessian_eigenvalues(scaled)[-1]
fig, ax = plt.subplots()
for alpha in [0.01, 0.1, 0.5, 1.0, 1.9, round(1.05 * limit, 3)]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        _, loss = gd.GD(scaled, alpha=alpha, maxIter=60, seed=1, return_loss=True)
    ax.plot(np.arange(1, 61), loss, label=f"alpha = {alpha}" + (" (> 2/lambda_max)" if alpha > limit else ""))
ax.set_yscale("log")
ax.set_title(f"GD on variance-scaled CO2 data: the learning rate (2/lambda_max = {limit:.3f})")
ax.set_xlabel("iteration")
ax.set_ylabel("training MSE (scaled units)")
ax.legend()
plt.show()
#%% md
**Summary.** Scale the data (the default of `gradDescentR.learn` and of the estimators);
prefer variance scaling for gradient descent; pick $\alpha$ below $2/\lambda_{\max}(X^\top X/m)$,
which is 1 to 2 for variance-scaled data. The package warns when a fit diverges.
'''

# ======================================================================================
NOTEBOOKS["03_fourteen_methods.ipynb"] = r'''
#%% md
# 3. The fourteen methods

This notebook states the update rule of each method **exactly as the package (and R's
gradDescent 3.0) computes it**, including R's departures from the textbook versions, then runs
all of them on the same data.
#%% code
''' + SETUP + r'''
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
#%% md
## All fourteen on the same data

The CO2 data, split 80/20 with `splitData(seed=1)`, variance-scaled by `gradDescentR.learn`,
seed 1 for every method, $\alpha = 0.05$. An "iteration" costs very different amounts of work
across the families, so each method gets about the same budget of **row gradients**: 50 passes
over the training rows for full-batch and variance-reduced methods, and as many single-row
steps ($50\,m$) for the single-row methods.
#%% code
co2 = gd.datasets.load("co2_compressibility")
split = gd.splitData(co2, dataTrainRate=0.8, seed=1)
train, test = split.dataTrain, split.dataTest
m = len(train)
FULL = ["GD", "MBGD", "MGD", "AGD"]
ROW = ["SGD", "SAGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM"]
VR = ["SVRG", "SSGD", "SARAH", "SARAHPlus"]


def control(method, passes):
    """maxIter giving about `passes` passes over the training rows."""
    if method == "ADADELTA":                                   # no learning rate
        return {"maxIter": int(passes * m)}
    if method in ROW:
        return {"alpha": 0.05, "maxIter": int(passes * m)}
    if method == "MBGD":
        return {"alpha": 0.05, "maxIter": int(passes * 2)}     # nBatch 2: half the rows per iteration
    return {"alpha": 0.05, "maxIter": max(1, int(passes))}     # VR: m rows + about 2 innerIter per iteration


results, fits = [], {}
for method in FULL + ROW + VR:
    gd.gradDescentR.learn(train, learningMethod=method, control=control(method, 1), seed=1)  # warm-up
    start = time.perf_counter()
    model = gd.gradDescentR.learn(train, learningMethod=method, control=control(method, 50), seed=1)
    seconds = time.perf_counter() - start
    fits[method] = model
    results.append({"method": method, "maxIter": model.control["maxIter"],
                    "train RMSE": gd.RMSE(train.iloc[:, -1], gd.predict(model, train)["V1"]),
                    "test RMSE": gd.RMSE(test.iloc[:, -1], gd.predict(model, test)["V1"]),
                    "time (ms)": 1000 * seconds})

X = np.column_stack([np.ones(m), train.iloc[:, :2]])
beta, *_ = np.linalg.lstsq(X, train.iloc[:, 2], rcond=None)
Xt = np.column_stack([np.ones(len(test)), test.iloc[:, :2]])
results.append({"method": "least squares (closed form)", "maxIter": np.nan,
                "train RMSE": gd.RMSE(train.iloc[:, 2], X @ beta),
                "test RMSE": gd.RMSE(test.iloc[:, 2], Xt @ beta), "time (ms)": np.nan})
table = pd.DataFrame(results).set_index("method")
table["maxIter"] = table["maxIter"].astype("Int64")
table.round({"train RMSE": 6, "test RMSE": 6, "time (ms)": 2})
#%% md
Loss curves: how far above the least-squares optimum $\text{MSE}^*$ the training MSE (scaled
units) of each method is after a given number of row gradients, computed by refitting with growing
`maxIter` (each fit starts from the same seed, so a point is what a user gets by stopping there).
The closed-form solution is the target: reaching the black line at the bottom means reaching it
to within $10^{-10}$.
#%% code
scaled_train = gd.varianceScaling(train).scaledDataSet
Xs = np.column_stack([np.ones(m), scaled_train.iloc[:, :2]])
ys = scaled_train.iloc[:, 2].to_numpy()
best = np.mean((Xs @ np.linalg.lstsq(Xs, ys, rcond=None)[0] - ys) ** 2)
passes = np.unique(np.geomspace(0.02, 50, 25).round(2))

fig, ax = plt.subplots(figsize=(9, 5.5))
styles = {}
for family, line in [(FULL, "-"), (ROW, ":"), (VR, "--")]:
    for k, method in enumerate(family):
        styles[method] = {"ls": line, "color": plt.cm.tab10(k), "lw": 2 if line == ":" else 1.5}
for method in FULL + ROW + VR:
    xs, mses = [], []
    for p in passes:
        c = control(method, p)
        if method not in ROW and p < 1:
            continue
        theta = getattr(gd, method)(scaled_train, seed=1, **c).ravel()
        xs.append(p)
        mses.append(max(np.mean((Xs @ theta - ys) ** 2) - best, 1e-10))
    ax.plot(xs, mses, marker=".", label=method, **styles[method])
ax.axhline(1e-10, color="k", lw=3, label="least squares (closed form)")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_title("All 14 methods on the CO2 data (variance scaled, alpha = 0.05, seed 1)")
ax.set_xlabel("passes over the training rows (row gradients / m)")
ax.set_ylabel("training MSE - least-squares MSE (scaled units)")
ax.legend(ncol=3, fontsize=8, loc="lower left")
plt.show()
#%% md
What to notice:

- **Full batch** (solid): GD and MBGD descend steadily; momentum (MGD, AGD) gets further in
  the same work but overshoots and oscillates on the way.
- **Single row** (dotted): far more steps for the same work, but noisy; a fixed $\alpha$ leaves them
  hovering above the optimum. ADAGRAD's shared accumulator $G$ only grows, so its steps shrink
  steadily; ADADELTA has no learning rate and its steps are scaled by $r_u$, which starts at 0.
- **Variance reduced** (dashed): the full gradient at each outer iteration removes the noise of
  the single-row steps, and the inner steps add progress at little cost: SVRG, SSGD, SARAH and
  SARAHPlus reach the least-squares optimum within 50 passes, well ahead of GD at this $\alpha$.

The closed-form solution is the target: on this data it takes a millisecond. Gradient descent
matters when $X^\top X$ is too large to form or factor, and to learn the methods themselves.
'''

# ======================================================================================
NOTEBOOKS["04_scikit_learn.ipynb"] = r'''
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
#%% code
''' + SETUP + r'''
from sklearn.linear_model import LinearRegression, SGDRegressor as SklearnSGD
from sklearn.model_selection import GridSearchCV, KFold, cross_validate, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

co2 = gd.datasets.load("co2_compressibility")
X, y = co2.iloc[:, :2].to_numpy(), co2.iloc[:, 2].to_numpy()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
print(X_train.shape, X_test.shape)
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
fig, ax = plt.subplots()
for method, row in table.iterrows():
    ax.plot(table.columns, row.values, marker="o", label=method)
ax.set_xscale("log")
ax.set_ylim(0.08, 0.15)  # a diverged fit is off the chart
ax.set_title("Grid search: 3-fold CV RMSE (quadratic features, 100 iterations)")
ax.set_xlabel("learning_rate (R's alpha)")
ax.set_ylabel("cross-validated RMSE of Z")
ax.legend()
plt.show()
#%% md
With only 100 iterations the larger learning rates win: every method is still converging at
$\alpha = 0.01$. Momentum (MGD, AGD) and variance reduction (SVRG, SARAHPlus) get further than
plain GD with the same budget. SARAHPlus diverges at $\alpha = 0.1$ on these features (the warning
above; its point is off the chart): the squared and cross terms are strongly correlated, which
makes $\lambda_{\max}$ larger and the stable range of $\alpha$ smaller (see
[notebook 2](02_feature_scaling.ipynb)). The search simply ranks it last.

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
    cv = cross_validate(pipe, X, y, cv=KFold(5, shuffle=True, random_state=0),
                        scoring="neg_root_mean_squared_error")
    rows.append({"model": name, "CV RMSE": -cv["test_score"].mean(), "std": cv["test_score"].std(),
                 "fit time (ms)": 1000 * cv["fit_time"].mean()})
cv_table = pd.DataFrame(rows).set_index("model")
cv_table.round(4)
#%% code
from matplotlib.patches import Patch

fig, ax = plt.subplots(figsize=(8, 4))
colors = ["tab:gray", "tab:gray"] + ["tab:blue"] * 4
ax.barh(cv_table.index, cv_table["CV RMSE"], xerr=cv_table["std"], color=colors)
ax.invert_yaxis()
ax.set_title("5-fold cross-validated RMSE, quadratic features of T and P")
ax.set_xlabel("RMSE of Z (mean over folds, bar: one std)")
ax.set_ylabel("model")
ax.legend(handles=[Patch(color="tab:gray", label="scikit-learn"), Patch(color="tab:blue", label="graddescent")])
plt.show()
#%% md
At R's fixed 100 iterations AGD reaches the closed-form RMSE and GD is still on its way (the
correlated quadratic features make the problem ill-conditioned). With their defaults, the step
derived from the data and the stopping rule, the estimators run until what is left to gain is
within `tol`, and reach the closed-form RMSE. GD, slowed by the same ill-conditioning, says
(the ConvergenceWarnings above) that its 1000 passes (`max_iter`) ended before its loss
stopped falling, as scikit-learn's `SGDRegressor` would; SVRG needs no such warning.

The estimators pass scikit-learn's estimator checks (the project's test suite runs them) and
reproduce `gradDescentR.learn` + `predict` for the same seed:
#%% code
from sklearn.base import clone

est = gd.SARAHRegressor(learning_rate=0.1, max_iter=30, tol=None, inner_iter=10, random_state=7)  # R's settings
a = clone(est).fit(X_train, y_train).predict(X_test)
b = clone(est).fit(X_train, y_train).predict(X_test)
model = gd.gradDescentR.learn(pd.DataFrame(np.column_stack([X_train, y_train])), learningMethod="SARAH",
                              control={"maxIter": 30}, seed=7)
c = gd.predict(model, pd.DataFrame(X_test))["V1"].to_numpy()
print("same seed, same predictions:", np.array_equal(a, b), "| same as learn + predict:", np.allclose(a, c, rtol=1e-12))
'''

# ======================================================================================
NOTEBOOKS["05_coming_from_r.ipynb"] = r'''
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
#%% code
''' + SETUP + r'''
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


def notebook(source):
    nb = nbformat.v4.new_notebook()
    nb.cells = parse(source)
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


def main(prefixes):
    for name, source in NOTEBOOKS.items():
        if prefixes and not any(name.startswith(p) for p in prefixes):
            continue
        nb = notebook(source)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            execute(nb, tmp)
            seconds = time.perf_counter() - start
        for cell in nb.cells:  # keep the stored notebooks free of run-specific metadata
            cell.metadata.pop("execution", None)
        nbformat.write(nb, HERE / name)
        print(f"{name}: executed in {seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
