"""Generate ``src/graddescent/data/mackey_glass.csv``.

The Mackey--Glass delay differential equation

    dx/dt = 0.2 x(t-17) / (1 + x(t-17)^10) - 0.1 x(t),   x(t) = 1.2 for t <= 0,

integrated by the classical fourth-order Runge--Kutta method with step
h = 0.1 (so the delay, 17, is exactly 170 steps).  The delayed value needed
at the half steps, x(t - 17 + h/2), lies between two grid points and is
taken from the cubic (four-point Lagrange) interpolant of the stored
solution, (-x[m-1] + 9 x[m] + 9 x[m+1] - x[m+2]) / 16, which keeps the
scheme fourth-order accurate; for t - 17 <= 0 it is the history, 1.2.

The CSV has the standard benchmark's 1000 rows, t = 118, ..., 1117, with
columns x(t-18), x(t-12), x(t-6), x(t), x(t+6), each written to 6
significant digits.  Only Python floats are used, and x^10 is computed by
repeated squaring, so the result is the same on every IEEE-754 machine.

Usage::

    python datasets/make_mackey_glass.py          # (re)write the CSV
    python datasets/make_mackey_glass.py --check  # compare, write nothing
"""
import pathlib
import sys

import _write  # beside this script

BETA, GAMMA, TAU, N_EXP = 0.2, 0.1, 17, 10  # N_EXP is fixed at 10 in _rhs
X0 = 1.2
STEPS_PER_UNIT = 10  # h = 0.1
T_FIRST, T_LAST = 118, 1117
LAGS = [-18, -12, -6, 0, 6]
COLUMNS = ["x(t-18)", "x(t-12)", "x(t-6)", "x(t)", "x(t+6)"]

OUT = pathlib.Path(__file__).resolve().parent.parent / "src" / "graddescent" / "data" / "mackey_glass.csv"


def _rhs(x, x_delayed):
    """Right-hand side of the Mackey--Glass equation."""
    x2 = x_delayed * x_delayed
    x8 = (x2 * x2) * (x2 * x2)
    return BETA * x_delayed / (1.0 + x8 * x2) - GAMMA * x


def integrate(t_end):
    """Solution on the grid t = 0, 0.1, ..., t_end (list of floats, x[k] = x(k h))."""
    h = 1.0 / STEPS_PER_UNIT
    d = TAU * STEPS_PER_UNIT  # the delay in steps
    n = round(t_end * STEPS_PER_UNIT)
    x = [X0]

    def past(k):  # x at grid index k, the constant history for k <= 0
        return x[k] if k > 0 else X0

    for k in range(n):
        m = k - d  # grid index of t - tau
        lag0, lag1 = past(m), past(m + 1)
        lag_half = (-past(m - 1) + 9.0 * lag0 + 9.0 * lag1 - past(m + 2)) / 16.0
        xk = x[k]
        k1 = _rhs(xk, lag0)
        k2 = _rhs(xk + 0.5 * h * k1, lag_half)
        k3 = _rhs(xk + 0.5 * h * k2, lag_half)
        k4 = _rhs(xk + h * k3, lag1)
        x.append(xk + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4))
    return x


def make_csv():
    """Return the CSV text (``\\n`` line endings)."""
    x = integrate(T_LAST + max(LAGS))
    lines = [",".join(f'"{c}"' for c in COLUMNS)]
    for t in range(T_FIRST, T_LAST + 1):
        lines.append(",".join(f"{x[(t + lag) * STEPS_PER_UNIT]:.6g}" for lag in LAGS))
    return "\n".join(lines) + "\n"


def main(argv=None):
    return _write.main(__doc__.splitlines()[0], make_csv, OUT, argv)


if __name__ == "__main__":
    sys.exit(main())
