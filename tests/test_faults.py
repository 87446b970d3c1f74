"""Faults of files, clusters and streams (issue 24): a file that changes while it is fitted on a
cluster, schedulers that are not Dask or have no workers, workers that die, ``-`` for standard
input and output, the local cluster's scratch space, quoted line ends across blocks, slow
failures, numbers pandas reads as text, warnings and tracebacks that must not reach the user.

The clusters are real: a ``distributed.LocalCluster`` (``--dask``), and ``dask scheduler`` and
``dask worker`` processes started here, on 127.0.0.1 only; every wait is bounded and every
process ended."""

import contextlib
import io
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest

import graddescent as gd
from graddescent import cli, reading

dd = pytest.importorskip("dask.dataframe", reason="Dask input needs the optional extra 'dask' (pip install '.[dask]')")
distributed = pytest.importorskip("distributed", reason="the cluster tests need the optional extra 'dask'")

BOUND = 60  # seconds any command below may take, at most


def run_cli(argv, capsys):
    status = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


def one_error(err):
    """The one line on stderr, an error."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("graddescent: error: "), err
    return lines[0][len("graddescent: error: "):]


def python_cli(*args, env=None, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "graddescent", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                                                              signal.SIG_DFL),
                            **kwargs)


# --------------------------------------------------------------------------- 1: a file that changes between passes

def truncate_at_a_line_end(path):
    data = path.read_bytes()
    os.truncate(path, data.rindex(b"\n", 0, 2 * len(data) // 3) + 1)


def edit_in_place_keeping_size_and_time(path):
    """A digit changed deep in the file, its size and modification time (ns) put back."""
    before = os.stat(path)
    data = path.read_bytes()
    at = data.index(b",", 2 * len(data) // 3) + 3  # (a digit of a number, after its sign or first digit)
    at += not data[at:at + 1].isdigit()
    assert data[at:at + 1].isdigit()
    with open(path, "r+b") as f:
        f.seek(at)
        f.write(b"7" if data[at:at + 1] != b"7" else b"3")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def change_after_the_first_pass(monkeypatch, change):
    """The file is changed once the first pass over it has been read (and its blocks' facts kept)."""
    real = reading.HeldFile.remember

    def remember(self, found):
        real(self, found)
        change(pathlib.Path(self.layout.path))

    monkeypatch.setattr(reading.HeldFile, "remember", remember)


@pytest.mark.parametrize("change", [truncate_at_a_line_end, edit_in_place_keeping_size_and_time])
def test_fit_dask_of_a_file_that_changes_between_passes_writes_no_model(csv_file, tmp_path, capsys, monkeypatch,
                                                                        change):
    change_after_the_first_pass(monkeypatch, change)
    model = tmp_path / "model.json"
    status, out, err = run_cli(["fit", csv_file, "--dask", "--workers", "1", "--seed", "1", "--model-out", model],
                               capsys)
    assert status == 2 and out == "" and not model.exists()
    message = one_error(err)
    assert message.startswith(f"{str(csv_file)!r} changed while it was being fitted (") and message.endswith(
        "; fit it again")


def test_predict_dask_of_a_file_that_changes_between_passes_writes_nothing(csv_file, tmp_path, capsys, monkeypatch):
    model, output = tmp_path / "model.json", tmp_path / "out.csv"
    assert run_cli(["fit", csv_file, "--seed", "1", "--model-out", model, "--quiet"], capsys)[0] == 0
    change_after_the_first_pass(monkeypatch, edit_in_place_keeping_size_and_time)
    status, out, err = run_cli(["predict", model, csv_file, "--dask", "--workers", "1", "-o", output], capsys)
    assert status == 2 and not output.exists()
    assert one_error(err).endswith("; predict it again") and "changed while it was being predicted" in err


# --------------------------------------------------------------------------- 3, 4: schedulers that do not serve

@contextlib.contextmanager
def serving(handler):
    """A TCP server on 127.0.0.1 (a free port) in a thread: ``handler(connection)`` per client."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=handler, args=(connection, stop), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        server.close()


def http_answer(connection, stop):
    """What an HTTP server does with bytes it does not understand: waits for a request line."""
    with connection:
        while not stop.wait(0.1):
            try:
                connection.settimeout(0.1)
                if connection.recv(65536) == b"":
                    return
            except socket.timeout:
                continue
            except OSError:
                return


def garbage_answer(connection, stop):
    with connection:
        with contextlib.suppress(OSError):
            connection.sendall(b"\xff" * 64 + b"not dask " * 200)
            stop.wait(30)


@pytest.mark.parametrize("handler, words", [(http_answer, "does not answer as a Dask scheduler"),
                                            (garbage_answer, "is not a Dask scheduler")])
def test_a_scheduler_address_that_is_not_dask_ends_within_the_timeout(csv_file, capsys, handler, words):
    with serving(handler) as port:
        start = time.monotonic()
        status, out, err = run_cli(["fit", csv_file, "--scheduler", f"tcp://127.0.0.1:{port}", "--timeout", "2"],
                                   capsys)
        took = time.monotonic() - start
    assert status == 2 and out == "" and took < 20
    message = one_error(err)
    assert f"'tcp://127.0.0.1:{port}'" in message and words in message and "memory" not in message


@contextlib.contextmanager
def dask_process(*args, tmp_path):
    """A ``dask`` command (scheduler or worker) on 127.0.0.1, ended on the way out."""
    dask_command = os.path.join(os.path.dirname(sys.executable), "dask")
    process = subprocess.Popen([dask_command, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               cwd=tmp_path, env={**os.environ, "TMPDIR": str(tmp_path)}, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


@contextlib.contextmanager
def dask_scheduler(tmp_path):
    """A real ``dask scheduler`` on 127.0.0.1, on a free port; its address."""
    info = tmp_path / "scheduler.json"
    with dask_process("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", info,
                      tmp_path=tmp_path):
        deadline = time.monotonic() + BOUND
        while not (info.exists() and info.read_text().strip().endswith("}")):
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        yield json.loads(info.read_text())["address"]


def test_a_scheduler_without_workers_ends_within_the_timeout(csv_file, tmp_path, capsys):
    with dask_scheduler(tmp_path) as address:
        start = time.monotonic()
        status, out, err = run_cli(["fit", csv_file, "--scheduler", address, "--timeout", "2"], capsys)
        took = time.monotonic() - start
    assert status == 2 and out == "" and took < 20
    assert one_error(err) == (f"the Dask scheduler at {address!r} has no worker (none joined within 2 s); start one "
                              f"('dask worker {address}'), then run the command again, or raise --timeout")


def test_a_cluster_whose_only_worker_dies_mid_fit_ends_within_the_timeout(csv_file, tmp_path, capsys):
    with dask_scheduler(tmp_path) as address, dask_process("worker", address, "--nthreads", "1", "--no-nanny",
                                                           "--no-dashboard", "--host", "127.0.0.1",
                                                           tmp_path=tmp_path) as worker:
        with distributed.Client(address, timeout=BOUND) as client:
            client.wait_for_workers(1, timeout=BOUND)
        killer = threading.Timer(4, worker.kill)
        killer.start()
        start = time.monotonic()
        try:  # (a fit of minutes: SGD, 10^8 steps, fetching its rows from the file's blocks)
            status, out, err = run_cli(["fit", csv_file, "--scheduler", address, "--timeout", "2", "--method", "SGD",
                                        "--max-iter", "100000000", "--quiet"], capsys)
        finally:
            killer.cancel()
        took = time.monotonic() - start
    assert status == 2 and out == "" and took < BOUND
    assert one_error(err) == (f"the Dask cluster at {address!r} has had no worker for 2 s; start one ('dask worker "
                              f"{address}'), then run the command again, or raise --timeout")


# --------------------------------------------------------------------------- 10: more faults, one line each

def test_workers_that_die_again_and_again_are_one_line(csv_file, capsys):
    """Dask's KilledWorker (here after one death: allowed-failures 0), from a real LocalCluster
    whose worker is killed while it reads."""
    import dask

    stop = threading.Event()

    def kill_workers():
        while not stop.wait(1.0):
            with contextlib.suppress(Exception):
                distributed.get_client().run(os._exit, 1)

    killer = threading.Thread(target=kill_workers, daemon=True)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        killer.start()
        try:
            status, out, err = run_cli(["fit", csv_file, "--dask", "--workers", "1", "--method", "SGD", "--max-iter",
                                        "100000000", "--quiet"], capsys)
        finally:
            stop.set()
            killer.join(10)
    assert status == 2 and out == ""
    assert "Dask's KilledWorker" in one_error(err)


@pytest.mark.parametrize("argv, words", [
    (["--scheduler", ""], "argument --scheduler: needs the Dask scheduler's address"),
    (["--scheduler", "tls://127.0.0.1:8786"], "a tls:// scheduler needs the cluster's certificates"),
    (["--scheduler", "ucx://127.0.0.1:8786"], "ucx:// needs UCX communication"),
    (["--workers", "2"], "--workers applies to a Dask cluster; add --dask"),
    (["--persist"], "--persist applies to a Dask cluster; add --dask"),
    (["--timeout", "5"], "--timeout applies to a Dask cluster; add --dask"),
    (["--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"], "the cluster at --scheduler has its own workers"),
])
def test_cluster_options_that_cannot_work_are_refused_in_one_line(csv_file, capsys, argv, words):
    start = time.monotonic()
    with pytest.raises(SystemExit) if argv[1:] == [""] else contextlib.nullcontext() as exited:
        status, out, err = run_cli(["fit", csv_file, *argv], capsys)
    if exited is not None:
        status, err = exited.value.code, capsys.readouterr().err
    assert status == 2 and words in one_error(err) and time.monotonic() - start < 10


# --------------------------------------------------------------------------- 11, 6: Ctrl-C, SIGTERM, scratch space

def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
    return found


def long_dask_fit(csv_file, scratch):
    return python_cli("fit", csv_file, "--dask", "--workers", "2", "--method", "SGD", "--max-iter", "100000000",
                      "--quiet", env={**os.environ, "TMPDIR": str(scratch)})


def wait_for_workers(process, scratch):
    """Until the command's two worker processes run (bounded; a third child is multiprocessing's
    resource tracker)."""
    deadline = time.monotonic() + BOUND
    while len(children(process.pid)) < 3 or not list(scratch.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate(timeout=BOUND)
        time.sleep(0.2)
    time.sleep(3)  # (into the fit)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process table in /proc")
def test_ctrl_c_during_dask_is_one_line_and_leaves_no_scratch(csv_file, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    for _ in range(2):  # (asyncio's traceback came in one run of two)
        process = long_dask_fit(csv_file, scratch)
        wait_for_workers(process, scratch)
        workers = children(process.pid)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=BOUND)
        assert process.returncode == 130 and err.decode() == "graddescent: interrupted\n"
        assert list(scratch.iterdir()) == []
        assert_ended(workers)


def assert_ended(pids):
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{pid}") for pid in pids):
        assert time.monotonic() < deadline, "a worker process outlived the command"
        time.sleep(0.2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process table in /proc")
def test_sigterm_during_dask_ends_the_cluster_and_removes_its_scratch(csv_file, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = long_dask_fit(csv_file, scratch)
    wait_for_workers(process, scratch)
    workers = children(process.pid)
    assert any((scratch / name / "dask-scratch-space").is_dir() for name in os.listdir(scratch))
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=BOUND)
    assert process.returncode == 128 + signal.SIGTERM and err.decode() == "graddescent: terminated\n"
    assert list(scratch.iterdir()) == []
    assert_ended(workers)


def test_a_dask_fit_leaves_no_scratch(csv_file, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = python_cli("fit", csv_file, "--dask", "--workers", "1", "--quiet",
                         env={**os.environ, "TMPDIR": str(scratch)})
    out, err = process.communicate(timeout=BOUND)
    assert process.returncode == 0, err
    assert list(scratch.iterdir()) == []


# --------------------------------------------------------------------------- 5: '-' is standard input or output

@pytest.fixture
def stdin(monkeypatch):
    def give(data):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    return give


def test_dash_is_standard_output(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, _ = run_cli(["datasets", "co2_compressibility", "-o", "-"], capsys)
    assert status == 0 and out == gd.datasets.load("co2_compressibility").to_csv(index=False, lineterminator="\n")
    (tmp_path / "co2.csv").write_text(out)
    status, out, err = run_cli(["fit", "co2.csv", "--seed", "1", "--model-out", "-"], capsys)
    assert status == 0 and err.startswith("GD on co2.csv")  # (the report on stderr, the model on stdout)
    assert run_cli(["fit", "co2.csv", "--seed", "1", "--model-out", "m.json", "--quiet"], capsys)[0] == 0
    assert out == (tmp_path / "m.json").read_text()
    status, out, _ = run_cli(["predict", "m.json", "co2.csv", "-o", "-"], capsys)
    assert status == 0 and out == run_cli(["predict", "m.json", "co2.csv"], capsys)[1]
    assert not (tmp_path / "-").exists()
    with pytest.raises(SystemExit) as exited:
        run_cli(["fit", "co2.csv", "--plot", "-"], capsys)
    assert exited.value.code == 2 and "cannot be standard output ('-')" in one_error(capsys.readouterr().err)


def test_dash_is_standard_input(tmp_path, capsys, monkeypatch, stdin):
    monkeypatch.chdir(tmp_path)
    gd.datasets.load("co2_compressibility").to_csv(tmp_path / "co2.csv", index=False)
    data = (tmp_path / "co2.csv").read_bytes()
    expected = run_cli(["fit", "co2.csv", "--seed", "1", "--json", "--model-out", "m.json"], capsys)[1]
    stdin(data)
    status, out, _ = run_cli(["fit", "-", "--seed", "1", "--json"], capsys)
    got = json.loads(out)
    assert status == 0 and got["theta"] == json.loads(expected)["theta"] and got["data"] == "standard input"
    predicted = run_cli(["predict", "m.json", "co2.csv"], capsys)[1]
    stdin(data)
    assert run_cli(["predict", "m.json", "-"], capsys)[1] == predicted
    stdin((tmp_path / "m.json").read_bytes())
    assert run_cli(["predict", "-", "co2.csv"], capsys)[1] == predicted
    stdin(data)
    status, out, _ = run_cli(["compare", "-", "--methods", "GD"], capsys)
    assert status == 0 and out.startswith("1 method(s) on standard input: 1743 rows")
    stdin(data)
    assert "cannot both come from standard input" in one_error(run_cli(["predict", "-", "-"], capsys)[2])
    stdin(data)
    assert "standard input can be read only once" in one_error(run_cli(["fit", "-", "--dask"], capsys)[2])
    stdin(b"a,b\n")
    assert one_error(run_cli(["fit", "-"], capsys)[2]) == "'standard input' has a header but no data rows"
    (tmp_path / "-").write_bytes(data)  # a file named '-' is ./-
    status, out, _ = run_cli(["fit", "./-", "--seed", "1", "--json"], capsys)
    assert status == 0 and json.loads(out)["theta"] == json.loads(expected)["theta"]


# --------------------------------------------------------------------------- 7: quoted line ends across blocks

def quoted_file(path, rows=400):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(rows, 2))
    notes = [f"note {i}\nwith a line end\r\nor two" if i % 3 else f"plain, \"quoted\" {i}" for i in range(rows)]
    frame = pd.DataFrame({"a": X[:, 0], "note": notes, "b": X[:, 1], "y": X @ [2, -1] + rng.normal(size=rows)})
    frame.to_csv(path, index=False)
    return frame


def test_blocks_do_not_cut_quoted_fields(tmp_path, capsys, monkeypatch):
    path = tmp_path / "notes.csv"
    frame = quoted_file(path)
    monkeypatch.setattr(reading, "HELD_BLOCK_BYTES", 1000)
    monkeypatch.setattr(reading, "_PIECE_BYTES", 1500)
    layout = reading.inspect_csv(str(path))
    size = path.stat().st_size
    data = path.read_bytes()

    def inside_quotes(at):
        return data[:at].count(b'"') % 2 == 1

    # cut at line ends alone, a block would start inside a quoted field:
    assert any(inside_quotes(at) for at in reading._cuts(str(path), layout.data_start, size, 1000, quoted=False))
    assert not any(inside_quotes(at) for at in reading.block_bounds(layout, "notes.csv"))
    memory = run_cli(["fit", path, "--drop", "note", "--seed", "1", "--json", "--quiet"], capsys)
    held = run_cli(["fit", path, "--drop", "note", "--seed", "1", "--json", "--quiet", "--dask", "--workers", "2"],
                   capsys)
    assert memory[0] == held[0] == 0
    assert json.loads(held[1])["theta"] == json.loads(memory[1])["theta"]
    assert json.loads(held[1])["rows"] == json.loads(memory[1])["rows"] == len(frame)
    np.testing.assert_array_equal(reading.read_numbers(layout, ["a", "b", "y"])[0].to_numpy(),
                                  pd.read_csv(path)[["a", "b", "y"]].to_numpy())
    model = tmp_path / "m.json"
    run_cli(["fit", path, "--drop", "note", "--seed", "1", "--model-out", model, "--quiet"], capsys)
    memory = run_cli(["predict", model, path, "--quiet"], capsys)
    held = run_cli(["predict", model, path, "--quiet", "--dask", "--workers", "2"], capsys)
    assert memory[0] == held[0] == 0 and held[1] == memory[1]
    assert pd.read_csv(io.StringIO(held[1]))["note"].tolist() == frame["note"].str.replace("\r\n", "\n").tolist() \
        or pd.read_csv(io.StringIO(held[1]))["note"].tolist() == frame["note"].tolist()


# --------------------------------------------------------------------------- 8: a slow failure

def test_a_text_cell_in_the_last_row_is_found_without_reading_the_file_whole(tmp_path, capsys, monkeypatch):
    """The piece that holds it is found by the pieces' reading (no whole reading of the file,
    which took 12 times the time and 4 times the memory of a clean read: README, Performance)."""
    path = tmp_path / "big.csv"
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(60000, 4)), columns=["a", "b", "c", "y"])
    frame.to_csv(path, index=False)
    with open(path, "a") as f:
        f.write("1,oops,2,3\n")
    monkeypatch.setattr(reading, "_PIECE_BYTES", 200_000)

    def whole(*args, **kwargs):
        raise AssertionError("the whole file was read to find the bad cell")

    monkeypatch.setattr(reading, "_numbers_whole", whole)
    status, _, err = run_cli(["fit", path], capsys)
    assert status == 2 and one_error(err) == (f"column 'b' of {str(path)!r} is not numeric (data row 60001 holds "
                                              "'oops'); every column must hold numbers: fix it, or leave the column "
                                              "out with --drop 'b'")
    lines = path.read_text().splitlines()
    lines[30000] = "1,2,3"  # a row too short before it: the field count's error comes first, as in the whole reading
    path.write_text("\n".join(lines) + "\n")
    status, _, err = run_cli(["fit", path], capsys)
    assert status == 2 and one_error(err).startswith(f"{str(path)!r} line 30001 has 3 field(s) but the header has 4")


def test_predict_finds_a_text_cell_in_one_reading(tmp_path, capsys, monkeypatch):
    path, model = tmp_path / "big.csv", tmp_path / "m.json"
    rng = np.random.default_rng(1)
    pd.DataFrame(rng.normal(size=(5000, 3)), columns=["a", "b", "y"]).to_csv(path, index=False)
    assert run_cli(["fit", path, "--model-out", model, "--quiet"], capsys)[0] == 0
    with open(path, "a") as f:
        f.write("1,oops,3\n")
    readings, real = [], reading._read_whole
    monkeypatch.setattr(reading, "_read_whole", lambda *a, **k: readings.append(a[1]) or real(*a, **k))
    status, _, err = run_cli(["predict", model, path], capsys)
    assert status == 2 and len(readings) == 1
    assert one_error(err) == (f"column 'b' of {str(path)!r} is not numeric (data row 5001 holds 'oops'); every "
                              "column must hold numbers: fix it")


# --------------------------------------------------------------------------- 9: integers beyond 64 bits

def test_a_23_digit_integer_in_a_column_of_decimals_is_a_float(tmp_path, capsys, monkeypatch):
    """pandas reads a piece whose first number is such an integer, decimals after it, as text."""
    monkeypatch.setattr(reading, "HELD_BLOCK_BYTES", 2000)
    big = "12345678901234567890123"
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 2))
    rows = [f"{big if i == 0 else f'{X[i, 0]:.6f}'},{X[i, 1]:.6f},{X[i] @ [1, 2]:.6f}" for i in range(300)]
    path, as_float = tmp_path / "big.csv", tmp_path / "float.csv"
    path.write_text("a,b,y\n" + "\n".join(rows) + "\n")
    as_float.write_text(path.read_text().replace(big, repr(float(big))))
    assert pd.read_csv(io.StringIO(f"a\n{big}\n1.5\n"))["a"].dtype.kind not in "fiu"  # (what pandas does)
    fits = [run_cli(["fit", p, "--seed", "1", "--json", "--quiet", *extra], capsys)
            for p, extra in ((path, []), (path, ["--dask", "--workers", "1"]), (as_float, []))]
    assert [status for status, _, _ in fits] == [0, 0, 0], fits
    theta = [json.loads(out)["theta"] for _, out, _ in fits]
    assert theta[0] == theta[1] == theta[2]


# --------------------------------------------------------------------------- 12: no DtypeWarning

@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_no_dtype_warning_reaches_stderr(tmp_path, quiet):
    """A column that turns to text after 300,000 rows: one line, the command's, in memory."""
    path, model = tmp_path / "turns.csv", tmp_path / "m.json"
    rng = np.random.default_rng(4)
    n = 320_000
    values = np.round(rng.normal(size=(n, 3)), 3)
    frame = pd.DataFrame(values, columns=["a", "b", "y"])
    frame.to_csv(path, index=False)
    pd.DataFrame(values[:100], columns=["a", "b", "y"]).to_csv(tmp_path / "small.csv", index=False)
    with open(path, "a") as f:
        for i in range(5000):
            f.write(f"1,text{i},2\n")
    fit = subprocess.run([sys.executable, "-m", "graddescent", "fit", tmp_path / "small.csv", "--model-out", model,
                          "--quiet"], capture_output=True, timeout=BOUND)
    assert fit.returncode == 0
    for argv in (["fit", path], ["predict", model, path]):
        result = subprocess.run([sys.executable, "-W", "default", "-m", "graddescent", *map(str, argv), *quiet],
                                capture_output=True, text=True, timeout=BOUND)
        assert result.returncode == 2
        assert one_error(result.stderr).startswith(f"column 'b' of {str(path)!r} is not numeric (data row 320001 holds "
                                                   "'text0')")


