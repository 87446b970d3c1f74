"""The Dask cluster of ``--dask`` (processes on this machine) and ``--scheduler`` (an existing one)."""

import contextlib

from .. import chunked, reading
from .messages import CLIError, _message

SCHEDULER_TIMEOUT = 10  # seconds --scheduler waits for the scheduler to answer


def _held(args):
    """Whether the command reads its file a block at a time on a Dask cluster."""
    return bool(getattr(args, "dask", False) or getattr(args, "scheduler", None))


def _client():
    import distributed

    return distributed.get_client()


@contextlib.contextmanager
def _cluster(args):
    """The Dask cluster of ``--dask`` (processes on this machine) or ``--scheduler`` (an
    existing one) while the command runs, as Dask's current scheduler; nothing otherwise."""
    if not _held(args):
        yield None
        return
    try:
        import distributed
    except ImportError:
        raise CLIError(f"--dask and --scheduler need the optional extra 'dask': {chunked.EXTRA}") from None
    import logging

    if args.scheduler:
        try:
            client = distributed.Client(args.scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise CLIError(f"no Dask scheduler answered at {args.scheduler!r} within {SCHEDULER_TIMEOUT} s "
                           f"({_message(exc).splitlines()[0][:120]}); start one ('dask scheduler'), check the "
                           "address, or use --dask for a cluster on this machine") from None
        with client:
            yield client
        return
    workers = args.workers or reading._workers_all()
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.CRITICAL) as cluster, distributed.Client(cluster) as client:
        yield client
