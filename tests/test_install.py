"""Installations (issue 12): the compiled core is built with the package, so an installation
works as it is. A read-only installation imports and fits for a user who can write
neither it nor HOME, and an sdist builds a working wheel."""

import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

import graddescent as gd
from conftest import PIP
from graddescent.catalog import METHODS

CHILD = textwrap.dedent("""
    import os, pathlib, sys
    import graddescent as gd
    from graddescent import cli
    site = pathlib.Path(sys.argv[1]).resolve()
    assert pathlib.Path(gd.__file__).resolve().is_relative_to(site), gd.__file__
    for place in (site, pathlib.Path(os.environ["HOME"])):  # the test is real: nothing here can be written
        try:
            (place / "probe").write_text("x")
        except PermissionError:
            pass
        else:
            raise SystemExit(f"{place} is writable")
    data = gd.varianceScaling(gd.datasets.load("co2_compressibility")).scaledDataSet
    for method in sorted(gd.catalog.METHODS):
        print(method, getattr(gd, method)(data, maxIter=20, seed=3).tobytes().hex())
    sys.exit(cli.main(["compare", "--max-iter", "20", "--quiet"]))
""")


def _read_only(path):
    for root, dirs, files in os.walk(path):
        for name in files:
            os.chmod(os.path.join(root, name), stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.chmod(root, stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)


def _unprivileged():
    """The command prefix that runs a program as a user who cannot write the test's files."""
    if os.geteuid() != 0:
        return []  # already one: the read-only folders are read-only for this user
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, and setpriv (util-linux), which drops to an unprivileged user, is missing")
    # the user nobody, allowed to read any file (this Python may lie in a folder only root can
    # enter, such as /root) but to write only what nobody may write
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps=-all,+dac_read_search", "--ambient-caps=+dac_read_search"]


def test_a_read_only_installation_works_for_an_unprivileged_user(wheel):
    base = Path(tempfile.mkdtemp(prefix="graddescent-read-only-"))
    try:
        site, home = base / "site", base / "home"
        subprocess.run([*PIP, "install", "--no-deps", "--target", str(site), str(wheel)], check=True, timeout=300)
        home.mkdir()
        _read_only(base)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "XDG_", "NUMBA_"))}
        env.update(PYTHONPATH=str(site), HOME=str(home))
        run = subprocess.run([*_unprivileged(), sys.executable, "-c", CHILD, str(site)], cwd=base, env=env,
                             capture_output=True, text=True, timeout=300)
    finally:
        for root, dirs, files in os.walk(base):
            os.chmod(root, stat.S_IRWXU)
        shutil.rmtree(base)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    data = gd.varianceScaling(gd.datasets.load("co2_compressibility")).scaledDataSet
    for method, line in zip(sorted(METHODS), lines):  # the installed core computes what this one does
        assert line == f"{method} {getattr(gd, method)(data, maxIter=20, seed=3).tobytes().hex()}"
    assert "SVRG" in "\n".join(lines[len(METHODS):])  # compare's table


def test_an_sdist_builds_a_working_wheel(source_copy, tmp_path):
    """The sdist holds the Cython sources (not generated C) and builds the extension."""
    build = f"from setuptools import build_meta; print(build_meta.build_sdist({str(tmp_path)!r}))"
    made = subprocess.run([sys.executable, "-c", build], cwd=source_copy, capture_output=True, text=True, check=True,
                          timeout=300)
    sdist = tmp_path / made.stdout.split()[-1]  # (the last line: its name)
    names = tarfile.open(sdist).getnames()
    assert {f"src/graddescent/{n}.pyx" for n in ("_kernels", "_sums", "_rrandom")} <= {
        n.partition("/")[2] for n in names}
    assert not any(n.endswith((".c", ".so")) for n in names)
    subprocess.run([*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(sdist)],
                   check=True, timeout=900)
    (built,) = (tmp_path / "dist").glob("graddescent-*.whl")
    subprocess.run([*PIP, "install", "--no-deps", "--target", str(tmp_path / "site"), str(built)], check=True,
                   timeout=300)
    code = "import graddescent as gd, numpy as np; print(gd.SVRG(np.arange(20.0).reshape(10, 2) / 10, seed=1))"
    run = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == str(gd.SVRG(np.arange(20.0).reshape(10, 2) / 10, seed=1)) + "\n"
