"""Shared test fixtures: the bundled test data sets, R's golden results, a wheel built from
the sources, the comparison with numbers other libraries compute, each copy of the compiled
block loop, and hypothesis's profiles."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from graddescent import _sums

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


# --------------------------------------------------------------------------- other libraries' numbers

def assert_matches_library(actual, desired, rtol=1e-12, err_msg=""):
    """Assert that ``actual``, this package's numbers, are ``desired``, numbers another library
    (torch, numpy's BLAS and LAPACK: ``@``, ``lstsq``, ``eigvalsh``) computed in this run, to
    ``rtol`` of the norm of ``desired``: ``||actual - desired|| <= rtol ||desired||``.

    Those libraries' last bits depend on the processor they run on: torch chooses its kernels
    by ``ATEN_CPU_CAPABILITY`` (default, avx2, avx512: the vectorised ones fuse the multiply-adds
    the default one rounds twice), OpenBLAS by ``OPENBLAS_CORETYPE`` (Haswell, SkylakeX, ...:
    another order of a dot product's partial sums, fused multiply-adds). A unit in the last
    place of such a computation is relative to the size of the vector it works on, not to
    each coordinate: along 41 steps of AMSGrad on stackloss it moves the intercept, 2.3e-5 in
    a theta of norm 0.76, by 2.1e-12 of itself, which decided an element-by-element test.
    Against the vector's norm, torch.optim's trajectories differ from this package's by at
    most 4.4e-16 (150 steps, all ten cases, each capability): the default 1e-12 allows 2000
    times that, and is still 2000 times below what a mistake in an update rule changes (Adam's
    epsilon inside the root instead of beside it: 2e-9 of the norm; its bias correction one
    step off: 4e-3). numpy's least-squares MSE of the CO2 data moves by 4.4e-16 of itself from
    one OpenBLAS core type to another. A caller through a computation that loses more to
    rounding passes the rtol that computation keeps, and says why. This package's numbers
    against themselves are compared exactly, and R's (fixed files) element by element at 1e-9.
    """
    actual, desired = np.asarray(actual, dtype=np.float64), np.asarray(desired, dtype=np.float64)
    assert actual.shape == desired.shape, f"{err_msg}: shapes {actual.shape} and {desired.shape}"
    assert np.all(np.isfinite(desired)), f"{err_msg}: the reference is not finite: {desired}"
    error, size = float(np.linalg.norm(actual - desired)), float(np.linalg.norm(desired))
    assert error <= rtol * size, (f"{err_msg + ': ' if err_msg else ''}|actual - desired| = {error:.3g} is more "
                                  f"than {rtol:g} of |desired| = {size:.3g}\nactual:  {actual!r}\ndesired: {desired!r}")


# --------------------------------------------------------------------------- each copy of the block loop

@pytest.fixture(params=_sums._vector_paths())
def vector_path(request):
    """Each copy of the compiled block loop this processor runs (of AVX-512, AVX2 and baseline
    x86-64), in turn: the test runs on it, and the copy chosen at load is restored after."""
    previous = _sums._use_vector_path(request.param)
    yield request.param
    _sums._use_vector_path(previous)


# --------------------------------------------------------------------------- hypothesis's profiles
# "ci", the default: every run, on every machine, draws the same examples (derandomize: each
# test's from a hash of the test), so a red run is red again on the next machine and on the
# next try, and no example database lets one run differ from another. A seed given with
# --hypothesis-seed=N is honoured ("seeded": the same numbers of examples, from seed N; a
# derandomized profile would ignore it). "explore", for hand runs (--hypothesis-profile=explore):
# ten times the examples from a new seed each run (printed on a failure), the database kept.

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("seeded", settings.get_profile("ci"), derandomize=False)
settings.register_profile("explore", deadline=None, print_blob=True, max_examples=1000,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


def examples(count):
    """A property test's number of examples: ``count`` in CI, ten times it with the explore
    profile (the counts are for hypothesis's default, 100 a test)."""
    return max(1, count * settings.default.max_examples // 100)


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if config.getoption("hypothesis_seed", None) is not None and settings.default.derandomize:
        settings.load_profile("seeded")
