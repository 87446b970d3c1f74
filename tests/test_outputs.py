"""Outputs written whole or not at all, whatever stops the command (issue 16).

``kill -9`` and SIGTERM in the middle of ``predict -o`` on a large file leave nothing behind
(on Linux the output is an unnamed file until complete); where unnamed files cannot be used,
the temporary file is removed on every catchable signal. An output that is a symbolic link is
written through to its target, an existing output keeps its mode, and a full disk is reported
naming the output. The files are written by the tests; a real full disk is a small tmpfs.
"""

import errno
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from graddescent import cli, datasets, learn, writing

SCRIPT = Path(sys.executable).with_name("graddescent")
LINUX = sys.platform.startswith("linux")


def listing(folder):
    return sorted(p.name for p in Path(folder).iterdir())


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A model and 600,000 rows to predict: writing the predictions takes a second or two."""
    folder = tmp_path_factory.mktemp("large")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.standard_normal((600_000, 4)), columns=["a", "b", "c", "y"])
    frame.to_csv(folder / "data.csv", index=False)
    cli.write_model(learn(frame.iloc[:1000], seed=1), folder / "model.json", seed=1)
    return folder


def start(folder, patch="pass"):
    """``graddescent predict model.json data.csv -o out.csv`` in a new process (``patch``: Python run first)."""
    code = f"import sys; import graddescent.writing as w; {patch}; from graddescent import cli; sys.exit(cli.main(" \
           f"['predict', 'model.json', 'data.csv', '-o', 'out.csv']))"
    return subprocess.Popen([sys.executable, "-c", code], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for(condition, process, what):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            raise AssertionError(f"the command ended before {what}: {process.communicate()}")
        time.sleep(0.002)
    process.kill()
    raise AssertionError(f"no {what} within 120 s")


def writing_unnamed(process, folder):
    """Whether the process holds an unnamed file (O_TMPFILE) open in ``folder``."""
    fds = f"/proc/{process.pid}/fd"
    try:
        targets = [os.readlink(os.path.join(fds, fd)) for fd in os.listdir(fds)]
    except OSError:
        return False
    return any(t.startswith(str(folder) + "/#") and t.endswith("(deleted)") for t in targets)


# --------------------------------------------------------------------------- signals

@pytest.mark.skipif(not LINUX, reason="unnamed files (O_TMPFILE) are Linux's")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "SIGTERM"])
def test_a_signal_while_writing_leaves_nothing(large, signum):
    before = listing(large)
    process = start(large)
    wait_for(lambda: writing_unnamed(process, large), process, "an unnamed output file")
    assert listing(large) == before  # while writing: no name in the folder
    process.send_signal(signum)
    process.communicate(timeout=60)
    assert process.returncode == -signum
    assert listing(large) == before


@pytest.mark.skipif(not LINUX, reason="the test finds the written file through /proc")
def test_a_complete_output_appears_at_once(large, tmp_path):
    process = start(large)
    out, err = process.communicate(timeout=300)
    try:
        assert process.returncode == 0, err
        assert listing(large) == ["data.csv", "model.json", "out.csv"]
        written = pd.read_csv(large / "out.csv")
        assert written.shape == (600_000, 5) and list(written.columns[-1:]) == ["prediction"]
    finally:
        (large / "out.csv").unlink(missing_ok=True)


def temporaries(folder):
    return [n for n in listing(folder) if n.startswith(".graddescent-")]


NAMED = "w._unnamed_files_work = lambda: False"  # as on a system without unnamed files


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP",
                                                                                          "SIGINT"])
def test_without_unnamed_files_every_catchable_signal_removes_the_temporary(large, signum):
    before = listing(large)
    process = start(large, NAMED)
    wait_for(lambda: temporaries(large), process, "a temporary output file")
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    if signum == signal.SIGINT:
        assert (process.returncode, err.strip()) == (130, "graddescent: interrupted")
    else:
        assert process.returncode == -signum  # ended by the signal, as it would have been
    assert listing(large) == before


def test_without_unnamed_files_a_failure_removes_the_temporary(tmp_path, monkeypatch):
    monkeypatch.setattr(writing, "_unnamed_files_work", lambda: False)
    (tmp_path / "out.csv").write_text("old\n")

    def fail(f):
        f.write("half")
        assert temporaries(tmp_path)
        raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(writing.OutputError, match="cannot write '.*out.csv': Input/output error; nothing was written"):
        writing.write_atomic(str(tmp_path / "out.csv"), fail)
    assert listing(tmp_path) == ["out.csv"] and (tmp_path / "out.csv").read_text() == "old\n"
    writing.write_atomic(str(tmp_path / "out.csv"), lambda f: f.write("new\n"))
    assert listing(tmp_path) == ["out.csv"] and (tmp_path / "out.csv").read_text() == "new\n"


# --------------------------------------------------------------------------- links, modes, owners

@pytest.mark.parametrize("unnamed", [True, False], ids=["unnamed-file", "named-temporary"])
def test_a_symlink_is_written_through_and_the_mode_kept(tmp_path, monkeypatch, unnamed):
    if not unnamed:
        monkeypatch.setattr(writing, "_unnamed_files_work", lambda: False)
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "mg.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    (tmp_path / "out.csv").symlink_to(target)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["datasets", "mackey_glass", "-o", "out.csv"]) == 0
    assert (tmp_path / "out.csv").is_symlink() and os.readlink(tmp_path / "out.csv") == str(target)
    pd.testing.assert_frame_equal(pd.read_csv(target), datasets.load("mackey_glass"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert listing(tmp_path / "real") == ["mg.csv"] and listing(tmp_path) == ["out.csv", "real"]


@pytest.mark.parametrize("unnamed", [True, False], ids=["unnamed-file", "named-temporary"])
def test_modes(tmp_path, monkeypatch, unnamed):
    if not unnamed:
        monkeypatch.setattr(writing, "_unnamed_files_work", lambda: False)
    kept = tmp_path / "kept.json"
    kept.write_text("{}")
    kept.chmod(0o640)
    writing.write_atomic(str(kept), lambda f: f.write("[]"))
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() == "[]"
    umask = os.umask(0o027)
    try:
        writing.write_atomic(str(tmp_path / "new.json"), lambda f: f.write("[]"))
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_the_owner_is_kept(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    os.chown(out, 4321, 4321)
    writing.write_atomic(str(out), lambda f: f.write("new\n"))
    assert (out.stat().st_uid, out.stat().st_gid) == (4321, 4321) and out.read_text() == "new\n"


# --------------------------------------------------------------------------- full disks

def test_a_file_size_limit_names_the_output(tmp_path):
    """A real write error from the kernel (EFBIG past RLIMIT_FSIZE), as a full disk gives ENOSPC."""
    frame = datasets.load("co2_compressibility")
    frame.to_csv(tmp_path / "data.csv", index=False)
    cli.write_model(learn(frame, seed=1), tmp_path / "model.json", seed=1)
    (tmp_path / "out.csv").write_text("old\n")
    before = listing(tmp_path)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))

    result = subprocess.run([str(SCRIPT), "predict", "model.json", "data.csv", "-o", "out.csv"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, preexec_fn=limit)
    assert result.returncode == 2
    assert result.stderr == "graddescent: error: cannot write 'out.csv': File too large; nothing was written\n"
    assert listing(tmp_path) == before and (tmp_path / "out.csv").read_text() == "old\n"


@pytest.fixture
def tiny_disk(tmp_path):
    """A tmpfs of 256 kB mounted for the test (root on Linux)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or not LINUX:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.parametrize("unnamed", [True, False], ids=["unnamed-file", "named-temporary"])
