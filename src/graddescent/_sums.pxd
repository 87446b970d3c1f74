from libc.stdint cimport int64_t, uint32_t, uint64_t
from libc.string cimport memcpy

from ._signals cimport Poll

cdef inline uint64_t word(double x) noexcept nogil:
    """The 64 bits of x."""
    cdef uint64_t u
    memcpy(&u, &x, 8)
    return u


cdef inline double from_word(uint64_t u) noexcept nogil:
    cdef double x
    memcpy(&x, &u, 8)
    return x


cdef inline double residual(const double* x, Py_ssize_t stride, Py_ssize_t n, const double* theta) noexcept nogil:
    """A row's ``[1 | inputs] . theta - output`` (its inputs and output ``stride`` apart from
    x on), summed left to right as R's ``%*%`` does (reference BLAS)."""
    cdef double s = theta[0]  # R: 0 + 1 * theta[1], exactly theta[1]
    cdef Py_ssize_t j
    for j in range(1, n):
        s += x[(j - 1) * stride] * theta[j]
    return s - x[(n - 1) * stride]


cdef class FullGradient:
    cdef const double[:, ::1] cols  # the data by column: the inputs, then the output
    cdef Py_ssize_t n, m            # columns (theta has n values: the intercept, one per input), rows
    cdef double[::1] top            # max |x| of each column
    cdef double rms                 # the residuals' root mean square at the last call (0: no call yet)
    cdef double[:, ::1] scratch     # a block's partial residuals and residuals (more than two inputs)
    cdef double[:, ::1] grid        # the grid (sigma) of each of the n + 1 sums, at levels 1 and 2
    cdef uint64_t[:, ::1] acc       # each sum, exactly: a 192-bit integer count of level-2 steps
    cdef double[:, ::1] comp        # the fallback's compensated sums (and those of huge terms)
    cdef Poll poll
    cdef const int64_t* rows        # the call's rows (NULL: a range of rows)
    cdef int weighting              # UNWEIGHTED, WHOLE (integer weights) or SCALED (any others), see set_weights
    cdef uint64_t times             # how many times each row of the block summed counts (WHOLE: a run of rows
                                    # of one weight, else 0: each row its own weight)
    cdef object weight_array        # the weights (owner of ``wd``, ``wu``)
    cdef const double* wd           # each row's weight, as a double (WHOLE) or divided by the largest (SCALED)
    cdef const uint32_t* wu         # each row's whole weight (WHOLE)
    cdef const uint64_t* prefix     # their running sums, from 0 (m + 1 of them)
    cdef const int64_t* runs        # the runs of MIN_RUN rows or more of one whole weight: start, stop, ...
    cdef Py_ssize_t n_runs          # (how many)
    cdef double total               # the weights' sum over all rows

    cdef double mean(self, const int64_t* rows, Py_ssize_t lo, Py_ssize_t hi, const double* theta,
                     double* g) except? -1 nogil
    cdef int _binned(self, Py_ssize_t lo, Py_ssize_t hi, const double* theta, double guess) except -1 nogil
    cdef bint _set_grids(self, double guess) noexcept nogil
    cdef int _accumulate(self, Py_ssize_t lo, Py_ssize_t hi, const double* theta) except -1 nogil
    cdef int _compensated(self, Py_ssize_t lo, Py_ssize_t hi, const double* theta) except -1 nogil
    cdef int _compensate(self, Py_ssize_t lo, Py_ssize_t hi, const double* theta) except -1 nogil
    cdef double _count(self, Py_ssize_t lo, Py_ssize_t hi) noexcept nogil


cdef class ChunkedGradient(FullGradient):
    cdef object chunks              # the pieces' sums, where they are (graddescent.chunked.Chunks)
