"""Tests of graddescent.datasets: the bundled data sets, their packaging and the R data reader."""

import gzip
import importlib.util
import os
import pathlib
import subprocess
import sys
import textwrap
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest

from conftest import PIP
from graddescent import datasets

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "graddescent" / "data"
SCRIPTS = ROOT / "datasets"
RDATA_DIR = pathlib.Path(__file__).resolve().parent / "data"

CO2_COLUMNS = ["Temperature(K)", "Pressure(ATM)", "Compressibility Factor(Z)"]
MG_COLUMNS = ["x(t-18)", "x(t-12)", "x(t-6)", "x(t)", "x(t+6)"]
PRESSURES = [24.675, 49.35, 74.025, 98.7, 148.05, 197.4, 246.75, 296.1, 345.45, 394.8, 444.15,
             493.5, 592.2, 690.9, 789.6, 888.3, 987, 1085.7, 1184.4, 1283.1, 1381.8]


def _script(name):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(SCRIPTS))  # the scripts import their shared _write.py
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(SCRIPTS))
    return module


# --- the bundled data sets -------------------------------------------------------------------


def test_list_datasets():
    assert datasets.list_datasets() == ["co2_compressibility", "mackey_glass"]


def test_one_copy_of_each_csv():
    # the CSVs live in src/graddescent/data/ (packaged); datasets/ holds only the scripts and README
    assert sorted(p.stem for p in DATA.glob("*.csv")) == datasets.list_datasets()
    assert list(SCRIPTS.glob("*.csv")) == []


def test_co2_compressibility():
    co2 = datasets.load("co2_compressibility")
    assert list(co2.columns) == CO2_COLUMNS
    assert co2.shape == (83 * 21, 3)
    assert not co2.isna().any().any()
    assert (co2.dtypes == np.float64).all()
    temperatures = np.round(273.1 + 10 * np.arange(83), 1)  # 273.1 .. 1093.1 K: within the EOS's range
    assert np.array_equal(np.sort(co2["Temperature(K)"].unique()), temperatures)
    assert sorted(co2["Pressure(ATM)"].unique()) == PRESSURES
    assert not co2.duplicated(["Temperature(K)", "Pressure(ATM)"]).any()
    # R's order: pressure outer, temperature inner
    assert co2["Pressure(ATM)"].is_monotonic_increasing
    assert np.array_equal(co2["Temperature(K)"].to_numpy()[:83], temperatures)
    z = co2["Compressibility Factor(Z)"]
    assert z.between(0.05, 2.5).all()
    # spot checks: gas at 0 C and 25 atm; liquid at 0 C and 50 atm; near-ideal when hot and dilute
    at = co2.set_index(["Temperature(K)", "Pressure(ATM)"])["Compressibility Factor(Z)"]
    assert at[(273.1, 24.675)] == pytest.approx(0.8036, abs=1e-4)
    assert at[(273.1, 49.35)] == pytest.approx(0.1030, abs=1e-4)
    assert at[(1093.1, 24.675)] == pytest.approx(1.0, abs=0.01)


def test_mackey_glass():
    mg = datasets.load("mackey_glass")
    assert list(mg.columns) == MG_COLUMNS
    assert mg.shape == (1000, 5)
    assert not mg.isna().any().any()
    assert (mg.dtypes == np.float64).all()
    assert mg.stack().between(0.3, 1.4).all()
    # one series, sampled at unit step: column j+1 is column j six rows later
    values = mg.to_numpy()
    for j in range(4):
        assert np.array_equal(values[6:, j], values[:-6, j + 1])


def test_load_gives_a_fresh_copy():
    first = datasets.load("mackey_glass")
    first.iloc[0, 0] = -1.0
    assert datasets.load("mackey_glass").iloc[0, 0] != -1.0


@pytest.mark.parametrize("name", ["iris", "co2_compressibility.csv", "MackeyGlass1000", ""])
def test_load_unknown_name(name):
    with pytest.raises(ValueError, match="co2_compressibility, mackey_glass"):
        datasets.load(name)


def test_mackey_glass_script_reproduces_the_csv():
    assert _script("make_mackey_glass").make_csv().encode() == (DATA / "mackey_glass.csv").read_bytes()


