# Ctrl-C inside the compiled loops.
#
# The loops run without the GIL, so Python's signal handlers (KeyboardInterrupt on
# SIGINT) cannot run while they do. Every few milliseconds of work a loop on the main
# thread (the only one Python delivers signals to) takes the GIL and lets them run;
# an exception they raise ends the loop and propagates (the ``except -1`` functions).
# Other threads never take the GIL here, so threaded fits do not slow each other.

from cpython.exc cimport PyErr_CheckSignals

cdef enum:
    POLL_WORK = 1 << 21  # units of work (about one multiply-add each) between checks: about a millisecond


cdef struct Poll:
    long long work   # units counted since the last check
    bint main        # on the main thread: only there does checking do anything


cdef inline int poll(Poll* p, long long amount) except -1 nogil:
    """Count ``amount`` units of work; every POLL_WORK of them, handle pending signals."""
    p.work += amount
    if p.work >= POLL_WORK:
        p.work = 0
        if p.main:
            with gil:
                PyErr_CheckSignals()
    return 0


cdef inline Poll new_poll():
    """A poll for a loop about to run on the calling thread (call it with the GIL held)."""
    import threading
    cdef Poll p
    p.work = 0
    p.main = threading.current_thread() is threading.main_thread()
    return p