# --------------------------------------------------------------------------- 13: line numbers after blank lines

def test_dask_names_the_true_line_of_a_bad_cell_after_blank_lines(tmp_path, capsys):
    path = tmp_path / "blank.csv"
    path.write_text("a,b,y\n1,2,3\n\n\n2,3,4\n3,4,5\n4,oops,6\n5,6,7\n")
    status, _, err = run_cli(["fit", path, "--dask", "--workers", "1"], capsys)
    assert status == 2 and one_error(err) == (f"{str(path)!r} line 7: column 'b' holds 'oops', not a number; fix "
                                              "the cell, or leave the column out (--drop)")
    path.write_text('a,note,b,y\n1,"two\nlines",2,3\n2,x,3,4\n3,y,oops,5\n')
    status, _, err = run_cli(["fit", path, "--drop", "note", "--dask", "--workers", "1"], capsys)
    assert status == 2 and one_error(err).startswith(f"{str(path)!r} line 5: column 'b' holds 'oops'")


# --------------------------------------------------------------------------- 14: predict of Dask input, booleans, --decimal

def test_predict_of_a_dask_dataframe_is_lazy_and_the_same():
    import dask

    data = gd.datasets.load("co2_compressibility")
    model = gd.gradDescentR.learn(data, learningMethod="GD", seed=1)
    with dask.config.set(scheduler="synchronous"):
        got = gd.predict(model, dd.from_pandas(data, npartitions=3))
        assert isinstance(got, dd.DataFrame)
        pd.testing.assert_frame_equal(got.compute(), gd.predict(model, data))
        reordered = dd.from_pandas(data[["Pressure(ATM)", "Temperature(K)"]], npartitions=2)
        pd.testing.assert_frame_equal(gd.predict(model, reordered).compute(),
                                      gd.predict(model, data[["Pressure(ATM)", "Temperature(K)"]]))
        flags = data.assign(**{"Temperature(K)": data["Temperature(K)"] > 300})
        with pytest.raises(ValueError, match="column 'Temperature\\(K\\)' is boolean"):
            gd.predict(model, dd.from_pandas(flags, npartitions=2))