def test_co2_script_reproduces_the_csv():
    pytest.importorskip("CoolProp", reason="CoolProp is a development-only dependency of the generating script")
    module = _script("make_co2_compressibility")
    import CoolProp

    if CoolProp.__version__ != module.COOLPROP_VERSION:
        pytest.skip(f"the CSV was made with CoolProp {module.COOLPROP_VERSION}, this is {CoolProp.__version__}")
    assert module.make_csv().encode() == (DATA / "co2_compressibility.csv").read_bytes()


# --- packaging: the data sets load from an installed wheel ------------------------------------


def test_datasets_load_from_an_installed_wheel(wheel, tmp_path):
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"graddescent/data/{n}.csv" for n in datasets.list_datasets()} <= set(names)
    assert not any(n.startswith("datasets/") for n in names)

    site = tmp_path / "site"
    subprocess.run([*PIP, "install", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, cwd=tmp_path, timeout=300)
    code = textwrap.dedent(f"""
        import pathlib
        import graddescent.datasets as d
        assert pathlib.Path(d.__file__).resolve().is_relative_to(pathlib.Path({str(site)!r}).resolve()), d.__file__
        for name in d.list_datasets():
            d.load(name).to_pickle({str(tmp_path)!r} + "/" + name + ".pkl")
        print("ok")
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
    for name in datasets.list_datasets():
        pd.testing.assert_frame_equal(pd.read_pickle(tmp_path / f"{name}.pkl"), datasets.load(name))


# --- the R data reader ------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["r_dataframes_v2.RData", "r_dataframes_v3.rda"])
def test_read_rdata(filename):
    pytest.importorskip("rdata", reason="read_rdata needs the optional rdata package (pip install graddescent[rdata])")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = datasets.read_rdata(RDATA_DIR / filename)
    ours = [str(w.message) for w in caught if "not data frames" in str(w.message)]
    # the v3 file also holds `note`, a character vector: left out, with a warning naming it
    assert len(ours) == (1 if filename.endswith(".rda") else 0) and all(m.endswith(": note") for m in ours)
    assert sorted(frames) == ["co2", "small"]
    co2 = frames["co2"]
    assert list(co2.columns) == CO2_COLUMNS
    assert co2.index.equals(pd.RangeIndex(3))
    np.testing.assert_array_equal(co2.to_numpy(), [[273.1, 24.675, 0.806677],
                                                   [283.1, 24.675, 0.833668],
                                                   [293.1, 49.35, 0.102389]])
    small = frames["small"]
    assert list(small.columns) == ["id", "name", "flag", "level"]
    assert small["id"].tolist() == [1, 2, 3]
    assert small["name"].iloc[:2].tolist() == ["a", "b"] and pd.isna(small["name"].iloc[2])
    assert small["flag"].tolist() == [True, False, True]
    assert small["level"].astype(str).tolist() == ["lo", "hi", "lo"]


def test_read_rdata_missing_file(tmp_path):
    pytest.importorskip("rdata", reason="read_rdata needs the optional rdata package (pip install graddescent[rdata])")
    with pytest.raises(ValueError, match="no such file"):
        datasets.read_rdata(tmp_path / "absent.RData")
    with pytest.raises(ValueError, match="no such file"):
        datasets.read_rdata(tmp_path)  # a directory


def test_read_rdata_not_r_data(tmp_path):
    pytest.importorskip("rdata", reason="read_rdata needs the optional rdata package (pip install graddescent[rdata])")
    cases = {
        "table.RData": (DATA / "mackey_glass.csv").read_bytes(),
        "empty.rda": b"",
        "garbage.RData": gzip.compress(b"hello, not R"),
        "broken.gz.RData": b"\x1f\x8b\x08\x00 truncated",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match="not an R data file"):
            datasets.read_rdata(tmp_path / name)
    # R's header but a truncated body: the parser's own error becomes a ValueError
    body = gzip.decompress((RDATA_DIR / "r_dataframes_v2.RData").read_bytes())
    (tmp_path / "truncated.RData").write_bytes(gzip.compress(body[:40]))
    with pytest.raises(ValueError, match="could not read it as R data"):
        datasets.read_rdata(tmp_path / "truncated.RData")


def test_read_rdata_without_the_rdata_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "rdata", None)  # makes `import rdata` raise ImportError
    with pytest.raises(ImportError, match=r"pip install graddescent\[rdata\]"):
        datasets.read_rdata(RDATA_DIR / "r_dataframes_v2.RData")
