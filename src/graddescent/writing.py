"""Writing the command line's outputs whole or not at all, with no debris left by any signal.

An output (predictions, a model file, a plot, a data set) appears under its name only once it
is complete. On Linux the data go to an unnamed file in the output's folder (``O_TMPFILE``),
which the kernel removes by itself if the process dies in any way, ``kill -9`` included; the
complete file is then linked into place. Elsewhere (or on a file system without unnamed files)
the data go to a temporary file beside the output, removed on an error, on Ctrl-C and on every
signal that can be caught; only a signal that cannot be caught (``SIGKILL``) can leave it.

An output that is a symbolic link is written through to its target (the link stays a link),
and an existing output keeps its permission bits (and its owner, where the process may set
it). A failure of the file system (a full disk, say) is reported naming the output.
"""

import contextlib
import errno
import os
import secrets
import signal
import sys
import threading

__all__ = ["OutputError", "check_output", "write_atomic"]

_TEMPORARY_PREFIX = ".graddescent-"
# signals whose default action ends the process and that a handler can catch: a temporary
# output file is removed before the process ends by one of them (SIGINT raises
# KeyboardInterrupt, which the writer handles as any exception)
_FATAL_SIGNALS = tuple(getattr(signal, name) for name in (
    "SIGTERM", "SIGHUP", "SIGQUIT", "SIGPIPE", "SIGALRM", "SIGUSR1", "SIGUSR2", "SIGXCPU", "SIGXFSZ",
    "SIGVTALRM", "SIGPROF", "SIGPOLL", "SIGPWR") if hasattr(signal, name))


class OutputError(ValueError):
    """An output that cannot or may not be written; the message (one line) says why and what to do."""


def check_output(path, *inputs):
    """Refuse an output before any work is done: a folder, a missing folder, or one of the inputs.

    Parameters
    ----------
    path : str or None
        The output; nothing is checked when None or empty.
    *inputs : str or None
        Files the command reads, which the output may not replace.

    Raises
    ------
    OutputError
    """
    if not path:
        return
    for source in inputs:
        if source and os.path.exists(path) and os.path.exists(source) and os.path.samefile(path, source):
            raise OutputError(f"refusing to write over the input file {source!r}; choose another output name")
    if os.path.isdir(path):
        raise OutputError(f"output {path!r} is a folder; give a file name")
    folder = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"cannot write {path!r}: the folder {folder!r} does not exist")


def write_atomic(path, write, binary=False):
    """Write a file through ``write(file)``, so that it appears whole or not at all.

    Parameters
    ----------
    path : str
        The output. A symbolic link is followed: its target is written.
    write : callable
        Called once with an open file (text, UTF-8, no newline translation; or binary).
    binary : bool, default False
        Open the file in binary mode.

    Raises
    ------
    OutputError
        When the file system fails (a full disk, no permission...), naming ``path``; nothing
        is left behind and an existing file keeps its content.
    """
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    try:
        current = os.stat(target)
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise _failure(path, exc) from None
    try:
        if _unnamed_files_work():
            try:
                _write_unnamed(target, folder, current, write, binary)
                return
            except _NoUnnamedFile:
                pass
        _write_named(target, folder, current, write, binary)
    except OutputError:
        raise
    except OSError as exc:
        raise _failure(path, exc) from None


def _failure(path, exc):
    return OutputError(f"cannot write {path!r}: {exc.strerror or exc}; nothing was written")


class _NoUnnamedFile(Exception):
    """The folder's file system cannot create unnamed files (``O_TMPFILE``)."""


def _unnamed_files_work():
    return sys.platform.startswith("linux") and hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")


def _open(fd, binary):
    if binary:
        return os.fdopen(fd, "wb")
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def _keep_identity(fd, current):
    """Give the new file the permission bits (and, if allowed, the owner) of the file it replaces."""
    if current is None:
        return
    os.fchmod(fd, current.st_mode & 0o7777)
    if (current.st_uid, current.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):
            os.fchown(fd, current.st_uid, current.st_gid)
            os.fchmod(fd, current.st_mode & 0o7777)  # (chown clears the set-id bits)


def _write_unnamed(target, folder, current, write, binary):
    """Linux: write an unnamed file in the folder, then link it into place."""
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            raise _NoUnnamedFile from None
        raise
    with _open(fd, binary) as f:
        write(f)
        f.flush()
        _keep_identity(f.fileno(), current)
        source = f"/proc/self/fd/{f.fileno()}"  # (os.link calls linkat, which follows this link, given a dir_fd)
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            name = os.path.basename(target)
            if current is None:
                try:
                    os.link(source, name, dst_dir_fd=folder_fd, follow_symlinks=True)
                    return
                except FileExistsError:  # created meanwhile: replace it as any existing file
                    pass
            # an existing file is replaced by a rename, from a name that only SIGKILL could leave behind
            with _removed_on_signals() as temporary, _removed_on_error(temporary):
                _create_temporary(temporary, folder, lambda path: os.link(
                    source, os.path.basename(path), dst_dir_fd=folder_fd, follow_symlinks=True))
                os.replace(temporary.path, target)
        finally:
            os.close(folder_fd)


def _write_named(target, folder, current, write, binary):
    """Anywhere: write a temporary file beside the output, removed on any failure or catchable signal."""
    with _removed_on_signals() as temporary, _removed_on_error(temporary):
        fd = _create_temporary(temporary, folder, lambda path: os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0),
            0o600))
        with _open(fd, binary) as f:
            write(f)
            f.flush()
            if current is None:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(f.fileno(), 0o666 & ~umask)
            else:
                _keep_identity(f.fileno(), current)
        os.replace(temporary.path, target)


class _Temporary:
    """The temporary name of an output, known to the signal handlers before the file exists."""

    path = None


def _create_temporary(temporary, folder, create):
    """``create(path)`` at a new temporary name beside the output, the name set first (a signal may come)."""
    while True:
        temporary.path = os.path.join(folder, f"{_TEMPORARY_PREFIX}{secrets.token_hex(6)}.tmp")
        try:
            return create(temporary.path)
        except FileExistsError:
            continue


@contextlib.contextmanager
def _removed_on_error(temporary):
    """Any exception (Ctrl-C's KeyboardInterrupt too) removes the temporary file, wherever it came."""
    try:
        yield
    except BaseException:
        if temporary.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary.path)
        raise


@contextlib.contextmanager
def _removed_on_signals():
    """While it lasts, a fatal signal removes the temporary file, then ends the process as it would have.

    (Python runs the handler on the main thread whichever thread the signal reaches, so the
    other threads need not block anything.)
    """
    temporary = _Temporary()
    if threading.current_thread() is not threading.main_thread():
        yield temporary  # (only the main thread may set handlers)
        return
    previous = {}

    def handler(signum, frame):
        if temporary.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary.path)
        for number, action in previous.items():
            signal.signal(number, action)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for number in _FATAL_SIGNALS:
        if signal.getsignal(number) in (signal.SIG_DFL, None):
            previous[number] = signal.signal(number, handler)
    try:
        yield temporary
    finally:
        for number, action in previous.items():
            signal.signal(number, action)
