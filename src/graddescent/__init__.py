"""graddescent: linear regression by gradient descent, a faithful port of R's gradDescent 3.0.

The 14 learning functions keep R's names, arguments and defaults and give R's numbers
for the same seed; ``gradDescentR.learn`` and ``predict`` are R's top level.
"""

__version__ = "0.1.0"

from .toplevel import (
    GradDescentRObject,
    RMSE,
    SplitResult,
    gradDescentR,
    learn,
    predict,
    prediction,
    splitData,
)
from .methods import (
    ADADELTA,
    ADAGRAD,
    ADAM,
    AGD,
    GD,
    MBGD,
    MGD,
    RMSPROP,
    SAGD,
    SARAH,
    SGD,
    SSGD,
    SVRG,
    SARAHPlus,
)
from . import datasets
from .rrandom import RRandom
from .scaling import ScalingResult, minmaxDescaling, minmaxScaling, varianceDescaling, varianceScaling

__all__ = [
    "__version__",
    "GD", "MBGD", "SGD", "SAGD", "MGD", "AGD", "ADAGRAD", "ADADELTA", "RMSPROP", "ADAM",
    "SVRG", "SSGD", "SARAH", "SARAHPlus",
    "splitData", "varianceScaling", "varianceDescaling", "minmaxScaling", "minmaxDescaling",
    "prediction", "RMSE", "gradDescentR", "learn", "predict",
    "GradDescentRObject", "SplitResult", "ScalingResult", "RRandom", "datasets",
    "GDRegressor", "MBGDRegressor", "SGDRegressor", "SAGDRegressor", "MGDRegressor", "AGDRegressor",
    "ADAGRADRegressor", "ADADELTARegressor", "RMSPROPRegressor", "ADAMRegressor", "SVRGRegressor",
    "SSGDRegressor", "SARAHRegressor", "SARAHPlusRegressor", "GradDescentRegressor",
    "explore",
]

_ESTIMATORS = __all__[__all__.index("GDRegressor"):__all__.index("explore")]


def __getattr__(name):
    # The estimators import scikit-learn (about a second); load them on first use only.
    if name in _ESTIMATORS:
        from . import estimators

        return getattr(estimators, name)
    if name == "explore":  # (its figure needs matplotlib, and its widget ipywidgets: loaded on first use)
        from .explorer import explore

        return explore
    raise AttributeError(f"module 'graddescent' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_ESTIMATORS) | {"explore"})
