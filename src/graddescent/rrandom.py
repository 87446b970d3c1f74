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

from ._rrandom import draw_with_replacement, draw_without_replacement, mt_fill
from .validation import check_whole, is_whole

__all__ = ["RRandom"]

_TWO_POW_M32 = 2.3283064365386963e-10  # 1 / 2^32, R's MT_genrand scale
_I2_32M1 = 2.328306437080797e-10  # 1 / (2^32 - 1), R's fixup constant
_N = 624  # Mersenne-Twister state words
_BLOCK = 1 << 16  # outputs generated ahead at most, so that large draws need little extra memory
_MAX_COUNT = 4_500_000_000_000_000  # R's do_sample: n > 4.5e15 is an 'invalid first argument'


def _check_seed(seed):
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Real):
        raise ValueError(f"seed must be an integer (as in R's set.seed) or None, got {seed!r}")
    if not is_whole(seed):
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
        self._mt = _r_state(_check_seed(seed)).copy()
        self._pos = _N  # as R: the first draw regenerates the whole block
        self._buffer = np.empty(0, dtype=np.uint32)  # outputs drawn but not used yet

    def _generate(self, k):
        out = np.empty(k, dtype=np.uint32)
        self._pos = mt_fill(self._mt, self._pos, out)
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
        bits = (n - 1).bit_length()  # R's ceil(log2(n))
        chunks = bits // 16 + 1
        done = 0
        while done < k:
            # a try is accepted with probability n / 2^bits (> 1/2): draw for a few more than expected
            tries = min(int((k - done) * 2.0**bits / n * 1.01) + 64, _BLOCK)
            raws = self._raw(tries * chunks)
            done, used = draw_with_replacement(n, out, done, raws)
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
            done, n_left, used = draw_without_replacement(pool, n_left, out, done, raws)
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
    value = check_whole(name, value, low=0)
    if value > _MAX_COUNT:  # R: 'invalid first argument'; no draw could hold so many values anyway
        raise ValueError(f"{name} must be at most 4.5e15 (as in R's sample), got {value}")
    return value
