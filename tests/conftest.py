"""Shared test fixtures: the bundled test data sets, R's golden results, and a wheel built
from the sources."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]
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


@pytest.fixture(scope="session")
def source_copy(tmp_path_factory):
    """A copy of the project's sources, to build from (so that build/ and *.egg-info never
    land in the work tree)."""
    missing = [m for m in ("pip", "setuptools", "wheel", "Cython") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"building the package needs {', '.join(missing)} (the test extra installs them)")
    src = tmp_path_factory.mktemp("source")
    for item in ROOT.iterdir():
        if item.is_file():
            shutil.copy2(item, src)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.c"))
    return src


@pytest.fixture(scope="session")
def wheel(source_copy, tmp_path_factory):
    """The package's wheel, built (and its extension compiled) from the sources."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source_copy)],
                   check=True, timeout=900)
    (built,) = dist.glob("graddescent-*.whl")
    return built


@pytest.fixture
def csv_file(tmp_path, monkeypatch):
    """A CSV of 3000 rows, read by --dask in blocks of about 20 kB (7 blocks)."""
    from graddescent import reading

    monkeypatch.setattr(reading, "HELD_BLOCK_BYTES", 20_000)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(3000, 3)) * [1, 10, 100]
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "y": X @ [1, 0.5, 0.01] + rng.normal(size=3000)})
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path