def test_estimators_predict_refuses_booleans_as_fit_does():
    import dask

    data = gd.datasets.load("co2_compressibility")
    X, y = data.iloc[:, :2], data.iloc[:, 2]
    est = gd.GDRegressor().fit(X, y)
    flags = X.assign(**{"Temperature(K)": X["Temperature(K)"] > 300})
    with pytest.raises(ValueError, match="holds true/false values"):
        gd.GDRegressor().fit(flags, y)
    with pytest.raises(ValueError, match="X column 'Temperature\\(K\\)' holds true/false values"):
        est.predict(flags)
    with dask.config.set(scheduler="synchronous"), pytest.raises(ValueError, match="holds true/false values"):
        est.predict(dd.from_pandas(flags, npartitions=2))


@pytest.mark.parametrize("mark", ["e", "E", "1", "+", "-"])
def test_decimal_marks_that_occur_in_numbers_are_refused(tmp_path, capsys, mark):
    path = tmp_path / "e.csv"
    path.write_text("a,y\n1e3,1\n2,2\n3,4\n")
    with pytest.raises(SystemExit) as exited:
        run_cli(["fit", path, "--decimal", mark], capsys)
    assert exited.value.code == 2
    assert f"argument --decimal: {mark!r} occurs in numbers" in one_error(capsys.readouterr().err)