def test_a_full_disk_names_the_output_and_leaves_nothing(tiny_disk, monkeypatch, capsys, unnamed):
    if not unnamed:
        monkeypatch.setattr(writing, "_unnamed_files_work", lambda: False)
    frame = datasets.load("co2_compressibility")
    folder = tiny_disk.parent
    frame.to_csv(folder / "data.csv", index=False)
    cli.write_model(learn(frame, seed=1), folder / "model.json", seed=1)
    (tiny_disk / "out.csv").write_text("old\n")
    monkeypatch.chdir(folder)
    big = pd.concat([frame] * 40)  # about 3 MB of predictions
    big.to_csv(folder / "big.csv", index=False)
    assert cli.main(["predict", "model.json", "big.csv", "-o", "disk/out.csv"]) == 2
    err = capsys.readouterr().err
    assert err == "graddescent: error: cannot write 'disk/out.csv': No space left on device; nothing was written\n"
    assert listing(tiny_disk) == ["out.csv"] and (tiny_disk / "out.csv").read_text() == "old\n"
    assert cli.main(["fit", "data.csv", "--quiet", "--model-out", "disk/m.json"]) == 0  # the space is free again
    assert json.loads((tiny_disk / "m.json").read_text())["format"] == "graddescent-model"


# --------------------------------------------------------------------------- refusals before any work

def test_check_output(tmp_path):
    (tmp_path / "in.csv").write_text("a,b\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "in.csv")
    with pytest.raises(writing.OutputError, match="refusing to write over the input file"):
        writing.check_output(str(tmp_path / "link.csv"), str(tmp_path / "in.csv"))
    with pytest.raises(writing.OutputError, match="is a folder"):
        writing.check_output(str(tmp_path))
    with pytest.raises(writing.OutputError, match="the folder .* does not exist"):
        writing.check_output(str(tmp_path / "none" / "out.csv"))
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "gone" / "x.csv")
    with pytest.raises(writing.OutputError, match="gone' does not exist"):
        writing.check_output(str(tmp_path / "dangling.csv"))
    writing.check_output(None)
