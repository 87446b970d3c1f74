"""Shared test fixtures: the bundled test data sets and R's golden results."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).parent
GOLDENS = json.loads((HERE / "r_goldens.json").read_text())["cases"]


def load(name):
    """One of the test data sets of tests/data (five, plant, tiny)."""
    return pd.read_csv(HERE / "data" / f"{name}.csv")


def r_values(values):
    """R's numbers from the goldens: null is NaN, "Inf" infinity."""
    table = {None: np.nan, "Inf": np.inf, "-Inf": -np.inf}
    return np.array([table[v] if v is None or isinstance(v, str) else v for v in values], dtype=float)


@pytest.fixture(params=["five", "plant", "tiny"])
def dataset(request):
    return load(request.param)
