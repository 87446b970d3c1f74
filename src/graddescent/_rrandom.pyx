# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""R's random number generator, compiled: the Mersenne-Twister's outputs and R's integer draws.

:class:`graddescent.RRandom` holds the state and does R's seeding and ``runif``; these
loops produce the Twister's 32-bit outputs (MT19937's ``genrand_int32``, which is R's
``MT_genrand`` before its scaling) and turn them into R's ``sample`` draws (``R_unif_index``:
rejection sampling from the next power of two, 16 bits per output).
"""

from libc.stdint cimport int32_t, int64_t, uint32_t

from ._rrandom cimport bits, rbits
from ._signals cimport Poll, new_poll, poll

ctypedef fused index_t:  # the pool of a draw without replacement: int32 where it fits (fewer cache misses)
    int32_t
    int64_t

cdef enum:
    N = 624  # state words
    M = 397  # MT19937's middle word


cdef inline uint32_t _mix(uint32_t upper, uint32_t lower, uint32_t far) noexcept nogil:
    cdef uint32_t y = (upper & 0x80000000u) | (lower & 0x7FFFFFFFu)
    return far ^ (y >> 1) ^ ((y & 1u) * 0x9908B0DFu)


cdef void _twist(uint32_t* mt) noexcept nogil:
    """MT19937's regeneration of the 624 state words, in its three ranges."""
    cdef int k
    for k in range(N - M):
        mt[k] = _mix(mt[k], mt[k + 1], mt[k + M])
    for k in range(N - M, N - 1):
        mt[k] = _mix(mt[k], mt[k + 1], mt[k + M - N])
    mt[N - 1] = _mix(mt[N - 1], mt[0], mt[M - 1])


def mt_fill(uint32_t[::1] mt, Py_ssize_t pos, uint32_t[::1] out):
    """Fill ``out`` with the next outputs of the Twister in state ``mt`` (624 words) at
    position ``pos`` (624: regenerate first); return the new position."""
    cdef Py_ssize_t i = 0, j, take, size = out.shape[0]
    cdef uint32_t y
    cdef Poll p = new_poll()
    with nogil:
        while i < size:
            if pos >= N:
                _twist(&mt[0])
                pos = 0
                poll(&p, N)
            take = min(N - pos, size - i)
            for j in range(take):  # tempering
                y = mt[pos + j]
                y ^= y >> 11
                y ^= (y << 7) & 0x9D2C5680u
                y ^= (y << 15) & 0xEFC60000u
                y ^= y >> 18
                out[i + j] = y
            i += take
            pos += take
    return pos


def draw_with_replacement(int64_t n, int64_t[::1] out, Py_ssize_t done, const uint32_t[::1] raws):
    """Fill ``out[done:]`` with R's ``R_unif_index(n)`` (0-based) from the outputs ``raws``,
    stopping early where they run out. Returns the new ``done`` and the outputs used."""
    cdef int b = bits(n)
    cdef Py_ssize_t chunks = b // 16 + 1, used = 0, size = out.shape[0], have = raws.shape[0]
    cdef int64_t v
    with nogil:
        while done < size and used + chunks <= have:
            v = rbits(&raws[used], b)
            used += chunks
            if v < n:  # R's rejection sampling from the next power of two
                out[done] = v
                done += 1
    return done, used


def draw_without_replacement(index_t[::1] pool, int64_t n_left, int64_t[::1] out, Py_ssize_t done,
                             const uint32_t[::1] raws):
    """Continue R's partial Fisher-Yates draw (``do_sample`` without replacement).

    Fills ``out[done:]`` with 1-based values from ``pool`` (the ``n_left`` values not
    drawn yet), consuming ``raws``; stops early where they run out. Returns the new
    ``done`` and ``n_left`` and the outputs used.
    """
    cdef int b = bits(n_left) if n_left > 0 else 0
    cdef Py_ssize_t chunks, used = 0, size = out.shape[0], have = raws.shape[0]
    cdef int64_t v
    with nogil:
        while done < size:
            while b > 0 and (<int64_t>1 << (b - 1)) >= n_left:  # ceil(log2(n_left)) as it shrinks
                b -= 1
            chunks = b // 16 + 1
            if used + chunks > have:
                break
            v = rbits(&raws[used], b)
            used += chunks
            if v < n_left:
                out[done] = pool[v] + 1
                pool[v] = pool[n_left - 1]
                n_left -= 1
                done += 1
    return done, n_left, used
