"""R's random number generator: Mersenne-Twister with R's seeding, Inversion and Rejection.

R (>= 3.6) draws with ``RNGkind("Mersenne-Twister", "Inversion", "Rejection")`` by
default. ``set.seed`` scrambles the seed with a linear congruential generator and
fills the Twister's 624 state words; ``runif`` scales the 32-bit outputs, and
``sample`` draws integers by rejection from the next power of two. numpy's
``MT19937`` produces the same 32-bit outputs once it is given R's state, so only the
seeding and the two transforms are written here.
"""

import functools
import numbers
import os

import numpy as np
from numba import njit

__all__ = ["RRandom"]

_TWO_POW_M32 = 2.3283064365386963e-10  # 1 / 2^32, R's MT_genrand scale
_I2_32M1 = 2.328306437080797e-10  # 1 / (2^32 - 1), R's fixup constant
_N = 624  # Mersenne-Twister state words
_BLOCK = 1 << 16  # outputs generated ahead at most, so that large draws need little extra memory


def _check_seed(seed):
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (numbers.Integral, float, np.floating)):
        raise ValueError(f"seed must be an integer (as in R's set.seed) or None, got {seed!r}")
    if isinstance(seed, (float, np.floating)):
        if not np.isfinite(seed) or seed != int(seed):
            raise ValueError(f"seed must be a whole number or None, got {seed!r}")
    seed = int(seed)
    if not -(2**31) < seed < 2**31:
        raise ValueError(f"seed must lie in R's integer range (-2147483647 .. 2147483647), got {seed}")
    return seed


@functools.lru_cache(maxsize=64)
def _r_state(seed):
    """The 624 Mersenne-Twister words that R's ``set.seed(seed)`` leaves (read-only, cached)."""
    x = seed % 2**32
    for _ in range(50):  # R's initial scrambling
        x = (69069 * x + 1) % 2**32
    words = np.empty(_N + 1, dtype=np.uint32)
    for j in range(_N + 1):  # word 0 is R's dummy (it holds the position)
        x = (69069 * x + 1) % 2**32
        words[j] = x
    words.flags.writeable = False
    return words[1:]


@njit(cache=True, nogil=True)
def _twist(mt):
    """MT19937's regeneration of the 624 state words, in its three ranges (no modulo)."""
    for k in range(_N - 397):
        y = (mt[k] & 0x80000000) | (mt[k + 1] & 0x7FFFFFFF)
        mt[k] = mt[k + 397] ^ (y >> 1) ^ ((y & 1) * 0x9908B0DF)
    for k in range(_N - 397, _N - 1):
        y = (mt[k] & 0x80000000) | (mt[k + 1] & 0x7FFFFFFF)
        mt[k] = mt[k + 397 - _N] ^ (y >> 1) ^ ((y & 1) * 0x9908B0DF)
    y = (mt[_N - 1] & 0x80000000) | (mt[0] & 0x7FFFFFFF)
    mt[_N - 1] = mt[396] ^ (y >> 1) ^ ((y & 1) * 0x9908B0DF)


@njit(cache=True, nogil=True)
def _mt_fill(mt, pos, out):
    """Fill ``out`` with the next 32-bit outputs of the Mersenne-Twister (MT19937's
    ``genrand_int32``, which R's ``MT_genrand`` is) from state ``mt`` at position
    ``pos``; returns the new position. ``mt`` holds the 624 words as int64."""
    i, m = 0, out.shape[0]
    while i < m:
        if pos >= _N:
            _twist(mt)
            pos = 0
        take = min(_N - pos, m - i)
        for j in range(take):  # tempering
            y = mt[pos + j]
            y ^= y >> 11
            y ^= (y << 7) & 0x9D2C5680
            y ^= (y << 15) & 0xEFC60000
            y ^= y >> 18
            out[i + j] = y
        i += take
        pos += take
    return pos


@njit(cache=True, nogil=True)
def _bits(n):
    """R's ``ceil(log2(n))`` for an integer n >= 1."""
    bits = 0
    while (np.int64(1) << bits) < n:
        bits += 1
    return bits


