"""The Dask cluster of ``--dask`` (processes on this machine) and ``--scheduler`` (an existing one).

Every wait on a cluster is bounded by ``--timeout`` (default ``SCHEDULER_TIMEOUT`` seconds):
for the scheduler to answer as a Dask scheduler, for a first worker to join it, and, during
the work, for a cluster left without a worker (or without its scheduler) to have one again.
A thread watches; when a wait has lasted that long it interrupts the main thread, where the
work runs, and the command ends with one line. So do a task whose workers died one after
another (Dask's ``KilledWorker``), Ctrl-C (without asyncio's tracebacks from the cluster's
shutdown) and, for ``--dask``, SIGTERM, after which the local cluster's processes are ended and
its scratch space, kept in a temporary folder, is removed.
"""

import contextlib
import logging
import signal
import sys
import tempfile
import threading
import time

from .. import chunked
from .messages import CLIError, _message

SCHEDULER_TIMEOUT = 30  # seconds: --timeout's default
WATCH_INTERVAL = 0.5  # seconds between two looks at the cluster
# the address schemes the command line connects to (the others need what it cannot pass or does not install)
SCHEMES = ("tcp", "ws")


def _held(args):
    """Whether the command reads its file a block at a time on a Dask cluster."""
    return bool(getattr(args, "dask", False) or getattr(args, "scheduler", None))


def _client():
    import distributed

    return distributed.get_client()


def _check_cluster_options(args):
    """Refuse the cluster options that would do nothing, before any work: said once, not ignored."""
    if _held(args):
        if args.scheduler and args.workers is not None:
            raise CLIError("--workers sets the number of worker processes of the cluster --dask starts; the cluster "
                           "at --scheduler has its own workers: leave --workers out")
        return
    for option, given in (("--workers", args.workers is not None), ("--persist", args.persist),
                          ("--timeout", args.timeout is not None)):
        if given:
            raise CLIError(f"{option} applies to a Dask cluster; add --dask (or --scheduler ADDRESS), or leave "
                           f"{option} out")


def _scheme_refused(address):
    """The one line refusing an address that the command line cannot connect to, or None."""
    scheme = address.split("://", 1)[0].lower() if "://" in address else "tcp"
    if scheme in SCHEMES:
        return None
    if scheme in ("tls", "wss"):
        return (f"--scheduler {address}: a {scheme}:// scheduler needs the cluster's certificates, which the command "
                "line cannot take; give the scheduler's tcp:// address, or connect from Python "
                "(distributed.Client(address, security=...))")
    if scheme == "ucx":
        return (f"--scheduler {address}: ucx:// needs UCX communication (the distributed-ucxx package), which the "
                "command line does not use; give the scheduler's tcp:// address")
    return (f"--scheduler {address}: the command line connects to tcp:// (or ws://) addresses, not {scheme}://; "
            "give the scheduler's tcp:// address, e.g. tcp://10.0.0.5:8786")


class _Stalled(KeyboardInterrupt):
    """Raised in the main thread when a wait on the cluster has lasted --timeout seconds (a
    KeyboardInterrupt, so that distributed cancels what it was waiting for)."""


@contextlib.contextmanager
def _watched(check, timeout):
    """While it lasts, a thread calls ``check()`` every WATCH_INTERVAL seconds: None while all is
    well, else what is wrong, in one line. Once it has been wrong for ``timeout`` seconds in a
    row, the main thread's wait ends (SIGALRM, whose handler raises :class:`_Stalled`) and the
    line is a :class:`CLIError`. (Only the main thread may set a handler: elsewhere nothing is
    watched.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wrong, stop = [None], threading.Event()

    def interrupt(signum, frame):
        if wrong[0] is not None:
            raise _Stalled

    def watch():
        since = None
        while not stop.wait(WATCH_INTERVAL):
            try:
                message = check()
            except Exception as exc:  # (the check's own failure is what is wrong)
                message = _message(exc)
            if message is None:
                since = None
                continue
            since = time.monotonic() if since is None else since
            if time.monotonic() - since >= timeout:
                wrong[0] = message
                signal.pthread_kill(threading.main_thread().ident, signal.SIGALRM)
                return

    previous = signal.signal(signal.SIGALRM, interrupt)
    thread = threading.Thread(target=watch, name="graddescent-cluster-watch", daemon=True)
    thread.start()
    try:
        yield
    except _Stalled:
        raise CLIError(wrong[0]) from None
    finally:
        stop.set()
        thread.join()
        signal.signal(signal.SIGALRM, previous)


class _Terminated(BaseException):
    """SIGTERM, as an exception: the local cluster is closed and its scratch space removed on the way out."""


class _Termination:
    """SIGTERM's handling while the command runs: an exception (:class:`_Terminated`). It and
    Ctrl-C are held back while the local cluster starts, and take effect once it has (an
    interrupted start leaves worker processes that the cluster's closing does not know, which
    write their scratch after it is removed, and a traceback from distributed at exit)."""

    def __init__(self, active=True):
        self.active, self.held, self.pending, self.interrupted, self.sigint = active, False, False, False, None

    def handler(self, signum, frame):
        if self.held:
            self.pending = True
            return
        raise _Terminated

    def hold(self):
        if not self.active:
            return
        self.held = True
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self.sigint = signal.signal(signal.SIGINT, lambda signum, frame: setattr(self, "interrupted", True))

    def release(self):
        if not self.active:
            return
        self.held = False
        if self.sigint is not None:
            signal.signal(signal.SIGINT, self.sigint)
            self.sigint = None
        if self.pending:
            raise _Terminated
        if self.interrupted:
            raise KeyboardInterrupt


@contextlib.contextmanager
def _terminate_after_cleanup():
    """While it lasts, SIGTERM unwinds the command (closing what it opened), which then ends
    with exit status 143 (128 + SIGTERM) and one line. Yields the :class:`_Termination`."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None)):
        yield _Termination(active=False)  # (only the main thread may set a handler; an outer one already has)
        return
    termination = _Termination()
    previous = signal.signal(signal.SIGTERM, termination.handler)
    try:
        yield termination
    except _Terminated:
        print("graddescent: terminated", file=sys.stderr)
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _quiet_shutdown():
    """Silence what the cluster's shutdown may log after an interruption (asyncio's "Task
    exception was never retrieved", distributed's warnings), then or when the process ends:
    the command says what happened in one line."""
    for name in ("asyncio", "distributed", "tornado"):
        logging.getLogger(name).disabled = True


