# R's integer draws from the 32-bit outputs of its Mersenne-Twister (see _rrandom.pyx),
# inlined where they are used: here and in SSGD's draw plan (_kernels.pyx).

from libc.stdint cimport int64_t, uint32_t


cdef inline int bits(int64_t n) noexcept nogil:
    """R's ``ceil(log2(n))`` for an integer n >= 1."""
    cdef int b = 0
    while (<int64_t>1 << b) < n:
        b += 1
    return b


cdef inline int64_t rbits(const uint32_t* raws, int b) noexcept nogil:
    """R's ``rbits``: a draw of ``b`` bits from the next ``b // 16 + 1`` outputs. Each gives
    16 bits, ``floor(unif_rand() * 65536)``, which is exactly the output's top 16 bits."""
    cdef int64_t v = 0
    cdef int c
    for c in range(b // 16 + 1):
        v = v * 65536 + (raws[c] >> 16)
    return v & ((<int64_t>1 << b) - 1)