@njit(cache=True, nogil=True)
def _rbits(raws, used, bits):
    """R's ``rbits``: one 16-bit chunk per uniform, ``floor(u * 65536)`` being the
    output's top 16 bits exactly; chunks at 0, 16, 32, ... while <= bits."""
    v = np.int64(0)
    for c in range(bits // 16 + 1):
        v = v * 65536 + (np.int64(raws[used + c]) >> 16)
    return v & ((np.int64(1) << bits) - 1)


@njit(cache=True, nogil=True)
def _draw_with_replacement(n, out, done, raws):
    """Fill ``out[done:]`` with R's ``R_unif_index(n)`` (0-based) from the 32-bit outputs
    ``raws``; stop early when they run out. Returns the new ``done`` and the outputs used."""
    bits = _bits(n)
    chunks = bits // 16 + 1
    used = 0
    while done < out.shape[0] and used + chunks <= raws.shape[0]:
        v = _rbits(raws, used, bits)
        used += chunks
        if v < n:  # R's rejection sampling from the next power of two
            out[done] = v
            done += 1
    return done, used


@njit(cache=True, nogil=True)
def _draw_without_replacement(pool, n_left, out, done, raws):
    """Continue R's partial Fisher-Yates draw (``do_sample`` without replacement).

    Fills ``out[done:]`` with 1-based values from ``pool`` (the ``n_left`` values not
    drawn yet), consuming ``raws``; stops early when they run out. Returns the new
    ``done`` and ``n_left`` and the outputs used.
    """
    used = 0
    bits = _bits(n_left)
    while done < out.shape[0]:
        while bits > 0 and (np.int64(1) << (bits - 1)) >= n_left:  # ceil(log2(n_left)) as it shrinks
            bits -= 1
        chunks = bits // 16 + 1
        if used + chunks > raws.shape[0]:
            break
        v = _rbits(raws, used, bits)
        used += chunks
        if v < n_left:
            out[done] = pool[v] + 1
            pool[v] = pool[n_left - 1]
            n_left -= 1
            done += 1
    return done, n_left, used


class RRandom:
    """R's default random number generator, reproducing R's draws exactly.

    ``RRandom(seed)`` is R's ``set.seed(seed)``: the same seed gives the same
    ``runif`` and ``sample`` values as R (Mersenne-Twister, Inversion, Rejection
    sampling: R's defaults since 3.6.0).

    Parameters
    ----------
    seed : int or None
        As R's ``set.seed``. ``None`` seeds from the operating system's entropy.

    Examples
    --------
    >>> rng = RRandom(1)
    >>> rng.sample(10)  # R: set.seed(1); sample(10)
    array([ 9,  4,  7,  1,  2,  5,  3, 10,  6,  8])
    """

    def __init__(self, seed=None):
        self.set_seed(seed)

    def set_seed(self, seed):
        """Restart the stream as R's ``set.seed(seed)`` does (``None``: a fresh random seed)."""
        if seed is None:
            seed = int.from_bytes(os.urandom(4), "little") - 2**31 + 1
        self._mt = _r_state(_check_seed(seed)).astype(np.int64)
        self._pos = _N  # as R: the first draw regenerates the whole block
        self._buffer = np.empty(0, dtype=np.int64)  # outputs drawn but not used yet

    def _generate(self, k):
        out = np.empty(k, dtype=np.int64)
        self._pos = _mt_fill(self._mt, self._pos, out)
        return out

    def _raw(self, k):
        """The next ``k`` 32-bit outputs of the stream."""
        if self._buffer.shape[0] == 0:
            return self._generate(k)
        take = self._buffer[:k]
        self._buffer = self._buffer[k:]
        if take.shape[0] < k:
            take = np.concatenate([take, self._generate(k - take.shape[0])])
        return take

    def _unread(self, raws):
        """Put back outputs that were drawn ahead but not used, so the stream stays R's."""
        self._buffer = np.concatenate([raws, self._buffer]) if self._buffer.shape[0] else raws

    def _unif_rand(self, k):
        u = self._raw(k).astype(np.float64) * _TWO_POW_M32
        # R's fixup: keep u inside (0, 1). 1 - u <= 0 cannot happen with 32-bit outputs.
        u[u <= 0.0] = 0.5 * _I2_32M1
        return u

    def runif(self, k, min=0.0, max=1.0):
        """``k`` uniform draws on ``(min, max)``, as R's ``runif(k, min, max)``.

        Parameters
        ----------
        k : int
            Number of draws.
        min, max : float, default 0 and 1
            The interval (R's names and defaults).

        Returns
        -------
        numpy.ndarray of float64, shape (k,)
        """
        k = _check_count(k, "k")
        return min + (max - min) * self._unif_rand(k)

    def _unif_index(self, n, k):
        """``k`` draws of R's ``R_unif_index(n)`` (0-based)."""
        out = np.empty(k, dtype=np.int64)
        bits = _bits(n)
        chunks = bits // 16 + 1
        done = 0
        while done < k:
            # a try is accepted with probability n / 2^bits (> 1/2): draw for a few more than expected
            tries = min(int((k - done) * 2.0**bits / n * 1.01) + 64, _BLOCK)
            raws = self._raw(tries * chunks)
            done, used = _draw_with_replacement(n, out, done, raws)
            self._unread(raws[used:])
        return out

    def sample(self, n, size=None, replace=False):
        """Random integers from ``1..n``, as R's ``sample(n, size, replace)``.

        Parameters
        ----------
        n : int
            Draw from ``1..n`` (R's ``sample(n)`` / ``sample.int(n)``).
        size : int, optional
            Number of draws; default ``n`` (a permutation), as in R.
        replace : bool, default False
            Draw with replacement.

        Returns
        -------
        numpy.ndarray of int64, shape (size,)
            1-based values, as R returns them.
        """
        n = _check_count(n, "n")
        size = n if size is None else _check_count(size, "size")
        if not isinstance(replace, (bool, np.bool_)):
            raise ValueError(f"replace must be True or False, got {replace!r}")
        if not replace and size > n:
            raise ValueError(f"cannot take a sample of size {size} from {n} values without replacement "
                             "(as R: 'cannot take a sample larger than the population'); use replace=True")
        if size > 0 and n == 0:
            raise ValueError("cannot sample from 0 values: n must be at least 1")
        if replace or size < 2:
            return self._unif_index(n, size) + 1
        if n > 1e7 and 2 * size <= n:
            return self._sample_hashed(n, size)
        pool = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)  # int32: half the cache misses
        out = np.empty(size, dtype=np.int64)
        done, n_left = 0, n
        while done < size:
            # about 1.4 tries a draw (at most 2): R's rejection from the next power of two
            raws = self._raw(min(int(1.5 * (size - done)) + 64, _BLOCK))
            done, n_left, used = _draw_without_replacement(pool, n_left, out, done, raws)
            self._unread(raws[used:])
        return out

    def _sample_hashed(self, n, size):
        # R's sample.int switches to do_sample2 (rejection of repeats through a hash
        # set) for n > 1e7 without replacement and size <= n / 2.
        seen = set()
        out = np.empty(size, dtype=np.int64)
        for i in range(size):
            while True:
                v = int(self._unif_index(n, 1)[0])
                if v not in seen:
                    break
            seen.add(v)
            out[i] = v + 1
        return out


def _check_count(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, float, np.floating)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not np.isfinite(value) or value != int(value) or value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    return int(value)