@contextlib.contextmanager
def _quiet_when_failing():
    """Whatever ends the work early (an error, Ctrl-C) silences the cluster's shutdown that follows."""
    try:
        yield
    except BaseException:
        _quiet_shutdown()
        raise


@contextlib.contextmanager
def _cluster(args):
    """The Dask cluster of ``--dask`` (processes on this machine) or ``--scheduler`` (an
    existing one) while the command runs, as Dask's current scheduler; nothing otherwise."""
    if not _held(args):
        yield None
        return
    try:
        from distributed.scheduler import KilledWorker
    except ImportError:
        raise CLIError(f"--dask and --scheduler need the optional extra 'dask': {chunked.EXTRA}") from None

    # (asyncio logs "Task exception was never retrieved" for what an interrupted gather leaves, from the
    # cluster's thread, maybe before the interruption reaches this function: it never has anything else to say here)
    logging.getLogger("asyncio").disabled = True
    timeout = SCHEDULER_TIMEOUT if args.timeout is None else args.timeout
    where = f"at {args.scheduler!r}" if args.scheduler else "of this machine"
    try:
        with _terminate_after_cleanup() as termination, _connected(args, timeout, termination) as client, \
                _quiet_when_failing():
            def check():
                if client.status != "running":
                    return (f"lost the Dask scheduler {where} for {timeout:g} s; check that it runs, then run the "
                            "command again (--timeout sets how long to wait)")
                if client.scheduler_info().get("workers"):
                    return None
                if args.scheduler:
                    return (f"the Dask cluster {where} has had no worker for {timeout:g} s; start one ('dask "
                            f"worker {args.scheduler}'), then run the command again, or raise --timeout")
                return (f"the local Dask cluster has had no worker for {timeout:g} s (they died and were not "
                        "restarted): run the command again, with fewer --workers if they ran out of memory")

            with _watched(check, timeout):
                yield client
    except KilledWorker:
        raise CLIError("the Dask workers died one after another running the same block of work (Dask's "
                       "KilledWorker): most likely each ran out of memory; give every worker more memory (fewer "
                       "--workers, or a larger cluster), then run the command again") from None


@contextlib.contextmanager
def _connected(args, timeout, termination):
    """A client of the cluster, once it has a worker (else a CLIError within ``timeout`` seconds)."""
    import dask
    import distributed

    if args.scheduler:
        refused = _scheme_refused(args.scheduler)
        if refused:
            raise CLIError(refused)
        silent = (f"no Dask scheduler answered at {args.scheduler!r} within {timeout:g} s (something may listen there, "
                  "but it does not answer as a Dask scheduler); start one ('dask scheduler'), check the address, "
                  "or use --dask for a cluster on this machine")
        try:
            with _watched(lambda: silent, timeout + 1):  # (distributed's own timeout does not cover a silent peer)
                client = distributed.Client(args.scheduler, timeout=timeout)
        except CLIError:
            _quiet_shutdown()
            raise
        except (OSError, TimeoutError) as exc:
            _quiet_shutdown()
            raise CLIError(f"no Dask scheduler answered at {args.scheduler!r} within {timeout:g} s "
                           f"({_message(exc).splitlines()[0][:120]}); start one ('dask scheduler'), check the "
                           "address, or use --dask for a cluster on this machine") from None
        except (MemoryError, Exception) as exc:  # (a peer that sends what is not Dask's protocol: any failure)
            _quiet_shutdown()
            raise CLIError(f"what answers at {args.scheduler!r} is not a Dask scheduler ({type(exc).__name__}: "
                           f"{_message(exc).splitlines()[0][:120]}); check the address (a Dask scheduler listens on "
                           "port 8786 unless told otherwise)") from None
        with client:
            _wait_for_a_worker(client, args.scheduler, timeout)
            yield client
        return
    workers = args.workers or _cores()
    with tempfile.TemporaryDirectory(prefix="graddescent-dask-") as scratch, \
            dask.config.set({"temporary-directory": scratch}):
        termination.hold()
        try:
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                               dashboard_address=":0", silence_logs=logging.CRITICAL,
                                               local_directory=scratch)
        except BaseException:
            termination.release()
            raise
        with cluster, distributed.Client(cluster) as client:
            termination.release()
            yield client


def _wait_for_a_worker(client, address, timeout):
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise CLIError(f"the Dask scheduler at {address!r} has no worker (none joined within {timeout:g} s); start one "
                       f"('dask worker {address}'), then run the command again, or raise --timeout") from None


def _cores():
    from .. import reading

    return reading._workers_all()
